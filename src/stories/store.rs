//! SQL for stories: submission, the moderation queue, publication, withdrawal and
//! erasure.

use super::*;
use crate::db::{self, Db, Tx};

/// Stores a checked submission; returns its id and the storyteller's private withdrawal
/// token (only its hash is kept).
pub async fn create(
    tx: &mut Tx,
    d: &Draft,
    email: Option<&str>,
    risk: crate::safeguard::Finding,
    lang: Lang,
) -> sqlx::Result<(i64, String)> {
    let now = db::now();
    let link = PrivateLink::new();
    let named = d.scope == "named";
    let id = sqlx::query_scalar(
        "INSERT INTO stories (title, body, first_name, town, nation, teller, email, scope, \
         consent_version, lang, flagged, flag_phrases, withdraw_hash, created_at, updated_at, \
         image) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
         RETURNING id",
    )
    .bind(&d.title)
    .bind(&d.body)
    // Anonymous scopes keep no name or town: least data kept.
    .bind(if named { d.first_name.as_str() } else { "" })
    .bind(if named { d.town.as_str() } else { "" })
    .bind(&d.nation)
    .bind(&d.teller)
    .bind(email.unwrap_or(""))
    .bind(&d.scope)
    .bind(consent_version())
    .bind(lang.code())
    .bind(i64::from(risk.is_risky()))
    // Categories only ("suicide,baby"): the words that matched are never kept.
    .bind(risk.codes())
    .bind(link.hash())
    .bind(now)
    .bind(&d.image)
    .fetch_one(&mut **tx)
    .await?;
    if risk.is_risky() {
        crate::safeguard::store::record(tx, "story", id, risk, lang.code()).await?;
    }
    Ok((id, link.into_string()))
}

const COLUMNS: &str = "id, title, body, edited_title, edited_body, first_name, town, nation, \
    teller, email, scope, consent_version, lang, status, flagged, flag_phrases, \
    reject_reason, created_at, updated_at, published_at, quotes, image";

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Story>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Published stories (whole texts), newest first.
pub async fn published(db: &Db) -> sqlx::Result<Vec<Story>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE status = 'published' \
         AND scope IN ('named', 'anonymous') ORDER BY published_at DESC, id DESC LIMIT 200"
    )))
    .fetch_all(&db.pool)
    .await
}

/// Stories given for quotes only, whose quotes are published.
pub async fn published_quotes(db: &Db) -> sqlx::Result<Vec<Story>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE status = 'published' AND scope = 'quotes' \
         AND quotes <> '' ORDER BY published_at DESC, id DESC LIMIT 200"
    )))
    .fetch_all(&db.pool)
    .await
}

/// The moderation queue: `status` ("" for all but withdrawn), flagged first, oldest first.
pub async fn queue(db: &Db, status: &str) -> sqlx::Result<Vec<Story>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE ($1 = '' AND status <> 'withdrawn') OR status = $1 \
         ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, flagged DESC, created_at, id \
         LIMIT 500"
    )))
    .bind(status)
    .fetch_all(&db.pool)
    .await
}

pub async fn pending_count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM stories WHERE status = 'pending'")
        .fetch_one(&db.pool)
        .await
}

/// Saves the moderator's edited (redacted) version; a published story's page shows it at
/// once (the content version moves, so cached pages go).
pub async fn save_edit(tx: &mut Tx, id: i64, title: &str, body: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE stories SET edited_title = $1, edited_body = $2, updated_at = $3 \
         WHERE id = $4 AND status <> 'withdrawn'",
    )
    .bind(title)
    .bind(body)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await
}

/// Publishes within the consent given: `false` (and nothing changes) for a scope that
/// does not allow publication or a story no longer pending or rejected.
pub async fn publish(tx: &mut Tx, backend: db::Backend, s: &Story) -> sqlx::Result<bool> {
    if !publishable(&s.scope) {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE stories SET status = 'published', published_at = $1, updated_at = $1, \
         reject_reason = '' WHERE id = $2 AND status IN ('pending', 'rejected') \
         AND scope IN ('named', 'anonymous')",
    )
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        reindex(tx, backend, s, true).await?;
    }
    Ok(done)
}

