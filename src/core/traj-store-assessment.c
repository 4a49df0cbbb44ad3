/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Assessments (questionnaire answers and totals): row writers shared with
 * bulk imports, saves, reads. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-validate.h"

static void
assessment_values (TrajDbValues *v, const TrajAssessment *a)
{
  const TrajScale *scale = traj_scale_get (a->scale);

  traj_db_values_text0 (v, a->uid);
  traj_db_values_int64 (v, a->patient_id);
  traj_db_values_id_or_null (v, a->course_id);
  traj_db_values_id_or_null (v, a->infusion_id);
  traj_db_values_text0 (v, scale->code);
  traj_db_values_int64 (v, a->taken_at);
  traj_db_values_text0 (v, traj_source_to_string (a->source));
  traj_db_values_text0 (v, traj_timing_to_string (a->timing));
  traj_db_values_int64 (v, a->complete ? 1 : 0);
  traj_db_values_int_or_null (v, a->total);
  traj_db_values_int_or_null (v, a->difficulty);
  traj_db_values_text0 (v, a->clinician);
  traj_db_values_text0 (v, a->notes);
  /* The highest safety answer a tablet saved (NULL for none), so a copy of
   * the record (an import of an export) keeps its safety finding. */
  traj_db_values_int_or_null (v, a->safety_highest >= 1 ? a->safety_highest : -1);
}

static void
bind_assessment (TrajDbStmt *stmt, const TrajAssessment *a)
{
  TrajDbValues v = { 0 };

  assessment_values (&v, a);
  traj_db_bind_values (stmt, 1, &v);
  traj_db_values_clear (&v);
}

gboolean
traj_store_write_assessment_items (TrajStore       *self,
                                   TrajAssessment  *a,
                                   GError         **error)
{
  static const char sql[] = "INSERT INTO assessment_item (" TRAJ_ITEM_INSERT_COLS ") VALUES (?1, ?2, ?3)";
  const TrajScale *scale = traj_scale_get (a->scale);

  for (guint k = 0; k < scale->n_items; k++)
    {
      TrajDbValues v = { 0 };
      TrajDbStmt *stmt;
      gboolean ok;

      if (a->items[k] < 0)
        continue;
      traj_db_values_int64 (&v, a->id);
      traj_db_values_int64 (&v, (int) k + 1);
      traj_db_values_int64 (&v, a->items[k]);
      if (traj_store_deferred (self))
        ok = traj_store_defer_row (self, TRAJ_DB_TABLE_ASSESSMENT_ITEM, &v, NULL, NULL, a->id, NULL, error);
      else if ((stmt = traj_db_prepare (self->db, sql, error)) == NULL)
        ok = FALSE;
      else
        {
          traj_db_bind_values (stmt, 1, &v);
          ok = traj_db_run (stmt, error);
        }
      traj_db_values_clear (&v);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_write_assessment_row (TrajStore       *self,
                                 TrajAssessment  *a,
                                 GError         **error)
{
  traj_store_attention_touch (self, a->patient_id);
  static const char sql[] =
    "INSERT INTO assessment (" TRAJ_ASSESSMENT_INSERT_COLS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT DO NOTHING RETURNING id";
  TrajDbStmt *stmt;
  gboolean inserted = FALSE;

  if (traj_store_deferred (self))
    {
      TrajDbValues v = { 0 };
      gboolean ok;

      assessment_values (&v, a);
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_ASSESSMENT, &v, a->uid, NULL, a->patient_id, &a->id, error);
      traj_db_values_clear (&v);
      if (!ok)
        return FALSE;
      traj_store_deferred_note_assessment (self, a);
      return traj_store_write_assessment_items (self, a, error);
    }
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_assessment (stmt, a);
  if (!traj_db_step_row (stmt, &inserted, error))
    return FALSE;
  if (inserted)
    a->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (!inserted)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("uid %s is already used by another %s record."), a->uid, "assessment");
      return FALSE;
    }
  return traj_store_write_assessment_items (self, a, error);
}

/* ---- single saves ---------------------------------------------------------- */

