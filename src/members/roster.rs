//! Supporters (individuals and local groups, who sign up themselves) and the Lived
//! Experience Champions (added by staff). Each person decides what the public list shows
//! about them, through a private link sent by email, and can leave at any time; nothing
//! is listed until they have used that link.

use crate::db::{self, Db, Tx};
use crate::i18n::Lang;
use crate::site::settings::NATIONS;
use crate::token::PrivateLink;
use crate::web::{FieldErrors, Msg};

/// The two lists.
pub const LISTS: &[&str] = &["supporter", "champion"];
/// What is shown of a name.
pub const SHOW_NAME: &[&str] = &["full", "first", "none"];

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub list: String,
    pub name: String,
    pub kind: String,
    pub nation: String,
    pub town: String,
    pub line: String,
    pub email: String,
    pub show_name: String,
    pub show_nation: i64,
    pub status: String,
    pub lang: String,
    pub created_at: i64,
    /// A Champion's photo (`/images/{photo}`), or "".
    pub photo: String,
}

impl Entry {
    /// The name as the person chose to show it ("" when they chose not to).
    pub fn shown_name(&self) -> String {
        if self.kind == "group" {
            return self.name.clone();
        }
        match self.show_name.as_str() {
            "full" => self.name.clone(),
            "first" => self
                .name
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
            _ => String::new(),
        }
    }
    pub fn shows_nation(&self) -> bool {
        self.show_nation == 1 && !self.nation.is_empty()
    }
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.lang).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, list, name, kind, nation, town, line, email, show_name, \
    show_nation, status, lang, created_at, photo";

/// A sign-up or a staff addition, as typed.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub name: String,
    pub kind: String,
    pub nation: String,
    pub town: String,
    pub email: String,
    pub show_name: String,
}

impl Draft {
    pub fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            let v = crate::web::input::one_line(v, 300);
            match k.as_str() {
                "name" => d.name = v,
                "kind" => d.kind = v,
                "nation" => d.nation = v,
                "town" => d.town = v,
                "email" => d.email = v,
                "show_name" => d.show_name = v,
                _ => {}
            }
        }
        d
    }

    pub fn check(&self) -> Result<String, FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        if self.name.is_empty() {
            errors.push(("name", Msg::new("roster-error-name")));
        } else if self.name.chars().count() > 100 {
            errors.push(("name", Msg::new("story-error-too-long-80")));
        }
        if !["individual", "group"].contains(&self.kind.as_str()) {
            errors.push(("kind-individual", Msg::new("roster-error-kind")));
        }
        if !self.nation.is_empty() && !NATIONS.contains(&self.nation.as_str()) {
            errors.push(("nation", Msg::new("contact-error-nation")));
        }
        if self.town.chars().count() > 80 {
            errors.push(("town", Msg::new("story-error-too-long-80")));
        }
        if !self.show_name.is_empty() && !SHOW_NAME.contains(&self.show_name.as_str()) {
            errors.push(("show_name-full", Msg::new("roster-error-show-name")));
        }
        match crate::mail::list::normalise_email(&self.email) {
            Ok(e) if errors.is_empty() => Ok(e),
            Ok(_) => Err(errors),
            Err(key) => {
                errors.push(("email", Msg::new(key)));
                Err(errors)
            }
        }
    }
}

/// Adds an entry waiting for its person to use the private link; returns the link's
/// token. An address already on the list gets a new link instead of a second entry.
pub async fn add(
    tx: &mut Tx,
    list: &str,
    d: &Draft,
    email: &str,
    lang: Lang,
) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    let hash = link.hash();
    let now = db::now();
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM roster WHERE list = $1 AND email = $2")
            .bind(list)
            .bind(email)
            .fetch_optional(&mut **tx)
            .await?;
    match existing {
        Some(id) => {
            sqlx::query("UPDATE roster SET manage_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(&hash)
                .bind(now)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO roster (list, name, kind, nation, town, email, show_name, lang, \
                 manage_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(list)
            .bind(&d.name)
            .bind(if d.kind.is_empty() {
                "individual"
            } else {
                d.kind.as_str()
            })
            .bind(&d.nation)
            .bind(&d.town)
            .bind(email)
            .bind(if d.show_name.is_empty() {
                "first"
            } else {
                d.show_name.as_str()
            })
            .bind(lang.code())
            .bind(&hash)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(link.into_string())
}

pub async fn by_token(db: &Db, token: &str) -> sqlx::Result<Option<Entry>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE manage_hash = $1"
    )))
    .bind(link.hash())
    .fetch_optional(&db.pool)
    .await
}

/// The person's choices: saving them also lists the entry (unless staff hid it).
pub async fn save_choices(
    tx: &mut Tx,
    e: &Entry,
    show_name: &str,
    show_nation: bool,
    town: &str,
    line: &str,
    photo: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE roster SET show_name = $1, show_nation = $2, town = $3, line = $4, \
         photo = $7, \
         status = CASE WHEN status = 'hidden' THEN 'hidden' ELSE 'listed' END, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(show_name)
    .bind(i64::from(show_nation))
    .bind(town)
    .bind(line)
    .bind(db::now())
    .bind(e.id)
    .bind(photo)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await
}

/// Leaving: the entry and everything in it is deleted.
pub async fn leave(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM roster WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    db::bump_content_version(tx).await
}

/// Staff hide an entry from the public list (or show it again).
pub async fn set_hidden(tx: &mut Tx, id: i64, hidden: bool) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE roster SET status = CASE WHEN $1 = 1 THEN 'hidden' ELSE 'listed' END, \
         updated_at = $2 WHERE id = $3 AND status <> 'pending'",
    )
    .bind(i64::from(hidden))
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    db::bump_content_version(tx).await
}

/// The public list.
pub async fn listed(db: &Db, list: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE list = $1 AND status = 'listed' \
         ORDER BY LOWER(name), id"
    )))
    .bind(list)
    .fetch_all(&db.pool)
    .await
}

/// Everything on a list, for staff.
pub async fn all(db: &Db, list: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE list = $1 ORDER BY created_at DESC, id DESC LIMIT 2000"
    )))
    .bind(list)
    .fetch_all(&db.pool)
    .await
}

pub async fn get(db: &Db, id: i64) -> sqlx::Result<Option<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// For a data-protection request.
pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roster WHERE email = $1 ORDER BY id"
    )))
    .bind(email)
    .fetch_all(&db.pool)
    .await
}

pub async fn erase(tx: &mut Tx, email: &str) -> sqlx::Result<u64> {
    let n = sqlx::query("DELETE FROM roster WHERE email = $1")
        .bind(email)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n > 0 {
        db::bump_content_version(tx).await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, show: &str) -> Entry {
        Entry {
            id: 1,
            list: "supporter".into(),
            name: "Sara Jane Evans".into(),
            kind: kind.into(),
            nation: "wales".into(),
            town: String::new(),
            line: String::new(),
            email: String::new(),
            show_name: show.into(),
            show_nation: 1,
            status: "listed".into(),
            lang: "en".into(),
            created_at: 0,
            photo: String::new(),
        }
    }

    #[test]
    fn each_person_chooses_how_their_name_shows() {
        assert_eq!(entry("individual", "full").shown_name(), "Sara Jane Evans");
        assert_eq!(entry("individual", "first").shown_name(), "Sara");
        assert_eq!(entry("individual", "none").shown_name(), "");
        assert_eq!(
            entry("group", "none").shown_name(),
            "Sara Jane Evans",
            "a group is its name"
        );
    }
}
