/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trajectory-cli as a user or a script runs it: the real program in a
 * subprocess (TRAJECTORY_CLI), on real files in a temporary folder of its own,
 * checking exit status, stdout, stderr and the files it leaves. */

#include "config.h"

#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-demo.h"
#include "traj-store.h"

typedef struct {
  char *dir;
  char *db;
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
      GStatBuf st;

      if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db = g_build_filename (fx->dir, "clinic.db", NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_autofree char *mounts = NULL;
  g_autofree char *full = g_build_filename (fx->dir, "full", NULL);

  /* A failed full-disk test must not leave its tmpfs mounted. */
  if (g_file_get_contents ("/proc/self/mounts", &mounts, NULL, NULL) && strstr (mounts, full))
    {
      g_autofree char *cmd = g_strdup_printf ("umount '%s'", full);
      g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
    }
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->db);
}

static char *
path_in (Fixture *fx, const char *name)
{
  return g_build_filename (fx->dir, name, NULL);
}

/* Runs trajectory-cli with @args (NULL-terminated) in @fx->dir, with
 * @env_extra ("NAME=value" strings, NULL-terminated) added. Returns the
 * exit status; @out and @err (optional) get what it printed. */
static int
run_env (Fixture *fx, const char * const *env_extra, char **out, char **err, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *o = NULL, *e = NULL;
  GError *error = NULL;
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  va_list args;
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, first);
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  for (guint k = 0; env_extra && env_extra[k]; k++)
    {
      g_auto(GStrv) kv = g_strsplit (env_extra[k], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }
  g_assert_true (g_spawn_sync (fx->dir, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &o, &e, &status, &error));
  g_assert_no_error (error);
  g_test_message ("trajectory-cli %s → %d\n%s%s", first, status, o, e);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

#define run(fx, out, err, ...) run_env ((fx), NULL, (out), (err), __VA_ARGS__, NULL)

static void
make_demo (Fixture *fx, guint patients)
{
  g_autofree char *n = g_strdup_printf ("%u", patients);

  g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "demo", "--patients", n, "--anchor", "2026-11-01"), ==, 0);
}

static void
exec_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, sql, NULL, NULL, &msg);
  g_assert_null (msg);
  sqlite3_close (db);
}

/* ---- issue 16 §1: control characters ---------------------------------------------- */

/* A clinic written before the rule may hold them: --format json stays valid
 * JSON (json-glib 1.6 left U+001F raw) and --format text shows none raw. */
static void
test_control_characters_out (Fixture *fx, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GError *error = NULL;

  make_demo (fx, 3);
  exec_sql (fx->db, "UPDATE patient SET name = 'Eve' || char(31) || 'Evil' || char(27) || '[2J' || char(7) WHERE id = 1");

  g_assert_cmpint (run (fx, &out, NULL, "--database", fx->db, "patients", "--format", "json"), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run (fx, &out, NULL, "--database", fx->db, "patients", "--format", "text"), ==, 0);
  for (const char *p = out; *p; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  g_clear_pointer (&out, g_free);

  /* The FHIR bundle too. */
  {
    g_autofree char *fhir = path_in (fx, "bundle.json");
    g_autoptr(JsonParser) bundle = json_parser_new ();

    g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "export", "--format", "fhir", "--output", fhir), ==, 0);
    g_assert_true (json_parser_load_from_file (bundle, fhir, &error));
    g_assert_no_error (error);
  }
}

/* The clinician a command records comes from the user: refused with a
 * message when it holds control characters, like any typed text. */
static void
test_control_characters_in (Fixture *fx, gconstpointer data)
{
  const char *env[] = { "TRAJECTORY_CLINICIAN=Dr\x1b]0;owned\x07", NULL };
  g_autofree char *err = NULL;

  make_demo (fx, 2);
  g_assert_cmpint (run_env (fx, env, NULL, &err, "--database", fx->db, "patients", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "control character U+001B"));
  g_assert_null (strchr (err, '\x1b'));
  {
    /* A right-to-left override in the clinician's name, and an import of
     * /dev/zero, refused with a message (attack run). */
    const char *bidi[] = { "TRAJECTORY_CLINICIAN=Dr \u202Erednow", NULL };
    g_autofree char *err2 = NULL, *err3 = NULL;

    g_assert_cmpint (run_env (fx, bidi, NULL, &err2, "--database", fx->db, "patients", NULL), !=, 0);
    g_assert_nonnull (strstr (err2, "Clinician: the invisible formatting character U+202E"));
    if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
      {
        g_assert_cmpint (run (fx, NULL, &err3, "--database", fx->db, "import", "/dev/zero", NULL), !=, 0);
        /* An import reads its files twice: only a regular file will do. */
        g_assert_nonnull (strstr (err3, "zero is not a regular file"));
      }
  }
}

