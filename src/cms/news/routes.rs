//! The news pages, the feed and the staff screens for posts.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{PER_PAGE, Post, PostForm, store};
use crate::app::Ctx;
use crate::auth::Permission;
use crate::auth::{Staff, perm};
use crate::cms::{markdown, search};
use crate::db;
use crate::web::{self, AppError, Form, Msg, Query, form_page, private_page, see_other};
use crate::{AppState, audit};

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
                    let name = store::tag_name(&st.db, &slug)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    Some((slug, name))
                }
                None => None,
            };
            let (posts, total) =
                store::published(&st.db, tag.as_ref().map(|t| t.0.as_str()), page).await?;
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
            let post = store::post_by_slug(&st.db, &slug)
                .await?
                .filter(|p| p.row.status == "published")
                .ok_or(AppError::NotFound)?;
            let welsh = cc.is_cy() && !post.row.body_cy.trim().is_empty();
            let (body, content_lang) = if welsh {
                (post.row.body_cy.as_str(), "cy")
            } else {
                (post.row.body.as_str(), if cc.is_cy() { "en" } else { "" })
            };
            let body_html = markdown::render_in(body, cc.lang);
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
            let posts = store::latest(&st.db, 20).await?;
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
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let posts = store::all_posts(&state.db).await?;
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

fn render_edit(
    c: &Ctx,
    id: Option<i64>,
    f: &PostForm,
    errors: crate::web::FieldErrors,
    saved: bool,
) -> Result<Response, AppError> {
    let page = EditTemplate {
        c,
        id,
        f,
        errors,
        preview: markdown::render(&f.body),
        saved,
    };
    form_page(&page, &page.errors)
}

async fn new_form(c: Ctx, Staff(staff, _): Staff<perm::EditContent>) -> Result<Response, AppError> {
    let f = PostForm {
        status: "draft".into(),
        author_name: staff.display().to_string(),
        date: crate::uktime::iso_date(db::now()),
        ..Default::default()
    };
    render_edit(
        &c.with_staff(staff),
        None,
        &f,
        crate::web::FieldErrors::new(),
        false,
    )
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Form(mut f): Form<PostForm>,
) -> Result<Response, AppError> {
    if f.slug.trim().is_empty() {
        f.slug = crate::cms::slugify(&f.title);
    }
    save(&state, c.with_staff(staff), None, f).await
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let post = store::post_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = c.path.contains("saved=1");
    render_edit(
        &c.with_staff(staff),
        Some(id),
        &PostForm::from_post(&post),
        crate::web::FieldErrors::new(),
        saved,
    )
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Form(f): Form<PostForm>,
) -> Result<Response, AppError> {
    store::post_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
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
        && let Some(other) = store::post_by_slug(&state.db, f.slug.trim()).await?
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
    let new_id = store::save_post(&mut tx, state.db.backend, id, &f, Some(&staff)).await?;
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
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let post = store::post_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    search::remove_doc(&mut tx, state.db.backend, "post", id).await?;
    store::delete_post(&mut tx, id).await?;
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
