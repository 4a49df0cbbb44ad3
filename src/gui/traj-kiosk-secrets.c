/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What is typed on the kiosk's keypads: the check-in code, the patient's
 * birth date (when the clinic asks for it) and the staff PIN. Each check
 * derives one Argon2id hash in a thread (the screen says "Checking…" and
 * stays alive meanwhile) and lets the store compare it and count it
 * (traj-secret.h); after too many wrong ones the clinic-wide wait shows as a
 * countdown. */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <langinfo.h>
#include <string.h>

#include "traj-kiosk-window-private.h"
#include "traj-secret.h"

#define CODE_LENGTH 6
#define BIRTH_LENGTH 8
#define PIN_MAX_LENGTH 12

/* ---- typed digits ---------------------------------------------------------------- */

/* Overwrites before shortening: what was typed does not linger in memory. */
static void
wipe (GString *s)
{
  memset (s->str, 0, s->len);
  g_string_truncate (s, 0);
}

static void
drop_last (GString *s)
{
  if (s->len)
    {
      s->str[s->len - 1] = '\0';
      g_string_truncate (s, s->len - 1);
    }
}

static char *
dots (guint typed, guint shown)
{
  GString *s = g_string_new (NULL);

  /* Digits show as dots once typed: someone may be looking on. */
  for (guint k = 0; k < shown; k++)
    {
      if (k)
        g_string_append (s, " ");
      g_string_append (s, k < typed ? "●" : "○");
    }
  return g_string_free (s, FALSE);
}

static void
update_code_label (TrajKioskWindow *self)
{
  g_autofree char *text = dots (self->code->len, CODE_LENGTH);
  g_autofree char *access = g_strdup_printf (ngettext ("%u of 6 digits typed", "%u of 6 digits typed", self->code->len),
                                             (guint) self->code->len);

  gtk_label_set_label (self->code_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
}

static void
update_pin_label (TrajKioskWindow *self)
{
  g_autofree char *text = dots (self->pin->len, MAX (6, (guint) self->pin->len));
  g_autofree char *access = g_strdup_printf (ngettext ("%u digit typed", "%u digits typed", self->pin->len),
                                             (guint) self->pin->len);

  gtk_label_set_label (self->pin_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pin_label), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
  gtk_widget_set_sensitive (self->pin_leave_button, self->pin->len > 0 && self->checking == NULL &&
                            self->pin_locked_until == 0);
}

/* ---- the birth date ---------------------------------------------------------------- */

const char *
traj_kiosk_birth_date_order (void)
{
  static char order[4];
  const char *fmt;
  guint n = 0;

  if (order[0])
    return order;
  /* The order people write dates in here (the locale's own date format:
   * "%m/%d/%y" in the US, "%d.%m.%Y" in Germany, "%Y-%m-%d" in Sweden). */
  fmt = nl_langinfo (D_FMT);
  for (const char *p = fmt; p && *p && n < 3; p++)
    if (p[0] == '%' && p[1])
      {
        char c = g_ascii_tolower (p[1]);
        if ((c == 'd' || c == 'e') && !strchr (order, 'd'))
          order[n++] = 'd';
        else if (c == 'm' && !strchr (order, 'm'))
          order[n++] = 'm';
        else if (c == 'y' && !strchr (order, 'y'))
          order[n++] = 'y';
        p++;
      }
  if (n != 3)
    g_strlcpy (order, "ymd", sizeof order);
  return order;
}

/* The fields of @order: the typed digits as dots ("●", "○" for those
 * still to type), like the code, since someone may be looking on; or, while
 * the patient has tapped Show to check them, the digits ("-" still to type). */
static void
update_birth_label (TrajKioskWindow *self)
{
  const char *order = traj_kiosk_birth_date_order ();
  gboolean shown = gtk_toggle_button_get_active (self->birth_show_button);
  GString *s = g_string_new (NULL);
  GString *hint = g_string_new (NULL);
  g_autofree char *access = NULL;
  guint pos = 0;

  for (guint f = 0; f < 3; f++)
    {
      guint width = order[f] == 'y' ? 4 : 2;

      if (f)
        {
          g_string_append (s, " / ");
          g_string_append (hint, " / ");
        }
      if (shown)
        for (guint k = 0; k < width; k++, pos++)
          g_string_append_c (s, pos < self->birth->len ? self->birth->str[pos] : '-');
      else
        {
          /* Closer together than the code's: eight of them and a Show
           * button fit the keypad's width. */
          for (guint k = 0; k < width; k++, pos++)
            g_string_append (s, pos < self->birth->len ? "●" : "○");
        }
      g_string_append (hint, order[f] == 'd' ? _("day") : order[f] == 'm' ? _("month") : _("year"));
    }
  gtk_label_set_label (self->birth_label, s->str);
  gtk_label_set_label (self->birth_hint_label, hint->str);
  /* Translators: the button beside the date of birth, which shows the typed digits, and hides them again */
  gtk_button_set_label (GTK_BUTTON (self->birth_show_button), shown ? _("Hide") : _("Show"));
  if (shown)
    /* Translators: %s is "month / day / year" in the order to type */
    access = g_strdup_printf (_("Date of birth (%s): %s"), hint->str, s->str);
  else
    /* Translators: %s is "month / day / year" in the order to type */
    access = g_strdup_printf (ngettext ("Date of birth (%s): %u of 8 digits typed",
                                        "Date of birth (%s): %u of 8 digits typed", self->birth->len),
                              hint->str, (guint) self->birth->len);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->birth_label), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
  g_string_free (s, TRUE);
  g_string_free (hint, TRUE);
}

