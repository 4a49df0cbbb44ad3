/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store: migrations, refusing files that are not ours (and
 * leaving them untouched), every validation rule (its own error code and
 * nothing written), the append-only audit trail, soft delete and undo, file
 * permissions, two connections and bulk transactions, and kiosk codes.
 *
 * Every test works on its own file in its own temporary folder. The file is
 * inspected with plain sqlite3 where the point is what is really on disk.
 * The same tests run against a PostgreSQL server (traj-test-db.h): the
 * clinic is then a fresh database, inspected as its administrator; what only
 * a file has (its bytes, its mode, PRAGMAs) is skipped there. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "traj-db-sqlite.h"
#include "traj-error.h"
#include "traj-medication.h"
#include "traj-store.h"
#include "traj-store-private.h"
#include "traj-validate.h"
#include "traj-test-db.h"

/* ---- fixture ------------------------------------------------------------ */

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  gint32 today;
  gint64 now;
  gint64 patient_id;
  gint64 course_id;
  int n_infusions;      /* made by make_infusion: each two hours before the last */
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-store-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->store);
  traj_store_set_clinician (fx->store, "Dr. Test");
  fx->today = traj_day_today ();
  fx->now = traj_time_now ();
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

/* ---- raw sqlite3 on the file --------------------------------------------- */

static sqlite3 *raw_open_flags (const char *path, int flags);
#define raw_open(path) raw_open_flags ((path), SQLITE_OPEN_READWRITE)

static sqlite3 *
raw_open_flags (const char *path, int flags)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, flags, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gint64
raw_int (const char *path, const char *sql)
{
  return traj_test_query_int (path, sql);
}

static char *
raw_text (const char *path, const char *sql)
{
  return traj_test_query_text (path, sql);
}

/* Runs @sql; returns the SQLite result code and the message in @msg. On a
 * server: SQLITE_OK, or SQLITE_CONSTRAINT for a refused change. */
static int
raw_exec (const char *path, const char *sql, char **msg)
{
  sqlite3 *db;
  char *err = NULL;
  int rc;

  if (traj_test_postgres ())
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = traj_test_exec (path, sql, &error);

      if (msg)
        *msg = g_strdup (ok ? "" : error->message);
      return ok ? SQLITE_OK : SQLITE_CONSTRAINT;
    }
  db = raw_open_flags (path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  rc = sqlite3_exec (db, sql, NULL, NULL, &err);
  if (msg)
    *msg = g_strdup (err ? err : "");
  sqlite3_free (err);
  sqlite3_close (db);
  return rc;
}

/* Every row of every table (audit_event too when @with_audit), as text. */
static char *raw_dump_server (const char *path, gboolean with_audit);

static char *
raw_dump (const char *path, gboolean with_audit)
{
  sqlite3 *db;
  sqlite3_stmt *tables = NULL;
  GString *out;

  if (traj_test_postgres ())
    return raw_dump_server (path, with_audit);
  db = raw_open (path);
  out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *sql = NULL;
      sqlite3_stmt *rows = NULL;

      if (!with_audit && g_str_equal (name, "audit_event"))
        continue;
      sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1, 2", name);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      g_string_append_printf (out, "[%s]\n", name);
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (rows); c++)
            {
              if (sqlite3_column_type (rows, c) == SQLITE_NULL)
                g_string_append (out, "NULL");
              else
                {
                  g_string_append_c (out, '\'');
                  g_string_append (out, (const char *) sqlite3_column_text (rows, c));
                  g_string_append_c (out, '\'');
                }
              g_string_append_c (out, c + 1 < sqlite3_column_count (rows) ? '|' : '\n');
            }
        }
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

/* The same on a server: each table's rows as text, through the server's
 * own formatting (row_to_json keeps NULL apart from ''). */
static char *
raw_dump_server (const char *path, gboolean with_audit)
{
  static const char *tables[] = {
    "assessment", "assessment_item", "audit_event", "clinic_setting", "cohort_definition", "course",
    "flag_decision", "infusion", "kiosk_checkin", "patient", "trajectory_meta", "vital_sign",
  };
  GString *sql = g_string_new ("SELECT ''");
  g_autofree char *dump = NULL;

  /* One query, one snapshot: a round trip per table made these tests slow
   * on a loaded machine. */
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      if (!with_audit && g_str_equal (tables[k], "audit_event"))
        continue;
      g_string_append_printf (sql, " || '[%s]' || E'\\n' || (SELECT coalesce (string_agg (row_to_json (t)::text, "
                              "E'\\n' ORDER BY 1), '') FROM (SELECT * FROM %s ORDER BY 1, 2) AS t) || E'\\n'",
                              tables[k], tables[k]);
    }
  dump = raw_text (path, sql->str);
  g_string_free (sql, TRUE);
  return g_strdup (dump ? dump : "");
}

static gint64
data_rows (const char *path)
{
  return raw_int (path,
                  "SELECT (SELECT count(*) FROM patient) + (SELECT count(*) FROM course) + "
                  "(SELECT count(*) FROM infusion) + (SELECT count(*) FROM vital_sign) + "
                  "(SELECT count(*) FROM assessment) + (SELECT count(*) FROM assessment_item) + "
                  "(SELECT count(*) FROM flag_decision) + (SELECT count(*) FROM kiosk_checkin) + "
                  "(SELECT count(*) FROM medication)");
}

static gint64
audit_rows (const char *path)
{
  return raw_int (path, "SELECT count(*) FROM audit_event");
}

/* What a rejected write must not change. */
typedef struct {
  gint64 data;
  gint64 audit;
  char *dump;
} Snapshot;

static void
snapshot_take (Fixture *fx, Snapshot *s)
{
  s->data = data_rows (fx->path);
  s->audit = audit_rows (fx->path);
  s->dump = raw_dump (fx->path, TRUE);
}

/* The write failed with exactly @code, and the file holds what it held. */
static void
assert_rejected (Fixture *fx, Snapshot *s, gboolean ok, GError **error, gint code)
{
  g_autofree char *dump = NULL;

  g_assert_false (ok);
  g_assert_error (*error, TRAJ_ERROR, code);
  g_assert_nonnull ((*error)->message);
  g_assert_cmpstr ((*error)->message, !=, "");
  g_clear_error (error);
  g_assert_cmpint (data_rows (fx->path), ==, s->data);
  g_assert_cmpint (audit_rows (fx->path), ==, s->audit);
  dump = raw_dump (fx->path, TRUE);
  g_assert_cmpstr (dump, ==, s->dump);
  g_clear_pointer (&s->dump, g_free);
}

static gboolean
file_bytes_equal (const char *path, const char *expected, gsize expected_len)
{
  g_autofree char *bytes = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  return len == expected_len && memcmp (bytes, expected, len) == 0;
}

static gboolean
exists_with_suffix (const char *path, const char *suffix)
{
  g_autofree char *p = g_strconcat (path, suffix, NULL);
  return g_file_test (p, G_FILE_TEST_EXISTS);
}

/* ---- records ------------------------------------------------------------- */

static TrajPatient *
make_patient (const char *mrn, const char *name)
{
  TrajPatient *p = traj_patient_new ();

  p->mrn = g_strdup (mrn);
  p->name = g_strdup (name);
  p->birth_day = traj_day_from_ymd (1980, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  return p;
}

static gint64
add_patient (Fixture *fx, const char *mrn, const char *name)
{
  g_autoptr(TrajPatient) p = make_patient (mrn, name);
  GError *error = NULL;

  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p->id, >, 0);
  return p->id;
}

static gint64
add_course (Fixture *fx, gint64 patient_id, gint32 start_day)
{
  g_autoptr(TrajCourse) c = traj_course_new ();
  GError *error = NULL;

  c->patient_id = patient_id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = start_day;
  c->protocol = g_strdup ("IV 0.5 mg/kg ×6");
  g_assert_true (traj_store_insert_course (fx->store, c, &error));
  g_assert_no_error (error);
  return c->id;
}

static TrajVitalSign *
make_vital (int minute, int sys, int dia, int hr, int spo2, int rr)
{
  TrajVitalSign *v = traj_vital_sign_new (minute);

  v->systolic = sys;
  v->diastolic = dia;
  v->heart_rate = hr;
  v->spo2 = spo2;
  v->resp_rate = rr;
  return v;
}

/* A valid IV ketamine infusion two hours ago. */
static TrajInfusion *
make_infusion (Fixture *fx)
{
  TrajInfusion *i = traj_infusion_new ();

  i->patient_id = fx->patient_id;
  i->course_id = fx->course_id;
  /* Two hours apart: never within 60 minutes of another (CLINICAL.md §7). */
  i->started_at = fx->now - 2 * 3600 * (1 + fx->n_infusions++);
  i->duration_min = 40;
  i->route = TRAJ_ROUTE_IV;
  i->medicine = TRAJ_MEDICINE_KETAMINE;
  i->phase = TRAJ_PHASE_INDUCTION;
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  i->monitoring_min = 60;
  i->lot = g_strdup ("L1234");
  g_ptr_array_add (i->vitals, make_vital (0, 122, 78, 72, 98, 14));
  g_ptr_array_add (i->vitals, make_vital (40, 141, 88, 80, 97, 15));
  return i;
}

static TrajAssessment *
make_assessment (Fixture *fx, TrajScaleId scale, int answer)
{
  TrajAssessment *a = traj_assessment_new (scale);
  const TrajScale *s = traj_scale_get (scale);

  a->patient_id = fx->patient_id;
  a->course_id = fx->course_id;
  a->taken_at = fx->now - 3600;
  if (s)
    for (guint k = 0; k < s->n_items; k++)
      a->items[k] = answer;
  return a;
}

/* A patient with a course, for the tests that write infusions and scores. */
static void
fixture_setup_patient (Fixture *fx, gconstpointer data)
{
  fixture_setup (fx, data);
  fx->patient_id = add_patient (fx, "MRN-0001", "Ada Abbott");
  fx->course_id = add_course (fx, fx->patient_id, fx->today - 30);
}

/* ---- migrations ---------------------------------------------------------- */

static void
test_migrate_new (Fixture *fx, gconstpointer data)
{
  static const char *tables[] = {
    "trajectory_meta", "patient", "course", "infusion", "vital_sign", "assessment",
    "assessment_item", "flag_decision", "kiosk_checkin", "audit_event", "clinic_setting", "secret_attempt",
    "secret_attempt_device", "audit_chain", "audit_seal", "patient_attention", "medication",
  };
  g_autofree char *app = NULL, *journal = NULL;

  if (traj_test_skip_on_postgres ("a new file's header and PRAGMAs (SQLite only)"))
    return;

  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, 30);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, TRAJ_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA application_id"), ==, TRAJ_APPLICATION_ID);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA application_id"), ==, 0x54524A31);
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                              tables[k]);
      g_test_message ("table %s", tables[k]);
      g_assert_cmpint (raw_int (fx->path, sql), ==, 1);
    }
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name = 'audit_event'"), >=, 2);
  app = raw_text (fx->path, "SELECT value FROM trajectory_meta WHERE key = 'application'");
  g_assert_cmpstr (app, ==, "io.github.trajectory.Trajectory");
  journal = raw_text (fx->path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal, ==, "wal");
  /* Each migration step is itself audited, once. */
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event WHERE action = 'migrate'"), ==, TRAJ_SCHEMA_VERSION);
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_PATIENT, NULL), ==, 0);
  g_assert_true (traj_store_check_integrity (fx->store, NULL));
}

static void
test_migrate_reopen (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autoptr(TrajPatient) p = NULL;

  if (traj_test_skip_on_postgres ("a file's migration audit (SQLite only)"))
    return;

  add_patient (fx, "MRN-1", "Ada Abbott");
  g_clear_object (&fx->store);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  /* Nothing to migrate a second time; the data is still there. */
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event WHERE action = 'migrate'"), ==, TRAJ_SCHEMA_VERSION);
  p = traj_store_find_patient_by_mrn (fx->store, "MRN-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->name, ==, "Ada Abbott");
}

static void
test_migrate_empty_files (Fixture *fx, gconstpointer data)
{
  g_autofree char *zero = g_build_filename (fx->dir, "zero.db", NULL);
  g_autofree char *blank = g_build_filename (fx->dir, "blank.db", NULL);
  GError *error = NULL;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("empty files (SQLite only)"))
    return;

  /* A zero-byte file is never taken for a new clinic (issue 16 §2: an
   * interrupted restore left one, and the next start made it an empty
   * clinic whose daily backups rotated the good ones out): refused with a
   * message, left as it is. */
  g_assert_true (g_file_set_contents (zero, "", 0, NULL));
  g_assert_null (traj_test_open (zero, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "is empty (0 bytes): it is not a clinic"));
  g_clear_error (&error);
  g_assert_true (g_file_test (zero, G_FILE_TEST_EXISTS));
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (zero, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, 0);
  }

  /* An SQLite file with no tables at all becomes a clinic file. */
  g_assert_cmpint (raw_exec (blank, "CREATE TABLE t (x); DROP TABLE t;", NULL), ==, SQLITE_OK);
  s = traj_test_open (blank, &error);
  g_assert_no_error (error);
  g_object_unref (s);
  g_assert_cmpint (raw_int (blank, "PRAGMA user_version"), ==, TRAJ_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (blank, "SELECT count(*) FROM sqlite_master WHERE name = 'patient'"), ==, 1);
}

/* ---- refusing files that are not ours ------------------------------------- */

static void
assert_refused (const char *path, gint code)
{
  g_autofree char *before = NULL;
  gsize before_len = 0;
  GError *error = NULL;
  TrajStore *s;

  g_assert_true (g_file_get_contents (path, &before, &before_len, NULL));
  s = traj_test_open (path, &error);
  g_assert_null (s);
  g_assert_error (error, TRAJ_ERROR, code);
  g_test_message ("%s", error->message);
  /* The message names the file. */
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  /* …and the file is exactly as it was. */
  g_assert_true (file_bytes_equal (path, before, before_len));
  g_assert_false (exists_with_suffix (path, "-journal"));
}

static void
test_refuse_newer (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "newer.db", NULL);
  GError *error = NULL;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  s = traj_store_open (path, &error);

  g_assert_no_error (error);
  g_object_unref (s);
  g_assert_cmpint (raw_exec (path, "PRAGMA user_version = 99", NULL), ==, SQLITE_OK);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 99);

  assert_refused (path, TRAJ_ERROR_NEWER_SCHEMA);
  g_assert_false (exists_with_suffix (path, "-wal"));
  g_assert_false (exists_with_suffix (path, "-shm"));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM audit_event WHERE action = 'migrate'"), ==, TRAJ_SCHEMA_VERSION);
  /* Refused again on a second try: nothing was half-done the first time. */
  assert_refused (path, TRAJ_ERROR_NEWER_SCHEMA);
}

static void
test_refuse_text (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "notes.txt", NULL);
  const char *text = "Shopping list\nmilk, eggs, 2 loaves\nThis is not a database at all.\n";

  if (traj_test_skip_on_postgres ("a text file (SQLite only)"))
    return;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  assert_refused (path, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_false (exists_with_suffix (path, "-wal"));
  g_assert_false (exists_with_suffix (path, "-shm"));

  /* Shorter than an SQLite header. */
  g_assert_true (g_file_set_contents (path, "hi", -1, NULL));
  assert_refused (path, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_false (exists_with_suffix (path, "-wal"));
  g_assert_false (exists_with_suffix (path, "-shm"));
}

static void
test_refuse_foreign (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "recipes.db", NULL);

  if (traj_test_skip_on_postgres ("a foreign SQLite file (SQLite only)"))
    return;

  g_assert_cmpint (raw_exec (path,
                             "CREATE TABLE recipe (id INTEGER PRIMARY KEY, title TEXT);"
                             "INSERT INTO recipe (title) VALUES ('Pancakes'), ('Soup');", NULL), ==, SQLITE_OK);
  assert_refused (path, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_false (exists_with_suffix (path, "-wal"));
  /* Still the other program's file, with its data and no tables of ours. */
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM recipe"), ==, 2);
  g_assert_cmpint (raw_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'patient'"), ==, 0);
  g_assert_cmpint (raw_int (path, "PRAGMA application_id"), ==, 0);

  /* A foreign file that happens to use a Trajectory-like table name. */
  g_assert_cmpint (raw_exec (path, "CREATE TABLE patient (x);", NULL), ==, SQLITE_OK);
  assert_refused (path, TRAJ_ERROR_NOT_A_DATABASE);
}

static void
test_refuse_damaged (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "damaged.db", NULL);
  g_autofree char *before = NULL;
  char junk[4096];
  GError *error = NULL;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("a damaged file (SQLite only)"))
    return;

  /* The SQLite magic followed by garbage. */
  memset (junk, 0x5a, sizeof junk);
  memcpy (junk, "SQLite format 3", 16);
  g_assert_true (g_file_set_contents (path, junk, sizeof junk, NULL));
  s = traj_test_open (path, &error);
  g_assert_null (s);
  g_assert_true (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE) ||
                 g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_true (file_bytes_equal (path, junk, sizeof junk));
}

static void
test_refuse_directory (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("a directory (SQLite only)"))
    return;
  s = traj_store_open (fx->dir, &error);

  g_assert_null (s);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, fx->dir));
  g_clear_error (&error);
}

/* ---- file mode ------------------------------------------------------------- */

