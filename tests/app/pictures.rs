//! Pictures staff put on the site: the home page picture and logo (site settings), a
//! page's and a campaign's picture. Each upload is checked, resized for phones with
//! `srcset`, stored without its metadata, kept across a validation error and deleted when
//! nothing uses it any more.

use mmha::auth::Role;

use crate::harness::TestApp;
use crate::harness::hidden;

/// A real JPEG photo of `w`×`h` with a GPS position in its metadata.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 140])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&pixels)
        .unwrap();
    let exif = b"Exif\0\0GPSLatitude 51.48N 12 Home Street";
    let mut d = vec![0xFF, 0xD8, 0xFF, 0xE1];
    d.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    d.extend_from_slice(exif);
    d.extend_from_slice(&plain[2..]);
    d
}

fn settings<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = crate::admin::settings_form("Maternal Mental Health Alliance", "#5a2d82");
    v.extend_from_slice(extra);
    v
}

#[tokio::test]
async fn the_home_picture_is_resized_for_phones_described_and_replaced() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    // A picture without a description is refused, and the upload is kept for the next try.
    let res = app
        .post_multipart(
            "/admin/settings",
            &settings(&[("hero_image_alt", "")]),
            Some(("hero_image_file", "garden.jpg", &photo(2400, 1200))),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Describe the picture for people who cannot see it");
    let kept = hidden(&res.body, "hero_image");
    assert!(
        kept.ends_with("-1600x800.jpg"),
        "scaled to 1600 wide: {kept}"
    );
    let res = app
        .post_multipart(
            "/admin/settings",
            &settings(&[
                ("hero_image", &kept),
                ("hero_image_alt", "A garden in spring"),
            ]),
            None,
        )
        .await;
    res.assert_status(303);
    let visitor = app.another_browser();
    let home = visitor.get("/").await;
    let stem = kept.trim_end_matches(".jpg");
    home.assert_contains(&format!(
        "srcset=\"/images/{stem}-480.jpg 480w, /images/{stem}-960.jpg 960w, /images/{kept} 1600w\""
    ))
    .assert_contains("width=\"1600\" height=\"800\" alt=\"A garden in spring\"")
    // Staff's own picture is not labelled as the demo one.
    .assert_not_contains("Demo picture</figcaption>");
    for file in [
        format!("{stem}-480.jpg"),
        format!("{stem}-960.jpg"),
        kept.clone(),
    ] {
        let img = visitor.get(&format!("/images/{file}")).await;
        img.assert_status(200);
        assert_eq!(img.header("content-type"), "image/jpeg");
        assert!(img.header("cache-control").contains("immutable"));
        assert!(!img.body.contains("GPS") && !img.body.contains("Home Street"));
        let pic = image::load_from_memory(&img.bytes).expect("a picture");
        assert!(
            pic.width() <= 1600 && pic.width() * 2 == pic.height() * 4,
            "{file}"
        );
    }
    // Taken off: the files go, as nothing else uses them.
    app.post_multipart(
        "/admin/settings",
        &settings(&[("hero_image", &kept), ("hero_image_remove", "1")]),
        None,
    )
    .await
    .assert_status(303);
    visitor.get("/").await.assert_not_contains(&kept);
    visitor
        .get(&format!("/images/{kept}"))
        .await
        .assert_status(404);
    visitor
        .get(&format!("/images/{stem}-480.jpg"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn a_logo_replaces_the_standard_mark_and_name() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Admin).await;
    let res = app
        .post_multipart(
            "/admin/settings",
            &settings(&[]),
            Some(("logo_file", "logo.gif", b"GIF89a not a picture")),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Choose a JPEG, PNG or WebP picture");
    app.post_multipart(
        "/admin/settings",
        &settings(&[]),
        Some(("logo_file", "logo.jpg", &photo(600, 150))),
    )
    .await
    .assert_status(303);
    let home = app.another_browser().get("/").await;
    home.assert_contains("class=\"logo-image\"")
        .assert_contains("alt=\"Maternal Mental Health Alliance\"")
        .assert_not_contains("class=\"logo-mark\"");
}

#[tokio::test]
async fn pages_and_campaigns_carry_a_picture_with_its_description() {
    let mut app = TestApp::new().await;
    app.login_as(Role::Editor).await;
    let fields = [
        ("title", "Our team"),
        ("slug", "our-team"),
        ("body", "Who we are."),
        ("status", "published"),
        ("image_alt", ""),
    ];
    let res = app
        .post_multipart(
            "/admin/pages/new",
            &fields,
            Some(("image_file", "team.jpg", &photo(800, 400))),
        )
        .await;
    res.assert_status(422)
        .assert_contains("Describe the picture")
        .assert_contains("Who we are.");
    let kept = hidden(&res.body, "image");
    assert!(kept.ends_with("-800x400.jpg"), "{kept}");
    let mut fields = fields.to_vec();
    fields.retain(|(k, _)| *k != "image_alt");
    fields.extend([
        ("image", kept.as_str()),
        ("image_alt", "The team at a table"),
        ("image_alt_cy", "Y tîm wrth fwrdd"),
    ]);
    app.post_multipart("/admin/pages/new", &fields, None)
        .await
        .assert_status(303);
    let visitor = app.another_browser();
    visitor
        .get("/our-team")
        .await
        .assert_contains(&format!("src=\"/images/{kept}\""))
        .assert_contains("alt=\"The team at a table\"");
    visitor
        .get("/cy/our-team")
        .await
        .assert_contains("alt=\"Y tîm wrth fwrdd\"");
    // The demo campaign has a picture; a campaign picture is described like a page's.
    let slug: String = sqlx::query_scalar("SELECT slug FROM campaigns LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    visitor
        .get(&format!("/campaigns/{slug}"))
        .await
        .assert_contains("class=\"campaign-picture\"")
        .assert_contains("Demo picture: overlapping circles");
    // Below the first screen of the home page, the campaign's picture loads lazily.
    let home = visitor.get("/").await.body;
    let featured = &home[home.find("class=\"featured-picture\"").unwrap()..];
    assert!(featured[..featured.find("</div>").unwrap()].contains("loading=\"lazy\""));
}

#[tokio::test]
async fn the_typeface_is_served_from_this_site_with_the_welsh_letters() {
    let app = TestApp::new().await;
    let home = app.get("/").await;
    let css_url = home
        .body
        .split("href=\"/assets/site.")
        .nth(1)
        .map(|s| format!("/assets/site.{}", s.split('"').next().unwrap()))
        .unwrap();
    let css = app.get(&css_url).await;
    css.assert_status(200);
    // Each face at its hashed address, the Latin Extended one only for the letters it adds
    // (Welsh ŵ is U+0175, ŷ U+0177).
    let fonts: Vec<&str> = css
        .body
        .split("url(\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(fonts.len(), 4, "{fonts:?}");
    assert!(css.body.contains("unicode-range: U+0100-02BA"));
    let mut total = 0;
    for f in fonts {
        assert!(f.starts_with("/assets/ahn-latin"), "{f}");
        let font = app.get(f).await;
        font.assert_status(200);
        assert_eq!(font.header("content-type"), "font/woff2");
        assert!(font.header("cache-control").contains("immutable"));
        assert!(font.bytes.starts_with(b"wOF2"));
        total += font.bytes.len();
    }
    assert!(total <= 60 * 1024, "the typeface is {total} bytes");
    home.assert_contains("rel=\"preload\" href=\"/assets/ahn-latin-400.");
}
