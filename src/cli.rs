//! The command line: `mmha serve | migrate | user … | backup`. Each subcommand builds what
//! it needs and runs; `main.rs` only parses and dispatches.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::auth::{Role, password, session, store};
use crate::config::{Config, LogFormat, Overrides};
use crate::db::{Backend, Db};
use crate::{AppState, audit};

/// mmha: the website, map, finder and mailing list of a maternal mental health alliance.
#[derive(Debug, Parser)]
#[command(name = "mmha", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates and loads demo content into an empty database first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import data: provision scores (CSV) or health-area boundaries (GeoJSON). All or nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data as CSV or GeoJSON (to standard output unless --out is given).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Bounce reports from the mail server.
    #[command(subcommand)]
    Bounces(BouncesCommand),
    /// Benchmarks and benchmark data (see scripts/bench).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Make a consistent copy of the SQLite database while the server runs.
    Backup {
        /// Where to write the copy [default: DATA_DIR/backups/mmha-YYYYMMDD-HHMMSS.sqlite3].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BouncesCommand {
    /// Count the bounces in a mailbox (mbox) or message (.eml) of delivery status
    /// notifications; after `[mail] bounce_threshold` hard bounces an address is marked
    /// undeliverable. Each report is counted once, however often the file is processed.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Mailing-list subscribers who already consented elsewhere, from a CSV with columns
    /// email[,name,nation,audience,language,topics,consented]. Never re-adds anyone who
    /// unsubscribed, was erased or bounced. All or nothing.
    Subscribers {
        file: PathBuf,
        /// Where these people gave consent, recorded with each of them.
        #[arg(long)]
        source: String,
    },
    /// Scores from a CSV with columns area_code,year,level[,note,source].
    Scores { file: PathBuf },
    /// Services from a CSV with columns named like the service form (name, organization,
    /// kind, status, ...; areas as ;-separated codes; id to update an existing service).
    Services { file: PathBuf },
    /// A postcode index: the ONS Postcode Directory (ONSPD) or NSPL CSV as published (plain or
    /// gzipped; unzip the download and give Data/ONSPD_*_UK.csv), or the shipped
    /// postcode,lat,lon,area_code format. Replaces the index in use, all or nothing.
    Postcodes {
        /// The CSV file (not needed with --reset).
        file: Option<PathBuf>,
        /// What the file is, shown to staff [default: the file name].
        #[arg(long)]
        source: Option<String>,
        /// Go back to the postcode index shipped with this release.
        #[arg(long)]
        reset: bool,
    },
    /// A new boundary release: a GeoJSON FeatureCollection whose features have code, name
    /// and nation. Areas not in the file are retired (their history is kept).
    Areas {
        file: PathBuf,
        /// A name for the release, e.g. "ONS ICB April 2026".
        #[arg(long, default_value = "imported")]
        release: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every provision score, in the import format.
    Scores {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every service with its location.
    Services {
        #[arg(long, value_parser = ["csv", "geojson"], default_value = "csv")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

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

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "editor", "moderator"])]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Switch two-factor login off for an account whose phone and recovery codes are lost,
    /// and end its sessions; the person sets it up again after logging in.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Set a new password (read from standard input) and end the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(&cli.overrides)?;
    init_logging(config.log_format);
    // Every command may be the first one run on a new machine (`mmha user add` before
    // `mmha serve`), and SQLite will not create the directory its file lives in.
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            db.migrate().await?;
            println!(
                "Migrations applied ({} in this release).",
                db.expected_migrations()
            );
            Ok(())
        }
        Command::User(cmd) => user(config, cmd).await,
        Command::Import(cmd) => import(config, cmd).await,
        Command::Bounces(BouncesCommand::Import { file }) => {
            let db = open_migrated(&config).await?;
            let text = read_input(&file)?;
            let bounces = crate::mail::import::parse_bounces(&text);
            anyhow::ensure!(
                !bounces.is_empty(),
                "no bounce reports (delivery status notifications) found in {}",
                file.display()
            );
            let mut tx = db.begin_write().await?;
            let r = crate::mail::import::store::apply_bounces(
                &mut tx,
                &bounces,
                config.bounce_threshold,
            )
            .await?;
            let summary = format!(
                "{} hard, {} soft, {} already counted, {} now undeliverable",
                r.hard, r.soft, r.repeated, r.undeliverable
            );
            crate::audit::record_cli(&mut tx, "bounces", "subscribers", "", &summary).await?;
            tx.commit().await?;
            println!("Bounces from {}: {summary}.", file.display());
            Ok(())
        }
        Command::Bench(cmd) => bench(config, cmd).await,
        Command::Export(cmd) => export(config, cmd).await,
        Command::Backup { out } => backup(config, out).await,
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MMHA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

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
fn spawn_background(state: AppState) {
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
            if let Err(e) = crate::atlas::staging::purge_stale(&state.config.data_dir).await {
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

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        bail!(
            "give the password on standard input with --password-stdin (it is never taken as an argument, which would leave it in the shell history)"
        );
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    match cmd {
        UserCommand::Add {
            email,
            role,
            name,
            password_stdin,
        } => {
            let role = Role::parse(&role).context("role must be admin, editor or moderator")?;
            if !crate::site::settings::looks_like_email(email.trim()) {
                bail!("{email:?} does not look like an email address");
            }
            let pw = read_password(password_stdin)?;
            if let Some(p) = password::problem(&pw, &email) {
                bail!("password not accepted: {}", p.text(crate::i18n::Lang::En));
            }
            let hash = password::hash(pw).await?;
            let mut tx = db.begin_write().await?;
            let id = match store::create_user(&mut tx, &email, &name, role, &hash).await {
                Ok(id) => id,
                Err(store::CreateUserError::Duplicate) => {
                    bail!("an account for {email} already exists")
                }
                Err(store::CreateUserError::Db(e)) => return Err(e.into()),
            };
            audit::record_cli(
                &mut tx,
                "create_user",
                "user",
                id,
                &format!("{} as {}", store::normalise_email(&email), role.as_str()),
            )
            .await?;
            tx.commit().await?;
            println!(
                "Added {} as {}.",
                store::normalise_email(&email),
                role.as_str()
            );
        }
        UserCommand::List => {
            for u in store::users(&db).await? {
                println!(
                    "{:<40} {:<10} {}",
                    u.email,
                    u.role,
                    if u.is_disabled() {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
        UserCommand::Disable { email } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let mut tx = db.begin_write().await?;
            store::set_disabled(&mut tx, u.id, true).await?;
            session::store::end_all_sessions(&mut tx, u.id).await?;
            audit::record_cli(&mut tx, "disable_user", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!("Disabled {} and ended its sessions.", u.email);
        }
        UserCommand::ResetTwoFactor { email } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let mut tx = db.begin_write().await?;
            crate::auth::totp::store::disable(&mut tx, u.id).await?;
            session::store::end_all_sessions(&mut tx, u.id).await?;
            audit::record_cli(&mut tx, "two_factor_reset", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!(
                "Two-factor login switched off for {} and its sessions ended.",
                u.email
            );
        }
        UserCommand::Enable { email } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let mut tx = db.begin_write().await?;
            store::set_disabled(&mut tx, u.id, false).await?;
            audit::record_cli(&mut tx, "enable_user", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!("Enabled {}.", u.email);
        }
        UserCommand::ResetPassword {
            email,
            password_stdin,
        } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let pw = read_password(password_stdin)?;
            if let Some(p) = password::problem(&pw, &u.email) {
                bail!("password not accepted: {}", p.text(crate::i18n::Lang::En));
            }
            let hash = password::hash(pw).await?;
            let mut tx = db.begin_write().await?;
            store::set_password(&mut tx, u.id, &hash).await?;
            session::store::end_all_sessions(&mut tx, u.id).await?;
            audit::record_cli(&mut tx, "reset_password", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!("New password set for {}; its sessions were ended.", u.email);
        }
    }
    Ok(())
}

async fn bench(config: Config, cmd: BenchCommand) -> anyhow::Result<()> {
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

async fn open_migrated(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    crate::seed::load(&db, config.demo_content, &config.uploads_dir()).await?;
    Ok(db)
}

fn read_input(file: &std::path::Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", file.display()))
}

async fn import(config: Config, cmd: ImportCommand) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};
    let db = open_migrated(&config).await?;
    let en = crate::i18n::Lang::En;
    match cmd {
        ImportCommand::Subscribers { file, source } => {
            use crate::mail::import;
            let source = source.trim();
            anyhow::ensure!(
                !source.is_empty() && source.len() <= 200 && !source.contains(char::is_control),
                "--source must say, in one line of 200 characters or fewer, where these people gave consent"
            );
            let text = read_input(&file)?;
            let rows = match import::check_csv(&text, crate::db::now()) {
                Ok(rows) => rows,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("row {}, {}: {}", e.row, e.field, e.message.text(en));
                    }
                    bail!(
                        "{} problems in {}; nothing was imported",
                        errors.len(),
                        file.display()
                    );
                }
            };
            let (outcomes, s) = import::store::plan(&db, &rows).await?;
            let mut tx = db.begin_write().await?;
            import::store::apply(&mut tx, &rows, &outcomes, &format!("import: {source}")).await?;
            let summary = format!(
                "{} added, {} confirmed, {} already subscribed, {} suppressed, {} duplicates",
                s.add, s.confirm, s.already, s.suppressed, s.duplicate
            );
            crate::audit::record_cli(
                &mut tx,
                "import",
                "subscribers",
                "",
                &format!("{summary}; source: {source}"),
            )
            .await?;
            tx.commit().await?;
            println!("Subscribers from {}: {summary}.", file.display());
        }
        ImportCommand::Scores { file } => {
            let text = read_input(&file)?;
            let rows = match crate::atlas::transfer::check_scores(&db, &text).await? {
                Ok(rows) => rows,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("row {}, {}: {}", e.row, e.field, e.message.text(en));
                    }
                    bail!(
                        "{} problems in {}; nothing was imported",
                        errors.len(),
                        file.display()
                    );
                }
            };
            let terminal = std::io::stderr().is_terminal();
            crate::atlas::transfer::apply_scores(&db, &rows, "command line", |done, total| {
                if terminal {
                    eprint!("\rimporting scores: {done}/{total}");
                    let _ = std::io::stderr().flush();
                }
            })
            .await?;
            if terminal {
                eprintln!();
            }
            println!("Imported {} scores from {}.", rows.len(), file.display());
        }
        ImportCommand::Services { file } => {
            let text = read_input(&file)?;
            let rows = match crate::atlas::transfer::check_services(&db, &text).await? {
                Ok(rows) => rows,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("row {}, {}: {}", e.row, e.field, e.message.text(en));
                    }
                    bail!(
                        "{} problems in {}; nothing was imported",
                        errors.len(),
                        file.display()
                    );
                }
            };
            let atlas = crate::atlas::Atlas::load(&db).await?;
            let (added, updated) =
                crate::atlas::transfer::apply_services(&db, &atlas, &rows, "command line").await?;
            println!(
                "Services imported from {}: {added} added, {updated} updated.",
                file.display()
            );
        }
        ImportCommand::Postcodes {
            file,
            source,
            reset,
        } => {
            if reset {
                let n = crate::finder::import::store::clear(&db).await?;
                println!(
                    "Removed {n} imported postcode index(es); the shipped one is in use again."
                );
                return Ok(());
            }
            let file = file.context("give the postcode CSV file, or --reset")?;
            let source = source.unwrap_or_else(|| {
                file.file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            let atlas = crate::atlas::Atlas::load(&db).await?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let started = std::time::Instant::now();
            let terminal = std::io::stderr().is_terminal();
            let result = tokio::task::spawn_blocking(move || {
                crate::finder::import::read(input, &atlas, &source, &mut |rows| {
                    if terminal {
                        eprint!("\rreading postcodes: {rows} rows");
                        let _ = std::io::stderr().flush();
                    } else if rows % 500_000 == 0 {
                        eprintln!("reading postcodes: {rows} rows");
                    }
                })
            })
            .await?;
            if terminal {
                eprintln!();
            }
            let (idx, summary) = match result {
                Ok(r) => r,
                Err(e) => bail!("{}: {e}; nothing was imported", file.display()),
            };
            let idx = std::sync::Arc::new(idx);
            crate::finder::import::store::store(&db, idx.clone(), &summary).await?;
            for line in summary.lines() {
                println!("{line}");
            }
            println!(
                "Postcode index replaced: {} postcodes in {} districts, {:.1} MB in memory, in {:.1} s. Running servers switch to it within a few seconds.",
                idx.len(),
                idx.district_count(),
                idx.heap_bytes() as f64 / 1_048_576.0,
                started.elapsed().as_secs_f64()
            );
        }
        ImportCommand::Areas { file, release } => {
            let text = read_input(&file)?;
            match crate::atlas::transfer::import_areas(&db, &text, &release).await? {
                Ok(s) => {
                    for (code, successor) in &s.retired {
                        match successor {
                            Some(next) => println!("retired {code} (succeeded by {next})"),
                            None => println!("retired {code}"),
                        }
                    }
                    println!(
                        "Areas imported from {}: {} added, {} updated, {} retired.",
                        file.display(),
                        s.added,
                        s.updated,
                        s.retired.len()
                    );
                }
                Err(problems) => {
                    for p in &problems {
                        eprintln!("feature {}, {}: {}", p.feature, p.field, p.message);
                    }
                    bail!(
                        "{} problems in {}; nothing was imported",
                        problems.len(),
                        file.display()
                    );
                }
            }
        }
    }
    Ok(())
}

