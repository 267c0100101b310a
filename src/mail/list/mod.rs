//! Subscribers: sign-up with double opt-in, confirmation, preferences and unsubscribing,
//! each recorded as a consent event.

use sha2::{Digest, Sha256};

use crate::i18n::Lang;
use crate::token::PrivateLink;

pub mod store;

/// Topics a subscriber can choose (message ids `subscribe-topic-{code}`).
pub const TOPICS: &[&str] = &["ebulletin", "campaigns", "policy", "events"];
/// Who they are (message ids `subscribe-audience-{code}`).
pub const AUDIENCES: &[&str] = &["parent", "professional", "organisation", "supporter"];

/// The consent wording's version: a digest of the exact text shown in both languages, so a
/// change of wording is a new version without anyone having to remember to bump it.
pub fn consent_version() -> String {
    let mut h = Sha256::new();
    h.update(Lang::En.t("subscribe-consent").as_bytes());
    h.update([0]);
    h.update(Lang::Cy.t("subscribe-consent").as_bytes());
    let d = h.finalize();
    d[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a lower-cased address, for the suppression list.
pub fn email_hash(email: &str) -> String {
    let d = Sha256::digest(email.trim().to_lowercase().as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks and normalises an email address; the error is a message id.
pub fn normalise_email(input: &str) -> Result<String, &'static str> {
    let e = input.trim();
    if e.is_empty() {
        return Err("subscribe-error-email-empty");
    }
    if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("subscribe-error-email-format");
    }
    let Some((local, domain)) = e.rsplit_once('@') else {
        return Err("subscribe-error-email-format");
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err("subscribe-error-email-format");
    }
    if lettre::Address::new(local, domain).is_err() {
        return Err("subscribe-error-email-format");
    }
    Ok(format!("{local}@{}", domain.to_lowercase()).to_lowercase())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub nation: String,
    pub audience: String,
    pub lang: String,
    pub topics: String,
    pub status: String,
    pub source: String,
    pub manage_token: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub unsubscribed_at: Option<i64>,
}

impl Subscriber {
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.lang).unwrap_or_default()
    }
    pub fn has_topic(&self, t: &str) -> bool {
        self.topics.split(',').any(|x| x == t)
    }
}

/// Preferences as chosen on a form.
#[derive(Debug, Clone, Default)]
pub struct Prefs {
    pub name: String,
    pub nation: String,
    pub audience: String,
    pub lang: Lang,
    pub topics: Vec<String>,
}

impl Prefs {
    fn topics_text(&self) -> String {
        TOPICS
            .iter()
            .filter(|t| self.topics.iter().any(|x| x == *t))
            .copied()
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// What a sign-up led to. The visitor sees the same page in every case.
pub enum Signup {
    /// New, pending or previously unsubscribed: a confirmation link to send.
    Confirm(Subscriber, String),
    /// Already confirmed: tell them by email, change nothing.
    AlreadySubscribed(Subscriber),
    /// A confirmation went to this address minutes ago: send nothing more.
    Quiet,
}

/// Minimum seconds between two confirmation emails to one address.
const RESEND_AFTER: i64 = 300;

/// The staff list's filters ("" for any).
pub struct Filter<'a> {
    /// Part of an address or name.
    pub text: &'a str,
    pub status: &'a str,
    pub nation: &'a str,
    pub audience: &'a str,
    pub lang: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_normalised() {
        assert_eq!(
            normalise_email("  Parent.Name@Example.COM ").unwrap(),
            "parent.name@example.com"
        );
        for bad in [
            "",
            "no-at-sign",
            "a@b",
            "a b@example.com",
            "a@@example.com",
            "@example.com",
            "a@example..com",
            "a@.example.com",
            "<script>@example.com",
            "x@exa mple.com",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
        assert!(normalise_email(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert_eq!(email_hash("A@Example.com"), email_hash("a@example.com "));
    }
}
