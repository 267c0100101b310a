//! UK civil time (Europe/London) without a time-zone database: GMT, and British Summer
//! Time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
//! October (the rule since 1996, and the only one activities need). Pure functions.

use time::{Date, Month, OffsetDateTime, Time, Weekday};

/// 01:00 UTC on the last Sunday of `month` in `year`, as Unix seconds.
fn last_sunday_1am(year: i32, month: Month) -> i64 {
    let mut d = Date::from_calendar_date(year, month, month.length(year)).expect("valid date");
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().expect("in range");
    }
    d.with_time(Time::from_hms(1, 0, 0).expect("valid time"))
        .assume_utc()
        .unix_timestamp()
}

/// Seconds to add to UTC for UK time at the instant `utc`.
pub fn offset(utc: i64) -> i64 {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(utc) else {
        return 0;
    };
    let year = t.year();
    if utc >= last_sunday_1am(year, Month::March) && utc < last_sunday_1am(year, Month::October) {
        3600
    } else {
        0
    }
}

/// The UTC instant of a UK wall-clock time. In the hour skipped in March the time is read
/// as GMT (01:30 becomes 02:30 BST); in the hour repeated in October the first (BST) one.
pub fn to_utc(date: Date, hour: u8, minute: u8) -> Option<i64> {
    let local = date
        .with_time(Time::from_hms(hour, minute, 0).ok()?)
        .assume_utc()
        .unix_timestamp();
    let summer = local - 3600;
    if offset(summer) == 3600 {
        return Some(summer);
    }
    Some(local)
}

/// The UK wall-clock date and time of an instant.
pub fn local(utc: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(utc + offset(utc)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// "YYYY-MM-DD" of a date.
pub fn day_string(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Today in UTC, "YYYY-MM-DD" (for counters that roll over at midnight UTC).
pub fn utc_today() -> String {
    day_string(time::OffsetDateTime::now_utc().date())
}

/// The UK date of an instant, "YYYY-MM-DD".
pub fn local_day(utc: i64) -> String {
    day_string(local(utc).date())
}

/// "HH:MM" in UK time.
pub fn local_time(utc: i64) -> String {
    let t = local(utc);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// Reads "YYYY-MM-DD".
pub fn parse_day(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    if !(2000..=2100).contains(&y) {
        return None;
    }
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// Reads "HH:MM" (also "H:MM", "HH.MM" and "HHMM").
pub fn parse_time(s: &str) -> Option<(u8, u8)> {
    let s = s.trim();
    let (h, m) = match s.split_once([':', '.']) {
        Some(p) => p,
        None if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) => s.split_at(2),
        None => return None,
    };
    let h: u8 = h.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    (h < 24 && m < 60 && !s.is_empty()).then_some((h, m))
}

/// Every day from `first` to `last` inclusive (at most 62).
pub fn days_between(first: Date, last: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = first;
    while d <= last && out.len() < 62 {
        out.push(d);
        match d.next_day() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

// Dates as people read and type them.

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

/// "2026-11-24 15:04" in UK time, for staff screens.
pub fn uk_date_time(ts: i64) -> String {
    date_time(ts + offset(ts))
}

/// Parses a `datetime-local` value ("2026-12-05T09:30", UK time) to a Unix time (the
/// clock-change hours read as [`to_utc`] reads them).
pub fn parse_uk_datetime(s: &str) -> Option<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let t = time::PrimitiveDateTime::parse(s.trim(), &f).ok()?;
    to_utc(t.date(), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn uk_time() {
        let winter = parse_uk_datetime("2026-12-05T09:30").unwrap();
        assert_eq!(date_time(winter), "2026-12-05 09:30");
        let summer = parse_uk_datetime("2026-07-01T09:30").unwrap();
        assert_eq!(date_time(summer), "2026-07-01 08:30");
        assert_eq!(uk_date_time(summer), "2026-07-01 09:30");
        // 2026: BST from 29 March to 25 October.
        assert_eq!(offset(parse_date("2026-03-28").unwrap()), 0);
        assert_eq!(offset(parse_date("2026-03-29").unwrap()), 3600);
        assert_eq!(offset(parse_date("2026-10-25").unwrap()), 0);
        assert!(parse_uk_datetime("2026-13-05T09:30").is_none());
        assert!(parse_uk_datetime("tomorrow").is_none());
    }

    #[test]
    fn dates() {
        let t = parse_date("2026-11-24").unwrap();
        assert_eq!(iso_date(t), "2026-11-24");
        assert_eq!(long_date(t), "24 November 2026");
        assert!(parse_date("24/11/2026").is_none());
        assert!(parse_date("2026-02-30").is_none());
    }

    #[test]
    fn summer_time_starts_and_ends_at_one_utc_on_the_last_sundays() {
        // 2027: clocks go forward on 28 March, back on 31 October.
        let start = date!(2027 - 03 - 28)
            .midnight()
            .assume_utc()
            .unix_timestamp()
            + 3600;
        assert_eq!(offset(start - 1), 0);
        assert_eq!(offset(start), 3600);
        let end = date!(2027 - 10 - 31)
            .midnight()
            .assume_utc()
            .unix_timestamp()
            + 3600;
        assert_eq!(offset(end - 1), 3600);
        assert_eq!(offset(end), 0);
    }

    #[test]
    fn wall_clock_times_round_trip_through_utc() {
        // May is BST: 10:00 in Cardiff is 09:00 UTC.
        let t = to_utc(date!(2027 - 05 - 04), 10, 0).unwrap();
        assert_eq!(
            t,
            date!(2027 - 05 - 04)
                .midnight()
                .assume_utc()
                .unix_timestamp()
                + 9 * 3600
        );
        assert_eq!(local_time(t), "10:00");
        assert_eq!(local_day(t), "2027-05-04");
        // January is GMT.
        let w = to_utc(date!(2027 - 01 - 10), 23, 30).unwrap();
        assert_eq!(local_time(w), "23:30");
        assert_eq!(local_day(w), "2027-01-10");
        // Late evening in summer stays on the same UK day though UTC has not moved on.
        let late = to_utc(date!(2027 - 05 - 04), 0, 30).unwrap();
        assert_eq!(local_day(late), "2027-05-04");
    }

    #[test]
    fn the_skipped_and_repeated_hours_have_one_reading() {
        let skipped = to_utc(date!(2027 - 03 - 28), 1, 30).unwrap();
        assert_eq!(local_time(skipped), "02:30");
        let repeated = to_utc(date!(2027 - 10 - 31), 1, 30).unwrap();
        assert_eq!(local_time(repeated), "01:30");
        assert_eq!(offset(repeated), 3600);
    }

    #[test]
    fn reading_dates_and_times() {
        assert_eq!(parse_day("2027-05-03"), Some(date!(2027 - 05 - 03)));
        assert_eq!(parse_day("2027-02-30"), None);
        assert_eq!(parse_day("03/05/2027"), None);
        assert_eq!(parse_day("1066-10-14"), None);
        assert_eq!(parse_time("9:05"), Some((9, 5)));
        assert_eq!(parse_time("1930"), Some((19, 30)));
        assert_eq!(parse_time("19.30"), Some((19, 30)));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("noon"), None);
        assert_eq!(
            days_between(date!(2027 - 05 - 03), date!(2027 - 05 - 09)).len(),
            7
        );
    }
}
