//! The support finder: postcode lookups for the four nations, the page with help first,
//! bad input, places, Welsh, the JSON APIs, the ONSPD import and privacy.

use std::io::{Read, Write};

use serde_json::Value;

use crate::harness::TestApp;

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Real postcodes from each nation, typed the way people type, and the area each is in.
const NATIONS: &[(&str, &str, &str, &str)] = &[
    ("cf103nq", "CF10 3NQ", "W11000029", "wales"),
    (" Ll11  1ay ", "LL11 1AY", "W11000023", "wales"),
    ("EH1\t1YZ", "EH1 1YZ", "S08000024", "scotland"),
    ("ze1 0aa", "ZE1 0AA", "S08000026", "scotland"),
    ("bt7-1nn", "BT7 1NN", "BHSCT", "northern-ireland"),
    ("BT48 6DQ", "BT48 6DQ", "WHSCT", "northern-ireland"),
    ("ls14ap", "LS1 4AP", "E54000054", "england"),
    ("tr1 2aa", "TR1 2AA", "E54000036", "england"),
    // O for zero and S0 for SO: read as the postcodes that exist.
    ("0X1 1AA", "OX1 1AA", "E54000044", "england"),
    ("S014 7DU", "SO14 7DU", "E54000042", "england"),
];

fn enc(s: &str) -> String {
    mmha::web::url_encode(s)
}

#[tokio::test]
async fn lookup_api_answers_for_all_four_nations() {
    let app = TestApp::new().await;
    for (typed, norm, code, nation) in NATIONS {
        let res = app
            .get(&format!("/api/v1/lookup?postcode={}", enc(typed)))
            .await;
        res.assert_status(200);
        assert_eq!(res.header("access-control-allow-origin"), "*");
        assert_eq!(res.header("cache-control"), "no-store");
        let v = json(&res.body);
        assert_eq!(v["postcode"], *norm, "{typed}");
        assert_eq!(v["area"]["code"], *code, "{typed}");
        assert_eq!(v["area"]["nation"], *nation, "{typed}");
        assert!(!v["area"]["name"].as_str().unwrap().is_empty());
        assert_eq!(v["precision"], "postcode");
        let (lat, lon) = (
            v["location"]["lat"].as_f64().unwrap(),
            v["location"]["lon"].as_f64().unwrap(),
        );
        assert!((49.8..61.0).contains(&lat) && (-8.5..2.0).contains(&lon));
    }
    let v = json(&app.get("/api/v1/lookup?postcode=CF10+3NQ").await.body);
    assert_eq!(
        v["area"]["name"],
        "Cardiff and Vale University Health Board"
    );
    assert_eq!(v["location"]["lat"], 51.48837);
}

#[tokio::test]
async fn lookup_api_falls_back_to_the_district_and_refuses_bad_input() {
    let app = TestApp::new().await;
    // Well formed but not in the index: new, terminated or mistyped. The district answers.
    let res = app.get("/api/v1/lookup?postcode=cf10+9zz").await;
    res.assert_status(200);
    let v = json(&res.body);
    assert_eq!(v["postcode"], "CF10 9ZZ");
    assert_eq!(v["precision"], "district");
    assert_eq!(v["area"]["code"], "W11000029");
    // Not postcodes: 400 with a plain message.
    for bad in [
        "",
        "hello world",
        "12345",
        "CF10",
        "😀",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "CF10 3NQ CF10 3NQ CF10 3NQ",
    ] {
        let res = app
            .get(&format!("/api/v1/lookup?postcode={}", enc(bad)))
            .await;
        res.assert_status(400);
        let v = json(&res.body);
        assert!(v["error"].as_str().unwrap().len() > 10, "{bad:?}");
    }
    app.get("/api/v1/lookup").await.assert_status(400);
    // Postcodes outside the four nations' NHS, and unknown districts: 404.
    for missing in ["JE2 3AB", "GY1 1AA", "IM1 1AA", "ZZ99 9ZZ", "QQ1 1AA"] {
        let res = app
            .get(&format!("/api/v1/lookup?postcode={}", enc(missing)))
            .await;
        res.assert_status(404);
        assert!(json(&res.body)["error"].is_string());
        assert_eq!(res.header("access-control-allow-origin"), "*");
    }
    let v = json(&app.get("/api/v1/lookup?postcode=JE2+3AB").await.body);
    assert!(v["error"].as_str().unwrap().contains("Jersey"));
}

