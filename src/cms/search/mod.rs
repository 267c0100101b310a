//! Site search over published pages, news and resources.
//!
//! `routes.rs` is the `/search` page. The SQL forks by dialect here: SQLite uses an FTS5 table, PostgreSQL a
//! weighted `tsvector` column with a GIN index. Both get the same query shape (every word,
//! as a prefix) built from the visitor's words, never from raw query syntax, and both mark
//! matches with private-use characters that become `<mark>` only after HTML escaping.

use crate::db::{Backend, Db, Tx};

mod routes;

pub use routes::routes;

const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';

/// Adds or replaces a document in the index.
pub async fn index_doc(
    tx: &mut Tx,
    backend: Backend,
    kind: &str,
    ref_id: i64,
    url: &str,
    title: &str,
    body: &str,
) -> sqlx::Result<()> {
    remove_doc(tx, backend, kind, ref_id).await?;
    let clean = |s: &str| s.replace([MARK_START, MARK_END], "");
    let sql = match backend {
        Backend::Sqlite => {
            "INSERT INTO search_fts (kind, ref_id, url, title, body) VALUES ($1, $2, $3, $4, $5)"
        }
        Backend::Postgres => {
            "INSERT INTO search_docs (kind, ref_id, url, title, body) VALUES ($1, $2, $3, $4, $5)"
        }
    };
    sqlx::query(sql)
        .bind(kind)
        .bind(ref_id.to_string())
        .bind(url)
        .bind(clean(title))
        .bind(clean(body))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes a document (unpublished or deleted content).
pub async fn remove_doc(
    tx: &mut Tx,
    backend: Backend,
    kind: &str,
    ref_id: i64,
) -> sqlx::Result<()> {
    let sql = match backend {
        Backend::Sqlite => "DELETE FROM search_fts WHERE kind = $1 AND ref_id = $2",
        Backend::Postgres => "DELETE FROM search_docs WHERE kind = $1 AND ref_id = $2",
    };
    sqlx::query(sql)
        .bind(kind)
        .bind(ref_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The address of every page in the index (for the sitemap), in no order.
pub async fn all_urls(db: &Db) -> sqlx::Result<Vec<String>> {
    let sql = match db.backend {
        Backend::Sqlite => "SELECT url FROM search_fts",
        Backend::Postgres => "SELECT url FROM search_docs",
    };
    sqlx::query_scalar(sql).fetch_all(&db.pool).await
}

/// One search result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: String,
    pub url: String,
    pub title: String,
    /// HTML: escaped text with `<mark>` around matches.
    pub snippet: String,
}

/// The visitor's words, lower-cased, letters and digits only, at most 8 of them.
pub fn query_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(8)
        .collect()
}

/// Searches published content; at most `limit` hits, best first.
pub async fn search(db: &Db, q: &str, limit: i64) -> sqlx::Result<Vec<Hit>> {
    let words = query_words(q);
    if words.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<(String, String, String, String)> = match db.backend {
        Backend::Sqlite => {
            // "word"* is a quoted prefix term in FTS5; quoting makes every word literal.
            let fts = words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" ");
            sqlx::query_as(
                "SELECT kind, url, title, snippet(search_fts, 4, char(57344), char(57345), '…', 24) \
                 FROM search_fts WHERE search_fts MATCH $1 \
                 ORDER BY bm25(search_fts, 0.0, 0.0, 0.0, 10.0, 1.0) LIMIT $2",
            )
            .bind(fts)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
        Backend::Postgres => {
            let tsq = words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ");
            sqlx::query_as(
                "SELECT kind, url, title, ts_headline('english', body, to_tsquery('english', $1), \
                 'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || \
                 ', MaxWords=40, MinWords=20, ShortWord=2') \
                 FROM search_docs WHERE tsv @@ to_tsquery('english', $1) \
                 ORDER BY ts_rank(tsv, to_tsquery('english', $1)) DESC LIMIT $2",
            )
            .bind(tsq)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|(kind, url, title, snippet)| Hit {
            kind,
            url,
            title,
            snippet: highlight(&snippet),
        })
        .collect())
}

/// Escapes text for HTML, then turns the match markers into `<mark>` elements.
pub fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            MARK_START => out.push_str("<mark>"),
            MARK_END => out.push_str("</mark>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_literal() {
        assert_eq!(
            query_words("  Mother & baby \"units\" OR NEAR(x)"),
            ["mother", "baby", "units", "or", "near", "x"]
        );
        assert!(query_words("*** ---").is_empty());
    }

    #[test]
    fn highlight_escapes_first() {
        assert_eq!(
            highlight("a <b> \u{E000}help\u{E001}"),
            "a &lt;b&gt; <mark>help</mark>"
        );
    }
}
