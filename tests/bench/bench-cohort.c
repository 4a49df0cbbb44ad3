/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A whole-clinic cohort, grouped by indication, on the cached 10,000-patient
 * demo clinic (bench-common.c makes it once per seed and size): the time from
 * the first read to the finished report, over several runs, against two
 * floors measured with the sqlite3 shell on the same file:
 *   - the five ordered streams traj_store_foreach_patient_records() reads
 *     (the same SELECTs as all_patients_sql in traj-store.c): no Trajectory
 *     code can read the clinic faster than SQLite returns these rows;
 *   - a plain-SQL "cohort" (courses, patients, infusions and assessments
 *     counted per indication in one GROUP BY): what SQL alone does when it
 *     needs no per-patient rules at all.
 * The first run warms the page cache and is not counted.
 * Usage: bench-cohort [RUNS] */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-common.h"
#include "traj-cohort.h"

#define PATIENT_COLS "id, uid, mrn, name, birth_date, sex, indication, notes, created_at, updated_at, deleted_at"
#define COURSE_COLS "id, uid, patient_id, indication, primary_scale, protocol, induction_length, start_date, " \
  "end_date, status, notes, deleted_at"
#define INFUSION_COLS "i.id, i.uid, i.patient_id, i.course_id, i.started_at, i.duration_min, i.route, i.medicine, " \
  "i.lot, i.phase, i.weight_kg, i.dose_mg_per_kg, i.total_mg, i.side_effects, i.side_effect_note, i.concomitant, " \
  "i.monitoring_min, i.ready_at, i.clinician, i.notes, i.deleted_at"
#define VITAL_COLS "v.id, v.uid, v.minute, v.systolic, v.diastolic, v.heart_rate, v.spo2, v.resp_rate"
#define ASSESSMENT_COLS "a.id, a.uid, a.patient_id, a.course_id, a.infusion_id, a.scale, a.taken_at, a.source, " \
  "a.timing, a.complete, a.total, a.difficulty, a.clinician, a.notes, a.deleted_at"
#define DECISION_COLS "id, uid, patient_id, course_id, kind, finding_key, fired_at, decision, note, decided_by, " \
  "decided_at, deleted_at"

/* count(*) and a sum over one text column make the shell step through every
 * row and read it, without the cost of printing millions of lines. */
static const char streams_sql[] =
  "SELECT count(*), sum(length(uid)) FROM (SELECT " PATIENT_COLS " FROM patient WHERE deleted_at IS NULL ORDER BY id);\n"
  "SELECT count(*), sum(length(uid)) FROM (SELECT " COURSE_COLS " FROM course WHERE deleted_at IS NULL "
  "ORDER BY patient_id, start_date, id);\n"
  "SELECT count(*), sum(length(uid)) FROM (SELECT " INFUSION_COLS ", " VITAL_COLS " FROM infusion i "
  "LEFT JOIN vital_sign v ON v.infusion_id = i.id WHERE i.deleted_at IS NULL "
  "ORDER BY i.patient_id, i.started_at, i.id, v.minute, v.id);\n"
  "SELECT count(*), sum(length(uid)) FROM (SELECT " ASSESSMENT_COLS ", ai.item, ai.value FROM assessment a "
  "LEFT JOIN assessment_item ai ON ai.assessment_id = a.id WHERE a.deleted_at IS NULL "
  "ORDER BY a.patient_id, a.taken_at, a.id);\n"
  "SELECT count(*), sum(length(uid)) FROM (SELECT " DECISION_COLS " FROM flag_decision WHERE deleted_at IS NULL "
  "ORDER BY patient_id, decided_at, id);\n";

static const char group_sql[] =
  "WITH inf AS (SELECT course_id, count(*) AS n FROM infusion WHERE deleted_at IS NULL GROUP BY course_id), "
  "ass AS (SELECT course_id, count(*) AS n, avg(total) AS m FROM assessment "
  "WHERE deleted_at IS NULL AND complete GROUP BY course_id) "
  "SELECT c.indication, count(*), count(DISTINCT c.patient_id), sum(inf.n), sum(ass.n), avg(ass.m) "
  "FROM course c JOIN patient p ON p.id = c.patient_id "
  "LEFT JOIN inf ON inf.course_id = c.id LEFT JOIN ass ON ass.course_id = c.id "
  "WHERE c.deleted_at IS NULL AND p.deleted_at IS NULL GROUP BY c.indication;\n";

