/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-db"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-db-sqlite.h"
#include "traj-error.h"
#include "traj-open-guard.h"
#include "traj-store.h"

typedef struct {
  TrajDb base;
  sqlite3 *handle;
  TrajOpenGuardKey guard;
  gint64 busy_since;            /* µs, monotonic: when the current wait began */
  gboolean beginning;           /* in BEGIN IMMEDIATE: waiting to write */
  int wait_fd;                  /* a shared flock on "<clinic>-wait.lock" while waiting to write */
} SqliteDb;

typedef struct {
  TrajDbStmt base;
  sqlite3_stmt *stmt;
  char exact[G_ASCII_DTOSTR_BUF_SIZE];
} SqliteStmt;

#define DB(d) ((SqliteDb *) (d))
#define STMT(s) (((SqliteStmt *) (s))->stmt)

/* ---- waiting for the lock ------------------------------------------------ */

#define BUSY_TIMEOUT_MS 5000
#define BUSY_SLEEP_MS 5
#define WAIT_LOCK_SUFFIX "-wait.lock"

static int
wait_lock_open (const char *path)
{
  g_autofree char *name = g_strconcat (path, WAIT_LOCK_SUFFIX, NULL);

  return g_open (name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* SQLite's own busy handler sleeps ever longer between tries, up to 100 ms,
 * so a save waiting for a long write's next pause could sleep through it
 * and go on waiting for the next chunk (traj_bulk_yield ()). This one tries
 * again every BUSY_SLEEP_MS (1 ms for the first few tries), for as long a
 * time in all as SQLite's default: a try costs a lock attempt on shared
 * memory, nothing else. A writer waiting to begin also says that it waits,
 * with a shared flock on "<clinic>-wait.lock" until it has the lock, so
 * that a long write pauses until it is through (on a loaded machine a
 * waiting program may not even run during a short pause):
 * traj_db_sqlite_let_waiters_in (). */
static int
busy_handler (void *data, int count)
{
  SqliteDb *db = data;
  gint64 now = g_get_monotonic_time ();

  if (count == 0)
    db->busy_since = now;
  else if (now - db->busy_since >= BUSY_TIMEOUT_MS * (gint64) 1000)
    return 0;
  if (db->beginning && db->wait_fd < 0)
    {
      db->wait_fd = wait_lock_open (db->base.name);
      /* The writer looking for waiters holds it a moment: next try. */
      if (db->wait_fd >= 0 && flock (db->wait_fd, LOCK_SH | LOCK_NB) != 0)
        {
          close (db->wait_fd);
          db->wait_fd = -1;
        }
    }
  g_usleep ((count < 5 ? 1 : BUSY_SLEEP_MS) * 1000);
  return 1;
}

void
traj_db_sqlite_let_waiters_in (TrajDb *db,
                               guint   pause_ms,
                               guint   longest_ms)
{
  gint64 until = g_get_monotonic_time () + longest_ms * (gint64) 1000;
  int fd;

  g_return_if_fail (db != NULL && db->engine == TRAJ_DB_SQLITE);

  g_usleep (pause_ms * 1000);
  fd = wait_lock_open (db->name);
  if (fd < 0)
    return;
  while (flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK && g_get_monotonic_time () < until)
    g_usleep (1000);
  close (fd);
}

/* ---- errors ----------------------------------------------------------- */

static void
set_error (TrajDb      *db,
           GError     **error,
           int          rc)
{
  sqlite3 *handle = DB (db)->handle;
  const char *msg = handle ? sqlite3_errmsg (handle) : sqlite3_errstr (rc);
  const char *path = db->name;
  int sys = handle ? sqlite3_system_errno (handle) : 0;

  /* A disk with no byte left fails the -shm or the WAL before SQLite sees
   * a full database: an I/O error whose cause is ENOSPC. */
  if (((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN) && (sys == ENOSPC || sys == EDQUOT))
    {
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL,
                   _("The disk holding “%s” is full, so the clinic cannot be opened or written; nothing "
                     "was changed. Free some space and try again."), path);
      return;
    }
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL,
                   _("The disk holding “%s” is full; nothing was saved. Free some space and try again."), path);
      return;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      db->failure = TRAJ_DB_OTHER;
      /* Even reading a clinic writes beside it (the -shm of its WAL): a
       * read-only file or folder stops a list as well as a save. */
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_READ_ONLY,
                   _("“%s” is read-only here (%s); Trajectory needs to write to the clinic file and its "
                     "folder even to show it. Nothing was changed."), path, msg);
      return;
    case SQLITE_CANTOPEN:
      db->failure = TRAJ_DB_OTHER;
      /* The file is there (check_file () saw it): what SQLite could not
       * open is the file for writing or a file beside it. */
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_READ_ONLY,
                   _("Could not open “%s”: the file or its folder is read-only here or not yours to "
                     "change, and Trajectory writes beside the clinic even to show it. Nothing was "
                     "changed."), path);
      return;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      db->failure = TRAJ_DB_BUSY;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                   _("“%s” is busy in another program; nothing was saved. Try again."), path);
      return;
    case SQLITE_CORRUPT:
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                   _("“%s” is damaged (%s). Restore it from a backup."), path, msg);
      return;
    case SQLITE_NOTADB:
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                   _("“%s” is not a Trajectory database."), path);
      return;
    case SQLITE_IOERR:
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO,
                   _("Could not read or write “%s” (%s)."), path, msg);
      return;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        db->failure = TRAJ_DB_UNIQUE;
      else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        db->failure = TRAJ_DB_FOREIGN_KEY;
      else
        db->failure = TRAJ_DB_CONSTRAINT;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                   _("Database error in “%s”: %s"), path, msg);
      return;
    default:
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                   _("Database error in “%s”: %s"), path, msg);
      return;
    }
}

