/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A tablet signed in to a clinic server with a kiosk login. That login
 * reads no table; everything a tablet does goes through the SECURITY
 * DEFINER functions of postgres/007-kiosk-functions.sql: the clinic's
 * salts and waits, comparing the staff PIN, redeeming a check-in code
 * (which returns a session key and only what the session shows), giving a
 * check-in back, saving a draft and submitting answers, and (schema 12)
 * amending the session's draft, ending the session and reading back what
 * it answered. The store's
 * functions for those (traj-store-secret.c, -checkin.c, -assessment.c)
 * come here when traj_store_kiosk_remote () is TRUE; a clinic file and
 * every other login keep their own path, but for the staff PIN of a lead's
 * login, which may not read its hash either (postgres/010). The program still validates and
 * scores the answers with its scale table; the server checks them again
 * against the copy of that table it keeps (kiosk_scale). */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-secret.h"
#include "traj-store-private.h"
#include "traj-validate.h"

/* ---- set-up -------------------------------------------------------------------- */

gboolean
traj_store_kiosk_fill_scales (TrajStore  *self,
                              GError    **error)
{
  static const char clear_sql[] = "DELETE FROM kiosk_scale";
  static const char sql[] =
    "INSERT INTO kiosk_scale (code, n_items, item_min, item_max, total_min, total_max) "
    "VALUES (?1, CAST (?2 AS integer), CAST (?3 AS integer), CAST (?4 AS integer), CAST (?5 AS integer), "
    "CAST (?6 AS integer))";
  TrajDbStmt *stmt;

  if (!traj_db_exec (self->db, clear_sql, error))
    return FALSE;
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    {
      if (!traj_scale_is_patient_facing (s))
        continue;
      stmt = traj_db_prepare (self->db, sql, error);
      if (stmt == NULL)
        return FALSE;
      traj_db_bind_text0 (stmt, 1, s->code);
      traj_db_bind_int64 (stmt, 2, s->n_items);
      traj_db_bind_int64 (stmt, 3, s->item_min);
      traj_db_bind_int64 (stmt, 4, s->item_max);
      traj_db_bind_int64 (stmt, 5, s->total_min);
      traj_db_bind_int64 (stmt, 6, s->total_max);
      if (!traj_db_run (stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_kiosk_remote (TrajStore *self)
{
  return self->kiosk_remote;
}

void
traj_store_kiosk_clear (TrajStore *self)
{
  if (self->kiosk_session)
    traj_secret_free (g_steal_pointer (&self->kiosk_session));
  g_clear_pointer (&self->kiosk_records, traj_patient_records_free);
  self->kiosk_checkin_id = 0;
}

static const char *
device (TrajStore *self)
{
  return self->device ? self->device : g_get_host_name ();
}

/* ---- what the tablet reads ----------------------------------------------------------- */

gboolean
traj_store_kiosk_state (TrajStore       *self,
                        TrajKioskState  *state,
                        GError         **error)
{
  static const char sql[] =
    "SELECT pin_salt, checkin_salt, birth_date_asked, pin_locked_until, checkin_locked_until "
    "FROM traj_kiosk_state (?1)";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  gboolean found = FALSE;

  memset (state, 0, sizeof *state);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, device (self));
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      state->pin_salt = traj_db_column_is_null (stmt, 0) ? NULL : traj_db_column_dup (stmt, 0);
      state->checkin_salt = traj_db_column_is_null (stmt, 1) ? NULL : traj_db_column_dup (stmt, 1);
      state->birth_date_asked = g_strcmp0 (traj_db_column_text (stmt, 2), "t") == 0;
      state->locked_until[TRAJ_SECRET_STAFF_PIN] = traj_db_column_int64 (stmt, 3);
      state->locked_until[TRAJ_SECRET_CHECKIN] = traj_db_column_int64 (stmt, 4);
    }
  traj_db_reset (stmt);
  return TRUE;
}

void
traj_kiosk_state_clear (TrajKioskState *state)
{
  g_clear_pointer (&state->pin_salt, g_free);
  g_clear_pointer (&state->checkin_salt, g_free);
}

char *
traj_store_kiosk_salt (TrajStore       *self,
                       TrajSecretKind   kind,
                       GError         **error)
{
  TrajKioskState state;
  char *salt;

  if (!traj_store_kiosk_state (self, &state, error))
    return NULL;
  if (kind == TRAJ_SECRET_STAFF_PIN)
    salt = g_steal_pointer (&state.pin_salt);
  else
    salt = g_steal_pointer (&state.checkin_salt);
  traj_kiosk_state_clear (&state);
  return salt;
}

/* ---- compare and count ---------------------------------------------------------------- */

gboolean
traj_store_kiosk_verify_pin_hash (TrajStore   *self,
                                  const char  *hash,
                                  gint64      *locked_until,
                                  GError     **error)
{
  static const char sql[] = "SELECT status, locked_until FROM traj_kiosk_verify_pin (?1, ?2)";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  g_autofree char *status = NULL;
  gint64 until = 0;
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, device (self));
  traj_db_bind_text0 (stmt, 2, hash);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      status = traj_db_column_dup (stmt, 0);
      until = traj_db_column_int64 (stmt, 1);
    }
  traj_db_reset (stmt);
  if (locked_until)
    *locked_until = until;
  if (g_strcmp0 (status, "ok") == 0)
    return TRUE;
  return traj_store_secret_error (status, TRAJ_SECRET_STAFF_PIN, until, FALSE, error);
}

