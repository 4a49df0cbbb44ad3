-- As ../013-patient-attention.sql: needs attention per patient, kept by the
-- app in the transaction of every write that changes it.
CREATE TABLE patient_attention (
  patient_id BIGINT PRIMARY KEY REFERENCES patient (id),
  open_findings INTEGER NOT NULL CHECK (open_findings >= 0),
  safety_open INTEGER NOT NULL CHECK (safety_open IN (0, 1)),
  oldest_open_at BIGINT,
  valid_until BIGINT,
  rules BIGINT NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON patient_attention TO trajectory_clinician;
GRANT SELECT ON patient_attention TO trajectory_lead;

-- A tablet's answers reach the clinic through the kiosk functions
-- (postgres/007), which cannot run the outcomes engine: whatever they write
-- drops the patient's state, and the next reader computes it again
-- (traj_store_refresh_attention ()). The app's own writes then put a fresh
-- one back in the same transaction. Statement triggers: an import of many
-- rows pays once.
CREATE FUNCTION traj_attention_forget () RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM patient_attention WHERE patient_id IN (SELECT patient_id FROM changed);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_attention_forget () FROM PUBLIC;
CREATE TRIGGER assessment_attention_insert AFTER INSERT ON assessment
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION traj_attention_forget ();
CREATE TRIGGER assessment_attention_update AFTER UPDATE ON assessment
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION traj_attention_forget ();
CREATE TRIGGER assessment_attention_delete AFTER DELETE ON assessment
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION traj_attention_forget ();
