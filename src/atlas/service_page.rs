//! `/services/{id}`: one service's public page (its locations and the areas it serves).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::services::{self, LocationRow, ServiceRow};
use crate::AppState;
use crate::app::Ctx;
use crate::web::{self, AppError};

#[derive(Template)]
#[template(path = "atlas/service.html")]
struct ServiceTemplate<'a> {
    c: &'a Ctx,
    s: ServiceRow,
    locations: Vec<LocationRow>,
    areas: Vec<(String, String)>,
}

impl ServiceTemplate<'_> {
    fn kind_label(&self) -> String {
        self.c.t(&format!("service-kind-{}", self.s.kind))
    }
    fn tel(&self) -> String {
        self.s.phone.chars().filter(char::is_ascii_digit).collect()
    }
}

/// `GET /services/{id}`
pub(super) async fn service_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !services::is_uuid(&id) {
        return Err(AppError::NotFound);
    }
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let s = services::store::service_by_id(&st.db, &id)
                .await?
                .ok_or(AppError::NotFound)?;
            let locations = services::store::locations_of(&st.db, &s.id).await?;
            let areas = services::store::areas_of(&st.db, &s.id).await?;
            Ok(ServiceTemplate {
                c: &cc,
                s,
                locations,
                areas,
            }
            .render()?)
        },
    )
    .await
}
