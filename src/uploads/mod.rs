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

use std::io::Cursor;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::web::{AppError, Msg};

pub mod store;

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

/// One stored file: its width (the main picture's for the main file) and bytes.
#[derive(Debug)]
pub struct Copy {
    /// `None` for the main picture, else the copy's width.
    pub width: Option<u32>,
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// A picture made safe to store and serve: the main file and its smaller copies.
#[derive(Debug)]
pub struct Clean {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    /// The main picture's bytes.
    pub bytes: Vec<u8>,
    /// Smaller copies, and WebP versions where they are smaller than the PNG.
    pub copies: Vec<Copy>,
}

fn check_size(width: u32, height: u32) -> Result<(), &'static str> {
    if width == 0 || height == 0 {
        return Err("image-error-broken");
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err("image-error-too-large");
    }
    Ok(())
}

/// What kind of picture the bytes are, by their signature.
fn sniff(data: &[u8]) -> Option<ImageFormat> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Checks, decodes and re-encodes an upload; the error is a message id. CPU-heavy for a
/// large photo: call it on the blocking pool ([`accept`] does).
pub fn clean(data: &[u8]) -> Result<Clean, &'static str> {
    let broken = "image-error-broken";
    if data.len() > MAX_BYTES {
        return Err("image-error-file-too-big");
    }
    let format = sniff(data).ok_or("image-error-type")?;
    // The declared size, from the header alone, before any pixel is decoded.
    let (w, h) = ImageReader::with_format(Cursor::new(data), format)
        .into_dimensions()
        .map_err(|_| broken)?;
    check_size(w, h)?;
    let mut reader = ImageReader::with_format(Cursor::new(data), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| broken)?;
    let orientation = decoder.orientation().map_err(|_| broken)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| broken)?;
    img.apply_orientation(orientation);
    let keep_png =
        format == ImageFormat::Png || (format == ImageFormat::WebP && img.color().has_alpha());
    let main = if img.width() > MAX_STORED || img.height() > MAX_STORED {
        img.thumbnail(MAX_STORED, MAX_STORED)
    } else {
        img
    };
    let kind = if keep_png { Kind::Png } else { Kind::Jpeg };
    let bytes = encode(&main, kind)?;
    let mut copies = Vec::new();
    for &vw in VARIANT_WIDTHS {
        if vw >= main.width() {
            continue;
        }
        let vh = (u64::from(main.height()) * u64::from(vw) / u64::from(main.width())).max(1) as u32;
        let small = main.thumbnail_exact(vw, vh);
        copies.push(Copy {
            width: Some(vw),
            kind,
            bytes: encode(&small, kind)?,
        });
    }
    if kind == Kind::Png {
        // A lossless WebP of each size, where it saves bytes.
        let mut webps = Vec::new();
        if let Ok(w) = encode(&main, Kind::Webp)
            && w.len() < bytes.len()
        {
            webps.push(Copy {
                width: None,
                kind: Kind::Webp,
                bytes: w,
            });
            for c in &copies {
                let vw = c.width.unwrap_or(main.width());
                let vh = (u64::from(main.height()) * u64::from(vw) / u64::from(main.width())).max(1)
                    as u32;
                if let Ok(w) = encode(&main.thumbnail_exact(vw, vh), Kind::Webp) {
                    webps.push(Copy {
                        width: c.width,
                        kind: Kind::Webp,
                        bytes: w,
                    });
                }
            }
        }
        // Only when every size has one, so `<picture>` can offer the whole set.
        if webps.len() == copies.len() + 1 {
            copies.extend(webps);
        }
    }
    Ok(Clean {
        kind,
        width: main.width(),
        height: main.height(),
        bytes,
        copies,
    })
}

/// Encodes pixels only: no metadata of any kind is written.
fn encode(img: &DynamicImage, kind: Kind) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::new();
    let result = match kind {
        Kind::Jpeg => {
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode_image(&rgb)
        }
        Kind::Png => {
            let enc = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Best,
                image::codecs::png::FilterType::Adaptive,
            );
            if img.color().has_alpha() {
                img.to_rgba8().write_with_encoder(enc)
            } else {
                img.to_rgb8().write_with_encoder(enc)
            }
        }
        Kind::Webp => {
            let enc = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
            if img.color().has_alpha() {
                img.to_rgba8().write_with_encoder(enc)
            } else {
                img.to_rgb8().write_with_encoder(enc)
            }
        }
    };
    result.map_err(|_| "image-error-broken")?;
    Ok(out)
}

