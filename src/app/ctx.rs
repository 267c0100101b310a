//! The per-request context every template gets: language, site data, current path and,
//! on staff pages, the logged-in user.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::AppState;
use crate::auth::{Can, StaffUser};
use crate::i18n::Lang;
use crate::site::Snapshot;

/// Name of the language-preference cookie (functional, not tracking: it only holds "cy").
pub const LANG_COOKIE: &str = "lang";

/// Template context.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub snap: Arc<Snapshot>,
    /// Path and query of this request, for the language switch and `next=` links: the
    /// English path, whichever language the address asked for.
    pub path: String,
    /// The switch link ends in a splice hole for the query (see [`Ctx::switch_href`]).
    pub switch_hole: bool,
    pub staff: Option<StaffUser>,
    /// What the logged-in member of staff may do (nothing on public pages).
    pub can: Can,
    /// Set when the visitor's text disclosed risk: every page of this answer opens with
    /// crisis help (see [`Ctx::screen`]).
    pub crisis: Option<Crisis>,
}

/// What a page needs to open with crisis help: the kinds of risk found and the writer's
/// nation, when they gave one.
#[derive(Clone, Debug)]
pub struct Crisis {
    pub finding: crate::safeguard::Finding,
    pub nation: Option<String>,
}

impl Ctx {
    pub fn new(lang: Lang, snap: Arc<Snapshot>, path: String) -> Ctx {
        Ctx {
            lang,
            snap,
            path,
            switch_hole: false,
            staff: None,
            can: Can::default(),
            crisis: None,
        }
    }

    /// Checks what the visitor wrote (every free-text field of a form) before anything
    /// else answers it: when it discloses risk, every page of this answer — success,
    /// errors, too many attempts — opens with crisis help for `nation` (or each nation).
    pub fn screen(
        mut self,
        texts: &[&str],
        nation: Option<&str>,
    ) -> (Ctx, crate::safeguard::Finding) {
        let finding = crate::safeguard::check(texts);
        if finding.is_risky() {
            let nation = nation
                .filter(|n| crate::site::settings::NATIONS.contains(n))
                .map(str::to_string);
            self.crisis = Some(Crisis { finding, nation });
        }
        (self, finding)
    }

