//! Staff screens for services: list, create, edit (with its location and the areas it
//! serves) and "checked today".

use std::collections::HashSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::services::{self, ServiceRow, new_uuid, stable_uuid, term_id};
use super::store::{self, AreaRow};
use crate::app::Ctx;
use crate::auth::{Permission, StaffUser};
use crate::db::{self, Tx};
use crate::web::{AppError, FieldErrors, Form, Msg, private_page, private_page_status, see_other};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/services", get(list))
        .route("/admin/services/new", get(new_form).post(create))
        .route("/admin/services/{id}", get(edit_form).post(update))
        .route("/admin/services/{id}/verify", post(verify))
        .route(
            "/admin/services/import",
            get(import_form)
                .post(import_preview)
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::import::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/admin/services/import/confirm", post(import_confirm))
}

pub const KINDS: &[&str] = &["community", "mbu", "mmhs", "other"];
pub const STATUSES: &[&str] = &["active", "temporarily closed", "inactive", "defunct"];

/// The service form, as typed.
#[derive(Debug, Default, Clone)]
pub struct ServiceForm {
    pub name: String,
    pub organization: String,
    pub kind: String,
    pub status: String,
    pub description: String,
    pub url: String,
    pub email: String,
    pub phone: String,
    pub minimum_age: String,
    pub maximum_age: String,
    pub eligibility_description: String,
    pub referral: String,
    pub hours: String,
    pub beds: String,
    pub source_url: String,
    pub notes: String,
    pub is_demo: bool,
    pub location_name: String,
    pub address_1: String,
    pub city: String,
    pub postal_code: String,
    pub latitude: String,
    pub longitude: String,
    pub areas: Vec<String>,
    /// Opening days as RFC 5545 codes (MO…SU), with one opening and closing time.
    pub days: Vec<String>,
    pub opens_at: String,
    pub closes_at: String,
}

/// Day codes in week order.
pub const DAYS: &[&str] = &["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// "09:00" style times only.
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

impl ServiceForm {
    /// Reads form fields (also used for CSV columns; `areas` may be a `;`-separated list).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> ServiceForm {
        let mut f = ServiceForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "organization" => f.organization = v,
                "kind" => f.kind = v,
                "status" => f.status = v,
                "description" => f.description = v,
                "url" => f.url = v,
                "email" => f.email = v,
                "phone" => f.phone = v,
                "minimum_age" => f.minimum_age = v,
                "maximum_age" => f.maximum_age = v,
                "eligibility_description" => f.eligibility_description = v,
                "referral" => f.referral = v,
                "hours" => f.hours = v,
                "beds" => f.beds = v,
                "source_url" => f.source_url = v,
                "notes" => f.notes = v,
                "is_demo" => f.is_demo = true,
                "location_name" => f.location_name = v,
                "address_1" => f.address_1 = v,
                "city" => f.city = v,
                "postal_code" => f.postal_code = v,
                "latitude" => f.latitude = v,
                "longitude" => f.longitude = v,
                "day" => f.days.push(v.trim().to_uppercase()),
                "days" => f.days.extend(
                    v.split([';', ','])
                        .map(|d| d.trim().to_uppercase())
                        .filter(|d| !d.is_empty()),
                ),
                "opens_at" => f.opens_at = v.trim().to_string(),
                "closes_at" => f.closes_at = v.trim().to_string(),
                "area" => f.areas.push(v),
                "areas" => f.areas.extend(
                    v.split(';')
                        .map(|a| a.trim().to_uppercase())
                        .filter(|a| !a.is_empty()),
                ),
                _ => {}
            }
        }
        f
    }

    fn from_row(
        s: &ServiceRow,
        l: Option<&services::LocationRow>,
        areas: Vec<String>,
    ) -> ServiceForm {
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let float = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        ServiceForm {
            name: s.name.clone(),
            organization: s.organization_name.clone(),
            kind: s.kind.clone(),
            status: s.status.clone(),
            description: s.description.clone(),
            url: s.url.clone(),
            email: s.email.clone(),
            phone: s.phone.clone(),
            minimum_age: num(s.minimum_age),
            maximum_age: num(s.maximum_age),
            eligibility_description: s.eligibility_description.clone(),
            referral: s.referral.clone(),
            hours: s.hours.clone(),
            beds: num(s.beds),
            source_url: s.source_url.clone(),
            notes: s.notes.clone(),
            is_demo: s.is_demo != 0,
            location_name: l.map(|l| l.name.clone()).unwrap_or_default(),
            address_1: l.map(|l| l.address_1.clone()).unwrap_or_default(),
            city: l.map(|l| l.city.clone()).unwrap_or_default(),
            postal_code: l.map(|l| l.postal_code.clone()).unwrap_or_default(),
            latitude: float(l.and_then(|l| l.latitude)),
            longitude: float(l.and_then(|l| l.longitude)),
            areas,
            ..Default::default()
        }
    }
}

