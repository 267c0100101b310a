//! The rule language (see `rules.txt` for the rules and how to write one) and its matcher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::Category;
use super::forms;
use super::normalise;

/// A word no rule names.
pub const OTHER: u32 = u32::MAX - 1;
/// The end of a sentence.
pub const STOP: u32 = u32::MAX;

/// What one step accepts: any of some words, any of some phrases, or the sentence's end.
#[derive(Debug, Default)]
struct Alts {
    /// Term ids, sorted.
    words: Vec<u32>,
    /// Each a sequence of word sets (`in_front_of`, `@want_to`).
    phrases: Vec<Vec<Vec<u32>>>,
    end: bool,
    /// Bit `id % 256` set for each of `words` and each first word of `phrases`: most
    /// words of a text are ruled out by one bit test, before the search of a long list (a
    /// class and its generated forms) or of dozens of phrases.
    filter: [u64; 4],
}

fn filter_bit(t: u32) -> (usize, u64) {
    (((t / 64) % 4) as usize, 1 << (t % 64))
}

impl Alts {
    /// The positions after each way these alternatives match at `p`.
    fn ends(&self, toks: &[u32], p: usize, mut each: impl FnMut(usize) -> bool) -> bool {
        let t = toks.get(p).copied().unwrap_or(STOP);
        if self.end && t == STOP && each(p) {
            return true;
        }
        if t == STOP {
            return false;
        }
        let (i, bit) = filter_bit(t);
        if self.filter[i] & bit == 0 {
            return false;
        }
        if self.words.binary_search(&t).is_ok() && each(p + 1) {
            return true;
        }
        for ph in &self.phrases {
            let hit = ph.iter().enumerate().all(|(i, set)| {
                toks.get(p + i)
                    .is_some_and(|t| *t != STOP && set.binary_search(t).is_ok())
            });
            if hit && each(p + ph.len()) {
                return true;
            }
        }
        false
    }

    /// Every term a match can start with.
    fn firsts(&self) -> impl Iterator<Item = u32> + '_ {
        self.words
            .iter()
            .chain(self.phrases.iter().flat_map(|p| p[0].iter()))
            .copied()
    }
}

#[derive(Debug)]
enum Kind {
    Match(Alts),
    /// The next word is none of these (matches nothing itself).
    NotNext(Alts),
}

#[derive(Debug)]
struct Step {
    /// Up to this many words may come between the previous step and this one.
    gap: usize,
    kind: Kind,
}

#[derive(Debug)]
pub struct Rule {
    /// `None` for a calm rule, which clears the other matches in its sentence, or an
    /// uncalm one, which stops a calm rule from clearing its sentence.
    pub category: Option<Category>,
    pub uncalm: bool,
    /// Line in `rules.txt`, to name a rule in reports.
    pub line: usize,
    pub source: String,
    steps: Vec<Step>,
}

/// The compiled rules: every word form they name interned once, rules indexed by the
/// words they can start with.
pub struct Rules {
    terms: Terms,
    pub rules: Vec<Rule>,
    /// Term id → rules whose first step is that word.
    starts: Vec<Vec<u32>>,
    /// Term id → rules that cannot match unless that word is in the text (each rule's
    /// least common step), so most rules are never tried on a calm text.
    anchors: Vec<Vec<u32>>,
    /// Rules with no such word: always tried.
    always: Vec<u32>,
}

/// Words too common to be worth indexing a rule by.
const COMMON: &[&str] = &[
    "i", "me", "my", "a", "an", "the", "to", "of", "in", "on", "at", "and", "or", "not", "is",
    "am", "are", "was", "were", "be", "been", "it", "he", "she", "they", "them", "him", "her",
    "we", "us", "do", "did", "does", "have", "has", "had", "for", "with", "that", "this", "so",
    "if", "all", "will", "would", "could", "can", "when", "how", "what", "up", "out", "off", "y",
    "yr", "r", "n", "m", "fy", "yn", "o", "ar", "wedi", "dwi", "dw", "mae", "fi", "mi", "ni", "e",
    "fe", "fo", "hi", "ei", "w", "ddim", "dim", "bod", "efo", "gyda",
];

