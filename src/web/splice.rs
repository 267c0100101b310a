//! Pages that are the same for thousands of visitors except for a few small pieces.
//!
//! The finder's result page for a health area is identical for every postcode in it, apart
//! from the postcode echoed back and the distances to the nearest units. Caching a render per
//! postcode would keep visitors' postcodes in memory; rendering and compressing per request
//! would cost most of the throughput. Instead a [`Skeleton`] is rendered once per area with
//! [`HOLE`] markers, each static part is deflated once (ending in a sync flush, so the parts
//! can be joined), and each request writes a gzip stream of: header, the compressed parts with
//! the request's small fragments between them as stored (uncompressed) deflate blocks, a final
//! empty block, CRC-32 and length. Nothing about the request is kept.

use std::io::Write;

use axum::body::Bytes;

use super::cache::Encoding;

/// Where a per-request fragment goes. An HTML comment cannot come from escaped text or from
/// sanitised Markdown (ammonia drops comments), so only a template can produce it.
pub const HOLE: &str = "<!--mmha:hole-->";

struct Part {
    raw: Bytes,
    /// Raw deflate blocks ending in a sync flush (byte aligned, not final).
    deflated: Bytes,
}

/// A page rendered once, with holes.
pub struct Skeleton {
    parts: Vec<Part>,
}

/// The gzip member header: deflate, no name, no time, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl Skeleton {
    /// Splits a render at its holes and compresses each part (slow: do it off the async
    /// threads, once per cache fill).
    pub fn new(html: &str) -> Skeleton {
        let parts = html
            .split(HOLE)
            .map(|p| {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                e.write_all(p.as_bytes()).expect("deflate into memory");
                // A sync flush: everything so far in blocks ending on a byte boundary.
                e.flush().expect("deflate into memory");
                let deflated = Bytes::copy_from_slice(e.get_ref());
                Part {
                    raw: Bytes::copy_from_slice(p.as_bytes()),
                    deflated,
                }
            })
            .collect();
        Skeleton { parts }
    }

    /// How many fragments [`assemble`](Self::assemble) expects.
    pub fn holes(&self) -> usize {
        self.parts.len() - 1
    }

    /// The page with `fills` in its holes, gzipped when the client takes gzip (or brotli: a
    /// client that takes brotli takes gzip too), else plain. Missing fills are left empty.
    pub fn assemble(&self, fills: &[&str], want: Encoding) -> (Bytes, Encoding) {
        let fill = |i: usize| fills.get(i).copied().unwrap_or("");
        if want == Encoding::Identity {
            let len = self.parts.iter().map(|p| p.raw.len()).sum::<usize>()
                + fills.iter().map(|f| f.len()).sum::<usize>();
            let mut out = Vec::with_capacity(len);
            for (i, p) in self.parts.iter().enumerate() {
                out.extend_from_slice(&p.raw);
                if i < self.holes() {
                    out.extend_from_slice(fill(i).as_bytes());
                }
            }
            return (Bytes::from(out), Encoding::Identity);
        }
        let len = self.parts.iter().map(|p| p.deflated.len()).sum::<usize>()
            + fills.iter().map(|f| f.len() + 5).sum::<usize>()
            + 32;
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&GZIP_HEADER);
        let mut crc = crc32fast::Hasher::new();
        let mut size: u64 = 0;
        for (i, p) in self.parts.iter().enumerate() {
            out.extend_from_slice(&p.deflated);
            // Hashing the whole page again is cheaper than `Hasher::combine` with a CRC
            // kept per part (measured: 1.2 % of the finder's CPU against 1.7 %).
            crc.update(&p.raw);
            size += p.raw.len() as u64;
            if i < self.holes() {
                let f = fill(i).as_bytes();
                stored_blocks(&mut out, f);
                crc.update(f);
                size += f.len() as u64;
            }
        }
        // The final block: stored, empty.
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff]);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        (Bytes::from(out), Encoding::Gzip)
    }
}

/// Appends `data` as non-final stored deflate blocks (at most 65,535 bytes each). The stream
/// is byte aligned here, so the 3-bit block header and its padding make one zero byte.
fn stored_blocks(out: &mut Vec<u8>, data: &[u8]) {
    for chunk in data.chunks(u16::MAX as usize) {
        let n = chunk.len() as u16;
        out.push(0x00);
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(b: &[u8]) -> String {
        let mut out = String::new();
        flate2::read::GzDecoder::new(b)
            .read_to_string(&mut out)
            .expect("valid gzip");
        out
    }

    #[test]
    fn assembled_pages_decompress_to_the_filled_render() {
        let page = format!(
            "<html><body><h1>Results</h1>{HOLE}<section>{}</section>{HOLE}<footer>end</footer></body></html>",
            "<p>Help is here.</p>".repeat(500)
        );
        let s = Skeleton::new(&page);
        assert_eq!(s.holes(), 2);
        let big = "x".repeat(70_000);
        for fills in [
            vec!["<p>CF10 3NQ</p>", "<li>12 km</li>"],
            vec!["", ""],
            vec!["é ✓", big.as_str()],
        ] {
            let expected = page.replacen(HOLE, fills[0], 1).replacen(HOLE, fills[1], 1);
            let (gz, enc) = s.assemble(&fills, Encoding::Br);
            assert_eq!(enc, Encoding::Gzip);
            assert_eq!(gunzip(&gz), expected);
            let (plain, enc) = s.assemble(&fills, Encoding::Identity);
            assert_eq!(enc, Encoding::Identity);
            assert_eq!(plain, expected.as_bytes());
        }
        // Compressed, the repeated part costs little.
        let (gz, _) = s.assemble(&["a", "b"], Encoding::Gzip);
        assert!(gz.len() < page.len() / 10, "{} bytes", gz.len());
    }

    #[test]
    fn a_page_without_holes_is_one_part() {
        let s = Skeleton::new("<p>plain</p>");
        assert_eq!(s.holes(), 0);
        assert_eq!(gunzip(&s.assemble(&[], Encoding::Gzip).0), "<p>plain</p>");
    }
}
