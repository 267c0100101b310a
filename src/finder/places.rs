//! Town and village names, for people who do not know or do not want to give a postcode.
//!
//! `seed/places.csv` holds the 5,911 places of 500 or more people in the four nations from
//! GeoNames (CC BY 4.0; built by `scripts/data/places.py`), with their other names, Welsh
//! and Gaelic included ("Caerdydd", "Casnewydd"). Matching ignores case, accents and
//! punctuation; exact names come before names that start with what was typed, and larger
//! places before smaller ones.

use std::sync::OnceLock;

/// One place.
#[derive(Debug)]
pub struct Place {
    pub id: u32,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub population: u32,
    pub nation: String,
    /// Folded name first, then folded other names.
    keys: Vec<String>,
}

const PLACES_CSV: &str = include_str!("../../seed/places.csv");

/// Longest input tried as a place name ("Llanfairpwllgwyngyll…" fits).
pub const MAX_PLACE: usize = 60;

pub fn all() -> &'static [Place] {
    static PLACES: OnceLock<Vec<Place>> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut r = csv::Reader::from_reader(PLACES_CSV.as_bytes());
        r.records()
            .filter_map(Result::ok)
            .filter_map(|rec| {
                let name = rec.get(1)?.to_string();
                let mut keys = vec![fold(&name)];
                keys.extend(rec.get(2)?.split('|').filter(|a| !a.is_empty()).map(fold));
                Some(Place {
                    id: rec.get(0)?.parse().ok()?,
                    lat: rec.get(3)?.parse().ok()?,
                    lon: rec.get(4)?.parse().ok()?,
                    population: rec.get(5)?.parse().ok()?,
                    nation: rec.get(6)?.to_string(),
                    name,
                    keys,
                })
            })
            .collect()
    })
}

pub fn by_id(id: u32) -> Option<&'static Place> {
    all().iter().find(|p| p.id == id)
}

/// Lower case, accents off, punctuation to spaces, spaces collapsed, and "saint" as "st".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for ch in s.chars() {
        let c = match ch {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ŵ' | 'Ŵ' => 'w',
            'ŷ' | 'ý' | 'ÿ' | 'Ŷ' | 'Ý' => 'y',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.extend(c.to_lowercase());
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    if let Some(rest) = out.strip_prefix("saint ") {
        out = format!("st {rest}");
    }
    out
}

/// True when input could be a place name: letters (any alphabet), spaces and the
/// punctuation of names, with at least two letters.
pub fn looks_like_place(s: &str) -> bool {
    let s = s.trim();
    s.chars().count() <= MAX_PLACE
        && s.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && s.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.' | ','))
}

/// Places matching `q`, best first: exact names, then exact other names, then names that
/// start with `q`; larger places first within each. At most `limit`.
pub fn search(q: &str, limit: usize) -> Vec<&'static Place> {
    let q = fold(q);
    if q.chars().count() < 2 {
        return Vec::new();
    }
    let mut scored: Vec<(u8, &Place)> = all()
        .iter()
        .filter_map(|p| {
            let rank = if p.keys[0] == q {
                0
            } else if p.keys[1..].contains(&q) {
                1
            } else if q.chars().count() >= 3 && p.keys[0].starts_with(&q) {
                2
            } else {
                return None;
            };
            Some((rank, p))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.population.cmp(&a.1.population)));
    // Exact matches hide looser ones.
    if let Some(best) = scored.first().map(|s| s.0)
        && best < 2
    {
        scored.retain(|s| s.0 < 2);
    }
    scored.into_iter().take(limit).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(q: &str) -> Vec<String> {
        search(q, 8)
            .iter()
            .map(|p| format!("{} ({})", p.name, p.nation))
            .collect()
    }

    #[test]
    fn finds_towns_by_any_of_their_names() {
        assert_eq!(names("cardiff"), ["Cardiff (wales)"]);
        assert_eq!(names("Caerdydd"), ["Cardiff (wales)"]);
        assert_eq!(names("  BELFAST "), ["Belfast (northern-ireland)"]);
        assert_eq!(names("Inverness")[0], "Inverness (scotland)");
        assert_eq!(names("Derry")[0], "Derry (northern-ireland)");
        assert_eq!(names("Londonderry")[0], "Derry (northern-ireland)");
    }

    #[test]
    fn several_places_of_one_name_are_all_offered_largest_first() {
        let n = names("Newport");
        assert!(n.len() >= 3, "{n:?}");
        assert_eq!(n[0], "Newport (wales)");
        assert!(n.iter().all(|x| x.starts_with("Newport")), "{n:?}");
        assert!(
            n.contains(&"Newport-on-Tay (scotland)".to_string()),
            "other names count"
        );
    }

    #[test]
    fn prefixes_help_when_nothing_matches_exactly() {
        assert!(names("Aberyst").contains(&"Aberystwyth (wales)".to_string()));
        assert!(names("xq").is_empty());
        assert!(names("Nowhereville").is_empty());
    }

    #[test]
    fn input_shapes() {
        assert!(looks_like_place("St Albans"));
        assert!(looks_like_place("Bryn-y-maen"));
        assert!(!looks_like_place("CF10 3NQ"));
        assert!(!looks_like_place("<script>"));
        assert!(!looks_like_place("' OR 1=1 --"));
        assert_eq!(fold("Saint  Andrews."), "st andrews");
        assert_eq!(fold("Ynys Môn"), "ynys mon");
    }
}
