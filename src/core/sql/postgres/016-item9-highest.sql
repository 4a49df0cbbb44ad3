-- As ../016-item9-highest.sql: the highest answer a tablet ever saved to a
-- questionnaire's safety item (PHQ-9 item 9), so that changing it back to 0
-- keeps the safety finding (CLINICAL.md §4).
ALTER TABLE assessment ADD COLUMN safety_highest BIGINT CHECK (safety_highest >= 1);
-- A lead's cohorts count safety findings (011-lead-columns.sql).
GRANT SELECT (safety_highest) ON assessment TO trajectory_lead;
GRANT UPDATE (safety_highest) ON assessment TO trajectory_kiosk_owner;

-- Which item of each patient-facing scale is its safety item (the
-- program's scale table: PHQ-9 item 9), 0 for none.
ALTER TABLE kiosk_scale ADD COLUMN safety_item INTEGER NOT NULL DEFAULT 0;
UPDATE kiosk_scale SET safety_item = 9 WHERE code = 'phq9';

-- As in 012, and a draft amended keeps the highest answer its safety item
-- ever had; the audit keeps every answer given.
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
  highest bigint;
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
    -- The safety item's answer before this one, and any higher one before it.
    IF sc.safety_item > 0 THEN
      highest := (SELECT greatest (coalesce (a.safety_highest, 0),
                                   coalesce ((SELECT i.value FROM assessment_item i
                                              WHERE i.assessment_id = prev AND i.item = sc.safety_item), 0))
                  FROM assessment a WHERE a.id = prev);
    END IF;
    UPDATE assessment SET taken_at = at_s, timing = p_timing, complete = CASE WHEN p_complete THEN 1 ELSE 0 END,
      total = CASE WHEN p_complete THEN p_total END, difficulty = p_difficulty, notes = coalesce (p_notes, ''),
      safety_highest = CASE WHEN highest >= 1 THEN highest END
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
  -- Every answer as given ("-" for none yet), as the clinic file's audit
  -- keeps each one's before and after.
  INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary)
    VALUES (now_s, s.device, '', CASE WHEN prev IS NULL THEN 'insert' ELSE 'update' END, 'assessment', p_uid,
            CASE WHEN p_complete THEN p_scale || ' total ' || p_total || ' (tablet)'
                 ELSE p_scale || ' draft, ' || answered || ' of ' || n || ' answered (tablet)' END
            || '; answers ' || array_to_string (ARRAY (SELECT CASE WHEN v >= 0 THEN v::text ELSE '-' END
                                                       FROM unnest (p_items) AS v), ',')
            || CASE WHEN highest >= 1 THEN '; item ' || sc.safety_item || ' highest ' || highest ELSE '' END);
  status := 'ok';
END $$;

-- As in 012, with the highest answer each questionnaire's safety item had.
DROP FUNCTION traj_kiosk_session_answers (text);
CREATE FUNCTION traj_kiosk_session_answers (p_key text)
RETURNS TABLE (id bigint, uid text, scale text, complete boolean, taken_at bigint, timing text,
               difficulty integer, items integer[], safety_highest integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT a.id, a.uid, a.scale, a.complete <> 0, a.taken_at, a.timing, a.difficulty::integer,
         ARRAY (SELECT coalesce ((SELECT i.value::integer FROM assessment_item i
                                  WHERE i.assessment_id = a.id AND i.item = n), -1)
                FROM generate_series (1, sc.n_items) AS n ORDER BY n),
         a.safety_highest::integer
  FROM traj_kiosk_session_of (p_key) s
  JOIN kiosk_checkin k ON k.id = s.checkin_id
  JOIN assessment a ON a.patient_id = s.patient_id AND a.source = 'tablet' AND a.deleted_at IS NULL
                   AND a.taken_at >= k.used_at
  JOIN kiosk_scale sc ON sc.code = a.scale
  ORDER BY a.id
$$;
REVOKE ALL ON FUNCTION traj_kiosk_session_answers(text) FROM PUBLIC;
ALTER FUNCTION traj_kiosk_session_answers(text) OWNER TO trajectory_kiosk_owner;
GRANT EXECUTE ON FUNCTION traj_kiosk_session_answers(text) TO trajectory_kiosk;
