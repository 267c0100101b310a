//! Campaign weeks and the activity registry: registration without an account, the
//! organiser's private link, moderation, the public list, calendar, map and activity
//! pages, the iCalendar and JSON feeds, and the evaluation survey.

use crate::harness::TestApp;
use crate::mailing::{link_in_mail, outbox, scalar};
use mmha::auth::Role;
use mmha::uktime;

/// The demo campaign: (slug, first day, name).
async fn campaign(app: &TestApp) -> (String, String, String) {
    sqlx::query_as("SELECT slug, starts_on, name FROM campaigns ORDER BY id LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

/// The campaign's day `n` (0 = first), "YYYY-MM-DD".
fn day(first: &str, n: i64) -> String {
    uktime::day_string(uktime::parse_day(first).unwrap() + time::Duration::days(n))
}

fn coffee_morning<'a>(slug: &'a str, date: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("campaign", slug),
        ("title", "Cuppa and chat for new parents, Cardiff"),
        ("organiser", "Splott Parents Group"),
        ("kind", "in_person"),
        ("venue", "Star Hub, Splott, Cardiff"),
        ("postcode", "cf10 1aa"),
        (
            "description",
            "Come for tea, cake and a chat. Babies welcome.\n\nA perinatal nurse will be there.",
        ),
        ("audience", "Parents and parents-to-be"),
        ("booking_url", "https://tickets.example.org/cuppa"),
        ("date_1", date),
        ("start_1", "10:00"),
        ("end_1", "12:00"),
        ("contact_name", "Rhian"),
        ("contact_email", "rhian@example.org"),
    ]
}

/// Unfolds iCalendar lines and checks the structure a calendar program needs: CRLF line
/// ends, no line over 75 octets, balanced components, and the required properties of
/// each event. Returns the unfolded content lines.
fn valid_ical(text: &str) -> Vec<String> {
    assert!(text.ends_with("\r\n"), "lines end with CRLF");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
    }
    let lines: Vec<String> = text
        .replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.iter().any(|l| l == "VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let mut in_event = false;
    let mut props: Vec<String> = Vec::new();
    for l in &lines {
        let name = l.split([':', ';']).next().unwrap();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "bad property name in {l:?}"
        );
        match l.as_str() {
            "BEGIN:VEVENT" => {
                assert!(!in_event, "nested VEVENT");
                in_event = true;
                props.clear();
            }
            "END:VEVENT" => {
                for p in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"] {
                    assert_eq!(
                        props.iter().filter(|x| *x == p).count(),
                        1,
                        "{p} exactly once in an event"
                    );
                }
                in_event = false;
            }
            _ if in_event => props.push(name.to_string()),
            _ => {}
        }
    }
    assert!(!in_event, "unterminated VEVENT");
    // And an independent parser reads every event back with its text unescaped.
    let mut parsed = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parsed.next().expect("a calendar").expect("parses");
    assert!(parsed.next().is_none(), "one calendar");
    assert_eq!(
        cal.events.len(),
        lines.iter().filter(|l| *l == "BEGIN:VEVENT").count()
    );
    lines
}

/// The SUMMARY values of a feed, as a calendar program reads them.
fn summaries(text: &str) -> Vec<String> {
    let cal = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
        .next()
        .unwrap()
        .unwrap();
    cal.events
        .iter()
        .flat_map(|e| e.properties.iter())
        .filter(|p| p.name == "SUMMARY")
        .filter_map(|p| p.value.clone())
        .collect()
}

