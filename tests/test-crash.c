/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Crash injection (issue 12 §1): the real trajectory-cli is killed with
 * SIGKILL at a random (seeded) moment during a large `import`, `demo`,
 * `backup` and `restore`, over and over. After every kill:
 *
 * - the clinic file passes PRAGMA integrity_check;
 * - an import, a demo and a restore are all or nothing: the clinic holds
 *   exactly what it held before or exactly what the whole operation writes;
 * - nothing committed before is lost, and an operation that reported
 *   success (exited 0 before the kill landed) is all there;
 * - a backup file is either absent or complete (it passes the restore
 *   check), and the clinic it was made from is unchanged;
 * - the app's own open path (traj_store_open) opens the file.
 *
 * Every other run this process holds a store with a worker connection open
 * on the clinic while the CLI dies, and afterwards writes through it: the
 * write must reach the file.
 *
 * TRAJ_CRASH_RUNS (runs per operation, default 60) and TRAJ_CRASH_SEED
 * change the run; `./dev crash` runs it longer. The counts are printed. */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "traj-backup.h"
#include "traj-store.h"

#define BASE_PATIENTS 5

/* Runs per operation: 4 × 60 = 240 by default; a sanitizer build (several
 * times slower) runs fewer, so `./dev test --asan` stays bounded. */
#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_RUNS 15
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_RUNS 15
#endif
#endif
#ifndef DEFAULT_RUNS
#define DEFAULT_RUNS 60
#endif
#define DEMO_PATIENTS 80

typedef enum {
  OP_IMPORT,
  OP_DEMO,
  OP_BACKUP,
  OP_RESTORE,
  N_OPS
} Op;

static const char *op_names[N_OPS] = { "import", "demo", "backup", "restore" };

typedef struct {
  guint runs;
  guint killed;
  guint completed;
  guint integrity_failures;
  guint lost_writes;
  guint partial;
  guint open_failures;
  guint other_failures;
  guint temp_files_left;
} Counts;

typedef struct {
  char *dir;
  char *cli;
  char *src;          /* a demo clinic of DEMO_PATIENTS */
  char *src_backup;   /* its backup, for restore */
  char *csv;          /* its CSV export, for import */
  char *base;         /* BASE_PATIENTS of our own, checkpointed into one file */
  char *target;       /* the clinic each run works on */
  char *output;       /* the backup each run writes */
  gint64 duration[N_OPS];
  Counts counts[N_OPS];
  GRand *rand;
} Fixture;

/* ---- files ------------------------------------------------------------------- */

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
remove_clinic (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  g_remove (journal);
}

