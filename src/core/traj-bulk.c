/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-bulk"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-bulk.h"
#include "traj-medication.h"
#include "traj-store-private.h"
#include "traj-validate.h"

/* The rows are written by the store's own row writers (traj-store-*.c), the
 * ones single saves use: one INSERT per kind of record in the code base. */

static gboolean
uid_given (const char *uid, GError **error)
{
  if (uid == NULL || *uid == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The record has no uid."));
      return FALSE;
    }
  return TRUE;
}

/* A row the database refused: a broken reference becomes a rule of the row
 * (the import reports it and goes on), anything else stays as it is. */
static gboolean
row_failed (TrajStore *store, const char *table, GError **error, GError *local)
{
  if (local->domain == TRAJ_ERROR && local->code == TRAJ_ERROR_FAILED)
    {
      TrajDbFailure failure = traj_db_failure (traj_store_get_connection (store));

      if (failure == TRAJ_DB_FOREIGN_KEY)
        {
          g_clear_error (&local);
          g_set_error (&local, TRAJ_ERROR, TRAJ_ERROR_NO_PATIENT,
                       _("The %s record refers to a record that does not exist."), table);
        }
      else if (failure == TRAJ_DB_CONSTRAINT || failure == TRAJ_DB_UNIQUE)
        local->code = TRAJ_ERROR_INVALID;
    }
  g_propagate_error (error, local);
  return FALSE;
}

#define WRITE_ROW(call, table) \
  G_STMT_START { \
    GError *local_ = NULL; \
    if (!(call)) \
      return row_failed (store, table, error, local_); \
  } G_STMT_END

/* ---- public API ----------------------------------------------------------- */

gboolean
traj_bulk_insert_patient (TrajStore    *store,
                          TrajPatient  *p,
                          gint32        today,
                          GError      **error)
{
  gint64 now = traj_time_now ();
  TrajPatient row;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (p != NULL, FALSE);

  if (p->mrn)
    g_strstrip (p->mrn);
  if (p->name)
    g_strstrip (p->name);
  if (!uid_given (p->uid, error) || !traj_validate_patient (p, today, error))
    return FALSE;
  /* @p's times are left as they are: the row gets the defaults. */
  row = *p;
  if (row.created_at == 0)
    row.created_at = now;
  if (row.updated_at == 0)
    row.updated_at = row.created_at;
  WRITE_ROW (traj_store_write_patient_row (store, &row, &local_), "patient");
  p->id = row.id;
  return TRUE;
}

gboolean
traj_bulk_insert_course (TrajStore   *store,
                         TrajCourse  *c,
                         gint32       today,
                         GError     **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (c != NULL, FALSE);

  if (!uid_given (c->uid, error) || !traj_validate_course (c, today, error) ||
      !traj_store_require_course_dates (store, c, error))
    return FALSE;
  WRITE_ROW (traj_store_write_course_row (store, c, &local_), "course");
  return TRUE;
}

gboolean
traj_bulk_insert_infusion (TrajStore     *store,
                           TrajInfusion  *i,
                           gint64         now,
                           GError       **error)
{
  g_autofree char *confirmed = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (i != NULL && i->vitals != NULL, FALSE);

  if (!uid_given (i->uid, error) || !traj_validate_infusion (i, now, error) ||
      !traj_store_require_infusion_dates (store, i, NULL, &confirmed, error))
    return FALSE;
  for (guint k = 0; k < i->vitals->len; k++)
    if (!uid_given (((TrajVitalSign *) g_ptr_array_index (i->vitals, k))->uid, error))
      return FALSE;
  WRITE_ROW (traj_store_write_infusion_row (store, i, &local_), "infusion");
  /* The batch has one audit event; a confirmed date warning gets its own,
   * as in the store's single saves. */
  if (confirmed)
    {
      g_autofree char *what = g_strdup_printf ("date confirmed: %s", confirmed);
      if (!traj_store_audit (store, "confirm", traj_kind_to_string (TRAJ_KIND_INFUSION), i->uid, what, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
traj_bulk_insert_vital_sign (TrajStore      *store,
                             TrajVitalSign  *v,
                             GError        **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (v != NULL, FALSE);

  if (!uid_given (v->uid, error) || !traj_validate_vital_sign (v, error))
    return FALSE;
  WRITE_ROW (traj_store_write_vital_row (store, v, &local_), "vital_sign");
  return TRUE;
}

gboolean
traj_bulk_insert_assessment (TrajStore       *store,
                             TrajAssessment  *a,
                             gint64           now,
                             GError         **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (a != NULL, FALSE);

  if (!uid_given (a->uid, error) || !traj_validate_assessment (a, now, error))
    return FALSE;
  traj_assessment_rescore (a);
  {
    g_autofree char *other_uid = NULL;
    GError *e = NULL;

    if (!traj_store_require_assessment_dates (store, a, &other_uid, &e))
      {
        /* In a file, the other is named by its uid. */
        if (other_uid)
          g_prefix_error (&e, _("assessment %s and %s: "), other_uid, a->uid);
        g_propagate_error (error, e);
        return FALSE;
      }
  }
  WRITE_ROW (traj_store_write_assessment_row (store, a, &local_), "assessment");
  return TRUE;
}

gboolean
traj_bulk_insert_flag_decision (TrajStore         *store,
                                TrajFlagDecision  *d,
                                gint64             now,
                                GError           **error)
{
  TrajFlagDecision row;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (d != NULL, FALSE);

  if (!uid_given (d->uid, error))
    return FALSE;
  /* @d itself is left as it is: the row gets the defaults. */
  row = *d;
  if (row.decided_by == NULL || *row.decided_by == '\0')
    row.decided_by = (char *) traj_store_actor (store);
  if (row.decided_at == 0)
    row.decided_at = now;
  /* The store's rule for decisions (traj_store_insert_flag_decision). */
  if (!traj_validate_flag_decision (&row, now, error))
    return FALSE;
  WRITE_ROW (traj_store_write_decision_row (store, &row, &local_), "flag_decision");
  d->id = row.id;
  return TRUE;
}

gboolean
traj_bulk_insert_medication (TrajStore       *store,
                             TrajMedication  *m,
                             gint32           today,
                             GError         **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (m != NULL, FALSE);

  /* The store's rule for medicines (traj_store_insert_medication). */
  if (!uid_given (m->uid, error) || !traj_validate_medication (m, today, error))
    return FALSE;
  WRITE_ROW (traj_store_write_medication_row (store, m, &local_), "medication");
  return TRUE;
}
