//! Server-side sessions stored in the database, so they survive restarts and are shared by
//! every instance. The cookie holds a random 256-bit token; the database holds only its
//! SHA-256, so a leaked database cannot be used to log in.

use super::{Role, StaffUser};
use crate::db::Db;
use crate::token::{PrivateLink, token_hash};

pub mod store;

/// Window over which failed logins are counted.
pub const THROTTLE_WINDOW: i64 = 15 * 60;
/// Failures allowed per account in the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failures allowed per client address in the window.
pub const MAX_FAILURES_PER_IP: i64 = 20;

/// The throttle keys for an attempt. Hashed, so the table holds no addresses or emails.
pub async fn throttle_keys(db: &Db, email: &str, ip: &str) -> sqlx::Result<(String, String)> {
    Ok((email_key(email), ip_key(db, ip).await?))
}

/// The throttle key for an account.
pub fn email_key(email: &str) -> String {
    token_hash(&format!("email:{}", email.to_lowercase()))
}

/// The throttle key for a client address. May write the day's secret: take it before
/// opening a write transaction.
pub async fn ip_key(db: &Db, ip: &str) -> sqlx::Result<String> {
    crate::web::antispam::address_key(db, "login", ip).await
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, hours: i64, secure: bool) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        super::SESSION_COOKIE,
        hours * 3600,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        super::SESSION_COOKIE,
        if secure { "; Secure" } else { "" }
    )
}
