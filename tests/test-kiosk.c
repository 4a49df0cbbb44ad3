/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <sqlite3.h>

#include "traj-application.h"
#include "traj-checkin-dialog.h"
#include "traj-checkin-list.h"
#include "traj-keypad.h"
#include "traj-patient-page.h"
#include "traj-kiosk-window.h"
#include "traj-outcomes.h"
#include "traj-score-entry-private.h"
#include "traj-secret.h"
#include "traj-window.h"
#include "traj-test-db.h"
#include "traj-gui.h"

#include "test-wait.h"

#define PIN "731594"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  GSettings *settings;
  gint64 patient_id;
  gint64 course_id;
  TrajKioskWindow *kiosk;
} Fixture;

/* Runs what is pending now (no waiting on timers). */
static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}


static void
set_pin (TrajStore *store, const char *pin)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (traj_store_set_staff_pin (store, NULL, pin, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();

  f->dir = g_dir_make_tmp ("traj-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new (APP_ID);
  set_pin (f->store, PIN);

  p->mrn = g_strdup ("K-1");
  p->name = g_strdup ("Ada Lovelace");
  p->birth_day = traj_day_from_ymd (1985, 12, 10);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  f->patient_id = p->id;
  c->patient_id = p->id;
  c->start_day = traj_day_today () - 3;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  f->course_id = c->id;

  f->kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, f->store, f->settings));
  gtk_window_present (GTK_WINDOW (f->kiosk));
  spin ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  if (f->kiosk)
    {
      traj_kiosk_window_unlock (f->kiosk, PIN);
      gtk_window_destroy (GTK_WINDOW (f->kiosk));
      g_assert_finalize_object (f->kiosk);
    }
  g_object_unref (f->settings);
  g_assert_finalize_object (f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
press (TrajKioskWindow *kiosk, const char *keys)
{
  for (const char *p = keys; *p; p++)
    traj_kiosk_window_press_key (kiosk, *p);
  spin ();
}

/* @day as the kiosk asks for it (the locale's order of day, month, year). */
static char *
birth_digits (gint32 day)
{
  const char *order = traj_kiosk_birth_date_order ();
  GString *s = g_string_new (NULL);
  int y, m, d;

  g_assert_true (traj_day_to_ymd (day, &y, &m, &d));
  for (const char *o = order; *o; o++)
    g_string_append_printf (s, *o == 'y' ? "%04d" : "%02d", *o == 'y' ? y : *o == 'm' ? m : d);
  return g_string_free (s, FALSE);
}

static gboolean
checking (TrajKioskWindow *kiosk)
{
  return g_str_equal (traj_kiosk_window_get_message (kiosk), "Checking…");
}

/* Types @code and the birth date @day on the kiosk's keypads, as a patient
 * does, and waits for the check (a hash in a thread) to be done. */
static void
check_in (TrajKioskWindow *kiosk, const char *code, gint32 day)
{
  g_autofree char *digits = birth_digits (day);

  press (kiosk, code);
  if (g_str_equal (traj_kiosk_window_get_screen (kiosk), "birth"))
    press (kiosk, digits);
  WAIT_UNTIL (!checking (kiosk));
  spin ();
}

#define BIRTH traj_day_from_ymd (1985, 12, 10)

static void
type_code (TrajKioskWindow *kiosk, const char *code)
{
  check_in (kiosk, code, BIRTH);
}

static char *
make_code (Fixture *f, const char *scales)
{
  g_autoptr(GError) error = NULL;
  char *code = traj_store_create_checkin (f->store, f->patient_id, scales, 3600, NULL, &error);
  g_assert_no_error (error);
  return code;
}

static const char *
label_text (TrajKioskWindow *kiosk, const char *name)
{
  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (kiosk), TRAJ_TYPE_KIOSK_WINDOW, name)));
}

static GtkWidget *
child (TrajKioskWindow *kiosk, const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (kiosk), TRAJ_TYPE_KIOSK_WINDOW, name));
}

static TrajScoreEntry *
entry_of (TrajKioskWindow *kiosk)
{
  return TRAJ_SCORE_ENTRY (gtk_widget_get_first_child (child (kiosk, "entry_bin")));
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  /* What a tap does (gtk_widget_activate would wait for an animation). */
  g_signal_emit_by_name (button, "clicked");
}

/* Answers the current question as a patient would and waits for the kiosk
 * to move on by itself. */
static void
answer (TrajKioskWindow *kiosk, guint item, int value)
{
  TrajScoreEntry *entry = entry_of (kiosk);
  GtkWidget *button;

  g_assert_cmpuint (traj_score_entry_get_current_item (entry), ==, item);
  button = traj_score_entry_get_answer_button (entry, item, value);
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  WAIT_UNTIL (g_strcmp0 (traj_kiosk_window_get_screen (kiosk), "question") != 0 ||
              entry_of (kiosk) != entry || traj_score_entry_get_current_item (entry) != item);
}

static void
test_valid_code (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");

  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  /* First name only. */
  g_assert_cmpstr (label_text (f->kiosk, "hello_label"), ==, "Hello, Ada");
  g_assert_null (strstr (label_text (f->kiosk, "intro_label"), "Lovelace"));
}

static void
test_wrong_expired_used (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autofree char *expired = make_code (f, "phq9");
  g_autofree char *wrong = g_strdup_printf ("%06d", (atoi (code) + 1) % 1000000);
  sqlite3 *db;
  g_autofree char *sql = NULL;

  if (g_str_equal (wrong, expired))
    wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;

  type_code (f->kiosk, wrong);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "not right"));

  /* Expire the second code behind the store's back, as time would. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE kiosk_checkin SET expires_at = 1 WHERE id = (SELECT max(id) FROM kiosk_checkin)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  type_code (f->kiosk, expired);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "expired"));

  /* A code that was used (an answer given, then the tablet put away). */
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  click (child (f->kiosk, "start_button"));
  answer (f->kiosk, 0, 1);
  traj_kiosk_window_idle_timeout (f->kiosk);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "already been used"));
}

static void
test_lockout (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = make_code (f, "phq9");
  g_autofree char *wrong = g_strdup_printf ("%06d", (atoi (code) + 500000) % 1000000);
  g_autoptr(TrajStore) other = NULL;
  TrajKioskWindow *tablet;

  for (int k = 0; k < 4; k++)
    {
      type_code (f->kiosk, wrong);
      g_assert_true (gtk_widget_is_sensitive (child (f->kiosk, "keypad")));
    }
  /* The fifth: the keypad waits, with a countdown. */
  type_code (f->kiosk, wrong);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_false (gtk_widget_is_sensitive (child (f->kiosk, "keypad")));
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "Please wait"));
  /* A trial's wrong birth dates were blamed on the code: the tablet cannot
   * tell which of the two did not match. */
  g_assert_true (g_str_has_prefix (traj_kiosk_window_get_message (f->kiosk), "Too many tries that did not match."));
  g_assert_true (g_str_has_prefix (label_text (f->kiosk, "code_wait_label"), "0:"));
  /* Even the right code is not taken meanwhile. */
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");

  /* The same tablet restarted (its own connection, the same installation's
   * device id) waits as well. */
  other = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  tablet = g_object_ref_sink (traj_kiosk_window_new (NULL, other, f->settings));
  g_assert_true (traj_store_get_device_is_kiosk (other));
  g_assert_false (gtk_widget_is_sensitive (child (tablet, "keypad")));
  g_assert_true (g_str_has_prefix (label_text (tablet, "code_wait_label"), "0:"));
  gtk_window_destroy (GTK_WINDOW (tablet));
  g_assert_finalize_object (tablet);
  g_clear_object (&other);

  /* Another tablet does not: one patient cannot hold up the clinic. */
  other = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  traj_store_set_device (other, "another-tablet", TRUE);
  tablet = g_object_ref_sink (traj_kiosk_window_new (NULL, other, f->settings));
  g_assert_true (gtk_widget_is_sensitive (child (tablet, "keypad")));
  g_assert_cmpstr (label_text (tablet, "code_wait_label"), ==, "");
  gtk_window_destroy (GTK_WINDOW (tablet));
  g_assert_finalize_object (tablet);

  /* When the wait is over, the keypad takes codes again. */
  {
    sqlite3 *db;
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE secret_attempt SET locked_until = 0; "
                                   "UPDATE secret_attempt_device SET locked_until = 0", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  traj_kiosk_window_idle_timeout (f->kiosk);
  g_assert_true (gtk_widget_is_sensitive (child (f->kiosk, "keypad")));
  g_assert_cmpstr (traj_kiosk_window_get_message (f->kiosk), ==, "");
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
}

/* A birth date that does not exist is refused before anything is checked. */
static void
test_birth_date_checked (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  const char *order = traj_kiosk_birth_date_order ();
  /* Month 13, day 45: not a date in any order. */
  g_autofree char *bad = g_strdup (order[0] == 'y' ? "20201345" : "13452020");

  press (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "birth");
  press (f->kiosk, bad);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "birth");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "not a date"));
  /* The right one still lets the patient in. */
  {
    g_autofree char *digits = birth_digits (BIRTH);
    press (f->kiosk, digits);
    WAIT_UNTIL (!checking (f->kiosk));
    spin ();
  }
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
}

/* A trial: the birth date showed in clear digits while typed, where
 * someone looking on reads it. It shows as dots, like the code, and Show
 * gives the digits for the patient to check them, until Hide, or until the
 * next time the screen is shown. */
static void
test_birth_date_masked (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autofree char *digits = birth_digits (BIRTH);
  g_autofree char *first = g_strndup (digits, 4);
  GtkWidget *show = child (f->kiosk, "birth_show_button");
  GtkLabel *label = GTK_LABEL (child (f->kiosk, "birth_label"));
  const char *order = traj_kiosk_birth_date_order ();
  gboolean us = g_str_equal (order, "mdy");

  press (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "birth");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (show)), ==, "Show");
  press (f->kiosk, first);
  for (const char *c = gtk_label_get_label (label); *c; c++)
    g_assert_false (g_ascii_isdigit (*c));
  if (us)   /* 10 Dec 1985 as month, day, year: 1210… */
    g_assert_cmpstr (gtk_label_get_label (label), ==, "●● / ●● / ○○○○");

  click (show);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (show)), ==, "Hide");
  if (us)
    g_assert_cmpstr (gtk_label_get_label (label), ==, "12 / 10 / ----");
  press (f->kiosk, "19");
  if (us)
    g_assert_cmpstr (gtk_label_get_label (label), ==, "12 / 10 / 19--");
  g_assert_nonnull (strstr (gtk_label_get_label (label), "19"));
  click (show);
  for (const char *c = gtk_label_get_label (label); *c; c++)
    g_assert_false (g_ascii_isdigit (*c));
  if (us)
    g_assert_cmpstr (gtk_label_get_label (label), ==, "●● / ●● / ●●○○");

  /* Shown, then back to the code and in again: hidden, and empty. */
  click (show);
  click (child (f->kiosk, "birth_back_button"));
  press (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "birth");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (show)));
  if (us)
    g_assert_cmpstr (gtk_label_get_label (label), ==, "○○ / ○○ / ○○○○");
  press (f->kiosk, digits);
  WAIT_UNTIL (!checking (f->kiosk));
  spin ();
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
}

