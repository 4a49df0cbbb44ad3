/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Moving a whole clinic between a file and a server (issue 14): every
 * record (hidden ones too), decision, check-in, saved cohort, clinic
 * setting and audit row, with the records' ids kept; into a target that
 * holds no record yet; in one transaction, counted on both sides and
 * compared before it commits. */
#define G_LOG_DOMAIN "traj-migrate"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-db-pg.h"
#include "traj-db-sqlite.h"
#include "traj-migrate.h"
#include "traj-store-private.h"

/* Every table of a clinic, parents before children. A table this list
 * does not name stops a migration (a new migration's table must be added
 * here, or it would be left behind). */
typedef struct {
  const char *name;
  const char *order;           /* how its rows are read */
  const char *key;             /* a table the target fills when it is made:
                                * its rows are matched by this column and
                                * take the source's values */
} Table;

static const Table clinic_tables[] = {
  { "patient", "id", NULL },
  { "course", "id", NULL },
  { "infusion", "id", NULL },
  { "vital_sign", "id", NULL },
  { "assessment", "id", NULL },
  { "assessment_item", "assessment_id, item", NULL },
  { "flag_decision", "id", NULL },
  { "medication", "id", NULL },
  { "kiosk_checkin", "id", NULL },
  { "cohort_definition", "id", NULL },
  { "clinic_setting", "key", "key" },
  { "secret_attempt", "kind", "kind" },     /* filled by the target's schema: matched by kind */
  { "secret_attempt_device", "kind, device", NULL },
  { "audit_event", "id", NULL },
};
/* The clinic's own description (schema version, application, its id), on a
 * server the kiosk's scale table and its tablets' open check-in sessions
 * (postgres/007: a move ends them), and the audit chain, which the target
 * computes as the events come in, with the transactions that wrote them
 * (postgres/024), and the name of its live updates' channel (postgres/027):
 * the target's. */
static const char *own_tables[] = { "trajectory_meta", "kiosk_scale", "kiosk_session", "audit_chain", "audit_seal",
                                    "audit_xact", "audit_xact_kind", "patient_attention", "live_channel", NULL };

static const Table *
find_table (const char *name)
{
  for (guint k = 0; k < G_N_ELEMENTS (clinic_tables); k++)
    if (g_str_equal (clinic_tables[k].name, name))
      return &clinic_tables[k];
  return NULL;
}

static gboolean
is_record_table (const Table *t)
{
  return t->key == NULL && !g_str_equal (t->name, "audit_event");
}

void
traj_migrate_count_free (TrajMigrateCount *c)
{
  if (c == NULL)
    return;
  g_free (c->table);
  g_free (c);
}

/* The table's columns, as the source has them. */
static GPtrArray *
columns_of (TrajStore *store, const char *table, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sql = NULL;
  TrajDb *db = traj_store_get_connection (store);
  TrajDbStmt *stmt;
  TrajDbStep rc;

  if (traj_db_engine (db) == TRAJ_DB_SQLITE)
    sql = g_strdup_printf ("SELECT name FROM pragma_table_info ('%s') ORDER BY cid", table);
  else
    sql = g_strdup_printf ("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                           "current_schema () AND table_name = '%s' ORDER BY ordinal_position", table);
  /* Not cached: run once per migration. */
  stmt = traj_db_prepare (db, g_intern_string (sql), error);
  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_ptr_array_add (out, traj_db_column_dup (stmt, 0));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_steal_pointer (&out);
}

static gint64
count_rows (TrajStore *store, const char *table, const char *where, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s%s%s", table, where ? " WHERE " : "", where ? where : "");
  TrajDbStmt *stmt = traj_db_prepare (traj_store_get_connection (store), g_intern_string (sql), error);
  gboolean found = FALSE;
  gint64 n;

  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return -1;
  n = found ? traj_db_column_int64 (stmt, 0) : -1;
  traj_db_reset (stmt);
  return n;
}

/* ---- writing rows ----------------------------------------------------------- */

typedef struct {
  TrajStore *target;
  const char *table;
  GPtrArray *columns;
  const char *key;               /* rows the target may have: take the source's */
  gboolean copy;                 /* PostgreSQL: COPY … FROM STDIN */
  GString *chunk;
  TrajDbStmt *insert;            /* SQLite, or rows that need ON CONFLICT */
  char *insert_sql;
} Writer;

static void
copy_escape (GString *out, const char *s)
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

static gboolean
writer_flush (Writer *w, GError **error)
{
  PGconn *conn = traj_db_pg_conn (traj_store_get_connection (w->target));

  if (!w->copy || w->chunk->len == 0)
    return TRUE;
  if (PQputCopyData (conn, w->chunk->str, w->chunk->len) != 1)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Could not write to %s: %s"),
                   traj_db_name (traj_store_get_connection (w->target)), PQerrorMessage (conn));
      return FALSE;
    }
  g_string_truncate (w->chunk, 0);
  return TRUE;
}