/* Issue 16 §3: the CLI's clinician is the OS login plus --clinician (or
 * $TRAJECTORY_CLINICIAN), both in the trail; `audit verify` says whether
 * the chain holds, and exits 1 naming the first broken link when not. */
static void
test_audit_verify (Fixture *fx, gconstpointer data)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *sql = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "--clinician", "Dr. Rivera", "demo", "--patients", "2", NULL), ==, 0);
  g_assert_cmpint (run (fx, &out, NULL, "--database", fx->db, "audit", "verify", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "The audit trail is whole: "));
  g_assert_nonnull (strstr (out, " events checked."));

  g_assert_cmpint (sqlite3_open (fx->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT clinician, os_user FROM audit_event WHERE action = 'demo' AND record_kind = 'clinic'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "Dr. Rivera");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, g_get_user_name ());
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE id = 8; "
                                 "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                                 "BEGIN SELECT RAISE (ABORT, 'append-only'); END;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (run (fx, &out2, &err2, "--database", fx->db, "audit", "verify", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "The audit trail has been tampered with: event 8 was removed."));
}

/* ---- issue 16 §2: outputs that cannot leak or half-write ------------------------------ */

static char *
first_mrn (Fixture *fx)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_cmpint (run (fx, &out, NULL, "--database", fx->db, "patients", "--format", "csv"), ==, 0);
  lines = g_strsplit (out, "\r\n", 3);
  fields = g_strsplit (lines[1], ",", 2);
  return g_strdup (fields[0]);
}

/* Runs the output command @k with --output @target; returns its status. */
static int
write_output (Fixture *fx, guint k, const char *mrn, const char *target, char **err)
{
  switch (k)
    {
    case 0:
      return run (fx, NULL, err, "--database", fx->db, "chart", "--patient", mrn, "--output", target);
    case 1:
      return run (fx, NULL, err, "--database", fx->db, "report", "--patient", mrn, "--output", target);
    case 2:
      return run (fx, NULL, err, "--database", fx->db, "cohort-report", "--output", target);
    case 3:
      return run (fx, NULL, err, "--database", fx->db, "cohort", "--format", "csv", "--output", target);
    case 4:
      return run (fx, NULL, err, "--database", fx->db, "backup", "--output", target);
    case 5:
      return run (fx, NULL, err, "--database", fx->db, "export", "--format", "fhir", "--output", target);
    default:
      return run (fx, NULL, err, "--database", fx->db, "export", "--format", "csv", "--output", target);
    }
}

static const char *output_names[] = { "chart.pdf", "report.pdf", "cohort.pdf", "cohort.csv", "backup.db", "bundle.json", "csv" };

/* No output replaces another program's clinic file (found by an attack run:
 * a FHIR export and a backup renamed over a clinic a kiosk had open, whose
 * saves then went nowhere): a database with a -wal beside it is refused for
 * every output; a closed database is refused for every output, a backup
 * included unless --replace asks for it. Nothing is changed either way. */