static void wait_frames (GtkWidget *widget, guint n);

static graphene_rect_t
keypad_bounds (Fixture *f, const char *name)
{
  graphene_rect_t r;

  wait_frames (GTK_WIDGET (f->kiosk), 3);
  g_assert_true (gtk_widget_compute_bounds (child (f->kiosk, name), GTK_WIDGET (f->kiosk), &r));
  return r;
}

static void
assert_same_place (graphene_rect_t a, graphene_rect_t b)
{
  g_test_message ("keypad at %.0f,%.0f %.0f×%.0f and %.0f,%.0f %.0f×%.0f", a.origin.x, a.origin.y, a.size.width,
                  a.size.height, b.origin.x, b.origin.y, b.size.width, b.size.height);
  g_assert_cmpfloat_with_epsilon (a.origin.x, b.origin.x, 0.5);
  g_assert_cmpfloat_with_epsilon (a.origin.y, b.origin.y, 0.5);
  g_assert_cmpfloat_with_epsilon (a.size.width, b.size.width, 0.5);
  g_assert_cmpfloat_with_epsilon (a.size.height, b.size.height, 0.5);
}

/* A trial at 800×1280: the keypad jumped 54 px up (and changed width) from
 * the code screen to the birth-date screen, under a finger about to tap.
 * It is at one place on both, with a message shown or not, and with
 * larger text too. */
static void
test_keypad_stays_put (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  const char *order = traj_kiosk_birth_date_order ();
  g_autofree char *bad = g_strdup (order[0] == 'y' ? "20201345" : "13452020");

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* The tablet's screen. GTK keeps a window within the screen, so this
   * runs on its own 800×1280 X screen (the kiosk-tablet test); on the
   * suite's 1280×800 the pages scroll and the check means nothing. */
  gtk_window_set_default_size (GTK_WINDOW (f->kiosk), 800, 1280);
  wait_frames (GTK_WIDGET (f->kiosk), 3);
  if (gtk_widget_get_height (GTK_WIDGET (f->kiosk)) < 1270)
    {
      g_test_skip ("needs an 800×1280 screen: the kiosk-tablet test runs it on one");
      return;
    }
  for (int large = 0; large < 2; large++)
    {
      graphene_rect_t at_code, at_birth;

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (f->kiosk, "large_text_button")), large);
      at_code = keypad_bounds (f, "keypad");
      press (f->kiosk, code);
      g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "birth");
      at_birth = keypad_bounds (f, "birth_keypad");
      assert_same_place (at_code, at_birth);
      press (f->kiosk, bad);
      g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "not a date"));
      assert_same_place (at_code, keypad_bounds (f, "birth_keypad"));
      click (child (f->kiosk, "birth_show_button"));
      assert_same_place (at_code, keypad_bounds (f, "birth_keypad"));
      click (child (f->kiosk, "birth_back_button"));
      g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
      assert_same_place (at_code, keypad_bounds (f, "keypad"));
    }
}

/* The Change button of the review's row @k (from 0). */
static GtkWidget *
find_change_button (TrajKioskWindow *kiosk, guint k)
{
  GtkWidget *w = gtk_widget_get_first_child (child (kiosk, "review_list"));

  for (guint j = 0; j < k && w; j++)
    w = gtk_widget_get_next_sibling (w);
  g_assert_nonnull (w);
  /* The last widget at each depth, down to the button (the row's suffix). */
  while (w && !GTK_IS_BUTTON (w))
    {
      GtkWidget *next = gtk_widget_get_first_child (w);
      while (next && gtk_widget_get_next_sibling (next))
        next = gtk_widget_get_next_sibling (next);
      w = next;
    }
  g_assert_nonnull (w);
  return w;
}

static TrajPatientRecords *
records (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  TrajPatientRecords *r = traj_store_load_patient_records (f->store, f->patient_id, &error);
  g_assert_no_error (error);
  return r;
}

static void
test_phq9_end_to_end (Fixture *f, gconstpointer data)
{
  const int answers[9] = { 2, 1, 3, 0, 1, 2, 1, 0, 0 };   /* total 10 */
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajAssessment *a;
  GtkWidget *change;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  click (child (f->kiosk, "start_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_cmpstr (label_text (f->kiosk, "progress_label"), ==, "1 of 9");

  for (guint k = 0; k < 3; k++)
    answer (f->kiosk, k, answers[k]);
  g_assert_cmpstr (label_text (f->kiosk, "progress_label"), ==, "4 of 9");
  /* Back goes to the previous question with its answer kept. */
  click (child (f->kiosk, "back_button"));
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 2);
  click (child (f->kiosk, "next_button"));
  for (guint k = 3; k < 9; k++)
    answer (f->kiosk, k, answers[k]);
  /* The optional difficulty question, then the review. */
  answer (f->kiosk, 9, 1);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");

  /* Change answer 2 from the review: back to that question, then the review. */
  change = find_change_button (f->kiosk, 1);
  click (change);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  /* A trial: the button said "Next" and went to the review. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f->kiosk, "next_button"))), ==, "Back to Review");
  click (child (f->kiosk, "next_button"));                    /* the answer kept */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  /* A trial: Back on a question opened from Change (the first one here)
   * went to the welcome screen, and Start then showed question 1 saying
   * "Back to Review" with Submit under the next tap. Back goes to the
   * review, and the questions' own order is kept afterwards. */
  click (find_change_button (f->kiosk, 0));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  click (child (f->kiosk, "back_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  click (find_change_button (f->kiosk, 1));
  click (child (f->kiosk, "back_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  click (change = find_change_button (f->kiosk, 1));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f->kiosk, "next_button"))), ==, "Back to Review");
  answer (f->kiosk, 1, 3);                                   /* total 12 */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");

  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "thanks");
  /* Nothing of the patient is left on screen. */
  g_assert_cmpstr (label_text (f->kiosk, "hello_label"), ==, "");
  g_assert_null (gtk_widget_get_first_child (child (f->kiosk, "review_list")));

  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_cmpint (a->source, ==, TRAJ_SOURCE_TABLET);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 12);
  g_assert_cmpint (a->items[0], ==, 2);
  g_assert_cmpint (a->items[1], ==, 3);
  g_assert_cmpint (a->items[2], ==, 3);
  g_assert_cmpint (a->items[8], ==, 0);
  g_assert_cmpint (a->difficulty, ==, 1);
  g_assert_cmpint (a->course_id, ==, f->course_id);
}

static void
test_idle_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajAssessment *a;

  traj_kiosk_window_set_idle_seconds (f->kiosk, 1);
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "gad7");
  click (child (f->kiosk, "start_button"));
  answer (f->kiosk, 0, 2);
  answer (f->kiosk, 1, 1);
  /* No touch for the idle time: back to check-in, nothing left on screen. */
  WAIT_UNTIL (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "checkin"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_cmpstr (label_text (f->kiosk, "hello_label"), ==, "");
  g_assert_null (gtk_widget_get_first_child (child (f->kiosk, "entry_bin")));

  /* The unfinished questionnaire is kept as a draft, never scored. */
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_false (a->complete);
  g_assert_cmpint (a->total, ==, -1);
  g_assert_cmpint (a->items[0], ==, 2);
  g_assert_cmpint (a->items[1], ==, 1);
  g_assert_cmpint (a->items[2], ==, -1);
}

/* Issue 12: a PHQ-9 answered to the end (the optional difficulty question
 * too) but never submitted is a draft: kept, never complete, never scored. */
static guint
n_assessments (Fixture *f)
{
  g_autoptr(TrajPatientRecords) r = records (f);

  return r->assessments->len;
}

/* Found by an attack run: a tablet stopped by a shutdown or its session
 * (SIGTERM) mid-questionnaire kept nothing, a PHQ-9 item 9 answer included.
 * Now the answers are kept as a draft, and item 9 reaches a clinician. */
static void
test_terminate_keeps_draft (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajAssessment *a;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 8; k++)
    answer (f->kiosk, k, 0);
  answer (f->kiosk, 8, 2);
  g_assert_cmpint (kill (getpid (), SIGTERM), ==, 0);
  WAIT_UNTIL (n_assessments (f) == 1);
  r = records (f);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_false (a->complete);
  g_assert_cmpint (a->total, ==, -1);
  g_assert_cmpint (a->items[8], ==, 2);
  g_assert_cmpint (traj_scale_safety_answer (a->scale, a->items), ==, 2);
}

/* The tablet's program, as a separate process for /kiosk/kill-keeps-answers:
 * checks in with @code on the clinic file @path as the tablet @device,
 * answers the PHQ-9's first @n questions (1, 2, 3, 0, 1, …), says so on
 * stdout and waits to be killed. */
#define KILLED_DEVICE "waiting-room-tablet"
#define IN_USE "That code is in use on another screen. If that screen was closed, please try again in two " \
  "minutes, or ask a member of staff."
#define LOST "This check-in carried on on another screen, so nothing more is saved here. Please ask a member " \
  "of staff."

/* The last sign of the program holding @path's check-ins set to @ago
 * seconds back, as time passing with no sign would leave it. */
static void
set_held_ago (const char *path, gint64 ago)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE kiosk_checkin SET held_at = %" G_GINT64_FORMAT
                                          " WHERE held_at IS NOT NULL", traj_time_now () - ago);

  g_assert_true (traj_test_exec (path, sql, &error));
  g_assert_no_error (error);
}

/* A tablet program of its own (another process) on the clinic file @path
 * as KILLED_DEVICE, checked in with @code and started. */
static TrajKioskWindow *
tablet_program (const char *path, const char *code, TrajStore **store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajKioskWindow *kiosk;

  *store = traj_store_open (path, &error);
  g_assert_no_error (error);
  traj_store_set_device (*store, KILLED_DEVICE, TRUE);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, *store, settings));
  gtk_window_present (GTK_WINDOW (kiosk));
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "welcome");
  click (child (kiosk, "start_button"));
  return kiosk;
}

