//! Markdown for editors: CommonMark plus tables, rendered to HTML and then sanitised with
//! ammonia, so a pasted `<script>`, `<iframe>` or `javascript:` link can never reach a page.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use crate::i18n::Lang;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Markdown → safe HTML.
pub fn render(markdown: &str) -> String {
    render_in(markdown, Lang::En)
}

/// Markdown → safe HTML for a page in `lang`: a link to one of this site's pages
/// (`[help](/help)`) goes to its address in that language (`/cy/help` on a Welsh page).
pub fn render_in(markdown: &str, lang: Lang) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let events = Parser::new_ext(markdown, options()).map(|e| match e {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if lang != Lang::En && crate::i18n::has_welsh_address(&dest_url) => {
            Event::Start(Tag::Link {
                link_type,
                dest_url: lang.address(&dest_url).into(),
                title,
                id,
            })
        }
        e => e,
    });
    html::push_html(&mut raw, events);
    sanitise(&raw)
}

/// Cleans HTML from any source down to a safe subset: no scripts, frames, forms, styles or
/// event handlers; links only to http(s), mailto, tel and this site; external links get
/// `rel="noopener noreferrer"`.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .link_rel(Some("noopener noreferrer"))
        .add_tag_attributes("th", ["scope"])
        .clean(html)
        .to_string()
}

/// The words of a Markdown text without markup, for search and summaries.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => out.push(' '),
            Event::Start(Tag::Item) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of the plain text, cut at a word, with an ellipsis.
pub fn excerpt(markdown: &str, max: usize) -> String {
    let text = plain_text(markdown);
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

/// Rough reading time in minutes (200 words a minute, at least 1).
pub fn reading_minutes(markdown: &str) -> usize {
    (plain_text(markdown).split_whitespace().count() / 200).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, must: &[&str], must_not: &[&str]) {
        let out = render(input);
        for m in must {
            assert!(out.contains(m), "{input:?} → {out:?} should contain {m:?}");
        }
        for m in must_not {
            assert!(
                !out.contains(m),
                "{input:?} → {out:?} must not contain {m:?}"
            );
        }
    }

    #[test]
    fn renders_and_sanitises() {
        check(
            "# Title\n\nSome *text*.",
            &["<h1>Title</h1>", "<em>text</em>"],
            &[],
        );
        check(
            "<script>alert(1)</script>",
            &[],
            &["<script", "alert(1)</script>"],
        );
        check(
            "<iframe src=\"https://evil.example\"></iframe>",
            &[],
            &["<iframe"],
        );
        check("[click](javascript:alert(1))", &["click"], &["javascript:"]);
        check(
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            &[],
            &["javascript", "JaVaScRiPt"],
        );
        check("<img src=x onerror=alert(1)>", &[], &["onerror"]);
        check("<p style=\"color:red\">x</p>", &["x"], &["style="]);
        check(
            "[Samaritans](https://www.samaritans.org)",
            &["href=\"https://www.samaritans.org\"", "noopener noreferrer"],
            &[],
        );
        check("[call](tel:116123)", &["href=\"tel:116123\""], &[]);
        check(
            "| a | b |\n|---|---|\n| 1 | 2 |",
            &["<table>", "<td>1</td>"],
            &[],
        );
    }

    #[test]
    fn text_and_excerpts() {
        assert_eq!(plain_text("# Hello\n\nWorld **bold**"), "Hello World bold");
        assert_eq!(excerpt("one two three four", 9), "one two…");
        assert_eq!(excerpt("short", 100), "short");
        assert_eq!(reading_minutes("word "), 1);
    }
}
