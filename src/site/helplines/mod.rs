//! National helplines: the help content shown first on the Get help page (and later on the
//! finder). Kept in the in-memory snapshot so it is served even when the database is down.
//! Each row carries its source and verification, and unverified numbers say so.

use crate::i18n::Lang;
use crate::web::Msg;
use serde::Deserialize;

pub mod store;

/// One helpline or support service.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Helpline {
    pub id: i64,
    pub organisation: String,
    pub service: String,
    pub purpose: String,
    /// The number only ("116 123").
    pub phone: String,
    /// What to do once through ("Then press 2").
    pub call_note: String,
    /// The SMS number only ("85258") and the keyword to send, if the service asks for one.
    pub text_number: String,
    pub text_body: String,
    /// A textphone or Relay UK number.
    pub textphone: String,
    pub email: String,
    pub web: String,
    pub hours: String,
    pub nation: String,
    pub tier: String,
    pub number_verified: String,
    pub notes: String,
    pub source_url: String,
    pub verified_on: String,
    pub verified_by: String,
    pub sort_order: i64,
    /// The card in Welsh, shown on Welsh pages ("" where not written yet: the English is
    /// shown, marked as English).
    pub organisation_cy: String,
    pub service_cy: String,
    pub purpose_cy: String,
    pub call_note_cy: String,
    pub hours_cy: String,
    /// Whether callers can be helped in Welsh: "yes", "no" (English only; a Welsh page
    /// says so in Welsh) or "" (not known).
    pub welsh_service: String,
}

/// How urgent a tier is, in the NHS style of tiered help cards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Call 999 now.
    Emergency,
    /// Same-day help: NHS 111, crisis lines.
    Urgent,
    /// Someone to talk to, information, peer support.
    NonUrgent,
}

/// A card's text in a language: the Welsh where it is written, else the English.
fn in_lang<'a>(lang: Lang, en: &'a str, cy: &'a str) -> &'a str {
    if lang == Lang::Cy && !cy.is_empty() {
        cy
    } else {
        en
    }
}

impl Helpline {
    /// The organisation's name on a page in `lang` ("GIG 111 Cymru" on a Welsh page).
    pub fn organisation_in(&self, lang: &Lang) -> &str {
        in_lang(*lang, &self.organisation, &self.organisation_cy)
    }
    pub fn service_in(&self, lang: &Lang) -> &str {
        in_lang(*lang, &self.service, &self.service_cy)
    }
    pub fn purpose_in(&self, lang: &Lang) -> &str {
        in_lang(*lang, &self.purpose, &self.purpose_cy)
    }
    pub fn call_note_in(&self, lang: &Lang) -> &str {
        in_lang(*lang, &self.call_note, &self.call_note_cy)
    }
    pub fn hours_in(&self, lang: &Lang) -> &str {
        in_lang(*lang, &self.hours, &self.hours_cy)
    }

    /// Whether the card has its Welsh text (what a Welsh page shows of it is Welsh).
    pub fn has_welsh(&self) -> bool {
        !self.purpose_cy.is_empty() || (self.purpose.is_empty() && !self.organisation_cy.is_empty())
    }

    pub fn urgency(&self) -> Urgency {
        match self.tier.as_str() {
            "emergency" => Urgency::Emergency,
            "urgent" | "crisis" => Urgency::Urgent,
            _ => Urgency::NonUrgent,
        }
    }

    pub fn is_emergency(&self) -> bool {
        self.urgency() == Urgency::Emergency
    }

    /// True when staff have not confirmed the phone or text number.
    pub fn unverified(&self) -> bool {
        self.number_verified == "no"
    }

    /// Digits for a `tel:` link ("116 123" → "116123"), or "" when there is none.
    pub fn tel(&self) -> String {
        dial_digits(&self.phone)
    }

    /// Whether the number is part of the name ("NHS 111 Wales" and 111), so a button need
    /// not say it twice.
    pub fn named_by_number(&self) -> bool {
        !self.phone.trim().is_empty() && self.organisation.contains(self.phone.trim())
    }

    /// Digits for the textphone's `tel:` link.
    pub fn textphone_tel(&self) -> String {
        dial_digits(&self.textphone)
    }

    /// An `sms:` link target with the keyword as the message body where the service asks
    /// for one (`sms:85258?&body=SHOUT`, which both iOS and Android read), or "".
    pub fn sms_href(&self) -> String {
        let number = dial_digits(&self.text_number);
        if number.is_empty() {
            return String::new();
        }
        let body = self.text_body.trim();
        if body.is_empty() {
            format!("sms:{number}")
        } else {
            format!("sms:{number}?&body={}", crate::web::url_encode(body))
        }
    }

