//! Moving atlas data in and out: score and area imports (all or nothing), and exports of
//! scores (CSV) and services (CSV, GeoJSON). Used by `mmha import|export` and the staff
//! screens alike.

use std::collections::HashMap;

use serde_json::json;

use super::geo::{self, GeoProblem};
use super::import::{self, RowError};
use super::store::{self, NewScore};
use crate::db::{self, Db};

/// Checks a scores CSV against the current areas.
pub async fn check_scores(
    db: &Db,
    text: &str,
) -> anyhow::Result<Result<Vec<NewScore>, Vec<RowError>>> {
    let known: HashMap<String, bool> = store::areas(db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.retired != 0))
        .collect();
    let max_year = time::OffsetDateTime::now_utc().year() as i64 + 1;
    Ok(import::check_scores(text, &known, max_year))
}

/// Writes checked scores in one transaction. `progress` is called every 500 rows.
pub async fn apply_scores(
    db: &Db,
    rows: &[NewScore],
    by: &str,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    for (i, s) in rows.iter().enumerate() {
        store::set_score(&mut tx, s, by, false).await?;
        if (i + 1) % 500 == 0 {
            progress(i + 1, rows.len());
        }
    }
    crate::audit::record_cli(
        &mut tx,
        "import_scores",
        "scores",
        rows.len(),
        &format!("{} scores imported", rows.len()),
    )
    .await?;
    tx.commit().await?;
    progress(rows.len(), rows.len());
    Ok(())
}

/// What an area import changed.
#[derive(Debug, Default, PartialEq)]
pub struct AreaImport {
    pub added: usize,
    pub updated: usize,
    /// (retired code, successor code if one contains it)
    pub retired: Vec<(String, Option<String>)>,
}

/// What importing `text` would do, without writing anything; and the parsed features.
pub async fn plan_areas(
    db: &Db,
    text: &str,
) -> anyhow::Result<Result<(AreaImport, Vec<geo::Feature>), Vec<GeoProblem>>> {
    let features = match geo::read_features(text) {
        Ok(f) => f,
        Err(problems) => return Ok(Err(problems)),
    };
    let current: Vec<(String, String)> =
        sqlx::query_as("SELECT code, geometry FROM areas WHERE retired = 0")
            .fetch_all(&db.pool)
            .await?;
    let existing: Vec<String> = sqlx::query_scalar("SELECT code FROM areas")
        .fetch_all(&db.pool)
        .await?;
    let incoming: HashMap<&str, &geo::Feature> =
        features.iter().map(|f| (f.code.as_str(), f)).collect();
    let mut plan = AreaImport::default();
    for f in &features {
        if existing.contains(&f.code) {
            plan.updated += 1;
        } else {
            plan.added += 1;
        }
    }
    for (code, geometry) in current {
        if incoming.contains_key(code.as_str()) {
            continue;
        }
        let centre = geo::shape_from_json(&geometry)
            .ok()
            .map(|s| ((s.bbox.0 + s.bbox.2) / 2.0, (s.bbox.1 + s.bbox.3) / 2.0));
        let successor = centre.and_then(|(lon, lat)| {
            features
                .iter()
                .find(|f| f.shape.contains(lon, lat))
                .map(|f| f.code.clone())
        });
        plan.retired.push((code, successor));
    }
    Ok(Ok((plan, features)))
}

