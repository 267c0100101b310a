//! Pages: Markdown content at `/{slug}`, with a parent for navigation, draft/published,
//! an optional Welsh version, and a revision for every save (with diff and restore).

use crate::web::Msg;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{markdown, search};
use crate::app::Ctx;
use crate::auth::{Permission, StaffUser};
use crate::db::{self, Db, Tx};
use crate::site::NavItem;
use crate::uploads as images;
use crate::web::{self, AppError, Fields, private_page, private_page_status, see_other};
use crate::{AppState, audit};

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

const COLUMNS: &str = "id, slug, parent_id, title, title_cy, body, body_cy, status, show_in_nav, \
                       nav_order, is_demo, updated_at, published_at, image, image_alt, image_alt_cy \
                       FROM pages";

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

/// Published top-level pages marked for the main navigation.
pub async fn nav_items(db: &Db) -> sqlx::Result<Vec<NavItem>> {
    sqlx::query_as(
        "SELECT slug, title, title_cy FROM pages WHERE status = 'published' AND show_in_nav = 1 \
         AND parent_id IS NULL ORDER BY nav_order, title",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn page_by_slug(db: &Db, slug: &str) -> sqlx::Result<Option<PageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(&db.pool)
    .await
}

pub async fn page_by_id(db: &Db, id: i64) -> sqlx::Result<Option<PageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Every page, for the staff list.
pub async fn all_pages(db: &Db) -> sqlx::Result<Vec<PageRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY COALESCE(parent_id, id), parent_id IS NOT NULL, nav_order, title"
    )))
    .fetch_all(&db.pool)
    .await
}

/// Published children of a page, for its sub-navigation.
pub async fn children(db: &Db, parent_id: i64) -> sqlx::Result<Vec<NavItem>> {
    sqlx::query_as(
        "SELECT slug, title, title_cy FROM pages WHERE parent_id = $1 AND status = 'published' \
         ORDER BY nav_order, title",
    )
    .bind(parent_id)
    .fetch_all(&db.pool)
    .await
}

pub async fn revisions(db: &Db, page_id: i64) -> sqlx::Result<Vec<RevisionRow>> {
    sqlx::query_as(
        "SELECT id, page_id, title, title_cy, body, body_cy, status, author_email, note, \
         created_at FROM page_revisions WHERE page_id = $1 ORDER BY id DESC",
    )
    .bind(page_id)
    .fetch_all(&db.pool)
    .await
}

/// A revision and the one saved before it (for the diff).
pub async fn revision_pair(
    db: &Db,
    page_id: i64,
    rev_id: i64,
) -> sqlx::Result<Option<(RevisionRow, Option<RevisionRow>)>> {
    let select = "SELECT id, page_id, title, title_cy, body, body_cy, status, author_email, \
                  note, created_at FROM page_revisions";
    let rev: Option<RevisionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{select} WHERE page_id = $1 AND id = $2"
    )))
    .bind(page_id)
    .bind(rev_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(rev) = rev else { return Ok(None) };
    let prev: Option<RevisionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{select} WHERE page_id = $1 AND id < $2 ORDER BY id DESC LIMIT 1"
    )))
    .bind(page_id)
    .bind(rev_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(Some((rev, prev)))
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
        e
    }
}

/// Saves a page and a revision of it, updates the search index and bumps the content
/// version, all in the caller's transaction. Returns the page id.
pub async fn save_page(
    tx: &mut Tx,
    backend: db::Backend,
    id: Option<i64>,
    f: &PageForm,
    author: Option<&StaffUser>,
) -> sqlx::Result<i64> {
    let now = db::now();
    let show = i64::from(f.show_in_nav.is_some());
    let demo = i64::from(f.is_demo.is_some());
    let order: i64 = f.nav_order.trim().parse().unwrap_or(0);
    let published_at = (f.status == "published").then_some(now);
    let id: i64 = match id {
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE pages SET slug=$1, parent_id=$2, title=$3, title_cy=$4, body=$5, \
                 body_cy=$6, status=$7, show_in_nav=$8, nav_order=$9, is_demo=$10, updated_at=$11, \
                 published_at = CASE WHEN $7 = 'published' THEN COALESCE(published_at, $11) \
                 ELSE NULL END WHERE id=$12 RETURNING id",
            )
            .bind(f.slug.trim())
            .bind(f.parent())
            .bind(f.title.trim())
            .bind(f.title_cy.trim())
            .bind(&f.body)
            .bind(&f.body_cy)
            .bind(&f.status)
            .bind(show)
            .bind(order)
            .bind(demo)
            .bind(now)
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO pages (slug, parent_id, title, title_cy, body, body_cy, status, \
                 show_in_nav, nav_order, is_demo, created_at, updated_at, published_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11,$12) RETURNING id",
            )
            .bind(f.slug.trim())
            .bind(f.parent())
            .bind(f.title.trim())
            .bind(f.title_cy.trim())
            .bind(&f.body)
            .bind(&f.body_cy)
            .bind(&f.status)
            .bind(show)
            .bind(order)
            .bind(demo)
            .bind(now)
            .bind(published_at)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    sqlx::query("UPDATE pages SET image = $1, image_alt = $2, image_alt_cy = $3 WHERE id = $4")
        .bind(&f.image)
        .bind(f.image_alt.trim())
        .bind(f.image_alt_cy.trim())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO page_revisions (page_id, title, title_cy, body, body_cy, status, author_id, \
         author_email, note, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
    )
    .bind(id)
    .bind(f.title.trim())
    .bind(f.title_cy.trim())
    .bind(&f.body)
    .bind(&f.body_cy)
    .bind(&f.status)
    .bind(author.map(|a| a.id))
    .bind(author.map(|a| a.email.as_str()).unwrap_or("system"))
    .bind(f.note.trim())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if f.status == "published" {
        let body = format!(
            "{} {}",
            markdown::plain_text(&f.body),
            markdown::plain_text(&f.body_cy)
        );
        let url = format!("/{}", f.slug.trim());
        search::index_doc(tx, backend, "page", id, &url, f.title.trim(), &body).await?;
    } else {
        search::remove_doc(tx, backend, "page", id).await?;
    }
    db::bump_content_version(tx).await?;
    Ok(id)
}