/// The Done-when journey: an organiser registers a coffee morning in Cardiff for next
/// year's week; a moderator approves it; it appears in the list, on the calendar, on the
/// map in Cardiff and Vale, on its own page and in `/events.ics`; the home page features
/// the campaign; cancelling it is reflected in both feeds.
#[tokio::test]
async fn a_coffee_morning_in_cardiff_from_registration_to_the_calendar() {
    let mut app = TestApp::new().await;
    let (slug, first, name) = campaign(&app).await;
    // The home page features the campaign (the demo one is next May's).
    app.get("/")
        .await
        .assert_contains(&name)
        .assert_contains(&format!("href=\"/campaigns/{slug}\""));
    let wednesday = day(&first, 2);
    let res = app
        .post("/activities/new", &coffee_morning(&slug, &wednesday))
        .await;
    res.assert_status(200)
        .assert_contains("emailed you a private link");
    // Waiting for a moderator: not public anywhere.
    let id = scalar(&app, "SELECT MAX(id) FROM activities").await;
    let activities = format!("/campaigns/{slug}/activities");
    app.get(&activities)
        .await
        .assert_not_contains("Cuppa and chat");
    app.get(&format!("/activities/{id}"))
        .await
        .assert_status(404);
    app.get("/events.ics")
        .await
        .assert_not_contains("Cuppa and chat");
    // The organiser's private link works without an account and shows the status.
    let link = link_in_mail(&app, "rhian@example.org", "/activities/manage/").await;
    app.another_browser()
        .get(&link)
        .await
        .assert_status(200)
        .assert_contains("Waiting for a check")
        .assert_contains("value=\"Star Hub, Splott, Cardiff\"");

    app.login_as(Role::Moderator).await;
    app.get("/admin/activities")
        .await
        .assert_contains("Cuppa and chat")
        .assert_contains("Splott Parents Group");
    app.get(&format!("/admin/activities/{id}"))
        .await
        .assert_contains("rhian@example.org")
        .assert_contains("Cardiff and Vale");
    app.post(
        &format!("/admin/activities/{id}"),
        &[("action", "approve"), ("note", "")],
    )
    .await
    .assert_status(303);
    let mails = outbox(&app).await;
    let last = mails.last().unwrap();
    assert_eq!(last.header("To"), "rhian@example.org");
    assert!(last.text.contains("is now on our website"));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'activity.approve'"
        )
        .await,
        1
    );

    let public = app.another_browser();
    // The list, with its filters.
    public
        .get(&activities)
        .await
        .assert_contains("Cuppa and chat for new parents, Cardiff")
        .assert_contains("Cardiff and Vale");
    public
        .get(&format!("{activities}?nation=wales&kind=in_person"))
        .await
        .assert_contains("Cuppa and chat");
    public
        .get(&format!("{activities}?nation=scotland"))
        .await
        .assert_not_contains("Cuppa and chat");
    public
        .get(&format!("{activities}?area=W11000029&day={wednesday}"))
        .await
        .assert_contains("Cuppa and chat");
    public
        .get(&format!("{activities}?day={}", day(&first, 0)))
        .await
        .assert_not_contains("Cuppa and chat");
    // The calendar: under its day, at its UK time.
    let cal = public.get(&format!("/campaigns/{slug}/calendar")).await;
    cal.assert_status(200);
    let section = cal
        .body
        .split(&format!("id=\"day-{wednesday}\""))
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(section.contains("10:00–12:00"), "{section}");
    assert!(section.contains("Cuppa and chat"));
    // /events: what is on across campaigns, under the same day, with its campaign.
    let events = public.get("/events").await;
    events.assert_status(200);
    let on_the_day = events
        .body
        .split(&format!("id=\"day-{wednesday}\""))
        .nth(1)
        .expect("the day is listed")
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(on_the_day.contains("Cuppa and chat"), "{on_the_day}");
    assert!(on_the_day.contains("10:00–12:00"));
    assert!(on_the_day.contains(&format!("href=\"/campaigns/{slug}\"")));
    // The map: a dot in Cardiff and Vale, and the same in the list beside it.
    let map = public.get(&format!("/campaigns/{slug}/map")).await;
    map.assert_status(200)
        .assert_contains("<circle")
        .assert_contains("activities?area=W11000029\">Cardiff and Vale");
    let cardiff_row = map
        .body
        .split("Cardiff and Vale")
        .nth(2)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    // The demo week has one activity in Cardiff already; ours makes two.
    assert!(cardiff_row.contains("<td>2</td>"), "{cardiff_row}");
    // Its page.
    public
        .get(&format!("/activities/{id}"))
        .await
        .assert_status(200)
        .assert_contains("Star Hub, Splott, Cardiff, CF10 1AA")
        .assert_contains("A perinatal nurse will be there.")
        .assert_contains("href=\"https://tickets.example.org/cuppa\"")
        .assert_not_contains("rhian@example.org");
    // The iCalendar feed: valid, one event for the session, at 09:00 UTC (10:00 BST).
    let ics = public.get("/events.ics").await;
    ics.assert_status(200);
    assert!(ics.header("content-type").starts_with("text/calendar"));
    let lines = valid_ical(&ics.body);
    let compact = wednesday.replace('-', "");
    assert!(lines.contains(&format!("DTSTART:{compact}T090000Z")));
    assert!(lines.contains(&"SUMMARY:Cuppa and chat for new parents\\, Cardiff".to_string()));
    assert!(
        summaries(&ics.body)
            .iter()
            .any(|s| s == "Cuppa and chat for new parents\\, Cardiff"
                || s == "Cuppa and chat for new parents, Cardiff")
    );
    let unfolded = ics.body.replace("\r\n ", "");
    let uid_line = unfolded
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("Cuppa and chat"))
        .and_then(|e| e.split("\r\n").find(|l| l.starts_with("UID:")))
        .unwrap()
        .to_string();
    assert!(
        !public
            .get("/events.ics")
            .await
            .body
            .replace("\r\n ", "")
            .contains("STATUS:CANCELLED")
    );
    // The JSON feed for other sites.
    let json: serde_json::Value =
        serde_json::from_str(&public.get("/api/activities").await.body).unwrap();
    let mine = json["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap();
    assert_eq!(
        mine["area"]["name"],
        "Cardiff and Vale University Health Board"
    );
    assert!(mine.get("contact_email").is_none());
    let since = json["next_updated_since"].as_i64().unwrap();

    // The organiser cancels: off the pages; the feeds say so.
    app.another_browser()
        .post(&format!("{link}/cancel"), &[])
        .await
        .assert_status(303);
    public
        .get(&activities)
        .await
        .assert_not_contains("Cuppa and chat");
    public
        .get(&format!("/activities/{id}"))
        .await
        .assert_status(404);
    let after = public.get("/events.ics").await.body.replace("\r\n ", "");
    let event = after
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("Cuppa and chat"))
        .expect("the cancelled event stays in the feed");
    assert!(event.contains(&uid_line), "same UID");
    assert!(event.contains("STATUS:CANCELLED"));
    assert!(event.contains("SEQUENCE:2"), "{event}");
    let json: serde_json::Value = serde_json::from_str(
        &public
            .get(&format!("/api/activities?updated_since={since}"))
            .await
            .body,
    )
    .unwrap();
    assert!(json["activities"].as_array().unwrap().is_empty());
    assert_eq!(json["deleted"][0]["id"], id);
    assert_eq!(json["deleted"][0]["status"], "cancelled");
    public
        .get("/api/activities?updated_since=yesterday")
        .await
        .assert_status(400);
    // Moderators cannot bring back what its organiser cancelled.
    app.post(
        &format!("/admin/activities/{id}"),
        &[("action", "approve"), ("note", "")],
    )
    .await
    .assert_status(400);
    public
        .get(&format!("/activities/{id}"))
        .await
        .assert_status(404);
}

