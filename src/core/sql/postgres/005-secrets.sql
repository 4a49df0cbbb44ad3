-- As ../005-secrets.sql: secrets kept as Argon2id hashes with clinic-wide
-- limits on wrong attempts.
CREATE TABLE secret_attempt (
  kind TEXT COLLATE "C" PRIMARY KEY,
  failures BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  last_failure_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO secret_attempt (kind) VALUES ('staff-pin'), ('checkin');
GRANT SELECT, INSERT, UPDATE ON secret_attempt TO trajectory_clinician;

ALTER TABLE kiosk_checkin ADD COLUMN revoked_at BIGINT;
ALTER TABLE kiosk_checkin ADD COLUMN revoked_by TEXT COLLATE "C";
CREATE INDEX kiosk_checkin_hash ON kiosk_checkin (code_hash);

UPDATE kiosk_checkin SET expires_at = extract(epoch FROM now())::bigint
  WHERE used_at IS NULL AND expires_at > extract(epoch FROM now())::bigint;
