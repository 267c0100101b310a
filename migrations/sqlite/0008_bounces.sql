-- Bounce reports already counted: one row per (report, recipient), keyed by a digest, so
-- processing the same mailbox twice does not count a bounce twice. The address is kept
-- only as its SHA-256 hash, like the suppression list.
CREATE TABLE mail_bounces (
    report_key TEXT PRIMARY KEY,
    email_hash TEXT NOT NULL,
    hard INTEGER NOT NULL CHECK (hard IN (0, 1)),
    status TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);
CREATE INDEX mail_bounces_email ON mail_bounces (email_hash);
