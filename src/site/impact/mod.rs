//! The impact page, built from figures staff edit (investment won per nation, services
//! created, reach). The full impact and evidence tracker comes with a later capability;
//! these figures are its first table.

use crate::auth::{Staff, perm};
use crate::web::Msg;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::Ctx;
use crate::db;
use crate::web::{self, AppError, Form, private_page, see_other};
use crate::{AppState, audit};

pub mod store;

/// Sections of the impact page, in order.
pub const SECTIONS: &[&str] = &["investment", "services", "reach", "voice"];

/// One figure.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Figure {
    pub id: i64,
    pub section: String,
    pub label: String,
    pub value: String,
    pub detail: String,
    pub nation: String,
    pub sort_order: i64,
    pub is_demo: i64,
    pub updated_at: i64,
}

/// What staff submit for a figure.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FigureForm {
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub nation: String,
    #[serde(default)]
    pub sort_order: String,
    #[serde(default)]
    pub is_demo: Option<String>,
}

impl FigureForm {
    fn from_figure(f: &Figure) -> FigureForm {
        FigureForm {
            section: f.section.clone(),
            label: f.label.clone(),
            value: f.value.clone(),
            detail: f.detail.clone(),
            nation: f.nation.clone(),
            sort_order: f.sort_order.to_string(),
            is_demo: (f.is_demo != 0).then(|| "1".into()),
        }
    }