static void
test_file_mode (Fixture *fx, gconstpointer data)
{
  g_autofree char *nested = g_build_filename (fx->dir, "new", "folder", "clinic.db", NULL);
  g_autofree char *folder = g_path_get_dirname (nested);
  g_autofree char *loose = g_build_filename (fx->dir, "loose.db", NULL);
  g_autofree char *wal = g_strconcat (fx->path, "-wal", NULL);
  GError *error = NULL;
  struct stat st;
  mode_t old;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("the file's mode (SQLite only)"))
    return;
  old = umask (022);

  g_assert_cmpint (g_stat (fx->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* Written data goes to the WAL, which must be as private as the file. */
  add_patient (fx, "MRN-1", "Ada Abbott");
  if (g_stat (wal, &st) == 0)
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* In a folder that does not exist yet. */
  s = traj_test_open (nested, &error);
  g_assert_no_error (error);
  g_object_unref (s);
  g_assert_cmpint (g_stat (nested, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (folder, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  /* An existing empty file is no clinic (issue 16 §2): refused, untouched. */
  g_assert_true (g_file_set_contents (loose, "", 0, NULL));
  g_assert_cmpint (g_chmod (loose, 0644), ==, 0);
  g_assert_null (traj_test_open (loose, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);
  g_assert_cmpint (g_stat (loose, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);

  umask (old);
}

/* ---- validation: patients ------------------------------------------------- */

static void
test_validate_mrn_missing (Fixture *fx, gconstpointer data)
{
  const char *mrns[] = { NULL, "", "   ", "\t" };

  for (guint k = 0; k < G_N_ELEMENTS (mrns); k++)
    {
      g_autoptr(TrajPatient) p = make_patient (mrns[k], "Ada Abbott");
      GError *error = NULL;
      Snapshot s;

      snapshot_take (fx, &s);
      assert_rejected (fx, &s, traj_store_insert_patient (fx->store, p, &error), &error, TRAJ_ERROR_MRN_MISSING);
      g_assert_cmpint (p->id, ==, 0);
    }
}

static void
test_validate_mrn_duplicate (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) dup = make_patient ("MRN-0001", "Someone Else");
  g_autoptr(TrajPatient) spaced = make_patient ("  MRN-0001 ", "Someone Else");
  g_autoptr(TrajPatient) other = NULL;
  GError *error = NULL;
  gint64 other_id;
  Snapshot s;

  add_patient (fx, "MRN-0001", "Ada Abbott");
  other_id = add_patient (fx, "MRN-0002", "Ben Bianchi");

  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_patient (fx->store, dup, &error), &error, TRAJ_ERROR_MRN_DUPLICATE);
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_patient (fx->store, spaced, &error), &error, TRAJ_ERROR_MRN_DUPLICATE);

  /* Editing a patient onto another's MRN is refused too. */
  other = traj_store_get_patient (fx->store, other_id, &error);
  g_assert_no_error (error);
  g_free (other->mrn);
  other->mrn = g_strdup ("MRN-0001");
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_update_patient (fx->store, other, &error), &error, TRAJ_ERROR_MRN_DUPLICATE);

  /* A hidden patient keeps their MRN reserved (undelete never clashes). */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, other_id, &error));
  g_assert_no_error (error);
  {
    g_autoptr(TrajPatient) again = make_patient ("MRN-0002", "Ben Again");
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_patient (fx->store, again, &error), &error, TRAJ_ERROR_MRN_DUPLICATE);
  }
}

static void
test_validate_birth_future (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ("MRN-9", "Future Child");
  g_autoptr(TrajPatient) today = make_patient ("MRN-10", "Newborn Today");
  GError *error = NULL;
  Snapshot s;

  p->birth_day = fx->today + 1;
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_patient (fx->store, p, &error), &error, TRAJ_ERROR_BIRTH_DATE_FUTURE);

  today->birth_day = fx->today;
  g_assert_true (traj_store_insert_patient (fx->store, today, &error));
  g_assert_no_error (error);
}

static void
test_validate_age (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) old = make_patient ("MRN-9", "Too Old");
  g_autoptr(TrajPatient) oldest = make_patient ("MRN-10", "Just 120");
  g_autoptr(TrajPatient) none = make_patient ("MRN-11", "No Birth Date");
  GError *error = NULL;
  int y, m, d;
  Snapshot s;

  g_assert_true (traj_day_to_ymd (fx->today, &y, &m, &d));
  if (m == 2 && d == 29)
    d = 28;
  /* 121 today: refused. */
  old->birth_day = traj_day_from_ymd (y - 121, m, d);
  g_assert_cmpint (traj_age_years (old->birth_day, fx->today), ==, 121);
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_patient (fx->store, old, &error), &error, TRAJ_ERROR_AGE_OVER_120);

  /* 121 tomorrow, 120 today: accepted. */
  oldest->birth_day = traj_day_from_ymd (y - 121, m, d) + 1;
  g_assert_cmpint (traj_age_years (oldest->birth_day, fx->today), ==, 120);
  g_assert_true (traj_store_insert_patient (fx->store, oldest, &error));
  g_assert_no_error (error);

  none->birth_day = TRAJ_DAY_NONE;
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_patient (fx->store, none, &error), &error, TRAJ_ERROR_BIRTH_DATE_MISSING);
}

/* ---- validation: infusions ------------------------------------------------ */

static void
reject_infusion (Fixture *fx, TrajInfusion *i, TrajError code)
{
  GError *error = NULL;
  Snapshot s;

  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_infusion (fx->store, i, &error), &error, code);
  g_assert_cmpint (i->id, ==, 0);
}

static void
accept_infusion (Fixture *fx, TrajInfusion *i)
{
  GError *error = NULL;
  gint64 before = audit_rows (fx->path);

  g_assert_true (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  g_assert_cmpint (i->id, >, 0);
  g_assert_cmpint (audit_rows (fx->path), ==, before + 1);
}

static void
test_validate_weight (Fixture *fx, gconstpointer data)
{
  const double bad[] = { 19.9, 300.1, 0, -70 };
  const double good[] = { 20, 300 };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      i->weight_kg = bad[k];
      i->total_mg = 10;
      reject_infusion (fx, i, TRAJ_ERROR_WEIGHT_RANGE);
    }
  for (guint k = 0; k < G_N_ELEMENTS (good); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      i->weight_kg = good[k];
      i->total_mg = good[k] * i->dose_mg_per_kg;
      accept_infusion (fx, i);
    }
}

static void
test_validate_dose (Fixture *fx, gconstpointer data)
{
  const TrajRoute routes[] = { TRAJ_ROUTE_IV, TRAJ_ROUTE_IM };
  const double bad[] = { 0.04, 40, 5.01, 0 };
  const double good[] = { 0.05, 5 };

  for (guint r = 0; r < G_N_ELEMENTS (routes); r++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
        {
          g_autoptr(TrajInfusion) i = make_infusion (fx);
          i->route = routes[r];
          i->dose_mg_per_kg = bad[k];
          i->total_mg = 70 * bad[k] > 0 ? 70 * bad[k] : 1;
          reject_infusion (fx, i, TRAJ_ERROR_DOSE_RANGE);
        }
      for (guint k = 0; k < G_N_ELEMENTS (good); k++)
        {
          g_autoptr(TrajInfusion) i = make_infusion (fx);
          i->route = routes[r];
          i->dose_mg_per_kg = good[k];
          i->total_mg = 70 * good[k];
          accept_infusion (fx, i);
        }
    }
  /* A plausible mg/kg with no total is refused on the total. */
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    i->total_mg = 0;
    reject_infusion (fx, i, TRAJ_ERROR_TOTAL_DOSE);
  }
}

static void
test_validate_esketamine (Fixture *fx, gconstpointer data)
{
  const double bad[] = { 0, 14, 27.9, 42, 70, 112 };
  const double good[] = { 28, 56, 84 };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      i->route = TRAJ_ROUTE_INTRANASAL;
      i->medicine = TRAJ_MEDICINE_ESKETAMINE;
      i->dose_mg_per_kg = 0;
      i->total_mg = bad[k];
      reject_infusion (fx, i, TRAJ_ERROR_ESKETAMINE_DOSE);
    }
  /* A weight-based dose is not an esketamine nasal dose either. */
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    i->route = TRAJ_ROUTE_INTRANASAL;
    i->medicine = TRAJ_MEDICINE_ESKETAMINE;
    reject_infusion (fx, i, TRAJ_ERROR_ESKETAMINE_DOSE);
  }
  for (guint k = 0; k < G_N_ELEMENTS (good); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      i->route = TRAJ_ROUTE_INTRANASAL;
      i->medicine = TRAJ_MEDICINE_ESKETAMINE;
      i->dose_mg_per_kg = 0;
      i->weight_kg = k == 0 ? 0 : 70;   /* weight is optional for a fixed dose */
      i->total_mg = good[k];
      i->duration_min = 5;
      accept_infusion (fx, i);
      /* Issue 16: its audit summary said "0.00 mg/kg"; a fixed dose is in mg. */
      {
        TrajAuditFilter f = { .action = "insert", .limit = 1, .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
        g_autoptr(GPtrArray) events = traj_store_list_audit_filtered (fx->store, &f, NULL);
        g_autofree char *expect = g_strdup_printf ("infusion intranasal %s %.1f mg, %u vital readings",
                                                   traj_phase_to_string (i->phase), good[k], i->vitals->len);

        g_assert_cmpuint (events->len, ==, 1);
        g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (events, 0))->summary, ==, expect);
      }
    }
}

static void
test_validate_duration (Fixture *fx, gconstpointer data)
{
  const int bad[] = { 0, -40, 601 };
  const int good[] = { 1, 600 };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      i->duration_min = bad[k];
      reject_infusion (fx, i, TRAJ_ERROR_DURATION_RANGE);
    }
  for (guint k = 0; k < G_N_ELEMENTS (good); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      i->duration_min = good[k];
      accept_infusion (fx, i);
    }
}

static void
test_validate_infusion_future (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) ahead = make_infusion (fx);
  g_autoptr(TrajInfusion) far = make_infusion (fx);
  g_autoptr(TrajInfusion) tomorrow = make_infusion (fx);

  ahead->started_at = traj_time_now () + 24 * 3600 + 120;
  reject_infusion (fx, ahead, TRAJ_ERROR_INFUSION_FUTURE);
  far->started_at = traj_time_now () + 30 * 24 * 3600;
  reject_infusion (fx, far, TRAJ_ERROR_INFUSION_FUTURE);
  /* Booked for later today or tomorrow morning: within a day, accepted. */
  tomorrow->started_at = traj_time_now () + 24 * 3600 - 120;
  accept_infusion (fx, tomorrow);
}

/* Issue 16 §1: the rules the editors and the import share refuse what no
 * record can be (year 0001, 9999, a total that is not weight × dose), and
 * text with control characters, for every kind of record. */
static void
test_validate_plausible (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  Snapshot s;

  {
    g_autoptr(TrajInfusion) old = make_infusion (fx);
    g_autoptr(TrajInfusion) ready_before = make_infusion (fx);
    g_autoptr(TrajInfusion) ready_9999 = make_infusion (fx);
    g_autoptr(TrajInfusion) total = make_infusion (fx);
    g_autoptr(TrajInfusion) escape = make_infusion (fx);
    g_autoptr(TrajInfusion) rounded = make_infusion (fx);

    old->started_at = traj_time_from_iso ("0001-03-01T10:00:00Z", NULL);
    reject_infusion (fx, old, TRAJ_ERROR_IMPLAUSIBLE);
    ready_before->ready_at = ready_before->started_at - 60;
    reject_infusion (fx, ready_before, TRAJ_ERROR_IMPLAUSIBLE);
    ready_9999->ready_at = traj_time_from_iso ("9999-01-01T10:00:00Z", NULL);
    reject_infusion (fx, ready_9999, TRAJ_ERROR_IMPLAUSIBLE);
    total->total_mg = 350;
    reject_infusion (fx, total, TRAJ_ERROR_TOTAL_DOSE);
    escape->notes = g_strdup ("fine\x1b]0;owned\x07");
    reject_infusion (fx, escape, TRAJ_ERROR_TEXT_CONTROL);
    /* A total rounded to the mg agrees; a ready time an hour on is fine. */
    rounded->weight_kg = 70.3;
    rounded->total_mg = 35;
    rounded->ready_at = rounded->started_at + 3600;
    accept_infusion (fx, rounded);
  }
  {
    g_autoptr(TrajPatient) p = make_patient ("MRN-X", "Tab\tName");
    g_autoptr(TrajPatient) q = make_patient ("MRN-Y", "Ok Name");

    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_patient (fx->store, p, &error), &error, TRAJ_ERROR_TEXT_CONTROL);
    q->notes = g_strdup ("line one\r\nline two\tand a tab");
    g_assert_true (traj_store_insert_patient (fx->store, q, &error));
    g_assert_no_error (error);
    g_free (q->notes);
    q->notes = g_strdup ("unit\x1fseparator");
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_update_patient (fx->store, q, &error), &error, TRAJ_ERROR_TEXT_CONTROL);
    g_free (q->notes);
    q->notes = g_strdup ("C1 \xc2\x9b" "2J");
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_update_patient (fx->store, q, &error), &error, TRAJ_ERROR_TEXT_CONTROL);
  }
  {
    g_autoptr(TrajCourse) c = traj_course_new ();

    c->patient_id = fx->patient_id;
    c->indication = TRAJ_INDICATION_DEPRESSION;
    c->primary_scale = TRAJ_SCALE_PHQ9;
    c->start_day = fx->today - 10;
    c->end_day = traj_day_from_ymd (9999, 12, 31);
    c->status = TRAJ_COURSE_ENDED;
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_course (fx->store, c, &error), &error, TRAJ_ERROR_COURSE_FUTURE);
    c->end_day = TRAJ_DAY_NONE;
    c->start_day = traj_day_from_ymd (1, 1, 1);
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_course (fx->store, c, &error), &error, TRAJ_ERROR_IMPLAUSIBLE);
  }
  {
    g_autoptr(TrajAssessment) a = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);

    a->taken_at = traj_time_from_iso ("0001-03-01T10:00:00Z", NULL);
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_assessment (fx->store, a, &error), &error, TRAJ_ERROR_IMPLAUSIBLE);
  }
  {
    g_autoptr(TrajFlagDecision) d = traj_flag_decision_new ();

    d->patient_id = fx->patient_id;
    d->kind = g_strdup ("booster");
    d->finding_key = g_strdup ("booster:c:a");
    d->fired_at = fx->now - 3600;
    d->decision = g_strdup ("booked it myself");
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_flag_decision (fx->store, d, &error), &error, TRAJ_ERROR_INVALID);
    g_free (d->decision);
    d->decision = g_strdup ("acknowledged");   /* closes safety findings, not boosters */
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_flag_decision (fx->store, d, &error), &error, TRAJ_ERROR_INVALID);
    g_free (d->decision);
    d->decision = g_strdup ("declined");
    d->fired_at = 0;
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_insert_flag_decision (fx->store, d, &error), &error, TRAJ_ERROR_IMPLAUSIBLE);
    d->fired_at = fx->now - 3600;
    g_assert_true (traj_store_insert_flag_decision (fx->store, d, &error));
    g_assert_no_error (error);
  }
  /* Saved cohort names too. */
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_save_cohort (fx->store, "Lead\x1b[8m", "{}", FALSE, NULL, &error), &error,
                   TRAJ_ERROR_TEXT_CONTROL);
}

/* Issue 16 (attack run): a 30 MB note was stored (and froze Edit Patient),
 * and a right-to-left override made one name look like another. One rule
 * in the store: 64 characters in an MRN, 200 in other one-line fields,
 * 20,000 in notes (counted in characters, not bytes), and no invisible
 * format character in one-line fields except the joiners. */
