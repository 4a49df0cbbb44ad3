-- Schema 23 changes the PostgreSQL schema only (postgres/023-cohort-order-
-- index.sql: indexes in the order of the cohort's read on a server). A
-- clinic file's cohort reads through its own indexes.
SELECT 1;
