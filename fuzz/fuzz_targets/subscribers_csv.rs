//! The subscriber importer: never panics; a refused file names, for every problem, a row
//! that is in the file (or the file itself) and a field; an accepted file, written back out
//! as the export writes it, is read back to the same subscribers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mmha::mail::import::{ImportRow, check_csv};

const NOW: i64 = 1_800_000_000;

/// The highest row number a file can have: the header is row 1, and every line ending
/// (`\n`, `\r` or both) can start a new record.
fn last_row(input: &str) -> usize {
    input.matches(['\n', '\r']).count() + 2
}

fn write_back(rows: &[ImportRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email", "name", "nation", "audience", "language", "topics", "consented",
    ])
    .unwrap();
    for r in rows {
        let consented = r.consented_at.map(mmha::uktime::local_day).unwrap_or_default();
        w.write_record([
            &r.email, &r.name, &r.nation, &r.audience, &r.lang, &r.topics, &consented,
        ])
        .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fuzz_target!(|input: &str| {
    match check_csv(input, NOW) {
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in &problems {
                assert!(!p.field.is_empty());
                assert!(p.row <= last_row(input), "row {} of a shorter file", p.row);
                assert!(p.row > 0 || p.field == "file", "{p:?}");
            }
        }
        Ok(rows) => {
            assert!(!rows.is_empty());
            let again = check_csv(&write_back(&rows), NOW).expect("written back, read back");
            assert_eq!(again.len(), rows.len());
            for (a, b) in rows.iter().zip(&again) {
                assert_eq!(
                    ImportRow { row: 0, ..a.clone() },
                    ImportRow { row: 0, ..b.clone() }
                );
            }
        }
    }
});
