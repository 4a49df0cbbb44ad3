-- Schema 16 (CLINICAL.md §4: PHQ-9 item 9 answered 1 or more, complete or
-- draft, is a safety finding until a clinician acknowledges it). A tablet
-- saves a questionnaire answer by answer into one draft; a patient who
-- answered item 9 above 0 and then went back and changed it to 0 erased the
-- finding. safety_highest keeps the highest answer ever saved to the
-- scale's safety item of a tablet questionnaire (NULL: never above 0); the
-- outcome engine reads the finding from it as well as from the answer.
ALTER TABLE assessment ADD COLUMN safety_highest INTEGER CHECK (safety_highest >= 1);
