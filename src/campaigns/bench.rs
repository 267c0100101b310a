//! `mmha bench campaigns`: 5,000 activities in a benchmark campaign and a year of page
//! views (a million recorded through the real counter, the rest of the year written as
//! daily totals); prints the cost of recording one view and the time to build the
//! analytics dashboard for a year. `scripts/bench` then serves the campaign's pages and
//! `/events.ics` against nginx.

use std::time::Instant;

use crate::AppState;
use crate::db;

/// The benchmark campaign's web address.
pub const SLUG: &str = "bench-week";

pub async fn run(state: &AppState, activities: usize, views: usize) -> anyhow::Result<()> {
    let db = &state.db;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(&db.pool)
        .await?;
    if existing == 0 {
        seed_activities(state, activities).await?;
    }
    // Recording: a million views from 50,000 visitors over 2,000 pages, through the same
    // code the middleware calls.
    let agents = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ];
    let headers: Vec<axum::http::HeaderMap> = agents
        .iter()
        .map(|ua| {
            let mut h = axum::http::HeaderMap::new();
            h.insert(axum::http::header::USER_AGENT, ua.parse().expect("ascii"));
            h.insert(
                axum::http::header::REFERER,
                "https://www.example.com/post".parse().expect("ascii"),
            );
            h
        })
        .collect();
    let paths: Vec<String> = (0..2000)
        .map(|i| format!("/activities/{}", i + 1))
        .collect();
    let ips: Vec<String> = (0..50_000u32)
        .map(|i| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255))
        .collect();
    let counter = crate::analytics::Analytics::default();
    let mut seed = 7u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = Instant::now();
    for _ in 0..views {
        let r = next();
        counter.record(&crate::analytics::Hit {
            path: &paths[(r % 2000) as usize],
            headers: &headers[((r >> 12) % 3) as usize],
            ip: &ips[((r >> 20) % 50_000) as usize],
            host: "127.0.0.1",
        });
    }
    let took = started.elapsed();
    println!(
        "recording a page view: {:.2} µs each ({views} views, {} visitor hashes held for the day)",
        took.as_secs_f64() * 1e6 / views.max(1) as f64,
        counter.seen_len()
    );
    let started = Instant::now();
    counter.flush(db).await?;
    println!(
        "saving the day's counts: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    // The rest of the year as daily totals, about a million views more.
    let days: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT day) FROM page_views")
        .fetch_one(&db.pool)
        .await?;
    if days < 300 {
        seed_year(db).await?;
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM page_views")
        .fetch_one(&db.pool)
        .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM page_views WHERE path = ''",
    )
    .fetch_one(&db.pool)
    .await?;
    // The dashboard for a year, as staff get it (queries and the page).
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let html = crate::admin::analytics::page_for_bench(state, 365).await?;
        best = best.min(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(html.contains("Most viewed pages"), "dashboard rendered");
    }
    println!(
        "analytics dashboard for a year: {best:.0} ms (best of 5; {rows} stored rows, {total} views)"
    );
    println!(
        "campaign pages: /campaigns/{SLUG}/activities, /campaigns/{SLUG}/calendar, /events.ics"
    );
    Ok(())
}

async fn seed_activities(state: &AppState, n: usize) -> anyhow::Result<()> {
    let today = crate::uktime::local(db::now()).date();
    let (start, end) = super::demo::next_week(today);
    let mut tx = state.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (slug, name, hashtag, starts_on, ends_on, description, published, \
         is_demo, created_at, updated_at) VALUES ($1, 'Benchmark week', '#bench', $2, $3, \
         'Benchmark data (not real).', 1, 1, $4, $4) RETURNING id",
    )
    .bind(SLUG)
    .bind(crate::uktime::day_string(start))
    .bind(crate::uktime::day_string(end))
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    let days = crate::uktime::days_between(start, end);
    let atlas = state.atlas();
    let idx = state.postcodes();
    let kinds = ["in_person", "in_person", "online", "social"];
    for i in 0..n {
        let area = &atlas.areas[i % atlas.areas.len().max(1)];
        let (lat, lon) = (
            (area.shape.bbox.1 + area.shape.bbox.3) / 2.0,
            (area.shape.bbox.0 + area.shape.bbox.2) / 2.0,
        );
        let _ = &idx;
        let d = days[i % days.len()];
        let hour = 9 + (i % 10) as u8;
        let sessions = vec![(
            crate::uktime::to_utc(d, hour, 0).unwrap_or(0),
            crate::uktime::to_utc(d, hour + 1, 30).unwrap_or(0),
            crate::uktime::day_string(d),
        )];
        let kind = kinds[i % kinds.len()];
        let checked = super::Checked {
            d: super::ActivityDraft {
                title: format!("Benchmark activity {i:05}: coffee, cake and a chat"),
                organiser: format!("Benchmark group {}", i % 700),
                description: "Benchmark data (not real). A relaxed morning for parents, with \
                              a perinatal nurse on hand to talk to."
                    .into(),
                kind: kind.into(),
                audience: "Parents and families".into(),
                venue: if kind == "in_person" {
                    "Community hall".into()
                } else {
                    String::new()
                },
                ..super::ActivityDraft::default()
            },
            email: format!("bench-{i}@example.org"),
            area_code: if kind == "in_person" {
                area.code.clone()
            } else {
                String::new()
            },
            nation: area.nation.clone(),
            position: (kind == "in_person").then_some((lat, lon)),
            postcode: String::new(),
            sessions,
        };
        let (aid, _) =
            super::store::insert(&mut tx, id, &checked, crate::i18n::Lang::En, true).await?;
        sqlx::query("UPDATE activities SET status = 'approved', was_public = 1 WHERE id = $1")
            .bind(aid)
            .execute(&mut *tx)
            .await?;
    }
    db::bump_content_version(&mut tx).await?;
    tx.commit().await?;
    println!("added {n} approved benchmark activities to /campaigns/{SLUG}");
    Ok(())
}

/// 364 earlier days of daily totals: 300 pages a day.
async fn seed_year(db: &db::Db) -> anyhow::Result<()> {
    let today = crate::uktime::local(db::now()).date();
    let mut tx = db.begin_write().await?;
    for back in 1..365 {
        let day = crate::uktime::day_string(today - time::Duration::days(back));
        let mut site = 0;
        for p in 0..300 {
            let views = 10 + (p * 7 + back) % 20;
            site += views;
            sqlx::query(
                "INSERT INTO page_views (day, path, views, visitors) VALUES ($1, $2, $3, $4)",
            )
            .bind(&day)
            .bind(format!("/activities/{}", p + 1))
            .bind(views)
            .bind(views / 2)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("INSERT INTO page_views (day, path, views, visitors) VALUES ($1, '', $2, $3)")
            .bind(&day)
            .bind(site)
            .bind(site / 3)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO page_referrers (day, domain, views) VALUES ($1, 'example.com', $2)",
        )
        .bind(&day)
        .bind(site / 10)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
