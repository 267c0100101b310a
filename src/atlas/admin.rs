//! The atlas's staff screens: levels, the areas list and one area's scores and name, and
//! exports. The score and boundary imports are in [`super::import_admin`].

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::store::{self, AreaRow, Level, NewScore, Score, ScoreRevision};
use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::web::{self, AppError, Form, Msg, form_page, private_page, see_other};
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

/// Checks the legend form (`label_N`, `label_cy_N`, `criteria_N`, `criteria_cy_N`,
/// `colour_N` for N in 0–5).
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
            criteria_cy: get(format!("criteria_cy_{level}")),
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
                        criteria_cy: get(format!("criteria_cy_{n}")),
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

pub(super) fn max_year() -> i64 {
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
    /// The Welsh name ("" to show the English one on Welsh pages too).
    #[serde(default)]
    name_cy: String,
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
    let name_cy = f.name_cy.trim();
    if name.is_empty() || name.chars().count() > 200 || name_cy.chars().count() > 200 {
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
    store::set_welsh_name(&mut tx, &area.code, name_cy).await?;
    crate::db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "rename_area",
        "area",
        &area.code,
        &format!("{} → {name} (Welsh: {name_cy})", area.name),
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
