//! Campaign weeks (Maternal Mental Health Awareness Week, World Maternal Mental Health
//! Day) and the activity registry: anyone registers an activity without an account, a
//! moderator approves it, and it appears in the list, calendar, map and feeds. The
//! organiser edits or cancels it through a private link.
//!
//! This file holds the records and the staff's campaign form; `activity_form.rs` an
//! activity as submitted and its checks, `store.rs` every query, `routes.rs` and
//! `campaign_pages.rs` the public pages, `register.rs` registration and the organiser's
//! link, `feeds.rs` the feeds, `admin.rs` the staff screens, `survey.rs` the evaluation.

pub mod activity_form;
pub mod admin;
pub mod bench;
pub mod campaign_pages;
pub mod demo;
pub mod feeds;
pub mod ical;
pub mod register;
pub mod routes;
pub mod store;
pub mod survey;

use crate::uktime;
use crate::web::{FieldErrors, Msg};

pub use activity_form::{ActivityDraft, Checked, SessionDraft, count_links, looks_like_markup};

/// Kinds of activity.
pub const KINDS: &[&str] = &["in_person", "online", "social"];
/// Moderation states.
pub const STATUSES: &[&str] = &["pending", "changes", "approved", "rejected", "cancelled"];
/// Sessions one activity may have.
pub const MAX_SESSIONS: usize = 6;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub name_cy: String,
    pub hashtag: String,
    pub starts_on: String,
    pub ends_on: String,
    pub description: String,
    pub description_cy: String,
    pub involved: String,
    pub involved_cy: String,
    pub published: i64,
    pub evaluation: String,
    pub evaluation_published: i64,
    pub survey_sent_at: i64,
    pub is_demo: i64,
    pub updated_at: i64,
    /// A stored picture's name ("" for none) and its description in each language.
    pub image: String,
    pub image_alt: String,
    pub image_alt_cy: String,
}

impl Campaign {
    pub fn name(&self, cy: bool) -> &str {
        pick(cy, &self.name, &self.name_cy)
    }
    pub fn description(&self, cy: bool) -> &str {
        pick(cy, &self.description, &self.description_cy)
    }
    pub fn involved(&self, cy: bool) -> &str {
        pick(cy, &self.involved, &self.involved_cy)
    }
    /// The campaign's picture, described in the reader's language.
    pub fn picture(&self, cy: bool) -> Option<crate::uploads::Picture> {
        crate::uploads::Picture::new(
            &self.image,
            pick(cy, &self.image_alt, &self.image_alt_cy),
            self.is_demo != 0,
        )
    }
    /// The campaign's days.
    pub fn days(&self) -> Vec<time::Date> {
        match (
            uktime::parse_day(&self.starts_on),
            uktime::parse_day(&self.ends_on),
        ) {
            (Some(a), Some(b)) => uktime::days_between(a, b),
            _ => Vec::new(),
        }
    }
    /// Before, during or after the campaign on `today` ("YYYY-MM-DD").
    pub fn phase(&self, today: &str) -> &'static str {
        if today < self.starts_on.as_str() {
            "upcoming"
        } else if today > self.ends_on.as_str() {
            "past"
        } else {
            "now"
        }
    }
}

