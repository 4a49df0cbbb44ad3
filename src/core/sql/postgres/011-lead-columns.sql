-- Schema 11 on PostgreSQL: a lead's login reads what cohorts need and no
-- identifying field (issue 14: "no identifying fields needed beyond what
-- cohorts show"). Instead of whole tables, the columns the cohort's read
-- takes (traj-store-records.c, the lead's variant of COHORT_*_COLS): no
-- name, MRN, birth date or free-text note of any record, and no staff
-- names but the infusion's clinician (a cohort grouping). The patient's
-- uid stands for the patient: a key that says nothing about the person.
-- Age at a course's start comes from course_cohort, which the
-- administrator owns, so it reads birth_date and the lead does not.
REVOKE SELECT ON patient, course, infusion, assessment, flag_decision FROM trajectory_lead;
GRANT SELECT (id, uid, sex, indication, indication_detail, created_at, updated_at, deleted_at, risk_si_at)
  ON patient TO trajectory_lead;
GRANT SELECT (id, uid, patient_id, indication, primary_scale, protocol, induction_length, start_date, end_date,
              status, deleted_at, indication_detail)
  ON course TO trajectory_lead;
GRANT SELECT (id, uid, patient_id, course_id, started_at, duration_min, route, medicine, phase, weight_kg,
              dose_mg_per_kg, total_mg, side_effects, monitoring_min, ready_at, clinician, deleted_at,
              date_confirmed)
  ON infusion TO trajectory_lead;
GRANT SELECT (id, uid, patient_id, course_id, infusion_id, scale, taken_at, source, timing, complete, total,
              difficulty, clinician, deleted_at)
  ON assessment TO trajectory_lead;
GRANT SELECT (id, uid, patient_id, course_id, kind, finding_key, fired_at, decision, decided_at, deleted_at)
  ON flag_decision TO trajectory_lead;

-- A course with the patient's age in whole years on its start day, as
-- traj_age_years () counts it (the birthday not yet reached that year: one
-- less). Dates are ISO 8601 text in the "C" collation.
CREATE VIEW course_cohort WITH (security_barrier) AS
  SELECT c.id, c.uid, c.patient_id, c.indication, c.primary_scale, c.protocol, c.induction_length, c.start_date,
         c.end_date, c.status, c.deleted_at, c.indication_detail,
         CASE WHEN p.birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND c.start_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
         THEN CAST (substr (c.start_date, 1, 4) AS integer) - CAST (substr (p.birth_date, 1, 4) AS integer)
              - CASE WHEN substr (c.start_date, 6, 5) < substr (p.birth_date, 6, 5) THEN 1 ELSE 0 END
         END AS age_at_start
  FROM course c JOIN patient p ON p.id = c.patient_id;
GRANT SELECT ON course_cohort TO trajectory_lead;