/* A tablet questionnaire amended (a patient's next answer, a submission, or
 * a clinician's edit of it) keeps the highest answer its safety item ever
 * had, in @a too: a patient who answered PHQ-9 item 9 above 0 and then
 * changed it to 0 still has the safety finding (CLINICAL.md §4). In the
 * caller's transaction, before the old answers are replaced. */
static gboolean
keep_safety_highest (TrajStore *self, TrajAssessment *a, GError **error)
{
  static const char read_sql[] =
    "SELECT a.safety_highest, i.value FROM assessment a "
    "LEFT JOIN assessment_item i ON i.assessment_id = a.id AND i.item = ?2 WHERE a.id = ?1 AND a.source = ?3";
  static const char write_sql[] = "UPDATE assessment SET safety_highest = ?2 WHERE id = ?1";
  const TrajScale *scale = traj_scale_get (a->scale);
  TrajDbStmt *stmt;
  gboolean found = FALSE;
  int highest = 0;

  a->safety_highest = 0;
  if (scale == NULL || scale->safety_item == 0)
    return TRUE;
  stmt = traj_db_prepare (self->db, read_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, a->id);
  traj_db_bind_int64 (stmt, 2, scale->safety_item);
  traj_db_bind_text0 (stmt, 3, traj_source_to_string (TRAJ_SOURCE_TABLET));
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    highest = MAX (traj_db_column_int_or (stmt, 0, 0), traj_db_column_int_or (stmt, 1, 0));
  traj_db_reset (stmt);
  if (highest < 1)
    return TRUE;
  a->safety_highest = highest;
  stmt = traj_db_prepare (self->db, write_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, a->id);
  traj_db_bind_int64 (stmt, 2, highest);
  return traj_db_run (stmt, error);
}

