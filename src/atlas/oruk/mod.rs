//! The Open Referral UK 3.0 API (HSDS 3.0 UK profile) under `/api/oruk/`, served from the
//! same service records as the site. Public, read-only, `Access-Control-Allow-Origin: *`.
//!
//! Rules the specs leave open, decided here: `per_page` defaults to 20 and is clamped to
//! 1–100; `page` starts at 1 and a page past the end is an empty page; a malformed
//! parameter is a 400 JSON error and an unknown id a 404 JSON error. Age filters select
//! services whose age range overlaps the one asked for. Optional fields with no value are
//! left out (never `null`).

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::services::{self, ServiceRow, is_uuid};
use crate::AppState;
use crate::app::Ctx;
use crate::db::Db;
use crate::web::{self, AppError, Msg, Query};

pub mod store;

use store::{OrgRow, SalRow, ServiceFilter, TaxonomyRow, TermRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/oruk", get(root))
        .route("/api/oruk/", get(root))
        .route("/api/oruk/services", get(list_services))
        .route("/api/oruk/services/", get(list_services))
        .route("/api/oruk/services/{id}", get(get_service))
        .route("/api/oruk/organizations", get(list_organizations))
        .route("/api/oruk/organizations/", get(list_organizations))
        .route("/api/oruk/organizations/{id}", get(get_organization))
        .route("/api/oruk/taxonomies", get(list_taxonomies))
        .route("/api/oruk/taxonomies/", get(list_taxonomies))
        .route("/api/oruk/taxonomies/{id}", get(get_taxonomy))
        .route("/api/oruk/taxonomy_terms", get(list_terms))
        .route("/api/oruk/taxonomy_terms/", get(list_terms))
        .route("/api/oruk/taxonomy_terms/{id}", get(get_term))
        .route("/api/oruk/service_at_locations", get(list_sals))
        .route("/api/oruk/service_at_locations/", get(list_sals))
        .route("/api/oruk/service_at_locations/{id}", get(get_sal))
}

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// Query parameters of the list endpoints, all optional, kept as text so a malformed value
/// gets a clear 400 rather than a generic rejection.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    search: Option<String>,
    taxonomy_term_id: Option<String>,
    taxonomy_id: Option<String>,
    minimum_age: Option<String>,
    maximum_age: Option<String>,
    day: Option<String>,
    modified_after: Option<String>,
    organization_id: Option<String>,
    postcode: Option<String>,
    proximity: Option<String>,
}

fn bad(name: &'static str) -> AppError {
    AppError::BadRequest(Msg::new("api-bad-parameter").arg("name", name))
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn int_param(
    v: &Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, AppError> {
    match present(v) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or(bad(name)),
    }
}

fn uuid_param(v: &Option<String>, name: &'static str) -> Result<Option<String>, AppError> {
    match present(v) {
        None => Ok(None),
        Some(s) if is_uuid(s) => Ok(Some(s.to_ascii_lowercase())),
        Some(_) => Err(bad(name)),
    }
}

/// (page, per_page) from the query.
fn paging(q: &ListQuery) -> Result<(i64, i64), AppError> {
    let page = int_param(&q.page, "page", 1..=1_000_000)?.unwrap_or(1);
    let per_page = match present(&q.per_page) {
        None => DEFAULT_PER_PAGE,
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| bad("per_page"))?
            .clamp(1, MAX_PER_PAGE),
    };
    Ok((page, per_page))
}

