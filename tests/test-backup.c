/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Backups: an online backup taken while another connection keeps writing is
 * a consistent database holding every row committed before it began; the
 * daily automatic backup makes one file a day and keeps the newest N; a
 * restore checks the file first (refusing damaged, foreign and newer-schema
 * files, leaving everything as it was), keeps the clinic as it was, and is
 * seen by connections still open. Real SQLite files in temporary folders. */

#include "config.h"

#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "traj-backup.h"
#include "traj-demo.h"
#include "traj-error.h"
#include "traj-store.h"

#define ANCHOR() traj_day_from_ymd (2026, 11, 1)

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
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-backup-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db = g_build_filename (fx->dir, "clinic.db", NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_autofree char *mounts = NULL;

  /* A failed full-disk test must not leave its tmpfs mounted. */
  for (guint k = 0; k < 3; k++)
    {
      static const char *names[] = { "small", "tiny", "ro" };
      g_autofree char *mnt = g_build_filename (fx->dir, names[k], NULL);

      g_clear_pointer (&mounts, g_free);
      if (g_file_get_contents ("/proc/self/mounts", &mounts, NULL, NULL) && strstr (mounts, mnt))
        {
          g_autofree char *cmd = g_strdup_printf ("umount '%s'", mnt);
          g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
        }
    }
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->db);
}

static TrajStore *
demo_store (const char *path, guint n)
{
  GError *error = NULL;
  TrajStore *store = traj_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, 99, n, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return store;
}

static gint64
query (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static char *
query_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *s;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  s = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return s;
}

static void
assert_private (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
insert_patient (TrajStore *store, const char *mrn)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  GError *error = NULL;

  p->mrn = g_strdup (mrn);
  p->name = g_strdup ("Written Meanwhile");
  p->birth_day = traj_day_from_ymd (1980, 1, 1);
  g_assert_true (traj_store_insert_patient (store, p, &error));
  g_assert_no_error (error);
}

/* ---- online backup ------------------------------------------------------------ */

typedef struct {
  const char *path;
  gint committed;           /* atomic: rows the writer has committed */
  gint stop;                /* atomic */
  gint during;              /* atomic: rows committed while the backup ran */
  gboolean waited;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  GError *error = NULL;
  /* Its own connection, as every thread must have (DESIGN.md). */
  g_autoptr(TrajStore) store = traj_store_open (w->path, &error);

  g_assert_no_error (error);
  while (!g_atomic_int_get (&w->stop))
    {
      g_autofree char *mrn = g_strdup_printf ("W-%06d", g_atomic_int_get (&w->committed));

      insert_patient (store, mrn);
      g_atomic_int_inc (&w->committed);
    }
  return NULL;
}

