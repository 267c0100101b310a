//! Uploaded pictures (hero pictures, member logos, pictures sent with stories, Champions'
//! photos, the site's logo): accepted only as JPEG, PNG or WebP recognised by their bytes,
//! refused when their declared size is absurd (a "decompression bomb" that would exhaust
//! memory), then decoded, turned upright (EXIF orientation), scaled to at most
//! [`MAX_STORED`] pixels a side and re-encoded, with smaller copies for phones
//! ([`VARIANT_WIDTHS`]). Re-encoding writes only pixels: EXIF (camera, time, GPS location),
//! XMP, comments and text chunks never reach the stored files. Photos are stored as JPEG;
//! PNG stays PNG (logos, drawings) with a WebP copy of each size when that is smaller.
//!
//! A stored picture is named after its content and size, `{hash}-{w}x{h}.{ext}`, and its
//! copies `{hash}-{w}x{h}-{width}.{ext}` (and `.webp`), so a page can write `srcset` from
//! the name alone. All are served from `/images/{name}` with a year's cache.
//!
//! This file holds the limits, names and `Picture`, the editor's picture field and
//! serving; `cleaning.rs` checks and cleans an upload, `files.rs` keeps the files on disk,
//! `store.rs` asks whether anything still shows a picture.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::web::{AppError, Msg};

pub mod cleaning;
pub mod files;
pub mod store;

pub use cleaning::{Clean, Copy, clean, metadata_parts};
pub use files::{delete_if_unused, files_of, purge_orphans, store, store_in};

/// Largest upload accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest width or height.
pub const MAX_SIDE: u32 = 6000;
/// Largest picture, in pixels.
pub const MAX_PIXELS: u64 = 24_000_000;
/// The stored picture fits in this square; larger uploads are scaled down.
pub const MAX_STORED: u32 = 1600;
/// Widths of the smaller copies made for `srcset` (only those narrower than the picture).
pub const VARIANT_WIDTHS: &[u32] = &[480, 960];
/// JPEG quality for stored photos: visually clean, a third of the size of 95.
const JPEG_QUALITY: u8 = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
}

impl Kind {
    pub fn ext(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Webp => "webp",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
        }
    }
    fn from_ext(ext: &str) -> Option<Kind> {
        match ext {
            "jpg" => Some(Kind::Jpeg),
            "png" => Some(Kind::Png),
            "webp" => Some(Kind::Webp),
            _ => None,
        }
    }
}

/// A stored picture's name, parsed: `{hash}-{w}x{h}.{ext}` (sizes known) or, from before
/// pictures were resized, `{hash}.{ext}` (sizes unknown, no copies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub stem: String,
    pub size: Option<(u32, u32)>,
    pub kind: Kind,
}

