/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-backup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-backup.h"
#include "traj-open-guard.h"
#include "traj-safe-file.h"
#include "traj-store-private.h"

/* Pages copied per step: small enough for progress and cancellation to be
 * prompt, large enough not to matter for speed. */
#define PAGES_PER_STEP 512
#define BUSY_RETRIES 100
#define BUSY_SLEEP_MS 50

/* ---- helpers ------------------------------------------------------------------ */

static void
set_sqlite_error (GError **error, int rc, sqlite3 *db, const char *path)
{
  const char *msg = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL,
                   _("The disk holding “%s” is full. Free some space and try again."), path);
      return;
    case SQLITE_CORRUPT:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT, _("“%s” is damaged (%s)."), path, msg);
      return;
    case SQLITE_NOTADB:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE, _("“%s” is not a Trajectory database."), path);
      return;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                   _("“%s” is busy in another program. Try again."), path);
      return;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_READ_ONLY, _("“%s” cannot be written (%s)."), path, msg);
      return;
    case SQLITE_IOERR:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not read or write “%s” (%s)."), path, msg);
      return;
    default:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Database error with “%s”: %s"), path, msg);
      return;
    }
}

static gboolean
exec (sqlite3 *db, const char *sql, const char *path, GError **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, db, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
make_private_dir (const char *dir, GError **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* "clinic" for ".../clinic.db". */
static char *
clinic_stem (const char *db_path)
{
  char *base = g_path_get_basename (db_path);

  if (g_str_has_suffix (base, ".db") && strlen (base) > 3)
    base[strlen (base) - 3] = '\0';
  return base;
}

char *
traj_backup_default_dir (const char *db_path)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);
  dir = g_path_get_dirname (db_path);
  return g_build_filename (dir, "backups", NULL);
}

/* An existing database (another clinic, an older backup) is replaced only
 * when the person asked for it, and never one of another user's. */
static gboolean
check_replace (const char *dest_path, gboolean replace, GError **error)
{
  g_autofree char *display = g_filename_display_name (dest_path);
  GStatBuf st;

  if (g_lstat (dest_path, &st) != 0)
    return TRUE;
  if (st.st_uid != geteuid ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” belongs to another user; a backup never replaces it. Choose another name."),
                   display);
      return FALSE;
    }
  if (!replace && traj_safe_file_is_database (dest_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” is already a database (a clinic or an older backup); a backup does not "
                     "replace it unless asked to. Choose another name, or replace it on purpose."),
                   display);
      return FALSE;
    }
  return TRUE;
}

/* Copies database "main" of @src into a new file @dest_path, through a
 * 0600 temporary file renamed into place when complete. @src should be in
 * a read transaction so that every step sees the same snapshot. */
