//! Reading what a visitor typed into a postcode.
//!
//! People type postcodes in every way: lower case, no space, two spaces, a tab, a hyphen, the
//! letter O for a zero. [`parse`] turns input into the well-formed readings it could be, so the
//! index can pick the one that exists. It never allocates more than a few bytes and never
//! panics (it is fuzzed: `fuzz/fuzz_targets/postcode.rs`).

/// The outward code (district, "CF10") space-padded to four bytes, and the inward code
/// ("3NQ") as a number below 6,760.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Postcode {
    pub outward: [u8; 4],
    pub inward: u16,
}

/// A postcode district on its own ("CF10").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outward(pub [u8; 4]);

/// Why input is not a postcode, in words the finder shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    Empty,
    TooLong,
    /// Something other than letters, digits and spaces.
    Characters,
    /// Letters and digits, but not in the shape of a UK postcode.
    Format,
}

impl Invalid {
    /// Fluent message id.
    pub fn message(self) -> &'static str {
        match self {
            Invalid::Empty => "finder-error-empty",
            Invalid::TooLong => "finder-error-too-long",
            Invalid::Characters => "finder-error-characters",
            Invalid::Format => "finder-error-format",
        }
    }
}

/// What input could mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Full postcodes it could be: the input as typed first when it is well formed, then
    /// readings with O/0 and I/1 swapped.
    Full(Vec<Postcode>),
    /// Only a district ("CF10"), with the same kind of alternatives.
    District(Vec<Outward>),
}

/// Longest input worth reading: a postcode with generous spacing.
pub const MAX_INPUT: usize = 16;

/// Reads input as a postcode or a postcode district.
pub fn parse(input: &str) -> Result<Reading, Invalid> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Invalid::Empty);
    }
    if trimmed
        .chars()
        .any(|ch| !(ch.is_whitespace() || ch == '-' || ch.is_ascii_alphanumeric()))
    {
        return Err(Invalid::Characters);
    }
    if trimmed.chars().count() > MAX_INPUT {
        return Err(Invalid::TooLong);
    }
    let mut buf = [0u8; 7];
    let mut n = 0;
    for ch in trimmed.chars() {
        if ch.is_whitespace() || ch == '-' {
            continue;
        }
        if n == buf.len() {
            return Err(Invalid::Format);
        }
        buf[n] = ch.to_ascii_uppercase() as u8;
        n += 1;
    }
    let s = &buf[..n];
    match n {
        2..=4 => {
            let found = variants(s, |v| outward(v).map(Outward));
            if found.is_empty() {
                Err(Invalid::Format)
            } else {
                Ok(Reading::District(found))
            }
        }
        5..=7 => {
            let found = variants(s, full);
            if found.is_empty() {
                Err(Invalid::Format)
            } else {
                Ok(Reading::Full(found))
            }
        }
        _ => Err(Invalid::Format),
    }
}

/// The well-formed readings of `s`: itself when well formed, then every way of swapping O/0
/// and I/1 that gives a well-formed code (at most 2^7 tries, usually a handful). "B1O" is
/// well formed but does not exist, while "B10" does: the index picks the first that exists.
fn variants<T: PartialEq>(s: &[u8], read: impl Fn(&[u8]) -> Option<T>) -> Vec<T> {
    let mut out = Vec::new();
    if let Some(v) = read(s) {
        out.push(v);
    }
    let swappable: Vec<usize> = (0..s.len())
        .filter(|&i| matches!(s[i], b'O' | b'0' | b'I' | b'1'))
        .collect();
    let mut tmp = [0u8; 7];
    tmp[..s.len()].copy_from_slice(s);
    for mask in 1u32..(1 << swappable.len()) {
        let mut t = tmp;
        for (bit, &i) in swappable.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                t[i] = match t[i] {
                    b'O' => b'0',
                    b'0' => b'O',
                    b'I' => b'1',
                    _ => b'I',
                };
            }
        }
        if let Some(v) = read(&t[..s.len()])
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

