//! The impact and evidence tracker: the alliance's asks, and dated items under them:
//! outcomes won, funding (whole pounds, per nation and year), services created and
//! evidence (reports, news, statistics with their source), each optionally linked to an
//! area's provision score in the atlas. The public `/impact` page and its charts are
//! built from these; the charts are drawn here as plain numbers for SVG templates.

use serde::Deserialize;

use crate::web::{FieldErrors, Msg};

pub mod store;

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
        let mut e: FieldErrors = crate::web::FieldErrors::new();
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
        let mut e: FieldErrors = crate::web::FieldErrors::new();
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

/// An item's area score change: (item id, area code, level the year before, level that year).
pub type ScoreChange = (i64, String, Option<i64>, Option<i64>);

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
