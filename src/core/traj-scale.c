/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-scale"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-scale.h"

/* Wording below is the validated instruments' exact text (CLINICAL.md §1).
 * It is marked for translation so that a clinic can ship a validated
 * translation; translators must not paraphrase. */

static const TrajAnswer phq_answers[] = {
  { 0, N_("Not at all"), "LA6568-5" },
  { 1, N_("Several days"), "LA6569-3" },
  { 2, N_("More than half the days"), "LA6570-1" },
  { 3, N_("Nearly every day"), "LA6571-9" },
};

static const TrajItem phq9_items[] = {
  { N_("Little interest or pleasure in doing things"), "44250-9" },
  { N_("Feeling down, depressed, or hopeless"), "44255-8" },
  { N_("Trouble falling or staying asleep, or sleeping too much"), "44259-0" },
  { N_("Feeling tired or having little energy"), "44254-1" },
  { N_("Poor appetite or overeating"), "44251-7" },
  { N_("Feeling bad about yourself — or that you are a failure or have let yourself or your family down"), "44258-2" },
  { N_("Trouble concentrating on things, such as reading the newspaper or watching television"), "44252-5" },
  { N_("Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual"), "44253-3" },
  { N_("Thoughts that you would be better off dead or of hurting yourself in some way"), "44260-8" },
};

static const TrajBand phq9_bands[] = {
  { 0, 4, N_("minimal") },
  { 5, 9, N_("mild") },
  { 10, 14, N_("moderate") },
  { 15, 19, N_("moderately severe") },
  { 20, 27, N_("severe") },
};

static const TrajItem gad7_items[] = {
  { N_("Feeling nervous, anxious, or on edge"), "69725-0" },
  { N_("Not being able to stop or control worrying"), "68509-9" },
  { N_("Worrying too much about different things"), "69733-4" },
  { N_("Trouble relaxing"), "69734-2" },
  { N_("Being so restless that it is hard to sit still"), "69735-9" },
  { N_("Becoming easily annoyed or irritable"), "69689-8" },
  { N_("Feeling afraid as if something awful might happen"), "69736-7" },
};

static const TrajBand gad7_bands[] = {
  { 0, 4, N_("minimal") },
  { 5, 9, N_("mild") },
  { 10, 14, N_("moderate") },
  { 15, 21, N_("severe") },
};

static const TrajItem pain_items[] = {
  { N_("On a scale from 0 (no pain) to 10 (worst pain imaginable), how bad has your pain been over the last 24 hours?"), "72514-3" },
};

static const TrajBand pain_bands[] = {
  { 0, 0, N_("none") },
  { 1, 3, N_("mild") },
  { 4, 6, N_("moderate") },
  { 7, 10, N_("severe") },
};

static const TrajAnswer pcl5_answers[] = {
  { 0, N_("Not at all"), NULL },
  { 1, N_("A little bit"), NULL },
  { 2, N_("Moderately"), NULL },
  { 3, N_("Quite a bit"), NULL },
  { 4, N_("Extremely"), NULL },
};

static const TrajItem pcl5_items[] = {
  { N_("Repeated, disturbing, and unwanted memories of the stressful experience?"), NULL },
  { N_("Repeated, disturbing dreams of the stressful experience?"), NULL },
  { N_("Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were actually back there reliving it)?"), NULL },
  { N_("Feeling very upset when something reminded you of the stressful experience?"), NULL },
  { N_("Having strong physical reactions when something reminded you of the stressful experience (for example, heart pounding, trouble breathing, sweating)?"), NULL },
  { N_("Avoiding memories, thoughts, or feelings related to the stressful experience?"), NULL },
  { N_("Avoiding external reminders of the stressful experience (for example, people, places, conversations, activities, objects, or situations)?"), NULL },
  { N_("Trouble remembering important parts of the stressful experience?"), NULL },
  { N_("Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is completely dangerous)?"), NULL },
  { N_("Blaming yourself or someone else for the stressful experience or what happened after it?"), NULL },
  { N_("Having strong negative feelings such as fear, horror, anger, guilt, or shame?"), NULL },
  { N_("Loss of interest in activities that you used to enjoy?"), NULL },
  { N_("Feeling distant or cut off from other people?"), NULL },
  { N_("Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings for people close to you)?"), NULL },
  { N_("Irritable behavior, angry outbursts, or acting aggressively?"), NULL },
  { N_("Taking too many risks or doing things that could cause you harm?"), NULL },
  { N_("Being \"superalert\" or watchful or on guard?"), NULL },
  { N_("Feeling jumpy or easily startled?"), NULL },
  { N_("Having difficulty concentrating?"), NULL },
  { N_("Trouble falling or staying asleep?"), NULL },
};

