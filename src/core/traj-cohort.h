/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-demo.h"
#include "traj-outcomes.h"
#include "traj-records.h"
#include "traj-stats.h"
#include "traj-store.h"
#include "traj-table.h"

G_BEGIN_DECLS

/* Cohorts (issue 7): courses selected by filters, compared side by side.
 *
 * The unit is a course: a patient with two courses counts once in each
 * cohort each course matches. Per-course outcomes (baseline, response
 * threshold R·B, remission cut-off, induction length and end, first response,
 * safety and monitoring findings) all come from traj_outcomes_compute(); this
 * module only adds the time points and the cohort statistics below, and
 * never defines baseline, response, remission or a finding a second way.
 *
 * Operational definitions (S = the outcome scale: each course's primary
 * scale, or the one scale the lead picks; only complete assessments of S
 * attributed to the course count, by the rule traj-outcomes.h documents,
 * repeated here to find time-point scores and checked against the engine's
 * count for every course; E = the day of the
 * course's last induction infusion, infusion N; "as of" = the analysis time,
 * now unless given; a window that has not closed by then is "not yet due"
 * and the course is left out of that figure altogether):
 *
 * - Groups "benzodiazepine at course start" and "lamotrigine at course
 *   start" ("yes" / "no"): whether the patient's medication list has a
 *   medicine of that class taken on the course's start day (started on or
 *   before it, or start not known; not stopped before it: a medicine
 *   stopped the day before the course starts is "no").
 * - Filters and groups read: the course's indication and protocol label, the
 *   patient's sex, the age band at the course's start day (<25, 25–34, 35–44,
 *   45–54, 55–64, 65+), the course start day (range inclusive; group: its
 *   year), and the route, medicine and clinician of the course's first
 *   infusion (a course without infusions matches no route/medicine/clinician
 *   filter and groups under "none").
 * - Completion of induction: the course has ≥ N infusions. Denominator: the
 *   courses with ≥ 1 infusion that completed induction, or can no longer be
 *   in it: status not "induction", or no infusion for more than
 *   TRAJ_COHORT_STALLED_DAYS as of the analysis. Courses still in induction
 *   are left out (counted in `excluded`).
 * - End of induction (EOI) score: the first assessment taken after infusion
 *   N started and no later than day E + 7.
 * - Week 4 / 8 / 12 score: the assessment taken after infusion N started
 *   whose day is closest to E + 28 / 56 / 84, within ±7 days (a tie goes to
 *   the earlier one).
 * - Response at a time point: among courses that completed induction, have a
 *   computable response (baseline > 0) and whose window has closed, the share
 *   whose score there is ≤ R·B. Remission: the same with "has a baseline" and
 *   score ≤ the scale's remission cut-off. Courses without a score in the
 *   window are left out of the denominator and counted in `excluded`.
 * - Baseline mean (SD, 95 % t interval): the engine's baseline. Mean change
 *   at EOI: EOI score − baseline, in points.
 * - Infusions to first response: the number of the course's infusions started
 *   before the engine's first response (some score after the first infusion
 *   ≤ R·B); median over courses that responded (mean of the middle two when
 *   even).
 * - Time to first booster: among courses that completed induction, days from
 *   E to the first later infusion of the course with phase "booster" (the
 *   event), or censored at the course's last recorded event: its end day
 *   when it has ended, else its latest infusion or attributed assessment
 *   (any scale), and never after the analysis day when one is given.
 *   Kaplan–Meier (traj-stats.h), median = first time S ≤ 0.5, "not reached"
 *   (NAN) otherwise.
 * - Monitoring events per 100 infusions: the engine's monitoring findings on
 *   the course's infusions × 100 / those infusions. Its Wilson interval
 *   treats infusions as independent, so it is narrower than a
 *   patient-clustered one would be.
 * - Share with any safety finding: courses with at least one engine safety
 *   finding (PHQ-9 item 9 ≥ 1, complete or draft, open or closed) resting on
 *   an assessment attributed to the course, over all courses.
 * - Rates carry a Wilson 95 % interval (z = 1.959964); means a t interval,
 *   mean ± t(0.975, n − 1)·SD/√n (none for n < 2). A rate on fewer than
 *   TRAJ_COHORT_SMALL courses is "small"; n = 0 is "no data", never 0 %.
 * - Scores are only averaged within one scale: a cohort's score figures
 *   (baseline, change, chart) use its most common outcome scale (ties: the
 *   lower scale id) and say how many courses that is; rates, which are
 *   relative to each course's own baseline, use every course.
 * - Chart by infusion number: x = 0 is the baseline; x = k ≥ 1 is the latest
 *   score taken after infusion k started, no later than infusion k + 1
 *   started and no later than 7 days after infusion k's day (the trough
 *   before the next dose). By week: x = 0 is the baseline; x = w ≥ 1 is the
 *   latest score after the first infusion on days 7w − 6 … 7w after the
 *   course's start day. One value per course per point (at most
 *   TRAJ_COHORT_MAX_INFUSION_POINTS infusions and TRAJ_COHORT_MAX_WEEK_POINTS
 *   weeks); mean with its 95 % t band over the courses that have one. Each
 *   course's own points (TrajCohortCourse.by_infusion / by_week) are the
 *   optional individual lines.
 * - Per-course figures are computed once per scan; filters and groups are
 *   applied afterwards, so traj_cohort_report_regroup() re-filters without
 *   reading the database again.
 */