static int
answer_then_wait (const char *path, const char *code, guint n)
{
  TrajStore *store;
  TrajKioskWindow *kiosk = tablet_program (path, code, &store);

  for (guint k = 0; k < n; k++)
    answer (kiosk, k, (int) ((k + 1) % 4));
  g_print ("answered\n");
  fflush (stdout);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

/* Found by an attack run: kill -9 of the tablet's program mid-questionnaire
 * (or a crash, or the power going) lost every answer given so far, an item
 * 9 answer included. Now each answer is saved as it is given; the same code
 * on the same tablet carries on with them, and a clinician sees them at
 * once. A real process is killed here. */
static void
test_kill_keeps_answers (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) tablet = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajAssessment *a;
  TrajScoreEntry *entry;
  int values[TRAJ_MAX_ITEMS];
  TrajStore *store;
  TrajKioskWindow *kiosk;

  tablet = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/proc/self/exe",
                             "--answer-then-wait", f->path, code, "9", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tablet));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "answered");
  g_subprocess_force_exit (tablet);            /* SIGKILL */
  g_assert_true (g_subprocess_wait (tablet, NULL, &error));
  g_assert_true (g_subprocess_get_if_signaled (tablet));
  g_assert_cmpint (g_subprocess_get_term_sig (tablet), ==, SIGKILL);

  /* A clinician sees the nine answers as a draft, item 9 (answered 1)
   * raising the safety finding. */
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_false (a->complete);
  g_assert_cmpint (a->source, ==, TRAJ_SOURCE_TABLET);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (a->items[k], ==, (int) ((k + 1) % 4));
  g_assert_cmpint (traj_scale_safety_answer (a->scale, a->items), ==, 1);

  /* The tablet restarted at once: for two minutes the session stays the
   * killed program's (it might only be frozen: /kiosk/second-kiosk-process). */
  store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  traj_store_set_device (store, KILLED_DEVICE, TRUE);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, store, f->settings));
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==, IN_USE);
  /* Half an hour with no sign: the session is over, not open until the
   * code expires (a trial: anyone with the slip could read the answers). */
  set_held_ago (f->path, TRAJ_KIOSK_RESUME_SECONDS + 60);
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==,
                   "That code has already been used. Please ask a member of staff for a new one.");

  /* Two minutes on: the same code carries on where the patient was (the
   * optional question after the nine), nothing asked twice. */
  set_held_ago (f->path, TRAJ_KIOSK_LEASE_SECONDS + 10);
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (child (kiosk, "not_you_button")));
  click (child (kiosk, "start_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "question");
  entry = entry_of (kiosk);
  g_assert_cmpuint (traj_score_entry_get_current_item (entry), ==, 9);
  traj_score_entry_get_values (entry, values);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (values[k], ==, (int) ((k + 1) % 4));
  answer (kiosk, 9, 0);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "review");
  click (child (kiosk, "submit_button"));

  /* One questionnaire, now complete: 1+2+3+0+1+2+3+0+1 = 13. */
  g_clear_pointer (&r, traj_patient_records_free);
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 13);
  g_assert_cmpint (a->difficulty, ==, 0);

  /* Submitted, the session is over: the code is spent for good. */
  traj_kiosk_window_unlock (kiosk, PIN);
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_assert_finalize_object (kiosk);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, store, f->settings));
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==,
                   "That code has already been used. Please ask a member of staff for a new one.");
  traj_kiosk_window_unlock (kiosk, PIN);
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_assert_finalize_object (kiosk);
  g_assert_finalize_object (store);
}

/* The first tablet program of /kiosk/second-kiosk-process: checks in with
 * @code on @path as KILLED_DEVICE, answers the PHQ-9's nine questions (1,
 * 2, 3, 0, 1, 2, 3, 0, 1: item 9 brings the safety message, then
 * Continue), says "answered", and at a line on stdin answers the optional
 * question; then prints the screen it is on and its message. */
static int
first_kiosk (const char *path, const char *code)
{
  g_autoptr(GError) error = NULL;
  GIOChannel *in = g_io_channel_unix_new (0);
  g_autofree char *line = NULL;
  TrajStore *store;
  TrajKioskWindow *kiosk = tablet_program (path, code, &store);

  for (guint k = 0; k < 9; k++)
    answer (kiosk, k, (int) ((k + 1) % 4));
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "safety");
  click (child (kiosk, "safety_done_button"));
  g_print ("answered\n");
  fflush (stdout);
  g_assert_cmpint (g_io_channel_read_line (in, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "answer\n");
  g_io_channel_unref (in);
  g_signal_emit_by_name (traj_score_entry_get_answer_button (entry_of (kiosk), 9, 2), "clicked");
  /* Saving that answer finds the session gone. */
  WAIT_UNTIL (g_str_equal (traj_kiosk_window_get_screen (kiosk), "checkin"));
  g_print ("%s|%s\n", traj_kiosk_window_get_screen (kiosk), traj_kiosk_window_get_message (kiosk));
  fflush (stdout);
  traj_kiosk_window_unlock (kiosk, PIN);
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_object_unref (kiosk);
  g_object_unref (store);
  return 0;
}

/* Found by a trial: a second kiosk program on the same clinic file and
 * device id (a relaunch while the first one hangs) took up the first one's
 * live session, showed its answers, and both wrote the same questionnaire,
 * the last one winning, a submitted one included. Two real processes: the
 * second is told the code is in use while the first holds the session;
 * when the first stops answering (frozen here) for over two minutes the
 * patient carries on on the second; the first, woken, saves nothing and
 * leaves the patient's screen. */
static void
test_second_kiosk_process (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL, *verdict = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajAssessment *a;
  TrajStore *store;
  TrajKioskWindow *kiosk;
  int values[TRAJ_MAX_ITEMS];

  first = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                            "/proc/self/exe", "--first-kiosk", f->path, code, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (first));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "answered");

  /* The second program, same device: the session is the first one's. */
  store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  traj_store_set_device (store, KILLED_DEVICE, TRUE);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, store, f->settings));
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==, IN_USE);
  g_assert_cmpstr (label_text (kiosk, "hello_label"), ==, "");

  /* The first one freezes; over two minutes later the patient carries on
   * on the second, at the optional question, and submits. */
  g_assert_cmpint (kill (atoi (g_subprocess_get_identifier (first)), SIGSTOP), ==, 0);
  set_held_ago (f->path, TRAJ_KIOSK_LEASE_SECONDS + 10);
  type_code (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "welcome");
  click (child (kiosk, "start_button"));
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (kiosk)), ==, 9);
  traj_score_entry_get_values (entry_of (kiosk), values);
  g_assert_cmpint (values[8], ==, 1);
  answer (kiosk, 9, 0);
  click (child (kiosk, "submit_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "safety");

  /* The first one wakes and the patient's answer there is not saved: it
   * says so and goes back to check-in. */
  g_assert_cmpint (kill (atoi (g_subprocess_get_identifier (first)), SIGCONT), ==, 0);
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (first), "answer\n", 7, NULL, NULL, &error));
  g_assert_no_error (error);
  verdict = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verdict, ==, "checkin|" LOST);
  g_assert_true (g_subprocess_wait_check (first, NULL, &error));
  g_assert_no_error (error);

  /* One questionnaire, as the second one submitted it: 1+2+3+0+1+2+3+0+1
   * = 13, difficulty 0 (the first one's 2 never landed). */
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 13);
  g_assert_cmpint (a->difficulty, ==, 0);

  click (child (kiosk, "safety_done_button"));
  traj_kiosk_window_unlock (kiosk, PIN);
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_assert_finalize_object (kiosk);
  g_assert_finalize_object (store);
}

/* The rules behind it, in the store: who may redeem, write, end and give
 * back a session held by another program, and that a submitted
 * questionnaire is never amended by a kiosk. */