/// A checked form.
pub struct CleanService {
    pub minimum_age: Option<i64>,
    pub maximum_age: Option<i64>,
    pub beds: Option<i64>,
    pub position: Option<(f64, f64)>,
}

fn optional_int(v: &str, range: std::ops::RangeInclusive<i64>) -> Result<Option<i64>, ()> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .map(Some)
        .ok_or(())
}

/// Field problems, or the parsed numbers. `known_areas` are the codes that may be served.
pub fn check(f: &ServiceForm, known_areas: &HashSet<String>) -> Result<CleanService, FieldErrors> {
    let mut e: FieldErrors = Vec::new();
    if f.name.trim().is_empty() || f.name.chars().count() > 200 {
        e.push(("name", Msg::new("admin-services-err-name")));
    }
    if f.organization.trim().is_empty() || f.organization.chars().count() > 200 {
        e.push(("organization", Msg::new("admin-services-err-organization")));
    }
    if !KINDS.contains(&f.kind.as_str()) {
        e.push(("kind", Msg::new("admin-services-err-kind")));
    }
    if !STATUSES.contains(&f.status.as_str()) {
        e.push(("status", Msg::new("admin-services-err-status")));
    }
    for (field, v) in [("url", &f.url), ("source_url", &f.source_url)] {
        let v = v.trim();
        if !(v.is_empty() || v.starts_with("https://") || v.starts_with("http://")) {
            e.push((
                field,
                Msg::new("admin-err-enter-a-full-web-address-starting"),
            ));
        }
    }
    if !f.email.trim().is_empty() && !crate::site::settings::looks_like_email(f.email.trim()) {
        e.push((
            "email",
            Msg::new("admin-err-enter-an-email-address-like-name"),
        ));
    }
    let minimum_age = optional_int(&f.minimum_age, 0..=150);
    let maximum_age = optional_int(&f.maximum_age, 0..=150);
    if minimum_age.is_err() {
        e.push(("minimum_age", Msg::new("admin-services-err-age")));
    }
    if maximum_age.is_err() {
        e.push(("maximum_age", Msg::new("admin-services-err-age")));
    }
    if let (Ok(Some(a)), Ok(Some(b))) = (minimum_age, maximum_age)
        && a > b
    {
        e.push(("maximum_age", Msg::new("admin-services-err-age-order")));
    }
    let beds = optional_int(&f.beds, 0..=500);
    if beds.is_err() {
        e.push(("beds", Msg::new("admin-err-enter-a-whole-number-like-10")));
    }
    let lat = f
        .latitude
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| (49.0..=61.5).contains(v));
    let lon = f
        .longitude
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| (-9.0..=2.5).contains(v));
    let position = match (
        f.latitude.trim().is_empty(),
        f.longitude.trim().is_empty(),
        lat,
        lon,
    ) {
        (true, true, _, _) => None,
        (_, _, Some(la), Some(lo)) => Some((la, lo)),
        _ => {
            e.push(("latitude", Msg::new("admin-services-err-position")));
            None
        }
    };
    if f.days.iter().any(|d| !DAYS.contains(&d.as_str())) {
        e.push(("days", Msg::new("admin-services-err-days")));
    }
    let times_given = !f.opens_at.is_empty() || !f.closes_at.is_empty();
    if times_given && (!is_time(&f.opens_at) || !is_time(&f.closes_at) || f.opens_at >= f.closes_at)
    {
        e.push(("opens_at", Msg::new("admin-services-err-times")));
    }
    if times_given && f.days.is_empty() {
        e.push(("days", Msg::new("admin-services-err-days")));
    }
    if f.areas.iter().any(|a| !known_areas.contains(a)) {
        e.push(("areas", Msg::new("admin-services-err-areas")));
    }
    for (field, v, max) in [
        ("description", &f.description, 4000),
        ("eligibility_description", &f.eligibility_description, 2000),
        ("referral", &f.referral, 2000),
        ("notes", &f.notes, 2000),
    ] {
        if v.chars().count() > max {
            e.push((field, Msg::new("admin-err-too-long-2000")));
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(CleanService {
        minimum_age: minimum_age.unwrap_or(None),
        maximum_age: maximum_age.unwrap_or(None),
        beds: beds.unwrap_or(None),
        position,
    })
}

/// Writes a service (new when `id` has no row yet), its single location, its areas and
/// its type, and bumps the content version.
pub(crate) async fn write(
    tx: &mut Tx,
    id: &str,
    exists: bool,
    f: &ServiceForm,
    c: &CleanService,
    area_at: Option<String>,
) -> sqlx::Result<()> {
    let organization_id =
        services::ensure_organization(tx, f.organization.trim(), "", false).await?;
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

#[derive(Template)]
#[template(path = "admin/services.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    services: Vec<ServiceRow>,
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let services: Vec<ServiceRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM services s JOIN organizations o ON o.id = s.organization_id ORDER BY s.kind, s.name",
        services::SERVICE_COLUMNS
    )))
    .fetch_all(&state.db.pool)
    .await?;
    private_page(&ListTemplate {
        c: &c.with_staff(staff),
        services,
    })
}

