//! `/admin/analytics`: page views per day and per page, referring sites, finder searches
//! per health area and campaign reach, over a chosen period; counts below the configured
//! threshold are shown as "fewer than N" (here and in the CSV export).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::analytics;
use crate::app::Ctx;
use crate::auth::StaffUser;
use crate::auth::{Staff, perm};
use crate::web::{AppError, Query, private_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/analytics", get(dashboard))
        .route("/admin/analytics.csv", get(export))
}

/// Periods offered, in days.
const PERIODS: &[i64] = &[7, 30, 90, 365];

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    days: Option<i64>,
    /// One page's views per day instead of the whole site's.
    #[serde(default)]
    path: String,
}

/// Everything the dashboard and the export show.
struct Report {
    days: i64,
    /// The page whose days are shown ("" for the whole site).
    path: String,
    per_day: Vec<(String, i64, i64)>,
    pages: Vec<(String, i64, i64)>,
    referrers: Vec<(String, i64)>,
    searches: Vec<(String, String, i64)>,
    /// (campaign name, views, visitors) over the period.
    campaigns: Vec<(String, i64, i64)>,
    views: i64,
    visitors: i64,
}

async fn report(state: &AppState, days: i64, path: &str) -> Result<Report, AppError> {
    let since = analytics::since(days);
    let path = if path.len() <= 200 { path } else { "" };
    let per_day = analytics::store::per_day(&state.db, &since, path).await?;
    let pages = analytics::store::per_page(&state.db, &since, 100).await?;
    let referrers = analytics::store::referrers(&state.db, &since, 50).await?;
    let atlas = state.atlas();
    let searches = crate::finder::stats::per_area(&state.db, days)
        .await?
        .into_iter()
        .take(50)
        .map(|(code, n)| {
            let name = atlas
                .area(&code)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| {
                    if code.is_empty() {
                        "-".into()
                    } else {
                        code.clone()
                    }
                });
            (code, name, n)
        })
        .collect();
    // Campaign reach: its own pages and its activities' pages.
    let views = analytics::store::campaign_pages(&state.db, &since).await?;
    let owners = crate::campaigns::store::activity_campaigns(&state.db).await?;
    let owner: std::collections::HashMap<i64, i64> = owners.into_iter().collect();
    let list = crate::campaigns::store::campaigns(&state.db, false).await?;
    let mut campaigns: Vec<(String, i64, i64)> = Vec::new();
    for k in &list {
        let prefix = format!("/campaigns/{}", k.slug);
        let (mut v, mut u) = (0, 0);
        for (path, pv, pu) in &views {
            let mine = if let Some(id) = path.strip_prefix("/activities/") {
                id.parse::<i64>().ok().and_then(|id| owner.get(&id)) == Some(&k.id)
            } else {
                path == &prefix || path.starts_with(&format!("{prefix}/"))
            };
            if mine {
                v += pv;
                u += pu;
            }
        }
        campaigns.push((k.name.clone(), v, u));
    }
    let views_total = per_day.iter().map(|d| d.1).sum();
    let visitors_total = per_day.iter().map(|d| d.2).sum();
    Ok(Report {
        days,
        path: path.to_string(),
        per_day,
        pages,
        referrers,
        searches,
        campaigns,
        views: views_total,
        visitors: visitors_total,
    })
}

fn period(q: &PeriodQuery) -> i64 {
    q.days.filter(|d| PERIODS.contains(d)).unwrap_or(30)
}

#[derive(Template)]
#[template(path = "admin/analytics.html")]
struct Dashboard<'a> {
    c: &'a Ctx,
    r: Report,
    min: i64,
}

