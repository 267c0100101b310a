//! Pages, revisions, news, RSS, resources and uploads, search, through the staff screens.

use mmha::auth::Role;

use crate::harness::TestApp;

fn page_form<'a>(
    title: &'a str,
    slug: &'a str,
    body: &'a str,
    status: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", slug),
        ("body", body),
        ("status", status),
        ("nav_order", "5"),
    ]
}

/// The whole editor journey from the issue: create, revise and publish a page and a news
/// post that then appear in navigation, search and RSS.
#[tokio::test]
async fn editor_creates_revises_and_publishes_page() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;

    // Draft: not public, not in search.
    let res = app
        .post(
            "/admin/pages/new",
            &page_form(
                "Our campaigns",
                "campaigns-2026",
                "First words about kangaroo care.",
                "draft",
            ),
        )
        .await;
    res.assert_status(303);
    let edit_url = res.location().split('?').next().unwrap().to_string();
    app.get("/campaigns-2026").await.assert_status(404);
    app.get("/search?q=kangaroo")
        .await
        .assert_contains("0 results");

    // Revise and publish, in the menu.
    let mut form = page_form(
        "Our campaigns",
        "campaigns-2026",
        "Second words about kangaroo care.\n\n## Turn the map green",
        "published",
    );
    form.push(("show_in_nav", "1"));
    form.push(("note", "Ready to go"));
    app.post(&edit_url, &form).await.assert_status(303);

    let public = app.get("/campaigns-2026").await;
    public
        .assert_status(200)
        .assert_contains("<h1>Our campaigns</h1>")
        .assert_contains("<h2>Turn the map green</h2>");
    // In the navigation of every page (the cache was refreshed by the write).
    app.get("/")
        .await
        .assert_contains("<a href=\"/campaigns-2026\">Our campaigns</a>");
    // In search.
    app.get("/search?q=kangaroo")
        .await
        .assert_contains("1 results")
        .assert_contains("href=\"/campaigns-2026\"");

    // History has both revisions; the diff shows what changed; restore brings the first back.
    let history = app.get(&format!("{edit_url}/history")).await;
    history.assert_status(200).assert_contains("Ready to go");
    let revs: Vec<&str> = history
        .body
        .split("/revisions/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .filter(|id| !id.contains('/'))
        .collect();
    assert!(revs.len() >= 2, "{revs:?}");
    let latest = revs[0];
    let diff = app.get(&format!("{edit_url}/revisions/{latest}")).await;
    diff.assert_status(200)
        .assert_contains("- First words about kangaroo care.")
        .assert_contains("+ Second words about kangaroo care.");
    let oldest = revs.last().unwrap();
    app.post(&format!("{edit_url}/revisions/{oldest}/restore"), &[])
        .await
        .assert_status(303);
    app.get("/campaigns-2026")
        .await
        .assert_contains("First words about kangaroo care.");
    let history = app.get(&format!("{edit_url}/history")).await;
    history.assert_contains(&format!("Restored revision {oldest}"));

    // Unpublish: gone from the site and from search.
    let form = page_form("Our campaigns", "campaigns-2026", "x", "draft");
    app.post(&edit_url, &form).await.assert_status(303);
    app.get("/campaigns-2026").await.assert_status(404);
    app.get("/search?q=kangaroo")
        .await
        .assert_contains("0 results");
}

