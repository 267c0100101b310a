//! `mmha bench mail`: one newsletter to a large list, through the real job queue, to an
//! SMTP sink on loopback and to the outbox; then a send killed with SIGKILL part-way and
//! resumed. Prints messages per second, peak memory and CPU time of the sending process,
//! and whether everyone got exactly one copy.
//!
//! Three processes, so the figures are the sender's alone: this one (sets up, checks), a
//! sink (`mmha bench smtp-sink`, hidden) that logs each recipient and Message-ID, and the
//! sender (`mmha bench mail-send`, hidden), which runs the same `bulletin::send_due` as the
//! server's worker, without its per-second rate cap.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::Transport;
use crate::config::{Config, Smtp, SmtpSecurity};
use crate::db::{self, Db};

/// A newsletter of typical length (about 3 KB of Markdown).
fn body() -> String {
    let mut b = String::from(
        "## Benchmark issue (not a real newsletter)\n\nThis is generated text for a benchmark. ",
    );
    for i in 1..=8 {
        b.push_str(&format!(
            "\n\n### Section {i}\n\nMaternal Mental Health Awareness Week runs every May, and \
             members across the four nations take part with coffee mornings, walks and online \
             talks. [Read more](https://example.org/news/{i}). *Emphasis* and **strong** text, \
             and a list:\n\n- one item\n- another item\n"
        ));
    }
    b
}

/// Peak and current resident memory of this process, in bytes.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |v| v * 1024)
    };
    (kb("VmHWM:"), kb("VmRSS:"))
}

/// User + system CPU seconds used by this process so far (Linux clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn mb(b: u64) -> f64 {
    b as f64 / 1_048_576.0
}

/// Adds `n` confirmed subscribers through the CSV import (timed), across nations and
/// both languages.
async fn add_subscribers(db: &Db, n: usize) -> anyhow::Result<()> {
    let nations = ["england", "wales", "scotland", "northern-ireland"];
    let mut csv = String::from("email,nation,audience,language,topics\n");
    for i in 0..n {
        csv.push_str(&format!(
            "reader{i:07}@bench.example,{},{},{},ebulletin\n",
            nations[i % 4],
            super::list::AUDIENCES[i % 4],
            if i % 5 == 0 { "cy" } else { "en" }
        ));
    }
    let start = Instant::now();
    let rows = super::import::check_csv(&csv, db::now())
        .map_err(|e| anyhow::anyhow!("generated file rejected: {} problems", e.len()))?;
    let (outcomes, summary) = super::import::store::plan(db, &rows).await?;
    let mut tx = db.begin_write().await?;
    super::import::store::apply(&mut tx, &rows, &outcomes, "benchmark data (not real)").await?;
    tx.commit().await?;
    println!(
        "import: {} subscribers from CSV (checked, planned, written in one transaction) in {:.2} s",
        summary.add,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Creates a newsletter to everyone and starts it; returns (id, recipients).
async fn start_newsletter(db: &Db, label: &str) -> anyhow::Result<(i64, i64)> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO newsletters (subject, subject_cy, body, body_cy, in_archive, created_at, \
         updated_at) VALUES ($1, $2, $3, $3, 0, $4, $4) RETURNING id",
    )
    .bind(format!("Benchmark newsletter ({label})"))
    .bind(format!("Cylchlythyr meincnod ({label})"))
    .bind(body())
    .bind(db::now())
    .fetch_one(&db.pool)
    .await?;
    let n = super::bulletin::store::start(db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("newsletter {id} did not start"))?;
    Ok((id, n))
}

/// The command line that runs this program against the same data directory and database.
fn me(config: &Config) -> anyhow::Result<Command> {
    let mut c = Command::new(std::env::current_exe()?);
    c.arg("--data-dir")
        .arg(&config.data_dir)
        .arg("--database-url")
        .arg(&config.database_url)
        .env("MMHA_LOG", "warn");
    Ok(c)
}

