//! The services atlas: four-nation health areas, provision scores (0–5 per area per year)
//! and the map. Boundaries are stored in the database at full resolution and kept in memory
//! parsed (for point lookups) and as small SVG paths (for the map).

pub mod geo;
pub mod import;
pub mod oruk;
pub mod routes;
pub mod seed_services;
pub mod service_admin;
pub mod services;
pub mod staging;
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

/// One area on the map.
#[derive(Clone, Debug)]
pub struct MapArea {
    pub code: String,
    pub name: String,
    pub nation: String,
    pub shape: geo::Shape,
    /// SVG path data in map units.
    pub path: String,
}

/// Current areas, parsed, with their map paths.
#[derive(Debug, Default)]
pub struct Atlas {
    pub areas: Vec<MapArea>,
    pub width: f64,
    pub height: f64,
    /// How positions map onto the drawing (None while there are no areas).
    pub projection: Option<geo::Projection>,
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

    fn build(rows: Vec<(String, String, String, String)>) -> anyhow::Result<Atlas> {
        let mut parsed = Vec::with_capacity(rows.len());
        for (code, name, nation, geometry) in rows {
            let shape = geo::shape_from_json(&geometry)
                .map_err(|e| anyhow::anyhow!("area {code}: geometry {e}"))?;
            parsed.push((code, name, nation, shape));
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
            .map(|(code, name, nation, shape)| {
                let path = geo::svg_path(&shape, &projection, 0.45, 1.5);
                MapArea {
                    code,
                    name,
                    nation,
                    shape,
                    path,
                }
            })
            .collect();
        let by_code = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        Ok(Atlas {
            areas,
            width: projection.width,
            height: projection.height,
            projection: Some(projection),
            by_code,
            fingerprint: (0, 0),
        })
    }

    pub fn area(&self, code: &str) -> Option<&MapArea> {
        self.by_code.get(code).map(|&i| &self.areas[i])
    }

    /// The current area containing a point, if any.
    pub fn area_at(&self, lon: f64, lat: f64) -> Option<&MapArea> {
        self.areas.iter().find(|a| a.shape.contains(lon, lat))
    }
}

/// (number of areas, latest change to any): changes when boundaries are imported.
pub async fn fingerprint(db: &Db) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM areas")
        .fetch_one(&db.pool)
        .await
}

/// The default legend, from the alliance's published map criteria.
pub fn default_levels() -> Vec<store::Level> {
    let l = |level: i64, label: &str, label_cy: &str, criteria: &str, colour: &str| store::Level {
        level,
        label: label.into(),
        label_cy: label_cy.into(),
        criteria: criteria.into(),
        colour: colour.into(),
    };
    vec![
        l(
            0,
            "No specialist service",
            "Dim gwasanaeth arbenigol",
            "No specialist community perinatal mental health service.",
            "#d4351c",
        ),
        l(
            1,
            "Extremely basic",
            "Sylfaenol iawn",
            "A perinatal psychiatrist or a perinatal nurse with dedicated time.",
            "#f499be",
        ),
        l(
            2,
            "Basic",
            "Sylfaenol",
            "A perinatal psychiatrist and a perinatal nurse, both with dedicated time.",
            "#f47738",
        ),
        l(
            3,
            "Working hours",
            "Oriau gwaith",
            "Runs through working hours with a dedicated psychiatrist and nurse; psychiatrist reachable all day.",
            "#ffdd00",
        ),
        l(
            4,
            "Meets national criteria",
            "Yn bodloni meini prawf cenedlaethol",
            "Team meets the Joint Commissioning Panel for Mental Health criteria.",
            "#85994b",
        ),
        l(
            5,
            "Meets quality standards",
            "Yn bodloni safonau ansawdd",
            "Team meets the Perinatal Quality Network community Type 1 standards.",
            "#00703c",
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