#[tokio::test]
async fn page_validation_keeps_input_and_explains() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let body = "A long body the editor typed and must not lose.";
    let res = app
        .post("/admin/pages/new", &page_form("", "news", body, "draft"))
        .await;
    res.assert_status(422)
        .assert_contains("There is a problem")
        .assert_contains("Enter a title.")
        .assert_contains("used by another part of the site")
        .assert_contains(body);
    // The Welsh addresses and the roster's pages are not for a page to take.
    for taken in ["cy", "supporters", "champions"] {
        app.post(
            "/admin/pages/new",
            &page_form("A page", taken, body, "draft"),
        )
        .await
        .assert_status(422)
        .assert_contains("used by another part of the site");
    }
    let res = app
        .post(
            "/admin/pages/new",
            &page_form("About again", "about", body, "draft"),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Another page already uses this web address.");
    let res = app
        .post(
            "/admin/pages/new",
            &page_form("Bad", "Bad Slug!", body, "draft"),
        )
        .await;
    res.assert_status(422).assert_contains("lower-case letters");
    // Nothing half-written.
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pages WHERE title IN ('', 'About again', 'Bad')")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn page_loops_are_refused() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let parent = app
        .post(
            "/admin/pages/new",
            &page_form("Parent", "parent", "p", "published"),
        )
        .await;
    let parent_url = parent.location().split('?').next().unwrap().to_string();
    let parent_id = parent_url.rsplit('/').next().unwrap().to_string();
    let mut child = page_form("Child", "child", "c", "published");
    child.push(("parent_id", &parent_id));
    let res = app.post("/admin/pages/new", &child).await;
    res.assert_status(303);
    let child_id = res
        .location()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    // The child shows a breadcrumb; the parent lists the child.
    app.get("/child").await.assert_contains("href=\"/parent\"");
    app.get("/parent")
        .await
        .assert_contains("In this section")
        .assert_contains("href=\"/child\"");
    // Parent under its own child: refused.
    let mut looped = page_form("Parent", "parent", "p", "published");
    looped.push(("parent_id", &child_id));
    app.post(&parent_url, &looped)
        .await
        .assert_status(422)
        .assert_contains("cannot sit under itself");
}

#[tokio::test]
async fn markdown_is_sanitised_on_public_pages() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let body = "Hello <script>alert('x')</script>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>";
    app.post(
        "/admin/pages/new",
        &page_form("Tricky <b>title</b>", "tricky", body, "published"),
    )
    .await
    .assert_status(303);
    let res = app.get("/tricky").await;
    res.assert_status(200)
        .assert_not_contains("<script>alert")
        .assert_not_contains("<iframe")
        .assert_not_contains("javascript:")
        .assert_not_contains("onerror")
        .assert_contains("Tricky &#60;b&#62;title&#60;/b&#62;");
}

#[tokio::test]
async fn news_post_appears_in_list_tag_feed_and_search() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let form = [
        ("title", "Wales opens a second unit"),
        ("slug", ""),
        ("summary", "A short summary for the feed."),
        (
            "body",
            "The new unit in the north is a big step for families in Powys.",
        ),
        ("author_name", "Press team"),
        ("date", "2026-11-20"),
        ("tags", "Wales, Services, wales"),
        ("status", "published"),
    ];
    let res = app.post("/admin/news/new", &form).await;
    res.assert_status(303);
    app.get("/news")
        .await
        .assert_contains("href=\"/news/wales-opens-a-second-unit\"")
        .assert_contains("20 November 2026");
    let post = app.get("/news/wales-opens-a-second-unit").await;
    post.assert_status(200)
        .assert_contains("Press team")
        .assert_contains("href=\"/news/tag/wales\"")
        .assert_contains("<time datetime=\"2026-11-20\">");
    // Duplicate tags collapse.
    assert_eq!(post.body.matches("href=\"/news/tag/wales\"").count(), 1);
    app.get("/news/tag/wales")
        .await
        .assert_contains("Wales opens a second unit");
    app.get("/news/tag/no-such-tag").await.assert_status(404);
    let rss = app.get("/news.rss").await;
    rss.assert_contains("<title>Wales opens a second unit</title>")
        .assert_contains("<category>Wales</category>")
        .assert_contains("A short summary for the feed.");
    app.get("/search?q=powys")
        .await
        .assert_contains("Wales opens a second unit");
    // Newest first.
    let list = app.get("/news").await;
    assert!(
        list.body.find("Wales opens").unwrap() < list.body.find("Awareness Week: how").unwrap()
    );
}

