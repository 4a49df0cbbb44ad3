/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Patients: the row writer shared with bulk imports, single saves, reads and
 * the patient list. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-store-private.h"
#include "traj-search.h"
#include "traj-validate.h"

const char traj_store_patient_by_mrn_sql[] =
  "SELECT " TRAJ_PATIENT_COLS " FROM patient WHERE mrn = ?1 AND deleted_at IS NULL";

/* ---- the row ----------------------------------------------------------- */

/* *@taken: another patient holds @mrn; *@importing: that patient is one
 * an import (or demo) is writing right now, hidden until it ends
 * (traj_bulk_yield ()). */
static gboolean
mrn_taken (TrajStore *self, const char *mrn, gint64 except_id, gboolean *taken, gboolean *importing, GError **error)
{
  static const char sql[] = "SELECT CASE WHEN deleted_at < 0 THEN 1 ELSE 0 END FROM patient WHERE mrn = ?1 AND id != ?2";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);

  *importing = FALSE;
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, mrn);
  traj_db_bind_int64 (stmt, 2, except_id);
  if (!traj_db_step_row (stmt, taken, error))
    return FALSE;
  if (*taken)
    *importing = traj_db_column_int64 (stmt, 0) != 0;
  traj_db_reset (stmt);
  return TRUE;
}

/* The MRN stays with the patient who has it. One an import is writing is
 * not in any list yet, so the person is told where it is and when to look:
 * the import either shows that patient when it ends or, failing, frees the
 * MRN again. */
static void
mrn_error (GError **error, const char *mrn, gboolean importing)
{
  if (importing)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE,
                 _("MRN %s belongs to a patient that an import is adding right now. When the import has finished, "
                   "look for that patient in the list; if the import fails, the MRN is free again."), mrn);
  else
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE,
                 _("MRN %s is already used by another patient."), mrn);
}

static void
patient_values (TrajDbValues *v, const TrajPatient *p)
{
  traj_db_values_text0 (v, p->uid);
  traj_db_values_text0 (v, p->mrn);
  traj_db_values_text0 (v, p->name);
  traj_db_values_day (v, p->birth_day);
  traj_db_values_text0 (v, traj_sex_to_string (p->sex));
  traj_db_values_text0 (v, traj_indication_to_string (p->indication));
  traj_db_values_text0 (v, p->notes);
  traj_db_values_int64 (v, p->created_at);
  traj_db_values_int64 (v, p->updated_at);
  traj_db_values_text0 (v, p->indication_detail ? p->indication_detail : "");
  if (p->risk_si_at != TRAJ_TIME_NONE)
    traj_db_values_int64 (v, p->risk_si_at);
  else
    traj_db_values_null (v);
  traj_db_values_text0 (v, p->risk_si_at != TRAJ_TIME_NONE && p->risk_si_by ? p->risk_si_by : "");
  traj_db_values_text0 (v, traj_substance_use_to_string (p->substance_use));
}

gboolean
traj_store_write_patient_row (TrajStore    *self,
                              TrajPatient  *p,
                              GError      **error)
{
  /* A clash on either unique key (uid, MRN) inserts nothing and returns no
   * row, without failing the transaction (PostgreSQL would abort it). */
  static const char sql[] =
    "INSERT INTO patient (" TRAJ_PATIENT_INSERT_COLS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING RETURNING id";
  TrajDbValues v = { 0 };
  TrajDbStmt *stmt;
  gboolean inserted = FALSE, taken = FALSE, importing = FALSE, ok;

  patient_values (&v, p);
  if (traj_store_deferred (self))
    {
      ok = traj_store_defer_row (self, TRAJ_DB_TABLE_PATIENT, &v, p->uid, p->mrn, 0, &p->id, error);
      traj_db_values_clear (&v);
      if (ok)
        {
          traj_store_deferred_note_patient (self, p);
          traj_store_attention_touch (self, p->id);
        }
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
    p->id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (inserted)
    {
      traj_store_attention_touch (self, p->id);
      return TRUE;
    }

  /* Two unique keys: tell the person which one clashed. */
  if (!mrn_taken (self, p->mrn, 0, &taken, &importing, error))
    return FALSE;
  if (taken)
    mrn_error (error, p->mrn, importing);
  else
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                 _("uid %s is already used by another %s record."), p->uid, "patient");
  return FALSE;
}

