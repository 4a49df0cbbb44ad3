/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every file the app writes for a person — CSV and FHIR exports, backups,
 * charts, reports, cohort tables — goes through here (DESIGN.md, "Files the
 * app writes"):
 *
 *  - a new file beside the target, mode 0600, opened with O_CREAT | O_EXCL |
 *    O_NOFOLLOW, so nothing is written through a link or into a file
 *    someone else made;
 *  - on commit, fsync () of the file, rename () over the target, fsync () of
 *    the folder: readers see the old file or the complete new one, never
 *    half of it, even after a crash or a full disk;
 *  - on failure (or free without commit) the new file is removed: no
 *    partial file, no temporary file left behind;
 *  - a target that is a symbolic link, a folder, a socket or a block device
 *    is refused; a character device or a FIFO (/dev/null, /dev/stdout, a
 *    pipe) is written through, never replaced.
 *
 * Errors are G_IO_ERROR with a sentence naming the file. */

typedef struct _TrajSafeFile TrajSafeFile;

TrajSafeFile *traj_safe_file_new       (const char    *path,
                                        GError       **error);
/* For writers that need a file name of their own rather than bytes (SQLite's
 * backup API): the target must be a regular file or not exist; a device or
 * FIFO is refused too. Write into traj_safe_file_get_temp_path (). */
TrajSafeFile *traj_safe_file_new_for_path_writer (const char *path,
                                                  GError    **error);
/* The same for what makes or replaces a clinic file on purpose (a new
 * clinic, a restore): the one writer allowed over a clinic file, which
 * no connection of this process may hold (traj-open-guard.h). */
TrajSafeFile *traj_safe_file_new_for_clinic (const char *path,
                                             GError    **error);
/* Whether @path is an SQLite database (its header says so), or a clinic
 * file a connection of this process holds. Never opens the latter. */
gboolean      traj_safe_file_is_database (const char *path);
/* The file being written (the temporary one; NULL when writing through). */
const char   *traj_safe_file_get_temp_path (TrajSafeFile *file);
const char   *traj_safe_file_get_path  (TrajSafeFile  *file);
gboolean      traj_safe_file_write     (TrajSafeFile  *file,
                                        const void    *data,
                                        gsize          length,
                                        GError       **error);
/* Makes the file appear under its name (see above). Once, at the end. */
gboolean      traj_safe_file_commit    (TrajSafeFile  *file,
                                        GError       **error);
/* The same, but only when nothing has appeared under the name meanwhile
 * (renameat2 RENAME_NOREPLACE); if something has, the new file is dropped
 * and TRUE returned: what is there wins. */
gboolean      traj_safe_file_commit_new (TrajSafeFile *file,
                                         GError      **error);
/* Whether the file is under its name: after traj_safe_file_commit_new (),
 * FALSE when something had appeared there meanwhile and was kept. */
gboolean      traj_safe_file_is_committed (TrajSafeFile *file);
/* Removes what was written, unless committed. NULL-safe. */
void          traj_safe_file_free      (TrajSafeFile  *file);

/* Writes @length bytes as one file, the same way. */
gboolean      traj_safe_file_set_contents (const char  *path,
                                           const char  *contents,
                                           gssize       length,
                                           GError     **error);

/* A set of files that appear together or not at all (the CSV export): they
 * are written into a new 0700 folder beside @path and the folder takes
 * @path's place on commit. @path must not exist, be an empty folder, or a
 * folder holding only files named in @names (an earlier export: it is
 * replaced as a whole). Anything else there is refused: nothing of a
 * person's is ever removed. */
typedef struct _TrajSafeDir TrajSafeDir;

TrajSafeDir  *traj_safe_dir_new        (const char          *path,
                                        const char * const  *names,
                                        GError             **error);
/* A new file @name (one of @names) in the set. Owned by @dir: write it and
 * commit it (which only closes it) before traj_safe_dir_commit (). */
TrajSafeFile *traj_safe_dir_add_file   (TrajSafeDir   *dir,
                                        const char    *name,
                                        GError       **error);
gboolean      traj_safe_dir_commit     (TrajSafeDir   *dir,
                                        GError       **error);
/* Removes the new folder and its files, unless committed. NULL-safe. */
void          traj_safe_dir_free       (TrajSafeDir   *dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajSafeFile, traj_safe_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajSafeDir, traj_safe_dir_free)

G_END_DECLS
