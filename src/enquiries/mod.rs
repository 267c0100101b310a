//! Enquiries (`/contact`): one form whose fields follow its kind (media, membership,
//! other), stored, acknowledged to the sender with a reference, announced to the team's
//! mailbox, and answered from a staff inbox routed by role.

pub mod routes;
pub mod store;

use rand::RngExt;

use crate::auth::{Role, StaffUser};
use crate::i18n::Lang;
use crate::site::settings::{NATIONS, Site};
use crate::web::input::{one_line, paragraphs, phone_ok};
use crate::web::{FieldErrors, Msg};

/// The kinds, in the order the chooser shows them.
pub const KINDS: &[&str] = &["media", "membership", "other"];
/// Statuses, in workflow order.
pub const STATUSES: &[&str] = &["new", "in_progress", "answered", "closed"];

/// Longest message accepted.
pub const MAX_MESSAGE: usize = 5000;

/// The role whose inbox receives `kind` (a site setting, with a default).
pub fn route(site: &Site, kind: &str) -> Role {
    Role::parse(site.get(&format!("route_{kind}"))).unwrap_or(match kind {
        "media" => Role::Editor,
        "other" => Role::Moderator,
        _ => Role::Admin,
    })
}

/// Whether `staff` works on enquiries of `kind`: admins on all, others on their role's.
pub fn handles(staff: &StaffUser, site: &Site, kind: &str) -> bool {
    staff.role == Role::Admin || route(site, kind) == staff.role
}

/// The kinds `staff` works on.
pub fn kinds_for(staff: &StaffUser, site: &Site) -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|k| handles(staff, site, k))
        .collect()
}

/// A form as submitted (and as shown again with its errors).
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub kind: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub organisation: String,
    pub outlet: String,
    pub nation: String,
    /// As typed in the `datetime-local` field (UK time).
    pub deadline: String,
    pub subject: String,
    pub message: String,
}

impl Draft {
    pub fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            match k.as_str() {
                "type" => d.kind = one_line(v, 20),
                "name" => d.name = one_line(v, 300),
                "email" => d.email = one_line(v, 300),
                "phone" => d.phone = one_line(v, 100),
                "organisation" => d.organisation = one_line(v, 500),
                "outlet" => d.outlet = one_line(v, 500),
                "nation" => d.nation = one_line(v, 30),
                "deadline" => d.deadline = one_line(v, 30),
                "subject" => d.subject = one_line(v, 500),
                // Line breaks are the message's own; other control characters go.
                "message" => d.message = paragraphs(v, MAX_MESSAGE + 1000),
                _ => {}
            }
        }
        d
    }

    /// Checks the draft for its kind. The deadline comes back parsed.
    pub fn check(&self, now: i64) -> Result<(String, Option<i64>), FieldErrors> {
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
        let email = match crate::mail::list::normalise_email(&self.email) {
            Ok(e) => Some(e),
            Err(key) => {
                errors.push(("email", Msg::new(key)));
                None
            }
        };
        if self.name.is_empty() {
            errors.push(("name", Msg::new("contact-error-name")));
        } else if self.name.chars().count() > 100 {
            errors.push(("name", Msg::new("contact-error-name-long")));
        }
        if !self.phone.is_empty() && !phone_ok(&self.phone) {
            errors.push(("phone", Msg::new("contact-error-phone")));
        }
        let mut deadline = None;
        match self.kind.as_str() {
            "media" => {
                if self.outlet.is_empty() {
                    errors.push(("outlet", Msg::new("contact-error-outlet")));
                } else if self.outlet.chars().count() > 200 {
                    errors.push(("outlet", Msg::new("contact-error-too-long-200")));
                }
                if !self.deadline.is_empty() {
                    match crate::uktime::parse_uk_datetime(&self.deadline) {
                        Some(t) if t > now => deadline = Some(t),
                        Some(_) => {
                            errors.push(("deadline", Msg::new("contact-error-deadline-past")))
                        }
                        None => errors.push(("deadline", Msg::new("contact-error-deadline"))),
                    }
                }
            }
            "membership" => {
                if self.organisation.is_empty() {
                    errors.push(("organisation", Msg::new("contact-error-organisation")));
                } else if self.organisation.chars().count() > 200 {
                    errors.push(("organisation", Msg::new("contact-error-too-long-200")));
                }
                if !self.nation.is_empty() && !NATIONS.contains(&self.nation.as_str()) {
                    errors.push(("nation", Msg::new("contact-error-nation")));
                }
            }
            _ => {
                if self.subject.chars().count() > 200 {
                    errors.push(("subject", Msg::new("contact-error-too-long-200")));
                }
            }
        }
        if self.message.is_empty() {
            errors.push(("message", Msg::new("contact-error-message")));
        } else if self.message.chars().count() > MAX_MESSAGE {
            errors.push((
                "message",
                Msg::new("contact-error-message-long").arg("max", MAX_MESSAGE),
            ));
        }
        match email {
            Some(e) if errors.is_empty() => Ok((e, deadline)),
            _ => Err(errors),
        }
    }
}

