//! Every resources route in one list, and the public side: the library (`/resources`,
//! by kind) and downloads (`/files/{stored}/{name}`, with a fixed Content-Type and, for
//! anything a browser could run or mis-render, `Content-Disposition: attachment`). The
//! staff screens are in `admin.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::admin::{admin_list, create, delete, edit_form, new_form, update};
use super::{FILE_TYPES, KINDS, ResourceRow, store};
use crate::AppState;
use crate::app::Ctx;
use crate::auth::StaffUser;
use crate::web::{self, AppError, Msg, Query};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/resources", get(list))
        .route("/files/{stored}/{name}", get(download))
        .route("/admin/resources", get(admin_list))
        .route(
            "/admin/resources/new",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/admin/resources/{id}",
            get(edit_form)
                .post(update)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/admin/resources/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "cms/resources.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    resources: Vec<ResourceRow>,
    kind: String,
}

impl ListTemplate<'_> {
    fn kind_label(&self, kind: &str) -> String {
        self.c.t(&format!("resource-kind-{kind}"))
    }
}

#[derive(Deserialize, Default)]
struct KindQuery {
    kind: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<KindQuery>,
) -> Result<Response, AppError> {
    let kind = q.kind.unwrap_or_default();
    if !kind.is_empty() && !KINDS.contains(&kind.as_str()) {
        return Err(AppError::BadRequest(Msg::new(
            "error-no-such-resource-kind",
        )));
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
            let resources = store::published(&st.db, &kind).await?;
            Ok(ListTemplate {
                c: &cc,
                resources,
                kind,
            }
            .render()?)
        },
    )
    .await
}

/// `GET /files/{stored}/{name}` — a published upload (staff may fetch drafts).
async fn download(
    State(state): State<AppState>,
    Path((stored, _name)): Path<(String, String)>,
    staff: Option<StaffUser>,
) -> Result<Response, AppError> {
    // Stored names are ours: 32 hex digits, a dot and a known extension. Anything else
    // (dots, slashes, encoded traversal) is not a file we wrote.
    let (hex, ext) = stored.split_once('.').ok_or(AppError::NotFound)?;
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let ft = FILE_TYPES
        .iter()
        .find(|t| t.ext == ext)
        .ok_or(AppError::NotFound)?;
    let row = store::resource_by_stored(&state.db, &stored)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != "published" && staff.is_none() {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(state.config.uploads_dir().join(&stored))
        .await
        .map_err(|_| AppError::NotFound)?;
    let mut res = web::bytes_response(ft.content_type, bytes);
    let disposition = format!(
        "{}; filename=\"{}\"",
        if ft.inline { "inline" } else { "attachment" },
        row.file_name
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    // A PDF or image opened directly must not run anything either.
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ),
    );
    Ok(res)
}
