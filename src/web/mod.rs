//! HTTP plumbing shared by every capability: the router, middleware (security headers,
//! cross-site request refusal, error pages, metrics, request ids), extractors and helpers.

pub mod antispam;
pub mod assets;
pub mod cache;
pub mod ctx;
pub mod error;
pub mod images;
pub mod input;
pub mod load;
pub mod splice;

use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::de::DeserializeOwned;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::AppState;
pub use cache::{CachedPage, Compressed};
pub use ctx::Ctx;
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

/// Field name → message, for re-showing a form with its errors.
pub type FieldErrors = Vec<(&'static str, Msg)>;

/// The message for `field` in the visitor's language ("" when the field is fine).
pub fn field_error(c: &Ctx, errors: &[(&'static str, Msg)], field: &str) -> String {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.text(c.lang))
        .unwrap_or_default()
}

/// Largest ordinary form body. Uploads set their own limit.
pub const FORM_LIMIT: usize = 256 * 1024;

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let upload_limit = (state.config.upload_max_mb as usize) * 1024 * 1024 + 64 * 1024;
    // With request logging filtered out (MMHA_LOG=warn) the trace layer would only cost
    // time: leave it out.
    let request_logging =
        tracing::level_filters::LevelFilter::current() >= tracing::level_filters::LevelFilter::INFO;
    let router = Router::new()
        .merge(crate::site::routes::routes())
        .merge(crate::atlas::routes::routes())
        .merge(crate::atlas::oruk::routes())
        .merge(crate::atlas::service_admin::routes())
        .merge(crate::cms::routes(upload_limit))
        .merge(crate::auth::routes::routes())
        .merge(crate::auth::two_factor::routes())
        .merge(crate::admin::routes())
        .merge(crate::ops::routes())
        .merge(crate::mail::routes::routes())
        .merge(crate::mail::admin::routes())
        .merge(crate::mail::intake::routes(upload_limit))
        .merge(crate::enquiries::routes::routes())
        .merge(crate::stories::routes::routes())
        .merge(crate::people::routes())
        .merge(crate::members::routes::routes())
        .merge(crate::members::roster_routes::routes())
        .merge(crate::web::images::routes())
        .merge(crate::campaigns::routes::routes())
        .merge(crate::campaigns::survey::routes())
        .merge(crate::campaigns::admin::routes())
        .route("/assets/{file}", get(assets::serve))
        // Compression for what is rendered per request (staff pages, API JSON). Cached
        // pages carry their encoding already; the layer only costs them time.
        .layer(tower_http::compression::CompressionLayer::new())
        // The finder's pages are spliced from pre-compressed parts (web::splice) and its
        // JSON is small: outside the compression layer, which measured a tenth of its
        // throughput.
        .merge(crate::finder::routes::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), frame))
        .layer(PropagateRequestIdLayer::x_request_id());
    let router = if !request_logging {
        router
    } else {
        router.layer(
            // Spans carry the method, the route pattern and the request id; never the query
            // string, which may hold a postcode or search words.
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // Field values are only evaluated when the span is enabled, so with
                    // request logging off this costs nothing.
                    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str());
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok());
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        route = route.unwrap_or("-"),
                        request_id = id.unwrap_or("-"),
                    )
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
    };
    router
        .layer(SetRequestIdLayer::x_request_id(
            SequentialRequestId::default(),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state)
}

