//! The evaluation after a campaign: organisers (invited by email) and participants answer
//! a short survey (who they are, the nation, how many people took part, what worked, a
//! quote they allow us to use); staff see the totals per nation and publish a summary.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::Campaign;
use crate::AppState;
use crate::app::Ctx;
use crate::db::{self, Db, Tx};
use crate::web::{
    self, AppError, FieldErrors, Form, Msg, Query, private_page, private_page_status,
};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/campaigns/{slug}/survey",
        get(survey_get).post(survey_post),
    )
}

/// Totals for staff and for the published evaluation.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub responses: i64,
    pub organisers: i64,
    pub participants: i64,
    /// People reached, as organisers reported.
    pub reach: i64,
    /// (nation, responses, reach), nations in the usual order, "" last for not given.
    pub per_nation: Vec<(String, i64, i64)>,
    /// Quotes the writers allowed to be used.
    pub quotes: Vec<String>,
    /// Everything said about what worked (staff only).
    pub worked: Vec<String>,
}

pub async fn summary(db: &Db, campaign_id: i64) -> sqlx::Result<Summary> {
    let rows = super::store::survey_answers(db, campaign_id).await?;
    let mut s = Summary::default();
    let mut order: Vec<String> = crate::site::settings::NATIONS
        .iter()
        .map(|n| n.to_string())
        .collect();
    order.push(String::new());
    s.per_nation = order.into_iter().map(|n| (n, 0, 0)).collect();
    for (role, nation, reach, worked, quote, quote_ok) in rows {
        s.responses += 1;
        if role == "organiser" {
            s.organisers += 1;
            s.reach += reach;
        } else {
            s.participants += 1;
        }
        if let Some(e) = s.per_nation.iter_mut().find(|e| e.0 == nation) {
            e.1 += 1;
            if role == "organiser" {
                e.2 += reach;
            }
        }
        if !worked.is_empty() {
            s.worked.push(worked);
        }
        if quote_ok == 1 && !quote.is_empty() {
            s.quotes.push(quote);
        }
    }
    s.per_nation.retain(|e| e.1 > 0);
    Ok(s)
}

/// One answer as typed.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub role: String,
    pub nation: String,
    pub reach: String,
    pub worked: String,
    pub quote: String,
    pub quote_ok: bool,
}

impl Answer {
    pub fn from_pairs(pairs: &[(String, String)]) -> Answer {
        use crate::web::input::{one_line, paragraphs};
        let mut a = Answer::default();
        for (k, v) in pairs {
            match k.as_str() {
                "role" => a.role = one_line(v, 20),
                "nation" => a.nation = one_line(v, 30),
                "reach" => a.reach = one_line(v, 20),
                "worked" => a.worked = paragraphs(v, 3000),
                "quote" => a.quote = paragraphs(v, 1500),
                "quote_ok" => a.quote_ok = v == "1",
                _ => {}
            }
        }
        a
    }

    /// The checked answer: (reach).
    pub fn check(&self) -> Result<i64, FieldErrors> {
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
        if !["organiser", "participant"].contains(&self.role.as_str()) {
            errors.push(("role-organiser", Msg::new("survey-error-role")));
        }
        if !self.nation.is_empty()
            && !crate::site::settings::NATIONS.contains(&self.nation.as_str())
        {
            errors.push(("nation", Msg::new("contact-error-nation")));
        }
        let reach = if self.reach.trim().is_empty() {
            0
        } else {
            match self.reach.trim().replace(',', "").parse::<i64>() {
                Ok(n) if (0..=10_000_000).contains(&n) => n,
                _ => {
                    errors.push(("reach", Msg::new("survey-error-reach")));
                    0
                }
            }
        };
        for (field, text, max) in [("worked", &self.worked, 1000), ("quote", &self.quote, 500)] {
            if text.chars().count() > max {
                errors.push((field, Msg::new("activity-error-too-long").arg("max", max)));
            } else if super::looks_like_markup(text) || super::count_links(text) > 0 {
                errors.push((field, Msg::new("survey-error-plain")));
            }
        }
        if self.worked.trim().is_empty() && self.quote.trim().is_empty() && reach == 0 {
            errors.push(("worked", Msg::new("survey-error-empty")));
        }
        if errors.is_empty() {
            Ok(reach)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "campaigns/survey.html")]
struct SurveyPage<'a> {
    c: &'a Ctx,
    k: Campaign,
    a: Answer,
    errors: FieldErrors,
    sent: bool,
    open: bool,
    now: i64,
}

#[derive(Deserialize, Default)]
struct RoleQuery {
    #[serde(default)]
    role: String,
}

async fn campaign(state: &AppState, slug: &str) -> Result<Campaign, AppError> {
    super::store::campaign_by_slug(&state.db, slug)
        .await?
        .filter(|k| k.published == 1)
        .ok_or(AppError::NotFound)
}

async fn survey_get(
    State(state): State<AppState>,
    c: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<RoleQuery>,
) -> Result<Response, AppError> {
    let k = campaign(&state, &slug).await?;
    let open = k.phase(&super::routes::today()) != "upcoming";
    private_page(&SurveyPage {
        c: &c,
        k,
        a: Answer {
            role: q.role,
            ..Answer::default()
        },
        errors: crate::web::FieldErrors::new(),
        sent: false,
        open,
        now: db::now(),
    })
}

