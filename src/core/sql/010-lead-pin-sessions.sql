-- Schema 10 changes the PostgreSQL schema only (postgres/010-lead-pin-
-- sessions.sql: the staff PIN's hash hidden from the lead's login, and the
-- tablet's expired sessions purged). A clinic file has neither logins nor
-- server-side kiosk sessions: a tablet's check-in session on a file lives
-- in the kiosk program's memory only.
SELECT 1;
