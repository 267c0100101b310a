//! An activity as its organiser types it (`/activities/new` and the private link) and the
//! checks on it: lengths, markup and links, the kind, the booking link, the venue and the
//! postcode placed through the finder's index, and each session in UK time within the
//! campaign's days.

use super::{Activity, Campaign, KINDS, MAX_SESSIONS, Session};
use crate::atlas::Atlas;
use crate::finder::index::PostcodeIndex;
use crate::uktime;
use crate::web::{FieldErrors, Msg};

/// A session as typed: date, start and end (UK time).
#[derive(Debug, Clone, Default)]
pub struct SessionDraft {
    pub date: String,
    pub start: String,
    pub end: String,
}

impl SessionDraft {
    fn is_blank(&self) -> bool {
        self.date.is_empty() && self.start.is_empty() && self.end.is_empty()
    }
}

/// An activity as typed by its organiser.
#[derive(Debug, Clone, Default)]
pub struct ActivityDraft {
    pub campaign: String,
    pub title: String,
    pub organiser: String,
    pub description: String,
    pub kind: String,
    pub audience: String,
    pub booking_url: String,
    pub venue: String,
    pub postcode: String,
    pub nation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub sessions: Vec<SessionDraft>,
}

/// A draft that passed its checks: cleaned values, the place resolved, sessions in UTC.
#[derive(Debug, Clone)]
pub struct Checked {
    pub d: ActivityDraft,
    pub email: String,
    pub area_code: String,
    pub nation: String,
    pub position: Option<(f64, f64)>,
    pub postcode: String,
    /// (start, end, UK day) per session, in order.
    pub sessions: Vec<(i64, i64, String)>,
}

const LIMITS: &[(&str, usize)] = &[
    ("title", 120),
    ("organiser", 120),
    ("description", 3000),
    ("audience", 200),
    ("booking_url", 500),
    ("venue", 200),
    ("contact_name", 100),
];

impl ActivityDraft {
    pub fn from_activity(a: &Activity, sessions: &[Session], campaign_slug: &str) -> Self {
        ActivityDraft {
            campaign: campaign_slug.to_string(),
            title: a.title.clone(),
            organiser: a.organiser.clone(),
            description: a.description.clone(),
            kind: a.kind.clone(),
            audience: a.audience.clone(),
            booking_url: a.booking_url.clone(),
            venue: a.venue.clone(),
            postcode: a.postcode.clone(),
            nation: a.nation.clone(),
            contact_name: a.contact_name.clone(),
            contact_email: a.contact_email.clone(),
            sessions: sessions
                .iter()
                .map(|s| SessionDraft {
                    date: s.day.clone(),
                    start: s.start(),
                    end: s.end(),
                })
                .collect(),
        }
    }

    /// Reads the form. Text is kept a little past each limit so the limit can be reported
    /// rather than silently applied.
    pub fn from_pairs(pairs: &[(String, String)]) -> ActivityDraft {
        use crate::web::input::{one_line, paragraphs};
        let mut d = ActivityDraft::default();
        let mut sessions: Vec<SessionDraft> = vec![SessionDraft::default(); MAX_SESSIONS];
        for (k, v) in pairs {
            match k.as_str() {
                "campaign" => d.campaign = one_line(v, 80),
                "title" => d.title = one_line(v, 400),
                "organiser" => d.organiser = one_line(v, 400),
                "description" => d.description = paragraphs(v, 6000),
                "kind" => d.kind = one_line(v, 20),
                "audience" => d.audience = one_line(v, 400),
                "booking_url" => d.booking_url = one_line(v, 1000),
                "venue" => d.venue = one_line(v, 400),
                "postcode" => d.postcode = one_line(v, 20),
                "nation" => d.nation = one_line(v, 30),
                "contact_name" => d.contact_name = one_line(v, 300),
                "contact_email" => d.contact_email = one_line(v, 300),
                k => {
                    let field = |p: &str| {
                        k.strip_prefix(p)
                            .and_then(|n| n.parse::<usize>().ok())
                            .filter(|n| (1..=MAX_SESSIONS).contains(n))
                    };
                    if let Some(n) = field("date_") {
                        sessions[n - 1].date = one_line(v, 20);
                    } else if let Some(n) = field("start_") {
                        sessions[n - 1].start = one_line(v, 10);
                    } else if let Some(n) = field("end_") {
                        sessions[n - 1].end = one_line(v, 10);
                    }
                }
            }
        }
        // Keep the typed sessions in place, dropping blank rows at the end only.
        while sessions.last().is_some_and(SessionDraft::is_blank) {
            sessions.pop();
        }
        d.sessions = sessions;
        d
    }

