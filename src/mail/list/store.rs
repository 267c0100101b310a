//! SQL for subscribers: sign-up, confirmation, preferences, unsubscribing and the
//! consent events each records; the suppression list; the staff search.

use super::*;
use crate::db::{self, Db, Tx};

const COLUMNS: &str = "id, email, name, nation, audience, lang, topics, status, source, \
    manage_token, created_at, confirmed_at, unsubscribed_at";

pub async fn by_email(tx: &mut Tx, email: &str) -> sqlx::Result<Option<Subscriber>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE email = $1"
    )))
    .bind(email)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn by_manage_token(db: &Db, token: &str) -> sqlx::Result<Option<Subscriber>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE manage_token = $1"
    )))
    .bind(link.as_str())
    .fetch_optional(&db.pool)
    .await
}

/// Records a consent event.
pub async fn record_consent(
    tx: &mut Tx,
    subscriber_id: i64,
    action: &str,
    source: &str,
    lang: Lang,
    ip: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO subscriber_consents (subscriber_id, at, action, source, wording_version, lang, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(subscriber_id)
    .bind(db::now())
    .bind(action)
    .bind(source)
    .bind(consent_version())
    .bind(lang.code())
    .bind(ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Signs up `email` (already normalised) with `prefs`.
pub async fn signup(
    tx: &mut Tx,
    email: &str,
    prefs: &Prefs,
    source: &str,
    confirm_days: i64,
    ip: Option<&str>,
) -> sqlx::Result<Signup> {
    let now = db::now();
    let existing = by_email(tx, email).await?;
    let sub = match existing {
        Some(s) if s.status == "confirmed" => return Ok(Signup::AlreadySubscribed(s)),
        Some(s) => {
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM subscriber_tokens WHERE subscriber_id = $1 AND expires_at > $2",
            )
            .bind(s.id)
            .bind(now + confirm_days * 86_400 - RESEND_AFTER)
            .fetch_one(&mut **tx)
            .await?;
            if recent > 0 {
                return Ok(Signup::Quiet);
            }
            sqlx::query(
                "UPDATE subscribers SET name = $1, nation = $2, audience = $3, lang = $4, \
                 topics = $5, status = 'pending', source = $6 WHERE id = $7",
            )
            .bind(&prefs.name)
            .bind(&prefs.nation)
            .bind(&prefs.audience)
            .bind(prefs.lang.code())
            .bind(prefs.topics_text())
            .bind(source)
            .bind(s.id)
            .execute(&mut **tx)
            .await?;
            s.id
        }
        None => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO subscribers (email, name, nation, audience, lang, topics, status, \
                 source, manage_token, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9) RETURNING id",
            )
            .bind(email)
            .bind(&prefs.name)
            .bind(&prefs.nation)
            .bind(&prefs.audience)
            .bind(prefs.lang.code())
            .bind(prefs.topics_text())
            .bind(source)
            .bind(PrivateLink::new().into_string())
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    record_consent(tx, sub, "signup", source, prefs.lang, ip).await?;
    let link = PrivateLink::new();
    sqlx::query(
        "INSERT INTO subscriber_tokens (token_hash, subscriber_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(link.hash())
    .bind(sub)
    .bind(now + confirm_days * 86_400)
    .execute(&mut **tx)
    .await?;
    let s = by_email(tx, email).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok(Signup::Confirm(s, link.into_string()))
}

/// Whether a confirmation token is valid now (unused, unexpired), without using it: the
/// GET of a confirmation link only shows a button.
pub async fn token_valid(db: &Db, token: &str) -> sqlx::Result<bool> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(false);
    };
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM subscriber_tokens WHERE token_hash = $1 AND used_at IS NULL \
         AND expires_at > $2",
    )
    .bind(link.hash())
    .bind(db::now())
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// Uses a confirmation token: the subscriber becomes confirmed. `None` when the token is
/// unknown, used or expired. Single use even under concurrent requests: the token is
/// claimed by one conditional UPDATE.
pub async fn confirm(
    tx: &mut Tx,
    token: &str,
    ip: Option<&str>,
) -> sqlx::Result<Option<Subscriber>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    let now = db::now();
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE subscriber_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
         AND expires_at > $1 RETURNING subscriber_id",
    )
    .bind(now)
    .bind(link.hash())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(id) = id else { return Ok(None) };
    sqlx::query(
        "UPDATE subscribers SET status = 'confirmed', confirmed_at = $1, unsubscribed_at = NULL, \
         bounces = 0 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let s: Subscriber = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    // Their own confirmed request overrides an earlier unsubscribe or erasure.
    sqlx::query("DELETE FROM mail_suppressions WHERE email_hash = $1")
        .bind(email_hash(&s.email))
        .execute(&mut **tx)
        .await?;
    record_consent(tx, id, "confirm", &s.source, s.lang(), ip).await?;
    Ok(Some(s))
}

