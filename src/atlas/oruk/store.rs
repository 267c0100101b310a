//! SQL for the Open Referral UK API: services by filter, organisations, taxonomies and
//! their terms, schedules, and service-at-location rows.

use std::collections::HashMap;

use crate::atlas::services::{SERVICE_COLUMNS, ServiceRow};
use crate::db::{self, Db};

/// The service filters of the list endpoints, already checked (ids lower-case UUIDs, ages
/// in range, the day an RFC 5545 code).
#[derive(Clone, Debug, Default)]
pub struct ServiceFilter {
    /// Words that may name the service, what it does, who runs it or the town it is in.
    pub search: Option<String>,
    pub taxonomy_term_id: Option<String>,
    pub taxonomy_id: Option<String>,
    /// Services whose age range reaches up to at least this age.
    pub minimum_age: Option<i64>,
    /// Services whose age range starts at or below this age.
    pub maximum_age: Option<i64>,
    /// "MO" … "SU".
    pub day: Option<&'static str>,
    /// Unix seconds.
    pub modified_after: Option<i64>,
    pub organization_id: Option<String>,
}

/// A bound value for dynamically built SQL.
enum Arg {
    Text(String),
    Int(i64),
}

/// WHERE clauses (over `services s`) and their arguments, numbered from `$1`.
fn clauses(f: &ServiceFilter) -> (Vec<String>, Vec<Arg>) {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut args: Vec<Arg> = Vec::new();
    let next = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    if let Some(s) = &f.search {
        let like = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
        let p = next(&mut args, Arg::Text(like));
        clauses.push(format!(
            "(LOWER(s.name) LIKE {p} OR LOWER(s.description) LIKE {p} \
             OR EXISTS (SELECT 1 FROM organizations so WHERE so.id = s.organization_id AND LOWER(so.name) LIKE {p}) \
             OR EXISTS (SELECT 1 FROM service_at_locations ss JOIN locations sl ON sl.id = ss.location_id \
                        WHERE ss.service_id = s.id AND (LOWER(sl.city) LIKE {p} OR LOWER(sl.name) LIKE {p})))"
        ));
    }
    if let Some(t) = &f.taxonomy_term_id {
        let p = next(&mut args, Arg::Text(t.clone()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM service_terms st WHERE st.service_id = s.id AND st.taxonomy_term_id = {p})"
        ));
    }
    if let Some(t) = &f.taxonomy_id {
        let p = next(&mut args, Arg::Text(t.clone()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM service_terms st JOIN taxonomy_terms tt ON tt.id = st.taxonomy_term_id \
             WHERE st.service_id = s.id AND tt.taxonomy_id = {p})"
        ));
    }
    if let Some(age) = f.minimum_age {
        let p = next(&mut args, Arg::Int(age));
        clauses.push(format!("(s.maximum_age IS NULL OR s.maximum_age >= {p})"));
    }
    if let Some(age) = f.maximum_age {
        let p = next(&mut args, Arg::Int(age));
        clauses.push(format!("(s.minimum_age IS NULL OR s.minimum_age <= {p})"));
    }
    if let Some(code) = f.day {
        let p = next(&mut args, Arg::Text(format!("%{code}%")));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM schedules sc WHERE sc.service_id = s.id AND sc.byday LIKE {p})"
        ));
    }
    if let Some(ts) = f.modified_after {
        let p = next(&mut args, Arg::Int(ts));
        clauses.push(format!("s.updated_at > {p}"));
    }
    if let Some(org) = &f.organization_id {
        let p = next(&mut args, Arg::Text(org.clone()));
        clauses.push(format!("s.organization_id = {p}"));
    }
    (clauses, args)
}

/// Binds `args` in order to a query built from [`clauses`].
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(n) => q.bind(*n),
            };
        }
        q
    }};
}

pub async fn count_services(db: &Db, f: &ServiceFilter) -> sqlx::Result<i64> {
    let (clauses, args) = clauses(f);
    let sql = format!(
        "SELECT COUNT(*) FROM services s WHERE {}",
        clauses.join(" AND ")
    );
    bind_args!(
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)),
        &args
    )
    .fetch_one(&db.pool)
    .await
}

/// One page of the services the filter selects, by name.
pub async fn services_page(
    db: &Db,
    f: &ServiceFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ServiceRow>> {
    let (clauses, args) = clauses(f);
    let sql = format!(
        "SELECT {SERVICE_COLUMNS} FROM services s JOIN organizations o ON o.id = s.organization_id \
         WHERE {} ORDER BY s.name, s.id LIMIT {limit} OFFSET {offset}",
        clauses.join(" AND ")
    );
    bind_args!(
        sqlx::query_as::<_, ServiceRow>(sqlx::AssertSqlSafe(sql)),
        &args
    )
    .fetch_all(&db.pool)
    .await
}

/// An organisation as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub website: String,
}

pub async fn orgs_by_id(db: &Db, ids: &[&str]) -> sqlx::Result<HashMap<String, OrgRow>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list = db::marks(1, ids.len());
    let mut q = sqlx::query_as::<_, OrgRow>(sqlx::AssertSqlSafe(format!(
        "SELECT id, name, description, email, website FROM organizations WHERE id IN ({list})"
    )));
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect())
}

