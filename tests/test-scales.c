/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The scales Trajectory ships, against CLINICAL.md §1: item counts, exact
 * wording, LOINC codes, scoring, every severity band boundary, remission
 * cut-offs and completeness (only complete questionnaires are scored). */

#include "config.h"

#include <string.h>

#include "traj-records.h"
#include "traj-scale.h"
#include "traj-validate.h"

#include <gio/gio.h>

/* Items whose answers add up to @total, each within the scale's range. */
static void
items_for_total (const TrajScale *s, int total, int *items)
{
  int left = total;

  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    items[k] = -1;
  for (guint k = 0; k < s->n_items; k++)
    {
      items[k] = MIN (left, s->item_max);
      left -= items[k];
    }
  g_assert_cmpint (left, ==, 0);
}

/* Scores a questionnaire built to add up to @total and checks the total, the
 * band label and the remission verdict, through both the scale API and
 * traj_assessment_rescore (what the store uses). */
static void
check_score (TrajScaleId id, int total, const char *band, gboolean remission)
{
  const TrajScale *s = traj_scale_get (id);
  g_autoptr(TrajAssessment) a = traj_assessment_new (id);
  int items[TRAJ_MAX_ITEMS];
  int got = -1;

  g_test_message ("%s total %d -> %s", s->name, total, band);
  if (s->n_items > 0)
    {
      items_for_total (s, total, items);
      g_assert_true (traj_scale_score (s, items, s->n_items, &got));
      g_assert_cmpint (got, ==, total);
      memcpy (a->items, items, sizeof items);
    }
  else
    {
      /* Total-only (MADRS): typed, never summed from items. */
      g_assert_false (traj_scale_score (s, items, 0, &got));
      a->total = total;
    }
  traj_assessment_rescore (a);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, total);
  g_assert_cmpstr (traj_scale_band_label (s, total), ==, band);
  g_assert_nonnull (traj_scale_band (s, total));
  g_assert_cmpint (traj_scale_is_remission (s, total), ==, remission);
}

static void
test_phq9_bands (void)
{
  /* Kroenke 2001: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately
   * severe, 20–27 severe. Remission: < 5. */
  check_score (TRAJ_SCALE_PHQ9, 0, "minimal", TRUE);
  check_score (TRAJ_SCALE_PHQ9, 4, "minimal", TRUE);
  check_score (TRAJ_SCALE_PHQ9, 5, "mild", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 9, "mild", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 10, "moderate", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 14, "moderate", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 15, "moderately severe", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 19, "moderately severe", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 20, "severe", FALSE);
  check_score (TRAJ_SCALE_PHQ9, 27, "severe", FALSE);
  g_assert_null (traj_scale_band_label (traj_scale_get (TRAJ_SCALE_PHQ9), 28));
  g_assert_null (traj_scale_band_label (traj_scale_get (TRAJ_SCALE_PHQ9), -1));
}

static void
test_gad7_bands (void)
{
  check_score (TRAJ_SCALE_GAD7, 0, "minimal", TRUE);
  check_score (TRAJ_SCALE_GAD7, 4, "minimal", TRUE);
  check_score (TRAJ_SCALE_GAD7, 5, "mild", FALSE);
  check_score (TRAJ_SCALE_GAD7, 9, "mild", FALSE);
  check_score (TRAJ_SCALE_GAD7, 10, "moderate", FALSE);
  check_score (TRAJ_SCALE_GAD7, 14, "moderate", FALSE);
  check_score (TRAJ_SCALE_GAD7, 15, "severe", FALSE);
  check_score (TRAJ_SCALE_GAD7, 21, "severe", FALSE);
  g_assert_null (traj_scale_band_label (traj_scale_get (TRAJ_SCALE_GAD7), 22));
}

