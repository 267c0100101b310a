//! Enquiries: the contact form by kind (without JavaScript), acknowledgement and team alert
//! emails, spam defences, and the staff inbox routed by role.

use crate::harness::TestApp;
use crate::mailing::{outbox, scalar};
use mmha::auth::Role;

fn media_form<'a>(deadline: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("type", "media"),
        ("name", "Sam Reporter"),
        ("email", "Sam@News.example"),
        ("outlet", "Evening News"),
        ("deadline", deadline),
        (
            "message",
            "Could someone talk to us about the new map?\r\n\r\nThanks.",
        ),
    ];
    f.extend_from_slice(extra);
    f
}

/// Sends an enquiry and returns its reference.
async fn send(app: &TestApp, form: &[(&str, &str)]) -> String {
    let res = app.post("/contact", form).await;
    res.assert_status(303);
    let loc = res.location().to_string();
    assert!(loc.starts_with("/contact/sent?ref="), "{loc}");
    loc.trim_start_matches("/contact/sent?ref=").to_string()
}

#[tokio::test]
async fn the_contact_form_follows_its_kind_keeps_input_and_acknowledges() {
    let app = TestApp::new().await;
    // Without JavaScript: a chooser, then the form for the chosen kind.
    app.get("/contact")
        .await
        .assert_status(200)
        .assert_contains("name=\"type\" value=\"media\"")
        .assert_contains("name=\"type\" value=\"membership\"")
        .assert_contains("This form is not for emergencies")
        .assert_not_contains("id=\"message\"");
    app.get("/contact?type=media")
        .await
        .assert_contains("id=\"outlet\"")
        .assert_contains("type=\"datetime-local\"")
        .assert_not_contains("id=\"organisation\"");
    app.get("/contact?type=membership")
        .await
        .assert_contains("id=\"organisation\"")
        .assert_not_contains("id=\"outlet\"");
    app.get("/contact?type=%3Cscript%3E")
        .await
        .assert_status(200)
        .assert_contains("What is your message about?");
    app.get("/").await.assert_contains("href=\"/contact\"");

    // Every problem next to its field; everything typed comes back.
    let long = "x".repeat(5001);
    let res = app
        .post(
            "/contact",
            &[
                ("type", "media"),
                ("name", ""),
                ("email", "sam at news"),
                ("phone", "call me"),
                ("outlet", ""),
                ("deadline", "2020-01-01T09:00"),
                ("message", &long),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("Enter your name")
        .assert_contains("Enter an email address in the correct format")
        .assert_contains("Enter a phone number")
        .assert_contains("Enter the publication, programme or outlet")
        .assert_contains("The deadline must be in the future")
        .assert_contains("Your message must be 5000 characters or fewer")
        .assert_contains("value=\"sam at news\"")
        .assert_contains("value=\"2020-01-01T09:00\"")
        .assert_contains(&long[..100]);
    let res = app
        .post(
            "/contact",
            &media_form(
                "2099-06-01T17:00",
                &[("message", ""), ("name", "<b>Sam</b>")],
            ),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Enter your message")
        .assert_contains("value=\"&#60;b&#62;Sam&#60;/b&#62;\"")
        .assert_not_contains("<b>Sam");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM enquiries").await, 0);

    // A good one: stored, acknowledged with a reference, the team told where to read it.
    let reference = send(&app, &media_form("2099-06-01T17:00", &[])).await;
    assert!(
        reference.starts_with("MED-") && reference.len() == 10,
        "{reference}"
    );
    app.get(&format!("/contact/sent?ref={reference}"))
        .await
        .assert_status(200)
        .assert_contains(&reference);
    app.get("/contact/sent?ref=%3Cscript%3Ealert(1)%3C/script%3E")
        .await
        .assert_status(200)
        .assert_not_contains("alert(1)");
    let (email, message, status, deadline): (String, String, String, Option<i64>) =
        sqlx::query_as("SELECT email, message, status, deadline FROM enquiries")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(email, "sam@news.example");
    assert_eq!(
        message,
        "Could someone talk to us about the new map?\n\nThanks."
    );
    assert_eq!(status, "new");
    assert_eq!(
        deadline,
        mmha::uktime::parse_uk_datetime("2099-06-01T17:00")
    );
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 2, "acknowledgement and team alert");
    let ack = mails
        .iter()
        .find(|m| m.header("To") == "sam@news.example")
        .expect("acknowledgement");
    assert!(ack.header("Subject").contains(&reference));
    assert!(ack.text.contains("2099-06-01 17:00"), "deadline noted");
    assert!(ack.text.contains("call 999"));
    assert_eq!(ack.header("Auto-Submitted"), "auto-generated");
    assert!(
        !ack.text.contains("about the new map"),
        "the message is not echoed"
    );
    let alert = mails
        .iter()
        .find(|m| m.header("To") == "media@example.org")
        .expect("alert to the media mailbox");
    assert!(alert.header("Subject").contains(&reference));
    assert!(alert.text.contains("/admin/enquiries/"));
    assert!(!alert.text.contains("about the new map") && !alert.text.contains("sam@news"));

    // In Welsh, the acknowledgement is in Welsh.
    let reference = app
        .post(
            "/cy/contact",
            &[
                ("type", "other"),
                ("name", "Nia"),
                ("email", "nia@example.org"),
                ("message", "Helo"),
            ],
        )
        .await
        .location()
        .trim_start_matches("/cy/contact/sent?ref=")
        .to_string();
    assert!(reference.starts_with("ENQ-"), "{reference}");
    let mails = outbox(&app).await;
    let ack = mails
        .iter()
        .find(|m| m.header("To") == "nia@example.org")
        .unwrap();
    assert!(ack.text.contains("Diolch am eich neges"), "{}", ack.text);
}

#[tokio::test]
async fn bots_and_floods_are_turned_away() {
    let app = TestApp::new().await;
    // The hidden field filled in: looks sent, nothing stored or mailed.
    app.post(
        "/contact",
        &media_form("", &[("website", "http://spam.example")]),
    )
    .await
    .assert_status(303);
    // Sent back faster than anyone types.
    let now = mmha::db::now().to_string();
    app.post("/contact", &media_form("", &[("started", &now)]))
        .await
        .assert_status(303);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM enquiries").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM mail_queue").await, 0);
    // Five an hour from one address; the sixth is refused with the text kept.
    for _ in 0..5 {
        send(&app, &media_form("", &[])).await;
    }
    app.post("/contact", &media_form("", &[]))
        .await
        .assert_status(429)
        .assert_contains("Too many messages")
        .assert_contains("Could someone talk to us");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM enquiries").await, 5);
}

