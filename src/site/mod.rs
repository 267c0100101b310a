//! The public frame of the site: identity, navigation, the Get help page, Exit this page,
//! the language switch, the home and impact pages, and friendly error pages.

pub mod helplines;
pub mod impact;
pub mod routes;
pub mod settings;
pub mod sitemap;
pub mod tracker;
pub mod tracker_admin;

use crate::db::{self, Db};
pub use helplines::{HelpNow, Helpline};
pub use settings::Site;

/// A page linked from the main navigation.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct NavItem {
    pub slug: String,
    pub title: String,
    pub title_cy: String,
}

/// What every public page needs, loaded once and kept in memory until content changes.
#[derive(Debug)]
pub struct Snapshot {
    pub version: i64,
    pub site: Site,
    pub nav: Vec<NavItem>,
    pub helplines: Vec<Helpline>,
    pub theme_css: String,
    /// Short hash of `theme_css`, used in its URL so browsers can cache it for a year.
    pub theme_hash: String,
    /// The site's public address (`[server] public_url`), for absolute links.
    pub public_url: String,
}

impl Snapshot {
    pub async fn load(db: &Db, public_url: &str) -> anyhow::Result<Snapshot> {
        // Read the version first: if a write lands while we load, the poller sees a newer
        // version next time and loads again, so we never keep stale data for long.
        let version = db::content_version(db).await?;
        let site = settings::site(db).await?;
        let nav = crate::cms::pages::store::nav_items(db).await?;
        let helplines = helplines::store::helplines(db).await?;
        let theme_css = site.theme_css();
        let theme_hash = crate::web::assets::short_hash(theme_css.as_bytes());
        Ok(Snapshot {
            version,
            site,
            nav,
            helplines,
            theme_css,
            theme_hash,
            public_url: public_url.to_string(),
        })
    }
}
