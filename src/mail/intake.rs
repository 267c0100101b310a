//! Staff screens for addresses coming in and kept out: importing already-consented
//! subscribers from a CSV (check, preview, confirm), the suppression list (counts, "is this
//! address suppressed?", adding addresses at a person's request) and bounce reports.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::import::{self, BounceReport, Summary};
use super::list;
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::atlas::import::RowError;
use crate::auth::{Staff, perm};
use crate::staging::{self, Kind};
use crate::web::error::AppError;
use crate::web::{FieldErrors, Fields, Form, Msg, Query, private_page};

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/admin/subscribers/import",
            get(import_form)
                .post(import_check)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/admin/subscribers/import/confirm", post(import_confirm))
        .route(
            "/admin/subscribers/suppressions",
            get(suppressions_page).post(suppress_post),
        )
        .route(
            "/admin/subscribers/bounces",
            post(bounces_post).layer(DefaultBodyLimit::max(upload_limit)),
        )
}

#[derive(Template)]
#[template(path = "admin/subscribers_import.html")]
struct ImportPage<'a> {
    c: &'a Ctx,
    source: String,
    csv: String,
    /// Problems with the form's own fields.
    errors: FieldErrors,
    /// Problems in the file, by row and field.
    rows: Vec<RowError>,
    /// After checking: what the import will do, and the kept file's token.
    plan: Option<(Summary, String)>,
    /// After importing: what it did.
    done: Option<Summary>,
}

fn blank<'a>(c: &'a Ctx) -> ImportPage<'a> {
    ImportPage {
        c,
        source: String::new(),
        csv: String::new(),
        errors: crate::web::FieldErrors::new(),
        rows: vec![],
        plan: None,
        done: None,
    }
}

async fn import_form(
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    private_page(&blank(&c.with_staff(staff)))
}

/// Where the consent was given, as staff describe it; a message id when it will not do.
fn check_source(source: &str) -> Result<String, &'static str> {
    let s = source.trim();
    if s.is_empty() {
        Err("admin-subscribers-import-source-empty")
    } else if s.chars().count() > 200 || s.chars().any(char::is_control) {
        Err("admin-subscribers-import-source-long")
    } else {
        Ok(s.to_string())
    }
}

/// Step 1: check the form and every row; show the problems, or what the import will do.
async fn import_check(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    form: Fields,
) -> Result<Response, AppError> {
    let text = form.upload("file", "csv")?;
    let c = c.with_staff(staff);
    let mut page = blank(&c);
    page.source = form.text("source").trim().to_string();
    // A pasted list comes back to the form; an uploaded file cannot.
    page.csv = form.text("csv").to_string();
    if let Err(key) = check_source(&page.source) {
        page.errors.push(("source", Msg::new(key)));
    }
    if form.text("consent").trim().is_empty() {
        page.errors.push((
            "consent",
            Msg::new("admin-subscribers-import-consent-needed"),
        ));
    }
    if text.trim().is_empty() {
        page.errors
            .push(("csv", Msg::new("admin-subscribers-import-no-file")));
    }
    if !page.errors.is_empty() {
        return Err(AppError::invalid(&page));
    }
    match import::check_csv(&text, crate::db::now()) {
        Err(rows) => {
            page.rows = rows;
            Err(AppError::invalid(&page))
        }
        Ok(rows) => {
            let (_, summary) = import::store::plan(&state.db, &rows).await?;
            let token = staging::keep(&state, Kind::Subscribers, &text).await?;
            page.plan = Some((summary, token));
            page.csv.clear();
            private_page(&page)
        }
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    source: String,
}

/// Step 2: check the kept file again against the list as it is now, and write it in one
/// transaction, or nothing.
async fn import_confirm(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let text = staging::read(&state, &f.token, Kind::Subscribers).await?;
    let source = check_source(&f.source).map_err(|k| AppError::BadRequest(Msg::new(k)))?;
    let rows = match import::check_csv(&text, crate::db::now()) {
        Ok(rows) => rows,
        Err(rows) => {
            let mut page = blank(&c);
            page.rows = rows;
            page.source = source;
            return Err(AppError::invalid(&page));
        }
    };
    let (outcomes, summary) = import::store::plan(&state.db, &rows).await?;
    let mut tx = state.db.begin_write().await?;
    import::store::apply(&mut tx, &rows, &outcomes, &format!("import: {source}")).await?;
    crate::audit::record(
        &mut tx,
        Some(&staff),
        "import",
        "subscribers",
        "",
        &format!(
            "{} added, {} confirmed, {} already subscribed, {} suppressed, {} duplicates; source: {source}",
            summary.add, summary.confirm, summary.already, summary.suppressed, summary.duplicate
        ),
    )
    .await?;
    tx.commit().await?;
    staging::forget(&state, &f.token, Kind::Subscribers).await;
    let mut page = blank(&c);
    page.done = Some(summary);
    private_page(&page)
}

#[derive(Template)]
#[template(path = "admin/suppressions.html")]
struct SuppressionsPage<'a> {
    c: &'a Ctx,
    /// Entries per reason.
    counts: Vec<(String, i64)>,
    /// The address checked, and its entry (reason, since) if it has one.
    checked: Option<(String, Option<(String, i64)>)>,
    addresses: String,
    errors: FieldErrors,
    added: Option<usize>,
    bounces: Option<BounceReport>,
    threshold: i64,
}

