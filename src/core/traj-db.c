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
  /* Statements first: they belong to the connection the engine closes.
   * Finalized with the caches already NULL: the engine may leave what the
   * closing connection takes with it (a server's prepared statements). */
  GHashTable *stmts = g_steal_pointer (&db->stmts);
  GHashTable *cursors = g_steal_pointer (&db->cursors);

  g_hash_table_destroy (stmts);
  g_hash_table_destroy (cursors);
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

/* ---- row values ------------------------------------------------------------ */

static void
values_add (TrajDbValues *v, guint8 type, gint64 i, double d, const char *s)
{
  g_return_if_fail (v->n < TRAJ_DB_MAX_VALUES);
  v->v[v->n].type = type;
  v->v[v->n].i = i;
  v->v[v->n].d = d;
  v->v[v->n].s = s ? g_strdup (s) : NULL;
  v->n++;
}

void
traj_db_values_clear (TrajDbValues *v)
{
  for (guint k = 0; k < v->n; k++)
    g_clear_pointer (&v->v[k].s, g_free);
  v->n = 0;
}

void
traj_db_values_null (TrajDbValues *v)
{
  values_add (v, 0, 0, 0, NULL);
}

void
traj_db_values_int64 (TrajDbValues *v, gint64 i)
{
  values_add (v, 1, i, 0, NULL);
}

void
traj_db_values_double (TrajDbValues *v, double d)
{
  values_add (v, 2, 0, d, NULL);
}

void
traj_db_values_text (TrajDbValues *v, const char *s)
{
  if (s == NULL)
    traj_db_values_null (v);
  else
    values_add (v, 3, 0, 0, s);
}

void
traj_db_values_text0 (TrajDbValues *v, const char *s)
{
  values_add (v, 3, 0, 0, s ? s : "");
}

void
traj_db_values_id_or_null (TrajDbValues *v, gint64 id)
{
  if (id > 0)
    traj_db_values_int64 (v, id);
  else
    traj_db_values_null (v);
}

void
traj_db_values_int_or_null (TrajDbValues *v, int i)
{
  if (i >= 0)
    traj_db_values_int64 (v, i);
  else
    traj_db_values_null (v);
}

void
traj_db_values_day (TrajDbValues *v, gint32 day)
{
  int y, m, d;
  char iso[16];

  if (!traj_day_to_ymd (day, &y, &m, &d))
    {
      traj_db_values_null (v);
      return;
    }
  g_snprintf (iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
  traj_db_values_text (v, iso);
}

void
traj_db_bind_values (TrajDbStmt *s, int first, const TrajDbValues *v)
{
  for (guint k = 0; k < v->n; k++)
    switch (v->v[k].type)
      {
      case 1: traj_db_bind_int64 (s, first + k, v->v[k].i); break;
      case 2: traj_db_bind_double (s, first + k, v->v[k].d); break;
      case 3: traj_db_bind_text (s, first + k, v->v[k].s); break;
      default: traj_db_bind_null (s, first + k); break;
      }
}

static void
copy_text (GString *out, const char *s)
{
  for (; *s; s++)
    switch (*s)
      {
      case '\\': g_string_append (out, "\\\\"); break;
      case '\t': g_string_append (out, "\\t"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      default: g_string_append_c (out, *s); break;
      }
}

void
traj_db_values_copy_line (const TrajDbValues *v, gint64 id, GString *out)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (id > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "\t", id);
  for (guint k = 0; k < v->n; k++)
    {
      if (k > 0)
        g_string_append_c (out, '\t');
      switch (v->v[k].type)
        {
        case 1: g_string_append_printf (out, "%" G_GINT64_FORMAT, v->v[k].i); break;
        case 2: g_string_append (out, g_ascii_dtostr (buf, sizeof buf, v->v[k].d)); break;
        case 3: copy_text (out, v->v[k].s); break;
        default: g_string_append (out, "\\N"); break;
        }
    }
  g_string_append_c (out, '\n');
}
