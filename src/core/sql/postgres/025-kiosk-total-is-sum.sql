-- A complete questionnaire from a tablet: its total is the sum of its answers
-- (every patient-facing scale is scored so, traj_scale_score), whatever the
-- caller says. traj_kiosk_write checked the total only against the scale's
-- range, so the kiosk login could store a PHQ-9 of nine 3s with a total of 0:
-- a record the clinic's own CSV export then refuses to import. The answers'
-- own ranges and completeness stay traj_kiosk_write's to check.
CREATE OR REPLACE FUNCTION traj_kiosk_submit (p_key text, p_uid text, p_scale text, p_taken_at bigint,
  p_timing text, p_total integer, p_difficulty integer, p_notes text, p_items integer[],
  OUT status text, OUT id bigint, OUT other_taken_at bigint, OUT other_total integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF p_total IS DISTINCT FROM (SELECT sum (v) FROM unnest (p_items) AS v WHERE v >= 0) THEN
    RAISE EXCEPTION 'the total of a complete questionnaire is the sum of its answers'
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT * INTO status, id, other_taken_at, other_total
    FROM traj_kiosk_write (p_key, true, p_uid, p_scale, p_taken_at, p_timing, p_total, p_difficulty,
                           p_notes, p_items) AS w;
END $$;
