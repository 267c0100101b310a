//! Map, area pages, the areas API, and the staff score editor and CSV import.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::import::{self, RowError};
use super::services::{self, LocationRow, ServiceRow};
use super::store::{self, AreaRow, Level, NewScore, Score, ScoreRevision};
use super::{ATTRIBUTION, Atlas};
use crate::app::Ctx;
use crate::auth::{Permission, StaffUser};
use crate::web::{self, AppError, Form, Msg, Query, private_page, private_page_status, see_other};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/map", get(map_page))
        .route("/map.svg", get(map_svg))
        .route("/map.csv", get(map_csv))
        .route("/embed/map", get(embed_map))
        .route("/api/openapi.json", get(openapi))
        .route("/admin/levels", get(levels_form).post(save_levels))
        .route("/admin/export/{file}", get(admin_export))
        .route(
            "/admin/areas/import",
            get(areas_import_form)
                .post(areas_import_preview)
                .layer(DefaultBodyLimit::max(AREAS_MAX_BYTES + 64 * 1024)),
        )
        .route("/admin/areas/import/confirm", post(areas_import_confirm))
        .route("/areas/{code}", get(area_page))
        .route("/services/{id}", get(service_page))
        .route("/api/v1/areas", get(api_areas))
        .route("/api/v1/areas/{code}", get(api_area))
        .route("/admin/areas", get(admin_areas))
        .route("/admin/areas/{code}", get(admin_area).post(admin_set_score))
        .route(
            "/admin/areas/{code}/scores/{year}/delete",
            post(admin_delete_score),
        )
        .route("/admin/areas/{code}/name", post(admin_rename_area))
        .route(
            "/admin/scores/import",
            get(import_form)
                .post(import_preview)
                .layer(DefaultBodyLimit::max(import::MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/admin/scores/import/confirm",
            post(import_confirm).layer(DefaultBodyLimit::max(import::MAX_BYTES * 2)),
        )
}

/// The colour for areas with no score in the chosen year.
pub const NO_SCORE_COLOUR: &str = "#ffffff";

/// An area as drawn and listed on the map page.
pub struct MapRow<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub nation: &'a str,
    pub path: &'a str,
    /// The area's path in an enlarged inset, if it is drawn in one.
    pub inset_path: Option<&'a str>,
    pub level: Option<i64>,
    pub previous: Option<i64>,
    pub colour: String,
}

impl MapRow<'_> {
    /// The SVG fill: the level's colour, or the hatching (`#no-score`, defined by each
    /// drawing) for an area with no score, which no level colour can be mistaken for.
    pub fn fill(&self) -> String {
        if self.level.is_some() {
            self.colour.clone()
        } else {
            "url(#no-score)".into()
        }
    }

    pub fn change(&self) -> i64 {
        match (self.level, self.previous) {
            (Some(a), Some(b)) => a - b,
            _ => 0,
        }
    }
}

/// Per-nation counts: how many areas at each level, and unscored.
pub struct NationCount {
    pub nation: &'static str,
    pub by_level: Vec<usize>,
    pub unscored: usize,
    pub total: usize,
}

#[derive(Deserialize, Default)]
struct MapQuery {
    year: Option<String>,
    compare: Option<String>,
}

fn parse_year(s: Option<&str>) -> Result<Option<i64>, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or(AppError::BadRequest(Msg::new("error-bad-year"))),
    }
}

pub(crate) fn level_label(levels: &[Level], level: i64, welsh: bool) -> String {
    levels
        .iter()
        .find(|l| l.level == level)
        .map(|l| {
            if welsh && !l.label_cy.is_empty() {
                l.label_cy.clone()
            } else {
                l.label.clone()
            }
        })
        .unwrap_or_default()
}

/// The accessible name of an area on the map: its name, level and the level's label.
fn area_label(c: &Ctx, levels: &[Level], r: &MapRow) -> String {
    match r.level {
        Some(l) => c.t2(
            "map-area-level",
            "area",
            r.name,
            "level",
            format!("{l}, {}", level_label(levels, l, c.is_cy())),
        ),
        None => c.t1("map-area-unscored", "area", r.name),
    }
}

pub(crate) fn level_colour(levels: &[Level], level: Option<i64>) -> String {
    level
        .and_then(|lv| levels.iter().find(|l| l.level == lv))
        .map(|l| l.colour.clone())
        .unwrap_or_else(|| NO_SCORE_COLOUR.to_string())
}

