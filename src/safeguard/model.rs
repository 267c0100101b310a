//! A second reader beside the rules: a naive Bayes classifier learned from the tuning part
//! of the corpus (`tests/safeguarding/tuning.tsv`), once, when the check is first used.
//!
//! Rules catch what they name; each new author of the corpus found phrasings no rule
//! named ("the bathroom cabinet is full and I keep looking at it"), and the rules caught
//! 60–77 % of each new batch before it was tuned to. Words and word pairs that risky
//! sentences share, weighed against the calm ones full of the same words ("dying for a
//! brew"), catch much of what the rules miss. A sentence is flagged when either flags it.
//!
//! Features are the normalised words of a sentence and each pair of neighbouring words,
//! present or not (multinomial naive Bayes on binary features, uniform class priors,
//! Lidstone smoothing). Each sentence is scored on its own, so adding a sentence never
//! clears a flag; the score is the log-odds of risky against calm, and only words seen in
//! training count; a word counts once per sentence, a pair each time it appears. The
//! category is the most likely of the four. Training is a single pass over about 2,500
//! lines (a few milliseconds); nothing is learned from what people write to the site.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::normalise::{self, Piece};
use super::rules::Fx;
use super::{Category, Finding};

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Smoothing added to every count. Chosen, with [`THRESHOLD`], by training on the tuning
/// part without one batch of a new author and scoring that batch, for each of the 40
/// blind batches in turn (never on a held-out part): the setting that catches most at a
/// given rate of false alarms (docs/safeguarding.md).
const ALPHA: f64 = 0.2;

/// Log-odds above which a sentence is flagged (e^5 ≈ 150 to 1).
pub const THRESHOLD: f32 = 5.0;

pub struct Model {
    words: Map<String, u32>,
    /// Per word id: the evidence for risk, log P(w | risky) − log P(w | calm).
    single: Vec<f32>,
    /// The same per pair of neighbouring words ([`pair`]), for pairs seen in training.
    pairs: super::table::Table<f32>,
    /// log P(f | category) for each of [`Category::ALL`], per feature (a word id, or a
    /// pair): read only for a sentence that is flagged, to name its category.
    categories: Map<u64, [f32; 4]>,
}

/// A word the model never saw.
pub const UNKNOWN: u32 = u32::MAX - 1;
/// The end of a sentence.
pub const STOP: u32 = u32::MAX;

fn pair(a: u32, b: u32) -> u64 {
    ((u64::from(a) + 1) << 32) | u64::from(b)
}

/// A labelled line of the corpus: `lang <TAB> category <TAB> text`, `None` for calm.
fn labelled(line: &str) -> Option<(Option<Category>, &str)> {
    if line.trim().is_empty() || line.starts_with('#') {
        return None;
    }
    let mut f = line.splitn(3, '\t');
    let (_lang, cat, text) = (f.next()?, f.next()?, f.next()?);
    Some((Category::from_code(cat), text))
}

impl Model {
    /// Learns from a corpus in the tuning part's format.
    pub fn train(tsv: &str) -> Model {
        Model::train_with(tsv, ALPHA)
    }