static char *
join (GPtrArray *names)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < names->len; k++)
    g_string_append_printf (out, "%s%s", k ? ", " : "", (const char *) g_ptr_array_index (names, k));
  return g_string_free (out, FALSE);
}

static gboolean
writer_begin (Writer *w, GError **error)
{
  TrajDb *db = traj_store_get_connection (w->target);
  g_autofree char *names = join (w->columns);
  GString *marks = g_string_new (NULL);
  GString *conflict = g_string_new (NULL);

  for (guint k = 0; k < w->columns->len; k++)
    g_string_append_printf (marks, "%s?%u", k ? ", " : "", k + 1);
  /* A row the target made when it was created (a setting such as its
   * time zone) takes the source's values. */
  if (w->key)
    {
      g_string_append_printf (conflict, " ON CONFLICT (%s) DO UPDATE SET ", w->key);
      for (guint k = 0, n = 0; k < w->columns->len; k++)
        if (!g_str_equal (g_ptr_array_index (w->columns, k), w->key))
          g_string_append_printf (conflict, "%s%s = excluded.%s", n++ ? ", " : "",
                                  (const char *) g_ptr_array_index (w->columns, k),
                                  (const char *) g_ptr_array_index (w->columns, k));
    }
  w->copy = traj_db_engine (db) == TRAJ_DB_POSTGRES && w->key == NULL;
  if (w->copy)
    {
      g_autofree char *sql = g_strdup_printf ("COPY %s (%s) FROM STDIN", w->table, names);
      PGconn *conn = traj_db_pg_conn (db);
      PGresult *res = PQexec (conn, sql);
      gboolean ok = PQresultStatus (res) == PGRES_COPY_IN;

      if (!ok)
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Could not write to %s: %s"), traj_db_name (db),
                     PQresultErrorMessage (res));
      PQclear (res);
      g_string_free (marks, TRUE);
      g_string_free (conflict, TRUE);
      w->chunk = g_string_sized_new (1 << 16);
      return ok;
    }
  w->insert_sql = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s)%s", w->table, names, marks->str, conflict->str);
  g_string_free (marks, TRUE);
  g_string_free (conflict, TRUE);
  w->insert = traj_db_prepare (db, g_intern_string (w->insert_sql), error);
  return w->insert != NULL;
}

/* One row: @values[k] is column k as text, NULL for SQL NULL. */
static gboolean
writer_row (Writer *w, const char * const *values, GError **error)
{
  if (w->copy)
    {
      for (guint k = 0; k < w->columns->len; k++)
        {
          if (k)
            g_string_append_c (w->chunk, '\t');
          if (values[k])
            copy_escape (w->chunk, values[k]);
          else
            g_string_append (w->chunk, "\\N");
        }
      g_string_append_c (w->chunk, '\n');
      return w->chunk->len < (1 << 16) || writer_flush (w, error);
    }
  for (guint k = 0; k < w->columns->len; k++)
    traj_db_bind_text (w->insert, k + 1, values[k]);
  return traj_db_run (w->insert, error);
}

static gboolean
writer_end (Writer *w, gboolean ok, GError **error)
{
  if (w->copy)
    {
      TrajDb *db = traj_store_get_connection (w->target);
      PGconn *conn = traj_db_pg_conn (db);
      PGresult *res;

      if (ok)
        ok = writer_flush (w, error);
      if (PQputCopyEnd (conn, ok ? NULL : "migration stopped") != 1)
        ok = FALSE;
      while ((res = PQgetResult (conn)) != NULL)
        {
          if (PQresultStatus (res) != PGRES_COMMAND_OK && ok)
            {
              g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Could not write the %s rows to %s: %s"),
                           w->table, traj_db_name (db), PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY));
              ok = FALSE;
            }
          PQclear (res);
        }
      g_string_free (w->chunk, TRUE);
    }
  g_free (w->insert_sql);
  return ok;
}

