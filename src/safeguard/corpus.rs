//! The detector measured on the labelled corpus in `tests/safeguarding/`: recall (risky
//! sentences that get crisis help) and false alarms (calm ones flagged) per category and
//! language, on the tuning part and the held-out parts separately. The first held-out part
//! was written before the rules, the second blind by someone who never saw them, and
//! neither is tuned to: their sentences are not printed here, only their figures.

use super::{Category, check, explain};

const TUNING: &str = include_str!("../../tests/safeguarding/tuning.tsv");
const HELDOUT: &str = include_str!("../../tests/safeguarding/heldout.tsv");
const HELDOUT2: &str = include_str!("../../tests/safeguarding/heldout2.tsv");
const HELDOUT3: &str = include_str!("../../tests/safeguarding/heldout3.tsv");

/// The thresholds issue 19 set: a part fails below this recall …
const MIN_RECALL: f64 = 0.97;
/// … or above this false-alarm rate.
const MAX_FALSE_ALARMS: f64 = 0.08;
/// The held-out parts do not all meet those yet: until they do, each is held to a floor so
/// no change makes the detector worse on text it was never tuned to. A part that meets the
/// target is held to it; the others to where they stand, rounded to the next percent
/// (each round of corpus moves single sentences at the classifier's line: a round joins
/// whatever it does to false alarms under the ceilings, but one that takes a part below its
/// recall floor, or a part that meets the target back over it, waits in
/// tests/safeguarding/waiting/). docs/safeguarding.md keeps how each round moved
/// them.
/// Raise them as the detector improves.
const HELDOUT_FLOOR_RECALL: f64 = MIN_RECALL;
const HELDOUT_CEILING_FALSE_ALARMS: f64 = MAX_FALSE_ALARMS;
/// The same for the second held-out part (98.6 %, 8.6 % on 2026-12-07).
const HELDOUT2_FLOOR_RECALL: f64 = MIN_RECALL;
const HELDOUT2_CEILING_FALSE_ALARMS: f64 = 0.09;
/// The same for the third, written blind on 2026-12-07 (300 sentences, half Welsh) so the
/// measure rests on more than 51 and 70 calm sentences: 95.6 % and 11.6 % when it joined,
/// 97.8 % and 8.5 % after the sixteenth round.
const HELDOUT3_FLOOR_RECALL: f64 = 0.97;
const HELDOUT3_CEILING_FALSE_ALARMS: f64 = 0.09;

struct Line<'a> {
    lang: &'a str,
    /// `None` for a calm sentence.
    category: Option<Category>,
    text: &'a str,
}

fn lines(tsv: &str) -> Vec<Line<'_>> {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                f.len(),
                3,
                "line {}: want lang, category, text: {l:?}",
                i + 1
            );
            assert!(
                ["en", "cy-n", "cy-s"].contains(&f[0]),
                "line {}: language {:?}",
                i + 1,
                f[0]
            );
            let category = match f[1] {
                "none" => None,
                c => Some(
                    Category::from_code(c)
                        .unwrap_or_else(|| panic!("line {}: category {c:?}", i + 1)),
                ),
            };
            Line {
                lang: f[0],
                category,
                text: f[2],
            }
        })
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Tally {
    risky: usize,
    caught: usize,
    /// Caught under the labelled category (the rest were caught under another).
    right_category: usize,
    calm: usize,
    false_alarms: usize,
    /// Risky sentences the rules alone caught, and calm ones the rules alone flagged.
    caught_by_rules: usize,
    false_alarms_by_rules: usize,
}

impl Tally {
    fn recall(&self) -> f64 {
        if self.risky == 0 {
            1.0
        } else {
            self.caught as f64 / self.risky as f64
        }
    }
    fn false_alarm_rate(&self) -> f64 {
        if self.calm == 0 {
            0.0
        } else {
            self.false_alarms as f64 / self.calm as f64
        }
    }
}

