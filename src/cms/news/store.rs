//! Every query about posts and tags.

use super::{PER_PAGE, Post, PostForm, PostRow, Tag};
use crate::auth::StaffUser;
use crate::cms::{markdown, search};
use crate::db::{self, Db, Tx};

const COLUMNS: &str = "p.id, p.slug, p.title, p.title_cy, p.summary, p.body, p.body_cy, \
                       p.author_name, p.status, p.is_demo, p.published_at, p.updated_at";

/// Loads the tags of many posts in one query (no query per post).
async fn with_tags(db: &Db, rows: Vec<PostRow>) -> sqlx::Result<Vec<Post>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let placeholders = db::marks(1, rows.len());
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

/// Saves a post, its tags and its search entry, and bumps the content version.
pub async fn save_post(
    tx: &mut Tx,
    backend: db::Backend,
    id: Option<i64>,
    f: &PostForm,
    author: Option<&StaffUser>,
) -> sqlx::Result<i64> {
    let now = db::now();
    let date = crate::uktime::parse_date(&f.date).unwrap_or(now);
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

/// Deletes a post (its tags go with it); the caller removes its search entry.
pub async fn delete_post(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many posts there are (drafts included), for the staff dashboard.
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(&db.pool)
        .await
}
