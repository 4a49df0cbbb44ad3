/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-demo.h"
#include "traj-cohort-view.h"
#include "traj-gui.h"
#include "traj-patient-page-private.h"
#include "traj-safety-alerts.h"
#include "traj-window.h"

#include "test-wait.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  GSettings *settings;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("traj-window-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new (APP_ID);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_assert_finalize_object (f->store);
  g_object_unref (f->settings);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static TrajWindow *current;

/* Runs the main loop until the window has loaded its list and findings. */
static void
spin (void)
{
  do
    while (g_main_context_iteration (NULL, FALSE))
      ;
  while (current && traj_window_is_busy (current) && g_main_context_iteration (NULL, TRUE));
}

static const char *
visible_list_page (TrajWindow *win)
{
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "list_stack"));
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
test_window_empty_clinic (Fixture *f, gconstpointer data)
{
  TrajWindow *win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));

  current = win;
  gtk_window_present (GTK_WINDOW (win));
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (traj_window_get_patient_list (win))), ==, 0);
  g_assert_cmpstr (visible_list_page (win), ==, "empty");
  /* A clinic file is never "away": no lost-connection banner. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW,
                                                                                      "connection_banner"))));

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static void
test_window_finds_patients (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  TrajWindow *win;
  TrajPatientList *list;
  GtkWidget *search;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  guint n_before;

  g_assert_true (traj_demo_generate (f->store, 7, 25, traj_day_from_ymd (2026, 6, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  current = win;
  gtk_window_present (GTK_WINDOW (win));
  spin ();

  list = traj_window_get_patient_list (win);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 25);
  g_assert_cmpstr (visible_list_page (win), ==, "list");

  /* A patient added through the store appears without a reload. */
  p->mrn = g_strdup ("ZZ-0001");
  p->name = g_strdup ("Quentin Zebedee");
  p->birth_day = traj_day_from_ymd (1980, 2, 3);
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  spin ();
  n_before = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n_before, ==, 26);
  g_assert_cmpint (traj_patient_list_find (list, p->id), >=, 0);

  /* Search as you type through the real entry: by name, then by MRN. */
  search = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "search_entry"));
  gtk_editable_set_text (GTK_EDITABLE (search), "zebedee");
  g_signal_emit_by_name (search, "search-changed");
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);

  gtk_editable_set_text (GTK_EDITABLE (search), "zz-00");
  g_signal_emit_by_name (search, "search-changed");
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_assert_cmpstr (traj_patient_item_get_summary (item)->name, ==, "Quentin Zebedee");
  }

  gtk_editable_set_text (GTK_EDITABLE (search), "no such patient");
  g_signal_emit_by_name (search, "search-changed");
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpstr (visible_list_page (win), ==, "no-results");
  {
    GtkWidget *none = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "no_results_page"));
    GtkWidget *show_all = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "show_all_button"));
    GtkDropDown *filter = GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "filter_dropdown"));

    /* Under All patients nothing else would find them: no button. */
    g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (none)), ==, "Try another name or MRN.");
    g_assert_false (gtk_widget_get_visible (show_all));

    /* A trial searched a patient under "Needs attention" and read "No
     * Matching Patients", with "show all patients" as plain text. The
     * page says how many All patients has, and a button shows them. */
    gtk_drop_down_set_selected (filter, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
    gtk_editable_set_text (GTK_EDITABLE (search), "zebedee");
    g_signal_emit_by_name (search, "search-changed");
    spin ();
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
    g_assert_cmpstr (visible_list_page (win), ==, "no-results");
    g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (none)), ==,
                     "1 patient in All patients matches this search.");
    g_assert_true (gtk_widget_get_visible (show_all));
    g_assert_true (gtk_widget_is_drawable (show_all));
    g_signal_emit_by_name (show_all, "clicked");
    spin ();
    g_assert_cmpuint (gtk_drop_down_get_selected (filter), ==, TRAJ_PATIENT_FILTER_ALL);
    g_assert_cmpstr (visible_list_page (win), ==, "list");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "zebedee");
    g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (win)), search));

    /* Nobody anywhere: the page says so, and still offers All patients. */
    gtk_drop_down_set_selected (filter, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
    gtk_editable_set_text (GTK_EDITABLE (search), "no such patient");
    g_signal_emit_by_name (search, "search-changed");
    spin ();
    g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (none)), ==,
                     "No patient in All patients matches either. Try another name or MRN.");
    g_assert_true (gtk_widget_get_visible (show_all));
    gtk_drop_down_set_selected (filter, TRAJ_PATIENT_FILTER_ALL);
  }

  gtk_editable_set_text (GTK_EDITABLE (search), "");
  g_signal_emit_by_name (search, "search-changed");
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 26);

  /* Typing filters at once: no built-in delay of the search entry (GTK's
   * default waits 150 ms after each keystroke), so the list is filtered
   * within the main loop's next few turns, without waiting. */
  g_assert_cmpuint (gtk_search_entry_get_search_delay (GTK_SEARCH_ENTRY (search)), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (search), "zebedee");
  for (int k = 0; k < 10 && g_list_model_get_n_items (G_LIST_MODEL (list)) != 1; k++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 26);

  /* Opening a patient shows their page. */
  traj_window_show_patient (win, p->id);
  spin ();
  g_assert_cmpint (traj_window_get_patient_id (win), ==, p->id);

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

