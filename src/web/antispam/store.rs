//! SQL for rate limits and the day's secret behind visitor hashes.

use super::*;
use crate::db::Db;

/// Submissions a risky text (one the safeguarding check flags) may make from one address
/// in an hour, past its form's own limit: a person in crisis may write again and again,
/// and what they write must reach a moderator, not only the crisis help on a 429. It
/// still bounds a flood of texts written to pass the check.
pub const RISKY_PER_HOUR: i64 = 30;

/// The hourly limit for a submission: `per_hour`, or [`RISKY_PER_HOUR`] for a risky text.
pub fn allowance(per_hour: i64, risky: bool) -> i64 {
    if risky {
        per_hour.max(RISKY_PER_HOUR)
    } else {
        per_hour
    }
}

/// Counts this attempt against the client's address for `scope`; true when it has made
/// `per_hour` attempts in the last hour already (and then this one is not counted).
pub async fn over_limit(db: &Db, scope: &str, ip: &str, per_hour: i64) -> sqlx::Result<bool> {
    let key = address_key(db, scope, ip).await?;
    let now = crate::db::now();
    let recent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rate_events WHERE key_hash = $1 AND at > $2")
            .bind(&key)
            .bind(now - 3600)
            .fetch_one(&db.pool)
            .await?;
    if recent >= per_hour {
        return Ok(true);
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM rate_events WHERE at < $1")
        .bind(now - 86_400)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO rate_events (key_hash, at) VALUES ($1, $2)")
        .bind(&key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(false)
}

/// The day's secret, created by the first instance to need it. Opens a write transaction
/// of its own when not yet cached, so never call it while holding one (on SQLite the
/// second writer would wait on the first until the busy timeout).
pub async fn day_secret(db: &Db) -> sqlx::Result<String> {
    let day = crate::uktime::utc_today();
    if let Ok(g) = db.day_secret.lock()
        && let Some((d, s)) = g.as_ref()
        && *d == day
    {
        return Ok(s.clone());
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO address_keys (day, secret) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
    )
    .bind(&day)
    .bind(crate::token::random_token())
    .execute(&mut *tx)
    .await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM address_keys WHERE day = $1")
        .bind(&day)
        .fetch_one(&mut *tx)
        .await?;
    let two_days_ago =
        crate::uktime::day_string(time::OffsetDateTime::now_utc().date() - time::Duration::days(2));
    sqlx::query("DELETE FROM address_keys WHERE day < $1")
        .bind(two_days_ago)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if let Ok(mut g) = db.day_secret.lock() {
        *g = Some((day, secret.clone()));
    }
    Ok(secret)
}
