//! Services: who provides what, where, for whom. Records and ids here; the staff form in
//! `form`, every query in `store`.

use sha2::{Digest, Sha256};

pub mod form;
pub mod store;

/// A service as stored (one-to-one fields).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub url: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    pub eligibility_description: String,
    pub referral: String,
    pub hours: String,
    pub beds: Option<i64>,
    pub source_url: String,
    pub verified: String,
    pub verified_on: String,
    pub verified_by: String,
    pub notes: String,
    pub is_demo: i64,
    pub updated_at: i64,
}

impl ServiceRow {
    pub fn is_mbu(&self) -> bool {
        self.kind == "mbu"
    }
    pub fn unverified(&self) -> bool {
        self.verified != "yes"
    }
}

/// Columns of [`ServiceRow`], for `SELECT … FROM services s JOIN organizations o …`.
pub const SERVICE_COLUMNS: &str = "s.id, s.organization_id, o.name AS organization_name, s.name, \
    s.kind, s.description, s.url, s.email, s.phone, s.status, s.minimum_age, s.maximum_age, \
    s.eligibility_description, s.referral, s.hours, s.beds, s.source_url, s.verified, \
    s.verified_on, s.verified_by, s.notes, s.is_demo, s.updated_at";

/// A place a service is delivered from.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LocationRow {
    pub id: String,
    pub sal_id: String,
    pub name: String,
    pub address_1: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    pub country: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub position_note: String,
    pub area_code: Option<String>,
}

/// An MBU with its position, for "nearest MBUs".
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MbuPosition {
    pub id: String,
    pub name: String,
    pub city: String,
    pub status: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// The `n` units nearest a point, nearest first: their places in `all` and straight-line
/// distances in km.
pub fn nearest_mbus(all: &[MbuPosition], lat: f64, lon: f64, n: usize) -> Vec<(usize, f64)> {
    // Rank by a flat-earth approximation (no trigonometry per unit), then measure a few
    // more than asked properly, so near ties come out in the right order.
    let kx = lat.to_radians().cos();
    let mut v: Vec<(usize, f64)> = all
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let (dx, dy) = ((m.longitude - lon) * kx, m.latitude - lat);
            (i, dx * dx + dy * dy)
        })
        .collect();
    let keep = n + 2;
    if v.len() > keep {
        v.select_nth_unstable_by(keep, |a, b| a.1.total_cmp(&b.1));
        v.truncate(keep);
    }
    for (i, d) in &mut v {
        let m = &all[*i];
        *d = super::geo::distance_km((lon, lat), (m.longitude, m.latitude));
    }
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v.truncate(n);
    v
}

/// A random (version 4) UUID.
pub fn new_uuid() -> String {
    let mut b = [0u8; 16];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut b);
    format_uuid(b, 4)
}

/// A UUID derived from a name, so seeded records keep the same id in every installation
/// (and external systems can rely on them).
pub fn stable_uuid(name: &str) -> String {
    let digest = Sha256::digest(format!("mmha:{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    format_uuid(b, 5)
}

fn format_uuid(mut b: [u8; 16], version: u8) -> String {
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::token::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// True for a UUID in canonical text form.
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// The service-type taxonomy and its terms: (code, name, description).
pub const SERVICE_TYPES: &[(&str, &str, &str)] = &[
    (
        "community",
        "Specialist community perinatal mental health team",
        "A specialist team that cares for women with moderate to severe mental health problems in pregnancy and after birth, in the community.",
    ),
    (
        "mbu",
        "Mother and baby unit",
        "An inpatient psychiatric unit where a mother can be admitted with her baby.",
    ),
    (
        "mmhs",
        "Maternal mental health service",
        "Psychological care for moderate to severe problems arising from birth trauma, fear of childbirth or the loss of a baby.",
    ),
    (
        "other",
        "Other perinatal support",
        "Other services that support perinatal mental health, including peer support.",
    ),
];

/// Id of the service-type taxonomy.
pub fn taxonomy_id() -> String {
    stable_uuid("taxonomy:service-types")
}

/// Id of a service-type term.
pub fn term_id(code: &str) -> String {
    stable_uuid(&format!("taxonomy-term:{code}"))
}

/// Everything needed to insert a service with one location.
#[derive(Clone, Debug, Default)]
pub struct NewService {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub url: String,
    pub phone: String,
    pub status: String,
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    pub eligibility_description: String,
    pub referral: String,
    pub hours: String,
    pub beds: Option<i64>,
    pub source_url: String,
    pub verified: String,
    pub verified_by: String,
    pub notes: String,
    pub demo: bool,
    pub location_name: String,
    pub address_1: String,
    pub city: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub position_note: String,
    pub area_code: Option<String>,
    pub serves: Vec<String>,
    /// (byday, opens_at, closes_at, description)
    pub schedule: Option<(String, String, String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_units_match_a_full_great_circle_sort() {
        // A grid of units over Great Britain and Northern Ireland, searched from many points.
        let mut all = Vec::new();
        for a in 0..12 {
            for b in 0..8 {
                all.push(MbuPosition {
                    id: format!("{a}-{b}"),
                    name: String::new(),
                    city: String::new(),
                    status: "active".into(),
                    latitude: 50.0 + a as f64 * 0.75 + (b % 3) as f64 * 0.11,
                    longitude: -8.0 + b as f64 * 1.1 + (a % 4) as f64 * 0.07,
                });
            }
        }
        for i in 0..40 {
            let (lat, lon) = (50.1 + i as f64 * 0.23, -7.5 + (i * 7 % 40) as f64 * 0.24);
            let mut full: Vec<(usize, f64)> = all
                .iter()
                .enumerate()
                .map(|(j, m)| {
                    let d = super::super::geo::distance_km((lon, lat), (m.longitude, m.latitude));
                    (j, d)
                })
                .collect();
            full.sort_by(|a, b| a.1.total_cmp(&b.1));
            let got = nearest_mbus(&all, lat, lon, 3);
            let want: Vec<f64> = full[..3].iter().map(|x| x.1).collect();
            let got_d: Vec<f64> = got.iter().map(|x| x.1).collect();
            assert_eq!(got_d, want, "from {lat},{lon}");
        }
        assert_eq!(nearest_mbus(&all[..2], 51.0, -3.0, 3).len(), 2);
    }
}