/* "{1,2,3}", a bigint[] as text. */
static void
add_infusions (TrajPatientRecords *r, const char *array, gint64 patient_id)
{
  g_auto(GStrv) parts = NULL;

  if (array == NULL || strlen (array) < 2)
    return;
  {
    g_autofree char *inner = g_strndup (array + 1, strlen (array) - 2);
    parts = g_strsplit (inner, ",", -1);
  }
  for (guint k = 0; parts[k]; k++)
    {
      TrajInfusion *i;

      if (*parts[k] == '\0')
        continue;
      i = traj_infusion_new ();
      i->patient_id = patient_id;
      i->started_at = g_ascii_strtoll (parts[k], NULL, 10);
      g_ptr_array_add (r->infusions, i);
    }
}

TrajKioskCheckin *
traj_store_kiosk_redeem_hash (TrajStore   *self,
                              const char  *hash,
                              gboolean     asked,
                              gint64      *locked_until,
                              GError     **error)
{
  static const char sql[] =
    "SELECT status, locked_until, checkin_id, checkin_uid, patient_id, first_name, scales, course_id, "
    "course_status, course_scale, infusions, session_key FROM traj_kiosk_redeem (?1, ?2)";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  g_autofree char *status = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  TrajPatientRecords *r = NULL;
  gint64 until = 0;
  gboolean found = FALSE;

  if (stmt == NULL)
    return NULL;
  traj_db_bind_text0 (stmt, 1, device (self));
  traj_db_bind_text0 (stmt, 2, hash);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    {
      status = traj_db_column_dup (stmt, 0);
      until = traj_db_column_int64 (stmt, 1);
    }
  if (found && g_strcmp0 (status, "ok") == 0)
    {
      c = traj_kiosk_checkin_new ();
      c->id = traj_db_column_int64 (stmt, 2);
      c->uid = traj_db_column_dup (stmt, 3);
      c->patient_id = traj_db_column_int64 (stmt, 4);
      c->scales = traj_db_column_dup (stmt, 6);
      c->used_at = traj_time_now ();
      c->created_by = g_strdup ("");

      /* Only what the session shows: the first name, the current course,
       * the infusions around today. */
      r = traj_patient_records_new ();
      r->patient = traj_patient_new ();
      r->patient->id = c->patient_id;
      r->patient->name = traj_db_column_dup (stmt, 5);
      if (!traj_db_column_is_null (stmt, 7))
        {
          TrajCourse *course = traj_course_new ();
          const TrajScale *scale = traj_scale_lookup (traj_db_column_text (stmt, 9));

          course->id = traj_db_column_int64 (stmt, 7);
          course->patient_id = c->patient_id;
          traj_course_status_from_string (traj_db_column_text (stmt, 8), &course->status);
          course->primary_scale = scale ? scale->id : TRAJ_SCALE_PHQ9;
          g_ptr_array_add (r->courses, course);
        }
      add_infusions (r, traj_db_column_text (stmt, 10), c->patient_id);
      traj_store_kiosk_clear (self);
      self->kiosk_session = traj_db_column_dup (stmt, 11);
      self->kiosk_checkin_id = c->id;
      self->kiosk_records = r;
    }
  traj_db_reset (stmt);
  if (locked_until)
    *locked_until = until;
  if (c == NULL)
    {
      traj_store_secret_error (status, TRAJ_SECRET_CHECKIN, until, asked, error);
      return NULL;
    }
  return g_steal_pointer (&c);
}

