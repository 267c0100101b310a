//! Where every atlas request is handled, and the map pages (`/map`, `/map.csv`,
//! `/map.svg`, `/embed/map`). An area's page is in [`super::area_page`], a service's in
//! [`super::service_page`], the areas API in [`super::api`], the staff score editor and
//! levels in [`super::admin`], the score and boundary imports in
//! [`super::import_admin`].

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::import::{self};
use super::store::{self, Level, Score};
use super::{ATTRIBUTION, Atlas};
use crate::AppState;
use crate::app::Ctx;
use crate::web::{self, AppError, Msg, Query};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/map", get(map_page))
        .route("/map.svg", get(map_svg))
        .route("/map.csv", get(map_csv))
        .route("/embed/map", get(embed_map))
        .route("/api/openapi.json", get(super::api::openapi))
        .route(
            "/admin/levels",
            get(super::admin::levels_form).post(super::admin::save_levels),
        )
        .route("/admin/export/{file}", get(super::admin::admin_export))
        .route(
            "/admin/areas/import",
            get(super::import_admin::areas_import_form)
                .post(super::import_admin::areas_import_preview)
                .layer(DefaultBodyLimit::max(
                    super::import_admin::AREAS_MAX_BYTES + 64 * 1024,
                )),
        )
        .route(
            "/admin/areas/import/confirm",
            post(super::import_admin::areas_import_confirm),
        )
        .route("/areas/{code}", get(super::area_page::area_page))
        .route("/services/{id}", get(super::service_page::service_page))
        .route("/api/v1/areas", get(super::api::api_areas))
        .route("/api/v1/areas/{code}", get(super::api::api_area))
        .route("/admin/areas", get(super::admin::admin_areas))
        .route(
            "/admin/areas/{code}",
            get(super::admin::admin_area).post(super::admin::admin_set_score),
        )
        .route(
            "/admin/areas/{code}/scores/{year}/delete",
            post(super::admin::admin_delete_score),
        )
        .route(
            "/admin/areas/{code}/name",
            post(super::admin::admin_rename_area),
        )
        .route(
            "/admin/scores/import",
            get(super::import_admin::import_form)
                .post(super::import_admin::import_preview)
                .layer(DefaultBodyLimit::max(import::MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/admin/scores/import/confirm",
            post(super::import_admin::import_confirm)
                .layer(DefaultBodyLimit::max(import::MAX_BYTES * 2)),
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
    lang: crate::i18n::Lang,
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
                name: a.name_in(lang),
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
            let data = map_rows(cc.lang, &atlas, &levels, &scores, &previous);
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
            let data = map_rows(cc.lang, &atlas, &levels, &scores, &previous);
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
            let data = map_rows(cc.lang, &atlas, &levels, &scores, &[]);
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
            let data = map_rows(cc.lang, &atlas, &levels, &scores, &[]);
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