fn full(s: &[u8]) -> Option<Postcode> {
    let (out, inw) = s.split_at(s.len() - 3);
    Some(Postcode {
        outward: outward(out)?,
        inward: inward(inw)?,
    })
}

/// Checks an outward code's shape: A9, A99, AA9, AA99, A9A, AA9A.
fn outward(s: &[u8]) -> Option<[u8; 4]> {
    let a = |i: usize| s[i].is_ascii_uppercase();
    let d = |i: usize| s[i].is_ascii_digit();
    let ok = match s.len() {
        2 => a(0) && d(1),
        3 => a(0) && ((d(1) && d(2)) || (a(1) && d(2)) || (d(1) && a(2))),
        4 => a(0) && a(1) && d(2) && (d(3) || a(3)),
        _ => false,
    };
    if !ok {
        return None;
    }
    let mut k = [b' '; 4];
    k[..s.len()].copy_from_slice(s);
    Some(k)
}

/// Letters never used in the last two places of a postcode.
const NOT_INWARD: &[u8] = b"CIKMOV";

fn inward(s: &[u8]) -> Option<u16> {
    if s.len() != 3
        || !s[0].is_ascii_digit()
        || !s[1].is_ascii_uppercase()
        || !s[2].is_ascii_uppercase()
        || NOT_INWARD.contains(&s[1])
        || NOT_INWARD.contains(&s[2])
    {
        return None;
    }
    Some((s[0] - b'0') as u16 * 676 + (s[1] - b'A') as u16 * 26 + (s[2] - b'A') as u16)
}

/// Reads a postcode as published in data files ("CF10 3NQ", "CF103NQ", "CF10  3NQ"): strict, no
/// O/0 guessing.
pub fn parse_exact(s: &str) -> Option<Postcode> {
    let mut buf = [0u8; 7];
    let mut n = 0;
    for b in s.bytes() {
        if b == b' ' {
            continue;
        }
        if n == 7 || !b.is_ascii_alphanumeric() {
            return None;
        }
        buf[n] = b.to_ascii_uppercase();
        n += 1;
    }
    if n < 5 {
        return None;
    }
    full(&buf[..n])
}

impl Postcode {
    /// "CF10 3NQ".
    pub fn display(&self) -> String {
        let mut s = Outward(self.outward).display();
        s.push(' ');
        let i = self.inward;
        s.push((b'0' + (i / 676) as u8) as char);
        s.push((b'A' + ((i / 26) % 26) as u8) as char);
        s.push((b'A' + (i % 26) as u8) as char);
        s
    }
}

impl Outward {
    pub fn display(&self) -> String {
        self.0
            .iter()
            .take_while(|b| **b != b' ')
            .map(|b| *b as char)
            .collect()
    }

    /// The postcode area: the leading letters ("CF", "B").
    pub fn area_letters(&self) -> &[u8] {
        let n = self.0.iter().take_while(|b| b.is_ascii_uppercase()).count();
        &self.0[..n]
    }
}

