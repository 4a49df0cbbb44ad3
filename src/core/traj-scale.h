/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The scales Trajectory ships (CLINICAL.md §1). The numeric values are
 * stable: they are never written to disk (the stable text code is). */
typedef enum {
  TRAJ_SCALE_NONE = 0,
  TRAJ_SCALE_PHQ9,
  TRAJ_SCALE_GAD7,
  TRAJ_SCALE_PAIN_NRS,
  TRAJ_SCALE_PCL5,
  TRAJ_SCALE_MADRS,
  TRAJ_SCALE_YBOCS,
  TRAJ_N_SCALES
} TrajScaleId;

#define TRAJ_MAX_ITEMS 20

typedef struct {
  int value;
  const char *label;   /* exact wording, translatable at display time */
  const char *loinc;   /* LOINC answer code, or NULL */
} TrajAnswer;

typedef struct {
  const char *text;    /* exact wording */
  const char *loinc;   /* LOINC item code, or NULL */
} TrajItem;

typedef struct {
  int low;
  int high;
  const char *label;   /* e.g. "moderately severe" */
} TrajBand;

/* Who gives the answers. */
typedef enum {
  TRAJ_RATER_PATIENT,        /* self-report: may be asked on the tablet */
  TRAJ_RATER_CLINICIAN,      /* typed by a clinician, never patient-facing */
} TrajRater;

/* What a scale measures for the rules (CLINICAL.md §2, §8). */
typedef enum {
  TRAJ_MEASURE_OUTCOME,      /* baseline, response, remission, findings; may be primary */
  TRAJ_MEASURE_TOLERABILITY, /* per infusion (CADSS, MOAA/S): never in response/remission */
} TrajMeasure;

/* One scale: every fact a consumer needs, so that code loops over the table
 * instead of naming scales. Entries use designated initializers; a field
 * left out is 0/NULL/FALSE. */
typedef struct {
  TrajScaleId id;
  const char *code;          /* stable storage/exchange code: "phq9" */
  const char *name;          /* display short name: "PHQ-9" */
  const char *title;         /* "Patient Health Questionnaire-9" */
  const char *construct;     /* "depression" */
  const char *const *aliases;/* other spellings people type ("pain"), NULL-terminated, or NULL */
  TrajRater rater;
  TrajMeasure measure;
  /* LOINC codes, or NULL where CLINICAL.md names none: such a total is
   * coded in Trajectory's own code system (TRAJ_SCALE_CODE_SYSTEM) by @code. */
  const char *loinc_panel;
  const char *loinc_total;
  const char *instruction;   /* stem shown before items, or NULL */
  /* Scored items with their exact wording; 0/NULL for a scale recorded as
   * a typed total only (no wording shipped: MADRS). */
  guint n_items;
  const TrajItem *items;
  guint n_answers;           /* answers shared by every item (0 for NRS/MADRS) */
  const TrajAnswer *answers;
  int item_min;
  int item_max;
  int total_min;
  int total_max;
  guint n_bands;
  const TrajBand *bands;
  /* Outcome rules (defaults; the clinic may change them in preferences). */
  int remission_max;         /* remission: total <= remission_max (PHQ-9 < 5 is <= 4) */
  const char *remission_label;
  double response_fraction;  /* R: response is a total <= R × baseline */
  int mcid;                  /* M: minimal clinically important change, points */
  /* The settings keys holding this clinic's R, M and remission cut-off
   * (NULL for a tolerability measure, which has none). */
  const char *response_key;
  const char *mcid_key;
  const char *remission_key;
  /* Indication codes (traj_indication_to_string) for which this scale is
   * the course's default primary scale, and for which a tablet check-in
   * asks it by default besides the primary; NULL-terminated, or NULL. */
  const char *const *primary_for;
  const char *const *checkin_for;
  /* 1-based number of the item whose answer above 0 is a safety finding
   * (CLINICAL.md §4: PHQ-9 item 9), 0 when none. */
  guint safety_item;
  gboolean has_difficulty;   /* the PHQ-9 difficulty question follows the items */
  gboolean higher_is_worse;
} TrajScale;

/* Trajectory's code system for totals without a LOINC code. */
#define TRAJ_SCALE_CODE_SYSTEM "https://github.com/trajectory/trajectory/fhir/CodeSystem/scale"

