//! SQL for areas, the level legend and provision scores.

use crate::db::{self, Db, Tx};

/// A health area.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    /// The official Welsh name ("" where none: Welsh pages show `name`).
    pub name_cy: String,
    pub nation: String,
    pub retired: i64,
    pub successor_code: Option<String>,
}

impl AreaRow {
    pub fn is_retired(&self) -> bool {
        self.retired != 0
    }

    /// The name on a page in `lang`.
    pub fn name_in(&self, lang: &crate::i18n::Lang) -> &str {
        if *lang == crate::i18n::Lang::Cy && !self.name_cy.is_empty() {
            &self.name_cy
        } else {
            &self.name
        }
    }
}

/// One level of the legend.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Level {
    pub level: i64,
    pub label: String,
    pub label_cy: String,
    pub criteria: String,
    /// What the level means, in Welsh ("" shows the English on Welsh pages, marked).
    pub criteria_cy: String,
    pub colour: String,
}

/// A score: an area's level in a year.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Score {
    pub area_code: String,
    pub year: i64,
    pub level: i64,
    pub criteria: String,
    pub note: String,
    pub source: String,
    pub is_demo: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

/// A past change to a score.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScoreRevision {
    pub id: i64,
    pub year: i64,
    pub action: String,
    pub level: Option<i64>,
    pub note: String,
    pub source: String,
    pub changed_by: String,
    pub changed_at: i64,
}

pub async fn areas(db: &Db) -> sqlx::Result<Vec<AreaRow>> {
    sqlx::query_as(
        "SELECT code, name, name_cy, nation, retired, successor_code FROM areas \
         ORDER BY CASE nation WHEN 'england' THEN 0 WHEN 'wales' THEN 1 WHEN 'scotland' THEN 2 \
         ELSE 3 END, name",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn area(db: &Db, code: &str) -> sqlx::Result<Option<AreaRow>> {
    sqlx::query_as(
        "SELECT code, name, name_cy, nation, retired, successor_code FROM areas WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&db.pool)
    .await
}

/// One current area as the in-memory map reads it.
#[derive(Debug, sqlx::FromRow)]
pub struct AreaGeometry {
    pub code: String,
    pub name: String,
    pub name_cy: String,
    pub nation: String,
    /// GeoJSON geometry.
    pub geometry: String,
}

/// Every current area with its boundary, for the in-memory map.
pub async fn geometries(db: &Db) -> sqlx::Result<Vec<AreaGeometry>> {
    sqlx::query_as(
        "SELECT code, name, name_cy, nation, geometry FROM areas WHERE retired = 0 ORDER BY code",
    )
    .fetch_all(&db.pool)
    .await
}

/// The official Welsh names of the Welsh health boards (`seed/geo/wales-lhb-names-cy.csv`):
/// (code, English name, Welsh name).
const WELSH_NAMES: &str = include_str!("../../seed/geo/wales-lhb-names-cy.csv");

/// Gives each known area its official Welsh name where it has none yet (staff's own
/// Welsh names are never overwritten). Run when the boundaries are first loaded; a
/// migration did the same for databases made before Welsh names.
pub async fn set_welsh_names(tx: &mut Tx) -> anyhow::Result<()> {
    let mut reader = csv::Reader::from_reader(WELSH_NAMES.as_bytes());
    for row in reader.records() {
        let row = row?;
        sqlx::query("UPDATE areas SET name_cy = $1 WHERE code = $2 AND name_cy = ''")
            .bind(&row[2])
            .bind(&row[0])
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Sets an area's Welsh name ("" to show the English one on Welsh pages too).
pub async fn set_welsh_name(tx: &mut Tx, code: &str, name_cy: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE areas SET name_cy = $1, updated_at = (SELECT CASE WHEN MAX(updated_at) >= $2 \
         THEN MAX(updated_at) + 1 ELSE $2 END FROM areas) WHERE code = $3",
    )
    .bind(name_cy)
    .bind(db::now())
    .bind(code)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_area(
    tx: &mut Tx,
    code: &str,
    name: &str,
    nation: &str,
    geometry: &str,
    release: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO areas (code, name, nation, geometry, boundary_release, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code)
    .bind(name)
    .bind(nation)
    .bind(geometry)
    .bind(release)
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn levels(db: &Db) -> sqlx::Result<Vec<Level>> {
    sqlx::query_as(
        "SELECT level, label, label_cy, criteria, criteria_cy, colour FROM score_levels ORDER BY level",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn insert_level(tx: &mut Tx, l: &Level) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO score_levels (level, label, label_cy, criteria, colour, criteria_cy) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(l.level)
    .bind(&l.label)
    .bind(&l.label_cy)
    .bind(&l.criteria)
    .bind(&l.colour)
    .bind(&l.criteria_cy)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes a level's wording and colour.
pub async fn update_level(tx: &mut Tx, l: &Level) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE score_levels SET label = $1, label_cy = $2, criteria = $3, colour = $4, criteria_cy = $6 WHERE level = $5",
    )
    .bind(&l.label)
    .bind(&l.label_cy)
    .bind(&l.criteria)
    .bind(&l.colour)
    .bind(l.level)
    .bind(&l.criteria_cy)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Renames an area. Its change time goes past the latest change, even within the same
/// second, so every instance's atlas fingerprint (count, latest change) moves and the
/// new name shows.
pub async fn rename_area(tx: &mut Tx, code: &str, name: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE areas SET name = $1, updated_at = (SELECT CASE WHEN MAX(updated_at) >= $2 \
         THEN MAX(updated_at) + 1 ELSE $2 END FROM areas) WHERE code = $3",
    )
    .bind(name)
    .bind(db::now())
    .bind(code)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const SCORE_COLUMNS: &str = "area_code, year, level, criteria, note, source, is_demo, updated_by, updated_at FROM area_scores";

/// Every score in a year.
pub async fn scores_in(db: &Db, year: i64) -> sqlx::Result<Vec<Score>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SCORE_COLUMNS} WHERE year = $1"
    )))
    .bind(year)
    .fetch_all(&db.pool)
    .await
}

/// Every score of an area, newest year first.
pub async fn scores_of(db: &Db, code: &str) -> sqlx::Result<Vec<Score>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SCORE_COLUMNS} WHERE area_code = $1 ORDER BY year DESC"
    )))
    .bind(code)
    .fetch_all(&db.pool)
    .await
}

