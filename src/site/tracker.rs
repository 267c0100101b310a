//! The impact and evidence tracker: the alliance's asks, and dated items under them:
//! outcomes won, funding (whole pounds, per nation and year), services created and
//! evidence (reports, news, statistics with their source), each optionally linked to an
//! area's provision score in the atlas. The public `/impact` page and its charts are
//! built from these; the charts are drawn here as plain numbers for SVG templates.

use serde::Deserialize;

use crate::db::{self, Db, Tx};
use crate::web::{FieldErrors, Msg};

pub const KINDS: &[&str] = &["outcome", "funding", "service", "evidence"];

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ask {
    pub id: i64,
    pub title: String,
    pub title_cy: String,
    pub detail: String,
    pub detail_cy: String,
    pub sort_order: i64,
    pub is_demo: i64,
}

impl Ask {
    pub fn title(&self, cy: bool) -> &str {
        crate::campaigns::pick(cy, &self.title, &self.title_cy)
    }
    pub fn detail(&self, cy: bool) -> &str {
        crate::campaigns::pick(cy, &self.detail, &self.detail_cy)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub kind: String,
    pub ask_id: Option<i64>,
    pub title: String,
    pub detail: String,
    pub happened_on: String,
    pub year: i64,
    pub nation: String,
    pub amount: i64,
    pub source: String,
    pub url: String,
    pub area_code: String,
    pub is_demo: i64,
}

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

/// An ask as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub title_cy: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub detail_cy: String,
    #[serde(default)]
    pub sort_order: String,
}

impl AskForm {
    pub fn from_ask(a: &Ask) -> AskForm {
        AskForm {
            title: a.title.clone(),
            title_cy: a.title_cy.clone(),
            detail: a.detail.clone(),
            detail_cy: a.detail_cy.clone(),
            sort_order: a.sort_order.to_string(),
        }
    }
    pub fn check(&self) -> FieldErrors {
        let mut e: FieldErrors = Vec::new();
        if self.title.trim().is_empty() {
            e.push(("title", Msg::new("admin-tracker-error-title")));
        } else if self.title.chars().count() > 300 || self.title_cy.chars().count() > 300 {
            e.push(("title", Msg::new("admin-err-keep-the-text-shorter")));
        }
        if self.detail.chars().count() > 5000 || self.detail_cy.chars().count() > 5000 {
            e.push(("detail", Msg::new("admin-err-keep-the-text-shorter")));
        }
        if !self.sort_order.trim().is_empty() && self.sort_order.trim().parse::<i64>().is_err() {
            e.push((
                "sort_order",
                Msg::new("admin-err-enter-a-whole-number-like-10"),
            ));
        }
        e
    }
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

/// An item as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub ask_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub happened_on: String,
    #[serde(default)]
    pub nation: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub area_code: String,
}

/// A checked item: (ask, date, year, amount).
#[derive(Debug)]
pub struct CheckedItem {
    pub ask_id: Option<i64>,
    pub year: i64,
    pub amount: i64,
}

impl ItemForm {
    pub fn from_item(i: &Item) -> ItemForm {
        ItemForm {
            kind: i.kind.clone(),
            ask_id: i.ask_id.map(|a| a.to_string()).unwrap_or_default(),
            title: i.title.clone(),
            detail: i.detail.clone(),
            happened_on: i.happened_on.clone(),
            nation: i.nation.clone(),
            amount: if i.amount > 0 {
                i.amount.to_string()
            } else {
                String::new()
            },
            source: i.source.clone(),
            url: i.url.clone(),
            area_code: i.area_code.clone(),
        }
    }

