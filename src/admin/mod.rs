//! The staff area's own screens: dashboard, staff accounts, audit log, site identity,
//! helplines and metrics. Content screens live with their capability (`cms`, `site`).

pub mod analytics;
pub mod helplines;
pub mod safeguarding;
pub mod settings;
pub mod users;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::app::Ctx;
use crate::audit::{self, AuditEntry, AuditFilter};
use crate::auth::{Permission, StaffUser};
use crate::auth::{Staff, perm};
use crate::web::{AppError, Query, private_page};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(analytics::routes())
        .route("/admin", get(dashboard))
        .route("/admin/audit", get(audit_log))
        .merge(users::routes())
        .merge(settings::routes())
        .merge(helplines::routes())
        .merge(safeguarding::routes())
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardTemplate<'a> {
    c: &'a Ctx,
    /// (message id of the label, link, count)
    counts: Vec<(&'static str, &'static str, i64)>,
    demo_items: i64,
    unverified: usize,
    new_enquiries: i64,
    waiting_activities: i64,
    pending_stories: i64,
    open_applications: i64,
    /// Safeguarding flags nobody has opened yet.
    urgent: i64,
    recent: Vec<AuditEntry>,
}

impl DashboardTemplate<'_> {
    fn when(&self, ts: &i64) -> String {
        crate::uktime::date_time(*ts)
    }
}

async fn dashboard(
    State(state): State<AppState>,
    c: Ctx,
    staff: StaffUser,
) -> Result<Response, AppError> {
    let counts = vec![
        (
            "admin-pages",
            "/admin/pages",
            crate::cms::pages::store::count(&state.db).await?,
        ),
        (
            "admin-news-posts",
            "/admin/news",
            crate::cms::news::store::count(&state.db).await?,
        ),
        (
            "admin-resources",
            "/admin/resources",
            crate::cms::resources::store::count(&state.db).await?,
        ),
        (
            "admin-helplines",
            "/admin/helplines",
            crate::site::helplines::store::count(&state.db).await?,
        ),
    ];
    let demo_items = crate::seed::demo_items(&state.db).await?;
    let unverified = state
        .snapshot()
        .helplines
        .iter()
        .filter(|h| h.unverified())
        .count();
    // New enquiries of the kinds this person answers.
    let kinds = crate::enquiries::kinds_for(&staff, &c.snap.site);
    let new_enquiries: i64 = crate::enquiries::store::new_counts(&state.db)
        .await?
        .into_iter()
        .filter(|(k, _)| kinds.contains(&k.as_str()))
        .map(|(_, n)| n)
        .sum();
    let pending_stories = if staff.may(Permission::Moderate) {
        crate::stories::store::pending_count(&state.db).await?
    } else {
        0
    };
    let waiting_activities = if staff.may(Permission::Moderate) {
        crate::campaigns::store::count_waiting(&state.db).await?
    } else {
        0
    };
    let urgent = if staff.may(Permission::Moderate) {
        crate::safeguard::store::count_awaiting(&state.db).await?
    } else {
        0
    };
    let open_applications = if staff.may(Permission::ManageMembers) {
        crate::members::store::open_count(&state.db).await?
    } else {
        0
    };
    let recent = if staff.may(Permission::ViewAudit) {
        audit::entries(&state.db, &AuditFilter::default())
            .await?
            .0
            .into_iter()
            .take(8)
            .collect()
    } else {
        vec![]
    };
    private_page(&DashboardTemplate {
        c: &c.with_staff(staff),
        counts,
        demo_items,
        unverified,
        new_enquiries,
        pending_stories,
        waiting_activities,
        open_applications,
        urgent,
        recent,
    })
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditTemplate<'a> {
    c: &'a Ctx,
    entries: Vec<AuditEntry>,
    actions: Vec<String>,
    actor: String,
    action: String,
    page: i64,
    pages: i64,
    total: i64,
}

impl AuditTemplate<'_> {
    fn when(&self, ts: &i64) -> String {
        crate::uktime::date_time(*ts)
    }
    fn page_href(&self, page: i64) -> String {
        format!(
            "/admin/audit?actor={}&action={}&page={page}",
            crate::web::url_encode(&self.actor),
            crate::web::url_encode(&self.action)
        )
    }
}

async fn audit_log(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::ViewAudit>,
    Query(f): Query<AuditFilter>,
) -> Result<Response, AppError> {
    let (entries, total) = audit::entries(&state.db, &f).await?;
    let actions = audit::actions(&state.db).await?;
    private_page(&AuditTemplate {
        c: &c.with_staff(staff),
        entries,
        actions,
        actor: f.actor.unwrap_or_default(),
        action: f.action.unwrap_or_default(),
        page: crate::web::page_number(f.page.as_deref()),
        pages: ((total + audit::PAGE_SIZE - 1) / audit::PAGE_SIZE).max(1),
        total,
    })
}
