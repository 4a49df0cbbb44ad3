/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician's workspace driven through its real widgets: create a
 * patient and a course, delete a record and undo, and keep typed work. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "traj-chart-view.h"
#include "traj-course-editor.h"
#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-exchange.h"
#include "traj-infusion-editor-private.h"
#include "traj-rems-group.h"
#include "traj-date-entry.h"
#include "traj-patient-editor.h"
#include "traj-medication-editor.h"
#include "traj-outcomes.h"
#include "traj-patient-page-private.h"
#include "traj-report-print.h"
#include "traj-rems-export.h"
#include "traj-timeline.h"
#include "traj-toast-guard.h"
#include "traj-window.h"
#include "traj-gui.h"

#include "test-gui-fixture.h"
#include "test-wait.h"

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
find_label_containing (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label_containing (c, text);
      if (found)
        return found;
    }
  return NULL;
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
on_imported (GObject *source, GAsyncResult *result, gpointer data)
{
  if (traj_exchange_run_finish (result, NULL))
    traj_window_reload (TRAJ_WINDOW (source));
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
  traj_exchange_run_on_path_async (GTK_WINDOW (f->win), f->store, TRAJ_EXCHANGE_IMPORT_CSV, bad_dir,
                                   NULL, on_imported, NULL);
  dialog = wait_for_message (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Nothing Was Imported");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 0);

  /* The whole export: every patient arrives and the list shows them. */
  traj_exchange_run_on_path_async (GTK_WINDOW (f->win), f->store, TRAJ_EXCHANGE_IMPORT_CSV, csv_dir,
                                   NULL, on_imported, NULL);
  dialog = wait_for_message (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Done");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 12);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (traj_window_get_patient_list (f->win))), ==, 12);
}

/* ---- undo of every delete the UI offers, decisions -------------------------- */


static void
assert_undelete_audited (Fixture *f, const char *uid, const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audit = traj_store_list_audit (f->store, uid, &error);
  const TrajAuditEvent *e;

  g_assert_no_error (error);
  g_assert_cmpuint (audit->len, >=, 3);
  e = g_ptr_array_index (audit, 0);                 /* newest first */
  g_assert_cmpstr (e->action, ==, "undelete");
  g_assert_cmpstr (e->record_kind, ==, kind);
  g_assert_cmpstr (e->clinician, ==, "Dr Undo");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (audit, 1))->action, ==, "delete");
}

/* Every delete the UI offers (a patient from More, an infusion or scores
 * from the timeline) is undone by the notification's Undo: the record is
 * back in the clinic, on screen, and the undelete is in the audit trail. */
static void
test_undo_every_delete (Fixture *f, gconstpointer data)
{
  GtkWidget *page = traj_window_get_patient_page (f->win);
  TrajPatientPage *pp = TRAJ_PATIENT_PAGE (page);
  TrajPatientList *list = traj_window_get_patient_list (f->win);
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(TrajInfusion) i = NULL;
  g_autoptr(TrajAssessment) a = NULL;
  g_autoptr(GError) error = NULL;
  gint32 today = traj_day_today ();
  gint64 pid, other, cid;

  traj_store_set_clinician (f->store, "Dr Undo");
  pid = store_patient (f, "U-1", "Una Undo");
  other = store_patient (f, "U-2", "Otto Other");
  cid = store_course (f, pid, today - 20, 6);
  i = store_infusion (f, pid, cid, today - 19, 130);
  a = store_phq9 (f, pid, cid, today - 18, 12);
  p = traj_store_get_patient (f->store, pid, &error);
  traj_window_show_patient (f->win, pid);
  spin (f);
  page = traj_window_get_patient_page (f->win);
  pp = TRAJ_PATIENT_PAGE (page);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (pp)), ==, 2);

  /* An infusion, from its timeline row. */
  gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_INFUSION, i->id);
  spin (f);
  g_assert_cmpint (traj_timeline_find (TRAJ_TIMELINE (traj_patient_page_get_timeline (pp)), TRAJ_KIND_INFUSION, i->id), <, 0);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 0);
  /* The toast names what went, and stays long enough to be read. */
  {
    AdwToast *toast = traj_patient_page_get_last_toast (pp);
    g_autofree char *day = traj_day_format (today - 19);
    g_autofree char *title = g_strdup_printf ("Infusion of %s deleted", day);

    g_assert_cmpstr (adw_toast_get_title (toast), ==, title);
    g_assert_cmpuint (adw_toast_get_timeout (toast), ==, TRAJ_UNDO_TIMEOUT_S);
    g_assert_cmpuint (adw_toast_get_timeout (toast), >=, 10);
  }
  click_undo (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 1);
  g_assert_cmpint (traj_timeline_find (TRAJ_TIMELINE (traj_patient_page_get_timeline (pp)), TRAJ_KIND_INFUSION, i->id), >=, 0);
  assert_undelete_audited (f, i->uid, "infusion");

  /* Scores, from theirs. */
  gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_ASSESSMENT, a->id);
  spin (f);
  g_assert_cmpint (traj_timeline_find (TRAJ_TIMELINE (traj_patient_page_get_timeline (pp)), TRAJ_KIND_ASSESSMENT, a->id), <, 0);
  {
    g_autofree char *day = traj_day_format (today - 18);
    g_autofree char *title = g_strdup_printf ("PHQ-9 of %s deleted", day);

    g_assert_cmpstr (adw_toast_get_title (traj_patient_page_get_last_toast (pp)), ==, title);
  }
  click_undo (f);
  g_assert_cmpint (traj_timeline_find (TRAJ_TIMELINE (traj_patient_page_get_timeline (pp)), TRAJ_KIND_ASSESSMENT, a->id), >=, 0);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_ASSESSMENT, NULL), ==, 1);
  assert_undelete_audited (f, a->uid, "assessment");

  /* The patient, from More: gone from the list and the page... */
  gtk_widget_activate_action (page, "patient.delete-patient", NULL);
  spin (f);
  g_assert_cmpint (traj_patient_list_find (list, pid), <, 0);
  g_assert_cmpint (traj_window_get_patient_id (f->win), ==, 0);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 1);
  /* ...and, undone, back in the list and open again with their records. */
  click_undo (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 2);
  g_assert_cmpint (traj_patient_list_find (list, pid), >=, 0);
  g_assert_cmpint (traj_window_get_patient_id (f->win), ==, pid);
  g_assert_cmpint (traj_patient_page_get_patient (pp), ==, pid);
  g_assert_cmpuint (g_list_model_get_n_items (traj_patient_page_get_timeline (pp)), ==, 2);
  assert_undelete_audited (f, p->uid, "patient");

  /* Undo after opening someone else still brings the deleted one back. */
  gtk_widget_activate_action (page, "patient.delete-patient", NULL);
  spin (f);
  traj_window_show_patient (f->win, other);
  spin (f);
  click_undo (f);
  g_assert_cmpint (traj_patient_list_find (list, pid), >=, 0);
  g_assert_cmpint (traj_window_get_patient_id (f->win), ==, pid);
  g_assert_cmpint (traj_patient_page_get_patient (pp), ==, pid);
}

/* ---- a toast that has just appeared cannot be dismissed ------------------- */

static gboolean
is_inside (GtkWidget *widget, GtkWidget *ancestor)
{
  for (; widget; widget = gtk_widget_get_parent (widget))
    if (widget == ancestor)
      return TRUE;
  return FALSE;
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

/* What a pointer click at the middle of @button would reach. */
static GtkWidget *
pick_at (Fixture *f, GtkWidget *button)
{
  graphene_point_t mid, in_window;
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (button, button, &bounds));
  graphene_rect_get_center (&bounds, &mid);
  g_assert_true (gtk_widget_compute_point (button, GTK_WIDGET (f->win), &mid, &in_window));
  return gtk_widget_pick (GTK_WIDGET (f->win), in_window.x, in_window.y, GTK_PICK_DEFAULT);
}

static gboolean
escape_is_stopped (Fixture *f)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (traj_window_get_patient_page (f->win),
                                                ADW_TYPE_TOAST_OVERLAY);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (overlay);
  gboolean stopped = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (c), "traj-toast-guard") == 0)
        {
          g_signal_emit_by_name (c, "key-pressed", GDK_KEY_Escape, 9, 0, &stopped);
          return stopped;
        }
    }
  g_assert_not_reached ();
}