/// A rule file that does not parse: the line and what is wrong.
#[derive(Debug)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rules.txt line {}: {}", self.line, self.message)
    }
}

impl Rules {
    pub fn parse(text: &str) -> Result<Rules, ParseError> {
        let mut terms: Terms = HashMap::default();
        let mut classes: HashMap<String, Vec<u32>> = HashMap::new();
        let mut rules = Vec::new();
        let mut intern = |w: &str, terms: &mut Terms| -> u32 {
            let n = terms.len() as u32;
            *terms.entry(w.into()).or_insert(n)
        };
        // Words whose typing slips are read as them (`slips:` lines), with their lines.
        let mut slip_words: Vec<(String, usize)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |message: String| ParseError { line, message };
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if let Some(def) = l.strip_prefix('@') {
                let (head, words) = def
                    .split_once('=')
                    .ok_or_else(|| err("a class needs '=' and its words".into()))?;
                let mut head = head.split_whitespace();
                let name = head
                    .next()
                    .ok_or_else(|| err("a class needs a name".into()))?;
                let how = head.next().unwrap_or("");
                let mut ids = Vec::new();
                for w in words.split_whitespace() {
                    check_word(w).map_err(err)?;
                    let forms = match how {
                        "" => vec![w.to_string()],
                        "en" => forms::english(w),
                        "cy" => forms::welsh(w),
                        other => return Err(err(format!("unknown class kind {other:?}"))),
                    };
                    for f in forms {
                        ids.push(intern(&f, &mut terms));
                    }
                }
                if ids.is_empty() {
                    return Err(err(format!("class @{name} has no words")));
                }
                ids.sort_unstable();
                ids.dedup();
                classes.insert(name.to_string(), ids);
                continue;
            }
            if let Some(words) = l.strip_prefix("slips:") {
                slip_words.extend(words.split_whitespace().map(|w| (w.to_string(), line)));
                continue;
            }
            let (cat, body) = l
                .split_once(':')
                .ok_or_else(|| err("a rule starts with its category and ':'".into()))?;
            let uncalm = cat.trim() == "uncalm";
            let category = match cat.trim() {
                "calm" | "uncalm" => None,
                c => Some(
                    Category::from_code(c).ok_or_else(|| err(format!("unknown category {c:?}")))?,
                ),
            };
            let mut steps = Vec::new();
            let mut gap = 0;
            for el in body.split_whitespace() {
                if let Some(n) = el.strip_prefix("..") {
                    gap = n
                        .parse()
                        .map_err(|_| err(format!("{el:?}: a gap is '..' and a number")))?;
                    continue;
                }
                let kind = if let Some(alts) = el.strip_prefix('!') {
                    Kind::NotNext(
                        alternatives(alts, &classes, &mut terms, &mut intern).map_err(err)?,
                    )
                } else {
                    Kind::Match(alternatives(el, &classes, &mut terms, &mut intern).map_err(err)?)
                };
                steps.push(Step { gap, kind });
                gap = 0;
            }
            match steps.first() {
                Some(Step {
                    kind: Kind::Match(a),
                    ..
                }) if !a.end => {}
                _ => return Err(err("a rule starts with a word, a phrase or a class".into())),
            }
            rules.push(Rule {
                category,
                uncalm,
                line,
                source: body.trim().to_string(),
                steps,
            });
        }
        // A slip that is a word of the rules itself keeps its own meaning.
        for (w, line) in slip_words {
            let id = *terms.get(w.as_str()).ok_or_else(|| ParseError {
                line,
                message: format!("slips: {w:?} is not a word of any rule"),
            })?;
            for slip in forms::slips(&w) {
                terms.entry(slip.into()).or_insert(id);
            }
        }
        let mut starts = vec![Vec::new(); terms.len()];
        for (r, rule) in rules.iter().enumerate() {
            if let Kind::Match(alts) = &rule.steps[0].kind {
                for id in alts.firsts() {
                    starts[id as usize].push(r as u32);
                }
            }
        }
        let common: Vec<u32> = COMMON
            .iter()
            .filter_map(|w| terms.get(*w).copied())
            .collect();
        let mut anchors = vec![Vec::new(); terms.len()];
        let mut always = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            // The step with the fewest common words, then the fewest words: a rule can
            // only match where one of its words is present.
            let best = rule
                .steps
                .iter()
                .filter_map(|st| match &st.kind {
                    Kind::Match(a) if !a.end => Some(a),
                    _ => None,
                })
                .min_by_key(|a| {
                    let ids: Vec<u32> = a.firsts().collect();
                    (ids.iter().filter(|i| common.contains(i)).count(), ids.len())
                });
            match best {
                Some(a) => {
                    let mut ids: Vec<u32> = a.firsts().collect();
                    ids.sort_unstable();
                    ids.dedup();
                    for id in ids {
                        anchors[id as usize].push(r as u32);
                    }
                }
                None => always.push(r as u32),
            }
        }
        Ok(Rules {
            terms,
            rules,
            starts,
            anchors,
            always,
        })
    }

    /// Calls `hit` with the index of every rule that matches somewhere in `texts` (a rule
    /// may be reported more than once), except in sentences a calm rule matches. Returns,
    /// for each sentence end in order (each `.`, `!`, `?` or line break, and the end of
    /// each text), whether a calm rule cleared the sentence before it.
    pub fn scan(&self, texts: &[&str], hit: impl FnMut(usize)) -> Vec<bool> {
        self.scan_tokens(&normalise::tokens(texts, STOP, |w| self.term(w)), hit)
    }

    /// A word's term id, or [`OTHER`].
    pub fn term(&self, w: &str) -> u32 {
        self.terms.get(w).copied().unwrap_or(OTHER)
    }

    /// Every word the rules know, with its term id.
    pub fn terms(&self) -> impl Iterator<Item = (&str, u32)> {
        self.terms.iter().map(|(w, t)| (&**w, *t))
    }

    /// [`scan`](Self::scan) on texts already made into term ids ([`STOP`] after every
    /// sentence and at the end of every text).
    pub fn scan_tokens(&self, toks: &[u32], mut hit: impl FnMut(usize)) -> Vec<bool> {
        let mut calmed = Vec::new();
        // The rules whose rarest word is in the sentence: no rule crosses a sentence end,
        // so in a long text most rules are not tried in most sentences.
        let mut active = vec![0u64; self.rules.len().div_ceil(64)];
        // Matches of the current sentence, held until its end in case a calm rule matches.
        let mut held: Vec<usize> = Vec::new();
        let mut start = 0;
        while start < toks.len() {
            let end = toks[start..]
                .iter()
                .position(|t| *t == STOP)
                .map_or(toks.len(), |n| start + n);
            active.iter_mut().for_each(|a| *a = 0);
            let mut set = |r: u32| active[(r / 64) as usize] |= 1 << (r % 64);
            self.always.iter().for_each(|r| set(*r));
            for t in &toks[start..end] {
                if *t < OTHER {
                    self.anchors[*t as usize].iter().for_each(|r| set(*r));
                }
            }
            let is_active = |r: u32| active[(r / 64) as usize] & (1 << (r % 64)) != 0;
            let (mut calm, mut uncalm) = (false, false);
            for (pos, t) in toks.iter().enumerate().take(end).skip(start) {
                if *t == OTHER {
                    continue;
                }
                let mut last = u32::MAX;
                for r in &self.starts[*t as usize] {
                    if *r == last || !is_active(*r) {
                        continue;
                    }
                    last = *r;
                    let rule = &self.rules[*r as usize];
                    if rest(&rule.steps, toks, pos) {
                        match rule.category {
                            Some(_) => held.push(*r as usize),
                            None if rule.uncalm => uncalm = true,
                            None => calm = true,
                        }
                    }
                }
            }
            // Reported at the sentence's end (tokens always end with one).
            if end < toks.len() {
                if !calm || uncalm {
                    held.iter().for_each(|r| hit(*r));
                }
                calmed.push(calm && !uncalm);
            }
            held.clear();
            start = end + 1;
        }
        calmed
    }
}

