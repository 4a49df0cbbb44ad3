/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tablet's kiosk window on a clinic server (issue 14), signed in with a
 * kiosk login that reads no table, against the throwaway PostgreSQL of
 * `./dev test`: a patient checks in with the code and birth date on the
 * keypads, answers a PHQ-9 and submits it; the clinician's store has it,
 * scored, with its item-9 answer raising the safety alert; staff leave the
 * kiosk with the PIN, checked by the server. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "traj-kiosk-window.h"
#include "traj-score-entry-private.h"
#include "traj-store-alert.h"
#include "traj-test-db.h"
#include "traj-gui.h"

#include "test-wait.h"

#define PIN "731594"
#define BIRTH traj_day_from_ymd (1985, 12, 10)

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
press (TrajKioskWindow *kiosk, const char *keys)
{
  for (const char *p = keys; *p; p++)
    traj_kiosk_window_press_key (kiosk, *p);
  spin ();
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

/* The patient's tap on @value for question @item, then the kiosk moves on. */
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
test_kiosk_on_server (void)
{
  const int answers[9] = { 2, 1, 3, 0, 1, 2, 1, 0, 1 };   /* 2+1+3+0+1+2+1+0+1 = 11 */
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-kiosk-server-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *code = NULL, *ci = NULL, *digits = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  const TrajAssessment *a;
  TrajStore *store, *tablet;
  TrajKioskWindow *kiosk;
  gint64 started = traj_time_now ();
  int y, m, d;

  g_assert_no_error (error);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_set_staff_pin (store, NULL, PIN, &error));
  p->mrn = g_strdup ("K-1");
  p->name = g_strdup ("Ada Lovelace");
  p->birth_day = BIRTH;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  c->patient_id = p->id;
  c->start_day = traj_day_today () - 3;
  g_assert_true (traj_store_insert_course (store, c, &error));
  g_assert_no_error (error);
  code = traj_store_create_checkin (store, p->id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);

  /* The tablet signs in with its kiosk login. */
  ci = traj_test_login_conninfo (path, "Waiting Room Tablet", "trajectory_kiosk");
  tablet = traj_store_open (ci, &error);
  g_assert_no_error (error);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, tablet, settings));
  gtk_window_present (GTK_WINDOW (kiosk));
  spin ();
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");

  /* Code, then birth date, on the keypads. */
  press (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "birth");
  g_assert_true (traj_day_to_ymd (BIRTH, &y, &m, &d));
  {
    GString *s = g_string_new (NULL);
    for (const char *o = traj_kiosk_birth_date_order (); *o; o++)
      g_string_append_printf (s, *o == 'y' ? "%04d" : "%02d", *o == 'y' ? y : *o == 'm' ? m : d);
    digits = g_string_free (s, FALSE);
  }
  press (kiosk, digits);
  WAIT_UNTIL (g_str_equal (traj_kiosk_window_get_screen (kiosk), "welcome"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (kiosk, "hello_label"))), ==, "Hello, Ada");

  g_signal_emit_by_name (child (kiosk, "start_button"), "clicked");
  for (guint k = 0; k < 9; k++)
    answer (kiosk, k, answers[k]);
  /* Item 9 answered: the patient is asked to speak to staff at once. */
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "safety");
  g_signal_emit_by_name (child (kiosk, "safety_done_button"), "clicked");
  answer (kiosk, 9, 1);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "review");
  g_signal_emit_by_name (child (kiosk, "submit_button"), "clicked");
  /* And again as they finish. */
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "safety");

  /* The clinicians have it, scored, in the course, with the safety alert. */
  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_cmpint (a->source, ==, TRAJ_SOURCE_TABLET);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 11);
  g_assert_cmpint (a->items[2], ==, 3);
  g_assert_cmpint (a->items[8], ==, 1);
  g_assert_cmpint (a->difficulty, ==, 1);
  g_assert_cmpint (a->course_id, ==, c->id);
  alerts = traj_store_list_tablet_safety_answers (store, started - 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alerts->len, ==, 1);

  /* Staff leave the kiosk with the PIN, which the server checks. */
  g_assert_false (traj_kiosk_window_unlock (kiosk, "802519"));
  g_assert_true (traj_kiosk_window_unlock (kiosk, PIN));

  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_object_unref (kiosk);
  g_object_unref (tablet);
  g_object_unref (store);
  g_rmdir (dir);
}

/* The patient types the code and birth date on the keypads. */
static void
check_in (TrajKioskWindow *kiosk, const char *code)
{
  g_autofree char *digits = NULL;
  GString *s = g_string_new (NULL);
  int y, m, d;

  g_assert_true (traj_day_to_ymd (BIRTH, &y, &m, &d));
  for (const char *o = traj_kiosk_birth_date_order (); *o; o++)
    g_string_append_printf (s, *o == 'y' ? "%04d" : "%02d", *o == 'y' ? y : *o == 'm' ? m : d);
  digits = g_string_free (s, FALSE);
  press (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "birth");
  press (kiosk, digits);
  WAIT_UNTIL (!g_str_equal (traj_kiosk_window_get_message (kiosk), "Checking…"));
  spin ();
}

