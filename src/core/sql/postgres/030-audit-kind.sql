-- An event explains a change only to the records it is about (trial-
-- records.md finding 2, second half): postgres/029 asks for a change action;
-- this also asks that the event's record_kind be the table written or one
-- of its parents (hiding a patient hides its courses; saving an infusion
-- writes its vital signs), or a whole-clinic kind (an import, a migration,
-- a schema step). An "update" of a cohort definition no longer covers a
-- deleted vital sign.
CREATE TABLE audit_xact_kind (
  xid BIGINT NOT NULL,
  record_kind TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (xid, record_kind)
);

CREATE OR REPLACE FUNCTION traj_audit_note_xact () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO audit_xact (xid) VALUES (txid_current ()) ON CONFLICT (xid) DO NOTHING;
  INSERT INTO audit_xact_kind (xid, record_kind) VALUES (txid_current (), NEW.record_kind)
    ON CONFLICT (xid, record_kind) DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION traj_audit_required () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  kinds text[] := CASE TG_TABLE_NAME
    WHEN 'patient' THEN ARRAY['patient']
    WHEN 'course' THEN ARRAY['course', 'patient']
    WHEN 'infusion' THEN ARRAY['infusion', 'course', 'patient']
    WHEN 'vital_sign' THEN ARRAY['vital_sign', 'infusion', 'course', 'patient']
    WHEN 'assessment' THEN ARRAY['assessment', 'infusion', 'course', 'patient', 'kiosk_checkin']
    WHEN 'assessment_item' THEN ARRAY['assessment', 'infusion', 'course', 'patient', 'kiosk_checkin']
    WHEN 'flag_decision' THEN ARRAY['flag_decision', 'assessment', 'infusion', 'course', 'patient']
    WHEN 'medication' THEN ARRAY['medication', 'patient']
    WHEN 'kiosk_checkin' THEN ARRAY['kiosk_checkin', 'patient']
    WHEN 'cohort_definition' THEN ARRAY['cohort_definition']
    WHEN 'clinic_setting' THEN ARRAY['clinic_setting', 'staff_pin', 'kiosk_checkin']
    ELSE ARRAY['staff_pin', 'kiosk_checkin', 'clinic_setting']
  END || ARRAY['clinic', 'records', 'counts', 'schema'];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_xact_kind WHERE xid = txid_current () AND record_kind = ANY (kinds)) THEN
    RAISE EXCEPTION 'every change must be audited: % was changed without an audit event about it in the same transaction',
      TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$;
