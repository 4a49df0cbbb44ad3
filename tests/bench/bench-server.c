/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server mode (issue 14) on the cached 10,000-patient demo clinic, moved
 * once onto the throwaway PostgreSQL of `./dev test` (TRAJ_TEST_POSTGRES;
 * skipped without it) into a database kept for later runs: opening a
 * patient's page and a whole-clinic cohort, each beside its floor, the
 * same SQL sent with libpq alone (prepared, in one transaction, every
 * value read, nothing built). Also the time to load the patient list,
 * search per keystroke in it (beside the LIKE query sent alone), and a
 * validated CSV import of the whole clinic into a new server database,
 * beside its floor (the rows it wrote, sent with COPY alone).
 * The store runs as the server's administrator, as `trajectory-cli`
 * would on the server itself; a clinician's login sends the same SQL.
 * Usage: bench-server [COHORT_RUNS]; TRAJ_BENCH_ONLY=cohort or =import
 * measures that alone. */
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"
#include "traj-cohort.h"
#include "traj-csv.h"
#include "traj-migrate.h"
#include "traj-patient-list.h"
#include "traj-store-private.h"

#define OPENS 200

static double
ms_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* "?1" → "$1": the store's SQL, as libpq takes it. */
static char *
pg_sql (const char *sql)
{
  GString *s = g_string_new (NULL);

  for (const char *p = sql; *p; p++)
    g_string_append_c (s, *p == '?' && g_ascii_isdigit (p[1]) ? '$' : *p);
  return g_string_free (s, FALSE);
}

static guint64
read_all (PGresult *res)
{
  guint64 sink = 0;

  for (int r = 0, n = PQntuples (res); r < n; r++)
    for (int c = 0, m = PQnfields (res); c < m; c++)
      sink += (guint64) PQgetlength (res, r, c) + (guint64) (PQgetvalue (res, r, c)[0]);
  return sink;
}

static void
exec_ok (PGconn *conn, const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
}

/* Search as you type in the patient list loaded from the server: each
 * keystroke of 100 names and MRNs, and the floor, the server answering the
 * same LIKE query. */
static void
bench_search (PGconn *conn, TrajStore *store, GPtrArray *patients, GRand *rand, GArray *key_ms, GArray *key_floor_ms,
              guint64 *sink)
{
  g_autoptr(TrajPatientList) list = traj_patient_list_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *copy = traj_store_list_patients (store, &error);
  static const char like_sql[] =
    "SELECT id, name, mrn FROM patient WHERE deleted_at IS NULL AND (name LIKE $1 OR mrn LIKE $1) "
    "ORDER BY lower (name), mrn";

  if (copy == NULL)
    g_error ("%s", error->message);
  traj_patient_list_set_patients (list, copy);
  for (guint k = 0; k < 100; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (patients, g_rand_int_range (rand, 0, (gint32) patients->len));
      const char *typed = k % 4 == 3 ? s->mrn : s->name;
      glong len = MIN (g_utf8_strlen (typed, -1), 8);

      for (glong c = 1; c <= len; c++)
        {
          g_autofree char *prefix = g_utf8_substring (typed, 0, c);
          g_autofree char *pattern = g_strdup_printf ("%%%s%%", prefix);
          const char *values[1] = { pattern };
          gint64 t0 = g_get_monotonic_time ();
          PGresult *res;
          double ms;

          traj_patient_list_set_search (list, prefix);
          ms = ms_since (t0);
          g_array_append_val (key_ms, ms);
          t0 = g_get_monotonic_time ();
          res = PQexecParams (conn, like_sql, 1, NULL, values, NULL, NULL, 0);
          *sink += read_all (res);
          PQclear (res);
          ms = ms_since (t0);
          g_array_append_val (key_floor_ms, ms);
        }
      traj_patient_list_set_search (list, NULL);
    }
}

/* The tables an import writes, parents first. */
static const char *import_tables[] = {
  "patient", "course", "infusion", "vital_sign", "assessment", "assessment_item", "flag_decision",
};

