//! Analytics without cookies: views and visitors counted on the server, opt-outs and bots
//! left out, small counts hidden, and no address stored anywhere; the impact page built
//! from the tracker.

use crate::harness::TestApp;
use crate::mailing::scalar;
use mmha::auth::Role;

const BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const IP: &str = "203.0.113.77";

/// Every value in every table (and, on SQLite, the full-text index's own tables), read as
/// text, for looking for something that must not be stored. A table or column that cannot
/// be read fails the test instead of being skipped.
async fn all_text(app: &TestApp) -> Vec<(String, String)> {
    let pool = &app.state.db.pool;
    let pg = app.database_url.starts_with("postgres");
    let tables: Vec<String> = if pg {
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    } else {
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .unwrap()
    };
    assert!(tables.len() > 20, "found the tables: {tables:?}");
    assert!(
        tables
            .iter()
            .any(|t| t == "search_docs" || t == "search_fts_content"),
        "the search index is read too: {tables:?}"
    );
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = if pg {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(&t)
            .fetch_all(pool)
            .await
            .unwrap()
        } else {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(&t)
                .fetch_all(pool)
                .await
                .unwrap()
        };
        assert!(!columns.is_empty(), "{t}: no columns read");
        for col in columns {
            let values: Vec<String> = if pg {
                // Every PostgreSQL type has a text form (tsvector included).
                sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST(\"{col}\" AS TEXT) FROM \"{t}\""
                )))
                .fetch_all(pool)
                .await
                .unwrap_or_else(|e| panic!("{t}.{col} could not be read: {e}"))
                .into_iter()
                .flatten()
                .collect()
            } else {
                // As bytes, so binary index pages are read (lossily) too.
                sqlx::query_scalar::<_, Option<Vec<u8>>>(sqlx::AssertSqlSafe(format!(
                    "SELECT CAST(\"{col}\" AS BLOB) FROM \"{t}\""
                )))
                .fetch_all(pool)
                .await
                .unwrap_or_else(|e| panic!("{t}.{col} could not be read: {e}"))
                .into_iter()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .collect()
            };
            out.extend(values.into_iter().map(|v| (format!("{t}.{col}"), v)));
        }
    }
    out
}

fn sha256_hex(s: &str) -> String {
    mmha::token::token_hash(s)
}