static void
test_lease_store (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) one = traj_store_open (f->path, &error);
  g_autoptr(TrajStore) two = traj_store_open (f->path, &error);
  g_autoptr(TrajKioskCheckin) c1 = NULL;
  g_autoptr(TrajKioskCheckin) c2 = NULL;
  g_autoptr(TrajKioskCheckin) c3 = NULL;
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajAssessment) back = NULL;

  g_assert_no_error (error);
  traj_store_set_device (one, KILLED_DEVICE, TRUE);
  traj_store_set_device (two, KILLED_DEVICE, TRUE);
  c1 = traj_store_redeem_checkin (one, code, BIRTH, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_hold_checkin (one, c1->id, &error));
  g_assert_no_error (error);
  g_assert_null (traj_store_redeem_checkin (two, code, BIRTH, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, IN_USE);
  g_clear_error (&error);

  a->patient_id = f->patient_id;
  a->taken_at = traj_time_now ();
  a->source = TRAJ_SOURCE_TABLET;
  a->timing = TRAJ_TIMING_BETWEEN;
  a->draft = TRUE;
  a->items[0] = 2;
  g_assert_true (traj_store_insert_assessment (one, a, &error));
  g_assert_no_error (error);

  /* Taken up by the second: the first writes, holds, ends and gives back
   * nothing any more. */
  set_held_ago (f->path, TRAJ_KIOSK_LEASE_SECONDS + 1);
  c2 = traj_store_redeem_checkin (two, code, BIRTH, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (traj_store_hold_checkin (one, c1->id, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  a->items[1] = 3;
  g_assert_false (traj_store_update_assessment (one, a, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_false (traj_store_release_checkin (one, c1->id, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (traj_store_end_checkin (one, c1->id, &error));
  g_assert_cmpint (traj_test_query_int (f->path, "SELECT count(*) FROM kiosk_checkin WHERE ended_at IS NULL "
                                                 "AND used_at IS NOT NULL"), ==, 1);
  back = traj_store_get_assessment (f->store, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->items[1], ==, -1);
  g_assert_false (back->deleted_at);

  /* The second submits; not even it amends the submitted questionnaire. */
  for (guint k = 0; k < 9; k++)
    a->items[k] = 1;
  a->draft = FALSE;
  g_assert_true (traj_store_update_assessment (two, a, &error));
  g_assert_no_error (error);
  a->items[8] = 0;
  g_assert_false (traj_store_update_assessment (two, a, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  g_clear_pointer (&back, traj_assessment_free);
  back = traj_store_get_assessment (f->store, a->id, &error);
  g_assert_true (back->complete);
  g_assert_cmpint (back->items[8], ==, 1);

  /* Ended by its holder: nobody takes it up again. */
  g_assert_true (traj_store_end_checkin (two, c2->id, &error));
  set_held_ago (f->path, TRAJ_KIOSK_LEASE_SECONDS + 1);
  c3 = traj_store_redeem_checkin (one, code, BIRTH, NULL, &error);
  g_assert_null (c3);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "already been used"));
}

/* A trial exported the report while the patient was on the tablet's review
 * screen: the report called the PHQ-9 "Interrupted on the tablet". While a
 * tablet holds the session its drafts are in progress; once the tablet went
 * silent past the lease, or the session ended, they were interrupted. */
static void
assert_draft_note (Fixture *f, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (f->store, f->patient_id, &error);

  g_assert_no_error (error);
  g_assert_true (traj_store_note_tablet_in_progress (f->store, r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  g_assert_cmpstr (((TrajAssessment *) g_ptr_array_index (r->assessments, 0))->notes, ==, expected);
}

static void
test_draft_in_progress (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) tablet = traj_store_open (f->path, &error);
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);

  g_assert_no_error (error);
  traj_store_set_device (tablet, KILLED_DEVICE, TRUE);
  c = traj_store_redeem_checkin (tablet, code, BIRTH, NULL, &error);
  g_assert_no_error (error);
  a->patient_id = f->patient_id;
  a->taken_at = traj_time_now ();
  a->source = TRAJ_SOURCE_TABLET;
  a->timing = TRAJ_TIMING_BETWEEN;
  a->draft = TRUE;
  for (guint k = 0; k < 9; k++)
    a->items[k] = 0;
  a->notes = g_strdup ("Interrupted on the tablet before it was submitted.");
  g_assert_true (traj_store_insert_assessment (tablet, a, &error));
  g_assert_no_error (error);

  assert_draft_note (f, "In progress on the tablet: not submitted yet.");
  /* The tablet killed, silent past the lease: interrupted. */
  set_held_ago (f->path, TRAJ_KIOSK_LEASE_SECONDS + 1);
  assert_draft_note (f, "Interrupted on the tablet before it was submitted.");
  /* Held again, then put away (idle): interrupted. */
  set_held_ago (f->path, 0);
  assert_draft_note (f, "In progress on the tablet: not submitted yet.");
  g_assert_true (traj_store_end_checkin (tablet, c->id, &error));
  g_assert_no_error (error);
  assert_draft_note (f, "Interrupted on the tablet before it was submitted.");
}

/* Another tablet cannot take up a session cut off elsewhere: for it the
 * code is used, as before. */
static void
test_killed_session_other_tablet (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(GError) error = NULL;
  TrajStore *store;
  TrajKioskWindow *kiosk;

  store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  traj_store_set_device (store, KILLED_DEVICE, TRUE);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, store, f->settings));
  type_code (kiosk, code);
  click (child (kiosk, "start_button"));
  answer (kiosk, 0, 2);
  /* Dropped without ending, as a killed tablet leaves it. */
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_assert_finalize_object (kiosk);
  g_assert_finalize_object (store);

  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (f->kiosk), ==,
                   "That code has already been used. Please ask a member of staff for a new one.");
}

static void
test_unsubmitted_is_draft (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajAssessment *a;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 9; k++)
    answer (f->kiosk, k, 0);
  answer (f->kiosk, 9, 0);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  /* The patient walks away at the review. */
  traj_kiosk_window_idle_timeout (f->kiosk);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");

  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_false (a->complete);
  g_assert_cmpint (a->total, ==, -1);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (a->items[k], ==, 0);
  g_assert_cmpint (a->difficulty, ==, 0);
}

/* A complete PHQ-9 already recorded in the same minute (staff typed one in
 * meanwhile): the store refuses the tablet's as a probable duplicate. The
 * patient's answers are kept as a draft with a note for staff, the patient
 * is told kindly that staff will look at them, and an item 9 answer still
 * raises the safety finding. */
static void
test_duplicate_kept (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajAssessment) staff = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  const TrajAssessment *tablet = NULL;
  TrajThresholds t;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9,gad7");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 9; k++)
    answer (f->kiosk, k, k == 8 ? 1 : 2);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  click (child (f->kiosk, "safety_done_button"));
  click (child (f->kiosk, "next_button"));                    /* skip difficulty */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");

  /* Not at the end of a minute: the two must share it. */
  while (g_get_real_time () / G_USEC_PER_SEC % 60 > 50)
    g_usleep (100000);
  staff->patient_id = f->patient_id;
  staff->course_id = f->course_id;
  staff->taken_at = traj_time_now ();
  staff->source = TRAJ_SOURCE_CLINICIAN;
  for (guint k = 0; k < 9; k++)
    staff->items[k] = 1;
  g_assert_true (traj_store_insert_assessment (f->store, staff, &error));
  g_assert_no_error (error);

  click (child (f->kiosk, "submit_button"));
  /* On to the next questionnaire, as after any submission. */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_cmpstr (label_text (f->kiosk, "scale_label"), !=, "");

  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 2);
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      if (a->source == TRAJ_SOURCE_TABLET)
        tablet = a;
    }
  g_assert_nonnull (tablet);
  g_assert_false (tablet->complete);
  g_assert_cmpint (tablet->items[0], ==, 2);
  g_assert_cmpint (tablet->items[8], ==, 1);
  g_assert_nonnull (strstr (tablet->notes, "same minute"));
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_now ());
  g_assert_true (traj_outcomes_has_open_safety (o));

  /* The GAD-7, submitted: the patient hears that staff will look at the
   * answers, with the calm safety screen since item 9 was answered. */
  for (guint k = 0; k < 7; k++)
    answer (f->kiosk, k, 0);
  if (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"))
    click (child (f->kiosk, "next_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
}

/* Without item 9, the thank-you screen says staff will look at the answers. */
static void
test_duplicate_thanks (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajAssessment) staff = traj_assessment_new (TRAJ_SCALE_GAD7);
  g_autoptr(GError) error = NULL;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "gad7");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 7; k++)
    answer (f->kiosk, k, 1);
  if (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"))
    click (child (f->kiosk, "next_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  while (g_get_real_time () / G_USEC_PER_SEC % 60 > 50)
    g_usleep (100000);
  staff->patient_id = f->patient_id;
  staff->taken_at = traj_time_now ();
  for (guint k = 0; k < 7; k++)
    staff->items[k] = 1;
  g_assert_true (traj_store_insert_assessment (f->store, staff, &error));
  g_assert_no_error (error);

  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "thanks");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (child (f->kiosk, "thanks_page"))),
                            "look over them with you"));
}

/* Issue 13 §3: after Start the keyboard focus is on the first answer. */
static void
test_focus_after_start (Fixture *f, gconstpointer data)
{
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (f->kiosk)) ==
                 traj_score_entry_get_answer_button (entry_of (f->kiosk), 0, 0));
}

/* Issue 13 §3: Back on the first question of the second questionnaire goes
 * to the welcome screen; Start comes back to that questionnaire (the first
 * one, submitted, is not asked again) with its answers kept. */
static void
test_back_second_questionnaire (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) r = NULL;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "gad7,phq9");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 7; k++)
    answer (f->kiosk, k, 0);
  if (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"))
    click (child (f->kiosk, "next_button"));
  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (label_text (f->kiosk, "scale_label"), ==, "Questionnaire 2 of 2");
  answer (f->kiosk, 0, 2);
  click (child (f->kiosk, "back_button"));
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 0);
  click (child (f->kiosk, "back_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  /* Nothing submitted can be taken back by "Not you?". */
  g_assert_false (gtk_widget_get_visible (child (f->kiosk, "not_you_button")));
  click (child (f->kiosk, "start_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_cmpstr (label_text (f->kiosk, "scale_label"), ==, "Questionnaire 2 of 2");
  g_assert_cmpint (traj_score_entry_get_scale (entry_of (f->kiosk)), ==, TRAJ_SCALE_PHQ9);
  {
    int values[TRAJ_MAX_ITEMS];
    traj_score_entry_get_values (entry_of (f->kiosk), values);
    g_assert_cmpint (values[0], ==, 2);
  }
  /* The first, submitted; the second's answer kept as a draft as it was
   * given (saved answer by answer), and still one draft, not two. */
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 2);
  g_assert_cmpuint (((TrajAssessment *) g_ptr_array_index (r->assessments, 0))->complete +
                    ((TrajAssessment *) g_ptr_array_index (r->assessments, 1))->complete, ==, 1);
}

/* Issue 13 §3: the PHQ-9 difficulty question is not one of the "n of 9",
 * is marked optional, and is shown without the scale's instruction. */
static void
test_difficulty_optional (Fixture *f, gconstpointer data)
{
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  g_assert_cmpstr (label_text (f->kiosk, "progress_label"), ==, "1 of 9");
  for (guint k = 0; k < 8; k++)
    answer (f->kiosk, k, 0);
  g_assert_cmpstr (label_text (f->kiosk, "progress_label"), ==, "9 of 9");
  answer (f->kiosk, 8, 0);
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 9);
  g_assert_cmpstr (label_text (f->kiosk, "progress_label"), ==, "Optional question");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (entry_of (f->kiosk)),
                                                                                    TRAJ_TYPE_SCORE_ENTRY,
                                                                                    "instruction_label"))));
  click (child (f->kiosk, "back_button"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (entry_of (f->kiosk)),
                                                                                   TRAJ_TYPE_SCORE_ENTRY,
                                                                                   "instruction_label"))));
}

/* Issue 13 §3: "Are you still there?" before the idle reset; Continue keeps
 * the session, and without it the session is put away. */
static void
test_still_there (Fixture *f, gconstpointer data)
{
  traj_kiosk_window_set_idle_seconds (f->kiosk, 4);
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  answer (f->kiosk, 0, 1);
  g_assert_false (gtk_widget_get_visible (child (f->kiosk, "still_there")));
  WAIT_UNTIL (gtk_widget_get_visible (child (f->kiosk, "still_there")));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_nonnull (strstr (label_text (f->kiosk, "still_there_label"), "second"));
  click (child (f->kiosk, "still_there_button"));
  g_assert_false (gtk_widget_get_visible (child (f->kiosk, "still_there")));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 1);

  /* No answer this time: the session is put away, the answer kept as a draft. */
  WAIT_UNTIL (gtk_widget_get_visible (child (f->kiosk, "still_there")));
  WAIT_UNTIL (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "checkin"));
  g_assert_false (gtk_widget_get_visible (child (f->kiosk, "still_there")));
  {
    g_autoptr(TrajPatientRecords) r = records (f);
    g_assert_cmpuint (r->assessments->len, ==, 1);
  }
}

/* Issue 13 §3: "Not you?" on the welcome screen ends the session without
 * using the code: nothing is saved, and the code still works. */
