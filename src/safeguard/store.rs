//! Flags kept beside the items they were raised on: what was found (categories only) and
//! when a member of staff first opened the item.

use crate::db::{Db, Tx};

use super::Finding;

/// The channels whose free text is checked, as stored.
pub const CHANNELS: &[&str] = &[
    "story",
    "enquiry",
    "member",
    "supporter",
    "activity",
    "survey",
];

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Flag {
    pub id: i64,
    pub channel: String,
    pub item_id: i64,
    pub categories: String,
    pub lang: String,
    pub created_at: i64,
    pub first_seen_at: Option<i64>,
    pub first_seen_by: String,
}

impl Flag {
    pub fn finding(&self) -> Finding {
        Finding::from_codes(&self.categories)
    }

    /// Where staff read the item.
    pub fn admin_path(&self) -> String {
        super::admin_path(&self.channel, self.item_id)
    }

    /// Seconds from the flag to the first look, once there was one.
    pub fn wait(&self) -> Option<i64> {
        self.first_seen_at.map(|t| (t - self.created_at).max(0))
    }
}

const COLUMNS: &str =
    "id, channel, item_id, categories, lang, created_at, first_seen_at, first_seen_by";

/// Records that `channel` item `item_id` was flagged, in the transaction that stores it.
/// A new disclosure on an item already flagged (an edited activity or Champion line)
/// flags it afresh: its kinds are replaced and it waits for a first look again.
pub async fn record(
    tx: &mut Tx,
    channel: &str,
    item_id: i64,
    finding: Finding,
    lang: &str,
) -> sqlx::Result<()> {
    debug_assert!(CHANNELS.contains(&channel));
    sqlx::query(
        "INSERT INTO safeguarding_flags (channel, item_id, categories, lang, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel, item_id) DO UPDATE SET \
         categories = excluded.categories, lang = excluded.lang, \
         created_at = excluded.created_at, first_seen_at = NULL, first_seen_by = ''",
    )
    .bind(channel)
    .bind(item_id)
    .bind(finding.codes())
    .bind(lang)
    .bind(crate::db::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Notes that `who` opened the item, if it is flagged and nobody had yet.
pub async fn first_look(db: &Db, channel: &str, item_id: i64, who: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE safeguarding_flags SET first_seen_at = $1, first_seen_by = $2 \
         WHERE channel = $3 AND item_id = $4 AND first_seen_at IS NULL",
    )
    .bind(crate::db::now())
    .bind(who)
    .bind(channel)
    .bind(item_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The flag on an item, if it has one.
pub async fn for_item(db: &Db, channel: &str, item_id: i64) -> sqlx::Result<Option<Flag>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM safeguarding_flags WHERE channel = $1 AND item_id = $2"
    )))
    .bind(channel)
    .bind(item_id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn by_id(db: &Db, id: i64) -> sqlx::Result<Option<Flag>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM safeguarding_flags WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Flags nobody has opened yet, oldest first.
pub async fn awaiting(db: &Db) -> sqlx::Result<Vec<Flag>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM safeguarding_flags WHERE first_seen_at IS NULL \
         ORDER BY created_at, id"
    )))
    .fetch_all(&db.pool)
    .await
}

pub async fn count_awaiting(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM safeguarding_flags WHERE first_seen_at IS NULL")
        .fetch_one(&db.pool)
        .await
}

/// Flags raised since `since`, newest first.
pub async fn since(db: &Db, since: i64) -> sqlx::Result<Vec<Flag>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM safeguarding_flags WHERE created_at >= $1 \
         ORDER BY created_at DESC, id DESC"
    )))
    .bind(since)
    .fetch_all(&db.pool)
    .await
}

/// A few words naming the item of each flag raised since `since` or still unopened, by
/// flag id, for the staff safeguarding page: an enquiry's reference and sender, a story's
/// or activity's title, a member's or supporter's name, a survey answer's campaign. One
/// query for all of them (the only place this module reads the channels' own tables).
pub async fn item_names(
    db: &Db,
    since: i64,
) -> sqlx::Result<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT f.id, COALESCE(e.reference || ' from ' || e.name, s.title, m.name, r.name, \
         a.title, k.name, '') \
         FROM safeguarding_flags f \
         LEFT JOIN enquiries e ON f.channel = 'enquiry' AND e.id = f.item_id \
         LEFT JOIN stories s ON f.channel = 'story' AND s.id = f.item_id \
         LEFT JOIN members m ON f.channel = 'member' AND m.id = f.item_id \
         LEFT JOIN roster r ON f.channel = 'supporter' AND r.id = f.item_id \
         LEFT JOIN activities a ON f.channel = 'activity' AND a.id = f.item_id \
         LEFT JOIN campaign_survey v ON f.channel = 'survey' AND v.id = f.item_id \
         LEFT JOIN campaigns k ON k.id = v.campaign_id \
         WHERE f.first_seen_at IS NULL OR f.created_at >= $1",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The flags on one channel's items, for a queue to put flagged items first and tag them.
