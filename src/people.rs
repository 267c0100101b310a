//! One person's data, for a data-protection request: everything held about one email
//! address across the mailing list, enquiries, stories and membership applications, shown and downloadable as JSON,
//! and erased in one transaction. Admins only; every view and erasure is audited by a
//! hash of the address, never the address.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::app::ctx::Ctx;
use crate::auth::{Staff, perm};
use crate::db::{self, Db, Tx};
use crate::mail::list;
use crate::web::error::AppError;
use crate::web::{Form, Query, private_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/people", get(person_page).post(person_erase))
        // Where the tool first lived, with the mailing list.
        .route(
            "/admin/subscribers/person",
            get(person_page).post(person_erase),
        )
}

/// Everything held about `email`; `None` when nothing is.
pub async fn export(db: &Db, email: &str) -> sqlx::Result<Option<Value>> {
    let email = email.trim().to_lowercase();
    let mailing = list::store::export(db, &email).await?;
    let time = |t: i64| crate::uktime::date_time(t);
    let enquiries: Vec<crate::enquiries::Enquiry> =
        crate::enquiries::store::by_email(db, &email).await?;
    let mut enquiry_values = Vec::new();
    for e in &enquiries {
        let notes = crate::enquiries::store::notes(db, e.id).await?;
        enquiry_values.push(json!({
            "reference": e.reference, "kind": e.kind, "name": e.name, "email": e.email,
            "phone": e.phone, "organisation": e.organisation, "outlet": e.outlet,
            "nation": e.nation, "deadline": e.deadline.map(time), "subject": e.subject,
            "message": e.message, "language": e.lang, "status": e.status,
            "received": time(e.created_at),
            "staff_notes": notes.iter().map(|n| json!({
                "by": n.author, "at": time(n.created_at), "note": n.body,
            })).collect::<Vec<_>>(),
        }));
    }
    let stories = crate::stories::store::by_email(db, &email).await?;
    let story_values: Vec<Value> = stories
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "title": s.title, "story": s.body,
                "published_title": s.edited_title, "published_story": s.edited_body,
                "published_quotes": s.quote_list(),
                "picture": (!s.image.is_empty()).then(|| format!("/images/{}", s.image)),
                "first_name": s.first_name, "town": s.town, "nation": s.nation,
                "who": s.teller, "consent_scope": s.scope,
                "consent_wording_version": s.consent_version, "language": s.lang,
                "status": s.status, "received": time(s.created_at),
                "published": s.published_at.map(time),
            })
        })
        .collect();
    let memberships: Vec<Value> = crate::members::store::by_contact(db, &email)
        .await?
        .iter()
        .map(|m| {
            json!({
                "organisation": m.name, "contact_name": m.contact_name,
                "contact_email": m.contact_email, "contact_phone": m.contact_phone,
                "why_join": m.reason, "status": m.status, "applied": time(m.created_at),
            })
        })
        .collect();
    let roster: Vec<Value> = crate::members::roster::store::by_email(db, &email)
        .await?
        .iter()
        .map(|e| {
            json!({
                "list": e.list, "name": e.name, "kind": e.kind, "nation": e.nation,
                "town": e.town, "line": e.line, "show_name": e.show_name,
                "show_nation": e.show_nation == 1, "status": e.status,
                "added": time(e.created_at),
            })
        })
        .collect();
    let activities: Vec<Value> = crate::campaigns::store::by_email(db, &email)
        .await?
        .iter()
        .map(|a| {
            json!({
                "title": a.title, "organiser": a.organiser, "contact_name": a.contact_name,
                "contact_email": a.contact_email, "kind": a.kind, "venue": a.venue,
                "postcode": a.postcode, "status": a.status, "registered": time(a.created_at),
            })
        })
        .collect();
    if mailing.is_none()
        && enquiry_values.is_empty()
        && story_values.is_empty()
        && memberships.is_empty()
        && roster.is_empty()
        && activities.is_empty()
    {
        return Ok(None);
    }
    Ok(Some(json!({
        "email": email,
        "mailing_list": mailing,
        "enquiries": enquiry_values,
        "stories": story_values,
        "membership_contact": memberships,
        "supporters_and_champions": roster,
        "campaign_activities": activities,
    })))
}

/// What an erasure removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Erased {
    pub mailing: bool,
    pub enquiries: u64,
    pub stories: u64,
    pub memberships: u64,
    pub roster: u64,
    pub activities: u64,
}

