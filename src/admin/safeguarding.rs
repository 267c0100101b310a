//! `/admin/safeguarding`: every flagged item waiting for a first look, and how quickly
//! flags have been looked at, week by week (flagged, median time to first look).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::safeguard::store::{self, Flag, Week};
use crate::web::{AppError, private_page};

/// How far back the weekly table and the list of recent flags go.
const WEEKS: i64 = 12;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/safeguarding", get(page))
        .route("/admin/safeguarding/{channel}/{id}", get(item_page))
}

#[derive(Template)]
#[template(path = "admin/safeguarding.html")]
struct Page<'a> {
    c: &'a Ctx,
    awaiting: Vec<Flag>,
    weeks: Vec<Week>,
    recent: Vec<Flag>,
    /// Per flag id, what the item is called ([`store::item_names`]).
    names: std::collections::HashMap<i64, String>,
}

impl Page<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    /// "An enquiry: ENQ-7K2P from Sam" (the channel alone when the item has gone).
    fn what(&self, f: &Flag) -> String {
        let channel = self.c.t(&format!("admin-safeguard-channel-{}", f.channel));
        match self.names.get(&f.id).map(|n| n.trim()) {
            Some(name) if !name.is_empty() => format!("{channel}: {name}"),
            _ => channel,
        }
    }
    fn kinds(&self, f: &Flag) -> String {
        let names = crate::safeguard::category_names(f.finding());
        if names.is_empty() {
            self.c.t("admin-safeguard-kinds-unknown")
        } else {
            names
        }
    }
    fn wait(&self, secs: &i64) -> String {
        duration(*secs)
    }
}

/// "under 1 min", "45 min", "3 h 20 min", "2 days 4 h": a wait in plain words (whole
/// minutes, rounded down).
pub fn duration(secs: i64) -> String {
    let mins = secs.max(0) / 60;
    if mins == 0 {
        "under 1 min".to_string()
    } else if mins < 60 {
        format!("{mins} min")
    } else if mins < 24 * 60 {
        let (h, m) = (mins / 60, mins % 60);
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else {
        let (d, h) = (mins / (24 * 60), (mins % (24 * 60)) / 60);
        let days = if d == 1 { "day" } else { "days" };
        if h == 0 {
            format!("{d} {days}")
        } else {
            format!("{d} {days} {h} h")
        }
    }
}

async fn page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
) -> Result<Response, AppError> {
    let awaiting = store::awaiting(&state.db).await?;
    let since = crate::db::now() - WEEKS * 7 * 86_400;
    let recent = store::since(&state.db, since).await?;
    let names = store::item_names(&state.db, since).await?;
    let weeks = store::weeks(&recent);
    private_page(&Page {
        c: &c.with_staff(staff),
        awaiting,
        weeks,
        recent,
        names,
    })
}

/// What was written, for a channel with no staff page of its own.
enum Written {
    /// A supporter or Champion sign-up: the entry (its line is the free text).
    Signup(crate::members::roster::Entry),
    /// A campaign survey answer: the campaign's name and id, role, nation, what worked,
    /// the quote.
    Survey {
        campaign: String,
        campaign_id: i64,
        role: String,
        nation: String,
        worked: String,
        quote: String,
    },
}

#[derive(Template)]
#[template(path = "admin/safeguard_item.html")]
struct ItemPage<'a> {
    c: &'a Ctx,
    flag: Option<Flag>,
    what: String,
    written: Written,
}

/// `/admin/safeguarding/{channel}/{id}`: a flagged sign-up line or survey answer, read in
/// full; opening it counts as the first look. Items with a page of their own go there.
async fn item_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path((channel, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let Some(flag) = store::for_item(&state.db, &channel, id).await? else {
        return Err(AppError::NotFound);
    };
    let written = match channel.as_str() {
        "supporter" => match crate::members::roster::store::get(&state.db, id).await? {
            Some(e) => Written::Signup(e),
            None => return Err(AppError::NotFound),
        },
        "survey" => match crate::campaigns::store::survey_answer(&state.db, id).await? {
            Some((campaign_id, role, nation, worked, quote)) => {
                let campaign = crate::campaigns::store::campaign_by_id(&state.db, campaign_id)
                    .await?
                    .map(|k| k.name)
                    .unwrap_or_default();
                Written::Survey {
                    campaign,
                    campaign_id,
                    role,
                    nation,
                    worked,
                    quote,
                }
            }
            None => return Err(AppError::NotFound),
        },
        _ => return Ok(crate::web::see_other(&flag.admin_path())),
    };
    store::first_look(&state.db, &channel, id, &staff.email).await?;
    let c = c.with_staff(staff);
    let what = c.t(&format!("admin-safeguard-channel-{channel}"));
    private_page(&ItemPage {
        c: &c,
        flag: Some(flag),
        what,
        written,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn waits_read_plainly() {
        assert_eq!(super::duration(0), "under 1 min");
        assert_eq!(super::duration(59), "under 1 min");
        assert_eq!(super::duration(61), "1 min");
        assert_eq!(super::duration(359), "5 min");
        assert_eq!(super::duration(3600), "1 h");
        assert_eq!(super::duration(3 * 3600 + 20 * 60), "3 h 20 min");
        assert_eq!(super::duration(86_400), "1 day");
        assert_eq!(super::duration(2 * 86_400 + 4 * 3600), "2 days 4 h");
    }
}
