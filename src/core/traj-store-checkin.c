/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tablet check-in codes. A code is stored only as the Argon2id hash of the
 * code (and, when the clinic asks for it, the patient's birth date) with the
 * clinic's check-in salt, which is not secret: the tablet derives one hash
 * from what the patient typed and the store finds the check-in by equality
 * (traj-secret.h). Wrong codes count against the device's limit and a
 * clinic-wide ceiling for kiosks (traj-store-secret.c). */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-secret.h"
#include "traj-store-private.h"

#define SALT_KEY "checkin-salt"
#define BIRTH_DATE_KEY "checkin-birth-date"
#define CODE_LENGTH 6

#define CHECKIN_COLS "id, uid, patient_id, scales, created_at, expires_at, used_at, created_by"

static TrajKioskCheckin *
read_checkin (TrajDbStmt *stmt)
{
  TrajKioskCheckin *c = traj_kiosk_checkin_new ();

  c->id = traj_db_column_int64 (stmt, 0);
  c->uid = traj_db_column_dup (stmt, 1);
  c->patient_id = traj_db_column_int64 (stmt, 2);
  c->scales = traj_db_column_dup (stmt, 3);
  c->created_at = traj_db_column_int64 (stmt, 4);
  c->expires_at = traj_db_column_int64 (stmt, 5);
  c->used_at = traj_db_column_is_null (stmt, 6) ? 0 : traj_db_column_int64 (stmt, 6);
  c->created_by = traj_db_column_dup (stmt, 7);
  return c;
}

char *
traj_store_checkin_secret (const char *code,
                           gint32      birth_day)
{
  g_autofree char *iso = birth_day != TRAJ_DAY_NONE ? traj_day_to_iso (birth_day) : NULL;

  return iso ? g_strdup_printf ("%s|%s", code, iso) : g_strdup (code);
}

/* ---- the clinic's check-in settings -------------------------------------------- */

gboolean
traj_store_get_checkin_birth_date (TrajStore  *self,
                                   gboolean   *asked,
                                   GError    **error)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (traj_store_kiosk_remote (self))
    {
      TrajKioskState state;

      if (!traj_store_kiosk_state (self, &state, error))
        return FALSE;
      traj_kiosk_state_clear (&state);
      *asked = state.birth_date_asked;
      return TRUE;
    }
  if (!traj_store_read_setting (self, BIRTH_DATE_KEY, &value, error))
    return FALSE;
  /* Asked unless the clinic turned it off. */
  *asked = g_strcmp0 (value, "off") != 0;
  return TRUE;
}

/* Cancels every open code, in the caller's transaction. */
static gboolean
revoke_open (TrajStore *self, gint64 patient_id, gint64 now, gint64 *n, GError **error)
{
  static const char sql[] =
    "UPDATE kiosk_checkin SET revoked_at = ?1, revoked_by = ?2 "
    "WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > ?1 AND (?3 = 0 OR patient_id = ?3)";
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, now);
  traj_db_bind_text0 (stmt, 2, traj_store_actor (self));
  traj_db_bind_int64 (stmt, 3, patient_id);
  if (!traj_db_run (stmt, error))
    return FALSE;
  *n = traj_db_changes (self->db);
  return TRUE;
}

