//! Checking and cleaning an upload: recognised as JPEG, PNG or WebP by its bytes, its
//! declared size read from the header before any pixel is decoded, then decoded, turned
//! upright, scaled and re-encoded with its smaller copies (pixels only, no metadata);
//! and reading a stored file's structure for anything that is not pixels.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::{JPEG_QUALITY, Kind, MAX_BYTES, MAX_PIXELS, MAX_SIDE, MAX_STORED, VARIANT_WIDTHS};

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
/// large photo: call it on the blocking pool ([`super::accept`] does).
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
