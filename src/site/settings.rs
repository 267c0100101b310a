//! Site identity: the alliance's name, nations, colours, contacts and footer. Stored as
//! key/value rows so an admin edits them; validated here so a bad colour or address never
//! reaches a page.

use std::collections::HashMap;

use crate::db::{Db, Tx};
use crate::web::Msg;

/// Every editable identity field, with its default (used until an admin saves a value).
pub const FIELDS: &[(&str, &str)] = &[
    ("name", "Maternal Mental Health Alliance"),
    ("short_name", "MMHA"),
    (
        "vision",
        "All women across the UK get consistent, accessible and quality care and support for \
         their mental health during pregnancy and in the year after giving birth.",
    ),
    ("vision_cy", ""),
    ("nations", "england,wales,scotland,northern-ireland"),
    ("colour_primary", "#5a2d82"),
    ("colour_accent", "#00703c"),
    ("contact_media", "media@example.org"),
    ("contact_membership", "membership@example.org"),
    ("contact_other", "info@example.org"),
    // Which staff role answers each kind of enquiry (admins see every kind).
    ("route_media", "editor"),
    ("route_membership", "admin"),
    ("route_other", "moderator"),
    (
        "footer_text",
        "Demo installation of mmha. Replace this text with the alliance's registered charity \
         details.",
    ),
    ("exit_url", "https://www.bbc.co.uk/weather"),
    // The home page features the current or next campaign by itself; this box is for
    // anything else staff want to put forward.
    (
        "featured_title",
        "Is there specialist help where you live? (demo)",
    ),
    (
        "featured_text",
        "Our map shows the specialist perinatal mental health services in every health area \
         of the four nations. Look up your area and share it with the people who plan services.",
    ),
    ("featured_link", "/map"),
    // Pictures: the logo in the header (the standard mark and the name when empty) and
    // the home page's picture with its description. `hero_demo` marks the demo picture.
    ("logo", ""),
    ("hero_image", ""),
    ("hero_image_alt", ""),
    ("hero_image_alt_cy", ""),
    ("hero_demo", ""),
];

/// The nations an alliance may serve.
pub const NATIONS: &[&str] = &["england", "wales", "scotland", "northern-ireland"];

/// Site identity as the templates read it.
#[derive(Clone, Debug)]
pub struct Site {
    values: HashMap<String, String>,
}

impl Site {
    /// Builds from stored rows, falling back to defaults for missing keys.
    pub fn from_rows(rows: Vec<(String, String)>) -> Site {
        let mut values: HashMap<String, String> = FIELDS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in rows {
            values.insert(k, v);
        }
        Site { values }
    }

    /// The value of `key` ("" when unknown).
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.get("name")
    }

    /// The nations served, in display order.
    pub fn nations(&self) -> Vec<&str> {
        self.get("nations")
            .split(',')
            .map(str::trim)
            .filter(|n| NATIONS.contains(n))
            .collect()
    }

    /// The stylesheet that carries the admin-chosen colours. Served from its own URL so the
    /// Content-Security-Policy never needs `unsafe-inline` styles.
    pub fn theme_css(&self) -> String {
        format!(
            ":root {{ --brand: {}; --accent: {}; }}\n",
            self.get("colour_primary"),
            self.get("colour_accent")
        )
    }
}

/// Reads all stored settings.
pub async fn site(db: &Db) -> sqlx::Result<Site> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM site_settings")
        .fetch_all(&db.pool)
        .await?;
    Ok(Site::from_rows(rows))
}

