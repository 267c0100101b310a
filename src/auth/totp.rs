//! Two-factor login for staff: time-based one-time passwords (RFC 6238: HMAC-SHA1,
//! 30-second steps, 6 digits, as every authenticator app expects), enrolment with a QR
//! code drawn on the server, single-use recovery codes, and the short-lived challenge
//! between a correct password and the code.

use hmac::{Hmac, KeyInit, Mac};
use rand::{Rng, RngExt};

use crate::db::{self, Db, Tx};
use crate::token::{PrivateLink, token_hash};

/// Seconds per code.
const STEP: i64 = 30;
/// Codes accepted either side of now, for clocks that are a little out.
const WINDOW: i64 = 1;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Seconds between the password and the code.
pub const CHALLENGE_SECONDS: i64 = 300;
/// Wrong codes allowed per challenge.
pub const CHALLENGE_ATTEMPTS: i64 = 5;

/// The 6-digit code for a time step.
pub fn code_at(secret: &[u8], step: u64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 1_000_000
}

/// The step a typed code matches at `now`, if any, and only if it is later than
/// `last_step` (so a code seen over someone's shoulder cannot be used again).
pub fn verify(secret: &[u8], typed: &str, now: i64, last_step: i64) -> Option<i64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = digits.parse().ok()?;
    let current = now.div_euclid(STEP);
    (current - WINDOW..=current + WINDOW)
        .filter(|s| *s > last_step && *s >= 0)
        .find(|s| code_at(secret, *s as u64) == want)
}

/// A new random secret (160 bits, as RFC 4226 recommends), base32 for the app.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

pub fn decode_secret(b32: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(b32.as_bytes()).ok()
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let e = crate::web::url_encode;
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        e(issuer),
        e(account),
        e(issuer)
    )
}

/// The QR code as inline SVG (drawn here: no request leaves the page).
pub fn qr_svg(uri: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(uri.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline in HTML: no XML declaration.
    match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    }
}

/// The secret shown for typing in by hand, in groups of four.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A recovery code: ten characters in two groups, from letters and digits that cannot be
/// confused.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let raw: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &raw[..5], &raw[5..])
}

fn normalise_recovery(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Whether the account has two-factor login switched on.
pub async fn enabled(db: &Db, user_id: i64) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// The secret waiting for its first code (made if there is none yet).
pub async fn pending_secret(db: &Db, user_id: i64) -> sqlx::Result<String> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(new_secret())
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Confirms enrolment with a first code; returns the recovery codes (shown once, stored
/// hashed), or `None` when the code is wrong.
pub async fn confirm(tx: &mut Tx, user_id: i64, typed: &str) -> sqlx::Result<Option<Vec<String>>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT secret, last_step FROM user_totp WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((secret, last)) = row else {
        return Ok(None);
    };
    let Some(step) = decode_secret(&secret).and_then(|s| verify(&s, typed, db::now(), last)) else {
        return Ok(None);
    };
    sqlx::query("UPDATE user_totp SET confirmed_at = $1, last_step = $2 WHERE user_id = $3")
        .bind(db::now())
        .bind(step)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(new_recovery_codes(tx, user_id).await?))
}

/// Replaces the account's recovery codes.
pub async fn new_recovery_codes(tx: &mut Tx, user_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query("DELETE FROM user_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    for c in &codes {
        sqlx::query("INSERT INTO user_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(token_hash(&normalise_recovery(c)))
            .execute(&mut **tx)
            .await?;
    }
    Ok(codes)
}

/// Checks a code typed at login: a current TOTP code (each usable once), or an unused
/// recovery code (then used up). Returns what matched.
pub async fn check_login_code(
    tx: &mut Tx,
    user_id: i64,
    typed: &str,
) -> sqlx::Result<Option<&'static str>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT secret, last_step FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((secret, last)) = row else {
        return Ok(None);
    };
    if let Some(step) = decode_secret(&secret).and_then(|s| verify(&s, typed, db::now(), last)) {
        // Conditional, so two requests with the same code cannot both pass.
        let moved = sqlx::query(
            "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        return Ok((moved == 1).then_some("code"));
    }
    let used = sqlx::query(
        "UPDATE user_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 \
         AND used_at IS NULL",
    )
    .bind(db::now())
    .bind(user_id)
    .bind(token_hash(&normalise_recovery(typed)))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((used == 1).then_some("recovery code"))
}