    /// Learns with smoothing `alpha` (to choose it).
    pub fn train_with(tsv: &str, alpha: f64) -> Model {
        let mut words: Map<String, u32> = Map::default();
        // Per feature (a word id, or a pair): lines containing it that are risky, calm,
        // then per category.
        let mut counts: Map<u64, [u32; 6]> = Map::default();
        let mut feats: Vec<u64> = Vec::new();
        for (category, text) in tsv.lines().filter_map(labelled) {
            feats.clear();
            let folded = normalise::fold(text);
            let mut prev: Option<u32> = None;
            normalise::pieces(&folded, |p| match p {
                Piece::Word(w) => {
                    let next = words.len() as u32;
                    let id = *words.entry(w.to_string()).or_insert(next);
                    feats.push(u64::from(id));
                    if let Some(a) = prev {
                        feats.push(pair(a, id));
                    }
                    prev = Some(id);
                }
                Piece::Stop => prev = None,
            });
            feats.sort_unstable();
            feats.dedup();
            for f in &feats {
                let c = counts.entry(*f).or_default();
                match category {
                    Some(cat) => {
                        c[0] += 1;
                        c[2 + cat as usize] += 1;
                    }
                    None => c[1] += 1,
                }
            }
        }
        let mut totals = [0f64; 6];
        for c in counts.values() {
            for (t, n) in totals.iter_mut().zip(c) {
                *t += f64::from(*n);
            }
        }
        let v = counts.len() as f64;
        let lp = |n: u32, j: usize| ((f64::from(n) + alpha) / (totals[j] + alpha * v)).ln();
        let mut single = vec![0f32; words.len()];
        let mut pairs = Vec::new();
        let mut categories = Map::default();
        for (f, c) in counts {
            let risk = (lp(c[0], 0) - lp(c[1], 1)) as f32;
            if f < 1 << 32 {
                single[f as usize] = risk;
            } else {
                pairs.push((f, risk));
            }
            let cats = [2, 3, 4, 5].map(|j| lp(c[j], j) as f32);
            categories.insert(f, cats);
        }
        Model {
            words,
            single,
            pairs: super::table::Table::new(pairs),
            categories,
        }
    }

    /// The categories of the sentences of `texts` that score above [`THRESHOLD`], except
    /// sentences `calmed` (by sentence end, in order, as the rules report them: plainly
    /// about the past and recovery, or about research or a campaign).
    pub fn check(&self, texts: &[&str], calmed: &[bool]) -> Finding {
        self.check_ids(&self.ids(texts), calmed)
    }

    /// [`check`](Self::check) on texts already made into word ids ([`Model::id`]), with
    /// [`STOP`] after every sentence and at the end of every text.
    pub fn check_ids(&self, ids: &[u32], calmed: &[bool]) -> Finding {
        let mut found = Finding::default();
        let mut n = 0;
        self.sentences(ids, |score, sentence| {
            if score > THRESHOLD && !calmed.get(n).copied().unwrap_or(false) {
                found = found.with(self.category(sentence));
            }
            n += 1;
        });
        found
    }

    /// The highest sentence score in `texts` (for reports), or `None` when no sentence
    /// has a word the model knows.
    pub fn score(&self, texts: &[&str]) -> Option<f32> {
        let mut best: Option<f32> = None;
        self.sentences(&self.ids(texts), |s, sentence| {
            if sentence.iter().any(|id| *id != UNKNOWN) {
                best = Some(best.map_or(s, |b| b.max(s)));
            }
        });
        best
    }

    /// A word's id, or [`UNKNOWN`] for a word never seen in training.
    pub fn id(&self, w: &str) -> u32 {
        self.words.get(w).copied().unwrap_or(UNKNOWN)
    }

    /// Every word the model knows, with its id.
    pub fn words(&self) -> impl Iterator<Item = (&str, u32)> {
        self.words.iter().map(|(w, id)| (w.as_str(), *id))
    }

    /// `texts` as word ids, [`STOP`] after every sentence and at the end of every text.
    fn ids(&self, texts: &[&str]) -> Vec<u32> {
        normalise::tokens(texts, STOP, |w| self.id(w))
    }

    /// The category a flagged sentence (its word ids) most resembles.
    fn category(&self, sentence: &[u32]) -> Category {
        let mut feats: Vec<u64> = Vec::with_capacity(sentence.len() * 2);
        let mut prev = UNKNOWN;
        for b in sentence {
            if *b != UNKNOWN {
                feats.push(u64::from(*b));
                if prev != UNKNOWN {
                    feats.push(pair(prev, *b));
                }
            }
            prev = *b;
        }
        feats.sort_unstable();
        feats.dedup();
        let mut sum = [0f32; 4];
        for f in &feats {
            if let Some(w) = self.categories.get(f) {
                sum.iter_mut().zip(w).for_each(|(s, w)| *s += w);
            }
        }
        Category::ALL
            .into_iter()
            .max_by(|a, b| sum[*a as usize].total_cmp(&sum[*b as usize]))
            .unwrap_or(Category::Suicide)
    }

