//! Demo content for a new database: next May's Awareness Week with a few approved
//! activities across the four nations, every one labelled as demo.

use crate::db::{self, Tx};
use crate::uktime;
use time::{Date, Month, Weekday};

/// Awareness Week: Monday to Sunday of the week holding World Maternal Mental Health Day
/// (the first Wednesday of May), in the first May that has not yet passed.
pub fn next_week(today: Date) -> (Date, Date) {
    let mut year = today.year();
    loop {
        let mut d = Date::from_calendar_date(year, Month::May, 1).expect("valid");
        while d.weekday() != Weekday::Wednesday {
            d = d.next_day().expect("in range");
        }
        let start = d - time::Duration::days(2);
        let end = d + time::Duration::days(4);
        if end >= today {
            return (start, end);
        }
        year += 1;
    }
}

const THEMES: [(&str, &str); 7] = [
    ("Support for all", "Cymorth i bawb"),
    ("Journeys to recovery", "Teithiau at wella"),
    (
        "World Maternal Mental Health Day: your voice",
        "Diwrnod Iechyd Meddwl Mamau y Byd: eich llais",
    ),
    ("Dads and partners", "Tadau a phartneriaid"),
    ("Find support near you", "Dod o hyd i gymorth yn agos atoch"),
    ("The power of connection", "Grym cysylltiad"),
    ("Positivity pot", "Pot positifrwydd"),
];

/// (title, organiser, kind, venue, postcode, area, nation, lat, lon, day index, start, end)
type DemoActivity = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static [(usize, (u8, u8), (u8, u8))],
);

const ACTIVITIES: &[DemoActivity] = &[
    (
        "Coffee morning for new parents (demo)",
        "Demo Parent and Baby Group Cardiff",
        "in_person",
        "Demo community café, Cardiff",
        "CF10 1AA",
        "W11000029",
        "wales",
        51.47910,
        -3.17809,
        &[(2, (10, 0), (12, 0))],
    ),
    (
        "Buggy walk in the city centre (demo)",
        "Demo Perinatal Peer Support Manchester",
        "in_person",
        "Meet at the demo library steps, Manchester",
        "M1 1AD",
        "E54000057",
        "england",
        53.48381,
        -2.24485,
        &[(1, (11, 0), (12, 30)), (4, (11, 0), (12, 30))],
    ),
    (
        "Drop-in: talking about perinatal mental health (demo)",
        "Demo Family Centre Edinburgh",
        "in_person",
        "Demo family centre, Edinburgh",
        "EH1 1AD",
        "S08000024",
        "scotland",
        55.94914,
        -3.19277,
        &[(3, (13, 0), (15, 0))],
    ),
    (
        "Tea and talk for mums and dads (demo)",
        "Demo Belfast Parents Network",
        "in_person",
        "Demo church hall, Belfast",
        "BT1 1AA",
        "BHSCT",
        "northern-ireland",
        54.60245,
        -5.92229,
        &[(5, (10, 30), (12, 0))],
    ),
    (
        "Facebook Live: medicines and breastfeeding (demo)",
        "Demo Perinatal Pharmacy Team",
        "online",
        "",
        "",
        "",
        "",
        0.0,
        0.0,
        &[(2, (19, 0), (20, 0))],
    ),
    (
        "#PNDHour chat (demo)",
        "Demo online peer support",
        "social",
        "",
        "",
        "",
        "",
        0.0,
        0.0,
        &[
            (0, (20, 0), (21, 0)),
            (1, (20, 0), (21, 0)),
            (2, (20, 0), (21, 0)),
            (3, (20, 0), (21, 0)),
            (4, (20, 0), (21, 0)),
            (5, (20, 0), (21, 0)),
            (6, (20, 0), (21, 0)),
        ],
    ),
];

