//! `/support` (the page; the same search as JSON is in [`super::api`]).
//!
//! The page always leads with help: the tiered helpline cards come from the in-memory
//! snapshot, so they are shown for a bad postcode and when the database is down. Area
//! facts and services are read once per area and content version ([`AreaInfo`]); the page
//! for an area is a [`Skeleton`] with three holes filled per request (the query summary or
//! form, the nearest units, the search-again form).

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;

use super::answer::{ATTRIBUTION, AreaInfo, SupportParams, answer, mbus, nearest, tiers};
use super::{Located, Outcome};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::atlas::services::ServiceRow;
use crate::site::Helpline;
use crate::web::cache::{AcceptEncoding, Encoding};
use crate::web::error::AppError;
use crate::web::splice::{HOLE, Skeleton};
use crate::web::{Form, Query};

/// The finder and its API are help: never shed under load.
pub const ESSENTIAL: crate::web::load::Essential = crate::web::load::Essential {
    paths: &["/support"],
    prefixes: &["/support/", "/api/v1/support", "/api/v1/lookup"],
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/support", get(support_get).post(support_post))
        .route("/api/v1/lookup", get(super::api::lookup_api))
        .route("/api/v1/support", get(super::api::support_api))
        .route("/admin/finder", get(admin_finder))
}

#[derive(Template)]
#[template(path = "admin/finder.html")]
struct AdminFinder<'a> {
    c: &'a Ctx,
    source: String,
    postcodes: usize,
    districts: usize,
    memory_mb: String,
    imported: Option<(i64, String)>,
    /// (area name, searches) over 30 days; `None` when under the suppression threshold.
    per_area: Vec<(String, Option<i64>)>,
    per_day: Vec<(String, Option<i64>)>,
    suppress: i64,
}

fn suppressed(n: i64) -> Option<i64> {
    (n >= super::stats::SUPPRESS_BELOW).then_some(n)
}

/// `GET /admin/finder`: which postcode data is in use, and how much the finder is used per
/// area (small counts hidden).
async fn admin_finder(
    State(state): State<AppState>,
    c: Ctx,
    crate::auth::Staff(staff, _): crate::auth::Staff<crate::auth::perm::EditContent>,
) -> Result<Response, AppError> {
    // Include this instance's searches of the last minute.
    let _ = state.finder.counter.flush(&state.db).await;
    let idx = state.postcodes();
    let imported = super::import::store::latest_summary(&state.db).await?;
    let atlas = state.atlas();
    let per_area = super::stats::per_area(&state.db, 30)
        .await?
        .into_iter()
        .map(|(code, n)| {
            let name = if code.is_empty() {
                c.t("admin-finder-no-area")
            } else {
                atlas.area(&code).map(|a| a.name.clone()).unwrap_or(code)
            };
            (name, suppressed(n))
        })
        .collect();
    let per_day = super::stats::per_day(&state.db, 30)
        .await?
        .into_iter()
        .map(|(d, n)| (d, suppressed(n)))
        .collect();
    crate::web::private_page(&AdminFinder {
        c: &c.with_staff(staff),
        source: idx.source.clone(),
        postcodes: idx.len(),
        districts: idx.district_count(),
        memory_mb: format!("{:.1}", idx.heap_bytes() as f64 / 1_048_576.0),
        imported,
        per_area,
        per_day,
        suppress: super::stats::SUPPRESS_BELOW,
    })
}

#[derive(Template)]
#[template(path = "finder/support.html")]
struct SupportPage<'a> {
    c: &'a Ctx,
    area: Option<&'a AreaInfo>,
    /// The area is known but the database could not be read for its facts.
    area_name: String,
    area_code: String,
    nation: Option<String>,
    /// The call and text buttons for the nation (or for anyone).
    now: crate::site::HelpNow<'a>,
    /// Support lines that are not urgent, for the nation.
    more: Vec<&'a Helpline>,
    /// The searched nation, when it has no open mother and baby unit.
    no_unit_nation: Option<String>,
    /// The nearest units are across the sea (Northern Ireland and Great Britain).
    across_sea: bool,
    hole: &'static str,
    /// The result's first line, escaped, with a hole for what was searched.
    summary: String,
    attribution: &'static str,
}