/// Saves the given settings (already validated).
pub async fn save_settings(tx: &mut Tx, values: &[(String, String)]) -> sqlx::Result<()> {
    for (k, v) in values {
        sqlx::query(
            "INSERT INTO site_settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(k)
        .bind(v)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Checks a submitted settings form. Returns the cleaned values or field → message errors.
pub fn validate(
    form: &HashMap<String, String>,
) -> Result<Vec<(String, String)>, crate::web::FieldErrors> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (key, _) in FIELDS {
        let value = form
            .get(*key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default();
        let problem = match *key {
            "name" | "short_name" if value.is_empty() => Some(Msg::new("admin-err-enter-a-name")),
            "name" | "short_name" if value.chars().count() > 120 => {
                Some(Msg::new("admin-err-name-too-long"))
            }
            "colour_primary" | "colour_accent" => colour_problem(&value),
            "contact_media" | "contact_membership" | "contact_other"
                if !value.is_empty() && !looks_like_email(&value) =>
            {
                Some(Msg::new("admin-err-enter-an-email-address-like-name"))
            }
            "route_media" | "route_membership" | "route_other"
                if crate::auth::Role::parse(&value).is_none() && !value.is_empty() =>
            {
                Some(Msg::new("admin-err-choose-a-role"))
            }
            "exit_url" if !(value.starts_with("https://") || value.starts_with("http://")) => {
                Some(Msg::new("admin-err-enter-a-full-web-address-starting"))
            }
            "featured_link"
                if !(value.is_empty()
                    || value.starts_with('/')
                    || value.starts_with("https://")) =>
            {
                Some(Msg::new("admin-err-featured-link"))
            }
            "logo" | "hero_image" if !value.is_empty() && !crate::uploads::is_name(&value) => {
                Some(Msg::new("image-error-broken"))
            }
            "hero_image_alt"
                if value.is_empty()
                    && !form.get("hero_image").is_none_or(|v| v.trim().is_empty()) =>
            {
                Some(Msg::new("admin-err-picture-alt"))
            }
            "hero_image_alt" | "hero_image_alt_cy" if value.chars().count() > 250 => {
                Some(Msg::new("admin-err-picture-alt-long"))
            }
            "hero_demo" if value != "1" => {
                out.push((key.to_string(), String::new()));
                continue;
            }
            "nations" => {
                let list: Vec<&str> = value.split(',').map(str::trim).collect();
                if list.iter().all(|n| NATIONS.contains(n)) && !value.is_empty() {
                    None
                } else {
                    Some(Msg::new("admin-err-choose-a-nation"))
                }
            }
            _ if value.len() > 2000 => Some(Msg::new("admin-err-too-long-2000")),
            _ => None,
        };
        match problem {
            Some(msg) => errors.push((*key, msg)),
            None => out.push((key.to_string(), value)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.into())
    }
}

/// A plain check for an address with one @ and a dot in the domain; the mail server is the
/// real judge.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
        && s.len() <= 254
}

/// A colour must be `#rrggbb` and dark enough for white text at WCAG AA (4.5:1), because
/// buttons and the header put white text on it.
fn colour_problem(value: &str) -> Option<Msg> {
    let Some(rgb) = parse_hex(value) else {
        return Some(Msg::new("admin-err-colour-format"));
    };
    let ratio = contrast_with_white(rgb);
    if ratio < 4.5 {
        return Some(Msg::new("admin-err-colour-contrast").arg("ratio", format!("{ratio:.1}")));
    }
    None
}

fn parse_hex(value: &str) -> Option<(u8, u8, u8)> {
    let hex = value.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let n = u32::from_str_radix(hex, 16).ok()?;
    Some(((n >> 16) as u8, (n >> 8) as u8, n as u8))
}

fn contrast_with_white((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    1.05 / (l + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_need_contrast() {
        assert!(colour_problem("#5a2d82").is_none());
        assert!(colour_problem("#000000").is_none());
        let contrast = colour_problem("#ffff00").unwrap();
        assert_eq!(contrast.key, "admin-err-colour-contrast");
        assert!(
            contrast
                .text(crate::i18n::Lang::En)
                .contains("1.1:1; choose a darker colour")
        );
        assert_eq!(
            colour_problem("red").unwrap().key,
            "admin-err-colour-format"
        );
        assert!(colour_problem("#12345g").is_some());
        // CSS injection through the theme stylesheet is impossible: only hex passes.
        assert!(colour_problem("#000; } body { display:none").is_some());
    }

    #[test]
    fn emails() {
        for ok in ["a@b.org", "media.team@alliance.org.uk"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.org",
            "a@b",
            "a b@c.org",
            "a@.org",
            "a@b.org.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
