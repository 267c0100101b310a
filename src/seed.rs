//! First-start content. Helplines (researched data with sources, `seed/helplines.csv`) are
//! always loaded into a new database; the demo pages, news, resources and impact figures
//! are loaded unless `demo_content = false`, and every demo item says so on the page until
//! an editor confirms or removes it.

use crate::cms::{news, pages, resources};
use crate::db::{self, Db, Tx};
use crate::site::helplines::{self, HelplineForm};

const HELPLINES_CSV: &str = include_str!("../seed/helplines.csv");

/// The demo pictures, drawn by `examples/demo_pictures.rs` and sized as uploads are.
mod pictures {
    include!("../seed/pictures/list.rs");
}

/// Descriptions of the demo pictures (English, Welsh).
const PICTURE_ALT: &[(&str, &str, &str)] = &[
    (
        "hills",
        "Demo picture: soft purple hills under a warm sunrise sky.",
        "Llun enghreifftiol: bryniau porffor meddal o dan awyr gynnes y wawr.",
    ),
    (
        "circles",
        "Demo picture: overlapping circles in warm colours, like people coming together.",
        "Llun enghreifftiol: cylchoedd yn gorgyffwrdd mewn lliwiau cynnes, fel pobl yn dod ynghyd.",
    ),
    (
        "waves",
        "Demo picture: gentle waves in purple and peach.",
        "Llun enghreifftiol: tonnau tyner mewn lliwiau porffor ac eirin gwlanog.",
    ),
];

/// Writes the demo pictures under `uploads/images/`; returns (picture, stored name).
async fn write_pictures(uploads: &std::path::Path) -> anyhow::Result<Vec<(&'static str, String)>> {
    let mut out = Vec::new();
    for (key, _, _) in PICTURE_ALT {
        let files: Vec<(String, &[u8])> = pictures::PICTURES
            .iter()
            .filter(|(k, ..)| k == key)
            .map(|(_, file, bytes)| (file.to_string(), *bytes))
            .collect();
        let name = crate::uploads::store_in(uploads, &files).await?;
        out.push((*key, name));
    }
    Ok(out)
}

/// A demo picture's stored name and descriptions.
fn picture<'a>(written: &'a [(&str, String)], key: &str) -> (&'a str, &'static str, &'static str) {
    let name = written
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, n)| n.as_str())
        .unwrap_or("");
    let (_, en, cy) = PICTURE_ALT
        .iter()
        .find(|(k, ..)| *k == key)
        .copied()
        .unwrap_or(("", "", ""));
    (name, en, cy)
}

/// Loads the initial content into a new database, once: the `seeded_at` setting marks it
/// done, so deleting every demo page never brings them back.
///
/// Several instances may start together on a new database: on PostgreSQL the first to
/// get here holds a transaction-scoped advisory lock while it loads, and the others wait
/// for it and then find the work done. (SQLite's `BEGIN IMMEDIATE` already serialises.)
pub async fn load(db: &Db, demo: bool, uploads: &std::path::Path) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    if db.backend == db::Backend::Postgres {
        // The bytes of "mmhaseed" as a number; any constant every instance shares would do.
        sqlx::query("SELECT pg_advisory_xact_lock(7885073290352747876)")
            .execute(&mut *tx)
            .await?;
    }
    let seeded: Option<String> =
        sqlx::query_scalar("SELECT value FROM site_settings WHERE key = 'seeded_at'")
            .fetch_optional(&mut *tx)
            .await?;
    let areas: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM areas")
        .fetch_one(&mut *tx)
        .await?;
    if seeded.is_some() && areas > 0 {
        return Ok(());
    }
    // Files before rows: a demo row never names a picture that is not on disk.
    let written = if demo && seeded.is_none() {
        write_pictures(uploads).await?
    } else {
        Vec::new()
    };
    if seeded.is_none() {
        load_helplines(&mut tx).await?;
        if demo {
            load_demo(&mut tx, db.backend, &written).await?;
        }
        sqlx::query("INSERT INTO site_settings (key, value) VALUES ('seeded_at', $1)")
            .bind(db::now().to_string())
            .execute(&mut *tx)
            .await?;
    }
    if areas == 0 {
        // Boundaries come with every database; demo scores only with a new demo one.
        crate::atlas::seed(&mut tx, demo && seeded.is_none()).await?;
    }
    if demo && seeded.is_none() {
        crate::campaigns::demo::seed(&mut tx, picture(&written, "circles")).await?;
        crate::site::tracker::store::seed_demo(&mut tx).await?;
    }
    db::bump_content_version(&mut tx).await?;
    tx.commit().await?;
    tracing::info!(demo, "loaded first-start content");
    Ok(())
}

