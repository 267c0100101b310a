//! The public frame: help first, Exit this page, languages, errors, headers, caching.

use std::sync::atomic::Ordering;

use crate::harness::TestApp;

/// Every public page type carries Get help now, Exit this page (button, skip link and the
/// script for Shift ×3), the language switch and the disclaimer.
#[tokio::test]
async fn every_public_page_has_help_and_exit() {
    let app = TestApp::new().await;
    let slug: String = sqlx::query_scalar("SELECT slug FROM campaigns ORDER BY id LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let campaign_pages: Vec<String> = ["", "/activities", "/calendar", "/map", "/survey"]
        .iter()
        .map(|p| format!("/campaigns/{slug}{p}"))
        .collect();
    let fixed = [
        "/",
        "/help",
        "/news",
        "/news/awareness-week-how-to-take-part",
        "/news/tag/maps",
        "/about",
        "/impact",
        "/resources",
        "/search?q=help",
        "/contact",
        "/contact?type=media",
        "/contact/sent",
        "/stories",
        "/stories/new",
        "/members",
        "/members/apply",
        "/members/apply/sent",
        "/supporters",
        "/supporters/join",
        "/champions",
        "/subscribe",
        "/bulletin",
        "/campaigns",
        "/activities/1",
        "/activities/new",
        "/no-such-page",
    ];
    let paths = fixed.iter().map(|p| p.to_string()).chain(campaign_pages);
    for path in paths {
        let path = path.as_str();
        let res = app.get(path).await;
        assert!(
            res.status.as_u16() == 200 || path == "/no-such-page",
            "{path}: {}",
            res.status
        );
        assert!(
            res.headers.get("set-cookie").is_none(),
            "{path} sets a cookie for an anonymous visitor"
        );
        res.assert_contains("class=\"get-help\">")
            .assert_contains("Get help now</a>")
            .assert_contains("class=\"exit-button\"")
            .assert_contains("class=\"skip-link\" data-exit")
            .assert_contains("/assets/exit.")
            .assert_contains("Information, not medical advice.")
            .assert_contains("hreflang=\"cy\"")
            .assert_contains("<html lang=\"en\">");
    }
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::new().await;
    for path in ["/", "/admin/login", "/no-such-page", "/healthz"] {
        let res = app.get(path).await;
        let csp = res.header("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(res.header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(res.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(res.header("x-frame-options"), "DENY", "{path}");
        assert!(!res.header("permissions-policy").is_empty(), "{path}");
    }
}

/// No page may load anything from another origin: every src/href for a resource the page
/// loads (scripts, styles, images, icons) is a path on this site.
#[tokio::test]
async fn no_third_party_requests() {
    let app = TestApp::new().await;
    for path in ["/", "/help", "/news", "/about", "/impact", "/resources"] {
        let res = app.get(path).await;
        for attr in [
            "src=\"",
            "<link rel=\"stylesheet\" href=\"",
            "<link rel=\"icon\" href=\"",
        ] {
            for part in res.body.split(attr).skip(1) {
                assert!(
                    part.starts_with('/'),
                    "{path}: {attr}{}",
                    &part[..part.len().min(60)]
                );
            }
        }
        assert!(!res.body.contains("<iframe"), "{path}");
        assert!(!res.body.contains("<script>"), "{path}: inline script");
        assert!(!res.body.contains(" style=\""), "{path}: inline style");
    }
}

#[tokio::test]
async fn help_page_lists_helplines_emergency_first_and_flags_unverified() {
    let app = TestApp::new().await;
    let res = app.get("/help").await;
    res.assert_status(200)
        .assert_contains("href=\"tel:999\"")
        .assert_contains("href=\"tel:116123\"")
        .assert_contains("Text SHOUT to 85258")
        .assert_contains("href=\"sms:85258?&#38;body=SHOUT\"")
        .assert_contains("href=\"mailto:jo@samaritans.org\"")
        .assert_contains("We have not confirmed this number yet")
        // Every nation's own urgent line, under its name, for a visitor we cannot place.
        .assert_contains("<span class=\"calls-nation\">Northern Ireland</span>")
        .assert_not_contains("incl.")
        .assert_not_contains("triage");
    let emergency = res.body.find("In an emergency").unwrap();
    let urgent = res.body.find("Urgent help, day or night").unwrap();
    let support = res.body.find("Support and information").unwrap();
    assert!(emergency < urgent && urgent < support);
    assert!(res.body.find("tel:999").unwrap() < urgent);
    // Sensitive: never kept by the browser.
    assert_eq!(res.header("cache-control"), "no-store");
}

/// The help page is served from memory, so it still answers when the database is gone.
#[tokio::test]
async fn help_page_survives_database_outage() {
    let app = TestApp::new().await;
    app.state.db.pool.close().await;
    app.state.cache.clear(i64::MAX - 1);
    let res = app.get("/help").await;
    res.assert_status(200).assert_contains("tel:116123");
    // Still alive for the load balancer (it serves help and cached pages), not ready.
    let res = app.get("/healthz").await;
    res.assert_status(200);
    assert_eq!(res.body, "ok; database unavailable");
    app.get("/readyz").await.assert_status(503);
    // A page that needs the database says so kindly, with the help link, and no stack trace.
    let res = app.get("/news").await;
    res.assert_status(503)
        .assert_contains("Get help now")
        .assert_not_contains("sqlx")
        .assert_not_contains("pool");
}

#[tokio::test]
async fn friendly_not_found() {
    let app = TestApp::new().await;
    let res = app.get("/this/does/not/exist").await;
    res.assert_status(404)
        .assert_contains("Page not found")
        .assert_contains("href=\"/help\"");
    assert_eq!(res.header("cache-control"), "no-store");
    // A bad path parameter is a 404 or 400 page, never a 500.
    let res = app.get("/admin/pages/not-a-number").await;
    assert!(
        res.status.is_client_error() || res.status.is_redirection(),
        "{}",
        res.status
    );
}

#[tokio::test]
async fn api_errors_are_json() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/nothing-here").await;
    res.assert_status(404);
    assert!(res.header("content-type").starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["code"], "not_found");
    assert!(v["error"].as_str().unwrap().contains("could not find"));
}

#[tokio::test]
async fn welsh_switch_keeps_the_page() {
    let mut app = TestApp::new().await;
    let res = app.get("/lang/cy?next=/news%3Fpage%3D1").await;
    res.assert_status(303);
    assert_eq!(res.location(), "/cy/news?page=1");
    let cookie = res.header("set-cookie").to_string();
    assert!(cookie.starts_with("lang=cy;"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    app.cookie = Some("lang=cy".into());
    let res = app.get("/cy/news").await;
    res.assert_status(200)
        .assert_contains("<html lang=\"cy\">")
        .assert_contains("Gadael y dudalen hon")
        .assert_contains("Cael help nawr")
        .assert_contains("Gwybodaeth, nid cyngor meddygol.")
        .assert_contains("hreflang=\"en\">English</a>");
    // A page with no Welsh text is shown in English, marked as English, with a notice.
    let res = app.get("/cy/news/new-maps-of-specialist-services").await;
    res.assert_contains("<article class=\"prose\" lang=\"en\">")
        .assert_contains("ar gael yn Gymraeg eto, felly");
    // A page with a Welsh title shows it.
    app.get("/cy/about").await.assert_contains("Am y gynghrair");
    // The address decides the language: the remembered choice only takes `/` to `/cy/`.
    app.get("/news")
        .await
        .assert_status(200)
        .assert_contains("<html lang=\"en\">");
    let home = app.get("/").await;
    home.assert_status(303);
    assert_eq!(home.location(), "/cy/");
    assert!(home.header("vary").contains("Cookie"));
    app.get("/cy/").await.assert_status(200);
    app.cookie = None;
    app.get("/").await.assert_status(200);
    // Unknown languages and off-site targets are refused.
    app.get("/lang/fr?next=/").await.assert_status(404);
    let res = app.get("/lang/en?next=//evil.example/x").await;
    assert_eq!(res.location(), "/");
    let res = app.get("/lang/en?next=https://evil.example/").await;
    assert_eq!(res.location(), "/");
}

#[tokio::test]
async fn exit_this_page_ends_session_and_leaves() {
    let mut app = TestApp::new().await;
    app.login_as(mmha::auth::Role::Editor).await;
    app.get("/admin").await.assert_status(200);
    let res = app.get("/exit").await;
    res.assert_status(303);
    assert_eq!(res.location(), "https://www.bbc.co.uk/weather");
    assert!(res.header("clear-site-data").contains("\"cookies\""));
    assert!(res.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(res.header("cache-control"), "no-store");
    // The server-side session is gone even if the browser kept the cookie.
    let res = app.get("/admin").await;
    res.assert_status(303);
    assert!(res.location().starts_with("/admin/login"));

    // The beacon the script sends.
    app.login_as_again().await;
    let res = app.post("/exit", &[]).await;
    res.assert_status(204);
    app.get("/admin").await.assert_status(303);
}

impl TestApp {
    async fn login_as_again(&mut self) {
        let res = self
            .login("editor@example.org", "correct horse battery staple")
            .await;
        res.assert_status(303);
    }
}

#[tokio::test]
async fn pages_are_precompressed_and_revalidate() {
    let app = TestApp::new().await;
    let plain = app.get("/").await;
    plain.assert_status(200);
    assert_eq!(plain.header("content-encoding"), "");
    let br = app.get_with("/", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(br.header("content-encoding"), "br");
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &br.bytes[..], &mut out).unwrap();
    assert_eq!(out, plain.bytes);
    let gz = app.get_with("/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert!(gz.bytes.len() < plain.bytes.len() / 2);
    assert!(br.header("vary").contains("Accept-Encoding"));
    let etag = plain.header("etag").to_string();
    assert!(etag.starts_with('"'));
    let again = app.get_with("/", &[("if-none-match", &etag)]).await;
    again.assert_status(304);
    assert!(again.bytes.is_empty());
}

#[tokio::test]
async fn static_assets_are_hashed_and_immutable() {
    let app = TestApp::new().await;
    let home = app.get("/").await;
    let css = home.body.split("href=\"/assets/site.").nth(1).unwrap();
    let url = format!("/assets/site.{}", &css[..css.find('"').unwrap()]);
    let res = app.get(&url).await;
    res.assert_status(200);
    assert!(res.header("content-type").starts_with("text/css"));
    assert!(res.header("cache-control").contains("immutable"));
    app.get("/assets/site.0000000000.css")
        .await
        .assert_status(404);
    app.get("/assets/..%2F..%2FCargo.toml")
        .await
        .assert_status(404);
    let theme = home.body.split("href=\"/theme/").nth(1).unwrap();
    let theme_url = format!("/theme/{}", &theme[..theme.find('"').unwrap()]);
    let res = app.get(&theme_url).await;
    res.assert_contains("--brand: #5a2d82");
    assert!(res.header("cache-control").contains("immutable"));
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    let res = app.get("/healthz").await;
    res.assert_status(200);
    assert_eq!(res.body, "ok");
    app.get("/readyz").await.assert_status(200);
}

#[tokio::test]
async fn rss_feed_is_valid_rss() {
    let app = TestApp::new().await;
    let res = app.get("/news.rss").await;
    res.assert_status(200);
    assert!(
        res.header("content-type")
            .starts_with("application/rss+xml")
    );
    assert!(
        res.body
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    );
    res.assert_contains("<rss version=\"2.0\"")
        .assert_contains("<link>http://127.0.0.1:8080/news/awareness-week-how-to-take-part</link>")
        .assert_contains("<pubDate>");
    assert_eq!(res.body.matches("<item>").count(), 4);
    // Every element opened is closed (a cheap well-formedness check on our template).
    for tag in ["channel", "item", "title", "link", "guid", "description"] {
        assert_eq!(
            res.body.matches(&format!("<{tag}>")).count()
                + res.body.matches(&format!("<{tag} ")).count(),
            res.body.matches(&format!("</{tag}>")).count(),
            "{tag}"
        );
    }
}

#[tokio::test]
async fn home_page_shape() {
    let app = TestApp::new().await;
    let res = app.get("/").await;
    res.assert_status(200)
        .assert_contains("All women across the UK")
        .assert_contains("Need help now?")
        // One tap to a person: 999 and Samaritans as call buttons, texts as sms: links.
        .assert_contains("<a class=\"call call-emergency\" href=\"tel:999\">")
        .assert_contains("<a class=\"call\" href=\"tel:116123\">")
        .assert_contains("href=\"sms:85258?&#38;body=SHOUT\"")
        // The demo's home picture, sized for phones, labelled.
        .assert_contains("-480.jpg 480w")
        .assert_contains("Demo picture")
        // The next campaign, featured by itself, and the staff's own featured box.
        .assert_contains("Maternal Mental Health Awareness Week 20")
        .assert_contains("Is there specialist help where you live? (demo)")
        .assert_contains("Get involved")
        .assert_contains("Media enquiries")
        .assert_contains("Membership enquiries")
        .assert_contains("Other enquiries")
        .assert_contains("Latest news");
    // Demo content is labelled as such.
    res.assert_contains("class=\"demo-tag\">Demo</span>");
}

#[tokio::test]
async fn impact_page_from_data() {
    let app = TestApp::new().await;
    let res = app.get("/impact").await;
    res.assert_status(200)
        // Headline funding is the demo tracker's total for each nation: England's two
        // items add up to £65m, and the chart and table show the same amounts.
        .assert_contains("<span class=\"figure-value\">£65m</span>")
        .assert_contains("<title>2019, England: £40,000,000</title>")
        .assert_contains("<title>2023, England: £25,000,000</title>")
        .assert_not_contains("£365m")
        .assert_contains("Investment won")
        .assert_contains("Northern Ireland")
        .assert_contains("These figures are demo content");
}

#[tokio::test]
async fn empty_database_without_demo_still_has_helplines() {
    let app = TestApp::with_demo(false).await;
    app.get("/help")
        .await
        .assert_status(200)
        .assert_contains("tel:116123");
    app.get("/about").await.assert_status(404);
    app.get("/news")
        .await
        .assert_status(200)
        .assert_contains("There is no news here yet.");
}

#[tokio::test]
async fn search_finds_published_content_with_highlights() {
    let app = TestApp::new().await;
    let res = app.get("/search?q=coffee+morn").await;
    res.assert_status(200)
        .assert_contains("Maternal Mental Health Awareness Week: how to take part")
        .assert_contains("<mark>");
    let res = app
        .get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    res.assert_status(200)
        .assert_not_contains("<script>alert(1)</script>");
    // FTS query syntax in the visitor's words is treated as words.
    app.get("/search?q=%22unbalanced+OR+NEAR(")
        .await
        .assert_status(200);
    assert_eq!(
        app.get("/search?q=help").await.header("cache-control"),
        "no-store"
    );
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_clear_4xx() {
    let app = TestApp::new().await;
    let big = "x".repeat(300 * 1024);
    let res = app
        .post("/admin/login", &[("email", &big), ("password", "x")])
        .await;
    res.assert_status(413).assert_contains("too large");
    let res = app
        .send(
            axum::http::Request::post("/admin/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(axum::body::Body::from(vec![0xff, 0xfe, b'=', 0x80]))
                .unwrap(),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
}

/// The suite runs on the backend it was asked for (so a PostgreSQL run cannot silently
/// test SQLite).
#[tokio::test]
async fn runs_on_the_requested_backend() {
    let app = TestApp::new().await;
    // What the pass asked for: `scripts/test` says so for each of its two passes; run by
    // hand, the harness's own variable decides.
    let want = match std::env::var("MMHA_TEST_EXPECT_BACKEND").as_deref() {
        Ok("postgres") => "postgres",
        Ok("sqlite") => "sqlite",
        Ok(other) => panic!("MMHA_TEST_EXPECT_BACKEND={other}: say sqlite or postgres"),
        Err(_) if crate::harness::pg_base_url().is_some() => "postgres",
        Err(_) => "sqlite",
    };
    // What the database the app is connected to says it is, not what the config claims.
    let pool = &app.state.db.pool;
    let got = if sqlx::query_scalar::<_, String>("SELECT sqlite_version()")
        .fetch_one(pool)
        .await
        .is_ok()
    {
        "sqlite"
    } else {
        let version: String = sqlx::query_scalar("SELECT version()")
            .fetch_one(pool)
            .await
            .expect("either SQLite or PostgreSQL");
        assert!(version.starts_with("PostgreSQL"), "{version}");
        "postgres"
    };
    assert_eq!(got, want, "this pass ran on the wrong database");
    let backend = match got {
        "sqlite" => mmha::db::Backend::Sqlite,
        _ => mmha::db::Backend::Postgres,
    };
    assert_eq!(app.state.db.backend, backend);
}

#[tokio::test]
async fn error_pages_speak_welsh_too() {
    let app = TestApp::new().await;
    let res = app.get("/cy/dim-tudalen").await;
    res.assert_status(404)
        .assert_contains("<html lang=\"cy\">")
        .assert_contains("Heb ddod o hyd i&#39;r dudalen")
        .assert_contains("Efallai ei bod wedi symud");
}

/// English text on a Welsh page is marked as English for screen readers.
#[tokio::test]
async fn english_parts_of_welsh_pages_are_marked() {
    let mut app = TestApp::new().await;
    let home = app.get("/cy/").await;
    // The alliance's name and the footer text (settings with no Welsh) are marked too.
    home.assert_contains("<span class=\"logo-name\" lang=\"en\">")
        .assert_contains("<p class=\"footer-text\" lang=\"en\">");
    home.assert_contains("<p class=\"lead\" lang=\"en\">All women across the UK")
        .assert_contains("aria-labelledby=\"home-featured\" lang=\"en\"");
    app.get("/cy/help")
        .await
        // A helpline's English name is marked; its Welsh text is not.
        .assert_contains("<h3><span lang=\"en\">Mind</span>")
        .assert_contains("<h3><span>Gwasanaethau brys</span>")
        .assert_contains("<span class=\"call-note\">Ar agor 24 awr y dydd, bob dydd");
    // In English nothing is marked.
    app.cookie = None;
    app.get("/")
        .await
        .assert_not_contains("lang=\"en\">All women");
}

/// Under overload, non-essential pages are shed at once with 503 and Retry-After, on a
/// page that still carries the helplines; help, the finder and Exit this page still answer.
#[tokio::test]
async fn under_overload_help_still_answers_and_the_rest_is_shed() {
    let first = TestApp::new().await;
    // A limit of 0 sheds every non-essential request, as during a surge.
    let app = first.instance_with(|c| c.max_in_flight = 0).await;
    for path in [
        "/",
        "/news",
        "/cy/news",
        "/map",
        "/campaigns",
        "/stories/new",
        "/api/oruk/services",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status.as_u16(), 503, "{path}");
        assert_eq!(res.header("retry-after"), "5", "{path}");
        if path.starts_with("/cy/") {
            res.assert_contains("<html lang=\"cy\">")
                .assert_contains("class=\"exit-button\"")
                .assert_contains("999");
        } else if !path.starts_with("/api/") {
            res.assert_contains("very busy")
                .assert_contains("class=\"exit-button\"")
                .assert_contains("999");
        }
    }
    for path in [
        "/help",
        "/support",
        "/support?postcode=CF10+3NQ",
        "/api/v1/support?postcode=CF10+3NQ",
        "/cy/help",
        "/cy/support",
        "/cy/support?postcode=CF10+3NQ",
        "/cy/api/v1/support?postcode=CF10+3NQ",
        "/healthz",
    ] {
        assert_eq!(app.get(path).await.status.as_u16(), 200, "{path}");
    }
    let exit = app.get("/exit").await;
    assert!(exit.status.is_redirection(), "Exit this page still works");
    // A form someone filled in is never turned away for load.
    let sent = app
        .post(
            "/contact",
            &[
                ("type", "media"),
                ("name", "Sam Reporter"),
                ("email", "sam@news.example"),
                ("outlet", "Evening News"),
                ("message", "Could someone talk to us about the map?"),
            ],
        )
        .await;
    sent.assert_status(303);
    // The normal limit serves everything.
    assert_eq!(first.get("/news").await.status.as_u16(), 200);
}

/// When the CPU falls behind (requests wait longer than `shed_latency_ms` for a turn),
/// non-essential pages are shed until it catches up; help answers throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_cpu_is_behind_pages_are_shed_but_help_answers() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    let first = TestApp::new().await;
    let app = first.instance_with(|c| c.shed_latency_ms = 5).await;
    app.get("/contact?type=media").await.assert_status(200);
    // CPU-bound work that hogs both runtime threads, 30 ms at a stretch, as a surge of
    // renders would: every other task (the probe included) waits for a turn.
    let hogging = Arc::new(AtomicBool::new(true));
    let mut hogs = Vec::new();
    for _ in 0..3 {
        let hogging = hogging.clone();
        hogs.push(tokio::spawn(async move {
            while hogging.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(30));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut shed = None;
    let until = std::time::Instant::now() + Duration::from_secs(15);
    while std::time::Instant::now() < until {
        let res = app.get("/contact?type=media").await;
        if res.status.as_u16() == 503 {
            shed = Some(res);
            break;
        }
        res.assert_status(200);
    }
    let shed = shed.expect("pages are shed while the CPU is behind");
    assert_eq!(shed.header("retry-after"), "5");
    shed.assert_contains("very busy").assert_contains("999");
    // Help still answers, and forms sent still go through.
    app.get("/help").await.assert_status(200);
    app.get("/support?postcode=CF10+3NQ")
        .await
        .assert_status(200);
    hogging.store(false, Ordering::SeqCst);
    for h in hogs {
        h.await.unwrap();
    }
    // Once it has caught up (a probe on time; allow for a busy test machine), pages are
    // served again by themselves.
    let mut served = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if app.get("/contact?type=media").await.status.as_u16() == 200 {
            served = true;
            break;
        }
    }
    assert!(served, "pages are served again once the CPU has caught up");
    // The first instance has no probe (the harness's configuration) and served all along.
    assert_eq!(first.get("/contact?type=media").await.status.as_u16(), 200);
}

/// With the database gone, pages already in the cache are still served as they were, and
/// the rest get the error page with the helplines.
#[tokio::test]
async fn cached_pages_answer_through_a_database_outage() {
    let app = TestApp::new().await;
    let paths = ["/", "/news", "/map", "/campaigns", "/impact"];
    let mut before = Vec::new();
    for p in paths {
        let res = app.get(p).await;
        res.assert_status(200);
        before.push(res.body);
    }
    app.state.db.pool.close().await;
    for (p, body) in paths.iter().zip(before) {
        let res = app.get(p).await;
        res.assert_status(200);
        assert_eq!(res.body, body, "{p} served from the cache");
    }
    app.get("/stories")
        .await
        .assert_status(503)
        .assert_contains("Get help now")
        .assert_not_contains("sqlx");
}

/// On PostgreSQL, connections cut by the server (a restart, a failover) are replaced by
/// themselves: after a request or two answered kindly, pages work again.
#[tokio::test]
async fn the_app_recovers_when_postgresql_drops_its_connections() {
    let first = TestApp::new().await;
    if !first.database_url.starts_with("postgres") {
        eprintln!("SQLite: no server to drop connections; covered on the PostgreSQL run");
        return;
    }
    let url = format!("{}&application_name=mmha_outage_test", first.database_url);
    let app = first.instance_with(|c| c.database_url = url.clone()).await;
    app.get("/stories").await.assert_status(200);
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(crate::harness::pg_base_url().as_deref().unwrap())
        .await
        .unwrap();
    let cut: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'mmha_outage_test') t",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(cut >= 1, "connections were cut");
    admin.close().await;
    let mut ok = false;
    for _ in 0..10 {
        let res = app.get("/stories").await;
        if res.status.as_u16() == 200 {
            ok = true;
            break;
        }
        assert!(
            res.status.as_u16() == 503,
            "a kind 503 meanwhile, not {}",
            res.status
        );
        res.assert_contains("Get help now")
            .assert_not_contains("sqlx");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(ok, "pages work again without a restart");
}
