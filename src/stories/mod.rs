//! Lived-experience stories (`/stories`): submission with an explicit consent scope, a
//! safeguarding check on every submission, moderation with redaction, publication only
//! within the scope given, and withdrawal by the storyteller that unpublishes at once.

pub mod moderate;
pub mod routes;
pub mod store;

use sha2::{Digest, Sha256};

use crate::auth::StaffUser;
use crate::db::{self, Tx};
use crate::i18n::Lang;
use crate::site::settings::NATIONS;
use crate::token::PrivateLink;
use crate::web::{FieldErrors, Msg};

/// Consent scopes, in the order the form offers them.
pub const SCOPES: &[&str] = &["named", "anonymous", "quotes", "internal"];
/// Who the storyteller is.
pub const TELLERS: &[&str] = &[
    "mum",
    "dad",
    "partner",
    "grandparent",
    "professional",
    "other",
];
/// Longest story accepted.
pub const MAX_STORY: usize = 10_000;

/// Scopes whose stories may appear on the site.
pub fn publishable(scope: &str) -> bool {
    scope == "named" || scope == "anonymous"
}

/// The consent wording's version: a digest of the exact text of the consent and the four
/// scopes in both languages, so changing a word is a new version.
pub fn consent_version() -> String {
    let mut h = Sha256::new();
    for lang in [Lang::En, Lang::Cy] {
        h.update(lang.t("story-consent").as_bytes());
        for s in SCOPES {
            h.update([0]);
            h.update(lang.t(&format!("story-scope-{s}")).as_bytes());
        }
    }
    h.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The form as submitted (and shown again with its errors).
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub first_name: String,
    pub town: String,
    pub nation: String,
    pub teller: String,
    pub email: String,
    pub scope: String,
    pub consent: bool,
    /// A picture already checked and stored (kept across a validation error).
    pub image: String,
}

use crate::web::input::{one_line as line, paragraphs as text};

impl Draft {
    pub fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            match k.as_str() {
                "title" => d.title = line(v, 400),
                "body" => d.body = text(v, MAX_STORY + 2000),
                "first_name" => d.first_name = line(v, 200),
                "town" => d.town = line(v, 200),
                "nation" => d.nation = line(v, 30),
                "teller" => d.teller = line(v, 30),
                "email" => d.email = line(v, 300),
                "scope" => d.scope = line(v, 20),
                "consent" => d.consent = true,
                "image" if crate::uploads::is_name(v.trim()) => d.image = v.trim().into(),
                "remove_image" => d.image.clear(),
                _ => {}
            }
        }
        d
    }

    /// Checks the draft; the cleaned email (if any) comes back.
    pub fn check(&self) -> Result<Option<String>, FieldErrors> {
        let mut errors: FieldErrors = crate::web::FieldErrors::new();
        if self.title.is_empty() {
            errors.push(("title", Msg::new("story-error-title")));
        } else if self.title.chars().count() > 150 {
            errors.push(("title", Msg::new("story-error-title-long")));
        }
        if self.body.chars().count() < 20 {
            errors.push(("body", Msg::new("story-error-body")));
        } else if self.body.chars().count() > MAX_STORY {
            errors.push((
                "body",
                Msg::new("story-error-body-long").arg("max", MAX_STORY),
            ));
        }
        if !SCOPES.contains(&self.scope.as_str()) {
            errors.push(("scope-named", Msg::new("story-error-scope")));
        }
        if self.scope == "named" && self.first_name.is_empty() {
            errors.push(("first_name", Msg::new("story-error-first-name")));
        }
        if self.first_name.chars().count() > 50 {
            errors.push(("first_name", Msg::new("story-error-too-long-50")));
        }
        if self.town.chars().count() > 80 {
            errors.push(("town", Msg::new("story-error-too-long-80")));
        }
        if !self.nation.is_empty() && !NATIONS.contains(&self.nation.as_str()) {
            errors.push(("nation", Msg::new("contact-error-nation")));
        }
        if !self.teller.is_empty() && !TELLERS.contains(&self.teller.as_str()) {
            errors.push(("teller-mum", Msg::new("story-error-teller")));
        }
        let email = if self.email.is_empty() {
            None
        } else {
            match crate::mail::list::normalise_email(&self.email) {
                Ok(e) => Some(e),
                Err(key) => {
                    errors.push(("email", Msg::new(key)));
                    None
                }
            }
        };
        if !self.consent {
            errors.push(("consent", Msg::new("story-error-consent")));
        }
        if errors.is_empty() {
            Ok(email)
        } else {
            Err(errors)
        }
    }
}

