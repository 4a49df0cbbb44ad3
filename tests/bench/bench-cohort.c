/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A whole-clinic cohort, grouped by indication, on the cached 10,000-patient
 * demo clinic (bench-common.c makes it once per seed and size): the time from
 * the first read to the finished report, against floors run interleaved
 * with it (app, floor, app, floor…; medians of wall and CPU seconds):
 *   - the needed-rows floor: a plain C program (the sqlite3 API, no
 *     Trajectory code) stepping through exactly the rows and columns the
 *     cohort reads (the store's cohort SQL: the safety items, and the vital
 *     signs that cross a limit), on one thread and on two threads over two
 *     id ranges as the app does, each run in a process of its own (its
 *     peak memory its own) and without SQLite's mutex, as the app's
 *     connections;
 *   - for reference, the sqlite3 shell reading the five full streams and a
 *     plain-SQL GROUP BY.
 * It also computes the same cohort from the full read (every column, every
 * item) and counts the cells of the four report tables that differ: 0.
 * The first run warms the page cache and is not counted.
 * Usage: bench-cohort [RUNS] */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include "bench-common.h"
#include "traj-cohort.h"
#include "traj-csv.h"
#include "traj-store-private.h"
#include "traj-table.h"

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

/* The needed-rows floor: the cohort's five streams stepped with the
 * sqlite3 API, every column read as its type, nothing built. */
typedef struct {
  const char *db;
  gint64 first, last;     /* patient id range, 0 0 for all */
  guint64 rows;
} FloorJob;

