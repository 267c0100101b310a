-- A picture sent with a story: the name of a cleaned picture under
-- DATA_DIR/uploads/images/ (web::images), or ''. Cleared (and the file deleted) when
-- the story is withdrawn.
ALTER TABLE stories ADD COLUMN image TEXT NOT NULL DEFAULT '';
