/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libpq-fe.h>

#include "traj-db.h"

G_BEGIN_DECLS

/* Whether @location names a PostgreSQL server rather than a file: a
 * postgresql:// or postgres:// URI, or libpq key=value settings
 * ("service=clinic", "host=db dbname=clinic sslmode=verify-full"). */
gboolean  traj_db_pg_is_conninfo (const char *location);
/* Connects; the password, TLS and the rest are libpq's (conninfo,
 * ~/.pgpass, pg_service.conf, PG* variables). */
TrajDb   *traj_db_pg_open        (const char  *conninfo,
                                  GError     **error);
/* The connection; NULL for another engine. */
PGconn   *traj_db_pg_conn        (TrajDb      *db);
/* SQLite placeholders ("?N", "?") as PostgreSQL's ("$N"), string literals,
 * quoted names and comments left alone. *@n_params: the highest number. */
char     *traj_db_pg_translate   (const char  *sql,
                                  int         *n_params);

/* Live updates: LISTEN on @channel (again after every reconnect); the
 * socket to watch; reading what arrived (FALSE: the connection is lost);
 * the notices received from other sessions, one at a time (PQfreemem). */
gboolean  traj_db_pg_listen      (TrajDb *db, const char *channel, GError **error);
int       traj_db_pg_socket      (TrajDb *db);
gboolean  traj_db_pg_consume     (TrajDb *db);
PGnotify *traj_db_pg_next_notify (TrajDb *db);
gboolean  traj_db_pg_connected   (TrajDb *db);
/* With @fail_fast a lost connection fails statements at once instead of
 * reconnecting in the caller's thread: a window's store reconnects in
 * the background (traj_db_pg_connect () in a thread, then
 * traj_db_pg_swap_connection () in the store's). */
void      traj_db_pg_set_fail_fast (TrajDb *db, gboolean fail_fast);
/* What the login may do (traj_store's read_login ()): a refused write
 * then says so in the person's words. */
typedef enum {
  TRAJ_DB_PG_ROLE_OTHER,
  TRAJ_DB_PG_ROLE_LEAD,
  TRAJ_DB_PG_ROLE_KIOSK,
} TrajDbPgRole;
void      traj_db_pg_set_role    (TrajDb *db, TrajDbPgRole role);
PGconn   *traj_db_pg_connect     (const char *conninfo, char **message);
const char *traj_db_pg_conninfo  (TrajDb *db);
gboolean  traj_db_pg_swap_connection (TrajDb *db, PGconn *fresh);

/* Told when notices arrived with a result (@connection_lost FALSE) or a
 * statement found the connection gone (TRUE); called inside the statement:
 * act later, from the main loop. */
typedef void (*TrajDbPgEventFunc) (TrajDb *db, gboolean connection_lost, gpointer data);
void      traj_db_pg_set_events  (TrajDb *db, TrajDbPgEventFunc func, gpointer data);

G_END_DECLS
