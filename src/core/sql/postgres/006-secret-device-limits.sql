-- As ../006-secret-device-limits.sql: wrong secrets counted per device;
-- secret_attempt keeps the clinic-wide ceiling for kiosks.
CREATE TABLE secret_attempt_device (
  kind TEXT COLLATE "C" NOT NULL,
  device TEXT COLLATE "C" NOT NULL,
  failures BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  last_failure_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, device)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON secret_attempt_device TO trajectory_clinician;

UPDATE secret_attempt SET locked_until = 0;
