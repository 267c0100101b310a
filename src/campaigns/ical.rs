//! Writing iCalendar (RFC 5545): text escaping, line folding at 75 octets without
//! splitting a character, CRLF line ends, UTC times. Pure, so fuzzable.

/// One event (one session of an activity).
pub struct Event<'a> {
    pub uid: String,
    pub sequence: i64,
    pub stamp: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub summary: &'a str,
    pub description: String,
    pub location: String,
    pub url: String,
    pub cancelled: bool,
    pub categories: &'a str,
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks; other control
/// characters are dropped (they are not allowed in iCalendar text).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so no physical line exceeds 75 octets.
pub fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// UTC date-time in iCalendar's basic form.
pub fn utc(t: i64) -> String {
    let d =
        time::OffsetDateTime::from_unix_timestamp(t).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        d.year(),
        d.month() as u8,
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

/// A whole calendar.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::with_capacity(300 + events.len() * 600);
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//mmha//activities//EN");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    push_line(&mut out, "X-WR-TIMEZONE:Europe/London");
    for e in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape(&e.uid)));
        push_line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        push_line(&mut out, &format!("DTSTAMP:{}", utc(e.stamp)));
        push_line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.stamp)));
        push_line(&mut out, &format!("DTSTART:{}", utc(e.starts_at)));
        push_line(&mut out, &format!("DTEND:{}", utc(e.ends_at)));
        push_line(&mut out, &format!("SUMMARY:{}", escape(e.summary)));
        if !e.description.is_empty() {
            push_line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.location.is_empty() {
            push_line(&mut out, &format!("LOCATION:{}", escape(&e.location)));
        }
        if !e.categories.is_empty() {
            push_line(&mut out, &format!("CATEGORIES:{}", escape(e.categories)));
        }
        if !e.url.is_empty() {
            // URL is a URI value, not TEXT: no escaping, but never a line break.
            let url: String = e.url.chars().filter(|c| !c.is_control()).collect();
            push_line(&mut out, &format!("URL:{url}"));
        }
        push_line(
            &mut out,
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(summary: &'a str) -> Event<'a> {
        Event {
            uid: "abc-1@example.org".into(),
            sequence: 2,
            stamp: 1_800_000_000,
            starts_at: 1_809_000_000,
            ends_at: 1_809_003_600,
            summary,
            description: "Line one\nLine two; with, commas \\ and a backslash".into(),
            location: "Cardiff".into(),
            url: "https://example.org/a?b=1".into(),
            cancelled: false,
            categories: "in person",
        }
    }

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(escape("a;b,c\\d\ne\r\nf\u{7}g"), "a\\;b\\,c\\\\d\\ne\\nfg");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let title = "Coffee morning ☕ in Caerdydd — ".repeat(12);
        let cal = calendar("Awareness Week", &[event(&title)]);
        for line in cal.split("\r\n") {
            assert!(line.len() <= 75, "line too long: {} octets", line.len());
        }
        // Unfolding gives back the escaped title exactly.
        let unfolded = cal.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", escape(&title))));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert!(!cal.contains('\u{7}'));
    }

    #[test]
    fn events_carry_uid_sequence_times_and_status() {
        let mut e = event("Buggy walk");
        let cal = calendar("x", std::slice::from_ref(&e));
        assert!(cal.contains("UID:abc-1@example.org\r\n"));
        assert!(cal.contains("SEQUENCE:2\r\n"));
        assert!(cal.contains("DTSTART:20270429T120000Z\r\n"));
        assert!(cal.contains("DTEND:20270429T130000Z\r\n"));
        assert!(cal.contains("STATUS:CONFIRMED"));
        e.cancelled = true;
        assert!(calendar("x", &[e]).contains("STATUS:CANCELLED"));
        assert_eq!(utc(0), "19700101T000000Z");
    }
}
