//! First-start services: the service-type taxonomy, the mother and baby units from
//! `seed/mbus.csv` (researched, with sources; unverified ones say so), and one clearly
//! labelled demo community team per area so area pages show what the atlas can do.

use super::geo::Feature;
use super::services::{self, NewService, SERVICE_TYPES, stable_uuid, term_id};
use crate::db::Tx;

const MBUS_CSV: &str = include_str!("../../seed/mbus.csv");

/// Approximate positions (the hospital or town) for each unit in `seed/mbus.csv`, keyed by
/// a word of the unit's name. The CSV has towns, not coordinates; these are marked as
/// approximate on every page until staff confirm the address.
const MBU_POSITIONS: &[(&str, f64, f64)] = &[
    ("Channi Kumar", 51.381, -0.020),
    ("Coombe Wood", 51.528, -0.271),
    ("East London", 51.547, -0.045),
    ("Clover Ward", 51.061, -1.326),
    ("Rosewood", 51.446, 0.218),
    ("Jasmine Lodge", 50.716, -3.505),
    ("Kingfisher", 52.652, 1.258),
    ("Rainbow", 51.775, 0.466),
    ("Brockington", 52.806, -2.112),
    ("Margaret Oates", 52.985, -1.110),
    ("Birmingham", 52.480, -1.898),
    ("Bristol", 51.455, -2.588),
    ("Ribblemere", 53.640, -2.640),
    ("Andersen Ward", 53.389, -2.293),
    ("Yorkshire and Humber", 53.806, -1.561),
    ("Beadnell", 55.168, -1.688),
    ("Cheshire and North Wales", 53.210, -2.897),
    ("West of Scotland", 55.846, -4.354),
    ("Lothian", 55.895, -3.522),
    ("Uned Gobaith", 51.670, -3.779),
];

#[derive(serde::Deserialize)]
struct MbuCsv {
    name: String,
    site: String,
    town: String,
    #[allow(dead_code)]
    nation: String,
    area_served: String,
    operator: String,
    beds: String,
    #[allow(dead_code)]
    opened: String,
    status: String,
    admission_window: String,
    notes: String,
    source_url: String,
}

fn area_at(features: &[Feature], lon: f64, lat: f64) -> Option<&Feature> {
    features.iter().find(|f| f.shape.contains(lon, lat))
}

