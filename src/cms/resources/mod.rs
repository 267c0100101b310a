//! The resources library: guidelines, reports and leaflets, each a link or an uploaded
//! file. Uploads are checked by extension and by their first bytes, stored under the data
//! dir with a random name, and served with a fixed Content-Type, `nosniff` and, for
//! anything a browser could run or mis-render, `Content-Disposition: attachment`.

use crate::auth::{Staff, perm};
use crate::web::Msg;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::search;
use crate::app::Ctx;
use crate::auth::{Permission, StaffUser};
use crate::db::{self, Tx};
use crate::web::{self, AppError, Query, private_page, see_other};
use crate::{AppState, audit};

pub mod store;

pub const KINDS: &[&str] = &["guideline", "report", "leaflet", "other"];

/// A resource as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub description: String,
    pub file_name: String,
    pub stored_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub external_url: String,
    pub status: String,
    pub is_demo: i64,
    pub updated_at: i64,
}

impl ResourceRow {
    /// Where the resource is: the download or the external link.
    pub fn href(&self) -> String {
        if self.stored_name.is_empty() {
            self.external_url.clone()
        } else {
            format!("/files/{}/{}", self.stored_name, self.file_name)
        }
    }

    pub fn is_file(&self) -> bool {
        !self.stored_name.is_empty()
    }

    /// "PDF, 1.2 MB"
    pub fn file_label(&self) -> String {
        let ext = self
            .file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_uppercase())
            .unwrap_or_default();
        let size = self.size_bytes as f64;
        let size = if size >= 1_048_576.0 {
            format!("{:.1} MB", size / 1_048_576.0)
        } else {
            format!("{} KB", (size / 1024.0).ceil() as i64)
        };
        format!("{ext}, {size}")
    }
}

/// An accepted file type: extension, content type, whether browsers may show it inline,
/// and the magic bytes it must start with.
#[derive(Debug)]
struct FileType {
    ext: &'static str,
    content_type: &'static str,
    inline: bool,
    magic: &'static [u8],
}

const FILE_TYPES: &[FileType] = &[
    FileType {
        ext: "pdf",
        content_type: "application/pdf",
        inline: true,
        magic: b"%PDF-",
    },
    FileType {
        ext: "png",
        content_type: "image/png",
        inline: true,
        magic: b"\x89PNG\r\n\x1a\n",
    },
    FileType {
        ext: "jpg",
        content_type: "image/jpeg",
        inline: true,
        magic: b"\xff\xd8\xff",
    },
    FileType {
        ext: "jpeg",
        content_type: "image/jpeg",
        inline: true,
        magic: b"\xff\xd8\xff",
    },
    FileType {
        ext: "docx",
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        inline: false,
        magic: b"PK\x03\x04",
    },
    FileType {
        ext: "xlsx",
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        inline: false,
        magic: b"PK\x03\x04",
    },
    FileType {
        ext: "pptx",
        content_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        inline: false,
        magic: b"PK\x03\x04",
    },
    FileType {
        ext: "odt",
        content_type: "application/vnd.oasis.opendocument.text",
        inline: false,
        magic: b"PK\x03\x04",
    },
];

/// A safe file name from whatever the browser sent: the last path component, letters,
/// digits, dot, hyphen and underscore only, no leading dot, at most 100 characters.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', '-']).to_string();
    let (stem, ext) = cleaned.rsplit_once('.').unwrap_or((&cleaned, ""));
    let stem: String = stem.chars().take(90).collect();
    if stem.is_empty() {
        format!("file.{}", ext.to_lowercase())
    } else {
        format!("{stem}.{}", ext.to_lowercase())
    }
}

/// Checks an upload: an allowed extension whose bytes look like that type. Returns the
/// matching type or a plain-language problem.
fn check_upload(name: &str, bytes: &[u8], max_mb: u64) -> Result<&'static FileType, Msg> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some(ft) = FILE_TYPES.iter().find(|t| t.ext == ext) else {
        return Err(Msg::new("admin-err-file-type"));
    };
    if bytes.is_empty() {
        return Err(Msg::new("admin-err-file-empty"));
    }
    if bytes.len() as u64 > max_mb * 1024 * 1024 {
        return Err(Msg::new("admin-err-file-too-large").arg("max", max_mb));
    }
    if !bytes.starts_with(ft.magic) {
        return Err(Msg::new("admin-err-file-content").arg("ext", ext));
    }
    Ok(ft)
}

