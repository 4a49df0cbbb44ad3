-- The audit trail as a hash chain (issue 16 §3, docs/DESIGN.md "Audit
-- trail"). Each event's hash covers its fields and the hash before it,
-- starting from the clinic's own id; audit_seal holds the last link, so a
-- removed last row shows too. Only a connection of the app computes
-- traj_sha256 (src/core/traj-db-sqlite.c): another program's INSERT into
-- audit_event fails, and one that drops the triggers to get round it is
-- found by `trajectory-cli audit verify` and at the app's start.

-- Which patient an event concerns (its uid; '' for none or many), and
-- what it changed in detail: the previous values of an edit, the records
-- an import, restore or demo wrote, where an export went.
ALTER TABLE audit_event ADD COLUMN patient_uid TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_event ADD COLUMN detail TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_event_patient ON audit_event (patient_uid) WHERE patient_uid <> '';
CREATE INDEX audit_event_at ON audit_event (at);

INSERT OR IGNORE INTO trajectory_meta (key, value) VALUES ('clinic_id', lower(hex(randomblob(16))));

CREATE TABLE audit_chain (
  seq INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL UNIQUE,
  hash TEXT NOT NULL
) STRICT;
CREATE TABLE audit_seal (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;

-- The events already in the trail, in order.
WITH RECURSIVE link (n, id, hash) AS (
  SELECT 0, 0, traj_sha256 ('trajectory audit ' || (SELECT value FROM trajectory_meta WHERE key = 'clinic_id'))
  UNION ALL
  SELECT link.n + 1, e.id,
         traj_sha256 (link.hash || char (10) || e.id || char (10) || e.at || char (10) ||
                      length (CAST (e.os_user AS BLOB)) || ':' || e.os_user || char (10) ||
                      length (CAST (e.clinician AS BLOB)) || ':' || e.clinician || char (10) ||
                      length (CAST (e.action AS BLOB)) || ':' || e.action || char (10) ||
                      length (CAST (e.record_kind AS BLOB)) || ':' || e.record_kind || char (10) ||
                      length (CAST (e.record_uid AS BLOB)) || ':' || e.record_uid || char (10) ||
                      length (CAST (e.patient_uid AS BLOB)) || ':' || e.patient_uid || char (10) ||
                      length (CAST (e.summary AS BLOB)) || ':' || e.summary || char (10) ||
                      length (CAST (e.detail AS BLOB)) || ':' || e.detail || char (10))
  FROM link JOIN audit_event e ON e.id = (SELECT min (id) FROM audit_event WHERE id > link.id)
)
INSERT INTO audit_chain (seq, event_id, hash)
SELECT n, id, hash FROM link WHERE n > 0;
INSERT INTO audit_seal (id, seq, hash)
SELECT 1, seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1;

-- Every new event: refused unless its id follows the last (a back-dated
-- insert), then linked and sealed, in the writer's transaction.
CREATE TRIGGER audit_event_chain AFTER INSERT ON audit_event
BEGIN
  SELECT RAISE (ABORT, 'audit_event ids only grow')
  WHERE NEW.id <= (SELECT coalesce (max (event_id), 0) FROM audit_chain);
  INSERT INTO audit_chain (event_id, hash) VALUES (NEW.id,
    traj_sha256 (coalesce ((SELECT hash FROM audit_chain ORDER BY seq DESC LIMIT 1),
                           traj_sha256 ('trajectory audit ' || (SELECT value FROM trajectory_meta WHERE key = 'clinic_id')))
                 || char (10) || NEW.id || char (10) || NEW.at || char (10) ||
                 length (CAST (NEW.os_user AS BLOB)) || ':' || NEW.os_user || char (10) ||
                 length (CAST (NEW.clinician AS BLOB)) || ':' || NEW.clinician || char (10) ||
                 length (CAST (NEW.action AS BLOB)) || ':' || NEW.action || char (10) ||
                 length (CAST (NEW.record_kind AS BLOB)) || ':' || NEW.record_kind || char (10) ||
                 length (CAST (NEW.record_uid AS BLOB)) || ':' || NEW.record_uid || char (10) ||
                 length (CAST (NEW.patient_uid AS BLOB)) || ':' || NEW.patient_uid || char (10) ||
                 length (CAST (NEW.summary AS BLOB)) || ':' || NEW.summary || char (10) ||
                 length (CAST (NEW.detail AS BLOB)) || ':' || NEW.detail || char (10)));
  INSERT OR REPLACE INTO audit_seal (id, seq, hash)
  SELECT 1, seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1;
END;

CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
BEGIN
  SELECT RAISE (ABORT, 'audit_chain is append-only');
END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN
  SELECT RAISE (ABORT, 'audit_chain is append-only');
END;
