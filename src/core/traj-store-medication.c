/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient's medication list (CLINICAL.md §8 "Medicines"): saves and
 * reads. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-medication.h"
#include "traj-store-private.h"

static void
bind_medication (TrajDbStmt *stmt, int first, const TrajMedication *m)
{
  traj_db_bind_text0 (stmt, first, m->name);
  traj_db_bind_text0 (stmt, first + 1, traj_med_class_to_string (m->klass));
  traj_db_bind_text0 (stmt, first + 2, m->dose ? m->dose : "");
  traj_db_bind_day (stmt, first + 3, m->start_day);
  traj_db_bind_day (stmt, first + 4, m->stop_day);
}

static char *
summary_of (const TrajMedication *m)
{
  return g_strdup_printf ("medication %s (%s)", m->name, traj_med_class_to_string (m->klass));
}

static TrajMedication *
checked_copy (const TrajMedication *m, GError **error)
{
  g_autoptr(TrajMedication) work = traj_medication_copy (m);

  if (work->name)
    g_strstrip (work->name);
  if (work->dose)
    g_strstrip (work->dose);
  if (!traj_validate_medication (work, traj_day_today (), error))
    return NULL;
  return g_steal_pointer (&work);
}

gboolean
traj_store_write_medication_row (TrajStore *self, TrajMedication *m, GError **error)
{
  static const char sql[] =
    "INSERT INTO medication (" TRAJ_MEDICATION_INSERT_COLS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING RETURNING id";
  TrajDbValues values = { 0 };
  TrajDbStmt *stmt;
  gboolean inserted = FALSE, ok;

  traj_db_values_text0 (&values, m->uid);
  traj_db_values_int64 (&values, m->patient_id);
  traj_db_values_text0 (&values, m->name);
  traj_db_values_text0 (&values, traj_med_class_to_string (m->klass));
  traj_db_values_text0 (&values, m->dose);
  traj_db_values_day (&values, m->start_day);
  traj_db_values_day (&values, m->stop_day);
  if (traj_store_deferred (self))
    {
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_MEDICATION, &values, m->uid, NULL, m->patient_id, &m->id,
                                 error);
      traj_db_values_clear (&values);
      return ok;
    }
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    {
      traj_db_values_clear (&values);
      return FALSE;
    }
  traj_db_bind_values (stmt, 1, &values);
  traj_db_values_clear (&values);
  if (!traj_db_step_row (stmt, &inserted, error))
    return FALSE;
  if (inserted)
    m->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (!inserted)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                 _("uid %s is already used by another %s record."), m->uid, "medication");
  return inserted;
}

gboolean
traj_store_insert_medication (TrajStore *self, TrajMedication *m, GError **error)
{
  g_autoptr(TrajMedication) work = NULL;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (m != NULL, FALSE);

  if ((work = checked_copy (m, error)) == NULL)
    return FALSE;
  traj_store_ensure_uid (&work->uid);
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_patient_exists (self, work->patient_id, error))
    goto fail;
  if (!traj_store_write_medication_row (self, work, error))
    goto fail;
  summary = summary_of (work);
  if (!traj_store_audit_record (self, "insert", TRAJ_KIND_MEDICATION, work->uid, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  m->id = work->id;
  g_free (m->uid);
  m->uid = g_strdup (work->uid);
  traj_store_emit_changed (self, TRAJ_KIND_MEDICATION, m->patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

gboolean
traj_store_update_medication (TrajStore *self, const TrajMedication *m, GError **error)
{
  static const char sql[] =
    "UPDATE medication SET name = ?2, class = ?3, dose = ?4, start_date = ?5, stop_date = ?6 "
    "WHERE id = ?1 AND deleted_at IS NULL";
  g_autoptr(TrajMedication) work = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autofree char *summary = NULL;
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (m != NULL && m->id > 0, FALSE);

  if ((work = checked_copy (m, error)) == NULL)
    return FALSE;
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if ((before = traj_store_audit_snapshot (self, TRAJ_KIND_MEDICATION, work->id, error)) == NULL)
    goto fail;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, work->id);
  bind_medication (stmt, 2, work);
  if (!traj_db_run (stmt, error) || !traj_store_expect_one_change (self, TRAJ_KIND_MEDICATION, error))
    goto fail;
  summary = summary_of (work);
  if (!traj_store_audit_update (self, TRAJ_KIND_MEDICATION, work->id, work->uid, before, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  traj_store_emit_changed (self, TRAJ_KIND_MEDICATION, work->patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

TrajMedication *
traj_store_read_medication (TrajDbStmt *stmt)
{
  TrajMedication *m = traj_medication_new ();

  m->id = traj_db_column_int64 (stmt, 0);
  m->uid = traj_db_column_dup (stmt, 1);
  m->patient_id = traj_db_column_int64 (stmt, 2);
  m->name = traj_db_column_dup (stmt, 3);
  traj_med_class_from_string (traj_db_column_text (stmt, 4), &m->klass);
  m->dose = traj_db_column_dup (stmt, 5);
  m->start_day = traj_db_column_day (stmt, 6);
  m->stop_day = traj_db_column_day (stmt, 7);
  m->deleted_at = traj_db_column_int64 (stmt, 8);
  return m;
}

TrajMedication *
traj_store_get_medication (TrajStore *self, gint64 id, GError **error)
{
  static const char sql[] = "SELECT " TRAJ_MEDICATION_COLS " FROM medication WHERE id = ?1 AND deleted_at IS NULL";
  TrajDbStmt *stmt;
  TrajMedication *m = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    m = traj_store_read_medication (stmt);
  else
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The medicine is no longer on the list."));
  traj_db_reset (stmt);
  return m;
}
