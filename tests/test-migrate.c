/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Moving a clinic between a file and a server (issue 14), against the
 * throwaway PostgreSQL of `./dev test`: every record, hidden ones too,
 * decision, setting and audit row arrives, in both directions; the
 * exports of the three clinics are the same bytes; a target that holds a
 * record is refused and left as it was; the real trajectory-cli prints
 * the counts. */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-error.h"
#include "traj-migrate.h"
#include "traj-test-db.h"
#include "traj-store.h"

static const char *tables[] = {
  "patient", "course", "infusion", "vital_sign", "assessment", "assessment_item", "flag_decision",
  "kiosk_checkin", "cohort_definition", "clinic_setting", "audit_event",
};

/* ---- looking at both sides as their owner ----------------------------------- */

static gint64
file_count (const char *file, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (file, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static gint64
server_count (const char *conninfo, const char *sql)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;
  gint64 n;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  n = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  PQfinish (conn);
  return n;
}

static gint64
count_in (const char *location, const char *sql)
{
  return traj_store_location_is_server (location) ? server_count (location, sql) : file_count (location, sql);
}

/* The rows of every table, on either side. */
static GHashTable *
table_counts (const char *location)
{
  GHashTable *out = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[k]);
      g_hash_table_insert (out, (gpointer) tables[k], GINT_TO_POINTER ((int) count_in (location, sql)));
    }
  return out;
}

static gint64
counted (GHashTable *counts, const char *table)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (counts, table));
}

static const TrajMigrateCount *
find_count (GPtrArray *counts, const char *table)
{
  for (guint k = 0; k < counts->len; k++)
    {
      TrajMigrateCount *c = g_ptr_array_index (counts, k);
      if (g_str_equal (c->table, table))
        return c;
    }
  g_error ("no count for %s", table);
}

/* ---- the clinic ------------------------------------------------------------ */

#define FILE_CLINICIAN "Dr. File"