/// Problems that need the database: a taken slug, a missing parent or a parent loop.
async fn db_problems(
    db: &Db,
    id: Option<i64>,
    f: &PageForm,
) -> sqlx::Result<crate::web::FieldErrors> {
    let mut e = Vec::new();
    if let Some(other) = page_by_slug(db, f.slug.trim()).await?
        && Some(other.id) != id
    {
        e.push((
            "slug",
            Msg::new("admin-err-another-page-already-uses-this-web"),
        ));
    }
    if let Some(mut parent) = f.parent() {
        // Walk up from the chosen parent; meeting this page means a loop.
        for _ in 0..32 {
            if Some(parent) == id {
                e.push((
                    "parent_id",
                    Msg::new("admin-err-a-page-cannot-sit-under-itself"),
                ));
                break;
            }
            match page_by_id(db, parent).await? {
                Some(p) => match p.parent_id {
                    Some(next) => parent = next,
                    None => break,
                },
                None => {
                    e.push((
                        "parent_id",
                        Msg::new("admin-err-that-parent-page-no-longer-exists"),
                    ));
                    break;
                }
            }
        }
    }
    Ok(e)
}

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
    if super::slug_problem(&slug).is_some() {
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
            let page = page_by_slug(&st.db, &slug)
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
                Some(pid) => page_by_id(&st.db, pid).await?.filter(PageRow::is_published),
                None => None,
            };
            let children = children(&st.db, page.id).await?;
            Ok(PageTemplate {
                c: &cc,
                page: &page,
                title,
                body_html: markdown::render(body),
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
        super::date_time(*ts)
    }
}

async fn admin_list(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let pages = all_pages(&state.db).await?;
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
    fn error(&self, field: &str) -> String {
        crate::app::field_error(self.c, &self.errors, field)
    }
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
    let parents = all_pages(&state.db)
        .await?
        .into_iter()
        .filter(|p| Some(p.id) != id)
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    private_page_status(
        status,
        &EditTemplate {
            c,
            id,
            f,
            errors,
            parents,
            preview: markdown::render(&f.body),
            saved,
        },
    )
}

async fn new_form(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let f = PageForm {
        status: "draft".into(),
        nav_order: "0".into(),
        ..Default::default()
    };
    render_edit(&state, &c.with_staff(staff), None, &f, vec![], false).await
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    fields: Fields,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let mut f: PageForm = fields.form()?;
    if f.slug.trim().is_empty() {
        f.slug = super::slugify(&f.title);
    }
    save(&state, c.with_staff(staff), None, f, &fields).await
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let page = page_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let saved = c.path.contains("saved=1");
    render_edit(
        &state,
        &c.with_staff(staff),
        Some(id),
        &PageForm::from_row(&page),
        vec![],
        saved,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    page_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
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
        Some(id) => page_by_id(&state.db, id).await?.map(|p| p.image),
        None => None,
    };
    f.image = image;
    let mut errors = f.problems();
    if let Some(m) = upload_problem {
        errors.push(("image_file", m));
    }
    if errors.is_empty() {
        errors = db_problems(&state.db, id, &f).await?;
    }
    if !errors.is_empty() {
        return render_edit(state, &c, id, &f, errors, false).await;
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = save_page(&mut tx, state.db.backend, id, &f, Some(&staff)).await?;
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
    staff: StaffUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    let page = page_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    search::remove_doc(&mut tx, state.db.backend, "page", id).await?;
    sqlx::query("DELETE FROM pages WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
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
        super::date_time(*ts)
    }
}

async fn history(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let page = page_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let revisions = revisions(&state.db, id).await?;
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
        super::date_time(*ts)
    }
}

async fn show_revision(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path((id, rev_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let page = page_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (rev, prev) = revision_pair(&state.db, id, rev_id)
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
    staff: StaffUser,
    Path((id, rev_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let page = page_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (rev, _) = revision_pair(&state.db, id, rev_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut f = PageForm::from_row(&page);
    f.title = rev.title.clone();
    f.title_cy = rev.title_cy.clone();
    f.body = rev.body.clone();
    f.body_cy = rev.body_cy.clone();
    f.note = format!("Restored revision {rev_id}");
    let mut tx = state.db.begin_write().await?;
    save_page(&mut tx, state.db.backend, Some(id), &f, Some(&staff)).await?;
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
