/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The PostgreSQL engine (libpq): server mode. */
#define G_LOG_DOMAIN "traj-db"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "traj-db-pg.h"
#include "traj-error.h"
#include "traj-store.h"

/* Rows a cursor statement fetches at a time: big enough that the round
 * trips do not show, small enough that no scan holds much in memory. */
#define CURSOR_BATCH 2000

typedef struct {
  TrajDb base;
  PGconn *conn;
  char *conninfo;
  guint next_stmt;
  guint epoch;               /* moves when the connection is re-established */
  guint tx_generation;       /* moves at every BEGIN, COMMIT and ROLLBACK */
  gint64 changes;
  gboolean in_tx;
  char *listen;              /* the channel LISTENed to, again after a reconnect */
  GQueue notifies;           /* PGnotify* received, not handed out yet */
  gboolean fail_fast;        /* do not reconnect in the caller's thread */
  TrajDbPgRole role;         /* what the login may do, for refusals' words */
  TrajDbPgEventFunc event_func;
  gpointer event_data;
} PgDb;

typedef struct {
  TrajDbStmt base;
  char *name;                /* prepared statement (or cursor) name */
  char *text;                /* the SQL with $n placeholders */
  gboolean cursor;
  guint epoch;               /* 0: not prepared on the server yet */
  int n_params;
  char **values;
  Oid *types;                /* from the first binds: the server cannot
                              * always infer them ("?4 - ?5") */
  PGresult *res;
  int row;
  int n_rows;
  gboolean executed;
  gboolean cursor_open;
  guint cursor_generation;
  gboolean cursor_exhausted;
} PgStmt;

#define DB(d) ((PgDb *) (d))
#define STMT(s) ((PgStmt *) (s))

/* ---- SQL text ------------------------------------------------------------ */

char *
traj_db_pg_translate (const char *sql,
                      int        *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 16);
  int next = 1, max = 0;
  const char *p = sql;

  while (*p)
    {
      if (*p == '\'' || *p == '"')
        {
          /* A literal or a quoted name: copied as it is, doubled quotes
           * included. */
          char quote = *p;
          g_string_append_c (out, *p++);
          while (*p)
            {
              if (*p == quote && p[1] == quote)
                {
                  g_string_append_len (out, p, 2);
                  p += 2;
                  continue;
                }
              if (*p == quote)
                break;
              g_string_append_c (out, *p++);
            }
          if (*p)
            g_string_append_c (out, *p++);
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          while (*p && *p != '\n')
            g_string_append_c (out, *p++);
        }
      else if (*p == '?')
        {
          int n;

          p++;
          if (g_ascii_isdigit (*p))
            {
              n = 0;
              while (g_ascii_isdigit (*p))
                n = n * 10 + (*p++ - '0');
            }
          else
            n = next;
          next = n + 1;
          max = MAX (max, n);
          g_string_append_printf (out, "$%d", n);
        }
      else
        g_string_append_c (out, *p++);
    }
  if (n_params)
    *n_params = max;
  return g_string_free (out, FALSE);
}

/* ---- errors --------------------------------------------------------------- */

static gboolean
connection_lost (PgDb *db)
{
  return PQstatus (db->conn) != CONNECTION_OK;
}

