//! The subscriber importer reports problems by row and field, and never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    if let Err(problems) = mmha::mail::import::check_csv(input, 1_800_000_000) {
        assert!(!problems.is_empty());
    }
});