/// Where each section starts on the page, to check their order.
fn position(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page"))
}

#[tokio::test]
async fn support_page_puts_help_first_then_area_services_and_units() {
    let app = TestApp::new().await;
    let cases = [
        (
            "CF10 3NQ",
            "NHS 111 Wales",
            "Cardiff and Vale University Health Board",
        ),
        ("EH1 1YZ", "NHS 24 (Scotland)", "Lothian"),
        (
            "BT7 1NN",
            "Lifeline",
            "Belfast Health and Social Care Trust",
        ),
        (
            "LS1 4AP",
            "NHS 111 (England)",
            "NHS West Yorkshire Integrated Care Board",
        ),
    ];
    for (postcode, urgent, area) in cases {
        let res = app
            .get(&format!("/support?postcode={}", enc(postcode)))
            .await;
        res.assert_status(200);
        assert_eq!(res.header("cache-control"), "no-store");
        assert_eq!(res.header("referrer-policy"), "no-referrer");
        let b = &res.body;
        let help = position(b, "id=\"help-now\"");
        let emergency = position(b, "tel:999");
        let urgent_at = position(b, urgent);
        let area_at = position(b, "id=\"your-area\"");
        let services = position(b, "id=\"local-services\"");
        let units = position(b, "id=\"nearest-units\"");
        assert!(
            help < emergency && emergency < urgent_at && urgent_at < area_at,
            "{postcode}: help comes first"
        );
        assert!(area_at < services && services < units, "{postcode}: order");
        assert!(b[area_at..].contains(area), "{postcode}: {area}");
        // Another nation's urgent line is not offered.
        if postcode != "CF10 3NQ" {
            assert!(!b.contains("NHS 111 Wales"), "{postcode}");
        }
        // The area's community team, with how to get referred.
        assert!(
            b[services..units].contains("How to get referred"),
            "{postcode}"
        );
        assert!(
            b[services..units].contains("specialist perinatal mental health team"),
            "{postcode}"
        );
        // The nearest units, with distances.
        assert!(b[units..].contains(" miles ("), "{postcode}: miles first");
        assert!(b[units..].contains(" km)"), "{postcode}");
        assert!(b[units..].contains("/services/"), "{postcode}");
        // The postcode is shown back, and the language switch keeps the search (a
        // finder result stays a finder result in the other language).
        assert!(b.contains(&format!("<h1>Support for {postcode}</h1>")));
        let switch = format!(
            "href=\"/lang/cy?next=/support{}\"",
            mmha::web::url_encode(&format!("?postcode={postcode}"))
        );
        assert_eq!(
            b.matches(&switch).count(),
            2,
            "{postcode}: both switch links"
        );
        // Attribution the data licences ask for.
        assert!(b.contains("Open Government Licence v3.0"));
        assert!(b.contains("GeoNames"));
    }
    // Cardiff's nearest unit is in Wales or just over the Severn, tens of km away.
    let b = app.get("/support?postcode=CF10+3NQ").await.body;
    let units = position(&b, "id=\"nearest-units\"");
    assert!(b[units..].contains("Uned Gobaith"));
}