/* The day the 8 typed digits name, or TRAJ_DAY_NONE when there is no such
 * day, it is in the future, or before 1900. */
static gint32
typed_birth_day (TrajKioskWindow *self)
{
  const char *order = traj_kiosk_birth_date_order ();
  int y = 0, m = 0, d = 0;
  guint pos = 0;
  gint32 day;

  for (guint f = 0; f < 3; f++)
    {
      guint width = order[f] == 'y' ? 4 : 2;
      g_autofree char *part = g_strndup (self->birth->str + pos, width);
      int v = atoi (part);

      pos += width;
      if (order[f] == 'y')
        y = v;
      else if (order[f] == 'm')
        m = v;
      else
        d = v;
    }
  if (y < 1900)
    return TRAJ_DAY_NONE;
  day = traj_day_from_ymd (y, m, d);
  if (day == TRAJ_DAY_NONE || day > traj_day_today ())
    return TRAJ_DAY_NONE;
  return day;
}

/* ---- waits after wrong codes and PINs ------------------------------------------------ */

static char *
wait_text (gint64 until)
{
  gint64 left = MAX (until - traj_time_now (), 0);

  /* Translators: minutes and seconds left, as in a countdown ("0:45") */
  return g_strdup_printf (_("%d:%02d"), (int) (left / 60), (int) (left % 60));
}

static void
update_locks (TrajKioskWindow *self)
{
  gint64 now = traj_time_now ();
  g_autofree char *code_wait = NULL, *pin_wait = NULL;

  if (self->code_locked_until && self->code_locked_until <= now)
    {
      self->code_locked_until = 0;
      gtk_label_set_label (self->message_label, "");
    }
  if (self->pin_locked_until && self->pin_locked_until <= now)
    {
      self->pin_locked_until = 0;
      gtk_label_set_label (self->pin_message_label, "");
    }
  code_wait = self->code_locked_until ? wait_text (self->code_locked_until) : g_strdup ("");
  pin_wait = self->pin_locked_until ? wait_text (self->pin_locked_until) : g_strdup ("");
  gtk_label_set_label (self->code_wait_label, code_wait);
  gtk_label_set_label (self->pin_wait_label, pin_wait);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad), self->code_locked_until == 0 && self->checking == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->birth_keypad), self->checking == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pin_keypad), self->pin_locked_until == 0 && self->checking == NULL);
  update_pin_label (self);
}

static void set_lock (TrajKioskWindow *self, TrajSecretKind kind, gint64 until);

