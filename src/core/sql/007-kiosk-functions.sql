-- Schema 7 changes the PostgreSQL schema only (postgres/007-kiosk-
-- functions.sql: the functions a tablet's login calls, as it reads no
-- table). On a clinic file the kiosk runs the same checks in the program.
SELECT 1;
