-- As ../009-audit-chain.sql: the audit trail as a hash chain. Here the
-- server links each event itself (a SECURITY DEFINER trigger that no login
-- can skip), under a lock so that concurrent writers form one chain, and
-- renumbers an event whose id a concurrent writer overtook, so that ids
-- grow along the chain.
ALTER TABLE audit_event ADD COLUMN patient_uid TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE audit_event ADD COLUMN detail TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX audit_event_patient ON audit_event (patient_uid) WHERE patient_uid <> '';
CREATE INDEX audit_event_at ON audit_event (at);

INSERT INTO trajectory_meta (key, value)
VALUES ('clinic_id', md5 (random ()::text || clock_timestamp ()::text))
ON CONFLICT (key) DO NOTHING;

CREATE TABLE audit_chain (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id BIGINT NOT NULL UNIQUE,
  hash TEXT COLLATE "C" NOT NULL
);
CREATE TABLE audit_seal (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT COLLATE "C" NOT NULL
);
CREATE TRIGGER audit_chain_no_change BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION traj_audit_append_only ();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION traj_audit_append_only ();
GRANT SELECT ON audit_chain, audit_seal TO trajectory_clinician, trajectory_lead;
-- Leads check the chain and read the Audit Trail window too.
GRANT SELECT ON audit_event TO trajectory_lead;

CREATE FUNCTION traj_sha256 (t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT encode (sha256 (convert_to (t, 'UTF8')), 'hex')
$$;
CREATE FUNCTION traj_audit_link (prev text, e audit_event) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT traj_sha256 (prev || E'\n' || e.id || E'\n' || e.at || E'\n' ||
                      octet_length (e.os_user) || ':' || e.os_user || E'\n' ||
                      octet_length (e.clinician) || ':' || e.clinician || E'\n' ||
                      octet_length (e.action) || ':' || e.action || E'\n' ||
                      octet_length (e.record_kind) || ':' || e.record_kind || E'\n' ||
                      octet_length (e.record_uid) || ':' || e.record_uid || E'\n' ||
                      octet_length (e.patient_uid) || ':' || e.patient_uid || E'\n' ||
                      octet_length (e.summary) || ':' || e.summary || E'\n' ||
                      octet_length (e.detail) || ':' || e.detail || E'\n')
$$;

CREATE FUNCTION traj_audit_chain () RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  last_id BIGINT;
  prev TEXT;
  h TEXT;
  s BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock (1953719668);   -- 'traj'
  SELECT event_id, hash INTO last_id, prev FROM audit_chain ORDER BY seq DESC LIMIT 1;
  -- An id a concurrent writer overtook (it took its id first, the lock
  -- second) moves past it; an id already in the trail stays, and the
  -- chain's unique event_id refuses it.
  IF last_id IS NOT NULL AND NEW.id <= last_id AND NOT EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) THEN
    WHILE NEW.id <= last_id LOOP
      NEW.id := nextval (pg_get_serial_sequence ('audit_event', 'id'));
    END LOOP;
  END IF;
  IF prev IS NULL THEN
    prev := traj_sha256 ('trajectory audit ' || (SELECT value FROM trajectory_meta WHERE key = 'clinic_id'));
  END IF;
  h := traj_audit_link (prev, NEW);
  INSERT INTO audit_chain (event_id, hash) VALUES (NEW.id, h) RETURNING seq INTO s;
  INSERT INTO audit_seal (id, seq, hash) VALUES (1, s, h)
  ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
  RETURN NEW;
END $$;

-- The events already in the trail, in order.
DO $$
DECLARE
  e audit_event;
  prev TEXT := traj_sha256 ('trajectory audit ' || (SELECT value FROM trajectory_meta WHERE key = 'clinic_id'));
  s BIGINT;
BEGIN
  FOR e IN SELECT * FROM audit_event ORDER BY id LOOP
    prev := traj_audit_link (prev, e);
    INSERT INTO audit_chain (event_id, hash) VALUES (e.id, prev) RETURNING seq INTO s;
  END LOOP;
  IF s IS NOT NULL THEN
    INSERT INTO audit_seal (id, seq, hash) VALUES (1, s, prev);
  END IF;
END $$;

-- After audit_event_who (triggers fire in name order): the login it wrote
-- is part of the link.
CREATE TRIGGER audit_event_zchain BEFORE INSERT ON audit_event
  FOR EACH ROW EXECUTE FUNCTION traj_audit_chain ();
