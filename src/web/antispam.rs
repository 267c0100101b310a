//! Spam defences for public forms, with no third-party service: a honeypot field that
//! people never see, a minimum time to fill the form in, and a per-client rate limit kept
//! as keyed hashes of the address (never the address).

use crate::db::Db;

/// Seconds a person needs at least to fill in a form.
const MIN_FILL_SECONDS: i64 = 2;

/// True for a submission a bot made: the hidden field filled in, or the form sent back
/// faster than anyone can type. `started` is the time the form was served (0 if absent).
pub fn looks_automated(honeypot: &str, started: i64, now: i64) -> bool {
    !honeypot.is_empty() || (started > 0 && now - started < MIN_FILL_SECONDS)
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

/// The key under which a client address is counted: SHA-256 of the day's random secret,
/// the scope and the address. A plain hash of an IPv4 address can be reversed by trying
/// all four billion; the secret changes every day (UTC) and is deleted after two, so
/// stored keys cannot be linked back to an address once it is gone. Shared through the
/// database, so every instance counts alike.
pub async fn address_key(db: &Db, scope: &str, ip: &str) -> sqlx::Result<String> {
    let secret = day_secret(db).await?;
    Ok(crate::auth::session::token_hash(&format!(
        "{secret}:{scope}:{ip}"
    )))
}

static SECRET: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);

async fn day_secret(db: &Db) -> sqlx::Result<String> {
    let day = crate::finder::stats::today();
    if let Ok(g) = SECRET.lock()
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
    .bind(crate::auth::session::random_token())
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
    if let Ok(mut g) = SECRET.lock() {
        *g = Some((day, secret.clone()));
    }
    Ok(secret)
}