/* libadwaita 1.2 crashes when a toast is dismissed before its own show
 * animation ends (see traj-toast-guard.c): with animations on, a toast that
 * has just appeared, or replaced another, takes no click and no Escape;
 * once it has arrived its Undo works and nothing is left running. */
static void
test_toast_guard (Fixture *f, gconstpointer data)
{
  GtkWidget *page = traj_window_get_patient_page (f->win);
  GtkWidget *overlay = gtk_widget_get_ancestor (page, ADW_TYPE_TOAST_OVERLAY);
  gint32 today = traj_day_today ();
  g_autoptr(TrajInfusion) i = NULL;
  g_autoptr(TrajAssessment) a = NULL;
  AdwToast *toast;
  GtkWidget *shown, *button;
  gint64 pid, cid, deadline;

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);
  pid = store_patient (f, "G-1", "Gus Guard");
  cid = store_course (f, pid, today - 20, 6);
  i = store_infusion (f, pid, cid, today - 19, 130);
  a = store_phq9 (f, pid, cid, today - 18, 12);
  traj_window_show_patient (f->win, pid);
  spin (f);
  page = traj_window_get_patient_page (f->win);

  /* Two deletes in a row: the second toast replaces the first. */
  for (guint n = 0; n < 2; n++)
    {
      if (n == 0)
        gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_INFUSION, i->id);
      else
        gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_ASSESSMENT, a->id);
      /* No main loop iteration here: on a slow machine the guard's time
       * could pass before the checks. The toast's widget is there at once
       * (libadwaita shows it synchronously), and so is the guard. */
      toast = traj_patient_page_get_last_toast (TRAJ_PATIENT_PAGE (page));
      g_assert_nonnull (toast);
      shown = toast_widget (GTK_WIDGET (f->win), toast);
      g_assert_nonnull (shown);
      g_assert_false (gtk_widget_get_can_target (shown));
      g_assert_false (gtk_widget_get_can_focus (shown));
      g_assert_true (traj_toast_guard_is_armed (ADW_TOAST_OVERLAY (overlay)));
      g_assert_true (escape_is_stopped (f));
    }
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 0);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_ASSESSMENT, NULL), ==, 0);

  /* Once arrived, the click reaches Undo. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (traj_toast_guard_is_armed (ADW_TOAST_OVERLAY (overlay)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (traj_toast_guard_is_armed (ADW_TOAST_OVERLAY (overlay)));
  g_assert_false (escape_is_stopped (f));
  button = find_button (shown, "_Undo");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_can_target (shown));
  g_assert_true (is_inside (pick_at (f, button), button));
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_ASSESSMENT, NULL), ==, 1);

  /* Let every animation run out: a freed toast would be touched here. */
  {
    gboolean done = FALSE;

    g_timeout_add_once (1000, (GSourceOnceFunc) set_true, &done);
    while (!done)
      g_main_context_iteration (NULL, TRUE);
  }
}

static GtkWidget *
find_type (GtkWidget *widget, GType type, guint *skip)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (*skip)-- == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_type (c, type, skip);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
nth_of_type (gpointer widget, GType type, guint n)
{
  GtkWidget *w = find_type (GTK_WIDGET (widget), type, &n);
  g_assert_nonnull (w);
  return w;
}

/* As the dialog's button does: close, then answer. */
static void
respond (Fixture *f, AdwMessageDialog *dialog, const char *response)
{
  g_object_ref (dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  adw_message_dialog_response (dialog, response);
  g_object_unref (dialog);
  spin (f);
}

/* A patient with a course 31 days ago: baseline 20, two induction infusions
 * (the second with a systolic of 195: a monitoring event), response (8),
 * then 16 and 17 three days apart: "a booster might be discussed"
 * (CLINICAL.md §3). Opened in the window; returns its id. */
static gint64
show_booster_patient (Fixture *f, const char *mrn, const char *name)
{
  gint32 today = traj_day_today ();
  gint64 pid = store_patient (f, mrn, name);
  gint64 cid = store_course (f, pid, today - 31, 2);
  static const int days[] = { 31, 27, 10, 7 }, totals[] = { 20, 8, 16, 17 };

  for (guint k = 0; k < G_N_ELEMENTS (days); k++)
    traj_assessment_free (store_phq9 (f, pid, cid, today - days[k], totals[k]));
  traj_infusion_free (store_infusion (f, pid, cid, today - 30, 130));
  traj_infusion_free (store_infusion (f, pid, cid, today - 29, 195));
  traj_window_show_patient (f->win, pid);
  spin (f);
  return pid;
}

static float
window_bottom_of (Fixture *f, GtkWidget *widget)
{
  graphene_rect_t r;

  if (!gtk_widget_compute_bounds (widget, GTK_WIDGET (f->win), &r))
    return -1;
  return r.origin.y + r.size.height;
}

static float
window_top_of (Fixture *f, GtkWidget *widget)
{
  graphene_rect_t r;

  if (!gtk_widget_compute_bounds (widget, GTK_WIDGET (f->win), &r))
    return -1;
  return r.origin.y;
}

/* A notification at the bottom of the window covered the chart's date
 * labels (a trial finding): while one is on screen, the page ends above
 * it, and takes the whole height back once it has gone. */
static void
test_toast_covers_nothing (Fixture *f, gconstpointer data)
{
  TrajPatientPage *pp;
  GtkWidget *shown, *scroller;
  AdwToast *toast = adw_toast_new ("Infusion of 3 Dec 2026 deleted");
  float full;

  show_booster_patient (f, "T-1", "Tia Toast");
  pp = TRAJ_PATIENT_PAGE (traj_window_get_patient_page (f->win));
  scroller = pp->scroller;
  full = window_bottom_of (f, scroller);
  g_assert_cmpfloat (full, >, 0);

  adw_toast_set_timeout (toast, 0);
  traj_window_add_toast (f->win, g_object_ref (toast));
  shown = toast_widget (GTK_WIDGET (f->win), toast);
  g_assert_nonnull (shown);
  WAIT_UNTIL (gtk_widget_get_mapped (shown) && window_top_of (f, shown) > 0 &&
              window_bottom_of (f, scroller) < full);
  spin (f);
  g_assert_cmpfloat (window_bottom_of (f, scroller), <=, window_top_of (f, shown));
  /* The chart is on the page, not under the toast. */
  g_assert_cmpfloat (window_bottom_of (f, GTK_WIDGET (traj_chart_panel_get_view (pp->chart))), >, 0);

  adw_toast_dismiss (toast);
  WAIT_UNTIL (window_bottom_of (f, scroller) == full);
  g_object_unref (toast);
}

/* The hint under a decision dialog's fields: the shown page of its stack. */
static GtkWidget *
decision_hint (AdwMessageDialog *dialog)
{
  GtkWidget *stack = nth_of_type (adw_message_dialog_get_extra_child (dialog), GTK_TYPE_STACK, 0);

  return gtk_stack_get_visible_child (GTK_STACK (stack));
}

/* How tall the dialog's extra part is at the dialog's width. */
static int
extra_height (AdwMessageDialog *dialog)
{
  GtkWidget *extra = adw_message_dialog_get_extra_child (dialog);
  int width = gtk_widget_get_width (extra), natural = 0;

  g_assert_cmpint (width, >, 0);
  gtk_widget_measure (extra, GTK_ORIENTATION_VERTICAL, width, NULL, &natural, NULL, NULL);
  return natural;
}

/* A patient whose six induction infusions brought no response: baseline
 * 20, then 18 after the sixth (CLINICAL.md "No response after induction"). */
static gint64
show_no_response_patient (Fixture *f, const char *mrn, const char *name)
{
  gint32 today = traj_day_today ();
  gint64 pid = store_patient (f, mrn, name);
  gint64 cid = store_course (f, pid, today - 20, 6);

  traj_assessment_free (store_phq9 (f, pid, cid, today - 20, 20));
  for (int k = 0; k < 6; k++)
    traj_infusion_free (store_infusion (f, pid, cid, today - 19 + 2 * k, 130));
  traj_assessment_free (store_phq9 (f, pid, cid, today - 5, 18));
  traj_window_show_patient (f->win, pid);
  spin (f);
  return pid;
}

/* The no-response finding has one decision: its dialog says which it
 * records, and Acknowledge's name hint speaks of acknowledging. */
static void
test_decision_dialog_single (Fixture *f, gconstpointer data)
{
  GtkWidget *page;
  TrajPatientPage *pp;
  AdwMessageDialog *dialog;
  GtkWidget *button, *by;
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pid;
  int height;

  g_settings_set_string (f->settings, "clinician-name", "Dr Settings");
  pid = show_no_response_patient (f, "N-1", "Nora None");
  page = traj_window_get_patient_page (f->win);
  pp = TRAJ_PATIENT_PAGE (page);
  button = find_button (page, "_Decide…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Record a Decision");
  {
    guint first = 0;

    g_assert_null (find_type (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON, &first));
  }
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (nth_of_type (adw_message_dialog_get_extra_child (dialog),
                                                                GTK_TYPE_LABEL, 0))),
                   ==, "Decision: Plan reviewed");
  height = extra_height (dialog);
  by = nth_of_type (dialog, GTK_TYPE_ENTRY, 0);
  gtk_editable_set_text (GTK_EDITABLE (by), "");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "record"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (decision_hint (dialog))), ==, "Enter your name to record the decision.");
  g_assert_cmpint (extra_height (dialog), ==, height);
  gtk_editable_set_text (GTK_EDITABLE (by), "Dr Other");
  respond (f, dialog, "record");
  r = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->decisions->len, ==, 1);
  g_assert_cmpstr (((TrajFlagDecision *) g_ptr_array_index (r->decisions, 0))->decision, ==,
                   TRAJ_DECISION_PLAN_REVIEWED);

  /* Acknowledge: no choice, and the hint says what the name is for. */
  g_clear_pointer (&r, traj_patient_records_free);
  pid = show_booster_patient (f, "N-2", "Nils Ack");
  button = find_button (page, "_Acknowledge…");
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Acknowledge Finding");
  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (dialog, GTK_TYPE_ENTRY, 0)), " ");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (decision_hint (dialog))), ==,
                   "Enter your name to acknowledge the finding.");
  respond (f, dialog, "cancel");
}

