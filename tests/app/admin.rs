//! Site settings, staff accounts, helplines and impact figures.

use mmha::auth::Role;

use crate::harness::TestApp;

pub(crate) fn settings_form<'a>(name: &'a str, primary: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("short_name", "TA"),
        ("vision", "Every family gets care."),
        ("vision_cy", "Gofal i bob teulu."),
        ("nation", "england"),
        ("nation", "wales"),
        ("colour_primary", primary),
        ("colour_accent", "#00703c"),
        ("contact_media", "press@example.org"),
        ("contact_membership", ""),
        ("contact_other", "hello@example.org"),
        ("featured_title", ""),
        ("featured_text", ""),
        ("featured_link", ""),
        ("footer_text", "Registered charity 123"),
        ("exit_url", "https://www.example.com/weather"),
    ]
}

#[tokio::test]
async fn admin_changes_site_identity_and_it_shows_at_once() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    // Warm the cache first, so the test proves invalidation.
    app.get("/")
        .await
        .assert_contains("Maternal Mental Health Alliance");
    let res = app
        .post(
            "/admin/settings",
            &settings_form("Test Alliance", "#123456"),
        )
        .await;
    res.assert_status(303);
    let home = app.another_browser().get("/").await;
    home.assert_contains("<span class=\"logo-name\">Test Alliance</span>")
        .assert_contains("Every family gets care.")
        .assert_contains("press@example.org")
        .assert_contains("Registered charity 123")
        .assert_contains("data-exit-url=\"https://www.example.com/weather\"")
        .assert_not_contains("Membership enquiries");
    let theme = home.body.split("href=\"/theme/").nth(1).unwrap();
    let css = app
        .get(&format!("/theme/{}", &theme[..theme.find('"').unwrap()]))
        .await;
    css.assert_contains("--brand: #123456");
    app.another_browser()
        .get("/cy/")
        .await
        .assert_contains("Gofal i bob teulu.");
    // The exit goes to the new target.
    assert_eq!(
        app.get("/exit").await.location(),
        "https://www.example.com/weather"
    );
}

#[tokio::test]
async fn settings_validation() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    let mut form = settings_form("", "#ffff00");
    form.retain(|(k, _)| *k != "nation");
    form.push(("contact_media", "not-an-email"));
    form.retain(|(k, v)| !(*k == "contact_media" && *v == "press@example.org"));
    form.push(("exit_url", "javascript:alert(1)"));
    form.retain(|(k, v)| !(*k == "exit_url" && v.starts_with("https")));
    let res = app.post("/admin/settings", &form).await;
    res.assert_status(422)
        .assert_contains("Enter a name.")
        .assert_contains("choose a darker colour")
        .assert_contains("Choose at least one nation.")
        .assert_contains("Enter an email address")
        .assert_contains("starting with https://")
        .assert_contains("value=\"not-an-email\"");
    app.get("/")
        .await
        .assert_contains("Maternal Mental Health Alliance");
}

