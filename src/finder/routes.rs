//! `/support`, `/api/v1/lookup`, `/api/v1/support`.
//!
//! The page always leads with help: the tiered helpline cards come from the in-memory
//! snapshot, so they are shown for a bad postcode and when the database is down. Area
//! facts and services are read once per area and content version ([`AreaInfo`]); the page
//! for an area is a [`Skeleton`] with three holes filled per request (the query summary or
//! form, the nearest units, the search-again form).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Located, Outcome, Problem, places};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::atlas::services::{self, MbuPosition, ServiceRow};
use crate::atlas::store::{self, Level, Score};
use crate::i18n::Lang;
use crate::site::Helpline;
use crate::site::helplines::Urgency;
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
        .route("/api/v1/lookup", get(lookup_api))
        .route("/api/v1/support", get(support_api))
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
    staff: crate::auth::StaffUser,
) -> Result<Response, AppError> {
    staff.require(crate::auth::Permission::EditContent)?;
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

/// What the finder keeps in memory besides the index: per-area facts and page skeletons,
/// the mother and baby units, and the pending usage counts. Cleared when content changes.
#[derive(Default)]
pub struct FinderCache {
    inner: Mutex<CacheInner>,
    pub counter: super::stats::Counter,
}

#[derive(Default)]
struct CacheInner {
    version: i64,
    areas: HashMap<String, Arc<AreaInfo>>,
    /// Per language, area and whether the search was a position (its summary differs).
    skeletons: HashMap<(Lang, String, bool), Arc<Skeleton>>,
    mbus: Option<Arc<Mbus>>,
}

impl FinderCache {
    fn with<T>(&self, version: i64, f: impl FnOnce(&mut CacheInner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.version != version {
            *inner = CacheInner {
                version,
                ..CacheInner::default()
            };
        }
        f(&mut inner)
    }
}

/// An area's facts for the finder.
pub struct AreaInfo {
    pub code: String,
    pub name: String,
    pub nation: String,
    pub latest: Option<Score>,
    pub levels: Vec<Level>,
    /// Services serving the area other than mother and baby units (those are listed by
    /// distance).
    pub services: Vec<ServiceRow>,
}

impl AreaInfo {
    fn level_label(&self, welsh: bool) -> String {
        self.latest
            .as_ref()
            .map(|s| crate::atlas::routes::level_label(&self.levels, s.level, welsh))
            .unwrap_or_default()
    }
}

/// An area's facts, from the cache or the database. `None` when the database cannot say
/// (the page then shows help and the area name from memory).
async fn area_info(state: &AppState, version: i64, code: &str) -> Option<Arc<AreaInfo>> {
    if let Some(a) = state.finder.with(version, |c| c.areas.get(code).cloned()) {
        return Some(a);
    }
    let load = async {
        let atlas = state.atlas();
        let area = atlas.area(code)?;
        let latest = store::scores_of(&state.db, code)
            .await
            .ok()?
            .into_iter()
            .next();
        let levels = store::levels(&state.db).await.ok()?;
        let services = services::store::services_for_area(&state.db, code)
            .await
            .ok()?
            .into_iter()
            .filter(|s| !s.is_mbu() && s.status != "closed")
            .collect();
        Some(Arc::new(AreaInfo {
            code: area.code.clone(),
            name: area.name.clone(),
            nation: area.nation.clone(),
            latest,
            levels,
            services,
        }))
    };
    let info = load.await?;
    state.finder.with(version, |c| {
        c.areas.insert(code.to_string(), info.clone());
    });
    Some(info)
}

/// The mother and baby units, and their list items in each language cut around the
/// distance, so that a request only joins strings (Fluent formatting per request cost a
/// tenth of the page's throughput).
pub struct Mbus {
    pub list: Vec<MbuPosition>,
    /// Each unit's nation, from the health area its position is in ("" when outside).
    pub nations: Vec<String>,
    html: [NearHtml; 2],
}

/// A piece of the distance message: words, or where a number goes.
enum Piece {
    Text(String),
    Miles,
    Km,
}

struct NearHtml {
    /// Per unit, the list item's HTML before and after its distance.
    units: Vec<(String, String)>,
    /// The distance message, cut around its two numbers (in the language's order).
    distance: Vec<Piece>,
}

impl NearHtml {
    fn new(lang: Lang, list: &[MbuPosition], nations: &[String]) -> NearHtml {
        let units = list
            .iter()
            .zip(nations)
            .map(|(m, nation)| {
                let mut before = format!(
                    "<li><a href=\"/services/{}\">{}</a>",
                    escape_html(&m.id),
                    escape_html(&m.name)
                );
                if !m.city.is_empty() {
                    before.push_str(", ");
                    before.push_str(&escape_html(&m.city));
                }
                if !nation.is_empty() {
                    before.push_str(", ");
                    before.push_str(&escape_html(&lang.t(&format!("nation-{nation}"))));
                }
                before.push_str(": ");
                let mut after = String::new();
                if m.status != "active" {
                    after = format!(" <span class=\"status\">{}</span>", escape_html(&m.status));
                }
                after.push_str("</li>\n");
                (before, after)
            })
            .collect();
        let text = escape_html(&lang.t_args(
            "finder-distance",
            &[("km", "\u{1}".into()), ("miles", "\u{2}".into())],
        ));
        let mut distance = Vec::new();
        let mut words = String::new();
        for ch in text.chars() {
            let number = match ch {
                '\u{1}' => Piece::Km,
                '\u{2}' => Piece::Miles,
                _ => {
                    words.push(ch);
                    continue;
                }
            };
            if !words.is_empty() {
                distance.push(Piece::Text(std::mem::take(&mut words)));
            }
            distance.push(number);
        }
        if !words.is_empty() {
            distance.push(Piece::Text(words));
        }
        NearHtml { units, distance }
    }

    fn render(&self, near: &[Near]) -> String {
        use std::fmt::Write;
        let mut out = String::from("<ul class=\"service-list units\">\n");
        for n in near {
            let (before, after) = &self.units[n.index];
            out.push_str(before);
            for piece in &self.distance {
                let _ = match piece {
                    Piece::Text(t) => write!(out, "{t}"),
                    Piece::Miles => write!(out, "{}", n.miles),
                    Piece::Km => write!(out, "{}", n.km),
                };
            }
            out.push_str(after);
        }
        out.push_str("</ul>");
        out
    }
}

impl Mbus {
    fn new(list: Vec<MbuPosition>, nations: Vec<String>) -> Mbus {
        let html = [
            NearHtml::new(Lang::En, &list, &nations),
            NearHtml::new(Lang::Cy, &list, &nations),
        ];
        Mbus {
            list,
            nations,
            html,
        }
    }

    /// Whether a nation has a unit (open or closed for a while), worked out from the
    /// units' positions: the list holds no unit that has closed for good.
    pub fn has_unit(&self, nation: &str) -> bool {
        self.nations.iter().any(|n| n == nation)
    }

    fn html(&self, lang: Lang) -> &NearHtml {
        &self.html[usize::from(lang == Lang::Cy)]
    }
}

async fn mbus(state: &AppState, version: i64) -> Option<Arc<Mbus>> {
    if let Some(m) = state.finder.with(version, |c| c.mbus.clone()) {
        return Some(m);
    }
    let list = services::store::mbu_positions(&state.db).await.ok()?;
    let atlas = state.atlas();
    let nations = list
        .iter()
        .map(|m| {
            atlas
                .area_at(m.longitude, m.latitude)
                .map(|a| a.nation.clone())
                .unwrap_or_default()
        })
        .collect();
    let mbus = Arc::new(Mbus::new(list, nations));
    state.finder.with(version, |c| c.mbus = Some(mbus.clone()));
    Some(mbus)
}

/// A mother and baby unit with its distance from the searched place.
pub struct Near<'a> {
    /// Its place in [`Mbus::list`].
    pub index: usize,
    pub mbu: &'a MbuPosition,
    pub km: i64,
    pub miles: i64,
}

fn nearest(all: &[MbuPosition], lat: f64, lon: f64, n: usize) -> Vec<Near<'_>> {
    services::nearest_mbus(all, lat, lon, n)
        .into_iter()
        .map(|(index, d)| Near {
            index,
            mbu: &all[index],
            km: d.round() as i64,
            miles: (d / 1.609_344).round() as i64,
        })
        .collect()
}

