//! The Open Referral UK 3.0 API, checked against the profile's own JSON Schemas and the
//! pagination rules its validators apply.

use serde_json::Value;

use crate::harness::TestApp;

/// Validates `instance` against a schema from `tests/schemas/oruk/`, with formats (uuid,
/// date-time, uri…) checked.
#[track_caller]
fn assert_valid(schema_file: &str, instance: &Value) {
    let path = format!(
        "{}/tests/schemas/oruk/{schema_file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if schema_file == "taxonomy.json" {
        // Its one $ref points at a sibling file by URL; the terms are checked on their own.
        schema["properties"]
            .as_object_mut()
            .unwrap()
            .remove("taxonomy_terms");
    }
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_file}: {errors:#?}\n{instance:#}"
    );
}

async fn json(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).await;
    res.assert_status(200);
    assert_eq!(res.header("access-control-allow-origin"), "*", "{path}");
    assert!(
        res.header("content-type").starts_with("application/json"),
        "{path}"
    );
    serde_json::from_str(&res.body).unwrap()
}

/// The legacy validator's page checks: flags, size, and full pages except the last.
#[track_caller]
fn assert_page(v: &Value, page: i64, per_page: i64) {
    let contents = v["contents"].as_array().unwrap();
    let total_pages = v["total_pages"].as_i64().unwrap();
    assert_eq!(v["page_number"], page);
    assert_eq!(v["size"].as_u64().unwrap() as usize, contents.len());
    assert_eq!(v["first_page"].as_bool().unwrap(), page == 1);
    assert_eq!(v["last_page"].as_bool().unwrap(), page == total_pages);
    assert_eq!(v["empty"].as_bool().unwrap(), contents.is_empty());
    if page < total_pages {
        assert_eq!(contents.len() as i64, per_page);
    }
    let total = v["total_items"].as_i64().unwrap();
    assert_eq!(total_pages, ((total + per_page - 1) / per_page).max(1));
}

#[tokio::test]
async fn root_names_the_profile() {
    let app = TestApp::new().await;
    for path in ["/api/oruk/", "/api/oruk"] {
        let v = json(&app, path).await;
        assert_eq!(v["version"], "HSDS-UK-3.0");
        assert!(v["profile"].as_str().unwrap().starts_with("https://"));
        assert!(v["openapi_url"].as_str().unwrap().ends_with("openapi.json"));
    }
}

#[tokio::test]
async fn services_list_pages_and_validates() {
    let app = TestApp::new().await;
    let first = json(&app, "/api/oruk/services?per_page=5").await;
    let total = first["total_items"].as_i64().unwrap();
    assert_eq!(total, 20 + 68, "20 MBUs and 68 demo teams");
    let pages = first["total_pages"].as_i64().unwrap();
    for page in [1, pages / 2, pages, pages + 1] {
        let v = json(&app, &format!("/api/oruk/services/?page={page}&per_page=5")).await;
        assert_page(&v, page, 5);
        for item in v["contents"].as_array().unwrap() {
            assert_valid("service_list.json", item);
            // Empty optional fields are left out, never null.
            assert!(item.as_object().unwrap().values().all(|x| !x.is_null()));
        }
    }
    // The default page size is what a validator sees with ?page=N only.
    let v = json(&app, "/api/oruk/services?page=2").await;
    assert_page(&v, 2, 20);
    // per_page is clamped rather than refused.
    let v = json(&app, "/api/oruk/services?per_page=100000").await;
    assert_eq!(v["contents"].as_array().unwrap().len(), 88);
}

