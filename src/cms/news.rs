//! News: posts with an author, a date and tags; a paginated list, tag archives, a page per
//! post and an RSS 2.0 feed at `/news.rss`.

use crate::web::Msg;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{markdown, search};
use crate::app::Ctx;
use crate::auth::{Permission, StaffUser};
use crate::db::{self, Db, Tx};
use crate::web::{self, AppError, Form, Query, private_page, private_page_status, see_other};
use crate::{AppState, audit};

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

    pub fn date(&self) -> String {
        super::long_date(self.row.published_at)
    }

    pub fn iso(&self) -> String {
        super::iso_date(self.row.published_at)
    }

    pub fn minutes(&self) -> usize {
        markdown::reading_minutes(&self.row.body)
    }
}

const COLUMNS: &str = "p.id, p.slug, p.title, p.title_cy, p.summary, p.body, p.body_cy, \
                       p.author_name, p.status, p.is_demo, p.published_at, p.updated_at";

/// Loads the tags of many posts in one query (no query per post).
async fn with_tags(db: &Db, rows: Vec<PostRow>) -> sqlx::Result<Vec<Post>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let placeholders = (1..=rows.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT pt.post_id, t.slug, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
         WHERE pt.post_id IN ({placeholders}) ORDER BY t.name"
    );
    let mut q = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql));
    for r in &rows {
        q = q.bind(r.id);
    }
    let tags = q.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let tags = tags
                .iter()
                .filter(|(id, _, _)| *id == row.id)
                .map(|(_, slug, name)| Tag {
                    slug: slug.clone(),
                    name: name.clone(),
                })
                .collect();
            Post { row, tags }
        })
        .collect())
}

/// One page of published posts, newest first, optionally with a tag; and the total.
pub async fn published(db: &Db, tag: Option<&str>, page: i64) -> sqlx::Result<(Vec<Post>, i64)> {
    let tag = tag.unwrap_or("");
    let filter = "p.status = 'published' AND ($1 = '' OR EXISTS (SELECT 1 FROM post_tags pt \
                  JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id AND t.slug = $1))";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM posts p WHERE {filter}"
    )))
    .bind(tag)
    .fetch_one(&db.pool)
    .await?;
    let rows: Vec<PostRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts p WHERE {filter} ORDER BY p.published_at DESC, p.id DESC \
         LIMIT $2 OFFSET $3"
    )))
    .bind(tag)
    .bind(PER_PAGE)
    .bind((page - 1) * PER_PAGE)
    .fetch_all(&db.pool)
    .await?;
    Ok((with_tags(db, rows).await?, total))
}

/// The newest published posts (home page, feed).
pub async fn latest(db: &Db, n: i64) -> sqlx::Result<Vec<Post>> {
    let rows: Vec<PostRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts p WHERE p.status = 'published' \
         ORDER BY p.published_at DESC, p.id DESC LIMIT $1"
    )))
    .bind(n)
    .fetch_all(&db.pool)
    .await?;
    with_tags(db, rows).await
}

pub async fn post_by_slug(db: &Db, slug: &str) -> sqlx::Result<Option<Post>> {
    let row: Option<PostRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts p WHERE p.slug = $1"
    )))
    .bind(slug)
    .fetch_optional(&db.pool)
    .await?;
    Ok(with_tags(db, row.into_iter().collect()).await?.pop())
}

pub async fn post_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Post>> {
    let row: Option<PostRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts p WHERE p.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(with_tags(db, row.into_iter().collect()).await?.pop())
}

/// Every post, for staff.
pub async fn all_posts(db: &Db) -> sqlx::Result<Vec<Post>> {
    let rows: Vec<PostRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts p ORDER BY p.published_at DESC, p.id DESC"
    )))
    .fetch_all(&db.pool)
    .await?;
    with_tags(db, rows).await
}

pub async fn tag_name(db: &Db, slug: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM tags WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&db.pool)
        .await
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
            date: super::iso_date(p.row.published_at),
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
        if super::parse_date(&self.date).is_none() {
            e.push(("date", Msg::new("admin-err-enter-the-date-as-year-month")));
        }
        if self.tags.split(',').count() > 10 {
            e.push(("tags", Msg::new("admin-err-use-at-most-10-tags")));
        }
        if !matches!(self.status.as_str(), "draft" | "published") {
            e.push(("status", Msg::new("admin-err-choose-draft-or-published")));
        }
        e
    }
}

