//! The safeguarding check answers for any text (never panics); a flagged text stays
//! flagged when a whole sentence is added to it; and how a text is typed — capitals,
//! accents, straight or curly apostrophes — never changes the outcome.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mmha::safeguard::check;

/// The same text with a circumflex on every plain vowel (as Welsh is written, or not).
fn accented(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a' => 'â',
            'e' => 'ê',
            'i' => 'î',
            'o' => 'ô',
            'u' => 'û',
            'w' => 'ŵ',
            'y' => 'ŷ',
            c => c,
        })
        .collect()
}

fuzz_target!(|input: (&str, &str)| {
    let (a, b) = input;
    let found = check(&[a]);
    if found.is_risky() {
        let more = format!("{a}\n{b}");
        assert!(check(&[more.as_str()]).is_risky(), "adding a sentence cleared a flag");
        let before = format!("{b}\n{a}");
        assert!(check(&[before.as_str()]).is_risky(), "a sentence before cleared a flag");
    }
    assert_eq!(check(&[&a.to_ascii_uppercase()]), found, "capitals changed the outcome");
    assert_eq!(check(&[&accented(a)]), found, "accents changed the outcome");
    assert_eq!(check(&[&a.replace('\'', "\u{2019}")]), found, "curly apostrophes changed it");
});
