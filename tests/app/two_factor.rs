//! Two-factor login for staff: enrolment with a server-drawn QR code, the code step of
//! login (no session before it), replay and guessing refused, recovery codes, enforcement
//! for admins, and the command-line reset.

use crate::cli::mmha;
use crate::harness::TestApp;
use crate::harness::hidden;
use crate::mailing::scalar;
use mmha::auth::Role;
use mmha::auth::totp;

const PASSWORD: &str = "correct horse battery staple";

async fn secret(app: &TestApp, email: &str) -> Vec<u8> {
    let s: String = sqlx::query_scalar(
        "SELECT t.secret FROM user_totp t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    totp::decode_secret(&s).unwrap()
}

/// The code for `now + offset` steps.
fn code(secret: &[u8], offset: i64) -> String {
    code_for(secret, mmha::db::now() / 30 + offset)
}

/// The code of one 30-second step. A test that uses "the same code" twice computes it
/// once: `code(.., 1)` called again after a step boundary is a different code.
fn code_for(secret: &[u8], step: i64) -> String {
    format!("{:06}", totp::code_at(secret, step as u64))
}

/// Password step; returns the challenge from the code page.
async fn password_step(app: &TestApp, email: &str) -> String {
    let res = app
        .post(
            "/admin/login",
            &[
                ("email", email),
                ("password", PASSWORD),
                ("next", "/admin/pages"),
            ],
        )
        .await;
    res.assert_status(200)
        .assert_contains("Enter your login code");
    assert_eq!(res.header("set-cookie"), "", "no session before the code");
    hidden(&res.body, "challenge")
}

/// Code step; on success keeps the session cookie in `app`.
async fn code_step(app: &mut TestApp, challenge: &str, code: &str) -> u16 {
    let res = app
        .post(
            "/admin/login/code",
            &[("challenge", challenge), ("code", code)],
        )
        .await;
    if res.status.as_u16() == 303
        && let Some(c) = res.header("set-cookie").split(';').next()
        && !c.is_empty()
    {
        app.cookie = Some(c.to_string());
    }
    res.status.as_u16()
}

#[tokio::test]
async fn enrolment_then_login_needs_a_fresh_code_or_a_recovery_code() {
    let mut app = TestApp::new().await;
    let email = app.login_as(Role::Editor).await;
    let page = app.get("/admin/account/two-factor").await;
    page.assert_status(200)
        .assert_contains("<svg")
        .assert_contains("role=\"img\"")
        .assert_contains("class=\"secret\"");
    let key = secret(&app, &email).await;
    // The step the codes below are for, fixed once (see `code_for`).
    let step = mmha::db::now() / 30;
    app.post("/admin/account/two-factor", &[("code", "000000")])
        .await
        .assert_status(422)
        .assert_contains("That code did not work");
    let res = app
        .post(
            "/admin/account/two-factor",
            &[("code", &code_for(&key, step))],
        )
        .await;
    res.assert_status(200)
        .assert_contains("Two-factor login is on.")
        .assert_contains("Your recovery codes");
    let recovery: Vec<String> = res
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM user_recovery_codes WHERE code_hash LIKE '%-%'"
        )
        .await,
        0,
        "stored hashed"
    );

    // Logging in: the password alone gives no session.
    let mut browser = app.another_browser();
    let challenge = password_step(&browser, &email).await;
    browser.get("/admin").await.assert_status(303);
    // The code used to switch it on cannot be used again.
    assert_eq!(
        code_step(&mut browser, &challenge, &code_for(&key, step)).await,
        422
    );
    assert_eq!(
        code_step(&mut browser, &challenge, &code_for(&key, step + 1)).await,
        303
    );
    browser.get("/admin/pages").await.assert_status(200);

    // Seen over a shoulder: the same code fails in another browser.
    let mut other = app.another_browser();
    let challenge = password_step(&other, &email).await;
    assert_eq!(
        code_step(&mut other, &challenge, &code_for(&key, step + 1)).await,
        422
    );
    // A recovery code works, once (typed in capitals without the dash, too).
    let typed = recovery[0].replace('-', "").to_uppercase();
    assert_eq!(code_step(&mut other, &challenge, &typed).await, 303);
    other.get("/admin").await.assert_status(200);
    // The password step served by one instance and the code step by another (behind a
    // balancer, or a new day in between): the code step makes the day's address secret
    // before it opens its own write, so the two never wait on each other.
    let mut elsewhere = app.second_instance().await;
    let challenge = password_step(&app.another_browser(), &email).await;
    assert_eq!(
        code_step(&mut elsewhere, &challenge, &recovery[5]).await,
        303
    );
    elsewhere.get("/admin").await.assert_status(200);
    let mut third = app.another_browser();
    let challenge = password_step(&third, &email).await;
    assert_eq!(code_step(&mut third, &challenge, &recovery[0]).await, 422);
    // Guessing: after five wrong codes the challenge is gone.
    for _ in 0..3 {
        assert_eq!(code_step(&mut third, &challenge, "123456").await, 422);
    }
    assert_eq!(code_step(&mut third, &challenge, "123456").await, 303);
    assert_eq!(code_step(&mut third, &challenge, &recovery[1]).await, 303);
    third.get("/admin").await.assert_status(303);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM login_challenges").await,
        0,
        "used and exhausted challenges are gone"
    );

    // Changing it needs a current code.
    app.get("/admin/account/two-factor")
        .await
        .assert_contains("Recovery codes left: 8");
    app.post("/admin/account/two-factor/codes", &[("code", "999999")])
        .await
        .assert_status(422);
    // New recovery codes: the old ones stop working, ten fresh ones are shown once.
    let fresh = app
        .post("/admin/account/two-factor/codes", &[("code", &recovery[2])])
        .await;
    fresh.assert_status(200);
    let old = recovery;
    let recovery: Vec<String> = fresh
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10, "ten new codes shown");
    assert!(!recovery.contains(&old[3]), "the codes are new");
    app.post("/admin/account/two-factor/off", &[("code", &old[3])])
        .await
        .assert_status(422);
    app.get("/admin/account/two-factor")
        .await
        .assert_contains("Recovery codes left: 10");
    app.post("/admin/account/two-factor/off", &[("code", "999999")])
        .await
        .assert_status(422);
    app.post("/admin/account/two-factor/off", &[("code", &recovery[2])])
        .await
        .assert_status(303);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM user_totp").await, 0);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('two_factor_on', 'two_factor_off')"
        )
        .await,
        2
    );
    // Wrong codes count towards the account's lock-out like wrong passwords (a right
    // password does not reset the count while two-factor login is on).
    let mut again = app.another_browser();
    again
        .login(&email, PASSWORD)
        .await
        .assert_status(429)
        .assert_contains("Too many attempts");
    sqlx::query("DELETE FROM login_failures")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    // Switched off: the password is enough again.
    again.login(&email, PASSWORD).await.assert_status(303);
}