/// Saves a post, its tags and its search entry, and bumps the content version.
pub async fn save_post(
    tx: &mut Tx,
    backend: db::Backend,
    id: Option<i64>,
    f: &PostForm,
    author: Option<&StaffUser>,
) -> sqlx::Result<i64> {
    let now = db::now();
    let date = super::parse_date(&f.date).unwrap_or(now);
    let demo = i64::from(f.is_demo.is_some());
    let id: i64 =
        match id {
            Some(id) => sqlx::query_scalar(
                "UPDATE posts SET slug=$1, title=$2, title_cy=$3, summary=$4, body=$5, body_cy=$6, \
                 author_name=$7, status=$8, is_demo=$9, published_at=$10, updated_at=$11 \
                 WHERE id=$12 RETURNING id",
            )
            .bind(f.slug.trim())
            .bind(f.title.trim())
            .bind(f.title_cy.trim())
            .bind(f.summary.trim())
            .bind(&f.body)
            .bind(&f.body_cy)
            .bind(f.author_name.trim())
            .bind(&f.status)
            .bind(demo)
            .bind(date)
            .bind(now)
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
            None => sqlx::query_scalar(
                "INSERT INTO posts (slug, title, title_cy, summary, body, body_cy, author_name, \
                 author_id, status, is_demo, published_at, created_at, updated_at) \
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12) RETURNING id",
            )
            .bind(f.slug.trim())
            .bind(f.title.trim())
            .bind(f.title_cy.trim())
            .bind(f.summary.trim())
            .bind(&f.body)
            .bind(&f.body_cy)
            .bind(f.author_name.trim())
            .bind(author.map(|a| a.id))
            .bind(&f.status)
            .bind(demo)
            .bind(date)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?,
        };
    sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (slug, name) in f.tag_names() {
        let tag_id: i64 = sqlx::query_scalar(
            "INSERT INTO tags (slug, name) VALUES ($1, $2) \
             ON CONFLICT (slug) DO UPDATE SET name = tags.name RETURNING id",
        )
        .bind(&slug)
        .bind(&name)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query("INSERT INTO post_tags (post_id, tag_id) VALUES ($1, $2)")
            .bind(id)
            .bind(tag_id)
            .execute(&mut **tx)
            .await?;
    }
    if f.status == "published" {
        let body = format!(
            "{} {} {}",
            f.summary,
            markdown::plain_text(&f.body),
            markdown::plain_text(&f.body_cy)
        );
        let url = format!("/news/{}", f.slug.trim());
        search::index_doc(tx, backend, "post", id, &url, f.title.trim(), &body).await?;
    } else {
        search::remove_doc(tx, backend, "post", id).await?;
    }
    db::bump_content_version(tx).await?;
    Ok(id)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/news", get(list))
        .route("/news.rss", get(rss))
        .route("/news/tag/{tag}", get(tag_list))
        .route("/news/{slug}", get(show))
        .route("/admin/news", get(admin_list))
        .route("/admin/news/new", get(new_form).post(create))
        .route("/admin/news/{id}", get(edit_form).post(update))
        .route("/admin/news/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "cms/news_list.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    posts: Vec<Post>,
    tag: Option<(String, String)>,
    page: i64,
    pages: i64,
    base: String,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    page: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = web::page_number(q.page.as_deref());
    render_list(state, c, headers, None, page).await
}

async fn tag_list(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = web::page_number(q.page.as_deref());
    render_list(state, c, headers, Some(tag), page).await
}

async fn render_list(
    state: AppState,
    c: Ctx,
    headers: HeaderMap,
    tag: Option<String>,
    page: i64,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let tag = match tag {
                Some(slug) => {
                    let name = tag_name(&st.db, &slug).await?.ok_or(AppError::NotFound)?;
                    Some((slug, name))
                }
                None => None,
            };
            let (posts, total) =
                published(&st.db, tag.as_ref().map(|t| t.0.as_str()), page).await?;
            let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
            if page > pages {
                return Err(AppError::NotFound);
            }
            let base = match &tag {
                Some((slug, _)) => format!("/news/tag/{slug}"),
                None => "/news".into(),
            };
            Ok(ListTemplate {
                c: &cc,
                posts,
                tag,
                page,
                pages,
                base,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "cms/news_post.html")]
struct PostTemplate<'a> {
    c: &'a Ctx,
    post: Post,
    body_html: String,
    content_lang: &'a str,
}

async fn show(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let post = post_by_slug(&st.db, &slug)
                .await?
                .filter(|p| p.row.status == "published")
                .ok_or(AppError::NotFound)?;
            let welsh = cc.is_cy() && !post.row.body_cy.trim().is_empty();
            let (body, content_lang) = if welsh {
                (post.row.body_cy.as_str(), "cy")
            } else {
                (post.row.body.as_str(), if cc.is_cy() { "en" } else { "" })
            };
            let body_html = markdown::render(body);
            Ok(PostTemplate {
                c: &cc,
                body_html,
                content_lang,
                post,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "cms/news.rss", escape = "xml")]
struct RssTemplate<'a> {
    c: &'a Ctx,
    base: &'a str,
    posts: Vec<Post>,
    build_date: String,
}

/// RFC 822 date for RSS.
fn rfc822(ts: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ts) else {
        return String::new();
    };
    t.format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}