#[tokio::test]
async fn news_validation_and_pagination() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let res = app
        .post(
            "/admin/news/new",
            &[
                ("title", "Dated"),
                ("body", "Text kept here"),
                ("author_name", "A"),
                ("date", "20/11/2026"),
                ("status", "published"),
            ],
        )
        .await;
    res.assert_status(422)
        .assert_contains("year-month-day")
        .assert_contains("Text kept here")
        .assert_contains("value=\"20/11/2026\"");
    for i in 0..12 {
        let title = format!("Bulk post {i}");
        let date = format!("2026-01-{:02}", i + 1);
        app.post(
            "/admin/news/new",
            &[
                ("title", &title),
                ("body", "b"),
                ("author_name", "A"),
                ("date", &date),
                ("status", "published"),
            ],
        )
        .await
        .assert_status(303);
    }
    let p1 = app.get("/news").await;
    p1.assert_contains("rel=\"next\"")
        .assert_contains("Page 1 / 2");
    let p2 = app.get("/news?page=2").await;
    p2.assert_status(200).assert_contains("rel=\"prev\"");
    app.get("/news?page=99").await.assert_status(404);
    app.get("/news?page=abc").await.assert_status(200);
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn resource_upload_and_safe_download() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let fields = [
        ("title", "Annual report 2026"),
        ("slug", ""),
        ("kind", "report"),
        ("description", "What we did."),
        ("status", "published"),
    ];
    let res = app
        .post_multipart(
            "/admin/resources/new",
            &fields,
            Some(("file", "../../Annual Report.pdf", PDF)),
        )
        .await;
    res.assert_status(303);
    let list = app.get("/resources").await;
    list.assert_contains("Annual report 2026")
        .assert_contains("PDF, 1 KB");
    let href = list.body.split("href=\"/files/").nth(1).unwrap();
    let href = format!("/files/{}", &href[..href.find('"').unwrap()]);
    assert!(href.ends_with("/Annual-Report.pdf"), "{href}");
    let file = app.get(&href).await;
    file.assert_status(200);
    assert_eq!(file.header("content-type"), "application/pdf");
    assert!(
        file.header("content-disposition")
            .starts_with("inline; filename=\"Annual-Report.pdf\"")
    );
    assert_eq!(file.header("x-content-type-options"), "nosniff");
    assert_eq!(file.bytes, PDF);
    app.get("/resources?kind=report")
        .await
        .assert_contains("Annual report 2026");
    app.get("/resources?kind=leaflet")
        .await
        .assert_not_contains("Annual report 2026");
    app.get("/resources?kind=%3Cscript%3E")
        .await
        .assert_status(400);
    // Path tricks never reach the file system.
    for bad in [
        "/files/..%2F..%2Fetc%2Fpasswd/x",
        "/files/../Cargo.toml/x",
        "/files/0123456789abcdef0123456789abcdef.sh/x",
        "/files/zzz.pdf/x",
    ] {
        let res = app.get(bad).await;
        assert!(
            res.status == 404 || res.status == 400,
            "{bad}: {}",
            res.status
        );
    }
}

#[tokio::test]
async fn bad_uploads_are_refused_and_input_kept() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let fields = [
        ("title", "Leaflet typed title"),
        ("kind", "leaflet"),
        ("description", "Kept description"),
        ("status", "published"),
    ];
    let res = app
        .post_multipart(
            "/admin/resources/new",
            &fields,
            Some(("file", "leaflet.pdf", b"<html><script>alert(1)</script>")),
        )
        .await;
    res.assert_status(422)
        .assert_contains("do not look like a .pdf file")
        .assert_contains("Leaflet typed title")
        .assert_contains("Kept description");
    let res = app
        .post_multipart(
            "/admin/resources/new",
            &fields,
            Some(("file", "page.html", b"<html>")),
        )
        .await;
    res.assert_status(422).assert_contains("not accepted");
    let res = app
        .post_multipart("/admin/resources/new", &fields, None)
        .await;
    res.assert_status(422)
        .assert_contains("Upload a file or give a web address");
    // Nothing written.
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM resources WHERE title = 'Leaflet typed title'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 0);
    // No file but the demo pictures' folder.
    let uploads: Vec<String> = std::fs::read_dir(app.state.config.uploads_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "images")
        .collect();
    assert_eq!(uploads, Vec::<String>::new());
}

#[tokio::test]
async fn draft_resources_are_private() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let fields = [
        ("title", "Secret draft"),
        ("kind", "other"),
        ("status", "draft"),
    ];
    app.post_multipart(
        "/admin/resources/new",
        &fields,
        Some(("file", "draft.pdf", PDF)),
    )
    .await
    .assert_status(303);
    let admin_list = app.get("/admin/resources").await;
    let href = admin_list.body.split("href=\"/files/").nth(1).unwrap();
    let href = format!("/files/{}", &href[..href.find('"').unwrap()]);
    app.get(&href).await.assert_status(200);
    let visitor = app.another_browser();
    visitor.get(&href).await.assert_status(404);
    visitor
        .get("/resources")
        .await
        .assert_not_contains("Secret draft");
}
