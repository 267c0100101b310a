-- Supporters (people and local groups, who sign up themselves) and Lived Experience
-- Champions (added by staff). Each chooses what is shown through a private link (only
-- its hash is kept); nothing is listed until they have. list: supporter, champion.
-- kind: individual, group. show_name: full, first, none. status: pending, listed,
-- hidden (by staff). Leaving deletes the row.
CREATE TABLE roster (
    id INTEGER PRIMARY KEY,
    list TEXT NOT NULL CHECK (list IN ('supporter', 'champion')),
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'individual' CHECK (kind IN ('individual', 'group')),
    nation TEXT NOT NULL DEFAULT '',
    town TEXT NOT NULL DEFAULT '',
    line TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    show_name TEXT NOT NULL DEFAULT 'first' CHECK (show_name IN ('full', 'first', 'none')),
    show_nation INTEGER NOT NULL DEFAULT 1 CHECK (show_nation IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'listed', 'hidden')),
    lang TEXT NOT NULL DEFAULT 'en',
    manage_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX roster_list ON roster (list, status);
CREATE UNIQUE INDEX roster_email ON roster (list, email);
