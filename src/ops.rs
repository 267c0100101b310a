//! Operations endpoints: liveness, readiness and Prometheus metrics.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::auth::{Staff, perm};
use crate::web::AppError;

/// Health checks are never shed: a balancer that sees 503 takes the instance out.
pub const ESSENTIAL: crate::web::load::Essential = crate::web::load::Essential {
    paths: &["/healthz", "/readyz"],
    prefixes: &[],
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/admin/metrics", get(admin_metrics))
}

/// `GET /healthz` — liveness, for load balancers: 200 while this process serves requests.
/// It stays 200 when the database is down, because the instance still serves the help page
/// and every page in its cache; taking every instance out of a load balancer during a
/// database outage would leave visitors with the balancer's error page and no helplines.
/// The body says which: `ok`, or `ok; database unavailable` (monitoring watches `/readyz`).
async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        plain(StatusCode::OK, "ok")
    } else {
        plain(StatusCode::OK, "ok; database unavailable")
    }
}

/// `GET /readyz` — readiness, for deployments and monitoring: 200 when the database answers
/// and every embedded migration is applied, 503 otherwise.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.applied_migrations().await {
        Ok(n) if n >= state.db.expected_migrations() => plain(StatusCode::OK, "ready"),
        Ok(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        Err(_) => plain(StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Latency buckets in seconds: a histogram is then a fixed set of counters. Samples still
/// wait in a buffer until they are folded into the counters, which happens on a scrape or
/// an upkeep run (`run_upkeep`, every few seconds from the server): a site nobody
/// scrapes grew by about 0.5 MB a second under load before that ran.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the Prometheus recorder once per process (tests build many apps).
pub fn metrics_handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Folds buffered histogram samples into their buckets (the exporter's upkeep). The
/// server calls it every few seconds; without it the samples pile up until a scrape.
pub fn metrics_upkeep() {
    if let Some(h) = metrics_handle() {
        h.run_upkeep();
    }
}

/// The metrics text, with the database pool gauges refreshed.
pub fn render_metrics(state: &AppState) -> String {
    metrics::gauge!("db_pool_connections").set(f64::from(state.db.pool.size()));
    metrics::gauge!("db_pool_idle_connections").set(state.db.pool.num_idle() as f64);
    metrics::gauge!("page_cache_entries").set(state.cache.len() as f64);
    metrics_handle().map(|h| h.render()).unwrap_or_default()
}

/// `GET /admin/metrics` — the same text for a logged-in admin.
async fn admin_metrics(
    State(state): State<AppState>,
    _: Staff<perm::ViewAudit>,
) -> Result<Response, AppError> {
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; version=0.0.4"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        render_metrics(&state),
    )
        .into_response())
}

/// Router for the separate `--metrics-bind` listener.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(s): State<AppState>| async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    render_metrics(&s),
                )
            }),
        )
        .with_state(state)
}
