//! SQL for supporters and Lived Experience Champions.

use super::*;
use crate::db::{self, Db, Tx};

const COLUMNS: &str = "id, list, name, kind, nation, town, line, email, show_name, \
    show_nation, status, lang, created_at, photo";

/// Adds an entry waiting for its person to use the private link; returns the link's
/// token. An address already on the list gets a new link instead of a second entry.
pub async fn add(
    tx: &mut Tx,
    list: &str,
    d: &Draft,
    email: &str,
    lang: Lang,
) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    let hash = link.hash();
    let now = db::now();
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM roster WHERE list = $1 AND email = $2")
            .bind(list)
            .bind(email)
            .fetch_optional(&mut **tx)
            .await?;
    match existing {
        Some(id) => {
            sqlx::query("UPDATE roster SET manage_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(&hash)
                .bind(now)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO roster (list, name, kind, nation, town, email, show_name, lang, \
                 manage_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(list)
            .bind(&d.name)
            .bind(if d.kind.is_empty() {
                "individual"
            } else {
                d.kind.as_str()
            })
            .bind(&d.nation)
            .bind(&d.town)
            .bind(email)
            .bind(if d.show_name.is_empty() {
                "first"
            } else {
                d.show_name.as_str()
            })
            .bind(lang.code())
            .bind(&hash)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(link.into_string())
}

pub async fn by_token(db: &Db, token: &str) -> sqlx::Result<Option<Entry>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE manage_hash = $1"
    )))
    .bind(link.hash())
    .fetch_optional(&db.pool)
    .await
}

/// The person's choices: saving them also lists the entry (unless staff hid it).
pub async fn save_choices(
    tx: &mut Tx,
    e: &Entry,
    show_name: &str,
    show_nation: bool,
    town: &str,
    line: &str,
    photo: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE roster SET show_name = $1, show_nation = $2, town = $3, line = $4, \
         photo = $7, \
         status = CASE WHEN status = 'hidden' THEN 'hidden' ELSE 'listed' END, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(show_name)
    .bind(i64::from(show_nation))
    .bind(town)
    .bind(line)
    .bind(db::now())
    .bind(e.id)
    .bind(photo)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await
}

/// Leaving: the entry and everything in it is deleted.
pub async fn leave(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM roster WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    db::bump_content_version(tx).await
}

/// Staff hide an entry from the public list (or show it again).
pub async fn set_hidden(tx: &mut Tx, id: i64, hidden: bool) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE roster SET status = CASE WHEN $1 = 1 THEN 'hidden' ELSE 'listed' END, \
         updated_at = $2 WHERE id = $3 AND status <> 'pending'",
    )
    .bind(i64::from(hidden))
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await
}

/// The public list.
pub async fn listed(db: &Db, list: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE list = $1 AND status = 'listed' \
         ORDER BY LOWER(name), id"
    )))
    .bind(list)
    .fetch_all(&db.pool)
    .await
}

/// Everything on a list, for staff.
pub async fn all(db: &Db, list: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE list = $1 ORDER BY created_at DESC, id DESC LIMIT 2000"
    )))
    .bind(list)
    .fetch_all(&db.pool)
    .await
}

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// For a data-protection request.
pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE email = $1 ORDER BY id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

pub async fn erase(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    let n = sqlx::query("DELETE FROM roster WHERE email = $1")
        .bind(email)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n > 0 {
        db::bump_content_version(tx).await?;
    }
    Ok(n)
}
