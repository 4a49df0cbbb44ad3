-- Trajectory schema v14 (CLINICAL.md §8 "Per-infusion tolerability"): the
-- CADSS total (0–92) and the lowest MOAA/S during monitoring (0–5) of each
-- infusion; NULL when not recorded. Tolerability, not outcomes: they are
-- never read by response or remission.

ALTER TABLE infusion ADD COLUMN cadss_total INTEGER CHECK (cadss_total BETWEEN 0 AND 92);
ALTER TABLE infusion ADD COLUMN moaas_lowest INTEGER CHECK (moaas_lowest BETWEEN 0 AND 5);
