//! The finder's postcode reader must never panic, and what it accepts must be well formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmha::finder::postcode::{self, Reading};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match postcode::parse(s) {
        Ok(Reading::Full(v)) => {
            assert!(!v.is_empty() && v.len() <= 128);
            for p in v {
                let shown = p.display();
                // What is shown reads back as itself.
                assert_eq!(postcode::parse_exact(&shown), Some(p));
                assert!(shown.len() <= 8);
            }
        }
        Ok(Reading::District(v)) => assert!(!v.is_empty()),
        Err(_) => {}
    }
    let _ = mmha::finder::places::looks_like_place(s);
});
