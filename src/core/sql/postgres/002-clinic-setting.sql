-- Clinic-wide settings, as ../002-clinic-setting.sql.
CREATE TABLE clinic_setting (
  key TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT COLLATE "C" NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON clinic_setting TO trajectory_clinician;
GRANT SELECT ON clinic_setting TO trajectory_lead;
