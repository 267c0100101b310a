//! Interface language: every string a visitor sees goes through the Fluent files in
//! `locales/{en,cy}/`. English is complete; a Welsh message that is missing falls back to
//! English (and the language-completeness test lists what is still to translate).

use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps placeables in Unicode isolation marks by default; they show up as
        // stray characters in HTML attributes and emails.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static CY: LanguageIdentifier = langid!("cy");

/// The English path of an address: `/cy/help?x=1` → `/help?x=1`, `/cy` → `/`; any
/// other path as it is. Never empty.
pub fn english_path(path: &str) -> &str {
    match path.strip_prefix("/cy") {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        Some(rest) if rest.starts_with('?') => "/",
        _ => path,
    }
}

/// Whether a path has a Welsh address: every public page does; the staff area, files,
/// assets and the open data APIs are one address for both languages.
pub fn has_welsh_address(path: &str) -> bool {
    const ONE_ADDRESS: &[&str] = &[
        "/admin",
        "/assets/",
        "/images/",
        "/theme/",
        "/files/",
        "/api/",
        "/lang/",
        "/exit",
        "/metrics",
        "/healthz",
        "/readyz",
        "/robots.txt",
        "/sitemap.xml",
        "/favicon",
    ];
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/cy/")
        && path != "/cy"
        && !ONE_ADDRESS.iter().any(|p| path.starts_with(p))
}

/// A supported interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Cy,
}

impl Lang {
    /// BCP 47 code, as used in `lang` attributes and the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Cy => "cy",
        }
    }

    /// Parses a language code; anything unknown is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "en-gb" => Some(Lang::En),
            "cy" | "cy-gb" => Some(Lang::Cy),
            _ => None,
        }
    }

    /// What this language's addresses start with: "" for English, "/cy" for Welsh
    /// (`/cy/help` is the Welsh page of `/help`).
    pub fn base(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Cy => "/cy",
        }
    }

    /// This language's address for a page, from its English path (with any query):
    /// `/help` → `/cy/help`, `/` → `/cy/`. A path already Welsh is taken as its page.
    pub fn address(self, path: &str) -> String {
        let page = english_path(path);
        match self {
            Lang::En => page.to_string(),
            Lang::Cy => format!("/cy{page}"),
        }
    }

    /// A Unix time as a date people read, in this language: "6 December 2026",
    /// "6 Rhagfyr 2026" (UTC day; Welsh month names from the Fluent files).
    pub fn long_date(self, ts: i64) -> String {
        let (year, month, day) = crate::uktime::ymd(ts);
        format!("{day} {} {year}", self.t(&format!("month-{month}")))
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Cy,
            Lang::Cy => Lang::En,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Cy => &CY,
        }
    }

    /// The message `key` in this language (English when the Welsh one is missing).
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// The message `key` with arguments, e.g. `t_args("results", &[("count", 3.into())])`.
    pub fn t_args(self, key: &str, args: &[(&str, FluentValue<'static>)]) -> String {
        let map: HashMap<std::borrow::Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (std::borrow::Cow::Owned(k.to_string()), v.clone()))
            .collect();
        LOCALES.lookup_with_args(self.id(), key, &map)
    }

    /// The message `key` with one argument.
    pub fn t1(self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.t_args(key, &[(name, value.to_string().into())])
    }

    /// The message `key` with two arguments.
    pub fn t2(
        self,
        key: &str,
        n1: &str,
        v1: impl std::fmt::Display,
        n2: &str,
        v2: impl std::fmt::Display,
    ) -> String {
        self.t_args(
            key,
            &[(n1, v1.to_string().into()), (n2, v2.to_string().into())],
        )
    }

    /// Whether the message exists in this language itself (no fallback).
    pub fn has(self, key: &str) -> bool {
        match self {
            Lang::En => LOCALES.try_lookup(&EN, key).is_some(),
            Lang::Cy => {
                // try_lookup falls back too, so compare against the file directly.
                crate::i18n::welsh_keys().contains(key)
            }
        }
    }
}

/// Message ids defined in the Welsh file, read from the embedded source.
fn welsh_keys() -> std::collections::HashSet<&'static str> {
    message_ids(include_str!("../locales/cy/main.ftl"))
}

/// Message ids defined in the English files.
pub fn english_keys() -> std::collections::HashSet<&'static str> {
    let mut keys = message_ids(include_str!("../locales/en/main.ftl"));
    keys.extend(message_ids(include_str!("../locales/en/admin.ftl")));
    keys
}

