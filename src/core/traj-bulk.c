/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-bulk"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "traj-bulk.h"
#include "traj-store-private.h"
#include "traj-validate.h"

/* ---- helpers ------------------------------------------------------------ */

static void
bind_text (sqlite3_stmt *stmt, int col, const char *s)
{
  /* Every statement is stepped right after binding, while @s is alive. */
  sqlite3_bind_text (stmt, col, s ? s : "", -1, SQLITE_STATIC);
}

static void
bind_id_or_null (sqlite3_stmt *stmt, int col, gint64 id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, col, id);
  else
    sqlite3_bind_null (stmt, col);
}

static void
bind_int_or_null (sqlite3_stmt *stmt, int col, int v)
{
  if (v >= 0)
    sqlite3_bind_int (stmt, col, v);
  else
    sqlite3_bind_null (stmt, col);
}

static void
bind_day (sqlite3_stmt *stmt, int col, gint32 day)
{
  int y, m, d;
  char iso[16];

  if (!traj_day_to_ymd (day, &y, &m, &d))
    {
      sqlite3_bind_null (stmt, col);
      return;
    }
  g_snprintf (iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
  sqlite3_bind_text (stmt, col, iso, -1, SQLITE_TRANSIENT);
}

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

static void
set_step_error (TrajStore *store, int rc, const char *table, const char *uid, GError **error)
{
  sqlite3 *db = traj_store_get_db (store);

  switch (rc & 0xff)
    {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                     _("uid %s is already used by another %s record."), uid, table);
      else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NO_PATIENT,
                     _("The %s record refers to a record that does not exist."), table);
      else
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, "%s", sqlite3_errmsg (db));
      return;
    case SQLITE_FULL:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL,
                   _("The disk holding “%s” is full; nothing was saved. Free some space and try again."),
                   traj_store_get_path (store));
      return;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                   _("“%s” is busy in another program; nothing was saved. Try again."),
                   traj_store_get_path (store));
      return;
    default:
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                   _("Database error while saving in “%s”: %s"),
                   traj_store_get_path (store), sqlite3_errmsg (db));
      return;
    }
}

/* Steps an INSERT; on failure fills @error and leaves the statement reset. */
static gboolean
step_insert (TrajStore *store, sqlite3_stmt *stmt, const char *table, const char *uid,
             gint64 *id, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      /* The error code is kept by the statement until it is reset. */
      rc = sqlite3_reset (stmt);
      set_step_error (store, rc, table, uid, error);
      return FALSE;
    }
  sqlite3_reset (stmt);
  if (id)
    *id = sqlite3_last_insert_rowid (traj_store_get_db (store));
  return TRUE;
}

static gboolean
mrn_used (TrajStore *store, const char *mrn, GError **error)
{
  sqlite3_stmt *stmt = traj_store_stmt (store, "SELECT 1 FROM patient WHERE mrn = ?1", error);
  gboolean used;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, mrn);
  used = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return used;
}

/* ---- public API ----------------------------------------------------------- */

