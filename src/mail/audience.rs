//! Staff screens for who is on the list: finding subscribers, their CSV export, and the
//! saved segments a newsletter can be sent to.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;

use super::bulletin::{self, Segment};
use super::list;
use super::list::{AUDIENCES, TOPICS};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::site::settings::NATIONS;
use crate::web::error::AppError;
use crate::web::{FieldErrors, Form, Msg, Query, form_page, private_page, see_other};

#[derive(Deserialize, Default)]
pub(super) struct SubscriberQuery {
    q: Option<String>,
    status: Option<String>,
    nation: Option<String>,
    audience: Option<String>,
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/subscribers.html")]
struct SubscribersPage<'a> {
    c: &'a Ctx,
    rows: Vec<list::Subscriber>,
    total: i64,
    q: SubscriberQuery,
}

impl SubscribersPage<'_> {
    /// The CSV download with the same filters.
    fn csv_href(&self) -> String {
        let pairs = [
            ("q", &self.q.q),
            ("status", &self.q.status),
            ("nation", &self.q.nation),
            ("audience", &self.q.audience),
            ("lang", &self.q.lang),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter_map(|(k, v)| {
                v.as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{k}={}", crate::web::url_encode(v)))
            })
            .collect();
        format!("/admin/subscribers.csv?{}", query.join("&"))
    }
    fn sel<'b>(&self, v: &'b Option<String>) -> &'b str {
        v.as_deref().unwrap_or("")
    }
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
}

/// Shown per page of the subscriber list.
const PAGE: i64 = 200;

/// Subscribers matching the list's filters: the total, and the newest `limit` of them.
async fn find_subscribers(
    state: &AppState,
    q: &SubscriberQuery,
    limit: i64,
) -> Result<(i64, Vec<list::Subscriber>), AppError> {
    let f = list::Filter {
        text: q.q.as_deref().unwrap_or(""),
        status: q.status.as_deref().unwrap_or(""),
        nation: q.nation.as_deref().unwrap_or(""),
        audience: q.audience.as_deref().unwrap_or(""),
        lang: q.lang.as_deref().unwrap_or(""),
    };
    Ok(list::store::find(&state.db, &f, limit).await?)
}

pub(super) async fn subscribers_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Query(q): Query<SubscriberQuery>,
) -> Result<Response, AppError> {
    let (total, rows) = find_subscribers(&state, &q, PAGE).await?;
    private_page(&SubscribersPage {
        c: &c.with_staff(staff),
        rows,
        total,
        q,
    })
}

use crate::auth::{Staff, perm};
use crate::web::csv_safe as spreadsheet_safe;

/// `GET /admin/subscribers.csv` with the list's filters: every matching subscriber.
/// Recorded in the audit log (it is personal data leaving the system).
pub(super) async fn subscribers_csv(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::EditContent>,
    Query(q): Query<SubscriberQuery>,
) -> Result<Response, AppError> {
    let (total, rows) = find_subscribers(&state, &q, i64::MAX).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let date = |t: Option<i64>| t.map(crate::uktime::date_time).unwrap_or_default();
    w.write_record([
        "email",
        "name",
        "nation",
        "audience",
        "language",
        "topics",
        "status",
        "source",
        "signed_up",
        "confirmed",
        "unsubscribed",
    ])
    .map_err(|e| AppError::Internal(e.into()))?;
    for s in rows {
        w.write_record([
            spreadsheet_safe(&s.email),
            spreadsheet_safe(&s.name),
            s.nation,
            s.audience,
            s.lang,
            s.topics,
            s.status,
            spreadsheet_safe(&s.source),
            date(Some(s.created_at)),
            date(s.confirmed_at),
            date(s.unsubscribed_at),
        ])
        .map_err(|e| AppError::Internal(e.into()))?;
    }
    let body = w.into_inner().map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.db.begin_write().await?;
    crate::audit::record(
        &mut tx,
        Some(&staff),
        "export",
        "subscribers",
        "",
        &format!("{total} rows"),
    )
    .await?;
    tx.commit().await?;
    let mut res = crate::web::bytes_response("text/csv; charset=utf-8", body);
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"subscribers.csv\""),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "admin/segments.html")]
struct SegmentsPage<'a> {
    c: &'a Ctx,
    segments: Vec<(Segment, i64)>,
    draft: Segment,
    /// The draft's size, when "Count" was pressed.
    draft_size: Option<i64>,
    errors: FieldErrors,
}

