//! The services atlas: areas, scores, the map, area pages, the areas API, the score editor
//! and the all-or-nothing CSV import.

use mmha::auth::Role;

use crate::harness::{TestApp, hidden};

#[tokio::test]
async fn all_four_nations_are_loaded_and_looked_up_by_point() {
    let app = TestApp::new().await;
    let atlas = app.state.atlas();
    assert_eq!(atlas.areas.len(), 42 + 7 + 14 + 5);
    let at = |lon, lat| atlas.area_at(lon, lat).map(|a| a.code.clone());
    assert_eq!(at(-3.179, 51.481).as_deref(), Some("W11000029"), "Cardiff");
    assert_eq!(at(-5.930, 54.597).as_deref(), Some("BHSCT"), "Belfast");
    assert_eq!(
        at(-3.188, 55.953).as_deref(),
        Some("S08000024"),
        "Edinburgh"
    );
    assert!(at(-0.128, 51.508).unwrap().starts_with("E54"), "London");
    assert_eq!(at(-10.0, 45.0), None, "Atlantic");
}

#[tokio::test]
async fn map_page_shows_every_area_with_legend_and_table() {
    let app = TestApp::new().await;
    let res = app.get("/map").await;
    res.assert_status(200)
        .assert_contains("<svg class=\"uk-map\"")
        .assert_contains("Specialist perinatal mental health care across the UK, 2023")
        .assert_contains("These scores are demo content")
        .assert_contains("Level 0: No specialist service")
        .assert_contains("Level 5: Meets quality standards")
        .assert_contains(
            "Contains public sector information licensed under the Open Government Licence v3.0",
        )
        .assert_contains("<option value=\"2019\"");
    // Every area is a link with an accessible name, on the map and in the table, and
    // London's five boards once more in the enlarged inset.
    assert_eq!(res.body.matches("<a href=\"/areas/").count(), 68 * 2 + 5);
    let inset = &res.body[res.body.find("<g class=\"inset\">").unwrap()..];
    let inset = &inset[..inset.find("</g>").unwrap()];
    assert!(inset.contains(">London</text>"));
    for code in [
        "E54000027",
        "E54000028",
        "E54000029",
        "E54000030",
        "E54000031",
    ] {
        assert!(
            inset.contains(&format!("href=\"/areas/{code}\"")),
            "{code} in the inset"
        );
    }
    assert_eq!(inset.matches("<a href=").count(), 5);
    assert!(
        res.body
            .contains("aria-label=\"Cardiff and Vale University Health Board: level ")
    );
    // Counts per nation add up to the number of areas.
    assert!(res.body.contains("<th scope=\"row\">Northern Ireland</th>"));
    // Small enough to send to a phone.
    let br = app.get_with("/map", &[("accept-encoding", "br")]).await;
    assert!(br.bytes.len() < 150 * 1024, "{} bytes", br.bytes.len());
}

#[tokio::test]
async fn map_year_and_comparison_without_javascript() {
    let app = TestApp::new().await;
    let res = app.get("/map?year=2017&compare=2023").await;
    res.assert_status(200)
        .assert_contains("across the UK, 2017")
        .assert_contains("What changed since 2023")
        .assert_contains("<option value=\"2017\" selected>")
        .assert_contains("Level in 2023");
    let up = app.get("/map?year=2023&compare=2017").await;
    up.assert_contains("Moved up");
    // A year with no scores shows the map uncoloured, not an error.
    app.get("/map?year=2001")
        .await
        .assert_status(200)
        .assert_contains("no score this year");
    app.get("/map?year=soon")
        .await
        .assert_status(400)
        .assert_contains("Choose a year from the list.");
}

#[tokio::test]
async fn standalone_svg() {
    let app = TestApp::new().await;
    let res = app.get("/map.svg?year=2019").await;
    res.assert_status(200);
    assert_eq!(res.header("content-type"), "image/svg+xml");
    assert!(res.body.starts_with("<?xml"));
    assert_eq!(res.body.matches("<path d=\"M").count(), 68);
    res.assert_contains("Open Government Licence");
}

