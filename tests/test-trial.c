/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician trial's second round (issue 17), through the real widgets:
 * who a risk flag names, keys and focus in the editors and after an undo,
 * deleting and deciding without accidents. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-assessment-editor.h"
#include "traj-clinician-prompt.h"
#include "traj-date-entry.h"
#include "traj-editor-dialog.h"
#include "traj-gui.h"
#include "traj-infusion-editor-private.h"
#include "traj-patient-editor.h"
#include "traj-records.h"
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

  /* In the form asked for, but no day of the calendar: said so. */
  gtk_editable_set_text (birth_text, "2031-02-30");
  spin (f);
  g_assert_true (gtk_widget_get_visible (birth_error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (birth_error)), ==, "There is no day 30 in February 2031.");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));

  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);
}

/* ---- messages and Tab in the record editors ---------------------------------- */

static GtkWidget *
open_editor (Fixture *f, const char *action, GType type)
{
  GtkWidget *editor;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->win), action, NULL));
  spin (f);
  editor = find_toplevel (type);
  g_assert_nonnull (editor);
  return editor;
}

static const char *
shown (GtkWidget *editor, GType type, const char *label)
{
  GtkWidget *w = child (editor, type, label);

  return gtk_widget_get_visible (w) ? gtk_label_get_label (GTK_LABEL (w)) : NULL;
}

/* A trial typed a wrong date in Log Infusion and pressed Tab: focus jumped
 * from Date to Medicine, past Start time, Duration and Phase, because the
 * message row under Date ended the list's Tab walk. Tab now walks every
 * field with messages shown, and the form shows every problem at once,
 * each field red. The same in Record Scores. */
static void
test_editor_tab_with_messages (Fixture *f, gconstpointer data)
{
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  GtkWidget *editor, *date, *time, *duration, *phase, *focus;
  gint64 id = store_patient (f, "TAB-1", "Tess Tab");

  store_course (f, id, traj_day_today () - 10, 6);
  open_window (f);
  traj_window_show_patient (f->win, id);
  spin (f);
  editor = open_editor (f, "win.log-infusion", t);
  date = child (editor, t, "date_row");
  time = child (editor, t, "time_row");
  duration = child (editor, t, "duration_row");
  phase = child (editor, t, "phase_row");

  gtk_editable_set_text (GTK_EDITABLE (date), "2026-02-30");
  gtk_editable_set_text (GTK_EDITABLE (time), "25:00");
  gtk_editable_set_text (GTK_EDITABLE (duration), "forty");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, t, "weight_row")), "heavy");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, t, "dose_row")), "");
  spin (f);
  g_assert_cmpstr (shown (editor, t, "date_message"), ==, "Enter the infusion date and start time.");
  g_assert_null (shown (editor, t, "time_message"));  /* the same sentence, once */
  g_assert_cmpstr (shown (editor, t, "duration_message"), ==, "Type the duration in whole minutes.");
  g_assert_cmpstr (shown (editor, t, "weight_message"), ==, "Type the weight in kg as a number, such as 72.5.");
  g_assert_cmpstr (shown (editor, t, "dose_message"), ==, "Enter the dose in mg/kg.");
  g_assert_true (gtk_widget_has_css_class (date, "error"));
  g_assert_true (gtk_widget_has_css_class (time, "error"));
  g_assert_true (gtk_widget_has_css_class (duration, "error"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  /* A reading's line names each of its problems, once. */
  gtk_editable_set_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (TRAJ_INFUSION_EDITOR (editor), 0, 0)), "");
  gtk_editable_set_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (TRAJ_INFUSION_EDITOR (editor), 0, 1)), "high");
  gtk_editable_set_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (TRAJ_INFUSION_EDITOR (editor), 0, 2)), "low");
  gtk_editable_set_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (TRAJ_INFUSION_EDITOR (editor), 0, 3)), "500");
  spin (f);
  g_assert_cmpstr (traj_infusion_editor_get_reading_error (TRAJ_INFUSION_EDITOR (editor), 0), ==,
                   "Type the minute of this reading (0 is the start of dosing).\n"
                   "Type vital signs as whole numbers.\n"
                   "Heart rate 500 is outside 20–250.");

  /* Tab from Date, a message under it: Start time, Duration, Phase. */
  g_assert_true (gtk_widget_grab_focus (date));
  focus = tab (editor);
  g_assert_true (focus == time || gtk_widget_is_ancestor (focus, time));
  focus = tab (editor);
  g_assert_true (focus == duration || gtk_widget_is_ancestor (focus, duration));
  focus = tab (editor);
  g_assert_true (focus == phase || gtk_widget_is_ancestor (focus, phase));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);

  /* Record Scores: Tab from Date with its message reaches Time. */
  t = TRAJ_TYPE_ASSESSMENT_EDITOR;
  editor = open_editor (f, "win.record-scores", t);
  date = child (editor, t, "date_row");
  time = child (editor, t, "time_row");
  gtk_editable_set_text (GTK_EDITABLE (date), "2026-02-30");
  spin (f);
  g_assert_nonnull (shown (editor, t, "date_message"));
  g_assert_true (gtk_widget_grab_focus (date));
  focus = tab (editor);
  g_assert_true (focus == time || gtk_widget_is_ancestor (focus, time));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);
}