/* ---- statements ------------------------------------------------------- */

static TrajDbStmt *
sqlite_prepare (TrajDb      *db,
                const char  *sql,
                gboolean     cursor,
                GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  SqliteStmt *s;
  int rc;

  rc = sqlite3_prepare_v3 (DB (db)->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (db, error, rc);
      return NULL;
    }
  s = g_new0 (SqliteStmt, 1);
  s->stmt = stmt;
  return &s->base;
}

static void
sqlite_finalize (TrajDbStmt *s)
{
  sqlite3_finalize (STMT (s));
  g_free (s);
}

static void
sqlite_reset (TrajDbStmt *s)
{
  sqlite3_reset (STMT (s));
  sqlite3_clear_bindings (STMT (s));
}

static void
sqlite_bind_int64 (TrajDbStmt *s, int i, gint64 v)
{
  sqlite3_bind_int64 (STMT (s), i, v);
}

static void
sqlite_bind_double (TrajDbStmt *s, int i, double v)
{
  sqlite3_bind_double (STMT (s), i, v);
}

static void
sqlite_bind_text (TrajDbStmt *s, int i, const char *v)
{
  if (v)
    sqlite3_bind_text (STMT (s), i, v, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (STMT (s), i);
}

static void
sqlite_bind_null (TrajDbStmt *s, int i)
{
  sqlite3_bind_null (STMT (s), i);
}

static TrajDbStep
sqlite_step (TrajDbStmt  *s,
             GError     **error)
{
  int rc = sqlite3_step (STMT (s));

  if (rc == SQLITE_ROW)
    return TRAJ_DB_ROW;
  if (rc == SQLITE_DONE)
    {
      s->db->failure = TRAJ_DB_OK;
      return TRAJ_DB_DONE;
    }
  set_error (s->db, error, rc);
  sqlite3_reset (STMT (s));
  return TRAJ_DB_FAILED;
}

static int
sqlite_column_count (TrajDbStmt *s)
{
  return sqlite3_column_count (STMT (s));
}

static const char *
sqlite_column_name (TrajDbStmt *s, int i)
{
  return sqlite3_column_name (STMT (s), i);
}

static gboolean
sqlite_column_is_null (TrajDbStmt *s, int i)
{
  return sqlite3_column_type (STMT (s), i) == SQLITE_NULL;
}

static gint64
sqlite_column_int64 (TrajDbStmt *s, int i)
{
  return sqlite3_column_int64 (STMT (s), i);
}

static double
sqlite_column_double (TrajDbStmt *s, int i)
{
  return sqlite3_column_double (STMT (s), i);
}

static const char *
sqlite_column_text (TrajDbStmt *s, int i)
{
  return (const char *) sqlite3_column_text (STMT (s), i);
}

static const char *
sqlite_column_text_exact (TrajDbStmt *s, int i)
{
  if (sqlite3_column_type (STMT (s), i) == SQLITE_FLOAT)
    return g_ascii_dtostr (((SqliteStmt *) s)->exact, sizeof ((SqliteStmt *) s)->exact,
                           sqlite3_column_double (STMT (s), i));
  return (const char *) sqlite3_column_text (STMT (s), i);
}

/* ---- connection ------------------------------------------------------- */

static gint64
sqlite_changes (TrajDb *db)
{
  return sqlite3_changes (DB (db)->handle);
}

static gboolean
sqlite_exec (TrajDb      *db,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (DB (db)->handle, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_error (db, error, rc);
      return FALSE;
    }
  db->failure = TRAJ_DB_OK;
  return TRUE;
}

static gboolean
sqlite_begin (TrajDb      *db,
              gboolean     write,
              GError     **error)
{
  /* A writer takes the lock at once, so it waits (busy_timeout) rather than
   * failing later on a lock upgrade; a reader's snapshot starts with its
   * first statement. */
  gboolean ok;

  DB (db)->beginning = write;
  ok = sqlite_exec (db, write ? "BEGIN IMMEDIATE" : "BEGIN", error);
  DB (db)->beginning = FALSE;
  if (DB (db)->wait_fd >= 0)
    {
      close (DB (db)->wait_fd);
      DB (db)->wait_fd = -1;
    }
  return ok;
}

static gboolean
query_int (TrajDb *db, const char *sql, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (DB (db)->handle, sql, -1, &stmt, NULL);

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
  if (rc != SQLITE_OK)
    {
      set_error (db, error, rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_schema_version (TrajDb    *db,
                       gboolean  *ours,
                       gint64    *version,
                       GError   **error)
{
  gint64 app_id = 0, n_tables = 0;

  if (!query_int (db, "PRAGMA application_id", &app_id, error) ||
      !query_int (db, "PRAGMA user_version", version, error) ||
      !query_int (db, "SELECT count(*) FROM sqlite_master", &n_tables, error))
    return FALSE;
  *ours = app_id == TRAJ_APPLICATION_ID || (app_id == 0 && n_tables == 0 && *version == 0);
  return TRUE;
}

static gboolean
sqlite_set_schema_version (TrajDb    *db,
                           gint64     version,
                           GError   **error)
{
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                             (int) version, TRAJ_APPLICATION_ID);
  return sqlite_exec (db, pragma, error);
}

static gboolean
sqlite_setup (TrajDb   *db,
              GError  **error)
{
  return sqlite_exec (db, "PRAGMA journal_mode = WAL", error) &&
         sqlite_exec (db, "PRAGMA foreign_keys = ON", error) &&
         sqlite_exec (db, "PRAGMA synchronous = FULL", error);
}

static void
sqlite_close (TrajDb *db)
{
  if (DB (db)->handle)
    sqlite3_close_v2 (DB (db)->handle);
  if (DB (db)->wait_fd >= 0)
    close (DB (db)->wait_fd);
  traj_open_guard_release (&DB (db)->guard);
  g_free (db);
}

static const TrajDbEngineVTable sqlite_vtable = {
  .close = sqlite_close,
  .prepare = sqlite_prepare,
  .finalize = sqlite_finalize,
  .reset = sqlite_reset,
  .bind_int64 = sqlite_bind_int64,
  .bind_double = sqlite_bind_double,
  .bind_text = sqlite_bind_text,
  .bind_null = sqlite_bind_null,
  .step = sqlite_step,
  .column_count = sqlite_column_count,
  .column_name = sqlite_column_name,
  .column_is_null = sqlite_column_is_null,
  .column_int64 = sqlite_column_int64,
  .column_double = sqlite_column_double,
  .column_text = sqlite_column_text,
  .column_text_exact = sqlite_column_text_exact,
  .changes = sqlite_changes,
  .exec = sqlite_exec,
  .begin = sqlite_begin,
  .schema_version = sqlite_schema_version,
  .set_schema_version = sqlite_set_schema_version,
  .setup = sqlite_setup,
};

/* ---- open ------------------------------------------------------------- */

/* Looks at @path without opening it. Nothing in this process may open a
 * clinic file outside SQLite: closing any descriptor of a file drops every
 * POSIX lock the process holds on it, its SQLite connections' included, and
 * the next program to close the file then takes itself for the last one and
 * removes the WAL under them (SQLite's "How To Corrupt An SQLite Database
 * File", §2.2). The header is read through SQLite when the store opens. */
static gboolean
check_file (const char *path, gboolean *is_new, GError **error)
{
  GStatBuf st;

  *is_new = FALSE;
  if (g_stat (path, &st) != 0)
    {
      if (errno == ENOENT)
        {
          *is_new = TRUE;
          return TRUE;
        }
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not open “%s”: %s"),
                   path, g_strerror (errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                   _("“%s” is not a Trajectory database (it is not a regular file)."), path);
      return FALSE;
    }
  *is_new = st.st_size == 0;
  return TRUE;
}

static gboolean
create_private_file (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (errno));
      return FALSE;
    }
  /* Patient records: only the owner may read the file (SQLite gives the
   * -wal and -shm files the same mode). An empty file that is already
   * there is changed by name, never opened (see check_file()); a new one
   * is a new inode that no connection can hold locks on yet. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      fchmod (fd, 0600);
      close (fd);
      return TRUE;
    }
  if (errno == EEXIST && g_chmod (path, 0600) == 0)
    return TRUE;
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not create “%s”: %s"),
               path, g_strerror (errno));
  return FALSE;
}

/* traj_sha256 (text): the lower-case hex SHA-256 of the text's UTF-8 bytes;
 * NULL for NULL. */
static void
sha256_function (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  const guchar *text = sqlite3_value_text (argv[0]);
  g_autofree char *hex = NULL;

  if (text == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, text, (gsize) sqlite3_value_bytes (argv[0]));
  sqlite3_result_text (ctx, hex, -1, SQLITE_TRANSIENT);
}

TrajDb *
traj_db_sqlite_open (const char  *path,
                     GError     **error)
{
  SqliteDb *db;
  gboolean is_new = FALSE;
  int rc;

  if (!check_file (path, &is_new, error))
    return NULL;
  if (is_new && !create_private_file (path, error))
    return NULL;

  /* From here until the connection closes, nothing else in this process
   * may open the file (traj-open-guard.c says why). */
  traj_open_guard_install ();
  db = g_new0 (SqliteDb, 1);
  db->wait_fd = -1;
  traj_db_init_common (&db->base, &sqlite_vtable, TRAJ_DB_SQLITE, path);
  rc = sqlite3_open_v2 (path, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (&db->base, error, rc);
      traj_db_close (&db->base);
      return NULL;
    }
  traj_open_guard_hold (path, &db->guard);
  sqlite3_extended_result_codes (db->handle, 1);
  sqlite3_busy_handler (db->handle, busy_handler, db);
  /* The audit trail's hash chain (sql/009-audit-chain.sql). */
  sqlite3_create_function_v2 (db->handle, "traj_sha256", 1,
                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                              NULL, sha256_function, NULL, NULL, NULL);
  return &db->base;
}

sqlite3 *
traj_db_sqlite_handle (TrajDb *db)
{
  return db->engine == TRAJ_DB_SQLITE ? DB (db)->handle : NULL;
}

gboolean
traj_db_sqlite_data_version (TrajDb  *db,
                             gint64  *version)
{
  static const char sql[] = "PRAGMA data_version";
  TrajDbStmt *stmt;
  gboolean ok;

  g_return_val_if_fail (db->engine == TRAJ_DB_SQLITE, FALSE);
  stmt = traj_db_prepare (db, sql, NULL);
  if (stmt == NULL)
    return FALSE;
  ok = traj_db_step (stmt, NULL) == TRAJ_DB_ROW;
  if (ok)
    *version = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  return ok;
}

gboolean
traj_db_sqlite_check_integrity (TrajDb   *db,
                                gboolean  quick,
                                GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (DB (db)->handle, quick ? "PRAGMA quick_check" : "PRAGMA integrity_check",
                               -1, &stmt, NULL);
  g_autofree char *first = NULL;

  if (rc != SQLITE_OK)
    {
      set_error (db, error, rc);
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  /* The first finding, past SQLite's "*** in database main ***" heading. */
  while (rc == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      if (line && !g_str_has_prefix (line, "***"))
        {
          first = g_strdup (line);
          break;
        }
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT, _("“%s” is damaged."), db->name);
          return FALSE;
        }
      set_error (db, error, rc);
      return FALSE;
    }
  if (g_strcmp0 (first, "ok") != 0)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT, _("“%s” is damaged: %s"), db->name, first);
      return FALSE;
    }
  return TRUE;
}
