//! SQL for staff accounts and first-run setup tokens.

use crate::db::{self, Db, Tx};
use crate::token::PrivateLink;

/// A staff account as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: i64,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl UserRow {
    pub fn is_disabled(&self) -> bool {
        self.disabled != 0
    }
}

const COLUMNS: &str =
    "id, email, name, role, password_hash, disabled, created_at, last_login_at FROM users";

/// Normalises an email for storage and lookup.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn user_by_email(db: &Db, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE email = $1"
    )))
    .bind(normalise_email(email))
    .fetch_optional(&db.pool)
    .await
}

pub async fn user_by_id(db: &Db, id: i64) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Every account, admins first.
pub async fn users(db: &Db) -> sqlx::Result<Vec<UserRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} ORDER BY disabled, CASE role WHEN 'admin' THEN 0 WHEN 'editor' THEN 1 \
         ELSE 2 END, email"
    )))
    .fetch_all(&db.pool)
    .await
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("an account with this email already exists")]
    Duplicate,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Creates an account. The email must be new.
pub async fn create_user(
    tx: &mut Tx,
    email: &str,
    name: &str,
    role: super::Role,
    password_hash: &str,
) -> Result<i64, CreateUserError> {
    let now = db::now();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(normalise_email(email))
    .bind(name.trim())
    .bind(role.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    id.ok_or(CreateUserError::Duplicate)
}

pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn set_role(tx: &mut Tx, id: i64, role: super::Role) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.as_str())
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn record_login(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(db::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Enabled admins other than `except` (to stop the last admin locking everyone out).
pub async fn other_active_admins(db: &Db, except: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1",
    )
    .bind(except)
    .fetch_one(&db.pool)
    .await
}

/// Number of enabled admins.
pub async fn active_admins(db: &Db) -> sqlx::Result<i64> {
    other_active_admins(db, -1).await
}

/// Creates a one-time setup token valid for 24 hours and returns it.
pub async fn create_setup_token(db: &Db) -> sqlx::Result<String> {
    let link = PrivateLink::new();
    sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)")
        .bind(link.hash())
        .bind(db::now() + 24 * 3600)
        .execute(&db.pool)
        .await?;
    Ok(link.into_string())
}

/// True when the token is live (without using it up).
pub async fn setup_token_valid(db: &Db, token: &str) -> sqlx::Result<bool> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(false);
    };
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(link.hash())
    .bind(db::now())
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// Uses up a setup token (and every other one: setup happens once). True if it was live.
pub async fn consume_setup_token(tx: &mut Tx, token: &str) -> sqlx::Result<bool> {
    let Some(link) = PrivateLink::parse(token) else {
        return Ok(false);
    };
    let n = sqlx::query("DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
        .bind(link.hash())
        .bind(db::now())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM setup_tokens")
        .execute(&mut **tx)
        .await?;
    Ok(n == 1)
}