/// Whether `steps` match from `pos` on (the first step within its gap of `pos`).
fn rest(steps: &[Step], toks: &[u32], pos: usize) -> bool {
    let Some(step) = steps.first() else {
        return true;
    };
    match &step.kind {
        Kind::NotNext(alts) => !alts.ends(toks, pos, |_| true) && rest(&steps[1..], toks, pos),
        Kind::Match(alts) => {
            for p in pos..=pos + step.gap {
                if alts.ends(toks, p, |next| rest(&steps[1..], toks, next)) {
                    return true;
                }
                if toks.get(p).is_none_or(|t| *t == STOP) {
                    return false;
                }
            }
            false
        }
    }
}

type Terms = HashMap<Box<str>, u32, BuildHasherDefault<Fx>>;

/// `a|b|@class|word*|gair~|in_front_of|$`: what one step accepts.
fn alternatives<F>(
    el: &str,
    classes: &HashMap<String, Vec<u32>>,
    terms: &mut Terms,
    intern: &mut F,
) -> Result<Alts, String>
where
    F: FnMut(&str, &mut Terms) -> u32,
{
    let mut alts = Alts::default();
    for alt in el.split('|') {
        if alt == "$" {
            alts.end = true;
        } else if alt.contains('_') {
            let parts = alt
                .split('_')
                .map(|w| one(w, classes, terms, intern))
                .collect::<Result<Vec<_>, _>>()?;
            alts.phrases.push(parts);
        } else {
            alts.words.extend(one(alt, classes, terms, intern)?);
        }
    }
    alts.words.sort_unstable();
    alts.words.dedup();
    let firsts: Vec<u32> = alts.firsts().collect();
    for t in firsts {
        let (i, bit) = filter_bit(t);
        alts.filter[i] |= bit;
    }
    Ok(alts)
}

