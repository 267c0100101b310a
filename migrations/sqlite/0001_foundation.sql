-- Foundation: site identity, staff accounts, sessions, audit, CMS, helplines, impact, search.
-- Portable rules (see migrations/README.md): integers are 64-bit, flags are 0/1 integers,
-- timestamps are UTC Unix seconds, enumerations are TEXT + CHECK.

CREATE TABLE site_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE content_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'moderator')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_login_at INTEGER
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    key_hash TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key_hash, at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_email TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    summary     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE pages (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    parent_id    INTEGER REFERENCES pages (id) ON DELETE SET NULL,
    title        TEXT NOT NULL,
    title_cy     TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    body_cy      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    show_in_nav  INTEGER NOT NULL DEFAULT 0 CHECK (show_in_nav IN (0, 1)),
    nav_order    INTEGER NOT NULL DEFAULT 0,
    is_demo      INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    published_at INTEGER
);
CREATE INDEX pages_nav ON pages (status, show_in_nav, nav_order);
CREATE INDEX pages_parent ON pages (parent_id);

CREATE TABLE page_revisions (
    id           INTEGER PRIMARY KEY,
    page_id      INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    title_cy     TEXT NOT NULL,
    body         TEXT NOT NULL,
    body_cy      TEXT NOT NULL,
    status       TEXT NOT NULL,
    author_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author_email TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX page_revisions_page ON page_revisions (page_id, id);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    title_cy     TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,
    body_cy      TEXT NOT NULL DEFAULT '',
    author_name  TEXT NOT NULL,
    author_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    is_demo      INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    published_at INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX posts_published ON posts (status, published_at);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag ON post_tags (tag_id);

CREATE TABLE resources (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('guideline', 'report', 'leaflet', 'other')),
    description  TEXT NOT NULL DEFAULT '',
    file_name    TEXT NOT NULL DEFAULT '',
    stored_name  TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size_bytes   INTEGER NOT NULL DEFAULT 0,
    external_url TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    is_demo      INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX resources_kind ON resources (status, kind);

CREATE TABLE helplines (
    id              INTEGER PRIMARY KEY,
    organisation    TEXT NOT NULL,
    service         TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    text_number     TEXT NOT NULL DEFAULT '',
    web             TEXT NOT NULL DEFAULT '',
    hours           TEXT NOT NULL DEFAULT '',
    nation          TEXT NOT NULL DEFAULT '',
    tier            TEXT NOT NULL,
    number_verified TEXT NOT NULL CHECK (number_verified IN ('yes', 'no', 'n/a')),
    notes           TEXT NOT NULL DEFAULT '',
    source_url      TEXT NOT NULL DEFAULT '',
    verified_on     TEXT NOT NULL DEFAULT '',
    verified_by     TEXT NOT NULL DEFAULT '',
    sort_order      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE impact_figures (
    id         INTEGER PRIMARY KEY,
    section    TEXT NOT NULL,
    label      TEXT NOT NULL,
    value      TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    nation     TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_demo    INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at INTEGER NOT NULL
);

-- Site search. SQLite uses FTS5; PostgreSQL uses a tsvector column (see the postgres tree).
CREATE VIRTUAL TABLE search_fts USING fts5 (
    kind UNINDEXED,
    ref_id UNINDEXED,
    url UNINDEXED,
    title,
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
