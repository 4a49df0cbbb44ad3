-- The database holds the rules import holds (trial-records.md finding 2).
-- A clinician's login with psql could write what the program never would:
-- an escape sequence in a name, a complete questionnaire whose total is
-- not the sum of its answers; behind one "view" event, which the audited-
-- write check (postgres/024, 026) took as explaining the change. The
-- clinic's own CSV export then wrote the raw escape, and re-importing it
-- was refused.
--
-- 1. An event explains a change only when its action is one the program
--    writes for a change. A read, a view, a report or anything made up
--    ("routine check") no longer covers a write.
DROP TRIGGER audit_event_xact ON audit_event;
CREATE TRIGGER audit_event_xact AFTER INSERT ON audit_event
  FOR EACH ROW WHEN (NEW.action IN ('insert', 'update', 'delete', 'undelete', 'confirm', 'revoke', 'grant',
                                    'use', 'release', 'resume', 'wrong-pin', 'wrong-code', 'right-pin',
                                    'import', 'demo', 'restore', 'migrate', 'migrate-in'))
  EXECUTE FUNCTION traj_audit_note_xact ();

-- 2. No C0 control character in a clinical text column; TAB, LF and CR
--    only where a note may run over lines. A clinic that already holds
--    such a row keeps it: the constraint is added NOT VALID (every new
--    write is checked), and validated only when every row passes. Which
--    constraints are still unvalidated is kept in trajectory_meta under
--    'unvalidated_rules', for the administrator to clean and VALIDATE.
DO $$
DECLARE
  c RECORD;
  con text;
  pattern text;
  unvalidated text[] := '{}';
BEGIN
  FOR c IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND data_type = 'text'
             AND table_name IN ('patient', 'course', 'infusion', 'vital_sign', 'assessment', 'flag_decision',
                                'medication')
           ORDER BY table_name, column_name LOOP
    con := c.table_name || '_' || c.column_name || '_no_control';
    IF c.column_name IN ('notes', 'note', 'side_effect_note', 'concomitant') THEN
      pattern := '[\x01-\x08\x0b\x0c\x0e-\x1f]';
    ELSE
      pattern := '[\x01-\x1f]';
    END IF;
    EXECUTE format ('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I !~ %L) NOT VALID',
                    c.table_name, con, c.column_name, pattern);
    BEGIN
      EXECUTE format ('ALTER TABLE %I VALIDATE CONSTRAINT %I', c.table_name, con);
    EXCEPTION WHEN check_violation THEN
      unvalidated := unvalidated || con;
    END;
  END LOOP;
  IF cardinality (unvalidated) > 0 THEN
    INSERT INTO trajectory_meta (key, value) VALUES ('unvalidated_rules', array_to_string (unvalidated, ' '))
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
  END IF;
END $$;

-- 3. A complete questionnaire with answers has the sum of its answers as
--    its total (CLINICAL.md; traj_scale_score). Total-only scales (no
--    item rows, MADRS typed by its total) are left alone. Checked at the
--    commit, when the assessment and its items are both written.
CREATE FUNCTION traj_assessment_total_check () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  a_id BIGINT;
  a RECORD;
  n BIGINT;
  s BIGINT;
BEGIN
  IF TG_TABLE_NAME = 'assessment' THEN
    a_id := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
  ELSE
    a_id := CASE WHEN TG_OP = 'DELETE' THEN OLD.assessment_id ELSE NEW.assessment_id END;
  END IF;
  SELECT id, uid, complete, total INTO a FROM assessment WHERE id = a_id;
  IF NOT FOUND OR a.complete = 0 THEN
    RETURN NULL;
  END IF;
  SELECT count(*), sum (value) INTO n, s FROM assessment_item WHERE assessment_id = a_id AND value >= 0;
  IF n > 0 AND a.total IS DISTINCT FROM s THEN
    RAISE EXCEPTION 'assessment %: total % does not match the items, which add up to %', a.uid, a.total, s
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_assessment_total_check () FROM PUBLIC;
CREATE CONSTRAINT TRIGGER assessment_total_is_sum AFTER INSERT OR UPDATE ON assessment
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION traj_assessment_total_check ();
CREATE CONSTRAINT TRIGGER assessment_item_total_is_sum AFTER INSERT OR UPDATE OR DELETE ON assessment_item
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION traj_assessment_total_check ();
