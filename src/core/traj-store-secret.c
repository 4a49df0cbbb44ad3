/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The staff PIN, and the limits on wrong PINs and check-in codes (per
 * device, with a clinic-wide ceiling for kiosks: traj-secret.h). traj-secret.h says why every check is "the client derives one
 * Argon2id hash, the store compares it and counts the attempt": the
 * functions marked "compare and count" below are what a clinic server runs
 * for the tablet's login (PostgreSQL: a SECURITY DEFINER function), which
 * may read no stored hash itself. */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>


#include "traj-secret.h"
#include "traj-store-private.h"

#define PIN_SALT_KEY "staff-pin-salt"
#define PIN_HASH_KEY "staff-pin-hash"

static const char *const kind_names[TRAJ_N_SECRETS] = { "staff-pin", "checkin" };

gint64
traj_store_secret_delay (TrajSecretKind kind,
                         guint          failures)
{
  return traj_secret_attempt_delay (kind, TRAJ_SECRET_SCOPE_DEVICE, failures);
}

/* ---- the device ---------------------------------------------------------------- */

void
traj_store_set_device (TrajStore  *self,
                       const char *device_id,
                       gboolean    kiosk)
{
  g_return_if_fail (TRAJ_IS_STORE (self));
  g_free (self->device);
  self->device = g_strdup (device_id && *device_id ? device_id : NULL);
  self->kiosk = kiosk;
}

gboolean
traj_store_get_device_is_kiosk (TrajStore *self)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  return self->kiosk;
}

/* The device's row in secret_attempt_device: a kiosk and a workstation on
 * one computer (the clinician's "Hand This Device to the Patient") count
 * apart, so a patient's wrong PINs never hold up the clinician window. */
char *
traj_store_device_key (TrajStore *self)
{
  return g_strdup_printf ("%s:%s", self->kiosk ? "kiosk" : "workstation",
                          self->device ? self->device : g_get_host_name ());
}

/* ---- attempts ---------------------------------------------------------------- */

/* One count: the clinic's (@device NULL, in secret_attempt) or a device's. */
static gboolean
read_attempts (TrajStore *self, TrajSecretKind kind, const char *device, TrajSecretAttempts *a, GError **error)
{
  static const char clinic_sql[] =
    "SELECT failures, locked_until, last_failure_at FROM secret_attempt WHERE kind = ?1";
  static const char device_sql[] =
    "SELECT failures, locked_until, last_failure_at FROM secret_attempt_device WHERE kind = ?1 AND device = ?2";
  TrajDbStmt *stmt = traj_store_prepare (self, device ? device_sql : clinic_sql, error);
  gboolean found = FALSE;

  memset (a, 0, sizeof *a);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, kind_names[kind]);
  if (device)
    traj_db_bind_text0 (stmt, 2, device);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      a->failures = traj_db_column_int64 (stmt, 0);
      a->locked_until = traj_db_column_int64 (stmt, 1);
      a->last_failure_at = traj_db_column_int64 (stmt, 2);
    }
  traj_db_reset (stmt);
  return TRUE;
}

static gboolean
write_attempts (TrajStore *self, TrajSecretKind kind, const char *device, const TrajSecretAttempts *a,
                GError **error)
{
  static const char clinic_sql[] =
    "INSERT INTO secret_attempt (kind, failures, locked_until, last_failure_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (kind) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, "
    "last_failure_at = excluded.last_failure_at";
  static const char device_sql[] =
    "INSERT INTO secret_attempt_device (kind, device, failures, locked_until, last_failure_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (kind, device) DO UPDATE SET failures = excluded.failures, "
    "locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at";
  TrajDbStmt *stmt = traj_store_prepare (self, device ? device_sql : clinic_sql, error);

  if (stmt == NULL)
    return FALSE;
  int k = 1;

  traj_db_bind_text0 (stmt, k++, kind_names[kind]);
  if (device)
    traj_db_bind_text0 (stmt, k++, device);
  traj_db_bind_int64 (stmt, k++, a->failures);
  traj_db_bind_int64 (stmt, k++, a->locked_until);
  traj_db_bind_int64 (stmt, k, a->last_failure_at);
  return traj_db_run (stmt, error);
}

