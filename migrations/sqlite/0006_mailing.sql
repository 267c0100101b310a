-- The mailing list: subscribers, their consent history, confirmation tokens, the suppression
-- list, and the queue of transactional mail (confirmations, welcomes).

-- One row per address (stored lower-cased). status: pending (signed up, not confirmed),
-- confirmed, unsubscribed. topics: comma-separated topic codes. manage_token: the random
-- key in every email's self-service link (not a credential for anything else).
CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    nation TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    topics TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    manage_token TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER,
    unsubscribed_at INTEGER,
    bounces INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscribers_segment ON subscribers (status, nation, audience, lang);

-- Every consent event: sign-up, confirmation, import, preference change, unsubscribe. The
-- wording version identifies the exact consent text shown (mail::CONSENT_VERSION). ip is
-- kept only when the configuration asks for it.
CREATE TABLE subscriber_consents (
    id INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    source TEXT NOT NULL,
    wording_version TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    ip TEXT
);
CREATE INDEX subscriber_consents_subscriber ON subscriber_consents (subscriber_id);

-- Confirmation tokens, stored as SHA-256 hashes; single use, with an expiry.
CREATE TABLE subscriber_tokens (
    token_hash TEXT PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX subscriber_tokens_subscriber ON subscriber_tokens (subscriber_id);

-- Addresses never to be mailed by an import: SHA-256 of the lower-cased address, so an
-- erased person leaves no readable trace. reason: unsubscribed, erased, bounced, staff.
CREATE TABLE mail_suppressions (
    email_hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Transactional mail, written in the same transaction as the change that causes it and
-- delivered by a background worker. message is the full RFC 5322 text, emptied once sent.
CREATE TABLE mail_queue (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER,
    failed_at INTEGER,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_queue_due ON mail_queue (sent_at, failed_at, next_attempt_at);

-- Recent public form submissions per hashed client address, for rate limits.
CREATE TABLE rate_events (
    key_hash TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (key_hash, at);