static double
time_sql (const char *db, const char *sql, const char *dir, const char *name)
{
  g_autofree char *file = g_build_filename (dir, name, NULL);
  g_autofree char *cmd = NULL;

  if (!g_file_set_contents (file, sql, -1, NULL))
    return -1;
  cmd = g_strdup_printf ("sqlite3 -readonly '%s' < '%s' > /dev/null", db, file);
  return bench_time_command (cmd);
}

/* User and system time of every thread of this process, ms. */
static double
cpu_ms (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}

static void
report_floor (const char *what, GArray *ms)
{
  printf ("| %-44s | %9.2f | %9.2f | %-34s | %9s | %-22s |\n",
          what, bench_median (ms), bench_percentile (ms, 0.95), "(floor)", "", "");
}

int
main (int argc, char **argv)
{
  guint runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 9;
  double made = -1;
  guint64 rows = 0;
  g_autofree char *db = bench_clinic_path (BENCH_PATIENTS, &made, &rows);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(GArray) cohort_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) streams_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) group_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("bench-cohort-XXXXXX", NULL);
  TrajThresholds t;
  guint n_courses = 0, n_cohorts = 0;
  g_autofree char *load = NULL;

  if (runs < 1)
    runs = 1;
  if (made >= 0)
    printf ("made the %u-patient demo clinic in %.1f s (%" G_GUINT64_FORMAT " rows): %s\n",
            BENCH_PATIENTS, made, rows, db);

  store = traj_store_open (db, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  traj_thresholds_init_defaults (&t);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;

  for (guint k = 0; k <= runs; k++)
    {
      double c0 = cpu_ms ();
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(TrajCohortReport) report = traj_cohort_compute (store, def, &t, TRAJ_TIME_NONE, NULL, &error);
      double ms = (g_get_monotonic_time () - t0) / 1000.0;
      double used = cpu_ms () - c0;

      if (report == NULL)
        g_error ("%s", error->message);
      n_courses = report->courses->len;
      n_cohorts = report->cohorts->len;
      if (k > 0)
        {
          g_array_append_val (cohort_ms, ms);
          g_array_append_val (cpu, used);
        }
    }
  for (guint k = 0; k <= runs; k++)
    {
      double a = time_sql (db, streams_sql, tmp, "streams.sql");
      double b = time_sql (db, group_sql, tmp, "group.sql");
      if (a < 0 || b < 0)
        {
          fprintf (stderr, "bench-cohort: the sqlite3 shell failed; is it installed?\n");
          break;
        }
      if (k > 0)
        {
          g_array_append_val (streams_ms, a);
          g_array_append_val (group_ms, b);
        }
    }

  /* Other work on the machine shows in the figures: say how busy it was. */
  if (!g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    load = g_strdup ("?");
  g_strdelimit (load, "\n", ' ');
  if (strlen (load) > 14)
    load[14] = '\0';
  printf ("cohort --group-by indication: %u patients, %u courses, %u cohorts, %u runs, %u processors, "
          "load average %s\n", BENCH_PATIENTS, n_courses, n_cohorts, runs, g_get_num_processors (), load);
  printf ("| %-44s | %9s | %9s | %-34s | %9s | %-22s |\n", "cohort (10,000 patients), ms", "median", "p95", "", "", "target");
  bench_report ("whole-clinic cohort, grouped by indication", cohort_ms, NULL, 0, "≤ 1000 ms");
  bench_report ("  its CPU time, all threads", cpu, NULL, 0, NULL);
  if (streams_ms->len > 0)
    {
      report_floor ("sqlite3: the five streams the store reads", streams_ms);
      report_floor ("sqlite3: plain GROUP BY indication", group_ms);
      printf ("  ratio to the stream floor: %.2f×\n", bench_median (cohort_ms) / bench_median (streams_ms));
    }

  {
    g_autofree char *a = g_build_filename (tmp, "streams.sql", NULL);
    g_autofree char *b = g_build_filename (tmp, "group.sql", NULL);
    g_unlink (a);
    g_unlink (b);
    g_rmdir (tmp);
  }
  return 0;
}