impl Name {
    /// A main picture's name as the database holds it.
    pub fn parse(name: &str) -> Option<Name> {
        let (stem, ext) = name.split_once('.')?;
        let kind = Kind::from_ext(ext)?;
        let (hash, size) = match stem.split_once('-') {
            Some((hash, size)) => {
                let (w, h) = size.split_once('x')?;
                let (w, h) = (parse_dim(w)?, parse_dim(h)?);
                (hash, Some((w, h)))
            }
            None => (stem, None),
        };
        if hash.len() != 24
            || !hash
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return None;
        }
        if size.is_none() && kind == Kind::Webp {
            return None;
        }
        Some(Name {
            stem: stem.to_string(),
            size,
            kind,
        })
    }

    /// The widths stored for this picture, smallest first, the main one last.
    pub fn widths(&self) -> Vec<u32> {
        match self.size {
            Some((w, _)) => VARIANT_WIDTHS
                .iter()
                .copied()
                .filter(|v| *v < w)
                .chain(std::iter::once(w))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The file name of the copy `width` wide (the main file for the main width).
    pub fn file(&self, width: Option<u32>, kind: Kind) -> String {
        match (width, self.size) {
            (Some(v), Some((w, _))) if v != w => format!("{}-{v}.{}", self.stem, kind.ext()),
            _ => format!("{}.{}", self.stem, kind.ext()),
        }
    }
}

fn parse_dim(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The smallest stored copy of a picture (for a logo shown 3 rem tall), or the name as
/// given when it has none.
pub fn smallest(name: &str) -> String {
    match Name::parse(name) {
        Some(n) if n.size.is_some() => n.file(n.widths().first().copied(), n.kind),
        _ => name.to_string(),
    }
}

/// Whether `name` is a main picture's name (what forms and the database may refer to).
pub fn is_name(name: &str) -> bool {
    Name::parse(name).is_some_and(|n| n.kind != Kind::Webp)
}

/// Whether `name` is any stored file: a main picture, one of its copies or a WebP.
fn is_file_name(name: &str) -> bool {
    if Name::parse(name).is_some() {
        return true;
    }
    // `{hash}-{w}x{h}-{width}.{ext}`
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    let Some((main, width)) = stem.rsplit_once('-') else {
        return false;
    };
    parse_dim(width).is_some_and(|w| VARIANT_WIDTHS.contains(&w))
        && Name::parse(&format!("{main}.{ext}")).is_some_and(|n| n.size.is_some())
}

/// A picture placed on a page: its stored name and its text alternative.
#[derive(Debug, Clone)]
pub struct Picture {
    pub name: String,
    pub alt: String,
    /// Labelled "Demo picture" where it is shown.
    pub is_demo: bool,
}

impl Picture {
    /// A picture, or `None` when `name` is empty or not a picture's name.
    pub fn new(name: &str, alt: &str, is_demo: bool) -> Option<Picture> {
        is_name(name).then(|| Picture {
            name: name.to_string(),
            alt: alt.to_string(),
            is_demo,
        })
    }

    /// `<img>` (in `<picture>` with a WebP source where one is stored) with `srcset`, the
    /// `sizes` given, width and height (so the page does not jump as it loads), and lazy
    /// loading for pictures below the first screen.
    pub fn html(&self, sizes: &str, lazy: bool) -> String {
        let Some(n) = Name::parse(&self.name) else {
            return String::new();
        };
        let alt = crate::web::escape(&self.alt);
        let loading = if lazy {
            " loading=\"lazy\" decoding=\"async\""
        } else {
            ""
        };
        let Some((w, h)) = n.size else {
            return format!("<img src=\"/images/{}\" alt=\"{alt}\"{loading}>", self.name);
        };
        let srcset = |kind: Kind| {
            n.widths()
                .iter()
                .map(|&v| format!("/images/{} {v}w", n.file(Some(v), kind)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let img = format!(
            "<img src=\"/images/{}\" srcset=\"{}\" sizes=\"{sizes}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\"{loading}>",
            self.name,
            srcset(n.kind)
        );
        if n.kind == Kind::Png {
            format!(
                "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{sizes}\">{img}</picture>",
                srcset(Kind::Webp)
            )
        } else {
            img
        }
    }
}

/// Checks, cleans and stores an upload, or says what is wrong with it.
pub async fn accept(state: &AppState, data: &[u8]) -> Result<Result<String, Msg>, AppError> {
    let data = data.to_vec();
    let cleaned = tokio::task::spawn_blocking(move || clean(&data))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    match cleaned {
        Ok(img) => Ok(Ok(store(state, &img).await?)),
        Err(key) => Ok(Err(Msg::new(key))),
    }
}

/// An editor's picture field: `{prefix}` (the picture kept from before, in a hidden
/// field so an upload survives a validation error elsewhere on the form),
/// `{prefix}_file` (a new upload) and `{prefix}_remove` (a tick to take it off). Returns
/// the picture to save ("" for none) and what was wrong with an upload that was refused.
pub async fn picture_field(
    state: &AppState,
    fields: &crate::web::Fields,
    prefix: &str,
) -> Result<(String, Option<Msg>), AppError> {
    let current = crate::web::field(&fields.pairs, prefix).trim();
    let current = if is_name(current) { current } else { "" };
    if crate::web::field(&fields.pairs, &format!("{prefix}_remove")) == "1" {
        return Ok((String::new(), None));
    }
    if let Some(bytes) = fields.file(&format!("{prefix}_file")) {
        return Ok(match accept(state, bytes).await? {
            Ok(name) => (name, None),
            Err(msg) => (current.to_string(), Some(msg)),
        });
    }
    Ok((current.to_string(), None))
}

/// A picture needs a description for people who cannot see it; descriptions stay short.
/// Returns the field and message for an editor's `image_alt` field.
pub fn alt_problem(image: &str, alt: &str, alt_cy: &str) -> Option<(&'static str, Msg)> {
    if !image.is_empty() && alt.trim().is_empty() {
        Some(("image_alt", Msg::new("admin-err-picture-alt")))
    } else if alt.chars().count() > 250 || alt_cy.chars().count() > 250 {
        Some(("image_alt", Msg::new("admin-err-picture-alt-long")))
    } else {
        None
    }
}

/// The request body an editor with a picture field may send: the largest picture plus the
/// rest of the form.
pub const FORM_WITH_PICTURE: usize = MAX_BYTES + 512 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/images/{name}", get(serve))
}

/// `GET /images/{name}`: a stored picture or copy (names are content hashes, so cached for
/// a year).
async fn serve(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    if !is_file_name(&name) {
        return Err(AppError::NotFound);
    }
    let kind = name
        .rsplit_once('.')
        .and_then(|(_, ext)| Kind::from_ext(ext))
        .ok_or(AppError::NotFound)?;
    let path = state.config.uploads_dir().join("images").join(&name);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::NotFound)?;
    let mut res = crate::web::bytes_response(kind.content_type(), bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_size_and_copies_follow_from_them() {
        let n = Name::parse("0123456789abcdef01234567-1600x800.jpg").unwrap();
        assert_eq!(n.size, Some((1600, 800)));
        assert_eq!(n.widths(), [480, 960, 1600]);
        assert_eq!(
            n.file(Some(480), Kind::Jpeg),
            "0123456789abcdef01234567-1600x800-480.jpg"
        );
        assert_eq!(
            n.file(Some(1600), Kind::Webp),
            "0123456789abcdef01234567-1600x800.webp"
        );
        assert!(is_name("0123456789abcdef01234567-1600x800.jpg"));
        assert_eq!(
            smallest("0123456789abcdef01234567-1600x800.png"),
            "0123456789abcdef01234567-1600x800-480.png"
        );
        assert_eq!(
            smallest("0123456789abcdef01234567-300x100.png"),
            "0123456789abcdef01234567-300x100.png"
        );
        assert!(
            is_name("0123456789abcdef01234567.png"),
            "names from before resizing"
        );
        assert!(!is_name("0123456789abcdef01234567-1600x800.webp"));
        assert!(is_file_name("0123456789abcdef01234567-1600x800-480.jpg"));
        assert!(is_file_name("0123456789abcdef01234567-1600x800-960.webp"));
        for bad in [
            "0123456789abcdef01234567-1600x800-481.jpg",
            "0123456789abcdef01234567-0160x800.jpg",
            "../etc/passwd",
            "0123456789ABCDEF01234567.jpg",
            "0123456789abcdef01234567.gif",
        ] {
            assert!(!is_file_name(bad), "{bad}");
        }
        let html = Picture::new(
            "0123456789abcdef01234567-1600x800.png",
            "A \"quiet\" room",
            false,
        )
        .unwrap()
        .html("100vw", true);
        assert!(
            html.starts_with("<picture><source type=\"image/webp\""),
            "{html}"
        );
        assert!(html.contains("-480.webp 480w"), "{html}");
        assert!(html.contains("width=\"1600\" height=\"800\""), "{html}");
        assert!(html.contains("alt=\"A &quot;quiet&quot; room\""), "{html}");
        assert!(html.contains("loading=\"lazy\""), "{html}");
    }
}