static void
test_not_you (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GError) error = NULL;

  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  g_assert_true (gtk_widget_get_visible (child (f->kiosk, "not_you_button")));
  click (child (f->kiosk, "not_you_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_cmpstr (label_text (f->kiosk, "hello_label"), ==, "");
  open = traj_store_list_open_checkins (f->store, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 0);

  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");

  /* Answers are saved as they are given; someone who answered, went back
   * and tapped "Not you?" leaves none of them in the patient's record. */
  click (child (f->kiosk, "start_button"));
  answer (f->kiosk, 0, 3);
  g_clear_pointer (&r, traj_patient_records_free);
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  click (child (f->kiosk, "back_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  click (child (f->kiosk, "back_button"));
  click (child (f->kiosk, "not_you_button"));
  g_clear_pointer (&r, traj_patient_records_free);
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 0);
  g_clear_pointer (&open, g_ptr_array_unref);
  open = traj_store_list_open_checkins (f->store, f->patient_id, &error);
  g_assert_cmpuint (open->len, ==, 1);
}

/* Found by a trial: a patient answered item 9 above 0, went back to the
 * welcome screen and tapped "Not you?"; the draft was removed with its
 * answer, and the safety finding with it. A safety answer stays in the
 * record (CLINICAL.md §4): "Not you?" is no longer offered, and the store
 * refuses to give the code back with it. */
static void
test_not_you_keeps_safety_answer (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GError) error = NULL;
  TrajThresholds t;
  gint64 checkin_id;

  type_code (f->kiosk, code);
  g_assert_true (gtk_widget_get_visible (child (f->kiosk, "not_you_button")));
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 8; k++)
    answer (f->kiosk, k, 0);
  answer (f->kiosk, 8, 2);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  click (child (f->kiosk, "safety_done_button"));
  /* Back, all the way to the welcome screen. */
  for (guint k = 0; k < 20 && !g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "welcome"); k++)
    click (child (f->kiosk, "back_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  g_assert_false (gtk_widget_get_visible (child (f->kiosk, "not_you_button")));

  /* The store refuses too, whoever asks, and changes nothing. */
  open = traj_store_list_open_checkins (f->store, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 0);
  checkin_id = traj_test_query_int (f->path, "SELECT max(id) FROM kiosk_checkin WHERE used_at IS NOT NULL");
  g_assert_cmpint (checkin_id, >, 0);
  g_assert_false (traj_store_release_checkin (f->store, checkin_id, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "These answers include one that a member of staff needs to see, so they "
                                       "are kept. Please ask a member of staff.");
  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  g_assert_cmpint (((TrajAssessment *) r->assessments->pdata[0])->items[8], ==, 2);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_now ());
  g_assert_true (traj_outcomes_has_open_safety (o));
}

/* Found by a trial: a patient who checked in and walked away before the
 * first answer spent the code ("That code has already been used"), and
 * staff had to make a new one. The idle reset gives it back, as "Not you?". */
static void
test_idle_before_answers_gives_code_back (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GError) error = NULL;

  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  traj_kiosk_window_idle_timeout (f->kiosk);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  open = traj_store_list_open_checkins (f->store, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");

  /* Once something is answered, the idle reset keeps a draft and the code
   * stays used. */
  click (child (f->kiosk, "start_button"));
  answer (f->kiosk, 0, 1);
  traj_kiosk_window_idle_timeout (f->kiosk);
  g_clear_pointer (&open, g_ptr_array_unref);
  open = traj_store_list_open_checkins (f->store, f->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 0);
  g_assert_cmpuint (n_assessments (f), ==, 1);
}

static int
natural_width (GtkWidget *w)
{
  int min = 0, nat = 0;

  gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  return nat;
}

/* Issue 13 §3: the larger-text switch makes the text larger on every
 * screen for the rest of the session; the next patient starts as usual. */
static void
test_large_text (Fixture *f, gconstpointer data)
{
  GtkToggleButton *toggle = GTK_TOGGLE_BUTTON (child (f->kiosk, "large_text_button"));
  int before;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  spin ();
  before = natural_width (child (f->kiosk, "hello_label"));
  g_assert_cmpint (before, >, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (toggle)));
  gtk_toggle_button_set_active (toggle, TRUE);
  /* The style applies with the next frame. */
  WAIT_UNTIL (natural_width (child (f->kiosk, "hello_label")) > before * 6 / 5);
  click (child (f->kiosk, "start_button"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->kiosk), "large-text"));
  traj_kiosk_window_idle_timeout (f->kiosk);
  g_assert_false (gtk_toggle_button_get_active (toggle));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->kiosk), "large-text"));
}

/* Issue 13 §3: tablet answers on a day with no infusion are not "before
 * infusion"; within 12 hours after one they are after it. */
static void
test_timing (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  g_autoptr(GError) error = NULL;

  for (int round = 0; round < 2; round++)
    {
      g_autoptr(TrajPatientRecords) r = NULL;
      const TrajAssessment *a;

      traj_kiosk_window_start_session (f->kiosk, f->patient_id, "gad7");
      click (child (f->kiosk, "start_button"));
      for (guint k = 0; k < 7; k++)
        answer (f->kiosk, k, 0);
      if (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"))
        click (child (f->kiosk, "next_button"));
      click (child (f->kiosk, "submit_button"));
      r = records (f);
      a = g_ptr_array_index (r->assessments, r->assessments->len - 1);
      for (guint k = 0; k < r->assessments->len; k++)
        if (((const TrajAssessment *) g_ptr_array_index (r->assessments, k))->id > a->id)
          a = g_ptr_array_index (r->assessments, k);
      g_assert_cmpint (a->timing, ==, round == 0 ? TRAJ_TIMING_BETWEEN : TRAJ_TIMING_POST);
      traj_kiosk_window_idle_timeout (f->kiosk);

      /* Then an infusion two hours ago, and the same again a minute on. */
      i->patient_id = f->patient_id;
      i->course_id = f->course_id;
      i->started_at = traj_time_now () - 2 * 3600;
      i->duration_min = 40;
      i->route = TRAJ_ROUTE_IV;
      i->medicine = TRAJ_MEDICINE_KETAMINE;
      i->phase = TRAJ_PHASE_INDUCTION;
      i->weight_kg = 70;
      i->dose_mg_per_kg = 0.5;
      i->total_mg = 35;
      if (round == 0)
        {
          g_assert_true (traj_store_insert_infusion (f->store, i, &error));
          g_assert_no_error (error);
          /* (In the same minute as the first GAD-7 the second is kept as a
           * draft: its timing is set all the same.) */
        }
    }
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static void
wait_frames (GtkWidget *widget, guint n)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);

  gtk_widget_queue_draw (widget);
  WAIT_UNTIL (frames >= n);
  gtk_widget_remove_tick_callback (widget, id);
}

/* @widget as drawn now, through its window's renderer. */
static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;

  g_assert_cmpint (w, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, w, h));
}

static double
luminance (const guint8 *px)
{
  double c[3];

  /* Cairo's ARGB32 in memory order on little endian: B, G, R, A (opaque). */
  for (int k = 0; k < 3; k++)
    {
      double v = px[2 - k] / 255.0;
      c[k] = v <= 0.03928 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
    }
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/* The contrast of the text on @button: its background (the most common
 * colour) against the pixel that differs from it most (the inside of a
 * glyph), as WCAG computes it. */
static double
measure_contrast (GtkWidget *button)
{
  g_autoptr(GdkTexture) tex = render (button);
  int w = gdk_texture_get_width (tex), h = gdk_texture_get_height (tex);
  g_autofree guint8 *data = g_malloc ((gsize) w * h * 4);
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  guint32 bg = 0, best = 0;
  double l_bg, ratio = 1;

  gdk_texture_download (tex, data, (gsize) w * 4);
  for (int y = h / 4; y < h * 3 / 4; y++)
    for (int x = w / 8; x < w * 7 / 8; x++)
      {
        guint32 v = *(guint32 *) (data + ((gsize) y * w + x) * 4);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (v))) + 1;
        g_hash_table_insert (counts, GUINT_TO_POINTER (v), GUINT_TO_POINTER (n));
        if (n > best)
          best = n, bg = v;
      }
  l_bg = luminance ((guint8 *) &bg);
  for (int y = h / 4; y < h * 3 / 4; y++)
    for (int x = w / 8; x < w * 7 / 8; x++)
      {
        double l = luminance (data + ((gsize) y * w + x) * 4);
        double r = (MAX (l, l_bg) + 0.05) / (MIN (l, l_bg) + 0.05);
        ratio = MAX (ratio, r);
      }
  return ratio;
}

/* Issue 13 §3: the text of a chosen answer reaches 4.5:1 (WCAG AA), in
 * the light and the dark style; and the 0–10 pain scale is one row at the
 * tablet's 800 px. */
static void
test_answer_contrast (Fixture *f, gconstpointer data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  gtk_window_set_default_size (GTK_WINDOW (f->kiosk), 800, 1280);
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  for (int dark = 0; dark < 2; dark++)
    {
      GtkWidget *button = traj_score_entry_get_answer_button (entry_of (f->kiosk), 0, 2);
      double ratio;

      const int chosen[1] = { 2 };

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      /* Chosen without the move to the next question that a tap makes. */
      traj_score_entry_set_values (entry_of (f->kiosk), chosen, 1);
      g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
      WAIT_UNTIL (gtk_widget_get_width (button) > 0 && gtk_widget_get_mapped (button));
      /* The new style is drawn from the next frames on. */
      wait_frames (button, 3);
      ratio = measure_contrast (button);
      g_test_message ("chosen answer, %s: %.2f:1", dark ? "dark" : "light", ratio);
      g_assert_cmpfloat (ratio, >=, 4.5);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  traj_kiosk_window_idle_timeout (f->kiosk);

  /* The pain rating: 0 to 10 on one row, at the tablet's width. */
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "pain_nrs");
  click (child (f->kiosk, "start_button"));
  WAIT_UNTIL (gtk_widget_get_mapped (traj_score_entry_get_answer_button (entry_of (f->kiosk), 0, 10)));
  wait_frames (GTK_WIDGET (f->kiosk), 3);
  g_test_message ("kiosk %d×%d", gtk_widget_get_width (GTK_WIDGET (f->kiosk)), gtk_widget_get_height (GTK_WIDGET (f->kiosk)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->kiosk)), <=, 800);
  {
    graphene_point_t first, last;
    GtkWidget *b0 = traj_score_entry_get_answer_button (entry_of (f->kiosk), 0, 0);
    GtkWidget *b10 = traj_score_entry_get_answer_button (entry_of (f->kiosk), 0, 10);

    g_assert_true (gtk_widget_compute_point (b0, GTK_WIDGET (f->kiosk), &GRAPHENE_POINT_INIT (0, 0), &first));
    g_assert_true (gtk_widget_compute_point (b10, GTK_WIDGET (f->kiosk), &GRAPHENE_POINT_INIT (0, 0), &last));
    g_assert_cmpfloat (first.y, ==, last.y);
    g_assert_cmpfloat (last.x + gtk_widget_get_width (b10), <=, 800);
  }
}

#define SAFETY_TODAY "A member of our care team would like to talk with you today. Please stay here or let the " \
  "staff know you have finished — someone will come to you."
