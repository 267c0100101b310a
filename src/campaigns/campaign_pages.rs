//! One published campaign's public pages, its tabs: about (`/campaigns/{slug}`), the
//! activity list with its filters and pages, the calendar of its days, and the dot map
//! of activities by area.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::routes::{Card, area_name, cards, dates, day_label, today};
use super::{Campaign, Day, Filter, Listed};
use crate::AppState;
use crate::app::Ctx;
use crate::uktime;
use crate::web::{self, AppError, Query};

async fn published(state: &AppState, slug: &str) -> Result<Campaign, AppError> {
    match super::store::campaign_by_slug(&state.db, slug).await? {
        Some(k) if k.published == 1 => Ok(k),
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "campaigns/campaign.html")]
struct CampaignPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    days: Vec<Day>,
    featured: Vec<Card>,
    count: usize,
    phase: &'static str,
    tab: &'static str,
    survey: Option<super::survey::Summary>,
}

impl CampaignPage<'_> {
    fn dates(&self) -> String {
        dates(self.c.lang, &self.k)
    }
    fn day_label(&self, d: &str) -> String {
        day_label(self.c.lang, d)
    }
    fn theme<'b>(&self, d: &'b Day) -> &'b str {
        super::pick(self.c.is_cy(), &d.theme, &d.theme_cy)
    }
    fn description(&self) -> String {
        crate::cms::markdown::render_in(self.k.description(self.c.is_cy()), self.c.lang)
    }
    fn involved(&self) -> String {
        crate::cms::markdown::render_in(self.k.involved(self.c.is_cy()), self.c.lang)
    }
    fn evaluation(&self) -> String {
        crate::cms::markdown::render_in(&self.k.evaluation, self.c.lang)
    }
    fn has_welsh(&self) -> bool {
        !self.k.name_cy.is_empty()
    }
}

pub(super) async fn campaign_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
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
            let k = published(&st, &slug).await?;
            let days = super::store::days(&st.db, k.id).await?;
            let all = super::store::public_activities(&st.db, k.id).await?;
            let count = all.len();
            let mut featured: Vec<Listed> =
                all.iter().filter(|l| l.a.featured == 1).cloned().collect();
            if featured.is_empty() {
                featured = all.into_iter().take(3).collect();
            }
            featured.truncate(6);
            let survey = if k.evaluation_published == 1 {
                Some(super::survey::summary(&st.db, k.id).await?)
            } else {
                None
            };
            let phase = k.phase(&today);
            Ok(CampaignPage {
                c: &cc,
                days,
                featured: cards(&st, featured),
                count,
                phase,
                tab: "about",
                survey,
                k,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "campaigns/activities.html")]
struct ActivitiesPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    f: Filter,
    list: Vec<Card>,
    total: usize,
    page: usize,
    pages: usize,
    day_options: Vec<String>,
    areas: Vec<(String, String)>,
    tab: &'static str,
}

/// Activities per page of the list.
const PER_PAGE: usize = 50;

impl ActivitiesPage<'_> {
    /// The list's address for page `n`, keeping the filters.
    fn page_link(&self, n: usize) -> String {
        let mut q: Vec<String> = Vec::new();
        for (k, v) in [
            ("day", &self.f.day),
            ("nation", &self.f.nation),
            ("area", &self.f.area),
            ("kind", &self.f.kind),
        ] {
            if !v.is_empty() {
                q.push(format!("{k}={}", web::url_encode(v)));
            }
        }
        if n > 1 {
            q.push(format!("page={n}"));
        }
        let base = format!("/campaigns/{}/activities", self.k.slug);
        if q.is_empty() {
            base
        } else {
            format!("{base}?{}", q.join("&"))
        }
    }
    fn day_label(&self, d: &str) -> String {
        day_label(self.c.lang, d)
    }
    fn dates(&self) -> String {
        dates(self.c.lang, &self.k)
    }
}

/// Areas that have approved activities in a campaign, by name.
fn areas_with_activities(state: &AppState, list: &[Listed]) -> Vec<(String, String)> {
    let mut codes: Vec<&str> = list
        .iter()
        .map(|l| l.a.area_code.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    codes.sort();
    codes.dedup();
    let mut out: Vec<(String, String)> = codes
        .into_iter()
        .map(|c| (c.to_string(), area_name(state, c)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

pub(super) async fn activities_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(f): Query<Filter>,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let k = published(&st, &slug).await?;
            let all = super::store::public_activities(&st.db, k.id).await?;
            let areas = areas_with_activities(&st, &all);
            let list: Vec<Listed> = all.into_iter().filter(|l| f.matches(l)).collect();
            let day_options = k.days().into_iter().map(uktime::day_string).collect();
            let total = list.len();
            let pages = total.div_ceil(PER_PAGE).max(1);
            let page = (web::page_number(f.page.as_deref()) as usize).min(pages);
            let list: Vec<Listed> = list
                .into_iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .collect();
            Ok(ActivitiesPage {
                c: &cc,
                list: cards(&st, list),
                total,
                page,
                pages,
                f,
                day_options,
                areas,
                tab: "activities",
                k,
            }
            .render()?)
        },
    )
    .await
}

/// A day of the calendar: the day, its theme, and (start, end, card index) in time order.
type CalendarDay = (String, String, Vec<(String, String, usize)>);

#[derive(Template)]
#[template(path = "campaigns/calendar.html")]
struct CalendarPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    days: Vec<CalendarDay>,
    /// Days with more sessions than shown: (day, how many more).
    more: Vec<(String, usize)>,
    list: Vec<Card>,
    tab: &'static str,
}

