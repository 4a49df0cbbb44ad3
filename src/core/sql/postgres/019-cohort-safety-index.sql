-- The cohort's read on a server (traj-store-cohort-pg.c) takes the safety
-- answers above 0 apart from their assessments: the outcome engine reads an
-- assessment's safety item only when it is 1 or more. This partial index
-- holds exactly those rows of the safety item's number (9, PHQ-9's: the only
-- scale with a safety item), so the server answers from it alone instead of
-- scanning every questionnaire item. A scale whose safety item had another
-- number would still be read right, from the table, only slower.
CREATE INDEX assessment_item_safety ON assessment_item (assessment_id) INCLUDE (item, value)
  WHERE item = 9 AND value >= 1;
