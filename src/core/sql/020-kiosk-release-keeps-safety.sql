-- Schema 20 changes the PostgreSQL schema only (postgres/020-kiosk-release-
-- keeps-safety.sql: the server's "Not you?" keeps a safety answer). On a
-- clinic file the store itself refuses (traj-store-checkin.c).
SELECT 1;
