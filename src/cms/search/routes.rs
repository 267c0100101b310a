//! `GET /search`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{Hit, search};
use crate::AppState;
use crate::app::Ctx;
use crate::web::{AppError, Query, private_page};

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search_page))
}

#[derive(Template)]
#[template(path = "cms/search.html")]
struct SearchTemplate<'a> {
    c: &'a Ctx,
    q: &'a str,
    hits: Vec<Hit>,
}

impl SearchTemplate<'_> {
    fn kind_label(&self, kind: &str) -> String {
        self.c.t(&format!("search-kind-{kind}"))
    }
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
}

/// `GET /search?q=…` — not cached (the words are the visitor's own) and not stored.
async fn search_page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let text: String = q.q.unwrap_or_default().chars().take(200).collect();
    let hits = search(&state.db, &text, 30).await?;
    private_page(&SearchTemplate {
        c: &c,
        q: text.trim(),
        hits,
    })
}
