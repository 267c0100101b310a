//! `/subscribe`: sign-up, confirmation (GET shows a button, POST confirms, so link scanners
//! cannot subscribe anyone), self-service preferences and one-click unsubscribe.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;

use super::list::{self, AUDIENCES, Prefs, Signup, Subscriber, TOPICS};
use super::{Letter, Outgoing, Sender};
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::i18n::Lang;
use crate::site::settings::NATIONS;
use crate::web::antispam::{SEND_AGAIN, Verdict};
use crate::web::error::AppError;
use crate::web::{FieldErrors, Form, Msg, private_page, private_page_status, see_other};

/// Where RFC 8058 one-click unsubscribe is posted. Mail providers post it from their own
/// sites, so the frame lets it past the cross-site rule: the unguessable token in the
/// path is its authority.
pub const ONE_CLICK_UNSUBSCRIBE: &str = "/subscribe/unsubscribe/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subscribe", get(form_get).post(form_post))
        .route("/subscribe/check", get(check_email))
        .route(
            "/subscribe/confirm/{token}",
            get(confirm_get).post(confirm_post),
        )
        .route(
            "/subscribe/manage/{token}",
            get(manage_get).post(manage_post),
        )
        .route(
            "/subscribe/unsubscribe/{token}",
            get(unsubscribe_get).post(unsubscribe_post),
        )
}

/// The sign-up form's fields as typed.
#[derive(Debug, Default, Clone)]
pub struct SignupForm {
    pub email: String,
    pub name: String,
    pub nation: String,
    pub audience: String,
    pub lang: String,
    pub topics: Vec<String>,
    pub consent: bool,
    /// A field people cannot see; bots fill it.
    pub website: String,
    /// When the form was shown (seconds, as sent); a submission faster than a person is
    /// a bot, one without it is sent back (see `web::antispam::verdict`).
    pub started: String,
    /// The footer's one-field form: show the full form, no errors yet.
    pub start: bool,
}

impl SignupForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> SignupForm {
        let mut f = SignupForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "email" => f.email = v.chars().take(300).collect(),
                // Line breaks and other control characters become spaces: a name is
                // only ever text, never a header line.
                "name" => {
                    f.name = v
                        .chars()
                        .take(200)
                        .map(|c| if c.is_control() { ' ' } else { c })
                        .collect()
                }
                "nation" => f.nation = v,
                "audience" => f.audience = v,
                "lang" => f.lang = v,
                "topic" => f.topics.push(v),
                "consent" => f.consent = true,
                "website" => f.website = v,
                "started" => f.started = v,
                "step" => f.start = v == "start",
                _ => {}
            }
        }
        f
    }

    fn prefs(&self, fallback: Lang) -> Prefs {
        Prefs {
            name: self.name.trim().to_string(),
            nation: if NATIONS.contains(&self.nation.as_str()) {
                self.nation.clone()
            } else {
                String::new()
            },
            audience: if AUDIENCES.contains(&self.audience.as_str()) {
                self.audience.clone()
            } else {
                String::new()
            },
            lang: Lang::from_code(&self.lang).unwrap_or(fallback),
            topics: self.topics.clone(),
        }
    }

    /// Field errors as (field id, message id).
    fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if let Err(m) = list::normalise_email(&self.email) {
            errors.add("email", Msg::new(m));
        }
        if self.name.chars().count() > 100 {
            errors.add("name", Msg::new("subscribe-error-name-long"));
        }
        if self.topics.iter().all(|t| !TOPICS.contains(&t.as_str())) {
            errors.add("topic-ebulletin", Msg::new("subscribe-error-topics"));
        }
        if !self.consent {
            errors.add("consent", Msg::new("subscribe-error-consent"));
        }
        errors
    }
}

#[derive(Template)]
#[template(path = "mail/subscribe.html")]
struct SubscribePage<'a> {
    c: &'a Ctx,
    f: SignupForm,
    errors: FieldErrors,
    /// A message above the form that belongs to no field (too many attempts, send again).
    notice: Option<&'static str>,
    now: i64,
}

