-- Two devices writing for one patient deadlocked (40P01; "Another device
-- changed the same records at the same moment"): a tablet's answers run this
-- trigger, which locks the patient's patient_attention row, and then append
-- to the audit trail, which takes the chain's advisory lock (009); a
-- workstation's write appends to the audit trail first and updates the same
-- row as it commits. The trigger now takes the chain's lock before the row,
-- so every writer takes them in one order: chain, then row.
CREATE OR REPLACE FUNCTION traj_attention_forget () RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock (1953719668);   -- the audit chain's ('traj')
  DELETE FROM patient_attention WHERE patient_id IN (SELECT patient_id FROM changed);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_attention_forget () FROM PUBLIC;