static void
test_pain_bands (void)
{
  /* 0 none, 1–3 mild, 4–6 moderate, 7–10 severe; remission ≤ 3. */
  check_score (TRAJ_SCALE_PAIN_NRS, 0, "none", TRUE);
  check_score (TRAJ_SCALE_PAIN_NRS, 1, "mild", TRUE);
  check_score (TRAJ_SCALE_PAIN_NRS, 3, "mild", TRUE);
  check_score (TRAJ_SCALE_PAIN_NRS, 4, "moderate", FALSE);
  check_score (TRAJ_SCALE_PAIN_NRS, 6, "moderate", FALSE);
  check_score (TRAJ_SCALE_PAIN_NRS, 7, "severe", FALSE);
  check_score (TRAJ_SCALE_PAIN_NRS, 10, "severe", FALSE);
  g_assert_null (traj_scale_band_label (traj_scale_get (TRAJ_SCALE_PAIN_NRS), 11));
}

static void
test_pcl5_bands (void)
{
  /* No severity bands: ≥ 33 is probable PTSD; "remission" is < 33. */
  check_score (TRAJ_SCALE_PCL5, 0, "below probable-PTSD cut-off", TRUE);
  check_score (TRAJ_SCALE_PCL5, 32, "below probable-PTSD cut-off", TRUE);
  check_score (TRAJ_SCALE_PCL5, 33, "probable PTSD", FALSE);
  check_score (TRAJ_SCALE_PCL5, 80, "probable PTSD", FALSE);
  g_assert_cmpint (TRAJ_PCL5_PROBABLE_PTSD, ==, 33);
  g_assert_null (traj_scale_band_label (traj_scale_get (TRAJ_SCALE_PCL5), 81));
}

static void
test_madrs_bands (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_MADRS);
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_MADRS);

  /* 0–6 normal, 7–19 mild, 20–34 moderate, 35–60 severe; remission ≤ 10. */
  check_score (TRAJ_SCALE_MADRS, 0, "normal", TRUE);
  check_score (TRAJ_SCALE_MADRS, 6, "normal", TRUE);
  check_score (TRAJ_SCALE_MADRS, 7, "mild", TRUE);
  check_score (TRAJ_SCALE_MADRS, 10, "mild", TRUE);
  check_score (TRAJ_SCALE_MADRS, 11, "mild", FALSE);
  check_score (TRAJ_SCALE_MADRS, 19, "mild", FALSE);
  check_score (TRAJ_SCALE_MADRS, 20, "moderate", FALSE);
  check_score (TRAJ_SCALE_MADRS, 34, "moderate", FALSE);
  check_score (TRAJ_SCALE_MADRS, 35, "severe", FALSE);
  check_score (TRAJ_SCALE_MADRS, 60, "severe", FALSE);

  /* A typed total outside 0–60 is not a MADRS total. */
  a->total = 61;
  traj_assessment_rescore (a);
  g_assert_false (a->complete);
  g_assert_cmpint (a->total, ==, -1);
  a->total = -1;
  traj_assessment_rescore (a);
  g_assert_false (a->complete);

  /* Its wording is not ours to ship: total only, clinician-rated. */
  g_assert_cmpuint (s->n_items, ==, 0);
  g_assert_null (s->items);
  g_assert_null (s->instruction);
  g_assert_cmpint (s->rater, ==, TRAJ_RATER_CLINICIAN);
  g_assert_true (traj_scale_is_total_only (s));
  g_assert_false (traj_scale_is_patient_facing (s));
  g_assert_cmpint (s->total_min, ==, 0);
  g_assert_cmpint (s->total_max, ==, 60);
}

static void
test_remission_cutoffs (void)
{
  struct { TrajScaleId id; int last_in; } cases[] = {
    { TRAJ_SCALE_PHQ9, 4 },       /* < 5 */
    { TRAJ_SCALE_GAD7, 4 },       /* < 5 */
    { TRAJ_SCALE_PAIN_NRS, 3 },   /* ≤ 3 */
    { TRAJ_SCALE_PCL5, 32 },      /* < 33 */
    { TRAJ_SCALE_MADRS, 10 },     /* ≤ 10 */
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      const TrajScale *s = traj_scale_get (cases[k].id);
      g_assert_true (traj_scale_is_remission (s, 0));
      g_assert_true (traj_scale_is_remission (s, cases[k].last_in));
      g_assert_false (traj_scale_is_remission (s, cases[k].last_in + 1));
      g_assert_false (traj_scale_is_remission (s, s->total_max));
      /* An incomplete questionnaire (total -1) is never a remission. */
      g_assert_false (traj_scale_is_remission (s, -1));
    }
}