/// One word of a step: `word`, `word*`, `gair~` or `@class`, as sorted term ids.
fn one<F>(
    w: &str,
    classes: &HashMap<String, Vec<u32>>,
    terms: &mut Terms,
    intern: &mut F,
) -> Result<Vec<u32>, String>
where
    F: FnMut(&str, &mut Terms) -> u32,
{
    let mut ids = if let Some(name) = w.strip_prefix('@') {
        classes
            .get(name)
            .ok_or_else(|| format!("class @{name} is not defined above"))?
            .clone()
    } else if let Some(w) = w.strip_suffix('*') {
        check_word(w)?;
        forms::english(w).iter().map(|f| intern(f, terms)).collect()
    } else if let Some(w) = w.strip_suffix('~') {
        check_word(w)?;
        forms::welsh(w).iter().map(|f| intern(f, terms)).collect()
    } else {
        check_word(w)?;
        vec![intern(w, terms)]
    };
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// A word in the rules is written as the normaliser leaves it: lower case, no accents, no
/// apostrophes, letters and digits only.
fn check_word(w: &str) -> Result<(), String> {
    let ok = !w.is_empty() && w.chars().all(|c| c.is_alphanumeric()) && normalise::fold(w) == w;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{w:?} is not a plain word (lower case, no accents or apostrophes)"
        ))
    }
}

/// The rustc hash: a multiply and rotate per word, quick for short keys; the keys are the
/// rules' own words, not chosen by an attacker.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