impl SubscribePage<'_> {
    fn checked_topic(&self, t: &str) -> bool {
        self.f.topics.iter().any(|x| x == t)
    }
    fn lang_value(&self) -> &str {
        if self.f.lang.is_empty() {
            self.c.lang.code()
        } else {
            &self.f.lang
        }
    }
}

/// `GET /subscribe`
async fn form_get(c: Ctx) -> Result<Response, AppError> {
    private_page(&SubscribePage {
        c: &c,
        f: SignupForm {
            topics: TOPICS.iter().map(|t| t.to_string()).collect(),
            ..SignupForm::default()
        },
        errors: FieldErrors::new(),
        notice: None,
        now: crate::db::now(),
    })
}

/// Sign-ups allowed per client address per hour.
const SIGNUPS_PER_HOUR: i64 = 10;

/// `POST /subscribe`
async fn form_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = SignupForm::from_pairs(pairs);
    let now = crate::db::now();
    if f.start {
        // From the footer: the whole form, with the address typed there.
        let f = SignupForm {
            topics: TOPICS.iter().map(|t| t.to_string()).collect(),
            ..f
        };
        return private_page(&SubscribePage {
            c: &c,
            f,
            errors: FieldErrors::new(),
            notice: None,
            now,
        });
    }
    match crate::web::antispam::verdict(&f.website, &f.started, now) {
        Verdict::Person => {}
        // Bots: pretend all went well and do nothing.
        Verdict::Bot => return Ok(see_other("/subscribe/check")),
        Verdict::SendAgain => {
            return Err(AppError::invalid(&SubscribePage {
                c: &c,
                f,
                errors: FieldErrors::new(),
                notice: Some(SEND_AGAIN),
                now,
            }));
        }
    }
    let errors = f.validate();
    if !errors.is_empty() {
        return Err(AppError::invalid(&SubscribePage {
            c: &c,
            f,
            errors,
            notice: None,
            now,
        }));
    }
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    if crate::web::antispam::store::over_limit(&state.db, "subscribe", &ip, SIGNUPS_PER_HOUR)
        .await?
    {
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &SubscribePage {
                c: &c,
                f,
                errors: FieldErrors::new(),
                notice: Some("subscribe-throttled"),
                now,
            },
        );
    }
    let email = list::normalise_email(&f.email).map_err(|_| AppError::NotFound)?;
    let prefs = f.prefs(c.lang);
    let record_ip = state.config.record_consent_ip.then_some(ip.as_str());
    let sender = Sender::new(&state.config, c.site("name"));
    let mut tx = state.db.begin_write().await?;
    match list::store::signup(
        &mut tx,
        &email,
        &prefs,
        "subscribe-form",
        state.config.confirm_days,
        record_ip,
    )
    .await?
    {
        Signup::Confirm(s, token) => {
            let m = confirm_mail(&state, &c, &s, &token);
            super::enqueue(&mut tx, &sender, &m).await?;
        }
        Signup::AlreadySubscribed(s) => {
            let m = already_mail(&state, &c, &s);
            super::enqueue(&mut tx, &sender, &m).await?;
        }
        Signup::Quiet => {}
    }
    tx.commit().await?;
    Ok(see_other("/subscribe/check"))
}

/// A page with a heading, some text and optionally a one-button form.
#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticePage<'a> {
    c: &'a Ctx,
    title: String,
    paras: Vec<String>,
    /// (action URL, button label)
    button: Option<(String, String)>,
    link: Option<(String, String)>,
}

fn notice(
    c: &Ctx,
    status: StatusCode,
    title: &str,
    paras: &[&str],
    button: Option<(String, String)>,
    link: Option<(String, String)>,
) -> Result<Response, AppError> {
    private_page_status(
        status,
        &NoticePage {
            c,
            title: c.t(title),
            paras: paras.iter().map(|p| c.t(p)).collect(),
            button,
            link,
        },
    )
}

/// `GET /subscribe/check`: the same page whether the address was new, pending, subscribed
/// or refused as a bot.
async fn check_email(c: Ctx) -> Result<Response, AppError> {
    notice(
        &c,
        StatusCode::OK,
        "subscribe-check-title",
        &["subscribe-check-text", "subscribe-check-spam"],
        None,
        None,
    )
}

