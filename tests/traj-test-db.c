/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "traj-demo.h"
#include "traj-migrate.h"
#include "traj-test-db.h"

#define TEMPLATE_LOCK 73314

static GHashTable *databases;   /* path → database name */
static GMutex lock;

gboolean
traj_test_postgres (void)
{
  return g_strcmp0 (g_getenv ("TRAJ_TEST_ENGINE"), "postgres") == 0;
}

gboolean
traj_test_skip_on_postgres (const char *why)
{
  if (!traj_test_postgres ())
    return FALSE;
  g_test_skip (why);
  return TRUE;
}

/* ---- conninfo ---------------------------------------------------------- */

static const char *
server (void)
{
  const char *s = g_getenv ("TRAJ_TEST_POSTGRES");

  if (s == NULL || *s == '\0')
    g_error ("TRAJ_TEST_ENGINE=postgres needs TRAJ_TEST_POSTGRES (the administrator’s conninfo of a "
             "throwaway server); `./dev test` sets both");
  return s;
}

static void
append_value (GString *out, const char *key, const char *value)
{
  g_string_append_printf (out, "%s%s='", out->len ? " " : "", key);
  for (const char *p = value; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

/* The server's conninfo with @dbname and @user (NULL: as given). */
static char *
conninfo_with (const char *dbname, const char *user)
{
  char *err = NULL;
  PQconninfoOption *opts = PQconninfoParse (server (), &err);
  GString *out = g_string_new (NULL);

  if (opts == NULL)
    g_error ("TRAJ_TEST_POSTGRES: %s", err);
  for (PQconninfoOption *o = opts; o->keyword; o++)
    {
      if (o->val == NULL || g_str_equal (o->keyword, "dbname") || (user && g_str_equal (o->keyword, "user")))
        continue;
      append_value (out, o->keyword, o->val);
    }
  PQconninfoFree (opts);
  append_value (out, "dbname", dbname);
  if (user)
    append_value (out, "user", user);
  return g_string_free (out, FALSE);
}

static void
quiet_notice (void *arg, const char *message)
{
  g_debug ("%s", message);
}

static PGconn *
admin_connect (const char *dbname)
{
  g_autofree char *ci = conninfo_with (dbname, NULL);
  PGconn *conn = PQconnectdb (ci);

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("test server: %s", PQerrorMessage (conn));
  PQsetNoticeProcessor (conn, quiet_notice, NULL);
  return conn;
}

static void
admin_exec (PGconn *conn, const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("test server: %s: %s", sql, PQresultErrorMessage (res));
  PQclear (res);
}

static gboolean
admin_has_row (PGconn *conn, const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  gboolean found;

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("test server: %s: %s", sql, PQresultErrorMessage (res));
  found = PQntuples (res) > 0;
  PQclear (res);
  return found;
}

static char *
template_name (void)
{
  return g_strdup_printf ("traj_template_v%d", TRAJ_SCHEMA_VERSION);
}

static void
ensure_login (PGconn *conn, const char *login, const char *group)
{
  char *ident = PQescapeIdentifier (conn, login, strlen (login));
  char *lit = PQescapeLiteral (conn, login, strlen (login));
  g_autofree char *sql = g_strdup_printf (
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) THEN "
    "CREATE ROLE %s LOGIN PASSWORD 'secret-password'; END IF; END $$; GRANT %s TO %s",
    lit, ident, group, ident);

  admin_exec (conn, sql);
  PQfreemem (ident);
  PQfreemem (lit);
}

/* The clinic's schema once per server (under a lock: test programs run in
 * parallel), cloned for every test's database. */
static void
ensure_template (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      PGconn *conn = admin_connect ("postgres");
      g_autofree char *name = template_name ();
      g_autofree char *check = g_strdup_printf ("SELECT 1 FROM pg_database WHERE datname = '%s'", name);
      g_autofree char *lock_sql = g_strdup_printf ("SELECT pg_advisory_lock (%d)", TEMPLATE_LOCK);

      admin_exec (conn, lock_sql);
      if (!admin_has_row (conn, check))
        {
          g_autofree char *building = g_strdup_printf ("%s_%d", name, (int) getpid ());
          g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", building);
          g_autofree char *rename = g_strdup_printf ("ALTER DATABASE %s RENAME TO %s", building, name);
          g_autofree char *ci = conninfo_with (building, NULL);
          g_autoptr(GError) error = NULL;
          TrajStore *store;

          admin_exec (conn, create);
          store = traj_store_server_init (ci, &error);
          g_assert_no_error (error);
          g_object_unref (store);
          /* Complete before it gets the name others clone. */
          admin_exec (conn, rename);
        }
      ensure_login (conn, TRAJ_TEST_LOGIN, "trajectory_clinician");
      admin_exec (conn, "SELECT pg_advisory_unlock_all ()");
      PQfinish (conn);
      g_once_init_leave (&done, 1);
    }
}