impl SupportPage<'_> {
    fn nation_name(&self) -> String {
        self.nation
            .as_ref()
            .map(|n| self.c.t(&format!("nation-{n}")))
            .unwrap_or_default()
    }
    fn kind_label(&self, s: &ServiceRow) -> String {
        self.c.t(&format!("service-kind-{}", s.kind))
    }
    fn level_label(&self) -> String {
        self.area
            .map(|a| a.level_label(self.c.is_cy()))
            .unwrap_or_default()
    }
    fn tel(&self, s: &ServiceRow) -> String {
        s.phone.chars().filter(char::is_ascii_digit).collect()
    }
    fn level_colour(&self) -> String {
        self.area
            .map(|a| {
                crate::atlas::routes::level_colour(&a.levels, a.latest.as_ref().map(|s| s.level))
            })
            .unwrap_or_default()
    }
    /// The area's specialist community perinatal team, for the one-line summary.
    fn team(&self) -> Option<&ServiceRow> {
        self.area?.services.iter().find(|s| s.kind == "community")
    }
}

/// The top of the page: the form (with its error), the choice of places, or the summary.
#[derive(Template)]
#[template(path = "finder/query.html")]
struct QueryPart<'a> {
    c: &'a Ctx,
    /// The part above the help (a problem, places to choose from), or the form below it.
    alert: bool,
    input: &'a str,
    outcome: Option<&'a Outcome>,
    /// Places to choose from: (id, name, nation, health area name).
    choices: Vec<(u32, String, String, String)>,
}

impl QueryPart<'_> {
    fn found(&self) -> Option<&Located> {
        match self.outcome {
            Some(Outcome::Found(l)) => Some(l),
            _ => None,
        }
    }
    fn problem(&self) -> Option<String> {
        match self.outcome {
            Some(Outcome::Problem(p)) => Some(self.c.t(p.message())),
            _ => None,
        }
    }
    fn nation_name(&self, nation: &str) -> String {
        self.c.t(&format!("nation-{nation}"))
    }
}

/// The nearest units (hole 2) when there are none or they cannot be read; else
/// [`NearHtml::render`].
#[derive(Template)]
#[template(path = "finder/near.html")]
struct NearPart<'a> {
    c: &'a Ctx,
    available: bool,
}

/// Notes under the result's first line: a corrected reading, a district-level answer.
#[derive(Template)]
#[template(path = "finder/notices.html")]
struct NoticesPart<'a> {
    c: &'a Ctx,
    l: &'a Located,
}

impl NoticesPart<'_> {
    /// Whether there is anything to say (most searches: no).
    fn any(l: &Located) -> bool {
        l.corrected_from.is_some()
            || l.postcode_unknown
            || l.share < 0.995
            || l.precision == super::Precision::Place
    }
}

use crate::web::escape as escape_html;

/// `GET /support`
async fn support_get(
    State(state): State<AppState>,
    c: Ctx,
    AcceptEncoding(enc): AcceptEncoding,
    Query(params): Query<SupportParams>,
) -> Result<Response, AppError> {
    support_page(state, c, enc, params).await
}

/// `POST /support`: the same search, without the postcode in the address (the no-trace
/// variant, and the "use my location" button).
async fn support_post(
    State(state): State<AppState>,
    c: Ctx,
    AcceptEncoding(enc): AcceptEncoding,
    Form(params): Form<SupportParams>,
) -> Result<Response, AppError> {
    support_page(state, c, enc, params).await
}

