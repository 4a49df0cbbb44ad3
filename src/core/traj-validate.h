/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-records.h"

G_BEGIN_DECLS

/* The store's rules, one place: the store runs these before every write and
 * editors call them while a person types, so the GUI never re-implements a
 * range. Each failure is a TRAJ_ERROR code with a sentence for people.
 * @today / @now are passed in so that rules about the future are testable. */

#define TRAJ_WEIGHT_MIN_KG 20.0
#define TRAJ_WEIGHT_MAX_KG 300.0
#define TRAJ_DOSE_MIN_MG_PER_KG 0.05
#define TRAJ_DOSE_MAX_MG_PER_KG 5.0
#define TRAJ_DURATION_MIN 1
#define TRAJ_DURATION_MAX 600
#define TRAJ_MAX_AGE_YEARS 120

/* The longest text a field may hold, in characters (one rule for the GUI,
 * imports, the kiosk and the CLI, enforced by the store): an MRN, any other
 * one-line field (names, clinician, lot number, protocol…), and multi-line
 * notes. A record of these is far below TRAJ_CSV_RECORD_MAX. */
#define TRAJ_TEXT_MRN_MAX 64
#define TRAJ_TEXT_LINE_MAX 200
#define TRAJ_TEXT_NOTE_MAX 20000

/* Text a person typed or a file held. Refused: text longer than
 * TRAJ_TEXT_LINE_MAX characters (@multiline FALSE) or TRAJ_TEXT_NOTE_MAX
 * (TRUE), TRAJ_ERROR_TEXT_LONG; C0 control characters (U+0000–U+001F)
 * other than TAB, LF and CR — in a one-line field those three too —, DEL
 * (U+007F) and the C1 controls (U+0080–U+009F): they break JSON and CSV
 * consumers and reach terminals as escape sequences, TRAJ_ERROR_TEXT_CONTROL.
 * In a one-line field (names, MRN, clinician…) also the invisible format
 * characters (Unicode Cf: bidi overrides and isolates such as U+202E, marks,
 * zero-width spaces, U+FEFF, soft hyphens, tags) except the zero-width
 * (non-)joiners U+200C/U+200D that Persian and Indic names need, and the
 * line and paragraph separators U+2028/U+2029: they make one name look like
 * another, TRAJ_ERROR_TEXT_INVISIBLE. @what is the field's translated name,
 * for the message. NULL is empty text. */
gboolean traj_validate_text            (const char *what, const char *text, gboolean multiline,
                                        GError **error);
/* traj_validate_text () with another limit than the default, in characters. */
gboolean traj_validate_text_max        (const char *what, const char *text, gboolean multiline,
                                        glong max_chars, GError **error);

/* The first day and instant a record of treatment may carry (1970-01-01):
 * older dates are typing or conversion errors (year 0001), and the instant
 * 1970-01-01T00:00:00Z itself stands for "none" (TRAJ_TIME_NONE), so it is
 * refused too. Dates before the patient's birth are refused by
 * traj_validate_infusion_dates () and traj_validate_assessment_dates (). */
#define TRAJ_RECORDS_FROM_YEAR 1970
gint32   traj_records_first_day        (void);
gint64   traj_records_first_time       (void);
/* @t (an instant a record carries) after traj_records_first_time () and
 * at most @latest; @what names it for the message. TRAJ_ERROR_IMPLAUSIBLE. */
gboolean traj_validate_record_time     (const char *what, gint64 t, gint64 latest, GError **error);

gboolean traj_validate_mrn             (const char *mrn, GError **error);
gboolean traj_validate_name            (const char *name, GError **error);
gboolean traj_validate_birth_day       (gint32 birth_day, gint32 today, GError **error);
/* Also: notes without control characters; created_at and updated_at, when
 * set, after 1970 and before the end of tomorrow, updated_at not before
 * created_at. */
gboolean traj_validate_indication_detail (TrajIndication  indication,
                                          const char     *detail,
                                          GError        **error);
gboolean traj_validate_patient         (const TrajPatient *p, gint32 today, GError **error);

gboolean traj_validate_induction_length (int n, GError **error);
/* Also: start from 1970, end at most a year ahead, text without control
 * characters. */
gboolean traj_validate_course          (const TrajCourse *c, gint32 today, GError **error);

gboolean traj_validate_weight          (double kg, GError **error);
gboolean traj_validate_dose            (TrajRoute route, TrajMedicine medicine,
                                        double mg_per_kg, double total_mg, GError **error);
gboolean traj_validate_duration        (int minutes, GError **error);
gboolean traj_validate_infusion_time   (gint64 started_at, gint64 now, GError **error);
gboolean traj_validate_vital_sign      (const TrajVitalSign *v, GError **error);
/* One vital value by field: 0 systolic, 1 diastolic, 2 heart rate, 3 SpO2, 4 resp. rate. */
gboolean traj_validate_vital_value     (guint field, int value, GError **error);
/* Whether a total dose agrees with weight × mg/kg: within 0.5 mg or 1 %,
 * whichever is larger (a total rounded to the mg or to 0.1 mg agrees). */
gboolean traj_validate_total_dose      (double weight_kg, double mg_per_kg, double total_mg,
                                        GError **error);
/* Also: started after 1970; ready_at, when set, from the start to 24 hours
 * after it; total_mg agreeing with weight × mg/kg (traj_validate_total_dose)
 * unless the dose is fixed; text without control characters. */
gboolean traj_validate_infusion        (const TrajInfusion *i, gint64 now, GError **error);
/* CLINICAL.md §8: a CADSS total 0–92 and a lowest MOAA/S 0–5, each -1 when
 * not recorded (part of traj_validate_infusion; the form checks each row). */
