//! SQL for newsletters: segments, issues, scheduling, and the `newsletter_sends`
//! rows that carry a send through crashes.

use super::*;
use crate::db::{self, Db};

/// The subscriber filter, with the segment's values bound as `$1`…`$6`.
const MATCHES: &str = "s.status = 'confirmed' AND ($1 = '' OR s.nation = $1) \
    AND ($2 = '' OR s.audience = $2) AND ($3 = '' OR s.lang = $3) \
    AND ($4 = '' OR (',' || s.topics || ',') LIKE ('%,' || $4 || ',%')) \
    AND ($5 = 0 OR s.confirmed_at >= $5) AND ($6 = 0 OR s.confirmed_at < $6)";

/// How many confirmed subscribers a segment matches now.
pub async fn segment_size(db: &Db, seg: &Segment) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM subscribers s WHERE {MATCHES}"
    )))
    .bind(&seg.nation)
    .bind(&seg.audience)
    .bind(&seg.lang)
    .bind(&seg.topic)
    .bind(seg.subscribed_after)
    .bind(seg.subscribed_before)
    .fetch_one(&db.pool)
    .await
}

const SEGMENT_COLUMNS: &str =
    "id, name, nation, audience, lang, topic, subscribed_after, subscribed_before";

pub async fn segments(db: &Db) -> sqlx::Result<Vec<Segment>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEGMENT_COLUMNS} FROM segments ORDER BY name"
    )))
    .fetch_all(&db.pool)
    .await
}

pub async fn segment(db: &Db, id: i64) -> sqlx::Result<Option<Segment>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn create_segment(db: &Db, s: &Segment) -> sqlx::Result<i64> {
    let mut tx = db.begin_write().await?;
    let id = sqlx::query_scalar(
        "INSERT INTO segments (name, nation, audience, lang, topic, subscribed_after, \
         subscribed_before, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&s.name)
    .bind(&s.nation)
    .bind(&s.audience)
    .bind(&s.lang)
    .bind(&s.topic)
    .bind(s.subscribed_after)
    .bind(s.subscribed_before)
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

const NEWSLETTER_COLUMNS: &str = "id, subject, subject_cy, body, body_cy, segment_id, status, \
    scheduled_at, started_at, finished_at, recipients, in_archive, created_at, updated_at";

pub async fn newsletters(db: &Db) -> sqlx::Result<Vec<Newsletter>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {NEWSLETTER_COLUMNS} FROM newsletters ORDER BY id DESC"
    )))
    .fetch_all(&db.pool)
    .await
}

pub async fn newsletter(db: &Db, id: i64) -> sqlx::Result<Option<Newsletter>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {NEWSLETTER_COLUMNS} FROM newsletters WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Sent issues for the public archive, newest first.
pub async fn archive(db: &Db) -> sqlx::Result<Vec<Newsletter>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {NEWSLETTER_COLUMNS} FROM newsletters WHERE status = 'sent' AND in_archive = 1 \
         ORDER BY finished_at DESC, id DESC"
    )))
    .fetch_all(&db.pool)
    .await
}

