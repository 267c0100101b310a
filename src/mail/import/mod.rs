//! Bringing addresses in from elsewhere: a CSV of people who already agreed to hear from
//! the alliance (checked in full first: every problem reported with its row and field, and
//! nothing written unless the whole file is good), and bounce reports (DSNs) that mark
//! addresses which can no longer receive mail.
//!
//! Neither can undo a person's own choice: an import never subscribes an address that
//! unsubscribed, was erased or bounced (the suppression list holds only hashes, so this
//! works even after erasure).

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::list::{self, AUDIENCES, TOPICS, email_hash};
use crate::atlas::import::RowError;
use crate::site::settings::NATIONS;
use crate::web::Msg;

pub mod store;

const COLUMNS: &[&str] = &[
    "email",
    "name",
    "nation",
    "audience",
    "language",
    "topics",
    "consented",
];

/// Largest subscriber file accepted.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most rows in one subscriber file.
pub const MAX_ROWS: usize = 500_000;

/// One good row of a subscriber file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub email: String,
    pub name: String,
    pub nation: String,
    pub audience: String,
    pub lang: String,
    /// Comma-separated topic codes, as stored.
    pub topics: String,
    /// When they gave consent, if the file says.
    pub consented_at: Option<i64>,
}

/// What an import will do (or did) with each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new subscriber, confirmed.
    Add,
    /// Signed up here but never confirmed: confirmed by the import's consent.
    Confirm,
    /// Already subscribed: left as they are (their own preferences win).
    Already,
    /// Unsubscribed, erased or undeliverable: never subscribed again by an import.
    Suppressed,
    /// The same address earlier in the file.
    Duplicate,
}

/// Counts of each outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub add: usize,
    pub confirm: usize,
    pub already: usize,
    pub suppressed: usize,
    pub duplicate: usize,
}

impl Summary {
    fn count(&mut self, o: Outcome) {
        match o {
            Outcome::Add => self.add += 1,
            Outcome::Confirm => self.confirm += 1,
            Outcome::Already => self.already += 1,
            Outcome::Suppressed => self.suppressed += 1,
            Outcome::Duplicate => self.duplicate += 1,
        }
    }
}

/// A header cell's column, accepting the names the export uses and common variants.
fn column(header: &str) -> Option<&'static str> {
    let h = header.trim().to_lowercase().replace([' ', '-'], "_");
    Some(match h.as_str() {
        "email" | "email_address" | "e_mail" => "email",
        "name" | "full_name" => "name",
        "nation" | "country" => "nation",
        "audience" => "audience",
        "language" | "lang" => "language",
        "topics" => "topics",
        "consented" | "consented_at" | "consent_date" | "signed_up" | "confirmed" => "consented",
        _ => return None,
    })
}

fn nation_code(v: &str) -> Option<String> {
    let v = v.trim().to_lowercase().replace(' ', "-");
    let v = match v.as_str() {
        "cymru" => "wales".to_string(),
        "ni" => "northern-ireland".to_string(),
        _ => v,
    };
    NATIONS.contains(&v.as_str()).then_some(v)
}

fn lang_code(v: &str) -> Option<&'static str> {
    match v.trim().to_lowercase().as_str() {
        "" | "en" | "english" | "saesneg" => Some("en"),
        "cy" | "welsh" | "cymraeg" => Some("cy"),
        _ => None,
    }
}

/// Parses a date as `2026-05-04` or `04/05/2026` (UK order), or the export's
/// `2026-05-04 10:30`.
fn parse_day(v: &str) -> Option<i64> {
    let v = v.trim();
    let day = v.split([' ', 'T']).next().unwrap_or(v);
    if let Some(t) = crate::uktime::parse_date(day) {
        return Some(t);
    }
    let mut parts = day.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    crate::uktime::parse_date(&format!("{y}-{m:0>2}-{d:0>2}"))
}

