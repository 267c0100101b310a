//! The scores importer reports problems by row and field, and never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|input: &str| {
    let mut areas = HashMap::new();
    areas.insert("W11000029".to_string(), false);
    areas.insert("E54000057".to_string(), true);
    if let Err(problems) = mmha::atlas::import::check_scores(input, &areas, 2030) {
        assert!(!problems.is_empty());
    }
});
