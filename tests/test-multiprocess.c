/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several programs on one clinic file (issue 12 §1): a long-lived process
 * (this test, standing for a workstation window) keeps a main and a worker
 * connection open and writes, while other programs — the real
 * trajectory-cli, a second store in another process (this program run as a
 * helper), the sqlite3 shell — open the same file, read, write and exit, and
 * while this process opens and closes further stores of its own (as the
 * window does for Cohorts or an import).
 *
 * Afterwards every write is present, PRAGMA integrity_check is "ok", every
 * program saw the others' writes, and no clinic file was ever "(deleted)"
 * under this process: SQLite keeps its POSIX locks only while no other
 * descriptor of the file is closed in the process, and a program that
 * believes it is the last one removes the WAL. */

#include "config.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>

#include "traj-backup.h"
#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-fhir.h"
#include "traj-safe-file.h"
#include "traj-store.h"

#define ROUNDS 20

static char *cli_path;
static char *self_path;

/* ---- helpers -------------------------------------------------------------- */

static TrajPatient *
make_patient (const char *mrn)
{
  TrajPatient *p = traj_patient_new ();

  p->mrn = g_strdup (mrn);
  p->name = g_strdup_printf ("Patient %s", mrn);
  p->birth_day = traj_day_from_ymd (1980, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  return p;
}

static gboolean
insert (TrajStore *store, const char *mrn, GError **error)
{
  g_autoptr(TrajPatient) p = make_patient (mrn);
  return traj_store_insert_patient (store, p, error);
}

/* Run as a helper: another program with its own store (main + worker
 * connections), writing one patient through each and reading the list. */
static int
helper_main (const char *path, const char *mrn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open (path, &error);
  g_autoptr(TrajStore) worker = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *mrn2 = g_strconcat (mrn, "-W", NULL);

  if (store == NULL ||
      (worker = traj_store_open_secondary (store, &error)) == NULL ||
      !insert (store, mrn, &error) ||
      !insert (worker, mrn2, &error) ||
      (list = traj_store_list_patients (store, &error)) == NULL)
    {
      g_printerr ("helper %s: %s\n", mrn, error->message);
      return 1;
    }
  g_print ("%u\n", list->len);
  return 0;
}

/* Run as a helper: starts writing @path the way @mode says (one file, a
 * folder of files, or a database SQLite writes under the temporary name,
 * with its -wal and -shm), says "ready", and waits to be killed. */
static int
writer_main (const char *path, const char *mode)
{
  g_autoptr(GError) error = NULL;
  TrajSafeFile *f = NULL;
  TrajSafeDir *d = NULL;
  char line[8];

  if (g_str_equal (mode, "folder"))
    {
      const char *names[] = { "one.csv", "two.csv", NULL };

      d = traj_safe_dir_new (path, names, &error);
      if (d != NULL && (f = traj_safe_dir_add_file (d, "one.csv", &error)) != NULL)
        traj_safe_file_write (f, "half a row", 10, &error);
    }
  else if (g_str_equal (mode, "database"))
    {
      f = traj_safe_file_new_for_path_writer (path, &error);
      if (f != NULL)
        {
          sqlite3 *db = NULL;

          if (sqlite3_open (traj_safe_file_get_temp_path (f), &db) != SQLITE_OK ||
              sqlite3_exec (db, "PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);",
                            NULL, NULL, NULL) != SQLITE_OK)
            g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "sqlite: %s", sqlite3_errmsg (db));
          /* Left open: the -wal and -shm stay, as after a kill. */
        }
    }
  else
    {
      f = traj_safe_file_new (path, &error);
      if (f != NULL)
        traj_safe_file_write (f, "half a row", 10, &error);
    }
  if (error != NULL)
    {
      g_printerr ("writer: %s\n", error->message);
      return 1;
    }
  g_print ("ready\n");
  fflush (stdout);
  /* Until the test kills us (or closes our input). */
  if (fgets (line, sizeof line, stdin) == NULL)
    raise (SIGKILL);
  return 0;
}

