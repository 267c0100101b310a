//! Newsletters: segments, issues, and sending them through `newsletter_sends`.
//!
//! Starting a send fixes its recipients: one `newsletter_sends` row per confirmed
//! subscriber in the segment, inserted in one transaction by whichever instance moves the
//! newsletter from draft or scheduled to sending. Workers on any instance then claim
//! batches of rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL), send each message and mark
//! that row sent at once. After a crash, rows still queued are sent and sent rows are not,
//! so nobody is skipped; the only message that can go twice is one a worker was in the
//! middle of when it died, and it goes with the same `Message-ID` (and, to the outbox, to
//! the same file name), so mail systems treat it as one.

use askama::Template;

use super::{Outgoing, SendError, Sender, Transport};
use crate::db::{self, Db};
use crate::i18n::Lang;

/// A saved filter over confirmed subscribers; empty fields match everyone.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub nation: String,
    pub audience: String,
    pub lang: String,
    pub topic: String,
    pub subscribed_after: i64,
    pub subscribed_before: i64,
}

/// The subscriber filter, with the segment's values bound as `$1`…`$6`.
const MATCHES: &str = "s.status = 'confirmed' AND ($1 = '' OR s.nation = $1) \
    AND ($2 = '' OR s.audience = $2) AND ($3 = '' OR s.lang = $3) \
    AND ($4 = '' OR (',' || s.topics || ',') LIKE ('%,' || $4 || ',%')) \
    AND ($5 = 0 OR s.confirmed_at >= $5) AND ($6 = 0 OR s.confirmed_at < $6)";

impl Segment {
    /// How many confirmed subscribers it matches now.
    pub async fn size(&self, db: &Db) -> sqlx::Result<i64> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM subscribers s WHERE {MATCHES}"
        )))
        .bind(&self.nation)
        .bind(&self.audience)
        .bind(&self.lang)
        .bind(&self.topic)
        .bind(self.subscribed_after)
        .bind(self.subscribed_before)
        .fetch_one(&db.pool)
        .await
    }

    /// Everyone who wants the eBulletin.
    pub fn everyone() -> Segment {
        Segment {
            name: String::new(),
            topic: "ebulletin".into(),
            ..Segment::default()
        }
    }
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

/// One issue.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Newsletter {
    pub id: i64,
    pub subject: String,
    pub subject_cy: String,
    pub body: String,
    pub body_cy: String,
    pub segment_id: Option<i64>,
    pub status: String,
    pub scheduled_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub recipients: i64,
    pub in_archive: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Newsletter {
    /// Subject and Markdown body in a language (English where the Welsh is missing).
    pub fn version(&self, lang: Lang) -> (&str, &str, Lang) {
        if lang == Lang::Cy && !self.subject_cy.trim().is_empty() && !self.body_cy.trim().is_empty()
        {
            (&self.subject_cy, &self.body_cy, Lang::Cy)
        } else {
            (&self.subject, &self.body, Lang::En)
        }
    }
    pub fn editable(&self) -> bool {
        matches!(self.status.as_str(), "draft" | "scheduled")
    }
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

/// A send's progress.
#[derive(Debug, Default, Clone)]
pub struct Progress {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    /// Not sent because the send was stopped.
    pub cancelled: i64,
    /// Messages per minute over the last minute.
    pub per_minute: i64,
}

impl Progress {
    pub fn remaining(&self) -> i64 {
        self.queued
    }
    /// Minutes left at the current rate, when it is sending.
    pub fn eta_minutes(&self) -> Option<i64> {
        (self.per_minute > 0 && self.queued > 0)
            .then(|| (self.queued + self.per_minute - 1) / self.per_minute)
    }
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

/// The email body around an issue's Markdown.
#[derive(Template)]
#[template(path = "email/bulletin.html")]
struct BulletinHtml<'a> {
    lang: Lang,
    site: &'a str,
    subject: &'a str,
    body_html: &'a str,
    web_url: &'a str,
    manage_url: &'a str,
    unsubscribe_url: &'a str,
}

/// What is needed to build one subscriber's copy.
pub struct Recipient<'a> {
    pub email: &'a str,
    pub lang: Lang,
    pub manage_token: &'a str,
}

/// One subscriber's copy of an issue: their language, their self-service links, and a
/// `Message-ID` that is the same on every attempt.
pub fn message(
    n: &Newsletter,
    r: &Recipient,
    site: &str,
    public_url: &str,
    message_id: Option<String>,
) -> Outgoing {
    let body_html = crate::cms::markdown::render(n.version(r.lang).1);
    message_with_html(n, r, &body_html, site, public_url, message_id)
}

