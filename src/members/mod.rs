//! Membership: applications from organisations, their review (received → under review →
//! approved or declined, with an email at each step), and the public directory of
//! approved members (`/members`), each with a profile page.

pub mod roster;
pub mod roster_routes;
pub mod routes;
pub mod store;

use sha2::{Digest, Sha256};

use crate::auth::StaffUser;
use crate::i18n::Lang;
use crate::site::settings::NATIONS;
use crate::web::input::{one_line as line, paragraphs as text, phone_ok};
use crate::web::{FieldErrors, Msg};

/// Kinds of member organisation (message ids `member-kind-{code}`).
pub const KINDS: &[&str] = &[
    "charity",
    "nhs",
    "professional",
    "research",
    "community",
    "other",
];
/// Statuses, in workflow order.
pub const STATUSES: &[&str] = &["received", "under_review", "approved", "declined", "left"];

/// The principles' wording version: a digest of the text in both languages.
pub fn principles_version() -> String {
    let mut h = Sha256::new();
    for lang in [Lang::En, Lang::Cy] {
        h.update(lang.t("member-principles").as_bytes());
        h.update([0]);
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An application as typed (and shown again with its errors).
#[derive(Debug, Clone, Default)]
pub struct Application {
    pub name: String,
    pub kind: String,
    pub nation: String,
    pub website: String,
    pub profile: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub reason: String,
    pub principles: bool,
}

/// A website address as typed, made whole (`example.org` → `https://example.org`); `None`
/// when it is not one.
pub fn website(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return Some(String::new());
    }
    let full = if v.starts_with("https://") || v.starts_with("http://") {
        v.to_string()
    } else {
        format!("https://{v}")
    };
    (full.len() <= 200 && crate::web::input::web_address_ok(&full)).then_some(full)
}

impl Application {
    pub fn from_pairs(pairs: &[(String, String)]) -> Application {
        let mut a = Application::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => a.name = line(v, 300),
                "kind" => a.kind = line(v, 30),
                "nation" => a.nation = line(v, 30),
                "website" => a.website = line(v, 400),
                "profile" => a.profile = text(v, 2000),
                "contact_name" => a.contact_name = line(v, 200),
                "contact_email" => a.contact_email = line(v, 300),
                "contact_phone" => a.contact_phone = line(v, 100),
                "reason" => a.reason = text(v, 4000),
                "principles" => a.principles = true,
                _ => {}
            }
        }
        a
    }

    /// Checks the application; the cleaned email and website come back.
    pub fn check(&self) -> Result<(String, String), FieldErrors> {
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
        if self.name.is_empty() {
            errors.push(("name", Msg::new("member-error-name")));
        } else if self.name.chars().count() > 150 {
            errors.push(("name", Msg::new("member-error-too-long-150")));
        }
        if !KINDS.contains(&self.kind.as_str()) {
            errors.push(("kind-charity", Msg::new("member-error-kind")));
        }
        if !NATIONS.contains(&self.nation.as_str()) {
            errors.push(("nation", Msg::new("member-error-nation")));
        }
        let site = website(&self.website).unwrap_or_else(|| {
            errors.push(("website", Msg::new("member-error-website")));
            String::new()
        });
        if self.profile.is_empty() {
            errors.push(("profile", Msg::new("member-error-profile")));
        } else if self.profile.chars().count() > 600 {
            errors.push(("profile", Msg::new("member-error-profile-long")));
        }
        if self.contact_name.is_empty() {
            errors.push(("contact_name", Msg::new("contact-error-name")));
        }
        let email = match crate::mail::list::normalise_email(&self.contact_email) {
            Ok(e) => Some(e),
            Err(key) => {
                errors.push(("contact_email", Msg::new(key)));
                None
            }
        };
        if !self.contact_phone.is_empty() && !phone_ok(&self.contact_phone) {
            errors.push(("contact_phone", Msg::new("contact-error-phone")));
        }
        if self.reason.is_empty() {
            errors.push(("reason", Msg::new("member-error-reason")));
        } else if self.reason.chars().count() > 2000 {
            errors.push(("reason", Msg::new("member-error-reason-long")));
        }
        if !self.principles {
            errors.push(("principles", Msg::new("member-error-principles")));
        }
        match email {
            Some(e) if errors.is_empty() => Ok((e, site)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub slug: Option<String>,
    pub name: String,
    pub kind: String,
    pub nation: String,
    pub website: String,
    pub profile: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub reason: String,
    pub principles_version: String,
    pub lang: String,
    pub status: String,
    pub decision_reason: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub decided_at: Option<i64>,
    /// A cleaned picture's name (`/images/{logo}`), or "".
    pub logo: String,
}

impl Member {
    /// Still waiting for a decision (received or under review).
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "received" | "under_review")
    }
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.lang).unwrap_or_default()
    }
    /// Two letters for the directory when there is no logo.
    pub fn initials(&self) -> String {
        self.name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_alphanumeric())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect()
    }
    pub fn profile_paragraphs(&self) -> Vec<&str> {
        self.profile
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_made_whole_or_refused() {
        assert_eq!(website("example.org").unwrap(), "https://example.org");
        assert_eq!(
            website("http://bumps.example/about").unwrap(),
            "http://bumps.example/about"
        );
        assert_eq!(website("").unwrap(), "");
        for bad in [
            "javascript:alert(1)",
            "not a site",
            "https://x",
            "https://a.b\"onclick",
        ] {
            assert!(website(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_application_needs_its_fields_and_the_principles() {
        let a = Application {
            name: "Bumps Together".into(),
            kind: "community".into(),
            nation: "wales".into(),
            profile: "A peer group for new parents in Powys.".into(),
            contact_name: "Ann".into(),
            contact_email: "ann@bumps.example".into(),
            reason: "To learn from other groups.".into(),
            principles: true,
            ..Application::default()
        };
        assert!(a.check().is_ok());
        let b = Application {
            kind: "pirates".into(),
            principles: false,
            website: "javascript:alert(1)".into(),
            ..a
        };
        let fields: Vec<&str> = b.check().unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["kind-charity", "website", "principles"]);
        assert_eq!(principles_version().len(), 12);
    }
}
