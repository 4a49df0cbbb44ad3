/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-records.h"
#include "traj-scale.h"
#include "traj-store.h"

G_BEGIN_DECLS

/* The outcomes engine (CLINICAL.md §2–§4): one pure function from a patient's
 * records and the clinic's thresholds to per-course outcomes and findings.
 * The GUI, the CLI, the PDF report and the cohort statistics all call it;
 * nothing recomputes these rules elsewhere. */

/* Every threshold the rules use. The defaults are CLINICAL.md's; the clinic
 * may change them in preferences, and each finding's sentence states the ones
 * that fired. The PHQ-9 item 9 safety finding has no threshold: it cannot be
 * switched off. */
typedef struct {
  double response_fraction[TRAJ_N_SCALES]; /* R per scale: response is score <= R × baseline */
  int mcid[TRAJ_N_SCALES];                /* M per scale, points */
  int remission_max[TRAJ_N_SCALES];       /* remission is total <= this */
  int induction_length;                   /* used only when a course has none of its own (6) */
  int worsening_gap_days;                 /* G: calendar days between P and L (2) */
  int baseline_window_days;               /* baseline at most this many days before the first infusion (14) */
  int systolic_max;                       /* systolic >= this is a monitoring event (180) */
  int diastolic_max;                      /* diastolic >= this (110) */
  int spo2_min;                           /* SpO2 < this (92) */
  int heart_rate_max;                     /* heart rate > this (120) */
  int systolic_min;                       /* systolic < this (90), CLINICAL.md §7 */
  int heart_rate_min;                     /* heart rate < this (50) */
  int resp_rate_min;                      /* respiratory rate < this (10): respiratory depression */
} TrajThresholds;

void traj_thresholds_init_defaults (TrajThresholds *t);

/* Which values of one vital-sign reading are a monitoring event
 * (CLINICAL.md §4 high limits, §7 low limits): the rule the outcomes
 * engine and the infusion editor share. */
typedef enum {
  TRAJ_VITAL_OVER_SYSTOLIC    = 1 << 0,   /* systolic >= systolic_max */
  TRAJ_VITAL_OVER_DIASTOLIC   = 1 << 1,   /* diastolic >= diastolic_max */
  TRAJ_VITAL_OVER_HEART_RATE  = 1 << 2,   /* heart rate > heart_rate_max */
  TRAJ_VITAL_UNDER_SPO2       = 1 << 3,   /* SpO2 < spo2_min */
  TRAJ_VITAL_UNDER_SYSTOLIC   = 1 << 4,   /* systolic < systolic_min */
  TRAJ_VITAL_UNDER_HEART_RATE = 1 << 5,   /* heart rate < heart_rate_min */
  TRAJ_VITAL_UNDER_RESP_RATE  = 1 << 6,   /* respiratory rate < resp_rate_min */
} TrajVitalEvent;

guint traj_vital_sign_monitoring_events (const TrajVitalSign  *v,
                                         const TrajThresholds *t);
/* Starts from the defaults and reads, for every outcome scale, the keys the
 * scale table names (response_key, mcid_key, remission_key), then
 * induction-length, worsening-gap-days,
 * baseline-window-days, vitals-systolic-max, vitals-diastolic-max,
 * vitals-spo2-min, vitals-heart-rate-max, vitals-systolic-min,
 * vitals-heart-rate-min and vitals-resp-rate-min from @settings. A key the schema
 * lacks, or a value outside what the rules can use, keeps its default.
 * A response key may hold a double (0.5) or a whole per cent (50). */
void traj_thresholds_load          (TrajThresholds *t,
                                    GSettings      *settings);
/* The same from the clinic's own keys (clinic_setting key → text, as the
 * clinic settings backend writes them); a missing key keeps its default. */
void traj_thresholds_load_values   (TrajThresholds *t,
                                    GHashTable     *values);
/* The same number for equal thresholds, another (almost surely) for any
 * other: what a stored needs-attention state was computed with. */
gint64 traj_thresholds_fingerprint (const TrajThresholds *t);

typedef enum {
  TRAJ_FINDING_SAFETY,            /* PHQ-9 item 9 > 0 (CLINICAL.md §4) */
  TRAJ_FINDING_BOOSTER,           /* a booster might be discussed (§3) */
  TRAJ_FINDING_NO_RESPONSE,       /* no response after induction (§3) */
  TRAJ_FINDING_MONITORING,        /* vital signs crossed a limit during an infusion (§4) */
  TRAJ_N_FINDING_KINDS
} TrajFindingKind;