    /// A `mailto:` link target, or "" when the address does not look like one.
    pub fn mailto(&self) -> String {
        let e = self.email.trim();
        if crate::site::settings::looks_like_email(e) {
            format!("mailto:{e}")
        } else {
            String::new()
        }
    }

    /// A web address made safe to link: only http(s) or a bare domain.
    pub fn web_href(&self) -> String {
        link_href(&self.web)
    }

    /// The website as people say it: no scheme, no trailing slash.
    pub fn web_label(&self) -> String {
        let w = self.web.trim();
        let w = w
            .strip_prefix("https://")
            .or_else(|| w.strip_prefix("http://"))
            .unwrap_or(w);
        let w = w.strip_prefix("www.").unwrap_or(w);
        w.trim_end_matches('/').to_string()
    }

    /// Whether a visitor has any way to reach the service from the page (a number to
    /// call or text, an address to email, a website). Lines without one are not shown.
    pub fn reachable(&self) -> bool {
        !self.tel().is_empty()
            || !self.sms_href().is_empty()
            || !self.textphone_tel().is_empty()
            || !self.mailto().is_empty()
            || !self.web_href().is_empty()
    }

    /// Whether this service covers a nation (UK-wide rows cover all four).
    pub fn serves(&self, nation: &str) -> bool {
        self.uk_wide()
            || self
                .nation
                .to_ascii_lowercase()
                .contains(&nation.replace('-', " "))
    }

    /// Whether the service covers the whole UK rather than one or some nations (a line
    /// with no nation given is taken to).
    pub fn uk_wide(&self) -> bool {
        let n = self.nation.trim().to_ascii_lowercase();
        n.is_empty() || n.starts_with("uk")
    }

    /// The text people read on the public pages, field by field, for plain-language checks.
    pub fn public_text(&self) -> [(&'static str, &str); 5] {
        [
            ("organisation", &self.organisation),
            ("service", &self.service),
            ("purpose", &self.purpose),
            ("call_note", &self.call_note),
            ("hours", &self.hours),
        ]
    }

    /// `verified_on` as (year, month) when it is a date.
    pub fn checked_month(&self) -> Option<(i32, u8)> {
        let mut parts = self.verified_on.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        (1..=12).contains(&month).then_some((year, month))
    }
}

/// The digits of a number typed with spaces ("0800 83 85 87" → "0800838587"); "" when it
/// holds anything but digits, spaces and a leading `+`, or fewer than three digits.
pub fn dial_digits(s: &str) -> String {
    let s = s.trim();
    let body = s.strip_prefix('+').unwrap_or(s);
    if !body.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return String::new();
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return String::new();
    }
    if s.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    }
}

/// Staff shorthand that has no place on a card read by a frightened parent: abbreviations
/// and jargon (each with the plain words to use). Matched as whole words, ignoring case.
pub const SHORTHAND: &[(&str, &str)] = &[
    ("incl.", "including"),
    ("e.g.", "for example"),
    ("i.e.", "that is"),
    ("etc.", "and so on"),
    ("approx.", "about"),
    ("n/a", "leave it empty"),
    ("tbc", "leave it empty until you know"),
    (
        "triage",
        "say what happens: someone listens and puts you in touch",
    ),
    ("signposting", "information about other services"),
    (
        "not verified",
        "leave it out: the page says when a number is not confirmed",
    ),
    ("24/7", "Open 24 hours, every day"),
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("tues", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("thur", "Thursday"),
    ("thurs", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("hrs", "hours"),
    ("tel", "phone"),
];

/// Shortened days that are also English words: shorthand only beside a dash ("Wed–Fri").
const AMBIGUOUS: &[&str] = &["wed", "sat"];

/// The first piece of staff shorthand in `text`, with its plain alternative.
pub fn shorthand(text: &str) -> Option<(&'static str, &'static str)> {
    let lower = text.to_lowercase();
    SHORTHAND.iter().copied().find(|(word, _)| {
        lower.match_indices(word).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + word.len()..].chars().next();
            let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            let dash = |c: Option<char>| matches!(c, Some('-' | '\u{2013}'));
            // "Wed" and "Sat" are words too ("we sat with her"): only as days in a range.
            if AMBIGUOUS.contains(word) {
                return edge(before) && edge(after) && (dash(before) || dash(after));
            }
            edge(before) && edge(after)
        })
    })
}

