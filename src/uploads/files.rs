//! Pictures on disk under `uploads/images/`: naming a cleaned picture's files after its
//! content and size, writing them (copies first, each through a temporary name),
//! deleting a picture and its copies once nothing shows it, and purging day-old orphans.

use sha2::{Digest, Sha256};

use super::{Clean, Kind, Name, VARIANT_WIDTHS, is_name};
use crate::AppState;
use crate::web::AppError;

/// A cleaned picture's files as they are stored: (file name, bytes), the copies first and
/// the main picture last, named after the main picture's content and size.
pub fn files_of(img: &Clean) -> Vec<(String, &[u8])> {
    let hash = Sha256::digest(&img.bytes);
    let hex: String = hash[..12].iter().map(|b| format!("{b:02x}")).collect();
    let name = Name {
        stem: format!("{hex}-{}x{}", img.width, img.height),
        size: Some((img.width, img.height)),
        kind: img.kind,
    };
    img.copies
        .iter()
        .map(|c| (name.file(c.width, c.kind), c.bytes.as_slice()))
        .chain(std::iter::once((
            name.file(None, img.kind),
            img.bytes.as_slice(),
        )))
        .collect()
}

/// Stores a cleaned picture and its copies; returns the main picture's name.
pub async fn store(state: &AppState, img: &Clean) -> Result<String, AppError> {
    store_in(&state.config.uploads_dir(), &files_of(img))
        .await
        .map_err(|e| AppError::Internal(e.into()))
}

/// Writes picture files (copies first, the main file last, as [`files_of`] orders them)
/// under `uploads/images/`, each through a temporary name; returns the last one's name.
/// The main file comes last, so a name the database refers to always has its copies.
pub async fn store_in(
    uploads: &std::path::Path,
    files: &[(String, &[u8])],
) -> std::io::Result<String> {
    let dir = uploads.join("images");
    tokio::fs::create_dir_all(&dir).await?;
    let mut main = String::new();
    for (file, bytes) in files {
        let path = dir.join(file);
        let tmp = dir.join(format!(".{file}.tmp"));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        main = file.clone();
    }
    Ok(main)
}

/// Deletes a stored picture and its copies when nothing refers to it any more (names are
/// content hashes, so two uploads of one picture share a file).
pub async fn delete_if_unused(state: &AppState, name: &str) -> Result<(), AppError> {
    let Some(parsed) = Name::parse(name).filter(|n| n.kind != Kind::Webp) else {
        return Ok(());
    };
    let used = super::store::references(&state.db, name).await?;
    if used == 0 {
        let dir = state.config.uploads_dir().join("images");
        let mut files = vec![name.to_string()];
        for kind in [parsed.kind, Kind::Webp] {
            if parsed.size.is_some() {
                files.push(parsed.file(None, kind));
                for &v in VARIANT_WIDTHS {
                    files.push(format!("{}-{v}.{}", parsed.stem, kind.ext()));
                }
            }
        }
        for f in files {
            let _ = tokio::fs::remove_file(dir.join(f)).await;
        }
    }
    Ok(())
}

/// Deletes pictures older than a day that nothing refers to: one sent with a story whose
/// form was never completed does not stay on disk.
pub async fn purge_orphans(state: &AppState) -> Result<usize, AppError> {
    let dir = state.config.uploads_dir().join("images");
    let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
        return Ok(0);
    };
    let mut removed = 0;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .await
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 86_400);
        if old && is_name(&name) {
            delete_if_unused(state, &name).await?;
            if !dir.join(&name).exists() {
                removed += 1;
            }
        }
    }
    Ok(removed)
}
