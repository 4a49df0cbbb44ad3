/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "traj-scale.h"

G_BEGIN_DECLS

/* Calendar days are counted from 1970-01-01 (day 0) so date arithmetic is
 * plain subtraction; instants are Unix seconds in UTC. */
#define TRAJ_DAY_NONE G_MININT32
#define TRAJ_TIME_NONE ((gint64) 0)

typedef enum {
  TRAJ_SEX_UNKNOWN,
  TRAJ_SEX_FEMALE,
  TRAJ_SEX_MALE,
  TRAJ_SEX_OTHER,
  TRAJ_N_SEXES
} TrajSex;

typedef enum {
  TRAJ_INDICATION_DEPRESSION,
  TRAJ_INDICATION_BIPOLAR_DEPRESSION,
  TRAJ_INDICATION_PTSD,
  TRAJ_INDICATION_ANXIETY,
  TRAJ_INDICATION_CHRONIC_PAIN,
  TRAJ_INDICATION_OCD,
  TRAJ_INDICATION_SUBSTANCE_USE,
  TRAJ_INDICATION_OTHER,
  TRAJ_N_INDICATIONS
} TrajIndication;

typedef enum {
  TRAJ_ROUTE_IV,
  TRAJ_ROUTE_IM,
  TRAJ_ROUTE_INTRANASAL,
  TRAJ_ROUTE_ORAL,
  TRAJ_N_ROUTES
} TrajRoute;

typedef enum {
  TRAJ_MEDICINE_KETAMINE,
  TRAJ_MEDICINE_ESKETAMINE,
  TRAJ_N_MEDICINES
} TrajMedicine;

typedef enum {
  TRAJ_PHASE_INDUCTION,
  TRAJ_PHASE_MAINTENANCE,
  TRAJ_PHASE_BOOSTER,
  TRAJ_N_PHASES
} TrajPhase;

typedef enum {
  TRAJ_COURSE_INDUCTION,
  TRAJ_COURSE_MAINTENANCE,
  TRAJ_COURSE_ENDED,
  TRAJ_N_COURSE_STATUSES
} TrajCourseStatus;

typedef enum {
  TRAJ_SOURCE_CLINICIAN,
  TRAJ_SOURCE_TABLET,
  TRAJ_SOURCE_IMPORT,
  TRAJ_N_SOURCES
} TrajSource;

typedef enum {
  TRAJ_TIMING_PRE,
  TRAJ_TIMING_POST,
  TRAJ_TIMING_BETWEEN,
  TRAJ_N_TIMINGS
} TrajTiming;

/* Side effects (CLINICAL.md §5), a bit each. */
typedef enum {
  TRAJ_SIDE_NAUSEA        = 1 << 0,
  TRAJ_SIDE_VOMITING      = 1 << 1,
  TRAJ_SIDE_DIZZINESS     = 1 << 2,
  TRAJ_SIDE_DISSOCIATION  = 1 << 3,
  TRAJ_SIDE_SEDATION      = 1 << 4,
  TRAJ_SIDE_HEADACHE      = 1 << 5,
  TRAJ_SIDE_ANXIETY       = 1 << 6,
  TRAJ_SIDE_HYPERTENSION  = 1 << 7,
  TRAJ_SIDE_OTHER         = 1 << 8,
} TrajSideEffect;
#define TRAJ_N_SIDE_EFFECTS 9

/* Concomitant medicines asked on the esketamine monitoring form. */
typedef enum {
  TRAJ_CONCOMITANT_BENZODIAZEPINE = 1 << 0,
  TRAJ_CONCOMITANT_SEDATIVE       = 1 << 1,
  TRAJ_CONCOMITANT_STIMULANT      = 1 << 2,
  TRAJ_CONCOMITANT_MAOI           = 1 << 3,
  TRAJ_CONCOMITANT_OPIOID         = 1 << 4,
} TrajConcomitant;
#define TRAJ_N_CONCOMITANTS 5

