/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_APPLICATION (traj_application_get_type ())
G_DECLARE_FINAL_TYPE (TrajApplication, traj_application, TRAJ, APPLICATION, AdwApplication)

TrajApplication *traj_application_new          (void);
TrajStore       *traj_application_get_store    (TrajApplication *self);
GSettings       *traj_application_get_settings (TrajApplication *self);
/* "Hand this device to the patient": closes @main_window (nothing of the
 * clinician's session stays reachable behind the kiosk) and starts the kiosk
 * for @patient_id with @scales. Fails, changing nothing, when a form in
 * @main_window has unsaved changes. When staff leave the kiosk with the PIN,
 * a new clinician window opens on the same patient. */
gboolean         traj_application_hand_to_patient (TrajApplication *self,
                                                   GtkWindow       *main_window,
                                                   TrajStore       *store,
                                                   gint64           patient_id,
                                                   const char      *scales,
                                                   GError         **error);

G_END_DECLS
