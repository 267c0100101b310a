-- Member organisations: the application as sent, its review, and once approved the
-- public profile in the directory (slug is its URL name, set on approval).
-- status: received, under_review, approved, declined, left.
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    slug TEXT UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    nation TEXT NOT NULL,
    website TEXT NOT NULL DEFAULT '',
    profile TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    principles_version TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'under_review', 'approved', 'declined', 'left')),
    decision_reason TEXT NOT NULL DEFAULT '',
    reviewer_id INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    decided_at INTEGER
);
CREATE INDEX members_directory ON members (status, nation, kind);
CREATE INDEX members_contact ON members (contact_email);
