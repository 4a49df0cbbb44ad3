/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-records.h"

G_BEGIN_DECLS

/* CLINICAL.md §8 "Medicines": what the patient's medication list means for
 * a course and an infusion. Pure functions of the records. */

/* What a class of medicine is noted for with ketamine, a bit each. */
typedef enum {
  TRAJ_MED_NOTE_RESPONSE       = 1 << 0,   /* might reduce the response (benzodiazepines, lamotrigine) */
  TRAJ_MED_NOTE_BLOOD_PRESSURE = 1 << 1,   /* MAOIs, psychostimulants */
  TRAJ_MED_NOTE_SEDATION       = 1 << 2,   /* opioids, z-drugs, benzodiazepines */
} TrajMedNote;

guint     traj_med_class_notes          (TrajMedClass klass);
/* The class of a medicine from its name as typed ("Lamotrigine 100 mg",
 * "lorazepam", "Xanax"): its first word, case ignored, looked up among
 * common generic and brand names. FALSE when the name is not known. */
gboolean  traj_med_class_from_name      (const char   *name,
                                         TrajMedClass *out);
/* The esketamine monitoring form's concomitant answer a class gives
 * (TrajConcomitant bit), 0 for none. */
guint     traj_med_class_concomitant    (TrajMedClass klass);

/* Taken on @day: started on or before it (or start unknown) and not
 * stopped before it (the stop day is the last day taken). */
gboolean  traj_medication_active_on     (const TrajMedication *m,
                                         gint32                day);
/* Taken on any day of [@from, @to]. */
gboolean  traj_medication_active_during (const TrajMedication *m,
                                         gint32                from,
                                         gint32                to);
/* A medicine of @klass on the list is taken on @day. */
gboolean  traj_medications_class_on     (const TrajPatientRecords *r,
                                         TrajMedClass              klass,
                                         gint32                    day);
/* The concomitant answers (TrajConcomitant bits) the list gives for an
 * infusion on @day: what the infusion form fills in. */
guint     traj_medications_concomitant_on (const TrajPatientRecords *r,
                                           gint32                    day);

/* The information notes of @course, one translated sentence each (char*),
 * for every listed medicine with a note taken on some day of the course
 * (its start to its end day, or to @today while it is open), in list
 * order: "Lorazepam (benzodiazepine) might reduce the response to ketamine
 * (Frye 2015; Albott 2017) and adds to sedation.", then the patient's
 * history of substance use's (traj_substance_use_note ()). Empty when none. */
GPtrArray *traj_course_medication_notes (const TrajPatientRecords *r,
                                         const TrajCourse         *course,
                                         gint32                    today);
/* The note a history of substance use gives every course (past or
 * current), NULL for none or not recorded. */
char      *traj_substance_use_note      (TrajSubstanceUse use);
/* One medicine's note (as above), NULL when its class has none. */
char      *traj_medication_note         (const TrajMedication *m);

/* What a person could get wrong on a medicine (TRAJ_ERROR_MEDICATION_NAME,
 * TRAJ_ERROR_MEDICATION_DATES, text errors of traj-validate.h): a name, one
 * line each for name and dose, a start no later than @today, a stop not
 * before the start. */
gboolean  traj_validate_medication      (const TrajMedication *m,
                                         gint32                today,
                                         GError              **error);

/* "1 mg at night · since 3 Mar 2026" / "… · 3 Mar 2026 to 5 Apr 2026":
 * what the patient page shows under the medicine's name. */
char      *traj_medication_describe     (const TrajMedication *m);

G_END_DECLS
