-- As ../003-infusion-date-confirmed.sql: the date warnings a clinician
-- confirmed for an infusion.
ALTER TABLE infusion ADD COLUMN date_confirmed TEXT COLLATE "C" NOT NULL DEFAULT '';