static void
test_mcid_defaults (void)
{
  g_assert_cmpint (traj_scale_get (TRAJ_SCALE_PHQ9)->mcid, ==, 5);
  g_assert_cmpint (traj_scale_get (TRAJ_SCALE_GAD7)->mcid, ==, 4);
  g_assert_cmpint (traj_scale_get (TRAJ_SCALE_PAIN_NRS)->mcid, ==, 2);
  g_assert_cmpint (traj_scale_get (TRAJ_SCALE_PCL5)->mcid, ==, 10);
  g_assert_cmpint (traj_scale_get (TRAJ_SCALE_MADRS)->mcid, ==, 6);
}

static void
test_phq9_content (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_PHQ9);
  const TrajExtraItem *d = traj_scale_phq9_difficulty ();
  static const char *loinc[] = {
    "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8",
  };
  static const struct { int v; const char *label, *loinc; } answers[] = {
    { 0, "Not at all", "LA6568-5" },
    { 1, "Several days", "LA6569-3" },
    { 2, "More than half the days", "LA6570-1" },
    { 3, "Nearly every day", "LA6571-9" },
  };

  g_assert_cmpint (s->id, ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpstr (s->code, ==, "phq9");
  g_assert_cmpstr (s->name, ==, "PHQ-9");
  g_assert_cmpstr (s->loinc_panel, ==, "44249-1");
  g_assert_cmpstr (s->loinc_total, ==, "44261-6");
  g_assert_cmpuint (s->n_items, ==, 9);
  g_assert_cmpint (s->item_min, ==, 0);
  g_assert_cmpint (s->item_max, ==, 3);
  g_assert_cmpint (s->total_min, ==, 0);
  g_assert_cmpint (s->total_max, ==, 27);
  g_assert_cmpstr (s->instruction, ==,
                   "Over the last 2 weeks, how often have you been bothered by any of the following problems?");
  for (guint k = 0; k < 9; k++)
    g_assert_cmpstr (s->items[k].loinc, ==, loinc[k]);
  g_assert_cmpstr (s->items[TRAJ_PHQ9_ITEM9].loinc, ==, "44260-8");
  g_assert_cmpint (TRAJ_PHQ9_ITEM9, ==, 8);

  g_assert_cmpstr (s->items[0].text, ==, "Little interest or pleasure in doing things");
  g_assert_cmpstr (s->items[5].text, ==,
                   "Feeling bad about yourself — or that you are a failure or have let yourself or your family down");
  g_assert_cmpstr (s->items[7].text, ==,
                   "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
                   "fidgety or restless that you have been moving around a lot more than usual");
  g_assert_cmpstr (s->items[8].text, ==,
                   "Thoughts that you would be better off dead or of hurting yourself in some way");

  g_assert_cmpuint (s->n_answers, ==, 4);
  for (guint k = 0; k < 4; k++)
    {
      g_assert_cmpint (s->answers[k].value, ==, answers[k].v);
      g_assert_cmpstr (s->answers[k].label, ==, answers[k].label);
      g_assert_cmpstr (s->answers[k].loinc, ==, answers[k].loinc);
    }

  /* The difficulty question: optional, never scored. */
  g_assert_cmpstr (d->loinc, ==, "69722-7");
  g_assert_cmpstr (d->text, ==,
                   "If you checked off any problems, how difficult have these problems made it for you to do your "
                   "work, take care of things at home, or get along with other people?");
  g_assert_cmpuint (d->n_answers, ==, 4);
  g_assert_cmpstr (d->answers[0].label, ==, "Not difficult at all");
  g_assert_cmpstr (d->answers[0].loinc, ==, "LA6572-7");
  g_assert_cmpstr (d->answers[1].loinc, ==, "LA6573-5");
  g_assert_cmpstr (d->answers[2].label, ==, "Very difficult");
  g_assert_cmpstr (d->answers[2].loinc, ==, "LA6575-0");
  g_assert_cmpstr (d->answers[3].label, ==, "Extremely difficult");
  g_assert_cmpstr (d->answers[3].loinc, ==, "LA6574-3");
}