static void
set_error_from (TrajDb           *db,
                GError          **error,
                const PGresult   *res,
                const char       *sql)
{
  const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  const char *name = db->name;

  if (msg == NULL)
    msg = PQerrorMessage (DB (db)->conn);
  if (state == NULL)
    state = connection_lost (DB (db)) ? "08006" : "XX000";

  if (g_str_has_prefix (state, "08") || g_str_equal (state, "57P01") || g_str_equal (state, "57P02") ||
      g_str_equal (state, "57P03") || connection_lost (DB (db)))
    {
      db->failure = TRAJ_DB_CONNECTION;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION,
                   _("The connection to the clinic server %s was lost. Nothing was changed by this step; "
                     "try again when the server is back."), name);
      if (DB (db)->event_func)
        DB (db)->event_func (db, TRUE, DB (db)->event_data);
    }
  else if (g_str_equal (state, "42501"))
    {
      gboolean write = sql && (g_ascii_strncasecmp (sql, "INSERT", 6) == 0 ||
                               g_ascii_strncasecmp (sql, "UPDATE", 6) == 0 ||
                               g_ascii_strncasecmp (sql, "DELETE", 6) == 0);
      /* A lead's or a tablet's login: what it may do and who can do the
       * rest, whether a save's first read or its write was refused. */
      db->failure = TRAJ_DB_PERMISSION;
      if (DB (db)->role == TRAJ_DB_PG_ROLE_LEAD)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                     _("This login (%s) is a clinic lead’s: it reads cohorts, reports and the audit trail, "
                       "not patients’ names or whole records, and changes no record. Ask a clinician to do "
                       "this; nothing was changed."),
                     PQuser (DB (db)->conn));
      else if (DB (db)->role == TRAJ_DB_PG_ROLE_KIOSK)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                     _("This login (%s) is a tablet’s: it only takes questionnaires through a check-in code. "
                       "Ask a clinician to do this; nothing was changed."),
                     PQuser (DB (db)->conn));
      else if (write)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                     _("Your login (%s) may not change records; nothing was saved."), PQuser (DB (db)->conn));
      else
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                     _("Your login (%s) may not read these records."), PQuser (DB (db)->conn));
    }
  else if (g_str_has_prefix (state, "28"))
    {
      db->failure = TRAJ_DB_PERMISSION;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_SIGN_IN,
                   _("The clinic server %s refused the sign-in: %s"), name, msg);
    }
  else if (g_str_equal (state, "40001") || g_str_equal (state, "40P01"))
    {
      db->failure = TRAJ_DB_RETRY;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                   _("Another device changed the same records at the same moment; nothing was saved. Try again."));
    }
  else if (g_str_equal (state, "55P03") || g_str_equal (state, "57014"))
    {
      db->failure = TRAJ_DB_BUSY;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_BUSY,
                   _("The clinic server %s is busy; nothing was saved. Try again."), name);
    }
  else if (g_str_equal (state, "53100"))
    {
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_DISK_FULL,
                   _("The disk of the clinic server %s is full; nothing was saved."), name);
    }
  else if (g_str_equal (state, "25006"))
    {
      db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_READ_ONLY,
                   _("The clinic server %s is read-only; nothing was saved."), name);
    }
  else
    {
      if (g_str_equal (state, "23505"))
        db->failure = TRAJ_DB_UNIQUE;
      else if (g_str_equal (state, "23503"))
        db->failure = TRAJ_DB_FOREIGN_KEY;
      else if (g_str_has_prefix (state, "23"))
        db->failure = TRAJ_DB_CONSTRAINT;
      else
        db->failure = TRAJ_DB_OTHER;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                   _("Database error in %s: %s"), name, msg);
    }
}

static void
collect_notifies (PgDb *db)
{
  PGnotify *n;
  gboolean got = FALSE;

  while ((n = PQnotifies (db->conn)) != NULL)
    {
      /* What this connection changed itself was announced already. */
      if (db->listen == NULL || n->be_pid == PQbackendPID (db->conn))
        PQfreemem (n);
      else
        {
          g_queue_push_tail (&db->notifies, n);
          got = TRUE;
        }
    }
  if (got && db->event_func)
    db->event_func (&db->base, FALSE, db->event_data);
}

/* Takes @res: TRUE when it holds a result rather than an error. */
static gboolean
check_result (TrajDb *db, PGresult *res, const char *sql, GError **error)
{
  collect_notifies (DB (db));
  ExecStatusType st = PQresultStatus (res);

  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN ||
      st == PGRES_PIPELINE_SYNC)
    {
      db->failure = TRAJ_DB_OK;
      return TRUE;
    }
  set_error_from (db, error, res, sql);
  return FALSE;
}

/* ---- the connection ----------------------------------------------------------- */

static void
ignore_notice (void *arg, const char *message)
{
  g_debug ("%s", message);
}

static gboolean listen_again (PgDb *db);

