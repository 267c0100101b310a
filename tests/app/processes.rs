//! Real `mmha` processes: several `mmha serve` instances on one PostgreSQL database, and
//! instances killed with SIGKILL in the middle of a newsletter send, story submissions, an
//! import and a migration. Each test starts the binary Cargo built for this test run
//! (`CARGO_BIN_EXE_mmha`) on a database of its own and talks to it over loopback HTTP.
//!
//! The crash tests run on SQLite and, in the PostgreSQL run, on PostgreSQL; the several-
//! instances test needs PostgreSQL (SQLite is one instance's database by design).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::FreshDb;

const BIN: &str = env!("CARGO_BIN_EXE_mmha");

/// One `mmha` process, killed with SIGKILL when dropped.
pub struct Proc {
    child: Child,
    pub base: String,
    log: PathBuf,
}

/// The command line for `mmha` on `db`, with `config` as its mmha.toml. Each command gets
/// a file of its own: rewriting one file for the next process while the last is still
/// reading it at start gave that process an empty configuration (seen in CI).
fn command(db: &FreshDb, config: &str) -> Command {
    static FILES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = FILES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let file = db.dir.join(format!("mmha-{n}.toml"));
    std::fs::write(&file, config).unwrap();
    let mut c = Command::new(BIN);
    c.arg("--config")
        .arg(&file)
        .arg("--data-dir")
        .arg(&db.dir)
        .arg("--database-url")
        .arg(&db.url)
        .env("MMHA_LOG", "info,sqlx=warn")
        .env("MMHA_LOG_FORMAT", "text")
        .stdin(Stdio::null());
    c
}

/// Starts `mmha serve` on a free loopback port without waiting for it.
fn spawn_serve(db: &FreshDb, config: &str, name: &str) -> (Child, PathBuf) {
    let log = db.dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let child = command(db, config)
        .arg("--bind")
        .arg("127.0.0.1:0")
        .arg("serve")
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("mmha serve starts");
    (child, log)
}

impl Proc {
    /// Starts `mmha serve` and waits until it answers /readyz.
    pub async fn serve(db: &FreshDb, config: &str, name: &str) -> Proc {
        let (child, log) = spawn_serve(db, config, name);
        Proc::ready(child, log).await
    }