/// The year to draw (the one asked for, else the latest with scores), the legend, and
/// that year's scores: what every drawing of the map starts from.
async fn year_scores(
    db: &crate::db::Db,
    year: Option<i64>,
) -> Result<(Option<i64>, Vec<Level>, Vec<Score>), AppError> {
    let year = match year {
        Some(y) => Some(y),
        None => super::latest_year(db).await?,
    };
    let levels = store::levels(db).await?;
    let scores = match year {
        Some(y) => store::scores_in(db, y).await?,
        None => vec![],
    };
    Ok((year, levels, scores))
}

/// Everything the map page and the standalone SVG need for one year.
struct MapData<'a> {
    rows: Vec<MapRow<'a>>,
    any_demo: bool,
}

fn map_rows<'a>(
    atlas: &'a Atlas,
    levels: &[Level],
    scores: &[Score],
    previous: &[Score],
) -> MapData<'a> {
    let now: HashMap<&str, &Score> = scores.iter().map(|s| (s.area_code.as_str(), s)).collect();
    let before: HashMap<&str, i64> = previous
        .iter()
        .map(|s| (s.area_code.as_str(), s.level))
        .collect();
    let rows = atlas
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let level = now.get(a.code.as_str()).map(|s| s.level);
            MapRow {
                code: &a.code,
                name: &a.name,
                nation: &a.nation,
                path: &a.path,
                inset_path: atlas.inset_path(i),
                level,
                previous: before.get(a.code.as_str()).copied(),
                colour: level_colour(levels, level),
            }
        })
        .collect();
    MapData {
        rows,
        any_demo: scores.iter().any(|s| s.is_demo != 0),
    }
}

#[derive(Template)]
#[template(path = "atlas/map.html")]
struct MapTemplate<'a> {
    c: &'a Ctx,
    year: Option<i64>,
    years: Vec<i64>,
    compare: Option<i64>,
    levels: Vec<Level>,
    rows: Vec<MapRow<'a>>,
    counts: Vec<NationCount>,
    any_demo: bool,
    width: f64,
    height: f64,
    insets: &'a [super::Inset],
    attribution: &'static str,
}

impl MapTemplate<'_> {
    /// The table's rows: by nation (in the usual order), then by name.
    fn sorted(&self) -> Vec<&MapRow<'_>> {
        sorted_rows(&self.rows)
    }
    fn csv_href(&self) -> String {
        let mut q = Vec::new();
        if let Some(y) = self.year {
            q.push(format!("year={y}"));
        }
        if let Some(y) = self.compare {
            q.push(format!("compare={y}"));
        }
        if q.is_empty() {
            "/map.csv".into()
        } else {
            format!("/map.csv?{}", q.join("&"))
        }
    }
    fn is_year(&self, y: &i64) -> bool {
        self.year == Some(*y)
    }
    fn is_compare(&self, y: &i64) -> bool {
        self.compare == Some(*y)
    }
    fn label(&self, level: &i64) -> String {
        level_label(&self.levels, *level, self.c.is_cy())
    }
    fn nation_name(&self, n: &str) -> String {
        self.c.t(&format!("nation-{n}"))
    }
    fn area_label(&self, r: &MapRow) -> String {
        area_label(self.c, &self.levels, r)
    }
    fn ups(&self) -> Vec<&MapRow<'_>> {
        self.rows.iter().filter(|r| r.change() > 0).collect()
    }
    fn downs(&self) -> Vec<&MapRow<'_>> {
        self.rows.iter().filter(|r| r.change() < 0).collect()
    }
}

