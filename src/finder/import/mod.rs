//! `mmha import postcodes FILE.csv`: a new postcode index from the ONS Postcode Directory
//! (ONSPD), the National Statistics Postcode Lookup (NSPL) or the shipped
//! `postcode,lat,lon,area_code` format, as published (plain or gzipped CSV).
//!
//! Columns are found by name in the header. Terminated postcodes (`doterm` set) are skipped.
//! The health area comes from the file where a column holds a code of a current area (`icb`
//! for England; `oshlthau`/`hlthau` for Wales and Scotland), and from the position (point in
//! the area's boundary) otherwise, as for Northern Ireland's trusts, which have no code in
//! the ONS files. The whole index is built in memory, then stored in one transaction that
//! also removes the old one: lookups use the old index until the new one is complete.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::Arc;

use super::index::{Builder, PostcodeIndex};
use super::postcode;
use crate::atlas::Atlas;

pub mod store;

/// Header names, in the order they are tried.
const POSTCODE_COLUMNS: &[&str] = &["pcds", "pcd", "pcd2", "postcode"];

const LAT_COLUMNS: &[&str] = &["lat", "latitude"];

const LON_COLUMNS: &[&str] = &["long", "lon", "longitude"];

const TERMINATED_COLUMNS: &[&str] = &["doterm"];

/// Columns that may hold a health-area code: ICB (England), LHB / health board (Wales,
/// Scotland), or the shipped format's own column.
const AREA_COLUMNS: &[&str] = &[
    "area_code",
    "icb",
    "icb23cd",
    "icb24cd",
    "icb25cd",
    "hlthau",
    "oshlthau",
    "lhb",
    "hb",
];

/// What an import read and did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub rows: u64,
    pub imported: u64,
    pub terminated: u64,
    pub no_position: u64,
    /// Positions outside every current health area (Channel Islands, Isle of Man, at sea).
    pub outside: u64,
    /// Rows whose postcode is not in the standard shape (e.g. `GIR 0AA`), with a few examples.
    pub not_standard: u64,
    pub not_standard_examples: Vec<(u64, String)>,
    pub area_from_file: u64,
    pub area_from_position: u64,
    pub per_nation: BTreeMap<String, u64>,
    /// Which header columns were used.
    pub columns: Vec<String>,
}

impl Summary {
    pub fn lines(&self) -> Vec<String> {
        let mut v = vec![
            format!("rows read: {}", self.rows),
            format!("postcodes imported: {}", self.imported),
            format!(
                "health area from the file: {}, from the position: {}",
                self.area_from_file, self.area_from_position
            ),
            format!("skipped, terminated: {}", self.terminated),
            format!("skipped, no position: {}", self.no_position),
            format!(
                "skipped, outside the four nations' health areas: {}",
                self.outside
            ),
        ];
        if self.not_standard > 0 {
            let ex: Vec<String> = self
                .not_standard_examples
                .iter()
                .map(|(row, pc)| format!("row {row} “{pc}”"))
                .collect();
            v.push(format!(
                "skipped, not a standard postcode: {} (e.g. {})",
                self.not_standard,
                ex.join(", ")
            ));
        }
        for (nation, n) in &self.per_nation {
            v.push(format!("  {nation}: {n}"));
        }
        v.push(format!("columns used: {}", self.columns.join(", ")));
        v
    }
}

/// Why nothing was imported: the row (1 = header) and column at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportError {
    pub row: u64,
    pub field: String,
    pub message: String,
}

impl std::error::Error for ImportError {}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, {}: {}", self.row, self.field, self.message)
    }
}

fn err(row: u64, field: &str, message: impl Into<String>) -> ImportError {
    ImportError {
        row,
        field: field.to_string(),
        message: message.into(),
    }
}

/// Rows that may be skipped as "not a standard postcode" before the file is judged to be
/// the wrong kind of file.
fn tolerated_odd_rows(rows: u64) -> u64 {
    (rows / 100).max(100)
}