/// Unused recovery codes left.
pub async fn recovery_left(db: &Db, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&db.pool)
    .await
}

/// Switches two-factor login off for an account (its secret and codes deleted).
pub async fn disable(tx: &mut Tx, user_id: i64) -> sqlx::Result<()> {
    for sql in [
        "DELETE FROM user_recovery_codes WHERE user_id = $1",
        "DELETE FROM user_totp WHERE user_id = $1",
        "DELETE FROM login_challenges WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Starts the step between password and code; returns the challenge token.
pub async fn start_challenge(tx: &mut Tx, user_id: i64, next: &str) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    sqlx::query("DELETE FROM login_challenges WHERE expires_at < $1")
        .bind(db::now())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO login_challenges (token_hash, user_id, next, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(link.hash())
    .bind(user_id)
    .bind(next)
    .bind(db::now() + CHALLENGE_SECONDS)
    .execute(&mut **tx)
    .await?;
    Ok(link.into_string())
}

/// The live challenge for a token: (user id, next page, wrong attempts so far).
pub async fn challenge(tx: &mut Tx, token: &str) -> sqlx::Result<Option<(i64, String, i64)>> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(None);
    };
    sqlx::query_as(
        "SELECT user_id, next, attempts FROM login_challenges WHERE token_hash = $1 \
         AND expires_at > $2",
    )
    .bind(link.hash())
    .bind(db::now())
    .fetch_optional(&mut **tx)
    .await
}

/// Counts a wrong code; the challenge ends after the allowed attempts.
pub async fn challenge_failed(tx: &mut Tx, token: &str, attempts: i64) -> sqlx::Result<()> {
    let sql = if attempts + 1 >= CHALLENGE_ATTEMPTS {
        "DELETE FROM login_challenges WHERE token_hash = $1"
    } else {
        "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1"
    };
    sqlx::query(sql)
        .bind(token_hash(token))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn end_challenge(tx: &mut Tx, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B (SHA-1), last six digits.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59u64, 287_082u32),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
            (20_000_000_000, 353_130),
        ] {
            assert_eq!(code_at(secret, t / 30), want, "T = {t}");
        }
    }

    #[test]
    fn a_code_works_once_within_a_step_either_side() {
        let secret = b"12345678901234567890";
        let now = 1_234_567_890;
        let step = now / 30;
        let code = format!("{:06}", code_at(secret, step as u64));
        assert_eq!(verify(secret, &code, now, 0), Some(step));
        assert_eq!(
            verify(secret, &code, now + 30, 0),
            Some(step),
            "a step late"
        );
        assert_eq!(verify(secret, &code, now + 90, 0), None, "too late");
        assert_eq!(verify(secret, &code, now, step), None, "used already");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(secret, &spaced, now, 0), Some(step));
        assert_eq!(verify(secret, "12345", now, 0), None);
        assert_eq!(verify(secret, "abcdef", now, 0), None);
    }

    #[test]
    fn secrets_codes_and_the_qr_code_are_well_formed() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(decode_secret(&s).unwrap().len(), 20);
        let uri = otpauth_uri("Alliance (demo)", "admin@example.org", &s);
        assert!(
            uri.starts_with("otpauth://totp/Alliance%20%28demo%29:admin%40example.org?secret=")
        );
        let svg = qr_svg(&uri);
        assert!(
            svg.starts_with("<svg") && svg.contains("</svg>"),
            "{svg:.80}"
        );
        let c = recovery_code();
        assert_eq!(c.len(), 11);
        assert_eq!(normalise_recovery(&c.to_uppercase()), c.replace('-', ""));
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
