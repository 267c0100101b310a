//! SQL for the page-view counts: adding a day's counts, and the dashboard's sums.

use crate::db::{Db, Tx};

/// (day, views, visitors) for one page (`""` for the whole site), oldest first.
pub async fn per_day(db: &Db, since: &str, path: &str) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT day, views, visitors FROM page_views WHERE path = $2 AND day >= $1 ORDER BY day",
    )
    .bind(since)
    .bind(path)
    .fetch_all(&db.pool)
    .await
}

/// (path, views, visitors) over the period, most viewed first.
pub async fn per_page(db: &Db, since: &str, limit: i64) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT path, CAST(SUM(views) AS BIGINT), CAST(SUM(visitors) AS BIGINT) FROM page_views \
         WHERE path <> '' AND day >= $1 GROUP BY path ORDER BY 2 DESC, path LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// (domain, views) over the period, most first.
pub async fn referrers(db: &Db, since: &str, limit: i64) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT domain, CAST(SUM(views) AS BIGINT) FROM page_referrers WHERE day >= $1 \
         GROUP BY domain ORDER BY 2 DESC, domain LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

/// (path, views, visitors) of campaign and activity pages over the period.
pub async fn campaign_pages(db: &Db, since: &str) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT path, CAST(SUM(views) AS BIGINT), CAST(SUM(visitors) AS BIGINT) FROM page_views \
         WHERE day >= $1 AND (path LIKE '/campaigns/%' OR path LIKE '/activities/%') \
         GROUP BY path",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await
}

/// Adds a day's views and visitors of a path.
pub async fn add_views(
    tx: &mut Tx,
    day: &str,
    path: &str,
    views: i64,
    visitors: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO page_views (day, path, views, visitors) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (day, path) DO UPDATE SET views = page_views.views + excluded.views, \
         visitors = page_views.visitors + excluded.visitors",
    )
    .bind(day)
    .bind(path)
    .bind(views)
    .bind(visitors)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds a day's visits from another site's domain.
pub async fn add_referrals(tx: &mut Tx, day: &str, domain: &str, views: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO page_referrers (day, domain, views) VALUES ($1, $2, $3) \
         ON CONFLICT (day, domain) DO UPDATE SET views = page_referrers.views + excluded.views",
    )
    .bind(day)
    .bind(domain)
    .bind(views)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
