-- Schema 25 changes the PostgreSQL schema only (postgres/025-kiosk-total-is-
-- sum.sql: the server refuses a tablet's complete questionnaire whose total is
-- not the sum of its answers). On a clinic file the store scores the answers
-- itself (traj_assessment_rescore) and never takes a total from the caller.
SELECT 1;
