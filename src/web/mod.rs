//! HTTP plumbing shared by every capability, knowing none of them: extractors, the page
//! cache, assets, splicing, load shedding, input cleaning, the error type, security
//! headers and the cross-site rule. The application on top (`crate::app`) assembles the
//! router and the per-request frame from these.

pub mod antispam;
pub mod assets;
pub mod cache;
pub mod error;
pub mod input;
pub mod load;
pub mod splice;

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

pub use cache::{CachedPage, Compressed};
pub use error::{AppError, ErrorPage};

/// A message for a person, named by its Fluent id, with arguments. Logic returns these
/// instead of text, so the page can say it in the visitor's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub const fn new(key: &'static str) -> Msg {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    /// Adds an argument (`{ $name }` in the message).
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Msg {
        self.args.push((name, value.to_string()));
        self
    }

    /// The message in `lang`.
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        let args: Vec<(&str, fluent_templates::fluent_bundle::FluentValue<'static>)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v.clone().into()))
            .collect();
        lang.t_args(self.key, &args)
    }
}

/// Field name → message, for showing a form again with its problems: the one type every
/// form uses. A template shows a field's message with `errors.text(c.lang, "field")` and
/// the summary by iterating it; a handler answers with [`AppError::invalid`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, Msg)>);

impl FieldErrors {
    pub const fn new() -> FieldErrors {
        FieldErrors(Vec::new())
    }

    /// Notes a problem with `field` (a form's input name, also the id the summary links to).
    pub fn add(&mut self, field: &'static str, msg: Msg) {
        self.0.push((field, msg));
    }

    /// The message for `field` in `lang`, or nothing when the field is fine.
    pub fn text(&self, lang: impl std::borrow::Borrow<crate::i18n::Lang>, field: &str) -> String {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.text(*lang.borrow()))
            .unwrap_or_default()
    }
}

impl std::ops::Deref for FieldErrors {
    type Target = Vec<(&'static str, Msg)>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for FieldErrors {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Vec<(&'static str, Msg)>> for FieldErrors {
    fn from(v: Vec<(&'static str, Msg)>) -> FieldErrors {
        FieldErrors(v)
    }
}

impl FromIterator<(&'static str, Msg)> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = (&'static str, Msg)>>(iter: I) -> FieldErrors {
        FieldErrors(iter.into_iter().collect())
    }
}

impl IntoIterator for FieldErrors {
    type Item = (&'static str, Msg);
    type IntoIter = std::vec::IntoIter<(&'static str, Msg)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a FieldErrors {
    type Item = &'a (&'static str, Msg);
    type IntoIter = std::slice::Iter<'a, (&'static str, Msg)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Largest ordinary form body. Uploads set their own limit.
pub const FORM_LIMIT: usize = 256 * 1024;

/// Content-Security-Policy for the embeddable map: as [`CSP`] but any site may frame it.
pub const CSP_EMBED: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors *";

/// Content-Security-Policy: everything from this origin, nothing inline, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");
const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// The security headers every response carries (a handler may set its own first).
pub fn security_headers(h: &mut HeaderMap) {
    // A route meant for embedding sets its own CSP with `frame-ancestors *`; then there must
    // be no X-Frame-Options either. (Header names are constants: parsing them from strings
    // on every response showed in profiles.)
    let embeddable = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("frame-ancestors *"));
    if !embeddable {
        h.entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
    }
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(CROSS_ORIGIN_OPENER_POLICY, "same-origin");
    set(
        PERMISSIONS_POLICY,
        "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=()",
    );
}

/// The CSRF rule: a state-changing request is refused when the browser says it came from
/// another site. Browsers send `Sec-Fetch-Site` (and `Origin`) on every POST, so no
/// per-form token is needed; a request with neither header is not from a current browser
/// and is allowed (the session cookie is also `SameSite=Lax`).
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or("null");
        return origin_host != host;
    }
    false
}

/// An HTML body with the right content type.
pub struct Html(pub String);

impl IntoResponse for Html {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            self.0,
        )
            .into_response()
    }
}

/// Renders a template into an HTML response that must not be stored by any cache: staff
/// pages, forms and anything shown only to this visitor.
pub fn private_page(t: &impl Template) -> Result<Response, AppError> {
    private_page_status(StatusCode::OK, t)
}

/// As [`private_page`] with a status (422 for a form with errors).
pub fn private_page_status(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    let html = t.render()?;
    let mut res = (status, Html(html)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A form page as it stands: 200 when it shows no problems, otherwise the same page as
/// [`AppError::invalid`] (422). For handlers that render a form whether or not it has
/// problems (`errors` are the ones the page shows).
pub fn form_page(t: &impl Template, errors: &FieldErrors) -> Result<Response, AppError> {
    if errors.is_empty() {
        private_page(t)
    } else {
        Err(AppError::invalid(t))
    }
}

/// Cache-Control for public pages: browsers revalidate with the ETag each time (a 304 is
/// cheap), so an edit shows at once.
pub const PUBLIC_REVALIDATE: &str = "public, no-cache";
/// For pages a visitor may not want kept in their browser history cache (help pages).
pub const SENSITIVE: &str = "no-store";

/// Percent-encodes a string for use in a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A redirect target from a `next=` parameter, accepted only when it stays on this site
/// (a path starting with one `/`, no scheme, no backslash tricks). Anything else gives `/`.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control());
    if ok { next } else { "/" }
}

/// 303 See Other to `to`.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// configuration says a trusted proxy sits in front.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    client_ip_of(&parts.headers, &parts.extensions, trust_proxy)
}

