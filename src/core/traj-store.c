/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-backup.h"
#include "traj-safe-file.h"
#include "traj-store.h"
#include "traj-store-private.h"
#include "traj-db-pg.h"
#include "traj-db-sqlite.h"
#include "traj-bulk.h"
#include "traj-core-resources.h"

G_DEFINE_FINAL_TYPE (TrajStore, traj_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
traj_store_notify_connected (TrajStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

/* ---- the connection ------------------------------------------------------ */

TrajDb *
traj_store_get_connection (TrajStore *self)
{
  return self->db;
}

TrajDbStmt *
traj_store_prepare (TrajStore   *self,
                    const char  *sql,
                    GError     **error)
{
  return traj_db_prepare (self->db, sql, error);
}

sqlite3 *
traj_store_get_db (TrajStore *self)
{
  return traj_db_sqlite_handle (self->db);
}

/* ---- transactions and audit ---------------------------------------------- */

gboolean
traj_store_tx_begin (TrajStore *self, GError **error)
{
  if (self->tx_depth++ > 0)
    {
      if (traj_db_exec (self->db, "SAVEPOINT traj_nested", error))
        return TRUE;
      self->tx_depth--;
      return FALSE;
    }
  if (!traj_db_begin (self->db, TRUE, error))
    {
      self->tx_depth--;
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_tx_commit (TrajStore *self, GError **error)
{
  g_assert (self->tx_depth > 0);
  if (self->tx_depth > 1)
    {
      self->tx_depth--;
      return traj_db_exec (self->db, "RELEASE traj_nested", error);
    }
  /* The needs-attention state of the patients this transaction changed, in
   * the same transaction (traj-store-attention.c). */
  if (!traj_store_attention_flush (self, error))
    {
      self->tx_depth--;
      traj_db_rollback (self->db);
      return FALSE;
    }
  self->tx_depth--;
  return traj_db_commit (self->db, error);
}

void
traj_store_tx_rollback (TrajStore *self)
{
  g_assert (self->tx_depth > 0);
  if (--self->tx_depth > 0)
    {
      TrajDbFailure failure = traj_db_failure (self->db);

      traj_db_exec (self->db, "ROLLBACK TO traj_nested", NULL);
      traj_db_exec (self->db, "RELEASE traj_nested", NULL);
      self->db->failure = failure;
      if (self->bulk)
        self->bulk_failed = TRUE;
      return;
    }
  traj_store_attention_forget (self);
  traj_db_rollback (self->db);
}

gboolean
traj_store_read_begin (TrajStore *self, gboolean *began, GError **error)
{
  *began = FALSE;
  if (self->tx_depth > 0)
    return TRUE;
  if (!traj_db_begin (self->db, FALSE, error))
    return FALSE;
  *began = TRUE;
  return TRUE;
}

void
traj_store_read_end (TrajStore *self, gboolean began)
{
  if (began)
    traj_db_exec (self->db, "COMMIT", NULL);
}

gboolean
traj_store_audit_full (TrajStore   *self,
                       const char  *action,
                       const char  *record_kind,
                       const char  *record_uid,
                       const char  *patient_uid,
                       const char  *summary,
                       const char  *detail,
                       GError     **error)
{
  /* The chain's triggers link and seal the row (sql/009-audit-chain.sql). */
  static const char sql[] =
    "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary, "
    "patient_uid, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  /* The migrations before 007 audit themselves without the newer columns. */
  static const char plain_sql[] =
    "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  gboolean plain = (patient_uid == NULL || !*patient_uid) && (detail == NULL || !*detail);
  TrajDbStmt *stmt = traj_db_prepare (self->db, plain ? plain_sql : sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, traj_time_now ());
  traj_db_bind_text0 (stmt, 2, self->os_user);
  traj_db_bind_text0 (stmt, 3, self->clinician);
  traj_db_bind_text0 (stmt, 4, action);
  traj_db_bind_text0 (stmt, 5, record_kind);
  traj_db_bind_text0 (stmt, 6, record_uid);
  traj_db_bind_text0 (stmt, 7, summary);
  if (!plain)
    {
      traj_db_bind_text0 (stmt, 8, patient_uid);
      traj_db_bind_text0 (stmt, 9, detail);
    }
  return traj_db_run (stmt, error);
}

gboolean
traj_store_audit (TrajStore      *self,
                  const char     *action,
                  const char     *record_kind,
                  const char     *record_uid,
                  const char     *summary,
                  GError        **error)
{
  return traj_store_audit_full (self, action, record_kind, record_uid, NULL, summary, NULL, error);
}

/* The uid of the patient a record belongs to, for the trail's patient
 * filter; NULL when it cannot be told. */
static char *
record_patient_uid (TrajStore *self, TrajRecordKind kind, const char *uid)
{
  static const char *sql[TRAJ_N_KINDS] = {
    [TRAJ_KIND_COURSE] = "SELECT p.uid FROM course t JOIN patient p ON p.id = t.patient_id WHERE t.uid = ?1",
    [TRAJ_KIND_INFUSION] = "SELECT p.uid FROM infusion t JOIN patient p ON p.id = t.patient_id WHERE t.uid = ?1",
    [TRAJ_KIND_ASSESSMENT] = "SELECT p.uid FROM assessment t JOIN patient p ON p.id = t.patient_id WHERE t.uid = ?1",
    [TRAJ_KIND_FLAG_DECISION] = "SELECT p.uid FROM flag_decision t JOIN patient p ON p.id = t.patient_id WHERE t.uid = ?1",
    [TRAJ_KIND_MEDICATION] = "SELECT p.uid FROM medication t JOIN patient p ON p.id = t.patient_id WHERE t.uid = ?1",
  };
  TrajDbStmt *stmt;
  gboolean found = FALSE;
  char *out = NULL;

  if (kind == TRAJ_KIND_PATIENT)
    return g_strdup (uid);
  if ((guint) kind >= TRAJ_N_KINDS || sql[kind] == NULL || uid == NULL)
    return NULL;
  stmt = traj_db_prepare (self->db, sql[kind], NULL);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_text0 (stmt, 1, uid);
  if (traj_db_step_row (stmt, &found, NULL) && found)
    out = traj_db_column_dup (stmt, 0);
  traj_db_reset (stmt);
  return out;
}

gboolean
traj_store_audit_record_detail (TrajStore *self, const char *action, TrajRecordKind kind,
                                const char *uid, const char *summary, const char *detail,
                                GError **error)
{
  g_autofree char *patient_uid = NULL;

  if (self->bulk)
    return TRUE;
  patient_uid = record_patient_uid (self, kind, uid);
  return traj_store_audit_full (self, action, traj_kind_to_string (kind), uid, patient_uid,
                                summary, detail, error);
}

gboolean
traj_store_audit_record (TrajStore *self, const char *action, TrajRecordKind kind,
                         const char *uid, const char *summary, GError **error)
{
  return traj_store_audit_record_detail (self, action, kind, uid, summary, NULL, error);
}

void
traj_store_emit_changed (TrajStore *self, TrajRecordKind kind, gint64 patient_id)
{
  if (!self->bulk)
    g_signal_emit (self, signals[CHANGED], 0, (guint) kind, patient_id);
}

const char *
traj_store_actor (TrajStore *self)
{
  return *self->clinician ? self->clinician : self->os_user;
}

void
traj_store_ensure_uid (char **uid)
{
  if (*uid == NULL || **uid == '\0')
    {
      g_free (*uid);
      *uid = traj_uuid_new ();
    }
}

gboolean
traj_store_expect_one_change (TrajStore *self, TrajRecordKind kind, GError **error)
{
  if (traj_db_changes (self->db) != 1)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND,
                   _("The %s record no longer exists."), traj_kind_to_string (kind));
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_patient_exists (TrajStore *self, gint64 patient_id, GError **error)
{
  static const char sql[] = "SELECT 1 FROM patient WHERE id = ?1 AND deleted_at IS NULL";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, patient_id);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  traj_db_reset (stmt);
  if (!found)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NO_PATIENT, _("The patient does not exist."));
  return found;
}

gboolean
traj_store_course_of_patient (TrajStore *self, gint64 course_id, gint64 patient_id, GError **error)
{
  static const char sql[] = "SELECT 1 FROM course WHERE id = ?1 AND patient_id = ?2 AND deleted_at IS NULL";
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  if (course_id == 0)
    return TRUE;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, course_id);
  traj_db_bind_int64 (stmt, 2, patient_id);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  traj_db_reset (stmt);
  if (!found)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NO_COURSE, _("The course does not exist for this patient."));
  return found;
}

/* ---- open and migrate ------------------------------------------------------ */

static const char *
migration_folder (TrajDbEngine engine)
{
  return engine == TRAJ_DB_SQLITE ? "/io/github/trajectory/Trajectory/sql"
                                  : "/io/github/trajectory/Trajectory/sql/postgres";
}

/* A clinic from before stored needs-attention (schema 13) gets every
 * patient's state in the last step of its upgrade, when the records have
 * their current shape. */