/* ---- who is using it --------------------------------------------------------- */

static AdwEntryRow *
prompt_name_row (GtkWidget *prompt)
{
  GtkWidget *list = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (prompt));

  return ADW_ENTRY_ROW (gtk_widget_get_first_child (list));
}

/* A trial found every audit event of a first session recorded as
 * "Clinician: Not given · root": Preferences had no name and nothing asked.
 * On a clinic file with no name the window asks; Continue waits for a name
 * and keeps it; Quit closes the window, so nothing is written unnamed. */
static void
test_clinician_prompt (Fixture *f, gconstpointer data)
{
  GtkWidget *prompt;
  AdwEntryRow *row;
  g_autofree char *kept = NULL;

  open_window (f);
  g_settings_set_string (f->settings, "clinician-name", "");
  g_assert_true (traj_clinician_prompt_needed (f->store, f->settings));
  g_settings_set_string (f->settings, "clinician-name", "  ");
  g_assert_true (traj_clinician_prompt_needed (f->store, f->settings));

  prompt = traj_clinician_prompt_new (GTK_WINDOW (f->win), f->settings);
  gtk_window_present (GTK_WINDOW (prompt));
  spin (f);
  row = prompt_name_row (prompt);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (prompt)), GTK_WIDGET (row)));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (prompt), "continue"));
  gtk_editable_set_text (GTK_EDITABLE (row), "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (prompt), "continue"));
  gtk_editable_set_text (GTK_EDITABLE (row), " Dr Ana Silva ");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (prompt), "continue"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (prompt), "continue");
  spin (f);
  kept = g_settings_get_string (f->settings, "clinician-name");
  g_assert_cmpstr (kept, ==, "Dr Ana Silva");
  g_assert_false (traj_clinician_prompt_needed (f->store, f->settings));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->win)));

  /* Quit (Escape and closing answer the same) closes the window. */
  g_settings_set_string (f->settings, "clinician-name", "");
  prompt = traj_clinician_prompt_new (GTK_WINDOW (f->win), f->settings);
  gtk_window_present (GTK_WINDOW (prompt));
  spin (f);
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (prompt)), ==, "quit");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (prompt), "quit");
  spin (f);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->win)));
  g_clear_pointer (&kept, g_free);
  kept = g_settings_get_string (f->settings, "clinician-name");
  g_assert_cmpstr (kept, ==, "");
}

/* ---- a likely duplicate --------------------------------------------------------- */

/* A trial saved "Jose Muller-Pena" beside "José Müller-Peña" with the same
 * birth date, unasked: two records for one person. Save now asks, naming
 * the patient already there; going back saves nothing, confirming saves. */