#[tokio::test]
async fn area_page_history_and_codes() {
    let app = TestApp::new().await;
    let res = app.get("/areas/W11000029").await;
    res.assert_status(200)
        .assert_contains("<h1>Cardiff and Vale University Health Board</h1>")
        .assert_contains("Level over the years")
        .assert_contains("<th scope=\"row\">2017</th>")
        .assert_contains("Open Government Licence");
    app.get("/areas/w11000029").await.assert_status(200);
    app.get("/areas/NOPE").await.assert_status(404);
    app.get("/areas/..%2Fadmin").await.assert_status(404);
}

#[tokio::test]
async fn areas_api() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/areas").await;
    res.assert_status(200);
    assert_eq!(res.header("access-control-allow-origin"), "*");
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let areas = v["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 68);
    let cardiff = areas.iter().find(|a| a["code"] == "W11000029").unwrap();
    assert_eq!(cardiff["nation"], "wales");
    assert_eq!(cardiff["score"]["year"], 2023);
    assert!(cardiff["score"]["level"].as_i64().unwrap() <= 5);
    assert_eq!(cardiff["score"]["demo"], true);
    let one: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/areas/bhsct").await.body).unwrap();
    assert_eq!(one["code"], "BHSCT");
    assert_eq!(one["history"].as_array().unwrap().len(), 4);
    let services = one["services"].as_array().unwrap();
    assert!(!services.is_empty());
    assert!(services.iter().all(|s| {
        s["oruk_url"]
            .as_str()
            .unwrap()
            .contains("/api/oruk/services/")
    }));
    let missing = app.get("/api/v1/areas/NOPE").await;
    missing.assert_status(404);
    assert!(
        missing
            .header("content-type")
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn editor_sets_a_score_and_the_map_changes() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    app.get("/map?year=2024")
        .await
        .assert_contains("Cardiff and Vale University Health Board: no score this year");
    let res = app
        .post(
            "/admin/areas/W11000029",
            &[
                ("year", "2024"),
                ("level", "9"),
                ("note", "typed note"),
                ("source", ""),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("Enter a level from 0 to 5.")
        .assert_contains("typed note");
    app.post(
        "/admin/areas/W11000029",
        &[
            ("year", "2024"),
            ("level", "5"),
            ("criteria", "PQN Type 1 standards"),
            ("note", "Team met PQN standards"),
            ("source", "https://example.org/2024"),
        ],
    )
    .await
    .assert_status(303);
    let map = app.another_browser().get("/map?year=2024").await;
    map.assert_contains(
        "Cardiff and Vale University Health Board: level 5, Meets quality standards",
    );
    let area = app.get("/areas/W11000029").await;
    area.assert_contains("Team met PQN standards")
        .assert_contains("<td>PQN Type 1 standards</td>")
        .assert_contains("href=\"https://example.org/2024\"");
    let api: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/areas/W11000029").await.body).unwrap();
    assert_eq!(api["history"][0]["criteria_met"], "PQN Type 1 standards");
    // History of changes is kept, including deletions.
    app.post("/admin/areas/W11000029/scores/2024/delete", &[])
        .await
        .assert_status(303);
    let admin = app.get("/admin/areas/W11000029").await;
    admin
        .assert_contains("deleted")
        .assert_contains("Team met PQN standards");
    let audited: String = sqlx::query_scalar(
        "SELECT summary FROM audit_log WHERE action = 'set_score' AND actor_email = 'editor@example.org'",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, "2024: level 5");
}

#[tokio::test]
async fn moderators_cannot_change_scores() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Moderator).await;
    app.get("/admin/areas").await.assert_status(403);
    app.post(
        "/admin/areas/W11000029",
        &[("year", "2024"), ("level", "5")],
    )
    .await
    .assert_status(403);
    app.post_multipart(
        "/admin/scores/import",
        &[("csv", "area_code,year,level\nW11000029,2024,5\n")],
        None,
    )
    .await
    .assert_status(403);
}

/// The issue's journey: a CSV with one bad row is shown with that row and nothing changes;
/// fixed, it previews, and on confirmation every row is written.
#[tokio::test]
async fn score_import_is_all_or_nothing_with_row_errors() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let bad = "area_code,year,level,note,source\nW11000029,2024,4,ok,\nBHSCT,2024,7,too high,\nS08000024,2024,3,,\n";
    let res = app
        .post_multipart("/admin/scores/import", &[("csv", bad)], None)
        .await;
    res.assert_status(422)
        .assert_contains("Nothing was imported: 1 problems to fix")
        .assert_contains("<td>3</td><td>level</td><td>Enter a level from 0 to 5.</td>")
        .assert_contains("BHSCT,2024,7");
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM area_scores WHERE year = 2024")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0);

    // Fixed: the preview lists every change and still writes nothing.
    let good = bad.replace("BHSCT,2024,7", "BHSCT,2024,2");
    let preview = app
        .post_multipart(
            "/admin/scores/import",
            &[],
            Some(("file", "scores.csv", good.as_bytes())),
        )
        .await;
    preview
        .assert_status(200)
        .assert_contains("Check the 3 changes below");
    assert_eq!(count().await, 0);
    let token = hidden(&preview.body, "token");
    assert_eq!(token.len(), 64, "the checked file is kept, not sent back");
    assert!(!preview.body.contains("BHSCT,2024,2"));
    // A kept file confirms only the import that checked it.
    app.post("/admin/services/import/confirm", &[("token", &token)])
        .await
        .assert_status(404);
    let res = app
        .post("/admin/scores/import/confirm", &[("token", &token)])
        .await;
    res.assert_status(303);
    assert_eq!(res.location(), "/admin/scores/import?done=3");
    assert_eq!(count().await, 3);
    app.get(res.location())
        .await
        .assert_contains("3 scores imported.");
    app.another_browser()
        .get("/map?year=2024")
        .await
        .assert_contains("Belfast Health and Social Care Trust: level 2");
    // A token is good once.
    app.post("/admin/scores/import/confirm", &[("token", &token)])
        .await
        .assert_status(404);
    // A confirmation whose data went bad in the meantime (an area retired between the
    // preview and the press) is refused whole.
    let preview = app
        .post_multipart(
            "/admin/scores/import",
            &[(
                "csv",
                "area_code,year,level\nW11000029,2025,1\nBHSCT,2025,1\n",
            )],
            None,
        )
        .await;
    preview.assert_status(200);
    let token = hidden(&preview.body, "token");
    sqlx::query("UPDATE areas SET retired = 1 WHERE code = 'BHSCT'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.post("/admin/scores/import/confirm", &[("token", &token)])
        .await
        .assert_status(422)
        .assert_contains("<td>3</td><td>area_code</td>");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM area_scores WHERE year = 2025")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn mother_and_baby_units_are_seeded_with_sources_and_truth() {
    let app = TestApp::new().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM services WHERE kind = 'mbu'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 20);
    // Every MBU is placed in an area of its nation.
    let unplaced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM services s JOIN service_at_locations sal ON sal.service_id = s.id \
         JOIN locations l ON l.id = sal.location_id WHERE s.kind = 'mbu' AND l.area_code IS NULL",
    )
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(unplaced, 0);
    let area = app.get("/areas/W11000031").await;
    area.assert_status(200)
        .assert_contains("Services for this area")
        .assert_contains("Uned Gobaith (Unit of Hope)</a>, Neath: about")
        .assert_contains("Nearest mother and baby units");
    let href = area.body.split("<a href=\"/services/").nth(1).unwrap();
    let id = &href[..36];
    let page = app.get(&format!("/services/{id}")).await;
    page.assert_status(200)
        .assert_contains("Demo: Swansea Bay")
        .assert_contains("This is a demo service");
    // An MBU the CSV marks unverified says so, with its source.
    let rainbow: String = sqlx::query_scalar("SELECT id FROM services WHERE name LIKE 'Rainbow%'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let page = app.get(&format!("/services/{rainbow}")).await;
    page.assert_status(200)
        .assert_contains("We have not yet confirmed these details")
        .assert_contains("Approximate position")
        .assert_contains("Source");
    app.get("/services/not-a-uuid").await.assert_status(404);
    app.get("/services/00000000-0000-4000-8000-000000000000")
        .await
        .assert_status(404);
}

