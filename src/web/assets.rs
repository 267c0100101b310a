//! Static files compiled into the binary and served at content-hashed URLs
//! (`/assets/site.3f2a9c1b.css`), so browsers cache them for a year and a new release
//! changes the URL. Each file is compressed once at start.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::cache::{Compressed, Encoding, preferred_encoding};

/// (logical name, bytes, content type)
const FILES: &[(&str, &[u8], &str)] = &[
    (
        "site.css",
        include_bytes!("../../static/site.css"),
        "text/css; charset=utf-8",
    ),
    (
        "exit.js",
        include_bytes!("../../static/exit.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "finder.js",
        include_bytes!("../../static/finder.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "story-draft.js",
        include_bytes!("../../static/story-draft.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "favicon.svg",
        include_bytes!("../../static/favicon.svg"),
        "image/svg+xml",
    ),
    // Atkinson Hyperlegible Next (SIL Open Font License, static/fonts/OFL.txt), regular
    // and bold, split as Google Fonts splits it: Latin, and Latin Extended (ŵ, ŷ), which a
    // browser fetches only for a page that uses one of its letters.
    (
        "ahn-latin-400.woff2",
        include_bytes!("../../static/fonts/ahn-latin-400.woff2"),
        "font/woff2",
    ),
    (
        "ahn-latin-700.woff2",
        include_bytes!("../../static/fonts/ahn-latin-700.woff2"),
        "font/woff2",
    ),
    (
        "ahn-latin-ext-400.woff2",
        include_bytes!("../../static/fonts/ahn-latin-ext-400.woff2"),
        "font/woff2",
    ),
    (
        "ahn-latin-ext-700.woff2",
        include_bytes!("../../static/fonts/ahn-latin-ext-700.woff2"),
        "font/woff2",
    ),
];

/// One embedded file.
pub struct Asset {
    pub content_type: &'static str,
    pub body: Compressed,
}

struct Assets {
    /// hashed file name → asset
    by_hashed: HashMap<String, Asset>,
    /// logical name → hashed URL
    urls: HashMap<&'static str, String>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut by_hashed = HashMap::new();
    let mut urls: HashMap<&'static str, String> = HashMap::new();
    // Stylesheets last: they name other assets as `url("/assets/NAME")`, which becomes
    // the hashed URL before the stylesheet itself is hashed.
    let mut files: Vec<&(&str, &[u8], &str)> = FILES.iter().collect();
    files.sort_by_key(|(_, _, content_type)| content_type.starts_with("text/css"));
    for (name, bytes, content_type) in files {
        let body = if content_type.starts_with("text/css") {
            link_assets(bytes, &urls)
        } else {
            bytes.to_vec()
        };
        let hash = short_hash(&body);
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let hashed = format!("{stem}.{hash}.{ext}");
        urls.insert(*name, format!("/assets/{hashed}"));
        // Fonts are compressed already (WOFF2 is brotli inside).
        let body = if *content_type == "font/woff2" {
            Compressed::stored(body)
        } else {
            Compressed::best(body)
        };
        by_hashed.insert(hashed, Asset { content_type, body });
    }
    Assets { by_hashed, urls }
});

/// A stylesheet with each `url("/assets/NAME")` of an embedded file replaced by its hashed
/// URL.
fn link_assets(css: &[u8], urls: &HashMap<&'static str, String>) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(css).into_owned();
    for (name, url) in urls {
        text = text.replace(
            &format!("url(\"/assets/{name}\")"),
            &format!("url(\"{url}\")"),
        );
    }
    text.into_bytes()
}

/// The first 10 hex digits of SHA-256: plenty to tell releases apart.
pub fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(5).map(|b| format!("{b:02x}")).collect()
}

/// The hashed URL of an embedded file, e.g. `url("site.css")`.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .urls
        .get(name)
        .map(String::as_str)
        .expect("unknown asset name")
}

/// Total bytes of every embedded asset, uncompressed (for the page-weight report).
pub fn total_size() -> usize {
    FILES.iter().map(|(_, b, _)| b.len()).sum()
}

/// `GET /assets/{file}`
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.by_hashed.get(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    asset_response(&asset.body, asset.content_type, &headers, IMMUTABLE)
}

/// Cache for a year: the URL changes whenever the bytes do.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Builds a response for pre-compressed bytes, honouring Accept-Encoding and If-None-Match.
pub fn asset_response(
    body: &Compressed,
    content_type: &'static str,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Response {
    let etag = body.etag.as_str();
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag.to_string()),
                (header::CACHE_CONTROL, cache_control.to_string()),
            ],
        )
            .into_response();
    }
    let enc = preferred_encoding(headers);
    let (bytes, encoding) = body.pick(enc);
    let mut res = Response::new(axum::body::Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache_control),
    );
    h.insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Encoding"),
    );
    if let Ok(v) = header::HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    match encoding {
        Encoding::Br => {
            h.insert(
                header::CONTENT_ENCODING,
                header::HeaderValue::from_static("br"),
            );
        }
        Encoding::Gzip => {
            h.insert(
                header::CONTENT_ENCODING,
                header::HeaderValue::from_static("gzip"),
            );
        }
        Encoding::Identity => {}
    }
    res
}