/* Until when this store's device waits (0: it does not). */
static gboolean
wait_until (TrajStore *self, TrajSecretKind kind, gint64 now, gint64 *until, GError **error)
{
  g_autofree char *device = traj_store_device_key (self);
  TrajSecretAttempts mine, clinic;

  if (!read_attempts (self, kind, device, &mine, error) ||
      (self->kiosk && !read_attempts (self, kind, NULL, &clinic, error)))
    return FALSE;
  *until = traj_secret_attempt_wait_until (&mine, self->kiosk ? &clinic : NULL, self->kiosk, now);
  return TRUE;
}

void
traj_store_secret_locked_error (GError **error, TrajSecretKind kind, gint64 locked_until)
{
  gint64 wait = MAX (locked_until - traj_time_now (), 1);

  if (kind == TRAJ_SECRET_STAFF_PIN)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT,
                 ngettext ("Too many wrong PINs. Try again in %d second.",
                           "Too many wrong PINs. Try again in %d seconds.", (int) wait), (int) wait);
  else
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT,
                 /* Translators: the code, or the birth date with it, did not match (the tablet cannot tell which) */
                 ngettext ("Too many tries that did not match. Please wait %d second, or ask a member of staff.",
                           "Too many tries that did not match. Please wait %d seconds, or ask a member of staff.",
                           (int) wait), (int) wait);
}

gboolean
traj_store_secret_check_open (TrajStore *self, TrajSecretKind kind, gint64 now, gint64 *locked_until, GError **error)
{
  gint64 until = 0;

  if (!wait_until (self, kind, now, &until, error))
    return FALSE;
  if (locked_until)
    *locked_until = until;
  if (until > 0)
    {
      traj_store_secret_locked_error (error, kind, until);
      return FALSE;
    }
  return TRUE;
}

/* Counts a wrong attempt in the caller's transaction: on the device's count
 * and, from a kiosk, on the clinic-wide one; with its audit event (never
 * what was typed). */
static gboolean
count_failure (TrajStore *self, TrajSecretKind kind, gint64 now, gint64 *locked_until, GError **error)
{
  g_autofree char *device = traj_store_device_key (self);
  g_autofree char *summary = NULL;
  TrajSecretAttempts mine, clinic;
  gint64 until;

  if (!read_attempts (self, kind, device, &mine, error))
    return FALSE;
  traj_secret_attempt_fail (kind, TRAJ_SECRET_SCOPE_DEVICE, &mine, now);
  if (!write_attempts (self, kind, device, &mine, error))
    return FALSE;
  if (self->kiosk)
    {
      if (!read_attempts (self, kind, NULL, &clinic, error))
        return FALSE;
      traj_secret_attempt_fail (kind, TRAJ_SECRET_SCOPE_CLINIC, &clinic, now);
      if (!write_attempts (self, kind, NULL, &clinic, error))
        return FALSE;
    }
  until = traj_secret_attempt_wait_until (&mine, self->kiosk ? &clinic : NULL, self->kiosk, now);
  if (locked_until)
    *locked_until = until;
  summary = g_strdup_printf ("%s on %s (%" G_GINT64_FORMAT " in a row there",
                             kind == TRAJ_SECRET_STAFF_PIN ? "wrong staff PIN" : "check-in code that did not match",
                             device, mine.failures);
  if (self->kiosk)
    {
      char *longer = g_strdup_printf ("%s, %" G_GINT64_FORMAT " on the clinic's kiosks", summary, clinic.failures);
      g_free (summary);
      summary = longer;
    }
  {
    char *longer = until ? g_strdup_printf ("%s); the next attempt there waits %" G_GINT64_FORMAT " s", summary, until - now)
                         : g_strdup_printf ("%s)", summary);
    g_free (summary);
    summary = longer;
  }
  return traj_store_audit (self, kind == TRAJ_SECRET_STAFF_PIN ? "wrong-pin" : "wrong-code",
                           kind == TRAJ_SECRET_STAFF_PIN ? "staff_pin" : "kiosk_checkin", "", summary, error);
}

/* The right PIN from this device: its own count starts again (the
 * clinic-wide one leaks away with time). */