static gboolean
lock_tick (gpointer data)
{
  TrajKioskWindow *self = data;
  gint64 code_until = traj_store_secret_locked_until (self->store, TRAJ_SECRET_CHECKIN, NULL);
  gint64 pin_until = traj_store_secret_locked_until (self->store, TRAJ_SECRET_STAFF_PIN, NULL);

  /* The waits are the clinic's, kept in its database, so they are read
   * again while one counts down: a new staff PIN set on a workstation ends
   * them at once (found by a trial: the open keypad went on counting), and
   * wrong tries elsewhere may make them longer. */
  if (code_until >= 0 && code_until != self->code_locked_until)
    set_lock (self, TRAJ_SECRET_CHECKIN, code_until);
  if (pin_until >= 0 && pin_until != self->pin_locked_until)
    set_lock (self, TRAJ_SECRET_STAFF_PIN, pin_until);
  update_locks (self);
  if (self->code_locked_until || self->pin_locked_until)
    return G_SOURCE_CONTINUE;
  self->lock_timer = 0;
  return G_SOURCE_REMOVE;
}

static void
set_lock (TrajKioskWindow *self, TrajSecretKind kind, gint64 until)
{
  /* A wait that ended (elsewhere, or by time) takes its message along. */
  if (kind == TRAJ_SECRET_STAFF_PIN)
    {
      if (until)
        gtk_label_set_label (self->pin_message_label, _("Too many wrong PINs. Please wait before trying again."));
      else if (self->pin_locked_until)
        gtk_label_set_label (self->pin_message_label, "");
      self->pin_locked_until = until;
    }
  else
    {
      if (until)
        gtk_label_set_label (self->message_label,
                             _("Too many tries that did not match. Please wait, or ask a member of staff."));
      else if (self->code_locked_until)
        gtk_label_set_label (self->message_label, "");
      self->code_locked_until = until;
    }
  update_locks (self);
  if ((self->code_locked_until || self->pin_locked_until) && self->lock_timer == 0)
    self->lock_timer = g_timeout_add_seconds (1, lock_tick, self);
}

/* Wrong PINs and codes count per device (traj-secret.h): this
 * installation's id, made once at random and kept in its settings, never
 * typed. A store set up as a kiosk already keeps its own. */
void
kiosk_secrets_set_device (TrajKioskWindow *self)
{
  g_autofree char *id = NULL;

  if (traj_store_get_device_is_kiosk (self->store))
    return;
  if (self->settings)
    {
      id = g_settings_get_string (self->settings, "device-id");
      if (*id == '\0')
        {
          g_free (id);
          id = g_uuid_string_random ();
          g_settings_set_string (self->settings, "device-id", id);
        }
    }
  traj_store_set_device (self->store, id, TRUE);
  self->made_kiosk = TRUE;
}

void
kiosk_secrets_refresh (TrajKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  gint64 code_until, pin_until;

  if (!traj_store_has_staff_pin (self->store, &self->has_pin, &error))
    {
      /* Unknown is not "none": the kiosk stays locked. */
      g_message ("Could not read the clinic's staff PIN: %s", error->message);
      self->pin_seen = TRUE;
      return;
    }
  if (self->has_pin)
    self->pin_seen = TRUE;
  code_until = traj_store_secret_locked_until (self->store, TRAJ_SECRET_CHECKIN, NULL);
  pin_until = traj_store_secret_locked_until (self->store, TRAJ_SECRET_STAFF_PIN, NULL);
  set_lock (self, TRAJ_SECRET_CHECKIN, MAX (code_until, 0));
  set_lock (self, TRAJ_SECRET_STAFF_PIN, MAX (pin_until, 0));
}

/* ---- checks in a thread ----------------------------------------------------------------- */

typedef struct {
  char *secret;
  char *salt;
} DeriveJob;

static void
derive_job_free (DeriveJob *job)
{
  traj_secret_free (job->secret);
  g_free (job->salt);
  g_free (job);
}

static void
derive_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  DeriveJob *job = data;
  GError *error = NULL;
  char *hash = traj_secret_derive (job->secret, job->salt, &error);

  if (hash)
    g_task_return_pointer (task, hash, g_free);
  else
    g_task_return_error (task, error);
}

static void
set_checking (TrajKioskWindow *self, gboolean checking)
{
  if (!checking)
    g_clear_object (&self->checking);
  update_locks (self);
}

static void
start_check (TrajKioskWindow     *self,
             const char          *secret,
             const char          *salt,
             GAsyncReadyCallback  done)
{
  g_autoptr(GTask) task = NULL;
  DeriveJob *job = g_new0 (DeriveJob, 1);

  job->secret = g_strdup (secret);
  job->salt = g_strdup (salt);
  if (self->checking)
    g_cancellable_cancel (self->checking);
  g_clear_object (&self->checking);
  self->checking = g_cancellable_new ();
  task = g_task_new (self, self->checking, done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) derive_job_free);
  g_task_run_in_thread (task, derive_in_thread);
  set_checking (self, TRUE);
}

