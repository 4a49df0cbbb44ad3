/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician's workspace driven through its real widgets: create a
 * patient and a course, delete a record and undo, and keep typed work. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "traj-course-editor.h"
#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-exchange.h"
#include "traj-date-entry.h"
#include "traj-patient-editor.h"
#include "traj-patient-page-private.h"
#include "traj-window.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  GSettings *settings;
  TrajWindow *win;
} Fixture;

static void
spin (Fixture *f)
{
  do
    while (g_main_context_iteration (NULL, FALSE))
      ;
  while (f->win && traj_window_is_busy (f->win) && g_main_context_iteration (NULL, TRUE));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("traj-workspace-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new (APP_ID);
  f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  gtk_window_present (GTK_WINDOW (f->win));
  spin (f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  TrajWindow *win = f->win;

  spin (f);
  f->win = NULL;
  if (win)
    {
      gtk_window_destroy (GTK_WINDOW (win));
      g_assert_finalize_object (win);
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

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static GtkWidget *
child (gpointer widget, GType type, const char *name)
{
  GObject *o = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);
  g_assert_nonnull (o);
  return GTK_WIDGET (o);
}

static gint64
create_patient (Fixture *f, const char *mrn, const char *name)
{
  TrajPatientEditor *editor;
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(GError) error = NULL;

  gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  g_assert_nonnull (editor);
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));

  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), mrn);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), name);
  /* A birth date in the future is refused with the store's message. */
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")), traj_day_today () + 3);
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_true (gtk_widget_get_visible (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_error")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_error"))), ==,
                   "The birth date is in the future.");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                           traj_day_from_ymd (1979, 4, 2));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  spin (f);

  p = traj_store_find_patient_by_mrn (f->store, mrn, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->name, ==, name);
  g_assert_cmpint (p->birth_day, ==, traj_day_from_ymd (1979, 4, 2));
  /* The new patient is open. */
  g_assert_cmpint (traj_window_get_patient_id (f->win), ==, p->id);
  return p->id;
}

static void
test_patient_course_delete_undo (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 pid = create_patient (f, "W-100", "Grace Hopper");
  GtkWidget *page = traj_window_get_patient_page (f->win);
  TrajCourseEditor *course_editor;
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  g_autoptr(TrajPatientRecords) undone = NULL;
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  AdwToast *toast;
  const int items[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 0 };

  /* A duplicate MRN is refused by the store and the editor stays open. */
  {
    TrajPatientEditor *editor;
    gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
    spin (f);
    editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
    gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "W-100");
    gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Someone Else");
    traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                             traj_day_from_ymd (1990, 1, 1));
    g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
    g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 1);
    traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
    spin (f);
  }

  /* New course from the page's action; the primary scale follows the indication. */
  gtk_widget_activate_action (page, "patient.new-course", NULL);
  spin (f);
  course_editor = find_toplevel (TRAJ_TYPE_COURSE_EDITOR);
  g_assert_nonnull (course_editor);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (course_editor, TRAJ_TYPE_COURSE_EDITOR, "indication_row")),
                              TRAJ_INDICATION_PTSD);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (course_editor, TRAJ_TYPE_COURSE_EDITOR, "scale_row"))),
                    ==, TRAJ_SCALE_PCL5 - 1);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (course_editor)));
  spin (f);

  r = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->courses->len, ==, 1);
  g_assert_cmpint (((TrajCourse *) g_ptr_array_index (r->courses, 0))->primary_scale, ==, TRAJ_SCALE_PCL5);
  g_assert_cmpint (((TrajCourse *) g_ptr_array_index (r->courses, 0))->induction_length, ==, 6);

  /* A score appears in the timeline; deleting it hides it and Undo brings it back. */
  a->patient_id = pid;
  a->taken_at = traj_time_now () - 600;
  memcpy (a->items, items, sizeof items);
  g_assert_true (traj_store_insert_assessment (f->store, a, &error));
  spin (f);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (TRAJ_PATIENT_PAGE (page))), ==, 1);

  gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_ASSESSMENT, a->id);
  spin (f);
  after = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_cmpuint (after->assessments->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (TRAJ_PATIENT_PAGE (page))), ==, 0);
  toast = traj_patient_page_get_last_toast (TRAJ_PATIENT_PAGE (page));
  g_assert_nonnull (toast);
  g_signal_emit_by_name (toast, "button-clicked");
  spin (f);
  undone = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_cmpuint (undone->assessments->len, ==, 1);
  g_assert_cmpint (((TrajAssessment *) g_ptr_array_index (undone->assessments, 0))->total, ==, 8);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (TRAJ_PATIENT_PAGE (page))), ==, 1);

  /* Every change is in the audit trail: patient, course, assessment insert,
   * delete and undelete. */
  {
    g_autoptr(GPtrArray) audit = traj_store_list_audit (f->store, a->uid, &error);
    g_assert_cmpuint (audit->len, ==, 3);
  }
}

static void
test_close_asks_about_unsaved (Fixture *f, gconstpointer data)
{
  TrajPatientEditor *editor;

  gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Half typed");
  g_assert_true (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (editor)));

  /* Closing the editor or the main window asks first; both stay. */
  gtk_window_close (GTK_WINDOW (editor));
  spin (f);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  gtk_window_close (GTK_WINDOW (f->win));
  spin (f);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->win)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  g_assert_nonnull (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  {
    AdwMessageDialog *ask = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    adw_message_dialog_response (ask, "keep");
    gtk_window_destroy (GTK_WINDOW (ask));
    spin (f);
  }
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);
  /* Close any remaining question windows. */
  {
    AdwMessageDialog *ask;
    while ((ask = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)))
      {
        adw_message_dialog_response (ask, "keep");
        gtk_window_destroy (GTK_WINDOW (ask));
        spin (f);
      }
  }
}