/// Saves preferences from the self-service page.
pub async fn update_prefs(tx: &mut Tx, s: &Subscriber, prefs: &Prefs) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE subscribers SET name = $1, nation = $2, audience = $3, lang = $4, topics = $5 \
         WHERE id = $6",
    )
    .bind(&prefs.name)
    .bind(&prefs.nation)
    .bind(&prefs.audience)
    .bind(prefs.lang.code())
    .bind(prefs.topics_text())
    .bind(s.id)
    .execute(&mut **tx)
    .await?;
    record_consent(tx, s.id, "preferences", "manage", prefs.lang, None).await
}

/// Unsubscribes at once, and puts the address on the suppression list so no later import
/// subscribes it again. Repeating it changes nothing.
pub async fn unsubscribe(tx: &mut Tx, s: &Subscriber, source: &str) -> sqlx::Result<()> {
    if s.status == "unsubscribed" {
        return Ok(());
    }
    sqlx::query(
        "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = $1 WHERE id = $2",
    )
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?;
    // Pending confirmations die with it.
    sqlx::query(
        "UPDATE subscriber_tokens SET used_at = $1 WHERE subscriber_id = $2 AND used_at IS NULL",
    )
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO mail_suppressions (email_hash, reason, created_at) VALUES ($1, 'unsubscribed', $2) \
         ON CONFLICT (email_hash) DO NOTHING",
    )
    .bind(email_hash(&s.email))
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    record_consent(tx, s.id, "unsubscribe", source, s.lang(), None).await
}

/// Everything the mailing list holds about one address, for a data-protection request:
/// the subscriber row, every consent event, and each newsletter sent to it.
pub async fn export(db: &Db, email: &str) -> sqlx::Result<Option<serde_json::Value>> {
    let email = email.trim().to_lowercase();
    let s: Option<Subscriber> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE email = $1"
    )))
    .bind(&email)
    .fetch_optional(&db.pool)
    .await?;
    let Some(s) = s else { return Ok(None) };
    let consents: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT at, action, source, wording_version, lang, ip FROM subscriber_consents \
         WHERE subscriber_id = $1 ORDER BY id",
    )
    .bind(s.id)
    .fetch_all(&db.pool)
    .await?;
    let sends: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT n.id, n.subject, x.status, x.sent_at FROM newsletter_sends x \
         JOIN newsletters n ON n.id = x.newsletter_id WHERE x.subscriber_id = $1 ORDER BY n.id",
    )
    .bind(s.id)
    .fetch_all(&db.pool)
    .await?;
    let time = |t: i64| crate::uktime::date_time(t);
    Ok(Some(serde_json::json!({
        "email": s.email,
        "name": s.name,
        "nation": s.nation,
        "audience": s.audience,
        "language": s.lang,
        "topics": s.topics.split(',').filter(|t| !t.is_empty()).collect::<Vec<_>>(),
        "status": s.status,
        "source": s.source,
        "signed_up": time(s.created_at),
        "confirmed": s.confirmed_at.map(time),
        "unsubscribed": s.unsubscribed_at.map(time),
        "consents": consents.into_iter().map(|(at, action, source, version, lang, ip)| serde_json::json!({
            "at": time(at), "action": action, "source": source,
            "wording_version": version, "language": lang, "ip": ip,
        })).collect::<Vec<_>>(),
        "newsletters": sends.into_iter().map(|(id, subject, status, at)| serde_json::json!({
            "newsletter": id, "subject": subject, "status": status, "sent": at.map(time),
        })).collect::<Vec<_>>(),
    })))
}

