-- Schema 26 changes the PostgreSQL schema only (postgres/026-audit-gaps.sql:
-- check-ins, cohort definitions, clinic settings and the counts of wrong
-- secrets need an audit event in the same transaction, and a read or an
-- output explains no change). A clinic file is one person's machine, whose
-- owner can change it with any SQLite tool; its audit chain is what tells.
SELECT 1;
