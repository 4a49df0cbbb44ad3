/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TRAJ_TYPE_PREFERENCES (traj_preferences_get_type ())
G_DECLARE_FINAL_TYPE (TrajPreferences, traj_preferences, TRAJ, PREFERENCES, AdwPreferencesWindow)

GtkWidget *traj_preferences_new (GSettings *settings);

G_END_DECLS
