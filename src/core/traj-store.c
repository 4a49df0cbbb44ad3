/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-store.h"
#include "traj-store-private.h"
#include "traj-secret.h"
#include "traj-validate.h"
#include "traj-core-resources.h"

struct _TrajStore
{
  GObject parent_instance;

  sqlite3 *db;
  char *path;
  char *os_user;
  char *clinician;
  GHashTable *stmts;         /* const char *sql → sqlite3_stmt* */
  int tx_depth;
  gboolean bulk;
  gboolean bulk_failed;
  gint64 data_version;
};

G_DEFINE_FINAL_TYPE (TrajStore, traj_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- errors ---------------------------------------------------------- */

static void
set_sqlite_error (TrajStore   *self,
                  GError     **error,
                  int          rc,
                  const char  *what)
{
  int primary = rc & 0xff;
  TrajError code;
  const char *msg = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (primary)
    {
    case SQLITE_FULL:
      code = TRAJ_ERROR_DISK_FULL;
      g_set_error (error, TRAJ_ERROR, code,
                   _("The disk holding “%s” is full; nothing was saved. Free some space and try again."),
                   self->path);
      return;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      code = TRAJ_ERROR_READ_ONLY;
      g_set_error (error, TRAJ_ERROR, code,
                   _("“%s” cannot be written (%s); nothing was saved."), self->path, msg);
      return;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = TRAJ_ERROR_BUSY;
      g_set_error (error, TRAJ_ERROR, code,
                   _("“%s” is busy in another program; nothing was saved. Try again."), self->path);
      return;
    case SQLITE_CORRUPT:
      code = TRAJ_ERROR_CORRUPT;
      g_set_error (error, TRAJ_ERROR, code,
                   _("“%s” is damaged (%s). Restore it from a backup."), self->path, msg);
      return;
    case SQLITE_NOTADB:
      code = TRAJ_ERROR_NOT_A_DATABASE;
      g_set_error (error, TRAJ_ERROR, code,
                   _("“%s” is not a Trajectory database."), self->path);
      return;
    case SQLITE_IOERR:
      code = TRAJ_ERROR_IO;
      g_set_error (error, TRAJ_ERROR, code,
                   _("Could not read or write “%s” (%s)."), self->path, msg);
      return;
    default:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                   _("Database error while %s in “%s”: %s"), what, self->path, msg);
      return;
    }
}

/* ---- statements ------------------------------------------------------ */

sqlite3_stmt *
traj_store_stmt (TrajStore   *self,
                 const char  *sql,
                 GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, "preparing a query");
      return NULL;
    }
  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

sqlite3 *
traj_store_get_db (TrajStore *self)
{
  return self->db;
}

static gboolean
exec (TrajStore *self, const char *sql, GError **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);

  sqlite3_free (errmsg);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, "running a statement");
      return FALSE;
    }
  return TRUE;
}

static gboolean
step_done (TrajStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc, "saving");
      return FALSE;
    }
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt, int col, const char *s)
{
  sqlite3_bind_text (stmt, col, s ? s : "", -1, SQLITE_TRANSIENT);
}

static void
bind_text_or_null (sqlite3_stmt *stmt, int col, const char *s)
{
  if (s)
    sqlite3_bind_text (stmt, col, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

static void
bind_id_or_null (sqlite3_stmt *stmt, int col, gint64 id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, col, id);
  else
    sqlite3_bind_null (stmt, col);
}

static void
bind_int_or_null (sqlite3_stmt *stmt, int col, int v)
{
  if (v >= 0)
    sqlite3_bind_int (stmt, col, v);
  else
    sqlite3_bind_null (stmt, col);
}

static void
bind_day (sqlite3_stmt *stmt, int col, gint32 day)
{
  g_autofree char *iso = traj_day_to_iso (day);
  bind_text_or_null (stmt, col, iso);
}

static char *
col_text (sqlite3_stmt *stmt, int col)
{
  const char *s = (const char *) sqlite3_column_text (stmt, col);
  return g_strdup (s ? s : "");
}

static int
col_int_or (sqlite3_stmt *stmt, int col, int fallback)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL ? fallback : sqlite3_column_int (stmt, col);
}

static gint32
col_day (sqlite3_stmt *stmt, int col)
{
  return traj_day_from_iso ((const char *) sqlite3_column_text (stmt, col));
}

/* ---- transactions and audit ----------------------------------------- */

static gboolean
tx_begin (TrajStore *self, GError **error)
{
  if (self->tx_depth++ > 0)
    return exec (self, "SAVEPOINT traj_nested", error) || (self->tx_depth--, FALSE);
  if (!exec (self, "BEGIN IMMEDIATE", error))
    {
      self->tx_depth--;
      return FALSE;
    }
  return TRUE;
}

static gboolean
tx_commit (TrajStore *self, GError **error)
{
  g_assert (self->tx_depth > 0);
  if (--self->tx_depth > 0)
    return exec (self, "RELEASE traj_nested", error);
  if (!exec (self, "COMMIT", error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static void
tx_rollback (TrajStore *self)
{
  g_assert (self->tx_depth > 0);
  if (--self->tx_depth > 0)
    {
      exec (self, "ROLLBACK TO traj_nested", NULL);
      exec (self, "RELEASE traj_nested", NULL);
      if (self->bulk)
        self->bulk_failed = TRUE;
      return;
    }
  exec (self, "ROLLBACK", NULL);
}

static gboolean
audit (TrajStore      *self,
       const char     *action,
       const char     *record_kind,
       const char     *record_uid,
       const char     *summary,
       GError        **error)
{
  sqlite3_stmt *stmt;

  stmt = traj_store_stmt (self,
                          "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, traj_time_now ());
  bind_text (stmt, 2, self->os_user);
  bind_text (stmt, 3, self->clinician);
  bind_text (stmt, 4, action);
  bind_text (stmt, 5, record_kind);
  bind_text (stmt, 6, record_uid);
  bind_text (stmt, 7, summary);
  return step_done (self, stmt, error);
}

static gboolean
audit_record (TrajStore *self, const char *action, TrajRecordKind kind,
              const char *uid, const char *summary, GError **error)
{
  if (self->bulk)
    return TRUE;
  return audit (self, action, traj_kind_to_string (kind), uid, summary, error);
}

static void
emit_changed (TrajStore *self, TrajRecordKind kind, gint64 patient_id)
{
  if (!self->bulk)
    g_signal_emit (self, signals[CHANGED], 0, (guint) kind, patient_id);
}

/* ---- open and migrate ------------------------------------------------ */

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

static gboolean
query_int (TrajStore *self, const char *sql, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

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
      set_sqlite_error (self, error, rc, "reading the file header");
      return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (TrajStore *self, gint64 from, GError **error)
{
  for (gint64 v = from + 1; v <= TRAJ_SCHEMA_VERSION; v++)
    {
      g_autofree char *res = g_strdup_printf ("/io/github/trajectory/Trajectory/sql/%03d.sql", (int) v);
      g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                                 (int) v, TRAJ_APPLICATION_ID);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;

      static gsize registered = 0;

      if (g_once_init_enter (&registered))
        {
          traj_core_register_resource ();
          g_once_init_leave (&registered, 1);
        }
      bytes = g_resources_lookup_data (res, 0, error);
      if (bytes == NULL)
        return FALSE;
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (!tx_begin (self, error))
        return FALSE;
      if (!exec (self, sql, error) || !exec (self, pragma, error))
        {
          tx_rollback (self);
          return FALSE;
        }
      if (!audit (self, "migrate", "schema", "", pragma, error) || !tx_commit (self, error))
        {
          if (self->tx_depth > 0)
            tx_rollback (self);
          return FALSE;
        }
    }
  return TRUE;
}

static TrajStore *
store_open (const char *path, gboolean migrate_allowed, GError **error)
{
  g_autoptr(TrajStore) self = NULL;
  gboolean is_new = FALSE;
  gint64 app_id = 0, version = 0, n_tables = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (!check_file (path, &is_new, error))
    return NULL;
  if (is_new && !create_private_file (path, error))
    return NULL;

  self = g_object_new (TRAJ_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, "opening");
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* Look before touching: nothing below writes until the file is known to
   * be ours and not newer than this build. */
  if (!query_int (self, "PRAGMA application_id", &app_id, error) ||
      !query_int (self, "PRAGMA user_version", &version, error) ||
      !query_int (self, "SELECT count(*) FROM sqlite_master", &n_tables, error))
    return NULL;

  if (app_id != TRAJ_APPLICATION_ID && !(app_id == 0 && n_tables == 0 && version == 0))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                   _("“%s” is an SQLite file but not a Trajectory database."), path);
      return NULL;
    }
  if (version > TRAJ_SCHEMA_VERSION)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NEWER_SCHEMA,
                   _("“%s” was written by a newer version of Trajectory (schema %d; this version knows up to %d). "
                     "It has not been changed; open it with the newer version."),
                   path, (int) version, TRAJ_SCHEMA_VERSION);
      return NULL;
    }

  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error))
    return NULL;

  if (version < TRAJ_SCHEMA_VERSION)
    {
      if (!migrate_allowed)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                       _("“%s” needs to be upgraded first."), path);
          return NULL;
        }
      if (!migrate (self, version, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

TrajStore *
traj_store_open (const char  *path,
                 GError     **error)
{
  return store_open (path, TRUE, error);
}

TrajStore *
traj_store_open_secondary (TrajStore  *store,
                           GError    **error)
{
  TrajStore *other;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);
  other = store_open (store->path, FALSE, error);
  if (other)
    traj_store_set_clinician (other, store->clinician);
  return other;
}

const char *
traj_store_get_path (TrajStore *self)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  return self->path;
}

char *
traj_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "trajectory", "clinic.db", NULL);
}

char *
traj_store_demo_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "trajectory", "demo-clinic.db", NULL);
}

void
traj_store_set_clinician (TrajStore  *self,
                          const char *clinician)
{
  g_return_if_fail (TRAJ_IS_STORE (self));
  g_free (self->clinician);
  self->clinician = g_strdup (clinician ? clinician : "");
}

const char *
traj_store_get_clinician (TrajStore *self)
{
  return self->clinician;
}

/* ---- GObject ---------------------------------------------------------- */

static void
traj_store_finalize (GObject *object)
{
  TrajStore *self = (TrajStore *) object;

  g_hash_table_destroy (self->stmts);
  if (self->db)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_free (self->os_user);
  g_free (self->clinician);

  G_OBJECT_CLASS (traj_store_parent_class)->finalize (object);
}

