//! `/members` (directory and profiles), `/members/apply`, and the review at
//! `/admin/members`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Application, KINDS, Member, STATUSES};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::auth::{Staff, perm};
use crate::i18n::Lang;
use crate::mail::{Letter, Sender};
use crate::site::settings::NATIONS;
use crate::web::antispam::{SEND_AGAIN, Verdict};
use crate::web::error::AppError;
use crate::web::{FieldErrors, Form, Msg, Query, private_page, private_page_status, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/members", get(directory_page))
        .route("/members/apply", get(apply_get).post(apply_post))
        .route("/members/apply/sent", get(sent_page))
        .route("/members/{slug}", get(profile_page))
        .route("/admin/members", get(list_page))
        .route("/admin/members/{id}", get(review_page).post(save_profile))
        .route("/admin/members/{id}/decision", post(decide))
        .route(
            "/admin/members/{id}/logo",
            axum::routing::post(logo_post).layer(axum::extract::DefaultBodyLimit::max(
                crate::uploads::MAX_BYTES + 64 * 1024,
            )),
        )
}

/// `POST /admin/members/{id}/logo` (multipart `logo`, or `remove`): a checked, cleaned
/// picture becomes the member's logo.
async fn logo_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Path(id): Path<i64>,
    form: crate::web::Fields,
) -> Result<Response, AppError> {
    let m = super::store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let flag = crate::safeguard::store::for_item(&state.db, "member", id).await?;
    let file = form.file("logo");
    let remove = form.pairs.iter().any(|(k, _)| k == "remove");
    let name = match (file, remove) {
        (_, true) => String::new(),
        (Some(bytes), false) => match crate::uploads::accept(&state, bytes).await? {
            Ok(name) => name,
            Err(msg) => {
                return Err(AppError::invalid(&ReviewPage {
                    c: &c.with_staff(staff),
                    m,
                    errors: crate::web::FieldErrors::from(vec![("logo", msg)]),
                    reason: String::new(),
                    saved: false,
                    flag: flag.clone(),
                }));
            }
        },
        (None, false) => {
            return Err(AppError::invalid(&ReviewPage {
                c: &c.with_staff(staff),
                m,
                errors: crate::web::FieldErrors::from(vec![("logo", Msg::new("image-error-none"))]),
                reason: String::new(),
                saved: false,
                flag: flag.clone(),
            }));
        }
    };
    let mut tx = state.db.begin_write().await?;
    super::store::set_logo(&mut tx, id, &name).await?;
    crate::audit::record(&mut tx, Some(&staff), "member_logo", "member", id, &m.name).await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/members/{id}?saved=1")))
}

/// Applications allowed per client address per hour.
const PER_HOUR: i64 = 5;

#[derive(Template)]
#[template(path = "members/directory.html")]
struct DirectoryPage<'a> {
    c: &'a Ctx,
    members: Vec<Member>,
    nation: String,
    kind: String,
}

impl DirectoryPage<'_> {
    fn kind_label(&self, m: &Member) -> String {
        self.c.t(&format!("member-kind-{}", m.kind))
    }
    fn nation_label(&self, m: &Member) -> String {
        self.c.t(&format!("nation-{}", m.nation))
    }
}

#[derive(Deserialize, Default)]
struct DirectoryQuery {
    nation: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn directory_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<DirectoryQuery>,
) -> Result<Response, AppError> {
    let nation = q
        .nation
        .filter(|n| NATIONS.contains(&n.as_str()))
        .unwrap_or_default();
    let kind = q
        .kind
        .filter(|k| KINDS.contains(&k.as_str()))
        .unwrap_or_default();
    // Cached per filter (the key is the path with its query); every change to a member's
    // public details bumps the content version.
    let (st, cc) = (state.clone(), c.clone());
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        crate::web::PUBLIC_REVALIDATE,
        || async move {
            let members = super::store::directory(&st.db, &nation, &kind).await?;
            Ok(DirectoryPage {
                c: &cc,
                members,
                nation,
                kind,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "members/profile.html")]
struct ProfilePage<'a> {
    c: &'a Ctx,
    m: Member,
}

impl ProfilePage<'_> {
    fn kind_label(&self) -> String {
        self.c.t(&format!("member-kind-{}", self.m.kind))
    }
    fn nation_label(&self) -> String {
        self.c.t(&format!("nation-{}", self.m.nation))
    }
}

async fn profile_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (st, cc) = (state.clone(), c.clone());
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        crate::web::PUBLIC_REVALIDATE,
        || async move {
            let m = super::store::by_slug(&st.db, &slug)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(ProfilePage { c: &cc, m }.render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "members/apply.html")]
struct ApplyPage<'a> {
    c: &'a Ctx,
    a: Application,
    errors: FieldErrors,
    /// A message above the form that belongs to no field (too many attempts, send again).
    notice: Option<&'static str>,
    now: i64,
}

