//! `mmha bench safeguarding`: how long the check takes on long texts (it runs on the
//! request path of every form with free text), printed as figures.

use std::time::Instant;

/// Calm sentences a long story is made of, in English and Welsh (with accents, so the
/// Unicode path is measured too), full of the near-misses the rules must pass over.
const ENGLISH: &[&str] = &[
    "When she was born I was dying to hold her, and the midwife cut the cord while we cried.",
    "The first weeks were a blur of feeds, nappies and hanging the washing at three in the morning.",
    "I jumped at the chance to join the walking group, and the health visitor was a lifesaver.",
    "Some days felt like a knife-edge, but my partner took the night feeds so I could rest.",
    "We went over the bridge with the pram every morning, and the sea air helped us both.",
    "I got an overdose of advice from everyone, so I stopped reading the forums.",
];
const WELSH: &[&str] = &[
    "Pan gafodd hi ei geni ro'n i'n marw isio'i dal hi, a thorrodd y fydwraig y llinyn.",
    "Roedd yr wythnosau cyntaf yn niwl o fwydo, cewynnau a hongian dillad am dri y bore.",
    "Neidiais at y cyfle i ymuno â'r grŵp cerdded, ac roedd yr ymwelydd iechyd yn achubiaeth.",
    "Ro'n ni'n cerdded dros y bont gyda'r pram bob bore, ac roedd awyr y môr yn help i'r ddau ohonon ni.",
];

/// A text of about `chars` characters made of `sentences` in turn.
fn text(sentences: &[&str], chars: usize) -> String {
    let mut out = String::new();
    for s in sentences.iter().cycle() {
        if out.chars().count() >= chars {
            break;
        }
        out.push_str(s);
        out.push(' ');
    }
    out
}

fn time(name: &str, text: &str, rounds: usize) {
    let mut times = Vec::with_capacity(rounds);
    let mut flagged = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let f = super::check(std::hint::black_box(&[text]));
        times.push(start.elapsed().as_nanos() as u64);
        flagged += usize::from(f.is_risky());
    }
    times.sort_unstable();
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    println!(
        "safeguarding check, {name} ({} chars): median {:.1} µs, p99 {:.1} µs, max {:.1} µs ({}flagged)",
        text.chars().count(),
        at(0.5),
        at(0.99),
        at(1.0),
        if flagged == rounds { "" } else { "not " }
    );
}

/// The median of `rounds` runs of `f`, one part of the check on the calm English story.
fn phase(name: &str, rounds: usize, mut f: impl FnMut()) {
    let mut times: Vec<u64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_nanos() as u64
        })
        .collect();
    times.sort_unstable();
    println!(
        "{name}, calm English story: median {:.1} µs",
        times[times.len() / 2] as f64 / 1000.0
    );
}

pub fn run(rounds: usize) {
    let start = Instant::now();
    super::warm();
    println!(
        "safeguarding rules compiled and classifier learned in {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let english = text(ENGLISH, 5000);
    let welsh = text(WELSH, 5000);
    let risky = format!("{english} I keep thinking everyone would be better off without me.");
    phase("normalising alone", rounds, || {
        let folded = super::normalise::fold(std::hint::black_box(&english));
        let mut n = 0usize;
        super::normalise::pieces(&folded, |p| {
            n += usize::from(matches!(p, super::normalise::Piece::Word(_)))
        });
        std::hint::black_box(n);
    });
    phase("normalising and looking words up alone", rounds, || {
        std::hint::black_box(super::tokens(std::hint::black_box(&[english.as_str()])));
    });
    let (terms, ids) = super::tokens(&[english.as_str()]);
    let calmed = super::RULES.scan_tokens(&terms, |_| {});
    phase("the rules alone on its words", rounds, || {
        std::hint::black_box(super::RULES.scan_tokens(std::hint::black_box(&terms), |_| {}));
    });
    phase("the classifier alone on its words", rounds, || {
        std::hint::black_box(super::MODEL.check_ids(std::hint::black_box(&ids), &calmed));
    });
    time("calm English story", &english, rounds);
    time("calm Welsh story", &welsh, rounds);
    time("English story ending in a disclosure", &risky, rounds);
}
