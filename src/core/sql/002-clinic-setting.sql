-- Clinic-wide settings: what every workstation and tablet on one clinic file
-- must agree on (the staff PIN's salt and hash, check-in rules, …). Per-user
-- preferences stay in GSettings. Every change goes through
-- traj_store_set_setting(), one transaction with its audit event; a secret
-- value never reaches the audit trail.
CREATE TABLE clinic_setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
