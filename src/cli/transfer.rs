//! `mmha import …`, `mmha export …`, `mmha bounces import` and `mmha backup`: data in and
//! out from the command line, each import checked whole before anything is written.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::config::Config;
use crate::db::{Backend, Db};

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
pub enum BouncesCommand {
    /// Count the bounces in a mailbox (mbox) or message (.eml) of delivery status
    /// notifications; after `[mail] bounce_threshold` hard bounces an address is marked
    /// undeliverable. Each report is counted once, however often the file is processed.
    Import { file: PathBuf },
}

pub(super) async fn open_migrated(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    crate::seed::load(&db, config.demo_content, &config.uploads_dir()).await?;
    Ok(db)
}

pub(super) fn read_input(file: &std::path::Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", file.display()))
}

pub(super) async fn import(config: Config, cmd: ImportCommand) -> anyhow::Result<()> {
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

pub(super) async fn export(config: Config, cmd: ExportCommand) -> anyhow::Result<()> {
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
pub(super) async fn backup(config: Config, out: Option<PathBuf>) -> anyhow::Result<()> {
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
