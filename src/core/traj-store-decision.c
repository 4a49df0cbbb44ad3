/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decisions on findings: the row writer shared with bulk imports, saves,
 * reads. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-validate.h"

gboolean
traj_store_write_decision_row (TrajStore         *self,
                               TrajFlagDecision  *d,
                               GError           **error)
{
  traj_store_attention_touch (self, d->patient_id);
  static const char sql[] =
    "INSERT INTO flag_decision (" TRAJ_DECISION_INSERT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT DO NOTHING RETURNING id";
  TrajDbValues v = { 0 };
  TrajDbStmt *stmt;
  gboolean inserted = FALSE, ok;

  traj_db_values_text0 (&v, d->uid);
  traj_db_values_int64 (&v, d->patient_id);
  traj_db_values_id_or_null (&v, d->course_id);
  traj_db_values_text0 (&v, d->kind);
  traj_db_values_text0 (&v, d->finding_key);
  traj_db_values_int64 (&v, d->fired_at);
  traj_db_values_text0 (&v, d->decision);
  traj_db_values_text0 (&v, d->note);
  traj_db_values_text0 (&v, d->decided_by);
  traj_db_values_int64 (&v, d->decided_at);
  if (traj_store_deferred (self))
    {
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_FLAG_DECISION, &v, d->uid, NULL, d->patient_id, &d->id, error);
      traj_db_values_clear (&v);
      return ok;
    }
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    {
      traj_db_values_clear (&v);
      return FALSE;
    }
  traj_db_bind_values (stmt, 1, &v);
  traj_db_values_clear (&v);
  if (!traj_db_step_row (stmt, &inserted, error))
    return FALSE;
  if (inserted)
    d->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (!inserted)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                 _("uid %s is already used by another %s record."), d->uid, "flag_decision");
  return inserted;
}

gboolean
traj_store_insert_flag_decision (TrajStore *self, TrajFlagDecision *d, GError **error)
{
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (d->decided_at == 0)
    d->decided_at = traj_time_now ();
  if (d->decided_by == NULL || *d->decided_by == '\0')
    {
      g_free (d->decided_by);
      d->decided_by = g_strdup (traj_store_actor (self));
    }
  if (!traj_validate_flag_decision (d, traj_time_now (), error))
    return FALSE;
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_patient_exists (self, d->patient_id, error) ||
      !traj_store_course_of_patient (self, d->course_id, d->patient_id, error))
    goto fail;
  traj_store_ensure_uid (&d->uid);
  if (!traj_store_write_decision_row (self, d, error))
    goto fail;
  summary = g_strdup_printf ("%s: %s", d->kind, d->decision);
  if (!traj_store_audit_record (self, "insert", TRAJ_KIND_FLAG_DECISION, d->uid, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    {
      d->id = 0;
      return FALSE;
    }
  traj_store_emit_changed (self, TRAJ_KIND_FLAG_DECISION, d->patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  d->id = 0;
  return FALSE;
}

TrajFlagDecision *
traj_store_read_decision (TrajDbStmt *stmt)
{
  TrajFlagDecision *d = traj_flag_decision_new ();

  d->id = traj_db_column_int64 (stmt, 0);
  d->uid = traj_db_column_dup (stmt, 1);
  d->patient_id = traj_db_column_int64 (stmt, 2);
  d->course_id = traj_db_column_int64 (stmt, 3);
  d->kind = traj_db_column_dup (stmt, 4);
  d->finding_key = traj_db_column_dup (stmt, 5);
  d->fired_at = traj_db_column_int64 (stmt, 6);
  d->decision = traj_db_column_dup (stmt, 7);
  d->note = traj_db_column_dup (stmt, 8);
  d->decided_by = traj_db_column_dup (stmt, 9);
  d->decided_at = traj_db_column_int64 (stmt, 10);
  d->deleted_at = traj_db_column_int64 (stmt, 11);
  return d;
}
