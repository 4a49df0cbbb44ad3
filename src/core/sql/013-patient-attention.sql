-- Needs attention per patient (issue 18): what the patient list's badges
-- and its "Needs attention" work list show, kept by every write that can
-- change it in that write's own transaction (src/core/traj-store-attention.c),
-- so a start reads it instead of running the whole clinic through the
-- outcomes engine. The upgrade fills it for every patient (traj-store.c).
CREATE TABLE patient_attention (
  patient_id INTEGER PRIMARY KEY REFERENCES patient (id),
  -- open findings, the suicidal-ideation risk flag counted as one
  open_findings INTEGER NOT NULL CHECK (open_findings >= 0),
  -- an open safety finding (PHQ-9 item 9) or the risk flag
  safety_open INTEGER NOT NULL CHECK (safety_open IN (0, 1)),
  -- when the oldest of them began (Unix seconds); NULL when none is open
  oldest_open_at INTEGER,
  -- from this time on a record of the patient becomes visible to the
  -- engine and the state must be computed again; NULL: it holds for good
  valid_until INTEGER,
  -- the thresholds it was computed with (traj_thresholds_fingerprint)
  rules INTEGER NOT NULL
);