#[tokio::test]
async fn only_the_embed_map_may_be_framed() {
    let app = TestApp::new().await;
    let res = app.get("/embed/map?year=2019").await;
    res.assert_status(200)
        .assert_contains("across the UK, 2019")
        .assert_contains("target=\"_top\">Get help now</a>")
        .assert_contains("Open Government Licence");
    assert!(
        res.header("content-security-policy")
            .contains("frame-ancestors *")
    );
    assert_eq!(res.header("x-frame-options"), "");
    for path in ["/map", "/", "/areas/W11000029"] {
        let other = app.get(path).await;
        assert!(
            other
                .header("content-security-policy")
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(other.header("x-frame-options"), "DENY", "{path}");
    }
}

#[tokio::test]
async fn openapi_document_describes_the_areas_api() {
    let app = TestApp::new().await;
    let res = app.get("/api/openapi.json").await;
    res.assert_status(200);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["openapi"], "3.1.0");
    assert!(v["paths"]["/api/v1/areas"]["get"].is_object());
    assert!(v["paths"]["/api/v1/areas/{code}"]["get"]["responses"]["404"].is_object());
    // The documented Area schema holds for a real response.
    let mut area_schema = v["components"]["schemas"]["Area"].clone();
    area_schema["properties"]["score"] = v["components"]["schemas"]["Score"].clone();
    area_schema["properties"]["history"]["items"] = v["components"]["schemas"]["Score"].clone();
    let validator = jsonschema::validator_for(&area_schema).unwrap();
    let one: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/areas/W11000029").await.body).unwrap();
    assert!(validator.is_valid(&one), "{one:#}");
}

