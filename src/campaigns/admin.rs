//! Staff screens: campaigns (`/admin/campaigns…`: details, day themes, the evaluation
//! and its survey) and the activity moderation queue (`/admin/activities…`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::survey::Summary;
use super::{Activity, Campaign, CampaignDraft, Session};
use crate::app::Ctx;
use crate::auth::{Permission, StaffUser};
use crate::auth::{Staff, perm};
use crate::mail::{Letter, Sender};
use crate::uploads as images;
use crate::web::{
    AppError, FieldErrors, Fields, Form, Msg, Query, form_page, private_page, see_other,
};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/campaigns", get(campaigns_page))
        .route(
            "/admin/campaigns/new",
            get(new_get)
                .post(new_post)
                .layer(axum::extract::DefaultBodyLimit::max(
                    images::FORM_WITH_PICTURE,
                )),
        )
        .route(
            "/admin/campaigns/{id}",
            get(edit_get)
                .post(edit_post)
                .layer(axum::extract::DefaultBodyLimit::max(
                    images::FORM_WITH_PICTURE,
                )),
        )
        .route(
            "/admin/campaigns/{id}/evaluation",
            get(evaluation_get).post(evaluation_post),
        )
        .route("/admin/campaigns/{id}/survey", post(survey_invite))
        .route("/admin/activities", get(queue_page))
        .route(
            "/admin/activities/{id}",
            get(activity_get).post(activity_post),
        )
}

#[derive(Template)]
#[template(path = "admin/campaigns.html")]
struct CampaignsPage<'a> {
    c: &'a Ctx,
    campaigns: Vec<(Campaign, i64, i64)>,
}

impl CampaignsPage<'_> {
    fn dates(&self, k: &Campaign) -> String {
        super::routes::dates(self.c.lang, k)
    }
}

async fn campaigns_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let list = super::store::campaigns(&state.db, false).await?;
    let counts = super::store::activity_counts(&state.db).await?;
    let campaigns = list
        .into_iter()
        .map(|k| {
            let n = |s: &str| {
                counts
                    .iter()
                    .filter(|(id, st, _)| *id == k.id && st == s)
                    .map(|x| x.2)
                    .sum()
            };
            let (a, p) = (n("approved"), n("pending"));
            (k, a, p)
        })
        .collect();
    private_page(&CampaignsPage {
        c: &c.with_staff(staff),
        campaigns,
    })
}

#[derive(Template)]
#[template(path = "admin/campaign_edit.html")]
struct EditPage<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    d: CampaignDraft,
    errors: FieldErrors,
    saved: bool,
}

impl EditPage<'_> {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/admin/campaigns/{id}"),
            None => "/admin/campaigns/new".into(),
        }
    }
    fn day_label(&self, d: &str) -> String {
        super::routes::day_label(self.c.lang, d)
    }
}

async fn new_get(c: Ctx, Staff(staff, _): Staff<perm::EditContent>) -> Result<Response, AppError> {
    private_page(&EditPage {
        c: &c.with_staff(staff),
        id: None,
        d: CampaignDraft::default(),
        errors: crate::web::FieldErrors::new(),
        saved: false,
    })
}

async fn save(
    state: &AppState,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    id: Option<i64>,
    fields: Fields,
) -> Result<Response, AppError> {
    let mut d = CampaignDraft::from_pairs(&fields.pairs);
    let (image, upload_problem) = images::picture_field(state, &fields, "image").await?;
    d.image = image;
    let old = match id {
        Some(id) => Some(
            super::store::campaign_by_id(&state.db, id)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    // Publishing needs the publish permission; without it the current state stays.
    if !crate::auth::allows(staff.role, Permission::PublishContent) {
        d.published = old.as_ref().is_some_and(|k| k.published == 1);
    }
    // The evaluation is edited on its own screen.
    if let Some(k) = &old {
        d.evaluation = k.evaluation.clone();
        d.evaluation_published = k.evaluation_published == 1;
    }
    let mut errors = d.check();
    if let Some(m) = upload_problem {
        errors.push(("image_file", m));
    }
    if errors.iter().all(|(f, _)| *f != "slug")
        && super::store::slug_taken(&state.db, &d.slug, id).await?
    {
        errors.push(("slug", Msg::new("admin-campaign-error-slug-taken")));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(&EditPage {
            c: &c.with_staff(staff),
            id,
            d,
            errors,
            saved: false,
        }));
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = match super::store::save_campaign(&mut tx, id, &d).await {
        Ok(new_id) => new_id,
        // Another campaign took the address between the check above and this write.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            return Err(AppError::invalid(&EditPage {
                c: &c.with_staff(staff),
                id,
                d,
                errors: crate::web::FieldErrors::from(vec![(
                    "slug",
                    Msg::new("admin-campaign-error-slug-taken"),
                )]),
                saved: false,
            }));
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        Some(&staff),
        if id.is_some() {
            "campaign.update"
        } else {
            "campaign.create"
        },
        "campaign",
        new_id,
        &d.name,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    if let Some(k) = &old
        && k.image != d.image
    {
        images::delete_if_unused(state, &k.image).await?;
    }
    Ok(see_other(&format!("/admin/campaigns/{new_id}?saved=1")))
}