/// Rows by nation (England, Wales, Scotland, Northern Ireland), then by name.
fn sorted_rows<'r, 'a>(rows: &'r [MapRow<'a>]) -> Vec<&'r MapRow<'a>> {
    let order = |n: &str| {
        crate::site::settings::NATIONS
            .iter()
            .position(|x| *x == n)
            .unwrap_or(usize::MAX)
    };
    let mut v: Vec<&MapRow> = rows.iter().collect();
    v.sort_by(|a, b| {
        order(a.nation)
            .cmp(&order(b.nation))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    v
}

fn nation_counts(rows: &[MapRow]) -> Vec<NationCount> {
    crate::site::settings::NATIONS
        .iter()
        .map(|n| {
            let mine: Vec<&MapRow> = rows.iter().filter(|r| r.nation == *n).collect();
            NationCount {
                nation: n,
                by_level: (0..=5)
                    .map(|l| mine.iter().filter(|r| r.level == Some(l)).count())
                    .collect(),
                unscored: mine.iter().filter(|r| r.level.is_none()).count(),
                total: mine.len(),
            }
        })
        .filter(|c| c.total > 0)
        .collect()
}

/// `GET /map?year=2019&compare=2017`
async fn map_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<MapQuery>,
) -> Result<Response, AppError> {
    let year = parse_year(q.year.as_deref())?;
    let compare = parse_year(q.compare.as_deref())?;
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let years = store::years(&st.db).await?;
            let (year, levels, scores) =
                year_scores(&st.db, year.or(years.first().copied())).await?;
            let previous = match compare {
                Some(y) => store::scores_in(&st.db, y).await?,
                None => vec![],
            };
            let atlas = st.atlas();
            let data = map_rows(&atlas, &levels, &scores, &previous);
            let counts = nation_counts(&data.rows);
            Ok(MapTemplate {
                c: &cc,
                year,
                years,
                compare,
                levels,
                rows: data.rows,
                counts,
                any_demo: data.any_demo,
                width: atlas.width,
                height: atlas.height,
                insets: &atlas.insets,
                attribution: ATTRIBUTION,
            }
            .render()?)
        },
    )
    .await
}

/// `GET /map.csv?year=2019&compare=2017`: the map page's table as CSV, in the same order,
/// with the level's name in the reader's language.
async fn map_csv(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<MapQuery>,
) -> Result<Response, AppError> {
    let year = parse_year(q.year.as_deref())?;
    let compare = parse_year(q.compare.as_deref())?;
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/csv; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let years = store::years(&st.db).await?;
            let (year, levels, scores) =
                year_scores(&st.db, year.or(years.first().copied())).await?;
            let previous = match compare {
                Some(y) => store::scores_in(&st.db, y).await?,
                None => vec![],
            };
            let atlas = st.atlas();
            let data = map_rows(&atlas, &levels, &scores, &previous);
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut head = vec![
                "area_code".to_string(),
                "area_name".into(),
                "nation".into(),
                "year".into(),
                "level".into(),
                "level_name".into(),
            ];
            if let Some(y) = compare {
                head.push(format!("level_{y}"));
            }
            head.push("demo".into());
            w.write_record(&head)
                .map_err(|e| AppError::Internal(e.into()))?;
            let demo: std::collections::HashSet<&str> = scores
                .iter()
                .filter(|s| s.is_demo != 0)
                .map(|s| s.area_code.as_str())
                .collect();
            for r in sorted_rows(&data.rows) {
                let mut rec = vec![
                    r.code.to_string(),
                    web::csv_safe(r.name),
                    r.nation.to_string(),
                    year.map(|y| y.to_string()).unwrap_or_default(),
                    r.level.map(|l| l.to_string()).unwrap_or_default(),
                    r.level
                        .map(|l| web::csv_safe(&level_label(&levels, l, cc.is_cy())))
                        .unwrap_or_default(),
                ];
                if compare.is_some() {
                    rec.push(r.previous.map(|l| l.to_string()).unwrap_or_default());
                }
                rec.push(if demo.contains(r.code) { "yes" } else { "" }.to_string());
                w.write_record(&rec)
                    .map_err(|e| AppError::Internal(e.into()))?;
            }
            let bytes = w.into_inner().map_err(|e| AppError::Internal(e.into()))?;
            String::from_utf8(bytes).map_err(|e| AppError::Internal(e.into()))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "atlas/embed.html")]
struct EmbedTemplate<'a> {
    c: &'a Ctx,
    year: Option<i64>,
    levels: Vec<Level>,
    rows: Vec<MapRow<'a>>,
    width: f64,
    height: f64,
    attribution: &'static str,
}

impl EmbedTemplate<'_> {
    fn label(&self, level: &i64) -> String {
        level_label(&self.levels, *level, self.c.is_cy())
    }
    fn area_label(&self, r: &MapRow) -> String {
        area_label(self.c, &self.levels, r)
    }
}

/// `GET /embed/map?year=2019` — the map for other websites to put in an iframe. The only
/// page that may be framed.
async fn embed_map(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<MapQuery>,
) -> Result<Response, AppError> {
    let year = parse_year(q.year.as_deref())?;
    let st = state.clone();
    let cc = c.clone();
    let mut res = crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let (year, levels, scores) = year_scores(&st.db, year).await?;
            let atlas = st.atlas();
            let data = map_rows(&atlas, &levels, &scores, &[]);
            Ok(EmbedTemplate {
                c: &cc,
                year,
                levels,
                rows: data.rows,
                width: atlas.width,
                height: atlas.height,
                attribution: ATTRIBUTION,
            }
            .render()?)
        },
    )
    .await?;
    res.headers_mut().insert(
        "content-security-policy",
        axum::http::HeaderValue::from_static(web::CSP_EMBED),
    );
    Ok(res)
}