/// [`message`] with the body's HTML already rendered (the same for every recipient in a
/// language, so a send renders it once, not once per recipient).
fn message_with_html(
    n: &Newsletter,
    r: &Recipient,
    body_html: &str,
    site: &str,
    public_url: &str,
    message_id: Option<String>,
) -> Outgoing {
    let (subject, body, lang) = n.version(r.lang);
    let manage = format!("{public_url}/subscribe/manage/{}", r.manage_token);
    let unsubscribe = format!("{public_url}/subscribe/unsubscribe/{}", r.manage_token);
    let web = format!("{public_url}/bulletin/{}", n.id);
    let html = BulletinHtml {
        lang,
        site,
        subject,
        body_html,
        web_url: &web,
        manage_url: &manage,
        unsubscribe_url: &unsubscribe,
    }
    .render()
    .unwrap_or_default();
    let text = format!(
        "{subject}\n\n{body}\n\n--\n{}\n{}\n{}\n",
        lang.t_args("email-bulletin-web", &[("url", web.into())]),
        lang.t_args("email-footer-manage", &[("url", manage.into())]),
        lang.t_args(
            "email-footer-unsubscribe",
            &[("url", unsubscribe.clone().into())]
        ),
    );
    Outgoing {
        kind: "newsletter",
        to: r.email.to_string(),
        subject: subject.to_string(),
        text,
        html,
        unsubscribe_url: Some(unsubscribe),
        automatic: false,
        message_id,
    }
}

/// How long a claimed recipient row is held. It is renewed just before its message is
/// sent, so this bounds one message's delivery (SMTP times out at 30 s), and it is how long
/// rows claimed by a worker that died wait before another worker resumes them.
pub const LOCK_SECONDS: i64 = 45;

/// Sends up to `limit` due recipients of newsletters being sent. Returns how many were
/// handled (sent, failed, skipped or put back for a retry).
pub async fn send_due(
    db: &Db,
    transport: &Transport,
    sender: &Sender,
    public_url: &str,
    limit: i64,
) -> anyhow::Result<usize> {
    let now = db::now();
    let skip_locked = match db.backend {
        db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        db::Backend::Sqlite => "",
    };
    // Due: queued and due, or claimed by a worker whose lock ran out (it died).
    let claim = crate::token::random_token();
    let claimed: Vec<(i64, i64, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
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
    .bind(&claim)
    .fetch_all(&db.pool)
    .await?;
    let mut cache: Option<Newsletter> = None;
    // The body's HTML per language of the newsletter in `cache`.
    let mut html: Vec<(Lang, String)> = Vec::new();
    let handled = claimed.len();
    for (nid, sid, email, attempts) in claimed {
        if cache.as_ref().is_none_or(|n| n.id != nid) {
            cache = newsletter(db, nid).await?;
            html.clear();
        }
        let Some(n) = cache.as_ref() else { continue };
        let sub: Option<(String, String, String)> =
            sqlx::query_as("SELECT status, lang, manage_token FROM subscribers WHERE id = $1")
                .bind(sid)
                .fetch_optional(&db.pool)
                .await?;
        let mark = |status: &'static str, error: String, next: i64| {
            let pool = db.pool.clone();
            async move {
                sqlx::query(
                    "UPDATE newsletter_sends SET status = $1, last_error = $2, next_attempt_at = $3, \
                     locked_until = 0, sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END \
                     WHERE newsletter_id = $5 AND subscriber_id = $6",
                )
                .bind(status)
                .bind(error)
                .bind(next)
                .bind(db::now())
                .bind(nid)
                .bind(sid)
                .execute(&pool)
                .await
            }
        };
        // Unsubscribed (or erased) since the send started: not sent.
        let Some((_, lang, token)) = sub.filter(|s| s.0 == "confirmed") else {
            mark("skipped", String::new(), 0).await?;
            continue;
        };
        // Still ours? Renew the lock just before sending; if the batch took so long that
        // the lock ran out and another worker took the row over, leave it to that worker.
        let ours = sqlx::query(
            "UPDATE newsletter_sends SET locked_until = $1 WHERE newsletter_id = $2 \
             AND subscriber_id = $3 AND status = 'sending' AND claim = $4",
        )
        .bind(db::now() + LOCK_SECONDS)
        .bind(nid)
        .bind(sid)
        .bind(&claim)
        .execute(&db.pool)
        .await?
        .rows_affected()
            == 1;
        if !ours {
            continue;
        }
        let r = Recipient {
            email: &email,
            lang: Lang::from_code(&lang).unwrap_or_default(),
            manage_token: &token,
        };
        let body_html = match html.iter().find(|(l, _)| *l == r.lang) {
            Some((_, h)) => h,
            None => {
                html.push((r.lang, crate::cms::markdown::render(n.version(r.lang).1)));
                &html[html.len() - 1].1
            }
        };
        let m = message_with_html(
            n,
            &r,
            body_html,
            &sender.name,
            public_url,
            Some(format!("newsletter-{nid}-{sid}")),
        );
        let text = super::build(sender, &m)?;
        match transport
            .send(&format!("newsletter-{nid:05}-{sid:08}"), &email, &text)
            .await
        {
            Ok(()) => {
                mark("sent", String::new(), 0).await?;
            }
            Err(SendError { transient, message }) => {
                let give_up = !transient || attempts >= super::MAX_ATTEMPTS;
                // The reply can quote the address: kept in the table, not logged.
                tracing::warn!(
                    newsletter = nid,
                    attempts,
                    give_up,
                    "newsletter delivery failed"
                );
                let message: String = message.chars().take(500).collect();
                if give_up {
                    mark("failed", message, 0).await?;
                } else {
                    mark("queued", message, db::now() + super::backoff(attempts)).await?;
                }
            }
        }
    }
    if handled > 0 {
        finish(db).await?;
    }
    Ok(handled)
}

/// Marks sends with nothing left to do as sent.
async fn finish(db: &Db) -> sqlx::Result<()> {
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
