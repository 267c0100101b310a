//! `/api/openapi.json` and `/api/v1/areas[/{code}]`: the atlas as JSON.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;

use super::ATTRIBUTION;
use super::routes::level_label;
use super::services;
use super::store::{self, AreaRow, Level, Score};
use crate::AppState;
use crate::web::{self, AppError};

/// `GET /api/openapi.json` — OpenAPI 3.1 description of the `/api/v1` endpoints.
pub(super) async fn openapi(State(state): State<AppState>) -> Response {
    let base = &state.config.public_url;
    let score = serde_json::json!({
        "type": "object",
        "required": ["year", "level", "label", "demo"],
        "properties": {
            "year": {"type": "integer"},
            "level": {"type": "integer", "minimum": 0, "maximum": 5},
            "label": {"type": "string"},
            "criteria_met": {"type": "string", "description": "Which of the level's criteria were met."},
            "note": {"type": "string"},
            "source": {"type": "string"},
            "demo": {"type": "boolean", "description": "True for illustrative demo data."}
        }
    });
    let area = serde_json::json!({
        "type": "object",
        "required": ["code", "name", "nation", "retired", "url"],
        "properties": {
            "code": {"type": "string", "examples": ["W11000029"]},
            "name": {"type": "string"},
            "nation": {"type": "string", "enum": ["england", "wales", "scotland", "northern-ireland"]},
            "retired": {"type": "boolean"},
            "successor": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "score": {"$ref": "#/components/schemas/Score"},
            "history": {"type": "array", "items": {"$ref": "#/components/schemas/Score"}},
            "services": {"type": "array", "items": {
                "type": "object",
                "required": ["id", "name", "kind", "status", "url", "oruk_url", "verified", "demo"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["community", "mbu", "mmhs", "other"]},
                    "status": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                    "oruk_url": {"type": "string", "format": "uri"},
                    "verified": {"type": "boolean"},
                    "demo": {"type": "boolean"}
                }
            }}
        }
    });
    let error = serde_json::json!({
        "type": "object",
        "required": ["error", "code"],
        "properties": {"error": {"type": "string"}, "code": {"type": "string"}}
    });
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "mmha open data API",
            "version": "1",
            "description": "Health areas and their specialist perinatal mental health provision scores. \
                The Open Referral UK 3.0 services API is under /api/oruk/. Boundaries and area data: \
                Open Government Licence v3.0."
        },
        "servers": [{"url": base}],
        "paths": {
            "/api/v1/areas": {"get": {
                "summary": "Every health area with its latest provision score",
                "responses": {"200": {"description": "The areas", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "areas": {"type": "array", "items": {"$ref": "#/components/schemas/Area"}},
                        "attribution": {"type": "string"}
                    }
                }}}}}
            }},
            "/api/v1/areas/{code}": {"get": {
                "summary": "One area with its full score history",
                "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "The area", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Area"}}}},
                    "404": {"description": "No such area", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
            }}
        },
        "components": {"schemas": {"Area": area, "Score": score, "Error": error}}
    });
    let mut res = web::bytes_response("application/json", doc.to_string());
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

#[derive(Serialize)]
struct ApiScore {
    year: i64,
    level: i64,
    label: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    criteria_met: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    source: String,
    demo: bool,
}

#[derive(Serialize)]
struct ApiArea {
    code: String,
    name: String,
    nation: String,
    retired: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    successor: Option<String>,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<ApiScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<ApiScore>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    services: Option<Vec<ApiService>>,
}

/// A service serving an area, with links to its page and its Open Referral record.
#[derive(Serialize)]
struct ApiService {
    id: String,
    name: String,
    kind: String,
    status: String,
    url: String,
    oruk_url: String,
    verified: bool,
    demo: bool,
}

fn api_score(s: &Score, levels: &[Level]) -> ApiScore {
    ApiScore {
        year: s.year,
        level: s.level,
        label: level_label(levels, s.level, false),
        criteria_met: s.criteria.clone(),
        note: s.note.clone(),
        source: s.source.clone(),
        demo: s.is_demo != 0,
    }
}

fn area_json(a: &AreaRow, base: &str) -> ApiArea {
    ApiArea {
        code: a.code.clone(),
        name: a.name.clone(),
        nation: a.nation.clone(),
        retired: a.is_retired(),
        successor: a.successor_code.clone(),
        url: format!("{base}/areas/{}", a.code),
        score: None,
        history: None,
        services: None,
    }
}

fn json_response(value: &impl Serialize) -> Result<Response, AppError> {
    let body = serde_json::to_vec(value).map_err(|e| AppError::Internal(e.into()))?;
    Ok(web::bytes_response("application/json", body))
}

/// `GET /api/v1/areas` — every area with its latest score.
pub(super) async fn api_areas(State(state): State<AppState>) -> Result<Response, AppError> {
    let areas = store::areas(&state.db).await?;
    let levels = store::levels(&state.db).await?;
    let latest: HashMap<String, Score> = store::latest_scores(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.area_code.clone(), s))
        .collect();
    let out: Vec<ApiArea> = areas
        .iter()
        .map(|a| ApiArea {
            score: latest.get(&a.code).map(|s| api_score(s, &levels)),
            ..area_json(a, &state.config.public_url)
        })
        .collect();
    json_response(&serde_json::json!({ "areas": out, "attribution": ATTRIBUTION }))
}

/// `GET /api/v1/areas/{code}` — one area with its full score history and its services.
pub(super) async fn api_area(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let area = store::area(&state.db, &code.to_uppercase())
        .await?
        .ok_or(AppError::NotFound)?;
    let levels = store::levels(&state.db).await?;
    let history = store::scores_of(&state.db, &area.code).await?;
    let base = &state.config.public_url;
    let services = services::store::services_for_area(&state.db, &area.code)
        .await?
        .into_iter()
        .map(|s| ApiService {
            url: format!("{base}/services/{}", s.id),
            oruk_url: format!("{base}/api/oruk/services/{}", s.id),
            verified: !s.unverified(),
            demo: s.is_demo != 0,
            id: s.id,
            name: s.name,
            kind: s.kind,
            status: s.status,
        })
        .collect();
    let out = ApiArea {
        score: history.first().map(|s| api_score(s, &levels)),
        services: Some(services),
        history: Some(history.iter().map(|s| api_score(s, &levels)).collect()),
        ..area_json(&area, &state.config.public_url)
    };
    json_response(&out)
}