static gboolean
backfill_attention (TrajStore *self, gint64 from, gint64 v)
{
  if (v == TRAJ_SCHEMA_VERSION && from < 13)
    traj_store_attention_touch_all (self);
  return TRUE;
}

static gboolean
migrate (TrajStore *self, gint64 from, GError **error)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      traj_core_register_resource ();
      g_once_init_leave (&registered, 1);
    }

  for (gint64 v = from + 1; v <= TRAJ_SCHEMA_VERSION; v++)
    {
      g_autofree char *res = g_strdup_printf ("%s/%03d.sql", migration_folder (traj_db_engine (self->db)), (int) v);
      g_autofree char *summary = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                                  (int) v, TRAJ_APPLICATION_ID);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;

      bytes = g_resources_lookup_data (res, 0, error);
      if (bytes == NULL)
        return FALSE;
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (!traj_store_tx_begin (self, error))
        return FALSE;
      if (!traj_db_exec (self->db, sql, error) || !traj_db_set_schema_version (self->db, v, error) ||
          (v == 7 && traj_db_engine (self->db) == TRAJ_DB_POSTGRES && !traj_store_kiosk_fill_scales (self, error)) ||
          (v == TRAJ_SCHEMA_VERSION && v >= 2 && !traj_store_default_time_zone (self, error)) ||
          !backfill_attention (self, from, v))
        {
          traj_store_tx_rollback (self);
          return FALSE;
        }
      if (!traj_store_audit (self, "migrate", "schema", "", summary, error) || !traj_store_tx_commit (self, error))
        {
          if (self->tx_depth > 0)
            traj_store_tx_rollback (self);
          return FALSE;
        }
    }
  return TRUE;
}

typedef enum {
  OPEN_SECONDARY,     /* the schema must be current */
  OPEN_MIGRATE,       /* upgrade an older schema; on SQLite, create a new file */
  OPEN_INIT,          /* also create the clinic in an empty server database */
  OPEN_EXISTING,      /* OPEN_MIGRATE, but a missing file is not created */
  OPEN_FRESH,         /* the 0-byte file create_clinic () just made */
} OpenMode;

static gboolean
read_login (TrajStore *self, GError **error)
{
  /* A kiosk login (and no more) reads nothing but through its functions;
   * a lead's (not also a clinician's) checks the staff PIN through them,
   * as it may not read its hash (postgres/010). */
  static const char sql[] =
    "SELECT session_user, pg_has_role ('trajectory_kiosk', 'MEMBER') "
    "AND NOT pg_has_role ('trajectory_clinician', 'MEMBER') AND NOT pg_has_role ('trajectory_lead', 'MEMBER'), "
    "pg_has_role ('trajectory_lead', 'MEMBER') AND NOT pg_has_role ('trajectory_clinician', 'MEMBER')";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  gboolean found = FALSE;

  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      g_free (self->clinician);
      self->clinician = traj_db_column_dup (stmt, 0);
      self->kiosk_remote = g_strcmp0 (traj_db_column_text (stmt, 1), "t") == 0;
      self->pin_remote = self->kiosk_remote || g_strcmp0 (traj_db_column_text (stmt, 2), "t") == 0;
      traj_db_pg_set_role (self->db, self->kiosk_remote ? TRAJ_DB_PG_ROLE_KIOSK
                                     : self->pin_remote ? TRAJ_DB_PG_ROLE_LEAD : TRAJ_DB_PG_ROLE_OTHER);
    }
  traj_db_reset (stmt);
  return TRUE;
}

static TrajStore *store_open (const char *location, OpenMode mode, GError **error);
static void bulk_remove_abandoned (TrajStore *self);

/* A new clinic file is made whole beside @path (schema, first audit
 * events) and only then renamed to @path: a kill while creating never
 * leaves a 0-byte or half-made clinic under the real name, which the next
 * start would take for a clinic. Another program creating it meanwhile
 * wins; its file is kept. */
static gboolean
create_clinic (const char *path, GError **error)
{
  g_autoptr(TrajSafeFile) out = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  const char *temp;
  TrajStore *fresh;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved));
      return FALSE;
    }
  out = traj_safe_file_new_for_clinic (path, error);
  if (out == NULL)
    return FALSE;
  temp = traj_safe_file_get_temp_path (out);
  fresh = store_open (temp, OPEN_FRESH, error);
  if (fresh == NULL)
    {
      /* A full disk, say: nothing of the new clinic stays, and the message
       * names the file the person asked for, not our temporary one. */
      static const char *beside[] = { "-wal", "-shm", "-journal" };

      for (guint k = 0; k < G_N_ELEMENTS (beside); k++)
        {
          g_autofree char *p = g_strconcat (temp, beside[k], NULL);
          g_remove (p);
        }
      if (error != NULL && *error != NULL)
        {
          GString *msg = g_string_new ((*error)->message);

          g_string_replace (msg, temp, path, 0);
          g_free ((*error)->message);
          (*error)->message = g_string_free (msg, FALSE);
        }
      return FALSE;
    }
  /* The last connection closing folds the -wal into the file. */
  g_object_unref (fresh);
  return traj_safe_file_commit_new (out, error);
}

struct _TrajNewClinic
{
  TrajSafeFile *out;
  char *temp;                   /* the clinic while it is filled */
};

/* The files SQLite and the store keep beside a clinic file. */
static void
remove_companions (const char *path)
{
  static const char *beside[] = { "-wal", "-shm", "-journal", "-wait.lock", "-import.lock" };

  for (guint k = 0; k < G_N_ELEMENTS (beside); k++)
    {
      g_autofree char *p = g_strconcat (path, beside[k], NULL);
      g_remove (p);
    }
}

TrajStore *
traj_store_open_new (const char *path, TrajNewClinic **new_clinic, GError **error)
{
  g_autoptr(TrajNewClinic) made = g_new0 (TrajNewClinic, 1);
  g_autofree char *dir = NULL;
  TrajStore *store;

  g_return_val_if_fail (path != NULL && new_clinic != NULL, NULL);
  g_return_val_if_fail (!traj_store_location_is_server (path), NULL);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_IO, _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved));
      return NULL;
    }
  made->out = traj_safe_file_new_for_clinic (path, error);
  if (made->out == NULL)
    return NULL;
  made->temp = g_strdup (traj_safe_file_get_temp_path (made->out));
  store = store_open (made->temp, OPEN_FRESH, error);
  if (store == NULL)
    {
      /* The message names the file the person asked for. */
      if (error != NULL && *error != NULL)
        {
          GString *msg = g_string_new ((*error)->message);

          g_string_replace (msg, made->temp, path, 0);
          g_free ((*error)->message);
          (*error)->message = g_string_free (msg, FALSE);
        }
      return NULL;
    }
  *new_clinic = g_steal_pointer (&made);
  return store;
}

gboolean
traj_store_publish_new (TrajNewClinic *new_clinic, TrajStore *store, GError **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (new_clinic != NULL && new_clinic->out != NULL, FALSE);
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);

  /* The last connection closing folds the -wal into the file. */
  g_object_unref (store);
  path = g_strdup (traj_safe_file_get_path (new_clinic->out));
  if (!traj_safe_file_commit_new (new_clinic->out, error))
    return FALSE;
  if (!traj_safe_file_is_committed (new_clinic->out))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                   _("Another program made a clinic file at “%s” while this one was being filled; it was "
                     "left as it is and nothing of this run was put into it. Run the command again to add "
                     "to that clinic."),
                   path);
      return FALSE;
    }
  remove_companions (new_clinic->temp);
  return TRUE;
}

const char *
traj_new_clinic_get_path (TrajNewClinic *new_clinic)
{
  g_return_val_if_fail (new_clinic != NULL, NULL);
  return traj_safe_file_get_path (new_clinic->out);
}

void
traj_new_clinic_free (TrajNewClinic *new_clinic)
{
  if (new_clinic == NULL)
    return;
  /* Unless published, the file itself goes with the TrajSafeFile. */
  traj_safe_file_free (new_clinic->out);
  if (new_clinic->temp)
    remove_companions (new_clinic->temp);
  g_free (new_clinic->temp);
  g_free (new_clinic);
}

/* SQLite only. What the file at @path allows before SQLite opens it (it is
 * only stat()ed: see traj-db-sqlite.c). A missing file is created when
 * @mode allows; a 0-byte file is never taken for a new clinic (an
 * interrupted restore or copy leaves one; the clinic as it was may be in a
 * "before-restore" backup, which the message names); nor is a file left
 * with a rollback journal by an interrupted restore. */
