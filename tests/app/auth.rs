//! Staff accounts: login, throttling, sessions, roles, CSRF, setup link.

use mmha::auth::Role;

use crate::harness::TestApp;

const PW: &str = "correct horse battery staple";

#[tokio::test]
async fn anonymous_staff_area_redirects_to_login() {
    let app = TestApp::new().await;
    for path in [
        "/admin",
        "/admin/pages",
        "/admin/users",
        "/admin/pages/1/history",
    ] {
        let res = app.get(path).await;
        res.assert_status(303);
        assert!(
            res.location().starts_with("/admin/login?next=/admin"),
            "{path}: {}",
            res.location()
        );
    }
    let res = app.get("/admin/login?next=/admin/pages").await;
    res.assert_status(200)
        .assert_contains("name=\"next\" value=\"/admin/pages\"")
        .assert_contains("autocomplete=\"current-password\"");
    assert_eq!(res.header("cache-control"), "no-store");
}

#[tokio::test]
async fn login_success_rotates_session_and_logout_ends_it() {
    let mut app = TestApp::new().await;
    app.create_user("ed@example.org", Role::Editor, PW).await;
    let res = app.login("ED@Example.org ", PW).await;
    res.assert_status(303);
    assert_eq!(res.location(), "/admin");
    let cookie = res.header("set-cookie");
    assert!(cookie.starts_with("mmha_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let first = app.cookie.clone().unwrap();
    app.get("/admin")
        .await
        .assert_status(200)
        .assert_contains("Dashboard");

    // A second login gets a new session id.
    app.login("ed@example.org", PW).await.assert_status(303);
    let second = app.cookie.clone().unwrap();
    assert_ne!(first, second);

    // Logout ends this session on the server, not just in the browser.
    app.post("/admin/logout", &[]).await.assert_status(303);
    app.get("/admin").await.assert_status(303);
    // The earlier session is still valid until "log out everywhere".
    app.cookie = Some(first.clone());
    app.get("/admin").await.assert_status(200);
    app.post("/admin/logout-everywhere", &[])
        .await
        .assert_status(303);
    app.get("/admin").await.assert_status(303);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let mut app = TestApp::new().await;
    app.create_user("ed@example.org", Role::Editor, PW).await;
    let wrong = app.login("ed@example.org", "not the password").await;
    let unknown = app.login("nobody@example.org", "not the password").await;
    wrong.assert_status(422);
    unknown.assert_status(422);
    let msg = "The email address or password is not right.";
    wrong
        .assert_contains(msg)
        .assert_contains("value=\"ed@example.org\"");
    unknown
        .assert_contains(msg)
        .assert_contains("value=\"nobody@example.org\"");
    assert!(app.cookie.is_none());
    // Empty fields get their own message.
    app.login("", "")
        .await
        .assert_status(422)
        .assert_contains("Enter your email address");
}

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let mut app = TestApp::new().await;
    app.create_user("ed@example.org", Role::Editor, PW).await;
    for _ in 0..5 {
        app.login("ed@example.org", "guess guess guess")
            .await
            .assert_status(422);
    }
    // Even the right password is refused while throttled.
    let res = app.login("ed@example.org", PW).await;
    res.assert_status(429).assert_contains("Too many attempts");
    assert!(app.cookie.is_none());
}

#[tokio::test]
async fn disabled_accounts_cannot_log_in_and_lose_sessions() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    let id = app
        .create_user("mod@example.org", Role::Moderator, PW)
        .await;
    let mut other = app.another_browser();
    other.login("mod@example.org", PW).await.assert_status(303);
    app.post(&format!("/admin/users/{id}/disable"), &[])
        .await
        .assert_status(303);
    other.get("/admin").await.assert_status(303);
    other.login("mod@example.org", PW).await.assert_status(422);
}

#[tokio::test]
async fn moderator_cannot_edit_pages() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Moderator).await;
    app.get("/admin").await.assert_status(200);
    app.get("/admin/pages").await.assert_status(403);
    app.get("/admin/pages/new").await.assert_status(403);
    let res = app
        .post(
            "/admin/pages/new",
            &[
                ("title", "Sneaky"),
                ("slug", "sneaky"),
                ("body", "x"),
                ("status", "published"),
            ],
        )
        .await;
    res.assert_status(403).assert_contains("permission");
    app.post("/admin/news/new", &[("title", "x")])
        .await
        .assert_status(403);
    app.get("/admin/users").await.assert_status(403);
    app.get("/admin/settings").await.assert_status(403);
    app.get("/admin/audit").await.assert_status(403);
    app.get("/sneaky").await.assert_status(404);
}

