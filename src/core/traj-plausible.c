/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-validate.h"

/* CLINICAL.md §7 "Plausible dates" and "Ties" against what the clinic holds:
 * the store reads here what the pure rules of traj-validate.c need (birth
 * date, course dates, the nearest other infusion, a complete assessment of
 * the scale in the same minute), so the store's writes, the import and the
 * editors apply one rule to the same data. */

/* Fills @ctx (and @course, which ctx->course points to when the infusion
 * has a course) from the database. */
static gboolean
infusion_context (TrajStore           *self,
                  const TrajInfusion  *i,
                  TrajInfusionContext *ctx,
                  TrajCourse          *course,
                  GError             **error)
{
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  /* A server import answers from what it wrote (traj-store-bulk.c). */
  if (traj_store_deferred (self))
    return traj_store_deferred_infusion_context (self, i, ctx, course, error);
  stmt = traj_store_prepare (self, TRAJ_INFUSION_CONTEXT_SQL, error);
  ctx->birth_day = TRAJ_DAY_NONE;
  ctx->course = NULL;
  ctx->nearest_infusion_at = TRAJ_TIME_NONE;
  ctx->other_medicine = -1;
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, i->patient_id);
  traj_db_bind_int64 (stmt, 2, i->course_id);
  traj_db_bind_int64 (stmt, 3, i->id);
  traj_db_bind_int64 (stmt, 4, i->started_at);
  traj_db_bind_int64 (stmt, 5, TRAJ_NEAR_INFUSION_MINUTES * 60);
  traj_db_bind_text (stmt, 6, traj_medicine_to_string (i->medicine));
  traj_db_bind_int64 (stmt, 7, traj_store_bulk_hidden_marker (self));
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      ctx->birth_day = traj_db_column_day (stmt, 0);
      if (!traj_db_column_is_null (stmt, 1))
        {
          course->id = traj_db_column_int64 (stmt, 1);
          course->start_day = traj_db_column_day (stmt, 2);
          course->end_day = traj_db_column_day (stmt, 3);
          if (!traj_course_status_from_string (traj_db_column_text (stmt, 4), &course->status))
            course->status = TRAJ_COURSE_INDUCTION;
          ctx->course = course;
        }
      /* The nearest of the one just before and the one just after. */
      for (int col = 5; col <= 6; col++)
        if (!traj_db_column_is_null (stmt, col))
          {
            gint64 t = traj_db_column_int64 (stmt, col);
            if (ctx->nearest_infusion_at == TRAJ_TIME_NONE ||
                ABS (t - i->started_at) < ABS (ctx->nearest_infusion_at - i->started_at))
              ctx->nearest_infusion_at = t;
          }
      if (!traj_db_column_is_null (stmt, 7))
        {
          TrajMedicine m;
          if (traj_medicine_from_string (traj_db_column_text (stmt, 7), &m))
            ctx->other_medicine = m;
        }
    }
  traj_db_reset (stmt);
  return TRUE;
}

gboolean
traj_store_check_infusion_dates (TrajStore           *self,
                                 const TrajInfusion  *i,
                                 guint               *warnings,
                                 char               **message,
                                 GError             **error)
{
  TrajInfusionContext ctx;
  TrajCourse course = { 0 };
  guint w = 0;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (i != NULL, FALSE);

  if (warnings)
    *warnings = 0;
  if (message)
    *message = NULL;
  if (!infusion_context (self, i, &ctx, &course, error) ||
      !traj_validate_infusion_dates (i, &ctx, &w, error))
    return FALSE;
  if (warnings)
    *warnings = w;
  if (message)
    *message = traj_infusion_date_warnings_message (i, &ctx, w & ~i->date_confirmed);
  return TRUE;
}

gboolean
traj_store_require_infusion_dates (TrajStore           *self,
                                   const TrajInfusion  *i,
                                   guint               *warnings,
                                   char               **confirmed,
                                   GError             **error)
{
  TrajInfusionContext ctx;
  TrajCourse course = { 0 };
  guint w = 0;

  if (warnings)
    *warnings = 0;
  if (confirmed)
    *confirmed = NULL;
  if (!infusion_context (self, i, &ctx, &course, error) ||
      !traj_validate_infusion_confirmed (i, &ctx, &w, error))
    return FALSE;
  if (warnings)
    *warnings = w;
  if (confirmed)
    *confirmed = traj_infusion_date_warnings_message (i, &ctx, w & i->date_confirmed);
  return TRUE;
}

gboolean
traj_store_require_course_dates (TrajStore *self, const TrajCourse *c, GError **error)
{
  static const char sql[] = "SELECT birth_date FROM patient WHERE id = ?1";
  gint32 birth_day = TRAJ_DAY_NONE;
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  /* A server import answers from what it wrote (traj-store-bulk.c). */
  if (traj_store_deferred (self))
    {
      if (!traj_store_deferred_birth_day (self, c->patient_id, &birth_day, error))
        return FALSE;
    }
  else
    {
      stmt = traj_store_prepare (self, sql, error);
      if (stmt == NULL)
        return FALSE;
      traj_db_bind_int64 (stmt, 1, c->patient_id);
      if (!traj_db_step_row (stmt, &found, error))
        return FALSE;
      if (found)
        birth_day = traj_db_column_day (stmt, 0);
      traj_db_reset (stmt);
    }
  return traj_validate_course_dates (c, birth_day, error);
}

gboolean
traj_store_require_assessment_dates (TrajStore             *self,
                                     const TrajAssessment  *a,
                                     char                 **other_uid,
                                     GError               **error)
{
  TrajDbStmt *stmt;
  const TrajScale *scale = traj_scale_get (a->scale);
  g_autoptr(TrajAssessment) other = NULL;
  gint32 birth_day = TRAJ_DAY_NONE;
  gint64 minute = a->taken_at - (((a->taken_at % 60) + 60) % 60);
  gboolean found = FALSE;

  if (other_uid)
    *other_uid = NULL;
  /* A server import answers from what it wrote (traj-store-bulk.c). */
  if (traj_store_deferred (self))
    {
      if (!traj_store_deferred_assessment_context (self, a, minute, &birth_day, &other, error))
        return FALSE;
      goto check;
    }
  stmt = traj_store_prepare (self, TRAJ_SAME_MINUTE_SQL, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, a->patient_id);
  traj_db_bind_int64 (stmt, 2, a->id);
  traj_db_bind_int64 (stmt, 3, minute);
  traj_db_bind_text0 (stmt, 4, scale ? scale->code : "");
  traj_db_bind_int64 (stmt, 5, traj_store_bulk_hidden_marker (self));
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      birth_day = traj_db_column_day (stmt, 0);
      /* Only a complete assessment can be a duplicate: drafts never score. */
      if (a->complete && !traj_db_column_is_null (stmt, 1))
        {
          other = traj_assessment_new (a->scale);
          other->uid = traj_db_column_dup (stmt, 1);
          other->taken_at = traj_db_column_int64 (stmt, 2);
          other->total = traj_db_column_int_or (stmt, 3, -1);
          other->complete = TRUE;
        }
    }
  traj_db_reset (stmt);
check:
  if (!traj_validate_assessment_dates (a, birth_day, other, error))
    {
      if (other && other_uid)
        *other_uid = g_strdup (other->uid);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_check_assessment_dates (TrajStore             *self,
                                   const TrajAssessment  *a,
                                   GError               **error)
{
  g_autoptr(TrajAssessment) scored = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (a != NULL, FALSE);

  scored = traj_assessment_copy (a);
  traj_assessment_rescore (scored);
  return traj_store_require_assessment_dates (self, scored, NULL, error);
}