static gpointer
floor_read (gpointer data)
{
  FloorJob *job = data;
  const char **sql = traj_store_cohort_sql ();
  static const char *column[5] = { "id", "patient_id", "i.patient_id", "a.patient_id", "patient_id" };
  sqlite3 *db = NULL;
  volatile guint64 sink = 0;

  job->rows = 0;
  /* As the app's connection: no mutex (one connection per thread). */
  if (sqlite3_open_v2 (job->db, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    g_error ("cannot open %s", job->db);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint k = 0; k < 5; k++)
    {
      g_autofree char *text = NULL;
      sqlite3_stmt *stmt = NULL;

      if (job->first > 0 || job->last > 0)
        {
          const char *order = strstr (sql[k], " ORDER BY");
          g_autofree char *head = g_strndup (sql[k], order - sql[k]);
          text = g_strdup_printf ("%s AND %s BETWEEN %" G_GINT64_FORMAT " AND %" G_GINT64_FORMAT "%s", head,
                                  column[k], job->first, job->last, order);
        }
      else
        text = g_strdup (sql[k]);
      if (sqlite3_prepare_v2 (db, text, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s: %s", text, sqlite3_errmsg (db));
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          int n = sqlite3_column_count (stmt);
          for (int c = 0; c < n; c++)
            switch (sqlite3_column_type (stmt, c))
              {
              case SQLITE_INTEGER: sink += (guint64) sqlite3_column_int64 (stmt, c); break;
              case SQLITE_FLOAT: sink += (guint64) sqlite3_column_double (stmt, c); break;
              case SQLITE_TEXT: sink += (guint64) sqlite3_column_bytes (stmt, c); (void) sqlite3_column_text (stmt, c); break;
              default: break;
              }
          job->rows++;
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  (void) sink;
  return NULL;
}

static guint64
floor_two_threads (const char *db, gint64 min_id, gint64 max_id)
{
  gint64 mid = min_id + (max_id - min_id) / 2;
  FloorJob a = { db, min_id, mid, 0 }, b = { db, mid + 1, max_id, 0 };
  GThread *t = g_thread_new ("floor", floor_read, &b);

  floor_read (&a);
  g_thread_join (t);
  return a.rows + b.rows;
}

typedef struct {
  TrajThresholds t;
  gint64 as_of;
  GPtrArray *courses;
} Full;

static gboolean
full_one (TrajPatientRecords *r, gpointer data)
{
  Full *f = data;
  traj_cohort_collect_courses (r, &f->t, TRAJ_SCALE_NONE, f->as_of, f->courses);
  return TRUE;
}

/* Cells of the report tables that differ between two reports. */
static guint
count_differences (const TrajCohortReport *a, const TrajCohortReport *b, guint *cells)
{
  TrajTable *(*tables[]) (const TrajCohortReport *) = {
    traj_cohort_report_metrics_table, traj_cohort_report_courses_table, traj_cohort_report_chart_table,
    traj_cohort_report_km_table,
  };
  guint diff = 0;

  *cells = 0;
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_autoptr(TrajTable) ta = tables[k] (a);
      g_autoptr(TrajTable) tb = tables[k] (b);
      g_autofree char *sa = traj_table_to_string (ta, TRAJ_FORMAT_CSV);
      g_autofree char *sb = traj_table_to_string (tb, TRAJ_FORMAT_CSV);
      g_auto(GStrv) la = g_strsplit_set (sa, ",\n", -1);
      g_auto(GStrv) lb = g_strsplit_set (sb, ",\n", -1);
      guint na = g_strv_length (la), nb = g_strv_length (lb);

      for (guint c = 0; c < MAX (na, nb); c++)
        if (c >= na || c >= nb || strcmp (la[c], lb[c]) != 0)
          diff++;
      *cells += MAX (na, nb);
    }
  return diff;
}

static void
row (const char *what, GArray *wall, GArray *cpu, gint64 hwm_kb, double floor_wall, double floor_cpu,
     const char *target)
{
  char ratio[64] = "", hwm[32] = "";

  if (floor_wall > 0)
    g_snprintf (ratio, sizeof ratio, "%.2f× / %.2f×", bench_median (wall) / floor_wall,
                floor_cpu > 0 ? bench_median (cpu) / floor_cpu : 0);
  if (hwm_kb > 0)
    g_snprintf (hwm, sizeof hwm, "%.0f", hwm_kb / 1024.0);
  printf ("| %-46s | %8.1f | %8.1f | %8.1f | %7s | %-17s | %-20s |\n", what, bench_median (wall),
          bench_percentile (wall, 0.95), cpu ? bench_median (cpu) : 0, hwm, ratio, target ? target : "");
}

static void
remove_folder (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      g_unlink (child);
    }
  g_dir_close (d);
  g_rmdir (dir);
}

/* The floor in a process of its own, so that its peak memory is its own:
 * bench-cohort --floor DB MIN MAX OUT reads the needed rows (on two threads
 * when MIN < MAX, else one) and writes "WALL_MS CPU_MS ROWS VMHWM_KB" to OUT. */
static int
floor_main (char **argv)
{
  const char *db = argv[2];
  gint64 min_id = g_ascii_strtoll (argv[3], NULL, 10), max_id = g_ascii_strtoll (argv[4], NULL, 10);
  double c0 = bench_cpu_s ();
  gint64 t0 = g_get_monotonic_time ();
  g_autofree char *out = NULL;
  guint64 rows;

  if (min_id < max_id)
    rows = floor_two_threads (db, min_id, max_id);
  else
    {
      FloorJob job = { db, 0, 0, 0 };
      floor_read (&job);
      rows = job.rows;
    }
  /* VmHWM, not getrusage's peak: the latter keeps the spawning process's
   * peak across the exec. */
  out = g_strdup_printf ("%.3f %.3f %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                         (g_get_monotonic_time () - t0) / 1000.0, (bench_cpu_s () - c0) * 1000.0, rows,
                         bench_hwm_kb ());
  return g_file_set_contents (argv[5], out, -1, NULL) ? 0 : 1;
}

/* One floor run in its own process: wall and CPU of the read, and its peak
 * memory, as the process measured them. */
static gboolean
floor_process (const char *self, const char *db, gint64 min_id, gint64 max_id, const char *out,
               double *wall, double *cpu, gint64 *hwm, guint64 *rows)
{
  g_autofree char *a = g_strdup_printf ("%" G_GINT64_FORMAT, min_id);
  g_autofree char *b = g_strdup_printf ("%" G_GINT64_FORMAT, max_id);
  char *argv[] = { (char *) self, (char *) "--floor", (char *) db, a, b, (char *) out, NULL };
  g_autofree char *text = NULL;
  double pw, pc;
  gint64 ph;
  g_auto(GStrv) parts = NULL;

  if (!bench_run_process (argv, &pw, &pc, &ph) || !g_file_get_contents (out, &text, NULL, NULL))
    return FALSE;
  parts = g_strsplit (g_strstrip (text), " ", 4);
  if (g_strv_length (parts) != 4)
    return FALSE;
  *wall = g_ascii_strtod (parts[0], NULL);
  *cpu = g_ascii_strtod (parts[1], NULL);
  *rows = g_ascii_strtoull (parts[2], NULL, 10);
  *hwm = g_ascii_strtoll (parts[3], NULL, 10);
  return TRUE;
}

/* The export-then-pandas peer (cohort-pandas.py beside this program's
 * source): the clinic exported to CSV by the app, then the script, each
 * run timed; skipped without python3-pandas. */
static void
pandas_peer (TrajStore *store, const char *tmp, guint runs, double app_ms, double app_cpu_ms)
{
  g_autofree char *script = g_build_filename (BENCH_SOURCE_DIR, "cohort-pandas.py", NULL);
  g_autofree char *csv = g_build_filename (tmp, "csv", NULL);
  g_autofree char *out = g_build_filename (tmp, "pandas.csv", NULL);
  g_autofree char *stats = g_build_filename (tmp, "pandas.stats", NULL);
  g_autoptr(GArray) export_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) export_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) script_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) script_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  char *argv[] = { (char *) "/usr/bin/python3", script, csv, out, stats, NULL };
  gint64 script_hwm = 0;
  int status = 1;
  double total_ms, total_cpu;

  if (!g_spawn_command_line_sync ("/usr/bin/python3 -c 'import pandas'", NULL, NULL, &status, NULL) || status != 0)
    {
      printf ("  export-then-pandas peer: not run (python3-pandas is not installed)\n");
      return;
    }
  for (guint k = 0; k < MIN (runs, 3u); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *hwm = NULL;
      double c0 = bench_cpu_s (), ms, cpu;
      gint64 t0 = g_get_monotonic_time (), unused;

      remove_folder (csv);
      if (!traj_csv_export (store, csv, NULL, NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      cpu = (bench_cpu_s () - c0) * 1000.0;
      g_array_append_val (export_ms, ms);
      g_array_append_val (export_cpu, cpu);
      if (!bench_run_process (argv, &ms, &cpu, &unused))
        {
          printf ("  export-then-pandas peer: the script failed\n");
          return;
        }
      g_array_append_val (script_ms, ms);
      g_array_append_val (script_cpu, cpu);
      if (g_file_get_contents (stats, &hwm, NULL, NULL))
        script_hwm = MAX (script_hwm, g_ascii_strtoll (hwm, NULL, 10));
    }
  total_ms = bench_median (export_ms) + bench_median (script_ms);
  total_cpu = bench_median (export_cpu) + bench_median (script_cpu);
  row ("  peer: CSV export by the app", export_ms, export_cpu, -1, 0, 0, NULL);
  row ("  peer: then pandas (cohort-pandas.py)", script_ms, script_cpu, script_hwm, 0, 0, NULL);
  printf ("  export-then-pandas: %.0f ms wall, %.0f ms CPU; the app's cohort takes %.2f× its wall and %.2f× its CPU "
          "(target ≤ 0.1×); the script computes a subset of the app's figures\n",
          total_ms, total_cpu, app_ms / total_ms, app_cpu_ms / total_cpu);
  remove_folder (csv);
  g_unlink (out);
  g_unlink (stats);
}

static int bench_main (int argc, char **argv);

int
main (int argc, char **argv)
{
  if (argc == 6 && g_str_equal (argv[1], "--floor"))
    return floor_main (argv);
  return bench_main (argc, argv);
}

static int
bench_main (int argc, char **argv)
{
  guint runs = argc > 1 && !g_str_equal (argv[1], "--floor") ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 9;
  double made = -1;
  guint64 rows = 0;
  g_autofree char *db = bench_clinic_path (BENCH_PATIENTS, &made, &rows);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(GArray) cohort_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cohort_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) floor1_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) floor1_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) floor2_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) floor2_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) streams_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) group_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortReport) narrow_report = NULL;
  g_autoptr(TrajCohortReport) full_report = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("bench-cohort-XXXXXX", NULL);
  g_autofree char *load_before = bench_load ();
  g_autofree char *load_after = NULL;
  TrajThresholds t;
  guint n_courses = 0, n_cohorts = 0, diff, cells;
  gint64 min_id = 0, max_id = 0, hwm_after_cohort;
  guint64 floor_rows = 0, floor2_rows = 0;
  gint64 floor1_hwm = 0, floor2_hwm = 0;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *floor_out = NULL;
  gint64 as_of = traj_time_from_day (traj_day_from_ymd (2026, 11, 2), 0, 0);
  gboolean shell_ok = TRUE;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (runs < 1)
    runs = 1;
  floor_out = g_build_filename (tmp, "floor.out", NULL);
  if (made >= 0)
    printf ("made the %u-patient demo clinic in %.1f s (%" G_GUINT64_FORMAT " rows): %s\n",
            BENCH_PATIENTS, made, rows, db);

  store = traj_store_open (db, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  traj_thresholds_init_defaults (&t);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  if (!traj_store_patient_id_range (store, &min_id, &max_id, &error))
    g_error ("%s", error->message);

  /* Interleaved: the app's cohort, then each floor, run after run. */
  for (guint k = 0; k <= runs; k++)
    {
      double c0 = bench_cpu_s ();
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(TrajCohortReport) report = traj_cohort_compute (store, def, &t, as_of, NULL, &error);
      double ms = (g_get_monotonic_time () - t0) / 1000.0;
      double used = (bench_cpu_s () - c0) * 1000.0;

      if (report == NULL)
        g_error ("%s", error->message);
      n_courses = report->courses->len;
      n_cohorts = report->cohorts->len;
      if (k > 0)
        {
          g_array_append_val (cohort_ms, ms);
          g_array_append_val (cohort_cpu, used);
        }
      if (k == runs)
        narrow_report = g_steal_pointer (&report);

      {
        double fw, fc;
        gint64 fh;

        if (!floor_process (self, db, 0, 0, floor_out, &fw, &fc, &fh, &floor_rows))
          g_error ("the one-thread floor process failed");
        if (k > 0)
          {
            g_array_append_val (floor1_ms, fw);
            g_array_append_val (floor1_cpu, fc);
            floor1_hwm = MAX (floor1_hwm, fh);
          }
        if (!floor_process (self, db, min_id, max_id, floor_out, &fw, &fc, &fh, &floor2_rows))
          g_error ("the two-thread floor process failed");
        if (k > 0)
          {
            g_array_append_val (floor2_ms, fw);
            g_array_append_val (floor2_cpu, fc);
            floor2_hwm = MAX (floor2_hwm, fh);
          }
      }
    }
  hwm_after_cohort = bench_hwm_kb ();

  /* The same cohort from the full read (every column and item), one thread:
   * what the app did before its own read, and the check of 0 differences. */
  for (guint k = 0; k < MIN (runs, 3u); k++)
    {
      Full f = { .as_of = as_of };
      double c0 = bench_cpu_s ();
      gint64 t0 = g_get_monotonic_time ();
      double ms, used;

      f.t = t;
      f.courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
      if (!traj_store_foreach_patient_records (store, full_one, &f, NULL, &error))
        g_error ("%s", error->message);
      g_clear_pointer (&full_report, traj_cohort_report_free);
      full_report = traj_cohort_report_new (f.courses, def, &t, as_of);
      ms = (g_get_monotonic_time () - t0) / 1000.0;
      used = (bench_cpu_s () - c0) * 1000.0;
      g_array_append_val (full_ms, ms);
      g_array_append_val (full_cpu, used);
    }
  diff = count_differences (narrow_report, full_report, &cells);

  for (guint k = 0; k <= MIN (runs, 3u); k++)
    {
      double a = time_sql (db, streams_sql, tmp, "streams.sql");
      double b = time_sql (db, group_sql, tmp, "group.sql");
      if (a < 0 || b < 0)
        {
          shell_ok = FALSE;
          break;
        }
      if (k > 0)
        {
          g_array_append_val (streams_ms, a);
          g_array_append_val (group_ms, b);
        }
    }
  load_after = bench_load ();

  printf ("\ncohort --group-by indication: %u patients, %u courses, %u cohorts, %u runs interleaved, %u processors, "
          "load average %s (before) / %s (after)\n", BENCH_PATIENTS, n_courses, n_cohorts, runs,
          g_get_num_processors (), load_before, load_after);
  printf ("| %-46s | %8s | %8s | %8s | %7s | %-17s | %-20s |\n", "cohort (10,000 patients), ms", "median", "p95",
          "CPU ms", "VmHWM MB", "ratio wall / CPU", "target");
  row ("whole-clinic cohort by indication (app)", cohort_ms, cohort_cpu, hwm_after_cohort, bench_median (floor1_ms),
       bench_median (floor1_cpu), "≤ 1.5× needed-rows");
  row ("  floor: needed rows, C, one thread", floor1_ms, floor1_cpu, floor1_hwm, 0, 0, NULL);
  row ("  floor: needed rows, C, two threads", floor2_ms, floor2_cpu, floor2_hwm, 0, 0, NULL);
  printf ("  app / two-thread floor: %.2f× wall, %.2f× CPU; needed rows read: %" G_GUINT64_FORMAT
          " (two threads: %" G_GUINT64_FORMAT "); floors run in processes of their own, without the mutex, "
          "as the app's connections\n",
          bench_median (cohort_ms) / bench_median (floor2_ms), bench_median (cohort_cpu) / bench_median (floor2_cpu),
          floor_rows, floor2_rows);
  row ("  before: the same cohort from the full read", full_ms, full_cpu, -1, 0, 0, NULL);
  printf ("  differences with the full read: %u of %u table cells (metrics, courses, chart, boosters)\n", diff, cells);
  if (shell_ok)
    {
      row ("  sqlite3 shell: the five full streams", streams_ms, NULL, -1, 0, 0, NULL);
      row ("  sqlite3 shell: plain GROUP BY indication", group_ms, NULL, -1, 0, 0, NULL);
    }
  else
    printf ("  sqlite3 shell: not run (is it installed?)\n");
  pandas_peer (store, tmp, runs, bench_median (cohort_ms), bench_median (cohort_cpu));

  {
    g_autofree char *a = g_build_filename (tmp, "streams.sql", NULL);
    g_autofree char *b = g_build_filename (tmp, "group.sql", NULL);
    g_unlink (a);
    g_unlink (b);
    g_unlink (floor_out);
    g_rmdir (tmp);
  }
  return diff == 0 ? 0 : 1;
}
