//! Text to words: the normaliser every text goes through before the rules see it.
//!
//! Unicode compatibility forms are folded (NFKD), accents dropped (`â` and `a` are one
//! letter here, as people type them on phones), case folded, curly apostrophes
//! straightened. English contractions become their words (`I'm` → `i am`, `can't` →
//! `can not`, `dont` → `do not`); Welsh clitics are split off (`mygu'r` → `mygu r`,
//! `dwi'm` → `dwi m`). Anything that is not a letter, digit or apostrophe separates
//! words; `.`, `!`, `?` and line breaks also end a sentence, which no rule crosses (a
//! semicolon does not: "I took an overdose years ago; I have been well since" is one thought).

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// One piece of normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Word(&'a str),
    /// The end of a sentence.
    Stop,
}

/// Folds `text` into lower-case letters without accents, apostrophes straightened.
/// Borrowed when the text is plain lower-case ASCII already.
pub fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase() || b == b'`') {
            let mut s = text.to_ascii_lowercase();
            if s.contains('`') {
                s = s.replace('`', "'");
            }
            return s.into();
        }
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(match c {
                '`' => '\'',
                c => c.to_ascii_lowercase(),
            });
            continue;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02bc}' | '\u{2032}' | '\u{00b4}' => out.push('\''),
            // Line and paragraph separators end a sentence like a line break.
            '\u{2028}' | '\u{2029}' | '\u{0085}' => out.push('\n'),
            c => decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    out.extend(d.to_lowercase());
                }
            }),
        }
    }
    out.into()
}

/// The ASCII bytes that are part of a word: letters, digits and the apostrophe.
static WORD_BYTE: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'\'' as usize;
        b += 1;
    }
    t
};

/// Calls `each` with every word (contractions expanded) and sentence end of folded text.
pub fn pieces<'a>(folded: &'a str, mut each: impl FnMut(Piece<'a>)) {
    let bytes = folded.as_bytes();
    // Whether the character at `i` is part of a word, and its length in bytes.
    let word_char = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b < 0x80 {
            (WORD_BYTE[b as usize], 1)
        } else {
            let c = folded[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    let mut i = 0;
    let mut last_stop = true;
    while i < bytes.len() {
        let (is_word, len) = word_char(i);
        if is_word {
            let start = i;
            let mut apostrophe = bytes[i] == b'\'';
            i += len;
            loop {
                // Letters of plain ASCII, most of every text, without decoding.
                while let Some(&b) = bytes.get(i)
                    && b < 0x80
                    && WORD_BYTE[b as usize]
                {
                    apostrophe |= b == b'\'';
                    i += 1;
                }
                match (i < bytes.len()).then(|| word_char(i)) {
                    Some((true, len)) => i += len,
                    _ => break,
                }
            }
            word(&folded[start..i], apostrophe, &mut each);
            last_stop = false;
            continue;
        }
        let stop = match bytes[i] {
            b'.' => bytes.get(i + 1) != Some(&b'.') && (i == 0 || bytes[i - 1] != b'.'),
            b'!' | b'?' | b'\n' => true,
            _ => false,
        };
        if stop && !last_stop {
            each(Piece::Stop);
            last_stop = true;
        }
        i += len;
    }
}

/// Every word of `texts` as `word` makes it, and `stop` after every sentence and at the
/// end of every text: the token stream the rules and the classifier read.
pub fn tokens<T: Copy>(texts: &[&str], stop: T, mut word: impl FnMut(&str) -> T) -> Vec<T> {
    let mut out = Vec::new();
    each(texts, |p| {
        out.push(match p {
            Piece::Word(w) => word(w),
            Piece::Stop => stop,
        })
    });
    out
}

/// Calls `each` with every word of `texts` and a [`Piece::Stop`] after every sentence and
/// at the end of every text: [`tokens`] without collecting them.
pub fn each(texts: &[&str], mut each: impl FnMut(Piece<'_>)) {
    for t in texts {
        let folded = fold(t);
        pieces(&folded, &mut each);
        each(Piece::Stop);
    }
}

/// Words written without their apostrophe, as people type on phones, by length (so a
/// word is compared with the few of its own length only).
const BARE: [&[(&str, &[&str])]; 9] = [
    &[],
    &[("u", &["you"])],
    &[
        ("im", &["i", "am"]),
        ("rn", &["right", "now"]),
        ("ur", &["your"]),
    ],
    &[
        ("ive", &["i", "have"]),
        ("dnt", &["do", "not"]),
        ("cnt", &["can", "not"]),
        ("cud", &["can", "not"]),
        ("ths", &["this"]),
        ("dis", &["this"]),
        ("idk", &["i", "do", "not", "know"]),
    ],
    &[
        ("cant", &["can", "not"]),
        ("dont", &["do", "not"]),
        ("wont", &["will", "not"]),
        ("isnt", &["is", "not"]),
        ("aint", &["is", "not"]),
        ("nite", &["night"]),
    ],
    &[
        ("didnt", &["did", "not"]),
        ("wasnt", &["was", "not"]),
        ("arent", &["are", "not"]),
        ("hasnt", &["has", "not"]),
        ("hadnt", &["had", "not"]),
        ("wanna", &["want", "to"]),
        ("gonna", &["going", "to"]),
        ("gotta", &["got", "to"]),
        ("theyd", &["they", "would"]),
        ("youre", &["you", "are"]),
    ],
    &[
        ("cannot", &["can", "not"]),
        ("doesnt", &["does", "not"]),
        ("werent", &["were", "not"]),
        ("havent", &["have", "not"]),
        ("theyre", &["they", "are"]),
    ],
    &[
        ("couldnt", &["could", "not"]),
        ("wouldnt", &["would", "not"]),
    ],
    &[("shouldnt", &["should", "not"])],
];

/// Per length, the first letters of [`BARE`]'s words (bit 0 for `a`): most words are
/// ruled out by one bit test.
const BARE_FIRST: [u32; 9] = {
    let mut m = [0u32; 9];
    let mut n = 0;
    while n < BARE.len() {
        let mut i = 0;
        while i < BARE[n].len() {
            m[n] |= 1 << (BARE[n][i].0.as_bytes()[0] - b'a');
            i += 1;
        }
        n += 1;
    }
    m
};

fn bare(w: &str) -> Option<&'static [&'static str]> {
    let first = *w.as_bytes().first()?;
    if !first.is_ascii_lowercase() || BARE_FIRST.get(w.len())? & (1 << (first - b'a')) == 0 {
        return None;
    }
    BARE[w.len()]
        .iter()
        // The first letter first: a call to compare the rest is slower than the word.
        .find(|(k, _)| k.as_bytes()[0] == w.as_bytes()[0] && *k == w)
        .map(|(_, v)| *v)
}

/// One word as it was typed (`apostrophe`: whether it holds one).
fn word<'a>(mut w: &'a str, apostrophe: bool, each: &mut impl FnMut(Piece<'a>)) {
    if apostrophe {
        w = w.trim_matches('\'');
    }
    if w.is_empty() {
        return;
    }
    if !apostrophe || !w.contains('\'') {
        match bare(w) {
            Some(words) => words.iter().for_each(|x| each(Piece::Word(x))),
            None => each(Piece::Word(w)),
        }
        return;
    }
    let (head, tail) = w.rsplit_once('\'').unwrap_or((w, ""));
    match tail {
        // can't, won't, don't, didn't …
        "t" if head.ends_with('n') => {
            let base = &head[..head.len() - 1];
            let base = match base {
                "ca" | "can" => "can",
                "wo" => "will",
                "sha" => "shall",
                "ai" => "is",
                b => b,
            };
            each(Piece::Word(base));
            each(Piece::Word("not"));
        }
        "m" if head == "i" => {
            each(Piece::Word("i"));
            each(Piece::Word("am"));
        }
        "re" => pair(head, "are", each),
        "ve" => pair(head, "have", each),
        "ll" => pair(head, "will", each),
        "d" => pair(head, "would", each),
        "s" => split(head, each),
        _ => split(w, each),
    }
}

fn pair<'a>(head: &'a str, word: &'static str, each: &mut impl FnMut(Piece<'a>)) {
    split(head, each);
    each(Piece::Word(word));
}