/// The researched helplines in `seed/helplines.csv`, checked as the staff form checks them
/// (a way to reach each one, numbers as digits, no staff shorthand on the public card).
pub fn seed_helplines() -> anyhow::Result<Vec<HelplineForm>> {
    let mut reader = csv::Reader::from_reader(HELPLINES_CSV.as_bytes());
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<HelplineForm>().enumerate() {
        let mut f = row?;
        f.sort_order = ((i as i64 + 1) * 10).to_string();
        if let Some((field, msg)) = f.problems().into_iter().next() {
            anyhow::bail!(
                "seed/helplines.csv row {}: {field}: {}",
                i + 2,
                msg.text(crate::i18n::Lang::En)
            );
        }
        out.push(f);
    }
    Ok(out)
}

/// How many items of demo content are still on the site (pages, posts, resources and
/// impact figures labelled demo), for the staff dashboard's reminder to replace them.
pub async fn demo_items(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM pages WHERE is_demo = 1) + \
         (SELECT COUNT(*) FROM posts WHERE is_demo = 1) + \
         (SELECT COUNT(*) FROM resources WHERE is_demo = 1) + \
         (SELECT COUNT(*) FROM impact_figures WHERE is_demo = 1)",
    )
    .fetch_one(&db.pool)
    .await
}

async fn load_helplines(tx: &mut Tx) -> anyhow::Result<()> {
    for f in seed_helplines()? {
        helplines::store::save_helpline(tx, None, &f).await?;
    }
    Ok(())
}

fn page(slug: &str, title: &str, title_cy: &str, body: &str, nav: Option<i64>) -> pages::PageForm {
    pages::PageForm {
        slug: slug.into(),
        title: title.into(),
        title_cy: title_cy.into(),
        body: body.into(),
        status: "published".into(),
        show_in_nav: nav.map(|_| "1".into()),
        nav_order: nav.unwrap_or(0).to_string(),
        is_demo: Some("1".into()),
        note: "Demo content loaded on first start".into(),
        ..Default::default()
    }
}