/// Bad input gets a message next to each field and nothing typed is lost.
#[tokio::test]
async fn bad_activities_are_explained_and_the_form_is_kept() {
    let app = TestApp::new().await;
    let (slug, first, _) = campaign(&app).await;
    let wednesday = day(&first, 2);
    let long = "x".repeat(200);
    let mut form = coffee_morning(&slug, &wednesday);
    let bad: Vec<(&str, &str)> = vec![
        ("title", long.as_str()),
        (
            "description",
            "<script>alert(1)</script> see https://a.example https://b.example https://c.example",
        ),
        ("postcode", "ZZ99 9ZZ"),
        ("booking_url", "javascript:alert(1)"),
        ("start_1", "14:00"),
        ("end_1", "13:00"),
        ("date_2", "2020-05-01"),
        ("start_2", "10:00"),
        ("end_2", "11:00"),
        ("date_3", &first),
        ("start_3", "25:00"),
        ("end_3", "11:00"),
        ("contact_email", "not an address"),
    ];
    for (k, v) in &bad {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    let res = app.post("/activities/new", &form).await;
    res.assert_status(422)
        .assert_contains("use at most 120 characters")
        .assert_contains("without HTML or code")
        .assert_contains("We could not find that postcode")
        .assert_contains("full web address starting with https://")
        .assert_contains("The end time must be after the start time")
        .assert_contains("already passed")
        .assert_contains("Enter a time like 10:30")
        // Typed values come back, escaped.
        .assert_contains("&#60;script&#62;alert(1)")
        .assert_contains("value=\"ZZ99 9ZZ\"")
        .assert_contains("value=\"2020-05-01\"")
        .assert_contains("value=\"not an address\"")
        .assert_not_contains("<script>alert(1)");
    // A date outside the campaign, and a campaign that is not open.
    let outside = day(&first, 30);
    let res = app
        .post("/activities/new", &coffee_morning(&slug, &outside))
        .await;
    res.assert_status(422)
        .assert_contains("The campaign runs from");
    let res = app
        .post(
            "/activities/new",
            &coffee_morning("no-such-campaign", &wednesday),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Choose the campaign");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM activities WHERE title LIKE 'Cuppa%'"
        )
        .await,
        0
    );
}