static void
test_gad7_content (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_GAD7);
  static const char *loinc[] = {
    "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
  };

  g_assert_cmpstr (s->code, ==, "gad7");
  g_assert_cmpstr (s->name, ==, "GAD-7");
  g_assert_cmpstr (s->loinc_panel, ==, "69737-5");
  g_assert_cmpstr (s->loinc_total, ==, "70274-6");
  g_assert_cmpuint (s->n_items, ==, 7);
  g_assert_cmpint (s->total_max, ==, 21);
  g_assert_cmpuint (s->n_answers, ==, 4);
  g_assert_cmpstr (s->answers[2].label, ==, "More than half the days");
  g_assert_cmpstr (s->instruction, ==, traj_scale_get (TRAJ_SCALE_PHQ9)->instruction);
  for (guint k = 0; k < 7; k++)
    g_assert_cmpstr (s->items[k].loinc, ==, loinc[k]);
  g_assert_cmpstr (s->items[0].text, ==, "Feeling nervous, anxious, or on edge");
  g_assert_cmpstr (s->items[1].text, ==, "Not being able to stop or control worrying");
  g_assert_cmpstr (s->items[6].text, ==, "Feeling afraid as if something awful might happen");
}

/* The wrong codes some public code uses for GAD-7 items: 69726-8 … 69731-8. */
static void
test_gad7_not_wrong_codes (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_GAD7);

  for (guint k = 0; k < s->n_items; k++)
    for (int bad = 69726; bad <= 69731; bad++)
      {
        g_autofree char *prefix = g_strdup_printf ("%d-", bad);
        g_assert_false (g_str_has_prefix (s->items[k].loinc, prefix));
      }
  for (guint k = 0; k < s->n_items; k++)
    g_assert_cmpstr (s->items[k].loinc, !=, "69726-8");
}

static void
test_pain_content (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_PAIN_NRS);

  g_assert_cmpstr (s->code, ==, "pain_nrs");
  g_assert_cmpuint (s->n_items, ==, 1);
  g_assert_cmpstr (s->items[0].loinc, ==, "72514-3");
  g_assert_cmpstr (s->loinc_total, ==, "72514-3");
  g_assert_cmpstr (s->items[0].text, ==,
                   "On a scale from 0 (no pain) to 10 (worst pain imaginable), how bad has your pain been over "
                   "the last 24 hours?");
  g_assert_cmpint (s->item_min, ==, 0);
  g_assert_cmpint (s->item_max, ==, 10);
  g_assert_cmpint (s->total_max, ==, 10);
}

static void
test_pcl5_content (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_PCL5);
  static const char *answers[] = { "Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely" };

  g_assert_cmpstr (s->code, ==, "pcl5");
  g_assert_cmpstr (s->loinc_panel, ==, "101697-1");
  g_assert_cmpuint (s->n_items, ==, 20);
  g_assert_cmpint (s->item_max, ==, 4);
  g_assert_cmpint (s->total_max, ==, 80);
  g_assert_cmpuint (s->n_answers, ==, 5);
  for (guint k = 0; k < 5; k++)
    {
      g_assert_cmpint (s->answers[k].value, ==, (int) k);
      g_assert_cmpstr (s->answers[k].label, ==, answers[k]);
    }
  g_assert_cmpstr (s->instruction, ==,
                   "Below is a list of problems that people sometimes have in response to a very stressful "
                   "experience. Please read each problem carefully and then select how much you have been "
                   "bothered by that problem in the past month.");
  g_assert_cmpstr (s->items[0].text, ==, "Repeated, disturbing, and unwanted memories of the stressful experience?");
  g_assert_cmpstr (s->items[2].text, ==,
                   "Suddenly feeling or acting as if the stressful experience were actually happening again (as if "
                   "you were actually back there reliving it)?");
  g_assert_cmpstr (s->items[8].text, ==,
                   "Having strong negative beliefs about yourself, other people, or the world (for example, having "
                   "thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, "
                   "the world is completely dangerous)?");
  g_assert_cmpstr (s->items[16].text, ==, "Being \"superalert\" or watchful or on guard?");
  g_assert_cmpstr (s->items[19].text, ==, "Trouble falling or staying asleep?");
}

