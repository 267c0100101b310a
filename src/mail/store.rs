//! SQL for the transactional mail queue (`mail_queue`): one row per automatic email,
//! claimed by one worker at a time, kept until sent or given up.

use crate::db::{self, Db, Tx};

/// Queues a built message in the caller's transaction, due now.
pub async fn enqueue(tx: &mut Tx, kind: &str, to: &str, message: &str) -> sqlx::Result<()> {
    let now = db::now();
    sqlx::query(
        "INSERT INTO mail_queue (created_at, kind, to_addr, message, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now)
    .bind(kind)
    .bind(to)
    .bind(message)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Claims up to `limit` due messages for two minutes: (id, to, message, attempts so far).
/// Another worker's claim is skipped (PostgreSQL) or waits (SQLite's one writer).
pub async fn claim_due(db: &Db, limit: i64) -> sqlx::Result<Vec<(i64, String, String, i64)>> {
    let now = db::now();
    let skip_locked = match db.backend {
        db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        db::Backend::Sqlite => "",
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE mail_queue SET locked_until = $1, attempts = attempts + 1 WHERE id IN \
         (SELECT id FROM mail_queue WHERE sent_at IS NULL AND failed_at IS NULL \
          AND next_attempt_at <= $2 AND locked_until <= $2 ORDER BY id LIMIT $3{skip_locked}) \
         RETURNING id, to_addr, message, attempts"
    )))
    .bind(now + 120)
    .bind(now)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// Marks a message sent and drops its text.
pub async fn mark_sent(db: &Db, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE mail_queue SET sent_at = $1, message = '' WHERE id = $2")
        .bind(db::now())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `next`, or given up (its text dropped).
pub async fn mark_failed(
    db: &Db,
    id: i64,
    error: &str,
    next: i64,
    give_up: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mail_queue SET locked_until = 0, last_error = $1, \
         next_attempt_at = $2, failed_at = $3, \
         message = CASE WHEN $3 IS NULL THEN message ELSE '' END WHERE id = $4",
    )
    .bind(error)
    .bind(next)
    .bind(give_up.then(db::now))
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
