//! SQL for services, their organisations, locations, areas served, schedules and terms.

use super::form::{CleanService, DAYS, ServiceForm};
use super::{
    LocationRow, MbuPosition, NewService, SERVICE_COLUMNS, ServiceRow, stable_uuid, term_id,
};
use crate::db::{self, Db, Tx};

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

/// Writes a service (new when `id` has no row yet), its single location, its areas and
/// its type, and bumps the content version.
pub async fn write(
    tx: &mut Tx,
    id: &str,
    exists: bool,
    f: &ServiceForm,
    c: &CleanService,
    area_at: Option<String>,
) -> sqlx::Result<()> {
    let organization_id = ensure_organization(tx, f.organization.trim(), "", false).await?;
    let now = db::now();
    let sql = if exists {
        "UPDATE services SET organization_id=$1, name=$2, kind=$3, status=$4, description=$5, url=$6, \
         email=$7, phone=$8, minimum_age=$9, maximum_age=$10, eligibility_description=$11, referral=$12, \
         hours=$13, beds=$14, source_url=$15, notes=$16, is_demo=$17, updated_at=$18 WHERE id=$19"
    } else {
        "INSERT INTO services (organization_id, name, kind, status, description, url, email, phone, \
         minimum_age, maximum_age, eligibility_description, referral, hours, beds, source_url, notes, \
         is_demo, updated_at, id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)"
    };
    sqlx::query(sql)
        .bind(&organization_id)
        .bind(f.name.trim())
        .bind(&f.kind)
        .bind(&f.status)
        .bind(f.description.trim())
        .bind(f.url.trim())
        .bind(f.email.trim())
        .bind(f.phone.trim())
        .bind(c.minimum_age)
        .bind(c.maximum_age)
        .bind(f.eligibility_description.trim())
        .bind(f.referral.trim())
        .bind(f.hours.trim())
        .bind(c.beds)
        .bind(f.source_url.trim())
        .bind(f.notes.trim())
        .bind(i64::from(f.is_demo))
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let location_id = stable_uuid(&format!("location:{id}"));
    sqlx::query(
        "INSERT INTO locations (id, name, address_1, city, postal_code, latitude, longitude, position_note, area_code) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,'',$8) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
         address_1 = excluded.address_1, city = excluded.city, postal_code = excluded.postal_code, \
         latitude = excluded.latitude, longitude = excluded.longitude, position_note = '', \
         area_code = excluded.area_code",
    )
    .bind(&location_id)
    .bind(f.location_name.trim())
    .bind(f.address_1.trim())
    .bind(f.city.trim())
    .bind(f.postal_code.trim().to_uppercase())
    .bind(c.position.map(|p| p.0))
    .bind(c.position.map(|p| p.1))
    .bind(area_at)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO service_at_locations (id, service_id, location_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(stable_uuid(&format!("sal:{id}")))
    .bind(id)
    .bind(&location_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM service_areas WHERE service_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for code in &f.areas {
        sqlx::query("INSERT INTO service_areas (id, service_id, area_code) VALUES ($1, $2, $3)")
            .bind(stable_uuid(&format!("service-area:{id}:{code}")))
            .bind(id)
            .bind(code)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM schedules WHERE service_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if !f.days.is_empty() {
        let byday: Vec<&str> = DAYS
            .iter()
            .copied()
            .filter(|d| f.days.iter().any(|x| x == d))
            .collect();
        sqlx::query(
            "INSERT INTO schedules (id, service_id, byday, opens_at, closes_at, description) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(stable_uuid(&format!("schedule:{id}")))
        .bind(id)
        .bind(byday.join(","))
        .bind(&f.opens_at)
        .bind(&f.closes_at)
        .bind(f.hours.trim())
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM service_terms WHERE service_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO service_terms (id, service_id, taxonomy_term_id) VALUES ($1, $2, $3)")
        .bind(stable_uuid(&format!("service-term:{id}")))
        .bind(id)
        .bind(term_id(&f.kind))
        .execute(&mut **tx)
        .await?;
    db::bump_content_version(tx).await
}

/// Every service, by type and name (the staff list).
pub async fn all(db: &Db) -> sqlx::Result<Vec<ServiceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SERVICE_COLUMNS} FROM services s JOIN organizations o ON o.id = s.organization_id \
         ORDER BY s.kind, s.name"
    )))
    .fetch_all(&db.pool)
    .await
}

/// A service's first opening pattern: (days, opens, closes).
pub async fn first_schedule(
    db: &Db,
    service_id: &str,
) -> sqlx::Result<Option<(String, String, String)>> {
    sqlx::query_as(
        "SELECT byday, opens_at, closes_at FROM schedules WHERE service_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(service_id)
    .fetch_optional(&db.pool)
    .await
}

/// Records that `by` checked a service's details on `day`; false when there is no such
/// service.
pub async fn mark_verified(tx: &mut Tx, id: &str, day: &str, by: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE services SET verified = 'yes', verified_on = $1, verified_by = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(day)
    .bind(by)
    .bind(db::now())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n > 0)
}
