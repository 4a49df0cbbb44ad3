-- Trajectory schema v28 (CLINICAL.md §8 "A history of substance use is a
-- patient field"; issue 15: a history of substance abuse can blunt
-- ketamine): the patient's history of substance use, 'unknown' (not
-- recorded), 'none', 'past' or 'current'. Courses of a patient with a past
-- or current history carry an information note, and cohorts can be
-- grouped by it.

ALTER TABLE patient ADD COLUMN substance_use TEXT NOT NULL DEFAULT 'unknown'
  CHECK (substance_use IN ('unknown', 'none', 'past', 'current'));
