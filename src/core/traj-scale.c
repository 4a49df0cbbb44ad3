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

static const TrajBand ybocs_bands[] = {
  { 0, 7, N_("subclinical") },
  { 8, 15, N_("mild") },
  { 16, 23, N_("moderate") },
  { 24, 31, N_("severe") },
  { 32, 40, N_("extreme") },
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

#define CODES(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* The table every consumer loops over (CLINICAL.md §1–§3, §8). Adding a
 * scale recorded as a total only takes an entry here, its enum value in
 * traj-scale.h, and its three settings keys in the GSettings schema. */
static const TrajScale scales[TRAJ_N_SCALES] = {
  [TRAJ_SCALE_PHQ9] = {
    .id = TRAJ_SCALE_PHQ9,
    .code = "phq9",
    .name = N_("PHQ-9"),
    .title = N_("Patient Health Questionnaire-9"),
    .construct = N_("depression"),
    .rater = TRAJ_RATER_PATIENT,
    .measure = TRAJ_MEASURE_OUTCOME,
    .loinc_panel = "44249-1",
    .loinc_total = "44261-6",
    .instruction = PHQ_STEM,
    .n_items = G_N_ELEMENTS (phq9_items), .items = phq9_items,
    .n_answers = G_N_ELEMENTS (phq_answers), .answers = phq_answers,
    .item_min = 0, .item_max = 3,
    .total_min = 0, .total_max = 27,
    .n_bands = G_N_ELEMENTS (phq9_bands), .bands = phq9_bands,
    .remission_max = 4,
    .remission_label = N_("PHQ-9 below 5"),
    .response_fraction = 0.5,
    .mcid = 5,
    .response_key = "response-phq9",
    .mcid_key = "mcid-phq9",
    .remission_key = "remission-phq9",
    .primary_for = CODES ("depression", "bipolar_depression", "other"),
    .checkin_for = CODES ("depression", "bipolar_depression"),
    .safety_item = 9,
    .has_difficulty = TRUE,
    .higher_is_worse = TRUE,
  },
  [TRAJ_SCALE_GAD7] = {
    .id = TRAJ_SCALE_GAD7,
    .code = "gad7",
    .name = N_("GAD-7"),
    .title = N_("Generalized Anxiety Disorder-7"),
    .construct = N_("anxiety"),
    .rater = TRAJ_RATER_PATIENT,
    .measure = TRAJ_MEASURE_OUTCOME,
    .loinc_panel = "69737-5",
    .loinc_total = "70274-6",
    .instruction = PHQ_STEM,
    .n_items = G_N_ELEMENTS (gad7_items), .items = gad7_items,
    .n_answers = G_N_ELEMENTS (phq_answers), .answers = phq_answers,
    .item_min = 0, .item_max = 3,
    .total_min = 0, .total_max = 21,
    .n_bands = G_N_ELEMENTS (gad7_bands), .bands = gad7_bands,
    .remission_max = 4,
    .remission_label = N_("GAD-7 below 5"),
    .response_fraction = 0.5,
    .mcid = 4,
    .response_key = "response-gad7",
    .mcid_key = "mcid-gad7",
    .remission_key = "remission-gad7",
    .primary_for = CODES ("anxiety"),
    .higher_is_worse = TRUE,
  },
  [TRAJ_SCALE_PAIN_NRS] = {
    .id = TRAJ_SCALE_PAIN_NRS,
    .code = "pain_nrs",
    .name = N_("Pain NRS"),
    .title = N_("Pain numeric rating scale"),
    .construct = N_("pain"),
    .aliases = CODES ("pain", "nrs"),
    .rater = TRAJ_RATER_PATIENT,
    .measure = TRAJ_MEASURE_OUTCOME,
    /* One item, its own total. */
    .loinc_panel = "72514-3",
    .loinc_total = "72514-3",
    .n_items = G_N_ELEMENTS (pain_items), .items = pain_items,
    .item_min = 0, .item_max = 10,
    .total_min = 0, .total_max = 10,
    .n_bands = G_N_ELEMENTS (pain_bands), .bands = pain_bands,
    .remission_max = 3,
    .remission_label = N_("pain 3 or less (mild or less, the app's choice)"),
    .response_fraction = 0.5,
    .mcid = 2,
    .response_key = "response-pain-nrs",
    .mcid_key = "mcid-pain-nrs",
    .remission_key = "remission-pain-nrs",
    .primary_for = CODES ("chronic_pain"),
    .checkin_for = CODES ("chronic_pain"),
    .higher_is_worse = TRUE,
  },
  [TRAJ_SCALE_PCL5] = {
    .id = TRAJ_SCALE_PCL5,
    .code = "pcl5",
    .name = N_("PCL-5"),
    .title = N_("PTSD Checklist for DSM-5"),
    .construct = N_("PTSD"),
    .rater = TRAJ_RATER_PATIENT,
    .measure = TRAJ_MEASURE_OUTCOME,
    /* CLINICAL.md names the panel, 101697-1; a panel is not a score, so
     * the total's Observation carries LOINC's PCL-5 score, 101698-9. */
    .loinc_panel = "101697-1",
    .loinc_total = "101698-9",
    .instruction = N_("Below is a list of problems that people sometimes have in response to a very stressful experience. Please read each problem carefully and then select how much you have been bothered by that problem in the past month."),
    .n_items = G_N_ELEMENTS (pcl5_items), .items = pcl5_items,
    .n_answers = G_N_ELEMENTS (pcl5_answers), .answers = pcl5_answers,
    .item_min = 0, .item_max = 4,
    .total_min = 0, .total_max = 80,
    .n_bands = G_N_ELEMENTS (pcl5_bands), .bands = pcl5_bands,
    .remission_max = 32,
    .remission_label = N_("below the probable-PTSD cut-off (PCL-5 below 33)"),
    .response_fraction = 0.5,
    .mcid = 10,
    .response_key = "response-pcl5",
    .mcid_key = "mcid-pcl5",
    .remission_key = "remission-pcl5",
    .primary_for = CODES ("ptsd"),
    .higher_is_worse = TRUE,
  },
  [TRAJ_SCALE_MADRS] = {
    .id = TRAJ_SCALE_MADRS,
    .code = "madrs",
    .name = N_("MADRS"),
    .title = N_("Montgomery–Åsberg Depression Rating Scale (total only)"),
    .construct = N_("depression"),
    .rater = TRAJ_RATER_CLINICIAN,
    .measure = TRAJ_MEASURE_OUTCOME,
    /* Total only: no wording may be shipped (CLINICAL.md §1). */
    .total_min = 0, .total_max = 60,
    .item_min = 0, .item_max = 60,
    .n_bands = G_N_ELEMENTS (madrs_bands), .bands = madrs_bands,
    .remission_max = 10,
    .remission_label = N_("MADRS 10 or less"),
    .response_fraction = 0.5,
    .mcid = 6,
    .response_key = "response-madrs",
    .mcid_key = "mcid-madrs",
    .remission_key = "remission-madrs",
    .higher_is_worse = TRUE,
  },
  [TRAJ_SCALE_YBOCS] = {
    .id = TRAJ_SCALE_YBOCS,
    .code = "ybocs",
    .name = N_("Y-BOCS"),
    .title = N_("Yale–Brown Obsessive Compulsive Scale (total only)"),
    .construct = N_("OCD"),
    .rater = TRAJ_RATER_CLINICIAN,
    .measure = TRAJ_MEASURE_OUTCOME,
    /* Ten items, recorded as the total only (CLINICAL.md §8). */
    .total_min = 0, .total_max = 40,
    .item_min = 0, .item_max = 40,
    .n_bands = G_N_ELEMENTS (ybocs_bands), .bands = ybocs_bands,
    /* Mataix-Cols et al. 2016: response is a reduction of at least 35 %,
     * remission a total of 12 or less. MCID 5 is the app's default. */
    .remission_max = 12,
    .remission_label = N_("Y-BOCS 12 or less"),
    .response_fraction = 0.65,
    .mcid = 5,
    .response_key = "response-ybocs",
    .mcid_key = "mcid-ybocs",
    .remission_key = "remission-ybocs",
    .primary_for = CODES ("ocd"),
    .higher_is_worse = TRUE,
  },
};

G_STATIC_ASSERT (TRAJ_PHQ9_ITEM9 == 8);

const TrajScale *
traj_scale_get (TrajScaleId id)
{
  if (id <= TRAJ_SCALE_NONE || id >= TRAJ_N_SCALES)
    return NULL;
  return &scales[id];
}

/* Lower-case letters and digits only: "PHQ-9" → "phq9". */
static char *
fold (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, g_ascii_tolower (*p));
  return g_string_free (out, FALSE);
}

