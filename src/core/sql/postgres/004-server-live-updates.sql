-- Live updates: every committed change of the clinic's records sends one
-- notice on the channel trajectory_changes, "TABLE:ID,ID,…" naming the
-- patients it touched ("TABLE:*" for many, or for what belongs to no
-- patient). Windows LISTEN and reload what changed; PostgreSQL delivers a
-- notice only when its transaction commits, and once however many
-- statements repeat it. Statement-level triggers: an import of millions of
-- rows sends a handful.
CREATE FUNCTION traj_notify_changes () RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids text;
  n bigint;
BEGIN
  IF TG_ARGV[0] = '' THEN
    ids := '*';
  ELSE
    EXECUTE format ('SELECT count(*), string_agg(p::text, '','') FROM '
                    '(SELECT DISTINCT %I AS p FROM new_rows WHERE %I IS NOT NULL LIMIT 51) AS d',
                    TG_ARGV[0], TG_ARGV[0])
      INTO n, ids;
    IF n = 0 THEN
      RETURN NULL;
    END IF;
    IF n > 50 THEN
      ids := '*';
    END IF;
  END IF;
  PERFORM pg_notify ('trajectory_changes', TG_TABLE_NAME || ':' || ids);
  RETURN NULL;
END $$;

CREATE TRIGGER patient_notify_insert AFTER INSERT ON patient REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('id');
CREATE TRIGGER patient_notify_update AFTER UPDATE ON patient REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('id');
CREATE TRIGGER course_notify_insert AFTER INSERT ON course REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER course_notify_update AFTER UPDATE ON course REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER infusion_notify_insert AFTER INSERT ON infusion REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER infusion_notify_update AFTER UPDATE ON infusion REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER assessment_notify_insert AFTER INSERT ON assessment REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER assessment_notify_update AFTER UPDATE ON assessment REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER flag_decision_notify_insert AFTER INSERT ON flag_decision REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER flag_decision_notify_update AFTER UPDATE ON flag_decision REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER kiosk_checkin_notify_insert AFTER INSERT ON kiosk_checkin REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER kiosk_checkin_notify_update AFTER UPDATE ON kiosk_checkin REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('patient_id');
CREATE TRIGGER cohort_definition_notify_insert AFTER INSERT ON cohort_definition
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('');
CREATE TRIGGER cohort_definition_notify_update AFTER UPDATE ON cohort_definition
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('');
CREATE TRIGGER clinic_setting_notify_insert AFTER INSERT ON clinic_setting
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('');
CREATE TRIGGER clinic_setting_notify_update AFTER UPDATE ON clinic_setting
  FOR EACH STATEMENT EXECUTE FUNCTION traj_notify_changes ('');

-- The two tables with most rows (vital readings, questionnaire answers)
-- check their parent once per statement instead of once per row: the
-- same guarantee for every insert and update, at a fraction of the cost
-- when an import writes millions of them. A parent is never deleted (no
-- role may); not even the owner can while it has children.
ALTER TABLE vital_sign DROP CONSTRAINT vital_sign_infusion_id_fkey;
ALTER TABLE assessment_item DROP CONSTRAINT assessment_item_assessment_id_fkey;

CREATE FUNCTION traj_check_parents () RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  orphan bigint;
BEGIN
  EXECUTE format ('SELECT n.%I FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM %I p WHERE p.id = n.%I) LIMIT 1',
                  TG_ARGV[0], TG_ARGV[1], TG_ARGV[0])
    INTO orphan;
  IF orphan IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates its reference to "%": % % does not exist',
      TG_TABLE_NAME, TG_ARGV[1], TG_ARGV[1], orphan
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER vital_sign_parent_insert AFTER INSERT ON vital_sign REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_check_parents ('infusion_id', 'infusion');
CREATE TRIGGER vital_sign_parent_update AFTER UPDATE ON vital_sign REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_check_parents ('infusion_id', 'infusion');
CREATE TRIGGER assessment_item_parent_insert AFTER INSERT ON assessment_item REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_check_parents ('assessment_id', 'assessment');
CREATE TRIGGER assessment_item_parent_update AFTER UPDATE ON assessment_item REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION traj_check_parents ('assessment_id', 'assessment');

CREATE FUNCTION traj_keep_children () RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  child boolean;
BEGIN
  EXECUTE format ('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1])
    INTO child USING OLD.id;
  IF child THEN
    RAISE EXCEPTION 'the % row % still has % rows', TG_TABLE_NAME, OLD.id, TG_ARGV[0]
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER infusion_keep_children BEFORE DELETE ON infusion
  FOR EACH ROW EXECUTE FUNCTION traj_keep_children ('vital_sign', 'infusion_id');
CREATE TRIGGER assessment_keep_children BEFORE DELETE ON assessment
  FOR EACH ROW EXECUTE FUNCTION traj_keep_children ('assessment_item', 'assessment_id');
