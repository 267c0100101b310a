//! SQL for pictures: whether anything still shows one.

use crate::db::Db;

/// How many places (stories, member logos, roster photos, pages, campaigns, site settings)
/// show the picture stored under `name`.
pub async fn references(db: &Db, name: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM stories WHERE image = $1) + \
         (SELECT COUNT(*) FROM members WHERE logo = $1) + \
         (SELECT COUNT(*) FROM roster WHERE photo = $1) + \
         (SELECT COUNT(*) FROM pages WHERE image = $1) + \
         (SELECT COUNT(*) FROM campaigns WHERE image = $1) + \
         (SELECT COUNT(*) FROM site_settings WHERE value = $1)",
    )
    .bind(name)
    .fetch_one(&db.pool)
    .await
}