/// Checks a whole subscriber file. `now` bounds consent dates (none in the future).
pub fn check_csv(text: &str, now: i64) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let err = |row, field, message| RowError {
        row,
        field,
        message,
    };
    if text.len() > MAX_BYTES {
        return Err(vec![err(
            0,
            "file",
            Msg::new("admin-subscribers-import-too-big"),
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(_) => return Err(vec![err(1, "file", Msg::new("admin-import-unreadable"))]),
    };
    let mut errors = Vec::new();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        match column(h) {
            Some(c) if !index.contains_key(c) => {
                index.insert(c, i);
            }
            Some(c) => errors.push(err(
                1,
                c,
                Msg::new("admin-subscribers-import-column-twice").arg("column", h),
            )),
            None => errors.push(err(
                1,
                "header",
                Msg::new("admin-subscribers-import-unknown-column")
                    .arg("column", h)
                    .arg("known", COLUMNS.join(", ")),
            )),
        }
    }
    if !index.contains_key("email") {
        errors.push(err(1, "email", Msg::new("admin-subscribers-import-header")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        // As a spreadsheet numbers rows (an empty row exported as ",,," counts).
        let row = i + 2;
        if i >= MAX_ROWS {
            errors.push(err(
                row,
                "file",
                Msg::new("admin-subscribers-import-too-many"),
            ));
            break;
        }
        let Ok(record) = record else {
            errors.push(err(row, "row", Msg::new("admin-import-unreadable")));
            continue;
        };
        if record.iter().all(|c| c.is_empty()) {
            continue;
        }
        let cell = |c: &str| {
            index
                .get(c)
                .and_then(|&i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        let before = errors.len();
        let email = match list::normalise_email(&cell("email")) {
            Ok(e) => e,
            Err(key) => {
                errors.push(err(row, "email", Msg::new(key)));
                String::new()
            }
        };
        let name = cell("name");
        if name.chars().count() > 100 {
            errors.push(err(row, "name", Msg::new("subscribe-error-name-long")));
        } else if name.chars().any(char::is_control) {
            errors.push(err(
                row,
                "name",
                Msg::new("admin-subscribers-import-control"),
            ));
        }
        let nation = match cell("nation") {
            n if n.is_empty() => String::new(),
            n => nation_code(&n).unwrap_or_else(|| {
                errors.push(err(
                    row,
                    "nation",
                    Msg::new("admin-subscribers-import-choice")
                        .arg("value", &n)
                        .arg("allowed", NATIONS.join(", ")),
                ));
                String::new()
            }),
        };
        let audience = match cell("audience").to_lowercase() {
            a if a.is_empty() => String::new(),
            a if AUDIENCES.contains(&a.as_str()) => a,
            a => {
                errors.push(err(
                    row,
                    "audience",
                    Msg::new("admin-subscribers-import-choice")
                        .arg("value", &a)
                        .arg("allowed", AUDIENCES.join(", ")),
                ));
                String::new()
            }
        };
        let lang = lang_code(&cell("language")).unwrap_or_else(|| {
            errors.push(err(
                row,
                "language",
                Msg::new("admin-subscribers-import-choice")
                    .arg("value", cell("language"))
                    .arg("allowed", "en, cy"),
            ));
            "en"
        });
        let mut topics: Vec<&str> = Vec::new();
        for t in cell("topics").split([';', ',']).map(str::trim) {
            let t = t.to_lowercase();
            match TOPICS.iter().find(|x| **x == t) {
                Some(x) if !topics.contains(x) => topics.push(x),
                Some(_) => {}
                None if t.is_empty() => {}
                None => errors.push(err(
                    row,
                    "topics",
                    Msg::new("admin-subscribers-import-choice")
                        .arg("value", &t)
                        .arg("allowed", TOPICS.join("; ")),
                )),
            }
        }
        if topics.is_empty() {
            topics.push("ebulletin");
        }
        // Stored in the canonical order, like the sign-up form.
        let topics = TOPICS
            .iter()
            .filter(|t| topics.contains(t))
            .copied()
            .collect::<Vec<_>>()
            .join(",");
        let consented_at = match cell("consented") {
            c if c.is_empty() => None,
            c => match parse_day(&c) {
                Some(t) if t <= now => Some(t),
                Some(_) => {
                    errors.push(err(
                        row,
                        "consented",
                        Msg::new("admin-subscribers-import-future"),
                    ));
                    None
                }
                None => {
                    errors.push(err(
                        row,
                        "consented",
                        Msg::new("admin-subscribers-import-date").arg("value", &c),
                    ));
                    None
                }
            },
        };
        if errors.len() == before {
            rows.push(ImportRow {
                row,
                email,
                name,
                nation,
                audience,
                lang: lang.to_string(),
                topics,
                consented_at,
            });
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(err(0, "file", Msg::new("admin-subscribers-import-empty")));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// New subscribers per INSERT statement (8 values each, well under every parameter limit).
const BATCH: usize = 400;

/// One recipient's outcome in a delivery status notification (RFC 3464).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// Identifies this report and recipient, so the same report is counted once.
    pub key: String,
    pub email: String,
    /// A permanent failure (`Action: failed`, status 5.x.x).
    pub hard: bool,
    /// The enhanced status code, e.g. `5.1.1`.
    pub status: String,
}

/// Splits an mbox into messages; a single message (an `.eml`) is one message.
fn messages(text: &str) -> Vec<&str> {
    let text = text.trim_start_matches('\u{feff}');
    if !text.starts_with("From ") {
        return vec![text];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let after_blank = text[..pos].ends_with("\n\n") || text[..pos].ends_with("\r\n\r\n");
        if pos > 0 && line.starts_with("From ") && after_blank {
            out.push(&text[start..pos]);
            start = pos;
        }
        pos += line.len();
    }
    out.push(&text[start..]);
    out
}

/// The address in a `Final-Recipient: rfc822; someone@example.org` value.
fn recipient(value: &str) -> Option<String> {
    let v = value.split_once(';').map_or(value, |(_, a)| a);
    let v = v.trim().trim_start_matches('<').trim_end_matches('>');
    list::normalise_email(v).ok()
}

/// Reads the bounces out of a mailbox of delivery status notifications. Each recipient
/// block of a `message/delivery-status` part (`Final-Recipient`, `Action`, `Status`) is one
/// bounce; `Action: delayed` and 4.x.x statuses are soft. Messages that are not DSNs are
/// ignored.
pub fn parse_bounces(text: &str) -> Vec<Bounce> {
    let mut out = Vec::new();
    for message in messages(text) {
        // The report's identity: its own Message-ID, or its text.
        let id = message
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case("message-id"))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| hex(&Sha256::digest(message.as_bytes())));
        let mut current: (Option<String>, String, String) = (None, String::new(), String::new());
        let flush = |c: &mut (Option<String>, String, String), out: &mut Vec<Bounce>| {
            if let Some(email) = c.0.take() {
                let action = std::mem::take(&mut c.1).to_lowercase();
                let status = std::mem::take(&mut c.2);
                let hard = action == "failed" && !status.starts_with('4');
                if action == "failed" || action == "delayed" {
                    let key = hex(&Sha256::digest(format!("{id}\n{email}").as_bytes()));
                    if !out.iter().any(|b: &Bounce| b.key == key) {
                        out.push(Bounce {
                            key,
                            email,
                            hard,
                            status,
                        });
                    }
                }
            } else {
                c.1.clear();
                c.2.clear();
            }
        };
        for line in message.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with("--") {
                flush(&mut current, &mut out);
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v = v.trim();
            if k.eq_ignore_ascii_case("final-recipient") {
                flush(&mut current, &mut out);
                current.0 = recipient(v);
            } else if k.eq_ignore_ascii_case("action") && current.0.is_some() {
                current.1 = v.split_whitespace().next().unwrap_or("").to_string();
            } else if k.eq_ignore_ascii_case("status") && current.0.is_some() {
                current.2 = v.split_whitespace().next().unwrap_or("").to_string();
            }
        }
        flush(&mut current, &mut out);
    }
    out
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// What processing a mailbox of bounces did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BounceReport {
    pub hard: usize,
    pub soft: usize,
    /// Already counted by an earlier run.
    pub repeated: usize,
    /// Addresses newly marked undeliverable.
    pub undeliverable: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn a_good_file_is_read_with_the_names_spreadsheets_use() {
        let csv = "\u{feff}Email Address,Name,Nation,Audience,Language,Topics,Consented\n\
            Parent@Example.com,Ann,Wales,parent,Cymraeg,policy; events,04/05/2026\n\
            ,,,,,,\n\
            pro@example.org,,northern ireland,,,,\n";
        let rows = check_csv(csv, NOW).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].email, "parent@example.com");
        assert_eq!(rows[0].nation, "wales");
        assert_eq!(rows[0].lang, "cy");
        assert_eq!(rows[0].topics, "policy,events");
        assert_eq!(
            rows[0].consented_at,
            crate::uktime::parse_date("2026-05-04"),
            "UK day order"
        );
        assert_eq!(
            rows[1].row, 4,
            "rows are numbered as a spreadsheet shows them"
        );
        assert_eq!(rows[1].nation, "northern-ireland");
        assert_eq!(rows[1].topics, "ebulletin", "no topics means the eBulletin");
        assert_eq!(rows[1].lang, "en");
    }

    #[test]
    fn every_problem_is_reported_with_its_row_and_field() {
        let csv = "email,name,nation,audience,topics,consented\n\
            not-an-address,Ann,wales,parent,,\n\
            ok@example.com,\"Eve\r\nBcc: x@evil.example\",mars,robot,gossip,2099-01-01\n\
            ok2@example.com,,,,,yesterday\n";
        let errors = check_csv(csv, NOW).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.field)).collect();
        assert_eq!(
            got,
            vec![
                (2, "email"),
                (3, "name"),
                (3, "nation"),
                (3, "audience"),
                (3, "topics"),
                (3, "consented"),
                (4, "consented"),
            ]
        );
        let e = check_csv("mail,name\nx@example.com,X\n", NOW).unwrap_err();
        assert_eq!((e[0].row, e[0].field), (1, "header"));
        assert!(e.iter().any(|e| e.field == "email"), "email column missing");
        assert_eq!(check_csv("email\n", NOW).unwrap_err()[0].field, "file");
    }

    const DSN: &str = "From MAILER-DAEMON Mon Nov 30 10:00:00 2026\n\
Message-ID: <dsn-1@mx.example.net>\n\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n\
Subject: Undelivered Mail Returned to Sender\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\n\
\n\
--B1\n\
Content-Type: text/plain\n\
\n\
I'm sorry to have to inform you that your message could not be delivered.\n\
From the postmaster\n\
\n\
--B1\n\
Content-Type: message/delivery-status\n\
\n\
Reporting-MTA: dns; mx.example.net\n\
\n\
Final-Recipient: rfc822; Gone@Example.com\n\
Original-Recipient: rfc822;gone@example.com\n\
Action: failed\n\
Status: 5.1.1 (user unknown)\n\
\n\
Final-Recipient: rfc822; full@example.com\n\
Action: delayed\n\
Status: 4.2.2\n\
\n\
--B1--\n\
\n\
From MAILER-DAEMON Mon Nov 30 11:00:00 2026\n\
Subject: not a bounce\n\
\n\
Final-Recipient: is mentioned in prose only\n";

    #[test]
    fn bounces_are_read_from_an_mbox_of_delivery_reports() {
        let b = parse_bounces(DSN);
        assert_eq!(b.len(), 2, "{b:?}");
        assert_eq!(
            (b[0].email.as_str(), b[0].hard, b[0].status.as_str()),
            ("gone@example.com", true, "5.1.1")
        );
        assert_eq!(
            (b[1].email.as_str(), b[1].hard),
            ("full@example.com", false)
        );
        assert_eq!(parse_bounces(DSN), b, "the same report gives the same keys");
        assert_ne!(b[0].key, b[1].key);
        // One report as a single .eml file.
        let eml = DSN.split("\n\nFrom MAILER").next().unwrap();
        let eml = eml.split_once('\n').unwrap().1;
        assert_eq!(parse_bounces(eml).len(), 2);
    }
}
