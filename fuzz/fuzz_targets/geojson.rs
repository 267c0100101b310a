//! Boundary files: read or refused with reasons, never a panic; every shape read answers
//! point-in-area questions.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    match mmha::atlas::geo::read_features(input) {
        Ok(features) => {
            for f in features {
                let _ = f.shape.contains(-3.18, 51.48);
            }
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
});
