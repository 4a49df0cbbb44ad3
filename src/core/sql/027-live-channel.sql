-- Schema 27 changes the PostgreSQL schema only (postgres/027-live-channel.sql:
-- live updates on a channel a kiosk login cannot name). Programs sharing a
-- clinic file see each other's changes through the file itself.
SELECT 1;
