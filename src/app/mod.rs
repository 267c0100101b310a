//! The application on top of the floor (`crate::web`): the router assembled from every
//! capability's routes, the one per-request frame (cross-site refusal, load shedding,
//! analytics counting, friendly error pages, security headers, metrics), the page context
//! every template gets (`ctx`) and the cached public page.

pub mod ctx;
pub mod serve;

use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::web::{
    AppError, CachedPage, Compressed, ErrorPage, FORM_LIMIT, Html, Msg, assets, client_ip_of,
    is_cross_site, security_headers,
};
pub use ctx::Ctx;

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
        .merge(crate::uploads::routes())
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
    let app = router
        .layer(SetRequestIdLayer::x_request_id(
            SequentialRequestId::default(),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(state);
    // The Welsh address is read before routing, so every route serves both languages.
    Router::new()
        .fallback_service(app)
        .layer(tower::util::MapRequestLayer::new(address_language))
}

/// The language the address asks for: Welsh for `/cy/…`, English otherwise. Set before
/// routing by [`address_language`]; the page context and the error pages read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressLang(pub crate::i18n::Lang);

/// The language of a request, decided by its address (never by a cookie).
pub fn lang_of(extensions: &axum::http::Extensions) -> crate::i18n::Lang {
    extensions
        .get::<AddressLang>()
        .map_or(crate::i18n::Lang::En, |a| a.0)
}

/// `/cy/…` is the Welsh page of `/…`: the prefix is taken off before routing and the
/// language kept as [`AddressLang`]. Other requests pass untouched.
fn address_language(mut req: Request) -> Request {
    let path = req.uri().path();
    let english = crate::i18n::english_path(path);
    if english.len() == path.len() {
        return req;
    }
    let target = match req.uri().query() {
        Some(q) => format!("{english}?{q}"),
        None => english.to_string(),
    };
    if let Ok(pq) = target.parse::<axum::http::uri::PathAndQuery>() {
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
            req.extensions_mut()
                .insert(AddressLang(crate::i18n::Lang::Cy));
        }
    }
    req
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
        let token = crate::token::random_token();
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

/// What each capability declares must never be shed under load (`web::load`).
pub const ESSENTIAL: &[crate::web::load::Essential] = &[
    crate::site::routes::ESSENTIAL,
    crate::finder::routes::ESSENTIAL,
    crate::ops::ESSENTIAL,
    crate::web::load::ASSETS,
];

async fn not_found() -> AppError {
    AppError::NotFound
}

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
    let lang = lang_of(req.extensions());
    // A returning visitor who chose Welsh is taken from `/` to `/cy/`; every other
    // address decides its own language.
    if lang == crate::i18n::Lang::En
        && uri.path() == "/"
        && method == Method::GET
        && ctx::remembered_lang(req.headers()) == Some(crate::i18n::Lang::Cy)
    {
        let mut res = crate::web::see_other(
            &crate::i18n::Lang::Cy.address(uri.path_and_query().map_or("/", |p| p.as_str())),
        );
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Cookie"));
        return res;
    }
    let writes = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let one_click = uri
        .path()
        .starts_with(crate::mail::routes::ONE_CLICK_UNSUBSCRIBE);
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
    let slot = if writes || crate::web::load::essential(uri.path(), ESSENTIAL) {
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
    if uri.path() == "/" {
        // Where `/` takes a visitor depends on the language they chose.
        res.headers_mut()
            .append(header::VARY, HeaderValue::from_static("Cookie"));
    }
    if lang == crate::i18n::Lang::Cy {
        welsh_location(&mut res);
    }
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

/// A redirect from a Welsh page stays in Welsh: a `Location` to a page of the site is
/// given its Welsh address (`/subscribe/thanks` → `/cy/subscribe/thanks`).
fn welsh_location(res: &mut Response) {
    let Some(to) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    let page = to.split('?').next().unwrap_or(to);
    if !crate::i18n::has_welsh_address(page) {
        return;
    }
    if let Ok(v) = HeaderValue::from_str(&crate::i18n::Lang::Cy.address(to)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
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
    // The language is in the address, so a page no longer varies by cookie (`/`, which
    // sends a returning Welsh visitor to `/cy/`, adds `Cookie` in the frame).
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(res)
}