/// Replaces the current boundaries with a new release, in one transaction. Areas missing
/// from the file are kept (with their history) but marked retired, linked to the new area
/// that contains their middle.
pub async fn import_areas(
    db: &Db,
    text: &str,
    release: &str,
) -> anyhow::Result<Result<AreaImport, Vec<GeoProblem>>> {
    let (summary, features) = match plan_areas(db, text).await? {
        Ok(p) => p,
        Err(problems) => return Ok(Err(problems)),
    };
    let existing: Vec<String> = sqlx::query_scalar("SELECT code FROM areas")
        .fetch_all(&db.pool)
        .await?;
    let mut tx = db.begin_write().await?;
    let now = db::now();
    for f in &features {
        if existing.contains(&f.code) {
            sqlx::query(
                "UPDATE areas SET name = $1, nation = $2, geometry = $3, boundary_release = $4, \
                 retired = 0, successor_code = NULL, updated_at = $5 WHERE code = $6",
            )
            .bind(&f.name)
            .bind(&f.nation)
            .bind(&f.geometry_json)
            .bind(release)
            .bind(now)
            .bind(&f.code)
            .execute(&mut *tx)
            .await?;
        } else {
            store::insert_area(
                &mut tx,
                &f.code,
                &f.name,
                &f.nation,
                &f.geometry_json,
                release,
            )
            .await?;
        }
    }
    for (code, successor) in &summary.retired {
        sqlx::query(
            "UPDATE areas SET retired = 1, successor_code = $1, updated_at = $2 WHERE code = $3",
        )
        .bind(successor)
        .bind(now)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    }
    db::bump_content_version(&mut tx).await?;
    crate::audit::record_cli(
        &mut tx,
        "import_areas",
        "areas",
        release,
        &format!(
            "{} added, {} updated, {} retired",
            summary.added,
            summary.updated,
            summary.retired.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(summary))
}

/// A checked row of a services CSV.
pub struct ServiceImportRow {
    /// The service to update, or None for a new one.
    pub id: Option<String>,
    pub form: super::services::form::ServiceForm,
    pub clean: super::services::form::CleanService,
}

/// Checks a services CSV (columns named like the service form: `name`, `organization`,
/// `kind`, `status`, ..., `areas` as `;`-separated codes, and `id` to update an existing one).
pub async fn check_services(
    db: &Db,
    text: &str,
) -> anyhow::Result<Result<Vec<ServiceImportRow>, Vec<RowError>>> {
    use crate::web::Msg;
    let err = |row, field, key: &'static str| RowError {
        row,
        field,
        message: Msg::new(key),
    };
    if text.len() > import::MAX_BYTES {
        return Ok(Err(vec![err(0, "file", "admin-import-too-big")]));
    }
    let known: std::collections::HashSet<String> = store::areas(db)
        .await?
        .into_iter()
        .filter(|a| a.retired == 0)
        .map(|a| a.code)
        .collect();
    let existing: std::collections::HashSet<String> = sqlx::query_scalar("SELECT id FROM services")
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.to_ascii_lowercase()).collect(),
        Err(_) => return Ok(Err(vec![err(1, "header", "admin-import-unreadable")])),
    };
    if !headers.iter().any(|h| h == "name") {
        return Ok(Err(vec![err(1, "header", "admin-services-import-header")]));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        if i >= import::MAX_ROWS {
            errors.push(err(row, "file", "admin-import-too-many-rows"));
            break;
        }
        let Ok(record) = record else {
            errors.push(err(row, "row", "admin-import-unreadable"));
            continue;
        };
        // `is_demo` counts only when it says yes; any other column passes as typed.
        let pairs: Vec<(String, String)> = headers
            .iter()
            .zip(record.iter())
            .filter(|(h, v)| {
                h.as_str() != "is_demo"
                    || matches!(v.to_ascii_lowercase().as_str(), "yes" | "1" | "true")
            })
            .map(|(h, v)| (h.clone(), v.to_string()))
            .collect();
        let id = pairs
            .iter()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty());
        if let Some(id) = &id
            && !existing.contains(id)
        {
            errors.push(err(row, "id", "admin-services-import-unknown-id"));
        }
        let mut form = super::services::form::ServiceForm::from_pairs(pairs);
        if form.status.is_empty() {
            form.status = "active".into();
        }
        match super::services::form::check(&form, &known) {
            Ok(clean) => rows.push(ServiceImportRow { id, form, clean }),
            Err(problems) => errors.extend(problems.into_iter().map(|(field, message)| RowError {
                row,
                field,
                message,
            })),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(err(2, "file", "admin-import-empty"));
    }
    Ok(if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    })
}

