/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Treatment courses: the row writer shared with bulk imports, saves, reads. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-validate.h"

static void
course_values (TrajDbValues *v, const TrajCourse *c)
{
  traj_db_values_text0 (v, c->uid);
  traj_db_values_int64 (v, c->patient_id);
  traj_db_values_text0 (v, traj_indication_to_string (c->indication));
  traj_db_values_text0 (v, traj_scale_code (c->primary_scale));
  traj_db_values_text0 (v, c->protocol);
  traj_db_values_int64 (v, c->induction_length);
  traj_db_values_day (v, c->start_day);
  traj_db_values_day (v, c->end_day);
  traj_db_values_text0 (v, traj_course_status_to_string (c->status));
  traj_db_values_text0 (v, c->notes);
  traj_db_values_text0 (v, c->indication_detail ? c->indication_detail : "");
}

static void
bind_course (TrajDbStmt *stmt, const TrajCourse *c)
{
  TrajDbValues v = { 0 };

  course_values (&v, c);
  traj_db_bind_values (stmt, 1, &v);
  traj_db_values_clear (&v);
}

gboolean
traj_store_write_course_row (TrajStore   *self,
                             TrajCourse  *c,
                             GError     **error)
{
  traj_store_attention_touch (self, c->patient_id);
  static const char sql[] =
    "INSERT INTO course (" TRAJ_COURSE_INSERT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT DO NOTHING RETURNING id";
  TrajDbStmt *stmt;
  gboolean inserted = FALSE;

  if (traj_store_deferred (self))
    {
      TrajDbValues v = { 0 };
      gboolean ok;

      course_values (&v, c);
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_COURSE, &v, c->uid, NULL, c->patient_id, &c->id, error);
      traj_db_values_clear (&v);
      if (ok)
        traj_store_deferred_note_course (self, c);
      return ok;
    }
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_course (stmt, c);
  if (!traj_db_step_row (stmt, &inserted, error))
    return FALSE;
  if (inserted)
    c->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (!inserted)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                 _("uid %s is already used by another %s record."), c->uid, "course");
  return inserted;
}

static gboolean
write_course (TrajStore *self, TrajCourse *c, gboolean insert, GError **error)
{
  static const char update_sql[] =
    "UPDATE course SET uid = ?1, patient_id = ?2, indication = ?3, primary_scale = ?4, protocol = ?5, "
    "induction_length = ?6, start_date = ?7, end_date = ?8, status = ?9, notes = ?10, indication_detail = ?11 "
    "WHERE id = ?12 AND deleted_at IS NULL";
  TrajDbStmt *stmt;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) before = NULL;

  if (!traj_validate_course (c, traj_day_today (), error))
    return FALSE;
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  /* Its patient's needs-attention state, and on an edit the one it was
   * with before (traj-store-attention.c). */
  traj_store_attention_touch (self, c->patient_id);
  if (!insert && !traj_store_attention_touch_record (self, TRAJ_KIND_COURSE, c->id, error))
    goto fail;
  if (!traj_store_patient_exists (self, c->patient_id, error) ||
      !traj_store_require_course_dates (self, c, error))
    goto fail;
  if (insert)
    {
      traj_store_ensure_uid (&c->uid);
      if (!traj_store_write_course_row (self, c, error))
        goto fail;
    }
  else
    {
      if ((before = traj_store_audit_snapshot (self, TRAJ_KIND_COURSE, c->id, error)) == NULL)
        goto fail;
      stmt = traj_db_prepare (self->db, update_sql, error);
      if (stmt == NULL)
        goto fail;
      bind_course (stmt, c);
      traj_db_bind_int64 (stmt, 12, c->id);
      if (!traj_db_run (stmt, error) || !traj_store_expect_one_change (self, TRAJ_KIND_COURSE, error))
        goto fail;
    }
  summary = g_strdup_printf ("course %s, %s", traj_indication_to_string (c->indication),
                             traj_course_status_to_string (c->status));
  if (insert ? !traj_store_audit_record (self, "insert", TRAJ_KIND_COURSE, c->uid, summary, error)
             : !traj_store_audit_update (self, TRAJ_KIND_COURSE, c->id, c->uid, before, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    goto fail_committed;
  traj_store_emit_changed (self, TRAJ_KIND_COURSE, c->patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
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

TrajCourse *
traj_store_read_course (TrajDbStmt *stmt)
{
  TrajCourse *c = traj_course_new ();
  const TrajScale *scale;

  c->id = traj_db_column_int64 (stmt, 0);
  c->uid = traj_db_column_dup (stmt, 1);
  c->patient_id = traj_db_column_int64 (stmt, 2);
  traj_indication_from_string (traj_db_column_text (stmt, 3), &c->indication);
  scale = traj_scale_lookup (traj_db_column_text (stmt, 4));
  c->primary_scale = scale ? scale->id : TRAJ_SCALE_PHQ9;
  c->protocol = traj_db_column_dup (stmt, 5);
  c->induction_length = traj_db_column_int (stmt, 6);
  c->start_day = traj_db_column_day (stmt, 7);
  c->end_day = traj_db_column_day (stmt, 8);
  traj_course_status_from_string (traj_db_column_text (stmt, 9), &c->status);
  c->notes = traj_db_column_dup (stmt, 10);
  c->deleted_at = traj_db_column_int64 (stmt, 11);
  c->indication_detail = traj_db_column_dup (stmt, 12);
  return c;
}

TrajCourse *
traj_store_get_course (TrajStore *self, gint64 id, GError **error)
{
  static const char sql[] = "SELECT " TRAJ_COURSE_COLS " FROM course WHERE id = ?1";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajCourse *c = NULL;
  gboolean found = FALSE;

  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    c = traj_store_read_course (stmt);
  else
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The course no longer exists."));
  traj_db_reset (stmt);
  return c;
}