    /// Checks the form; `asks` are the asks that exist, `area_known` says whether an area
    /// code is one of the atlas's.
    pub fn check(
        &self,
        asks: &[Ask],
        area_known: impl Fn(&str) -> bool,
    ) -> Result<CheckedItem, FieldErrors> {
        let mut e: FieldErrors = Vec::new();
        if !KINDS.contains(&self.kind.as_str()) {
            e.push(("kind", Msg::new("admin-tracker-error-kind")));
        }
        if self.title.trim().is_empty() {
            e.push(("title", Msg::new("admin-tracker-error-title")));
        } else if self.title.chars().count() > 300 {
            e.push(("title", Msg::new("admin-err-keep-the-text-shorter")));
        }
        if self.detail.chars().count() > 5000 {
            e.push(("detail", Msg::new("admin-err-keep-the-text-shorter")));
        }
        let date = crate::uktime::parse_day(&self.happened_on);
        if date.is_none() {
            e.push(("happened_on", Msg::new("admin-campaign-error-date")));
        }
        let ask_id = match self.ask_id.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) if asks.iter().any(|a| a.id == id) => Some(id),
                _ => {
                    e.push(("ask_id", Msg::new("admin-tracker-error-ask")));
                    None
                }
            },
        };
        if !self.nation.is_empty()
            && !crate::site::settings::NATIONS.contains(&self.nation.as_str())
        {
            e.push(("nation", Msg::new("admin-err-choose-a-nation-or-none")));
        }
        let amount_text: String = self
            .amount
            .trim()
            .trim_start_matches('£')
            .chars()
            .filter(|c| *c != ',')
            .collect();
        let amount = if amount_text.is_empty() {
            0
        } else {
            match amount_text.parse::<i64>() {
                Ok(n) if (0..=1_000_000_000_000).contains(&n) => n,
                _ => {
                    e.push(("amount", Msg::new("admin-tracker-error-amount")));
                    0
                }
            }
        };
        if self.kind == "funding" && amount == 0 && e.iter().all(|(f, _)| *f != "amount") {
            e.push(("amount", Msg::new("admin-tracker-error-amount")));
        }
        if self.kind == "evidence" && self.source.trim().is_empty() {
            e.push(("source", Msg::new("admin-tracker-error-source")));
        }
        if !self.url.trim().is_empty() && !crate::web::input::web_address_ok(self.url.trim()) {
            e.push(("url", Msg::new("admin-tracker-error-url")));
        }
        if !self.area_code.trim().is_empty() && !area_known(self.area_code.trim()) {
            e.push(("area_code", Msg::new("admin-tracker-error-area")));
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(CheckedItem {
            ask_id,
            year: date.map(|d| d.year() as i64).unwrap_or(0),
            amount,
        })
    }
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

/// One bar of a chart, in SVG units.
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub colour: String,
    pub label: String,
}

/// One entry of a chart's key: a swatch and its label, drawn inside the chart's SVG above
/// the bars, so the two can never drift apart however the chart is scaled.
#[derive(Debug, Clone)]
pub struct Key {
    pub x: f64,
    pub y: f64,
    pub colour: String,
    pub label: String,
}

/// A bar chart: its key, bars, axis labels under groups, and the height of the plot area
/// (which starts `key_height` units down).
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Its accessible name (set by the page, in the reader's language).
    pub title: String,
    pub key: Vec<Key>,
    pub key_height: f64,
    pub bars: Vec<Bar>,
    /// (x of the group's centre, label)
    pub groups: Vec<(f64, String)>,
    pub width: f64,
    pub height: f64,
}

/// Narrowest chart: wide enough for a legible key on a phone.
const MIN_CHART_WIDTH: f64 = 320.0;

