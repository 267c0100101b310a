//! Membership: an organisation applies, staff review it with an email at each step, and
//! approval publishes its profile in the directory (filterable by nation and kind).

use crate::harness::TestApp;
use crate::mailing::{outbox, scalar};
use mmha::auth::Role;

fn application<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("name", "Bumps Together Powys"),
        ("kind", "community"),
        ("nation", "wales"),
        ("website", "bumps.example"),
        (
            "profile",
            "A peer-support group for new parents in Powys.\r\n\r\nWe meet weekly.",
        ),
        ("contact_name", "Ann Jones"),
        ("contact_email", "Ann@Bumps.example"),
        ("reason", "To learn from other groups and add our voice."),
        ("principles", "yes"),
    ];
    f.extend_from_slice(extra);
    f
}

#[tokio::test]
async fn an_application_is_reviewed_and_approval_publishes_the_profile() {
    let mut app = TestApp::new().await;
    app.get("/members")
        .await
        .assert_status(200)
        .assert_contains("0 members.");
    app.get("/members/apply")
        .await
        .assert_status(200)
        .assert_contains("The alliance&#39;s principles");

    // Problems next to their fields, everything typed kept.
    app.post(
        "/members/apply",
        &application(&[
            ("principles", ""),
            ("website", "javascript:alert(1)"),
            ("kind", "pirates"),
        ])
        .into_iter()
        .filter(|(k, _)| *k != "principles")
        .collect::<Vec<_>>(),
    )
    .await
    .assert_status(422)
    .assert_contains("Tick the box to agree to the alliance&#39;s principles")
    .assert_contains("Enter a website address like")
    .assert_contains("Choose the kind of organisation")
    .assert_contains("value=\"Bumps Together Powys\"")
    .assert_contains("We meet weekly.");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM members").await, 0);

    app.post("/members/apply", &application(&[]))
        .await
        .assert_status(303);
    let id = scalar(&app, "SELECT MAX(id) FROM members").await;
    let mails = outbox(&app).await;
    assert!(mails.iter().any(|m| m.header("To") == "ann@bumps.example"
        && m.header("Subject").contains("Application received")));
    let alert = mails
        .iter()
        .find(|m| m.header("To") == "membership@example.org")
        .expect("the membership mailbox is told");
    assert!(alert.text.contains(&format!("/admin/members/{id}")));
    // Not in the directory until approved.
    app.get("/members")
        .await
        .assert_not_contains("Bumps Together Powys");

    // Moderators do not handle membership; editors and admins do.
    let mut moderator = app.another_browser();
    moderator.login_as(Role::Moderator).await;
    moderator.get("/admin/members").await.assert_status(403);
    app.login_as(Role::Editor).await;
    app.get("/admin")
        .await
        .assert_contains("Membership applications waiting: 1");
    let page = format!("/admin/members/{id}");
    app.get(&page)
        .await
        .assert_contains("To learn from other groups")
        .assert_contains("https://bumps.example");
    app.post(&format!("{page}/decision"), &[("step", "review")])
        .await
        .assert_status(303);
    // Declining needs a reason; a step that does not apply is refused.
    app.post(
        &format!("{page}/decision"),
        &[("step", "decline"), ("reason", " ")],
    )
    .await
    .assert_status(422)
    .assert_contains("Give a reason");
    app.post(&format!("{page}/decision"), &[("step", "remove")])
        .await
        .assert_status(400);
    // Staff correct the profile, then approve.
    app.post(
        &page,
        &[
            ("name", "Bumps Together (Powys)"),
            ("kind", "community"),
            ("nation", "wales"),
            ("website", "https://bumps.example"),
            ("profile", "A peer-support group for new parents in Powys."),
        ],
    )
    .await
    .assert_status(303);
    app.post(&format!("{page}/decision"), &[("step", "approve")])
        .await
        .assert_status(303);
    let slug: String = sqlx::query_scalar("SELECT slug FROM members WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(slug, "bumps-together-powys");
    let visitor = app.another_browser();
    visitor
        .get("/members?nation=wales&type=community")
        .await
        .assert_contains("Bumps Together (Powys)")
        .assert_contains(&format!("/members/{slug}"));
    visitor
        .get("/members?nation=scotland")
        .await
        .assert_not_contains("Bumps Together");
    visitor
        .get(&format!("/members/{slug}"))
        .await
        .assert_status(200)
        .assert_contains("A peer-support group for new parents in Powys.")
        .assert_contains("href=\"https://bumps.example\"")
        .assert_not_contains("ann@bumps.example");
    let subjects: Vec<String> = outbox(&app)
        .await
        .iter()
        .filter(|m| m.header("To") == "ann@bumps.example")
        .map(|m| m.header("Subject"))
        .collect();
    assert_eq!(
        subjects.len(),
        3,
        "received, under review, approved: {subjects:?}"
    );
    assert!(subjects[2].contains("Welcome"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE target_kind = 'member'"
        )
        .await,
        3,
        "review, edit, approval"
    );
    // A logo: only a real picture, stored without its location data.
    app.post_multipart(
        &format!("{page}/logo"),
        &[],
        Some(("logo", "logo.gif", b"GIF89a fake")),
    )
    .await
    .assert_status(422)
    .assert_contains("Choose a JPEG, PNG or WebP picture");
    app.post_multipart(
        &format!("{page}/logo"),
        &[],
        Some(("logo", "logo.jpg", &crate::harness::jpeg_with_location())),
    )
    .await
    .assert_status(303);
    let logo: String = sqlx::query_scalar("SELECT logo FROM members WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(logo.ends_with(".jpg"), "{logo}");
    visitor
        .get("/members")
        .await
        .assert_contains(&format!("src=\"/images/{logo}\""));
    let img = visitor.get(&format!("/images/{logo}")).await;
    img.assert_status(200);
    assert_eq!(img.header("content-type"), "image/jpeg");
    assert!(img.header("cache-control").contains("immutable"));
    assert!(!img.body.contains("GPS") && !img.body.contains("Home Street"));
    visitor
        .get("/images/..%2F..%2Fmmha.sqlite3")
        .await
        .assert_status(404);
    visitor.get("/images/abc.svg").await.assert_status(404);
    // A member that leaves comes off the directory.
    app.post(&format!("{page}/decision"), &[("step", "remove")])
        .await
        .assert_status(303);
    visitor
        .get(&format!("/members/{slug}"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn a_declined_application_is_told_why_and_never_listed() {
    let mut app = TestApp::new().await;
    app.post("/members/apply", &application(&[]))
        .await
        .assert_status(303);
    let id = scalar(&app, "SELECT MAX(id) FROM members").await;
    app.login_as(Role::Admin).await;
    app.post(
        &format!("/admin/members/{id}/decision"),
        &[
            ("step", "decline"),
            ("reason", "We only accept UK-wide bodies this year."),
        ],
    )
    .await
    .assert_status(303);
    let mails = outbox(&app).await;
    let m = mails
        .iter()
        .find(|m| m.header("Subject").starts_with("Your application"))
        .expect("decline email");
    assert!(m.text.contains("We only accept UK-wide bodies this year."));
    app.another_browser()
        .get("/members")
        .await
        .assert_not_contains("Bumps Together");
}

#[tokio::test]
async fn pictures_nothing_refers_to_are_purged_after_a_day() {
    let app = TestApp::new().await;
    let dir = app.state.config.uploads_dir().join("images");
    std::fs::create_dir_all(&dir).unwrap();
    let old_orphan = dir.join("0123456789abcdef01234567.jpg");
    let new_orphan = dir.join("1123456789abcdef01234567.jpg");
    let old_logo = dir.join("2123456789abcdef01234567.png");
    let two_days = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    for (p, old) in [(&old_orphan, true), (&new_orphan, false), (&old_logo, true)] {
        std::fs::write(p, b"picture").unwrap();
        if old {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(two_days)
                .unwrap();
        }
    }
    sqlx::query(
        "INSERT INTO members (name, kind, nation, contact_name, contact_email, \
         principles_version, created_at, updated_at, logo) \
         VALUES ('Logo Org', 'charity', 'wales', 'A', 'a@example.org', 'v', 0, 0, $1)",
    )
    .bind("2123456789abcdef01234567.png")
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(mmha::uploads::purge_orphans(&app.state).await.unwrap(), 1);
    assert!(!old_orphan.exists(), "an old picture nothing uses goes");
    assert!(
        new_orphan.exists(),
        "a recent one may belong to a form being filled in"
    );
    assert!(old_logo.exists(), "a picture in use stays");
}
