-- Schema 12: a tablet's session outlives the tablet's program. Every answer
-- is kept as a draft the moment it is given, so a tablet killed, crashed or
-- switched off loses nothing; the patient types the same code on the same
-- tablet and carries on where they left off. A check-in is redeemed again
-- only by the device that used it (used_by) and only while its session did
-- not end (ended_at: submitted, put away when idle, or closed by staff).
ALTER TABLE kiosk_checkin ADD COLUMN used_by TEXT;
ALTER TABLE kiosk_checkin ADD COLUMN ended_at INTEGER;