/* CLINICAL.md §7 "Plausible dates": what makes an infusion's date likely a
 * typing or duplicate error, so the clinician must confirm it (a bit each;
 * the set confirmed is kept with the infusion). */
typedef enum {
  TRAJ_DATE_WARNING_BEFORE_COURSE    = 1 << 0,   /* more than 30 days before its course starts */
  TRAJ_DATE_WARNING_AFTER_COURSE_END = 1 << 1,   /* into an ended course: after its end date */
  TRAJ_DATE_WARNING_NEAR_INFUSION    = 1 << 2,   /* within 60 minutes of another infusion of the patient */
} TrajDateWarning;
#define TRAJ_N_DATE_WARNINGS 3

typedef enum {
  TRAJ_KIND_PATIENT,
  TRAJ_KIND_COURSE,
  TRAJ_KIND_INFUSION,
  TRAJ_KIND_VITAL_SIGN,
  TRAJ_KIND_ASSESSMENT,
  TRAJ_KIND_FLAG_DECISION,
  TRAJ_KIND_KIOSK_CHECKIN,
  TRAJ_KIND_MEDICATION,
  TRAJ_N_KINDS
} TrajRecordKind;

/* CLINICAL.md §8 "Medicines": the class of a medicine on the patient's list. */
typedef enum {
  TRAJ_MED_CLASS_BENZODIAZEPINE,
  TRAJ_MED_CLASS_Z_DRUG,          /* non-benzodiazepine sedative-hypnotic */
  TRAJ_MED_CLASS_LAMOTRIGINE,
  TRAJ_MED_CLASS_PSYCHOSTIMULANT,
  TRAJ_MED_CLASS_MAOI,
  TRAJ_MED_CLASS_OPIOID,
  TRAJ_MED_CLASS_ANTIDEPRESSANT,
  TRAJ_MED_CLASS_ANTIPSYCHOTIC,
  TRAJ_MED_CLASS_LITHIUM,
  TRAJ_MED_CLASS_OTHER,
  TRAJ_N_MED_CLASSES
} TrajMedClass;

/* CLINICAL.md §8: the patient's history of substance use ("a history of
 * substance abuse can blunt ketamine"). */
typedef enum {
  TRAJ_SUBSTANCE_USE_UNKNOWN,     /* not recorded */
  TRAJ_SUBSTANCE_USE_NONE,
  TRAJ_SUBSTANCE_USE_PAST,
  TRAJ_SUBSTANCE_USE_CURRENT,
  TRAJ_N_SUBSTANCE_USES
} TrajSubstanceUse;

/* Stable codes written to the database and exchange files. */
const char *traj_sex_to_string          (TrajSex sex);
const char *traj_indication_to_string   (TrajIndication indication);
const char *traj_route_to_string        (TrajRoute route);
const char *traj_medicine_to_string     (TrajMedicine medicine);
const char *traj_phase_to_string        (TrajPhase phase);
const char *traj_course_status_to_string (TrajCourseStatus status);
const char *traj_source_to_string       (TrajSource source);
const char *traj_timing_to_string       (TrajTiming timing);
const char *traj_side_effect_to_string  (guint index);
const char *traj_concomitant_to_string  (guint index);
const char *traj_date_warning_to_string (guint index);
const char *traj_kind_to_string         (TrajRecordKind kind);
const char *traj_med_class_to_string    (TrajMedClass klass);
const char *traj_substance_use_to_string (TrajSubstanceUse use);

gboolean traj_sex_from_string           (const char *s, TrajSex *out);
gboolean traj_indication_from_string    (const char *s, TrajIndication *out);
gboolean traj_route_from_string         (const char *s, TrajRoute *out);
gboolean traj_medicine_from_string      (const char *s, TrajMedicine *out);
gboolean traj_phase_from_string         (const char *s, TrajPhase *out);
gboolean traj_course_status_from_string (const char *s, TrajCourseStatus *out);
gboolean traj_source_from_string        (const char *s, TrajSource *out);
gboolean traj_timing_from_string        (const char *s, TrajTiming *out);
gboolean traj_med_class_from_string     (const char *s, TrajMedClass *out);
gboolean traj_substance_use_from_string (const char *s, TrajSubstanceUse *out);