/// Measures one part and prints its table; returns the whole part's tally.
fn measure(name: &str, tsv: &str, show_sentences: bool) -> Tally {
    let mut cells: std::collections::BTreeMap<(&str, &str), Tally> = Default::default();
    let mut total = Tally::default();
    for l in lines(tsv) {
        let found = check(&[l.text]);
        let by_rules = usize::from(super::rules_check(&[l.text]).0.is_risky());
        let lang = if l.lang == "en" { "English" } else { "Welsh" };
        let key = (lang, l.category.map_or("none", Category::code));
        for t in [cells.entry(key).or_default(), &mut total] {
            match l.category {
                Some(c) => {
                    t.risky += 1;
                    t.caught_by_rules += by_rules;
                    if found.is_risky() {
                        t.caught += 1;
                    }
                    if found.has(c) {
                        t.right_category += 1;
                    }
                }
                None => {
                    t.calm += 1;
                    t.false_alarms_by_rules += by_rules;
                    if found.is_risky() {
                        t.false_alarms += 1;
                    }
                }
            }
        }
        if show_sentences {
            match (l.category, found.is_risky()) {
                (Some(c), false) => println!("  MISSED {} {}: {}", l.lang, c.code(), l.text),
                (None, true) => println!(
                    "  FALSE ALARM {} {}: {:?}",
                    l.lang,
                    l.text,
                    explain(&[l.text])
                ),
                _ => {}
            }
        }
    }
    println!("{name}: language, category, recall (right category), false alarms");
    for ((lang, cat), t) in &cells {
        if t.risky > 0 {
            println!(
                "  {lang:8} {cat:10} {}/{} = {:.1} % ({} under {cat})",
                t.caught,
                t.risky,
                100.0 * t.recall(),
                t.right_category
            );
        } else {
            println!(
                "  {lang:8} {cat:10} {}/{} flagged = {:.1} %",
                t.false_alarms,
                t.calm,
                100.0 * t.false_alarm_rate()
            );
        }
    }
    println!(
        "  all: recall {}/{} = {:.1} %, false alarms {}/{} = {:.1} %",
        total.caught,
        total.risky,
        100.0 * total.recall(),
        total.false_alarms,
        total.calm,
        100.0 * total.false_alarm_rate()
    );
    println!(
        "  the rules alone: recall {}/{}, false alarms {}/{}; the classifier added {} caught \
         and {} false alarms",
        total.caught_by_rules,
        total.risky,
        total.false_alarms_by_rules,
        total.calm,
        total.caught - total.caught_by_rules,
        total.false_alarms - total.false_alarms_by_rules
    );
    total
}

#[test]
fn corpus_is_large_and_welsh_enough() {
    let all: Vec<Line> = lines(TUNING)
        .into_iter()
        .chain(lines(HELDOUT))
        .chain(lines(HELDOUT2))
        .chain(lines(HELDOUT3))
        .collect();
    let welsh = all.iter().filter(|l| l.lang != "en").count();
    let risky = all.iter().filter(|l| l.category.is_some()).count();
    assert!(all.len() >= 400, "{} sentences", all.len());
    assert!(welsh * 4 >= all.len(), "{welsh} Welsh of {}", all.len());
    for dialect in ["cy-n", "cy-s"] {
        assert!(all.iter().filter(|l| l.lang == dialect).count() >= 40);
    }
    assert!(risky * 10 >= all.len() * 4 && risky * 10 <= all.len() * 6);
    // Every category, in both languages, in both parts.
    for part in [TUNING, HELDOUT, HELDOUT2, HELDOUT3] {
        let part = lines(part);
        for c in Category::ALL {
            for welsh in [false, true] {
                assert!(
                    part.iter()
                        .any(|l| l.category == Some(c) && (l.lang != "en") == welsh),
                    "no {} sentence in {}",
                    c.code(),
                    if welsh { "Welsh" } else { "English" }
                );
            }
        }
    }
}

#[test]
fn recall_and_false_alarms_on_the_tuning_and_held_out_parts() {
    let tuning = measure("tuning", TUNING, true);
    let heldout = measure("held-out", HELDOUT, false);
    let heldout2 = measure("held-out 2", HELDOUT2, false);
    let heldout3 = measure("held-out 3", HELDOUT3, false);
    let check = |name: &str, t: Tally, min_recall: f64, max_false_alarms: f64| {
        assert!(
            t.recall() >= min_recall,
            "{name}: recall {:.1} % is below {:.0} %",
            100.0 * t.recall(),
            100.0 * min_recall
        );
        assert!(
            t.false_alarm_rate() <= max_false_alarms,
            "{name}: false alarms {:.1} % are above {:.0} %",
            100.0 * t.false_alarm_rate(),
            100.0 * max_false_alarms
        );
    };
    check("tuning", tuning, MIN_RECALL, MAX_FALSE_ALARMS);
    for (name, t) in [
        ("held-out", heldout),
        ("held-out 2", heldout2),
        ("held-out 3", heldout3),
    ] {
        if t.recall() < MIN_RECALL || t.false_alarm_rate() > MAX_FALSE_ALARMS {
            println!(
                "{name}: NOT YET at the target of {:.0} % recall and {:.0} % false alarms \
                 (issue 19); held to its floor instead",
                100.0 * MIN_RECALL,
                100.0 * MAX_FALSE_ALARMS
            );
        }
    }
    check(
        "held-out",
        heldout,
        HELDOUT_FLOOR_RECALL,
        HELDOUT_CEILING_FALSE_ALARMS,
    );
    check(
        "held-out 2",
        heldout2,
        HELDOUT2_FLOOR_RECALL,
        HELDOUT2_CEILING_FALSE_ALARMS,
    );
    check(
        "held-out 3",
        heldout3,
        HELDOUT3_FLOOR_RECALL,
        HELDOUT3_CEILING_FALSE_ALARMS,
    );
}