async fn survey_post(
    State(state): State<AppState>,
    c: Ctx,
    parts: Parts,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let k = campaign(&state, &slug).await?;
    let open = k.phase(&super::routes::today()) != "upcoming";
    let now = db::now();
    let field = |name: &str| crate::web::field(&pairs, name);
    let a = Answer::from_pairs(&pairs);
    // Before anything else answers: a risky text gets crisis help on every answer.
    let (c, risk) = c.screen(&[&a.worked, &a.quote], Some(&a.nation));
    if !open {
        return Err(AppError::NotFound);
    }
    let page = |k: Campaign, a: Answer, errors: FieldErrors, sent: bool| SurveyPage {
        c: &c,
        k,
        a,
        errors,
        sent,
        open,
        now,
    };
    match web::antispam::verdict(field("website"), field("started"), now) {
        web::antispam::Verdict::Person => {}
        web::antispam::Verdict::Bot => {
            return private_page(&page(
                k,
                Answer::default(),
                crate::web::FieldErrors::new(),
                true,
            ));
        }
        web::antispam::Verdict::SendAgain => {
            let errors = vec![("worked", Msg::new(web::antispam::SEND_AGAIN))];
            return Err(AppError::invalid(&page(k, a, errors.into(), false)));
        }
    }
    let reach = match a.check() {
        Ok(r) => r,
        Err(errors) => return Err(AppError::invalid(&page(k, a, errors, false))),
    };
    let ip = web::client_ip(&parts, state.config.trust_proxy);
    let limit = web::antispam::store::allowance(10, risk.is_risky());
    if web::antispam::store::over_limit(&state.db, "survey", &ip, limit).await? {
        let errors = vec![("worked", Msg::new("contact-throttled"))];
        return private_page_status(
            StatusCode::TOO_MANY_REQUESTS,
            &page(k, a, errors.into(), false),
        );
    }
    let mut tx = state.db.begin_write().await?;
    let id = super::store::record_survey_answer(&mut tx, k.id, &a, reach).await?;
    if risk.is_risky() {
        crate::safeguard::store::record(&mut tx, "survey", id, risk, c.lang.code()).await?;
        let site = c.site("name").to_string();
        let sender = crate::mail::Sender::new(&state.config, &site);
        for to in crate::stories::store::safeguarding_contacts(&state.db).await? {
            let url = &state.config.public_url;
            let m = crate::safeguard::alert(url, &site, &to, "survey", id, risk);
            crate::mail::enqueue(&mut tx, &sender, &m).await?;
        }
    }
    tx.commit().await?;
    private_page(&page(
        k,
        Answer::default(),
        crate::web::FieldErrors::new(),
        true,
    ))
}

/// Emails every organiser of an approved activity of the campaign (once per address) an
/// invitation to the survey, once per campaign (a second call sends nothing). Returns how
/// many were sent.
pub async fn invite(
    tx: &mut Tx,
    state: &AppState,
    k: &Campaign,
    site: &str,
) -> anyhow::Result<usize> {
    // Claim the sending first: of two staff pressing the button at once, only one sends.
    if !super::store::claim_survey_invitations(tx, k.id).await? {
        return Ok(0);
    }
    let rows = super::store::organiser_contacts(tx, k.id).await?;
    let sender = crate::mail::Sender::new(&state.config, site);
    for (email, lang) in &rows {
        let lang = crate::i18n::Lang::from_code(lang).unwrap_or_default();
        let m = crate::mail::Letter::new(
            "campaign-survey",
            lang,
            email,
            site,
            lang.t1(
                "survey-mail-subject",
                "campaign",
                k.name(lang == crate::i18n::Lang::Cy),
            ),
        )
        .paras(vec![
            lang.t("survey-mail-text"),
            lang.t("survey-mail-share"),
        ])
        .button(
            lang.t("survey-mail-button"),
            format!(
                "{}/campaigns/{}/survey?role=organiser",
                state.config.public_url, k.slug
            ),
        )
        .footer(vec![lang.t("roster-mail-not-you")])
        .outgoing();
        crate::mail::enqueue(tx, &sender, &m).await?;
    }
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(pairs: &[(&str, &str)]) -> Answer {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Answer::from_pairs(&pairs)
    }

    #[test]
    fn answers_are_checked() {
        assert_eq!(
            answer(&[("role", "organiser"), ("reach", "1,200"), ("worked", "Tea")]).check(),
            Ok(1200)
        );
        let e = answer(&[("role", "boss"), ("reach", "-3")])
            .check()
            .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|(f, _)| *f).collect();
        assert!(fields.contains(&"role-organiser"));
        assert!(fields.contains(&"reach"));
        let e = answer(&[("role", "participant"), ("quote", "<script>x</script>")])
            .check()
            .unwrap_err();
        assert_eq!(e[0].0, "quote");
        let e = answer(&[("role", "participant")]).check().unwrap_err();
        assert_eq!(e[0].0, "worked");
    }
}
