/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-db"

#include "config.h"

#include "traj-db.h"
#include "traj-records.h"

static void
stmt_free (gpointer data)
{
  TrajDbStmt *stmt = data;

  stmt->db->vt->finalize (stmt);
}

void
traj_db_init_common (TrajDb                   *db,
                     const TrajDbEngineVTable *vt,
                     TrajDbEngine              engine,
                     const char               *name)
{
  db->vt = vt;
  db->engine = engine;
  db->name = g_strdup (name);
  db->stmts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stmt_free);
  db->cursors = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, stmt_free);
  db->failure = TRAJ_DB_OK;
}

void
traj_db_close (TrajDb *db)
{
  if (db == NULL)
    return;
  /* Statements first: they belong to the connection the engine closes. */
  g_hash_table_destroy (db->stmts);
  g_hash_table_destroy (db->cursors);
  db->stmts = db->cursors = NULL;
  g_free (db->name);
  db->vt->close (db);
}

static TrajDbStmt *
prepare_in (TrajDb      *db,
            GHashTable  *cache,
            const char  *sql,
            gboolean     cursor,
            GError     **error)
{
  TrajDbStmt *stmt = g_hash_table_lookup (cache, sql);

  if (stmt != NULL)
    {
      db->vt->reset (stmt);
      return stmt;
    }
  stmt = db->vt->prepare (db, sql, cursor, error);
  if (stmt == NULL)
    return NULL;
  stmt->db = db;
  stmt->sql = sql;
  g_hash_table_insert (cache, (gpointer) sql, stmt);
  return stmt;
}

TrajDbStmt *
traj_db_prepare (TrajDb      *db,
                 const char  *sql,
                 GError     **error)
{
  return prepare_in (db, db->stmts, sql, FALSE, error);
}

TrajDbStmt *
traj_db_prepare2 (TrajDb      *db,
                  const char  *sqlite_sql,
                  const char  *postgres_sql,
                  GError     **error)
{
  return prepare_in (db, db->stmts, db->engine == TRAJ_DB_SQLITE ? sqlite_sql : postgres_sql, FALSE, error);
}

TrajDbStmt *
traj_db_prepare_cursor (TrajDb      *db,
                        const char  *sql,
                        GError     **error)
{
  return prepare_in (db, db->cursors, sql, TRUE, error);
}

void
traj_db_bind_text0 (TrajDbStmt *s, int i, const char *v)
{
  traj_db_bind_text (s, i, v ? v : "");
}

void
traj_db_bind_id_or_null (TrajDbStmt *s, int i, gint64 id)
{
  if (id > 0)
    traj_db_bind_int64 (s, i, id);
  else
    traj_db_bind_null (s, i);
}

void
traj_db_bind_int_or_null (TrajDbStmt *s, int i, int v)
{
  if (v >= 0)
    traj_db_bind_int64 (s, i, v);
  else
    traj_db_bind_null (s, i);
}

void
traj_db_bind_day (TrajDbStmt *s, int i, gint32 day)
{
  int y, m, d;
  char iso[16];

  if (!traj_day_to_ymd (day, &y, &m, &d))
    {
      traj_db_bind_null (s, i);
      return;
    }
  g_snprintf (iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
  traj_db_bind_text (s, i, iso);
}

char *
traj_db_column_dup (TrajDbStmt *s, int i)
{
  const char *v = traj_db_column_text (s, i);

  return g_strdup (v ? v : "");
}

int
traj_db_column_int_or (TrajDbStmt *s, int i, int fallback)
{
  return traj_db_column_is_null (s, i) ? fallback : traj_db_column_int (s, i);
}

gint32
traj_db_column_day (TrajDbStmt *s, int i)
{
  return traj_day_from_iso (traj_db_column_text (s, i));
}

gboolean
traj_db_run (TrajDbStmt  *stmt,
             GError     **error)
{
  TrajDbStep rc;

  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    ;
  traj_db_reset (stmt);
  return rc == TRAJ_DB_DONE;
}

gboolean
traj_db_step_row (TrajDbStmt  *stmt,
                  gboolean    *found,
                  GError     **error)
{
  TrajDbStep rc = traj_db_step (stmt, error);

  *found = rc == TRAJ_DB_ROW;
  return rc != TRAJ_DB_FAILED;
}

gboolean
traj_db_commit (TrajDb  *db,
                GError **error)
{
  if (!traj_db_exec (db, "COMMIT", error))
    {
      traj_db_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

void
traj_db_rollback (TrajDb *db)
{
  TrajDbFailure failure = db->failure;

  traj_db_exec (db, "ROLLBACK", NULL);
  /* What made the caller roll back stays the answer. */
  db->failure = failure;
}