static gboolean
reconnect_if_lost (PgDb *db, GError **error)
{
  if (!connection_lost (db))
    return TRUE;
  if (db->fail_fast)
    {
      /* A window's connection comes back in the background
       * (traj_db_pg_swap_connection ()), never blocking it here. */
      db->base.failure = TRAJ_DB_CONNECTION;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION,
                   _("The connection to the clinic server %s is lost; Trajectory keeps trying to reconnect."),
                   db->base.name);
      return FALSE;
    }
  PQreset (db->conn);
  if (connection_lost (db))
    {
      db->base.failure = TRAJ_DB_CONNECTION;
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION,
                   _("The clinic server %s cannot be reached: %s"), db->base.name,
                   PQerrorMessage (db->conn));
      return FALSE;
    }
  /* A new session: prepared statements and cursors are gone. */
  db->epoch++;
  db->tx_generation++;
  listen_again (db);
  return TRUE;
}

static gboolean
exec_simple (PgDb *db, const char *sql, GError **error)
{
  gboolean begin = g_ascii_strncasecmp (sql, "BEGIN", 5) == 0;
  gboolean end = g_ascii_strncasecmp (sql, "COMMIT", 6) == 0 ||
                 (g_ascii_strncasecmp (sql, "ROLLBACK", 8) == 0 && g_ascii_strncasecmp (sql, "ROLLBACK TO", 11) != 0);
  PGresult *res;
  gboolean ok;

  /* Cursors opened since a BEGIN, or since a savepoint rolled back to, are
   * gone after these. */
  if (begin || end || g_ascii_strncasecmp (sql, "ROLLBACK TO", 11) == 0)
    db->tx_generation++;
  if (end)
    db->in_tx = FALSE;
  /* Outside a transaction a lost connection is simply opened again; inside
   * one the transaction is lost with it, and every statement up to its
   * ROLLBACK fails so the caller knows. */
  if (!db->in_tx && !reconnect_if_lost (db, error))
    return FALSE;
  res = PQexec (db->conn, sql);
  ok = check_result (&db->base, res, sql, error);
  PQclear (res);
  if (ok && begin)
    db->in_tx = TRUE;
  return ok;
}

static gboolean
pg_exec (TrajDb *db, const char *sql, GError **error)
{
  return exec_simple (DB (db), sql, error);
}

