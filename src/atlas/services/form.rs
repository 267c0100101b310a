//! The staff form for one service: what was typed, and the checks it must pass.

use std::collections::HashSet;

use super::{LocationRow, ServiceRow};
use crate::web::{FieldErrors, Msg};

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

    pub fn from_row(s: &ServiceRow, l: Option<&LocationRow>, areas: Vec<String>) -> ServiceForm {
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
    let mut e: FieldErrors = crate::web::FieldErrors::new();
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