TrajPatientRecords *
traj_store_kiosk_session_records (TrajStore  *self,
                                  gint64      patient_id,
                                  GError    **error)
{
  TrajPatientRecords *r = self->kiosk_records;
  TrajPatientRecords *copy;

  if (r == NULL || r->patient->id != patient_id)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                           _("A tablet sees a patient only through a check-in code."));
      return NULL;
    }
  copy = traj_patient_records_new ();
  copy->patient = traj_patient_copy (r->patient);
  for (guint k = 0; k < r->courses->len; k++)
    g_ptr_array_add (copy->courses, traj_course_copy (g_ptr_array_index (r->courses, k)));
  for (guint k = 0; k < r->infusions->len; k++)
    g_ptr_array_add (copy->infusions, traj_infusion_copy (g_ptr_array_index (r->infusions, k)));
  return copy;
}

/* @sql ("SELECT f (?1)": a boolean kiosk function of the session key) for
 * the session of @checkin_id; *@yes FALSE when this store holds none, and
 * *@null (if given) TRUE when the function answered NULL. */
static gboolean
session_call (TrajStore *self, const char *sql, gint64 checkin_id, gboolean *yes, gboolean *null,
              GError **error)
{
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  *yes = FALSE;
  if (null)
    *null = FALSE;
  if (self->kiosk_session == NULL || checkin_id != self->kiosk_checkin_id)
    return TRUE;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, self->kiosk_session);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  *yes = found && g_strcmp0 (traj_db_column_text (stmt, 0), "t") == 0;
  if (null)
    *null = found && traj_db_column_is_null (stmt, 0);
  traj_db_reset (stmt);
  return TRUE;
}

gboolean
traj_store_kiosk_release (TrajStore   *self,
                          gint64       checkin_id,
                          GError     **error)
{
  gboolean released = FALSE, kept = FALSE;

  if (!session_call (self, "SELECT traj_kiosk_release (?1)", checkin_id, &released, &kept, error))
    return FALSE;
  /* The server's refusal (postgres/020): the session carries on. */
  if (kept)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, traj_store_safety_answer_kept_message ());
      return FALSE;
    }
  if (checkin_id == self->kiosk_checkin_id)
    traj_store_kiosk_clear (self);
  if (!released)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("That check-in was not in use."));
      return FALSE;
    }
  return TRUE;
}

/* ---- answers ------------------------------------------------------------------------ */

/* "{1,-1,3}": the answers in item order, -1 where none was given. */
static char *
items_array (const TrajAssessment *a)
{
  const TrajScale *scale = traj_scale_get (a->scale);
  GString *s = g_string_new ("{");

  for (guint k = 0; scale && k < scale->n_items; k++)
    g_string_append_printf (s, "%s%d", k ? "," : "", a->items[k] < 0 ? -1 : a->items[k]);
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

gboolean
traj_store_kiosk_write_assessment (TrajStore       *self,
                                   TrajAssessment  *a,
                                   GError         **error)
{
  static const char submit_sql[] =
    "SELECT status, id, other_taken_at, other_total FROM traj_kiosk_submit (?1, ?2, ?3, ?4, ?5, "
    "CAST (?6 AS integer), CAST (?7 AS integer), ?8, CAST (?9 AS integer[]))";
  static const char draft_sql[] =
    "SELECT status, id, other_taken_at, other_total FROM traj_kiosk_save_draft (?1, ?2, ?3, ?4, ?5, "
    "CAST (?6 AS integer), ?7, CAST (?8 AS integer[]))";
  const TrajScale *scale = traj_scale_get (a->scale);
  g_autofree char *items = NULL, *status = NULL;
  TrajDbStmt *stmt;
  gboolean found = FALSE;
  int k = 1;

  if (self->kiosk_session == NULL)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                           _("A tablet saves answers only for the patient who checked in."));
      return FALSE;
    }
  if (!traj_validate_assessment (a, traj_time_now (), error))
    return FALSE;
  traj_assessment_rescore (a);
  traj_store_ensure_uid (&a->uid);
  items = items_array (a);

  stmt = traj_db_prepare (self->db, a->complete ? submit_sql : draft_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, k++, self->kiosk_session);
  traj_db_bind_text0 (stmt, k++, a->uid);
  traj_db_bind_text0 (stmt, k++, scale ? scale->code : "");
  traj_db_bind_int64 (stmt, k++, a->taken_at);
  traj_db_bind_text0 (stmt, k++, traj_timing_to_string (a->timing));
  if (a->complete)
    traj_db_bind_int64 (stmt, k++, a->total);
  traj_db_bind_int_or_null (stmt, k++, a->difficulty);
  traj_db_bind_text0 (stmt, k++, a->notes);
  traj_db_bind_text0 (stmt, k, items);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      status = traj_db_column_dup (stmt, 0);
      if (g_strcmp0 (status, "ok") == 0)
        {
          a->id = traj_db_column_int64 (stmt, 1);
          a->patient_id = self->kiosk_records ? self->kiosk_records->patient->id : a->patient_id;
        }
      else if (g_strcmp0 (status, "duplicate") == 0)
        {
          g_autoptr(TrajAssessment) other = traj_assessment_new (a->scale);

          other->taken_at = traj_db_column_int64 (stmt, 2);
          other->total = traj_db_column_int_or (stmt, 3, -1);
          other->complete = TRUE;
          /* The same rule and message as on a workstation. */
          if (traj_validate_assessment_dates (a, TRAJ_DAY_NONE, other, error))
            g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT,
                                 _("A complete questionnaire of this scale was already recorded in the same minute."));
        }
    }
  traj_db_reset (stmt);
  if (g_strcmp0 (status, "ok") == 0)
    {
      traj_store_emit_changed (self, TRAJ_KIND_ASSESSMENT, a->patient_id);
      return TRUE;
    }
  if (g_strcmp0 (status, "duplicate") != 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                         _("This tablet’s check-in has ended. Please ask a member of staff for a new code."));
  a->id = 0;
  return FALSE;
}