/* A write by another program (the tablet kiosk, the CLI) reaches the window. */
static void
test_window_sees_other_programs (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) other = traj_store_open (f->path, &error);
  g_autoptr(TrajPatient) p = traj_patient_new ();
  TrajWindow *win;

  g_assert_no_error (error);
  win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  current = win;
  gtk_window_present (GTK_WINDOW (win));
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (traj_window_get_patient_list (win))), ==, 0);
  g_assert_false (traj_store_poll_external_changes (f->store));

  p->mrn = g_strdup ("EXT-1");
  p->name = g_strdup ("Written Elsewhere");
  p->birth_day = traj_day_from_ymd (1970, 1, 1);
  g_assert_true (traj_store_insert_patient (other, p, &error));
  g_assert_no_error (error);

  /* What the window's timer does every few seconds. */
  g_assert_true (traj_store_poll_external_changes (f->store));
  spin ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (traj_window_get_patient_list (win))), ==, 1);
  g_assert_false (traj_store_poll_external_changes (f->store));

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static gint64
tablet_phq9 (TrajStore *store, gint64 patient_id, TrajSource source, int item9)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  static int n;

  /* A minute apart: two in one minute would be refused as one entered twice. */
  a->patient_id = patient_id;
  a->taken_at = traj_time_now () - 600 + 60 * n++;
  a->source = source;
  a->timing = TRAJ_TIMING_BETWEEN;
  for (guint k = 0; k < 9; k++)
    a->items[k] = k == TRAJ_PHQ9_ITEM9 ? item9 : 1;
  g_assert_true (traj_store_insert_assessment (store, a, &error));
  g_assert_no_error (error);
  return a->id;
}

/* A tablet's submission (another program on the clinic file) reloaded the
 * open patient twice: once by the page, once more by the window. Once is
 * enough, and shows the new scores. */
static void
test_window_tablet_reloads_once (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) tablet = traj_store_open (f->path, &error);
  g_autoptr(TrajPatient) p = traj_patient_new ();
  TrajPatientPage *page;
  TrajWindow *win;
  guint before;

  g_assert_no_error (error);
  p->mrn = g_strdup ("ONCE-1");
  p->name = g_strdup ("Olive Once");
  p->birth_day = traj_day_from_ymd (1971, 3, 4);
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);

  win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  current = win;
  gtk_window_present (GTK_WINDOW (win));
  spin ();
  traj_window_show_patient (win, p->id);
  spin ();
  page = TRAJ_PATIENT_PAGE (traj_window_get_patient_page (win));
  g_assert_cmpint (traj_patient_page_get_patient (page), ==, p->id);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (page)), ==, 0);
  before = traj_patient_page_get_n_loads (page);

  tablet_phq9 (tablet, p->id, TRAJ_SOURCE_TABLET, 0);
  g_assert_true (traj_store_poll_external_changes (f->store));
  spin ();
  g_assert_cmpuint (traj_patient_page_get_n_loads (page), ==, before + 1);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (page)), ==, 1);

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static TrajSafetyAlerts *
alerts_of (TrajWindow *win)
{
  return TRAJ_SAFETY_ALERTS (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "safety_alerts"));
}

/* A PHQ-9 item 9 answered on the tablet (another program on the same
 * clinic file) raises an alert on every open clinician window, naming the
 * patient and the answer; it stays until that window opens the patient. A
 * clinician's own entry, or an item 9 of 0, raises none. */