/// Postcode areas of places with their own health services outside the four nations' NHS
/// (Guernsey, Jersey, the Isle of Man) or that are not places (British Forces).
pub fn outside_uk_nhs(o: &Outward) -> bool {
    matches!(o.area_letters(), b"GY" | b"JE" | b"IM" | b"BF" | b"BX")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All readings, joined by "|".
    fn all(s: &str) -> String {
        match parse(s) {
            Ok(Reading::Full(v)) => v
                .iter()
                .map(Postcode::display)
                .collect::<Vec<_>>()
                .join("|"),
            Ok(Reading::District(v)) => {
                v.iter().map(Outward::display).collect::<Vec<_>>().join("|")
            }
            Err(e) => format!("{e:?}"),
        }
    }

    /// The first reading.
    fn one(s: &str) -> String {
        all(s).split('|').next().unwrap().to_string()
    }

    #[test]
    fn spacing_and_case_do_not_matter() {
        for s in [
            "CF10 3NQ",
            "cf103nq",
            " cf10   3nq ",
            "CF10\t3NQ",
            "Cf10-3nQ",
        ] {
            assert_eq!(one(s), "CF10 3NQ", "{s:?}");
        }
        assert_eq!(one("sw1a1aa"), "SW1A 1AA");
        assert_eq!(one("B1 1AA"), "B1 1AA");
        assert_eq!(one("BT7 1NN"), "BT7 1NN");
    }

    #[test]
    fn zero_and_o_are_fixed_where_the_shape_says_which() {
        // The first character is always a letter, the inward code starts with a digit.
        assert_eq!(one("0X1 1AA"), "OX1 1AA");
        assert_eq!(one("CF10 ONQ"), "CF10 0NQ");
        assert_eq!(all("cf1o 3nq"), "CF1O 3NQ|CF10 3NQ");
        assert_eq!(one("1P1 1AA"), "IP1 1AA");
        // S014 cannot be a district (districts have at most two digits): SO14.
        assert_eq!(one("S014 7DU"), "SO14 7DU");
        // Several readings are well formed: the one typed comes first, the index decides.
        assert_eq!(all("SO1 1AA"), "SO1 1AA|S01 1AA|S0I 1AA");
        assert_eq!(all("B1O 1AA"), "B1O 1AA|B10 1AA|BI0 1AA");
        assert_eq!(all("cf10 3nq"), "CF10 3NQ|CF1O 3NQ");
    }

    #[test]
    fn malformed_input_says_why() {
        assert_eq!(one(""), "Empty");
        assert_eq!(one("   \t "), "Empty");
        assert_eq!(one("CF10 3NQ CF10 3NQ"), "TooLong");
        assert_eq!(one("<script>alert(1)</script>"), "Characters");
        assert_eq!(one("CF10 3NQ😀"), "Characters");
        assert_eq!(one("<script>"), "Characters");
        assert_eq!(one("' OR 1=1 --"), "Characters");
        assert_eq!(one("12345"), "Format");
        assert_eq!(one("CF10 3N"), "Format");
        assert_eq!(one("CF10 3CI"), "Format");
        assert_eq!(one("ABCDEFGH"), "Format");
        assert_eq!(one("C"), "Format");
    }

    #[test]
    fn districts_alone_are_read_as_districts() {
        assert_eq!(one("cf10"), "CF10");
        assert_eq!(one("EC1A"), "EC1A");
        assert_eq!(one("B1"), "B1");
    }

    #[test]
    fn inward_codes_round_trip() {
        for s in ["AB10 1AB", "ZE3 9JZ", "W1A 0AX", "BT94 9ZZ", "M1 1AE"] {
            assert_eq!(parse_exact(s).unwrap().display(), s);
        }
        assert!(parse_exact("AB10 1A").is_none());
        assert!(parse_exact("GIR 0AA").is_none());
    }

    /// A short, always-run cousin of the fuzz target (`scripts/fuzz`): 200,000 random strings
    /// of postcode-ish characters never panic, and whatever is accepted reads back as itself.
    #[test]
    fn random_input_never_panics() {
        const CHARS: &[char] = &[
            'A', 'B', 'O', 'I', 'Z', 'a', 'o', '0', '1', '9', ' ', '\t', '-', 'é', '😀', '<', '\'',
        ];
        let mut seed = 1u64;
        for _ in 0..200_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let len = (seed >> 59) as usize;
            let s: String = (0..len)
                .map(|i| CHARS[((seed >> (i * 3 % 50)) as usize) % CHARS.len()])
                .collect();
            if let Ok(Reading::Full(v)) = parse(&s) {
                for p in v {
                    assert_eq!(parse_exact(&p.display()), Some(p), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn crown_dependencies_are_recognised() {
        let Ok(Reading::Full(v)) = parse("JE2 3AB") else {
            panic!()
        };
        assert!(outside_uk_nhs(&Outward(v[0].outward)));
        let Ok(Reading::Full(v)) = parse("CF10 3NQ") else {
            panic!()
        };
        assert!(!outside_uk_nhs(&Outward(v[0].outward)));
    }
}
