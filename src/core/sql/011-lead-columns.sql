-- Schema 11 changes the PostgreSQL schema only (postgres/011-lead-
-- columns.sql: the columns a lead's login may read). A clinic file has
-- no logins.
SELECT 1;
