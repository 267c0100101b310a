//! Word forms generated from the words the rules list, once at start: English
//! inflections and Welsh initial mutations. Over-generating is harmless (a form nobody
//! writes never matches); a form missing is a disclosure missed, so nobody types these by
//! hand.

/// An English word and the regular forms people write of it: plural or third person,
/// past, -ing (with the final e dropped or the consonant doubled), y to ies/ied. Irregular
/// forms (hang/hung, shake/shook) are listed in the rules beside the word.
pub fn english(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let b = word.as_bytes();
    let n = b.len();
    if n < 2 {
        return out;
    }
    let vowel = |c: u8| b"aeiou".contains(&c);
    let last = b[n - 1];
    if word.ends_with("ie") {
        // die: dies, died, dying
        let stem = &word[..n - 2];
        out.extend([
            format!("{word}s"),
            format!("{word}d"),
            format!("{stem}ying"),
        ]);
    } else if last == b'e' {
        let stem = &word[..n - 1];
        out.extend([format!("{word}s"), format!("{word}d"), format!("{stem}ing")]);
    } else if last == b'y' && !vowel(b[n - 2]) {
        let stem = &word[..n - 1];
        out.extend([
            format!("{stem}ies"),
            format!("{stem}ied"),
            format!("{word}ing"),
        ]);
    } else {
        let es = matches!(last, b's' | b'x' | b'z')
            || word.ends_with("ch")
            || word.ends_with("sh")
            || word.ends_with('o');
        out.push(if es {
            format!("{word}es")
        } else {
            format!("{word}s")
        });
        out.extend([format!("{word}ed"), format!("{word}ing")]);
        // drop → dropping, stab → stabbed: one vowel before a final consonant.
        let cvc = n >= 3
            && !vowel(last)
            && !matches!(last, b'w' | b'x' | b'y')
            && vowel(b[n - 2])
            && !vowel(b[n - 3]);
        if cvc {
            let c = last as char;
            out.extend([format!("{word}{c}ing"), format!("{word}{c}ed")]);
        }
    }
    out
}

/// Everyday words that are also one slip from a word of the rules ("tables" from
/// "tablets"): never read as slips. Add to it when the corpus
/// shows another.
const NOT_SLIPS: &[&str] = &[
    "mother", "talking", "though", "stared", "noting", "walking", "waking", "taking", "making",
    "hoping", "loving", "living", "giving", "caring", "baking", "looking", "feeling", "healing",
    "sleeping", "keeping", "leaving", "hearing", "reading", "heating", "sitting",
];

/// Typing slips of a long word (seven letters or more): one letter left out or two
/// neighbours swapped ("sucidal", "tabelts", "anymor"), except everyday words. Short words
/// are left alone: their slips are other words too often.
pub fn slips(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    if chars.len() < 7 {
        return out;
    }
    for i in 0..chars.len() {
        let mut w = chars.clone();
        w.remove(i);
        out.push(w.into_iter().collect());
    }
    for i in 0..chars.len() - 1 {
        if chars[i] != chars[i + 1] {
            let mut w = chars.clone();
            w.swap(i, i + 1);
            out.push(w.into_iter().collect());
        }
    }
    out.retain(|w| !NOT_SLIPS.contains(&w.as_str()));
    out
}

/// A Welsh word and its mutations: soft (lladd → ladd, brifo → frifo, gollwng → ollwng),
/// nasal (babi → mabi, plentyn → mhlentyn), aspirate (crogi → chrogi) and h- before a
/// vowel (ei hofn). Accents are already folded away in the rules and in the text.
pub fn welsh(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let swap = |from: &str, to: &[&str], out: &mut Vec<String>| {
        if let Some(rest) = word.strip_prefix(from) {
            for t in to {
                out.push(format!("{t}{rest}"));
            }
        }
    };
    // Digraphs first: ll and rh soften, ch/dd/ff/ng/ph/th do not mutate.
    if ["ch", "dd", "ff", "ng", "ph", "th"]
        .iter()
        .any(|d| word.starts_with(d))
    {
        return out;
    }
    if word.starts_with("ll") {
        swap("ll", &["l"], &mut out);
        return out;
    }
    if word.starts_with("rh") {
        swap("rh", &["r"], &mut out);
        return out;
    }
    swap("p", &["b", "mh", "ph"], &mut out);
    swap("t", &["d", "nh", "th"], &mut out);
    swap("c", &["g", "ngh", "ch"], &mut out);
    swap("b", &["f", "m"], &mut out);
    swap("d", &["dd", "n"], &mut out);
    swap("g", &["", "ng"], &mut out);
    swap("m", &["f"], &mut out);
    if word.starts_with(['a', 'e', 'i', 'o', 'u', 'w', 'y']) {
        out.push(format!("h{word}"));
    }
    out.retain(|w| !w.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(forms: &[String], w: &str) -> bool {
        forms.iter().any(|f| f == w)
    }

    #[test]
    fn english_forms() {
        for (word, form) in [
            ("drop", "dropping"),
            ("drop", "dropped"),
            ("stab", "stabbing"),
            ("smother", "smothering"),
            ("smother", "smothered"),
            ("die", "dying"),
            ("die", "died"),
            ("hurt", "hurting"),
            ("cut", "cutting"),
            ("bury", "buried"),
            ("overdose", "overdosing"),
            ("punch", "punches"),
            ("pill", "pills"),
        ] {
            assert!(
                has(&english(word), form),
                "{word} → {form}: {:?}",
                english(word)
            );
        }
    }

    #[test]
    fn welsh_mutations() {
        for (word, form) in [
            ("lladd", "ladd"),
            ("brifo", "frifo"),
            ("mygu", "fygu"),
            ("babi", "mabi"),
            ("plentyn", "mhlentyn"),
            ("plentyn", "blentyn"),
            ("gollwng", "ollwng"),
            ("crogi", "grogi"),
            ("crogi", "chrogi"),
            ("taro", "nharo"),
            ("bwrw", "mwrw"),
            ("rheoli", "reoli"),
            ("diogel", "ddiogel"),
            ("boddi", "foddi"),
        ] {
            assert!(
                has(&welsh(word), form),
                "{word} → {form}: {:?}",
                welsh(word)
            );
        }
        assert_eq!(welsh("ffarwel"), vec!["ffarwel"]);
    }

    #[test]
    fn slips_of_long_words() {
        assert!(slips("suicidal").contains(&"sucidal".to_string()));
        assert!(slips("tablets").contains(&"tabelts".to_string()));
        assert!(slips("anymore").contains(&"anymor".to_string()));
        assert!(slips("table").is_empty());
        assert!(!slips("smother").contains(&"mother".to_string()));
        assert!(!slips("stalking").contains(&"talking".to_string()));
    }
}