    fn problems(&self) -> crate::web::FieldErrors {
        let mut e = Vec::new();
        if !SECTIONS.contains(&self.section.as_str()) {
            e.push(("section", Msg::new("admin-err-choose-a-section")));
        }
        if self.label.trim().is_empty() {
            e.push(("label", Msg::new("admin-err-say-what-the-figure-is-like")));
        }
        if self.value.trim().is_empty() {
            e.push(("value", Msg::new("admin-err-enter-the-figure-like-2-5")));
        }
        if self.value.chars().count() > 40 {
            e.push((
                "value",
                Msg::new("admin-err-keep-the-figure-short-under-40"),
            ));
        }
        if self.label.chars().count() > 200 || self.detail.chars().count() > 1000 {
            e.push(("detail", Msg::new("admin-err-keep-the-text-shorter")));
        }
        if !self.nation.is_empty()
            && !crate::site::settings::NATIONS.contains(&self.nation.as_str())
        {
            e.push(("nation", Msg::new("admin-err-choose-a-nation-or-none")));
        }
        if !self.sort_order.trim().is_empty() && self.sort_order.trim().parse::<i64>().is_err() {
            e.push((
                "sort_order",
                Msg::new("admin-err-enter-a-whole-number-like-10"),
            ));
        }
        e.into()
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/impact", get(impact_page))
        .route("/admin/impact", get(admin_list))
        .route("/admin/impact/new", get(new_form).post(create))
        .route("/admin/impact/{id}", get(edit_form).post(update))
        .route("/admin/impact/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "site/impact.html")]
struct ImpactTemplate<'a> {
    c: &'a Ctx,
    sections: Vec<(&'static str, Vec<Figure>)>,
    /// Funding won per nation ("" for UK-wide), from the tracker: (nation, pounds, first
    /// year, last year, any of it demo).
    funding_won: Vec<(String, i64, i64, i64, bool)>,
    any_demo: bool,
    asks: Vec<super::tracker::Ask>,
    items: Vec<super::tracker::Item>,
    funding: super::tracker::Chart,
    funding_table: Vec<(i64, Vec<(String, i64)>)>,
    levels: super::tracker::Chart,
    /// (level, colour, label) of the atlas's legend.
    legend: Vec<(i64, String, String)>,
    /// (year, [areas per level in legend order]).
    levels_table: Vec<(i64, Vec<i64>)>,
    /// For items linked to an area: (item id, area name, level before, level that year).
    changes: Vec<(i64, String, Option<i64>, Option<i64>)>,
}

impl ImpactTemplate<'_> {
    fn nation_label(&self, n: &str) -> String {
        if n.is_empty() {
            self.c.t("impact-uk-wide")
        } else {
            self.c.t(&format!("nation-{n}"))
        }
    }
    fn items_of(&self, ask: &i64, kind: &str) -> Vec<&super::tracker::Item> {
        self.items
            .iter()
            .filter(|i| i.ask_id == Some(*ask) && i.kind == kind)
            .collect()
    }
    fn of_kind(&self, kind: &str) -> Vec<&super::tracker::Item> {
        self.items.iter().filter(|i| i.kind == kind).collect()
    }
    fn pounds(&self, n: &i64) -> String {
        super::tracker::pounds(*n)
    }
    fn pounds_short(&self, n: &i64) -> String {
        super::tracker::pounds_short(*n)
    }
    fn years(&self, first: &i64, last: &i64) -> String {
        if first == last {
            first.to_string()
        } else {
            format!("{first}–{last}")
        }
    }
    fn updated(&self, f: &Figure) -> String {
        let (y, m, _) = crate::uktime::ymd(f.updated_at);
        self.c.month_year(&y, &m)
    }
    fn total(&self) -> String {
        super::tracker::pounds(self.of_kind("funding").iter().map(|i| i.amount).sum())
    }
    fn level_label(&self, l: Option<i64>) -> String {
        match l {
            Some(l) => self
                .legend
                .iter()
                .find(|x| x.0 == l)
                .map(|x| x.2.clone())
                .unwrap_or_else(|| l.to_string()),
            None => self.c.t("impact-no-score"),
        }
    }
    fn change(&self, id: &i64) -> Option<&(i64, String, Option<i64>, Option<i64>)> {
        self.changes.iter().find(|c| c.0 == *id)
    }
    fn nations(&self) -> &'static [(&'static str, &'static str)] {
        super::tracker::NATION_COLOURS
    }
}

/// Funding won per nation from the tracker's items, in the order of the chart's colours:
/// (nation, pounds, first year, last year, any of it demo). Nations with none are left out.
pub fn funding_totals(items: &[super::tracker::Item]) -> Vec<(String, i64, i64, i64, bool)> {
    super::tracker::NATION_COLOURS
        .iter()
        .filter_map(|(n, _)| {
            let mine: Vec<&super::tracker::Item> = items
                .iter()
                .filter(|i| i.kind == "funding" && i.nation == *n && i.amount > 0)
                .collect();
            let total: i64 = mine.iter().map(|i| i.amount).sum();
            let first = mine.iter().map(|i| i.year).min()?;
            let last = mine.iter().map(|i| i.year).max()?;
            let demo = mine.iter().any(|i| i.is_demo != 0);
            Some((n.to_string(), total, first, last, demo))
        })
        .collect()
}

async fn impact_page(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let all = store::figures(&st.db).await?;
            let any_demo = all.iter().any(|f| f.is_demo != 0);
            let sections = SECTIONS
                .iter()
                .map(|s| {
                    (
                        *s,
                        all.iter()
                            .filter(|f| f.section == *s)
                            .cloned()
                            .collect::<Vec<_>>(),
                    )
                })
                .filter(|(_, v)| !v.is_empty())
                .collect();
            let asks = super::tracker::store::asks(&st.db).await?;
            let items = super::tracker::store::items(&st.db).await?;
            let any_demo = any_demo
                || asks.iter().any(|a| a.is_demo != 0)
                || items.iter().any(|i| i.is_demo != 0);
            let name = |n: &str| {
                if n.is_empty() {
                    cc.t("impact-uk-wide")
                } else {
                    cc.t(&format!("nation-{n}"))
                }
            };
            let (mut funding, funding_table) = super::tracker::funding_chart(&items, &name);
            funding.title = cc.t("impact-funding-title");
            // The headline amounts are the tracker's own totals, so they always agree
            // with the chart and the table below them.
            let funding_won = funding_totals(&items);
            let legend: Vec<(i64, String, String)> = crate::atlas::store::levels(&st.db)
                .await?
                .into_iter()
                .map(|l| {
                    let label = if cc.is_cy() && !l.label_cy.is_empty() {
                        l.label_cy
                    } else {
                        l.label
                    };
                    (l.level, l.colour, label)
                })
                .collect();
            let rows = super::tracker::store::levels_by_year(&st.db).await?;
            let mut levels = super::tracker::levels_chart(&rows, &legend);
            levels.title = cc.t("impact-levels-title");
            let mut years: Vec<i64> = rows.iter().map(|r| r.0).collect();
            years.dedup();
            let levels_table = years
                .into_iter()
                .map(|y| {
                    let per = legend
                        .iter()
                        .map(|(l, ..)| {
                            rows.iter()
                                .find(|r| r.0 == y && r.1 == *l)
                                .map(|r| r.2)
                                .unwrap_or(0)
                        })
                        .collect();
                    (y, per)
                })
                .collect();
            let atlas = st.atlas();
            let changes = super::tracker::store::score_changes(&st.db, &items)
                .await?
                .into_iter()
                .map(|(id, code, before, after)| {
                    let name = atlas.area(&code).map(|a| a.name.clone()).unwrap_or(code);
                    (id, name, before, after)
                })
                .collect();
            Ok(ImpactTemplate {
                c: &cc,
                sections,
                funding_won,
                any_demo,
                asks,
                items,
                funding,
                funding_table,
                levels,
                legend,
                levels_table,
                changes,
            }
            .render()?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "admin/impact.html")]
struct AdminListTemplate<'a> {
    c: &'a Ctx,
    figures: Vec<Figure>,
}

