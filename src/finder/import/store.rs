//! SQL for the stored postcode index: replacing it, clearing it, loading it.

use super::*;
use crate::db::{self, Db};

/// Stores an imported index in place of the previous one, in one transaction, and tells
/// every instance (content version) to load it.
pub async fn store(db: &Db, idx: Arc<PostcodeIndex>, summary: &Summary) -> anyhow::Result<i64> {
    // Compressing 30 MB takes a moment: not on the async threads.
    let idx_bytes = {
        let idx = idx.clone();
        tokio::task::spawn_blocking(move || idx.to_bytes()).await?
    };
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO postcode_indexes (created_at, source, postcodes, summary, data) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(db::now())
    .bind(&idx.source)
    .bind(idx.len() as i64)
    .bind(summary.lines().join("\n"))
    .bind(idx_bytes)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM postcode_indexes WHERE id <> $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    db::bump_content_version(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}

/// Goes back to the shipped index.
pub async fn clear(db: &Db) -> anyhow::Result<u64> {
    let mut tx = db.begin_write().await?;
    let n = sqlx::query("DELETE FROM postcode_indexes")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    db::bump_content_version(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// When the stored postcode index was imported, and its summary.
pub async fn latest_summary(db: &Db) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT created_at, summary FROM postcode_indexes ORDER BY id DESC LIMIT 1")
        .fetch_optional(&db.pool)
        .await
}

/// The id of the stored index in use (0: the shipped one).
pub async fn stored_id(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM postcode_indexes")
        .fetch_one(&db.pool)
        .await
}

/// The index to use: the newest stored import, else the shipped one.
pub async fn load(db: &Db) -> anyhow::Result<(i64, Arc<PostcodeIndex>)> {
    let row: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, data FROM postcode_indexes ORDER BY id DESC LIMIT 1")
            .fetch_optional(&db.pool)
            .await?;
    match row {
        Some((id, data)) => {
            let idx =
                tokio::task::spawn_blocking(move || PostcodeIndex::from_bytes(&data)).await??;
            Ok((id, Arc::new(idx)))
        }
        None => Ok((
            0,
            tokio::task::spawn_blocking(PostcodeIndex::builtin).await?,
        )),
    }
}