    fn value(&self, field: &str) -> &str {
        match field {
            "title" => &self.title,
            "organiser" => &self.organiser,
            "description" => &self.description,
            "audience" => &self.audience,
            "booking_url" => &self.booking_url,
            "venue" => &self.venue,
            "contact_name" => &self.contact_name,
            _ => "",
        }
    }

    /// The session rows a form shows: those typed, then blank ones up to three.
    pub fn session_rows(&self) -> Vec<(usize, SessionDraft)> {
        let mut rows: Vec<SessionDraft> = self.sessions.clone();
        while rows.len() < 3 {
            rows.push(SessionDraft::default());
        }
        rows.truncate(MAX_SESSIONS);
        rows.into_iter()
            .enumerate()
            .map(|(i, s)| (i + 1, s))
            .collect()
    }

    /// Checks everything; `campaign` is the campaign it is for (None when the choice is
    /// not an open campaign). The postcode is resolved through the finder's index.
    pub fn check(
        &self,
        campaign: Option<&Campaign>,
        now: i64,
        idx: &PostcodeIndex,
        atlas: &Atlas,
    ) -> Result<Checked, FieldErrors> {
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
        if campaign.is_none() {
            errors.push(("campaign", Msg::new("activity-error-campaign")));
        }
        if self.title.is_empty() {
            errors.push(("title", Msg::new("activity-error-title")));
        }
        if self.organiser.is_empty() {
            errors.push(("organiser", Msg::new("activity-error-organiser")));
        }
        if self.description.trim().is_empty() {
            errors.push(("description", Msg::new("activity-error-description")));
        }
        for (field, max) in LIMITS {
            let n = self.value(field).chars().count();
            if n > *max {
                errors.push((field, Msg::new("activity-error-too-long").arg("max", max)));
            } else if looks_like_markup(self.value(field)) {
                errors.push((field, Msg::new("activity-error-markup")));
            }
        }
        if count_links(&self.description) > 2 || count_links(&self.title) > 0 {
            errors.push(("description", Msg::new("activity-error-links")));
        }
        if !KINDS.contains(&self.kind.as_str()) {
            errors.push(("kind-in_person", Msg::new("activity-error-kind")));
        }
        if !self.booking_url.is_empty() && !crate::web::input::web_address_ok(&self.booking_url) {
            errors.push(("booking_url", Msg::new("activity-error-link")));
        }
        // The place: in person needs a venue and a postcode we know.
        let mut area_code = String::new();
        let mut nation = self.nation.clone();
        let mut position = None;
        let mut postcode = String::new();
        if self.kind == "in_person" && self.venue.is_empty() {
            errors.push(("venue", Msg::new("activity-error-venue")));
        }
        if self.kind == "in_person" || !self.postcode.is_empty() {
            match crate::finder::postcode::parse(&self.postcode) {
                Ok(reading @ crate::finder::postcode::Reading::Full(_)) => {
                    match crate::finder::locate_postcode(idx, atlas, &self.postcode, &reading) {
                        Ok(l) if !l.postcode_unknown => {
                            nation = atlas
                                .area(&l.area_code)
                                .map(|a| a.nation.clone())
                                .unwrap_or_default();
                            area_code = l.area_code;
                            position = Some((l.lat, l.lon));
                            postcode = l.label;
                        }
                        _ => errors.push(("postcode", Msg::new("activity-error-postcode-unknown"))),
                    }
                }
                _ if self.postcode.trim().is_empty() => {
                    errors.push(("postcode", Msg::new("activity-error-postcode")))
                }
                _ => errors.push(("postcode", Msg::new("activity-error-postcode-full"))),
            }
        }
        if !nation.is_empty() && !crate::site::settings::NATIONS.contains(&nation.as_str()) {
            errors.push(("nation", Msg::new("contact-error-nation")));
            nation.clear();
        }
        // Sessions.
        let mut sessions = Vec::new();
        let typed: Vec<(usize, &SessionDraft)> = self
            .sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_blank())
            .map(|(i, s)| (i + 1, s))
            .collect();
        if typed.is_empty() {
            errors.push(("date_1", Msg::new("activity-error-no-session")));
        }
        for (n, s) in typed {
            let date_field: &'static str = FIELD_NAMES[n - 1].0;
            let start_field: &'static str = FIELD_NAMES[n - 1].1;
            let end_field: &'static str = FIELD_NAMES[n - 1].2;
            let Some(date) = uktime::parse_day(&s.date) else {
                errors.push((date_field, Msg::new("activity-error-date")));
                continue;
            };
            let Some((sh, sm)) = uktime::parse_time(&s.start) else {
                errors.push((start_field, Msg::new("activity-error-time")));
                continue;
            };
            let Some((eh, em)) = uktime::parse_time(&s.end) else {
                errors.push((end_field, Msg::new("activity-error-time")));
                continue;
            };
            let (Some(start), Some(end)) =
                (uktime::to_utc(date, sh, sm), uktime::to_utc(date, eh, em))
            else {
                errors.push((date_field, Msg::new("activity-error-date")));
                continue;
            };
            let day = uktime::day_string(date);
            if end <= start {
                errors.push((end_field, Msg::new("activity-error-end-before-start")));
            } else if start <= now {
                errors.push((date_field, Msg::new("activity-error-past")));
            } else if let Some(c) = campaign
                && (day < c.starts_on || day > c.ends_on)
            {
                errors.push((
                    date_field,
                    Msg::new("activity-error-outside")
                        .arg("from", &c.starts_on)
                        .arg("to", &c.ends_on),
                ));
            } else {
                sessions.push((start, end, day));
            }
        }
        let email = match crate::mail::list::normalise_email(&self.contact_email) {
            Ok(e) => e,
            Err(key) => {
                errors.push(("contact_email", Msg::new(key)));
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        sessions.sort_by_key(|s| s.0);
        Ok(Checked {
            d: self.clone(),
            email,
            area_code,
            nation,
            position,
            postcode,
            sessions,
        })
    }
}

/// Field names of each session row, as `&'static str` for `FieldErrors`.
const FIELD_NAMES: [(&str, &str, &str); MAX_SESSIONS] = [
    ("date_1", "start_1", "end_1"),
    ("date_2", "start_2", "end_2"),
    ("date_3", "start_3", "end_3"),
    ("date_4", "start_4", "end_4"),
    ("date_5", "start_5", "end_5"),
    ("date_6", "start_6", "end_6"),
];

/// Tags or script typed into a text field (it would be shown as text, but it is almost
/// always spam or a paste from somewhere else, so the organiser is asked to remove it).
pub fn looks_like_markup(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if lower.contains("javascript:") || lower.contains("<script") {
        return true;
    }
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

/// Web links in a text.
pub fn count_links(s: &str) -> usize {
    let lower = s.to_ascii_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_links_are_recognised() {
        assert!(looks_like_markup("<b>hi</b>"));
        assert!(looks_like_markup("x <script>alert(1)</script>"));
        assert!(looks_like_markup("click javascript:alert(1)"));
        assert!(!looks_like_markup("Ages 0 < 2 welcome, 3 > 2"));
        assert_eq!(count_links("see https://a.example and www.b.example"), 2);
    }

    #[test]
    fn session_rows_keep_their_numbers() {
        let pairs: Vec<(String, String)> = [("date_2", "2027-05-04"), ("start_2", "10:00")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let d = ActivityDraft::from_pairs(&pairs);
        assert_eq!(d.sessions.len(), 2);
        assert_eq!(d.sessions[1].date, "2027-05-04");
        assert_eq!(d.session_rows().len(), 3);
    }
}