/// `GET /api/openapi.json` — OpenAPI 3.1 description of the `/api/v1` endpoints.
async fn openapi(State(state): State<AppState>) -> Response {
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

#[derive(Template)]
#[template(path = "admin/levels.html")]
struct LevelsTemplate<'a> {
    c: &'a Ctx,
    levels: Vec<Level>,
    errors: web::FieldErrors,
}

impl LevelsTemplate<'_> {
    fn error(&self, field: &str) -> String {
        crate::app::field_error(self.c, &self.errors, field)
    }
}

async fn levels_form(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    let levels = store::levels(&state.db).await?;
    private_page(&LevelsTemplate {
        c: &c.with_staff(staff),
        levels,
        errors: vec![],
    })
}

/// Checks the legend form (`label_N`, `label_cy_N`, `criteria_N`, `colour_N` for N in 0–5).
pub fn check_levels(form: &HashMap<String, String>) -> Result<Vec<Level>, web::FieldErrors> {
    const FIELDS: [[&str; 2]; 6] = [
        ["label_0", "colour_0"],
        ["label_1", "colour_1"],
        ["label_2", "colour_2"],
        ["label_3", "colour_3"],
        ["label_4", "colour_4"],
        ["label_5", "colour_5"],
    ];
    let mut errors: web::FieldErrors = Vec::new();
    let mut out = Vec::new();
    for (level, [label_field, colour_field]) in FIELDS.iter().enumerate() {
        let get = |k: String| {
            form.get(&k)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let label = get(label_field.to_string());
        let colour = get(colour_field.to_string());
        if label.is_empty() || label.chars().count() > 80 {
            errors.push((label_field, Msg::new("admin-levels-label")));
        }
        let hex = colour.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            errors.push((colour_field, Msg::new("admin-err-colour-format")));
        }
        out.push(Level {
            level: level as i64,
            label,
            label_cy: get(format!("label_cy_{level}")),
            criteria: get(format!("criteria_{level}")),
            colour: colour.to_lowercase(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

async fn save_levels(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    match check_levels(&form) {
        Ok(levels) => {
            let mut tx = state.db.begin_write().await?;
            for l in &levels {
                store::update_level(&mut tx, l).await?;
            }
            crate::db::bump_content_version(&mut tx).await?;
            audit::record(
                &mut tx,
                Some(&staff),
                "update_levels",
                "score_levels",
                "0-5",
                "",
            )
            .await?;
            tx.commit().await?;
            state.refresh().await?;
            Ok(see_other("/admin/levels"))
        }
        Err(errors) => {
            // Show what was typed, not what is stored.
            let levels = (0..=5)
                .map(|n| {
                    let get = |k: String| form.get(&k).cloned().unwrap_or_default();
                    Level {
                        level: n,
                        label: get(format!("label_{n}")),
                        label_cy: get(format!("label_cy_{n}")),
                        criteria: get(format!("criteria_{n}")),
                        colour: get(format!("colour_{n}")),
                    }
                })
                .collect();
            private_page_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LevelsTemplate {
                    c: &c.with_staff(staff),
                    levels,
                    errors,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "atlas/map.svg", escape = "xml")]
struct MapSvgTemplate<'a> {
    title: String,
    rows: Vec<MapRow<'a>>,
    width: f64,
    height: f64,
    attribution: &'static str,
}

/// `GET /map.svg?year=2019` — the map on its own, for reports and slides.
async fn map_svg(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<MapQuery>,
) -> Result<Response, AppError> {
    let year = parse_year(q.year.as_deref())?;
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "image/svg+xml",
        web::PUBLIC_REVALIDATE,
        || async move {
            let (year, levels, scores) = year_scores(&st.db, year).await?;
            let atlas = st.atlas();
            let data = map_rows(&atlas, &levels, &scores, &[]);
            let title = match year {
                Some(y) => cc.t1("map-title-year", "year", y),
                None => cc.t("map-title"),
            };
            Ok(MapSvgTemplate {
                title,
                rows: data.rows,
                width: atlas.width,
                height: atlas.height,
                attribution: ATTRIBUTION,
            }
            .render()?)
        },
    )
    .await
}

/// A bar of the history chart.
pub struct Bar {
    pub year: i64,
    pub level: i64,
    pub colour: String,
    pub x: i64,
    pub height: i64,
}

#[derive(Template)]
#[template(path = "atlas/area.html")]
struct AreaTemplate<'a> {
    c: &'a Ctx,
    area: AreaRow,
    successor: Option<AreaRow>,
    history: Vec<Score>,
    levels: Vec<Level>,
    bars: Vec<Bar>,
    /// The nation's areas, this one first flag set, fitted to a 240-unit square.
    locator: Vec<(bool, String)>,
    services: Vec<ServiceRow>,
    nearest_mbus: Vec<(services::MbuPosition, i64)>,
    attribution: &'static str,
}

impl AreaTemplate<'_> {
    fn label(&self, level: &i64) -> String {
        level_label(&self.levels, *level, self.c.is_cy())
    }
    fn nation_name(&self) -> String {
        self.c.t(&format!("nation-{}", self.area.nation))
    }
    fn has_criteria(&self) -> bool {
        self.history.iter().any(|s| !s.criteria.trim().is_empty())
    }
    /// Notes, leaving out the demo note (the banner above the table says it once).
    fn has_notes(&self) -> bool {
        self.history
            .iter()
            .any(|s| !s.note.trim().is_empty() && s.is_demo == 0)
    }
    fn has_sources(&self) -> bool {
        self.history.iter().any(|s| !s.source.trim().is_empty())
    }
    fn miles(&self, km: &i64) -> i64 {
        (*km as f64 / 1.609_344).round() as i64
    }
}

/// Bars 40 units apart, 20 units per level, in a 200 × 120 chart area.
fn history_bars(history: &[Score], levels: &[Level]) -> Vec<Bar> {
    let mut by_year: Vec<&Score> = history.iter().collect();
    by_year.sort_by_key(|s| s.year);
    by_year
        .iter()
        .rev()
        .take(8)
        .rev()
        .enumerate()
        .map(|(i, s)| Bar {
            year: s.year,
            level: s.level,
            colour: level_colour(levels, Some(s.level)),
            x: 30 + 40 * i as i64,
            height: 4 + 20 * s.level,
        })
        .collect()
}

/// `GET /areas/{code}` — an area's levels over the years. Retired areas keep their page.
async fn area_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    if code.len() > 20 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let area = store::area(&st.db, &code.to_uppercase())
                .await?
                .ok_or(AppError::NotFound)?;
            let successor = match &area.successor_code {
                Some(s) => store::area(&st.db, s).await?,
                None => None,
            };
            let history = store::scores_of(&st.db, &area.code).await?;
            let levels = store::levels(&st.db).await?;
            let bars = history_bars(&history, &levels);
            // A small map of the area within its nation.
            let atlas = st.atlas();
            let map_area = atlas.area(&area.code);
            let locator = atlas
                .nation_paths(&area.nation, 240.0)
                .into_iter()
                .map(|(i, d)| (atlas.areas[i].code == area.code, d))
                .collect();
            let services = services::store::services_for_area(&st.db, &area.code).await?;
            let nearest_mbus = match map_area {
                Some(a) => nearest_mbus(&st.db, a.shape.bbox).await?,
                None => vec![],
            };
            Ok(AreaTemplate {
                c: &cc,
                area,
                successor,
                history,
                levels,
                bars,
                locator,
                services,
                nearest_mbus,
                attribution: ATTRIBUTION,
            }
            .render()?)
        },
    )
    .await
}

