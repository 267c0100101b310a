//! Public frame routes: home, Get help, Exit this page, language switch, theme stylesheet,
//! robots.txt and the error page template.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::helplines::{self, HelpNow, Helpline, Urgency};
use crate::AppState;
use crate::web::load::Essential;

/// Never shed under load: the help page, Exit this page, and the stylesheet and icon
/// every page asks for.
pub const ESSENTIAL: Essential = Essential {
    paths: &["/help", "/exit", "/favicon.ico"],
    prefixes: &["/theme/"],
};
use crate::app::Ctx;
use crate::app::ctx::{LANG_COOKIE, cookie};
use crate::auth::{SESSION_COOKIE, session};
use crate::cms::news::{self, Post};
use crate::web::{self, AppError, Query, safe_next};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/help", get(help))
        .route("/exit", get(exit).post(exit_beacon))
        .route("/lang/{code}", get(switch_language))
        .route("/theme/{file}", get(theme_css))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(super::sitemap::sitemap))
        .route("/favicon.ico", get(favicon))
        .merge(super::impact::routes())
        .merge(super::tracker_admin::routes())
}

/// The error page, rendered by the error middleware.
#[derive(Template)]
#[template(path = "site/error.html")]
pub struct ErrorTemplate<'a> {
    pub c: &'a Ctx,
    pub status: u16,
    pub message: &'a str,
    pub not_found: bool,
}

#[derive(Template)]
#[template(path = "site/home.html")]
struct HomeTemplate<'a> {
    c: &'a Ctx,
    now: HelpNow<'a>,
    hero: Option<crate::uploads::Picture>,
    campaign_picture: Option<crate::uploads::Picture>,
    news: Vec<Post>,
    /// The campaign running now or next, featured automatically.
    campaign: Option<crate::campaigns::Campaign>,
    phase: &'static str,
}

impl HomeTemplate<'_> {
    fn campaign_dates(&self, k: &crate::campaigns::Campaign) -> String {
        crate::campaigns::routes::dates(self.c.lang, k)
    }
    fn campaign_summary(&self, k: &crate::campaigns::Campaign) -> String {
        crate::cms::markdown::excerpt(k.description(self.c.is_cy()), 240)
    }
}

async fn home(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    // The featured campaign changes with the date, not only with content.
    let today = crate::campaigns::routes::today();
    crate::app::cached_with(
        &state,
        &c,
        &headers,
        &today.clone(),
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let news = news::store::latest(&st.db, 3).await?;
            let campaign = crate::campaigns::store::current_or_next(&st.db, &today).await?;
            let site = &cc.snap.site;
            let alt = if cc.is_cy() && !site.get("hero_image_alt_cy").is_empty() {
                site.get("hero_image_alt_cy")
            } else {
                site.get("hero_image_alt")
            };
            // The home page keeps to the UK-wide lines; each nation's are a tap away on /help.
            let mut now = help_now(&cc, None);
            now.by_nation.clear();
            Ok(HomeTemplate {
                c: &cc,
                now,
                hero: crate::uploads::Picture::new(
                    site.get("hero_image"),
                    alt,
                    site.get("hero_demo") == "1",
                ),
                campaign_picture: campaign.as_ref().and_then(|k| k.picture(cc.is_cy())),
                news,
                phase: campaign.as_ref().map(|k| k.phase(&today)).unwrap_or(""),
                campaign,
            }
            .render()?)
        },
    )
    .await
}

/// The help-now buttons for a page, for a nation or (`None`) for anyone: UK-wide lines,
/// then each nation's own, Wales first on a Welsh page.
pub fn help_now<'a>(c: &'a Ctx, nation: Option<&str>) -> HelpNow<'a> {
    helplines::help_now(
        &c.snap.helplines,
        nation,
        &c.snap.site.nations(),
        c.is_cy().then_some("wales"),
    )
}

#[derive(Template)]
#[template(path = "site/crisis.html")]
struct CrisisTemplate<'a> {
    c: &'a Ctx,
}

