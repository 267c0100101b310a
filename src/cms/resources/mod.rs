//! The resources library: guidelines, reports and leaflets, each a link or an uploaded
//! file. Uploads are checked by extension and by their first bytes, stored under the data
//! dir with a random name, and served with a fixed Content-Type, `nosniff` and, for
//! anything a browser could run or mis-render, `Content-Disposition: attachment`.
//!
//! This file holds the record, the accepted file types and the checks on an upload, and
//! the form; `routes.rs` the route list and the public pages, `admin.rs` the staff
//! screens, `store.rs` every query.

use crate::db::Tx;
use crate::web::Msg;

mod admin;
mod routes;
pub mod store;

pub use routes::routes;

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
