-- As ../028-substance-use.sql: the patient's history of substance use. A
-- lead's login reads it for the cohort grouping (as it reads the
-- indication and sex: a category, no identity).
ALTER TABLE patient ADD COLUMN substance_use TEXT COLLATE "C" NOT NULL DEFAULT 'unknown'
  CHECK (substance_use IN ('unknown', 'none', 'past', 'current'));
GRANT SELECT (substance_use) ON patient TO trajectory_lead;
