//! Runtime configuration: defaults, then `mmha.toml`, then `MMHA_*` environment, then flags.
//!
//! The environment and flag layers are both handled by clap (`#[arg(env = …)]`, where a flag
//! beats its variable); this module merges the result over the file and the defaults. Site
//! identity (name, colours, contacts) is not configuration: it is data an admin edits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// Settings read from `mmha.toml`. Every field is optional; missing ones fall back.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub metrics_bind: Option<SocketAddr>,
    pub log_format: Option<LogFormat>,
    pub session_hours: Option<i64>,
    /// Admins must use two-factor login (set it up at their next login) [default: false].
    pub require_admin_two_factor: Option<bool>,
    pub upload_max_mb: Option<u64>,
    pub trust_proxy: Option<bool>,
    /// Non-essential requests handled at once before the rest get 503 [default: 512].
    pub max_in_flight: Option<usize>,
    /// Shed non-essential requests while requests wait longer than this for the CPU
    /// [default: 250 ms; 0: never].
    pub shed_latency_ms: Option<u64>,
    pub demo_content: Option<bool>,
    pub smtp: Option<SmtpFile>,
    #[serde(default)]
    pub mail: MailFile,
    #[serde(default)]
    pub analytics: AnalyticsFile,
}

/// `[analytics]` in `mmha.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsFile {
    /// Count page views at all [default: true].
    pub enabled: Option<bool>,
    /// Counts below this are shown as "fewer than N" on the dashboard and in exports
    /// [default: 5].
    pub min_count: Option<i64>,
}

/// `[smtp]` in `mmha.toml`. With no such section mail goes to `DATA_DIR/outbox/`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    pub host: String,
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS, port 465) or `none` (a local relay only).
    pub security: Option<SmtpSecurity>,
    /// A PEM file of certificate authorities to trust for this server as well as the
    /// usual public ones (a relay with a private or self-signed certificate).
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    /// Better given as `MMHA_SMTP_PASSWORD` than written in the file.
    pub password: Option<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    #[default]
    Starttls,
    Tls,
    None,
}

/// `[mail]` in `mmha.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailFile {
    /// The From address of every message [default: bulletin@ the public address's host].
    pub from: Option<String>,
    /// Days a sign-up confirmation link stays valid [default: 7].
    pub confirm_days: Option<i64>,
    /// Send a welcome email once a subscription is confirmed [default: true].
    pub welcome: Option<bool>,
    /// Keep the IP address in each consent record [default: false].
    pub record_ip: Option<bool>,
    /// Newsletter messages per second per instance [default: 50].
    pub rate: Option<i64>,
    /// Hard bounces after which an address is marked undeliverable [default: 2].
    pub bounce_threshold: Option<i64>,
}

/// The SMTP settings the program runs with. (`Debug` leaves the password out.)
#[derive(Clone)]
pub struct Smtp {
    pub host: String,
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    /// Extra certificate authorities to trust (`[smtp] ca_file`).
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("ca_file", &self.ca_file)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .finish()
    }
}

/// Values given on the command line or in the environment (the higher layers).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Path of the TOML configuration file (default: ./mmha.toml when it exists).
    #[arg(long, global = true, env = "MMHA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "MMHA_BIND")]
    pub bind: Option<SocketAddr>,
    /// Directory for the SQLite database, uploads and the mail outbox [default: ./data].
    #[arg(long, global = true, env = "MMHA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER@HOST/DB [default: SQLite file in the data dir].
    #[arg(long, global = true, env = "MMHA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The public address of the site, used in links printed to the log and in emails.
    #[arg(long, global = true, env = "MMHA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Serve Prometheus metrics on this separate address (otherwise only to logged-in admins).
    #[arg(long, global = true, env = "MMHA_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "MMHA_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The merged configuration the program runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub public_url: String,
    pub metrics_bind: Option<SocketAddr>,
    pub log_format: LogFormat,
    /// How long a staff session lasts without logging in again.
    pub session_hours: i64,
    /// Admins must use two-factor login.
    pub require_admin_two_factor: bool,
    pub upload_max_mb: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a reverse proxy you run).
    pub trust_proxy: bool,
    /// Load the labelled demo content into an empty database on first start.
    pub demo_content: bool,
    /// Outgoing mail server; `None` writes `.eml` files to `DATA_DIR/outbox/`.
    pub smtp: Option<Smtp>,
    pub mail_from: String,
    pub confirm_days: i64,
    pub welcome_email: bool,
    pub record_consent_ip: bool,
    /// Newsletter messages per second per instance.
    pub mail_rate: i64,
    /// Hard bounces after which an address is marked undeliverable.
    pub bounce_threshold: i64,
    /// Page views are counted (`[analytics] enabled`).
    pub analytics: bool,
    /// Smallest count shown as a number (`[analytics] min_count`).
    pub analytics_min_count: i64,
    /// Non-essential requests in flight before more are shed (0 sheds them all).
    pub max_in_flight: usize,
    /// Shed non-essential requests while requests wait longer than this for the CPU
    /// (0: never; see `web::load`).
    pub shed_latency_ms: u64,
}

impl Config {
    /// A page's full address in `lang`, for emails and feeds: `public_url` and the
    /// page's address in that language (`https://…/cy/subscribe/manage/…`).
    pub fn link(&self, lang: crate::i18n::Lang, path: &str) -> String {
        format!("{}{}", self.public_url, lang.address(path))
    }