/// Changes through the private link go back to the moderators; a request for changes
/// reaches the organiser with the moderator's words, and the old link keeps working.
#[tokio::test]
async fn organisers_edit_through_their_link_and_moderators_ask_for_changes() {
    let mut app = TestApp::new().await;
    let (slug, first, _) = campaign(&app).await;
    let tuesday = day(&first, 1);
    let mut form = coffee_morning(&slug, &tuesday);
    form.retain(|(k, _)| *k != "kind" && *k != "venue" && *k != "postcode");
    form.push(("kind", "online"));
    app.post("/activities/new", &form).await.assert_status(200);
    let id = scalar(&app, "SELECT MAX(id) FROM activities").await;
    let link = link_in_mail(&app, "rhian@example.org", "/activities/manage/").await;
    app.login_as(Role::Moderator).await;
    // Asking for changes needs a message.
    app.post(
        &format!("/admin/activities/{id}"),
        &[("action", "changes"), ("note", "")],
    )
    .await
    .assert_status(422)
    .assert_contains("Write a message for the organiser");
    app.post(
        &format!("/admin/activities/{id}"),
        &[
            ("action", "changes"),
            ("note", "Please add how people join the call."),
        ],
    )
    .await
    .assert_status(303);
    let mails = outbox(&app).await;
    assert!(
        mails
            .last()
            .unwrap()
            .text
            .contains("Please add how people join the call.")
    );
    let organiser = app.another_browser();
    organiser
        .get(&link)
        .await
        .assert_contains("Changes asked for")
        .assert_contains("Please add how people join the call.");
    let mut edited = form.clone();
    edited.retain(|(k, _)| *k != "description");
    edited.push((
        "description",
        "Join on the video link we send when you book.",
    ));
    organiser
        .post(&link, &edited)
        .await
        .assert_status(200)
        .assert_contains("Your changes are saved");
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM activities WHERE id = {id} AND status = 'pending'")
        )
        .await,
        1
    );
    // An unknown link is a plain 404.
    organiser
        .get("/activities/manage/nope")
        .await
        .assert_status(404);
}

