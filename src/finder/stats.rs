//! How much the finder is used: searches per health area per day, and nothing else (no
//! postcode, place, position, time of day or visitor). Counted in memory and added to the
//! database every minute, so a search costs no write. A crash loses at most a minute of
//! counts, which is acceptable for figures that are only ever shown rounded.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::db::Db;

/// Counts under this are shown as "fewer than 5", so a quiet area on a quiet day cannot
/// point to one person's search.
pub const SUPPRESS_BELOW: i64 = 5;

#[derive(Default)]
pub struct Counter {
    /// Searches per day, then per area code. Looked up by `&str`, so a search allocates
    /// only for the first search of an area on a day.
    pending: Mutex<HashMap<time::Date, HashMap<String, i64>>>,
}

use crate::uktime::day_string;

impl Counter {
    /// One search that ended in `area_code` ("" for none).
    pub fn count(&self, area_code: &str) {
        let day = time::OffsetDateTime::now_utc().date();
        if let Ok(mut p) = self.pending.lock() {
            let areas = p.entry(day).or_default();
            match areas.get_mut(area_code) {
                Some(n) => *n += 1,
                None => {
                    areas.insert(area_code.to_string(), 1);
                }
            }
        }
    }

    /// Adds the pending counts to the database. On failure they stay pending.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<()> {
        let batch: Vec<((time::Date, String), i64)> = match self.pending.lock() {
            Ok(mut p) => p
                .drain()
                .flat_map(|(day, areas)| areas.into_iter().map(move |(a, n)| ((day, a), n)))
                .collect(),
            Err(_) => return Ok(()),
        };
        if batch.is_empty() {
            return Ok(());
        }
        let write = async {
            let mut tx = db.begin_write().await?;
            for ((day, area), n) in &batch {
                sqlx::query(
                    "INSERT INTO finder_counts (day, area_code, searches) VALUES ($1, $2, $3) \
                     ON CONFLICT (day, area_code) DO UPDATE \
                     SET searches = finder_counts.searches + excluded.searches",
                )
                .bind(day_string(*day))
                .bind(area)
                .bind(n)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            anyhow::Ok(())
        };
        if let Err(e) = write.await {
            if let Ok(mut p) = self.pending.lock() {
                for ((day, area), n) in batch {
                    *p.entry(day).or_default().entry(area).or_default() += n;
                }
            }
            return Err(e);
        }
        Ok(())
    }
}

/// Searches per area over the last `days` days (including today), most first.
pub async fn per_area(db: &Db, days: i64) -> sqlx::Result<Vec<(String, i64)>> {
    let since = time::OffsetDateTime::now_utc().date() - time::Duration::days(days - 1);
    let since = day_string(since);
    sqlx::query_as(
        "SELECT area_code, CAST(SUM(searches) AS BIGINT) FROM finder_counts WHERE day >= $1 \
         GROUP BY area_code ORDER BY 2 DESC, area_code",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await
}

/// Searches per day over the last `days` days, newest first.
pub async fn per_day(db: &Db, days: i64) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT day, CAST(SUM(searches) AS BIGINT) FROM finder_counts \
         GROUP BY day ORDER BY day DESC LIMIT $1",
    )
    .bind(days)
    .fetch_all(&db.pool)
    .await
}