async fn new_post(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::EditContent>,
    fields: Fields,
) -> Result<Response, AppError> {
    save(&state, c, staff, None, fields).await
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn edit_get(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let k = super::store::campaign_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let days = super::store::days(&state.db, id).await?;
    private_page(&EditPage {
        c: &c.with_staff(staff),
        id: Some(id),
        d: CampaignDraft::from_campaign(&k, &days),
        errors: crate::web::FieldErrors::new(),
        saved: q.saved.is_some(),
    })
}

async fn edit_post(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::EditContent>,
    Path(id): Path<i64>,
    fields: Fields,
) -> Result<Response, AppError> {
    save(&state, c, staff, Some(id), fields).await
}

#[derive(Template)]
#[template(path = "admin/campaign_evaluation.html")]
struct EvaluationPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    s: Summary,
    organisers: i64,
    notice: &'static str,
}

impl EvaluationPage<'_> {
    fn nation(&self, n: &str) -> String {
        if n.is_empty() {
            self.c.t("admin-analytics-not-given")
        } else {
            self.c.t(&format!("nation-{n}"))
        }
    }
    fn sent(&self) -> String {
        crate::uktime::date_time(self.k.survey_sent_at)
    }
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    #[serde(default)]
    done: String,
}

async fn evaluation_get(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let k = super::store::campaign_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = super::survey::summary(&state.db, id).await?;
    let organisers = super::store::organiser_count(&state.db, id).await?;
    let notice = match q.done.as_str() {
        "invited" => "admin-campaign-invited",
        "saved" => "admin-saved",
        _ => "",
    };
    private_page(&EvaluationPage {
        c: &c.with_staff(staff),
        k,
        s,
        organisers,
        notice,
    })
}

/// `POST /admin/campaigns/{id}/survey`: invites every organiser to the evaluation survey,
/// once per campaign.
async fn survey_invite(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let k = super::store::campaign_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if k.survey_sent_at != 0 {
        return Ok(see_other(&format!("/admin/campaigns/{id}/evaluation")));
    }
    let mut tx = state.db.begin_write().await?;
    let site = c.site("name").to_string();
    let n = super::survey::invite(&mut tx, &state, &k, &site).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "campaign.survey",
        "campaign",
        id,
        &n.to_string(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!(
        "/admin/campaigns/{id}/evaluation?done=invited"
    )))
}

/// `POST /admin/campaigns/{id}/evaluation`: the evaluation summary (published with
/// the publish permission).
async fn evaluation_post(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    super::store::campaign_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let get = |name: &str| crate::web::field(&pairs, name);
    let text = crate::web::input::paragraphs(get("evaluation"), 20_000);
    let publish = get("evaluation_published") == "1"
        && crate::auth::allows(staff.role, Permission::PublishContent);
    let mut tx = state.db.begin_write().await?;
    super::store::save_evaluation(&mut tx, id, &text, publish).await?;
    crate::db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "campaign.evaluation",
        "campaign",
        id,
        if publish { "published" } else { "draft" },
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!(
        "/admin/campaigns/{id}/evaluation?done=saved"
    )))
}

// ----- moderation -----

#[derive(Template)]
#[template(path = "admin/activities.html")]
struct QueuePage<'a> {
    c: &'a Ctx,
    status: String,
    rows: Vec<Activity>,
    campaigns: Vec<Campaign>,
    flags: crate::safeguard::store::Flags,
}

impl QueuePage<'_> {
    fn campaign(&self, id: &i64) -> &str {
        self.campaigns
            .iter()
            .find(|k| k.id == *id)
            .map(|k| k.name.as_str())
            .unwrap_or("")
    }
    fn when(&self, t: &i64) -> String {
        crate::uktime::date_time(*t)
    }
}

#[derive(Deserialize, Default)]
struct StatusQuery {
    #[serde(default)]
    status: String,
}