#[tokio::test]
async fn editors_change_the_legend() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    app.get("/admin/levels")
        .await
        .assert_status(200)
        .assert_contains("value=\"#ffffcc\"");
    let mut form: Vec<(String, String)> = Vec::new();
    for n in 0..=5 {
        form.push((format!("label_{n}"), format!("Level name {n}")));
        form.push((format!("label_cy_{n}"), String::new()));
        form.push((format!("criteria_{n}"), format!("Criteria {n}")));
        form.push((
            format!("colour_{n}"),
            if n == 5 {
                "#123456".into()
            } else {
                "#aabbcc".into()
            },
        ));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post("/admin/levels", &pairs).await.assert_status(303);
    let map = app.another_browser().get("/map").await;
    map.assert_contains("Level 5: Level name 5")
        .assert_contains("fill=\"#123456\"");
    // Bad colour: refused, input kept.
    let mut bad = pairs.clone();
    bad.retain(|(k, _)| *k != "colour_2");
    bad.push(("colour_2", "green; }"));
    let res = app.post("/admin/levels", &bad).await;
    res.assert_status(422)
        .assert_contains("value=\"green; }\"")
        .assert_contains("six hex digits");
}

#[tokio::test]
async fn staff_download_exports() {
    let mut app = TestApp::new().await;
    app.get("/admin/export/scores.csv").await.assert_status(303);
    app.login_as(Role::Editor).await;
    let csv = app.get("/admin/export/scores.csv").await;
    csv.assert_status(200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("scores.csv"));
    assert_eq!(csv.body.lines().count(), 1 + 68 * 4);
    let services = app.get("/admin/export/services.csv").await;
    services
        .assert_status(200)
        .assert_contains("Uned Gobaith (Unit of Hope)");
    let geo = app.get("/admin/export/services.geojson").await;
    assert_eq!(geo.header("content-type"), "application/geo+json");
    app.get("/admin/export/passwords.txt")
        .await
        .assert_status(404);
}