static GtkWidget *
find_button_with_label (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button_with_label (c, label);
      if (found)
        return found;
    }
  return NULL;
}

/* Closing the window with a form's own "Discard Changes?" still open, and
 * answering the window's question with Discard, closes all four windows
 * cleanly (with warnings fatal: no dialog may outlive the window it belongs
 * to). The window is held only by GTK, as in the app. */
static void
test_close_discards_unsaved (Fixture *f, gconstpointer data)
{
  TrajWindow *win = f->win;
  TrajPatientEditor *editor;
  AdwMessageDialog *ask_form = NULL, *ask_window = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  gtk_widget_activate_action (GTK_WIDGET (win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  g_assert_nonnull (editor);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Half typed");
  gtk_window_close (GTK_WINDOW (editor));
  spin (f);
  ask_form = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (ask_form);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (ask_form)) == GTK_WINDOW (editor));
  g_object_add_weak_pointer (G_OBJECT (ask_form), (gpointer *) &ask_form);

  f->win = NULL;
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &win);
  g_object_unref (win);
  gtk_window_close (GTK_WINDOW (win));
  spin (f);
  g_assert_nonnull (win);
  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (GTK_WINDOW (w)) == GTK_WINDOW (win))
        ask_window = ADW_MESSAGE_DIALOG (w);
    }
  g_assert_nonnull (ask_window);
  g_object_add_weak_pointer (G_OBJECT (ask_window), (gpointer *) &ask_window);

  /* As a click on the button. */
  g_signal_emit_by_name (find_button_with_label (GTK_WIDGET (ask_window), "_Discard and Close"), "clicked");
  spin (f);
  g_assert_null (ask_window);
  g_assert_null (ask_form);
  g_assert_null (editor);
  g_assert_null (win);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 0);
}

static AdwMessageDialog *
wait_for_message (Fixture *f)
{
  AdwMessageDialog *dialog = NULL;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (dialog == NULL && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    }
  g_assert_nonnull (dialog);
  return dialog;
}

static void
on_imported (gpointer data)
{
  traj_window_reload (data);
}

static void
test_import_from_menu (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src_path = g_build_filename (f->dir, "source.db", NULL);
  g_autofree char *csv_dir = g_build_filename (f->dir, "csv", NULL);
  g_autofree char *bad_dir = g_build_filename (f->dir, "bad", NULL);
  g_autofree char *bad_file = g_build_filename (bad_dir, "patients.csv", NULL);
  g_autofree char *header = NULL, *contents = NULL;
  g_autoptr(TrajStore) source = traj_store_open (src_path, &error);
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  AdwMessageDialog *dialog;

  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (source, 11, 12, traj_day_from_ymd (2026, 5, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_true (traj_csv_export (source, csv_dir, report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* A file with one bad row: nothing is written and the row is named. */
  {
    g_autofree char *good = g_build_filename (csv_dir, "patients.csv", NULL);
    g_auto(GStrv) lines = NULL;
    g_assert_true (g_file_get_contents (good, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\r\n", 3);
    g_mkdir_with_parents (bad_dir, 0700);
    header = g_strdup_printf ("%s\r\n%s\r\n", lines[0], lines[1]);
    /* Break the birth date of the first patient. */
    {
      g_autofree char *broken = NULL;
      g_auto(GStrv) cells = g_strsplit (lines[1], ",", -1);
      g_auto(GStrv) head = g_strsplit (lines[0], ",", -1);
      for (guint k = 0; head[k]; k++)
        if (g_str_equal (head[k], "birth_date"))
          {
            g_free (cells[k]);
            cells[k] = g_strdup ("2999-01-01");
          }
      broken = g_strjoinv (",", cells);
      g_free (header);
      header = g_strdup_printf ("%s\r\n%s\r\n", lines[0], broken);
    }
    g_assert_true (g_file_set_contents (bad_file, header, -1, NULL));
  }
  traj_exchange_run_on_path (GTK_WINDOW (f->win), f->store, TRAJ_EXCHANGE_IMPORT_CSV, bad_dir,
                             G_CALLBACK (on_imported), f->win);
  dialog = wait_for_message (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Nothing Was Imported");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 0);

  /* The whole export: every patient arrives and the list shows them. */
  traj_exchange_run_on_path (GTK_WINDOW (f->win), f->store, TRAJ_EXCHANGE_IMPORT_CSV, csv_dir,
                             G_CALLBACK (on_imported), f->win);
  dialog = wait_for_message (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Done");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 12);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (traj_window_get_patient_list (f->win))), ==, 12);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/workspace/patient-course-delete-undo", Fixture, NULL, fixture_setup,
              test_patient_course_delete_undo, fixture_teardown);
  g_test_add ("/workspace/close-asks-about-unsaved", Fixture, NULL, fixture_setup,
              test_close_asks_about_unsaved, fixture_teardown);
  g_test_add ("/workspace/close-discards-unsaved", Fixture, NULL, fixture_setup,
              test_close_discards_unsaved, fixture_teardown);
  g_test_add ("/workspace/import-from-menu", Fixture, NULL, fixture_setup,
              test_import_from_menu, fixture_teardown);
  return g_test_run ();
}
