//! The public archive of sent newsletters: `/bulletin` and `/bulletin/{id}`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::bulletin::{self, Newsletter};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::private_page;

#[derive(Template)]
#[template(path = "mail/archive.html")]
struct ArchivePage<'a> {
    c: &'a Ctx,
    issues: Vec<Newsletter>,
}

impl ArchivePage<'_> {
    fn subject<'b>(&self, n: &'b Newsletter) -> &'b str {
        n.version(self.c.lang).0
    }
    fn date(&self, n: &Newsletter) -> String {
        self.c.lang.long_date(n.finished_at.unwrap_or(n.created_at))
    }
}

pub(super) async fn archive_page(
    State(state): State<AppState>,
    c: Ctx,
) -> Result<Response, AppError> {
    let issues = bulletin::store::archive(&state.db).await?;
    private_page(&ArchivePage { c: &c, issues })
}

#[derive(Template)]
#[template(path = "mail/issue.html")]
struct IssuePage<'a> {
    c: &'a Ctx,
    subject: &'a str,
    body_html: String,
    lang: Lang,
    date: String,
}

pub(super) async fn issue_page(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let n = bulletin::store::newsletter(&state.db, id)
        .await?
        .filter(|n| n.status == "sent" && n.in_archive == 1)
        .ok_or(AppError::NotFound)?;
    let (subject, body, lang) = n.version(c.lang);
    private_page(&IssuePage {
        c: &c,
        subject,
        body_html: crate::cms::markdown::render_in(body, c.lang),
        lang,
        date: c.lang.long_date(n.finished_at.unwrap_or(n.created_at)),
    })
}
