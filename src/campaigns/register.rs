//! Registering an activity (`/activities/new`) and the organiser's private link to change
//! or withdraw it (`/activities/manage/{token}`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;

use super::routes::{dates, today};
use super::{Activity, ActivityDraft, Campaign, Checked};
use crate::AppState;
use crate::app::Ctx;
use crate::i18n::Lang;
use crate::mail::{Letter, Sender};
use crate::web::{self, AppError, FieldErrors, Form, Query, private_page, private_page_status};

/// Registrations allowed per client per hour.
const PER_HOUR: i64 = 5;

#[derive(Template)]
#[template(path = "campaigns/register.html")]
struct RegisterPage<'a> {
    c: &'a Ctx,
    campaigns: Vec<Campaign>,
    d: ActivityDraft,
    errors: FieldErrors,
    /// A message above the form that belongs to no field (too many attempts, send again).
    notice: Option<&'static str>,
    now: i64,
    /// Set on the organiser's page: the token, the activity's status and note.
    manage: Option<(String, Activity)>,
    saved: bool,
}

impl RegisterPage<'_> {
    /// A cancelled or rejected activity can no longer be edited.
    fn closed(&self) -> bool {
        self.manage
            .as_ref()
            .is_some_and(|(_, a)| matches!(a.status.as_str(), "cancelled" | "rejected"))
    }
    fn action(&self) -> String {
        let path = match &self.manage {
            Some((t, _)) => format!("/activities/manage/{t}"),
            None => "/activities/new".into(),
        };
        self.c.local(&path)
    }
    fn dates(&self, k: &Campaign) -> String {
        dates(self.c.lang, k)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct RegisterQuery {
    #[serde(default)]
    campaign: String,
}

pub(super) async fn register_get(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    let campaigns = super::store::open_campaigns(&state.db, &today()).await?;
    let mut d = ActivityDraft {
        kind: "in_person".into(),
        ..ActivityDraft::default()
    };
    if campaigns.iter().any(|k| k.slug == q.campaign) {
        d.campaign = q.campaign;
    } else if campaigns.len() == 1 {
        d.campaign = campaigns[0].slug.clone();
    }
    private_page(&RegisterPage {
        c: &c,
        campaigns,
        d,
        errors: crate::web::FieldErrors::new(),
        notice: None,
        now: crate::db::now(),
        manage: None,
        saved: false,
    })
}

/// Checks a submission against the open campaigns.
fn check(
    state: &AppState,
    campaigns: &[Campaign],
    d: &ActivityDraft,
) -> Result<(i64, Checked), FieldErrors> {
    let k = campaigns.iter().find(|k| k.slug == d.campaign);
    let checked = d.check(k, crate::db::now(), &state.postcodes(), &state.atlas())?;
    Ok((k.map(|k| k.id).unwrap_or(0), checked))
}

/// The email to the organiser with their private link.
fn link_letter(
    state: &AppState,
    site: &str,
    lang: Lang,
    to: &str,
    title: &str,
    token: &str,
) -> crate::mail::Outgoing {
    Letter::new(
        "activity-link",
        lang,
        to,
        site,
        lang.t("activity-mail-subject"),
    )
    .paras(vec![
        lang.t1("activity-mail-text", "title", title),
        lang.t("activity-mail-keep"),
    ])
    .button(
        lang.t("activity-mail-button"),
        state
            .config
            .link(lang, &format!("/activities/manage/{token}")),
    )
    .footer(vec![lang.t("roster-mail-not-you")])
    .outgoing()
}

pub(super) async fn register_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let now = crate::db::now();
    let field = |name: &str| crate::web::field(&pairs, name);
    let campaigns = super::store::open_campaigns(&state.db, &today()).await?;
    let d = ActivityDraft::from_pairs(&pairs);
    // Before anything else answers: a risky text gets crisis help on every answer.
    let (c, risk) = c.screen(
        &[&d.title, &d.description, &d.organiser, &d.venue],
        Some(&d.nation),
    );
    let page = |d: ActivityDraft, errors: FieldErrors, notice| RegisterPage {
        c: &c,
        campaigns: campaigns.clone(),
        d,
        errors,
        notice,
        now,
        manage: None,
        saved: false,
    };
    match web::antispam::verdict(field("website"), field("started"), now) {
        web::antispam::Verdict::Person => {}
        web::antispam::Verdict::Bot => return private_page(&SentPage { c: &c }),
        web::antispam::Verdict::SendAgain => {
            let again = Some(web::antispam::SEND_AGAIN);
            return Err(AppError::invalid(&page(
                d,
                crate::web::FieldErrors::new(),
                again,
            )));
        }
    }
    let (campaign_id, checked) = match check(&state, &campaigns, &d) {
        Ok(v) => v,
        Err(errors) => return Err(AppError::invalid(&page(d, errors, None))),
    };
    let ip = web::client_ip(&parts, state.config.trust_proxy);
    let limit = web::antispam::store::allowance(PER_HOUR, risk.is_risky());
    if web::antispam::store::over_limit(&state.db, "activity", &ip, limit).await? {
        let throttled = Some("contact-throttled");
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &page(d, crate::web::FieldErrors::new(), throttled),
        );
    }
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    let (id, token) = super::store::insert(&mut tx, campaign_id, &checked, c.lang, false).await?;
    if risk.is_risky() {
        flag_activity(&state, &mut tx, &sender, &site, id, risk, c.lang).await?;
    }
    let m = link_letter(
        &state,
        &site,
        c.lang,
        &checked.email,
        &checked.d.title,
        &token,
    );
    crate::mail::enqueue(&mut tx, &sender, &m).await?;
    tx.commit().await?;
    private_page(&SentPage { c: &c })
}

