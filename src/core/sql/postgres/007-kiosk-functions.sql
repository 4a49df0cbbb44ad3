-- Schema 7 on PostgreSQL: what a tablet's login may do, and nothing else.
-- The kiosk role reads no table (001); it calls the functions below, which
-- run with the rights of trajectory_kiosk_owner, a role nobody logs in as
-- that holds exactly the columns and rows they need. Each function pins its
-- search_path (no object of another schema can stand in for a table) and is
-- granted to trajectory_kiosk alone. traj-store-kiosk.c calls them.
--
-- The rules are the clinic file's (traj-store-secret.c, -checkin.c,
-- traj-plausible.c): the client derives ONE Argon2id hash of what was typed
-- with a salt that is not secret; the server compares it and counts wrong
-- attempts per device and, for kiosks, clinic-wide (traj-secret.h: the
-- leaky bucket below is traj_secret_attempt_fail () and _wait_until ()).
DO $$ BEGIN CREATE ROLE trajectory_kiosk_owner NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
-- The administrator hands the functions over to it.
GRANT trajectory_kiosk_owner TO CURRENT_USER;

-- A redeemed check-in's session: the tablet holds the key (random, never
-- stored; only its SHA-256 is), and every draft or submission names it, so
-- a tablet login cannot write into a patient it did not check in.
CREATE TABLE kiosk_session (
  key_hash TEXT COLLATE "C" PRIMARY KEY,
  checkin_id BIGINT NOT NULL REFERENCES kiosk_checkin (id),
  patient_id BIGINT NOT NULL REFERENCES patient (id),
  course_id BIGINT REFERENCES course (id),
  device TEXT COLLATE "C" NOT NULL,
  started_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

-- The patient-facing scales as the program's scale table has them
-- (filled by the store when it makes this schema, traj-store-kiosk.c):
-- what the server checks a tablet's answers against.
CREATE TABLE kiosk_scale (
  code TEXT COLLATE "C" PRIMARY KEY,
  n_items INTEGER NOT NULL,
  item_min INTEGER NOT NULL,
  item_max INTEGER NOT NULL,
  total_min INTEGER NOT NULL,
  total_max INTEGER NOT NULL
);

GRANT USAGE ON SCHEMA public TO trajectory_kiosk_owner;
GRANT SELECT ON clinic_setting, course, kiosk_scale TO trajectory_kiosk_owner;
GRANT SELECT (id, name, deleted_at) ON patient TO trajectory_kiosk_owner;
GRANT SELECT (patient_id, started_at, deleted_at) ON infusion TO trajectory_kiosk_owner;
GRANT SELECT, UPDATE (used_at) ON kiosk_checkin TO trajectory_kiosk_owner;
GRANT SELECT, INSERT ON assessment TO trajectory_kiosk_owner;
GRANT INSERT ON assessment_item, audit_event TO trajectory_kiosk_owner;
GRANT USAGE ON SEQUENCE assessment_id_seq, audit_event_id_seq TO trajectory_kiosk_owner;
GRANT SELECT, INSERT, UPDATE ON secret_attempt, secret_attempt_device TO trajectory_kiosk_owner;
GRANT SELECT, INSERT, UPDATE, DELETE ON kiosk_session TO trajectory_kiosk_owner;
GRANT SELECT ON kiosk_scale TO trajectory_clinician, trajectory_lead;

-- ---- wrong attempts (traj-secret.c) ----------------------------------------

-- Counts one wrong attempt at @now on one count (@device NULL: the clinic's)
-- and returns until when that count makes the next attempt wait.
CREATE FUNCTION traj_kiosk_count_failure (p_kind text, p_device text, p_now bigint)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  free bigint := CASE WHEN p_device IS NULL THEN 20 ELSE 5 END;
  leak bigint := CASE WHEN p_device IS NULL THEN 120 ELSE 600 END;
  longest bigint := CASE WHEN p_kind = 'staff-pin' THEN 3600 ELSE 900 END;
  f bigint := 0;
  last bigint := 0;
  delay bigint := 0;
BEGIN
  IF p_device IS NULL THEN
    SELECT failures, last_failure_at INTO f, last FROM secret_attempt WHERE kind = p_kind FOR UPDATE;
  ELSE
    SELECT failures, last_failure_at INTO f, last FROM secret_attempt_device
      WHERE kind = p_kind AND device = p_device FOR UPDATE;
  END IF;
  f := coalesce (f, 0);
  last := coalesce (last, 0);
  IF f > 0 THEN
    f := greatest (f - greatest (p_now - last, 0) / leak, 0);
  END IF;
  f := f + 1;
  IF f >= free THEN
    delay := 30;
    FOR k IN free .. f - 1 LOOP
      EXIT WHEN delay >= longest;
      delay := delay * 2;
    END LOOP;
    delay := least (delay, longest);
  END IF;
  IF p_device IS NULL THEN
    INSERT INTO secret_attempt (kind, failures, locked_until, last_failure_at)
      VALUES (p_kind, f, CASE WHEN delay > 0 THEN p_now + delay ELSE 0 END, p_now)
      ON CONFLICT (kind) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
        last_failure_at = excluded.last_failure_at;
  ELSE
    INSERT INTO secret_attempt_device (kind, device, failures, locked_until, last_failure_at)
      VALUES (p_kind, p_device, f, CASE WHEN delay > 0 THEN p_now + delay ELSE 0 END, p_now)
      ON CONFLICT (kind, device) DO UPDATE SET failures = excluded.failures,
        locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at;
  END IF;
  RETURN CASE WHEN delay > 0 THEN p_now + delay ELSE 0 END;
END $$;

-- Until when a kiosk waits (0: it does not): its own count and the clinic's.
CREATE FUNCTION traj_kiosk_wait_until (p_kind text, p_device text, p_now bigint)
RETURNS bigint LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT CASE WHEN u > p_now THEN u ELSE 0 END FROM (SELECT greatest (
    coalesce ((SELECT locked_until FROM secret_attempt_device WHERE kind = p_kind AND device = p_device), 0),
    coalesce ((SELECT locked_until FROM secret_attempt WHERE kind = p_kind), 0)) AS u) AS w
$$;

-- A wrong attempt: both counts and the audit row (never what was typed).
CREATE FUNCTION traj_kiosk_fail (p_kind text, p_device text, p_now bigint)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  mine bigint := traj_kiosk_count_failure (p_kind, p_device, p_now);
  clinic bigint := traj_kiosk_count_failure (p_kind, NULL, p_now);
  until bigint := greatest (mine, clinic);
BEGIN
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (p_now, p_device, '', CASE WHEN p_kind = 'staff-pin' THEN 'wrong-pin' ELSE 'wrong-code' END,
            CASE WHEN p_kind = 'staff-pin' THEN 'staff_pin' ELSE 'kiosk_checkin' END, '',
            CASE WHEN p_kind = 'staff-pin' THEN 'wrong staff PIN' ELSE 'check-in code that did not match' END
            || ' on ' || p_device || ' (tablet login)'
            || CASE WHEN until > p_now THEN '; the next attempt there waits ' || (until - p_now) || ' s' ELSE '' END);
  RETURN CASE WHEN until > p_now THEN until ELSE 0 END;
END $$;

-- What the tablet's login types is always counted as a kiosk's, whatever
-- device id it gives.
CREATE FUNCTION traj_kiosk_device (p_device text) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT 'kiosk:' || left (coalesce (nullif (p_device, ''), 'unnamed'), 200)
$$;

-- ---- what the tablet may call ------------------------------------------------

-- The salts (not secret), whether the birth date is asked, and how long
-- this device waits for each kind of secret.
CREATE FUNCTION traj_kiosk_state (p_device text,
  OUT pin_salt text, OUT checkin_salt text, OUT birth_date_asked boolean,
  OUT pin_locked_until bigint, OUT checkin_locked_until bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  dev text := traj_kiosk_device (p_device);
BEGIN
  pin_salt := (SELECT value FROM clinic_setting WHERE key = 'staff-pin-salt');
  checkin_salt := (SELECT value FROM clinic_setting WHERE key = 'checkin-salt');
  birth_date_asked := coalesce ((SELECT value FROM clinic_setting WHERE key = 'checkin-birth-date'), 'on') <> 'off';
  pin_locked_until := traj_kiosk_wait_until ('staff-pin', dev, now_s);
  checkin_locked_until := traj_kiosk_wait_until ('checkin', dev, now_s);
END $$;

-- Compare and count the staff PIN: status 'ok', 'wrong', 'locked' or
-- 'no-pin', and until when the device waits.
CREATE FUNCTION traj_kiosk_verify_pin (p_device text, p_hash text, OUT status text, OUT locked_until bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  dev text := traj_kiosk_device (p_device);
  stored text;
BEGIN
  -- One attempt at a time per clinic: two tablets cannot both slip under a limit.
  PERFORM 1 FROM secret_attempt WHERE kind = 'staff-pin' FOR UPDATE;
  locked_until := traj_kiosk_wait_until ('staff-pin', dev, now_s);
  IF locked_until > 0 THEN
    status := 'locked';
    RETURN;
  END IF;
  stored := (SELECT value FROM clinic_setting WHERE key = 'staff-pin-hash');
  IF stored IS NULL THEN
    status := 'no-pin';
    RETURN;
  END IF;
  IF p_hash IS NULL OR length (p_hash) <> 64 OR p_hash <> stored THEN
    locked_until := traj_kiosk_fail ('staff-pin', dev, now_s);
    status := CASE WHEN locked_until > 0 THEN 'locked' ELSE 'wrong' END;
    RETURN;
  END IF;
  UPDATE secret_attempt_device SET failures = 0, locked_until = 0, last_failure_at = 0
    WHERE kind = 'staff-pin' AND device = dev;
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (now_s, dev, '', 'right-pin', 'staff_pin', '', 'staff PIN accepted (tablet login)');
  status := 'ok';
END $$;

-- Compare and count a check-in code: status 'ok', 'wrong', 'locked',
-- 'used', 'revoked' or 'expired'. With 'ok': the check-in, the first name
-- only, the questionnaires asked, the current course, the infusions
-- started within a day either side (for "before/after infusion"), and the
-- session key every later call names.
CREATE FUNCTION traj_kiosk_redeem (p_device text, p_hash text,
  OUT status text, OUT locked_until bigint, OUT checkin_id bigint, OUT checkin_uid text, OUT patient_id bigint,
  OUT first_name text, OUT scales text, OUT course_id bigint, OUT course_status text, OUT course_scale text,
  OUT infusions bigint[], OUT session_key text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  dev text := traj_kiosk_device (p_device);
  salt text := (SELECT value FROM clinic_setting WHERE key = 'checkin-salt');
  c record;
BEGIN
  PERFORM 1 FROM secret_attempt WHERE kind = 'checkin' FOR UPDATE;
  locked_until := traj_kiosk_wait_until ('checkin', dev, now_s);
  IF locked_until > 0 THEN
    status := 'locked';
    RETURN;
  END IF;
  SELECT k.id, k.uid, k.patient_id, k.scales, k.expires_at, k.used_at, k.revoked_at INTO c
    FROM kiosk_checkin k WHERE k.code_hash = p_hash AND k.code_salt = salt ORDER BY k.id DESC LIMIT 1 FOR UPDATE;
  IF NOT FOUND OR salt IS NULL OR p_hash IS NULL OR length (p_hash) <> 64 THEN
    locked_until := traj_kiosk_fail ('checkin', dev, now_s);
    status := CASE WHEN locked_until > 0 THEN 'locked' ELSE 'wrong' END;
    RETURN;
  END IF;
  -- The right code: what is wrong with it is not a guess, and not counted.
  IF c.used_at IS NOT NULL THEN
    status := 'used';
    RETURN;
  ELSIF c.revoked_at IS NOT NULL THEN
    status := 'revoked';
    RETURN;
  ELSIF c.expires_at <= now_s THEN
    status := 'expired';
    RETURN;
  END IF;
  UPDATE kiosk_checkin SET used_at = now_s WHERE id = c.id;
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (now_s, dev, '', 'use', 'kiosk_checkin', c.uid, 'tablet check-in used');

  checkin_id := c.id;
  checkin_uid := c.uid;
  patient_id := c.patient_id;
  scales := c.scales;
  first_name := (SELECT split_part (p.name, ' ', 1) FROM patient p WHERE p.id = c.patient_id);
  -- The course open now (latest not ended), else the latest: as
  -- traj_patient_records_current_course ().
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

-- The open session of @p_key, or nothing.
CREATE FUNCTION traj_kiosk_session_of (p_key text) RETURNS kiosk_session LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT s.* FROM kiosk_session s JOIN kiosk_checkin k ON k.id = s.checkin_id
  WHERE s.key_hash = encode (sha256 (convert_to (coalesce (p_key, ''), 'UTF8')), 'hex')
    AND s.expires_at > floor (extract (epoch FROM now ()))::bigint AND k.revoked_at IS NULL AND k.used_at IS NOT NULL
$$;

-- "Not you?": the check-in goes back unused and the session ends.
CREATE FUNCTION traj_kiosk_release (p_key text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s kiosk_session := traj_kiosk_session_of (p_key);
  uid text;
BEGIN
  IF s.checkin_id IS NULL THEN
    RETURN false;
  END IF;
  UPDATE kiosk_checkin SET used_at = NULL WHERE id = s.checkin_id RETURNING kiosk_checkin.uid INTO uid;
  DELETE FROM kiosk_session WHERE key_hash = s.key_hash;
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (floor (extract (epoch FROM now ()))::bigint, s.device, '', 'release', 'kiosk_checkin', uid,
            'tablet check-in given back unused: the person was not the patient');
  RETURN true;
END $$;

-- One questionnaire of the session's patient (not granted: the two below
-- call it). Status 'ok' with the new id, 'duplicate' with the complete one
-- of the same scale in the same minute (traj_validate_assessment_dates ()),
-- or 'no-session'. The scale and answers are checked against kiosk_scale;
-- the client scored them with the program's scale table.
CREATE FUNCTION traj_kiosk_write (p_key text, p_complete boolean, p_uid text, p_scale text, p_taken_at bigint,
  p_timing text, p_total integer, p_difficulty integer, p_notes text, p_items integer[],
  OUT status text, OUT id bigint, OUT other_taken_at bigint, OUT other_total integer)
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  s kiosk_session := traj_kiosk_session_of (p_key);
  sc kiosk_scale;
  now_s bigint := floor (extract (epoch FROM now ()))::bigint;
  minute bigint := p_taken_at - (((p_taken_at % 60) + 60) % 60);
  n integer := coalesce (array_length (p_items, 1), 0);
  answered integer := 0;
BEGIN
  IF s.checkin_id IS NULL THEN
    status := 'no-session';
    RETURN;
  END IF;
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
  IF p_complete THEN
    -- Two tablets (or a tablet and a workstation) at once: one at a time per patient.
    PERFORM pg_advisory_xact_lock (hashtext ('traj_kiosk_write'), s.patient_id::integer);
    SELECT a.taken_at, a.total INTO other_taken_at, other_total FROM assessment a
      WHERE a.patient_id = s.patient_id AND a.taken_at BETWEEN minute AND minute + 59 AND a.scale = p_scale
        AND a.complete = 1 AND a.deleted_at IS NULL ORDER BY a.taken_at LIMIT 1;
    IF FOUND THEN
      status := 'duplicate';
      RETURN;
    END IF;
  END IF;
  INSERT INTO assessment (uid, patient_id, course_id, infusion_id, scale, taken_at, source, timing,
                          complete, total, difficulty, clinician, notes)
    VALUES (p_uid, s.patient_id, s.course_id, NULL, p_scale, p_taken_at, 'tablet', p_timing,
            CASE WHEN p_complete THEN 1 ELSE 0 END, CASE WHEN p_complete THEN p_total END, p_difficulty, '',
            coalesce (p_notes, ''))
    RETURNING assessment.id INTO id;
  INSERT INTO assessment_item (assessment_id, item, value)
    SELECT id, k, p_items[k] FROM generate_subscripts (p_items, 1) AS k WHERE p_items[k] >= 0;
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (now_s, s.device, '', 'insert', 'assessment', p_uid,
            CASE WHEN p_complete THEN p_scale || ' total ' || p_total || ' (tablet)'
                 ELSE p_scale || ' draft (tablet)' END);
  status := 'ok';
END $$;

CREATE FUNCTION traj_kiosk_submit (p_key text, p_uid text, p_scale text, p_taken_at bigint, p_timing text,
  p_total integer, p_difficulty integer, p_notes text, p_items integer[],
  OUT status text, OUT id bigint, OUT other_taken_at bigint, OUT other_total integer)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT * FROM traj_kiosk_write (p_key, true, p_uid, p_scale, p_taken_at, p_timing, p_total, p_difficulty,
                                  p_notes, p_items)
$$;

-- Unfinished answers, kept unscored (CLINICAL.md §1); a safety answer in
-- them still reaches a clinician.
CREATE FUNCTION traj_kiosk_save_draft (p_key text, p_uid text, p_scale text, p_taken_at bigint, p_timing text,
  p_difficulty integer, p_notes text, p_items integer[],
  OUT status text, OUT id bigint, OUT other_taken_at bigint, OUT other_total integer)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT * FROM traj_kiosk_write (p_key, false, p_uid, p_scale, p_taken_at, p_timing, NULL, p_difficulty,
                                  p_notes, p_items)
$$;

-- Owned by the owner role; callable by the kiosk role alone (and the helpers by nobody).
DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'traj_kiosk_count_failure(text,text,bigint)', 'traj_kiosk_wait_until(text,text,bigint)',
    'traj_kiosk_fail(text,text,bigint)', 'traj_kiosk_device(text)', 'traj_kiosk_state(text)',
    'traj_kiosk_verify_pin(text,text)', 'traj_kiosk_redeem(text,text)', 'traj_kiosk_session_of(text)',
    'traj_kiosk_release(text)',
    'traj_kiosk_write(text,boolean,text,text,bigint,text,integer,integer,text,integer[])',
    'traj_kiosk_submit(text,text,text,bigint,text,integer,integer,text,integer[])',
    'traj_kiosk_save_draft(text,text,text,bigint,text,integer,text,integer[])']
  LOOP
    EXECUTE format ('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format ('ALTER FUNCTION %s OWNER TO trajectory_kiosk_owner', f);
  END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION traj_kiosk_state(text), traj_kiosk_verify_pin(text,text), traj_kiosk_redeem(text,text),
  traj_kiosk_release(text),
  traj_kiosk_submit(text,text,text,bigint,text,integer,integer,text,integer[]),
  traj_kiosk_save_draft(text,text,text,bigint,text,integer,text,integer[])
  TO trajectory_kiosk;