gboolean
traj_store_set_checkin_birth_date (TrajStore  *self,
                                   gboolean    asked,
                                   GError    **error)
{
  gint64 n = 0;
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  /* Open codes were hashed with, or without, the birth date: none would
   * match any more, so they are cancelled, on the record. */
  if (!traj_store_write_setting (self, BIRTH_DATE_KEY, asked ? "on" : "off", error) ||
      !revoke_open (self, 0, traj_time_now (), &n, error))
    goto fail;
  summary = g_strdup_printf ("%" G_GINT64_FORMAT " open check-in codes cancelled: the birth date is %s", n,
                             asked ? "now asked" : "no longer asked");
  if (n > 0 && !traj_store_audit (self, "revoke", "kiosk_checkin", "", summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  traj_store_emit_changed (self, TRAJ_KIND_KIOSK_CHECKIN, 0);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

char *
traj_store_get_checkin_salt (TrajStore  *self,
                             GError    **error)
{
  char *salt = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_salt (self, TRAJ_SECRET_CHECKIN, error);
  traj_store_read_setting (self, SALT_KEY, &salt, error);
  return salt;
}

/* The clinic's check-in salt, made with the first code. */
static char *
ensure_salt (TrajStore *self, GError **error)
{
  g_autofree char *salt = NULL;

  if (!traj_store_tx_begin (self, error))
    return NULL;
  if (!traj_store_read_setting (self, SALT_KEY, &salt, error))
    goto fail;
  if (salt == NULL)
    {
      salt = traj_secret_new_salt ();
      if (!traj_store_write_setting (self, SALT_KEY, salt, error))
        goto fail;
    }
  if (!traj_store_tx_commit (self, error))
    return NULL;
  return g_steal_pointer (&salt);

fail:
  traj_store_tx_rollback (self);
  return NULL;
}

/* ---- codes ------------------------------------------------------------------------ */

/* Whether an open check-in (not used, cancelled or expired) has @hash. */
static gboolean
hash_open (TrajStore *self, const char *salt, const char *hash, gint64 now, gboolean *open, GError **error)
{
  static const char sql[] =
    "SELECT 1 FROM kiosk_checkin WHERE code_hash = ?1 AND code_salt = ?2 AND used_at IS NULL "
    "AND revoked_at IS NULL AND expires_at > ?3";
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_text0 (stmt, 1, hash);
  traj_db_bind_text0 (stmt, 2, salt);
  traj_db_bind_int64 (stmt, 3, now);
  if (!traj_db_step_row (stmt, open, error))
    return FALSE;
  traj_db_reset (stmt);
  return TRUE;
}

static gboolean
patient_birth_day (TrajStore *self, gint64 patient_id, gint32 *day, GError **error)
{
  static const char sql[] = "SELECT birth_date FROM patient WHERE id = ?1 AND deleted_at IS NULL";
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, patient_id);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  *day = found ? traj_db_column_day (stmt, 0) : TRAJ_DAY_NONE;
  traj_db_reset (stmt);
  if (!found)
    {
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NO_PATIENT, _("There is no patient %" G_GINT64_FORMAT "."), patient_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean check_checkin_scales (const char *scales, GError **error);

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
  g_autofree char *salt = NULL, *uid = NULL, *summary = NULL;
  g_auto(TrajSecretString) code = NULL;
  g_autofree char *hash = NULL;
  gint64 now = traj_time_now (), id = 0;
  gint32 birth_day = TRAJ_DAY_NONE;
  gboolean asked = TRUE, inserted = FALSE;
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
  if (!check_checkin_scales (scales, error))
    return NULL;
  if (!traj_store_get_checkin_birth_date (self, &asked, error) ||
      !patient_birth_day (self, patient_id, &birth_day, error))
    return NULL;
  salt = ensure_salt (self, error);
  if (salt == NULL)
    return NULL;

  /* A fresh code whose hash no open check-in has (two patients born on
   * the same day could otherwise draw the same code). The hash is derived
   * outside the transaction: it takes a while, and holds nothing. */
  for (int attempt = 0;; attempt++)
    {
      g_auto(TrajSecretString) secret = NULL;
      gboolean open = FALSE;

      if (attempt == 20)
        {
          g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_FAILED,
                               _("No free check-in code was found. Cancel some open codes and try again."));
          return NULL;
        }
      traj_secret_free (code);
      code = g_strdup_printf ("%06u", traj_secret_random_below (1000000));
      secret = traj_store_checkin_secret (code, asked ? birth_day : TRAJ_DAY_NONE);
      g_free (hash);
      hash = traj_secret_derive (secret, salt, error);
      if (hash == NULL)
        return NULL;
      if (!traj_store_tx_begin (self, error))
        return NULL;
      if (!traj_store_patient_exists (self, patient_id, error) || !hash_open (self, salt, hash, now, &open, error))
        goto fail;
      if (!open)
        break;
      traj_store_tx_rollback (self);
    }

  uid = traj_uuid_new ();
  stmt = traj_store_prepare (self, sql, error);
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
  summary = g_strdup_printf ("tablet check-in for %s%s", scales, asked ? " (with the birth date)" : "");
  if (!traj_store_audit_record (self, "insert", TRAJ_KIND_KIOSK_CHECKIN, uid, summary, error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return NULL;
  traj_store_emit_changed (self, TRAJ_KIND_KIOSK_CHECKIN, patient_id);
  return g_steal_pointer (&code);

fail:
  traj_store_tx_rollback (self);
  return NULL;
}

/* This store's program, as the holder of the kiosk session it checked in
 * (schema 18): random, made once. */
static const char *
holder (TrajStore *self)
{
  if (self->kiosk_holder == NULL)
    self->kiosk_holder = traj_uuid_new ();
  return self->kiosk_holder;
}

/* Compare and count: the check-in whose hash is @hash (the client's Argon2id
 * of what the patient typed, with the clinic's salt), marked used; a hash
 * that matches none counts as a wrong code. */
static TrajKioskCheckin *
redeem_hash (TrajStore *self, const char *salt, const char *hash, gboolean asked, gint64 *locked_until,
             GError **error)
{
  g_return_val_if_fail (hash != NULL, NULL);

  static const char find_sql[] =
    "SELECT id, expires_at, used_at, revoked_at, used_by = ?3 AND ended_at IS NULL, coalesce (held_at, used_at) "
    "FROM kiosk_checkin WHERE code_hash = ?1 AND code_salt = ?2 ORDER BY id DESC LIMIT 1";
  static const char use_sql[] =
    "UPDATE kiosk_checkin SET used_at = ?2, used_by = ?3, holder = ?4, held_at = ?2 WHERE id = ?1 AND used_at IS NULL";
  static const char resume_sql[] = "UPDATE kiosk_checkin SET holder = ?4, held_at = ?2 WHERE id = ?1";
  static const char read_sql[] = "SELECT " CHECKIN_COLS " FROM kiosk_checkin WHERE id = ?1";
  g_autofree char *device = traj_store_device_key (self);
  gint64 now = traj_time_now (), id = 0, expires_at = 0;
  gboolean found = FALSE, used = FALSE, revoked = FALSE, resumed = FALSE, held = FALSE;
  TrajKioskCheckin *c = NULL;
  TrajDbStmt *stmt;

  /* A tablet's server login: the server compares and counts. */
  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_redeem_hash (self, hash, asked, locked_until, error);
  if (!traj_store_tx_begin (self, error))
    return NULL;
  if (!traj_store_secret_check_open (self, TRAJ_SECRET_CHECKIN, now, locked_until, error))
    goto fail;
  stmt = traj_store_prepare (self, find_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_text0 (stmt, 1, hash);
  traj_db_bind_text0 (stmt, 2, salt ? salt : "");
  traj_db_bind_text0 (stmt, 3, device);
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (found)
    {
      id = traj_db_column_int64 (stmt, 0);
      expires_at = traj_db_column_int64 (stmt, 1);
      used = !traj_db_column_is_null (stmt, 2);
      revoked = !traj_db_column_is_null (stmt, 3);
      /* Used on this device by a session that never ended: another kiosk
       * program still holds it (it said so lately), or the tablet was
       * killed or switched off mid-way and the patient carries on, if not
       * too long ago (schema 18). */
      if (used && traj_db_column_int (stmt, 4) == 1 && !revoked && expires_at > now)
        {
          gint64 held_at = traj_db_column_int64 (stmt, 5);

          held = held_at > now - TRAJ_KIOSK_LEASE_SECONDS;
          resumed = !held && held_at >= now - TRAJ_KIOSK_RESUME_SECONDS;
        }
    }
  traj_db_reset (stmt);

  if (!found)
    {
      g_autoptr(GError) wrong = NULL;

      traj_store_secret_error ("wrong", TRAJ_SECRET_CHECKIN, 0, asked, &wrong);
      traj_store_secret_fail (self, TRAJ_SECRET_CHECKIN, now, locked_until, wrong->message, error);
      return NULL;
    }
  /* The right code: what is wrong with it is not a guess, and not counted. */
  if (held)
    {
      traj_store_secret_error ("in-use", TRAJ_SECRET_CHECKIN, 0, asked, error);
      goto fail;
    }
  if (used && !resumed)
    {
      traj_store_secret_error ("used", TRAJ_SECRET_CHECKIN, 0, asked, error);
      goto fail;
    }
  if (revoked)
    {
      traj_store_secret_error ("revoked", TRAJ_SECRET_CHECKIN, 0, asked, error);
      goto fail;
    }
  if (expires_at <= now)
    {
      traj_store_secret_error ("expired", TRAJ_SECRET_CHECKIN, 0, asked, error);
      goto fail;
    }
  stmt = traj_store_prepare (self, resumed ? resume_sql : use_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  traj_db_bind_int64 (stmt, 2, now);
  if (!resumed)
    traj_db_bind_text0 (stmt, 3, device);
  traj_db_bind_text0 (stmt, 4, holder (self));
  if (!traj_db_run (stmt, error))
    goto fail;
  stmt = traj_store_prepare (self, read_sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, id);
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (found)
    c = read_checkin (stmt);
  traj_db_reset (stmt);
  /* A good code forgives no wrong one before it: those may have been
   * someone else's guesses (they leak away with time, traj-secret.h). */
  if (c == NULL ||
      !traj_store_audit_record (self, resumed ? "resume" : "use", TRAJ_KIND_KIOSK_CHECKIN, c->uid,
                                resumed ? "tablet check-in taken up again on the same tablet after the session "
                                          "was cut off"
                                        : "tablet check-in used", error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    {
      traj_kiosk_checkin_free (c);
      return NULL;
    }
  self->kiosk_checkin_id = c->id;
  return c;

fail:
  traj_store_tx_rollback (self);
  traj_kiosk_checkin_free (c);
  return NULL;
}

TrajKioskCheckin *
traj_store_redeem_checkin (TrajStore   *self,
                           const char  *code,
                           gint32       birth_day,
                           gint64      *locked_until,
                           GError     **error)
{
  g_autofree char *salt = NULL, *hash = NULL;
  g_auto(TrajSecretString) secret = NULL;
  gboolean asked = TRUE;
  gint64 until;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (locked_until)
    *locked_until = 0;
  if (code == NULL || strlen (code) != CODE_LENGTH || strspn (code, "0123456789") != CODE_LENGTH)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("The code has 6 digits."));
      return NULL;
    }
  if (!traj_store_get_checkin_birth_date (self, &asked, error))
    return NULL;
  if (asked && birth_day == TRAJ_DAY_NONE)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Please type your date of birth too."));
      return NULL;
    }
  /* While attempts wait, none costs a hash. */
  until = traj_store_secret_locked_until (self, TRAJ_SECRET_CHECKIN, error);
  if (until < 0)
    return NULL;
  if (until > 0)
    {
      if (locked_until)
        *locked_until = until;
      traj_store_secret_locked_error (error, TRAJ_SECRET_CHECKIN, until);
      return NULL;
    }
  /* No salt yet: no code was ever made, so this one is wrong (and counts). */
  salt = traj_store_get_checkin_salt (self, error);
  if (salt == NULL && error && *error)
    return NULL;
  secret = traj_store_checkin_secret (code, asked ? birth_day : TRAJ_DAY_NONE);
  hash = salt ? traj_secret_derive (secret, salt, error) : g_strdup ("");
  if (hash == NULL)
    return NULL;
  return redeem_hash (self, salt, hash, asked, locked_until, error);
}

TrajKioskCheckin *
traj_store_redeem_checkin_hash (TrajStore   *self,
                                const char  *hash,
                                gint64      *locked_until,
                                GError     **error)
{
  g_autofree char *salt = NULL;
  g_autoptr(GError) local = NULL;
  gboolean asked = TRUE;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (locked_until)
    *locked_until = 0;
  if (!traj_store_get_checkin_birth_date (self, &asked, error))
    return NULL;
  salt = traj_store_get_checkin_salt (self, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return redeem_hash (self, salt, hash, asked, locked_until, error);
}

/* The tablet answers of a check-in's session: its patient's since the code
 * was used, not deleted (as postgres/012-kiosk-resume.sql; the drafts'
 * removal below spells the same rule). */
#define SESSION_ANSWERS_WHERE \
  "a.patient_id = k.patient_id AND a.source = 'tablet' AND a.deleted_at IS NULL AND a.taken_at >= k.used_at"

/* "Not you?": what the person answered meanwhile (saved answer by answer)
 * is not the patient's. */
static gboolean
remove_session_drafts (TrajStore *self, gint64 checkin_id, GError **error)
{
  static const char sql[] =
    "UPDATE assessment SET deleted_at = ?2 WHERE complete = 0 AND source = 'tablet' AND deleted_at IS NULL "
    "AND patient_id = (SELECT patient_id FROM kiosk_checkin WHERE id = ?1) "
    "AND taken_at >= (SELECT used_at FROM kiosk_checkin WHERE id = ?1) RETURNING uid, scale, patient_id";
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);
  TrajDbStep rc;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  traj_db_bind_int64 (stmt, 2, traj_time_now ());
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      g_ptr_array_add (removed, traj_db_column_dup (stmt, 0));
      g_ptr_array_add (removed, traj_db_column_dup (stmt, 1));
      /* A draft's item 9 is a safety finding: the patient's needs-attention state. */
      traj_store_attention_touch (self, traj_db_column_int64 (stmt, 2));
    }
  traj_db_reset (stmt);
  if (rc != TRAJ_DB_DONE)
    return FALSE;
  for (guint k = 0; k + 1 < removed->len; k += 2)
    {
      g_autofree char *summary =
        g_strdup_printf ("%s draft (tablet) removed: the person answering was not the patient",
                         (const char *) g_ptr_array_index (removed, k + 1));

      if (!traj_store_audit_record (self, "delete", TRAJ_KIND_ASSESSMENT, g_ptr_array_index (removed, k),
                                    summary, error))
        return FALSE;
    }
  return TRUE;
}

/* Why "Not you?" was refused (both engines). */
const char *
traj_store_safety_answer_kept_message (void)
{
  return _("These answers include one that a member of staff needs to see, so they are kept. "
           "Please ask a member of staff.");
}

/* A safety answer (PHQ-9 item 9 above 0, now or earlier in the draft) is
 * a finding until a clinician acknowledges it (CLINICAL.md §4): "Not you?"
 * does not take it out of the record, whoever gave it. */
static gboolean
session_drafts_without_safety_answer (TrajStore *self, gint64 checkin_id, GError **error)
{
  static const char sql[] =
    "SELECT 1 FROM assessment a LEFT JOIN assessment_item i ON i.assessment_id = a.id AND i.item = ?3 "
    "WHERE a.complete = 0 AND a.source = 'tablet' AND a.deleted_at IS NULL AND a.scale = ?2 "
    "AND a.patient_id = (SELECT patient_id FROM kiosk_checkin WHERE id = ?1) "
    "AND a.taken_at >= (SELECT used_at FROM kiosk_checkin WHERE id = ?1) "
    "AND (i.value >= 1 OR a.safety_highest >= 1) LIMIT 1";
  const TrajScale *phq9 = traj_scale_get (TRAJ_SCALE_PHQ9);
  gboolean found = FALSE;
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  traj_db_bind_text0 (stmt, 2, phq9->code);
  traj_db_bind_int64 (stmt, 3, phq9->safety_item);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  traj_db_reset (stmt);
  if (found)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, traj_store_safety_answer_kept_message ());
      return FALSE;
    }
  return TRUE;
}

/* The questionnaires a code asks: exact codes of patient-rated scales,
 * each once, comma-separated. Anything else would give the patient another
 * questionnaire than staff meant, or none. */
static gboolean
check_checkin_scales (const char *scales, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (scales, ",", -1);
  g_autoptr(GString) known = g_string_new (NULL);

  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    if (s->rater == TRAJ_RATER_PATIENT)
      g_string_append_printf (known, "%s%s", known->len ? ", " : "", s->code);
  for (guint k = 0; parts[k]; k++)
    {
      const TrajScale *s = traj_scale_lookup (parts[k]);

      if (s == NULL || !g_str_equal (s->code, parts[k]))
        {
          /* Translators: %s: what was typed; %s: the list of codes, "phq9, gad7, …" */
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("“%s” is not a questionnaire the tablet asks. Use one or more of %s, separated by commas."),
                       parts[k], known->str);
          return FALSE;
        }
      if (s->rater != TRAJ_RATER_PATIENT)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("%s is rated by a clinician, so it is not asked on the tablet."), s->name);
          return FALSE;
        }
      for (guint j = 0; j < k; j++)
        if (g_str_equal (parts[j], parts[k]))
          {
            g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("%s is listed twice."), s->name);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
traj_store_release_checkin (TrajStore  *self,
                            gint64      checkin_id,
                            GError    **error)
{
  static const char sql[] =
    "UPDATE kiosk_checkin SET used_at = NULL, used_by = NULL, holder = NULL, held_at = NULL "
    "WHERE id = ?1 AND used_at IS NOT NULL AND revoked_at IS NULL AND (holder IS NULL OR holder = ?2) RETURNING uid";
  g_autofree char *uid = NULL;
  gboolean found = FALSE;
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_release (self, checkin_id, error);
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!session_drafts_without_safety_answer (self, checkin_id, error) ||
      !remove_session_drafts (self, checkin_id, error))
    goto fail;
  stmt = traj_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  traj_db_bind_text0 (stmt, 2, holder (self));
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (found)
    uid = traj_db_column_dup (stmt, 0);
  traj_db_reset (stmt);
  if (!found)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND, _("That check-in was not in use."));
      goto fail;
    }
  if (self->kiosk_checkin_id == checkin_id)
    self->kiosk_checkin_id = 0;
  if (!traj_store_audit_record (self, "release", TRAJ_KIND_KIOSK_CHECKIN, uid,
                                "tablet check-in given back unused: the person was not the patient", error))
    goto fail;
  return traj_store_tx_commit (self, error);

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