/// Records a safeguarding flag on activity `id` and tells whoever answers them (only the
/// kind of risk and a link).
async fn flag_activity(
    state: &AppState,
    tx: &mut crate::db::Tx,
    sender: &Sender,
    site: &str,
    id: i64,
    risk: crate::safeguard::Finding,
    lang: crate::i18n::Lang,
) -> Result<(), AppError> {
    crate::safeguard::store::record(tx, "activity", id, risk, lang.code()).await?;
    for to in crate::stories::store::safeguarding_contacts(&state.db).await? {
        let m = crate::safeguard::alert(&state.config.public_url, site, &to, "activity", id, risk);
        crate::mail::enqueue(tx, sender, &m).await?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "campaigns/sent.html")]
struct SentPage<'a> {
    c: &'a Ctx,
}

pub(super) async fn manage_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(a) = super::store::activity_by_token(&state.db, &token).await? else {
        return Err(AppError::NotFound);
    };
    let sessions = super::store::sessions_of(&state.db, a.id).await?;
    let k = super::store::campaign_by_id(&state.db, a.campaign_id).await?;
    let slug = k.as_ref().map(|k| k.slug.clone()).unwrap_or_default();
    let mut campaigns = super::store::open_campaigns(&state.db, &today()).await?;
    if let Some(k) = k
        && !campaigns.iter().any(|o| o.id == k.id)
    {
        campaigns.push(k);
    }
    private_page(&RegisterPage {
        c: &c,
        campaigns,
        d: ActivityDraft::from_activity(&a, &sessions, &slug),
        errors: crate::web::FieldErrors::new(),
        notice: None,
        now: crate::db::now(),
        manage: Some((token, a)),
        saved: false,
    })
}

/// `POST /activities/manage/{token}/cancel`: the organiser calls the activity off (it
/// leaves the public lists and feeds, and moderators cannot bring it back).
pub(super) async fn manage_cancel(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(a) = super::store::activity_by_token(&state.db, &token).await? else {
        return Err(AppError::NotFound);
    };
    if a.status != "cancelled" {
        let mut tx = state.db.begin_write().await?;
        super::store::cancel(&mut tx, &a).await?;
        tx.commit().await?;
        state.refresh().await?;
    }
    Ok(web::see_other(&format!("/activities/manage/{token}")))
}

/// `POST /activities/manage/{token}`: the organiser's changes, checked as a new
/// registration is.
pub(super) async fn manage_post(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    // Before anything else answers: a risky text gets crisis help on every answer.
    let texts = ["title", "description", "organiser", "venue"].map(|k| web::field(&pairs, k));
    let (c, risk) = c.screen(&texts, Some(web::field(&pairs, "nation")));
    let Some(a) = super::store::activity_by_token(&state.db, &token).await? else {
        return Err(AppError::NotFound);
    };
    let campaigns = super::store::open_campaigns(&state.db, &today()).await?;
    if matches!(a.status.as_str(), "cancelled" | "rejected") {
        return Ok(web::see_other(&format!("/activities/manage/{token}")));
    }
    let d = ActivityDraft::from_pairs(&pairs);
    let render = |d: ActivityDraft, a: Activity, errors: FieldErrors, saved: bool| RegisterPage {
        c: &c,
        campaigns: campaigns.clone(),
        d,
        errors,
        notice: None,
        now: crate::db::now(),
        manage: Some((token.clone(), a)),
        saved,
    };
    let (campaign_id, checked) = match check(&state, &campaigns, &d) {
        Ok(v) => v,
        Err(errors) => return Err(AppError::invalid(&render(d, a, errors, false))),
    };
    let mut tx = state.db.begin_write().await?;
    super::store::update(&mut tx, &a, campaign_id, &checked).await?;
    if risk.is_risky() {
        let site = c.site("name").to_string();
        let sender = Sender::new(&state.config, &site);
        flag_activity(&state, &mut tx, &sender, &site, a.id, risk, c.lang).await?;
    }
    tx.commit().await?;
    state.refresh().await?;
    let a = super::store::activity_by_id(&state.db, a.id)
        .await?
        .ok_or(AppError::NotFound)?;
    private_page(&render(d, a, crate::web::FieldErrors::new(), true))
}
