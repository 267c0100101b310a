//! `mmha bench …`: the figures each capability's benchmark prints.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Config;

use super::open_migrated;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time point-in-area lookups over the loaded boundaries and print the figures.
    Lookup {
        #[arg(long, default_value_t = 200_000)]
        points: usize,
    },
    /// Time loading the postcode index and looking postcodes up; print figures. With
    /// --synthetic N, also import N rows of a generated ONSPD-format file to size a full import.
    Postcodes {
        #[arg(long, default_value_t = 100_000)]
        lookups: usize,
        #[arg(long)]
        synthetic: Option<usize>,
    },
    /// Add generated services, labelled as benchmark data, for load tests.
    Services {
        #[arg(long, default_value_t = 2000)]
        count: usize,
    },
    /// Send one newsletter to N generated subscribers through an SMTP sink on loopback and
    /// to the outbox, then kill a send with SIGKILL and resume it; print messages/s, peak
    /// memory, CPU time and whether everyone got exactly one copy. Needs an empty list.
    Mail {
        #[arg(long, default_value_t = 100_000)]
        subscribers: usize,
    },
    /// Add 5,000 activities to a benchmark campaign and record a year of page views; print
    /// the cost of counting a view and the time to build the analytics dashboard for a year.
    Campaigns {
        #[arg(long, default_value_t = 5000)]
        activities: usize,
        #[arg(long, default_value_t = 1_000_000)]
        views: usize,
    },
    /// Time the safeguarding check on 5,000-character stories (calm English, calm Welsh,
    /// one ending in a disclosure) and print median and p99.
    Safeguarding {
        #[arg(long, default_value_t = 2000)]
        rounds: usize,
    },
    /// (Used by `bench mail`.) Send every newsletter being sent, unthrottled.
    #[command(hide = true)]
    MailSend {
        #[arg(long)]
        smtp_port: Option<u16>,
    },
    /// (Used by `bench mail`.) An SMTP server on loopback that accepts everything.
    #[command(hide = true)]
    SmtpSink {
        #[arg(long)]
        port: u16,
        #[arg(long)]
        log: PathBuf,
    },
}

pub(super) async fn bench(config: Config, cmd: BenchCommand) -> anyhow::Result<()> {
    if let BenchCommand::SmtpSink { port, log } = &cmd {
        return crate::mail::bench::sink(*port, log).await;
    }
    if let BenchCommand::Campaigns { activities, views } = &cmd {
        let state = crate::AppState::start(config.clone()).await?;
        return crate::campaigns::bench::run(&state, *activities, *views).await;
    }
    if let BenchCommand::Safeguarding { rounds } = &cmd {
        crate::safeguard::bench::run(*rounds);
        return Ok(());
    }
    let db = open_migrated(&config).await?;
    match cmd {
        BenchCommand::SmtpSink { .. }
        | BenchCommand::Campaigns { .. }
        | BenchCommand::Safeguarding { .. } => {}
        BenchCommand::Mail { subscribers } => {
            crate::mail::bench::run(&config, &db, subscribers).await?;
        }
        BenchCommand::MailSend { smtp_port } => {
            crate::mail::bench::send(&config, &db, smtp_port).await?;
        }
        BenchCommand::Lookup { points } => {
            let atlas = crate::atlas::Atlas::load(&db).await?;
            let mut seed = 42u64;
            let mut next = || {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 11) as f64 / (1u64 << 53) as f64
            };
            // Points over the UK's bounding box (many at sea, which is the slow case for a
            // linear scan) mixed with points in the middle of each area's box.
            let mut samples: Vec<(f64, f64)> = (0..points)
                .map(|_| (-8.2 + next() * 10.0, 49.9 + next() * 10.9))
                .collect();
            for a in &atlas.areas {
                let (x0, y0, x1, y1) = a.shape.bbox;
                samples.push(((x0 + x1) / 2.0, (y0 + y1) / 2.0));
            }
            let mut times = Vec::with_capacity(samples.len());
            let mut found = 0usize;
            for &(lon, lat) in &samples {
                let start = std::time::Instant::now();
                let hit = atlas.area_at(lon, lat);
                times.push(start.elapsed().as_nanos() as u64);
                found += usize::from(std::hint::black_box(hit).is_some());
            }
            times.sort_unstable();
            let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
            println!(
                "area lookup by point: {} lookups ({} inside an area), median {:.2} µs, p99 {:.2} µs, max {:.2} µs",
                samples.len(),
                found,
                pct(0.5),
                pct(0.99),
                pct(1.0)
            );
        }
        BenchCommand::Postcodes { lookups, synthetic } => {
            crate::finder::bench::run(&db, lookups, synthetic).await?;
        }
        BenchCommand::Services { count } => {
            let codes: Vec<String> =
                sqlx::query_scalar("SELECT code FROM areas WHERE retired = 0 ORDER BY code")
                    .fetch_all(&db.pool)
                    .await?;
            anyhow::ensure!(!codes.is_empty(), "no areas loaded");
            let mut tx = db.begin_write().await?;
            let org = crate::atlas::services::store::ensure_organization(
                &mut tx,
                "Benchmark data (not real)",
                "Generated for load tests.",
                true,
            )
            .await?;
            let kinds = ["community", "mmhs", "other"];
            for i in 0..count {
                let code = &codes[i % codes.len()];
                let s = crate::atlas::services::NewService {
                    id: crate::atlas::services::stable_uuid(&format!("bench-service:{i}")),
                    organization_id: org.clone(),
                    name: format!("Benchmark service {i:05}"),
                    kind: kinds[i % kinds.len()].into(),
                    description: "Generated for load tests; not a real service.".into(),
                    status: "active".into(),
                    minimum_age: Some(16),
                    verified: "no".into(),
                    demo: true,
                    city: code.clone(),
                    area_code: Some(code.clone()),
                    serves: vec![code.clone()],
                    ..Default::default()
                };
                crate::atlas::services::store::insert_service(&mut tx, &s).await?;
            }
            tx.commit().await?;
            println!("Added {count} benchmark services (labelled as demo data).");
        }
    }
    Ok(())
}
