//! The postcode index: every postcode's position and health area, in memory.
//!
//! Layout (about 11 bytes a postcode, so 2.7 million postcodes take about 30 MB): the sorted
//! outward codes ("CF10") with the range of entries each owns, then four parallel arrays for
//! the entries — inward code as a number (2 bytes), latitude and longitude in units of
//! 0.00001° (4 + 4 bytes) and the area as an index into a short table of area codes (1 byte).
//! A lookup is two binary searches: about 12 steps over the ~3,000 districts, then about 10
//! within one district. No strings are stored per postcode.
//!
//! Districts are summarised from the same entries (middle point and most common area), so the
//! district-level fallback always agrees with the postcode data, including after an import.

use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, bail};

use super::postcode::{Outward, Postcode, Reading, outside_uk_nhs};

/// The shipped postcode file (`seed/postcodes.csv.gz`, see `seed/geo/ATTRIBUTION.md`).
const BUILTIN_CSV_GZ: &[u8] = include_bytes!("../../seed/postcodes.csv.gz");

/// What the shipped data is, shown to staff and in the API's data notes.
pub const BUILTIN_SOURCE: &str = "Built in: OS Code-Point Open 2025.4 (Great Britain) and ONS Postcode Directory November 2023 (Northern Ireland)";

/// Coordinates are stored as integers of this many per degree (5 decimals, about 1 m).
const SCALE: f64 = 100_000.0;

#[derive(Clone, Copy, Debug)]
struct District {
    lat: i32,
    lon: i32,
    area: u8,
    /// Share of the district's postcodes in `area`, in per cent.
    share: u8,
}

pub struct PostcodeIndex {
    areas: Vec<String>,
    outwards: Vec<[u8; 4]>,
    starts: Vec<u32>,
    inward: Vec<u16>,
    lat: Vec<i32>,
    lon: Vec<i32>,
    area: Vec<u8>,
    districts: Vec<District>,
    /// Where the data came from, for people.
    pub source: String,
}

/// A position and area found for a postcode or a district.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit<'a> {
    pub area_code: &'a str,
    pub lat: f64,
    pub lon: f64,
    /// For a district: the share of its postcodes in `area_code` (1.0 for a postcode).
    pub share: f64,
}

/// How a reading was resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved<'a> {
    /// The full postcode is in the index. `corrected` when it is not what was typed (O/0).
    Postcode {
        code: Postcode,
        corrected: bool,
        hit: Hit<'a>,
    },
    /// Only the district is known: the postcode is new, terminated or mistyped, or only a
    /// district was given.
    District {
        code: Outward,
        corrected: bool,
        /// True when a full postcode was given but is not in the index.
        postcode_unknown: bool,
        hit: Hit<'a>,
    },
    /// Guernsey, Jersey, the Isle of Man, British Forces: not covered by the four NHS systems.
    OutsideNhs,
    /// Well formed, but not even the district is known.
    Unknown,
}

/// One row on its way into an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub code: Postcode,
    pub lat: i32,
    pub lon: i32,
    pub area: u8,
}

/// Collects entries and area codes, then sorts them into an index.
#[derive(Default)]
pub struct Builder {
    areas: Vec<String>,
    entries: Vec<Entry>,
}

impl Builder {
    pub fn with_capacity(n: usize) -> Builder {
        Builder {
            areas: Vec::new(),
            entries: Vec::with_capacity(n),
        }
    }

    /// The small number for an area code (at most 255 areas).
    pub fn area_id(&mut self, code: &str) -> anyhow::Result<u8> {
        if let Some(i) = self.areas.iter().position(|a| a == code) {
            return Ok(i as u8);
        }
        if self.areas.len() == 255 {
            bail!("more than 255 health areas");
        }
        self.areas.push(code.to_string());
        Ok((self.areas.len() - 1) as u8)
    }

