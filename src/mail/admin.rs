//! The mailing list's routes in one list, and the staff screens for newsletters (compose,
//! preview, test, schedule, send, progress). Subscribers and segments are in
//! `audience.rs`, the public archive at `/bulletin` in `archive.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::bulletin::{self, Newsletter, Progress, Recipient, Segment};
use super::{Sender, list};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::auth::{Staff, perm};
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::{
    FieldErrors, Form, Msg, Query, form_page, private_page, private_page_status, see_other,
};

pub fn routes() -> Router<AppState> {
    use super::archive::{archive_page, issue_page};
    use super::audience::{segments_page, segments_post, subscribers_csv, subscribers_page};
    Router::new()
        .route("/admin/bulletin", get(list_page))
        .route("/admin/bulletin/new", get(new_page).post(new_post))
        .route("/admin/bulletin/{id}", get(edit_page).post(edit_post))
        .route("/admin/bulletin/{id}/test", post(test_post))
        .route("/admin/bulletin/{id}/send", post(send_post))
        .route("/admin/bulletin/{id}/schedule", post(schedule_post))
        .route("/admin/bulletin/{id}/unschedule", post(unschedule_post))
        .route("/admin/bulletin/{id}/cancel", post(cancel_post))
        .route("/admin/bulletin/{id}/preview", get(preview))
        .route("/admin/subscribers", get(subscribers_page))
        .route("/admin/subscribers.csv", get(subscribers_csv))
        .route("/admin/segments", get(segments_page).post(segments_post))
        .route("/bulletin", get(archive_page))
        .route("/bulletin/{id}", get(issue_page))
}

#[derive(Template)]
#[template(path = "admin/bulletin_list.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    /// Each newsletter with how many copies have been sent.
    newsletters: Vec<(Newsletter, i64)>,
    counts: Vec<(String, i64)>,
}

async fn list_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    // Sent counts for every newsletter in one query, not one per row.
    let sent = bulletin::store::sent_counts(&state.db).await?;
    let newsletters = bulletin::store::newsletters(&state.db)
        .await?
        .into_iter()
        .map(|n| {
            let done = sent.get(&n.id).copied().unwrap_or(0);
            (n, done)
        })
        .collect();
    let counts = list::store::status_counts(&state.db).await?;
    private_page(&ListPage {
        c: &c.with_staff(staff),
        newsletters,
        counts,
    })
}

#[derive(Template)]
#[template(path = "admin/bulletin_edit.html")]
struct EditPage<'a> {
    c: &'a Ctx,
    n: Newsletter,
    segments: Vec<(Segment, i64)>,
    everyone: i64,
    progress: Progress,
    errors: FieldErrors,
    notice: &'static str,
    test_to: String,
    schedule_at: String,
}

impl EditPage<'_> {
    fn when(&self, t: Option<i64>) -> String {
        t.map(crate::uktime::uk_date_time).unwrap_or_default()
    }
    fn status_label(&self) -> String {
        self.c
            .t(&format!("admin-bulletin-status-{}", self.n.status))
    }
    fn scheduled(&self) -> String {
        self.when(self.n.scheduled_at)
    }
    fn started(&self) -> String {
        self.when(self.n.started_at)
    }
    fn finished(&self) -> String {
        self.when(self.n.finished_at)
    }
    fn is_segment(&self, id: &i64) -> bool {
        self.n.segment_id == Some(*id)
    }
}

/// What the edit page shows besides the newsletter: the outcome of the last action.
struct Shown {
    /// The newsletter had started sending before this change could be saved (409).
    conflict: bool,
    errors: FieldErrors,
    notice: &'static str,
    test_to: String,
    schedule_at: String,
}

impl Default for Shown {
    fn default() -> Self {
        Shown {
            conflict: false,
            errors: FieldErrors::new(),
            notice: "",
            test_to: String::new(),
            schedule_at: String::new(),
        }
    }
}

async fn edit_page_for(
    state: &AppState,
    c: &Ctx,
    n: Newsletter,
    shown: Shown,
) -> Result<Response, AppError> {
    let mut segments = Vec::new();
    for s in bulletin::store::segments(&state.db).await? {
        let size = s.size(&state.db).await?;
        segments.push((s, size));
    }
    let everyone = Segment::everyone().size(&state.db).await?;
    let progress = bulletin::store::progress(&state.db, n.id).await?;
    let page = EditPage {
        c,
        n,
        segments,
        everyone,
        progress,
        errors: shown.errors,
        notice: shown.notice,
        test_to: shown.test_to,
        schedule_at: shown.schedule_at,
    };
    if shown.conflict {
        private_page_status(StatusCode::CONFLICT, &page)
    } else {
        form_page(&page, &page.errors)
    }
}

