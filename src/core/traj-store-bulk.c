/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Imports on a clinic server: rows buffered and written with COPY.
 *
 * One round trip per row would hold an import to a few thousand rows a
 * second, so while an importer has asked for it (traj_bulk_defer ()) the
 * row writers only check and buffer their rows, with ids reserved from the
 * tables' sequences. A flush (every few thousand rows, at the end of each
 * imported file, at commit) looks up in one query per table which uids
 * (and MRNs) the clinic already holds, drops those rows (and their
 * children) and tells the importer which rows they were, then sends the
 * rest with COPY, parents first. The date rules need a patient's other
 * records: for patients of the import they are answered from what this
 * session wrote (the cache below), for others from the database after a
 * flush. SQLite never defers: its inserts cost no round trip. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-bulk.h"
#include "traj-db-pg.h"
#include "traj-store-private.h"
#include "traj-validate.h"

#define FLUSH_ROWS 20000
#define RESERVE_IDS 5000

typedef struct {
  const char *name;
  const char *columns;        /* after id */
  gboolean has_id;
  gboolean has_uid;
  TrajDbTable parent;           /* the table @parent ids name, TRAJ_DB_N_TABLES for none */
} TableInfo;

static const TableInfo tables[TRAJ_DB_N_TABLES] = {
  [TRAJ_DB_TABLE_PATIENT] = { "patient", TRAJ_PATIENT_INSERT_COLS, TRUE, TRUE, TRAJ_DB_N_TABLES },
  [TRAJ_DB_TABLE_COURSE] = { "course", TRAJ_COURSE_INSERT_COLS, TRUE, TRUE, TRAJ_DB_TABLE_PATIENT },
  [TRAJ_DB_TABLE_INFUSION] = { "infusion", TRAJ_INFUSION_INSERT_COLS, TRUE, TRUE, TRAJ_DB_TABLE_PATIENT },
  [TRAJ_DB_TABLE_VITAL_SIGN] = { "vital_sign", TRAJ_VITAL_INSERT_COLS, TRUE, TRUE, TRAJ_DB_TABLE_INFUSION },
  [TRAJ_DB_TABLE_ASSESSMENT] = { "assessment", TRAJ_ASSESSMENT_INSERT_COLS, TRUE, TRUE, TRAJ_DB_TABLE_PATIENT },
  [TRAJ_DB_TABLE_ASSESSMENT_ITEM] = { "assessment_item", TRAJ_ITEM_INSERT_COLS, FALSE, FALSE, TRAJ_DB_TABLE_ASSESSMENT },
  [TRAJ_DB_TABLE_FLAG_DECISION] = { "flag_decision", TRAJ_DECISION_INSERT_COLS, TRUE, TRUE, TRAJ_DB_TABLE_PATIENT },
  [TRAJ_DB_TABLE_MEDICATION] = { "medication", TRAJ_MEDICATION_INSERT_COLS, TRUE, TRUE, TRAJ_DB_TABLE_PATIENT },
};

typedef struct {
  gint64 id;
  gint64 parent;
  gint64 tag;
  char *uid;
  char *mrn;
  char line[];                  /* its COPY line, in the same allocation */
} Row;

typedef struct {
  gint64 id;
  gint32 start_day;
  gint32 end_day;
  TrajCourseStatus status;
} CachedCourse;

typedef struct {
  gint64 id;
  gint64 at;
  gint64 course_id;
  TrajMedicine medicine;
} CachedInfusion;

typedef struct {
  gint64 id;
  TrajScaleId scale;
  gint64 taken_at;
  int total;
  char *uid;
} CachedAssessment;

typedef struct {
  gint32 birth_day;
  GArray *courses;
  GArray *infusions;
  GArray *assessments;
} CachedPatient;

struct _TrajBulkDeferred {
  TrajBulkProblemFunc func;
  gpointer data;
  gint64 tag;
  GPtrArray *rows[TRAJ_DB_N_TABLES];
  guint n_rows;
  GArray *ids[TRAJ_DB_N_TABLES];      /* reserved, not used yet */
  GHashTable *patients;            /* id → CachedPatient* */
  GString *scratch;                /* the line being made */
};

