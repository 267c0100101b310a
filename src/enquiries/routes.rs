//! `/contact` (choose a kind, then its form; works without JavaScript), the thank-you page,
//! and the staff inbox `/admin/enquiries`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Draft, Enquiry, Filter, KINDS, Note, STATUSES};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::auth::StaffUser;
use crate::i18n::Lang;
use crate::mail::{Letter, Sender};
use crate::web::antispam::{SEND_AGAIN, Verdict};
use crate::web::error::AppError;
use crate::web::{FieldErrors, Form, Msg, Query, private_page, private_page_status, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contact", get(contact_get).post(contact_post))
        .route("/contact/sent", get(sent_page))
        .route("/admin/enquiries", get(inbox_page))
        .route(
            "/admin/enquiries/{id}",
            get(enquiry_page).post(enquiry_update),
        )
        .route("/admin/enquiries/{id}/note", post(enquiry_note))
}

/// Enquiries allowed per client address per hour.
const PER_HOUR: i64 = 5;

#[derive(Template)]
#[template(path = "enquiries/contact.html")]
struct ContactPage<'a> {
    c: &'a Ctx,
    /// The chosen kind; "" shows the chooser.
    kind: String,
    d: Draft,
    errors: FieldErrors,
    /// A message above the form that belongs to no field (too many attempts, send again).
    notice: Option<&'static str>,
    now: i64,
}

impl ContactPage<'_> {
    fn title(&self) -> String {
        self.c.t(&format!("contact-form-title-{}", self.kind))
    }
    fn message_label(&self) -> String {
        self.c.t(&format!("contact-message-{}", self.kind))
    }
}

#[derive(Deserialize, Default)]
struct KindQuery {
    #[serde(rename = "type")]
    kind: Option<String>,
}

fn known_kind(k: Option<&str>) -> String {
    k.filter(|k| KINDS.contains(k)).unwrap_or("").to_string()
}

/// `GET /contact[?type=media|membership|other]`.
async fn contact_get(c: Ctx, Query(q): Query<KindQuery>) -> Result<Response, AppError> {
    let kind = known_kind(q.kind.as_deref());
    private_page(&ContactPage {
        c: &c,
        d: Draft {
            kind: kind.clone(),
            ..Draft::default()
        },
        kind,
        errors: crate::web::FieldErrors::new(),
        notice: None,
        now: crate::db::now(),
    })
}

/// `POST /contact`.
async fn contact_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| crate::web::field(&pairs, name);
    let now = crate::db::now();
    let d = Draft::from_pairs(&pairs);
    let kind = known_kind(Some(&d.kind));
    if kind.is_empty() {
        // No kind (an old bookmark, a bot): back to the chooser.
        return Ok(see_other("/contact"));
    }
    // Before anything else answers: a risky text gets crisis help on every answer.
    let (c, risk) = c.screen(
        &[&d.subject, &d.message, &d.organisation, &d.outlet],
        Some(&d.nation),
    );
    let page = |d: Draft, errors: FieldErrors, notice| ContactPage {
        c: &c,
        kind: kind.clone(),
        d,
        errors,
        notice,
        now,
    };
    match crate::web::antispam::verdict(get("website"), get("started"), now) {
        Verdict::Person => {}
        Verdict::Bot if risk.is_risky() => return crate::site::routes::crisis_page(&c),
        Verdict::Bot => return Ok(see_other("/contact/sent")),
        Verdict::SendAgain => {
            return Err(AppError::invalid(&page(
                d,
                crate::web::FieldErrors::new(),
                Some(SEND_AGAIN),
            )));
        }
    }
    let (email, deadline) = match d.check(now) {
        Ok(ok) => ok,
        Err(errors) => return Err(AppError::invalid(&page(d, errors, None))),
    };
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    let limit = crate::web::antispam::store::allowance(PER_HOUR, risk.is_risky());
    if crate::web::antispam::store::over_limit(&state.db, "contact", &ip, limit).await? {
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &page(d, crate::web::FieldErrors::new(), Some("contact-throttled")),
        );
    }
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    let (id, reference) = super::store::create(&mut tx, &d, &email, deadline, c.lang).await?;
    let ack = acknowledgement(&state, &site, c.lang, &email, &kind, &reference, deadline);
    crate::mail::enqueue(&mut tx, &sender, &ack).await?;
    let team = c.site(&format!("contact_{kind}")).to_string();
    let has_team = crate::site::settings::looks_like_email(&team);
    if risk.is_risky() {
        crate::safeguard::store::record(&mut tx, "enquiry", id, risk, c.lang.code()).await?;
        // The team's mailbox, or whoever answers safeguarding flags when it has none; only
        // the kind of risk and a link, never the message.
        let to = if has_team {
            vec![team.clone()]
        } else {
            crate::stories::store::safeguarding_contacts(&state.db).await?
        };
        let public_url = &state.config.public_url;
        for to in &to {
            let m = crate::safeguard::alert(public_url, &site, to, "enquiry", id, risk);
            crate::mail::enqueue(&mut tx, &sender, &m).await?;
        }
    } else if has_team {
        let alert = team_alert(&state, &site, &team, &kind, &reference, deadline, id);
        crate::mail::enqueue(&mut tx, &sender, &alert).await?;
    }
    tx.commit().await?;
    if risk.is_risky() {
        tracing::info!(enquiry = id, "enquiry flagged for safeguarding review");
        // Answered in place, so the crisis help opens the page that says it was sent.
        return private_page(&SentPage { c: &c, reference });
    }
    Ok(see_other(&format!("/contact/sent?ref={reference}")))
}

