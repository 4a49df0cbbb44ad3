/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-demo.h"
#include "traj-store.h"

G_BEGIN_DECLS

/* Copies @store's database into the file @path with SQLite's online backup
 * API, inside one read transaction: the copy is the database as it was when
 * the backup started, whatever other connections (the app's other threads,
 * other programs) commit meanwhile, and they are never blocked by it. The
 * copy is one self-contained file (no -wal beside it), created mode 0600
 * under a temporary name and renamed to @path when complete. The snapshot
 * is checked first (PRAGMA quick_check): a damaged clinic is not copied
 * (TRAJ_ERROR_CORRUPT). Use a
 * connection of its own in a GTask thread, outside any transaction of it;
 * @progress gets 0…1. An existing database at @path (another clinic, an
 * older backup) is not replaced (G_IO_ERROR_EXISTS); nor is a file of
 * another user's, ever. */
gboolean traj_backup_to_file     (TrajStore         *store,
                                  const char        *path,
                                  TrajProgressFunc   progress,
                                  gpointer           progress_data,
                                  GCancellable      *cancellable,
                                  GError           **error);
/* The same, replacing a database at @path: for when the person confirmed
 * it (the file chooser asked, `backup --replace`). A clinic in use, here or
 * in another program, is still refused. */
gboolean traj_backup_to_file_replacing (TrajStore         *store,
                                        const char        *path,
                                        TrajProgressFunc   progress,
                                        gpointer           progress_data,
                                        GCancellable      *cancellable,
                                        GError           **error);

/* The automatic daily backup, for the GUI to call at start: at most one
 * file per calendar day, "<clinic>-YYYY-MM-DD.db" in @dir (created mode
 * 0700), then only the newest @keep of those are kept. Does nothing more
 * when today's file is already there. A damaged clinic is not copied
 * (TRAJ_ERROR_CORRUPT) and then no older backup is removed either. */
gboolean traj_backup_auto        (TrajStore         *store,
                                  const char        *dir,
                                  guint              keep,
                                  GError           **error);

/* Where a clinic file's backups go by default: "backups" beside it. */
char    *traj_backup_default_dir (const char        *db_path);
/* The newest "<clinic>-before-restore-….db" copy a restore kept of
 * @db_path, or NULL. */
char    *traj_backup_find_before_restore (const char *db_path);

typedef struct {
  int schema_version;
  gint64 patients;              /* live patients */
  gint64 last_change;           /* time of the newest audit event, TRAJ_TIME_NONE if none */
} TrajBackupInfo;

/* Checks that @path can be restored: a Trajectory database
 * (TRAJ_ERROR_NOT_A_DATABASE), written by this version or an older one
 * (TRAJ_ERROR_NEWER_SCHEMA), passing SQLite's integrity check
 * (TRAJ_ERROR_CORRUPT). Never changes the file. @info may be NULL. */
gboolean traj_backup_check       (const char        *path,
                                  TrajBackupInfo    *info,
                                  GError           **error);

/* Replaces the clinic in @db_path with the backup @backup_path, after
 * checking the backup (traj_backup_check) and copying the current clinic to
 * "<clinic>-before-restore-YYYYMMDD-HHMMSS.db" in
 * traj_backup_default_dir (@db_path) (returned in @kept_path, NULL when
 * there was no clinic yet). The replacement is one write transaction, so
 * connections still open on @db_path read the restored clinic from their
 * next query on (callers should reload what they show). A damaged current
 * file is kept byte for byte and replaced as a file. Older backups are
 * migrated forward; the restored file gets a "restore" audit event. */
gboolean traj_backup_restore     (const char        *db_path,
                                  const char        *backup_path,
                                  char             **kept_path,
                                  GError           **error);

G_END_DECLS