fn link_gone(c: &Ctx) -> Result<Response, AppError> {
    notice(
        c,
        StatusCode::GONE,
        "subscribe-link-gone-title",
        &["subscribe-link-gone-text"],
        None,
        Some(("/subscribe".into(), c.t("subscribe-again"))),
    )
}

/// `GET /subscribe/confirm/{token}`: only a button. Mail scanners that follow links change
/// nothing.
async fn confirm_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !list::store::token_valid(&state.db, &token).await? {
        return link_gone(&c);
    }
    notice(
        &c,
        StatusCode::OK,
        "subscribe-confirm-title",
        &["subscribe-confirm-text"],
        Some((
            format!("/subscribe/confirm/{token}"),
            c.t("subscribe-confirm-button"),
        )),
        None,
    )
}

/// `POST /subscribe/confirm/{token}`
async fn confirm_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let ip = crate::web::client_ip(&parts, state.config.trust_proxy);
    let record_ip = state.config.record_consent_ip.then_some(ip.as_str());
    let mut tx = state.db.begin_write().await?;
    let Some(s) = list::store::confirm(&mut tx, &token, record_ip).await? else {
        // Roll back now: a dropped transaction is only rolled back when its connection is
        // next used, and meanwhile holds its locks.
        tx.rollback().await?;
        return link_gone(&c);
    };
    if state.config.welcome_email {
        let sender = Sender::new(&state.config, c.site("name"));
        let m = welcome_mail(&state, &c, &s);
        super::enqueue(&mut tx, &sender, &m).await?;
    }
    tx.commit().await?;
    notice(
        &c,
        StatusCode::OK,
        "subscribe-confirmed-title",
        &["subscribe-confirmed-text"],
        None,
        Some((
            format!("/subscribe/manage/{}", s.manage_token),
            c.t("subscribe-manage-link"),
        )),
    )
}

#[derive(Template)]
#[template(path = "mail/manage.html")]
struct ManagePage<'a> {
    c: &'a Ctx,
    s: Subscriber,
    saved: bool,
    errors: FieldErrors,
}

