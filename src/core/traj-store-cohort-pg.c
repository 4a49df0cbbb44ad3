/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cohort's read on a clinic server (traj_store_foreach_cohort_records on
 * PostgreSQL): the rows the outcome engine reads, and only those.
 *
 * The SQLite read joins every vital sign to its infusion and each scale's
 * safety item to its assessment. On a server those two joins were most of
 * the time (the whole of assessment_item scanned, 360 k vitals sorted, and
 * again for each reader's id range), for rows the engine drops: it reads a
 * vital sign only when it crosses a monitoring limit
 * (traj_vital_sign_monitoring_events) and a safety item only when it is 1 or
 * more (traj_scale_safety_answer). So here the infusions and assessments
 * come alone, each in its index's order; beside the infusions comes a small
 * stream of the vital signs over a limit (the limits are the read's
 * parameters), and the safety answers above 0 are read first, from a partial
 * index (postgres/019), into a sorted array the assessments look theirs up
 * in (a few hundred kilobytes for a big clinic). Seven ordered streams walked
 * side by side, one patient at a time; the records a patient gets hold every
 * row the engine uses, so its figures are the same. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include "traj-outcomes.h"
#include "traj-scale.h"
#include "traj-store-private.h"

enum { S_PATIENT, S_COURSE, S_INFUSION, S_VITAL, S_ASSESSMENT, S_DECISION, S_MEDICATION, N_STREAMS,
       S_SAFETY = N_STREAMS };

/* Every stream's rows lie in the patient id range ?1..?2. */
#define IN_RANGE(col) " AND " col " BETWEEN ?1 AND ?2 "

/* The vital signs over a limit: the rule of traj_vital_sign_monitoring_events
 * (a missing value crosses nothing), with the limits ?3..?9. */
#define VITAL_OVER \
  "(v.systolic >= ?3 OR v.diastolic >= ?4 OR (v.spo2 >= 0 AND v.spo2 < ?5) OR v.heart_rate > ?6 " \
  "OR (v.systolic >= 0 AND v.systolic < ?7) OR (v.heart_rate >= 0 AND v.heart_rate < ?8) " \
  "OR (v.resp_rate >= 0 AND v.resp_rate < ?9))"
/* The vitals stream: patient id, infusion id, then the vital's columns
 * (TrajStoreStreams). */
#define VITAL_SQL \
  "SELECT i.patient_id, i.id, " TRAJ_VITAL_COLS " FROM infusion i JOIN vital_sign v ON v.infusion_id = i.id " \
  "WHERE i.deleted_at IS NULL" IN_RANGE ("i.patient_id") "AND " VITAL_OVER " " \
  "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id"

/* A safety answer above 0 (of any scale whose safety item has that number). */
typedef struct {
  gint64 assessment_id;
  int item;
  int value;
} Safety;

/* [lead]: the seven streams, then the safety answers. A login that may not
 * read who the patients are (a lead's, postgres/011) reads no MRN or birth
 * date and takes the courses from course_cohort, with the age on their
 * start day. */
static const char **
cohort_pg_sql (gboolean lead)
{
  static const char *sql[2][N_STREAMS + 1];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      /* "item IN (9)": the safety items' numbers, which lets the server
       * answer from the partial index of postgres/019 alone. */
      GString *items = g_string_new (NULL);
      gboolean listed[TRAJ_MAX_ITEMS + 1] = { FALSE };
      char *safety;

      for (guint k = 0; k < TRAJ_N_SCALES; k++)
        {
          const TrajScale *scale = traj_scale_get ((TrajScaleId) k);

          if (scale == NULL || scale->safety_item == 0 || scale->safety_item > TRAJ_MAX_ITEMS)
            continue;
          if (!listed[scale->safety_item])
            g_string_append_printf (items, "%s%u", items->len ? ", " : "", scale->safety_item);
          listed[scale->safety_item] = TRUE;
        }
      if (items->len == 0)
        g_string_append (items, "0");
      safety = g_strdup_printf ("SELECT assessment_id, item, value FROM assessment_item "
                                "WHERE item IN (%s) AND value >= 1 ORDER BY assessment_id", items->str);
      for (guint lead_k = 0; lead_k < 2; lead_k++)
        {
          const char **s = sql[lead_k];

          s[S_PATIENT] = lead_k
            ? "SELECT " TRAJ_LEAD_PATIENT_COLS " FROM patient WHERE deleted_at IS NULL" IN_RANGE ("id") "ORDER BY id"
            : "SELECT " TRAJ_COHORT_PATIENT_COLS " FROM patient WHERE deleted_at IS NULL" IN_RANGE ("id") "ORDER BY id";
          s[S_COURSE] = lead_k
            ? "SELECT " TRAJ_COHORT_COURSE_COLS ", age_at_start FROM course_cohort WHERE deleted_at IS NULL"
              IN_RANGE ("patient_id") "ORDER BY patient_id, start_date, id"
            : "SELECT " TRAJ_COHORT_COURSE_COLS " FROM course WHERE deleted_at IS NULL"
              IN_RANGE ("patient_id") "ORDER BY patient_id, start_date, id";
          s[S_INFUSION] = "SELECT " TRAJ_COHORT_INFUSION_COLS " FROM infusion i WHERE i.deleted_at IS NULL"
                          IN_RANGE ("i.patient_id") "ORDER BY i.patient_id, i.started_at, i.id";
          s[S_VITAL] = VITAL_SQL;
          s[S_ASSESSMENT] = "SELECT " TRAJ_COHORT_ASSESSMENT_COLS " FROM assessment a WHERE a.deleted_at IS NULL"
                            IN_RANGE ("a.patient_id") "ORDER BY a.patient_id, a.taken_at, a.id";
          s[S_MEDICATION] = "SELECT " TRAJ_COHORT_MEDICATION_COLS " FROM medication WHERE deleted_at IS NULL"
                            IN_RANGE ("patient_id") TRAJ_MEDICATION_ORDER;
          s[S_SAFETY] = safety;
          s[S_DECISION] = "SELECT " TRAJ_COHORT_DECISION_COLS " FROM flag_decision WHERE deleted_at IS NULL"
                          IN_RANGE ("patient_id") "ORDER BY patient_id, decided_at, id";
        }
      g_string_free (items, TRUE);
      g_once_init_leave (&once, 1);
    }
  return sql[lead != FALSE];
}

