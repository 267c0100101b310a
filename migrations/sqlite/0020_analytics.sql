-- Privacy-first analytics: counts only. No address, user agent, cookie or visitor
-- identifier is stored; visitors are told apart within a day by a keyed hash whose key
-- lives only in memory and is replaced every day (analytics.rs).
CREATE TABLE page_views (
    day TEXT NOT NULL,
    path TEXT NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    visitors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, path)
);
CREATE TABLE page_referrers (
    day TEXT NOT NULL,
    domain TEXT NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, domain)
);

-- The day's random key for hashing client addresses in rate limits and login throttling
-- (web::antispam::address_key). Keys older than two days are deleted, after which the
-- stored hashes can no longer be linked to any address.
CREATE TABLE address_keys (
    day TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);
