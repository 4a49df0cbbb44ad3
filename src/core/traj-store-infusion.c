/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Infusions and their vital signs: row writers shared with bulk imports,
 * saves, reads. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-validate.h"

/* ---- side effect and medicine codes ------------------------------------ */

static char *
bits_to_codes (guint bits, const char *(*to_string) (guint), guint n)
{
  GString *s = g_string_new (NULL);

  for (guint k = 0; k < n; k++)
    if (bits & (1u << k))
      {
        if (s->len)
          g_string_append_c (s, ',');
        g_string_append (s, to_string (k));
      }
  return g_string_free (s, FALSE);
}

guint
traj_codes_to_bits (const char *codes, const char *(*to_string) (guint), guint n, gboolean *ok)
{
  g_auto(GStrv) parts = NULL;
  guint bits = 0;

  if (ok)
    *ok = TRUE;
  if (codes == NULL || *codes == '\0')
    return 0;
  parts = g_strsplit (codes, ",", -1);
  for (guint p = 0; parts[p]; p++)
    {
      gboolean found = FALSE;
      g_strstrip (parts[p]);
      if (*parts[p] == '\0')
        continue;
      for (guint k = 0; k < n; k++)
        if (g_ascii_strcasecmp (parts[p], to_string (k)) == 0)
          {
            bits |= 1u << k;
            found = TRUE;
          }
      if (!found && ok)
        *ok = FALSE;
    }
  return bits;
}

char *
traj_side_effects_to_codes (guint bits)
{
  return bits_to_codes (bits, traj_side_effect_to_string, TRAJ_N_SIDE_EFFECTS);
}

char *
traj_concomitant_to_codes (guint bits)
{
  return bits_to_codes (bits, traj_concomitant_to_string, TRAJ_N_CONCOMITANTS);
}

char *
traj_date_warnings_to_codes (guint bits)
{
  return bits_to_codes (bits, traj_date_warning_to_string, TRAJ_N_DATE_WARNINGS);
}

/* ---- rows ------------------------------------------------------------------ */

gboolean
traj_store_write_vital_row (TrajStore      *self,
                            TrajVitalSign  *v,
                            GError        **error)
{
  static const char sql[] =
    "INSERT INTO vital_sign (" TRAJ_VITAL_INSERT_COLS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING RETURNING id";
  TrajDbValues values = { 0 };
  TrajDbStmt *stmt;
  gboolean inserted = FALSE, ok;

  traj_db_values_text0 (&values, v->uid);
  traj_db_values_int64 (&values, v->infusion_id);
  traj_db_values_int64 (&values, v->minute);
  traj_db_values_int_or_null (&values, v->systolic);
  traj_db_values_int_or_null (&values, v->diastolic);
  traj_db_values_int_or_null (&values, v->heart_rate);
  traj_db_values_int_or_null (&values, v->spo2);
  traj_db_values_int_or_null (&values, v->resp_rate);
  if (traj_store_deferred (self))
    {
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_VITAL_SIGN, &values, v->uid, NULL, v->infusion_id, &v->id, error);
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
    v->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (!inserted)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                 _("uid %s is already used by another %s record."), v->uid, "vital_sign");
  return inserted;
}

static void
infusion_values (TrajDbValues *v, const TrajInfusion *i)
{
  g_autofree char *side = traj_side_effects_to_codes (i->side_effects);
  g_autofree char *conc = traj_concomitant_to_codes (i->concomitant);
  g_autofree char *confirmed = traj_date_warnings_to_codes (i->date_confirmed);

  traj_db_values_text0 (v, i->uid);
  traj_db_values_int64 (v, i->patient_id);
  traj_db_values_id_or_null (v, i->course_id);
  traj_db_values_int64 (v, i->started_at);
  traj_db_values_int64 (v, i->duration_min);
  traj_db_values_text0 (v, traj_route_to_string (i->route));
  traj_db_values_text0 (v, traj_medicine_to_string (i->medicine));
  traj_db_values_text0 (v, i->lot);
  traj_db_values_text0 (v, traj_phase_to_string (i->phase));
  traj_db_values_double (v, i->weight_kg);
  traj_db_values_double (v, i->dose_mg_per_kg);
  traj_db_values_double (v, i->total_mg);
  traj_db_values_text0 (v, side);
  traj_db_values_text0 (v, i->side_effect_note);
  traj_db_values_text0 (v, conc);
  traj_db_values_int64 (v, i->monitoring_min);
  if (i->ready_at != TRAJ_TIME_NONE)
    traj_db_values_int64 (v, i->ready_at);
  else
    traj_db_values_null (v);
  traj_db_values_text0 (v, i->clinician);
  traj_db_values_text0 (v, i->notes);
  traj_db_values_text0 (v, confirmed);
  traj_db_values_int_or_null (v, i->cadss_total);
  traj_db_values_int_or_null (v, i->moaas_lowest);
  traj_db_values_int_or_null (v, i->rems_first_session);
  traj_db_values_text (v, i->rems_patient_id);
  traj_db_values_text (v, i->rems_monitored_by);
  traj_db_values_int_or_null (v, i->rems_vitals_ok_before);
  traj_db_values_int_or_null (v, i->rems_vitals_ok_leaving);
  traj_db_values_int_or_null (v, i->rems_sedation);
  traj_db_values_int_or_null (v, i->rems_dissociation);
  traj_db_values_int_or_null (v, i->rems_resp_depression);
  traj_db_values_int_or_null (v, i->rems_adverse);
  traj_db_values_text0 (v, i->rems_adverse_note);
}