static void
wait_for_writes (double fraction, gpointer data)
{
  Writer *w = data;
  gint start = g_atomic_int_get (&w->committed);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  if (w->waited || fraction >= 1.0)
    return;
  /* Hold the backup open until the writer has committed more rows. */
  while (g_atomic_int_get (&w->committed) < start + 20 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_atomic_int_set (&w->during, g_atomic_int_get (&w->committed) - start);
  w->waited = TRUE;
}

static void
test_online (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = demo_store (fx->db, 300);
  g_autofree char *backup = g_build_filename (fx->dir, "copies", "online.db", NULL);
  g_autofree char *wal = g_strconcat (backup, "-wal", NULL);
  g_autofree char *journal = g_strconcat (backup, "-journal", NULL);
  g_autofree char *integrity = NULL, *sql = NULL;
  Writer w = { fx->db, 0, 0, 0, FALSE };
  GThread *thread;
  GError *error = NULL;
  gint before, after;
  gint64 in_backup;
  TrajBackupInfo info;

  /* Enough pages that the copy takes several steps. */
  g_assert_cmpint (query (fx->db, "PRAGMA page_count"), >, 2 * 512);

  thread = g_thread_new ("writer", writer_thread, &w);
  while (g_atomic_int_get (&w.committed) < 10)
    g_usleep (1000);
  before = g_atomic_int_get (&w.committed);
  g_assert_true (traj_backup_to_file (store, backup, wait_for_writes, &w, NULL, &error));
  g_assert_no_error (error);
  after = g_atomic_int_get (&w.committed);
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);

  g_assert_true (w.waited);
  g_assert_cmpint (w.during, >=, 20);

  /* A sound database, one file, private. */
  integrity = query_text (backup, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_true (traj_backup_check (backup, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.schema_version, ==, TRAJ_SCHEMA_VERSION);
  assert_private (backup);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  /* Every row committed before the backup began is in it, and what it holds
   * of the writer's rows is a whole prefix: a snapshot, not a mixture. */
  in_backup = query (backup, "SELECT count(*) FROM patient WHERE mrn LIKE 'W-%'");
  g_assert_cmpint (in_backup, >=, before);
  g_assert_cmpint (in_backup, <=, after);
  sql = g_strdup_printf ("SELECT count(*) FROM patient WHERE mrn LIKE 'W-%%' AND CAST (substr (mrn, 3) AS INTEGER) < %d",
                         before);
  g_assert_cmpint (query (backup, sql), ==, before);
  g_assert_cmpint (query (backup, "SELECT coalesce (max (CAST (substr (mrn, 3) AS INTEGER)), -1) + 1 FROM patient "
                                  "WHERE mrn LIKE 'W-%'"), ==, in_backup);
  g_assert_cmpint (query (backup, "SELECT count(*) FROM patient"), ==, 300 + in_backup);
  g_assert_cmpint (query (backup, "SELECT count(*) FROM assessment_item"), ==,
                   query (fx->db, "SELECT count(*) FROM assessment_item"));
}

static void
test_cancel (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = demo_store (fx->db, 120);
  g_autofree char *backup = g_build_filename (fx->dir, "cancelled.db", NULL);
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GDir) dir = NULL;
  GError *error = NULL;
  const char *name;

  g_cancellable_cancel (cancel);
  g_assert_false (traj_backup_to_file (store, backup, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* No file, and no temporary file left behind. */
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
  dir = g_dir_open (fx->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_true (g_str_has_prefix (name, "clinic.db"));
}

/* ---- automatic daily backup ----------------------------------------------------- */

static guint
count_files (const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_prefix (name, prefix);
  return n;
}

static void
test_auto (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = demo_store (fx->db, 5);
  g_autofree char *dir = g_build_filename (fx->dir, "backups", NULL);
  g_autofree char *today = traj_day_to_iso (traj_day_today ());
  g_autofree char *name = g_strdup_printf ("clinic-%s.db", today);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *other = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *kept = g_build_filename (dir, "clinic-before-restore-20200101-120000.db", NULL);
  GError *error = NULL;
  TrajBackupInfo info;
  GStatBuf first, second;

  g_assert_true (traj_backup_auto (store, dir, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (dir, "clinic-"), ==, 1);
  assert_private (path);
  g_assert_true (traj_backup_check (path, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.patients, ==, 5);

  /* At most one a day: a second start the same day leaves it alone. */
  g_assert_cmpint (g_stat (path, &first), ==, 0);
  insert_patient (store, "LATER");
  g_assert_true (traj_backup_auto (store, dir, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &second), ==, 0);
  g_assert_cmpint (first.st_ino, ==, second.st_ino);
  g_assert_cmpint (query (path, "SELECT count(*) FROM patient"), ==, 5);

  /* Only the newest N daily files are kept; nothing else is touched. */
  for (int d = 1; d <= 5; d++)
    {
      g_autofree char *old = g_strdup_printf ("%s/clinic-2020-01-%02d.db", dir, d);
      g_assert_true (g_file_set_contents (old, "old", -1, NULL));
    }
  g_assert_true (g_file_set_contents (other, "not a backup", -1, NULL));
  g_assert_true (g_file_set_contents (kept, "a pre-restore copy", -1, NULL));
  g_assert_true (traj_backup_auto (store, dir, 3, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir, "clinic-2020-01-"), ==, 2);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  {
    g_autofree char *newest = g_build_filename (dir, "clinic-2020-01-05.db", NULL);
    g_autofree char *next = g_build_filename (dir, "clinic-2020-01-04.db", NULL);
    g_assert_true (g_file_test (newest, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (next, G_FILE_TEST_EXISTS));
  }
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
}

/* ---- restore -------------------------------------------------------------------- */

static void
test_restore (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = demo_store (fx->db, 10);
  g_autofree char *backup = g_build_filename (fx->dir, "b.db", NULL);
  g_autofree char *kept = NULL;
  g_autoptr(TrajPatient) gone = NULL;
  GError *error = NULL;

  g_assert_true (traj_backup_to_file (store, backup, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  insert_patient (store, "AFTER-1");
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 11);

  /* The store stays open throughout, as the app's own connection would. */
  g_assert_true (traj_backup_restore (fx->db, backup, &kept, &error));
  g_assert_no_error (error);

  /* The clinic as it was is kept, privately, with the later patient. */
  g_assert_nonnull (kept);
  g_assert_true (g_str_has_prefix (kept, fx->dir));
  g_assert_nonnull (strstr (kept, "clinic-before-restore-"));
  assert_private (kept);
  g_assert_cmpint (query (kept, "SELECT count(*) FROM patient WHERE mrn = 'AFTER-1'"), ==, 1);

  /* The open connection sees the restored clinic. */
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 10);
  gone = traj_store_find_patient_by_mrn (store, "AFTER-1", &error);
  g_assert_null (gone);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (traj_store_check_integrity (store, &error));
  g_assert_no_error (error);
  insert_patient (store, "AFTER-2");

  /* The restore is on record, in the restored clinic. */
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM audit_event WHERE action = 'restore' AND record_kind = 'clinic'"), ==, 1);
  /* Every record the restore brought back is listed, by uid. */
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient p WHERE NOT EXISTS (SELECT 1 FROM audit_event e "
                                  "WHERE e.action = 'restore' AND e.record_kind = 'records' "
                                  "AND instr (e.detail, 'patient ' || p.uid || char (10)) > 0)"), ==, 1);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 11);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 11);
  assert_private (fx->db);
}

static void
expect_refused (Fixture *fx, const char *bad, TrajError code)
{
  g_autofree char *backups = g_build_filename (fx->dir, "backups", NULL);
  g_autofree char *kept = NULL;
  GError *error = NULL;

  g_assert_false (traj_backup_check (bad, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, (gint) code);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (traj_backup_restore (fx->db, bad, &kept, &error));
  g_assert_error (error, TRAJ_ERROR, (gint) code);
  g_clear_error (&error);
  g_assert_null (kept);
  /* Refused before anything was touched: no copy was even needed. */
  g_assert_false (g_file_test (backups, G_FILE_TEST_EXISTS));
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 6);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
}

static void
test_refuse (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = demo_store (fx->db, 5);
  g_autofree char *good = g_build_filename (fx->dir, "good.db", NULL);
  g_autofree char *corrupt = g_build_filename (fx->dir, "corrupt.db", NULL);
  g_autofree char *newer = g_build_filename (fx->dir, "newer.db", NULL);
  g_autofree char *text = g_build_filename (fx->dir, "text.db", NULL);
  g_autofree char *foreign = g_build_filename (fx->dir, "foreign.db", NULL);
  g_autofree char *pragma = NULL;
  sqlite3 *db = NULL;
  GError *error = NULL;

  g_assert_true (traj_backup_to_file (store, good, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  insert_patient (store, "CURRENT");

  /* Damaged: a run of pages overwritten in the middle of the file. */
  {
    g_autofree char *bytes = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (good, &bytes, &len, NULL));
    g_assert_cmpuint (len, >, 12 * 4096);
    memset (bytes + 4 * 4096, 0x5a, 6 * 4096);
    g_assert_true (g_file_set_contents (corrupt, bytes, (gssize) len, NULL));
  }
  expect_refused (fx, corrupt, TRAJ_ERROR_CORRUPT);

  /* Written by a newer Trajectory. */
  copy_file (good, newer);
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  pragma = g_strdup_printf ("PRAGMA user_version = %d", TRAJ_SCHEMA_VERSION + 1);
  g_assert_cmpint (sqlite3_exec (db, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  expect_refused (fx, newer, TRAJ_ERROR_NEWER_SCHEMA);

  /* Not a database at all, and someone else's SQLite file. */
  g_assert_true (g_file_set_contents (text, "mrn,name\n1,Ada\n", -1, NULL));
  expect_refused (fx, text, TRAJ_ERROR_NOT_A_DATABASE);
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  expect_refused (fx, foreign, TRAJ_ERROR_NOT_A_DATABASE);

  /* The good one still restores. */
  g_assert_true (traj_backup_restore (fx->db, good, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 5);
}

static void
test_restore_damaged_current (Fixture *fx, gconstpointer data)
{
  g_autofree char *backup = g_build_filename (fx->dir, "b.db", NULL);
  g_autofree char *kept = NULL, *kept_bytes = NULL;
  const char *garbage = "this clinic file was damaged by a failing disk";
  GError *error = NULL;

  {
    g_autoptr(TrajStore) store = demo_store (fx->db, 5);
    g_assert_true (traj_backup_to_file (store, backup, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  /* The clinic file is ruined (its WAL went with it). */
  {
    g_autofree char *wal = g_strconcat (fx->db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (fx->db, "-shm", NULL);
    g_remove (wal);
    g_remove (shm);
    g_assert_true (g_file_set_contents (fx->db, garbage, -1, NULL));
  }

  g_assert_true (traj_backup_restore (fx->db, backup, &kept, &error));
  g_assert_no_error (error);
  /* What was there is kept byte for byte, however broken. */
  g_assert_true (g_file_get_contents (kept, &kept_bytes, NULL, NULL));
  g_assert_cmpstr (kept_bytes, ==, garbage);
  assert_private (kept);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 5);
  assert_private (fx->db);
}

/* Found by an attack run: a backup named like another clinic (closed for
 * now) or an older backup replaced it without a word, and as root it
 * replaced another user's file. Now a database is replaced only on request
 * (the file chooser asked; `backup --replace`), another user's never. */
static void
test_never_replaces_a_database (Fixture *fx, gconstpointer data)
{
  g_autofree char *other = g_build_filename (fx->dir, "other-clinic.db", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(TrajStore) store = NULL;
  gsize before_len, after_len;
  GError *error = NULL;

  {
    g_autoptr(TrajStore) other_store = demo_store (other, 2);
  }
  g_assert_true (g_file_get_contents (other, &before, &before_len, NULL));
  store = demo_store (fx->db, 5);

  g_assert_false (traj_backup_to_file (store, other, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "already a database"));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (other, &after, &after_len, NULL));
  g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
  g_clear_pointer (&after, g_free);

  if (getuid () == 0)
    {
      /* Another user's database: not even on request. */
      g_assert_cmpint (chown (other, 65534, 65534), ==, 0);
      g_assert_false (traj_backup_to_file_replacing (store, other, NULL, NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
      g_assert_nonnull (strstr (error->message, "another user"));
      g_clear_error (&error);
      g_assert_true (g_file_get_contents (other, &after, &after_len, NULL));
      g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
      g_clear_pointer (&after, g_free);
      g_assert_cmpint (chown (other, 0, 0), ==, 0);
    }

  /* On request, an older backup is replaced by a complete new one. */
  g_assert_true (traj_backup_to_file_replacing (store, other, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Who made the copy and where it went is in the audit trail. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_event WHERE action = 'backup' "
                                            "AND detail LIKE '%%to: %s%%'", other);
    g_assert_cmpint (query (fx->db, sql), ==, 1);
  }
  g_assert_cmpint (query (other, "SELECT count(*) FROM patient"), ==, 5);
  assert_private (other);
}

/* Found by an attack run: restoring over a clinic SQLite could not write
 * into (damaged) renamed the new file over it and removed its -wal and
 * -shm, while a tablet still had it open: the tablet then wrote into a file
 * no one else saw. Now a clinic another program holds is never replaced as
 * a file: the restore says so and changes nothing. */
static void
test_restore_spares_other_programs (Fixture *fx, gconstpointer data)
{
  g_autofree char *backup = g_build_filename (fx->dir, "b.db", NULL);
  g_autofree char *shm = g_strconcat (fx->db, "-shm", NULL);
  g_autofree char *kept = NULL, *bytes = NULL;
  const char *garbage = "this clinic file was damaged by a failing disk";
  int ready[2], release[2];
  GError *error = NULL;
  char c = 0;
  pid_t child;

  {
    g_autoptr(TrajStore) store = demo_store (fx->db, 5);
    g_assert_true (traj_backup_to_file (store, backup, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_set_contents (fx->db, garbage, -1, NULL));
  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (release), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      /* What a WAL connection holds for as long as it is open. */
      struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1 };
      int fd = open (shm, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

      /* Ends when the test does, passed or not. */
      close (release[1]);
      close (ready[0]);
      if (fd < 0 || fcntl (fd, F_SETLK, &fl) != 0)
        _exit (1);
      if (write (ready[1], "r", 1) != 1 || read (release[0], &c, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (release[0]);
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &c, 1), ==, 1);

  g_assert_false (traj_backup_restore (fx->db, backup, &kept, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Nothing was changed"));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (fx->db, &bytes, NULL, NULL));
  g_assert_cmpstr (bytes, ==, garbage);
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));

  /* Once that program is gone, the restore goes ahead. */
  g_assert_cmpint (write (release[1], "x", 1), ==, 1);
  {
    int status = 0;
    g_assert_cmpint (waitpid (child, &status, 0), ==, child);
    g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  }
  close (ready[0]);
  close (release[1]);
  g_clear_pointer (&kept, g_free);
  g_assert_true (traj_backup_restore (fx->db, backup, &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 5);
}

/* Found by an attack run: on a disk with no byte left, opening or writing
 * the clinic said "disk I/O error", and a new clinic that could not be made
 * left its temporary -wal and -shm behind under a name the message showed.
 * Now each says the disk is full, names the clinic, and leaves nothing. */
static void
test_full_disk_says_so (Fixture *fx, gconstpointer data)
{
  g_autofree char *mnt = g_build_filename (fx->dir, "small", NULL);
  g_autofree char *clinic = g_build_filename (mnt, "clinic.db", NULL);
  g_autofree char *fill = g_build_filename (mnt, "fill", NULL);
  g_autofree char *tiny = g_build_filename (fx->dir, "tiny", NULL);
  g_autofree char *tiny_clinic = g_build_filename (tiny, "new.db", NULL);
  g_autofree char *cmd = NULL;
  GError *error = NULL;
  int status = -1;

  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=2m tmpfs '%s'", mnt);
  if (getuid () != 0 || !g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("cannot mount a small tmpfs here (not root?)");
      return;
    }
  g_clear_pointer (&cmd, g_free);
  {
    g_autoptr(TrajStore) store = demo_store (clinic, 3);
    int fd = open (fill, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    char block[4096] = { 0 };

    g_assert_cmpint (fd, >=, 0);
    while (write (fd, block, sizeof block) > 0)
      ;
    close (fd);
    /* A write while the disk is full: refused as such, nothing changed. */
    for (guint k = 0; k < 50 && error == NULL; k++)
      {
        g_autoptr(TrajPatient) p = traj_patient_new ();

        p->mrn = g_strdup_printf ("FULL-%u", k);
        p->name = g_strdup ("Patient Full");
        p->birth_day = traj_day_from_ymd (1980, 5, 17);
        p->sex = TRAJ_SEX_FEMALE;
        p->indication = TRAJ_INDICATION_DEPRESSION;
        traj_store_insert_patient (store, p, &error);
      }
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }
  /* Opening it on the full disk: the same words, not "disk I/O error". */
  {
    TrajStore *again = traj_store_open_existing (clinic, &error);

    if (again == NULL)
      {
        g_test_message ("%s", error->message);
        g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL);
        g_assert_nonnull (strstr (error->message, clinic));
        g_clear_error (&error);
      }
    else
      {
        /* Opened after all: then reading works. */
        g_autoptr(GPtrArray) list = traj_store_list_patients (again, &error);

        g_assert_no_error (error);
        g_assert_cmpuint (list->len, >=, 3);
      }
    g_clear_object (&again);
  }
  g_assert_cmpint (g_unlink (fill), ==, 0);
  g_assert_cmpint (query (clinic, "SELECT count(*) FROM patient WHERE mrn NOT LIKE 'FULL-%'"), ==, 3);
  g_assert_cmpstr (query_text (clinic, "PRAGMA integrity_check"), ==, "ok");
  cmd = g_strdup_printf ("umount '%s'", mnt);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_clear_pointer (&cmd, g_free);

  /* A new clinic that does not fit: named as asked, nothing left. */
  g_assert_cmpint (g_mkdir (tiny, 0700), ==, 0);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=200k tmpfs '%s'", tiny);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) && status == 0);
  g_clear_pointer (&cmd, g_free);
  {
    TrajStore *fresh = traj_store_open (tiny_clinic, &error);

    g_assert_null (fresh);
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, tiny_clinic));
    g_clear_error (&error);
  }
  {
    g_autoptr(GDir) d = g_dir_open (tiny, 0, NULL);
    const char *e = g_dir_read_name (d);
    g_assert_null (e);
  }
  cmd = g_strdup_printf ("umount '%s'", tiny);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
}

/* Found by an attack run: a clinic on a read-only folder said "cannot be
 * written; nothing was saved" to a command that only lists patients. */
static void
test_read_only_says_so (Fixture *fx, gconstpointer data)
{
  g_autofree char *mnt = g_build_filename (fx->dir, "ro", NULL);
  g_autofree char *clinic = g_build_filename (mnt, "clinic.db", NULL);
  g_autofree char *cmd = NULL;
  GError *error = NULL;
  TrajStore *store;
  int status = -1;

  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  g_object_unref (demo_store (clinic, 2));
  cmd = g_strdup_printf ("sh -c \"mount --bind '%s' '%s' && mount -o remount,ro,bind '%s'\"", mnt, mnt, mnt);
  if (getuid () != 0 || !g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("cannot make a read-only mount here (not root?)");
      return;
    }
  store = traj_store_open_existing (clinic, &error);
  g_assert_null (store);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_READ_ONLY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_null (strstr (error->message, "saved"));
  g_clear_error (&error);
  g_free (cmd);
  cmd = g_strdup_printf ("umount '%s'", mnt);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_cmpint (query (clinic, "SELECT count(*) FROM patient"), ==, 2);
}

static void
test_restore_into_nothing (Fixture *fx, gconstpointer data)
{
  g_autofree char *source = g_build_filename (fx->dir, "source.db", NULL);
  g_autofree char *backup = g_build_filename (fx->dir, "b.db", NULL);
  g_autofree char *kept = NULL;
  GError *error = NULL;

  {
    g_autoptr(TrajStore) store = demo_store (source, 3);
    g_assert_true (traj_backup_to_file (store, backup, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  /* A new workstation: no clinic yet, so nothing to keep. */
  g_assert_true (traj_backup_restore (fx->db, backup, &kept, &error));
  g_assert_no_error (error);
  g_assert_null (kept);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 3);
  assert_private (fx->db);
}

/* Overwrites pages in the middle of a closed clinic file, as a failing disk
 * would: SQLite's quick_check finds it, the app may still open the file. */
static void
damage_pages (const char *path)
{
  g_autofree char *bytes = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 16 * 4096);
  for (gsize k = 6 * 4096; k < 12 * 4096; k++)
    bytes[k] = (char) (0x5A ^ (k & 0xff));
  g_assert_true (g_file_set_contents (path, bytes, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

/* Issue 16 §2: the daily backup copied whatever was there, so a damaged
 * clinic's copies rotated the good backups out. Now the clinic is checked
 * first: no copy, and every earlier backup stays. */
static void
test_auto_damaged (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (fx->dir, "backups", NULL);
  g_autoptr(TrajStore) store = NULL;
  GError *error = NULL;

  g_object_unref (demo_store (fx->db, 30));
  damage_pages (fx->db);
  store = traj_store_open (fx->db, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (int d = 1; d <= 5; d++)
    {
      g_autofree char *old = g_strdup_printf ("%s/clinic-2020-01-%02d.db", dir, d);
      g_assert_true (g_file_set_contents (old, "a good backup", -1, NULL));
    }
  g_assert_false (traj_store_quick_check (store, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT);
  g_clear_error (&error);

  g_assert_false (traj_backup_auto (store, dir, 3, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (count_files (dir, "clinic-2020-01-"), ==, 5);
  g_assert_cmpuint (count_files (dir, "clinic-"), ==, 5);
  g_assert_cmpuint (count_files (dir, "."), ==, 0);

  /* A manual backup is refused the same way. */
  {
    g_autofree char *manual = g_build_filename (fx->dir, "manual.db", NULL);
    g_assert_false (traj_backup_to_file (store, manual, NULL, NULL, NULL, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT);
    g_clear_error (&error);
    g_assert_false (g_file_test (manual, G_FILE_TEST_EXISTS));
  }
}

/* Issue 16 §2: a restore over a damaged clinic removed it and rebuilt it in
 * place; stopped there (a kill, here a full disk), it left a 0-byte clinic
 * that the next start made into an empty one. Now the restored clinic is
 * made whole beside it first: a restore that cannot finish leaves the
 * clinic as it was. */
static void
test_restore_full_disk (Fixture *fx, gconstpointer data)
{
  g_autofree char *backup = g_build_filename (fx->dir, "b.db", NULL);
  g_autofree char *mnt = g_build_filename (fx->dir, "small", NULL);
  g_autofree char *clinic = g_build_filename (mnt, "clinic.db", NULL);
  g_autofree char *cmd = NULL, *bytes = NULL;
  const char *garbage = "this clinic file was damaged by a failing disk";
  GError *error = NULL;
  int status = -1;

  {
    g_autoptr(TrajStore) store = demo_store (fx->db, 20);
    g_assert_true (traj_backup_to_file (store, backup, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (g_mkdir (mnt, 0700), ==, 0);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=64k tmpfs '%s'", mnt);
  if (getuid () != 0 || !g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      g_test_skip ("cannot mount a small tmpfs here (not root?)");
      return;
    }
  g_assert_true (g_file_set_contents (clinic, garbage, -1, NULL));

  g_assert_false (traj_backup_restore (clinic, backup, NULL, &error));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  /* The clinic is still what it was: never emptied, never a new clinic. */
  g_assert_true (g_file_get_contents (clinic, &bytes, NULL, NULL));
  g_assert_cmpstr (bytes, ==, garbage);
  {
    TrajStore *s = traj_store_open (clinic, &error);
    g_assert_null (s);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  /* No temporary file left on the full disk. */
  {
    g_autoptr(GDir) d = g_dir_open (mnt, 0, NULL);
    for (const char *e; (e = g_dir_read_name (d)) != NULL;)
      g_assert_true (g_str_equal (e, "clinic.db") || g_str_equal (e, "backups"));
  }
  g_free (cmd);
  cmd = g_strdup_printf ("umount '%s'", mnt);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
}

/* Relative paths are the current folder's, as on any command line. */
static void
test_restore_relative (Fixture *fx, gconstpointer data)
{
  g_autofree char *backup = g_build_filename (fx->dir, "b.db", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *kept = NULL;
  GError *error = NULL;
  TrajBackupInfo info;

  {
    g_autoptr(TrajStore) store = demo_store (fx->db, 4);
    g_assert_true (traj_backup_to_file (store, backup, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    insert_patient (store, "AFTER-BACKUP");
  }
  g_assert_cmpint (g_chdir (fx->dir), ==, 0);
  g_assert_true (traj_backup_check ("b.db", &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.patients, ==, 4);
  g_assert_true (traj_backup_restore ("clinic.db", "./b.db", &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_cmpint (query (fx->db, "SELECT count(*) FROM patient"), ==, 4);
  g_assert_cmpint (query (kept, "SELECT count(*) FROM patient"), ==, 5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* As root, the full-disk tests mount a small tmpfs: in a mount namespace
   * of this process's own, so it goes with the process however it ends. */
  if (getuid () == 0 && unshare (CLONE_NEWNS) == 0)
    mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);

  g_test_add ("/backup/online-while-writing", Fixture, NULL, fixture_setup, test_online, fixture_teardown);
  g_test_add ("/backup/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/backup/auto-daily", Fixture, NULL, fixture_setup, test_auto, fixture_teardown);
  g_test_add ("/backup/restore", Fixture, NULL, fixture_setup, test_restore, fixture_teardown);
  g_test_add ("/backup/restore-refuses", Fixture, NULL, fixture_setup, test_refuse, fixture_teardown);
  g_test_add ("/backup/restore-damaged-current", Fixture, NULL, fixture_setup, test_restore_damaged_current,
              fixture_teardown);
  g_test_add ("/backup/restore-into-nothing", Fixture, NULL, fixture_setup, test_restore_into_nothing,
              fixture_teardown);
  g_test_add ("/backup/never-replaces-a-database", Fixture, NULL, fixture_setup, test_never_replaces_a_database,
              fixture_teardown);
  g_test_add ("/backup/restore-spares-other-programs", Fixture, NULL, fixture_setup,
              test_restore_spares_other_programs, fixture_teardown);
  g_test_add ("/backup/full-disk-says-so", Fixture, NULL, fixture_setup, test_full_disk_says_so, fixture_teardown);
  g_test_add ("/backup/read-only-says-so", Fixture, NULL, fixture_setup, test_read_only_says_so, fixture_teardown);
  g_test_add ("/backup/auto-daily-damaged", Fixture, NULL, fixture_setup, test_auto_damaged, fixture_teardown);
  g_test_add ("/backup/restore-full-disk", Fixture, NULL, fixture_setup, test_restore_full_disk, fixture_teardown);
  g_test_add ("/backup/restore-relative-paths", Fixture, NULL, fixture_setup, test_restore_relative, fixture_teardown);

  return g_test_run ();
}
