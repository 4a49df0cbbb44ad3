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

typedef struct {
  TrajScaleId id;
  const char *code;          /* stable storage/exchange code: "phq9" */
  const char *name;          /* display short name: "PHQ-9" */
  const char *title;         /* "Patient Health Questionnaire-9" */
  const char *construct;     /* "depression" */
  const char *loinc_panel;
  const char *loinc_total;
  const char *instruction;   /* stem shown before items, or NULL */
  guint n_items;             /* scored items; 0 for total-only (MADRS) */
  const TrajItem *items;
  guint n_answers;           /* answers shared by every item (0 for NRS/MADRS) */
  const TrajAnswer *answers;
  int item_min;
  int item_max;
  int total_min;
  int total_max;
  guint n_bands;
  const TrajBand *bands;
  /* Remission: total <= remission_max (PHQ-9 < 5 is total <= 4). */
  int remission_max;
  const char *remission_label;
  int mcid;                  /* default minimal clinically important change */
  gboolean clinician_rated;  /* MADRS: typed total only, never patient-facing */
  gboolean higher_is_worse;
} TrajScale;

/* The PHQ-9 difficulty question: optional, never scored. */
typedef struct {
  const char *text;
  const char *loinc;
  guint n_answers;
  const TrajAnswer *answers;
} TrajExtraItem;

const TrajScale     *traj_scale_get          (TrajScaleId id);
const TrajScale     *traj_scale_lookup       (const char *code_or_name);
const char          *traj_scale_code         (TrajScaleId id);
const TrajExtraItem *traj_scale_phq9_difficulty (void);

/* values[i] is item i's answer, or -1 when unanswered. Returns TRUE and sets
 * @total only when every scored item is answered and in range (CLINICAL.md §1:
 * only complete questionnaires are scored). */
gboolean             traj_scale_score        (const TrajScale *scale,
                                              const int       *values,
                                              guint            n_values,
                                              int             *total);
gboolean             traj_scale_item_valid   (const TrajScale *scale,
                                              int              value);
const TrajBand      *traj_scale_band         (const TrajScale *scale,
                                              int              total);
/* Translated band label ("moderate"), or NULL when the scale has no bands. */
const char          *traj_scale_band_label   (const TrajScale *scale,
                                              int              total);
gboolean             traj_scale_is_remission (const TrajScale *scale,
                                              int              total);
/* Index (0-based) of PHQ-9 item 9. */
#define TRAJ_PHQ9_ITEM9 8
/* PCL-5's probable-PTSD cut-off (CLINICAL.md §1). */
#define TRAJ_PCL5_PROBABLE_PTSD 33

G_END_DECLS