#[tokio::test]
async fn admins_can_be_required_to_use_it_and_a_lost_phone_is_reset_from_the_command_line() {
    let plain = TestApp::new().await;
    let mut app = plain
        .instance_with(|c| c.require_admin_two_factor = true)
        .await;
    let email = app.login_as(Role::Admin).await;
    // Until it is set up, every staff page leads to the setup.
    let res = app.get("/admin").await;
    res.assert_status(303);
    assert_eq!(res.location(), "/admin/account/two-factor");
    app.get("/admin/pages").await.assert_status(303);
    app.get("/admin/account/two-factor")
        .await
        .assert_status(200)
        .assert_contains("requires two-factor login for admins");
    let key = secret(&app, &email).await;
    app.post("/admin/account/two-factor", &[("code", &code(&key, 0))])
        .await
        .assert_status(200);
    app.get("/admin").await.assert_status(200);
    // It cannot be switched off here.
    app.post("/admin/account/two-factor/off", &[("code", &code(&key, 1))])
        .await
        .assert_status(409);
    // Editors are not required to.
    let mut editor = app.another_browser();
    editor.login_as(Role::Editor).await;
    editor.get("/admin").await.assert_status(200);

    // Phone and codes lost: an admin with server access resets it.
    let (ok, out) = mmha(&app, &["user", "reset-two-factor", "--email", &email], "");
    assert!(ok, "{out}");
    assert!(out.contains("switched off"), "{out}");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM user_totp").await, 0);
    app.get("/admin").await.assert_status(303);
}