/* Clinic files of this process that are open but no longer in the folder. */
static guint
count_deleted (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autofree char *maps = NULL;
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target && g_str_has_prefix (target, path) && g_str_has_suffix (target, " (deleted)"))
        {
          g_test_message ("deleted under a live connection: fd %s → %s", name, target);
          n++;
        }
    }
  /* The -shm is also mapped. */
  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  {
    g_auto(GStrv) lines = g_strsplit (maps, "\n", -1);

    for (guint k = 0; lines[k]; k++)
      if (strstr (lines[k], path) && g_str_has_suffix (lines[k], " (deleted)"))
        {
          g_test_message ("deleted under a live mapping: %s", lines[k]);
          n++;
        }
  }
  return n;
}

static GSubprocess *
spawn_va (GError **error, va_list ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;

  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
}

static GSubprocess *
spawn (GError **error, ...)
{
  GSubprocess *proc;
  va_list ap;

  va_start (ap, error);
  proc = spawn_va (error, ap);
  va_end (ap);
  return proc;
}

static char *finish (GSubprocess *proc, const char *what);

/* Runs a program to its end: its stdout, or NULL when it failed. */
static char *
run (const char *what, ...)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  va_start (ap, what);
  proc = spawn_va (&error, ap);
  va_end (ap);
  g_assert_no_error (error);
  return finish (proc, what);
}

/* Waits for @proc; its stdout, or NULL (and a message) when it failed. */
static char *
finish (GSubprocess *proc, const char *what)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error))
    {
      g_test_message ("%s: %s", what, error->message);
      return NULL;
    }
  if (!g_subprocess_get_successful (proc))
    {
      g_test_message ("%s failed: %s", what, err);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* The MRNs of `trajectory-cli patients --format csv`. */
static GHashTable *
mrns_of_csv (const char *csv)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (csv ? csv : "", "\n", -1);

  for (guint k = 1; lines[k]; k++)
    {
      char *comma = strchr (lines[k], ',');
      if (comma)
        g_hash_table_add (set, g_strndup (lines[k], comma - lines[k]));
    }
  return set;
}

static void
write_patient_csv (const char *file, const char *mrn)
{
  g_autofree char *text = g_strdup_printf ("uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at\r\n"
                                           ",%s,Patient %s,1975-02-03,male,ptsd,,,\r\n", mrn, mrn);
  g_assert_true (g_file_set_contents (file, text, -1, NULL));
}

typedef struct {
  TrajStore *store;
  const char *mrn;
  GError *error;
} WorkerWrite;

static gpointer
worker_write (gpointer data)
{
  WorkerWrite *w = data;

  insert (w->store, w->mrn, &w->error);
  return NULL;
}

static char *
raw_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

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

/* ---- the test --------------------------------------------------------------- */