#define TRAJ_COHORT_MAX 4                 /* cohorts defined by hand */
#define TRAJ_COHORT_SMALL 10              /* rates on fewer courses are "small" */
#define TRAJ_COHORT_STALLED_DAYS 28
#define TRAJ_COHORT_WINDOW_DAYS 7
#define TRAJ_COHORT_MAX_INFUSION_POINTS 30
#define TRAJ_COHORT_MAX_WEEK_POINTS 52

typedef enum {
  TRAJ_AGE_BAND_UNDER_25,
  TRAJ_AGE_BAND_25_34,
  TRAJ_AGE_BAND_35_44,
  TRAJ_AGE_BAND_45_54,
  TRAJ_AGE_BAND_55_64,
  TRAJ_AGE_BAND_65_PLUS,
  TRAJ_AGE_BAND_UNKNOWN,          /* no birth date */
  TRAJ_N_AGE_BANDS
} TrajAgeBand;

/* Codes "under-25", "25-34", …, "65-plus", "unknown" ("<25" and "65+" are
 * read too); labels "<25", "25–34", …, "65+". */
TrajAgeBand  traj_age_band_for_age      (int years);
const char  *traj_age_band_to_string    (TrajAgeBand band);
gboolean     traj_age_band_from_string  (const char *s, TrajAgeBand *out);
const char  *traj_age_band_label        (TrajAgeBand band);

typedef enum {
  TRAJ_COHORT_FIELD_NONE,
  TRAJ_COHORT_FIELD_INDICATION,
  TRAJ_COHORT_FIELD_INDICATION_DETAIL,   /* CLINICAL.md §8: mdd, trd, … crps, migraine, … */
  TRAJ_COHORT_FIELD_ROUTE,
  TRAJ_COHORT_FIELD_MEDICINE,
  TRAJ_COHORT_FIELD_SEX,
  TRAJ_COHORT_FIELD_AGE_BAND,
  TRAJ_COHORT_FIELD_PROTOCOL,
  TRAJ_COHORT_FIELD_CLINICIAN,
  TRAJ_COHORT_FIELD_START_YEAR,
  TRAJ_COHORT_FIELD_BENZODIAZEPINE,      /* CLINICAL.md §8: a benzodiazepine taken on the course's start day */
  TRAJ_COHORT_FIELD_LAMOTRIGINE,         /* lamotrigine taken on the course's start day */
  TRAJ_COHORT_FIELD_SUBSTANCE_USE,       /* issue 15: the patient's history of substance use */
  TRAJ_N_COHORT_FIELDS
} TrajCohortField;