/// Helplines for a nation (all of them when the nation is unknown), by tier: the nation's
/// own lines before UK-wide ones, as staff ordered them within that.
pub struct Tiers<'a> {
    pub emergency: Vec<&'a Helpline>,
    pub urgent: Vec<&'a Helpline>,
    pub support: Vec<&'a Helpline>,
}

pub fn tiers<'a>(lines: &'a [Helpline], nation: Option<&str>) -> Tiers<'a> {
    let pick = |u: Urgency| {
        let mut v: Vec<&Helpline> = lines
            .iter()
            .filter(|h| h.urgency() == u && h.reachable() && nation.is_none_or(|n| h.serves(n)))
            .collect();
        v.sort_by_key(|h| (h.uk_wide(), h.tier != "urgent", h.sort_order));
        v
    };
    Tiers {
        emergency: pick(Urgency::Emergency),
        urgent: pick(Urgency::Urgent),
        support: pick(Urgency::NonUrgent),
    }
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

#[derive(Debug, Default, Deserialize)]
pub struct SupportParams {
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    lat: Option<String>,
    #[serde(default)]
    lon: Option<String>,
    /// `cy` for Welsh messages in the JSON API.
    #[serde(default)]
    lang: Option<String>,
}

impl SupportParams {
    fn is_empty(&self) -> bool {
        self.postcode.is_none() && self.place.is_none() && self.lat.is_none()
    }
}

