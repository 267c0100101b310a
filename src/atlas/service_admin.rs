//! Staff screens for services: list, create, edit (with its location and the areas it
//! serves) and "checked today".

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::services::form::{DAYS, KINDS, STATUSES, ServiceForm, check};
use super::services::{self, ServiceRow, new_uuid};
use super::store::{self, AreaRow};
use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::db;
use crate::staging::{self, Kind};
use crate::web::{AppError, FieldErrors, Fields, Form, form_page, private_page, see_other};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/services", get(list))
        .route("/admin/services/new", get(new_form).post(create))
        .route("/admin/services/{id}", get(edit_form).post(update))
        .route("/admin/services/{id}/verify", post(verify))
        .route(
            "/admin/services/import",
            get(import_form)
                .post(import_preview)
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::import::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/admin/services/import/confirm", post(import_confirm))
}

#[derive(Template)]
#[template(path = "admin/services.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    services: Vec<ServiceRow>,
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let services = services::store::all(&state.db).await?;
    private_page(&ListTemplate {
        c: &c.with_staff(staff),
        services,
    })
}

#[derive(Template)]
#[template(path = "admin/service_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<String>,
    f: ServiceForm,
    row: Option<ServiceRow>,
    areas: Vec<AreaRow>,
    errors: FieldErrors,
}

impl EditTemplate<'_> {
    fn serves(&self, code: &str) -> bool {
        self.f.areas.iter().any(|a| a == code)
    }
    fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }
    fn statuses(&self) -> &'static [&'static str] {
        STATUSES
    }
    fn days(&self) -> &'static [&'static str] {
        DAYS
    }
    fn open_on(&self, d: &str) -> bool {
        self.f.days.iter().any(|x| x == d)
    }
}

async fn render(
    state: &AppState,
    c: &Ctx,
    id: Option<String>,
    f: ServiceForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let areas = store::areas(&state.db)
        .await?
        .into_iter()
        .filter(|a| !a.is_retired())
        .collect();
    let row = match &id {
        Some(id) => services::store::service_by_id(&state.db, id).await?,
        None => None,
    };
    let page = EditTemplate {
        c,
        id,
        f,
        row,
        areas,
        errors,
    };
    form_page(&page, &page.errors)
}

async fn new_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let f = ServiceForm {
        kind: "community".into(),
        status: "active".into(),
        ..Default::default()
    };
    render(
        &state,
        &c.with_staff(staff),
        None,
        f,
        crate::web::FieldErrors::new(),
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !services::is_uuid(&id) {
        return Err(AppError::NotFound);
    }
    let s = services::store::service_by_id(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let locations = services::store::locations_of(&state.db, &id).await?;
    let areas = services::store::areas_of(&state.db, &id)
        .await?
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let mut f = ServiceForm::from_row(&s, locations.first(), areas);
    let schedule = services::store::first_schedule(&state.db, &id).await?;
    if let Some((byday, opens, closes)) = schedule {
        f.days = byday
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        f.opens_at = opens;
        f.closes_at = closes;
    }
    render(
        &state,
        &c.with_staff(staff),
        Some(id),
        f,
        crate::web::FieldErrors::new(),
    )
    .await
}

async fn save(
    state: &AppState,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    id: Option<String>,
    f: ServiceForm,
) -> Result<Response, AppError> {
    let known: HashSet<String> = store::areas(&state.db)
        .await?
        .into_iter()
        .filter(|a| !a.is_retired())
        .map(|a| a.code)
        .collect();
    let c = c.with_staff(staff.clone());
    let clean = match check(&f, &known) {
        Ok(clean) => clean,
        Err(errors) => return render(state, &c, id, f, errors).await,
    };
    let area_at = clean
        .position
        .and_then(|(lat, lon)| state.atlas().area_at(lon, lat).map(|a| a.code.clone()));
    let (service_id, exists) = match &id {
        Some(id) => (id.clone(), true),
        None => (new_uuid(), false),
    };
    let mut tx = state.db.begin_write().await?;
    services::store::write(&mut tx, &service_id, exists, &f, &clean, area_at).await?;
    let action = if exists {
        "update_service"
    } else {
        "create_service"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "service",
        &service_id,
        f.name.trim(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/services/{service_id}")))
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::PublishContent>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save(&state, c, staff, None, ServiceForm::from_pairs(pairs)).await
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::PublishContent>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !services::is_uuid(&id)
        || services::store::service_by_id(&state.db, &id)
            .await?
            .is_none()
    {
        return Err(AppError::NotFound);
    }
    save(&state, c, staff, Some(id), ServiceForm::from_pairs(pairs)).await
}

/// Records that a member of staff checked the details with the service today.
async fn verify(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let today = crate::uktime::iso_date(db::now());
    let mut tx = state.db.begin_write().await?;
    if !services::store::mark_verified(&mut tx, &id, &today, &staff.email).await? {
        return Err(AppError::NotFound);
    }
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "verify_service",
        "service",
        &id,
        &today,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/services/{id}")))
}

#[derive(Template)]
#[template(path = "admin/services_import.html")]
struct ImportTemplate<'a> {
    c: &'a Ctx,
    errors: Vec<super::import::RowError>,
    planned: Vec<(String, bool)>,
    token: String,
    done: bool,
}

async fn import_form(
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let done = c.path.contains("done=1");
    private_page(&ImportTemplate {
        c: &c.with_staff(staff),
        errors: vec![],
        planned: vec![],
        token: String::new(),
        done,
    })
}

/// Step 1: check every row; show the problems, or what will be added and updated.
async fn import_preview(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    form: Fields,
) -> Result<Response, AppError> {
    let text = form.upload("file", "csv")?;
    let c = c.with_staff(staff);
    match super::transfer::check_services(&state.db, &text).await? {
        Err(errors) => Err(AppError::invalid(&ImportTemplate {
            c: &c,
            errors,
            planned: vec![],
            token: String::new(),
            done: false,
        })),
        Ok(rows) => {
            let token = staging::keep(&state, Kind::Services, &text).await?;
            let planned = rows
                .iter()
                .map(|r| (r.form.name.clone(), r.id.is_some()))
                .collect();
            private_page(&ImportTemplate {
                c: &c,
                errors: vec![],
                planned,
                token,
                done: false,
            })
        }
    }
}

#[derive(serde::Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// Step 2: check again and write every row in one transaction, or nothing.
async fn import_confirm(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let text = staging::read(&state, &f.token, Kind::Services).await?;
    let rows = match super::transfer::check_services(&state.db, &text).await? {
        Ok(rows) => rows,
        Err(errors) => {
            return Err(AppError::invalid(&ImportTemplate {
                c: &c.with_staff(staff),
                errors,
                planned: vec![],
                token: String::new(),
                done: false,
            }));
        }
    };
    let atlas = state.atlas();
    let (added, updated) =
        super::transfer::apply_services(&state.db, &atlas, &rows, &staff.email).await?;
    staging::forget(&state, &f.token, Kind::Services).await;
    let mut tx = state.db.begin_write().await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "import_services",
        "services",
        rows.len(),
        &format!("{added} added, {updated} updated"),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/services/import?done=1"))
}
