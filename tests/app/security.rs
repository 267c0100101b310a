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
/// What must never appear in a response after sending those.
const XSS_MARKERS: &[&str] = &["<script>alert(1)", "<img src=x onerror", "<svg onload"];

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
                ("scope", s("anonymous")),
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

#[tokio::test]
async fn stored_xss_in_every_public_form_field_is_shown_as_text() {
    let mut app = TestApp::new().await;
    let (slug, first): (String, String) =
        sqlx::query_as("SELECT slug, starts_on FROM campaigns ORDER BY id LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let payload = XSS[1];
    for (path, fields) in forms(&slug, &first) {
        for (i, (name, _)) in fields.iter().enumerate() {
            // Fields whose value is checked against a list cannot carry text.
            if matches!(
                *name,
                "kind"
                    | "type"
                    | "scope"
                    | "consent"
                    | "principles"
                    | "campaign"
                    | "show_name"
                    | "nation"
            ) || name.starts_with("date_")
                || name.starts_with("start_")
                || name.starts_with("end_")
            {
                continue;
            }
            let mut form: Vec<(&str, String)> = fields.clone();
            form[i].1 = format!("{} {payload}", form[i].1);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.post(&path, &pairs).await;
            assert_safe(&format!("{path} [{name}]"), &res);
        }
    }
    // Whatever was stored shows escaped to staff.
    app.login_as(Role::Admin).await;
    for page in [
        "/admin/enquiries",
        "/admin/stories",
        "/admin/members",
        "/admin/roster",
        "/admin/activities",
    ] {
        let list = app.get(page).await;
        assert_safe(page, &list);
        let links: Vec<String> = list
            .body
            .split(&format!("href=\"{page}/"))
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(|id| format!("{page}/{id}"))
            .filter(|l| !l.contains('?'))
            .take(10)
            .collect();
        for l in links {
            let res = app.get(&l).await;
            assert_safe(&l, &res);
        }
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
    app.login_as(Role::Admin).await;
    let res = app
        .post(
            "/admin/settings",
            &[("exit_url", "javascript:alert(1)"), ("name", "Alliance")],
        )
        .await;
    assert!(!res.body.contains("href=\"javascript:"));
    assert_ne!(
        app.state.snapshot().site.get("exit_url"),
        "javascript:alert(1)",
        "a script address is not accepted as the exit target"
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

#[tokio::test]
async fn every_public_post_is_rate_limited() {
    let first = TestApp::new().await;
    let app = first.instance_with(|c| c.trust_proxy = true).await;
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
            ("worked", "The walk".into()),
        ],
    ));
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
                // The person's input is kept even then.
                assert!(
                    res.body
                        .contains(pairs[pairs.len() - 1].1.split(' ').next().unwrap())
                        || path.contains("subscribe")
                );
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