/// The paged envelope every list returns.
pub fn page_envelope(contents: Vec<Value>, total: i64, page: i64, per_page: i64) -> Value {
    let total_pages = ((total + per_page - 1) / per_page).max(1);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": contents.len(),
        "first_page": page == 1,
        "last_page": page == total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// Builds a JSON object leaving out empty optional values.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Obj {
        Obj(Map::new())
    }
    /// Always present.
    fn req(mut self, k: &str, v: impl Into<Value>) -> Obj {
        self.0.insert(k.into(), v.into());
        self
    }
    /// Present when not empty.
    fn text(mut self, k: &str, v: &str) -> Obj {
        if !v.trim().is_empty() {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    fn num(mut self, k: &str, v: Option<i64>) -> Obj {
        if let Some(v) = v {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    fn float(mut self, k: &str, v: Option<f64>) -> Obj {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Serves JSON from the page cache (CORS is added for all of `/api/` by the frame).
async fn cached_json<F, Fut>(
    state: &AppState,
    c: &Ctx,
    headers: &HeaderMap,
    render: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Value, AppError>>,
{
    crate::app::cached(
        state,
        c,
        headers,
        "application/json",
        web::PUBLIC_REVALIDATE,
        || async move {
            let v = render().await?;
            serde_json::to_string(&v).map_err(|e| AppError::Internal(e.into()))
        },
    )
    .await
}

/// `GET /api/oruk/`
async fn root(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    cached_json(&state, &c, &headers, || async {
        Ok(json!({
            "version": "HSDS-UK-3.0",
            "profile": "https://openreferraluk.org/",
            "openapi_url": "https://openreferraluk.org/specifications/3.0/openapi.json",
        }))
    })
    .await
}

/// The service filters of a list query, checked.
fn service_filters(q: &ListQuery) -> Result<ServiceFilter, AppError> {
    let modified_after = match present(&q.modified_after) {
        None => None,
        Some(when) => Some(
            time::OffsetDateTime::parse(when, &time::format_description::well_known::Rfc3339)
                .map(|t| t.unix_timestamp())
                .or_else(|_| {
                    crate::uktime::parse_date(when)
                        .map(|t| t - 12 * 3600)
                        .ok_or(())
                })
                .map_err(|_| bad("modified_after"))?,
        ),
    };
    Ok(ServiceFilter {
        search: present(&q.search).map(str::to_string),
        taxonomy_term_id: uuid_param(&q.taxonomy_term_id, "taxonomy_term_id")?,
        taxonomy_id: uuid_param(&q.taxonomy_id, "taxonomy_id")?,
        minimum_age: int_param(&q.minimum_age, "minimum_age", 0..=150)?,
        maximum_age: int_param(&q.maximum_age, "maximum_age", 0..=150)?,
        day: match present(&q.day) {
            None => None,
            Some(day) => Some(day_code(day).ok_or(bad("day"))?),
        },
        modified_after,
        organization_id: uuid_param(&q.organization_id, "organization_id")?,
    })
}

/// RFC 5545 day codes from a day name or code ("monday", "Mo", "MO").
fn day_code(day: &str) -> Option<&'static str> {
    let d = day.trim().to_ascii_lowercase();
    let codes = [
        ("mo", "MO"),
        ("tu", "TU"),
        ("we", "WE"),
        ("th", "TH"),
        ("fr", "FR"),
        ("sa", "SA"),
        ("su", "SU"),
    ];
    codes
        .iter()
        .find(|(prefix, _)| {
            d.len() >= 2
                && d.starts_with(prefix)
                && (d.len() == 2
                    || "mondaytuesdaywednesdaythursdayfridaysaturdaysunday".contains(&d))
        })
        .map(|(_, code)| *code)
}

fn org_json(o: &OrgRow) -> Value {
    Obj::new()
        .req("id", o.id.as_str())
        .req("name", o.name.as_str())
        .req("description", o.description.as_str())
        .text("email", &o.email)
        .text("website", &o.website)
        .done()
}

/// The one-to-one fields of a service.
fn service_fields(s: &ServiceRow) -> Obj {
    let description = if s.eligibility_description.is_empty() {
        s.description.clone()
    } else {
        format!("{} {}", s.description, s.eligibility_description)
    };
    Obj::new()
        .req("id", s.id.as_str())
        .req("organization_id", s.organization_id.as_str())
        .req("name", s.name.as_str())
        .text("description", description.trim())
        .text("url", &s.url)
        .text("email", &s.email)
        .req("status", s.status.as_str())
        .num("minimum_age", s.minimum_age)
        .num("maximum_age", s.maximum_age)
        .text("assured_date", &s.verified_on)
        .text(
            "alert",
            if s.is_demo != 0 {
                "Demo record for illustration; not a real service."
            } else {
                ""
            },
        )
        .req("last_modified", rfc3339(s.updated_at))
}

/// `GET /api/oruk/services`
async fn list_services(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&q)?;
    let filter = service_filters(&q)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let total = store::count_services(&st.db, &filter).await?;
        let rows = store::services_page(&st.db, &filter, per_page, (page - 1) * per_page).await?;
        let org_ids: Vec<&str> = rows.iter().map(|r| r.organization_id.as_str()).collect();
        let orgs = store::orgs_by_id(&st.db, &org_ids).await?;
        let contents = rows
            .iter()
            .map(|s| {
                let mut o = service_fields(s);
                if let Some(org) = orgs.get(&s.organization_id) {
                    o = o.req("organization", org_json(org));
                }
                o.done()
            })
            .collect();
        Ok(page_envelope(contents, total, page, per_page))
    })
    .await
}

fn term_json(t: &TermRow) -> Value {
    Obj::new()
        .req("id", t.id.as_str())
        .req("name", t.name.as_str())
        .req("description", t.description.as_str())
        .req("taxonomy_id", t.taxonomy_id.as_str())
        .text("term", &t.code)
        .done()
}

fn location_json(l: &services::LocationRow, with_address: bool) -> Value {
    let mut o = Obj::new()
        .req("id", l.id.as_str())
        .req("location_type", "physical")
        .text("name", &l.name)
        .text("description", &l.position_note)
        .float("latitude", l.latitude)
        .float("longitude", l.longitude);
    if with_address {
        // An address needs every required part; one we cannot complete is left out.
        let complete = !l.address_1.is_empty()
            && !l.city.is_empty()
            && !l.state_province.is_empty()
            && !l.postal_code.is_empty();
        let addresses: Vec<Value> = if complete {
            vec![
                Obj::new()
                    .req("id", services::stable_uuid(&format!("address:{}", l.id)))
                    .req("location_id", l.id.as_str())
                    .req("address_1", l.address_1.as_str())
                    .req("city", l.city.as_str())
                    .req("state_province", l.state_province.as_str())
                    .req("postal_code", l.postal_code.as_str())
                    .req("country", l.country.as_str())
                    .req("address_type", "physical")
                    .done(),
            ]
        } else {
            vec![]
        };
        o = o.req("addresses", addresses);
    }
    o.done()
}

/// The full nested service record.
async fn service_record(db: &Db, s: &ServiceRow) -> Result<Value, AppError> {
    let orgs = store::orgs_by_id(db, &[s.organization_id.as_str()]).await?;
    let locations = services::store::locations_of(db, &s.id).await?;
    let areas = services::store::areas_of(db, &s.id).await?;
    let schedules = store::schedules_of(db, &s.id).await?;
    let terms = store::terms_of(db, &s.id).await?;
    let mut o = service_fields(s);
    if let Some(org) = orgs.get(&s.organization_id) {
        o = o.req("organization", org_json(org));
    }
    let sals: Vec<Value> = locations
        .iter()
        .map(|l| {
            Obj::new()
                .req("id", l.sal_id.as_str())
                .req("service_id", s.id.as_str())
                .req("location_id", l.id.as_str())
                .req("location", location_json(l, true))
                .done()
        })
        .collect();
    let schedules: Vec<Value> = schedules
        .iter()
        .map(|sc| {
            Obj::new()
                .req("id", sc.id.as_str())
                .req("service_id", s.id.as_str())
                .req("freq", "WEEKLY")
                .text("byday", &sc.byday)
                .text("opens_at", &sc.opens_at)
                .text("closes_at", &sc.closes_at)
                .text("description", &sc.description)
                .done()
        })
        .collect();
    let service_areas: Vec<Value> = areas
        .iter()
        .map(|(code, name)| {
            Obj::new()
                .req(
                    "id",
                    services::stable_uuid(&format!("service-area:{}:{code}", s.id)),
                )
                .req("service_id", s.id.as_str())
                .req("name", name.as_str())
                .req("extent_type", "other")
                .req("extent", code.as_str())
                .done()
        })
        .collect();
    let attributes: Vec<Value> = terms
        .iter()
        .map(|(sid, t)| {
            Obj::new()
                .req("id", sid.as_str())
                .req("link_id", s.id.as_str())
                .req("link_type", "service")
                .req("taxonomy_term_id", t.id.as_str())
                .req("taxonomy_term", term_json(t))
                .done()
        })
        .collect();
    Ok(o.req("service_at_locations", sals)
        .req("schedules", schedules)
        .req("service_areas", service_areas)
        .req("attributes", attributes)
        .req("languages", Vec::<Value>::new())
        .req("contacts", Vec::<Value>::new())
        .req("funding", Vec::<Value>::new())
        .req("cost_options", Vec::<Value>::new())
        .done())
}

fn checked_id(id: &str) -> Result<String, AppError> {
    if is_uuid(id) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(AppError::NotFound)
    }
}

/// `GET /api/oruk/services/{id}`
async fn get_service(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = checked_id(&id)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let s = services::store::service_by_id(&st.db, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        service_record(&st.db, &s).await
    })
    .await
}

