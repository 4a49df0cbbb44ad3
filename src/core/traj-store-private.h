/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* For core modules that run their own SQL (cohort scans, exchange, backup):
 * a cached prepared statement, reset and ready to bind. Nothing outside
 * src/core may include this header. */
sqlite3_stmt *traj_store_stmt             (TrajStore *self, const char *sql, GError **error);
sqlite3      *traj_store_get_db           (TrajStore *self);

char         *traj_side_effects_to_codes  (guint bits);
char         *traj_concomitant_to_codes   (guint bits);
guint         traj_codes_to_bits          (const char *codes,
                                           const char *(*to_string) (guint),
                                           guint n, gboolean *ok);

/* Salted SHA-256 for short secrets (check-in codes, the staff PIN). */
char         *traj_store_salted_hash      (const char *secret, char **salt_out);
gboolean      traj_store_check_salted_hash (const char *secret, const char *salt, const char *hash);

/* The statements that must stay on indexes as a clinic grows: name + SQL,
 * ending with { NULL, NULL }. Tests run EXPLAIN QUERY PLAN on them. */
typedef struct {
  const char *name;
  const char *sql;
} TrajHotQuery;
const TrajHotQuery *traj_store_hot_queries (void);

G_END_DECLS