/// [`client_ip`] from a request's headers and extensions.
pub fn client_ip_of(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(v) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = v.split(',').next()
    {
        return first.trim().to_string();
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A urlencoded form whose rejection is a friendly [`AppError`] (axum's own is plain text).
/// A form's fields, posted either URL-encoded or as `multipart/form-data` (forms with an
/// optional file): text fields in order, and any non-empty files by field name.
pub struct Fields {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Fields {
    /// The text fields read into a form struct, as `Form` would read them.
    pub fn form<T: serde::de::DeserializeOwned>(&self) -> Result<T, AppError> {
        let encoded = serde_urlencoded::to_string(&self.pairs)
            .map_err(|_| AppError::BadRequest(Msg::new("error-unreadable-body")))?;
        serde_urlencoded::from_str(&encoded)
            .map_err(|_| AppError::BadRequest(Msg::new("error-unreadable-body")))
    }

    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// The first value of a text field (empty when absent).
    pub fn text(&self, name: &str) -> &str {
        field(&self.pairs, name)
    }

    /// An import's text: the file uploaded as `file` when one was chosen, otherwise what
    /// was pasted into the text field `pasted` (empty when neither). A file that is not
    /// UTF-8 text is refused with a plain message. The one reader for every import form
    /// (see `crate::staging`).
    pub fn upload(&self, file: &str, pasted: &str) -> Result<String, AppError> {
        match self.file(file).filter(|b| !b.trim_ascii().is_empty()) {
            Some(bytes) => String::from_utf8(bytes.to_vec())
                .map_err(|_| AppError::BadRequest(Msg::new("admin-import-not-utf8"))),
            None => Ok(self.text(pasted).to_string()),
        }
    }
}

/// A multipart reading error: too large when the body limit cut it, otherwise unreadable.
fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(Msg::new("error-unreadable-form"))
    }
}

impl<S> FromRequest<S> for Fields
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state).await?;
            return Ok(Fields {
                pairs,
                files: Vec::new(),
            });
        }
        let mut mp = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest(Msg::new("error-unreadable-body")))?;
        let mut out = Fields {
            pairs: Vec::new(),
            files: Vec::new(),
        };
        while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or("").to_string();
            let is_file = field.file_name().is_some();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            if is_file {
                if !bytes.is_empty() {
                    out.files.push((name, bytes.to_vec()));
                }
            } else {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::BadRequest(Msg::new("error-unreadable-body")))?;
                out.pairs.push((name, text));
            }
        }
        Ok(out)
    }
}

pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(Msg::new("error-unreadable-body"))
            }
        })?;
        serde_urlencoded::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| AppError::BadRequest(Msg::new("error-unreadable-form")))
    }
}

/// Query parameters with a friendly rejection.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(Query)
            .map_err(|_| AppError::BadRequest(Msg::new("error-unreadable-query")))
    }
}

/// A response body from bytes with a content type (downloads, feeds).
pub fn bytes_response(content_type: &str, body: impl Into<Body>) -> Response {
    let mut res = Response::new(body.into());
    if let Ok(v) = HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}

/// A cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`, `@`
/// or a tab gets a leading apostrophe (names and sources are typed by people).
pub fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Text made safe to place in HTML content or a quoted attribute, for HTML built in Rust
/// (templates escape by themselves).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The first value of field `name` in a form's pairs ("" when absent).
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Parses a page number from a query value (1 when absent or silly).
pub fn page_number(p: Option<&str>) -> i64 {
    p.and_then(|s| s.parse::<i64>().ok())
        .filter(|n| (1..=100_000).contains(n))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_site() {
        for (input, want) in [
            ("/admin/pages", "/admin/pages"),
            ("/news?page=2", "/news?page=2"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/\\evil.example", "/"),
            ("", "/"),
            ("javascript:alert(1)", "/"),
        ] {
            assert_eq!(safe_next(input), want, "{input}");
        }
    }

    #[test]
    fn cross_site_rule() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(!is_cross_site(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(is_cross_site(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&h(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&h(&[
            ("origin", "http://a.org"),
            ("host", "a.org")
        ])));
        assert!(is_cross_site(&h(&[
            ("origin", "http://evil.org"),
            ("host", "a.org")
        ])));
        assert!(is_cross_site(&h(&[("origin", "null"), ("host", "a.org")])));
        assert!(!is_cross_site(&HeaderMap::new()));
    }

    #[test]
    fn encodes() {
        assert_eq!(
            url_encode("/news?page=2&x=a b"),
            "/news%3Fpage%3D2%26x%3Da%20b"
        );
    }
}
