//! The atlas's staff screens: levels, the areas list and one area's scores and name,
//! exports, and the score and boundary CSV imports (check, preview, confirm).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::import::{self, RowError};
use super::store::{self, AreaRow, Level, NewScore, Score, ScoreRevision};
use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::staging::{self, Kind};
use crate::web::{self, AppError, Fields, Form, Msg, form_page, private_page, see_other};
use crate::{AppState, audit};

#[derive(Template)]
#[template(path = "admin/levels.html")]
struct LevelsTemplate<'a> {
    c: &'a Ctx,
    levels: Vec<Level>,
    errors: web::FieldErrors,
}

pub(super) async fn levels_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
) -> Result<Response, AppError> {
    let levels = store::levels(&state.db).await?;
    private_page(&LevelsTemplate {
        c: &c.with_staff(staff),
        levels,
        errors: crate::web::FieldErrors::new(),
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
    let mut errors: web::FieldErrors = crate::web::FieldErrors::new();
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

pub(super) async fn save_levels(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
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
            Err(AppError::invalid(&LevelsTemplate {
                c: &c.with_staff(staff),
                levels,
                errors,
            }))
        }
    }
}

#[derive(Template)]
#[template(path = "admin/areas.html")]
struct AdminAreasTemplate<'a> {
    c: &'a Ctx,
    areas: Vec<(AreaRow, Option<Score>)>,
}

pub(super) async fn admin_areas(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
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
    let page = AdminAreaTemplate {
        c,
        area,
        history,
        revisions,
        levels,
        f,
        errors,
    };
    form_page(&page, &page.errors)
}

pub(super) async fn admin_area(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let f = ScoreForm {
        year: (time::OffsetDateTime::now_utc().year() as i64).to_string(),
        ..Default::default()
    };
    render_admin_area(
        &state,
        &c.with_staff(staff),
        &code,
        f,
        crate::web::FieldErrors::new(),
    )
    .await
}

/// Field problems in a score form; the clean score when there are none.
pub fn check_score_form(
    code: &str,
    f: &ScoreForm,
    max_year: i64,
) -> Result<NewScore, web::FieldErrors> {
    let mut e: web::FieldErrors = crate::web::FieldErrors::new();
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

pub(super) async fn admin_set_score(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(code): Path<String>,
    Form(f): Form<ScoreForm>,
) -> Result<Response, AppError> {
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
pub(super) struct NameForm {
    #[serde(default)]
    name: String,
}

/// Corrects an area's display name (boundaries themselves come from imports).
pub(super) async fn admin_rename_area(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(code): Path<String>,
    Form(f): Form<NameForm>,
) -> Result<Response, AppError> {
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
            errors.into(),
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

pub(super) async fn admin_delete_score(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path((code, year)): Path<(String, i64)>,
) -> Result<Response, AppError> {
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
pub(super) async fn admin_export(
    State(state): State<AppState>,
    _: Staff<perm::EditContent>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
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
