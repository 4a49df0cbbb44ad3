-- Secrets kept as Argon2id hashes (src/core/traj-secret.h) with clinic-wide
-- limits on wrong attempts.

-- Wrong attempts at a secret ("staff-pin", "checkin"), for the whole clinic:
-- how many in a row (forgotten a day after the last), and until when
-- (Unix time) no attempt is taken. Restarting a tablet resets nothing.
CREATE TABLE secret_attempt (
  kind TEXT PRIMARY KEY,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  last_failure_at INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO secret_attempt (kind) VALUES ('staff-pin'), ('checkin');

-- A clinician can cancel an open check-in code.
ALTER TABLE kiosk_checkin ADD COLUMN revoked_at INTEGER;
ALTER TABLE kiosk_checkin ADD COLUMN revoked_by TEXT;
-- A code is found by its hash (one Argon2id per attempt, never one per open code).
CREATE INDEX kiosk_checkin_hash ON kiosk_checkin (code_hash);

-- Codes made before were one round of salted SHA-256: they cannot be
-- checked any more, so every open one expires now (staff make new ones).
UPDATE kiosk_checkin SET expires_at = CAST(strftime('%s', 'now') AS INTEGER)
  WHERE used_at IS NULL AND expires_at > CAST(strftime('%s', 'now') AS INTEGER);
