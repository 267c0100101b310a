//! The audit log: every staff action, with who, what, which target and when. Written in
//! the same transaction as the change it records, so the log and the data never disagree.

use crate::auth::StaffUser;
use crate::db::{self, Db, Tx};

/// One audit entry as shown on the audit page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_email: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub summary: String,
}

/// Records `action` on `target_kind`/`target_id` by `actor` (None for the system or CLI).
pub async fn record(
    tx: &mut Tx,
    actor: Option<&StaffUser>,
    action: &str,
    target_kind: &str,
    target_id: impl ToString,
    summary: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_email, action, target_kind, target_id, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(db::now())
    .bind(actor.map(|a| a.id))
    .bind(actor.map(|a| a.email.as_str()).unwrap_or("system"))
    .bind(action)
    .bind(target_kind)
    .bind(target_id.to_string())
    .bind(summary.chars().take(300).collect::<String>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records an action taken from the command line.
pub async fn record_cli(
    tx: &mut Tx,
    action: &str,
    target_kind: &str,
    target_id: impl ToString,
    summary: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_email, action, target_kind, target_id, summary) \
         VALUES ($1, NULL, 'command line', $2, $3, $4, $5)",
    )
    .bind(db::now())
    .bind(action)
    .bind(target_kind)
    .bind(target_id.to_string())
    .bind(summary)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Filters for the audit page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub page: Option<String>,
}

pub const PAGE_SIZE: i64 = 50;

/// One page of entries, newest first, and the total matching.
pub async fn entries(db: &Db, f: &AuditFilter) -> sqlx::Result<(Vec<AuditEntry>, i64)> {
    let actor = f.actor.clone().unwrap_or_default().trim().to_lowercase();
    let action = f.action.clone().unwrap_or_default().trim().to_string();
    let page = crate::web::page_number(f.page.as_deref());
    let filter = "($1 = '' OR actor_email = $1) AND ($2 = '' OR action = $2)";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_log WHERE {filter}"
    )))
    .bind(&actor)
    .bind(&action)
    .fetch_one(&db.pool)
    .await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, at, actor_email, action, target_kind, target_id, summary FROM audit_log \
         WHERE {filter} ORDER BY id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(&actor)
    .bind(&action)
    .bind(PAGE_SIZE)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(&db.pool)
    .await?;
    Ok((rows, total))
}

/// Distinct action names, for the filter.
pub async fn actions(db: &Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
        .fetch_all(&db.pool)
        .await
}
