//! Every public campaign and activity route in one list, and the pages across campaigns:
//! the list of campaigns (`/campaigns`), what is on (`/events`) and one activity
//! (`/activities/{id}`). One campaign's pages (about, activities, calendar, map) are in
//! `campaign_pages.rs`; registration and the organiser's link in `register.rs`; the feeds
//! other sites and calendars read (`/events.ics`, `/api/activities`) in `feeds.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use super::{Activity, Campaign, Listed, Session};
use crate::AppState;
use crate::app::Ctx;
use crate::i18n::Lang;
use crate::uktime;
use crate::web::{self, AppError};

pub fn routes() -> Router<AppState> {
    use super::campaign_pages::{activities_page, calendar_page, campaign_page, map_page};
    use super::feeds::{ics_feed, json_feed};
    use super::register::{manage_cancel, manage_get, manage_post, register_get, register_post};
    Router::new()
        .route("/campaigns", get(list_page))
        .route("/campaigns/{slug}", get(campaign_page))
        .route("/campaigns/{slug}/activities", get(activities_page))
        .route("/campaigns/{slug}/calendar", get(calendar_page))
        .route("/campaigns/{slug}/map", get(map_page))
        .route("/activities/new", get(register_get).post(register_post))
        .route("/activities/{id}", get(activity_page))
        .route(
            "/activities/manage/{token}",
            get(manage_get).post(manage_post),
        )
        .route(
            "/activities/manage/{token}/cancel",
            axum::routing::post(manage_cancel),
        )
        .route("/events", get(events_page))
        .route("/events.ics", get(ics_feed))
        .route("/api/activities", get(json_feed))
}

/// "Monday 3 May" in the visitor's language.
pub fn day_label(lang: Lang, day: &str) -> String {
    match uktime::parse_day(day) {
        Some(d) => format!(
            "{} {} {}",
            lang.t(&format!("weekday-{}", d.weekday().number_from_monday())),
            d.day(),
            lang.t(&format!("month-{}", d.month() as u8))
        ),
        None => day.to_string(),
    }
}

/// Today's date in the UK.
pub fn today() -> String {
    uktime::local_day(crate::db::now())
}

/// The visible name of a health area.
pub(super) fn area_name(state: &AppState, code: &str) -> String {
    state
        .atlas()
        .area(code)
        .map(|a| a.name.clone())
        .unwrap_or_default()
}

/// What a list, calendar or activity page shows about one activity.
pub struct Card {
    pub a: Activity,
    pub sessions: Vec<Session>,
    pub area: String,
}

pub(super) fn cards(state: &AppState, list: Vec<Listed>) -> Vec<Card> {
    let atlas = state.atlas();
    list.into_iter()
        .map(|l| Card {
            area: atlas
                .area(&l.a.area_code)
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            a: l.a,
            sessions: l.sessions,
        })
        .collect()
}

// ----- campaigns and what is on -----

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    campaigns: Vec<Campaign>,
    today: String,
}

impl ListPage<'_> {
    fn dates(&self, k: &Campaign) -> String {
        dates(self.c.lang, k)
    }
}

/// "3 May to 9 May 2027".
pub fn dates(lang: Lang, k: &Campaign) -> String {
    let year = k.ends_on.get(..4).unwrap_or("");
    if k.starts_on == k.ends_on {
        format!("{} {year}", day_label(lang, &k.starts_on))
    } else {
        lang.t2(
            "campaign-dates",
            "from",
            day_label(lang, &k.starts_on),
            "to",
            format!("{} {year}", day_label(lang, &k.ends_on)),
        )
    }
}

async fn list_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    let today = today();
    crate::app::cached_with(
        &state,
        &c,
        &headers,
        &today.clone(),
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let campaigns = super::store::campaigns(&st.db, true).await?;
            Ok(ListPage {
                c: &cc,
                campaigns,
                today,
            }
            .render()?)
        },
    )
    .await
}

/// A day on `/events`: ("YYYY-MM-DD", [(start, end, index of the card)]).
type EventDay = (String, Vec<(String, String, usize)>);

/// How far ahead `/events` lists sessions.
const EVENTS_DAYS_AHEAD: i64 = 366;

#[derive(Template)]
#[template(path = "campaigns/events.html")]
struct EventsPage<'a> {
    c: &'a Ctx,
    /// (day, [(start, end, card index)]), soonest first.
    days: Vec<EventDay>,
    list: Vec<Card>,
    /// Campaign names by id.
    campaigns: Vec<Campaign>,
}

impl EventsPage<'_> {
    fn day_label(&self, d: &str) -> String {
        day_label(self.c.lang, d)
    }
    fn campaign(&self, id: &i64) -> Option<&Campaign> {
        self.campaigns.iter().find(|k| k.id == *id)
    }
}

/// `GET /events`: what is on across every campaign, from today, day by day (UK time),
/// with the feeds to follow it from a calendar or another site.
async fn events_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    let today = today();
    crate::app::cached_with(
        &state,
        &c,
        &headers,
        &today.clone(),
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let list = cards(
                &st,
                super::store::upcoming_activities(&st.db, &today).await?,
            );
            let campaigns = super::store::campaigns(&st.db, true).await?;
            let last = uktime::parse_day(&today)
                .map(|d| uktime::day_string(d + time::Duration::days(EVENTS_DAYS_AHEAD)))
                .unwrap_or_default();
            let mut slots: Vec<(i64, String, String, String, usize)> = Vec::new();
            for (i, card) in list.iter().enumerate() {
                for s in card
                    .sessions
                    .iter()
                    .filter(|s| s.day >= today && s.day <= last)
                {
                    slots.push((s.starts_at, s.day.clone(), s.start(), s.end(), i));
                }
            }
            slots.sort();
            let mut days: Vec<EventDay> = Vec::new();
            for (_, day, start, end, i) in slots {
                match days.last_mut() {
                    Some((d, v)) if *d == day => v.push((start, end, i)),
                    _ => days.push((day, vec![(start, end, i)])),
                }
            }
            Ok(EventsPage {
                c: &cc,
                days,
                list,
                campaigns,
            }
            .render()?)
        },
    )
    .await
}

// ----- one activity -----

#[derive(Template)]
#[template(path = "campaigns/activity.html")]
struct ActivityPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    card: Card,
}

impl ActivityPage<'_> {
    fn day_label(&self, d: &str) -> String {
        day_label(self.c.lang, d)
    }
    fn paragraphs(&self) -> Vec<&str> {
        self.card
            .a
            .description
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

async fn activity_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let a = match super::store::activity_by_id(&st.db, id).await? {
                Some(a) if a.is_public() => a,
                _ => return Err(AppError::NotFound),
            };
            let k = super::store::campaign_by_id(&st.db, a.campaign_id)
                .await?
                .filter(|k| k.published == 1)
                .ok_or(AppError::NotFound)?;
            let sessions = super::store::sessions_of(&st.db, a.id).await?;
            let area = area_name(&st, &a.area_code);
            Ok(ActivityPage {
                c: &cc,
                k,
                card: Card { a, sessions, area },
            }
            .render()?)
        },
    )
    .await
}