GPtrArray *
traj_store_list_open_checkins (TrajStore  *self,
                               gint64      patient_id,
                               GError    **error)
{
  static const char sql[] =
    "SELECT " CHECKIN_COLS " FROM kiosk_checkin WHERE patient_id = ?1 AND used_at IS NULL "
    "AND revoked_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC, id DESC";
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_kiosk_checkin_free);
  TrajDbStmt *stmt;
  TrajDbStep rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  stmt = traj_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, patient_id);
  traj_db_bind_int64 (stmt, 2, traj_time_now ());
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_ptr_array_add (out, read_checkin (stmt));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
traj_store_note_tablet_in_progress (TrajStore          *self,
                                    TrajPatientRecords *records,
                                    GError            **error)
{
  static const char sql[] =
    "SELECT used_at FROM kiosk_checkin WHERE patient_id = ?1 AND used_at IS NOT NULL AND ended_at IS NULL "
    "AND revoked_at IS NULL AND coalesce (held_at, used_at) > ?2 ORDER BY used_at LIMIT 1";
  gint64 since = 0;
  TrajDbStmt *stmt;
  TrajDbStep rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  g_return_val_if_fail (records != NULL && records->patient != NULL, FALSE);

  stmt = traj_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, records->patient->id);
  traj_db_bind_int64 (stmt, 2, traj_time_now () - TRAJ_KIOSK_LEASE_SECONDS);
  rc = traj_db_step (stmt, error);
  if (rc == TRAJ_DB_ROW)
    since = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return FALSE;
  if (since == 0)
    return TRUE;
  /* The session's answers, as SESSION_ANSWERS_WHERE reads them. */
  for (guint k = 0; k < records->assessments->len; k++)
    {
      TrajAssessment *a = g_ptr_array_index (records->assessments, k);

      if (a->complete || a->source != TRAJ_SOURCE_TABLET || a->taken_at < since)
        continue;
      g_free (a->notes);
      a->notes = g_strdup (_("In progress on the tablet: not submitted yet."));
    }
  return TRUE;
}