static void
test_shared_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-multiprocess-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *csv_file = g_build_filename (dir, "patients.csv", NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *sqlite3_shell = g_find_program_in_path ("sqlite3");
  g_autofree char *integrity = NULL;
  TrajStore *store, *worker;
  guint writes = 0, lost = 0, unseen = 0, deleted = 0, failed_runs = 0, processes = 0;

  g_assert_nonnull (dir);
  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  /* The worker connection lives as long as the window, as the patient
   * list's loader does. */
  worker = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *live = g_strdup_printf ("LIVE-%03u", round);
      g_autofree char *work = g_strdup_printf ("WORKER-%03u", round);
      g_autofree char *cli = g_strdup_printf ("CLI-%03u", round);
      g_autofree char *helper = g_strdup_printf ("HELPER-%03u", round);
      g_autofree char *helper_w = g_strconcat (helper, "-W", NULL);
      g_autoptr(GSubprocess) import = NULL, other = NULL, shell = NULL;
      g_autoptr(GHashTable) seen = NULL;
      g_autofree char *out = NULL;
      WorkerWrite w = { worker, work, NULL };
      GThread *thread;

      /* Other programs start on the file… */
      write_patient_csv (csv_file, cli);
      import = spawn (&error, cli_path, "--database", path, "import", csv_file, NULL);
      g_assert_no_error (error);
      other = spawn (&error, self_path, "--helper", path, helper, NULL);
      g_assert_no_error (error);
      if (sqlite3_shell)
        {
          shell = spawn (&error, sqlite3_shell, path, "SELECT count(*) FROM patient", NULL);
          g_assert_no_error (error);
        }
      processes += shell ? 3 : 2;

      /* …while this process writes on both of its connections… */
      thread = g_thread_new ("worker", worker_write, &w);
      if (!insert (store, live, &error))
        {
          g_test_message ("%s: %s", live, error->message);
          g_clear_error (&error);
          failed_runs++;
        }
      g_thread_join (thread);
      if (w.error)
        {
          g_test_message ("%s: %s", work, w.error->message);
          g_clear_error (&w.error);
          failed_runs++;
        }
      /* …and opens and closes other stores of its own: a job's secondary
       * connection, and a second store on the same file. */
      {
        g_autoptr(TrajStore) job = traj_store_open_secondary (store, &error);
        g_autoptr(TrajStore) second = job ? traj_store_open (path, &error) : NULL;

        if (second == NULL || traj_store_count (job, TRAJ_KIND_PATIENT, &error) < 0 ||
            traj_store_count (second, TRAJ_KIND_PATIENT, &error) < 0)
          {
            g_test_message ("another store in this process: %s", error->message);
            g_clear_error (&error);
            failed_runs++;
          }
      }

      {
        g_autofree char *o1 = finish (import, "trajectory-cli import");
        g_autofree char *o2 = finish (other, "a second store in another process");
        if (o1 == NULL)
          failed_runs++;
        if (o2 == NULL)
          failed_runs++;
      }
      if (shell)
        {
          g_autofree char *o = finish (shell, "the sqlite3 shell");
          if (o == NULL)
            failed_runs++;
        }
      writes += 5;
      g_ptr_array_add (expected, g_strdup (live));
      g_ptr_array_add (expected, g_strdup (work));
      g_ptr_array_add (expected, g_strdup (cli));
      g_ptr_array_add (expected, g_strdup (helper));
      g_ptr_array_add (expected, g_strdup (helper_w));

      /* Another program sees everything written so far, this process's
       * writes included… */
      out = run ("trajectory-cli patients", cli_path, "--database", path, "patients", "--format", "csv", NULL);
      processes++;
      seen = mrns_of_csv (out);
      for (guint k = 0; k < expected->len; k++)
        if (!g_hash_table_contains (seen, expected->pdata[k]))
          {
            g_test_message ("round %u: trajectory-cli does not see %s", round, (char *) expected->pdata[k]);
            unseen++;
          }
      /* …and this process sees the other programs' writes. */
      {
        const char *theirs[] = { cli, helper, helper_w };
        for (guint k = 0; k < G_N_ELEMENTS (theirs); k++)
          {
            g_autoptr(TrajPatient) p = traj_store_find_patient_by_mrn (store, theirs[k], NULL);
            if (p == NULL)
              {
                g_test_message ("round %u: this process does not see %s", round, theirs[k]);
                unseen++;
              }
          }
      }
      deleted += count_deleted (path);
    }

  g_object_unref (worker);
  g_object_unref (store);

  /* Read back from the file itself, every connection closed. */
  for (guint k = 0; k < expected->len; k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM patient WHERE mrn = '%s'",
                                              (char *) expected->pdata[k]);
      g_autofree char *n = raw_text (path, sql);
      if (g_strcmp0 (n, "1") != 0)
        {
          g_test_message ("lost: %s", (char *) expected->pdata[k]);
          lost++;
        }
    }
  integrity = raw_text (path, "PRAGMA integrity_check");
  {
    /* The app's own open path, and its own check. */
    g_autoptr(TrajStore) reopened = traj_store_open (path, &error);

    if (reopened == NULL || !traj_store_check_integrity (reopened, &error))
      {
        g_test_message ("reopening: %s", error->message);
        g_clear_error (&error);
        failed_runs++;
      }
  }

  g_test_message ("multi-process: %u rounds, %u other processes, %u writes, %u lost, %u not seen by another program, "
                  "%u deleted files under a live process, %u failed runs, integrity_check: %s",
                  ROUNDS, processes, writes, lost, unseen, deleted, failed_runs, integrity);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (unseen, ==, 0);
  g_assert_cmpuint (deleted, ==, 0);
  g_assert_cmpuint (failed_runs, ==, 0);
  g_assert_cmpstr (integrity, ==, "ok");

  remove_tree (dir);
}


