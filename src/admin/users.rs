//! Staff account management for admins: add, change role, disable/enable, set a new
//! password. Every change ends the affected person's sessions where it matters and is
//! audited. The last enabled admin cannot be demoted or disabled.

use crate::auth::{Staff, perm};
use crate::web::Msg;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::Ctx;
use crate::auth::store::{self, UserRow};
use crate::auth::{Role, password, session};
use crate::web::{AppError, Form, form_page, see_other};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/{id}/role", post(change_role))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/password", post(reset_password))
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersTemplate<'a> {
    c: &'a Ctx,
    users: Vec<UserRow>,
    f: NewUserForm,
    errors: crate::web::FieldErrors,
    notice: String,
}

impl UsersTemplate<'_> {
    fn when(&self, ts: &Option<i64>) -> String {
        ts.map(crate::uktime::date_time)
            .unwrap_or_else(|| self.c.t("admin-never"))
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn render(
    state: &AppState,
    c: &Ctx,
    f: NewUserForm,
    errors: crate::web::FieldErrors,
    notice: String,
) -> Result<Response, AppError> {
    let users = store::users(&state.db).await?;
    let page = UsersTemplate {
        c,
        users,
        f: NewUserForm {
            password: String::new(),
            ..f
        },
        errors,
        notice,
    };
    form_page(&page, &page.errors)
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageUsers>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    let notice = if c.path.contains("done=1") {
        c.t("admin-saved")
    } else {
        String::new()
    };
    let f = NewUserForm {
        role: "editor".into(),
        ..Default::default()
    };
    render(&state, &c, f, crate::web::FieldErrors::new(), notice).await
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Form(f): Form<NewUserForm>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let mut errors = Vec::new();
    if !crate::site::settings::looks_like_email(f.email.trim()) {
        errors.push((
            "email",
            Msg::new("admin-err-enter-an-email-address-like-name"),
        ));
    }
    let role = Role::parse(&f.role);
    if role.is_none() {
        errors.push(("role", Msg::new("admin-err-choose-a-role")));
    }
    if let Some(p) = password::problem(&f.password, f.email.trim()) {
        errors.push(("password", p));
    }
    if f.name.chars().count() > 100 {
        errors.push((
            "name",
            Msg::new("admin-err-keep-the-name-under-100-characters"),
        ));
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return render(&state, &c, f, errors.into(), String::new()).await;
    };
    let hash = password::hash(f.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    match store::create_user(&mut tx, &f.email, &f.name, role, &hash).await {
        Ok(id) => {
            audit::record(
                &mut tx,
                Some(&staff),
                "create_user",
                "user",
                id,
                &format!("{} as {}", store::normalise_email(&f.email), role.as_str()),
            )
            .await?;
            tx.commit().await?;
            Ok(see_other("/admin/users?done=1"))
        }
        Err(store::CreateUserError::Duplicate) => {
            // Roll back now rather than on the connection's next use (it holds locks).
            tx.rollback().await?;
            let errors = vec![(
                "email",
                Msg::new("admin-err-an-account-with-this-email-already"),
            )];
            render(&state, &c, f, errors.into(), String::new()).await
        }
        Err(store::CreateUserError::Db(e)) => Err(e.into()),
    }
}

/// Refuses a change that would leave no enabled admin.
async fn keep_an_admin(state: &AppState, target: &UserRow) -> Result<(), AppError> {
    if target.role == "admin"
        && !target.is_disabled()
        && store::other_active_admins(&state.db, target.id).await? == 0
    {
        return Err(AppError::BadRequest(Msg::new("admin-err-last-admin")));
    }
    Ok(())
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    let role = Role::parse(&f.role)
        .ok_or_else(|| AppError::BadRequest(Msg::new("admin-err-choose-a-role")))?;
    let target = store::user_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if role != Role::Admin {
        keep_an_admin(&state, &target).await?;
    }
    let mut tx = state.db.begin_write().await?;
    store::set_role(&mut tx, id, role).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "change_role",
        "user",
        id,
        &format!("{} → {}", target.role, role.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/users?done=1"))
}

async fn disable(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let target = store::user_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    keep_an_admin(&state, &target).await?;
    let mut tx = state.db.begin_write().await?;
    store::set_disabled(&mut tx, id, true).await?;
    session::store::end_all_sessions(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "disable_user",
        "user",
        id,
        &target.email,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/users?done=1"))
}

async fn enable(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let target = store::user_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    store::set_disabled(&mut tx, id, false).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "enable_user",
        "user",
        id,
        &target.email,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/users?done=1"))
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
}

/// Sets a new password for someone (who then logs in with it) and ends their sessions.
async fn reset_password(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Path(id): Path<i64>,
    Form(f): Form<ResetForm>,
) -> Result<Response, AppError> {
    let target = store::user_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(problem) = password::problem(&f.password, &target.email) {
        let c = c.with_staff(staff);
        let msg = Msg::new("admin-err-reset-password-for")
            .arg("email", &target.email)
            .arg("problem", problem.text(c.lang));
        return render(
            &state,
            &c,
            NewUserForm::default(),
            crate::web::FieldErrors::from(vec![("reset", msg)]),
            String::new(),
        )
        .await;
    }
    let hash = password::hash(f.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    store::set_password(&mut tx, id, &hash).await?;
    session::store::end_all_sessions(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "reset_password",
        "user",
        id,
        &target.email,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/users?done=1"))
}