/// Lays out a key in rows across `width` units: (entries, height used).
fn key_layout(entries: Vec<(String, String)>, width: f64) -> (Vec<Key>, f64) {
    let (mut x, mut y) = (0.0, 0.0);
    let mut key = Vec::new();
    for (colour, label) in entries {
        // 12-unit text: about 6.8 units a character, plus the swatch and a gap.
        let w = 18.0 + label.chars().count() as f64 * 6.8 + 14.0;
        if x > 0.0 && x + w > width {
            x = 0.0;
            y += 18.0;
        }
        key.push(Key {
            x: r1(x),
            y: r1(y),
            colour,
            label,
        });
        x += w;
    }
    let height = if key.is_empty() { 0.0 } else { y + 26.0 };
    (key, height)
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Colours for the four nations (and UK-wide), distinguishable in grey too.
pub const NATION_COLOURS: &[(&str, &str)] = &[
    ("england", "#1d70b8"),
    ("wales", "#00703c"),
    ("scotland", "#4c2c92"),
    ("northern-ireland", "#d4351c"),
    ("", "#505a5f"),
];

/// A year of funding: (year, [(nation, pounds)]).
pub type FundingYear = (i64, Vec<(String, i64)>);

/// Funding won: for each year, one bar per nation (and UK-wide) that won any; the key
/// names those. `name` turns a nation ("" for UK-wide) into words. Returns the chart and
/// the table rows (year, [(nation, pounds)]).
pub fn funding_chart(items: &[Item], name: &dyn Fn(&str) -> String) -> (Chart, Vec<FundingYear>) {
    let mut years: Vec<i64> = items
        .iter()
        .filter(|i| i.kind == "funding")
        .map(|i| i.year)
        .collect();
    years.sort();
    years.dedup();
    let table: Vec<(i64, Vec<(String, i64)>)> = years
        .iter()
        .map(|y| {
            let per: Vec<(String, i64)> = NATION_COLOURS
                .iter()
                .map(|(n, _)| {
                    let total = items
                        .iter()
                        .filter(|i| i.kind == "funding" && i.year == *y && i.nation == *n)
                        .map(|i| i.amount)
                        .sum();
                    (n.to_string(), total)
                })
                .collect();
            (*y, per)
        })
        .collect();
    let max = table
        .iter()
        .flat_map(|(_, p)| p.iter().map(|x| x.1))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = 160.0;
    let group_w = 110.0;
    let bar_w = group_w / (NATION_COLOURS.len() as f64 + 1.0);
    let width = (table.len() as f64 * group_w).max(MIN_CHART_WIDTH);
    let present: Vec<(String, String)> = NATION_COLOURS
        .iter()
        .enumerate()
        .filter(|(i, _)| table.iter().any(|(_, per)| per[*i].1 > 0))
        .map(|(_, (n, colour))| (colour.to_string(), name(n)))
        .collect();
    let (key, key_height) = key_layout(present, width);
    let mut chart = Chart {
        key,
        key_height,
        width,
        height,
        ..Chart::default()
    };
    for (g, (year, per)) in table.iter().enumerate() {
        let gx = g as f64 * group_w;
        for (i, (nation, amount)) in per.iter().enumerate() {
            if *amount == 0 {
                continue;
            }
            let h = r1(*amount as f64 / max * (height - 10.0));
            chart.bars.push(Bar {
                x: r1(gx + bar_w * (i as f64 + 0.5)),
                y: r1(height - h),
                w: r1(bar_w - 2.0),
                h,
                colour: NATION_COLOURS[i].1.to_string(),
                label: format!("{year}, {}: {}", name(nation), pounds(*amount)),
            });
        }
        chart
            .groups
            .push((r1(gx + group_w / 2.0), year.to_string()));
    }
    (chart, table)
}

/// A headline amount: "£65m", "£1.5m", "£750,000".
pub fn pounds_short(n: i64) -> String {
    if n >= 1_000_000 {
        let m = n as f64 / 1_000_000.0;
        let text = format!("{:.1}", m);
        format!("£{}m", text.trim_end_matches(".0"))
    } else {
        pounds(n)
    }
}

/// "£1,250,000".
pub fn pounds(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("£{out}")
}

/// Areas at each provision level over the years: one stacked bar per year from the
/// atlas's scores. `rows` are (year, level, number of areas); `levels` are (level,
/// colour, label).
pub fn levels_chart(rows: &[(i64, i64, i64)], levels: &[(i64, String, String)]) -> Chart {
    let mut years: Vec<i64> = rows.iter().map(|r| r.0).collect();
    years.sort();
    years.dedup();
    let max = years
        .iter()
        .map(|y| rows.iter().filter(|r| r.0 == *y).map(|r| r.2).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = 160.0;
    let group_w = 70.0;
    let width = (years.len() as f64 * group_w).max(MIN_CHART_WIDTH);
    let (key, key_height) = key_layout(
        levels
            .iter()
            .map(|(level, colour, label)| (colour.clone(), format!("{level} {label}")))
            .collect(),
        width,
    );
    let mut chart = Chart {
        key,
        key_height,
        width,
        height,
        ..Chart::default()
    };
    for (g, year) in years.iter().enumerate() {
        let x = r1(g as f64 * group_w + 10.0);
        let mut top = height;
        for (level, colour, label) in levels {
            let n = rows
                .iter()
                .find(|r| r.0 == *year && r.1 == *level)
                .map(|r| r.2)
                .unwrap_or(0);
            if n == 0 {
                continue;
            }
            let h = r1(n as f64 / max * (height - 10.0));
            top -= h;
            chart.bars.push(Bar {
                x,
                y: r1(top),
                w: group_w - 20.0,
                h,
                colour: colour.clone(),
                label: format!("{year}, {label}: {n}"),
            });
        }
        chart
            .groups
            .push((r1(g as f64 * group_w + group_w / 2.0), year.to_string()));
    }
    chart
}

/// (year, level, areas) from the atlas's current scores.
pub async fn levels_by_year(db: &Db) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT year, level, COUNT(*) FROM area_scores GROUP BY year, level ORDER BY year, level",
    )
    .fetch_all(&db.pool)
    .await
}

