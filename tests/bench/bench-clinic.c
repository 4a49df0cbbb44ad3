/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinic-scale benchmark (issue: performance): demo generation, opening
 * a patient, search per keystroke and CSV export/import on the cached
 * 10,000-patient demo clinic, each next to its floor — the same storage work
 * through the sqlite3 shell on the same file. Prints a table; never fails
 * on a figure (speed is measured, not tested). */
#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "traj-chart.h"
#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-outcomes.h"
#include "traj-patient-list.h"
#include "traj-store-private.h"

#include <sqlite3.h>

#define N_OPEN 200

/* The C-API floor of opening a patient: the store's five one-patient
 * queries, prepared once, every column of every row read as its type. */
static sqlite3_stmt *floor_stmt[5];

static void
floor_prepare (sqlite3 *db)
{
  const char **sql = traj_store_one_patient_sql ();

  for (guint k = 0; k < 5; k++)
    if (sqlite3_prepare_v2 (db, sql[k], -1, &floor_stmt[k], NULL) != SQLITE_OK)
      g_error ("%s: %s", sql[k], sqlite3_errmsg (db));
}

static guint64
floor_open (sqlite3 *db, gint64 patient_id)
{
  guint64 sink = 0;

  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint k = 0; k < 5; k++)
    {
      sqlite3_bind_int64 (floor_stmt[k], 1, patient_id);
      while (sqlite3_step (floor_stmt[k]) == SQLITE_ROW)
        for (int c = 0, n = sqlite3_column_count (floor_stmt[k]); c < n; c++)
          switch (sqlite3_column_type (floor_stmt[k], c))
            {
            case SQLITE_INTEGER: sink += (guint64) sqlite3_column_int64 (floor_stmt[k], c); break;
            case SQLITE_FLOAT: sink += (guint64) sqlite3_column_double (floor_stmt[k], c); break;
            case SQLITE_TEXT: (void) sqlite3_column_text (floor_stmt[k], c); sink += (guint64) sqlite3_column_bytes (floor_stmt[k], c); break;
            default: break;
            }
      sqlite3_reset (floor_stmt[k]);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  return sink;
}

static double
ms_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static void
rm_rf (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (cmd) != 0)
    g_warning ("could not remove %s", dir);
}

/* The floor of a set of SQL statements: the sqlite3 shell running them on
 * the same file, per statement group, in ms. */
/* The .import floor for one table's CSV (see its caller): @db, the clinic,
 * says which columns may hold NULL. */
static void
append_staged_import (GString *script, sqlite3 *db, const char *dir, const char *table)
{
  g_autofree char *pragma = g_strdup_printf ("PRAGMA table_info (%s)", table);
  g_autoptr(GHashTable) not_null = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s.csv", dir, table);
  g_autofree char *text = NULL;
  g_auto(GStrv) columns = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GString) values = g_string_new (NULL);
  char *eol;

  if (sqlite3_prepare_v2 (db, pragma, -1, &stmt, NULL) != SQLITE_OK)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (sqlite3_column_int (stmt, 3))
      g_hash_table_add (not_null, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  if ((eol = strpbrk (text, "\r\n")) != NULL)
    *eol = '\0';
  columns = g_strsplit (text, ",", -1);
  for (guint c = 0; columns[c]; c++)
    {
      g_string_append_printf (names, "%s\"%s\"", c ? ", " : "", columns[c]);
      /* '' stays '' where the column may not be NULL (notes, names). */
      if (g_hash_table_contains (not_null, columns[c]))
        g_string_append_printf (values, "%s\"%s\"", c ? ", " : "", columns[c]);
      else
        g_string_append_printf (values, "%sNULLIF (\"%s\", '')", c ? ", " : "", columns[c]);
    }
  g_string_append_printf (script, ".import '%s' staging_%s\n"
                          "INSERT INTO %s (%s) SELECT %s FROM staging_%s;\n"
                          "DROP TABLE staging_%s;\n",
                          path, table, table, names->str, values->str, table, table);
}

