//! The feeds other sites and calendars read: `/events.ics` (iCalendar, per campaign or
//! filtered) and `/api/activities` (JSON, with what was withdrawn since).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Listed, ical};
use crate::AppState;
use crate::app::Ctx;
use crate::web::{self, AppError, Query};

#[derive(Deserialize, Default)]
pub(super) struct FeedQuery {
    #[serde(default)]
    campaign: String,
    #[serde(default)]
    activity: String,
    #[serde(default)]
    updated_since: String,
}

/// The iCalendar events of activities: one per session.
pub fn events<'a>(
    host: &str,
    public_url: &str,
    list: &'a [Listed],
    kind_names: &'a [(String, String)],
) -> Vec<ical::Event<'a>> {
    let mut out = Vec::new();
    for l in list {
        let a = &l.a;
        let location = match a.kind.as_str() {
            "in_person" => [a.venue.as_str(), a.postcode.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let mut description = format!("{}\n\n{}", a.organiser, a.description);
        if !a.booking_url.is_empty() {
            description.push_str(&format!("\n\n{}", a.booking_url));
        }
        let categories = kind_names
            .iter()
            .find(|(k, _)| *k == a.kind)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        for s in &l.sessions {
            out.push(ical::Event {
                uid: format!("{}-{}@{host}", a.uid, s.n),
                sequence: a.sequence,
                stamp: a.updated_at,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                summary: &a.title,
                description: description.clone(),
                location: location.clone(),
                url: format!("{public_url}/activities/{}", a.id),
                cancelled: !a.is_public(),
                categories,
            });
        }
    }
    out
}

pub(super) async fn ics_feed(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/calendar; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let mut list = super::store::feed_activities(&st.db, None).await?;
            let mut name = cc.site("name").to_string();
            if !q.campaign.is_empty() {
                let k = super::store::campaign_by_slug(&st.db, &q.campaign)
                    .await?
                    .filter(|k| k.published == 1)
                    .ok_or(AppError::NotFound)?;
                list.retain(|l| l.a.campaign_id == k.id);
                name = k.name(cc.is_cy()).to_string();
            }
            if !q.activity.is_empty() {
                let id: i64 = q.activity.parse().map_err(|_| AppError::NotFound)?;
                list.retain(|l| l.a.id == id);
                if list.is_empty() {
                    return Err(AppError::NotFound);
                }
            }
            let host = host_of(&st.config.public_url);
            let kinds: Vec<(String, String)> = super::KINDS
                .iter()
                .map(|k| (k.to_string(), cc.t(&format!("activity-kind-{k}"))))
                .collect();
            let events = events(&host, &st.config.public_url, &list, &kinds);
            Ok(ical::calendar(&name, &events))
        },
    )
    .await
}

/// The host part of the public URL, for iCalendar UIDs.
fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or("localhost")
        .to_string()
}

/// Reads `updated_since`: Unix seconds or an RFC 3339 time.
fn since(s: &str) -> Result<Option<i64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(n) = s.parse::<i64>() {
        return Ok(Some(n));
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| Some(t.unix_timestamp()))
        .map_err(|_| AppError::BadRequest(web::Msg::new("api-error-updated-since")))
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// `/api/activities`: approved activities with their sessions, and the ones withdrawn
/// since, for other sites to keep a copy in step. Not cached: `updated_since` varies.
pub(super) async fn json_feed(
    State(state): State<AppState>,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let since = since(&q.updated_since)?;
    let now = crate::db::now();
    let mut list = super::store::feed_activities(&state.db, since).await?;
    let campaigns = super::store::campaigns(&state.db, true).await?;
    if !q.campaign.is_empty() {
        let k = campaigns
            .iter()
            .find(|k| k.slug == q.campaign)
            .ok_or(AppError::NotFound)?;
        list.retain(|l| l.a.campaign_id == k.id);
    }
    list.retain(|l| campaigns.iter().any(|k| k.id == l.a.campaign_id));
    let atlas = state.atlas();
    let base = &state.config.public_url;
    let mut items = Vec::new();
    let mut deleted = Vec::new();
    for l in &list {
        let a = &l.a;
        if !a.is_public() {
            deleted.push(serde_json::json!({
                "id": a.id, "uid": a.uid, "status": a.status, "updated_at": rfc3339(a.updated_at)
            }));
            continue;
        }
        let campaign = campaigns
            .iter()
            .find(|k| k.id == a.campaign_id)
            .map(|k| k.slug.as_str())
            .unwrap_or("");
        items.push(serde_json::json!({
            "id": a.id,
            "uid": a.uid,
            "url": format!("{base}/activities/{}", a.id),
            "campaign": campaign,
            "title": a.title,
            "organiser": a.organiser,
            "description": a.description,
            "kind": a.kind,
            "audience": a.audience,
            "booking_url": a.booking_url,
            "venue": a.venue,
            "postcode": a.postcode,
            "area": { "code": a.area_code, "name": atlas.area(&a.area_code).map(|x| x.name.as_str()).unwrap_or("") },
            "nation": a.nation,
            "sessions": l.sessions.iter().map(|s| serde_json::json!({
                "start": rfc3339(s.starts_at), "end": rfc3339(s.ends_at), "day": s.day
            })).collect::<Vec<_>>(),
            "updated_at": rfc3339(a.updated_at),
        }));
    }
    let body = serde_json::json!({
        "generated_at": rfc3339(now),
        "next_updated_since": now,
        "activities": items,
        "deleted": deleted,
    });
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updated_since_reads_unix_and_rfc3339() {
        assert_eq!(since("").unwrap(), None);
        assert_eq!(since("1800000000").unwrap(), Some(1_800_000_000));
        assert_eq!(since("2027-01-15T08:00:00Z").unwrap(), Some(1_800_000_000));
        assert!(since("yesterday").is_err());
        assert_eq!(
            host_of("https://mmha.example.org:8443/x"),
            "mmha.example.org"
        );
    }
}
