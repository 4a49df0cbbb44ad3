/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-application.h"
#include "traj-patient-list.h"
#include "traj-store.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_WINDOW (traj_window_get_type ())
G_DECLARE_FINAL_TYPE (TrajWindow, traj_window, TRAJ, WINDOW, AdwApplicationWindow)

TrajWindow      *traj_window_new              (TrajApplication *app,
                                               TrajStore       *store,
                                               GSettings       *settings);
TrajPatientList *traj_window_get_patient_list (TrajWindow      *self);
/* Shows a patient's page (and moves to it when the window is folded). */
void             traj_window_show_patient     (TrajWindow      *self,
                                               gint64           patient_id);
gint64           traj_window_get_patient_id   (TrajWindow      *self);
/* TRUE while the patient list's findings are being computed in the background. */
gboolean         traj_window_is_busy          (TrajWindow      *self);
GtkWidget       *traj_window_get_patient_page (TrajWindow      *self);
GtkWidget       *traj_window_get_cohort_view  (TrajWindow      *self);
/* The Audit Trail window "win.audit-trail" opened, while it is open. */
GtkWidget       *traj_window_get_audit_window (TrajWindow      *self);
/* Reloads the list, the open patient and the cohorts (after an import). */
void             traj_window_reload           (TrajWindow      *self);
void             traj_window_add_toast        (TrajWindow      *self,
                                               AdwToast        *toast);
/* TRUE when a form opened from this window has unsaved changes. */
gboolean         traj_window_has_unsaved_work (TrajWindow      *self);
/* Shows that the clinic open is the demo clinic (`--demo`): made-up patients. */
void             traj_window_set_demo         (TrajWindow      *self,
                                               gboolean         demo);

G_END_DECLS
