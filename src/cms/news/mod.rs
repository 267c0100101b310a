//! News: posts with an author, a date and tags; a paginated list, tag archives, a page per
//! post and an RSS 2.0 feed at `/news.rss`. This file: what a post is and what an editor
//! may submit; [`store`] reads and writes posts; [`routes`] serves them.

use serde::Deserialize;

use super::markdown;
use crate::web::Msg;

mod routes;
pub mod store;

pub use routes::routes;

/// Posts per page of the news list.
pub const PER_PAGE: i64 = 10;

/// A post as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub title_cy: String,
    pub summary: String,
    pub body: String,
    pub body_cy: String,
    pub author_name: String,
    pub status: String,
    pub is_demo: i64,
    pub published_at: i64,
    pub updated_at: i64,
}

/// A tag.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Tag {
    pub slug: String,
    pub name: String,
}

/// A post with its tags, ready to show.
#[derive(Clone, Debug)]
pub struct Post {
    pub row: PostRow,
    pub tags: Vec<Tag>,
}

impl Post {
    pub fn title(&self, welsh: bool) -> &str {
        if welsh && !self.row.title_cy.is_empty() {
            &self.row.title_cy
        } else {
            &self.row.title
        }
    }

    /// The summary, or the start of the body.
    pub fn summary(&self) -> String {
        if self.row.summary.trim().is_empty() {
            markdown::excerpt(&self.row.body, 220)
        } else {
            self.row.summary.clone()
        }
    }

    /// The publication date in the page's language ("6 Rhagfyr 2026").
    pub fn date(&self, lang: &crate::i18n::Lang) -> String {
        lang.long_date(self.row.published_at)
    }

    pub fn iso(&self) -> String {
        crate::uktime::iso_date(self.row.published_at)
    }

    pub fn minutes(&self) -> usize {
        markdown::reading_minutes(&self.row.body)
    }
}

/// What an editor submits.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PostForm {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub title_cy: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub body_cy: String,
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub date: String,
    /// Comma-separated tag names.
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub is_demo: Option<String>,
}

impl PostForm {
    pub fn from_post(p: &Post) -> PostForm {
        PostForm {
            slug: p.row.slug.clone(),
            title: p.row.title.clone(),
            title_cy: p.row.title_cy.clone(),
            summary: p.row.summary.clone(),
            body: p.row.body.clone(),
            body_cy: p.row.body_cy.clone(),
            author_name: p.row.author_name.clone(),
            date: crate::uktime::iso_date(p.row.published_at),
            tags: p
                .tags
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            status: p.row.status.clone(),
            is_demo: (p.row.is_demo != 0).then(|| "1".into()),
        }
    }

    /// Tag names, trimmed, de-duplicated by slug, at most 10.
    pub fn tag_names(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for name in self
            .tags
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let slug = super::slugify(name);
            if !slug.is_empty() && !out.iter().any(|(s, _)| *s == slug) {
                out.push((slug, name.chars().take(60).collect()));
            }
        }
        out.truncate(10);
        out
    }

    pub fn problems(&self) -> crate::web::FieldErrors {
        let mut e = Vec::new();
        if let Some(p) = super::slug_problem(self.slug.trim()) {
            e.push(("slug", p));
        }
        if self.title.trim().is_empty() {
            e.push(("title", Msg::new("admin-err-enter-a-title")));
        } else if self.title.chars().count() > 200 {
            e.push((
                "title",
                Msg::new("admin-err-keep-the-title-under-200-characters"),
            ));
        }
        if self.summary.chars().count() > 500 {
            e.push((
                "summary",
                Msg::new("admin-err-keep-the-summary-under-500-characters"),
            ));
        }
        if self.body.trim().is_empty() {
            e.push(("body", Msg::new("admin-err-write-the-post")));
        } else if self.body.len() > 200_000 || self.body_cy.len() > 200_000 {
            e.push(("body", Msg::new("admin-err-the-post-is-too-long-over")));
        }
        if self.author_name.trim().is_empty() {
            e.push(("author_name", Msg::new("admin-err-enter-the-author-s-name")));
        }
        if crate::uktime::parse_date(&self.date).is_none() {
            e.push(("date", Msg::new("admin-err-enter-the-date-as-year-month")));
        }
        if self.tags.split(',').count() > 10 {
            e.push(("tags", Msg::new("admin-err-use-at-most-10-tags")));
        }
        if !matches!(self.status.as_str(), "draft" | "published") {
            e.push(("status", Msg::new("admin-err-choose-draft-or-published")));
        }
        e.into()
    }
}