/* A closed, checkpointed clinic file copied byte for byte. */
static void
copy_clinic (const char *from, const char *to)
{
  g_autofree char *bytes = NULL;
  gsize len = 0;

  remove_clinic (to);
  g_assert_true (g_file_get_contents (from, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (to, bytes, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (to, 0600), ==, 0);
}

/* Temporary files beside @output (".NAME.HOST-PID-RANDOM.part" and what
 * SQLite keeps beside those, traj-safe-file.c). */
static guint
count_temp_files (const char *output)
{
  g_autofree char *dir = g_path_get_dirname (output);
  g_autofree char *base = g_path_get_basename (output);
  g_autofree char *prefix = g_strconcat (".", base, ".", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      n++;
  return n;
}

/* ---- looking at a clinic file --------------------------------------------------- */

/* Opens read-write, as any program would (recovering a hot WAL). */
static gboolean
raw_query (const char *path, const char *sql, char **out)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  *out = NULL;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 10000);
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
        {
          *out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          ok = TRUE;
        }
      else
        *out = g_strdup (sqlite3_errmsg (db));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

static gint64
raw_count (const char *path, const char *sql)
{
  g_autofree char *text = NULL;

  if (!raw_query (path, sql, &text))
    {
      g_test_message ("%s: %s", path, text);
      return -1;
    }
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
integrity_ok (const char *path)
{
  g_autofree char *text = NULL;

  if (raw_query (path, "PRAGMA integrity_check", &text) && g_strcmp0 (text, "ok") == 0)
    return TRUE;
  g_test_message ("integrity_check of %s: %s", path, text);
  return FALSE;
}

static gboolean
app_opens (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open (path, &error);

  if (store == NULL)
    {
      g_test_message ("the app cannot open %s: %s", path, error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- running the CLI ------------------------------------------------------------ */

static GPtrArray *
cli_argv (Fixture *f, Op op)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, f->cli);
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, f->target);
  switch (op)
    {
    case OP_IMPORT:
      g_ptr_array_add (argv, (gpointer) "import");
      g_ptr_array_add (argv, f->csv);
      break;
    case OP_DEMO:
      g_ptr_array_add (argv, (gpointer) "demo");
      g_ptr_array_add (argv, (gpointer) "--patients");
      g_ptr_array_add (argv, (gpointer) G_STRINGIFY (DEMO_PATIENTS));
      break;
    case OP_BACKUP:
      g_ptr_array_add (argv, (gpointer) "backup");
      g_ptr_array_add (argv, (gpointer) "--replace");
      g_ptr_array_add (argv, (gpointer) "--output");
      g_ptr_array_add (argv, f->output);
      break;
    case OP_RESTORE:
    case N_OPS:
    default:
      g_ptr_array_add (argv, (gpointer) "restore");
      g_ptr_array_add (argv, f->src_backup);
      g_ptr_array_add (argv, (gpointer) "--yes");
      break;
    }
  g_ptr_array_add (argv, NULL);
  return argv;
}

static GSubprocess *
spawn_cli (Fixture *f, Op op)
{
  g_autoptr(GPtrArray) argv = cli_argv (f, op);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc = g_subprocess_newv ((const char * const *) argv->pdata,
                                         G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                         &error);
  g_assert_no_error (error);
  return proc;
}

/* Puts the target (and output) in the state a run starts from. */
static void
prepare (Fixture *f, Op op)
{
  g_autofree char *dir = g_path_get_dirname (f->target);
  g_autofree char *kept = g_build_filename (dir, "backups", NULL);

  remove_tree (kept);
  remove_clinic (f->output);
  switch (op)
    {
    case OP_IMPORT:
    case OP_RESTORE:
      copy_clinic (f->base, f->target);
      break;
    case OP_DEMO:
      remove_clinic (f->target);
      break;
    case OP_BACKUP:
      copy_clinic (f->src, f->target);
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
}

/* Runs @op to its end once: it must succeed. */
static gint64
run_whole (Fixture *f, Op op)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  gint64 start;

  prepare (f, op);
  start = g_get_monotonic_time ();
  proc = spawn_cli (f, op);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (proc))
    g_error ("trajectory-cli %s failed: %s", op_names[op], err);
  return g_get_monotonic_time () - start;
}

static gint64
mrn_count (const char *path, const char *prefix)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM patient WHERE mrn LIKE '%s%%'", prefix);
  return raw_count (path, sql);
}

static void
run_cli_ok (Fixture *f, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, f->cli);
  va_start (ap, f);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (proc, NULL, &error));
  g_assert_no_error (error);
}

/* ---- one run ---------------------------------------------------------------------- */

