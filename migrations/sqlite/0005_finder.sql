-- The support finder.

-- A postcode index imported with `mmha import postcodes` (the compact layout of
-- finder::index, gzipped). The newest row is the one in use; with none, the shipped index is.
-- An import inserts its row and deletes the older ones in one transaction.
CREATE TABLE postcode_indexes (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    postcodes INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    data BLOB NOT NULL
);

-- How often the finder is used, per health area per day. Never a postcode or a position.
-- area_code is '' for searches that found no area.
CREATE TABLE finder_counts (
    day TEXT NOT NULL,
    area_code TEXT NOT NULL,
    searches INTEGER NOT NULL,
    PRIMARY KEY (day, area_code)
);
