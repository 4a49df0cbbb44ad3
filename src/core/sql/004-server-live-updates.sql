-- Schema 4 changes the PostgreSQL schema only (postgres/004-server-live-
-- updates.sql: change notices for live updates, set-wise reference checks
-- for bulk rows). A clinic file needs nothing: its windows watch
-- PRAGMA data_version.
SELECT 1;
