-- Trajectory schema v3: the date warnings (CLINICAL.md §7 "Plausible dates")
-- a clinician confirmed for an infusion, as comma-separated codes:
-- before_course, after_course_end, near_infusion. The store refuses an
-- infusion with a warning that is not listed here.

ALTER TABLE infusion ADD COLUMN date_confirmed TEXT NOT NULL DEFAULT '';