fn deadline_text(t: i64) -> String {
    crate::uktime::uk_date_time(t)
}

fn acknowledgement(
    state: &AppState,
    site: &str,
    lang: Lang,
    to: &str,
    kind: &str,
    reference: &str,
    deadline: Option<i64>,
) -> crate::mail::Outgoing {
    let mut paras = vec![lang.t_args(
        "contact-ack-text",
        &[("reference", reference.to_string().into())],
    )];
    if let Some(t) = deadline {
        paras.push(lang.t_args(
            "contact-ack-deadline",
            &[("deadline", deadline_text(t).into())],
        ));
    }
    paras.push(lang.t("contact-ack-not-emergency"));
    Letter::new(
        "enquiry-ack",
        lang,
        to,
        site,
        lang.t_args(
            "contact-ack-subject",
            &[("reference", reference.to_string().into())],
        ),
    )
    .heading(lang.t(&format!("contact-ack-heading-{kind}")))
    .paras(paras)
    .button(
        lang.t("contact-ack-help-button"),
        state.config.link(lang, "/help"),
    )
    .footer(vec![lang.t("contact-ack-not-you")])
    .outgoing()
}

/// To the team's mailbox: that something arrived and where to read it; no personal data.
fn team_alert(
    state: &AppState,
    site: &str,
    to: &str,
    kind: &str,
    reference: &str,
    deadline: Option<i64>,
    id: i64,
) -> crate::mail::Outgoing {
    let lang = Lang::En;
    let mut paras = vec![lang.t_args(
        "contact-alert-text",
        &[("reference", reference.to_string().into())],
    )];
    if let Some(t) = deadline {
        paras.push(lang.t_args(
            "contact-ack-deadline",
            &[("deadline", deadline_text(t).into())],
        ));
    }
    Letter::new(
        "enquiry-alert",
        lang,
        to,
        site,
        lang.t_args(
            &format!("contact-alert-subject-{kind}"),
            &[("reference", reference.to_string().into())],
        ),
    )
    .heading(lang.t(&format!("contact-alert-subject-{kind}")))
    .paras(paras)
    .button(
        lang.t("contact-alert-button"),
        format!("{}/admin/enquiries/{id}", state.config.public_url),
    )
    .outgoing()
}

#[derive(Template)]
#[template(path = "enquiries/sent.html")]
struct SentPage<'a> {
    c: &'a Ctx,
    reference: String,
}

#[derive(Deserialize, Default)]
struct SentQuery {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

/// `GET /contact/sent?ref=…`: the reference is shown only if it looks like one.
async fn sent_page(c: Ctx, Query(q): Query<SentQuery>) -> Result<Response, AppError> {
    let reference = q
        .reference
        .filter(|r| super::is_reference(r))
        .unwrap_or_default();
    private_page(&SentPage { c: &c, reference })
}

#[derive(Template)]
#[template(path = "admin/enquiries.html")]
struct InboxPage<'a> {
    c: &'a Ctx,
    rows: Vec<Enquiry>,
    kinds: Vec<&'static str>,
    q: InboxQuery,
    now: i64,
}

impl InboxPage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    fn is(&self, v: &Option<String>, want: &str) -> bool {
        v.as_deref() == Some(want)
    }
}

#[derive(Deserialize, Default, Clone)]
struct InboxQuery {
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    mine: Option<String>,
}

/// `GET /admin/enquiries`: the kinds routed to the viewer's role.
async fn inbox_page(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Query(q): Query<InboxQuery>,
) -> Result<Response, AppError> {
    let kinds = super::kinds_for(&staff, &c.snap.site);
    if kinds.is_empty() {
        return Err(AppError::Forbidden);
    }
    let filter = Filter {
        status: match q.status.as_deref() {
            None => "open".into(),
            Some(s) if s == "open" || s.is_empty() || STATUSES.contains(&s) => s.into(),
            Some(_) => "open".into(),
        },
        kind: known_kind(q.kind.as_deref()),
        assignee: q
            .mine
            .as_deref()
            .filter(|m| !m.is_empty())
            .map(|_| staff.id),
    };
    let rows = super::store::inbox(&state.db, &kinds, &filter).await?;
    let mut q = q;
    q.status = Some(filter.status);
    private_page(&InboxPage {
        c: &c.with_staff(staff),
        rows,
        kinds,
        q,
        now: crate::db::now(),
    })
}