static void
row_free (gpointer data)
{
  Row *r = data;

  g_free (r->uid);
  g_free (r->mrn);
  g_free (r);
}

static void
cached_assessment_clear (gpointer data)
{
  g_free (((CachedAssessment *) data)->uid);
}

static void
cached_patient_free (gpointer data)
{
  CachedPatient *p = data;

  g_array_unref (p->courses);
  g_array_unref (p->infusions);
  g_array_unref (p->assessments);
  g_free (p);
}

static CachedPatient *
cached_patient_new (gint32 birth_day)
{
  CachedPatient *p = g_new0 (CachedPatient, 1);

  p->birth_day = birth_day;
  p->courses = g_array_new (FALSE, FALSE, sizeof (CachedCourse));
  p->infusions = g_array_new (FALSE, FALSE, sizeof (CachedInfusion));
  p->assessments = g_array_new (FALSE, FALSE, sizeof (CachedAssessment));
  g_array_set_clear_func (p->assessments, cached_assessment_clear);
  return p;
}

void
traj_store_deferred_free (TrajBulkDeferred *d)
{
  if (d == NULL)
    return;
  for (guint t = 0; t < TRAJ_DB_N_TABLES; t++)
    {
      g_ptr_array_unref (d->rows[t]);
      g_array_unref (d->ids[t]);
    }
  g_hash_table_destroy (d->patients);
  if (d->scratch)
    g_string_free (d->scratch, TRUE);
  g_free (d);
}

gboolean
traj_store_deferred (TrajStore *self)
{
  return self->deferred != NULL;
}

/* ---- the public switch ------------------------------------------------------ */

void
traj_bulk_defer (TrajStore           *store,
                 TrajBulkProblemFunc  func,
                 gpointer             user_data)
{
  TrajBulkDeferred *d;

  g_return_if_fail (TRAJ_IS_STORE (store));
  g_return_if_fail (store->bulk);
  g_return_if_fail (func != NULL);

  if (traj_db_engine (store->db) != TRAJ_DB_POSTGRES || store->deferred)
    return;
  d = g_new0 (TrajBulkDeferred, 1);
  d->func = func;
  d->data = user_data;
  for (guint t = 0; t < TRAJ_DB_N_TABLES; t++)
    {
      d->rows[t] = g_ptr_array_new_with_free_func (row_free);
      d->ids[t] = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  d->patients = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, cached_patient_free);
  store->deferred = d;
}

void
traj_bulk_set_tag (TrajStore *store,
                   gint64     tag)
{
  g_return_if_fail (TRAJ_IS_STORE (store));
  if (store->deferred)
    store->deferred->tag = tag;
}

/* ---- ids ---------------------------------------------------------------------- */

static gboolean
next_id (TrajStore *self, TrajDbTable t, gint64 *id, GError **error)
{
  TrajBulkDeferred *d = self->deferred;

  if (d->ids[t]->len == 0)
    {
      /* Ids come from the table's own sequence, so other devices writing at
       * the same time never get one of them. */
      g_autofree char *sql = g_strdup_printf ("SELECT nextval (pg_get_serial_sequence ('%s', 'id')) "
                                              "FROM generate_series (1, %d)", tables[t].name, RESERVE_IDS);
      PGconn *conn = traj_db_pg_conn (self->db);
      PGresult *res = PQexec (conn, sql);

      if (PQresultStatus (res) != PGRES_TUPLES_OK)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Database error in %s: %s"),
                       traj_db_name (self->db), PQresultErrorMessage (res));
          PQclear (res);
          return FALSE;
        }
      /* Handed out from the end of the array: keep them in reverse. */
      for (int k = PQntuples (res) - 1; k >= 0; k--)
        {
          gint64 v = g_ascii_strtoll (PQgetvalue (res, k, 0), NULL, 10);
          g_array_append_val (d->ids[t], v);
        }
      PQclear (res);
    }
  *id = g_array_index (d->ids[t], gint64, d->ids[t]->len - 1);
  g_array_set_size (d->ids[t], d->ids[t]->len - 1);
  return TRUE;
}

/* ---- buffering ------------------------------------------------------------------ */

