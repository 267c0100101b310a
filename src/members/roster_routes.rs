//! `/supporters` (and `/supporters/join`), `/champions`, the private link each person
//! uses to choose what is shown or to leave (`/roster/manage/{token}`), and the staff list
//! at `/admin/roster` (adding Champions, hiding an entry).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::roster::{self, Draft, Entry};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::auth::{Staff, perm};
use crate::i18n::Lang;
use crate::mail::{Letter, Sender};
use crate::web::antispam::{SEND_AGAIN, Verdict};
use crate::web::error::AppError;
use crate::web::{FieldErrors, Form, Msg, Query, private_page, private_page_status, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supporters", get(supporters_page))
        .route("/supporters/join", get(join_get).post(join_post))
        .route("/champions", get(champions_page))
        .route(
            "/roster/manage/{token}",
            get(manage_get)
                .post(manage_post)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::uploads::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/roster/manage/{token}/leave", post(leave_post))
        .route("/admin/roster", get(admin_page).post(add_champion))
        .route("/admin/roster/{id}/hide", post(hide))
        .route("/admin/roster/{id}/show", post(show))
}

const PER_HOUR: i64 = 5;

#[derive(Template)]
#[template(path = "members/roster.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    list: &'static str,
    entries: Vec<Entry>,
}

impl ListPage<'_> {
    fn title(&self) -> String {
        self.c.t(&format!("roster-title-{}", self.list))
    }
    fn intro(&self) -> String {
        self.c.t(&format!("roster-intro-{}", self.list))
    }
    fn count_text(&self) -> String {
        self.c.t1(
            &format!("roster-count-{}", self.list),
            "n",
            self.entries.len(),
        )
    }
    fn nation(&self, e: &Entry) -> String {
        self.c.t(&format!("nation-{}", e.nation))
    }
    /// Supporters who chose not to show their name are counted, not listed.
    fn unnamed(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.shown_name().is_empty())
            .count()
    }
}

async fn supporters_page(State(state): State<AppState>, c: Ctx) -> Result<Response, AppError> {
    let entries = roster::store::listed(&state.db, "supporter").await?;
    private_page(&ListPage {
        c: &c,
        list: "supporter",
        entries,
    })
}

async fn champions_page(State(state): State<AppState>, c: Ctx) -> Result<Response, AppError> {
    let entries = roster::store::listed(&state.db, "champion").await?;
    private_page(&ListPage {
        c: &c,
        list: "champion",
        entries,
    })
}

#[derive(Template)]
#[template(path = "members/join.html")]
struct JoinPage<'a> {
    c: &'a Ctx,
    d: Draft,
    errors: FieldErrors,
    /// A message above the form that belongs to no field (too many attempts, send again).
    notice: Option<&'static str>,
    sent: bool,
    now: i64,
}

async fn join_get(c: Ctx) -> Result<Response, AppError> {
    private_page(&JoinPage {
        c: &c,
        d: Draft {
            kind: "individual".into(),
            show_name: "first".into(),
            ..Draft::default()
        },
        errors: crate::web::FieldErrors::new(),
        notice: None,
        sent: false,
        now: crate::db::now(),
    })
}

/// The email with the private link.
fn link_letter(
    state: &AppState,
    site: &str,
    lang: Lang,
    to: &str,
    list: &str,
    token: &str,
) -> crate::mail::Outgoing {
    Letter::new(
        "roster-link",
        lang,
        to,
        site,
        lang.t(&format!("roster-mail-subject-{list}")),
    )
    .paras(vec![lang.t(&format!("roster-mail-text-{list}"))])
    .button(
        lang.t("roster-mail-button"),
        state.config.link(lang, &format!("/roster/manage/{token}")),
    )
    .footer(vec![lang.t("roster-mail-not-you")])
    .outgoing()
}