const char **
traj_store_cohort_pg_sql (gboolean lead)
{
  return cohort_pg_sql (lead);
}

/* The assessment's safety answer above 0, if it has one. */
static void
add_safety (TrajAssessment *a, gpointer data)
{
  GArray *safety = data;
  guint lo = 0, hi = safety->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (safety, Safety, mid).assessment_id < a->id)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (; lo < safety->len && g_array_index (safety, Safety, lo).assessment_id == a->id; lo++)
    {
      const Safety *x = &g_array_index (safety, Safety, lo);

      if (traj_scale_is_safety_item (a->scale, x->item - 1))
        a->items[x->item - 1] = x->value;
    }
}

/* The safety answers above 0, by assessment id. */
static GArray *
read_safety (TrajStore *self, const char *sql, GError **error)
{
  g_autoptr(GArray) safety = g_array_new (FALSE, FALSE, sizeof (Safety));
  TrajDbStmt *stmt = traj_db_prepare_cursor (traj_store_get_connection (self), sql, error);
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      Safety x = { traj_db_column_int64 (stmt, 0), traj_db_column_int (stmt, 1), traj_db_column_int (stmt, 2) };

      if (x.item >= 1 && x.item <= TRAJ_MAX_ITEMS)
        g_array_append_val (safety, x);
    }
  traj_db_reset (stmt);
  return rc == TRAJ_DB_DONE ? g_steal_pointer (&safety) : NULL;
}

gboolean
traj_store_pg_foreach_cohort_records (TrajStore            *self,
                                      const TrajThresholds *t,
                                      gboolean              lead,
                                      gint64                first_id,
                                      gint64                last_id,
                                      TrajRecordsFunc       func,
                                      gpointer              user_data,
                                      GCancellable         *cancellable,
                                      GError              **error)
{
  TrajDb *db = traj_store_get_connection (self);
  const char **sql = cohort_pg_sql (lead);
  TrajDbStmt *stmt[N_STREAMS] = { NULL };
  g_autoptr(GArray) safety = NULL;
  gboolean ok, began = FALSE;

  if (!traj_store_read_begin (self, &began, error))
    return FALSE;
  /* A whole-clinic read: compiling it (JIT) costs more than it saves, and
   * the cohort runs two readers already (traj-cohort.c). */
  ok = traj_db_exec (db, "SET LOCAL jit = off", error) &&
       traj_db_exec (db, "SET LOCAL max_parallel_workers_per_gather = 0", error) &&
       (safety = read_safety (self, sql[S_SAFETY], error)) != NULL;
  for (guint k = 0; ok && k < N_STREAMS; k++)
    {
      stmt[k] = traj_db_prepare_cursor (db, sql[k], error);
      ok = stmt[k] != NULL;
      if (!ok)
        break;
      traj_db_bind_int64 (stmt[k], 1, MAX (first_id, 1));
      traj_db_bind_int64 (stmt[k], 2, last_id > 0 ? last_id : G_MAXINT64);
      if (k == S_VITAL)
        {
          traj_db_bind_int64 (stmt[k], 3, t->systolic_max);
          traj_db_bind_int64 (stmt[k], 4, t->diastolic_max);
          traj_db_bind_int64 (stmt[k], 5, t->spo2_min);
          traj_db_bind_int64 (stmt[k], 6, t->heart_rate_max);
          traj_db_bind_int64 (stmt[k], 7, t->systolic_min);
          traj_db_bind_int64 (stmt[k], 8, t->heart_rate_min);
          traj_db_bind_int64 (stmt[k], 9, t->resp_rate_min);
        }
    }
  if (ok)
    {
      TrajStoreStreams streams = {
        stmt[S_PATIENT], stmt[S_COURSE], stmt[S_INFUSION], stmt[S_ASSESSMENT], stmt[S_DECISION], stmt[S_MEDICATION],
        stmt[S_VITAL],
        lead, add_safety, safety,
      };
      ok = traj_store_walk_streams (&streams, func, user_data, cancellable, error);
    }
  else
    for (guint k = 0; k < N_STREAMS; k++)
      if (stmt[k])
        traj_db_reset (stmt[k]);
  traj_store_read_end (self, began);
  return ok;
}
