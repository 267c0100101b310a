//! The `mmha` binary's subcommands, run as a person would run them.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::harness::TestApp;

fn mmha(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String) {
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
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
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