/* Stable codes ("safety", "booster", "no_response", "monitoring"), as
 * written to flag_decision.kind, and translated labels. */
const char *traj_finding_kind_to_string   (TrajFindingKind kind);
gboolean    traj_finding_kind_from_string (const char *s, TrajFindingKind *out);
const char *traj_finding_kind_label       (TrajFindingKind kind);

/* Decision codes written to flag_decision.decision. */
#define TRAJ_DECISION_BOOSTER_BOOKED "booster_booked"
#define TRAJ_DECISION_DECLINED       "declined"
#define TRAJ_DECISION_NOT_INDICATED  "not_indicated"
#define TRAJ_DECISION_PLAN_REVIEWED  "plan_reviewed"
#define TRAJ_DECISION_ACKNOWLEDGED   "acknowledged"

/* Days after "declined" or "not indicated" at which a booster finding that
 * still fires is shown again (CLINICAL.md §7). */
#define TRAJ_BOOSTER_REMIND_DAYS 28

/* Translated label of a decision code, or @code itself when unknown. */
const char         *traj_decision_label         (const char *code);
/* The decisions that close a finding of @kind, NULL-terminated, in the order
 * to offer them: booster → booster_booked, declined, not_indicated;
 * no_response → plan_reviewed; safety and monitoring → acknowledged. */
const char * const *traj_finding_kind_decisions (TrajFindingKind kind);
gboolean            traj_decision_closes        (TrajFindingKind kind,
                                                 const char     *code);

/* Why a finding is no longer open. */
typedef enum {
  TRAJ_CLOSED_NOT,                /* open */
  TRAJ_CLOSED_BY_DECISION,        /* a clinician recorded a closing decision for its key */
  TRAJ_CLOSED_BY_INFUSION,        /* booster: an infusion was logged after L */
  TRAJ_CLOSED_BY_SCORES,          /* later scores no longer meet the rule (booster),
                                   * or reached response (no response) */
} TrajClosedBy;

typedef struct {
  TrajFindingKind kind;
  /* Identifies the finding for decisions (flag_decision.finding_key):
   *   "safety:<assessment uid>"
   *   "booster:<course uid>:<uid of P when the episode first fired>"
   *   "no_response:<course uid>"
   *   "monitoring:<infusion uid>"
   *   "booster:<course uid>:<uid of P>:<uid of L>" when the episode began by
   *     firing again after a decision (CLINICAL.md §7)
   * The booster key names the episode: while the rule keeps firing without an
   * infusion in between it is the same finding (a decision keeps it closed);
   * once it stops firing, a later worsening is a new finding. After a
   * decision it also fires again as a new finding when a score is at least M
   * above the score decided on, or TRAJ_BOOSTER_REMIND_DAYS after "declined"
   * or "not indicated" while the rule still fires. */
  char *key;
  gint64 patient_id;
  gint64 course_id;               /* 0 for patient-wide (safety) */
  TrajScaleId scale;              /* TRAJ_SCALE_NONE for monitoring */
  gint64 fired_at;                /* time of the record it is dated at */
  char **record_uids;             /* NULL-terminated: the records it rests on */
  char *sentence;                 /* translated, with the numbers, dates and thresholds */
  gboolean open;
  TrajClosedBy closed_by;
  gboolean closed_by_infusion;    /* closed_by == TRAJ_CLOSED_BY_INFUSION */
  gint64 closed_at;               /* decision, infusion or assessment time; 0 when open */
  TrajFlagDecision *decision;     /* copy of the closing decision, or NULL */
} TrajFinding;

TrajFinding      *traj_finding_copy          (const TrajFinding *f);
void              traj_finding_free          (TrajFinding *f);
/* How @f was closed, in one translated sentence for the Findings History,
 * the chart and the report: "Booster booked by Dr Ana Silva on 6 Dec 2026:
 * booked for Friday", "Closed by an infusion on 6 Dec 2026", "No longer met
 * by later scores on 6 Dec 2026", "Response reached on 6 Dec 2026"; NULL
 * while @f is open. */
char             *traj_finding_describe_closed (const TrajFinding *f);
/* A decision for @f ready for traj_store_insert_flag_decision (kind, key,
 * patient, course and fired_at filled in; decided_by/decided_at left for the
 * store to fill). */