/// The answer to a form that a spam trap stopped when what was written disclosed risk:
/// crisis help first (from the frame), and a plain word that the message may not have
/// reached us. Nobody who writes that they are not safe is shown only a pretend "sent".
pub fn crisis_page(c: &Ctx) -> Result<Response, AppError> {
    web::private_page(&CrisisTemplate { c })
}

#[derive(Template)]
#[template(path = "site/help.html")]
struct HelpTemplate<'a> {
    c: &'a Ctx,
    now: HelpNow<'a>,
    emergency: Vec<&'a Helpline>,
    urgent: Vec<&'a Helpline>,
    support: Vec<&'a Helpline>,
}

/// `GET /help` — national helplines, emergency first. Rendered only from memory, so it
/// answers even when the database does not.
async fn help(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::SENSITIVE,
        || async move {
            let lines = &cc.snap.helplines;
            // On a Welsh page, Wales's own lines come first within each tier.
            let pick = |u: Urgency| {
                let mut v: Vec<&Helpline> = lines
                    .iter()
                    .filter(|h| h.urgency() == u && h.reachable())
                    .collect();
                if cc.is_cy() {
                    v.sort_by_key(|h| h.uk_wide() || !h.serves("wales"));
                }
                v
            };
            Ok(HelpTemplate {
                c: &cc,
                now: help_now(&cc, None),
                emergency: pick(Urgency::Emergency),
                urgent: pick(Urgency::Urgent),
                support: pick(Urgency::NonUrgent),
            }
            .render()?)
        },
    )
    .await
}

/// Headers that end the visitor's session and wipe what the browser kept of this site.
fn exit_headers(secure: bool) -> [(header::HeaderName, String); 3] {
    [
        (header::SET_COOKIE, session::clear_cookie(secure)),
        (
            header::HeaderName::from_static("clear-site-data"),
            "\"cache\", \"cookies\", \"storage\"".to_string(),
        ),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ]
}

async fn end_any_session(state: &AppState, headers: &HeaderMap) {
    if let Some(token) = cookie(headers, SESSION_COOKIE)
        && let Ok(mut tx) = state.db.begin_write().await
    {
        let _ = session::store::end_session(&mut tx, &crate::token::token_hash(token)).await;
        let _ = tx.commit().await;
    }
}

/// `GET /exit` — the no-JavaScript Exit this page: end the session, clear site data, and
/// go to the neutral site. The target is only ever the configured one (no open redirect).
async fn exit(State(state): State<AppState>, headers: HeaderMap) -> Response {
    end_any_session(&state, &headers).await;
    let target = state.snapshot().site.get("exit_url").to_string();
    let mut res = (
        StatusCode::SEE_OTHER,
        exit_headers(state.config.secure_cookies()),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&target) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// `POST /exit` — sent by the script with `navigator.sendBeacon` just before it replaces
/// the location.
async fn exit_beacon(State(state): State<AppState>, headers: HeaderMap) -> Response {
    end_any_session(&state, &headers).await;
    (
        StatusCode::NO_CONTENT,
        exit_headers(state.config.secure_cookies()),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// `GET /lang/{code}?next=/path` — the language switch: remembers the choice in a
/// functional cookie (it decides only where `/` takes the visitor next time) and goes to
/// the same page, query and all, at its address in that language.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let lang = crate::i18n::Lang::from_code(&code).ok_or(AppError::NotFound)?;
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
        lang.code(),
        if state.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        }
    );
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, lang.address(next)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
    )
        .into_response())
}

/// `GET /theme/{hash}.css` — the admin-chosen colours.
async fn theme_css(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let snap = state.snapshot();
    let current = file.strip_suffix(".css") == Some(snap.theme_hash.as_str());
    let cache = if current {
        crate::web::assets::IMMUTABLE
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        snap.theme_css.clone(),
    )
        .into_response()
}

async fn robots(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /exit\nDisallow: /search\n\
             Disallow: /cy/search\nSitemap: {}/sitemap.xml\n",
            state.config.public_url.trim_end_matches('/')
        ),
    )
        .into_response()
}

async fn favicon() -> Response {
    web::see_other(crate::web::assets::url("favicon.svg"))
}