/* PCL-5 has no severity bands; the only published line is the probable-PTSD
 * cut-off, so the two sides of it are shown as labels. */
static const TrajBand pcl5_bands[] = {
  { 0, 32, N_("below probable-PTSD cut-off") },
  { 33, 80, N_("probable PTSD") },
};

static const TrajBand madrs_bands[] = {
  { 0, 6, N_("normal") },
  { 7, 19, N_("mild") },
  { 20, 34, N_("moderate") },
  { 35, 60, N_("severe") },
};

static const TrajAnswer difficulty_answers[] = {
  { 0, N_("Not difficult at all"), "LA6572-7" },
  { 1, N_("Somewhat difficult"), "LA6573-5" },
  { 2, N_("Very difficult"), "LA6575-0" },
  { 3, N_("Extremely difficult"), "LA6574-3" },
};

static const TrajExtraItem phq9_difficulty = {
  N_("If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?"),
  "69722-7",
  G_N_ELEMENTS (difficulty_answers),
  difficulty_answers,
};

#define PHQ_STEM N_("Over the last 2 weeks, how often have you been bothered by any of the following problems?")

static const TrajScale scales[TRAJ_N_SCALES] = {
  [TRAJ_SCALE_PHQ9] = {
    TRAJ_SCALE_PHQ9, "phq9", N_("PHQ-9"), N_("Patient Health Questionnaire-9"), N_("depression"),
    "44249-1", "44261-6", PHQ_STEM,
    G_N_ELEMENTS (phq9_items), phq9_items,
    G_N_ELEMENTS (phq_answers), phq_answers,
    0, 3, 0, 27,
    G_N_ELEMENTS (phq9_bands), phq9_bands,
    4, N_("PHQ-9 below 5"),
    5, FALSE, TRUE,
  },
  [TRAJ_SCALE_GAD7] = {
    TRAJ_SCALE_GAD7, "gad7", N_("GAD-7"), N_("Generalized Anxiety Disorder-7"), N_("anxiety"),
    "69737-5", "70274-6", PHQ_STEM,
    G_N_ELEMENTS (gad7_items), gad7_items,
    G_N_ELEMENTS (phq_answers), phq_answers,
    0, 3, 0, 21,
    G_N_ELEMENTS (gad7_bands), gad7_bands,
    4, N_("GAD-7 below 5"),
    4, FALSE, TRUE,
  },
  [TRAJ_SCALE_PAIN_NRS] = {
    TRAJ_SCALE_PAIN_NRS, "pain_nrs", N_("Pain NRS"), N_("Pain numeric rating scale"), N_("pain"),
    "72514-3", "72514-3", NULL,
    G_N_ELEMENTS (pain_items), pain_items,
    0, NULL,
    0, 10, 0, 10,
    G_N_ELEMENTS (pain_bands), pain_bands,
    3, N_("pain 3 or less (mild or less, the app's choice)"),
    2, FALSE, TRUE,
  },
  [TRAJ_SCALE_PCL5] = {
    TRAJ_SCALE_PCL5, "pcl5", N_("PCL-5"), N_("PTSD Checklist for DSM-5"), N_("PTSD"),
    "101697-1", "101697-1",
    N_("Below is a list of problems that people sometimes have in response to a very stressful experience. Please read each problem carefully and then select how much you have been bothered by that problem in the past month."),
    G_N_ELEMENTS (pcl5_items), pcl5_items,
    G_N_ELEMENTS (pcl5_answers), pcl5_answers,
    0, 4, 0, 80,
    G_N_ELEMENTS (pcl5_bands), pcl5_bands,
    32, N_("below the probable-PTSD cut-off (PCL-5 below 33)"),
    10, FALSE, TRUE,
  },
  [TRAJ_SCALE_MADRS] = {
    TRAJ_SCALE_MADRS, "madrs", N_("MADRS"), N_("Montgomery–Åsberg Depression Rating Scale (total only)"), N_("depression"),
    NULL, NULL, NULL,
    0, NULL,
    0, NULL,
    0, 60, 0, 60,
    G_N_ELEMENTS (madrs_bands), madrs_bands,
    10, N_("MADRS 10 or less"),
    6, TRUE, TRUE,
  },
};