    /// Waits for a started server to say where it listens and to be ready.
    async fn ready(mut child: Child, log: PathBuf) -> Proc {
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.split("listening on http://").nth(1) {
                let addr: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
                let base = format!("http://{addr}");
                let p = Proc { child, base, log };
                while started.elapsed() < Duration::from_secs(120) {
                    if get(&p.base, "/readyz").await.status == 200 {
                        return p;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                panic!("{} not ready:\n{}", p.base, p.log_text());
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("mmha serve exited ({status}):\n{text}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "mmha serve did not start:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown handler runs, nothing is flushed.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A reply read to the end.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a new loopback connection. A connection error gives status 0
/// (a killed server answers nothing).
pub async fn request(
    base: &str,
    method: &str,
    path: &str,
    form: Option<&[(&str, &str)]>,
    headers: &[(&str, &str)],
) -> Reply {
    let addr = base.trim_start_matches("http://");
    let body = form.map(|f| serde_urlencoded::to_string(f).unwrap());
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = &body {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: same-origin\r\n\
             Content-Length: {}\r\n\r\n{b}",
            b.len()
        ));
    } else {
        req.push_str("\r\n");
    }
    let failed = || Reply {
        status: 0,
        headers: Vec::new(),
        body: String::new(),
    };
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return failed();
    };
    if stream.write_all(req.as_bytes()).await.is_err() {
        return failed();
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).await.is_err() {
        return failed();
    }
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return failed();
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = unchunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_line = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

pub async fn get(base: &str, path: &str) -> Reply {
    request(base, "GET", path, None, &[]).await
}

pub async fn get_as(base: &str, path: &str, cookie: &str) -> Reply {
    request(base, "GET", path, None, &[("Cookie", cookie)]).await
}

/// Connects to the test's database as a library user (no migrations run).
async fn connect(db: &FreshDb) -> mmha::db::Db {
    mmha::db::Db::connect(&db.url).await.expect("database")
}

async fn scalar(db: &mmha::db::Db, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// An SMTP server on loopback (`mmha bench smtp-sink`) that logs "recipient<TAB>Message-ID"
/// per delivered message.
struct Sink {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Sink {
    fn start(dir: &Path) -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("smtp-sink.log");
        let child = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir)
            .args(["bench", "smtp-sink", "--port", &port.to_string(), "--log"])
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("smtp sink starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "sink up");
            std::thread::sleep(Duration::from_millis(20));
        }
        Sink { child, port, log }
    }

    /// Deliveries so far: (recipient, Message-ID).
    fn deliveries(&self) -> Vec<(String, String)> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(r, m)| (r.to_string(), m.to_string()))
            .collect()
    }

    /// Deliveries to the imported subscribers (reader…@example.org) only.
    fn newsletter_deliveries(&self) -> Vec<(String, String)> {
        let mut d = self.deliveries();
        d.retain(|(r, _)| r.starts_with("reader"));
        d
    }

    fn config(&self) -> String {
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n",
            self.port
        )
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` confirmed subscribers through the command-line import (a process of its own).
fn import_subscribers(db: &FreshDb, n: usize) -> PathBuf {
    let file = db.dir.join(format!("subscribers-{n}.csv"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    writeln!(f, "email,nation,language").unwrap();
    for i in 0..n {
        writeln!(f, "reader{i:06}@example.org,wales,en").unwrap();
    }
    f.flush().unwrap();
    file
}

/// `mmha import subscribers FILE` as a process; its output goes to import.log.
fn run_import(db: &FreshDb, file: &Path) -> Child {
    run_import_named(db, file, "mmha import")
}

/// The same, with `name` as its PostgreSQL application_name (to find its session).
fn run_import_named(db: &FreshDb, file: &Path, name: &str) -> Child {
    let out = std::fs::File::create(db.dir.join("import.log")).unwrap();
    command(db, "")
        .env("PGAPPNAME", name)
        .args(["import", "subscribers", "--source", "a test list"])
        .arg(file)
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .expect("import starts")
}

/// Starts sending a newsletter to every confirmed subscriber; returns how many.
async fn start_newsletter(db: &mmha::db::Db, subject: &str) -> (i64, i64) {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO newsletters (subject, body, in_archive, created_at, updated_at) \
         VALUES ($1, 'A test newsletter.', 0, 1, 1) RETURNING id",
    )
    .bind(subject)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let n = mmha::mail::bulletin::store::start(db, id)
        .await
        .unwrap()
        .unwrap();
    (id, n)
}

/// Waits until the newsletter's status is 'sent'.
async fn wait_sent(db: &mmha::db::Db, id: i64, limit: Duration) {
    let started = Instant::now();
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM newsletters WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if status == "sent" {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "newsletter still {status} after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Per recipient, the distinct Message-IDs received; and how many deliveries repeated one.
fn per_recipient(deliveries: &[(String, String)]) -> (Vec<(String, usize)>, usize) {
    use std::collections::BTreeMap;
    let mut per: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (r, m) in deliveries {
        per.entry(r).or_default().push(m);
    }
    let repeated = deliveries.len() - per.len();
    let distinct = per
        .into_iter()
        .map(|(r, mut ids)| {
            ids.sort_unstable();
            ids.dedup();
            (r.to_string(), ids.len())
        })
        .collect();
    (distinct, repeated)
}

/// Creates an admin through the command line (password on standard input) and logs in on
/// `base`; returns the session cookie.
async fn admin_session(db: &FreshDb, base: &str) -> String {
    let password = "correct horse battery staple";
    let mut child = command(db, "")
        .args([
            "user",
            "add",
            "--email",
            "admin@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "user add");
    login(base, "admin@example.org", password).await
}

async fn login(base: &str, email: &str, password: &str) -> String {
    let r = request(
        base,
        "POST",
        "/admin/login",
        Some(&[("email", email), ("password", password), ("next", "/admin")]),
        &[],
    )
    .await;
    assert_eq!(r.status, 303, "login: {}", r.body);
    r.header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_instances_share_one_postgresql_database() {
    let db = FreshDb::new().await;
    if !db.is_postgres() {
        eprintln!(
            "SKIPPED several_instances_share_one_postgresql_database: several instances need \
             PostgreSQL (set MMHA_TEST_DATABASE_URL; scripts/test does)"
        );
        return;
    }
    let sink = Sink::start(&db.dir);
    // A slow per-instance rate, so the send below takes seconds and all three instances'
    // workers compete for its rows.
    let config = format!(
        "trust_proxy = true\n{}\n[mail]\nrate = 10\nwelcome = false\n",
        sink.config()
    );

    // 1. Three instances started together on an empty database: the migrations and the
    // first-start content happen once, and all three come up.
    let spawned: Vec<_> = (0..3)
        .map(|i| spawn_serve(&db, &config, &format!("instance-{i}")))
        .collect();
    let mut instances = Vec::new();
    for (child, log) in spawned {
        instances.push(Proc::ready(child, log).await);
    }
    let pool = connect(&db).await;
    let applied = scalar(&pool, "SELECT COUNT(*) FROM _sqlx_migrations").await;
    let distinct = scalar(
        &pool,
        "SELECT COUNT(DISTINCT version) FROM _sqlx_migrations WHERE success",
    )
    .await;
    assert_eq!(applied, distinct, "each migration recorded once");
    assert_eq!(applied, pool.expected_migrations());
    let seeded = scalar(
        &pool,
        "SELECT COUNT(*) FROM site_settings WHERE key = 'seeded_at'",
    )
    .await;
    assert_eq!(seeded, 1, "first-start content loaded once");
    let helplines = scalar(&pool, "SELECT COUNT(*) FROM helplines").await;
    let distinct_helplines = scalar(
        &pool,
        "SELECT COUNT(*) FROM (SELECT DISTINCT organisation, service FROM helplines) h",
    )
    .await;
    assert_eq!(helplines, distinct_helplines, "helplines not loaded twice");
    let pages = scalar(&pool, "SELECT COUNT(*) FROM pages").await;
    let distinct_pages = scalar(&pool, "SELECT COUNT(DISTINCT slug) FROM pages").await;
    assert_eq!(pages, distinct_pages, "demo pages not loaded twice");
    let (a, b, c) = (&instances[0], &instances[1], &instances[2]);

    // 2. Sessions: a login on one instance is valid on the others (step 6: logging out on
    // one ends it on all).
    let cookie = admin_session(&db, &a.base).await;
    for p in [a, b, c] {
        assert_eq!(get_as(&p.base, "/admin", &cookie).await.status, 200);
    }
    // 3. Caches: an edit published on one instance shows on the others within about a
    // second (each polls the shared content version every second). Both have the page in
    // their cache first.
    for p in [b, c] {
        assert_eq!(get(&p.base, "/").await.status, 200);
    }
    let marker = "Registered charity 1234567 (changed on instance A)";
    let saved = change_footer(&a.base, &cookie, marker).await;
    assert_eq!(
        saved.status, 303,
        "settings saved on instance A: {}",
        saved.body
    );
    let changed = Instant::now();
    let mut seen = [false, false];
    while seen.iter().any(|s| !s) && changed.elapsed() < Duration::from_secs(5) {
        for (i, p) in [b, c].iter().enumerate() {
            if !seen[i] && get(&p.base, "/").await.body.contains(marker) {
                seen[i] = true;
                eprintln!(
                    "instance {} showed the edit after {} ms",
                    ["B", "C"][i],
                    changed.elapsed().as_millis()
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, [true, true], "the edit reached every instance");
    // The poll is every second; the bound leaves room for a busy machine running the
    // other tests alongside.
    assert!(
        changed.elapsed() < Duration::from_secs(3),
        "the edit took {:?} to reach every instance",
        changed.elapsed()
    );

    // 4. Rate limits are shared: five contact messages an hour from one address, counted
    // across instances (the sixth is refused wherever it lands).
    let mut statuses = Vec::new();
    // The time the form was served, as a browser sends it (two minutes ago).
    let started = (mmha::db::now() - 120).to_string();
    for i in 0..6 {
        let p = &instances[i % 3];
        let message = format!("Message {i} to the alliance about local services.");
        let r = request(
            &p.base,
            "POST",
            "/contact",
            Some(&[
                ("type", "media"),
                ("name", "Sam Reporter"),
                ("email", "sam@news.example"),
                ("outlet", "Evening News"),
                ("message", &message),
                ("started", &started),
            ]),
            &[("X-Forwarded-For", "203.0.113.9")],
        )
        .await;
        statuses.push((r.status, r.header("location").to_string()));
    }
    // On failure, what the instances counted.
    let counted: Vec<(String, i64)> = sqlx::query_as(
        "SELECT key_hash, COUNT(*) FROM rate_events GROUP BY key_hash ORDER BY key_hash",
    )
    .fetch_all(&pool.pool)
    .await
    .unwrap();
    let days: Vec<(String,)> = sqlx::query_as("SELECT day FROM address_keys")
        .fetch_all(&pool.pool)
        .await
        .unwrap();
    let why = format!("{statuses:?}; rate events by key {counted:?}; key days {days:?}");
    assert!(
        statuses[..5]
            .iter()
            .all(|(s, at)| *s == 303 && at.starts_with("/contact/sent?ref=")),
        "the first five are accepted: {why}"
    );
    assert_eq!(statuses[5].0, 429, "the sixth is refused: {why}");

    // 5. The job queue: one newsletter, 120 recipients, three senders at 10 a second each;
    // every recipient gets it exactly once.
    let file = import_subscribers(&db, 120);
    assert!(run_import(&db, &file).wait().unwrap().success());
    let (id, n) = start_newsletter(&pool, "Across instances").await;
    assert_eq!(n, 120);
    wait_sent(&pool, id, Duration::from_secs(60)).await;
    // (The sink also has the contact form's notifications from step 4.)
    let deliveries = sink.newsletter_deliveries();
    let (per, repeated) = per_recipient(&deliveries);
    assert_eq!(per.len(), 120, "every recipient received it");
    assert!(per.iter().all(|(_, ids)| *ids == 1));
    assert_eq!(repeated, 0, "nobody received it twice");

    // 6. Logging out on one instance ends the session everywhere.
    let out = request(
        &b.base,
        "POST",
        "/admin/logout",
        Some(&[]),
        &[("Cookie", &cookie)],
    )
    .await;
    assert_eq!(out.status, 303);
    for p in [a, b, c] {
        let r = get_as(&p.base, "/admin", &cookie).await;
        assert_eq!(r.status, 303, "session ended on {}", p.base);
    }
}

/// Sets the footer text through the site settings form on `base`.
async fn change_footer(base: &str, cookie: &str, text: &str) -> Reply {
    let mut form = crate::admin::settings_form("Maternal Mental Health Alliance", "#123456");
    for field in &mut form {
        if field.0 == "footer_text" {
            field.1 = text;
        }
    }
    request(
        base,
        "POST",
        "/admin/settings",
        Some(&form),
        &[("Cookie", cookie)],
    )
    .await
}

/// The mmha.toml of the crash tests: no demo content (a quicker start), mail to `sink`.
fn crash_config(sink: &Sink, rate: u32) -> String {
    format!(
        "demo_content = false\ntrust_proxy = true\n{}\n[mail]\nrate = {rate}\nwelcome = false\n",
        sink.config()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_newsletter_send_killed_midway_resumes_and_nobody_gets_it_twice() {
    let db = FreshDb::new().await;
    let sink = Sink::start(&db.dir);
    // One batch of up to 1,000 a second: the kill lands inside a batch the dead process
    // had claimed.
    let config = crash_config(&sink, 1000);
    let mut first = Proc::serve(&db, &config, "first").await;
    let file = import_subscribers(&db, 400);
    assert!(run_import(&db, &file).wait().unwrap().success());
    let pool = connect(&db).await;
    let (id, n) = start_newsletter(&pool, "Killed midway").await;
    assert_eq!(n, 400);
    let started = Instant::now();
    while sink.newsletter_deliveries().len() < 100 {
        assert!(started.elapsed() < Duration::from_secs(60), "sending began");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill();
    let at_kill = sink.newsletter_deliveries().len();
    assert!(at_kill < 400, "killed before the end ({at_kill})");
    let status: String = sqlx::query_scalar("SELECT status FROM newsletters WHERE id = $1")
        .bind(id)
        .fetch_one(&pool.pool)
        .await
        .unwrap();
    assert_eq!(status, "sending");
    let claimed = scalar(
        &pool,
        "SELECT COUNT(*) FROM newsletter_sends WHERE status = 'sending'",
    )
    .await;
    assert!(
        claimed > 0,
        "the kill left rows claimed by the dead process"
    );

    // Another start picks up where it stopped; the rows the dead one had claimed wait out
    // their lock (bulletin::LOCK_SECONDS), then go.
    let _second = Proc::serve(&db, &config, "second").await;
    wait_sent(&pool, id, Duration::from_secs(150)).await;
    let deliveries = sink.newsletter_deliveries();
    let (per, repeated) = per_recipient(&deliveries);
    eprintln!(
        "killed after {at_kill} of 400 deliveries; after the restart {} recipients, {} repeated \
         deliveries",
        per.len(),
        repeated
    );
    assert_eq!(per.len(), 400, "every recipient received it");
    assert!(
        per.iter().all(|(_, ids)| *ids == 1),
        "one message (one Message-ID) each"
    );
    // SMTP cannot be exactly-once: a message the server accepted in the instant before the
    // kill, not yet marked sent, goes again with the same Message-ID (which mail systems
    // use to drop the copy). The sender hands one message at a time to the server, so at
    // most one can be repeated.
    assert!(repeated <= 1, "{repeated} deliveries repeated");
    let unsent = scalar(
        &pool,
        "SELECT COUNT(*) FROM newsletter_sends WHERE status <> 'sent'",
    )
    .await;
    assert_eq!(unsent, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stories_being_submitted_when_the_server_is_killed_are_kept_whole_or_not_at_all() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let db = FreshDb::new().await;
    let sink = Sink::start(&db.dir);
    let config = crash_config(&sink, 10);
    let mut first = Proc::serve(&db, &config, "first").await;
    let started = (mmha::db::now() - 120).to_string();
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..40 {
        let base = first.base.clone();
        let started = started.clone();
        let answered = answered.clone();
        tasks.push(tokio::spawn(async move {
            let title = format!("Crash test story {i:02}");
            let email = format!("teller{i:02}@example.org");
            let address = format!("198.51.100.{}", i + 1);
            let r = request(
                &base,
                "POST",
                "/stories/new",
                Some(&[
                    ("title", title.as_str()),
                    (
                        "body",
                        "After my son was born I stopped sleeping. The perinatal team visited \
                         every week and it got better.",
                    ),
                    ("scope", "named"),
                    ("first_name", "Amy"),
                    ("town", "Cardiff"),
                    ("nation", "wales"),
                    ("teller", "mum"),
                    ("email", email.as_str()),
                    ("consent", "yes"),
                    ("started", started.as_str()),
                ]),
                &[("X-Forwarded-For", address.as_str())],
            )
            .await;
            if r.status != 0 {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            (title, email, r.status)
        }));
    }
    let waited = Instant::now();
    while answered.load(Ordering::SeqCst) < 10 {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "stories answered"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    first.kill();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let thanked = outcomes.iter().filter(|o| o.2 == 200).count();
    let unanswered = outcomes.iter().filter(|o| o.2 == 0).count();
    eprintln!("40 stories: {thanked} thanked, {unanswered} cut off by the kill");
    assert!(
        outcomes.iter().all(|o| o.2 == 200 || o.2 == 0),
        "only thanks or no answer: {:?}",
        outcomes.iter().map(|o| o.2).collect::<Vec<_>>()
    );
    assert!(unanswered > 0, "the kill cut some submissions off");

    // The next start finds every thanked story, each whole: the story and the email with
    // its private withdrawal link, written in one transaction.
    let second = Proc::serve(&db, &config, "second").await;
    let pool = connect(&db).await;
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT title, email FROM stories")
        .fetch_all(&pool.pool)
        .await
        .unwrap();
    for (title, _, status) in &outcomes {
        let copies = stored.iter().filter(|(t, _)| t == title).count();
        if *status == 200 {
            assert_eq!(copies, 1, "{title} was thanked, so it is kept once");
        } else {
            assert!(copies <= 1, "{title} stored twice");
        }
    }
    for (title, email) in &stored {
        let letters: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue WHERE to_addr = $1")
            .bind(email)
            .fetch_one(&pool.pool)
            .await
            .unwrap();
        assert_eq!(letters, 1, "{title}: stored with its withdrawal email");
    }
    assert_eq!(get(&second.base, "/stories/new").await.status, 200);
}

/// True once the import process is part-way through writing: on PostgreSQL its session
/// holds a transaction that has written rows; on SQLite the write-ahead log has grown.
async fn import_is_writing(db: &FreshDb, pool: &mmha::db::Db, app_name: &str) -> bool {
    if db.is_postgres() {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 \
             AND backend_xid IS NOT NULL",
        )
        .bind(app_name)
        .fetch_one(&pool.pool)
        .await
        .unwrap();
        n > 0
    } else {
        std::fs::metadata(db.dir.join("mmha.sqlite3-wal")).map_or(0, |m| m.len()) > 512 * 1024
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_killed_midway_changes_nothing_and_can_be_run_again() {
    let db = FreshDb::new().await;
    assert!(
        command(&db, "demo_content = false\n")
            .arg("migrate")
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
    );
    let pool = connect(&db).await;
    let file = import_subscribers(&db, 60_000);
    let app_name = format!("mmha_import_{}", std::process::id());
    let mut import = run_import_named(&db, &file, &app_name);
    let waited = Instant::now();
    loop {
        if let Ok(Some(status)) = import.try_wait() {
            panic!(
                "the import ended ({status}) before it could be killed part-way; \
                 make the file bigger"
            );
        }
        if import_is_writing(&db, &pool, &app_name).await {
            break;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(120),
            "import writing"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    import.kill().unwrap();
    import.wait().unwrap();
    // Nothing of it is visible, from this connection or a new one.
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM subscribers").await, 0);
    pool.pool.close().await;
    let pool = connect(&db).await;
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM subscribers").await, 0);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM subscriber_consents").await,
        0
    );

    // Run again, it goes through whole.
    assert!(run_import(&db, &file).wait().unwrap().success());
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM subscribers").await,
        60_000
    );
}

/// The database's schema as text: tables, columns and indexes, sorted.
async fn schema_of(db: &FreshDb) -> Vec<String> {
    let pool = connect(db).await;
    let sql = if db.is_postgres() {
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || \
         is_nullable || ' ' || COALESCE(column_default, '') FROM information_schema.columns \
         WHERE table_schema = current_schema() UNION ALL \
         SELECT 'index ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes \
         WHERE schemaname = current_schema()"
    } else {
        "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master \
         WHERE name NOT LIKE 'sqlite_%'"
    };
    let mut rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool.pool).await.unwrap();
    rows.sort();
    rows
}

/// Migrations recorded as applied, or 0 before the first has made the table.
async fn applied_migrations(db: &FreshDb) -> i64 {
    let pool = connect(db).await;
    let n = pool.applied_migrations().await.unwrap_or(0);
    pool.pool.close().await;
    n
}

fn migrate(db: &FreshDb) -> Child {
    command(db, "")
        .arg("migrate")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mmha migrate starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_killed_midway_are_finished_by_the_next_start() {
    let clean = FreshDb::new().await;
    assert!(migrate(&clean).wait().unwrap().success());
    let expected = connect(&clean).await.expected_migrations();
    assert_eq!(applied_migrations(&clean).await, expected);

    // Kill `mmha migrate` after a little longer each time (5 ms more) until a run gets to
    // the end.
    let db = FreshDb::new().await;
    let mut delay = 5;
    let mut cut_midway = 0;
    let mut kills = 0;
    loop {
        let mut child = migrate(&db);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let finished = matches!(child.try_wait(), Ok(Some(_)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let applied = applied_migrations(&db).await;
        if finished {
            assert!(
                status.success(),
                "a migration run that was not killed failed"
            );
            break;
        }
        kills += 1;
        if applied > 0 && applied < expected {
            cut_midway += 1;
        }
        if applied == expected {
            break;
        }
        delay += 5;
        assert!(delay < 20_000, "migrations never finished");
    }
    eprintln!("mmha migrate killed {kills} times, {cut_midway} of them part-way through");
    assert!(
        cut_midway > 0,
        "no kill landed part-way through the migrations"
    );

    // The next start finishes them; the schema is the same as a clean run's, nothing is
    // recorded twice or as failed, and the server runs on it.
    assert!(migrate(&db).wait().unwrap().success());
    let pool = connect(&db).await;
    assert_eq!(pool.applied_migrations().await.unwrap(), expected);
    assert_eq!(
        scalar(&pool, "SELECT COUNT(*) FROM _sqlx_migrations").await,
        expected
    );
    assert_eq!(schema_of(&db).await, schema_of(&clean).await);
    let server = Proc::serve(&db, "demo_content = false\n", "after").await;
    assert_eq!(get(&server.base, "/support").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safeguarding_flags_reach_the_log_without_a_word_of_what_was_written() {
    let db = FreshDb::new().await;
    let sink = Sink::start(&db.dir);
    let server = Proc::serve(&db, &crash_config(&sink, 10), "safeguarding").await;
    let marker = "counted the tablets in the bathroom cabinet";
    let started = (mmha::db::now() - 120).to_string();
    let story = format!("I have {marker} and I want to die.");
    let r = request(
        &server.base,
        "POST",
        "/stories/new",
        Some(&[
            ("title", "Tonight"),
            ("body", story.as_str()),
            ("scope", "internal"),
            ("consent", "yes"),
            ("started", started.as_str()),
        ]),
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"crisis-help\""));
    let r = request(
        &server.base,
        "POST",
        "/contact",
        Some(&[
            ("type", "other"),
            ("name", "Jo"),
            ("email", "jo@example.org"),
            ("subject", "Please"),
            ("message", story.as_str()),
            ("started", started.as_str()),
        ]),
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"crisis-help\""));
    let log = server.log_text();
    assert!(
        log.contains("story flagged for safeguarding review"),
        "{log}"
    );
    assert!(
        log.contains("enquiry flagged for safeguarding review"),
        "{log}"
    );
    for words in [marker, "want to die", "jo@example.org"] {
        assert!(!log.contains(words), "{words:?} in the log:\n{log}");
    }
}