static void
traj_store_class_init (TrajStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = traj_store_finalize;

  /**
   * TrajStore::changed:
   * @kind: the TrajRecordKind that changed, or TRAJ_N_KINDS for a bulk change
   * @patient_id: the patient whose records changed, 0 for many
   *
   * Emitted after a change is committed, on the thread that made it.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT64);
}

static void
traj_store_init (TrajStore *self)
{
  self->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) sqlite3_finalize);
  self->os_user = g_strdup (g_get_user_name ());
  self->clinician = g_strdup ("");
}

/* ---- bulk -------------------------------------------------------------- */

gboolean
traj_store_bulk_begin (TrajStore   *self,
                       const char  *action,
                       const char  *summary,
                       GError     **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

  if (!tx_begin (self, error))
    return FALSE;
  if (!audit (self, action, "clinic", "", summary, error))
    {
      tx_rollback (self);
      return FALSE;
    }
  self->bulk = TRUE;
  self->bulk_failed = FALSE;
  return TRUE;
}

gboolean
traj_store_bulk_commit (TrajStore  *self,
                        GError    **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->bulk, FALSE);

  self->bulk = FALSE;
  if (self->bulk_failed)
    {
      tx_rollback (self);
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                           _("A row of the batch failed; nothing was saved."));
      return FALSE;
    }
  if (!tx_commit (self, error))
    return FALSE;
  emit_changed (self, TRAJ_N_KINDS, 0);
  return TRUE;
}

void
traj_store_bulk_rollback (TrajStore *self)
{
  g_return_if_fail (TRAJ_IS_STORE (self));
  g_return_if_fail (self->bulk);

  self->bulk = FALSE;
  tx_rollback (self);
}

/* ---- patients ---------------------------------------------------------- */

static void
ensure_uid (char **uid)
{
  if (*uid == NULL || **uid == '\0')
    {
      g_free (*uid);
      *uid = traj_uuid_new ();
    }
}

static gboolean
mrn_taken (TrajStore *self, const char *mrn, gint64 except_id, gboolean *taken, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, "SELECT id FROM patient WHERE mrn = ?1 AND id != ?2", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, mrn);
  sqlite3_bind_int64 (stmt, 2, except_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "checking the MRN");
      return FALSE;
    }
  *taken = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
