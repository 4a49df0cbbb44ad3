/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The database driver under the store: one connection to a clinic on one
 * engine (SQLite file or PostgreSQL server), prepared statements with a
 * cache, typed binds and columns, transactions. Private to src/core: nothing
 * above the store sees it.
 *
 * SQL is written once, in the subset both engines accept: placeholders are
 * SQLite's "?N" (the PostgreSQL engine turns them into "$N"), new ids come
 * from "INSERT … RETURNING id", "ON CONFLICT", coalesce (), no PRAGMA. Where
 * the dialects really differ, both texts sit side by side and
 * traj_db_prepare2 () picks one.
 *
 * Indices: binds count from 1, columns from 0 (as in SQLite). */

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TrajDb     TrajDb;
typedef struct _TrajDbStmt TrajDbStmt;

typedef enum {
  TRAJ_DB_SQLITE,
  TRAJ_DB_POSTGRES,
} TrajDbEngine;

typedef enum {
  TRAJ_DB_FAILED = -1,
  TRAJ_DB_DONE = 0,
  TRAJ_DB_ROW = 1,
} TrajDbStep;

/* Why the last statement of a connection failed, beyond its GError: what
 * callers may act on (tell a duplicate uid from a duplicate MRN, retry). */
typedef enum {
  TRAJ_DB_OK,
  TRAJ_DB_UNIQUE,
  TRAJ_DB_FOREIGN_KEY,
  TRAJ_DB_CONSTRAINT,
  TRAJ_DB_BUSY,          /* another program holds a lock: try again */
  TRAJ_DB_RETRY,         /* serialization failure or deadlock: redo the transaction */
  TRAJ_DB_PERMISSION,    /* the login's role may not do this */
  TRAJ_DB_CONNECTION,    /* the server went away */
  TRAJ_DB_OTHER,
} TrajDbFailure;

/* What each engine implements. */
typedef struct {
  void         (*close)          (TrajDb *db);
  TrajDbStmt  *(*prepare)        (TrajDb *db, const char *sql, gboolean cursor, GError **error);
  void         (*finalize)       (TrajDbStmt *stmt);
  void         (*reset)          (TrajDbStmt *stmt);
  void         (*bind_int64)     (TrajDbStmt *stmt, int i, gint64 v);
  void         (*bind_double)    (TrajDbStmt *stmt, int i, double v);
  void         (*bind_text)      (TrajDbStmt *stmt, int i, const char *v);
  void         (*bind_null)      (TrajDbStmt *stmt, int i);
  TrajDbStep   (*step)           (TrajDbStmt *stmt, GError **error);
  int          (*column_count)   (TrajDbStmt *stmt);
  const char  *(*column_name)    (TrajDbStmt *stmt, int i);
  gboolean     (*column_is_null) (TrajDbStmt *stmt, int i);
  gint64       (*column_int64)   (TrajDbStmt *stmt, int i);
  double       (*column_double)  (TrajDbStmt *stmt, int i);
  const char  *(*column_text)    (TrajDbStmt *stmt, int i);
  /* As text that reads back to the same value (NULL: column_text is). */
  const char  *(*column_text_exact) (TrajDbStmt *stmt, int i);
  gint64       (*changes)        (TrajDb *db);
  gboolean     (*exec)           (TrajDb *db, const char *sql, GError **error);
  gboolean     (*begin)          (TrajDb *db, gboolean write, GError **error);
  /* The clinic's schema: *ours FALSE when the database holds something that
   * is not a Trajectory clinic; version 0 for an empty database. */
  gboolean     (*schema_version) (TrajDb *db, gboolean *ours, gint64 *version, GError **error);
  gboolean     (*set_schema_version) (TrajDb *db, gint64 version, GError **error);
  /* Settings of the connection, once the database is known to be ours. */
  gboolean     (*setup)          (TrajDb *db, GError **error);
} TrajDbEngineVTable;