/* Translated labels for people. */
const char *traj_sex_label              (TrajSex sex);
const char *traj_indication_label       (TrajIndication indication);
const char *traj_route_label            (TrajRoute route);
const char *traj_medicine_label         (TrajMedicine medicine);
const char *traj_phase_label            (TrajPhase phase);
const char *traj_course_status_label    (TrajCourseStatus status);
const char *traj_source_label           (TrajSource source);
const char *traj_timing_label           (TrajTiming timing);
const char *traj_side_effect_label      (guint index);
const char *traj_concomitant_label      (guint index);
const char *traj_date_warning_label     (guint index);
const char *traj_med_class_label        (TrajMedClass klass);
const char *traj_substance_use_label    (TrajSubstanceUse use);

/* The questionnaires a tablet check-in asks by default: the course's primary
 * scale, plus PHQ-9 for depression indications and the pain NRS for pain;
 * never a clinician-rated scale. Comma-separated scale codes. */
char       *traj_checkin_default_scales (TrajScaleId primary, TrajIndication indication);

/* CLINICAL.md §8: the second code under an indication, used in cohorts:
 * depression → mdd, trd, postpartum; chronic pain → crps, fibromyalgia,
 * neuropathic, migraine, other_pain. The codes under @indication,
 * NULL-terminated (none for the others). */
const char * const *traj_indication_details      (TrajIndication indication);
/* Translated label of a detail code; NULL when the code is unknown. */
const char         *traj_indication_detail_label (const char *code);
/* TRUE when @code is empty/NULL or one of @indication's details. */
gboolean            traj_indication_detail_fits  (TrajIndication indication,
                                                  const char    *code);

/* CLINICAL.md §3: the primary scale that follows from an indication. */
TrajScaleId traj_indication_default_scale (TrajIndication indication);

/* Dates and times. */
gint32      traj_day_from_ymd           (int year, int month, int day);
gboolean    traj_day_to_ymd             (gint32 day, int *year, int *month, int *mday);
gint32      traj_day_from_iso           (const char *iso);          /* "YYYY-MM-DD" or TRAJ_DAY_NONE */
/* What a person may type for a day: ISO, year first with "/" or "." or
 * unpadded ("1961/7/5"), "19610705", or as the app shows days ("5 Jul
 * 1961", "5 July 1961"); never day-or-month-first numbers, which are
 * ambiguous. TRAJ_DAY_NONE otherwise. */
gint32      traj_day_from_text          (const char *text);
/* Why @text, written as YYYY-MM-DD, is no day of the calendar ("There is
 * no day 30 in February 2031."); NULL when it is a day or not in that form. */
char       *traj_day_text_problem       (const char *text);
char       *traj_day_to_iso             (gint32 day);
gint32      traj_day_today              (void);                     /* local calendar day */
/* Days are calendar days of the clinic's time zone (CLINICAL.md §7): the
 * store sets it from the clinic's settings when it opens (NULL or "": the
 * machine's). FALSE for an identifier that names no zone. */
gboolean    traj_set_clinic_time_zone   (const char *identifier);
/* The zone in use, and the machine's own as an identifier another machine
 * can use (NULL when it has none, e.g. an unnamed /etc/localtime). */
char       *traj_clinic_time_zone       (void);
char       *traj_machine_time_zone      (void);
gint32      traj_day_from_time          (gint64 unix_utc);          /* local calendar day */
gint64      traj_time_from_day          (gint32 day, int hour, int minute); /* local time → UTC */
gint64      traj_time_now               (void);
gint64      traj_time_from_iso          (const char *iso, gboolean *ok); /* ISO 8601 with offset, or Z */
char       *traj_time_to_iso            (gint64 unix_utc);                /* UTC, "…Z" */
int         traj_age_years              (gint32 birth_day, gint32 on_day);
/* Short local date for people, e.g. "3 Mar 2026" in the user's locale. */
char       *traj_day_format             (gint32 day);
char       *traj_time_format            (gint64 unix_utc);

