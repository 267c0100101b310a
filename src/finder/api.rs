//! `/api/v1/lookup` and `/api/v1/support`: the finder as JSON, help first. The search,
//! its count and the area's facts are the page's own ([`super::answer::answer`]); only the
//! rendering differs.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Outcome;
use super::answer::{ATTRIBUTION, SupportParams, Tiers, answer, mbus, nearest, tiers};
use crate::AppState;
use crate::i18n::Lang;
use crate::site::Helpline;
use crate::web::Query;

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut res = (status, axum::Json(v)).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

fn json_error(status: StatusCode, message: String) -> Response {
    json_response(status, &json!({ "error": message }))
}

#[derive(Debug, Default, Deserialize)]
pub struct LookupParams {
    #[serde(default)]
    postcode: Option<String>,
}

/// `GET /api/v1/lookup?postcode=…`: the health area for a postcode. 400 when it is not a
/// postcode, 404 when even its district is unknown or outside the four nations' NHS areas.
pub(super) async fn lookup_api(
    State(state): State<AppState>,
    Query(p): Query<LookupParams>,
) -> Response {
    let en = Lang::En;
    let input = p.postcode.unwrap_or_default();
    let reading = match super::postcode::parse(&input) {
        Ok(r @ super::postcode::Reading::Full(_)) => r,
        Ok(super::postcode::Reading::District(_)) => {
            return json_error(StatusCode::BAD_REQUEST, en.t("finder-error-district-only"));
        }
        Err(e) => return json_error(StatusCode::BAD_REQUEST, en.t(e.message())),
    };
    let atlas = state.atlas();
    let idx = state.postcodes();
    match super::locate_postcode(&idx, &atlas, &input, &reading) {
        Ok(l) => {
            state.finder.counter.count(&l.area_code);
            let area = atlas.area(&l.area_code);
            json_response(
                StatusCode::OK,
                &json!({
                    "postcode": l.label,
                    "area": {
                        "code": l.area_code,
                        "name": area.map(|a| a.name.as_str()).unwrap_or(""),
                        "nation": area.map(|a| a.nation.as_str()).unwrap_or(""),
                    },
                    "location": { "lat": l.lat, "lon": l.lon },
                    "precision": l.precision.as_str(),
                }),
            )
        }
        Err(problem) => {
            state.finder.counter.count("");
            json_error(
                StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::NOT_FOUND),
                en.t(problem.message()),
            )
        }
    }
}

fn helpline_json(h: &Helpline) -> Value {
    json!({
        "organisation": h.organisation,
        "service": h.service,
        "purpose": h.purpose,
        "phone": h.phone,
        "call_note": h.call_note,
        "tel": h.tel(),
        "text": h.text_number,
        "text_keyword": h.text_body,
        "sms": h.sms_href(),
        "textphone": h.textphone,
        "email": h.email,
        "web": h.web_href(),
        "hours": h.hours,
        "nation": h.nation,
        "tier": h.tier,
        "number_verified": !h.unverified(),
        "verified_on": h.verified_on,
        "source": h.source_url,
    })
}

/// The helplines by tier, as the API gives them.
fn help_json(t: &Tiers) -> Value {
    let each = |lines: &[&Helpline]| lines.iter().map(|h| helpline_json(h)).collect::<Vec<_>>();
    json!({
        "emergency": each(&t.emergency),
        "urgent": each(&t.urgent),
        "support": each(&t.support),
    })
}