/// Erases an address from the mailing list: the subscriber, consent events, tokens,
/// newsletter recipient rows and queued mail go; a hashed suppression entry stays so an
/// import never subscribes it again. Returns whether anything was held.
pub async fn erase(tx: &mut Tx, email: &str) -> sqlx::Result<bool> {
    let email = email.trim().to_lowercase();
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM subscribers WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut **tx)
        .await?;
    let queued = sqlx::query("DELETE FROM mail_queue WHERE LOWER(to_addr) = $1")
        .bind(&email)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if let Some(id) = id {
        for sql in [
            "DELETE FROM newsletter_sends WHERE subscriber_id = $1",
            "DELETE FROM subscriber_consents WHERE subscriber_id = $1",
            "DELETE FROM subscriber_tokens WHERE subscriber_id = $1",
            "DELETE FROM subscribers WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut **tx).await?;
        }
    }
    sqlx::query("DELETE FROM mail_bounces WHERE email_hash = $1")
        .bind(email_hash(&email))
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO mail_suppressions (email_hash, reason, created_at) VALUES ($1, 'erased', $2) \
         ON CONFLICT (email_hash) DO UPDATE SET reason = 'erased'",
    )
    .bind(email_hash(&email))
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    Ok(id.is_some() || queued > 0)
}

/// Suppressed addresses per reason.
pub async fn suppression_counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT reason, CAST(COUNT(*) AS BIGINT) FROM mail_suppressions GROUP BY reason ORDER BY reason",
    )
    .fetch_all(&db.pool)
    .await
}

/// Why and since when an address is suppressed, if it is.
pub async fn suppression_of(db: &Db, email: &str) -> sqlx::Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT reason, created_at FROM mail_suppressions WHERE email_hash = $1")
        .bind(email_hash(email))
        .fetch_optional(&db.pool)
        .await
}

/// Subscribers per status.
pub async fn status_counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT) FROM subscribers GROUP BY status ORDER BY status",
    )
    .fetch_all(&db.pool)
    .await
}

/// Subscribers matching the filters: the total, and the newest `limit` of them.
pub async fn find(db: &Db, f: &Filter<'_>, limit: i64) -> sqlx::Result<(i64, Vec<Subscriber>)> {
    let text = f.text.trim().to_lowercase();
    let like = format!("%{}%", text.replace(['%', '_'], ""));
    let filter = "($1 = '' OR LOWER(email) LIKE $2 OR LOWER(name) LIKE $2) \
        AND ($3 = '' OR status = $3) AND ($4 = '' OR nation = $4) \
        AND ($5 = '' OR audience = $5) AND ($6 = '' OR lang = $6)";
    let args = [
        text,
        like,
        f.status.to_string(),
        f.nation.to_string(),
        f.audience.to_string(),
        f.lang.to_string(),
    ];
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM subscribers WHERE {filter}"
    )));
    for a in &args {
        count = count.bind(a.clone());
    }
    let total = count.fetch_one(&db.pool).await?;
    let mut rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subscribers WHERE {filter} \
         ORDER BY created_at DESC, id DESC LIMIT $7"
    )));
    for a in &args {
        rows = rows.bind(a.clone());
    }
    let rows = rows.bind(limit).fetch_all(&db.pool).await?;
    Ok((total, rows))
}