/* Random v4 UUID. */
char       *traj_uuid_new               (void);

typedef struct {
  gint64 id;
  char *uid;
  char *mrn;
  char *name;
  gint32 birth_day;
  TrajSex sex;
  TrajIndication indication;
  char *indication_detail;        /* a code of traj_indication_details (), "" or NULL: not given */
  char *notes;
  /* CLINICAL.md §8: suicidal ideation is a risk flag on the patient, not an
   * indication: when it was set (TRAJ_TIME_NONE: not set) and by whom. */
  gint64 risk_si_at;
  char *risk_si_by;
  TrajSubstanceUse substance_use;
  gint64 created_at;
  gint64 updated_at;
  gint64 deleted_at;
} TrajPatient;

typedef struct {
  gint64 id;
  char *uid;
  gint64 patient_id;
  TrajIndication indication;
  char *indication_detail;        /* as for the patient */
  TrajScaleId primary_scale;
  char *protocol;
  int induction_length;
  gint32 start_day;
  gint32 end_day;                 /* TRAJ_DAY_NONE while open */
  TrajCourseStatus status;
  char *notes;
  gint64 deleted_at;
  /* Whole years on start_day, when the store gives it in place of the
   * patient's birth date (a lead's cohort read on a server); -1 otherwise. */
  int age_at_start;
} TrajCourse;

typedef struct {
  gint64 id;
  char *uid;
  gint64 infusion_id;
  int minute;                     /* offset from the start of dosing */
  int systolic;                   /* -1 = not recorded, for every vital */
  int diastolic;
  int heart_rate;
  int spo2;
  int resp_rate;
} TrajVitalSign;

typedef struct {
  gint64 id;
  char *uid;
  gint64 patient_id;
  gint64 course_id;               /* 0 = not in a course */
  gint64 started_at;
  int duration_min;
  TrajRoute route;
  TrajMedicine medicine;
  char *lot;
  TrajPhase phase;
  double weight_kg;
  double dose_mg_per_kg;          /* 0 for fixed esketamine doses */
  double total_mg;
  guint side_effects;             /* TrajSideEffect bits */
  char *side_effect_note;
  guint concomitant;              /* TrajConcomitant bits */
  int monitoring_min;
  gint64 ready_at;                /* TRAJ_TIME_NONE when not set */
  char *clinician;
  char *notes;
  guint date_confirmed;           /* TrajDateWarning bits the clinician confirmed */
  /* CLINICAL.md §8 per-infusion tolerability, -1 = not recorded: never an
   * outcome, never in response or remission. */
  int cadss_total;                /* CADSS total, 0–92 */
  int moaas_lowest;               /* lowest MOAA/S during monitoring, 0–5 */
  /* CLINICAL.md §8 esketamine monitoring record (traj-rems.h): the answers
   * the session's other fields do not give. Yes/no answers are 1/0, -1 when
   * not answered; text is NULL when not answered. */
  int rems_first_session;         /* the patient's first treatment session */
  char *rems_patient_id;          /* the patient's REMS enrolment ID */
  char *rems_monitored_by;        /* who monitored the patient */
  int rems_vitals_ok_before;      /* vital signs acceptable before dosing */
  int rems_vitals_ok_leaving;     /* … and before leaving */
  int rems_sedation;
  int rems_dissociation;
  int rems_resp_depression;
  int rems_adverse;               /* any adverse event */
  char *rems_adverse_note;        /* what it was; "" when none given */
  GPtrArray *vitals;              /* TrajVitalSign*, sorted by minute */
  gint64 deleted_at;
} TrajInfusion;

