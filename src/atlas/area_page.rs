//! `/areas/{code}`: an area's levels over the years (the history chart, the table, its
//! nation drawn around it), the services serving it and the nearest mother and baby units.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::ATTRIBUTION;
use super::routes::{level_colour, level_label};
use super::services::{self, ServiceRow};
use super::store::{self, AreaRow, Level, Score};
use crate::AppState;
use crate::app::Ctx;
use crate::web::{self, AppError};

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
pub(super) async fn area_page(
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