static void
test_output_other_clinic (Fixture *fx, gconstpointer data)
{
  g_autofree char *mrn = NULL;
  g_autofree char *other = path_in (fx, "other-clinic.db");
  g_autofree char *clinic = NULL;
  gsize clinic_len;

  make_demo (fx, 3);
  mrn = first_mrn (fx);
  g_assert_cmpint (run (fx, NULL, NULL, "--database", other, "demo", "--patients", "2", "--anchor", "2026-11-01"), ==, 0);
  g_assert_true (g_file_get_contents (other, &clinic, &clinic_len, NULL));

  for (guint open_now = 0; open_now < 2; open_now++)
    for (guint k = 0; k < G_N_ELEMENTS (output_names) - 1; k++)   /* the CSV export writes a folder */
      {
        /* The clinic under the output's own name, so only its content
         * (and what lies beside it) can stop the write. */
        g_autofree char *victim = g_strdup_printf ("%s/%u-%s", fx->dir, open_now, output_names[k]);
        g_autofree char *victim_wal = g_strconcat (victim, "-wal", NULL);
        g_autofree char *err = NULL, *after = NULL;
        gsize after_len;
        int status;

        g_assert_true (g_file_set_contents (victim, clinic, clinic_len, NULL));
        if (open_now)
          g_assert_true (g_file_set_contents (victim_wal, "", 0, NULL));  /* as while a program has it open */
        status = write_output (fx, k, mrn, victim, &err);
        g_test_message ("%s over %s database: %d %s", output_names[k], open_now ? "an open" : "a closed", status, err);
        g_assert_cmpint (status, !=, 0);
        g_assert_nonnull (strstr (err, "database"));
        g_assert_true (g_file_get_contents (victim, &after, &after_len, NULL));
        g_assert_cmpuint (after_len, ==, clinic_len);
        g_assert_true (memcmp (after, clinic, clinic_len) == 0);
        g_unlink (victim_wal);
      }

  /* A backup replaces a closed database (an older backup) only when asked
   * to, and never one with a -wal beside it. */
  {
    g_autofree char *older = g_strdup_printf ("%s/older-backup.db", fx->dir);
    g_autofree char *older_wal = g_strconcat (older, "-wal", NULL);
    g_autofree char *err = NULL, *after = NULL;
    gsize after_len;

    g_assert_true (g_file_set_contents (older, clinic, clinic_len, NULL));
    g_assert_true (g_file_set_contents (older_wal, "", 0, NULL));
    g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "backup", "--replace", "--output", older), !=, 0);
    g_assert_nonnull (strstr (err, "another program has open"));
    g_assert_true (g_file_get_contents (older, &after, &after_len, NULL));
    g_assert_true (after_len == clinic_len && memcmp (after, clinic, clinic_len) == 0);
    g_unlink (older_wal);
    g_clear_pointer (&err, g_free);
    g_clear_pointer (&after, g_free);
    g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "backup", "--replace", "--output", older), ==, 0);
    g_assert_true (g_file_get_contents (older, &after, &after_len, NULL));
    g_assert_false (after_len == clinic_len && memcmp (after, clinic, clinic_len) == 0);
  }
}

/* Every output is a new 0600 file, even under a lax umask. */
static void
test_output_mode (Fixture *fx, gconstpointer data)
{
  g_autofree char *mrn = NULL;
  mode_t old = umask (022);

  make_demo (fx, 3);
  mrn = first_mrn (fx);
  for (guint k = 0; k < G_N_ELEMENTS (output_names); k++)
    {
      g_autofree char *target = path_in (fx, output_names[k]);
      g_autofree char *file = k == 6 ? g_build_filename (target, "patients.csv", NULL) : g_strdup (target);
      GStatBuf st;

      g_assert_cmpint (write_output (fx, k, mrn, target, NULL), ==, 0);
      g_assert_cmpint (g_stat (file, &st), ==, 0);
      g_test_message ("%s: %o", output_names[k], st.st_mode & 0777);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      if (k == 6)
        {
          g_assert_cmpint (g_stat (target, &st), ==, 0);
          g_assert_cmpint (st.st_mode & 0777, ==, 0700);
        }
    }
  umask (old);
}

