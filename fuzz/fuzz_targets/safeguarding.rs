//! The safeguarding check answers for any text (never panics), and adding words to a text
//! that was flagged keeps it flagged.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str)| {
    let (a, b) = input;
    let flagged = mmha::stories::safeguarding::check(&[a]);
    if !flagged.is_empty() {
        let both = format!("{a}\n{b}");
        assert!(!mmha::stories::safeguarding::check(&[both.as_str()]).is_empty());
    }
});
