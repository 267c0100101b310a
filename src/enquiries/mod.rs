//! Enquiries (`/contact`): one form whose fields follow its kind (media, membership,
//! other), stored, acknowledged to the sender with a reference, announced to the team's
//! mailbox, and answered from a staff inbox routed by role.

pub mod routes;

use rand::RngExt;

use crate::auth::{Role, StaffUser};
use crate::db::{self, Db, Tx};
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
        let mut errors: FieldErrors = Vec::new();
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

/// Stores a checked enquiry; returns its id and reference.
pub async fn create(
    tx: &mut Tx,
    d: &Draft,
    email: &str,
    deadline: Option<i64>,
    lang: Lang,
) -> sqlx::Result<(i64, String)> {
    let now = db::now();
    let media = d.kind == "media";
    let membership = d.kind == "membership";
    // A clash of random references is astronomically rare; try again if it happens.
    for _ in 0..5 {
        let reference = new_reference(&d.kind);
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO enquiries (reference, kind, name, email, phone, organisation, outlet, \
             nation, deadline, subject, message, lang, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             ON CONFLICT (reference) DO NOTHING RETURNING id",
        )
        .bind(&reference)
        .bind(&d.kind)
        .bind(&d.name)
        .bind(email)
        .bind(&d.phone)
        .bind(if membership {
            d.organisation.as_str()
        } else {
            ""
        })
        .bind(if media { d.outlet.as_str() } else { "" })
        .bind(if membership { d.nation.as_str() } else { "" })
        .bind(deadline.filter(|_| media))
        .bind(if media || membership {
            ""
        } else {
            d.subject.as_str()
        })
        .bind(&d.message)
        .bind(lang.code())
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = id {
            return Ok((id, reference));
        }
    }
    Err(sqlx::Error::RowNotFound)
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

const COLUMNS: &str = "e.id, e.reference, e.kind, e.name, e.email, e.phone, e.organisation, \
    e.outlet, e.nation, e.deadline, e.subject, e.message, e.lang, e.status, e.assignee_id, \
    CASE WHEN u.name = '' THEN u.email ELSE u.name END AS assignee, e.created_at, e.updated_at, \
    sf.categories AS risk";
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

/// The inbox: open enquiries flagged for safeguarding first (oldest first), then open
/// media enquiries with a deadline, soonest deadline first; then the rest, newest first.
/// Only `kinds` are listed.
pub async fn inbox(db: &Db, kinds: &[&str], f: &Filter) -> sqlx::Result<Vec<Enquiry>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} {FROM} \
         WHERE e.kind IN ({}) \
         AND ($1 = '' OR ($1 = 'open' AND e.status IN ('new', 'in_progress')) OR e.status = $1) \
         AND ($2 = '' OR e.kind = $2) AND ($3 = 0 OR e.assignee_id = $3) \
         ORDER BY CASE WHEN sf.id IS NOT NULL AND e.status IN ('new', 'in_progress') \
           THEN 0 ELSE 1 END, \
         CASE WHEN sf.id IS NOT NULL THEN e.created_at ELSE 0 END, \
         CASE WHEN e.kind = 'media' AND e.deadline IS NOT NULL \
           AND e.status IN ('new', 'in_progress') THEN 0 ELSE 1 END, \
         e.deadline, e.created_at DESC, e.id DESC LIMIT 500",
        db::marks(4, kinds.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&f.status)
        .bind(&f.kind)
        .bind(f.assignee.unwrap_or(0));
    for k in kinds {
        q = q.bind(*k);
    }
    q.fetch_all(&db.pool).await
}

/// Counts of new enquiries per kind (for the dashboard and the inbox's heading).
pub async fn new_counts(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT kind, CAST(COUNT(*) AS BIGINT) FROM enquiries WHERE status = 'new' GROUP BY kind",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Enquiry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} \
         WHERE e.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Every enquiry from one address (for a data-protection request).
pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Vec<Enquiry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} \
         WHERE e.email = $1 ORDER BY e.id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

/// Deletes every enquiry from one address, with its notes. Returns how many.
pub async fn erase(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    sqlx::query(
        "DELETE FROM enquiry_notes WHERE enquiry_id IN (SELECT id FROM enquiries WHERE email = $1)",
    )
    .bind(email)
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query("DELETE FROM enquiries WHERE email = $1")
        .bind(email)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// A staff note.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Note {
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

pub async fn notes(db: &Db, id: i64) -> sqlx::Result<Vec<Note>> {
    sqlx::query_as(
        "SELECT author, body, created_at FROM enquiry_notes WHERE enquiry_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

pub async fn add_note(tx: &mut Tx, id: i64, staff: &StaffUser, body: &str) -> sqlx::Result<()> {
    let author = if staff.name.is_empty() {
        &staff.email
    } else {
        &staff.name
    };
    sqlx::query(
        "INSERT INTO enquiry_notes (enquiry_id, author_id, author, body, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(staff.id)
    .bind(author)
    .bind(body)
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE enquiries SET updated_at = $1 WHERE id = $2")
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets status and assignee.
pub async fn update(tx: &mut Tx, id: i64, status: &str, assignee: Option<i64>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE enquiries SET status = $1, assignee_id = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(assignee)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Active staff who handle `kind`: (id, name or address).
pub async fn handlers(db: &Db, site: &Site, kind: &str) -> sqlx::Result<Vec<(i64, String)>> {
    let role = route(site, kind);
    sqlx::query_as(
        "SELECT id, CASE WHEN name = '' THEN email ELSE name END FROM users \
         WHERE disabled = 0 AND (role = 'admin' OR role = $1) ORDER BY name, email",
    )
    .bind(role.as_str())
    .fetch_all(&db.pool)
    .await
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
