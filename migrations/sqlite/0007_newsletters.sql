-- Newsletters (the eBulletin): segments of the list, issues, and one row per recipient of
-- each send, which is what makes a send resumable without sending anyone a copy twice.

-- A saved filter over confirmed subscribers. Empty fields match everyone; dates are unix
-- seconds (0 for no bound).
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    nation TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    subscribed_after INTEGER NOT NULL DEFAULT 0,
    subscribed_before INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- One issue, with English and Welsh versions in Markdown. status: draft, scheduled,
-- sending, sent, cancelled. segment_id NULL sends to every confirmed subscriber.
CREATE TABLE newsletters (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    subject_cy TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    body_cy TEXT NOT NULL DEFAULT '',
    segment_id INTEGER REFERENCES segments (id),
    status TEXT NOT NULL DEFAULT 'draft',
    scheduled_at INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    recipients INTEGER NOT NULL DEFAULT 0,
    in_archive INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX newsletters_status ON newsletters (status, scheduled_at);

-- The recipients of a send, fixed when it starts. status: queued, sending, sent, failed.
-- claim: the token of the worker holding a 'sending' row; it renews locked_until just
-- before sending, so a row whose lock has run out belonged to a worker that died.
CREATE TABLE newsletter_sends (
    newsletter_id INTEGER NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    claim TEXT NOT NULL DEFAULT '',
    sent_at INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (newsletter_id, subscriber_id)
);
CREATE INDEX newsletter_sends_due ON newsletter_sends (newsletter_id, status, next_attempt_at);
