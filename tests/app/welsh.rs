//! Welsh as a language of the product: every public page has its own Welsh address
//! (`/cy/…`), the address decides the language, links and redirects on a Welsh page stay
//! Welsh, and `hreflang` pairs each page with its other-language address.

use crate::harness::TestApp;

/// One page of each public kind, by its English address.
const PAGES: &[&str] = &[
    "/",
    "/help",
    "/support",
    "/support?postcode=CF10+3NQ",
    "/map",
    "/areas/W11000029",
    "/news",
    "/news/new-maps-of-specialist-services",
    "/resources",
    "/campaigns",
    "/events",
    "/impact",
    "/search?q=support",
    "/stories",
    "/stories/new",
    "/subscribe",
    "/contact",
    "/bulletin",
    "/about",
    "/members",
    "/supporters",
    "/privacy",
    "/activities/new",
    "/members/apply",
    "/supporters/join",
    "/champions",
    "/disclaimer",
];

/// Every `href="…"` and `action="…"` on a page that points at a path of this site.
fn local_links(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "action=\"", "formaction=\""] {
        for part in body.split(attr).skip(1) {
            let link = part.split('"').next().unwrap_or("");
            if link.starts_with('/') && !link.starts_with("//") {
                out.push(link.replace("&amp;", "&"));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_public_page_has_a_welsh_address_whose_links_stay_welsh() {
    let app = TestApp::new().await;
    let mut leaks = std::collections::BTreeSet::new();
    let slug: String = sqlx::query_scalar("SELECT slug FROM campaigns LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let campaign = [
        format!("/campaigns/{slug}"),
        format!("/campaigns/{slug}/activities"),
        format!("/campaigns/{slug}/calendar"),
        format!("/campaigns/{slug}/map"),
    ];
    let pages = PAGES.iter().map(|p| p.to_string()).chain(campaign);
    for page in pages {
        let page = page.as_str();
        let cy = format!("/cy{page}");
        let res = app.get(&cy).await;
        res.assert_status(200).assert_contains("<html lang=\"cy\">");
        let en = app.get(page).await;
        en.assert_status(200).assert_contains("<html lang=\"en\">");
        // Links to pages go to their Welsh addresses; the staff area, files, assets and
        // the APIs have one address for both languages.
        for link in local_links(&res.body) {
            let path = link.split('?').next().unwrap_or("");
            let one_address = [
                "/admin", "/assets/", "/images/", "/theme/", "/files/", "/api/",
            ]
            .iter()
            .any(|p| path.starts_with(p))
                || ["/exit", "/news.rss", "/events.ics"].contains(&path)
                || [".csv", ".svg", ".ics", ".rss", ".json", ".geojson"]
                    .iter()
                    .any(|ext| path.ends_with(ext))
                || link.starts_with("/lang/en?");
            if !(one_address || path == "/cy" || path.starts_with("/cy/")) {
                leaks.insert(format!("{cy}: a link to {link} leaves Welsh"));
            }
        }
        // On the English page no link goes to a Welsh address except the alternates.
        for link in local_links(&en.body) {
            if link.starts_with("/cy/") || link == "/cy" {
                leaks.insert(format!("{page}: a link to {link} on the English page"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{}",
        leaks.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test]
async fn hreflang_pairs_each_page_with_its_other_language_both_ways() {
    let app = TestApp::new().await;
    let origin = app
        .state
        .config
        .public_url
        .trim_end_matches('/')
        .to_string();
    for page in ["/help", "/news", "/map", "/"] {
        let cy = mmha::i18n::Lang::Cy.address(page);
        for (path, lang) in [(page.to_string(), "en"), (cy.clone(), "cy")] {
            let body = app.get(&path).await.body;
            let en_link =
                format!("<link rel=\"alternate\" hreflang=\"en\" href=\"{origin}{page}\">");
            let cy_link = format!("<link rel=\"alternate\" hreflang=\"cy\" href=\"{origin}{cy}\">");
            let default =
                format!("<link rel=\"alternate\" hreflang=\"x-default\" href=\"{origin}{page}\">");
            for l in [&en_link, &cy_link, &default] {
                assert!(body.contains(l.as_str()), "{path} ({lang}): {l}");
            }
        }
        // And each alternate answers in its language.
        app.get(&cy)
            .await
            .assert_status(200)
            .assert_contains("<html lang=\"cy\">");
    }
}

#[tokio::test]
async fn the_switch_keeps_path_and_query_and_old_links_keep_working() {
    let app = TestApp::new().await;
    // The switch on a finder result keeps the search.
    let res = app.get("/support?postcode=CF10+3NQ").await;
    let switch = "/lang/cy?next=/support%3Fpostcode%3DCF10%203NQ";
    res.assert_contains(&format!("href=\"{switch}\""));
    let to = app.get(switch).await;
    to.assert_status(303);
    assert_eq!(to.location(), "/cy/support?postcode=CF10 3NQ");
    let cy = app.get("/cy/support?postcode=CF10%203NQ").await;
    cy.assert_status(200)
        .assert_contains("<html lang=\"cy\">")
        .assert_contains("href=\"/lang/en?next=/support%3Fpostcode%3DCF10%203NQ\"");
    assert_eq!(cy.header("cache-control"), "no-store");
    assert_eq!(cy.header("referrer-policy"), "no-referrer");
    // Back to English, same page.
    assert_eq!(
        app.get("/lang/en?next=/support%3Fpostcode%3DCF10%203NQ")
            .await
            .location(),
        "/support?postcode=CF10 3NQ"
    );
    // An old switch link from before Welsh addresses still lands on the Welsh page.
    assert_eq!(app.get("/lang/cy?next=/help").await.location(), "/cy/help");
    // `/cy` alone is the Welsh home page; a page whose name starts "cy" is not Welsh.
    app.get("/cy").await.assert_contains("<html lang=\"cy\">");
    app.get("/cymru").await.assert_status(404);
}

#[tokio::test]
async fn forms_and_redirects_on_welsh_pages_stay_welsh() {
    let app = TestApp::new().await;
    let res = app
        .post(
            "/cy/subscribe",
            &[("step", "start"), ("email", "nia@example.org")],
        )
        .await;
    assert!(res.status.is_success() || res.status.is_redirection());
    if res.status.is_redirection() {
        assert!(res.location().starts_with("/cy/"), "{}", res.location());
    } else {
        res.assert_contains("<html lang=\"cy\">");
    }
    // The Welsh finder API answers in Welsh at its Welsh address too.
    let v: serde_json::Value =
        serde_json::from_str(&app.get("/cy/api/v1/support?postcode=!!").await.body).unwrap();
    let en: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/support?postcode=!!").await.body).unwrap();
    assert_ne!(v["error"], en["error"], "the error is in Welsh");
}

#[tokio::test]
async fn the_sitemap_lists_every_page_at_both_addresses_and_each_answers() {
    let app = TestApp::new().await;
    let origin = app
        .state
        .config
        .public_url
        .trim_end_matches('/')
        .to_string();
    let robots = app.get("/robots.txt").await;
    robots.assert_contains(&format!("Sitemap: {origin}/sitemap.xml"));
    let res = app.get("/sitemap.xml").await;
    res.assert_status(200);
    assert!(res.header("content-type").starts_with("application/xml"));
    let xml = &res.body;
    for page in [
        "/",
        "/help",
        "/support",
        "/areas/W11000029",
        "/news/new-maps-of-specialist-services",
        "/about",
    ] {
        let cy = mmha::i18n::Lang::Cy.address(page);
        assert!(
            xml.contains(&format!("<loc>{origin}{page}</loc>")),
            "{page}"
        );
        assert!(xml.contains(&format!("<loc>{origin}{cy}</loc>")), "{cy}");
        assert!(
            xml.contains(&format!(
                "<xhtml:link rel=\"alternate\" hreflang=\"cy\" href=\"{origin}{cy}\"/>"
            )),
            "{page}: its Welsh alternate"
        );
    }
    assert!(!xml.contains("/admin"), "no staff pages");
    // Every address listed answers, in its language.
    let locs: Vec<&str> = xml
        .split("<loc>")
        .skip(1)
        .map(|p| p.split("</loc>").next().unwrap())
        .collect();
    assert!(locs.len() > 150, "{} addresses", locs.len());
    for loc in locs {
        let path = loc.strip_prefix(&origin).unwrap().replace("&amp;", "&");
        let res = app.get(&path).await;
        assert_eq!(res.status.as_u16(), 200, "{path}");
        let lang = if path.starts_with("/cy/") { "cy" } else { "en" };
        res.assert_contains(&format!("<html lang=\"{lang}\">"));
    }
}

#[tokio::test]
async fn a_welsh_finder_result_shows_welsh_crisis_help_and_the_boards_welsh_name() {
    let app = TestApp::new().await;
    let res = app.get("/cy/support?postcode=CF10%203NQ").await;
    res.assert_status(200)
        .assert_contains(
            "<a href=\"/cy/areas/W11000029\">Bwrdd Iechyd Prifysgol Caerdydd a&#39;r Fro</a>",
        )
        .assert_contains("<title>Cymorth yn ardal Bwrdd Iechyd")
        .assert_not_contains(">Cardiff and Vale University Health Board<");
    let b = &res.body;
    // Help first, in Welsh: 999, then NHS 111 Wales by its Welsh name with "pwyswch 2".
    let help = b.find("id=\"help-now\"").expect("help now");
    let area = b.find("class=\"finder-area\"").unwrap();
    assert!(help < area, "help comes before the area");
    for welsh in ["GIG 111 Cymru", "Yna pwyswch 2", "Samariaid"] {
        assert!(b.contains(welsh), "{welsh}");
    }
    // The Samaritans' Welsh Language Line is among Wales's lines, in Welsh.
    let cy_help = app.get("/cy/help").await;
    cy_help
        .assert_contains("tel:08081640123")
        .assert_contains("Llinell Gymraeg")
        .assert_contains("Gallwch siarad Cymraeg ar y llinell hon.");
    // No helpline card on a Welsh page is in English: every card's text has Welsh.
    for english in [
        "Urgent mental health support from your local health board",
        "Open 24 hours, every day",
        "Then press 2",
        "Talk to someone about anything that is troubling you",
    ] {
        assert!(
            !cy_help.body.contains(english),
            "/cy/help shows {english:?}"
        );
        assert!(!b.contains(english), "/cy/support shows {english:?}");
    }
    // The English pages are unchanged.
    app.get("/help")
        .await
        .assert_contains("Then press 2")
        .assert_contains("NHS 111 Wales");
    app.get("/support?postcode=CF10%203NQ")
        .await
        .assert_contains("Cardiff and Vale University Health Board");
    // The map and the area page name the board in Welsh too.
    app.get("/cy/areas/W11000029")
        .await
        .assert_contains("<h1>Bwrdd Iechyd Prifysgol Caerdydd a&#39;r Fro</h1>");
    // The map's legend says what each level means in Welsh.
    app.get("/cy/map")
        .await
        .assert_contains("Bwrdd Iechyd Prifysgol Bae Abertawe")
        .assert_contains("Dim gwasanaeth iechyd meddwl amenedigol arbenigol yn y gymuned.")
        .assert_not_contains("No specialist community perinatal mental health service.");
}

/// An installation made before Welsh helplines gets them from the migration on upgrade,
/// without its staff's own edits being overwritten.
#[tokio::test]
async fn the_upgrade_migration_adds_welsh_without_overwriting_staff_edits() {
    let app = TestApp::new().await;
    let pool = &app.state.db.pool;
    // As an older installation: no Welsh anywhere, no Welsh Language Line; one card and
    // one area whose Welsh staff have since written themselves.
    for sql in [
        "UPDATE helplines SET organisation_cy = '', service_cy = '', purpose_cy = '', \
         call_note_cy = '', hours_cy = '', welsh_service = ''",
        "DELETE FROM helplines WHERE phone = '0808 164 0123'",
        "UPDATE areas SET name_cy = ''",
        "UPDATE score_levels SET criteria_cy = ''",
        "UPDATE helplines SET purpose_cy = 'Geiriad y staff' WHERE organisation = 'Mind'",
        "UPDATE areas SET name_cy = 'Enw’r staff' WHERE code = 'W11000031'",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    let dir = match app.state.db.backend {
        mmha::db::Backend::Sqlite => "sqlite",
        mmha::db::Backend::Postgres => "postgres",
    };
    let file = std::fs::read_to_string(format!(
        "{}/migrations/{dir}/0023_welsh.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let data: Vec<String> = file
        .split(";\n")
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty() && !s.trim_start().starts_with("ALTER"))
        .collect();
    assert!(data.len() > 20, "{} data statements", data.len());
    for sql in &data {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, String>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(
        one("SELECT organisation_cy FROM helplines WHERE organisation = 'NHS 111 Wales'").await,
        "GIG 111 Cymru"
    );
    assert_eq!(
        one("SELECT purpose_cy FROM helplines WHERE organisation = 'Mind'").await,
        "Geiriad y staff",
        "staff's Welsh is kept"
    );
    assert_eq!(
        one("SELECT name_cy FROM areas WHERE code = 'W11000029'").await,
        "Bwrdd Iechyd Prifysgol Caerdydd a'r Fro"
    );
    assert_eq!(
        one("SELECT name_cy FROM areas WHERE code = 'W11000031'").await,
        "Enw’r staff"
    );
    assert_eq!(
        one("SELECT criteria_cy FROM score_levels WHERE level = 0").await,
        "Dim gwasanaeth iechyd meddwl amenedigol arbenigol yn y gymuned."
    );
    assert_eq!(
        one("SELECT service_cy FROM helplines WHERE phone = '0808 164 0123'").await,
        "Llinell Gymraeg",
        "the Welsh Language Line is added once"
    );
    // Run again (as a second instance might): nothing changes, nothing doubles.
    for sql in &data {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(pool)
            .await
            .unwrap();
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM helplines WHERE phone = '0808 164 0123'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn dates_are_written_the_welsh_way_on_welsh_pages() {
    let app = TestApp::new().await;
    let ts: i64 = sqlx::query_scalar(
        "SELECT published_at FROM posts WHERE slug = 'new-maps-of-specialist-services'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let cy = mmha::i18n::Lang::Cy.long_date(ts);
    let en = mmha::i18n::Lang::En.long_date(ts);
    assert_ne!(cy, en);
    let path = "/news/new-maps-of-specialist-services";
    app.get(&format!("/cy{path}"))
        .await
        .assert_contains(&format!(">{cy}</time>"))
        .assert_not_contains(&en);
    app.get(path)
        .await
        .assert_contains(&format!(">{en}</time>"));
    app.get("/cy/news").await.assert_contains(&cy);
}