async fn support_page(
    state: AppState,
    mut c: Ctx,
    want: Encoding,
    params: SupportParams,
) -> Result<Response, AppError> {
    // The page is shared by every postcode of an area: its language switch ends in a
    // hole for the search (filled below), and nothing else on it carries the postcode.
    c.path = "/support".to_string();
    c.switch_hole = true;
    let version = c.snap.version;
    let searched = answer(&state, version, &params).await;
    let (area_code, info, nation) = match &searched {
        Some(a) => (a.area_code.clone(), a.info.clone(), a.nation.clone()),
        None => (String::new(), None, None),
    };
    let position = matches!(
        searched.as_ref().map(|a| &a.outcome),
        Some(Outcome::Found(l)) if l.precision == super::Precision::Position
    );
    let key = (c.lang, area_code.clone(), position);
    let skeleton = match state
        .finder
        .with(version, |x| x.skeletons.get(&key).cloned())
    {
        Some(s) => s,
        None => {
            let atlas = state.atlas();
            let map_area = atlas.area(&area_code);
            // The searched label goes in a hole: escape the sentence around a stand-in.
            let summary = if position {
                format!("{}{HOLE}", escape_html(&c.t("finder-result-position")))
            } else {
                escape_html(&c.t1("finder-result-for", "query", "\u{1}")).replace('\u{1}', HOLE)
            };
            let units = if area_code.is_empty() {
                None
            } else {
                mbus(&state, version).await
            };
            let no_unit_nation = match (&units, &nation) {
                (Some(m), Some(n)) if !m.list.is_empty() && !m.has_unit(n) => Some(n.clone()),
                _ => None,
            };
            let across_sea = no_unit_nation.as_deref() == Some("northern-ireland");
            let page = SupportPage {
                c: &c,
                summary,
                area: info.as_deref(),
                area_name: map_area
                    .map(|a| a.name_in(c.lang).to_string())
                    .unwrap_or_default(),
                area_code: area_code.clone(),
                now: crate::site::routes::help_now(&c, nation.as_deref()),
                more: tiers(&c.snap.helplines, nation.as_deref()).support,
                nation: nation.clone(),
                no_unit_nation,
                across_sea,
                hole: HOLE,
                attribution: ATTRIBUTION,
            }
            .render()?;
            let skeleton = Arc::new(
                tokio::task::spawn_blocking(move || Skeleton::new(&page))
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?,
            );
            // A page made while the database was unreachable is not kept.
            if area_code.is_empty() || info.is_some() {
                state
                    .finder
                    .with(version, |x| x.skeletons.insert(key, skeleton.clone()));
            }
            skeleton
        }
    };
    let (input, outcome) = match &searched {
        Some(a) => (a.input.as_str(), Some(&a.outcome)),
        None => ("", None),
    };
    let choices = match outcome {
        Some(Outcome::Choose(v)) => {
            let atlas = state.atlas();
            let idx = state.postcodes();
            v.iter()
                .map(|p| {
                    let area = super::area_near(&idx, &atlas, p.lat, p.lon)
                        .and_then(|code| atlas.area(&code).map(|a| a.name_in(c.lang).to_string()))
                        .unwrap_or_default();
                    (p.id, p.name.clone(), p.nation.clone(), area)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    // A result's top is part of its area's skeleton; only forms and choices render here:
    // what went wrong (or the places to choose from) above the help, the form below it.
    let (top, form) = if matches!(outcome, Some(Outcome::Found(_))) {
        (String::new(), String::new())
    } else {
        let mut part = QueryPart {
            c: &c,
            alert: true,
            input,
            outcome,
            choices,
        };
        let top = part.render()?;
        part.alert = false;
        (top, part.render()?)
    };
    let near_html = match outcome {
        Some(Outcome::Found(l)) => match mbus(&state, version).await {
            Some(m) if !m.list.is_empty() => {
                m.html(c.lang).render(&nearest(&m.list, l.lat, l.lon, 3))
            }
            m => NearPart {
                c: &c,
                available: m.is_some(),
            }
            .render()?,
        },
        _ => String::new(),
    };

    let status = match outcome {
        Some(Outcome::Problem(p)) => {
            StatusCode::from_u16(p.status()).unwrap_or(StatusCode::BAD_REQUEST)
        }
        _ => StatusCode::OK,
    };
    // The language switch (two links) keeps a typed search; a position is not carried.
    let switch = if input.is_empty() || position {
        String::new()
    } else {
        crate::web::url_encode(&format!("?postcode={input}"))
    };
    let fills: [String; 6] = match outcome {
        Some(Outcome::Found(l)) => [
            switch.clone(),
            switch,
            if position {
                String::new()
            } else {
                escape_html(&l.label)
            },
            if NoticesPart::any(l) {
                NoticesPart { c: &c, l }.render()?
            } else {
                String::new()
            },
            near_html,
            escape_html(input),
        ],
        _ => [
            switch.clone(),
            switch,
            top,
            form,
            String::new(),
            String::new(),
        ],
    };
    let fills: Vec<&str> = fills.iter().map(String::as_str).collect();
    let (body, enc) = skeleton.assemble(&fills, want);
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if enc == Encoding::Gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}
