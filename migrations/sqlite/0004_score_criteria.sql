-- Provision scores record which criteria of the level's standard were met.
ALTER TABLE area_scores ADD COLUMN criteria TEXT NOT NULL DEFAULT '';
ALTER TABLE area_score_revisions ADD COLUMN criteria TEXT NOT NULL DEFAULT '';