#[tokio::test]
async fn views_are_counted_without_cookies_and_no_address_is_stored() {
    let first = TestApp::new().await;
    // Behind a proxy, so the address comes from X-Forwarded-For.
    let app = first.instance_with(|c| c.trust_proxy = true).await;
    let (slug, name): (String, String) =
        sqlx::query_as("SELECT slug, name FROM campaigns ORDER BY id LIMIT 1")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let campaign = format!("/campaigns/{slug}");
    let browse = |path: String, extra: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let mut h: Vec<(&str, &str)> = vec![("user-agent", BROWSER), ("x-forwarded-for", IP)];
            h.extend_from_slice(extra);
            let res = app.get_with(&path, &h).await;
            assert!(
                res.headers.get("set-cookie").is_none(),
                "{path} set a cookie for an anonymous visitor"
            );
            res
        }
    };
    // One visitor: the home page twice, the campaign once, from a search engine.
    browse(
        "/".into(),
        &[("referer", "https://www.google.com/search?q=perinatal")],
    )
    .await;
    browse("/".into(), &[]).await;
    browse(campaign.clone(), &[]).await;
    browse("/activities/1".into(), &[]).await;
    for path in [
        "/map",
        "/support?postcode=LL57+2PW",
        "/impact",
        "/campaigns",
        "/news",
        "/help",
    ] {
        browse(path.into(), &[]).await;
    }
    // Not counted: Do Not Track, Global Privacy Control, a bot, a staff page.
    browse("/".into(), &[("dnt", "1")]).await;
    browse("/".into(), &[("sec-gpc", "1")]).await;
    app.get_with(
        "/",
        &[(
            "user-agent",
            "Googlebot/2.1 (+http://www.google.com/bot.html)",
        )],
    )
    .await;
    // Forms that rate-limit by address, and a failed login, from the same address.
    app.post_with(
        "/subscribe",
        &[
            ("email", "reader@example.org"),
            ("name", "Sam"),
            ("nation", "wales"),
            ("audience", "parent"),
            ("topic", "ebulletin"),
            ("consent", "yes"),
        ],
        &[("sec-fetch-site", "same-origin"), ("x-forwarded-for", IP)],
    )
    .await;
    app.post_with(
        "/admin/login",
        &[
            ("email", "nobody@example.org"),
            ("password", "wrong password here"),
        ],
        &[("sec-fetch-site", "same-origin"), ("x-forwarded-for", IP)],
    )
    .await;
    app.state.analytics.flush(&app.state.db).await.unwrap();

    assert_eq!(
        scalar(&app, "SELECT views FROM page_views WHERE path = '/'").await,
        2,
        "two views of the home page; opt-outs and the bot not counted"
    );
    assert_eq!(
        scalar(&app, "SELECT visitors FROM page_views WHERE path = '/'").await,
        1
    );
    assert_eq!(
        scalar(&app, "SELECT visitors FROM page_views WHERE path = ''").await,
        1
    );
    assert_eq!(
        scalar(&app, "SELECT views FROM page_views WHERE path = '/support'").await,
        1,
        "the finder counted by path only"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT views FROM page_referrers WHERE domain = 'google.com'"
        )
        .await,
        1
    );

    // Nowhere in the database: the address, in clear or as an unkeyed hash, nor the user
    // agent, nor the postcode searched.
    let forbidden = [
        IP.to_string(),
        BROWSER.to_string(),
        "LL57 2PW".to_string(),
        "LL57+2PW".to_string(),
        "LL572PW".to_string(),
        sha256_hex(IP),
        sha256_hex(&format!("ip:{IP}")),
        sha256_hex(&format!("subscribe:{IP}")),
        sha256_hex(&format!("login:{IP}")),
    ];
    let values = all_text(&app).await;
    assert!(values.len() > 100, "read the database's text");
    for (column, v) in &values {
        let v = v.to_lowercase();
        for f in &forbidden {
            assert!(!v.contains(&f.to_lowercase()), "{column} holds {f}");
        }
    }
    // The rate limit and the login throttle still work from keyed hashes.
    assert!(scalar(&app, "SELECT COUNT(*) FROM rate_events").await >= 1);
    assert!(scalar(&app, "SELECT COUNT(*) FROM login_failures").await >= 2);

    // The dashboard: small counts hidden.
    let mut staff = app.another_browser();
    staff.login_as(Role::Editor).await;
    let page = staff.get("/admin/analytics?days=7").await;
    page.assert_status(200)
        .assert_contains("Most viewed pages")
        .assert_contains("fewer than 5")
        .assert_contains("google.com")
        .assert_not_contains("<td>2</td>");
    // With a threshold of 1 the numbers show.
    let open = app
        .instance_with(|c| {
            c.trust_proxy = true;
            c.analytics_min_count = 1;
        })
        .await;
    let mut staff = open.another_browser();
    staff.login_as(Role::Admin).await;
    staff
        .get("/admin/analytics?days=30")
        .await
        .assert_contains(&format!(
            "<a href=\"/admin/analytics?days=30&#38;path=/campaigns/{slug}\">{campaign}</a></th><td>1</td>"
        ));
    // One page's days.
    staff
        .get("/admin/analytics?days=30&path=%2F")
        .await
        .assert_contains("Views per day of /")
        .assert_contains("<td>2</td><td>1</td>");
    let csv = staff.get("/admin/analytics.csv?days=30").await;
    csv.assert_status(200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with("section,item,views,visitors\n"));
    assert!(csv.body.contains("page,/,2,1\n"), "{}", csv.body);
    assert!(csv.body.contains("referrer,google.com,1,\n"));
    // The campaign's reach counts its page and its activities' pages.
    assert!(
        csv.body.contains(&format!("campaign,{name},2,2\n")),
        "{}",
        csv.body
    );
    // Staff browsing the public site are not counted; moderators cannot see analytics.
    let before = scalar(&open, "SELECT views FROM page_views WHERE path = '/'").await;
    staff.get_with("/", &[("user-agent", BROWSER)]).await;
    open.state.analytics.flush(&open.state.db).await.unwrap();
    assert_eq!(
        scalar(&open, "SELECT views FROM page_views WHERE path = '/'").await,
        before
    );
    let mut m = open.another_browser();
    m.login_as(Role::Moderator).await;
    m.get("/admin/analytics").await.assert_status(403);
}

