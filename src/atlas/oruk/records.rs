//! The records the ORUK API sends, as JSON with empty optional fields left out: an
//! organisation, a service's own fields and its full nested record (locations with
//! addresses, schedules, areas served, taxonomy terms), taxonomies, terms and services at
//! locations.

use serde_json::{Map, Value};

use super::store::{self, OrgRow, SalRow, TaxonomyRow, TermRow};
use crate::atlas::services::{self, ServiceRow};
use crate::db::Db;
use crate::web::AppError;

/// Builds a JSON object leaving out empty optional values.
pub(super) struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Obj {
        Obj(Map::new())
    }
    /// Always present.
    pub(super) fn req(mut self, k: &str, v: impl Into<Value>) -> Obj {
        self.0.insert(k.into(), v.into());
        self
    }
    /// Present when not empty.
    fn text(mut self, k: &str, v: &str) -> Obj {
        if !v.trim().is_empty() {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    fn num(mut self, k: &str, v: Option<i64>) -> Obj {
        if let Some(v) = v {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    fn float(mut self, k: &str, v: Option<f64>) -> Obj {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            self.0.insert(k.into(), v.into());
        }
        self
    }
    pub(super) fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub(super) fn org_json(o: &OrgRow) -> Value {
    Obj::new()
        .req("id", o.id.as_str())
        .req("name", o.name.as_str())
        .req("description", o.description.as_str())
        .text("email", &o.email)
        .text("website", &o.website)
        .done()
}

/// The one-to-one fields of a service.
pub(super) fn service_fields(s: &ServiceRow) -> Obj {
    let description = if s.eligibility_description.is_empty() {
        s.description.clone()
    } else {
        format!("{} {}", s.description, s.eligibility_description)
    };
    Obj::new()
        .req("id", s.id.as_str())
        .req("organization_id", s.organization_id.as_str())
        .req("name", s.name.as_str())
        .text("description", description.trim())
        .text("url", &s.url)
        .text("email", &s.email)
        .req("status", s.status.as_str())
        .num("minimum_age", s.minimum_age)
        .num("maximum_age", s.maximum_age)
        .text("assured_date", &s.verified_on)
        .text(
            "alert",
            if s.is_demo != 0 {
                "Demo record for illustration; not a real service."
            } else {
                ""
            },
        )
        .req("last_modified", rfc3339(s.updated_at))
}

pub(super) fn term_json(t: &TermRow) -> Value {
    Obj::new()
        .req("id", t.id.as_str())
        .req("name", t.name.as_str())
        .req("description", t.description.as_str())
        .req("taxonomy_id", t.taxonomy_id.as_str())
        .text("term", &t.code)
        .done()
}

pub(super) fn location_json(l: &services::LocationRow, with_address: bool) -> Value {
    let mut o = Obj::new()
        .req("id", l.id.as_str())
        .req("location_type", "physical")
        .text("name", &l.name)
        .text("description", &l.position_note)
        .float("latitude", l.latitude)
        .float("longitude", l.longitude);
    if with_address {
        // An address needs every required part; one we cannot complete is left out.
        let complete = !l.address_1.is_empty()
            && !l.city.is_empty()
            && !l.state_province.is_empty()
            && !l.postal_code.is_empty();
        let addresses: Vec<Value> = if complete {
            vec![
                Obj::new()
                    .req("id", services::stable_uuid(&format!("address:{}", l.id)))
                    .req("location_id", l.id.as_str())
                    .req("address_1", l.address_1.as_str())
                    .req("city", l.city.as_str())
                    .req("state_province", l.state_province.as_str())
                    .req("postal_code", l.postal_code.as_str())
                    .req("country", l.country.as_str())
                    .req("address_type", "physical")
                    .done(),
            ]
        } else {
            vec![]
        };
        o = o.req("addresses", addresses);
    }
    o.done()
}

/// The full nested service record.
pub(super) async fn service_record(db: &Db, s: &ServiceRow) -> Result<Value, AppError> {
    let orgs = store::orgs_by_id(db, &[s.organization_id.as_str()]).await?;
    let locations = services::store::locations_of(db, &s.id).await?;
    let areas = services::store::areas_of(db, &s.id).await?;
    let schedules = store::schedules_of(db, &s.id).await?;
    let terms = store::terms_of(db, &s.id).await?;
    let mut o = service_fields(s);
    if let Some(org) = orgs.get(&s.organization_id) {
        o = o.req("organization", org_json(org));
    }
    let sals: Vec<Value> = locations
        .iter()
        .map(|l| {
            Obj::new()
                .req("id", l.sal_id.as_str())
                .req("service_id", s.id.as_str())
                .req("location_id", l.id.as_str())
                .req("location", location_json(l, true))
                .done()
        })
        .collect();
    let schedules: Vec<Value> = schedules
        .iter()
        .map(|sc| {
            Obj::new()
                .req("id", sc.id.as_str())
                .req("service_id", s.id.as_str())
                .req("freq", "WEEKLY")
                .text("byday", &sc.byday)
                .text("opens_at", &sc.opens_at)
                .text("closes_at", &sc.closes_at)
                .text("description", &sc.description)
                .done()
        })
        .collect();
    let service_areas: Vec<Value> = areas
        .iter()
        .map(|(code, name)| {
            Obj::new()
                .req(
                    "id",
                    services::stable_uuid(&format!("service-area:{}:{code}", s.id)),
                )
                .req("service_id", s.id.as_str())
                .req("name", name.as_str())
                .req("extent_type", "other")
                .req("extent", code.as_str())
                .done()
        })
        .collect();
    let attributes: Vec<Value> = terms
        .iter()
        .map(|(sid, t)| {
            Obj::new()
                .req("id", sid.as_str())
                .req("link_id", s.id.as_str())
                .req("link_type", "service")
                .req("taxonomy_term_id", t.id.as_str())
                .req("taxonomy_term", term_json(t))
                .done()
        })
        .collect();
    Ok(o.req("service_at_locations", sals)
        .req("schedules", schedules)
        .req("service_areas", service_areas)
        .req("attributes", attributes)
        .req("languages", Vec::<Value>::new())
        .req("contacts", Vec::<Value>::new())
        .req("funding", Vec::<Value>::new())
        .req("cost_options", Vec::<Value>::new())
        .done())
}

pub(super) fn taxonomy_json(t: &TaxonomyRow) -> Value {
    Obj::new()
        .req("id", t.id.as_str())
        .req("name", t.name.as_str())
        .req("description", t.description.as_str())
        .text("uri", &t.uri)
        .text("version", &t.version)
        .done()
}

pub(super) fn sal_list_json(r: &SalRow) -> Value {
    Obj::new()
        .req("id", r.sal_id.as_str())
        .req("service_id", r.service.id.as_str())
        .req("location_id", r.location_id.as_str())
        .req(
            "location",
            Obj::new()
                .req("id", r.location_id.as_str())
                .req("location_type", "physical")
                .text("name", &r.location_name)
                .text("description", &r.position_note)
                .float("latitude", r.latitude)
                .float("longitude", r.longitude)
                .done(),
        )
        .req("service", service_fields(&r.service).done())
        .done()
}
