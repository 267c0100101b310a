//! The storage layer: one pool over SQLite or PostgreSQL, chosen by the database URL.
//!
//! Every store module writes portable SQL (`$N` placeholders, `RETURNING`, `ON CONFLICT`,
//! 64-bit integers, 0/1 flags, Unix-second timestamps) and runs it through sqlx's `Any`
//! driver, so there is one code path for both databases. Where the dialects really differ
//! (full-text search) the store module forks on [`Backend`] and says why.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// A transaction on the shared pool.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database engine sits behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The application's database handle: a pool plus the engine it talks to.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The day's secret behind address keys, cached per database (and shared by clones)
    /// so a process that opens several databases never mixes their secrets up.
    pub day_secret: std::sync::Arc<std::sync::Mutex<Option<(String, String)>>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The database URL used when none is configured: a SQLite file inside the data dir.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("mmha.sqlite3").display()
    )
}

impl Db {
    /// Opens a pool for `url`. SQLite connections get WAL, foreign keys and a busy timeout.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL: use sqlite://PATH or postgres://…");
        };
        let options: AnyConnectOptions = url.parse().context("invalid database URL")?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    // SQLite serialises writers anyway; a few readers is all WAL needs.
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
            }
        }
        .context("could not connect to the database")?;
        Ok(Db {
            pool,
            backend,
            day_secret: Default::default(),
        })
    }

    /// Applies the embedded migrations for this backend. Safe to call on every start, and
    /// from several instances at once (sqlx takes an advisory lock on PostgreSQL).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .context("database migration failed")?;
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing
    /// halfway through with SQLITE_BUSY when it upgrades from a read.
    pub async fn begin_write(&self) -> sqlx::Result<Tx> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Number of migrations recorded as applied, for readiness checks.
    pub async fn applied_migrations(&self) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await
    }

    /// Number of migrations embedded in this binary for this backend.
    pub fn expected_migrations(&self) -> i64 {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().count() as i64
    }
}

/// `n` numbered placeholders from `$first`, for an `IN (…)` list: `marks(4, 3)` is
/// `"$4, $5, $6"`. The one place a placeholder list is built.
pub fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Current time as UTC Unix seconds, the storage format of every timestamp.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Bumps the content version so every instance drops its rendered-page cache.
/// Call inside the transaction of any write that changes what public pages show.
pub async fn bump_content_version(tx: &mut Tx) -> sqlx::Result<()> {
    sqlx::query("UPDATE content_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Reads the content version (polled by each instance's cache).
pub async fn content_version(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT version FROM content_version WHERE id = 1")
        .fetch_one(&db.pool)
        .await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The two migration trees must have the same numbered files, so neither backend can
    /// drift (vaultwarden's trees drifted apart and users got half-applied schemas).
    #[test]
    fn migration_trees_match() {
        let names = |dir: &str| -> BTreeSet<String> {
            std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        };
        let sqlite = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
        let postgres = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }

    #[test]
    fn placeholder_lists() {
        assert_eq!(super::marks(4, 3), "$4, $5, $6");
        assert_eq!(super::marks(1, 1), "$1");
        assert_eq!(super::marks(1, 0), "");
    }
}
