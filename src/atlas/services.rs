//! Services: who provides what, where, for whom. SQL, seed data, and the service page.

use sha2::{Digest, Sha256};

use crate::db::{self, Db, Tx};

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

pub async fn service_by_id(db: &Db, id: &str) -> sqlx::Result<Option<ServiceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SERVICE_COLUMNS} FROM services s JOIN organizations o ON o.id = s.organization_id \
         WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Services that serve an area, community teams first.
pub async fn services_for_area(db: &Db, code: &str) -> sqlx::Result<Vec<ServiceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SERVICE_COLUMNS} FROM services s JOIN organizations o ON o.id = s.organization_id \
         JOIN service_areas sa ON sa.service_id = s.id WHERE sa.area_code = $1 \
         ORDER BY CASE s.kind WHEN 'community' THEN 0 WHEN 'mmhs' THEN 1 WHEN 'mbu' THEN 2 ELSE 3 END, s.name"
    )))
    .bind(code)
    .fetch_all(&db.pool)
    .await
}

/// Locations of a service.
pub async fn locations_of(db: &Db, service_id: &str) -> sqlx::Result<Vec<LocationRow>> {
    sqlx::query_as(
        "SELECT l.id, sal.id AS sal_id, l.name, l.address_1, l.city, l.state_province, \
         l.postal_code, l.country, l.latitude, l.longitude, l.position_note, l.area_code \
         FROM service_at_locations sal JOIN locations l ON l.id = sal.location_id \
         WHERE sal.service_id = $1 ORDER BY l.name",
    )
    .bind(service_id)
    .fetch_all(&db.pool)
    .await
}

/// Codes of the areas a service serves.
pub async fn areas_of(db: &Db, service_id: &str) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT a.code, a.name FROM service_areas sa JOIN areas a ON a.code = sa.area_code \
         WHERE sa.service_id = $1 ORDER BY a.name",
    )
    .bind(service_id)
    .fetch_all(&db.pool)
    .await
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

/// Active and temporarily closed MBUs that have a position.
pub async fn mbu_positions(db: &Db) -> sqlx::Result<Vec<MbuPosition>> {
    sqlx::query_as(
        "SELECT s.id, s.name, l.city, s.status, l.latitude, l.longitude FROM services s \
         JOIN service_at_locations sal ON sal.service_id = s.id JOIN locations l ON l.id = sal.location_id \
         WHERE s.kind = 'mbu' AND s.status IN ('active', 'temporarily closed') \
         AND l.latitude IS NOT NULL AND l.longitude IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await
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

/// Inserts an organisation (if new) and returns its id.
pub async fn ensure_organization(
    tx: &mut Tx,
    name: &str,
    description: &str,
    demo: bool,
) -> sqlx::Result<String> {
    let id = stable_uuid(&format!("organization:{name}"));
    sqlx::query(
        "INSERT INTO organizations (id, name, description, is_demo, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&id)
    .bind(name)
    .bind(description)
    .bind(i64::from(demo))
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    Ok(id)
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

/// Writes a service with its location, areas served, type term and schedule.
pub async fn insert_service(tx: &mut Tx, s: &NewService) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO services (id, organization_id, name, kind, description, url, phone, status, \
         minimum_age, maximum_age, eligibility_description, referral, hours, beds, source_url, \
         verified, verified_by, notes, is_demo, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
    )
    .bind(&s.id)
    .bind(&s.organization_id)
    .bind(&s.name)
    .bind(&s.kind)
    .bind(&s.description)
    .bind(&s.url)
    .bind(&s.phone)
    .bind(&s.status)
    .bind(s.minimum_age)
    .bind(s.maximum_age)
    .bind(&s.eligibility_description)
    .bind(&s.referral)
    .bind(&s.hours)
    .bind(s.beds)
    .bind(&s.source_url)
    .bind(&s.verified)
    .bind(&s.verified_by)
    .bind(&s.notes)
    .bind(i64::from(s.demo))
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    let location_id = stable_uuid(&format!("location:{}", s.id));
    sqlx::query(
        "INSERT INTO locations (id, name, address_1, city, latitude, longitude, position_note, area_code) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
    )
    .bind(&location_id)
    .bind(&s.location_name)
    .bind(&s.address_1)
    .bind(&s.city)
    .bind(s.latitude)
    .bind(s.longitude)
    .bind(&s.position_note)
    .bind(&s.area_code)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO service_at_locations (id, service_id, location_id) VALUES ($1, $2, $3)",
    )
    .bind(stable_uuid(&format!("sal:{}", s.id)))
    .bind(&s.id)
    .bind(&location_id)
    .execute(&mut **tx)
    .await?;
    for code in &s.serves {
        sqlx::query("INSERT INTO service_areas (id, service_id, area_code) VALUES ($1, $2, $3)")
            .bind(stable_uuid(&format!("service-area:{}:{code}", s.id)))
            .bind(&s.id)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("INSERT INTO service_terms (id, service_id, taxonomy_term_id) VALUES ($1, $2, $3)")
        .bind(stable_uuid(&format!("service-term:{}", s.id)))
        .bind(&s.id)
        .bind(term_id(&s.kind))
        .execute(&mut **tx)
        .await?;
    if let Some((byday, opens, closes, description)) = &s.schedule {
        sqlx::query(
            "INSERT INTO schedules (id, service_id, byday, opens_at, closes_at, description) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(stable_uuid(&format!("schedule:{}", s.id)))
        .bind(&s.id)
        .bind(byday)
        .bind(opens)
        .bind(closes)
        .bind(description)
        .execute(&mut **tx)
        .await?;
    }
    db::bump_content_version(tx).await
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