/* Mid-way the patient is not told they have finished (a trial: patients
 * stopped there with questions left). */
#define SAFETY_TODAY_MIDWAY "A member of our care team would like to talk with you today. You can carry on with " \
  "the questions — someone will come to you."
#define SAFETY_BEFORE_MIDWAY "A member of our care team would like to talk with you before your treatment today. " \
  "You can carry on with the questions — someone will come to you."

/* CLINICAL.md §4. Found by a trial: the message came only after the last
 * questionnaire was submitted, so a patient who walked away never saw it,
 * and it always said "before your treatment today", on a day with none.
 * Now it comes as item 9 is answered above 0 (the clinician is alerted at
 * that moment too), Continue goes on with the questionnaire, and it names
 * the treatment only when one is booked later today. */
static void
test_item9_safety (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  TrajThresholds t;

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9,gad7");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 8; k++)
    answer (f->kiosk, k, 1);
  answer (f->kiosk, 8, 1);                                   /* item 9: several days */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  g_assert_cmpstr (label_text (f->kiosk, "safety_label"), ==, SAFETY_TODAY_MIDWAY);
  g_assert_cmpstr (label_text (f->kiosk, "safety_title"), ==, "Thank you for telling us");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f->kiosk, "safety_done_button"))), ==, "Continue");
  /* The clinicians have the finding already (the draft). */
  r = records (f);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_now ());
  g_assert_true (traj_outcomes_has_open_safety (o));

  /* Continue: the optional question, then the rest as usual; the message
   * is not shown again mid-way, but once more as the patient finishes. */
  click (child (f->kiosk, "safety_done_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 9);
  click (child (f->kiosk, "next_button"));                    /* skip difficulty */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (label_text (f->kiosk, "scale_label"), ==, "Questionnaire 2 of 2");
  for (guint k = 0; k < 7; k++)
    answer (f->kiosk, k, 0);
  if (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"))
    click (child (f->kiosk, "next_button"));
  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  g_assert_cmpstr (label_text (f->kiosk, "safety_label"), ==, SAFETY_TODAY);
  g_assert_cmpstr (label_text (f->kiosk, "safety_title"), ==, "Thank you for your answers");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f->kiosk, "safety_done_button"))), ==, "Done");
  click (child (f->kiosk, "safety_done_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
}

/* Found by a kiosk trial: after the crisis message a patient went back to
 * item 9, changed "Several days" to "Not at all" and submitted; the draft
 * was amended in place and the safety finding was gone. It stays open now,
 * saying the answer was changed, and the patient still hears that staff
 * will come. */
static void
test_item9_taken_back (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  const TrajAssessment *a;
  const TrajFinding *finding;
  TrajThresholds t;

  type_code (f->kiosk, code);
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 8; k++)
    answer (f->kiosk, k, 0);
  answer (f->kiosk, 8, 1);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  click (child (f->kiosk, "safety_done_button"));
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 9);
  click (child (f->kiosk, "back_button"));
  answer (f->kiosk, 8, 0);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  click (child (f->kiosk, "next_button"));                    /* skip difficulty */
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "review");
  click (child (f->kiosk, "submit_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  g_assert_cmpstr (label_text (f->kiosk, "safety_label"), ==, SAFETY_TODAY);

  r = records (f);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 0);
  g_assert_cmpint (a->items[8], ==, 0);
  g_assert_cmpint (a->safety_highest, ==, 1);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_now ());
  g_assert_true (traj_outcomes_has_open_safety (o));
  finding = g_ptr_array_index (o->findings, 0);
  g_assert_nonnull (strstr (finding->sentence, "“Several days” (1)"));
  g_assert_nonnull (strstr (finding->sentence, "The answer was later changed to “Not at all” (0)."));
}

/* With a treatment booked later today the message says "before your
 * treatment today". */
static void
test_item9_safety_before_treatment (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  g_autoptr(GError) error = NULL;

  i->patient_id = f->patient_id;
  i->course_id = f->course_id;
  /* Later today (an hour on, or a second before midnight). */
  i->started_at = MIN (traj_time_now () + 3600,
                       traj_time_from_day (traj_day_from_time (traj_time_now ()) + 1, 0, 0) - 1);
  i->duration_min = 40;
  i->route = TRAJ_ROUTE_IV;
  i->medicine = TRAJ_MEDICINE_KETAMINE;
  i->phase = TRAJ_PHASE_INDUCTION;
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  g_assert_true (traj_store_insert_infusion (f->store, i, &error));
  g_assert_no_error (error);

  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  for (guint k = 0; k < 8; k++)
    answer (f->kiosk, k, 0);
  answer (f->kiosk, 8, 3);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "safety");
  g_assert_cmpstr (label_text (f->kiosk, "safety_label"), ==, SAFETY_BEFORE_MIDWAY);
}

static void
test_close_needs_pin (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");

  type_code (f->kiosk, code);
  gtk_window_close (GTK_WINDOW (f->kiosk));
  spin ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->kiosk)));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");

  g_assert_false (traj_kiosk_window_unlock (f->kiosk, "1111"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->kiosk)));
  g_assert_true (traj_kiosk_window_unlock (f->kiosk, PIN));
  spin ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->kiosk)));
}


static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static void
press_keypad (TrajKioskWindow *kiosk, const char *keypad, const char *digits)
{
  for (const char *d = digits; *d; d++)
    click (traj_keypad_get_button (TRAJ_KEYPAD (child (kiosk, keypad)), *d));
}

/* Staff leave through the lock button and the PIN typed on the kiosk's own
 * keypad, as on the tablet, with the kiosk held only by GTK as in the app:
 * a wrong PIN says so and keeps the kiosk, the right one closes it cleanly
 * (warnings are fatal), and no other window ever opens. */
/* An attack run left the kiosk without a PIN: with a patient on the tablet,
 * the clinic's PIN was removed (a restore of an older backup), and any digit
 * on the staff keypad then let them out — in Hand This Device to the
 * Patient, into the clinician's window. A kiosk that has seen a PIN stays
 * locked until a PIN is verified: keypad, unlock and close alike. */
static void
test_pin_removed_stays_locked (Fixture *f, gconstpointer data)
{
  g_autofree char *code = make_code (f, "phq9");
  gboolean unlocked = FALSE;
  sqlite3 *db = NULL;

  g_signal_connect_swapped (f->kiosk, "unlocked", G_CALLBACK (set_true), &unlocked);
  type_code (f->kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM clinic_setting WHERE key LIKE 'staff-pin%'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  /* The keypad: any digits, Leave: refused, said why. */
  click (child (f->kiosk, "staff_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "staff");
  press_keypad (f->kiosk, "pin_keypad", "5");
  click (child (f->kiosk, "pin_leave_button"));
  WAIT_UNTIL (!checking (f->kiosk));
  spin ();
  g_assert_false (unlocked);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->kiosk)));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "staff");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "no staff PIN"));

  /* No PIN, an old PIN, a close request: all refused. */
  g_assert_false (traj_kiosk_window_unlock (f->kiosk, NULL));
  g_assert_false (traj_kiosk_window_unlock (f->kiosk, PIN));
  gtk_window_close (GTK_WINDOW (f->kiosk));
  spin ();
  g_assert_false (unlocked);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->kiosk)));

  /* A new PIN set on a workstation opens it. */
  set_pin (f->store, "731594");
  g_assert_true (traj_kiosk_window_unlock (f->kiosk, "731594"));
  spin ();
  g_assert_true (unlocked);
  g_signal_handlers_disconnect_by_data (f->kiosk, &unlocked);
}

static void
test_pin_exit (Fixture *f, gconstpointer data)
{
  TrajKioskWindow *kiosk = f->kiosk;
  gboolean unlocked = FALSE;

  f->kiosk = NULL;
  g_object_add_weak_pointer (G_OBJECT (kiosk), (gpointer *) &kiosk);
  g_object_unref (kiosk);
  g_signal_connect_swapped (kiosk, "unlocked", G_CALLBACK (set_true), &unlocked);

  click (child (kiosk, "staff_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "staff");
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==, 1);
  g_assert_false (gtk_widget_get_visible (child (kiosk, "staff_button")));
  press_keypad (kiosk, "pin_keypad", "111111");
  click (child (kiosk, "pin_leave_button"));
  /* Checked in a thread, the screen alive meanwhile. */
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==, "Checking…");
  WAIT_UNTIL (!checking (kiosk));
  /* Said so, the kiosk still there, the digits gone. */
  g_assert_nonnull (kiosk);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (kiosk)));
  g_assert_false (unlocked);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "staff");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (kiosk), "not right"));
  g_assert_false (gtk_widget_is_sensitive (child (kiosk, "pin_leave_button")));

  /* Delete and Clear work on the PIN too. */
  press_keypad (kiosk, "pin_keypad", "99");
  press_keypad (kiosk, "pin_keypad", "C");
  press_keypad (kiosk, "pin_keypad", PIN "9");
  press_keypad (kiosk, "pin_keypad", "B");
  click (child (kiosk, "pin_leave_button"));
  WAIT_UNTIL (unlocked);
  spin ();
  g_assert_null (kiosk);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==, 0);
}

