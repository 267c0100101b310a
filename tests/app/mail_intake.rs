//! Addresses coming in and kept out: importing already-consented subscribers (all or
//! nothing, never re-adding anyone who left), the suppression list, and bounce reports,
//! from the staff screens and the command line.

use crate::cli::mmha;
use crate::harness::TestApp;
use crate::harness::hidden;
use crate::mailing::{add_subscriber, manage_token, scalar, status_of};

#[tokio::test]
async fn staff_import_consented_subscribers_without_bringing_back_anyone_who_left() {
    let mut app = TestApp::new().await;
    add_subscriber(
        &app,
        "kept@example.org",
        "wales",
        "parent",
        "cy",
        "confirmed",
    )
    .await;
    add_subscriber(&app, "waiting@example.org", "", "", "en", "pending").await;
    add_subscriber(&app, "left@example.org", "", "", "en", "confirmed").await;
    app.post(
        &format!(
            "/subscribe/unsubscribe/{}",
            manage_token("left@example.org")
        ),
        &[],
    )
    .await
    .assert_status(200);
    add_subscriber(&app, "gone@example.org", "", "", "en", "confirmed").await;
    let mut tx = app.state.db.begin_write().await.unwrap();
    mmha::mail::list::store::erase(&mut tx, "gone@example.org")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let before = scalar(&app, "SELECT COUNT(*) FROM subscribers").await;
    assert_eq!(before, 3);

    app.get("/admin/subscribers/import")
        .await
        .assert_status(303);
    app.login_as(mmha::auth::Role::Editor).await;
    app.get("/admin/subscribers")
        .await
        .assert_contains("/admin/subscribers/import")
        .assert_contains("/admin/subscribers/suppressions");
    app.get("/admin/subscribers/import")
        .await
        .assert_status(200)
        .assert_contains("Where they gave consent");

    // The form's own fields: each problem next to its field, the pasted list kept.
    let pasted = "email\nsomeone@example.org";
    app.post_multipart("/admin/subscribers/import", &[("csv", pasted)], None)
        .await
        .assert_status(422)
        .assert_contains("Say where these people gave their consent")
        .assert_contains("Confirm that everyone in the file agreed")
        .assert_contains("someone@example.org</textarea>");

    // A file with problems: every row and field listed, nothing written.
    let bad = "email,name,nation,topics\n\
        fine@example.org,Fine,wales,\n\
        not-an-address,Ann,wales,\n\
        x@example.org,\"Eve\r\nBcc: all@example.org\",atlantis,gossip\n";
    let res = app
        .post_multipart(
            "/admin/subscribers/import",
            &[("source", "Cardiff conference sheet"), ("consent", "yes")],
            Some(("file", "list.csv", bad.as_bytes())),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Nothing was imported: 4 problems to fix")
        .assert_contains("<td>3</td><td>email</td>")
        .assert_contains("<td>4</td><td>name</td>")
        .assert_contains("<td>4</td><td>nation</td>")
        .assert_contains("“gossip” is not one of")
        .assert_contains("value=\"Cardiff conference sheet\"");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM subscribers").await,
        before
    );

    // A good file: checked and previewed first, nothing written until confirmed.
    let good = "Email,Name,Nation,Audience,Language,Topics,Consented\n\
        New1@Example.org,Nia,Wales,professional,Cymraeg,policy; events,01/03/2026\n\
        kept@example.org,Changed,scotland,,en,,\n\
        waiting@example.org,,,,,,\n\
        left@example.org,,,,,,\n\
        gone@example.org,,,,,,\n\
        new1@example.org,,,,,,\n";
    let res = app
        .post_multipart(
            "/admin/subscribers/import",
            &[("source", "Cardiff conference sheet"), ("consent", "yes")],
            Some(("file", "list.csv", good.as_bytes())),
        )
        .await;
    res.assert_status(200)
        .assert_contains("New subscribers: 1")
        .assert_contains("now confirmed: 1")
        .assert_contains("left as they are: 1")
        .assert_contains("not added: 2")
        .assert_contains("counted once: 1");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM subscribers").await,
        before
    );
    let token = hidden(&res.body, "token");
    app.post(
        "/admin/subscribers/import/confirm",
        &[("token", &token), ("source", "Cardiff conference sheet")],
    )
    .await
    .assert_status(200)
    .assert_contains("Imported.");

    let (status, lang, topics, source, nation, created): (String, String, String, String, String, i64) =
        sqlx::query_as(
            "SELECT status, lang, topics, source, nation, created_at FROM subscribers WHERE email = 'new1@example.org'",
        )
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        (
            status.as_str(),
            lang.as_str(),
            topics.as_str(),
            nation.as_str()
        ),
        ("confirmed", "cy", "policy,events", "wales")
    );
    assert_eq!(source, "import: Cardiff conference sheet");
    assert_eq!(Some(created), mmha::uktime::parse_date("2026-03-01"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM subscriber_consents c JOIN subscribers s ON s.id = c.subscriber_id \
             WHERE s.email = 'new1@example.org' AND c.action = 'import' \
             AND c.source = 'import: Cardiff conference sheet'"
        )
        .await,
        1
    );
    // Their own choices win; the unconfirmed is confirmed by the consent given elsewhere.
    let nation: String =
        sqlx::query_scalar("SELECT nation FROM subscribers WHERE email = 'kept@example.org'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(nation, "wales");
    assert_eq!(status_of(&app, "waiting@example.org").await, "confirmed");
    // Nobody who left comes back.
    assert_eq!(status_of(&app, "left@example.org").await, "unsubscribed");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM subscribers WHERE email = 'gone@example.org'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND target_kind = 'subscribers'"
        )
        .await,
        1
    );
    // The kept file is used once; a made-up token finds nothing.
    app.post(
        "/admin/subscribers/import/confirm",
        &[("token", &token), ("source", "Cardiff conference sheet")],
    )
    .await
    .assert_status(404);
    app.post(
        "/admin/subscribers/import/confirm",
        &[("token", "../../mmha.sqlite3"), ("source", "x")],
    )
    .await
    .assert_status(404);

    // The same from the command line: problems listed by row, then a clean import.
    let file = app.dir.join("more.csv");
    std::fs::write(&file, "email,audience\nbad address,parent\n").unwrap();
    let (ok, out) = mmha(
        &app,
        &[
            "import",
            "subscribers",
            file.to_str().unwrap(),
            "--source",
            "Paper forms",
        ],
        "",
    );
    assert!(!ok, "{out}");
    assert!(out.contains("row 2, email:"), "{out}");
    std::fs::write(
        &file,
        "email,audience\ncli@example.org,parent\nleft@example.org,parent\n",
    )
    .unwrap();
    let (ok, out) = mmha(
        &app,
        &[
            "import",
            "subscribers",
            file.to_str().unwrap(),
            "--source",
            "Paper forms",
        ],
        "",
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("1 added") && out.contains("1 suppressed"),
        "{out}"
    );
    assert_eq!(status_of(&app, "cli@example.org").await, "confirmed");
    assert_eq!(status_of(&app, "left@example.org").await, "unsubscribed");
}