static void
test_validate_text_limits (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  Snapshot s;
  g_autoptr(TrajPatient) p = make_patient ("MRN-L", "Long Notes");
  GString *huge = g_string_new (NULL);

  /* 20,000 two-byte characters fit; one more does not. */
  for (guint k = 0; k < TRAJ_TEXT_NOTE_MAX; k++)
    g_string_append (huge, "é");
  p->notes = g_strdup (huge->str);
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  g_string_append (huge, "é");
  g_free (p->notes);
  p->notes = g_string_free (huge, FALSE);
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_update_patient (fx->store, p, &error), &error, TRAJ_ERROR_TEXT_LONG);
  g_clear_pointer (&p->notes, g_free);
  {
    /* The attack's 30 MB note, refused at once. */
    g_autofree char *big = g_malloc (30 * 1024 * 1024 + 1);

    memset (big, 'a', 30 * 1024 * 1024);
    big[30 * 1024 * 1024] = '\0';
    p->notes = g_steal_pointer (&big);
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_update_patient (fx->store, p, &error), &error, TRAJ_ERROR_TEXT_LONG);
    g_clear_pointer (&p->notes, g_free);
  }
  {
    g_autofree char *name200 = g_strnfill (200, 'n');
    g_autofree char *name201 = g_strnfill (201, 'n');
    g_autofree char *mrn64 = g_strnfill (64, '7');
    g_autofree char *mrn65 = g_strnfill (65, '7');
    g_autoptr(TrajPatient) q = make_patient (mrn64, name200);

    g_assert_true (traj_store_insert_patient (fx->store, q, &error));
    g_assert_no_error (error);
    g_free (q->name);
    q->name = g_strdup (name201);
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_update_patient (fx->store, q, &error), &error, TRAJ_ERROR_TEXT_LONG);
    g_free (q->name);
    q->name = g_strdup ("Name");
    g_free (q->mrn);
    q->mrn = g_strdup (mrn65);
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_update_patient (fx->store, q, &error), &error, TRAJ_ERROR_TEXT_LONG);
  }
  {
    /* U+202E (override), U+2067 (isolate), U+200B, U+200F, U+FEFF, U+00AD,
     * U+2028 in a name or MRN; the joiners of "می‌خواهم" are kept. */
    static const char * const bad[] = {
      "Anna \u202Eredoc", "Anna \u2067x\u2069", "An\u200Bna", "Anna\u200F", "\uFEFFAnna",
      "An\u00ADna", "Anna\u2028Bell",
    };
    g_autoptr(TrajPatient) q = make_patient ("MRN-J", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645");

    g_assert_true (traj_store_insert_patient (fx->store, q, &error));
    g_assert_no_error (error);
    for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
      {
        g_free (q->name);
        q->name = g_strdup (bad[k]);
        snapshot_take (fx, &s);
        assert_rejected (fx, &s, traj_store_update_patient (fx->store, q, &error), &error,
                         TRAJ_ERROR_TEXT_INVISIBLE);
      }
    g_free (q->name);
    q->name = g_strdup ("Anna");
    g_free (q->mrn);
    q->mrn = g_strdup ("MRN\u202E1");
    snapshot_take (fx, &s);
    g_assert_false (traj_store_update_patient (fx->store, q, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_INVISIBLE);
    g_assert_nonnull (strstr (error->message, "U+202E"));
    g_assert_nonnull (strstr (error->message, "MRN"));
    g_clear_error (&error);
    /* A right-to-left mark in a multi-line note is Arabic or Hebrew text. */
    g_free (q->mrn);
    q->mrn = g_strdup ("MRN-J");
    q->notes = g_strdup ("\u05E9\u05DC\u05D5\u05DD\u200F 5 mg");
    g_assert_true (traj_store_update_patient (fx->store, q, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(TrajInfusion) lot = make_infusion (fx);

    lot->lot = g_strnfill (201, 'L');
    reject_infusion (fx, lot, TRAJ_ERROR_TEXT_LONG);
  }
}

static void
test_validate_vitals (Fixture *fx, gconstpointer data)
{
  /* field, too low, lowest, highest, too high, code */
  static const struct { guint field; int lo_bad, lo, hi, hi_bad; TrajError code; } cases[] = {
    { 0, 49, 50, 300, 301, TRAJ_ERROR_VITAL_SYSTOLIC },
    { 1, 19, 20, 200, 201, TRAJ_ERROR_VITAL_DIASTOLIC },
    { 2, 19, 20, 250, 251, TRAJ_ERROR_VITAL_HEART_RATE },
    { 3, 49, 50, 100, 101, TRAJ_ERROR_VITAL_SPO2 },
    { 4, 3, 4, 60, 61, TRAJ_ERROR_VITAL_RESP_RATE },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      const int values[4] = { cases[k].lo_bad, cases[k].lo, cases[k].hi, cases[k].hi_bad };

      for (guint v = 0; v < 4; v++)
        {
          g_autoptr(TrajInfusion) i = make_infusion (fx);
          TrajVitalSign *vs = make_vital (20, 130, 80, 75, 97, 14);
          int *fields[5] = { &vs->systolic, &vs->diastolic, &vs->heart_rate, &vs->spo2, &vs->resp_rate };

          *fields[cases[k].field] = values[v];
          /* Keep a systolic above its diastolic so only the tested value is odd. */
          if (cases[k].field == 1 && values[v] >= vs->systolic)
            vs->systolic = 300;
          if (cases[k].field == 0 && values[v] <= vs->diastolic)
            vs->diastolic = 20;
          /* ...and no more than TRAJ_PULSE_PRESSURE_MAX below it. */
          if (cases[k].field == 0 && values[v] - vs->diastolic > TRAJ_PULSE_PRESSURE_MAX)
            vs->diastolic = values[v] - TRAJ_PULSE_PRESSURE_MAX;
          g_ptr_array_add (i->vitals, vs);
          g_test_message ("vital field %u = %d", cases[k].field, values[v]);
          if (v == 0 || v == 3)
            {
              GError *error = NULL;
              reject_infusion (fx, i, cases[k].code);
              /* The same rule answers the editors, with the same code. */
              g_assert_false (traj_validate_vital_value (cases[k].field, values[v], &error));
              g_assert_error (error, TRAJ_ERROR, (gint) cases[k].code);
              g_clear_error (&error);
            }
          else
            accept_infusion (fx, i);
        }
    }

  /* A reading with nothing in it is not a reading. */
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    g_ptr_array_add (i->vitals, traj_vital_sign_new (60));
    reject_infusion (fx, i, TRAJ_ERROR_VITAL_EMPTY);
  }
}

/* An infusion update that breaks a rule leaves the stored one as it was. */
static void
test_validate_infusion_update (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = make_infusion (fx);
  g_autoptr(TrajInfusion) back = NULL;
  GError *error = NULL;
  Snapshot s;

  accept_infusion (fx, i);
  i->weight_kg = 19.9;
  g_ptr_array_set_size (i->vitals, 0);
  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_update_infusion (fx->store, i, &error), &error, TRAJ_ERROR_WEIGHT_RANGE);
  back = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (back->weight_kg, ==, 70);
  g_assert_cmpuint (back->vitals->len, ==, 2);
}

/* CLINICAL.md §8: the CADSS total (0–92) and the lowest MOAA/S (0–5) are
 * kept with the infusion, -1 (NULL) when not recorded; a value outside its
 * range is refused with a message naming it, and nothing is written. */
static void
test_validate_tolerability (Fixture *fx, gconstpointer data)
{
  static const struct { int cadss, moaas; const char *message; } bad[] = {
    { 93, -1, "A CADSS total of 93 is outside 0–92 (23 items scored 0–4)." },
    { -2, -1, "A CADSS total of -2 is outside 0–92 (23 items scored 0–4)." },
    { 40, 6, "A lowest MOAA/S of 6 is outside 0–5 (0 = no response, 5 = responds readily to name)." },
    { -1, -5, "A lowest MOAA/S of -5 is outside 0–5 (0 = no response, 5 = responds readily to name)." },
  };
  g_autoptr(TrajInfusion) i = make_infusion (fx);
  g_autoptr(TrajInfusion) back = NULL;
  g_autoptr(TrajInfusion) edges = make_infusion (fx);
  g_autoptr(TrajInfusion) edges_back = NULL;
  GError *error = NULL;

  g_assert_cmpint (i->cadss_total, ==, -1);
  g_assert_cmpint (i->moaas_lowest, ==, -1);
  i->cadss_total = 40;
  i->moaas_lowest = 3;
  accept_infusion (fx, i);
  g_assert_cmpint (raw_int (fx->path, "SELECT cadss_total FROM infusion"), ==, 40);
  g_assert_cmpint (raw_int (fx->path, "SELECT moaas_lowest FROM infusion"), ==, 3);
  back = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->cadss_total, ==, 40);
  g_assert_cmpint (back->moaas_lowest, ==, 3);
  g_assert_true (traj_infusion_sedated (back));

  /* Cleared again: NULL in the file, -1 read back. */
  i->cadss_total = -1;
  i->moaas_lowest = -1;
  g_assert_true (traj_store_update_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM infusion WHERE cadss_total IS NULL "
                                      "AND moaas_lowest IS NULL"), ==, 1);
  g_clear_pointer (&back, traj_infusion_free);
  back = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_cmpint (back->cadss_total, ==, -1);
  g_assert_cmpint (back->moaas_lowest, ==, -1);
  g_assert_false (traj_infusion_sedated (back));

  /* Both ends of each range. */
  edges->cadss_total = 92;
  edges->moaas_lowest = 0;
  accept_infusion (fx, edges);
  edges_back = traj_store_get_infusion (fx->store, edges->id, &error);
  g_assert_cmpint (edges_back->cadss_total, ==, 92);
  g_assert_cmpint (edges_back->moaas_lowest, ==, 0);
  edges->cadss_total = 0;
  edges->moaas_lowest = 5;
  g_assert_true (traj_store_update_infusion (fx->store, edges, &error));
  g_assert_no_error (error);

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(TrajInfusion) b = make_infusion (fx);
      Snapshot s;

      b->cadss_total = bad[k].cadss;
      b->moaas_lowest = bad[k].moaas;
      g_assert_false (traj_validate_tolerability (b->cadss_total, b->moaas_lowest, &error));
      g_assert_cmpstr (error->message, ==, bad[k].message);
      g_clear_error (&error);
      reject_infusion (fx, b, TRAJ_ERROR_TOLERABILITY_RANGE);
      /* An edit is refused the same way and leaves the record as it was. */
      i->cadss_total = bad[k].cadss;
      i->moaas_lowest = bad[k].moaas;
      snapshot_take (fx, &s);
      assert_rejected (fx, &s, traj_store_update_infusion (fx->store, i, &error), &error,
                       TRAJ_ERROR_TOLERABILITY_RANGE);
    }
  /* The file refuses them too, whatever writes it. */
  g_assert_cmpint (raw_exec (fx->path, "UPDATE infusion SET cadss_total = 93", NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (raw_exec (fx->path, "UPDATE infusion SET moaas_lowest = 6", NULL), ==, SQLITE_CONSTRAINT);
}

/* Turns @i into an intranasal esketamine session of @total_mg. */
static void
make_esketamine (TrajInfusion *i, double total_mg)
{
  i->route = TRAJ_ROUTE_INTRANASAL;
  i->medicine = TRAJ_MEDICINE_ESKETAMINE;
  i->dose_mg_per_kg = 0;
  i->total_mg = total_mg;
}

/* A course is one medicine: the store refuses an infusion of another
 * medicine into a course whose infusions are of one, with nothing
 * written; the same session in a course of its own is accepted. */
static void
test_validate_course_medicine (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) ket = make_infusion (fx);
  g_autoptr(TrajInfusion) esk = make_infusion (fx);
  g_autoptr(TrajInfusion) back = NULL;
  GError *error = NULL;
  Snapshot s;

  accept_infusion (fx, ket);
  make_esketamine (esk, 56);
  snapshot_take (fx, &s);
  g_assert_false (traj_store_insert_infusion (fx->store, esk, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_COURSE_MEDICINE);
  g_assert_cmpstr (error->message, ==, "This course’s infusions are Ketamine (racemic); an infusion of "
                                       "Esketamine belongs in a course of its own.");
  assert_rejected (fx, &s, FALSE, &error, TRAJ_ERROR_COURSE_MEDICINE);
  g_assert_cmpint (esk->id, ==, 0);

  /* Changing the course's only infusion is changing the course's medicine:
   * allowed. */
  {
    g_autoptr(TrajInfusion) only = traj_infusion_copy (ket);
    make_esketamine (only, 84);
    g_assert_true (traj_store_update_infusion (fx->store, only, &error));
    g_assert_no_error (error);
    /* …and back, so the course is ketamine again. */
    g_assert_true (traj_store_update_infusion (fx->store, ket, &error));
    g_assert_no_error (error);
  }

  /* A second ketamine infusion, then an edit turning it to esketamine is
   * refused and leaves it as it was. */
  {
    g_autoptr(TrajInfusion) second = make_infusion (fx);
    accept_infusion (fx, second);
    make_esketamine (second, 56);
    snapshot_take (fx, &s);
    assert_rejected (fx, &s, traj_store_update_infusion (fx->store, second, &error), &error,
                     TRAJ_ERROR_COURSE_MEDICINE);
    back = traj_store_get_infusion (fx->store, second->id, &error);
    g_assert_cmpint (back->medicine, ==, TRAJ_MEDICINE_KETAMINE);
  }

  /* In a course of its own, or in none, the esketamine session is fine. */
  esk->course_id = add_course (fx, fx->patient_id, fx->today);
  accept_infusion (fx, esk);
  {
    g_autoptr(TrajInfusion) loose = make_infusion (fx);
    loose->course_id = 0;
    make_esketamine (loose, 28);
    accept_infusion (fx, loose);
  }
}

/* ---- validation: assessments ----------------------------------------------- */

static void
reject_assessment (Fixture *fx, TrajAssessment *a, TrajError code)
{
  GError *error = NULL;
  Snapshot s;

  snapshot_take (fx, &s);
  assert_rejected (fx, &s, traj_store_insert_assessment (fx->store, a, &error), &error, code);
  g_assert_cmpint (a->id, ==, 0);
}

static void
test_validate_item_range (Fixture *fx, gconstpointer data)
{
  static const struct { TrajScaleId scale; guint item; int value; } bad[] = {
    { TRAJ_SCALE_PHQ9, 0, 4 },
    { TRAJ_SCALE_PHQ9, 8, 4 },
    { TRAJ_SCALE_PHQ9, 3, -2 },
    { TRAJ_SCALE_GAD7, 6, 4 },
    { TRAJ_SCALE_PAIN_NRS, 0, 11 },
    { TRAJ_SCALE_PCL5, 19, 5 },
    /* An answer to an item the scale does not have. */
    { TRAJ_SCALE_GAD7, 7, 1 },
    { TRAJ_SCALE_PHQ9, 9, 0 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autoptr(TrajAssessment) a = make_assessment (fx, bad[k].scale, 1);
      a->items[bad[k].item] = bad[k].value;
      g_test_message ("%s item %u = %d", traj_scale_code (bad[k].scale), bad[k].item + 1, bad[k].value);
      reject_assessment (fx, a, TRAJ_ERROR_ITEM_RANGE);
    }
  /* The PHQ-9 difficulty answer has 4 choices. */
  {
    g_autoptr(TrajAssessment) a = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
    a->difficulty = 4;
    reject_assessment (fx, a, TRAJ_ERROR_ITEM_RANGE);
  }
  /* The top of each range is accepted. */
  for (int id = TRAJ_SCALE_PHQ9; id <= TRAJ_SCALE_PCL5; id++)
    {
      g_autoptr(TrajAssessment) a = make_assessment (fx, id, traj_scale_get (id)->item_max);
      GError *error = NULL;
      g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
      g_assert_no_error (error);
      g_assert_true (a->complete);
      g_assert_cmpint (a->total, ==, traj_scale_get (id)->total_max);
    }
}

static void
test_validate_unknown_scale (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajAssessment) none = make_assessment (fx, TRAJ_SCALE_NONE, 1);
  g_autoptr(TrajAssessment) odd = make_assessment (fx, (TrajScaleId) 99, 1);
  g_autoptr(TrajAssessment) past_end = make_assessment (fx, TRAJ_N_SCALES, 1);

  none->items[0] = 1;
  reject_assessment (fx, none, TRAJ_ERROR_SCALE_UNKNOWN);
  reject_assessment (fx, odd, TRAJ_ERROR_SCALE_UNKNOWN);
  reject_assessment (fx, past_end, TRAJ_ERROR_SCALE_UNKNOWN);
}

static void
test_validate_assessment_other (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajAssessment) madrs = make_assessment (fx, TRAJ_SCALE_MADRS, 0);
  g_autoptr(TrajAssessment) future = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  g_autoptr(TrajAssessment) orphan = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  g_autoptr(TrajAssessment) ok = make_assessment (fx, TRAJ_SCALE_MADRS, 0);
  GError *error = NULL;

  madrs->total = 61;
  reject_assessment (fx, madrs, TRAJ_ERROR_TOTAL_RANGE);
  future->taken_at = traj_time_now () + 2 * 3600;
  reject_assessment (fx, future, TRAJ_ERROR_ASSESSMENT_FUTURE);
  orphan->patient_id = 4242;
  orphan->course_id = 0;
  reject_assessment (fx, orphan, TRAJ_ERROR_NO_PATIENT);

  ok->total = 60;
  g_assert_true (traj_store_insert_assessment (fx->store, ok, &error));
  g_assert_no_error (error);
  g_assert_true (ok->complete);
}

/* Issue 16 (trial finding 6): a course may not start before its patient
 * was born (born 17 May 1980), in an editor as on import; the day of birth
 * itself is fine. */
static void
test_course_before_birth (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajCourse) c = traj_course_new ();
  GError *error = NULL;

  c->patient_id = fx->patient_id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = traj_day_from_ymd (1980, 5, 16);
  g_assert_false (traj_store_insert_course (fx->store, c, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH);
  g_assert_cmpstr (error->message, ==, "The course starts on 16 May 1980, before the patient’s birth date (17 May 1980).");
  g_clear_error (&error);
  g_assert_cmpint (c->id, ==, 0);
  c->start_day = traj_day_from_ymd (1980, 5, 17);
  g_assert_true (traj_store_insert_course (fx->store, c, &error));
  g_assert_no_error (error);
  c->start_day = traj_day_from_ymd (1975, 1, 1);
  g_assert_false (traj_store_update_course (fx->store, c, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH);
  g_clear_error (&error);
}

/* Issue 16: the total stored is the sum of the answers, whatever the caller
 * put in total, so no record holds a total its own items contradict (the
 * clinic's CSV export would refuse it on the way back in). */
static void
test_assessment_total_from_items (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajAssessment) a = make_assessment (fx, TRAJ_SCALE_PHQ9, 3);
  g_autofree char *sql = NULL;
  GError *error = NULL;

  a->total = 0;
  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 27);
  sql = g_strdup_printf ("SELECT total FROM assessment WHERE id = %" G_GINT64_FORMAT, a->id);
  g_assert_cmpint (traj_test_query_int (fx->path, sql), ==, 27);
}

/* Issue 12: a questionnaire kept as a draft (a tablet one never submitted)
 * is stored incomplete and unscored even with every item answered, and is
 * no duplicate of a complete one in the same minute; the items are kept. */
static void
test_assessment_draft (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajAssessment) done = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  g_autoptr(TrajAssessment) draft = make_assessment (fx, TRAJ_SCALE_PHQ9, 2);
  g_autoptr(TrajPatientRecords) r = NULL;
  GError *error = NULL;

  g_assert_true (traj_store_insert_assessment (fx->store, done, &error));
  g_assert_no_error (error);
  draft->draft = TRUE;
  draft->difficulty = 1;
  g_assert_true (traj_store_insert_assessment (fx->store, draft, &error));
  g_assert_no_error (error);
  g_assert_false (draft->complete);
  g_assert_cmpint (draft->total, ==, -1);

  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 2);
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      if (a->id != draft->id)
        continue;
      g_assert_false (a->complete);
      g_assert_cmpint (a->total, ==, -1);
      for (guint i = 0; i < 9; i++)
        g_assert_cmpint (a->items[i], ==, 2);
      g_assert_cmpint (a->difficulty, ==, 1);
    }
}

/* ---- CLINICAL.md §7: vital signs, plausible dates, ties ------------------- */

/* A diastolic not below its systolic is a typing error (80/120), and so is
 * a gap no circulation shows (300/20); each is refused with a sentence
 * that names the reading, and nothing is written. */
static void
test_validate_bp_order (Fixture *fx, gconstpointer data)
{
  static const struct { int sys, dia; gboolean ok; } cases[] = {
    { 80, 120, FALSE }, { 120, 120, FALSE }, { 300, 20, FALSE }, { 221, 20, FALSE },
    { 121, 120, TRUE }, { 220, 20, TRUE }, { 90, 60, TRUE },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(TrajInfusion) i = make_infusion (fx);
      g_autofree char *bp = g_strdup_printf ("%d/%d", cases[k].sys, cases[k].dia);
      GError *error = NULL;
      Snapshot snap;

      g_ptr_array_add (i->vitals, make_vital (60, cases[k].sys, cases[k].dia, 70, 97, 14));
      g_test_message ("BP %s", bp);
      if (cases[k].ok)
        {
          accept_infusion (fx, i);
          continue;
        }
      snapshot_take (fx, &snap);
      g_assert_false (traj_store_insert_infusion (fx->store, i, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_VITAL_DIASTOLIC);
      g_assert_nonnull (strstr (error->message, bp));
      assert_rejected (fx, &snap, FALSE, &error, TRAJ_ERROR_VITAL_DIASTOLIC);
      /* The editors ask the same rule. */
      {
        g_autoptr(TrajVitalSign) v = make_vital (60, cases[k].sys, cases[k].dia, 70, 97, 14);
        g_assert_false (traj_validate_vital_sign (v, &error));
        g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_VITAL_DIASTOLIC);
        g_clear_error (&error);
      }
    }
}

