-- The impact and evidence tracker: what the alliance asks for, what has changed, money
-- won, services created, and the evidence behind each, linked to asks and to the atlas.
CREATE TABLE impact_asks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_cy TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    detail_cy TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at INTEGER NOT NULL
);

-- kind: outcome (a change won), funding (money, amount in whole pounds), service (a
-- service created), evidence (a report, news item or statistic with its source).
-- nation '' means UK-wide. area_code and year link an item to the atlas's scores.
CREATE TABLE impact_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('outcome', 'funding', 'service', 'evidence')),
    ask_id INTEGER REFERENCES impact_asks (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    happened_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    nation TEXT NOT NULL DEFAULT '',
    amount INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    area_code TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at INTEGER NOT NULL
);
CREATE INDEX impact_items_kind ON impact_items (kind, happened_on);
CREATE INDEX impact_items_ask ON impact_items (ask_id);
