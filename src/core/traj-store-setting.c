/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Clinic-wide settings (clinic_setting): what every workstation and tablet
 * of one clinic share. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-store-private.h"

gboolean
traj_store_setting_is_secret (const char *key)
{
  return key != NULL && g_str_has_suffix (key, "-hash");
}

static gboolean
check_setting_key (const char *key, GError **error)
{
  if (key == NULL || *key == '\0' || strlen (key) > 64)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("A clinic setting needs a short name."));
      return FALSE;
    }
  for (const char *p = key; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '.')
      {
        g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                     _("“%s” is not a valid clinic setting name."), key);
        return FALSE;
      }
  return TRUE;
}

/* Reads any key, secret ones included: only the store's own secret checks
 * call it for those. */
gboolean
traj_store_read_setting (TrajStore *self, const char *key, char **value, GError **error)
{
  static const char sql[] = "SELECT value FROM clinic_setting WHERE key = ?1";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  gboolean found = FALSE;

  *value = NULL;
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, key);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    *value = traj_db_column_dup (stmt, 0);
  traj_db_reset (stmt);
  return TRUE;
}

/* Writes one key inside the caller's transaction, with its audit event. */
gboolean
traj_store_write_setting (TrajStore *self, const char *key, const char *value, GError **error)
{
  static const char sql[] =
    "INSERT INTO clinic_setting (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "updated_at = excluded.updated_at, updated_by = excluded.updated_by";
  g_autofree char *summary = NULL;
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, key);
  traj_db_bind_text0 (stmt, 2, value);
  traj_db_bind_int64 (stmt, 3, traj_time_now ());
  traj_db_bind_text0 (stmt, 4, traj_store_actor (self));
  if (!traj_db_run (stmt, error))
    return FALSE;
  if (traj_store_setting_is_secret (key))
    summary = g_strdup_printf ("%s changed (secret: value not recorded)", key);
  else
    summary = g_strdup_printf ("%s = %s", key, value);
  return traj_store_audit (self, "update", "clinic_setting", key, summary, error);
}

char *
traj_store_get_setting (TrajStore   *self,
                        const char  *key,
                        GError     **error)
{
  char *value = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (!check_setting_key (key, error))
    return NULL;
  if (traj_store_setting_is_secret (key))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The clinic setting “%s” is secret and cannot be read."), key);
      return NULL;
    }
  traj_store_read_setting (self, key, &value, error);
  return value;
}

gboolean
traj_store_set_setting (TrajStore   *self,
                        const char  *key,
                        const char  *value,
                        GError     **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!check_setting_key (key, error))
    return FALSE;
  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                   _("The clinic setting “%s” needs a value."), key);
      return FALSE;
    }
  if (g_str_equal (key, "time-zone") && *value != '\0')
    {
      g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (value);
      if (zone == NULL)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("“%s” is not a time zone (for example Europe/London or America/New_York)."), value);
          return FALSE;
        }
    }
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_write_setting (self, key, value, error))
    {
      traj_store_tx_rollback (self);
      return FALSE;
    }
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  if (g_str_equal (key, "time-zone"))
    traj_store_apply_time_zone (self);
  return TRUE;
}

gboolean
traj_store_can_write_settings (TrajStore *self)
{
  static const char sql[] = "SELECT has_table_privilege ('clinic_setting', 'UPDATE')";
  TrajDbStmt *stmt;
  gboolean found = FALSE, can = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (traj_db_engine (self->db) != TRAJ_DB_POSTGRES)
    return TRUE;
  stmt = traj_db_prepare (self->db, sql, NULL);
  if (stmt == NULL || !traj_db_step_row (stmt, &found, NULL))
    return FALSE;
  can = found && traj_db_column_int64 (stmt, 0) != 0;
  traj_db_reset (stmt);
  return can;
}

/* CLINICAL.md §7: day counts use the clinic's zone. */
void
traj_store_apply_time_zone (TrajStore *self)
{
  g_autofree char *zone = NULL;

  traj_store_read_setting (self, "time-zone", &zone, NULL);
  if (!traj_set_clinic_time_zone (zone))
    {
      g_warning ("The clinic's time zone “%s” is unknown here; days are counted in this machine's zone.", zone);
      traj_set_clinic_time_zone (NULL);
    }
}

/* A new clinic's zone is the zone of the machine that creates it; a clinic
 * from before zones were kept gets the zone of the machine that upgrades
 * it. Part of the migration's transaction (its audit event covers it). */
gboolean
traj_store_default_time_zone (TrajStore *self, GError **error)
{
  g_autofree char *zone = NULL, *machine = NULL;
  static const char sql[] =
    "INSERT INTO clinic_setting (key, value, updated_at, updated_by) VALUES ('time-zone', ?1, ?2, ?3) "
    "ON CONFLICT (key) DO NOTHING";
  TrajDbStmt *stmt;

  if (!traj_store_read_setting (self, "time-zone", &zone, error))
    return FALSE;
  if (zone != NULL || (machine = traj_machine_time_zone ()) == NULL)
    return TRUE;
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text (stmt, 1, machine);
  traj_db_bind_int64 (stmt, 2, traj_time_now ());
  traj_db_bind_text0 (stmt, 3, traj_store_actor (self));
  return traj_db_run (stmt, error);
}
