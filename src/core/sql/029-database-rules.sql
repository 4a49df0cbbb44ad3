-- Trajectory schema v29: no change to a clinic file. postgres/029 makes a
-- server hold the rules import holds (no control characters in clinical
-- text, a complete questionnaire's total is the sum of its answers, a
-- change needs an event that says it changed something). A clinic file
-- has no logins to hold to them: whoever can write it with sqlite3 owns
-- it, and the program checks every value it writes (traj-validate.c).
SELECT 1;