/// The parts of a stored file that are not pixels: PNG chunks other than the image's own,
/// JPEG segments other than JFIF, tables, frame and scan, WebP chunks other than the
/// bitstream. Read from the file's structure, so picture data that happens to spell
/// "GPS" is not mistaken for metadata; a file whose structure cannot be walked answers
/// `["unreadable"]`. Cleaned pictures answer an empty list (the fuzz target holds it).
pub fn metadata_parts(bytes: &[u8]) -> Vec<String> {
    let name = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let unreadable = || vec!["unreadable".to_string()];
    let mut found = Vec::new();
    if let Some(mut rest) = bytes.strip_prefix(b"\x89PNG\r\n\x1a\n".as_slice()) {
        const PIXELS: &[&[u8]] = &[b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"];
        while !rest.is_empty() {
            if rest.len() < 12 {
                return unreadable();
            }
            let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            let Some(end) = len.checked_add(12).filter(|&e| e <= rest.len()) else {
                return unreadable();
            };
            if !PIXELS.contains(&&rest[4..8]) {
                found.push(name(&rest[4..8]));
            }
            rest = &rest[end..];
        }
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        const PIXELS: &[&[u8]] = &[b"VP8 ", b"VP8L", b"VP8X", b"ALPH"];
        let mut rest = &bytes[12..];
        while !rest.is_empty() {
            if rest.len() < 8 {
                return unreadable();
            }
            let len = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
            let padded = len + (len & 1);
            let Some(end) = padded.checked_add(8).filter(|&e| e <= rest.len()) else {
                return unreadable();
            };
            if !PIXELS.contains(&&rest[..4]) {
                found.push(name(&rest[..4]));
            }
            rest = &rest[end..];
        }
    } else if let Some(mut rest) = bytes.strip_prefix([0xFF, 0xD8].as_slice()) {
        loop {
            let [0xFF, marker, ..] = *rest else {
                return unreadable();
            };
            if marker == 0xD9 {
                break;
            }
            if rest.len() < 4 {
                return unreadable();
            }
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            if len < 2 || 2 + len > rest.len() {
                return unreadable();
            }
            let body = &rest[4..2 + len];
            match marker {
                // Frame, Huffman and quantisation tables, restart interval, scan.
                0xC0..=0xC3 | 0xC4 | 0xDB | 0xDD | 0xDA => {}
                0xE0 if body.starts_with(b"JFIF\0") => {}
                _ => found.push(format!("JPEG segment {marker:02X}")),
            }
            rest = &rest[2 + len..];
            if marker == 0xDA {
                // Entropy-coded data runs to the next marker that is neither a stuffed
                // 0xFF00 nor a restart marker.
                let mut i = 0;
                while i + 1 < rest.len()
                    && !(rest[i] == 0xFF
                        && rest[i + 1] != 0
                        && !(0xD0..=0xD7).contains(&rest[i + 1]))
                {
                    i += 1;
                }
                rest = &rest[i..];
            }
        }
    } else {
        return unreadable();
    }
    found
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
    let used = store::references(&state.db, name).await?;
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
pub mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    /// A gradient, so that it compresses like a picture rather than a flat colour.
    fn pixels(w: u32, h: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128])
        })
    }

    /// A real JPEG of `w`×`h` carrying an EXIF block with a GPS position, an XMP packet
    /// and a comment naming a street.
    pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&pixels(u32::from(w), u32::from(h)))
            .unwrap();
        let mut d = vec![0xFF, 0xD8];
        d.extend(segment(
            0xE1,
            b"Exif\0\0MM\0*GPSLatitude 51.48N GPSLongitude 3.18W",
        ));
        d.extend(segment(
            0xE1,
            b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>12 Home Street</x:xmpmeta>",
        ));
        d.extend(segment(0xFE, b"taken at 12 Home Street"));
        d.extend_from_slice(&plain[2..]);
        d
    }

    fn chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(body);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(body);
        c.extend_from_slice(&crc32fast::hash(&crc_input).to_be_bytes());
        c
    }

    /// A real PNG of `w`×`h` with text and EXIF chunks after its header.
    pub fn png(w: u32, h: u32) -> Vec<u8> {
        let mut plain = Vec::new();
        image::DynamicImage::ImageRgb8(pixels(w, h))
            .write_to(&mut Cursor::new(&mut plain), ImageFormat::Png)
            .unwrap();
        // Signature (8) and IHDR (25), then the metadata, then the rest.
        let mut d = plain[..33].to_vec();
        d.extend(chunk(b"tEXt", b"Author\0Jane at 12 Home Street"));
        d.extend(chunk(b"eXIf", b"MM\0*GPS 51.48N"));
        d.extend_from_slice(&plain[33..]);
        d
    }

    /// What no stored picture may contain.
    pub fn leaks(bytes: &[u8]) -> Vec<&'static str> {
        let text = String::from_utf8_lossy(bytes);
        [
            "Exif",
            "GPS",
            "Home Street",
            "xmpmeta",
            "ns.adobe.com",
            "tEXt",
            "eXIf",
        ]
        .into_iter()
        .filter(|m| text.contains(m))
        .collect()
    }

    #[test]
    fn location_and_other_metadata_are_removed() {
        let j = clean(&jpeg(400, 300)).unwrap();
        assert_eq!((j.kind, j.width, j.height), (Kind::Jpeg, 400, 300));
        assert_eq!(leaks(&j.bytes), Vec::<&str>::new());
        assert!(j.bytes.starts_with(&[0xFF, 0xD8]) && j.bytes.ends_with(&[0xFF, 0xD9]));
        let p = clean(&png(64, 64)).unwrap();
        assert_eq!((p.kind, p.width, p.height), (Kind::Png, 64, 64));
        assert_eq!(leaks(&p.bytes), Vec::<&str>::new());
        for c in j.copies.iter().chain(&p.copies) {
            assert_eq!(leaks(&c.bytes), Vec::<&str>::new());
        }
        // Read from the files' structure: the uploads carried metadata, the cleaned files
        // carry none.
        assert_eq!(
            metadata_parts(&jpeg(40, 30)),
            ["JPEG segment E1", "JPEG segment E1", "JPEG segment FE"]
        );
        assert_eq!(metadata_parts(&png(40, 30)), ["tEXt", "eXIf"]);
        let big = clean(&png(1000, 500)).unwrap();
        assert!(big.copies.iter().any(|c| c.kind == Kind::Webp));
        for file in [&j.bytes, &p.bytes, &big.bytes].into_iter().chain(
            j.copies
                .iter()
                .chain(&p.copies)
                .chain(&big.copies)
                .map(|c| &c.bytes),
        ) {
            assert_eq!(metadata_parts(file), Vec::<String>::new());
        }
        let mut webp_with_exif = big
            .copies
            .iter()
            .find(|c| c.kind == Kind::Webp)
            .unwrap()
            .bytes
            .clone();
        webp_with_exif.extend_from_slice(b"EXIF\x04\0\0\0GPS!");
        assert_eq!(metadata_parts(&webp_with_exif), ["EXIF"]);
        assert_eq!(
            metadata_parts(&j.bytes[..j.bytes.len() / 2]),
            ["unreadable"]
        );
        // A cleaned picture is accepted again, at the same size.
        let again = clean(&j.bytes).unwrap();
        assert_eq!((again.width, again.height), (400, 300));
    }

    #[test]
    fn large_pictures_are_scaled_down_with_copies_for_phones() {
        let j = clean(&jpeg(2000, 1000)).unwrap();
        assert_eq!((j.width, j.height), (MAX_STORED, 800));
        let widths: Vec<Option<u32>> = j.copies.iter().map(|c| c.width).collect();
        assert_eq!(widths, [Some(480), Some(960)]);
        for c in &j.copies {
            let img = image::load_from_memory(&c.bytes).unwrap();
            assert_eq!(Some(img.width()), c.width);
            assert_eq!(img.height(), c.width.unwrap() / 2);
        }
        // A small picture gets no copies; a PNG gets WebP versions when they are smaller.
        assert!(clean(&jpeg(300, 200)).unwrap().copies.is_empty());
        let p = clean(&png(1000, 500)).unwrap();
        let kinds: Vec<(Option<u32>, Kind)> = p.copies.iter().map(|c| (c.width, c.kind)).collect();
        assert!(kinds.contains(&(Some(480), Kind::Png)), "{kinds:?}");
    }

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

    #[test]
    fn other_types_bombs_and_broken_files_are_refused() {
        assert_eq!(clean(b"GIF89a....").unwrap_err(), "image-error-type");
        assert_eq!(
            clean(b"<svg onload=alert(1)></svg>").unwrap_err(),
            "image-error-type"
        );
        // A real JPEG whose frame header claims 60000×60000 pixels.
        let mut bomb = jpeg(16, 16);
        let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bomb[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        assert_eq!(clean(&bomb).unwrap_err(), "image-error-too-large");
        let mut p = png(10, 10);
        p[16..20].copy_from_slice(&6000u32.to_be_bytes());
        p[20..24].copy_from_slice(&6000u32.to_be_bytes());
        assert!(clean(&p).is_err());
        let j = jpeg(10, 10);
        assert_eq!(clean(&j[..j.len() / 2]).unwrap_err(), "image-error-broken");
        let mut p = png(10, 10);
        let n = p.len();
        p[n - 20] ^= 0xFF; // corrupt a chunk
        assert_eq!(clean(&p).unwrap_err(), "image-error-broken");
        assert_eq!(
            clean(&vec![0xFF; MAX_BYTES + 1]).unwrap_err(),
            "image-error-file-too-big"
        );
    }
}