/// Creates (`id` 0) or updates a draft. Returns its id; `None` when it is no longer a
/// draft (a send has started).
pub async fn save(db: &Db, n: &Newsletter, by: i64) -> sqlx::Result<Option<i64>> {
    let now = db::now();
    let mut tx = db.begin_write().await?;
    let id = if n.id == 0 {
        Some(
            sqlx::query_scalar(
                "INSERT INTO newsletters (subject, subject_cy, body, body_cy, segment_id, \
                 in_archive, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&n.subject)
            .bind(&n.subject_cy)
            .bind(&n.body)
            .bind(&n.body_cy)
            .bind(n.segment_id)
            .bind(n.in_archive)
            .bind(by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?,
        )
    } else {
        sqlx::query_scalar(
            "UPDATE newsletters SET subject = $1, subject_cy = $2, body = $3, body_cy = $4, \
             segment_id = $5, in_archive = $6, updated_at = $7 \
             WHERE id = $8 AND status IN ('draft', 'scheduled') RETURNING id",
        )
        .bind(&n.subject)
        .bind(&n.subject_cy)
        .bind(&n.body)
        .bind(&n.body_cy)
        .bind(n.segment_id)
        .bind(n.in_archive)
        .bind(now)
        .bind(n.id)
        .fetch_optional(&mut *tx)
        .await?
    };
    tx.commit().await?;
    Ok(id)
}

/// Schedules a draft (`at` in unix seconds), or takes a schedule back (`None`).
pub async fn schedule(db: &Db, id: i64, at: Option<i64>) -> sqlx::Result<bool> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE newsletters SET status = $1, scheduled_at = $2, updated_at = $3 \
         WHERE id = $4 AND status IN ('draft', 'scheduled')",
    )
    .bind(if at.is_some() { "scheduled" } else { "draft" })
    .bind(at)
    .bind(db::now())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    tx.commit().await?;
    Ok(done)
}

/// Starts a send: fixes the recipients and marks the newsletter as sending, in one
/// transaction, only if it is still a draft or scheduled (so of several instances or
/// double clicks, one starts it). Returns the number of recipients, or `None` when it had
/// already started.
pub async fn start(db: &Db, id: i64) -> sqlx::Result<Option<i64>> {
    let now = db::now();
    let mut tx = db.begin_write().await?;
    let seg: Option<Option<i64>> = sqlx::query_scalar(
        "UPDATE newsletters SET status = 'sending', started_at = $1, updated_at = $1 \
         WHERE id = $2 AND status IN ('draft', 'scheduled') RETURNING segment_id",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(seg) = seg else {
        tx.rollback().await?;
        return Ok(None);
    };
    let segment = match seg {
        Some(sid) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SEGMENT_COLUMNS} FROM segments WHERE id = $1"
        )))
        .bind(sid)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_else(Segment::everyone),
        None => Segment::everyone(),
    };
    let n = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO newsletter_sends (newsletter_id, subscriber_id, email) \
         SELECT $7, s.id, s.email FROM subscribers s WHERE {MATCHES} \
         ON CONFLICT (newsletter_id, subscriber_id) DO NOTHING"
    )))
    .bind(&segment.nation)
    .bind(&segment.audience)
    .bind(&segment.lang)
    .bind(&segment.topic)
    .bind(segment.subscribed_after)
    .bind(segment.subscribed_before)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    // Nobody to send to (an empty segment): it is done at once.
    sqlx::query(
        "UPDATE newsletters SET recipients = $1, \
         status = CASE WHEN $1 = 0 THEN 'sent' ELSE status END, \
         finished_at = CASE WHEN $1 = 0 THEN $2 ELSE finished_at END WHERE id = $3",
    )
    .bind(n)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(n))
}

/// Stops a send part-way (a mistake spotted after pressing send): recipients not yet sent
/// to are marked cancelled and never sent; a message a worker is sending this moment
/// finishes. Returns whether the newsletter was sending.
pub async fn cancel(db: &Db, id: i64) -> sqlx::Result<bool> {
    let now = db::now();
    let mut tx = db.begin_write().await?;
    let stopped = sqlx::query(
        "UPDATE newsletters SET status = 'cancelled', finished_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'sending'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if stopped {
        sqlx::query(
            "UPDATE newsletter_sends SET status = 'cancelled' WHERE newsletter_id = $1 \
             AND status = 'queued'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(stopped)
}

/// Starts every scheduled newsletter whose time has come.
pub async fn start_scheduled(db: &Db) -> sqlx::Result<usize> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM newsletters WHERE status = 'scheduled' AND scheduled_at <= $1",
    )
    .bind(db::now())
    .fetch_all(&db.pool)
    .await?;
    let mut started = 0;
    for id in due {
        if start(db, id).await?.is_some() {
            started += 1;
        }
    }
    Ok(started)
}