gboolean traj_validate_tolerability    (int cadss_total, int moaas_lowest, GError **error);
/* A course is one medicine: refuses @i when another infusion of its course
 * (in @r) is of a different medicine. */
gboolean traj_validate_course_medicine (const TrajPatientRecords *r,
                                        const TrajInfusion       *i,
                                        GError                  **error);

gboolean traj_validate_assessment      (const TrajAssessment *a, gint64 now, GError **error);

/* ---- plausible dates and duplicates (CLINICAL.md §7) -------------------- */

/* An infusion more than this many days before its course's start date, or
 * within this many minutes of another infusion of the same patient, asks
 * the clinician to confirm. */
#define TRAJ_BEFORE_COURSE_DAYS 30
#define TRAJ_NEAR_INFUSION_MINUTES 60

/* What the date rules need beyond the record itself. The store reads it
 * from the database (traj_store_check_infusion_dates); it is passed in here
 * so the rule stays one pure function. */
typedef struct {
  gint32 birth_day;               /* the patient's; TRAJ_DAY_NONE: not known */
  const TrajCourse *course;       /* the infusion's course, or NULL */
  gint64 nearest_infusion_at;     /* start of the patient's other infusion nearest
                                   * in time, or TRAJ_TIME_NONE */
  int other_medicine;             /* a TrajMedicine other than the infusion's that
                                   * another live infusion of its course has, or -1 */
} TrajInfusionContext;

/* Refuses (TRAJ_ERROR_BEFORE_BIRTH) an infusion dated before the patient's
 * birth. Otherwise TRUE, with *warnings set to every TrajDateWarning that
 * applies, confirmed or not. */
gboolean traj_validate_infusion_dates  (const TrajInfusion        *i,
                                        const TrajInfusionContext *ctx,
                                        guint                     *warnings,
                                        GError                   **error);
/* The translated sentences for @warnings, naming the dates, one after the
 * other; NULL when @warnings is 0. */
char    *traj_infusion_date_warnings_message (const TrajInfusion        *i,
                                              const TrajInfusionContext *ctx,
                                              guint                      warnings);
/* The store's rule: a course is one medicine (ctx->other_medicine -1, else
 * TRAJ_ERROR_COURSE_MEDICINE), then traj_validate_infusion_dates, then every
 * warning that applies must be in i->date_confirmed, else
 * TRAJ_ERROR_NEEDS_CONFIRMATION with the sentences. *warnings (optional)
 * receives what applies. */
gboolean traj_validate_infusion_confirmed (const TrajInfusion        *i,
                                           const TrajInfusionContext *ctx,
                                           guint                     *warnings,
                                           GError                   **error);

/* Two instants in the same clock minute. */
gboolean traj_same_minute              (gint64 a, gint64 b);

/* Refuses (TRAJ_ERROR_BEFORE_BIRTH) an assessment dated before the
 * patient's birth (@birth_day TRAJ_DAY_NONE: not known), and
 * (TRAJ_ERROR_DUPLICATE_ASSESSMENT) a complete one when @same_minute, a
 * complete assessment of the same scale for the same patient in the same
 * minute, exists: a probable duplicate, and the message names both. @a
 * must be scored (traj_assessment_rescore). */
/* TRAJ_ERROR_BEFORE_BIRTH when @c starts before @birth_day (TRAJ_DAY_NONE:
 * not known). */
gboolean traj_validate_course_dates (const TrajCourse *c, gint32 birth_day, GError **error);
gboolean traj_validate_assessment_dates (const TrajAssessment *a,
                                         gint32                birth_day,
                                         const TrajAssessment *same_minute,
                                         GError              **error);

/* A blood pressure whose systolic and diastolic are further apart than this
 * (mmHg) is refused as a typing error (e.g. 300/20). */
#define TRAJ_PULSE_PRESSURE_MAX 200

/* A decision on a finding: a known kind, a decision code that closes a
 * finding of that kind (traj_finding_kind_decisions), a finding key of that
 * kind ("<kind>:…"), fired_at and (when set) decided_at from 1970 to an
 * hour ahead of @now, text without control characters. */
gboolean traj_validate_flag_decision   (const TrajFlagDecision *d, gint64 now, GError **error);

/* Doses above this are valid but unusual for a treatment course (published
 * protocols give 0.5 mg/kg; community practice goes up to about 1 mg/kg). */
#define TRAJ_DOSE_USUAL_MAX_MG_PER_KG 1.0

/* A translated caution for a valid but unusual dose (to show, not to
 * refuse), or NULL. */
char    *traj_dose_caution             (TrajRoute route, TrajMedicine medicine, double mg_per_kg);

/* Intranasal esketamine's fixed doses in mg, in the order editors offer
 * them: 28, 56, 84. */
#define TRAJ_ESKETAMINE_N_FIXED_DOSES 3
int      traj_esketamine_fixed_dose    (guint index);
/* Whether @total_mg is one of the fixed esketamine nasal doses. */
gboolean traj_is_esketamine_fixed_dose (double total_mg);
/* The total of a weight-based dose as it is recorded: @weight_kg ×
 * @mg_per_kg, rounded to 0.01 mg. */
double   traj_dose_total_mg            (double weight_kg, double mg_per_kg);
/* Whether the route and medicine are dosed as a fixed total (intranasal esketamine). */
gboolean traj_dose_is_fixed            (TrajRoute route, TrajMedicine medicine);

G_END_DECLS