/// One story as staff and pages see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Story {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub edited_title: Option<String>,
    pub edited_body: Option<String>,
    pub first_name: String,
    pub town: String,
    pub nation: String,
    pub teller: String,
    pub email: String,
    pub scope: String,
    pub consent_version: String,
    pub lang: String,
    pub status: String,
    pub flagged: i64,
    pub flag_phrases: String,
    pub reject_reason: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
    /// Published quotes (scope `quotes` only), one per line.
    pub quotes: String,
    /// A picture sent with the story (`/images/{image}`), or "".
    pub image: String,
}

impl Story {
    /// What is (or would be) published: the moderator's version, else the original.
    pub fn public_title(&self) -> &str {
        self.edited_title.as_deref().unwrap_or(&self.title)
    }
    pub fn public_body(&self) -> &str {
        self.edited_body.as_deref().unwrap_or(&self.body)
    }
    pub fn quote_list(&self) -> Vec<&str> {
        self.quotes
            .lines()
            .filter(|q| !q.trim().is_empty())
            .collect()
    }
    pub fn is_flagged(&self) -> bool {
        self.flagged == 1
    }
    /// The kinds of risk the safeguarding check found, in staff words ("" if none known).
    pub fn risk_names(&self) -> String {
        crate::safeguard::category_names(crate::safeguard::Finding::from_codes(&self.flag_phrases))
    }
    /// Paragraphs of the public text.
    pub fn paragraphs(&self) -> Vec<&str> {
        self.public_body()
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
    /// Words a moderator should check before publishing: capitalised words that do not
    /// start a sentence (names of people and places), each once.
    pub fn names_to_check(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let text = self.public_body();
        let mut sentence_start = true;
        for raw in text.split_whitespace() {
            let word: String = raw
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_string();
            let capital = word.chars().next().is_some_and(char::is_uppercase);
            if capital && !sentence_start && word != "I" && !out.contains(&word) {
                out.push(word);
            }
            sentence_start = raw.ends_with(['.', '!', '?', ':']) || raw.is_empty();
        }
        out
    }
}

/// The search index and caches follow a story's publication.
async fn reindex(tx: &mut Tx, backend: db::Backend, s: &Story, public: bool) -> sqlx::Result<()> {
    if public {
        crate::cms::search::index_doc(
            tx,
            backend,
            "story",
            s.id,
            &format!("/stories/{}", s.id),
            s.public_title(),
            s.public_body(),
        )
        .await?;
    } else {
        crate::cms::search::remove_doc(tx, backend, "story", s.id).await?;
    }
    db::bump_content_version(tx).await
}

/// Longest quote.
pub const MAX_QUOTE: usize = 300;

fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Checks quotes a moderator wants to publish from a "quotes only" story: each must be
/// the writer's own words, found in the story as sent or in the moderator's redacted
/// version, and short. Returns the cleaned quotes or a message id.
pub fn check_quotes(s: &Story, typed: &str) -> Result<Vec<String>, &'static str> {
    let quotes: Vec<String> = typed
        .lines()
        .map(|q| q.trim().trim_matches(['"', '“', '”']).trim().to_string())
        .filter(|q| !q.is_empty())
        .collect();
    if quotes.is_empty() {
        return Err("admin-story-quotes-empty");
    }
    let sources = [
        squash(&s.body),
        squash(s.edited_body.as_deref().unwrap_or("")),
    ];
    for q in &quotes {
        if q.chars().count() > MAX_QUOTE {
            return Err("admin-story-quote-long");
        }
        let needle = squash(q);
        if !sources.iter().any(|src| src.contains(&needle)) {
            return Err("admin-story-quote-not-found");
        }
    }
    Ok(quotes)
}

