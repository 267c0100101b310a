//! Supporters and Lived Experience Champions: each person chooses what is shown through a
//! private link (nothing is listed before), and can leave, which deletes their entry.

use crate::harness::TestApp;
use crate::mailing::{link_in_mail, scalar};
use mmha::auth::Role;

#[tokio::test]
async fn supporters_choose_what_is_shown_and_can_leave() {
    let app = TestApp::new().await;
    app.get("/supporters")
        .await
        .assert_status(200)
        .assert_contains("0 supporters.");
    app.post(
        "/supporters/join",
        &[("kind", "individual"), ("name", ""), ("email", "nope")],
    )
    .await
    .assert_status(422)
    .assert_contains("Enter a name")
    .assert_contains("value=\"nope\"");
    app.post(
        "/supporters/join",
        &[
            ("kind", "individual"),
            ("name", "Sara Jane Evans"),
            ("email", "sara@example.org"),
            ("town", "Bangor"),
            ("nation", "wales"),
            ("show_name", "first"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("emailed you a private link");
    // Nothing shown before the link is used; the GET of the link changes nothing.
    let link = link_in_mail(&app, "sara@example.org", "/roster/manage/").await;
    app.get(&link)
        .await
        .assert_status(200)
        .assert_contains("Sara Jane Evans");
    app.get("/supporters").await.assert_not_contains("Sara");
    app.post(
        &link,
        &[
            ("show_name", "first"),
            ("town", "Bangor"),
            ("show_nation", "yes"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("Saved.");
    app.get("/supporters")
        .await
        .assert_contains("<strong>Sara</strong>, Bangor")
        .assert_not_contains("Evans")
        .assert_not_contains("sara@example.org");
    // Signing up again sends a new link rather than a second entry.
    app.post(
        "/supporters/join",
        &[
            ("kind", "individual"),
            ("name", "Sara Evans"),
            ("email", "SARA@example.org"),
            ("show_name", "full"),
        ],
    )
    .await
    .assert_status(200);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM roster").await, 1);
    let link = link_in_mail(&app, "sara@example.org", "/roster/manage/").await;
    // Counted without a name.
    app.post(&link, &[("show_name", "none")])
        .await
        .assert_status(200);
    app.get("/supporters")
        .await
        .assert_contains("1 supporters.")
        .assert_contains("1 supporters who chose not to show their name")
        .assert_not_contains("<strong>Sara");
    // Leaving deletes the entry.
    app.post(&format!("{link}/leave"), &[])
        .await
        .assert_status(200)
        .assert_contains("your details are deleted");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM roster").await, 0);
    app.get(&link).await.assert_status(404);
    app.post(&format!("{link}/leave"), &[])
        .await
        .assert_status(404);
}

#[tokio::test]
async fn staff_add_champions_who_choose_their_line_and_staff_can_hide_an_entry() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    app.post("/admin/roster", &[("name", "Priya Shah"), ("email", "bad")])
        .await
        .assert_status(422)
        .assert_contains("value=\"Priya Shah\"");
    app.post(
        "/admin/roster",
        &[
            ("name", "Priya Shah"),
            ("email", "priya@example.org"),
            ("nation", "scotland"),
        ],
    )
    .await
    .assert_status(303);
    app.get("/admin/roster?list=champion")
        .await
        .assert_contains("Has not used their link yet");
    let visitor = app.another_browser();
    visitor.get("/champions").await.assert_not_contains("Priya");
    let link = link_in_mail(&app, "priya@example.org", "/roster/manage/").await;
    let long = "x".repeat(201);
    visitor
        .post(&link, &[("show_name", "full"), ("line", &long)])
        .await
        .assert_status(422)
        .assert_contains("200 characters or fewer");
    visitor
        .post(
            &link,
            &[
                ("show_name", "full"),
                ("show_nation", "yes"),
                ("line", "Talking helped me; I want it to help others."),
            ],
        )
        .await
        .assert_status(200);
    visitor
        .get("/champions")
        .await
        .assert_contains("<strong>Priya Shah</strong>")
        .assert_contains("Scotland")
        .assert_contains("Talking helped me");
    // A photo, with its location removed; a file that is not a picture is refused.
    visitor
        .post_multipart(
            &link,
            &[("show_name", "full"), ("show_nation", "yes")],
            Some(("photo_file", "me.svg", b"<svg onload=alert(1)>")),
        )
        .await
        .assert_status(422)
        .assert_contains("Choose a JPEG, PNG or WebP picture");
    visitor
        .post_multipart(
            &link,
            &[
                ("show_name", "full"),
                ("show_nation", "yes"),
                ("line", "Talking helped me; I want it to help others."),
            ],
            Some((
                "photo_file",
                "me.jpg",
                &crate::harness::jpeg_with_location(),
            )),
        )
        .await
        .assert_status(200);
    let photo: String = sqlx::query_scalar("SELECT photo FROM roster")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    visitor
        .get("/champions")
        .await
        .assert_contains(&format!("/images/{photo}"));
    let img = visitor.get(&format!("/images/{photo}")).await;
    img.assert_status(200);
    assert!(!img.body.contains("GPS"));
    let id = scalar(&app, "SELECT id FROM roster").await;
    app.post(&format!("/admin/roster/{id}/hide"), &[])
        .await
        .assert_status(303);
    visitor.get("/champions").await.assert_not_contains("Priya");
    // Saving their choices again does not undo staff hiding.
    visitor
        .post(&link, &[("show_name", "first")])
        .await
        .assert_status(200);
    visitor.get("/champions").await.assert_not_contains("Priya");
    let mut moderator = app.another_browser();
    moderator.login_as(Role::Moderator).await;
    moderator.get("/admin/roster").await.assert_status(403);
    moderator
        .post(&format!("/admin/roster/{id}/show"), &[])
        .await
        .assert_status(403);
    // Staff can list it again.
    app.post(&format!("/admin/roster/{id}/show"), &[])
        .await
        .assert_status(303);
    visitor.get("/champions").await.assert_contains("Priya");
    // Leaving deletes the photo too.
    visitor
        .post(&format!("{link}/leave"), &[])
        .await
        .assert_status(200);
    visitor
        .get(&format!("/images/{photo}"))
        .await
        .assert_status(404);
}
