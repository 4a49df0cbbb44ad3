/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-patient-list.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_PATIENT_ROW (traj_patient_row_get_type ())
G_DECLARE_FINAL_TYPE (TrajPatientRow, traj_patient_row, TRAJ, PATIENT_ROW, GtkWidget)

GtkWidget *traj_patient_row_new      (void);
void       traj_patient_row_set_item (TrajPatientRow  *self,
                                      TrajPatientItem *item);

G_END_DECLS