struct _TrajDb {
  const TrajDbEngineVTable *vt;
  TrajDbEngine engine;
  /* What messages name: the file's path, or the server's conninfo without
   * its password. */
  char *name;
  GHashTable *stmts;          /* const char *sql → TrajDbStmt*, by address */
  GHashTable *cursors;        /* the same for cursor statements */
  TrajDbFailure failure;
};

struct _TrajDbStmt {
  TrajDb *db;
  const char *sql;
};

/* Called by the engines' open functions. */
void          traj_db_init_common   (TrajDb              *db,
                                     const TrajDbEngineVTable *vt,
                                     TrajDbEngine         engine,
                                     const char          *name);

void          traj_db_close         (TrajDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajDb, traj_db_close)

/* A cached statement for @sql, reset and with no binds. @sql is the cache
 * key by address: pass string literals or strings that outlive @db. */
TrajDbStmt   *traj_db_prepare       (TrajDb *db, const char *sql, GError **error);
/* @sqlite_sql on SQLite, @postgres_sql on PostgreSQL. */
TrajDbStmt   *traj_db_prepare2      (TrajDb *db, const char *sqlite_sql, const char *postgres_sql,
                                     GError **error);
/* A statement whose rows are read in batches as they are stepped (a
 * server-side cursor on PostgreSQL; must run inside a transaction), so a
 * whole-clinic result never sits in memory. */
TrajDbStmt   *traj_db_prepare_cursor (TrajDb *db, const char *sql, GError **error);

static inline void traj_db_reset (TrajDbStmt *s) { s->db->vt->reset (s); }
static inline void traj_db_bind_int64 (TrajDbStmt *s, int i, gint64 v) { s->db->vt->bind_int64 (s, i, v); }
static inline void traj_db_bind_double (TrajDbStmt *s, int i, double v) { s->db->vt->bind_double (s, i, v); }
/* NULL binds SQL NULL. */
static inline void traj_db_bind_text (TrajDbStmt *s, int i, const char *v) { s->db->vt->bind_text (s, i, v); }
static inline void traj_db_bind_null (TrajDbStmt *s, int i) { s->db->vt->bind_null (s, i); }
/* On TRAJ_DB_FAILED @error is set and the statement reset. */
static inline TrajDbStep traj_db_step (TrajDbStmt *s, GError **error) { return s->db->vt->step (s, error); }
static inline int traj_db_column_count (TrajDbStmt *s) { return s->db->vt->column_count (s); }
static inline const char *traj_db_column_name (TrajDbStmt *s, int i) { return s->db->vt->column_name (s, i); }
static inline gboolean traj_db_column_is_null (TrajDbStmt *s, int i) { return s->db->vt->column_is_null (s, i); }
/* NULL reads as 0. */
static inline gint64 traj_db_column_int64 (TrajDbStmt *s, int i) { return s->db->vt->column_int64 (s, i); }
static inline int traj_db_column_int (TrajDbStmt *s, int i) { return (int) s->db->vt->column_int64 (s, i); }
static inline double traj_db_column_double (TrajDbStmt *s, int i) { return s->db->vt->column_double (s, i); }
/* NULL reads as NULL; valid until the next step or reset. */
static inline const char *traj_db_column_text (TrajDbStmt *s, int i) { return s->db->vt->column_text (s, i); }
/* Any column as text that reads back to the same value (SQLite writes
 * REAL as text with 15 digits only). Valid until the next call. */
static inline const char *traj_db_column_text_exact (TrajDbStmt *s, int i)
{ return s->db->vt->column_text_exact ? s->db->vt->column_text_exact (s, i) : s->db->vt->column_text (s, i); }