    pub fn push(&mut self, code: Postcode, lat: f64, lon: f64, area: u8) {
        self.entries.push(Entry {
            code,
            lat: (lat * SCALE).round() as i32,
            lon: (lon * SCALE).round() as i32,
            area,
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sorts, drops repeated postcodes (the first one stays) and lays the index out.
    pub fn build(mut self, source: &str) -> PostcodeIndex {
        self.entries.sort_by_key(|e| e.code);
        self.entries.dedup_by_key(|e| e.code);
        let n = self.entries.len();
        let mut idx = PostcodeIndex {
            areas: self.areas,
            outwards: Vec::new(),
            starts: Vec::new(),
            inward: Vec::with_capacity(n),
            lat: Vec::with_capacity(n),
            lon: Vec::with_capacity(n),
            area: Vec::with_capacity(n),
            districts: Vec::new(),
            source: source.to_string(),
        };
        for (i, e) in self.entries.iter().enumerate() {
            if idx.outwards.last() != Some(&e.code.outward) {
                idx.outwards.push(e.code.outward);
                idx.starts.push(i as u32);
            }
            idx.inward.push(e.code.inward);
            idx.lat.push(e.lat);
            idx.lon.push(e.lon);
            idx.area.push(e.area);
        }
        idx.starts.push(n as u32);
        idx.summarise_districts();
        idx
    }
}

impl PostcodeIndex {
    /// The shipped index, read once per process (about a second in a release build).
    pub fn builtin() -> Arc<PostcodeIndex> {
        static BUILTIN: OnceLock<Arc<PostcodeIndex>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                Arc::new(
                    PostcodeIndex::from_simple_csv_gz(BUILTIN_CSV_GZ, BUILTIN_SOURCE)
                        .expect("the shipped postcode file is valid"),
                )
            })
            .clone()
    }

    /// Reads the shipped format: `postcode,lat,lon,area_code`, gzipped. Written for speed (it
    /// runs at every start), not for reporting: imports go through `finder::import`.
    pub fn from_simple_csv_gz(gz: &[u8], source: &str) -> anyhow::Result<PostcodeIndex> {
        let mut text = Vec::with_capacity(gz.len() * 5);
        flate2::read::GzDecoder::new(gz).read_to_end(&mut text)?;
        let mut b = Builder::with_capacity(text.len() / 36);
        let mut last_area: (&[u8], u8) = (b"", 0);
        for (n, line) in text.split(|c| *c == b'\n').enumerate().skip(1) {
            if line.is_empty() {
                continue;
            }
            let mut f = line.split(|c| *c == b',');
            let (Some(pc), Some(lat), Some(lon), Some(area)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                bail!("line {}: expected postcode,lat,lon,area_code", n + 1);
            };
            let area = area.strip_suffix(b"\r").unwrap_or(area);
            let code = std::str::from_utf8(pc)
                .ok()
                .and_then(super::postcode::parse_exact)
                .with_context(|| format!("line {}: bad postcode", n + 1))?;
            let num = |v: &[u8]| -> anyhow::Result<f64> {
                std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .with_context(|| format!("line {}: bad coordinate", n + 1))
            };
            let id = if area == last_area.0 {
                last_area.1
            } else {
                let id = b.area_id(std::str::from_utf8(area)?)?;
                last_area = (area, id);
                id
            };
            b.push(code, num(lat)?, num(lon)?, id);
        }
        Ok(b.build(source))
    }

    pub fn len(&self) -> usize {
        self.inward.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inward.is_empty()
    }

    pub fn district_count(&self) -> usize {
        self.outwards.len()
    }

    /// Bytes the index holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.outwards.capacity() * 4
            + self.starts.capacity() * 4
            + self.inward.capacity() * 2
            + self.lat.capacity() * 4
            + self.lon.capacity() * 4
            + self.area.capacity()
            + self.districts.capacity() * std::mem::size_of::<District>()
            + self.areas.iter().map(|a| a.capacity() + 24).sum::<usize>()
    }