gboolean
traj_store_revoke_checkin (TrajStore  *self,
                           gint64      checkin_id,
                           GError    **error)
{
  static const char sql[] =
    "UPDATE kiosk_checkin SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1 AND used_at IS NULL "
    "AND revoked_at IS NULL RETURNING uid, patient_id";
  g_autofree char *uid = NULL;
  gint64 patient_id = 0;
  gboolean found = FALSE;
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!traj_store_tx_begin (self, error))
    return FALSE;
  stmt = traj_store_prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  traj_db_bind_int64 (stmt, 2, traj_time_now ());
  traj_db_bind_text0 (stmt, 3, traj_store_actor (self));
  if (!traj_db_step_row (stmt, &found, error))
    goto fail;
  if (found)
    {
      uid = traj_db_column_dup (stmt, 0);
      patient_id = traj_db_column_int64 (stmt, 1);
    }
  traj_db_reset (stmt);
  if (!found)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND,
                           _("That check-in code is no longer open: it was used or cancelled already."));
      goto fail;
    }
  if (!traj_store_audit_record (self, "revoke", TRAJ_KIND_KIOSK_CHECKIN, uid, "tablet check-in cancelled", error))
    goto fail;
  if (!traj_store_tx_commit (self, error))
    return FALSE;
  traj_store_emit_changed (self, TRAJ_KIND_KIOSK_CHECKIN, patient_id);
  return TRUE;