/// Sessions shown under each day of the calendar; the rest are a link away.
const PER_DAY: usize = 30;

impl CalendarPage<'_> {
    fn more_on(&self, day: &str) -> usize {
        self.more
            .iter()
            .find(|m| m.0 == day)
            .map(|m| m.1)
            .unwrap_or(0)
    }
    fn day_label(&self, d: &str) -> String {
        day_label(self.c.lang, d)
    }
    fn dates(&self) -> String {
        dates(self.c.lang, &self.k)
    }
}

pub(super) async fn calendar_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let k = published(&st, &slug).await?;
            let themes = super::store::days(&st.db, k.id).await?;
            let list = cards(&st, super::store::public_activities(&st.db, k.id).await?);
            let mut days: Vec<CalendarDay> = k
                .days()
                .into_iter()
                .map(|d| {
                    let day = uktime::day_string(d);
                    let theme = themes
                        .iter()
                        .find(|t| t.day == day)
                        .map(|t| super::pick(cc.is_cy(), &t.theme, &t.theme_cy).to_string())
                        .unwrap_or_default();
                    (day, theme, Vec::new())
                })
                .collect();
            let mut slots: Vec<(i64, String, String, String, usize)> = Vec::new();
            for (i, card) in list.iter().enumerate() {
                for s in &card.sessions {
                    slots.push((s.starts_at, s.day.clone(), s.start(), s.end(), i));
                }
            }
            slots.sort();
            let mut more: Vec<(String, usize)> = Vec::new();
            for (_, day, start, end, i) in slots {
                if let Some(d) = days.iter_mut().find(|d| d.0 == day) {
                    if d.2.len() < PER_DAY {
                        d.2.push((start, end, i));
                    } else {
                        match more.iter_mut().find(|m| m.0 == day) {
                            Some(m) => m.1 += 1,
                            None => more.push((day, 1)),
                        }
                    }
                }
            }
            Ok(CalendarPage {
                c: &cc,
                days,
                more,
                list,
                tab: "calendar",
                k,
            }
            .render()?)
        },
    )
    .await
}

/// One dot on the activity map.
pub struct Dot {
    pub code: String,
    pub name: String,
    pub nation: String,
    pub count: usize,
    pub x: f64,
    pub y: f64,
    pub r: f64,
}

#[derive(Template)]
#[template(path = "campaigns/map.html")]
struct MapPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    paths: Vec<String>,
    width: f64,
    height: f64,
    dots: Vec<Dot>,
    online: usize,
    tab: &'static str,
}

impl MapPage<'_> {
    fn dates(&self) -> String {
        dates(self.c.lang, &self.k)
    }
    fn nation(&self, n: &str) -> String {
        if n.is_empty() {
            String::new()
        } else {
            self.c.t(&format!("nation-{n}"))
        }
    }
}

/// Dots per area: placed at the mean position of the area's activities, sized by count.
pub fn dots(atlas: &crate::atlas::Atlas, list: &[Listed]) -> Vec<Dot> {
    let Some(p) = atlas.projection else {
        return Vec::new();
    };
    let mut by_area: std::collections::BTreeMap<&str, (usize, f64, f64)> = Default::default();
    for l in list {
        if let (Some(lat), Some(lon)) = (l.a.latitude, l.a.longitude)
            && !l.a.area_code.is_empty()
        {
            let e = by_area.entry(l.a.area_code.as_str()).or_default();
            e.0 += 1;
            e.1 += lat;
            e.2 += lon;
        }
    }
    let mut out: Vec<Dot> = by_area
        .into_iter()
        .map(|(code, (n, lat, lon))| {
            let (x, y) = p.project((lon / n as f64, lat / n as f64));
            let area = atlas.area(code);
            Dot {
                code: code.to_string(),
                name: area
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| code.to_string()),
                nation: area.map(|a| a.nation.clone()).unwrap_or_default(),
                count: n,
                x: (x * 10.0).round() / 10.0,
                y: (y * 10.0).round() / 10.0,
                // About 1 % of the map's width for one activity, growing with the root
                // of the count so a busy city does not cover its neighbours.
                r: ((p.width * (0.009 + 0.005 * (n as f64).sqrt())).min(p.width * 0.04) * 10.0)
                    .round()
                    / 10.0,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub(super) async fn map_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let k = published(&st, &slug).await?;
            let list = super::store::public_activities(&st.db, k.id).await?;
            let atlas = st.atlas();
            let online = list.iter().filter(|l| l.a.kind != "in_person").count();
            Ok(MapPage {
                c: &cc,
                paths: atlas.areas.iter().map(|a| a.path.clone()).collect(),
                width: atlas.width,
                height: atlas.height,
                dots: dots(&atlas, &list),
                online,
                tab: "map",
                k,
            }
            .render()?)
        },
    )
    .await
}