/// The Welsh text when asked for and present, else the English.
pub fn pick<'a>(cy: bool, en: &'a str, cy_text: &'a str) -> &'a str {
    if cy && !cy_text.trim().is_empty() {
        cy_text
    } else {
        en
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Day {
    pub day: String,
    pub theme: String,
    pub theme_cy: String,
}

/// What staff type for a campaign.
#[derive(Debug, Clone, Default)]
pub struct CampaignDraft {
    pub slug: String,
    pub name: String,
    pub name_cy: String,
    pub hashtag: String,
    pub starts_on: String,
    pub ends_on: String,
    pub description: String,
    pub description_cy: String,
    pub involved: String,
    pub involved_cy: String,
    pub published: bool,
    pub evaluation: String,
    pub evaluation_published: bool,
    /// Themes by day ("YYYY-MM-DD" → (English, Welsh)).
    pub themes: Vec<(String, String, String)>,
    /// The picture (set from the upload by the handler) and its descriptions.
    pub image: String,
    pub image_alt: String,
    pub image_alt_cy: String,
}

impl CampaignDraft {
    pub fn from_campaign(c: &Campaign, days: &[Day]) -> CampaignDraft {
        CampaignDraft {
            slug: c.slug.clone(),
            name: c.name.clone(),
            name_cy: c.name_cy.clone(),
            hashtag: c.hashtag.clone(),
            starts_on: c.starts_on.clone(),
            ends_on: c.ends_on.clone(),
            description: c.description.clone(),
            description_cy: c.description_cy.clone(),
            involved: c.involved.clone(),
            involved_cy: c.involved_cy.clone(),
            published: c.published == 1,
            evaluation: c.evaluation.clone(),
            evaluation_published: c.evaluation_published == 1,
            themes: days
                .iter()
                .map(|d| (d.day.clone(), d.theme.clone(), d.theme_cy.clone()))
                .collect(),
            image: c.image.clone(),
            image_alt: c.image_alt.clone(),
            image_alt_cy: c.image_alt_cy.clone(),
        }
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> CampaignDraft {
        use crate::web::input::{one_line, paragraphs};
        let mut d = CampaignDraft::default();
        let mut themes: std::collections::BTreeMap<String, (String, String)> = Default::default();
        for (k, v) in pairs {
            match k.as_str() {
                "slug" => d.slug = one_line(v, 80).to_lowercase(),
                "name" => d.name = one_line(v, 200),
                "name_cy" => d.name_cy = one_line(v, 200),
                "hashtag" => d.hashtag = one_line(v, 60),
                "starts_on" => d.starts_on = one_line(v, 20),
                "ends_on" => d.ends_on = one_line(v, 20),
                "description" => d.description = paragraphs(v, 20_000),
                "description_cy" => d.description_cy = paragraphs(v, 20_000),
                "involved" => d.involved = paragraphs(v, 20_000),
                "involved_cy" => d.involved_cy = paragraphs(v, 20_000),
                "published" => d.published = v == "1",
                "evaluation" => d.evaluation = paragraphs(v, 20_000),
                "evaluation_published" => d.evaluation_published = v == "1",
                "image_alt" => d.image_alt = one_line(v, 300),
                "image_alt_cy" => d.image_alt_cy = one_line(v, 300),
                k => {
                    if let Some(day) = k.strip_prefix("theme_cy_") {
                        themes.entry(day.to_string()).or_default().1 = one_line(v, 200);
                    } else if let Some(day) = k.strip_prefix("theme_") {
                        themes.entry(day.to_string()).or_default().0 = one_line(v, 200);
                    }
                }
            }
        }
        d.themes = themes.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
        d
    }

    /// The theme typed for a day.
    pub fn theme(&self, day: &str, cy: bool) -> &str {
        self.themes
            .iter()
            .find(|(d, ..)| d == day)
            .map(|(_, en, w)| if cy { w.as_str() } else { en.as_str() })
            .unwrap_or("")
    }

    /// The days between the typed dates (empty while they are not valid).
    pub fn days(&self) -> Vec<String> {
        match (
            uktime::parse_day(&self.starts_on),
            uktime::parse_day(&self.ends_on),
        ) {
            (Some(a), Some(b)) if a <= b => uktime::days_between(a, b)
                .into_iter()
                .map(uktime::day_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn check(&self) -> FieldErrors {
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
        if self.name.is_empty() {
            errors.push(("name", Msg::new("admin-campaign-error-name")));
        }
        if self.slug.is_empty()
            || !self
                .slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errors.push(("slug", Msg::new("admin-campaign-error-slug")));
        }
        let a = uktime::parse_day(&self.starts_on);
        let b = uktime::parse_day(&self.ends_on);
        if a.is_none() {
            errors.push(("starts_on", Msg::new("admin-campaign-error-date")));
        }
        if b.is_none() {
            errors.push(("ends_on", Msg::new("admin-campaign-error-date")));
        }
        if let (Some(a), Some(b)) = (a, b) {
            if b < a {
                errors.push(("ends_on", Msg::new("admin-campaign-error-order")));
            } else if (b - a).whole_days() > 60 {
                errors.push(("ends_on", Msg::new("admin-campaign-error-long")));
            }
        }
        if self.hashtag.contains(char::is_whitespace) {
            errors.push(("hashtag", Msg::new("admin-campaign-error-hashtag")));
        }
        if let Some(e) =
            crate::uploads::alt_problem(&self.image, &self.image_alt, &self.image_alt_cy)
        {
            errors.push(e);
        }
        errors
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub uid: String,
    pub campaign_id: i64,
    pub title: String,
    pub organiser: String,
    pub description: String,
    pub kind: String,
    pub audience: String,
    pub booking_url: String,
    pub venue: String,
    pub postcode: String,
    pub area_code: String,
    pub nation: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub contact_name: String,
    pub contact_email: String,
    pub lang: String,
    pub status: String,
    pub moderator_note: String,
    pub featured: i64,
    pub was_public: i64,
    pub sequence: i64,
    pub first_start: i64,
    pub is_demo: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Activity {
    pub fn lang(&self) -> crate::i18n::Lang {
        crate::i18n::Lang::from_code(&self.lang).unwrap_or_default()
    }
    pub fn is_public(&self) -> bool {
        self.status == "approved"
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub activity_id: i64,
    pub n: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub day: String,
}

impl Session {
    pub fn start(&self) -> String {
        uktime::local_time(self.starts_at)
    }
    pub fn end(&self) -> String {
        uktime::local_time(self.ends_at)
    }
}

/// A moderator's decision on an activity, as its button names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    /// Sent back for changes, with a note for the organiser.
    Changes,
    /// Rejected, with a reason.
    Reject,
    Feature,
    Unfeature,
}

impl Decision {
    /// Its name in the audit log and in the organiser's email's message ids.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Changes => "changes",
            Decision::Reject => "reject",
            Decision::Feature => "feature",
            Decision::Unfeature => "unfeature",
        }
    }

    /// The status it decides, for the three that decide one (the organiser is told).
    pub fn status(self) -> Option<&'static str> {
        match self {
            Decision::Approve => Some("approved"),
            Decision::Changes => Some("changes"),
            Decision::Reject => Some("rejected"),
            Decision::Feature | Decision::Unfeature => None,
        }
    }

    /// The organiser must be told why.
    pub fn needs_note(self) -> bool {
        matches!(self, Decision::Changes | Decision::Reject)
    }
}

/// Filters on the public list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub nation: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub kind: String,
    /// Page of the list (not a filter of the query).
    #[serde(default)]
    pub page: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
            && self.nation.is_empty()
            && self.area.is_empty()
            && self.kind.is_empty()
    }

    /// Whether a listed activity passes every filter set.
    pub fn matches(&self, l: &Listed) -> bool {
        let is = |want: &str, have: &str| want.is_empty() || want == have;
        is(&self.nation, &l.a.nation)
            && is(&self.area, &l.a.area_code)
            && is(&self.kind, &l.a.kind)
            && (self.day.is_empty() || l.sessions.iter().any(|s| s.day == self.day))
    }
}

/// An activity with its sessions, for lists.
#[derive(Debug, Clone)]
pub struct Listed {
    pub a: Activity,
    pub sessions: Vec<Session>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_phase() {
        let c = Campaign {
            id: 1,
            slug: "w".into(),
            name: "W".into(),
            name_cy: String::new(),
            hashtag: String::new(),
            starts_on: "2027-05-03".into(),
            ends_on: "2027-05-09".into(),
            description: String::new(),
            description_cy: String::new(),
            involved: String::new(),
            involved_cy: String::new(),
            published: 1,
            evaluation: String::new(),
            evaluation_published: 0,
            survey_sent_at: 0,
            is_demo: 0,
            updated_at: 0,
            image: String::new(),
            image_alt: String::new(),
            image_alt_cy: String::new(),
        };
        assert_eq!(c.phase("2027-05-02"), "upcoming");
        assert_eq!(c.phase("2027-05-09"), "now");
        assert_eq!(c.phase("2027-05-10"), "past");
        assert_eq!(c.days().len(), 7);
    }
}