check_patient (TrajStore *self, TrajPatient *p, GError **error)
{
  gboolean taken = FALSE;

  if (p->mrn)
    g_strstrip (p->mrn);
  if (p->name)
    g_strstrip (p->name);
  if (!traj_validate_patient (p, traj_day_today (), error))
    return FALSE;
  if (!mrn_taken (self, p->mrn, p->id, &taken, error))
    return FALSE;
  if (taken)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE,
                   _("MRN %s is already used by another patient."), p->mrn);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_insert_patient (TrajStore    *self,
                           TrajPatient  *p,
                           GError      **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(TrajPatient) work = NULL;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (p != NULL, FALSE);

  work = traj_patient_copy (p);
  work->id = 0;
  if (!check_patient (self, work, error))
    return FALSE;
  ensure_uid (&work->uid);
  if (work->created_at == 0)
    work->created_at = traj_time_now ();
  work->updated_at = work->created_at;

  if (!tx_begin (self, error))
    return FALSE;
  stmt = traj_store_stmt (self,
                          "INSERT INTO patient (uid, mrn, name, birth_date, sex, indication, notes, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, work->uid);
  bind_text (stmt, 2, work->mrn);
  bind_text (stmt, 3, work->name);
  bind_day (stmt, 4, work->birth_day);
  bind_text (stmt, 5, traj_sex_to_string (work->sex));
  bind_text (stmt, 6, traj_indication_to_string (work->indication));
  bind_text (stmt, 7, work->notes);
  sqlite3_bind_int64 (stmt, 8, work->created_at);
  sqlite3_bind_int64 (stmt, 9, work->updated_at);
  if (!step_done (self, stmt, error))
    goto fail;
  work->id = sqlite3_last_insert_rowid (self->db);
  summary = g_strdup_printf ("patient MRN %s", work->mrn);
  if (!audit_record (self, "insert", TRAJ_KIND_PATIENT, work->uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    return FALSE;

  p->id = work->id;
  g_free (p->uid);
  p->uid = g_strdup (work->uid);
  g_free (p->mrn);
  p->mrn = g_strdup (work->mrn);
  g_free (p->name);
  p->name = g_strdup (work->name);
  p->created_at = work->created_at;
  p->updated_at = work->updated_at;
  emit_changed (self, TRAJ_KIND_PATIENT, p->id);
  return TRUE;

fail:
  tx_rollback (self);
  return FALSE;
}

static gboolean
expect_one_change (TrajStore *self, TrajRecordKind kind, GError **error)
{
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND,
                   _("The %s record no longer exists."), traj_kind_to_string (kind));
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_update_patient (TrajStore          *self,
                           const TrajPatient  *p,
                           GError            **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(TrajPatient) work = NULL;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (p != NULL && p->id > 0, FALSE);

  work = traj_patient_copy (p);
  if (!check_patient (self, work, error))
    return FALSE;

  if (!tx_begin (self, error))
    return FALSE;
  stmt = traj_store_stmt (self,
                          "UPDATE patient SET mrn = ?2, name = ?3, birth_date = ?4, sex = ?5, indication = ?6, "
                          "notes = ?7, updated_at = ?8 WHERE id = ?1 AND deleted_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, work->id);
  bind_text (stmt, 2, work->mrn);
  bind_text (stmt, 3, work->name);
  bind_day (stmt, 4, work->birth_day);
  bind_text (stmt, 5, traj_sex_to_string (work->sex));
  bind_text (stmt, 6, traj_indication_to_string (work->indication));
  bind_text (stmt, 7, work->notes);
  sqlite3_bind_int64 (stmt, 8, traj_time_now ());
  if (!step_done (self, stmt, error) || !expect_one_change (self, TRAJ_KIND_PATIENT, error))
    goto fail;
  summary = g_strdup_printf ("patient MRN %s", work->mrn);
  if (!audit_record (self, "update", TRAJ_KIND_PATIENT, work->uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    return FALSE;
  emit_changed (self, TRAJ_KIND_PATIENT, work->id);
  return TRUE;

fail:
  tx_rollback (self);
  return FALSE;
}

#define PATIENT_COLS "id, uid, mrn, name, birth_date, sex, indication, notes, created_at, updated_at, deleted_at"
#define PATIENT_BY_MRN_SQL "SELECT " PATIENT_COLS " FROM patient WHERE mrn = ?1 AND deleted_at IS NULL"

static TrajPatient *
read_patient (sqlite3_stmt *stmt)
{
  TrajPatient *p = traj_patient_new ();

  p->id = sqlite3_column_int64 (stmt, 0);
  p->uid = col_text (stmt, 1);
  p->mrn = col_text (stmt, 2);
  p->name = col_text (stmt, 3);
  p->birth_day = col_day (stmt, 4);
  traj_sex_from_string ((const char *) sqlite3_column_text (stmt, 5), &p->sex);
  traj_indication_from_string ((const char *) sqlite3_column_text (stmt, 6), &p->indication);
  p->notes = col_text (stmt, 7);
  p->created_at = sqlite3_column_int64 (stmt, 8);
  p->updated_at = sqlite3_column_int64 (stmt, 9);
  p->deleted_at = sqlite3_column_int64 (stmt, 10);
  return p;
}

static TrajPatient *
get_patient_where (TrajStore *self, const char *sql, gint64 id, const char *mrn, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, sql, error);
  TrajPatient *p = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  if (mrn)
    bind_text (stmt, 1, mrn);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    p = read_patient (stmt);
  else if (rc == SQLITE_DONE)
    {
      if (mrn)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("No patient has MRN %s."), mrn);
      else
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The patient no longer exists."));
    }
  else
    set_sqlite_error (self, error, rc, "reading a patient");
  sqlite3_reset (stmt);
  return p;
}

TrajPatient *
traj_store_get_patient (TrajStore *self, gint64 id, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  return get_patient_where (self, "SELECT " PATIENT_COLS " FROM patient WHERE id = ?1", id, NULL, error);
}

TrajPatient *
traj_store_find_patient_by_mrn (TrajStore *self, const char *mrn, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  g_return_val_if_fail (mrn != NULL, NULL);
  return get_patient_where (self, PATIENT_BY_MRN_SQL, 0, mrn, error);
}

/* ---- courses ----------------------------------------------------------- */

static gboolean
patient_exists (TrajStore *self, gint64 patient_id, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, "SELECT 1 FROM patient WHERE id = ?1 AND deleted_at IS NULL", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, patient_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NO_PATIENT, _("The patient does not exist."));
  else
    set_sqlite_error (self, error, rc, "checking the patient");
  return FALSE;
}

static gboolean
course_of_patient (TrajStore *self, gint64 course_id, gint64 patient_id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (course_id == 0)
    return TRUE;
  stmt = traj_store_stmt (self, "SELECT 1 FROM course WHERE id = ?1 AND patient_id = ?2 AND deleted_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, course_id);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NO_COURSE, _("The course does not exist for this patient."));
  else
    set_sqlite_error (self, error, rc, "checking the course");
  return FALSE;
}

static gboolean
write_course (TrajStore *self, TrajCourse *c, gboolean insert, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *summary = NULL;

  if (!traj_validate_course (c, traj_day_today (), error))
    return FALSE;
  if (!tx_begin (self, error))
    return FALSE;
  if (!patient_exists (self, c->patient_id, error))
    goto fail;
  if (insert)
    {
      ensure_uid (&c->uid);
      stmt = traj_store_stmt (self,
                              "INSERT INTO course (uid, patient_id, indication, primary_scale, protocol, induction_length, "
                              "start_date, end_date, status, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
    }
  else
    stmt = traj_store_stmt (self,
                            "UPDATE course SET uid = ?1, patient_id = ?2, indication = ?3, primary_scale = ?4, protocol = ?5, "
                            "induction_length = ?6, start_date = ?7, end_date = ?8, status = ?9, notes = ?10 "
                            "WHERE id = ?11 AND deleted_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, c->uid);
  sqlite3_bind_int64 (stmt, 2, c->patient_id);
  bind_text (stmt, 3, traj_indication_to_string (c->indication));
  bind_text (stmt, 4, traj_scale_code (c->primary_scale));
  bind_text (stmt, 5, c->protocol);
  sqlite3_bind_int (stmt, 6, c->induction_length);
  bind_day (stmt, 7, c->start_day);
  bind_day (stmt, 8, c->end_day);
  bind_text (stmt, 9, traj_course_status_to_string (c->status));
  bind_text (stmt, 10, c->notes);
  if (!insert)
    sqlite3_bind_int64 (stmt, 11, c->id);
  if (!step_done (self, stmt, error))
    goto fail;
  if (insert)
    c->id = sqlite3_last_insert_rowid (self->db);
  else if (!expect_one_change (self, TRAJ_KIND_COURSE, error))
    goto fail;
  summary = g_strdup_printf ("course %s, %s", traj_indication_to_string (c->indication),
                             traj_course_status_to_string (c->status));
  if (!audit_record (self, insert ? "insert" : "update", TRAJ_KIND_COURSE, c->uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    goto fail_committed;
  emit_changed (self, TRAJ_KIND_COURSE, c->patient_id);
  return TRUE;

fail:
  tx_rollback (self);
fail_committed:
  if (insert)
    c->id = 0;
  return FALSE;
}

gboolean
traj_store_insert_course (TrajStore *self, TrajCourse *c, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  return write_course (self, c, TRUE, error);
}

gboolean
traj_store_update_course (TrajStore *self, const TrajCourse *c, GError **error)
{
  g_autoptr(TrajCourse) work = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (c->id > 0, FALSE);
  work = traj_course_copy (c);
  return write_course (self, work, FALSE, error);
}

#define COURSE_COLS "id, uid, patient_id, indication, primary_scale, protocol, induction_length, start_date, end_date, status, notes, deleted_at"

static TrajCourse *
read_course (sqlite3_stmt *stmt)
{
  TrajCourse *c = traj_course_new ();
  const TrajScale *scale;

  c->id = sqlite3_column_int64 (stmt, 0);
  c->uid = col_text (stmt, 1);
  c->patient_id = sqlite3_column_int64 (stmt, 2);
  traj_indication_from_string ((const char *) sqlite3_column_text (stmt, 3), &c->indication);
  scale = traj_scale_lookup ((const char *) sqlite3_column_text (stmt, 4));
  c->primary_scale = scale ? scale->id : TRAJ_SCALE_PHQ9;
  c->protocol = col_text (stmt, 5);
  c->induction_length = sqlite3_column_int (stmt, 6);
  c->start_day = col_day (stmt, 7);
  c->end_day = col_day (stmt, 8);
  traj_course_status_from_string ((const char *) sqlite3_column_text (stmt, 9), &c->status);
  c->notes = col_text (stmt, 10);
  c->deleted_at = sqlite3_column_int64 (stmt, 11);
  return c;
}

TrajCourse *
traj_store_get_course (TrajStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, "SELECT " COURSE_COLS " FROM course WHERE id = ?1", error);
  TrajCourse *c = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    c = read_course (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The course no longer exists."));
  else
    set_sqlite_error (self, error, rc, "reading a course");
  sqlite3_reset (stmt);
  return c;
}

/* ---- infusions ---------------------------------------------------------- */

static char *
bits_to_codes (guint bits, const char *(*to_string) (guint), guint n)
{
  GString *s = g_string_new (NULL);

  for (guint k = 0; k < n; k++)
    if (bits & (1u << k))
      {
        if (s->len)
          g_string_append_c (s, ',');
        g_string_append (s, to_string (k));
      }
  return g_string_free (s, FALSE);
}

guint
traj_codes_to_bits (const char *codes, const char *(*to_string) (guint), guint n, gboolean *ok)
{
  g_auto(GStrv) parts = NULL;
  guint bits = 0;

  if (ok)
    *ok = TRUE;
  if (codes == NULL || *codes == '\0')
    return 0;
  parts = g_strsplit (codes, ",", -1);
  for (guint p = 0; parts[p]; p++)
    {
      gboolean found = FALSE;
      g_strstrip (parts[p]);
      if (*parts[p] == '\0')
        continue;
      for (guint k = 0; k < n; k++)
        if (g_ascii_strcasecmp (parts[p], to_string (k)) == 0)
          {
            bits |= 1u << k;
            found = TRUE;
          }
      if (!found && ok)
        *ok = FALSE;
    }
  return bits;
}

char *
traj_side_effects_to_codes (guint bits)
{
  return bits_to_codes (bits, traj_side_effect_to_string, TRAJ_N_SIDE_EFFECTS);
}

char *
traj_concomitant_to_codes (guint bits)
{
  return bits_to_codes (bits, traj_concomitant_to_string, TRAJ_N_CONCOMITANTS);
}

static int
compare_vitals (gconstpointer a, gconstpointer b)
{
  const TrajVitalSign *va = *(TrajVitalSign **) a;
  const TrajVitalSign *vb = *(TrajVitalSign **) b;
  return (va->minute > vb->minute) - (va->minute < vb->minute);
}

static gboolean
write_vitals (TrajStore *self, TrajInfusion *i, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = traj_store_stmt (self, "DELETE FROM vital_sign WHERE infusion_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, i->id);
  if (!step_done (self, stmt, error))
    return FALSE;

  g_ptr_array_sort (i->vitals, compare_vitals);
  for (guint k = 0; k < i->vitals->len; k++)
    {
      TrajVitalSign *v = g_ptr_array_index (i->vitals, k);

      ensure_uid (&v->uid);
      v->infusion_id = i->id;
      stmt = traj_store_stmt (self,
                              "INSERT INTO vital_sign (uid, infusion_id, minute, systolic, diastolic, heart_rate, spo2, resp_rate) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
      if (stmt == NULL)
        return FALSE;
      bind_text (stmt, 1, v->uid);
      sqlite3_bind_int64 (stmt, 2, i->id);
      sqlite3_bind_int (stmt, 3, v->minute);
      bind_int_or_null (stmt, 4, v->systolic);
      bind_int_or_null (stmt, 5, v->diastolic);
      bind_int_or_null (stmt, 6, v->heart_rate);
      bind_int_or_null (stmt, 7, v->spo2);
      bind_int_or_null (stmt, 8, v->resp_rate);
      if (!step_done (self, stmt, error))
        return FALSE;
      v->id = sqlite3_last_insert_rowid (self->db);
    }
  return TRUE;
}

static gboolean
write_infusion (TrajStore *self, TrajInfusion *i, gboolean insert, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *side = NULL, *conc = NULL, *summary = NULL;

  if (!traj_validate_infusion (i, traj_time_now (), error))
    return FALSE;
  if (!tx_begin (self, error))
    return FALSE;
  if (!patient_exists (self, i->patient_id, error) ||
      !course_of_patient (self, i->course_id, i->patient_id, error))
    goto fail;

  side = traj_side_effects_to_codes (i->side_effects);
  conc = traj_concomitant_to_codes (i->concomitant);
  if (insert)
    {
      ensure_uid (&i->uid);
      stmt = traj_store_stmt (self,
                              "INSERT INTO infusion (uid, patient_id, course_id, started_at, duration_min, route, medicine, lot, "
                              "phase, weight_kg, dose_mg_per_kg, total_mg, side_effects, side_effect_note, concomitant, "
                              "monitoring_min, ready_at, clinician, notes) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                              error);
    }
  else
    stmt = traj_store_stmt (self,
                            "UPDATE infusion SET uid = ?1, patient_id = ?2, course_id = ?3, started_at = ?4, duration_min = ?5, "
                            "route = ?6, medicine = ?7, lot = ?8, phase = ?9, weight_kg = ?10, dose_mg_per_kg = ?11, "
                            "total_mg = ?12, side_effects = ?13, side_effect_note = ?14, concomitant = ?15, "
                            "monitoring_min = ?16, ready_at = ?17, clinician = ?18, notes = ?19 "
                            "WHERE id = ?20 AND deleted_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, i->uid);
  sqlite3_bind_int64 (stmt, 2, i->patient_id);
  bind_id_or_null (stmt, 3, i->course_id);
  sqlite3_bind_int64 (stmt, 4, i->started_at);
  sqlite3_bind_int (stmt, 5, i->duration_min);
  bind_text (stmt, 6, traj_route_to_string (i->route));
  bind_text (stmt, 7, traj_medicine_to_string (i->medicine));
  bind_text (stmt, 8, i->lot);
  bind_text (stmt, 9, traj_phase_to_string (i->phase));
  sqlite3_bind_double (stmt, 10, i->weight_kg);
  sqlite3_bind_double (stmt, 11, i->dose_mg_per_kg);
  sqlite3_bind_double (stmt, 12, i->total_mg);
  bind_text (stmt, 13, side);
  bind_text (stmt, 14, i->side_effect_note);
  bind_text (stmt, 15, conc);
  sqlite3_bind_int (stmt, 16, i->monitoring_min);
  if (i->ready_at != TRAJ_TIME_NONE)
    sqlite3_bind_int64 (stmt, 17, i->ready_at);
  else
    sqlite3_bind_null (stmt, 17);
  bind_text (stmt, 18, i->clinician);
  bind_text (stmt, 19, i->notes);
  if (!insert)
    sqlite3_bind_int64 (stmt, 20, i->id);
  if (!step_done (self, stmt, error))
    goto fail;
  if (insert)
    i->id = sqlite3_last_insert_rowid (self->db);
  else if (!expect_one_change (self, TRAJ_KIND_INFUSION, error))
    goto fail;
  if (!write_vitals (self, i, error))
    goto fail;
  summary = g_strdup_printf ("infusion %s %s %.2f mg/kg %.1f mg, %u vital readings",
                             traj_route_to_string (i->route), traj_phase_to_string (i->phase),
                             i->dose_mg_per_kg, i->total_mg, i->vitals->len);
  if (!audit_record (self, insert ? "insert" : "update", TRAJ_KIND_INFUSION, i->uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    goto fail_committed;
  emit_changed (self, TRAJ_KIND_INFUSION, i->patient_id);
  return TRUE;

fail:
  tx_rollback (self);
fail_committed:
  if (insert)
    i->id = 0;
  return FALSE;
}

gboolean
traj_store_insert_infusion (TrajStore *self, TrajInfusion *i, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  return write_infusion (self, i, TRUE, error);
}

gboolean
traj_store_update_infusion (TrajStore *self, TrajInfusion *i, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (i->id > 0, FALSE);
  return write_infusion (self, i, FALSE, error);
}

#define INFUSION_COLS "i.id, i.uid, i.patient_id, i.course_id, i.started_at, i.duration_min, i.route, i.medicine, i.lot, " \
  "i.phase, i.weight_kg, i.dose_mg_per_kg, i.total_mg, i.side_effects, i.side_effect_note, i.concomitant, " \
  "i.monitoring_min, i.ready_at, i.clinician, i.notes, i.deleted_at"
#define VITAL_COLS "v.id, v.uid, v.minute, v.systolic, v.diastolic, v.heart_rate, v.spo2, v.resp_rate"
#define N_INFUSION_COLS 21

static TrajInfusion *
read_infusion (sqlite3_stmt *stmt)
{
  TrajInfusion *i = traj_infusion_new ();

  i->id = sqlite3_column_int64 (stmt, 0);
  i->uid = col_text (stmt, 1);
  i->patient_id = sqlite3_column_int64 (stmt, 2);
  i->course_id = sqlite3_column_int64 (stmt, 3);
  i->started_at = sqlite3_column_int64 (stmt, 4);
  i->duration_min = sqlite3_column_int (stmt, 5);
  traj_route_from_string ((const char *) sqlite3_column_text (stmt, 6), &i->route);
  traj_medicine_from_string ((const char *) sqlite3_column_text (stmt, 7), &i->medicine);
  i->lot = col_text (stmt, 8);
  traj_phase_from_string ((const char *) sqlite3_column_text (stmt, 9), &i->phase);
  i->weight_kg = sqlite3_column_double (stmt, 10);
  i->dose_mg_per_kg = sqlite3_column_double (stmt, 11);
  i->total_mg = sqlite3_column_double (stmt, 12);
  i->side_effects = traj_codes_to_bits ((const char *) sqlite3_column_text (stmt, 13),
                                        traj_side_effect_to_string, TRAJ_N_SIDE_EFFECTS, NULL);
  i->side_effect_note = col_text (stmt, 14);
  i->concomitant = traj_codes_to_bits ((const char *) sqlite3_column_text (stmt, 15),
                                       traj_concomitant_to_string, TRAJ_N_CONCOMITANTS, NULL);
  i->monitoring_min = sqlite3_column_int (stmt, 16);
  i->ready_at = sqlite3_column_int64 (stmt, 17);
  i->clinician = col_text (stmt, 18);
  i->notes = col_text (stmt, 19);
  i->deleted_at = sqlite3_column_int64 (stmt, 20);
  return i;
}

static void
read_vital_into (sqlite3_stmt *stmt, int base, TrajInfusion *i)
{
  TrajVitalSign *v;

  if (sqlite3_column_type (stmt, base) == SQLITE_NULL)
    return;
  v = traj_vital_sign_new (sqlite3_column_int (stmt, base + 2));
  v->id = sqlite3_column_int64 (stmt, base);
  v->uid = col_text (stmt, base + 1);
  v->infusion_id = i->id;
  v->systolic = col_int_or (stmt, base + 3, -1);
  v->diastolic = col_int_or (stmt, base + 4, -1);
  v->heart_rate = col_int_or (stmt, base + 5, -1);
  v->spo2 = col_int_or (stmt, base + 6, -1);
  v->resp_rate = col_int_or (stmt, base + 7, -1);
  g_ptr_array_add (i->vitals, v);
}

TrajInfusion *
traj_store_get_infusion (TrajStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self,
                                        "SELECT " INFUSION_COLS ", " VITAL_COLS " FROM infusion i "
                                        "LEFT JOIN vital_sign v ON v.infusion_id = i.id WHERE i.id = ?1 ORDER BY v.minute, v.id",
                                        error);
  TrajInfusion *i = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (i == NULL)
        i = read_infusion (stmt);
      read_vital_into (stmt, N_INFUSION_COLS, i);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (&i, traj_infusion_free);
      set_sqlite_error (self, error, rc, "reading an infusion");
    }
  else if (i == NULL)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The infusion no longer exists."));
  return i;
}

/* ---- assessments --------------------------------------------------------- */

static gboolean
write_assessment (TrajStore *self, TrajAssessment *a, gboolean insert, GError **error)
{
  const TrajScale *scale = traj_scale_get (a->scale);
  sqlite3_stmt *stmt;
  g_autofree char *summary = NULL;

  if (!traj_validate_assessment (a, traj_time_now (), error))
    return FALSE;
  traj_assessment_rescore (a);

  if (!tx_begin (self, error))
    return FALSE;
  if (!patient_exists (self, a->patient_id, error) ||
      !course_of_patient (self, a->course_id, a->patient_id, error))
    goto fail;
  if (insert)
    {
      ensure_uid (&a->uid);
      stmt = traj_store_stmt (self,
                              "INSERT INTO assessment (uid, patient_id, course_id, infusion_id, scale, taken_at, source, timing, "
                              "complete, total, difficulty, clinician, notes) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", error);
    }
  else
    stmt = traj_store_stmt (self,
                            "UPDATE assessment SET uid = ?1, patient_id = ?2, course_id = ?3, infusion_id = ?4, scale = ?5, "
                            "taken_at = ?6, source = ?7, timing = ?8, complete = ?9, total = ?10, difficulty = ?11, "
                            "clinician = ?12, notes = ?13 WHERE id = ?14 AND deleted_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, a->uid);
  sqlite3_bind_int64 (stmt, 2, a->patient_id);
  bind_id_or_null (stmt, 3, a->course_id);
  bind_id_or_null (stmt, 4, a->infusion_id);
  bind_text (stmt, 5, scale->code);
  sqlite3_bind_int64 (stmt, 6, a->taken_at);
  bind_text (stmt, 7, traj_source_to_string (a->source));
  bind_text (stmt, 8, traj_timing_to_string (a->timing));
  sqlite3_bind_int (stmt, 9, a->complete);
  bind_int_or_null (stmt, 10, a->total);
  bind_int_or_null (stmt, 11, a->difficulty);
  bind_text (stmt, 12, a->clinician);
  bind_text (stmt, 13, a->notes);
  if (!insert)
    sqlite3_bind_int64 (stmt, 14, a->id);
  if (!step_done (self, stmt, error))
    goto fail;
  if (insert)
    a->id = sqlite3_last_insert_rowid (self->db);
  else if (!expect_one_change (self, TRAJ_KIND_ASSESSMENT, error))
    goto fail;

  stmt = traj_store_stmt (self, "DELETE FROM assessment_item WHERE assessment_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, a->id);
  if (!step_done (self, stmt, error))
    goto fail;
  for (guint k = 0; k < scale->n_items; k++)
    {
      if (a->items[k] < 0)
        continue;
      stmt = traj_store_stmt (self, "INSERT INTO assessment_item (assessment_id, item, value) VALUES (?1, ?2, ?3)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, a->id);
      sqlite3_bind_int (stmt, 2, (int) k + 1);
      sqlite3_bind_int (stmt, 3, a->items[k]);
      if (!step_done (self, stmt, error))
        goto fail;
    }

  if (a->complete)
    summary = g_strdup_printf ("%s total %d (%s)", scale->code, a->total, traj_source_to_string (a->source));
  else
    summary = g_strdup_printf ("%s draft (%s)", scale->code, traj_source_to_string (a->source));
  if (!audit_record (self, insert ? "insert" : "update", TRAJ_KIND_ASSESSMENT, a->uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    goto fail_committed;
  emit_changed (self, TRAJ_KIND_ASSESSMENT, a->patient_id);
  return TRUE;

fail:
  tx_rollback (self);
fail_committed:
  if (insert)
    a->id = 0;
  return FALSE;
}

gboolean
traj_store_insert_assessment (TrajStore *self, TrajAssessment *a, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  return write_assessment (self, a, TRUE, error);
}

gboolean
traj_store_update_assessment (TrajStore *self, TrajAssessment *a, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (a->id > 0, FALSE);
  return write_assessment (self, a, FALSE, error);
}

#define ASSESSMENT_COLS "a.id, a.uid, a.patient_id, a.course_id, a.infusion_id, a.scale, a.taken_at, a.source, a.timing, " \
  "a.complete, a.total, a.difficulty, a.clinician, a.notes, a.deleted_at"
#define N_ASSESSMENT_COLS 15

static TrajAssessment *
read_assessment (sqlite3_stmt *stmt)
{
  const TrajScale *scale = traj_scale_lookup ((const char *) sqlite3_column_text (stmt, 5));
  TrajAssessment *a = traj_assessment_new (scale ? scale->id : TRAJ_SCALE_NONE);

  a->id = sqlite3_column_int64 (stmt, 0);
  a->uid = col_text (stmt, 1);
  a->patient_id = sqlite3_column_int64 (stmt, 2);
  a->course_id = sqlite3_column_int64 (stmt, 3);
  a->infusion_id = sqlite3_column_int64 (stmt, 4);
  a->taken_at = sqlite3_column_int64 (stmt, 6);
  traj_source_from_string ((const char *) sqlite3_column_text (stmt, 7), &a->source);
  traj_timing_from_string ((const char *) sqlite3_column_text (stmt, 8), &a->timing);
  a->complete = sqlite3_column_int (stmt, 9) != 0;
  a->total = col_int_or (stmt, 10, -1);
  a->difficulty = col_int_or (stmt, 11, -1);
  a->clinician = col_text (stmt, 12);
  a->notes = col_text (stmt, 13);
  a->deleted_at = sqlite3_column_int64 (stmt, 14);
  return a;
}

static void
read_item_into (sqlite3_stmt *stmt, int base, TrajAssessment *a)
{
  int item;

  if (sqlite3_column_type (stmt, base) == SQLITE_NULL)
    return;
  item = sqlite3_column_int (stmt, base);
  if (item >= 1 && item <= TRAJ_MAX_ITEMS)
    a->items[item - 1] = sqlite3_column_int (stmt, base + 1);
}

TrajAssessment *
traj_store_get_assessment (TrajStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self,
                                        "SELECT " ASSESSMENT_COLS ", ai.item, ai.value FROM assessment a "
                                        "LEFT JOIN assessment_item ai ON ai.assessment_id = a.id WHERE a.id = ?1",
                                        error);
  TrajAssessment *a = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (a == NULL)
        a = read_assessment (stmt);
      read_item_into (stmt, N_ASSESSMENT_COLS, a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (&a, traj_assessment_free);
      set_sqlite_error (self, error, rc, "reading an assessment");
    }
  else if (a == NULL)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The assessment no longer exists."));
  return a;
}

/* ---- flag decisions ------------------------------------------------------ */

gboolean
traj_store_insert_flag_decision (TrajStore *self, TrajFlagDecision *d, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (d->kind == NULL || *d->kind == '\0' || d->finding_key == NULL || *d->finding_key == '\0' ||
      d->decision == NULL || *d->decision == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Choose a decision for the finding."));
      return FALSE;
    }
  if (!tx_begin (self, error))
    return FALSE;
  if (!patient_exists (self, d->patient_id, error) ||
      !course_of_patient (self, d->course_id, d->patient_id, error))
    goto fail;
  ensure_uid (&d->uid);
  if (d->decided_at == 0)
    d->decided_at = traj_time_now ();
  if (d->decided_by == NULL || *d->decided_by == '\0')
    {
      g_free (d->decided_by);
      d->decided_by = g_strdup (*self->clinician ? self->clinician : self->os_user);
    }
  stmt = traj_store_stmt (self,
                          "INSERT INTO flag_decision (uid, patient_id, course_id, kind, finding_key, fired_at, decision, note, "
                          "decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, d->uid);
  sqlite3_bind_int64 (stmt, 2, d->patient_id);
  bind_id_or_null (stmt, 3, d->course_id);
  bind_text (stmt, 4, d->kind);
  bind_text (stmt, 5, d->finding_key);
  sqlite3_bind_int64 (stmt, 6, d->fired_at);
  bind_text (stmt, 7, d->decision);
  bind_text (stmt, 8, d->note);
  bind_text (stmt, 9, d->decided_by);
  sqlite3_bind_int64 (stmt, 10, d->decided_at);
  if (!step_done (self, stmt, error))
    goto fail;
  d->id = sqlite3_last_insert_rowid (self->db);
  summary = g_strdup_printf ("%s: %s", d->kind, d->decision);
  if (!audit_record (self, "insert", TRAJ_KIND_FLAG_DECISION, d->uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    {
      d->id = 0;
      return FALSE;
    }
  emit_changed (self, TRAJ_KIND_FLAG_DECISION, d->patient_id);
  return TRUE;

fail:
  tx_rollback (self);
  d->id = 0;
  return FALSE;
}

#define DECISION_COLS "id, uid, patient_id, course_id, kind, finding_key, fired_at, decision, note, decided_by, decided_at, deleted_at"

static TrajFlagDecision *
read_decision (sqlite3_stmt *stmt)
{
  TrajFlagDecision *d = traj_flag_decision_new ();

  d->id = sqlite3_column_int64 (stmt, 0);
  d->uid = col_text (stmt, 1);
  d->patient_id = sqlite3_column_int64 (stmt, 2);
  d->course_id = sqlite3_column_int64 (stmt, 3);
  d->kind = col_text (stmt, 4);
  d->finding_key = col_text (stmt, 5);
  d->fired_at = sqlite3_column_int64 (stmt, 6);
  d->decision = col_text (stmt, 7);
  d->note = col_text (stmt, 8);
  d->decided_by = col_text (stmt, 9);
  d->decided_at = sqlite3_column_int64 (stmt, 10);
  d->deleted_at = sqlite3_column_int64 (stmt, 11);
  return d;
}

/* ---- delete / undelete ---------------------------------------------------- */

static const char *
kind_table (TrajRecordKind kind)
{
  switch (kind)
    {
    case TRAJ_KIND_PATIENT: return "patient";
    case TRAJ_KIND_COURSE: return "course";
    case TRAJ_KIND_INFUSION: return "infusion";
    case TRAJ_KIND_ASSESSMENT: return "assessment";
    case TRAJ_KIND_FLAG_DECISION: return "flag_decision";
    case TRAJ_KIND_VITAL_SIGN:
    case TRAJ_KIND_KIOSK_CHECKIN:
    case TRAJ_N_KINDS:
    default:
      return NULL;
    }
}

static gboolean
set_deleted (TrajStore *self, TrajRecordKind kind, gint64 id, gboolean deleted, GError **error)
{
  static const char *select_sql[TRAJ_N_KINDS] = {
    [TRAJ_KIND_PATIENT] = "SELECT uid, id, deleted_at FROM patient WHERE id = ?1",
    [TRAJ_KIND_COURSE] = "SELECT uid, patient_id, deleted_at FROM course WHERE id = ?1",
    [TRAJ_KIND_INFUSION] = "SELECT uid, patient_id, deleted_at FROM infusion WHERE id = ?1",
    [TRAJ_KIND_ASSESSMENT] = "SELECT uid, patient_id, deleted_at FROM assessment WHERE id = ?1",
    [TRAJ_KIND_FLAG_DECISION] = "SELECT uid, patient_id, deleted_at FROM flag_decision WHERE id = ?1",
  };
  static const char *update_sql[2][TRAJ_N_KINDS] = {
    {
      [TRAJ_KIND_PATIENT] = "UPDATE patient SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_COURSE] = "UPDATE course SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_INFUSION] = "UPDATE infusion SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_ASSESSMENT] = "UPDATE assessment SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_FLAG_DECISION] = "UPDATE flag_decision SET deleted_at = NULL WHERE id = ?1",
    },
    {
      [TRAJ_KIND_PATIENT] = "UPDATE patient SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_COURSE] = "UPDATE course SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_INFUSION] = "UPDATE infusion SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_ASSESSMENT] = "UPDATE assessment SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_FLAG_DECISION] = "UPDATE flag_decision SET deleted_at = ?2 WHERE id = ?1",
    },
  };
  sqlite3_stmt *stmt;
  g_autofree char *uid = NULL;
  gint64 patient_id, old_deleted_at, now = traj_time_now ();
  int rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (kind_table (kind) == NULL)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("This kind of record cannot be deleted."));
      return FALSE;
    }

  if (!tx_begin (self, error))
    return FALSE;
  stmt = traj_store_stmt (self, select_sql[kind], error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The %s record does not exist."), kind_table (kind));
      else
        set_sqlite_error (self, error, rc, "deleting");
      goto fail;
    }
  uid = col_text (stmt, 0);
  patient_id = sqlite3_column_int64 (stmt, 1);
  old_deleted_at = sqlite3_column_int64 (stmt, 2);
  sqlite3_reset (stmt);

  if (deleted == (old_deleted_at != 0))
    {
      /* Already in the wanted state: nothing to do, nothing to audit. */
      tx_rollback (self);
      return TRUE;
    }

  /* The stamp of a course deletion is what undo matches on, so it must not
   * equal the stamp of a record of the course deleted on its own before
   * (within the same second), or undo would bring that record back too. */
  if (deleted && kind == TRAJ_KIND_COURSE)
    {
      stmt = traj_store_stmt (self,
                              "SELECT max(d) FROM (SELECT max(deleted_at) AS d FROM infusion WHERE course_id = ?1 "
                              "UNION ALL SELECT max(deleted_at) FROM assessment WHERE course_id = ?1)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) >= now)
        now = sqlite3_column_int64 (stmt, 0) + 1;
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (self, error, rc, "deleting");
          goto fail;
        }
    }

  stmt = traj_store_stmt (self, update_sql[deleted][kind], error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (deleted)
    sqlite3_bind_int64 (stmt, 2, now);
  if (!step_done (self, stmt, error))
    goto fail;

  /* A course takes its infusions and assessments with it; undo brings back
   * exactly the ones hidden in the same stroke (same timestamp). */
  if (kind == TRAJ_KIND_COURSE)
    {
      const char *cascade[2][2] = {
        { "UPDATE infusion SET deleted_at = NULL WHERE course_id = ?1 AND deleted_at = ?2",
          "UPDATE assessment SET deleted_at = NULL WHERE course_id = ?1 AND deleted_at = ?2" },
        { "UPDATE infusion SET deleted_at = ?2 WHERE course_id = ?1 AND deleted_at IS NULL",
          "UPDATE assessment SET deleted_at = ?2 WHERE course_id = ?1 AND deleted_at IS NULL" },
      };
      for (guint k = 0; k < 2; k++)
        {
          stmt = traj_store_stmt (self, cascade[deleted][k], error);
          if (stmt == NULL)
            goto fail;
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_int64 (stmt, 2, deleted ? now : old_deleted_at);
          if (!step_done (self, stmt, error))
            goto fail;
        }
    }

  if (!audit_record (self, deleted ? "delete" : "undelete", kind, uid, kind_table (kind), error))
    goto fail;
  if (!tx_commit (self, error))
    return FALSE;
  emit_changed (self, kind, patient_id);
  return TRUE;

fail:
  tx_rollback (self);
  return FALSE;
}

gboolean
traj_store_delete (TrajStore *self, TrajRecordKind kind, gint64 id, GError **error)
{
  return set_deleted (self, kind, id, TRUE, error);
}

gboolean
traj_store_undelete (TrajStore *self, TrajRecordKind kind, gint64 id, GError **error)
{
  return set_deleted (self, kind, id, FALSE, error);
}

/* ---- patient list ---------------------------------------------------------- */

void
traj_patient_summary_free (TrajPatientSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->uid);
  g_free (s->mrn);
  g_free (s->name);
  g_free (s->search_key);
  g_free (s);
}

#define SUMMARY_SQL \
  "SELECT p.id, p.uid, p.mrn, p.name, p.birth_date, p.sex, p.indication, c.id, c.status, c.primary_scale, " \
  "  (SELECT count(*) FROM infusion i WHERE i.course_id = c.id AND i.deleted_at IS NULL), " \
  "  (SELECT max(i.started_at) FROM infusion i WHERE i.patient_id = p.id AND i.deleted_at IS NULL) " \
  "FROM patient p LEFT JOIN course c ON c.id = (SELECT c2.id FROM course c2 WHERE c2.patient_id = p.id " \
  "  AND c2.deleted_at IS NULL ORDER BY c2.status = 'ended', c2.start_date DESC, c2.id DESC LIMIT 1) " \
  "WHERE p.deleted_at IS NULL "

#define LATEST_SCORES_SQL \
  "SELECT total, taken_at FROM assessment WHERE patient_id = ?1 AND scale = ?2 " \
  "AND complete = 1 AND deleted_at IS NULL ORDER BY taken_at DESC LIMIT 2"
static gboolean
fill_scores (TrajStore *self, TrajPatientSummary *s, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, LATEST_SCORES_SQL, error);
  int rc, n = 0;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, s->id);
  bind_text (stmt, 2, traj_scale_code (s->primary_scale));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (n == 0)
        {
          s->latest_score = sqlite3_column_int (stmt, 0);
          s->latest_score_at = sqlite3_column_int64 (stmt, 1);
        }
      else
        s->previous_score = sqlite3_column_int (stmt, 0);
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "reading scores");
      return FALSE;
    }
  return TRUE;
}

static TrajPatientSummary *
read_summary (sqlite3_stmt *stmt)
{
  TrajPatientSummary *s = g_new0 (TrajPatientSummary, 1);
  g_autofree char *key = NULL;

  s->id = sqlite3_column_int64 (stmt, 0);
  s->uid = col_text (stmt, 1);
  s->mrn = col_text (stmt, 2);
  s->name = col_text (stmt, 3);
  s->birth_day = col_day (stmt, 4);
  traj_sex_from_string ((const char *) sqlite3_column_text (stmt, 5), &s->sex);
  traj_indication_from_string ((const char *) sqlite3_column_text (stmt, 6), &s->indication);
  s->has_course = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
  if (s->has_course)
    {
      const TrajScale *scale = traj_scale_lookup ((const char *) sqlite3_column_text (stmt, 9));
      traj_course_status_from_string ((const char *) sqlite3_column_text (stmt, 8), &s->course_status);
      s->primary_scale = scale ? scale->id : traj_indication_default_scale (s->indication);
    }
  else
    s->primary_scale = traj_indication_default_scale (s->indication);
  s->infusion_count = sqlite3_column_int (stmt, 10);
  s->last_infusion_at = sqlite3_column_int64 (stmt, 11);
  s->latest_score = s->previous_score = -1;
  s->open_findings = -1;
  key = g_strconcat (s->name, "\n", s->mrn, NULL);
  s->search_key = g_utf8_casefold (key, -1);
  return s;
}

GPtrArray *
traj_store_list_patients (TrajStore *self, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, SUMMARY_SQL "ORDER BY p.name COLLATE NOCASE, p.mrn", error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read_summary (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "listing patients");
      return NULL;
    }
  for (guint k = 0; k < out->len; k++)
    if (!fill_scores (self, g_ptr_array_index (out, k), error))
      return NULL;
  return g_steal_pointer (&out);
}

TrajPatientSummary *
traj_store_get_patient_summary (TrajStore *self, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, SUMMARY_SQL "AND p.id = ?1", error);
  g_autoptr(TrajPatientSummary) s = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    s = read_summary (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The patient no longer exists."));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc, "reading a patient");
      return NULL;
    }
  if (!fill_scores (self, s, error))
    return NULL;
  return g_steal_pointer (&s);
}

/* ---- records of patients ----------------------------------------------------- */

/* Five ordered streams (patients, courses, infusions+vitals,
 * assessments+items, decisions) walked side by side, one patient at a time:
 * a constant number of queries whether one patient or the whole clinic. */
typedef struct {
  sqlite3_stmt *stmt[5];
  int rc[5];
} Streams;

enum { S_PATIENT, S_COURSE, S_INFUSION, S_ASSESSMENT, S_DECISION };

#define LIVE_INFUSIONS "FROM infusion i LEFT JOIN vital_sign v ON v.infusion_id = i.id WHERE i.deleted_at IS NULL "
#define LIVE_ASSESSMENTS "FROM assessment a LEFT JOIN assessment_item ai ON ai.assessment_id = a.id WHERE a.deleted_at IS NULL "

static const char *one_patient_sql[5] = {
  "SELECT " PATIENT_COLS " FROM patient WHERE id = ?1 AND deleted_at IS NULL",
  "SELECT " COURSE_COLS " FROM course WHERE patient_id = ?1 AND deleted_at IS NULL ORDER BY patient_id, start_date, id",
  "SELECT " INFUSION_COLS ", " VITAL_COLS " " LIVE_INFUSIONS "AND i.patient_id = ?1 "
  "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id",
  "SELECT " ASSESSMENT_COLS ", ai.item, ai.value " LIVE_ASSESSMENTS "AND a.patient_id = ?1 "
  "ORDER BY a.patient_id, a.taken_at, a.id",
  "SELECT " DECISION_COLS " FROM flag_decision WHERE patient_id = ?1 AND deleted_at IS NULL ORDER BY patient_id, decided_at, id",
};

static const char *all_patients_sql[5] = {
  "SELECT " PATIENT_COLS " FROM patient WHERE deleted_at IS NULL ORDER BY id",
  "SELECT " COURSE_COLS " FROM course WHERE deleted_at IS NULL ORDER BY patient_id, start_date, id",
  "SELECT " INFUSION_COLS ", " VITAL_COLS " " LIVE_INFUSIONS "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id",
  "SELECT " ASSESSMENT_COLS ", ai.item, ai.value " LIVE_ASSESSMENTS "ORDER BY a.patient_id, a.taken_at, a.id",
  "SELECT " DECISION_COLS " FROM flag_decision WHERE deleted_at IS NULL ORDER BY patient_id, decided_at, id",
};

/* Column holding patient_id in each stream. */
static const int patient_col[5] = { 0, 2, 2, 2, 2 };

static gboolean
streams_open (TrajStore *self, Streams *s, const char **sql, gint64 patient_id, GError **error)
{
  for (guint k = 0; k < 5; k++)
    {
      s->stmt[k] = traj_store_stmt (self, sql[k], error);
      if (s->stmt[k] == NULL)
        return FALSE;
      if (patient_id > 0)
        sqlite3_bind_int64 (s->stmt[k], 1, patient_id);
      s->rc[k] = sqlite3_step (s->stmt[k]);
    }
  return TRUE;
}

static void
streams_close (Streams *s)
{
  for (guint k = 0; k < 5; k++)
    if (s->stmt[k])
      sqlite3_reset (s->stmt[k]);
}

static gboolean
streams_error (TrajStore *self, Streams *s, GError **error)
{
  for (guint k = 0; k < 5; k++)
    if (s->rc[k] != SQLITE_ROW && s->rc[k] != SQLITE_DONE)
      {
        set_sqlite_error (self, error, s->rc[k], "reading records");
        return TRUE;
      }
  return FALSE;
}

static gboolean
stream_at (Streams *s, guint k, gint64 patient_id)
{
  return s->rc[k] == SQLITE_ROW && sqlite3_column_int64 (s->stmt[k], patient_col[k]) == patient_id;
}

/* Reads the current patient row and everything of theirs from the other
 * streams, leaving each stream on the next patient's first row. */
static TrajPatientRecords *
streams_next (Streams *s)
{
  TrajPatientRecords *r;
  gint64 pid;

  if (s->rc[S_PATIENT] != SQLITE_ROW)
    return NULL;
  r = traj_patient_records_new ();
  r->patient = read_patient (s->stmt[S_PATIENT]);
  pid = r->patient->id;
  s->rc[S_PATIENT] = sqlite3_step (s->stmt[S_PATIENT]);

  /* Skip rows of patients that are not live (hidden patients). */
  for (guint k = S_COURSE; k <= S_DECISION; k++)
    while (s->rc[k] == SQLITE_ROW && sqlite3_column_int64 (s->stmt[k], patient_col[k]) < pid)
      s->rc[k] = sqlite3_step (s->stmt[k]);

  while (stream_at (s, S_COURSE, pid))
    {
      g_ptr_array_add (r->courses, read_course (s->stmt[S_COURSE]));
      s->rc[S_COURSE] = sqlite3_step (s->stmt[S_COURSE]);
    }
  while (stream_at (s, S_INFUSION, pid))
    {
      TrajInfusion *i = read_infusion (s->stmt[S_INFUSION]);
      g_ptr_array_add (r->infusions, i);
      do
        {
          read_vital_into (s->stmt[S_INFUSION], N_INFUSION_COLS, i);
          s->rc[S_INFUSION] = sqlite3_step (s->stmt[S_INFUSION]);
        }
      while (s->rc[S_INFUSION] == SQLITE_ROW && sqlite3_column_int64 (s->stmt[S_INFUSION], 0) == i->id);
    }
  while (stream_at (s, S_ASSESSMENT, pid))
    {
      TrajAssessment *a = read_assessment (s->stmt[S_ASSESSMENT]);
      g_ptr_array_add (r->assessments, a);
      do
        {
          read_item_into (s->stmt[S_ASSESSMENT], N_ASSESSMENT_COLS, a);
          s->rc[S_ASSESSMENT] = sqlite3_step (s->stmt[S_ASSESSMENT]);
        }
      while (s->rc[S_ASSESSMENT] == SQLITE_ROW && sqlite3_column_int64 (s->stmt[S_ASSESSMENT], 0) == a->id);
    }
  while (stream_at (s, S_DECISION, pid))
    {
      g_ptr_array_add (r->decisions, read_decision (s->stmt[S_DECISION]));
      s->rc[S_DECISION] = sqlite3_step (s->stmt[S_DECISION]);
    }
  return r;
}

TrajPatientRecords *
traj_store_load_patient_records (TrajStore *self, gint64 patient_id, GError **error)
{
  Streams s = { 0 };
  TrajPatientRecords *r = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  /* One read transaction so the five queries see the same snapshot. */
  if (self->tx_depth == 0 && !exec (self, "BEGIN", error))
    return NULL;
  if (streams_open (self, &s, one_patient_sql, patient_id, error))
    {
      r = streams_next (&s);
      if (streams_error (self, &s, error))
        g_clear_pointer (&r, traj_patient_records_free);
      else if (r == NULL)
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The patient no longer exists."));
    }
  streams_close (&s);
  if (self->tx_depth == 0)
    exec (self, "COMMIT", NULL);
  return r;
}

/* The clinic scan limited to patient ids in [first, last]: the same five
 * streams with a range condition, built once from all_patients_sql. */
static const char **
range_sql (void)
{
  static const char *sql[5];
  static gsize once = 0;
  static const char *column[5] = { "id", "patient_id", "i.patient_id", "a.patient_id", "patient_id" };

  if (g_once_init_enter (&once))
    {
      for (guint k = 0; k < 5; k++)
        {
          const char *order = strstr (all_patients_sql[k], " ORDER BY");
          g_autofree char *head = g_strndup (all_patients_sql[k], order - all_patients_sql[k]);
          sql[k] = g_strdup_printf ("%s AND %s BETWEEN ?1 AND ?2%s", head, column[k], order);
        }
      g_once_init_leave (&once, 1);
    }
  return sql;
}

static gboolean
foreach_records (TrajStore      *self,
                 gint64          first_id,
                 gint64          last_id,
                 TrajRecordsFunc func,
                 gpointer        user_data,
                 GCancellable   *cancellable,
                 GError        **error)
{
  Streams s = { 0 };
  gboolean ok = TRUE;
  gboolean ranged = first_id > 0 || last_id > 0;
  TrajPatientRecords *r;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (self->tx_depth == 0 && !exec (self, "BEGIN", error))
    return FALSE;
  if (!streams_open (self, &s, ranged ? range_sql () : all_patients_sql, 0, error))
    ok = FALSE;
  if (ok && ranged)
    {
      /* Rebind the range and read the first rows again. */
      for (guint k = 0; k < 5; k++)
        {
          sqlite3_reset (s.stmt[k]);
          sqlite3_bind_int64 (s.stmt[k], 1, first_id);
          sqlite3_bind_int64 (s.stmt[k], 2, last_id > 0 ? last_id : G_MAXINT64);
          s.rc[k] = sqlite3_step (s.stmt[k]);
        }
    }
  while (ok && (r = streams_next (&s)) != NULL)
    {
      gboolean go_on = func (r, user_data);
      traj_patient_records_free (r);
      if (!go_on)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
    }
  if (ok && streams_error (self, &s, error))
    ok = FALSE;
  streams_close (&s);
  if (self->tx_depth == 0)
    exec (self, "COMMIT", NULL);
  return ok;
}

gboolean
traj_store_foreach_patient_records (TrajStore      *self,
                                    TrajRecordsFunc func,
                                    gpointer        user_data,
                                    GCancellable   *cancellable,
                                    GError        **error)
{
  return foreach_records (self, 0, 0, func, user_data, cancellable, error);
}

gboolean
traj_store_foreach_patient_records_range (TrajStore      *self,
                                          gint64          first_id,
                                          gint64          last_id,
                                          TrajRecordsFunc func,
                                          gpointer        user_data,
                                          GCancellable   *cancellable,
                                          GError        **error)
{
  return foreach_records (self, MAX (first_id, 1), last_id, func, user_data, cancellable, error);
}

gboolean
traj_store_patient_id_range (TrajStore *self, gint64 *min_id, gint64 *max_id, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, "SELECT min(id), max(id) FROM patient WHERE deleted_at IS NULL", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *min_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  *max_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 1) : 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc, "reading patient ids");
      return FALSE;
    }
  return TRUE;
}

/* ---- audit, counts ---------------------------------------------------------- */

GPtrArray *
traj_store_list_audit (TrajStore *self, const char *record_uid, GError **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_audit_event_free);
  int rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  if (record_uid)
    stmt = traj_store_stmt (self,
                            "SELECT id, at, os_user, clinician, action, record_kind, record_uid, summary FROM audit_event "
                            "WHERE record_uid = ?1 ORDER BY id DESC", error);
  else
    stmt = traj_store_stmt (self,
                            "SELECT id, at, os_user, clinician, action, record_kind, record_uid, summary FROM audit_event "
                            "ORDER BY id DESC", error);
  if (stmt == NULL)
    return NULL;
  if (record_uid)
    bind_text (stmt, 1, record_uid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TrajAuditEvent *e = g_new0 (TrajAuditEvent, 1);
      e->id = sqlite3_column_int64 (stmt, 0);
      e->at = sqlite3_column_int64 (stmt, 1);
      e->os_user = col_text (stmt, 2);
      e->clinician = col_text (stmt, 3);
      e->action = col_text (stmt, 4);
      e->record_kind = col_text (stmt, 5);
      e->record_uid = col_text (stmt, 6);
      e->summary = col_text (stmt, 7);
      g_ptr_array_add (out, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "reading the audit trail");
      return NULL;
    }
  return g_steal_pointer (&out);
}

gint64
traj_store_count (TrajStore *self, TrajRecordKind kind, GError **error)
{
  static const char *sql[TRAJ_N_KINDS] = {
    [TRAJ_KIND_PATIENT] = "SELECT count(*) FROM patient WHERE deleted_at IS NULL",
    [TRAJ_KIND_COURSE] = "SELECT count(*) FROM course WHERE deleted_at IS NULL",
    [TRAJ_KIND_INFUSION] = "SELECT count(*) FROM infusion WHERE deleted_at IS NULL",
    [TRAJ_KIND_VITAL_SIGN] = "SELECT count(*) FROM vital_sign",
    [TRAJ_KIND_ASSESSMENT] = "SELECT count(*) FROM assessment WHERE deleted_at IS NULL",
    [TRAJ_KIND_FLAG_DECISION] = "SELECT count(*) FROM flag_decision WHERE deleted_at IS NULL",
    [TRAJ_KIND_KIOSK_CHECKIN] = "SELECT count(*) FROM kiosk_checkin",
  };
  sqlite3_stmt *stmt;
  gint64 n = -1;
  int rc;

  g_return_val_if_fail ((guint) kind < TRAJ_N_KINDS, -1);
  stmt = traj_store_stmt (self, sql[kind], error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (self, error, rc, "counting");
  sqlite3_reset (stmt);
  return n;
}

/* ---- clinic-wide settings ------------------------------------------------- */

gboolean
traj_store_setting_is_secret (const char *key)
{
  return key != NULL && g_str_has_suffix (key, "-hash");
}

static gboolean
check_setting_key (const char *key, GError **error)
{
  if (key == NULL || *key == '\0' || strlen (key) > 64)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("A clinic setting needs a short name."));
      return FALSE;
    }
  for (const char *p = key; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '.')
      {
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                     _("“%s” is not a valid clinic setting name."), key);
        return FALSE;
      }
  return TRUE;
}

/* Reads any key, secret ones included: only the store's own secret checks
 * call it for those. */
static gboolean
read_setting (TrajStore *self, const char *key, char **value, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self, "SELECT value FROM clinic_setting WHERE key = ?1", error);
  int rc;

  *value = NULL;
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value = col_text (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "reading a clinic setting");
      return FALSE;
    }
  return TRUE;
}

