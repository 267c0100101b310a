//! Published pages, and the staff screens to write, revise and restore them.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};

use super::{PageForm, PageRow, RevisionRow, store};
use crate::app::Ctx;
use crate::auth::Permission;
use crate::auth::{Staff, perm};
use crate::cms::{markdown, search};
use crate::db;
use crate::site::NavItem;
use crate::uploads as images;
use crate::web::{self, AppError, Fields, form_page, private_page, see_other};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{slug}", get(show_page))
        .route("/admin/pages", get(admin_list))
        .route(
            "/admin/pages/new",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::max(images::FORM_WITH_PICTURE)),
        )
        .route(
            "/admin/pages/{id}",
            get(edit_form)
                .post(update)
                .layer(DefaultBodyLimit::max(images::FORM_WITH_PICTURE)),
        )
        .route("/admin/pages/{id}/delete", post(delete))
        .route("/admin/pages/{id}/history", get(history))
        .route("/admin/pages/{id}/revisions/{rev}", get(show_revision))
        .route("/admin/pages/{id}/revisions/{rev}/restore", post(restore))
}

#[derive(Template)]
#[template(path = "cms/page.html")]
struct PageTemplate<'a> {
    c: &'a Ctx,
    page: &'a PageRow,
    title: &'a str,
    body_html: String,
    /// `lang` of the body when it is shown in the other language (no translation yet).
    content_lang: &'a str,
    parent: Option<PageRow>,
    children: Vec<NavItem>,
}

/// `GET /{slug}` — a published page, from the cache.
async fn show_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    if crate::cms::slug_problem(&slug).is_some() {
        return Err(AppError::NotFound);
    }
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let page = store::page_by_slug(&st.db, &slug)
                .await?
                .filter(PageRow::is_published)
                .ok_or(AppError::NotFound)?;
            let welsh = cc.is_cy() && !page.body_cy.trim().is_empty();
            let (title, body, content_lang) = if welsh {
                let t = if page.title_cy.is_empty() {
                    &page.title
                } else {
                    &page.title_cy
                };
                (t.as_str(), page.body_cy.as_str(), "cy")
            } else {
                (
                    page.title.as_str(),
                    page.body.as_str(),
                    if cc.is_cy() { "en" } else { "" },
                )
            };
            let parent = match page.parent_id {
                Some(pid) => store::page_by_id(&st.db, pid)
                    .await?
                    .filter(PageRow::is_published),
                None => None,
            };
            let children = store::children(&st.db, page.id).await?;
            Ok(PageTemplate {
                c: &cc,
                page: &page,
                title,
                body_html: markdown::render_in(body, cc.lang),
                content_lang,
                parent,
                children,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/pages.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    pages: Vec<PageRow>,
}

impl ListTemplate<'_> {
    fn date(&self, ts: &i64) -> String {
        crate::uktime::date_time(*ts)
    }
}

async fn admin_list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let pages = store::all_pages(&state.db).await?;
    private_page(&ListTemplate {
        c: &c.with_staff(staff),
        pages,
    })
}

#[derive(Template)]
#[template(path = "admin/page_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: &'a PageForm,
    errors: crate::web::FieldErrors,
    parents: Vec<PageRow>,
    preview: String,
    saved: bool,
}

impl EditTemplate<'_> {
    fn is_parent(&self, id: &i64) -> bool {
        self.f.parent_id.trim() == id.to_string()
    }
}

async fn render_edit(
    state: &AppState,
    c: &Ctx,
    id: Option<i64>,
    f: &PageForm,
    errors: crate::web::FieldErrors,
    saved: bool,
) -> Result<Response, AppError> {
    let parents = store::all_pages(&state.db)
        .await?
        .into_iter()
        .filter(|p| Some(p.id) != id)
        .collect();
    let page = EditTemplate {
        c,
        id,
        f,
        errors,
        parents,
        preview: markdown::render(&f.body),
        saved,
    };
    form_page(&page, &page.errors)
}