/// The byline a published story carries, within its scope.
pub fn byline(s: &Story, lang: Lang) -> String {
    let who = if s.teller.is_empty() {
        String::new()
    } else {
        lang.t(&format!("story-teller-{}", s.teller))
    };
    let nation = if s.nation.is_empty() {
        String::new()
    } else {
        lang.t(&format!("nation-{}", s.nation))
    };
    let parts: Vec<String> = if s.scope == "named" {
        [s.first_name.clone(), s.town.clone(), who]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        [lang.t("story-anonymous"), who, nation]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect()
    };
    parts.join(", ")
}

/// Audit entry for a moderation step (the story's title only; never its text).
pub async fn audit(
    tx: &mut Tx,
    staff: Option<&StaffUser>,
    action: &str,
    s: &Story,
) -> sqlx::Result<()> {
    match staff {
        Some(_) => crate::audit::record(tx, staff, action, "story", s.id, s.public_title()).await,
        None => crate::audit::record_cli(tx, action, "story", s.id, "by the storyteller").await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story(body: &str) -> Story {
        Story {
            id: 1,
            title: "T".into(),
            body: body.into(),
            edited_title: None,
            edited_body: None,
            first_name: "Amy".into(),
            town: "Cardiff".into(),
            nation: "wales".into(),
            teller: "mum".into(),
            email: String::new(),
            scope: "named".into(),
            consent_version: String::new(),
            lang: "en".into(),
            status: "pending".into(),
            flagged: 0,
            flag_phrases: String::new(),
            reject_reason: String::new(),
            created_at: 0,
            updated_at: 0,
            published_at: None,
            quotes: String::new(),
            image: String::new(),
        }
    }

    #[test]
    fn only_the_writers_own_words_can_be_quoted() {
        let mut s = story("The health visitor   noticed first.\n\nThen the team came every week.");
        s.scope = "quotes".into();
        assert_eq!(
            check_quotes(
                &s,
                "“the health visitor noticed first.”\n\nthen the TEAM came"
            ),
            Ok(vec![
                "the health visitor noticed first.".to_string(),
                "then the TEAM came".to_string()
            ])
        );
        assert_eq!(
            check_quotes(&s, "The doctors were wonderful"),
            Err("admin-story-quote-not-found")
        );
        assert_eq!(check_quotes(&s, " \n "), Err("admin-story-quotes-empty"));
        s.edited_body = Some("A professional noticed first.".into());
        assert!(check_quotes(&s, "A professional noticed first.").is_ok());
    }

    #[test]
    fn names_and_places_are_pointed_out_for_redaction() {
        let s = story(
            "After Ella was born I saw Dr Patel at Llandough. My partner Tom helped. \
             Then things got better.",
        );
        assert_eq!(
            s.names_to_check(),
            ["Ella", "Dr", "Patel", "Llandough", "Tom"]
        );
    }

    #[test]
    fn only_named_and_anonymous_scopes_publish() {
        assert!(publishable("named") && publishable("anonymous"));
        assert!(!publishable("quotes") && !publishable("internal"));
        let d = Draft {
            title: "My story".into(),
            body: "It was a long year but we got there in the end.".into(),
            scope: "named".into(),
            consent: true,
            ..Draft::default()
        };
        let fields: Vec<&str> = d.check().unwrap_err().iter().map(|e| e.0).collect();
        assert_eq!(fields, ["first_name"], "a named story needs a first name");
        let d = Draft {
            scope: "anonymous".into(),
            ..d
        };
        assert!(d.check().is_ok());
        assert_eq!(consent_version().len(), 12);
    }
}