/* One SQL value of @db as text (the first column of the first row). */
static char *
sql_text (const char *db_path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Issue 16 §3: every output of patient data is in the audit trail — one
 * event naming the file by its full path (the command ran elsewhere) and
 * the patients it holds. */
static void
test_output_audited (Fixture *fx, gconstpointer data)
{
  static const struct {
    const char *action;
    const char *summary;          /* NULL: the whole clinic */
  } expected[] = {
    { "chart", "patient chart: 1 patient" },
    { "report", "progress report (PDF): 1 patient" },
    { "report", "cohort report (PDF)" },
    { "export", "cohort table" },
    { "backup", NULL },
    { "export", NULL },
    { "export", NULL },
  };
  g_autofree char *mrn = NULL, *uid = NULL, *sql = NULL, *with_course = NULL;
  guint n_course_patients;

  make_demo (fx, 3);
  mrn = first_mrn (fx);
  sql = g_strdup_printf ("SELECT uid FROM patient WHERE mrn = '%s'", mrn);
  uid = sql_text (fx->db, sql);
  with_course = sql_text (fx->db, "SELECT count (DISTINCT patient_id) FROM course");
  n_course_patients = (guint) atoi (with_course);
  g_assert_cmpuint (n_course_patients, >, 1);
  for (guint k = 0; k < G_N_ELEMENTS (output_names); k++)
    {
      g_autofree char *target = path_in (fx, output_names[k]);
      g_autofree char *action = NULL, *summary = NULL, *detail = NULL, *to = NULL;

      /* A name relative to the folder the command runs in. */
      g_assert_cmpint (write_output (fx, k, mrn, output_names[k], NULL), ==, 0);
      action = sql_text (fx->db, "SELECT action FROM audit_event ORDER BY id DESC LIMIT 1");
      summary = sql_text (fx->db, "SELECT summary FROM audit_event ORDER BY id DESC LIMIT 1");
      detail = sql_text (fx->db, "SELECT detail FROM audit_event ORDER BY id DESC LIMIT 1");
      g_test_message ("%s: %s | %s | %s", output_names[k], action, summary, detail);
      g_assert_cmpstr (action, ==, expected[k].action);
      to = g_strdup_printf ("to: %s\n", target);
      g_assert_true (g_str_has_prefix (detail, to));
      if (k < 2)
        {
          g_autofree char *who = g_strdup_printf ("to: %s\npatient: %s\n", target, uid);
          g_assert_cmpstr (detail, ==, who);
          g_assert_cmpstr (summary, ==, expected[k].summary);
        }
      else if (k < 4)
        {
          g_autofree char *want = g_strdup_printf ("%s: %u patients", expected[k].summary, n_course_patients);
          guint lines = 0;

          for (const char *p = strstr (detail, "\npatient: "); p; p = strstr (p + 1, "\npatient: "))
            lines++;
          g_assert_cmpstr (summary, ==, want);
          g_assert_cmpuint (lines, ==, n_course_patients);
        }
      else
        g_assert_true (g_str_has_suffix (summary, ": the whole clinic"));
    }
  /* To the terminal, a cohort's figures are not a file that leaves: no event. */
  {
    g_autofree char *before = sql_text (fx->db, "SELECT max (id) FROM audit_event");
    g_autofree char *after = NULL;

    g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "cohort", "--format", "csv"), ==, 0);
    after = sql_text (fx->db, "SELECT max (id) FROM audit_event");
    g_assert_cmpstr (after, ==, before);
  }
}

