//! The mailing list: sign-up with double opt-in that link scanners cannot trigger, consent
//! records, self-service preferences, RFC 8058 one-click unsubscribe, and bad input.

use crate::harness::TestApp;

/// One delivered message from the outbox, with its parts decoded.
pub(crate) struct Mail {
    pub(crate) raw: String,
    /// Quoted-printable parts decoded.
    pub(crate) text: String,
}

impl Mail {
    pub(crate) fn header(&self, name: &str) -> String {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let mut out = String::new();
        let mut on = false;
        for line in head.split("\r\n") {
            if on && line.starts_with([' ', '\t']) {
                out.push_str(line.trim_start());
                continue;
            }
            on = false;
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                out = v.trim().to_string();
                on = true;
            }
        }
        out
    }

    /// The first link to `path_prefix` (e.g. "/subscribe/confirm/"), as the token after it.
    fn token_after(&self, path_prefix: &str) -> String {
        let i = self
            .text
            .find(path_prefix)
            .unwrap_or_else(|| panic!("no {path_prefix} in\n{}", self.text));
        self.text[i + path_prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Delivers the queue to the outbox and returns every message there, oldest first.
pub(crate) async fn outbox(app: &TestApp) -> Vec<Mail> {
    let transport = mmha::mail::Transport::from_config(&app.state.config).unwrap();
    mmha::mail::deliver_all(&app.state.db, &transport)
        .await
        .unwrap();
    let dir = app.state.config.data_dir.join("outbox");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let raw = std::fs::read_to_string(p).unwrap();
            let text = decode_qp(&raw);
            Mail { raw, text }
        })
        .collect()
}

/// The path of the private link starting `prefix` (`/roster/manage/`) in the newest email
/// to `to`.
pub(crate) async fn link_in_mail(app: &TestApp, to: &str, prefix: &str) -> String {
    let mails = outbox(app).await;
    let m = mails
        .iter()
        .rev()
        .find(|m| m.header("To") == to)
        .expect("a mail with the link");
    let i = m.text.find(prefix).expect("link in mail");
    m.text[i..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '_' || *c == '-')
        .collect()
}

pub(crate) async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

pub(crate) async fn status_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT status FROM subscribers WHERE email = $1")
        .bind(email)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

fn signup_form<'a>(email: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("email", email),
        ("name", "Sam"),
        ("nation", "wales"),
        ("audience", "parent"),
        ("topic", "ebulletin"),
        ("topic", "events"),
        ("consent", "yes"),
    ];
    f.extend_from_slice(extra);
    f
}

#[tokio::test]
async fn sign_up_confirm_by_button_manage_and_one_click_unsubscribe() {
    let app = TestApp::new().await;
    app.get("/subscribe")
        .await
        .assert_status(200)
        .assert_contains("I agree to receive emails from the alliance");
    let res = app
        .post(
            "/subscribe",
            &signup_form(" Parent@Example.COM ", &[("lang", "cy")]),
        )
        .await;
    res.assert_status(303);
    assert_eq!(res.location(), "/subscribe/check");
    app.get("/subscribe/check")
        .await
        .assert_contains("Check your email");
    let email = "parent@example.com";
    assert_eq!(status_of(&app, email).await, "pending");

    // The consent record: the form, the wording's version, the language; no IP by default.
    let (action, source, version, lang, ip): (String, String, String, String, Option<String>) =
        sqlx::query_as(
            "SELECT action, source, wording_version, lang, ip FROM subscriber_consents ORDER BY id",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        (action.as_str(), source.as_str(), lang.as_str()),
        ("signup", "subscribe-form", "cy")
    );
    assert_eq!(version, mmha::mail::list::consent_version());
    assert_eq!(version.len(), 12);
    assert!(ip.is_none());

    // The confirmation mail, in Welsh, with the link; the token is stored only hashed.
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.header("To"), email);
    assert!(m.header("Subject").len() > 5);
    assert!(
        m.text.contains("Cadarnhewch eich cofrestriad"),
        "{}",
        m.text
    );
    assert_eq!(m.header("Auto-Submitted"), "auto-generated");
    assert!(m.header("Message-ID").starts_with('<'));
    let token = m.token_after("/subscribe/confirm/");
    assert!(token.len() >= 32, "{token}");
    // A Welsh reader's links go to the Welsh pages.
    assert!(
        m.text.contains(&format!("/cy/subscribe/confirm/{token}")),
        "{}",
        m.text
    );
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM subscriber_tokens")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_ne!(stored, token);

    // A link scanner's GET (twice) changes nothing: only a button is shown.
    for _ in 0..2 {
        app.get(&format!("/subscribe/confirm/{token}"))
            .await
            .assert_status(200)
            .assert_contains(&format!(
                "<form method=\"post\" action=\"/subscribe/confirm/{token}\">"
            ));
    }
    assert_eq!(status_of(&app, email).await, "pending");

    // The button confirms; the link then works no more.
    app.post(&format!("/subscribe/confirm/{token}"), &[])
        .await
        .assert_status(200)
        .assert_contains("You have signed up");
    assert_eq!(status_of(&app, email).await, "confirmed");
    app.post(&format!("/subscribe/confirm/{token}"), &[])
        .await
        .assert_status(410);
    app.get(&format!("/subscribe/confirm/{token}"))
        .await
        .assert_status(410);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM subscriber_consents WHERE action = 'confirm'"
        )
        .await,
        1
    );

    // The welcome mail carries RFC 8058 headers and the self-service links.
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 2, "no message is delivered twice");
    let welcome = &mails[1];
    assert!(welcome.text.contains("Croeso"), "{}", welcome.text);
    let manage = welcome.token_after("/subscribe/manage/");
    assert_eq!(
        welcome.header("List-Unsubscribe"),
        format!(
            "<{}/cy/subscribe/unsubscribe/{manage}>",
            app.state.config.public_url
        ),
        "a Welsh reader's links go to the Welsh pages"
    );
    assert_eq!(
        welcome.header("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );

    // Preferences: language and topics change, and the change is recorded.
    app.get(&format!("/subscribe/manage/{manage}"))
        .await
        .assert_status(200)
        .assert_contains(email)
        .assert_contains("value=\"events\" checked");
    app.post(
        &format!("/subscribe/manage/{manage}"),
        &[
            ("name", "Sam J"),
            ("nation", "england"),
            ("audience", "professional"),
            ("lang", "en"),
            ("topic", "policy"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("Your preferences have been saved.");
    let (lang, topics, nation): (String, String, String) =
        sqlx::query_as("SELECT lang, topics, nation FROM subscribers WHERE email = $1")
            .bind(email)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (lang.as_str(), topics.as_str(), nation.as_str()),
        ("en", "policy", "england")
    );
    // No topic at all is refused, with the choices kept.
    app.post(
        &format!("/subscribe/manage/{manage}"),
        &[("name", "Sam J"), ("lang", "en")],
    )
    .await
    .assert_status(422)
    .assert_contains("Choose at least one topic");

    // One-click unsubscribe as a mail provider sends it: POST from its own site, no cookie,
    // to the address in the List-Unsubscribe header (the Welsh one for this reader).
    let res = app
        .post_with(
            &format!("/cy/subscribe/unsubscribe/{manage}"),
            &[("List-Unsubscribe", "One-Click")],
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://mail.example.net"),
            ],
        )
        .await;
    res.assert_status(200);
    assert_eq!(status_of(&app, email).await, "unsubscribed");
    let suppressed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_suppressions WHERE email_hash = $1 AND reason = 'unsubscribed'",
    )
    .bind(mmha::mail::list::email_hash(email))
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(suppressed, 1);
    // Repeating it is harmless; the visible link shows it is done.
    app.post(&format!("/subscribe/unsubscribe/{manage}"), &[])
        .await
        .assert_status(200);
    app.get(&format!("/subscribe/unsubscribe/{manage}"))
        .await
        .assert_contains("You have unsubscribed");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM subscriber_consents WHERE action = 'unsubscribe'"
        )
        .await,
        1
    );
    // An unknown token is simply not found.
    app.get("/subscribe/manage/not-a-real-token-at-all-xxxxxxxx")
        .await
        .assert_status(404);
}