/// The three mother and baby units nearest the middle of an area, with distances in km.
async fn nearest_mbus(
    db: &crate::db::Db,
    bbox: (f64, f64, f64, f64),
) -> Result<Vec<(services::MbuPosition, i64)>, AppError> {
    let (lon, lat) = ((bbox.0 + bbox.2) / 2.0, (bbox.1 + bbox.3) / 2.0);
    let all = services::store::mbu_positions(db).await?;
    Ok(services::nearest_mbus(&all, lat, lon, 3)
        .into_iter()
        .map(|(i, d)| (all[i].clone(), d.round() as i64))
        .collect())
}

#[derive(Template)]
#[template(path = "atlas/service.html")]
struct ServiceTemplate<'a> {
    c: &'a Ctx,
    s: ServiceRow,
    locations: Vec<LocationRow>,
    areas: Vec<(String, String)>,
}

impl ServiceTemplate<'_> {
    fn kind_label(&self) -> String {
        self.c.t(&format!("service-kind-{}", self.s.kind))
    }
    fn tel(&self) -> String {
        self.s.phone.chars().filter(char::is_ascii_digit).collect()
    }
}

/// `GET /services/{id}`
async fn service_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !services::is_uuid(&id) {
        return Err(AppError::NotFound);
    }
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let s = services::store::service_by_id(&st.db, &id)
                .await?
                .ok_or(AppError::NotFound)?;
            let locations = services::store::locations_of(&st.db, &s.id).await?;
            let areas = services::store::areas_of(&st.db, &s.id).await?;
            Ok(ServiceTemplate {
                c: &cc,
                s,
                locations,
                areas,
            }
            .render()?)
        },
    )
    .await
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
async fn api_areas(State(state): State<AppState>) -> Result<Response, AppError> {
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
async fn api_area(
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

#[derive(Template)]
#[template(path = "admin/areas.html")]
struct AdminAreasTemplate<'a> {
    c: &'a Ctx,
    areas: Vec<(AreaRow, Option<Score>)>,
}

async fn admin_areas(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let latest: HashMap<String, Score> = store::latest_scores(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.area_code.clone(), s))
        .collect();
    let areas = store::areas(&state.db)
        .await?
        .into_iter()
        .map(|a| {
            let s = latest.get(&a.code).cloned();
            (a, s)
        })
        .collect();
    private_page(&AdminAreasTemplate {
        c: &c.with_staff(staff),
        areas,
    })
}