/* "out.pdf -> /some/file": the file pointed at is never written. */
static void
test_output_symlink (Fixture *fx, gconstpointer data)
{
  g_autofree char *mrn = NULL;
  g_autofree char *victim = path_in (fx, "victim");
  g_autofree char *victim_dir = path_in (fx, "victim-dir");

  make_demo (fx, 3);
  mrn = first_mrn (fx);
  g_assert_true (g_file_set_contents (victim, "keep me", -1, NULL));
  g_assert_cmpint (g_mkdir (victim_dir, 0700), ==, 0);
  for (guint k = 0; k < G_N_ELEMENTS (output_names); k++)
    {
      g_autofree char *link = path_in (fx, output_names[k]);
      g_autofree char *err = NULL, *text = NULL;
      g_autofree char *target = NULL;
      GStatBuf st;

      g_assert_cmpint (symlink (k == 6 ? victim_dir : victim, link), ==, 0);
      g_assert_cmpint (write_output (fx, k, mrn, link, &err), !=, 0);
      g_assert_nonnull (strstr (err, "symbolic link"));
      g_assert_true (g_file_get_contents (victim, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, "keep me");
      g_assert_cmpint (g_lstat (link, &st), ==, 0);
      g_assert_true (S_ISLNK (st.st_mode));
      target = g_file_read_link (link, NULL);
      g_assert_cmpstr (target, ==, k == 6 ? victim_dir : victim);
      g_unlink (link);
    }
  /* Nothing was written into the folder a link pointed at either. */
  {
    g_autoptr(GDir) d = g_dir_open (victim_dir, 0, NULL);
    g_assert_null (g_dir_read_name (d));
  }
}

/* A FIFO (or a device node) is written through, never replaced by a
 * regular file; a backup, which needs a real file, refuses it. The trial's
 * "backup --output /dev/null" as root replaced the device node. */
typedef struct {
  char *path;
  GString *got;
} FifoReader;

static gpointer
read_fifo (gpointer data)
{
  FifoReader *r = data;
  char buf[4096];
  int fd = open (r->path, O_RDONLY);
  ssize_t n;

  while (fd >= 0 && (n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (r->got, buf, n);
  if (fd >= 0)
    close (fd);
  return NULL;
}

static void
test_output_fifo (Fixture *fx, gconstpointer data)
{
  g_autofree char *fifo = path_in (fx, "pipe");
  g_autofree char *err = NULL;
  FifoReader r = { fifo, g_string_new (NULL) };
  GThread *reader;
  GStatBuf st;

  make_demo (fx, 3);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  reader = g_thread_new ("fifo", read_fifo, &r);
  g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "cohort", "--format", "csv", "--output", fifo), ==, 0);
  g_thread_join (reader);
  g_assert_true (g_str_has_prefix (r.got->str, "cohort,"));
  g_assert_cmpint (g_lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));

  g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "backup", "--output", fifo), !=, 0);
  g_assert_nonnull (strstr (err, "not a regular file"));
  g_assert_cmpint (g_lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_string_free (r.got, TRUE);

  /* As root, a character device node of our own (the same device as
   * /dev/null, in the temporary folder: never the real one). */
  {
    g_autofree char *null_dev = path_in (fx, "null");

    if (mknod (null_dev, S_IFCHR | 0600, makedev (1, 3)) != 0)
      {
        g_test_message ("mknod: %s; device nodes not tested", g_strerror (errno));
        return;
      }
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "backup", "--output", null_dev), !=, 0);
    g_assert_nonnull (strstr (err, "not a regular file"));
    g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "cohort", "--format", "csv", "--output", null_dev), ==, 0);
    g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "export", "--format", "fhir", "--output", null_dev), ==, 0);
    g_assert_cmpint (g_lstat (null_dev, &st), ==, 0);
    g_assert_true (S_ISCHR (st.st_mode));
  }
}

/* Issue 16 (trial finding 5): an import of a FIFO, or of a folder whose
 * patients.csv is one, hung for good in open () and left a new, empty
 * clinic file. It is refused at once, before any clinic file is made. The
 * FIFO has no writer, so opening it to read would block this test. */
static void
test_import_fifo (Fixture *fx, gconstpointer data)
{
  g_autofree char *fifo = path_in (fx, "fifo.csv");
  g_autofree char *folder = path_in (fx, "set");
  g_autofree char *in_folder = g_build_filename (folder, "patients.csv", NULL);
  g_autofree char *courses = g_build_filename (folder, "courses.csv", NULL);
  const char *targets[] = { fifo, folder };
  const char *names[] = { "fifo.csv", "patients.csv" };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (courses, "", 0, NULL));
  g_assert_cmpint (mkfifo (in_folder, 0600), ==, 0);
  for (guint k = 0; k < G_N_ELEMENTS (targets); k++)
    {
      g_autofree char *err = NULL;
      g_autofree char *expect = g_strdup_printf ("%s is not a regular file: copy it into a file and import that.",
                                                 names[k]);

      g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "import", targets[k], NULL), ==, 1);
      g_assert_nonnull (strstr (err, expect));
      g_assert_false (g_file_test (fx->db, G_FILE_TEST_EXISTS));
    }
}

/* A full disk: a small tmpfs (when this process may mount one). Each
 * output fails with the disk's message and leaves nothing behind: no
 * partial file, no temporary file, none of the six CSV files. */
static void
test_output_full_disk (Fixture *fx, gconstpointer data)
{
  g_autofree char *mnt = path_in (fx, "full");
  g_autofree char *mrn = NULL;
  g_autofree char *cmd = NULL;
  int status = -1;

  make_demo (fx, 12);
  mrn = first_mrn (fx);
  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=24k tmpfs '%s'", mnt);
  if (getuid () != 0 || !g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("cannot mount a small tmpfs here (not root?)");
      return;
    }
  for (guint k = 0; k < G_N_ELEMENTS (output_names); k++)
    {
      g_autofree char *target = g_build_filename (mnt, output_names[k], NULL);
      g_autofree char *err = NULL;
      g_autoptr(GDir) d = NULL;

      /* A cohort table and a chart are small: fill the disk first. */
      {
        g_autofree char *filler = g_build_filename (mnt, "filler", NULL);
        g_autofree char *big = g_malloc0 (64 * 1024);
        g_file_set_contents (filler, big, 24 * 1024 - 2048, NULL);
      }
      g_assert_cmpint (write_output (fx, k, mrn, target, &err), !=, 0);
      g_assert_nonnull (strstr (err, "full"));
      d = g_dir_open (mnt, 0, NULL);
      for (const char *e; (e = g_dir_read_name (d)) != NULL;)
        g_assert_cmpstr (e, ==, "filler");
    }
  g_free (cmd);
  cmd = g_strdup_printf ("umount '%s'", mnt);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
}