impl SegmentsPage<'_> {
    fn describe(&self, s: &Segment) -> String {
        let mut parts = Vec::new();
        if !s.nation.is_empty() {
            parts.push(self.c.t(&format!("nation-{}", s.nation)));
        }
        if !s.audience.is_empty() {
            parts.push(self.c.t(&format!("subscribe-audience-{}", s.audience)));
        }
        if !s.lang.is_empty() {
            parts.push(if s.lang == "cy" { "Cymraeg" } else { "English" }.to_string());
        }
        if !s.topic.is_empty() {
            parts.push(self.c.t(&format!("subscribe-topic-{}", s.topic)));
        }
        if s.subscribed_after > 0 {
            parts.push(format!(
                "≥ {}",
                crate::uktime::long_date(s.subscribed_after)
            ));
        }
        if s.subscribed_before > 0 {
            parts.push(format!(
                "< {}",
                crate::uktime::long_date(s.subscribed_before)
            ));
        }
        if parts.is_empty() {
            self.c.t("admin-segments-everyone")
        } else {
            parts.join(", ")
        }
    }
    fn date(&self, t: &i64) -> String {
        if *t > 0 {
            crate::uktime::iso_date(*t)
        } else {
            String::new()
        }
    }
}

fn read_segment(pairs: &[(String, String)]) -> (Segment, FieldErrors) {
    let mut s = Segment::default();
    let mut errors = FieldErrors::new();
    for (k, v) in pairs {
        let v = v.trim();
        match k.as_str() {
            "name" => s.name = v.chars().take(100).collect(),
            "nation" if NATIONS.contains(&v) => s.nation = v.into(),
            "audience" if AUDIENCES.contains(&v) => s.audience = v.into(),
            "lang" if v == "en" || v == "cy" => s.lang = v.into(),
            "topic" if TOPICS.contains(&v) => s.topic = v.into(),
            "after" | "before" if !v.is_empty() => match crate::uktime::parse_date(v) {
                Some(t) if k == "after" => s.subscribed_after = t,
                Some(t) => s.subscribed_before = t,
                None => errors.add(
                    if k == "after" { "after" } else { "before" },
                    Msg::new("admin-segments-error-date"),
                ),
            },
            _ => {}
        }
    }
    (s, errors)
}

async fn segments_view(
    state: &AppState,
    c: &Ctx,
    draft: Segment,
    draft_size: Option<i64>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let mut segments = Vec::new();
    for s in bulletin::store::segments(&state.db).await? {
        let size = s.size(&state.db).await?;
        segments.push((s, size));
    }
    let page = SegmentsPage {
        c,
        segments,
        draft,
        draft_size,
        errors,
    };
    form_page(&page, &page.errors)
}

/// `GET /admin/segments`: the list with sizes, and the form; with `count=1` the form's
/// filters are counted (the live size, without JavaScript).
pub(super) async fn segments_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    let (draft, errors) = read_segment(&pairs);
    let counting = pairs.iter().any(|(k, _)| k == "count");
    let size = if counting && errors.is_empty() {
        Some(draft.size(&state.db).await?)
    } else {
        None
    };
    segments_view(&state, &c, draft, size, errors).await
}

pub(super) async fn segments_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    let (draft, mut errors) = read_segment(&pairs);
    if draft.name.is_empty() {
        errors.add("name", Msg::new("admin-segments-error-name"));
    }
    if !errors.is_empty() {
        return segments_view(&state, &c, draft, None, errors).await;
    }
    bulletin::store::create_segment(&state.db, &draft).await?;
    Ok(see_other("/admin/segments"))
}
