//! SQL for campaigns, their days, activities and their sessions, private links and the
//! evaluation survey.

use super::{Activity, Campaign, CampaignDraft, Checked, Day, Listed, Session};
use crate::db::{self, Db, Tx};
use crate::token::PrivateLink;

const CAMPAIGN_COLUMNS: &str = "id, slug, name, name_cy, hashtag, starts_on, ends_on, \
    description, description_cy, involved, involved_cy, published, evaluation, \
    evaluation_published, survey_sent_at, is_demo, updated_at, image, image_alt, image_alt_cy";

pub async fn campaign_by_slug(db: &Db, slug: &str) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(&db.pool)
    .await
}

pub async fn campaign_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Every campaign, newest first (`published_only` for the public list).
pub async fn campaigns(db: &Db, published_only: bool) -> sqlx::Result<Vec<Campaign>> {
    let filter = if published_only {
        "WHERE published = 1"
    } else {
        ""
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns {filter} ORDER BY starts_on DESC, id DESC"
    )))
    .fetch_all(&db.pool)
    .await
}

/// The published campaign running on `today`, else the next one to start.
pub async fn current_or_next(db: &Db, today: &str) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE published = 1 AND ends_on >= $1 \
         ORDER BY starts_on, id LIMIT 1"
    )))
    .bind(today)
    .fetch_optional(&db.pool)
    .await
}

/// The campaigns still open for registration (published, not yet over).
pub async fn open_campaigns(db: &Db, today: &str) -> sqlx::Result<Vec<Campaign>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE published = 1 AND ends_on >= $1 \
         ORDER BY starts_on, id"
    )))
    .bind(today)
    .fetch_all(&db.pool)
    .await
}

pub async fn days(db: &Db, campaign_id: i64) -> sqlx::Result<Vec<Day>> {
    sqlx::query_as(
        "SELECT day, theme, theme_cy FROM campaign_days WHERE campaign_id = $1 ORDER BY day",
    )
    .bind(campaign_id)
    .fetch_all(&db.pool)
    .await
}

