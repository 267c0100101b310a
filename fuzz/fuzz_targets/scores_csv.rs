//! The scores importer: never panics; a refused file names, for every problem, a row that
//! is in the file (or the file itself) and a field; an accepted file, written back out, is
//! read back to the same scores.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mmha::atlas::import::check_scores;
use std::collections::HashMap;

fn last_row(input: &str) -> usize {
    input.matches(['\n', '\r']).count() + 2
}

fuzz_target!(|input: &str| {
    let mut areas = HashMap::new();
    areas.insert("W11000029".to_string(), false);
    areas.insert("E54000057".to_string(), true);
    match check_scores(input, &areas, 2030) {
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in &problems {
                assert!(!p.field.is_empty());
                assert!(p.row <= last_row(input), "row {} of a shorter file", p.row);
                assert!(p.row > 0 || p.field == "file", "{p:?}");
            }
        }
        Ok(scores) => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["area_code", "year", "level", "criteria", "note", "source"])
                .unwrap();
            for s in &scores {
                w.write_record([
                    s.area_code.clone(),
                    s.year.to_string(),
                    s.level.to_string(),
                    s.criteria.clone(),
                    s.note.clone(),
                    s.source.clone(),
                ])
                .unwrap();
            }
            let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let again = check_scores(&text, &areas, 2030).expect("written back, read back");
            assert_eq!(again, scores);
        }
    }
});
