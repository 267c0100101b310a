//! Checking a CSV of scores (`area_code,year,level,note,source`) before anything is
//! written: every problem is reported with its row and field, and the import is all or
//! nothing.

use std::collections::{HashMap, HashSet};

use super::store::NewScore;
use crate::web::Msg;

/// Largest accepted file.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Most rows in one import.
pub const MAX_ROWS: usize = 20_000;

/// A problem on one row (row 1 is the header, so data starts at row 2).
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub field: &'static str,
    pub message: Msg,
}

/// Parses and checks the whole file. `areas` maps known codes to whether they are retired.
pub fn check_scores(
    text: &str,
    areas: &HashMap<String, bool>,
    max_year: i64,
) -> Result<Vec<NewScore>, Vec<RowError>> {
    let err = |row, field, key: &'static str| RowError {
        row,
        field,
        message: Msg::new(key),
    };
    if text.len() > MAX_BYTES {
        return Err(vec![err(0, "file", "admin-import-too-big")]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.to_ascii_lowercase()).collect(),
        Err(_) => return Err(vec![err(1, "header", "admin-import-unreadable")]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_area), Some(c_year), Some(c_level)) = (col("area_code"), col("year"), col("level"))
    else {
        return Err(vec![err(1, "header", "admin-import-header")]);
    };
    let (c_note, c_source, c_criteria) = (col("note"), col("source"), col("criteria"));
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        if i >= MAX_ROWS {
            errors.push(err(row, "file", "admin-import-too-many-rows"));
            break;
        }
        let Ok(record) = record else {
            errors.push(err(row, "row", "admin-import-unreadable"));
            continue;
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        let area = get(Some(c_area)).to_uppercase();
        match areas.get(&area) {
            None => errors.push(RowError {
                row,
                field: "area_code",
                message: Msg::new("admin-import-unknown-area").arg("code", &area),
            }),
            Some(true) => errors.push(RowError {
                row,
                field: "area_code",
                message: Msg::new("admin-import-retired-area").arg("code", &area),
            }),
            Some(false) => {}
        }
        let year = get(Some(c_year))
            .parse::<i64>()
            .ok()
            .filter(|y| (2000..=max_year).contains(y));
        if year.is_none() {
            errors.push(RowError {
                row,
                field: "year",
                message: Msg::new("admin-import-year").arg("max", max_year),
            });
        }
        let level = get(Some(c_level))
            .parse::<i64>()
            .ok()
            .filter(|l| (0..=5).contains(l));
        if level.is_none() {
            errors.push(err(row, "level", "admin-import-level"));
        }
        let note = get(c_note);
        let source = get(c_source);
        let criteria = get(c_criteria);
        if note.chars().count() > 1000 || criteria.chars().count() > 1000 {
            errors.push(err(row, "note", "admin-import-note-long"));
        }
        if source.chars().count() > 500 {
            errors.push(err(row, "source", "admin-import-source-long"));
        }
        if let (Some(year), Some(level)) = (year, level) {
            if !seen.insert((area.clone(), year)) {
                errors.push(RowError {
                    row,
                    field: "area_code",
                    message: Msg::new("admin-import-duplicate")
                        .arg("code", &area)
                        .arg("year", year),
                });
            }
            out.push(NewScore {
                area_code: area,
                year,
                level,
                criteria,
                note,
                source,
            });
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(err(2, "file", "admin-import-empty"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> HashMap<String, bool> {
        [("W11000029".to_string(), false), ("OLD1".to_string(), true)].into()
    }

    #[test]
    fn good_file() {
        let csv = "area_code,year,level,note,source\nW11000029,2019,3,Improving,https://example.org\nw11000029 , 2021 , 4 ,,\n";
        let rows = check_scores(csv, &areas(), 2026).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].area_code, "W11000029");
        assert_eq!((rows[1].year, rows[1].level), (2021, 4));
    }

    #[test]
    fn every_problem_with_row_and_field() {
        let csv = "area_code,year,level,note,source\n\
                   NOPE,2019,3,,\n\
                   W11000029,1999,6,,\n\
                   OLD1,2019,2,,\n\
                   W11000029,2020,x,,\n\
                   W11000029,2021,1,,\n\
                   W11000029,2021,2,,\n";
        let e = check_scores(csv, &areas(), 2026).unwrap_err();
        let got: Vec<_> = e.iter().map(|e| (e.row, e.field, e.message.key)).collect();
        assert_eq!(
            got,
            [
                (2, "area_code", "admin-import-unknown-area"),
                (3, "year", "admin-import-year"),
                (3, "level", "admin-import-level"),
                (4, "area_code", "admin-import-retired-area"),
                (5, "level", "admin-import-level"),
                (7, "area_code", "admin-import-duplicate"),
            ]
        );
    }

    #[test]
    fn wrong_columns_and_empty_files() {
        assert_eq!(
            check_scores("code,yr,lvl\nA,1,2\n", &areas(), 2026).unwrap_err()[0].field,
            "header"
        );
        assert_eq!(
            check_scores("area_code,year,level\n", &areas(), 2026).unwrap_err()[0]
                .message
                .key,
            "admin-import-empty"
        );
        let huge = "x".repeat(MAX_BYTES + 1);
        assert_eq!(
            check_scores(&huge, &areas(), 2026).unwrap_err()[0]
                .message
                .key,
            "admin-import-too-big"
        );
    }
}
