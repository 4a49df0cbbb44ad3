-- Trajectory schema v8 (CLINICAL.md §8): the indication detail, a second
-- code under the indication used in cohorts (depression: mdd, trd,
-- postpartum; chronic pain: crps, fibromyalgia, neuropathic, migraine,
-- other_pain), on the patient and on each course; '' when not given. And
-- the suicidal-ideation risk flag on the patient: when it was set (NULL:
-- not set) and by whom.

ALTER TABLE patient ADD COLUMN indication_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN risk_si_at INTEGER;
ALTER TABLE patient ADD COLUMN risk_si_by TEXT NOT NULL DEFAULT '';
ALTER TABLE course ADD COLUMN indication_detail TEXT NOT NULL DEFAULT '';
