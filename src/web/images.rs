//! Uploaded pictures (member logos, pictures sent with stories, Champions' photos): accepted only as JPEG or PNG recognised by
//! their bytes, refused when their declared size is absurd (a "decompression bomb" that
//! would exhaust a visitor's browser), and stored with every metadata block removed —
//! EXIF (camera, time, GPS location), XMP, comments and text chunks — without decoding or
//! re-encoding the picture. Stored under a name made from the content's hash and served
//! from `/images/{name}` with a long cache lifetime.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::web::{AppError, Msg};

/// Largest upload accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest width or height.
pub const MAX_SIDE: u32 = 6000;
/// Largest picture, in pixels.
pub const MAX_PIXELS: u64 = 24_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
}

impl Kind {
    pub fn ext(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
        }
    }
}

/// A picture made safe to store and serve.
#[derive(Debug)]
pub struct Clean {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
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

/// Checks and cleans an upload; the error is a message id.
pub fn clean(data: &[u8]) -> Result<Clean, &'static str> {
    if data.len() > MAX_BYTES {
        return Err("image-error-file-too-big");
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        clean_jpeg(data)
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        clean_png(data)
    } else {
        Err("image-error-type")
    }
}

/// JPEG: keeps the segments a decoder needs and JFIF/Adobe colour markers; drops APP1
/// (EXIF, XMP), APP2–APP13 and APP15, and comments. Reads the size from the frame header.
fn clean_jpeg(data: &[u8]) -> Result<Clean, &'static str> {
    let broken = "image-error-broken";
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    let mut size = None;
    loop {
        // Markers may be padded with extra 0xFF bytes.
        while i < data.len() && data[i] == 0xFF && data.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if i + 4 > data.len() || data[i] != 0xFF {
            return Err(broken);
        }
        let marker = data[i + 1];
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        if len < 2 || i + 2 + len > data.len() {
            return Err(broken);
        }
        let segment = &data[i..i + 2 + len];
        // Start of frame (baseline, progressive, …; not DHT 0xC4, JPG 0xC8, DAC 0xCC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            if len < 8 {
                return Err(broken);
            }
            let h = u16::from_be_bytes([segment[5], segment[6]]);
            let w = u16::from_be_bytes([segment[7], segment[8]]);
            size = Some((u32::from(w), u32::from(h)));
        }
        let keep = !(marker == 0xFE || (0xE1..=0xED).contains(&marker) || marker == 0xEF);
        if keep {
            out.extend_from_slice(segment);
        }
        i += 2 + len;
        if marker == 0xDA {
            // Start of scan: the compressed picture follows, to the end of the file.
            out.extend_from_slice(&data[i..]);
            break;
        }
    }
    let (width, height) = size.ok_or(broken)?;
    check_size(width, height)?;
    if !data.ends_with(&[0xFF, 0xD9]) {
        return Err(broken);
    }
    Ok(Clean {
        kind: Kind::Jpeg,
        width,
        height,
        bytes: out,
    })
}

/// PNG: keeps the chunks that make the picture (and its colour information); drops
/// text, EXIF, time and any other ancillary chunk. Checks each chunk's CRC.
fn clean_png(data: &[u8]) -> Result<Clean, &'static str> {
    const KEEP: &[&[u8; 4]] = &[
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
        b"pHYs",
    ];
    let broken = "image-error-broken";
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&data[..8]);
    let mut i = 8;
    let mut size = None;
    let mut ended = false;
    while i + 12 <= data.len() {
        let len = u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize;
        let end = i.checked_add(12 + len).ok_or(broken)?;
        if end > data.len() {
            return Err(broken);
        }
        let kind: [u8; 4] = [data[i + 4], data[i + 5], data[i + 6], data[i + 7]];
        let crc = u32::from_be_bytes([data[end - 4], data[end - 3], data[end - 2], data[end - 1]]);
        if crc32(&data[i + 4..end - 4]) != crc {
            return Err(broken);
        }
        if &kind == b"IHDR" {
            if len < 8 {
                return Err(broken);
            }
            let w = u32::from_be_bytes([data[i + 8], data[i + 9], data[i + 10], data[i + 11]]);
            let h = u32::from_be_bytes([data[i + 12], data[i + 13], data[i + 14], data[i + 15]]);
            size = Some((w, h));
        }
        // Critical chunks (upper-case first letter) are always kept; ancillary ones only
        // if they are about how the picture looks.
        if kind[0].is_ascii_uppercase() || KEEP.contains(&&kind) {
            out.extend_from_slice(&data[i..end]);
        }
        i = end;
        if &kind == b"IEND" {
            ended = true;
            break;
        }
    }
    let (width, height) = size.ok_or(broken)?;
    if !ended {
        return Err(broken);
    }
    check_size(width, height)?;
    Ok(Clean {
        kind: Kind::Png,
        width,
        height,
        bytes: out,
    })
}