#[tokio::test]
async fn admin_manages_staff_accounts() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    let pw = "a long enough password";
    app.post(
        "/admin/users",
        &[
            ("email", "New.Editor@Example.org"),
            ("name", "Nia"),
            ("role", "editor"),
            ("password", pw),
        ],
    )
    .await
    .assert_status(303);
    app.get("/admin/users")
        .await
        .assert_contains("new.editor@example.org");
    let res = app
        .post(
            "/admin/users",
            &[
                ("email", "new.editor@example.org"),
                ("role", "editor"),
                ("password", pw),
            ],
        )
        .await;
    res.assert_status(422).assert_contains("already exists");
    let res = app
        .post(
            "/admin/users",
            &[
                ("email", "x@example.org"),
                ("role", "overlord"),
                ("password", "short"),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("Choose a role.")
        .assert_contains("at least 12");
    let mut editor = app.another_browser();
    editor
        .login("new.editor@example.org", pw)
        .await
        .assert_status(303);
    editor.get("/admin/pages").await.assert_status(200);

    // Changing the role takes effect on the next request.
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'new.editor@example.org'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    app.post(&format!("/admin/users/{id}/role"), &[("role", "moderator")])
        .await
        .assert_status(303);
    editor.get("/admin/pages").await.assert_status(403);

    // Admin sets a new password: old sessions end, new password works.
    let new_pw = "brand new long password";
    app.post(
        &format!("/admin/users/{id}/password"),
        &[("password", new_pw)],
    )
    .await
    .assert_status(303);
    editor.get("/admin").await.assert_status(303);
    editor
        .login("new.editor@example.org", new_pw)
        .await
        .assert_status(303);
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@example.org'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    app.post(&format!("/admin/users/{id}/disable"), &[])
        .await
        .assert_status(400)
        .assert_contains("only admin");
    app.post(&format!("/admin/users/{id}/role"), &[("role", "editor")])
        .await
        .assert_status(400);
    app.get("/admin").await.assert_status(200);
}

#[tokio::test]
async fn helplines_are_edited_and_verified() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let list = app.get("/admin/helplines").await;
    list.assert_status(200)
        .assert_contains("not verified")
        .assert_contains("never");
    let id: i64 = sqlx::query_scalar("SELECT id FROM helplines WHERE organisation = 'Samaritans'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    app.post(&format!("/admin/helplines/{id}/verify"), &[])
        .await
        .assert_status(303);
    let today = mmha::uktime::iso_date(mmha::db::now());
    app.get("/admin/helplines")
        .await
        .assert_contains(&format!("{today} by editor@example.org"));
    // Edit with a validation error keeps the input.
    let res = app
        .post(
            &format!("/admin/helplines/{id}"),
            &[
                ("organisation", "Samaritans"),
                ("phone", "116 123 typed"),
                ("tier", "nonsense"),
                ("number_verified", "yes"),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("Choose how urgent")
        .assert_contains("116 123 typed");
    // A new helpline appears on the public help page at once.
    app.post(
        "/admin/helplines/new",
        &[
            ("organisation", "Test Line"),
            ("phone", "0800 000 000"),
            ("tier", "crisis"),
            ("number_verified", "no"),
            ("sort_order", "1"),
        ],
    )
    .await
    .assert_status(303);
    app.another_browser()
        .get("/help")
        .await
        .assert_contains("Test Line")
        .assert_contains("tel:0800000000");
    // Without Welsh, its form says so beside each field, and Welsh pages show the
    // English marked as English.
    let test_id: i64 =
        sqlx::query_scalar("SELECT id FROM helplines WHERE organisation = 'Test Line'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let form = [
        ("organisation", "Test Line"),
        ("purpose", "Someone to talk to."),
        ("hours", "Every evening"),
        ("phone", "0800 000 000"),
        ("tier", "crisis"),
        ("number_verified", "no"),
        ("sort_order", "1"),
    ];
    app.post(&format!("/admin/helplines/{test_id}"), &form)
        .await
        .assert_status(303);
    app.get(&format!("/admin/helplines/{test_id}"))
        .await
        .assert_contains("Welsh missing")
        .assert_contains("name=\"purpose_cy\"");
    app.another_browser()
        .get("/cy/help")
        .await
        .assert_contains("<p lang=\"en\">Someone to talk to.</p>");
    // With the Welsh written beside the English, Welsh pages show it.
    let mut welsh = form.to_vec();
    welsh.extend([
        ("purpose_cy", "Rhywun i siarad ag e."),
        ("hours_cy", "Bob nos"),
        ("welsh_service", "yes"),
    ]);
    app.post(&format!("/admin/helplines/{test_id}"), &welsh)
        .await
        .assert_status(303);
    let cy = app.another_browser().get("/cy/help").await;
    cy.assert_contains("<p>Rhywun i siarad ag e.</p>")
        .assert_contains("Bob nos")
        .assert_contains("Gallwch siarad Cymraeg ar y llinell hon.")
        .assert_not_contains("Someone to talk to.");
    app.another_browser()
        .get("/help")
        .await
        .assert_contains("Someone to talk to.")
        .assert_contains("You can speak Welsh on this line.");
    // A made-up answer about Welsh is refused.
    let mut bad = form.to_vec();
    bad.push(("welsh_service", "maybe"));
    app.post(&format!("/admin/helplines/{test_id}"), &bad)
        .await
        .assert_status(422)
        .assert_contains("Say whether callers can speak Welsh");
}

#[tokio::test]
async fn impact_figures_drive_the_impact_page() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    app.get("/impact").await;
    app.post(
        "/admin/impact/new",
        &[
            ("section", "reach"),
            ("value", "12,345"),
            ("label", "Families helped"),
            ("nation", "wales"),
            ("sort_order", "1"),
        ],
    )
    .await
    .assert_status(303);
    app.get("/impact")
        .await
        .assert_contains("12,345")
        .assert_contains("Families helped");
    let res = app
        .post(
            "/admin/impact/new",
            &[("section", "x"), ("value", ""), ("label", "Kept label")],
        )
        .await;
    res.assert_status(422)
        .assert_contains("Choose a section.")
        .assert_contains("Kept label");
}

#[tokio::test]
async fn metrics_for_admins() {
    let mut app = TestApp::new().await;
    mmha::ops::metrics_handle();
    app.get("/").await;
    app.login_as(Role::Admin).await;
    let res = app.get("/admin/metrics").await;
    res.assert_status(200)
        .assert_contains("db_pool_connections");
}

#[tokio::test]
async fn dashboard_counts_demo_items() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let res = app.get("/admin").await;
    res.assert_status(200)
        .assert_contains("items are still marked as demo content");
}

/// The helpline form keeps each way to reach a line in its own field and asks for plain
/// words: the public card then offers a call, a text with its keyword, an email.
#[tokio::test]
async fn helplines_are_written_for_the_public_with_a_way_to_reach_them() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let res = app
        .post(
            "/admin/helplines/new",
            &[
                ("organisation", "Night Line"),
                ("purpose", "Support incl. triage to local teams"),
                ("hours", "Mon–Fri 7pm–7am"),
                ("phone", "0800 111 then 2"),
                ("tier", "crisis"),
                ("number_verified", "no"),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("write &#34;including&#34; instead of &#34;incl.&#34;")
        .assert_contains("write &#34;Monday&#34; instead of &#34;mon&#34;")
        .assert_contains("Enter the number as digits with spaces")
        .assert_contains("Support incl. triage to local teams");
    let res = app
        .post(
            "/admin/helplines/new",
            &[
                ("organisation", "No Way"),
                ("tier", "peer"),
                ("number_verified", "n/a"),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("Enter at least one way to reach the service");
    app.post(
        "/admin/helplines/new",
        &[
            ("organisation", "Night Line"),
            ("purpose", "Someone listens, through the night."),
            ("hours", "Every night, 7pm to 7am"),
            ("phone", "0800 111 222"),
            ("call_note", "Then press 2"),
            ("text_number", "60000"),
            ("text_body", "NIGHT"),
            ("email", "talk@nightline.example"),
            ("tier", "crisis"),
            ("number_verified", "yes"),
            ("sort_order", "1"),
        ],
    )
    .await
    .assert_status(303);
    let help = app.another_browser().get("/help").await;
    help.assert_contains("href=\"tel:0800111222\"")
        .assert_contains("Then press 2")
        .assert_contains("href=\"sms:60000?&#38;body=NIGHT\"")
        .assert_contains("Text NIGHT to 60000")
        .assert_contains("href=\"mailto:talk@nightline.example\"");
    // A UK-wide crisis line is one of the call buttons at the top.
    let calls = &help.body[help.body.find("class=\"calls\"").unwrap()..];
    let calls = &calls[..calls.find("</ul>").unwrap()];
    assert!(calls.contains("Call Night Line"), "{calls}");
}
