//! The OWASP top risks tried against the running router: reflected and stored XSS in every
//! public form field and query parameter, SQL injection strings, path traversal in static
//! and upload routes, open redirects, CSRF from a foreign origin, session fixation,
//! clickjacking headers, user enumeration, and a rate limit on every public POST.

use crate::harness::TestApp;
use crate::mailing::scalar;
use mmha::auth::Role;

/// Payloads a browser would run if echoed unescaped.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
];
/// What must never appear in a response after sending those: markup that runs, and a
/// script address where a browser would follow or load it.
const XSS_MARKERS: &[&str] = &[
    "<script>alert(1)",
    "<img src=x onerror",
    "<svg onload",
    "href=\"javascript:",
    "src=\"javascript:",
    "action=\"javascript:",
];

const SQL: &[&str] = &[
    "' OR '1'='1",
    "1; DROP TABLE pages; --",
    "\" OR 1=1 --",
    "') UNION SELECT password_hash FROM users --",
];

fn assert_safe(path: &str, res: &crate::harness::Res) {
    assert!(
        res.status.as_u16() < 500,
        "{path}: {} (server error)",
        res.status
    );
    for m in XSS_MARKERS {
        assert!(!res.body.contains(m), "{path} echoed {m} unescaped");
    }
    for leak in ["syntax error", "SQLSTATE", "sqlx", "near \"", "panicked"] {
        assert!(!res.body.contains(leak), "{path} leaked {leak}");
    }
}

/// Every public page that reads its query string, with its parameters.
const QUERIES: &[(&str, &[&str])] = &[
    ("/support", &["postcode", "place", "lat", "lon"]),
    ("/search", &["q", "page"]),
    ("/news", &["page"]),
    ("/map", &["year", "compare"]),
    ("/contact", &["type"]),
    ("/members", &["nation", "kind"]),
    (
        "/campaigns/awareness-week-2027/activities",
        &["day", "nation", "area", "kind", "page"],
    ),
    ("/activities/new", &["campaign"]),
    ("/campaigns/awareness-week-2027/survey", &["role"]),
    ("/events.ics", &["campaign", "activity"]),
    ("/api/activities", &["updated_since", "campaign"]),
    ("/api/v1/lookup", &["postcode"]),
    ("/api/v1/support", &["postcode"]),
    (
        "/api/oruk/services",
        &["text", "postcode", "page", "per_page", "taxonomy_term_id"],
    ),
    ("/admin/login", &["next"]),
    ("/subscribe", &["email"]),
];

#[tokio::test]
async fn reflected_xss_and_sql_injection_in_query_parameters() {
    let app = TestApp::new().await;
    let slug: String = sqlx::query_scalar("SELECT slug FROM campaigns ORDER BY id LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let pages_before = scalar(&app, "SELECT COUNT(*) FROM pages").await;
    for (path, params) in QUERIES {
        let path = path.replace("awareness-week-2027", &slug);
        for p in *params {
            for payload in XSS.iter().chain(SQL) {
                let url = format!("{path}?{p}={}", mmha::web::url_encode(payload));
                let res = app.get(&url).await;
                assert_safe(&url, &res);
            }
        }
    }
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM pages").await,
        pages_before
    );
}