async fn apply_get(c: Ctx) -> Result<Response, AppError> {
    private_page(&ApplyPage {
        c: &c,
        a: Application::default(),
        errors: crate::web::FieldErrors::new(),
        notice: None,
        now: crate::db::now(),
    })
}

/// A plain email about an application, in the applicant's language.
fn letter(
    site: &str,
    lang: Lang,
    to: &str,
    key: &str,
    name: &str,
    extra: Vec<String>,
) -> crate::mail::Outgoing {
    let mut paras = vec![lang.t_args(
        &format!("member-mail-{key}-text"),
        &[("name", name.to_string().into())],
    )];
    paras.extend(extra);
    Letter::new(
        "membership",
        lang,
        to,
        site,
        lang.t_args(
            &format!("member-mail-{key}-subject"),
            &[("name", name.to_string().into())],
        ),
    )
    .paras(paras)
    .outgoing()
}

async fn apply_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| crate::web::field(&pairs, name);
    let now = crate::db::now();
    let a = Application::from_pairs(&pairs);
    // Before anything else answers: a risky text gets crisis help on every answer.
    let (c, risk) = c.screen(&[&a.reason, &a.profile, &a.name], Some(&a.nation));
    let page = |a: Application, errors: FieldErrors, notice| ApplyPage {
        c: &c,
        a,
        errors,
        notice,
        now,
    };
    match crate::web::antispam::verdict(get("website_url"), get("started"), now) {
        Verdict::Person => {}
        Verdict::Bot if risk.is_risky() => return crate::site::routes::crisis_page(&c),
        Verdict::Bot => return Ok(see_other("/members/apply/sent")),
        Verdict::SendAgain => {
            return Err(AppError::invalid(&page(
                a,
                crate::web::FieldErrors::new(),
                Some(SEND_AGAIN),
            )));
        }
    }
    let (email, website) = match a.check() {
        Ok(ok) => ok,
        Err(errors) => return Err(AppError::invalid(&page(a, errors, None))),
    };
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    let limit = crate::web::antispam::store::allowance(PER_HOUR, risk.is_risky());
    if crate::web::antispam::store::over_limit(&state.db, "member", &ip, limit).await? {
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &page(a, crate::web::FieldErrors::new(), Some("contact-throttled")),
        );
    }
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    let id = super::store::create(&mut tx, &a, &email, &website, c.lang).await?;
    let ack = letter(&site, c.lang, &email, "received", &a.name, Vec::new());
    crate::mail::enqueue(&mut tx, &sender, &ack).await?;
    let team = c.site("contact_membership").to_string();
    if risk.is_risky() {
        crate::safeguard::store::record(&mut tx, "member", id, risk, c.lang.code()).await?;
        let to = if crate::site::settings::looks_like_email(&team) {
            vec![team.clone()]
        } else {
            crate::stories::store::safeguarding_contacts(&state.db).await?
        };
        for to in &to {
            let public_url = &state.config.public_url;
            let m = crate::safeguard::alert(public_url, &site, to, "member", id, risk);
            crate::mail::enqueue(&mut tx, &sender, &m).await?;
        }
    } else if crate::site::settings::looks_like_email(&team) {
        let lang = Lang::En;
        let alert = Letter::new(
            "membership-alert",
            lang,
            &team,
            &site,
            lang.t("member-alert-subject"),
        )
        .paras(vec![lang.t("member-alert-text")])
        .button(
            lang.t("member-alert-button"),
            format!("{}/admin/members/{id}", state.config.public_url),
        )
        .outgoing();
        crate::mail::enqueue(&mut tx, &sender, &alert).await?;
    }
    tx.commit().await?;
    if risk.is_risky() {
        return private_page(&SentPage { c: &c });
    }
    Ok(see_other("/members/apply/sent"))
}

#[derive(Template)]
#[template(path = "members/sent.html")]
struct SentPage<'a> {
    c: &'a Ctx,
}

async fn sent_page(c: Ctx) -> Result<Response, AppError> {
    private_page(&SentPage { c: &c })
}

#[derive(Template)]
#[template(path = "admin/members.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    members: Vec<Member>,
    status: String,
    flags: crate::safeguard::store::Flags,
}

impl ListPage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
}

#[derive(Deserialize, Default)]
struct StatusQuery {
    status: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Query(q): Query<StatusQuery>,
) -> Result<Response, AppError> {
    let status = q
        .status
        .filter(|s| STATUSES.contains(&s.as_str()))
        .unwrap_or_default();
    let mut members = super::store::list(&state.db, &status).await?;
    let flags = crate::safeguard::store::flagged_items(&state.db, "member").await?;
    flags.first(&mut members, |m| m.id, |m| m.is_open());
    private_page(&ListPage {
        c: &c.with_staff(staff),
        members,
        status,
        flags,
    })
}

#[derive(Template)]
#[template(path = "admin/member.html")]
struct ReviewPage<'a> {
    c: &'a Ctx,
    m: Member,
    errors: FieldErrors,
    reason: String,
    saved: bool,
    /// Its safeguarding flag, if what the applicant wrote disclosed risk.
    flag: Option<crate::safeguard::store::Flag>,
}

