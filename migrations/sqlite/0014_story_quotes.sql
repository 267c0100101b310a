-- A story given for "quotes only" can have short quotes published (one per line), never
-- its whole text.
ALTER TABLE stories ADD COLUMN quotes TEXT NOT NULL DEFAULT '';
