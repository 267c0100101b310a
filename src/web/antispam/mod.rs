//! Spam defences for public forms, with no third-party service: a honeypot field that
//! people never see, a minimum time to fill the form in, and a per-client rate limit kept
//! as keyed hashes of the address (never the address).

use crate::db::Db;

pub mod store;

/// Seconds a person needs at least to fill in a form.
const MIN_FILL_SECONDS: i64 = 2;

/// What the spam checks make of a submitted public form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing suggests a bot.
    Person,
    /// The hidden field was filled in, or the form came back faster than anyone can type:
    /// answer as if it worked and keep nothing.
    Bot,
    /// The time the form was served (`started`) is missing or unreadable, as when a bot
    /// leaves it out to skip the fill-time check, or a page was saved and its form edited.
    /// Nothing is kept: the form comes back with everything typed in it, a fresh `started`
    /// and a short request to send it again ([`SEND_AGAIN`]).
    SendAgain,
}

/// The message shown above a form sent back with [`Verdict::SendAgain`].
pub const SEND_AGAIN: &str = "form-send-again";

/// Judges a submission by its hidden field, the `started` field as sent (seconds since
/// 1970 when the form was served) and the time now.
pub fn verdict(honeypot: &str, started: &str, now: i64) -> Verdict {
    if !honeypot.is_empty() {
        return Verdict::Bot;
    }
    match started.trim().parse::<i64>() {
        // Served in the last week, not in the future (a minute's clock skew between
        // instances allowed).
        Ok(t) if t > now - 7 * 86_400 && t <= now + 60 => {
            if now - t < MIN_FILL_SECONDS {
                Verdict::Bot
            } else {
                Verdict::Person
            }
        }
        _ => Verdict::SendAgain,
    }
}

/// The key under which a client address is counted: SHA-256 of the day's random secret,
/// the scope and the address. A plain hash of an IPv4 address can be reversed by trying
/// all four billion; the secret changes every day (UTC) and is deleted after two, so
/// stored keys cannot be linked back to an address once it is gone. Shared through the
/// database, so every instance counts alike.
pub async fn address_key(db: &Db, scope: &str, ip: &str) -> sqlx::Result<String> {
    let secret = store::day_secret(db).await?;
    Ok(crate::token::token_hash(&format!("{secret}:{scope}:{ip}")))
}

#[cfg(test)]
mod tests {
    use super::{Verdict, verdict};

    #[test]
    fn a_missing_or_unreadable_start_time_is_not_taken_for_a_person() {
        let now = 1_800_000_000;
        assert_eq!(verdict("", &(now - 30).to_string(), now), Verdict::Person);
        assert_eq!(verdict("", &(now - 1).to_string(), now), Verdict::Bot);
        assert_eq!(verdict("x", &(now - 30).to_string(), now), Verdict::Bot);
        for started in [
            "",
            "  ",
            "0",
            "-5",
            "soon",
            "1e9",
            &(now + 3600).to_string(),
        ] {
            assert_eq!(verdict("", started, now), Verdict::SendAgain, "{started:?}");
        }
        // A form left open for over a week is sent back once, not thrown away.
        assert_eq!(
            verdict("", &(now - 8 * 86_400).to_string(), now),
            Verdict::SendAgain
        );
    }
}