static void
test_completeness (void)
{
  const TrajScaleId ids[] = { TRAJ_SCALE_PHQ9, TRAJ_SCALE_GAD7, TRAJ_SCALE_PAIN_NRS, TRAJ_SCALE_PCL5 };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const TrajScale *s = traj_scale_get (ids[i]);

      /* Every single unanswered item makes the questionnaire a draft. */
      for (guint missing = 0; missing < s->n_items; missing++)
        {
          g_autoptr(TrajAssessment) a = traj_assessment_new (ids[i]);
          int total = 12345;

          for (guint k = 0; k < s->n_items; k++)
            a->items[k] = s->item_max;
          a->items[missing] = -1;
          g_assert_false (traj_scale_score (s, a->items, s->n_items, &total));
          g_assert_cmpint (total, ==, 12345);
          traj_assessment_rescore (a);
          g_assert_false (a->complete);
          g_assert_cmpint (a->total, ==, -1);
          /* No total, so no band and no remission. */
          g_assert_null (traj_scale_band (s, a->total));
          g_assert_null (traj_scale_band_label (s, a->total));
          g_assert_false (traj_scale_is_remission (s, a->total));
        }

      /* All answered: complete, total of the items. */
      {
        g_autoptr(TrajAssessment) a = traj_assessment_new (ids[i]);
        for (guint k = 0; k < s->n_items; k++)
          a->items[k] = s->item_max;
        traj_assessment_rescore (a);
        g_assert_true (a->complete);
        g_assert_cmpint (a->total, ==, s->total_max);

        /* A complete questionnaire that loses an answer loses its total. */
        a->items[0] = -1;
        traj_assessment_rescore (a);
        g_assert_false (a->complete);
        g_assert_cmpint (a->total, ==, -1);
      }

      /* Fewer values than items: not complete. */
      {
        int values[TRAJ_MAX_ITEMS] = { 0 };
        g_assert_false (traj_scale_score (s, values, s->n_items - 1, NULL));
        g_assert_true (traj_scale_score (s, values, s->n_items, NULL));
      }
    }
}

static void
test_item_range (void)
{
  const TrajScale *phq = traj_scale_get (TRAJ_SCALE_PHQ9);
  const TrajScale *pcl = traj_scale_get (TRAJ_SCALE_PCL5);
  const TrajScale *pain = traj_scale_get (TRAJ_SCALE_PAIN_NRS);
  int items[TRAJ_MAX_ITEMS] = { 0 };

  g_assert_true (traj_scale_item_valid (phq, 0));
  g_assert_true (traj_scale_item_valid (phq, 3));
  g_assert_false (traj_scale_item_valid (phq, 4));
  g_assert_false (traj_scale_item_valid (phq, -1));
  g_assert_true (traj_scale_item_valid (pcl, 4));
  g_assert_false (traj_scale_item_valid (pcl, 5));
  g_assert_true (traj_scale_item_valid (pain, 10));
  g_assert_false (traj_scale_item_valid (pain, 11));

  /* An answer out of range is not scored. */
  items[3] = 4;
  g_assert_false (traj_scale_score (phq, items, phq->n_items, NULL));
  items[3] = 3;
  g_assert_true (traj_scale_score (phq, items, phq->n_items, NULL));
}