/* Codes: "indication", "route", "medicine", "sex", "age_band", "protocol",
 * "clinician", "start_year", "benzodiazepine_at_start",
 * "lamotrigine_at_start", "substance_use" (NONE is "none"). */
const char  *traj_cohort_field_to_string   (TrajCohortField field);
gboolean     traj_cohort_field_from_string (const char *s, TrajCohortField *out);
const char  *traj_cohort_field_label       (TrajCohortField field);

/* The time points rates are reported at. */
typedef enum {
  TRAJ_COHORT_AT_EOI,
  TRAJ_COHORT_AT_WEEK_4,
  TRAJ_COHORT_AT_WEEK_8,
  TRAJ_COHORT_AT_WEEK_12,
  TRAJ_COHORT_N_TIMEPOINTS
} TrajCohortTimepoint;

/* Codes "eoi", "w4", "w8", "w12"; labels "End of induction", "4 weeks after
 * induction", … */
const char  *traj_cohort_timepoint_to_string (TrajCohortTimepoint tp);
const char  *traj_cohort_timepoint_label     (TrajCohortTimepoint tp);

/* Which courses a cohort takes. Every criterion that is set must hold; an
 * unset one (0 mask, NULL list, TRAJ_DAY_NONE) takes everything. Within a
 * criterion any listed value matches. */
typedef struct {
  guint indications;        /* 1 << TrajIndication */
  guint routes;             /* 1 << TrajRoute */
  guint medicines;          /* 1 << TrajMedicine */
  guint sexes;              /* 1 << TrajSex */
  guint age_bands;          /* 1 << TrajAgeBand */
  char **protocols;         /* exact labels (ASCII case ignored) */
  char **clinicians;        /* of the first infusion, likewise */
  gint32 start_from;        /* course start day, inclusive */
  gint32 start_to;
} TrajCohortFilter;

void     traj_cohort_filter_init   (TrajCohortFilter *f);
void     traj_cohort_filter_clear  (TrajCohortFilter *f);
void     traj_cohort_filter_copy   (const TrajCohortFilter *src, TrajCohortFilter *dest);
gboolean traj_cohort_filter_is_empty (const TrajCohortFilter *f);
/* Sets one criterion from text, as typed on a command line: @key is
 * "indication", "route", "medicine", "sex" or "age_band" with @value a
 * comma-separated list of codes (added to what is set); "protocol" or
 * "clinician" with one label (added to the list); "from" or "to" with a
 * date (YYYY-MM-DD). TRAJ_ERROR_INVALID names the bad key or value and
 * the codes that would do. */
gboolean traj_cohort_filter_parse   (TrajCohortFilter *f,
                                     const char       *key,
                                     const char       *value,
                                     GError          **error);

typedef struct {
  char *label;              /* NULL or "": "Cohort N" */
  TrajCohortFilter filter;
} TrajCohortSpec;

/* What a lead saves and reopens. Either @group_by is set (one cohort per
 * value found among the courses @filter takes, in the field's natural order)
 * or @cohorts holds 1–TRAJ_COHORT_MAX hand-made cohorts (each also limited
 * by @filter); with neither, one cohort of every course @filter takes. */
typedef struct {
  TrajScaleId scale;        /* TRAJ_SCALE_NONE: each course's primary scale */
  TrajCohortFilter filter;
  TrajCohortField group_by;
  GPtrArray *cohorts;       /* TrajCohortSpec* */
} TrajCohortDefinition;

TrajCohortDefinition *traj_cohort_definition_new     (void);
TrajCohortDefinition *traj_cohort_definition_copy    (const TrajCohortDefinition *def);
void                  traj_cohort_definition_free    (TrajCohortDefinition *def);
/* Adds a hand-made cohort; returns its filter to fill in. */
TrajCohortFilter     *traj_cohort_definition_add     (TrajCohortDefinition *def,
                                                      const char           *label);
