//! Two-factor login for staff: time-based one-time passwords (RFC 6238: HMAC-SHA1,
//! 30-second steps, 6 digits, as every authenticator app expects), enrolment with a QR
//! code drawn on the server, single-use recovery codes, and the short-lived challenge
//! between a correct password and the code.

use hmac::{Hmac, KeyInit, Mac};
use rand::{Rng, RngExt};

use crate::token::{PrivateLink, token_hash};

pub mod store;

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
