//! Safeguarding on every free-text channel: a text that discloses risk gets crisis help
//! first on every answer (sent, errors, too many attempts, spam trap), in the writer's
//! language; staff see the item first and marked urgent; alerts carry only the kind of
//! risk and a link; the first look is recorded for the weekly table.

use crate::harness::TestApp;
use crate::mailing::{link_in_mail, outbox, scalar};
use mmha::auth::Role;

/// A message no calm text would contain, to look for in email and pages.
const MARKER: &str = "paracetamol in the kitchen drawer";

fn contact<'a>(message: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("type", "other"),
        ("name", "Jo"),
        ("email", "jo@example.org"),
        ("subject", "Please read"),
        ("message", message),
    ];
    f.extend_from_slice(extra);
    f
}

fn position(body: &str, needle: &str) -> usize {
    body.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page"))
}

#[tokio::test]
async fn a_risky_contact_message_gets_crisis_help_first_and_reaches_the_team_marked_urgent() {
    let mut app = TestApp::new().await;
    let visitor = app.another_browser();
    // A calm enquiry first, so the urgent one has to jump the queue.
    visitor
        .post("/contact", &contact("When is the next conference?", &[]))
        .await
        .assert_status(303);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM safeguarding_flags").await,
        0
    );

    let message = format!("I've saved up the {MARKER} and I know how I'd do it.");
    let res = visitor.post("/contact", &contact(&message, &[])).await;
    res.assert_status(200)
        .assert_contains("Help is here, right now")
        .assert_contains("href=\"tel:999\"")
        .assert_contains("Samaritans")
        .assert_contains("Message sent");
    // Help comes before the acknowledgement, and before anything else in the page's body.
    let b = &res.body;
    assert!(position(b, "id=\"crisis-help\"") < position(b, "<h1>Message sent"));

    let id = scalar(&app, "SELECT MAX(id) FROM enquiries").await;
    let (channel, item, kinds): (String, i64, String) =
        sqlx::query_as("SELECT channel, item_id, categories FROM safeguarding_flags")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((channel.as_str(), item), ("enquiry", id));
    assert!(kinds.contains("suicide"), "{kinds}");

    // The team's mailbox is told it is urgent, with the kind and a link; never the words.
    let mails = outbox(&app).await;
    let alert = mails
        .iter()
        .find(|m| m.header("To") == "info@example.org" && m.header("Subject").contains("Urgent"))
        .expect("the team is alerted as urgent");
    assert!(alert.text.contains("Suicide"), "{}", alert.text);
    assert!(alert.text.contains(&format!("/admin/enquiries/{id}")));
    for m in &mails {
        assert!(
            !m.raw.contains(MARKER) && !m.text.contains(MARKER),
            "text in email"
        );
    }

    // Staff: the dashboard and the safeguarding page say it waits; the inbox lists it first.
    app.login_as(Role::Moderator).await;
    app.get("/admin")
        .await
        .assert_contains("Items that may disclose risk and have not been opened yet: 1.");
    let reference: String = sqlx::query_scalar("SELECT reference FROM enquiries WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    app.get("/admin/safeguarding")
        .await
        .assert_status(200)
        .assert_contains(&format!("An enquiry: {reference} from "))
        .assert_contains(&format!("href=\"/admin/enquiries/{id}\""))
        .assert_contains("Suicide");
    let inbox = app.get("/admin/enquiries").await;
    let first_row = position(&inbox.body, "<tbody>");
    let urgent = position(&inbox.body, &format!("href=\"/admin/enquiries/{id}\""));
    let calm = position(
        &inbox.body,
        &format!("href=\"/admin/enquiries/{}\"", id - 1),
    );
    assert!(first_row < urgent && urgent < calm, "urgent first");
    inbox.assert_contains("Urgent");

    // Opening it records the first look, once (flagged five minutes ago, for a wait the
    // page can show whatever the clock does during the test).
    sqlx::query("UPDATE safeguarding_flags SET created_at = created_at - 300")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.get(&format!("/admin/enquiries/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Safeguarding")
        .assert_contains(MARKER);
    let seen = scalar(
        &app,
        "SELECT COUNT(*) FROM safeguarding_flags WHERE first_seen_at IS NOT NULL \
         AND first_seen_by <> ''",
    )
    .await;
    assert_eq!(seen, 1);
    let page = app.get("/admin/safeguarding").await;
    page.assert_contains("Nothing is waiting")
        .assert_contains("After 5 min, by ");
    app.get("/admin")
        .await
        .assert_not_contains("has not been opened yet");
}

#[tokio::test]
async fn every_answer_to_a_risky_text_opens_with_help_in_the_writers_language() {
    let app = TestApp::new().await;
    let risky = "Some nights I just want to go to sleep and not wake up.";

    // A form with a problem: help first, the message kept, nothing stored.
    app.post("/contact", &contact(risky, &[("email", "not an address")]))
        .await
        .assert_status(422)
        .assert_contains("id=\"crisis-help\"")
        .assert_contains("not wake up.</textarea>");
    // A spam trap: help, and a plain word that it may not have arrived.
    app.post("/contact", &contact(risky, &[("website", "x")]))
        .await
        .assert_status(200)
        .assert_contains("id=\"crisis-help\"")
        .assert_contains("Your message may not have reached us");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM enquiries").await, 0);
    // Past the hourly limit for calm text, a risky one still reaches a moderator: it is
    // stored and flagged, and the writer sees help above the word that it was sent.
    for _ in 0..5 {
        app.post("/contact", &contact("A calm question.", &[]))
            .await
            .assert_status(303);
    }
    app.post("/contact", &contact("A calm question.", &[]))
        .await
        .assert_status(429)
        .assert_not_contains("id=\"crisis-help\"");
    app.post("/contact", &contact(risky, &[]))
        .await
        .assert_status(200)
        .assert_contains("id=\"crisis-help\"");
    let flagged = "SELECT COUNT(*) FROM safeguarding_flags WHERE channel = 'enquiry'";
    assert_eq!(scalar(&app, flagged).await, 1);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM enquiries").await, 6);
    // A flood of risky text is bounded too, and still answered with help first.
    let allowance = mmha::web::antispam::store::RISKY_PER_HOUR;
    for _ in 6..allowance {
        app.post("/contact", &contact(risky, &[]))
            .await
            .assert_status(200);
    }
    app.post("/contact", &contact(risky, &[]))
        .await
        .assert_status(429)
        .assert_contains("id=\"crisis-help\"");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM enquiries").await,
        allowance
    );

    // In Welsh: Welsh help, Wales's own lines first.
    let res = app
        .post(
            "/cy/stories/new",
            &[
                ("title", "Fy stori"),
                ("body", "Dwi isio marw a dwi ddim yn gwybod beth i neud."),
                ("scope", "internal"),
                ("nation", "wales"),
                ("consent", "yes"),
            ],
        )
        .await;
    res.assert_status(200)
        .assert_contains("Mae help yma, nawr")
        .assert_contains("Diolch am ddweud wrthon ni");
    // A nation given: that nation's own urgent line is among the first buttons (NHS 111
    // Wales, press 2), before any UK-wide line but the emergency number.
    let b = &res.body;
    assert!(
        position(b, "tel:111") < position(b, "tel:116123"),
        "Wales first"
    );

    // Frightening thoughts about the baby: warm words, not only numbers.
    app.post(
        "/stories/new",
        &[
            ("title", "Thoughts"),
            ("body", "I keep imagining dropping my baby down the stairs."),
            ("scope", "internal"),
            ("consent", "yes"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("does not make you a bad parent");
    // Not safe at home: the silent 999 call.
    app.post(
        "/stories/new",
        &[
            ("title", "Home"),
            ("body", "My partner punched me and I'm scared to go home."),
            ("scope", "internal"),
            ("consent", "yes"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("press 55");
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT categories FROM safeguarding_flags WHERE channel = 'story' ORDER BY id",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(kinds, vec!["suicide", "baby", "unsafe"]);
}

#[tokio::test]
async fn membership_applications_are_checked_too() {
    let mut app = TestApp::new().await;
    // A calm application first, so the urgent one has to jump the queue.
    app.post(
        "/members/apply",
        &[
            ("name", "Calm Cradle Club"),
            ("kind", "community"),
            ("nation", "wales"),
            ("website", "cradle.example"),
            ("profile", "A baby massage group."),
            ("contact_name", "Bet Evans"),
            ("contact_email", "bet@cradle.example"),
            (
                "reason",
                "We would like to share your leaflets with our parents.",
            ),
            ("principles", "yes"),
        ],
    )
    .await
    .assert_status(303);
    app.post(
        "/members/apply",
        &[
            ("name", "Bumps Together Powys"),
            ("kind", "community"),
            ("nation", "wales"),
            ("website", "bumps.example"),
            ("profile", "A peer-support group for new parents."),
            ("contact_name", "Ann Jones"),
            ("contact_email", "ann@bumps.example"),
            (
                "reason",
                "Honestly I run this group but my husband hits me and I have nowhere to go.",
            ),
            ("principles", "yes"),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("id=\"crisis-help\"")
    .assert_contains("press 55");
    let id = scalar(&app, "SELECT MAX(id) FROM members").await;
    // The membership mailbox hears of both; only the risky one is urgent.
    let told: Vec<_> = outbox(&app)
        .await
        .into_iter()
        .filter(|m| m.header("To") == "membership@example.org")
        .collect();
    let urgent: Vec<_> = told
        .iter()
        .filter(|m| m.header("Subject").contains("Urgent"))
        .collect();
    assert_eq!(
        (told.len(), urgent.len()),
        (2, 1),
        "one notice each, one urgent"
    );
    let alert = urgent[0];
    assert!(alert.text.contains("Not safe at home"));
    assert!(!alert.text.contains("hits me"));
    app.login_as(Role::Admin).await;
    let list = app.get("/admin/members").await;
    list.assert_contains("<strong class=\"tag warning\">Safeguarding</strong> <span class=\"muted\">Not safe at home</span>");
    assert!(
        position(&list.body, "Bumps Together Powys") < position(&list.body, "Calm Cradle Club"),
        "the flagged application comes first"
    );
    app.get(&format!("/admin/members/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Not safe at home");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM safeguarding_flags WHERE channel = 'member' \
             AND first_seen_at IS NOT NULL"
        )
        .await,
        1
    );
}

/// A Champion line and a survey answer have no staff page of their own: the safeguarding
/// page shows what was written, opening it is the first look, and the Champions list puts
/// the flagged entry first.
#[tokio::test]
async fn flagged_champion_lines_and_survey_answers_are_read_and_listed_first() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    for (name, email) in [
        ("Cath Calm", "cath@example.org"),
        ("Rhian Risk", "rhian@example.org"),
    ] {
        app.post("/admin/roster", &[("name", name), ("email", email)])
            .await
            .assert_status(303);
    }
    let visitor = app.another_browser();
    let calm = link_in_mail(&app, "cath@example.org", "/roster/manage/").await;
    visitor
        .post(
            &calm,
            &[("show_name", "full"), ("line", "Talking helped me.")],
        )
        .await
        .assert_status(200)
        .assert_not_contains("id=\"crisis-help\"");
    let risky = link_in_mail(&app, "rhian@example.org", "/roster/manage/").await;
    visitor
        .post(
            &risky,
            &[
                ("show_name", "full"),
                (
                    "line",
                    "I have the tablets saved up for when he is at work.",
                ),
            ],
        )
        .await
        .assert_status(200)
        .assert_contains("id=\"crisis-help\"");
    let id = scalar(
        &app,
        "SELECT id FROM roster WHERE email = 'rhian@example.org'",
    )
    .await;
    let path = format!("/admin/safeguarding/supporter/{id}");

    // Listed first, tagged, linked to where the line can be read.
    let list = app.get("/admin/roster?list=champion").await;
    let flagged = position(&list.body, &format!("href=\"{path}\""));
    assert!(flagged < position(&list.body, "Cath Calm"), "flagged first");
    list.assert_contains(
        "<strong class=\"tag warning\">Safeguarding</strong> <span class=\"muted\">Suicide</span>",
    );
    app.get("/admin/safeguarding")
        .await
        .assert_contains(&format!("href=\"{path}\""))
        .assert_contains("A supporter or Champion sign-up: Rhian Risk");

    // Read in full; opening it is the first look.
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("A supporter or Champion sign-up")
        .assert_contains("I have the tablets saved up for when he is at work.")
        .assert_contains("Hidden by staff");
    app.get("/admin/safeguarding")
        .await
        .assert_contains("Nothing is waiting");

    // A survey answer: the same.
    app.post(
        "/admin/campaigns/new",
        &[
            ("name", "World Maternal Mental Health Day 2026"),
            ("slug", "wmmhd-2026"),
            ("starts_on", "2026-05-06"),
            ("ends_on", "2026-05-06"),
            ("published", "1"),
        ],
    )
    .await
    .assert_status(303);
    let cid = scalar(&app, "SELECT id FROM campaigns WHERE slug = 'wmmhd-2026'").await;
    visitor
        .post(
            "/campaigns/wmmhd-2026/survey",
            &[
                ("role", "participant"),
                (
                    "worked",
                    "Nothing works. I keep thinking my family would be better off without me.",
                ),
            ],
        )
        .await
        .assert_status(200)
        .assert_contains("id=\"crisis-help\"");
    let answer = scalar(&app, "SELECT MAX(id) FROM campaign_survey").await;
    let path = format!("/admin/safeguarding/survey/{answer}");
    app.get("/admin/safeguarding")
        .await
        .assert_contains(&format!("href=\"{path}\""))
        .assert_contains("A campaign survey answer: World Maternal Mental Health Day 2026");
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("better off without me")
        .assert_contains(&format!("href=\"/admin/campaigns/{cid}/evaluation\""));
    app.get("/admin/safeguarding")
        .await
        .assert_contains("Nothing is waiting");

    // Nothing flagged there: not found.
    app.get(&format!("/admin/safeguarding/survey/{}", answer + 1))
        .await
        .assert_status(404);
}