impl ReviewPage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    fn status_label(&self) -> String {
        self.c.t(&format!("admin-member-status-{}", self.m.status))
    }
}

async fn review_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Path(id): Path<i64>,
    Query(q): Query<SavedQueryOpt>,
) -> Result<Response, AppError> {
    let m = super::store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let flag = crate::safeguard::store::for_item(&state.db, "member", id).await?;
    if flag.is_some() {
        crate::safeguard::store::first_look(&state.db, "member", id, &staff.email).await?;
    }
    private_page(&ReviewPage {
        c: &c.with_staff(staff),
        m,
        errors: crate::web::FieldErrors::new(),
        reason: String::new(),
        saved: q.saved.is_some(),
        flag,
    })
}

#[derive(Deserialize, Default)]
struct SavedQueryOpt {
    saved: Option<String>,
}

/// The review page again with its problems, for both of the posts below.
async fn review_again(
    state: &AppState,
    c: &Ctx,
    m: Member,
    errors: FieldErrors,
    reason: String,
) -> Result<Response, AppError> {
    let flag = crate::safeguard::store::for_item(&state.db, "member", m.id).await?;
    Err(AppError::invalid(&ReviewPage {
        c,
        m,
        errors,
        reason,
        saved: false,
        flag,
    }))
}

/// `POST /admin/members/{id}`: corrections to the public profile.
async fn save_profile(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let m = super::store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let get = |name: &str| crate::web::field(&pairs, name).to_string();
    let c = c.with_staff(staff.clone());
    let a = Application {
        name: crate::web::input::one_line(&get("name"), 300),
        kind: get("kind"),
        nation: get("nation"),
        website: get("website"),
        profile: crate::web::input::paragraphs(&get("profile"), 2000),
        contact_name: m.contact_name.clone(),
        contact_email: m.contact_email.clone(),
        contact_phone: m.contact_phone.clone(),
        reason: m.reason.clone(),
        principles: true,
    };
    let website = match a.check() {
        Ok((_, website)) => website,
        Err(errors) => {
            let shown = Member {
                name: a.name,
                kind: a.kind,
                nation: a.nation,
                website: a.website,
                profile: a.profile,
                ..m
            };
            return review_again(&state, &c, shown, errors, String::new()).await;
        }
    };
    let mut tx = state.db.begin_write().await?;
    super::store::save_profile(
        &mut tx, id, &a.name, &a.kind, &a.nation, &website, &a.profile,
    )
    .await?;
    if m.status == "approved" {
        crate::db::bump_content_version(&mut tx).await?;
    }
    crate::audit::record(&mut tx, Some(&staff), "member_edit", "member", id, &a.name).await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/members/{id}?saved=1")))
}

/// A step in an application's life, as its button names it.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Step {
    Review,
    Approve,
    Decline,
    Remove,
}

impl Step {
    /// The status the step leads to.
    fn status(self) -> &'static str {
        match self {
            Step::Review => "under_review",
            Step::Approve => "approved",
            Step::Decline => "declined",
            Step::Remove => "left",
        }
    }
}

#[derive(Deserialize)]
struct DecisionForm {
    step: Step,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/members/{id}/decision`: review, approve, decline (with a reason) or
/// remove (a member that has left); the applicant is told of each but the last.
async fn decide(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let m = super::store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = c.with_staff(staff.clone());
    let reason = crate::web::input::paragraphs(&f.reason, 2000);
    if f.step == Step::Decline && reason.is_empty() {
        let errors = FieldErrors::from(vec![("reason", Msg::new("admin-member-reason-needed"))]);
        return review_again(&state, &c, m, errors, reason).await;
    }
    let to = f.step.status();
    let mut tx = state.db.begin_write().await?;
    if !super::store::decide(&mut tx, &m, to, &reason, &staff).await? {
        tx.rollback().await?;
        return Err(AppError::BadRequest(Msg::new("admin-member-bad-step")));
    }
    crate::audit::record(
        &mut tx,
        Some(&staff),
        &format!("member_{to}"),
        "member",
        id,
        &m.name,
    )
    .await?;
    if f.step != Step::Remove {
        let site = c.site("name").to_string();
        let sender = Sender::new(&state.config, &site);
        let (key, extra) = match f.step {
            Step::Approve => {
                let fresh = super::store::get_in(&mut tx, id).await?;
                let link = format!(
                    "{}/members/{}",
                    state.config.public_url,
                    fresh.and_then(|f| f.slug).unwrap_or_default()
                );
                ("approved", vec![link])
            }
            Step::Decline => ("declined", vec![reason.clone()]),
            _ => ("review", Vec::new()),
        };
        let mail = letter(&site, m.lang(), &m.contact_email, key, &m.name, extra);
        crate::mail::enqueue(&mut tx, &sender, &mail).await?;
    }
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/members/{id}?saved=1")))
}