async fn join_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |name: &str| crate::web::field(&pairs, name);
    let now = crate::db::now();
    let d = Draft::from_pairs(&pairs);
    // Names and towns are short, but a person in crisis writes wherever they can.
    let (c, _) = c.screen(&[&d.name, &d.town], Some(&d.nation));
    let page = |d: Draft, errors: FieldErrors, notice, sent: bool| JoinPage {
        c: &c,
        d,
        errors,
        notice,
        sent,
        now,
    };
    match crate::web::antispam::verdict(get("website"), get("started"), now) {
        Verdict::Person => {}
        Verdict::Bot => {
            return private_page(&page(
                Draft::default(),
                crate::web::FieldErrors::new(),
                None,
                true,
            ));
        }
        Verdict::SendAgain => {
            let page = page(d, crate::web::FieldErrors::new(), Some(SEND_AGAIN), false);
            return Err(AppError::invalid(&page));
        }
    }
    let email = match d.check() {
        Ok(e) => e,
        Err(errors) => return Err(AppError::invalid(&page(d, errors, None, false))),
    };
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    if crate::web::antispam::store::over_limit(&state.db, "supporter", &ip, PER_HOUR).await? {
        let throttled = Some("contact-throttled");
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &page(d, crate::web::FieldErrors::new(), throttled, false),
        );
    }
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    let token = roster::store::add(&mut tx, "supporter", &d, &email, c.lang).await?;
    let m = link_letter(&state, &site, c.lang, &email, "supporter", &token);
    crate::mail::enqueue(&mut tx, &sender, &m).await?;
    tx.commit().await?;
    // The same answer whether or not the address was already on the list.
    private_page(&page(
        Draft::default(),
        crate::web::FieldErrors::new(),
        None,
        true,
    ))
}

#[derive(Template)]
#[template(path = "members/manage.html")]
struct ManagePage<'a> {
    c: &'a Ctx,
    e: Option<Entry>,
    token: String,
    errors: FieldErrors,
    saved: bool,
    left: bool,
}

impl ManagePage<'_> {
    fn is_champion(&self) -> bool {
        self.e.as_ref().is_some_and(|e| e.list == "champion")
    }
    fn shows(&self, v: &str) -> bool {
        self.e.as_ref().is_some_and(|e| e.show_name == v)
    }
}

async fn manage_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let e = roster::store::by_token(&state.db, &token).await?;
    let status = if e.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    private_page_status(
        status,
        &ManagePage {
            c: &c,
            e,
            token,
            errors: crate::web::FieldErrors::new(),
            saved: false,
            left: false,
        },
    )
}

/// The page a private link leads to once it no longer finds an entry.
fn link_gone(c: &Ctx) -> Result<Response, AppError> {
    private_page_status(
        StatusCode::NOT_FOUND,
        &ManagePage {
            c,
            e: None,
            token: String::new(),
            errors: crate::web::FieldErrors::new(),
            saved: false,
            left: false,
        },
    )
}

/// `POST /roster/manage/{token}/leave`: deletes the entry (and its photo) for good.
async fn leave_post(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let Some(e) = roster::store::by_token(&state.db, &token).await? else {
        return link_gone(&c);
    };
    let mut tx = state.db.begin_write().await?;
    roster::store::leave(&mut tx, e.id).await?;
    tx.commit().await?;
    crate::uploads::delete_if_unused(&state, &e.photo).await?;
    state.refresh().await?;
    private_page(&ManagePage {
        c: &c,
        e: None,
        token: String::new(),
        errors: crate::web::FieldErrors::new(),
        saved: false,
        left: true,
    })
}

/// Saves the person's choices (which lists them, what they show).
async fn manage_post(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
    fields: crate::web::Fields,
) -> Result<Response, AppError> {
    let pairs = &fields.pairs;
    // Before anything else answers: a risky line gets crisis help on every answer.
    let (c, risk) = c.screen(
        &[
            crate::web::field(pairs, "line"),
            crate::web::field(pairs, "town"),
        ],
        None,
    );
    let Some(e) = roster::store::by_token(&state.db, &token).await? else {
        return link_gone(&c);
    };
    let get = |name: &str| crate::web::field(pairs, name).to_string();
    let mut tx = state.db.begin_write().await?;
    let show_name = get("show_name");
    let town = crate::web::input::one_line(&get("town"), 200);
    let line = crate::web::input::one_line(&get("line"), 400);
    let mut errors: FieldErrors = crate::web::FieldErrors::new();
    if !roster::SHOW_NAME.contains(&show_name.as_str()) {
        errors.push(("show_name-full", Msg::new("roster-error-show-name")));
    }
    if town.chars().count() > 80 {
        errors.push(("town", Msg::new("story-error-too-long-80")));
    }
    if line.chars().count() > 200 {
        errors.push(("line", Msg::new("roster-error-line")));
    }
    // A Champion's photo: checked, cleaned and stored, or removed.
    let mut photo = e.photo.clone();
    if e.list == "champion" {
        if !get("remove_photo").is_empty() {
            photo.clear();
        }
        if let Some(bytes) = fields.file("photo_file") {
            match crate::uploads::accept(&state, bytes).await? {
                Ok(name) => photo = name,
                Err(msg) => errors.push(("photo_file", msg)),
            }
        }
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        let shown = Entry { town, line, ..e };
        return Err(AppError::invalid(&ManagePage {
            c: &c,
            e: Some(shown),
            token,
            errors,
            saved: false,
            left: false,
        }));
    }
    let line = if e.list == "champion" {
        line
    } else {
        String::new()
    };
    roster::store::save_choices(
        &mut tx,
        &e,
        &show_name,
        !get("show_nation").is_empty(),
        &town,
        &line,
        &photo,
    )
    .await?;
    if risk.is_risky() {
        // Not listed until someone has read it; staff are told.
        roster::store::set_hidden(&mut tx, e.id, true).await?;
        crate::safeguard::store::record(&mut tx, "supporter", e.id, risk, c.lang.code()).await?;
        let site = c.site("name").to_string();
        let sender = Sender::new(&state.config, &site);
        for to in crate::stories::store::safeguarding_contacts(&state.db).await? {
            let m = crate::safeguard::alert(
                &state.config.public_url,
                &site,
                &to,
                "supporter",
                e.id,
                risk,
            );
            crate::mail::enqueue(&mut tx, &sender, &m).await?;
        }
    }
    tx.commit().await?;
    if photo != e.photo {
        crate::uploads::delete_if_unused(&state, &e.photo).await?;
    }
    state.refresh().await?;
    let e = roster::store::by_token(&state.db, &token).await?;
    private_page(&ManagePage {
        c: &c,
        e,
        token,
        errors: crate::web::FieldErrors::new(),
        saved: true,
        left: false,
    })
}

