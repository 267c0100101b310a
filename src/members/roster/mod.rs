//! Supporters (individuals and local groups, who sign up themselves) and the Lived
//! Experience Champions (added by staff). Each person decides what the public list shows
//! about them, through a private link sent by email, and can leave at any time; nothing
//! is listed until they have used that link.

use crate::i18n::Lang;
use crate::site::settings::NATIONS;
use crate::token::PrivateLink;
use crate::web::{FieldErrors, Msg};

pub mod store;

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
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
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
