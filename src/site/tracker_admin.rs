//! Staff screens of the impact tracker: `/admin/impact/tracker` (asks and items),
//! `/admin/impact/asks/…` and `/admin/impact/items/…` (add, change, delete).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::tracker::{self, Ask, AskForm, Item, ItemForm};
use crate::app::Ctx;
use crate::auth::{Staff, perm};
use crate::web::{AppError, FieldErrors, Form, private_page, see_other};
use crate::{AppState, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/impact/tracker", get(list))
        .route("/admin/impact/asks/new", get(ask_new).post(ask_create))
        .route("/admin/impact/asks/{id}", get(ask_edit).post(ask_update))
        .route("/admin/impact/items/new", get(item_new).post(item_create))
        .route("/admin/impact/items/{id}", get(item_edit).post(item_update))
        .route("/admin/impact/tracker/delete", post(delete))
}

#[derive(Template)]
#[template(path = "admin/tracker.html")]
struct ListPage<'a> {
    c: &'a Ctx,
    asks: Vec<Ask>,
    items: Vec<Item>,
}

impl ListPage<'_> {
    fn ask_title(&self, id: &Option<i64>) -> &str {
        id.and_then(|id| self.asks.iter().find(|a| a.id == id))
            .map(|a| a.title.as_str())
            .unwrap_or("")
    }
    fn amount(&self, n: &i64) -> String {
        tracker::pounds(*n)
    }
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let asks = tracker::store::asks(&state.db).await?;
    let items = tracker::store::items(&state.db).await?;
    private_page(&ListPage {
        c: &c.with_staff(staff),
        asks,
        items,
    })
}

#[derive(Template)]
#[template(path = "admin/tracker_ask.html")]
struct AskPage<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: AskForm,
    errors: FieldErrors,
}

async fn ask_new(c: Ctx, Staff(staff, _): Staff<perm::EditContent>) -> Result<Response, AppError> {
    private_page(&AskPage {
        c: &c.with_staff(staff),
        id: None,
        f: AskForm::default(),
        errors: crate::web::FieldErrors::new(),
    })
}

async fn ask_edit(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = tracker::store::asks(&state.db)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)?;
    private_page(&AskPage {
        c: &c.with_staff(staff),
        id: Some(id),
        f: AskForm::from_ask(&a),
        errors: crate::web::FieldErrors::new(),
    })
}

async fn save_ask(
    state: &AppState,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    id: Option<i64>,
    f: AskForm,
) -> Result<Response, AppError> {
    if let Some(id) = id
        && !tracker::store::asks(&state.db)
            .await?
            .iter()
            .any(|a| a.id == id)
    {
        return Err(AppError::NotFound);
    }
    let errors = f.check();
    if !errors.is_empty() {
        return Err(AppError::invalid(&AskPage {
            c: &c.with_staff(staff),
            id,
            f,
            errors,
        }));
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = tracker::store::save_ask(&mut tx, id, &f).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "impact.ask",
        "impact_ask",
        new_id,
        f.title.trim(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/impact/tracker"))
}

async fn ask_create(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::EditContent>,
    Form(f): Form<AskForm>,
) -> Result<Response, AppError> {
    save_ask(&state, c, staff, None, f).await
}

async fn ask_update(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Form(f): Form<AskForm>,
) -> Result<Response, AppError> {
    save_ask(&state, c, staff, Some(id), f).await
}

#[derive(Template)]
#[template(path = "admin/tracker_item.html")]
struct ItemPage<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: ItemForm,
    asks: Vec<Ask>,
    areas: Vec<(String, String)>,
    errors: FieldErrors,
}

impl ItemPage<'_> {
    fn is_ask(&self, id: &i64) -> bool {
        self.f.ask_id == id.to_string()
    }
}

fn area_list(state: &AppState) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = state
        .atlas()
        .areas
        .iter()
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

#[derive(Deserialize, Default)]
struct KindQuery {
    #[serde(default)]
    kind: String,
}

async fn item_new(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    crate::web::Query(q): crate::web::Query<KindQuery>,
) -> Result<Response, AppError> {
    private_page(&ItemPage {
        c: &c.with_staff(staff),
        id: None,
        f: ItemForm {
            kind: if tracker::KINDS.contains(&q.kind.as_str()) {
                q.kind
            } else {
                "outcome".into()
            },
            ..ItemForm::default()
        },
        asks: tracker::store::asks(&state.db).await?,
        areas: area_list(&state),
        errors: crate::web::FieldErrors::new(),
    })
}

async fn item_edit(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let i = tracker::store::item_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    private_page(&ItemPage {
        c: &c.with_staff(staff),
        id: Some(id),
        f: ItemForm::from_item(&i),
        asks: tracker::store::asks(&state.db).await?,
        areas: area_list(&state),
        errors: crate::web::FieldErrors::new(),
    })
}

async fn save_item(
    state: &AppState,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    id: Option<i64>,
    f: ItemForm,
) -> Result<Response, AppError> {
    if let Some(id) = id
        && tracker::store::item_by_id(&state.db, id).await?.is_none()
    {
        return Err(AppError::NotFound);
    }
    let asks = tracker::store::asks(&state.db).await?;
    let atlas = state.atlas();
    let checked = match f.check(&asks, |code| atlas.area(code).is_some()) {
        Ok(v) => v,
        Err(errors) => {
            return Err(AppError::invalid(&ItemPage {
                c: &c.with_staff(staff),
                id,
                f,
                asks,
                areas: area_list(state),
                errors,
            }));
        }
    };
    let mut tx = state.db.begin_write().await?;
    let new_id = tracker::store::save_item(&mut tx, id, &f, &checked).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "impact.item",
        "impact_item",
        new_id,
        f.title.trim(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/impact/tracker"))
}

async fn item_create(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::EditContent>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    save_item(&state, c, staff, None, f).await
}

async fn item_update(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::EditContent>,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> Result<Response, AppError> {
    save_item(&state, c, staff, Some(id), f).await
}

#[derive(Deserialize)]
struct DeleteForm {
    what: String,
    id: i64,
}

async fn delete(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::EditContent>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_write().await?;
    if !tracker::store::delete(&mut tx, &f.what, f.id).await? {
        tx.rollback().await?;
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Some(&staff), "impact.delete", &f.what, f.id, "").await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/impact/tracker"))
}