#[tokio::test]
async fn editors_add_and_check_services() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    app.get("/admin/services")
        .await
        .assert_status(200)
        .assert_contains("Uned Gobaith");
    let mut form = vec![
        ("name", "Cardiff Maternal Mental Health Service"),
        ("organization", "Cardiff and Vale University Health Board"),
        ("kind", "mmhs"),
        ("status", "active"),
        (
            "description",
            "Psychological care after birth trauma or loss.",
        ),
        ("minimum_age", "18"),
        ("maximum_age", "12"),
        ("latitude", "51.4816"),
        ("longitude", "-3.1791"),
        ("area", "W11000029"),
        ("area", "W11000028"),
        ("day", "SA"),
        ("day", "TU"),
        ("opens_at", "10:00"),
        ("closes_at", "09:00"),
    ];
    // Oldest age below the youngest: refused, everything typed kept.
    let res = app.post("/admin/services/new", &form).await;
    res.assert_status(422)
        .assert_contains("must not be below the youngest")
        .assert_contains("value=\"Cardiff Maternal Mental Health Service\"")
        .assert_contains("id=\"area-W11000028\" name=\"area\" value=\"W11000028\" checked");
    form.retain(|(k, _)| *k != "maximum_age");
    let res = app.post("/admin/services/new", &form).await;
    res.assert_status(422)
        .assert_contains("closing after opening");
    form.retain(|(k, _)| *k != "closes_at");
    form.push(("closes_at", "16:30"));
    let res = app.post("/admin/services/new", &form).await;
    res.assert_status(303);
    let id = res.location().rsplit('/').next().unwrap().to_string();
    assert!(mmha::atlas::services::is_uuid(&id));
    // It shows on both areas' pages and in the open data.
    for code in ["W11000029", "W11000028"] {
        app.another_browser()
            .get(&format!("/areas/{code}"))
            .await
            .assert_contains("Cardiff Maternal Mental Health Service");
    }
    let v: serde_json::Value =
        serde_json::from_str(&app.get(&format!("/api/oruk/services/{id}")).await.body).unwrap();
    assert_eq!(v["minimum_age"], 18);
    assert_eq!(
        v["service_at_locations"][0]["location"]["latitude"],
        51.4816
    );
    assert_eq!(v["attributes"][0]["taxonomy_term"]["term"], "mmhs");
    assert_eq!(v["schedules"][0]["byday"], "TU,SA");
    assert_eq!(v["schedules"][0]["opens_at"], "10:00");
    let saturday: serde_json::Value =
        serde_json::from_str(&app.get("/api/oruk/services?day=saturday").await.body).unwrap();
    assert_eq!(saturday["total_items"], 1);
    // The edit form shows the days again.
    app.get(&format!("/admin/services/{id}"))
        .await
        .assert_contains("value=\"SA\" checked");
    // An area's display name can be corrected, in English and in Welsh.
    app.get("/admin/areas/W11000028")
        .await
        .assert_contains("value=\"Bwrdd Iechyd Prifysgol Aneurin Bevan\"");
    app.post(
        "/admin/areas/W11000028/name",
        &[
            ("name", "Powys Teaching Health Board (corrected)"),
            ("name_cy", "Bwrdd Iechyd (wedi'i gywiro)"),
        ],
    )
    .await
    .assert_status(303);
    app.another_browser()
        .get("/map")
        .await
        .assert_contains("Powys Teaching Health Board (corrected)");
    app.another_browser()
        .get("/cy/map")
        .await
        .assert_contains("Bwrdd Iechyd (wedi&#39;i gywiro)")
        .assert_not_contains("Powys Teaching Health Board (corrected)");
    app.post("/admin/areas/W11000028/name", &[("name", " ")])
        .await
        .assert_status(422);
    // Checked today.
    app.post(&format!("/admin/services/{id}/verify"), &[])
        .await
        .assert_status(303);
    let today = mmha::uktime::iso_date(mmha::db::now());
    app.get(&format!("/services/{id}"))
        .await
        .assert_contains(&format!("Checked on {today} by editor@example.org"));
    let mut mods = app.another_browser();
    mods.login_as(Role::Moderator).await;
    mods.get("/admin/services").await.assert_status(403);
}