/// Erases everything held about `email`: the mailing list entry (leaving its hash on the
/// suppression list), enquiries with their notes, and stories (withdrawn: unpublished
/// everywhere, text and details blanked).
pub async fn erase(tx: &mut Tx, backend: db::Backend, email: &str) -> sqlx::Result<Erased> {
    let email = email.trim().to_lowercase();
    let mailing = list::store::erase(tx, &email).await?;
    let enquiries = crate::enquiries::store::erase(tx, &email).await?;
    let stories = crate::stories::store::erase_by_email(tx, backend, &email).await?;
    let memberships = crate::members::store::erase_contact(tx, &email).await?;
    let roster = crate::members::roster::store::erase(tx, &email).await?;
    let activities = crate::campaigns::store::erase(tx, &email).await?;
    Ok(Erased {
        mailing,
        enquiries,
        stories,
        memberships,
        roster,
        activities,
    })
}

fn address_hash(email: &str) -> String {
    list::email_hash(email)[..12].to_string()
}

#[derive(Deserialize, Default)]
struct PersonQuery {
    email: Option<String>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/person.html")]
struct PersonPage<'a> {
    c: &'a Ctx,
    email: String,
    /// What is held, as pretty JSON; `None` when nothing is.
    held: Option<String>,
    searched: bool,
    erased: Option<Erased>,
    error: String,
}

/// `GET /admin/people?email=…` (`&format=json` downloads it).
async fn person_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Query(q): Query<PersonQuery>,
) -> Result<Response, AppError> {
    let email = q.email.unwrap_or_default().trim().to_lowercase();
    let held = if email.is_empty() {
        None
    } else {
        export(&state.db, &email).await?
    };
    if !email.is_empty() {
        let mut tx = state.db.begin_write().await?;
        crate::audit::record(
            &mut tx,
            Some(&staff),
            "data_export",
            "person",
            "",
            &format!("address hash {}", address_hash(&email)),
        )
        .await?;
        tx.commit().await?;
    }
    if q.format.as_deref() == Some("json") {
        let body = serde_json::to_string_pretty(&held.unwrap_or(Value::Null))
            .map_err(|e| AppError::Internal(e.into()))?;
        let mut res = crate::web::bytes_response("application/json", body);
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"personal-data.json\""),
        );
        return Ok(res.into_response());
    }
    private_page(&PersonPage {
        c: &c.with_staff(staff),
        searched: !email.is_empty(),
        held: held.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()),
        email,
        erased: None,
        error: String::new(),
    })
}

/// `POST /admin/people`: erases everything about the address (with `confirm` ticked).
async fn person_erase(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageUsers>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| crate::web::field(&pairs, name).trim().to_string();
    let email = get("email").to_lowercase();
    let c = c.with_staff(staff.clone());
    if email.is_empty() || get("confirm").is_empty() {
        let held = export(&state.db, &email).await?;
        return Err(AppError::invalid(&PersonPage {
            c: &c,
            searched: true,
            held: held.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()),
            email,
            erased: None,
            error: c.t("admin-person-error-confirm"),
        }));
    }
    let mut pictures: Vec<String> = crate::stories::store::by_email(&state.db, &email)
        .await?
        .into_iter()
        .map(|s| s.image)
        .collect();
    pictures.extend(
        crate::members::roster::store::by_email(&state.db, &email)
            .await?
            .into_iter()
            .map(|e| e.photo),
    );
    let mut tx = state.db.begin_write().await?;
    let erased = erase(&mut tx, state.db.backend, &email).await?;
    // The log keeps that an erasure happened and what it covered, not whose it was.
    crate::audit::record(
        &mut tx,
        Some(&staff),
        "data_erase",
        "person",
        "",
        &format!(
            "address hash {}: mailing list {}, {} enquiries, {} stories, {} membership contacts, \
             {} supporter/Champion entries, {} activities",
            address_hash(&email),
            if erased.mailing { "yes" } else { "no" },
            erased.enquiries,
            erased.stories,
            erased.memberships,
            erased.roster,
            erased.activities
        ),
    )
    .await?;
    tx.commit().await?;
    for p in &pictures {
        crate::uploads::delete_if_unused(&state, p).await?;
    }
    if erased.stories > 0 || erased.roster > 0 || erased.activities > 0 {
        state.refresh().await?;
    }
    private_page(&PersonPage {
        c: &c,
        searched: false,
        held: None,
        email: String::new(),
        erased: Some(erased),
        error: String::new(),
    })
}