static void
drop_databases (void)
{
  GHashTableIter iter;
  gpointer value;
  PGconn *conn;

  if (databases == NULL || g_hash_table_size (databases) == 0)
    return;
  conn = admin_connect ("postgres");
  g_hash_table_iter_init (&iter, databases);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", (const char *) value);
      PQclear (PQexec (conn, sql));
    }
  PQfinish (conn);
}

static GHashTable *locations;   /* path → conninfo as the test login */

/* ---- reusing a test's database --------------------------------------------
 *
 * Cloning the template costs a few tenths of a second (more under load), and
 * a test program asks for a fresh clinic in nearly every test. A database
 * whose test is over (the folder its path was in is gone, nobody is
 * connected) is emptied and given back its first rows instead, when its
 * schema, grants and functions are still the template's: a test that altered
 * them gets a new clone. The first rows and the schema's fingerprint are read
 * from this program's first clone, never from the template (a connection to
 * it would make other programs' CREATE DATABASE … TEMPLATE fail). */

static const char fingerprint_sql[] =
  "SELECT md5 (string_agg (x, E'\\n' ORDER BY x)) FROM ("
  " SELECT format ('%s %s %s %s %s', c.relname, c.relkind, c.relacl, c.relrowsecurity, c.relpersistence) AS x"
  "   FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace"
  " UNION ALL SELECT format ('%s.%s %s %s %s %s', c.relname, a.attname, a.atttypid, a.attnotnull, a.attisdropped,"
  "   pg_get_expr (d.adbin, d.adrelid)) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
  "   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
  "   WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0"
  " UNION ALL SELECT format ('%s %s', conname, pg_get_constraintdef (oid)) FROM pg_constraint"
  "   WHERE connamespace = 'public'::regnamespace"
  " UNION ALL SELECT pg_get_triggerdef (t.oid) || t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
  "   WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal"
  " UNION ALL SELECT format ('%s %s %s %s', proname, md5 (prosrc), proacl, proconfig) FROM pg_proc"
  "   WHERE pronamespace = 'public'::regnamespace"
  " UNION ALL SELECT format ('%s %s %s', polname, pg_get_expr (polqual, polrelid), pg_get_expr (polwithcheck, polrelid))"
  "   FROM pg_policy"
  " UNION ALL SELECT 'view ' || pg_get_viewdef (c.oid) FROM pg_class c"
  "   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')"
  " UNION ALL SELECT 'schema ' || nspname || coalesce (nspacl::text, '') FROM pg_namespace"
  " UNION ALL SELECT 'setting ' || array_to_string (setconfig, ',') FROM pg_db_role_setting"
  "   WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database ())"
  ") s";

typedef struct {
  char *table;
  GString *rows;                /* COPY text */
} FirstRows;

static struct {
  gboolean known;
  char *fingerprint;
  char *empty_sql;              /* deletes every row, triggers off */
  char *sequences_sql;          /* puts every sequence back */
  GArray *tables;               /* FirstRows of the tables that had rows */
} pristine;

static GHashTable *reusable;    /* path → the folder it was in, when that existed */
static GHashTable *admin_conns; /* database name → PGconn*, see admin_connection () */

static char *
query_one (PGconn *conn, const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  char *text = NULL;

  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
    text = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  return text;
}

static gboolean
exec_ok (PGconn *conn, const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  gboolean ok = PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK;

  if (!ok)
    g_debug ("test server: %s: %s", sql, PQresultErrorMessage (res));
  PQclear (res);
  return ok;
}