async fn export(config: Config, cmd: ExportCommand) -> anyhow::Result<()> {
    let db = open_migrated(&config).await?;
    let (text, out) = match cmd {
        ExportCommand::Scores { out } => (crate::atlas::transfer::export_scores(&db).await?, out),
        ExportCommand::Services { format, out } => {
            let text = if format == "geojson" {
                crate::atlas::transfer::export_services_geojson(&db).await?
            } else {
                crate::atlas::transfer::export_services_csv(&db).await?
            };
            (text, out)
        }
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Written to {}.", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// SQLite: `VACUUM INTO` makes a consistent, compacted copy without stopping the server.
/// PostgreSQL: explains how to use pg_dump, which does the job better than we could.
async fn backup(config: Config, out: Option<PathBuf>) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    if db.backend == Backend::Postgres {
        bail!(
            "this database is PostgreSQL: back it up with pg_dump, for example\n  \
             pg_dump --format=custom --file=mmha-$(date +%Y%m%d).dump \"$MMHA_DATABASE_URL\"\n\
             and restore with pg_restore. Uploaded files are in {} — copy that folder too.",
            config.uploads_dir().display()
        );
    }
    let out = match out {
        Some(p) => p,
        None => {
            let dir = config.data_dir.join("backups");
            std::fs::create_dir_all(&dir)?;
            let f = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
            let stamp = time::OffsetDateTime::now_utc().format(&f)?;
            dir.join(format!("mmha-{stamp}.sqlite3"))
        }
    };
    if out.exists() {
        bail!("{} already exists; choose another --out", out.display());
    }
    let path = out.to_string_lossy().replace('\'', "''");
    sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'")))
        .execute(&db.pool)
        .await
        .context("backup failed")?;
    println!(
        "Backup written to {}. Uploaded files are in {}: copy that folder too.",
        out.display(),
        config.uploads_dir().display()
    );
    Ok(())
}
