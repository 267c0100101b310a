//! Login, logout, first-run setup and password change.

use crate::web::Msg;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Role, StaffUser, password, session, store};
use crate::AppState;
use crate::app::Ctx;
use crate::audit;
use crate::web::{AppError, Form, Query, private_page, private_page_status, safe_next, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(login_form).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/logout-everywhere", post(logout_everywhere))
        .route("/admin/setup", get(setup_form).post(setup))
        .route("/admin/account", get(account_form).post(change_password))
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginTemplate<'a> {
    pub c: &'a Ctx,
    pub email: &'a str,
    pub next: &'a str,
    pub error: Option<Msg>,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
    expired: Option<String>,
}

async fn login_form(c: Ctx, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref().unwrap_or("/admin"));
    let error = q
        .expired
        .is_some()
        .then(|| Msg::new("admin-login-session-ended"));
    let mut res = private_page(&LoginTemplate {
        c: &c,
        email: "",
        next,
        error,
    })?;
    if q.expired.is_some() {
        // Forget the dead cookie so the browser stops sending it.
        if let Ok(v) = axum::http::HeaderValue::from_str(&session::clear_cookie(false)) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Checks the credentials, with throttling per account and per address, and the same
/// answer (and the same time spent) for an unknown email as for a wrong password.
async fn login(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(&f.next).to_string();
    let again = |msg: Msg| LoginTemplate {
        c: &c,
        email: &f.email,
        next: &next,
        error: Some(msg),
    };
    if f.email.trim().is_empty() || f.password.is_empty() {
        return Err(AppError::invalid(&again(Msg::new(
            "admin-login-enter-both",
        ))));
    }
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    let (email_key, ip_key) = session::throttle_keys(&state.db, f.email.trim(), &ip).await?;
    if session::store::is_throttled(&state.db, &email_key, &ip_key).await? {
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &again(Msg::new("admin-login-throttled")),
        );
    }
    let user = store::user_by_email(&state.db, &f.email).await?;
    let stored = match &user {
        Some(u) if !u.is_disabled() => u.password_hash.clone(),
        _ => password::dummy_hash().await,
    };
    let ok = password::verify(f.password.clone(), stored).await;
    let user = match user {
        Some(u) if ok && !u.is_disabled() => u,
        _ => {
            session::store::record_failure(&state.db, &email_key, &ip_key).await?;
            return Err(AppError::invalid(&again(Msg::new("admin-login-wrong"))));
        }
    };
    let mut tx = state.db.begin_write().await?;
    if super::totp::store::enabled(&state.db, user.id).await? {
        // The password was right; no session until the code is too. Failures are cleared
        // only then, so repeating the password cannot buy more guesses at the code.
        let challenge = super::totp::store::start_challenge(&mut tx, user.id, &next).await?;
        tx.commit().await?;
        return private_page(&super::two_factor::CodeTemplate {
            c: &c,
            challenge: &challenge,
            error: None,
        });
    }
    session::store::clear_failures(&mut tx, &email_key).await?;
    let token =
        session::store::create_session(&mut tx, user.id, state.config.session_hours).await?;
    store::record_login(&mut tx, user.id).await?;
    let actor = StaffUser {
        id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        role: Role::parse(&user.role).unwrap_or(Role::Moderator),
        session_hash: String::new(),
        two_factor: false,
    };
    audit::record(&mut tx, Some(&actor), "login", "user", user.id, "").await?;
    tx.commit().await?;
    let cookie = session::session_cookie(
        &token,
        state.config.session_hours,
        state.config.secure_cookies(),
    );
    let target = if next == "/" { "/admin" } else { next.as_str() };
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, target.to_string()),
        ],
    )
        .into_response())
}

async fn logout(State(state): State<AppState>, staff: StaffUser) -> Result<Response, AppError> {
    let mut tx = state.db.begin_write().await?;
    session::store::end_session(&mut tx, &staff.session_hash).await?;
    audit::record(&mut tx, Some(&staff), "logout", "user", staff.id, "").await?;
    tx.commit().await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                session::clear_cookie(state.config.secure_cookies()),
            ),
            (header::LOCATION, "/admin/login".to_string()),
        ],
    )
        .into_response())
}

