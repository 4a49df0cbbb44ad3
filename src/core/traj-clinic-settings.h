/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* The app's settings (schema io.github.trajectory.Trajectory) with the
 * clinic-wide keys kept in @store's clinic (shared by every device,
 * audited, writable only by logins that may change the clinic) and every
 * other key on this machine. NULL when the schema is not installed. */
GSettings *traj_clinic_settings_new           (TrajStore  *store);
/* Whether @key is one every device of a clinic shares. */
gboolean   traj_clinic_setting_is_clinic_wide (const char *key);
/* Every such key, NULL-terminated: the fixed ones and each scale's
 * response, MCID and remission keys from the scale table. */
const char *const *traj_clinic_setting_keys   (void);

G_END_DECLS