async fn admin_list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let figures = store::figures(&state.db).await?;
    private_page(&AdminListTemplate {
        c: &c.with_staff(staff),
        figures,
    })
}

#[derive(Template)]
#[template(path = "admin/impact_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: &'a FigureForm,
    errors: crate::web::FieldErrors,
}

async fn new_form(c: Ctx, Staff(staff, _): Staff<perm::EditContent>) -> Result<Response, AppError> {
    let f = FigureForm {
        section: "investment".into(),
        sort_order: "0".into(),
        ..Default::default()
    };
    private_page(&EditTemplate {
        c: &c.with_staff(staff),
        id: None,
        f: &f,
        errors: crate::web::FieldErrors::new(),
    })
}

async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let fig = store::figure_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    private_page(&EditTemplate {
        c: &c.with_staff(staff),
        id: Some(id),
        f: &FigureForm::from_figure(&fig),
        errors: crate::web::FieldErrors::new(),
    })
}

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::PublishContent>,
    Form(f): Form<FigureForm>,
) -> Result<Response, AppError> {
    save(&state, c, staff, None, f).await
}

async fn update(
    State(state): State<AppState>,
    c: Ctx,
    staff: Staff<perm::PublishContent>,
    Path(id): Path<i64>,
    Form(f): Form<FigureForm>,
) -> Result<Response, AppError> {
    store::figure_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    save(&state, c, staff, Some(id), f).await
}

async fn save(
    state: &AppState,
    c: Ctx,
    Staff(staff, _): Staff<perm::PublishContent>,
    id: Option<i64>,
    f: FigureForm,
) -> Result<Response, AppError> {
    let errors = f.problems();
    if !errors.is_empty() {
        return Err(AppError::invalid(&EditTemplate {
            c: &c.with_staff(staff),
            id,
            f: &f,
            errors,
        }));
    }
    let mut tx = state.db.begin_write().await?;
    let new_id = store::save_figure(&mut tx, id, &f).await?;
    let action = if id.is_some() {
        "update_impact_figure"
    } else {
        "create_impact_figure"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "impact_figure",
        new_id,
        f.label.trim(),
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/impact"))
}

async fn delete(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let fig = store::figure_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    store::delete_figure(&mut tx, id).await?;
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "delete_impact_figure",
        "impact_figure",
        id,
        &fig.label,
    )
    .await?;
    tx.commit().await?;
    state.refresh().await?;
    Ok(see_other("/admin/impact"))
}