/// Welsh clitics and anything else joined by apostrophes: each part a word.
fn split<'a>(w: &'a str, each: &mut impl FnMut(Piece<'a>)) {
    for part in w.split('\'').filter(|p| !p.is_empty()) {
        each(Piece::Word(part));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> String {
        let folded = fold(text);
        let mut out = Vec::new();
        pieces(&folded, |p| {
            out.push(match p {
                Piece::Word(w) => w.to_string(),
                Piece::Stop => "|".to_string(),
            })
        });
        out.join(" ")
    }

    #[test]
    fn contractions_become_words() {
        assert_eq!(
            words("I'm sure I can't, won't"),
            "i am sure i can not will not"
        );
        assert_eq!(words("I’d be, they’ll see"), "i would be they will see");
        assert_eq!(words("im done, dont care"), "i am done do not care");
        assert_eq!(words("the baby's cot"), "the baby cot");
        assert_eq!(words("I wanna go"), "i want to go");
    }

    #[test]
    fn bare_words_are_kept_by_their_length() {
        for (n, words) in BARE.iter().enumerate() {
            assert!(words.iter().all(|(k, _)| k.len() == n), "length {n}");
        }
        assert_eq!(
            words("idk u cant shouldnt"),
            "i do not know you can not should not"
        );
    }

    #[test]
    fn welsh_clitics_split_and_accents_fold() {
        assert_eq!(words("mygu'r babi"), "mygu r babi");
        assert_eq!(words("Dwi'm isio"), "dwi m isio");
        assert_eq!(words("brifo’n hun"), "brifo n hun");
        assert_eq!(words("Mae’r môr yn oer, ŵyr"), "mae r mor yn oer wyr");
        assert_eq!(words("ＦＵＬＬ width"), "full width");
    }

    #[test]
    fn sentences_end_at_stops_but_not_ellipses() {
        assert_eq!(words("One. Two! Three?\nFour"), "one | two | three | four");
        assert_eq!(words("I want to... die"), "i want to die");
        assert_eq!(
            words("self-harm, hunan-niweidio"),
            "self harm hunan niweidio"
        );
        assert_eq!(words("...."), "");
    }
}
