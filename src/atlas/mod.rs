//! The services atlas: four-nation health areas, provision scores (0–5 per area per year)
//! and the map. Boundaries are stored in the database at full resolution and kept in memory
//! parsed (for point lookups) and as small SVG paths (for the map).

pub mod admin;
pub mod api;
pub mod area_page;
pub mod geo;
pub mod import;
pub mod import_admin;
pub mod oruk;
pub mod routes;
pub mod seed_services;
pub mod service_admin;
pub mod service_page;
pub mod services;
pub mod store;
pub mod transfer;

use std::collections::HashMap;

use crate::db::{Db, Tx};

/// Width of the map in SVG units.
pub const MAP_WIDTH: f64 = 560.0;

/// The boundary files loaded into a new database.
const SEED_FILES: &[(&str, &str)] = &[
    (
        "ONS ICB April 2023",
        include_str!("../../seed/geo/england-icb-2023.geojson"),
    ),
    (
        "ONS LHB April 2022",
        include_str!("../../seed/geo/wales-lhb-2022.geojson"),
    ),
    (
        "Scottish Government HB 2019",
        include_str!("../../seed/geo/scotland-hb-2019.geojson"),
    ),
    (
        "DoH NI Trusts 2018",
        include_str!("../../seed/geo/northern-ireland-hsct-2018.geojson"),
    ),
];

/// Areas too small to tap on the whole-UK map, drawn again enlarged in a box of their own
/// (by their codes: London's five integrated care boards, each about 20 km across).
const INSETS: &[(&str, &[&str])] = &[(
    "london",
    &[
        "E54000027",
        "E54000028",
        "E54000029",
        "E54000030",
        "E54000031",
    ],
)];

/// Width of an inset box in map units (the map is [`MAP_WIDTH`] wide). It sits in the
/// North Sea, east of Orkney and Shetland, where the map is empty.
const INSET_WIDTH: f64 = 125.0;

/// An enlarged part of the map: its box, its name (a message id) and each area's path.
#[derive(Clone, Debug)]
pub struct Inset {
    pub name: &'static str,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// (index in [`Atlas::areas`], SVG path in map units).
    pub paths: Vec<(usize, String)>,
}

/// One area on the map.
#[derive(Clone, Debug)]
pub struct MapArea {
    pub code: String,
    pub name: String,
    /// The official Welsh name ("" where the area has none: Welsh pages use `name`).
    pub name_cy: String,
    pub nation: String,
    pub shape: geo::Shape,
    /// SVG path data in map units.
    pub path: String,
}

impl MapArea {
    /// The area's name in a language: its official Welsh name on Welsh pages where it
    /// has one ("Bwrdd Iechyd Prifysgol Caerdydd a'r Fro").
    pub fn name_in(&self, lang: crate::i18n::Lang) -> &str {
        if lang == crate::i18n::Lang::Cy && !self.name_cy.is_empty() {
            &self.name_cy
        } else {
            &self.name
        }
    }
}

/// Current areas, parsed, with their map paths.
#[derive(Debug, Default)]
pub struct Atlas {
    pub areas: Vec<MapArea>,
    pub width: f64,
    pub height: f64,
    /// How positions map onto the drawing (None while there are no areas).
    pub projection: Option<geo::Projection>,
    /// Enlarged views of areas too small to tap (only those whose areas all exist).
    pub insets: Vec<Inset>,
    by_code: HashMap<String, usize>,
    /// (number of areas, latest change) when loaded, to notice boundary imports.
    pub fingerprint: (i64, i64),
}

impl Atlas {
    /// Builds from the stored boundaries. Paths are simplified to about half a map unit.
    pub async fn load(db: &Db) -> anyhow::Result<Atlas> {
        let fingerprint = fingerprint(db).await?;
        let rows = store::geometries(db).await?;
        let mut atlas = tokio::task::spawn_blocking(move || Atlas::build(rows)).await??;
        atlas.fingerprint = fingerprint;
        Ok(atlas)
    }

