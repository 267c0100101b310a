//! The two migration trees (`migrations/sqlite`, `migrations/postgres`) build the same
//! schema: a fresh SQLite and a fresh PostgreSQL database are migrated and compared table
//! by table (columns, their kind of type, nullability, kind of default) and index by index
//! (columns and uniqueness), with the known differences between the dialects listed here.
//! Needs PostgreSQL: it runs in the PostgreSQL pass of `scripts/test` (mandatory in CI).

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::{FreshDb, pg_base_url};
use mmha::db::Db;

/// Tables only one dialect has, for the same purpose: SQLite's full-text index is an FTS5
/// virtual table (with its shadow tables), PostgreSQL's a table with a `tsvector`.
const ONLY_SQLITE: &[&str] = &[
    "search_fts",
    "search_fts_config",
    "search_fts_content",
    "search_fts_data",
    "search_fts_docsize",
    "search_fts_idx",
];
const ONLY_POSTGRES: &[&str] = &["search_docs"];

/// Integer primary keys whose values the app gives itself. In SQLite every INTEGER PRIMARY
/// KEY would number itself if left out; in PostgreSQL these are plain keys.
const KEYS_GIVEN_BY_THE_APP: &[&str] = &[
    "content_version.id",
    "score_levels.level",
    "user_totp.user_id",
];

/// A column as both dialects can be compared: its kind of type, whether it may be NULL,
/// and its kind of default.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Column {
    kind: &'static str,
    nullable: bool,
    default: &'static str,
}

/// An index: its columns in order and whether it is unique (names are the dialects' own
/// for constraint indexes, so they are not compared).
type Index = (Vec<String>, bool);

#[derive(Debug, Default)]
struct Schema {
    tables: BTreeMap<String, BTreeMap<String, Column>>,
    indexes: BTreeMap<String, BTreeSet<Index>>,
}

fn type_kind(t: &str) -> &'static str {
    let t = t.to_ascii_lowercase();
    if t.contains("int") || t == "boolean" {
        "integer"
    } else if t.contains("char") || t == "text" || t.is_empty() {
        "text"
    } else if t.contains("real") || t.contains("double") || t.contains("numeric") {
        "real"
    } else if t == "blob" || t == "bytea" {
        "bytes"
    } else {
        "other"
    }
}

fn default_kind(d: Option<&str>) -> &'static str {
    let Some(d) = d.map(str::trim) else {
        return "none";
    };
    let d = d.trim_start_matches('(').trim_end_matches(')');
    // PostgreSQL writes casts: '' ::text, 0::bigint.
    let d = d.split("::").next().unwrap_or(d).trim();
    if d.eq_ignore_ascii_case("null") {
        "none"
    } else if d.starts_with('\'') {
        if d == "''" { "empty text" } else { "text" }
    } else if d.parse::<f64>().is_ok() {
        if d.parse::<f64>() == Ok(0.0) {
            "zero"
        } else {
            "number"
        }
    } else if d.eq_ignore_ascii_case("true") {
        "number"
    } else if d.eq_ignore_ascii_case("false") {
        "zero"
    } else {
        "expression"
    }
}

async fn sqlite_schema(db: &Db) -> Schema {
    let pool = &db.pool;
    let mut s = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for t in tables {
        let cols: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1)",
        )
        .bind(&t)
        .fetch_all(pool)
        .await
        .unwrap();
        let single_pk = cols.iter().filter(|c| c.4 > 0).count() == 1;
        let mut columns = BTreeMap::new();
        for (name, ty, notnull, default, pk) in cols {
            // An INTEGER PRIMARY KEY is the row id: never NULL, numbered by the database.
            let rowid = pk > 0
                && single_pk
                && ty.eq_ignore_ascii_case("integer")
                && !KEYS_GIVEN_BY_THE_APP.contains(&format!("{t}.{name}").as_str());
            columns.insert(
                name,
                Column {
                    kind: type_kind(&ty),
                    nullable: notnull == 0 && pk == 0,
                    default: if rowid {
                        "generated id"
                    } else {
                        default_kind(default.as_deref())
                    },
                },
            );
        }
        let list: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&t)
                .fetch_all(pool)
                .await
                .unwrap();
        let mut indexes = BTreeSet::new();
        for (name, unique, origin) in list {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let cols = cols
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "(expression)".into()))
                .collect();
            indexes.insert((cols, unique == 1));
        }
        s.tables.insert(t.clone(), columns);
        s.indexes.insert(t, indexes);
    }
    s
}