fail:
  traj_store_tx_rollback (self);
  return FALSE;
}

gboolean
traj_store_end_checkin (TrajStore  *self,
                        gint64      checkin_id,
                        GError    **error)
{
  /* Only by the program holding the session: one that lost it to another
   * (it froze, and the patient carried on elsewhere) ends nothing. */
  static const char sql[] =
    "UPDATE kiosk_checkin SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL AND (holder IS NULL OR holder = ?3)";
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_end (self, checkin_id, error);
  if (self->kiosk_checkin_id == checkin_id)
    self->kiosk_checkin_id = 0;
  stmt = traj_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  traj_db_bind_int64 (stmt, 2, traj_time_now ());
  traj_db_bind_text0 (stmt, 3, holder (self));
  return traj_db_run (stmt, error);
}

/* In the caller's transaction, or on its own. */
static gboolean
hold (TrajStore *self, gint64 checkin_id, gint64 patient_id, GError **error)
{
  static const char sql[] =
    "UPDATE kiosk_checkin SET held_at = ?3 WHERE id = ?1 AND holder = ?2 AND ended_at IS NULL "
    "AND revoked_at IS NULL AND (?4 = 0 OR patient_id = ?4)";
  TrajDbStmt *stmt = traj_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  traj_db_bind_text0 (stmt, 2, holder (self));
  traj_db_bind_int64 (stmt, 3, traj_time_now ());
  traj_db_bind_int64 (stmt, 4, patient_id);
  if (!traj_db_run (stmt, error))
    return FALSE;
  if (traj_db_changes (self->db) != 1)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                           _("This tablet’s check-in has ended. Please ask a member of staff for a new code."));
      return FALSE;
    }
  return TRUE;
}

