//! Random tokens for private links, sessions and ids, and how they are kept: only a
//! SHA-256 of a token is ever stored.

use rand::Rng;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    rand::rng().fill_bytes(&mut buf);
    hex(&buf)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A secret that opens something without a login: a link sent by email (manage a
/// subscription, confirm it, withdraw a story, manage an activity or a roster entry, set
/// up the first account), a two-factor challenge or a session cookie. Made only by
/// [`PrivateLink::new`] (32 random bytes) and read back only through
/// [`PrivateLink::parse`], the one guard: anything that is not 64 hex characters is
/// refused before it reaches the database. Only [`PrivateLink::hash`] is stored, except
/// a subscriber's manage link, which every newsletter must repeat.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateLink(String);

impl PrivateLink {
    #[allow(clippy::new_without_default)]
    pub fn new() -> PrivateLink {
        PrivateLink(random_token())
    }

    /// The secret a link or cookie carries, if it has the shape of one. Hex case is
    /// ignored (a mail program that upper-cases a link still opens it).
    pub fn parse(s: &str) -> Option<PrivateLink> {
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| PrivateLink(s.to_ascii_lowercase()))
    }

    /// As it goes into the link.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// As it is stored and looked up.
    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }
}

/// Never printed whole, so a log line or panic message cannot carry a live secret.
impl std::fmt::Debug for PrivateLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateLink({}…)", &self.0[..6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_shape_of_a_made_link_is_read_back() {
        let link = PrivateLink::new();
        assert_eq!(link.as_str().len(), 64);
        assert_eq!(PrivateLink::parse(link.as_str()), Some(link.clone()));
        let upper = link.as_str().to_ascii_uppercase();
        assert_eq!(
            PrivateLink::parse(&upper).map(|l| l.hash()),
            Some(link.hash())
        );
        assert_ne!(link.hash(), link.as_str());
        assert!(!format!("{link:?}").contains(&link.as_str()[6..]));
        for bad in [
            "",
            "abc",
            &link.as_str()[1..],
            &format!("{}g", &link.as_str()[1..]),
        ] {
            assert_eq!(PrivateLink::parse(bad), None, "{bad}");
        }
        assert_ne!(PrivateLink::new(), PrivateLink::new());
    }
}