/* Writes one key inside the caller's transaction, with its audit event. */
static gboolean
write_setting (TrajStore *self, const char *key, const char *value, GError **error)
{
  g_autofree char *summary = NULL;
  sqlite3_stmt *stmt = traj_store_stmt (self,
                                        "INSERT INTO clinic_setting (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) "
                                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                                        "updated_at = excluded.updated_at, updated_by = excluded.updated_by", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  sqlite3_bind_int64 (stmt, 3, traj_time_now ());
  bind_text (stmt, 4, *self->clinician ? self->clinician : self->os_user);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (traj_store_setting_is_secret (key))
    summary = g_strdup_printf ("%s changed (secret: value not recorded)", key);
  else
    summary = g_strdup_printf ("%s = %s", key, value);
  return audit (self, "update", "clinic_setting", key, summary, error);
}

char *
traj_store_get_setting (TrajStore   *self,
                        const char  *key,
                        GError     **error)
{
  char *value = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (!check_setting_key (key, error))
    return NULL;
  if (traj_store_setting_is_secret (key))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The clinic setting “%s” is secret and cannot be read."), key);
      return NULL;
    }
  read_setting (self, key, &value, error);
  return value;
}

gboolean
traj_store_set_setting (TrajStore   *self,
                        const char  *key,
                        const char  *value,
                        GError     **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!check_setting_key (key, error))
    return FALSE;
  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The clinic setting “%s” needs a value."), key);
      return FALSE;
    }
  if (!tx_begin (self, error))
    return FALSE;
  if (!write_setting (self, key, value, error))
    {
      tx_rollback (self);
      return FALSE;
    }
  return tx_commit (self, error);
}