/// Reads a postcode file into a new index. `progress` is called every 100,000 rows.
pub fn read(
    input: impl Read,
    atlas: &Atlas,
    source: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<(PostcodeIndex, Summary), ImportError> {
    let mut input = std::io::BufReader::with_capacity(1 << 20, input);
    let gz = {
        let head = std::io::BufRead::fill_buf(&mut input)
            .map_err(|e| err(0, "file", format!("cannot read: {e}")))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    let input: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(input))
    } else {
        Box::new(input)
    };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header: Vec<String> = csv
        .byte_headers()
        .map_err(|e| err(1, "header", format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h == n))
    };
    let col_pc = find(POSTCODE_COLUMNS).ok_or_else(|| {
        err(
            1,
            "header",
            "no postcode column (looked for pcds, pcd, pcd2, postcode)",
        )
    })?;
    let col_lat = find(LAT_COLUMNS)
        .ok_or_else(|| err(1, "header", "no latitude column (looked for lat, latitude)"))?;
    let col_lon = find(LON_COLUMNS).ok_or_else(|| {
        err(
            1,
            "header",
            "no longitude column (looked for long, lon, longitude)",
        )
    })?;
    let col_term = find(TERMINATED_COLUMNS);
    let area_cols: Vec<usize> = AREA_COLUMNS
        .iter()
        .filter_map(|n| header.iter().position(|h| h == n))
        .collect();
    let mut summary = Summary {
        columns: [Some(col_pc), Some(col_lat), Some(col_lon), col_term]
            .into_iter()
            .flatten()
            .chain(area_cols.iter().copied())
            .map(|i| header[i].clone())
            .collect(),
        ..Summary::default()
    };
    let known: HashMap<&str, &str> = atlas
        .areas
        .iter()
        .map(|a| (a.code.as_str(), a.nation.as_str()))
        .collect();
    let mut builder = Builder::with_capacity(1 << 20);
    let mut ids: HashMap<String, u8> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut row: u64 = 1;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(err(row + 1, "file", format!("not valid CSV: {e}"))),
        }
        row += 1;
        summary.rows += 1;
        if summary.rows.is_multiple_of(100_000) {
            progress(summary.rows);
        }
        let field = |i: usize| {
            record
                .get(i)
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default()
        };
        if let Some(t) = col_term
            && !field(t).is_empty()
        {
            summary.terminated += 1;
            continue;
        }
        let pc_text = field(col_pc);
        let Some(code) = postcode::parse_exact(&pc_text) else {
            if pc_text.is_empty() {
                return Err(err(row, &header[col_pc], "the postcode is empty"));
            }
            summary.not_standard += 1;
            if summary.not_standard_examples.len() < 5 {
                summary.not_standard_examples.push((row, pc_text));
            }
            if summary.not_standard > tolerated_odd_rows(summary.rows) {
                let (first_row, first) = summary.not_standard_examples[0].clone();
                return Err(err(
                    first_row,
                    &header[col_pc],
                    format!(
                        "“{first}” and too many others are not UK postcodes: is this the right file?"
                    ),
                ));
            }
            continue;
        };
        let number = |i: usize| -> Result<Option<f64>, ImportError> {
            let v = field(i);
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>()
                .map(Some)
                .map_err(|_| err(row, &header[i], format!("“{v}” is not a number")))
        };
        let (lat, lon) = (number(col_lat)?, number(col_lon)?);
        // ONSPD writes 99.999999, 0.000000 for postcodes without a grid reference.
        let (Some(lat), Some(lon)) = (lat, lon) else {
            summary.no_position += 1;
            continue;
        };
        if !(49.0..=61.5).contains(&lat) || !(-9.0..=2.5).contains(&lon) {
            summary.no_position += 1;
            continue;
        }
        let from_file = area_cols.iter().find_map(|&i| {
            let v = field(i);
            known.get_key_value(v.as_str()).map(|(k, n)| (*k, *n))
        });
        let (area, nation) = match from_file {
            Some(found) => {
                summary.area_from_file += 1;
                found
            }
            None => match atlas.area_at(lon, lat) {
                Some(a) => {
                    summary.area_from_position += 1;
                    (a.code.as_str(), a.nation.as_str())
                }
                None => {
                    summary.outside += 1;
                    continue;
                }
            },
        };
        let id = match ids.get(area) {
            Some(id) => *id,
            None => {
                let id = builder
                    .area_id(area)
                    .map_err(|e| err(row, "area", e.to_string()))?;
                ids.insert(area.to_string(), id);
                id
            }
        };
        *summary.per_nation.entry(nation.to_string()).or_default() += 1;
        builder.push(code, lat, lon, id);
    }
    if builder.is_empty() {
        return Err(err(
            row,
            "file",
            "no live postcodes with a position in the four nations' health areas",
        ));
    }
    let idx = builder.build(source);
    summary.imported = idx.len() as u64;
    Ok((idx, summary))
}