/* Records dated before the patient's birth are refused, with both dates. */
static void
test_plausible_before_birth (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = make_infusion (fx);
  g_autoptr(TrajInfusion) on_birthday = make_infusion (fx);
  g_autoptr(TrajAssessment) a = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  g_autoptr(TrajAssessment) draft = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  g_autofree char *born = traj_day_format (traj_day_from_ymd (1980, 5, 17));
  GError *error = NULL;
  Snapshot snap;

  /* The patient was born on 17 May 1980; the infusion is dated 1979. */
  i->course_id = 0;
  i->started_at = traj_time_from_day (traj_day_from_ymd (1979, 3, 3), 10, 0);
  snapshot_take (fx, &snap);
  g_assert_false (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH);
  g_assert_nonnull (strstr (error->message, born));
  assert_rejected (fx, &snap, FALSE, &error, TRAJ_ERROR_BEFORE_BIRTH);
  /* The check editors call says the same before saving. */
  g_assert_false (traj_store_check_infusion_dates (fx->store, i, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH);
  g_clear_error (&error);

  /* A complete PHQ-9 and a draft dated the day before birth: refused too. */
  a->course_id = 0;
  a->taken_at = traj_time_from_day (traj_day_from_ymd (1980, 5, 16), 23, 30);
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_insert_assessment (fx->store, a, &error), &error, TRAJ_ERROR_BEFORE_BIRTH);
  draft->course_id = 0;
  draft->items[3] = -1;
  draft->taken_at = a->taken_at;
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_insert_assessment (fx->store, draft, &error), &error, TRAJ_ERROR_BEFORE_BIRTH);
  g_assert_false (traj_store_check_assessment_dates (fx->store, a, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH);
  g_clear_error (&error);

  /* An update cannot move a stored record before birth either. */
  {
    g_autoptr(TrajAssessment) later = make_assessment (fx, TRAJ_SCALE_GAD7, 1);
    g_autoptr(TrajAssessment) back = NULL;

    g_assert_true (traj_store_insert_assessment (fx->store, later, &error));
    g_assert_no_error (error);
    later->taken_at = a->taken_at;
    snapshot_take (fx, &snap);
    assert_rejected (fx, &snap, traj_store_update_assessment (fx->store, later, &error), &error, TRAJ_ERROR_BEFORE_BIRTH);
    back = traj_store_get_assessment (fx->store, later->id, &error);
    g_assert_cmpint (back->taken_at, ==, fx->now - 3600);
  }

  /* On the birth day itself: accepted (the day is what counts). */
  on_birthday->course_id = 0;
  on_birthday->started_at = traj_time_from_day (traj_day_from_ymd (1980, 5, 17), 0, 5);
  accept_infusion (fx, on_birthday);
}

/* Inserts @i expecting TRAJ_ERROR_NEEDS_CONFIRMATION with exactly
 * @expected warnings, then again with them confirmed: saved, with a
 * "confirm" audit event naming them, and read back confirmed. */
static void
assert_needs_confirmation (Fixture *fx, TrajInfusion *i, guint expected, const char *needle)
{
  g_autoptr(TrajInfusion) back = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autofree char *message = NULL;
  const TrajAuditEvent *e;
  GError *error = NULL;
  guint warnings = 0;
  gint64 before;
  Snapshot snap;

  i->date_confirmed = 0;
  g_assert_true (traj_store_check_infusion_dates (fx->store, i, &warnings, &message, &error));
  g_assert_no_error (error);
  g_assert_cmphex (warnings, ==, expected);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, needle));

  snapshot_take (fx, &snap);
  g_assert_false (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION);
  g_assert_nonnull (strstr (error->message, needle));
  assert_rejected (fx, &snap, FALSE, &error, TRAJ_ERROR_NEEDS_CONFIRMATION);

  /* Confirming only part of it is not enough. */
  if (expected & (expected - 1))
    {
      i->date_confirmed = expected & (expected - 1);
      snapshot_take (fx, &snap);
      assert_rejected (fx, &snap, traj_store_insert_infusion (fx->store, i, &error), &error,
                       TRAJ_ERROR_NEEDS_CONFIRMATION);
    }

  i->date_confirmed = expected;
  g_clear_pointer (&message, g_free);
  g_assert_true (traj_store_check_infusion_dates (fx->store, i, &warnings, &message, &error));
  g_assert_cmphex (warnings, ==, expected);
  g_assert_null (message);
  before = audit_rows (fx->path);
  g_assert_true (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  /* The insert, and the clinician's confirmation with the sentence. */
  g_assert_cmpint (audit_rows (fx->path), ==, before + 2);
  audit = traj_store_list_audit (fx->store, i->uid, &error);
  g_assert_cmpuint (audit->len, ==, 2);
  e = g_ptr_array_index (audit, 0);
  g_assert_cmpstr (e->action, ==, "confirm");
  g_assert_cmpstr (e->record_kind, ==, "infusion");
  g_assert_cmpstr (e->clinician, ==, "Dr. Test");
  g_assert_nonnull (strstr (e->summary, needle));
  back = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_no_error (error);
  g_assert_cmphex (back->date_confirmed, ==, expected);

  /* Saving it again (a corrected lot) keeps the confirmation; taking the
   * confirmation away is refused. */
  g_free (back->lot);
  back->lot = g_strdup ("L-2");
  g_assert_true (traj_store_update_infusion (fx->store, back, &error));
  g_assert_no_error (error);
  back->date_confirmed = 0;
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_update_infusion (fx->store, back, &error), &error,
                   TRAJ_ERROR_NEEDS_CONFIRMATION);
}

static void
test_plausible_confirm (Fixture *fx, gconstpointer data)
{
  gint32 start = fx->today - 30;   /* the fixture's course */
  g_autofree char *start_text = traj_day_format (start);
  GError *error = NULL;

  /* Exactly 30 days before the course starts: fine; 31: confirm. */
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    i->started_at = traj_time_from_day (start - 30, 10, 0);
    accept_infusion (fx, i);
  }
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    g_autofree char *on = traj_day_format (start - 31);
    g_autofree char *needle = g_strdup_printf ("dated %s, 31 days before its course starts (%s)", on, start_text);
    i->started_at = traj_time_from_day (start - 31, 12, 0);
    assert_needs_confirmation (fx, i, TRAJ_DATE_WARNING_BEFORE_COURSE, needle);
  }
  /* The 1990 infusion in a course of today's patient. */
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    i->started_at = traj_time_from_day (traj_day_from_ymd (1990, 6, 1), 9, 0);
    assert_needs_confirmation (fx, i, TRAJ_DATE_WARNING_BEFORE_COURSE, "before its course starts");
  }

  /* Within 60 minutes of another infusion of the patient, in any course. */
  {
    g_autoptr(TrajInfusion) first = make_infusion (fx);
    g_autoptr(TrajInfusion) near = make_infusion (fx);
    g_autoptr(TrajInfusion) at60 = make_infusion (fx);
    g_autoptr(TrajInfusion) at61 = make_infusion (fx);
    g_autofree char *when = NULL;

    first->started_at = traj_time_from_day (fx->today - 5, 9, 0);
    accept_infusion (fx, first);
    when = traj_time_format (first->started_at);
    near->course_id = 0;
    near->started_at = first->started_at + 59 * 60;
    assert_needs_confirmation (fx, near, TRAJ_DATE_WARNING_NEAR_INFUSION, when);
    /* 60 minutes is still within 60 minutes; 61 is not (of either). */
    at60->started_at = first->started_at - 60 * 60;
    g_assert_true (traj_store_check_infusion_dates (fx->store, at60, NULL, NULL, &error));
    {
      guint w = 0;
      g_assert_true (traj_store_check_infusion_dates (fx->store, at60, &w, NULL, &error));
      g_assert_cmphex (w, ==, TRAJ_DATE_WARNING_NEAR_INFUSION);
    }
    at61->started_at = first->started_at - 61 * 60;
    {
      guint w = 1;
      g_autofree char *message = NULL;
      g_assert_true (traj_store_check_infusion_dates (fx->store, at61, &w, &message, &error));
      g_assert_cmphex (w, ==, 0);
      g_assert_null (message);
    }
    /* A deleted infusion is nobody's duplicate. */
    g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_INFUSION, first->id, &error));
    g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_INFUSION, near->id, &error));
    accept_infusion (fx, at60);
  }

  /* Into an ended course: after its end date. */
  {
    g_autoptr(TrajCourse) c = traj_course_new ();
    g_autoptr(TrajInfusion) inside = make_infusion (fx);
    g_autoptr(TrajInfusion) after = make_infusion (fx);
    g_autofree char *end = NULL;

    c->patient_id = fx->patient_id;
    c->indication = TRAJ_INDICATION_DEPRESSION;
    c->primary_scale = TRAJ_SCALE_PHQ9;
    c->start_day = fx->today - 200;
    c->end_day = fx->today - 100;
    c->status = TRAJ_COURSE_ENDED;
    g_assert_true (traj_store_insert_course (fx->store, c, &error));
    g_assert_no_error (error);
    end = traj_day_format (c->end_day);
    inside->course_id = c->id;
    inside->started_at = traj_time_from_day (c->end_day, 18, 0);
    accept_infusion (fx, inside);
    after->course_id = c->id;
    after->started_at = traj_time_from_day (c->end_day + 1, 9, 0);
    assert_needs_confirmation (fx, after, TRAJ_DATE_WARNING_AFTER_COURSE_END, end);
  }

  /* Two warnings at once: both sentences, both must be confirmed. */
  {
    g_autoptr(TrajInfusion) a = make_infusion (fx);
    g_autoptr(TrajInfusion) b = make_infusion (fx);

    a->course_id = 0;
    a->started_at = traj_time_from_day (start - 60, 10, 0);
    accept_infusion (fx, a);
    b->started_at = a->started_at + 30 * 60;
    assert_needs_confirmation (fx, b, TRAJ_DATE_WARNING_BEFORE_COURSE | TRAJ_DATE_WARNING_NEAR_INFUSION,
                               "30 minutes from this one");
  }
}

/* CLINICAL.md §7 "Ties": a second complete assessment of one scale in the
 * same minute is a probable duplicate, refused with both named. */
static void
test_plausible_ties (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajAssessment) first = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  g_autoptr(TrajAssessment) twin = make_assessment (fx, TRAJ_SCALE_PHQ9, 2);
  g_autoptr(TrajAssessment) gad = make_assessment (fx, TRAJ_SCALE_GAD7, 2);
  g_autoptr(TrajAssessment) draft = make_assessment (fx, TRAJ_SCALE_PHQ9, 2);
  g_autoptr(TrajAssessment) next = make_assessment (fx, TRAJ_SCALE_PHQ9, 2);
  g_autofree char *when = NULL;
  gint64 minute = (fx->now - 3600) / 60 * 60;
  GError *error = NULL;
  Snapshot snap;

  first->taken_at = minute + 5;
  g_assert_true (traj_store_insert_assessment (fx->store, first, &error));
  g_assert_no_error (error);
  when = traj_time_format (first->taken_at);

  twin->taken_at = minute + 59;
  snapshot_take (fx, &snap);
  g_assert_false (traj_store_insert_assessment (fx->store, twin, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT);
  /* Both named: the one recorded (total 9, its time) and this one (18). */
  g_assert_nonnull (strstr (error->message, "PHQ-9 (total 9)"));
  g_assert_nonnull (strstr (error->message, when));
  g_assert_nonnull (strstr (error->message, "(total 18,"));
  assert_rejected (fx, &snap, FALSE, &error, TRAJ_ERROR_DUPLICATE_ASSESSMENT);
  g_assert_false (traj_store_check_assessment_dates (fx->store, twin, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT);
  g_clear_error (&error);

  /* Another scale in the same minute, a draft, or the next minute: fine. */
  gad->taken_at = minute + 30;
  g_assert_true (traj_store_insert_assessment (fx->store, gad, &error));
  g_assert_no_error (error);
  draft->taken_at = minute + 30;
  draft->items[0] = -1;
  g_assert_true (traj_store_insert_assessment (fx->store, draft, &error));
  g_assert_no_error (error);
  next->taken_at = minute + 60;
  g_assert_true (traj_store_insert_assessment (fx->store, next, &error));
  g_assert_no_error (error);

  /* A record is not its own duplicate; completing the draft in that minute is. */
  first->notes = g_strdup ("edited");
  g_assert_true (traj_store_update_assessment (fx->store, first, &error));
  g_assert_no_error (error);
  draft->items[0] = 2;
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_update_assessment (fx->store, draft, &error), &error,
                   TRAJ_ERROR_DUPLICATE_ASSESSMENT);

  /* Once the first is deleted, the second may be entered. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_ASSESSMENT, first->id, &error));
  g_assert_true (traj_store_insert_assessment (fx->store, twin, &error));
  g_assert_no_error (error);
}

/* CLINICAL.md §8: the indication detail on patients and courses (one of its
 * indication's codes, or none), and the suicidal-ideation flag with when and
 * who (the person saving, unless given). */
static void
test_indication_detail_risk_flag (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ("MRN-SI", "Sam Ideation");
  g_autoptr(TrajPatient) back = NULL;
  g_autoptr(TrajPatient) cleared = NULL;
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajCourse) cb = NULL;
  gint64 set_at = traj_time_from_day (fx->today - 3, 10, 0);
  GError *error = NULL;
  Snapshot snap;

  p->indication_detail = g_strdup ("postpartum");
  p->risk_si_at = set_at;
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  back = traj_store_get_patient (fx->store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->indication_detail, ==, "postpartum");
  g_assert_cmpint (back->risk_si_at, ==, set_at);
  /* Nobody named: the person saving it. */
  g_assert_nonnull (back->risk_si_by);
  g_assert_cmpstr (back->risk_si_by, !=, "");

  /* A named clinician is kept; clearing the flag clears who too. */
  g_free (back->risk_si_by);
  back->risk_si_by = g_strdup ("Dr Named");
  g_assert_true (traj_store_update_patient (fx->store, back, &error));
  g_assert_no_error (error);
  g_clear_pointer (&back, traj_patient_free);
  back = traj_store_get_patient (fx->store, p->id, &error);
  g_assert_cmpstr (back->risk_si_by, ==, "Dr Named");
  back->risk_si_at = TRAJ_TIME_NONE;
  /* Clearing it takes a reason, kept in the audit trail; without one,
   * nothing is written. */
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_update_patient (fx->store, back, &error), &error, TRAJ_ERROR_INVALID);
  g_assert_true (traj_store_update_patient_why (fx->store, back, "Dr Named", "Reassessed", &error));
  g_assert_no_error (error);
  cleared = traj_store_get_patient (fx->store, p->id, &error);
  g_assert_cmpint (cleared->risk_si_at, ==, TRAJ_TIME_NONE);
  g_assert_cmpstr (cleared->risk_si_by, ==, "");

  /* A detail of another indication is refused, nothing written. */
  g_free (cleared->indication_detail);
  cleared->indication_detail = g_strdup ("migraine");
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_update_patient (fx->store, cleared, &error), &error, TRAJ_ERROR_INVALID);

  c->patient_id = p->id;
  c->indication = TRAJ_INDICATION_CHRONIC_PAIN;
  c->primary_scale = TRAJ_SCALE_PAIN_NRS;
  c->start_day = fx->today - 10;
  c->indication_detail = g_strdup ("trd");
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_insert_course (fx->store, c, &error), &error, TRAJ_ERROR_INVALID);
  g_free (c->indication_detail);
  c->indication_detail = g_strdup ("crps");
  g_assert_true (traj_store_insert_course (fx->store, c, &error));
  g_assert_no_error (error);
  cb = traj_store_get_course (fx->store, c->id, &error);
  g_assert_cmpstr (cb->indication_detail, ==, "crps");
}

/* Issue 15 / CLINICAL.md §8: the patient's history of substance use is
 * written and read back on the file, each change is in the audit trail
 * with its old and new code, a value outside the four is refused with
 * nothing written, and the file itself refuses an unknown code. */
static void
test_substance_use (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ("MRN-SU", "Sid Use");
  g_autoptr(TrajPatient) back = NULL;
  g_autoptr(TrajPatient) again = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *code = NULL;
  g_autofree char *update = NULL;
  const TrajAuditEvent *e;
  GError *error = NULL;
  Snapshot snap;

  /* Not given: not recorded. */
  g_assert_cmpint (p->substance_use, ==, TRAJ_SUBSTANCE_USE_UNKNOWN);
  p->substance_use = TRAJ_SUBSTANCE_USE_PAST;
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  code = raw_text (fx->path, "SELECT substance_use FROM patient WHERE mrn = 'MRN-SU'");
  g_assert_cmpstr (code, ==, "past");
  back = traj_store_get_patient (fx->store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->substance_use, ==, TRAJ_SUBSTANCE_USE_PAST);

  back->substance_use = TRAJ_SUBSTANCE_USE_CURRENT;
  g_assert_true (traj_store_update_patient (fx->store, back, &error));
  g_assert_no_error (error);
  again = traj_store_get_patient (fx->store, p->id, &error);
  g_assert_cmpint (again->substance_use, ==, TRAJ_SUBSTANCE_USE_CURRENT);
  events = traj_store_list_audit (fx->store, p->uid, &error);
  g_assert_no_error (error);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->action, ==, "update");
  g_assert_nonnull (strstr (e->detail, "substance_use: past → current"));

  /* Out of range: refused, nothing written. */
  again->substance_use = TRAJ_N_SUBSTANCE_USES;
  snapshot_take (fx, &snap);
  assert_rejected (fx, &snap, traj_store_update_patient (fx->store, again, &error), &error, TRAJ_ERROR_INVALID);

  /* Whatever writes to the file, it keeps to the four codes. */
  update = g_strdup_printf ("UPDATE patient SET substance_use = 'sometimes' WHERE id = %" G_GINT64_FORMAT, p->id);
  g_assert_cmpint (raw_exec (fx->path, update, NULL), !=, SQLITE_OK);
  g_clear_pointer (&code, g_free);
  code = raw_text (fx->path, "SELECT substance_use FROM patient WHERE mrn = 'MRN-SU'");
  g_assert_cmpstr (code, ==, "current");
}

