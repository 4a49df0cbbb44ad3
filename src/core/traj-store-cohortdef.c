/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Saved cohort definitions (the JSON of traj-cohort.h, opaque here). */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-validate.h"

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
read_saved_cohort (TrajDbStmt *stmt)
{
  TrajSavedCohort *c = g_new0 (TrajSavedCohort, 1);

  c->id = traj_db_column_int64 (stmt, 0);
  c->uid = traj_db_column_dup (stmt, 1);
  c->name = traj_db_column_dup (stmt, 2);
  c->definition = traj_db_column_dup (stmt, 3);
  c->created_at = traj_db_column_int64 (stmt, 4);
  c->updated_at = traj_db_column_int64 (stmt, 5);
  return c;
}

/* The id of the live definition named @name other than @except_id, 0 none. */
static gboolean
cohort_name_owner (TrajStore *self, const char *name, gint64 except_id, gint64 *owner, GError **error)
{
  static const char sql[] =
    "SELECT id FROM cohort_definition WHERE name = ?1 AND id != ?2 AND deleted_at IS NULL";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  gboolean found = FALSE;

  *owner = 0;
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, name);
  traj_db_bind_int64 (stmt, 2, except_id);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    *owner = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  return TRUE;
}

static gboolean
audit_cohort (TrajStore *self, const char *action, const char *uid, const char *name, GError **error)
{
  g_autofree char *summary = g_strdup_printf ("cohort definition “%s”", name);

  if (self->bulk)
    return TRUE;
  return traj_store_audit (self, action, "cohort_definition", uid, summary, error);
}

gboolean
traj_store_save_cohort (TrajStore   *self,
                        const char  *name,
                        const char  *definition,
                        gboolean     replace,
                        gint64      *id,
                        GError     **error)
{
  static const char update_sql[] = "UPDATE cohort_definition SET definition = ?2, updated_at = ?3 WHERE id = ?1";
  static const char uid_sql[] = "SELECT uid FROM cohort_definition WHERE id = ?1";
  static const char insert_sql[] =
    "INSERT INTO cohort_definition (uid, name, definition, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id";
  g_autofree char *clean = NULL;
  g_autofree char *uid = NULL;
  gint64 owner = 0, now = traj_time_now ();
  gboolean updating, found = FALSE;
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (definition != NULL, FALSE);

  clean = g_strstrip (g_strdup (name ? name : ""));
  if (*clean == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Give the cohort definition a name."));
      return FALSE;
    }
  if (!traj_validate_text (_("Name"), clean, FALSE, error))
    return FALSE;

  if (!traj_store_tx_begin (self, error))
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
      stmt = traj_db_prepare (self->db, update_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_int64 (stmt, 1, owner);
      traj_db_bind_text0 (stmt, 2, definition);
      traj_db_bind_int64 (stmt, 3, now);
      if (!traj_db_run (stmt, error))
        goto fail;
      stmt = traj_db_prepare (self->db, uid_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_int64 (stmt, 1, owner);
      if (!traj_db_step_row (stmt, &found, error))
        goto fail;
      if (found)
        uid = traj_db_column_dup (stmt, 0);
      traj_db_reset (stmt);
      if (!found)
        {
          g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The cohort definition does not exist."));
          goto fail;
        }
    }
  else
    {
      uid = traj_uuid_new ();
      stmt = traj_db_prepare (self->db, insert_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_text0 (stmt, 1, uid);
      traj_db_bind_text0 (stmt, 2, clean);
      traj_db_bind_text0 (stmt, 3, definition);
      traj_db_bind_int64 (stmt, 4, now);
      if (!traj_db_step_row (stmt, &found, error))
        goto fail;
      if (found)
        owner = traj_db_column_int64 (stmt, 0);
      traj_db_reset (stmt);
    }
  if (!audit_cohort (self, updating ? "update" : "insert", uid, clean, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  if (id)
    *id = owner;
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

GPtrArray *
traj_store_list_cohorts (TrajStore  *self,
                         GError    **error)
{
  /* Name order without regard to ASCII case, as the patient list. */
  static const char sqlite_sql[] =
    "SELECT " COHORT_COLS " FROM cohort_definition WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE, id";
  static const char postgres_sql[] =
    "SELECT " COHORT_COLS " FROM cohort_definition WHERE deleted_at IS NULL ORDER BY lower(name), id";
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_saved_cohort_free);
  TrajDbStmt *stmt;
  TrajDbStep rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  stmt = traj_db_prepare2 (self->db, sqlite_sql, postgres_sql, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_ptr_array_add (out, read_saved_cohort (stmt));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_steal_pointer (&out);
}

TrajSavedCohort *
traj_store_find_cohort (TrajStore   *self,
                        const char  *name,
                        GError     **error)
{
  static const char sql[] =
    "SELECT " COHORT_COLS " FROM cohort_definition WHERE name = ?1 AND deleted_at IS NULL";
  g_autofree char *clean = NULL;
  TrajSavedCohort *c = NULL;
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  clean = g_strstrip (g_strdup (name ? name : ""));
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_text0 (stmt, 1, clean);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    c = read_saved_cohort (stmt);
  traj_db_reset (stmt);
  if (c == NULL)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("There is no cohort definition named “%s”."), clean);
  return c;
}

static gboolean
set_cohort_deleted (TrajStore *self, gint64 id, gboolean deleted, GError **error)
{
  static const char read_sql[] = "SELECT uid, name, deleted_at FROM cohort_definition WHERE id = ?1";
  static const char delete_sql[] = "UPDATE cohort_definition SET deleted_at = ?2 WHERE id = ?1";
  static const char undelete_sql[] = "UPDATE cohort_definition SET deleted_at = NULL WHERE id = ?1";
  TrajDbStmt *stmt;
  g_autofree char *uid = NULL, *name = NULL;
  gint64 old_deleted_at = 0, owner = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  stmt = traj_db_prepare (self->db, read_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (found)
    {
      uid = traj_db_column_dup (stmt, 0);
      name = traj_db_column_dup (stmt, 1);
      old_deleted_at = traj_db_column_int64 (stmt, 2);
    }
  traj_db_reset (stmt);
  if (!found)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The cohort definition does not exist."));
      goto fail;
    }
  if (deleted == (old_deleted_at != 0))
    {
      traj_store_tx_rollback (self);
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
  stmt = traj_db_prepare (self->db, deleted ? delete_sql : undelete_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  if (deleted)
    traj_db_bind_int64 (stmt, 2, traj_time_now ());
  if (!traj_db_run (stmt, error))
    goto fail;
  if (!audit_cohort (self, deleted ? "delete" : "undelete", uid, name, error))
    goto fail;
  return traj_store_tx_commit (self, error);

fail:
  traj_store_tx_rollback (self);
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