#define TABLET "waiting-room-tablet"
#define IN_USE "That code is in use on another screen. If that screen was closed, please try again in two " \
  "minutes, or ask a member of staff."

/* The last sign of the program holding the clinic's check-ins set to @ago
 * seconds back, as time passing with no sign would leave it. */
static void
set_held_ago (TrajStore *store, gint64 ago)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE kiosk_checkin SET held_at = %" G_GINT64_FORMAT
                                          " WHERE held_at IS NOT NULL", traj_time_now () - ago);

  g_assert_true (traj_test_exec (traj_store_get_path (store), sql, &error));
  g_assert_no_error (error);
}

/* The tablet's program as its own process (see test_kill_keeps_answers):
 * signs in with @conninfo, checks in with @code, answers the first @n PHQ-9
 * questions (1, 2, 3, 0, …), says so and waits to be killed. */
static int
answer_then_wait (const char *conninfo, const char *code, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajStore *tablet = traj_store_open (conninfo, &error);
  TrajKioskWindow *kiosk;

  g_assert_no_error (error);
  traj_store_set_device (tablet, TABLET, TRUE);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, tablet, settings));
  gtk_window_present (GTK_WINDOW (kiosk));
  check_in (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "welcome");
  g_signal_emit_by_name (child (kiosk, "start_button"), "clicked");
  for (guint k = 0; k < n; k++)
    answer (kiosk, k, (int) ((k + 1) % 4));
  g_print ("answered\n");
  fflush (stdout);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

/* kill -9 of a tablet signed in to the server, mid-questionnaire: every
 * answer given is on the server already (the kiosk functions amend the
 * session's draft, postgres/012), and the same code on the same tablet
 * carries on with them. */
static void
test_kill_keeps_answers (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-kiosk-server-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *code = NULL, *ci = NULL, *line = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  const TrajAssessment *a;
  TrajStore *store, *tablet;
  TrajKioskWindow *kiosk;
  int values[TRAJ_MAX_ITEMS];
  gint64 started = traj_time_now ();

  g_assert_no_error (error);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_set_staff_pin (store, NULL, PIN, &error));
  p->mrn = g_strdup ("K-2");
  p->name = g_strdup ("Grace Hopper");
  p->birth_day = BIRTH;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  code = traj_store_create_checkin (store, p->id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  ci = traj_test_login_conninfo (path, "Waiting Room Tablet", "trajectory_kiosk");

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/proc/self/exe",
                              "--answer-then-wait", ci, code, "9", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "answered");
  g_subprocess_force_exit (process);            /* SIGKILL */
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);

  /* One draft on the server with the nine answers, item 9 (1) raising the
   * safety alert. */
  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_false (a->complete);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (a->items[k], ==, (int) ((k + 1) % 4));
  alerts = traj_store_list_tablet_safety_answers (store, started - 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alerts->len, ==, 1);

  /* The tablet restarted at once: for two minutes the session stays the
   * killed program's (it might only be frozen); after half an hour with no
   * sign it is over; in between the same code carries on at the optional
   * question. */
  tablet = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_store_set_device (tablet, TABLET, TRUE);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, tablet, settings));
  check_in (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==, IN_USE);
  set_held_ago (store, TRAJ_KIOSK_RESUME_SECONDS + 60);
  check_in (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==,
                   "That code has already been used. Please ask a member of staff for a new one.");
  set_held_ago (store, TRAJ_KIOSK_LEASE_SECONDS + 10);
  check_in (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "welcome");
  g_signal_emit_by_name (child (kiosk, "start_button"), "clicked");
  g_assert_cmpuint (traj_score_entry_get_current_item (entry_of (kiosk)), ==, 9);
  traj_score_entry_get_values (entry_of (kiosk), values);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (values[k], ==, (int) ((k + 1) % 4));
  answer (kiosk, 9, 2);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "review");
  g_signal_emit_by_name (child (kiosk, "submit_button"), "clicked");

  /* The draft became the submitted questionnaire: 1+2+3+0+1+2+3+0+1 = 13. */
  g_clear_pointer (&r, traj_patient_records_free);
  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 13);
  g_assert_cmpint (a->difficulty, ==, 2);

  /* Submitted: the session ended, the code is spent for good. */
  g_assert_true (traj_kiosk_window_unlock (kiosk, PIN));
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_object_unref (kiosk);
  kiosk = g_object_ref_sink (traj_kiosk_window_new (NULL, tablet, settings));
  check_in (kiosk, code);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "checkin");
  g_assert_cmpstr (traj_kiosk_window_get_message (kiosk), ==,
                   "That code has already been used. Please ask a member of staff for a new one.");
  g_assert_true (traj_kiosk_window_unlock (kiosk, PIN));
  gtk_window_destroy (GTK_WINDOW (kiosk));
  g_object_unref (kiosk);
  g_object_unref (tablet);
  g_object_unref (store);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
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
  /* As in the gui suite: every warning and critical fails the test. */
  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);

  /* Registered in the postgres suite only. */
  g_assert_true (traj_test_postgres ());
  g_test_add_func ("/kiosk-server/check-in-and-phq9", test_kiosk_on_server);
  g_test_add_func ("/kiosk-server/kill-keeps-answers", test_kill_keeps_answers);
  return g_test_run ();
}
