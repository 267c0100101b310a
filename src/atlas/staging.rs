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
    let token = crate::token::random_token();
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

/// Deletes kept uploads older than a day: an import checked but never confirmed (a
/// subscriber file holds personal data) does not stay on disk.
pub async fn purge_stale(data_dir: &std::path::Path) -> std::io::Result<usize> {
    let dir = data_dir.join("imports");
    let mut entries = match tokio::fs::read_dir(&dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    let day = std::time::Duration::from_secs(86_400);
    while let Some(entry) = entries.next_entry().await? {
        let old = entry
            .metadata()
            .await?
            .modified()?
            .elapsed()
            .is_ok_and(|age| age > day);
        if old && tokio::fs::remove_file(entry.path()).await.is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn only_uploads_older_than_a_day_are_purged() {
        let dir = std::env::temp_dir().join(format!("mmha-staging-{}", std::process::id()));
        let imports = dir.join("imports");
        std::fs::create_dir_all(&imports).unwrap();
        let old = imports.join("old.csv");
        let new = imports.join("new.csv");
        std::fs::write(&old, "email\n").unwrap();
        std::fs::write(&new, "email\n").unwrap();
        let two_days = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(two_days)
            .unwrap();
        assert_eq!(super::purge_stale(&dir).await.unwrap(), 1);
        assert!(!old.exists() && new.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