#[tokio::test]
async fn signing_up_never_reveals_whether_an_address_is_subscribed() {
    let app = TestApp::new().await;
    let first = app
        .post("/subscribe", &signup_form("a@example.org", &[]))
        .await;
    let token = outbox(&app).await[0].token_after("/subscribe/confirm/");
    app.post(&format!("/subscribe/confirm/{token}"), &[])
        .await
        .assert_status(200);
    let before = outbox(&app).await.len();
    let again = app
        .post("/subscribe", &signup_form("a@example.org", &[]))
        .await;
    let fresh = app
        .post("/subscribe", &signup_form("b@example.org", &[]))
        .await;
    for r in [&first, &again, &fresh] {
        r.assert_status(303);
        assert_eq!(r.location(), "/subscribe/check");
        assert_eq!(r.body, first.body);
    }
    // The subscribed address is told by email, and nothing about it changes.
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), before + 2);
    let to_a: Vec<&Mail> = mails[before..]
        .iter()
        .filter(|m| m.header("To") == "a@example.org")
        .collect();
    assert_eq!(to_a.len(), 1);
    assert!(to_a[0].text.contains("already"), "{}", to_a[0].text);
    assert_eq!(status_of(&app, "a@example.org").await, "confirmed");
    // A second sign-up of a pending address within minutes sends nothing more.
    app.post("/subscribe", &signup_form("b@example.org", &[]))
        .await
        .assert_status(303);
    assert_eq!(outbox(&app).await.len(), before + 2);
}

#[tokio::test]
async fn bad_sign_ups_get_messages_next_to_fields_and_keep_what_was_typed() {
    let app = TestApp::new().await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("email", ""), ("topic", "ebulletin"), ("consent", "yes")],
            "Enter your email address",
        ),
        (
            &[
                ("email", "not an email"),
                ("topic", "ebulletin"),
                ("consent", "yes"),
            ],
            "Enter an email address in the correct format",
        ),
        (
            &[("email", "x@example.org"), ("topic", "ebulletin")],
            "Tick the box to agree",
        ),
        (
            &[("email", "x@example.org"), ("consent", "yes")],
            "Choose at least one topic",
        ),
    ];
    for (form, message) in cases {
        let mut f = form.to_vec();
        f.push(("name", "<script>alert(1)</script>"));
        let res = app.post("/subscribe", &f).await;
        res.assert_status(422)
            .assert_contains(message)
            .assert_contains("class=\"field-error\"")
            .assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            .assert_not_contains("<script>alert(1)");
        let email = form[0].1;
        if !email.is_empty() {
            res.assert_contains(&format!("value=\"{email}\""));
        }
    }
    let long = format!("{}@example.org", "a".repeat(300));
    app.post("/subscribe", &signup_form(&long, &[]))
        .await
        .assert_status(422);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM subscribers").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM mail_queue").await, 0);
    // The footer's one-field form opens the full form with the address filled in.
    app.post(
        "/subscribe",
        &[("step", "start"), ("email", "me@example.org")],
    )
    .await
    .assert_status(200)
    .assert_contains("value=\"me@example.org\"")
    .assert_not_contains("class=\"field-error\"");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM subscribers").await, 0);

    // A name carrying a header line stays text: no extra recipient, no new header.
    app.post(
        "/subscribe",
        &signup_form(
            "eve@example.org",
            &[("name", "Eve\r\nBcc: victim@example.net")],
        ),
    )
    .await
    .assert_status(303);
    let name: String =
        sqlx::query_scalar("SELECT name FROM subscribers WHERE email = 'eve@example.org'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(!name.contains(['\r', '\n']), "{name:?}");
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].header("To"), "eve@example.org");
    assert_eq!(mails[0].header("Bcc"), "");
    assert!(!mails[0].raw.contains("\r\nBcc:"));
}

