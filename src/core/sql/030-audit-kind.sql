-- Trajectory schema v30: no change to a clinic file (postgres/030 asks a
-- server's audit event to be about the table a transaction wrote).
SELECT 1;
