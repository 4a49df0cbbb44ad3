-- "Not you?" (as in 012) keeps a safety answer: while a draft of the
-- session holds one (the scale's safety item above 0, now or earlier in the
-- draft: safety_highest, 016), nothing is removed and the check-in stays
-- used, whoever calls; NULL says so. A safety answer is a finding until a
-- clinician acknowledges it (CLINICAL.md §4); the kiosk window no longer
-- offers "Not you?" then, and this is the server's own refusal.
CREATE OR REPLACE FUNCTION traj_kiosk_release (p_key text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s kiosk_session := traj_kiosk_session_of (p_key);
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  uid text;
  d record;
BEGIN
  IF s.checkin_id IS NULL THEN
    RETURN false;
  END IF;
  PERFORM 1 FROM kiosk_checkin WHERE id = s.checkin_id FOR UPDATE;
  IF EXISTS (SELECT 1 FROM assessment a JOIN kiosk_scale ks ON ks.code = a.scale
             LEFT JOIN assessment_item i ON i.assessment_id = a.id AND i.item = ks.safety_item
             WHERE a.id IN (SELECT traj_kiosk_session_drafts (s))
               AND (i.value >= 1 OR a.safety_highest >= 1)) THEN
    RETURN NULL;
  END IF;
  FOR d IN SELECT a.id, a.uid, a.scale FROM assessment a WHERE a.id IN (SELECT traj_kiosk_session_drafts (s)) LOOP
    UPDATE assessment SET deleted_at = now_s WHERE id = d.id;
    INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
      VALUES (now_s, s.device, '', 'delete', 'assessment', d.uid,
              d.scale || ' draft (tablet) removed: the person answering was not the patient');
  END LOOP;
  UPDATE kiosk_checkin SET used_at = NULL, used_by = NULL WHERE id = s.checkin_id
    RETURNING kiosk_checkin.uid INTO uid;
  DELETE FROM kiosk_session WHERE key_hash = s.key_hash;
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (now_s, s.device, '', 'release', 'kiosk_checkin', uid,
            'tablet check-in given back unused: the person was not the patient');
  RETURN true;
END $$;
