/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A patient's records, and every patient's streamed (cohorts, exports). */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-outcomes.h"
#include "traj-scale.h"
#include "traj-store-private.h"

/* Six ordered streams (patients, courses, infusions+vitals,
 * assessments+items, decisions, medications) walked side by side, one
 * patient at a time: a constant number of queries whether one patient or
 * the whole clinic. */
#define N_STREAMS 6
/* A server's cohort read (traj-store-cohort-pg.c) has the vital signs in a
 * stream of their own, S_VITAL, and looks the safety answers up
 * (TrajStoreStreams). */
typedef struct {
  TrajDbStmt *stmt[N_STREAMS + 1];
  TrajDbStep rc[N_STREAMS + 1];
  GError *error;
  gboolean course_age;      /* the course rows end with the age at start */
  gboolean cohort;          /* SQLite's cohort read: its own row readers */
  TrajStoreAssessmentFunc assessment_read;
  gpointer assessment_data;
} Streams;

enum { S_PATIENT, S_COURSE, S_INFUSION, S_ASSESSMENT, S_DECISION, S_MEDICATION, S_VITAL };

#define LIVE_INFUSIONS "FROM infusion i LEFT JOIN vital_sign v ON v.infusion_id = i.id WHERE i.deleted_at IS NULL "
#define LIVE_ASSESSMENTS "FROM assessment a LEFT JOIN assessment_item ai ON ai.assessment_id = a.id WHERE a.deleted_at IS NULL "

/* Medicines by start day, an unknown start first (coalesce: the same order
 * on SQLite and PostgreSQL, which put NULL at opposite ends). */

static const char *one_patient_sql[N_STREAMS] = {
  "SELECT " TRAJ_PATIENT_COLS " FROM patient WHERE id = ?1 AND deleted_at IS NULL",
  "SELECT " TRAJ_COURSE_COLS " FROM course WHERE patient_id = ?1 AND deleted_at IS NULL ORDER BY patient_id, start_date, id",
  "SELECT " TRAJ_INFUSION_COLS ", " TRAJ_VITAL_COLS " " LIVE_INFUSIONS "AND i.patient_id = ?1 "
  "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id",
  "SELECT " TRAJ_ASSESSMENT_COLS ", ai.item, ai.value " LIVE_ASSESSMENTS "AND a.patient_id = ?1 "
  "ORDER BY a.patient_id, a.taken_at, a.id",
  "SELECT " TRAJ_DECISION_COLS " FROM flag_decision WHERE patient_id = ?1 AND deleted_at IS NULL ORDER BY patient_id, decided_at, id",
  "SELECT " TRAJ_MEDICATION_COLS " FROM medication WHERE patient_id = ?1 AND deleted_at IS NULL" TRAJ_MEDICATION_ORDER,
};

static const char *all_patients_sql[N_STREAMS] = {
  "SELECT " TRAJ_PATIENT_COLS " FROM patient WHERE deleted_at IS NULL ORDER BY id",
  "SELECT " TRAJ_COURSE_COLS " FROM course WHERE deleted_at IS NULL ORDER BY patient_id, start_date, id",
  "SELECT " TRAJ_INFUSION_COLS ", " TRAJ_VITAL_COLS " " LIVE_INFUSIONS "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id",
  "SELECT " TRAJ_ASSESSMENT_COLS ", ai.item, ai.value " LIVE_ASSESSMENTS "ORDER BY a.patient_id, a.taken_at, a.id",
  "SELECT " TRAJ_DECISION_COLS " FROM flag_decision WHERE deleted_at IS NULL ORDER BY patient_id, decided_at, id",
  "SELECT " TRAJ_MEDICATION_COLS " FROM medication WHERE deleted_at IS NULL" TRAJ_MEDICATION_ORDER,
};

enum { READ_ALL, READ_COHORT, N_READS };

/* The vital signs the cohort reads: only the readings that cross one of
 * the clinic's limits, the tests of traj_vital_sign_monitoring_events ()
 * (which the engine makes again on what it gets). The engine looks at
 * vital signs for nothing else, and most readings cross no limit: at
 * 10,000 patients 2,490 of 360,878 with the default limits. The limits are
 * whole numbers, written into the SQL. */
