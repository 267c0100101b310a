//! Uploads waiting for confirmation: an import is checked and previewed first, and the
//! file is kept under a random one-use name until the member of staff confirms (so a
//! multi-megabyte file is not sent back and forth through a hidden form field).

use std::path::PathBuf;

use crate::AppState;
use crate::web::AppError;

fn path(state: &AppState, token: &str, ext: &str) -> Option<PathBuf> {
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        state
            .config
            .data_dir
            .join("imports")
            .join(format!("{token}.{ext}"))
    })
}

/// Keeps `text` and returns the token that names it.
pub async fn keep(state: &AppState, ext: &str, text: &str) -> Result<String, AppError> {
    let token = crate::auth::session::random_token();
    let file = path(state, &token, ext).ok_or(AppError::NotFound)?;
    if let Some(dir) = file.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    tokio::fs::write(&file, text)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(token)
}

/// The kept text for a token (404 for an unknown, used or malformed token).
pub async fn read(state: &AppState, token: &str, ext: &str) -> Result<String, AppError> {
    let file = path(state, token, ext).ok_or(AppError::NotFound)?;
    tokio::fs::read_to_string(&file)
        .await
        .map_err(|_| AppError::NotFound)
}

/// Forgets a kept upload once it has been applied.
pub async fn forget(state: &AppState, token: &str, ext: &str) {
    if let Some(file) = path(state, token, ext) {
        let _ = tokio::fs::remove_file(file).await;
    }
}