/* ---- kiosk check-in -------------------------------------------------------- */

char *
traj_store_salted_hash (const char *secret, char **salt_out)
{
  return traj_secret_hash (secret, salt_out);
}

gboolean
traj_store_check_salted_hash (const char *secret, const char *salt, const char *hash)
{
  return traj_secret_verify (secret, salt, hash);
}

/* Looks for an open check-in whose code hash matches; fills *id (0 none). */
static gboolean
find_open_checkin (TrajStore *self, const char *code, gint64 now, gint64 *id, gboolean *expired, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self,
                                        "SELECT id, code_salt, code_hash, expires_at, used_at FROM kiosk_checkin "
                                        "WHERE used_at IS NULL OR used_at > ?1 ORDER BY id DESC", error);
  int rc;

  *id = 0;
  if (expired)
    *expired = FALSE;
  if (stmt == NULL)
    return FALSE;
  /* Recently used codes are searched too, so "already used" can be told apart
   * from "wrong". */
  sqlite3_bind_int64 (stmt, 1, now - 7 * 24 * 3600);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (traj_store_check_salted_hash (code, (const char *) sqlite3_column_text (stmt, 1),
                                        (const char *) sqlite3_column_text (stmt, 2)))
        {
          *id = sqlite3_column_int64 (stmt, 0);
          if (expired)
            *expired = sqlite3_column_int64 (stmt, 3) <= now;
          if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
            *id = -*id;   /* used */
          break;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "checking the code");
      return FALSE;
    }
  return TRUE;
}