/* ---- one table ----------------------------------------------------------------- */

/* A row as one string, to compare rows across engines. */
static void
row_append (GString *out, const char *value)
{
  if (value == NULL)
    g_string_append_c (out, '\x1e');
  else
    g_string_append (out, value);
  g_string_append_c (out, '\x1f');
}

static gboolean
copy_table (TrajStore         *source,
            TrajStore         *target,
            const Table       *t,
            GPtrArray         *columns,
            GHashTable        *keyed,
            TrajMigrateCount  *count,
            GError           **error)
{
  g_autofree char *names = NULL, *sql = NULL;
  g_autofree const char **values = NULL;
  /* The target numbers its audit rows after its own. */
  guint skip = g_str_equal (t->name, "audit_event") ? 1 : 0;
  g_autoptr(GPtrArray) written = g_ptr_array_new ();
  Writer w = { 0 };
  TrajDbStmt *stmt;
  TrajDbStep rc = TRAJ_DB_DONE;
  gboolean ok;

  names = join (columns);
  sql = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s", names, t->name, t->order);
  for (guint k = skip; k < columns->len; k++)
    g_ptr_array_add (written, g_ptr_array_index (columns, k));
  values = g_new0 (const char *, written->len + 1);
  w.target = target;
  w.table = t->name;
  w.key = t->key;
  w.columns = written;
  if (!writer_begin (&w, error))
    return FALSE;

  stmt = traj_db_prepare_cursor (traj_store_get_connection (source), g_intern_string (sql), error);
  ok = stmt != NULL;
  count->source = 0;
  while (ok && (rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      /* Copied: a REAL column's exact text lives in one buffer per
       * statement. */
      for (guint k = 0; k < written->len; k++)
        {
          g_free ((char *) values[k]);
          values[k] = g_strdup (traj_db_column_text_exact (stmt, k + skip));
        }
      if (keyed)
        {
          GString *row = g_string_new (NULL);

          for (guint k = 0; k < written->len; k++)
            row_append (row, values[k]);
          g_hash_table_insert (keyed, g_strdup (values[0]), g_string_free (row, FALSE));
        }
      ok = writer_row (&w, values, error);
      count->source++;
    }
  if (ok && rc == TRAJ_DB_FAILED)
    ok = FALSE;
  if (stmt)
    traj_db_reset (stmt);
  for (guint k = 0; k < written->len; k++)
    g_free ((char *) values[k]);
  return writer_end (&w, ok, error);
}

/* How many of the source's rows of a keyed table the target now holds,
 * every column the same. */
static gint64
count_matching (TrajStore *target, const Table *t, GPtrArray *columns, GHashTable *keyed, GError **error)
{
  g_autofree char *names = join (columns);
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s", names, t->name);
  TrajDbStmt *stmt = traj_db_prepare (traj_store_get_connection (target), g_intern_string (sql), error);
  TrajDbStep rc;
  gint64 n = 0;

  if (stmt == NULL)
    return -1;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      g_autoptr(GString) row = g_string_new (NULL);
      const char *want;

      for (guint k = 0; k < columns->len; k++)
        row_append (row, traj_db_column_text_exact (stmt, k));
      want = g_hash_table_lookup (keyed, traj_db_column_text (stmt, 0));
      if (want && g_str_equal (want, row->str))
        n++;
    }
  traj_db_reset (stmt);
  return rc == TRAJ_DB_FAILED ? -1 : n;
}

/* The base tables of a clinic. */
static GPtrArray *
tables_of (TrajStore *store, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  TrajDb *db = traj_store_get_connection (store);
  const char *sql = traj_db_engine (db) == TRAJ_DB_SQLITE
    ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema () "
      "AND table_type = 'BASE TABLE'";
  TrajDbStmt *stmt = traj_db_prepare (db, sql, error);
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_ptr_array_add (out, traj_db_column_dup (stmt, 0));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_steal_pointer (&out);
}

