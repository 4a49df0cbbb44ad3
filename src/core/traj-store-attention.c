/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Needs attention, stored per patient (patient_attention).
 *
 * The patient list's badges and its "Needs attention" work list come from
 * the outcomes engine. Running every patient through it at each start grew
 * with the clinic (1.8 s at 10,000 patients, 9 s at 50,000), so every write
 * that can change a patient's findings — a patient's risk flag, a course,
 * an infusion, an assessment, a decision, a delete or undelete, an import,
 * the demo — marks the patient here, and the outermost commit computes the
 * marked patients' state with the clinic's thresholds and writes it in the
 * same transaction. A state says which thresholds it was computed with and
 * until when it holds (the first later time a record of the patient becomes
 * visible to the engine); a reader recomputes only the states that are not
 * current, and traj_store_refresh_attention () writes those back. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include "traj-outcomes.h"
#include "traj-store-private.h"

#define FEW_PATIENTS TRAJ_ATTENTION_FEW_PATIENTS
/* Patients per write transaction of a refresh. */
#define REFRESH_CHUNK 500

void
traj_store_attention_touch (TrajStore *self, gint64 patient_id)
{
  if (patient_id <= 0)
    return;
  if (self->attention_dirty == NULL)
    self->attention_dirty = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (!g_hash_table_contains (self->attention_dirty, &patient_id))
    g_hash_table_add (self->attention_dirty, g_memdup2 (&patient_id, sizeof patient_id));
}

gboolean
traj_store_attention_touch_record (TrajStore *self, TrajRecordKind kind, gint64 id, GError **error)
{
  static const char *sql[TRAJ_N_KINDS] = {
    [TRAJ_KIND_COURSE] = "SELECT patient_id FROM course WHERE id = ?1",
    [TRAJ_KIND_INFUSION] = "SELECT patient_id FROM infusion WHERE id = ?1",
    [TRAJ_KIND_ASSESSMENT] = "SELECT patient_id FROM assessment WHERE id = ?1",
    [TRAJ_KIND_FLAG_DECISION] = "SELECT patient_id FROM flag_decision WHERE id = ?1",
  };
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail ((guint) kind < TRAJ_N_KINDS && sql[kind] != NULL, FALSE);
  stmt = traj_db_prepare (self->db, sql[kind], error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    traj_store_attention_touch (self, traj_db_column_int64 (stmt, 0));
  traj_db_reset (stmt);
  return TRUE;
}

void
traj_store_attention_touch_all (TrajStore *self)
{
  self->attention_all = TRUE;
}

void
traj_store_attention_forget (TrajStore *self)
{
  g_clear_pointer (&self->attention_dirty, g_hash_table_unref);
  self->attention_all = FALSE;
}

gboolean
traj_store_load_thresholds (TrajStore *self, TrajThresholds *t, GError **error)
{
  static const char sql[] = "SELECT key, value FROM clinic_setting";
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajDbStep rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    if (!traj_store_setting_is_secret (traj_db_column_text (stmt, 0)))
      g_hash_table_replace (values, traj_db_column_dup (stmt, 0), traj_db_column_dup (stmt, 1));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return FALSE;
  traj_thresholds_load_values (t, values);
  return TRUE;
}

typedef struct {
  gint64 patient_id;
  TrajAttention a;
} Computed;

typedef struct {
  GHashTable *only;          /* gint64* set, or NULL for every patient */
  const TrajThresholds *t;
  gint64 now;
  GArray *out;               /* Computed */
} ComputeData;

static gboolean
compute_one (TrajPatientRecords *r, gpointer user_data)
{
  ComputeData *d = user_data;
  Computed c = { r->patient->id };

  if (d->only == NULL || g_hash_table_contains (d->only, &c.patient_id))
    {
      traj_outcomes_attention (r, d->t, d->now, &c.a);
      g_array_append_val (d->out, c);
    }
  return TRUE;
}

static gboolean
write_states (TrajStore *self, GArray *states, GError **error)
{
  static const char sql[] =
    "INSERT INTO patient_attention (patient_id, open_findings, safety_open, oldest_open_at, valid_until, rules) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (patient_id) DO UPDATE SET "
    "open_findings = excluded.open_findings, safety_open = excluded.safety_open, "
    "oldest_open_at = excluded.oldest_open_at, valid_until = excluded.valid_until, rules = excluded.rules";

  for (guint k = 0; k < states->len; k++)
    {
      const Computed *c = &g_array_index (states, Computed, k);
      TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);

      if (stmt == NULL)
        return FALSE;
      traj_db_bind_int64 (stmt, 1, c->patient_id);
      traj_db_bind_int64 (stmt, 2, c->a.open_findings);
      traj_db_bind_int64 (stmt, 3, c->a.safety_open ? 1 : 0);
      if (c->a.oldest_open_at != TRAJ_TIME_NONE)
        traj_db_bind_int64 (stmt, 4, c->a.oldest_open_at);
      else
        traj_db_bind_null (stmt, 4);
      if (c->a.valid_until != TRAJ_TIME_NONE)
        traj_db_bind_int64 (stmt, 5, c->a.valid_until);
      else
        traj_db_bind_null (stmt, 5);
      traj_db_bind_int64 (stmt, 6, c->a.rules);
      if (!traj_db_run (stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Computes and writes the state of the marked patients (all of them after
 * traj_store_attention_touch_all ()), in the caller's transaction. */
gboolean
traj_store_attention_flush (TrajStore *self, GError **error)
{
  g_autoptr(GHashTable) dirty = g_steal_pointer (&self->attention_dirty);
  gboolean all = self->attention_all;
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (Computed));
  TrajThresholds t;
  ComputeData d;

  self->attention_all = FALSE;
  if (!all && (dirty == NULL || g_hash_table_size (dirty) == 0))
    return TRUE;
  /* A tablet's server login writes only through the server's functions,
   * and those leave the state to the next reader (postgres/013). */
  if (traj_store_kiosk_remote (self))
    return TRUE;
  if (!traj_store_load_thresholds (self, &t, error))
    return FALSE;
  d = (ComputeData) { all ? NULL : dirty, &t, traj_time_now (), states };

  if (!all && g_hash_table_size (dirty) <= FEW_PATIENTS)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, dirty);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          g_autoptr(GError) local = NULL;
          g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (self, *(gint64 *) key, &local);

          /* A deleted patient keeps the state it had: undelete marks it. */
          if (r == NULL && g_error_matches (local, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND))
            continue;
          if (r == NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          compute_one (r, &d);
        }
    }
  else if (!traj_store_foreach_cohort_records (self, &t, 0, 0, compute_one, &d, NULL, error))
    return FALSE;
  return write_states (self, states, error);
}

/* The patients whose stored state is missing, was computed with other
 * thresholds, or no longer holds at @now. */
static GArray *
stale_patients (TrajStore *self, gint64 rules, gint64 now, GError **error)
{
  static const char sql[] =
    "SELECT p.id FROM patient p LEFT JOIN patient_attention a ON a.patient_id = p.id "
    "WHERE p.deleted_at IS NULL AND (a.patient_id IS NULL OR a.rules <> ?1 OR a.valid_until <= ?2) ORDER BY p.id";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, rules);
  traj_db_bind_int64 (stmt, 2, now);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      gint64 id = traj_db_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  traj_db_reset (stmt);
  return rc == TRAJ_DB_FAILED ? NULL : g_steal_pointer (&ids);
}