#[tokio::test]
async fn bots_floods_and_expired_links_are_refused() {
    let app = TestApp::new().await;
    // The hidden field filled in, or a form sent back within a second: looks fine, does
    // nothing.
    let now = mmha::db::now().to_string();
    for extra in [
        [("website", "http://spam.example")],
        [("started", now.as_str())],
    ] {
        let res = app
            .post("/subscribe", &signup_form("bot@example.org", &extra))
            .await;
        res.assert_status(303);
    }
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM subscribers").await, 0);

    // Ten sign-ups an hour from one address, then a clear refusal with the form kept.
    for i in 0..10 {
        let email = format!("p{i}@example.org");
        app.post("/subscribe", &signup_form(&email, &[]))
            .await
            .assert_status(303);
    }
    app.post("/subscribe", &signup_form("late@example.org", &[]))
        .await
        .assert_status(429)
        .assert_contains("Too many sign-ups")
        .assert_contains("value=\"late@example.org\"");

    // An expired confirmation link neither shows the button nor confirms.
    let token = outbox(&app).await[0].token_after("/subscribe/confirm/");
    sqlx::query("UPDATE subscriber_tokens SET expires_at = 1")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.get(&format!("/subscribe/confirm/{token}"))
        .await
        .assert_status(410)
        .assert_contains("expired");
    app.post(&format!("/subscribe/confirm/{token}"), &[])
        .await
        .assert_status(410);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM subscribers WHERE status = 'confirmed'"
        )
        .await,
        0
    );
}

/// The Python aiosmtpd server installed by `scripts/setup`, or `None` (skipped with a
/// message) on a laptop that has not run it. In CI it must be there.
fn aiosmtpd() -> Option<std::path::PathBuf> {
    let py = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python");
    if py.exists() {
        return Some(py);
    }
    if std::env::var_os("CI").is_some() {
        panic!("aiosmtpd is not installed: run scripts/setup");
    }
    eprintln!("SKIPPED: SMTP transport test (run scripts/setup to install aiosmtpd)");
    None
}

struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn smtp_delivers_to_a_real_server_and_retries_while_it_is_down() {
    let Some(python) = aiosmtpd() else { return };
    let app = TestApp::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = (*app.state.config).clone();
    config.smtp = Some(mmha::config::Smtp {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: mmha::config::SmtpSecurity::None,
        ca_file: None,
        username: None,
        password: None,
    });
    let transport = mmha::mail::Transport::from_config(&config).unwrap();
    let sender = mmha::mail::Sender::new(&config, "Alliance (demo)");
    let mut tx = app.state.db.begin_write().await.unwrap();
    mmha::mail::enqueue(
        &mut tx,
        &sender,
        &mmha::mail::Outgoing {
            kind: "test",
            to: "reader@example.org".into(),
            subject: "Bwletin y gaeaf".into(),
            text: "Newyddion — winter news".into(),
            html: "<p>Newyddion — winter news</p>".into(),
            unsubscribe_url: Some("http://localhost/subscribe/unsubscribe/abc".into()),
            automatic: false,
            message_id: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Server down: a transient failure, kept for a later attempt.
    let sent = mmha::mail::deliver_due(&app.state.db, &transport, 10)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let (attempts, failed, error): (i64, Option<i64>, String) =
        sqlx::query_as("SELECT attempts, failed_at, last_error FROM mail_queue")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(failed.is_none());
    assert!(!error.is_empty());
    // Not due again yet.
    assert_eq!(
        mmha::mail::deliver_due(&app.state.db, &transport, 10)
            .await
            .unwrap(),
        0
    );

    // Server up; once due, the message goes, once.
    let maildir = app.dir.join("maildir");
    let _server = Child(
        std::process::Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    sqlx::query("UPDATE mail_queue SET next_attempt_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        mmha::mail::deliver_all(&app.state.db, &transport)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        mmha::mail::deliver_all(&app.state.db, &transport)
            .await
            .unwrap(),
        0
    );
    let new: Vec<_> = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(new.len(), 1);
    let got = std::fs::read_to_string(new[0].path()).unwrap();
    for want in [
        "To: reader@example.org",
        "Subject: Bwletin y gaeaf",
        "List-Unsubscribe: <http://localhost/subscribe/unsubscribe/abc>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Message-ID: <",
    ] {
        assert!(got.contains(want), "{want} missing from\n{got}");
    }
    assert!(!got.contains("Auto-Submitted"));
    let (sent_at, message): (Option<i64>, String) =
        sqlx::query_as("SELECT sent_at, message FROM mail_queue")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(sent_at.is_some());
    assert!(message.is_empty(), "a sent message's text is not kept");
}

/// The manage link token `add_subscriber` gives an address: 64 hex characters, the shape
/// the app makes and accepts.
pub(crate) fn manage_token(email: &str) -> String {
    mmha::token::token_hash(&format!("manage:{email}"))
}

/// Adds a subscriber directly (the sign-up flow has its own tests).
pub(crate) async fn add_subscriber(
    app: &TestApp,
    email: &str,
    nation: &str,
    audience: &str,
    lang: &str,
    status: &str,
) {
    let mut tx = app.state.db.begin_write().await.unwrap();
    sqlx::query(
        "INSERT INTO subscribers (email, nation, audience, lang, topics, status, source, \
         manage_token, created_at, confirmed_at) \
         VALUES ($1, $2, $3, $4, 'ebulletin,events', $5, 'test', $6, $7, $7)",
    )
    .bind(email)
    .bind(nation)
    .bind(audience)
    .bind(lang)
    .bind(status)
    .bind(manage_token(email))
    .bind(mmha::db::now() - 86_400)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn newsletter_files(app: &TestApp) -> Vec<Mail> {
    let dir = app.state.config.data_dir.join("outbox");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("newsletter-") && n.ends_with(".eml"))
    });
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let raw = std::fs::read_to_string(p).unwrap();
            let text = decode_qp(&raw);
            Mail { raw, text }
        })
        .collect()
}