impl Dashboard<'_> {
    /// A count as shown: the number, or "fewer than N".
    fn n(&self, v: &i64) -> String {
        if *v < self.min {
            self.c.t1("admin-finder-fewer", "n", self.min)
        } else {
            v.to_string()
        }
    }
    fn periods(&self) -> &'static [i64] {
        PERIODS
    }
    /// The dashboard for one page's days.
    fn page_link(&self, path: &str) -> String {
        format!(
            "/admin/analytics?days={}&path={}",
            self.r.days,
            crate::web::url_encode(path)
        )
    }
    /// Bars of the per-day chart: (x, height, y, label) in a 600×120 box.
    fn bars(&self) -> Vec<(f64, f64, f64, String)> {
        let max = self.r.per_day.iter().map(|d| d.1).max().unwrap_or(0).max(1) as f64;
        let n = self.r.per_day.len().max(1) as f64;
        let w = 600.0 / n;
        self.r
            .per_day
            .iter()
            .enumerate()
            .map(|(i, (day, v, _))| {
                let shown = if *v < self.min { 0 } else { *v };
                let h = (shown as f64 / max * 110.0 * 10.0).round() / 10.0;
                let x = (i as f64 * w * 10.0).round() / 10.0;
                (x, h, 120.0 - h, format!("{day}: {}", self.n(v)))
            })
            .collect()
    }
    fn bar_width(&self) -> f64 {
        let n = self.r.per_day.len().max(1) as f64;
        ((600.0 / n - 1.0).max(0.5) * 10.0).round() / 10.0
    }
}

async fn dashboard(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    // Show what has been counted up to now.
    state.analytics.flush(&state.db).await.ok();
    let r = report(&state, period(&q), &q.path).await?;
    private_page(&Dashboard {
        c: &c.with_staff(staff),
        r,
        min: state.config.analytics_min_count,
    })
}

/// The dashboard's HTML for `days`, as an admin sees it (for `mmha bench campaigns`).
pub async fn page_for_bench(state: &AppState, days: i64) -> anyhow::Result<String> {
    let c = Ctx::new(
        crate::i18n::Lang::En,
        state.snapshot(),
        "/admin/analytics".into(),
    )
    .with_staff(StaffUser {
        id: 0,
        email: "bench@example.org".into(),
        name: "Benchmark".into(),
        role: crate::auth::Role::Admin,
        session_hash: String::new(),
        two_factor: false,
    });
    let r = report(state, days, "")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Dashboard {
        c: &c,
        r,
        min: state.config.analytics_min_count,
    }
    .render()?)
}

/// A CSV cell for a count.
fn cell(v: i64, min: i64) -> String {
    if v < min {
        format!("<{min}")
    } else {
        v.to_string()
    }
}

/// Defuses text a spreadsheet would run as a formula.
fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

async fn export(
    State(state): State<AppState>,
    _: Staff<perm::EditContent>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    state.analytics.flush(&state.db).await.ok();
    let r = report(&state, period(&q), &q.path).await?;
    let min = state.config.analytics_min_count;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |cells: [String; 4]| {
        w.write_record(cells)
            .map_err(|e| AppError::Internal(e.into()))
    };
    row([
        "section".into(),
        "item".into(),
        "views".into(),
        "visitors".into(),
    ])?;
    for (day, v, u) in &r.per_day {
        row(["day".into(), day.clone(), cell(*v, min), cell(*u, min)])?;
    }
    for (path, v, u) in &r.pages {
        row(["page".into(), text_cell(path), cell(*v, min), cell(*u, min)])?;
    }
    for (domain, v) in &r.referrers {
        row([
            "referrer".into(),
            text_cell(domain),
            cell(*v, min),
            String::new(),
        ])?;
    }
    for (_, name, v) in &r.searches {
        row([
            "finder_searches".into(),
            text_cell(name),
            cell(*v, min),
            String::new(),
        ])?;
    }
    for (name, v, u) in &r.campaigns {
        row([
            "campaign".into(),
            text_cell(name),
            cell(*v, min),
            cell(*u, min),
        ])?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut res = crate::web::bytes_response("text/csv; charset=utf-8", body);
    res.headers_mut().insert(
        axum::http::header::CONTENT_DISPOSITION,
        axum::http::HeaderValue::from_str(&format!(
            "attachment; filename=\"analytics-{}-days.csv\"",
            r.days
        ))
        .expect("ascii"),
    );
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}
