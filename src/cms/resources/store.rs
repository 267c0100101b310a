//! Every query about resources.

use super::{ResourceForm, ResourceRow};
use crate::db::{self, Db, Tx};

const COLUMNS: &str = "id, slug, title, kind, description, file_name, stored_name, content_type, \
                       size_bytes, external_url, status, is_demo, updated_at FROM resources";

/// Published resources, optionally of one kind.
pub async fn published(db: &Db, kind: &str) -> sqlx::Result<Vec<ResourceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE status = 'published' AND ($1 = '' OR kind = $1) ORDER BY kind, title"
    )))
    .bind(kind)
    .fetch_all(&db.pool)
    .await
}

pub async fn all_resources(db: &Db) -> sqlx::Result<Vec<ResourceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY updated_at DESC"
    )))
    .fetch_all(&db.pool)
    .await
}

pub async fn resource_by_id(db: &Db, id: i64) -> sqlx::Result<Option<ResourceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn resource_by_stored(db: &Db, stored: &str) -> sqlx::Result<Option<ResourceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE stored_name = $1"
    )))
    .bind(stored)
    .fetch_optional(&db.pool)
    .await
}

/// The resource using a web address, if any.
pub async fn slug_owner(db: &Db, slug: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM resources WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await
}

/// Writes a resource row; `file` is (name, stored name, content type, size), all empty
/// for a link.
pub async fn write_row(
    tx: &mut Tx,
    id: Option<i64>,
    f: &ResourceForm,
    file: (String, String, String, i64),
) -> sqlx::Result<i64> {
    let now = db::now();
    let (file_name, stored_name, content_type, size) = file;
    let sql = match id {
        Some(_) => {
            "UPDATE resources SET slug=$1, title=$2, kind=$3, description=$4, external_url=$5, \
             status=$6, is_demo=$7, file_name=$8, stored_name=$9, content_type=$10, \
             size_bytes=$11, updated_at=$12 WHERE id=$13 RETURNING id"
        }
        None => {
            "INSERT INTO resources (slug, title, kind, description, external_url, status, is_demo, \
             file_name, stored_name, content_type, size_bytes, updated_at, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12) RETURNING id"
        }
    };
    let mut q = sqlx::query_scalar(sql)
        .bind(f.slug.trim())
        .bind(f.title.trim())
        .bind(&f.kind)
        .bind(f.description.trim())
        .bind(f.external_url.trim())
        .bind(&f.status)
        .bind(i64::from(f.is_demo))
        .bind(file_name)
        .bind(stored_name)
        .bind(content_type)
        .bind(size)
        .bind(now);
    if let Some(id) = id {
        q = q.bind(id);
    }
    q.fetch_one(&mut **tx).await
}

/// Deletes a resource row; the caller removes its search entry and its file.
pub async fn delete_resource(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM resources WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many resources there are (drafts included), for the staff dashboard.
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM resources")
        .fetch_one(&db.pool)
        .await
}