static void
test_lookup (void)
{
  g_assert_null (traj_scale_get (TRAJ_SCALE_NONE));
  g_assert_null (traj_scale_get (TRAJ_N_SCALES));
  g_assert_null (traj_scale_get ((TrajScaleId) 99));
  for (int id = TRAJ_SCALE_PHQ9; id < TRAJ_N_SCALES; id++)
    {
      const TrajScale *s = traj_scale_get (id);
      g_assert_cmpint (s->id, ==, id);
      g_assert_true (traj_scale_lookup (s->code) == s);
      g_assert_true (traj_scale_lookup (s->name) == s);
      g_assert_cmpstr (traj_scale_code (id), ==, s->code);
      /* Bands cover the whole total range without gaps or overlaps. */
      for (int t = s->total_min; t <= s->total_max; t++)
        {
          guint hits = 0;
          for (guint b = 0; b < s->n_bands; b++)
            hits += t >= s->bands[b].low && t <= s->bands[b].high;
          g_assert_cmpuint (hits, ==, s->n_bands > 0 ? 1 : 0);
        }
    }
  g_assert_true (traj_scale_lookup ("PHQ9") == traj_scale_get (TRAJ_SCALE_PHQ9));
  g_assert_true (traj_scale_lookup ("phq-9") == traj_scale_get (TRAJ_SCALE_PHQ9));
  g_assert_true (traj_scale_lookup ("gad-7") == traj_scale_get (TRAJ_SCALE_GAD7));
  g_assert_true (traj_scale_lookup ("pain") == traj_scale_get (TRAJ_SCALE_PAIN_NRS));
  g_assert_true (traj_scale_lookup ("PCL-5") == traj_scale_get (TRAJ_SCALE_PCL5));
  g_assert_true (traj_scale_lookup ("madrs") == traj_scale_get (TRAJ_SCALE_MADRS));
  g_assert_null (traj_scale_lookup ("bdi2"));
  g_assert_null (traj_scale_lookup (""));
  g_assert_null (traj_scale_lookup (NULL));
}

/* The table is the single source of truth: every entry complete and
 * consistent, with CLINICAL.md's numbers typed here. */
