/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-records.h"

G_BEGIN_DECLS

/* CLINICAL.md §8 "Esketamine monitoring record": for each intranasal
 * esketamine session, every field of the SPRAVATO REMS Patient Monitoring
 * Form (2024), gathered from the patient, the session, its vital signs,
 * the session's own monitoring answers (TrajInfusion's rems_* fields) and
 * the clinic's name and address; with a completeness check. Pure functions
 * of the records. */

/* The REMS's minimum monitoring time, from the first device to the end of
 * monitoring. */
#define TRAJ_REMS_MONITORING_MIN 120

/* Whether @i is a session the record is kept for: esketamine, intranasal. */
gboolean traj_rems_applies (const TrajInfusion *i);

/* The blood pressures the form asks for, read from the session's readings
 * (minutes from the first device; only readings with both systolic and
 * diastolic count):
 *  - before dosing: the last reading at minute 0 or before;
 *  - about 40 minutes after: the reading in minutes 30–59 nearest to 40
 *    (the earlier of two as near);
 *  - before leaving: the last reading at minute 60 or later. */
typedef enum {
  TRAJ_REMS_BP_BEFORE,
  TRAJ_REMS_BP_AFTER_40,
  TRAJ_REMS_BP_LEAVING,
  TRAJ_REMS_N_BP
} TrajRemsBp;

const TrajVitalSign *traj_rems_bp (const TrajInfusion *i, TrajRemsBp which);

/* Minutes from the first device to when the patient was ready to leave
 * (ready_at), -1 when not recorded. */
int      traj_rems_ready_minutes (const TrajInfusion *i);

/* One line of the record: its section, label and value (translated), or
 * value NULL when the field is missing. @alert: the value is one staff must
 * see (monitoring under 120 minutes). */
typedef struct {
  const char *section;
  char *label;
  char *value;
  gboolean alert;
} TrajRemsField;

typedef struct {
  GPtrArray *fields;             /* TrajRemsField*, in the form's order */
  GPtrArray *missing;            /* char*: the labels of the missing fields */
  int monitoring_min;            /* 0 when not recorded */
  gboolean short_monitoring;     /* recorded, and under TRAJ_REMS_MONITORING_MIN */
} TrajRemsRecord;

/* The record of session @i of @patient; @clinic_name and @clinic_address
 * are the clinic's settings (NULL or "": missing). */
TrajRemsRecord *traj_rems_record_new  (const TrajPatient  *patient,
                                       const TrajInfusion *i,
                                       const char         *clinic_name,
                                       const char         *clinic_address);
void            traj_rems_record_free (TrajRemsRecord *r);
gboolean        traj_rems_record_complete (const TrajRemsRecord *r);
/* What the check says, translated: "Complete." or "Missing: Lot number,
 * …."; then, when monitoring was under 120 minutes, "Monitoring lasted 95
 * minutes, under the 120 minutes the REMS requires." on a line of its own. */
char           *traj_rems_record_check_text (const TrajRemsRecord *r);

/* Fills the answers of a new session from the patient's earlier ones: the
 * first session when @records has no earlier esketamine intranasal session,
 * the REMS enrolment ID of the latest earlier session that has one, and
 * who monitored from the session's clinician. Only unanswered fields. */
void            traj_rems_prefill (TrajInfusion             *i,
                                   const TrajPatientRecords *records);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajRemsRecord, traj_rems_record_free)

G_END_DECLS
