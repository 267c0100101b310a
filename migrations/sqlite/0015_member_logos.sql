-- A member's logo: the name of a cleaned picture under DATA_DIR/uploads/images/
-- (web::images), or '' for none.
ALTER TABLE members ADD COLUMN logo TEXT NOT NULL DEFAULT '';