async fn send_round(app: &TestApp, limit: i64) -> usize {
    let transport = mmha::mail::Transport::from_config(&app.state.config).unwrap();
    let sender = mmha::mail::Sender::new(&app.state.config, "Alliance (demo)");
    mmha::mail::bulletin::send_due(
        &app.state.db,
        &transport,
        &sender,
        &app.state.config.public_url,
        limit,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_welsh_and_english_newsletter_reaches_its_segment_once_each() {
    let mut app = TestApp::new().await;
    for (email, nation, audience, lang, status) in [
        (
            "cy-pro@example.org",
            "wales",
            "professional",
            "cy",
            "confirmed",
        ),
        (
            "en-pro@example.org",
            "wales",
            "professional",
            "en",
            "confirmed",
        ),
        (
            "late@example.org",
            "wales",
            "professional",
            "en",
            "confirmed",
        ),
        ("parent@example.org", "wales", "parent", "en", "confirmed"),
        (
            "eng-pro@example.org",
            "england",
            "professional",
            "en",
            "confirmed",
        ),
        (
            "pending@example.org",
            "wales",
            "professional",
            "en",
            "pending",
        ),
        (
            "gone@example.org",
            "wales",
            "professional",
            "cy",
            "unsubscribed",
        ),
    ] {
        add_subscriber(&app, email, nation, audience, lang, status).await;
    }
    let editor = app.login_as(mmha::auth::Role::Editor).await;

    // The segment, counted before it is saved.
    app.get("/admin/segments?nation=wales&audience=professional&count=1")
        .await
        .assert_status(200)
        .assert_contains("Matches 3 confirmed subscribers now.");
    let res = app
        .post(
            "/admin/segments",
            &[
                ("name", "Wales, professionals"),
                ("nation", "wales"),
                ("audience", "professional"),
            ],
        )
        .await;
    res.assert_status(303);
    let segment: i64 = sqlx::query_scalar("SELECT id FROM segments")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    app.post("/admin/segments", &[("nation", "wales")])
        .await
        .assert_status(422)
        .assert_contains("Give the segment a name");

    // Compose: a missing subject is refused with the text kept.
    app.post(
        "/admin/bulletin/new",
        &[("subject", ""), ("body", "Kept **text**")],
    )
    .await
    .assert_status(422)
    .assert_contains("Enter a subject")
    .assert_contains("Kept **text**");
    let seg = segment.to_string();
    let form = [
        ("subject", "Winter bulletin"),
        (
            "body",
            "## News\n\nThe map has **new** data. <script>x()</script>",
        ),
        ("subject_cy", "Bwletin y gaeaf"),
        ("body_cy", "## Newyddion\n\nMae gan y map ddata **newydd**."),
        ("segment", seg.as_str()),
        ("in_archive", "1"),
    ];
    let res = app.post("/admin/bulletin/new", &form).await;
    res.assert_status(303);
    let id: i64 = res
        .location()
        .trim_start_matches("/admin/bulletin/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    app.get(&format!("/admin/bulletin/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Wales, professionals (3)");

    // Preview in Welsh: the email's own styles allowed, scripts not; Markdown sanitised.
    let p = app
        .get(&format!("/admin/bulletin/{id}/preview?lang=cy"))
        .await;
    p.assert_status(200)
        .assert_contains("Bwletin y gaeaf")
        .assert_contains("<strong>newydd</strong>");
    assert!(
        p.header("content-security-policy")
            .contains("style-src 'unsafe-inline'")
    );
    assert!(
        p.header("content-security-policy")
            .contains("default-src 'none'")
    );
    app.get(&format!("/admin/bulletin/{id}/preview"))
        .await
        .assert_not_contains("<script>x()");

    // A test goes to the editor in both languages, through the ordinary queue.
    let mut test_form = form.to_vec();
    test_form.push(("test_to", editor.as_str()));
    app.post(&format!("/admin/bulletin/{id}/test"), &test_form)
        .await
        .assert_status(200)
        .assert_contains("Test sent");
    let tests: Vec<Mail> = outbox(&app).await;
    assert_eq!(tests.len(), 2);
    assert!(tests.iter().all(|m| m.header("To") == editor));
    assert!(
        tests
            .iter()
            .any(|m| m.header("Subject").contains("Bwletin y gaeaf"))
    );

    // Send now; a second press changes nothing.
    app.post(&format!("/admin/bulletin/{id}/send"), &form)
        .await
        .assert_status(303);
    app.post(&format!("/admin/bulletin/{id}/send"), &form)
        .await
        .assert_status(409);
    let recipients: i64 = sqlx::query_scalar("SELECT recipients FROM newsletters WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(recipients, 3);

    // Someone unsubscribes after the send started: they are skipped.
    app.post(
        &format!(
            "/subscribe/unsubscribe/{}",
            manage_token("late@example.org")
        ),
        &[],
    )
    .await
    .assert_status(200);

    // Two workers, one message each per round, then the rest.
    assert_eq!(send_round(&app, 1).await, 1);
    assert_eq!(send_round(&app, 1).await, 1);
    // A worker that died in the middle of a message: its row is still 'sending'.
    sqlx::query(
        "UPDATE newsletter_sends SET status = 'sending', locked_until = 1 \
         WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = 'en-pro@example.org')",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    while send_round(&app, 10).await > 0 {}

    let files = newsletter_files(&app);
    let to: Vec<String> = files.iter().map(|m| m.header("To")).collect();
    assert_eq!(files.len(), 2, "one file per recipient: {to:?}");
    let cy = files
        .iter()
        .find(|m| m.header("To") == "cy-pro@example.org")
        .expect("the Welsh reader's copy");
    let en = files
        .iter()
        .find(|m| m.header("To") == "en-pro@example.org")
        .expect("the English reader's copy");
    assert!(cy.header("Subject").contains("Bwletin y gaeaf"));
    assert!(cy.text.contains("Newyddion"));
    assert_eq!(en.header("Subject"), "Winter bulletin");
    for (m, to) in [(cy, "cy-pro@example.org"), (en, "en-pro@example.org")] {
        assert!(
            m.header("List-Unsubscribe")
                .contains(&format!("/subscribe/unsubscribe/{}", manage_token(to)))
        );
        assert_eq!(
            m.header("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click"
        );
        assert!(
            m.header("Message-ID")
                .starts_with(&format!("<newsletter-{id}-"))
        );
        assert!(m.header("Auto-Submitted").is_empty());
    }
    let (status, finished): (String, Option<i64>) =
        sqlx::query_as("SELECT status, finished_at FROM newsletters WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(status, "sent");
    assert!(finished.is_some());
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT) FROM newsletter_sends GROUP BY status ORDER BY status",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(counts, vec![("sent".into(), 2), ("skipped".into(), 1)]);
    app.get(&format!("/admin/bulletin/{id}"))
        .await
        .assert_contains("Progress");

    // The web archive, in each language.
    app.get("/bulletin")
        .await
        .assert_contains("Winter bulletin");
    app.get(&format!("/cy/bulletin/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Bwletin y gaeaf");
    // Drafts are not in the archive.
    app.post(
        "/admin/bulletin/new",
        &[("subject", "Draft only"), ("body", "x")],
    )
    .await
    .assert_status(303);
    app.get("/bulletin").await.assert_not_contains("Draft only");

    // A newsletter to a segment that matches nobody is done at once.
    let res = app
        .post(
            "/admin/segments",
            &[("name", "Nobody"), ("nation", "scotland")],
        )
        .await;
    res.assert_status(303);
    let empty: i64 = sqlx::query_scalar("SELECT id FROM segments WHERE name = 'Nobody'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let empty = empty.to_string();
    let res = app
        .post(
            "/admin/bulletin/new",
            &[
                ("subject", "To nobody"),
                ("body", "x"),
                ("segment", empty.as_str()),
            ],
        )
        .await;
    let nobody = res.location().split('?').next().unwrap().to_string();
    app.post(
        &format!("{nobody}/send"),
        &[
            ("subject", "To nobody"),
            ("body", "x"),
            ("segment", empty.as_str()),
        ],
    )
    .await
    .assert_status(303);
    app.get(&nobody).await.assert_contains("<dd>Sent</dd>");

    // Moderators cannot reach any of it.
    let mut m = app.another_browser();
    m.login_as(mmha::auth::Role::Moderator).await;
    m.get("/admin/bulletin").await.assert_status(403);
    m.get("/admin/subscribers").await.assert_status(403);
}

#[tokio::test]
async fn staff_find_subscribers_by_address_and_filters() {
    let mut app = TestApp::new().await;
    add_subscriber(
        &app,
        "alpha@example.org",
        "wales",
        "parent",
        "cy",
        "confirmed",
    )
    .await;
    add_subscriber(
        &app,
        "beta@example.org",
        "scotland",
        "professional",
        "en",
        "pending",
    )
    .await;
    app.get("/admin/subscribers").await.assert_status(303);
    app.login_as(mmha::auth::Role::Editor).await;
    app.get("/admin/subscribers?q=ALPHA")
        .await
        .assert_status(200)
        .assert_contains("1 subscribers match.")
        .assert_contains("alpha@example.org")
        .assert_not_contains("beta@example.org");
    app.get("/admin/subscribers?status=pending&nation=scotland")
        .await
        .assert_contains("beta@example.org")
        .assert_not_contains("alpha@example.org");
    app.get("/admin/subscribers?q=%25").await.assert_status(200);
    app.get("/admin/bulletin")
        .await
        .assert_contains("Confirmed: 1")
        .assert_contains("Waiting for confirmation: 1");

    // CSV export with the same filters; a name a spreadsheet would run is defused.
    sqlx::query("UPDATE subscribers SET name = '=HYPERLINK(\"http://x\")' WHERE email = 'alpha@example.org'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.get("/admin/subscribers?nation=wales")
        .await
        .assert_contains("/admin/subscribers.csv?nation=wales");
    let csv = app.get("/admin/subscribers.csv?nation=wales").await;
    csv.assert_status(200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(csv.header("cache-control"), "no-store");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[0].starts_with("email,name,nation,audience,language,topics,status"));
    assert!(
        lines[1].starts_with("alpha@example.org,\"'=HYPERLINK("),
        "{}",
        lines[1]
    );
    assert!(!csv.body.contains("beta@example.org"));
    let exports: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND target_kind = 'subscribers'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(exports, 1);
}

/// Kills the real server with SIGKILL in the middle of a newsletter send, starts it again,
/// and checks that every recipient ends up with exactly one copy and nobody is skipped.
#[tokio::test]
async fn a_send_killed_mid_way_resumes_without_skipping_or_repeating_anyone() {
    let app = TestApp::new().await;
    const N: usize = 300;
    let mut tx = app.state.db.begin_write().await.unwrap();
    for i in 0..N {
        sqlx::query(
            "INSERT INTO subscribers (email, lang, topics, status, source, manage_token, created_at, confirmed_at) \
             VALUES ($1, $2, 'ebulletin', 'confirmed', 'test', $3, 1, 1)",
        )
        .bind(format!("reader{i:04}@example.org"))
        .bind(if i % 3 == 0 { "cy" } else { "en" })
        .bind(format!("{i:064x}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let n = mmha::mail::bulletin::Newsletter {
        subject: "Spring bulletin".into(),
        body: "News.".into(),
        subject_cy: "Bwletin y gwanwyn".into(),
        body_cy: "Newyddion.".into(),
        in_archive: 1,
        ..Default::default()
    };
    let editor = app
        .create_user(
            "editor@example.org",
            mmha::auth::Role::Editor,
            "a long test passphrase",
        )
        .await;
    let id = mmha::mail::bulletin::store::save(&app.state.db, &n, editor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        mmha::mail::bulletin::store::start(&app.state.db, id)
            .await
            .unwrap(),
        Some(N as i64)
    );
    // 40 a second: the send takes about eight seconds.
    let config = app.dir.join("mmha.toml");
    std::fs::write(&config, "[mail]\nrate = 40\n").unwrap();
    let spawn = |port: u16| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mmha"))
            .arg("serve")
            .env("MMHA_CONFIG", &config)
            .env("MMHA_DATA_DIR", &app.dir)
            .env("MMHA_DATABASE_URL", &app.database_url)
            .env("MMHA_BIND", format!("127.0.0.1:{port}"))
            .env("MMHA_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let sent = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM newsletter_sends WHERE newsletter_id = $1 AND status = 'sent'",
        )
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
    };
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let mut first = spawn(free_port());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while sent().await < 60 {
        assert!(
            std::time::Instant::now() < deadline,
            "the send did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = sent().await;
    assert!(
        at_kill < N as i64,
        "killed too late to test anything ({at_kill})"
    );

    let mut second = spawn(free_port());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM newsletters WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        if status == "sent" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the send did not finish"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(sent().await, N as i64);
    let files = newsletter_files(&app);
    let mut to: Vec<String> = files.iter().map(|m| m.header("To")).collect();
    assert_eq!(to.len(), N, "one copy per recipient");
    to.sort();
    to.dedup();
    assert_eq!(to.len(), N, "nobody twice");
    let welsh = files
        .iter()
        .filter(|m| m.text.contains("Bwletin y gwanwyn"))
        .count();
    assert_eq!(welsh, N.div_ceil(3));
}

#[tokio::test]
async fn one_persons_data_is_exported_and_erased_leaving_only_a_hash() {
    let mut app = TestApp::new().await;
    app.post("/subscribe", &signup_form("Person@Example.org", &[]))
        .await
        .assert_status(303);
    let token = outbox(&app).await[0].token_after("/subscribe/confirm/");
    app.post(&format!("/subscribe/confirm/{token}"), &[])
        .await
        .assert_status(200);
    add_subscriber(
        &app,
        "other@example.org",
        "wales",
        "parent",
        "en",
        "confirmed",
    )
    .await;

    // Editors cannot; admins can.
    let mut editor = app.another_browser();
    editor.login_as(mmha::auth::Role::Editor).await;
    editor
        .get("/admin/subscribers/person?email=person@example.org")
        .await
        .assert_status(403);
    app.login_as(mmha::auth::Role::Admin).await;
    let page = app
        .get("/admin/subscribers/person?email=PERSON@example.org")
        .await;
    page.assert_status(200)
        .assert_contains("person@example.org")
        .assert_contains("&#34;action&#34;: &#34;confirm&#34;");
    let json = app
        .get("/admin/subscribers/person?email=person@example.org&format=json")
        .await;
    json.assert_status(200);
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["email"], "person@example.org");
    assert_eq!(v["mailing_list"]["status"], "confirmed");
    assert_eq!(v["mailing_list"]["consents"].as_array().unwrap().len(), 2);

    // Erasing needs the box ticked.
    app.post(
        "/admin/subscribers/person",
        &[("email", "person@example.org")],
    )
    .await
    .assert_status(422)
    .assert_contains("Tick the box");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM subscribers").await, 2);
    app.post(
        "/admin/subscribers/person",
        &[("email", "person@example.org"), ("confirm", "yes")],
    )
    .await
    .assert_status(200)
    .assert_contains("Erased.");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM subscribers").await, 1);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM subscriber_consents").await,
        0
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM subscriber_tokens").await,
        0
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_queue WHERE LOWER(to_addr) = 'person@example.org'"
        )
        .await,
        0
    );
    let reason: String =
        sqlx::query_scalar("SELECT reason FROM mail_suppressions WHERE email_hash = $1")
            .bind(mmha::mail::list::email_hash("person@example.org"))
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(reason, "erased");
    // The audit log says what happened, not whose address it was.
    let summaries: Vec<String> = sqlx::query_scalar(
        "SELECT summary FROM audit_log WHERE action IN ('data_export', 'data_erase')",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(summaries.len(), 3, "two views and one erasure");
    assert!(
        summaries
            .iter()
            .all(|s| !s.to_lowercase().contains("person@"))
    );
    app.get("/admin/subscribers/person?email=person@example.org")
        .await
        .assert_contains("Nothing is held about this address.");
}

#[tokio::test]
async fn a_scheduled_newsletter_starts_when_its_time_comes() {
    let mut app = TestApp::new().await;
    add_subscriber(
        &app,
        "reader@example.org",
        "wales",
        "parent",
        "en",
        "confirmed",
    )
    .await;
    app.login_as(mmha::auth::Role::Editor).await;
    let res = app
        .post(
            "/admin/bulletin/new",
            &[("subject", "Later"), ("body", "Soon.")],
        )
        .await;
    let page = res.location().split('?').next().unwrap().to_string();
    // A time in the past, or not a time, is refused with the draft kept.
    for bad in ["2020-01-01T09:00", "next week"] {
        app.post(
            &format!("{page}/schedule"),
            &[
                ("subject", "Later"),
                ("body", "Soon."),
                ("schedule_at", bad),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("Enter a date and time in the future")
        .assert_contains("Soon.");
    }
    app.post(
        &format!("{page}/schedule"),
        &[
            ("subject", "Later"),
            ("body", "Soon."),
            ("schedule_at", "2099-07-01T09:30"),
        ],
    )
    .await
    .assert_status(303);
    app.get(&page)
        .await
        .assert_contains("Scheduled to send at 2099-07-01 09:30 (UK time).");
    // Taken off the schedule it is a draft again; scheduled once more it waits as before.
    app.post(
        &format!("{page}/unschedule"),
        &[("subject", "Later"), ("body", "Soon.")],
    )
    .await
    .assert_status(303);
    app.get(&page)
        .await
        .assert_not_contains("Scheduled to send at");
    app.post(
        &format!("{page}/schedule"),
        &[
            ("subject", "Later"),
            ("body", "Soon."),
            ("schedule_at", "2099-07-01T09:30"),
        ],
    )
    .await
    .assert_status(303);
    // Not yet due: nothing starts.
    assert_eq!(
        mmha::mail::bulletin::store::start_scheduled(&app.state.db)
            .await
            .unwrap(),
        0
    );
    // Its time comes.
    sqlx::query("UPDATE newsletters SET scheduled_at = 1")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        mmha::mail::bulletin::store::start_scheduled(&app.state.db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        mmha::mail::bulletin::store::start_scheduled(&app.state.db)
            .await
            .unwrap(),
        0,
        "started once"
    );
    while send_round(&app, 10).await > 0 {}
    let files = newsletter_files(&app);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].header("Subject"), "Later");
}

#[tokio::test]
async fn a_send_stopped_part_way_sends_nobody_else() {
    let mut app = TestApp::new().await;
    for i in 0..5 {
        add_subscriber(
            &app,
            &format!("reader{i}@example.org"),
            "wales",
            "parent",
            "en",
            "confirmed",
        )
        .await;
    }
    app.login_as(mmha::auth::Role::Editor).await;
    let res = app
        .post(
            "/admin/bulletin/new",
            &[("subject", "Wrong date inside"), ("body", "Oops.")],
        )
        .await;
    let page = res.location().split('?').next().unwrap().to_string();
    app.post(
        &format!("{page}/send"),
        &[("subject", "Wrong date inside"), ("body", "Oops.")],
    )
    .await
    .assert_status(303);
    assert_eq!(send_round(&app, 2).await, 2);
    app.get(&page)
        .await
        .assert_contains("Stop sending")
        .assert_contains("Sending");
    app.post(&format!("{page}/cancel"), &[])
        .await
        .assert_status(303);
    // Nobody else gets it, however long the workers run.
    while send_round(&app, 10).await > 0 {}
    assert_eq!(newsletter_files(&app).len(), 2);
    app.get(&page)
        .await
        .assert_contains("Cancelled")
        .assert_contains("Not sent (stopped)</dt><dd>3</dd>")
        .assert_not_contains("Stop sending");
    // Stopped issues are not in the public archive.
    app.get("/bulletin")
        .await
        .assert_not_contains("Wrong date inside");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'cancel_send'"
        )
        .await,
        1
    );
}

/// Makes every queued message due now and delivers them; returns how many were sent.
async fn deliver_due_now(app: &TestApp, transport: &mmha::mail::Transport) -> usize {
    sqlx::query("UPDATE mail_queue SET next_attempt_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    mmha::mail::deliver_all(&app.state.db, transport)
        .await
        .unwrap()
}

/// A running `tests/smtp_server.py`: its port and Maildir; stopped when dropped.
struct SmtpServer {
    port: u16,
    maildir: std::path::PathBuf,
    _child: Child,
}

impl SmtpServer {
    /// Starts the server in `dir`, with STARTTLS required when `tls` gives (cert, key).
    async fn start(
        python: &std::path::Path,
        dir: &std::path::Path,
        tls: Option<(&std::path::Path, &std::path::Path)>,
    ) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = dir.join(format!("maildir-{port}"));
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
        let mut cmd = std::process::Command::new(python);
        cmd.arg(script).arg(port.to_string()).arg(&maildir);
        if let Some((cert, key)) = tls {
            cmd.arg(cert).arg(key);
        }
        let child = Child(
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        SmtpServer {
            port,
            maildir,
            _child: child,
        }
    }

    fn config(&self, security: mmha::config::SmtpSecurity) -> mmha::config::Smtp {
        mmha::config::Smtp {
            host: "127.0.0.1".into(),
            port: Some(self.port),
            security,
            ca_file: None,
            username: None,
            password: None,
        }
    }

    /// Every message it has stored (one per delivery).
    fn received(&self) -> Vec<String> {
        match std::fs::read_dir(self.maildir.join("new")) {
            Ok(dir) => dir
                .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// Queues a short message to `to` through the app's own queue.
async fn queue_to(app: &TestApp, sender: &mmha::mail::Sender, to: &str) {
    let mut tx = app.state.db.begin_write().await.unwrap();
    mmha::mail::enqueue(
        &mut tx,
        sender,
        &mmha::mail::Outgoing {
            kind: "test",
            to: to.into(),
            subject: "Confirm your subscription".into(),
            text: "Please confirm.".into(),
            html: "<p>Please confirm.</p>".into(),
            unsubscribe_url: None,
            automatic: true,
            message_id: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_permanent_refusal_fails_that_message_and_the_next_one_goes() {
    let Some(python) = aiosmtpd() else { return };
    let app = TestApp::new().await;
    let server = SmtpServer::start(&python, &app.dir, None).await;
    let mut config = (*app.state.config).clone();
    config.smtp = Some(server.config(mmha::config::SmtpSecurity::None));
    let transport = mmha::mail::Transport::from_config(&config).unwrap();
    let sender = mmha::mail::Sender::new(&config, "Alliance (demo)");
    queue_to(&app, &sender, "reject-me@example.org").await;
    queue_to(&app, &sender, "reader@example.org").await;

    assert_eq!(
        mmha::mail::deliver_all(&app.state.db, &transport)
            .await
            .unwrap(),
        1
    );
    type Row = (String, i64, Option<i64>, Option<i64>, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT to_addr, attempts, sent_at, failed_at, last_error FROM mail_queue ORDER BY id",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let (to, attempts, sent, failed, error) = &rows[0];
    assert_eq!(to, "reject-me@example.org");
    assert_eq!(*attempts, 1, "a 5xx is not tried again");
    assert!(sent.is_none() && failed.is_some(), "marked failed");
    assert!(error.contains("550"), "{error}");
    let (to, _, sent, failed, _) = &rows[1];
    assert_eq!(to, "reader@example.org");
    assert!(sent.is_some() && failed.is_none(), "the next message went");
    // Nothing is left to try.
    assert_eq!(deliver_due_now(&app, &transport).await, 0);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("To: reader@example.org"));
}

/// Runs `openssl` with `args` in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs (scripts/setup installs it)");
    assert!(status.success(), "openssl {args:?}");
}

#[tokio::test]
async fn starttls_to_a_relay_whose_certificate_a_private_authority_signed() {
    let Some(python) = aiosmtpd() else { return };
    let app = TestApp::new().await;
    let dir = app.dir.join("tls");
    std::fs::create_dir_all(&dir).unwrap();
    // A private certificate authority, and a certificate it signed for 127.0.0.1.
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    let mut ca = vec![
        "req",
        "-x509",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=mmha test CA",
    ];
    ca.extend(ec);
    ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
    openssl(&dir, &ca);
    let mut csr = vec!["req", "-nodes", "-subj", "/CN=127.0.0.1"];
    csr.extend(ec);
    csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(&dir, &csr);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
    let server = SmtpServer::start(
        &python,
        &app.dir,
        Some((&dir.join("server.pem"), &dir.join("server.key"))),
    )
    .await;
    let mut config = (*app.state.config).clone();
    let sender = mmha::mail::Sender::new(&config, "Alliance (demo)");
    queue_to(&app, &sender, "reader@example.org").await;

    // Not trusted without the authority: nothing is sent, and it is kept to try again.
    config.smtp = Some(server.config(mmha::config::SmtpSecurity::Starttls));
    let untrusted = mmha::mail::Transport::from_config(&config).unwrap();
    assert_eq!(
        mmha::mail::deliver_all(&app.state.db, &untrusted)
            .await
            .unwrap(),
        0
    );
    let (failed, error): (Option<i64>, String) =
        sqlx::query_as("SELECT failed_at, last_error FROM mail_queue")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(failed.is_none(), "kept for another try");
    assert!(!error.is_empty());
    assert!(server.received().is_empty());

    // Trusted through `[smtp] ca_file`: sent over TLS (the server refuses mail without it).
    let mut smtp = server.config(mmha::config::SmtpSecurity::Starttls);
    smtp.ca_file = Some(dir.join("ca.pem"));
    config.smtp = Some(smtp);
    let trusted = mmha::mail::Transport::from_config(&config).unwrap();
    assert_eq!(deliver_due_now(&app, &trusted).await, 1);
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("To: reader@example.org"));

    // Plain SMTP to the same server is refused: the test above really used TLS.
    queue_to(&app, &sender, "second@example.org").await;
    config.smtp = Some(server.config(mmha::config::SmtpSecurity::None));
    let plain = mmha::mail::Transport::from_config(&config).unwrap();
    assert_eq!(
        mmha::mail::deliver_all(&app.state.db, &plain)
            .await
            .unwrap(),
        0
    );
    // A file that holds no certificate stops the program at start, with its name.
    std::fs::write(dir.join("empty.pem"), "not a certificate\n").unwrap();
    let mut smtp = server.config(mmha::config::SmtpSecurity::Starttls);
    smtp.ca_file = Some(dir.join("empty.pem"));
    config.smtp = Some(smtp);
    let err = mmha::mail::Transport::from_config(&config)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("empty.pem"), "{err}");
}

#[tokio::test]
async fn two_workers_on_one_queue_send_each_message_once() {
    let Some(python) = aiosmtpd() else { return };
    let app = TestApp::new().await;
    let other = app.second_instance().await;
    let server = SmtpServer::start(&python, &app.dir, None).await;
    let mut config = (*app.state.config).clone();
    config.smtp = Some(server.config(mmha::config::SmtpSecurity::None));
    let sender = mmha::mail::Sender::new(&config, "Alliance (demo)");
    for i in 0..40 {
        queue_to(&app, &sender, &format!("reader{i}@example.org")).await;
    }
    // Two instances, each with its own connection, taking a few messages at a time.
    let worker = |db: mmha::db::Db| {
        let transport = mmha::mail::Transport::from_config(&config).unwrap();
        async move {
            let mut sent = 0;
            loop {
                let n = mmha::mail::deliver_due(&db, &transport, 3).await.unwrap();
                if n == 0 {
                    return sent;
                }
                sent += n;
            }
        }
    };
    let (a, b) = tokio::join!(worker(app.state.db.clone()), worker(other.state.db.clone()));
    assert_eq!(a + b, 40, "sent {a} + {b}");
    let got = server.received();
    assert_eq!(got.len(), 40, "one delivery per message");
    let mut to: Vec<&str> = got
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("To: ")))
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 40, "each address once");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mail_queue WHERE sent_at IS NOT NULL AND attempts = 1"
        )
        .await,
        40
    );
}