/* The hash of a finished check, or NULL when the check was given up (the
 * session ended, the window closed) or failed (@error set). */
static char *
finish_check (TrajKioskWindow *self, GAsyncResult *result, GError **error)
{
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  char *hash = g_task_propagate_pointer (G_TASK (result), error);

  if (g_cancellable_is_cancelled (cancellable) || self->stack == NULL)
    {
      g_clear_error (error);
      g_free (hash);
      return NULL;
    }
  set_checking (self, FALSE);
  return hash;
}

/* ---- the check-in code ---------------------------------------------------------------------- */

static void
set_code_message (TrajKioskWindow *self, const char *message)
{
  gtk_label_set_label (self->message_label, message ? message : "");
}

static void
redeemed (TrajKioskWindow *self, TrajKioskCheckin *checkin, gint64 locked_until, const GError *error)
{
  wipe (self->code);
  wipe (self->birth);
  update_code_label (self);
  if (checkin)
    {
      set_code_message (self, NULL);
      kiosk_begin_session (self, checkin->id, checkin->patient_id, checkin->scales);
      return;
    }
  kiosk_show_screen (self, "checkin");
  if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT))
    set_lock (self, TRAJ_SECRET_CHECKIN, locked_until);
  /* The store's messages for people: "not right", "expired", "already used". */
  else if (error->domain == TRAJ_ERROR &&
           (error->code == TRAJ_ERROR_WRONG_SECRET || error->code == TRAJ_ERROR_INVALID))
    set_code_message (self, error->message);
  else
    {
      g_warning ("Check-in failed: %s", error->message);
      set_code_message (self, _("Something went wrong. Please ask a member of staff."));
    }
}

static void
on_code_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  TrajKioskWindow *self = TRAJ_KIOSK_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = finish_check (self, result, &error);
  g_autoptr(TrajKioskCheckin) checkin = NULL;
  gint64 until = 0;

  if (hash == NULL && error == NULL)
    return;
  if (hash)
    checkin = traj_store_redeem_checkin_hash (self->store, hash, &until, &error);
  redeemed (self, checkin, until, error);
}

static void
redeem (TrajKioskWindow *self, gint32 birth_day)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *salt = NULL;
  g_auto(TrajSecretString) secret = NULL;
  gint64 until = traj_store_secret_locked_until (self->store, TRAJ_SECRET_CHECKIN, &error);

  if (until > 0)
    {
      wipe (self->code);
      wipe (self->birth);
      update_code_label (self);
      kiosk_show_screen (self, "checkin");
      set_lock (self, TRAJ_SECRET_CHECKIN, until);
      return;
    }
  if (until == 0)
    salt = traj_store_get_checkin_salt (self->store, &error);
  if (error)
    {
      redeemed (self, NULL, 0, error);
      return;
    }
  if (salt == NULL)
    {
      /* No code was ever made here: this one is wrong, and counts. */
      g_autoptr(TrajKioskCheckin) none = traj_store_redeem_checkin_hash (self->store, "", &until, &error);
      redeemed (self, none, until, error);
      return;
    }
  secret = traj_store_checkin_secret (self->code->str, birth_day);
  gtk_label_set_label (g_str_equal (gtk_stack_get_visible_child_name (self->stack), "birth") ? self->birth_message_label
                                                                                           : self->message_label,
                       _("Checking…"));
  start_check (self, secret, salt, on_code_checked);
}

static void
code_typed (TrajKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  gboolean asked = TRUE;

  if (!traj_store_get_checkin_birth_date (self->store, &asked, &error))
    {
      redeemed (self, NULL, 0, error);
      return;
    }
  if (!asked)
    {
      redeem (self, TRAJ_DAY_NONE);
      return;
    }
  /* The code is not checked yet: a wrong code and a wrong birth date say
   * the same, so neither can be guessed apart. */
  wipe (self->birth);
  gtk_toggle_button_set_active (self->birth_show_button, FALSE);
  update_birth_label (self);
  gtk_label_set_label (self->birth_message_label, "");
  kiosk_show_screen (self, "birth");
}