/* A toast about one patient's record never follows the clinician to
 * another patient: deciding on A and deleting A's score, then opening B,
 * leaves no Undo for A's records on B's page, neither at once (the toasts
 * are still arriving) nor later. A deleted patient's Undo, which names the
 * patient, stays. */
static gboolean
toast_reachable (Fixture *f, AdwToast *toast)
{
  GtkWidget *shown = toast_widget (GTK_WIDGET (f->win), toast);

  return shown != NULL && gtk_widget_get_can_target (shown) && gtk_widget_get_mapped (shown);
}

static void
test_toasts_stay_with_patient (Fixture *f, gconstpointer data)
{
  GtkWidget *page;
  TrajPatientPage *pp;
  AdwMessageDialog *dialog;
  GtkWidget *button, *overlay;
  g_autoptr(AdwToast) decided = NULL;
  g_autoptr(AdwToast) deleted = NULL;
  g_autoptr(AdwToast) removed = NULL;
  g_autoptr(TrajAssessment) a = NULL;
  gint64 pid_a, pid_b, pid_c;
  gboolean gone = FALSE;

  g_settings_set_string (f->settings, "clinician-name", "Dr Settings");
  pid_b = store_patient (f, "T-2", "Bea Other");
  pid_c = store_patient (f, "T-3", "Cy Gone");
  pid_a = show_booster_patient (f, "T-1", "Ada First");
  page = traj_window_get_patient_page (f->win);
  pp = TRAJ_PATIENT_PAGE (page);
  overlay = gtk_widget_get_ancestor (page, ADW_TYPE_TOAST_OVERLAY);

  button = find_button (page, "_Acknowledge…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  respond (f, dialog, "record");
  g_assert_nonnull (traj_patient_page_get_last_toast (pp));
  decided = g_object_ref (traj_patient_page_get_last_toast (pp));
  g_assert_true (g_str_has_suffix (adw_toast_get_title (decided), "kept under Findings History"));

  a = store_phq9 (f, pid_a, 0, traj_day_today () - 1, 12);
  spin (f);
  gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_ASSESSMENT, a->id);
  g_assert_nonnull (traj_patient_page_get_last_toast (pp));
  deleted = g_object_ref (traj_patient_page_get_last_toast (pp));
  g_assert_true (deleted != decided);

  /* B opens while the last toast is still arriving. */
  traj_window_show_patient (f->win, pid_b);
  g_assert_cmpint (traj_patient_page_get_patient (pp), ==, pid_b);
  g_assert_false (toast_reachable (f, decided));
  g_assert_false (toast_reachable (f, deleted));
  WAIT_UNTIL (!traj_toast_guard_is_armed (ADW_TOAST_OVERLAY (overlay)));
  spin (f);
  g_assert_false (toast_reachable (f, decided));
  g_assert_false (toast_reachable (f, deleted));
  /* Nothing of A's was undone on the way. */
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_ASSESSMENT, NULL), ==, 4);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (f->store, pid_a, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (r->decisions->len, ==, 1);
  }

  /* A deleted patient's Undo names them and outlives their page. */
  traj_window_show_patient (f->win, pid_c);
  spin (f);
  gtk_widget_activate_action (page, "patient.delete-patient", NULL);
  spin (f);
  g_assert_nonnull (traj_patient_page_get_last_toast (pp));
  removed = g_object_ref (traj_patient_page_get_last_toast (pp));
  g_signal_connect_swapped (removed, "dismissed", G_CALLBACK (set_true), &gone);
  g_assert_cmpstr (adw_toast_get_title (removed), ==, "Cy Gone was removed from the list");
  traj_window_show_patient (f->win, pid_b);
  WAIT_UNTIL (!traj_toast_guard_is_armed (ADW_TOAST_OVERLAY (overlay)));
  spin (f);
  g_assert_false (gone);
  g_assert_true (toast_reachable (f, removed));
  adw_toast_dismiss (removed);
  spin (f);
}

/* "Record a Decision" offers every decision with none chosen, and Record
 * waits, saying why; the name typed is the decision's, never written back
 * to the clinician name of Preferences. */
static void
test_decision_dialog (Fixture *f, gconstpointer data)
{
  GtkWidget *page = traj_window_get_patient_page (f->win);
  TrajPatientPage *pp = TRAJ_PATIENT_PAGE (page);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(GError) error = NULL;
  const TrajFlagDecision *d;
  AdwMessageDialog *dialog;
  GtkWidget *by, *button, *hint;
  gint64 pid;
  int height;

  g_settings_set_string (f->settings, "clinician-name", "Dr Settings");
  pid = show_booster_patient (f, "D-1", "Dora Decide");
  page = traj_window_get_patient_page (f->win);
  pp = TRAJ_PATIENT_PAGE (page);
  g_assert_cmpuint (traj_outcomes_n_open (traj_patient_page_get_outcomes (pp)), ==, 2);

  /* Acknowledging the monitoring event as someone else: the decision is
   * theirs; Preferences' clinician stays. */
  button = find_button (page, "_Acknowledge…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Acknowledge Finding");
  /* The patient is named above the finding (a trial saw only the finding). */
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (dialog), "Dora Decide · MRN D-1 · born 4\u00a0Mar\u00a01980\n\n"));
  by = nth_of_type (dialog, GTK_TYPE_ENTRY, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (by)), ==, "Dr Settings");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "record"));
  gtk_editable_set_text (GTK_EDITABLE (by), "Nurse Third");
  respond (f, dialog, "record");
  r = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->decisions->len, ==, 1);
  d = g_ptr_array_index (r->decisions, 0);
  g_assert_cmpstr (d->decision, ==, TRAJ_DECISION_ACKNOWLEDGED);
  g_assert_cmpstr (d->decided_by, ==, "Nurse Third");
  {
    g_autofree char *name = g_settings_get_string (f->settings, "clinician-name");
    g_assert_cmpstr (name, ==, "Dr Settings");
  }
  g_assert_cmpuint (traj_outcomes_n_open (traj_patient_page_get_outcomes (pp)), ==, 1);

  /* The booster: three decisions, none chosen; Record waits and says why. */
  button = find_button (page, "_Decide…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Record a Decision");
  for (guint k = 0; k < 3; k++)
    g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (nth_of_type (dialog, GTK_TYPE_CHECK_BUTTON, k))));
  g_assert_cmpstr (gtk_check_button_get_label (GTK_CHECK_BUTTON (nth_of_type (dialog, GTK_TYPE_CHECK_BUTTON, 0))), ==,
                   traj_decision_label (TRAJ_DECISION_BOOSTER_BOOKED));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "record"));
  by = nth_of_type (dialog, GTK_TYPE_ENTRY, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (by)), ==, "Dr Settings");
  /* The hint is the shown page of the dialog's hint stack. */
  hint = decision_hint (dialog);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (hint)), ==, "Choose a decision to record it.");
  /* Recording without a choice records nothing. */
  respond (f, dialog, "record");
  g_clear_pointer (&r, traj_patient_records_free);
  r = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_cmpuint (r->decisions->len, ==, 1);

  button = find_button (page, "_Decide…");
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  by = nth_of_type (dialog, GTK_TYPE_ENTRY, 0);
  gtk_editable_set_text (GTK_EDITABLE (by), "");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (decision_hint (dialog))), ==,
                   "Choose a decision and enter your name to record it.");
  height = extra_height (dialog);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth_of_type (dialog, GTK_TYPE_CHECK_BUTTON, 1)), TRUE);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (decision_hint (dialog))), ==, "Enter your name to record the decision.");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "record"));
  g_assert_cmpint (extra_height (dialog), ==, height);
  gtk_editable_set_text (GTK_EDITABLE (by), "Nurse Other");
  /* Nothing left to say, and Record stays where it was (a trial saw it
   * jump 28 px as the hint went). */
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (decision_hint (dialog))), ==, "");
  g_assert_cmpint (extra_height (dialog), ==, height);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "record"));
  respond (f, dialog, "record");

  g_clear_pointer (&r, traj_patient_records_free);
  r = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->decisions->len, ==, 2);
  d = g_ptr_array_index (r->decisions, 1);
  g_assert_cmpstr (d->decision, ==, TRAJ_DECISION_DECLINED);
  g_assert_cmpstr (d->decided_by, ==, "Nurse Other");
  {
    g_autofree char *name = g_settings_get_string (f->settings, "clinician-name");
    g_assert_cmpstr (name, ==, "Dr Settings");
  }
  g_assert_cmpuint (traj_outcomes_n_open (traj_patient_page_get_outcomes (pp)), ==, 0);
}

