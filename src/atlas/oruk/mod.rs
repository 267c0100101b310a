//! The Open Referral UK 3.0 API (HSDS 3.0 UK profile) under `/api/oruk/`, served from the
//! same service records as the site. Public, read-only, `Access-Control-Allow-Origin: *`.
//!
//! Rules the specs leave open, decided here: `per_page` defaults to 20 and is clamped to
//! 1–100; `page` starts at 1 and a page past the end is an empty page; a malformed
//! parameter is a 400 JSON error and an unknown id a 404 JSON error. Age filters select
//! services whose age range overlaps the one asked for. Optional fields with no value are
//! left out (never `null`).
//!
//! This file holds the routes and handlers; `params.rs` the parameters and paging,
//! `records.rs` the JSON records, `store.rs` the queries.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::services;
use crate::AppState;
use crate::app::Ctx;
use crate::web::{self, AppError, Query};

pub mod params;
pub mod records;
pub mod store;

use params::{
    ListQuery, OUTCODES, bad, checked_id, int_param, outcode, page_envelope, paging, present,
    service_filters, uuid_param,
};
use records::{
    location_json, org_json, sal_list_json, service_fields, service_record, taxonomy_json,
    term_json,
};

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
