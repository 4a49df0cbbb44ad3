/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tablet check-in codes: only a salted hash is stored. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-store-private.h"
#include "traj-secret.h"

/* Looks for an open check-in whose code hash matches; fills *id (0 none). */
static gboolean
find_open_checkin (TrajStore *self, const char *code, gint64 now, gint64 *id, gboolean *expired, GError **error)
{
  static const char sql[] =
    "SELECT id, code_salt, code_hash, expires_at, used_at FROM kiosk_checkin "
    "WHERE used_at IS NULL OR used_at > ?1 ORDER BY id DESC";
  TrajDbStmt *stmt = traj_db_prepare (self->db, sql, error);
  TrajDbStep rc;

  *id = 0;
  if (expired)
    *expired = FALSE;
  if (stmt == NULL)
    return FALSE;
  /* Recently used codes are searched too, so "already used" can be told apart
   * from "wrong". */
  traj_db_bind_int64 (stmt, 1, now - 7 * 24 * 3600);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      if (traj_store_check_salted_hash (code, traj_db_column_text (stmt, 1), traj_db_column_text (stmt, 2)))
        {
          *id = traj_db_column_int64 (stmt, 0);
          if (expired)
            *expired = traj_db_column_int64 (stmt, 3) <= now;
          if (!traj_db_column_is_null (stmt, 4))
            *id = -*id;   /* used */
          break;
        }
    }
  traj_db_reset (stmt);
  return rc != TRAJ_DB_FAILED;
}

char *
traj_store_create_checkin (TrajStore   *self,
                           gint64       patient_id,
                           const char  *scales,
                           gint64       valid_seconds,
                           gint64      *checkin_id,
                           GError     **error)
{
  static const char sql[] =
    "INSERT INTO kiosk_checkin (uid, patient_id, code_salt, code_hash, scales, created_at, expires_at, created_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
  g_autofree char *code = NULL, *salt = NULL, *hash = NULL, *uid = NULL, *summary = NULL;
  gint64 now = traj_time_now (), other = 0, id = 0;
  gboolean inserted = FALSE;
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (scales == NULL || *scales == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Choose at least one questionnaire."));
      return NULL;
    }
  if (valid_seconds <= 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The code must be valid for some time."));
      return NULL;
    }
  if (!traj_store_tx_begin (self, error))
    return NULL;
  if (!traj_store_patient_exists (self, patient_id, error))
    goto fail;
  /* A fresh code that no open check-in already uses. */
  for (int attempt = 0; attempt < 20; attempt++)
    {
      gboolean expired = FALSE;
      g_free (code);
      code = g_strdup_printf ("%06u", traj_secret_random () % 1000000u);
      if (!find_open_checkin (self, code, now, &other, &expired, error))
        goto fail;
      if (other == 0 || (other > 0 && expired) || other < 0)
        break;
    }
  hash = traj_store_salted_hash (code, &salt);
  uid = traj_uuid_new ();
  stmt = traj_db_prepare (self->db, sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_text0 (stmt, 1, uid);
  traj_db_bind_int64 (stmt, 2, patient_id);
  traj_db_bind_text0 (stmt, 3, salt);
  traj_db_bind_text0 (stmt, 4, hash);
  traj_db_bind_text0 (stmt, 5, scales);
  traj_db_bind_int64 (stmt, 6, now);
  traj_db_bind_int64 (stmt, 7, now + valid_seconds);
  traj_db_bind_text0 (stmt, 8, traj_store_actor (self));
  if (!traj_db_step_row (stmt, &inserted, error))
    goto fail;
  if (inserted)
    id = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (checkin_id)
    *checkin_id = id;
  summary = g_strdup_printf ("tablet check-in for %s", scales);
  if (!traj_store_audit_record (self, "insert", TRAJ_KIND_KIOSK_CHECKIN, uid, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return NULL;
  return g_steal_pointer (&code);

fail:
  traj_store_tx_rollback (self);
  return NULL;
}

TrajKioskCheckin *
traj_store_redeem_checkin (TrajStore   *self,
                           const char  *code,
                           GError     **error)
{
  static const char use_sql[] = "UPDATE kiosk_checkin SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL";
  static const char read_sql[] =
    "SELECT id, uid, patient_id, scales, created_at, expires_at, used_at, created_by FROM kiosk_checkin WHERE id = ?1";
  gint64 now = traj_time_now (), id = 0;
  gboolean expired = FALSE, found = FALSE;
  TrajDbStmt *stmt;
  TrajKioskCheckin *c = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (code == NULL || strlen (code) != 6)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The code has 6 digits."));
      return NULL;
    }
  if (!traj_store_tx_begin (self, error))
    return NULL;
  if (!find_open_checkin (self, code, now, &id, &expired, error))
    goto fail;
  if (id == 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("That code is not right. Please check it and try again."));
      goto fail;
    }
  if (id < 0)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("That code has already been used. Please ask a member of staff for a new one."));
      goto fail;
    }
  if (expired)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("That code has expired. Please ask a member of staff for a new one."));
      goto fail;
    }
  stmt = traj_db_prepare (self->db, use_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  traj_db_bind_int64 (stmt, 2, now);
  if (!traj_db_run (stmt, error))
    goto fail;
  stmt = traj_db_prepare (self->db, read_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (found)
    {
      c = traj_kiosk_checkin_new ();
      c->id = traj_db_column_int64 (stmt, 0);
      c->uid = traj_db_column_dup (stmt, 1);
      c->patient_id = traj_db_column_int64 (stmt, 2);
      c->scales = traj_db_column_dup (stmt, 3);
      c->created_at = traj_db_column_int64 (stmt, 4);
      c->expires_at = traj_db_column_int64 (stmt, 5);
      c->used_at = traj_db_column_int64 (stmt, 6);
      c->created_by = traj_db_column_dup (stmt, 7);
    }
  traj_db_reset (stmt);
  if (c == NULL || !traj_store_audit_record (self, "use", TRAJ_KIND_KIOSK_CHECKIN, c->uid, "tablet check-in used", error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    {
      traj_kiosk_checkin_free (c);
      return NULL;
    }
  return c;

fail:
  traj_store_tx_rollback (self);
  traj_kiosk_checkin_free (c);
  return NULL;
}
