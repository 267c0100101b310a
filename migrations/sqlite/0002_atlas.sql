-- Services atlas, part 1: health areas, the provision-level legend, scores per area per
-- year with their revision history.

CREATE TABLE areas (
    code             TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    nation           TEXT NOT NULL CHECK (nation IN ('england', 'wales', 'scotland', 'northern-ireland')),
    geometry         TEXT NOT NULL,
    boundary_release TEXT NOT NULL DEFAULT '',
    retired          INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    successor_code   TEXT,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX areas_nation ON areas (nation, name);

CREATE TABLE score_levels (
    level       INTEGER PRIMARY KEY CHECK (level BETWEEN 0 AND 5),
    label       TEXT NOT NULL,
    label_cy    TEXT NOT NULL DEFAULT '',
    criteria    TEXT NOT NULL DEFAULT '',
    colour      TEXT NOT NULL
);

CREATE TABLE area_scores (
    area_code  TEXT NOT NULL REFERENCES areas (code),
    year       INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    level      INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    note       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    is_demo    INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (area_code, year)
);
CREATE INDEX area_scores_year ON area_scores (year, level);

CREATE TABLE area_score_revisions (
    id         INTEGER PRIMARY KEY,
    area_code  TEXT NOT NULL,
    year       INTEGER NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('set', 'delete')),
    level      INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX area_score_revisions_area ON area_score_revisions (area_code, year, id);
