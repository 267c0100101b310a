//! Membership: applications from organisations, their review (received → under review →
//! approved or declined, with an email at each step), and the public directory of
//! approved members (`/members`), each with a profile page.

pub mod roster;
pub mod roster_routes;
pub mod routes;

use sha2::{Digest, Sha256};

use crate::auth::StaffUser;
use crate::db::{self, Db, Tx};
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
        let mut errors: FieldErrors = Vec::new();
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

/// A URL name for a member from its name, unique among members.
async fn unique_slug(tx: &mut Tx, name: &str, id: i64) -> sqlx::Result<String> {
    let mut base = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
    }
    let base = base
        .trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>();
    let base = if base.is_empty() {
        format!("member-{id}")
    } else {
        base
    };
    let mut slug = base.clone();
    for n in 2.. {
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE slug = $1 AND id <> $2")
                .bind(&slug)
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        if taken == 0 {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// Stores a checked application; returns its id.
pub async fn create(
    tx: &mut Tx,
    a: &Application,
    email: &str,
    website: &str,
    lang: Lang,
) -> sqlx::Result<i64> {
    let now = db::now();
    sqlx::query_scalar(
        "INSERT INTO members (name, kind, nation, website, profile, contact_name, \
         contact_email, contact_phone, reason, principles_version, lang, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(&a.name)
    .bind(&a.kind)
    .bind(&a.nation)
    .bind(website)
    .bind(&a.profile)
    .bind(&a.contact_name)
    .bind(email)
    .bind(&a.contact_phone)
    .bind(&a.reason)
    .bind(principles_version())
    .bind(lang.code())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
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

const COLUMNS: &str = "id, slug, name, kind, nation, website, profile, contact_name, \
    contact_email, contact_phone, reason, principles_version, lang, status, decision_reason, \
    created_at, updated_at, decided_at, logo";

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn get_in(tx: &mut Tx, id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn by_slug(db: &Db, slug: &str) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE slug = $1 AND status = 'approved'"
    )))
    .bind(slug)
    .fetch_optional(&db.pool)
    .await
}

/// Approved members, by name, optionally of one nation and kind.
pub async fn directory(db: &Db, nation: &str, kind: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE status = 'approved' \
         AND ($1 = '' OR nation = $1) AND ($2 = '' OR kind = $2) ORDER BY LOWER(name), id"
    )))
    .bind(nation)
    .bind(kind)
    .fetch_all(&db.pool)
    .await
}

/// Applications and members for staff: `status` "" for all but those who left.
pub async fn list(db: &Db, status: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE ($1 = '' AND status <> 'left') OR status = $1 \
         ORDER BY CASE status WHEN 'received' THEN 0 WHEN 'under_review' THEN 1 ELSE 2 END, \
         created_at, id LIMIT 1000"
    )))
    .bind(status)
    .fetch_all(&db.pool)
    .await
}

pub async fn open_count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE status IN ('received', 'under_review')")
        .fetch_one(&db.pool)
        .await
}

/// Staff corrections to the public profile (before or after approval).
pub async fn save_profile(
    tx: &mut Tx,
    id: i64,
    name: &str,
    kind: &str,
    nation: &str,
    website: &str,
    profile: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET name = $1, kind = $2, nation = $3, website = $4, profile = $5, \
         updated_at = $6 WHERE id = $7",
    )
    .bind(name)
    .bind(kind)
    .bind(nation)
    .bind(website)
    .bind(profile)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves an application along. Approval gives it a URL name and publishes the profile;
/// leaving or declining takes it down. Returns false when the step does not apply to
/// the current status (nothing changes).
pub async fn decide(
    tx: &mut Tx,
    m: &Member,
    to: &str,
    reason: &str,
    staff: &StaffUser,
) -> sqlx::Result<bool> {
    let allowed: &[&str] = match to {
        "under_review" => &["received"],
        "approved" => &["received", "under_review", "declined", "left"],
        "declined" => &["received", "under_review"],
        "left" => &["approved"],
        _ => &[],
    };
    if !allowed.contains(&m.status.as_str()) {
        return Ok(false);
    }
    let slug = if to == "approved" {
        Some(unique_slug(tx, &m.name, m.id).await?)
    } else {
        m.slug.clone()
    };
    sqlx::query(
        "UPDATE members SET status = $1, decision_reason = $2, slug = $3, reviewer_id = $4, \
         decided_at = $5, updated_at = $5 WHERE id = $6",
    )
    .bind(to)
    .bind(reason)
    .bind(slug)
    .bind(staff.id)
    .bind(db::now())
    .bind(m.id)
    .execute(&mut **tx)
    .await?;
    if to == "approved" || m.status == "approved" {
        db::bump_content_version(tx).await?;
    }
    Ok(true)
}

/// Sets or clears a member's logo.
pub async fn set_logo(tx: &mut Tx, id: i64, logo: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET logo = $1, updated_at = $2 WHERE id = $3")
        .bind(logo)
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    db::bump_content_version(tx).await
}

/// Applications whose contact is this address (for a data-protection request).
pub async fn by_contact(db: &Db, email: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE contact_email = $1 ORDER BY id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

/// Erases a contact person from applications and memberships: the organisation's own
/// profile stays (it is not about a person), the contact's name, address and phone go.
pub async fn erase_contact(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE members SET contact_name = '', contact_email = '', contact_phone = '', \
         updated_at = $1 WHERE contact_email = $2",
    )
    .bind(db::now())
    .bind(email)
    .execute(&mut **tx)
    .await?
    .rows_affected())
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