static void
test_table (void)
{
  static const struct {
    TrajScaleId id;
    double r;
    const char *loinc_panel, *loinc_total;
    TrajRater rater;
    gboolean total_only;
    const char *primary_for;   /* one indication that defaults to it, or NULL */
  } expected[] = {
    { TRAJ_SCALE_PHQ9, 0.5, "44249-1", "44261-6", TRAJ_RATER_PATIENT, FALSE, "depression" },
    { TRAJ_SCALE_GAD7, 0.5, "69737-5", "70274-6", TRAJ_RATER_PATIENT, FALSE, "anxiety" },
    { TRAJ_SCALE_PAIN_NRS, 0.5, "72514-3", "72514-3", TRAJ_RATER_PATIENT, FALSE, "chronic_pain" },
    /* CLINICAL.md: the PCL-5 panel is 101697-1; the total is LOINC's
     * PCL-5 score (FHIR once said 101698-9 while the table said 101697-1). */
    { TRAJ_SCALE_PCL5, 0.5, "101697-1", "101698-9", TRAJ_RATER_PATIENT, FALSE, "ptsd" },
    { TRAJ_SCALE_MADRS, 0.5, NULL, NULL, TRAJ_RATER_CLINICIAN, TRUE, NULL },
  };
  guint n_outcome = 0;

  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    {
      const TrajScale *s = traj_scale_get (expected[k].id);

      g_test_message ("%s", s->code);
      g_assert_cmpfloat (s->response_fraction, ==, expected[k].r);
      g_assert_cmpstr (s->loinc_panel, ==, expected[k].loinc_panel);
      g_assert_cmpstr (s->loinc_total, ==, expected[k].loinc_total);
      g_assert_cmpint (s->rater, ==, expected[k].rater);
      g_assert_cmpint (traj_scale_is_total_only (s), ==, expected[k].total_only);
      g_assert_cmpint (s->measure, ==, TRAJ_MEASURE_OUTCOME);
      if (expected[k].primary_for)
        g_assert_cmpint (traj_scale_default_for_indication (expected[k].primary_for), ==, s->id);
    }
  /* Bipolar depression and "other" default to PHQ-9 too. */
  g_assert_cmpint (traj_scale_default_for_indication ("bipolar_depression"), ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (traj_indication_default_scale (TRAJ_INDICATION_OTHER), ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (traj_indication_default_scale (TRAJ_INDICATION_PTSD), ==, TRAJ_SCALE_PCL5);

  /* Every entry, whatever it is, is whole. */
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    {
      g_test_message ("%s", s->code);
      g_assert_true (traj_scale_get (s->id) == s);
      g_assert_nonnull (s->code);
      g_assert_nonnull (s->name);
      g_assert_nonnull (s->title);
      g_assert_nonnull (s->construct);
      g_assert_cmpint (s->total_min, <, s->total_max);
      g_assert_cmpint ((s->items == NULL), ==, (s->n_items == 0));
      g_assert_true (s->n_items <= TRAJ_MAX_ITEMS);
      if (s->n_items > 0)
        {
          /* Items add up to the total range. */
          g_assert_cmpint ((int) s->n_items * s->item_min, ==, s->total_min);
          g_assert_cmpint ((int) s->n_items * s->item_max, ==, s->total_max);
        }
      /* Only patient-rated item scales reach the tablet. */
      g_assert_cmpint (traj_scale_is_patient_facing (s), ==,
                       s->rater == TRAJ_RATER_PATIENT && s->measure == TRAJ_MEASURE_OUTCOME && s->n_items > 0);
      if (s->measure == TRAJ_MEASURE_OUTCOME)
        {
          n_outcome++;
          g_assert_true (traj_scale_is_outcome (s->id));
          g_assert_cmpint (traj_scale_outcome_at ((guint) traj_scale_outcome_position (s->id)), ==, s->id);
          g_assert_nonnull (s->response_key);
          g_assert_nonnull (s->mcid_key);
          g_assert_nonnull (s->remission_key);
          g_assert_nonnull (s->remission_label);
          g_assert_cmpfloat (s->response_fraction, >, 0.0);
          g_assert_cmpfloat (s->response_fraction, <, 1.0);
          g_assert_cmpint (s->mcid, >=, 1);
          g_assert_cmpint (s->remission_max, >=, s->total_min);
          g_assert_cmpint (s->remission_max, <, s->total_max);
          g_assert_true (s->higher_is_worse);
        }
      else
        {
          g_assert_false (traj_scale_is_outcome (s->id));
          g_assert_cmpint (traj_scale_outcome_position (s->id), ==, -1);
          g_assert_null (s->response_key);
          g_assert_null (s->mcid_key);
          g_assert_null (s->remission_key);
          g_assert_null (s->primary_for);
        }
      /* A scale without a LOINC total is exported by its own code. */
      if (s->loinc_total == NULL)
        g_assert_true (traj_scale_lookup (s->code) == s);
    }
  g_assert_cmpint (traj_scale_outcome_at (n_outcome), ==, TRAJ_SCALE_NONE);
}

/* Every outcome scale's thresholds are keys of the app's settings schema,
 * with the table's defaults, in the ranges the preferences allow. */
static void
test_settings_keys (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  g_assert_nonnull (schema);
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      const char *keys[] = { s->response_key, s->mcid_key, s->remission_key };

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          g_autoptr(GSettingsSchemaKey) key = NULL;
          g_autoptr(GVariant) def = NULL;
          g_autoptr(GVariant) bad = NULL;

          g_test_message ("%s: %s", s->code, keys[k]);
          g_assert_true (g_settings_schema_has_key (schema, keys[k]));
          key = g_settings_schema_get_key (schema, keys[k]);
          def = g_settings_schema_key_get_default_value (key);
          if (k == 0)
            {
              g_assert_true (g_variant_is_of_type (def, G_VARIANT_TYPE_DOUBLE));
              g_assert_cmpfloat (g_variant_get_double (def), ==, s->response_fraction);
            }
          else
            {
              g_assert_true (g_variant_is_of_type (def, G_VARIANT_TYPE_INT32));
              g_assert_cmpint (g_variant_get_int32 (def), ==, k == 1 ? s->mcid : s->remission_max);
              /* A total past the scale's maximum is outside the key's range. */
              bad = g_variant_ref_sink (g_variant_new_int32 (s->total_max + 1));
              g_assert_false (g_settings_schema_key_range_check (key, bad));
            }
        }
    }
}

