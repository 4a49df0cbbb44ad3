/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The app's GSettings schema (APP_ID), wherever this program can find it:
 * the schema directories GLib searches (an installed Trajectory,
 * GSETTINGS_SCHEMA_DIR), this build's own install prefix, or — for a
 * program run from its build folder, as `./dev run` does — the schema
 * compiled in that build. When there is none, NULL and a message saying
 * what to do (TRAJ_ERROR_NOT_FOUND). */
GSettingsSchema *traj_settings_lookup_schema (GError **error);

/* g_settings_new_full() on that schema with the default backend. */
GSettings       *traj_settings_new           (GError **error);

G_END_DECLS
