//! Two-factor screens: the code step of login (`/admin/login/code`) and enrolment,
//! recovery codes and switching off (`/admin/account/two-factor`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Role, StaffUser, session, store, totp};
use crate::AppState;
use crate::app::Ctx;
use crate::audit;
use crate::web::{AppError, Form, Msg, private_page, private_page_status, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login/code", axum::routing::post(code_post))
        .route(
            "/admin/account/two-factor",
            get(enrol_page).post(enrol_post),
        )
        .route(
            "/admin/account/two-factor/codes",
            axum::routing::post(new_codes),
        )
        .route(
            "/admin/account/two-factor/off",
            axum::routing::post(turn_off),
        )
}

#[derive(Template)]
#[template(path = "admin/login_code.html")]
pub struct CodeTemplate<'a> {
    pub c: &'a Ctx,
    pub challenge: &'a str,
    pub error: Option<Msg>,
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    code: String,
}

/// The second step of login: a code from the app, or a recovery code.
async fn code_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    // Before the write transaction: the address key may need to write the day's secret
    // (a new day since the password step, or another instance served it).
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    let ip_key = session::ip_key(&state.db, &ip).await?;
    let mut tx = state.db.begin_write().await?;
    let Some((user_id, next, attempts)) = totp::store::challenge(&mut tx, &f.challenge).await?
    else {
        tx.rollback().await?;
        // Expired or used up: start again from the password.
        return Ok(see_other("/admin/login?expired=1"));
    };
    let user = store::user_by_id(&state.db, user_id).await?;
    let Some(user) = user.filter(|u| !u.is_disabled()) else {
        totp::store::end_challenge(&mut tx, &f.challenge).await?;
        tx.commit().await?;
        return Ok(see_other("/admin/login"));
    };
    let email_key = session::email_key(&user.email);
    if session::store::is_throttled(&state.db, &email_key, &ip_key).await? {
        totp::store::end_challenge(&mut tx, &f.challenge).await?;
        tx.commit().await?;
        return Err(AppError::TooManyRequests(Msg::new("admin-login-throttled")));
    }
    let Some(how) = totp::store::check_login_code(&mut tx, user_id, &f.code).await? else {
        totp::store::challenge_failed(&mut tx, &f.challenge, attempts).await?;
        tx.commit().await?;
        session::store::record_failure(&state.db, &email_key, &ip_key).await?;
        if attempts + 1 >= totp::CHALLENGE_ATTEMPTS {
            return Ok(see_other("/admin/login?expired=1"));
        }
        return Err(AppError::invalid(&CodeTemplate {
            c: &c,
            challenge: &f.challenge,
            error: Some(Msg::new("admin-two-factor-wrong")),
        }));
    };
    totp::store::end_challenge(&mut tx, &f.challenge).await?;
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
        two_factor: true,
    };
    audit::record(
        &mut tx,
        Some(&actor),
        "login",
        "user",
        user.id,
        &format!("with a {how}"),
    )
    .await?;
    tx.commit().await?;
    let cookie = session::session_cookie(
        &token,
        state.config.session_hours,
        state.config.secure_cookies(),
    );
    let target = crate::web::safe_next(&next).to_string();
    let target = if target == "/" {
        "/admin".into()
    } else {
        target
    };
    Ok((
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, target)],
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "admin/two_factor.html")]
struct EnrolTemplate<'a> {
    c: &'a Ctx,
    enabled: bool,
    /// While enrolling: the QR code (SVG) and the secret to type in by hand.
    qr: String,
    secret: String,
    /// Shown once, after enrolment or when replaced.
    codes: Vec<String>,
    left: i64,
    required: bool,
    error: Option<Msg>,
    notice: &'static str,
}