/// The impact page's charts and tables come from the tracker's records; bad input is
/// explained and kept.
#[tokio::test]
async fn the_impact_page_is_built_from_the_tracker() {
    let mut app = TestApp::with_demo(false).await;
    app.login_as(Role::Editor).await;
    app.post(
        "/admin/impact/asks/new",
        &[
            ("title", "A specialist team in every area"),
            ("sort_order", "1"),
        ],
    )
    .await
    .assert_status(303);
    let ask = scalar(&app, "SELECT id FROM impact_asks").await.to_string();
    app.post(
        "/admin/impact/items/new",
        &[
            ("kind", "funding"),
            ("title", ""),
            ("happened_on", "someday"),
            ("amount", "lots"),
            ("url", "ftp://x"),
            ("nation", "wales"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Enter a title")
    .assert_contains("Enter a date like")
    .assert_contains("Enter an amount in whole pounds")
    .assert_contains("full web address")
    .assert_contains("value=\"lots\"");
    for (title, day, nation, amount) in [
        (
            "Welsh Government perinatal funding",
            "2024-04-01",
            "wales",
            "£2,500,000",
        ),
        ("Community teams", "2024-06-01", "england", "10000000"),
        ("More community teams", "2025-06-01", "england", "5,000,000"),
    ] {
        app.post(
            "/admin/impact/items/new",
            &[
                ("kind", "funding"),
                ("title", title),
                ("happened_on", day),
                ("amount", amount),
                ("nation", nation),
                ("ask_id", &ask),
            ],
        )
        .await
        .assert_status(303);
    }
    app.post(
        "/admin/impact/items/new",
        &[
            ("kind", "evidence"),
            ("title", "Maternal mental health in numbers"),
            ("happened_on", "2025-01-15"),
            ("source", ""),
            ("ask_id", &ask),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Say where the evidence comes from");
    // An outcome linked to an area shows that area's score change from the map.
    for (year, level) in [(2023, 1), (2024, 3)] {
        sqlx::query(
            "INSERT INTO area_scores (area_code, year, level, updated_by, updated_at) \
             VALUES ('W11000029', $1, $2, 'test', 0)",
        )
        .bind(year as i64)
        .bind(level as i64)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    }
    app.post(
        "/admin/impact/items/new",
        &[
            ("kind", "outcome"),
            ("title", "A specialist team for Cardiff"),
            ("happened_on", "2024-09-01"),
            ("area_code", "W11000029"),
            ("ask_id", &ask),
        ],
    )
    .await
    .assert_status(303);
    let page = app.another_browser().get("/impact").await;
    let legend: Vec<String> =
        sqlx::query_scalar("SELECT label FROM score_levels WHERE level IN (1, 3) ORDER BY level")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    page.assert_contains(&format!(
        "Cardiff and Vale University Health Board: {} → {}",
        legend[0], legend[1]
    ));
    page.assert_status(200)
        .assert_contains("Funding won, by nation and year")
        .assert_contains("In total: £17,500,000")
        // The chart's bars carry their values, and the table says the same.
        .assert_contains("<title>2024, Wales: £2,500,000</title>")
        .assert_contains("<title>2024, England: £10,000,000</title>")
        // The headline amounts are the tracker's own totals: they agree with the table.
        .assert_contains("<span class=\"figure-value\">£15m</span>\n      <span class=\"figure-label\">England</span>")
        .assert_contains("<span class=\"figure-value\">£2.5m</span>\n      <span class=\"figure-label\">Wales</span>")
        .assert_contains("<th scope=\"row\">2025</th><td>£5,000,000</td>")
        .assert_contains("A specialist team in every area")
        .assert_contains("Welsh Government perinatal funding");
    // The biggest bar is full height; the Welsh one a quarter of it.
    assert!(
        page.body.contains("height=\"150\" fill=\"#1d70b8\""),
        "england 2024 full height"
    );
    assert!(
        page.body.contains("height=\"37.5\" fill=\"#00703c\""),
        "wales a quarter"
    );
}