/// The fields of the resource form (the file comes separately).
#[derive(Debug, Default, Clone)]
pub struct ResourceForm {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub description: String,
    pub external_url: String,
    pub status: String,
    pub is_demo: bool,
    pub remove_file: bool,
}

impl ResourceForm {
    fn from_row(r: &ResourceRow) -> ResourceForm {
        ResourceForm {
            slug: r.slug.clone(),
            title: r.title.clone(),
            kind: r.kind.clone(),
            description: r.description.clone(),
            external_url: r.external_url.clone(),
            status: r.status.clone(),
            is_demo: r.is_demo != 0,
            remove_file: false,
        }
    }

    fn problems(&self) -> crate::web::FieldErrors {
        let mut e = Vec::new();
        if let Some(p) = super::slug_problem(self.slug.trim()) {
            e.push(("slug", p));
        }
        if self.title.trim().is_empty() {
            e.push(("title", Msg::new("admin-err-enter-a-title")));
        } else if self.title.chars().count() > 200 {
            e.push((
                "title",
                Msg::new("admin-err-keep-the-title-under-200-characters"),
            ));
        }
        if !KINDS.contains(&self.kind.as_str()) {
            e.push((
                "kind",
                Msg::new("admin-err-choose-what-kind-of-resource-this"),
            ));
        }
        if self.description.chars().count() > 2000 {
            e.push((
                "description",
                Msg::new("admin-err-keep-the-description-under-2-000"),
            ));
        }
        let url = self.external_url.trim();
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            e.push((
                "external_url",
                Msg::new("admin-err-enter-a-full-web-address-starting"),
            ));
        }
        if !matches!(self.status.as_str(), "draft" | "published") {
            e.push(("status", Msg::new("admin-err-choose-draft-or-published")));
        }
        e.into()
    }
}

/// A validated upload waiting to be written.
struct Upload {
    file_name: String,
    content_type: &'static str,
    bytes: axum::body::Bytes,
}

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/resources", get(list))
        .route("/files/{stored}/{name}", get(download))
        .route("/admin/resources", get(admin_list))
        .route(
            "/admin/resources/new",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/admin/resources/{id}",
            get(edit_form)
                .post(update)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/admin/resources/{id}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "cms/resources.html")]
struct ListTemplate<'a> {
    c: &'a Ctx,
    resources: Vec<ResourceRow>,
    kind: String,
}

impl ListTemplate<'_> {
    fn kind_label(&self, kind: &str) -> String {
        self.c.t(&format!("resource-kind-{kind}"))
    }
}

#[derive(Deserialize, Default)]
struct KindQuery {
    kind: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Query(q): Query<KindQuery>,
) -> Result<Response, AppError> {
    let kind = q.kind.unwrap_or_default();
    if !kind.is_empty() && !KINDS.contains(&kind.as_str()) {
        return Err(AppError::BadRequest(Msg::new(
            "error-no-such-resource-kind",
        )));
    }
    let st = state.clone();
    let cc = c.clone();
    crate::app::cached(
        &state,
        &c,
        &headers,
        "text/html; charset=utf-8",
        web::PUBLIC_REVALIDATE,
        || async move {
            let resources = store::published(&st.db, &kind).await?;
            Ok(ListTemplate {
                c: &cc,
                resources,
                kind,
            }
            .render()?)
        },
    )
    .await
}

