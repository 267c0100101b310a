//! The atlas's staff imports, each checked, previewed and confirmed through
//! [`crate::staging`]: a scores CSV (`/admin/scores/import`) and a boundary file
//! (`/admin/areas/import`, admins only).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::admin::max_year;
use super::import::{self, RowError};
use super::store::{self, NewScore};
use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::staging::{self, Kind};
use crate::web::{AppError, Fields, Form, Msg, private_page, see_other};
use crate::{AppState, audit};

/// Largest boundary file accepted from the web (the four nations' set is about 3 MB).
pub(super) const AREAS_MAX_BYTES: usize = 40 * 1024 * 1024;

#[derive(Template)]
#[template(path = "admin/areas_import.html")]
struct AreasImportTemplate<'a> {
    c: &'a Ctx,
    problems: Vec<super::geo::GeoProblem>,
    plan: Option<super::transfer::AreaImport>,
    token: String,
    release: String,
}

pub(super) async fn areas_import_form(
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageSettings>,
) -> Result<Response, AppError> {
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
pub(super) async fn areas_import_preview(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageSettings>,
    form: Fields,
) -> Result<Response, AppError> {
    // A boundary file is uploaded, never pasted.
    let text = form.upload("file", "")?;
    let release: String = form.text("release").trim().chars().take(100).collect();
    let c = c.with_staff(staff);
    match super::transfer::plan_areas(&state.db, &text).await? {
        Err(problems) => Err(AppError::invalid(&AreasImportTemplate {
            c: &c,
            problems,
            plan: None,
            token: String::new(),
            release,
        })),
        Ok((plan, _)) => {
            let token = staging::keep(&state, Kind::Boundaries, &text).await?;
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
pub(super) struct AreasConfirm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    release: String,
}

/// Step 2: apply the previewed file in one transaction (checked again), then forget it.
pub(super) async fn areas_import_confirm(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageSettings>,
    Form(f): Form<AreasConfirm>,
) -> Result<Response, AppError> {
    let text = staging::read(&state, &f.token, Kind::Boundaries).await?;
    let release = if f.release.trim().is_empty() {
        "imported"
    } else {
        f.release.trim()
    };
    let summary = match super::transfer::import_areas(&state.db, &text, release).await? {
        Ok(s) => s,
        Err(_) => return Err(AppError::BadRequest(Msg::new("admin-areas-import-changed"))),
    };
    staging::forget(&state, &f.token, Kind::Boundaries).await;
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
    /// What was pasted, kept on an error (an uploaded file cannot be).
    csv: String,
    /// Names the checked file kept for the confirmation (`crate::staging`).
    token: String,
    errors: Vec<RowError>,
    plan: Vec<PlannedChange>,
    done: Option<usize>,
}

pub(super) async fn import_form(
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let done = c.path.split("done=").nth(1).and_then(|n| n.parse().ok());
    private_page(&ImportTemplate {
        c: &c.with_staff(staff),
        csv: String::new(),
        token: String::new(),
        errors: vec![],
        plan: vec![],
        done,
    })
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

/// Step 1: check the file and show what would change, or every problem. Writes nothing
/// but the kept file.
pub(super) async fn import_preview(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    form: Fields,
) -> Result<Response, AppError> {
    let text = form.upload("file", "csv")?;
    let c = c.with_staff(staff);
    let csv = form.text("csv").to_string();
    match plan(&state, &text).await? {
        Ok(plan) => {
            let token = staging::keep(&state, Kind::Scores, &text).await?;
            private_page(&ImportTemplate {
                c: &c,
                csv: String::new(),
                token,
                errors: vec![],
                plan,
                done: None,
            })
        }
        Err(errors) => Err(AppError::invalid(&ImportTemplate {
            c: &c,
            csv,
            token: String::new(),
            errors,
            plan: vec![],
            done: None,
        })),
    }
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// Step 2: check the kept file again (the data may have changed) and apply every row in
/// one transaction, or nothing.
pub(super) async fn import_confirm(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let text = staging::read(&state, &f.token, Kind::Scores).await?;
    let planned = match plan(&state, &text).await? {
        Ok(p) => p,
        Err(errors) => {
            return Err(AppError::invalid(&ImportTemplate {
                c: &c.with_staff(staff),
                csv: String::new(),
                token: String::new(),
                errors,
                plan: vec![],
                done: None,
            }));
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
    staging::forget(&state, &f.token, Kind::Scores).await;
    state.refresh().await?;
    Ok(see_other(&format!(
        "/admin/scores/import?done={}",
        planned.len()
    )))
}