static gboolean
pg_begin (TrajDb *db, gboolean write, GError **error)
{
  /* Writers run at READ COMMITTED (unique indexes and row locks keep them
   * apart); a reader's statements share one snapshot. */
  return exec_simple (DB (db), write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", error);
}

static gint64
pg_changes (TrajDb *db)
{
  return DB (db)->changes;
}

/* ---- statements --------------------------------------------------------------- */

static TrajDbStmt *
pg_prepare (TrajDb      *db,
            const char  *sql,
            gboolean     cursor,
            GError     **error)
{
  PgStmt *s = g_new0 (PgStmt, 1);

  s->text = traj_db_pg_translate (sql, &s->n_params);
  s->name = g_strdup_printf ("traj_%s%u", cursor ? "c" : "s", ++DB (db)->next_stmt);
  s->cursor = cursor;
  s->values = g_new0 (char *, s->n_params + 1);
  s->types = g_new0 (Oid, s->n_params + 1);
  s->row = -1;
  if (cursor)
    {
      char *declare = g_strdup_printf ("DECLARE %s NO SCROLL CURSOR FOR %s", s->name, s->text);
      g_free (s->text);
      s->text = declare;
    }
  return &s->base;
}

static void
clear_values (PgStmt *s)
{
  for (int k = 0; k < s->n_params; k++)
    g_clear_pointer (&s->values[k], g_free);
}

static void
close_cursor (PgStmt *s)
{
  PgDb *db = DB (s->base.db);

  if (s->cursor_open && s->cursor_generation == db->tx_generation &&
      PQtransactionStatus (db->conn) == PQTRANS_INTRANS)
    {
      g_autofree char *sql = g_strdup_printf ("CLOSE %s", s->name);
      PQclear (PQexec (db->conn, sql));
    }
  s->cursor_open = FALSE;
}

static void
pg_reset (TrajDbStmt *ts)
{
  PgStmt *s = STMT (ts);

  g_clear_pointer (&s->res, PQclear);
  if (s->cursor)
    close_cursor (s);
  s->executed = FALSE;
  s->cursor_exhausted = FALSE;
  s->row = -1;
  s->n_rows = 0;
  clear_values (s);
}

static void
pg_finalize (TrajDbStmt *ts)
{
  PgStmt *s = STMT (ts);
  PgDb *db = DB (ts->db);
  /* traj_db_close (): the session's end drops its statements and cursors,
   * no round trip each. */
  gboolean closing = ts->db->stmts == NULL;

  if (closing)
    s->cursor_open = FALSE;
  pg_reset (ts);
  if (!closing && !s->cursor && s->epoch == db->epoch && s->epoch != 0 && !connection_lost (db))
    {
      g_autofree char *sql = g_strdup_printf ("DEALLOCATE %s", s->name);
      PQclear (PQexec (db->conn, sql));
    }
  g_free (s->values);
  g_free (s->types);
  g_free (s->name);
  g_free (s->text);
  g_free (s);
}

#define INT8OID 20
#define FLOAT8OID 701

static void
set_value (TrajDbStmt *ts, int i, char *v, Oid type)
{
  PgStmt *s = STMT (ts);

  if (i < 1 || i > s->n_params)
    {
      g_free (v);
      g_return_if_reached ();
    }
  g_free (s->values[i - 1]);
  s->values[i - 1] = v;
  /* Types count until the statement is prepared with them. */
  if (type != 0 && s->epoch == 0)
    s->types[i - 1] = type;
}

static void
pg_bind_int64 (TrajDbStmt *s, int i, gint64 v)
{
  set_value (s, i, g_strdup_printf ("%" G_GINT64_FORMAT, v), INT8OID);
}

static void
pg_bind_double (TrajDbStmt *s, int i, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  set_value (s, i, g_strdup (g_ascii_dtostr (buf, sizeof buf, v)), FLOAT8OID);
}

static void
pg_bind_text (TrajDbStmt *s, int i, const char *v)
{
  set_value (s, i, g_strdup (v), 0);
}

static void
pg_bind_null (TrajDbStmt *s, int i)
{
  set_value (s, i, NULL, 0);
}

static gboolean
ensure_prepared (PgStmt *s, GError **error)
{
  PgDb *db = DB (s->base.db);
  PGresult *res;
  gboolean ok;

  if (s->epoch == db->epoch && s->epoch != 0)
    return TRUE;
  res = PQprepare (db->conn, s->name, s->text, s->n_params, s->types);
  ok = check_result (&db->base, res, s->base.sql, error);
  PQclear (res);
  if (ok)
    s->epoch = db->epoch;
  return ok;
}

static gboolean
fetch_batch (PgStmt *s, GError **error)
{
  PgDb *db = DB (s->base.db);
  g_autofree char *sql = g_strdup_printf ("FETCH FORWARD %d FROM %s", CURSOR_BATCH, s->name);

  g_clear_pointer (&s->res, PQclear);
  s->res = PQexec (db->conn, sql);
  if (!check_result (&db->base, s->res, s->base.sql, error))
    {
      g_clear_pointer (&s->res, PQclear);
      return FALSE;
    }
  s->n_rows = PQntuples (s->res);
  s->row = -1;
  s->cursor_exhausted = s->n_rows < CURSOR_BATCH;
  return TRUE;
}

static gboolean
execute (PgStmt *s, GError **error)
{
  PgDb *db = DB (s->base.db);
  PGresult *res;
  const char *tuples;

  if (!db->in_tx && !reconnect_if_lost (db, error))
    return FALSE;
  if (s->cursor)
    {
      /* DECLARE is not preparable: sent with its parameters each time. */
      res = PQexecParams (db->conn, s->text, s->n_params, s->types, (const char * const *) s->values, NULL, NULL, 0);
      if (!check_result (&db->base, res, s->base.sql, error))
        {
          PQclear (res);
          return FALSE;
        }
      PQclear (res);
      s->cursor_open = TRUE;
      s->cursor_generation = db->tx_generation;
      return fetch_batch (s, error);
    }

  if (!ensure_prepared (s, error))
    return FALSE;
  res = PQexecPrepared (db->conn, s->name, s->n_params, (const char * const *) s->values, NULL, NULL, 0);
  if (!check_result (&db->base, res, s->base.sql, error))
    {
      /* A statement prepared before the server restarted, in a session
       * that was re-established in between: prepare it again once. */
      if (g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), "26000") == 0)
        {
          PQclear (res);
          g_clear_error (error);
          s->epoch = 0;
          if (!ensure_prepared (s, error))
            return FALSE;
          res = PQexecPrepared (db->conn, s->name, s->n_params, (const char * const *) s->values, NULL, NULL, 0);
          if (!check_result (&db->base, res, s->base.sql, error))
            {
              PQclear (res);
              return FALSE;
            }
        }
      else
        {
          PQclear (res);
          return FALSE;
        }
    }
  tuples = PQcmdTuples (res);
  db->changes = tuples && *tuples ? g_ascii_strtoll (tuples, NULL, 10) : 0;
  s->res = res;
  s->n_rows = PQntuples (res);
  s->row = -1;
  s->cursor_exhausted = TRUE;
  return TRUE;
}