/// `GET /api/oruk/organizations`
async fn list_organizations(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&q)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let (total, rows) =
            store::organizations_page(&st.db, per_page, (page - 1) * per_page).await?;
        Ok(page_envelope(
            rows.iter().map(org_json).collect(),
            total,
            page,
            per_page,
        ))
    })
    .await
}

/// `GET /api/oruk/organizations/{id}`
async fn get_organization(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = checked_id(&id)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let orgs = store::orgs_by_id(&st.db, &[id.as_str()]).await?;
        let org = orgs.get(&id).ok_or(AppError::NotFound)?;
        Ok(org_json(org))
    })
    .await
}

fn taxonomy_json(t: &TaxonomyRow) -> Value {
    Obj::new()
        .req("id", t.id.as_str())
        .req("name", t.name.as_str())
        .req("description", t.description.as_str())
        .text("uri", &t.uri)
        .text("version", &t.version)
        .done()
}

/// `GET /api/oruk/taxonomies`
async fn list_taxonomies(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&q)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let (total, rows) = store::taxonomies_page(&st.db, per_page, (page - 1) * per_page).await?;
        Ok(page_envelope(
            rows.iter().map(taxonomy_json).collect(),
            total,
            page,
            per_page,
        ))
    })
    .await
}

/// `GET /api/oruk/taxonomies/{id}`
async fn get_taxonomy(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = checked_id(&id)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let t = store::taxonomy(&st.db, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(taxonomy_json(&t))
    })
    .await
}