async fn queue_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Query(q): Query<StatusQuery>,
) -> Result<Response, AppError> {
    let status = if super::STATUSES.contains(&q.status.as_str()) {
        q.status
    } else {
        "pending".to_string()
    };
    let mut rows = super::store::for_moderation(&state.db, &status).await?;
    let flags = crate::safeguard::store::flagged_items(&state.db, "activity").await?;
    flags.first(&mut rows, |a| a.id, |a| a.status == "pending");
    let campaigns = super::store::campaigns(&state.db, false).await?;
    private_page(&QueuePage {
        c: &c.with_staff(staff),
        status,
        rows,
        campaigns,
        flags,
    })
}

#[derive(Template)]
#[template(path = "admin/activity.html")]
struct ActivityPage<'a> {
    c: &'a Ctx,
    a: Activity,
    k: Option<Campaign>,
    sessions: Vec<Session>,
    area: String,
    note: String,
    errors: FieldErrors,
    saved: bool,
    /// Its safeguarding flag, if what the organiser wrote disclosed risk.
    flag: Option<crate::safeguard::store::Flag>,
}

impl ActivityPage<'_> {
    fn day_label(&self, d: &str) -> String {
        super::routes::day_label(self.c.lang, d)
    }
    fn when(&self, t: &i64) -> String {
        crate::uktime::date_time(*t)
    }
}

async fn activity_get(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let a = super::store::activity_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = q.saved.is_some();
    crate::safeguard::store::first_look(&state.db, "activity", id, &staff.email).await?;
    activity_page(
        &state,
        c,
        staff,
        a,
        String::new(),
        crate::web::FieldErrors::new(),
        saved,
    )
    .await
}

/// The moderation page of one activity (status 422 when there are errors).
async fn activity_page(
    state: &AppState,
    c: Ctx,
    staff: StaffUser,
    a: Activity,
    note: String,
    errors: FieldErrors,
    saved: bool,
) -> Result<Response, AppError> {
    let sessions = super::store::sessions_of(&state.db, a.id).await?;
    let k = super::store::campaign_by_id(&state.db, a.campaign_id).await?;
    let flag = crate::safeguard::store::for_item(&state.db, "activity", a.id).await?;
    let area = state
        .atlas()
        .area(&a.area_code)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let page = ActivityPage {
        c: &c.with_staff(staff),
        flag,
        note,
        a,
        k,
        sessions,
        area,
        errors,
        saved,
    };
    form_page(&page, &page.errors)
}

/// The email telling an organiser what the moderators decided.
fn decision_letter(
    state: &AppState,
    site: &str,
    a: &Activity,
    action: &str,
    note: &str,
    token: &str,
) -> crate::mail::Outgoing {
    let lang = a.lang();
    let mut paras = vec![lang.t1(&format!("activity-mail-{action}"), "title", &a.title)];
    if !note.is_empty() {
        paras.push(note.to_string());
    }
    let link = state
        .config
        .link(lang, &format!("/activities/manage/{token}"));
    Letter::new(
        "activity-decision",
        lang,
        &a.contact_email,
        site,
        lang.t(&format!("activity-mail-{action}-subject")),
    )
    .paras(paras)
    .button(lang.t("activity-mail-button"), link)
    .footer(vec![lang.t("roster-mail-not-you")])
    .outgoing()
}

#[derive(Deserialize)]
struct ModerationForm {
    action: super::Decision,
    #[serde(default)]
    note: String,
}

/// `POST /admin/activities/{id}`: a moderator's decision (the button pressed).
async fn activity_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Form(f): Form<ModerationForm>,
) -> Result<Response, AppError> {
    let a = super::store::activity_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let decision = f.action;
    let note = crate::web::input::paragraphs(&f.note, 2000)
        .trim()
        .to_string();
    // A cancelled activity is its organiser's decision: moderators cannot bring it back.
    if a.status == "cancelled" && decision != super::Decision::Unfeature {
        return Err(AppError::BadRequest(Msg::new(
            "admin-activity-error-cancelled",
        )));
    }
    if decision.needs_note() && note.is_empty() {
        let errors = vec![("note", Msg::new("admin-activity-error-note"))];
        return activity_page(&state, c, staff, a, note, errors.into(), false).await;
    }
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    super::store::moderate(&mut tx, &a, decision, &note).await?;
    // The organiser hears of each decision, with a fresh private link (only its hash is
    // kept, so the one they were sent cannot be sent again).
    if let Some(status) = decision.status()
        && !a.contact_email.is_empty()
        && a.status != status
    {
        let token = super::store::new_token(&mut tx, a.id).await?;
        let m = decision_letter(&state, &site, &a, decision.code(), &note, &token);
        crate::mail::enqueue(&mut tx, &sender, &m).await?;
    }
    audit::record(
        &mut tx,
        Some(&staff),
        &format!("activity.{}", decision.code()),
        "activity",
        a.id,
        &a.title,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/activities/{id}?saved=1")))
}
