-- As ../014-infusion-tolerability.sql: the CADSS total and the lowest
-- MOAA/S of each infusion, NULL when not recorded.
ALTER TABLE infusion ADD COLUMN cadss_total BIGINT CHECK (cadss_total BETWEEN 0 AND 92);
ALTER TABLE infusion ADD COLUMN moaas_lowest BIGINT CHECK (moaas_lowest BETWEEN 0 AND 5);
-- Cohorts summarise them (mean CADSS, share sedated): a lead's login reads
-- them as it reads the other cohort columns (011-lead-columns.sql).
GRANT SELECT (cadss_total, moaas_lowest) ON infusion TO trajectory_lead;