/// `GET /api/oruk/taxonomy_terms`
async fn list_terms(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&q)?;
    let taxonomy = uuid_param(&q.taxonomy_id, "taxonomy_id")?.unwrap_or_default();
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let (total, rows) =
            store::terms_page(&st.db, &taxonomy, per_page, (page - 1) * per_page).await?;
        Ok(page_envelope(
            rows.iter().map(term_json).collect(),
            total,
            page,
            per_page,
        ))
    })
    .await
}

/// `GET /api/oruk/taxonomy_terms/{id}`
async fn get_term(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = checked_id(&id)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let t = store::term(&st.db, &id).await?.ok_or(AppError::NotFound)?;
        Ok(term_json(&t))
    })
    .await
}

/// Postcode districts (outward codes) and their middle, from the bundled `outcodes.csv`,
/// for `postcode` filters. The full postcode index arrives with the support finder.
static OUTCODES: LazyLock<HashMap<String, (f64, f64, String)>> = LazyLock::new(|| {
    let mut reader =
        csv::Reader::from_reader(include_str!("../../../seed/outcodes.csv").as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let lat = r.get(1)?.parse().ok()?;
            let lon = r.get(2)?.parse().ok()?;
            Some((r.get(0)?.to_string(), (lat, lon, r.get(3)?.to_string())))
        })
        .collect()
});

/// The district of a postcode ("CF10 3NQ" → "CF10"), or the input when it is a district.
fn outcode(postcode: &str) -> Option<String> {
    let p: String = postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !(2..=7).contains(&p.len()) || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if p.len() >= 5 {
        Some(p[..p.len() - 3].to_string())
    } else {
        Some(p)
    }
}

