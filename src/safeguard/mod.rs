//! Safeguarding: does a text someone wrote to the alliance disclose immediate risk —
//! suicide (intent, plan or method, a passive wish, a goodbye), self-harm, harm to the
//! baby, or not being safe at home? A match shows the writer crisis help at once and
//! marks the item urgent for staff; it never decides anything else, and never keeps or
//! logs the words that matched.
//!
//! The detector is a small rule language (`rules.txt`, read by [`rules`]) over normalised
//! words ([`normalise`]): English inflections and Welsh mutations are generated from the
//! words the rules list ([`forms`]), once, when the rules are first used. Beside the rules
//! a classifier learned from the corpus ([`model`]) catches phrasings no rule names; a
//! text is flagged when either flags it. It prefers
//! flagging to missing: a moderator's minute is cheap, a missed disclosure is not. Its
//! recall and false alarms are measured on the labelled corpus in `tests/safeguarding/`
//! (see `docs/safeguarding.md`).

pub mod bench;
pub mod forms;
pub mod model;
pub mod normalise;
pub mod rules;
pub mod store;
pub mod table;

use std::sync::LazyLock;

/// What kind of risk a text discloses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Suicide,
    SelfHarm,
    Baby,
    Unsafe,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Suicide,
        Category::SelfHarm,
        Category::Baby,
        Category::Unsafe,
    ];

    /// The stored code, also the rule file's name for it.
    pub fn code(self) -> &'static str {
        match self {
            Category::Suicide => "suicide",
            Category::SelfHarm => "self-harm",
            Category::Baby => "baby",
            Category::Unsafe => "unsafe",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The outcome of a check: the categories of risk found (none for most texts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finding(u8);

impl Finding {
    pub fn is_risky(self) -> bool {
        self.0 != 0
    }

    pub fn has(self, c: Category) -> bool {
        self.0 & c.bit() != 0
    }

    pub fn categories(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| self.has(*c))
    }

    /// "suicide,baby": how a finding is stored beside the item ("" for none).
    pub fn codes(self) -> String {
        self.categories()
            .map(Category::code)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The finding stored as [`codes`](Self::codes) (unknown codes are ignored).
    pub fn from_codes(codes: &str) -> Finding {
        let mut f = Finding::default();
        for c in codes
            .split(',')
            .filter_map(|c| Category::from_code(c.trim()))
        {
            f.0 |= c.bit();
        }
        f
    }

    pub fn with(self, c: Category) -> Finding {
        Finding(self.0 | c.bit())
    }
}

/// Where staff read an item of `channel` (story, enquiry, member, supporter, activity,
/// survey).
pub fn admin_path(channel: &str, id: i64) -> String {
    match channel {
        "story" => format!("/admin/stories/{id}"),
        "enquiry" => format!("/admin/enquiries/{id}"),
        "member" => format!("/admin/members/{id}"),
        "activity" => format!("/admin/activities/{id}"),
        // Sign-up lines and survey answers have no page of their own: the safeguarding
        // page shows them.
        other => format!("/admin/safeguarding/{other}/{id}"),
    }
}

/// "Suicide, harm to the baby": the categories in staff words.
pub fn category_names(f: Finding) -> String {
    let lang = crate::i18n::Lang::En;
    f.categories()
        .map(|c| lang.t(&format!("admin-safeguard-{}", c.code())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The alert to staff: that an item needs a safeguarding look now, its kinds of risk and
/// a link. Never any of the writer's words.
pub fn alert(
    public_url: &str,
    site: &str,
    to: &str,
    channel: &str,
    id: i64,
    f: Finding,
) -> crate::mail::Outgoing {
    let lang = crate::i18n::Lang::En;
    let what = lang.t(&format!("admin-safeguard-channel-{channel}"));
    crate::mail::Letter::new(
        "safeguarding-alert",
        lang,
        to,
        site,
        lang.t1("admin-safeguard-alert-subject", "what", &what),
    )
    .paras(vec![
        lang.t1("admin-safeguard-alert-kinds", "kinds", category_names(f)),
        lang.t("admin-safeguard-alert-text"),
    ])
    .button(
        lang.t("admin-safeguard-alert-button"),
        format!("{public_url}{}", admin_path(channel, id)),
    )
    .outgoing()
}

/// The rules, compiled on first use (call [`warm`] at start so no visitor waits for it).
pub(crate) static RULES: LazyLock<rules::Rules> = LazyLock::new(|| {
    rules::Rules::parse(include_str!("rules.txt")).unwrap_or_else(|e| panic!("{e}"))
});

/// The classifier, learned from the tuning part of the corpus on first use.
pub(crate) static MODEL: LazyLock<model::Model> =
    LazyLock::new(|| model::Model::train(include_str!("../../tests/safeguarding/tuning.tsv")));

/// Every word the rules or the classifier know, with its id for each, so a text is
/// normalised and each word looked up once for both.
static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut all: std::collections::HashMap<&str, (u32, u32)> = Default::default();
    let none = (rules::OTHER, model::UNKNOWN);
    for (w, t) in RULES.terms() {
        all.entry(w).or_insert(none).0 = t;
    }
    for (w, id) in MODEL.words() {
        all.entry(w).or_insert(none).1 = id;
    }
    Lexicon::new(all)
});

type Fx = std::hash::BuildHasherDefault<rules::Fx>;

/// Words of up to 8 bytes (most) are kept inline as one number in a [`table::Table`], so a
/// lookup hashes a number and reads no other memory; longer ones by their text. The
/// number is built a byte at a time, not copied: a copy into a buffer read back as a
/// number stalls the processor (the store cannot be forwarded to the load).
struct Lexicon {
    short: table::Table<(u32, u32)>,
    long: std::collections::HashMap<Box<str>, (u32, u32), Fx>,
}

/// Up to 8 bytes as a little-endian number: never zero for a word, and two words never
/// share one (words hold no zero byte, so the padding cannot make two words one).
fn packed(b: &[u8]) -> u64 {
    b.iter().rev().fold(0u64, |k, c| (k << 8) | u64::from(*c))
}

impl Lexicon {
    fn new(all: std::collections::HashMap<&str, (u32, u32)>) -> Lexicon {
        let (short, long): (Vec<_>, Vec<_>) = all
            .into_iter()
            .filter(|(w, _)| !w.is_empty())
            .partition(|(w, _)| w.len() <= 8);
        Lexicon {
            short: table::Table::new(short.into_iter().map(|(w, v)| (packed(w.as_bytes()), v))),
            long: long.into_iter().map(|(w, v)| (w.into(), v)).collect(),
        }
    }

    /// The rules' term id and the classifier's word id of `w`.
    fn get(&self, w: &str) -> (u32, u32) {
        match w.len() {
            1..=8 => self.short.get(packed(w.as_bytes())),
            _ => self.long.get(w).copied(),
        }
        .unwrap_or((rules::OTHER, model::UNKNOWN))
    }
}

/// Compiles the rules and learns the classifier now.
pub fn warm() {
    LazyLock::force(&LEXICON);
}

/// `texts` as the rules' term ids and the classifier's word ids, a sentence end after
/// every sentence and at the end of every text in both.
fn tokens(texts: &[&str]) -> (Vec<u32>, Vec<u32>) {
    // About one word in six bytes of text.
    let guess = texts.iter().map(|t| t.len() / 6 + 1).sum();
    let (mut terms, mut ids) = (Vec::with_capacity(guess), Vec::with_capacity(guess));
    normalise::each(texts, |p| {
        let (term, id) = match p {
            normalise::Piece::Word(w) => LEXICON.get(w),
            normalise::Piece::Stop => (rules::STOP, model::STOP),
        };
        terms.push(term);
        ids.push(id);
    });
    (terms, ids)
}

/// The risk disclosed in `texts` (each checked on its own: a title and a body, say): the
/// rules' categories, or when no rule matches, the classifier's.
pub fn check(texts: &[&str]) -> Finding {
    let (terms, ids) = tokens(texts);
    let mut f = Finding::default();
    let calmed = RULES.scan_tokens(&terms, |r| {
        if let Some(c) = RULES.rules[r].category {
            f = f.with(c);
        }
    });
    if f.is_risky() {
        f
    } else {
        MODEL.check_ids(&ids, &calmed)
    }
}

/// The rules' categories alone, and which sentences a calm rule cleared.
#[cfg(test)]
fn rules_check(texts: &[&str]) -> (Finding, Vec<bool>) {
    let mut f = Finding::default();
    let calmed = RULES.scan(texts, |r| {
        if let Some(c) = RULES.rules[r].category {
            f = f.with(c);
        }
    });
    (f, calmed)
}

/// The rules that match `texts` (line in `rules.txt` and source), and line 0 for the
/// classifier when it flags them, for reports and tests.
pub fn explain(texts: &[&str]) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    let calmed = RULES.scan(texts, |r| {
        let rule = &RULES.rules[r];
        out.push((rule.line, rule.source.as_str()));
    });
    if MODEL.check(texts, &calmed).is_risky() {
        out.push((0, "classifier"));
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod corpus;