/* What migration 008 added, taken out again. */
#define UNDO_008 TRAJ_TEST_UNDO_012 TRAJ_TEST_UNDO_009 "ALTER TABLE patient DROP COLUMN indication_detail; ALTER TABLE patient DROP COLUMN risk_si_at; " \
  "ALTER TABLE patient DROP COLUMN risk_si_by; ALTER TABLE course DROP COLUMN indication_detail; "
/* What migration 004 and later added, taken out again: a clinic file as schema 3 left it. */
#define UNDO_004 UNDO_008 "DROP TABLE secret_attempt_device; DROP TABLE secret_attempt; DROP INDEX kiosk_checkin_hash; " \
  "ALTER TABLE kiosk_checkin DROP COLUMN revoked_at; ALTER TABLE kiosk_checkin DROP COLUMN revoked_by; "

/* An infusion written now, the file then taken back by @undo (which sets
 * the old user_version), reopened (migrated) and the infusion read back. */
static TrajInfusion *
migrated_infusion (Fixture *fx, const char *undo)
{
  g_autoptr(TrajInfusion) i = NULL;
  TrajInfusion *back;
  GError *error = NULL;

  fx->patient_id = add_patient (fx, "MRN-1", "Ada Abbott");
  fx->course_id = add_course (fx, fx->patient_id, fx->today - 30);
  i = make_infusion (fx);
  accept_infusion (fx, i);
  g_clear_object (&fx->store);
  g_assert_cmpint (raw_exec (fx->path, undo, NULL), ==, SQLITE_OK);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, TRAJ_SCHEMA_VERSION);
  back = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_no_error (error);
  return back;
}

/* A clinic file from schema 2 gains the confirmation column, empty. */
static void
test_migrate_date_confirmed (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) back = NULL;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  back = migrated_infusion (fx, UNDO_004 "ALTER TABLE infusion DROP COLUMN date_confirmed; PRAGMA user_version = 2");
  g_assert_cmphex (back->date_confirmed, ==, 0);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM infusion WHERE date_confirmed = ''"), ==, 1);
}

/* A clinic file from schema 27 gains the history of substance use, not
 * recorded for every patient. */
static void
test_migrate_substance_use (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) back = NULL;
  g_autoptr(TrajPatient) p = NULL;
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  back = migrated_infusion (fx, TRAJ_TEST_UNDO_028 "PRAGMA user_version = 27");
  p = traj_store_get_patient (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->substance_use, ==, TRAJ_SUBSTANCE_USE_UNKNOWN);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM patient WHERE substance_use = 'unknown'"), ==, 1);
}

/* A clinic file from schema 13 gains the CADSS and MOAA/S columns, empty. */
static void
test_migrate_tolerability (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) back = NULL;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  back = migrated_infusion (fx, TRAJ_TEST_UNDO_014 "PRAGMA user_version = 13");
  g_assert_cmpint (back->cadss_total, ==, -1);
  g_assert_cmpint (back->moaas_lowest, ==, -1);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM infusion WHERE cadss_total IS NULL"), ==, 1);
}

/* CLINICAL.md §8: the patient's medication list. A medicine is written,
 * read back (alone and with the patient's records, unknown start first),
 * stopped (an audited update naming the old and new stop date), hidden and
 * brought back; what a person could get wrong is refused with its message
 * and nothing written, on insert and on edit; the file refuses a class it
 * does not know and a stop before the start, whatever writes it. */
static TrajMedication *
make_medication (Fixture *fx, TrajMedClass klass, const char *name, gint32 start, gint32 stop)
{
  TrajMedication *m = traj_medication_new ();

  m->patient_id = fx->patient_id;
  m->klass = klass;
  m->name = g_strdup (name);
  m->dose = g_strdup ("1 mg at night");
  m->start_day = start;
  m->stop_day = stop;
  return m;
}

static void
test_medication (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajMedication) m = make_medication (fx, TRAJ_MED_CLASS_BENZODIAZEPINE, "  Lorazepam ",
                                                 traj_day_from_ymd (2026, 3, 2), TRAJ_DAY_NONE);
  g_autoptr(TrajMedication) old = make_medication (fx, TRAJ_MED_CLASS_ANTIDEPRESSANT, "Sertraline",
                                                   TRAJ_DAY_NONE, TRAJ_DAY_NONE);
  g_autoptr(TrajMedication) back = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(TrajPatient) p = NULL;
  g_autofree char *start = NULL, *stop = NULL;
  const TrajAuditEvent *e;
  GError *error = NULL;
  Snapshot s;

  g_assert_true (traj_store_insert_medication (fx->store, m, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m->id, >, 0);
  g_assert_nonnull (m->uid);
  g_assert_true (traj_store_insert_medication (fx->store, old, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_MEDICATION, NULL), ==, 2);
  start = raw_text (fx->path, "SELECT start_date FROM medication WHERE name = 'Lorazepam'");
  g_assert_cmpstr (start, ==, "2026-03-02");
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM medication WHERE class = 'benzodiazepine' "
                                      "AND dose = '1 mg at night' AND stop_date IS NULL"), ==, 1);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM medication WHERE name = 'Sertraline' "
                                      "AND start_date IS NULL"), ==, 1);

  /* The insert is in the trail, under the patient. */
  p = traj_store_get_patient (fx->store, fx->patient_id, &error);
  events = traj_store_list_audit (fx->store, m->uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->action, ==, "insert");
  g_assert_cmpstr (e->record_kind, ==, "medication");
  g_assert_cmpstr (e->summary, ==, "medication Lorazepam (benzodiazepine)");
  g_assert_cmpstr (e->patient_uid, ==, p->uid);
  g_clear_pointer (&events, g_ptr_array_unref);

  /* Read back, trimmed; with the records, the unknown start first. */
  back = traj_store_get_medication (fx->store, m->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, "Lorazepam");
  g_assert_cmpint (back->klass, ==, TRAJ_MED_CLASS_BENZODIAZEPINE);
  g_assert_cmpstr (back->dose, ==, "1 mg at night");
  g_assert_cmpint (back->start_day, ==, traj_day_from_ymd (2026, 3, 2));
  g_assert_cmpint (back->stop_day, ==, TRAJ_DAY_NONE);
  g_assert_cmpint (back->patient_id, ==, fx->patient_id);
  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->medications->len, ==, 2);
  g_assert_cmpstr (((TrajMedication *) g_ptr_array_index (r->medications, 0))->name, ==, "Sertraline");
  g_assert_cmpstr (((TrajMedication *) g_ptr_array_index (r->medications, 1))->name, ==, "Lorazepam");
  g_clear_pointer (&r, traj_patient_records_free);

  /* Stopped: an update, its old and new value in the trail. */
  back->stop_day = traj_day_from_ymd (2026, 4, 30);
  g_assert_true (traj_store_update_medication (fx->store, back, &error));
  g_assert_no_error (error);
  stop = raw_text (fx->path, "SELECT stop_date FROM medication WHERE name = 'Lorazepam'");
  g_assert_cmpstr (stop, ==, "2026-04-30");
  events = traj_store_list_audit (fx->store, m->uid, &error);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->action, ==, "update");
  g_assert_nonnull (strstr (e->detail, "stop_date:  → 2026-04-30"));
  g_clear_pointer (&events, g_ptr_array_unref);

  /* What a person could get wrong: refused, nothing written. */
  {
    static const struct { const char *name; gint32 start, stop; gint code; const char *message; } bad[] = {
      { "  ", TRAJ_DAY_NONE, TRAJ_DAY_NONE, TRAJ_ERROR_MEDICATION_NAME, "Enter the medicine’s name." },
      { "Lorazepam", 0, -1, TRAJ_ERROR_MEDICATION_DATES, NULL },   /* stop the day before the start */
      { "Lorazepam", 1, TRAJ_DAY_NONE, TRAJ_ERROR_MEDICATION_DATES, NULL },   /* starts tomorrow */
      { "Lora\x1bzepam", TRAJ_DAY_NONE, TRAJ_DAY_NONE, TRAJ_ERROR_TEXT_CONTROL, NULL },
    };
    for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
      {
        gint32 base = k == 2 ? fx->today : traj_day_from_ymd (2026, 3, 2);
        g_autoptr(TrajMedication) b = make_medication (fx, TRAJ_MED_CLASS_LAMOTRIGINE, bad[k].name,
                                                       bad[k].start == TRAJ_DAY_NONE ? TRAJ_DAY_NONE : base + bad[k].start,
                                                       bad[k].stop == TRAJ_DAY_NONE ? TRAJ_DAY_NONE : base + bad[k].stop);
        snapshot_take (fx, &s);
        if (k == 1)
          {
            g_assert_false (traj_validate_medication (b, fx->today, &error));
            g_assert_cmpstr (error->message, ==, "The stop date (1 Mar 2026) is before the start date (2 Mar 2026).");
            g_clear_error (&error);
          }
        if (bad[k].message)
          {
            g_assert_false (traj_validate_medication (b, fx->today, &error));
            g_assert_cmpstr (error->message, ==, bad[k].message);
            g_clear_error (&error);
          }
        assert_rejected (fx, &s, traj_store_insert_medication (fx->store, b, &error), &error, bad[k].code);
        b->id = m->id;
        snapshot_take (fx, &s);
        assert_rejected (fx, &s, traj_store_update_medication (fx->store, b, &error), &error, bad[k].code);
      }
  }
  g_assert_cmpint (raw_exec (fx->path, "UPDATE medication SET class = 'aspirin'", NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (raw_exec (fx->path, "UPDATE medication SET stop_date = '2026-03-01' WHERE name = 'Lorazepam'",
                             NULL), ==, SQLITE_CONSTRAINT);

  /* Entered in error: hidden, and brought back. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_MEDICATION, m->id, &error));
  g_assert_no_error (error);
  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_cmpuint (r->medications->len, ==, 1);
  g_clear_pointer (&r, traj_patient_records_free);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM medication"), ==, 2);
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_MEDICATION, m->id, &error));
  g_assert_no_error (error);

  /* A new connection reads the file's list as it was left. */
  g_clear_object (&fx->store);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->medications->len, ==, 2);
  g_assert_cmpint (((TrajMedication *) g_ptr_array_index (r->medications, 1))->stop_day, ==,
                   traj_day_from_ymd (2026, 4, 30));
}

/* A clinic file from schema 16 gains the medication list, empty. */
static void
test_migrate_medication (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) back = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  back = migrated_infusion (fx, TRAJ_TEST_UNDO_017 "PRAGMA user_version = 16");
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM medication"), ==, 0);
  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->medications->len, ==, 0);
}

/* What is written is what is read back; a draft stays a draft. */
static void
test_roundtrip (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = make_infusion (fx);
  g_autoptr(TrajInfusion) ib = NULL;
  g_autoptr(TrajAssessment) a = make_assessment (fx, TRAJ_SCALE_PHQ9, 2);
  g_autoptr(TrajAssessment) draft = make_assessment (fx, TRAJ_SCALE_GAD7, 3);
  g_autoptr(TrajAssessment) ab = NULL, db = NULL;
  g_autofree char *sql = NULL;
  GError *error = NULL;

  i->side_effects = TRAJ_SIDE_NAUSEA | TRAJ_SIDE_DISSOCIATION;
  i->concomitant = TRAJ_CONCOMITANT_BENZODIAZEPINE;
  g_ptr_array_insert (i->vitals, 0, make_vital (90, 125, 80, 70, 98, 14));
  accept_infusion (fx, i);
  ib = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ib->uid, ==, i->uid);
  g_assert_cmpint (ib->started_at, ==, i->started_at);
  g_assert_cmpfloat (ib->dose_mg_per_kg, ==, 0.5);
  g_assert_cmpfloat (ib->total_mg, ==, 35);
  g_assert_cmpuint (ib->side_effects, ==, TRAJ_SIDE_NAUSEA | TRAJ_SIDE_DISSOCIATION);
  g_assert_cmpuint (ib->concomitant, ==, TRAJ_CONCOMITANT_BENZODIAZEPINE);
  g_assert_cmpuint (ib->vitals->len, ==, 3);
  /* Readings come back in minute order. */
  g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (ib->vitals, 0))->minute, ==, 0);
  g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (ib->vitals, 1))->minute, ==, 40);
  g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (ib->vitals, 1))->systolic, ==, 141);
  g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (ib->vitals, 2))->minute, ==, 90);

  a->items[TRAJ_PHQ9_ITEM9] = 1;
  a->difficulty = 2;
  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  ab = traj_store_get_assessment (fx->store, a->id, &error);
  g_assert_no_error (error);
  g_assert_true (ab->complete);
  g_assert_cmpint (ab->total, ==, 17);
  g_assert_cmpint (ab->items[TRAJ_PHQ9_ITEM9], ==, 1);
  g_assert_cmpint (ab->items[0], ==, 2);
  g_assert_cmpint (ab->difficulty, ==, 2);

  /* One unanswered item: stored as a draft, with no total. */
  draft->items[4] = -1;
  draft->complete = TRUE;
  draft->total = 18;
  g_assert_true (traj_store_insert_assessment (fx->store, draft, &error));
  g_assert_no_error (error);
  g_assert_false (draft->complete);
  g_assert_cmpint (draft->total, ==, -1);
  db = traj_store_get_assessment (fx->store, draft->id, &error);
  g_assert_no_error (error);
  g_assert_false (db->complete);
  g_assert_cmpint (db->total, ==, -1);
  g_assert_cmpint (db->items[4], ==, -1);
  g_assert_cmpint (db->items[3], ==, 3);
  sql = g_strdup_printf ("SELECT total IS NULL AND complete = 0 FROM assessment WHERE id = %" G_GINT64_FORMAT, draft->id);
  g_assert_cmpint (raw_int (fx->path, sql), ==, 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM assessment_item WHERE assessment_id = %" G_GINT64_FORMAT, draft->id);
  g_assert_cmpint (raw_int (fx->path, sql), ==, 6);
}

/* ---- audit ------------------------------------------------------------------- */

/* The newest audit row is (@action, @kind, @uid) by this OS user and @clinician,
 * and exactly one row was added since @before. */
static void
assert_audited (Fixture *fx, gint64 before, const char *action, const char *kind, const char *uid,
                const char *clinician)
{
  g_autoptr(GPtrArray) events = NULL;
  const TrajAuditEvent *e;
  GError *error = NULL;

  g_assert_cmpint (audit_rows (fx->path), ==, before + 1);
  events = traj_store_list_audit (fx->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, (guint) before + 1);
  e = g_ptr_array_index (events, 0);   /* newest first */
  g_assert_cmpstr (e->action, ==, action);
  g_assert_cmpstr (e->record_kind, ==, kind);
  g_assert_cmpstr (e->record_uid, ==, uid);
  g_assert_cmpstr (e->os_user, ==, g_get_user_name ());
  g_assert_cmpstr (e->clinician, ==, clinician);
  g_assert_cmpint (e->at, >=, fx->now - 5);
  g_assert_cmpint (e->at, <=, traj_time_now () + 5);
}

static void
test_audit_per_change (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ("MRN-1", "Ada Abbott");
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajInfusion) i = NULL;
  g_autoptr(TrajAssessment) a = NULL;
  g_autoptr(TrajFlagDecision) d = traj_flag_decision_new ();
  g_autoptr(GPtrArray) mine = NULL;
  GError *error = NULL;
  const char *okoye;
  gint64 n;

  n = audit_rows (fx->path);
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "insert", "patient", p->uid, "Dr. Test");

  n = audit_rows (fx->path);
  g_free (p->name);
  p->name = g_strdup ("Ada Abbott-Smith");
  g_assert_true (traj_store_update_patient (fx->store, p, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "update", "patient", p->uid, "Dr. Test");

  /* The clinician named on the next change is whoever is set now. */
  /* On a server the clinician is the login, whatever name is set. */
  traj_store_set_clinician (fx->store, "N. Okoye, RN");
  okoye = traj_test_postgres () ? TRAJ_TEST_LOGIN : "N. Okoye, RN";
  g_assert_cmpstr (traj_store_get_clinician (fx->store), ==, okoye);
  n = audit_rows (fx->path);
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, p->id, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "delete", "patient", p->uid, okoye);

  /* Deleting what is already deleted changes nothing and audits nothing. */
  n = audit_rows (fx->path);
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, p->id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (audit_rows (fx->path), ==, n);

  n = audit_rows (fx->path);
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_PATIENT, p->id, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "undelete", "patient", p->uid, okoye);

  mine = traj_store_list_audit (fx->store, p->uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mine->len, ==, 4);
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (mine, 0))->action, ==, "undelete");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (mine, 1))->action, ==, "delete");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (mine, 2))->action, ==, "update");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (mine, 3))->action, ==, "insert");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (mine, 3))->clinician, ==, "Dr. Test");

  /* Every other kind of record: one row per change. */
  traj_store_set_clinician (fx->store, "Dr. Test");
  fx->patient_id = p->id;
  c->patient_id = p->id;
  c->start_day = fx->today - 10;
  n = audit_rows (fx->path);
  g_assert_true (traj_store_insert_course (fx->store, c, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "insert", "course", c->uid, "Dr. Test");
  fx->course_id = c->id;
  c->status = TRAJ_COURSE_MAINTENANCE;
  n = audit_rows (fx->path);
  g_assert_true (traj_store_update_course (fx->store, c, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "update", "course", c->uid, "Dr. Test");

  i = make_infusion (fx);
  n = audit_rows (fx->path);
  g_assert_true (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "insert", "infusion", i->uid, "Dr. Test");
  i->lot = (g_free (i->lot), g_strdup ("L9999"));
  n = audit_rows (fx->path);
  g_assert_true (traj_store_update_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "update", "infusion", i->uid, "Dr. Test");
  n = audit_rows (fx->path);
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_INFUSION, i->id, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "delete", "infusion", i->uid, "Dr. Test");
  n = audit_rows (fx->path);
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_INFUSION, i->id, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "undelete", "infusion", i->uid, "Dr. Test");

  a = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
  n = audit_rows (fx->path);
  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "insert", "assessment", a->uid, "Dr. Test");
  a->items[0] = 3;
  n = audit_rows (fx->path);
  g_assert_true (traj_store_update_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "update", "assessment", a->uid, "Dr. Test");

  d->patient_id = p->id;
  d->kind = g_strdup ("safety");
  d->finding_key = g_strdup_printf ("safety:%s", a->uid);
  d->fired_at = a->taken_at;
  d->decision = g_strdup ("acknowledged");
  n = audit_rows (fx->path);
  g_assert_true (traj_store_insert_flag_decision (fx->store, d, &error));
  g_assert_no_error (error);
  assert_audited (fx, n, "insert", "flag_decision", d->uid, "Dr. Test");
  g_assert_cmpstr (d->decided_by, ==, "Dr. Test");
}