/* Checks what a person could get wrong (too many cohorts, group-by together
 * with hand-made cohorts, a reversed date range). */
gboolean              traj_cohort_definition_validate (const TrajCohortDefinition *def,
                                                       GError                    **error);
/* The stored form: a JSON object {"version": 1, "scale", "group_by",
 * "filter", "cohorts": [{"label", "filter"}]}, each filter an object of
 * lists of codes ("indication", "route", "medicine", "sex", "age_band",
 * "protocol", "clinician") and "start_from" / "start_to" (YYYY-MM-DD). */
char                 *traj_cohort_definition_to_json   (const TrajCohortDefinition *def);
TrajCohortDefinition *traj_cohort_definition_from_json (const char *json,
                                                        GError    **error);

/* Saved definitions (the cohort_definition table), by name. Saving an
 * existing name replaces it when @replace, else fails (TRAJ_ERROR_INVALID). */
gboolean              traj_cohort_definition_save      (TrajStore                  *store,
                                                        const char                 *name,
                                                        const TrajCohortDefinition *def,
                                                        gboolean                    replace,
                                                        GError                    **error);
TrajCohortDefinition *traj_cohort_definition_load      (TrajStore   *store,
                                                        const char  *name,
                                                        GError     **error);

/* One course as the cohort statistics see it: what the filters read and the
 * per-course figures behind every cohort number (the per-course CSV). */
typedef struct {
  int score;                /* -1: no score in the window */
  gint32 day;
  gboolean due;             /* the window closed as of the analysis */
  gboolean response;        /* score ≤ R·B (when response is computable) */
  gboolean remission;       /* score ≤ remission cut-off (when there is a baseline) */
} TrajCohortScore;

typedef struct {
  gint64 course_id;
  char *course_uid;
  gint64 patient_id;
  char *patient_uid;
  char *mrn;

  TrajIndication indication;
  char *indication_detail;  /* the course's, else its patient's; "" when neither gives one */
  char *protocol;
  gint32 start_day;
  TrajCourseStatus status;
  TrajSex sex;
  int age;                  /* at the start day, -1 unknown */
  TrajAgeBand age_band;
  gboolean has_infusion;    /* route, medicine and clinician are the first infusion's */
  TrajRoute route;
  TrajMedicine medicine;
  char *clinician;
  /* CLINICAL.md §8: a medicine of the class on the patient's list was taken
   * on the course's start day (traj_medication_active_on ()). */
  gboolean benzodiazepine_at_start;
  gboolean lamotrigine_at_start;
  TrajSubstanceUse substance_use;   /* the patient's history of substance use */

  TrajScaleId scale;        /* the outcome scale */
  gboolean has_outcome;     /* the engine has an outcome for the course on it */
  gboolean has_baseline;
  int baseline;
  gboolean response_computable;
  double response_threshold;
  int remission_max;

  int n_infusions;
  int induction_length;
  gboolean induction_complete;
  gboolean completion_counted;    /* in the completion denominator */
  gint32 induction_end_day;       /* E, TRAJ_DAY_NONE when not completed */
  TrajCohortScore at[TRAJ_COHORT_N_TIMEPOINTS];

  gboolean response_reached;
  int infusions_to_response;      /* -1 when no response */

  gboolean km_included;           /* completed induction */
  int km_days;
  gboolean km_event;              /* a booster; FALSE: censored at km_days */

  int n_monitoring;               /* monitoring findings on its infusions */
  /* CLINICAL.md §8 tolerability of each infusion, in the course's order
   * (n_infusions entries, -1 when not recorded): the CADSS total and the
   * lowest MOAA/S. Never read by response or remission. */
  int *cadss;
  int *moaas;
  int n_safety;                   /* safety findings resting on its assessments */

  /* Chart points (see above), -1 where the course has none. */
  int n_by_infusion;
  int *by_infusion;
  int n_by_week;
  int *by_week;
} TrajCohortCourse;

