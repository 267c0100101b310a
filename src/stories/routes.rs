//! Every story route in one list; `/stories` (published stories), `/stories/new` (share
//! one) and `/stories/withdraw/{token}` (the storyteller's private link). Moderation at
//! `/admin/stories` is in `moderate.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use super::{Draft, Story};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::i18n::Lang;
use crate::mail::{Letter, Sender};
use crate::web::antispam::{SEND_AGAIN, Verdict};
use crate::web::error::AppError;
use crate::web::{FieldErrors, private_page, private_page_status, see_other};

pub fn routes() -> Router<AppState> {
    use super::moderate::{
        moderate_page, publish_post, queue_page, quotes_post, reject_post, remove_image_post,
        save_post, unpublish_post,
    };
    Router::new()
        .route("/stories", get(list_page))
        .route(
            "/stories/new",
            get(new_get)
                .post(new_post)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::uploads::MAX_BYTES + 256 * 1024,
                )),
        )
        .route("/stories/{id}", get(story_page))
        .route(
            "/stories/withdraw/{token}",
            get(withdraw_get).post(withdraw_post),
        )
        .route("/admin/stories", get(queue_page))
        .route("/admin/stories/{id}", get(moderate_page).post(save_post))
        .route("/admin/stories/{id}/publish", post(publish_post))
        .route("/admin/stories/{id}/quotes", post(quotes_post))
        .route("/admin/stories/{id}/image/remove", post(remove_image_post))
        .route("/admin/stories/{id}/unpublish", post(unpublish_post))
        .route("/admin/stories/{id}/reject", post(reject_post))
}

/// Stories allowed per client address per hour.
const PER_HOUR: i64 = 5;

#[derive(Template)]
#[template(path = "stories/list.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    stories: Vec<Story>,
    /// Stories given for quotes only: their published quotes.
    quoted: Vec<Story>,
}

impl ListPage<'_> {
    fn byline(&self, s: &Story) -> String {
        super::byline(s, self.c.lang)
    }
    /// A quote's attribution: who, never a name.
    fn who(&self, s: &Story) -> String {
        if s.teller.is_empty() {
            self.c.t("story-anonymous")
        } else {
            self.c.t(&format!("story-teller-{}", s.teller))
        }
    }
    fn teaser(&self, s: &Story) -> String {
        let p = s.paragraphs().first().copied().unwrap_or("");
        if p.chars().count() > 280 {
            format!("{}…", p.chars().take(280).collect::<String>().trim_end())
        } else {
            p.to_string()
        }
    }
}

/// Published stories are cached in memory like other public pages (publication,
/// take-down and withdrawal bump the content version) but sent `no-store`, so a reader's
/// browser keeps no copy of what they read.
async fn list_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (st, cc) = (state.clone(), c.clone());
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        crate::web::SENSITIVE,
        || async move {
            let stories = super::store::published(&st.db).await?;
            let quoted = super::store::published_quotes(&st.db).await?;
            Ok(ListPage {
                c: &cc,
                stories,
                quoted,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "stories/story.html")]
struct StoryPage<'a> {
    c: &'a Ctx,
    s: Story,
    byline: String,
}

async fn story_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (st, cc) = (state.clone(), c.clone());
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        crate::web::SENSITIVE,
        || async move {
            let s = super::store::get(&st.db, id)
                .await?
                // A "quotes only" story never has a page of its own.
                .filter(|s| s.status == "published" && super::publishable(&s.scope))
                .ok_or(AppError::NotFound)?;
            let byline = super::byline(&s, cc.lang);
            Ok(StoryPage { c: &cc, s, byline }.render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "stories/new.html")]
struct NewPage<'a> {
    c: &'a Ctx,
    d: Draft,
    errors: FieldErrors,
    /// A message above the form that belongs to no field (too many attempts, send again).
    notice: Option<&'static str>,
    now: i64,
}

async fn new_get(c: Ctx) -> Result<Response, AppError> {
    private_page(&NewPage {
        c: &c,
        d: Draft::default(),
        errors: crate::web::FieldErrors::new(),
        notice: None,
        now: crate::db::now(),
    })
}

#[derive(Template)]
#[template(path = "stories/sent.html")]
struct SentPage<'a> {
    c: &'a Ctx,
    /// The private withdrawal link.
    link: String,
    emailed: bool,
}