/* The six CSV files replace an earlier export as a set; a folder holding
 * anything else is refused, and nothing of it is touched. */
static void
test_export_folder (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = path_in (fx, "export");
  g_autofree char *mine = g_build_filename (dir, "mine.txt", NULL);
  g_autofree char *patients = g_build_filename (dir, "patients.csv", NULL);
  g_autofree char *err = NULL, *first = NULL, *second = NULL, *text = NULL;

  make_demo (fx, 3);
  g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "export", "--format", "csv", "--output", dir), ==, 0);
  g_assert_true (g_file_get_contents (patients, &first, NULL, NULL));
  exec_sql (fx->db, "UPDATE patient SET notes = 'changed' WHERE id = 1");
  g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "export", "--format", "csv", "--output", dir), ==, 0);
  g_assert_true (g_file_get_contents (patients, &second, NULL, NULL));
  g_assert_cmpstr (first, !=, second);

  g_assert_true (g_file_set_contents (mine, "mine", -1, NULL));
  g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "export", "--format", "csv", "--output", dir), !=, 0);
  g_assert_nonnull (strstr (err, "holds other files (mine.txt)"));
  g_assert_true (g_file_get_contents (mine, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "mine");
  /* No temporary folder left beside it. */
  {
    g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
    for (const char *e; (e = g_dir_read_name (d)) != NULL;)
      g_assert_false (g_str_has_suffix (e, ".part"));
  }
}

/* "demo" without --database fills the demo clinic, never the clinic's own
 * file; a command on a clinic that does not exist yet says where the demo
 * clinic is. */