    fn build(rows: Vec<store::AreaGeometry>) -> anyhow::Result<Atlas> {
        let mut parsed = Vec::with_capacity(rows.len());
        for r in rows {
            let shape = geo::shape_from_json(&r.geometry)
                .map_err(|e| anyhow::anyhow!("area {}: geometry {e}", r.code))?;
            parsed.push((r.code, (r.name, r.name_cy), r.nation, shape));
        }
        if parsed.is_empty() {
            return Ok(Atlas::default());
        }
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (.., s) in &parsed {
            bbox = (
                bbox.0.min(s.bbox.0),
                bbox.1.min(s.bbox.1),
                bbox.2.max(s.bbox.2),
                bbox.3.max(s.bbox.3),
            );
        }
        let projection = geo::Projection::fit(bbox, MAP_WIDTH);
        let areas: Vec<MapArea> = parsed
            .into_iter()
            .map(|(code, (name, name_cy), nation, shape)| {
                let path = geo::svg_path(&shape, &projection, 0.45, 1.5);
                MapArea {
                    code,
                    name,
                    name_cy,
                    nation,
                    shape,
                    path,
                }
            })
            .collect();
        let by_code: HashMap<String, usize> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        let insets = INSETS
            .iter()
            .filter_map(|(name, codes)| {
                let members: Option<Vec<usize>> =
                    codes.iter().map(|c| by_code.get(*c).copied()).collect();
                inset(name, &areas, &members?, projection.width)
            })
            .collect();
        Ok(Atlas {
            areas,
            width: projection.width,
            height: projection.height,
            projection: Some(projection),
            insets,
            by_code,
            fingerprint: (0, 0),
        })
    }

    /// The inset an area is drawn in, with its path there.
    pub fn inset_path(&self, index: usize) -> Option<&str> {
        self.insets
            .iter()
            .flat_map(|i| &i.paths)
            .find(|(i, _)| *i == index)
            .map(|(_, p)| p.as_str())
    }

    /// Paths of every area of a nation fitted into a square `size` units wide, with the
    /// index of each area: an area page draws its area within its nation.
    pub fn nation_paths(&self, nation: &str, size: f64) -> Vec<(usize, String)> {
        let members: Vec<usize> = (0..self.areas.len())
            .filter(|&i| self.areas[i].nation == nation)
            .collect();
        let Some(bbox) = union_bbox(&self.areas, &members) else {
            return Vec::new();
        };
        let p = geo::Projection::fit_within(bbox, size, size);
        members
            .into_iter()
            .map(|i| (i, geo::svg_path(&self.areas[i].shape, &p, 0.35, 0.3)))
            .collect()
    }

    pub fn area(&self, code: &str) -> Option<&MapArea> {
        self.by_code.get(code).map(|&i| &self.areas[i])
    }

    /// The current area containing a point, if any.
    pub fn area_at(&self, lon: f64, lat: f64) -> Option<&MapArea> {
        self.areas.iter().find(|a| a.shape.contains(lon, lat))
    }
}

fn union_bbox(areas: &[MapArea], members: &[usize]) -> Option<(f64, f64, f64, f64)> {
    members
        .iter()
        .map(|&i| areas[i].shape.bbox)
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
}

/// An inset of `members` in the top right corner of a map `map_width` wide.
fn inset(
    name: &'static str,
    areas: &[MapArea],
    members: &[usize],
    map_width: f64,
) -> Option<Inset> {
    let bbox = union_bbox(areas, members)?;
    let p = geo::Projection::fit(bbox, INSET_WIDTH);
    let (x, y) = (map_width - INSET_WIDTH - 4.0, 16.0);
    let paths = members
        .iter()
        .map(|&i| {
            let local = geo::svg_path(&areas[i].shape, &p, 0.3, 0.5);
            (i, geo::translate_path(&local, x, y))
        })
        .collect();
    Some(Inset {
        name,
        x,
        y,
        width: p.width,
        height: p.height,
        paths,
    })
}