/* Cancel on the PIN keypad goes back to where the patient was. */
static void
test_pin_cancel (Fixture *f, gconstpointer data)
{
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  answer (f->kiosk, 0, 2);
  click (child (f->kiosk, "staff_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "staff");
  press_keypad (f->kiosk, "pin_keypad", "12");
  click (child (f->kiosk, "pin_cancel_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (f->kiosk)), ==, 1);
  /* The PIN page starts empty next time. */
  click (child (f->kiosk, "staff_button"));
  g_assert_false (gtk_widget_is_sensitive (child (f->kiosk, "pin_leave_button")));
  g_assert_cmpstr (traj_kiosk_window_get_message (f->kiosk), ==, "");
}

/* Five wrong PINs: the PIN keypad waits, with a countdown, on this tablet
 * and any other (the wait is the clinic's), and the right PIN meanwhile is
 * refused too; every wrong one is in the audit trail. */
static void
test_pin_lockout (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) other = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  TrajKioskWindow *tablet;
  guint wrong = 0;

  click (child (f->kiosk, "staff_button"));
  for (int k = 0; k < 5; k++)
    {
      press_keypad (f->kiosk, "pin_keypad", "111111");
      click (child (f->kiosk, "pin_leave_button"));
      WAIT_UNTIL (!checking (f->kiosk));
    }
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "staff");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "Too many wrong PINs"));
  g_assert_false (gtk_widget_is_sensitive (child (f->kiosk, "pin_keypad")));
  g_assert_true (g_str_has_prefix (label_text (f->kiosk, "pin_wait_label"), "0:"));
  g_assert_false (traj_kiosk_window_unlock (f->kiosk, PIN));

  other = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  tablet = g_object_ref_sink (traj_kiosk_window_new (NULL, other, f->settings));
  click (child (tablet, "staff_button"));
  g_assert_false (gtk_widget_is_sensitive (child (tablet, "pin_keypad")));
  g_assert_true (g_str_has_prefix (label_text (tablet, "pin_wait_label"), "0:"));
  g_assert_false (traj_kiosk_window_unlock (tablet, PIN));
  gtk_window_destroy (GTK_WINDOW (tablet));
  g_assert_finalize_object (tablet);

  audit = traj_store_list_audit (f->store, NULL, &error);
  for (guint k = 0; k < audit->len; k++)
    if (g_str_equal (((TrajAuditEvent *) g_ptr_array_index (audit, k))->action, "wrong-pin"))
      wrong++;
  g_assert_cmpuint (wrong, ==, 5);

  /* Teardown leaves with the PIN: the wait ends first. */
  {
    sqlite3 *db;
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE secret_attempt SET locked_until = 0; "
                                   "UPDATE secret_attempt_device SET locked_until = 0", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
}

/* Found by a trial: a new staff PIN set on a workstation ends the clinic's
 * wait for wrong PINs (in the database), but the kiosk's open staff keypad
 * went on counting down, locked, for the rest of it. It reads the wait
 * again while it counts. */
static void
test_pin_lockout_ends_with_new_pin (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) workstation = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE secret_attempt SET locked_until = %" G_GINT64_FORMAT
                                          " WHERE kind = 'staff-pin'", traj_time_now () + 3600);

  click (child (f->kiosk, "staff_button"));
  for (int k = 0; k < 5; k++)
    {
      press_keypad (f->kiosk, "pin_keypad", "111111");
      click (child (f->kiosk, "pin_leave_button"));
      WAIT_UNTIL (!checking (f->kiosk));
    }
  g_assert_false (gtk_widget_is_sensitive (child (f->kiosk, "pin_keypad")));
  /* An hour's wait for the clinic (as many more wrong tries would give). */
  {
    sqlite3 *db;
    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  click (child (f->kiosk, "pin_cancel_button"));
  click (child (f->kiosk, "staff_button"));
  g_assert_true (g_str_has_prefix (label_text (f->kiosk, "pin_wait_label"), "59:") ||
                 g_str_has_prefix (label_text (f->kiosk, "pin_wait_label"), "60:"));

  /* Staff set a new PIN on a workstation: the keypad opens again. */
  workstation = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_set_staff_pin (workstation, PIN, "406819", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (gtk_widget_is_sensitive (child (f->kiosk, "pin_keypad")));
  g_assert_cmpstr (label_text (f->kiosk, "pin_wait_label"), ==, "");
  g_assert_cmpstr (traj_kiosk_window_get_message (f->kiosk), ==, "");
  g_assert_true (traj_kiosk_window_unlock (f->kiosk, "406819"));
  gtk_window_destroy (GTK_WINDOW (f->kiosk));
  g_assert_finalize_object (f->kiosk);
  f->kiosk = NULL;
}

/* The patient page lists the patient's open codes; "Cancel Code" cancels
 * one for good (the tablet then says so). */
static void
test_open_codes_on_page (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = make_code (f, "phq9");
  g_autofree char *second = make_code (f, "gad7");
  TrajWindow *win = traj_window_new (NULL, f->store, f->settings);
  TrajCheckinList *list;
  GtkWidget *page;

  gtk_window_present (GTK_WINDOW (win));
  WAIT_UNTIL (!traj_window_is_busy (win));
  traj_window_show_patient (win, f->patient_id);
  page = traj_window_get_patient_page (win);
  list = TRAJ_CHECKIN_LIST (gtk_widget_get_template_child (page, TRAJ_TYPE_PATIENT_PAGE, "checkin_list"));
  g_assert_cmpuint (traj_checkin_list_get_n_codes (list), ==, 2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (list)));

  /* Newest first: cancel the GAD-7 code. */
  click (traj_checkin_list_get_cancel_button (list, 0));
  spin ();
  g_assert_cmpuint (traj_checkin_list_get_n_codes (list), ==, 1);
  type_code (f->kiosk, second);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "cancelled"));

  /* A code used on the tablet leaves the list; none left hides it. */
  type_code (f->kiosk, first);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
  traj_checkin_list_set_patient (list, f->patient_id);
  g_assert_cmpuint (traj_checkin_list_get_n_codes (list), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (list)));

  gtk_window_destroy (GTK_WINDOW (win));
  spin ();
}

static void
test_no_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-kiosk-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "c.db", NULL);
  TrajStore *store = traj_store_open (path, &error);
  GSettings *settings = g_settings_new (APP_ID);
  TrajKioskWindow *kiosk;

  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, store, settings));
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "no-pin");
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_assert_finalize_object (kiosk);
  g_object_unref (settings);
  g_object_unref (store);
}

/* The trial made a tablet code before any staff PIN existed, and the
 * tablet could then not start: the dialog refuses and says why. With a
 * PIN, the code is made and Enter closes ("Done" is the default). */
static void
test_code_needs_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-kiosk-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "c.db", NULL);
  g_autoptr(TrajStore) store = traj_store_open (path, &error);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  g_autofree char *code = NULL;
  TrajCheckinDialog *dialog;
  GtkWidget *error_label, *done;

  g_assert_no_error (error);
  p->mrn = g_strdup ("K-9");
  p->name = g_strdup ("Bea Brown");
  p->birth_day = traj_day_from_ymd (1980, 1, 2);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  g_assert_no_error (error);
  records = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);

  dialog = traj_checkin_dialog_new (NULL, store, settings, records);
  gtk_window_present (GTK_WINDOW (dialog));
  spin ();
  error_label = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (dialog), TRAJ_TYPE_CHECKIN_DIALOG, "error_label");
  done = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (dialog), TRAJ_TYPE_CHECKIN_DIALOG, "done_button");
  g_assert_null (traj_checkin_dialog_create_code (dialog));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "staff PIN"));
  codes = traj_store_list_open_checkins (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 0);
  g_clear_pointer (&codes, g_ptr_array_unref);

  set_pin (store, PIN);
  code = traj_checkin_dialog_create_code (dialog);
  g_assert_nonnull (code);
  codes = traj_store_list_open_checkins (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (codes->len, ==, 1);
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog)) == done);
  g_assert_true (gtk_widget_has_focus (done) || !gtk_window_is_active (GTK_WINDOW (dialog)));

  gtk_window_destroy (GTK_WINDOW (dialog));
  spin ();
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

/* Hands the device over from a clinician's window on the fixture's patient:
 * through traj_application_hand_to_patient, or as a clinician does, with
 * the check-in dialog's button (which activates app.hand-to-patient). */
static TrajWindow *
hand_over_and_back (Fixture *f, TrajApplication *app, TrajWindow *win, gboolean through_dialog)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) quit = NULL;
  g_auto(GStrv) quit_after = NULL;
  GListModel *toplevels;
  TrajKioskWindow *kiosk = NULL;
  TrajWindow *back = NULL;

  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &win);
  if (through_dialog)
    {
      g_autoptr(TrajPatientRecords) records = traj_store_load_patient_records (f->store, f->patient_id, &error);
      TrajCheckinDialog *dialog;

      g_assert_no_error (error);
      traj_window_show_patient (win, f->patient_id);
      WAIT_UNTIL (!traj_window_is_busy (win));
      dialog = traj_checkin_dialog_new (GTK_WINDOW (win), f->store, f->settings, records);
      gtk_window_present (GTK_WINDOW (dialog));
      g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (dialog), TRAJ_TYPE_CHECKIN_DIALOG, "hand_button"),
                             "clicked");
    }
  else
    {
      g_assert_true (traj_application_hand_to_patient (app, GTK_WINDOW (win), f->store, f->patient_id, "phq9", &error));
      g_assert_no_error (error);
    }
  spin ();

  /* The clinician's window is gone, not hidden, and no application shortcut
   * (Ctrl+Q, Ctrl+comma, Ctrl+?) is left. */
  g_assert_null (win);
  quit = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpuint (g_strv_length (quit), ==, 0);
  toplevels = gtk_window_get_toplevels ();
  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (TRAJ_IS_KIOSK_WINDOW (w))
        kiosk = TRAJ_KIOSK_WINDOW (w);
    }
  g_assert_nonnull (kiosk);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "welcome");

  /* The staff PIN brings a new clinician window, on the same patient. */
  g_assert_true (traj_kiosk_window_unlock (kiosk, PIN));
  spin ();
  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (TRAJ_IS_WINDOW (w))
        back = TRAJ_WINDOW (w);
    }
  g_assert_nonnull (back);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (back)));
  /* Once its patient list has arrived, the patient is open again. */
  WAIT_UNTIL (!traj_window_is_busy (back));
  g_assert_cmpint (traj_window_get_patient_id (back), ==, f->patient_id);
  quit_after = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpuint (g_strv_length (quit_after), ==, 1);
  return back;
}

static void
test_hand_to_patient_locks_shortcuts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  TrajApplication *app = traj_application_new ();
  TrajWindow *win;

  /* One kiosk at a time: the fixture's would hide the clinician's window. */
  traj_kiosk_window_unlock (f->kiosk, PIN);
  gtk_window_destroy (GTK_WINDOW (f->kiosk));
  g_assert_finalize_object (f->kiosk);
  f->kiosk = NULL;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  win = traj_window_new (app, f->store, f->settings);
  gtk_window_present (GTK_WINDOW (win));
  win = hand_over_and_back (f, app, win, FALSE);
  /* Again from the window that came back, as a clinician does it. */
  win = hand_over_and_back (f, app, win, TRUE);

  gtk_window_destroy (GTK_WINDOW (win));
  spin ();
  g_object_unref (app);
}

/* Kiosk screenshots for the README and data/screenshots/ (issue 13): every
 * screen rendered at the tablet's 800×1280, light, dark and with larger
 * text. Only with TRAJ_KIOSK_SCREENSHOTS=DIR (run under an 800×1280 X
 * screen with a window manager, e.g. openbox); skipped otherwise. */