#[derive(Debug, Default)]
pub struct Flags(std::collections::HashMap<i64, Flag>);

impl Flags {
    pub fn get(&self, item_id: &i64) -> Option<&Flag> {
        self.0.get(item_id)
    }

    /// The kinds of risk on item `item_id` in staff words, or `None` when it is not flagged.
    pub fn kinds(&self, item_id: &i64) -> Option<String> {
        self.get(item_id)
            .map(|f| super::category_names(f.finding()))
    }

    /// Sorts `items` so that flagged ones still `waiting` (a decision to make) come
    /// first, keeping the order among the rest.
    pub fn first<T>(&self, items: &mut [T], id: impl Fn(&T) -> i64, waiting: impl Fn(&T) -> bool) {
        items.sort_by_key(|t| !(waiting(t) && self.0.contains_key(&id(t))));
    }
}

/// The flags on `channel`'s items.
pub async fn flagged_items(db: &Db, channel: &str) -> sqlx::Result<Flags> {
    let flags: Vec<Flag> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM safeguarding_flags WHERE channel = $1"
    )))
    .bind(channel)
    .fetch_all(&db.pool)
    .await?;
    Ok(Flags(flags.into_iter().map(|f| (f.item_id, f)).collect()))
}

/// One week of flags: how many, how many still unopened, and the median wait for a first
/// look among those opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// The Monday the week starts on (UK date, `2026-11-30`).
    pub monday: String,
    pub flagged: usize,
    pub unopened: usize,
    pub median_wait: Option<i64>,
}

/// `flags` grouped into UK weeks (Monday to Sunday), newest first.
pub fn weeks(flags: &[Flag]) -> Vec<Week> {
    let mut by: std::collections::BTreeMap<String, Vec<&Flag>> = Default::default();
    for f in flags {
        let d = crate::uktime::local(f.created_at).date();
        let monday = d - time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
        by.entry(crate::uktime::day_string(monday))
            .or_default()
            .push(f);
    }
    by.into_iter()
        .rev()
        .map(|(monday, fs)| {
            let mut waits: Vec<i64> = fs.iter().filter_map(|f| f.wait()).collect();
            waits.sort_unstable();
            let median_wait = match waits.len() {
                0 => None,
                n if n % 2 == 1 => Some(waits[n / 2]),
                n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
            };
            Week {
                monday,
                flagged: fs.len(),
                unopened: fs.iter().filter(|f| f.first_seen_at.is_none()).count(),
                median_wait,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(created_at: i64, seen_after: Option<i64>) -> Flag {
        Flag {
            id: 0,
            channel: "story".into(),
            item_id: 1,
            categories: "suicide".into(),
            lang: "en".into(),
            created_at,
            first_seen_at: seen_after.map(|s| created_at + s),
            first_seen_by: String::new(),
        }
    }

    #[test]
    fn weeks_start_on_monday_and_take_the_median_wait() {
        // 2026-11-30 is a Monday; 12:00 UTC is 12:00 in London in winter.
        let monday = 1_796_040_000;
        let flags = [
            flag(monday, Some(60)),
            flag(monday + 86_400, Some(600)),
            flag(monday + 6 * 86_400, None),
            flag(monday + 7 * 86_400, Some(30)),
            flag(monday + 7 * 86_400 + 10, Some(90)),
        ];
        let w = weeks(&flags);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].monday, "2026-12-07");
        assert_eq!(
            (w[0].flagged, w[0].unopened, w[0].median_wait),
            (2, 0, Some(60))
        );
        assert_eq!(w[1].monday, "2026-11-30");
        assert_eq!(
            (w[1].flagged, w[1].unopened, w[1].median_wait),
            (3, 1, Some(330))
        );
    }
}