static void
test_duplicate_patient_asks (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatient) there = traj_patient_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) saved = NULL;
  g_autofree char *born = NULL;
  TrajPatientEditor *editor;
  GtkWidget *ask;
  gint32 day = traj_day_from_ymd (1980, 3, 3);

  there->mrn = g_strdup ("DUP-1");
  there->name = g_strdup ("José Müller-Peña");
  there->birth_day = day;
  g_assert_true (traj_store_insert_patient (f->store, there, &error));
  g_assert_no_error (error);
  open_window (f);

  editor = open_new_patient (f);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "DUP-2");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "jose muller pena");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")), day);
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  ask = traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (editor));
  g_assert_nonnull (ask);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (ask)), ==, "Already in the Clinic?");
  born = traj_day_format (day);
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (ask)),
                                   "José Müller-Peña (MRN DUP-1, born "));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (ask)), born));

  /* Going back saves nothing. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (ask), "cancel");
  spin (f);
  g_assert_nonnull (editor);
  saved = traj_store_find_patient_by_mrn (f->store, "DUP-2", &error);
  g_assert_null (saved);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Confirming saves the new patient. */
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  ask = traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (editor));
  g_assert_nonnull (ask);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (ask), "confirm");
  spin (f);
  g_assert_null (editor);
  saved = traj_store_find_patient_by_mrn (f->store, "DUP-2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saved->name, ==, "jose muller pena");
  g_clear_pointer (&saved, traj_patient_free);

  /* Another birth date is another person: no question. */
  editor = open_new_patient (f);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "DUP-3");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "José Müller-Peña");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")), day + 1);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  spin (f);
  saved = traj_store_find_patient_by_mrn (f->store, "DUP-3", &error);
  g_assert_no_error (error);
}

/* ---- the risk flag ------------------------------------------------------------ */

static TrajPatient *
save_flagged (Fixture *f, TrajPatientEditor *editor, const char *mrn, int year)
{
  g_autoptr(GError) error = NULL;
  TrajPatient *saved;

  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), mrn);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Fay Flagged");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                           traj_day_from_ymd (year, 1, 1));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  spin (f);
  saved = traj_store_find_patient_by_mrn (f->store, mrn, &error);
  g_assert_no_error (error);
  return saved;
}

/* The flag's dialog promised "your name", and the flag was credited to
 * the computer's login ("root"). It names the clinician from Preferences
 * (the store's clinician; on a server, the login), and with no name there
 * asks for one before Save; the page header says who and when. */