#[tokio::test]
async fn editor_cannot_manage_users_or_settings() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    app.get("/admin/pages").await.assert_status(200);
    app.get("/admin/users").await.assert_status(403);
    app.post(
        "/admin/users",
        &[
            ("email", "x@example.org"),
            ("role", "admin"),
            ("password", PW),
        ],
    )
    .await
    .assert_status(403);
    app.get("/admin/settings").await.assert_status(403);
    app.get("/admin/metrics").await.assert_status(403);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    let form = [
        ("title", "Evil"),
        ("slug", "evil"),
        ("body", "x"),
        ("status", "published"),
    ];
    let res = app
        .post_with(
            "/admin/pages/new",
            &form,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    res.assert_status(403)
        .assert_contains("sent from another website");
    let res = app
        .post_with(
            "/admin/pages/new",
            &form,
            &[("origin", "https://evil.example")],
        )
        .await;
    res.assert_status(403);
    app.get("/evil").await.assert_status(404);
    // Login itself is protected too (login CSRF).
    let res = app
        .post_with(
            "/admin/login",
            &[("email", "admin@example.org"), ("password", PW)],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    res.assert_status(403);
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    // A second app instance over the same database (as after a restart, or a second
    // instance behind a load balancer) accepts the session.
    let mut second = app.second_instance().await;
    second.cookie = app.cookie.clone();
    second.get("/admin").await.assert_status(200);
}

#[tokio::test]
async fn first_admin_via_one_time_setup_link() {
    let mut app = TestApp::new().await;
    app.get("/admin/setup?token=nonsense")
        .await
        .assert_status(404);
    let token = mmha::auth::store::create_setup_token(&app.state.db)
        .await
        .unwrap();
    let url = format!("/admin/setup?token={token}");
    app.get(&url)
        .await
        .assert_status(200)
        .assert_contains("Create the first admin");
    // Validation keeps the input.
    let res = app
        .post(
            "/admin/setup",
            &[
                ("token", &token),
                ("email", "boss@example.org"),
                ("name", "Boss"),
                ("password", "short"),
                ("password_again", "short"),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("value=\"boss@example.org\"")
        .assert_contains("At least 12")
        .assert_contains("Use at least 12 characters");
    let res = app
        .post(
            "/admin/setup",
            &[
                ("token", &token),
                ("email", "boss@example.org"),
                ("name", "Boss"),
                ("password", PW),
                ("password_again", PW),
            ],
        )
        .await;
    res.assert_status(303);
    // Used up.
    app.get(&url).await.assert_status(404);
    let res = app
        .post(
            "/admin/setup",
            &[
                ("token", &token),
                ("email", "x@example.org"),
                ("password", PW),
                ("password_again", PW),
            ],
        )
        .await;
    res.assert_status(400);
    app.login("boss@example.org", PW).await.assert_status(303);
    app.get("/admin/users")
        .await
        .assert_status(200)
        .assert_contains("boss@example.org");
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let mut app = TestApp::new().await;
    let email = app.login_as(Role::Editor).await;
    let mut other = app.another_browser();
    other.login(&email, PW).await.assert_status(303);
    let new_pw = "another long passphrase";
    let res = app
        .post(
            "/admin/account",
            &[
                ("current", "wrong wrong wrong"),
                ("password", new_pw),
                ("password_again", new_pw),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("current password is not right");
    let res = app
        .post(
            "/admin/account",
            &[
                ("current", PW),
                ("password", new_pw),
                ("password_again", new_pw),
            ],
        )
        .await;
    res.assert_status(200)
        .assert_contains("Your password has been changed");
    app.get("/admin").await.assert_status(200);
    other.get("/admin").await.assert_status(303);
    other.login(&email, new_pw).await.assert_status(303);
}

#[tokio::test]
async fn staff_actions_are_audited() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    app.post(
        "/admin/pages/new",
        &[
            ("title", "Audited page"),
            ("slug", "audited"),
            ("body", "Hello"),
            ("status", "draft"),
        ],
    )
    .await
    .assert_status(303);
    let res = app.get("/admin/audit").await;
    res.assert_status(200)
        .assert_contains("create_page")
        .assert_contains("Audited page (draft)")
        .assert_contains("admin@example.org")
        .assert_contains("login");
    let res = app.get("/admin/audit?action=create_page").await;
    res.assert_contains("<td>create_page</td>")
        .assert_not_contains("<td>login</td>");
}

#[tokio::test]
async fn an_ended_session_says_so() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let res = app.get("/admin/pages").await;
    res.assert_status(303);
    assert_eq!(res.location(), "/admin/login?next=/admin/pages&expired=1");
    app.get(res.location())
        .await
        .assert_status(200)
        .assert_contains("Your session has ended");
}