/* A decision keeps the finding in sight: the toast says where it went, the
 * Findings History (above the Timeline) says who closed it how and when,
 * and so does the chart's pin. */
static void
test_decision_kept_in_history (Fixture *f, gconstpointer data)
{
  GtkWidget *page, *history_box, *history_list, *timeline_box, *button, *row;
  TrajPatientPage *pp;
  AdwMessageDialog *dialog;
  AdwToast *toast;
  gint32 today = traj_day_today ();
  g_autofree char *today_text = traj_day_format (today);
  g_autofree char *expected = NULL;
  gboolean above = FALSE, pin_says = FALSE;

  /* As /workspace/decision-dialog: a monitoring event and a booster. */
  show_booster_patient (f, "H-1", "Hana History");
  page = traj_window_get_patient_page (f->win);
  pp = TRAJ_PATIENT_PAGE (page);
  history_box = child (page, TRAJ_TYPE_PATIENT_PAGE, "history_box");
  history_list = child (page, TRAJ_TYPE_PATIENT_PAGE, "history_list");
  timeline_box = gtk_widget_get_parent (child (page, TRAJ_TYPE_PATIENT_PAGE, "timeline_list"));
  g_assert_false (gtk_widget_get_visible (history_box));

  /* The Findings History comes before the Timeline, which can be long. */
  g_assert_true (gtk_widget_get_parent (history_box) == gtk_widget_get_parent (timeline_box));
  for (GtkWidget *w = gtk_widget_get_next_sibling (history_box); w; w = gtk_widget_get_next_sibling (w))
    above |= w == timeline_box;
  g_assert_true (above);

  button = find_button (page, "_Decide…");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth_of_type (dialog, GTK_TYPE_CHECK_BUTTON, 1)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (dialog, GTK_TYPE_ENTRY, 0)), "Dr Ana Silva");
  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (dialog, GTK_TYPE_ENTRY, 1)), "prefers to wait <2 weeks>");
  respond (f, dialog, "record");

  toast = traj_patient_page_get_last_toast (pp);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "A booster might be discussed: kept under Findings History");

  /* Declined today by Dr Ana Silva, with the note (shown as typed: the
   * row's markup is escaped, and libadwaita 1.2 gives back the text). */
  expected = g_strdup_printf ("Declined by Dr Ana Silva on %s: prefers to wait <2 weeks>", today_text);
  g_assert_true (gtk_widget_get_visible (history_box));
  row = gtk_widget_get_first_child (history_list);
  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_assert_null (gtk_widget_get_next_sibling (row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);

  /* The chart's pin of the closed finding says the same. */
  {
    TrajChartModel *model = traj_chart_view_get_model (TRAJ_CHART_VIEW (nth_of_type (page, TRAJ_TYPE_CHART_VIEW, 0)));
    TrajChartItem item = { TRAJ_CHART_ITEM_FINDING, 0 };

    g_assert_nonnull (model);
    /* What its tooltip shows, for each finding the chart pins. */
    for (item.index = 0; item.index < 32; item.index++)
      {
        g_autofree char *tip = traj_chart_model_describe_item (model, &item);
        if (tip == NULL || *tip == '\0')
          break;
        if (g_str_has_prefix (tip, "A booster might be discussed (closed)\n") && g_str_has_suffix (tip, expected))
          pin_says = TRUE;
      }
  }
  g_assert_true (pin_says);
}

/* A decision recorded by mistake had no way back. The notification's Undo
 * takes it back: the finding is open again, the decision row stays in the
 * clinic marked deleted (its value kept), and the audit trail has both. */
static void
test_decision_undo (Fixture *f, gconstpointer data)
{
  GtkWidget *page, *button;
  TrajPatientPage *pp;
  AdwMessageDialog *dialog;
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uid = NULL;
  const TrajAuditEvent *e;
  gint64 pid;

  traj_store_set_clinician (f->store, "Dr Undo");
  pid = show_booster_patient (f, "H-2", "Hugo Hasty");
  page = traj_window_get_patient_page (f->win);
  pp = TRAJ_PATIENT_PAGE (page);
  g_signal_emit_by_name (find_button (page, "_Decide…"), "clicked");
  spin (f);
  dialog = ADW_MESSAGE_DIALOG (traj_patient_page_get_decision_dialog (pp));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (nth_of_type (dialog, GTK_TYPE_CHECK_BUTTON, 1)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (nth_of_type (dialog, GTK_TYPE_ENTRY, 0)), "Dr Ana Silva");
  respond (f, dialog, "record");
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_FLAG_DECISION, NULL), ==, 1);
  g_assert_null (find_button (page, "_Decide…"));
  records = traj_store_load_patient_records (f->store, pid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->decisions->len, ==, 1);
  uid = g_strdup (((TrajFlagDecision *) g_ptr_array_index (records->decisions, 0))->uid);
  g_assert_cmpuint (adw_toast_get_timeout (traj_patient_page_get_last_toast (pp)), ==, TRAJ_UNDO_TIMEOUT_S);

  click_undo (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_FLAG_DECISION, NULL), ==, 0);
  button = find_button (page, "_Decide…");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (child (page, TRAJ_TYPE_PATIENT_PAGE, "history_box")));
  audit = traj_store_list_audit (f->store, uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audit->len, ==, 2);
  e = g_ptr_array_index (audit, 0);                 /* newest first */
  g_assert_cmpstr (e->action, ==, "delete");
  g_assert_cmpstr (e->clinician, ==, "Dr Undo");
  e = g_ptr_array_index (audit, 1);
  g_assert_cmpstr (e->action, ==, "insert");
  g_assert_cmpstr (e->summary, ==, "booster: declined");
}

/* Issue 16 §1: control characters are refused in the editors with the
 * store's own message, as in the import and the CLI. */
/* CLINICAL.md §8 on the patient page: the Medications group lists the
 * medicines, the current course carries the note of a benzodiazepine taken
 * during it, Stop sets today as the last day (Undo takes it back), Remove
 * hides one entered in error (Undo brings it back), Add opens the editor. */
static GtkWidget *
find_named (GtkWidget *widget, const char *name, guint *skip)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0 && (*skip)-- == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name, skip);
      if (found)
        return found;
    }
  return NULL;
}