static TrajDbStep
pg_step (TrajDbStmt  *ts,
         GError     **error)
{
  PgStmt *s = STMT (ts);

  if (!s->executed)
    {
      s->executed = TRUE;
      if (!execute (s, error))
        {
          pg_reset (ts);
          return TRAJ_DB_FAILED;
        }
    }
  if (s->res == NULL)
    return TRAJ_DB_DONE;
  if (++s->row < s->n_rows)
    return TRAJ_DB_ROW;
  if (s->cursor && !s->cursor_exhausted)
    {
      if (!fetch_batch (s, error))
        {
          pg_reset (ts);
          return TRAJ_DB_FAILED;
        }
      if (++s->row < s->n_rows)
        return TRAJ_DB_ROW;
    }
  return TRAJ_DB_DONE;
}

static int
pg_column_count (TrajDbStmt *s)
{
  return STMT (s)->res ? PQnfields (STMT (s)->res) : 0;
}

static const char *
pg_column_name (TrajDbStmt *s, int i)
{
  return STMT (s)->res ? PQfname (STMT (s)->res, i) : NULL;
}

static gboolean
pg_column_is_null (TrajDbStmt *s, int i)
{
  return PQgetisnull (STMT (s)->res, STMT (s)->row, i);
}

#define BOOLOID 16

static gint64
pg_column_int64 (TrajDbStmt *ts, int i)
{
  PgStmt *s = STMT (ts);
  const char *v;

  if (PQgetisnull (s->res, s->row, i))
    return 0;
  v = PQgetvalue (s->res, s->row, i);
  if (PQftype (s->res, i) == BOOLOID)
    return v[0] == 't';
  return g_ascii_strtoll (v, NULL, 10);
}

static double
pg_column_double (TrajDbStmt *ts, int i)
{
  PgStmt *s = STMT (ts);

  if (PQgetisnull (s->res, s->row, i))
    return 0;
  return g_ascii_strtod (PQgetvalue (s->res, s->row, i), NULL);
}

static const char *
pg_column_text (TrajDbStmt *ts, int i)
{
  PgStmt *s = STMT (ts);

  if (PQgetisnull (s->res, s->row, i))
    return NULL;
  return PQgetvalue (s->res, s->row, i);
}

/* ---- schema ------------------------------------------------------------------ */

static gboolean
query_text (PgDb *db, const char *sql, char **out, GError **error)
{
  PGresult *res = PQexec (db->conn, sql);

  *out = NULL;
  if (!check_result (&db->base, res, sql, error))
    {
      PQclear (res);
      return FALSE;
    }
  if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
    *out = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  return TRUE;
}