/// What an editor submits for one year's score.
#[derive(Deserialize, Default, Clone)]
pub struct ScoreForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub criteria: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Template)]
#[template(path = "admin/area_edit.html")]
struct AdminAreaTemplate<'a> {
    c: &'a Ctx,
    area: AreaRow,
    history: Vec<Score>,
    revisions: Vec<ScoreRevision>,
    levels: Vec<Level>,
    f: ScoreForm,
    errors: web::FieldErrors,
}

impl AdminAreaTemplate<'_> {
    fn error(&self, field: &str) -> String {
        crate::app::field_error(self.c, &self.errors, field)
    }
    fn when(&self, ts: &i64) -> String {
        crate::uktime::date_time(*ts)
    }
}

async fn render_admin_area(
    state: &AppState,
    c: &Ctx,
    code: &str,
    f: ScoreForm,
    errors: web::FieldErrors,
) -> Result<Response, AppError> {
    let area = store::area(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = store::scores_of(&state.db, code).await?;
    let revisions = store::revisions_of(&state.db, code).await?;
    let levels = store::levels(&state.db).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    private_page_status(
        status,
        &AdminAreaTemplate {
            c,
            area,
            history,
            revisions,
            levels,
            f,
            errors,
        },
    )
}

async fn admin_area(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let f = ScoreForm {
        year: (time::OffsetDateTime::now_utc().year() as i64).to_string(),
        ..Default::default()
    };
    render_admin_area(&state, &c.with_staff(staff), &code, f, vec![]).await
}

/// Field problems in a score form; the clean score when there are none.
pub fn check_score_form(
    code: &str,
    f: &ScoreForm,
    max_year: i64,
) -> Result<NewScore, web::FieldErrors> {
    let mut e: web::FieldErrors = Vec::new();
    let year = f
        .year
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|y| (2000..=max_year).contains(y));
    if year.is_none() {
        e.push(("year", Msg::new("admin-import-year").arg("max", max_year)));
    }
    let level = f
        .level
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|l| (0..=5).contains(l));
    if level.is_none() {
        e.push(("level", Msg::new("admin-import-level")));
    }
    if f.note.chars().count() > 1000 {
        e.push(("note", Msg::new("admin-import-note-long")));
    }
    if f.criteria.chars().count() > 1000 {
        e.push(("criteria", Msg::new("admin-import-note-long")));
    }
    if f.source.chars().count() > 500 {
        e.push(("source", Msg::new("admin-import-source-long")));
    }
    match (year, level, e.is_empty()) {
        (Some(year), Some(level), true) => Ok(NewScore {
            area_code: code.to_string(),
            year,
            level,
            criteria: f.criteria.trim().to_string(),
            note: f.note.trim().to_string(),
            source: f.source.trim().to_string(),
        }),
        _ => Err(e),
    }
}

fn max_year() -> i64 {
    time::OffsetDateTime::now_utc().year() as i64 + 1
}

