/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* "Prepare tablet check-in": pick the questionnaires due, then either get a
 * single-use code for the clinic tablet or hand this device to the patient. */
#define TRAJ_TYPE_CHECKIN_DIALOG (traj_checkin_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TrajCheckinDialog, traj_checkin_dialog, TRAJ, CHECKIN_DIALOG, AdwWindow)

TrajCheckinDialog *traj_checkin_dialog_new        (GtkWindow                *parent,
                                                   TrajStore                *store,
                                                   GSettings                *settings,
                                                   const TrajPatientRecords *records);
/* Comma-separated codes of the ticked scales. */
char              *traj_checkin_dialog_get_scales (TrajCheckinDialog *self);
/* Creates the code (as the button does); returns it, or NULL with the
 * message shown. */
char              *traj_checkin_dialog_create_code (TrajCheckinDialog *self);

G_END_DECLS