/// The call and text buttons at the top of the help pages: what a person in crisis can do
/// in one tap.
pub struct HelpNow<'a> {
    /// Emergency and urgent lines as buttons: with a nation, that nation's own lines (its
    /// NHS urgent line, a crisis line) and the UK-wide ones; without, the UK-wide ones.
    pub calls: Vec<&'a Helpline>,
    /// Without a nation: each nation's own urgent lines, under its name.
    pub by_nation: Vec<(&'static str, Vec<&'a Helpline>)>,
}

/// Picks the help-now buttons from all lines. Calls come before texts, emergency before
/// urgent, a nation's own lines before UK-wide ones, then in staff order. `first` puts a
/// nation first in `by_nation` (Wales for a Welsh-language page).
pub fn help_now<'a>(
    lines: &'a [Helpline],
    nation: Option<&str>,
    served: &[&str],
    first: Option<&str>,
) -> HelpNow<'a> {
    let urgent = |h: &&Helpline| h.urgency() != Urgency::NonUrgent && h.reachable();
    let buttons = |h: &&Helpline| !h.tel().is_empty() || !h.sms_href().is_empty();
    let mut calls: Vec<&Helpline> = lines
        .iter()
        .filter(urgent)
        .filter(buttons)
        .filter(|h| match nation {
            Some(n) => h.serves(n),
            None => h.uk_wide(),
        })
        .collect();
    calls.sort_by_key(|h| {
        (
            h.urgency(),
            h.tel().is_empty(),
            h.uk_wide(),
            h.tier != "urgent",
            h.sort_order,
        )
    });
    let mut by_nation = Vec::new();
    if nation.is_none() {
        for n in crate::site::settings::NATIONS {
            if !served.contains(n) {
                continue;
            }
            let own: Vec<&Helpline> = lines
                .iter()
                .filter(urgent)
                .filter(buttons)
                .filter(|h| !h.uk_wide() && h.serves(n) && !h.is_emergency())
                .collect();
            if !own.is_empty() {
                by_nation.push((*n, own));
            }
        }
        if let Some(f) = first {
            by_nation.sort_by_key(|(n, _)| *n != f);
        }
    }
    HelpNow { calls, by_nation }
}

/// Turns "giveusashout.org" or "https://…" into a link target; anything else (an email, a
/// description) gives "" so it is shown as text.
pub fn link_href(s: &str) -> String {
    let s = s.trim();
    if s.starts_with("https://") || s.starts_with("http://") {
        return s.to_string();
    }
    let host = s.split('/').next().unwrap_or("");
    if !s.contains(' ')
        && !s.contains('@')
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return format!("https://{s}");
    }
    String::new()
}

/// Fields staff edit on a helpline.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct HelplineForm {
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub call_note: String,
    #[serde(default)]
    pub text_number: String,
    #[serde(default)]
    pub text_body: String,
    #[serde(default)]
    pub textphone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub web: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub nation: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub number_verified: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub source_url: String,
    #[serde(default)]
    pub sort_order: String,
    #[serde(default)]
    pub organisation_cy: String,
    #[serde(default)]
    pub service_cy: String,
    #[serde(default)]
    pub purpose_cy: String,
    #[serde(default)]
    pub call_note_cy: String,
    #[serde(default)]
    pub hours_cy: String,
    #[serde(default)]
    pub welsh_service: String,
}

pub const TIERS: &[&str] = &[
    "emergency",
    "urgent",
    "crisis",
    "listening",
    "information",
    "bereavement",
    "peer",
    "self-help",
    "advocacy",
];

impl HelplineForm {
    pub fn from_helpline(h: &Helpline) -> HelplineForm {
        HelplineForm {
            organisation: h.organisation.clone(),
            service: h.service.clone(),
            purpose: h.purpose.clone(),
            phone: h.phone.clone(),
            call_note: h.call_note.clone(),
            text_number: h.text_number.clone(),
            text_body: h.text_body.clone(),
            textphone: h.textphone.clone(),
            email: h.email.clone(),
            web: h.web.clone(),
            hours: h.hours.clone(),
            nation: h.nation.clone(),
            tier: h.tier.clone(),
            number_verified: h.number_verified.clone(),
            notes: h.notes.clone(),
            source_url: h.source_url.clone(),
            sort_order: h.sort_order.to_string(),
            organisation_cy: h.organisation_cy.clone(),
            service_cy: h.service_cy.clone(),
            purpose_cy: h.purpose_cy.clone(),
            call_note_cy: h.call_note_cy.clone(),
            hours_cy: h.hours_cy.clone(),
            welsh_service: h.welsh_service.clone(),
        }
    }

