//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane). Hashing
//! takes tens of milliseconds of CPU, so it always runs on the blocking pool, never on the
//! async runtime's threads.

use argon2::Argon2;

use crate::web::Msg;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password staff may choose. Length beats composition rules (NIST SP 800-63B).
pub const MIN_LEN: usize = 12;
/// Longest accepted, so a huge body cannot make hashing slow.
pub const MAX_LEN: usize = 256;

/// A plain-language problem with a proposed password, if any.
pub fn problem(password: &str, email: &str) -> Option<Msg> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Some(Msg::new("admin-err-password-too-short").arg("min", MIN_LEN));
    }
    if n > MAX_LEN {
        return Some(Msg::new("admin-err-password-too-long").arg("max", MAX_LEN));
    }
    let lower = password.to_lowercase();
    if !email.is_empty() && lower.contains(&email.to_lowercase()) {
        return Some(Msg::new("admin-err-password-has-email"));
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(' '))
    {
        return Some(Msg::new("admin-err-password-repeated"));
    }
    None
}

/// Hashes a password into a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored PHC string. Any malformed hash is a mismatch.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, used to spend the same time on logins for unknown email
/// addresses as on real ones, so timing does not reveal who has an account.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async { hash(crate::token::random_token()).await.unwrap_or_default() })
        .await
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong horse battery".into(), h).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }

    #[test]
    fn password_rules() {
        assert!(problem("short", "a@b.org").is_some());
        assert!(problem("aaaaaaaaaaaaaaa", "a@b.org").is_some());
        assert!(problem("my a@b.org password", "a@b.org").is_some());
        assert!(problem("kettle orbit lantern", "a@b.org").is_none());
        assert!(problem(&"x".repeat(300), "").is_some());
    }
}