gboolean
traj_store_refresh_attention (TrajStore     *self,
                              guint         *n_refreshed,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GArray) ids = NULL;
  TrajThresholds t;
  gboolean began = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (n_refreshed)
    *n_refreshed = 0;
  if (!traj_store_read_begin (self, &began, error))
    return FALSE;
  if (traj_store_load_thresholds (self, &t, error))
    ids = stale_patients (self, traj_thresholds_fingerprint (&t), traj_time_now (), error);
  traj_store_read_end (self, began);
  if (ids == NULL)
    return FALSE;

  /* Each chunk reads and writes in one write transaction, so a state never
   * lags behind a record another program wrote meanwhile. */
  for (guint k = 0; k < ids->len; k += REFRESH_CHUNK)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) || !traj_store_tx_begin (self, error))
        return FALSE;
      for (guint j = k; j < ids->len && j < k + REFRESH_CHUNK; j++)
        traj_store_attention_touch (self, g_array_index (ids, gint64, j));
      if (!traj_store_tx_commit (self, error))
        {
          if (self->tx_depth > 0)
            traj_store_tx_rollback (self);
          return FALSE;
        }
      if (n_refreshed)
        *n_refreshed = MIN (ids->len, k + REFRESH_CHUNK);
    }
  return TRUE;
}

gboolean
traj_store_read_attention (TrajStore *self, gint64 patient_id, TrajAttention *out, gboolean *found,
                           GError **error)
{
  static const char sql[] =
    "SELECT a.open_findings, a.safety_open, a.oldest_open_at, a.valid_until, a.rules, p.risk_si_at "
    "FROM patient_attention a JOIN patient p ON p.id = a.patient_id WHERE a.patient_id = ?1";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  *found = FALSE;
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, patient_id);
  if (!traj_db_step_row (stmt, found, error))
    return FALSE;
  if (*found)
    {
      out->open_findings = traj_db_column_int (stmt, 0);
      out->safety_open = traj_db_column_int (stmt, 1) != 0;
      out->oldest_open_at = traj_db_column_int64 (stmt, 2);
      out->valid_until = traj_db_column_int64 (stmt, 3);
      out->rules = traj_db_column_int64 (stmt, 4);
      out->risk_flag = !traj_db_column_is_null (stmt, 5);
    }
  traj_db_reset (stmt);
  return TRUE;
}
