//! Running the application: `mmha serve` starts the state, the background workers of each
//! instance and the HTTP server, and finishes in-flight requests on SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;

use crate::AppState;
use crate::auth::{session, store};
use crate::config::Config;

/// Starts the server and runs until SIGTERM or Ctrl-C, then finishes in-flight requests.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let metrics_bind = config.metrics_bind;
    let public_url = config.public_url.clone();
    let state = AppState::start(config).await?;
    crate::ops::metrics_handle();
    // The safeguarding rules compile once, now, rather than on a visitor's first form.
    crate::safeguard::warm();
    if store::active_admins(&state.db).await? == 0 {
        let token = store::create_setup_token(&state.db).await?;
        tracing::warn!(
            "No admin account yet. Create one within 24 hours at {public_url}/admin/setup?token={token} \
             (or run `mmha user add --email you@example.org --role admin --password-stdin`)."
        );
    }
    spawn_background(state.clone());
    if let Some(addr) = metrics_bind {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} for metrics"))?;
        let router = crate::ops::metrics_router(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        tracing::info!("metrics on http://{addr}/metrics");
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    // The address actually bound (port 0 picks a free port, as the process tests do).
    let bound = listener.local_addr().unwrap_or(bind);
    tracing::info!("mmha listening on http://{bound}");
    axum::serve(
        listener,
        crate::app::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    if let Err(e) = state.finder.counter.flush(&state.db).await {
        tracing::warn!(error = %e, "finder usage counts not saved at shutdown");
    }
    if let Err(e) = state.analytics.flush(&state.db).await {
        tracing::warn!(error = %e, "page view counts not saved at shutdown");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Background work of each instance: follow content changes made by other instances,
/// save the finder's usage counts, deliver mail, and purge expired sessions and unconfirmed
/// imports. All are safe to run on every instance at once.
pub fn spawn_background(state: AppState) {
    let poll = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = poll.refresh_if_stale().await {
                tracing::debug!(error = %e, "content version check failed");
            }
        }
    });
    tokio::spawn(async move {
        // The metrics exporter's upkeep: request timings are buffered until folded into
        // their histogram buckets, which happens here (or on a scrape).
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            crate::ops::metrics_upkeep();
        }
    });
    let counts = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = counts.finder.counter.flush(&counts.db).await {
                tracing::warn!(error = %e, "finder usage counts not saved; will retry");
            }
            if let Err(e) = counts.analytics.flush(&counts.db).await {
                tracing::warn!(error = %e, "page view counts not saved; will retry");
            }
        }
    });
    match crate::mail::Transport::from_config(&state.config) {
        Ok(transport) => {
            let transport_for_news = transport.clone();
            let mail = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(2));
                loop {
                    tick.tick().await;
                    if let Err(e) = crate::mail::deliver_all(&mail.db, &transport).await {
                        tracing::warn!(error = %e, "mail queue run failed; will retry");
                    }
                }
            });
            let news = state.clone();
            let transport = transport_for_news;
            tokio::spawn(async move {
                // Newsletters: at most `rate` messages a second from this instance.
                let rate = news.config.mail_rate;
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    if let Err(e) = crate::mail::bulletin::store::start_scheduled(&news.db).await {
                        tracing::warn!(error = %e, "starting scheduled newsletters failed");
                    }
                    let sender =
                        crate::mail::Sender::new(&news.config, news.snapshot().site.get("name"));
                    if let Err(e) = crate::mail::bulletin::send_due(
                        &news.db,
                        &transport,
                        &sender,
                        &news.config.public_url,
                        rate,
                    )
                    .await
                    {
                        tracing::warn!(error = %e, "newsletter sending failed; will retry");
                    }
                }
            });
        }
        Err(e) => tracing::error!(error = %e, "mail transport not configured; mail stays queued"),
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = session::store::purge_expired(&state.db).await {
                tracing::warn!(error = %e, "session purge failed");
            }
            if let Err(e) = crate::staging::purge_stale(&state.config.data_dir).await {
                tracing::warn!(error = %e, "purging unconfirmed imports failed");
            }
            if let Err(e) = crate::uploads::purge_orphans(&state).await {
                tracing::warn!(error = %e, "purging unused pictures failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
