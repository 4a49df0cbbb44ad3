-- Wrong secrets counted per device (src/core/traj-secret.h): a patient at
-- one tablet no longer makes every tablet, and the staff, wait.
-- secret_attempt keeps the clinic-wide ceiling that only kiosks are held to.

-- Wrong attempts at a secret ("staff-pin", "checkin") from one device
-- ("kiosk:<id>", "workstation:<id>"; the id is kept by the installation,
-- never typed): how many are still counted (one leaks out per quiet
-- interval), until when (Unix time) no attempt is taken, and the last.
CREATE TABLE secret_attempt_device (
  kind TEXT NOT NULL,
  device TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  last_failure_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, device)
) STRICT;

-- The clinic-wide counts become the kiosks' ceiling, with a higher limit:
-- a wait they hold now was set by the old, lower one, and ends.
UPDATE secret_attempt SET locked_until = 0;