/* Issue 16 §3: edits keep the values they replaced; the trail is a hash
 * chain that holds after ordinary work and migrations, on both engines. */
static void
test_audit_chain_and_previous_values (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ("MRN-1", "Ada Abbott");
  TrajAuditFilter f = { .action = "update", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  g_autoptr(GPtrArray) events = NULL;
  const TrajAuditEvent *e;
  GError *error = NULL;
  gint64 n = 0;

  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  g_free (p->name);
  p->name = g_strdup ("Ada Abbot-Smith");
  g_free (p->notes);
  p->notes = g_strdup ("moved");
  g_assert_true (traj_store_update_patient (fx->store, p, &error));
  g_assert_no_error (error);
  fx->patient_id = p->id;
  fx->course_id = add_course (fx, p->id, fx->today - 20);
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    TrajVitalSign *v;

    accept_infusion (fx, i);
    g_assert_cmpuint (i->vitals->len, >, 0);
    v = g_ptr_array_index (i->vitals, 0);
    v->systolic = 141;
    g_assert_true (traj_store_update_infusion (fx->store, i, &error));
    g_assert_no_error (error);
  }

  events = traj_store_list_audit_filtered (fx->store, &f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  /* Newest first: the infusion's vital sign, then the patient's name and notes. */
  e = g_ptr_array_index (events, 1);
  g_assert_cmpstr (e->record_uid, ==, p->uid);
  g_assert_cmpstr (e->patient_uid, ==, p->uid);
  g_assert_cmpstr (e->detail, ==, "name: Ada Abbott → Ada Abbot-Smith\nnotes:  → moved\n");
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->record_kind, ==, "infusion");
  g_assert_cmpstr (e->patient_uid, ==, p->uid);
  g_assert_nonnull (strstr (e->detail, "minute 0 systolic: "));
  g_assert_nonnull (strstr (e->detail, " → 141\n"));

  /* The patient filter finds the patient's events, the course's too. */
  {
    TrajAuditFilter pf = { .patient_uid = p->uid, .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    g_autoptr(GPtrArray) mine = traj_store_list_audit_filtered (fx->store, &pf, &error);

    g_assert_no_error (error);
    /* insert + update of the patient, course insert, infusion insert + update */
    g_assert_cmpuint (mine->len, ==, 5);
  }

  g_assert_true (traj_store_audit_verify (fx->store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, audit_rows (fx->path));
}

typedef struct {
  const char *name;
  const char *sql;            /* run on a copy of the clinic file */
  const char *expect;         /* part of the verify message */
} Tamper;

/* SQLite: each way of rewriting the trail by hand is found, naming the
 * first broken link; a dropped table or trigger is a message, not a raw
 * SQL error. Triggers dropped to get round append-only are put back, as a
 * careful forger would. */
static void
test_audit_tamper (Fixture *fx, gconstpointer data)
{
#define RESTORE_UPDATE "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event " \
  "BEGIN SELECT RAISE (ABORT, 'audit_event is append-only'); END;"
#define RESTORE_DELETE "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event " \
  "BEGIN SELECT RAISE (ABORT, 'audit_event is append-only'); END;"
  static const Tamper cases[] = {
    { "changed", "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET clinician = 'someone else' WHERE id = 9; "
      RESTORE_UPDATE, "event 9 was changed after it was written" },
    { "removed", "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE id = 9; " RESTORE_DELETE,
      "event 9 was removed" },
    { "forged", "DROP TRIGGER audit_event_chain; "
      "INSERT INTO audit_event (id, at, os_user, clinician, action, record_kind, record_uid, summary) "
      "VALUES (100, 1000000000, 'x', 'Dr. Test', 'update', 'patient', 'x', 'back-dated');",
      "its protection audit_event_chain was removed or disabled" },
    { "forged-hidden", "DROP TRIGGER audit_event_chain; "
      "INSERT INTO audit_event (id, at, os_user, clinician, action, record_kind, record_uid, summary) "
      "VALUES (100, 1000000000, 'x', 'Dr. Test', 'update', 'patient', 'x', 'back-dated'); "
      "CREATE TRIGGER audit_event_chain AFTER INSERT ON audit_event BEGIN SELECT 1; END;",
      "event 100 was written outside Trajectory (it has no link)" },
    { "dropped-trigger", "DROP TRIGGER audit_event_no_delete", "its protection audit_event_no_delete was removed" },
    { "dropped-table", "DROP TABLE audit_event", "the table audit_event is missing" },
    { "dropped-chain", "DROP TABLE audit_chain", "the table audit_chain is missing" },
    { "tail-removed", "DROP TRIGGER audit_event_no_delete; DROP TRIGGER audit_chain_no_delete; "
      "DELETE FROM audit_chain WHERE event_id = (SELECT max (id) FROM audit_event); "
      "DELETE FROM audit_event WHERE id = (SELECT max (id) FROM audit_event); " RESTORE_DELETE
      "CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain BEGIN SELECT RAISE (ABORT, 'x'); END;",
      "the seal does not name the last event" },
    { "copied-seal", "UPDATE audit_seal SET hash = (SELECT hash FROM audit_chain WHERE seq = 3), seq = 3",
      "the seal does not name the last event" },
  };
  GError *error = NULL;
  g_autofree char *msg = NULL;

  if (traj_test_skip_on_postgres ("hand-written SQL on the clinic file (SQLite)"))
    return;
  for (guint k = 0; k < 3; k++)
    add_patient (fx, k == 0 ? "MRN-1" : k == 1 ? "MRN-2" : "MRN-3", "Ada Abbott");
  g_assert_cmpint (audit_rows (fx->path), ==, TRAJ_SCHEMA_VERSION + 3);
  g_clear_object (&fx->store);

  /* A back-dated insert by another program: refused outright (it cannot
   * compute the link), and with a borrowed link function still refused
   * (ids only grow). */
  g_assert_cmpint (raw_exec (fx->path, "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, "
                             "record_uid, summary) VALUES (1, 'x', 'x', 'x', 'x', 'x', 'x')", &msg), !=, SQLITE_OK);
  g_assert_nonnull (strstr (msg, "traj_sha256"));
  g_clear_pointer (&msg, g_free);

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *copy = g_strdup_printf ("%s/%s.db", fx->dir, cases[k].name);
      g_autofree char *text = NULL;
      g_autoptr(TrajStore) store = NULL;
      gsize len;

      g_test_message ("%s", cases[k].name);
      g_assert_true (g_file_get_contents (fx->path, &text, &len, NULL));
      g_assert_true (g_file_set_contents (copy, text, (gssize) len, NULL));
      g_assert_cmpint (raw_exec (copy, cases[k].sql, &msg), ==, SQLITE_OK);
      store = traj_test_open (copy, &error);
      g_assert_no_error (error);
      g_assert_false (traj_store_audit_verify (store, NULL, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_AUDIT_BROKEN);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "The audit trail has been tampered with: "));
      g_assert_nonnull (strstr (error->message, cases[k].expect));
      g_clear_error (&error);
    }
  /* The untouched file holds. */
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_audit_verify (fx->store, NULL, &error));
  g_assert_no_error (error);
}

/* An event dated before the one before it (by more than a clock's slip)
 * is reported, naming both. A client's back-dated insert on a server gets
 * the server's time instead (postgres/024); the owner, who may suspend
 * that trigger as migrate does, is still caught by the check. */
static void
test_audit_back_dated (Fixture *fx, gconstpointer data)
{
  static const char insert[] =
    "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
    "VALUES (1000000000, 'x', 'x', 'update', 'patient', 'back-dated', 'x')";
  g_autoptr(GError) error = NULL;
  g_autofree char *last_sql = NULL, *expect = NULL;
  gint64 last, at;

  add_patient (fx, "MRN-1", "Ada Abbott");
  last = traj_test_query_int (fx->path, "SELECT max (id) FROM audit_event");
  g_assert_true (traj_db_exec (traj_store_get_connection (fx->store), insert, &error));
  g_assert_no_error (error);
  at = traj_test_query_int (fx->path, "SELECT at FROM audit_event WHERE record_uid = 'back-dated'");
  if (traj_test_postgres ())
    {
      /* The server's clock, not the client's. */
      g_assert_cmpint (ABS (at - traj_time_now ()), <, 60);
      g_assert_true (traj_store_audit_verify (fx->store, NULL, &error));
      g_assert_no_error (error);
      last = traj_test_query_int (fx->path, "SELECT max (id) FROM audit_event");
      g_assert_true (traj_test_exec (fx->path, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_who; "
                                     "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, "
                                     "record_uid, summary) VALUES (1000000000, 'x', 'x', 'update', 'patient', "
                                     "'owner-back-dated', 'x'); "
                                     "ALTER TABLE audit_event ENABLE TRIGGER audit_event_who", &error));
      g_assert_no_error (error);
    }
  else
    g_assert_cmpint (at, ==, 1000000000);
  expect = g_strdup_printf ("event %" G_GINT64_FORMAT " is out of order: dated ", last + 1);
  g_assert_false (traj_store_audit_verify (fx->store, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_AUDIT_BROKEN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expect));
  last_sql = g_strdup_printf (", before event %" G_GINT64_FORMAT " (", last);
  g_assert_nonnull (strstr (error->message, last_sql));
}

static void
test_audit_append_only (Fixture *fx, gconstpointer data)
{
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *msg = NULL;
  GError *error = NULL;
  gint64 n;
  int rc;

  add_patient (fx, "MRN-1", "Ada Abbott");
  add_patient (fx, "MRN-2", "Ben Bianchi");
  n = audit_rows (fx->path);
  g_assert_cmpint (n, >=, 3);
  before = raw_dump (fx->path, TRUE);

  /* Hand-written SQL on the file, with the store open and closed. */
  rc = raw_exec (fx->path, "UPDATE audit_event SET clinician = 'someone else'", &msg);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (msg, "append-only"));
  g_clear_pointer (&msg, g_free);
  rc = raw_exec (fx->path, "DELETE FROM audit_event", &msg);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (msg, "append-only"));
  g_clear_pointer (&msg, g_free);
  rc = raw_exec (fx->path, "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)", &msg);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  g_clear_pointer (&msg, g_free);
  /* Overwriting a row by its id is a rewrite too. */
  rc = raw_exec (fx->path,
                 "INSERT OR REPLACE INTO audit_event (id, at, os_user, clinician, action, record_kind, record_uid, summary) "
                 "VALUES (1, 0, 'x', 'x', 'x', 'x', 'x', 'x')", &msg);
  g_assert_cmpint (rc, !=, SQLITE_OK);
  g_clear_pointer (&msg, g_free);
  rc = raw_exec (fx->path,
                 "INSERT INTO audit_event (id, at, os_user, clinician, action, record_kind, record_uid, summary) "
                 "VALUES (1, 0, 'x', 'x', 'x', 'x', 'x', 'x') ON CONFLICT (id) DO UPDATE SET summary = 'x'", &msg);
  g_assert_cmpint (rc, !=, SQLITE_OK);
  g_clear_pointer (&msg, g_free);

  g_clear_object (&fx->store);
  rc = raw_exec (fx->path, "DELETE FROM audit_event", &msg);
  g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
  g_clear_pointer (&msg, g_free);

  after = raw_dump (fx->path, TRUE);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (audit_rows (fx->path), ==, n);

  /* The store has no way to remove one: only records have delete, and the
   * kinds that are not records are refused. */
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_false (traj_store_delete (fx->store, TRAJ_KIND_KIOSK_CHECKIN, 1, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (traj_store_delete (fx->store, TRAJ_N_KINDS, 1, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (audit_rows (fx->path), ==, n);
  /* Deleting a record adds to the trail; it never shrinks it. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (audit_rows (fx->path), ==, n + 1);
}

/* ---- soft delete ---------------------------------------------------------- */

static gboolean
list_has (TrajStore *store, gint64 id)
{
  g_autoptr(GPtrArray) list = traj_store_list_patients (store, NULL);

  g_assert_nonnull (list);
  for (guint k = 0; k < list->len; k++)
    if (((TrajPatientSummary *) g_ptr_array_index (list, k))->id == id)
      return TRUE;
  return FALSE;
}

static gboolean
foreach_collect (TrajPatientRecords *r, gpointer user_data)
{
  GArray *ids = user_data;
  g_array_append_val (ids, r->patient->id);
  return TRUE;
}

static void
test_soft_delete_patient (Fixture *fx, gconstpointer data)
{
  gint64 a = add_patient (fx, "MRN-1", "Ada Abbott");
  gint64 b = add_patient (fx, "MRN-2", "Ben Bianchi");
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajPatient) by_mrn = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(TrajAssessment) as = NULL;
  GError *error = NULL;
  gint64 rows;

  fx->patient_id = a;
  fx->course_id = add_course (fx, a, fx->today - 20);
  {
    g_autoptr(TrajInfusion) i = make_infusion (fx);
    accept_infusion (fx, i);
  }
  as = make_assessment (fx, TRAJ_SCALE_PHQ9, 2);
  g_assert_true (traj_store_insert_assessment (fx->store, as, &error));
  g_assert_no_error (error);

  rows = data_rows (fx->path);
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, a, &error));
  g_assert_no_error (error);
  /* Hidden, not removed. */
  g_assert_cmpint (data_rows (fx->path), ==, rows);
  g_assert_false (list_has (fx->store, a));
  g_assert_true (list_has (fx->store, b));
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_PATIENT, NULL), ==, 1);
  r = traj_store_load_patient_records (fx->store, a, &error);
  g_assert_null (r);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  by_mrn = traj_store_find_patient_by_mrn (fx->store, "MRN-1", &error);
  g_assert_null (by_mrn);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (traj_store_foreach_patient_records (fx->store, foreach_collect, ids, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, b);
  /* Nothing new can be recorded for a hidden patient. */
  {
    g_autoptr(TrajAssessment) more = make_assessment (fx, TRAJ_SCALE_PHQ9, 1);
    more->course_id = 0;
    reject_assessment (fx, more, TRAJ_ERROR_NO_PATIENT);
  }

  /* Undo brings the patient back with all of their records. */
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_PATIENT, a, &error));
  g_assert_no_error (error);
  g_assert_true (list_has (fx->store, a));
  r = traj_store_load_patient_records (fx->store, a, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->patient->mrn, ==, "MRN-1");
  g_assert_cmpuint (r->courses->len, ==, 1);
  g_assert_cmpuint (r->infusions->len, ==, 1);
  g_assert_cmpuint (((TrajInfusion *) g_ptr_array_index (r->infusions, 0))->vitals->len, ==, 2);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  g_assert_cmpint (((TrajAssessment *) g_ptr_array_index (r->assessments, 0))->total, ==, 18);

  g_array_set_size (ids, 0);
  g_assert_true (traj_store_foreach_patient_records (fx->store, foreach_collect, ids, NULL, &error));
  g_assert_cmpuint (ids->len, ==, 2);

  /* Deleting something that does not exist says so. */
  g_assert_false (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, 999, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static gint64
add_infusion_on (Fixture *fx, gint64 course_id, int days_ago)
{
  g_autoptr(TrajInfusion) i = make_infusion (fx);

  i->course_id = course_id;
  i->started_at = fx->now - days_ago * 24 * 3600;
  accept_infusion (fx, i);
  return i->id;
}

static gint64
add_assessment_on (Fixture *fx, gint64 course_id, int days_ago, int answer)
{
  g_autoptr(TrajAssessment) a = make_assessment (fx, TRAJ_SCALE_PHQ9, answer);
  GError *error = NULL;

  a->course_id = course_id;
  a->taken_at = fx->now - days_ago * 24 * 3600 - 3600;
  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  return a->id;
}

static gboolean
has_id (GPtrArray *records, gint64 id)
{
  /* Every record struct starts with its gint64 id. */
  for (guint k = 0; k < records->len; k++)
    if (*(gint64 *) g_ptr_array_index (records, k) == id)
      return TRUE;
  return FALSE;
}

static void
test_soft_delete_course (Fixture *fx, gconstpointer data)
{
  gint64 c1 = fx->course_id, c2;
  gint64 i1a, i1b, i1gone, i2, a1a, a1b, a1gone, a2, a_free;
  g_autoptr(TrajPatientRecords) r = NULL;
  GError *error = NULL;
  gint64 audit_before;

  c2 = add_course (fx, fx->patient_id, fx->today - 5);
  i1a = add_infusion_on (fx, c1, 20);
  i1b = add_infusion_on (fx, c1, 18);
  i1gone = add_infusion_on (fx, c1, 16);
  i2 = add_infusion_on (fx, c2, 3);
  a1a = add_assessment_on (fx, c1, 21, 2);
  a1b = add_assessment_on (fx, c1, 17, 1);
  a1gone = add_assessment_on (fx, c1, 15, 3);
  a2 = add_assessment_on (fx, c2, 2, 1);
  a_free = add_assessment_on (fx, 0, 1, 1);

  /* Two records of the course were deleted on their own beforehand: undoing
   * the course's deletion must not bring them back. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_INFUSION, i1gone, &error));
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_ASSESSMENT, a1gone, &error));
  g_assert_no_error (error);

  audit_before = audit_rows (fx->path);
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_COURSE, c1, &error));
  g_assert_no_error (error);
  /* One change, one audit row, even though it hid five records. */
  g_assert_cmpint (audit_rows (fx->path), ==, audit_before + 1);

  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->courses->len, ==, 1);
  g_assert_true (has_id (r->courses, c2));
  g_assert_cmpuint (r->infusions->len, ==, 1);
  g_assert_true (has_id (r->infusions, i2));
  g_assert_cmpuint (r->assessments->len, ==, 2);
  g_assert_true (has_id (r->assessments, a2));
  g_assert_true (has_id (r->assessments, a_free));
  g_clear_pointer (&r, traj_patient_records_free);
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_INFUSION, NULL), ==, 1);
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_ASSESSMENT, NULL), ==, 2);

  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_COURSE, c1, &error));
  g_assert_no_error (error);
  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->courses->len, ==, 2);
  g_assert_cmpuint (r->infusions->len, ==, 3);
  g_assert_true (has_id (r->infusions, i1a));
  g_assert_true (has_id (r->infusions, i1b));
  g_assert_true (has_id (r->infusions, i2));
  g_assert_false (has_id (r->infusions, i1gone));
  g_assert_cmpuint (r->assessments->len, ==, 4);
  g_assert_true (has_id (r->assessments, a1a));
  g_assert_true (has_id (r->assessments, a1b));
  g_assert_false (has_id (r->assessments, a1gone));
  /* In time order. */
  g_assert_cmpint (((TrajInfusion *) g_ptr_array_index (r->infusions, 0))->id, ==, i1a);
  g_assert_cmpint (((TrajAssessment *) g_ptr_array_index (r->assessments, 3))->id, ==, a_free);

  /* The ones deleted on their own can still be brought back on their own. */
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_INFUSION, i1gone, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_INFUSION, NULL), ==, 4);
}