#define VITAL_LIMITS "AND (v.systolic >= %d OR v.diastolic >= %d OR v.heart_rate > %d OR v.spo2 < %d " \
  "OR v.systolic < %d OR v.heart_rate < %d OR v.resp_rate < %d) "

/* The clinic scan limited to patient ids in [?1, ?2]: the same six
 * streams with a range condition. */
static void
make_range_sql (const char **all, const char **sql)
{
  static const char *column[N_STREAMS] = { "id", "patient_id", "i.patient_id", "a.patient_id", "patient_id",
                                           "patient_id" };

  for (guint k = 0; k < N_STREAMS; k++)
    {
      const char *order = strstr (all[k], " ORDER BY");
      g_autofree char *head = g_strndup (all[k], order - all[k]);
      sql[k] = g_strdup_printf ("%s AND %s BETWEEN ?1 AND ?2%s", head, column[k], order);
    }
}

/* "ai.item = CASE a.scale WHEN 'phq9' THEN 9 END": no row for a scale
 * without a safety item. */
static const char *
safety_item_sql (void)
{
  static const char *text;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      GString *safety = g_string_new ("CASE a.scale");
      guint n = 0;

      for (guint k = 0; k < TRAJ_N_SCALES; k++)
        {
          const TrajScale *scale = traj_scale_get ((TrajScaleId) k);
          if (scale && scale->safety_item > 0)
            {
              g_string_append_printf (safety, " WHEN '%s' THEN %u", scale->code, scale->safety_item);
              n++;
            }
        }
      g_string_append (safety, n > 0 ? " END" : " WHEN '' THEN 0 END");
      text = g_string_free (safety, FALSE);
      g_once_init_leave (&once, 1);
    }
  return text;
}

typedef struct {
  const char *sql[2][N_STREAMS];    /* the whole clinic; an id range */
} CohortSql;

/* The cohort read for one set of limits, made the first time it is asked
 * for and kept for the program's life (the statements cached by their
 * text's address stay valid; a clinic changes its limits rarely). On
 * SQLite: a server reads through traj-store-cohort-pg.c. */
static const CohortSql *
cohort_sql (const TrajThresholds *t)
{
  static GMutex lock;
  static GHashTable *made;   /* key text → CohortSql* */
  g_autofree char *key = g_strdup_printf ("%d/%d/%d/%d/%d/%d/%d", t->systolic_max, t->diastolic_max,
                                          t->heart_rate_max, t->spo2_min, t->systolic_min, t->heart_rate_min,
                                          t->resp_rate_min);
  CohortSql *c;

  g_mutex_lock (&lock);
  if (made == NULL)
    made = g_hash_table_new (g_str_hash, g_str_equal);
  c = g_hash_table_lookup (made, key);
  if (c == NULL)
    {
      const char **sql;
      g_autofree char *limits = g_strdup_printf (VITAL_LIMITS, t->systolic_max, t->diastolic_max,
                                                 t->heart_rate_max, t->spo2_min, t->systolic_min,
                                                 t->heart_rate_min, t->resp_rate_min);

      c = g_new0 (CohortSql, 1);
      sql = c->sql[0];
      sql[S_PATIENT] = "SELECT " TRAJ_COHORT_PATIENT_COLS " FROM patient WHERE deleted_at IS NULL ORDER BY id";
      sql[S_COURSE] = "SELECT " TRAJ_COHORT_COURSE_COLS " FROM course WHERE deleted_at IS NULL "
                      "ORDER BY patient_id, start_date, id";
      sql[S_INFUSION] = g_strdup_printf ("SELECT " TRAJ_COHORT_INFUSION_COLS ", " TRAJ_VITAL_COLS " FROM infusion i "
                                         "LEFT JOIN vital_sign v ON v.infusion_id = i.id %s"
                                         "WHERE i.deleted_at IS NULL "
                                         "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id", limits);
      sql[S_ASSESSMENT] = g_strdup_printf ("SELECT " TRAJ_COHORT_ASSESSMENT_COLS ", ai.item, ai.value FROM assessment a "
                                           "LEFT JOIN assessment_item ai ON ai.assessment_id = a.id AND ai.item = %s "
                                           "WHERE a.deleted_at IS NULL ORDER BY a.patient_id, a.taken_at, a.id",
                                           safety_item_sql ());
      sql[S_DECISION] = "SELECT " TRAJ_COHORT_DECISION_COLS " FROM flag_decision WHERE deleted_at IS NULL "
                        "ORDER BY patient_id, decided_at, id";
      sql[S_MEDICATION] = "SELECT " TRAJ_COHORT_MEDICATION_COLS " FROM medication WHERE deleted_at IS NULL"
                          TRAJ_MEDICATION_ORDER;
      make_range_sql (c->sql[0], c->sql[1]);
      g_hash_table_insert (made, g_steal_pointer (&key), c);
    }
  g_mutex_unlock (&lock);
  return c;
}