static gboolean
check_clinic_file (const char *path, OpenMode mode, GError **error)
{
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  g_autofree char *kept = NULL;
  GStatBuf st, jst;

  if (mode == OPEN_FRESH)
    return TRUE;
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      if (saved != ENOENT)
        return TRUE;        /* traj_db_sqlite_open () says what is wrong */
      if (mode == OPEN_MIGRATE)
        return create_clinic (path, error);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND,
                   _("There is no clinic at “%s”. Check the path; a new clinic is made only by “demo”, "
                     "“import” or “restore”, or at the first start at the default place."), path);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    return TRUE;
  if (st.st_size == 0 || (g_stat (journal, &jst) == 0 && jst.st_size > 0))
    kept = traj_backup_find_before_restore (path);
  if (st.st_size == 0)
    {
      if (kept)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                     _("“%s” is empty (0 bytes): it is not a clinic, and it was neither opened nor made into a "
                       "new one. A restore may have been interrupted: the clinic as it was before is kept in "
                       "“%s”. Restore it (trajectory-cli restore, or Restore from Backup)."), path, kept);
      else
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                     _("“%s” is empty (0 bytes): it is not a clinic, and it was neither opened nor made into a "
                       "new one. Restore a backup over it, or remove it to start a new clinic."), path);
      return FALSE;
    }
  if (kept)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                   _("“%s” was left half-written by an interrupted restore (it has a journal, “%s”). It was "
                     "not opened. The clinic as it was before is kept in “%s”: restore that, or the backup "
                     "you were restoring, again."), path, journal, kept);
      return FALSE;
    }
  return TRUE;
}

static TrajStore *
store_open (const char *location, OpenMode mode, GError **error)
{
  g_autoptr(TrajStore) self = NULL;
  gboolean ours = FALSE, server;
  gint64 version = 0;

  g_return_val_if_fail (location != NULL, NULL);

  server = traj_db_pg_is_conninfo (location);
  if (!server && !check_clinic_file (location, mode, error))
    return NULL;
  self = g_object_new (TRAJ_TYPE_STORE, NULL);
  self->location = g_strdup (location);
  self->db = server ? traj_db_pg_open (location, error) : traj_db_sqlite_open (location, error);
  if (self->db == NULL)
    return NULL;

  /* Look before touching: nothing below writes until the database is known
   * to be ours and not newer than this build. */
  if (!traj_db_schema_version (self->db, &ours, &version, error))
    return NULL;
  if (!ours)
    {
      if (server)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                     _("The database %s on the clinic server holds something else than a Trajectory clinic."),
                     traj_db_name (self->db));
      else
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                     _("“%s” is an SQLite file but not a Trajectory database."), location);
      return NULL;
    }
  if (version > TRAJ_SCHEMA_VERSION)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NEWER_SCHEMA,
                   _("%s was written by a newer version of Trajectory (schema %d; this version knows up to %d). "
                     "It has not been changed; open it with the newer version."),
                   server ? traj_db_name (self->db) : location, (int) version, TRAJ_SCHEMA_VERSION);
      return NULL;
    }
  if (server && version == 0 && mode != OPEN_INIT)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE,
                   _("The database %s holds no clinic yet. Its administrator creates one with "
                     "“trajectory-cli server init”."), traj_db_name (self->db));
      return NULL;
    }

  if (!traj_db_setup (self->db, error))
    return NULL;

  if (version < TRAJ_SCHEMA_VERSION)
    {
      if (mode == OPEN_SECONDARY)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                       _("“%s” needs to be upgraded first."), server ? traj_db_name (self->db) : location);
          return NULL;
        }
      if (!migrate (self, version, error))
        {
          if (server && error && *error && g_error_matches (*error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION))
            {
              g_clear_error (error);
              g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                           _("The clinic on %s needs an upgrade that only its administrator can make "
                             "(“trajectory-cli server init” with the administrator’s login)."),
                           traj_db_name (self->db));
            }
          return NULL;
        }
    }

  /* On a server the clinician is the login (the audit trail's triggers
   * write it whatever the program says). */
  if (server && !read_login (self, error))
    return NULL;
  traj_store_apply_time_zone (self);
  if (!server && mode != OPEN_SECONDARY)
    bulk_remove_abandoned (self);

  return g_steal_pointer (&self);
}

TrajStore *
traj_store_open (const char  *location,
                 GError     **error)
{
  return store_open (location, OPEN_MIGRATE, error);
}

TrajStore *
traj_store_open_existing (const char  *location,
                          GError     **error)
{
  return store_open (location, OPEN_EXISTING, error);
}

TrajStore *
traj_store_server_init (const char  *conninfo,
                        GError     **error)
{
  g_return_val_if_fail (conninfo != NULL, NULL);
  if (!traj_db_pg_is_conninfo (conninfo))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("“%s” is not a PostgreSQL connection (postgresql://…, service=… or host=… dbname=…)."),
                   conninfo);
      return NULL;
    }
  return store_open (conninfo, OPEN_INIT, error);
}

gboolean
traj_store_is_server (TrajStore *self)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  return traj_db_engine (self->db) == TRAJ_DB_POSTGRES;
}

gboolean
traj_store_location_is_server (const char *location)
{
  return traj_db_pg_is_conninfo (location);
}

/* What a --database argument names, made absolute: a file path resolved
 * against the current folder, a clinic server's connection string unchanged
 * (a path canonicalization would turn "postgresql://host/db" into a file
 * name in the current folder). */
char *
traj_store_location_canonicalize (const char *location)
{
  g_return_val_if_fail (location != NULL, NULL);
  if (traj_store_location_is_server (location))
    return g_strdup (location);
  return g_canonicalize_filename (location, NULL);
}

TrajStore *
traj_store_open_secondary (TrajStore  *store,
                           GError    **error)
{
  g_autoptr(TrajStore) root = NULL;
  TrajStore *other = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);
  /* A secondary of a secondary (a cohort's second reader) draws on the
   * first store's idle connections too. */
  root = store->secondary ? g_weak_ref_get (&store->root) : g_object_ref (store);
  if (root)
    {
      g_mutex_lock (&root->idle_lock);
      if (root->idle && root->idle->len > 0)
        other = g_ptr_array_steal_index_fast (root->idle, root->idle->len - 1);
      g_mutex_unlock (&root->idle_lock);
    }
  if (other == NULL)
    {
      other = store_open (store->location, OPEN_SECONDARY, error);
      if (other == NULL)
        return NULL;
      other->secondary = TRUE;
      g_weak_ref_set (&other->root, root);
    }
  traj_store_set_clinician (other, store->clinician);
  g_free (other->device);
  other->device = g_strdup (store->device);
  other->kiosk = store->kiosk;
  /* The check-in session stays with the store that redeemed it. */
  return other;
}

/* Kept for the cohort's two readers. */
#define IDLE_SECONDARIES 2

void
traj_store_release_secondary (TrajStore *secondary)
{
  g_autoptr(TrajStore) root = NULL;
  PGconn *conn;

  if (secondary == NULL)
    return;
  g_return_if_fail (TRAJ_IS_STORE (secondary) && secondary->secondary);
  conn = traj_db_pg_conn (secondary->db);
  root = g_weak_ref_get (&secondary->root);
  /* Only a server connection in a clean state: signed in, no transaction,
   * nothing held or pending. */
  if (root && conn && PQstatus (conn) == CONNECTION_OK && PQtransactionStatus (conn) == PQTRANS_IDLE &&
      secondary->deferred == NULL && secondary->kiosk_session == NULL && secondary->kiosk_checkin_id == 0 &&
      secondary->attention_dirty == NULL && !secondary->attention_all && secondary->bulk_action == NULL)
    {
      g_mutex_lock (&root->idle_lock);
      if (root->idle == NULL)
        root->idle = g_ptr_array_new_with_free_func (g_object_unref);
      if (root->idle->len < IDLE_SECONDARIES)
        {
          g_ptr_array_add (root->idle, secondary);
          secondary = NULL;
        }
      g_mutex_unlock (&root->idle_lock);
    }
  g_clear_object (&secondary);
}

const char *
traj_store_get_path (TrajStore *self)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  return self->location;
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
  /* On a server the clinician is the login, whatever the name given. */
  if (traj_db_engine (self->db) == TRAJ_DB_POSTGRES)
    return;
  g_free (self->clinician);
  self->clinician = g_strdup (clinician ? clinician : "");
}

const char *
traj_store_get_clinician (TrajStore *self)
{
  return self->clinician;
}

/* ---- GObject ---------------------------------------------------------------- */

static void
traj_store_finalize (GObject *object)
{
  TrajStore *self = (TrajStore *) object;

  g_clear_pointer (&self->idle, g_ptr_array_unref);
  g_mutex_clear (&self->idle_lock);
  g_weak_ref_clear (&self->root);
  g_clear_pointer (&self->deferred, traj_store_deferred_free);
  g_clear_pointer (&self->watch, traj_store_watch_free);
  g_clear_pointer (&self->db, traj_db_close);
  g_free (self->location);
  g_free (self->os_user);
  g_free (self->clinician);
  g_free (self->bulk_action);
  if (self->bulk_lock_fd >= 0)
    close (self->bulk_lock_fd);
  g_free (self->device);
  g_free (self->kiosk_holder);
  traj_store_kiosk_clear (self);

  G_OBJECT_CLASS (traj_store_parent_class)->finalize (object);
}