static void
bind_infusion (TrajDbStmt *stmt, const TrajInfusion *i)
{
  TrajDbValues v = { 0 };

  infusion_values (&v, i);
  traj_db_bind_values (stmt, 1, &v);
  traj_db_values_clear (&v);
}

static gboolean
write_vitals (TrajStore *self, TrajInfusion *i, GError **error)
{
  for (guint k = 0; k < i->vitals->len; k++)
    {
      TrajVitalSign *v = g_ptr_array_index (i->vitals, k);

      v->infusion_id = i->id;
      if (!traj_store_write_vital_row (self, v, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_write_infusion_row (TrajStore     *self,
                               TrajInfusion  *i,
                               GError       **error)
{
  traj_store_attention_touch (self, i->patient_id);
  static const char sql[] =
    "INSERT INTO infusion (" TRAJ_INFUSION_INSERT_COLS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
    "?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32) "
    "ON CONFLICT DO NOTHING RETURNING id";
  TrajDbStmt *stmt;
  gboolean inserted = FALSE;

  if (traj_store_deferred (self))
    {
      TrajDbValues v = { 0 };
      gboolean ok;

      infusion_values (&v, i);
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_INFUSION, &v, i->uid, NULL, i->patient_id, &i->id, error);
      traj_db_values_clear (&v);
      if (!ok)
        return FALSE;
      traj_store_deferred_note_infusion (self, i);
      return write_vitals (self, i, error);
    }
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_infusion (stmt, i);
  if (!traj_db_step_row (stmt, &inserted, error))
    return FALSE;
  if (inserted)
    i->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (!inserted)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("uid %s is already used by another %s record."), i->uid, "infusion");
      return FALSE;
    }
  return write_vitals (self, i, error);
}

/* ---- single saves ------------------------------------------------------------ */

static int
compare_vitals (gconstpointer a, gconstpointer b)
{
  const TrajVitalSign *va = *(TrajVitalSign **) a;
  const TrajVitalSign *vb = *(TrajVitalSign **) b;
  return (va->minute > vb->minute) - (va->minute < vb->minute);
}

static gboolean
write_infusion (TrajStore *self, TrajInfusion *i, gboolean insert, GError **error)
{
  static const char update_sql[] =
    "UPDATE infusion SET uid = ?1, patient_id = ?2, course_id = ?3, started_at = ?4, duration_min = ?5, "
    "route = ?6, medicine = ?7, lot = ?8, phase = ?9, weight_kg = ?10, dose_mg_per_kg = ?11, "
    "total_mg = ?12, side_effects = ?13, side_effect_note = ?14, concomitant = ?15, "
    "monitoring_min = ?16, ready_at = ?17, clinician = ?18, notes = ?19, date_confirmed = ?20, "
    "cadss_total = ?21, moaas_lowest = ?22, rems_first_session = ?23, rems_patient_id = ?24, "
    "rems_monitored_by = ?25, rems_vitals_ok_before = ?26, rems_vitals_ok_leaving = ?27, rems_sedation = ?28, "
    "rems_dissociation = ?29, rems_resp_depression = ?30, rems_adverse = ?31, rems_adverse_note = ?32 "
    "WHERE id = ?33 AND deleted_at IS NULL";
  static const char delete_vitals_sql[] = "DELETE FROM vital_sign WHERE infusion_id = ?1";
  TrajDbStmt *stmt;
  g_autofree char *summary = NULL, *confirmed = NULL;
  g_autoptr(GPtrArray) before = NULL;

  if (!traj_validate_infusion (i, traj_time_now (), error))
    return FALSE;
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  /* Its patient's needs-attention state, and on an edit the one it was
   * with before (traj-store-attention.c). */
  traj_store_attention_touch (self, i->patient_id);
  if (!insert && !traj_store_attention_touch_record (self, TRAJ_KIND_INFUSION, i->id, error))
    goto fail;
  if (!traj_store_patient_exists (self, i->patient_id, error) ||
      !traj_store_course_of_patient (self, i->course_id, i->patient_id, error) ||
      !traj_store_require_infusion_dates (self, i, NULL, &confirmed, error))
    goto fail;

  g_ptr_array_sort (i->vitals, compare_vitals);
  for (guint k = 0; k < i->vitals->len; k++)
    traj_store_ensure_uid (&((TrajVitalSign *) g_ptr_array_index (i->vitals, k))->uid);

  if (insert)
    {
      traj_store_ensure_uid (&i->uid);
      if (!traj_store_write_infusion_row (self, i, error))
        goto fail;
    }
  else
    {
      if ((before = traj_store_audit_snapshot (self, TRAJ_KIND_INFUSION, i->id, error)) == NULL)
        goto fail;
      stmt = traj_db_prepare (self->db, update_sql, error);
      if (stmt == NULL)
        goto fail;
      bind_infusion (stmt, i);
      traj_db_bind_int64 (stmt, 33, i->id);
      if (!traj_db_run (stmt, error) || !traj_store_expect_one_change (self, TRAJ_KIND_INFUSION, error))
        goto fail;
      stmt = traj_db_prepare (self->db, delete_vitals_sql, error);
      if (stmt == NULL)
        goto fail;
      traj_db_bind_int64 (stmt, 1, i->id);
      if (!traj_db_run (stmt, error) || !write_vitals (self, i, error))
        goto fail;
    }
  /* A fixed dose (esketamine nasal spray) has no mg/kg: "0.00 mg/kg" misled. */
  if (traj_dose_is_fixed (i->route, i->medicine))
    summary = g_strdup_printf ("infusion %s %s %.1f mg, %u vital readings",
                               traj_route_to_string (i->route), traj_phase_to_string (i->phase),
                               i->total_mg, i->vitals->len);
  else
    summary = g_strdup_printf ("infusion %s %s %.2f mg/kg %.1f mg, %u vital readings",
                               traj_route_to_string (i->route), traj_phase_to_string (i->phase),
                               i->dose_mg_per_kg, i->total_mg, i->vitals->len);
  if (insert ? !traj_store_audit_record (self, "insert", TRAJ_KIND_INFUSION, i->uid, summary, error)
             : !traj_store_audit_update (self, TRAJ_KIND_INFUSION, i->id, i->uid, before, summary, error))
    goto fail;
  /* The clinician's confirmation of a date warning is part of the record's
   * history (CLINICAL.md §7). */
  if (confirmed)
    {
      g_autofree char *what = g_strdup_printf ("date confirmed: %s", confirmed);
      if (!traj_store_audit (self, "confirm", traj_kind_to_string (TRAJ_KIND_INFUSION), i->uid, what, error))
        goto fail;
    }
  if (!traj_store_tx_commit (self, error))
    goto fail_committed;
  traj_store_emit_changed (self, TRAJ_KIND_INFUSION, i->patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
fail_committed:
  if (insert)
    i->id = 0;
  return FALSE;
}

gboolean
traj_store_insert_infusion (TrajStore *self, TrajInfusion *i, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  return write_infusion (self, i, TRUE, error);
}

gboolean
traj_store_update_infusion (TrajStore *self, TrajInfusion *i, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (i->id > 0, FALSE);
  return write_infusion (self, i, FALSE, error);
}

/* ---- reads ---------------------------------------------------------------------- */

/* The fields the outcome engine and the cohort read (the cohort's narrow
 * read, TRAJ_COHORT_INFUSION_COLS): nothing is made for the others, whose
 * text stays NULL. */
TrajInfusion *
traj_store_read_infusion_narrow (TrajDbStmt *stmt)
{
  TrajInfusion *i = traj_infusion_new ();

  i->id = traj_db_column_int64 (stmt, 0);
  i->uid = traj_db_column_dup (stmt, 1);
  i->patient_id = traj_db_column_int64 (stmt, 2);
  i->course_id = traj_db_column_int64 (stmt, 3);
  i->started_at = traj_db_column_int64 (stmt, 4);
  i->duration_min = traj_db_column_int (stmt, 5);
  traj_route_from_string (traj_db_column_text (stmt, 6), &i->route);
  traj_medicine_from_string (traj_db_column_text (stmt, 7), &i->medicine);
  traj_phase_from_string (traj_db_column_text (stmt, 9), &i->phase);
  i->weight_kg = traj_db_column_double (stmt, 10);
  i->dose_mg_per_kg = traj_db_column_double (stmt, 11);
  i->total_mg = traj_db_column_double (stmt, 12);
  i->monitoring_min = traj_db_column_int (stmt, 16);
  i->ready_at = traj_db_column_int64 (stmt, 17);
  i->clinician = traj_db_column_dup (stmt, 18);
  i->deleted_at = traj_db_column_int64 (stmt, 20);
  i->cadss_total = traj_db_column_int_or (stmt, 22, -1);
  i->moaas_lowest = traj_db_column_int_or (stmt, 23, -1);
  return i;
}

TrajInfusion *
traj_store_read_infusion (TrajDbStmt *stmt)
{
  TrajInfusion *i = traj_store_read_infusion_narrow (stmt);

  i->lot = traj_db_column_dup (stmt, 8);
  i->side_effects = traj_codes_to_bits (traj_db_column_text (stmt, 13),
                                        traj_side_effect_to_string, TRAJ_N_SIDE_EFFECTS, NULL);
  i->side_effect_note = traj_db_column_dup (stmt, 14);
  i->concomitant = traj_codes_to_bits (traj_db_column_text (stmt, 15),
                                       traj_concomitant_to_string, TRAJ_N_CONCOMITANTS, NULL);
  i->notes = traj_db_column_dup (stmt, 19);
  i->date_confirmed = traj_codes_to_bits (traj_db_column_text (stmt, 21),
                                          traj_date_warning_to_string, TRAJ_N_DATE_WARNINGS, NULL);
  i->rems_first_session = traj_db_column_int_or (stmt, 24, -1);
  if (!traj_db_column_is_null (stmt, 25))
    i->rems_patient_id = traj_db_column_dup (stmt, 25);
  if (!traj_db_column_is_null (stmt, 26))
    i->rems_monitored_by = traj_db_column_dup (stmt, 26);
  i->rems_vitals_ok_before = traj_db_column_int_or (stmt, 27, -1);
  i->rems_vitals_ok_leaving = traj_db_column_int_or (stmt, 28, -1);
  i->rems_sedation = traj_db_column_int_or (stmt, 29, -1);
  i->rems_dissociation = traj_db_column_int_or (stmt, 30, -1);
  i->rems_resp_depression = traj_db_column_int_or (stmt, 31, -1);
  i->rems_adverse = traj_db_column_int_or (stmt, 32, -1);
  i->rems_adverse_note = traj_db_column_dup (stmt, 33);
  return i;
}

void
traj_store_read_vital_into (TrajDbStmt *stmt, int base, TrajInfusion *i)
{
  TrajVitalSign *v;

  if (traj_db_column_is_null (stmt, base))
    return;
  v = traj_vital_sign_new (traj_db_column_int (stmt, base + 2));
  v->id = traj_db_column_int64 (stmt, base);
  v->uid = traj_db_column_dup (stmt, base + 1);
  v->infusion_id = i->id;
  v->systolic = traj_db_column_int_or (stmt, base + 3, -1);
  v->diastolic = traj_db_column_int_or (stmt, base + 4, -1);
  v->heart_rate = traj_db_column_int_or (stmt, base + 5, -1);
  v->spo2 = traj_db_column_int_or (stmt, base + 6, -1);
  v->resp_rate = traj_db_column_int_or (stmt, base + 7, -1);
  g_ptr_array_add (i->vitals, v);
}

TrajInfusion *
traj_store_get_infusion (TrajStore *self, gint64 id, GError **error)
{
  static const char sql[] =
    "SELECT " TRAJ_INFUSION_COLS ", " TRAJ_VITAL_COLS " FROM infusion i "
    "LEFT JOIN vital_sign v ON v.infusion_id = i.id WHERE i.id = ?1 ORDER BY v.minute, v.id";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajInfusion *i = NULL;
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      if (i == NULL)
        i = traj_store_read_infusion (stmt);
      traj_store_read_vital_into (stmt, TRAJ_N_INFUSION_COLS, i);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    g_clear_pointer (&i, traj_infusion_free);
  else if (i == NULL)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The infusion no longer exists."));
  return i;
}

TrajInfusion *
traj_store_find_infusion_by_uid (TrajStore *self, const char *uid, GError **error)
{
  static const char sql[] = "SELECT id FROM infusion WHERE uid = ?1 AND deleted_at IS NULL";
  TrajDbStmt *stmt;
  gint64 id = 0;
  TrajDbStep rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  g_return_val_if_fail (uid != NULL, NULL);
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_text (stmt, 1, uid);
  rc = traj_db_step (stmt, error);
  if (rc == TRAJ_DB_ROW)
    id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  if (id == 0)
    {
      /* Translators: %s is the id (uid) of a session someone typed */
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("No session has the id “%s”."), uid);
      return NULL;
    }
  return traj_store_get_infusion (self, id, error);
}
