/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician trial's second round (issue 17), through the real widgets:
 * who a risk flag names, keys and focus in the editors and after an undo,
 * deleting and deciding without accidents. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-date-entry.h"
#include "traj-editor-dialog.h"
#include "traj-patient-editor.h"
#include "traj-patient-page.h"
#include "traj-window.h"

#include "test-gui-fixture.h"
#include "test-wait.h"

static TrajPatientEditor *
open_new_patient (Fixture *f)
{
  TrajPatientEditor *editor;

  gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  g_assert_nonnull (editor);
  return editor;
}

/* ---- the birth date ---------------------------------------------------------- */

static GtkWidget *
tab (GtkWidget *root)
{
  g_assert_true (gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD));
  return gtk_root_get_focus (GTK_ROOT (root));
}

static void
type_text (GtkWidget *editable, const char *text)
{
  int pos = gtk_editable_get_position (GTK_EDITABLE (editable));

  gtk_editable_insert_text (GTK_EDITABLE (editable), text, -1, &pos);
}

/* A trial typed the MRN, Tab, the name, Tab, the birth date, Tab: the
 * second Tab stopped on the birth-date row itself, so the date typed went
 * nowhere. One Tab lands in the entry; a day typed year-first in another
 * way is read and shown as ISO when Tab leaves; text that is no day stays. */
static void
test_birth_date_tab (Fixture *f, gconstpointer data)
{
  TrajPatientEditor *editor;
  GtkWidget *name, *birth, *focus, *birth_error;
  GtkEditable *birth_text;

  open_window (f);
  editor = open_new_patient (f);
  name = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row");
  birth = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry");
  birth_error = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_error");
  birth_text = traj_date_entry_get_editable (TRAJ_DATE_ENTRY (birth));
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "B-1");

  g_assert_true (gtk_widget_grab_focus (name));
  type_text (gtk_root_get_focus (GTK_ROOT (editor)), "Bea Birth");
  focus = tab (GTK_WIDGET (editor));
  g_assert_true (gtk_widget_is_ancestor (focus, birth));
  g_assert_true (GTK_IS_EDITABLE (focus));
  type_text (focus, "1961/7/5");
  tab (GTK_WIDGET (editor));
  spin (f);
  g_assert_cmpstr (gtk_editable_get_text (birth_text), ==, "1961-07-05");
  g_assert_cmpint (traj_date_entry_get_day (TRAJ_DATE_ENTRY (birth)), ==, traj_day_from_ymd (1961, 7, 5));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));

  /* As the app shows days. */
  gtk_editable_set_text (birth_text, "");
  gtk_widget_grab_focus (name);
  type_text (tab (GTK_WIDGET (editor)), "5 Jul 1962");
  tab (GTK_WIDGET (editor));
  spin (f);
  g_assert_cmpstr (gtk_editable_get_text (birth_text), ==, "1962-07-05");

  /* Not a day (and day-first numbers are ambiguous): kept as typed, with
   * the message, and Save stays off. */
  gtk_editable_set_text (birth_text, "");
  gtk_widget_grab_focus (name);
  type_text (tab (GTK_WIDGET (editor)), "05/07/1961");
  tab (GTK_WIDGET (editor));
  spin (f);
  g_assert_cmpstr (gtk_editable_get_text (birth_text), ==, "05/07/1961");
  g_assert_true (gtk_widget_get_visible (birth_error));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));

  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/trial/birth-date-tab", Fixture, NULL, fixture_setup, test_birth_date_tab, fixture_teardown);
  return g_test_run ();
}
