-- Schema 10 on PostgreSQL.
--
-- 1. The staff PIN's Argon2id hash is read by no lead. A lead's login reads
-- clinic_setting for the thresholds, the time zone and the clinic's name;
-- row security now hides every secret ("-hash") key from it, as
-- traj_store_setting_is_secret () says. A lead's laptop that leaves kiosk
-- mode checks the PIN through the tablet's own compare-and-count function
-- (007: traj_kiosk_state, traj_kiosk_verify_pin), which counts its wrong
-- PINs as a kiosk's. Clinicians set the PIN and keep every row; the owner
-- of the kiosk functions reads them all; the administrator owns the table
-- and is not subject to its policies (migrate, pg_dump).
ALTER TABLE clinic_setting ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_setting_clinician ON clinic_setting FOR ALL TO trajectory_clinician
  USING (true) WITH CHECK (true);
CREATE POLICY clinic_setting_kiosk_owner ON clinic_setting FOR SELECT TO trajectory_kiosk_owner USING (true);
CREATE POLICY clinic_setting_lead ON clinic_setting FOR SELECT TO trajectory_lead
  USING (right (key, 5) <> '-hash');
GRANT EXECUTE ON FUNCTION traj_kiosk_state(text), traj_kiosk_verify_pin(text,text) TO trajectory_lead;

-- 2. A tablet's sessions (007) last 4 h and are worth nothing after; one
-- row per check-in would otherwise stay for ever. Each new session (made
-- by traj_kiosk_redeem, as trajectory_kiosk_owner) purges the expired ones.
CREATE FUNCTION traj_kiosk_session_purge () RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  DELETE FROM kiosk_session WHERE expires_at <= NEW.started_at;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_kiosk_session_purge () FROM PUBLIC;
CREATE TRIGGER kiosk_session_purge AFTER INSERT ON kiosk_session
  FOR EACH ROW EXECUTE FUNCTION traj_kiosk_session_purge ();