const TrajScale *
traj_scale_lookup (const char *code_or_name)
{
  g_autofree char *wanted = NULL;

  if (code_or_name == NULL)
    return NULL;

  /* A stored record's code, as written: every row a cohort reads. */
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    if (strcmp (code_or_name, s->code) == 0)
      return s;
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    if (g_ascii_strcasecmp (code_or_name, s->code) == 0 ||
        g_ascii_strcasecmp (code_or_name, s->name) == 0)
      return s;

  /* The spellings people type: "phq-9", "PHQ9", "pain", "pcl-5". */
  wanted = fold (code_or_name);
  if (*wanted == '\0')
    return NULL;
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    {
      g_autofree char *code = fold (s->code);
      g_autofree char *name = fold (s->name);

      if (g_str_equal (wanted, code) || g_str_equal (wanted, name))
        return s;
      for (guint k = 0; s->aliases && s->aliases[k]; k++)
        if (g_ascii_strcasecmp (wanted, s->aliases[k]) == 0)
          return s;
    }
  return NULL;
}

const TrajScale *
traj_scale_next (const TrajScale *after)
{
  guint next = after ? (guint) after->id + 1 : (guint) TRAJ_SCALE_NONE + 1;

  return next < TRAJ_N_SCALES ? &scales[next] : NULL;
}

