-- The cohort's read on a server (traj-store-cohort-pg.c) takes each
-- patient's live infusions, assessments, courses and decisions in the order
-- the walker needs them. The indexes on patient_id alone made the server
-- filter out the deleted rows and sort each patient's rows again (an
-- incremental sort): for the assessments of half the bench clinic, 0.63 s
-- of its 0.8 s. These give the rows in that order, live ones only.
CREATE INDEX assessment_cohort ON assessment (patient_id, taken_at, id) WHERE deleted_at IS NULL;
CREATE INDEX infusion_cohort ON infusion (patient_id, started_at, id) WHERE deleted_at IS NULL;
CREATE INDEX course_cohort_order ON course (patient_id, start_date, id) WHERE deleted_at IS NULL;
CREATE INDEX flag_decision_cohort ON flag_decision (patient_id, decided_at, id) WHERE deleted_at IS NULL;
