/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-outcomes.h"
#include "traj-store.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_PATIENT_PAGE (traj_patient_page_get_type ())
G_DECLARE_FINAL_TYPE (TrajPatientPage, traj_patient_page, TRAJ, PATIENT_PAGE, GtkWidget)

GtkWidget                *traj_patient_page_new          (TrajStore       *store,
                                                          GSettings       *settings);
/* Loads and shows a patient (0 clears). */
void                      traj_patient_page_set_patient  (TrajPatientPage *self,
                                                          gint64           patient_id);
gint64                    traj_patient_page_get_patient  (TrajPatientPage *self);
/* Reloads from the store (after a change). */
void                      traj_patient_page_reload       (TrajPatientPage *self);
const TrajPatientRecords *traj_patient_page_get_records  (TrajPatientPage *self);
const TrajOutcomes       *traj_patient_page_get_outcomes (TrajPatientPage *self);
GListModel               *traj_patient_page_get_timeline (TrajPatientPage *self);
/* Scrolls to and highlights a timeline row. */
void                      traj_patient_page_select_record (TrajPatientPage *self,
                                                           TrajRecordKind   kind,
                                                           gint64           id);
/* Puts the keyboard on the page's first action (for a page shown alone). */
void                      traj_patient_page_focus_first_action (TrajPatientPage *self);

G_END_DECLS