/// Saves a checked campaign (new when `id` is None) with its day themes; returns its id.
pub async fn save_campaign(tx: &mut Tx, id: Option<i64>, d: &CampaignDraft) -> sqlx::Result<i64> {
    let now = db::now();
    let hashtag = if d.hashtag.is_empty() || d.hashtag.starts_with('#') {
        d.hashtag.clone()
    } else {
        format!("#{}", d.hashtag)
    };
    let id = match id {
        Some(id) => {
            sqlx::query(
                "UPDATE campaigns SET slug = $1, name = $2, name_cy = $3, hashtag = $4, \
                 starts_on = $5, ends_on = $6, description = $7, description_cy = $8, \
                 involved = $9, involved_cy = $10, published = $11, evaluation = $12, \
                 evaluation_published = $13, updated_at = $14 WHERE id = $15",
            )
            .bind(&d.slug)
            .bind(&d.name)
            .bind(&d.name_cy)
            .bind(&hashtag)
            .bind(&d.starts_on)
            .bind(&d.ends_on)
            .bind(&d.description)
            .bind(&d.description_cy)
            .bind(&d.involved)
            .bind(&d.involved_cy)
            .bind(d.published as i64)
            .bind(&d.evaluation)
            .bind(d.evaluation_published as i64)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO campaigns (slug, name, name_cy, hashtag, starts_on, ends_on, \
                 description, description_cy, involved, involved_cy, published, evaluation, \
                 evaluation_published, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
                 RETURNING id",
            )
            .bind(&d.slug)
            .bind(&d.name)
            .bind(&d.name_cy)
            .bind(&hashtag)
            .bind(&d.starts_on)
            .bind(&d.ends_on)
            .bind(&d.description)
            .bind(&d.description_cy)
            .bind(&d.involved)
            .bind(&d.involved_cy)
            .bind(d.published as i64)
            .bind(&d.evaluation)
            .bind(d.evaluation_published as i64)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    sqlx::query("UPDATE campaigns SET image = $1, image_alt = $2, image_alt_cy = $3 WHERE id = $4")
        .bind(&d.image)
        .bind(&d.image_alt)
        .bind(&d.image_alt_cy)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM campaign_days WHERE campaign_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for day in d.days() {
        sqlx::query(
            "INSERT INTO campaign_days (campaign_id, day, theme, theme_cy) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&day)
        .bind(d.theme(&day, false))
        .bind(d.theme(&day, true))
        .execute(&mut **tx)
        .await?;
    }
    db::bump_content_version(tx).await?;
    Ok(id)
}

pub async fn slug_taken(db: &Db, slug: &str, except: Option<i64>) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns WHERE slug = $1 AND id <> $2")
        .bind(slug)
        .bind(except.unwrap_or(0))
        .fetch_one(&db.pool)
        .await?;
    Ok(n > 0)
}

// ----- activities -----

const ACTIVITY_COLUMNS: &str = "id, uid, campaign_id, title, organiser, description, kind, \
    audience, booking_url, venue, postcode, area_code, nation, latitude, longitude, \
    contact_name, contact_email, lang, status, moderator_note, featured, was_public, \
    sequence, first_start, is_demo, created_at, updated_at";

/// Stores a new activity waiting for a moderator; returns (id, private link token).
pub async fn insert(
    tx: &mut Tx,
    campaign_id: i64,
    c: &Checked,
    lang: crate::i18n::Lang,
    is_demo: bool,
) -> sqlx::Result<(i64, String)> {
    let link = PrivateLink::new();
    let uid = crate::token::random_token()[..20].to_string();
    let now = db::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO activities (uid, campaign_id, title, organiser, description, kind, \
         audience, booking_url, venue, postcode, area_code, nation, latitude, longitude, \
         contact_name, contact_email, lang, manage_hash, first_start, is_demo, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $21) RETURNING id",
    )
    .bind(&uid)
    .bind(campaign_id)
    .bind(&c.d.title)
    .bind(&c.d.organiser)
    .bind(&c.d.description)
    .bind(&c.d.kind)
    .bind(&c.d.audience)
    .bind(&c.d.booking_url)
    .bind(&c.d.venue)
    .bind(&c.postcode)
    .bind(&c.area_code)
    .bind(&c.nation)
    .bind(c.position.map(|p| p.0))
    .bind(c.position.map(|p| p.1))
    .bind(&c.d.contact_name)
    .bind(&c.email)
    .bind(lang.code())
    .bind(link.hash())
    .bind(c.sessions.first().map(|s| s.0).unwrap_or(0))
    .bind(is_demo as i64)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    write_sessions(tx, id, &c.sessions).await?;
    Ok((id, link.into_string()))
}

async fn write_sessions(tx: &mut Tx, id: i64, sessions: &[(i64, i64, String)]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM activity_sessions WHERE activity_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (n, (start, end, day)) in sessions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO activity_sessions (activity_id, n, starts_at, ends_at, day) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(n as i64 + 1)
        .bind(start)
        .bind(end)
        .bind(day)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The organiser's changes. An approved activity goes back to the moderators (and off
/// the public pages and feeds) until they approve it again.
pub async fn update(tx: &mut Tx, a: &Activity, campaign_id: i64, c: &Checked) -> sqlx::Result<()> {
    let was_approved = a.status == "approved";
    sqlx::query(
        "UPDATE activities SET campaign_id = $1, title = $2, organiser = $3, description = $4, \
         kind = $5, audience = $6, booking_url = $7, venue = $8, postcode = $9, area_code = $10, \
         nation = $11, latitude = $12, longitude = $13, contact_name = $14, first_start = $15, \
         status = 'pending', sequence = sequence + $16, updated_at = $17 WHERE id = $18",
    )
    .bind(campaign_id)
    .bind(&c.d.title)
    .bind(&c.d.organiser)
    .bind(&c.d.description)
    .bind(&c.d.kind)
    .bind(&c.d.audience)
    .bind(&c.d.booking_url)
    .bind(&c.d.venue)
    .bind(&c.postcode)
    .bind(&c.area_code)
    .bind(&c.nation)
    .bind(c.position.map(|p| p.0))
    .bind(c.position.map(|p| p.1))
    .bind(&c.d.contact_name)
    .bind(c.sessions.first().map(|s| s.0).unwrap_or(0))
    .bind(was_approved as i64)
    .bind(db::now())
    .bind(a.id)
    .execute(&mut **tx)
    .await?;
    write_sessions(tx, a.id, &c.sessions).await?;
    if was_approved {
        db::bump_content_version(tx).await?;
    }
    Ok(())
}

/// A moderator's decision (a note for the organiser with "changes" and "reject").
pub async fn moderate(
    tx: &mut Tx,
    a: &Activity,
    decision: super::Decision,
    note: &str,
) -> sqlx::Result<()> {
    use super::Decision::*;
    let now = db::now();
    let (status, featured) = match decision {
        Approve => ("approved", a.featured),
        Changes => ("changes", a.featured),
        Reject => ("rejected", 0),
        Feature => (a.status.as_str(), 1),
        Unfeature => (a.status.as_str(), 0),
    };
    let public_change = (status == "approved") != a.is_public() || featured != a.featured;
    sqlx::query(
        "UPDATE activities SET status = $1, featured = $2, moderator_note = $3, \
         was_public = CASE WHEN $1 = 'approved' THEN 1 ELSE was_public END, \
         sequence = sequence + $4, updated_at = $5 WHERE id = $6",
    )
    .bind(status)
    .bind(featured)
    .bind(note)
    .bind(public_change as i64)
    .bind(now)
    .bind(a.id)
    .execute(&mut **tx)
    .await?;
    if public_change {
        db::bump_content_version(tx).await?;
    }
    Ok(())
}

/// The organiser cancels: off the pages; feeds report it cancelled.
pub async fn cancel(tx: &mut Tx, a: &Activity) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE activities SET status = 'cancelled', featured = 0, sequence = sequence + 1, \
         updated_at = $1 WHERE id = $2",
    )
    .bind(db::now())
    .bind(a.id)
    .execute(&mut **tx)
    .await?;
    if a.is_public() {
        db::bump_content_version(tx).await?;
    }
    Ok(())
}