/* With TRAJ_SCREENSHOT_DIR set: the window as it is now, to look at. */
static void
maybe_screenshot (Fixture *f, GtkWidget *show, const char *name)
{
  const char *dir = g_getenv ("TRAJ_SCREENSHOT_DIR");
  GtkWidget *w = GTK_WIDGET (f->win);
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  if (dir == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  gtk_widget_grab_focus (show);
  for (int k = 0; k < 20; k++)
    spin (f), g_usleep (20000);
  width = gtk_widget_get_width (w);
  height = gtk_widget_get_height (w);
  path = g_strdup_printf ("%s/%s-%dx%d.png", dir, name, width, height);
  paintable = gtk_widget_paintable_new (w);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.98, 0.98, 0.98, 1 }, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (w)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static TrajInfusion *
esketamine_session (gint64 pid, gint64 course_id, gint64 start)
{
  TrajInfusion *i = traj_infusion_new ();

  i->patient_id = pid;
  i->course_id = course_id;
  i->started_at = start;
  i->route = TRAJ_ROUTE_INTRANASAL;
  i->medicine = TRAJ_MEDICINE_ESKETAMINE;
  i->phase = TRAJ_PHASE_INDUCTION;
  i->total_mg = 84;
  i->lot = g_strdup ("LOT-22");
  i->monitoring_min = 125;
  i->ready_at = start + 80 * 60;
  for (int k = 0; k < 3; k++)
    {
      TrajVitalSign *v = traj_vital_sign_new ((int[]) { -5, 40, 110 }[k]);
      v->systolic = 128 + k;
      v->diastolic = 80;
      g_ptr_array_add (i->vitals, v);
    }
  i->rems_first_session = 1;
  i->rems_patient_id = g_strdup ("RP-77");
  i->rems_monitored_by = g_strdup ("Nurse Patel");
  i->rems_vitals_ok_before = i->rems_vitals_ok_leaving = 1;
  i->rems_sedation = i->rems_dissociation = i->rems_resp_depression = 0;
  i->rems_adverse = 0;
  return i;
}

/* An esketamine course is given in sessions: its page offers "Log
 * Session", and the editor says so; an IV course keeps "Log Infusion". */
static void
test_log_session (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint32 today = traj_day_today ();
  gint64 pid = store_patient (f, "S-1", "Sid Spray");
  gint64 cid = store_course (f, pid, today - 10, 6);
  gint64 iv = store_patient (f, "S-2", "Ivy Vein");
  g_autoptr(TrajInfusion) session = esketamine_session (pid, cid, traj_time_from_day (today - 3, 10, 0));
  GtkWidget *page, *log;
  GtkWindow *editor;

  traj_infusion_free (store_infusion (f, iv, store_course (f, iv, today - 10, 6), today - 3, 130));
  g_assert_true (traj_store_insert_infusion (f->store, session, &error));
  g_assert_no_error (error);
  traj_window_show_patient (f->win, pid);
  spin (f);
  page = traj_window_get_patient_page (f->win);
  log = GTK_WIDGET (gtk_widget_get_template_child (page, TRAJ_TYPE_PATIENT_PAGE, "log_infusion_button"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (log)), ==, "_Log Session");
  g_assert_null (find_button (page, "_Log Infusion"));
  gtk_widget_activate_action (page, "patient.log-infusion", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_INFUSION_EDITOR);
  g_assert_nonnull (editor);
  g_assert_cmpstr (gtk_window_get_title (editor), ==, "Log Session");
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);

  traj_window_show_patient (f->win, iv);
  spin (f);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (log)), ==, "_Log Infusion");
}

/* CLINICAL.md §8: each esketamine session's row has a "REMS" button, green
 * when its monitoring record is complete, amber with what is missing
 * otherwise (and again after an edit); the record exports as a one-page
 * PDF (0600), audited as a report. An IV ketamine infusion has none. */
static void
test_rems_record (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 pid;
  GtkWidget *page = traj_window_get_patient_page (f->win);
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(TrajInfusion) done = NULL;
  g_autoptr(TrajInfusion) open = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "record.pdf", NULL);
  g_autofree char *bytes = NULL;
  gsize length = 0;
  GStatBuf st;
  GtkWidget *button;
  guint skip;

  g_settings_set_string (f->settings, "clinic-name", "Riverside Ketamine Clinic");
  g_settings_set_string (f->settings, "clinic-address", "12 Mill Lane, Leeds");
  pid = create_patient (f, "W-REMS", "Rhea Rems");
  p = traj_store_get_patient (f->store, pid, &error);
  p->sex = TRAJ_SEX_FEMALE;
  g_assert_true (traj_store_update_patient (f->store, p, &error));
  g_assert_no_error (error);
  c->patient_id = pid;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 8;
  c->start_day = traj_day_today () - 10;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  done = esketamine_session (pid, c->id, traj_time_from_day (traj_day_today () - 4, 9, 0));
  g_assert_true (traj_store_insert_infusion (f->store, done, &error));
  g_assert_no_error (error);
  spin (f);

  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_has_css_class (button, "success"));
  g_assert_cmpstr (g_object_get_data (G_OBJECT (button), "check"), ==, "Complete.");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS Record");

  /* A second session, 100 minutes and no lot: amber, and says so. */
  open = esketamine_session (pid, c->id, traj_time_from_day (traj_day_today () - 1, 9, 0));
  open->monitoring_min = 100;
  g_clear_pointer (&open->lot, g_free);
  open->rems_first_session = 0;
  g_assert_true (traj_store_insert_infusion (f->store, open, &error));
  g_assert_no_error (error);
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);          /* newest first */
  g_assert_true (gtk_widget_has_css_class (button, "warning"));
  maybe_screenshot (f, button, "rems-row");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS: 1 Missing");
  g_assert_cmpstr (g_object_get_data (G_OBJECT (button), "check"), ==,
                   "Missing: Lot number.\nMonitoring lasted 100 minutes, under the 120 minutes the REMS requires.");
  /* Edited elsewhere: the row says what is missing now. */
  open->lot = g_strdup ("LOT-23");
  open->monitoring_min = 120;
  g_assert_true (traj_store_update_infusion (f->store, open, &error));
  g_assert_no_error (error);
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_true (gtk_widget_has_css_class (button, "success"));
  skip = 2;
  g_assert_null (find_named (page, "rems-record", &skip));

  /* The PDF, as the button's chooser writes it. */
  g_assert_true (traj_rems_export_pdf_to_path (f->store, f->settings, p, open, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &bytes, &length, NULL));
  g_assert_true (length > 4000 && memcmp (bytes, "%PDF-", 5) == 0);
  g_assert_cmpint (g_stat (pdf, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autoptr(GPtrArray) events = traj_store_list_audit (f->store, p->uid, &error);
    gboolean found = FALSE;

    for (guint k = 0; events && k < events->len; k++)
      {
        TrajAuditEvent *e = g_ptr_array_index (events, k);
        found |= g_str_equal (e->action, "report") && strstr (e->summary, "esketamine monitoring record") != NULL;
      }
    g_assert_true (found);
  }
}

/* The REMS button of a session's row follows the monitoring record saved
 * from the infusion editor opened on that row: "REMS: 8 Missing" before,
 * "REMS Record" after, without the page being opened again. */
