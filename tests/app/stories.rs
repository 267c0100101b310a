//! Lived-experience stories: a draft never lost on an error, the safeguarding check,
//! moderation with redaction within the consent scope, and withdrawal that unpublishes
//! everywhere and erases the text.

use crate::harness::TestApp;
use crate::mailing::{outbox, scalar};
use mmha::auth::Role;

const BODY: &str = "After my son Ben was born I stopped sleeping.\r\n\r\nDr Patel at the \
    clinic listened, and the perinatal team visited every week. It got better.";

fn story_form<'a>(scope: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("title", "The team that listened"),
        ("body", BODY),
        ("scope", scope),
        ("first_name", "Amy"),
        ("town", "Cardiff"),
        ("nation", "wales"),
        ("teller", "mum"),
        ("email", "amy@example.org"),
        ("consent", "yes"),
    ];
    f.extend_from_slice(extra);
    f
}

async fn story_id(app: &TestApp) -> i64 {
    scalar(app, "SELECT MAX(id) FROM stories").await
}

/// The private withdrawal link's path, from the page shown after sending.
fn withdraw_path(body: &str) -> String {
    let i = body
        .find("/stories/withdraw/")
        .expect("withdrawal link shown");
    body[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_story_comes_back_whole_on_an_error_and_is_published_as_redacted() {
    let mut app = TestApp::new().await;
    app.get("/stories/new")
        .await
        .assert_status(200)
        .assert_contains("value=\"named\"")
        .assert_contains("value=\"internal\"")
        .assert_contains("I can withdraw it at any time")
        .assert_contains("/assets/story-draft.");

    // An error brings the whole story back, line breaks and all, with the message by it.
    let res = app
        .post(
            "/stories/new",
            &story_form("named", &[])
                .into_iter()
                .filter(|(k, _)| *k != "consent" && *k != "first_name")
                .collect::<Vec<_>>(),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Enter your first name, or choose to publish without your name")
        .assert_contains("Tick the box to agree")
        .assert_contains("value=\"The team that listened\"")
        .assert_contains("I stopped sleeping.\n\nDr Patel at the")
        .assert_contains("value=\"named\" checked");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM stories").await, 0);

    let res = app.post("/stories/new", &story_form("named", &[])).await;
    res.assert_status(200)
        .assert_contains("Thank you for sharing your story")
        .assert_contains("data-clear-draft")
        .assert_not_contains("Help is here, right now");
    let link = withdraw_path(&res.body);
    let id = story_id(&app).await;
    let mails = outbox(&app).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].header("To"), "amy@example.org");
    assert!(mails[0].text.contains(&link), "the private link is emailed");
    assert!(
        !mails[0].text.contains("Dr Patel"),
        "the story is not emailed"
    );
    let (status, version): (String, String) =
        sqlx::query_as("SELECT status, consent_version FROM stories")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(status, "pending");
    assert_eq!(version, mmha::stories::consent_version());
    // Nothing public until a moderator acts.
    app.get("/stories")
        .await
        .assert_not_contains("The team that listened");
    app.get(&format!("/stories/{id}")).await.assert_status(404);

    // Editors do not moderate.
    let mut editor = app.another_browser();
    editor.login_as(Role::Editor).await;
    editor.get("/admin/stories").await.assert_status(403);

    app.login_as(Role::Moderator).await;
    app.get("/admin")
        .await
        .assert_contains("Stories waiting for moderation: 1");
    app.get("/admin/stories")
        .await
        .assert_contains("The team that listened");
    let page = format!("/admin/stories/{id}");
    app.get(&page)
        .await
        .assert_contains(&format!("formaction=\"{page}/publish\""))
        .assert_contains("Check these names and places")
        .assert_contains("<span>Ben</span>")
        .assert_contains("<span>Patel</span>");
    // Publishing an empty version is refused with what was typed kept.
    app.post(
        &format!("{page}/publish"),
        &[("title", "Kept title"), ("body", " ")],
    )
    .await
    .assert_status(422)
    .assert_contains("value=\"Kept title\"");
    let redacted = "After my son was born I stopped sleeping.\n\nA doctor at the clinic \
        listened, and the perinatal team visited every week. It got better.";
    app.post(
        &format!("{page}/publish"),
        &[("title", "The team that listened"), ("body", redacted)],
    )
    .await
    .assert_status(303);
    let list = app.another_browser().get("/stories").await;
    list.assert_contains("The team that listened")
        .assert_contains("Amy, Cardiff, Mum");
    app.another_browser()
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(200)
        .assert_contains("A doctor at the clinic")
        .assert_not_contains("Patel")
        .assert_not_contains("Ben");
    // The story pages are kept in the server's memory but never in the reader's browser.
    assert_eq!(list.header("cache-control"), "no-store");
    // A later redaction of the published story shows at once, although the page above
    // was cached.
    app.post(
        &page,
        &[
            ("title", "The team that listened"),
            (
                "body",
                &redacted.replace("A doctor at the clinic", "Someone"),
            ),
        ],
    )
    .await
    .assert_status(303);
    app.another_browser()
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Someone listened")
        .assert_not_contains("A doctor at the clinic");
    app.another_browser()
        .get("/search?q=perinatal+team")
        .await
        .assert_contains(&format!("/stories/{id}"));
    // The original is kept as sent, for the moderator only.
    let body: String = sqlx::query_scalar("SELECT body FROM stories")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(body.contains("Dr Patel"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('story_edit', 'story_publish')"
        )
        .await,
        3,
        "the edit and publication, then the later redaction"
    );

    // Withdrawal: the GET only asks; the POST unpublishes everywhere and erases the text.
    let visitor = app.another_browser();
    visitor
        .get(&link)
        .await
        .assert_status(200)
        .assert_contains("Withdraw my story");
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(200);
    visitor
        .post(&link, &[])
        .await
        .assert_status(200)
        .assert_contains("withdrawn and its text deleted");
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(404);
    visitor
        .get("/stories")
        .await
        .assert_not_contains("The team that listened");
    visitor
        .get("/search?q=perinatal+team")
        .await
        .assert_not_contains(&format!("/stories/{id}"));
    let (status, body, edited, email, name): (String, String, Option<String>, String, String) =
        sqlx::query_as("SELECT status, body, edited_body, email, first_name FROM stories")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(status, "withdrawn");
    assert!(body.is_empty() && edited.is_none() && email.is_empty() && name.is_empty());
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'story_withdrawn'"
        )
        .await,
        1
    );
    visitor.get(&link).await.assert_status(404);
    visitor.post(&link, &[]).await.assert_status(200);
}