/* Every table of @store is one this file moves (or the clinic's own). */
static gboolean
check_tables (TrajStore *store, GError **error)
{
  g_autoptr(GPtrArray) names = tables_of (store, error);

  if (names == NULL)
    return FALSE;
  for (guint k = 0; k < names->len; k++)
    {
      const char *name = g_ptr_array_index (names, k);

      if (find_table (name) == NULL && !g_strv_contains (own_tables, name))
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                       _("The clinic at %s has a table “%s” that this version cannot move; nothing was changed."),
                       traj_db_name (traj_store_get_connection (store)), name);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- public ------------------------------------------------------------------------ */

/* A login that may read only part of the clinic (a lead's reads what
 * cohorts need, a tablet's nothing) cannot move it: said before anything
 * is read or made. */
static gboolean
check_readable (TrajStore *source, GError **error)
{
  TrajDb *db = traj_store_get_connection (source);

  if (traj_db_engine (db) != TRAJ_DB_POSTGRES)
    return TRUE;
  for (guint k = 0; k < G_N_ELEMENTS (clinic_tables); k++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT has_table_privilege ('%s', 'SELECT')", clinic_tables[k].name);
      TrajDbStmt *stmt = traj_db_prepare (db, g_intern_string (sql), error);
      gboolean found = FALSE, can;

      if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
        return FALSE;
      can = found && traj_db_column_int64 (stmt, 0) != 0;
      traj_db_reset (stmt);
      if (!can)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                       _("This login (%s) may not read every record of the clinic (not “%s”), and a migration "
                         "copies them all. Run it as the server’s administrator (README, “A clinic server”); "
                         "nothing was changed."),
                       traj_store_get_clinician (source), clinic_tables[k].name);
          return FALSE;
        }
    }
  return TRUE;
}