typedef struct {
  gint64 id;
  char *uid;
  gint64 patient_id;
  gint64 course_id;               /* 0 = none */
  gint64 infusion_id;             /* 0 = none */
  TrajScaleId scale;
  gint64 taken_at;
  TrajSource source;
  TrajTiming timing;
  gboolean complete;              /* derived from items on write */
  gboolean draft;                 /* kept unfinished on purpose (a tablet questionnaire
                                   * never submitted): never complete, never scored */
  int total;                      /* -1 when incomplete */
  int items[TRAJ_MAX_ITEMS];      /* -1 = unanswered */
  int difficulty;                 /* PHQ-9 difficulty answer or -1 */
  /* The highest answer a tablet ever saved to the scale's safety item
   * (PHQ-9 item 9) while the patient answered, 0 when never above 0: an
   * answer taken back still makes a safety finding (CLINICAL.md §4). */
  int safety_highest;
  char *clinician;
  char *notes;
  gint64 deleted_at;
} TrajAssessment;

typedef struct {
  gint64 id;
  char *uid;
  gint64 patient_id;
  gint64 course_id;               /* 0 = patient-wide (safety) */
  char *kind;                     /* finding kind code, e.g. "booster" */
  char *finding_key;              /* identifies the finding it decides */
  gint64 fired_at;
  char *decision;                 /* "booster_booked", "acknowledged", … */
  char *note;
  char *decided_by;
  gint64 decided_at;
  gint64 deleted_at;
} TrajFlagDecision;

/* A medicine on the patient's list (CLINICAL.md §8). It is taken from
 * start_day to stop_day, both included (stop_day is the last day taken);
 * an unknown start means since before it was recorded, no stop day that it
 * is still taken. */
typedef struct {
  gint64 id;
  char *uid;
  gint64 patient_id;
  char *name;                     /* "Lorazepam" */
  TrajMedClass klass;
  char *dose;                     /* free text, "1 mg at night"; "" when not given */
  gint32 start_day;               /* TRAJ_DAY_NONE: not known */
  gint32 stop_day;                /* TRAJ_DAY_NONE: still taken */
  gint64 deleted_at;
} TrajMedication;

typedef struct {
  gint64 id;
  char *uid;
  gint64 patient_id;
  char *scales;                   /* comma-separated scale codes */
  gint64 created_at;
  gint64 expires_at;
  gint64 used_at;
  char *created_by;
} TrajKioskCheckin;

typedef struct {
  gint64 id;
  gint64 at;
  char *os_user;
  char *clinician;
  char *action;                   /* "insert", "update", "delete", "undelete", … */
  char *record_kind;
  char *record_uid;
  char *summary;
  char *patient_uid;              /* the patient it concerns, "" for none or many */
  char *detail;                   /* previous values, records written, where to (lines) */
} TrajAuditEvent;

TrajPatient      *traj_patient_new       (void);
TrajPatient      *traj_patient_copy      (const TrajPatient *p);
void              traj_patient_free      (TrajPatient *p);
TrajCourse       *traj_course_new        (void);
TrajCourse       *traj_course_copy       (const TrajCourse *c);
void              traj_course_free       (TrajCourse *c);
TrajVitalSign    *traj_vital_sign_new    (int minute);
TrajVitalSign    *traj_vital_sign_copy   (const TrajVitalSign *v);
void              traj_vital_sign_free   (TrajVitalSign *v);
TrajInfusion     *traj_infusion_new      (void);
TrajInfusion     *traj_infusion_copy     (const TrajInfusion *i);
void              traj_infusion_free     (TrajInfusion *i);
/* CLINICAL.md §8: the CADSS total is 0–92 and MOAA/S 0–5; a lowest MOAA/S
 * of 3 or less counts as sedation, and 0 (no response) is a monitoring event. */
