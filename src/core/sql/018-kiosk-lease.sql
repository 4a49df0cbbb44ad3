-- Schema 18: one running kiosk per session. A second kiosk program with the
-- same device id (a relaunch while the first still runs, two windows on one
-- tablet) took up a live session and wrote over the first one's answers.
-- The kiosk that checked in holds the session: holder is its program's
-- random token, held_at when it last said so (at every answer, and every
-- 30 s while the session lasts). Another program takes the session up only
-- when held_at is more than 2 minutes old (the first was killed or froze),
-- and not at all after 30 minutes: a session cut off is not open until the
-- code expires.
ALTER TABLE kiosk_checkin ADD COLUMN holder TEXT;
ALTER TABLE kiosk_checkin ADD COLUMN held_at INTEGER;