/// An item's area score change: (item id, area code, level the year before, level that year).
pub type ScoreChange = (i64, String, Option<i64>, Option<i64>);

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
            "Uned mam a baban o fewn cyrraedd pob teulu",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: &str, year: i64, nation: &str, amount: i64) -> Item {
        Item {
            id: 0,
            kind: kind.into(),
            ask_id: None,
            title: String::new(),
            detail: String::new(),
            happened_on: format!("{year}-01-01"),
            year,
            nation: nation.into(),
            amount,
            source: String::new(),
            url: String::new(),
            area_code: String::new(),
            is_demo: 0,
        }
    }

    #[test]
    fn funding_chart_sums_per_year_and_nation() {
        let items = vec![
            item("funding", 2020, "wales", 100),
            item("funding", 2020, "wales", 50),
            item("funding", 2021, "england", 300),
            item("outcome", 2021, "england", 999),
        ];
        let (chart, table) = funding_chart(&items, &|n| n.to_string());
        assert_eq!(table.len(), 2);
        assert_eq!(table[0].1.iter().find(|x| x.0 == "wales").unwrap().1, 150);
        assert_eq!(chart.bars.len(), 2);
        // The biggest bar fills the plot; the other is in proportion.
        let big = chart
            .bars
            .iter()
            .find(|b| b.label.contains("england"))
            .unwrap();
        let small = chart
            .bars
            .iter()
            .find(|b| b.label.contains("wales"))
            .unwrap();
        assert_eq!(big.h, 150.0);
        assert_eq!(small.h, 75.0);
        // The key names exactly the nations with funding, each in its bars' colour.
        let key: Vec<(&str, &str)> = chart
            .key
            .iter()
            .map(|k| (k.label.as_str(), k.colour.as_str()))
            .collect();
        assert_eq!(
            key,
            [
                ("england", big.colour.as_str()),
                ("wales", small.colour.as_str())
            ]
        );
        assert!(chart.key_height > 0.0);
        assert_eq!(pounds(1_250_000), "£1,250,000");
        assert_eq!(pounds(999), "£999");
        assert_eq!(pounds_short(65_000_000), "£65m");
        assert_eq!(pounds_short(1_500_000), "£1.5m");
        assert_eq!(pounds_short(750_000), "£750,000");
    }

    #[test]
    fn a_long_key_wraps_within_the_chart() {
        let entries = (0..6)
            .map(|i| {
                (
                    format!("#00000{i}"),
                    format!("Level {i} with a longer label"),
                )
            })
            .collect();
        let (key, height) = key_layout(entries, 320.0);
        assert!(key.iter().all(|k| k.x + 18.0 < 320.0), "{key:?}");
        assert!(key.iter().any(|k| k.y > 0.0), "wrapped onto more rows");
        assert!(height > 18.0);
    }

    #[test]
    fn levels_chart_stacks_areas_by_level() {
        let rows = vec![(2020, 0, 2), (2020, 3, 2), (2021, 3, 4)];
        let levels = vec![
            (0, "#eee".into(), "None".into()),
            (3, "#333".into(), "Full".into()),
        ];
        let c = levels_chart(&rows, &levels);
        assert_eq!(c.groups.len(), 2);
        assert_eq!(c.bars.len(), 3);
        let total_2020: f64 = c
            .bars
            .iter()
            .filter(|b| b.label.starts_with("2020"))
            .map(|b| b.h)
            .sum();
        assert_eq!(total_2020, 150.0);
    }

    #[test]
    fn items_are_checked() {
        let f = ItemForm {
            kind: "funding".into(),
            title: "Money".into(),
            happened_on: "2024-04-01".into(),
            amount: "£1,500,000".into(),
            nation: "wales".into(),
            ..ItemForm::default()
        };
        let c = f.check(&[], |_| true).unwrap();
        assert_eq!((c.amount, c.year), (1_500_000, 2024));
        let bad = ItemForm {
            kind: "evidence".into(),
            happened_on: "yesterday".into(),
            url: "javascript:alert(1)".into(),
            area_code: "NOPE".into(),
            ask_id: "42".into(),
            ..ItemForm::default()
        };
        let fields: Vec<&str> = bad
            .check(&[], |_| false)
            .unwrap_err()
            .iter()
            .map(|e| e.0)
            .collect();
        for f in [
            "title",
            "happened_on",
            "ask_id",
            "source",
            "url",
            "area_code",
        ] {
            assert!(fields.contains(&f), "{f} not reported: {fields:?}");
        }
    }
}