static void
test_risk_flag_names_clinician (Fixture *f, gconstpointer data)
{
  TrajPatientEditor *editor;
  GtkWidget *risk_row, *by_row, *label;
  g_autoptr(TrajPatient) first = NULL;
  g_autoptr(TrajPatient) second = NULL;
  g_autofree char *when = NULL, *expected = NULL;

  traj_store_set_clinician (f->store, "");
  open_window (f);

  /* Nobody named in Preferences: the dialog asks. */
  editor = open_new_patient (f);
  risk_row = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_row");
  by_row = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_by_row");
  g_assert_false (gtk_widget_get_visible (by_row));
  gtk_switch_set_active (GTK_SWITCH (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_switch")), TRUE);
  g_assert_true (gtk_widget_get_visible (by_row));
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "SI-1");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Fay Flagged");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                           traj_day_from_ymd (1980, 1, 1));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_cmpstr (traj_editor_dialog_get_missing (TRAJ_EDITOR_DIALOG (editor)), ==,
                   "To save, fill in: your name for the risk flag.");
  gtk_editable_set_text (GTK_EDITABLE (by_row), "  Dr Ana Silva ");
  first = save_flagged (f, editor, "SI-1", 1980);
  g_assert_cmpstr (first->risk_si_by, ==, "Dr Ana Silva");

  traj_window_show_patient (f->win, first->id);
  spin (f);
  label = child (traj_window_get_patient_page (f->win), TRAJ_TYPE_PATIENT_PAGE, "risk_label");
  when = traj_time_format (first->risk_si_at);
  expected = g_strdup_printf ("Risk flag: suicidal ideation · set by Dr Ana Silva on %s", when);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, expected);

  /* Named in Preferences (the app hands it to the store): no question. */
  traj_store_set_clinician (f->store, "Dr Ben Ode");
  editor = open_new_patient (f);
  risk_row = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_row");
  gtk_switch_set_active (GTK_SWITCH (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_switch")), TRUE);
  g_assert_false (gtk_widget_get_visible (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_by_row")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (risk_row)), ==,
                   "Flagged when you save, as Dr Ben Ode, with the time.");
  /* Another Fay Flagged, born another year: not the same person. */
  second = save_flagged (f, editor, "SI-2", 1981);
  g_assert_cmpstr (second->risk_si_by, ==, "Dr Ben Ode");
}

/* Clearing the flag asked for nothing: the audit trail said only "patient
 * MRN … Changed", so nobody could tell who removed a suicide-risk flag, or
 * why. Clearing now takes a reason (and a name when Preferences has none);
 * the store refuses to clear it without, and the audit event names both. */
static void
test_risk_flag_clear_asks_why (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatient) after = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  TrajPatientEditor *editor;
  GtkWidget *why_row, *by_row, *risk_switch;
  const TrajAuditEvent *e;

  p->mrn = g_strdup ("SI-9");
  p->name = g_strdup ("Cleo Cleared");
  p->birth_day = traj_day_from_ymd (1975, 5, 5);
  p->risk_si_at = traj_time_now () - 3600;
  p->risk_si_by = g_strdup ("Dr Demo");
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);

  /* The store alone: no clearing without a reason; nothing changes. */
  {
    g_autoptr(TrajPatient) q = traj_patient_copy (p);

    q->risk_si_at = TRAJ_TIME_NONE;
    traj_store_set_clinician (f->store, "Dr Ana Silva");
    g_assert_false (traj_store_update_patient (f->store, q, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==,
                     "Say why the suicidal-ideation flag is cleared: the reason is kept in the audit trail.");
    g_clear_error (&error);
    traj_store_set_clinician (f->store, "");
    g_assert_false (traj_store_update_patient_why (f->store, q, NULL, "Reassessed", &error));
    g_assert_cmpstr (error->message, ==,
                     "Give your name to clear the suicidal-ideation flag: it is kept in the audit trail.");
    g_clear_error (&error);
    after = traj_store_get_patient (f->store, p->id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (after->risk_si_at, ==, p->risk_si_at);
    g_clear_pointer (&after, traj_patient_free);
  }

  /* The editor, with no name in Preferences: asks why and who. */
  open_window (f);
  editor = traj_patient_editor_new (GTK_WINDOW (f->win), f->store, p);
  gtk_window_present (GTK_WINDOW (editor));
  spin (f);
  why_row = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_why_row");
  by_row = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_by_row");
  risk_switch = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_switch");
  g_assert_false (gtk_widget_get_visible (why_row));
  gtk_switch_set_active (GTK_SWITCH (risk_switch), FALSE);
  spin (f);
  g_assert_true (gtk_widget_get_visible (why_row));
  g_assert_true (gtk_widget_get_visible (by_row));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_cmpstr (traj_editor_dialog_get_missing (TRAJ_EDITOR_DIALOG (editor)), ==,
                   "To save, fill in: why the risk flag is cleared, your name for the risk flag.");
  gtk_editable_set_text (GTK_EDITABLE (why_row), " Reassessed today: no ideation, safety plan in place ");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  gtk_editable_set_text (GTK_EDITABLE (by_row), "Dr Ana Silva");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  /* Switched back on: nothing to explain. */
  gtk_switch_set_active (GTK_SWITCH (risk_switch), TRUE);
  g_assert_false (gtk_widget_get_visible (why_row));
  gtk_switch_set_active (GTK_SWITCH (risk_switch), FALSE);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  spin (f);

  after = traj_store_get_patient (f->store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->risk_si_at, ==, TRAJ_TIME_NONE);
  events = traj_store_list_audit (f->store, p->uid, &error);
  g_assert_no_error (error);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpstr (e->action, ==, "update");
  g_assert_cmpstr (e->summary, ==, "patient MRN SI-9: suicidal ideation flag cleared by Dr Ana Silva: "
                                   "Reassessed today: no ideation, safety plan in place");
}

/* ---- deleting from the timeline ---------------------------------------------- */

static GtkWidget *
find_named (GtkWidget *widget, const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);
      if (found)
        return found;
    }
  return NULL;
}

/* The delete button of the timeline's first row, where the pointer is. */
static GtkWidget *
first_row_delete (GtkWidget *page)
{
  GtkListBox *list = GTK_LIST_BOX (child (page, TRAJ_TYPE_PATIENT_PAGE, "timeline_list"));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);
  GtkWidget *button;

  g_assert_nonnull (row);
  button = find_named (GTK_WIDGET (row), "delete-record");
  g_assert_nonnull (button);
  return button;
}