static gboolean
copy_database (sqlite3           *src,
               const char        *src_path,
               const char        *dest_path,
               gboolean           replace,
               TrajProgressFunc   progress,
               gpointer           progress_data,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autofree char *dir = g_path_get_dirname (dest_path);
  g_autoptr(TrajSafeFile) out = NULL;
  const char *tmpl;
  sqlite3 *dst = NULL;
  sqlite3_backup *b;
  int rc, busy = 0;
  gboolean ok = FALSE;

  if (!make_private_dir (dir, error))
    return FALSE;
  /* The shared output writer: a new 0600 file beside @dest_path, renamed
   * over it when complete; a link, device or pipe there is refused. */
  out = traj_safe_file_new_for_path_writer (dest_path, error);
  if (out == NULL || !check_replace (dest_path, replace, error))
    return FALSE;
  tmpl = traj_safe_file_get_temp_path (out);

  rc = sqlite3_open_v2 (tmpl, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, dst, dest_path);
      goto out;
    }
  b = sqlite3_backup_init (dst, "main", src, "main");
  if (b == NULL)
    {
      set_sqlite_error (error, sqlite3_errcode (dst), dst, dest_path);
      goto out;
    }
  for (;;)
    {
      rc = sqlite3_backup_step (b, PAGES_PER_STEP);
      if (rc == SQLITE_OK || ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED))
        {
          int total = sqlite3_backup_pagecount (b);

          if (rc != SQLITE_OK)
            {
              if (++busy > BUSY_RETRIES)
                break;
              sqlite3_sleep (BUSY_SLEEP_MS);
            }
          if (progress && total > 0)
            progress (0.99 * (double) (total - sqlite3_backup_remaining (b)) / (double) total, progress_data);
          if (g_cancellable_is_cancelled (cancellable))
            break;
          continue;
        }
      break;
    }
  sqlite3_backup_finish (b);
  if (rc != SQLITE_DONE)
    {
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        set_sqlite_error (error, rc, NULL, (rc & 0xff) == SQLITE_FULL ? dest_path : src_path);
      goto out;
    }
  /* One self-contained file: no -wal or -shm to carry along. */
  if (!exec (dst, "PRAGMA journal_mode = DELETE", dest_path, error))
    goto out;
  rc = sqlite3_close (dst);
  dst = NULL;
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, NULL, dest_path);
      goto out;
    }
  if (!traj_safe_file_commit (out, error))
    goto out;
  ok = TRUE;

out:
  if (dst)
    sqlite3_close (dst);
  if (!ok)
    {
      g_autofree char *journal = g_strconcat (tmpl, "-journal", NULL);
      g_remove (journal);
    }
  return ok;
}

/* ---- backup ---------------------------------------------------------------------- */

static gboolean
backup_to_file (TrajStore         *store,
                const char        *path,
                gboolean           replace,
                TrajProgressFunc   progress,
                gpointer           progress_data,
                GCancellable      *cancellable,
                GError           **error)
{
  sqlite3 *src;
  gboolean ok;
  g_autofree char *where = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  src = traj_store_get_db (store);
  /* Inside a write transaction the copy would hold its uncommitted rows. */
  g_return_val_if_fail (sqlite3_get_autocommit (src), FALSE);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* A read transaction pins one snapshot for every step: in WAL mode writers
   * go on committing beside it and the copy never restarts. */
  if (!exec (src, "BEGIN; SELECT count(*) FROM sqlite_master", traj_store_get_path (store), error))
    {
      exec (src, "ROLLBACK", traj_store_get_path (store), NULL);
      return FALSE;
    }
  /* The snapshot about to be copied is checked first: a damaged clinic is
   * never copied into a file that looks like a good backup. */
  if (!traj_store_quick_check (store, error))
    {
      exec (src, "ROLLBACK", traj_store_get_path (store), NULL);
      g_prefix_error (error, _("Nothing was backed up: "));
      return FALSE;
    }
  ok = copy_database (src, traj_store_get_path (store), path, replace, progress, progress_data, cancellable, error);
  exec (src, "COMMIT", traj_store_get_path (store), NULL);
  /* A copy of every record: who made it, and where it went (issue 16 §3). */
  where = g_canonicalize_filename (path, NULL);
  if (ok && !traj_store_audit_output (store, "backup", "Backup", NULL, where, error))
    {
      g_prefix_error (error, _("The backup was written to “%s”, but could not be recorded in the audit trail: "),
                      path);
      ok = FALSE;
    }
  if (ok && progress)
    progress (1.0, progress_data);
  return ok;
}

gboolean
traj_backup_to_file (TrajStore         *store,
                     const char        *path,
                     TrajProgressFunc   progress,
                     gpointer           progress_data,
                     GCancellable      *cancellable,
                     GError           **error)
{
  return backup_to_file (store, path, FALSE, progress, progress_data, cancellable, error);
}

gboolean
traj_backup_to_file_replacing (TrajStore         *store,
                               const char        *path,
                               TrajProgressFunc   progress,
                               gpointer           progress_data,
                               GCancellable      *cancellable,
                               GError           **error)
{
  return backup_to_file (store, path, TRUE, progress, progress_data, cancellable, error);
}

