/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-store-alert.h"

G_BEGIN_DECLS

/* The active alert over a clinician window for safety answers from the
 * tablet (CLINICAL.md §4: a PHQ-9 item 9 answered 1 or more needs a
 * clinician now): one row per questionnaire, naming the patient and the
 * answer, that stays (no timeout) until someone opens that patient. */
#define TRAJ_TYPE_SAFETY_ALERTS (traj_safety_alerts_get_type ())
G_DECLARE_FINAL_TYPE (TrajSafetyAlerts, traj_safety_alerts, TRAJ, SAFETY_ALERTS, GtkWidget)

GtkWidget *traj_safety_alerts_new             (void);
/* Shows @answer unless its questionnaire is shown already or its patient
 * was opened since it arrived. TRUE when a row was added. */
gboolean   traj_safety_alerts_add             (TrajSafetyAlerts       *self,
                                               const TrajSafetyAnswer *answer);
/* Whether @assessment_id was shown here (still, or until its patient was
 * opened). */
gboolean   traj_safety_alerts_knows           (TrajSafetyAlerts *self,
                                               gint64            assessment_id);
/* The patient was opened: that patient's rows go, for good. */
void       traj_safety_alerts_patient_opened  (TrajSafetyAlerts *self,
                                               gint64            patient_id);
guint      traj_safety_alerts_get_n_shown     (TrajSafetyAlerts *self);
/* The text of row @index (for tests and screen readers). */
const char *traj_safety_alerts_get_text       (TrajSafetyAlerts *self,
                                               guint             index);

G_END_DECLS
