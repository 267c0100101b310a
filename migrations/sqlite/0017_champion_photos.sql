-- A Champion's photo, chosen by them: the name of a cleaned picture under
-- DATA_DIR/uploads/images/ (web::images), or ''.
ALTER TABLE roster ADD COLUMN photo TEXT NOT NULL DEFAULT '';
