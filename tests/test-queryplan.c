/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hot queries stay on indexes: EXPLAIN QUERY PLAN of each, printed to the
 * test log, and checked for full scans and temporary sorts; the bulk
 * write's page cache; new uids in index order. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "traj-demo.h"
#include "traj-store-private.h"

static char *
plan_of (sqlite3 *db, const char *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s\n", (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

static void
test_hot_queries_use_indexes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-plan-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_store_open (path, &error);
  sqlite3 *db;
  const TrajHotQuery *q;

  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, 3, 60, traj_day_from_ymd (2026, 6, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  db = traj_store_get_db (store);
  /* Plans as the app sees them after SQLite has statistics too. */
  g_assert_cmpint (sqlite3_exec (db, "ANALYZE", NULL, NULL, NULL), ==, SQLITE_OK);

  for (q = traj_store_hot_queries (); q->name; q++)
    {
      g_autofree char *plan = plan_of (db, q->sql);
      g_auto(GStrv) lines = g_strsplit (plan, "\n", -1);
      gboolean scan_allowed = g_str_has_prefix (q->name, "clinic scan") || g_str_equal (q->name, "patient list");

      g_test_message ("%s:\n%s", q->name, plan);
      /* No sorting in a temporary B-tree: the indexes give the order. The
       * one exception is the patient list's pick of each patient's current
       * course, which sorts that patient's own one or two courses. */
      if (g_str_equal (q->name, "patient list"))
        {
          const char *first = strstr (plan, "TEMP B-TREE");
          const char *subquery = strstr (plan, "CORRELATED SCALAR SUBQUERY");
          g_autofree char *rest = first ? g_strdup (first + 1) : NULL;

          g_assert_nonnull (first);
          g_assert_nonnull (subquery);
          g_assert_null (strstr (rest, "TEMP B-TREE"));
          g_assert_true (subquery < first);
        }
      else
        g_assert_null (strstr (plan, "TEMP B-TREE"));
      for (guint k = 0; lines[k]; k++)
        {
          if (!g_str_has_prefix (lines[k], "SCAN"))
            continue;
          /* A scan is only right where the query reads everything, and then
           * only the driving table (the rest are index searches). */
          if (!scan_allowed)
            g_error ("%s does a full scan: %s", q->name, lines[k]);
          if (g_str_equal (q->name, "patient list"))
            g_assert_true (g_str_has_prefix (lines[k], "SCAN p USING INDEX patient_name"));
        }
    }

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

static gint64
pragma (sqlite3 *db, const char *name)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s", name);
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

/* A bulk write runs with a larger page cache (its pages would otherwise go
 * to the WAL and back many times) and its savepoint journals in memory (a
 * temporary file otherwise: system calls for every row), and gives the
 * usual settings back after, on commit and on rollback alike. */
static void
test_bulk_page_cache (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-plan-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_store_open (path, &error);
  sqlite3 *db;
  gint64 usual;

  g_assert_no_error (error);
  db = traj_store_get_db (store);
  usual = pragma (db, "cache_size");
  g_assert_cmpint (usual, !=, 0);

  g_assert_true (traj_store_bulk_begin (store, "import", "test", &error));
  g_assert_no_error (error);
  g_assert_cmpint (pragma (db, "cache_size"), <=, -32768);   /* at least 32 MiB */
  g_assert_cmpint (pragma (db, "cache_size"), >=, -98304);   /* and bounded: an import's memory stays under 100 MB */
  g_assert_cmpint (pragma (db, "temp_store"), ==, 2);         /* savepoint journals in memory */
  g_assert_true (traj_store_bulk_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pragma (db, "cache_size"), ==, usual);
  g_assert_cmpint (pragma (db, "temp_store"), ==, 0);

  g_assert_true (traj_store_bulk_begin (store, "import", "test", &error));
  g_assert_cmpint (pragma (db, "cache_size"), !=, usual);
  traj_store_bulk_rollback (store);
  g_assert_cmpint (pragma (db, "cache_size"), ==, usual);
  g_assert_cmpint (pragma (db, "temp_store"), ==, 0);

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* New records' uids (version 7 UUIDs) increase, even many in the same
 * millisecond, so the uid indexes grow at their end. */
static void
test_new_uids_increase (void)
{
  g_autofree char *last = traj_uuid_new ();

  g_assert_true (g_uuid_string_is_valid (last));
  for (guint k = 0; k < 20000; k++)
    {
      g_autofree char *uid = traj_uuid_new ();

      g_assert_true (g_uuid_string_is_valid (uid));
      g_assert_cmpint (uid[14], ==, '7');
      g_assert_true (strchr ("89ab", uid[19]) != NULL);
      g_assert_cmpstr (last, <, uid);
      g_free (last);
      last = g_steal_pointer (&uid);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/store/hot-queries-use-indexes", test_hot_queries_use_indexes);
  g_test_add_func ("/store/bulk-page-cache", test_bulk_page_cache);
  g_test_add_func ("/store/new-uids-increase", test_new_uids_increase);
  return g_test_run ();
}