#define TRAJ_CADSS_MAX 92
#define TRAJ_MOAAS_MAX 5
#define TRAJ_MOAAS_SEDATED_MAX 3
/* Whether the infusion's lowest MOAA/S was recorded and counts as sedation. */
gboolean          traj_infusion_sedated  (const TrajInfusion *i);
/* "CADSS 38 · MOAA/S 3, sedated" (what was recorded, translated), or NULL. */
char             *traj_infusion_tolerability_text (const TrajInfusion *i);
/* Peak systolic/diastolic over all readings; FALSE when no BP was taken. */
gboolean          traj_infusion_bp_peak  (const TrajInfusion *i, int *systolic, int *diastolic);
/* The blood pressure taken during @i for a one-line summary: "BP 80/50"
 * for one reading, "BP 80/50 to 152/94" (lowest to highest systolic) for
 * more; NULL when none was taken. Never "peak" for a pressure that fell. */
char             *traj_infusion_bp_text  (const TrajInfusion *i);
TrajAssessment   *traj_assessment_new    (TrajScaleId scale);
TrajAssessment   *traj_assessment_copy   (const TrajAssessment *a);
void              traj_assessment_free   (TrajAssessment *a);
/* Recomputes complete/total from the items (MADRS: from total); a draft
 * stays incomplete and unscored whatever its items. */
void              traj_assessment_rescore (TrajAssessment *a);
/* CLINICAL.md §4 for a questionnaire as stored: the safety item's answer
 * (traj_scale_safety_answer ()), or the highest one a tablet saved to it
 * before, whichever is higher; 0 when neither is above 0. */
int               traj_assessment_safety_answer (const TrajAssessment *a);
TrajFlagDecision *traj_flag_decision_new  (void);
TrajFlagDecision *traj_flag_decision_copy (const TrajFlagDecision *d);
void              traj_flag_decision_free (TrajFlagDecision *d);
TrajMedication   *traj_medication_new     (void);
TrajMedication   *traj_medication_copy    (const TrajMedication *m);
void              traj_medication_free    (TrajMedication *m);
TrajKioskCheckin *traj_kiosk_checkin_new  (void);
void              traj_kiosk_checkin_free (TrajKioskCheckin *c);
void              traj_audit_event_free   (TrajAuditEvent *e);

/* Everything recorded for one patient: what outcomes, charts and reports read.
 * Arrays hold only live (not deleted) records, in time order. */
typedef struct {
  TrajPatient *patient;
  GPtrArray *courses;        /* TrajCourse*, by start day */
  GPtrArray *infusions;      /* TrajInfusion*, by started_at */
  GPtrArray *assessments;    /* TrajAssessment*, by taken_at */
  GPtrArray *decisions;      /* TrajFlagDecision*, by decided_at */
  GPtrArray *medications;    /* TrajMedication*, by start day (unknown first) */
} TrajPatientRecords;

/* The timing a new set of scores taken at @now starts with: after the
 * infusion when the patient already has one logged that day (clinic days)
 * that started at or before @now, else before. */
TrajTiming  traj_assessment_default_timing (const TrajPatientRecords *r,
                                            gint64                    now);


TrajPatientRecords *traj_patient_records_new  (void);
void                traj_patient_records_free (TrajPatientRecords *r);
/* Sorts @array by @compare (a total order) unless it is in that order
 * already, as records read from the store are: the check is one pass. */
void                traj_records_sort (GPtrArray *array, GCompareFunc compare);
const TrajCourse   *traj_patient_records_find_course (const TrajPatientRecords *r, gint64 course_id);
/* The course open now (latest not ended), else the latest, else NULL. */
const TrajCourse   *traj_patient_records_current_course (const TrajPatientRecords *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajPatient, traj_patient_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCourse, traj_course_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajVitalSign, traj_vital_sign_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajInfusion, traj_infusion_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajAssessment, traj_assessment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajFlagDecision, traj_flag_decision_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajKioskCheckin, traj_kiosk_checkin_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajMedication, traj_medication_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajAuditEvent, traj_audit_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajPatientRecords, traj_patient_records_free)

G_END_DECLS
