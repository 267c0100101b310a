//! Content: pages with revision history, news with tags and RSS, the resources library
//! with uploads, and site search.

pub mod markdown;
pub mod news;
pub mod pages;
pub mod resources;
pub mod search;

use axum::Router;

use crate::AppState;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .merge(news::routes())
        .merge(resources::routes(upload_limit))
        .merge(search::routes())
        // Pages last: `/{slug}` only sees paths no other route claimed.
        .merge(pages::routes())
}

/// Paths that a page slug may not take, because a route or a later capability owns them.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "assets",
    "files",
    "news",
    "resources",
    "search",
    "help",
    "support",
    "map",
    "areas",
    "impact",
    "events",
    "members",
    "stories",
    "subscribe",
    "contact",
    "bulletin",
    "exit",
    "lang",
    "healthz",
    "readyz",
    "metrics",
    "robots.txt",
    "favicon.ico",
    "theme",
    "news.rss",
    "events.ics",
    "campaigns",
    "activities",
    // Every page's Welsh address is under /cy/.
    "cy",
    "supporters",
    "champions",
    "sitemap.xml",
];

/// Checks a slug: lower-case letters, digits and single hyphens, 1–80 characters.
pub fn slug_problem(slug: &str) -> Option<crate::web::Msg> {
    if slug.is_empty() {
        return Some(crate::web::Msg::new("admin-err-slug-empty"));
    }
    if slug.len() > 80 {
        return Some(crate::web::Msg::new("admin-err-slug-too-long"));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || slug.starts_with('-')
        || slug.ends_with('-')
        || slug.contains("--")
    {
        return Some(crate::web::Msg::new("admin-err-slug-characters"));
    }
    None
}

/// Makes a slug from a title: "Our history & aims" → "our-history-aims".
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Our history & aims"), "our-history-aims");
        assert_eq!(slugify("  Café  "), "caf");
        assert!(slug_problem("about-us").is_none());
        for bad in ["", "About", "a b", "-a", "a-", "a--b", "../etc", "a/b"] {
            assert!(slug_problem(bad).is_some(), "{bad}");
        }
    }
}