static void
press_code_key (TrajKioskWindow *self, char key)
{
  if (self->code_locked_until || self->checking)
    return;
  if (key == 'C')
    wipe (self->code);
  else if (key == 'B')
    drop_last (self->code);
  else if (g_ascii_isdigit (key) && self->code->len < CODE_LENGTH)
    {
      if (self->code->len == 0)
        set_code_message (self, NULL);
      g_string_append_c (self->code, key);
    }
  update_code_label (self);
  if (self->code->len == CODE_LENGTH)
    code_typed (self);
}

static void
press_birth_key (TrajKioskWindow *self, char key)
{
  gint32 day;

  if (self->checking)
    return;
  if (key == 'C')
    wipe (self->birth);
  else if (key == 'B')
    drop_last (self->birth);
  else if (g_ascii_isdigit (key) && self->birth->len < BIRTH_LENGTH)
    {
      if (self->birth->len == 0)
        gtk_label_set_label (self->birth_message_label, "");
      g_string_append_c (self->birth, key);
    }
  update_birth_label (self);
  if (self->birth->len < BIRTH_LENGTH)
    return;
  day = typed_birth_day (self);
  if (day == TRAJ_DAY_NONE)
    {
      wipe (self->birth);
      update_birth_label (self);
      gtk_label_set_label (self->birth_message_label, _("That is not a date of birth. Please check it and type it again."));
      return;
    }
  redeem (self, day);
}

static void
on_birth_back_clicked (TrajKioskWindow *self)
{
  if (self->checking)
    return;
  wipe (self->code);
  wipe (self->birth);
  update_code_label (self);
  set_code_message (self, NULL);
  kiosk_show_screen (self, "checkin");
}

/* ---- the staff PIN ------------------------------------------------------------------------ */

/* The PIN is typed on the kiosk's own keypad, inside the kiosk window: a
 * second window (a PIN dialog) would be a way out of the kiosk, since GTK
 * gives every window its own shortcuts, the Inspector's included. */
void
kiosk_show_staff_page (TrajKioskWindow *self)
{
  const char *screen = gtk_stack_get_visible_child_name (self->stack);

  kiosk_secrets_refresh (self);
  if (!self->has_pin && !self->pin_seen)
    {
      traj_kiosk_window_unlock (self, NULL);
      return;
    }
  if (!g_str_equal (screen, "staff"))
    {
      g_free (self->screen_before_staff);
      self->screen_before_staff = g_strdup (screen);
    }
  g_clear_handle_id (&self->advance_timer, g_source_remove);
  wipe (self->pin);
  update_pin_label (self);
  if (self->pin_locked_until == 0)
    gtk_label_set_label (self->pin_message_label, "");
  kiosk_show_screen (self, "staff");
}

static void
on_pin_cancel_clicked (TrajKioskWindow *self)
{
  const char *back = self->screen_before_staff ? self->screen_before_staff : "checkin";

  if (self->checking)
    g_cancellable_cancel (self->checking);
  set_checking (self, FALSE);
  wipe (self->pin);
  update_pin_label (self);
  gtk_label_set_label (self->pin_message_label, "");
  kiosk_show_screen (self, back);
}

static void
on_pin_checked (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  TrajKioskWindow *self = TRAJ_KIOSK_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = finish_check (self, result, &error);
  gint64 until = 0;

  if (hash == NULL && error == NULL)
    return;
  if (hash && traj_store_verify_staff_pin_hash (self->store, hash, &until, &error))
    {
      kiosk_leave (self);
      return;
    }
  if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT))
    set_lock (self, TRAJ_SECRET_STAFF_PIN, until);
  else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET))
    gtk_label_set_label (self->pin_message_label, _("That PIN is not right. Please try again."));
  else
    {
      g_warning ("The staff PIN could not be checked: %s", error->message);
      gtk_label_set_label (self->pin_message_label, _("The PIN could not be checked. Please try again."));
    }
}