/* The PHQ-9 difficulty question: optional, never scored. */
typedef struct {
  const char *text;
  const char *loinc;
  guint n_answers;
  const TrajAnswer *answers;
} TrajExtraItem;

const TrajScale     *traj_scale_get          (TrajScaleId id);
/* By code, name or alias, ignoring case and everything but letters and
 * digits ("PHQ-9", "phq9", "Pain"). */
const TrajScale     *traj_scale_lookup       (const char *code_or_name);
const char          *traj_scale_code         (TrajScaleId id);
const TrajExtraItem *traj_scale_phq9_difficulty (void);

/* The scales in table order, for loops: traj_scale_next (NULL) is the
 * first, NULL after the last. traj_scale_next_outcome skips tolerability
 * measures (what every outcome, finding, primary-scale and threshold loop
 * wants). */
const TrajScale     *traj_scale_next         (const TrajScale *after);
const TrajScale     *traj_scale_next_outcome (const TrajScale *after);
gboolean             traj_scale_is_outcome   (TrajScaleId id);
/* The outcome scales as a list (a drop-down's items): the position of @id
 * in it, or -1; and the scale at @position, or TRAJ_SCALE_NONE. */
int                  traj_scale_outcome_position (TrajScaleId id);
TrajScaleId          traj_scale_outcome_at       (guint       position);
/* The outcome scales' codes joined by ", " ("phq9, gad7, …"), for messages. */
char                *traj_scale_outcome_codes    (void);
/* Recorded as a typed total, without item wording (MADRS). */
gboolean             traj_scale_is_total_only (const TrajScale *scale);
/* May be asked of the patient (on the tablet): patient-rated outcome scales. */
gboolean             traj_scale_is_patient_facing (const TrajScale *scale);
/* The scale a course of this indication code uses as primary by default
 * (CLINICAL.md §3), TRAJ_SCALE_PHQ9 when no scale claims it. */
TrajScaleId          traj_scale_default_for_indication (const char *indication_code);
/* Whether a tablet check-in asks @scale by default for @indication_code
 * besides the course's primary scale. */
gboolean             traj_scale_checkin_for_indication (const TrajScale *scale,
                                                        const char      *indication_code);

/* values[i] is item i's answer, or -1 when unanswered. Returns TRUE and sets
 * @total only when every scored item is answered and in range (CLINICAL.md §1:
 * only complete questionnaires are scored). */
gboolean             traj_scale_score        (const TrajScale *scale,
                                              const int       *values,
                                              guint            n_values,
                                              int             *total);
gboolean             traj_scale_item_valid   (const TrajScale *scale,
                                              int              value);
gboolean             traj_scale_total_valid  (const TrajScale *scale,
                                              int              total);
const TrajBand      *traj_scale_band         (const TrajScale *scale,
                                              int              total);
/* Translated band label ("moderate"), or NULL when the scale has no bands. */
const char          *traj_scale_band_label   (const TrajScale *scale,
                                              int              total);
/* With the table's default cut-off. */
gboolean             traj_scale_is_remission (const TrajScale *scale,
                                              int              total);
/* Translated wording of @value as an answer to the scale's items, or NULL. */
const char          *traj_scale_answer_label (const TrajScale *scale,
                                              int              value);

/* CLINICAL.md §4, the one safety rule every consumer (engine, patient page,
 * kiosk, report, chart, score entry) calls: whether item @index (0-based)
 * of @scale is its safety item, and the answer that makes a safety finding
 * of a questionnaire (@items as in TrajAssessment, complete or draft): the
 * safety item's answer when it is 1 or more, else 0. */
gboolean             traj_scale_is_safety_item (TrajScaleId id,
                                                guint       index);
int                  traj_scale_safety_answer  (TrajScaleId id,
                                                const int  *items);
/* Index (0-based) of PHQ-9 item 9, for building records (demo, tests);
 * rules ask traj_scale_safety_answer. */
#define TRAJ_PHQ9_ITEM9 8
/* PCL-5's probable-PTSD cut-off (CLINICAL.md §1). */
#define TRAJ_PCL5_PROBABLE_PTSD 33

G_END_DECLS