static double
shell_floor (const char *db, const char *sql_file, guint groups)
{
  g_autofree char *cmd = g_strdup_printf ("sqlite3 -readonly '%s' < '%s' > /dev/null", db, sql_file);
  double best = -1;

  for (int k = 0; k < 3; k++)
    {
      double t = bench_time_command (cmd);
      if (t >= 0 && (best < 0 || t < best))
        best = t;
    }
  return best < 0 ? -1 : best / groups;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("traj-bench-XXXXXX", &error);
  double made_s = -1;
  guint64 rows = 0;
  g_autofree char *db = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GArray) open_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) key_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) storage_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) outcomes_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) chart_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) capi_ms = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *capi_db = NULL;
  g_autoptr(GArray) gen_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) export_rps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) import_rps = g_array_new (FALSE, FALSE, sizeof (double));
  GRand *rand = g_rand_new_with_seed (99);
  TrajThresholds thresholds;
  TrajChartOptions options;
  TrajChartPalette palette;
  cairo_surface_t *surface;
  GString *open_sql = g_string_new (NULL);
  GString *search_sql = g_string_new (NULL);
  g_autofree char *open_sql_path = g_build_filename (tmp, "open.sql", NULL);
  g_autofree char *search_sql_path = g_build_filename (tmp, "search.sql", NULL);
  guint n_keys = 0;
  double open_floor, key_floor, csv_export_floor = -1, csv_import_floor = -1;
  guint64 csv_rows = 0;

  g_assert_no_error (error);
  setvbuf (stdout, NULL, _IOLBF, 0);

  /* 1. Demo generation (the cached clinic, made now if missing). */
  db = bench_clinic_path (BENCH_PATIENTS, &made_s, &rows);
  if (made_s < 0 && !g_getenv ("TRAJ_BENCH_SKIP_GENERATION"))
    {
      /* Cached: time a fresh generation into a scratch file. */
      g_autofree char *scratch = g_build_filename (tmp, "gen.db", NULL);
      g_autoptr(TrajStore) gen = traj_store_open (scratch, &error);
      TrajDemoCounts counts;
      gint64 t0 = g_get_monotonic_time ();

      g_assert_no_error (error);
      g_assert_true (traj_demo_generate (gen, BENCH_SEED, BENCH_PATIENTS, traj_day_from_ymd (2026, 11, 1),
                                         &counts, NULL, NULL, NULL, &error));
      made_s = ms_since (t0) / 1000.0;
      rows = (guint64) counts.patients + counts.courses + counts.infusions + counts.vital_signs +
             counts.assessments + counts.items;
    }
  if (made_s >= 0)
    g_array_append_val (gen_s, made_s);

  store = traj_store_open (db, &error);
  g_assert_no_error (error);
  patients = traj_store_list_patients (store, &error);
  g_assert_no_error (error);

  /* 2. Open a patient: records + outcomes + chart layout + render. */
  traj_thresholds_init_defaults (&thresholds);
  traj_chart_options_init (&options);
  traj_chart_palette_init_print (&palette);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1200, 800);
  if (sqlite3_open_v2 (db, &capi_db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("cannot open %s", db);
  floor_prepare (capi_db);
  for (guint k = 0; k < N_OPEN; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (patients, g_rand_int_range (rand, 0, (gint32) patients->len));
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (store, s->id, &error);
      double t_storage = ms_since (t0), t_outcomes, t;
      gint64 t1 = g_get_monotonic_time ();
      g_autoptr(TrajOutcomes) o = traj_outcomes_compute (r, &thresholds, traj_time_now ());
      TrajChartModel *model;
      cairo_t *cr = cairo_create (surface);

      t_outcomes = ms_since (t1);
      t1 = g_get_monotonic_time ();
      model = traj_chart_model_new_from_records (r, o);
      traj_chart_render (model, &options, &palette, cr, 1200, 800);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      traj_chart_model_unref (model);
      t = ms_since (t1);
      g_array_append_val (chart_ms, t);
      g_array_append_val (storage_ms, t_storage);
      g_array_append_val (outcomes_ms, t_outcomes);
      t = ms_since (t0);
      g_array_append_val (open_ms, t);
      /* Interleaved: the floor on the same patient, right after. */
      t0 = g_get_monotonic_time ();
      floor_open (capi_db, s->id);
      t = ms_since (t0);
      g_array_append_val (capi_ms, t);
      g_string_append_printf (open_sql,
                              "SELECT * FROM patient WHERE id = %1$" G_GINT64_FORMAT ";"
                              "SELECT * FROM course WHERE patient_id = %1$" G_GINT64_FORMAT " AND deleted_at IS NULL ORDER BY start_date;"
                              "SELECT * FROM infusion i LEFT JOIN vital_sign v ON v.infusion_id = i.id WHERE i.patient_id = %1$" G_GINT64_FORMAT " AND i.deleted_at IS NULL ORDER BY i.started_at;"
                              "SELECT * FROM assessment a LEFT JOIN assessment_item ai ON ai.assessment_id = a.id WHERE a.patient_id = %1$" G_GINT64_FORMAT " AND a.deleted_at IS NULL ORDER BY a.taken_at;"
                              "SELECT * FROM flag_decision WHERE patient_id = %1$" G_GINT64_FORMAT " AND deleted_at IS NULL;\n",
                              s->id);
    }
  cairo_surface_destroy (surface);
  g_file_set_contents (open_sql_path, open_sql->str, -1, NULL);
  open_floor = shell_floor (db, open_sql_path, N_OPEN);

  /* 3. Search as you type: each keystroke of 100 names and MRNs. */
  {
    g_autoptr(TrajPatientList) list = traj_patient_list_new ();
    GPtrArray *copy = traj_store_list_patients (store, &error);

    traj_patient_list_set_patients (list, copy);
    for (guint k = 0; k < 100; k++)
      {
        TrajPatientSummary *s = g_ptr_array_index (patients, g_rand_int_range (rand, 0, (gint32) patients->len));
        const char *typed = k % 4 == 3 ? s->mrn : s->name;
        glong len = MIN (g_utf8_strlen (typed, -1), 8);

        for (glong c = 1; c <= len; c++)
          {
            g_autofree char *prefix = g_utf8_substring (typed, 0, c);
            gint64 t0 = g_get_monotonic_time ();
            double t;

            traj_patient_list_set_search (list, prefix);
            t = ms_since (t0);
            g_array_append_val (key_ms, t);
            g_string_append_printf (search_sql,
                                    "SELECT id, name, mrn FROM patient WHERE deleted_at IS NULL AND "
                                    "(name LIKE '%%%s%%' OR mrn LIKE '%%%s%%') ORDER BY name COLLATE NOCASE;\n",
                                    prefix, prefix);
            n_keys++;
          }
        traj_patient_list_set_search (list, NULL);
      }
    g_file_set_contents (search_sql_path, search_sql->str, -1, NULL);
    key_floor = shell_floor (db, search_sql_path, n_keys);
  }

  /* 5. CSV export and import of the whole clinic. */
  for (int run = 0; run < 3; run++)
    {
      g_autofree char *out = g_build_filename (tmp, "csv", NULL);
      g_autofree char *dest = g_build_filename (tmp, "import.db", NULL);
      g_autoptr(TrajCsvReport) exported = traj_csv_report_new ();
      g_autoptr(TrajCsvReport) imported = traj_csv_report_new ();
      g_autoptr(TrajStore) target = NULL;
      gint64 t0;
      double secs, rps;

      rm_rf (out);
      g_unlink (dest);
      t0 = g_get_monotonic_time ();
      if (!traj_csv_export (store, out, exported, NULL, NULL, NULL, &error))
        g_error ("export: %s", error->message);
      secs = ms_since (t0) / 1000.0;
      csv_rows = traj_csv_report_total_rows (exported);
      rps = csv_rows / secs;
      g_array_append_val (export_rps, rps);

      target = traj_store_open (dest, &error);
      g_assert_no_error (error);
      t0 = g_get_monotonic_time ();
      if (!traj_csv_import (target, out, imported, NULL, NULL, NULL, &error))
        g_error ("import: %s", error->message);
      secs = ms_since (t0) / 1000.0;
      rps = traj_csv_report_total_rows (imported) / secs;
      g_array_append_val (import_rps, rps);

      if (run == 0)
        {
          /* Floor: the sqlite3 shell writing and reading the same tables as CSV. */
          g_autofree char *shell_dir = g_build_filename (tmp, "shell", NULL);
          g_autofree char *script = NULL, *script_path = g_build_filename (tmp, "export.sql", NULL);
          g_autofree char *import_script = NULL, *import_path = g_build_filename (tmp, "import.sql", NULL);
          g_autofree char *floor_db = g_build_filename (tmp, "floor.db", NULL);
          g_autofree char *cmd = NULL, *icmd = NULL, *schema_cmd = NULL;
          const char *tables[] = { "patient", "course", "infusion", "vital_sign", "assessment", "assessment_item", "flag_decision" };
          GString *e = g_string_new (".mode csv\n.headers on\n");
          GString *i = g_string_new (".mode csv\n");
          double te, ti;

          g_mkdir_with_parents (shell_dir, 0700);
          for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
            g_string_append_printf (e, ".output %s/%s.csv\nSELECT * FROM %s;\n", shell_dir, tables[t], tables[t]);
          script = g_string_free (e, FALSE);
          g_file_set_contents (script_path, script, -1, NULL);
          cmd = g_strdup_printf ("sqlite3 -readonly '%s' < '%s'", db, script_path);
          te = bench_time_command (cmd);
          /* The shell's .import stores an empty cell as '', which the
           * tables' CHECKs refuse: each file goes into a staging table made
           * from its header (no types, no constraints), then into the real
           * table with '' read as NULL — the same rows written, checked and
           * indexed as the app's import writes them. */
          for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
            append_staged_import (i, capi_db, shell_dir, tables[t]);
          import_script = g_string_free (i, FALSE);
          g_file_set_contents (import_path, import_script, -1, NULL);
          /* The same tables without STRICT typing or triggers. */
          schema_cmd = g_strdup_printf ("sqlite3 '%s' '.schema' | sed -e '/^CREATE TRIGGER/,/^END;/d' "
                                        "-e 's/) STRICT, WITHOUT ROWID;/) WITHOUT ROWID;/' -e 's/) STRICT;/);/' "
                                        "| sqlite3 '%s' > /dev/null 2>&1", db, floor_db);
          if (system (schema_cmd) != 0)
            printf ("  (the sqlite3 shell could not copy the schema for the .import floor: %s)\n", schema_cmd);
          icmd = g_strdup_printf ("sqlite3 '%s' < '%s'", floor_db, import_path);
          ti = bench_time_command (icmd);
          if (te > 0)
            csv_export_floor = csv_rows / (te / 1000.0);
          if (ti > 0)
            csv_import_floor = csv_rows / (ti / 1000.0);
        }
      g_clear_object (&target);
    }

  {
    g_autofree char *load = bench_load ();
    printf ("\nTrajectory benchmark: %u patients (seed %u), %" G_GUINT64_FORMAT " rows; load average %s; "
            "process CPU %.1f s, peak memory (VmHWM) %.0f MB\n",
            BENCH_PATIENTS, BENCH_SEED, rows, load, bench_cpu_s (), bench_hwm_kb () / 1024.0);
  }
  printf ("| %-44s | %9s | %9s | %-34s | %9s | %-22s |\n", "what", "median", "p95", "floor", "floor", "target");
  printf ("|%s|\n", "----------------------------------------------------------------------------------------------------------------------------------------------");
  if (gen_s->len)
    {
      double rps = rows / g_array_index (gen_s, double, 0);
      printf ("| %-44s | %9.1f | %9s | %-34s | %9s | %-22s |\n", "demo generation, 10,000 patients (s)",
              g_array_index (gen_s, double, 0), "—", "—", "—", "≤ 30 s");
      printf ("| %-44s | %9.0f | %9s | %-34s | %9s | %-22s |\n", "demo generation (rows/s)", rps, "—", "—", "—", "");
    }
  bench_report ("open a patient, 200 random (ms)", open_ms, "sqlite3 shell: the 5 queries (ms)", open_floor,
                "median ≤ 10, p95 ≤ 25 ms");
  bench_report ("  its storage part: records read (ms)", storage_ms, "C API, cached statements (ms)",
                bench_median (capi_ms), "≤ 3× the C-API floor");
  printf ("  storage / C-API floor: %.2f× (medians, interleaved runs)\n",
          bench_median (storage_ms) / bench_median (capi_ms));
  bench_report ("  its outcomes engine (ms)", outcomes_ms, NULL, 0, NULL);
  bench_report ("  its chart: layout and render 1200×800 (ms)", chart_ms, NULL, 0, NULL);
  bench_report ("search, per keystroke (ms)", key_ms, "sqlite3 shell: LIKE query (ms)", key_floor, "median ≤ 5 ms");
  printf ("| %-44s | %9.0f | %9.0f | %-34s | %9.0f | %-22s |\n", "CSV export (rows/s)",
          bench_median (export_rps), bench_percentile (export_rps, 0.05), "sqlite3 shell .mode csv (rows/s)",
          csv_export_floor, "");
  printf ("| %-44s | %9.0f | %9.0f | %-34s | %9.0f | %-22s |\n", "CSV import, validated (rows/s)",
          bench_median (import_rps), bench_percentile (import_rps, 0.05), "sqlite3 shell .import (rows/s)",
          csv_import_floor, "≥ 100,000 rows/s");
  printf ("  (%" G_GUINT64_FORMAT " CSV rows; for rows/s the p95 column shows the slowest 5 %%)\n", csv_rows);

  for (guint k = 0; k < 5; k++)
    sqlite3_finalize (floor_stmt[k]);
  sqlite3_close (capi_db);
  g_rand_free (rand);
  g_string_free (open_sql, TRUE);
  g_string_free (search_sql, TRUE);
  g_clear_object (&store);
  rm_rf (tmp);
  return 0;
}