fn message_ids(src: &'static str) -> std::collections::HashSet<&'static str> {
    src.lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
        .collect()
}

/// Messages that are deliberately English only in this release (staff screens). The Welsh
/// completeness test requires every other message to exist in Welsh.
pub const ENGLISH_ONLY_PREFIXES: &[&str] = &["admin-", "login-", "user-", "audit-", "setup-"];

#[cfg(test)]
mod tests {
    #[test]
    fn each_page_has_one_address_per_language() {
        use super::{Lang, english_path, has_welsh_address};
        assert_eq!(Lang::Cy.address("/help"), "/cy/help");
        assert_eq!(Lang::Cy.address("/"), "/cy/");
        assert_eq!(
            Lang::Cy.address("/support?postcode=CF10%203NQ"),
            "/cy/support?postcode=CF10%203NQ"
        );
        assert_eq!(Lang::Cy.address("/cy/help"), "/cy/help");
        assert_eq!(Lang::En.address("/cy/help?x=1"), "/help?x=1");
        assert_eq!(Lang::En.address("/cy"), "/");
        assert_eq!(
            english_path("/cymru"),
            "/cymru",
            "a page whose slug starts cy"
        );
        assert_eq!(english_path("/cy/"), "/");
        assert!(has_welsh_address("/news/2"));
        assert!(has_welsh_address("/"));
        for one in [
            "/admin/stories",
            "/assets/site.css",
            "/api/v1/support",
            "/cy/help",
            "//evil",
        ] {
            assert!(!has_welsh_address(one), "{one}");
        }
    }

    use super::*;

    #[test]
    fn welsh_covers_every_public_message() {
        let cy = welsh_keys();
        let missing: Vec<_> = english_keys()
            .into_iter()
            .filter(|k| !ENGLISH_ONLY_PREFIXES.iter().any(|p| k.starts_with(p)))
            .filter(|k| !cy.contains(k))
            .collect();
        assert!(missing.is_empty(), "missing in Welsh: {missing:?}");
    }

    #[test]
    fn welsh_has_no_unknown_messages() {
        let en = english_keys();
        let extra: Vec<_> = welsh_keys()
            .into_iter()
            .filter(|k| !en.contains(k))
            .collect();
        assert!(
            extra.is_empty(),
            "Welsh messages with no English: {extra:?}"
        );
    }

    /// Every message a template asks for exists in English (a missing one would show its
    /// id to the visitor), and so does every member of the key families built at runtime.
    #[test]
    fn every_referenced_message_exists() {
        let en = english_keys();
        let mut missing = Vec::new();
        let root = env!("CARGO_MANIFEST_DIR");
        let mut stack = vec![
            std::path::PathBuf::from(format!("{root}/templates")),
            std::path::PathBuf::from(format!("{root}/src")),
        ];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for call in ["c.t(\"", "c.t1(\"", "c.t2(\"", "Msg::new(\""] {
                for part in text.split(call).skip(1) {
                    let key = part.split('"').next().unwrap();
                    if !en.contains(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        let families: Vec<String> = crate::site::impact::SECTIONS
            .iter()
            .map(|s| format!("impact-section-{s}"))
            .chain(
                crate::site::settings::NATIONS
                    .iter()
                    .map(|n| format!("nation-{n}")),
            )
            .chain(
                crate::cms::resources::KINDS
                    .iter()
                    .map(|k| format!("resource-kind-{k}")),
            )
            .chain(
                ["page", "post", "resource"]
                    .iter()
                    .map(|k| format!("search-kind-{k}")),
            )
            .chain(
                crate::atlas::services::form::DAYS
                    .iter()
                    .map(|d| format!("admin-day-{d}")),
            )
            .chain(
                crate::finder::Problem::ALL
                    .iter()
                    .map(|p| p.message().to_string()),
            )
            .chain(std::iter::once("finder-error-district-only".to_string()))
            .chain(
                [
                    "admin-pages",
                    "admin-news-posts",
                    "admin-resources",
                    "admin-helplines",
                ]
                .iter()
                .map(|k| k.to_string()),
            )
            .chain(
                [
                    "not_found",
                    "forbidden",
                    "bad_request",
                    "too_large",
                    "too_many_requests",
                    "login_required",
                    "cross_site",
                    "unavailable",
                    "internal",
                    "method_not_allowed",
                    "timeout",
                ]
                .iter()
                .map(|c| format!("error-{c}")),
            )
            .collect();
        missing.extend(families.into_iter().filter(|k| !en.contains(k.as_str())));
        assert!(
            missing.is_empty(),
            "messages missing from locales/en: {missing:?}"
        );
    }

    #[test]
    fn lookups_translate_and_fall_back() {
        assert_eq!(Lang::En.t("exit-this-page"), "Exit this page");
        assert_eq!(Lang::Cy.t("exit-this-page"), "Gadael y dudalen hon");
        assert!(Lang::Cy.has("get-help-now"));
        assert_eq!(Lang::from_code("CY"), Some(Lang::Cy));
        assert_eq!(Lang::from_code("fr"), None);
    }
}