/// Writes checked services in one transaction; returns (added, updated).
pub async fn apply_services(
    db: &Db,
    atlas: &super::Atlas,
    rows: &[ServiceImportRow],
    by: &str,
) -> anyhow::Result<(usize, usize)> {
    let mut tx = db.begin_write().await?;
    let (mut added, mut updated) = (0, 0);
    for r in rows {
        let (id, exists) = match &r.id {
            Some(id) => (id.clone(), true),
            None => (super::services::new_uuid(), false),
        };
        let area_at = r
            .clean
            .position
            .and_then(|(lat, lon)| atlas.area_at(lon, lat).map(|a| a.code.clone()));
        super::services::store::write(&mut tx, &id, exists, &r.form, &r.clean, area_at).await?;
        if exists {
            updated += 1;
        } else {
            added += 1;
        }
    }
    crate::audit::record_cli(
        &mut tx,
        "import_services",
        "services",
        rows.len(),
        &format!("{added} added, {updated} updated by {by}"),
    )
    .await?;
    tx.commit().await?;
    Ok((added, updated))
}

fn csv_text(header: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Every score, in the import format (`area_code,year,level,note,source,criteria`).
pub async fn export_scores(db: &Db) -> anyhow::Result<String> {
    let rows: Vec<(String, i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT area_code, year, level, note, source, criteria FROM area_scores ORDER BY area_code, year",
    )
    .fetch_all(&db.pool)
    .await?;
    csv_text(
        &["area_code", "year", "level", "note", "source", "criteria"],
        rows.into_iter()
            .map(|(a, y, l, n, s, c)| vec![a, y.to_string(), l.to_string(), n, s, c])
            .collect(),
    )
}

#[derive(sqlx::FromRow)]
struct ExportRow {
    id: String,
    name: String,
    kind: String,
    status: String,
    organization: String,
    city: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    area_code: Option<String>,
    source_url: String,
    verified: String,
    is_demo: i64,
}

async fn export_rows(db: &Db) -> anyhow::Result<Vec<ExportRow>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.name, s.kind, s.status, o.name AS organization, COALESCE(l.city, '') AS city, \
         l.latitude, l.longitude, l.area_code, s.source_url, s.verified, s.is_demo FROM services s \
         JOIN organizations o ON o.id = s.organization_id \
         LEFT JOIN service_at_locations sal ON sal.service_id = s.id \
         LEFT JOIN locations l ON l.id = sal.location_id ORDER BY s.name, s.id",
    )
    .fetch_all(&db.pool)
    .await?)
}

/// Services as CSV, one row per service location.
pub async fn export_services_csv(db: &Db) -> anyhow::Result<String> {
    let rows = export_rows(db).await?;
    csv_text(
        &[
            "id",
            "name",
            "kind",
            "status",
            "organization",
            "town",
            "latitude",
            "longitude",
            "area_code",
            "source_url",
            "verified",
            "demo",
        ],
        rows.into_iter()
            .map(|r| {
                vec![
                    r.id,
                    r.name,
                    r.kind,
                    r.status,
                    r.organization,
                    r.city,
                    r.latitude.map(|v| v.to_string()).unwrap_or_default(),
                    r.longitude.map(|v| v.to_string()).unwrap_or_default(),
                    r.area_code.unwrap_or_default(),
                    r.source_url,
                    r.verified,
                    if r.is_demo != 0 {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                ]
            })
            .collect(),
    )
}

/// Services with a position as a GeoJSON FeatureCollection of points.
pub async fn export_services_geojson(db: &Db) -> anyhow::Result<String> {
    let features: Vec<serde_json::Value> = export_rows(db)
        .await?
        .into_iter()
        .filter_map(|r| {
            let (lat, lon) = (r.latitude?, r.longitude?);
            Some(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": r.id, "name": r.name, "kind": r.kind, "status": r.status,
                    "organization": r.organization, "town": r.city, "area_code": r.area_code,
                    "source_url": r.source_url, "verified": r.verified == "yes", "demo": r.is_demo != 0,
                }
            }))
        })
        .collect();
    Ok(json!({"type": "FeatureCollection", "features": features}).to_string())
}