/* "<stem>-YYYY-MM-DD.db" */
static gboolean
is_auto_name (const char *name, const char *stem)
{
  gsize n = strlen (stem);
  const char *d;

  if (strncmp (name, stem, n) != 0 || name[n] != '-')
    return FALSE;
  d = name + n + 1;
  if (strlen (d) != 13 || !g_str_has_suffix (d, ".db"))
    return FALSE;
  for (int k = 0; k < 10; k++)
    if ((k == 4 || k == 7) ? d[k] != '-' : !g_ascii_isdigit (d[k]))
      return FALSE;
  return TRUE;
}

static int
compare_names_desc (gconstpointer a, gconstpointer b)
{
  return -strcmp (*(const char * const *) a, *(const char * const *) b);
}

gboolean
traj_backup_auto (TrajStore   *store,
                  const char  *dir,
                  guint        keep,
                  GError     **error)
{
  g_autofree char *stem = NULL, *today = NULL, *name = NULL, *path = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GDir) d = NULL;
  const char *entry;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (keep > 0, FALSE);

  if (!make_private_dir (dir, error))
    return FALSE;
  stem = clinic_stem (traj_store_get_path (store));
  today = traj_day_to_iso (traj_day_today ());
  name = g_strdup_printf ("%s-%s.db", stem, today);
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) &&
      !traj_backup_to_file (store, path, NULL, NULL, NULL, error))
    return FALSE;

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((entry = g_dir_read_name (d)) != NULL)
    if (is_auto_name (entry, stem))
      g_ptr_array_add (names, g_strdup (entry));
  /* Dates sort as text: newest first, and everything past @keep goes. */
  g_ptr_array_sort (names, compare_names_desc);
  for (guint k = keep; k < names->len; k++)
    {
      g_autofree char *old = g_build_filename (dir, g_ptr_array_index (names, k), NULL);

      if (g_remove (old) != 0 && errno != ENOENT)
        g_warning ("Could not remove the old backup %s: %s", old, g_strerror (errno));
    }
  return TRUE;
}

/* ---- check --------------------------------------------------------------------- */

static gboolean
query_int (sqlite3 *db, const char *sql, gint64 *out, int *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int64 (stmt, 0);
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        {
          *out = 0;
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  *rc_out = rc;
  return rc == SQLITE_OK;
}

gboolean
traj_backup_check (const char      *path,
                   TrajBackupInfo  *info,
                   GError         **error)
{
  g_autofree char *uri = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 app_id = 0, version = 0;
  GStatBuf st;
  gboolean ok = FALSE;
  int rc = SQLITE_OK;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, TRAJ_ERROR, saved == ENOENT ? TRAJ_ERROR_NOT_FOUND : TRAJ_ERROR_IO,
                   _("Could not open “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                   _("“%s” is not a Trajectory database (it is not a regular file)."), path);
      return FALSE;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE, _("“%s” is not a Trajectory database."), path);
      return FALSE;
    }

  /* Read-only, so checking never changes the file it checks; and through
   * SQLite only, header included: the file may be a clinic that this
   * process has open, and closing a descriptor of our own would drop its
   * connections' locks (see traj-db-sqlite.c, check_file()). */
  {
    /* A relative path is the current folder's. */
    g_autofree char *absolute = g_canonicalize_filename (path, NULL);
    uri = g_filename_to_uri (absolute, NULL, error);
  }
  if (uri == NULL)
    return FALSE;
  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, db, path);
      goto out;
    }
  sqlite3_extended_result_codes (db, 1);
  if (!query_int (db, "PRAGMA application_id", &app_id, &rc) ||
      !query_int (db, "PRAGMA user_version", &version, &rc))
    {
      set_sqlite_error (error, rc, db, path);
      goto out;
    }
  if (app_id != TRAJ_APPLICATION_ID || version < 1)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                   _("“%s” is an SQLite file but not a Trajectory database."), path);
      goto out;
    }
  if (version > TRAJ_SCHEMA_VERSION)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NEWER_SCHEMA,
                   _("“%s” was written by a newer version of Trajectory (schema %d; this version knows up to %d). "
                     "Restore it with the newer version."),
                   path, (int) version, TRAJ_SCHEMA_VERSION);
      goto out;
    }

  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *first = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (first, "ok") != 0)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                       _("“%s” is damaged and cannot be restored: %s"), path, first ? first : "?");
          goto out;
        }
    }
  else
    {
      /* A page so broken that the check itself stops is damage too. */
      if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB || rc == SQLITE_DONE)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                     _("“%s” is damaged and cannot be restored: %s"), path, sqlite3_errmsg (db));
      else
        set_sqlite_error (error, rc, db, path);
      goto out;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (info)
    {
      info->schema_version = (int) version;
      if (!query_int (db, "SELECT count(*) FROM patient WHERE deleted_at IS NULL", &info->patients, &rc) ||
          !query_int (db, "SELECT coalesce(max(at), 0) FROM audit_event", &info->last_change, &rc))
        {
          set_sqlite_error (error, rc, db, path);
          goto out;
        }
    }
  ok = TRUE;