static gboolean
clear_device (TrajStore *self, TrajSecretKind kind, GError **error)
{
  g_autofree char *device = traj_store_device_key (self);
  TrajSecretAttempts none = { 0, 0, 0 };

  return write_attempts (self, kind, device, &none, error);
}

/* A new PIN: every count of guesses at the old one goes. */
static gboolean
clear_all (TrajStore *self, TrajSecretKind kind, GError **error)
{
  static const char sql[] = "DELETE FROM secret_attempt_device WHERE kind = ?1";
  TrajSecretAttempts none = { 0, 0, 0 };
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, kind_names[kind]);
  return traj_db_run (stmt, error) && write_attempts (self, kind, NULL, &none, error);
}

gint64
traj_store_secret_locked_until (TrajStore       *self,
                                TrajSecretKind   kind,
                                GError         **error)
{
  gint64 until = 0;
  gboolean began = FALSE, ok;

  g_return_val_if_fail (TRAJ_IS_STORE (self), -1);
  g_return_val_if_fail (kind < TRAJ_N_SECRETS, -1);

  if (self->pin_remote)
    {
      TrajKioskState state;

      if (!traj_store_kiosk_state (self, &state, error))
        return -1;
      traj_kiosk_state_clear (&state);
      return state.locked_until[kind];
    }
  if (!traj_store_read_begin (self, &began, error))
    return -1;
  ok = wait_until (self, kind, traj_time_now (), &until, error);
  traj_store_read_end (self, began);
  return ok ? until : -1;
}

gboolean
traj_store_secret_fail (TrajStore *self, TrajSecretKind kind, gint64 now, gint64 *locked_until,
                 const char *wrong_message, GError **error)
{
  gint64 until = 0;

  if (!count_failure (self, kind, now, &until, error) || !traj_store_tx_commit (self, error))
    {
      if (self->tx_depth > 0)
        traj_store_tx_rollback (self);
      return FALSE;
    }
  if (locked_until)
    *locked_until = until;
  if (until > now)
    traj_store_secret_locked_error (error, kind, until);
  else
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET, wrong_message);
  return FALSE;
}

gboolean
traj_store_secret_error (const char *status, TrajSecretKind kind, gint64 until, gboolean asked, GError **error)
{
  if (g_strcmp0 (status, "locked") == 0)
    traj_store_secret_locked_error (error, kind, until);
  else if (g_strcmp0 (status, "no-pin") == 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NO_PIN,
                         _("No staff PIN is set for this clinic. Set one on a clinician workstation in Preferences → Tablet."));
  else if (g_strcmp0 (status, "wrong") == 0 && kind == TRAJ_SECRET_STAFF_PIN)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET, _("That PIN is not right. Please try again."));
  else if (g_strcmp0 (status, "wrong") == 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET,
                         asked ? _("The code or the date of birth is not right. Please check them and try again.")
                               : _("That code is not right. Please check it and try again."));
  else if (g_strcmp0 (status, "used") == 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                         _("That code has already been used. Please ask a member of staff for a new one."));
  else if (g_strcmp0 (status, "in-use") == 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                         _("That code is in use on another screen. If that screen was closed, please try again "
                           "in two minutes, or ask a member of staff."));
  else if (g_strcmp0 (status, "revoked") == 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                         _("That code was cancelled. Please ask a member of staff for a new one."));
  else if (g_strcmp0 (status, "expired") == 0)
    g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                         _("That code has expired. Please ask a member of staff for a new one."));
  else
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("The clinic server gave an unexpected answer (%s)."),
                 status ? status : "");
  return FALSE;
}

/* ---- the staff PIN ---------------------------------------------------------------- */