    /// The call buttons a page opens with after a risky text.
    pub fn crisis_help(&self) -> Option<crate::site::helplines::HelpNow<'_>> {
        let crisis = self.crisis.as_ref()?;
        Some(crate::site::helplines::help_now(
            &self.snap.helplines,
            crisis.nation.as_deref(),
            &self.snap.site.nations(),
            self.is_cy().then_some("wales"),
        ))
    }

    /// Whether the risky text was of this kind (`"baby"`, `"unsafe"`…).
    pub fn crisis_was(&self, code: &str) -> bool {
        self.crisis.as_ref().is_some_and(|c| {
            crate::safeguard::Category::from_code(code).is_some_and(|k| c.finding.has(k))
        })
    }

    pub fn with_staff(mut self, staff: StaffUser) -> Ctx {
        self.can = Can::of(staff.role);
        self.staff = Some(staff);
        self
    }

    /// An interface message in the visitor's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The message named `prefix` + `name`, for names chosen by data
    /// (`tf("activity-kind-", &a.kind)`).
    pub fn tf(&self, prefix: &str, name: &str) -> String {
        self.lang.t(&format!("{prefix}{name}"))
    }

    /// A [`Msg`](super::Msg) from the logic layer, in the visitor's language.
    pub fn msg(&self, m: &super::Msg) -> String {
        m.text(self.lang)
    }

    /// A message with one argument: `t1("admin-saved-by", "who", &email)`.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.lang.t1(key, name, value)
    }

    /// A message with two arguments.
    pub fn t2(
        &self,
        key: &str,
        n1: &str,
        v1: impl std::fmt::Display,
        n2: &str,
        v2: impl std::fmt::Display,
    ) -> String {
        self.lang.t2(key, n1, v1, n2, v2)
    }

    /// "March 2026" in the visitor's language.
    pub fn month_year(&self, year: &i32, month: &u8) -> String {
        format!("{} {year}", self.lang.t(&format!("month-{month}")))
    }

    /// The logo staff uploaded, at its smallest stored size ("" for the standard mark).
    pub fn logo_src(&self) -> String {
        let logo = self.site("logo");
        if logo.is_empty() {
            String::new()
        } else {
            format!("/images/{}", crate::uploads::smallest(logo))
        }
    }

    /// A site identity value.
    pub fn site(&self, key: &str) -> &str {
        self.snap.site.get(key)
    }

    /// The Welsh value of a site field when viewing in Welsh and it is set.
    pub fn site_local(&self, key: &str) -> &str {
        if self.lang == Lang::Cy {
            let cy = self.snap.site.get(&format!("{key}_cy"));
            if !cy.is_empty() {
                return cy;
            }
        }
        self.snap.site.get(key)
    }

    /// ` lang="en"` for text shown in English on a Welsh page (WCAG 3.1.2, language of
    /// parts), so screen readers pronounce it right; "" otherwise. `has_welsh` says whether
    /// the text being shown is the Welsh version.
    pub fn lang_attr(&self, has_welsh: bool) -> &'static str {
        if self.is_cy() && !has_welsh {
            " lang=\"en\""
        } else {
            ""
        }
    }

    /// As [`Ctx::lang_attr`] for a site setting with an optional `_cy` version.
    pub fn site_lang_attr(&self, key: &str) -> &'static str {
        self.lang_attr(!self.snap.site.get(&format!("{key}_cy")).is_empty())
    }

    pub fn asset(&self, name: &str) -> &'static str {
        super::assets::url(name)
    }

    pub fn theme_url(&self) -> String {
        format!("/theme/{}.css", self.snap.theme_hash)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// What this language's addresses start with ("" or "/cy"), for links in templates:
    /// `href="{{ c.base() }}/news"`.
    pub fn base(&self) -> &'static str {
        self.lang.base()
    }

    /// A link to a page of this site in the page's language (`/help` → `/cy/help` on a
    /// Welsh page), for links that come from data (settings, search results); files,
    /// the staff area and other sites' addresses as they are.
    pub fn local(&self, href: &str) -> String {
        if self.is_cy() && crate::i18n::has_welsh_address(href) {
            self.lang.address(href)
        } else {
            href.to_string()
        }
    }

    /// This page's full address in `lang`, for `<link rel="alternate" hreflang>`: the
    /// page without its query, so nothing a visitor typed is echoed into the head.
    pub fn alternate(&self, lang: Lang) -> String {
        let page = self.path.split('?').next().unwrap_or("/");
        format!(
            "{}{}",
            self.snap.public_url.trim_end_matches('/'),
            lang.address(page)
        )
    }

    /// Link that switches language and comes back to this page, query and all. On a
    /// page spliced per visitor (the finder's, `web::splice`) the query is a hole filled
    /// per request, so no visitor's search is kept in the shared render.
    pub fn switch_href(&self) -> String {
        format!(
            "/lang/{}?next={}{}",
            self.lang.other().code(),
            crate::web::url_encode(&self.path),
            if self.switch_hole {
                crate::web::splice::HOLE
            } else {
                ""
            }
        )
    }

    /// Name of the other language, written in that language.
    pub fn switch_label(&self) -> &'static str {
        match self.lang {
            Lang::En => "Cymraeg",
            Lang::Cy => "English",
        }
    }

    pub fn is_cy(&self) -> bool {
        self.lang == Lang::Cy
    }

    /// True when `href` is the current section, for `aria-current`.
    pub fn is_current(&self, href: &str) -> bool {
        let path = self.path.split('?').next().unwrap_or("");
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    }
}

/// Reads one cookie's value.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language the visitor last chose with the switch, remembered only to decide where
/// `/` takes them; every other address decides its own language.
pub fn remembered_lang(headers: &HeaderMap) -> Option<Lang> {
    cookie(headers, LANG_COOKIE).and_then(Lang::from_code)
}

impl<S> FromRequestParts<S> for Ctx
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        // The page's English path: a Welsh address has had its `/cy` taken off before
        // routing (`super::address_language`), and the language kept beside it.
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Ctx::new(
            super::lang_of(&parts.extensions),
            state.snapshot(),
            path,
        ))
    }
}