/// Measures any labelled file in the same format, without thresholds: for a new batch of
/// sentences before it joins the tuning part (`MMHA_SAFEGUARDING_CORPUS=path cargo test
/// --lib measure_a_new_batch -- --nocapture`). Without the variable it measures nothing.
#[test]
fn measure_a_new_batch() {
    let Ok(path) = std::env::var("MMHA_SAFEGUARDING_CORPUS") else {
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read the batch");
    measure(&path, &text, true);
}

/// The fuzz target's properties, on every corpus sentence: how it is typed never changes
/// the outcome, and a flagged text stays flagged with a calm sentence before or after it.
#[test]
fn typing_never_changes_the_outcome_and_added_sentences_keep_a_flag() {
    let accented = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'a' => 'â',
                'e' => 'ê',
                'i' => 'î',
                'o' => 'ô',
                'u' => 'û',
                'w' => 'ŵ',
                'y' => 'ŷ',
                c => c,
            })
            .collect()
    };
    let calm = "We went to the baby group on Tuesday and had a coffee.";
    for l in lines(TUNING).into_iter().chain(lines(HELDOUT)) {
        let found = check(&[l.text]);
        assert_eq!(check(&[&l.text.to_ascii_uppercase()]), found, "{}", l.text);
        assert_eq!(check(&[&accented(l.text)]), found, "{}", l.text);
        assert_eq!(
            check(&[&l.text.replace('\'', "\u{2019}")]),
            found,
            "{}",
            l.text
        );
        if found.is_risky() {
            assert!(check(&[&format!("{calm}\n{}", l.text)]).is_risky());
            assert!(check(&[&format!("{}\n{calm}", l.text)]).is_risky());
        }
    }
}

/// How the classifier's smoothing and threshold were chosen: for each batch named in
/// `MMHA_SAFEGUARDING_BATCHES` (colon-separated files, each a batch of the tuning part by
/// an author who never saw the rules), learn from the tuning part without that batch and
/// score the batch, rules and classifier together. Never run on a held-out part.
#[test]
fn choose_the_classifier_settings() {
    let Ok(paths) = std::env::var("MMHA_SAFEGUARDING_BATCHES") else {
        return;
    };
    let batches: Vec<String> = paths
        .split(':')
        .map(|p| std::fs::read_to_string(p).expect("read the batch"))
        .collect();
    for alpha in [0.2, 0.3, 0.5] {
        let thresholds = [4.0f32, 4.5, 5.0, 5.5, 6.0, 7.0];
        // Per threshold, per language (English, Welsh): caught, risky, false alarms, calm.
        let mut t = vec![[[0usize; 4]; 2]; thresholds.len()];
        for b in &batches {
            let texts: std::collections::HashSet<&str> = lines(b).iter().map(|l| l.text).collect();
            let rest: String = TUNING
                .lines()
                .filter(|l| !texts.contains(l.splitn(3, '\t').nth(2).unwrap_or("")))
                .map(|l| format!("{l}\n"))
                .collect();
            let m = super::model::Model::train_with(&rest, alpha);
            for l in lines(b) {
                let (rules, calmed) = super::rules_check(&[l.text]);
                let rule = rules.is_risky();
                let score = if calmed.iter().any(|c| *c) {
                    f32::MIN
                } else {
                    m.score(&[l.text]).unwrap_or(f32::MIN)
                };
                let lang = usize::from(l.lang.starts_with("cy"));
                for (i, th) in thresholds.iter().enumerate() {
                    let hit = usize::from(rule || score > *th);
                    let t = &mut t[i][lang];
                    match l.category {
                        Some(_) => {
                            t[0] += hit;
                            t[1] += 1;
                        }
                        None => {
                            t[2] += hit;
                            t[3] += 1;
                        }
                    }
                }
            }
        }
        let pc = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        for (i, th) in thresholds.iter().enumerate() {
            let [en, cy] = t[i];
            let all: Vec<usize> = (0..4).map(|k| en[k] + cy[k]).collect();
            println!(
                "alpha {alpha} threshold {th}: recall {:.1} %, false alarms {:.1} % \
                 (English {:.1} %, {:.1} %; Welsh {:.1} %, {:.1} %)",
                pc(all[0], all[1]),
                pc(all[2], all[3]),
                pc(en[0], en[1]),
                pc(en[2], en[3]),
                pc(cy[0], cy[1]),
                pc(cy[2], cy[3]),
            );
        }
    }
}
