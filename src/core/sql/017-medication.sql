-- Trajectory schema v17 (CLINICAL.md §8 "Medicines"): the patient's
-- medication list. Each medicine has a name, a class (benzodiazepine,
-- z_drug, lamotrigine, psychostimulant, maoi, opioid, antidepressant,
-- antipsychotic, lithium, other), a dose as free text, and the days it
-- was taken: start_date NULL when not known (taken since before it was
-- recorded), stop_date NULL while it is still taken (else the last day
-- taken). Stopping a medicine sets stop_date; deleted_at hides one entered
-- in error, as for every record.

CREATE TABLE medication (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  patient_id INTEGER NOT NULL REFERENCES patient (id),
  name TEXT NOT NULL,
  class TEXT NOT NULL CHECK (class IN ('benzodiazepine', 'z_drug', 'lamotrigine', 'psychostimulant', 'maoi',
                                       'opioid', 'antidepressant', 'antipsychotic', 'lithium', 'other')),
  dose TEXT NOT NULL DEFAULT '',
  start_date TEXT,
  stop_date TEXT,
  deleted_at INTEGER,
  CHECK (start_date IS NULL OR stop_date IS NULL OR stop_date >= start_date)
) STRICT;
CREATE INDEX medication_patient ON medication (patient_id, start_date);