impl SuppressionsPage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
}

async fn suppressions_view<'a>(
    state: &AppState,
    c: &'a Ctx,
) -> Result<SuppressionsPage<'a>, AppError> {
    let counts = list::store::suppression_counts(&state.db).await?;
    Ok(SuppressionsPage {
        c,
        counts,
        checked: None,
        addresses: String::new(),
        errors: crate::web::FieldErrors::new(),
        added: None,
        bounces: None,
        threshold: state.config.bounce_threshold,
    })
}

#[derive(Deserialize, Default)]
struct CheckQuery {
    check: Option<String>,
}

/// `GET /admin/subscribers/suppressions[?check=address]`.
async fn suppressions_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Query(q): Query<CheckQuery>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff);
    let mut page = suppressions_view(&state, &c).await?;
    if let Some(check) = q.check.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let entry = list::store::suppression_of(&state.db, check).await?;
        page.checked = Some((check.to_string(), entry));
    }
    private_page(&page)
}

/// `POST /admin/subscribers/suppressions`: addresses (one per line) that must not be
/// mailed, e.g. someone who asked by phone. Anyone subscribed is unsubscribed at once.
async fn suppress_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let text = pairs
        .iter()
        .find(|(k, _)| k == "addresses")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut emails = Vec::new();
    let mut bad = Vec::new();
    for line in text.split(['\n', ',', ';']).map(str::trim) {
        if line.is_empty() {
            continue;
        }
        match list::normalise_email(line) {
            Ok(e) => emails.push(e),
            Err(_) => bad.push(line.chars().take(80).collect::<String>()),
        }
    }
    let mut page = suppressions_view(&state, &c).await?;
    if !bad.is_empty() || emails.is_empty() || emails.len() > 10_000 {
        page.addresses = text;
        page.errors.push((
            "addresses",
            if emails.len() > 10_000 {
                Msg::new("admin-suppressions-too-many")
            } else if bad.is_empty() {
                Msg::new("admin-suppressions-empty")
            } else {
                Msg::new("admin-suppressions-bad").arg("addresses", bad.join(", "))
            },
        ));
        return Err(AppError::invalid(&page));
    }
    let mut tx = state.db.begin_write().await?;
    let added = import::store::suppress(&mut tx, &emails, "staff").await?;
    crate::audit::record(
        &mut tx,
        Some(&staff),
        "suppress",
        "subscribers",
        "",
        &format!("{} addresses, {added} new", emails.len()),
    )
    .await?;
    tx.commit().await?;
    let mut page = suppressions_view(&state, &c).await?;
    page.added = Some(added);
    private_page(&page)
}

/// `POST /admin/subscribers/bounces`: a mailbox (mbox) or single message of bounce reports.
async fn bounces_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    form: Fields,
) -> Result<Response, AppError> {
    let c = c.with_staff(staff.clone());
    let text = form.upload("file", "")?;
    let mut page = suppressions_view(&state, &c).await?;
    let bounces = import::parse_bounces(&text);
    if bounces.is_empty() {
        page.errors
            .push(("file", Msg::new("admin-bounces-none-found")));
        return Err(AppError::invalid(&page));
    }
    let mut tx = state.db.begin_write().await?;
    let report =
        import::store::apply_bounces(&mut tx, &bounces, state.config.bounce_threshold).await?;
    crate::audit::record(
        &mut tx,
        Some(&staff),
        "bounces",
        "subscribers",
        "",
        &format!(
            "{} hard, {} soft, {} already counted, {} now undeliverable",
            report.hard, report.soft, report.repeated, report.undeliverable
        ),
    )
    .await?;
    tx.commit().await?;
    let mut page = suppressions_view(&state, &c).await?;
    page.bounces = Some(report);
    private_page(&page)
}