/* CLINICAL.md §4: PHQ-9 item 9 answered 1 or more, complete or draft, is a
 * safety finding; nothing else is. One function decides it for everyone. */
static void
test_safety_rule (void)
{
  int items[TRAJ_MAX_ITEMS];

  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    items[k] = -1;
  /* Draft, item 9 unanswered. */
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, items), ==, 0);
  items[8] = 0;
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, items), ==, 0);
  /* Draft with item 9 = 1: a finding (the boundary). */
  items[8] = 1;
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, items), ==, 1);
  items[8] = 3;
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, items), ==, 3);
  /* Item 8 is not the safety item. */
  items[8] = 0;
  items[7] = 3;
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, items), ==, 0);
  g_assert_true (traj_scale_is_safety_item (TRAJ_SCALE_PHQ9, 8));
  g_assert_false (traj_scale_is_safety_item (TRAJ_SCALE_PHQ9, 7));
  g_assert_false (traj_scale_is_safety_item (TRAJ_SCALE_PHQ9, 9));
  /* The ninth answer of another scale means nothing. */
  items[8] = 4;
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    if (s->id != TRAJ_SCALE_PHQ9)
      {
        g_assert_cmpint (traj_scale_safety_answer (s->id, items), ==, 0);
        g_assert_false (traj_scale_is_safety_item (s->id, 8));
      }
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_NONE, items), ==, 0);
}

/* A valid dose above the usual range is cautioned, never refused. */
static void
test_dose_caution (void)
{
  g_autofree char *none = traj_dose_caution (TRAJ_ROUTE_IV, TRAJ_MEDICINE_KETAMINE, 1.0);
  g_autofree char *iv = traj_dose_caution (TRAJ_ROUTE_IV, TRAJ_MEDICINE_KETAMINE, 3.0);
  g_autofree char *fixed = traj_dose_caution (TRAJ_ROUTE_INTRANASAL, TRAJ_MEDICINE_ESKETAMINE, 3.0);
  g_autofree char *refused = traj_dose_caution (TRAJ_ROUTE_IV, TRAJ_MEDICINE_KETAMINE, 40.0);
  g_autoptr(GError) error = NULL;

  g_assert_null (none);
  g_assert_nonnull (iv);
  g_assert_nonnull (strstr (iv, "3 mg/kg"));
  g_assert_true (traj_validate_dose (TRAJ_ROUTE_IV, TRAJ_MEDICINE_KETAMINE, 3.0, 210.0, &error));
  g_assert_no_error (error);
  g_assert_null (fixed);
  g_assert_null (refused);   /* refused by the rule, not merely cautioned */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/scales/phq9/bands", test_phq9_bands);
  g_test_add_func ("/scales/gad7/bands", test_gad7_bands);
  g_test_add_func ("/scales/pain/bands", test_pain_bands);
  g_test_add_func ("/scales/pcl5/bands", test_pcl5_bands);
  g_test_add_func ("/scales/madrs/bands", test_madrs_bands);
  g_test_add_func ("/scales/remission", test_remission_cutoffs);
  g_test_add_func ("/scales/mcid", test_mcid_defaults);
  g_test_add_func ("/scales/phq9/content", test_phq9_content);
  g_test_add_func ("/scales/gad7/content", test_gad7_content);
  g_test_add_func ("/scales/gad7/not-wrong-codes", test_gad7_not_wrong_codes);
  g_test_add_func ("/scales/pain/content", test_pain_content);
  g_test_add_func ("/scales/pcl5/content", test_pcl5_content);
  g_test_add_func ("/scales/completeness", test_completeness);
  g_test_add_func ("/scales/item-range", test_item_range);
  g_test_add_func ("/scales/lookup", test_lookup);
  g_test_add_func ("/scales/table", test_table);
  g_test_add_func ("/scales/settings-keys", test_settings_keys);
  g_test_add_func ("/scales/safety-rule", test_safety_rule);

  g_test_add_func ("/validate/dose-caution", test_dose_caution);
  return g_test_run ();
}