/// Request ids: a random prefix per process and a counter. Unique across instances and
/// restarts without a random-number syscall on every request (a UUID per request cost a
/// measurable share of throughput).
#[derive(Clone)]
struct SequentialRequestId {
    prefix: Arc<str>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl Default for SequentialRequestId {
    fn default() -> Self {
        let token = crate::auth::session::random_token();
        SequentialRequestId {
            prefix: Arc::from(&token[..8]),
            next: Arc::new(std::sync::atomic::AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Content-Security-Policy for the embeddable map: as [`CSP`] but any site may frame it.
pub const CSP_EMBED: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors *";

/// Content-Security-Policy: everything from this origin, nothing inline, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Every request passes through here once: cross-site refusal, friendly error pages,
/// security headers and metrics. One middleware rather than four, because each `from_fn`
/// layer costs a boxed future and a service clone per request.
async fn frame(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    // A Uri clone only bumps reference counts; strings are built on the error path only.
    let uri = req.uri().clone();
    let lang = ctx::lang_from(req.headers());
    let writes = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    // RFC 8058 one-click unsubscribe is posted by mail providers from their own sites; the
    // unguessable token in the path is its authority.
    let one_click = uri.path().starts_with("/subscribe/unsubscribe/");
    // For analytics: what a GET needs to be counted once answered, taken now (nothing at
    // all for bots, opt-outs, staff and paths that are not counted).
    let view = if state.config.analytics && method == Method::GET {
        crate::analytics::pending(uri.path(), req.headers(), || {
            client_ip_of(req.headers(), req.extensions(), state.config.trust_proxy)
        })
    } else {
        None
    };
    // Overloaded, non-essential requests are turned away at once. Help never is, nor a
    // form someone filled in (a story turned away would be lost).
    let slot = if writes || crate::web::load::essential(uri.path()) {
        None
    } else {
        Some(state.load.enter(state.config.max_in_flight))
    };
    let res = if writes && !one_click && is_cross_site(req.headers()) {
        AppError::CrossSite.into_response()
    } else if let Some(Err(why)) = &slot {
        metrics::counter!("http_requests_shed_total", "reason" => why.as_str()).increment(1);
        AppError::Overloaded.into_response()
    } else {
        next.run(req).await
    };
    drop(slot);
    let status = res.status();
    if let Some(view) = view
        && status == StatusCode::OK
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        state.analytics.count(uri.path(), &view);
    }
    let mut res = if status.is_client_error() || status.is_server_error() {
        render_error(&state, &uri, lang, res)
    } else {
        res
    };
    security_headers(res.headers_mut());
    // The open data APIs are for any website to read, errors included.
    if uri.path().starts_with("/api/") {
        res.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    metrics::counter!("http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status.as_u16().to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");
const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

fn security_headers(h: &mut HeaderMap) {
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

/// Turns an error response into a friendly page (or JSON under `/api/`), in the visitor's
/// language, with the help links, and never cached.
fn render_error(
    state: &AppState,
    uri: &axum::http::Uri,
    lang: crate::i18n::Lang,
    res: Response,
) -> Response {
    let page = match res.extensions().get::<ErrorPage>() {
        Some(p) => p.clone(),
        None => {
            // Responses made by axum or tower themselves (405, a bad path parameter, a body
            // over the limit) come as plain text: give them the same treatment.
            let is_plain = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|ct| ct.starts_with("text/plain"));
            if !is_plain {
                return res;
            }
            generic_error(res.status())
        }
    };
    let (parts, _) = res.into_parts();
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let message = page.message(lang);
    let mut out = if uri.path().starts_with("/api/") {
        let body = serde_json::json!({ "error": message, "code": page.code });
        (page.status, axum::Json(body)).into_response()
    } else {
        let ctx = Ctx::new(lang, state.snapshot(), path_and_query);
        let tpl = crate::site::routes::ErrorTemplate {
            c: &ctx,
            status: page.status.as_u16(),
            message: &message,
            not_found: page.status == StatusCode::NOT_FOUND,
        };
        match tpl.render() {
            Ok(html) => (page.status, Html(html)).into_response(),
            Err(_) => (page.status, message).into_response(),
        }
    };
    for name in [
        header::RETRY_AFTER,
        header::ALLOW,
        header::SET_COOKIE,
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
    ] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    out
}

fn generic_error(status: StatusCode) -> ErrorPage {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    ErrorPage {
        status,
        code,
        detail: None,
    }
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

/// Cache-Control for public pages: browsers revalidate with the ETag each time (a 304 is
/// cheap), so an edit shows at once.
pub const PUBLIC_REVALIDATE: &str = "public, no-cache";
/// For pages a visitor may not want kept in their browser history cache (help pages).
pub const SENSITIVE: &str = "no-store";

/// Serves a public page from the in-memory cache, rendering it on a miss. `key` must
/// contain everything the page depends on apart from the language.
pub async fn cached<F, Fut>(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    content_type: &'static str,
    cache_control: &'static str,
    render: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, AppError>>,
{
    cached_with(state, ctx, headers, "", content_type, cache_control, render).await
}

/// As [`cached`], for a page that also depends on `extra` (today's date, for pages that
/// change when a campaign starts or ends without any content changing).
pub async fn cached_with<F, Fut>(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    extra: &str,
    content_type: &'static str,
    cache_control: &'static str,
    render: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, AppError>>,
{
    let key = format!("{}|{}|{}|{extra}", ctx.lang.code(), content_type, ctx.path);
    let page = state
        .cache
        .get_or_render(key, ctx.snap.version, || async {
            let html = render().await?;
            let body = tokio::task::spawn_blocking(move || Compressed::new(html.into_bytes()))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok::<_, AppError>(Arc::new(CachedPage {
                content_type,
                cache_control,
                body,
            }))
        })
        .await?;
    let mut res =
        assets::asset_response(&page.body, page.content_type, headers, page.cache_control);
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Cookie"),
    );
    Ok(res)
}

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
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|_| AppError::PayloadTooLarge)?
        {
            let name = field.name().unwrap_or("").to_string();
            let is_file = field.file_name().is_some();
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
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