const char **
traj_store_cohort_sql (void)
{
  TrajThresholds t;

  traj_thresholds_init_defaults (&t);
  return (const char **) cohort_sql (&t)->sql[0];
}

const char **
traj_store_one_patient_sql (void)
{
  return one_patient_sql;
}

const char **
traj_store_all_patients_sql (void)
{
  return all_patients_sql;
}

/* Column holding patient_id in each stream. */
static const int patient_col[N_STREAMS + 1] = { 0, 2, 2, 2, 2, 2, 0 };
/* In the vital signs' own stream: patient id, infusion id, the vital. */
#define VITAL_BASE 2

static void
stream_step (Streams *s, guint k)
{
  s->rc[k] = traj_db_step (s->stmt[k], s->error ? NULL : &s->error);
}

static gboolean
streams_open (TrajStore *self, Streams *s, const char **sql, gboolean cursor,
              gint64 first_id, gint64 last_id, GError **error)
{
  for (guint k = 0; k < N_STREAMS; k++)
    {
      s->stmt[k] = cursor ? traj_db_prepare_cursor (self->db, sql[k], error)
                          : traj_db_prepare (self->db, sql[k], error);
      if (s->stmt[k] == NULL)
        return FALSE;
      if (first_id > 0)
        traj_db_bind_int64 (s->stmt[k], 1, first_id);
      if (last_id > 0)
        traj_db_bind_int64 (s->stmt[k], 2, last_id);
      stream_step (s, k);
    }
  return TRUE;
}

static void
streams_close (Streams *s)
{
  for (guint k = 0; k <= S_VITAL; k++)
    if (s->stmt[k])
      traj_db_reset (s->stmt[k]);
  g_clear_error (&s->error);
}

static gboolean
streams_error (Streams *s, GError **error)
{
  for (guint k = 0; k <= S_VITAL; k++)
    if (s->stmt[k] && s->rc[k] == TRAJ_DB_FAILED)
      {
        g_propagate_error (error, g_steal_pointer (&s->error));
        return TRUE;
      }
  return FALSE;
}

static gboolean
stream_at (Streams *s, guint k, gint64 patient_id)
{
  return s->stmt[k] && s->rc[k] == TRAJ_DB_ROW && traj_db_column_int64 (s->stmt[k], patient_col[k]) == patient_id;
}

/* Reads the current patient row and everything of theirs from the other
 * streams, leaving each stream on the next patient's first row. */