gboolean
traj_store_defer_row (TrajStore           *self,
                      TrajDbTable            t,
                      const TrajDbValues  *v,
                      const char          *uid,
                      const char          *mrn,
                      gint64               parent,
                      gint64              *id,
                      GError             **error)
{
  TrajBulkDeferred *d = self->deferred;
  gint64 row_id = 0;
  Row *r;

  /* One allocation per row: most rows are questionnaire items, millions
   * of them in a clinic's import. */
  if (tables[t].has_id && !next_id (self, t, &row_id, error))
    return FALSE;
  if (d->scratch == NULL)
    d->scratch = g_string_sized_new (256);
  g_string_truncate (d->scratch, 0);
  traj_db_values_copy_line (v, row_id, d->scratch);
  r = g_malloc (sizeof (Row) + d->scratch->len + 1);
  memcpy (r->line, d->scratch->str, d->scratch->len + 1);
  r->id = row_id;
  r->parent = parent;
  r->tag = d->tag;
  r->uid = g_strdup (uid);
  r->mrn = g_strdup (mrn);
  g_ptr_array_add (d->rows[t], r);
  if (id)
    *id = r->id;
  if (++d->n_rows >= FLUSH_ROWS)
    return traj_bulk_flush (self, error);
  return TRUE;
}

/* ---- flush ------------------------------------------------------------------------ */

static char *
array_literal (GPtrArray *values)
{
  GString *out = g_string_new ("{");

  for (guint k = 0; k < values->len; k++)
    {
      const char *s = g_ptr_array_index (values, k);

      if (k > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '"');
      for (; *s; s++)
        {
          if (*s == '"' || *s == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *s);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* Which of @values the clinic holds already in @column of @table. */
static GHashTable *
existing (TrajStore *self, const char *table, const char *column, GPtrArray *values, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE %s = ANY ($1::text[])", column, table, column);
  g_autofree char *array = array_literal (values);
  const char *params[1] = { array };
  PGconn *conn = traj_db_pg_conn (self->db);
  PGresult *res = PQexecParams (conn, sql, 1, NULL, params, NULL, NULL, 0);
  GHashTable *found;

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Database error in %s: %s"),
                   traj_db_name (self->db), PQresultErrorMessage (res));
      PQclear (res);
      return NULL;
    }
  found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int k = 0; k < PQntuples (res); k++)
    g_hash_table_add (found, g_strdup (PQgetvalue (res, k, 0)));
  PQclear (res);
  return found;
}

static void
report (TrajBulkDeferred *d, Row *r, GError *e)
{
  d->func (r->tag, r->uid, e, d->data);
  g_error_free (e);
}

/* Rows of @t whose uid (or MRN) is taken, by the clinic or by an earlier
 * row of the batch, are reported and dropped; their ids go to @dropped. */
static gboolean
drop_conflicts (TrajStore *self, TrajDbTable t, GHashTable *parent_dropped, GHashTable *dropped, GError **error)
{
  TrajBulkDeferred *d = self->deferred;
  GPtrArray *rows = d->rows[t];
  g_autoptr(GPtrArray) uids = g_ptr_array_new ();
  g_autoptr(GPtrArray) mrns = g_ptr_array_new ();
  g_autoptr(GHashTable) uid_taken = NULL, mrn_taken = NULL;
  g_autoptr(GHashTable) seen_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen_mrn = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (row_free);

  for (guint k = 0; k < rows->len; k++)
    {
      Row *r = g_ptr_array_index (rows, k);
      if (r->uid)
        g_ptr_array_add (uids, r->uid);
      if (r->mrn)
        g_ptr_array_add (mrns, r->mrn);
    }
  if (uids->len > 0 && (uid_taken = existing (self, tables[t].name, "uid", uids, error)) == NULL)
    return FALSE;
  if (mrns->len > 0 && (mrn_taken = existing (self, "patient", "mrn", mrns, error)) == NULL)
    return FALSE;

  for (guint k = 0; k < rows->len; k++)
    {
      Row *r = g_ptr_array_index (rows, k);
      gboolean drop = FALSE;

      if (parent_dropped && g_hash_table_contains (parent_dropped, &r->parent))
        drop = TRUE;   /* its parent was not written: already reported */
      else if (r->mrn && (g_hash_table_contains (mrn_taken, r->mrn) || g_hash_table_contains (seen_mrn, r->mrn)))
        {
          report (d, r, g_error_new (TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE,
                                     _("MRN %s is already used by another patient."), r->mrn));
          drop = TRUE;
        }
      else if (r->uid && (g_hash_table_contains (uid_taken, r->uid) || g_hash_table_contains (seen_uid, r->uid)))
        {
          report (d, r, g_error_new (TRAJ_ERROR, TRAJ_ERROR_INVALID,
                                     _("uid %s is already used by another %s record."), r->uid, tables[t].name));
          drop = TRUE;
        }
      if (drop)
        {
          if (tables[t].has_id)
            g_hash_table_add (dropped, g_memdup2 (&r->id, sizeof r->id));
          continue;
        }
      if (r->uid)
        g_hash_table_add (seen_uid, r->uid);
      if (r->mrn)
        g_hash_table_add (seen_mrn, r->mrn);
      g_ptr_array_add (keep, g_steal_pointer (&rows->pdata[k]));
    }
  g_ptr_array_set_free_func (rows, NULL);
  g_ptr_array_set_size (rows, 0);
  g_ptr_array_set_free_func (rows, row_free);
  g_ptr_array_extend_and_steal (rows, g_steal_pointer (&keep));
  return TRUE;
}

