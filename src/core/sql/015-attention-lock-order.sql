-- Schema 15 changes the PostgreSQL schema only (postgres/015-attention-
-- lock-order.sql: the trigger that forgets a patient's needs-attention state
-- takes the audit chain's lock first, so two devices never wait on each
-- other in opposite orders). A clinic file has one writer at a time.
SELECT 1;