#[derive(Template)]
#[template(path = "admin/roster.html")]
struct AdminPage<'a> {
    c: &'a Ctx,
    list: String,
    entries: Vec<Entry>,
    d: Draft,
    errors: FieldErrors,
    added: bool,
    flags: crate::safeguard::store::Flags,
}

impl AdminPage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    fn status_label(&self, e: &Entry) -> String {
        self.c.t(&format!("admin-roster-status-{}", e.status))
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    list: Option<String>,
    added: Option<String>,
}

fn list_of(v: Option<&str>) -> String {
    v.filter(|l| roster::LISTS.contains(l))
        .unwrap_or("champion")
        .to_string()
}

async fn admin_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let list = list_of(q.list.as_deref());
    let mut entries = roster::store::all(&state.db, &list).await?;
    let flags = crate::safeguard::store::flagged_items(&state.db, "supporter").await?;
    flags.first(&mut entries, |e| e.id, |e| e.status == "hidden");
    private_page(&AdminPage {
        c: &c.with_staff(staff),
        list,
        entries,
        d: Draft::default(),
        errors: crate::web::FieldErrors::new(),
        added: q.added.is_some(),
        flags,
    })
}

/// `POST /admin/roster`: adds a Champion, who is emailed their private link.
async fn add_champion(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let mut d = Draft::from_pairs(&pairs);
    d.kind = "individual".into();
    let email = match d.check() {
        Ok(e) => e,
        Err(errors) => {
            let mut entries = roster::store::all(&state.db, "champion").await?;
            let flags = crate::safeguard::store::flagged_items(&state.db, "supporter").await?;
            flags.first(&mut entries, |e| e.id, |e| e.status == "hidden");
            return Err(AppError::invalid(&AdminPage {
                c: &c,
                list: "champion".into(),
                entries,
                d,
                errors,
                added: false,
                flags,
            }));
        }
    };
    let site = c.site("name").to_string();
    let sender = Sender::new(&state.config, &site);
    let mut tx = state.db.begin_write().await?;
    let token = roster::store::add(&mut tx, "champion", &d, &email, Lang::En).await?;
    let m = link_letter(&state, &site, Lang::En, &email, "champion", &token);
    crate::mail::enqueue(&mut tx, &sender, &m).await?;
    crate::audit::record(&mut tx, Some(&staff), "champion_add", "roster", "", &d.name).await?;
    tx.commit().await?;
    Ok(see_other("/admin/roster?list=champion&added=1"))
}

/// `POST /admin/roster/{id}/hide`: takes an entry off the public lists.
async fn hide(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_hidden(&state, &staff, id, true).await
}

/// `POST /admin/roster/{id}/show`: lists a hidden entry again.
async fn show(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::ManageMembers>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_hidden(&state, &staff, id, false).await
}

async fn set_hidden(
    state: &AppState,
    staff: &crate::auth::StaffUser,
    id: i64,
    hidden: bool,
) -> Result<Response, AppError> {
    let e = roster::store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    roster::store::set_hidden(&mut tx, id, hidden).await?;
    let what = if hidden { "roster_hide" } else { "roster_show" };
    crate::audit::record(&mut tx, Some(staff), what, "roster", id, &e.name).await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/roster?list={}", e.list)))
}