/* Every row of @table, as COPY text. */
static GString *
copy_out (PGconn *conn, const char *table)
{
  g_autofree char *sql = g_strdup_printf ("COPY %s TO STDOUT", table);
  PGresult *res = PQexec (conn, sql);
  GString *out = g_string_new (NULL);
  char *buf;
  int n;

  if (PQresultStatus (res) != PGRES_COPY_OUT)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  while ((n = PQgetCopyData (conn, &buf, 0)) > 0)
    {
      g_string_append_len (out, buf, n);
      PQfreemem (buf);
    }
  while ((res = PQgetResult (conn)) != NULL)
    PQclear (res);
  return out;
}

static void
copy_in (PGconn *conn, const char *table, GString *rows)
{
  g_autofree char *sql = g_strdup_printf ("COPY %s FROM STDIN", table);
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COPY_IN)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (res);
  /* In pieces, as the import sends them. */
  for (gsize at = 0; at < rows->len; at += 1 << 16)
    if (PQputCopyData (conn, rows->str + at, (int) MIN (rows->len - at, 1 << 16)) != 1)
      g_error ("%s: %s", sql, PQerrorMessage (conn));
  if (PQputCopyEnd (conn, NULL) != 1)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  while ((res = PQgetResult (conn)) != NULL)
    {
      if (PQresultStatus (res) != PGRES_COMMAND_OK)
        g_error ("%s: %s", sql, PQresultErrorMessage (res));
      PQclear (res);
    }
}

static PGconn *
connect_ok (const char *ci)
{
  PGconn *conn = PQconnectdb (ci);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (conn));
  return conn;
}

/* The whole clinic exported to CSV from the cached file, then imported
 * (every row validated, one transaction) into a new server database; and
 * the import's floor: the rows it wrote, sent with COPY alone (one
 * transaction, parents first) into another new clinic. */
static double
bench_import (const char *admin, const char *file, guint *rows, double *floor_rps)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-bench-server-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "csv", NULL);
  g_autofree char *dbname = g_strdup_printf ("traj_bench_import_%d", (int) getpid ());
  g_autofree char *floor_name = g_strdup_printf ("traj_bench_floor_%d", (int) getpid ());
  g_autofree char *ci_postgres = g_strdup_printf ("%s dbname=postgres", admin);
  g_autofree char *ci = g_strdup_printf ("%s dbname=%s", admin, dbname);
  g_autofree char *floor_ci = g_strdup_printf ("%s dbname=%s", admin, floor_name);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_autoptr(TrajCsvReport) exported = traj_csv_report_new ();
  g_autoptr(TrajCsvReport) imported = traj_csv_report_new ();
  g_autoptr(GError) error = NULL;
  GString *written[G_N_ELEMENTS (import_tables)];
  PGconn *conn = connect_ok (ci_postgres);
  PGconn *db;
  TrajStore *source, *target;
  gint64 t0;
  double secs;

  source = traj_store_open (file, &error);
  if (source == NULL || !traj_csv_export (source, out, exported, NULL, NULL, NULL, &error))
    g_error ("export: %s", error->message);
  g_object_unref (source);
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", k ? floor_name : dbname);
      TrajStore *made;

      exec_ok (conn, create);
      made = traj_store_server_init (k ? floor_ci : ci, &error);
      if (made == NULL)
        g_error ("%s", error->message);
      if (k == 0)
        target = made;
      else
        g_object_unref (made);
    }
  t0 = g_get_monotonic_time ();
  if (!traj_csv_import (target, out, imported, NULL, NULL, NULL, &error))
    g_error ("import: %s", error->message);
  secs = ms_since (t0) / 1000.0;
  g_object_unref (target);
  *rows = traj_csv_report_total_rows (imported);

  db = connect_ok (ci);
  for (guint k = 0; k < G_N_ELEMENTS (import_tables); k++)
    written[k] = copy_out (db, import_tables[k]);
  PQfinish (db);
  db = connect_ok (floor_ci);
  t0 = g_get_monotonic_time ();
  exec_ok (db, "BEGIN");
  for (guint k = 0; k < G_N_ELEMENTS (import_tables); k++)
    copy_in (db, import_tables[k], written[k]);
  exec_ok (db, "COMMIT");
  *floor_rps = *rows / (ms_since (t0) / 1000.0);
  PQfinish (db);
  for (guint k = 0; k < G_N_ELEMENTS (import_tables); k++)
    g_string_free (written[k], TRUE);

  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s", k ? floor_name : dbname);
      exec_ok (conn, drop);
    }
  PQfinish (conn);
  if (system (rm) != 0)
    g_warning ("could not remove %s", dir);
  return *rows / secs;
}

