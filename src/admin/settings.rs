//! Site identity editor for admins.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use crate::auth::{Permission, StaffUser};
use crate::site::settings::{self, FIELDS, NATIONS};
use crate::web::{AppError, Ctx, Form, private_page_status, see_other};
use crate::{AppState, audit, db};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(form).post(save))
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
    fn error(&self, field: &str) -> String {
        crate::web::field_error(self.c, &self.errors, field)
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
    staff: StaffUser,
) -> Result<Response, AppError> {
    staff.require(Permission::ManageSettings)?;
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
            errors: vec![],
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
    staff: StaffUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    staff.require(Permission::ManageSettings)?;
    let values = collect(pairs);
    match settings::validate(&values) {
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
            Ok(see_other("/admin/settings?saved=1"))
        }
        Err(errors) => private_page_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SettingsTemplate {
                c: &c.with_staff(staff),
                values,
                errors,
                saved: false,
            },
        ),
    }
}
