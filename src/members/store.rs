//! SQL for member organisations: applications, their review and the directory.

use super::*;
use crate::db::{self, Db, Tx};

/// A URL name for a member from its name, unique among members.
async fn unique_slug(tx: &mut Tx, name: &str, id: i64) -> sqlx::Result<String> {
    let mut base = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    let base = base
        .trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>();
    let base = if base.is_empty() {
        format!("member-{id}")
    } else {
        base
    };
    let mut slug = base.clone();
    for n in 2.. {
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE slug = $1 AND id <> $2")
                .bind(&slug)
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        if taken == 0 {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// Stores a checked application; returns its id.
pub async fn create(
    tx: &mut Tx,
    a: &Application,
    email: &str,
    website: &str,
    lang: Lang,
) -> sqlx::Result<i64> {
    let now = db::now();
    sqlx::query_scalar(
        "INSERT INTO members (name, kind, nation, website, profile, contact_name, \
         contact_email, contact_phone, reason, principles_version, lang, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(&a.name)
    .bind(&a.kind)
    .bind(&a.nation)
    .bind(website)
    .bind(&a.profile)
    .bind(&a.contact_name)
    .bind(email)
    .bind(&a.contact_phone)
    .bind(&a.reason)
    .bind(principles_version())
    .bind(lang.code())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

const COLUMNS: &str = "id, slug, name, kind, nation, website, profile, contact_name, \
    contact_email, contact_phone, reason, principles_version, lang, status, decision_reason, \
    created_at, updated_at, decided_at, logo";

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn by_slug(db: &Db, slug: &str) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE slug = $1 AND status = 'approved'"
    )))
    .bind(slug)
    .fetch_optional(&db.pool)
    .await
}

/// Approved members, by name, optionally of one nation and kind.
pub async fn directory(db: &Db, nation: &str, kind: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE status = 'approved' \
         AND ($1 = '' OR nation = $1) AND ($2 = '' OR kind = $2) ORDER BY LOWER(name), id"
    )))
    .bind(nation)
    .bind(kind)
    .fetch_all(&db.pool)
    .await
}

/// Applications and members for staff: `status` "" for all but those who left.
pub async fn list(db: &Db, status: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE ($1 = '' AND status <> 'left') OR status = $1 \
         ORDER BY CASE status WHEN 'received' THEN 0 WHEN 'under_review' THEN 1 ELSE 2 END, \
         created_at, id LIMIT 1000"
    )))
    .bind(status)
    .fetch_all(&db.pool)
    .await
}

pub async fn open_count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE status IN ('received', 'under_review')")
        .fetch_one(&db.pool)
        .await
}

/// Staff corrections to the public profile (before or after approval).
pub async fn save_profile(
    tx: &mut Tx,
    id: i64,
    name: &str,
    kind: &str,
    nation: &str,
    website: &str,
    profile: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET name = $1, kind = $2, nation = $3, website = $4, profile = $5, \
         updated_at = $6 WHERE id = $7",
    )
    .bind(name)
    .bind(kind)
    .bind(nation)
    .bind(website)
    .bind(profile)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves an application along. Approval gives it a URL name and publishes the profile;
/// leaving or declining takes it down. Returns false when the step does not apply to
/// the current status (nothing changes).
pub async fn decide(
    tx: &mut Tx,
    m: &Member,
    to: &str,
    reason: &str,
    staff: &StaffUser,
) -> sqlx::Result<bool> {
    let allowed: &[&str] = match to {
        "under_review" => &["received"],
        "approved" => &["received", "under_review", "declined", "left"],
        "declined" => &["received", "under_review"],
        "left" => &["approved"],
        _ => &[],
    };
    if !allowed.contains(&m.status.as_str()) {
        return Ok(false);
    }
    let slug = if to == "approved" {
        Some(unique_slug(tx, &m.name, m.id).await?)
    } else {
        m.slug.clone()
    };
    sqlx::query(
        "UPDATE members SET status = $1, decision_reason = $2, slug = $3, reviewer_id = $4, \
         decided_at = $5, updated_at = $5 WHERE id = $6",
    )
    .bind(to)
    .bind(reason)
    .bind(slug)
    .bind(staff.id)
    .bind(db::now())
    .bind(m.id)
    .execute(&mut **tx)
    .await?;
    if to == "approved" || m.status == "approved" {
        db::bump_content_version(tx).await?;
    }
    Ok(true)
}

/// Sets or clears a member's logo.
pub async fn set_logo(tx: &mut Tx, id: i64, logo: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET logo = $1, updated_at = $2 WHERE id = $3")
        .bind(logo)
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    db::bump_content_version(tx).await
}

/// Applications whose contact is this address (for a data-protection request).
pub async fn by_contact(db: &Db, email: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE contact_email = $1 ORDER BY id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

/// Erases a contact person from applications and memberships: the organisation's own
/// profile stays (it is not about a person), the contact's name, address and phone go.
pub async fn erase_contact(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE members SET contact_name = '', contact_email = '', contact_phone = '', \
         updated_at = $1 WHERE contact_email = $2",
    )
    .bind(db::now())
    .bind(email)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
