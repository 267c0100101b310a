//! SQL for the impact tracker: asks, items and the scores they link to.

use super::*;
use crate::db::{self, Db, Tx};

const ITEM_COLUMNS: &str = "id, kind, ask_id, title, detail, happened_on, year, nation, amount, \
    source, url, area_code, is_demo";

pub async fn asks(db: &Db) -> sqlx::Result<Vec<Ask>> {
    sqlx::query_as(
        "SELECT id, title, title_cy, detail, detail_cy, sort_order, is_demo FROM impact_asks \
         ORDER BY sort_order, id",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn items(db: &Db) -> sqlx::Result<Vec<Item>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS} FROM impact_items ORDER BY happened_on DESC, id DESC"
    )))
    .fetch_all(&db.pool)
    .await
}

pub async fn item_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Item>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS} FROM impact_items WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn save_ask(tx: &mut Tx, id: Option<i64>, f: &AskForm) -> sqlx::Result<i64> {
    let order: i64 = f.sort_order.trim().parse().unwrap_or(0);
    let sql = match id {
        Some(_) => {
            "UPDATE impact_asks SET title=$1, title_cy=$2, detail=$3, detail_cy=$4, \
             sort_order=$5, updated_at=$6 WHERE id=$7 RETURNING id"
        }
        None => {
            "INSERT INTO impact_asks (title, title_cy, detail, detail_cy, sort_order, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id"
        }
    };
    let mut q = sqlx::query_scalar(sql)
        .bind(f.title.trim())
        .bind(f.title_cy.trim())
        .bind(f.detail.trim())
        .bind(f.detail_cy.trim())
        .bind(order)
        .bind(db::now());
    if let Some(id) = id {
        q = q.bind(id);
    }
    let id = q.fetch_one(&mut **tx).await?;
    db::bump_content_version(tx).await?;
    Ok(id)
}

pub async fn save_item(
    tx: &mut Tx,
    id: Option<i64>,
    f: &ItemForm,
    c: &CheckedItem,
) -> sqlx::Result<i64> {
    let sql = match id {
        Some(_) => {
            "UPDATE impact_items SET kind=$1, ask_id=$2, title=$3, detail=$4, happened_on=$5, \
             year=$6, nation=$7, amount=$8, source=$9, url=$10, area_code=$11, updated_at=$12 \
             WHERE id=$13 RETURNING id"
        }
        None => {
            "INSERT INTO impact_items (kind, ask_id, title, detail, happened_on, year, nation, \
             amount, source, url, area_code, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id"
        }
    };
    let mut q = sqlx::query_scalar(sql)
        .bind(&f.kind)
        .bind(c.ask_id)
        .bind(f.title.trim())
        .bind(f.detail.trim())
        .bind(f.happened_on.trim())
        .bind(c.year)
        .bind(&f.nation)
        .bind(c.amount)
        .bind(f.source.trim())
        .bind(f.url.trim())
        .bind(f.area_code.trim())
        .bind(db::now());
    if let Some(id) = id {
        q = q.bind(id);
    }
    let id = q.fetch_one(&mut **tx).await?;
    db::bump_content_version(tx).await?;
    Ok(id)
}

pub async fn delete(tx: &mut Tx, table: &str, id: i64) -> sqlx::Result<bool> {
    let table = if table == "ask" {
        "impact_asks"
    } else {
        "impact_items"
    };
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await?;
    Ok(r.rows_affected() > 0)
}

// ----- charts -----

/// (year, level, areas) from the atlas's current scores.
pub async fn levels_by_year(db: &Db) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT year, level, COUNT(*) FROM area_scores GROUP BY year, level ORDER BY year, level",
    )
    .fetch_all(&db.pool)
    .await
}