/// Runs a search. `None` when nothing was asked.
fn search(state: &AppState, p: &SupportParams) -> Option<(String, Outcome)> {
    let atlas = state.atlas();
    let idx = state.postcodes();
    if let (Some(lat), Some(lon)) = (&p.lat, &p.lon) {
        let (lat, lon) = (lat.trim().parse(), lon.trim().parse());
        let outcome = match (lat, lon) {
            (Ok(lat), Ok(lon)) => super::search_position(&idx, &atlas, lat, lon),
            _ => Outcome::Problem(Problem::PositionOutside),
        };
        return Some((String::new(), outcome));
    }
    if let Some(id) = &p.place {
        let outcome = match id.trim().parse().ok().and_then(places::by_id) {
            Some(place) => super::place_outcome(&idx, &atlas, place),
            None => Outcome::Problem(Problem::NoPlace),
        };
        return Some((String::new(), outcome));
    }
    let input = p.postcode.as_deref()?;
    // Keep what was typed for the form, but not without limit.
    let input: String = input.chars().take(100).collect();
    let outcome = super::search_text(&idx, &atlas, &input);
    Some((input, outcome))
}

fn outcome_area(o: &Outcome) -> Option<&str> {
    match o {
        Outcome::Found(l) => Some(&l.area_code),
        _ => None,
    }
}

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
    // Links on the page (language switch) must not carry the postcode.
    c.path = "/support".to_string();
    let searched = search(&state, &params);
    if let Some((_, o)) = &searched {
        state.finder.counter.count(outcome_area(o).unwrap_or(""));
    }
    let version = c.snap.version;
    let area_code = searched
        .as_ref()
        .and_then(|(_, o)| outcome_area(o))
        .unwrap_or("")
        .to_string();
    let info = if area_code.is_empty() {
        None
    } else {
        area_info(&state, version, &area_code).await
    };
    let position = matches!(
        searched.as_ref().map(|(_, o)| o),
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
            let nation = info
                .as_ref()
                .map(|i| i.nation.clone())
                .or_else(|| map_area.map(|a| a.nation.clone()));
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
                area_name: map_area.map(|a| a.name.clone()).unwrap_or_default(),
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
        Some((i, o)) => (i.as_str(), Some(o)),
        None => ("", None),
    };
    let choices = match outcome {
        Some(Outcome::Choose(v)) => {
            let atlas = state.atlas();
            let idx = state.postcodes();
            v.iter()
                .map(|p| {
                    let area = super::area_near(&idx, &atlas, p.lat, p.lon)
                        .and_then(|code| atlas.area(&code).map(|a| a.name.clone()))
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
    let fills: [String; 4] = match outcome {
        Some(Outcome::Found(l)) => [
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
        _ => [top, form, String::new(), String::new()],
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

/// The attribution the postcode and boundary data ask for.
pub const ATTRIBUTION: &str = "Contains public sector information licensed under the Open Government Licence v3.0. \
Boundaries: Office for National Statistics; Scottish Government; Department of Health (Northern Ireland). \
Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail copyright and database right 2025. \
Contains National Statistics data © Crown copyright and database right 2025. Northern Ireland postcodes: Office for National Statistics \
(ONS Postcode Directory, November 2023), NISRA, and Food Standards Agency food hygiene rating data. \
Place names: GeoNames (geonames.org), CC BY 4.0.";

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut res = (status, axum::Json(v)).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

fn json_error(status: StatusCode, message: String) -> Response {
    json_response(status, &json!({ "error": message }))
}

#[derive(Debug, Default, Deserialize)]
pub struct LookupParams {
    #[serde(default)]
    postcode: Option<String>,
}

/// `GET /api/v1/lookup?postcode=…`: the health area for a postcode. 400 when it is not a
/// postcode, 404 when even its district is unknown or outside the four nations' NHS areas.
async fn lookup_api(State(state): State<AppState>, Query(p): Query<LookupParams>) -> Response {
    let en = Lang::En;
    let input = p.postcode.unwrap_or_default();
    let reading = match super::postcode::parse(&input) {
        Ok(r @ super::postcode::Reading::Full(_)) => r,
        Ok(super::postcode::Reading::District(_)) => {
            return json_error(StatusCode::BAD_REQUEST, en.t("finder-error-district-only"));
        }
        Err(e) => return json_error(StatusCode::BAD_REQUEST, en.t(e.message())),
    };
    let atlas = state.atlas();
    let idx = state.postcodes();
    match super::locate_postcode(&idx, &atlas, &input, &reading) {
        Ok(l) => {
            state.finder.counter.count(&l.area_code);
            let area = atlas.area(&l.area_code);
            json_response(
                StatusCode::OK,
                &json!({
                    "postcode": l.label,
                    "area": {
                        "code": l.area_code,
                        "name": area.map(|a| a.name.as_str()).unwrap_or(""),
                        "nation": area.map(|a| a.nation.as_str()).unwrap_or(""),
                    },
                    "location": { "lat": l.lat, "lon": l.lon },
                    "precision": l.precision.as_str(),
                }),
            )
        }
        Err(problem) => {
            state.finder.counter.count("");
            json_error(
                StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::NOT_FOUND),
                en.t(problem.message()),
            )
        }
    }
}

fn helpline_json(h: &Helpline) -> Value {
    json!({
        "organisation": h.organisation,
        "service": h.service,
        "purpose": h.purpose,
        "phone": h.phone,
        "call_note": h.call_note,
        "tel": h.tel(),
        "text": h.text_number,
        "text_keyword": h.text_body,
        "sms": h.sms_href(),
        "textphone": h.textphone,
        "email": h.email,
        "web": h.web_href(),
        "hours": h.hours,
        "nation": h.nation,
        "tier": h.tier,
        "number_verified": !h.unverified(),
        "verified_on": h.verified_on,
        "source": h.source_url,
    })
}

/// `GET /api/v1/support?postcode=…` (or `place=ID`, or `lat=…&lon=…`): the finder page as
/// JSON, help first. Help is always present, with the status and `error` of a failed search.
async fn support_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<SupportParams>,
) -> Response {
    let lang = p
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_else(|| crate::app::ctx::lang_from(&headers));
    let snap = state.snapshot();
    if p.is_empty() {
        return json_error(StatusCode::BAD_REQUEST, lang.t("finder-error-empty"));
    }
    let searched = search(&state, &p);
    let (input, outcome) = searched.expect("a search was asked for");
    let _ = input;
    state
        .finder
        .counter
        .count(outcome_area(&outcome).unwrap_or(""));
    let version = snap.version;
    let (status, info, located, error, choices) = match &outcome {
        Outcome::Found(l) => (
            StatusCode::OK,
            area_info(&state, version, &l.area_code).await,
            Some(l),
            None,
            Vec::new(),
        ),
        Outcome::Choose(v) => (
            StatusCode::OK,
            None,
            None,
            Some(lang.t("finder-choose-place")),
            v.iter()
                .map(|p| {
                    json!({
                        "place": p.id,
                        "name": p.name,
                        "nation": p.nation,
                        "href": format!("/api/v1/support?place={}", p.id),
                    })
                })
                .collect(),
        ),
        Outcome::Problem(pr) => (
            StatusCode::from_u16(pr.status()).unwrap_or(StatusCode::NOT_FOUND),
            None,
            None,
            Some(lang.t(pr.message())),
            Vec::new(),
        ),
    };
    let atlas = state.atlas();
    let nation = located.and_then(|l| atlas.area(&l.area_code).map(|a| a.nation.clone()));
    let t = tiers(&snap.helplines, nation.as_deref());
    let mut v = json!({
        "help": {
            "emergency": t.emergency.iter().map(|h| helpline_json(h)).collect::<Vec<_>>(),
            "urgent": t.urgent.iter().map(|h| helpline_json(h)).collect::<Vec<_>>(),
            "support": t.support.iter().map(|h| helpline_json(h)).collect::<Vec<_>>(),
        },
    });
    if let Some(e) = error {
        v["error"] = json!(e);
    }
    if !choices.is_empty() {
        v["choices"] = json!(choices);
    }
    if let Some(l) = located {
        v["query"] = json!({
            "label": l.label,
            "precision": l.precision.as_str(),
            "corrected_from": l.corrected_from,
            "postcode_unknown": l.postcode_unknown,
            "location": { "lat": l.lat, "lon": l.lon },
        });
        let area = atlas.area(&l.area_code);
        v["area"] = json!({
            "code": l.area_code,
            "name": area.map(|a| a.name.as_str()).unwrap_or(""),
            "nation": area.map(|a| a.nation.as_str()).unwrap_or(""),
            "href": format!("/areas/{}", l.area_code),
        });
        match &info {
            Some(i) => {
                if let Some(s) = &i.latest {
                    v["area"]["provision"] = json!({
                        "year": s.year,
                        "level": s.level,
                        "label": i.level_label(lang == Lang::Cy),
                        "demo": s.is_demo != 0,
                    });
                }
                v["services"] = json!(
                    i.services
                        .iter()
                        .map(|s| json!({
                            "id": s.id,
                            "name": s.name,
                            "organisation": s.organization_name,
                            "kind": s.kind,
                            "status": s.status,
                            "referral": s.referral,
                            "phone": s.phone,
                            "email": s.email,
                            "url": s.url,
                            "hours": s.hours,
                            "verified": !s.unverified(),
                            "demo": s.is_demo != 0,
                            "href": format!("/services/{}", s.id),
                        }))
                        .collect::<Vec<_>>()
                );
            }
            None => v["notices"] = json!([lang.t("finder-services-unavailable")]),
        }
        if let Some(all) = mbus(&state, version).await {
            v["mother_and_baby_units"] = json!(
                nearest(&all.list, l.lat, l.lon, 3)
                    .iter()
                    .map(|n| json!({
                        "id": n.mbu.id,
                        "name": n.mbu.name,
                        "city": n.mbu.city,
                        "status": n.mbu.status,
                        "distance_km": n.km,
                        "distance_miles": n.miles,
                        "href": format!("/services/{}", n.mbu.id),
                    }))
                    .collect::<Vec<_>>()
            );
        }
    }
    v["attribution"] = json!(ATTRIBUTION);
    json_response(status, &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(org: &str, nation: &str, tier: &str, order: i64) -> Helpline {
        Helpline {
            id: order,
            organisation: org.into(),
            service: String::new(),
            purpose: String::new(),
            phone: "111".into(),
            call_note: String::new(),
            text_number: String::new(),
            text_body: String::new(),
            textphone: String::new(),
            email: String::new(),
            web: String::new(),
            hours: String::new(),
            nation: nation.into(),
            tier: tier.into(),
            number_verified: "yes".into(),
            notes: String::new(),
            source_url: String::new(),
            verified_on: String::new(),
            verified_by: String::new(),
            sort_order: order,
        }
    }

    #[test]
    fn the_nations_own_urgent_line_comes_first() {
        let lines = vec![
            line("999", "UK", "emergency", 1),
            line("Samaritans", "UK and Ireland", "crisis", 2),
            line("NHS 111 (England)", "England", "urgent", 3),
            line("NHS 111 Wales", "Wales", "urgent", 4),
            line("Lifeline", "Northern Ireland", "crisis", 5),
            line("Mind", "England and Wales", "information", 6),
        ];
        let names = |t: &[&Helpline]| t.iter().map(|h| h.organisation.clone()).collect::<Vec<_>>();
        let w = tiers(&lines, Some("wales"));
        assert_eq!(names(&w.emergency), ["999"]);
        assert_eq!(names(&w.urgent), ["NHS 111 Wales", "Samaritans"]);
        assert_eq!(names(&w.support), ["Mind"]);
        let ni = tiers(&lines, Some("northern-ireland"));
        assert_eq!(names(&ni.urgent), ["Lifeline", "Samaritans"]);
        assert!(ni.support.is_empty());
        let all = tiers(&lines, None);
        assert_eq!(all.urgent.len(), 4);
    }

    #[test]
    fn nearest_units_by_distance() {
        let m = |name: &str, lat: f64, lon: f64| MbuPosition {
            id: name.into(),
            name: name.into(),
            city: String::new(),
            status: "active".into(),
            latitude: lat,
            longitude: lon,
        };
        let all = vec![
            m("Glasgow", 55.86, -4.25),
            m("Cardiff", 51.48, -3.18),
            m("Leeds", 53.8, -1.55),
        ];
        let n = nearest(&all, 51.6, -3.0, 2);
        assert_eq!(n[0].mbu.name, "Cardiff");
        assert_eq!(n[1].mbu.name, "Leeds");
        assert!(n[0].km > 10 && n[0].km < 25, "{}", n[0].km);
        assert!(n[0].miles < n[0].km);
    }

    #[test]
    fn nearest_units_render_escaped_with_distances_in_both_languages() {
        let list = vec![
            MbuPosition {
                id: "u1".into(),
                name: "Ward <A> & B".into(),
                city: "Cardiff".into(),
                status: "temporarily closed".into(),
                latitude: 51.48,
                longitude: -3.18,
            },
            MbuPosition {
                id: "u2".into(),
                name: "Leeds unit".into(),
                city: String::new(),
                status: "active".into(),
                latitude: 53.8,
                longitude: -1.55,
            },
        ];
        let m = Mbus::new(list, vec!["wales".into(), "england".into()]);
        let near = nearest(&m.list, 51.6, -3.0, 3);
        let en = m.html(Lang::En).render(&near);
        let first = format!(
            "<li><a href=\"/services/u1\">Ward &lt;A&gt; &amp; B</a>, Cardiff, Wales: about {} miles ({} km) \
             <span class=\"status\">temporarily closed</span></li>",
            near[0].miles, near[0].km
        );
        assert!(en.contains(&first), "{en}");
        assert!(
            en.contains("<a href=\"/services/u2\">Leeds unit</a>, England: about "),
            "{en}"
        );
        assert!(en.find("u1").unwrap() < en.find("u2").unwrap());
        let cy = m.html(Lang::Cy).render(&near);
        assert!(
            cy.contains(&format!(
                "Cymru: tua {} milltir ({} km)",
                near[0].miles, near[0].km
            )),
            "{cy}"
        );
    }
}