/* The clinic's own backup, check and restore, run inside the live process
 * and by the CLI beside it, open no descriptor of the clinic file outside
 * SQLite: afterwards another program's writes still reach this process and
 * this process's writes still reach the others. */
static void
test_backup_restore_while_open (void)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-multiprocess-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);
  g_autofree char *cli_backup = g_build_filename (dir, "cli-backup.db", NULL);
  g_autofree char *kept = NULL, *integrity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = NULL;
  TrajStore *store, *worker;
  TrajBackupInfo info;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  worker = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);
  g_assert_true (insert (store, "BEFORE-1", &error));
  g_assert_true (insert (worker, "BEFORE-2", &error));

  /* In this process: a backup, a check of the clinic file itself (a user
   * may pick it in the file chooser), a restore, as the window does. */
  g_assert_true (traj_backup_to_file (worker, backup, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (insert (store, "AFTER-BACKUP", &error));
  g_assert_true (traj_backup_check (path, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.patients, ==, 3);
  g_assert_true (traj_backup_restore (path, backup, &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_deleted (path), ==, 0);

  /* Beside it, the CLI backs the clinic up and restores it. */
  {
    g_autofree char *out = run ("trajectory-cli backup", cli_path, "--database", path, "backup", "--output", cli_backup, NULL);
    g_assert_nonnull (out);
  }
  g_assert_true (insert (worker, "AFTER-RESTORE", &error));
  {
    g_autofree char *out = run ("trajectory-cli restore", cli_path, "--database", path, "restore", cli_backup, "--yes", NULL);
    g_assert_nonnull (out);
  }
  g_assert_true (insert (store, "LIVE-LAST", &error));
  {
    g_autofree char *out = run ("a second store in another process", self_path, "--helper", path, "HELPER-LAST", NULL);
    g_assert_nonnull (out);
  }
  g_assert_cmpuint (count_deleted (path), ==, 0);

  /* This process sees the helper's write; the CLI sees this process's. */
  {
    g_autoptr(TrajPatient) p = traj_store_find_patient_by_mrn (store, "HELPER-LAST", &error);
    g_assert_no_error (error);
    g_assert_nonnull (p);
  }
  {
    g_autofree char *out = run ("trajectory-cli patients", cli_path, "--database", path, "patients", "--format", "csv", NULL);
    const char *want[] = { "BEFORE-1", "BEFORE-2", "LIVE-LAST", "HELPER-LAST", "HELPER-LAST-W" };

    seen = mrns_of_csv (out);
    for (guint k = 0; k < G_N_ELEMENTS (want); k++)
      g_assert_true (g_hash_table_contains (seen, want[k]));
    /* Both restores took effect, for every program. */
    g_assert_false (g_hash_table_contains (seen, "AFTER-BACKUP"));
    g_assert_false (g_hash_table_contains (seen, "AFTER-RESTORE"));
  }

  g_object_unref (worker);
  g_object_unref (store);
  integrity = raw_text (path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  {
    g_autofree char *n = raw_text (path, "SELECT count(*) FROM patient WHERE mrn = 'LIVE-LAST'");
    g_assert_cmpstr (n, ==, "1");
  }
  remove_tree (dir);
}


/* No output replaces the clinic file or a file SQLite keeps beside it: a
 * backup, an export or a plain file named like them is refused with a
 * message, in this process and from the CLI, and the clinic goes on. (A
 * FHIR export named "clinic.db-wal" used to be renamed over the WAL.) */
static void
test_outputs_spare_clinic_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-multiprocess-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *other_spelling = g_build_filename (dir, ".", "clinic.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;
  TrajStore *store, *worker;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  worker = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);
  g_assert_true (insert (store, "KEEP-1", &error));

  g_assert_false (traj_backup_to_file (worker, path, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "clinic database in use"));
  g_clear_error (&error);
  g_assert_false (traj_backup_to_file (worker, other_spelling, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (traj_fhir_export (worker, NULL, wal, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (traj_safe_file_set_contents (shm, "x", -1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_cmpuint (count_deleted (path), ==, 0);

  /* The CLI, on the clinic it opened. */
  proc = spawn (&error, cli_path, "--database", path, "backup", "--output", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_successful (proc));
  g_assert_nonnull (strstr (err, "clinic database in use"));
  g_clear_object (&proc);
  g_clear_pointer (&err, g_free);
  proc = spawn (&error, cli_path, "--database", path, "export", "--format", "fhir", "--output", wal, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_false (g_subprocess_get_successful (proc));

  /* Everyone goes on with the same file. */
  g_assert_true (insert (worker, "KEEP-2", &error));
  g_assert_no_error (error);
  {
    g_autofree char *out = run ("trajectory-cli patients", cli_path, "--database", path, "patients", "--format", "csv", NULL);
    g_autoptr(GHashTable) seen = mrns_of_csv (out);
    g_assert_true (g_hash_table_contains (seen, "KEEP-1"));
    g_assert_true (g_hash_table_contains (seen, "KEEP-2"));
  }
  g_assert_cmpuint (count_deleted (path), ==, 0);
  g_object_unref (worker);
  g_object_unref (store);
  remove_tree (dir);
}

/* ---- libraries in this process --------------------------------------------- */

/* Code in this process that is not ours opens files too: the file chooser
 * asks GIO for the type of every file in the clinic's folder, and GIO reads
 * their first bytes; a preview or a drag-and-drop reads a whole file. Each
 * close() of such a descriptor used to drop every lock this process's
 * connections held, so the next program to close the clinic deleted its
 * WAL under us and later writes went where nobody saw them. */
static void
test_folder_listing_keeps_locks (void)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-multiprocess-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *hard_link = g_build_filename (dir, "same-clinic.db", NULL);
  g_autoptr(GError) error = NULL;
  TrajStore *store, *worker;
  guint deleted = 0;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  worker = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);
  g_assert_true (insert (store, "FOLDER-0", &error));
  g_assert_cmpint (link (path, hard_link), ==, 0);

  for (guint round = 1; round <= 4; round++)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (dir);
      g_autoptr(GFileEnumerator) e = NULL;
      g_autofree char *mrn = g_strdup_printf ("FOLDER-%u", round);
      g_autofree char *out = NULL;
      GFileInfo *info;

      /* What a file chooser does with the folder. */
      e = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                                     G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE, NULL, &error);
      g_assert_no_error (error);
      while ((info = g_file_enumerator_next_file (e, NULL, &error)) != NULL)
        g_object_unref (info);
      g_assert_no_error (error);
      /* What a preview does: refused while the clinic is open here, by
       * any of its names. */
      {
        const char *names[] = { path, wal, hard_link };

        for (guint k = 0; k < G_N_ELEMENTS (names); k++)
          {
            g_autofree char *bytes = NULL;

            g_assert_false (g_file_get_contents (names[k], &bytes, NULL, &error));
            g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
            g_clear_error (&error);
            g_assert_null (fopen (names[k], "rb"));
            g_assert_cmpint (errno, ==, EACCES);
          }
      }

      /* Another program opens the clinic, reads and exits. */
      out = run ("trajectory-cli patients", cli_path, "--database", path, "patients", "--format", "csv", NULL);
      g_assert_nonnull (out);
      deleted += count_deleted (path);

      /* What this process writes next reaches the others. */
      g_assert_true (insert (round % 2 ? worker : store, mrn, &error));
      g_assert_no_error (error);
      {
        g_autofree char *now = run ("trajectory-cli patients", cli_path, "--database", path,
                                    "patients", "--format", "csv", NULL);
        g_autoptr(GHashTable) seen = mrns_of_csv (now);
        g_assert_true (g_hash_table_contains (seen, mrn));
      }
    }
  g_test_message ("4 rounds: %u deleted files under this process", deleted);
  g_assert_cmpuint (deleted, ==, 0);

  g_object_unref (worker);
  g_object_unref (store);
  /* Closed: the file is an ordinary file again. */
  {
    g_autofree char *bytes = NULL;
    g_assert_true (g_file_get_contents (path, &bytes, NULL, &error));
    g_assert_no_error (error);
  }
  {
    g_autofree char *n = raw_text (path, "SELECT count(*) FROM patient WHERE mrn LIKE 'FOLDER-%'");
    g_assert_cmpstr (n, ==, "5");
  }
  remove_tree (dir);
}

/* ---- what killed writers leave ----------------------------------------------- */

/* A helper writing @path, stopped once it said "ready". */
static GSubprocess *
start_writer (const char *path, const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  GSubprocess *proc;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           self_path, "--writer", path, mode, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  return proc;
}

static void
kill_writer (GSubprocess *proc)
{
  g_subprocess_force_exit (proc);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (proc));
}

/* Entries of @dir whose name starts ".@base." — temporary files. */
static guint
count_temps (const char *dir, const char *base)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (".", base, ".", NULL);
  const char *entry;
  guint n = 0;

  while (d && (entry = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (entry, prefix))
      n++;
  return n;
}

/* Issue 12: a backup or export killed mid-write (kill -9, power cut) left
 * its hidden temporary file, or folder, or database with -wal and -shm,
 * forever (21 of 60 killed backups). The next output to the same name
 * removes what killed programs left — and nothing of a program that is
 * still writing. */
static void
test_killed_writers_leave_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-temps-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "export.csv", NULL);
  g_autofree char *folder = g_build_filename (dir, "folder-out", NULL);
  g_autofree char *database = g_build_filename (dir, "backup.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  g_assert_nonnull (dir);
  {
    /* Three at a time: a writer sweeps only what was left before it. */
    GSubprocess *writers[9];

    for (guint k = 0; k < 3; k++)
      {
        writers[3 * k] = start_writer (file, "file");
        writers[3 * k + 1] = start_writer (folder, "folder");
        writers[3 * k + 2] = start_writer (database, "database");
      }
    for (guint k = 0; k < G_N_ELEMENTS (writers); k++)
      {
        kill_writer (writers[k]);
        g_object_unref (writers[k]);
      }
  }
  g_assert_cmpuint (count_temps (dir, "export.csv"), ==, 3);
  g_assert_cmpuint (count_temps (dir, "folder-out"), ==, 3);
  /* The database, its -wal and its -shm, three times. */
  g_assert_cmpuint (count_temps (dir, "backup.db"), ==, 9);

  /* One program still writes each name. */
  {
    g_autoptr(GSubprocess) live_file = start_writer (file, "file");
    g_autoptr(GSubprocess) live_folder = start_writer (folder, "folder");
    g_autoptr(GSubprocess) live_db = start_writer (database, "database");
    const char *names[] = { "one.csv", "two.csv", NULL };
    TrajSafeDir *d;
    TrajSafeFile *f;

    g_assert_true (traj_safe_file_set_contents (file, "complete\n", -1, &error));
    g_assert_no_error (error);
    d = traj_safe_dir_new (folder, names, &error);
    g_assert_no_error (error);
    for (guint k = 0; names[k]; k++)
      {
        f = traj_safe_dir_add_file (d, names[k], &error);
        g_assert_no_error (error);
        g_assert_true (traj_safe_file_write (f, "complete\n", 9, &error));
        g_assert_true (traj_safe_file_commit (f, &error));
        g_assert_no_error (error);
      }
    g_assert_true (traj_safe_dir_commit (d, &error));
    g_assert_no_error (error);
    traj_safe_dir_free (d);
    g_assert_true (traj_safe_file_set_contents (database, "not really a database\n", -1, &error));
    g_assert_no_error (error);

    /* The killed ones are gone; the live writers' are not. */
    g_assert_cmpuint (count_temps (dir, "export.csv"), ==, 1);
    g_assert_cmpuint (count_temps (dir, "folder-out"), ==, 1);
    g_assert_cmpuint (count_temps (dir, "backup.db"), ==, 3);
    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "complete\n");
    g_clear_pointer (&contents, g_free);

    kill_writer (live_file);
    kill_writer (live_folder);
    kill_writer (live_db);
  }
  /* Now those are a killed program's too. */
  g_assert_true (traj_safe_file_set_contents (file, "again\n", -1, &error));
  g_assert_true (traj_safe_file_set_contents (database, "again\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_temps (dir, "export.csv"), ==, 0);
  g_assert_cmpuint (count_temps (dir, "backup.db"), ==, 0);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "again\n");
  remove_tree (dir);
}

typedef struct {
  const char *path;
  guint calls;
  char *helper_out;           /* what the other process printed, NULL when it failed */
} ImportWatch;

/* Called while the import reads its files: another process saves two
 * patients (a clinician's ordinary save, on two connections). While the
 * import held the write lock for all of its work, that save waited its
 * 5 s busy timeout and failed. */
static void
save_during_read (double fraction, gpointer data)
{
  ImportWatch *w = data;

  if (w->calls++ > 0 || fraction >= 1.0)
    return;
  w->helper_out = run ("a save while the import reads", self_path, "--helper", w->path, "SAVED-DURING-IMPORT", NULL);
}

/* Issue 16 §2: an import reads and checks every file before it takes the
 * write lock, so another program's save during the reading goes through at
 * once; the import is still all-or-nothing and lands beside the save. */
static void
test_import_reads_without_lock (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-mp-import-XXXXXX", &error);
  g_autofree char *src_path = g_build_filename (dir, "source.db", NULL);
  g_autofree char *export = g_build_filename (dir, "export", NULL);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) src = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GPtrArray) patients = NULL;
  TrajDemoCounts counts = { 0 };
  ImportWatch w = { 0 };
  gint64 n_events = 0;

  g_assert_no_error (error);
  src = traj_store_open (src_path, &error);
  g_assert_no_error (error);
  /* Enough rows that the import reports progress while it reads. */
  g_assert_true (traj_demo_generate (src, 3, 40, traj_day_from_ymd (2026, 9, 1), &counts, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (traj_csv_export (src, export, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  w.path = path;
  g_assert_true (traj_csv_import (store, export, report, save_during_read, &w, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (w.calls, >, 0);
  /* The other process's save went through: its two patients, counted by it. */
  g_assert_cmpstr (w.helper_out, ==, "2\n");
  patients = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (patients->len, ==, counts.patients + 2);
  g_assert_true (traj_store_audit_verify (store, &n_events, &error));
  g_assert_no_error (error);
  g_free (w.helper_out);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--helper"))
    return helper_main (argv[2], argv[3]);
  if (argc == 4 && g_str_equal (argv[1], "--writer"))
    return writer_main (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);
  /* Set by tests/meson.build: the trajectory-cli just built. */
  cli_path = g_strdup (g_getenv ("TRAJECTORY_CLI"));
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (cli_path);
  g_assert_nonnull (self_path);
  g_test_add_func ("/multiprocess/shared-file", test_shared_file);
  g_test_add_func ("/multiprocess/backup-restore-while-open", test_backup_restore_while_open);
  g_test_add_func ("/multiprocess/outputs-spare-clinic-files", test_outputs_spare_clinic_files);
  g_test_add_func ("/multiprocess/killed-writers-leave-nothing", test_killed_writers_leave_nothing);
  g_test_add_func ("/multiprocess/folder-listing-keeps-locks", test_folder_listing_keeps_locks);
  g_test_add_func ("/multiprocess/import-reads-without-lock", test_import_reads_without_lock);
  return g_test_run ();
}