static gboolean
copy_rows (TrajStore *self, TrajDbTable t, GError **error)
{
  TrajBulkDeferred *d = self->deferred;
  PGconn *conn = traj_db_pg_conn (self->db);
  g_autofree char *sql = g_strdup_printf ("COPY %s (%s%s) FROM STDIN", tables[t].name,
                                          tables[t].has_id ? "id, " : "", tables[t].columns);
  GString *chunk = g_string_sized_new (1 << 16);
  PGresult *res = PQexec (conn, sql);
  gboolean ok = PQresultStatus (res) == PGRES_COPY_IN;

  PQclear (res);
  for (guint k = 0; ok && k < d->rows[t]->len; k++)
    {
      Row *r = g_ptr_array_index (d->rows[t], k);

      g_string_append (chunk, r->line);
      if (chunk->len >= (1 << 16) || k + 1 == d->rows[t]->len)
        {
          ok = PQputCopyData (conn, chunk->str, chunk->len) == 1;
          g_string_truncate (chunk, 0);
        }
    }
  g_string_free (chunk, TRUE);
  if (PQputCopyEnd (conn, ok ? NULL : "copy failed") != 1)
    ok = FALSE;
  while ((res = PQgetResult (conn)) != NULL)
    {
      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        {
          if (ok)
            g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                         _("Could not write the imported rows to %s: %s"), traj_db_name (self->db),
                         PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY));
          ok = FALSE;
        }
      PQclear (res);
    }
  if (!ok && error && *error == NULL)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Could not write the imported rows to %s: %s"),
                 traj_db_name (self->db), PQerrorMessage (conn));
  g_ptr_array_set_size (d->rows[t], 0);
  return ok;
}

gboolean
traj_bulk_flush (TrajStore  *store,
                 GError    **error)
{
  TrajBulkDeferred *d;
  GHashTable *dropped[TRAJ_DB_N_TABLES] = { NULL };
  gboolean ok = TRUE;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  d = store->deferred;
  if (d == NULL || d->n_rows == 0)
    return TRUE;
  for (guint t = 0; t < TRAJ_DB_N_TABLES; t++)
    dropped[t] = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  /* Parents first: a child of a dropped row is dropped too, and every
   * row's parent is in the clinic when its COPY runs. */
  for (guint t = 0; t < TRAJ_DB_N_TABLES; t++)
    {
      GHashTable *parents = tables[t].parent < TRAJ_DB_N_TABLES ? dropped[tables[t].parent] : NULL;

      if (!ok || d->rows[t]->len == 0)
        continue;
      ok = drop_conflicts (store, t, parents, dropped[t], error) &&
           (d->rows[t]->len == 0 || copy_rows (store, t, error));
    }
  for (guint t = 0; t < TRAJ_DB_N_TABLES; t++)
    {
      g_ptr_array_set_size (d->rows[t], 0);
      g_hash_table_destroy (dropped[t]);
    }
  d->n_rows = 0;
  return ok;
}