pub async fn activity_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Activity>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Activities per campaign and status, as (campaign id, status, count).
pub async fn activity_counts(db: &Db) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT campaign_id, status, CAST(COUNT(*) AS BIGINT) FROM activities \
         GROUP BY campaign_id, status",
    )
    .fetch_all(&db.pool)
    .await
}

/// How many organisers (distinct contact addresses) ran approved activities in a campaign.
pub async fn organiser_count(db: &Db, campaign_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT contact_email) FROM activities WHERE campaign_id = $1 \
         AND status = 'approved' AND contact_email <> ''",
    )
    .bind(campaign_id)
    .fetch_one(&db.pool)
    .await
}

/// Saves a campaign's evaluation summary and whether it is public.
pub async fn save_evaluation(
    tx: &mut Tx,
    campaign_id: i64,
    text: &str,
    published: bool,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE campaigns SET evaluation = $1, evaluation_published = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(text)
    .bind(i64::from(published))
    .bind(db::now())
    .bind(campaign_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every activity's campaign, as (activity id, campaign id).
pub async fn activity_campaigns(db: &Db) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT id, campaign_id FROM activities")
        .fetch_all(&db.pool)
        .await
}

pub async fn activity_by_token(db: &Db, token: &str) -> sqlx::Result<Option<Activity>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE manage_hash = $1 \
         OR id = (SELECT activity_id FROM activity_links WHERE hash = $1)"
    )))
    .bind(link.hash())
    .fetch_optional(&db.pool)
    .await
}

/// Another private link for an activity, to send with an email (only hashes are kept,
/// so a link already sent cannot be sent again; the earlier ones keep working).
pub async fn new_token(tx: &mut Tx, id: i64) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    sqlx::query("INSERT INTO activity_links (hash, activity_id) VALUES ($1, $2)")
        .bind(link.hash())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(link.into_string())
}

pub async fn sessions_of(db: &Db, id: i64) -> sqlx::Result<Vec<Session>> {
    sqlx::query_as(
        "SELECT activity_id, n, starts_at, ends_at, day FROM activity_sessions \
         WHERE activity_id = $1 ORDER BY n",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

/// Approved activities of a campaign with their sessions, in order of first session; two
/// queries whatever the number. Pages filter the list with [`Filter::matches`].
pub async fn public_activities(db: &Db, campaign_id: i64) -> sqlx::Result<Vec<Listed>> {
    let list: Vec<Activity> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE status = 'approved' \
         AND campaign_id = $1 ORDER BY first_start, id"
    )))
    .bind(campaign_id)
    .fetch_all(&db.pool)
    .await?;
    attach_sessions(db, list, Some(campaign_id)).await
}

async fn attach_sessions(
    db: &Db,
    list: Vec<Activity>,
    campaign_id: Option<i64>,
) -> sqlx::Result<Vec<Listed>> {
    let filter = match campaign_id {
        Some(id) => format!("AND a.campaign_id = {id}"),
        None => String::new(),
    };
    let sessions: Vec<Session> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT s.activity_id, s.n, s.starts_at, s.ends_at, s.day FROM activity_sessions s \
         JOIN activities a ON a.id = s.activity_id \
         WHERE (a.status = 'approved' OR a.was_public = 1) {filter} ORDER BY s.activity_id, s.n"
    )))
    .fetch_all(&db.pool)
    .await?;
    let mut by_id: std::collections::HashMap<i64, Vec<Session>> = Default::default();
    for s in sessions {
        by_id.entry(s.activity_id).or_default().push(s);
    }
    Ok(list
        .into_iter()
        .map(|a| Listed {
            sessions: by_id.remove(&a.id).unwrap_or_default(),
            a,
        })
        .collect())
}

/// Everything the feeds publish: approved activities, and those once public and now
/// cancelled, rejected or waiting for re-approval (so other calendars drop them).
/// With `since`, only those changed at or after it.
pub async fn feed_activities(db: &Db, since: Option<i64>) -> sqlx::Result<Vec<Listed>> {
    let list: Vec<Activity> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities \
         WHERE (status = 'approved' OR was_public = 1) AND updated_at >= $1 \
         ORDER BY first_start, id"
    )))
    .bind(since.unwrap_or(0))
    .fetch_all(&db.pool)
    .await?;
    attach_sessions(db, list, None).await
}

