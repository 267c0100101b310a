-- Lived-experience stories: what was submitted, the moderator's redacted version, the
-- consent given (scope and the wording's version), safeguarding flags and withdrawal.

-- scope: named (first name and town shown), anonymous, quotes (only quotes may be used),
-- internal (never published). status: pending, published, rejected, withdrawn.
-- A withdrawn story keeps no text or contact details, only what the audit log needs.
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    edited_title TEXT,
    edited_body TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    town TEXT NOT NULL DEFAULT '',
    nation TEXT NOT NULL DEFAULT '',
    teller TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL CHECK (scope IN ('named', 'anonymous', 'quotes', 'internal')),
    consent_version TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'published', 'rejected', 'withdrawn')),
    flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    flag_phrases TEXT NOT NULL DEFAULT '',
    reject_reason TEXT NOT NULL DEFAULT '',
    withdraw_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER,
    withdrawn_at INTEGER
);
CREATE INDEX stories_queue ON stories (status, flagged, created_at);
CREATE INDEX stories_published ON stories (status, published_at);