#[tokio::test]
async fn each_role_sees_its_inbox_deadlines_first_and_handles_enquiries() {
    let mut editor = TestApp::new().await;
    let later = send(&editor, &media_form("2099-06-02T09:00", &[])).await;
    let sooner = send(&editor, &media_form("2099-06-01T09:00", &[])).await;
    let member = send(
        &editor,
        &[
            ("type", "membership"),
            ("name", "Ann"),
            ("email", "ann@bumps.example"),
            ("organisation", "Bumps Together"),
            ("nation", "wales"),
            ("message", "How do we join?"),
        ],
    )
    .await;
    let other = send(
        &editor,
        &[
            ("type", "other"),
            ("name", "Bo"),
            ("email", "bo@example.org"),
            ("message", "A question"),
        ],
    )
    .await;
    let id_of = |r: &str| {
        let pool = editor.state.db.pool.clone();
        let r = r.to_string();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM enquiries WHERE reference = $1")
                .bind(r)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let media_id = id_of(&sooner).await;
    let member_id = id_of(&member).await;

    editor.get("/admin/enquiries").await.assert_status(303);
    editor.login_as(Role::Editor).await;
    editor
        .get("/admin")
        .await
        .assert_contains("New enquiries waiting for your team: 2");
    let inbox = editor.get("/admin/enquiries").await;
    inbox.assert_status(200);
    // Media is the editors' by default: soonest deadline first; other kinds not shown.
    let (a, b) = (
        inbox.body.find(&sooner).expect("sooner listed"),
        inbox.body.find(&later).expect("later listed"),
    );
    assert!(a < b, "soonest deadline first");
    inbox
        .assert_not_contains(&member)
        .assert_not_contains(&other);
    editor
        .get(&format!("/admin/enquiries/{member_id}"))
        .await
        .assert_status(404);
    editor
        .get(&format!("/admin/enquiries/{media_id}"))
        .await
        .assert_status(200)
        .assert_contains("Evening News")
        .assert_contains("Could someone talk to us about the new map?\n\nThanks.");

    let mut moderator = editor.another_browser();
    moderator.login_as(Role::Moderator).await;
    let editor_id = scalar(&editor, "SELECT id FROM users WHERE role = 'editor'").await;
    let moderator_id = scalar(&editor, "SELECT id FROM users WHERE role = 'moderator'").await;
    moderator
        .get("/admin/enquiries")
        .await
        .assert_contains(&other)
        .assert_not_contains(&sooner);

    // Status, assignment and notes, each audited.
    let page = format!("/admin/enquiries/{media_id}");
    editor
        .post(
            &page,
            &[
                ("status", "in_progress"),
                ("assignee", &moderator_id.to_string()),
            ],
        )
        .await
        .assert_status(400);
    editor
        .post(
            &page,
            &[
                ("status", "in_progress"),
                ("assignee", &editor_id.to_string()),
            ],
        )
        .await
        .assert_status(303);
    editor
        .post(&format!("{page}/note"), &[("note", "  ")])
        .await
        .assert_status(422)
        .assert_contains("Write the note before saving it");
    editor
        .post(
            &format!("{page}/note"),
            &[("note", "Rang back; interview booked <b>Tue</b>")],
        )
        .await
        .assert_status(303);
    editor
        .get(&page)
        .await
        .assert_contains("interview booked &#60;b&#62;Tue&#60;/b&#62;")
        .assert_contains("<option value=\"in_progress\" selected>");
    editor
        .get("/admin/enquiries?mine=1")
        .await
        .assert_contains(&sooner)
        .assert_not_contains(&later);
    editor
        .get("/admin/enquiries?status=answered")
        .await
        .assert_contains("0 enquiries.");
    assert_eq!(
        scalar(
            &editor,
            "SELECT COUNT(*) FROM audit_log WHERE target_kind = 'enquiry'"
        )
        .await,
        2
    );
    // Moderators cannot touch media enquiries.
    moderator
        .post(&format!("{page}/note"), &[("note", "x")])
        .await
        .assert_status(404);

    // An admin sees every kind, and can route media to the moderators.
    let mut admin = editor.another_browser();
    admin.login_as(Role::Admin).await;
    admin
        .get("/admin/enquiries")
        .await
        .assert_contains(&member)
        .assert_contains(&other)
        .assert_contains(&sooner);
    let mut tx = admin.state.db.begin_write().await.unwrap();
    mmha::site::settings::save_settings(
        &mut tx,
        &[("route_media".to_string(), "moderator".to_string())],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    admin.state.refresh().await.unwrap();
    moderator
        .get("/admin/enquiries")
        .await
        .assert_contains(&sooner);
    editor.get("/admin/enquiries").await.assert_status(403);
}
