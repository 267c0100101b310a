//! SQL for two-factor login: secrets, recovery codes and the challenge between
//! password and code.

use super::*;
use crate::db::{self, Db, Tx};

/// Whether the account has two-factor login switched on.
pub async fn enabled(db: &Db, user_id: i64) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// The secret waiting for its first code (made if there is none yet).
pub async fn pending_secret(db: &Db, user_id: i64) -> sqlx::Result<String> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(new_secret())
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Confirms enrolment with a first code; returns the recovery codes (shown once, stored
/// hashed), or `None` when the code is wrong.
pub async fn confirm(tx: &mut Tx, user_id: i64, typed: &str) -> sqlx::Result<Option<Vec<String>>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT secret, last_step FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((secret, last)) = row else {
        return Ok(None);
    };
    let Some(step) = decode_secret(&secret).and_then(|s| verify(&s, typed, db::now(), last)) else {
        return Ok(None);
    };
    sqlx::query("UPDATE user_totp SET confirmed_at = $1, last_step = $2 WHERE user_id = $3")
        .bind(db::now())
        .bind(step)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(new_recovery_codes(tx, user_id).await?))
}

/// Replaces the account's recovery codes.
pub async fn new_recovery_codes(tx: &mut Tx, user_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    for c in &codes {
        sqlx::query("INSERT INTO user_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(token_hash(&normalise_recovery(c)))
            .execute(&mut **tx)
            .await?;
    }
    Ok(codes)
}

/// Checks a code typed at login: a current TOTP code (each usable once), or an unused
/// recovery code (then used up). Returns what matched.
pub async fn check_login_code(
    tx: &mut Tx,
    user_id: i64,
    typed: &str,
) -> sqlx::Result<Option<&'static str>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT secret, last_step FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((secret, last)) = row else {
        return Ok(None);
    };
    if let Some(step) = decode_secret(&secret).and_then(|s| verify(&s, typed, db::now(), last)) {
        // Conditional, so two requests with the same code cannot both pass.
        let moved = sqlx::query(
            "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        return Ok((moved == 1).then_some("code"));
    }
    let used = sqlx::query(
        "UPDATE user_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 \
         AND used_at IS NULL",
    )
    .bind(db::now())
    .bind(user_id)
    .bind(token_hash(&normalise_recovery(typed)))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((used == 1).then_some("recovery code"))
}

/// Unused recovery codes left.
pub async fn recovery_left(db: &Db, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&db.pool)
    .await
}

/// Switches two-factor login off for an account (its secret and codes deleted).
pub async fn disable(tx: &mut Tx, user_id: i64) -> sqlx::Result<()> {
    for sql in [
        "DELETE FROM user_recovery_codes WHERE user_id = $1",
        "DELETE FROM user_totp WHERE user_id = $1",
        "DELETE FROM login_challenges WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Starts the step between password and code; returns the challenge token.
pub async fn start_challenge(tx: &mut Tx, user_id: i64, next: &str) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    sqlx::query("DELETE FROM login_challenges WHERE expires_at < $1")
        .bind(db::now())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO login_challenges (token_hash, user_id, next, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(link.hash())
    .bind(user_id)
    .bind(next)
    .bind(db::now() + CHALLENGE_SECONDS)
    .execute(&mut **tx)
    .await?;
    Ok(link.into_string())
}

/// The live challenge for a token: (user id, next page, wrong attempts so far).
pub async fn challenge(tx: &mut Tx, token: &str) -> sqlx::Result<Option<(i64, String, i64)>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(
        "SELECT user_id, next, attempts FROM login_challenges WHERE token_hash = $1 \
         AND expires_at > $2",
    )
    .bind(link.hash())
    .bind(db::now())
    .fetch_optional(&mut **tx)
    .await
}

/// Counts a wrong code; the challenge ends after the allowed attempts.
pub async fn challenge_failed(tx: &mut Tx, token: &str, attempts: i64) -> sqlx::Result<()> {
    let sql = if attempts + 1 >= CHALLENGE_ATTEMPTS {
        "DELETE FROM login_challenges WHERE token_hash = $1"
    } else {
        "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1"
    };
    sqlx::query(sql)
        .bind(token_hash(token))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn end_challenge(tx: &mut Tx, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