async fn admin_set_score(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(code): Path<String>,
    Form(f): Form<ScoreForm>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    staff.require(Permission::PublishContent)?;
    let area = store::area(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let score = match check_score_form(&area.code, &f, max_year()) {
        Ok(s) => s,
        Err(errors) => {
            return render_admin_area(&state, &c.with_staff(staff), &code, f, errors).await;
        }
    };
    let mut tx = state.db.begin_write().await?;
    store::set_score(&mut tx, &score, &staff.email, false).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "set_score",
        "area",
        &area.code,
        &format!("{}: level {}", score.year, score.level),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/areas/{}", area.code)))
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}

/// Corrects an area's display name (boundaries themselves come from imports).
async fn admin_rename_area(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(code): Path<String>,
    Form(f): Form<NameForm>,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    let area = store::area(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        let errors = vec![("area_name", Msg::new("admin-areas-err-name"))];
        return render_admin_area(
            &state,
            &c.with_staff(staff),
            &code,
            ScoreForm::default(),
            errors,
        )
        .await;
    }
    let mut tx = state.db.begin_write().await?;
    store::rename_area(&mut tx, &area.code, name).await?;
    crate::db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "rename_area",
        "area",
        &area.code,
        &format!("{} → {name}", area.name),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/areas/{}", area.code)))
}

async fn admin_delete_score(
    State(state): State<AppState>,
    staff: StaffUser,
    Path((code, year)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    let mut tx = state.db.begin_write().await?;
    if !store::delete_score(&mut tx, &code, year, &staff.email).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        Some(&staff),
        "delete_score",
        "area",
        &code,
        &year.to_string(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/areas/{code}")))
}

/// `GET /admin/export/{scores.csv|services.csv|services.geojson}`
async fn admin_export(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let (body, content_type) = match file.as_str() {
        "scores.csv" => (
            super::transfer::export_scores(&state.db).await?,
            "text/csv; charset=utf-8",
        ),
        "services.csv" => (
            super::transfer::export_services_csv(&state.db).await?,
            "text/csv; charset=utf-8",
        ),
        "services.geojson" => (
            super::transfer::export_services_geojson(&state.db).await?,
            "application/geo+json",
        ),
        _ => return Err(AppError::NotFound),
    };
    let mut res = web::bytes_response(content_type, body);
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        res.headers_mut()
            .insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// Largest boundary file accepted from the web (the four nations' set is about 3 MB).
const AREAS_MAX_BYTES: usize = 40 * 1024 * 1024;

#[derive(Template)]
#[template(path = "admin/areas_import.html")]
struct AreasImportTemplate<'a> {
    c: &'a Ctx,
    problems: Vec<super::geo::GeoProblem>,
    plan: Option<super::transfer::AreaImport>,
    token: String,
    release: String,
}

async fn areas_import_form(c: Ctx, staff: StaffUser) -> Result<Response, AppError> {
    staff.require(Permission::ManageSettings)?;
    private_page(&AreasImportTemplate {
        c: &c.with_staff(staff),
        problems: vec![],
        plan: None,
        token: String::new(),
        release: String::new(),
    })
}

/// Step 1 (admins only: boundaries change every area): check the file, keep it under a
/// random name, and show what would change. Nothing is written to the database.
async fn areas_import_preview(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    staff.require(Permission::ManageSettings)?;
    let mut text = String::new();
    let mut release = String::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
    {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| AppError::BadRequest(Msg::new("admin-import-not-utf8")))?;
        match name.as_str() {
            "file" => text = value,
            "release" => release = value.trim().chars().take(100).collect(),
            _ => {}
        }
    }
    let c = c.with_staff(staff);
    match super::transfer::plan_areas(&state.db, &text).await? {
        Err(problems) => private_page_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AreasImportTemplate {
                c: &c,
                problems,
                plan: None,
                token: String::new(),
                release,
            },
        ),
        Ok((plan, _)) => {
            let token = super::staging::keep(&state, "geojson", &text).await?;
            private_page(&AreasImportTemplate {
                c: &c,
                problems: vec![],
                plan: Some(plan),
                token,
                release,
            })
        }
    }
}

#[derive(Deserialize)]
struct AreasConfirm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    release: String,
}