gboolean
traj_store_kiosk_end (TrajStore  *self,
                      gint64      checkin_id,
                      GError    **error)
{
  static const char sql[] = "SELECT traj_kiosk_end (?1)";
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  if (self->kiosk_session == NULL || checkin_id != self->kiosk_checkin_id)
    return TRUE;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, self->kiosk_session);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  traj_db_reset (stmt);
  return TRUE;
}

gboolean
traj_store_kiosk_hold (TrajStore  *self,
                       gint64      checkin_id,
                       GError    **error)
{
  gboolean held = FALSE;

  if (!session_call (self, "SELECT traj_kiosk_hold (?1)", checkin_id, &held, NULL, error))
    return FALSE;
  if (!held)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                           _("This tablet’s check-in has ended. Please ask a member of staff for a new code."));
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
traj_store_kiosk_answers (TrajStore  *self,
                          gint64      checkin_id,
                          GError    **error)
{
  static const char sql[] =
    "SELECT id, uid, scale, complete, taken_at, timing, difficulty, items, safety_highest "
    "FROM traj_kiosk_session_answers (?1)";
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_assessment_free);
  TrajDbStmt *stmt;
  TrajDbStep rc;

  if (self->kiosk_session == NULL || checkin_id != self->kiosk_checkin_id)
    return g_steal_pointer (&answers);
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_text0 (stmt, 1, self->kiosk_session);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      const TrajScale *scale = traj_scale_lookup (traj_db_column_text (stmt, 2));
      g_autoptr(TrajAssessment) a = NULL;
      const char *items = traj_db_column_text (stmt, 7);
      g_auto(GStrv) parts = NULL;

      if (scale == NULL || items == NULL || strlen (items) < 2)
        continue;
      a = traj_assessment_new (scale->id);
      a->id = traj_db_column_int64 (stmt, 0);
      a->uid = traj_db_column_dup (stmt, 1);
      a->patient_id = self->kiosk_records ? self->kiosk_records->patient->id : 0;
      a->complete = g_strcmp0 (traj_db_column_text (stmt, 3), "t") == 0;
      a->taken_at = traj_db_column_int64 (stmt, 4);
      a->source = TRAJ_SOURCE_TABLET;
      traj_timing_from_string (traj_db_column_text (stmt, 5), &a->timing);
      a->difficulty = traj_db_column_int_or (stmt, 6, -1);
      a->safety_highest = traj_db_column_int_or (stmt, 8, 0);
      /* "{1,-1,3}" */
      {
        g_autofree char *inner = g_strndup (items + 1, strlen (items) - 2);
        parts = g_strsplit (inner, ",", -1);
      }
      for (guint k = 0; parts[k] && k < scale->n_items && k < TRAJ_MAX_ITEMS; k++)
        a->items[k] = (int) g_ascii_strtoll (parts[k], NULL, 10);
      g_ptr_array_add (answers, g_steal_pointer (&a));
    }
  traj_db_reset (stmt);
  if (rc != TRAJ_DB_DONE)
    return NULL;
  return g_steal_pointer (&answers);
}