#[derive(Template)]
#[template(path = "admin/enquiry.html")]
struct EnquiryPage<'a> {
    c: &'a Ctx,
    e: Enquiry,
    notes: Vec<Note>,
    handlers: Vec<(i64, String)>,
    note: String,
    errors: FieldErrors,
    saved: bool,
    now: i64,
}

impl EnquiryPage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    fn kind_label(&self) -> String {
        self.c.t(&format!("contact-kind-{}", self.e.kind))
    }
    fn nation_label(&self) -> String {
        self.c.t(&format!("nation-{}", self.e.nation))
    }
    fn assigned(&self, id: &i64) -> bool {
        self.e.assignee_id == Some(*id)
    }
}

/// The enquiry, if `staff` handles its kind (else 404: not even its existence shows).
async fn visible(
    state: &AppState,
    c: &Ctx,
    staff: &StaffUser,
    id: i64,
) -> Result<Enquiry, AppError> {
    super::store::get(&state.db, id)
        .await?
        .filter(|e| super::handles(staff, &c.snap.site, &e.kind))
        .ok_or(AppError::NotFound)
}

async fn enquiry_view<'a>(
    state: &AppState,
    c: &'a Ctx,
    e: Enquiry,
) -> Result<EnquiryPage<'a>, AppError> {
    let notes = super::store::notes(&state.db, e.id).await?;
    let handlers = super::store::handlers(&state.db, &c.snap.site, &e.kind).await?;
    Ok(EnquiryPage {
        c,
        e,
        notes,
        handlers,
        note: String::new(),
        errors: crate::web::FieldErrors::new(),
        saved: c.path.contains("saved=1"),
        now: crate::db::now(),
    })
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn enquiry_page(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let e = visible(&state, &c, &staff, id).await?;
    if e.is_urgent() {
        crate::safeguard::store::first_look(&state.db, "enquiry", id, &staff.email).await?;
    }
    let c = c.with_staff(staff);
    let mut page = enquiry_view(&state, &c, e).await?;
    page.saved = q.saved.is_some();
    private_page(&page)
}

/// `POST /admin/enquiries/{id}/note`: adds a note for the team (kept, never sent).
async fn enquiry_note(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let e = visible(&state, &c, &staff, id).await?;
    let c = c.with_staff(staff.clone());
    let body = crate::web::field(&pairs, "note").trim().to_string();
    let problem = if body.is_empty() {
        Some("admin-enquiry-note-empty")
    } else if body.chars().count() > 5000 {
        Some("admin-enquiry-note-long")
    } else {
        None
    };
    if let Some(key) = problem {
        let mut page = enquiry_view(&state, &c, e).await?;
        page.note = body;
        page.errors.add("note", Msg::new(key));
        return Err(AppError::invalid(&page));
    }
    let mut tx = state.db.begin_write().await?;
    super::store::add_note(&mut tx, id, &staff, &body).await?;
    crate::audit::record(&mut tx, Some(&staff), "note", "enquiry", id, &e.reference).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/enquiries/{id}?saved=1")))
}

/// `POST /admin/enquiries/{id}`: changes the status and who handles it.
async fn enquiry_update(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let e = visible(&state, &c, &staff, id).await?;
    let get = |name: &str| crate::web::field(&pairs, name).trim().to_string();
    let status = get("status");
    if !STATUSES.contains(&status.as_str()) {
        return Err(AppError::BadRequest(Msg::new("admin-enquiry-bad-status")));
    }
    let handlers = super::store::handlers(&state.db, &c.snap.site, &e.kind).await?;
    let assignee = match get("assignee").parse::<i64>() {
        Ok(a) if handlers.iter().any(|(id, _)| *id == a) => Some(a),
        Ok(_) => return Err(AppError::BadRequest(Msg::new("admin-enquiry-bad-assignee"))),
        Err(_) => None,
    };
    let mut tx = state.db.begin_write().await?;
    super::store::update(&mut tx, id, &status, assignee).await?;
    crate::audit::record(
        &mut tx,
        Some(&staff),
        "update",
        "enquiry",
        id,
        &format!(
            "{}: {} → {status}, assignee {}",
            e.reference,
            e.status,
            assignee.map_or("none".to_string(), |a| a.to_string())
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/admin/enquiries/{id}?saved=1")))
}