gboolean
traj_store_has_staff_pin (TrajStore  *self,
                          gboolean   *has_pin,
                          GError    **error)
{
  g_autofree char *salt = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  /* The salt goes with the hash: whoever may not read the hash can still
   * tell whether there is one. */
  salt = traj_store_get_staff_pin_salt (self, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *has_pin = salt != NULL;
  return TRUE;
}

char *
traj_store_get_staff_pin_salt (TrajStore  *self,
                               GError    **error)
{
  char *salt = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  if (self->pin_remote)
    return traj_store_kiosk_salt (self, TRAJ_SECRET_STAFF_PIN, error);
  traj_store_read_setting (self, PIN_SALT_KEY, &salt, error);
  return salt;
}

/* Compare and count: @hash is the client's Argon2id of what was typed, with
 * the PIN's salt. */
gboolean
traj_store_verify_staff_pin_hash (TrajStore   *self,
                                  const char  *hash,
                                  gint64      *locked_until,
                                  GError     **error)
{
  g_autofree char *stored = NULL;
  gint64 now = traj_time_now ();

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (locked_until)
    *locked_until = 0;
  if (self->pin_remote)
    return traj_store_kiosk_verify_pin_hash (self, hash, locked_until, error);
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_secret_check_open (self, TRAJ_SECRET_STAFF_PIN, now, locked_until, error) ||
      !traj_store_read_setting (self, PIN_HASH_KEY, &stored, error))
    goto fail;
  if (stored == NULL)
    {
      traj_store_secret_error ("no-pin", TRAJ_SECRET_STAFF_PIN, 0, FALSE, error);
      goto fail;
    }
  if (!traj_secret_equal (hash, stored))
    {
      g_autoptr(GError) wrong = NULL;

      traj_store_secret_error ("wrong", TRAJ_SECRET_STAFF_PIN, 0, FALSE, &wrong);
      return traj_store_secret_fail (self, TRAJ_SECRET_STAFF_PIN, now, locked_until, wrong->message, error);
    }
  if (!clear_device (self, TRAJ_SECRET_STAFF_PIN, error) ||
      !traj_store_audit (self, "right-pin", "staff_pin", "", "staff PIN accepted", error))
    goto fail;
  return traj_store_tx_commit (self, error);

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

gboolean
traj_store_verify_staff_pin (TrajStore   *self,
                             const char  *pin,
                             gint64      *locked_until,
                             GError     **error)
{
  g_autofree char *salt = NULL, *hash = NULL;
  g_autoptr(GError) local = NULL;
  gint64 until;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (locked_until)
    *locked_until = 0;
  salt = traj_store_get_staff_pin_salt (self, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (salt == NULL)
    return traj_store_secret_error ("no-pin", TRAJ_SECRET_STAFF_PIN, 0, FALSE, error);
  /* While attempts wait, none costs a hash. */
  until = traj_store_secret_locked_until (self, TRAJ_SECRET_STAFF_PIN, error);
  if (until < 0)
    return FALSE;
  if (until > 0)
    {
      if (locked_until)
        *locked_until = until;
      traj_store_secret_locked_error (error, TRAJ_SECRET_STAFF_PIN, until);
      return FALSE;
    }
  hash = traj_secret_derive (pin ? pin : "", salt, error);
  if (hash == NULL)
    return FALSE;
  return traj_store_verify_staff_pin_hash (self, hash, locked_until, error);
}

gboolean
traj_store_set_staff_pin (TrajStore   *self,
                          const char  *old_pin,
                          const char  *new_pin,
                          GError     **error)
{
  g_autofree char *salt = NULL, *hash = NULL;
  gboolean has_pin = FALSE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!traj_secret_check_new_pin (new_pin, error) || !traj_store_has_staff_pin (self, &has_pin, error))
    return FALSE;
  /* Whoever changes the PIN knows the one it replaces; a wrong one counts
   * like any wrong PIN. */
  if (has_pin)
    {
      g_autoptr(GError) local = NULL;

      if (old_pin == NULL || *old_pin == '\0')
        {
          g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET, _("Type the current PIN first."));
          return FALSE;
        }
      if (!traj_store_verify_staff_pin (self, old_pin, NULL, &local))
        {
          if (g_error_matches (local, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET))
            g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET, _("The current PIN is not right."));
          else
            g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  salt = traj_secret_new_salt ();
  hash = traj_secret_derive (new_pin, salt, error);
  if (hash == NULL)
    return FALSE;
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_write_setting (self, PIN_SALT_KEY, salt, error) ||
      !traj_store_write_setting (self, PIN_HASH_KEY, hash, error) ||
      !clear_all (self, TRAJ_SECRET_STAFF_PIN, error))
    {
      traj_store_tx_rollback (self);
      return FALSE;
    }
  return traj_store_tx_commit (self, error);
}