const TrajScale *
traj_scale_next_outcome (const TrajScale *after)
{
  const TrajScale *s = traj_scale_next (after);

  while (s && s->measure != TRAJ_MEASURE_OUTCOME)
    s = traj_scale_next (s);
  return s;
}

gboolean
traj_scale_is_outcome (TrajScaleId id)
{
  const TrajScale *s = traj_scale_get (id);

  return s != NULL && s->measure == TRAJ_MEASURE_OUTCOME;
}

int
traj_scale_outcome_position (TrajScaleId id)
{
  int pos = 0;

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s), pos++)
    if (s->id == id)
      return pos;
  return -1;
}

TrajScaleId
traj_scale_outcome_at (guint position)
{
  guint pos = 0;

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s), pos++)
    if (pos == position)
      return s->id;
  return TRAJ_SCALE_NONE;
}

char *
traj_scale_outcome_codes (void)
{
  GString *out = g_string_new (NULL);

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    g_string_append_printf (out, "%s%s", out->len ? ", " : "", s->code);
  return g_string_free (out, FALSE);
}

gboolean
traj_scale_is_total_only (const TrajScale *scale)
{
  g_return_val_if_fail (scale != NULL, FALSE);
  return scale->n_items == 0;
}

gboolean
traj_scale_is_patient_facing (const TrajScale *scale)
{
  return scale != NULL && scale->rater == TRAJ_RATER_PATIENT && scale->measure == TRAJ_MEASURE_OUTCOME &&
         scale->n_items > 0;
}

static gboolean
lists (const char *const *codes, const char *code)
{
  for (guint k = 0; codes && code && codes[k]; k++)
    if (g_str_equal (codes[k], code))
      return TRUE;
  return FALSE;
}

TrajScaleId
traj_scale_default_for_indication (const char *indication_code)
{
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    if (lists (s->primary_for, indication_code))
      return s->id;
  return TRAJ_SCALE_PHQ9;
}

gboolean
traj_scale_checkin_for_indication (const TrajScale *scale,
                                   const char      *indication_code)
{
  return scale != NULL && lists (scale->checkin_for, indication_code);
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
traj_scale_total_valid (const TrajScale *scale,
                        int              total)
{
  g_return_val_if_fail (scale != NULL, FALSE);
  return total >= scale->total_min && total <= scale->total_max;
}

gboolean
traj_scale_is_remission (const TrajScale *scale,
                         int              total)
{
  g_return_val_if_fail (scale != NULL, FALSE);
  return total >= scale->total_min && total <= scale->remission_max;
}

const char *
traj_scale_answer_label (const TrajScale *scale,
                         int              value)
{
  g_return_val_if_fail (scale != NULL, NULL);

  for (guint k = 0; k < scale->n_answers; k++)
    if (scale->answers[k].value == value)
      return _(scale->answers[k].label);
  return NULL;
}

gboolean
traj_scale_is_safety_item (TrajScaleId id,
                           guint       index)
{
  const TrajScale *s = traj_scale_get (id);

  return s != NULL && s->safety_item > 0 && index == s->safety_item - 1;
}

int
traj_scale_safety_answer (TrajScaleId id,
                          const int  *items)
{
  const TrajScale *s = traj_scale_get (id);

  g_return_val_if_fail (items != NULL, 0);

  if (s == NULL || s->safety_item == 0 || s->safety_item > TRAJ_MAX_ITEMS)
    return 0;
  return items[s->safety_item - 1] >= 1 ? items[s->safety_item - 1] : 0;
}