static void
test_demo_default_path (Fixture *fx, gconstpointer data)
{
  g_autofree char *data_home = path_in (fx, "data");
  g_autofree char *env_data = g_strconcat ("XDG_DATA_HOME=", data_home, NULL);
  g_autofree char *clinic = g_build_filename (data_home, "trajectory", "clinic.db", NULL);
  g_autofree char *demo = g_build_filename (data_home, "trajectory", "demo-clinic.db", NULL);
  const char *env[] = { env_data, NULL };
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_env (fx, env, NULL, &err, "patients", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "There is no clinic database at"));
  g_assert_nonnull (strstr (err, demo));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_env (fx, env, &out, &err, "demo", "--patients", "3", "--anchor", "2026-11-01", NULL), ==, 0);
  g_assert_true (g_file_test (demo, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (clinic, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (out, demo));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The clinic's own file is still not there, and stays untouched. */
  g_assert_cmpint (run_env (fx, env, NULL, &err, "patients", NULL), !=, 0);
  g_assert_false (g_file_test (clinic, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_env (fx, env, &out, NULL, "--database", demo, "patients", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3"));
}

/* Only demo, import and restore make a clinic file; a refused import into
 * a new path leaves no file behind; restore takes relative paths. */
static void
test_which_commands_create (Fixture *fx, gconstpointer data)
{
  g_autofree char *missing = path_in (fx, "typo.db");
  g_autofree char *bad_dir = path_in (fx, "bad");
  g_autofree char *bad_csv = g_build_filename (bad_dir, "patients.csv", NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (run (fx, NULL, &err, "--database", missing, "patients"), !=, 0);
  g_assert_nonnull (strstr (err, "There is no clinic database"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  /* Each command that reads or writes out a clinic refuses alike. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx, NULL, &err, "--database", missing, "outcomes"), !=, 0);
  g_assert_nonnull (strstr (err, "There is no clinic database"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx, NULL, &err, "--database", missing, "cohort"), !=, 0);
  g_assert_nonnull (strstr (err, "There is no clinic database"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx, NULL, &err, "--database", missing, "backup", "--output", "copy.db"), !=, 0);
  g_assert_nonnull (strstr (err, "There is no clinic database"));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_mkdir (bad_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bad_csv, "uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at\r\n"
                                               ",M-1,Ada,1980-02-30,female,depression,,,\r\n", -1, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx, NULL, &err, "--database", missing, "import", bad_dir), !=, 0);
  g_assert_nonnull (strstr (err, "patients.csv:2:"));
  {
    g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
    for (const char *e; (e = g_dir_read_name (d)) != NULL;)
      g_assert_false (g_str_has_prefix (e, "typo.db"));
  }

  /* Relative paths, from the folder the command runs in. */
  make_demo (fx, 3);
  g_assert_cmpint (run (fx, NULL, NULL, "--database", "clinic.db", "backup", "--output", "copy.db"), ==, 0);
  g_assert_cmpint (run (fx, NULL, NULL, "--database", "clinic.db", "restore", "copy.db", "--yes"), ==, 0);
  g_assert_cmpint (run (fx, NULL, NULL, "--database", "clinic.db", "restore", "./copy.db", "--yes"), ==, 0);
}

/* Trial (records, session 7): two imports started at once into a clinic
 * file that did not exist. Both made it, both filled it, and the refused
 * one then removed "the file it made" with the other's 40 patients in it,
 * though that import had said "Imported". Now a new clinic is filled
 * beside its name and appears whole: a good import's patients are there
 * whenever it said so, and a refusal leaves nothing of its own. */
static GSubprocess *
spawn_import (Fixture *fx, const char *clinic, const char *folder)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  GError *error = NULL;
  GSubprocess *p;

  g_subprocess_launcher_set_cwd (launcher, fx->dir);
  p = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TRAJECTORY_CLI"), "--database", clinic,
                                   "import", folder, NULL);
  g_assert_no_error (error);
  return p;
}

static void
write_patients (const char *folder, guint first, guint n, gboolean broken)
{
  g_autoptr(GString) csv = g_string_new ("uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at\r\n");
  g_autofree char *file = g_build_filename (folder, "patients.csv", NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  for (guint k = first; k < first + n; k++)
    g_string_append_printf (csv, ",M-%u,Patient %u,1980-02-%02u,%s,depression,,,\r\n", k, k, 1 + k % 28,
                            broken && k == first + n / 2 ? "Female" : "female");
  g_assert_true (g_file_set_contents (file, csv->str, -1, NULL));
}

static void
test_import_two_at_once (Fixture *fx, gconstpointer data)
{
  g_autofree char *good = path_in (fx, "good");
  g_autofree char *bad = path_in (fx, "bad");
  g_autofree char *clinic = path_in (fx, "new.db");
  guint said_imported = 0;

  write_patients (good, 41, 40, FALSE);
  write_patients (bad, 1, 40, TRUE);
  for (guint run = 0; run < 6; run++)
    {
      g_autoptr(GSubprocess) a = NULL, b = NULL;
      g_autofree char *a_out = NULL, *a_err = NULL, *b_out = NULL, *b_err = NULL;
      GError *error = NULL;

      {
        g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
        for (const char *e; (e = g_dir_read_name (d)) != NULL;)
          if (g_str_has_prefix (e, "new.db") || g_str_has_prefix (e, ".new.db"))
            {
              g_autofree char *p = g_build_filename (fx->dir, e, NULL);
              g_remove (p);
            }
      }
      /* The refused one first: it used to finish while the good one filled the file. */
      b = spawn_import (fx, clinic, bad);
      a = spawn_import (fx, clinic, good);
      g_subprocess_communicate_utf8 (a, NULL, NULL, &a_out, &a_err, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (b, NULL, NULL, &b_out, &b_err, &error);
      g_assert_no_error (error);
      g_test_message ("run %u: good → %d %s%s; bad → %d %s", run, g_subprocess_get_exit_status (a), a_out, a_err,
                      g_subprocess_get_exit_status (b), b_err);
      g_assert_cmpint (g_subprocess_get_exit_status (b), !=, 0);
      g_assert_nonnull (strstr (b_err, "patients.csv:"));
      if (g_subprocess_get_exit_status (a) == 0)
        {
          g_autoptr(TrajStore) store = traj_store_open_existing (clinic, &error);

          g_assert_no_error (error);
          g_assert_nonnull (strstr (a_out, "Imported 40 rows into"));
          g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, &error), ==, 40);
          g_assert_no_error (error);
          said_imported++;
        }
      else
        {
          /* Only when another program made the file first; never this one's patients lost. */
          g_assert_nonnull (strstr (a_err, "Another program made a clinic file"));
        }
      /* Nothing of either run is left under a temporary name. */
      {
        g_autoptr(GDir) d = g_dir_open (fx->dir, 0, NULL);
        for (const char *e; (e = g_dir_read_name (d)) != NULL;)
          g_assert_false (g_str_has_prefix (e, ".new.db."));
      }
    }
  g_assert_cmpuint (said_imported, >, 0);
}

/* Issue 16 §2: a damaged clinic's values were exported with exit 0; export
 * and backup now check the file first and exit non-zero. */
static void
test_damaged_clinic (Fixture *fx, gconstpointer data)
{
  g_autofree char *bytes = NULL, *err = NULL;
  g_autofree char *out_dir = path_in (fx, "export");
  g_autofree char *copy = path_in (fx, "copy.db");
  g_autofree char *fhir = path_in (fx, "bundle.json");
  gsize len = 0;

  make_demo (fx, 30);
  g_assert_true (g_file_get_contents (fx->db, &bytes, &len, NULL));
  for (gsize k = 6 * 4096; k < 12 * 4096 && k < len; k++)
    bytes[k] = (char) (0x5A ^ (k & 0xff));
  g_assert_true (g_file_set_contents (fx->db, bytes, (gssize) len, NULL));

  g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "export", "--format", "csv", "--output", out_dir), !=, 0);
  g_assert_nonnull (strstr (err, "is damaged"));
  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "export", "--format", "fhir", "--output", fhir), !=, 0);
  g_assert_false (g_file_test (fhir, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (fx, NULL, &err, "--database", fx->db, "backup", "--output", copy), !=, 0);
  g_assert_nonnull (strstr (err, "Nothing was backed up"));
  g_assert_false (g_file_test (copy, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* As root, the full-disk tests mount a small tmpfs: in a mount namespace
   * of this process's own, so it goes with the process however it ends. */
  if (getuid () == 0 && unshare (CLONE_NEWNS) == 0)
    mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);

  g_test_add ("/cli/control-characters/out", Fixture, NULL, fixture_setup, test_control_characters_out, fixture_teardown);
  g_test_add ("/cli/control-characters/in", Fixture, NULL, fixture_setup, test_control_characters_in, fixture_teardown);
  g_test_add ("/cli/audit-verify", Fixture, NULL, fixture_setup, test_audit_verify, fixture_teardown);
  g_test_add ("/cli/output/mode", Fixture, NULL, fixture_setup, test_output_mode, fixture_teardown);
  g_test_add ("/cli/output/audited", Fixture, NULL, fixture_setup, test_output_audited, fixture_teardown);
  g_test_add ("/cli/output/other-clinic", Fixture, NULL, fixture_setup, test_output_other_clinic, fixture_teardown);
  g_test_add ("/cli/output/symlink", Fixture, NULL, fixture_setup, test_output_symlink, fixture_teardown);
  g_test_add ("/cli/output/fifo-and-device", Fixture, NULL, fixture_setup, test_output_fifo, fixture_teardown);
  g_test_add ("/cli/import/fifo", Fixture, NULL, fixture_setup, test_import_fifo, fixture_teardown);
  g_test_add ("/cli/import/two-at-once", Fixture, NULL, fixture_setup, test_import_two_at_once, fixture_teardown);
  g_test_add ("/cli/output/full-disk", Fixture, NULL, fixture_setup, test_output_full_disk, fixture_teardown);
  g_test_add ("/cli/output/export-folder", Fixture, NULL, fixture_setup, test_export_folder, fixture_teardown);
  g_test_add ("/cli/damaged-clinic", Fixture, NULL, fixture_setup, test_damaged_clinic, fixture_teardown);
  g_test_add ("/cli/which-commands-create", Fixture, NULL, fixture_setup, test_which_commands_create, fixture_teardown);
  g_test_add ("/cli/demo-default-path", Fixture, NULL, fixture_setup, test_demo_default_path, fixture_teardown);
  return g_test_run ();
}