async fn new_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    let n = Newsletter {
        status: "draft".into(),
        in_archive: 1,
        ..Newsletter::default()
    };
    edit_page_for(&state, &c, n, Shown::default()).await
}

/// The form's fields.
struct EditForm {
    n: Newsletter,
    test_to: String,
    schedule_at: String,
}

fn read_form(id: i64, pairs: Vec<(String, String)>) -> EditForm {
    let mut n = Newsletter {
        id,
        status: "draft".into(),
        ..Newsletter::default()
    };
    let mut f = EditForm {
        n: Newsletter::default(),
        test_to: String::new(),
        schedule_at: String::new(),
    };
    for (k, v) in pairs {
        match k.as_str() {
            "subject" => n.subject = v.trim().chars().take(300).collect(),
            "subject_cy" => n.subject_cy = v.trim().chars().take(300).collect(),
            "body" => n.body = v,
            "body_cy" => n.body_cy = v,
            "segment" => n.segment_id = v.parse().ok().filter(|i| *i > 0),
            "in_archive" => n.in_archive = 1,
            "test_to" => f.test_to = v.trim().to_string(),
            "schedule_at" => f.schedule_at = v.trim().to_string(),
            _ => {}
        }
    }
    f.n = n;
    f
}

fn validate(n: &Newsletter) -> FieldErrors {
    let mut e = FieldErrors::new();
    if n.subject.is_empty() {
        e.add("subject", Msg::new("admin-bulletin-error-subject"));
    }
    if n.body.trim().is_empty() {
        e.add("body", Msg::new("admin-bulletin-error-body"));
    }
    if n.body.len() > 200_000 || n.body_cy.len() > 200_000 {
        e.add("body", Msg::new("admin-bulletin-error-long"));
    }
    let cy_subject = !n.subject_cy.is_empty();
    let cy_body = !n.body_cy.trim().is_empty();
    if cy_subject != cy_body {
        e.add(
            if cy_subject { "body_cy" } else { "subject_cy" },
            Msg::new("admin-bulletin-error-welsh-pair"),
        );
    }
    e
}

async fn new_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let by = staff.id;
    let c = c.with_staff(staff);
    let f = read_form(0, pairs);
    let errors = validate(&f.n);
    if !errors.is_empty() {
        let shown = Shown {
            errors,
            test_to: f.test_to,
            schedule_at: f.schedule_at,
            ..Shown::default()
        };
        return edit_page_for(&state, &c, f.n, shown).await;
    }
    let id = bulletin::store::save(&state.db, &f.n, by)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(see_other(&format!("/admin/bulletin/{id}?saved=1")))
}

#[derive(Deserialize, Default)]
struct EditQuery {
    saved: Option<String>,
}

async fn edit_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    let n = bulletin::store::newsletter(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notice = if q.saved.is_some() {
        "admin-bulletin-saved"
    } else {
        ""
    };
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    edit_page_for(&state, &c, n, shown).await
}

/// Shows the edit page again after a step, keeping what was typed in its own fields.
async fn again(
    state: &AppState,
    c: &Ctx,
    f: &EditForm,
    n: Newsletter,
    conflict: bool,
    errors: FieldErrors,
    notice: &'static str,
) -> Result<Response, AppError> {
    let shown = Shown {
        conflict,
        errors,
        notice,
        test_to: f.test_to.clone(),
        schedule_at: f.schedule_at.clone(),
    };
    edit_page_for(state, c, n, shown).await
}

/// Every button on the edit form reads the form and saves what is typed first, so a
/// test, a schedule or a send always carries what the editor sees. `Ok(Err(page))` is the form again: with its
/// problems (422), or 409 once sending has started and nothing can change.
async fn save_first(
    state: &AppState,
    c: Ctx,
    staff: crate::auth::StaffUser,
    id: i64,
    pairs: Vec<(String, String)>,
) -> Result<Result<Saved, Response>, AppError> {
    let by = staff.id;
    let c = c.with_staff(staff);
    let f = read_form(id, pairs);
    let existing = bulletin::store::newsletter(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let started = "admin-bulletin-started-already";
    if !existing.editable() {
        let page = again(state, &c, &f, existing, true, FieldErrors::new(), started).await?;
        return Ok(Err(page));
    }
    let errors = validate(&f.n);
    if !errors.is_empty() {
        let mut n = f.n.clone();
        n.status = existing.status.clone();
        return Ok(Err(again(state, &c, &f, n, false, errors, "").await?));
    }
    if bulletin::store::save(&state.db, &f.n, by).await?.is_none() {
        let page = again(state, &c, &f, existing, true, FieldErrors::new(), started).await?;
        return Ok(Err(page));
    }
    let n = bulletin::store::newsletter(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ok(Saved { c, f, n }))
}

/// A draft saved by [`save_first`]: the staff page's context, the form as typed (its
/// test address and schedule too) and the newsletter as stored.
struct Saved {
    c: Ctx,
    f: EditForm,
    n: Newsletter,
}

/// `POST /admin/bulletin/{id}`: saves the draft.
async fn edit_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if let Err(page) = save_first(&state, c, staff, id, pairs).await? {
        return Ok(page);
    }
    Ok(see_other(&format!("/admin/bulletin/{id}?saved=1")))
}