static TrajPatientRecords *
streams_next (Streams *s)
{
  TrajPatientRecords *r;
  gint64 pid;

  if (s->rc[S_PATIENT] != TRAJ_DB_ROW)
    return NULL;
  r = traj_patient_records_new ();
  r->patient = traj_store_read_patient (s->stmt[S_PATIENT]);
  pid = r->patient->id;
  stream_step (s, S_PATIENT);

  /* Skip rows of patients that are not live (hidden patients). */
  for (guint k = S_COURSE; k <= S_VITAL; k++)
    while (s->stmt[k] && s->rc[k] == TRAJ_DB_ROW && traj_db_column_int64 (s->stmt[k], patient_col[k]) < pid)
      stream_step (s, k);

  while (stream_at (s, S_COURSE, pid))
    {
      TrajCourse *c = traj_store_read_course (s->stmt[S_COURSE]);

      if (s->course_age && !traj_db_column_is_null (s->stmt[S_COURSE], 13))
        c->age_at_start = traj_db_column_int (s->stmt[S_COURSE], 13);
      g_ptr_array_add (r->courses, c);
      stream_step (s, S_COURSE);
    }
  while (stream_at (s, S_INFUSION, pid))
    {
      TrajInfusion *i = s->cohort ? traj_store_read_infusion_narrow (s->stmt[S_INFUSION])
                                  : traj_store_read_infusion (s->stmt[S_INFUSION]);
      g_ptr_array_add (r->infusions, i);
      if (s->stmt[S_VITAL])
        {
          /* Their own stream, in the infusions' order. */
          stream_step (s, S_INFUSION);
          while (stream_at (s, S_VITAL, pid) && traj_db_column_int64 (s->stmt[S_VITAL], 1) == i->id)
            {
              traj_store_read_vital_into (s->stmt[S_VITAL], VITAL_BASE, i);
              stream_step (s, S_VITAL);
            }
          continue;
        }
      do
        {
          traj_store_read_vital_into (s->stmt[S_INFUSION], TRAJ_N_INFUSION_COLS, i);
          stream_step (s, S_INFUSION);
        }
      while (s->rc[S_INFUSION] == TRAJ_DB_ROW && traj_db_column_int64 (s->stmt[S_INFUSION], 0) == i->id);
    }
  while (stream_at (s, S_ASSESSMENT, pid))
    {
      TrajAssessment *a = s->cohort ? traj_store_read_assessment_narrow (s->stmt[S_ASSESSMENT])
                                    : traj_store_read_assessment (s->stmt[S_ASSESSMENT]);
      g_ptr_array_add (r->assessments, a);
      if (s->assessment_read)
        {
          s->assessment_read (a, s->assessment_data);
          stream_step (s, S_ASSESSMENT);
          continue;
        }
      do
        {
          traj_store_read_item_into (s->stmt[S_ASSESSMENT], TRAJ_N_ASSESSMENT_COLS, a);
          stream_step (s, S_ASSESSMENT);
        }
      while (s->rc[S_ASSESSMENT] == TRAJ_DB_ROW && traj_db_column_int64 (s->stmt[S_ASSESSMENT], 0) == a->id);
    }
  while (stream_at (s, S_DECISION, pid))
    {
      g_ptr_array_add (r->decisions, traj_store_read_decision (s->stmt[S_DECISION]));
      stream_step (s, S_DECISION);
    }
  while (stream_at (s, S_MEDICATION, pid))
    {
      g_ptr_array_add (r->medications, traj_store_read_medication (s->stmt[S_MEDICATION]));
      stream_step (s, S_MEDICATION);
    }
  return r;
}

TrajPatientRecords *
traj_store_load_patient_records (TrajStore *self, gint64 patient_id, GError **error)
{
  Streams s = { 0 };
  TrajPatientRecords *r = NULL;
  gboolean began = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  /* A tablet's server login sees only its checked-in patient, and only
   * what the session shows (traj-store-kiosk.c). */
  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_session_records (self, patient_id, error);
  /* One read transaction so the six queries see the same snapshot. */
  if (!traj_store_read_begin (self, &began, error))
    return NULL;
  if (streams_open (self, &s, one_patient_sql, FALSE, patient_id, 0, error))
    {
      r = streams_next (&s);
      if (streams_error (&s, error))
        g_clear_pointer (&r, traj_patient_records_free);
      else if (r == NULL)
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("The patient no longer exists."));
    }
  streams_close (&s);
  traj_store_read_end (self, began);
  return r;
}

static const char **
all_range_sql (void)
{
  static const char *sql[N_STREAMS];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      make_range_sql (all_patients_sql, sql);
      g_once_init_leave (&once, 1);
    }
  return sql;
}