/* ---- what the date rules need ---------------------------------------------------- */

void
traj_store_deferred_note_patient (TrajStore *self, const TrajPatient *p)
{
  gint64 *key = g_memdup2 (&p->id, sizeof p->id);

  g_hash_table_replace (self->deferred->patients, key, cached_patient_new (p->birth_day));
}

static CachedPatient *
cached (TrajStore *self, gint64 patient_id)
{
  return g_hash_table_lookup (self->deferred->patients, &patient_id);
}

void
traj_store_deferred_note_course (TrajStore *self, const TrajCourse *c)
{
  CachedPatient *p = cached (self, c->patient_id);
  CachedCourse cc = { c->id, c->start_day, c->end_day, c->status };

  if (p)
    g_array_append_val (p->courses, cc);
}

void
traj_store_deferred_note_infusion (TrajStore *self, const TrajInfusion *i)
{
  CachedPatient *p = cached (self, i->patient_id);
  CachedInfusion ci = { i->id, i->started_at, i->course_id, i->medicine };

  if (p)
    g_array_append_val (p->infusions, ci);
}

void
traj_store_deferred_note_assessment (TrajStore *self, const TrajAssessment *a)
{
  CachedPatient *p = cached (self, a->patient_id);
  CachedAssessment ca = { a->id, a->scale, a->taken_at, a->total, NULL };

  if (p && a->complete)
    {
      ca.uid = g_strdup (a->uid);
      g_array_append_val (p->assessments, ca);
    }
}

/* A patient the import did not create: flush, then read what the rules
 * need of theirs; from then on the writes keep it current. */
