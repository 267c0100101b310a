//! Integration tests: the real router over a real database, SQLite by default and
//! PostgreSQL when `MMHA_TEST_DATABASE_URL` is set (see `scripts/test`).

mod admin;
mod analytics;
mod atlas;
mod auth;
mod campaigns;
mod cli;
mod cms;
mod enquiries;
mod finder;
mod harness;
mod mail_intake;
mod mailing;
mod members;
mod oruk;
mod people;
mod pictures;
mod processes;
mod public;
mod roster;
mod safeguarding;
mod schema;
mod security;
mod stories;
mod two_factor;
mod welsh;