gboolean
traj_bulk_insert_patient (TrajStore    *store,
                          TrajPatient  *p,
                          gint32        today,
                          GError      **error)
{
  sqlite3_stmt *stmt;
  gint64 now = traj_time_now ();
  GError *local = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (p != NULL, FALSE);

  if (p->mrn)
    g_strstrip (p->mrn);
  if (p->name)
    g_strstrip (p->name);
  if (!uid_given (p->uid, error) || !traj_validate_patient (p, today, error))
    return FALSE;

  stmt = traj_store_stmt (store,
                          "INSERT INTO patient (uid, mrn, name, birth_date, sex, indication, notes, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, p->uid);
  bind_text (stmt, 2, p->mrn);
  bind_text (stmt, 3, p->name);
  bind_day (stmt, 4, p->birth_day);
  bind_text (stmt, 5, traj_sex_to_string (p->sex));
  bind_text (stmt, 6, traj_indication_to_string (p->indication));
  bind_text (stmt, 7, p->notes);
  sqlite3_bind_int64 (stmt, 8, p->created_at ? p->created_at : now);
  sqlite3_bind_int64 (stmt, 9, p->updated_at ? p->updated_at : p->created_at ? p->created_at : now);
  if (!step_insert (store, stmt, "patient", p->uid, &p->id, &local))
    {
      /* Two unique keys: tell the person which one clashed. */
      if (g_error_matches (local, TRAJ_ERROR, TRAJ_ERROR_INVALID) && mrn_used (store, p->mrn, NULL))
        {
          g_clear_error (&local);
          g_set_error (&local, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE,
                       _("MRN %s is already used by another patient."), p->mrn);
        }
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_bulk_insert_course (TrajStore   *store,
                         TrajCourse  *c,
                         gint32       today,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (c != NULL, FALSE);

  if (!uid_given (c->uid, error) || !traj_validate_course (c, today, error))
    return FALSE;
  stmt = traj_store_stmt (store,
                          "INSERT INTO course (uid, patient_id, indication, primary_scale, protocol, induction_length, "
                          "start_date, end_date, status, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, c->uid);
  sqlite3_bind_int64 (stmt, 2, c->patient_id);
  bind_text (stmt, 3, traj_indication_to_string (c->indication));
  bind_text (stmt, 4, traj_scale_code (c->primary_scale));
  bind_text (stmt, 5, c->protocol);
  sqlite3_bind_int (stmt, 6, c->induction_length);
  bind_day (stmt, 7, c->start_day);
  bind_day (stmt, 8, c->end_day);
  bind_text (stmt, 9, traj_course_status_to_string (c->status));
  bind_text (stmt, 10, c->notes);
  return step_insert (store, stmt, "course", c->uid, &c->id, error);
}

static gboolean
insert_vital (TrajStore *store, TrajVitalSign *v, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = traj_store_stmt (store,
                          "INSERT INTO vital_sign (uid, infusion_id, minute, systolic, diastolic, heart_rate, spo2, resp_rate) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, v->uid);
  sqlite3_bind_int64 (stmt, 2, v->infusion_id);
  sqlite3_bind_int (stmt, 3, v->minute);
  bind_int_or_null (stmt, 4, v->systolic);
  bind_int_or_null (stmt, 5, v->diastolic);
  bind_int_or_null (stmt, 6, v->heart_rate);
  bind_int_or_null (stmt, 7, v->spo2);
  bind_int_or_null (stmt, 8, v->resp_rate);
  return step_insert (store, stmt, "vital_sign", v->uid, &v->id, error);
}

gboolean
traj_bulk_insert_infusion (TrajStore     *store,
                           TrajInfusion  *i,
                           gint64         now,
                           GError       **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *side = NULL, *conc = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (i != NULL && i->vitals != NULL, FALSE);

  if (!uid_given (i->uid, error) || !traj_validate_infusion (i, now, error))
    return FALSE;
  for (guint k = 0; k < i->vitals->len; k++)
    if (!uid_given (((TrajVitalSign *) g_ptr_array_index (i->vitals, k))->uid, error))
      return FALSE;

  side = traj_side_effects_to_codes (i->side_effects);
  conc = traj_concomitant_to_codes (i->concomitant);
  stmt = traj_store_stmt (store,
                          "INSERT INTO infusion (uid, patient_id, course_id, started_at, duration_min, route, medicine, lot, "
                          "phase, weight_kg, dose_mg_per_kg, total_mg, side_effects, side_effect_note, concomitant, "
                          "monitoring_min, ready_at, clinician, notes) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                          error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, i->uid);
  sqlite3_bind_int64 (stmt, 2, i->patient_id);
  bind_id_or_null (stmt, 3, i->course_id);
  sqlite3_bind_int64 (stmt, 4, i->started_at);
  sqlite3_bind_int (stmt, 5, i->duration_min);
  bind_text (stmt, 6, traj_route_to_string (i->route));
  bind_text (stmt, 7, traj_medicine_to_string (i->medicine));
  bind_text (stmt, 8, i->lot);
  bind_text (stmt, 9, traj_phase_to_string (i->phase));
  sqlite3_bind_double (stmt, 10, i->weight_kg);
  sqlite3_bind_double (stmt, 11, i->dose_mg_per_kg);
  sqlite3_bind_double (stmt, 12, i->total_mg);
  bind_text (stmt, 13, side);
  bind_text (stmt, 14, i->side_effect_note);
  bind_text (stmt, 15, conc);
  sqlite3_bind_int (stmt, 16, i->monitoring_min);
  if (i->ready_at != TRAJ_TIME_NONE)
    sqlite3_bind_int64 (stmt, 17, i->ready_at);
  else
    sqlite3_bind_null (stmt, 17);
  bind_text (stmt, 18, i->clinician);
  bind_text (stmt, 19, i->notes);
  if (!step_insert (store, stmt, "infusion", i->uid, &i->id, error))
    return FALSE;

  for (guint k = 0; k < i->vitals->len; k++)
    {
      TrajVitalSign *v = g_ptr_array_index (i->vitals, k);

      v->infusion_id = i->id;
      if (!insert_vital (store, v, error))
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
  return insert_vital (store, v, error);
}

gboolean
traj_bulk_insert_assessment (TrajStore       *store,
                             TrajAssessment  *a,
                             gint64           now,
                             GError         **error)
{
  const TrajScale *scale;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (a != NULL, FALSE);

  if (!uid_given (a->uid, error) || !traj_validate_assessment (a, now, error))
    return FALSE;
  scale = traj_scale_get (a->scale);
  traj_assessment_rescore (a);

  stmt = traj_store_stmt (store,
                          "INSERT INTO assessment (uid, patient_id, course_id, infusion_id, scale, taken_at, source, timing, "
                          "complete, total, difficulty, clinician, notes) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, a->uid);
  sqlite3_bind_int64 (stmt, 2, a->patient_id);
  bind_id_or_null (stmt, 3, a->course_id);
  bind_id_or_null (stmt, 4, a->infusion_id);
  bind_text (stmt, 5, scale->code);
  sqlite3_bind_int64 (stmt, 6, a->taken_at);
  bind_text (stmt, 7, traj_source_to_string (a->source));
  bind_text (stmt, 8, traj_timing_to_string (a->timing));
  sqlite3_bind_int (stmt, 9, a->complete);
  bind_int_or_null (stmt, 10, a->total);
  bind_int_or_null (stmt, 11, a->difficulty);
  bind_text (stmt, 12, a->clinician);
  bind_text (stmt, 13, a->notes);
  if (!step_insert (store, stmt, "assessment", a->uid, &a->id, error))
    return FALSE;

  for (guint k = 0; k < scale->n_items; k++)
    {
      if (a->items[k] < 0)
        continue;
      stmt = traj_store_stmt (store, "INSERT INTO assessment_item (assessment_id, item, value) VALUES (?1, ?2, ?3)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, a->id);
      sqlite3_bind_int (stmt, 2, (int) k + 1);
      sqlite3_bind_int (stmt, 3, a->items[k]);
      if (!step_insert (store, stmt, "assessment", a->uid, NULL, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
traj_bulk_insert_flag_decision (TrajStore         *store,
                                TrajFlagDecision  *d,
                                gint64             now,
                                GError           **error)
{
  sqlite3_stmt *stmt;
  const char *decided_by;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (d != NULL, FALSE);

  if (!uid_given (d->uid, error))
    return FALSE;
  /* The store's rule for decisions (traj_store_insert_flag_decision). */
  if (d->kind == NULL || *d->kind == '\0' || d->finding_key == NULL || *d->finding_key == '\0' ||
      d->decision == NULL || *d->decision == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Choose a decision for the finding."));
      return FALSE;
    }
  decided_by = d->decided_by;
  if (decided_by == NULL || *decided_by == '\0')
    decided_by = *traj_store_get_clinician (store) ? traj_store_get_clinician (store) : g_get_user_name ();

  stmt = traj_store_stmt (store,
                          "INSERT INTO flag_decision (uid, patient_id, course_id, kind, finding_key, fired_at, decision, note, "
                          "decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, d->uid);
  sqlite3_bind_int64 (stmt, 2, d->patient_id);
  bind_id_or_null (stmt, 3, d->course_id);
  bind_text (stmt, 4, d->kind);
  bind_text (stmt, 5, d->finding_key);
  sqlite3_bind_int64 (stmt, 6, d->fired_at);
  bind_text (stmt, 7, d->decision);
  bind_text (stmt, 8, d->note);
  bind_text (stmt, 9, decided_by);
  sqlite3_bind_int64 (stmt, 10, d->decided_at ? d->decided_at : now);
  return step_insert (store, stmt, "flag_decision", d->uid, &d->id, error);
}
