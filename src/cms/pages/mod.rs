//! Pages: Markdown content at `/{slug}`, with a parent for navigation, draft/published,
//! an optional Welsh version, and a revision for every save (with diff and restore). This
//! file: what a page is and what an editor may submit; [`store`] reads and writes pages
//! and revisions; [`routes`] serves them.

use serde::Deserialize;

use crate::web::Msg;

mod routes;
pub mod store;

pub use routes::routes;

/// A page as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PageRow {
    pub id: i64,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub title: String,
    pub title_cy: String,
    pub body: String,
    pub body_cy: String,
    pub status: String,
    pub show_in_nav: i64,
    pub nav_order: i64,
    pub is_demo: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    /// A stored picture's name ("" for none) and its description in each language.
    pub image: String,
    pub image_alt: String,
    pub image_alt_cy: String,
}

impl PageRow {
    pub fn is_published(&self) -> bool {
        self.status == "published"
    }

    /// The page's picture, described in the reader's language.
    pub fn picture(&self, cy: bool) -> Option<crate::uploads::Picture> {
        let alt = if cy && !self.image_alt_cy.is_empty() {
            &self.image_alt_cy
        } else {
            &self.image_alt
        };
        crate::uploads::Picture::new(&self.image, alt, self.is_demo != 0)
    }
}

/// A saved version of a page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: i64,
    pub page_id: i64,
    pub title: String,
    pub title_cy: String,
    pub body: String,
    pub body_cy: String,
    pub status: String,
    pub author_email: String,
    pub note: String,
    pub created_at: i64,
}

/// What an editor submits.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PageForm {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub title_cy: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub body_cy: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub show_in_nav: Option<String>,
    #[serde(default)]
    pub nav_order: String,
    #[serde(default)]
    pub is_demo: Option<String>,
    #[serde(default)]
    pub note: String,
    /// The picture (set from the upload by the handler) and its descriptions.
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub image_alt: String,
    #[serde(default)]
    pub image_alt_cy: String,
}

impl PageForm {
    pub fn from_row(p: &PageRow) -> PageForm {
        PageForm {
            slug: p.slug.clone(),
            parent_id: p.parent_id.map(|i| i.to_string()).unwrap_or_default(),
            title: p.title.clone(),
            title_cy: p.title_cy.clone(),
            body: p.body.clone(),
            body_cy: p.body_cy.clone(),
            status: p.status.clone(),
            show_in_nav: (p.show_in_nav != 0).then(|| "1".into()),
            nav_order: p.nav_order.to_string(),
            is_demo: (p.is_demo != 0).then(|| "1".into()),
            note: String::new(),
            image: p.image.clone(),
            image_alt: p.image_alt.clone(),
            image_alt_cy: p.image_alt_cy.clone(),
        }
    }

    fn parent(&self) -> Option<i64> {
        self.parent_id.trim().parse().ok()
    }

    /// Field problems that need no database.
    pub fn problems(&self) -> crate::web::FieldErrors {
        let mut e = Vec::new();
        if let Some(p) = super::slug_problem(self.slug.trim()) {
            e.push(("slug", p));
        } else if super::RESERVED_SLUGS.contains(&self.slug.trim()) {
            e.push(("slug", Msg::new("admin-err-that-web-address-is-used-by")));
        }
        if self.title.trim().is_empty() {
            e.push(("title", Msg::new("admin-err-enter-a-title")));
        } else if self.title.chars().count() > 200 {
            e.push((
                "title",
                Msg::new("admin-err-keep-the-title-under-200-characters"),
            ));
        }
        if self.title_cy.chars().count() > 200 {
            e.push((
                "title_cy",
                Msg::new("admin-err-keep-the-title-under-200-characters"),
            ));
        }
        if self.body.len() > 200_000 || self.body_cy.len() > 200_000 {
            e.push(("body", Msg::new("admin-err-the-page-is-too-long-over")));
        }
        if !matches!(self.status.as_str(), "draft" | "published") {
            e.push(("status", Msg::new("admin-err-choose-draft-or-published")));
        }
        if !self.parent_id.trim().is_empty() && self.parent().is_none() {
            e.push((
                "parent_id",
                Msg::new("admin-err-choose-a-parent-page-from-the"),
            ));
        }
        if !self.nav_order.trim().is_empty() && self.nav_order.trim().parse::<i64>().is_err() {
            e.push((
                "nav_order",
                Msg::new("admin-err-enter-a-whole-number-like-10"),
            ));
        }
        if self.note.chars().count() > 300 {
            e.push((
                "note",
                Msg::new("admin-err-keep-the-note-under-300-characters"),
            ));
        }
        if let Some(p) =
            crate::uploads::alt_problem(&self.image, &self.image_alt, &self.image_alt_cy)
        {
            e.push(p);
        }
        e.into()
    }
}
