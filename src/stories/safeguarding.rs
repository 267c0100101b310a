//! The safeguarding check on every story: does the text disclose immediate risk (suicide,
//! self-harm, harming the baby, not being safe)? A match shows the storyteller crisis help
//! at once and flags the story for a moderator; it never decides anything else.
//!
//! The lists are deliberately broad: a story about recovery that mentions "suicidal"
//! thoughts is flagged too, and a moderator reads it. Missing a disclosure costs far more
//! than a moderator's minute. They should be reviewed by the alliance's clinical and
//! Welsh-speaking advisers; add phrases here with a test.

/// Phrases in English, written in the normalised form (lower case, words separated by
/// single spaces, apostrophes kept).
const ENGLISH: &[&str] = &[
    // Suicide
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "end it all",
    "take my own life",
    "taking my own life",
    "want to die",
    "wanted to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "better off without me",
    "suicide",
    "suicidal",
    "no reason to live",
    "don't want to be here anymore",
    "don't want to be here any more",
    "do not want to be here",
    "can't go on",
    "cannot go on",
    // Self-harm
    "self harm",
    "self harming",
    "selfharm",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "cut myself",
    "cutting myself",
    "overdose",
    // Harming the baby
    "harm my baby",
    "harm the baby",
    "harming my baby",
    "harming the baby",
    "hurt my baby",
    "hurt the baby",
    "hurting my baby",
    "hurting the baby",
    "kill my baby",
    "kill the baby",
    "shake my baby",
    "shake the baby",
    "shaking the baby",
    "smother",
    "drown my baby",
    "drown the baby",
    // Not being safe
    "i am not safe",
    "i'm not safe",
    "im not safe",
    "we are not safe",
    "we're not safe",
    "my baby is not safe",
    "my baby isn't safe",
    "not safe at home",
    "don't feel safe",
    "do not feel safe",
    "can't keep myself safe",
    "cannot keep myself safe",
    "can't keep my baby safe",
    "scared he will hurt",
    "afraid he will hurt",
];

/// Phrases in Welsh, normalised the same way. Mutations are listed as they are written
/// ("fy mabi", "fy hun").
const WELSH: &[&str] = &[
    // Hunanladdiad
    "lladd fy hun",
    "lladd fy hunan",
    "hunanladdiad",
    "hunanleiddiol",
    "eisiau marw",
    "isio marw",
    "moyn marw",
    "gorffen fy mywyd",
    "rhoi diwedd ar fy mywyd",
    "dod â fy mywyd i ben",
    "gwell fy myd yn farw",
    "gwell eu byd hebddo i",
    "methu mynd ymlaen",
    "dim rheswm i fyw",
    // Hunan-niweidio
    "hunan niweidio",
    "hunan niwed",
    "niweidio fy hun",
    "brifo fy hun",
    "anafu fy hun",
    "torri fy hun",
    "gorddos",
    // Niweidio'r babi
    "niweidio fy mabi",
    "niweidio'r babi",
    "brifo fy mabi",
    "brifo'r babi",
    "anafu fy mabi",
    "anafu'r babi",
    "lladd fy mabi",
    "lladd y babi",
    "ysgwyd y babi",
    "ysgwyd fy mabi",
    "mygu",
    // Ddim yn ddiogel
    "dydw i ddim yn ddiogel",
    "dw i ddim yn ddiogel",
    "dwi ddim yn ddiogel",
    "dydyn ni ddim yn ddiogel",
    "ddim yn teimlo'n ddiogel",
    "ddim yn ddiogel gartref",
    "ddim yn ddiogel adref",
    "methu cadw fy hun yn ddiogel",
    "methu cadw fy mabi yn ddiogel",
];

/// Lower case; curly apostrophes straightened; hyphens and anything else that is not a
/// letter, digit or apostrophe become spaces; runs of spaces collapsed; padded with a
/// space each side so phrases match whole words.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c => c,
        };
        if c.is_alphanumeric() || c == '\'' {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// The phrases found in `texts` (each listed once, in list order).
pub fn check(texts: &[&str]) -> Vec<&'static str> {
    let haystack: String = texts.iter().map(|t| normalise(t)).collect();
    ENGLISH
        .iter()
        .chain(WELSH)
        .filter(|p| haystack.contains(&format!(" {p} ")))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_phrase_is_found_in_a_sentence() {
        for p in ENGLISH.iter().chain(WELSH) {
            assert_eq!(normalise(p).trim(), *p, "{p} is not written normalised");
            let text = format!(
                "Some days, honestly, {}. That was how it felt.",
                p.to_uppercase()
            );
            assert!(check(&[&text]).contains(p), "{p} not found in {text:?}");
        }
    }

    #[test]
    fn disclosures_are_found_however_they_are_typed() {
        for text in [
            "I wanted to KILL MYSELF when she was 3 weeks old",
            "I thought about self-harm every night",
            "I’m not safe at the moment",
            "sometimes I think I could hurt the baby",
            "Roedd arna i eisiau marw.",
            "Dw i ddim yn ddiogel.",
            "Ro'n i'n meddwl am hunan-niweidio",
        ] {
            assert!(!check(&[text]).is_empty(), "missed: {text}");
        }
        // The title counts as much as the story.
        assert_eq!(check(&["Suicidal", "A story"]), vec!["suicidal"]);
    }

    #[test]
    fn ordinary_words_that_contain_a_phrase_are_not_flagged() {
        for text in [
            "The car seat was checked and safe.",
            "We felt safe with the health visitor.",
            "My mum smothered the toast in butter.",
            "She killed it at her presentation.",
            "I went to a self-help group.",
            "Dw i'n teimlo'n ddiogel nawr.",
        ] {
            assert!(
                check(&[text]).is_empty(),
                "flagged: {text}: {:?}",
                check(&[text])
            );
        }
    }
}
