//! Every query about pages and their revisions.

use super::{PageForm, PageRow, RevisionRow};
use crate::auth::StaffUser;
use crate::cms::{markdown, search};
use crate::db::{self, Db, Tx};
use crate::site::NavItem;
use crate::web::Msg;

const COLUMNS: &str = "id, slug, parent_id, title, title_cy, body, body_cy, status, show_in_nav, \
                       nav_order, is_demo, updated_at, published_at, image, image_alt, image_alt_cy \
                       FROM pages";

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
pub async fn db_problems(
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
    Ok(e.into())
}

/// Deletes a page; the caller removes its search entry.
pub async fn delete_page(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM pages WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many pages there are (drafts included), for the staff dashboard.
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM pages")
        .fetch_one(&db.pool)
        .await
}