    /// Merges the layers. A `--config` path that does not exist is an error; the default
    /// `./mmha.toml` is optional.
    pub fn load(o: &Overrides) -> anyhow::Result<Config> {
        let file = match &o.config {
            Some(path) => read_file(path)?,
            None if Path::new("mmha.toml").exists() => read_file(Path::new("mmha.toml"))?,
            None => FileConfig::default(),
        };
        let bind = o
            .bind
            .or(file.bind)
            .unwrap_or(([127, 0, 0, 1], 8080).into());
        let data_dir = o
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = o
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| crate::db::default_sqlite_url(&data_dir));
        let public_url = o
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        let smtp = file.smtp.map(|f| Smtp {
            host: f.host,
            port: f.port,
            security: f.security.unwrap_or_default(),
            ca_file: f.ca_file,
            username: f.username,
            password: std::env::var("MMHA_SMTP_PASSWORD").ok().or(f.password),
        });
        let mail_from = file.mail.from.unwrap_or_else(|| default_from(&public_url));
        Ok(Config {
            smtp,
            mail_from,
            confirm_days: file.mail.confirm_days.unwrap_or(7).clamp(1, 60),
            welcome_email: file.mail.welcome.unwrap_or(true),
            record_consent_ip: file.mail.record_ip.unwrap_or(false),
            mail_rate: file.mail.rate.unwrap_or(50).clamp(1, 10_000),
            bounce_threshold: file.mail.bounce_threshold.unwrap_or(2).clamp(1, 100),
            analytics: file.analytics.enabled.unwrap_or(true),
            analytics_min_count: file.analytics.min_count.unwrap_or(5).clamp(1, 1000),
            max_in_flight: file.max_in_flight.unwrap_or(512),
            shed_latency_ms: file.shed_latency_ms.unwrap_or(250),
            bind,
            data_dir,
            database_url,
            public_url,
            metrics_bind: o.metrics_bind.or(file.metrics_bind),
            log_format: o.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            session_hours: file.session_hours.unwrap_or(12).clamp(1, 24 * 30),
            require_admin_two_factor: file.require_admin_two_factor.unwrap_or(false),
            upload_max_mb: file.upload_max_mb.unwrap_or(20).clamp(1, 512),
            trust_proxy: file.trust_proxy.unwrap_or(false),
            demo_content: file.demo_content.unwrap_or(true),
        })
    }

    /// A configuration for tests and tools: everything default except the two locations
    /// (and the CPU probe, below).
    pub fn for_data_dir(data_dir: PathBuf, database_url: String) -> Config {
        Config {
            bind: ([127, 0, 0, 1], 8080).into(),
            data_dir,
            database_url,
            public_url: "http://127.0.0.1:8080".into(),
            metrics_bind: None,
            log_format: LogFormat::Text,
            session_hours: 12,
            require_admin_two_factor: false,
            upload_max_mb: 20,
            trust_proxy: false,
            demo_content: true,
            smtp: None,
            mail_from: "bulletin@example.org".into(),
            confirm_days: 7,
            welcome_email: true,
            record_consent_ip: false,
            mail_rate: 50,
            bounce_threshold: 2,
            analytics: true,
            analytics_min_count: 5,
            max_in_flight: 512,
            // Off: the tests run several instances on one runtime, where one instance
            // starting up (loading boundaries) holds up the others' probes; the test of
            // shedding sets its own bound. Processes started by tests use the default.
            shed_latency_ms: 0,
        }
    }

    /// Cookies get the `Secure` attribute when the site is served over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }
}

/// `bulletin@HOST` for the public address's host, or a placeholder for a bare IP address.
fn default_from(public_url: &str) -> String {
    let host = public_url
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(public_url)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    if host.contains('.') && !host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        format!("bulletin@{host}")
    } else {
        "bulletin@localhost.localdomain".into()
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        let dir = std::env::temp_dir().join(format!("mmha-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("mmha.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:9000\"\ndata_dir = \"/srv/mmha\"\nsession_hours = 4\n",
        )
        .unwrap();

        // File over defaults.
        let o = Overrides {
            config: Some(path.clone()),
            ..Default::default()
        };
        let c = Config::load(&o).unwrap();
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/srv/mmha"));
        assert_eq!(c.session_hours, 4);
        assert!(c.database_url.starts_with("sqlite:///srv/mmha/"));

        // Flags (or environment, through clap) over the file.
        let o = Overrides {
            config: Some(path.clone()),
            bind: Some("127.0.0.1:7000".parse().unwrap()),
            database_url: Some("postgres://x@localhost/y".into()),
            ..Default::default()
        };
        let c = Config::load(&o).unwrap();
        assert_eq!(c.bind.port(), 7000);
        assert_eq!(c.database_url, "postgres://x@localhost/y");

        // An unknown key is an error, not silently ignored.
        std::fs::write(&path, "bnid = \"127.0.0.1:9000\"\n").unwrap();
        assert!(Config::load(&o).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The example file in the repository stays valid.
    #[test]
    fn example_config_parses() {
        let f: FileConfig = toml::from_str(include_str!("../mmha.example.toml")).unwrap();
        assert_eq!(f.bind.unwrap().port(), 8080);
        assert_eq!(f.trust_proxy, Some(true));
    }
}
