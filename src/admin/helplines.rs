//! Helpline editor: staff keep the numbers right and record when and by whom each was
//! checked. The public Get help page shows unverified numbers as such.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::site::helplines::{self, Helpline, HelplineForm, TIERS};
use crate::web::{AppError, Form, private_page, see_other};
use crate::{AppState, audit, db};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/helplines", get(list))
        .route("/admin/helplines/new", get(new_form).post(create))
        .route("/admin/helplines/{id}", get(edit_form).post(update))
        .route("/admin/helplines/{id}/verify", post(verify))
        .route("/admin/helplines/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "admin/helplines.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    helplines: Vec<Helpline>,
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageHelplines>,
) -> Result<Response, AppError> {
    let helplines = helplines::store::helplines(&state.db).await?;
    private_page(&ListTemplate {
        c: &c.with_staff(staff),
        helplines,
    })
}

#[derive(Template)]
#[template(path = "admin/helpline_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: &'a HelplineForm,
    errors: crate::web::FieldErrors,
}

impl EditTemplate<'_> {
    fn tiers(&self) -> &'static [&'static str] {
        TIERS
    }
}

async fn new_form(
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageHelplines>,
) -> Result<Response, AppError> {
    let f = HelplineForm {
        tier: "listening".into(),
        number_verified: "no".into(),
        sort_order: "100".into(),
        ..Default::default()
    };
    private_page(&EditTemplate {
        c: &c.with_staff(staff),
        id: None,
        f: &f,
        errors: crate::web::FieldErrors::new(),
    })
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageHelplines>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let h = helplines::store::helpline_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    private_page(&EditTemplate {
        c: &c.with_staff(staff),
        id: Some(id),
        f: &HelplineForm::from_helpline(&h),
        errors: crate::web::FieldErrors::new(),
    })
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::ManageHelplines>,
    Form(f): Form<HelplineForm>,
) -> Result<Response, AppError> {
    save(&state, c, staff, None, f).await
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::ManageHelplines>,
    Path(id): Path<i64>,
    Form(f): Form<HelplineForm>,
) -> Result<Response, AppError> {
    helplines::store::helpline_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    save(&state, c, staff, Some(id), f).await
}

async fn save(
    state: &AppState,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageHelplines>,
    id: Option<i64>,
    f: HelplineForm,
) -> Result<Response, AppError> {
    let errors = f.problems();
    if !errors.is_empty() {
        return Err(AppError::invalid(&EditTemplate {
            c: &c.with_staff(staff),
            id,
            f: &f,
            errors,
        }));
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = helplines::store::save_helpline(&mut tx, id, &f).await?;
    db::bump_content_version(&mut tx).await?;
    let action = if id.is_some() {
        "update_helpline"
    } else {
        "create_helpline"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "helpline",
        new_id,
        f.organisation.trim(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/helplines"))
}

async fn verify(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageHelplines>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let today = crate::uktime::iso_date(db::now());
    let mut tx = state.db.begin_write().await?;
    if !helplines::store::mark_verified(&mut tx, id, &staff.email, &today).await? {
        return Err(AppError::NotFound);
    }
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "verify_helpline",
        "helpline",
        id,
        &today,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/helplines"))
}

async fn delete(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageHelplines>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_write().await?;
    if !helplines::store::delete_helpline(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    db::bump_content_version(&mut tx).await?;
    audit::record(&mut tx, Some(&staff), "delete_helpline", "helpline", id, "").await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/helplines"))
}