pub async fn progress(db: &Db, id: i64) -> sqlx::Result<Progress> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT) FROM newsletter_sends WHERE newsletter_id = $1 \
         GROUP BY status",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let mut p = Progress::default();
    for (status, n) in rows {
        match status.as_str() {
            "sent" => p.sent = n,
            "failed" => p.failed = n,
            "skipped" => p.skipped = n,
            "cancelled" => p.cancelled = n,
            _ => p.queued += n,
        }
    }
    p.per_minute = sqlx::query_scalar(
        "SELECT COUNT(*) FROM newsletter_sends WHERE newsletter_id = $1 AND sent_at > $2",
    )
    .bind(id)
    .bind(db::now() - 60)
    .fetch_one(&db.pool)
    .await?;
    Ok(p)
}

/// Marks sends with nothing left to do as sent.
pub async fn finish(db: &Db) -> sqlx::Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE newsletters SET status = 'sent', finished_at = $1 WHERE status = 'sending' \
         AND NOT EXISTS (SELECT 1 FROM newsletter_sends x WHERE x.newsletter_id = newsletters.id \
         AND x.status IN ('queued', 'sending'))",
    )
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Messages sent so far, per newsletter (one query for the whole list).
pub async fn sent_counts(db: &Db) -> sqlx::Result<std::collections::HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT newsletter_id, CAST(COUNT(*) AS BIGINT) FROM newsletter_sends \
         WHERE status = 'sent' GROUP BY newsletter_id",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Claims up to `limit` due sends for one worker (`claim` marks them its own): queued and
/// due, or claimed by a worker whose lock ran out (it died). Returns
/// (newsletter, subscriber, address, attempts so far).
pub async fn claim_due(
    db: &Db,
    claim: &str,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64, String, i64)>> {
    let now = db::now();
    let skip_locked = match db.backend {
        db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        db::Backend::Sqlite => "",
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE newsletter_sends SET status = 'sending', locked_until = $1, claim = $4, \
         attempts = attempts + 1 \
         WHERE (newsletter_id, subscriber_id) IN (SELECT newsletter_id, subscriber_id \
           FROM newsletter_sends WHERE (status = 'queued' AND next_attempt_at <= $2) \
           OR (status = 'sending' AND locked_until <= $2) \
           ORDER BY newsletter_id, subscriber_id LIMIT $3{skip_locked}) \
         RETURNING newsletter_id, subscriber_id, email, attempts"
    )))
    .bind(now + LOCK_SECONDS)
    .bind(now)
    .bind(limit)
    .bind(claim)
    .fetch_all(&db.pool)
    .await
}

/// A recipient's (status, language, manage token).
pub async fn recipient(
    db: &Db,
    subscriber_id: i64,
) -> sqlx::Result<Option<(String, String, String)>> {
    sqlx::query_as("SELECT status, lang, manage_token FROM subscribers WHERE id = $1")
        .bind(subscriber_id)
        .fetch_optional(&db.pool)
        .await
}

/// Records how one send ended (or when to try again) and releases its lock.
pub async fn mark_send(
    db: &Db,
    newsletter_id: i64,
    subscriber_id: i64,
    status: &'static str,
    error: String,
    next: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE newsletter_sends SET status = $1, last_error = $2, next_attempt_at = $3, \
         locked_until = 0, sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END \
         WHERE newsletter_id = $5 AND subscriber_id = $6",
    )
    .bind(status)
    .bind(error)
    .bind(next)
    .bind(db::now())
    .bind(newsletter_id)
    .bind(subscriber_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Renews a worker's lock on one send just before sending; false when the lock ran out
/// and another worker took the row over.
pub async fn renew_claim(
    db: &Db,
    newsletter_id: i64,
    subscriber_id: i64,
    claim: &str,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE newsletter_sends SET locked_until = $1 WHERE newsletter_id = $2 \
         AND subscriber_id = $3 AND status = 'sending' AND claim = $4",
    )
    .bind(db::now() + LOCK_SECONDS)
    .bind(newsletter_id)
    .bind(subscriber_id)
    .bind(claim)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}