/// `POST /admin/bulletin/{id}/test`: saves, then sends a copy (in each language it has)
/// to one address, marked as a test, through the ordinary queue.
async fn test_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Saved { c, f, n } = match save_first(&state, c, staff, id, pairs).await? {
        Ok(saved) => saved,
        Err(page) => return Ok(page),
    };
    let Ok(to) = list::normalise_email(&f.test_to) else {
        let mut errors = FieldErrors::new();
        errors.add("test_to", Msg::new("admin-bulletin-error-test-to"));
        return again(&state, &c, &f, n, false, errors, "").await;
    };
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    for lang in [Lang::En, Lang::Cy] {
        if lang == Lang::Cy && n.version(Lang::Cy).2 != Lang::Cy {
            continue;
        }
        let mut m = bulletin::message(
            &n,
            &Recipient {
                email: &to,
                lang,
                manage_token: "test-preview-link",
            },
            &site,
            &state.config.public_url,
            None,
        );
        m.subject = format!("[{}] {}", c.t("admin-bulletin-test-tag"), m.subject);
        m.kind = "newsletter-test";
        super::enqueue(&mut tx, &sender, &m).await?;
    }
    tx.commit().await?;
    again(
        &state,
        &c,
        &f,
        n,
        false,
        FieldErrors::new(),
        "admin-bulletin-test-sent",
    )
    .await
}

/// `POST /admin/bulletin/{id}/send`: saves, then starts sending to the chosen audience.
/// A second press finds the send started and changes nothing (409).
async fn send_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if let Err(page) = save_first(&state, c, staff, id, pairs).await? {
        return Ok(page);
    }
    bulletin::store::start(&state.db, id).await?;
    Ok(see_other(&format!("/admin/bulletin/{id}")))
}

/// `POST /admin/bulletin/{id}/schedule`: saves, then sets the send for a future UK time.
async fn schedule_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let Saved { c, f, n } = match save_first(&state, c, staff, id, pairs).await? {
        Ok(saved) => saved,
        Err(page) => return Ok(page),
    };
    match crate::uktime::parse_uk_datetime(&f.schedule_at) {
        Some(at) if at > crate::db::now() => {
            bulletin::store::schedule(&state.db, id, Some(at)).await?;
            Ok(see_other(&format!("/admin/bulletin/{id}?saved=1")))
        }
        _ => {
            let mut errors = FieldErrors::new();
            errors.add("schedule_at", Msg::new("admin-bulletin-error-schedule"));
            again(&state, &c, &f, n, false, errors, "").await
        }
    }
}

/// `POST /admin/bulletin/{id}/unschedule`: saves, and takes the scheduled send off; the
/// newsletter is a draft again.
async fn unschedule_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if let Err(page) = save_first(&state, c, staff, id, pairs).await? {
        return Ok(page);
    }
    bulletin::store::schedule(&state.db, id, None).await?;
    Ok(see_other(&format!("/admin/bulletin/{id}?saved=1")))
}

/// `POST /admin/bulletin/{id}/cancel`: stops a send in progress; whoever has not been
/// sent a copy yet is not sent one.
async fn cancel_post(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let n = bulletin::store::newsletter(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if bulletin::store::cancel(&state.db, id).await? {
        let mut tx = state.db.begin_write().await?;
        crate::audit::record(
            &mut tx,
            Some(&staff),
            "cancel_send",
            "newsletter",
            id,
            &n.subject,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(see_other(&format!("/admin/bulletin/{id}")))
}

#[derive(Deserialize, Default)]
struct PreviewQuery {
    lang: Option<String>,
}

/// The email as a subscriber would see it, in either language. Its own CSP: the email's
/// inline styles are allowed, scripts are not.
async fn preview(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Query(q): Query<PreviewQuery>,
) -> Result<Response, AppError> {
    let n = bulletin::store::newsletter(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_default();
    let m = bulletin::message(
        &n,
        &Recipient {
            email: &staff.email,
            lang,
            manage_token: "preview",
        },
        c.site("name"),
        &state.config.public_url,
        None,
    );
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], m.html).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
             frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
        ),
    );
    Ok(res)
}