/// Each area's most recent score.
pub async fn latest_scores(db: &Db) -> sqlx::Result<Vec<Score>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SCORE_COLUMNS} s WHERE year = (SELECT MAX(year) FROM area_scores t \
         WHERE t.area_code = s.area_code)"
    )))
    .fetch_all(&db.pool)
    .await
}

/// Years that have at least one score, newest first.
pub async fn years(db: &Db) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT DISTINCT year FROM area_scores ORDER BY year DESC")
        .fetch_all(&db.pool)
        .await
}

pub async fn revisions_of(db: &Db, code: &str) -> sqlx::Result<Vec<ScoreRevision>> {
    sqlx::query_as(
        "SELECT id, year, action, level, note, source, changed_by, changed_at \
         FROM area_score_revisions WHERE area_code = $1 ORDER BY id DESC",
    )
    .bind(code)
    .fetch_all(&db.pool)
    .await
}

/// A score to write.
#[derive(Clone, Debug, PartialEq)]
pub struct NewScore {
    pub area_code: String,
    pub year: i64,
    pub level: i64,
    /// Which of the level's criteria were met (free text or a list).
    pub criteria: String,
    pub note: String,
    pub source: String,
}

/// Sets an area's score for a year (insert or replace) and records the revision. Bumps
/// the content version.
pub async fn set_score(tx: &mut Tx, s: &NewScore, by: &str, demo: bool) -> sqlx::Result<()> {
    let now = db::now();
    sqlx::query(
        "INSERT INTO area_scores (area_code, year, level, note, source, is_demo, updated_by, updated_at, criteria) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (area_code, year) DO UPDATE SET level = excluded.level, note = excluded.note, \
         source = excluded.source, is_demo = excluded.is_demo, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at, criteria = excluded.criteria",
    )
    .bind(&s.area_code)
    .bind(s.year)
    .bind(s.level)
    .bind(&s.note)
    .bind(&s.source)
    .bind(i64::from(demo))
    .bind(by)
    .bind(now)
    .bind(&s.criteria)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO area_score_revisions (area_code, year, action, level, note, source, changed_by, changed_at, criteria) \
         VALUES ($1, $2, 'set', $3, $4, $5, $6, $7, $8)",
    )
    .bind(&s.area_code)
    .bind(s.year)
    .bind(s.level)
    .bind(&s.note)
    .bind(&s.source)
    .bind(by)
    .bind(now)
    .bind(&s.criteria)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await
}

/// Removes a score (keeping the revision trail). True when there was one.
pub async fn delete_score(tx: &mut Tx, code: &str, year: i64, by: &str) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM area_scores WHERE area_code = $1 AND year = $2")
        .bind(code)
        .bind(year)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 1 {
        sqlx::query(
            "INSERT INTO area_score_revisions (area_code, year, action, changed_by, changed_at) \
             VALUES ($1, $2, 'delete', $3, $4)",
        )
        .bind(code)
        .bind(year)
        .bind(by)
        .bind(db::now())
        .execute(&mut **tx)
        .await?;
        db::bump_content_version(tx).await?;
    }
    Ok(n == 1)
}
