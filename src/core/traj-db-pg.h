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

G_END_DECLS
