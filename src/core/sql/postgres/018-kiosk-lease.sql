-- As ../018-kiosk-lease.sql: one running kiosk per session. On a server
-- each program that checks in has its own session key (007); the key of the
-- program that holds the session is the only one left. held_at says when
-- that program last wrote or said it is still there; another program (the
-- same device id) takes the session up only when held_at is between 2 and
-- 30 minutes old, and the old key then writes nothing.
ALTER TABLE kiosk_checkin ADD COLUMN held_at BIGINT;
-- A login that redeems codes itself (not a kiosk login) does as on a clinic
-- file, holding the session with its program's token.
ALTER TABLE kiosk_checkin ADD COLUMN holder TEXT COLLATE "C";
GRANT UPDATE (held_at) ON kiosk_checkin TO trajectory_kiosk_owner;

-- A session another program of @dev still holds (it said so less than 2
-- minutes ago).
CREATE FUNCTION traj_kiosk_held (c kiosk_checkin, dev text, now_s bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT c.used_at IS NOT NULL AND c.used_by = dev AND c.ended_at IS NULL AND c.revoked_at IS NULL
         AND c.expires_at > now_s AND coalesce (c.held_at, c.used_at) > now_s - 120
$$;

-- As in 012, and only within 30 minutes of the last sign of the program
-- that held it (held_at), not until the code expires.
CREATE OR REPLACE FUNCTION traj_kiosk_resumable (c kiosk_checkin, dev text, now_s bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT c.used_at IS NOT NULL AND c.used_by = dev AND c.ended_at IS NULL AND c.revoked_at IS NULL
         AND c.expires_at > now_s AND coalesce (c.held_at, c.used_at) BETWEEN now_s - 1800 AND now_s - 120
$$;

-- As in 012, and a session another program still holds is "in-use".
CREATE OR REPLACE FUNCTION traj_kiosk_redeem (p_device text, p_hash text,
  OUT status text, OUT locked_until bigint, OUT checkin_id bigint, OUT checkin_uid text, OUT patient_id bigint,
  OUT first_name text, OUT scales text, OUT course_id bigint, OUT course_status text, OUT course_scale text,
  OUT infusions bigint[], OUT session_key text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  dev text := traj_kiosk_device (p_device);
  salt text := (SELECT value FROM clinic_setting WHERE key = 'checkin-salt');
  c kiosk_checkin;
  resumed boolean;
BEGIN
  PERFORM 1 FROM secret_attempt WHERE kind = 'checkin' FOR UPDATE;
  locked_until := traj_kiosk_wait_until ('checkin', dev, now_s);
  IF locked_until > 0 THEN
    status := 'locked';
    RETURN;
  END IF;
  SELECT k.* INTO c FROM kiosk_checkin k WHERE k.code_hash = p_hash AND k.code_salt = salt
    ORDER BY k.id DESC LIMIT 1 FOR UPDATE;
  IF NOT FOUND OR salt IS NULL OR p_hash IS NULL OR length (p_hash) <> 64 THEN
    locked_until := traj_kiosk_fail ('checkin', dev, now_s);
    status := CASE WHEN locked_until > 0 THEN 'locked' ELSE 'wrong' END;
    RETURN;
  END IF;
  resumed := traj_kiosk_resumable (c, dev, now_s);
  -- The right code: what is wrong with it is not a guess, and not counted.
  IF traj_kiosk_held (c, dev, now_s) THEN
    status := 'in-use';
    RETURN;
  ELSIF c.used_at IS NOT NULL AND NOT resumed THEN
    status := 'used';
    RETURN;
  ELSIF c.revoked_at IS NOT NULL THEN
    status := 'revoked';
    RETURN;
  ELSIF c.expires_at <= now_s THEN
    status := 'expired';
    RETURN;
  END IF;
  IF resumed THEN
    -- The program that held it is gone: its key writes nothing more.
    DELETE FROM kiosk_session WHERE kiosk_session.checkin_id = c.id;
    UPDATE kiosk_checkin SET held_at = now_s WHERE id = c.id;
    INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
      VALUES (now_s, dev, '', 'resume', 'kiosk_checkin', c.uid,
              'tablet check-in taken up again on the same tablet after the session was cut off');
  ELSE
    UPDATE kiosk_checkin SET used_at = now_s, used_by = dev, held_at = now_s WHERE id = c.id;
    INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
      VALUES (now_s, dev, '', 'use', 'kiosk_checkin', c.uid, 'tablet check-in used');
  END IF;

  checkin_id := c.id;
  checkin_uid := c.uid;
  patient_id := c.patient_id;
  scales := c.scales;
  first_name := (SELECT split_part (p.name, ' ', 1) FROM patient p WHERE p.id = c.patient_id);
  SELECT o.id, o.status, o.primary_scale INTO course_id, course_status, course_scale FROM course o
    WHERE o.patient_id = c.patient_id AND o.deleted_at IS NULL
    ORDER BY (o.status <> 'ended') DESC, o.start_date DESC, o.id DESC LIMIT 1;
  infusions := ARRAY (SELECT i.started_at FROM infusion i WHERE i.patient_id = c.patient_id
                        AND i.deleted_at IS NULL AND i.started_at BETWEEN now_s - 86400 AND now_s + 86400
                        ORDER BY i.started_at);
  session_key := replace (gen_random_uuid ()::text, '-', '') || replace (gen_random_uuid ()::text, '-', '');
  INSERT INTO kiosk_session (key_hash, checkin_id, patient_id, course_id, device, started_at, expires_at)
    VALUES (encode (sha256 (convert_to (session_key, 'UTF8')), 'hex'), c.id, c.patient_id,
            CASE WHEN course_status <> 'ended' THEN course_id END, dev, now_s, now_s + 4 * 3600);
  status := 'ok';
END $$;

-- The program holding the session is still there (every 30 s): FALSE when
-- its key no longer holds the session (taken up elsewhere, ended, revoked).
CREATE FUNCTION traj_kiosk_hold (p_key text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s kiosk_session := traj_kiosk_session_of (p_key);
BEGIN
  IF s.checkin_id IS NULL THEN
    RETURN false;
  END IF;
  UPDATE kiosk_checkin SET held_at = floor (extract (epoch FROM now ()))::bigint
    WHERE id = s.checkin_id AND ended_at IS NULL;
  RETURN FOUND;
END $$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['traj_kiosk_held(kiosk_checkin,text,bigint)', 'traj_kiosk_hold(text)'] LOOP
    EXECUTE format ('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format ('ALTER FUNCTION %s OWNER TO trajectory_kiosk_owner', f);
  END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION traj_kiosk_hold(text) TO trajectory_kiosk;
