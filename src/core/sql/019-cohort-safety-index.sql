-- Schema 19 changes the PostgreSQL schema only (postgres/019-cohort-safety-
-- index.sql: a partial index for the cohort's read on a server). A clinic
-- file's cohort joins each assessment's safety item through the primary key.
SELECT 1;