TrajFlagDecision *traj_finding_new_decision  (const TrajFinding *f,
                                              const char        *decision,
                                              const char        *note);

/* One course × scale (CLINICAL.md §2). Scores are totals of complete
 * assessments only; drafts never count. */
typedef struct {
  gint64 course_id;
  TrajScaleId scale;
  gboolean is_primary;            /* the course's primary scale */
  int n_assessments;              /* complete ones attributed to the course */

  gboolean has_baseline;
  int baseline;
  gint64 baseline_at;
  /* Set (translated) whenever response cannot be computed: no infusion yet,
   * no complete assessment in the window before the first infusion, or a
   * baseline of 0. NULL otherwise. */
  char *no_baseline_reason;

  gboolean has_latest;
  int latest;
  gint64 latest_at;

  gboolean has_change;            /* baseline and latest exist */
  int change_points;              /* latest − baseline */
  double change_percent;          /* 100 × (latest − baseline) / baseline; NAN when undefined */

  gboolean has_nadir;             /* lowest score after the first infusion (earliest if tied) */
  int nadir;
  gint64 nadir_at;

  gboolean response_computable;   /* has_baseline and baseline > 0 */
  double response_threshold;      /* R × baseline, when computable */
  gboolean response_reached;      /* some score after the first infusion <= R × baseline */
  gint64 response_at;             /* the first such */
  gboolean response_held;         /* the latest score <= R × baseline */

  gboolean remission_computable;  /* has_baseline */
  int remission_max;
  gboolean remission_reached;     /* some score after the first infusion <= remission_max */
  gint64 remission_at;

  int n_infusions;                /* the course's infusions */
  int induction_length;           /* the course's, else the thresholds' */
  gint32 induction_end_day;       /* day of infusion N, TRAJ_DAY_NONE until reached */
  gint64 first_infusion_at;       /* TRAJ_TIME_NONE when none */
  gint64 last_infusion_at;
} TrajOutcome;

void traj_outcome_free (TrajOutcome *o);

typedef struct {
  /* TrajOutcome*: course by course (in start order); within a course the
   * primary scale first (always present), then every other scale with at
   * least one complete assessment attributed to the course, by scale id. */
  GPtrArray *outcomes;
  /* TrajFinding*: open before closed; safety before other kinds; then newest
   * first by fired_at. Closed ones are kept as history. */
  GPtrArray *findings;
} TrajOutcomes;

/* Computes outcomes and findings as of @now: assessments and infusions dated
 * after @now are ignored by outcomes and the booster and no-response rules,
 * and decisions made after @now are ignored by every finding, so a past @now
 * replays what was known then. Safety and monitoring findings (§4, always on)
 * still see every PHQ-9 and every infusion, so a clock difference between a
 * tablet and the workstation never hides one. Pass TRAJ_TIME_NONE for no
 * cut-off. Findings' sentences describe the moment they fired ("days since
 * the last infusion" is counted to L), not @now.
 *
 * An assessment is attributed to a course when its course_id is the course,
 * when it has no course but belongs to an infusion of the course, or when it
 * has neither and was taken between (baseline_window_days before the
 * course's start or first infusion, whichever is earlier) and the course's
 * end day (inclusive) or the next course's start day (exclusive). An
 * unattached assessment can therefore serve one course as follow-up and the
 * next as baseline. */
TrajOutcomes      *traj_outcomes_compute  (const TrajPatientRecords *r,
                                           const TrajThresholds     *t,
                                           gint64                    now);
/* The same, for a whole-clinic count that shows no finding: every
 * finding's sentence is NULL (formatting them was a twentieth of a
 * cohort); everything else is as traj_outcomes_compute() gives it. */
TrajOutcomes      *traj_outcomes_compute_bare (const TrajPatientRecords *r,
                                               const TrajThresholds     *t,
                                               gint64                    now);
void               traj_outcomes_free     (TrajOutcomes *o);

guint              traj_outcomes_n_open          (const TrajOutcomes *o);
gboolean           traj_outcomes_has_open_safety (const TrajOutcomes *o);
/* The highest whole score that counts as a response under @threshold (a
 * TrajOutcome's response_threshold): scores are whole numbers, so a
 * threshold of 8.5 is shown as "≤ 8". */
int                traj_response_max_score       (double threshold);
const TrajOutcome *traj_outcomes_find            (const TrajOutcomes *o,
                                                  gint64              course_id,
                                                  TrajScaleId         scale);