char *
traj_store_create_checkin (TrajStore   *self,
                           gint64       patient_id,
                           const char  *scales,
                           gint64       valid_seconds,
                           gint64      *checkin_id,
                           GError     **error)
{
  g_autofree char *code = NULL, *salt = NULL, *hash = NULL, *uid = NULL, *summary = NULL;
  gint64 now = traj_time_now (), other = 0;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (scales == NULL || *scales == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Choose at least one questionnaire."));
      return NULL;
    }
  if (valid_seconds <= 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The code must be valid for some time."));
      return NULL;
    }
  if (!tx_begin (self, error))
    return NULL;
  if (!patient_exists (self, patient_id, error))
    goto fail;
  /* A fresh code that no open check-in already uses. */
  for (int attempt = 0; attempt < 20; attempt++)
    {
      gboolean expired = FALSE;
      g_free (code);
      code = g_strdup_printf ("%06u", traj_secret_random () % 1000000u);
      if (!find_open_checkin (self, code, now, &other, &expired, error))
        goto fail;
      if (other == 0 || (other > 0 && expired) || other < 0)
        break;
    }
  hash = traj_store_salted_hash (code, &salt);
  uid = traj_uuid_new ();
  stmt = traj_store_stmt (self,
                          "INSERT INTO kiosk_checkin (uid, patient_id, code_salt, code_hash, scales, created_at, expires_at, created_by) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, uid);
  sqlite3_bind_int64 (stmt, 2, patient_id);
  bind_text (stmt, 3, salt);
  bind_text (stmt, 4, hash);
  bind_text (stmt, 5, scales);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_int64 (stmt, 7, now + valid_seconds);
  bind_text (stmt, 8, *self->clinician ? self->clinician : self->os_user);
  if (!step_done (self, stmt, error))
    goto fail;
  if (checkin_id)
    *checkin_id = sqlite3_last_insert_rowid (self->db);
  summary = g_strdup_printf ("tablet check-in for %s", scales);
  if (!audit_record (self, "insert", TRAJ_KIND_KIOSK_CHECKIN, uid, summary, error))
    goto fail;
  if (!tx_commit (self, error))
    return NULL;
  return g_steal_pointer (&code);

fail:
  tx_rollback (self);
  return NULL;
}

TrajKioskCheckin *
traj_store_redeem_checkin (TrajStore   *self,
                           const char  *code,
                           GError     **error)
{
  gint64 now = traj_time_now (), id = 0;
  gboolean expired = FALSE;
  sqlite3_stmt *stmt;
  TrajKioskCheckin *c = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (code == NULL || strlen (code) != 6)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The code has 6 digits."));
      return NULL;
    }
  if (!tx_begin (self, error))
    return NULL;
  if (!find_open_checkin (self, code, now, &id, &expired, error))
    goto fail;
  if (id == 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("That code is not right. Please check it and try again."));
      goto fail;
    }
  if (id < 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("That code has already been used. Please ask a member of staff for a new one."));
      goto fail;
    }
  if (expired)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("That code has expired. Please ask a member of staff for a new one."));
      goto fail;
    }
  stmt = traj_store_stmt (self, "UPDATE kiosk_checkin SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!step_done (self, stmt, error))
    goto fail;
  stmt = traj_store_stmt (self,
                          "SELECT id, uid, patient_id, scales, created_at, expires_at, used_at, created_by FROM kiosk_checkin WHERE id = ?1",
                          error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      c = traj_kiosk_checkin_new ();
      c->id = sqlite3_column_int64 (stmt, 0);
      c->uid = col_text (stmt, 1);
      c->patient_id = sqlite3_column_int64 (stmt, 2);
      c->scales = col_text (stmt, 3);
      c->created_at = sqlite3_column_int64 (stmt, 4);
      c->expires_at = sqlite3_column_int64 (stmt, 5);
      c->used_at = sqlite3_column_int64 (stmt, 6);
      c->created_by = col_text (stmt, 7);
    }
  sqlite3_reset (stmt);
  if (c == NULL || !audit_record (self, "use", TRAJ_KIND_KIOSK_CHECKIN, c->uid, "tablet check-in used", error))
    goto fail;
  if (!tx_commit (self, error))
    {
      traj_kiosk_checkin_free (c);
      return NULL;
    }
  return c;

fail:
  tx_rollback (self);
  traj_kiosk_checkin_free (c);
  return NULL;
}

