-- As ../012-kiosk-resume.sql: a tablet's session outlives the tablet's
-- program. The kiosk functions of 007 learn to amend the session's own
-- draft (every answer is saved the moment it is given), to hand a session
-- that never ended back to the device that started it, to end a session,
-- and to read back what the session answered. Same rights as in 007: the
-- owner role holds exactly the columns these need.
ALTER TABLE kiosk_checkin ADD COLUMN used_by TEXT COLLATE "C";
ALTER TABLE kiosk_checkin ADD COLUMN ended_at BIGINT;
GRANT UPDATE (used_at, used_by, ended_at) ON kiosk_checkin TO trajectory_kiosk_owner;
GRANT UPDATE (taken_at, timing, complete, total, difficulty, notes, deleted_at) ON assessment
  TO trajectory_kiosk_owner;
GRANT SELECT, DELETE ON assessment_item TO trajectory_kiosk_owner;

-- The session's check-in may be taken up again by @dev: used there, never
-- ended, neither revoked nor expired.
CREATE FUNCTION traj_kiosk_resumable (c kiosk_checkin, dev text, now_s bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT c.used_at IS NOT NULL AND c.used_by = dev AND c.ended_at IS NULL AND c.revoked_at IS NULL
         AND c.expires_at > now_s
$$;

-- As in 007, and a check-in whose session this device left unfinished (the
-- tablet was killed or switched off) is taken up again rather than "used".
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
  IF c.used_at IS NOT NULL AND NOT resumed THEN
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
    DELETE FROM kiosk_session WHERE kiosk_session.checkin_id = c.id;
    INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
      VALUES (now_s, dev, '', 'resume', 'kiosk_checkin', c.uid,
              'tablet check-in taken up again on the same tablet after the session was cut off');
  ELSE
    UPDATE kiosk_checkin SET used_at = now_s, used_by = dev WHERE id = c.id;
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

-- The drafts a session wrote (tablet answers since its check-in was used).
CREATE FUNCTION traj_kiosk_session_drafts (s kiosk_session) RETURNS SETOF bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT a.id FROM assessment a JOIN kiosk_checkin k ON k.id = s.checkin_id
  WHERE a.patient_id = s.patient_id AND a.source = 'tablet' AND a.complete = 0 AND a.deleted_at IS NULL
    AND a.taken_at >= k.used_at
$$;

-- "Not you?": as in 007, and what the person answered meanwhile (saved
-- answer by answer) is not the patient's: it goes too.
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

-- The session is over (submitted, put away when idle, closed by staff):
-- its check-in cannot be taken up again.
CREATE FUNCTION traj_kiosk_end (p_key text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s kiosk_session := traj_kiosk_session_of (p_key);
BEGIN
  IF s.checkin_id IS NULL THEN
    RETURN false;
  END IF;
  UPDATE kiosk_checkin SET ended_at = floor (extract (epoch FROM now ()))::bigint
    WHERE id = s.checkin_id AND ended_at IS NULL;
  RETURN true;
END $$;

-- What the session's patient answered on a tablet since the check-in was
-- used: the questionnaires submitted and the drafts, with their answers.
CREATE FUNCTION traj_kiosk_session_answers (p_key text)
RETURNS TABLE (id bigint, uid text, scale text, complete boolean, taken_at bigint, timing text,
               difficulty integer, items integer[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT a.id, a.uid, a.scale, a.complete <> 0, a.taken_at, a.timing, a.difficulty::integer,
         ARRAY (SELECT coalesce ((SELECT i.value::integer FROM assessment_item i
                                  WHERE i.assessment_id = a.id AND i.item = n), -1)
                FROM generate_series (1, sc.n_items) AS n ORDER BY n)
  FROM traj_kiosk_session_of (p_key) s
  JOIN kiosk_checkin k ON k.id = s.checkin_id
  JOIN assessment a ON a.patient_id = s.patient_id AND a.source = 'tablet' AND a.deleted_at IS NULL
                   AND a.taken_at >= k.used_at
  JOIN kiosk_scale sc ON sc.code = a.scale
  ORDER BY a.id
$$;

-- As in 007, and a uid the session already wrote as a draft is that draft
-- amended (the next answer, or the submission), never a second record.
CREATE OR REPLACE FUNCTION traj_kiosk_write (p_key text, p_complete boolean, p_uid text, p_scale text,
  p_taken_at bigint, p_timing text, p_total integer, p_difficulty integer, p_notes text, p_items integer[],
  OUT status text, OUT id bigint, OUT other_taken_at bigint, OUT other_total integer)
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s kiosk_session := traj_kiosk_session_of (p_key);
  sc kiosk_scale;
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  minute bigint := p_taken_at - (((p_taken_at % 60) + 60) % 60);
  n integer := coalesce (array_length (p_items, 1), 0);
  answered integer := 0;
  prev bigint;
  at_s bigint;
BEGIN
  IF s.checkin_id IS NULL THEN
    status := 'no-session';
    RETURN;
  END IF;
  -- Never before the check-in, whatever the tablet's clock says: the
  -- session's answers are those taken since then.
  at_s := greatest (p_taken_at, (SELECT k.used_at FROM kiosk_checkin k WHERE k.id = s.checkin_id));
  minute := at_s - (((at_s % 60) + 60) % 60);
  SELECT * INTO sc FROM kiosk_scale WHERE code = p_scale;
  IF NOT FOUND OR n <> sc.n_items OR p_uid IS NULL OR length (p_uid) NOT BETWEEN 1 AND 64
     OR abs (p_taken_at - now_s) > 600 OR p_timing NOT IN ('pre', 'post', 'between')
     OR (p_difficulty IS NOT NULL AND p_difficulty NOT BETWEEN 0 AND 3) OR length (coalesce (p_notes, '')) > 2000 THEN
    RAISE EXCEPTION 'not a questionnaire the tablet may save' USING ERRCODE = 'check_violation';
  END IF;
  FOR k IN 1 .. n LOOP
    IF p_items[k] IS NULL OR p_items[k] < 0 THEN
      CONTINUE;
    END IF;
    IF p_items[k] NOT BETWEEN sc.item_min AND sc.item_max THEN
      RAISE EXCEPTION 'answer % is out of range', k USING ERRCODE = 'check_violation';
    END IF;
    answered := answered + 1;
  END LOOP;
  IF p_complete AND (answered <> n OR p_total IS NULL OR p_total NOT BETWEEN sc.total_min AND sc.total_max) THEN
    RAISE EXCEPTION 'a complete questionnaire answers every item' USING ERRCODE = 'check_violation';
  END IF;
  -- One at a time per patient: two tablets, or a tablet and a workstation.
  PERFORM pg_advisory_xact_lock (hashtext ('traj_kiosk_write'), s.patient_id::integer);
  IF EXISTS (SELECT 1 FROM assessment a WHERE a.uid = p_uid) THEN
    prev := (SELECT d FROM traj_kiosk_session_drafts (s) AS d
             WHERE d = (SELECT a.id FROM assessment a WHERE a.uid = p_uid AND a.scale = p_scale));
    IF prev IS NULL THEN
      RAISE EXCEPTION 'not a draft of this check-in' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF p_complete THEN
    SELECT a.taken_at, a.total INTO other_taken_at, other_total FROM assessment a
      WHERE a.patient_id = s.patient_id AND a.taken_at BETWEEN minute AND minute + 59 AND a.scale = p_scale
        AND a.complete = 1 AND a.deleted_at IS NULL ORDER BY a.taken_at LIMIT 1;
    IF FOUND THEN
      status := 'duplicate';
      RETURN;
    END IF;
  END IF;
  IF prev IS NOT NULL THEN
    UPDATE assessment SET taken_at = at_s, timing = p_timing, complete = CASE WHEN p_complete THEN 1 ELSE 0 END,
      total = CASE WHEN p_complete THEN p_total END, difficulty = p_difficulty, notes = coalesce (p_notes, '')
      WHERE assessment.id = prev;
    DELETE FROM assessment_item WHERE assessment_id = prev;
    id := prev;
  ELSE
    INSERT INTO assessment (uid, patient_id, course_id, infusion_id, scale, taken_at, source, timing,
                            complete, total, difficulty, clinician, notes)
      VALUES (p_uid, s.patient_id, s.course_id, NULL, p_scale, at_s, 'tablet', p_timing,
              CASE WHEN p_complete THEN 1 ELSE 0 END, CASE WHEN p_complete THEN p_total END, p_difficulty, '',
              coalesce (p_notes, ''))
      RETURNING assessment.id INTO id;
  END IF;
  INSERT INTO assessment_item (assessment_id, item, value)
    SELECT id, k, p_items[k] FROM generate_subscripts (p_items, 1) AS k WHERE p_items[k] >= 0;
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (now_s, s.device, '', CASE WHEN prev IS NULL THEN 'insert' ELSE 'update' END, 'assessment', p_uid,
            CASE WHEN p_complete THEN p_scale || ' total ' || p_total || ' (tablet)'
                 ELSE p_scale || ' draft, ' || answered || ' of ' || n || ' answered (tablet)' END);
  status := 'ok';
END $$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'traj_kiosk_resumable(kiosk_checkin,text,bigint)', 'traj_kiosk_session_drafts(kiosk_session)',
    'traj_kiosk_end(text)', 'traj_kiosk_session_answers(text)']
  LOOP
    EXECUTE format ('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format ('ALTER FUNCTION %s OWNER TO trajectory_kiosk_owner', f);
  END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION traj_kiosk_end(text), traj_kiosk_session_answers(text) TO trajectory_kiosk;