/* ---- two connections -------------------------------------------------------- */

static void
assert_same_records (const TrajPatientRecords *a, const TrajPatientRecords *b)
{
  g_assert_cmpstr (a->patient->uid, ==, b->patient->uid);
  g_assert_cmpstr (a->patient->name, ==, b->patient->name);
  g_assert_cmpuint (a->courses->len, ==, b->courses->len);
  g_assert_cmpuint (a->infusions->len, ==, b->infusions->len);
  g_assert_cmpuint (a->assessments->len, ==, b->assessments->len);
  for (guint k = 0; k < a->infusions->len; k++)
    {
      const TrajInfusion *x = g_ptr_array_index (a->infusions, k), *y = g_ptr_array_index (b->infusions, k);
      g_assert_cmpstr (x->uid, ==, y->uid);
      g_assert_cmpuint (x->vitals->len, ==, y->vitals->len);
      g_assert_cmpfloat (x->total_mg, ==, y->total_mg);
    }
  for (guint k = 0; k < a->assessments->len; k++)
    {
      const TrajAssessment *x = g_ptr_array_index (a->assessments, k), *y = g_ptr_array_index (b->assessments, k);
      g_assert_cmpstr (x->uid, ==, y->uid);
      g_assert_cmpint (x->total, ==, y->total);
      g_assert_cmpmem (x->items, sizeof x->items, y->items, sizeof y->items);
    }
}

static void
test_two_connections (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) second = NULL;
  g_autoptr(TrajStore) third = NULL;
  g_autoptr(TrajPatientRecords) ra = NULL, rb = NULL;
  g_autoptr(TrajPatient) seen = NULL;
  GError *error = NULL;
  gint64 from_third;

  second = traj_store_open_secondary (fx->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (traj_store_get_path (second), ==, traj_test_location (fx->path));
  g_assert_cmpstr (traj_store_get_clinician (second), ==, "Dr. Test");
  third = traj_test_open (fx->path, &error);
  g_assert_no_error (error);

  /* One writes… */
  fx->patient_id = add_patient (fx, "MRN-1", "Ada Abbott");
  fx->course_id = add_course (fx, fx->patient_id, fx->today - 10);
  add_infusion_on (fx, fx->course_id, 8);
  add_infusion_on (fx, fx->course_id, 6);
  add_assessment_on (fx, fx->course_id, 9, 2);
  add_assessment_on (fx, fx->course_id, 5, 1);

  /* …the others read the same thing. */
  ra = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  rb = traj_store_load_patient_records (second, fx->patient_id, &error);
  g_assert_no_error (error);
  assert_same_records (ra, rb);
  g_clear_pointer (&rb, traj_patient_records_free);
  rb = traj_store_load_patient_records (third, fx->patient_id, &error);
  g_assert_no_error (error);
  assert_same_records (ra, rb);
  g_assert_true (list_has (second, fx->patient_id));

  /* And the other way round. */
  {
    g_autoptr(TrajPatient) p = make_patient ("MRN-3", "Carmen Castillo");
    g_assert_true (traj_store_insert_patient (third, p, &error));
    g_assert_no_error (error);
    from_third = p->id;
  }
  seen = traj_store_get_patient (fx->store, from_third, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seen->name, ==, "Carmen Castillo");
  g_assert_true (list_has (second, from_third));
}