static gboolean
write_assessment (TrajStore *self, TrajAssessment *a, gboolean insert, GError **error)
{
  static const char update_sql[] =
    "UPDATE assessment SET uid = ?1, patient_id = ?2, course_id = ?3, infusion_id = ?4, scale = ?5, "
    "taken_at = ?6, source = ?7, timing = ?8, complete = ?9, total = ?10, difficulty = ?11, "
    "clinician = ?12, notes = ?13, safety_highest = ?14 WHERE id = ?15 AND deleted_at IS NULL";
  static const char delete_items_sql[] = "DELETE FROM assessment_item WHERE assessment_id = ?1";
  const TrajScale *scale = traj_scale_get (a->scale);
  TrajDbStmt *stmt;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) before = NULL;

  if (!traj_validate_assessment (a, traj_time_now (), error))
    return FALSE;
  traj_assessment_rescore (a);

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  /* Its patient's needs-attention state, and on an edit the one it was
   * with before (traj-store-attention.c). */
  traj_store_attention_touch (self, a->patient_id);
  if (!insert && !traj_store_attention_touch_record (self, TRAJ_KIND_ASSESSMENT, a->id, error))
    goto fail;
  if (!traj_store_checkin_check_hold (self, a, insert, error) ||
      !traj_store_patient_exists (self, a->patient_id, error) ||
      !traj_store_course_of_patient (self, a->course_id, a->patient_id, error) ||
      !traj_store_require_assessment_dates (self, a, NULL, error))
    goto fail;
  if (insert)
    {
      traj_store_ensure_uid (&a->uid);
      if (!traj_store_write_assessment_row (self, a, error))
        goto fail;
    }
  else
    {
      if ((before = traj_store_audit_snapshot (self, TRAJ_KIND_ASSESSMENT, a->id, error)) == NULL ||
          !keep_safety_highest (self, a, error))
        goto fail;
      stmt = traj_db_prepare (self->db, update_sql, error);
      if (stmt == NULL)
        goto fail;
      bind_assessment (stmt, a);
      traj_db_bind_int64 (stmt, 15, a->id);
      if (!traj_db_run (stmt, error) || !traj_store_expect_one_change (self, TRAJ_KIND_ASSESSMENT, error))
        goto fail;
      stmt = traj_db_prepare (self->db, delete_items_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_int64 (stmt, 1, a->id);
      if (!traj_db_run (stmt, error) || !traj_store_write_assessment_items (self, a, error))
        goto fail;
    }

  if (a->complete)
    summary = g_strdup_printf ("%s total %d (%s)", scale->code, a->total, traj_source_to_string (a->source));
  else
    summary = g_strdup_printf ("%s draft (%s)", scale->code, traj_source_to_string (a->source));
  if (insert ? !traj_store_audit_record (self, "insert", TRAJ_KIND_ASSESSMENT, a->uid, summary, error)
             : !traj_store_audit_update (self, TRAJ_KIND_ASSESSMENT, a->id, a->uid, before, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    goto fail_committed;
  traj_store_emit_changed (self, TRAJ_KIND_ASSESSMENT, a->patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
fail_committed:
  if (insert)
    a->id = 0;
  return FALSE;
}

gboolean
traj_store_insert_assessment (TrajStore *self, TrajAssessment *a, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_write_assessment (self, a, error);
  return write_assessment (self, a, TRUE, error);
}

gboolean
traj_store_update_assessment (TrajStore *self, TrajAssessment *a, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (a->id > 0, FALSE);
  /* A tablet amends its session's own draft (the server finds it by uid). */
  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_write_assessment (self, a, error);
  return write_assessment (self, a, FALSE, error);
}

/* ---- reads --------------------------------------------------------------------- */

/* The fields the outcome engine and the cohort read (the cohort's narrow
 * read, TRAJ_COHORT_ASSESSMENT_COLS): nothing is made for the others, whose
 * text stays NULL. */
TrajAssessment *
traj_store_read_assessment_narrow (TrajDbStmt *stmt)
{
  const TrajScale *scale = traj_scale_lookup (traj_db_column_text (stmt, 5));
  TrajAssessment *a = traj_assessment_new (scale ? scale->id : TRAJ_SCALE_NONE);

  a->id = traj_db_column_int64 (stmt, 0);
  a->uid = traj_db_column_dup (stmt, 1);
  a->patient_id = traj_db_column_int64 (stmt, 2);
  a->course_id = traj_db_column_int64 (stmt, 3);
  a->infusion_id = traj_db_column_int64 (stmt, 4);
  a->taken_at = traj_db_column_int64 (stmt, 6);
  a->complete = traj_db_column_int (stmt, 9) != 0;
  a->total = traj_db_column_int_or (stmt, 10, -1);
  a->deleted_at = traj_db_column_int64 (stmt, 14);
  a->safety_highest = traj_db_column_int_or (stmt, 15, 0);
  return a;
}

TrajAssessment *
traj_store_read_assessment (TrajDbStmt *stmt)
{
  TrajAssessment *a = traj_store_read_assessment_narrow (stmt);

  traj_source_from_string (traj_db_column_text (stmt, 7), &a->source);
  traj_timing_from_string (traj_db_column_text (stmt, 8), &a->timing);
  a->difficulty = traj_db_column_int_or (stmt, 11, -1);
  a->clinician = traj_db_column_dup (stmt, 12);
  a->notes = traj_db_column_dup (stmt, 13);
  return a;
}

void
traj_store_read_item_into (TrajDbStmt *stmt, int base, TrajAssessment *a)
{
  int item;

  if (traj_db_column_is_null (stmt, base))
    return;
  item = traj_db_column_int (stmt, base);
  if (item >= 1 && item <= TRAJ_MAX_ITEMS)
    a->items[item - 1] = traj_db_column_int (stmt, base + 1);
}

TrajAssessment *
traj_store_get_assessment (TrajStore *self, gint64 id, GError **error)
{
  static const char sql[] =
    "SELECT " TRAJ_ASSESSMENT_COLS ", ai.item, ai.value FROM assessment a "
    "LEFT JOIN assessment_item ai ON ai.assessment_id = a.id WHERE a.id = ?1";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajAssessment *a = NULL;
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      if (a == NULL)
        a = traj_store_read_assessment (stmt);
      traj_store_read_item_into (stmt, TRAJ_N_ASSESSMENT_COLS, a);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    g_clear_pointer (&a, traj_assessment_free);
  else if (a == NULL)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The assessment no longer exists."));
  return a;
}