    /// The postcode at position `i` of the index (for sampling in benchmarks and tests).
    pub fn code_at(&self, i: usize) -> Postcode {
        let d = self.starts.partition_point(|s| *s as usize <= i) - 1;
        Postcode {
            outward: self.outwards[d],
            inward: self.inward[i],
        }
    }

    /// The area codes the index refers to.
    pub fn area_codes(&self) -> &[String] {
        &self.areas
    }

    fn district_slot(&self, outward: &[u8; 4]) -> Option<usize> {
        self.outwards.binary_search(outward).ok()
    }

    /// A full postcode's position and area.
    pub fn get(&self, code: &Postcode) -> Option<Hit<'_>> {
        let d = self.district_slot(&code.outward)?;
        let (from, to) = (self.starts[d] as usize, self.starts[d + 1] as usize);
        let i = from + self.inward[from..to].binary_search(&code.inward).ok()?;
        Some(Hit {
            area_code: &self.areas[self.area[i] as usize],
            lat: self.lat[i] as f64 / SCALE,
            lon: self.lon[i] as f64 / SCALE,
            share: 1.0,
        })
    }

    /// A district's middle point and most common area.
    pub fn district(&self, code: &Outward) -> Option<Hit<'_>> {
        let d = &self.districts[self.district_slot(&code.0)?];
        Some(Hit {
            area_code: &self.areas[d.area as usize],
            lat: d.lat as f64 / SCALE,
            lon: d.lon as f64 / SCALE,
            share: d.share as f64 / 100.0,
        })
    }

    /// The postcode nearest a position, among the districts whose middles are nearest,
    /// if one is within `max_km`: for points the generalised boundaries miss (an estuary, a
    /// harbour, the coast).
    pub fn nearest(&self, lat: f64, lon: f64, max_km: f64) -> Option<Hit<'_>> {
        let (qlat, qlon) = ((lat * SCALE) as i64, (lon * SCALE) as i64);
        // Squared distance in scaled degrees, longitude shrunk by the latitude.
        let k = lat.to_radians().cos();
        let d2 = |la: i32, lo: i32| {
            let dy = (la as i64 - qlat) as f64;
            let dx = (lo as i64 - qlon) as f64 * k;
            dy * dy + dx * dx
        };
        let mut near: Vec<(f64, usize)> = self
            .districts
            .iter()
            .enumerate()
            .map(|(i, d)| (d2(d.lat, d.lon), i))
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut best, mut best_d) = (None, f64::MAX);
        for &(_, d) in near.iter().take(4) {
            for i in self.starts[d] as usize..self.starts[d + 1] as usize {
                let dist = d2(self.lat[i], self.lon[i]);
                if dist < best_d {
                    (best, best_d) = (Some(i), dist);
                }
            }
        }
        let i = best?;
        // 1 scaled unit is 0.00001°, about 1.11 m.
        if best_d.sqrt() * 1.11 / 1000.0 > max_km {
            return None;
        }
        Some(Hit {
            area_code: &self.areas[self.area[i] as usize],
            lat: self.lat[i] as f64 / SCALE,
            lon: self.lon[i] as f64 / SCALE,
            share: 1.0,
        })
    }

    /// Every district with its middle point and area (for the ORUK postcode filter).
    pub fn districts(&self) -> impl Iterator<Item = (Outward, Hit<'_>)> {
        self.outwards.iter().map(|o| {
            let code = Outward(*o);
            let hit = self.district(&code).expect("listed district");
            (code, hit)
        })
    }

    /// Picks the first reading that exists: a full postcode first, then a district.
    pub fn resolve(&self, reading: &Reading) -> Resolved<'_> {
        let districts: Vec<(Outward, bool)> = match reading {
            Reading::Full(cands) => {
                for (i, c) in cands.iter().enumerate() {
                    if let Some(hit) = self.get(c) {
                        return Resolved::Postcode {
                            code: *c,
                            corrected: i > 0,
                            hit,
                        };
                    }
                }
                cands.iter().map(|c| (Outward(c.outward), true)).collect()
            }
            Reading::District(cands) => cands.iter().map(|c| (*c, false)).collect(),
        };
        for (i, (o, from_full)) in districts.iter().enumerate() {
            if let Some(hit) = self.district(o) {
                return Resolved::District {
                    code: *o,
                    corrected: i > 0 && districts[0].0 != *o,
                    postcode_unknown: *from_full,
                    hit,
                };
            }
        }
        if districts.iter().any(|(o, _)| outside_uk_nhs(o)) {
            Resolved::OutsideNhs
        } else {
            Resolved::Unknown
        }
    }

    fn summarise_districts(&mut self) {
        self.districts = (0..self.outwards.len())
            .map(|d| {
                let (from, to) = (self.starts[d] as usize, self.starts[d + 1] as usize);
                let n = (to - from).max(1) as i64;
                let lat: i64 = self.lat[from..to].iter().map(|v| *v as i64).sum();
                let lon: i64 = self.lon[from..to].iter().map(|v| *v as i64).sum();
                let mut counts = [0u32; 256];
                for a in &self.area[from..to] {
                    counts[*a as usize] += 1;
                }
                let (area, most) = counts
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
                    .expect("256 counts");
                District {
                    lat: (lat / n) as i32,
                    lon: (lon / n) as i32,
                    area: area as u8,
                    share: ((*most as i64 * 100) / n) as u8,
                }
            })
            .collect();
    }

    /// The index as compact bytes (gzipped), for storing an imported index in the database.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut raw = Vec::with_capacity(self.len() * 11 + self.outwards.len() * 8 + 1024);
        raw.extend_from_slice(MAGIC);
        put_str(&mut raw, &self.source);
        raw.extend_from_slice(&(self.areas.len() as u32).to_le_bytes());
        for a in &self.areas {
            put_str(&mut raw, a);
        }
        raw.extend_from_slice(&(self.outwards.len() as u32).to_le_bytes());
        for o in &self.outwards {
            raw.extend_from_slice(o);
        }
        for s in &self.starts {
            raw.extend_from_slice(&s.to_le_bytes());
        }
        for v in &self.inward {
            raw.extend_from_slice(&v.to_le_bytes());
        }
        for v in &self.lat {
            raw.extend_from_slice(&v.to_le_bytes());
        }
        for v in &self.lon {
            raw.extend_from_slice(&v.to_le_bytes());
        }
        raw.extend_from_slice(&self.area);
        let mut gz = flate2::write::GzEncoder::new(
            Vec::with_capacity(raw.len() / 3),
            flate2::Compression::fast(),
        );
        gz.write_all(&raw).expect("writing to memory");
        gz.finish().expect("writing to memory")
    }

    /// Reads [`to_bytes`](Self::to_bytes) output, checking every count and code.
    pub fn from_bytes(gz: &[u8]) -> anyhow::Result<PostcodeIndex> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut raw)
            .context("stored postcode index is not gzip")?;
        let mut r = Reader { b: &raw, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            bail!("not a stored postcode index");
        }
        let source = r.string()?;
        let n_areas = r.u32()? as usize;
        if n_areas > 255 {
            bail!("too many areas");
        }
        let areas = (0..n_areas)
            .map(|_| r.string())
            .collect::<anyhow::Result<Vec<_>>>()?;
        let n_out = r.u32()? as usize;
        let outwards: Vec<[u8; 4]> = r
            .take(n_out.checked_mul(4).context("size")?)?
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect();
        let starts: Vec<u32> = r
            .take((n_out + 1) * 4)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let m = *starts.last().context("no districts")? as usize;
        if starts.first() != Some(&0) || starts.windows(2).any(|w| w[0] > w[1]) {
            bail!("district ranges are out of order");
        }
        if outwards.windows(2).any(|w| w[0] >= w[1]) {
            bail!("districts are out of order");
        }
        let inward = r
            .take(m * 2)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let i32s = |b: &[u8]| -> Vec<i32> {
            b.chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let lat = i32s(r.take(m * 4)?);
        let lon = i32s(r.take(m * 4)?);
        let area = r.take(m)?.to_vec();
        if area.iter().any(|a| *a as usize >= areas.len()) {
            bail!("an entry refers to an unknown area");
        }
        let mut idx = PostcodeIndex {
            areas,
            outwards,
            starts,
            inward,
            lat,
            lon,
            area,
            districts: Vec::new(),
            source,
        };
        idx.summarise_districts();
        Ok(idx)
    }
}