async fn postgres_schema(db: &Db) -> Schema {
    let pool = &db.pool;
    let mut s = Schema::default();
    let cols: Vec<(String, String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
         c.is_nullable::text, c.column_default::text, c.is_identity::text \
         FROM information_schema.columns c JOIN information_schema.tables t \
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
         AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, name, ty, nullable, default, identity) in cols {
        s.tables.entry(table).or_default().insert(
            name,
            Column {
                kind: type_kind(&ty),
                nullable: nullable == "YES",
                default: if identity == "YES" {
                    "generated id"
                } else {
                    default_kind(default.as_deref())
                },
            },
        );
    }
    let defs: Vec<(String, String)> = sqlx::query_as(
        "SELECT tablename::text, indexdef::text FROM pg_indexes \
         WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' \
         AND indexname NOT LIKE '%\\_pkey'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, def) in defs {
        let unique = def.starts_with("CREATE UNIQUE");
        // "... USING btree (a, b)" or "... USING gin (tsv)", maybe "... WHERE ...".
        let open = def
            .find(" USING ")
            .and_then(|i| def[i..].find('(').map(|j| i + j));
        let cols = open
            .and_then(|o| {
                let inner = &def[o + 1..];
                inner.find(')').map(|e| &inner[..e])
            })
            .unwrap_or("")
            .split(',')
            .map(|c| {
                let c = c.trim().trim_matches('"');
                if c.contains('(') || c.contains(' ') {
                    "(expression)".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        s.indexes.entry(table).or_default().insert((cols, unique));
    }
    s
}

#[tokio::test]
async fn both_migration_trees_build_the_same_schema() {
    if pg_base_url().is_none() {
        eprintln!("SKIPPED: schema comparison (runs in the PostgreSQL pass)");
        return;
    }
    let pg_fresh = FreshDb::new().await;
    let pg = Db::connect(&pg_fresh.url).await.unwrap();
    pg.migrate().await.unwrap();
    let dir = std::env::temp_dir().join(format!("mmha-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lite = Db::connect(&mmha::db::default_sqlite_url(&dir))
        .await
        .unwrap();
    lite.migrate().await.unwrap();
    let (a, b) = (sqlite_schema(&lite).await, postgres_schema(&pg).await);
    let _ = std::fs::remove_dir_all(&dir);

    let only = |x: &Schema, y: &Schema| -> Vec<String> {
        x.tables
            .keys()
            .filter(|t| !y.tables.contains_key(*t))
            .cloned()
            .collect()
    };
    assert_eq!(only(&a, &b), ONLY_SQLITE, "tables only SQLite has");
    assert_eq!(only(&b, &a), ONLY_POSTGRES, "tables only PostgreSQL has");
    assert!(a.tables.len() > 50, "read the tables: {}", a.tables.len());
    let indexes = |s: &Schema| s.indexes.values().map(BTreeSet::len).sum::<usize>();
    assert!(indexes(&a) > 40, "read SQLite's indexes: {}", indexes(&a));
    assert!(
        indexes(&b) > 40,
        "read PostgreSQL's indexes: {}",
        indexes(&b)
    );

    let mut problems = Vec::new();
    for (table, cols) in &a.tables {
        let Some(other) = b.tables.get(table) else {
            continue;
        };
        for (name, col) in cols {
            match other.get(name) {
                None => problems.push(format!("{table}.{name}: only in SQLite")),
                Some(o) if o != col => {
                    problems.push(format!("{table}.{name}: SQLite {col:?}, PostgreSQL {o:?}"))
                }
                _ => {}
            }
        }
        for name in other.keys().filter(|n| !cols.contains_key(*n)) {
            problems.push(format!("{table}.{name}: only in PostgreSQL"));
        }
        let (ia, ib) = (
            a.indexes.get(table).cloned().unwrap_or_default(),
            b.indexes.get(table).cloned().unwrap_or_default(),
        );
        for i in ia.difference(&ib) {
            problems.push(format!("{table}: index {i:?} only in SQLite"));
        }
        for i in ib.difference(&ia) {
            problems.push(format!("{table}: index {i:?} only in PostgreSQL"));
        }
    }
    assert!(
        problems.is_empty(),
        "the migration trees differ:\n{}",
        problems.join("\n")
    );
}