/// Starts the sink on a free loopback port; returns it, the port and its log's path.
fn start_sink(config: &Config) -> anyhow::Result<(Child, u16, PathBuf)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = config.data_dir.join("sink.log");
    let _ = std::fs::remove_file(&log);
    let child = me(config)?
        .args(["bench", "smtp-sink", "--port", &port.to_string(), "--log"])
        .arg(&log)
        .stdout(Stdio::null())
        .spawn()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((child, port, log));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    anyhow::bail!("the SMTP sink did not start")
}

fn sender(config: &Config, port: Option<u16>) -> anyhow::Result<Command> {
    let mut c = me(config)?;
    c.args(["bench", "mail-send"]);
    if let Some(p) = port {
        c.args(["--smtp-port", &p.to_string()]);
    }
    Ok(c)
}

/// Lines in the sink's log: (recipient, Message-ID) per delivery.
fn sink_lines(log: &Path) -> Vec<(String, String)> {
    let Ok(f) = std::fs::File::open(log) else {
        return vec![];
    };
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| {
            l.split_once('\t')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect()
}

/// How many of the newsletter's recipients the sink saw, and whether each got one copy.
fn check_once(lines: &[(String, String)], recipients: i64, label: &str) {
    use std::collections::HashMap;
    let mut per: HashMap<&str, Vec<&str>> = HashMap::new();
    for (rcpt, id) in lines {
        per.entry(rcpt).or_default().push(id);
    }
    let distinct_ids = |ids: &Vec<&str>| {
        let mut v = ids.clone();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let exactly_one = per.values().filter(|ids| distinct_ids(ids) == 1).count();
    let repeated_deliveries = lines.len() - per.len();
    println!(
        "{label}: {} recipients, {} received the newsletter, {} exactly one message (one Message-ID); \
         {} deliveries repeated with the same Message-ID; {}",
        recipients,
        per.len(),
        exactly_one,
        repeated_deliveries,
        if per.len() as i64 == recipients && exactly_one as i64 == recipients {
            "OK"
        } else {
            "FAILED"
        }
    );
}

/// `mmha bench mail`.
pub async fn run(config: &Config, db: &Db, subscribers: usize) -> anyhow::Result<()> {
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM subscribers WHERE status = 'confirmed'")
            .fetch_one(&db.pool)
            .await?;
    anyhow::ensure!(
        existing == 0,
        "the benchmark needs an empty mailing list (use a new --data-dir)"
    );
    add_subscribers(db, subscribers).await?;
    let (mut sink, port, log) = start_sink(config)?;

    // 1. To the SMTP sink.
    let (_, n) = start_newsletter(db, "SMTP").await?;
    let status = sender(config, Some(port))?.status()?;
    anyhow::ensure!(status.success(), "the sender failed");
    check_once(&sink_lines(&log), n, "SMTP sink");

    // 2. To the outbox.
    let (_, n) = start_newsletter(db, "outbox").await?;
    let status = sender(config, None)?.status()?;
    anyhow::ensure!(status.success(), "the sender failed");
    let outbox = config.data_dir.join("outbox");
    let files = std::fs::read_dir(&outbox)?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
        .count();
    println!(
        "outbox: {n} recipients, {files} .eml files written; {}",
        if files as i64 == n { "OK" } else { "FAILED" }
    );
    std::fs::remove_dir_all(&outbox)?;

    // 3. Killed with SIGKILL a third of the way through, then started again.
    std::fs::remove_file(&log)?;
    let _ = sink.kill();
    let _ = sink.wait();
    let (mut sink, port, log) = start_sink(config)?;
    let (_, n) = start_newsletter(db, "crash").await?;
    let mut child = sender(config, Some(port))?.stdout(Stdio::null()).spawn()?;
    let third = (n / 3) as usize;
    let waited = Instant::now();
    while sink_lines(&log).len() < third && waited.elapsed() < Duration::from_secs(600) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill()?; // SIGKILL
    child.wait()?;
    let at_kill = sink_lines(&log).len();
    println!(
        "crash: sender killed with SIGKILL after {at_kill} of {n} deliveries; starting it again \
         (rows it had claimed wait out their {} s lock)",
        super::bulletin::LOCK_SECONDS
    );
    let status = sender(config, Some(port))?.stdout(Stdio::null()).status()?;
    anyhow::ensure!(status.success(), "the restarted sender failed");
    check_once(&sink_lines(&log), n, "after the crash");
    let _ = sink.kill();
    let _ = sink.wait();
    Ok(())
}

/// `mmha bench mail-send`: sends every newsletter being sent, as fast as the queue allows,
/// and prints the figures.
pub async fn send(config: &Config, db: &Db, smtp_port: Option<u16>) -> anyhow::Result<()> {
    let mut config = config.clone();
    if let Some(port) = smtp_port {
        config.smtp = Some(Smtp {
            host: "127.0.0.1".into(),
            port: Some(port),
            security: SmtpSecurity::None,
            ca_file: None,
            username: None,
            password: None,
        });
    }
    let transport = Transport::from_config(&config)?;
    let label = match transport {
        Transport::Smtp { .. } => "SMTP sink",
        Transport::Outbox(_) => "outbox",
    };
    let sender = super::Sender::new(&config, "Alliance (benchmark)");
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let mut sent = 0usize;
    loop {
        let n = super::bulletin::send_due(db, &transport, &sender, &config.public_url, 500).await?;
        sent += n;
        if n == 0 {
            let sending: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM newsletters WHERE status = 'sending'")
                    .fetch_one(&db.pool)
                    .await?;
            if sending == 0 {
                break;
            }
            // Rows claimed by a killed sender: wait for their lock to run out.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let (peak, _) = memory();
    println!(
        "{label}: {sent} messages in {secs:.1} s = {:.0} messages/s; sender peak RSS {:.1} MB; \
         CPU {:.1} s ({:.0} µs per message)",
        sent as f64 / secs,
        mb(peak),
        cpu_seconds() - cpu0,
        (cpu_seconds() - cpu0) * 1e6 / sent.max(1) as f64
    );
    Ok(())
}

/// `mmha bench smtp-sink`: accepts any mail on 127.0.0.1:`port` and appends
/// "recipient<TAB>Message-ID" per delivered message to `log`.
pub async fn sink(port: u16, log: &Path) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let log = std::sync::Arc::new(std::sync::Mutex::new(file));
    loop {
        let (stream, _) = listener.accept().await?;
        let log = log.clone();
        tokio::spawn(async move {
            let _ = session(stream, log).await;
        });
    }
}

type Log = std::sync::Arc<std::sync::Mutex<std::fs::File>>;

async fn session(stream: tokio::net::TcpStream, log: Log) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.bench ESMTP\r\n").await?;
    let mut rcpts: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") {
            w.write_all(b"250-sink.bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if cmd.starts_with("RCPT TO:") {
            let addr = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or("")
                .to_string();
            rcpts.push(addr);
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd == "DATA" {
            w.write_all(b"354 Go ahead\r\n").await?;
            let mut id = String::new();
            let mut in_head = true;
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                if in_head {
                    if line.trim().is_empty() {
                        in_head = false;
                    } else if line.len() > 11 && line[..11].eq_ignore_ascii_case("message-id:") {
                        id = line[11..].trim().to_string();
                    }
                }
            }
            // Logged (one write per line) before the reply, so a sender that has its
            // answer knows the line is there.
            if let Ok(mut f) = log.lock() {
                for rcpt in rcpts.drain(..) {
                    f.write_all(format!("{rcpt}\t{id}\n").as_bytes())?;
                }
            }
            w.write_all(b"250 OK queued\r\n").await?;
        } else if cmd.starts_with("QUIT") {
            w.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else if cmd.starts_with("RSET") {
            rcpts.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else {
            // MAIL FROM, NOOP, HELO and anything else.
            w.write_all(b"250 OK\r\n").await?;
        }
    }
}