/* What a fresh clone holds: read once, from @dbname before anyone used it. */
static void
learn_pristine (const char *dbname)
{
  PGconn *conn = admin_connect (dbname);
  PGresult *res;
  GString *empty = g_string_new ("SET LOCAL session_replication_role = replica");

  pristine.fingerprint = query_one (conn, fingerprint_sql);
  g_assert_nonnull (pristine.fingerprint);
  pristine.sequences_sql = query_one (conn,
    "SELECT 'SELECT ' || string_agg (format ('setval (%L, %s, %L)', quote_ident (schemaname) || '.' || "
    "quote_ident (sequencename), coalesce (last_value, start_value), last_value IS NOT NULL), ', ') "
    "FROM pg_sequences WHERE schemaname = 'public'");
  pristine.tables = g_array_new (FALSE, TRUE, sizeof (FirstRows));
  res = PQexec (conn, "SELECT quote_ident (relname) FROM pg_class "
                      "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname");
  for (int k = 0; PQresultStatus (res) == PGRES_TUPLES_OK && k < PQntuples (res); k++)
    {
      const char *table = PQgetvalue (res, k, 0);
      g_autofree char *copy = g_strdup_printf ("COPY %s TO STDOUT", table);
      PGresult *cr = PQexec (conn, copy);
      FirstRows rows = { g_strdup (table), g_string_new (NULL) };
      char *buf;
      int n;

      g_string_append_printf (empty, "; DELETE FROM %s", table);
      g_assert_cmpint (PQresultStatus (cr), ==, PGRES_COPY_OUT);
      PQclear (cr);
      while ((n = PQgetCopyData (conn, &buf, 0)) > 0)
        {
          g_string_append_len (rows.rows, buf, n);
          PQfreemem (buf);
        }
      while ((cr = PQgetResult (conn)) != NULL)
        PQclear (cr);
      if (rows.rows->len > 0)
        g_array_append_val (pristine.tables, rows);
      else
        {
          g_free (rows.table);
          g_string_free (rows.rows, TRUE);
        }
    }
  PQclear (res);
  PQfinish (conn);
  pristine.empty_sql = g_string_free (empty, FALSE);
  pristine.known = pristine.fingerprint != NULL && pristine.sequences_sql != NULL;
}

/* Nobody but @conn on its database (a store closed a moment ago may still
 * be leaving: wait a little for it). */
static gboolean
alone (PGconn *conn)
{
  for (guint tries = 0; tries < 25; tries++)
    {
      g_autofree char *others = query_one (conn, "SELECT count(*) FROM pg_stat_activity "
                                                 "WHERE datname = current_database () AND pid <> pg_backend_pid ()");
      if (g_strcmp0 (others, "0") == 0)
        return TRUE;
      g_usleep (20000);
    }
  return FALSE;
}

static gboolean
put_back_rows (PGconn *conn, const FirstRows *rows)
{
  g_autofree char *copy = g_strdup_printf ("COPY %s FROM STDIN", rows->table);
  PGresult *res = PQexec (conn, copy);
  gboolean ok = PQresultStatus (res) == PGRES_COPY_IN;

  PQclear (res);
  if (ok)
    ok = PQputCopyData (conn, rows->rows->str, (int) rows->rows->len) == 1;
  if (PQputCopyEnd (conn, ok ? NULL : "failed") != 1)
    ok = FALSE;
  while ((res = PQgetResult (conn)) != NULL)
    {
      ok = ok && PQresultStatus (res) == PGRES_COMMAND_OK;
      PQclear (res);
    }
  return ok;
}

/* @dbname as a fresh clone would be; FALSE when it cannot be. */
static gboolean
make_pristine (PGconn *conn)
{
  g_autofree char *fingerprint = NULL;
  gboolean ok;

  ok = alone (conn) && (fingerprint = query_one (conn, fingerprint_sql)) != NULL &&
       g_str_equal (fingerprint, pristine.fingerprint) && exec_ok (conn, "BEGIN") &&
       exec_ok (conn, pristine.empty_sql);
  for (guint k = 0; ok && k < pristine.tables->len; k++)
    ok = put_back_rows (conn, &g_array_index (pristine.tables, FirstRows, k));
  ok = ok && exec_ok (conn, pristine.sequences_sql) && exec_ok (conn, "COMMIT");
  if (!ok)
    exec_ok (conn, "ROLLBACK");
  return ok;
}

/* One administrator connection per database, kept for the test program's
 * life (tests look often). Called with the lock held. */