#[tokio::test]
async fn a_disclosure_of_risk_gets_help_at_once_and_alerts_a_moderator() {
    let app = TestApp::new().await;
    app.create_user("mod@example.org", Role::Moderator, "a long enough password")
        .await;
    let res = app
        .post(
            "/stories/new",
            &story_form(
                "anonymous",
                &[(
                    "body",
                    "Some nights I wanted to end my life. I have not told anyone this before.",
                )],
            ),
        )
        .await;
    res.assert_status(200)
        .assert_contains("Help is here, right now")
        .assert_contains("href=\"tel:999\"")
        .assert_contains("Samaritans")
        .assert_contains("Thank you for sharing your story");
    assert!(
        res.body.find("id=\"crisis-help\"") < res.body.find("<h1>"),
        "help first"
    );
    let (flagged, status, kinds): (i64, String, String) =
        sqlx::query_as("SELECT flagged, status, flag_phrases FROM stories")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (flagged, status.as_str(), kinds.as_str()),
        (1, "pending", "suicide"),
        "never auto-published; only the kind of risk is kept"
    );
    let mails = outbox(&app).await;
    let alert = mails
        .iter()
        .find(|m| m.header("To") == "mod@example.org")
        .expect("the moderator is alerted");
    assert!(alert.text.contains("/admin/stories/"));
    assert!(alert.header("Subject").contains("Urgent"));
    assert!(alert.text.contains("Suicide"));
    assert!(
        !alert.text.contains("end my life") && !alert.raw.contains("end my life"),
        "no story text in email"
    );

    // In Welsh too.
    app.post(
        "/cy/stories/new",
        &story_form(
            "internal",
            &[(
                "body",
                "Dw i ddim yn ddiogel gartref ac rydw i wedi blino'n lân bob dydd.",
            )],
        ),
    )
    .await
    .assert_status(200)
    .assert_contains("Mae help yma, nawr");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM stories WHERE flagged = 1").await,
        2
    );
    // An ordinary story is not flagged.
    app.post("/stories/new", &story_form("anonymous", &[]))
        .await
        .assert_not_contains("Help is here, right now");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM stories WHERE flagged = 0").await,
        1
    );
}