/* A trial clinician's second click on the armed delete button crashed the
 * app: the pointer rested on the button with its tooltip up, the row went
 * away with the record, and the button's "leave" handler changed the
 * button while GTK was unmapping it. Real pointer clicks (xdotool, on the
 * test's own X display), with a rest between them as a person makes. */
static void
test_delete_by_pointer (Fixture *f, gconstpointer data)
{
  GtkWidget *page, *button, *sw;
  GtkAdjustment *adj;
  graphene_point_t p;
  double sx, sy;
  g_autofree char *cmd = NULL;
  gint32 today = traj_day_today ();
  gint64 pid, cid, until;

  pid = store_patient (f, "D-2", "Dee Pointer");
  cid = store_course (f, pid, today - 20, 6);
  traj_infusion_free (store_infusion (f, pid, cid, today - 19, 120));
  traj_infusion_free (store_infusion (f, pid, cid, today - 17, 121));
  open_window (f);
  traj_window_show_patient (f->win, pid);
  spin (f);
  page = traj_window_get_patient_page (f->win);

  /* The timeline sits below the chart: scroll it onto the screen. */
  button = first_row_delete (page);
  sw = gtk_widget_get_ancestor (button, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (sw);
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw));
  g_assert_true (gtk_widget_compute_point (button, GTK_WIDGET (f->win), &GRAPHENE_POINT_INIT (8, 8), &p));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + p.y - 300);
  WAIT_UNTIL (gtk_widget_compute_point (button, GTK_WIDGET (f->win), &GRAPHENE_POINT_INIT (8, 8), &p)
              && p.y < 700);
  gtk_native_get_surface_transform (GTK_NATIVE (f->win), &sx, &sy);
  cmd = g_strdup_printf ("xdotool mousemove --sync %d %d click 1", (int) (p.x + sx), (int) (p.y + sy));
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  WAIT_UNTIL (gtk_widget_has_css_class (button, "destructive-action"));
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 2);

  until = g_get_monotonic_time () + 1500 * 1000;
  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (g_spawn_command_line_sync ("xdotool click 1", NULL, NULL, NULL, NULL));
  WAIT_UNTIL (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL) == 1);
  for (int k = 0; k < 20; k++)
    spin (f);
  /* Still here, one record left on screen, and focus on a row. */
  g_assert_nonnull (gtk_list_box_get_row_at_index (
    GTK_LIST_BOX (child (page, TRAJ_TYPE_PATIENT_PAGE, "timeline_list")), 0));
  g_assert_true (GTK_IS_LIST_BOX_ROW (gtk_root_get_focus (GTK_ROOT (f->win))));
}

/* One click deleted, and the rows moved up under the pointer, so a quick
 * second click deleted the next record too. The first click only turns the
 * button into "Delete"; two quick clicks delete one record, and a third on
 * the row that moved up deletes nothing. Focus stays on a row. */
static void
test_delete_twice_deletes_one (Fixture *f, gconstpointer data)
{
  GtkWidget *page, *button;
  gint32 today = traj_day_today ();
  gint64 pid, cid;

  pid = store_patient (f, "D-1", "Dee Delete");
  cid = store_course (f, pid, today - 20, 6);
  traj_infusion_free (store_infusion (f, pid, cid, today - 19, 120));
  traj_infusion_free (store_infusion (f, pid, cid, today - 17, 121));
  traj_infusion_free (store_infusion (f, pid, cid, today - 15, 122));
  open_window (f);
  traj_window_show_patient (f->win, pid);
  spin (f);
  page = traj_window_get_patient_page (f->win);

  button = first_row_delete (page);
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 3);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Delete");
  g_assert_true (gtk_widget_has_css_class (button, "destructive-action"));
  g_signal_emit_by_name (button, "clicked");
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 2);

  g_signal_emit_by_name (first_row_delete (page), "clicked");
  spin (f);
  g_assert_cmpint (traj_store_count (f->store, TRAJ_KIND_INFUSION, NULL), ==, 2);
  g_assert_true (GTK_IS_LIST_BOX_ROW (gtk_root_get_focus (GTK_ROOT (f->win))));
  /* Moving on puts the question away. */
  button = first_row_delete (page);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Delete");
  gtk_widget_grab_focus (button);
  gtk_widget_grab_focus (child (f->win, TRAJ_TYPE_WINDOW, "search_entry"));
  g_assert_false (gtk_widget_has_css_class (button, "destructive-action"));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "user-trash-symbolic");
}