static void
test_rems_record_after_edit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *page = traj_window_get_patient_page (f->win);
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(TrajInfusion) s = NULL;
  TrajInfusionEditor *e;
  TrajRemsGroup *g;
  GtkWidget *button;
  guint skip;
  gint64 pid;

  g_settings_set_string (f->settings, "clinic-name", "Riverside Ketamine Clinic");
  g_settings_set_string (f->settings, "clinic-address", "12 Mill Lane, Leeds");
  pid = create_patient (f, "W-REMS2", "Rita Rems");
  p = traj_store_get_patient (f->store, pid, &error);
  p->sex = TRAJ_SEX_FEMALE;
  g_assert_true (traj_store_update_patient (f->store, p, &error));
  g_assert_no_error (error);
  c->patient_id = pid;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 8;
  c->start_day = traj_day_today () - 10;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  s = esketamine_session (pid, c->id, traj_time_from_day (traj_day_today () - 2, 9, 0));
  /* Nothing of the monitoring answers yet, as a session logged without them. */
  g_clear_pointer (&s->rems_patient_id, g_free);
  g_clear_pointer (&s->rems_monitored_by, g_free);
  s->rems_first_session = s->rems_vitals_ok_before = s->rems_vitals_ok_leaving = -1;
  s->rems_sedation = s->rems_dissociation = s->rems_resp_depression = s->rems_adverse = -1;
  g_assert_true (traj_store_insert_infusion (f->store, s, &error));
  g_assert_no_error (error);
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS: 9 Missing");

  gtk_widget_activate_action (page, "patient.edit-record", "(ix)", (gint32) TRAJ_KIND_INFUSION, s->id);
  e = find_toplevel (TRAJ_TYPE_INFUSION_EDITOR);
  g_assert_nonnull (e);
  g = TRAJ_REMS_GROUP (traj_infusion_editor_get_rems_group (e));
  gtk_editable_set_text (GTK_EDITABLE (traj_rems_group_get_patient_id_row (g)), "RP-12");
  gtk_editable_set_text (GTK_EDITABLE (traj_rems_group_get_monitored_by_row (g)), "Nurse Patel");
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_FIRST_SESSION), 1);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_VITALS_BEFORE), 1);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_VITALS_LEAVING), 1);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_SEDATION), 2);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_DISSOCIATION), 2);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_RESP_DEPRESSION), 2);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_ADVERSE), 2);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_nonnull (button);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (button), "check"), ==, "Complete.");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS Record");
  g_assert_true (gtk_widget_has_css_class (button, "success"));

  /* The clinic's address cleared in Preferences, then the patient's sex:
   * the row says so at once, and again when both are given back. */
  g_settings_set_string (f->settings, "clinic-address", "");
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS: 1 Missing");
  g_assert_cmpstr (g_object_get_data (G_OBJECT (button), "check"), ==, "Missing: Clinic address.");
  p->sex = TRAJ_SEX_UNKNOWN;
  g_assert_true (traj_store_update_patient (f->store, p, &error));
  g_assert_no_error (error);
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS: 2 Missing");
  g_settings_set_string (f->settings, "clinic-address", "12 Mill Lane, Leeds");
  p->sex = TRAJ_SEX_FEMALE;
  g_assert_true (traj_store_update_patient (f->store, p, &error));
  g_assert_no_error (error);
  spin (f);
  skip = 0;
  button = find_named (page, "rems-record", &skip);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "REMS Record");
  maybe_screenshot (f, button, "rems-row-complete");
}

/* A course note that wraps keeps every line in sight: each note label is
 * given at least the height it needs at its width, and the medicine list
 * starts below the notes (a trial found the second line of a note hidden
 * under the list's card), at every window width. */
static void
test_medication_notes_not_clipped (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 pid = store_patient (f, "W-310", "Nell Notes");
  gint64 other = store_patient (f, "W-311", "Otto Other");
  gint32 today = traj_day_today ();
  static const TrajMedClass classes[] = { TRAJ_MED_CLASS_PSYCHOSTIMULANT, TRAJ_MED_CLASS_BENZODIAZEPINE };
  static const char *names[] = { "Lisdexamfetamine", "Clonazepam" };
  static const int widths[] = { 800, 900, 1000, 1100, 1280 };
  TrajPatientPage *pp;
  guint checked = 0;

  store_course (f, pid, today - 10, 6);
  for (guint k = 0; k < G_N_ELEMENTS (classes); k++)
    {
      g_autoptr(TrajMedication) m = traj_medication_new ();

      m->patient_id = pid;
      m->klass = classes[k];
      m->name = g_strdup (names[k]);
      m->dose = g_strdup ("0.5 mg twice daily");
      m->start_day = today - 100;
      g_assert_true (traj_store_insert_medication (f->store, m, &error));
      g_assert_no_error (error);
    }
  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      graphene_rect_t notes, list;

      gtk_window_destroy (GTK_WINDOW (f->win));
      g_assert_finalize_object (f->win);
      f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
      gtk_window_set_default_size (GTK_WINDOW (f->win), widths[w], 800);
      gtk_window_present (GTK_WINDOW (f->win));
      /* As the trial went: from a patient with no notes to one with. */
      traj_window_show_patient (f->win, other);
      spin (f);
      traj_window_show_patient (f->win, pid);
      pp = TRAJ_PATIENT_PAGE (traj_window_get_patient_page (f->win));
      WAIT_UNTIL (gtk_widget_get_width (pp->course_notes_box) > 0);
      spin (f);
      for (GtkWidget *row = gtk_widget_get_first_child (pp->course_notes_box); row;
           row = gtk_widget_get_next_sibling (row))
        {
          GtkWidget *label = gtk_widget_get_last_child (row);
          int natural = 0;

          g_assert_true (GTK_IS_LABEL (label));
          gtk_widget_measure (label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (label), NULL, &natural, NULL, NULL);
          g_test_message ("%d px: note %d px wide, %d of %d px high", widths[w], gtk_widget_get_width (label),
                          gtk_widget_get_height (label), natural);
          g_assert_cmpint (gtk_widget_get_height (label), >=, natural);
          /* And the box holding the notes is tall enough for all of them. */
          g_assert_true (gtk_widget_compute_bounds (label, pp->course_notes_box, &notes));
          g_assert_cmpfloat (notes.origin.y + notes.size.height, <=, gtk_widget_get_height (pp->course_notes_box));
          checked++;
        }
      g_assert_true (gtk_widget_compute_bounds (pp->course_notes_box, GTK_WIDGET (f->win), &notes));
      g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (pp->medication_list), GTK_WIDGET (f->win), &list));
      g_assert_cmpfloat (notes.origin.y + notes.size.height, <=, list.origin.y);
    }
  g_assert_cmpuint (checked, ==, 2 * G_N_ELEMENTS (widths));
}

static void
test_medications_group (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 pid = create_patient (f, "W-300", "Mary Medicine");
  GtkWidget *page = traj_window_get_patient_page (f->win);
  TrajPatientPage *pp = TRAJ_PATIENT_PAGE (page);
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajMedication) m = traj_medication_new ();
  g_autoptr(TrajMedication) back = NULL;
  AdwToast *toast;
  GtkWidget *row, *note;
  gint32 today = traj_day_today ();

  c->patient_id = pid;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 6;
  c->start_day = today - 10;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  spin (f);
  /* No list yet: the placeholder, no note. */
  g_assert_null (gtk_list_box_get_row_at_index (pp->medication_list, 0));
  /* The empty state is there, and stays after the list is filled again. */
  traj_patient_page_update_medications (pp);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (pp->medication_list), "No medicines recorded"));
  g_assert_false (gtk_widget_get_visible (pp->course_notes_box));

  m->patient_id = pid;
  m->klass = TRAJ_MED_CLASS_BENZODIAZEPINE;
  m->name = g_strdup ("Lorazepam");
  m->dose = g_strdup ("1 mg at night");
  m->start_day = today - 100;
  g_assert_true (traj_store_insert_medication (f->store, m, &error));
  g_assert_no_error (error);
  spin (f);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (pp->medication_list, 0));
  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Lorazepam");
  g_assert_true (gtk_widget_get_visible (pp->course_notes_box));
  note = gtk_widget_get_last_child (gtk_widget_get_first_child (pp->course_notes_box));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (note)), ==,
                   "Lorazepam (benzodiazepine) might reduce the response to ketamine (Frye 2015; Albott 2017) "
                   "and adds to sedation.");

  /* Stop: today is the last day; Undo: still taken. */
  gtk_widget_activate_action (page, "patient.stop-medication", "x", m->id);
  spin (f);
  back = traj_store_get_medication (f->store, m->id, &error);
  g_assert_cmpint (back->stop_day, ==, today);
  g_clear_pointer (&back, traj_medication_free);
  toast = traj_patient_page_get_last_toast (pp);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Lorazepam stopped today");
  g_signal_emit_by_name (toast, "button-clicked");
  spin (f);
  back = traj_store_get_medication (f->store, m->id, &error);
  g_assert_cmpint (back->stop_day, ==, TRAJ_DAY_NONE);
  g_clear_pointer (&back, traj_medication_free);

  /* Remove: hidden, never deleted; Undo: back on the list. */
  gtk_widget_activate_action (page, "patient.remove-medication", "x", m->id);
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_MEDICATION, NULL), ==, 0);
  g_assert_null (gtk_list_box_get_row_at_index (pp->medication_list, 0));
  g_assert_false (gtk_widget_get_visible (pp->course_notes_box));
  toast = traj_patient_page_get_last_toast (pp);
  g_assert_cmpstr (adw_toast_get_title (toast), ==, "Lorazepam removed from the list");
  g_signal_emit_by_name (toast, "button-clicked");
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_MEDICATION, NULL), ==, 1);
  g_assert_nonnull (gtk_list_box_get_row_at_index (pp->medication_list, 0));

  gtk_widget_activate_action (page, "patient.add-medication", NULL);
  spin (f);
  g_assert_nonnull (find_toplevel (TRAJ_TYPE_MEDICATION_EDITOR));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (find_toplevel (TRAJ_TYPE_MEDICATION_EDITOR)));
  spin (f);
}

