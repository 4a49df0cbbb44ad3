/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The form of @text that patient search compares: accents dropped, case
 * folded, so "zoe nunez" finds "Zoë Ñúñez-O'Brien" and "OBRIEN" does not
 * need the apostrophe's twin. Never NULL; "" for NULL or invalid UTF-8. */
char     *traj_search_fold    (const char *text);

/* Whether @folded_key (from traj_search_fold) holds @folded_query (from
 * traj_search_fold, non-empty). */
gboolean  traj_search_matches (const char *folded_key,
                               const char *folded_query);

G_END_DECLS
