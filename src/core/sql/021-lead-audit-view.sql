-- Schema 21 changes the PostgreSQL schema only (postgres/021-lead-audit-
-- view.sql: the lead's view of the audit trail, without the words that may
-- name a patient). A clinic file has no lead login.
SELECT 1;