/// `GET /files/{stored}/{name}` — a published upload (staff may fetch drafts).
async fn download(
    State(state): State<AppState>,
    Path((stored, _name)): Path<(String, String)>,
    staff: Option<StaffUser>,
) -> Result<Response, AppError> {
    // Stored names are ours: 32 hex digits, a dot and a known extension. Anything else
    // (dots, slashes, encoded traversal) is not a file we wrote.
    let (hex, ext) = stored.split_once('.').ok_or(AppError::NotFound)?;
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let ft = FILE_TYPES
        .iter()
        .find(|t| t.ext == ext)
        .ok_or(AppError::NotFound)?;
    let row = store::resource_by_stored(&state.db, &stored)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != "published" && staff.is_none() {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(state.config.uploads_dir().join(&stored))
        .await
        .map_err(|_| AppError::NotFound)?;
    let mut res = web::bytes_response(ft.content_type, bytes);
    let disposition = format!(
        "{}; filename=\"{}\"",
        if ft.inline { "inline" } else { "attachment" },
        row.file_name
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    // A PDF or image opened directly must not run anything either.
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "admin/resources.html")]
struct AdminListTemplate<'a> {
    c: &'a Ctx,
    resources: Vec<ResourceRow>,
}

async fn admin_list(
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

async fn new_form(
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

async fn edit_form(
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

async fn create(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::EditContent>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    save(&state, c.with_staff(staff), None, multipart).await
}

async fn update(
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
        f.slug = super::slugify(&f.title);
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

/// The file a saved resource keeps: the new upload, else the current file unless staff
/// removed it, else none.
fn file_facts(
    f: &ResourceForm,
    current: Option<&ResourceRow>,
    file: Option<(&str, &Upload)>,
) -> (String, String, String, i64) {
    match (file, current) {
        (Some((stored, u)), _) => (
            u.file_name.clone(),
            stored.to_string(),
            u.content_type.to_string(),
            u.bytes.len() as i64,
        ),
        (None, Some(r)) if r.is_file() && !f.remove_file => (
            r.file_name.clone(),
            r.stored_name.clone(),
            r.content_type.clone(),
            r.size_bytes,
        ),
        _ => (String::new(), String::new(), String::new(), 0),
    }
}

async fn delete(
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

/// Seeds a resource that links elsewhere (demo content).
pub async fn insert_link(
    tx: &mut Tx,
    slug: &str,
    title: &str,
    kind: &str,
    description: &str,
    url: &str,
) -> sqlx::Result<i64> {
    let f = ResourceForm {
        slug: slug.into(),
        title: title.into(),
        kind: kind.into(),
        description: description.into(),
        external_url: url.into(),
        status: "published".into(),
        is_demo: true,
        remove_file: false,
    };
    store::write_row(tx, None, &f, file_facts(&f, None, None)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_cleaned() {
        for (raw, want) in [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd.pdf", "passwd.pdf"),
            ("C:\\Users\\me\\My Report.PDF", "My-Report.pdf"),
            (".htaccess", "htaccess."),
            ("a\"b<script>.pdf", "a-b-script-.pdf"),
        ] {
            assert_eq!(clean_file_name(raw), want, "{raw}");
        }
    }

    #[test]
    fn uploads_are_checked_by_content() {
        let err = |name: &str, bytes: &[u8], max: u64| check_upload(name, bytes, max).unwrap_err();
        assert!(check_upload("a.pdf", b"%PDF-1.7 ...", 20).is_ok());
        assert_eq!(
            err("a.pdf", b"<html><script>", 20),
            Msg::new("admin-err-file-content").arg("ext", "pdf")
        );
        assert_eq!(err("a.html", b"<html>", 20).key, "admin-err-file-type");
        assert_eq!(err("a.svg", b"<svg>", 20).key, "admin-err-file-type");
        assert_eq!(err("a.png", b"", 20).key, "admin-err-file-empty");
        let big = vec![b'%'; 2 * 1024 * 1024];
        assert_eq!(
            err("a.pdf", &big, 1),
            Msg::new("admin-err-file-too-large").arg("max", 1)
        );
        // The message reads well in English, arguments filled in.
        let text = err("a.pdf", b"<html>", 20).text(crate::i18n::Lang::En);
        assert_eq!(
            text,
            "The file's contents do not look like a .pdf file. Save it again as .pdf and upload that."
        );
    }
}
