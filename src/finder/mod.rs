//! The support finder: postcode (or town, or position) → health area → help.
//!
//! - [`postcode`] reads what people type;
//! - [`index`] holds every postcode in a compact in-memory layout; [`import`] replaces it
//!   from an ONS file; [`places`] finds towns;
//! - this module turns a query into a [`Located`] answer or a [`Problem`] (pure, in memory);
//! - [`routes`] serves `/support`, `/api/v1/lookup` and `/api/v1/support`;
//! - [`stats`] counts searches per health area per day, and nothing else.
//!
//! Privacy: no postcode, place or position is logged, stored, cached or counted. Request logs
//! carry route patterns only; the result page is assembled per request from a per-area
//! skeleton (`web::splice`) so not even the page cache holds a visitor's postcode.

pub mod answer;
pub mod api;
pub mod bench;
pub mod import;
pub mod index;
pub mod places;
pub mod postcode;
pub mod routes;
pub mod stats;

use crate::atlas::Atlas;
use index::{PostcodeIndex, Resolved};
use postcode::Reading;

/// How exact an answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// The postcode itself.
    Postcode,
    /// The middle of the postcode district: the postcode is new, terminated or mistyped.
    District,
    /// A town or village.
    Place,
    /// A position the browser gave.
    Position,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Postcode => "postcode",
            Precision::District => "district",
            Precision::Place => "place",
            Precision::Position => "position",
        }
    }
}

/// A place the finder could put in a health area.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    /// What to show back: "CF10 3NQ", "CF10", "Cardiff".
    pub label: String,
    pub precision: Precision,
    pub area_code: String,
    pub lat: f64,
    pub lon: f64,
    /// Set when the input was read differently from how it was typed (O for 0).
    pub corrected_from: Option<String>,
    /// A full postcode was given but is not in the index, so the district answers.
    pub postcode_unknown: bool,
    /// For a district: the share of its postcodes in `area_code`, when below 1.
    pub share: f64,
    /// A place's nation, when a place was chosen.
    pub place_nation: Option<String>,
}

/// Why no area could be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    Invalid(postcode::Invalid),
    /// Well formed, but not even the district is known.
    UnknownPostcode,
    /// Jersey, Guernsey, the Isle of Man, British Forces.
    OutsideNhs,
    NoPlace,
    /// A position outside the four nations' health areas.
    PositionOutside,
}

impl Problem {
    /// Every problem, for the test that every message exists.
    pub const ALL: [Problem; 8] = [
        Problem::Invalid(postcode::Invalid::Empty),
        Problem::Invalid(postcode::Invalid::TooLong),
        Problem::Invalid(postcode::Invalid::Characters),
        Problem::Invalid(postcode::Invalid::Format),
        Problem::UnknownPostcode,
        Problem::OutsideNhs,
        Problem::NoPlace,
        Problem::PositionOutside,
    ];

    /// Fluent message id.
    pub fn message(self) -> &'static str {
        match self {
            Problem::Invalid(i) => i.message(),
            Problem::UnknownPostcode => "finder-error-unknown",
            Problem::OutsideNhs => "finder-error-outside-nhs",
            Problem::NoPlace => "finder-error-no-place",
            Problem::PositionOutside => "finder-error-position-outside",
        }
    }

    /// HTTP status: 400 for input that is not a postcode, 404 for one we cannot place.
    pub fn status(self) -> u16 {
        match self {
            Problem::Invalid(_) => 400,
            _ => 404,
        }
    }
}

