-- Schema 24 changes the PostgreSQL schema only (postgres/024-audited-
-- writes.sql: the server refuses a change to a clinical record that no
-- audit event explains, and writes each event's time itself). A clinic
-- file is one person's machine: its audit verify reports an event earlier
-- than the one before it (traj-store-audit.c), which needs no schema.
SELECT 1;