#[tokio::test]
async fn moderation_keeps_to_the_consent_given_and_explains_rejection() {
    let mut app = TestApp::new().await;
    app.post("/stories/new", &story_form("quotes", &[]))
        .await
        .assert_status(200);
    let id = story_id(&app).await;
    let stored: String = sqlx::query_scalar("SELECT first_name FROM stories")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(
        stored.is_empty(),
        "no name kept when it will never be shown"
    );
    app.login_as(Role::Moderator).await;
    let page = format!("/admin/stories/{id}");
    app.get(&page)
        .await
        .assert_contains("did not agree to publication")
        .assert_not_contains(&format!("formaction=\"/admin/stories/{id}/publish\""));
    app.post(
        &format!("{page}/publish"),
        &[("title", "The team that listened"), ("body", BODY)],
    )
    .await
    .assert_status(422);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM stories WHERE status = 'published'"
        )
        .await,
        0
    );
    // A rejection needs a reason, which the writer is sent.
    app.post(&format!("{page}/reject"), &[("reason", "")])
        .await
        .assert_status(422)
        .assert_contains("Give a reason");
    app.post(
        &format!("{page}/reject"),
        &[("reason", "It names a member of staff.")],
    )
    .await
    .assert_status(303);
    let mails = outbox(&app).await;
    let m = mails
        .iter()
        .find(|m| m.header("Subject").contains("About the story"))
        .expect("the writer is told");
    assert!(m.text.contains("It names a member of staff."));
    // Bots and floods.
    app.post(
        "/stories/new",
        &story_form("anonymous", &[("website", "spam")]),
    )
    .await
    .assert_status(303);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM stories").await, 1);
    for _ in 0..4 {
        app.post("/stories/new", &story_form("anonymous", &[]))
            .await
            .assert_status(200);
    }
    app.post("/stories/new", &story_form("anonymous", &[]))
        .await
        .assert_status(429)
        .assert_contains("I stopped sleeping.");
}

#[tokio::test]
async fn a_quotes_only_story_publishes_only_its_quotes_and_withdrawal_removes_them() {
    let mut app = TestApp::new().await;
    let res = app.post("/stories/new", &story_form("quotes", &[])).await;
    res.assert_status(200);
    let link = withdraw_path(&res.body);
    let id = story_id(&app).await;
    // The domain layer refuses to publish the whole text, whatever the screen sends.
    let story = mmha::stories::store::get(&app.state.db, id)
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    assert!(
        !mmha::stories::store::publish(&mut tx, app.state.db.backend, &story)
            .await
            .unwrap()
    );
    tx.rollback().await.unwrap();
    app.login_as(Role::Moderator).await;
    let page = format!("/admin/stories/{id}");
    app.get(&page)
        .await
        .assert_contains("The writer agreed to quotes only");
    // Words the writer did not write cannot be published as theirs.
    app.post(
        &format!("{page}/quotes"),
        &[("quotes", "The NHS was perfect in every way.")],
    )
    .await
    .assert_status(422)
    .assert_contains("must be the writer&#39;s own words")
    .assert_contains("The NHS was perfect in every way.");
    app.post(
        &format!("{page}/quotes"),
        &[(
            "quotes",
            "the perinatal team visited every week.\nIt got better.",
        )],
    )
    .await
    .assert_status(303);
    let list = app.another_browser().get("/stories").await;
    list.assert_contains("In their own words")
        .assert_contains("the perinatal team visited every week.")
        .assert_contains("<figcaption>Mum</figcaption>")
        .assert_not_contains("I stopped sleeping")
        .assert_not_contains("Amy");
    app.another_browser()
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(404);
    // Withdrawal removes the quotes too.
    app.another_browser()
        .post(&link, &[])
        .await
        .assert_status(200);
    app.another_browser()
        .get("/stories")
        .await
        .assert_not_contains("the perinatal team visited every week.");
    let quotes: String = sqlx::query_scalar("SELECT quotes FROM stories")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(quotes.is_empty());
}