static void
save_shot (Fixture *f, const char *dir, const char *name)
{
  g_autofree char *file = g_strdup_printf ("kiosk-%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkTexture) tex = NULL;

  wait_frames (GTK_WIDGET (f->kiosk), 3);
  tex = render (GTK_WIDGET (f->kiosk));
  g_assert_true (gdk_texture_save_to_png (tex, path));
  g_test_message ("wrote %s (%d×%d)", path, gdk_texture_get_width (tex), gdk_texture_get_height (tex));
}

static void
test_screenshots (Fixture *f, gconstpointer data)
{
  const char *dir = g_getenv ("TRAJ_KIOSK_SCREENSHOTS");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *code = NULL;

  if (dir == NULL)
    {
      g_test_skip ("TRAJ_KIOSK_SCREENSHOTS=DIR writes the kiosk screenshots there");
      return;
    }
  /* Each screen as it settles, not halfway through a crossfade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* The window's content at the tablet's 800×1280 (without a window
   * manager the window keeps room for its shadow around it). */
  gtk_window_fullscreen (GTK_WINDOW (f->kiosk));
  /* Fullscreen needs a window manager (run one on the X screen);
   * without, the window keeps room for its shadow (790×1270). */
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (f->kiosk)) >= 790);
  wait_frames (GTK_WIDGET (f->kiosk), 5);

  for (int variant = 0; variant < 3; variant++)
    {
      const char *suffix = variant == 0 ? "" : variant == 1 ? "-dark" : "-large";

      adw_style_manager_set_color_scheme (style, variant == 1 ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      g_free (code);
      code = make_code (f, "phq9,pain_nrs");
      press (f->kiosk, "4");
      {
        g_autofree char *n = g_strdup_printf ("checkin%s", suffix);
        if (variant == 2)
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (f->kiosk, "large_text_button")), TRUE);
        save_shot (f, dir, n);
      }
      press (f->kiosk, "C");
      press (f->kiosk, code);
      WAIT_UNTIL (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "birth"));
      press (f->kiosk, "1012");
      {
        g_autofree char *n = g_strdup_printf ("birth-date%s", suffix);
        g_autofree char *shown = g_strdup_printf ("birth-date-shown%s", suffix);
        save_shot (f, dir, n);
        click (child (f->kiosk, "birth_show_button"));
        save_shot (f, dir, shown);
        click (child (f->kiosk, "birth_show_button"));
      }
      {
        g_autofree char *digits = birth_digits (BIRTH);
        press (f->kiosk, "CCCC");
        press (f->kiosk, digits);
        WAIT_UNTIL (!checking (f->kiosk));
        spin ();
      }
      g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "welcome");
      {
        g_autofree char *n = g_strdup_printf ("welcome%s", suffix);
        save_shot (f, dir, n);
      }
      click (child (f->kiosk, "start_button"));
      answer (f->kiosk, 0, 1);
      {
        const int chosen[2] = { 1, 2 };
        g_autofree char *n = g_strdup_printf ("question%s", suffix);
        traj_score_entry_set_values (entry_of (f->kiosk), chosen, 2);
        save_shot (f, dir, n);
      }
      for (guint k = 1; k < 9; k++)
        answer (f->kiosk, k, k == 8 ? 0 : 1);
      {
        g_autofree char *n = g_strdup_printf ("optional%s", suffix);
        save_shot (f, dir, n);
      }
      click (child (f->kiosk, "next_button"));
      {
        g_autofree char *n = g_strdup_printf ("review%s", suffix);
        save_shot (f, dir, n);
      }
      click (child (f->kiosk, "submit_button"));
      {
        g_autofree char *n = g_strdup_printf ("pain%s", suffix);
        save_shot (f, dir, n);
      }
      traj_kiosk_window_set_idle_seconds (f->kiosk, 40);
      gtk_widget_set_visible (child (f->kiosk, "still_there"), TRUE);
      gtk_label_set_label (GTK_LABEL (child (f->kiosk, "still_there_label")),
                           "For your privacy, your answers will be put away in 20 seconds. Tap Continue to carry on.");
      {
        g_autofree char *n = g_strdup_printf ("still-there%s", suffix);
        save_shot (f, dir, n);
      }
      gtk_widget_set_visible (child (f->kiosk, "still_there"), FALSE);
      answer (f->kiosk, 0, 3);
      if (g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"))
        click (child (f->kiosk, "next_button"));
      click (child (f->kiosk, "submit_button"));
      {
        g_autofree char *n = g_strdup_printf ("thanks%s", suffix);
        save_shot (f, dir, n);
      }
      traj_kiosk_window_set_idle_seconds (f->kiosk, 120);
      traj_kiosk_window_idle_timeout (f->kiosk);
      click (child (f->kiosk, "staff_button"));
      press (f->kiosk, "12");
      {
        g_autofree char *n = g_strdup_printf ("staff%s", suffix);
        save_shot (f, dir, n);
      }
      press (f->kiosk, "BB");
      click (child (f->kiosk, "pin_cancel_button"));
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--first-kiosk"))
    {
      gtk_init ();
      adw_init ();
      traj_gui_load_app_style (gdk_display_get_default ());
      return first_kiosk (argv[2], argv[3]);
    }
  if (argc == 5 && g_str_equal (argv[1], "--answer-then-wait"))
    {
      gtk_init ();
      adw_init ();
      traj_gui_load_app_style (gdk_display_get_default ());
      return answer_then_wait (argv[2], argv[3], (guint) g_ascii_strtoull (argv[4], NULL, 10));
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add ("/kiosk/valid-code", Fixture, NULL, fixture_setup, test_valid_code, fixture_teardown);
  g_test_add ("/kiosk/wrong-expired-used", Fixture, NULL, fixture_setup, test_wrong_expired_used, fixture_teardown);
  g_test_add ("/kiosk/lockout", Fixture, NULL, fixture_setup, test_lockout, fixture_teardown);
  g_test_add ("/kiosk/phq9-end-to-end", Fixture, NULL, fixture_setup, test_phq9_end_to_end, fixture_teardown);
  g_test_add ("/kiosk/idle-timeout", Fixture, NULL, fixture_setup, test_idle_timeout, fixture_teardown);
  g_test_add ("/kiosk/item9-safety", Fixture, NULL, fixture_setup, test_item9_safety, fixture_teardown);
  g_test_add ("/kiosk/item9-taken-back", Fixture, NULL, fixture_setup, test_item9_taken_back, fixture_teardown);
  g_test_add ("/kiosk/item9-safety-before-treatment", Fixture, NULL, fixture_setup,
              test_item9_safety_before_treatment, fixture_teardown);
  g_test_add ("/kiosk/focus-after-start", Fixture, NULL, fixture_setup, test_focus_after_start, fixture_teardown);
  g_test_add ("/kiosk/back-second-questionnaire", Fixture, NULL, fixture_setup, test_back_second_questionnaire, fixture_teardown);
  g_test_add ("/kiosk/difficulty-optional", Fixture, NULL, fixture_setup, test_difficulty_optional, fixture_teardown);
  g_test_add ("/kiosk/still-there", Fixture, NULL, fixture_setup, test_still_there, fixture_teardown);
  g_test_add ("/kiosk/not-you", Fixture, NULL, fixture_setup, test_not_you, fixture_teardown);
  g_test_add ("/kiosk/not-you-keeps-safety-answer", Fixture, NULL, fixture_setup, test_not_you_keeps_safety_answer,
              fixture_teardown);
  g_test_add ("/kiosk/idle-before-answers-gives-code-back", Fixture, NULL, fixture_setup,
              test_idle_before_answers_gives_code_back, fixture_teardown);
  g_test_add ("/kiosk/large-text", Fixture, NULL, fixture_setup, test_large_text, fixture_teardown);
  g_test_add ("/kiosk/answer-contrast", Fixture, NULL, fixture_setup, test_answer_contrast, fixture_teardown);
  g_test_add ("/kiosk/screenshots", Fixture, NULL, fixture_setup, test_screenshots, fixture_teardown);
  g_test_add ("/kiosk/timing", Fixture, NULL, fixture_setup, test_timing, fixture_teardown);
  g_test_add ("/kiosk/terminate-keeps-draft", Fixture, NULL, fixture_setup, test_terminate_keeps_draft,
              fixture_teardown);
  g_test_add ("/kiosk/kill-keeps-answers", Fixture, NULL, fixture_setup, test_kill_keeps_answers, fixture_teardown);
  g_test_add ("/kiosk/second-kiosk-process", Fixture, NULL, fixture_setup, test_second_kiosk_process,
              fixture_teardown);
  g_test_add ("/kiosk/lease-store", Fixture, NULL, fixture_setup, test_lease_store, fixture_teardown);
  g_test_add ("/kiosk/draft-in-progress", Fixture, NULL, fixture_setup, test_draft_in_progress, fixture_teardown);
  g_test_add ("/kiosk/killed-session-other-tablet", Fixture, NULL, fixture_setup, test_killed_session_other_tablet,
              fixture_teardown);
  g_test_add ("/kiosk/unsubmitted-is-draft", Fixture, NULL, fixture_setup, test_unsubmitted_is_draft, fixture_teardown);
  g_test_add ("/kiosk/duplicate-kept", Fixture, NULL, fixture_setup, test_duplicate_kept, fixture_teardown);
  g_test_add ("/kiosk/duplicate-thanks", Fixture, NULL, fixture_setup, test_duplicate_thanks, fixture_teardown);
  g_test_add ("/kiosk/pin-exit", Fixture, NULL, fixture_setup, test_pin_exit, fixture_teardown);
  g_test_add ("/kiosk/pin-removed-stays-locked", Fixture, NULL, fixture_setup, test_pin_removed_stays_locked,
              fixture_teardown);
  g_test_add ("/kiosk/close-needs-pin", Fixture, NULL, fixture_setup, test_close_needs_pin, fixture_teardown);
  g_test_add ("/kiosk/hand-to-patient", Fixture, NULL, fixture_setup, test_hand_to_patient_locks_shortcuts, fixture_teardown);
  g_test_add ("/kiosk/pin-cancel", Fixture, NULL, fixture_setup, test_pin_cancel, fixture_teardown);
  g_test_add ("/kiosk/pin-lockout", Fixture, NULL, fixture_setup, test_pin_lockout, fixture_teardown);
  g_test_add ("/kiosk/pin-lockout-ends-with-new-pin", Fixture, NULL, fixture_setup,
              test_pin_lockout_ends_with_new_pin, fixture_teardown);
  g_test_add ("/kiosk/birth-date-checked", Fixture, NULL, fixture_setup, test_birth_date_checked, fixture_teardown);
  g_test_add ("/kiosk/birth-date-masked", Fixture, NULL, fixture_setup, test_birth_date_masked, fixture_teardown);
  g_test_add ("/kiosk/keypad-stays-put", Fixture, NULL, fixture_setup, test_keypad_stays_put, fixture_teardown);
  g_test_add ("/kiosk/open-codes-on-page", Fixture, NULL, fixture_setup, test_open_codes_on_page, fixture_teardown);
  g_test_add_func ("/kiosk/no-pin", test_no_pin);
  g_test_add_func ("/kiosk/code-needs-pin", test_code_needs_pin);
  return g_test_run ();
}
