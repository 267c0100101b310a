//! The `mmha` binary's subcommands, run as a person would run them.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::harness::TestApp;

pub(crate) fn mmha(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String) {
    let (ok, out, err) = mmha_apart(app, args, stdin);
    (ok, format!("{out}{err}"))
}

/// [`mmha`] with standard output and standard error apart, for commands whose output is
/// data (an export): a warning on standard error (a slow query on a busy machine) is not
/// part of it.
fn mmha_apart(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmha"))
        .args(args)
        .env("MMHA_DATA_DIR", &app.dir)
        .env("MMHA_DATABASE_URL", &app.database_url)
        .env_remove("MMHA_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn user_commands_then_login_works() {
    let mut app = TestApp::new().await;
    let (ok, out) = mmha(
        &app,
        &[
            "user",
            "add",
            "--email",
            "a@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a very long password\n",
    );
    assert!(ok, "{out}");
    let (ok, out) = mmha(
        &app,
        &[
            "user",
            "add",
            "--email",
            "a@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a very long password\n",
    );
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = mmha(
        &app,
        &[
            "user",
            "add",
            "--email",
            "b@example.org",
            "--role",
            "editor",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!ok && out.contains("at least 12"), "{out}");
    let (ok, out) = mmha(
        &app,
        &[
            "user",
            "add",
            "--email",
            "b@example.org",
            "--role",
            "editor",
        ],
        "",
    );
    assert!(!ok && out.contains("--password-stdin"), "{out}");
    let (ok, out) = mmha(&app, &["user", "list"], "");
    assert!(
        ok && out.contains("a@example.org") && out.contains("admin"),
        "{out}"
    );

    app.login("a@example.org", "a very long password")
        .await
        .assert_status(303);
    app.get("/admin").await.assert_status(200);

    let (ok, out) = mmha(
        &app,
        &[
            "user",
            "reset-password",
            "--email",
            "a@example.org",
            "--password-stdin",
        ],
        "another long password\n",
    );
    assert!(ok, "{out}");
    app.get("/admin").await.assert_status(303);
    app.login("a@example.org", "another long password")
        .await
        .assert_status(303);

    let (ok, out) = mmha(&app, &["user", "disable", "--email", "a@example.org"], "");
    assert!(ok, "{out}");
    app.get("/admin").await.assert_status(303);
    let (ok, out) = mmha(&app, &["user", "list"], "");
    assert!(ok && out.contains("disabled"), "{out}");
    let (ok, _) = mmha(&app, &["user", "enable", "--email", "a@example.org"], "");
    assert!(ok);
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor_email = 'command line'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(audit >= 4);
}

#[tokio::test]
async fn migrate_and_backup() {
    let app = TestApp::new().await;
    let (ok, out) = mmha(&app, &["migrate"], "");
    assert!(ok && out.contains("Migrations applied"), "{out}");
    let target = app.dir.join("copy.sqlite3");
    let (ok, out) = mmha(&app, &["backup", "--out", target.to_str().unwrap()], "");
    if app.database_url.starts_with("postgres") {
        assert!(!ok && out.contains("pg_dump"), "{out}");
        return;
    }
    assert!(ok, "{out}");
    // The copy is a complete database: the app starts on it and shows the same content.
    let url = format!("sqlite://{}?mode=rw", target.display());
    let db = mmha::db::Db::connect(&url).await.unwrap();
    let pages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pages")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(pages >= 5);
    let (ok, out) = mmha(&app, &["backup", "--out", target.to_str().unwrap()], "");
    assert!(!ok && out.contains("already exists"), "{out}");
}

#[tokio::test]
async fn import_and_export_scores_from_the_command_line() {
    let app = TestApp::new().await;
    let bad = app.dir.join("bad.csv");
    std::fs::write(
        &bad,
        "area_code,year,level\nW11000029,2024,4\nNOPE,2024,2\nBHSCT,2024,9\n",
    )
    .unwrap();
    let (ok, out) = mmha(&app, &["import", "scores", bad.to_str().unwrap()], "");
    assert!(!ok, "{out}");
    assert!(
        out.contains("row 3, area_code: There is no area with the code “NOPE”."),
        "{out}"
    );
    assert!(
        out.contains("row 4, level: Enter a level from 0 to 5."),
        "{out}"
    );
    assert!(out.contains("nothing was imported"), "{out}");
    let n = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM area_scores WHERE year = 2024")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(n().await, 0);
    let good = app.dir.join("good.csv");
    std::fs::write(
        &good,
        "area_code,year,level\nW11000029,2024,4\nBHSCT,2024,3\n",
    )
    .unwrap();
    let (ok, out) = mmha(&app, &["import", "scores", good.to_str().unwrap()], "");
    assert!(ok && out.contains("Imported 2 scores"), "{out}");
    assert_eq!(n().await, 2);

    let (ok, csv, _) = mmha_apart(&app, &["export", "scores"], "");
    assert!(ok);
    assert!(
        csv.starts_with("area_code,year,level,note,source,criteria\n"),
        "{csv}"
    );
    assert!(csv.contains("W11000029,2024,4,,,"));
    // The export imports back unchanged (the round trip staff rely on).
    let again = app.dir.join("again.csv");
    std::fs::write(&again, &csv).unwrap();
    let (ok, out) = mmha(&app, &["import", "scores", again.to_str().unwrap()], "");
    assert!(ok, "{out}");

    let (ok, geo, _) = mmha_apart(&app, &["export", "services", "--format", "geojson"], "");
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(geo.trim()).unwrap();
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"].as_array().unwrap().len(), 88);
}

#[tokio::test]
async fn a_new_boundary_release_retires_areas_and_keeps_history() {
    let app = TestApp::new().await;
    // Merge two Welsh boards into one new code: the old ones must be retired, linked to it.
    let wales: serde_json::Value =
        serde_json::from_str(include_str!("../../seed/geo/wales-lhb-2022.geojson")).unwrap();
    let mut features: Vec<serde_json::Value> = wales["features"].as_array().unwrap().clone();
    let cardiff = features
        .iter()
        .position(|f| f["properties"]["code"] == "W11000029")
        .unwrap();
    let mut merged = features.remove(cardiff);
    merged["properties"]["code"] = "W11000099".into();
    merged["properties"]["name"] = "Test merged board".into();
    features.push(merged);
    for file in [
        "england-icb-2023",
        "scotland-hb-2019",
        "northern-ireland-hsct-2018",
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/seed/geo/{file}.geojson",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        features.extend(v["features"].as_array().unwrap().iter().cloned());
    }
    let release = serde_json::json!({"type": "FeatureCollection", "features": features});
    let path = app.dir.join("release.geojson");
    std::fs::write(&path, release.to_string()).unwrap();

    // A broken file changes nothing and says where it is broken.
    let broken = app.dir.join("broken.geojson");
    std::fs::write(&broken, r#"{"type":"FeatureCollection","features":[{"properties":{"code":"X1","name":"X","nation":"mars"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]}"#).unwrap();
    let (ok, out) = mmha(&app, &["import", "areas", broken.to_str().unwrap()], "");
    assert!(
        !ok && out.contains("feature 1, nation") && out.contains("nothing was imported"),
        "{out}"
    );

    let (ok, out) = mmha(
        &app,
        &[
            "import",
            "areas",
            path.to_str().unwrap(),
            "--release",
            "test 2027",
        ],
        "",
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("retired W11000029 (succeeded by W11000099)"),
        "{out}"
    );
    assert!(out.contains("1 added, 67 updated, 1 retired"), "{out}");

    app.state.refresh().await.unwrap();
    let atlas = app.state.atlas();
    assert!(atlas.area("W11000029").is_none());
    assert!(atlas.area("W11000099").is_some());
    // The old page still works, says it is retired and links on; its history is kept.
    let page = app.get("/areas/W11000029").await;
    page.assert_status(200)
        .assert_contains("no longer exists in the current NHS boundaries")
        .assert_contains("href=\"/areas/W11000099\"")
        .assert_contains("<th scope=\"row\">2017</th>");
    let api: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/areas/W11000029").await.body).unwrap();
    assert_eq!(api["retired"], true);
    assert_eq!(api["successor"], "W11000099");
    // New scores cannot go to a retired area.
    let csv = app.dir.join("retired.csv");
    std::fs::write(&csv, "area_code,year,level\nW11000029,2027,3\n").unwrap();
    let (ok, out) = mmha(&app, &["import", "scores", csv.to_str().unwrap()], "");
    assert!(!ok && out.contains("is retired"), "{out}");
}

#[tokio::test]
async fn user_add_works_on_a_brand_new_data_dir() {
    let app = TestApp::new().await;
    if app.database_url.starts_with("postgres") {
        return; // The point is SQLite's file in a directory that does not exist yet.
    }
    let fresh = app.dir.join("not-yet").join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_mmha"))
        .args([
            "user",
            "add",
            "--email",
            "first@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .env("MMHA_DATA_DIR", &fresh)
        .env_remove("MMHA_DATABASE_URL")
        .env_remove("MMHA_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"a long first password\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(fresh.join("mmha.sqlite3").exists());
}

#[tokio::test]
async fn import_services_from_a_spreadsheet() {
    let app = TestApp::new().await;
    let bad = app.dir.join("services-bad.csv");
    std::fs::write(
        &bad,
        "name,organization,kind,status,minimum_age,maximum_age,latitude,longitude,areas\n\
         Newport MMHS,Aneurin Bevan UHB,mmhs,active,18,,51.588,-2.998,W11000028\n\
         ,Somebody,mbu,active,,,,,\n\
         Somewhere,Someone,spaceship,open,40,20,51.5,,W99999999\n",
    )
    .unwrap();
    let (ok, out) = mmha(&app, &["import", "services", bad.to_str().unwrap()], "");
    assert!(!ok, "{out}");
    for expected in [
        "row 3, name:",
        "row 4, kind:",
        "row 4, status:",
        "row 4, maximum_age: The oldest age must not be below the youngest.",
        "row 4, latitude:",
        "row 4, areas:",
        "nothing was imported",
    ] {
        assert!(out.contains(expected), "{expected} in {out}");
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM services")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 88);
    let good = app.dir.join("services.csv");
    std::fs::write(
        &good,
        "name,organization,kind,minimum_age,latitude,longitude,areas,source_url\n\
         Newport MMHS,Aneurin Bevan UHB,mmhs,18,51.588,-2.998,W11000028;W11000029,https://example.org/mmhs\n",
    )
    .unwrap();
    let (ok, out) = mmha(&app, &["import", "services", good.to_str().unwrap()], "");
    assert!(ok && out.contains("1 added, 0 updated"), "{out}");
    assert_eq!(count().await, 89);
    app.state.refresh().await.unwrap();
    app.get("/areas/W11000029")
        .await
        .assert_contains("Newport MMHS");
    // Updating by id.
    let id: String = sqlx::query_scalar("SELECT id FROM services WHERE name = 'Newport MMHS'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    std::fs::write(
        &good,
        format!("id,name,organization,kind,status\n{id},Newport MMHS,Aneurin Bevan UHB,mmhs,temporarily closed\n"),
    )
    .unwrap();
    let (ok, out) = mmha(&app, &["import", "services", good.to_str().unwrap()], "");
    assert!(ok && out.contains("0 added, 1 updated"), "{out}");
    let status: String = sqlx::query_scalar("SELECT status FROM services WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "temporarily closed");
}
