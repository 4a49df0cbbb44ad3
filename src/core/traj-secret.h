/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Salted SHA-256 for short secrets (check-in codes, the staff PIN): only the
 * salt and the hash are ever stored. */
char     *traj_secret_hash      (const char *secret, char **salt_out);
gboolean  traj_secret_verify    (const char *secret, const char *salt, const char *hash);
/* 32 random bits from the system's random source. */
guint32   traj_secret_random    (void);

G_END_DECLS
