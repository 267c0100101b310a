//! The one import workflow's middle step. Every staff import (map scores, services,
//! subscribers, health-area boundaries) goes check → preview → confirm:
//!
//! 1. the form posts the file or pasted text, read by [`crate::web::Fields::upload`];
//! 2. the capability checks every row and, when nothing is wrong, [`keep`]s the text under
//!    a random one-use token and shows the preview with the token in a hidden field
//!    (a multi-megabyte file is never sent back and forth through the form);
//! 3. the confirmation [`read`]s the kept text, checks it again against the data as it is
//!    now, writes every row in one transaction or nothing, then [`forget`]s it.
//!
//! Kept files nobody confirmed are purged after a day ([`purge_stale`]): a subscriber
//! file holds personal data.

use std::path::PathBuf;

use crate::AppState;
use crate::web::AppError;

/// What is being imported: each kind is kept apart, so a token from one import's
/// preview cannot confirm another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Scores,
    Services,
    Subscribers,
    Boundaries,
}

impl Kind {
    fn ext(self) -> &'static str {
        match self {
            Kind::Scores => "scores.csv",
            Kind::Services => "services.csv",
            Kind::Subscribers => "subscribers.csv",
            Kind::Boundaries => "geojson",
        }
    }
}

fn path(state: &AppState, token: &str, kind: Kind) -> Option<PathBuf> {
    let ext = kind.ext();
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        state
            .config
            .data_dir
            .join("imports")
            .join(format!("{token}.{ext}"))
    })
}

/// Keeps `text` and returns the token that names it.
pub async fn keep(state: &AppState, kind: Kind, text: &str) -> Result<String, AppError> {
    let token = crate::token::random_token();
    let file = path(state, &token, kind).ok_or(AppError::NotFound)?;
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
pub async fn read(state: &AppState, token: &str, kind: Kind) -> Result<String, AppError> {
    let file = path(state, token, kind).ok_or(AppError::NotFound)?;
    tokio::fs::read_to_string(&file)
        .await
        .map_err(|_| AppError::NotFound)
}

/// Forgets a kept upload once it has been applied.
pub async fn forget(state: &AppState, token: &str, kind: Kind) {
    if let Some(file) = path(state, token, kind) {
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
