-- As ../022-esketamine-monitoring.sql: the esketamine monitoring record's
-- answers on the session's row, NULL until answered. A lead's login reads
-- none of them (postgres/011 grants columns one by one).
ALTER TABLE infusion ADD COLUMN rems_first_session BIGINT CHECK (rems_first_session IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_patient_id TEXT COLLATE "C";
ALTER TABLE infusion ADD COLUMN rems_monitored_by TEXT COLLATE "C";
ALTER TABLE infusion ADD COLUMN rems_vitals_ok_before BIGINT CHECK (rems_vitals_ok_before IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_vitals_ok_leaving BIGINT CHECK (rems_vitals_ok_leaving IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_sedation BIGINT CHECK (rems_sedation IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_dissociation BIGINT CHECK (rems_dissociation IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_resp_depression BIGINT CHECK (rems_resp_depression IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_adverse BIGINT CHECK (rems_adverse IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_adverse_note TEXT COLLATE "C" NOT NULL DEFAULT '';