/// Each public form with a valid set of fields, so a payload in any one field is stored
/// if the rest pass.
fn forms(slug: &str, day: &str) -> Vec<(String, Vec<(&'static str, String)>)> {
    let s = |v: &str| v.to_string();
    vec![
        (
            "/contact?type=other".into(),
            vec![
                ("type", s("other")),
                ("name", s("Sam")),
                ("email", s("sam@example.org")),
                ("subject", s("Hello")),
                ("message", s("A question about the map.")),
            ],
        ),
        (
            "/stories/new".into(),
            vec![
                ("title", s("My story")),
                ("body", s("It got better with help from the team.")),
                ("scope", s("named")),
                ("consent", s("yes")),
                ("first_name", s("Sam")),
                ("town", s("Bangor")),
            ],
        ),
        (
            "/members/apply".into(),
            vec![
                ("name", s("Example Peer Support")),
                ("kind", s("charity")),
                ("nation", s("wales")),
                ("website", s("https://peer.example.org")),
                ("profile", s("Peer support for parents.")),
                ("contact_name", s("Sam")),
                ("contact_email", s("apply@example.org")),
                ("reason", s("To work together.")),
                ("principles", s("yes")),
            ],
        ),
        (
            "/supporters/join".into(),
            vec![
                ("kind", s("individual")),
                ("name", s("Sam Jones")),
                ("email", s("supporter@example.org")),
                ("town", s("Bangor")),
                ("show_name", s("first")),
            ],
        ),
        (
            "/activities/new".into(),
            vec![
                ("campaign", s(slug)),
                ("title", s("Coffee morning")),
                ("organiser", s("Group")),
                ("kind", s("online")),
                ("description", s("Tea and a chat.")),
                ("date_1", s(day)),
                ("start_1", s("10:00")),
                ("end_1", s("11:00")),
                ("contact_email", s("organiser@example.org")),
            ],
        ),
    ]
}

/// True when the payload sent in field `name` is on the page as text (escaped by the
/// templates as numeric references, or by the Markdown renderer as named ones).
fn escaped(body: &str, name: &str) -> bool {
    body.contains(&format!("&#60;img src=x onerror=alert(1)&#62;{name}"))
        || body.contains(&format!("&lt;img src=x onerror=alert(1)&gt;{name}"))
}

/// Form fields whose value is checked against a list, so they cannot carry text.
fn is_choice(name: &str) -> bool {
    matches!(
        name,
        "kind"
            | "type"
            | "scope"
            | "consent"
            | "principles"
            | "campaign"
            | "show_name"
            | "nation"
            | "role"
            | "audience"
            | "topic"
            | "quote_ok"
    ) || name.starts_with("date_")
        || name.starts_with("start_")
        || name.starts_with("end_")
}

/// Fields that must hold an address: a payload there makes the form come back.
fn is_address(name: &str) -> bool {
    matches!(name, "email" | "contact_email" | "website")
}

/// The table a public form writes to, and the staff page that lists it.
fn stored_in(path: &str) -> (&'static str, &'static str) {
    match path.split('?').next().unwrap() {
        "/contact" => ("enquiries", "/admin/enquiries"),
        "/stories/new" => ("stories", "/admin/stories"),
        "/members/apply" => ("members", "/admin/members"),
        "/supporters/join" => ("roster", "/admin/roster?list=supporter"),
        "/activities/new" => ("activities", "/admin/activities"),
        other => panic!("no table for {other}"),
    }
}

#[tokio::test]
async fn stored_xss_in_every_public_form_field_is_shown_as_text() {
    let first = TestApp::new().await;
    // Each submission from its own address, so no rate limit stops one being stored.
    let mut app = first.instance_with(|c| c.trust_proxy = true).await;
    let (slug, day): (String, String) =
        sqlx::query_as("SELECT slug, starts_on FROM campaigns ORDER BY id LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    // (table, row id, field) of every payload stored.
    let mut stored: Vec<(&str, i64, &str)> = Vec::new();
    let mut n = 0;
    for (path, fields) in forms(&slug, &day) {
        let (table, _) = stored_in(&path);
        for (i, (name, _)) in fields.iter().enumerate() {
            if is_choice(name) {
                continue;
            }
            n += 1;
            // A payload that says which field it went into.
            let payload = format!("\"><img src=x onerror=alert(1)>{name}");
            let mut form: Vec<(&str, String)> = fields.clone();
            for (k, v) in form.iter_mut() {
                // A new address each time: a second sign-up from one address adds no row.
                if is_address(k) && v.contains('@') {
                    *v = format!("n{n}-{v}");
                }
            }
            form[i].1 = format!("{} {payload}", form[i].1);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let ip = format!("203.0.113.{n}");
            let before = scalar(&app, &format!("SELECT COUNT(*) FROM {table}")).await;
            let res = app
                .post_with(
                    &path,
                    &pairs,
                    &[("sec-fetch-site", "same-origin"), ("x-forwarded-for", &ip)],
                )
                .await;
            assert_safe(&format!("{path} [{name}]"), &res);
            let after = scalar(&app, &format!("SELECT COUNT(*) FROM {table}")).await;
            if after == before + 1 {
                // Stored ("sent"), as it would be for a person who wrote that.
                assert!(res.status.as_u16() < 400, "{path} [{name}]: {}", res.status);
                assert!(!is_address(name), "{path} [{name}] stored a bad address");
                let id = scalar(&app, &format!("SELECT MAX(id) FROM {table}")).await;
                stored.push((table, id, name));
            } else {
                // Refused (an address, or a field that takes no markup): nothing stored,
                // and the value comes back to be corrected, shown as text.
                assert_eq!(res.status.as_u16(), 422, "{path} [{name}]");
                assert_eq!(after, before, "{path} [{name}]");
                assert!(escaped(&res.body, name), "{path} [{name}] not kept");
            }
        }
    }
    assert!(stored.len() >= 12, "only {} payloads stored", stored.len());
    // Whatever was stored shows escaped to staff: on the list (every row, for the roster,
    // which has no page per entry) and on each item's own page.
    app.login_as(Role::Admin).await;
    for (_, list) in [
        "/contact",
        "/stories/new",
        "/members/apply",
        "/supporters/join",
        "/activities/new",
    ]
    .map(stored_in)
    {
        assert_safe(list, &app.get(list).await);
    }
    for (table, id, name) in stored {
        let (_, list) = stored_in(match table {
            "enquiries" => "/contact",
            "stories" => "/stories/new",
            "members" => "/members/apply",
            "roster" => "/supporters/join",
            _ => "/activities/new",
        });
        let page = if table == "roster" {
            list.to_string()
        } else {
            format!("{list}/{id}")
        };
        let res = app.get(&page).await;
        assert_safe(&page, &res);
        assert!(
            escaped(&res.body, name),
            "{table} [{name}] is not shown (escaped) on {page}"
        );
    }
}

#[tokio::test]
async fn path_traversal_in_static_and_upload_routes_is_refused() {
    let app = TestApp::new().await;
    for path in [
        "/assets/..%2f..%2fCargo.toml",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/assets/site.css/../../Cargo.toml",
        "/images/..%2f..%2fmmha.sqlite3",
        "/images/../../etc/passwd",
        "/files/..%2f..%2fmmha.sqlite3",
        "/uploads/../mmha.sqlite3",
        "/theme/..%2fCargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let res = app.get(path).await;
        // The theme route serves the one theme stylesheet whatever the name asked for.
        let theme =
            path.starts_with("/theme/") && res.header("content-type").starts_with("text/css");
        assert!(
            matches!(res.status.as_u16(), 400 | 404) || theme,
            "{path}: {}",
            res.status
        );
        assert!(
            !res.body.contains("root:x:0:0"),
            "{path} served /etc/passwd"
        );
        assert!(!res.body.contains("[package]"), "{path} served Cargo.toml");
        assert!(
            !res.body.starts_with("SQLite format"),
            "{path} served the database"
        );
    }
}

#[tokio::test]
async fn no_open_redirects() {
    let mut app = TestApp::new().await;
    app.create_user("staff@example.org", Role::Editor, "correct horse battery")
        .await;
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let res = app
            .post(
                &format!("/admin/login?next={}", mmha::web::url_encode(next)),
                &[
                    ("email", "staff@example.org"),
                    ("password", "correct horse battery"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status.as_u16(), 303, "{next}");
        let to = res.location();
        assert!(
            to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\"),
            "{next} → {to}"
        );
        app.cookie = None;
    }
    // Exit this page goes only to the neutral site set by staff, never to a parameter.
    let res = app
        .get("/exit?to=https://evil.example/&next=https://evil.example/")
        .await;
    assert!(!res.location().contains("evil.example"));
    // The exit destination is refused as a script address, and only for that: the rest of
    // the settings form is sent as the page stands, and a web address in its place saves.
    app.login_as(Role::Admin).await;
    let form = app.get("/admin/settings").await;
    let values = crate::harness::form_values(&form.body, "/admin/settings");
    let with_exit = |exit: &str| -> Vec<(String, String)> {
        let mut v = values.clone();
        let field = v
            .iter_mut()
            .find(|(k, _)| k == "exit_url")
            .expect("exit_url");
        field.1 = exit.to_string();
        v
    };
    let app = &app;
    let post = |v: Vec<(String, String)>| async move {
        let pairs: Vec<(&str, &str)> = v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post("/admin/settings", &pairs).await
    };
    let res = post(with_exit("javascript:alert(1)")).await;
    assert_eq!(res.status.as_u16(), 422, "refused");
    res.assert_contains("Enter a full web address");
    assert!(!res.body.contains("href=\"javascript:"));
    assert_ne!(
        app.state.snapshot().site.get("exit_url"),
        "javascript:alert(1)",
        "a script address is not accepted as the exit target"
    );
    post(with_exit("https://www.example.org/weather"))
        .await
        .assert_status(303);
    assert_eq!(
        app.state.snapshot().site.get("exit_url"),
        "https://www.example.org/weather"
    );
}

#[tokio::test]
async fn cross_site_posts_to_public_forms_are_refused() {
    let app = TestApp::new().await;
    for path in [
        "/contact",
        "/stories/new",
        "/members/apply",
        "/supporters/join",
        "/activities/new",
        "/subscribe",
        "/admin/login",
    ] {
        let res = app
            .post_with(
                path,
                &[("email", "x@example.org")],
                &[("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(res.status.as_u16(), 403, "{path}");
        let res = app
            .post_with(
                path,
                &[("email", "x@example.org")],
                &[("origin", "https://evil.example")],
            )
            .await;
        assert_eq!(res.status.as_u16(), 403, "{path} with a foreign Origin");
    }
}

#[tokio::test]
async fn a_session_id_set_before_login_is_never_used() {
    let mut app = TestApp::new().await;
    app.create_user("staff@example.org", Role::Editor, "correct horse battery")
        .await;
    // An attacker plants a session cookie; logging in must not adopt it.
    app.cookie = Some("mmha_session=attacker-chosen-value".into());
    let res = app
        .post(
            "/admin/login",
            &[
                ("email", "staff@example.org"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    let set = res.header("set-cookie");
    assert!(set.starts_with("mmha_session="), "{set}");
    assert!(!set.contains("attacker-chosen-value"));
    assert!(set.contains("HttpOnly") && set.contains("SameSite="));
    let mut attacker = app.another_browser();
    attacker.cookie = Some("mmha_session=attacker-chosen-value".into());
    assert_eq!(attacker.get("/admin").await.status.as_u16(), 303);
}

#[tokio::test]
async fn pages_cannot_be_framed() {
    let app = TestApp::new().await;
    for path in [
        "/",
        "/support",
        "/admin/login",
        "/stories/new",
        "/campaigns",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.header("x-frame-options"), "DENY", "{path}");
        assert!(
            res.header("content-security-policy")
                .contains("frame-ancestors 'none'")
        );
    }
}

#[tokio::test]
async fn login_and_sign_up_do_not_reveal_who_has_an_account() {
    let app = TestApp::new().await;
    app.create_user("staff@example.org", Role::Editor, "correct horse battery")
        .await;
    let known = app
        .post(
            "/admin/login",
            &[("email", "staff@example.org"), ("password", "wrong one")],
        )
        .await;
    let unknown = app
        .post(
            "/admin/login",
            &[("email", "nobody@example.org"), ("password", "wrong one")],
        )
        .await;
    assert_eq!(known.status, unknown.status);
    let strip = |b: &str| {
        b.replace("staff@example.org", "")
            .replace("nobody@example.org", "")
    };
    assert_eq!(strip(&known.body), strip(&unknown.body));
    // Joining the supporters list twice reads the same as the first time.
    let join = |email: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/supporters/join",
                &[
                    ("kind", "individual"),
                    ("name", "Sam"),
                    ("email", email),
                    ("show_name", "first"),
                ],
            )
            .await
        }
    };
    let first = join("someone@example.org").await;
    let again = join("someone@example.org").await;
    assert_eq!(first.status, again.status);
    assert_eq!(first.body, again.body);
}

/// Every public form with valid fields: [`forms`], the sign-up form and the survey of a
/// finished campaign (added here).
async fn all_public_forms(app: &TestApp) -> Vec<(String, Vec<(&'static str, String)>)> {
    let (slug, day): (String, String) =
        sqlx::query_as("SELECT slug, starts_on FROM campaigns ORDER BY id LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let mut all = forms(&slug, &day);
    all.push((
        "/subscribe".into(),
        vec![
            ("email", "reader@example.org".into()),
            ("name", "Sam".into()),
            ("nation", "wales".into()),
            ("audience", "parent".into()),
            ("topic", "ebulletin".into()),
            ("consent", "yes".into()),
        ],
    ));
    // A finished campaign, whose survey is open.
    sqlx::query(
        "INSERT INTO campaigns (slug, name, starts_on, ends_on, published, created_at, updated_at) \
         VALUES ('past-week', 'Past week', '2025-05-05', '2025-05-11', 1, 0, 0)",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    all.push((
        "/campaigns/past-week/survey".into(),
        vec![
            ("role", "participant".into()),
            ("worked", "The walk by the river".into()),
        ],
    ));
    all
}

/// The text a person typed into a form (every field that is not a choice from a list).
fn typed<'a>(fields: &'a [(&'static str, String)]) -> impl Iterator<Item = &'a str> {
    fields
        .iter()
        .filter(|(k, v)| !is_choice(k) && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn every_public_post_is_rate_limited() {
    let first = TestApp::new().await;
    let app = first.instance_with(|c| c.trust_proxy = true).await;
    let all = all_public_forms(&app).await;
    for (i, (path, fields)) in all.iter().enumerate() {
        // Each form from its own address, so one limit does not hide another.
        let ip = format!("198.51.100.{}", i + 1);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut limited = false;
        for _ in 0..15 {
            let res = app
                .post_with(
                    path,
                    &pairs,
                    &[
                        ("sec-fetch-site", "same-origin"),
                        ("x-forwarded-for", ip.as_str()),
                    ],
                )
                .await;
            if res.status.as_u16() == 429 {
                limited = true;
                // Everything the person typed is kept even then, whole.
                for value in typed(fields) {
                    assert!(res.body.contains(value), "{path}: {value:?} not kept");
                }
                break;
            }
            assert!(
                res.status.is_success() || res.status.as_u16() == 303,
                "{path}: {} before the limit",
                res.status
            );
        }
        assert!(limited, "{path} has no rate limit within 15 posts");
    }
}

/// A form sent without the time it was served (as a bot that skips the fill-time check
/// does) or with one that cannot be read is not taken for a person's: it comes back with
/// everything typed, a fresh time and a request to send it again, and nothing is stored.
#[tokio::test]
async fn a_form_without_the_time_it_was_served_comes_back_to_be_sent_again() {
    let app = TestApp::new().await;
    let all = all_public_forms(&app).await;
    let tables = [
        "enquiries",
        "stories",
        "members",
        "roster",
        "activities",
        "subscribers",
        "campaign_survey",
        "mail_queue",
        "rate_events",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(scalar(&app, &format!("SELECT COUNT(*) FROM {t}")).await);
    }
    for (path, fields) in &all {
        for started in [None, Some(""), Some("soon"), Some("0")] {
            let mut pairs: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if let Some(t) = started {
                pairs.push(("started", t));
            }
            let res = app.post_exact(path, &pairs).await;
            assert_eq!(res.status.as_u16(), 422, "{path} with started {started:?}");
            res.assert_contains("We could not send this yet");
            for value in typed(fields) {
                assert!(res.body.contains(value), "{path}: {value:?} not kept");
            }
            let fresh: i64 = crate::harness::hidden(&res.body, "started")
                .parse()
                .unwrap();
            assert!((mmha::db::now() - fresh).abs() < 60, "{path}: a fresh time");
        }
    }
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(
            scalar(&app, &format!("SELECT COUNT(*) FROM {t}")).await,
            n,
            "{t}: something was kept"
        );
    }
    // Someone who writes that they are not safe gets crisis help on that answer too.
    app.post_exact(
        "/contact",
        &[
            ("type", "other"),
            ("name", "Jo"),
            ("email", "jo@example.org"),
            ("subject", "Please read"),
            (
                "message",
                "I have been saving my tablets and I want to end my life.",
            ),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Help is here, right now")
    .assert_contains("href=\"tel:999\"")
    .assert_contains("We could not send this yet");
    // Sent again as the page now stands (two minutes later), it goes through.
    let form = app.get("/contact?type=other").await;
    assert!(form.body.contains("name=\"started\""));
    app.post(
        "/contact",
        &[
            ("type", "other"),
            ("name", "Jo"),
            ("email", "jo@example.org"),
            ("subject", "A question"),
            ("message", "When is the next meeting?"),
        ],
    )
    .await
    .assert_status(303);
}