/// (number of areas, latest change to any): changes when boundaries are imported.
pub async fn fingerprint(db: &Db) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM areas")
        .fetch_one(&db.pool)
        .await
}

/// The default legend, from the alliance's published map criteria, coloured in an ordered,
/// colour-blind-safe sequence (from ColorBrewer's YlGn ramp: pale yellow for no service to
/// darkest green for a team meeting the quality standards, each level clearly darker than
/// the last with any colour vision; staff can change the colours).
/// The default legend's criteria in Welsh (migration 0023 gives them to older sites).
fn criteria_cy(level: i64) -> &'static str {
    match level {
        0 => "Dim gwasanaeth iechyd meddwl amenedigol arbenigol yn y gymuned.",
        1 => {
            "Seiciatrydd amenedigol neu nyrs amenedigol sydd ag amser wedi'i neilltuo ar gyfer y gwaith."
        }
        2 => {
            "Seiciatrydd amenedigol a nyrs amenedigol, y ddau ag amser wedi'i neilltuo ar gyfer y gwaith."
        }
        3 => {
            "Ar gael drwy oriau gwaith gyda seiciatrydd a nyrs penodol; gellir cysylltu â'r seiciatrydd drwy'r dydd."
        }
        4 => "Mae'r tîm yn bodloni meini prawf y Cyd-banel Comisiynu Iechyd Meddwl (JCP-MH).",
        5 => "Mae'r tîm yn bodloni safonau Math 1 cymunedol y Rhwydwaith Ansawdd Amenedigol.",
        _ => "",
    }
}

pub fn default_levels() -> Vec<store::Level> {
    let l = |level: i64, label: &str, label_cy: &str, criteria: &str, colour: &str| store::Level {
        level,
        label: label.into(),
        label_cy: label_cy.into(),
        criteria: criteria.into(),
        criteria_cy: criteria_cy(level).into(),
        colour: colour.into(),
    };
    vec![
        l(
            0,
            "No specialist service",
            "Dim gwasanaeth arbenigol",
            "No specialist community perinatal mental health service.",
            "#ffffcc",
        ),
        l(
            1,
            "Extremely basic",
            "Sylfaenol iawn",
            "A perinatal psychiatrist or a perinatal nurse with dedicated time.",
            "#addd8e",
        ),
        l(
            2,
            "Basic",
            "Sylfaenol",
            "A perinatal psychiatrist and a perinatal nurse, both with dedicated time.",
            "#41ab5d",
        ),
        l(
            3,
            "Working hours",
            "Oriau gwaith",
            "Runs through working hours with a dedicated psychiatrist and nurse; psychiatrist reachable all day.",
            "#238443",
        ),
        l(
            4,
            "Meets national criteria",
            "Yn bodloni meini prawf cenedlaethol",
            "Team meets the Joint Commissioning Panel for Mental Health criteria.",
            "#006837",
        ),
        l(
            5,
            "Meets quality standards",
            "Yn bodloni safonau ansawdd",
            "Team meets the Perinatal Quality Network community Type 1 standards.",
            "#004529",
        ),
    ]
}

/// Loads the boundary files and the legend into a new database, plus labelled demo scores
/// when `demo` is set. Runs inside the first-start transaction.
pub async fn seed(tx: &mut Tx, demo: bool) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for (release, json) in SEED_FILES {
        let features = geo::read_features(json)
            .map_err(|p| anyhow::anyhow!("seed boundary file {release}: {:?}", p.first()))?;
        for f in &features {
            store::insert_area(tx, &f.code, &f.name, &f.nation, &f.geometry_json, release).await?;
        }
        all.extend(features);
    }
    store::set_welsh_names(tx).await?;
    seed_services::seed(tx, &all, demo).await?;
    for level in default_levels() {
        store::insert_level(tx, &level).await?;
    }
    if demo {
        seed_demo_scores(tx).await?;
    }
    Ok(())
}