gboolean
traj_store_poll_external_changes (TrajStore *self)
{
  sqlite3_stmt *stmt;
  gint64 version = 0;
  gboolean changed;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (self->tx_depth > 0)
    return FALSE;
  stmt = traj_store_stmt (self, "PRAGMA data_version", NULL);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  /* data_version moves only for commits by other connections. */
  changed = self->data_version != 0 && version != self->data_version;
  self->data_version = version;
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0, (guint) TRAJ_N_KINDS, (gint64) 0);
  return changed;
}

gboolean
traj_store_check_integrity (TrajStore *self, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  g_autofree char *first = NULL;

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, "checking integrity");
      return FALSE;
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    first = col_text (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc, "checking integrity");
      return FALSE;
    }
  if (g_strcmp0 (first, "ok") != 0)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT, _("“%s” is damaged: %s"), self->path, first);
      return FALSE;
    }
  return TRUE;
}

/* ---- cohort definitions ---- */

#define COHORT_COLS "id, uid, name, definition, created_at, updated_at"

void
traj_saved_cohort_free (TrajSavedCohort *c)
{
  if (c == NULL)
    return;
  g_free (c->uid);
  g_free (c->name);
  g_free (c->definition);
  g_free (c);
}

static TrajSavedCohort *
read_saved_cohort (sqlite3_stmt *stmt)
{
  TrajSavedCohort *c = g_new0 (TrajSavedCohort, 1);

  c->id = sqlite3_column_int64 (stmt, 0);
  c->uid = col_text (stmt, 1);
  c->name = col_text (stmt, 2);
  c->definition = col_text (stmt, 3);
  c->created_at = sqlite3_column_int64 (stmt, 4);
  c->updated_at = sqlite3_column_int64 (stmt, 5);
  return c;
}

