//! The list endpoints' query parameters, each checked (a malformed one is a 400 naming
//! it), paging and the paged envelope every list returns, the service filters, and the
//! postcode districts behind `postcode` filters.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::store::ServiceFilter;
use crate::atlas::services::is_uuid;
use crate::web::{AppError, Msg};

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;

/// Query parameters of the list endpoints, all optional, kept as text so a malformed value
/// gets a clear 400 rather than a generic rejection.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    search: Option<String>,
    taxonomy_term_id: Option<String>,
    pub(super) taxonomy_id: Option<String>,
    minimum_age: Option<String>,
    maximum_age: Option<String>,
    day: Option<String>,
    modified_after: Option<String>,
    organization_id: Option<String>,
    pub(super) postcode: Option<String>,
    pub(super) proximity: Option<String>,
}

pub(super) fn bad(name: &'static str) -> AppError {
    AppError::BadRequest(Msg::new("api-bad-parameter").arg("name", name))
}

pub(super) fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn int_param(
    v: &Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, AppError> {
    match present(v) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or(bad(name)),
    }
}

pub(super) fn uuid_param(
    v: &Option<String>,
    name: &'static str,
) -> Result<Option<String>, AppError> {
    match present(v) {
        None => Ok(None),
        Some(s) if is_uuid(s) => Ok(Some(s.to_ascii_lowercase())),
        Some(_) => Err(bad(name)),
    }
}

/// (page, per_page) from the query.
pub(super) fn paging(q: &ListQuery) -> Result<(i64, i64), AppError> {
    let page = int_param(&q.page, "page", 1..=1_000_000)?.unwrap_or(1);
    let per_page = match present(&q.per_page) {
        None => DEFAULT_PER_PAGE,
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| bad("per_page"))?
            .clamp(1, MAX_PER_PAGE),
    };
    Ok((page, per_page))
}

/// The paged envelope every list returns.
pub fn page_envelope(contents: Vec<Value>, total: i64, page: i64, per_page: i64) -> Value {
    let total_pages = ((total + per_page - 1) / per_page).max(1);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": contents.len(),
        "first_page": page == 1,
        "last_page": page == total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// The service filters of a list query, checked.
pub(super) fn service_filters(q: &ListQuery) -> Result<ServiceFilter, AppError> {
    let modified_after = match present(&q.modified_after) {
        None => None,
        Some(when) => Some(
            time::OffsetDateTime::parse(when, &time::format_description::well_known::Rfc3339)
                .map(|t| t.unix_timestamp())
                .or_else(|_| {
                    crate::uktime::parse_date(when)
                        .map(|t| t - 12 * 3600)
                        .ok_or(())
                })
                .map_err(|_| bad("modified_after"))?,
        ),
    };
    Ok(ServiceFilter {
        search: present(&q.search).map(str::to_string),
        taxonomy_term_id: uuid_param(&q.taxonomy_term_id, "taxonomy_term_id")?,
        taxonomy_id: uuid_param(&q.taxonomy_id, "taxonomy_id")?,
        minimum_age: int_param(&q.minimum_age, "minimum_age", 0..=150)?,
        maximum_age: int_param(&q.maximum_age, "maximum_age", 0..=150)?,
        day: match present(&q.day) {
            None => None,
            Some(day) => Some(day_code(day).ok_or(bad("day"))?),
        },
        modified_after,
        organization_id: uuid_param(&q.organization_id, "organization_id")?,
    })
}

/// RFC 5545 day codes from a day name or code ("monday", "Mo", "MO").
fn day_code(day: &str) -> Option<&'static str> {
    let d = day.trim().to_ascii_lowercase();
    let codes = [
        ("mo", "MO"),
        ("tu", "TU"),
        ("we", "WE"),
        ("th", "TH"),
        ("fr", "FR"),
        ("sa", "SA"),
        ("su", "SU"),
    ];
    codes
        .iter()
        .find(|(prefix, _)| {
            d.len() >= 2
                && d.starts_with(prefix)
                && (d.len() == 2
                    || "mondaytuesdaywednesdaythursdayfridaysaturdaysunday".contains(&d))
        })
        .map(|(_, code)| *code)
}

pub(super) fn checked_id(id: &str) -> Result<String, AppError> {
    if is_uuid(id) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(AppError::NotFound)
    }
}

/// Postcode districts (outward codes) and their middle, from the bundled `outcodes.csv`,
/// for `postcode` filters. The full postcode index arrives with the support finder.
pub(super) static OUTCODES: LazyLock<HashMap<String, (f64, f64, String)>> = LazyLock::new(|| {
    let mut reader =
        csv::Reader::from_reader(include_str!("../../../seed/outcodes.csv").as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let lat = r.get(1)?.parse().ok()?;
            let lon = r.get(2)?.parse().ok()?;
            Some((r.get(0)?.to_string(), (lat, lon, r.get(3)?.to_string())))
        })
        .collect()
});

/// The district of a postcode ("CF10 3NQ" → "CF10"), or the input when it is a district.
pub(super) fn outcode(postcode: &str) -> Option<String> {
    let p: String = postcode
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !(2..=7).contains(&p.len()) || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if p.len() >= 5 {
        Some(p[..p.len() - 3].to_string())
    } else {
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_flags() {
        let v = page_envelope(vec![json!(1), json!(2)], 5, 1, 2);
        assert_eq!(v["total_pages"], 3);
        assert_eq!(
            (v["first_page"].as_bool(), v["last_page"].as_bool()),
            (Some(true), Some(false))
        );
        let v = page_envelope(vec![json!(5)], 5, 3, 2);
        assert_eq!(
            (v["last_page"].as_bool(), v["size"].as_i64()),
            (Some(true), Some(1))
        );
        let v = page_envelope(vec![], 5, 9, 2);
        assert_eq!(
            (v["empty"].as_bool(), v["last_page"].as_bool()),
            (Some(true), Some(false))
        );
        let v = page_envelope(vec![], 0, 1, 20);
        assert_eq!(
            (v["total_pages"].as_i64(), v["last_page"].as_bool()),
            (Some(1), Some(true))
        );
    }

    #[test]
    fn days_and_outcodes() {
        assert_eq!(day_code("Monday"), Some("MO"));
        assert_eq!(day_code("fr"), Some("FR"));
        assert_eq!(day_code("x"), None);
        assert_eq!(day_code("moonday"), None);
        assert_eq!(outcode("cf10 3nq").as_deref(), Some("CF10"));
        assert_eq!(outcode("SW1A1AA").as_deref(), Some("SW1A"));
        assert_eq!(outcode("BT1").as_deref(), Some("BT1"));
        assert_eq!(outcode("not a postcode!"), None);
        assert!(OUTCODES.contains_key("CF10"));
    }
}