gboolean
traj_store_hold_checkin (TrajStore  *self,
                         gint64      checkin_id,
                         GError    **error)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_hold (self, checkin_id, error);
  return hold (self, checkin_id, 0, error);
}

gboolean
traj_store_checkin_check_hold (TrajStore             *self,
                               const TrajAssessment  *a,
                               gboolean               insert,
                               GError               **error)
{
  static const char draft_sql[] =
    "SELECT 1 FROM kiosk_checkin AS k JOIN assessment AS a ON " SESSION_ANSWERS_WHERE " "
    "WHERE k.id = ?1 AND a.id = ?2 AND a.complete = 0";
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  if (self->kiosk_checkin_id == 0 || traj_store_kiosk_remote (self) || a->source != TRAJ_SOURCE_TABLET)
    return TRUE;
  if (!hold (self, self->kiosk_checkin_id, a->patient_id, error))
    return FALSE;
  if (insert)
    return TRUE;
  /* Never a submitted questionnaire, nor another session's. */
  stmt = traj_store_prepare (self, draft_sql, error);
  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, self->kiosk_checkin_id);
  traj_db_bind_int64 (stmt, 2, a->id);
  if (!traj_db_step_row (stmt, &found, error))
    return FALSE;
  traj_db_reset (stmt);
  if (!found)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION,
                           _("These answers were already submitted. Please ask a member of staff."));
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
traj_store_checkin_answers (TrajStore  *self,
                            gint64      checkin_id,
                            GError    **error)
{
  static const char sql[] =
    "SELECT " TRAJ_ASSESSMENT_COLS ", ai.item, ai.value FROM kiosk_checkin AS k "
    "JOIN assessment AS a ON " SESSION_ANSWERS_WHERE " "
    "LEFT JOIN assessment_item AS ai ON ai.assessment_id = a.id WHERE k.id = ?1 ORDER BY a.id, ai.item";
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_assessment_free);
  TrajAssessment *a = NULL;
  TrajDbStmt *stmt;
  TrajDbStep rc;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);

  if (traj_store_kiosk_remote (self))
    return traj_store_kiosk_answers (self, checkin_id, error);
  stmt = traj_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  traj_db_bind_int64 (stmt, 1, checkin_id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      if (a == NULL || a->id != traj_db_column_int64 (stmt, 0))
        {
          a = traj_store_read_assessment (stmt);
          g_ptr_array_add (answers, a);
        }
      traj_store_read_item_into (stmt, TRAJ_N_ASSESSMENT_COLS, a);
    }
  traj_db_reset (stmt);
  if (rc != TRAJ_DB_DONE)
    return NULL;
  return g_steal_pointer (&answers);
}