/// After the week: organisers are invited once, answers are summed per nation, and the
/// published summary appears on the campaign page.
#[tokio::test]
async fn the_evaluation_survey_and_its_summary() {
    let mut app = TestApp::new().await;
    // A finished campaign of our own.
    app.login_as(Role::Admin).await;
    app.post(
        "/admin/campaigns/new",
        &[
            ("name", "World Maternal Mental Health Day 2026"),
            ("slug", "wmmhd-2026"),
            ("hashtag", "maternalMHmatters"),
            ("starts_on", "2026-05-06"),
            ("ends_on", "2026-05-06"),
            ("theme_2026-05-06", "Your voice"),
            ("published", "1"),
        ],
    )
    .await
    .assert_status(303);
    let cid = scalar(&app, "SELECT id FROM campaigns WHERE slug = 'wmmhd-2026'").await;
    // An organiser with an approved activity (written directly: registration is closed).
    sqlx::query(
        "INSERT INTO activities (uid, campaign_id, title, organiser, kind, contact_email, status, \
         manage_hash, created_at, updated_at) VALUES ('u1', $1, 'Walk', 'Group', 'in_person', \
         'org@example.org', 'approved', 'h1', 0, 0)",
    )
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let visitor = app.another_browser();
    visitor
        .get("/campaigns/wmmhd-2026")
        .await
        .assert_contains("This campaign has finished")
        .assert_contains("#maternalMHmatters")
        .assert_contains("Your voice");
    // Bad answers are explained and kept.
    visitor
        .post(
            "/campaigns/wmmhd-2026/survey",
            &[
                ("role", "organiser"),
                ("reach", "lots"),
                ("worked", "see https://spam.example"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("Enter a number")
        .assert_contains("without web links")
        .assert_contains("value=\"lots\"");
    for (nation, reach, quote) in [
        ("wales", "40", "It helped me talk."),
        ("wales", "25", ""),
        ("england", "1,000", ""),
    ] {
        visitor
            .post(
                "/campaigns/wmmhd-2026/survey",
                &[
                    ("role", "organiser"),
                    ("nation", nation),
                    ("reach", reach),
                    ("worked", "Meeting in person"),
                    ("quote", quote),
                    ("quote_ok", "1"),
                ],
            )
            .await
            .assert_status(200)
            .assert_contains("Your answers have been saved");
    }
    let page = app.get(&format!("/admin/campaigns/{cid}/evaluation")).await;
    page.assert_contains("Answers: 3")
        .assert_contains("People reached (as organisers reported): 1065")
        .assert_contains("<th scope=\"row\">Wales</th><td>2</td><td>65</td>")
        .assert_contains("It helped me talk.");
    // Invitations go once.
    app.post(&format!("/admin/campaigns/{cid}/survey"), &[])
        .await
        .assert_status(303);
    app.post(&format!("/admin/campaigns/{cid}/survey"), &[])
        .await
        .assert_status(303);
    let invites = outbox(&app)
        .await
        .into_iter()
        .filter(|m| m.header("To") == "org@example.org")
        .count();
    assert_eq!(invites, 1);
    // Publishing the summary.
    app.post(
        &format!("/admin/campaigns/{cid}/evaluation"),
        &[
            ("evaluation", "A day of **connection**."),
            ("evaluation_published", "1"),
        ],
    )
    .await
    .assert_status(303);
    visitor
        .get("/campaigns/wmmhd-2026")
        .await
        .assert_contains("A day of <strong>connection</strong>.")
        .assert_contains("It helped me talk.");
}

/// Staff campaign editing: checks with messages, unique web address, day themes.
#[tokio::test]
async fn campaigns_are_checked_when_saved() {
    let mut app = TestApp::with_demo(false).await;
    app.login_as(Role::Editor).await;
    app.post(
        "/admin/campaigns/new",
        &[
            ("name", ""),
            ("slug", "Bad Slug"),
            ("starts_on", "2027-05-09"),
            ("ends_on", "2027-05-03"),
            ("hashtag", "two words"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Enter the campaign")
    .assert_contains("lower-case letters")
    .assert_contains("on or after the first day")
    .assert_contains("A hashtag has no spaces")
    .assert_contains("value=\"bad slug\"");
    app.post(
        "/admin/campaigns/new",
        &[
            ("name", "Week"),
            ("slug", "week"),
            ("starts_on", "2027-05-03"),
            ("ends_on", "2027-05-09"),
        ],
    )
    .await
    .assert_status(303);
    // Not ticked as published: a draft, not public yet.
    app.another_browser()
        .get("/campaigns/week")
        .await
        .assert_status(404);
    app.post(
        "/admin/campaigns/new",
        &[
            ("name", "Again"),
            ("slug", "week"),
            ("starts_on", "2027-05-03"),
            ("ends_on", "2027-05-09"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("already uses this web address");
    // Moderators cannot edit campaigns.
    let mut m = app.another_browser();
    m.login_as(Role::Moderator).await;
    m.get("/admin/campaigns").await.assert_status(403);
}

/// One person's data covers the activities they registered: shown, then their contact
/// details erased and their published upcoming activity withdrawn from the feeds.
#[tokio::test]
async fn erasing_an_organiser_removes_their_contact_details() {
    let mut app = TestApp::new().await;
    let (slug, first, _) = campaign(&app).await;
    app.post("/activities/new", &coffee_morning(&slug, &day(&first, 3)))
        .await
        .assert_status(200);
    let id = scalar(&app, "SELECT MAX(id) FROM activities").await;
    sqlx::query("UPDATE activities SET status = 'approved', was_public = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    app.login_as(Role::Admin).await;
    app.get("/admin/people?email=rhian%40example.org&format=json")
        .await
        .assert_contains("campaign_activities")
        .assert_contains("Cuppa and chat");
    app.post(
        "/admin/people",
        &[("email", "rhian@example.org"), ("confirm", "yes")],
    )
    .await
    .assert_status(200)
    .assert_contains("Activities: contact details removed (upcoming ones cancelled): 1");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM activities WHERE contact_email = 'rhian@example.org'"
        )
        .await,
        0
    );
    let ics = app
        .another_browser()
        .get("/events.ics")
        .await
        .body
        .replace("\r\n ", "");
    let event = ics
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("Cuppa and chat"))
        .unwrap();
    assert!(event.contains("STATUS:CANCELLED"));
}

/// `/events` lists only what is still to come, from published campaigns.
#[tokio::test]
async fn events_lists_what_is_to_come_and_nothing_past_or_unpublished() {
    let app = TestApp::new().await;
    let (_, first, _) = campaign(&app).await;
    let events = app.get("/events").await;
    events
        .assert_status(200)
        .assert_contains(&format!("id=\"day-{first}\""))
        .assert_contains("href=\"/events.ics\"");
    // Unpublish the campaign: its activities leave /events.
    let mut tx = app.state.db.begin_write().await.unwrap();
    sqlx::query("UPDATE campaigns SET published = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    mmha::db::bump_content_version(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    app.state.refresh().await.unwrap();
    app.get("/events")
        .await
        .assert_status(200)
        .assert_not_contains(&format!("id=\"day-{first}\""))
        .assert_contains("Nothing is planned yet");
}

/// A unique value taken by another write at the same moment (after the form's own check)
/// is a clear 409, not a server error, on either database.
#[tokio::test]
async fn a_unique_key_taken_at_the_same_moment_is_a_conflict() {
    use axum::response::IntoResponse;
    let app = TestApp::new().await;
    let slug: String = sqlx::query_scalar("SELECT slug FROM campaigns ORDER BY id LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let err = sqlx::query(
        "INSERT INTO campaigns (slug, name, starts_on, ends_on, published, created_at, updated_at) \
         VALUES ($1, 'Same address', '2030-05-06', '2030-05-12', 0, 0, 0)",
    )
    .bind(&slug)
    .execute(&app.state.db.pool)
    .await
    .expect_err("the address is taken");
    let res = mmha::web::AppError::from(err).into_response();
    assert_eq!(res.status().as_u16(), 409);
}

/// A registration that discloses risk jumps the moderators' queue: listed before the calm
/// one registered earlier, tagged with the kind of risk (and the organiser shown help).
#[tokio::test]
async fn a_risky_registration_is_first_in_the_moderators_queue() {
    let mut app = TestApp::new().await;
    let (slug, first, _) = campaign(&app).await;
    let wednesday = day(&first, 2);
    app.post("/activities/new", &coffee_morning(&slug, &wednesday))
        .await
        .assert_status(200);
    let mut risky = coffee_morning(&slug, &wednesday);
    for (k, v) in risky.iter_mut() {
        match *k {
            "title" => *v = "Walk and talk by the river",
            "description" => {
                *v = "A gentle walk for parents. Honestly I have been saving my tablets \
                      and I do not think I will be here for it."
            }
            _ => {}
        }
    }
    app.post("/activities/new", &risky)
        .await
        .assert_status(200)
        .assert_contains("id=\"crisis-help\"");
    app.login_as(Role::Moderator).await;
    let queue = app.get("/admin/activities").await;
    queue.assert_status(200);
    let urgent = queue
        .body
        .find("Walk and talk by the river")
        .expect("listed");
    let calm = queue
        .body
        .find("Cuppa and chat for new parents")
        .expect("listed");
    assert!(urgent < calm, "the flagged registration comes first");
    assert!(
        queue.body[..urgent].contains("Safeguarding"),
        "tagged for safeguarding"
    );
}
