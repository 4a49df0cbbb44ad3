-- Live updates only for those who may read what changed. PostgreSQL has no
-- privilege for LISTEN: any login, a tablet's kiosk login too, could LISTEN
-- on trajectory_changes and hear which patients' records changed when.
-- The notices now go to a channel whose name is random, made once per
-- clinic and readable only by clinicians and leads (a kiosk login cannot
-- read it, and can list no other session's channels or queries). The
-- trigger reads the name with its owner's rights: a kiosk function's
-- write still tells the workstations.
CREATE TABLE live_channel (
  name TEXT COLLATE "C" NOT NULL CHECK (name ~ '^trajectory_[0-9a-f]{32}$')
);
CREATE UNIQUE INDEX live_channel_one ON live_channel ((true));
INSERT INTO live_channel (name) VALUES ('trajectory_' || replace (gen_random_uuid ()::text, '-', ''));
GRANT SELECT ON live_channel TO trajectory_clinician, trajectory_lead;

CREATE OR REPLACE FUNCTION traj_notify_changes () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
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
  PERFORM pg_notify ((SELECT name FROM live_channel), TG_TABLE_NAME || ':' || ids);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_notify_changes () FROM PUBLIC;
