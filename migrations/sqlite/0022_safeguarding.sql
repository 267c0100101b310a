-- Safeguarding flags on every free-text channel (src/safeguard): one row per flagged
-- item, with the categories found (never the words that matched), and the first time a
-- member of staff opened it, so the alliance can see how quickly flags are looked at.
-- channel: story, enquiry, member, supporter, activity, survey.
CREATE TABLE safeguarding_flags (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    categories TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    created_at INTEGER NOT NULL,
    first_seen_at INTEGER,
    first_seen_by TEXT NOT NULL DEFAULT '',
    UNIQUE (channel, item_id)
);
CREATE INDEX safeguarding_flags_created ON safeguarding_flags (created_at);
CREATE INDEX safeguarding_flags_unseen ON safeguarding_flags (first_seen_at, created_at);

-- Stories flagged before this table existed; their phrases are no longer kept (only
-- categories are, from now on).
INSERT INTO safeguarding_flags (channel, item_id, categories, lang, created_at)
SELECT 'story', id, '', lang, created_at FROM stories WHERE flagged = 1;
UPDATE stories SET flag_phrases = '' WHERE flag_phrases <> '';