#[tokio::test]
async fn full_service_records_validate() {
    let app = TestApp::new().await;
    let list = json(&app, "/api/oruk/services?per_page=100").await;
    let ids: Vec<String> = list["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    for id in ids.iter().step_by(7) {
        let v = json(&app, &format!("/api/oruk/services/{id}")).await;
        assert_valid("service.json", &v);
        assert_eq!(v["id"].as_str().unwrap(), id);
        assert!(
            !v["attributes"].as_array().unwrap().is_empty(),
            "every service has its type"
        );
        assert!(!v["service_at_locations"].as_array().unwrap().is_empty());
    }
    let demo_team = list["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().starts_with("Demo: Cardiff"))
        .unwrap();
    let v = json(
        &app,
        &format!("/api/oruk/services/{}", demo_team["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(v["schedules"][0]["byday"], "MO,TU,WE,TH,FR");
    assert_eq!(v["service_areas"][0]["extent"], "W11000029");
    assert!(v["alert"].as_str().unwrap().contains("Demo"));
}

#[tokio::test]
async fn filters_combine() {
    let app = TestApp::new().await;
    let terms = json(&app, "/api/oruk/taxonomy_terms").await;
    let mbu_term = terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == "mbu")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let count = |v: &Value| v["total_items"].as_i64().unwrap();
    let mbus = json(
        &app,
        &format!("/api/oruk/services?taxonomy_term_id={mbu_term}"),
    )
    .await;
    assert_eq!(count(&mbus), 20);
    let taxonomy = terms["contents"][0]["taxonomy_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        count(&json(&app, &format!("/api/oruk/services?taxonomy_id={taxonomy}")).await),
        88
    );
    let searched = json(
        &app,
        &format!("/api/oruk/services?taxonomy_term_id={mbu_term}&search=LONDON"),
    )
    .await;
    assert!(
        count(&searched) >= 2 && count(&searched) < 20,
        "{}",
        count(&searched)
    );
    assert_eq!(
        count(&json(&app, "/api/oruk/services?day=saturday").await),
        0
    );
    assert_eq!(count(&json(&app, "/api/oruk/services?day=MO").await), 68);
    assert_eq!(
        count(
            &json(
                &app,
                "/api/oruk/services?modified_after=2100-01-01T00:00:00Z"
            )
            .await
        ),
        0
    );
    assert_eq!(
        count(&json(&app, "/api/oruk/services?modified_after=2001-01-01").await),
        88
    );
    // Every demo team stops at 55–57; an 80-year-old matches none of them.
    let old = json(&app, "/api/oruk/services?minimum_age=80").await;
    assert_eq!(count(&old), 20);
    let org = mbus["contents"][0]["organization_id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_org = json(&app, &format!("/api/oruk/services?organization_id={org}")).await;
    assert!(count(&by_org) >= 1);
    assert!(
        by_org["contents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["organization_id"] == org)
    );
}

#[tokio::test]
async fn bad_parameters_and_unknown_ids_are_json_errors() {
    let app = TestApp::new().await;
    for path in [
        "/api/oruk/services?page=0",
        "/api/oruk/services?page=abc",
        "/api/oruk/services?per_page=x",
        "/api/oruk/services?minimum_age=-1",
        "/api/oruk/services?taxonomy_term_id=nonsense",
        "/api/oruk/services?day=someday",
        "/api/oruk/services?modified_after=yesterday",
        "/api/oruk/service_at_locations?postcode=%3Cscript%3E",
        "/api/oruk/service_at_locations?proximity=1000",
    ] {
        let res = app.get(path).await;
        res.assert_status(400);
        assert_eq!(res.header("access-control-allow-origin"), "*", "{path}");
        let v: Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(v["code"], "bad_request", "{path}");
        assert!(v["error"].as_str().unwrap().contains("parameter"), "{path}");
    }
    for path in [
        "/api/oruk/services/00000000-0000-4000-8000-000000000000",
        "/api/oruk/services/not-an-id",
        "/api/oruk/organizations/00000000-0000-4000-8000-000000000000",
        "/api/oruk/taxonomies/00000000-0000-4000-8000-000000000000",
        "/api/oruk/taxonomy_terms/00000000-0000-4000-8000-000000000000",
        "/api/oruk/service_at_locations/00000000-0000-4000-8000-000000000000",
        "/api/oruk/service_at_locations?postcode=ZZ99%209ZZ",
    ] {
        let res = app.get(path).await;
        res.assert_status(404);
        let v: Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(v["code"], "not_found", "{path}");
    }
}

#[tokio::test]
async fn taxonomies_terms_and_organizations() {
    let app = TestApp::new().await;
    let t = json(&app, "/api/oruk/taxonomies").await;
    assert_page(&t, 1, 20);
    for item in t["contents"].as_array().unwrap() {
        assert_valid("taxonomy.json", item);
        let one = json(
            &app,
            &format!("/api/oruk/taxonomies/{}", item["id"].as_str().unwrap()),
        )
        .await;
        assert_valid("taxonomy.json", &one);
    }
    let terms = json(&app, "/api/oruk/taxonomy_terms?per_page=2").await;
    assert_page(&terms, 1, 2);
    assert_eq!(terms["total_items"], 4);
    for item in terms["contents"].as_array().unwrap() {
        assert_valid("taxonomy_term.json", item);
        let one = json(
            &app,
            &format!("/api/oruk/taxonomy_terms/{}", item["id"].as_str().unwrap()),
        )
        .await;
        assert_valid("taxonomy_term.json", &one);
    }
    let orgs = json(&app, "/api/oruk/organizations?per_page=3").await;
    assert_page(&orgs, 1, 3);
    for item in orgs["contents"].as_array().unwrap() {
        assert_valid("organization_list.json", item);
        let one = json(
            &app,
            &format!("/api/oruk/organizations/{}", item["id"].as_str().unwrap()),
        )
        .await;
        assert_valid("organization_list.json", &one);
    }
}

#[tokio::test]
async fn service_at_locations_with_postcode_and_proximity() {
    let app = TestApp::new().await;
    let all = json(&app, "/api/oruk/service_at_locations?per_page=10").await;
    assert_page(&all, 1, 10);
    assert_eq!(all["total_items"], 88);
    for item in all["contents"].as_array().unwrap() {
        assert_valid("service_at_location_list.json", item);
        let one = json(
            &app,
            &format!(
                "/api/oruk/service_at_locations/{}",
                item["id"].as_str().unwrap()
            ),
        )
        .await;
        assert_valid("service_at_location.json", &one);
    }
    // A Cardiff postcode with no proximity: services whose area covers it.
    let local = json(&app, "/api/oruk/service_at_locations?postcode=CF10%203NQ").await;
    let names: Vec<&str> = local["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Demo: Cardiff and Vale University Health Board specialist perinatal mental health team"]
    );
    // Within 60 km of Cardiff: Uned Gobaith in Neath is, London units are not.
    let near = json(
        &app,
        "/api/oruk/service_at_locations?postcode=cf103nq&proximity=60000&per_page=100",
    )
    .await;
    let near_names: Vec<&str> = near["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"]["name"].as_str().unwrap())
        .collect();
    assert!(
        near_names.contains(&"Uned Gobaith (Unit of Hope)"),
        "{near_names:?}"
    );
    assert!(
        !near_names.iter().any(|n| n.contains("London")),
        "{near_names:?}"
    );
}
