-- The rest of the clinic's writes held to the audit trail, and an event
-- that says what kind of thing was done (postgres/024 left both open).
--
-- Check-in codes, cohort definitions, clinic settings (thresholds, the
-- staff PIN's hash, the time zone) and the counts of wrong PINs and codes
-- now need an audit event in the same transaction too, as the clinical
-- tables do. Two kinds of write are left out, on purpose:
--  * what the kiosk functions (007, 012, 018, 020) write as
--    trajectory_kiosk_owner: counting a tablet's wrong codes, taking up and
--    holding its check-in. No login writes as that role; the functions'
--    code is the server's, and they audit what a person did.
--  * the lease columns of a check-in (holder, held_at, ended_at), which a
--    tablet refreshes every few seconds while a patient answers: a silent
--    change there can end a tablet's session early, never alter a record.
--
-- And an event whose action only says something was read or written out
-- (a read event, a report, a chart, a print, an export, a backup) explains
-- no change: a clinician cannot log "read" for a delete.
DROP TRIGGER audit_event_xact ON audit_event;
CREATE TRIGGER audit_event_xact AFTER INSERT ON audit_event
  FOR EACH ROW WHEN (NEW.action NOT IN ('read', 'report', 'chart', 'print', 'export', 'backup', 'audit-export'))
  EXECUTE FUNCTION traj_audit_note_xact ();

CREATE CONSTRAINT TRIGGER kiosk_checkin_audited AFTER INSERT OR DELETE OR UPDATE OF
    id, uid, patient_id, code_salt, code_hash, scales, created_at, expires_at, used_at, used_by, created_by,
    revoked_at, revoked_by
  ON kiosk_checkin DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_user <> 'trajectory_kiosk_owner')
  EXECUTE FUNCTION traj_audit_required ();

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cohort_definition', 'clinic_setting'] LOOP
    EXECUTE format ('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                    'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION traj_audit_required ()',
                    t || '_audited', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['secret_attempt', 'secret_attempt_device'] LOOP
    EXECUTE format ('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                    'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                    'WHEN (current_user <> ''trajectory_kiosk_owner'') EXECUTE FUNCTION traj_audit_required ()',
                    t || '_audited', t);
  END LOOP;
END $$;
