//! SQL for enquiries: the inbox, notes and replies.

use super::*;
use crate::db::{self, Db, Tx};

/// Stores a checked enquiry; returns its id and reference.
pub async fn create(
    tx: &mut Tx,
    d: &Draft,
    email: &str,
    deadline: Option<i64>,
    lang: Lang,
) -> sqlx::Result<(i64, String)> {
    let now = db::now();
    let media = d.kind == "media";
    let membership = d.kind == "membership";
    // A clash of random references is astronomically rare; try again if it happens.
    for _ in 0..5 {
        let reference = new_reference(&d.kind);
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO enquiries (reference, kind, name, email, phone, organisation, outlet, \
             nation, deadline, subject, message, lang, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             ON CONFLICT (reference) DO NOTHING RETURNING id",
        )
        .bind(&reference)
        .bind(&d.kind)
        .bind(&d.name)
        .bind(email)
        .bind(&d.phone)
        .bind(if membership {
            d.organisation.as_str()
        } else {
            ""
        })
        .bind(if media { d.outlet.as_str() } else { "" })
        .bind(if membership { d.nation.as_str() } else { "" })
        .bind(deadline.filter(|_| media))
        .bind(if media || membership {
            ""
        } else {
            d.subject.as_str()
        })
        .bind(&d.message)
        .bind(lang.code())
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = id {
            return Ok((id, reference));
        }
    }
    Err(sqlx::Error::RowNotFound)
}

const COLUMNS: &str = "e.id, e.reference, e.kind, e.name, e.email, e.phone, e.organisation, \
    e.outlet, e.nation, e.deadline, e.subject, e.message, e.lang, e.status, e.assignee_id, \
    CASE WHEN u.name = '' THEN u.email ELSE u.name END AS assignee, e.created_at, e.updated_at, \
    sf.categories AS risk";

/// The inbox: open enquiries flagged for safeguarding first (oldest first), then open
/// media enquiries with a deadline, soonest deadline first; then the rest, newest first.
/// Only `kinds` are listed.
pub async fn inbox(db: &Db, kinds: &[&str], f: &Filter) -> sqlx::Result<Vec<Enquiry>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} {FROM} \
         WHERE e.kind IN ({}) \
         AND ($1 = '' OR ($1 = 'open' AND e.status IN ('new', 'in_progress')) OR e.status = $1) \
         AND ($2 = '' OR e.kind = $2) AND ($3 = 0 OR e.assignee_id = $3) \
         ORDER BY CASE WHEN sf.id IS NOT NULL AND e.status IN ('new', 'in_progress') \
           THEN 0 ELSE 1 END, \
         CASE WHEN sf.id IS NOT NULL THEN e.created_at ELSE 0 END, \
         CASE WHEN e.kind = 'media' AND e.deadline IS NOT NULL \
           AND e.status IN ('new', 'in_progress') THEN 0 ELSE 1 END, \
         e.deadline, e.created_at DESC, e.id DESC LIMIT 500",
        db::marks(4, kinds.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&f.status)
        .bind(&f.kind)
        .bind(f.assignee.unwrap_or(0));
    for k in kinds {
        q = q.bind(*k);
    }
    q.fetch_all(&db.pool).await
}

/// Counts of new enquiries per kind (for the dashboard and the inbox's heading).
pub async fn new_counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT kind, CAST(COUNT(*) AS BIGINT) FROM enquiries WHERE status = 'new' GROUP BY kind",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Enquiry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} \
         WHERE e.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Every enquiry from one address (for a data-protection request).
pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Vec<Enquiry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} \
         WHERE e.email = $1 ORDER BY e.id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

/// Deletes every enquiry from one address, with its notes. Returns how many.
pub async fn erase(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    sqlx::query(
        "DELETE FROM enquiry_notes WHERE enquiry_id IN (SELECT id FROM enquiries WHERE email = $1)",
    )
    .bind(email)
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query("DELETE FROM enquiries WHERE email = $1")
        .bind(email)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

pub async fn notes(db: &Db, id: i64) -> sqlx::Result<Vec<Note>> {
    sqlx::query_as(
        "SELECT author, body, created_at FROM enquiry_notes WHERE enquiry_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

pub async fn add_note(tx: &mut Tx, id: i64, staff: &StaffUser, body: &str) -> sqlx::Result<()> {
    let author = if staff.name.is_empty() {
        &staff.email
    } else {
        &staff.name
    };
    sqlx::query(
        "INSERT INTO enquiry_notes (enquiry_id, author_id, author, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(staff.id)
    .bind(author)
    .bind(body)
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE enquiries SET updated_at = $1 WHERE id = $2")
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets status and assignee.
pub async fn update(tx: &mut Tx, id: i64, status: &str, assignee: Option<i64>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE enquiries SET status = $1, assignee_id = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(assignee)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Active staff who handle `kind`: (id, name or address).
pub async fn handlers(db: &Db, site: &Site, kind: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let role = route(site, kind);
    sqlx::query_as(
        "SELECT id, CASE WHEN name = '' THEN email ELSE name END FROM users \
         WHERE disabled = 0 AND (role = 'admin' OR role = $1) ORDER BY name, email",
    )
    .bind(role.as_str())
    .fetch_all(&db.pool)
    .await
}