out:
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

/* ---- restore --------------------------------------------------------------------- */

static char *
pre_restore_path (const char *db_path)
{
  g_autofree char *dir = traj_backup_default_dir (db_path);
  g_autofree char *stem = clinic_stem (db_path);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint k = 1;; k++)
    {
      g_autofree char *name = k == 1 ? g_strdup_printf ("%s-before-restore-%s.db", stem, stamp)
                                     : g_strdup_printf ("%s-before-restore-%s-%u.db", stem, stamp, k);
      char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

char *
traj_backup_find_before_restore (const char *db_path)
{
  g_autofree char *dir = traj_backup_default_dir (db_path);
  g_autofree char *stem = clinic_stem (db_path);
  g_autofree char *prefix = g_strdup_printf ("%s-before-restore-", stem);
  g_autofree char *best = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (d && (entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (entry, prefix) && g_str_has_suffix (entry, ".db") &&
        (best == NULL || strcmp (entry, best) > 0))
      {
        g_free (best);
        best = g_strdup (entry);
      }
  return best ? g_build_filename (dir, best, NULL) : NULL;
}

static gboolean
copy_file_private (const char *from, const char *to, GError **error)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dst = g_file_new_for_path (to);

  if (!g_file_copy (src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
    return FALSE;
  g_chmod (to, 0600);
  return TRUE;
}

/* Copies the bytes of @db's main file into a new 0600 file @to, reading
 * through the descriptor SQLite has open: opening and closing one of our
 * own would drop the locks of every connection this process has on the
 * clinic (see traj-db-sqlite.c, check_file()). */
static gboolean
copy_main_file_bytes (sqlite3 *db, const char *db_path, const char *to, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (to);
  g_autoptr(GFileOutputStream) out = NULL;
  sqlite3_file *f = NULL;
  sqlite3_int64 size = 0;
  char buf[64 * 1024];
  gboolean ok = TRUE;
  int rc;

  if (sqlite3_file_control (db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
      f == NULL || f->pMethods == NULL)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not read “%s”."), db_path);
      return FALSE;
    }
  rc = f->pMethods->xFileSize (f, &size);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, NULL, db_path);
      return FALSE;
    }
  out = g_file_create (file, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL)
    return FALSE;
  for (sqlite3_int64 off = 0, n; ok && off < size; off += n)
    {
      n = MIN ((sqlite3_int64) sizeof buf, size - off);
      rc = f->pMethods->xRead (f, buf, (int) n, off);
      if (rc != SQLITE_OK)
        {
          set_sqlite_error (error, rc, NULL, db_path);
          ok = FALSE;
        }
      else
        ok = g_output_stream_write_all (G_OUTPUT_STREAM (out), buf, n, NULL, NULL, error);
    }
  ok = g_output_stream_close (G_OUTPUT_STREAM (out), NULL, ok ? error : NULL) && ok;
  if (!ok)
    g_remove (to);
  return ok;
}

/* Keeps the clinic as it is now: through SQLite when it can still be read
 * (the -wal's content included), else the files byte for byte. */
static gboolean
keep_current (const char *db_path, const char *kept, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (kept);
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *kept_wal = g_strconcat (kept, "-wal", NULL);
  g_autoptr(GError) sql_error = NULL;
  sqlite3 *db = NULL;
  gboolean ok = FALSE;
  int rc;

  if (!make_private_dir (dir, error))
    return FALSE;
  rc = sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, db, db_path);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 5000);
  if (exec (db, "BEGIN; SELECT count(*) FROM sqlite_master", db_path, &sql_error))
    {
      ok = copy_database (db, db_path, kept, FALSE, NULL, NULL, NULL, &sql_error);
      exec (db, "COMMIT", db_path, NULL);
    }
  if (!ok)
    {
      g_debug ("Keeping %s as a plain copy: %s", db_path, sql_error->message);
      /* SQLite takes no lock on the -wal itself: copying it by name is safe. */
      ok = copy_main_file_bytes (db, db_path, kept, error) &&
           (!g_file_test (wal, G_FILE_TEST_EXISTS) || copy_file_private (wal, kept_wal, error));
    }
  sqlite3_close (db);
  return ok;
}