async fn subscriber(state: &AppState, token: &str) -> Result<Subscriber, AppError> {
    list::store::by_manage_token(&state.db, token)
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /subscribe/manage/{token}`
async fn manage_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let s = subscriber(&state, &token).await?;
    private_page(&ManagePage {
        c: &c,
        s,
        saved: false,
        errors: FieldErrors::new(),
    })
}

/// `POST /subscribe/manage/{token}`: saves preferences.
async fn manage_post(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut s = subscriber(&state, &token).await?;
    let f = SignupForm::from_pairs(pairs);
    let mut errors = FieldErrors::new();
    if f.name.chars().count() > 100 {
        errors.add("name", Msg::new("subscribe-error-name-long"));
    }
    if f.topics.iter().all(|t| !TOPICS.contains(&t.as_str())) {
        errors.add("topic-ebulletin", Msg::new("subscribe-error-topics-manage"));
    }
    let prefs = f.prefs(s.lang());
    // Keep what was chosen on the page, saved or not.
    s.name = prefs.name.clone();
    s.nation = prefs.nation.clone();
    s.audience = prefs.audience.clone();
    s.lang = prefs.lang.code().to_string();
    s.topics = f.topics.join(",");
    if !errors.is_empty() {
        return Err(AppError::invalid(&ManagePage {
            c: &c,
            s,
            saved: false,
            errors,
        }));
    }
    let mut tx = state.db.begin_write().await?;
    list::store::update_prefs(&mut tx, &s, &prefs).await?;
    tx.commit().await?;
    private_page(&ManagePage {
        c: &c,
        s,
        saved: true,
        errors: FieldErrors::new(),
    })
}

/// `GET /subscribe/unsubscribe/{token}`: the visible link in every email; one button.
async fn unsubscribe_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let s = subscriber(&state, &token).await?;
    if s.status == "unsubscribed" {
        return unsubscribed_page(&c, &s);
    }
    notice(
        &c,
        StatusCode::OK,
        "subscribe-unsubscribe-title",
        &["subscribe-unsubscribe-text"],
        Some((
            format!("/subscribe/unsubscribe/{token}"),
            c.t("subscribe-unsubscribe-button"),
        )),
        Some((
            format!("/subscribe/manage/{token}"),
            c.t("subscribe-manage-instead"),
        )),
    )
}

/// `POST /subscribe/unsubscribe/{token}`: the button, and RFC 8058 one-click from mail
/// providers (body `List-Unsubscribe=One-Click`, no cookies, from another site).
async fn unsubscribe_post(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let s = subscriber(&state, &token).await?;
    let mut tx = state.db.begin_write().await?;
    list::store::unsubscribe(&mut tx, &s, "unsubscribe-link").await?;
    tx.commit().await?;
    unsubscribed_page(&c, &s)
}

fn unsubscribed_page(c: &Ctx, s: &Subscriber) -> Result<Response, AppError> {
    notice(
        c,
        StatusCode::OK,
        "subscribe-unsubscribed-title",
        &["subscribe-unsubscribed-text"],
        None,
        Some((
            format!("/subscribe/manage/{}", s.manage_token),
            c.t("subscribe-manage-link"),
        )),
    )
}

fn confirm_mail(state: &AppState, c: &Ctx, s: &Subscriber, token: &str) -> Outgoing {
    let lang = s.lang();
    let site = c.site("name");
    let url = state
        .config
        .link(lang, &format!("/subscribe/confirm/{token}"));
    Letter::new(
        "confirm",
        lang,
        &s.email,
        site,
        lang.t_args(
            "email-confirm-subject",
            &[("site", site.to_string().into())],
        ),
    )
    .heading(lang.t("email-confirm-heading"))
    .paras(vec![
        lang.t_args("email-confirm-text", &[("site", site.to_string().into())]),
        lang.t_args(
            "email-confirm-expiry",
            &[("days", state.config.confirm_days.into())],
        ),
    ])
    .button(lang.t("email-confirm-button"), url)
    .footer(vec![lang.t("email-confirm-not-you")])
    .outgoing()
}

fn manage_footer(state: &AppState, lang: Lang, s: &Subscriber) -> (Vec<String>, String) {
    let manage = state
        .config
        .link(lang, &format!("/subscribe/manage/{}", s.manage_token));
    let unsubscribe = state
        .config
        .link(lang, &format!("/subscribe/unsubscribe/{}", s.manage_token));
    (
        vec![
            lang.t_args("email-footer-manage", &[("url", manage.into())]),
            lang.t_args(
                "email-footer-unsubscribe",
                &[("url", unsubscribe.clone().into())],
            ),
        ],
        unsubscribe,
    )
}

fn welcome_mail(state: &AppState, c: &Ctx, s: &Subscriber) -> Outgoing {
    let lang = s.lang();
    let site = c.site("name");
    let (footer, unsubscribe) = manage_footer(state, lang, s);
    Letter::new(
        "welcome",
        lang,
        &s.email,
        site,
        lang.t_args(
            "email-welcome-subject",
            &[("site", site.to_string().into())],
        ),
    )
    .heading(lang.t("email-welcome-heading"))
    .paras(vec![
        lang.t_args("email-welcome-text", &[("site", site.to_string().into())]),
        lang.t("email-welcome-archive"),
    ])
    .button(
        lang.t("email-welcome-button"),
        state.config.link(lang, "/bulletin"),
    )
    .footer(footer)
    .unsubscribe(unsubscribe)
    .outgoing()
}

fn already_mail(state: &AppState, c: &Ctx, s: &Subscriber) -> Outgoing {
    let lang = s.lang();
    let site = c.site("name");
    let (footer, unsubscribe) = manage_footer(state, lang, s);
    Letter::new(
        "already-subscribed",
        lang,
        &s.email,
        site,
        lang.t_args(
            "email-already-subject",
            &[("site", site.to_string().into())],
        ),
    )
    .heading(lang.t("email-already-heading"))
    .paras(vec![lang.t("email-already-text")])
    .button(
        lang.t("email-already-button"),
        state
            .config
            .link(lang, &format!("/subscribe/manage/{}", s.manage_token)),
    )
    .footer(footer)
    .unsubscribe(unsubscribe)
    .outgoing()
}
