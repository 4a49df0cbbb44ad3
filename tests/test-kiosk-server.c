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

#include "traj-kiosk-window.h"
#include "traj-score-entry-private.h"
#include "traj-store-alert.h"
#include "traj-test-db.h"

#include "test-wait.h"

#define PIN "246813"
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
  answer (kiosk, 9, 1);
  g_assert_cmpstr (traj_kiosk_window_get_screen (kiosk), ==, "review");
  g_signal_emit_by_name (child (kiosk, "submit_button"), "clicked");
  /* Item 9 answered: the patient is asked to speak to staff now. */
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

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* As in the gui suite: every warning and critical fails the test. */
  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);

  /* Registered in the postgres suite only. */
  g_assert_true (traj_test_postgres ());
  g_test_add_func ("/kiosk-server/check-in-and-phq9", test_kiosk_on_server);
  return g_test_run ();
}