static gboolean
pg_schema_version (TrajDb    *db,
                   gboolean  *ours,
                   gint64    *version,
                   GError   **error)
{
  g_autofree char *meta = NULL, *n_tables = NULL, *app = NULL, *v = NULL;

  *ours = FALSE;
  *version = 0;
  if (!query_text (DB (db), "SELECT to_regclass('trajectory_meta')::text", &meta, error))
    return FALSE;
  if (meta == NULL)
    {
      if (!query_text (DB (db), "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                       &n_tables, error))
        return FALSE;
      *ours = g_strcmp0 (n_tables, "0") == 0;
      return TRUE;
    }
  if (!query_text (DB (db), "SELECT value FROM trajectory_meta WHERE key = 'application'", &app, error) ||
      !query_text (DB (db), "SELECT value FROM trajectory_meta WHERE key = 'schema_version'", &v, error))
    return FALSE;
  *ours = g_strcmp0 (app, "io.github.trajectory.Trajectory") == 0;
  *version = v ? g_ascii_strtoll (v, NULL, 10) : 0;
  return TRUE;
}

static gboolean
pg_set_schema_version (TrajDb    *db,
                       gint64     version,
                       GError   **error)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO trajectory_meta (key, value) VALUES ('schema_version', '%d') "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (int) version);
  return exec_simple (DB (db), sql, error);
}

static gboolean
pg_setup (TrajDb   *db,
          GError  **error)
{
  return TRUE;
}

static void
pg_close (TrajDb *db)
{
  if (DB (db)->conn)
    PQfinish (DB (db)->conn);
  g_queue_clear_full (&DB (db)->notifies, (GDestroyNotify) PQfreemem);
  g_free (DB (db)->conninfo);
  g_free (DB (db)->listen);
  g_free (db);
}

static const TrajDbEngineVTable pg_vtable = {
  .close = pg_close,
  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .reset = pg_reset,
  .bind_int64 = pg_bind_int64,
  .bind_double = pg_bind_double,
  .bind_text = pg_bind_text,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .column_count = pg_column_count,
  .column_name = pg_column_name,
  .column_is_null = pg_column_is_null,
  .column_int64 = pg_column_int64,
  .column_double = pg_column_double,
  .column_text = pg_column_text,
  .changes = pg_changes,
  .exec = pg_exec,
  .begin = pg_begin,
  .schema_version = pg_schema_version,
  .set_schema_version = pg_set_schema_version,
  .setup = pg_setup,
};

/* ---- open --------------------------------------------------------------------- */

gboolean
traj_db_pg_is_conninfo (const char *location)
{
  PQconninfoOption *opts;
  char *err = NULL;

  if (location == NULL)
    return FALSE;
  if (g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://"))
    return TRUE;
  if (strchr (location, '=') == NULL)
    return FALSE;
  /* key=value: only when every key is one libpq knows. */
  opts = PQconninfoParse (location, &err);
  PQfreemem (err);
  if (opts == NULL)
    return FALSE;
  PQconninfoFree (opts);
  return TRUE;
}

/* What messages call the server: the database and host, never a password. */
static char *
display_name (PGconn *conn, const char *conninfo)
{
  const char *host = PQhost (conn);
  const char *db = PQdb (conn);

  if (db && host && *host)
    {
      if (host[0] == '/')
        return g_strdup_printf ("“%s” (local)", db);
      return g_strdup_printf ("“%s” on %s", db, host);
    }
  return g_strdup_printf ("“%s”", db ? db : conninfo);
}

static void ignore_notice (void *arg, const char *message);

TrajDb *
traj_db_pg_open (const char  *conninfo,
                 GError     **error)
{
  static const char *keywords[] = { "connect_timeout", "fallback_application_name", "dbname", NULL };
  const char *values[] = { "10", "trajectory", conninfo, NULL };
  PgDb *db;
  g_autofree char *name = NULL;

  db = g_new0 (PgDb, 1);
  db->conn = PQconnectdbParams (keywords, values, 1);
  db->conninfo = g_strdup (conninfo);
  db->epoch = 1;
  name = display_name (db->conn, conninfo);
  traj_db_init_common (&db->base, &pg_vtable, TRAJ_DB_POSTGRES, name);
  if (PQstatus (db->conn) != CONNECTION_OK)
    {
      const char *msg = PQerrorMessage (db->conn);
      g_autofree char *clean = g_strstrip (g_strdup (msg ? msg : ""));

      if (strstr (clean, "authentication failed") || strstr (clean, "no password supplied") ||
          strstr (clean, "password") || strstr (clean, "role") || strstr (clean, "permission denied"))
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_SIGN_IN,
                     _("Could not sign in to the clinic server %s: %s"), name, clean);
      else
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION,
                     _("Could not connect to the clinic server %s: %s"), name, clean);
      traj_db_close (&db->base);
      return NULL;
    }
  PQsetNoticeProcessor (db->conn, ignore_notice, NULL);
  return &db->base;
}