/* Writes every page of @backup_path into the existing file @db_path in one
 * write transaction: connections open on @db_path see all of it or none. */
static gboolean
copy_into (const char *db_path, const char *backup_path, GError **error)
{
  g_autofree char *absolute = g_canonicalize_filename (backup_path, NULL);
  g_autofree char *uri = g_filename_to_uri (absolute, NULL, error);
  sqlite3 *src = NULL, *dst = NULL;
  sqlite3_backup *b;
  gboolean ok = FALSE;
  int rc;

  if (uri == NULL)
    return FALSE;
  rc = sqlite3_open_v2 (uri, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, src, backup_path);
      goto out;
    }
  rc = sqlite3_open_v2 (db_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, rc, dst, db_path);
      goto out;
    }
  sqlite3_busy_timeout (dst, 5000);
  b = sqlite3_backup_init (dst, "main", src, "main");
  if (b == NULL)
    {
      set_sqlite_error (error, sqlite3_errcode (dst), dst, db_path);
      goto out;
    }
  for (int tries = 0;; tries++)
    {
      rc = sqlite3_backup_step (b, -1);
      if (((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) && tries < BUSY_RETRIES)
        {
          sqlite3_sleep (BUSY_SLEEP_MS);
          continue;
        }
      break;
    }
  sqlite3_backup_finish (b);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, rc, NULL, db_path);
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_close (src);
  sqlite3_close (dst);
  return ok;
}

/* Whether anyone holds a lock on @len bytes at @start of @path. */
static gboolean
range_locked (const char *path, off_t start, off_t len)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
  gboolean locked;
  int fd;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return FALSE;
  locked = fcntl (fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
  close (fd);
  return locked;
}

/* Whether a program, this one included, has the clinic @db open. A WAL
 * connection holds a read lock on the -shm's "DMS" byte (128) for as long
 * as it is open; a rollback-journal transaction holds the database's
 * PENDING/RESERVED/SHARED bytes (from 0x40000000). Our own connections are
 * known without opening anything (traj-open-guard.c). */
static gboolean
clinic_in_use (const char *db)
{
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  return traj_open_guard_is_held (db) ||
         range_locked (shm, 128, 1) ||
         range_locked (db, 0x40000000, 512 + 2);
}