/// Seeds the demo campaign; `picture` is its demo picture (stored name, descriptions).
pub async fn seed(tx: &mut Tx, picture: (&str, &str, &str)) -> anyhow::Result<()> {
    let today = uktime::local(db::now()).date();
    let (start, end) = next_week(today);
    let year = start.year();
    let now = db::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (slug, name, name_cy, hashtag, starts_on, ends_on, description, \
         description_cy, involved, involved_cy, published, is_demo, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, 1, $11, $11) RETURNING id",
    )
    .bind(format!("awareness-week-{year}"))
    .bind(format!("Maternal Mental Health Awareness Week {year}"))
    .bind(format!("Wythnos Ymwybyddiaeth Iechyd Meddwl Mamau {year}"))
    .bind("#MaternalMHMatters")
    .bind(uktime::day_string(start))
    .bind(uktime::day_string(end))
    .bind(
        "A week every May to talk about mental health in pregnancy and after birth, to \
         share where help is and to call for good care in every area.\n\n\
         *This campaign and its activities are demo content: an editor should replace them.*",
    )
    .bind(
        "Wythnos bob mis Mai i siarad am iechyd meddwl yn ystod beichiogrwydd ac ar ôl geni, \
         i rannu ble mae cymorth ac i alw am ofal da ym mhob ardal.\n\n\
         *Cynnwys enghreifftiol yw'r ymgyrch hon a'i gweithgareddau.*",
    )
    .bind(
        "- Run a coffee morning, a walk or a talk and register it here.\n\
         - Join the nightly #PNDHour chat, 8 to 9pm.\n\
         - Share the map of services in your area with the hashtag.",
    )
    .bind(
        "- Cynhaliwch fore coffi, taith gerdded neu sgwrs a'i gofrestru yma.\n\
         - Ymunwch â sgwrs #PNDHour bob nos, 8 i 9pm.\n\
         - Rhannwch fap y gwasanaethau yn eich ardal gyda'r hashnod.",
    )
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE campaigns SET image = $1, image_alt = $2, image_alt_cy = $3 WHERE id = $4")
        .bind(picture.0)
        .bind(picture.1)
        .bind(picture.2)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let days = uktime::days_between(start, end);
    for (d, (en, cy)) in days.iter().zip(THEMES) {
        sqlx::query(
            "INSERT INTO campaign_days (campaign_id, day, theme, theme_cy) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(uktime::day_string(*d))
        .bind(format!("{en} (demo)"))
        .bind(format!("{cy} (enghraifft)"))
        .execute(&mut **tx)
        .await?;
    }
    for (i, (title, organiser, kind, venue, postcode, area, nation, lat, lon, sessions)) in
        ACTIVITIES.iter().enumerate()
    {
        let times: Vec<(i64, i64, String)> = sessions
            .iter()
            .filter_map(|(day, (sh, sm), (eh, em))| {
                let d = *days.get(*day)?;
                Some((
                    uktime::to_utc(d, *sh, *sm)?,
                    uktime::to_utc(d, *eh, *em)?,
                    uktime::day_string(d),
                ))
            })
            .collect();
        let place = !area.is_empty();
        let checked = super::Checked {
            d: super::ActivityDraft {
                title: title.to_string(),
                organiser: organiser.to_string(),
                description: "An example activity, to show how the registry looks. It is not \
                              real: please do not go."
                    .into(),
                kind: kind.to_string(),
                audience: "Parents, parents-to-be and families".into(),
                venue: venue.to_string(),
                ..super::ActivityDraft::default()
            },
            email: format!("demo-organiser-{i}@example.org"),
            area_code: area.to_string(),
            nation: nation.to_string(),
            position: place.then_some((*lat, *lon)),
            postcode: postcode.to_string(),
            sessions: times,
        };
        let (aid, _) = super::store::insert(tx, id, &checked, crate::i18n::Lang::En, true).await?;
        sqlx::query(
            "UPDATE activities SET status = 'approved', was_public = 1, featured = $1 WHERE id = $2",
        )
        .bind((i < 3) as i64)
        .bind(aid)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn awareness_week_holds_the_first_wednesday_of_may() {
        // 2025: 5 to 11 May (World Maternal Mental Health Day on the 7th).
        assert_eq!(
            next_week(date!(2025 - 01 - 10)),
            (date!(2025 - 05 - 05), date!(2025 - 05 - 11))
        );
        // After the week, the next year's.
        assert_eq!(
            next_week(date!(2026 - 12 - 01)),
            (date!(2027 - 05 - 03), date!(2027 - 05 - 09))
        );
    }
}
