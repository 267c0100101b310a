//! The staff screens of the resources library: the list, the upload and edit form (a
//! multipart form whose file is checked by extension and first bytes and stored under a
//! random name), and deletion.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{ResourceForm, ResourceRow, Upload, check_upload, clean_file_name, file_facts, store};
use crate::app::Ctx;
use crate::auth::{Permission, Staff, perm};
use crate::cms::search;
use crate::db;
use crate::web::{AppError, Msg, private_page, see_other};
use crate::{AppState, audit};

#[derive(Template)]
#[template(path = "admin/resources.html")]
struct AdminListTemplate<'a> {
    c: &'a Ctx,
    resources: Vec<ResourceRow>,
}

pub(super) async fn admin_list(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let resources = store::all_resources(&state.db).await?;
    private_page(&AdminListTemplate {
        c: &c.with_staff(staff),
        resources,
    })
}

#[derive(Template)]
#[template(path = "admin/resource_edit.html")]
struct EditTemplate<'a> {
    c: &'a Ctx,
    id: Option<i64>,
    f: &'a ResourceForm,
    current: Option<ResourceRow>,
    errors: crate::web::FieldErrors,
    max_mb: u64,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
) -> Result<Response, AppError> {
    let f = ResourceForm {
        kind: "guideline".into(),
        status: "draft".into(),
        ..Default::default()
    };
    private_page(&EditTemplate {
        c: &c.with_staff(staff),
        id: None,
        f: &f,
        current: None,
        errors: crate::web::FieldErrors::new(),
        max_mb: state.config.upload_max_mb,
    })
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = store::resource_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    private_page(&EditTemplate {
        c: &c.with_staff(staff),
        id: Some(id),
        f: &ResourceForm::from_row(&row),
        current: Some(row),
        errors: crate::web::FieldErrors::new(),
        max_mb: state.config.upload_max_mb,
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    save(&state, c.with_staff(staff), None, multipart).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    store::resource_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    save(&state, c.with_staff(staff), Some(id), multipart).await
}

/// Reads the multipart form. The file field comes last in the form, so if the body is cut
/// off for being too large, the text fields typed before it are still kept.
async fn read_form(
    mut mp: Multipart,
    max_mb: u64,
) -> (ResourceForm, Option<Upload>, crate::web::FieldErrors) {
    let mut f = ResourceForm::default();
    let mut upload = None;
    let mut errors = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let msg = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Msg::new("admin-err-file-too-large").arg("max", max_mb)
                } else {
                    Msg::new("admin-err-upload-incomplete")
                };
                errors.push(("file", msg));
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let raw_name = field.file_name().unwrap_or("").to_string();
            match field.bytes().await {
                Ok(bytes) if raw_name.is_empty() && bytes.is_empty() => {}
                Ok(bytes) => {
                    let file_name = clean_file_name(&raw_name);
                    match check_upload(&file_name, &bytes, max_mb) {
                        Ok(ft) => {
                            upload = Some(Upload {
                                file_name,
                                content_type: ft.content_type,
                                bytes,
                            })
                        }
                        Err(msg) => errors.push(("file", msg)),
                    }
                }
                Err(e) => {
                    let msg = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        Msg::new("admin-err-file-too-large").arg("max", max_mb)
                    } else {
                        Msg::new("admin-err-upload-incomplete")
                    };
                    errors.push(("file", msg));
                    break;
                }
            }
            continue;
        }
        let Ok(value) = field.text().await else {
            errors.push((
                "file",
                Msg::new("admin-err-the-form-did-not-arrive-complete"),
            ));
            break;
        };
        match name.as_str() {
            "slug" => f.slug = value,
            "title" => f.title = value,
            "kind" => f.kind = value,
            "description" => f.description = value,
            "external_url" => f.external_url = value,
            "status" => f.status = value,
            "is_demo" => f.is_demo = true,
            "remove_file" => f.remove_file = true,
            _ => {}
        }
    }
    (f, upload, errors.into())
}