const MAGIC: &[u8] = b"MMHA-POSTCODES-1\n";

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        let end = self.at.checked_add(n).context("size")?;
        let s = self
            .b
            .get(self.at..end)
            .context("stored index is cut short")?;
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> anyhow::Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> anyhow::Result<String> {
        let n = self.u32()? as usize;
        Ok(String::from_utf8(self.take(n)?.to_vec())?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::postcode::{parse, parse_exact};
    use super::*;

    fn small() -> PostcodeIndex {
        let mut b = Builder::default();
        let w = b.area_id("W11000029").unwrap();
        let e = b.area_id("E54000054").unwrap();
        b.push(parse_exact("CF10 3NQ").unwrap(), 51.48, -3.18, w);
        b.push(parse_exact("CF10 1AA").unwrap(), 51.47, -3.17, w);
        b.push(parse_exact("CF10 1AA").unwrap(), 0.0, 0.0, e);
        b.push(parse_exact("LS1 1AA").unwrap(), 53.8, -1.55, e);
        b.build("test")
    }

    #[test]
    fn finds_postcodes_and_districts() {
        let idx = small();
        assert_eq!(idx.len(), 3, "repeated postcode dropped");
        let hit = idx.get(&parse_exact("CF10 1AA").unwrap()).unwrap();
        assert_eq!((hit.area_code, hit.lat), ("W11000029", 51.47));
        assert!(idx.get(&parse_exact("CF10 9ZZ").unwrap()).is_none());
        let Ok(reading) = parse("cf10 9zz") else {
            panic!()
        };
        match idx.resolve(&reading) {
            Resolved::District {
                code,
                postcode_unknown,
                hit,
                ..
            } => {
                assert_eq!(code.display(), "CF10");
                assert!(postcode_unknown);
                assert_eq!(hit.area_code, "W11000029");
                assert!((hit.lat - 51.475).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(idx.resolve(&parse("ZZ1 1AA").unwrap()), Resolved::Unknown);
        assert_eq!(
            idx.nearest(53.81, -1.56, 5.0).unwrap().area_code,
            "E54000054"
        );
        assert!(idx.nearest(55.0, -1.56, 5.0).is_none(), "too far");
        assert_eq!(
            idx.resolve(&parse("JE2 3AB").unwrap()),
            Resolved::OutsideNhs
        );
        match idx.resolve(&parse("cf1o 3nq").unwrap()) {
            Resolved::Postcode {
                code, corrected, ..
            } => {
                assert_eq!(code.display(), "CF10 3NQ");
                assert!(corrected);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bytes_round_trip_and_damage_is_refused() {
        let idx = small();
        let bytes = idx.to_bytes();
        let back = PostcodeIndex::from_bytes(&bytes).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.source, "test");
        assert_eq!(
            back.get(&parse_exact("LS1 1AA").unwrap())
                .unwrap()
                .area_code,
            "E54000054"
        );
        assert!(PostcodeIndex::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        assert!(PostcodeIndex::from_bytes(b"nonsense").is_err());
    }
}
