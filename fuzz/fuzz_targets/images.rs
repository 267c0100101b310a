//! Uploaded pictures: cleaned or refused, never a panic. A cleaned picture decodes, is no
//! larger than the stored size, carries no metadata (no EXIF, GPS, XMP, comment or text
//! chunk survives the re-encoding, read from the file's chunks and segments), its copies
//! are the sizes their names promise, and cleaning it again is accepted at the same size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mmha::uploads::{MAX_STORED, clean, metadata_parts};

/// Read from the file's structure (chunks and segments), not by searching its bytes for
/// "GPS": compressed pixels can spell anything.
fn leaks(bytes: &[u8]) -> bool {
    !metadata_parts(bytes).is_empty()
}

fuzz_target!(|data: &[u8]| {
    let Ok(c) = clean(data) else { return };
    assert!(c.width <= MAX_STORED && c.height <= MAX_STORED);
    assert!(!leaks(&c.bytes), "metadata survived cleaning");
    let main = image::load_from_memory(&c.bytes).expect("a cleaned picture decodes");
    assert_eq!((main.width(), main.height()), (c.width, c.height));
    for copy in &c.copies {
        assert!(!leaks(&copy.bytes));
        let img = image::load_from_memory(&copy.bytes).expect("a copy decodes");
        assert_eq!(img.width(), copy.width.unwrap_or(c.width));
    }
    let again = clean(&c.bytes).expect("a cleaned picture is accepted");
    assert_eq!((again.width, again.height), (c.width, c.height));
});
