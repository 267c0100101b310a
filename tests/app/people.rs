//! One person's data across capabilities: found, downloaded and erased together.

use crate::harness::TestApp;
use crate::mailing::{outbox, scalar};
use mmha::auth::Role;

#[tokio::test]
async fn one_address_is_found_and_erased_across_mailing_list_enquiries_and_stories() {
    let mut app = TestApp::new().await;
    let email = "Jo@Example.org";
    app.post(
        "/subscribe",
        &[("email", email), ("topic", "ebulletin"), ("consent", "yes")],
    )
    .await
    .assert_status(303);
    app.post(
        "/contact",
        &[
            ("type", "other"),
            ("name", "Jo"),
            ("email", email),
            ("message", "Where can I find the leaflet?"),
        ],
    )
    .await
    .assert_status(303);
    app.post(
        "/stories/new",
        &[
            ("title", "Jo's year"),
            (
                "body",
                "It was hard at first, and then a group near us helped a lot.",
            ),
            ("scope", "anonymous"),
            ("email", email),
            ("consent", "yes"),
        ],
    )
    .await
    .assert_status(200);
    app.post(
        "/members/apply",
        &[
            ("name", "Jo's Group"),
            ("kind", "community"),
            ("nation", "wales"),
            ("profile", "A group."),
            ("contact_name", "Jo"),
            ("contact_email", email),
            ("reason", "To join."),
            ("principles", "yes"),
        ],
    )
    .await
    .assert_status(303);
    app.post(
        "/supporters/join",
        &[
            ("kind", "individual"),
            ("name", "Jo Bloggs"),
            ("email", email),
            ("show_name", "first"),
        ],
    )
    .await
    .assert_status(200);
    // Someone else's data stays.
    app.post(
        "/contact",
        &[
            ("type", "other"),
            ("name", "Sam"),
            ("email", "sam@example.org"),
            ("message", "Hello"),
        ],
    )
    .await
    .assert_status(303);
    outbox(&app).await;

    let mut moderator = app.another_browser();
    moderator.login_as(Role::Moderator).await;
    moderator.get("/admin/people").await.assert_status(403);
    app.login_as(Role::Admin).await;
    app.get("/admin/people?email=jo%40example.org")
        .await
        .assert_status(200)
        .assert_contains("Where can I find the leaflet?")
        .assert_contains("Jo&#39;s year");
    let json = app
        .get("/admin/people?email=jo%40example.org&format=json")
        .await;
    assert_eq!(json.header("cache-control"), "no-store");
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v["mailing_list"]["status"], "pending");
    assert_eq!(
        v["enquiries"][0]["message"],
        "Where can I find the leaflet?"
    );
    assert_eq!(v["stories"][0]["consent_scope"], "anonymous");
    assert_eq!(v["membership_contact"][0]["organisation"], "Jo's Group");
    assert_eq!(v["supporters_and_champions"][0]["name"], "Jo Bloggs");

    app.post(
        "/admin/people",
        &[("email", "jo@example.org"), ("confirm", "yes")],
    )
    .await
    .assert_status(200)
    .assert_contains("Enquiries deleted: 1")
    .assert_contains("Stories withdrawn and erased: 1")
    .assert_contains("Membership contacts removed: 1")
    .assert_contains("Supporter and Champion entries deleted: 1");
    for sql in [
        "SELECT COUNT(*) FROM subscribers WHERE email = 'jo@example.org'",
        "SELECT COUNT(*) FROM enquiries WHERE email = 'jo@example.org'",
        "SELECT COUNT(*) FROM stories WHERE body LIKE '%group near us%' OR email <> ''",
        "SELECT COUNT(*) FROM members WHERE contact_email <> '' OR contact_name <> ''",
        "SELECT COUNT(*) FROM roster",
    ] {
        assert_eq!(scalar(&app, sql).await, 0, "{sql}");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM enquiries WHERE email = 'sam@example.org'"
        )
        .await,
        1
    );
    app.get("/admin/people?email=jo%40example.org")
        .await
        .assert_contains("Nothing is held about this address.");
    let summaries: Vec<String> =
        sqlx::query_scalar("SELECT summary FROM audit_log WHERE action = 'data_erase'")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(summaries.len(), 1);
    assert!(
        summaries[0].contains("1 enquiries, 1 stories"),
        "{}",
        summaries[0]
    );
    assert!(!summaries[0].contains("jo@"));
}