/* ---- export: where it starts, and never replacing a file silently ---------- */

static char *
file_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static gboolean
is_pdf (const char *path)
{
  g_autofree char *text = file_text (path);

  return text != NULL && g_str_has_prefix (text, "%PDF-");
}

/* The export's chooser (GTK's own dialog: tests run without a portal). */
static GtkFileChooser *
wait_for_chooser (Fixture *f)
{
  GtkFileChooser *chooser = NULL;

  WAIT_UNTIL ((chooser = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL);
  return chooser;
}

static void
assert_chooser_folder (GtkFileChooser *chooser, const char *expected)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  /* The dialog loads the folder it is given before it reports it. */
  WAIT_UNTIL ((folder = gtk_file_chooser_get_current_folder (chooser)) != NULL);
  path = g_file_get_path (folder);
  g_assert_cmpstr (path, ==, expected);
}

static gboolean
chooser_has_file (GtkFileChooser *chooser, const char *expected)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);

  return file != NULL && g_strcmp0 (g_file_peek_path (file), expected) == 0;
}

/* A button of the question, as a click: the answer, then the dialog goes. */
static void
answer (Fixture *f, AdwMessageDialog *dialog, const char *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin (f);
}

/* Types @name in @folder and presses Export (the chooser's own question
 * about an existing name is GTK's, not under test here). */
static void
choose (Fixture *f, GtkFileChooser *chooser, const char *folder, const char *name)
{
  g_autoptr(GFile) dir = g_file_new_for_path (folder);
  g_autofree char *expected = g_build_filename (folder, name, NULL);

  g_assert_true (gtk_file_chooser_set_current_folder (chooser, dir, NULL));
  gtk_file_chooser_set_current_name (chooser, name);
  WAIT_UNTIL (chooser_has_file (chooser, expected));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  spin (f);
}

/* Export PDF starts in Documents (or the last export's folder), never in
 * the program's working folder; a name typed without ".pdf" gets it before
 * the check for an existing file, and an existing file is replaced only
 * after "Replace?" answered Replace. */
static void
test_export_pdf_asks_before_replacing (Fixture *f, gconstpointer data)
{
  g_autofree char *exports = g_build_filename (f->dir, "exports", NULL);
  g_autofree char *gone = g_build_filename (f->dir, "gone", NULL);
  g_autofree char *first = g_build_filename (exports, "first.pdf", NULL);
  g_autofree char *kept = g_build_filename (exports, "kept.pdf", NULL);
  g_autofree char *documents = NULL, *text = NULL, *last = NULL, *cwd = g_get_current_dir ();
  const char *special = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  GtkFileChooser *chooser;
  AdwMessageDialog *dialog;
  g_autofree char *png = g_build_filename (exports, "chart.png", NULL);
  gint64 pid = show_booster_patient (f, "X-1", "Xena Export");
  TrajPatientPage *pp = TRAJ_PATIENT_PAGE (traj_window_get_patient_page (f->win));

  g_assert_cmpint (g_mkdir (exports, 0700), ==, 0);
  /* Documents as GLib names it, else ~/Documents if there is one, else home. */
  if (special && g_file_test (special, G_FILE_TEST_IS_DIR))
    documents = g_strdup (special);
  else
    {
      documents = g_build_filename (g_get_home_dir (), "Documents", NULL);
      if (!g_file_test (documents, G_FILE_TEST_IS_DIR))
        {
          g_free (documents);
          documents = g_strdup (g_get_home_dir ());
        }
    }
  g_assert_cmpstr (documents, !=, cwd);

  /* No export yet: Documents; the suggested name carries the MRN. */
  g_settings_set_string (f->settings, "last-export-folder", "");
  traj_report_export_patient_pdf (GTK_WINDOW (f->win), f->store, f->settings, pid);
  chooser = wait_for_chooser (f);
  assert_chooser_folder (chooser, documents);
  {
    g_autofree char *name = gtk_file_chooser_get_current_name (chooser);
    g_assert_cmpstr (name, ==, "X-1 progress report.pdf");
  }
  /* A new name typed without ".pdf": written as first.pdf, no question. */
  choose (f, chooser, exports, "first");
  WAIT_UNTIL (is_pdf (first));
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  last = g_settings_get_string (f->settings, "last-export-folder");
  g_assert_cmpstr (last, ==, exports);

  /* The next export starts in that folder. "kept" + ".pdf" is an existing
   * file: asked, and Cancel leaves it as it was. */
  g_assert_true (g_file_set_contents (kept, "a letter, not a report", -1, NULL));
  traj_report_export_patient_pdf (GTK_WINDOW (f->win), f->store, f->settings, pid);
  chooser = wait_for_chooser (f);
  assert_chooser_folder (chooser, exports);
  choose (f, chooser, exports, "kept");
  WAIT_UNTIL ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Replace \u201ckept.pdf\u201d?");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==,
                   "A file with this name is already in \u201cexports\u201d. Replacing it overwrites what it holds.");
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  text = file_text (kept);
  g_assert_cmpstr (text, ==, "a letter, not a report");
  answer (f, dialog, "cancel");
  g_clear_pointer (&text, g_free);
  text = file_text (kept);
  g_assert_cmpstr (text, ==, "a letter, not a report");
  g_assert_null (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));

  /* Asked again and answered Replace: now it is the report. */
  traj_report_export_patient_pdf (GTK_WINDOW (f->win), f->store, f->settings, pid);
  chooser = wait_for_chooser (f);
  assert_chooser_folder (chooser, exports);
  choose (f, chooser, exports, "kept");
  WAIT_UNTIL ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  answer (f, dialog, "replace");
  WAIT_UNTIL (is_pdf (kept));

  /* The last folder was removed: Documents again. Cancel writes nothing. */
  g_assert_cmpint (g_mkdir (gone, 0700), ==, 0);
  g_settings_set_string (f->settings, "last-export-folder", gone);
  g_assert_cmpint (g_rmdir (gone), ==, 0);
  traj_report_export_patient_pdf (GTK_WINDOW (f->win), f->store, f->settings, pid);
  chooser = wait_for_chooser (f);
  assert_chooser_folder (chooser, documents);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  spin (f);
  g_assert_null (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));

  /* The chart's export asks the same way: "chart" + ".png" is taken. */
  g_assert_true (g_file_set_contents (png, "not a chart", -1, NULL));
  g_settings_set_string (f->settings, "last-export-folder", exports);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pp->chart), "chart.export", "s", "png"));
  chooser = wait_for_chooser (f);
  assert_chooser_folder (chooser, exports);
  choose (f, chooser, exports, "chart");
  WAIT_UNTIL ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Replace \u201cchart.png\u201d?");
  answer (f, dialog, "cancel");
  g_clear_pointer (&text, g_free);
  text = file_text (png);
  g_assert_cmpstr (text, ==, "not a chart");

  g_unlink (png);
  g_unlink (first);
  g_unlink (kept);
  g_rmdir (exports);
}

/* ---- the Shortcuts window ------------------------------------------------- */

static GtkWidget *
find_descendant (GtkWidget *widget, GType type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
      if ((found = find_descendant (c, type)) != NULL)
        return found;
    }
  return NULL;
}

/* Every shortcut on one page at 1280x800 (it was split over two pages,
 * half empty), and shown without GTK's warnings (fatal here). */
static void
test_shortcuts_one_page (Fixture *f, gconstpointer data)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/trajectory/Trajectory/gtk/help-overlay.ui");
  GtkWindow *w = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  GtkWidget *section, *pages;
  guint n = 0, n_shortcuts = 0;

  gtk_window_set_transient_for (w, GTK_WINDOW (f->win));
  gtk_window_set_default_size (w, 1280, 800);
  gtk_window_present (w);
  spin (f);
  section = find_descendant (GTK_WIDGET (w), GTK_TYPE_SHORTCUTS_SECTION);
  g_assert_nonnull (section);
  pages = find_descendant (section, GTK_TYPE_STACK);
  g_assert_nonnull (pages);
  for (GtkWidget *c = gtk_widget_get_first_child (pages); c; c = gtk_widget_get_next_sibling (c))
    n++;
  g_assert_cmpuint (n, ==, 1);
  /* All 19 shortcuts are on that page. */
  {
    g_autoptr(GSList) all = gtk_builder_get_objects (builder);
    for (GSList *l = all; l; l = l->next)
      if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        {
          g_assert_true (gtk_widget_is_ancestor (l->data, pages));
          n_shortcuts++;
        }
  }
  g_assert_cmpuint (n_shortcuts, ==, 19);
  gtk_window_destroy (w);
  spin (f);
}