static void
one_run (Fixture *f, Op op, guint k)
{
  Counts *c = &f->counts[op];
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(TrajStore) held = NULL, held_worker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *marker = g_strdup_printf ("AFTER-%s-%u", op_names[op], k);
  gboolean completed, hold = (k % 2 == 1) && op != OP_DEMO;
  gint64 delay, start, before = 0, after = 0, n;

  prepare (f, op);
  switch (op)
    {
    case OP_IMPORT:
      before = BASE_PATIENTS;
      after = BASE_PATIENTS + DEMO_PATIENTS;
      break;
    case OP_RESTORE:
      before = BASE_PATIENTS;
      after = DEMO_PATIENTS;
      break;
    case OP_DEMO:
      before = 0;
      after = DEMO_PATIENTS;
      break;
    case OP_BACKUP:
      before = after = DEMO_PATIENTS;
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
  if (hold)
    {
      held = traj_store_open (f->target, &error);
      g_assert_no_error (error);
      held_worker = traj_store_open_secondary (held, &error);
      g_assert_no_error (error);
      g_assert_cmpint (traj_store_count (held_worker, TRAJ_KIND_PATIENT, &error), ==, before);
    }

  /* Anywhere from the program's start to a little after its usual end. */
  delay = (gint64) g_rand_double_range (f->rand, 0, 1.1 * (double) f->duration[op]);
  start = g_get_monotonic_time ();
  proc = spawn_cli (f, op);
  g_usleep ((gulong) delay);
  g_subprocess_force_exit (proc);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  c->runs++;
  completed = g_subprocess_get_if_exited (proc);
  /* The machine's load changes (other tests finish): follow how long the
   * runs that were not killed took, so the kills keep landing inside. */
  if (completed)
    f->duration[op] = (7 * f->duration[op] + 3 * (g_get_monotonic_time () - start)) / 10;
  if (completed && g_subprocess_get_exit_status (proc) != 0)
    {
      g_test_message ("%s run %u failed without being killed: %s", op_names[op], k, err);
      c->other_failures++;
    }
  if (completed)
    c->completed++;
  else
    c->killed++;

  if (op == OP_DEMO && !g_file_test (f->target, G_FILE_TEST_EXISTS))
    {
      /* Killed before it made the file: nothing to check, nothing lost. */
      if (completed)
        c->lost_writes++;
      return;
    }

  if (!integrity_ok (f->target))
    c->integrity_failures++;
  /* A demo killed before its first migration committed leaves a file with
   * no tables: a clinic not made yet, which the app takes as new. */
  if (op == OP_DEMO && raw_count (f->target, "SELECT count(*) FROM sqlite_master WHERE name = 'patient'") == 0)
    n = 0;
  else
    /* Not the patients of an import or demo stopped between its chunks:
     * hidden (deleted_at < 0) from every reader, and removed by the next
     * open (checked below). */
    n = raw_count (f->target, "SELECT count(*) FROM patient WHERE deleted_at IS NULL OR deleted_at > 0");
  if (n != before && n != after)
    {
      g_test_message ("%s run %u (killed after %.0f ms): %" G_GINT64_FORMAT " patients, expected %" G_GINT64_FORMAT
                      " or %" G_GINT64_FORMAT, op_names[op], k, delay / 1000.0, n, before, after);
      c->partial++;
    }
  /* What was there before stays, unless a restore replaced it whole. */
  if ((op == OP_IMPORT && mrn_count (f->target, "BASE-") != BASE_PATIENTS) ||
      (completed && n != after))
    {
      g_test_message ("%s run %u: writes lost (%" G_GINT64_FORMAT " patients)", op_names[op], k, n);
      c->lost_writes++;
    }
  if (op == OP_BACKUP)
    {
      /* A backup removes what killed backups before it left; one that
       * finished leaves nothing at all. */
      guint temps = count_temp_files (f->output);

      if (temps && completed)
        {
          g_test_message ("backup run %u finished but %u temporary files are left", k, temps);
          c->temp_files_left += temps;
        }
      if (g_file_test (f->output, G_FILE_TEST_EXISTS))
        {
          TrajBackupInfo info;
          if (!traj_backup_check (f->output, &info, &error))
            {
              g_test_message ("backup run %u left an incomplete backup: %s", k, error->message);
              g_clear_error (&error);
              c->partial++;
            }
          else if (info.patients != DEMO_PATIENTS)
            c->partial++;
        }
      else if (completed)
        c->lost_writes++;
    }
  if (!app_opens (f->target))
    c->open_failures++;
  else if (raw_count (f->target, "SELECT count(*) FROM sqlite_master WHERE name = 'patient'") > 0 &&
           raw_count (f->target, "SELECT count(*) FROM patient WHERE deleted_at < 0") > 0)
    {
      g_test_message ("%s run %u: the app's open left hidden records of the stopped write", op_names[op], k);
      c->partial++;
    }

  /* The live program goes on, while another program comes and goes: it
   * sees the outcome, and its writes reach the others and the file. */
  if (hold)
    {
      g_autoptr(TrajPatient) p = traj_patient_new ();

      run_cli_ok (f, "--database", f->target, "patients", NULL);
      traj_store_poll_external_changes (held);
      if (traj_store_count (held, TRAJ_KIND_PATIENT, NULL) != n)
        {
          g_test_message ("%s run %u: the live store does not see the file's %" G_GINT64_FORMAT " patients",
                          op_names[op], k, n);
          c->lost_writes++;
        }
      p->mrn = g_strdup (marker);
      p->name = g_strdup ("Written after the crash");
      p->birth_day = traj_day_from_ymd (1970, 1, 1);
      if (!traj_store_insert_patient (held_worker, p, &error))
        {
          g_test_message ("%s run %u: the live store cannot write: %s", op_names[op], k, error->message);
          g_clear_error (&error);
          c->other_failures++;
        }
      if (mrn_count (f->target, marker) != 1)
        {
          g_test_message ("%s run %u: the live store's write after the crash is not seen by others", op_names[op], k);
          c->lost_writes++;
        }
      g_clear_object (&held_worker);
      g_clear_object (&held);
      if (mrn_count (f->target, marker) != 1)
        {
          g_test_message ("%s run %u: the live store's write after the crash is lost", op_names[op], k);
          c->lost_writes++;
        }
    }
}

/* ---- the test ---------------------------------------------------------------------- */

static void
make_base (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open (f->base, &error);

  g_assert_no_error (error);
  for (guint k = 0; k < BASE_PATIENTS; k++)
    {
      g_autoptr(TrajPatient) p = traj_patient_new ();
      p->mrn = g_strdup_printf ("BASE-%u", k);
      p->name = g_strdup_printf ("Base Patient %u", k);
      p->birth_day = traj_day_from_ymd (1960 + (int) k, 3, 4);
      g_assert_true (traj_store_insert_patient (store, p, &error));
      g_assert_no_error (error);
    }
}

static void
test_crash_injection (void)
{
  Fixture fx = { 0 }, *f = &fx;
  const char *runs_env = g_getenv ("TRAJ_CRASH_RUNS");
  const char *seed_env = g_getenv ("TRAJ_CRASH_SEED");
  guint runs = runs_env ? (guint) g_ascii_strtoull (runs_env, NULL, 10) : DEFAULT_RUNS;
  guint32 seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : 20261207;
  Counts total = { 0 };
  gint64 start = g_get_monotonic_time ();

  f->cli = g_strdup (g_getenv ("TRAJECTORY_CLI"));
  g_assert_nonnull (f->cli);
  f->dir = g_dir_make_tmp ("traj-crash-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->src = g_build_filename (f->dir, "source.db", NULL);
  f->src_backup = g_build_filename (f->dir, "source-backup.db", NULL);
  f->csv = g_build_filename (f->dir, "export", NULL);
  f->base = g_build_filename (f->dir, "base.db", NULL);
  f->target = g_build_filename (f->dir, "clinic", "clinic.db", NULL);
  f->output = g_build_filename (f->dir, "clinic", "backup.db", NULL);
  f->rand = g_rand_new_with_seed (seed);
  {
    g_autofree char *clinic_dir = g_path_get_dirname (f->target);
    g_assert_cmpint (g_mkdir (clinic_dir, 0700), ==, 0);
  }

  /* A large clinic, its backup and its CSV export; a small clinic of our own. */
  run_cli_ok (f, "--database", f->src, "demo", "--patients", G_STRINGIFY (DEMO_PATIENTS), NULL);
  run_cli_ok (f, "--database", f->src, "backup", "--output", f->src_backup, NULL);
  run_cli_ok (f, "--database", f->src, "export", "--format", "csv", "--output", f->csv, NULL);
  make_base (f);
  g_assert_cmpint (raw_count (f->src, "SELECT count(*) FROM patient"), ==, DEMO_PATIENTS);

  /* How long each takes here and now (the median of three): the kills
   * land across that span. */
  for (Op op = 0; op < N_OPS; op++)
    {
      gint64 d[3];

      for (guint k = 0; k < 3; k++)
        d[k] = run_whole (f, op);
      f->duration[op] = MAX (MIN (d[0], d[1]), MIN (MAX (d[0], d[1]), d[2]));
      g_test_message ("%s takes %.0f ms uninterrupted", op_names[op], f->duration[op] / 1000.0);
    }

  for (guint k = 0; k < runs; k++)
    for (Op op = 0; op < N_OPS; op++)
      one_run (f, op, k);

  g_test_message ("crash injection (seed %u, %.0f s): SIGKILL at a random moment of trajectory-cli", seed,
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  for (Op op = 0; op < N_OPS; op++)
    {
      Counts *c = &f->counts[op];

      g_test_message ("  %-8s %u runs (%u killed, %u finished first): %u lost writes, %u integrity failures, "
                      "%u partial, %u not opened by the app, %u other failures, %u temporary files left after a finished run",
                      op_names[op], c->runs, c->killed, c->completed, c->lost_writes, c->integrity_failures,
                      c->partial, c->open_failures, c->other_failures, c->temp_files_left);
      total.runs += c->runs;
      total.killed += c->killed;
      total.lost_writes += c->lost_writes;
      total.integrity_failures += c->integrity_failures;
      total.partial += c->partial;
      total.open_failures += c->open_failures;
      total.other_failures += c->other_failures;
    }
  g_test_message ("  total    %u runs (%u killed): %u lost writes, %u integrity failures, %u partial imports/demos/restores/backups, "
                  "%u not opened by the app",
                  total.runs, total.killed, total.lost_writes, total.integrity_failures, total.partial, total.open_failures);

  g_assert_cmpuint (total.lost_writes, ==, 0);
  g_assert_cmpuint (total.integrity_failures, ==, 0);
  g_assert_cmpuint (total.partial, ==, 0);
  g_assert_cmpuint (total.open_failures, ==, 0);
  g_assert_cmpuint (total.other_failures, ==, 0);
  /* After the last backup finishes, not one temporary file is left. */
  run_cli_ok (f, "--database", f->target, "backup", "--replace", "--output", f->output, NULL);
  g_assert_cmpuint (f->counts[OP_BACKUP].temp_files_left, ==, 0);
  g_assert_cmpuint (count_temp_files (f->output), ==, 0);

  remove_tree (f->dir);
  g_rand_free (f->rand);
  g_free (f->dir);
  g_free (f->cli);
  g_free (f->src);
  g_free (f->src_backup);
  g_free (f->csv);
  g_free (f->base);
  g_free (f->target);
  g_free (f->output);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crash/kill-9", test_crash_injection);
  return g_test_run ();
}
