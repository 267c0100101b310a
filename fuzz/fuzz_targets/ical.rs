//! iCalendar output stays valid whatever the titles hold: lines of at most 75 octets,
//! CRLF only between lines, and the text reads back after unfolding and unescaping.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mmha::campaigns::ical::{Event, calendar, escape};

fuzz_target!(|input: (&str, &str, &str)| {
    let (summary, description, location) = input;
    let e = Event {
        uid: "fuzz-1@example.org".into(),
        sequence: 1,
        stamp: 1_800_000_000,
        starts_at: 1_800_000_000,
        ends_at: 1_800_003_600,
        summary,
        description: description.to_string(),
        location: location.to_string(),
        url: "https://example.org/activities/1".into(),
        cancelled: false,
        categories: "online",
    };
    let cal = calendar(summary, &[e]);
    assert!(cal.ends_with("\r\n"));
    for line in cal.split("\r\n") {
        assert!(line.len() <= 75, "{} octets", line.len());
        assert!(!line.contains('\r') && !line.contains('\n'));
    }
    let unfolded = cal.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("\r\nSUMMARY:{}\r\n", escape(summary))));
});