/// What a search came to.
#[derive(Debug)]
pub enum Outcome {
    Found(Located),
    /// Several places share the name: the visitor picks one.
    Choose(Vec<&'static places::Place>),
    Problem(Problem),
}

/// The area for a position: the index's answer when it names a current area, else the
/// boundary that contains the point (an area import may have changed codes).
fn current_area(atlas: &Atlas, code: &str, lat: f64, lon: f64) -> Option<String> {
    if atlas.area(code).is_some() {
        return Some(code.to_string());
    }
    atlas.area_at(lon, lat).map(|a| a.code.clone())
}

/// A postcode or district reading, resolved.
pub fn locate_postcode(
    idx: &PostcodeIndex,
    atlas: &Atlas,
    typed: &str,
    reading: &Reading,
) -> Result<Located, Problem> {
    let typed_norm: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    match idx.resolve(reading) {
        Resolved::Postcode {
            code,
            corrected,
            hit,
        } => {
            let area = current_area(atlas, hit.area_code, hit.lat, hit.lon)
                .ok_or(Problem::UnknownPostcode)?;
            Ok(Located {
                label: code.display(),
                precision: Precision::Postcode,
                area_code: area,
                lat: hit.lat,
                lon: hit.lon,
                corrected_from: corrected.then_some(typed_norm),
                postcode_unknown: false,
                share: 1.0,
                place_nation: None,
            })
        }
        Resolved::District {
            code,
            corrected,
            postcode_unknown,
            hit,
        } => {
            let area = current_area(atlas, hit.area_code, hit.lat, hit.lon)
                .ok_or(Problem::UnknownPostcode)?;
            // Show the full postcode as read when one was given, so people can spot a typo.
            let label = match reading {
                Reading::Full(c) => c
                    .iter()
                    .find(|p| p.outward == code.0)
                    .map(|p| p.display())
                    .unwrap_or_else(|| code.display()),
                Reading::District(_) => code.display(),
            };
            Ok(Located {
                label,
                precision: Precision::District,
                area_code: area,
                lat: hit.lat,
                lon: hit.lon,
                corrected_from: corrected.then_some(typed_norm),
                postcode_unknown,
                share: hit.share,
                place_nation: None,
            })
        }
        Resolved::OutsideNhs => Err(Problem::OutsideNhs),
        Resolved::Unknown => Err(Problem::UnknownPostcode),
    }
}

/// Text from the finder's one box: a postcode, a district or a town.
pub fn search_text(idx: &PostcodeIndex, atlas: &Atlas, input: &str) -> Outcome {
    match postcode::parse(input) {
        Ok(reading) => match locate_postcode(idx, atlas, input, &reading) {
            Ok(l) => Outcome::Found(l),
            Err(p) => Outcome::Problem(p),
        },
        Err(invalid) => {
            if places::looks_like_place(input) {
                let found = places::search(input, 8);
                match found.len() {
                    0 => Outcome::Problem(Problem::NoPlace),
                    1 => place_outcome(idx, atlas, found[0]),
                    _ => Outcome::Choose(found),
                }
            } else {
                Outcome::Problem(Problem::Invalid(invalid))
            }
        }
    }
}

/// The area at a position: the boundary that contains it, else (for the estuaries and
/// coasts that generalised boundaries cut off) the area of the nearest postcode within 5 km.
pub fn area_near(idx: &PostcodeIndex, atlas: &Atlas, lat: f64, lon: f64) -> Option<String> {
    if let Some(a) = atlas.area_at(lon, lat) {
        return Some(a.code.clone());
    }
    let hit = idx.nearest(lat, lon, 5.0)?;
    current_area(atlas, hit.area_code, hit.lat, hit.lon)
}

/// A chosen place.
pub fn place_outcome(idx: &PostcodeIndex, atlas: &Atlas, p: &places::Place) -> Outcome {
    match area_near(idx, atlas, p.lat, p.lon) {
        Some(code) => Outcome::Found(Located {
            label: p.name.clone(),
            precision: Precision::Place,
            area_code: code,
            lat: p.lat,
            lon: p.lon,
            corrected_from: None,
            postcode_unknown: false,
            share: 1.0,
            place_nation: Some(p.nation.clone()),
        }),
        None => Outcome::Problem(Problem::PositionOutside),
    }
}

/// A position from the browser.
pub fn search_position(idx: &PostcodeIndex, atlas: &Atlas, lat: f64, lon: f64) -> Outcome {
    if !lat.is_finite() || !lon.is_finite() || lat.abs() > 90.0 || lon.abs() > 180.0 {
        return Outcome::Problem(Problem::PositionOutside);
    }
    match area_near(idx, atlas, lat, lon) {
        Some(code) => Outcome::Found(Located {
            label: String::new(),
            precision: Precision::Position,
            area_code: code,
            lat,
            lon,
            corrected_from: None,
            postcode_unknown: false,
            share: 1.0,
            place_nation: None,
        }),
        None => Outcome::Problem(Problem::PositionOutside),
    }
}
