//! National helplines: the help content shown first on the Get help page (and later on the
//! finder). Kept in the in-memory snapshot so it is served even when the database is down.
//! Each row carries its source and verification, and unverified numbers say so.

use crate::web::Msg;
use serde::Deserialize;

use crate::db::{Db, Tx};

/// One helpline or support service.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Helpline {
    pub id: i64,
    pub organisation: String,
    pub service: String,
    pub purpose: String,
    pub phone: String,
    pub text_number: String,
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

impl Helpline {
    pub fn urgency(&self) -> Urgency {
        match self.tier.as_str() {
            "emergency" => Urgency::Emergency,
            "urgent" | "crisis" => Urgency::Urgent,
            _ => Urgency::NonUrgent,
        }
    }

    /// True when staff have not confirmed the phone or text number.
    pub fn unverified(&self) -> bool {
        self.number_verified == "no"
    }

    /// Digits for a `tel:` link ("116 123" → "116123"), or "" when there is no dialable
    /// number at the start of the phone field.
    pub fn tel(&self) -> String {
        let digits: String = self
            .phone
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ' ')
            .filter(char::is_ascii_digit)
            .collect();
        if digits.len() >= 3 {
            digits
        } else {
            String::new()
        }
    }

    /// A web address made safe to link: only http(s) or a bare domain.
    pub fn web_href(&self) -> String {
        link_href(&self.web)
    }

    /// Whether this service covers a nation (UK-wide rows cover all four).
    pub fn serves(&self, nation: &str) -> bool {
        let n = self.nation.to_ascii_lowercase();
        n.starts_with("uk") || n.contains(&nation.replace('-', " "))
    }
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

/// All helplines in display order.
pub async fn helplines(db: &Db) -> sqlx::Result<Vec<Helpline>> {
    sqlx::query_as(
        "SELECT id, organisation, service, purpose, phone, text_number, web, hours, nation, \
         tier, number_verified, notes, source_url, verified_on, verified_by, sort_order \
         FROM helplines ORDER BY sort_order, id",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn helpline_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Helpline>> {
    sqlx::query_as(
        "SELECT id, organisation, service, purpose, phone, text_number, web, hours, nation, \
         tier, number_verified, notes, source_url, verified_on, verified_by, sort_order \
         FROM helplines WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await
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
    pub text_number: String,
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
            text_number: h.text_number.clone(),
            web: h.web.clone(),
            hours: h.hours.clone(),
            nation: h.nation.clone(),
            tier: h.tier.clone(),
            number_verified: h.number_verified.clone(),
            notes: h.notes.clone(),
            source_url: h.source_url.clone(),
            sort_order: h.sort_order.to_string(),
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
        for (name, v) in [
            ("organisation", &self.organisation),
            ("purpose", &self.purpose),
            ("notes", &self.notes),
        ] {
            if v.len() > 1000 {
                e.push((name, Msg::new("admin-err-keep-this-under-1-000-characters")));
            }
        }
        e
    }
}

/// Saves a helpline (insert when `id` is None). Returns its id.
pub async fn save_helpline(tx: &mut Tx, id: Option<i64>, f: &HelplineForm) -> sqlx::Result<i64> {
    let order: i64 = f.sort_order.trim().parse().unwrap_or(0);
    let sql = match id {
        Some(_) => {
            "UPDATE helplines SET organisation=$1, service=$2, purpose=$3, phone=$4, \
             text_number=$5, web=$6, hours=$7, nation=$8, tier=$9, number_verified=$10, \
             notes=$11, source_url=$12, sort_order=$13 WHERE id=$14 RETURNING id"
        }
        None => {
            "INSERT INTO helplines (organisation, service, purpose, phone, text_number, web, \
             hours, nation, tier, number_verified, notes, source_url, sort_order) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id"
        }
    };
    let mut q = sqlx::query_scalar(sql)
        .bind(f.organisation.trim())
        .bind(f.service.trim())
        .bind(f.purpose.trim())
        .bind(f.phone.trim())
        .bind(f.text_number.trim())
        .bind(f.web.trim())
        .bind(f.hours.trim())
        .bind(f.nation.trim())
        .bind(&f.tier)
        .bind(&f.number_verified)
        .bind(f.notes.trim())
        .bind(f.source_url.trim())
        .bind(order);
    if let Some(id) = id {
        q = q.bind(id);
    }
    q.fetch_one(&mut **tx).await
}

/// Records that a member of staff checked the number today.
pub async fn mark_verified(tx: &mut Tx, id: i64, by: &str, on: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE helplines SET number_verified = CASE WHEN number_verified = 'n/a' THEN 'n/a' \
         ELSE 'yes' END, verified_on = $1, verified_by = $2 WHERE id = $3",
    )
    .bind(on)
    .bind(by)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Deletes a helpline.
pub async fn delete_helpline(tx: &mut Tx, id: i64) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM helplines WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
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
            text_number: String::new(),
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
        }
    }

    #[test]
    fn tel_links() {
        assert_eq!(line("116 123", "").tel(), "116123");
        assert_eq!(line("111 then option 2", "").tel(), "111");
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
}