void     traj_cohort_course_free    (TrajCohortCourse *c);
gboolean traj_cohort_filter_matches (const TrajCohortFilter *f,
                                     const TrajCohortCourse *c);
/* The course's value of @field as a stable code ("depression", "iv",
 * "35-44", "2025", a protocol label, "none" when missing). */
char    *traj_cohort_course_group_key (const TrajCohortCourse *c,
                                       TrajCohortField         field);
/* A person's label for a group key of @field. */
char    *traj_cohort_group_label      (TrajCohortField field,
                                       const char     *key);

/* Every course of the patient (only courses; @r read, not kept) as the
 * cohort sees it, appended to @out (TrajCohortCourse*). @scale NONE: each
 * course's primary scale. Pure: what the scan calls per patient. */
void     traj_cohort_collect_courses (const TrajPatientRecords *r,
                                      const TrajThresholds     *t,
                                      TrajScaleId               scale,
                                      gint64                    as_of,
                                      GPtrArray                *out);

typedef struct {
  guint n;                  /* denominator; 0 = no data */
  guint events;
  guint excluded;           /* eligible but without a measurement, or still in progress */
  double rate;              /* NAN when n = 0 */
  double lower;
  double upper;
} TrajCohortRate;

/* TRUE for 0 < n < TRAJ_COHORT_SMALL. */
gboolean traj_cohort_rate_is_small (const TrajCohortRate *r);
/* "52.3 % (41.0–63.4), 43/82"; "no data" when n = 0. Translated. */
char    *traj_cohort_rate_format   (const TrajCohortRate *r);
/* "18.4 (3.1), 17.9 to 18.9, n = 140" (mean (SD), 95 % interval, n);
 * "18.0, n = 1"; "no data" when n = 0. */
char    *traj_cohort_mean_format   (const TrajMeanCI *m,
                                    int               decimals);

typedef struct {
  int x;                    /* infusion number or week */
  TrajMeanCI mean;
} TrajCohortPoint;

/* Tolerability at one infusion number (CLINICAL.md §8): the mean CADSS
 * total of the infusions with one, and the share sedated (lowest MOAA/S ≤
 * TRAJ_MOAAS_SEDATED_MAX) of those with a MOAA/S. */
typedef struct {
  int infusion;             /* 1, 2, … within the course */
  TrajMeanCI cadss;
  TrajCohortRate sedated;
} TrajCohortTolerability;

typedef struct {
  char *label;
  char *key;                /* group key, or "1"…"4" for hand-made cohorts */
  GPtrArray *courses;       /* const TrajCohortCourse*, borrowed from the report */

  guint n_courses;
  guint n_patients;
  gboolean small;           /* fewer than TRAJ_COHORT_SMALL courses */

  TrajScaleId scale;        /* scale of the score figures, NONE when no course has one */
  guint n_scale_courses;    /* courses on that scale */
  gboolean mixed_scales;    /* some courses are on another scale */

  TrajMeanCI baseline;
  TrajMeanCI change_eoi;
  TrajCohortRate response[TRAJ_COHORT_N_TIMEPOINTS];
  TrajCohortRate remission[TRAJ_COHORT_N_TIMEPOINTS];
  guint n_responders;
  double median_infusions_to_response;   /* NAN when none responded */
  TrajCohortRate completion;
  TrajKm *booster;                       /* time to first booster, days */
  TrajCohortRate monitoring;             /* n = infusions, events = monitoring events */
  /* Tolerability over every infusion of the cohort's courses, and per
   * infusion number (TrajCohortTolerability, numbers where any infusion
   * has a CADSS or a MOAA/S); not outcomes. */
  TrajMeanCI cadss;
  TrajCohortRate sedated;
  GArray *tolerability;
  TrajCohortRate safety;

  GArray *by_infusion;      /* TrajCohortPoint, x = 0…, points with n ≥ 1 */
  GArray *by_week;
} TrajCohort;