/// Illustrative scores for 2017–2023, clearly marked as demo: the real levels are the
/// alliance's to enter. They trend upwards, as the published maps did.
async fn seed_demo_scores(tx: &mut Tx) -> anyhow::Result<()> {
    let codes: Vec<(String, String)> =
        sqlx::query_as("SELECT code, nation FROM areas ORDER BY code")
            .fetch_all(&mut **tx)
            .await?;
    for (code, nation) in codes {
        // A stable pseudo-random start per area from its code.
        let seed = code
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let head_start: i64 = match nation.as_str() {
            "england" => 2,
            "wales" => 1,
            _ => 0,
        };
        let mut level = (head_start + (seed % 3) as i64).min(5);
        for (i, year) in [2017, 2019, 2021, 2023].into_iter().enumerate() {
            if i > 0 && (seed >> (i * 3)) % 3 != 0 {
                level = (level + 1).min(5);
            }
            let s = store::NewScore {
                area_code: code.clone(),
                year,
                level,
                criteria: String::new(),
                note: "Demo score for illustration; not the alliance's data.".into(),
                source: String::new(),
            };
            store::set_score(tx, &s, "demo content", true).await?;
        }
    }
    Ok(())
}

/// The Open Government Licence attribution shown on every map view.
pub const ATTRIBUTION: &str = "Contains public sector information licensed under the Open \
Government Licence v3.0. Boundaries: Office for National Statistics; Scottish Government; \
Department of Health (Northern Ireland).";

/// Whether scores exist at all (used to pick a default year).
pub async fn latest_year(db: &Db) -> sqlx::Result<Option<i64>> {
    Ok(store::years(db).await?.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(hex: &str) -> [f64; 3] {
        let n = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        let c = |v: u32| {
            let v = f64::from(v & 0xff) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        [c(n >> 16), c(n >> 8), c(n)]
    }

    /// Relative luminance of a linear colour (WCAG).
    fn luminance(c: [f64; 3]) -> f64 {
        0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    }

    /// Full deuteranopia, by the Machado, Oliveira and Fernandes (2009) matrix on linear RGB.
    fn deuteranopia(c: [f64; 3]) -> [f64; 3] {
        let m = [
            [0.367_322, 0.860_646, -0.227_968],
            [0.280_085, 0.672_501, 0.047_413],
            [-0.011_820, 0.042_940, 0.968_881],
        ];
        let row = |r: [f64; 3]| (r[0] * c[0] + r[1] * c[1] + r[2] * c[2]).clamp(0.0, 1.0);
        [row(m[0]), row(m[1]), row(m[2])]
    }

    fn protanopia(c: [f64; 3]) -> [f64; 3] {
        let m = [
            [0.152_286, 1.052_583, -0.204_868],
            [0.114_503, 0.786_281, 0.099_216],
            [-0.003_882, -0.048_116, 1.051_998],
        ];
        let row = |r: [f64; 3]| (r[0] * c[0] + r[1] * c[1] + r[2] * c[2]).clamp(0.0, 1.0);
        [row(m[0]), row(m[1]), row(m[2])]
    }

    /// The default levels run in order of lightness, as seen with typical colour vision
    /// and with the two common red-green deficiencies: each level darker than the one
    /// before by a clear step, so a reader can order them without telling hues apart.
    #[test]
    fn the_default_map_colours_are_ordered_for_colour_blind_readers_too() {
        let levels = default_levels();
        assert_eq!(levels.len(), 6);
        for (name, see) in [
            ("typical", (|c| c) as fn([f64; 3]) -> [f64; 3]),
            ("deuteranopia", deuteranopia),
            ("protanopia", protanopia),
        ] {
            let l: Vec<f64> = levels
                .iter()
                .map(|x| luminance(see(linear(&x.colour))))
                .collect();
            for w in l.windows(2) {
                // Contrast ratio between neighbours, as WCAG measures it.
                let ratio = (w[0] + 0.05) / (w[1] + 0.05);
                assert!(ratio >= 1.4, "{name}: levels too alike ({ratio:.2}): {l:?}");
            }
        }
    }
}