/* The clinic database for the bench: made from the cached file once. */
static char *
bench_database (const char *admin, const char *file)
{
  g_autofree char *dbname = g_strdup_printf ("traj_bench_%u_%u_v%d", BENCH_SEED, BENCH_PATIENTS, TRAJ_SCHEMA_VERSION);
  g_autofree char *ci_postgres = g_strdup_printf ("%s dbname=postgres", admin);
  char *ci = g_strdup_printf ("%s dbname=%s", admin, dbname);
  PGconn *conn = PQconnectdb (ci_postgres);
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM pg_database WHERE datname = '%s'", dbname);
  PGresult *res;
  gboolean exists;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (conn));
  res = PQexec (conn, sql);
  exists = PQntuples (res) > 0;
  PQclear (res);
  if (!exists)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) counts = NULL;
      g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", dbname);
      g_autofree char *drop = g_strdup_printf ("DROP DATABASE %s", dbname);
      TrajStore *init;
      guint64 rows = 0;
      gint64 t0;

      exec_ok (conn, create);
      init = traj_store_server_init (ci, &error);
      if (init == NULL)
        g_error ("%s", error->message);
      g_object_unref (init);
      t0 = g_get_monotonic_time ();
      counts = traj_migrate (file, ci, NULL, NULL, &error);
      if (counts == NULL)
        {
          exec_ok (conn, drop);
          g_error ("%s", error->message);
        }
      for (guint k = 0; k < counts->len; k++)
        rows += ((TrajMigrateCount *) counts->pdata[k])->target;
      printf ("moved the %u-patient clinic onto the server: %" G_GUINT64_FORMAT " rows in %.1f s (%.0f rows/s)\n",
              BENCH_PATIENTS, rows, ms_since (t0) / 1000.0, rows / (ms_since (t0) / 1000.0));
      exec_ok (conn, "CHECKPOINT");
    }
  PQfinish (conn);
  {
    PGconn *db = PQconnectdb (ci);
    exec_ok (db, "ANALYZE");
    PQfinish (db);
  }
  return ci;
}