async fn load_demo(
    tx: &mut Tx,
    backend: db::Backend,
    written: &[(&str, String)],
) -> anyhow::Result<()> {
    let (hero, hero_alt, hero_alt_cy) = picture(written, "hills");
    crate::site::settings::save_settings(
        tx,
        &[
            ("hero_image".into(), hero.into()),
            ("hero_image_alt".into(), hero_alt.into()),
            ("hero_image_alt_cy".into(), hero_alt_cy.into()),
            ("hero_demo".into(), "1".into()),
        ],
    )
    .await?;
    let (waves, waves_alt, waves_alt_cy) = picture(written, "waves");
    let mut about = page(
        "about",
        "About the alliance",
        "Am y gynghrair",
        "The alliance is a coalition of UK organisations with a vision to see all women across \
the UK get consistent, accessible and quality care and support for their mental health \
during pregnancy and in the year after giving birth.\n\n\
## What we do\n\n\
- We map specialist perinatal mental health services in every area of the four nations, \
and campaign until every area meets the national standards.\n\
- We bring together member organisations, professionals and people with lived experience.\n\
- We support mums, dads, siblings and grandparents to share their stories to raise \
awareness, reduce stigma and influence change.\n\n\
*This page is demo content paraphrased from the alliance's public website. An editor \
should replace or confirm it.*",
        Some(10),
    );
    about.image = waves.into();
    about.image_alt = waves_alt.into();
    about.image_alt_cy = waves_alt_cy.into();
    pages::store::save_page(tx, backend, None, &about, None).await?;

    let involved = page(
        "get-involved",
        "Get involved",
        "Cymryd rhan",
        "There are many ways to help every family get the perinatal mental health care they \
need.\n\n\
## Take part in Awareness Week\n\n\
Every May, members and supporters run coffee mornings, buggy walks, online chats and talks. \
Use the hashtag **#maternalMHmatters** and tell others what you are doing.\n\n\
## Share the map\n\n\
Look up your area, take the map to local decision makers and share it with the hashtag \
**#everyonesbusiness**.\n\n\
## Join as a member\n\n\
Organisations that share our aims can join the alliance. Contact the membership team.\n\n\
*Demo content.*",
        Some(20),
    );
    pages::store::save_page(tx, backend, None, &involved, None).await?;

    let disclaimer = page(
        "disclaimer",
        "Information, not medical advice",
        "Gwybodaeth, nid cyngor meddygol",
        "This website gives information only. It is not, and does not replace, legal or \
medical advice.\n\n\
If anything on this site makes you think about something that has happened to you or \
someone you know, and you feel upset, worried or uncomfortable, [see the list of support \
services](/help).\n\n\
If you or someone else is in danger now, **call 999**.\n\n*Demo content.*",
        None,
    );
    pages::store::save_page(tx, backend, None, &disclaimer, None).await?;

    let privacy = page(
        "privacy",
        "Privacy",
        "Preifatrwydd",
        "We collect as little as we can.\n\n\
- **No tracking.** This site sets no advertising or analytics cookies and loads nothing \
from other websites.\n\
- **Cookies we use.** A language cookie if you choose Cymraeg or English, and a login \
cookie for staff. Nothing else.\n\
- **Exit this page** ends any session and clears what your browser keeps of this site.\n\
- **Postcodes** you type to find support are used for that search only and never stored.\n\n\
*Demo content: the alliance's own privacy notice goes here.*",
        None,
    );
    pages::store::save_page(tx, backend, None, &privacy, None).await?;

    let a11y = page(
        "accessibility",
        "Accessibility",
        "Hygyrchedd",
        "We want everyone to be able to use this website. It is built to meet WCAG 2.2 AA: \
it works with a keyboard and a screen reader, on a small phone screen, at 400% zoom and \
without JavaScript.\n\n\
If something does not work for you, please tell us using the contact details at the \
bottom of every page.\n\n*Demo content.*",
        None,
    );
    pages::store::save_page(tx, backend, None, &a11y, None).await?;

    let posts: [(&str, &str, &str, &str, &str, &str); 4] = [
        (
            "awareness-week-how-to-take-part",
            "Maternal Mental Health Awareness Week: how to take part",
            "Wythnos Ymwybyddiaeth Iechyd Meddwl Mamau: sut i gymryd rhan",
            "2026-04-14",
            "Awareness Week, Member",
            "Maternal Mental Health Awareness Week takes place every May, and includes World \
Maternal Mental Health Day on the first Wednesday of the month.\n\n\
Last year, organisations across the UK ran nightly #PNDHour chats, live online Q&As, coffee \
mornings, cake baking and buggy walks, and shared resources and stories.\n\n\
## How you can get involved\n\n\
- Join the mailing list to be kept up to date.\n\
- Come up with your own ideas to show that #maternalMHmatters.\n\
- Use the hashtag on social media.\n\
- Join in with activities organised by other groups.\n\n\
*Demo news post, paraphrased from the alliance's public website.*",
        ),
        (
            "new-maps-of-specialist-services",
            "New maps show where specialist perinatal care is still missing",
            "",
            "2026-02-03",
            "Maps, Services, Specialist teams",
            "Our maps score every NHS area in the four nations from 0 (no service) to 5 (a team \
that meets the Perinatal Quality Network's standards), so anyone can see where mothers can \
get specialist care and where they cannot.\n\n\
Levels come from local experts. If you think your area's score is wrong, please tell us.\n\n\
*Demo news post. The figures on the live map are maintained by staff.*",
        ),
        (
            "mbrrace-suicide-leading-cause",
            "Suicide remains a leading cause of maternal death",
            "",
            "2025-10-12",
            "Policy, Research, MBRRACE",
            "The latest confidential enquiry into maternal deaths found that suicide remains \
the leading direct cause of death between six weeks and a year after pregnancy.\n\n\
We are calling on every government in the UK to make sure that specialist perinatal \
mental health care is there for every woman who needs it, wherever she lives.\n\n\
If you are struggling, [help is available now](/help).\n\n\
*Demo news post paraphrasing published findings; check the report before relying on it.*",
        ),
        (
            "mapping-maternal-mental-health-services",
            "Mapping England's Maternal Mental Health Services",
            "",
            "2024-10-08",
            "Services, Research",
            "Maternal Mental Health Services support women with moderate to severe problems \
arising from birth trauma, severe fear of childbirth, or the loss of a baby.\n\n\
Our survey of these services found that waiting times and eligibility vary a lot from \
place to place, and that few support mothers whose babies are removed through care \
proceedings.\n\n*Demo news post.*",
        ),
    ];
    for (slug, title, title_cy, date, tags, body) in posts {
        let f = news::PostForm {
            slug: slug.into(),
            title: title.into(),
            title_cy: title_cy.into(),
            summary: String::new(),
            body: body.into(),
            body_cy: String::new(),
            author_name: "Alliance team (demo)".into(),
            date: date.into(),
            tags: tags.into(),
            status: "published".into(),
            is_demo: Some("1".into()),
        };
        news::store::save_post(tx, backend, None, &f, None).await?;
    }

    for (slug, title, kind, desc, url) in [
        (
            "nice-antenatal-postnatal-mental-health",
            "NICE guideline: antenatal and postnatal mental health",
            "guideline",
            "Clinical management and service guidance for mental health problems in pregnancy \
and the year after birth.",
            "https://www.nice.org.uk/guidance/cg192",
        ),
        (
            "rcpsych-cr232",
            "RCPsych CR232: perinatal mental health services",
            "guideline",
            "Recommendations for the provision of services for childbearing women.",
            "https://www.rcpsych.ac.uk/improving-care/campaigning-for-better-mental-health-policy/college-reports",
        ),
        (
            "wellbeing-plan",
            "Wellbeing plan for pregnancy and after birth",
            "leaflet",
            "A plan to fill in with your midwife or health visitor about how you feel and what \
support you want.",
            "https://www.tommys.org/pregnancy-information/health-professionals/free-pregnancy-resources/wellbeing-plan",
        ),
    ] {
        let id = resources::insert_link(tx, slug, title, kind, desc, url).await?;
        let href = format!("/resources#{slug}");
        crate::cms::search::index_doc(tx, backend, "resource", id, &href, title, desc).await?;
    }

    // Headline funding comes from the impact tracker (its demo items, `tracker::seed_demo`).
    let figures: [(&str, &str, &str, &str, &str); 6] = [
        (
            "services",
            "Areas with new community services in England",
            "100+",
            "new specialist community perinatal teams",
            "england",
        ),
        (
            "services",
            "New mother and baby units",
            "4",
            "new inpatient units in England",
            "england",
        ),
        (
            "services",
            "Maternal Mental Health Services",
            "26",
            "new hubs helping about 6,000 mothers a year",
            "england",
        ),
        (
            "reach",
            "Social media followers",
            "24,000+",
            "across the alliance's channels",
            "",
        ),
        (
            "reach",
            "Website visitors",
            "6,500",
            "on average each month",
            "",
        ),
        (
            "voice",
            "Nations where members and Champions work",
            "4",
            "England, Wales, Scotland and Northern Ireland",
            "",
        ),
    ];
    for (i, (section, label, value, detail, nation)) in figures.into_iter().enumerate() {
        let f = crate::site::impact::FigureForm {
            section: section.into(),
            label: label.into(),
            value: value.into(),
            detail: detail.into(),
            nation: nation.into(),
            sort_order: ((i + 1) * 10).to_string(),
            is_demo: Some("1".into()),
        };
        crate::site::impact::store::save_figure(tx, None, &f).await?;
    }
    Ok(())
}
