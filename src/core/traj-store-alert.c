/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Safety answers from the tablet (CLINICAL.md §4: a PHQ-9 item 9 answered 1
 * or more needs a clinician now): the recent tablet questionnaires whose
 * safety item was answered 1 or more, for the active alert every open
 * clinician window raises. Whether the finding is still open is the
 * outcome engine's to say (traj_outcomes_fill_summary ()), not this query's. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include "traj-scale.h"
#include "traj-store-alert.h"
#include "traj-store-private.h"

void
traj_safety_answer_free (TrajSafetyAnswer *a)
{
  if (a == NULL)
    return;
  g_free (a->assessment_uid);
  g_free (a->patient_name);
  g_free (a->mrn);
  g_free (a);
}

GPtrArray *
traj_store_list_tablet_safety_answers (TrajStore  *self,
                                       gint64      since,
                                       GError    **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_safety_answer_free);
  g_autoptr(GString) sql = g_string_new (
    "SELECT a.id, a.uid, a.patient_id, p.name, p.mrn, a.scale, i.value, a.taken_at, a.safety_highest "
    "FROM assessment a JOIN patient p ON p.id = a.patient_id "
    "LEFT JOIN assessment_item i ON i.assessment_id = a.id AND (");
  gboolean first = TRUE;
  TrajDbStmt *stmt;
  TrajDbStep rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  /* Each scale's own safety item (items are stored 1-based). */
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    if (s->safety_item > 0)
      {
        g_string_append_printf (sql, "%s(a.scale = '%s' AND i.item = %u)", first ? "" : " OR ", s->code,
                                s->safety_item);
        first = FALSE;
      }
  if (first)
    return g_steal_pointer (&out);
  /* An answer changed back to 0 on the tablet still counts (schema 16). */
  g_string_append (sql, ") WHERE a.source = ?1 AND a.taken_at >= ?2 AND a.deleted_at IS NULL AND p.deleted_at IS NULL "
                        "AND (i.value >= 1 OR a.safety_highest >= 1) ORDER BY a.taken_at, a.id");

  stmt = traj_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_text0 (stmt, 1, traj_source_to_string (TRAJ_SOURCE_TABLET));
  traj_db_bind_int64 (stmt, 2, since);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      TrajSafetyAnswer *a = g_new0 (TrajSafetyAnswer, 1);
      const TrajScale *scale = traj_scale_lookup (traj_db_column_text (stmt, 5));

      a->assessment_id = traj_db_column_int64 (stmt, 0);
      a->assessment_uid = traj_db_column_dup (stmt, 1);
      a->patient_id = traj_db_column_int64 (stmt, 2);
      a->patient_name = traj_db_column_dup (stmt, 3);
      a->mrn = traj_db_column_dup (stmt, 4);
      a->scale = scale ? scale->id : TRAJ_SCALE_NONE;
      a->answer = MAX (traj_db_column_int_or (stmt, 6, 0), traj_db_column_int_or (stmt, 8, 0));
      a->taken_at = traj_db_column_int64 (stmt, 7);
      g_ptr_array_add (out, a);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_steal_pointer (&out);
}