async fn save(
    state: &AppState,
    c: Ctx,
    id: Option<i64>,
    mp: Multipart,
) -> Result<Response, AppError> {
    let staff = c.staff.clone().ok_or(AppError::Forbidden)?;
    let max_mb = state.config.upload_max_mb;
    let (mut f, upload, mut errors) = read_form(mp, max_mb).await;
    if f.slug.trim().is_empty() {
        f.slug = crate::cms::slugify(&f.title);
    }
    if f.status == "published" {
        staff.require(Permission::PublishContent)?;
    }
    errors.extend(f.problems());
    let current = match id {
        Some(id) => store::resource_by_id(&state.db, id).await?,
        None => None,
    };
    if errors.is_empty() {
        let taken = store::slug_owner(&state.db, f.slug.trim()).await?;
        if taken.is_some() && taken != id {
            errors.push((
                "slug",
                Msg::new("admin-err-another-resource-already-uses-this-web"),
            ));
        }
        let has_file = upload.is_some()
            || current
                .as_ref()
                .is_some_and(|r| r.is_file() && !f.remove_file);
        if !has_file && f.external_url.trim().is_empty() {
            errors.push(("file", Msg::new("admin-err-upload-a-file-or-give-a")));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(&EditTemplate {
            c: &c,
            id,
            f: &f,
            current,
            errors,
            max_mb,
        }));
    }
    // Write the file first under a fresh random name; the row only points at it once the
    // transaction commits, so a failure leaves at most an unreferenced file, never a row
    // pointing at nothing.
    let stored = match &upload {
        Some(u) => {
            let ext = u
                .file_name
                .rsplit_once('.')
                .map(|(_, e)| e)
                .unwrap_or("bin");
            let mut buf = [0u8; 16];
            rand::Rng::fill_bytes(&mut rand::rng(), &mut buf);
            let name = format!("{}.{ext}", crate::token::hex(&buf));
            let path = state.config.uploads_dir().join(&name);
            tokio::fs::write(&path, &u.bytes)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            Some((name, u))
        }
        None => None,
    };
    let mut tx = state.db.begin_write().await?;
    let file = file_facts(
        &f,
        current.as_ref(),
        stored.as_ref().map(|(n, u)| (n.as_str(), *u)),
    );
    let new_id = store::write_row(&mut tx, id, &f, file).await?;
    if f.status == "published" {
        let url = format!("/resources#{}", f.slug.trim());
        search::index_doc(
            &mut tx,
            state.db.backend,
            "resource",
            new_id,
            &url,
            f.title.trim(),
            &f.description,
        )
        .await?;
    } else {
        search::remove_doc(&mut tx, state.db.backend, "resource", new_id).await?;
    }
    db::bump_content_version(&mut tx).await?;
    let action = if id.is_some() {
        "update_resource"
    } else {
        "create_resource"
    };
    audit::record(
        &mut tx,
        Some(&staff),
        action,
        "resource",
        new_id,
        f.title.trim(),
    )
    .await?;
    tx.commit().await?;
    // The old file is removed only after the new row is committed.
    if let Some(old) = current.filter(|r| r.is_file() && (stored.is_some() || f.remove_file)) {
        let _ = tokio::fs::remove_file(state.config.uploads_dir().join(&old.stored_name)).await;
    }
    state.refresh().await?;
    Ok(see_other("/admin/resources"))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::PublishContent>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = store::resource_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin_write().await?;
    search::remove_doc(&mut tx, state.db.backend, "resource", id).await?;
    store::delete_resource(&mut tx, id).await?;
    db::bump_content_version(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(&staff),
        "delete_resource",
        "resource",
        id,
        &row.title,
    )
    .await?;
    tx.commit().await?;
    if row.is_file() {
        let _ = tokio::fs::remove_file(state.config.uploads_dir().join(&row.stored_name)).await;
    }
    state.refresh().await?;
    Ok(see_other("/admin/resources"))
}