    /// Calls `each` at every sentence end in `ids` (each [`STOP`]) with the sentence's
    /// score and its word ids. A word counts once per sentence (the features are present
    /// or not); a pair repeated in one sentence counts each time.
    fn sentences(&self, ids: &[u32], mut each: impl FnMut(f32, &[u32])) {
        // Per word id, the sentence it last counted in.
        let mut seen: Vec<u32> = vec![0; self.single.len()];
        let mut n = 1u32;
        let mut start = 0;
        let mut score = 0f32;
        for (i, b) in ids.iter().enumerate() {
            match *b {
                STOP => {
                    each(score, &ids[start..i]);
                    score = 0.0;
                    start = i + 1;
                    n += 1;
                }
                UNKNOWN => {}
                b => {
                    let slot = &mut seen[b as usize];
                    if *slot != n {
                        *slot = n;
                        score += self.single[b as usize];
                    }
                    if i > start && ids[i - 1] < UNKNOWN {
                        score += self.pairs.get(pair(ids[i - 1], b)).unwrap_or(0.0);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "# a comment\n\
        en\tsuicide\tI want to end my life.\n\
        en\tsuicide\tI want to die.\n\
        en\tbaby\tI might hurt my baby.\n\
        en\tnone\tI want to go to the park.\n\
        en\tnone\tMy baby loves the park.\n";

    #[test]
    fn learns_which_words_carry_risk() {
        let m = Model::train(TINY);
        let risky = m.score(&["i want to die"]).unwrap();
        let calm = m.score(&["my baby loves the park"]).unwrap();
        assert!(risky > 0.0 && calm < 0.0, "{risky} {calm}");
        assert_eq!(m.score(&["zzz qqq"]), None, "no word it knows");
        assert_eq!(m.score(&[""]), None);
    }

    #[test]
    fn each_sentence_is_scored_alone() {
        let m = Model::train(TINY);
        let alone = m.score(&["I want to die."]).unwrap();
        let with_calm = m
            .score(&["My baby loves the park. I want to die. We went to the park."])
            .unwrap();
        assert_eq!(alone, with_calm);
    }

    /// Through the real check: a phrasing from the tuning part that no rule names is
    /// caught by the classifier, and a sentence a calm rule clears is not flagged by it.
    #[test]
    fn the_classifier_backs_the_rules_and_calm_rules_silence_it() {
        let hidden = "wearing long sleeves in july so the health visitor doesnt see my arms";
        assert!(!crate::safeguard::rules_check(&[hidden]).0.is_risky());
        assert!(crate::safeguard::check(&[hidden]).has(Category::SelfHarm));
        let past = "Ten years ago I took an overdose when my son was four months old; \
                    I've been well for a long time now and I train nurses to recognise risk.";
        assert!(crate::safeguard::rules_check(&[past]).1.contains(&true));
        assert!(!crate::safeguard::check(&[past]).is_risky());
    }

    /// The check normalises each text once and looks each word up once for the rules
    /// and the classifier together: the same answer as asking each on its own.
    #[test]
    fn one_pass_for_both_answers_as_two_would() {
        let corpus = include_str!("../../tests/safeguarding/tuning.tsv");
        for (_, text) in corpus.lines().filter_map(labelled) {
            let (rules, calmed) = crate::safeguard::rules_check(&[text]);
            let two = if rules.is_risky() {
                rules
            } else {
                crate::safeguard::MODEL.check(&[text], &calmed)
            };
            assert_eq!(crate::safeguard::check(&[text]), two, "{text}");
        }
    }
}
