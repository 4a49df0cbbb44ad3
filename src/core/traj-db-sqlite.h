/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "traj-db.h"

G_BEGIN_DECLS

/* Opens (creating if needed, mode 0600) an SQLite clinic file. The file is
 * only stat()ed outside SQLite (see check_file ()); SQLite reads its header
 * when the store first queries it. */
TrajDb   *traj_db_sqlite_open            (const char  *path,
                                          GError     **error);
/* The connection's handle; NULL for another engine. */
sqlite3  *traj_db_sqlite_handle          (TrajDb      *db);
/* PRAGMA data_version: moves when another connection commits. */
gboolean  traj_db_sqlite_data_version    (TrajDb      *db,
                                          gint64      *version);
/* PRAGMA integrity_check, or the faster quick_check (no index checks). */
gboolean  traj_db_sqlite_check_integrity (TrajDb      *db,
                                          gboolean     quick,
                                          GError     **error);

/* Between two transactions of a long write: sleeps @pause_ms, then on
 * until no writer of another connection waits for the lock (each says so
 * while it waits, see busy_handler ()), at most @longest_ms in all. */
void      traj_db_sqlite_let_waiters_in  (TrajDb      *db,
                                          guint        pause_ms,
                                          guint        longest_ms);

G_END_DECLS