/* ---- single saves -------------------------------------------------------- */

static gboolean
check_patient (TrajStore *self, TrajPatient *p, GError **error)
{
  gboolean taken = FALSE, importing = FALSE;

  if (p->mrn)
    g_strstrip (p->mrn);
  if (p->name)
    g_strstrip (p->name);
  /* The flag's "who" is the person saving it unless a file says otherwise. */
  if (p->risk_si_at == TRAJ_TIME_NONE)
    g_clear_pointer (&p->risk_si_by, g_free);
  else if (p->risk_si_by == NULL || *g_strstrip (p->risk_si_by) == '\0')
    {
      g_free (p->risk_si_by);
      p->risk_si_by = g_strdup (traj_store_actor (self));
    }
  if (!traj_validate_patient (p, traj_day_today (), error))
    return FALSE;
  if (!mrn_taken (self, p->mrn, p->id, &taken, &importing, error))
    return FALSE;
  if (taken)
    {
      mrn_error (error, p->mrn, importing);
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_insert_patient (TrajStore    *self,
                           TrajPatient  *p,
                           GError      **error)
{
  g_autoptr(TrajPatient) work = NULL;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (p != NULL, FALSE);

  work = traj_patient_copy (p);
  work->id = 0;
  if (!check_patient (self, work, error))
    return FALSE;
  traj_store_ensure_uid (&work->uid);
  if (work->created_at == 0)
    work->created_at = traj_time_now ();
  work->updated_at = work->created_at;

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_write_patient_row (self, work, error))
    goto fail;
  summary = g_strdup_printf ("patient MRN %s", work->mrn);
  if (!traj_store_audit_record (self, "insert", TRAJ_KIND_PATIENT, work->uid, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;

  p->id = work->id;
  g_free (p->uid);
  p->uid = g_strdup (work->uid);
  g_free (p->mrn);
  p->mrn = g_strdup (work->mrn);
  g_free (p->name);
  p->name = g_strdup (work->name);
  p->created_at = work->created_at;
  p->updated_at = work->updated_at;
  traj_store_emit_changed (self, TRAJ_KIND_PATIENT, p->id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

/* Whether patient @id has the suicidal-ideation flag set now. */
static gboolean
risk_flag_set (TrajStore *self, gint64 id, gboolean *set, GError **error)
{
  static const char sql[] = "SELECT id FROM patient WHERE id = ?1 AND risk_si_at IS NOT NULL";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, set, error))
    return FALSE;
  traj_db_reset (stmt);
  return TRUE;
}

gboolean
traj_store_update_patient (TrajStore          *self,
                           const TrajPatient  *p,
                           GError            **error)
{
  return traj_store_update_patient_why (self, p, NULL, NULL, error);
}

gboolean
traj_store_update_patient_why (TrajStore          *self,
                               const TrajPatient  *p,
                               const char         *cleared_by,
                               const char         *cleared_why,
                               GError            **error)
{
  static const char sql[] =
    "UPDATE patient SET mrn = ?2, name = ?3, birth_date = ?4, sex = ?5, indication = ?6, "
    "notes = ?7, updated_at = ?8, indication_detail = ?9, risk_si_at = ?10, risk_si_by = ?11, "
    "substance_use = ?12 WHERE id = ?1 AND deleted_at IS NULL";
  TrajDbStmt *stmt;
  g_autoptr(TrajPatient) work = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *by = g_strstrip (g_strdup (cleared_by ? cleared_by : ""));
  g_autofree char *why = g_strstrip (g_strdup (cleared_why ? cleared_why : ""));
  g_autoptr(GPtrArray) before = NULL;
  gboolean was_flagged = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (p != NULL && p->id > 0, FALSE);

  work = traj_patient_copy (p);
  if (!check_patient (self, work, error))
    return FALSE;
  if (*by == '\0')
    {
      g_free (by);
      by = g_strdup (traj_store_get_clinician (self));
    }
  if (!traj_validate_text (_("Who cleared the flag"), by, FALSE, error) ||
      !traj_validate_text (_("Why the flag was cleared"), why, TRUE, error))
    return FALSE;

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  /* Who removed a suicide-risk flag, and why, must be readable in the
   * audit trail: clearing it takes a named person and a reason. */
  if (work->risk_si_at == TRAJ_TIME_NONE)
    {
      if (!risk_flag_set (self, work->id, &was_flagged, error))
        goto fail;
      if (was_flagged && (*why == '\0' || *by == '\0'))
        {
          g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                               *why == '\0' ? _("Say why the suicidal-ideation flag is cleared: the reason is kept in the audit trail.")
                                             : _("Give your name to clear the suicidal-ideation flag: it is kept in the audit trail."));
          goto fail;
        }
    }
  /* The risk flag is on the patient's needs-attention list. */
  traj_store_attention_touch (self, work->id);
  if ((before = traj_store_audit_snapshot (self, TRAJ_KIND_PATIENT, work->id, error)) == NULL)
    goto fail;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, work->id);
  traj_db_bind_text0 (stmt, 2, work->mrn);
  traj_db_bind_text0 (stmt, 3, work->name);
  traj_db_bind_day (stmt, 4, work->birth_day);
  traj_db_bind_text0 (stmt, 5, traj_sex_to_string (work->sex));
  traj_db_bind_text0 (stmt, 6, traj_indication_to_string (work->indication));
  traj_db_bind_text0 (stmt, 7, work->notes);
  traj_db_bind_int64 (stmt, 8, traj_time_now ());
  traj_db_bind_text0 (stmt, 9, work->indication_detail ? work->indication_detail : "");
  if (work->risk_si_at != TRAJ_TIME_NONE)
    traj_db_bind_int64 (stmt, 10, work->risk_si_at);
  else
    traj_db_bind_null (stmt, 10);
  traj_db_bind_text0 (stmt, 11, work->risk_si_by ? work->risk_si_by : "");
  traj_db_bind_text0 (stmt, 12, traj_substance_use_to_string (work->substance_use));
  if (!traj_db_run (stmt, error) || !traj_store_expect_one_change (self, TRAJ_KIND_PATIENT, error))
    goto fail;
  if (was_flagged)
    summary = g_strdup_printf ("patient MRN %s: suicidal ideation flag cleared by %s: %s", work->mrn, by, why);
  else
    summary = g_strdup_printf ("patient MRN %s", work->mrn);
  if (!traj_store_audit_update (self, TRAJ_KIND_PATIENT, work->id, work->uid, before, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  traj_store_emit_changed (self, TRAJ_KIND_PATIENT, work->id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

/* ---- reads --------------------------------------------------------------- */

TrajPatient *
traj_store_read_patient (TrajDbStmt *stmt)
{
  TrajPatient *p = traj_patient_new ();

  p->id = traj_db_column_int64 (stmt, 0);
  p->uid = traj_db_column_dup (stmt, 1);
  p->mrn = traj_db_column_dup (stmt, 2);
  p->name = traj_db_column_dup (stmt, 3);
  p->birth_day = traj_db_column_day (stmt, 4);
  traj_sex_from_string (traj_db_column_text (stmt, 5), &p->sex);
  traj_indication_from_string (traj_db_column_text (stmt, 6), &p->indication);
  p->notes = traj_db_column_dup (stmt, 7);
  p->created_at = traj_db_column_int64 (stmt, 8);
  p->updated_at = traj_db_column_int64 (stmt, 9);
  p->deleted_at = traj_db_column_int64 (stmt, 10);
  p->indication_detail = traj_db_column_dup (stmt, 11);
  p->risk_si_at = traj_db_column_int64 (stmt, 12);
  p->risk_si_by = traj_db_column_dup (stmt, 13);
  /* NULL where a read leaves it out: not recorded */
  if (!traj_substance_use_from_string (traj_db_column_text (stmt, 14), &p->substance_use))
    p->substance_use = TRAJ_SUBSTANCE_USE_UNKNOWN;
  return p;
}

static TrajPatient *
get_patient_where (TrajStore *self, const char *sql, gint64 id, const char *mrn, GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajPatient *p = NULL;
  gboolean found = FALSE;

  if (stmt == NULL)
    return NULL;
  if (mrn)
    traj_db_bind_text0 (stmt, 1, mrn);
  else
    traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    p = traj_store_read_patient (stmt);
  else if (mrn)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("No patient has MRN %s."), mrn);
  else
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The patient no longer exists."));
  traj_db_reset (stmt);
  return p;
}

TrajPatient *
traj_store_get_patient (TrajStore *self, gint64 id, GError **error)
{
  static const char sql[] = "SELECT " TRAJ_PATIENT_COLS " FROM patient WHERE id = ?1";

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  return get_patient_where (self, sql, id, NULL, error);
}

TrajPatient *
traj_store_find_patient_by_mrn (TrajStore *self, const char *mrn, GError **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  g_return_val_if_fail (mrn != NULL, NULL);
  return get_patient_where (self, traj_store_patient_by_mrn_sql, 0, mrn, error);
}

/* @name folded for search, keeping only letters and digits. */
static char *
person_key (const char *name)
{
  g_autofree char *folded = traj_search_fold (name);
  GString *key = g_string_new (NULL);

  for (const char *c = folded; *c; c = g_utf8_next_char (c))
    {
      gunichar u = g_utf8_get_char (c);

      if (g_unichar_isalnum (u))
        g_string_append_unichar (key, u);
    }
  return g_string_free (key, FALSE);
}

TrajPatient *
traj_store_find_same_person (TrajStore  *self,
                             const char *name,
                             gint32      birth_day,
                             gint64      except_id,
                             GError    **error)
{
  static const char sql[] =
    "SELECT " TRAJ_PATIENT_COLS " FROM patient WHERE birth_date = ?1 AND id != ?2 AND deleted_at IS NULL "
    "ORDER BY id";
  g_autofree char *key = NULL;
  TrajPatient *found = NULL;
  TrajDbStmt *stmt;
  TrajDbStep rc = TRAJ_DB_DONE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  if (name == NULL || birth_day == TRAJ_DAY_NONE)
    return NULL;
  key = person_key (name);
  if (*key == '\0')
    return NULL;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_day (stmt, 1, birth_day);
  traj_db_bind_int64 (stmt, 2, except_id);
  while (found == NULL && (rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      g_autoptr(TrajPatient) p = traj_store_read_patient (stmt);
      g_autofree char *other = person_key (p->name);

      if (g_str_equal (key, other))
        found = g_steal_pointer (&p);
    }
  traj_db_reset (stmt);
  if (found == NULL && rc == TRAJ_DB_FAILED)
    return NULL;
  return found;
}

/* ---- the patient list ------------------------------------------------------ */

void
traj_patient_summary_free (TrajPatientSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->uid);
  g_free (s->mrn);
  g_free (s->name);
  g_free (s->search_key);
  g_free (s);
}

#define SUMMARY_SQL_HEAD \
  "SELECT p.id, p.uid, p.mrn, p.name, p.birth_date, p.sex, p.indication, c.id, c.status, c.primary_scale, "
#define SUMMARY_SQL_INFUSIONS \
  "  (SELECT count(*) FROM infusion i WHERE i.course_id = c.id AND i.deleted_at IS NULL), " \
  "  (SELECT max(i.started_at) FROM infusion i WHERE i.patient_id = p.id AND i.deleted_at IS NULL), "
#define SUMMARY_SQL_TAIL \
  "  p.risk_si_at, pa.patient_id, pa.open_findings, pa.safety_open, pa.oldest_open_at, pa.valid_until, pa.rules " \
  "FROM patient p LEFT JOIN course c ON c.id = (SELECT c2.id FROM course c2 WHERE c2.patient_id = p.id " \
  "  AND c2.deleted_at IS NULL ORDER BY c2.status = 'ended', c2.start_date DESC, c2.id DESC LIMIT 1) " \
  "LEFT JOIN patient_attention pa ON pa.patient_id = p.id " \
  "WHERE p.deleted_at IS NULL "
#define SUMMARY_SQL SUMMARY_SQL_HEAD SUMMARY_SQL_INFUSIONS SUMMARY_SQL_TAIL
/* Without the infusion count and last infusion: no infusion rows read. */
#define BRIEF_SQL SUMMARY_SQL_HEAD "0, NULL, " SUMMARY_SQL_TAIL

/* Name order without regard to ASCII case: SQLite's NOCASE collation (its
 * index patient_name), PostgreSQL's lower () on a "C"-collated column (its
 * index patient_name_lower) — the same order on both. */
#define LIST_ORDER_SQLITE "ORDER BY p.name COLLATE NOCASE, p.mrn"
#define LIST_ORDER_POSTGRES "ORDER BY lower(p.name), p.mrn"
static const char list_sqlite_sql[] = SUMMARY_SQL LIST_ORDER_SQLITE;
static const char list_postgres_sql[] = SUMMARY_SQL LIST_ORDER_POSTGRES;
static const char brief_sqlite_sql[] = BRIEF_SQL LIST_ORDER_SQLITE;
static const char brief_postgres_sql[] = BRIEF_SQL LIST_ORDER_POSTGRES;
static const char summary_sql[] = SUMMARY_SQL "AND p.id = ?1";

const char traj_store_latest_scores_sql[] =
  "SELECT total, taken_at FROM assessment WHERE patient_id = ?1 AND scale = ?2 "
  "AND complete = 1 AND deleted_at IS NULL ORDER BY taken_at DESC LIMIT 2";

const char *
traj_store_patient_list_sql (TrajDbEngine engine)
{
  return engine == TRAJ_DB_SQLITE ? list_sqlite_sql : list_postgres_sql;
}

static gboolean
fill_scores (TrajStore *self, TrajPatientSummary *s, GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare (self->db, traj_store_latest_scores_sql, error);
  TrajDbStep rc;
  int n = 0;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, s->id);
  traj_db_bind_text0 (stmt, 2, traj_scale_code (s->primary_scale));
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      if (n == 0)
        {
          s->latest_score = traj_db_column_int (stmt, 0);
          s->latest_score_at = traj_db_column_int64 (stmt, 1);
        }
      else
        s->previous_score = traj_db_column_int (stmt, 0);
      n++;
    }
  traj_db_reset (stmt);
  return rc != TRAJ_DB_FAILED;
}

static TrajPatientSummary *
read_summary (TrajDbStmt *stmt)
{
  TrajPatientSummary *s = g_new0 (TrajPatientSummary, 1);
  g_autofree char *key = NULL;

  s->id = traj_db_column_int64 (stmt, 0);
  s->uid = traj_db_column_dup (stmt, 1);
  s->mrn = traj_db_column_dup (stmt, 2);
  s->name = traj_db_column_dup (stmt, 3);
  s->birth_day = traj_db_column_day (stmt, 4);
  traj_sex_from_string (traj_db_column_text (stmt, 5), &s->sex);
  traj_indication_from_string (traj_db_column_text (stmt, 6), &s->indication);
  s->has_course = !traj_db_column_is_null (stmt, 7);
  if (s->has_course)
    {
      const TrajScale *scale = traj_scale_lookup (traj_db_column_text (stmt, 9));
      traj_course_status_from_string (traj_db_column_text (stmt, 8), &s->course_status);
      s->primary_scale = scale ? scale->id : traj_indication_default_scale (s->indication);
    }
  else
    s->primary_scale = traj_indication_default_scale (s->indication);
  s->infusion_count = traj_db_column_int (stmt, 10);
  s->last_infusion_at = traj_db_column_int64 (stmt, 11);
  s->latest_score = s->previous_score = -1;
  s->risk_flag = !traj_db_column_is_null (stmt, 12);
  /* The stored needs-attention state (traj-store-attention.c), if any. */
  s->open_findings = -1;
  if (!traj_db_column_is_null (stmt, 13))
    {
      s->open_findings = traj_db_column_int (stmt, 14);
      s->safety_open = traj_db_column_int (stmt, 15) != 0;
      s->oldest_open_at = traj_db_column_int64 (stmt, 16);
      s->attention_valid_until = traj_db_column_int64 (stmt, 17);
      s->attention_rules = traj_db_column_int64 (stmt, 18);
    }
  key = g_strconcat (s->name, "\n", s->mrn, NULL);
  s->search_key = traj_search_fold (key);
  return s;
}

/* On a server, the latest two scores of every patient's primary scale in
 * one statement: one round trip per patient made a 10,000-patient list
 * take over a second. */
static const char all_scores_postgres_sql[] =
  "SELECT p.k, s.total, s.taken_at FROM unnest (CAST (?1 AS bigint[]), CAST (?2 AS text[])) "
  "WITH ORDINALITY AS p (id, scale, k) CROSS JOIN LATERAL (SELECT total, taken_at FROM assessment "
  "WHERE patient_id = p.id AND scale = p.scale AND complete = 1 AND deleted_at IS NULL "
  "ORDER BY taken_at DESC LIMIT 2) AS s ORDER BY p.k, s.taken_at DESC";

static gboolean
fill_all_scores (TrajStore *self, GPtrArray *summaries, GError **error)
{
  g_autoptr(GString) ids = g_string_new ("{");
  g_autoptr(GString) scales = g_string_new ("{");
  TrajDbStmt *stmt;
  TrajDbStep rc;
  gint64 last = 0;

  if (traj_db_engine (self->db) != TRAJ_DB_POSTGRES)
    {
      for (guint k = 0; k < summaries->len; k++)
        if (!fill_scores (self, g_ptr_array_index (summaries, k), error))
          return FALSE;
      return TRUE;
    }
  for (guint k = 0; k < summaries->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (summaries, k);
      /* Scale codes are plain identifiers ("phq9"): no quoting needed. */
      g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, k ? "," : "", s->id);
      g_string_append_printf (scales, "%s%s", k ? "," : "", traj_scale_code (s->primary_scale));
    }
  g_string_append_c (ids, '}');
  g_string_append_c (scales, '}');
  stmt = traj_db_prepare (self->db, all_scores_postgres_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text (stmt, 1, ids->str);
  traj_db_bind_text (stmt, 2, scales->str);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      gint64 k = traj_db_column_int64 (stmt, 0);
      TrajPatientSummary *s;

      if (k < 1 || k > summaries->len)
        continue;
      s = g_ptr_array_index (summaries, k - 1);
      if (k != last)
        {
          s->latest_score = traj_db_column_int (stmt, 1);
          s->latest_score_at = traj_db_column_int64 (stmt, 2);
        }
      else
        s->previous_score = traj_db_column_int (stmt, 1);
      last = k;
    }
  traj_db_reset (stmt);
  return rc != TRAJ_DB_FAILED;
}

static GPtrArray *
list_patients (TrajStore *self, const char *sqlite_sql, const char *postgres_sql, GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare2 (self->db, sqlite_sql, postgres_sql, error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free);
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_ptr_array_add (out, read_summary (stmt));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED || !fill_all_scores (self, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

GPtrArray *
traj_store_list_patients (TrajStore *self, GError **error)
{
  return list_patients (self, list_sqlite_sql, list_postgres_sql, error);
}

GPtrArray *
traj_store_list_patients_brief (TrajStore *self, GError **error)
{
  return list_patients (self, brief_sqlite_sql, brief_postgres_sql, error);
}

TrajPatientSummary *
traj_store_get_patient_summary (TrajStore *self, gint64 id, GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare (self->db, summary_sql, error);
  g_autoptr(TrajPatientSummary) s = NULL;
  gboolean found = FALSE;

  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    s = read_summary (stmt);
  traj_db_reset (stmt);
  if (!found)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The patient no longer exists."));
      return NULL;
    }
  if (!fill_scores (self, s, error))
    return NULL;
  return g_steal_pointer (&s);
}