async fn logout_everywhere(
    State(state): State<AppState>,
    staff: StaffUser,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_write().await?;
    let n = session::store::end_all_sessions(&mut tx, staff.id).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "logout_everywhere",
        "user",
        staff.id,
        &format!("{n} sessions ended"),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                session::clear_cookie(state.config.secure_cookies()),
            ),
            (header::LOCATION, "/admin/login".to_string()),
        ],
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "admin/setup.html")]
pub struct SetupTemplate<'a> {
    pub c: &'a Ctx,
    pub token: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub errors: crate::web::FieldErrors,
}

#[derive(Deserialize, Default)]
struct TokenQuery {
    token: Option<String>,
}

async fn setup_form(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let token = q.token.unwrap_or_default();
    if !store::setup_token_valid(&state.db, &token).await? {
        return Err(AppError::NotFound);
    }
    private_page(&SetupTemplate {
        c: &c,
        token: &token,
        email: "",
        name: "",
        errors: crate::web::FieldErrors::new(),
    })
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

/// Creates the first admin from the one-time link printed at start.
async fn setup(
    State(state): State<AppState>,
    c: Ctx,
    Form(f): Form<SetupForm>,
) -> Result<Response, AppError> {
    if !store::setup_token_valid(&state.db, &f.token).await? {
        return Err(AppError::BadRequest(Msg::new(
            "admin-err-setup-link-expired",
        )));
    }
    let mut errors = Vec::new();
    if !crate::site::settings::looks_like_email(f.email.trim()) {
        errors.push((
            "email",
            Msg::new("admin-err-enter-an-email-address-like-name"),
        ));
    }
    if let Some(p) = password::problem(&f.password, f.email.trim()) {
        errors.push(("password", p));
    } else if f.password != f.password_again {
        errors.push((
            "password_again",
            Msg::new("admin-err-the-two-passwords-are-different"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(&SetupTemplate {
            c: &c,
            token: &f.token,
            email: &f.email,
            name: &f.name,
            errors: errors.into(),
        }));
    }
    let hash = password::hash(f.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    if !store::consume_setup_token(&mut tx, &f.token).await? {
        return Err(AppError::BadRequest(Msg::new("admin-err-setup-link-used")));
    }
    let id = match store::create_user(&mut tx, &f.email, &f.name, Role::Admin, &hash).await {
        Ok(id) => id,
        Err(store::CreateUserError::Duplicate) => {
            return Err(AppError::invalid(&SetupTemplate {
                c: &c,
                token: &f.token,
                email: &f.email,
                name: &f.name,
                errors: crate::web::FieldErrors::from(vec![(
                    "email",
                    Msg::new("admin-err-an-account-with-this-email-already"),
                )]),
            }));
        }
        Err(store::CreateUserError::Db(e)) => return Err(e.into()),
    };
    audit::record_cli(
        &mut tx,
        "setup_admin",
        "user",
        id,
        "first admin created via setup link",
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/login?next=/admin"))
}

#[derive(Template)]
#[template(path = "admin/account.html")]
pub struct AccountTemplate<'a> {
    pub c: &'a Ctx,
    pub errors: crate::web::FieldErrors,
    pub done: bool,
}

impl AccountTemplate<'_> {
    pub fn two_factor(&self) -> bool {
        self.c.staff.as_ref().is_some_and(|s| s.two_factor)
    }
}

async fn account_form(c: Ctx, staff: StaffUser) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    private_page(&AccountTemplate {
        c: &c,
        errors: crate::web::FieldErrors::new(),
        done: false,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

/// Changes one's own password; every other session of the account is ended.
async fn change_password(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let user = store::user_by_id(&state.db, staff.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    if !password::verify(f.current.clone(), user.password_hash.clone()).await {
        errors.push((
            "current",
            Msg::new("admin-err-your-current-password-is-not-right"),
        ));
    }
    if let Some(p) = password::problem(&f.password, &staff.email) {
        errors.push(("password", p));
    } else if f.password != f.password_again {
        errors.push((
            "password_again",
            Msg::new("admin-err-the-two-new-passwords-are-different"),
        ));
    }
    let c = c.with_staff(staff.clone());
    if !errors.is_empty() {
        return Err(AppError::invalid(&AccountTemplate {
            c: &c,
            errors: errors.into(),
            done: false,
        }));
    }
    let hash = password::hash(f.password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    store::set_password(&mut tx, staff.id, &hash).await?;
    session::store::end_other_sessions(&mut tx, staff.id, &staff.session_hash).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "change_password",
        "user",
        staff.id,
        "",
    )
    .await?;
    tx.commit().await?;
    private_page(&AccountTemplate {
        c: &c,
        errors: crate::web::FieldErrors::new(),
        done: true,
    })
}
