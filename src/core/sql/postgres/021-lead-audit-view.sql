-- A lead reads the audit trail without the words that may name a patient.
-- Summaries and details hold MRNs, names, notes and the values an edit
-- changed (traj-store-patient.c: "patient MRN …"), so the lead loses SELECT
-- on audit_event and reads this view instead: who, when, what and which
-- record, by uid. The summaries the program writes in fixed words are kept:
-- which kind of read it was (the access log), a batch's counts, and which
-- role a staff login was given.
REVOKE SELECT ON audit_event FROM trajectory_lead;

CREATE VIEW audit_event_lead AS
  SELECT id, at, os_user, clinician, action, record_kind, record_uid, patient_uid,
         CASE
           WHEN action = 'read' AND summary IN ('patient page', 'report', 'CSV export', 'FHIR export', 'migration')
             THEN summary
           WHEN action = 'grant' AND record_kind = 'login' THEN summary
           WHEN record_kind = 'counts' AND summary ~ '^[a-z-]+: [a-z_]+ [0-9]+(, [a-z_]+ [0-9]+)*$'
             THEN summary
           ELSE ''
         END::text COLLATE "C" AS summary,
         ''::text COLLATE "C" AS detail
  FROM audit_event;
GRANT SELECT ON audit_event_lead TO trajectory_lead;

-- The chain's check for a login that may not read the events it hashes:
-- the same walk as traj-store-audit.c's, done here with the owner's rights,
-- answering only where it broke. A clinician's check still hashes every
-- event itself.
CREATE FUNCTION traj_audit_walk (OUT n_events BIGINT, OUT last_seq BIGINT, OUT last_hash TEXT,
                                 OUT bad_event BIGINT, OUT problem TEXT, OUT after_event BIGINT)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  r RECORD;
  h TEXT;
  prev TEXT := traj_sha256 ('trajectory audit ' || (SELECT value FROM trajectory_meta WHERE key = 'clinic_id'));
BEGIN
  n_events := 0;
  last_seq := 0;
  after_event := 0;
  IF prev IS NULL THEN
    problem := 'no-clinic-id';
    RETURN;
  END IF;
  FOR r IN SELECT c.seq, c.event_id, c.hash, e.id AS present, e AS ev
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
    prev := h;
    after_event := r.event_id;
    last_seq := r.seq;
    n_events := n_events + 1;
  END LOOP;
  bad_event := NULL;
  IF n_events > 0 THEN
    last_hash := prev;
  END IF;
END $$;
REVOKE EXECUTE ON FUNCTION traj_audit_walk () FROM PUBLIC;
GRANT EXECUTE ON FUNCTION traj_audit_walk () TO trajectory_lead, trajectory_clinician;