/* Hands each patient's records to @func, in patient order. */
static gboolean
walk (Streams        *s,
      TrajRecordsFunc func,
      gpointer        user_data,
      GCancellable   *cancellable,
      GError        **error)
{
  TrajPatientRecords *r;

  while ((r = streams_next (s)) != NULL)
    {
      gboolean go_on = func (r, user_data);
      traj_patient_records_free (r);
      if (!go_on)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return !streams_error (s, error);
}

static gboolean
foreach_records (TrajStore            *self,
                 guint                 read,
                 const TrajThresholds *t,
                 gint64                first_id,
                 gint64                last_id,
                 TrajRecordsFunc       func,
                 gpointer              user_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  Streams s = { 0 };
  gboolean ok = TRUE, began = FALSE;
  gboolean ranged = first_id > 0 || last_id > 0;
  const char **sql;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!traj_store_read_begin (self, &began, error))
    return FALSE;
  if (read == READ_ALL)
    sql = ranged ? all_range_sql () : all_patients_sql;
  else
    {
      sql = (const char **) cohort_sql (t)->sql[ranged];
      s.cohort = TRUE;
    }
  if (!streams_open (self, &s, sql, TRUE,
                     ranged ? first_id : 0, ranged ? (last_id > 0 ? last_id : G_MAXINT64) : 0, error))
    ok = FALSE;
  if (ok)
    ok = walk (&s, func, user_data, cancellable, error);
  streams_close (&s);
  traj_store_read_end (self, began);
  return ok;
}

gboolean
traj_store_walk_streams (const TrajStoreStreams *streams,
                         TrajRecordsFunc         func,
                         gpointer                user_data,
                         GCancellable           *cancellable,
                         GError                **error)
{
  Streams s = { { streams->patient, streams->course, streams->infusion, streams->assessment, streams->decision,
                  streams->medication, streams->vital } };
  gboolean ok;

  /* Only the cohort's read on a server comes here: its columns are the
   * narrow ones (TRAJ_COHORT_*_COLS), so are its row readers. */
  s.cohort = TRUE;
  s.course_age = streams->course_age;
  s.assessment_read = streams->assessment_read;
  s.assessment_data = streams->assessment_data;
  for (guint k = 0; k <= S_VITAL; k++)
    if (s.stmt[k])
      stream_step (&s, k);
  ok = walk (&s, func, user_data, cancellable, error);
  streams_close (&s);
  return ok;
}

gboolean
traj_store_foreach_patient_records (TrajStore      *self,
                                    TrajRecordsFunc func,
                                    gpointer        user_data,
                                    GCancellable   *cancellable,
                                    GError        **error)
{
  return foreach_records (self, READ_ALL, NULL, 0, 0, func, user_data, cancellable, error);
}

gboolean
traj_store_foreach_patient_records_range (TrajStore      *self,
                                          gint64          first_id,
                                          gint64          last_id,
                                          TrajRecordsFunc func,
                                          gpointer        user_data,
                                          GCancellable   *cancellable,
                                          GError        **error)
{
  return foreach_records (self, READ_ALL, NULL, MAX (first_id, 1), last_id, func, user_data, cancellable, error);
}

gboolean
traj_store_foreach_cohort_records (TrajStore            *self,
                                   const TrajThresholds *t,
                                   gint64                first_id,
                                   gint64                last_id,
                                   TrajRecordsFunc       func,
                                   gpointer              user_data,
                                   GCancellable         *cancellable,
                                   GError              **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (t != NULL, FALSE);

  if (traj_db_engine (self->db) == TRAJ_DB_POSTGRES)
    return traj_store_pg_foreach_cohort_records (self, t, !traj_store_can_read_identities (self),
                                                 first_id, last_id, func, user_data, cancellable, error);
  if (first_id <= 0 && last_id <= 0)
    return foreach_records (self, READ_COHORT, t, 0, 0, func, user_data, cancellable, error);
  return foreach_records (self, READ_COHORT, t, MAX (first_id, 1), last_id, func, user_data, cancellable, error);
}

gboolean
traj_store_patient_id_range (TrajStore *self, gint64 *min_id, gint64 *max_id, GError **error)
{
  static const char sql[] = "SELECT min(id), max(id) FROM patient WHERE deleted_at IS NULL";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  gboolean found = FALSE;

  *min_id = *max_id = 0;
  if (stmt == NULL)
    return FALSE;
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      *min_id = traj_db_column_int64 (stmt, 0);
      *max_id = traj_db_column_int64 (stmt, 1);
    }
  traj_db_reset (stmt);
  return TRUE;
}