/// Approved activities of published campaigns with a session on or after `today`
/// ("YYYY-MM-DD", UK), soonest first, with all their sessions.
pub async fn upcoming_activities(db: &Db, today: &str) -> sqlx::Result<Vec<Listed>> {
    let list: Vec<Activity> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE status = 'approved' \
         AND campaign_id IN (SELECT id FROM campaigns WHERE published = 1) \
         AND id IN (SELECT activity_id FROM activity_sessions WHERE day >= $1) \
         ORDER BY first_start, id"
    )))
    .bind(today)
    .fetch_all(&db.pool)
    .await?;
    attach_sessions(db, list, None).await
}

/// The moderation queue: waiting first (oldest first), then the rest (newest first).
pub async fn for_moderation(db: &Db, status: &str) -> sqlx::Result<Vec<Activity>> {
    let order = if status == "pending" {
        "created_at, id"
    } else {
        "updated_at DESC, id DESC"
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE status = $1 ORDER BY {order} LIMIT 500"
    )))
    .bind(status)
    .fetch_all(&db.pool)
    .await
}

pub async fn count_waiting(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM activities WHERE status = 'pending'")
        .fetch_one(&db.pool)
        .await
}

/// Activities registered with an address, for one person's data.
pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Vec<Activity>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE contact_email = $1 ORDER BY id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

/// Erasure: the contact details go; a public activity stays (it names an organisation,
/// not the person) but is withdrawn if it is not yet over. Returns how many were touched.
pub async fn erase(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "UPDATE activities SET contact_email = '', contact_name = '', \
         sequence = sequence + CASE WHEN status = 'approved' AND first_start > $2 THEN 1 ELSE 0 END, \
         status = CASE WHEN status = 'approved' AND first_start > $2 THEN 'cancelled' ELSE status END, \
         manage_hash = 'erased-' || CAST(id AS TEXT), updated_at = $2 WHERE contact_email = $1",
    )
    .bind(email)
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM activity_links WHERE activity_id IN \
         (SELECT id FROM activities WHERE manage_hash LIKE 'erased-%')",
    )
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() > 0 {
        db::bump_content_version(tx).await?;
    }
    Ok(r.rows_affected())
}

/// Every answer to a campaign's survey, in the order given:
/// (role, nation, reach, worked, quote, quote_ok).
pub async fn survey_answers(
    db: &Db,
    campaign_id: i64,
) -> sqlx::Result<Vec<(String, String, i64, String, String, i64)>> {
    sqlx::query_as(
        "SELECT role, nation, reach, worked, quote, quote_ok FROM campaign_survey \
         WHERE campaign_id = $1 ORDER BY id",
    )
    .bind(campaign_id)
    .fetch_all(&db.pool)
    .await
}

/// One survey answer, for the safeguarding page: (campaign id, role, nation, worked, quote).
pub async fn survey_answer(
    db: &Db,
    id: i64,
) -> sqlx::Result<Option<(i64, String, String, String, String)>> {
    sqlx::query_as(
        "SELECT campaign_id, role, nation, worked, quote FROM campaign_survey WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Stores one answer to the survey; returns its id.
pub async fn record_survey_answer(
    tx: &mut Tx,
    campaign_id: i64,
    a: &super::survey::Answer,
    reach: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO campaign_survey (campaign_id, role, nation, reach, worked, quote, quote_ok, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(campaign_id)
    .bind(&a.role)
    .bind(&a.nation)
    .bind(if a.role == "organiser" { reach } else { 0 })
    .bind(a.worked.trim())
    .bind(a.quote.trim())
    .bind((a.quote_ok && !a.quote.trim().is_empty()) as i64)
    .bind(db::now())
    .fetch_one(&mut **tx)
    .await
}

/// Claims the sending of a campaign's survey invitations: true for the one caller that
/// claimed it, false once it has been claimed.
pub async fn claim_survey_invitations(tx: &mut Tx, campaign_id: i64) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "UPDATE campaigns SET survey_sent_at = $1 WHERE id = $2 AND survey_sent_at = 0",
    )
    .bind(db::now())
    .bind(campaign_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed > 0)
}

/// The contact address of each organiser of an approved activity of a campaign, once per
/// address, with the language they registered in.
pub async fn organiser_contacts(
    tx: &mut Tx,
    campaign_id: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT contact_email, MIN(lang) FROM activities WHERE campaign_id = $1 \
         AND status = 'approved' AND contact_email <> '' GROUP BY contact_email ORDER BY 1",
    )
    .bind(campaign_id)
    .fetch_all(&mut **tx)
    .await
}
