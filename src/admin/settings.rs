//! Site identity editor for admins.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::site::settings::{self, FIELDS, NATIONS};
use crate::uploads as images;
use crate::web::{AppError, Fields, Msg, private_page_status, see_other};
use crate::{AppState, audit, db};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/admin/settings",
        get(form)
            .post(save)
            .layer(axum::extract::DefaultBodyLimit::max(
                images::FORM_WITH_PICTURE,
            )),
    )
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsTemplate<'a> {
    c: &'a Ctx,
    values: HashMap<String, String>,
    errors: crate::web::FieldErrors,
    saved: bool,
}

impl SettingsTemplate<'_> {
    fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
    fn serves(&self, nation: &str) -> bool {
        self.v("nations").split(',').any(|n| n.trim() == nation)
    }
    fn nations(&self) -> &'static [&'static str] {
        NATIONS
    }
}

async fn form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageSettings>,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let values = FIELDS
        .iter()
        .map(|(k, _)| (k.to_string(), snap.site.get(k).to_string()))
        .collect();
    let saved = c.path.contains("saved=1");
    private_page_status(
        StatusCode::OK,
        &SettingsTemplate {
            c: &c.with_staff(staff),
            values,
            errors: crate::web::FieldErrors::new(),
            saved,
        },
    )
}

/// The nation checkboxes arrive as repeated `nation` fields; everything else once.
fn collect(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut nations = Vec::new();
    for (k, v) in pairs {
        if k == "nation" {
            nations.push(v);
        } else {
            map.insert(k, v);
        }
    }
    map.insert("nations".into(), nations.join(","));
    map
}

async fn save(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ManageSettings>,
    fields: Fields,
) -> Result<Response, AppError> {
    let mut upload_errors: Vec<(&'static str, Msg)> = Vec::new();
    let mut pictures = Vec::new();
    for (prefix, file_field) in [("logo", "logo_file"), ("hero_image", "hero_image_file")] {
        let (name, problem) = images::picture_field(&state, &fields, prefix).await?;
        if let Some(m) = problem {
            upload_errors.push((file_field, m));
        }
        pictures.push((prefix, name));
    }
    let before = state.snapshot();
    let mut values = collect(fields.pairs);
    for (prefix, name) in pictures {
        values.insert(prefix.to_string(), name);
    }
    // A picture staff chose is not the demo one.
    if values.get("hero_image").map(String::as_str) != Some(before.site.get("hero_image")) {
        values.insert("hero_demo".into(), String::new());
    } else {
        values.insert("hero_demo".into(), before.site.get("hero_demo").to_string());
    }
    let checked = settings::validate(&values).and_then(|clean| {
        if upload_errors.is_empty() {
            Ok(clean)
        } else {
            Err(crate::web::FieldErrors::new())
        }
    });
    match checked {
        Ok(clean) => {
            let mut tx = state.db.begin_write().await?;
            settings::save_settings(&mut tx, &clean).await?;
            db::bump_content_version(&mut tx).await?;
            audit::record(
                &mut tx,
                Some(&staff),
                "update_settings",
                "site",
                "identity",
                "",
            )
            .await?;
            tx.commit().await?;
            state.refresh().await?;
            for key in ["logo", "hero_image"] {
                let old = before.site.get(key);
                if !old.is_empty() && values.get(key).map(String::as_str) != Some(old) {
                    images::delete_if_unused(&state, old).await?;
                }
            }
            Ok(see_other("/admin/settings?saved=1"))
        }
        Err(mut errors) => {
            errors.extend(upload_errors);
            Err(AppError::invalid(&SettingsTemplate {
                c: &c.with_staff(staff),
                values,
                errors,
                saved: false,
            }))
        }
    }
}
