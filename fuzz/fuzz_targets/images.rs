//! Uploaded pictures: cleaned or refused, never a panic; a cleaned picture is of the same
//! kind and cleaning it again changes nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(clean) = mmha::web::images::clean(data) {
        let again = mmha::web::images::clean(&clean.bytes).expect("a cleaned picture is accepted");
        assert_eq!(again.bytes, clean.bytes);
    }
});