static void
traj_store_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TrajStore *self = TRAJ_STORE (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, traj_store_get_connected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_store_class_init (TrajStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = traj_store_finalize;
  object_class->get_property = traj_store_get_property;

  /**
   * TrajStore:connected:
   *
   * Whether the clinic server can be reached (always TRUE for a file).
   * Watched stores (traj_store_watch_changes ()) connect again on their
   * own and say so here.
   */
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  self->os_user = g_strdup (g_get_user_name ());
  self->clinician = g_strdup ("");
  self->bulk_lock_fd = -1;
  g_mutex_init (&self->idle_lock);
  g_weak_ref_init (&self->root, NULL);
}

/* ---- bulk ------------------------------------------------------------------- */

/* A bulk write (demo generation, an import) touches far more pages than
 * SQLite's default 2 MB page cache holds: every page pushed out mid-
 * transaction is written to the WAL and read back, again and again, so the
 * work grew faster than the clinic. A larger cache for the bulk write only
 * (its memory stays bounded: the cache never grows past this). And every
 * row is saved in a savepoint of its own (so one bad row can be rolled
 * back): SQLite keeps each savepoint's page copies in a statement journal,
 * a temporary file by default (several system calls per row); in memory
 * for the bulk write (one row's pages: a few kB at a time). Both are set
 * before the transaction begins (temp_store cannot change inside one). */
#define BULK_CACHE_KIB 65536

static void
bulk_cache_grow (TrajStore *self)
{
  sqlite3 *db = traj_store_get_db (self);
  sqlite3_stmt *stmt = NULL;

  self->bulk_cache_size = 0;
  if (db == NULL)
    return;
  if (sqlite3_prepare_v2 (db, "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    self->bulk_cache_size = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (self->bulk_cache_size != 0)
    sqlite3_exec (db, "PRAGMA cache_size = -" G_STRINGIFY (BULK_CACHE_KIB) "; PRAGMA temp_store = MEMORY",
                  NULL, NULL, NULL);
}

static void
bulk_cache_restore (TrajStore *self)
{
  sqlite3 *db = traj_store_get_db (self);
  g_autofree char *sql = NULL;

  if (db == NULL || self->bulk_cache_size == 0)
    return;
  sql = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT "; PRAGMA temp_store = DEFAULT",
                         self->bulk_cache_size);
  sqlite3_exec (db, sql, NULL, NULL, NULL);
  self->bulk_cache_size = 0;
}

/* The tables whose records a bulk write lists in the trail, in the order
 * of traj_store_bulk_before, and how to read each new record's uid with
 * its patient's (so the Audit Trail's patient filter finds the batch). */
static const struct { const char *table; const char *kind; const char *uids; } bulk_tables[7] = {
  { "patient", "patient", "SELECT uid, uid FROM patient t" },
  { "course", "course", "SELECT t.uid, p.uid FROM course t JOIN patient p ON p.id = t.patient_id" },
  { "infusion", "infusion", "SELECT t.uid, p.uid FROM infusion t JOIN patient p ON p.id = t.patient_id" },
  { "vital_sign", "vital_sign", "SELECT t.uid, p.uid FROM vital_sign t JOIN infusion i ON i.id = t.infusion_id "
                                "JOIN patient p ON p.id = i.patient_id" },
  { "assessment", "assessment", "SELECT t.uid, p.uid FROM assessment t JOIN patient p ON p.id = t.patient_id" },
  { "flag_decision", "flag_decision", "SELECT t.uid, p.uid FROM flag_decision t JOIN patient p ON p.id = t.patient_id" },
  { "medication", "medication", "SELECT t.uid, p.uid FROM medication t JOIN patient p ON p.id = t.patient_id" },
};
#define BULK_RECORDS_PER_EVENT 500

static gboolean
bulk_note_before (TrajStore *self, gboolean everything, GError **error)
{
  for (guint k = 0; k < G_N_ELEMENTS (bulk_tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT coalesce (max (id), 0) FROM %s", bulk_tables[k].table);
      TrajDbStmt *stmt;
      gboolean found = FALSE;

      self->bulk_before[k] = 0;
      if (everything)
        continue;
      stmt = traj_db_prepare (self->db, g_intern_string (sql), error);
      if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
        return FALSE;
      self->bulk_before[k] = found ? traj_db_column_int64 (stmt, 0) : 0;
      traj_db_reset (stmt);
    }
  return TRUE;
}

static gboolean
bulk_records_event (TrajStore *self, GString *detail, guint n, GError **error)
{
  g_autofree char *summary = NULL;

  if (n == 0)
    return TRUE;
  self->bulk_events++;
  summary = g_strdup_printf ("%s: records written, part %u (%u)", self->bulk_action, self->bulk_events, n);
  if (!traj_store_audit_full (self, self->bulk_action, "records", "", NULL, summary, detail->str, error))
    return FALSE;
  g_string_truncate (detail, 0);
  return TRUE;
}

/* Every record the bulk write made since bulk_before (or, for a restore,
 * that the clinic now holds), in the trail: "kind uid" lines for patients
 * and "kind uid patient-uid" for the rest, BULK_RECORDS_PER_EVENT to an
 * event, in the current transaction; the numbers are added to
 * bulk_counts. */
static gboolean
bulk_audit_records (TrajStore *self, GError **error)
{
  g_autoptr(GString) detail = g_string_new (NULL);
  guint n = 0;

  for (guint k = 0; k < G_N_ELEMENTS (bulk_tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("%s WHERE t.id > ?1 ORDER BY t.id", bulk_tables[k].uids);
      TrajDbStmt *stmt = traj_db_prepare_cursor (self->db, g_intern_string (sql), error);
      TrajDbStep rc;

      if (stmt == NULL)
        return FALSE;
      traj_db_bind_int64 (stmt, 1, self->bulk_before[k]);
      while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
        {
          if (k == 0)
            g_string_append_printf (detail, "%s %s\n", bulk_tables[k].kind, traj_db_column_text (stmt, 0));
          else
            g_string_append_printf (detail, "%s %s %s\n", bulk_tables[k].kind, traj_db_column_text (stmt, 0),
                                    traj_db_column_text (stmt, 1));
          self->bulk_counts[k]++;
          if (++n == BULK_RECORDS_PER_EVENT)
            {
              if (!bulk_records_event (self, detail, n, error))
                {
                  traj_db_reset (stmt);
                  return FALSE;
                }
              n = 0;
            }
        }
      traj_db_reset (stmt);
      if (rc == TRAJ_DB_FAILED)
        return FALSE;
    }
  return bulk_records_event (self, detail, n, error);
}

static gboolean
bulk_audit_counts (TrajStore *self, GError **error)
{
  g_autoptr(GString) counts = g_string_new (NULL);
  g_autofree char *summary = NULL;

  for (guint k = 0; k < G_N_ELEMENTS (bulk_tables); k++)
    g_string_append_printf (counts, "%s%s %" G_GINT64_FORMAT, counts->len ? ", " : "", bulk_tables[k].table,
                            self->bulk_counts[k]);
  summary = g_strdup_printf ("%s: %s", self->bulk_action, counts->str);
  return traj_store_audit_full (self, self->bulk_action, "counts", "", NULL, summary, NULL, error);
}

/* ---- a long bulk write in short transactions (SQLite) ------------------------
 *
 * A clinic file has one writer at a time, so one transaction for a whole
 * import or demo clinic kept every clinician's save waiting for up to a
 * minute. Instead the rows are committed in chunks of about BULK_CHUNK_MS
 * of writing, each followed by a pause in which waiting saves get the lock.
 * Until the last, short transaction the records stay hidden from every
 * reader: each patient the bulk write made gets deleted_at = the write's
 * marker (a negative number, never a real time), and every read of the
 * clinic already leaves out a hidden patient and everything of theirs
 * (the patient list, the streamed reads, alerts, attention, counts). The
 * last transaction clears the marker: all of it appears at once, or, if
 * the program is stopped on the way, none of it — the next open removes
 * what such a write left (bulk_remove_hidden ()).
 *
 * A row of a patient who was in the clinic before (a course added to an
 * existing patient, say) cannot be hidden that way: from the chunk that
 * holds the first one on, the write keeps its transaction to the end
 * (bulk_hold), as every bulk write did before.
 *
 * While a marker is in the clinic, trajectory_meta holds the key
 * "hidden-import:<marker>", and the writing program holds a shared flock
 * on "<clinic>-import.lock": an open that can take that lock exclusively
 * knows the writer is gone. */
#define BULK_CHUNK_MS 100
#define BULK_CHUNK_MIN_ROWS 256
/* After each transaction of a long write, the lock is left free this long,
 * and longer while another program's writer says that it waits (up to
 * BULK_PAUSE_LONGEST_MS: a program stuck waiting does not stop the write):
 * traj_db_sqlite_let_waiters_in (). */
#define BULK_PAUSE_MS 5
#define BULK_PAUSE_LONGEST_MS 1000
#define BULK_REMOVE_PATIENTS 200
#define BULK_HIDDEN_KEY "hidden-import:"
/* What the clean-up of a hidden write has removed so far ("patients
 * records"), in the same transactions as the removal: a clean-up killed
 * half-way resumes at the next open, and its one audit event counts all. */
#define BULK_REMOVED_KEY "removed-import:"

static int
bulk_lock (TrajStore *self, int how)
{
  g_autofree char *name = g_strconcat (self->location, "-import.lock", NULL);
  int fd = g_open (name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return -1;
  if (flock (fd, how) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
bulk_unlock (TrajStore *self)
{
  if (self->bulk_lock_fd >= 0)
    close (self->bulk_lock_fd);
  self->bulk_lock_fd = -1;
}

static gboolean
run_with_id (TrajStore *self, const char *sql, gint64 a, gint64 b, GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, a);
  traj_db_bind_int64 (stmt, 2, b);
  return traj_db_run (stmt, error);
}

static gboolean
bulk_meta (TrajStore *self, gboolean add, GError **error)
{
  static const char add_sql[] = "INSERT INTO trajectory_meta (key, value) VALUES ('" BULK_HIDDEN_KEY "' || ?1, ?2)";
  static const char remove_sql[] = "DELETE FROM trajectory_meta WHERE key = '" BULK_HIDDEN_KEY "' || ?1";
  TrajDbStmt *stmt = traj_db_prepare (self->db, add ? add_sql : remove_sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, self->bulk_marker);
  if (add)
    traj_db_bind_text (stmt, 2, self->bulk_action);
  return traj_db_run (stmt, error);
}

/* The tables of records of a patient that a chunk can hide on their own
 * (the new records of a patient already in the clinic), with the patient's
 * other records: their vital signs and items go with them. */
static const char *const bulk_record_tables[] = { "course", "infusion", "assessment", "flag_decision", "medication" };

/* Hides this chunk's records: its new patients (with all of theirs) and its
 * new records of patients who were in the clinic before, each on its own.
 * TRUE in *@held when it holds a vital sign of such a patient's infusion
 * written before (a vital sign has no deleted_at): the write then keeps
 * its transaction to the end. */
static gboolean
bulk_hide_chunk (TrajStore *self, gboolean *held, GError **error)
{
  static const char hide_sql[] = "UPDATE patient SET deleted_at = ?2 WHERE id > ?1 AND deleted_at IS NULL";
  static const char *record_sql[G_N_ELEMENTS (bulk_record_tables)] = {
    "UPDATE course SET deleted_at = ?2 WHERE id > ?1 AND deleted_at IS NULL "
    "AND patient_id IN (SELECT id FROM patient WHERE deleted_at IS NULL)",
    "UPDATE infusion SET deleted_at = ?2 WHERE id > ?1 AND deleted_at IS NULL "
    "AND patient_id IN (SELECT id FROM patient WHERE deleted_at IS NULL)",
    "UPDATE assessment SET deleted_at = ?2 WHERE id > ?1 AND deleted_at IS NULL "
    "AND patient_id IN (SELECT id FROM patient WHERE deleted_at IS NULL)",
    "UPDATE flag_decision SET deleted_at = ?2 WHERE id > ?1 AND deleted_at IS NULL "
    "AND patient_id IN (SELECT id FROM patient WHERE deleted_at IS NULL)",
    "UPDATE medication SET deleted_at = ?2 WHERE id > ?1 AND deleted_at IS NULL "
    "AND patient_id IN (SELECT id FROM patient WHERE deleted_at IS NULL)",
  };
  /* bulk_tables order: patient, course, infusion, vital_sign, assessment, flag_decision, medication */
  static const guint record_index[G_N_ELEMENTS (bulk_record_tables)] = { 1, 2, 4, 5, 6 };
  static const char vital_sql[] =
    "SELECT 1 FROM vital_sign t JOIN infusion i ON i.id = t.infusion_id JOIN patient p ON p.id = i.patient_id "
    "WHERE t.id > ?1 AND i.deleted_at IS NULL AND p.deleted_at IS NULL LIMIT 1";
  TrajDbStmt *stmt;

  *held = FALSE;
  if (!run_with_id (self, hide_sql, self->bulk_before[0], self->bulk_marker, error))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (record_sql); k++)
    {
      if (!run_with_id (self, record_sql[k], self->bulk_before[record_index[k]], self->bulk_marker, error))
        return FALSE;
      if (traj_db_changes (self->db) > 0)
        self->bulk_hid_records = TRUE;
    }
  stmt = traj_db_prepare (self->db, vital_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, self->bulk_before[3]);
  if (!traj_db_step_row (stmt, held, error))
    return FALSE;
  traj_db_reset (stmt);
  return TRUE;
}

static void
bulk_chunk_setting (TrajStore *self)
{
  const char *chunk_ms = g_getenv ("TRAJ_BULK_CHUNK_MS");

  /* TRAJ_BULK_CHUNK_MS (tests): chunks of that many ms, however few rows. */
  self->bulk_chunk_ms = chunk_ms ? g_ascii_strtoll (chunk_ms, NULL, 10) : BULK_CHUNK_MS;
  self->bulk_chunk_min_rows = chunk_ms ? 0 : BULK_CHUNK_MIN_ROWS;
}

/* Between two transactions of a long write: the lock left free long
 * enough for a waiting save (none in tests that ask for a chunk per row). */
static void
bulk_pause (TrajStore *self)
{
  if (self->bulk_chunk_ms > 0 && traj_db_engine (self->db) == TRAJ_DB_SQLITE)
    traj_db_sqlite_let_waiters_in (self->db, BULK_PAUSE_MS, BULK_PAUSE_LONGEST_MS);
}

/* Removes the records of the hidden bulk write @marker, a few patients to
 * a transaction (nobody sees them: partly removed is as good as not), and
 * notes it in the trail. */
static gboolean
bulk_remove_hidden (TrajStore *self, gint64 marker, const char *action, GError **error)
{
  static const char pick_sql[] = "SELECT id FROM patient WHERE deleted_at = ?1 LIMIT " G_STRINGIFY (BULK_REMOVE_PATIENTS);
  static const char *remove_sql[] = {
    "DELETE FROM assessment_item WHERE assessment_id IN (SELECT id FROM assessment WHERE patient_id = ?1)",
    "DELETE FROM assessment WHERE patient_id = ?1",
    "DELETE FROM vital_sign WHERE infusion_id IN (SELECT id FROM infusion WHERE patient_id = ?1)",
    "DELETE FROM infusion WHERE patient_id = ?1",
    "DELETE FROM flag_decision WHERE patient_id = ?1",
    "DELETE FROM medication WHERE patient_id = ?1",
    "DELETE FROM course WHERE patient_id = ?1",
    "DELETE FROM patient_attention WHERE patient_id = ?1",
    "DELETE FROM kiosk_checkin WHERE patient_id = ?1",
    "DELETE FROM patient WHERE id = ?1",
  };
  /* The write's records of patients who were in the clinic before, hidden
   * on their own (bulk_hide_chunk ()), children first. */
  static const char *records_sql[] = {
    "DELETE FROM assessment_item WHERE assessment_id IN (SELECT id FROM assessment WHERE deleted_at = ?1)",
    "DELETE FROM assessment WHERE deleted_at = ?1",
    "DELETE FROM vital_sign WHERE infusion_id IN (SELECT id FROM infusion WHERE deleted_at = ?1)",
    "DELETE FROM infusion WHERE deleted_at = ?1",
    "DELETE FROM flag_decision WHERE deleted_at = ?1",
    "DELETE FROM medication WHERE deleted_at = ?1",
    "DELETE FROM course WHERE deleted_at = ?1",
  };
  static const char meta_sql[] = "DELETE FROM trajectory_meta WHERE key = '" BULK_HIDDEN_KEY "' || ?1";
  static const char done_get_sql[] = "SELECT value FROM trajectory_meta WHERE key = '" BULK_REMOVED_KEY "' || ?1";
  static const char done_clear_sql[] = "DELETE FROM trajectory_meta WHERE key = '" BULK_REMOVED_KEY "' || ?1";
  static const char done_set_sql[] =
    "INSERT INTO trajectory_meta (key, value) VALUES ('" BULK_REMOVED_KEY "' || ?1, ?2)";
  gint64 removed = 0, records = 0;

  {
    TrajDbStmt *stmt = traj_db_prepare (self->db, done_get_sql, error);
    gboolean found = FALSE;

    if (stmt == NULL)
      return FALSE;
    traj_db_bind_int64 (stmt, 1, marker);
    if (!traj_db_step_row (stmt, &found, error))
      return FALSE;
    if (found && sscanf (traj_db_column_text (stmt, 0), "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                         &removed, &records) != 2)
      removed = records = 0;
    traj_db_reset (stmt);
  }

  for (guint round = 0;; round++)
    {
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      TrajDbStmt *stmt;
      TrajDbStep rc;

      /* Back to back, the transactions would keep a save waiting for all. */
      if (round > 0)
        bulk_pause (self);
      if (!traj_store_tx_begin (self, error))
        return FALSE;
      stmt = traj_db_prepare (self->db, pick_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_int64 (stmt, 1, marker);
      while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
        {
          gint64 id = traj_db_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      traj_db_reset (stmt);
      if (rc == TRAJ_DB_FAILED)
        goto fail;
      for (guint k = 0; round == 0 && k < G_N_ELEMENTS (records_sql); k++)
        {
          if (!run_with_id (self, records_sql[k], marker, 0, error))
            goto fail;
          records += traj_db_changes (self->db);
        }
      for (guint j = 0; j < ids->len; j++)
        for (guint k = 0; k < G_N_ELEMENTS (remove_sql); k++)
          if (!run_with_id (self, remove_sql[k], g_array_index (ids, gint64, j), 0, error))
            goto fail;
      removed += ids->len;
      if (ids->len < BULK_REMOVE_PATIENTS && (removed > 0 || records > 0))
        {
          g_autofree char *summary =
            g_strdup_printf ("%s: unfinished, removed: %" G_GINT64_FORMAT " hidden patients and their records, "
                             "%" G_GINT64_FORMAT " hidden records of other patients", action, removed, records);

          if (!traj_store_audit (self, action, "clinic", "", summary, error))
            goto fail;
        }
      if (ids->len < BULK_REMOVE_PATIENTS && !run_with_id (self, meta_sql, marker, 0, error))
        goto fail;
      if (!run_with_id (self, done_clear_sql, marker, 0, error))
        goto fail;
      if (ids->len == BULK_REMOVE_PATIENTS)
        {
          g_autofree char *done = g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, removed, records);
          TrajDbStmt *set = traj_db_prepare (self->db, done_set_sql, error);

          if (set == NULL)
            goto fail;
          traj_db_bind_int64 (set, 1, marker);
          traj_db_bind_text0 (set, 2, done);
          if (!traj_db_run (set, error))
            goto fail;
        }
      traj_store_attention_forget (self);
      if (!traj_store_tx_commit (self, error))
        return FALSE;
      if (ids->len < BULK_REMOVE_PATIENTS)
        return TRUE;
    }

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

/* At open: what a bulk write stopped on the way (a kill, a power cut) left
 * hidden in the clinic is removed, once no program is writing it. */
static void
bulk_remove_abandoned (TrajStore *self)
{
  static const char sql[] = "SELECT key, value FROM trajectory_meta WHERE key LIKE '" BULK_HIDDEN_KEY "%'";
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  TrajDbStmt *stmt;
  TrajDbStep rc;
  int fd;

  if (traj_db_engine (self->db) != TRAJ_DB_SQLITE)
    return;
  stmt = traj_db_prepare (self->db, sql, &error);
  if (stmt == NULL)
    goto out;
  while ((rc = traj_db_step (stmt, &error)) == TRAJ_DB_ROW)
    {
      g_ptr_array_add (keys, traj_db_column_dup (stmt, 0));
      g_ptr_array_add (actions, traj_db_column_dup (stmt, 1));
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED || keys->len == 0)
    goto out;
  bulk_chunk_setting (self);
  fd = bulk_lock (self, LOCK_EX | LOCK_NB);
  if (fd < 0)
    return;     /* still being written */
  for (guint k = 0; k < keys->len && error == NULL; k++)
    {
      const char *key = g_ptr_array_index (keys, k);
      gint64 marker = g_ascii_strtoll (key + strlen (BULK_HIDDEN_KEY), NULL, 10);

      if (marker < 0)
        bulk_remove_hidden (self, marker, g_ptr_array_index (actions, k), &error);
    }
  close (fd);
out:
  if (error)
    g_warning ("Could not remove an unfinished import from %s: %s", self->location, error->message);
}

void
traj_bulk_set_pause_func (TrajStore         *store,
                          TrajBulkPauseFunc  func,
                          gpointer           user_data)
{
  g_return_if_fail (TRAJ_IS_STORE (store));
  store->bulk_pause_func = func;
  store->bulk_pause_data = user_data;
}

gboolean
traj_bulk_yield (TrajStore  *store,
                 guint       rows,
                 GError    **error)
{
  TrajStore *self = store;
  gboolean held = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);

  self->bulk_chunk_rows += rows;
  /* Also after a row failed (bulk_failed): what is written is removed at
   * the end, and saves need not wait for it meanwhile. */
  if (!self->bulk || self->bulk_marker == 0 || self->bulk_hold || self->tx_depth != 1 ||
      self->bulk_chunk_rows < self->bulk_chunk_min_rows ||
      g_get_monotonic_time () - self->bulk_chunk_started < self->bulk_chunk_ms * 1000)
    return TRUE;
  if (!bulk_hide_chunk (self, &held, error))
    goto fail;
  if (held)
    {
      /* From here to the end in this transaction: visible only at commit. */
      self->bulk_hold = TRUE;
      return TRUE;
    }
  if (!bulk_audit_records (self, error))
    goto fail;
  /* Only hidden patients changed: their state is worked out after the
   * last transaction (traj_store_bulk_commit ()). */
  traj_store_attention_forget (self);
  if (!traj_store_tx_commit (self, error))
    {
      self->bulk_failed = TRUE;
      return FALSE;
    }
  self->bulk_chunks++;
  self->bulk_longest_hold = MAX (self->bulk_longest_hold, g_get_monotonic_time () - self->bulk_chunk_started);
  bulk_pause (self);
  if (self->bulk_pause_func)
    self->bulk_pause_func (self->bulk_pause_data);
  if (!traj_store_tx_begin (self, error))
    {
      self->bulk_failed = TRUE;
      return FALSE;
    }
  if (!bulk_note_before (self, FALSE, error))
    goto fail;
  self->bulk_chunk_started = g_get_monotonic_time ();
  self->bulk_chunk_rows = 0;
  return TRUE;

fail:
  self->bulk_failed = TRUE;
  return FALSE;
}

gboolean
traj_store_bulk_begin (TrajStore   *self,
                       const char  *action,
                       const char  *summary,
                       GError     **error)
{
  gboolean restore;
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->bulk, FALSE);

  restore = g_str_equal (action, "restore");
  g_free (self->bulk_action);
  self->bulk_action = g_strdup (action);
  self->bulk_marker = 0;
  self->bulk_hold = FALSE;
  self->bulk_events = 0;
  self->bulk_chunks = 0;
  self->bulk_longest_hold = 0;
  memset (self->bulk_counts, 0, sizeof self->bulk_counts);
  bulk_chunk_setting (self);
  self->bulk_chunk_rows = 0;
  /* Hidden chunks on a clinic file whose folder takes the lock file. */
  if (!restore && traj_db_engine (self->db) == TRAJ_DB_SQLITE && self->tx_depth == 0 &&
      (self->bulk_lock_fd = bulk_lock (self, LOCK_SH)) >= 0)
    self->bulk_marker = -g_get_real_time ();

  bulk_cache_grow (self);
  if (!traj_store_tx_begin (self, error))
    {
      bulk_unlock (self);
      bulk_cache_restore (self);
      return FALSE;
    }
  if (!traj_store_audit (self, action, "clinic", "", summary, error) ||
      !bulk_note_before (self, restore, error) ||
      (self->bulk_marker != 0 && !bulk_meta (self, TRUE, error)))
    {
      traj_store_tx_rollback (self);
      bulk_unlock (self);
      bulk_cache_restore (self);
      return FALSE;
    }
  self->bulk_first_patient = self->bulk_before[0];
  memcpy (self->bulk_first, self->bulk_before, sizeof self->bulk_first);
  self->bulk_hid_records = FALSE;
  self->bulk_chunk_started = g_get_monotonic_time ();
  self->bulk = TRUE;
  self->bulk_failed = FALSE;
  return TRUE;
}

/* The needs-attention state of the patients a hidden bulk write made, in
 * write transactions of about BULK_CHUNK_MS each (each patient read and
 * written in one, so that it never lags behind a save of another
 * program) with a pause between them: back to back, they kept a save
 * waiting for all of them (4 s at 10,000 patients). A state still missing
 * after a crash here is made at the next start
 * (traj_store_refresh_attention ()). */
#define BULK_ATTENTION_FIRST 50

static gboolean
bulk_attention (TrajStore *self, GArray *others, GError **error)
{
  static const char sql[] =
    "SELECT p.id FROM patient p LEFT JOIN patient_attention a ON a.patient_id = p.id "
    "WHERE p.id > ?1 AND p.deleted_at IS NULL AND a.patient_id IS NULL ORDER BY p.id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajDbStep rc;
  guint batch = BULK_ATTENTION_FIRST;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, self->bulk_first_patient);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      gint64 id = traj_db_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return FALSE;
  /* And the patients already in the clinic that it added records to. */
  if (others)
    g_array_append_vals (ids, others->data, others->len);
  /* The next batch starts after this one's patients, whatever size the
   * batch after it is given below. */
  for (guint k = 0, end; k < ids->len; k = end)
    {
      gint64 started;
      double took_ms;

      if (k > 0)
        bulk_pause (self);
      if (!traj_store_tx_begin (self, error))
        return FALSE;
      started = g_get_monotonic_time ();
      end = MIN (ids->len, k + batch);
      for (guint j = k; j < end; j++)
        traj_store_attention_touch (self, g_array_index (ids, gint64, j));
      if (!traj_store_tx_commit (self, error))
        {
          if (self->tx_depth > 0)
            traj_store_tx_rollback (self);
          return FALSE;
        }
      /* The next batch as many patients as fit in a chunk's time (growing
       * at most twofold, and read one by one: more at once are read in a
       * pass over the whole clinic). */
      took_ms = MAX ((g_get_monotonic_time () - started) / 1000.0, 1.0);
      if (self->bulk_chunk_ms > 0)
        batch = (guint) CLAMP (batch * MIN (self->bulk_chunk_ms / took_ms, 2.0), 10.0,
                               (double) TRAJ_ATTENTION_FEW_PATIENTS);
    }
  return TRUE;
}

static int
cmp_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* In the last transaction: the records the write hid on their own (of
 * patients already in the clinic) shown, and those patients listed in
 * @others for their needs-attention state. */
static gboolean
bulk_show_records (TrajStore *self, GArray *others, GError **error)
{
  static const guint record_index[G_N_ELEMENTS (bulk_record_tables)] = { 1, 2, 4, 5, 6 };
  static const char *patients_sql[G_N_ELEMENTS (bulk_record_tables)] = {
    "SELECT DISTINCT patient_id FROM course WHERE id > ?1 AND deleted_at = ?2",
    "SELECT DISTINCT patient_id FROM infusion WHERE id > ?1 AND deleted_at = ?2",
    "SELECT DISTINCT patient_id FROM assessment WHERE id > ?1 AND deleted_at = ?2",
    "SELECT DISTINCT patient_id FROM flag_decision WHERE id > ?1 AND deleted_at = ?2",
    "SELECT DISTINCT patient_id FROM medication WHERE id > ?1 AND deleted_at = ?2",
  };
  static const char *show_sql[G_N_ELEMENTS (bulk_record_tables)] = {
    "UPDATE course SET deleted_at = NULL WHERE id > ?1 AND deleted_at = ?2",
    "UPDATE infusion SET deleted_at = NULL WHERE id > ?1 AND deleted_at = ?2",
    "UPDATE assessment SET deleted_at = NULL WHERE id > ?1 AND deleted_at = ?2",
    "UPDATE flag_decision SET deleted_at = NULL WHERE id > ?1 AND deleted_at = ?2",
    "UPDATE medication SET deleted_at = NULL WHERE id > ?1 AND deleted_at = ?2",
  };
  for (guint k = 0; k < G_N_ELEMENTS (bulk_record_tables); k++)
    {
      TrajDbStmt *stmt = traj_db_prepare (self->db, patients_sql[k], error);
      TrajDbStep rc;

      if (stmt == NULL)
        return FALSE;
      traj_db_bind_int64 (stmt, 1, self->bulk_first[record_index[k]]);
      traj_db_bind_int64 (stmt, 2, self->bulk_marker);
      while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
        {
          gint64 id = traj_db_column_int64 (stmt, 0);

          g_array_append_val (others, id);
        }
      traj_db_reset (stmt);
      if (rc == TRAJ_DB_FAILED)
        return FALSE;
      if (!run_with_id (self, show_sql[k], self->bulk_first[record_index[k]], self->bulk_marker, error))
        return FALSE;
    }
  /* Each patient once. */
  g_array_sort (others, cmp_int64);
  for (guint k = 1; k < others->len;)
    if (g_array_index (others, gint64, k) == g_array_index (others, gint64, k - 1))
      g_array_remove_index (others, k);
    else
      k++;
  return TRUE;
}

gint64
traj_store_bulk_hidden_marker (TrajStore *self)
{
  return self->bulk ? self->bulk_marker : 0;
}

/* After a failure: the open transaction is rolled back, and what earlier
 * chunks committed hidden is removed. */
static void
bulk_abandon (TrajStore *self)
{
  g_autoptr(GError) error = NULL;

  if (self->tx_depth > 0)
    traj_store_tx_rollback (self);
  bulk_cache_restore (self);
  /* Chunks committed: their records are hidden in the clinic until removed. */
  if (self->bulk_marker != 0 && self->bulk_chunks > 0 &&
      !bulk_remove_hidden (self, self->bulk_marker, self->bulk_action, &error))
    g_warning ("Could not remove the unfinished %s from %s (the next start does): %s", self->bulk_action,
               self->location, error->message);
  bulk_unlock (self);
  self->bulk_marker = 0;
}

gboolean
traj_store_bulk_commit (TrajStore  *self,
                        GError    **error)
{
  static const char show_sql[] = "UPDATE patient SET deleted_at = NULL WHERE id > ?1 AND deleted_at = ?2";
  gboolean ok, held = FALSE, refresh;
  g_autoptr(GArray) others = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->bulk, FALSE);

  /* A server import's last buffered rows: their clashes are rows' problems
   * the importer hears about now, before it decides. */
  if (self->deferred && !traj_bulk_flush (self, error))
    {
      self->bulk = FALSE;
      g_clear_pointer (&self->deferred, traj_store_deferred_free);
      bulk_abandon (self);
      return FALSE;
    }
  g_clear_pointer (&self->deferred, traj_store_deferred_free);
  self->bulk = FALSE;
  if (self->bulk_failed)
    {
      bulk_abandon (self);
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                           _("A row of the batch failed; nothing was saved."));
      return FALSE;
    }
  /* The last transaction: this chunk's records, then everything shown. */
  ok = (self->bulk_marker == 0 || bulk_hide_chunk (self, &held, error)) &&
       bulk_audit_records (self, error) &&
       (self->bulk_marker == 0 ||
        /* Only when it hid some: it reads every record the write made (~0.5 s at 10k patients). */
        ((!self->bulk_hid_records || bulk_show_records (self, others, error)) &&
         run_with_id (self, show_sql, self->bulk_first_patient, self->bulk_marker, error) &&
         bulk_meta (self, FALSE, error))) &&
       bulk_audit_counts (self, error);
  if (!ok)
    {
      bulk_abandon (self);
      return FALSE;
    }
  /* The state of the patients a hidden write made is worked out below, a
   * few at a time, not in this transaction. */
  refresh = self->bulk_marker != 0;
  if (refresh)
    traj_store_attention_forget (self);
  ok = traj_store_tx_commit (self, error);
  if (!ok)
    {
      bulk_abandon (self);
      return FALSE;
    }
  self->bulk_longest_hold = MAX (self->bulk_longest_hold, g_get_monotonic_time () - self->bulk_chunk_started);
  bulk_unlock (self);
  self->bulk_marker = 0;
  bulk_cache_restore (self);
  if (refresh)
    {
      g_autoptr(GError) local = NULL;

      if (!bulk_attention (self, others, &local))
        g_warning ("Needs-attention state after the %s: %s", self->bulk_action, local->message);
    }
  traj_store_emit_changed (self, TRAJ_N_KINDS, 0);
  return TRUE;
}

void
traj_store_bulk_rollback (TrajStore *self)
{
  g_return_if_fail (TRAJ_IS_STORE (self));
  g_return_if_fail (self->bulk);

  self->bulk = FALSE;
  g_clear_pointer (&self->deferred, traj_store_deferred_free);
  bulk_abandon (self);
}

/* ---- delete / undelete -------------------------------------------------------- */

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
    case TRAJ_KIND_MEDICATION: return "medication";
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
    [TRAJ_KIND_MEDICATION] = "SELECT uid, patient_id, deleted_at FROM medication WHERE id = ?1",
  };
  static const char *update_sql[2][TRAJ_N_KINDS] = {
    {
      [TRAJ_KIND_PATIENT] = "UPDATE patient SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_COURSE] = "UPDATE course SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_INFUSION] = "UPDATE infusion SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_ASSESSMENT] = "UPDATE assessment SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_FLAG_DECISION] = "UPDATE flag_decision SET deleted_at = NULL WHERE id = ?1",
      [TRAJ_KIND_MEDICATION] = "UPDATE medication SET deleted_at = NULL WHERE id = ?1",
    },
    {
      [TRAJ_KIND_PATIENT] = "UPDATE patient SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_COURSE] = "UPDATE course SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_INFUSION] = "UPDATE infusion SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_ASSESSMENT] = "UPDATE assessment SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_FLAG_DECISION] = "UPDATE flag_decision SET deleted_at = ?2 WHERE id = ?1",
      [TRAJ_KIND_MEDICATION] = "UPDATE medication SET deleted_at = ?2 WHERE id = ?1",
    },
  };
  static const char course_stamp_sql[] =
    "SELECT max(d) FROM (SELECT max(deleted_at) AS d FROM infusion WHERE course_id = ?1 "
    "UNION ALL SELECT max(deleted_at) FROM assessment WHERE course_id = ?1) AS stamps";
  static const char *cascade[2][2] = {
    { "UPDATE infusion SET deleted_at = NULL WHERE course_id = ?1 AND deleted_at = ?2",
      "UPDATE assessment SET deleted_at = NULL WHERE course_id = ?1 AND deleted_at = ?2" },
    { "UPDATE infusion SET deleted_at = ?2 WHERE course_id = ?1 AND deleted_at IS NULL",
      "UPDATE assessment SET deleted_at = ?2 WHERE course_id = ?1 AND deleted_at IS NULL" },
  };
  TrajDbStmt *stmt;
  g_autofree char *uid = NULL;
  gint64 patient_id, old_deleted_at, now = traj_time_now ();
  gboolean found = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (kind_table (kind) == NULL)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("This kind of record cannot be deleted."));
      return FALSE;
    }

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  stmt = traj_db_prepare (self->db, select_sql[kind], error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (!found)
    {
      traj_db_reset (stmt);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The %s record does not exist."), kind_table (kind));
      goto fail;
    }
  uid = traj_db_column_dup (stmt, 0);
  patient_id = traj_db_column_int64 (stmt, 1);
  old_deleted_at = traj_db_column_int64 (stmt, 2);
  traj_db_reset (stmt);

  if (deleted == (old_deleted_at != 0))
    {
      /* Already in the wanted state: nothing to do, nothing to audit. */
      traj_store_tx_rollback (self);
      return TRUE;
    }

  /* The stamp of a course deletion is what undo matches on, so it must not
   * equal the stamp of a record of the course deleted on its own before
   * (within the same second), or undo would bring that record back too. */
  if (deleted && kind == TRAJ_KIND_COURSE)
    {
      stmt = traj_db_prepare (self->db, course_stamp_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_int64 (stmt, 1, id);
      if (!traj_db_step_row (stmt, &found, error))
        goto fail;
      if (found && traj_db_column_int64 (stmt, 0) >= now)
        now = traj_db_column_int64 (stmt, 0) + 1;
      traj_db_reset (stmt);
    }

  stmt = traj_db_prepare (self->db, update_sql[deleted][kind], error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  if (deleted)
    traj_db_bind_int64 (stmt, 2, now);
  if (!traj_db_run (stmt, error))
    goto fail;

  /* A course takes its infusions and assessments with it; undo brings back
   * exactly the ones hidden in the same stroke (same timestamp). */
  if (kind == TRAJ_KIND_COURSE)
    {
      for (guint k = 0; k < 2; k++)
        {
          stmt = traj_db_prepare (self->db, cascade[deleted][k], error);
          if (stmt == NULL)
            goto fail;
          traj_db_bind_int64 (stmt, 1, id);
          traj_db_bind_int64 (stmt, 2, deleted ? now : old_deleted_at);
          if (!traj_db_run (stmt, error))
            goto fail;
        }
    }

  traj_store_attention_touch (self, patient_id);
  if (!traj_store_audit_record (self, deleted ? "delete" : "undelete", kind, uid, kind_table (kind), error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  traj_store_emit_changed (self, kind, patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
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

/* ---- audit, counts -------------------------------------------------------------- */

GPtrArray *
traj_store_list_audit (TrajStore *self, const char *record_uid, GError **error)
{
  static const char one_sql[] =
    "SELECT id, at, os_user, clinician, action, record_kind, record_uid, summary, patient_uid, detail "
    "FROM audit_event WHERE record_uid = ?1 ORDER BY id DESC";
  static const char all_sql[] =
    "SELECT id, at, os_user, clinician, action, record_kind, record_uid, summary, patient_uid, detail "
    "FROM audit_event ORDER BY id DESC";
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  stmt = traj_db_prepare (self->db, record_uid ? one_sql : all_sql, error);
  if (stmt == NULL)
    return NULL;
  if (record_uid)
    traj_db_bind_text0 (stmt, 1, record_uid);
  return traj_store_audit_read_events (stmt, error);
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
    [TRAJ_KIND_MEDICATION] = "SELECT count(*) FROM medication WHERE deleted_at IS NULL",
  };
  /* On a clinic file, not the records of a bulk write still hidden (its
   * patients' deleted_at is negative until it ends: traj_bulk_yield ()). */
#define NOT_HIDDEN "patient_id NOT IN (SELECT id FROM patient WHERE deleted_at < 0)"
  static const char *file_sql[TRAJ_N_KINDS] = {
    [TRAJ_KIND_PATIENT] = "SELECT count(*) FROM patient WHERE deleted_at IS NULL",
    [TRAJ_KIND_COURSE] = "SELECT count(*) FROM course WHERE deleted_at IS NULL AND " NOT_HIDDEN,
    [TRAJ_KIND_INFUSION] = "SELECT count(*) FROM infusion WHERE deleted_at IS NULL AND " NOT_HIDDEN,
    /* …nor the readings of an infusion it hid on its own (of a patient
     * already in the clinic). */
    [TRAJ_KIND_VITAL_SIGN] = "SELECT count(*) FROM vital_sign WHERE infusion_id NOT IN "
                             "(SELECT id FROM infusion WHERE deleted_at < 0 OR "
                             "patient_id IN (SELECT id FROM patient WHERE deleted_at < 0))",
    [TRAJ_KIND_ASSESSMENT] = "SELECT count(*) FROM assessment WHERE deleted_at IS NULL AND " NOT_HIDDEN,
    [TRAJ_KIND_FLAG_DECISION] = "SELECT count(*) FROM flag_decision WHERE deleted_at IS NULL AND " NOT_HIDDEN,
    [TRAJ_KIND_KIOSK_CHECKIN] = "SELECT count(*) FROM kiosk_checkin",
    [TRAJ_KIND_MEDICATION] = "SELECT count(*) FROM medication WHERE deleted_at IS NULL AND " NOT_HIDDEN,
  };
#undef NOT_HIDDEN
  TrajDbStmt *stmt;
  gint64 n = -1;
  gboolean found = FALSE;

  g_return_val_if_fail ((guint) kind < TRAJ_N_KINDS, -1);
  stmt = traj_db_prepare (self->db, traj_db_engine (self->db) == TRAJ_DB_SQLITE ? file_sql[kind] : sql[kind], error);
  if (stmt == NULL)
    return -1;
  if (!traj_db_step_row (stmt, &found, error))
    return -1;
  if (found)
    n = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  return n;
}

/* ---- other programs' changes, integrity ------------------------------------------ */

gboolean
traj_store_poll_external_changes (TrajStore *self)
{
  gint64 version = 0;
  gboolean changed;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (self->tx_depth > 0 || traj_db_engine (self->db) != TRAJ_DB_SQLITE)
    return FALSE;
  if (!traj_db_sqlite_data_version (self->db, &version))
    return FALSE;
  /* data_version moves only for commits by other connections. */
  changed = self->data_version != 0 && version != self->data_version;
  self->data_version = version;
  if (changed)
    {
      traj_store_apply_time_zone (self);
      g_signal_emit (self, signals[CHANGED], 0, (guint) TRAJ_N_KINDS, (gint64) 0);
    }
  return changed;
}

gboolean
traj_store_check_integrity (TrajStore *self, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (traj_db_engine (self->db) != TRAJ_DB_SQLITE)
    return TRUE;
  return traj_db_sqlite_check_integrity (self->db, FALSE, error);
}

gboolean
traj_store_quick_check (TrajStore *self, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (traj_db_engine (self->db) != TRAJ_DB_SQLITE)
    return TRUE;
  return traj_db_sqlite_check_integrity (self->db, TRUE, error);
}

/* ---- hot queries (for EXPLAIN QUERY PLAN tests) ------------------------------------ */

const TrajHotQuery *
traj_store_hot_queries (void)
{
  static const TrajHotQuery queries[] = {
    { "patient by MRN", traj_store_patient_by_mrn_sql },
    { "patient list", NULL },
    { "latest scores", traj_store_latest_scores_sql },
    { "one patient: courses", NULL },
    { "one patient: infusions", NULL },
    { "one patient: assessments", NULL },
    { "one patient: decisions", NULL },
    { "clinic scan: patients", NULL },
    { "clinic scan: courses", NULL },
    { "clinic scan: infusions", NULL },
    { "clinic scan: assessments", NULL },
    { "clinic scan: decisions", NULL },
    { "date rules: infusion", TRAJ_INFUSION_CONTEXT_SQL },
    { "date rules: same minute", TRAJ_SAME_MINUTE_SQL },
    { "clinic scan: cohort infusions", NULL },
    { "clinic scan: cohort assessments", NULL },
    { NULL, NULL }
  };
  static TrajHotQuery filled[G_N_ELEMENTS (queries)];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      memcpy (filled, queries, sizeof queries);
      filled[1].sql = traj_store_patient_list_sql (TRAJ_DB_SQLITE);
      for (guint k = 0; k < 4; k++)
        filled[3 + k].sql = traj_store_one_patient_sql ()[k + 1];
      for (guint k = 0; k < 5; k++)
        filled[7 + k].sql = traj_store_all_patients_sql ()[k];
      filled[14].sql = traj_store_cohort_sql ()[2];
      filled[15].sql = traj_store_cohort_sql ()[3];
      g_once_init_leave (&once, 1);
    }
  return filled;
}

