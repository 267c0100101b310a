//! Editors' Markdown never produces script, frames, event handlers or script addresses:
//! every tag in the output (text is escaped, so each `<` starts a real tag) is checked.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let html = mmha::cms::markdown::render(input).to_ascii_lowercase();
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let name = tag
            .trim_start_matches('/')
            .split([' ', '\n', '\t', '/'])
            .next()
            .unwrap_or("");
        assert!(
            ![
                "script", "iframe", "object", "embed", "style", "form", "input"
            ]
            .contains(&name),
            "<{name}> in {html}"
        );
        for attr in tag.split_whitespace().skip(1) {
            assert!(!attr.starts_with("on"), "event handler {attr} in {html}");
            assert!(
                !attr.contains("javascript:"),
                "script address {attr} in {html}"
            );
        }
    }
});