fn sal_list_json(r: &SalRow) -> Value {
    Obj::new()
        .req("id", r.sal_id.as_str())
        .req("service_id", r.service.id.as_str())
        .req("location_id", r.location_id.as_str())
        .req(
            "location",
            Obj::new()
                .req("id", r.location_id.as_str())
                .req("location_type", "physical")
                .text("name", &r.location_name)
                .text("description", &r.position_note)
                .float("latitude", r.latitude)
                .float("longitude", r.longitude)
                .done(),
        )
        .req("service", service_fields(&r.service).done())
        .done()
}

/// `GET /api/oruk/service_at_locations` — with `postcode` (and `proximity` in metres).
async fn list_sals(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (page, per_page) = paging(&q)?;
    let filter = service_filters(&q)?;
    let place = match present(&q.postcode) {
        None => None,
        Some(p) => {
            let district = outcode(p).ok_or(bad("postcode"))?;
            let found = OUTCODES.get(&district).cloned();
            Some(found.ok_or(AppError::NotFound)?)
        }
    };
    let proximity = int_param(&q.proximity, "proximity", 1..=2_000_000)?;
    if proximity.is_some() && place.is_none() {
        return Err(bad("proximity"));
    }
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let mut rows = store::sal_rows(&st.db, &filter).await?;
        if let Some((lat, lon, area)) = place {
            match proximity {
                Some(metres) => rows.retain(|r| match (r.latitude, r.longitude) {
                    (Some(la), Some(lo)) => {
                        super::geo::distance_km((lon, lat), (lo, la)) * 1000.0 <= metres as f64
                    }
                    _ => false,
                }),
                None => {
                    let serving = store::services_serving(&st.db, &area).await?;
                    rows.retain(|r| serving.contains(&r.service.id));
                }
            }
        }
        let total = rows.len() as i64;
        let contents = rows
            .iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(sal_list_json)
            .collect();
        Ok(page_envelope(contents, total, page, per_page))
    })
    .await
}

/// `GET /api/oruk/service_at_locations/{id}`
async fn get_sal(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = checked_id(&id)?;
    let st = state.clone();
    cached_json(&state, &c, &headers, || async move {
        let row = store::sal(&st.db, &id).await?.ok_or(AppError::NotFound)?;
        let locations = services::store::locations_of(&st.db, &row.service.id).await?;
        let mut v = sal_list_json(&row);
        if let (Some(l), Value::Object(m)) =
            (locations.iter().find(|l| l.sal_id == row.sal_id), &mut v)
        {
            m.insert("location".into(), location_json(l, true));
        }
        Ok(v)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_flags() {
        let v = page_envelope(vec![json!(1), json!(2)], 5, 1, 2);
        assert_eq!(v["total_pages"], 3);
        assert_eq!(
            (v["first_page"].as_bool(), v["last_page"].as_bool()),
            (Some(true), Some(false))
        );
        let v = page_envelope(vec![json!(5)], 5, 3, 2);
        assert_eq!(
            (v["last_page"].as_bool(), v["size"].as_i64()),
            (Some(true), Some(1))
        );
        let v = page_envelope(vec![], 5, 9, 2);
        assert_eq!(
            (v["empty"].as_bool(), v["last_page"].as_bool()),
            (Some(true), Some(false))
        );
        let v = page_envelope(vec![], 0, 1, 20);
        assert_eq!(
            (v["total_pages"].as_i64(), v["last_page"].as_bool()),
            (Some(1), Some(true))
        );
    }

    #[test]
    fn days_and_outcodes() {
        assert_eq!(day_code("Monday"), Some("MO"));
        assert_eq!(day_code("fr"), Some("FR"));
        assert_eq!(day_code("x"), None);
        assert_eq!(day_code("moonday"), None);
        assert_eq!(outcode("cf10 3nq").as_deref(), Some("CF10"));
        assert_eq!(outcode("SW1A1AA").as_deref(), Some("SW1A"));
        assert_eq!(outcode("BT1").as_deref(), Some("BT1"));
        assert_eq!(outcode("not a postcode!"), None);
        assert!(OUTCODES.contains_key("CF10"));
    }
}