static void
test_window_safety_alert (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) tablet = traj_store_open (f->path, &error);
  g_autoptr(TrajStore) second = traj_store_open (f->path, &error);
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatient) q = traj_patient_new ();
  TrajWindow *win, *other;
  TrajSafetyAlerts *alerts, *other_alerts;
  const char *text;

  g_assert_no_error (error);
  p->mrn = g_strdup ("SAFE-1");
  p->name = g_strdup ("Ruth Tablet");
  p->birth_day = traj_day_from_ymd (1975, 4, 2);
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  q->mrn = g_strdup ("SAFE-2");
  q->name = g_strdup ("Sam Desk");
  q->birth_day = traj_day_from_ymd (1982, 8, 9);
  g_assert_true (traj_store_insert_patient (f->store, q, &error));
  g_assert_no_error (error);

  win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  other = g_object_ref_sink (traj_window_new (NULL, second, f->settings));
  current = win;
  gtk_window_present (GTK_WINDOW (win));
  gtk_window_present (GTK_WINDOW (other));
  spin ();
  alerts = alerts_of (win);
  other_alerts = alerts_of (other);
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (alerts), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (alerts)));

  /* Not alerts: a tablet PHQ-9 with item 9 at 0, a clinician's entry. */
  tablet_phq9 (tablet, p->id, TRAJ_SOURCE_TABLET, 0);
  tablet_phq9 (tablet, q->id, TRAJ_SOURCE_CLINICIAN, 2);
  g_assert_true (traj_store_poll_external_changes (f->store));
  g_assert_true (traj_store_poll_external_changes (second));
  spin ();
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (alerts), ==, 0);

  /* The tablet's item 9 answer: both windows, by the poll every window runs. */
  tablet_phq9 (tablet, p->id, TRAJ_SOURCE_TABLET, 2);
  g_assert_true (traj_store_poll_external_changes (f->store));
  g_assert_true (traj_store_poll_external_changes (second));
  spin ();
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (alerts), ==, 1);
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (other_alerts), ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (alerts)));
  text = traj_safety_alerts_get_text (alerts, 0);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Ruth Tablet"));
  g_assert_nonnull (strstr (text, "SAFE-1"));
  g_assert_nonnull (strstr (text, "PHQ-9 item 9"));
  g_assert_nonnull (strstr (text, "More than half the days"));

  /* It stays: later changes, other patients opened, do not take it away. */
  tablet_phq9 (tablet, q->id, TRAJ_SOURCE_TABLET, 0);
  g_assert_true (traj_store_poll_external_changes (f->store));
  spin ();
  traj_window_show_patient (win, q->id);
  spin ();
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (alerts), ==, 1);

  /* "Open Patient" opens Ruth here: this window's alert goes, for good;
   * the other window's stays until someone opens her there. */
  g_signal_emit_by_name (alerts, "open-patient", p->id);
  spin ();
  g_assert_cmpint (traj_window_get_patient_id (win), ==, p->id);
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (alerts), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (alerts)));
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (other_alerts), ==, 1);
  tablet_phq9 (tablet, q->id, TRAJ_SOURCE_CLINICIAN, 0);
  g_assert_true (traj_store_poll_external_changes (f->store));
  spin ();
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (alerts), ==, 0);
  traj_window_show_patient (other, p->id);
  spin ();
  g_assert_cmpuint (traj_safety_alerts_get_n_shown (other_alerts), ==, 0);

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (other));
  g_assert_finalize_object (other);
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

static const char *
cohort_results_page (TrajWindow *win)
{
  GtkWidget *view = traj_window_get_cohort_view (win);
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (view, TRAJ_TYPE_COHORT_VIEW, "results_stack"));
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
show_view (TrajWindow *win, const char *name)
{
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "view_stack"));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), name);
}

static void
wait_for_cohorts (TrajWindow *win)
{
  TrajCohortView *view = TRAJ_COHORT_VIEW (traj_window_get_cohort_view (win));

  WAIT_UNTIL (!traj_cohort_view_is_busy (view) && traj_cohort_view_get_report (view) != NULL);
  spin ();
}

/* Cohorts on their first visit after a change, and on the next visit after
 * another: computed, shown, and counting the change (warnings are fatal). */
