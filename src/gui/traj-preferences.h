/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_PREFERENCES (traj_preferences_get_type ())
G_DECLARE_FINAL_TYPE (TrajPreferences, traj_preferences, TRAJ, PREFERENCES, AdwPreferencesWindow)

/* @store: the clinic, for its clinic-wide settings (the staff PIN, check-in
 * rules); NULL leaves those out. */
GtkWidget *traj_preferences_new (GSettings *settings,
                                 TrajStore *store);

/* Earlier versions kept the staff PIN on each computer, as one round of
 * salted SHA-256 in GSettings (kiosk-pin-hash, kiosk-pin-salt), which
 * anyone who can read the settings brute-forces in seconds. Once @store's
 * clinic has its own PIN, those keys are cleared: called at every start.
 * TRUE when something was cleared. */
gboolean   traj_preferences_forget_old_pin (GSettings *settings,
                                            TrajStore *store);

G_END_DECLS