async fn view<'a>(
    state: &AppState,
    c: &'a Ctx,
    staff: &StaffUser,
) -> Result<EnrolTemplate<'a>, AppError> {
    let enabled = totp::store::enabled(&state.db, staff.id).await?;
    let (qr, secret) = if enabled {
        (String::new(), String::new())
    } else {
        let secret = totp::store::pending_secret(&state.db, staff.id).await?;
        let uri = totp::otpauth_uri(c.site("name"), &staff.email, &secret);
        (totp::qr_svg(&uri), totp::grouped(&secret))
    };
    Ok(EnrolTemplate {
        c,
        enabled,
        qr,
        secret,
        codes: Vec::new(),
        left: if enabled {
            totp::store::recovery_left(&state.db, staff.id).await?
        } else {
            0
        },
        required: state.config.require_admin_two_factor && staff.role == Role::Admin,
        error: None,
        notice: "",
    })
}

async fn enrol_page(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    private_page(&view(&state, &c, &staff).await?)
}

#[derive(Deserialize)]
struct CurrentCode {
    #[serde(default)]
    code: String,
}

/// `POST /admin/account/two-factor`: the first code from the app turns two-factor login
/// on and shows the recovery codes once.
async fn enrol_post(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(f): Form<CurrentCode>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let mut page = view(&state, &c, &staff).await?;
    if page.enabled {
        return Ok(see_other("/admin/account/two-factor"));
    }
    let mut tx = state.db.begin_write().await?;
    match totp::store::confirm(&mut tx, staff.id, &f.code).await? {
        Some(codes) => {
            audit::record(&mut tx, Some(&staff), "two_factor_on", "user", staff.id, "").await?;
            tx.commit().await?;
            let mut page = view(&state, &c, &staff).await?;
            page.codes = codes;
            page.notice = "admin-two-factor-now-on";
            private_page(&page)
        }
        None => {
            tx.rollback().await?;
            page.error = Some(Msg::new("admin-two-factor-wrong"));
            Err(AppError::invalid(&page))
        }
    }
}

/// Checks a current code (from the app, or a recovery code) before a change to two-factor
/// login, so a borrowed session alone cannot make it. A wrong one answers `page` again
/// with its message (the caller's transaction is dropped, so nothing is written).
async fn current_code(
    tx: &mut crate::db::Tx,
    staff: &StaffUser,
    code: &str,
    mut page: EnrolTemplate<'_>,
) -> Result<(), AppError> {
    if totp::store::check_login_code(tx, staff.id, code)
        .await?
        .is_some()
    {
        return Ok(());
    }
    page.error = Some(Msg::new("admin-two-factor-wrong"));
    Err(AppError::invalid(&page))
}

/// `POST /admin/account/two-factor/codes`: new recovery codes (the old ones stop
/// working). Needs a current code, so a borrowed session alone cannot do it.
async fn new_codes(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(f): Form<CurrentCode>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let page = view(&state, &c, &staff).await?;
    if !page.enabled {
        return Ok(see_other("/admin/account/two-factor"));
    }
    let mut tx = state.db.begin_write().await?;
    current_code(&mut tx, &staff, &f.code, page).await?;
    let codes = totp::store::new_recovery_codes(&mut tx, staff.id).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "two_factor_codes",
        "user",
        staff.id,
        "",
    )
    .await?;
    tx.commit().await?;
    let mut page = view(&state, &c, &staff).await?;
    page.codes = codes;
    page.notice = "admin-two-factor-new-codes";
    private_page(&page)
}

/// `POST /admin/account/two-factor/off`: switches two-factor login off, with a current
/// code, unless this site requires it of this account.
async fn turn_off(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(f): Form<CurrentCode>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let mut page = view(&state, &c, &staff).await?;
    if !page.enabled {
        return Ok(see_other("/admin/account/two-factor"));
    }
    if page.required {
        page.error = Some(Msg::new("admin-two-factor-required-here"));
        return private_page_status(StatusCode::CONFLICT, &page);
    }
    let mut tx = state.db.begin_write().await?;
    current_code(&mut tx, &staff, &f.code, page).await?;
    totp::store::disable(&mut tx, staff.id).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "two_factor_off",
        "user",
        staff.id,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(see_other("/admin/account/two-factor"))
}