#[derive(Template)]
#[template(path = "admin/service_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<String>,
    f: ServiceForm,
    row: Option<ServiceRow>,
    areas: Vec<AreaRow>,
    errors: FieldErrors,
}

impl EditTemplate<'_> {
    fn error(&self, field: &str) -> String {
        crate::app::field_error(self.c, &self.errors, field)
    }
    fn serves(&self, code: &str) -> bool {
        self.f.areas.iter().any(|a| a == code)
    }
    fn kinds(&self) -> &'static [&'static str] {
        KINDS
    }
    fn statuses(&self) -> &'static [&'static str] {
        STATUSES
    }
    fn days(&self) -> &'static [&'static str] {
        DAYS
    }
    fn open_on(&self, d: &str) -> bool {
        self.f.days.iter().any(|x| x == d)
    }
}

async fn render(
    state: &AppState,
    c: &Ctx,
    id: Option<String>,
    f: ServiceForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let areas = store::areas(&state.db)
        .await?
        .into_iter()
        .filter(|a| !a.is_retired())
        .collect();
    let row = match &id {
        Some(id) => services::service_by_id(&state.db, id).await?,
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    private_page_status(
        status,
        &EditTemplate {
            c,
            id,
            f,
            row,
            areas,
            errors,
        },
    )
}

async fn new_form(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let f = ServiceForm {
        kind: "community".into(),
        status: "active".into(),
        ..Default::default()
    };
    render(&state, &c.with_staff(staff), None, f, vec![]).await
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    if !services::is_uuid(&id) {
        return Err(AppError::NotFound);
    }
    let s = services::service_by_id(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let locations = services::locations_of(&state.db, &id).await?;
    let areas = services::areas_of(&state.db, &id)
        .await?
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let mut f = ServiceForm::from_row(&s, locations.first(), areas);
    let schedule: Option<(String, String, String)> = sqlx::query_as(
        "SELECT byday, opens_at, closes_at FROM schedules WHERE service_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(&id)
    .fetch_optional(&state.db.pool)
    .await?;
    if let Some((byday, opens, closes)) = schedule {
        f.days = byday
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        f.opens_at = opens;
        f.closes_at = closes;
    }
    render(&state, &c.with_staff(staff), Some(id), f, vec![]).await
}

async fn save(
    state: &AppState,
    c: Ctx,
    staff: StaffUser,
    id: Option<String>,
    f: ServiceForm,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    staff.require(Permission::PublishContent)?;
    let known: HashSet<String> = store::areas(&state.db)
        .await?
        .into_iter()
        .filter(|a| !a.is_retired())
        .map(|a| a.code)
        .collect();
    let c = c.with_staff(staff.clone());
    let clean = match check(&f, &known) {
        Ok(clean) => clean,
        Err(errors) => return render(state, &c, id, f, errors).await,
    };
    let area_at = clean
        .position
        .and_then(|(lat, lon)| state.atlas().area_at(lon, lat).map(|a| a.code.clone()));
    let (service_id, exists) = match &id {
        Some(id) => (id.clone(), true),
        None => (new_uuid(), false),
    };
    let mut tx = state.db.begin_write().await?;
    write(&mut tx, &service_id, exists, &f, &clean, area_at).await?;
    let action = if exists {
        "update_service"
    } else {
        "create_service"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "service",
        &service_id,
        f.name.trim(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/services/{service_id}")))
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    save(&state, c, staff, None, ServiceForm::from_pairs(pairs)).await
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !services::is_uuid(&id) || services::service_by_id(&state.db, &id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    save(&state, c, staff, Some(id), ServiceForm::from_pairs(pairs)).await
}

/// Records that a member of staff checked the details with the service today.
async fn verify(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Permission::PublishContent)?;
    let today = crate::uktime::iso_date(db::now());
    let mut tx = state.db.begin_write().await?;
    let n = sqlx::query("UPDATE services SET verified = 'yes', verified_on = $1, verified_by = $2, updated_at = $3 WHERE id = $4")
        .bind(&today)
        .bind(&staff.email)
        .bind(db::now())
        .bind(&id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "verify_service",
        "service",
        &id,
        &today,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other(&format!("/admin/services/{id}")))
}

#[derive(Template)]
#[template(path = "admin/services_import.html")]
struct ImportTemplate<'a> {
    c: &'a Ctx,
    errors: Vec<super::import::RowError>,
    planned: Vec<(String, bool)>,
    token: String,
    done: bool,
}

async fn import_form(c: Ctx, staff: StaffUser) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    let done = c.path.contains("done=1");
    private_page(&ImportTemplate {
        c: &c.with_staff(staff),
        errors: vec![],
        planned: vec![],
        token: String::new(),
        done,
    })
}

/// Step 1: check every row; show the problems, or what will be added and updated.
async fn import_preview(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    mut mp: axum::extract::Multipart,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    staff.require(Permission::PublishContent)?;
    let mut text = String::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
    {
        let name = field.name().unwrap_or("").to_string();
        let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
        let value = String::from_utf8(bytes.to_vec())
            .map_err(|_| AppError::BadRequest(Msg::new("admin-import-not-utf8")))?;
        if (name == "file" && !value.trim().is_empty()) || (name == "csv" && text.is_empty()) {
            text = value;
        }
    }
    let c = c.with_staff(staff);
    match super::transfer::check_services(&state.db, &text).await? {
        Err(errors) => private_page_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportTemplate {
                c: &c,
                errors,
                planned: vec![],
                token: String::new(),
                done: false,
            },
        ),
        Ok(rows) => {
            let token = super::staging::keep(&state, "csv", &text).await?;
            let planned = rows
                .iter()
                .map(|r| (r.form.name.clone(), r.id.is_some()))
                .collect();
            private_page(&ImportTemplate {
                c: &c,
                errors: vec![],
                planned,
                token,
                done: false,
            })
        }
    }
}

#[derive(serde::Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// Step 2: check again and write every row in one transaction, or nothing.
async fn import_confirm(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    staff.require(Permission::EditContent)?;
    staff.require(Permission::PublishContent)?;
    let text = super::staging::read(&state, &f.token, "csv").await?;
    let rows = match super::transfer::check_services(&state.db, &text).await? {
        Ok(rows) => rows,
        Err(errors) => {
            return private_page_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ImportTemplate {
                    c: &c.with_staff(staff),
                    errors,
                    planned: vec![],
                    token: String::new(),
                    done: false,
                },
            );
        }
    };
    let atlas = state.atlas();
    let (added, updated) =
        super::transfer::apply_services(&state.db, &atlas, &rows, &staff.email).await?;
    super::staging::forget(&state, &f.token, "csv").await;
    let mut tx = state.db.begin_write().await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "import_services",
        "services",
        rows.len(),
        &format!("{added} added, {updated} updated"),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/services/import?done=1"))
}
