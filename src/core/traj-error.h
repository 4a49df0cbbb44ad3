/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TRAJ_ERROR (traj_error_quark ())

/* One code per rule a person can break, so callers (GUI fields, CSV import,
 * tests) can tell exactly which rule rejected a write. */
typedef enum {
  TRAJ_ERROR_FAILED,
  /* files */
  TRAJ_ERROR_NOT_A_DATABASE,
  TRAJ_ERROR_CORRUPT,
  TRAJ_ERROR_NEWER_SCHEMA,
  TRAJ_ERROR_IO,
  TRAJ_ERROR_DISK_FULL,
  TRAJ_ERROR_READ_ONLY,
  TRAJ_ERROR_BUSY,
  TRAJ_ERROR_NOT_FOUND,
  /* patient */
  TRAJ_ERROR_MRN_MISSING,
  TRAJ_ERROR_MRN_DUPLICATE,
  TRAJ_ERROR_NAME_MISSING,
  TRAJ_ERROR_BIRTH_DATE_MISSING,
  TRAJ_ERROR_BIRTH_DATE_FUTURE,
  TRAJ_ERROR_AGE_OVER_120,
  /* course */
  TRAJ_ERROR_INDUCTION_LENGTH,
  TRAJ_ERROR_COURSE_DATES,
  TRAJ_ERROR_COURSE_FUTURE,
  /* infusion */
  TRAJ_ERROR_WEIGHT_RANGE,
  TRAJ_ERROR_DOSE_RANGE,
  TRAJ_ERROR_ESKETAMINE_DOSE,
  TRAJ_ERROR_TOTAL_DOSE,
  TRAJ_ERROR_DURATION_RANGE,
  TRAJ_ERROR_INFUSION_FUTURE,
  TRAJ_ERROR_MONITORING_RANGE,
  TRAJ_ERROR_VITAL_MINUTE,
  TRAJ_ERROR_VITAL_SYSTOLIC,
  TRAJ_ERROR_VITAL_DIASTOLIC,
  TRAJ_ERROR_VITAL_HEART_RATE,
  TRAJ_ERROR_VITAL_SPO2,
  TRAJ_ERROR_VITAL_RESP_RATE,
  TRAJ_ERROR_VITAL_EMPTY,
  /* assessment */
  TRAJ_ERROR_SCALE_UNKNOWN,
  TRAJ_ERROR_ITEM_RANGE,
  TRAJ_ERROR_TOTAL_RANGE,
  TRAJ_ERROR_INCOMPLETE,
  TRAJ_ERROR_ASSESSMENT_FUTURE,
  /* references */
  TRAJ_ERROR_NO_PATIENT,
  TRAJ_ERROR_NO_COURSE,
  /* other input */
  TRAJ_ERROR_INVALID,
  /* plausible dates and duplicates (CLINICAL.md §7) */
  TRAJ_ERROR_BEFORE_BIRTH,            /* a record dated before the patient's birth */
  TRAJ_ERROR_NEEDS_CONFIRMATION,      /* a date warning the clinician has not confirmed */
  TRAJ_ERROR_DUPLICATE_ASSESSMENT,    /* a complete assessment of the scale in the same minute */
  /* a clinic server (PostgreSQL) */
  TRAJ_ERROR_CONNECTION,     /* the server cannot be reached or went away */
  TRAJ_ERROR_SIGN_IN,        /* the server refused the login */
  TRAJ_ERROR_PERMISSION,     /* the login's role may not do this */
  /* secrets (the staff PIN, check-in codes) */
  TRAJ_ERROR_WRONG_SECRET,   /* a wrong PIN or code (counted) */
  TRAJ_ERROR_LOCKED_OUT,     /* too many wrong ones: attempts wait */
  TRAJ_ERROR_NO_PIN,         /* the clinic has no staff PIN */
  TRAJ_ERROR_TEXT_CONTROL,        /* a control character in text */
  TRAJ_ERROR_IMPLAUSIBLE,         /* a date or value no record can have */
  TRAJ_ERROR_TEXT_LONG,           /* text longer than its field's limit */
  TRAJ_ERROR_TEXT_INVISIBLE,      /* an invisible format character (bidi override…) */
  TRAJ_ERROR_AUDIT_BROKEN,        /* the audit trail's hash chain does not hold */
  TRAJ_ERROR_TOLERABILITY_RANGE,  /* a CADSS total or MOAA/S outside its range */
  TRAJ_ERROR_COURSE_MEDICINE,     /* an infusion of another medicine than its course's */
  TRAJ_ERROR_MEDICATION_NAME,     /* a medicine on the list without a name */
  TRAJ_ERROR_MEDICATION_DATES,    /* a medicine's stop date before its start, or a start in the future */
} TrajError;

GQuark traj_error_quark (void);

G_END_DECLS