/// Step 2: apply the previewed file in one transaction (checked again), then forget it.
async fn areas_import_confirm(
    State(state): State<AppState>,
    staff: StaffUser,
    Form(f): Form<AreasConfirm>,
) -> Result<Response, AppError> {
    staff.require(Permission::ManageSettings)?;
    let text = super::staging::read(&state, &f.token, "geojson").await?;
    let release = if f.release.trim().is_empty() {
        "imported"
    } else {
        f.release.trim()
    };
    let summary = match super::transfer::import_areas(&state.db, &text, release).await? {
        Ok(s) => s,
        Err(_) => return Err(AppError::BadRequest(Msg::new("admin-areas-import-changed"))),
    };
    super::staging::forget(&state, &f.token, "geojson").await;
    let mut tx = state.db.begin_write().await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "import_areas",
        "areas",
        release,
        &format!(
            "{} added, {} updated, {} retired",
            summary.added,
            summary.updated,
            summary.retired.len()
        ),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/areas"))
}

/// A change the import would make, for the preview.
pub struct PlannedChange {
    pub score: NewScore,
    pub name: String,
    pub old_level: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/scores_import.html")]
struct ImportTemplate<'a> {
    c: &'a Ctx,
    csv: String,
    errors: Vec<RowError>,
    plan: Vec<PlannedChange>,
    done: Option<usize>,
}

async fn import_form(c: Ctx, staff: StaffUser) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let done = c.path.split("done=").nth(1).and_then(|n| n.parse().ok());
    private_page(&ImportTemplate {
        c: &c.with_staff(staff),
        csv: String::new(),
        errors: vec![],
        plan: vec![],
        done,
    })
}

/// Reads the CSV from an uploaded file or the text box.
async fn read_csv(mut mp: Multipart) -> Result<String, AppError> {
    let mut text = String::new();
    while let Some(field) = mp.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(Msg::new("error-unreadable-form"))
        }
    })? {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| AppError::BadRequest(Msg::new("admin-import-not-utf8")))?;
        if (name == "file" && !value.trim().is_empty()) || (name == "csv" && text.is_empty()) {
            text = value;
        }
    }
    Ok(text)
}

async fn plan(
    state: &AppState,
    text: &str,
) -> Result<Result<Vec<PlannedChange>, Vec<RowError>>, AppError> {
    let areas = store::areas(&state.db).await?;
    let known: HashMap<String, bool> = areas
        .iter()
        .map(|a| (a.code.clone(), a.is_retired()))
        .collect();
    let names: HashMap<&str, &str> = areas
        .iter()
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    let rows = match import::check_scores(text, &known, max_year()) {
        Ok(rows) => rows,
        Err(e) => return Ok(Err(e)),
    };
    let mut current: HashMap<(String, i64), i64> = HashMap::new();
    let mut years: Vec<i64> = rows.iter().map(|r| r.year).collect();
    years.sort();
    years.dedup();
    for y in years {
        for s in store::scores_in(&state.db, y).await? {
            current.insert((s.area_code, s.year), s.level);
        }
    }
    Ok(Ok(rows
        .into_iter()
        .map(|score| PlannedChange {
            name: names
                .get(score.area_code.as_str())
                .unwrap_or(&"")
                .to_string(),
            old_level: current.get(&(score.area_code.clone(), score.year)).copied(),
            score,
        })
        .collect()))
}

/// Step 1: check the file and show what would change, or every problem. Writes nothing.
async fn import_preview(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    mp: Multipart,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    staff.require(Permission::PublishContent)?;
    let csv = read_csv(mp).await?;
    let c = c.with_staff(staff);
    match plan(&state, &csv).await? {
        Ok(plan) => private_page(&ImportTemplate {
            c: &c,
            csv,
            errors: vec![],
            plan,
            done: None,
        }),
        Err(errors) => private_page_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportTemplate {
                c: &c,
                csv,
                errors,
                plan: vec![],
                done: None,
            },
        ),
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    csv: String,
}

/// Step 2: check again (the data may have changed) and apply every row in one
/// transaction, or nothing.
async fn import_confirm(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    staff.require(Permission::PublishContent)?;
    let planned = match plan(&state, &f.csv).await? {
        Ok(p) => p,
        Err(errors) => {
            return private_page_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ImportTemplate {
                    c: &c.with_staff(staff),
                    csv: f.csv,
                    errors,
                    plan: vec![],
                    done: None,
                },
            );
        }
    };
    let mut tx = state.db.begin_write().await?;
    for p in &planned {
        store::set_score(&mut tx, &p.score, &staff.email, false).await?;
    }
    audit::record(
        &mut tx,
        Some(&staff),
        "import_scores",
        "scores",
        planned.len(),
        &format!("{} scores imported", planned.len()),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!(
        "/admin/scores/import?done={}",
        planned.len()
    )))
}
