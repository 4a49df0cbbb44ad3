-- Trajectory schema v22 (CLINICAL.md §8 "Esketamine monitoring record"):
-- what the SPRAVATO REMS Patient Monitoring Form asks of an intranasal
-- esketamine session and the infusion row does not already hold. Every
-- column is NULL until answered (an answer of "no" is 0), so the record's
-- completeness check can name what is missing. The rest of the form comes
-- from the session (date, dose, lot, concomitant medicines, monitoring
-- minutes, ready-to-leave time, blood pressures), the patient and the
-- clinic's settings.
ALTER TABLE infusion ADD COLUMN rems_first_session INTEGER CHECK (rems_first_session IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_patient_id TEXT;
ALTER TABLE infusion ADD COLUMN rems_monitored_by TEXT;
ALTER TABLE infusion ADD COLUMN rems_vitals_ok_before INTEGER CHECK (rems_vitals_ok_before IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_vitals_ok_leaving INTEGER CHECK (rems_vitals_ok_leaving IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_sedation INTEGER CHECK (rems_sedation IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_dissociation INTEGER CHECK (rems_dissociation IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_resp_depression INTEGER CHECK (rems_resp_depression IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_adverse INTEGER CHECK (rems_adverse IN (0, 1));
ALTER TABLE infusion ADD COLUMN rems_adverse_note TEXT NOT NULL DEFAULT '';
