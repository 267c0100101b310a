//! SQL for sessions and login throttling.

use super::*;
use crate::db::{self, Db, Tx};

/// Starts a session for `user_id`; returns the token for the cookie.
pub async fn create_session(tx: &mut Tx, user_id: i64, hours: i64) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    let now = db::now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(link.hash())
    .bind(user_id)
    .bind(now)
    .bind(now + hours * 3600)
    .execute(&mut **tx)
    .await?;
    Ok(link.into_string())
}

/// The active staff member for a session token, if the session is live and the account
/// is enabled.
pub async fn staff_by_session(db: &Db, token: &str) -> sqlx::Result<Option<StaffUser>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    let hash = link.hash();
    let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.role, (SELECT COUNT(*) FROM user_totp t \
         WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
    )
    .bind(&hash)
    .bind(db::now())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(|(id, email, name, role, totp)| {
        Some(StaffUser {
            id,
            email,
            name,
            role: Role::parse(&role)?,
            session_hash: hash,
            two_factor: totp > 0,
        })
    }))
}

/// Ends one session.
pub async fn end_session(tx: &mut Tx, hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of a user ("log out everywhere", disabling, password reset).
pub async fn end_all_sessions(tx: &mut Tx, user_id: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Ends every session of a user but the one with `keep_hash` (after a password change).
pub async fn end_other_sessions(tx: &mut Tx, user_id: i64, keep_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes expired sessions and old login failures. Run periodically; safe to run on
/// several instances at once.
pub async fn purge_expired(db: &Db) -> sqlx::Result<()> {
    let now = db::now();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(now - THROTTLE_WINDOW)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM setup_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// True when either key has used up its failures in the window.
pub async fn is_throttled(db: &Db, email_key: &str, ip_key: &str) -> sqlx::Result<bool> {
    let since = db::now() - THROTTLE_WINDOW;
    let count = |key: String| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM login_failures WHERE key_hash = $1 AND at > $2",
            )
            .bind(key)
            .bind(since)
            .fetch_one(&pool)
            .await
        }
    };
    Ok(
        count(email_key.to_string()).await? >= MAX_FAILURES_PER_ACCOUNT
            || count(ip_key.to_string()).await? >= MAX_FAILURES_PER_IP,
    )
}

/// Records a failed attempt against both keys.
pub async fn record_failure(db: &Db, email_key: &str, ip_key: &str) -> sqlx::Result<()> {
    let now = db::now();
    for key in [email_key, ip_key] {
        sqlx::query("INSERT INTO login_failures (key_hash, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// Forgets an account's failures after a successful login.
pub async fn clear_failures(tx: &mut Tx, email_key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE key_hash = $1")
        .bind(email_key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