/// The score change of every item linked to an area, from the atlas's scores, so the page
/// can say "moved from level 1 to 3". One query for all the linked areas.
pub async fn score_changes(db: &Db, items: &[Item]) -> sqlx::Result<Vec<ScoreChange>> {
    let linked: Vec<&Item> = items.iter().filter(|i| !i.area_code.is_empty()).collect();
    if linked.is_empty() {
        return Ok(Vec::new());
    }
    let mut codes: Vec<&str> = linked.iter().map(|i| i.area_code.as_str()).collect();
    codes.sort();
    codes.dedup();
    let marks: Vec<String> = (1..=codes.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT area_code, year, level FROM area_scores WHERE area_code IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64, i64)>(sqlx::AssertSqlSafe(sql));
    for c in &codes {
        q = q.bind(*c);
    }
    let scores: std::collections::HashMap<(String, i64), i64> = q
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|(code, year, level)| ((code, year), level))
        .collect();
    let level = |code: &str, year: i64| scores.get(&(code.to_string(), year)).copied();
    Ok(linked
        .iter()
        .map(|i| {
            let (code, year) = (i.area_code.clone(), i.year);
            let (before, after) = (level(&code, year - 1), level(&code, year));
            (i.id, code, before, after)
        })
        .collect())
}

/// Demo asks and items for a new database (labelled as demo).
pub async fn seed_demo(tx: &mut Tx) -> sqlx::Result<()> {
    let now = db::now();
    let asks = [
        (
            "Specialist community perinatal mental health care in every area",
            "Gofal iechyd meddwl amenedigol cymunedol arbenigol ym mhob ardal",
        ),
        (
            "A mother and baby unit within reach of every family",
            "Uned mamau a babanod o fewn cyrraedd pob teulu",
        ),
    ];
    let mut ids = Vec::new();
    for (i, (en, cy)) in asks.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO impact_asks (title, title_cy, detail, detail_cy, sort_order, is_demo, \
             updated_at) VALUES ($1, $2, $3, '', $4, 1, $5) RETURNING id",
        )
        .bind(en)
        .bind(cy)
        .bind("Demo ask: an editor should replace it with the alliance's own.")
        .bind(i as i64 * 10)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        ids.push(id);
    }
    let items: &[(&str, usize, &str, &str, &str, i64, &str)] = &[
        (
            "funding",
            0,
            "Demo: new investment in community perinatal teams",
            "2019-04-01",
            "england",
            40_000_000,
            "",
        ),
        (
            "funding",
            0,
            "Demo: perinatal mental health funding",
            "2019-06-01",
            "scotland",
            12_000_000,
            "",
        ),
        (
            "funding",
            0,
            "Demo: perinatal mental health funding",
            "2021-05-01",
            "wales",
            3_000_000,
            "",
        ),
        (
            "funding",
            0,
            "Demo: perinatal mental health funding",
            "2021-09-01",
            "northern-ireland",
            1_500_000,
            "",
        ),
        (
            "funding",
            0,
            "Demo: further community investment",
            "2023-04-01",
            "england",
            25_000_000,
            "",
        ),
        (
            "service",
            1,
            "Demo: a new mother and baby unit opens",
            "2022-10-01",
            "wales",
            0,
            "",
        ),
        (
            "outcome",
            0,
            "Demo: every area in one nation now has a specialist team",
            "2023-03-31",
            "england",
            0,
            "",
        ),
        (
            "evidence",
            0,
            "Demo: report on the cost of perinatal mental health problems",
            "2014-10-20",
            "",
            0,
            "Demo source",
        ),
    ];
    for (kind, ask, title, day, nation, amount, source) in items {
        sqlx::query(
            "INSERT INTO impact_items (kind, ask_id, title, detail, happened_on, year, nation, \
             amount, source, is_demo, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)",
        )
        .bind(kind)
        .bind(ids[*ask])
        .bind(title)
        .bind("Demo item: not a real figure.")
        .bind(day)
        .bind(day[..4].parse::<i64>().unwrap_or(0))
        .bind(nation)
        .bind(amount)
        .bind(source)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
