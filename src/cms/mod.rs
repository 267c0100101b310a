//! Content: pages with revision history, news with tags and RSS, the resources library
//! with uploads, and site search.

pub mod markdown;
pub mod news;
pub mod pages;
pub mod resources;
pub mod search;

use axum::Router;

use crate::AppState;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .merge(news::routes())
        .merge(resources::routes(upload_limit))
        .merge(search::routes())
        // Pages last: `/{slug}` only sees paths no other route claimed.
        .merge(pages::routes())
}

/// Paths that a page slug may not take, because a route or a later capability owns them.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "assets",
    "files",
    "news",
    "resources",
    "search",
    "help",
    "support",
    "map",
    "areas",
    "impact",
    "events",
    "members",
    "stories",
    "subscribe",
    "contact",
    "bulletin",
    "exit",
    "lang",
    "healthz",
    "readyz",
    "metrics",
    "robots.txt",
    "favicon.ico",
    "theme",
    "news.rss",
    "events.ics",
    "campaigns",
    "activities",
];

/// Checks a slug: lower-case letters, digits and single hyphens, 1–80 characters.
pub fn slug_problem(slug: &str) -> Option<crate::web::Msg> {
    if slug.is_empty() {
        return Some(crate::web::Msg::new("admin-err-slug-empty"));
    }
    if slug.len() > 80 {
        return Some(crate::web::Msg::new("admin-err-slug-too-long"));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || slug.starts_with('-')
        || slug.ends_with('-')
        || slug.contains("--")
    {
        return Some(crate::web::Msg::new("admin-err-slug-characters"));
    }
    None
}

/// Makes a slug from a title: "Our history & aims" → "our-history-aims".
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Formats a Unix time as "24 November 2026" (UTC).
pub fn long_date(ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let f = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    t.format(&f).unwrap_or_default()
}

/// A Unix time's (year, month, day) in UTC.
pub fn ymd(ts: i64) -> (i32, u8, u8) {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .map(|t| (t.year(), u8::from(t.month()), t.day()))
        .unwrap_or((1970, 1, 1))
}

/// Formats a Unix time as "2026-11-24" (for date inputs and machine-readable dates).
pub fn iso_date(ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let f = time::macros::format_description!("[year]-[month]-[day]");
    t.format(&f).unwrap_or_default()
}

/// "2026-11-24 15:04" UTC, for staff screens.
pub fn date_time(ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    t.format(&f).unwrap_or_default()
}

/// Parses "2026-11-24" to the Unix time of midday UTC that day (midday, so the date shows
/// the same in every UK time zone offset).
pub fn parse_date(s: &str) -> Option<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s.trim(), &f).ok()?;
    Some(d.with_hms(12, 0, 0).ok()?.assume_utc().unix_timestamp())
}

/// Seconds the UK is ahead of UTC at a UTC time: 3600 in British Summer Time (from 01:00
/// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October), else 0.
pub fn uk_offset(utc: i64) -> i64 {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(utc) else {
        return 0;
    };
    let last_sunday = |month: time::Month| {
        let next = if month == time::Month::December {
            time::Date::from_calendar_date(t.year() + 1, time::Month::January, 1)
        } else {
            time::Date::from_calendar_date(t.year(), month.next(), 1)
        };
        let mut d = next.expect("valid date") - time::Duration::days(1);
        while d.weekday() != time::Weekday::Sunday {
            d -= time::Duration::days(1);
        }
        d.with_hms(1, 0, 0)
            .expect("valid time")
            .assume_utc()
            .unix_timestamp()
    };
    let (start, end) = (
        last_sunday(time::Month::March),
        last_sunday(time::Month::October),
    );
    if utc >= start && utc < end { 3600 } else { 0 }
}

/// "2026-11-24 15:04" in UK time, for staff screens.
pub fn uk_date_time(ts: i64) -> String {
    date_time(ts + uk_offset(ts))
}

/// Parses a `datetime-local` value ("2026-12-05T09:30", UK time) to a Unix time.
pub fn parse_uk_datetime(s: &str) -> Option<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = time::PrimitiveDateTime::parse(s.trim(), &f)
        .ok()?
        .assume_utc()
        .unix_timestamp();
    // The offset in force at that moment (an hour either way decides it except in the
    // hour the clocks change, where the earlier reading is taken).
    Some(local - uk_offset(local - 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_time() {
        let winter = parse_uk_datetime("2026-12-05T09:30").unwrap();
        assert_eq!(date_time(winter), "2026-12-05 09:30");
        let summer = parse_uk_datetime("2026-07-01T09:30").unwrap();
        assert_eq!(date_time(summer), "2026-07-01 08:30");
        assert_eq!(uk_date_time(summer), "2026-07-01 09:30");
        // 2026: BST from 29 March to 25 October.
        assert_eq!(uk_offset(parse_date("2026-03-28").unwrap()), 0);
        assert_eq!(uk_offset(parse_date("2026-03-29").unwrap()), 3600);
        assert_eq!(uk_offset(parse_date("2026-10-25").unwrap()), 0);
        assert!(parse_uk_datetime("2026-13-05T09:30").is_none());
        assert!(parse_uk_datetime("tomorrow").is_none());
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Our history & aims"), "our-history-aims");
        assert_eq!(slugify("  Café  "), "caf");
        assert!(slug_problem("about-us").is_none());
        for bad in ["", "About", "a b", "-a", "a-", "a--b", "../etc", "a/b"] {
            assert!(slug_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        let t = parse_date("2026-11-24").unwrap();
        assert_eq!(iso_date(t), "2026-11-24");
        assert_eq!(long_date(t), "24 November 2026");
        assert!(parse_date("24/11/2026").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }
}