PGconn *
traj_db_pg_conn (TrajDb *db)
{
  return db->engine == TRAJ_DB_POSTGRES ? DB (db)->conn : NULL;
}

/* ---- live updates ---------------------------------------------------------- */

static gboolean
listen_again (PgDb *db)
{
  g_autofree char *sql = NULL;
  PGresult *res;
  gboolean ok;

  if (db->listen == NULL)
    return TRUE;
  sql = g_strdup_printf ("LISTEN %s", db->listen);
  res = PQexec (db->conn, sql);
  ok = PQresultStatus (res) == PGRES_COMMAND_OK;
  PQclear (res);
  return ok;
}

gboolean
traj_db_pg_listen (TrajDb      *db,
                   const char  *channel,
                   GError     **error)
{
  PgDb *pg = DB (db);

  g_return_val_if_fail (db->engine == TRAJ_DB_POSTGRES, FALSE);
  g_free (pg->listen);
  pg->listen = g_strdup (channel);
  if (!listen_again (pg))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION, _("Could not follow the changes on %s: %s"),
                   db->name, PQerrorMessage (pg->conn));
      return FALSE;
    }
  return TRUE;
}

int
traj_db_pg_socket (TrajDb *db)
{
  return PQsocket (DB (db)->conn);
}

gboolean
traj_db_pg_consume (TrajDb *db)
{
  PgDb *pg = DB (db);

  if (connection_lost (pg) || !PQconsumeInput (pg->conn))
    return FALSE;
  collect_notifies (pg);
  return !connection_lost (pg);
}

PGnotify *
traj_db_pg_next_notify (TrajDb *db)
{
  return g_queue_pop_head (&DB (db)->notifies);
}

gboolean
traj_db_pg_connected (TrajDb *db)
{
  return !connection_lost (DB (db));
}

void
traj_db_pg_set_fail_fast (TrajDb   *db,
                          gboolean  fail_fast)
{
  DB (db)->fail_fast = fail_fast;
}

void
traj_db_pg_set_role (TrajDb       *db,
                     TrajDbPgRole  role)
{
  DB (db)->role = role;
}

PGconn *
traj_db_pg_connect (const char  *conninfo,
                    char       **message)
{
  static const char *keywords[] = { "connect_timeout", "fallback_application_name", "dbname", NULL };
  const char *values[] = { "10", "trajectory", conninfo, NULL };
  PGconn *conn = PQconnectdbParams (keywords, values, 1);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      if (message)
        *message = g_strstrip (g_strdup (PQerrorMessage (conn)));
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

const char *
traj_db_pg_conninfo (TrajDb *db)
{
  return DB (db)->conninfo;
}

gboolean
traj_db_pg_swap_connection (TrajDb *db,
                            PGconn *fresh)
{
  PgDb *pg = DB (db);

  /* Whatever was in flight on the old session is gone with it. */
  PQfinish (pg->conn);
  pg->conn = fresh;
  pg->epoch++;
  pg->tx_generation++;
  pg->in_tx = FALSE;
  return listen_again (pg);
}

void
traj_db_pg_set_events (TrajDb            *db,
                       TrajDbPgEventFunc  func,
                       gpointer           data)
{
  DB (db)->event_func = func;
  DB (db)->event_data = data;
}