static PGconn *
admin_connection_locked (const char *dbname)
{
  PGconn *conn;

  if (admin_conns == NULL)
    admin_conns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) PQfinish);
  conn = g_hash_table_lookup (admin_conns, dbname);
  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      conn = admin_connect (dbname);
      g_hash_table_insert (admin_conns, g_strdup (dbname), conn);
    }
  return conn;
}

/* A database whose test is over, made pristine, taken from its old path;
 * NULL for none. Called with the lock held. */
static char *
take_finished (void)
{
  GHashTableIter iter;
  gpointer key, value;

  if (!pristine.known || reusable == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, reusable);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *path = NULL;
      gpointer old_path;
      char *dbname;
      PGconn *conn;

      if (g_file_test (value, G_FILE_TEST_EXISTS))
        continue;
      path = g_strdup (key);
      g_hash_table_iter_remove (&iter);
      /* The test's own administrator connection does the work. */
      conn = admin_connection_locked (g_hash_table_lookup (databases, path));
      if (!make_pristine (conn))
        {
          g_debug ("test server: %s not reused", (const char *) g_hash_table_lookup (databases, path));
          return NULL;
        }   /* left as it is, dropped at exit */
      g_hash_table_steal_extended (databases, path, &old_path, (gpointer *) &dbname);
      g_free (old_path);
      if (locations)
        g_hash_table_remove (locations, path);
      return dbname;
    }
  return NULL;
}

static void
note_reusable (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (!g_path_is_absolute (dir) || !g_file_test (dir, G_FILE_TEST_IS_DIR) || g_str_equal (dir, g_get_tmp_dir ()) ||
      g_str_equal (dir, "/"))
    return;
  if (reusable == NULL)
    reusable = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (reusable, g_strdup (path), g_steal_pointer (&dir));
}

static const char *
database_of (const char *path)
{
  const char *name;

  g_mutex_lock (&lock);
  /* A store's location (traj_store_get_path ()) names its path's database. */
  if (locations && databases && g_hash_table_lookup (databases, path) == NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, locations);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (g_str_equal (value, path))
          {
            path = key;
            break;
          }
    }
  if (databases == NULL)
    {
      databases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      atexit (drop_databases);
    }
  name = g_hash_table_lookup (databases, path);
  if (name == NULL)
    {
      static guint counter;
      char *made = take_finished ();

      if (made == NULL)
        {
          g_autofree char *tmpl = template_name ();
          g_autofree char *sql = NULL;
          PGconn *conn;

          made = g_strdup_printf ("traj_t%d_%u", (int) getpid (), ++counter);
          sql = g_strdup_printf ("CREATE DATABASE %s TEMPLATE %s", made, tmpl);
          ensure_template ();
          conn = admin_connect ("postgres");
          admin_exec (conn, sql);
          PQfinish (conn);
          if (!pristine.known && pristine.tables == NULL)
            learn_pristine (made);
        }
      g_hash_table_insert (databases, g_strdup (path), made);
      note_reusable (path);
      name = made;
    }
  g_mutex_unlock (&lock);
  return name;
}

/* ---- public -------------------------------------------------------------- */

const char *
traj_test_location (const char *path)
{
  const char *location;

  if (!traj_test_postgres ())
    return path;
  g_mutex_lock (&lock);
  if (locations == NULL)
    locations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  location = g_hash_table_lookup (locations, path);
  g_mutex_unlock (&lock);
  if (location == NULL)
    {
      char *made = conninfo_with (database_of (path), TRAJ_TEST_LOGIN);
      g_mutex_lock (&lock);
      g_hash_table_insert (locations, g_strdup (path), made);
      g_mutex_unlock (&lock);
      location = made;
    }
  return location;
}

TrajStore *
traj_test_open (const char *path, GError **error)
{
  return traj_store_open (traj_test_location (path), error);
}

char *
traj_test_admin_conninfo (const char *path)
{
  g_assert_true (traj_test_postgres ());
  return conninfo_with (database_of (path), NULL);
}

char *
traj_test_login_conninfo (const char *path, const char *login, const char *group)
{
  PGconn *conn = admin_connect ("postgres");

  ensure_login (conn, login, group);
  PQfinish (conn);
  return conninfo_with (database_of (path), login);
}

/* admin_connection_locked (), taking the lock. */
static PGconn *
admin_connection (const char *dbname)
{
  PGconn *conn;

  g_mutex_lock (&lock);
  conn = admin_connection_locked (dbname);
  g_mutex_unlock (&lock);
  return conn;
}