/// A bounce report as mail servers send them (RFC 3464), for `to` with status `status`.
fn dsn(id: &str, to: &str, action: &str, status: &str) -> String {
    format!(
        "Message-ID: <{id}@mx.example.net>\r\n\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain\r\n\
\r\n\
Your message could not be delivered.\r\n\
\r\n\
--B\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; mx.example.net\r\n\
\r\n\
Final-Recipient: rfc822; {to}\r\n\
Action: {action}\r\n\
Status: {status}\r\n\
\r\n\
--B--\r\n"
    )
}

#[tokio::test]
async fn suppression_list_and_bounces_stop_mail_to_an_address() {
    let mut app = TestApp::new().await;
    for e in [
        "asked@example.org",
        "bouncy@example.org",
        "full@example.org",
    ] {
        add_subscriber(&app, e, "wales", "parent", "en", "confirmed").await;
    }
    app.login_as(mmha::auth::Role::Editor).await;
    app.get("/admin/subscribers/suppressions")
        .await
        .assert_status(200)
        .assert_contains("The suppression list is empty.");

    // Someone asks by phone to stop: a typo is pointed out and nothing changes.
    app.post(
        "/admin/subscribers/suppressions",
        &[("addresses", "asked@example.org\nnot an address")],
    )
    .await
    .assert_status(422)
    .assert_contains("These are not email addresses: not an address")
    .assert_contains("asked@example.org\nnot an address</textarea>");
    assert_eq!(status_of(&app, "asked@example.org").await, "confirmed");
    app.post(
        "/admin/subscribers/suppressions",
        &[("addresses", " Asked@Example.org \n")],
    )
    .await
    .assert_status(200)
    .assert_contains("1 addresses added");
    assert_eq!(status_of(&app, "asked@example.org").await, "unsubscribed");
    app.get("/admin/subscribers/suppressions?check=asked%40example.org")
        .await
        .assert_contains("on the suppression list (Added by staff)");
    app.get("/admin/subscribers/suppressions?check=someone%40example.org")
        .await
        .assert_contains("not on the suppression list");

    // Bounce reports: a hard and a soft one.
    let first = format!(
        "From MAILER-DAEMON Mon Nov 30 10:00:00 2026\r\n{}\r\nFrom MAILER-DAEMON Mon Nov 30 10:05:00 2026\r\n{}",
        dsn("r1", "bouncy@example.org", "failed", "5.1.1"),
        dsn("r2", "full@example.org", "delayed", "4.2.2"),
    );
    app.post_multipart(
        "/admin/subscribers/bounces",
        &[],
        Some(("file", "bounces.mbox", first.as_bytes())),
    )
    .await
    .assert_status(200)
    .assert_contains("Hard bounces: 1")
    .assert_contains("not counted): 1");
    // One hard bounce is under the threshold of two.
    assert_eq!(status_of(&app, "bouncy@example.org").await, "confirmed");
    // The same mailbox again counts nothing twice.
    app.post_multipart(
        "/admin/subscribers/bounces",
        &[],
        Some(("file", "bounces.mbox", first.as_bytes())),
    )
    .await
    .assert_status(200)
    .assert_contains("Already counted before: 2");
    assert_eq!(
        scalar(
            &app,
            "SELECT bounces FROM subscribers WHERE email = 'bouncy@example.org'"
        )
        .await,
        1
    );
    // Not a bounce report at all.
    app.post_multipart(
        "/admin/subscribers/bounces",
        &[],
        Some(("file", "notes.txt", b"Hello, this is a letter.")),
    )
    .await
    .assert_status(422)
    .assert_contains("No bounce reports were found");

    // A second report from the command line reaches the threshold.
    let file = app.dir.join("r3.eml");
    std::fs::write(
        &file,
        dsn("r3", "Bouncy@Example.org", "failed", "5.1.1 (user unknown)"),
    )
    .unwrap();
    let (ok, out) = mmha(&app, &["bounces", "import", file.to_str().unwrap()], "");
    assert!(ok, "{out}");
    assert!(out.contains("1 now undeliverable"), "{out}");
    assert_eq!(status_of(&app, "bouncy@example.org").await, "undeliverable");
    let (ok, out) = mmha(&app, &["bounces", "import", file.to_str().unwrap()], "");
    assert!(ok && out.contains("1 already counted"), "{out}");
    app.get("/admin/subscribers/suppressions?check=bouncy%40example.org")
        .await
        .assert_contains("(Bounced)");
    app.get("/admin/subscribers?status=undeliverable")
        .await
        .assert_contains("bouncy@example.org")
        .assert_not_contains("full@example.org");

    // Only the one still deliverable is in a newsletter's audience.
    let everyone = mmha::mail::bulletin::Segment::everyone();
    assert_eq!(everyone.size(&app.state.db).await.unwrap(), 1);
    app.get("/admin/subscribers/suppressions")
        .await
        .assert_contains("Added by staff")
        .assert_contains("Bounced");
}
