/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server mode administration: people's logins and their roles. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-db-pg.h"
#include "traj-store-private.h"

const char *
traj_server_role_group (TrajServerRole role)
{
  switch (role)
    {
    case TRAJ_SERVER_ROLE_CLINICIAN: return "trajectory_clinician";
    case TRAJ_SERVER_ROLE_LEAD: return "trajectory_lead";
    case TRAJ_SERVER_ROLE_KIOSK: return "trajectory_kiosk";
    default: return NULL;
    }
}

gboolean
traj_server_role_from_string (const char     *name,
                              TrajServerRole *role)
{
  static const char *names[] = { "clinician", "lead", "kiosk" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    if (g_strcmp0 (name, names[k]) == 0)
      {
        *role = k;
        return TRUE;
      }
  return FALSE;
}

static gboolean
exec_pq (TrajStore *self, PGconn *conn, const char *sql, GError **error)
{
  PGresult *res = PQexec (conn, sql);
  gboolean ok = PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK;

  if (!ok)
    g_set_error (error, TRAJ_ERROR,
                 g_strcmp0 (PQresultErrorField (res, PG_DIAG_SQLSTATE), "42501") == 0 ? TRAJ_ERROR_PERMISSION
                                                                                      : TRAJ_ERROR_FAILED,
                 _("The clinic server refused: %s"), PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY));
  PQclear (res);
  return ok;
}

gboolean
traj_store_server_add_login (TrajStore       *self,
                             const char      *login,
                             TrajServerRole   role,
                             const char      *password,
                             GError         **error)
{
  PGconn *conn;
  g_autofree char *quoted_login = NULL, *verifier = NULL, *quoted_verifier = NULL;
  g_autofree char *dbname = NULL, *sql = NULL;
  g_autofree char *summary = NULL;
  char *tmp;
  gboolean ok;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (traj_server_role_group (role) != NULL, FALSE);

  conn = traj_db_pg_conn (self->db);
  if (conn == NULL)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("Logins exist only on a clinic server; a clinic file has none."));
      return FALSE;
    }
  if (login == NULL || *login == '\0' || strlen (login) > 63 || !g_utf8_validate (login, -1, NULL))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("A login is a name of 1 to 63 characters."));
      return FALSE;
    }
  if (password == NULL || g_utf8_strlen (password, -1) < 8)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("A password has at least 8 characters."));
      return FALSE;
    }

  /* The password is hashed here (SCRAM-SHA-256): the server never sees it. */
  tmp = PQencryptPasswordConn (conn, password, login, "scram-sha-256");
  if (tmp == NULL)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("Could not hash the password: %s"),
                   PQerrorMessage (conn));
      return FALSE;
    }
  verifier = g_strdup (tmp);
  PQfreemem (tmp);
  tmp = PQescapeIdentifier (conn, login, strlen (login));
  quoted_login = g_strdup (tmp);
  PQfreemem (tmp);
  tmp = PQescapeLiteral (conn, verifier, strlen (verifier));
  quoted_verifier = g_strdup (tmp);
  PQfreemem (tmp);
  tmp = PQescapeIdentifier (conn, PQdb (conn), strlen (PQdb (conn)));
  dbname = g_strdup (tmp);
  PQfreemem (tmp);

  /* One transaction: the login, its role, its right to connect to this
   * clinic's database, and the audit row. */
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  tmp = PQescapeLiteral (conn, login, strlen (login));
  sql = g_strdup_printf ("DO $$ BEGIN "
                         "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s) THEN "
                         "  ALTER ROLE %s LOGIN PASSWORD %s; "
                         "ELSE CREATE ROLE %s LOGIN PASSWORD %s; END IF; END $$; "
                         "REVOKE trajectory_clinician, trajectory_lead, trajectory_kiosk FROM %s; "
                         "GRANT %s TO %s; GRANT CONNECT ON DATABASE %s TO %s",
                         tmp, quoted_login, quoted_verifier, quoted_login, quoted_verifier,
                         quoted_login, traj_server_role_group (role), quoted_login, dbname, quoted_login);
  PQfreemem (tmp);
  ok = exec_pq (self, conn, sql, error);
  summary = g_strdup_printf ("login %s with role %s", login, traj_server_role_group (role));
  if (!ok || !traj_store_audit (self, "grant", "login", login, summary, error))
    {
      traj_store_tx_rollback (self);
      return FALSE;
    }
  return traj_store_tx_commit (self, error);
}

gboolean
traj_store_can_read_identities (TrajStore *self)
{
  static const char sql[] = "SELECT has_column_privilege ('patient', 'birth_date', 'SELECT') "
                            "AND has_column_privilege ('patient', 'name', 'SELECT')";
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (traj_db_engine (self->db) != TRAJ_DB_POSTGRES)
    return TRUE;
  if (self->identities == 0)
    {
      /* Asked once: a login's grants do not change while it is signed in. */
      stmt = traj_db_prepare (self->db, sql, NULL);
      if (stmt == NULL || !traj_db_step_row (stmt, &found, NULL))
        return FALSE;
      self->identities = found && g_strcmp0 (traj_db_column_text (stmt, 0), "t") == 0 ? 1 : 2;
      traj_db_reset (stmt);
    }
  return self->identities == 1;
}

/* ---- who read what ------------------------------------------------------------ */

gboolean
traj_store_record_read (TrajStore   *self,
                        gint64       patient_id,
                        const char  *what,
                        GError     **error)
{
  /* The login and the time are the server's (audit_event's triggers). */
  static const char patient_sql[] =
    "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, patient_uid, summary) "
    "SELECT ?1, ?2, ?3, 'read', 'patient', uid, uid, ?4 FROM patient WHERE id = ?5";
  static const char clinic_sql[] =
    "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
    "VALUES (?1, ?2, ?3, 'read', 'clinic', '', ?4)";
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  /* A clinic file is one person's machine; the access log is the server's. */
  if (traj_db_engine (self->db) != TRAJ_DB_POSTGRES)
    return TRUE;
  stmt = traj_db_prepare (self->db, patient_id > 0 ? patient_sql : clinic_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, traj_time_now ());
  traj_db_bind_text0 (stmt, 2, self->os_user);
  traj_db_bind_text0 (stmt, 3, self->clinician);
  traj_db_bind_text0 (stmt, 4, what);
  if (patient_id > 0)
    traj_db_bind_int64 (stmt, 5, patient_id);
  return traj_db_run (stmt, error);
}

const char *
traj_store_audit_source (TrajStore *self)
{
  static const char sql[] = "SELECT has_table_privilege ('audit_event', 'SELECT')";
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  if (traj_db_engine (self->db) != TRAJ_DB_POSTGRES)
    return "audit_event";
  if (self->audit_source == 0)
    {
      /* Asked once, as traj_store_can_read_identities (). */
      stmt = traj_db_prepare (self->db, sql, NULL);
      if (stmt == NULL || !traj_db_step_row (stmt, &found, NULL))
        return "audit_event";
      self->audit_source = !found || g_strcmp0 (traj_db_column_text (stmt, 0), "t") == 0 ? 1 : 2;
      traj_db_reset (stmt);
    }
  return self->audit_source == 1 ? "audit_event" : "audit_event_lead";
}
