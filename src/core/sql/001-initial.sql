-- Trajectory schema v1. Times are Unix seconds (UTC); calendar days are
-- ISO 8601 text (YYYY-MM-DD). Records are never physically deleted by the
-- app: deleted_at hides them and can be cleared again.

CREATE TABLE trajectory_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE patient (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  mrn TEXT NOT NULL,
  name TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL,
  indication TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
-- An MRN stays reserved while its patient is hidden, so undelete never clashes.
CREATE UNIQUE INDEX patient_mrn ON patient (mrn);
-- The patient list is read in name order.
CREATE INDEX patient_name ON patient (name COLLATE NOCASE, mrn);

CREATE TABLE course (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patient (id),
  indication TEXT NOT NULL,
  primary_scale TEXT NOT NULL,
  protocol TEXT NOT NULL DEFAULT '',
  induction_length INTEGER NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT,
  status TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  deleted_at INTEGER
) STRICT;
CREATE INDEX course_patient ON course (patient_id, start_date);

CREATE TABLE infusion (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patient (id),
  course_id INTEGER REFERENCES course (id),
  started_at INTEGER NOT NULL,
  duration_min INTEGER NOT NULL,
  route TEXT NOT NULL,
  medicine TEXT NOT NULL,
  lot TEXT NOT NULL DEFAULT '',
  phase TEXT NOT NULL,
  weight_kg REAL NOT NULL,
  dose_mg_per_kg REAL NOT NULL,
  total_mg REAL NOT NULL,
  side_effects TEXT NOT NULL DEFAULT '',
  side_effect_note TEXT NOT NULL DEFAULT '',
  concomitant TEXT NOT NULL DEFAULT '',
  monitoring_min INTEGER NOT NULL DEFAULT 0,
  ready_at INTEGER,
  clinician TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  deleted_at INTEGER
) STRICT;
CREATE INDEX infusion_patient ON infusion (patient_id, started_at);
CREATE INDEX infusion_course ON infusion (course_id, started_at);

CREATE TABLE vital_sign (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  infusion_id INTEGER NOT NULL REFERENCES infusion (id),
  minute INTEGER NOT NULL,
  systolic INTEGER,
  diastolic INTEGER,
  heart_rate INTEGER,
  spo2 INTEGER,
  resp_rate INTEGER
) STRICT;
CREATE INDEX vital_sign_infusion ON vital_sign (infusion_id, minute);

CREATE TABLE assessment (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patient (id),
  course_id INTEGER REFERENCES course (id),
  infusion_id INTEGER REFERENCES infusion (id),
  scale TEXT NOT NULL,
  taken_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  timing TEXT NOT NULL,
  complete INTEGER NOT NULL,
  total INTEGER,
  difficulty INTEGER,
  clinician TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  deleted_at INTEGER
) STRICT;
CREATE INDEX assessment_patient ON assessment (patient_id, taken_at);

CREATE TABLE assessment_item (
  assessment_id INTEGER NOT NULL REFERENCES assessment (id),
  item INTEGER NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (assessment_id, item)
) STRICT, WITHOUT ROWID;

CREATE TABLE flag_decision (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patient (id),
  course_id INTEGER REFERENCES course (id),
  kind TEXT NOT NULL,
  finding_key TEXT NOT NULL,
  fired_at INTEGER NOT NULL,
  decision TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL,
  decided_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE INDEX flag_decision_patient ON flag_decision (patient_id, decided_at);

CREATE TABLE kiosk_checkin (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patient (id),
  code_salt TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  scales TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  created_by TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX kiosk_checkin_open ON kiosk_checkin (used_at, expires_at);

-- A clinic lead's saved cohort comparison: the JSON of traj-cohort.h.
CREATE TABLE cohort_definition (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
-- Names are unique among live definitions; hidden ones may share a name.
CREATE UNIQUE INDEX cohort_definition_name ON cohort_definition (name) WHERE deleted_at IS NULL;

CREATE TABLE audit_event (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  os_user TEXT NOT NULL,
  clinician TEXT NOT NULL,
  action TEXT NOT NULL,
  record_kind TEXT NOT NULL,
  record_uid TEXT NOT NULL,
  summary TEXT NOT NULL
) STRICT;
CREATE INDEX audit_event_record ON audit_event (record_uid);

-- The audit trail is append-only: not even a hand-written statement
-- through this file's own triggers can rewrite or remove it.
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
  SELECT RAISE (ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
  SELECT RAISE (ABORT, 'audit_event is append-only');
END;
-- INSERT OR REPLACE removes the old row without firing the delete trigger:
-- an insert may never reuse the id of an existing event.
CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event
WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id)
BEGIN
  SELECT RAISE (ABORT, 'audit_event is append-only');
END;

INSERT INTO trajectory_meta (key, value) VALUES ('application', 'io.github.trajectory.Trajectory');