static void
make_file_clinic (const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open (file, &error);
  g_autoptr(GPtrArray) patients = NULL;
  TrajPatientSummary *hidden;

  g_assert_no_error (error);
  traj_store_set_clinician (store, FILE_CLINICIAN);
  g_assert_true (traj_demo_generate (store, 11, 40, traj_day_from_ymd (2026, 11, 20), NULL, NULL, NULL, NULL,
                                     &error));
  g_assert_no_error (error);
  /* A hidden patient, a clinic setting and a saved cohort come along too. */
  patients = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  hidden = g_ptr_array_index (patients, 3);
  g_assert_true (traj_store_delete (store, TRAJ_KIND_PATIENT, hidden->id, &error));
  g_assert_no_error (error);
  {
    TrajPatientSummary *first = g_ptr_array_index (patients, 0);
    g_autofree char *code = traj_store_create_checkin (store, first->id, "phq9", 3600, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (code);
  }
  g_assert_true (traj_store_save_cohort (store, "IV only", "{\"route\":\"iv\"}", FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_set_setting (store, "clinic-name", "Riverside Ketamine Clinic", &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_set_setting (store, "clinic-time-zone", "America/Chicago", &error));
  g_assert_no_error (error);
}

static char *
export_csv (const char *location, const char *dir, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open_existing (location, &error);
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  char *out = g_build_filename (dir, name, NULL);

  g_assert_no_error (error);
  g_assert_true (traj_csv_export (store, out, report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return out;
}

static void
assert_same_files (const char *a, const char *b)
{
  g_autoptr(GDir) d = g_dir_open (a, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *pa = g_build_filename (a, name, NULL), *pb = g_build_filename (b, name, NULL);
      g_autofree char *ca = NULL, *cb = NULL;
      gsize la, lb;

      g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
      g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
      if (strcmp (ca, cb) != 0)
        {
          g_auto(GStrv) la_lines = g_strsplit (ca, "\n", -1), lb_lines = g_strsplit (cb, "\n", -1);
          guint i = 0;

          while (la_lines[i] && lb_lines[i] && g_str_equal (la_lines[i], lb_lines[i]))
            i++;
          g_test_message ("%s line %u differs:\n  %s\n  %s", name, i + 1, la_lines[i] ? la_lines[i] : "(end)",
                          lb_lines[i] ? lb_lines[i] : "(end)");
          g_test_fail ();
          return;
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 6);
}

static void
assert_counts (GPtrArray *counts, GHashTable *before, GHashTable *source_now, GHashTable *target_before,
               GHashTable *target_now)
{
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      const TrajMigrateCount *c = find_count (counts, tables[k]);

      g_test_message ("%-18s %6" G_GINT64_FORMAT " → %6" G_GINT64_FORMAT, c->table, c->source, c->target);
      g_assert_cmpint (c->source, ==, c->target);
      if (g_str_equal (tables[k], "audit_event"))
        {
          /* Every source row, the target's own, and the migration's. */
          g_assert_cmpint (c->source, ==, counted (before, tables[k]));
          g_assert_cmpint (counted (target_now, tables[k]), ==,
                           counted (target_before, tables[k]) + c->source + 1);
        }
      else if (g_str_equal (tables[k], "clinic_setting"))
        {
          g_assert_cmpint (c->source, ==, counted (before, tables[k]));
          g_assert_cmpint (counted (target_now, tables[k]), >=, c->source);
        }
      else
        {
          g_assert_cmpint (c->source, ==, counted (before, tables[k]));
          g_assert_cmpint (counted (target_now, tables[k]), ==, c->source);
        }
      (void) source_now;
    }
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-migrate-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *back = g_build_filename (dir, "back.db", NULL);
  g_autofree char *server = NULL, *exp_file = NULL, *exp_server = NULL, *exp_back = NULL;
  g_autoptr(GHashTable) file_before = NULL, server_before = NULL, server_after = NULL;
  g_autoptr(GHashTable) server_now = NULL, back_after = NULL;
  g_autoptr(GPtrArray) there = NULL, home = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *zone = NULL;

  g_assert_no_error (error);
  make_file_clinic (file);
  exp_file = export_csv (file, dir, "from-file");
  file_before = table_counts (file);
  g_assert_cmpint (counted (file_before, "patient"), ==, 40);
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    g_assert_cmpint (counted (file_before, tables[k]), >, 0);
  g_assert_cmpint (file_count (file, "SELECT count(*) FROM patient WHERE deleted_at IS NOT NULL"), ==, 1);

  /* A file to a server clinic made by `server init` (the administrator's login). */
  server = traj_test_admin_conninfo (g_build_filename (dir, "server", NULL));
  server_before = table_counts (server);
  g_timer_start (timer);
  there = traj_migrate (file, server, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (there);
  g_test_message ("file → server: %.2f s", g_timer_elapsed (timer, NULL));
  server_after = table_counts (server);
  assert_counts (there, file_before, NULL, server_before, server_after);
  /* Hidden records stay hidden, the audit rows keep their clinicians, the
   * setting is the clinic's. */
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM patient WHERE deleted_at IS NOT NULL"), ==, 1);
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"),
                   ==, file_count (file, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"));
  g_assert_cmpint (file_count (file, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"), >, 3);
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM clinic_setting WHERE key = 'clinic-time-zone' "
                                         "AND value = 'America/Chicago'"), ==, 1);
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM audit_event WHERE action = 'migrate-in'"), ==, 1);
  exp_server = export_csv (server, dir, "from-server");
  assert_same_files (exp_file, exp_server);

  /* The server takes new records after the ones that came over. */
  {
    g_autoptr(TrajStore) clinician = traj_test_open (g_build_filename (dir, "server", NULL), &error);
    g_autoptr(TrajPatient) p = traj_patient_new ();

    g_assert_no_error (error);
    p->mrn = g_strdup ("NEW-1");
    p->name = g_strdup ("Nell Newcomer");
    p->birth_day = traj_day_from_ymd (1979, 2, 3);
    p->sex = TRAJ_SEX_FEMALE;
    p->indication = TRAJ_INDICATION_DEPRESSION;
    g_assert_true (traj_store_insert_patient (clinician, p, &error));
    g_assert_no_error (error);
    g_assert_cmpint (p->id, >, file_count (file, "SELECT max(id) FROM patient"));
    zone = traj_store_get_setting (clinician, "clinic-time-zone", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (zone, ==, "America/Chicago");
    /* The server's chain holds over what came over and what came after
     * (issue 16 §3: seal and verify survive a migration). */
    g_assert_true (traj_store_audit_verify (clinician, NULL, &error));
    g_assert_no_error (error);
  }

  /* And back to a new file. */
  server_now = table_counts (server);
  g_timer_start (timer);
  home = traj_migrate (server, back, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (home);
  g_test_message ("server → file: %.2f s", g_timer_elapsed (timer, NULL));
  back_after = table_counts (back);
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      const TrajMigrateCount *c = find_count (home, tables[k]);

      g_assert_cmpint (c->source, ==, c->target);
      if (!g_str_equal (tables[k], "audit_event") && !g_str_equal (tables[k], "clinic_setting"))
        g_assert_cmpint (counted (back_after, tables[k]), ==, counted (server_now, tables[k]));
    }
  g_assert_cmpint (counted (back_after, "patient"), ==, 41);
  {
    g_autoptr(TrajStore) again = traj_store_open_existing (back, &error);
    gint64 n = 0;

    g_assert_no_error (error);
    g_assert_true (traj_store_audit_verify (again, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpint (n, ==, file_count (back, "SELECT count(*) FROM audit_event"));
  }
  g_assert_cmpint (file_count (back, "SELECT count(*) FROM patient WHERE deleted_at IS NOT NULL"), ==, 1);
  g_assert_cmpint (file_count (back, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"),
                   ==, file_count (file, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"));
  g_assert_cmpint (file_count (back, "SELECT count(*) FROM clinic_setting WHERE key = 'clinic-time-zone' "
                                     "AND value = 'America/Chicago'"), ==, 1);
  /* The same records as the server holds, byte for byte in the export. */
  {
    g_autofree char *again = export_csv (server, dir, "server-again");
    exp_back = export_csv (back, dir, "from-back");
    assert_same_files (again, exp_back);
  }
  g_assert_cmpint (file_count (back, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
                   ==, 0);
}

static void
test_refuses_non_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-migrate-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *other = g_build_filename (dir, "other.db", NULL);
  g_autofree char *target_path = g_build_filename (dir, "server", NULL);
  g_autofree char *server = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  gint64 audit_before;

  make_file_clinic (file);
  server = traj_test_admin_conninfo (target_path);
  {
    g_autoptr(TrajStore) store = traj_test_open (target_path, &error);
    g_autoptr(TrajPatient) p = traj_patient_new ();

    g_assert_no_error (error);
    p->mrn = g_strdup ("HERE-1");
    p->name = g_strdup ("Hal Here");
    p->birth_day = traj_day_from_ymd (1970, 1, 2);
    p->sex = TRAJ_SEX_MALE;
    p->indication = TRAJ_INDICATION_DEPRESSION;
    g_assert_true (traj_store_insert_patient (store, p, &error));
    g_assert_no_error (error);
  }
  audit_before = server_count (server, "SELECT count(*) FROM audit_event");
  counts = traj_migrate (file, server, NULL, NULL, &error);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_null (counts);
  g_assert_nonnull (strstr (error->message, "patient"));
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM patient"), ==, 1);
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM course"), ==, 0);
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM audit_event"), ==, audit_before);
  g_clear_error (&error);

  /* The other way: a clinic file that holds records. */
  make_file_clinic (other);
  audit_before = file_count (other, "SELECT count(*) FROM audit_event");
  counts = traj_migrate (server, other, NULL, NULL, &error);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_null (counts);
  g_assert_cmpint (file_count (other, "SELECT count(*) FROM patient"), ==, 40);
  g_assert_cmpint (file_count (other, "SELECT count(*) FROM audit_event"), ==, audit_before);
  g_clear_error (&error);

  /* A source that is not there is not made. */
  {
    g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);
    counts = traj_migrate (missing, server, NULL, NULL, &error);
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
    g_assert_null (counts);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    g_clear_error (&error);
  }
}

/* A refused migration leaves no new clinic file behind, and never removes
 * one that was there; a login that may not read the whole clinic is told
 * so before anything is made. */
static void
test_refused_leaves_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-migrate-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken.db", NULL);
  g_autofree char *target = g_build_filename (dir, "new.db", NULL);
  g_autofree char *kept = g_build_filename (dir, "kept.db", NULL);
  g_autofree char *server_path = g_build_filename (dir, "server", NULL);
  g_autofree char *admin = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  const char *logins[][2] = { { "Lead Lane", "trajectory_lead" }, { "Tablet Two", "trajectory_kiosk" } };

  /* A server's clinic, read with a lead's and a tablet's login. */
  make_file_clinic (file);
  admin = traj_test_admin_conninfo (server_path);
  counts = traj_migrate (file, admin, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&counts, g_ptr_array_unref);
  for (guint k = 0; k < G_N_ELEMENTS (logins); k++)
    {
      g_autofree char *login = traj_test_login_conninfo (server_path, logins[k][0], logins[k][1]);

      counts = traj_migrate (login, target, NULL, NULL, &error);
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
      g_assert_null (counts);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, logins[k][0]));
      g_assert_nonnull (strstr (error->message, "may not read every record"));
      g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
      g_clear_error (&error);
    }

  /* A clinic file one of whose courses names no patient: refused by the
   * target once it was made, which is removed again… */
  make_file_clinic (broken);
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (broken, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA foreign_keys = OFF; UPDATE course SET patient_id = 999999 "
                                       "WHERE id = (SELECT min(id) FROM course)", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  counts = traj_migrate (broken, target, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_null (counts);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *name = g_strconcat (target, (const char *[]) { "", "-journal", "-wal", "-shm" }[k], NULL);
      g_assert_false (g_file_test (name, G_FILE_TEST_EXISTS));
    }

  /* …but an empty clinic file that was there before stays. */
  {
    g_autoptr(TrajStore) empty = traj_store_open (kept, &error);
    g_assert_no_error (error);
  }
  counts = traj_migrate (broken, kept, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_null (counts);
  g_clear_error (&error);
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (file_count (kept, "SELECT count(*) FROM patient"), ==, 0);
  traj_test_remove_tree (dir);
}

/* The real trajectory-cli: counts printed for every table, and a
 * refusal exits non-zero. */
static void
test_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-migrate-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *server = NULL, *out = NULL, *err = NULL;
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  g_autoptr(GSubprocess) proc = NULL;

  g_assert_nonnull (cli);
  make_file_clinic (file);
  server = traj_test_admin_conninfo (g_build_filename (dir, "server", NULL));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           cli, "migrate", "--from", file, "--to", server, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[k]);
      g_autofree char *line = g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, tables[k],
                                               file_count (file, sql), file_count (file, sql));
      g_autofree char *squeezed = NULL;
      g_autoptr(GRegex) spaces = g_regex_new (" +", 0, 0, NULL);

      squeezed = g_regex_replace_literal (spaces, out, -1, 0, " ", 0, NULL);
      g_assert_nonnull (strstr (squeezed, line));
    }
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM patient"), ==, 40);
  g_clear_object (&proc);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Again into the same server: refused, nothing changed. */
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           cli, "migrate", "--from", file, "--to", server, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
  g_assert_nonnull (strstr (err, "already holds records"));
  g_assert_cmpint (server_count (server, "SELECT count(*) FROM patient"), ==, 40);
}


/* README's backup recipe: pg_dump of the clinic's database, restored into
 * a fresh database, gives the same exports, audit rows and clinicians. */
static void
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("%s: %s", argv[0], err);
}

static PGconn *
admin_postgres (void)
{
  g_autofree char *ci = g_strdup_printf ("%s dbname=postgres", g_getenv ("TRAJ_TEST_POSTGRES"));
  PGconn *conn = PQconnectdb (ci);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

/* A new database with nothing in it, as `createdb` makes. */

static char *
empty_database (const char *name)
{
  PGconn *conn = admin_postgres ();
  g_autofree char *drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  PGresult *res;

  PQclear (PQexec (conn, drop));
  res = PQexec (conn, create);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  PQfinish (conn);
  return g_strdup_printf ("%s dbname=%s", g_getenv ("TRAJ_TEST_POSTGRES"), name);
}

/* Runs the real trajectory-cli with @argv (after the program) and returns
 * its exit status; its output goes to the test's log. */
static int
run_cli (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL, *err = NULL;

  g_assert_nonnull (g_getenv ("TRAJECTORY_CLI"));
  g_ptr_array_add (argv, (gpointer) g_getenv ("TRAJECTORY_CLI"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* README's server set-up (trial-records.md finding 7): `server init` takes
 * the connection either with --database or after "init", and a clinic moves
 * in from a `backup --output` copy of its file. */
static void
test_readme_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-migrate-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *copy = g_build_filename (dir, "clinic-move.db", NULL);
  g_autofree char *by_option = empty_database ("traj_init_option");
  g_autofree char *by_argument = empty_database ("traj_init_argument");

  make_file_clinic (file);
  g_assert_cmpint (run_cli ((const char *[]) { "--database", by_option, "server", "init", NULL }), ==, 0);
  g_assert_cmpint (run_cli ((const char *[]) { "server", "init", by_argument, NULL }), ==, 0);
  g_assert_cmpint (server_count (by_argument, "SELECT count(*) FROM trajectory_meta WHERE key = 'clinic_id'"), ==, 1);
  g_assert_cmpint (server_count (by_option, "SELECT count(*) FROM trajectory_meta WHERE key = 'clinic_id'"), ==, 1);

  g_assert_cmpint (run_cli ((const char *[]) { "--database", file, "backup", "--output", copy, NULL }), ==, 0);
  g_assert_cmpint (run_cli ((const char *[]) { "migrate", "--from", copy, "--to", by_option, NULL }), ==, 0);
  g_assert_cmpint (server_count (by_option, "SELECT count(*) FROM patient"), ==, 40);
  g_assert_cmpint (server_count (by_argument, "SELECT count(*) FROM patient"), ==, 0);
}

static char *
pg_tool (const char *name)
{
  char *path = g_build_filename ("/usr/lib/postgresql/15/bin", name, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (path);
      path = g_find_program_in_path (name);
    }
  g_assert_nonnull (path);
  return path;
}

static void
test_pg_dump_restore (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-migrate-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *dump = g_build_filename (dir, "clinic.dump", NULL);
  g_autofree char *server = NULL, *fresh = NULL, *pg_dump = pg_tool ("pg_dump"), *pg_restore = pg_tool ("pg_restore");
  g_autofree char *exp_a = NULL, *exp_b = NULL;
  g_autoptr(GPtrArray) counts = NULL;

  make_file_clinic (file);
  server = traj_test_admin_conninfo (g_build_filename (dir, "server", NULL));
  counts = traj_migrate (file, server, NULL, NULL, &error);
  g_assert_no_error (error);

  /* As the README says: a custom-format dump of the clinic's database… */
  {
    const char *argv[] = { pg_dump, "--format=custom", "--file", dump, "--dbname", server, NULL };
    run_tool (argv);
  }
  /* …restored into a new, empty database (the roles are the cluster's). */
  fresh = empty_database ("traj_restored");
  {
    const char *argv[] = { pg_restore, "--exit-on-error", "--dbname", fresh, dump, NULL };
    run_tool (argv);
  }
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[k]);
      g_assert_cmpint (server_count (fresh, sql), ==, server_count (server, sql));
    }
  g_assert_cmpint (server_count (fresh, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"),
                   ==, server_count (server, "SELECT count(*) FROM audit_event WHERE clinician = '" FILE_CLINICIAN "'"));
  exp_a = export_csv (server, dir, "before");
  exp_b = export_csv (fresh, dir, "after");
  assert_same_files (exp_a, exp_b);
  /* The restored clinic works: a clinician can add to it, and the audit
   * trail is still append-only. */
  {
    g_autofree char *as_clinician = g_strdup_printf ("%s user='" TRAJ_TEST_LOGIN "'", fresh);
    g_autoptr(TrajStore) store = traj_store_open_existing (as_clinician, &error);
    g_autoptr(TrajPatient) p = traj_patient_new ();
    PGconn *conn = PQconnectdb (fresh);
    PGresult *res;

    g_assert_no_error (error);
    p->mrn = g_strdup ("AFTER-1");
    p->name = g_strdup ("Ann After");
    p->birth_day = traj_day_from_ymd (1988, 8, 8);
    p->sex = TRAJ_SEX_FEMALE;
    p->indication = TRAJ_INDICATION_DEPRESSION;
    g_assert_true (traj_store_insert_patient (store, p, &error));
    g_assert_no_error (error);
    g_assert_cmpint (server_count (fresh, "SELECT count(*) FROM audit_event WHERE clinician = '" TRAJ_TEST_LOGIN "' "
                                          "AND action = 'insert'"), ==, 1);
    res = PQexec (conn, "DELETE FROM audit_event");
    g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
    PQclear (res);
    PQfinish (conn);
    g_clear_object (&store);
  }
  {
    PGconn *conn = admin_postgres ();
    PQclear (PQexec (conn, "DROP DATABASE traj_restored WITH (FORCE)"));
    PQfinish (conn);
  }
}

static void
skip_without_server (void)
{
  g_test_skip ("moving a clinic needs the test server (the postgres suite)");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (!traj_test_postgres ())
    {
      g_test_add_func ("/migrate/needs-server", skip_without_server);
      return g_test_run ();
    }
  g_test_add_func ("/migrate/round-trip", test_round_trip);
  g_test_add_func ("/migrate/refuses-non-empty", test_refuses_non_empty);
  g_test_add_func ("/migrate/refused-leaves-nothing", test_refused_leaves_nothing);
  g_test_add_func ("/migrate/cli", test_cli);
  g_test_add_func ("/migrate/pg-dump-restore", test_pg_dump_restore);
  g_test_add_func ("/migrate/readme-setup", test_readme_setup);
  return g_test_run ();
}
