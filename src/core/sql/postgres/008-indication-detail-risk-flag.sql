-- As ../008-indication-detail-risk-flag.sql: the indication detail on
-- patients and courses, and the suicidal-ideation risk flag (when, who).
ALTER TABLE patient ADD COLUMN indication_detail TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN risk_si_at BIGINT;
ALTER TABLE patient ADD COLUMN risk_si_by TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE course ADD COLUMN indication_detail TEXT COLLATE "C" NOT NULL DEFAULT '';