/* Removes what SQLite may have left beside a file that was not kept. */
static void
remove_sidecars (const char *path)
{
  static const char *suffixes[] = { "-journal", "-wal", "-shm" };

  for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[k], NULL);
      g_remove (p);
    }
}

gboolean
traj_backup_restore (const char  *db_path,
                     const char  *backup_path,
                     char       **kept_path,
                     GError     **error)
{
  g_autofree char *db = NULL, *backup = NULL, *kept = NULL, *summary = NULL, *temp = NULL;
  g_autoptr(TrajSafeFile) out = NULL;
  g_autoptr(GError) local = NULL;
  TrajStore *store;
  gboolean ok;
  GStatBuf st;

  g_return_val_if_fail (db_path != NULL, FALSE);
  g_return_val_if_fail (backup_path != NULL, FALSE);

  if (kept_path)
    *kept_path = NULL;
  /* Relative paths are the current folder's, as on any command line. */
  db = g_canonicalize_filename (db_path, NULL);
  backup = g_canonicalize_filename (backup_path, NULL);
  if (!traj_backup_check (backup, NULL, error))
    return FALSE;

  if (g_stat (db, &st) == 0 && st.st_size > 0)
    {
      kept = pre_restore_path (db);
      if (!keep_current (db, kept, error))
        {
          g_prefix_error (error, _("The current clinic could not be kept, so nothing was restored: "));
          return FALSE;
        }
    }

  /* The restored clinic is made whole in a new 0600 file beside the clinic —
   * copied, migrated forward, its restore on record, checked — before
   * anything of the clinic changes. A kill up to here leaves the clinic as
   * it was; one later, the old clinic or the restored one, never a mix or
   * an empty file. */
  out = traj_safe_file_new_for_clinic (db, error);
  if (out == NULL)
    return FALSE;
  temp = g_strdup (traj_safe_file_get_temp_path (out));
  ok = copy_into (temp, backup, error);
  if (ok)
    {
      store = traj_store_open (temp, error);
      summary = kept ? g_strdup_printf ("restored from %s; the clinic before is kept in %s", backup, kept)
                     : g_strdup_printf ("restored from %s", backup);
      ok = store != NULL &&
           traj_store_bulk_begin (store, "restore", summary, error) &&
           traj_store_bulk_commit (store, error) &&
           traj_store_check_integrity (store, error);
      /* The last connection folds the -wal into the file. */
      g_clear_object (&store);
    }
  if (!ok)
    {
      remove_sidecars (temp);
      return FALSE;
    }

  /* Into place. A clinic that is there is rewritten in one write
   * transaction, so the connections other windows hold on it read the
   * restored clinic from their next query on; one SQLite cannot write into
   * (damaged) is replaced by renaming the new file over it — it was kept
   * above. */
  if (kept == NULL || !copy_into (db, temp, &local))
    {
      if (local)
        {
          if (g_error_matches (local, TRAJ_ERROR, TRAJ_ERROR_BUSY) ||
              g_error_matches (local, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL))
            {
              remove_sidecars (temp);
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_debug ("Replacing %s as a file: %s", db, local->message);
        }
      /* Renaming over a clinic that a program has open would leave it
       * writing into a file no one else sees, and its -wal removed. */
      if (kept != NULL && clinic_in_use (db))
        {
          g_autofree char *display = g_filename_display_name (db);

          remove_sidecars (temp);
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                       _("“%s” cannot be rewritten in place and is open in this or another program "
                         "(a window, a tablet, trajectory-cli), so it was not replaced. Close every "
                         "program using it, then restore again. Nothing was changed."),
                       display);
          return FALSE;
        }
      /* A -wal left beside the old file would be replayed into the new one. */
      remove_sidecars (db);
      if (!traj_safe_file_commit (out, error))
        {
          remove_sidecars (temp);
          return FALSE;
        }
    }
  remove_sidecars (temp);

  if (kept_path)
    *kept_path = g_steal_pointer (&kept);
  return TRUE;
}