static void
test_bulk_isolation (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) reader = NULL;
  g_autoptr(TrajPatient) p = make_patient ("MRN-B1", "Bulk One");
  g_autoptr(TrajPatient) q = make_patient ("MRN-B2", "Bulk Two");
  g_autoptr(TrajPatientRecords) r = NULL;
  GError *error = NULL;
  gint64 audit_before;
  char *before;

  reader = traj_store_open_secondary (fx->store, &error);
  g_assert_no_error (error);
  add_patient (fx, "MRN-1", "Ada Abbott");
  audit_before = audit_rows (fx->path);

  /* A write in progress is invisible to the reader… */
  g_assert_true (traj_store_bulk_begin (fx->store, "import", "test import", &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  fx->patient_id = p->id;
  fx->course_id = add_course (fx, p->id, fx->today - 3);
  add_assessment_on (fx, fx->course_id, 2, 2);
  /* …though the writer sees its own batch. */
  g_assert_true (list_has (fx->store, p->id));
  g_assert_false (list_has (reader, p->id));
  g_assert_cmpint (traj_store_count (reader, TRAJ_KIND_PATIENT, NULL), ==, 1);
  g_assert_cmpint (traj_store_count (reader, TRAJ_KIND_ASSESSMENT, NULL), ==, 0);
  r = traj_store_load_patient_records (reader, p->id, &error);
  g_assert_null (r);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (data_rows (fx->path), ==, 1);

  /* …until commit. One audit row stands for the whole batch. */
  g_assert_true (traj_store_bulk_commit (fx->store, &error));
  g_assert_no_error (error);
  g_assert_true (list_has (reader, p->id));
  r = traj_store_load_patient_records (reader, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->courses->len, ==, 1);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  /* The batch's event, one listing the three records it wrote, and their
   * counts (issue 16 §3: every record an import touched is in the trail). */
  g_assert_cmpint (audit_rows (fx->path), ==, audit_before + 3);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event WHERE action = 'import'"), ==, 3);
  {
    TrajAuditFilter f = { .action = "import", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    g_autoptr(GPtrArray) events = traj_store_list_audit_filtered (fx->store, &f, &error);
    g_autoptr(TrajPatientRecords) rec = traj_store_load_patient_records (fx->store, p->id, &error);
    g_autofree char *expect = NULL;
    const TrajAuditEvent *records, *counts;

    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 3);
    counts = g_ptr_array_index (events, 0);
    records = g_ptr_array_index (events, 1);
    /* Each record names its patient, last on its line. */
    expect = g_strdup_printf ("patient %s\ncourse %s %s\nassessment %s %s\n", p->uid,
                              ((TrajCourse *) g_ptr_array_index (rec->courses, 0))->uid, p->uid,
                              ((TrajAssessment *) g_ptr_array_index (rec->assessments, 0))->uid, p->uid);
    g_assert_cmpstr (records->record_kind, ==, "records");
    g_assert_cmpstr (records->detail, ==, expect);
    g_assert_cmpstr (counts->summary, ==, "import: patient 1, course 1, infusion 0, vital_sign 0, assessment 1, flag_decision 0, medication 0");
  }

  /* Issue 16: the Audit Trail's patient filter finds a batch by the
   * records it lists, also one that only adds to an existing patient, and
   * not by another patient whose uid is a prefix of this one's. */
  {
    g_autoptr(TrajPatient) ada = traj_store_find_patient_by_mrn (fx->store, "MRN-1", &error);
    g_autofree char *prefix = g_strndup (ada->uid, strlen (ada->uid) - 1);
    TrajAuditFilter pf = { .patient_uid = p->uid, .action = "import", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    TrajAuditFilter af = { .patient_uid = ada->uid, .action = "import", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    TrajAuditFilter nf = { .patient_uid = prefix, .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    g_autoptr(GPtrArray) mine = traj_store_list_audit_filtered (fx->store, &pf, &error);
    g_autoptr(GPtrArray) adas = NULL, none = NULL;
    const TrajAuditEvent *e;
    gint64 course;

    g_assert_no_error (error);
    g_assert_cmpuint (mine->len, ==, 1);
    g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (mine, 0))->record_kind, ==, "records");
    g_assert_cmpint (traj_store_count_audit_filtered (fx->store, &pf, &error), ==, 1);

    adas = traj_store_list_audit_filtered (fx->store, &af, &error);
    g_assert_cmpuint (adas->len, ==, 0);
    g_clear_pointer (&adas, g_ptr_array_unref);
    g_assert_true (traj_store_bulk_begin (fx->store, "import", "a course for Ada", &error));
    course = add_course (fx, ada->id, fx->today - 1);
    g_assert_true (traj_store_bulk_commit (fx->store, &error));
    g_assert_no_error (error);
    g_assert_cmpint (course, >, 0);
    adas = traj_store_list_audit_filtered (fx->store, &af, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (adas->len, ==, 1);
    e = g_ptr_array_index (adas, 0);
    g_assert_cmpstr (e->record_kind, ==, "records");
    g_assert_true (g_str_has_prefix (e->detail, "course "));
    {
      g_autofree char *tail = g_strdup_printf (" %s\n", ada->uid);

      g_assert_true (g_str_has_suffix (e->detail, tail));
      g_assert_true (strchr (e->detail, '\n') == e->detail + strlen (e->detail) - 1);
    }
    none = traj_store_list_audit_filtered (fx->store, &nf, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
  }

  /* A rolled-back batch leaves nothing behind, audit included. */
  before = raw_dump (fx->path, TRUE);
  g_assert_true (traj_store_bulk_begin (fx->store, "import", "abandoned import", &error));
  g_assert_true (traj_store_insert_patient (fx->store, q, &error));
  g_assert_no_error (error);
  g_assert_false (list_has (reader, q->id));
  traj_store_bulk_rollback (fx->store);
  g_assert_false (list_has (reader, q->id));
  g_assert_false (list_has (fx->store, q->id));
  {
    g_autofree char *after = raw_dump (fx->path, TRUE);
    g_assert_cmpstr (after, ==, before);
  }
  g_free (before);

  /* A batch with a failing row saves nothing at all. */
  before = raw_dump (fx->path, TRUE);
  g_assert_true (traj_store_bulk_begin (fx->store, "import", "bad import", &error));
  {
    g_autoptr(TrajPatient) ok = make_patient ("MRN-B3", "Fine Row");
    g_autoptr(TrajPatient) dup = make_patient ("MRN-1", "Duplicate Row");
    g_assert_true (traj_store_insert_patient (fx->store, ok, &error));
    g_assert_false (traj_store_insert_patient (fx->store, dup, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE);
    g_clear_error (&error);
  }
  traj_store_bulk_rollback (fx->store);
  {
    g_autofree char *after = raw_dump (fx->path, TRUE);
    g_assert_cmpstr (after, ==, before);
  }
  g_free (before);

  /* The store is usable afterwards. */
  add_patient (fx, "MRN-4", "Dev Delgado");
  g_assert_cmpint (traj_store_count (reader, TRAJ_KIND_PATIENT, NULL), ==, 3);
}

/* ---- kiosk check-in ----------------------------------------------------------- */

static void
test_kiosk (Fixture *fx, gconstpointer data)
{
  g_autofree char *code = NULL, *code2 = NULL, *wrong = NULL;
  g_autoptr(TrajKioskCheckin) used = NULL;
  TrajKioskCheckin *again;
  GError *error = NULL;
  gint64 id = 0, id2 = 0, audit_before;
  gint32 birth;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = NULL;

  fx->patient_id = add_patient (fx, "MRN-1", "Ada Abbott");
  birth = traj_day_from_ymd (1980, 5, 17);
  audit_before = audit_rows (fx->path);
  code = traj_store_create_checkin (fx->store, fx->patient_id, "phq9,gad7", 3600, &id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (code);
  g_assert_cmpint (id, >, 0);
  /* The code, and the clinic's check-in salt made with the first one. */
  g_assert_cmpint (audit_rows (fx->path), ==, audit_before + 2);
  /* Six digits. */
  g_assert_cmpuint (strlen (code), ==, 6);
  for (guint k = 0; k < 6; k++)
    g_assert_true (g_ascii_isdigit (code[k]));

  /* Only a hash of it is stored: no column of the row holds the code. */
  sql = g_strdup_printf ("SELECT * FROM kiosk_checkin WHERE id = %" G_GINT64_FORMAT, id);
  if (traj_test_postgres ())
    {
      g_autofree char *json_sql = g_strdup_printf ("SELECT row_to_json (k)::text FROM (%s) AS k", sql);
      g_autofree char *row = raw_text (fx->path, json_sql);
      g_test_message ("%s", row);
      g_assert_null (strstr (row, code));
    }
  else
  {
  db = raw_open (fx->path);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  for (int c = 0; c < sqlite3_column_count (stmt); c++)
    {
      const char *v = (const char *) sqlite3_column_text (stmt, c);
      g_test_message ("%s = %s", sqlite3_column_name (stmt, c), v ? v : "NULL");
      if (v == NULL)
        continue;
      g_assert_cmpstr (v, !=, code);
      if (sqlite3_column_type (stmt, c) == SQLITE_INTEGER)
        g_assert_cmpint (sqlite3_column_int64 (stmt, c), !=, g_ascii_strtoll (code, NULL, 10));
      if (g_str_equal (sqlite3_column_name (stmt, c), "code_hash"))
        g_assert_cmpuint (strlen (v), ==, 64);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  }
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_KIOSK_CHECKIN, NULL), ==, 1);

  /* A wrong code is refused and uses nothing up. */
  wrong = g_strdup_printf ("%06d", (int) ((g_ascii_strtoll (code, NULL, 10) + 1) % 1000000));
  g_assert_null (traj_store_redeem_checkin (fx->store, wrong, birth, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_null (traj_store_redeem_checkin (fx->store, "12345", birth, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);

  /* The right code works once… */
  audit_before = audit_rows (fx->path);
  used = traj_store_redeem_checkin (fx->store, code, birth, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (used);
  g_assert_cmpint (used->id, ==, id);
  g_assert_cmpint (used->patient_id, ==, fx->patient_id);
  g_assert_cmpstr (used->scales, ==, "phq9,gad7");
  g_assert_cmpint (used->used_at, >, 0);
  g_assert_cmpint (used->expires_at, ==, used->created_at + 3600);
  g_assert_cmpstr (used->created_by, ==, "Dr. Test");
  g_assert_cmpint (audit_rows (fx->path), ==, audit_before + 1);

  /* …and then, once its session ended, says it has been used (before
   * that, only the device that used it takes the session up again:
   * tests/test-kiosk.c /kiosk/kill-keeps-answers). */
  g_assert_true (traj_store_end_checkin (fx->store, used->id, &error));
  g_assert_no_error (error);
  again = traj_store_redeem_checkin (fx->store, code, birth, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "already"));
  g_clear_error (&error);

  /* An expired code is refused as expired. */
  code2 = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, &id2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id2, !=, id);
  g_free (sql);
  sql = g_strdup_printf ("UPDATE kiosk_checkin SET expires_at = %" G_GINT64_FORMAT " WHERE id = %" G_GINT64_FORMAT,
                         traj_time_now () - 60, id2);
  g_assert_true (traj_test_exec_audited (fx->path, sql, &error));
  g_assert_no_error (error);
  g_assert_null (traj_store_redeem_checkin (fx->store, code2, birth, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);

  /* No code for a patient who does not exist. */
  g_assert_null (traj_store_create_checkin (fx->store, 999, "phq9", 3600, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NO_PATIENT);
  g_clear_error (&error);
  g_assert_cmpint (traj_store_count (fx->store, TRAJ_KIND_KIOSK_CHECKIN, NULL), ==, 2);
}


/* ---- clinic-wide settings ---------------------------------------------------- */

static void
test_migrate_from_v1 (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *v = NULL;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;

  /* A clinic file from before clinic_setting existed: schema 1. */
  add_patient (fx, "MRN-1", "Ada Abbott");
  g_clear_object (&fx->store);
  g_assert_cmpint (raw_exec (fx->path, UNDO_004 "DROP TABLE clinic_setting; ALTER TABLE infusion DROP COLUMN date_confirmed; "
                             "PRAGMA user_version = 1", NULL), ==, SQLITE_OK);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (fx->path, "PRAGMA user_version"), ==, TRAJ_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM patient"), ==, 1);
  g_assert_true (traj_store_set_setting (fx->store, "clinic-name", "North", &error));
  g_assert_no_error (error);
  v = traj_store_get_setting (fx->store, "clinic-name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (v, ==, "North");
}

static void
test_settings (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *unset = NULL, *v = NULL, *by = NULL, *summary = NULL;
  g_autoptr(TrajStore) other = NULL;
  gint64 events;

  /* Unset: NULL and no error. */
  unset = traj_store_get_setting (fx->store, "checkin-second-factor", &error);
  g_assert_no_error (error);
  g_assert_null (unset);

  events = raw_int (fx->path, "SELECT count(*) FROM audit_event");
  g_assert_true (traj_store_set_setting (fx->store, "checkin-second-factor", "birth-date", &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_set_setting (fx->store, "checkin-second-factor", "none", &error));
  g_assert_no_error (error);
  v = traj_store_get_setting (fx->store, "checkin-second-factor", &error);
  g_assert_cmpstr (v, ==, "none");
  by = raw_text (fx->path, "SELECT updated_by FROM clinic_setting WHERE key = 'checkin-second-factor'");
  g_assert_cmpstr (by, ==, "Dr. Test");
  /* One audit event per change, naming the key and the value. */
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event"), ==, events + 2);
  summary = raw_text (fx->path, "SELECT summary FROM audit_event WHERE record_kind = 'clinic_setting' ORDER BY id DESC LIMIT 1");
  g_assert_cmpstr (summary, ==, "checkin-second-factor = none");

  /* Clinic-wide: another program on the same file reads the same value. */
  other = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&v, g_free);
  v = traj_store_get_setting (other, "checkin-second-factor", &error);
  g_assert_cmpstr (v, ==, "none");

  /* Bad names and values change nothing. */
  g_assert_false (traj_store_set_setting (fx->store, "", "x", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (traj_store_set_setting (fx->store, "Bad Key; DROP", "x", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (traj_store_set_setting (fx->store, "clinic-name", NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event"), ==, events + 2);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM clinic_setting WHERE key <> 'time-zone'"), ==, 1);
}

static void
test_settings_secret (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *v = NULL;

  g_assert_true (traj_store_setting_is_secret ("staff-pin-hash"));
  g_assert_false (traj_store_setting_is_secret ("staff-pin-salt"));
  g_assert_true (traj_store_set_setting (fx->store, "test-hash", "s3cr3t-value", &error));
  g_assert_no_error (error);
  /* The value is stored … */
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM clinic_setting WHERE value = 's3cr3t-value'"), ==, 1);
  /* … never read back through the API … */
  v = traj_store_get_setting (fx->store, "test-hash", &error);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_null (v);
  g_clear_error (&error);
  /* … and never in the audit trail, though the change is. */
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event WHERE record_uid = 'test-hash'"), ==, 1);
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM audit_event WHERE summary LIKE '%s3cr3t%'"), ==, 0);
}

/* ---- issue 16 §2: which opens make a clinic ------------------------------------ */

static void
test_open_existing (Fixture *fx, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fx->dir, "typo.db", NULL);
  g_autofree char *fresh = g_build_filename (fx->dir, "fresh.db", NULL);
  GError *error = NULL;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("clinic files (SQLite only)"))
    return;
  /* Opening an existing clinic makes nothing when there is none. */
  g_assert_null (traj_store_open_existing (missing, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* A new clinic is made whole beside the name and renamed into place:
   * nothing but the clinic (and its -wal/-shm) is left. */
  s = traj_store_open (fresh, &error);
  g_assert_no_error (error);
  g_object_unref (s);
  {
    g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
    for (const char *e; (e = g_dir_read_name (d)) != NULL;)
      g_assert_false (g_str_has_suffix (e, ".part"));
  }
  g_assert_cmpint (raw_int (fresh, "PRAGMA user_version"), ==, TRAJ_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (fresh, "SELECT count(*) FROM audit_event WHERE action = 'migrate'"), >=, 1);
  s = traj_store_open_existing (fresh, &error);
  g_assert_no_error (error);
  g_object_unref (s);
}

/* What an interrupted restore left: a 0-byte clinic, or one with a hot
 * journal, beside a "before-restore" copy. Refused, naming the copy. */
static void
test_refuse_interrupted_restore (Fixture *fx, gconstpointer data)
{
  g_autofree char *clinic = g_build_filename (fx->dir, "site.db", NULL);
  g_autofree char *backups = g_build_filename (fx->dir, "backups", NULL);
  g_autofree char *kept = g_build_filename (backups, "site-before-restore-20261106-101500.db", NULL);
  g_autofree char *journal = g_strconcat (clinic, "-journal", NULL);
  GError *error = NULL;
  TrajStore *s;

  if (traj_test_skip_on_postgres ("clinic files (SQLite only)"))
    return;
  s = traj_store_open (clinic, &error);
  g_assert_no_error (error);
  g_object_unref (s);
  g_assert_cmpint (g_mkdir (backups, 0700), ==, 0);
  g_assert_true (g_file_set_contents (kept, "the clinic as it was", -1, NULL));

  /* A hot journal beside the clinic. */
  g_assert_true (g_file_set_contents (journal, "half a restore", -1, NULL));
  g_assert_null (traj_store_open (clinic, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "interrupted restore"));
  g_assert_nonnull (strstr (error->message, kept));
  g_clear_error (&error);
  g_remove (journal);

  /* A 0-byte clinic. */
  g_assert_true (g_file_set_contents (clinic, "", 0, NULL));
  g_assert_null (traj_store_open (clinic, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, kept));
  g_clear_error (&error);
  {
    GStatBuf st;
    g_assert_cmpint (g_stat (clinic, &st), ==, 0);
    g_assert_cmpint (st.st_size, ==, 0);
  }
}

/* ---- main ------------------------------------------------------------------- */

/* The patient list's latest and previous score of each patient's primary
 * scale (one statement for the whole list on a server): complete ones
 * only, newest first, of that scale only. */
static void
add_scored (Fixture *fx, gint64 patient_id, TrajScaleId scale, gint64 at, int per_item, gboolean draft)
{
  g_autoptr(TrajAssessment) a = traj_assessment_new (scale);
  GError *error = NULL;

  a->patient_id = patient_id;
  a->taken_at = at;
  a->source = TRAJ_SOURCE_CLINICIAN;
  for (guint k = 0; k < traj_scale_get (scale)->n_items; k++)
    a->items[k] = per_item;
  a->draft = draft;
  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);
}

static void
test_list_latest_scores (Fixture *fx, gconstpointer data)
{
  gint64 ada = add_patient (fx, "L-1", "Ada Abbott");
  gint64 bea = add_patient (fx, "L-2", "Bea Brown");
  gint64 t = fx->now - 10 * 86400;
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;

  add_scored (fx, ada, TRAJ_SCALE_PHQ9, t, 2, FALSE);               /* 18 */
  add_scored (fx, ada, TRAJ_SCALE_PHQ9, t + 86400, 1, FALSE);       /* 9 */
  add_scored (fx, ada, TRAJ_SCALE_PHQ9, t + 2 * 86400, 0, FALSE);   /* 0 */
  add_scored (fx, ada, TRAJ_SCALE_PHQ9, t + 3 * 86400, 3, TRUE);    /* a draft: no score */
  add_scored (fx, ada, TRAJ_SCALE_GAD7, t + 4 * 86400, 3, FALSE);   /* not the primary scale */
  list = traj_store_list_patients (fx->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint k = 0; k < list->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (list, k);

      if (s->id == ada)
        {
          g_assert_cmpint (s->latest_score, ==, 0);
          g_assert_cmpint (s->previous_score, ==, 9);
          g_assert_cmpint (s->latest_score_at, ==, t + 2 * 86400);
        }
      else
        {
          g_assert_cmpint (s->id, ==, bea);
          g_assert_cmpint (s->latest_score, ==, -1);
          g_assert_cmpint (s->previous_score, ==, -1);
        }
    }
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_P(path, func) g_test_add (path, Fixture, NULL, fixture_setup_patient, func, fixture_teardown)

/* What a person may type for a day (the date fields read it on Tab). */
static void
test_day_from_text (void)
{
  const gint32 jul5 = traj_day_from_ymd (1961, 7, 5);

  g_assert_cmpint (traj_day_from_text ("1961-07-05"), ==, jul5);
  g_assert_cmpint (traj_day_from_text (" 1961-7-5 "), ==, jul5);
  g_assert_cmpint (traj_day_from_text ("1961/07/05"), ==, jul5);
  g_assert_cmpint (traj_day_from_text ("1961.7.5"), ==, jul5);
  g_assert_cmpint (traj_day_from_text ("19610705"), ==, jul5);
  g_assert_cmpint (traj_day_from_text ("5 Jul 1961"), ==, jul5);
  g_assert_cmpint (traj_day_from_text ("5 july, 1961"), ==, jul5);
  /* Ambiguous, mixed, impossible or incomplete: not a day. */
  g_assert_cmpint (traj_day_from_text ("05/07/1961"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("7/5/1961"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("1961-07/05"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("1961-02-30"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("1961-07-"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("1961-+7-5"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("1961070"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("32 Jul 1961"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text ("5 Jux 1961"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text (""), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_text (NULL), ==, TRAJ_DAY_NONE);

  /* A trial typed 2031-02-30 and read "Enter the birth date as
   * YYYY-MM-DD", though that is the form: say what the calendar lacks. */
  {
    g_autofree char *feb30 = traj_day_text_problem ("2031-02-30");
    g_autofree char *m13 = traj_day_text_problem (" 2031-13-01 ");
    g_autofree char *day0 = traj_day_text_problem ("2028-02-00");

    g_assert_cmpstr (feb30, ==, "There is no day 30 in February 2031.");
    g_assert_cmpstr (m13, ==, "There is no month 13: months go from 01 to 12.");
    g_assert_cmpstr (day0, ==, "There is no day 0 in February 2028.");
  }
  g_assert_null (traj_day_text_problem ("2028-02-29"));
  g_assert_null (traj_day_text_problem ("1961-+7-05"));
  g_assert_null (traj_day_text_problem ("05/07/1961"));
  g_assert_null (traj_day_text_problem ("2031-2-30"));
  g_assert_null (traj_day_text_problem (""));
  g_assert_null (traj_day_text_problem (NULL));

  /* A trial read "BP peak 80/50" for an infusion whose only reading was
   * low: the summary gives the one reading, or lowest to highest. */
  {
    g_autoptr(TrajInfusion) inf = traj_infusion_new ();
    TrajVitalSign *v = traj_vital_sign_new (0);
    g_autofree char *none = traj_infusion_bp_text (inf);
    g_autofree char *one = NULL, *two = NULL;

    g_assert_null (none);
    v->systolic = 80;
    v->diastolic = 50;
    g_ptr_array_add (inf->vitals, v);
    one = traj_infusion_bp_text (inf);
    g_assert_cmpstr (one, ==, "BP 80/50");
    v = traj_vital_sign_new (40);
    v->systolic = 152;
    v->diastolic = 94;
    g_ptr_array_add (inf->vitals, v);
    two = traj_infusion_bp_text (inf);
    g_assert_cmpstr (two, ==, "BP 80/50 to 152/94");
  }

  /* A stored ISO day (every date column read): four-two-two digits, only
   * white space after them. */
  g_assert_cmpint (traj_day_from_iso ("1961-07-05"), ==, jul5);
  g_assert_cmpint (traj_day_from_iso ("  1961-07-05 \n"), ==, jul5);
  g_assert_cmpint (traj_day_from_iso ("0001-01-01"), ==, traj_day_from_ymd (1, 1, 1));
  g_assert_cmpint (traj_day_from_iso ("2024-02-29"), ==, traj_day_from_ymd (2024, 2, 29));
  g_assert_cmpint (traj_day_from_iso ("1961-07-05x"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961-07-05T10:00"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961-7-05"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961-07-5"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961-07-+5"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961/07/05"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("2023-02-29"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961-13-05"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("1961-00-05"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso ("0000-07-05"), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso (""), ==, TRAJ_DAY_NONE);
  g_assert_cmpint (traj_day_from_iso (NULL), ==, TRAJ_DAY_NONE);
}

/* A --database argument: paths made absolute, a clinic server's
 * connection string kept as it is (the GUI once made
 * "postgresql://host/db" a file in the current folder). */
static void
test_location_canonicalize (void)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *rel = traj_store_location_canonicalize ("clinic.db");
  g_autofree char *expected = g_build_filename (cwd, "clinic.db", NULL);
  g_autofree char *uri = traj_store_location_canonicalize ("postgresql://tablet1@clinic-server/trajectory");
  g_autofree char *service = traj_store_location_canonicalize ("service=clinic");
  g_autofree char *dots = traj_store_location_canonicalize ("/tmp/a/../clinic.db");

  g_assert_cmpstr (rel, ==, expected);
  g_assert_cmpstr (uri, ==, "postgresql://tablet1@clinic-server/trajectory");
  g_assert_cmpstr (service, ==, "service=clinic");
  g_assert_cmpstr (dots, ==, "/tmp/clinic.db");
}

/* A long write (an import) between two of its transactions lets in a save
 * that waits for the lock however long that takes on a loaded machine: the
 * waiting writer says so on "<clinic>-wait.lock" (issue 16: a save waited
 * 2.3 s, then 4 s, for a write that went on taking the lock before it). */
typedef struct {
  TrajStore *store;
  gboolean done;
  GError *error;
} WaitingSave;

static gpointer
waiting_save (gpointer data)
{
  WaitingSave *ws = data;
  g_autoptr(TrajPatient) p = traj_patient_new ();

  p->mrn = g_strdup ("WAIT-1");
  p->name = g_strdup ("Waiting Save");
  p->birth_day = traj_day_from_ymd (1980, 1, 2);
  traj_store_insert_patient (ws->store, p, &ws->error);
  g_atomic_int_set (&ws->done, TRUE);
  return NULL;
}

static void
test_waiting_save_let_in (Fixture *fx, gconstpointer data)
{
  g_autofree char *wait_lock = g_strconcat (fx->path, "-wait.lock", NULL);
  WaitingSave ws = { 0 };
  TrajDb *db = traj_store_get_connection (fx->store);
  GError *error = NULL;
  GThread *thread;
  gboolean waiting = FALSE;
  gint64 t0;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  ws.store = traj_store_open_secondary (fx->store, &error);
  g_assert_no_error (error);
  /* The long write holds the lock… */
  g_assert_true (traj_db_begin (db, TRUE, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("save", waiting_save, &ws);
  /* …and the save, waiting, says so. */
  for (t0 = g_get_monotonic_time (); !waiting && g_get_monotonic_time () - t0 < 10 * G_USEC_PER_SEC;)
    {
      int fd = g_open (wait_lock, O_RDWR | O_CLOEXEC, 0);

      if (fd >= 0)
        {
          waiting = flock (fd, LOCK_EX | LOCK_NB) != 0;
          close (fd);
        }
      if (!waiting)
        g_usleep (1000);
    }
  g_assert_true (waiting);
  g_assert_false (g_atomic_int_get (&ws.done));
  {
    struct stat st;

    g_assert_cmpint (g_lstat (wait_lock, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  g_assert_true (traj_db_commit (db, &error));
  /* No pause of its own: only the waiter keeps the write from going on. */
  traj_db_sqlite_let_waiters_in (db, 0, 10000);
  g_assert_true (traj_db_begin (db, TRUE, &error));
  g_assert_no_error (error);
  /* The save went first: this write has the lock only after its commit. */
  g_assert_cmpint (raw_int (fx->path, "SELECT count(*) FROM patient WHERE mrn = 'WAIT-1'"), ==, 1);
  g_assert_true (traj_db_commit (db, &error));
  g_thread_join (thread);
  g_assert_no_error (ws.error);
  g_clear_object (&ws.store);

  /* Nobody waiting: the write goes on after its pause. */
  t0 = g_get_monotonic_time ();
  traj_db_sqlite_let_waiters_in (db, 0, 10000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/store/waiting-save-let-in", test_waiting_save_let_in);
  g_test_add_func ("/store/location-canonicalize", test_location_canonicalize);
  g_test_add_func ("/store/day-from-text", test_day_from_text);
  ADD ("/store/list/latest-scores", test_list_latest_scores);
  ADD ("/store/migrate/new-file", test_migrate_new);
  ADD ("/store/migrate/reopen", test_migrate_reopen);
  ADD ("/store/migrate/empty-files", test_migrate_empty_files);
  ADD ("/store/refuse/newer-schema", test_refuse_newer);
  ADD ("/store/refuse/text-file", test_refuse_text);
  ADD ("/store/refuse/foreign-sqlite", test_refuse_foreign);
  ADD ("/store/refuse/damaged", test_refuse_damaged);
  ADD ("/store/refuse/directory", test_refuse_directory);
  ADD ("/store/refuse/interrupted-restore", test_refuse_interrupted_restore);
  ADD ("/store/open/existing-only", test_open_existing);
  ADD ("/store/file-mode", test_file_mode);
  ADD ("/store/validate/mrn-missing", test_validate_mrn_missing);
  ADD ("/store/validate/mrn-duplicate", test_validate_mrn_duplicate);
  ADD ("/store/validate/birth-date-future", test_validate_birth_future);
  ADD ("/store/validate/age-over-120", test_validate_age);
  ADD_P ("/store/validate/weight", test_validate_weight);
  ADD_P ("/store/validate/dose", test_validate_dose);
  ADD_P ("/store/validate/esketamine", test_validate_esketamine);
  ADD_P ("/store/validate/duration", test_validate_duration);
  ADD_P ("/store/validate/infusion-future", test_validate_infusion_future);
  ADD_P ("/store/validate/vitals", test_validate_vitals);
  ADD_P ("/store/validate/plausible", test_validate_plausible);
  ADD_P ("/store/validate/text-limits", test_validate_text_limits);
  ADD ("/store/audit/chain-and-previous-values", test_audit_chain_and_previous_values);
  ADD ("/store/audit/tamper", test_audit_tamper);
  ADD_P ("/store/validate/infusion-update", test_validate_infusion_update);
  ADD_P ("/store/validate/tolerability", test_validate_tolerability);
  ADD_P ("/store/validate/course-medicine", test_validate_course_medicine);
  ADD_P ("/store/validate/item-range", test_validate_item_range);
  ADD_P ("/store/validate/unknown-scale", test_validate_unknown_scale);
  ADD_P ("/store/validate/assessment-other", test_validate_assessment_other);
  ADD_P ("/store/assessment-total-from-items", test_assessment_total_from_items);
  ADD_P ("/store/course-before-birth", test_course_before_birth);
  ADD_P ("/store/assessment-draft", test_assessment_draft);
  ADD_P ("/store/validate/bp-order", test_validate_bp_order);
  ADD_P ("/store/plausible/before-birth", test_plausible_before_birth);
  ADD_P ("/store/plausible/confirm", test_plausible_confirm);
  ADD_P ("/store/plausible/ties", test_plausible_ties);
  ADD ("/store/migrate/date-confirmed", test_migrate_date_confirmed);
  ADD ("/store/migrate/tolerability", test_migrate_tolerability);
  ADD ("/store/migrate/substance-use", test_migrate_substance_use);
  ADD ("/store/migrate/medication", test_migrate_medication);
  ADD_P ("/store/medication", test_medication);
  ADD_P ("/store/indication-detail-risk-flag", test_indication_detail_risk_flag);
  ADD_P ("/store/substance-use", test_substance_use);
  ADD_P ("/store/roundtrip", test_roundtrip);
  ADD ("/store/audit/per-change", test_audit_per_change);
  ADD ("/store/audit/append-only", test_audit_append_only);
  ADD ("/store/audit/back-dated", test_audit_back_dated);
  ADD ("/store/soft-delete/patient", test_soft_delete_patient);
  ADD_P ("/store/soft-delete/course-cascade", test_soft_delete_course);
  ADD ("/store/connections/two", test_two_connections);
  ADD ("/store/connections/bulk-isolation", test_bulk_isolation);
  ADD ("/store/kiosk", test_kiosk);
  ADD ("/store/migrate/from-v1", test_migrate_from_v1);
  ADD ("/store/settings", test_settings);
  ADD ("/store/settings/secret", test_settings_secret);

  return g_test_run ();
}