static CachedPatient *
load_patient (TrajStore *self, gint64 patient_id, GError **error)
{
  static const char birth_sql[] = "SELECT birth_date FROM patient WHERE id = ?1";
  static const char courses_sql[] =
    "SELECT id, start_date, end_date, status FROM course WHERE patient_id = ?1 AND deleted_at IS NULL";
  static const char infusions_sql[] =
    "SELECT id, started_at, course_id, medicine FROM infusion WHERE patient_id = ?1 AND deleted_at IS NULL";
  static const char assessments_sql[] =
    "SELECT id, scale, taken_at, total, uid FROM assessment WHERE patient_id = ?1 AND complete = 1 "
    "AND deleted_at IS NULL";
  CachedPatient *p;
  TrajDbStmt *stmt;
  TrajDbStep rc;
  gboolean found = FALSE;

  if (!traj_bulk_flush (self, error))
    return NULL;
  stmt = traj_db_prepare (self->db, birth_sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, patient_id);
  if (!traj_db_step_row (stmt, &found, error))
    return NULL;
  p = cached_patient_new (found ? traj_db_column_day (stmt, 0) : TRAJ_DAY_NONE);
  traj_db_reset (stmt);
  g_hash_table_replace (self->deferred->patients, g_memdup2 (&patient_id, sizeof patient_id), p);
  if (!found)
    return p;

  stmt = traj_db_prepare (self->db, courses_sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, patient_id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      CachedCourse cc = { traj_db_column_int64 (stmt, 0), traj_db_column_day (stmt, 1),
                          traj_db_column_day (stmt, 2), TRAJ_COURSE_INDUCTION };
      if (!traj_course_status_from_string (traj_db_column_text (stmt, 3), &cc.status))
        cc.status = TRAJ_COURSE_INDUCTION;
      g_array_append_val (p->courses, cc);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;

  stmt = traj_db_prepare (self->db, infusions_sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, patient_id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      CachedInfusion ci = { traj_db_column_int64 (stmt, 0), traj_db_column_int64 (stmt, 1),
                            traj_db_column_int64 (stmt, 2), TRAJ_MEDICINE_KETAMINE };
      traj_medicine_from_string (traj_db_column_text (stmt, 3), &ci.medicine);
      g_array_append_val (p->infusions, ci);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;

  stmt = traj_db_prepare (self->db, assessments_sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, patient_id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      const TrajScale *scale = traj_scale_lookup (traj_db_column_text (stmt, 1));
      CachedAssessment ca = { traj_db_column_int64 (stmt, 0), scale ? scale->id : TRAJ_SCALE_NONE,
                              traj_db_column_int64 (stmt, 2), traj_db_column_int_or (stmt, 3, -1),
                              traj_db_column_dup (stmt, 4) };
      g_array_append_val (p->assessments, ca);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return p;
}

gboolean
traj_store_deferred_infusion_context (TrajStore           *self,
                                      const TrajInfusion  *i,
                                      TrajInfusionContext *ctx,
                                      TrajCourse          *course,
                                      GError             **error)
{
  CachedPatient *p = cached (self, i->patient_id);
  gint64 window = TRAJ_NEAR_INFUSION_MINUTES * 60;
  gint64 before = TRAJ_TIME_NONE, after = TRAJ_TIME_NONE;

  if (p == NULL && (p = load_patient (self, i->patient_id, error)) == NULL)
    return FALSE;
  ctx->birth_day = p->birth_day;
  ctx->course = NULL;
  ctx->nearest_infusion_at = TRAJ_TIME_NONE;
  ctx->other_medicine = -1;
  for (guint k = 0; k < p->courses->len && i->course_id > 0; k++)
    {
      CachedCourse *cc = &g_array_index (p->courses, CachedCourse, k);
      if (cc->id == i->course_id)
        {
          course->id = cc->id;
          course->start_day = cc->start_day;
          course->end_day = cc->end_day;
          course->status = cc->status;
          ctx->course = course;
          break;
        }
    }
  /* As TRAJ_INFUSION_CONTEXT_SQL: the latest in [t - window, t] and the
   * earliest in [t, t + window], other than this infusion; the nearer of
   * the two, the one before on a tie. */
  for (guint k = 0; k < p->infusions->len; k++)
    {
      CachedInfusion *ci = &g_array_index (p->infusions, CachedInfusion, k);

      if (ci->id == i->id)
        continue;
      if (i->course_id > 0 && ci->course_id == i->course_id && ci->medicine != i->medicine &&
          ctx->other_medicine < 0)
        ctx->other_medicine = ci->medicine;
      if (ci->at >= i->started_at - window && ci->at <= i->started_at &&
          (before == TRAJ_TIME_NONE || ci->at > before))
        before = ci->at;
      if (ci->at >= i->started_at && ci->at <= i->started_at + window &&
          (after == TRAJ_TIME_NONE || ci->at < after))
        after = ci->at;
    }
  ctx->nearest_infusion_at = before;
  if (after != TRAJ_TIME_NONE &&
      (before == TRAJ_TIME_NONE || ABS (after - i->started_at) < ABS (before - i->started_at)))
    ctx->nearest_infusion_at = after;
  return TRUE;
}

gboolean
traj_store_deferred_birth_day (TrajStore *self, gint64 patient_id, gint32 *birth_day, GError **error)
{
  CachedPatient *p = cached (self, patient_id);

  if (p == NULL && (p = load_patient (self, patient_id, error)) == NULL)
    return FALSE;
  *birth_day = p->birth_day;
  return TRUE;
}

gboolean
traj_store_deferred_assessment_context (TrajStore             *self,
                                        const TrajAssessment  *a,
                                        gint64                 minute,
                                        gint32                *birth_day,
                                        TrajAssessment       **other,
                                        GError               **error)
{
  CachedPatient *p = cached (self, a->patient_id);
  CachedAssessment *best = NULL;

  *other = NULL;
  if (p == NULL && (p = load_patient (self, a->patient_id, error)) == NULL)
    return FALSE;
  *birth_day = p->birth_day;
  for (guint k = 0; k < p->assessments->len; k++)
    {
      CachedAssessment *ca = &g_array_index (p->assessments, CachedAssessment, k);

      if (ca->id == a->id || ca->scale != a->scale || ca->taken_at < minute || ca->taken_at > minute + 59)
        continue;
      if (best == NULL || ca->taken_at < best->taken_at)
        best = ca;
    }
  if (best && a->complete)
    {
      *other = traj_assessment_new (a->scale);
      (*other)->uid = g_strdup (best->uid);
      (*other)->taken_at = best->taken_at;
      (*other)->total = best->total;
      (*other)->complete = TRUE;
    }
  return TRUE;
}
