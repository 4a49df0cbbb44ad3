/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-csv.h"
#include "traj-store.h"

G_BEGIN_DECLS

/* One table's rows in the source and, after the migration, the target. */
typedef struct {
  char *table;
  gint64 source;
  gint64 target;
} TrajMigrateCount;

void       traj_migrate_count_free (TrajMigrateCount *c);

/* Copies the clinic at @from (a file or a server) into @to (a new file, or
 * a server clinic made with traj_store_server_init ()) with every record,
 * hidden ones too, decision, check-in, saved cohort, clinic setting and
 * audit row, keeping the records' ids, in one transaction; refuses a
 * target that holds any record. On a server target run with the
 * administrator's login (the audit rows keep their clinicians). Returns
 * the rows per table, read and written (equal, or nothing is committed). */
GPtrArray *traj_migrate            (const char        *from,
                                    const char        *to,
                                    TrajProgressFunc   progress,
                                    gpointer           progress_data,
                                    GError           **error);

G_END_DECLS
