/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which clinic file a connection of this process holds. */
typedef struct {
  guint64 dev;
  guint64 ino;
} TrajOpenGuardKey;

void     traj_open_guard_install (void);
gboolean traj_open_guard_hold    (const char             *path,
                                  TrajOpenGuardKey       *key);
void     traj_open_guard_release (const TrajOpenGuardKey *key);
gboolean traj_open_guard_is_held (const char             *path);

G_END_DECLS