const TrajScale *
traj_scale_get (TrajScaleId id)
{
  if (id <= TRAJ_SCALE_NONE || id >= TRAJ_N_SCALES)
    return NULL;
  return &scales[id];
}

const TrajScale *
traj_scale_lookup (const char *code_or_name)
{
  if (code_or_name == NULL)
    return NULL;

  for (guint i = 1; i < TRAJ_N_SCALES; i++)
    {
      if (g_ascii_strcasecmp (code_or_name, scales[i].code) == 0 ||
          g_ascii_strcasecmp (code_or_name, scales[i].name) == 0)
        return &scales[i];
    }
  /* Accept the spellings people type: "phq-9", "PHQ9", "pain", "pcl-5". */
  {
    g_autofree char *folded = g_ascii_strdown (code_or_name, -1);
    g_autoptr(GString) s = g_string_new (NULL);
    for (const char *p = folded; *p; p++)
      if (g_ascii_isalnum (*p))
        g_string_append_c (s, *p);
    if (g_str_equal (s->str, "phq9")) return &scales[TRAJ_SCALE_PHQ9];
    if (g_str_equal (s->str, "gad7")) return &scales[TRAJ_SCALE_GAD7];
    if (g_str_equal (s->str, "pain") || g_str_equal (s->str, "painnrs") || g_str_equal (s->str, "nrs"))
      return &scales[TRAJ_SCALE_PAIN_NRS];
    if (g_str_equal (s->str, "pcl5")) return &scales[TRAJ_SCALE_PCL5];
    if (g_str_equal (s->str, "madrs")) return &scales[TRAJ_SCALE_MADRS];
  }
  return NULL;
}

const char *
traj_scale_code (TrajScaleId id)
{
  const TrajScale *s = traj_scale_get (id);
  return s ? s->code : NULL;
}

const TrajExtraItem *
traj_scale_phq9_difficulty (void)
{
  return &phq9_difficulty;
}

gboolean
traj_scale_item_valid (const TrajScale *scale,
                       int              value)
{
  g_return_val_if_fail (scale != NULL, FALSE);
  return value >= scale->item_min && value <= scale->item_max;
}

gboolean
traj_scale_score (const TrajScale *scale,
                  const int       *values,
                  guint            n_values,
                  int             *total)
{
  int sum = 0;

  g_return_val_if_fail (scale != NULL, FALSE);

  if (scale->n_items == 0)
    return FALSE;          /* total-only scales are typed, not scored */
  if (n_values < scale->n_items)
    return FALSE;

  for (guint i = 0; i < scale->n_items; i++)
    {
      if (values[i] < scale->item_min || values[i] > scale->item_max)
        return FALSE;
      sum += values[i];
    }

  if (total)
    *total = sum;
  return TRUE;
}

const TrajBand *
traj_scale_band (const TrajScale *scale,
                 int              total)
{
  g_return_val_if_fail (scale != NULL, NULL);

  for (guint i = 0; i < scale->n_bands; i++)
    if (total >= scale->bands[i].low && total <= scale->bands[i].high)
      return &scale->bands[i];
  return NULL;
}

const char *
traj_scale_band_label (const TrajScale *scale,
                       int              total)
{
  const TrajBand *band = traj_scale_band (scale, total);
  return band ? _(band->label) : NULL;
}

gboolean
traj_scale_is_remission (const TrajScale *scale,
                         int              total)
{
  g_return_val_if_fail (scale != NULL, FALSE);
  return total >= scale->total_min && total <= scale->remission_max;
}