static void
test_control_characters (Fixture *f, gconstpointer data)
{
  TrajPatientEditor *editor;
  GtkTextBuffer *notes;

  gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  g_assert_nonnull (editor);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "W-200");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Eve\x1b[2JEvil");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                           traj_day_from_ymd (1990, 1, 1));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_true (gtk_widget_get_visible (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_error")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_error"))), ==,
                   "Name: the control character U+001B cannot be stored. Remove it.");

  /* Notes are checked on saving: refused, nothing written, the editor stays. */
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Eve Evans");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  notes = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "notes_view")));
  gtk_text_buffer_set_text (notes, "two\x1f" "fields", -1);
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 0);

  gtk_text_buffer_set_text (notes, "two lines\nare fine", -1);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_PATIENT, NULL), ==, 1);
}

/* Issue 16 §2: at start the clinic file is checked off the main thread; a
 * damaged one is said clearly over the window, and no daily backup is made
 * of it (so none of the good ones is rotated out). */
static void
test_start_check_damaged (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "damaged.db", NULL);
  g_autofree char *backups = g_build_filename (f->dir, "backups", NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog = NULL;
  gint64 deadline;
  gsize len = 0;

  {
    g_autoptr(TrajStore) fresh = traj_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_true (traj_demo_generate (fresh, 5, 30, traj_day_today (), NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  for (gsize k = 6 * 4096; k < 12 * 4096 && k < len; k++)
    bytes[k] = (char) (0x5A ^ (k & 0xff));
  g_assert_true (g_file_set_contents (path, bytes, (gssize) len, NULL));
  store = traj_store_open (path, &error);
  g_assert_no_error (error);

  traj_exchange_start_check (GTK_WINDOW (f->win), store, 7);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Clinic File Is Damaged");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "is damaged"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "earlier backups are all kept"));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->win));
  gtk_window_destroy (GTK_WINDOW (dialog));
  /* No copy of the damaged file was made. */
  {
    g_autoptr(GDir) d = g_dir_open (backups, 0, NULL);
    g_assert_true (d == NULL || g_dir_read_name (d) == NULL);
  }
}

/* The daily backup at start was audited as "Clinician: Not given": it is
 * made before anyone gives a name. The trail says what made it. */
static void
test_start_check_backup_named (Fixture *f, gconstpointer data)
{
  g_autofree char *backups = g_build_filename (f->dir, "backups", NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  TrajAuditFilter filter = { .action = "backup", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  const TrajAuditEvent *e;
  guint refs = G_OBJECT (f->store)->ref_count;

  traj_store_set_clinician (f->store, "");
  traj_exchange_start_check (GTK_WINDOW (f->win), f->store, 7);
  /* The check holds the store until it has finished. */
  WAIT_UNTIL (G_OBJECT (f->store)->ref_count == refs);
  g_assert_cmpint (traj_store_count_audit_filtered (f->store, &filter, NULL), ==, 1);
  events = traj_store_list_audit_filtered (f->store, &filter, &error);
  g_assert_no_error (error);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->clinician, ==, "Trajectory (automatic daily backup)");
  /* The window's own store keeps its (empty) clinician. */
  g_assert_cmpstr (traj_store_get_clinician (f->store), ==, "");
  /* Today's copy, named by the clinic file, and nothing else. */
  {
    g_autofree char *today = traj_day_to_iso (traj_day_today ());
    g_autofree char *name = g_strdup_printf ("clinic-%s.db", today);
    g_autofree char *copy = g_build_filename (backups, name, NULL);

    g_assert_cmpint (g_unlink (copy), ==, 0);
    g_assert_cmpint (g_rmdir (backups), ==, 0);
  }
}

/* Issue 16 §3: a trail rewritten by hand (a trigger dropped, an event
 * changed, the trigger put back) is said at start over the window. */
static void
test_start_check_audit (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "tampered.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog = NULL;
  sqlite3 *db = NULL;
  gint64 deadline;

  {
    g_autoptr(TrajStore) fresh = traj_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_true (traj_demo_generate (fresh, 3, 30, traj_day_today (), NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER audit_event_no_update; "
                                 "UPDATE audit_event SET clinician = 'nobody' WHERE action = 'demo'; "
                                 "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                                 "BEGIN SELECT RAISE (ABORT, 'append-only'); END;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = traj_store_open (path, &error);
  g_assert_no_error (error);

  traj_exchange_start_check (GTK_WINDOW (f->win), store, 0);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Audit Trail Is Broken");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "was changed after it was written"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "trajectory-cli audit verify"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add ("/workspace/patient-course-delete-undo", Fixture, NULL, fixture_setup_window,
              test_patient_course_delete_undo, fixture_teardown);
  g_test_add ("/workspace/close-asks-about-unsaved", Fixture, NULL, fixture_setup_window,
              test_close_asks_about_unsaved, fixture_teardown);
  g_test_add ("/workspace/close-discards-unsaved", Fixture, NULL, fixture_setup_window,
              test_close_discards_unsaved, fixture_teardown);
  g_test_add ("/workspace/import-from-menu", Fixture, NULL, fixture_setup_window,
              test_import_from_menu, fixture_teardown);
  g_test_add ("/workspace/undo-every-delete", Fixture, NULL, fixture_setup_window,
              test_undo_every_delete, fixture_teardown);
  g_test_add ("/workspace/toast-guard", Fixture, NULL, fixture_setup_window,
              test_toast_guard, fixture_teardown);
  g_test_add ("/workspace/toast-covers-nothing", Fixture, NULL, fixture_setup_window,
              test_toast_covers_nothing, fixture_teardown);
  g_test_add ("/workspace/decision-dialog", Fixture, NULL, fixture_setup_window,
              test_decision_dialog, fixture_teardown);
  g_test_add ("/workspace/decision-kept-in-history", Fixture, NULL, fixture_setup_window,
              test_decision_kept_in_history, fixture_teardown);
  g_test_add ("/workspace/decision-undo", Fixture, NULL, fixture_setup_window, test_decision_undo, fixture_teardown);

  g_test_add ("/workspace/start-check-audit", Fixture, NULL, fixture_setup_window,
              test_start_check_audit, fixture_teardown);
  g_test_add ("/workspace/start-check-backup-named", Fixture, NULL, fixture_setup_window,
              test_start_check_backup_named, fixture_teardown);
  g_test_add ("/workspace/start-check-damaged", Fixture, NULL, fixture_setup_window,
              test_start_check_damaged, fixture_teardown);
  g_test_add ("/workspace/control-characters", Fixture, NULL, fixture_setup_window,
              test_control_characters, fixture_teardown);
  g_test_add ("/workspace/export-pdf-asks-before-replacing", Fixture, NULL, fixture_setup_window,
              test_export_pdf_asks_before_replacing, fixture_teardown);
  g_test_add ("/workspace/decision-dialog-single", Fixture, NULL, fixture_setup_window,
              test_decision_dialog_single, fixture_teardown);
  g_test_add ("/workspace/toasts-stay-with-patient", Fixture, NULL, fixture_setup_window,
              test_toasts_stay_with_patient, fixture_teardown);
  g_test_add ("/workspace/log-session", Fixture, NULL, fixture_setup_window, test_log_session, fixture_teardown);
  g_test_add ("/workspace/rems-record", Fixture, NULL, fixture_setup_window, test_rems_record, fixture_teardown);
  g_test_add ("/workspace/rems-record-after-edit", Fixture, NULL, fixture_setup_window, test_rems_record_after_edit,
              fixture_teardown);
  g_test_add ("/workspace/shortcuts-one-page", Fixture, NULL, fixture_setup_window,
              test_shortcuts_one_page, fixture_teardown);
  g_test_add ("/workspace/medication-notes-not-clipped", Fixture, NULL, fixture_setup_window,
              test_medication_notes_not_clipped, fixture_teardown);
  g_test_add ("/workspace/medications-group", Fixture, NULL, fixture_setup_window,
              test_medications_group, fixture_teardown);
  return g_test_run ();
}