static GPtrArray *
migrate_into (TrajStore         *source,
              const char        *to,
              TrajProgressFunc   progress,
              gpointer           progress_data,
              GError           **error)
{
  g_autoptr(TrajStore) target = NULL;
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_migrate_count_free);
  g_autoptr(GPtrArray) all_columns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) keyed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  g_autoptr(GString) summary = g_string_new (NULL);
  TrajDb *tdb;
  gboolean began = FALSE, ok = TRUE;
  gint64 target_audit;
  guint n_tables = G_N_ELEMENTS (clinic_tables);

  target = traj_store_open (to, error);
  if (target == NULL)
    return NULL;
  tdb = traj_store_get_connection (target);
  if (!check_tables (target, error))
    return NULL;

  /* Into an empty clinic only: a migration never merges. */
  for (guint k = 0; k < n_tables; k++)
    {
      gint64 n;

      if (!is_record_table (&clinic_tables[k]))
        continue;
      n = count_rows (target, clinic_tables[k].name, NULL, error);
      if (n < 0)
        return NULL;
      if (n > 0)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("The target already holds records (%" G_GINT64_FORMAT " in %s); a clinic is only "
                         "migrated into an empty one. Nothing was changed."), n, clinic_tables[k].name);
          return NULL;
        }
    }

  /* On a server, reading the whole clinic is in its access log. */
  if (!traj_store_record_read (source, 0, "migration", error))
    return NULL;
  if (!traj_store_read_begin (source, &began, error))
    return NULL;
  if (!traj_store_tx_begin (target, error))
    {
      traj_store_read_end (source, began);
      return NULL;
    }
  target_audit = count_rows (target, "audit_event", NULL, error);
  ok = target_audit >= 0;
  /* The audit rows keep their clinicians: the trigger that writes the
   * login is the owner's to suspend, inside this transaction only. */
  if (ok && traj_db_engine (tdb) == TRAJ_DB_POSTGRES)
    ok = traj_db_exec (tdb, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_who", error);

  for (guint k = 0; ok && k < n_tables; k++)
    {
      const Table *t = &clinic_tables[k];
      TrajMigrateCount *c = g_new0 (TrajMigrateCount, 1);
      GPtrArray *columns = columns_of (source, t->name, error);
      GHashTable *rows = t->key ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) : NULL;

      c->table = g_strdup (t->name);
      g_ptr_array_add (counts, c);
      g_ptr_array_add (keyed, rows ? rows : g_hash_table_new (g_str_hash, g_str_equal));
      if (columns == NULL)
        {
          ok = FALSE;
          break;
        }
      g_ptr_array_add (all_columns, columns);
      ok = copy_table (source, target, t, columns, rows, c, error);
      if (progress)
        progress ((double) (k + 1) / (n_tables + 1), progress_data);
    }

  if (ok && traj_db_engine (tdb) == TRAJ_DB_POSTGRES)
    {
      ok = traj_db_exec (tdb, "ALTER TABLE audit_event ENABLE TRIGGER audit_event_who", error);
      /* New rows continue after the ids that came over. */
      for (guint k = 0; ok && k < n_tables; k++)
        {
          GPtrArray *columns = g_ptr_array_index (all_columns, k);

          if (is_record_table (&clinic_tables[k]) && g_str_equal (g_ptr_array_index (columns, 0), "id"))
            {
              g_autofree char *sql = g_strdup_printf (
                "SELECT setval (pg_get_serial_sequence ('%s', 'id'), coalesce ((SELECT max(id) FROM %s), 0) + 1, "
                "false)", clinic_tables[k].name, clinic_tables[k].name);
              ok = traj_db_exec (tdb, sql, error);
            }
        }
    }

  /* Counted on both sides, before anything is committed. */
  for (guint k = 0; ok && k < counts->len; k++)
    {
      TrajMigrateCount *c = g_ptr_array_index (counts, k);
      const Table *t = &clinic_tables[k];

      if (t->key)
        c->target = count_matching (target, t, g_ptr_array_index (all_columns, k), g_ptr_array_index (keyed, k),
                                    error);
      else
        {
          c->target = count_rows (target, c->table, NULL, error);
          if (c->target >= 0 && g_str_equal (c->table, "audit_event"))
            c->target -= target_audit;
        }
      if (c->target < 0)
        ok = FALSE;
      else if (c->target != c->source)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                       _("%s: %" G_GINT64_FORMAT " rows read but %" G_GINT64_FORMAT " written; nothing was changed."),
                       c->table, c->source, c->target);
          ok = FALSE;
        }
      g_string_append_printf (summary, "%s%s %" G_GINT64_FORMAT, k ? ", " : "", c->table, c->source);
    }
  if (ok)
    {
      g_autofree char *what = g_strdup_printf ("migrated from %s: %s",
                                               traj_db_name (traj_store_get_connection (source)), summary->str);
      ok = traj_store_audit (target, "migrate-in", "clinic", "", what, error);
    }
  traj_store_read_end (source, began);
  if (!ok)
    {
      traj_store_tx_rollback (target);
      return NULL;
    }
  /* Needs attention is the target's to compute, from what came over. */
  traj_store_attention_touch_all (target);
  if (!traj_store_tx_commit (target, error))
    return NULL;
  if (progress)
    progress (1.0, progress_data);
  return g_steal_pointer (&counts);
}

/* The files a new clinic file at @to would be (its journal and WAL too)
 * that are not there now: what a refused migration removes again. */
static GPtrArray *
files_not_there (const char *to)
{
  GPtrArray *missing = g_ptr_array_new_with_free_func (g_free);
  static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };
  GStatBuf st;

  for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
    {
      char *name = g_strconcat (to, suffixes[k], NULL);

      if (g_lstat (name, &st) != 0 && errno == ENOENT)
        g_ptr_array_add (missing, name);
      else
        g_free (name);
    }
  return missing;
}

GPtrArray *
traj_migrate (const char        *from,
              const char        *to,
              TrajProgressFunc   progress,
              gpointer           progress_data,
              GError           **error)
{
  g_autoptr(TrajStore) source = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  GPtrArray *counts;

  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  if (!traj_store_location_is_server (from) && !g_file_test (from, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("There is no clinic database at “%s”."), from);
      return NULL;
    }
  source = traj_store_open_existing (from, error);
  if (source == NULL || !check_tables (source, error) || !check_readable (source, error))
    return NULL;
  if (!traj_store_location_is_server (to))
    missing = files_not_there (to);
  counts = migrate_into (source, to, progress, progress_data, error);
  /* A refused migration leaves no new clinic file behind (never one that
   * was there before). The target is closed by now. */
  if (counts == NULL && missing != NULL && missing->len > 0 && g_str_equal (g_ptr_array_index (missing, 0), to))
    for (guint k = 0; k < missing->len; k++)
      g_remove (g_ptr_array_index (missing, k));
  return counts;
}