/// The number of organisations and one page of them, by name.
pub async fn organizations_page(
    db: &Db,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(i64, Vec<OrgRow>)> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query_as(
        "SELECT id, name, description, email, website FROM organizations \
         ORDER BY name, id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok((total, rows))
}

#[derive(sqlx::FromRow)]
pub struct ScheduleRow {
    pub id: String,
    pub byday: String,
    pub opens_at: String,
    pub closes_at: String,
    pub description: String,
}

pub async fn schedules_of(db: &Db, service_id: &str) -> sqlx::Result<Vec<ScheduleRow>> {
    sqlx::query_as(
        "SELECT id, byday, opens_at, closes_at, description FROM schedules \
         WHERE service_id = $1 ORDER BY id",
    )
    .bind(service_id)
    .fetch_all(&db.pool)
    .await
}

#[derive(sqlx::FromRow)]
pub struct TermRow {
    pub id: String,
    pub taxonomy_id: String,
    pub code: String,
    pub name: String,
    pub description: String,
}

/// A service's terms, each with the id of its link to the service, by name.
pub async fn terms_of(db: &Db, service_id: &str) -> sqlx::Result<Vec<(String, TermRow)>> {
    let rows = sqlx::query_as::<_, (String, String, String, String, String, String)>(
        "SELECT st.id, t.id, t.taxonomy_id, t.code, t.name, t.description FROM service_terms st \
         JOIN taxonomy_terms t ON t.id = st.taxonomy_term_id WHERE st.service_id = $1 ORDER BY t.name",
    )
    .bind(service_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(sid, id, taxonomy_id, code, name, description)| {
            (
                sid,
                TermRow {
                    id,
                    taxonomy_id,
                    code,
                    name,
                    description,
                },
            )
        })
        .collect())
}

/// The number of terms (of one taxonomy, or of all when `taxonomy` is empty) and one page
/// of them, by name.
pub async fn terms_page(
    db: &Db,
    taxonomy: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(i64, Vec<TermRow>)> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM taxonomy_terms WHERE ($1 = '' OR taxonomy_id = $1)",
    )
    .bind(taxonomy)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query_as(
        "SELECT id, taxonomy_id, code, name, description FROM taxonomy_terms \
         WHERE ($1 = '' OR taxonomy_id = $1) ORDER BY name, id LIMIT $2 OFFSET $3",
    )
    .bind(taxonomy)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok((total, rows))
}

pub async fn term(db: &Db, id: &str) -> sqlx::Result<Option<TermRow>> {
    sqlx::query_as(
        "SELECT id, taxonomy_id, code, name, description FROM taxonomy_terms WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

#[derive(sqlx::FromRow)]
pub struct TaxonomyRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub uri: String,
    pub version: String,
}

/// The number of taxonomies and one page of them, by name.
pub async fn taxonomies_page(
    db: &Db,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(i64, Vec<TaxonomyRow>)> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM taxonomies")
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query_as(
        "SELECT id, name, description, uri, version FROM taxonomies \
         ORDER BY name, id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok((total, rows))
}

pub async fn taxonomy(db: &Db, id: &str) -> sqlx::Result<Option<TaxonomyRow>> {
    sqlx::query_as("SELECT id, name, description, uri, version FROM taxonomies WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}

/// A service at a location, with the service and where it is.
#[derive(sqlx::FromRow)]
pub struct SalRow {
    pub sal_id: String,
    #[sqlx(flatten)]
    pub service: ServiceRow,
    pub location_id: String,
    pub location_name: String,
    pub position_note: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

const SAL_FROM: &str = "FROM service_at_locations sal \
    JOIN services s ON s.id = sal.service_id JOIN organizations o ON o.id = s.organization_id \
    JOIN locations l ON l.id = sal.location_id";

fn sal_select() -> String {
    format!(
        "SELECT sal.id AS sal_id, {SERVICE_COLUMNS}, l.id AS location_id, \
         l.name AS location_name, l.position_note, l.latitude, l.longitude {SAL_FROM}"
    )
}

/// Every service-at-location whose service the filter selects, by service name.
pub async fn sal_rows(db: &Db, f: &ServiceFilter) -> sqlx::Result<Vec<SalRow>> {
    let (clauses, args) = clauses(f);
    let sql = format!(
        "{} WHERE {} ORDER BY s.name, sal.id",
        sal_select(),
        clauses.join(" AND ")
    );
    bind_args!(sqlx::query_as::<_, SalRow>(sqlx::AssertSqlSafe(sql)), &args)
        .fetch_all(&db.pool)
        .await
}

pub async fn sal(db: &Db, id: &str) -> sqlx::Result<Option<SalRow>> {
    sqlx::query_as::<_, SalRow>(sqlx::AssertSqlSafe(format!(
        "{} WHERE sal.id = $1",
        sal_select()
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// The ids of the services that say they serve an area.
pub async fn services_serving(db: &Db, area_code: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT service_id FROM service_areas WHERE area_code = $1")
        .bind(area_code)
        .fetch_all(&db.pool)
        .await
}