static gboolean
raw (const char *path, const char *sql, char **text, GError **error)
{
  if (text)
    *text = NULL;
  if (traj_test_postgres ())
    {
      PGconn *conn = admin_connection (database_of (path));
      PGresult *res = PQexec (conn, sql);
      gboolean ok = PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK;

      if (!ok)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQresultErrorMessage (res));
      else if (text && PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
        *text = g_strdup (PQgetvalue (res, 0, 0));
      PQclear (res);
      return ok;
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;
      int rc;
      gboolean ok;

      g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
      sqlite3_busy_timeout (db, 5000);
      if (text == NULL)
        {
          char *msg = NULL;
          ok = sqlite3_exec (db, sql, NULL, NULL, &msg) == SQLITE_OK;
          if (!ok)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", msg);
          sqlite3_free (msg);
          sqlite3_close (db);
          return ok;
        }
      rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
            *text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        }
      ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
      if (!ok)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      return ok;
    }
}

gint64
traj_test_query_int (const char *path, const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  raw (path, sql, &text, &error);
  g_assert_no_error (error);
  /* A server's booleans read as SQLite's. */
  if (g_strcmp0 (text, "t") == 0)
    return 1;
  return text ? g_ascii_strtoll (text, NULL, 10) : 0;
}

char *
traj_test_query_text (const char *path, const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  raw (path, sql, &text, &error);
  g_assert_no_error (error);
  return text;
}

gboolean
traj_test_exec (const char *path, const char *sql, GError **error)
{
  return raw (path, sql, NULL, error);
}

/* A test's own change to a table a server holds to the audit trail
 * (postgres/024, 026) comes with an event in its transaction. */
gboolean
traj_test_exec_audited (const char *path, const char *sql, GError **error)
{
  g_autofree char *all = NULL;

  if (!traj_test_postgres ())
    return raw (path, sql, NULL, error);
  all = g_strdup_printf ("BEGIN; %s; INSERT INTO audit_event (at, os_user, clinician, action, record_kind, "
                         "record_uid, summary) VALUES (0, 'test', 'test', 'update', 'records', '', 'set up by the test'); "
                         "COMMIT", sql);
  if (raw (path, all, NULL, error))
    return TRUE;
  raw (path, "ROLLBACK", NULL, NULL);
  return FALSE;
}

gboolean
traj_test_demo (TrajStore  *store,
                const char *path,
                guint32     seed,
                guint       n_patients,
                gint32      anchor_day,
                GError    **error)
{
  g_autofree char *file = NULL, *admin = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  TrajStore *maker;
  gboolean ok;

  if (!traj_test_postgres ())
    return traj_demo_generate (store, seed, n_patients, anchor_day, NULL, NULL, NULL, NULL, error);
  file = g_strconcat (path, "-demo.db", NULL);
  maker = traj_store_open (file, error);
  if (maker == NULL)
    return FALSE;
  ok = traj_demo_generate (maker, seed, n_patients, anchor_day, NULL, NULL, NULL, NULL, error);
  g_object_unref (maker);
  if (ok)
    {
      admin = traj_test_admin_conninfo (path);
      counts = traj_migrate (file, admin, NULL, NULL, error);
      ok = counts != NULL;
    }
  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *name = g_strconcat (file, (const char *[]) { "", "-wal", "-shm" }[k], NULL);
      g_unlink (name);
    }
  return ok;
}

void
traj_test_remove_tree (const char *path)
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
      traj_test_remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

TrajInfusion *
traj_test_infusion_new (gint64 patient_id, gint64 course_id, gint64 started_at)
{
  TrajInfusion *i = traj_infusion_new ();

  i->patient_id = patient_id;
  i->course_id = course_id;
  i->started_at = started_at;
  i->duration_min = 40;
  i->route = TRAJ_ROUTE_IV;
  i->medicine = TRAJ_MEDICINE_KETAMINE;
  i->phase = TRAJ_PHASE_INDUCTION;
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  i->monitoring_min = 60;
  return i;
}

TrajVitalSign *
traj_test_vital_new (int minute, int systolic, int diastolic)
{
  TrajVitalSign *v = traj_vital_sign_new (minute);

  v->systolic = systolic;
  v->diastolic = diastolic;
  v->heart_rate = 72;
  v->spo2 = 98;
  v->resp_rate = 14;
  return v;
}