/// Inserts the taxonomy and the MBUs, and the demo teams when `demo` is set.
pub async fn seed(tx: &mut Tx, features: &[Feature], demo: bool) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO taxonomies (id, name, description, uri, version) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(services::taxonomy_id())
    .bind("Perinatal mental health service types")
    .bind("The kinds of specialist perinatal mental health service the alliance maps.")
    .bind("")
    .bind("1")
    .execute(&mut **tx)
    .await?;
    for (code, name, description) in SERVICE_TYPES {
        sqlx::query(
            "INSERT INTO taxonomy_terms (id, taxonomy_id, code, name, description) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(term_id(code))
        .bind(services::taxonomy_id())
        .bind(*code)
        .bind(*name)
        .bind(*description)
        .execute(&mut **tx)
        .await?;
    }
    let mut reader = csv::Reader::from_reader(MBUS_CSV.as_bytes());
    for (i, row) in reader.deserialize::<MbuCsv>().enumerate() {
        let r = row.map_err(|e| anyhow::anyhow!("seed/mbus.csv row {}: {e}", i + 2))?;
        let position = MBU_POSITIONS
            .iter()
            .find(|(key, ..)| r.name.contains(key))
            .map(|(_, lat, lon)| (*lat, *lon));
        let area = position.and_then(|(lat, lon)| area_at(features, lon, lat));
        let operator = if r.operator.trim().is_empty() {
            "Operator not yet recorded".to_string()
        } else {
            r.operator.trim().to_string()
        };
        let organization_id =
            services::store::ensure_organization(tx, &operator, "NHS provider.", false).await?;
        let status = r.status.to_lowercase();
        let unverified =
            status.contains("unverified") || r.notes.to_lowercase().contains("not verified");
        let mut notes = r.notes.trim().to_string();
        if !status.starts_with("current") || status.contains('(') {
            notes = format!("Status in our sources: {}. {notes}", r.status.trim());
        }
        let s = NewService {
            id: stable_uuid(&format!("service:mbu:{}", r.name.trim())),
            organization_id,
            name: r.name.trim().to_string(),
            kind: "mbu".into(),
            description: format!(
                "An inpatient mother and baby unit{}. Referral is through professionals; mothers \
                 are admitted with their babies.",
                if r.area_served.trim().is_empty() {
                    String::new()
                } else {
                    format!(" taking referrals from {}", r.area_served.trim().replace('\n', " "))
                }
            ),
            status: "active".into(),
            minimum_age: Some(16),
            eligibility_description: if r.admission_window.trim().is_empty() {
                "Usually from 32 weeks of pregnancy to 12 months after birth.".into()
            } else {
                format!("Admission window: {}.", r.admission_window.trim())
            },
            referral: "Through a perinatal team, crisis team or other professional (in England via WebBeds). Self-referral is generally not accepted.".into(),
            beds: r.beds.trim().parse().ok(),
            source_url: r.source_url.trim().to_string(),
            verified: if unverified { "no".into() } else { "yes".into() },
            verified_by: "research for the seed data".into(),
            notes,
            location_name: r.site.trim().replace('\n', ", "),
            city: r.town.trim().to_string(),
            latitude: position.map(|p| p.0),
            longitude: position.map(|p| p.1),
            position_note: "Approximate position (hospital or town); not yet confirmed.".into(),
            area_code: area.map(|a| a.code.clone()),
            serves: area.map(|a| vec![a.code.clone()]).unwrap_or_default(),
            ..Default::default()
        };
        services::store::insert_service(tx, &s).await?;
    }
    if demo {
        for (i, f) in features.iter().enumerate() {
            let nation = match f.nation.as_str() {
                "england" => "England",
                "wales" => "Wales",
                "scotland" => "Scotland",
                _ => "Northern Ireland",
            };
            let organization_id = services::store::ensure_organization(
                tx,
                &format!("Demo NHS perinatal services, {nation}"),
                "Demo organisation for illustration; not a real provider.",
                true,
            )
            .await?;
            let (x0, y0, x1, y1) = f.shape.bbox;
            let (lon, lat) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            let s = NewService {
                id: stable_uuid(&format!("service:demo-community:{}", f.code)),
                organization_id,
                name: format!("Demo: {} specialist perinatal mental health team", f.name),
                kind: "community".into(),
                description: "Demo service for illustration. A specialist community perinatal mental \
                    health team cares for women with moderate to severe mental health problems during \
                    pregnancy and after birth."
                    .into(),
                status: "active".into(),
                minimum_age: Some(16),
                maximum_age: Some(55 + (i as i64 % 3)),
                eligibility_description: "Pregnant, or up to 24 months after birth, with a moderate to severe mental health problem.".into(),
                referral: "GP, midwife, health visitor or another professional.".into(),
                hours: "Monday to Friday, 9am to 5pm".into(),
                verified: "no".into(),
                demo: true,
                location_name: "Demo team base".into(),
                city: f.name.clone(),
                latitude: Some(lat),
                longitude: Some(lon),
                position_note: "Demo position: the middle of the area.".into(),
                area_code: Some(f.code.clone()),
                serves: vec![f.code.clone()],
                schedule: Some((
                    "MO,TU,WE,TH,FR".into(),
                    "09:00".into(),
                    "17:00".into(),
                    "Monday to Friday, 9am to 5pm".into(),
                )),
                ..Default::default()
            };
            services::store::insert_service(tx, &s).await?;
        }
    }
    Ok(())
}