int
main (int argc, char **argv)
{
  const char *admin = g_getenv ("TRAJ_TEST_POSTGRES");
  guint runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 3;
  g_autofree char *file = NULL, *ci = NULL, *load_before = NULL, *load_after = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GArray) open_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) list_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cohort_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cohort_floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) key_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) key_floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  double import_rps, import_floor_rps = 0;
  guint import_rows = 0;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  const char **one = traj_store_one_patient_sql ();
  char *one_pg[5] = { NULL };
  const char **cohort = traj_store_cohort_pg_sql (FALSE);
  char *cohort_pg[8] = { NULL };
  gint64 as_of = traj_time_from_day (traj_day_from_ymd (2026, 11, 2), 0, 0);
  guint64 sink = 0;
  TrajThresholds t;
  PGconn *conn;
  GRand *rand = g_rand_new_with_seed (BENCH_SEED);
  const char *only = g_getenv ("TRAJ_BENCH_ONLY");
  gboolean page = only == NULL, cohorts = only == NULL || g_str_equal (only, "cohort"),
           import = only == NULL || g_str_equal (only, "import");

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (admin == NULL)
    {
      printf ("no TRAJ_TEST_POSTGRES: run through `./dev bench`, which starts a throwaway server\n");
      return 77;
    }
  file = bench_clinic_path (BENCH_PATIENTS, NULL, NULL);
  ci = bench_database (admin, file);
  load_before = bench_load ();
  store = traj_store_open (ci, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  conn = PQconnectdb (ci);
  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("%s", PQerrorMessage (conn));
  /* As psql would send them: planned for each patient's id. */
  for (guint k = 0; k < 5; k++)
    one_pg[k] = pg_sql (one[k]);
  for (guint k = 0; k < 8; k++)
    cohort_pg[k] = pg_sql (cohort[k]);

  /* The patient list, as the window loads it. */
  for (guint k = 0; page && k < 4; k++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_clear_pointer (&patients, g_ptr_array_unref);
      patients = traj_store_list_patients (store, &error);
      if (patients == NULL)
        g_error ("%s", error->message);
      if (k > 0)
        g_array_append_val (list_ms, (double) { ms_since (t0) });
    }

  if (page)
    bench_search (conn, store, patients, rand, key_ms, key_floor_ms, &sink);

  /* Opening a patient's page: the store, then the floor, patient after patient. */
  for (guint k = 0; page && k < OPENS; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (patients, g_rand_int_range (rand, 0, (gint32) patients->len));
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, s->id);
      const char *values[1] = { id };
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (store, s->id, &error);
      double ms = ms_since (t0);

      if (r == NULL)
        g_error ("%s", error->message);
      g_array_append_val (open_ms, ms);
      t0 = g_get_monotonic_time ();
      exec_ok (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      for (guint j = 0; j < 5; j++)
        {
          PGresult *res = PQexecParams (conn, one_pg[j], 1, NULL, values, NULL, NULL, 0);
          sink += read_all (res);
          PQclear (res);
        }
      exec_ok (conn, "COMMIT");
      ms = ms_since (t0);
      g_array_append_val (floor_ms, ms);
    }

  /* The whole-clinic cohort, then its server read's statements sent alone
   * (traj-store-cohort-pg.c: seven streams and the safety answers). */
  traj_thresholds_init_defaults (&t);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  for (guint k = 0; cohorts && k < runs; k++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(TrajCohortReport) report = traj_cohort_compute (store, def, &t, as_of, NULL, &error);
      double ms = ms_since (t0);

      if (report == NULL)
        g_error ("%s", error->message);
      g_array_append_val (cohort_ms, ms);
      t0 = g_get_monotonic_time ();
      exec_ok (conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      exec_ok (conn, "SET LOCAL jit = off");
      for (guint j = 0; j < 8; j++)
        {
          g_autofree char *limits[7] = {
            g_strdup_printf ("%d", t.systolic_max), g_strdup_printf ("%d", t.diastolic_max),
            g_strdup_printf ("%d", t.spo2_min), g_strdup_printf ("%d", t.heart_rate_max),
            g_strdup_printf ("%d", t.systolic_min), g_strdup_printf ("%d", t.heart_rate_min),
            g_strdup_printf ("%d", t.resp_rate_min),
          };
          const char *values[9] = { "1", "9223372036854775807", limits[0], limits[1], limits[2], limits[3],
                                    limits[4], limits[5], limits[6] };
          int n = j == 7 ? 0 : j == 3 ? 9 : 2;
          PGresult *res;

          if (!PQsendQueryParams (conn, cohort_pg[j], n, NULL, values, NULL, NULL, 0) || !PQsetSingleRowMode (conn))
            g_error ("%s", PQerrorMessage (conn));
          while ((res = PQgetResult (conn)) != NULL)
            {
              sink += read_all (res);
              PQclear (res);
            }
        }
      exec_ok (conn, "COMMIT");
      ms = ms_since (t0);
      g_array_append_val (cohort_floor_ms, ms);
    }
  PQfinish (conn);
  import_rps = import ? bench_import (admin, file, &import_rows, &import_floor_rps) : 0;
  g_rand_free (rand);
  for (guint k = 0; k < 5; k++)
    g_free (one_pg[k]);
  for (guint k = 0; k < 8; k++)
    g_free (cohort_pg[k]);
  load_after = bench_load ();

  printf ("\nserver mode, %u patients on a local PostgreSQL, load %s → %s\n", BENCH_PATIENTS, load_before,
          load_after);
  if (page)
    {
      bench_report ("patient list (load)", list_ms, NULL, -1, NULL);
      bench_report ("open a patient", open_ms, "libpq floor", bench_median (floor_ms), "≤ 15 ms median");
      bench_report ("search, per keystroke", key_ms, "libpq floor (LIKE query)", bench_median (key_floor_ms),
                    "≤ 10 ms median");
    }
  if (cohorts)
    bench_report ("whole-clinic cohort", cohort_ms, "libpq floor (its 8 statements)", bench_median (cohort_floor_ms),
                  "≤ 1.5 s");
  if (import)
    printf ("CSV import, validated, into a new server database: %u rows at %.0f rows/s; floor (the rows it wrote, "
            "COPY alone): %.0f rows/s (target ≥ 50,000 rows/s)\n", import_rows, import_rps, import_floor_rps);
  printf ("(checksum %" G_GUINT64_FORMAT ")\n", sink);
  return 0;
}