    /// Field → message for every problem.
    pub fn problems(&self) -> crate::web::FieldErrors {
        let mut e = Vec::new();
        if self.organisation.trim().is_empty() {
            e.push((
                "organisation",
                Msg::new("admin-err-enter-the-organisation-s-name"),
            ));
        }
        if !TIERS.contains(&self.tier.as_str()) {
            e.push((
                "tier",
                Msg::new("admin-err-choose-how-urgent-this-service-is"),
            ));
        }
        if !["yes", "no", ""].contains(&self.welsh_service.as_str()) {
            e.push((
                "welsh_service",
                Msg::new("admin-err-say-whether-welsh-is-spoken"),
            ));
        }
        if !["yes", "no", "n/a"].contains(&self.number_verified.as_str()) {
            e.push((
                "number_verified",
                Msg::new("admin-err-say-whether-the-number-is-verified"),
            ));
        }
        if !self.source_url.trim().is_empty() && !self.source_url.trim().starts_with("http") {
            e.push((
                "source_url",
                Msg::new("admin-err-enter-the-source-as-a-full"),
            ));
        }
        if self.sort_order.trim().parse::<i64>().is_err() && !self.sort_order.trim().is_empty() {
            e.push((
                "sort_order",
                Msg::new("admin-err-enter-a-whole-number-like-10"),
            ));
        }
        for (name, v) in [("phone", &self.phone), ("textphone", &self.textphone)] {
            if !v.trim().is_empty() && dial_digits(v).is_empty() {
                e.push((name, Msg::new("admin-err-helpline-number")));
            }
        }
        if !self.text_number.trim().is_empty() && dial_digits(&self.text_number).is_empty() {
            e.push(("text_number", Msg::new("admin-err-helpline-number")));
        }
        if !self.text_body.trim().is_empty() && self.text_number.trim().is_empty() {
            e.push(("text_number", Msg::new("admin-err-helpline-text-number")));
        }
        if self.text_body.trim().chars().count() > 30 {
            e.push(("text_body", Msg::new("admin-err-helpline-keyword")));
        }
        if !self.email.trim().is_empty()
            && !crate::site::settings::looks_like_email(self.email.trim())
        {
            e.push((
                "email",
                Msg::new("admin-err-enter-an-email-address-like-name"),
            ));
        }
        if !self.web.trim().is_empty() && link_href(&self.web).is_empty() {
            e.push(("web", Msg::new("admin-err-helpline-web")));
        }
        if [
            &self.phone,
            &self.text_number,
            &self.textphone,
            &self.email,
            &self.web,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
        {
            e.push(("phone", Msg::new("admin-err-helpline-no-way")));
        }
        for (name, v) in [
            ("organisation", &self.organisation),
            ("service", &self.service),
            ("purpose", &self.purpose),
            ("call_note", &self.call_note),
            ("hours", &self.hours),
        ] {
            if let Some((word, plain)) = shorthand(v) {
                e.push((
                    name,
                    Msg::new("admin-err-helpline-shorthand")
                        .arg("word", word)
                        .arg("plain", plain),
                ));
            }
        }
        for (name, v) in [
            ("organisation", &self.organisation),
            ("purpose", &self.purpose),
            ("notes", &self.notes),
        ] {
            if v.len() > 1000 {
                e.push((name, Msg::new("admin-err-keep-this-under-1-000-characters")));
            }
        }
        e.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(phone: &str, web: &str) -> Helpline {
        Helpline {
            id: 1,
            organisation: "X".into(),
            service: String::new(),
            purpose: String::new(),
            phone: phone.into(),
            call_note: String::new(),
            text_number: String::new(),
            text_body: String::new(),
            textphone: String::new(),
            email: String::new(),
            web: web.into(),
            hours: String::new(),
            nation: "UK".into(),
            tier: "crisis".into(),
            number_verified: "yes".into(),
            notes: String::new(),
            source_url: String::new(),
            verified_on: String::new(),
            verified_by: String::new(),
            sort_order: 0,
            ..Helpline::default()
        }
    }

    #[test]
    fn tel_links() {
        assert_eq!(line("116 123", "").tel(), "116123");
        assert_eq!(line("111 then option 2", "").tel(), "");
        assert_eq!(line("+44 20 7946 0000", "").tel(), "+442079460000");
        assert_eq!(line("999", "").tel(), "999");
        assert_eq!(line("", "").tel(), "");
    }

    #[test]
    fn web_links_are_safe() {
        assert_eq!(link_href("giveusashout.org"), "https://giveusashout.org");
        assert_eq!(
            link_href("pandasfoundation.org.uk/how-we-can-support-you/"),
            "https://pandasfoundation.org.uk/how-we-can-support-you/"
        );
        assert_eq!(link_href("jo@samaritans.org"), "");
        assert_eq!(link_href("webchat on Breathing Space site"), "");
        assert_eq!(link_href("javascript:alert(1)"), "");
    }

    fn from_form(f: &HelplineForm) -> Helpline {
        Helpline {
            id: 0,
            organisation: f.organisation.clone(),
            service: f.service.clone(),
            purpose: f.purpose.clone(),
            phone: f.phone.clone(),
            call_note: f.call_note.clone(),
            text_number: f.text_number.clone(),
            text_body: f.text_body.clone(),
            textphone: f.textphone.clone(),
            email: f.email.clone(),
            web: f.web.clone(),
            hours: f.hours.clone(),
            nation: f.nation.clone(),
            tier: f.tier.clone(),
            number_verified: f.number_verified.clone(),
            notes: f.notes.clone(),
            source_url: f.source_url.clone(),
            verified_on: String::new(),
            verified_by: String::new(),
            sort_order: 0,
            ..Helpline::default()
        }
    }

    /// Every helpline the site shows to the public can be reached from its card (a call,
    /// a text, an email or a website) and is written without staff shorthand.
    #[test]
    fn every_seeded_helpline_is_reachable_and_plainly_written() {
        let seeded = crate::seed::seed_helplines().expect("the seed file passes the staff checks");
        assert!(seeded.len() >= 15, "{}", seeded.len());
        for f in &seeded {
            let h = from_form(f);
            assert!(
                h.reachable(),
                "{} {} has no way to reach it",
                h.organisation,
                h.service
            );
            for (field, text) in h.public_text() {
                assert_eq!(
                    shorthand(text),
                    None,
                    "{} {field}: {text:?}",
                    h.organisation
                );
            }
            assert!(
                h.phone.is_empty() == h.tel().is_empty(),
                "{}: the phone field holds only a number",
                h.organisation
            );
        }
        let by = |org: &str| from_form(seeded.iter().find(|f| f.organisation == org).unwrap());
        assert_eq!(by("Emergency services").tel(), "999");
        assert_eq!(by("Samaritans").tel(), "116123");
        assert_eq!(by("Samaritans").mailto(), "mailto:jo@samaritans.org");
        assert_eq!(by("Shout").sms_href(), "sms:85258?&body=SHOUT");
        assert_eq!(by("Lifeline").textphone_tel(), "1800108088088000");
        assert_eq!(by("NHS 111 Wales").call_note, "Then press 2");
    }

    #[test]
    fn shorthand_is_found_as_whole_words() {
        assert_eq!(shorthand("urgent advice incl. the hub").unwrap().0, "incl.");
        assert_eq!(shorthand("triage to a local team").unwrap().0, "triage");
        assert_eq!(shorthand("Mon–Fri 9am–6pm").unwrap().0, "mon");
        assert_eq!(shorthand("Open 24/7").unwrap().0, "24/7");
        assert_eq!(shorthand("Monday to Friday, 9am to 6pm"), None);
        assert_eq!(shorthand("Anyone struggling, including friends"), None);
        assert_eq!(shorthand("Talk to a trained volunteer"), None);
        assert_eq!(shorthand("A midwife sat with us; we wed in May"), None);
        assert_eq!(shorthand("Open Wed–Sat").unwrap().0, "wed");
    }

    #[test]
    fn links_for_each_way_to_reach_a_line() {
        let mut h = line("", "");
        assert!(!h.reachable());
        h.text_number = "85258".into();
        assert_eq!(h.sms_href(), "sms:85258");
        h.text_body = "PANDAS".into();
        assert_eq!(h.sms_href(), "sms:85258?&body=PANDAS");
        assert!(h.reachable());
        h.email = "not an address".into();
        assert_eq!(h.mailto(), "");
        h.web = "https://www.example.org/help/".into();
        assert_eq!(h.web_label(), "example.org/help");
    }
}