/* The small binds every writer uses. */
void          traj_db_bind_text0       (TrajDbStmt *s, int i, const char *v);   /* NULL → '' */
void          traj_db_bind_id_or_null  (TrajDbStmt *s, int i, gint64 id);       /* ≤ 0 → NULL */
void          traj_db_bind_int_or_null (TrajDbStmt *s, int i, int v);           /* < 0 → NULL */
void          traj_db_bind_day         (TrajDbStmt *s, int i, gint32 day);      /* ISO text or NULL */
/* Column helpers: a copy ('' for NULL), an int or @fallback for NULL, a day. */
char         *traj_db_column_dup       (TrajDbStmt *s, int i);
int           traj_db_column_int_or    (TrajDbStmt *s, int i, int fallback);
gint32        traj_db_column_day       (TrajDbStmt *s, int i);

/* A row's values, built once and then either bound to a statement or
 * written as a line of COPY text (PostgreSQL's bulk path): one list of a
 * record's columns serves both. */
#define TRAJ_DB_MAX_VALUES 32
typedef struct {
  guint n;
  struct {
    guint8 type;             /* 0 NULL, 1 int64, 2 double, 3 text */
    gint64 i;
    double d;
    char *s;
  } v[TRAJ_DB_MAX_VALUES];
} TrajDbValues;

void          traj_db_values_clear     (TrajDbValues *v);
void          traj_db_values_null      (TrajDbValues *v);
void          traj_db_values_int64     (TrajDbValues *v, gint64 i);
void          traj_db_values_double    (TrajDbValues *v, double d);
void          traj_db_values_text      (TrajDbValues *v, const char *s);  /* NULL → NULL */
void          traj_db_values_text0     (TrajDbValues *v, const char *s);  /* NULL → '' */
void          traj_db_values_id_or_null  (TrajDbValues *v, gint64 id);    /* ≤ 0 → NULL */
void          traj_db_values_int_or_null (TrajDbValues *v, int i);        /* < 0 → NULL */
void          traj_db_values_day       (TrajDbValues *v, gint32 day);
/* Binds the values to ?@first, ?@first + 1, … */
void          traj_db_bind_values      (TrajDbStmt *s, int first, const TrajDbValues *v);
/* Appends them as one line of COPY text format (tab-separated, \N for
 * NULL, escaped), after @id when @id > 0. */
void          traj_db_values_copy_line (const TrajDbValues *v, gint64 id, GString *out);

/* Steps @stmt to its end (ignoring rows) and resets it. */
gboolean      traj_db_run           (TrajDbStmt *stmt, GError **error);
/* Steps @stmt once: TRUE with *@found telling whether a row came; the
 * statement stays on that row (read it, then reset). */
gboolean      traj_db_step_row      (TrajDbStmt *stmt, gboolean *found, GError **error);

/* Rows changed by the last INSERT, UPDATE or DELETE. */
static inline gint64 traj_db_changes (TrajDb *db) { return db->vt->changes (db); }
/* Runs statements without parameters. */
static inline gboolean traj_db_exec (TrajDb *db, const char *sql, GError **error) { return db->vt->exec (db, sql, error); }
/* A transaction: @write takes the write lock at once (SQLite BEGIN
 * IMMEDIATE); a read transaction sees one snapshot for all its statements. */
static inline gboolean traj_db_begin (TrajDb *db, gboolean write, GError **error) { return db->vt->begin (db, write, error); }
gboolean      traj_db_commit        (TrajDb *db, GError **error);
void          traj_db_rollback      (TrajDb *db);

static inline gboolean traj_db_schema_version (TrajDb *db, gboolean *ours, gint64 *version, GError **error)
{ return db->vt->schema_version (db, ours, version, error); }
static inline gboolean traj_db_set_schema_version (TrajDb *db, gint64 version, GError **error)
{ return db->vt->set_schema_version (db, version, error); }
static inline gboolean traj_db_setup (TrajDb *db, GError **error) { return db->vt->setup (db, error); }

static inline TrajDbEngine traj_db_engine (TrajDb *db) { return db->engine; }
static inline const char *traj_db_name (TrajDb *db) { return db->name; }
/* Why the last failure happened (TRAJ_DB_OK after a success). */
static inline TrajDbFailure traj_db_failure (TrajDb *db) { return db->failure; }

G_END_DECLS