impl RssTemplate<'_> {
    fn pub_date(&self, p: &Post) -> String {
        rfc822(p.row.published_at)
    }
}

/// `GET /news.rss` — RSS 2.0 of the 20 newest posts.
async fn rss(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "application/rss+xml; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let posts = latest(&st.db, 20).await?;
            let build_date = rfc822(
                posts
                    .first()
                    .map(|p| p.row.updated_at)
                    .unwrap_or_else(db::now),
            );
            Ok(RssTemplate {
                c: &cc,
                base: &st.config.public_url,
                posts,
                build_date,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/news.html")]
struct AdminListTemplate<'a> {
    c: &'a Ctx,
    posts: Vec<Post>,
}

async fn admin_list(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let posts = all_posts(&state.db).await?;
    private_page(&AdminListTemplate {
        c: &c.with_staff(staff),
        posts,
    })
}

#[derive(Template)]
#[template(path = "admin/news_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: &'a PostForm,
    errors: crate::web::FieldErrors,
    preview: String,
    saved: bool,
}

impl EditTemplate<'_> {
    fn error(&self, field: &str) -> String {
        crate::app::field_error(self.c, &self.errors, field)
    }
}

fn render_edit(
    c: &Ctx,
    id: Option<i64>,
    f: &PostForm,
    errors: crate::web::FieldErrors,
    saved: bool,
) -> Result<Response, AppError> {
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
            preview: markdown::render(&f.body),
            saved,
        },
    )
}

async fn new_form(c: Ctx, staff: StaffUser) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let f = PostForm {
        status: "draft".into(),
        author_name: staff.display().to_string(),
        date: super::iso_date(db::now()),
        ..Default::default()
    };
    render_edit(&c.with_staff(staff), None, &f, vec![], false)
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(mut f): Form<PostForm>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    if f.slug.trim().is_empty() {
        f.slug = super::slugify(&f.title);
    }
    save(&state, c.with_staff(staff), None, f).await
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let post = post_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let saved = c.path.contains("saved=1");
    render_edit(
        &c.with_staff(staff),
        Some(id),
        &PostForm::from_post(&post),
        vec![],
        saved,
    )
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
    Form(f): Form<PostForm>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    post_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    save(&state, c.with_staff(staff), Some(id), f).await
}

async fn save(
    state: &AppState,
    c: Ctx,
    id: Option<i64>,
    f: PostForm,
) -> Result<Response, AppError> {
    let staff = c.staff.clone().ok_or(AppError::Forbidden)?;
    if f.status == "published" {
        staff.require(Permission::PublishContent)?;
    }
    let mut errors = f.problems();
    if errors.is_empty()
        && let Some(other) = post_by_slug(&state.db, f.slug.trim()).await?
        && Some(other.row.id) != id
    {
        errors.push((
            "slug",
            Msg::new("admin-err-another-post-already-uses-this-web"),
        ));
    }
    if !errors.is_empty() {
        return render_edit(&c, id, &f, errors, false);
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = save_post(&mut tx, state.db.backend, id, &f, Some(&staff)).await?;
    let action = if id.is_some() {
        "update_post"
    } else {
        "create_post"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "post",
        new_id,
        &format!("{} ({})", f.title.trim(), f.status),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/news/{new_id}?saved=1")))
}

async fn delete(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    let post = post_by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    search::remove_doc(&mut tx, state.db.backend, "post", id).await?;
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "delete_post",
        "post",
        id,
        &post.row.title,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/news"))
}