/* ---- words ------------------------------------------------------------------- */

static gboolean
shows_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (shows_label (c, text))
      return TRUE;
  return FALSE;
}

/* The Shortcuts window's header read "shortcuts" (its one section's
 * internal name). */
static void
test_shortcuts_window_title (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWidget *win;

  traj_gui_init ();                   /* the app's resources */
  builder = gtk_builder_new_from_resource ("/io/github/trajectory/Trajectory/gtk/help-overlay.ui");
  win = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));

  /* Not shown: GTK 4.8's Shortcuts window warns about a label's width
   * under Xvfb; its widgets exist and carry their text unshown. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (win)), ==, "Keyboard Shortcuts");
  g_assert_true (shows_label (win, "Keyboard Shortcuts"));
  g_assert_false (shows_label (win, "shortcuts"));
  gtk_window_destroy (GTK_WINDOW (win));
}

/* Esketamine sessions (a nasal spray) were called infusions: in the
 * timeline, the header's count and the delete notification. */
static void
test_esketamine_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *page;
  GtkListBoxRow *row;
  gint32 today = traj_day_today ();
  gint64 pid, cid;

  pid = store_patient (f, "E-1", "Esme Spray");
  cid = store_course (f, pid, today - 3, 8);
  i->patient_id = pid;
  i->course_id = cid;
  i->started_at = traj_time_from_day (today - 2, 10, 0);
  i->duration_min = 120;
  i->route = TRAJ_ROUTE_INTRANASAL;
  i->medicine = TRAJ_MEDICINE_ESKETAMINE;
  i->total_mg = 56;
  g_assert_true (traj_store_insert_infusion (f->store, i, &error));
  g_assert_no_error (error);
  open_window (f);
  traj_window_show_patient (f->win, pid);
  spin (f);
  page = traj_window_get_patient_page (f->win);

  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (child (page, TRAJ_TYPE_PATIENT_PAGE, "timeline_list")), 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Session 1 · Induction");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (page, TRAJ_TYPE_PATIENT_PAGE, "course_label"))),
                            " · 1 session · 2 days since the last session · "));
  gtk_widget_activate_action (page, "patient.delete-record", "(ix)", (gint32) TRAJ_KIND_INFUSION, i->id);
  spin (f);
  {
    g_autofree char *day = traj_day_format (today - 2);
    g_autofree char *title = g_strdup_printf ("Session of %s deleted", day);
    g_assert_cmpstr (adw_toast_get_title (traj_patient_page_get_last_toast (TRAJ_PATIENT_PAGE (page))), ==, title);
  }
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add ("/trial/birth-date-tab", Fixture, NULL, fixture_setup, test_birth_date_tab, fixture_teardown);
  g_test_add ("/trial/duplicate-patient-asks", Fixture, NULL, fixture_setup, test_duplicate_patient_asks,
              fixture_teardown);
  g_test_add ("/trial/risk-flag-names-clinician", Fixture, NULL, fixture_setup, test_risk_flag_names_clinician,
              fixture_teardown);
  g_test_add ("/trial/risk-flag-clear-asks-why", Fixture, NULL, fixture_setup, test_risk_flag_clear_asks_why,
              fixture_teardown);
  g_test_add ("/trial/delete-by-pointer", Fixture, NULL, fixture_setup, test_delete_by_pointer,
              fixture_teardown);
  g_test_add ("/trial/delete-twice-deletes-one", Fixture, NULL, fixture_setup, test_delete_twice_deletes_one,
              fixture_teardown);
  g_test_add ("/trial/editor-tab-with-messages", Fixture, NULL, fixture_setup, test_editor_tab_with_messages,
              fixture_teardown);
  g_test_add ("/trial/clinician-prompt", Fixture, NULL, fixture_setup, test_clinician_prompt, fixture_teardown);
  g_test_add_func ("/trial/shortcuts-window-title", test_shortcuts_window_title);
  g_test_add ("/trial/esketamine-sessions", Fixture, NULL, fixture_setup, test_esketamine_sessions, fixture_teardown);
  return g_test_run ();
}
