//! mmha: one self-hosted program for a maternal mental health alliance.
//!
//! See `ARCHITECTURE.md` for the map of this crate. In short: `main.rs` parses the command
//! line and calls [`serve`], [`cli`] functions; [`web`] builds the router; each capability
//! (`site`, `cms`, `auth`, `admin`) owns its routes, logic and SQL; [`db`] is the one storage
//! layer over SQLite and PostgreSQL.

pub mod admin;
pub mod analytics;
pub mod app;
pub mod atlas;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod cli;
pub mod cms;
pub mod config;
pub mod db;
pub mod enquiries;
pub mod finder;
pub mod i18n;
pub mod mail;
pub mod members;
pub mod ops;
pub mod people;
pub mod safeguard;
pub mod seed;
pub mod site;
pub mod staging;
pub mod stories;
pub mod token;
pub mod uktime;
pub mod uploads;
pub mod web;

use std::sync::{Arc, PoisonError, RwLock};

use config::Config;
use db::Db;
use site::Snapshot;

/// Everything a request handler may need: one pointer, so the several clones a request
/// makes (extractors, middleware) are one reference count each.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] points to.
pub struct Shared {
    pub db: Db,
    pub config: Arc<Config>,
    /// Site identity, navigation and helplines, kept in memory so public pages and the
    /// help content render without a database round trip (and survive a database outage).
    snapshot: Arc<RwLock<Arc<Snapshot>>>,
    pub cache: Arc<web::cache::PageCache>,
    /// Health areas with parsed boundaries and map paths (reloaded when areas change).
    atlas: Arc<RwLock<Arc<atlas::Atlas>>>,
    /// Every postcode's position and area, with the id of the stored import it came from
    /// (0: the shipped index). Swapped whole when an import lands.
    postcodes: Arc<RwLock<(i64, Arc<finder::index::PostcodeIndex>)>>,
    /// The finder's per-area pages and usage counts.
    pub finder: Arc<finder::answer::FinderCache>,
    /// Page-view counts waiting to be saved (analytics.rs).
    pub analytics: Arc<analytics::Analytics>,
    /// Non-essential requests in flight, for shedding load (web::load).
    pub load: web::load::Shedder,
}

impl AppState {
    /// Connects, migrates, loads demo content into an empty database and reads the snapshot.
    pub async fn start(config: Config) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(&config.data_dir)?;
        std::fs::create_dir_all(config.uploads_dir())?;
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        seed::load(&db, config.demo_content, &config.uploads_dir()).await?;
        let snapshot = Snapshot::load(&db, &config.public_url).await?;
        let atlas = atlas::Atlas::load(&db).await?;
        let postcodes = finder::import::store::load(&db).await?;
        let load = web::load::Shedder::default();
        load.spawn_probe(std::time::Duration::from_millis(config.shed_latency_ms));
        Ok(AppState(Arc::new(Shared {
            db,
            config: Arc::new(config),
            snapshot: Arc::new(RwLock::new(Arc::new(snapshot))),
            cache: Arc::new(web::cache::PageCache::default()),
            atlas: Arc::new(RwLock::new(Arc::new(atlas))),
            postcodes: Arc::new(RwLock::new(postcodes)),
            finder: Arc::new(finder::answer::FinderCache::default()),
            analytics: Arc::new(analytics::Analytics::default()),
            load,
        })))
    }

    // The three locks below only ever hold an `Arc` that is swapped whole, so a thread that
    // panicked while holding one cannot have left it half-written: a poisoned lock is used
    // as it stands rather than panicking every request after it (`/help` included).

    /// The current in-memory snapshot of site data.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The in-memory atlas of current areas.
    pub fn atlas(&self) -> Arc<atlas::Atlas> {
        self.atlas
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The postcode index in use.
    pub fn postcodes(&self) -> Arc<finder::index::PostcodeIndex> {
        self.postcodes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    /// Reloads the snapshot and drops cached pages. Called after every committed write that
    /// changes public content, and by the poller when another instance made one.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        // Boundaries change rarely (an import); reload the parsed map only then.
        if atlas::fingerprint(&self.db).await? != self.atlas().fingerprint {
            let fresh = atlas::Atlas::load(&self.db).await?;
            *self.atlas.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
        }
        // A postcode import stores a new index: load it, then swap, so lookups never see
        // half of one.
        let stored = finder::import::store::stored_id(&self.db).await?;
        if stored
            != self
                .postcodes
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .0
        {
            let fresh = finder::import::store::load(&self.db).await?;
            *self
                .postcodes
                .write()
                .unwrap_or_else(PoisonError::into_inner) = fresh;
        }
        let fresh = Snapshot::load(&self.db, &self.config.public_url).await?;
        self.cache.clear(fresh.version);
        *self
            .snapshot
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
        Ok(())
    }

    /// Checks the shared content version and refreshes when another instance changed it.
    pub async fn refresh_if_stale(&self) -> anyhow::Result<()> {
        let version = db::content_version(&self.db).await?;
        if version != self.snapshot().version {
            self.refresh().await?;
        }
        Ok(())
    }
}