/* The id of the live definition named @name other than @except_id, 0 none. */
static gboolean
cohort_name_owner (TrajStore *self, const char *name, gint64 except_id, gint64 *owner, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (self,
                                        "SELECT id FROM cohort_definition WHERE name = ?1 AND id != ?2 "
                                        "AND deleted_at IS NULL", error);
  int rc;

  *owner = 0;
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);
  sqlite3_bind_int64 (stmt, 2, except_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *owner = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "reading cohort definitions");
      return FALSE;
    }
  return TRUE;
}

static gboolean
audit_cohort (TrajStore *self, const char *action, const char *uid, const char *name, GError **error)
{
  g_autofree char *summary = g_strdup_printf ("cohort definition “%s”", name);

  if (self->bulk)
    return TRUE;
  return audit (self, action, "cohort_definition", uid, summary, error);
}

gboolean
traj_store_save_cohort (TrajStore   *self,
                        const char  *name,
                        const char  *definition,
                        gboolean     replace,
                        gint64      *id,
                        GError     **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *uid = NULL;
  gint64 owner = 0, now = traj_time_now ();
  gboolean updating;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (definition != NULL, FALSE);

  clean = g_strstrip (g_strdup (name ? name : ""));
  if (*clean == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Give the cohort definition a name."));
      return FALSE;
    }

  if (!tx_begin (self, error))
    return FALSE;
  if (!cohort_name_owner (self, clean, 0, &owner, error))
    goto fail;
  if (owner != 0 && !replace)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("A cohort definition named “%s” already exists."), clean);
      goto fail;
    }
  updating = owner != 0;
  if (updating)
    {
      stmt = traj_store_stmt (self, "UPDATE cohort_definition SET definition = ?2, updated_at = ?3 WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, owner);
      bind_text (stmt, 2, definition);
      sqlite3_bind_int64 (stmt, 3, now);
      if (!step_done (self, stmt, error))
        goto fail;
      stmt = traj_store_stmt (self, "SELECT uid FROM cohort_definition WHERE id = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, owner);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        uid = col_text (stmt, 0);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (self, error, rc, "saving a cohort definition");
          goto fail;
        }
    }
  else
    {
      uid = traj_uuid_new ();
      stmt = traj_store_stmt (self,
                              "INSERT INTO cohort_definition (uid, name, definition, created_at, updated_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?4)", error);
      if (stmt == NULL)
        goto fail;
      bind_text (stmt, 1, uid);
      bind_text (stmt, 2, clean);
      bind_text (stmt, 3, definition);
      sqlite3_bind_int64 (stmt, 4, now);
      if (!step_done (self, stmt, error))
        goto fail;
      owner = sqlite3_last_insert_rowid (self->db);
    }
  if (!audit_cohort (self, updating ? "update" : "insert", uid, clean, error))
    goto fail;
  if (!tx_commit (self, error))
    return FALSE;
  if (id)
    *id = owner;
  return TRUE;

fail:
  tx_rollback (self);
  return FALSE;
}

GPtrArray *
traj_store_list_cohorts (TrajStore  *self,
                         GError    **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_saved_cohort_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  stmt = traj_store_stmt (self,
                          "SELECT " COHORT_COLS " FROM cohort_definition WHERE deleted_at IS NULL "
                          "ORDER BY name COLLATE NOCASE, id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read_saved_cohort (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "reading cohort definitions");
      return NULL;
    }
  return g_steal_pointer (&out);
}

TrajSavedCohort *
traj_store_find_cohort (TrajStore   *self,
                        const char  *name,
                        GError     **error)
{
  g_autofree char *clean = NULL;
  TrajSavedCohort *c = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  clean = g_strstrip (g_strdup (name ? name : ""));
  stmt = traj_store_stmt (self,
                          "SELECT " COHORT_COLS " FROM cohort_definition WHERE name = ?1 AND deleted_at IS NULL",
                          error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, clean);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    c = read_saved_cohort (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, "reading cohort definitions");
      return NULL;
    }
  if (c == NULL)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("There is no cohort definition named “%s”."), clean);
  return c;
}

static gboolean
set_cohort_deleted (TrajStore *self, gint64 id, gboolean deleted, GError **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *uid = NULL, *name = NULL;
  gint64 old_deleted_at = 0, owner = 0;
  int rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!tx_begin (self, error))
    return FALSE;
  stmt = traj_store_stmt (self, "SELECT uid, name, deleted_at FROM cohort_definition WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      uid = col_text (stmt, 0);
      name = col_text (stmt, 1);
      old_deleted_at = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The cohort definition does not exist."));
      else
        set_sqlite_error (self, error, rc, "deleting");
      goto fail;
    }
  if (deleted == (old_deleted_at != 0))
    {
      tx_rollback (self);
      return TRUE;
    }
  if (!deleted)
    {
      if (!cohort_name_owner (self, name, id, &owner, error))
        goto fail;
      if (owner != 0)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("Another cohort definition is now named “%s”; rename it first."), name);
          goto fail;
        }
    }
  stmt = traj_store_stmt (self, deleted ? "UPDATE cohort_definition SET deleted_at = ?2 WHERE id = ?1"
                                        : "UPDATE cohort_definition SET deleted_at = NULL WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, id);
  if (deleted)
    sqlite3_bind_int64 (stmt, 2, traj_time_now ());
  if (!step_done (self, stmt, error))
    goto fail;
  if (!audit_cohort (self, deleted ? "delete" : "undelete", uid, name, error))
    goto fail;
  return tx_commit (self, error);

fail:
  tx_rollback (self);
  return FALSE;
}

gboolean
traj_store_delete_cohort (TrajStore *self, gint64 id, GError **error)
{
  return set_cohort_deleted (self, id, TRUE, error);
}

gboolean
traj_store_undelete_cohort (TrajStore *self, gint64 id, GError **error)
{
  return set_cohort_deleted (self, id, FALSE, error);
}

/* ---- hot queries (for EXPLAIN QUERY PLAN tests) ---------------------------- */

const TrajHotQuery *
traj_store_hot_queries (void)
{
  static const TrajHotQuery queries[] = {
    { "patient by MRN", PATIENT_BY_MRN_SQL },
    { "patient list", SUMMARY_SQL "ORDER BY p.name COLLATE NOCASE, p.mrn" },
    { "latest scores", LATEST_SCORES_SQL },
    { "one patient: courses", NULL },
    { "one patient: infusions", NULL },
    { "one patient: assessments", NULL },
    { "one patient: decisions", NULL },
    { "clinic scan: patients", NULL },
    { "clinic scan: courses", NULL },
    { "clinic scan: infusions", NULL },
    { "clinic scan: assessments", NULL },
    { "clinic scan: decisions", NULL },
    { NULL, NULL }
  };
  static TrajHotQuery filled[G_N_ELEMENTS (queries)];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      memcpy (filled, queries, sizeof queries);
      for (guint k = 0; k < 4; k++)
        filled[3 + k].sql = one_patient_sql[k + 1];
      for (guint k = 0; k < 5; k++)
        filled[7 + k].sql = all_patients_sql[k];
      g_once_init_leave (&once, 1);
    }
  return filled;
}