#[tokio::test]
async fn admins_import_a_boundary_release_with_a_preview() {
    let mut app = TestApp::new().await;
    let mut editor = app.another_browser();
    editor.login_as(Role::Editor).await;
    editor.get("/admin/areas/import").await.assert_status(403);
    app.login_as(Role::Admin).await;
    let broken = br#"{"type":"FeatureCollection","features":[{"properties":{"code":"","name":"X","nation":"wales"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
    let res = app
        .post_multipart(
            "/admin/areas/import",
            &[("release", "broken")],
            Some(("file", "b.geojson", broken)),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Nothing was imported: 2 problems to fix")
        .assert_contains("<td>1</td><td>code</td>");
    // Northern Ireland's five trusts alone: every other area would be retired.
    let ni = std::fs::read(format!(
        "{}/seed/geo/northern-ireland-hsct-2018.geojson",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let res = app
        .post_multipart(
            "/admin/areas/import",
            &[("release", "NI only")],
            Some(("file", "ni.geojson", &ni)),
        )
        .await;
    res.assert_status(200)
        .assert_contains("0 new areas")
        .assert_contains("5 areas updated")
        .assert_contains("63 areas retired");
    // Nothing has changed yet.
    assert_eq!(app.state.atlas().areas.len(), 68);
    let token = res.body.split("name=\"token\" value=\"").nth(1).unwrap()[..64].to_string();
    let res = app
        .post(
            "/admin/areas/import/confirm",
            &[("token", &token), ("release", "NI only")],
        )
        .await;
    res.assert_status(303);
    assert_eq!(app.state.atlas().areas.len(), 5);
    app.get("/areas/W11000029")
        .await
        .assert_status(200)
        .assert_contains("no longer exists");
    // A token is good once.
    app.post("/admin/areas/import/confirm", &[("token", &token)])
        .await
        .assert_status(404);
}

#[tokio::test]
async fn staff_import_services_with_a_preview() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let bad =
        "name,organization,kind,areas\nGood one,Org,mmhs,W11000029\nBad one,Org,rocket,W11000029\n";
    let res = app
        .post_multipart("/admin/services/import", &[("csv", bad)], None)
        .await;
    res.assert_status(422)
        .assert_contains("Nothing was imported: 1 problems to fix")
        .assert_contains("<td>3</td><td>kind</td>");
    let good =
        "name,organization,kind,areas\nGood one,Org,mmhs,W11000029\nAnother,Org,other,W11000029\n";
    let res = app
        .post_multipart("/admin/services/import", &[("csv", good)], None)
        .await;
    res.assert_status(200)
        .assert_contains("Check the 2 changes below")
        .assert_contains("Good one (new)");
    let token = res.body.split("name=\"token\" value=\"").nth(1).unwrap()[..64].to_string();
    let n = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(n().await, 88);
    app.post("/admin/services/import/confirm", &[("token", &token)])
        .await
        .assert_status(303);
    assert_eq!(n().await, 90);
    app.another_browser()
        .get("/areas/W11000029")
        .await
        .assert_contains("Another");
    app.post("/admin/services/import/confirm", &[("token", &token)])
        .await
        .assert_status(404);
}

/// The table under the map: by nation, then by name, and the same as CSV to download.
#[tokio::test]
async fn the_map_table_is_in_nation_order_and_downloads_as_csv() {
    let app = TestApp::new().await;
    let page = app.get("/map?year=2021&compare=2019").await;
    page.assert_contains("href=\"/map.csv?year=2021&#38;compare=2019\"");
    let table = &page.body[page.body.find("id=\"map-table\"").unwrap()..];
    let first_scotland = table.find("<td>Scotland</td>").unwrap();
    let last_wales = table.rfind("<td>Wales</td>").unwrap();
    let last_england = table.rfind("<td>England</td>").unwrap();
    assert!(last_england < table.find("<td>Wales</td>").unwrap());
    assert!(last_wales < first_scotland);
    let csv = app.get("/map.csv?year=2021&compare=2019").await;
    csv.assert_status(200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let mut r = csv::Reader::from_reader(csv.body.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head,
        [
            "area_code",
            "area_name",
            "nation",
            "year",
            "level",
            "level_name",
            "level_2019",
            "demo"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 68);
    let nations: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    let order = ["england", "wales", "scotland", "northern-ireland"];
    let rank: Vec<usize> = nations
        .iter()
        .map(|n| order.iter().position(|o| o == n).unwrap())
        .collect();
    assert!(rank.windows(2).all(|w| w[0] <= w[1]), "{nations:?}");
    let welsh: Vec<&str> = rows
        .iter()
        .filter(|r| &r[2] == "wales")
        .map(|r| &r[1])
        .collect();
    let mut sorted = welsh.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(welsh, sorted);
    // Each row says the same as the page's table.
    let cardiff = rows.iter().find(|r| &r[0] == "W11000029").unwrap();
    assert_eq!(&cardiff[3], "2021");
    let level = &cardiff[4];
    assert!(table.contains(&format!(
        "Cardiff and Vale University Health Board</a></th><td>Wales</td><td>{level}: {}",
        &cardiff[5]
    )));
    assert_eq!(&cardiff[7], "yes", "demo scores are marked");
    app.get("/map.csv?year=19").await.assert_status(400);
}

/// An area page draws the area within its nation, not floating alone.
#[tokio::test]
async fn an_area_page_shows_the_area_within_its_nation() {
    let app = TestApp::new().await;
    let page = app.get("/areas/W11000029").await;
    page.assert_status(200)
        .assert_contains("Cardiff and Vale University Health Board, shown within Wales");
    let svg = &page.body[page.body.find("class=\"area-locator\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    // Wales has seven health boards: six drawn as context and this one highlighted.
    assert_eq!(svg.matches("class=\"context\"").count(), 6);
    assert_eq!(svg.matches("fill=\"#5a2d82\"").count(), 1);
}