/// `POST /stories/new`.
async fn new_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    fields: crate::web::Fields,
) -> Result<Response, AppError> {
    let pairs = &fields.pairs;
    let get = |name: &str| crate::web::field(pairs, name);
    let now = crate::db::now();
    let mut d = Draft::from_pairs(pairs);
    // Before anything else answers: a risky text gets crisis help on every answer.
    let (c, risk) = c.screen(&[&d.title, &d.body], Some(&d.nation));
    let page = |d: Draft, errors: FieldErrors, notice| NewPage {
        c: &c,
        d,
        errors,
        notice,
        now,
    };
    match crate::web::antispam::verdict(get("website"), get("started"), now) {
        Verdict::Person => {}
        Verdict::Bot if risk.is_risky() => return crate::site::routes::crisis_page(&c),
        Verdict::Bot => return Ok(see_other("/stories")),
        // Before the picture is stored: nothing is kept from such a sending.
        Verdict::SendAgain => {
            return Err(AppError::invalid(&page(
                d,
                FieldErrors::new(),
                Some(SEND_AGAIN),
            )));
        }
    }
    // A picture is checked, cleaned and stored at once, so it is kept (by name) if the
    // form has to come back for another field.
    let mut picture_error = None;
    if let Some(bytes) = fields.file("image_file") {
        match crate::uploads::accept(&state, bytes).await? {
            Ok(name) => d.image = name,
            Err(msg) => picture_error = Some(msg),
        }
    }
    let checked = d.check();
    let email = match (checked, picture_error) {
        (Ok(e), None) => e,
        (Ok(_), Some(msg)) => {
            let errors = FieldErrors::from(vec![("image_file", msg)]);
            return Err(AppError::invalid(&page(d, errors, None)));
        }
        (Err(mut errors), picture) => {
            if let Some(msg) = picture {
                errors.push(("image_file", msg));
            }
            return Err(AppError::invalid(&page(d, errors, None)));
        }
    };
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    let limit = crate::web::antispam::store::allowance(PER_HOUR, risk.is_risky());
    if crate::web::antispam::store::over_limit(&state.db, "story", &ip, limit).await? {
        let page = page(d, FieldErrors::new(), Some("story-throttled"));
        return private_page_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let contacts = if risk.is_risky() {
        super::store::safeguarding_contacts(&state.db).await?
    } else {
        Vec::new()
    };
    let mut tx = state.db.begin_write().await?;
    let (id, token) = super::store::create(&mut tx, &d, email.as_deref(), risk, c.lang).await?;
    let link = state
        .config
        .link(c.lang, &format!("/stories/withdraw/{token}"));
    if let Some(to) = &email {
        let m = withdraw_letter(&site, c.lang, to, &link);
        crate::mail::enqueue(&mut tx, &sender, &m).await?;
    }
    for to in &contacts {
        let m = crate::safeguard::alert(&state.config.public_url, &site, to, "story", id, risk);
        crate::mail::enqueue(&mut tx, &sender, &m).await?;
    }
    tx.commit().await?;
    // The safeguarding outcome is never logged with the text; only that one happened.
    if risk.is_risky() {
        tracing::info!(story = id, "story flagged for safeguarding review");
    }
    private_page(&SentPage {
        c: &c,
        link,
        emailed: email.is_some(),
    })
}

fn withdraw_letter(site: &str, lang: Lang, to: &str, link: &str) -> crate::mail::Outgoing {
    Letter::new(
        "story-received",
        lang,
        to,
        site,
        lang.t("story-mail-subject"),
    )
    .heading(lang.t("story-mail-heading"))
    .paras(vec![
        lang.t("story-mail-text"),
        lang.t("story-mail-withdraw"),
    ])
    .button(lang.t("story-withdraw-button"), link.to_string())
    .footer(vec![lang.t("story-mail-keep")])
    .outgoing()
}

#[derive(Template)]
#[template(path = "stories/withdraw.html")]
struct WithdrawPage<'a> {
    c: &'a Ctx,
    token: String,
    /// The story's title, while there is one to withdraw.
    title: Option<String>,
    done: bool,
}

async fn withdraw_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let s = super::store::by_withdraw_token(&state.db, &token).await?;
    let status = if s.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    private_page_status(
        status,
        &WithdrawPage {
            c: &c,
            title: s.map(|s| s.title),
            token,
            done: false,
        },
    )
}

async fn withdraw_post(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(s) = super::store::by_withdraw_token(&state.db, &token).await? else {
        // Already withdrawn (or never existed): say it is gone either way.
        return private_page(&WithdrawPage {
            c: &c,
            token: String::new(),
            title: None,
            done: true,
        });
    };
    let mut tx = state.db.begin_write().await?;
    super::store::withdraw(&mut tx, state.db.backend, &s).await?;
    super::audit(&mut tx, None, "story_withdrawn", &s).await?;
    tx.commit().await?;
    crate::uploads::delete_if_unused(&state, &s.image).await?;
    state.refresh().await?;
    private_page(&WithdrawPage {
        c: &c,
        token: String::new(),
        title: None,
        done: true,
    })
}
