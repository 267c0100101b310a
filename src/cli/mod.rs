//! The command line: `mmha serve | migrate | user … | backup`. Each subcommand builds what
//! it needs and runs; `main.rs` only parses and dispatches.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

mod bench;
mod transfer;
mod user;

use crate::app::serve::serve;
pub use bench::BenchCommand;
use bench::bench;
pub use transfer::{BouncesCommand, ExportCommand, ImportCommand};
use transfer::{backup, export, import, open_migrated, read_input};
pub use user::UserCommand;
use user::user;

use crate::config::{Config, LogFormat, Overrides};
use crate::db::Db;

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