/// CRC-32 as PNG uses it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// Stores a cleaned picture; returns its name (content hash and extension).
pub async fn store(state: &AppState, img: &Clean) -> Result<String, AppError> {
    let hash = Sha256::digest(&img.bytes);
    let name = format!(
        "{}.{}",
        hash[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        img.kind.ext()
    );
    let dir = state.config.uploads_dir().join("images");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, &img.bytes)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    tokio::fs::rename(&tmp, &path)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(name)
}

/// Whether `name` has the shape of a stored picture's name.
pub fn is_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else {
        return false;
    };
    (ext == "jpg" || ext == "png")
        && stem.len() == 24
        && stem.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Deletes a stored picture nothing refers to any more (names are content hashes, so two
/// uploads of one picture share a file).
pub async fn delete_if_unused(state: &AppState, name: &str) -> Result<(), AppError> {
    if !is_name(name) {
        return Ok(());
    }
    let used: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM stories WHERE image = $1) + \
         (SELECT COUNT(*) FROM members WHERE logo = $1) + \
         (SELECT COUNT(*) FROM roster WHERE photo = $1)",
    )
    .bind(name)
    .fetch_one(&state.db.pool)
    .await?;
    if used == 0 {
        let _ = tokio::fs::remove_file(state.config.uploads_dir().join("images").join(name)).await;
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
    match clean(data) {
        Ok(img) => Ok(Ok(store(state, &img).await?)),
        Err(key) => Ok(Err(Msg::new(key))),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/images/{name}", get(serve))
}

/// `GET /images/{name}`: a stored picture (names are content hashes, so cached for a year).
async fn serve(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    if !is_name(&name) {
        return Err(AppError::NotFound);
    }
    let kind = if name.ends_with(".png") {
        Kind::Png
    } else {
        Kind::Jpeg
    };
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

    /// A small JPEG-shaped file: JFIF, an EXIF block with a GPS tag, a comment, a frame
    /// header of `w`×`h`, a scan, and the end marker.
    pub fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut d = vec![0xFF, 0xD8];
        d.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        d.extend(segment(
            0xE1,
            b"Exif\0\0GPSLatitude 51.48N GPSLongitude 3.18W",
        ));
        d.extend(segment(0xFE, b"taken at 12 Home Street"));
        let mut sof = vec![8];
        sof.extend_from_slice(&h.to_be_bytes());
        sof.extend_from_slice(&w.to_be_bytes());
        sof.extend_from_slice(&[1, 1, 0x11, 0]);
        d.extend(segment(0xC0, &sof));
        d.extend(segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]));
        d.extend_from_slice(&[0x12, 0x34, 0x56, 0xFF, 0xD9]);
        d
    }

    fn chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(body);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(body);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    }

    /// A PNG-shaped file of `w`×`h` with text and EXIF chunks.
    pub fn png(w: u32, h: u32) -> Vec<u8> {
        let mut d = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        d.extend(chunk(b"IHDR", &ihdr));
        d.extend(chunk(b"tEXt", b"Author\0Jane at 12 Home Street"));
        d.extend(chunk(b"eXIf", b"MM\0*GPS 51.48N"));
        d.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0, 0, 0, 1, 0, 1]));
        d.extend(chunk(b"IEND", b""));
        d
    }

    #[test]
    fn crc_matches_the_png_reference() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn location_and_other_metadata_are_removed() {
        let j = clean(&jpeg(400, 300)).unwrap();
        assert_eq!((j.kind, j.width, j.height), (Kind::Jpeg, 400, 300));
        let text = String::from_utf8_lossy(&j.bytes);
        assert!(!text.contains("GPS") && !text.contains("Home Street"));
        assert!(text.contains("JFIF"));
        assert!(j.bytes.ends_with(&[0xFF, 0xD9]));
        let p = clean(&png(64, 64)).unwrap();
        let text = String::from_utf8_lossy(&p.bytes);
        assert!(!text.contains("GPS") && !text.contains("Home Street"));
        assert!(text.contains("IHDR") && text.contains("IDAT") && text.contains("IEND"));
        // Cleaning a cleaned file changes nothing.
        assert_eq!(clean(&p.bytes).unwrap().bytes, p.bytes);
    }

    #[test]
    fn other_types_bombs_and_broken_files_are_refused() {
        assert_eq!(clean(b"GIF89a....").unwrap_err(), "image-error-type");
        assert_eq!(
            clean(b"<svg onload=alert(1)></svg>").unwrap_err(),
            "image-error-type"
        );
        assert_eq!(
            clean(&jpeg(60000, 60000)).unwrap_err(),
            "image-error-too-large"
        );
        assert_eq!(
            clean(&png(5000, 5000)).unwrap_err(),
            "image-error-too-large"
        );
        let j = jpeg(10, 10);
        assert_eq!(clean(&j[..j.len() - 8]).unwrap_err(), "image-error-broken");
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
