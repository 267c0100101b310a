//! One error type for every handler, mapped to a status and a stable code.
//!
//! Handlers return `Result<_, AppError>`. The response carries an [`ErrorPage`] extension
//! and the application's frame middleware (`app::frame`) turns it into a friendly HTML page (with the help
//! links and the visitor's language) or, under `/api/`, a JSON envelope. Internal causes are
//! logged, never shown. A form with problems is answered with [`AppError::invalid`]: the
//! form page itself, rendered with the visitor's input and its messages, sent with 422.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Why a request failed, in terms the visitor can act on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("bad request: {0:?}")]
    BadRequest(super::Msg),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many requests: {0:?}")]
    TooManyRequests(super::Msg),
    /// Not logged in: redirect to the login form, then back to `next`.
    #[error("login required")]
    LoginRequired(String),
    /// The session cookie is no longer valid (expired or ended): log in again.
    #[error("session ended")]
    SessionEnded(String),
    /// Logged in, but something must be done first (set up two-factor login): go there.
    #[error("redirect")]
    Redirect(String),
    #[error("cross-site request refused")]
    CrossSite,
    #[error("database unavailable")]
    Unavailable,
    /// A write met another one made at the same moment (a unique key already taken).
    #[error("conflict")]
    Conflict,
    /// Too many requests in flight: shed before doing any work (web::load).
    #[error("overloaded")]
    Overloaded,
    /// The form again, rendered with its problems marked (see [`AppError::invalid`]).
    #[error("invalid form")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// Answers a form that has problems: the page `t` (the form with the visitor's input
    /// kept and each problem next to its field) with 422 Unprocessable Content, never
    /// stored by a cache. The one way a handler answers an invalid form.
    pub fn invalid(t: &impl askama::Template) -> AppError {
        match t.render() {
            Ok(html) => AppError::Invalid(html),
            Err(e) => e.into(),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            // Two writes raced for the same unique value: a clear 409, not a 500. (Forms
            // that can say which field catch this themselves and answer 422.)
            sqlx::Error::Database(ref d) if d.is_unique_violation() => AppError::Conflict,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// Marker left on error responses for the rendering middleware.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    /// Stable machine code, e.g. `not_found`; also names the Fluent message `error-<code>`
    /// that explains it in the visitor's language.
    pub code: &'static str,
    /// A specific message, shown instead of the generic one.
    pub detail: Option<super::Msg>,
}

impl ErrorPage {
    /// The message in the visitor's language.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        match &self.detail {
            Some(d) => d.text(lang),
            None => lang.t(&format!("error-{}", self.code)),
        }
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, Option<super::Msg>) {
        match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", None),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", None),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", Some(m.clone())),
            AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", None),
            AppError::TooManyRequests(m) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                Some(m.clone()),
            ),
            AppError::LoginRequired(_) | AppError::SessionEnded(_) => {
                (StatusCode::UNAUTHORIZED, "login_required", None)
            }
            AppError::Redirect(_) => (StatusCode::SEE_OTHER, "redirect", None),
            AppError::CrossSite => (StatusCode::FORBIDDEN, "cross_site", None),
            AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None),
            AppError::Conflict => (StatusCode::CONFLICT, "conflict", None),
            AppError::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "overloaded", None),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", None),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::LoginRequired(next) | AppError::SessionEnded(next) = &self {
            let expired = if matches!(self, AppError::SessionEnded(_)) {
                "&expired=1"
            } else {
                ""
            };
            let target = format!(
                "/admin/login?next={}{expired}",
                crate::web::url_encode(crate::web::safe_next(next))
            );
            return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
        }
        if let AppError::Redirect(to) = &self {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, to.clone())]).into_response();
        }
        if let AppError::Invalid(html) = self {
            let mut res =
                (StatusCode::UNPROCESSABLE_ENTITY, axum::response::Html(html)).into_response();
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            return res;
        }
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let (status, code, detail) = self.parts();
        let page = ErrorPage {
            status,
            code,
            detail,
        };
        let mut res = (status, page.message(crate::i18n::Lang::En)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let after = if code == "overloaded" { "5" } else { "30" };
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static(after));
        }
        res.extensions_mut().insert(page);
        res
    }
}
