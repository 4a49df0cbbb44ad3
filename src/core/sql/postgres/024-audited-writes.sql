-- No silent write, and no back-dated event (trial-records.md findings 1
-- and 3). A clinician's login could change clinical records with psql and
-- leave the audit trail silent, and any login could write an event with any
-- time.
--
-- Each transaction that writes an audit event is noted in audit_xact (by
-- audit_event's own trigger, with the owner's rights: no login writes or
-- reads that table). A constraint trigger on every clinical table, deferred
-- to the commit, refuses a transaction that changed a record but noted no
-- event. The owner is held to it too; migrate writes its events in the
-- same transaction as the records it copies.
CREATE TABLE audit_xact (
  xid BIGINT PRIMARY KEY
);

CREATE FUNCTION traj_audit_note_xact () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO audit_xact (xid) VALUES (txid_current ()) ON CONFLICT (xid) DO NOTHING;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_audit_note_xact () FROM PUBLIC;
CREATE TRIGGER audit_event_xact AFTER INSERT ON audit_event
  FOR EACH ROW EXECUTE FUNCTION traj_audit_note_xact ();

CREATE FUNCTION traj_audit_required () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_xact WHERE xid = txid_current ()) THEN
    RAISE EXCEPTION 'every change must be audited: % was changed without an audit event in the same transaction',
      TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION traj_audit_required () FROM PUBLIC;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['patient', 'course', 'infusion', 'vital_sign', 'assessment', 'assessment_item',
                           'flag_decision', 'medication'] LOOP
    EXECUTE format ('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                    'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION traj_audit_required ()',
                    t || '_audited', t);
  END LOOP;
END $$;

-- The event's time is the server's clock, whatever the client sent (as its
-- login already was). Migrate keeps a clinic file's old times by
-- suspending this trigger inside its transaction, which only the owner may.
CREATE OR REPLACE FUNCTION traj_audit_who () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.clinician := session_user;
  NEW.at := extract (epoch FROM clock_timestamp ())::bigint;
  RETURN NEW;
END $$;

-- The lead's check (postgres/021) also reports an event dated more than
-- five minutes before the one before it, as traj-store-audit.c does.
CREATE OR REPLACE FUNCTION traj_audit_walk (OUT n_events BIGINT, OUT last_seq BIGINT, OUT last_hash TEXT,
                                            OUT bad_event BIGINT, OUT problem TEXT, OUT after_event BIGINT)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  r RECORD;
  h TEXT;
  prev TEXT := traj_sha256 ('trajectory audit ' || (SELECT value FROM trajectory_meta WHERE key = 'clinic_id'));
  prev_at BIGINT;
BEGIN
  n_events := 0;
  last_seq := 0;
  after_event := 0;
  IF prev IS NULL THEN
    problem := 'no-clinic-id';
    RETURN;
  END IF;
  FOR r IN SELECT c.seq, c.event_id, c.hash, e.id AS present, e.at AS at, e AS ev
           FROM audit_chain c LEFT JOIN audit_event e ON e.id = c.event_id ORDER BY c.seq LOOP
    bad_event := r.event_id;
    IF r.present IS NULL THEN
      problem := 'removed';
      RETURN;
    ELSIF r.event_id <= after_event THEN
      problem := 'order';
      RETURN;
    END IF;
    h := traj_audit_link (prev, r.ev);
    IF h IS DISTINCT FROM r.hash THEN
      problem := 'changed';
      RETURN;
    END IF;
    IF prev_at IS NOT NULL AND r.at < prev_at - 300 THEN
      problem := 'time';
      RETURN;
    END IF;
    prev := h;
    prev_at := r.at;
    after_event := r.event_id;
    last_seq := r.seq;
    n_events := n_events + 1;
  END LOOP;
  bad_event := NULL;
  IF n_events > 0 THEN
    last_hash := prev;
  END IF;
END $$;