#[tokio::test]
async fn a_picture_is_kept_across_an_error_cleaned_and_deleted_on_withdrawal() {
    let mut app = TestApp::new().await;
    let body = "The first weeks were a blur, and then the group helped us find our feet.";
    let fields = [
        ("title", "Finding our feet"),
        ("body", body),
        ("scope", "anonymous"),
    ];
    // A file that is not a picture, with another problem: both reported, nothing stored.
    app.post_multipart(
        "/stories/new",
        &fields,
        Some(("image_file", "me.gif", b"GIF89a not really")),
    )
    .await
    .assert_status(422)
    .assert_contains("Choose a JPEG, PNG or WebP picture")
    .assert_contains("Tick the box to agree");
    // A real picture with a missing tick: the picture is kept for the next try.
    let res = app
        .post_multipart(
            "/stories/new",
            &fields,
            Some((
                "image_file",
                "me.jpg",
                &crate::harness::jpeg_with_location(),
            )),
        )
        .await;
    res.assert_status(422)
        .assert_contains("This picture is kept");
    let marker = "name=\"image\" value=\"";
    let i = res.body.find(marker).expect("the picture's name is kept");
    let name: String = res.body[i + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM stories").await, 0);
    let mut with_consent = fields.to_vec();
    with_consent.extend([("consent", "yes"), ("image", name.as_str())]);
    let res = app
        .post_multipart("/stories/new", &with_consent, None)
        .await;
    res.assert_status(200);
    let link = withdraw_path(&res.body);
    let id = story_id(&app).await;
    let stored: String = sqlx::query_scalar("SELECT image FROM stories")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, name);
    app.login_as(Role::Moderator).await;
    app.post(
        &format!("/admin/stories/{id}/publish"),
        &[("title", "Finding our feet"), ("body", body)],
    )
    .await
    .assert_status(303);
    let visitor = app.another_browser();
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_contains(&format!("src=\"/images/{name}\""));
    let img = visitor.get(&format!("/images/{name}")).await;
    img.assert_status(200);
    assert!(!img.body.contains("GPS"), "location removed");
    // Withdrawn: the picture is deleted with the text.
    visitor.post(&link, &[]).await.assert_status(200);
    visitor
        .get(&format!("/images/{name}"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn a_moderator_can_take_a_picture_off_and_unpublish_then_publish_again() {
    let mut app = TestApp::new().await;
    let body = "The first weeks were a blur, and then the group helped us find our feet.";
    let fields = [
        ("title", "Finding our feet"),
        ("body", body),
        ("scope", "anonymous"),
        ("consent", "yes"),
    ];
    app.post_multipart(
        "/stories/new",
        &fields,
        Some((
            "image_file",
            "me.jpg",
            &crate::harness::jpeg_with_location(),
        )),
    )
    .await
    .assert_status(200);
    let id = story_id(&app).await;
    let name: String = sqlx::query_scalar("SELECT image FROM stories")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(!name.is_empty());
    app.login_as(Role::Moderator).await;
    let page = format!("/admin/stories/{id}");
    app.post(
        &format!("{page}/publish"),
        &[("title", "Finding our feet"), ("body", body)],
    )
    .await
    .assert_status(303);
    let visitor = app.another_browser();
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_contains(&format!("src=\"/images/{name}\""));
    // The picture comes off the story and its file is deleted; the story stays up.
    app.get(&page)
        .await
        .assert_contains(&format!("action=\"{page}/image/remove\""));
    let res = app.post(&format!("{page}/image/remove"), &[]).await;
    res.assert_status(303);
    assert_eq!(res.header("location"), format!("{page}?saved=1"));
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(200)
        .assert_not_contains("/images/");
    visitor
        .get(&format!("/images/{name}"))
        .await
        .assert_status(404);
    // Unpublishing takes it off the site; publishing again brings it back.
    app.post(&format!("{page}/unpublish"), &[])
        .await
        .assert_status(303);
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(404);
    visitor
        .get("/stories")
        .await
        .assert_not_contains("Finding our feet");
    app.post(
        &format!("{page}/publish"),
        &[("title", "Finding our feet"), ("body", body)],
    )
    .await
    .assert_status(303);
    visitor
        .get(&format!("/stories/{id}"))
        .await
        .assert_status(200);
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action IN \
             ('story_remove_image', 'story_unpublish', 'story_publish')"
        )
        .await,
        4
    );
    // A staff member who may not moderate cannot do any of it.
    let mut editor = app.another_browser();
    editor.login_as(Role::Editor).await;
    editor
        .post(&format!("{page}/unpublish"), &[])
        .await
        .assert_status(403);
}