const TrajFinding *traj_outcomes_find_finding    (const TrajOutcomes *o,
                                                  const char         *key);

/* The engine's rule for which course an assessment counts for (the one
 * traj_outcomes_compute applies; cohorts use it too, so it lives here only).
 * An assessment with a course counts for that course; one given at an
 * infusion of a course, for that course; any other counts for every course
 * whose span holds its day: from the course's start (or first infusion,
 * whichever is earlier) minus baseline_window_days, to its end day or the
 * day before the next course starts. Infusions after @now are ignored
 * (TRAJ_TIME_NONE: none). TRAJ_DAY_NONE in a span bound means none/open. */
void     traj_outcomes_course_span         (const TrajPatientRecords *r,
                                            const TrajThresholds     *t,
                                            gint64                    now,
                                            const TrajCourse         *course,
                                            gint32                   *span_start,
                                            gint32                   *span_end);
gboolean traj_outcomes_counts_for_course   (const TrajPatientRecords *r,
                                            const TrajCourse         *course,
                                            gint32                    span_start,
                                            gint32                    span_end,
                                            const TrajAssessment     *a);

/* What the patient list's "Needs attention" shows of one patient: the open
 * findings, the suicidal-ideation risk flag counted as an open safety item
 * (CLINICAL.md §8), when the oldest of them began, and until when this
 * holds without any new write: the first later time one of the patient's
 * records becomes visible to the engine (TRAJ_TIME_NONE: for good). @rules
 * is traj_thresholds_fingerprint () of the thresholds used. The store keeps
 * one per patient (patient_attention), written in the transaction of every
 * write that changes it. */
typedef struct {
  int open_findings;
  gboolean safety_open;
  gboolean risk_flag;
  gint64 oldest_open_at;
  gint64 valid_until;
  gint64 rules;
} TrajAttention;

void               traj_outcomes_attention      (const TrajPatientRecords *r,
                                                 const TrajThresholds     *t,
                                                 gint64                    now,
                                                 TrajAttention            *out);
void               traj_attention_apply         (const TrajAttention      *a,
                                                 TrajPatientSummary       *s);
/* Whether @s holds a state computed with thresholds of fingerprint @rules
 * that still holds at @now. */
gboolean           traj_attention_is_current    (const TrajPatientSummary *s,
                                                 gint64                    rules,
                                                 gint64                    now);

/* What a cohort needs of every live patient's records (first_id and
 * last_id both 0: the whole clinic, else the patient ids in [first_id,
 * last_id]): the same records with the free text the cohort and outcome
 * engine never read (names, notes, lot numbers…) left NULL, of the
 * questionnaire items only each scale's safety item, and of the vital signs
 * only the readings that cross one of @t's limits (the only ones the engine
 * uses). Faster and smaller than the full read; the outcomes and cohort
 * figures computed from it with @t are the same. Implemented in
 * traj-store-records.c. */
gboolean           traj_store_foreach_cohort_records (TrajStore            *store,
                                                      const TrajThresholds *t,
                                                      gint64                first_id,
                                                      gint64                last_id,
                                                      TrajRecordsFunc       func,
                                                      gpointer              user_data,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

/* The clinic's thresholds from its own settings (what the store computes
 * stored states with), and one patient's stored state (*found FALSE when
 * none). Implemented in traj-store-attention.c. */
gboolean           traj_store_load_thresholds   (TrajStore                *store,
                                                 TrajThresholds           *t,
                                                 GError                  **error);
gboolean           traj_store_read_attention    (TrajStore                *store,
                                                 gint64                    patient_id,
                                                 TrajAttention            *out,
                                                 gboolean                 *found,
                                                 GError                  **error);

/* The patient list's attention columns for every summary in @summaries
 * (TrajPatientSummary*) whose stored state is not current: a few read one
 * by one, many in a single pass over the clinic. */
gboolean           traj_outcomes_fill_summaries  (TrajStore            *store,
                                                  GPtrArray            *summaries,
                                                  const TrajThresholds *t,
                                                  gint64                now,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
/* The same for one patient. */
gboolean           traj_outcomes_fill_summary    (TrajStore            *store,
                                                  TrajPatientSummary   *summary,
                                                  const TrajThresholds *t,
                                                  gint64                now,
                                                  GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajFinding, traj_finding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajOutcome, traj_outcome_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajOutcomes, traj_outcomes_free)

G_END_DECLS