/// Takes the picture off a story (a moderator's redaction: a face, a name badge).
pub async fn remove_image(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE stories SET image = '', updated_at = $1 WHERE id = $2")
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    db::bump_content_version(tx).await
}

/// Publishes quotes from a story given for "quotes only" (never its whole text). `false`
/// (nothing changes) for any other scope.
pub async fn publish_quotes(tx: &mut Tx, s: &Story, quotes: &[String]) -> sqlx::Result<bool> {
    if s.scope != "quotes" {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE stories SET status = 'published', quotes = $1, published_at = $2, \
         updated_at = $2, reject_reason = '' WHERE id = $3 AND scope = 'quotes' \
         AND status <> 'withdrawn'",
    )
    .bind(quotes.join("\n"))
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if done {
        db::bump_content_version(tx).await?;
    }
    Ok(done)
}

/// Takes a published story down (back to pending) or rejects a pending one with a reason.
pub async fn unpublish(tx: &mut Tx, backend: db::Backend, s: &Story) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE stories SET status = 'pending', published_at = NULL, updated_at = $1 \
         WHERE id = $2 AND status = 'published'",
    )
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?;
    reindex(tx, backend, s, false).await
}

pub async fn reject(
    tx: &mut Tx,
    backend: db::Backend,
    s: &Story,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE stories SET status = 'rejected', reject_reason = $1, published_at = NULL, \
         updated_at = $2 WHERE id = $3 AND status IN ('pending', 'published')",
    )
    .bind(reason)
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?;
    reindex(tx, backend, s, false).await
}

/// The story a withdrawal token belongs to (not yet withdrawn).
pub async fn by_withdraw_token(db: &Db, token: &str) -> sqlx::Result<Option<Story>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE withdraw_hash = $1 AND status <> 'withdrawn'"
    )))
    .bind(link.hash())
    .fetch_optional(&db.pool)
    .await
}

/// Withdrawal: unpublished everywhere at once, and the text, names and address erased;
/// only the row's id, scope, consent version and dates stay for the audit log.
pub async fn withdraw(tx: &mut Tx, backend: db::Backend, s: &Story) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE stories SET status = 'withdrawn', title = '', body = '', edited_title = NULL, \
         edited_body = NULL, first_name = '', town = '', email = '', flag_phrases = '', \
         reject_reason = '', quotes = '', image = '', published_at = NULL, \
         withdrawn_at = $1, updated_at = $1 WHERE id = $2",
    )
    .bind(db::now())
    .bind(s.id)
    .execute(&mut **tx)
    .await?;
    reindex(tx, backend, s, false).await
}

/// Stories whose writer gave this address (not withdrawn).
pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Vec<Story>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE email = $1 AND status <> 'withdrawn' ORDER BY id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

/// Withdraws every story from one address (erasure request). Returns how many.
pub async fn erase_by_email(tx: &mut Tx, backend: db::Backend, email: &str) -> sqlx::Result<u64> {
    let stories: Vec<Story> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM stories WHERE email = $1 AND status <> 'withdrawn'"
    )))
    .bind(email)
    .fetch_all(&mut **tx)
    .await?;
    for s in &stories {
        withdraw(tx, backend, s).await?;
    }
    Ok(stories.len() as u64)
}

/// Who is told about a flagged story: active moderators, or admins when there are none.
pub async fn safeguarding_contacts(db: &Db) -> sqlx::Result<Vec<String>> {
    let mods: Vec<String> = sqlx::query_scalar(
        "SELECT email FROM users WHERE disabled = 0 AND role = 'moderator' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    if !mods.is_empty() {
        return Ok(mods);
    }
    sqlx::query_scalar("SELECT email FROM users WHERE disabled = 0 AND role = 'admin' ORDER BY id")
        .fetch_all(&db.pool)
        .await
}