/// `GET /api/v1/support?postcode=…` (or `place=ID`, or `lat=…&lon=…`): the finder page as
/// JSON, help first. Help is always present, with the status and `error` of a failed search.
pub(super) async fn support_api(
    State(state): State<AppState>,
    address: Option<axum::Extension<crate::app::AddressLang>>,
    Query(p): Query<SupportParams>,
) -> Response {
    // `?lang=cy`, or the Welsh address `/cy/api/v1/support`.
    let address = address.map_or(Lang::En, |a| a.0.0);
    let lang = p
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(address);
    let snap = state.snapshot();
    let version = snap.version;
    // Nothing asked (or half a position): help, and what to send.
    let Some(a) = answer(&state, version, &p).await else {
        let v = json!({
            "help": help_json(&tiers(&snap.helplines, None)),
            "error": lang.t("finder-error-empty"),
            "attribution": ATTRIBUTION,
        });
        return json_response(StatusCode::BAD_REQUEST, &v);
    };
    let (status, info, located, error, choices) = match &a.outcome {
        Outcome::Found(l) => (StatusCode::OK, a.info.clone(), Some(l), None, Vec::new()),
        Outcome::Choose(v) => (
            StatusCode::OK,
            None,
            None,
            Some(lang.t("finder-choose-place")),
            v.iter()
                .map(|p| {
                    json!({
                        "place": p.id,
                        "name": p.name,
                        "nation": p.nation,
                        "href": format!("/api/v1/support?place={}", p.id),
                    })
                })
                .collect(),
        ),
        Outcome::Problem(pr) => (
            StatusCode::from_u16(pr.status()).unwrap_or(StatusCode::NOT_FOUND),
            None,
            None,
            Some(lang.t(pr.message())),
            Vec::new(),
        ),
    };
    let atlas = state.atlas();
    let t = tiers(&snap.helplines, a.nation.as_deref());
    let mut v = json!({ "help": help_json(&t) });
    if let Some(e) = error {
        v["error"] = json!(e);
    }
    if !choices.is_empty() {
        v["choices"] = json!(choices);
    }
    if let Some(l) = located {
        v["query"] = json!({
            "label": l.label,
            "precision": l.precision.as_str(),
            "corrected_from": l.corrected_from,
            "postcode_unknown": l.postcode_unknown,
            "location": { "lat": l.lat, "lon": l.lon },
        });
        let area = atlas.area(&l.area_code);
        v["area"] = json!({
            "code": l.area_code,
            "name": area.map(|a| a.name.as_str()).unwrap_or(""),
            "nation": area.map(|a| a.nation.as_str()).unwrap_or(""),
            "href": format!("/areas/{}", l.area_code),
        });
        match &info {
            Some(i) => {
                if let Some(s) = &i.latest {
                    v["area"]["provision"] = json!({
                        "year": s.year,
                        "level": s.level,
                        "label": i.level_label(lang == Lang::Cy),
                        "demo": s.is_demo != 0,
                    });
                }
                v["services"] = json!(
                    i.services
                        .iter()
                        .map(|s| json!({
                            "id": s.id,
                            "name": s.name,
                            "organisation": s.organization_name,
                            "kind": s.kind,
                            "status": s.status,
                            "referral": s.referral,
                            "phone": s.phone,
                            "email": s.email,
                            "url": s.url,
                            "hours": s.hours,
                            "verified": !s.unverified(),
                            "demo": s.is_demo != 0,
                            "href": format!("{}/services/{}", lang.base(), s.id),
                        }))
                        .collect::<Vec<_>>()
                );
            }
            None => v["notices"] = json!([lang.t("finder-services-unavailable")]),
        }
        if let Some(all) = mbus(&state, version).await {
            v["mother_and_baby_units"] = json!(
                nearest(&all.list, l.lat, l.lon, 3)
                    .iter()
                    .map(|n| json!({
                        "id": n.mbu.id,
                        "name": n.mbu.name,
                        "city": n.mbu.city,
                        "status": n.mbu.status,
                        "distance_km": n.km,
                        "distance_miles": n.miles,
                        "href": format!("{}/services/{}", lang.base(), n.mbu.id),
                    }))
                    .collect::<Vec<_>>()
            );
        }
    }
    v["attribution"] = json!(ATTRIBUTION);
    json_response(status, &v)
}