static void
test_window_cohorts_after_change (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  TrajWindow *win;
  guint before;

  g_assert_true (traj_demo_generate (f->store, 7, 25, traj_day_from_ymd (2026, 6, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  current = win;
  gtk_window_present (GTK_WINDOW (win));
  spin ();

  p->mrn = g_strdup ("CH-0001");
  p->name = g_strdup ("Cora Change");
  p->birth_day = traj_day_from_ymd (1980, 2, 3);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  spin ();

  show_view (win, "cohorts");
  wait_for_cohorts (win);
  g_assert_cmpstr (cohort_results_page (win), ==, "results");
  before = traj_cohort_view_get_report (TRAJ_COHORT_VIEW (traj_window_get_cohort_view (win)))->courses->len;

  show_view (win, "patients");
  spin ();
  c->patient_id = p->id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = traj_day_from_ymd (2026, 5, 1);
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  spin ();
  show_view (win, "cohorts");
  wait_for_cohorts (win);
  g_assert_cmpstr (cohort_results_page (win), ==, "results");
  g_assert_cmpuint (traj_cohort_view_get_report (TRAJ_COHORT_VIEW (traj_window_get_cohort_view (win)))->courses->len, ==,
                    before + 1);

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}


/* Typing a search while a patient's row has the keyboard focus (the search
 * entry captures the keys) until nothing matches: the list gives way to "No
 * Matching Patients" and the focus goes to the search. GTK 4.8 otherwise
 * keeps a dangling focus in the emptied list ("gtk_widget_is_ancestor:
 * assertion 'GTK_IS_WIDGET (widget)' failed" on the next frame). */
static void
test_window_search_away_from_focused_row (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  TrajWindow *win;
  GtkWidget *search, *list_view;
  GdkFrameClock *clock;
  gint64 frame;

  g_assert_true (traj_demo_generate (f->store, 7, 25, traj_day_from_ymd (2026, 6, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  current = win;
  gtk_window_present (GTK_WINDOW (win));
  spin ();

  list_view = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "list_view"));
  search = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "search_entry"));
  /* A patient is open beside the list, as after a click on their row. */
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (traj_window_get_patient_list (win)), 0);
    traj_window_show_patient (win, traj_patient_item_get_summary (item)->id);
  }
  spin ();
  g_assert_true (gtk_widget_grab_focus (list_view));
  spin ();
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (win)), list_view));

  gtk_editable_set_text (GTK_EDITABLE (search), "no such patient");
  g_signal_emit_by_name (search, "search-changed");
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (win));
  frame = gdk_frame_clock_get_frame_counter (clock);
  gtk_widget_queue_allocate (GTK_WIDGET (win));
  WAIT_UNTIL (gdk_frame_clock_get_frame_counter (clock) >= frame + 2);
  spin ();
  g_assert_cmpstr (visible_list_page (win), ==, "no-results");
  /* Typing goes on in the search. */
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (win)), search));

  current = NULL;
  gtk_window_destroy (GTK_WINDOW (win));
  g_assert_finalize_object (win);
}

/* An error that names a path with "&" or "<" (an attack run's --database)
 * is shown as it is: a status page's description is markup, and the raw
 * text showed nothing and warned (warnings are fatal here). */
static void
test_status_text_not_markup (void)
{
  GtkWidget *win = gtk_window_new ();
  GtkWidget *page = adw_status_page_new ();

  gtk_window_set_child (GTK_WINDOW (win), page);
  traj_gui_status_page_set_text (page, "There is no clinic at “/tmp/a&b/<c>.db”.");
  gtk_window_present (GTK_WINDOW (win));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)), ==,
                   "There is no clinic at “/tmp/a&amp;b/&lt;c&gt;.db”.");
  gtk_window_destroy (GTK_WINDOW (win));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add_func ("/window/status-text-not-markup", test_status_text_not_markup);
  g_test_add ("/window/empty-clinic", Fixture, NULL, fixture_setup, test_window_empty_clinic, fixture_teardown);
  g_test_add ("/window/finds-patients", Fixture, NULL, fixture_setup, test_window_finds_patients, fixture_teardown);
  g_test_add ("/window/cohorts-after-change", Fixture, NULL, fixture_setup, test_window_cohorts_after_change, fixture_teardown);
  g_test_add ("/window/search-away-from-focused-row", Fixture, NULL, fixture_setup,
              test_window_search_away_from_focused_row, fixture_teardown);
  g_test_add ("/window/sees-other-programs", Fixture, NULL, fixture_setup, test_window_sees_other_programs, fixture_teardown);
  g_test_add ("/window/tablet-reloads-once", Fixture, NULL, fixture_setup, test_window_tablet_reloads_once,
              fixture_teardown);
  g_test_add ("/window/safety-alert", Fixture, NULL, fixture_setup, test_window_safety_alert, fixture_teardown);
  return g_test_run ();
}