typedef struct {
  TrajCohortDefinition *definition;
  TrajThresholds thresholds;
  gint64 as_of;             /* TRAJ_TIME_NONE: now */
  gint64 computed_at;
  GPtrArray *courses;       /* TrajCohortCourse*, every course scanned, by patient then start */
  GPtrArray *cohorts;       /* TrajCohort* */
} TrajCohortReport;

void traj_cohort_report_free (TrajCohortReport *report);

/* Builds the report from courses already collected (takes @courses). No
 * database: regrouping with another definition of the same scale needs no
 * new scan. */
TrajCohortReport *traj_cohort_report_new (GPtrArray                  *courses,
                                          const TrajCohortDefinition *def,
                                          const TrajThresholds       *t,
                                          gint64                      as_of);
/* The same report over the already-collected courses with a new grouping
 * and filters (@def's scale must match the report's). */
TrajCohortReport *traj_cohort_report_regroup (const TrajCohortReport     *report,
                                              const TrajCohortDefinition *def);

/* Reads every live patient once (traj_store_foreach_patient_records) and
 * computes the report, on the calling thread and @store's connection. */
TrajCohortReport *traj_cohort_compute (TrajStore                  *store,
                                       const TrajCohortDefinition *def,
                                       const TrajThresholds       *t,
                                       gint64                      as_of,
                                       GCancellable               *cancellable,
                                       GError                    **error);

/* The same in a worker thread with its own connection (opened here, from
 * @store's file, and used only by the worker). @progress, when set, is
 * called on the caller's thread-default main context with the fraction of
 * patients read. Cancelling fails the task with G_IO_ERROR_CANCELLED. */
void              traj_cohort_compute_async  (TrajStore                  *store,
                                              const TrajCohortDefinition *def,
                                              const TrajThresholds       *t,
                                              gint64                      as_of,
                                              GCancellable               *cancellable,
                                              TrajProgressFunc            progress,
                                              gpointer                    progress_data,
                                              GAsyncReadyCallback         callback,
                                              gpointer                    user_data);
TrajCohortReport *traj_cohort_compute_finish (GAsyncResult  *result,
                                              GError       **error);

/* Tables for export (CSV / JSON through traj-table.h). Numbers are plain:
 * rates as proportions 0–1 (4 decimals), monitoring per 100 infusions,
 * empty cells (JSON null) where there is no data. */
/* One row per cohort: every figure with its n, events, interval, notes. */
TrajTable *traj_cohort_report_metrics_table (const TrajCohortReport *report);
/* One row per (cohort, course): the per-course figures, to re-check. */
TrajTable *traj_cohort_report_courses_table (const TrajCohortReport *report);
/* The same tables with the comparison's settings on every row (columns
 * comparison: the definition as JSON, as_of, computed_at, thresholds), as
 * the app exports them: a file that says what it compares. */
TrajTable *traj_cohort_report_metrics_table_with_settings (const TrajCohortReport *report);
TrajTable *traj_cohort_report_courses_table_with_settings (const TrajCohortReport *report);
/* Chart data: cohort, axis ("infusion" | "week"), x, n, mean, sd, lower, upper. */
TrajTable *traj_cohort_report_chart_table   (const TrajCohortReport *report);
/* Tolerability per infusion number (CLINICAL.md §8): cohort, infusion,
 * the CADSS mean (n, mean, sd, interval) and the share sedated (MOAA/S ≤ 3:
 * n, events, rate, Wilson interval). */
TrajTable *traj_cohort_report_tolerability_table (const TrajCohortReport *report);
/* Kaplan–Meier steps: cohort, day, at risk, events, censored, survival, band. */
TrajTable *traj_cohort_report_km_table      (const TrajCohortReport *report);
/* Translated notes for a cohort ("small cohort: 7 courses", "PHQ-9 scores
 * only: 40 of 52 courses", …), NULL-terminated. */
char     **traj_cohort_notes                (const TrajCohort *cohort);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCohortDefinition, traj_cohort_definition_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCohortCourse, traj_cohort_course_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCohortReport, traj_cohort_report_free)

G_END_DECLS