void
kiosk_pin_leave (TrajKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *salt = NULL;
  g_auto(TrajSecretString) pin = NULL;
  gint64 until;

  if (self->pin->len == 0 || self->checking)
    return;
  pin = g_strdup (self->pin->str);
  wipe (self->pin);
  update_pin_label (self);
  until = traj_store_secret_locked_until (self->store, TRAJ_SECRET_STAFF_PIN, &error);
  if (until > 0)
    {
      set_lock (self, TRAJ_SECRET_STAFF_PIN, until);
      return;
    }
  if (until == 0)
    salt = traj_store_get_staff_pin_salt (self->store, &error);
  if (error)
    {
      g_warning ("The staff PIN could not be read: %s", error->message);
      gtk_label_set_label (self->pin_message_label, _("The PIN could not be checked. Please try again."));
      return;
    }
  if (salt == NULL)
    {
      /* The clinic's PIN was removed while the kiosk was up (a restore of an
       * older backup, say): a patient may be holding the tablet, so nobody
       * leaves without a PIN; staff set a new one on a workstation. */
      gtk_label_set_label (self->pin_message_label,
                           _("This clinic has no staff PIN now. Set one on a workstation "
                             "(Preferences → Tablet), then enter it here."));
      return;
    }
  gtk_label_set_label (self->pin_message_label, _("Checking…"));
  start_check (self, pin, salt, on_pin_checked);
}

static void
press_pin_key (TrajKioskWindow *self, char key)
{
  if (self->pin_locked_until || self->checking)
    return;
  if (key == 'C')
    wipe (self->pin);
  else if (key == 'B')
    drop_last (self->pin);
  else if (g_ascii_isdigit (key) && self->pin->len < PIN_MAX_LENGTH)
    {
      if (self->pin->len == 0)
        gtk_label_set_label (self->pin_message_label, "");
      g_string_append_c (self->pin, key);
    }
  update_pin_label (self);
}

/* ---- keys ------------------------------------------------------------------------------- */

void
kiosk_press_key (TrajKioskWindow *self,
                 char             key)
{
  const char *screen = gtk_stack_get_visible_child_name (self->stack);

  kiosk_restart_idle (self);
  if (g_str_equal (screen, "checkin"))
    press_code_key (self, key);
  else if (g_str_equal (screen, "birth"))
    press_birth_key (self, key);
  else if (g_str_equal (screen, "staff"))
    press_pin_key (self, key);
}

static void
on_keypad_key (TrajKeypad      *keypad,
               guint            key,
               TrajKioskWindow *self)
{
  kiosk_press_key (self, (char) key);
}

void
kiosk_secrets_reset (TrajKioskWindow *self)
{
  if (self->checking)
    g_cancellable_cancel (self->checking);
  set_checking (self, FALSE);
  wipe (self->code);
  wipe (self->birth);
  wipe (self->pin);
  gtk_toggle_button_set_active (self->birth_show_button, FALSE);
  update_code_label (self);
  update_birth_label (self);
  update_pin_label (self);
}

void
kiosk_secrets_init (TrajKioskWindow *self)
{
  self->code = g_string_sized_new (CODE_LENGTH + 1);
  self->birth = g_string_sized_new (BIRTH_LENGTH + 1);
  self->pin = g_string_sized_new (PIN_MAX_LENGTH + 1);
  update_code_label (self);
  update_birth_label (self);
  update_pin_label (self);
  g_signal_connect (self->keypad, "key-pressed", G_CALLBACK (on_keypad_key), self);
  g_signal_connect (self->birth_keypad, "key-pressed", G_CALLBACK (on_keypad_key), self);
  g_signal_connect (self->pin_keypad, "key-pressed", G_CALLBACK (on_keypad_key), self);
  g_signal_connect_swapped (self->birth_back_button, "clicked", G_CALLBACK (on_birth_back_clicked), self);
  g_signal_connect_swapped (self->birth_show_button, "toggled", G_CALLBACK (update_birth_label), self);
  g_signal_connect_swapped (self->pin_cancel_button, "clicked", G_CALLBACK (on_pin_cancel_clicked), self);
  g_signal_connect_swapped (self->pin_leave_button, "clicked", G_CALLBACK (kiosk_pin_leave), self);
}

void
kiosk_secrets_dispose (TrajKioskWindow *self)
{
  if (self->checking)
    g_cancellable_cancel (self->checking);
  g_clear_object (&self->checking);
  g_clear_handle_id (&self->lock_timer, g_source_remove);
}

void
kiosk_secrets_finalize (TrajKioskWindow *self)
{
  wipe (self->code);
  wipe (self->birth);
  wipe (self->pin);
  g_string_free (self->code, TRUE);
  g_string_free (self->birth, TRUE);
  g_string_free (self->pin, TRUE);
  g_free (self->screen_before_staff);
}