/// A reference people can read out on the phone: a prefix for the kind and six letters or
/// digits that cannot be confused (no 0/O, 1/I/L).
fn new_reference(kind: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let prefix = match kind {
        "media" => "MED",
        "membership" => "MEM",
        _ => "ENQ",
    };
    let mut rng = rand::rng();
    let code: String = (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}-{code}")
}

/// Whether `s` has the shape of a reference (so a thank-you page never echoes anything else).
pub fn is_reference(s: &str) -> bool {
    let Some((prefix, code)) = s.split_once('-') else {
        return false;
    };
    matches!(prefix, "MED" | "MEM" | "ENQ")
        && code.len() == 6
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// One enquiry as staff see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Enquiry {
    pub id: i64,
    pub reference: String,
    pub kind: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub organisation: String,
    pub outlet: String,
    pub nation: String,
    pub deadline: Option<i64>,
    pub subject: String,
    pub message: String,
    pub lang: String,
    pub status: String,
    pub assignee_id: Option<i64>,
    /// The assignee's name or address.
    pub assignee: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The safeguarding categories found in it ("suicide,unsafe"), when it was flagged.
    pub risk: Option<String>,
}

impl Enquiry {
    /// What was written disclosed risk: it comes first, marked urgent.
    pub fn is_urgent(&self) -> bool {
        self.risk.is_some()
    }
    /// The kinds of risk, in staff words.
    pub fn risk_names(&self) -> String {
        crate::safeguard::category_names(crate::safeguard::Finding::from_codes(
            self.risk.as_deref().unwrap_or(""),
        ))
    }
    pub fn is_open(&self) -> bool {
        self.status == "new" || self.status == "in_progress"
    }
    /// An open media enquiry whose deadline has passed.
    pub fn overdue(&self, now: i64) -> bool {
        self.is_open() && self.deadline.is_some_and(|d| d < now)
    }
}

/// The enquiry with its assignee and its safeguarding flag, if any.
const FROM: &str = "FROM enquiries e LEFT JOIN users u ON u.id = e.assignee_id \
    LEFT JOIN safeguarding_flags sf ON sf.channel = 'enquiry' AND sf.item_id = e.id";

/// What the inbox shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// "open" (new or in progress), "" for all, or one status.
    pub status: String,
    /// "" for every kind this person handles.
    pub kind: String,
    /// Only those assigned to this user.
    pub assignee: Option<i64>,
}

/// A staff note.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Note {
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: &str) -> Draft {
        Draft {
            kind: kind.into(),
            name: "Sam Reporter".into(),
            email: "sam@news.example".into(),
            message: "Could someone talk to us about the map?".into(),
            outlet: "Evening News".into(),
            organisation: "Bumps Together".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn each_kind_asks_for_its_own_fields() {
        let now = 1_790_000_000;
        assert!(draft("media").check(now).is_ok());
        let mut d = draft("media");
        d.outlet.clear();
        d.deadline = "2020-01-01T10:00".into();
        let fields: Vec<&str> = d.check(now).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["outlet", "deadline"]);
        let mut d = draft("membership");
        d.organisation.clear();
        d.nation = "atlantis".into();
        let fields: Vec<&str> = d.check(now).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["organisation", "nation"]);
        let mut d = draft("other");
        d.email = "not an address".into();
        d.phone = "call me maybe".into();
        d.message = "x".repeat(MAX_MESSAGE + 1);
        let fields: Vec<&str> = d.check(now).unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["email", "phone", "message"]);
    }

    #[test]
    fn names_lose_header_lines_and_messages_keep_their_paragraphs() {
        let d = Draft::from_pairs(&[
            ("name".into(), "Eve\r\nBcc: all@example.org".into()),
            ("message".into(), "Line one\r\n\r\nLine two\u{0}".into()),
        ]);
        assert_eq!(d.name, "Eve  Bcc: all@example.org");
        assert_eq!(d.message, "Line one\n\nLine two");
    }

    #[test]
    fn references_are_readable_and_recognised() {
        let r = new_reference("media");
        assert!(r.starts_with("MED-") && is_reference(&r), "{r}");
        assert!(!r[4..].contains(['0', 'O', '1', 'I', 'L']));
        assert!(!is_reference("MED-<scr>"));
        assert!(!is_reference("XYZ-ABCDEF"));
    }
}
