/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-patient-page.h"

G_BEGIN_DECLS

/* How long a "deleted — Undo" toast stays, in seconds. */
#define TRAJ_UNDO_TIMEOUT_S 15

/* For tests: the latest "deleted — Undo" toast, or NULL once dismissed. */
AdwToast *traj_patient_page_get_last_toast (TrajPatientPage *self);
/* For tests: the open "Record a Decision" / "Acknowledge Finding" dialog. */
GtkWidget *traj_patient_page_get_decision_dialog (TrajPatientPage *self);

G_END_DECLS