async fn new_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let f = PageForm {
        status: "draft".into(),
        nav_order: "0".into(),
        ..Default::default()
    };
    render_edit(
        &state,
        &c.with_staff(staff),
        None,
        &f,
        crate::web::FieldErrors::new(),
        false,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    fields: Fields,
) -> Result<Response, AppError> {
    let mut f: PageForm = fields.form()?;
    if f.slug.trim().is_empty() {
        f.slug = crate::cms::slugify(&f.title);
    }
    save(&state, c.with_staff(staff), None, f, &fields).await
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = store::page_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = c.path.contains("saved=1");
    render_edit(
        &state,
        &c.with_staff(staff),
        Some(id),
        &PageForm::from_row(&page),
        crate::web::FieldErrors::new(),
        saved,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    fields: Fields,
) -> Result<Response, AppError> {
    store::page_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f: PageForm = fields.form()?;
    save(&state, c.with_staff(staff), Some(id), f, &fields).await
}

/// Validates, saves with a revision and an audit entry, and redirects to the editor; on
/// errors the form comes back with everything typed still in it.
async fn save(
    state: &AppState,
    c: Ctx,
    id: Option<i64>,
    mut f: PageForm,
    fields: &Fields,
) -> Result<Response, AppError> {
    let staff = c.staff.clone().ok_or(AppError::Forbidden)?;
    if f.status == "published" {
        staff.require(Permission::PublishContent)?;
    }
    let (image, upload_problem) = images::picture_field(state, fields, "image").await?;
    let old_image = match id {
        Some(id) => store::page_by_id(&state.db, id).await?.map(|p| p.image),
        None => None,
    };
    f.image = image;
    let mut errors = f.problems();
    if let Some(m) = upload_problem {
        errors.push(("image_file", m));
    }
    if errors.is_empty() {
        errors = store::db_problems(&state.db, id, &f).await?;
    }
    if !errors.is_empty() {
        return render_edit(state, &c, id, &f, errors, false).await;
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = store::save_page(&mut tx, state.db.backend, id, &f, Some(&staff)).await?;
    let action = if id.is_some() {
        "update_page"
    } else {
        "create_page"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "page",
        new_id,
        &format!("{} ({})", f.title.trim(), f.status),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    if let Some(old) = old_image
        && old != f.image
    {
        images::delete_if_unused(state, &old).await?;
    }
    Ok(see_other(&format!("/admin/pages/{new_id}?saved=1")))
}

async fn delete(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = store::page_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    search::remove_doc(&mut tx, state.db.backend, "page", id).await?;
    store::delete_page(&mut tx, id).await?;
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "delete_page",
        "page",
        id,
        &page.title,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/pages"))
}

#[derive(Template)]
#[template(path = "admin/page_history.html")]
struct HistoryTemplate<'a> {
    c: &'a Ctx,
    page: PageRow,
    revisions: Vec<RevisionRow>,
}

impl HistoryTemplate<'_> {
    fn date(&self, ts: &i64) -> String {
        crate::uktime::date_time(*ts)
    }
}

async fn history(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = store::page_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let revisions = store::revisions(&state.db, id).await?;
    private_page(&HistoryTemplate {
        c: &c.with_staff(staff),
        page,
        revisions,
    })
}

/// One line of a diff.
pub struct DiffLine {
    /// "+", "-" or " ".
    pub sign: &'static str,
    pub text: String,
}

/// Line diff of two texts.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|ch| DiffLine {
            sign: match ch.tag() {
                similar::ChangeTag::Delete => "-",
                similar::ChangeTag::Insert => "+",
                similar::ChangeTag::Equal => " ",
            },
            text: ch.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/page_revision.html")]
struct RevisionTemplate<'a> {
    c: &'a Ctx,
    page: PageRow,
    rev: RevisionRow,
    has_prev: bool,
    title_diff: Vec<DiffLine>,
    body_diff: Vec<DiffLine>,
    body_cy_diff: Vec<DiffLine>,
}

impl RevisionTemplate<'_> {
    fn date(&self, ts: &i64) -> String {
        crate::uktime::date_time(*ts)
    }
}

async fn show_revision(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path((id, rev_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let page = store::page_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (rev, prev) = store::revision_pair(&state.db, id, rev_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (pt, pb, pbc) = prev
        .as_ref()
        .map(|p| (p.title.as_str(), p.body.as_str(), p.body_cy.as_str()))
        .unwrap_or(("", "", ""));
    private_page(&RevisionTemplate {
        c: &c.with_staff(staff),
        title_diff: diff_lines(pt, &rev.title),
        body_diff: diff_lines(pb, &rev.body),
        body_cy_diff: diff_lines(pbc, &rev.body_cy),
        has_prev: prev.is_some(),
        page,
        rev,
    })
}

/// Makes an old revision current again (as a new revision; history is never rewritten).
async fn restore(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::EditContent>,
    Path((id, rev_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let page = store::page_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (rev, _) = store::revision_pair(&state.db, id, rev_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut f = PageForm::from_row(&page);
    f.title = rev.title.clone();
    f.title_cy = rev.title_cy.clone();
    f.body = rev.body.clone();
    f.body_cy = rev.body_cy.clone();
    f.note = format!("Restored revision {rev_id}");
    let mut tx = state.db.begin_write().await?;
    store::save_page(&mut tx, state.db.backend, Some(id), &f, Some(&staff)).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "restore_page_revision",
        "page",
        id,
        &f.note,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/pages/{id}/history")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_problems() {
        let ok = PageForm {
            slug: "about".into(),
            title: "About".into(),
            status: "draft".into(),
            ..Default::default()
        };
        assert!(ok.problems().is_empty());
        let bad = PageForm {
            slug: "news".into(),
            title: " ".into(),
            status: "live".into(),
            nav_order: "x".into(),
            ..Default::default()
        };
        let fields: Vec<_> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["slug", "title", "status", "nav_order"]);
    }

    #[test]
    fn diffs() {
        let d = diff_lines("a\nb\n", "a\nc\n");
        let signs: Vec<_> = d.iter().map(|l| (l.sign, l.text.as_str())).collect();
        assert_eq!(signs, [(" ", "a"), ("-", "b"), ("+", "c")]);
    }
}