#[tokio::test]
async fn support_page_gzip_from_the_area_skeleton_is_the_same_page() {
    let app = TestApp::new().await;
    let plain = app.get("/support?postcode=CF10+3NQ").await;
    let gz = app
        .get_with(
            "/support?postcode=CF10+3NQ",
            &[("accept-encoding", "gzip, br")],
        )
        .await;
    gz.assert_status(200);
    assert_eq!(gz.header("content-encoding"), "gzip");
    let mut out = String::new();
    flate2::read::GzDecoder::new(&gz.bytes[..])
        .read_to_string(&mut out)
        .expect("a valid gzip stream");
    assert_eq!(out, plain.body);
    assert!(gz.bytes.len() * 2 < plain.bytes.len());
    // Two postcodes in one area share the skeleton but not the postcode.
    let other = app.get("/support?postcode=CF10+1AA").await;
    other.assert_status(200);
    assert!(other.body.contains("CF10 1AA"));
    assert!(!other.body.contains("Support for CF10 3NQ"));
}

#[tokio::test]
async fn bad_input_gets_a_message_the_helplines_and_the_input_back() {
    let app = TestApp::new().await;
    let cases: &[(&str, u16, &str)] = &[
        ("", 400, "Enter a postcode or the name of a town"),
        ("😀😀", 400, "only has letters and numbers"),
        (
            "<script>alert(1)</script>",
            400,
            "only has letters and numbers",
        ),
        (
            "'; DROP TABLE areas; --",
            400,
            "only has letters and numbers",
        ),
        ("12345", 400, "does not look like a UK postcode"),
        (&"A".repeat(200), 400, "too long for a postcode"),
        ("JE2 3AB", 404, "Jersey"),
        ("IM1 1AA", 404, "Isle of Man"),
        ("ZZ99 9ZZ", 404, "could not find that postcode"),
        ("Nowhereville", 404, "could not find a place"),
    ];
    for (input, status, message) in cases {
        let res = app.get(&format!("/support?postcode={}", enc(input))).await;
        res.assert_status(*status)
            .assert_contains(message)
            .assert_contains("tel:999")
            .assert_contains("tel:116123")
            .assert_contains("id=\"postcode-error\"")
            .assert_contains("aria-invalid=\"true\"")
            .assert_not_contains("<script>alert");
        assert_eq!(res.header("cache-control"), "no-store");
    }
    // What was typed comes back in the box, escaped.
    let res = app
        .get(&format!("/support?postcode={}", enc("<b>x</b>")))
        .await;
    res.assert_contains("value=\"&#60;b&#62;x&#60;/b&#62;\"");
    // A terminated or new postcode still finds its district, and says so.
    let res = app.get("/support?postcode=CF10+9ZZ").await;
    res.assert_status(200)
        .assert_contains("could not find that exact postcode")
        .assert_contains("Cardiff and Vale University Health Board");
    // The JSON API keeps the help on failure too.
    let res = app.get("/api/v1/support?postcode=ZZ99+9ZZ").await;
    res.assert_status(404);
    let v = json(&res.body);
    assert!(v["error"].is_string());
    assert_eq!(v["help"]["emergency"][0]["phone"], "999");
    assert!(!v["help"]["urgent"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_finder_still_helps_when_the_database_is_down() {
    let app = TestApp::new().await;
    app.state.db.pool.close().await;
    let res = app.get("/support?postcode=CF10+3NQ").await;
    res.assert_status(200)
        .assert_contains("tel:999")
        .assert_contains("NHS 111 Wales")
        .assert_contains("Cardiff and Vale University Health Board")
        .assert_contains("Local services cannot be shown just now")
        .assert_not_contains("sqlx");
    let res = app.get("/support?postcode=nonsense!").await;
    res.assert_status(400).assert_contains("tel:116123");
    let res = app.get("/api/v1/lookup?postcode=EH1+1YZ").await;
    res.assert_status(200);
    assert_eq!(json(&res.body)["area"]["code"], "S08000024");
}

#[tokio::test]
async fn towns_positions_and_the_no_trace_post() {
    let app = TestApp::new().await;
    // A town, by its Welsh name.
    let res = app.get("/support?postcode=Caerdydd").await;
    res.assert_status(200)
        .assert_contains("Support for Cardiff")
        .assert_contains("Cardiff and Vale University Health Board");
    // Several places with one name: a choice, each with its health area.
    let res = app.get("/support?postcode=Newport").await;
    res.assert_status(200)
        .assert_contains("more than one place")
        .assert_contains("Aneurin Bevan University Health Board")
        .assert_contains("NHS Hampshire and Isle of Wight Integrated Care Board");
    let link = res
        .body
        .split("href=\"/support?place=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let res = app.get(&format!("/support?place={link}")).await;
    res.assert_status(200)
        .assert_contains("Support for Newport")
        .assert_contains("Aneurin Bevan");
    // The no-trace variant: a POST gives the same result.
    let res = app.post("/support", &[("postcode", "ls1 4ap")]).await;
    res.assert_status(200)
        .assert_contains("Support for LS1 4AP")
        .assert_contains("NHS West Yorkshire Integrated Care Board");
    assert_eq!(res.header("cache-control"), "no-store");
    // "Use my location": a position in the body of a POST.
    let res = app
        .post("/support", &[("lat", "55.953"), ("lon", "-3.188")])
        .await;
    res.assert_status(200)
        .assert_contains("Support near you")
        .assert_contains("Lothian");
    let res = app
        .post("/support", &[("lat", "48.85"), ("lon", "2.35")])
        .await;
    res.assert_status(404)
        .assert_contains("outside the four UK nations");
    let res = app.post("/support", &[("lat", "NaN"), ("lon", "x")]).await;
    res.assert_status(404).assert_contains("tel:999");
}

#[tokio::test]
async fn the_finder_speaks_welsh() {
    let app = TestApp::new().await;
    let res = app.get("/cy/support?postcode=CF10+3NQ").await;
    res.assert_status(200)
        .assert_contains("<html lang=\"cy\"")
        .assert_contains("Help nawr")
        .assert_contains("Eich ardal iechyd")
        .assert_contains("Ffoniwch 999")
        .assert_contains("Ardal iechyd: Bwrdd Iechyd Prifysgol Caerdydd a&#39;r Fro")
        .assert_contains("Yr unedau mamau a babanod agosaf");
    let res = app.get("/cy/support?postcode=%3C%3E").await;
    res.assert_status(400)
        .assert_contains("Dim ond llythrennau a rhifau");
    let v = json(&app.get("/api/v1/support?postcode=!!&lang=cy").await.body);
    assert!(v["error"].as_str().unwrap().contains("llythrennau"));
    // Half a position is no search: a plain 400 with help, not a server error.
    let res = app.get("/api/v1/support?lat=51.5").await;
    res.assert_status(400);
    let v = json(&res.body);
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(
        v["help"]["emergency"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

#[tokio::test]
async fn support_api_is_the_page_as_json() {
    let app = TestApp::new().await;
    let res = app.get("/api/v1/support?postcode=bt71nn").await;
    res.assert_status(200);
    assert_eq!(res.header("access-control-allow-origin"), "*");
    let v = json(&res.body);
    assert_eq!(v["query"]["label"], "BT7 1NN");
    assert_eq!(v["query"]["precision"], "postcode");
    assert_eq!(v["area"]["code"], "BHSCT");
    assert_eq!(v["area"]["nation"], "northern-ireland");
    assert!(v["area"]["provision"]["level"].is_i64());
    let urgent: Vec<&str> = v["help"]["urgent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["organisation"].as_str().unwrap())
        .collect();
    assert_eq!(urgent[0], "Lifeline", "{urgent:?}");
    assert!(!urgent.contains(&"NHS 111 Wales"));
    let services = v["services"].as_array().unwrap();
    assert!(!services.is_empty());
    assert!(services.iter().all(|s| s["referral"].is_string()));
    let units = v["mother_and_baby_units"].as_array().unwrap();
    assert_eq!(units.len(), 3);
    let d: Vec<i64> = units
        .iter()
        .map(|u| u["distance_km"].as_i64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    // Several places: the choices, each a link to its own answer.
    let v = json(&app.get("/api/v1/support?postcode=Newport").await.body);
    let href = v["choices"][0]["href"].as_str().unwrap().to_string();
    let v = json(&app.get(&href).await.body);
    assert_eq!(v["query"]["precision"], "place");
}

/// The `mmha` binary, run as staff would.
fn mmha(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mmha"))
        .args(args)
        .env("MMHA_DATA_DIR", &app.dir)
        .env("MMHA_DATABASE_URL", &app.database_url)
        .env_remove("MMHA_CONFIG")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn onspd_import_replaces_the_index_all_or_nothing() {
    let app = TestApp::new().await;
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/onspd-sample.csv"
    );
    let (ok, out) = mmha(&app, &["import", "postcodes", fixture]);
    assert!(ok, "{out}");
    assert!(out.contains("postcodes imported: 4"), "{out}");
    assert!(out.contains("skipped, terminated: 1"), "{out}");
    assert!(out.contains("skipped, no position: 1"), "{out}");
    assert!(
        out.contains("outside the four nations' health areas: 1"),
        "{out}"
    );
    assert!(out.contains("not a standard postcode: 1"), "{out}");
    assert!(
        out.contains("from the file: 3, from the position: 1"),
        "{out}"
    );
    // The running app switches to the new index when it notices the change.
    app.state.refresh_if_stale().await.unwrap();
    let lookup = |pc: &'static str| {
        let app = &app;
        async move {
            let res = app
                .get(&format!("/api/v1/lookup?postcode={}", enc(pc)))
                .await;
            (res.status.as_u16(), json(&res.body))
        }
    };
    // The file's ICB column wins over the shipped, derived one.
    let (s, v) = lookup("LS1 4AP").await;
    assert_eq!((s, v["area"]["code"].as_str()), (200, Some("E54000050")));
    // A postcode new in the file.
    let (_, v) = lookup("CF10 9ZZ").await;
    assert_eq!(v["precision"], "postcode");
    assert_eq!(v["area"]["code"], "W11000029");
    // Northern Ireland: no trust in the file, found from the position.
    let (_, v) = lookup("BT7 1NN").await;
    assert_eq!(v["area"]["code"], "BHSCT");
    // Terminated in the file: only its district is known now.
    let (_, v) = lookup("CF10 3NQ").await;
    assert_eq!(v["precision"], "district");

    // A damaged file: row and column named, nothing changed.
    let bad = app.dir.join("bad.csv");
    let mut text = std::fs::read_to_string(fixture).unwrap();
    text = text.replacen("\"55.950330\"", "\"fifty-five\"", 1);
    std::fs::File::create(&bad)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let (ok, out) = mmha(&app, &["import", "postcodes", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("row 4, lat"), "{out}");
    assert!(out.contains("nothing was imported"), "{out}");
    app.state.refresh_if_stale().await.unwrap();
    let (_, v) = lookup("CF10 9ZZ").await;
    assert_eq!(v["precision"], "postcode", "the previous import stays");

    // Back to the shipped index.
    let (ok, out) = mmha(&app, &["import", "postcodes", "--reset"]);
    assert!(ok, "{out}");
    app.state.refresh_if_stale().await.unwrap();
    let (_, v) = lookup("LS1 4AP").await;
    assert_eq!(v["area"]["code"], "E54000054");
    let (_, v) = lookup("CF10 3NQ").await;
    assert_eq!(v["precision"], "postcode");
}

/// Runs `mmha serve` on a free port with the most verbose logging, makes finder requests
/// of every kind, stops it, and looks for the postcode and the position in its log and in
/// the whole database.
#[tokio::test]
async fn postcodes_never_reach_the_logs_or_the_database() {
    let app = TestApp::new().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let log_path = app.dir.join("server.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mmha"))
        .arg("serve")
        .env("MMHA_DATA_DIR", &app.dir)
        .env("MMHA_DATABASE_URL", &app.database_url)
        .env("MMHA_BIND", format!("127.0.0.1:{port}"))
        .env("MMHA_LOG", "trace")
        .env_remove("MMHA_CONFIG")
        // To a file, not a pipe: trace logging fills a pipe's buffer long before the test
        // reads it, and the server would block on its next log line.
        .stdout(std::fs::File::create(&log_path).unwrap())
        .stderr(std::fs::File::create(app.dir.join("server.err")).unwrap())
        .spawn()
        .unwrap();
    let request = |raw: String| -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let mut up = false;
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(up, "server did not start");
    let get = |path: &str| {
        request(format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    };
    let r = get("/support?postcode=SW1A+2AA");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.contains("SW1A 2AA"));
    get("/support?postcode=sw1a2aa");
    get("/api/v1/lookup?postcode=SW1A%202AA");
    get("/api/v1/support?postcode=Sw1a2Aa");
    get("/support?postcode=SW1A+9ZZ");
    // The Welsh addresses and the language switch that carries a search.
    let r = get("/cy/support?postcode=SW1A+2AA");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    get("/cy/api/v1/support?postcode=Sw1a2Aa");
    let r = get("/lang/cy?next=%2Fsupport%3Fpostcode%3DSW1A%25202AA");
    assert!(r.starts_with("HTTP/1.1 303"), "{r}");
    let body = "postcode=SW1A+2AA";
    request(format!(
        "POST /support HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let body = "lat=51.50354&lon=-0.12770";
    request(format!(
        "POST /support HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    // Stop it as a service manager would; it saves its counts on the way out.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    child.wait().unwrap();
    let log = format!(
        "{}{}",
        std::fs::read_to_string(&log_path).unwrap(),
        std::fs::read_to_string(app.dir.join("server.err")).unwrap()
    );
    assert!(log.contains("/support"), "the log has the requests: {log}");
    let secrets = ["SW1A", "sw1a", "Sw1a", "2AA", "9ZZ", "51.50354", "0.12770"];
    for s in secrets {
        assert!(!log.contains(s), "{s} in the log");
    }
    // The whole database, as bytes (SQLite) or every row as text (PostgreSQL).
    // The database is scanned for the postcodes in every form they were sent in, and the
    // outward code and coordinates alone. (Not the three-character inward codes alone:
    // SQLite's file is megabytes of binary pages, where "2AA" turns up by chance, which
    // once failed this test with no postcode stored.)
    let everything = database_text(&app).await;
    let stored_forms = [
        "SW1A",
        "sw1a",
        "Sw1a",
        "SW1A 2AA",
        "SW1A2AA",
        "sw1a2aa",
        "Sw1a2Aa",
        "SW1A+2AA",
        "SW1A%202AA",
        "SW1A 9ZZ",
        "SW1A+9ZZ",
        "51.50354",
        "0.12770",
    ];
    for s in stored_forms {
        if let Some(at) = everything.find(s) {
            let from = (0..=at.saturating_sub(60))
                .rev()
                .find(|i| everything.is_char_boundary(*i))
                .unwrap_or(0);
            let around: String = everything[from..].chars().take(140).collect();
            panic!("{s} in the database: {around:?}");
        }
    }
    // What is kept: searches per area per day.
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT area_code, CAST(SUM(searches) AS BIGINT) FROM finder_counts GROUP BY area_code ORDER BY area_code",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    // Seven English searches that found the area and two Welsh ones.
    assert_eq!(counts, vec![("E54000027".to_string(), 9)], "{counts:?}");
}

async fn database_text(app: &TestApp) -> String {
    if app.database_url.starts_with("sqlite") {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(&app.dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.contains(".sqlite") || name.contains(".db") {
                all.extend(std::fs::read(&p).unwrap());
            }
        }
        assert!(all.len() > 100_000, "found the database files");
        return String::from_utf8_lossy(&all).into_owned();
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert!(tables.len() > 10);
    let mut text = String::new();
    for t in tables {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(x AS TEXT) FROM \"{t}\" x"
        )))
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
        text.push_str(&rows.join("\n"));
    }
    text
}

#[tokio::test]
async fn staff_see_searches_per_area_with_small_counts_hidden() {
    let mut app = TestApp::new().await;
    let res = app.get("/admin/finder").await;
    assert!(
        res.status.is_redirection() || res.status.as_u16() == 401 || res.body.contains("password")
    );
    for _ in 0..6 {
        app.get("/support?postcode=CF10+3NQ")
            .await
            .assert_status(200);
    }
    app.get("/support?postcode=EH1+1YZ")
        .await
        .assert_status(200);
    app.get("/support?postcode=nonsense!")
        .await
        .assert_status(400);
    app.login_as(mmha::auth::Role::Editor).await;
    let res = app.get("/admin/finder").await;
    res.assert_status(200)
        .assert_contains("1805002")
        .assert_contains("Cardiff and Vale University Health Board</th><td>6</td>")
        .assert_contains("Lothian</th><td>fewer than 5</td>")
        .assert_contains("No area found")
        .assert_not_contains("CF10 3NQ")
        .assert_not_contains("EH1 1YZ");
    assert_eq!(res.header("cache-control"), "no-store");
}

/// Whether a nation has a mother and baby unit is worked out from the units' positions:
/// Northern Ireland has none, so a Belfast search says so plainly and names the nearest
/// units elsewhere, with their nation; Wales has one, so a Cardiff search does not.
#[tokio::test]
async fn a_nation_without_a_mother_and_baby_unit_is_told_so() {
    let app = TestApp::new().await;
    let b = app.get("/support?postcode=BT7+1NN").await.body;
    let units = &b[position(&b, "id=\"nearest-units\"")..];
    assert!(
        units.contains("There is no mother and baby unit in Northern Ireland."),
        "{}",
        &units[..600.min(units.len())]
    );
    assert!(units.contains("across the sea"));
    assert!(units.contains(", Scotland: about ") || units.contains(", England: about "));
    let cardiff = app.get("/support?postcode=CF10+3NQ").await.body;
    assert!(!cardiff.contains("There is no mother and baby unit"));
    // Wales has one open unit; take it out of service and Wales is told the same.
    let mut tx = app.state.db.begin_write().await.unwrap();
    sqlx::query(
        "UPDATE services SET status = 'defunct' WHERE kind = 'mbu' AND name LIKE '%Gobaith%'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    mmha::db::bump_content_version(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    app.state.refresh().await.unwrap();
    let cardiff = app.get("/support?postcode=CF10+3NQ").await.body;
    assert!(cardiff.contains("There is no mother and baby unit in Wales."));
    assert!(!cardiff.contains("across the sea"));
    // Welsh pages say it in Welsh.
    let cy = app.get("/cy/support?postcode=BT7+1NN").await.body;
    assert!(cy.contains("Does dim uned mamau a babanod yng Ngogledd Iwerddon."));
}

/// The result's first screen: the nation's call buttons, then one line on the area's
/// specialist team and how to be referred, before the long lists.
#[tokio::test]
async fn a_result_leads_with_calls_then_the_local_team_in_one_line() {
    let app = TestApp::new().await;
    let b = app.get("/support?postcode=CF10+3NQ").await.body;
    let calls = position(&b, "class=\"calls\"");
    let wales = position(&b, "<a class=\"call\" href=\"tel:111\">");
    let samaritans = position(&b, "href=\"tel:116123\"");
    let line = position(&b, "class=\"area-line\"");
    let services = position(&b, "id=\"local-services\"");
    assert!(calls < wales && wales < samaritans && samaritans < line && line < services);
    assert!(b[wales..samaritans].contains("Then press 2"));
    assert!(b[line..services].contains("Your local specialist team is"));
    // Support lines (not urgent) come after the local services, for this nation only.
    let more = position(&b, "id=\"more-help\"");
    assert!(more > services);
    assert!(b[more..].contains("CALL Mental Health Helpline for Wales"));
    assert!(!b[more..].contains("Breathing Space"));
}
