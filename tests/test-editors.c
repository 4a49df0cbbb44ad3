/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The record editors driven through their real widgets on a real SQLite
 * store: type into the fields, press the answer buttons, save, and read
 * back what the store holds. Validation messages must be the store's own
 * and visible under the field; a monitoring event is a warning that never
 * blocks saving. With TRAJ_SCREENSHOT_DIR set, /editors/screenshots writes
 * PNGs of every editor at 560 and 360 px wide. */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>

#include "traj-assessment-editor.h"
#include "traj-course-editor.h"
#include "traj-patient-editor.h"
#include "traj-gui.h"
#include "traj-infusion-editor-private.h"
#include "traj-date-entry.h"
#include "traj-medication-editor.h"
#include "traj-score-entry-private.h"
#include "traj-validate.h"

#include "traj-rems-group.h"
#include "test-wait.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  gint64 patient_id;
  gint64 course_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();

  f->dir = g_dir_make_tmp ("traj-editors-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  traj_store_set_clinician (f->store, "Dr Test");

  p->mrn = g_strdup ("ED-0001");
  p->name = g_strdup ("Edith Editor");
  p->birth_day = traj_day_from_ymd (1979, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  f->patient_id = p->id;

  c->patient_id = p->id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 6;
  c->start_day = traj_day_today () - 10;
  c->end_day = TRAJ_DAY_NONE;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  f->course_id = c->id;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_assert_finalize_object (f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* ---- helpers -------------------------------------------------------------- */

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static TrajPatientRecords *
load (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  TrajPatientRecords *r = traj_store_load_patient_records (f->store, f->patient_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static GtkWidget *
child (gpointer dialog, GType type, const char *name)
{
  GObject *o = gtk_widget_get_template_child (GTK_WIDGET (dialog), type, name);

  g_assert_nonnull (o);
  return GTK_WIDGET (o);
}

static void
type_into (GtkWidget *field, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field), text);
}

static GtkWidget *
find_action_button (GtkWidget *widget, const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, action);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
save_button (gpointer dialog)
{
  GtkWidget *button = find_action_button (GTK_WIDGET (dialog), "editor.save");

  g_assert_nonnull (button);
  return button;
}

static void
on_saved (TrajEditorDialog *dialog, gint64 id, gint64 *out)
{
  *out = id;
}

/* Whether a mapped label under @widget (outside popovers) reads @text. */
static gboolean
row_shows_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_POPOVER (widget) || !gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (row_shows_label (c, text))
      return TRUE;
  return FALSE;
}

/* Presents @dialog at @width × 720, owned by the test, and returns it. */
static gpointer
present_at (GtkWidget *dialog, int width)
{
  g_object_ref_sink (dialog);
  gtk_window_set_default_size (GTK_WINDOW (dialog), width, 720);
  gtk_window_present (GTK_WINDOW (dialog));
  spin ();
  return dialog;
}

static gpointer
present (GtkWidget *dialog)
{
  return present_at (dialog, 560);
}

/* After a successful save the dialog closes itself; only our ref is left. */
static void
finish (gpointer dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin ();
  g_assert_finalize_object (dialog);
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

/* As Enter or Space on the focused widget: a button's click lands after its
 * short press animation, so wait for the click itself. */
static void
activate (GtkWidget *widget)
{
  gboolean clicked = !GTK_IS_BUTTON (widget);
  gulong id = 0;

  g_object_ref (widget);
  if (GTK_IS_BUTTON (widget))
    id = g_signal_connect_swapped (widget, "clicked", G_CALLBACK (set_true), &clicked);
  g_assert_true (gtk_widget_activate (widget));
  WAIT_UNTIL (clicked);
  if (id)
    g_signal_handler_disconnect (widget, id);
  g_object_unref (widget);
  spin ();
}

static void
answer (TrajScoreEntry *entry, guint item, int value)
{
  GtkWidget *button = traj_score_entry_get_answer_button (entry, item, value);

  g_assert_nonnull (button);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), TRUE);
}

static void
set_reading (TrajInfusionEditor *e, guint reading, const char *values[TRAJ_N_VITAL_COLUMNS])
{
  for (guint c = 0; c < TRAJ_N_VITAL_COLUMNS; c++)
    if (values[c])
      type_into (traj_infusion_editor_get_vital_cell (e, reading, c), values[c]);
}

static const char *
visible_label (gpointer dialog, GType type, const char *row, const char *label)
{
  if (!gtk_widget_get_visible (child (dialog, type, row)))
    return NULL;
  return gtk_label_get_label (GTK_LABEL (child (dialog, type, label)));
}

/* ---- infusions ------------------------------------------------------------ */

static void
test_infusion_log_with_vitals (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) before = load (f);
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajInfusionEditor *e;
  const TrajInfusion *i;
  const TrajVitalSign *v;
  gint64 saved_id = 0;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  const char *pre[] = { NULL, "128", "82", "72", "98", "14" };
  const char *peak[] = { NULL, "151", "94", "88", "97", "16" };
  const char *discharge[] = { "115", "124", "80", "70", "99", "14" };

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, before, NULL));
  g_signal_connect (e, "saved", G_CALLBACK (on_saved), &saved_id);

  /* The defaults: 40 minutes, three readings offered, induction suggested,
   * the store's clinician; no weight yet so Save waits. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (e, t, "duration_row"))), ==, "40");
  g_assert_cmpuint (traj_infusion_editor_get_n_readings (e), ==, 3);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (e, 1, 0))), ==, "40");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "phase_row"))), ==, TRAJ_PHASE_INDUCTION);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (e, t, "clinician_row"))), ==, "Dr Test");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_is_sensitive (save_button (e)));

  type_into (child (e, t, "weight_row"), "72,5");
  type_into (child (e, t, "dose_row"), "0.5");
  type_into (child (e, t, "lot_row"), "KX-2291");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "total_label"))), ==, "36.25 mg");

  set_reading (e, 0, pre);
  set_reading (e, 1, peak);
  set_reading (e, 2, discharge);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (traj_infusion_editor_get_side_effect (e, 3)), TRUE);  /* dissociation */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (traj_infusion_editor_get_side_effect (e, 0)), TRUE);  /* nausea */
  type_into (child (e, t, "side_note_row"), "Mild, settled by 30 min");
  gtk_switch_set_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 0)), TRUE);              /* benzodiazepines */
  type_into (child (e, t, "monitoring_row"), "90");
  type_into (child (e, t, "ready_row"), "23:59");

  g_assert_true (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (gtk_widget_is_sensitive (save_button (e)));
  for (guint k = 0; k < 3; k++)
    {
      g_assert_null (traj_infusion_editor_get_reading_error (e, k));
      g_assert_null (traj_infusion_editor_get_reading_warning (e, k));
    }

  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpint (saved_id, >, 0);
  finish (e);

  after = load (f);
  g_assert_cmpuint (after->infusions->len, ==, 1);
  i = g_ptr_array_index (after->infusions, 0);
  g_assert_cmpint (i->id, ==, saved_id);
  g_assert_cmpint (i->course_id, ==, f->course_id);
  g_assert_cmpint (i->duration_min, ==, 40);
  g_assert_cmpint (i->route, ==, TRAJ_ROUTE_IV);
  g_assert_cmpint (i->medicine, ==, TRAJ_MEDICINE_KETAMINE);
  g_assert_cmpint (i->phase, ==, TRAJ_PHASE_INDUCTION);
  g_assert_cmpfloat_with_epsilon (i->weight_kg, 72.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (i->dose_mg_per_kg, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (i->total_mg, 36.25, 1e-9);
  g_assert_cmpstr (i->lot, ==, "KX-2291");
  g_assert_cmpuint (i->side_effects, ==, TRAJ_SIDE_NAUSEA | TRAJ_SIDE_DISSOCIATION);
  g_assert_cmpstr (i->side_effect_note, ==, "Mild, settled by 30 min");
  g_assert_cmpuint (i->concomitant, ==, TRAJ_CONCOMITANT_BENZODIAZEPINE);
  g_assert_cmpint (i->monitoring_min, ==, 90);
  g_assert_cmpint (i->ready_at, >=, i->started_at);
  g_assert_cmpstr (i->clinician, ==, "Dr Test");
  g_assert_cmpuint (i->vitals->len, ==, 3);
  v = g_ptr_array_index (i->vitals, 0);
  g_assert_cmpint (v->minute, ==, 0);
  g_assert_cmpint (v->systolic, ==, 128);
  g_assert_cmpint (v->diastolic, ==, 82);
  g_assert_cmpint (v->heart_rate, ==, 72);
  g_assert_cmpint (v->spo2, ==, 98);
  g_assert_cmpint (v->resp_rate, ==, 14);
  v = g_ptr_array_index (i->vitals, 1);
  g_assert_cmpint (v->minute, ==, 40);
  g_assert_cmpint (v->systolic, ==, 151);
  v = g_ptr_array_index (i->vitals, 2);
  g_assert_cmpint (v->minute, ==, 115);
  g_assert_cmpint (v->diastolic, ==, 80);
}

/* Trial findings: the IV form showed the esketamine monitoring form's
 * questions; "esketamine IV 0.5 mg/kg" was accepted; a medicine other than
 * the course's was taken without a word. */
static void
test_infusion_medicine_and_route (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajInfusion) last = traj_infusion_new ();
  g_autoptr(TrajPatientRecords) records = NULL;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  AdwComboRow *medicine, *route;
  GtkWidget *group;
  gpointer e;

  last->patient_id = f->patient_id;
  last->course_id = f->course_id;
  last->started_at = traj_time_now () - 3 * 86400;
  last->weight_kg = 70;
  last->dose_mg_per_kg = 0.5;
  last->total_mg = 35;
  g_assert_true (traj_store_insert_infusion (f->store, last, &error));
  g_assert_no_error (error);
  records = load (f);

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  medicine = ADW_COMBO_ROW (child (e, t, "medicine_row"));
  route = ADW_COMBO_ROW (child (e, t, "route_row"));
  group = child (e, t, "concomitant_group");
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");
  g_assert_cmpuint (adw_combo_row_get_selected (medicine), ==, TRAJ_MEDICINE_KETAMINE);
  g_assert_cmpuint (adw_combo_row_get_selected (route), ==, TRAJ_ROUTE_IV);
  /* CLINICAL.md §5: every infusion record has the concomitant answers
   * (benzodiazepines blunt IV ketamine too), worded for any route. */
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_null (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), "esketamine"));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* Esketamine IV: refused, with the way out. */
  adw_combo_row_set_selected (medicine, TRAJ_MEDICINE_ESKETAMINE);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (visible_label (e, t, "dose_message", "dose_message"), ==,
                   "Esketamine is recorded as the nasal spray (28, 56 or 84 mg), not Intravenous: choose the "
                   "intranasal route, or racemic ketamine for an Intravenous dose.");
  /* Every problem at once: the course's medicine too, on its own line. */
  g_assert_cmpstr (visible_label (e, t, "medicine_message", "medicine_message"), ==,
                   "This course’s infusions are Ketamine (racemic); a session of Esketamine belongs in a course "
                   "of its own (More → New Course), or choose Ketamine (racemic).");

  /* Intranasal esketamine, but the course is racemic ketamine. */
  adw_combo_row_set_selected (route, TRAJ_ROUTE_INTRANASAL);
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_null (visible_label (e, t, "dose_message", "dose_message"));
  g_assert_cmpstr (visible_label (e, t, "medicine_message", "medicine_message"), ==,
                   "This course’s infusions are Ketamine (racemic); a session of Esketamine belongs in a course "
                   "of its own (More → New Course), or choose Ketamine (racemic).");
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));

  adw_combo_row_set_selected (medicine, TRAJ_MEDICINE_KETAMINE);
  adw_combo_row_set_selected (route, TRAJ_ROUTE_IV);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (e));
  finish (e);

  g_assert_false (traj_validate_dose (TRAJ_ROUTE_IM, TRAJ_MEDICINE_ESKETAMINE, 0.5, 35, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DOSE_RANGE);
  g_clear_error (&error);
  g_assert_true (traj_validate_dose (TRAJ_ROUTE_INTRANASAL, TRAJ_MEDICINE_ESKETAMINE, 0, 56, &error));
  g_assert_no_error (error);
}

static void
test_infusion_defaults_and_rows (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajInfusion) last = traj_infusion_new ();
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajInfusionEditor *e;
  const TrajInfusion *saved;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  const char *only[] = { NULL, "130", "85", NULL, NULL, NULL };

  /* A previous esketamine session of this course. */
  last->patient_id = f->patient_id;
  last->course_id = f->course_id;
  last->started_at = traj_time_now () - 3 * 86400;
  last->route = TRAJ_ROUTE_INTRANASAL;
  last->medicine = TRAJ_MEDICINE_ESKETAMINE;
  last->weight_kg = 81;
  last->total_mg = 84;
  g_assert_true (traj_store_insert_infusion (f->store, last, &error));
  g_assert_no_error (error);
  records = load (f);

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "medicine_row"))), ==, TRAJ_MEDICINE_ESKETAMINE);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "route_row"))), ==, TRAJ_ROUTE_INTRANASAL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (e, t, "weight_row"))), ==, "81");
  /* Fixed dose instead of mg/kg, 84 mg as last time. */
  g_assert_false (gtk_widget_get_visible (child (e, t, "dose_row")));
  g_assert_true (gtk_widget_get_visible (child (e, t, "fixed_dose_row")));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "fixed_dose_row"))), ==, 2);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "total_label"))), ==, "84 mg");
  /* Nothing typed in the offered readings yet: still valid, they are skipped. */
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* Add a fourth reading, then remove two of the offered ones. */
  activate (child (e, t, "add_reading_row"));
  g_assert_cmpuint (traj_infusion_editor_get_n_readings (e), ==, 4);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (e, 3, 0))), ==, "135");
  activate (traj_infusion_editor_get_remove_button (e, 2));
  activate (traj_infusion_editor_get_remove_button (e, 0));
  g_assert_cmpuint (traj_infusion_editor_get_n_readings (e), ==, 2);
  set_reading (e, 1, only);

  /* Half a blood pressure is the store's error, on the reading. */
  type_into (traj_infusion_editor_get_vital_cell (e, 1, 2), "");
  g_assert_cmpstr (traj_infusion_editor_get_reading_error (e, 1), ==,
                   "Blood pressure needs both systolic and diastolic values.");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  type_into (traj_infusion_editor_get_vital_cell (e, 1, 2), "85");
  g_assert_null (traj_infusion_editor_get_reading_error (e, 1));

  /* The second infusion of the course is still induction. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "phase_row"))), ==, TRAJ_PHASE_INDUCTION);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  after = load (f);
  g_assert_cmpuint (after->infusions->len, ==, 2);
  saved = g_ptr_array_index (after->infusions, 1);
  g_assert_cmpfloat_with_epsilon (saved->total_mg, 84, 1e-9);
  g_assert_cmpfloat_with_epsilon (saved->dose_mg_per_kg, 0, 1e-9);
  g_assert_cmpuint (saved->vitals->len, ==, 1);
  g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (saved->vitals, 0))->minute, ==, 135);
}

static void
test_infusion_invalid_dose (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  TrajInfusionEditor *e;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_null (visible_label (e, t, "dose_message", "dose_message"));

  type_into (child (e, t, "dose_row"), "40");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_is_sensitive (save_button (e)));
  g_assert_cmpstr (visible_label (e, t, "dose_message", "dose_message"), ==,
                   "A dose of 40 mg/kg is outside 0.05–5 mg/kg (Intravenous).");
  g_assert_true (gtk_widget_has_css_class (child (e, t, "dose_row"), "error"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "total_label"))), ==, "—");
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));

  /* Other fields speak the store's rules too. */
  type_into (child (e, t, "weight_row"), "12");
  g_assert_cmpstr (visible_label (e, t, "weight_message", "weight_message"), ==,
                   "Weight 12.0 kg is outside 20–300 kg.");
  type_into (child (e, t, "duration_row"), "700");
  g_assert_cmpstr (visible_label (e, t, "duration_message", "duration_message"), ==,
                   "Duration 700 min is outside 1–600 minutes.");
  type_into (child (e, t, "date_row"), "2026-13-40");
  g_assert_cmpstr (visible_label (e, t, "date_message", "date_message"), ==,
                   "Enter the infusion date and start time.");
  g_assert_null (visible_label (e, t, "time_message", "time_message"));

  /* Corrected, everything clears. */
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "duration_row"), "40");
  {
    g_autofree char *today = traj_day_to_iso (traj_day_today ());
    type_into (child (e, t, "date_row"), today);
  }
  type_into (child (e, t, "dose_row"), "0.5");
  g_assert_null (visible_label (e, t, "dose_message", "dose_message"));
  g_assert_null (visible_label (e, t, "weight_message", "weight_message"));
  g_assert_null (visible_label (e, t, "date_message", "date_message"));
  g_assert_false (gtk_widget_has_css_class (child (e, t, "dose_row"), "error"));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (gtk_widget_is_sensitive (save_button (e)));

  /* Not saved: destroying discards it. */
  finish (e);
  {
    g_autoptr(TrajPatientRecords) after = load (f);
    g_assert_cmpuint (after->infusions->len, ==, 0);
  }
}

static void
test_infusion_monitoring_event (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajInfusionEditor *e;
  GtkWidget *sbp;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  const char *peak[] = { NULL, "184", "96", "88", "97", NULL };

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");
  set_reading (e, 1, peak);

  /* Over the limit: a warning, not an error; Save stays available. */
  sbp = traj_infusion_editor_get_vital_cell (e, 1, 1);
  g_assert_cmpstr (traj_infusion_editor_get_reading_warning (e, 1), ==, "Monitoring event: systolic 184 ≥ 180");
  g_assert_null (traj_infusion_editor_get_reading_error (e, 1));
  g_assert_true (gtk_widget_has_css_class (sbp, "monitoring-event"));
  g_assert_false (gtk_widget_has_css_class (sbp, "error"));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* Several at once are listed together. */
  type_into (traj_infusion_editor_get_vital_cell (e, 1, 3), "130");
  type_into (traj_infusion_editor_get_vital_cell (e, 1, 4), "90");
  g_assert_cmpstr (traj_infusion_editor_get_reading_warning (e, 1), ==,
                   "Monitoring event: systolic 184 ≥ 180; heart rate 130 > 120; SpO₂ 90 < 92");
  type_into (traj_infusion_editor_get_vital_cell (e, 1, 3), "88");
  type_into (traj_infusion_editor_get_vital_cell (e, 1, 4), "97");

  /* Implausible is invalid: the store's message, the cell in error. */
  type_into (sbp, "400");
  g_assert_cmpstr (traj_infusion_editor_get_reading_error (e, 1), ==, "Systolic blood pressure 400 is outside 50–300.");
  g_assert_true (gtk_widget_has_css_class (sbp, "error"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_is_sensitive (save_button (e)));

  type_into (sbp, "184");
  g_assert_null (traj_infusion_editor_get_reading_error (e, 1));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  after = load (f);
  g_assert_cmpuint (after->infusions->len, ==, 1);
  {
    const TrajInfusion *i = g_ptr_array_index (after->infusions, 0);
    int sys, dia;

    g_assert_true (traj_infusion_bp_peak (i, &sys, &dia));
    g_assert_cmpint (sys, ==, 184);
  }
}

static void
test_infusion_edit (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) saved = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajInfusionEditor *e;
  const TrajInfusion *i;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  const char *pre[] = { NULL, "120", "80", NULL, NULL, NULL };

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  set_reading (e, 0, pre);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  saved = load (f);
  i = g_ptr_array_index (saved->infusions, 0);
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, saved, i));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (e)), ==, "Edit Infusion");
  g_assert_false (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpuint (traj_infusion_editor_get_n_readings (e), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (e, t, "weight_row"))), ==, "70");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_infusion_editor_get_vital_cell (e, 0, 1))), ==, "120");
  type_into (child (e, t, "dose_row"), "0.75");
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "phase_row")), TRAJ_PHASE_BOOSTER);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  after = load (f);
  g_assert_cmpuint (after->infusions->len, ==, 1);
  i = g_ptr_array_index (after->infusions, 0);
  g_assert_cmpint (i->phase, ==, TRAJ_PHASE_BOOSTER);
  g_assert_cmpfloat_with_epsilon (i->total_mg, 52.5, 1e-9);
  g_assert_cmpuint (i->vitals->len, ==, 1);
}

/* CLINICAL.md §8 in the form: the CADSS total (0–92, empty = not recorded)
 * and the lowest MOAA/S (a list, 5 down to 0); out of range is refused
 * under the field, 3 or less says sedation, 0 says monitoring event; both
 * are saved and shown again on edit. */
static void
test_infusion_tolerability (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) saved = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajInfusionEditor *e;
  const TrajInfusion *i;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  AdwComboRow *moaas;

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  moaas = ADW_COMBO_ROW (child (e, t, "moaas_row"));
  type_into (child (e, t, "weight_row"), "70");
  g_assert_cmpuint (adw_combo_row_get_selected (moaas), ==, 0);          /* not recorded */
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  type_into (child (e, t, "cadss_row"), "93");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (visible_label (e, t, "cadss_message", "cadss_message"), ==,
                   "A CADSS total of 93 is outside 0–92 (23 items scored 0–4).");
  type_into (child (e, t, "cadss_row"), "forty");
  g_assert_cmpstr (visible_label (e, t, "cadss_message", "cadss_message"), ==,
                   "Type the CADSS total as a whole number from 0 to 92, or leave it empty.");
  type_into (child (e, t, "cadss_row"), "92");
  g_assert_false (gtk_widget_get_visible (child (e, t, "cadss_message")));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  adw_combo_row_set_selected (moaas, 2);                                   /* 4 */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (moaas)), ==, "");
  adw_combo_row_set_selected (moaas, 6);                                   /* 0 */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (moaas)), ==, "No response: a monitoring event");
  adw_combo_row_set_selected (moaas, 3);                                   /* 3 */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (moaas)), ==, "Sedation (3 or less)");
  /* The row shows the level's number, not its words (which were cut off at
   * 360 and 560 px wide); the open list keeps the words. */
  spin ();
  g_assert_true (row_shows_label (GTK_WIDGET (moaas), "3"));
  g_assert_false (row_shows_label (GTK_WIDGET (moaas), "3 · Loud or repeated name"));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  saved = load (f);
  i = g_ptr_array_index (saved->infusions, 0);
  g_assert_cmpint (i->cadss_total, ==, 92);
  g_assert_cmpint (i->moaas_lowest, ==, 3);

  /* Shown again on edit; cleared, they are not recorded. */
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, saved, i));
  moaas = ADW_COMBO_ROW (child (e, t, "moaas_row"));
  g_assert_false (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (e, t, "cadss_row"))), ==, "92");
  g_assert_cmpuint (adw_combo_row_get_selected (moaas), ==, 3);
  type_into (child (e, t, "cadss_row"), "0");
  adw_combo_row_set_selected (moaas, 0);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);
  after = load (f);
  i = g_ptr_array_index (after->infusions, 0);
  g_assert_cmpint (i->cadss_total, ==, 0);
  g_assert_cmpint (i->moaas_lowest, ==, -1);
}

/* ---- medicines (CLINICAL.md §8) ------------------------------------------ */

static void
add_medication (Fixture *f, TrajMedClass klass, const char *name, gint32 start, gint32 stop)
{
  g_autoptr(TrajMedication) m = traj_medication_new ();
  g_autoptr(GError) error = NULL;

  m->patient_id = f->patient_id;
  m->klass = klass;
  m->name = g_strdup (name);
  m->start_day = start;
  m->stop_day = stop;
  g_assert_true (traj_store_insert_medication (f->store, m, &error));
  g_assert_no_error (error);
}

/* A new infusion's concomitant answers come from what the list has taken
 * today (a benzodiazepine and a z-drug; not the opioid stopped yesterday,
 * nor lamotrigine, which is no question on the form), still editable; an
 * infusion being edited keeps its own answers. */
static void
test_infusion_concomitant_from_list (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajPatientRecords) saved = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajInfusionEditor *e;
  const TrajInfusion *i;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  gint32 today = traj_day_today ();

  add_medication (f, TRAJ_MED_CLASS_BENZODIAZEPINE, "Lorazepam", today - 100, TRAJ_DAY_NONE);
  add_medication (f, TRAJ_MED_CLASS_Z_DRUG, "Zolpidem", TRAJ_DAY_NONE, today);
  add_medication (f, TRAJ_MED_CLASS_OPIOID, "Tramadol", today - 100, today - 1);
  add_medication (f, TRAJ_MED_CLASS_LAMOTRIGINE, "Lamotrigine", today - 100, TRAJ_DAY_NONE);
  records = load (f);

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 0))));   /* benzodiazepine */
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 1))));   /* sedative */
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 2))));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 3))));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 4))));  /* opioid */
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (child (e, t, "concomitant_group"))), ==,
                   "Filled in from the patient’s medication list (what is taken today). Change an answer if the "
                   "list is out of date.");
  /* The clinician knows better than the list. */
  gtk_switch_set_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 1)), FALSE);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  saved = load (f);
  i = g_ptr_array_index (saved->infusions, 0);
  g_assert_cmphex (i->concomitant, ==, TRAJ_CONCOMITANT_BENZODIAZEPINE);
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, saved, i));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (traj_infusion_editor_get_concomitant (e, 1))));
  g_assert_false (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  gtk_window_destroy (GTK_WINDOW (e));
  spin ();
  g_assert_finalize_object (e);
  after = load (f);
  g_assert_cmphex (((TrajInfusion *) g_ptr_array_index (after->infusions, 0))->concomitant, ==,
                   TRAJ_CONCOMITANT_BENZODIAZEPINE);
}

/* The esketamine monitoring record's questions (CLINICAL.md §8): hidden for
 * IV ketamine, shown for intranasal esketamine with the first session and
 * who monitored filled in, what is missing and monitoring under 120
 * minutes said in the group; the answers saved and shown again on edit. */
static void
test_infusion_rems_record (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) saved = NULL;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  const TrajInfusion *i;
  TrajInfusionEditor *e;
  TrajRemsGroup *g;
  const char *check;

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  g = TRAJ_REMS_GROUP (traj_infusion_editor_get_rems_group (e));
  type_into (child (e, t, "weight_row"), "70");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (g)));

  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "medicine_row")), TRAJ_MEDICINE_ESKETAMINE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "route_row")), TRAJ_ROUTE_INTRANASAL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (g)));
  /* No earlier session: the first; the clinician logging it monitored. */
  g_assert_cmpuint (adw_combo_row_get_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_FIRST_SESSION)), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_rems_group_get_monitored_by_row (g))), ==, "Dr Test");
  g_assert_false (gtk_widget_get_visible (traj_rems_group_get_adverse_note_row (g)));
  type_into (child (e, t, "monitoring_row"), "100");
  type_into (child (e, t, "lot_row"), "LOT-1");
  check = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (g));
  g_assert_cmpstr (check, ==,
                   "Missing: Clinic name, Clinic address, REMS enrolment ID, Ready to leave without the 2-hour rule, "
                   "Vital signs acceptable before dosing, Blood pressure before dosing, "
                   "Blood pressure about 40 minutes after dosing, Blood pressure before leaving, "
                   "Vital signs acceptable before leaving, Sedation, Dissociation, Respiratory depression, "
                   "Adverse events.\n"
                   "Monitoring lasted 100 minutes, under the 120 minutes the REMS requires.");
  /* An incomplete record does not stop the save: staff finish it later. */
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  type_into (traj_rems_group_get_patient_id_row (g), " RP-9 ");
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_VITALS_BEFORE), 1);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_VITALS_LEAVING), 1);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_SEDATION), 2);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_DISSOCIATION), 1);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_RESP_DEPRESSION), 2);
  adw_combo_row_set_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_ADVERSE), 1);
  g_assert_true (gtk_widget_get_visible (traj_rems_group_get_adverse_note_row (g)));
  check = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (g));
  g_assert_nonnull (strstr (check, "Adverse events (what happened)."));
  type_into (traj_rems_group_get_adverse_note_row (g), "Nausea");
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  saved = load (f);
  i = g_ptr_array_index (saved->infusions, 0);
  g_assert_cmpint (i->rems_first_session, ==, 1);
  g_assert_cmpstr (i->rems_patient_id, ==, "RP-9");
  g_assert_cmpstr (i->rems_monitored_by, ==, "Dr Test");
  g_assert_cmpint (i->rems_vitals_ok_before, ==, 1);
  g_assert_cmpint (i->rems_vitals_ok_leaving, ==, 1);
  g_assert_cmpint (i->rems_sedation, ==, 0);
  g_assert_cmpint (i->rems_dissociation, ==, 1);
  g_assert_cmpint (i->rems_resp_depression, ==, 0);
  g_assert_cmpint (i->rems_adverse, ==, 1);
  g_assert_cmpstr (i->rems_adverse_note, ==, "Nausea");
  g_assert_cmpint (i->monitoring_min, ==, 100);

  /* Edited: the answers are shown, nothing changed. */
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, saved, i));
  g = TRAJ_REMS_GROUP (traj_infusion_editor_get_rems_group (e));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (g)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_rems_group_get_patient_id_row (g))), ==, "RP-9");
  g_assert_cmpuint (adw_combo_row_get_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_SEDATION)), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_rems_group_get_adverse_note_row (g))), ==, "Nausea");
  g_assert_false (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  /* The next session of this patient is not the first, and keeps the ID. */
  gtk_window_destroy (GTK_WINDOW (e));
  spin ();
  g_assert_finalize_object (e);
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, saved, NULL));
  g = TRAJ_REMS_GROUP (traj_infusion_editor_get_rems_group (e));
  g_assert_cmpuint (adw_combo_row_get_selected (traj_rems_group_get_question (g, TRAJ_REMS_Q_FIRST_SESSION)), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (traj_rems_group_get_patient_id_row (g))), ==, "RP-9");
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (e));
  finish (e);
}

/* The medicine editor: Save waits for a name; a stop before the start and
 * an unreadable date are refused with their message on the field; an empty
 * start is "not known"; the saved medicine is what was typed; on edit the
 * fields show it and a stop day is saved as an update. */
static void
test_medication_editor (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) saved = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajMedicationEditor *e;
  const TrajMedication *m;
  GType t = TRAJ_TYPE_MEDICATION_EDITOR;
  GtkWidget *start, *stop;

  e = present (GTK_WIDGET (traj_medication_editor_new (NULL, f->store, f->patient_id, NULL)));
  /* Typing goes into the name first. */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (e));
    g_assert_nonnull (focus);
    g_assert_true (focus == child (e, t, "name_row") || gtk_widget_is_ancestor (focus, child (e, t, "name_row")));
  }
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_get_visible (child (e, t, "error_label")));
  /* The class follows the name until the person chooses one. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "class_row"))), ==, TRAJ_MED_CLASS_OTHER);
  type_into (child (e, t, "name_row"), "Lamotrigine 100 mg");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "class_row"))), ==,
                    TRAJ_MED_CLASS_LAMOTRIGINE);
  type_into (child (e, t, "name_row"), "Lorazepam");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "class_row"))), ==,
                    TRAJ_MED_CLASS_BENZODIAZEPINE);
  type_into (child (e, t, "name_row"), "Herbal tea");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "class_row"))), ==, TRAJ_MED_CLASS_OTHER);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "class_row")), TRAJ_MED_CLASS_ANTIDEPRESSANT);
  type_into (child (e, t, "name_row"), "Lithium");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "class_row"))), ==,
                    TRAJ_MED_CLASS_ANTIDEPRESSANT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "class_row")), TRAJ_MED_CLASS_BENZODIAZEPINE);
  type_into (child (e, t, "name_row"), "Lorazepam");
  type_into (child (e, t, "dose_row"), "1 mg at night");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  start = GTK_WIDGET (traj_date_entry_get_editable (TRAJ_DATE_ENTRY (child (e, t, "start_entry"))));
  stop = GTK_WIDGET (traj_date_entry_get_editable (TRAJ_DATE_ENTRY (child (e, t, "stop_entry"))));
  type_into (start, "2026-03-02");
  type_into (stop, "2026-03-01");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "error_label"))), ==,
                   "The stop date (1 Mar 2026) is before the start date (2 Mar 2026).");
  g_assert_true (gtk_widget_has_css_class (child (e, t, "stop_row"), "error"));
  type_into (stop, "next week");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "error_label"))), ==,
                   "Enter dates as YYYY-MM-DD, or leave them empty.");
  type_into (stop, "");
  type_into (start, "");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_get_visible (child (e, t, "error_label")));
  type_into (child (e, t, "name_row"), "  ");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "error_label"))), ==, "Enter the medicine’s name.");
  type_into (child (e, t, "name_row"), "Lorazepam");
  type_into (start, "2026-03-02");
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  saved = load (f);
  g_assert_cmpuint (saved->medications->len, ==, 1);
  m = g_ptr_array_index (saved->medications, 0);
  g_assert_cmpstr (m->name, ==, "Lorazepam");
  g_assert_cmpint (m->klass, ==, TRAJ_MED_CLASS_BENZODIAZEPINE);
  g_assert_cmpstr (m->dose, ==, "1 mg at night");
  g_assert_cmpint (m->start_day, ==, traj_day_from_ymd (2026, 3, 2));
  g_assert_cmpint (m->stop_day, ==, TRAJ_DAY_NONE);

  e = present (GTK_WIDGET (traj_medication_editor_new (NULL, f->store, f->patient_id, m)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (e, t, "name_row"))), ==, "Lorazepam");
  g_assert_false (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  stop = GTK_WIDGET (traj_date_entry_get_editable (TRAJ_DATE_ENTRY (child (e, t, "stop_entry"))));
  type_into (stop, "2026-04-30");
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);
  after = load (f);
  g_assert_cmpuint (after->medications->len, ==, 1);
  g_assert_cmpint (((TrajMedication *) g_ptr_array_index (after->medications, 0))->stop_day, ==,
                   traj_day_from_ymd (2026, 4, 30));
}

/* ---- assessments ---------------------------------------------------------- */

static const int phq9_answers[9] = { 1, 2, 0, 3, 1, 0, 2, 1, 0 };   /* total 10 */

/* CLINICAL.md §7 in the infusion editor: the low limits are monitoring
 * events like the high ones (the engine's rule, threshold named); a
 * diastolic not below its systolic, or 300/20, is an error on the reading. */
static void
test_infusion_vitals_low_and_bp (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  TrajInfusionEditor *e;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  const char *low[] = { NULL, "84", "52", "46", "96", "8" };
  GtkWidget *sbp, *dbp, *hr, *rr;

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");
  set_reading (e, 1, low);
  sbp = traj_infusion_editor_get_vital_cell (e, 1, 1);
  dbp = traj_infusion_editor_get_vital_cell (e, 1, 2);
  hr = traj_infusion_editor_get_vital_cell (e, 1, 3);
  rr = traj_infusion_editor_get_vital_cell (e, 1, 5);
  g_assert_cmpstr (traj_infusion_editor_get_reading_warning (e, 1), ==,
                   "Monitoring event: systolic 84 < 90; heart rate 46 < 50; "
                   "respiratory rate 8 < 10 (respiratory depression)");
  g_assert_true (gtk_widget_has_css_class (sbp, "monitoring-event"));
  g_assert_true (gtk_widget_has_css_class (hr, "monitoring-event"));
  g_assert_true (gtk_widget_has_css_class (rr, "monitoring-event"));
  g_assert_false (gtk_widget_has_css_class (dbp, "monitoring-event"));
  g_assert_null (traj_infusion_editor_get_reading_error (e, 1));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* At the limits: nothing to note. */
  type_into (sbp, "90");
  type_into (hr, "50");
  type_into (rr, "10");
  g_assert_null (traj_infusion_editor_get_reading_warning (e, 1));
  g_assert_false (gtk_widget_has_css_class (rr, "monitoring-event"));

  /* 80/120: the halves swapped. Refused, on the diastolic, Save waits. */
  type_into (sbp, "80");
  type_into (dbp, "120");
  g_assert_cmpstr (traj_infusion_editor_get_reading_error (e, 1), ==,
                   "Blood pressure 80/120: the diastolic value (120) must be below the systolic (80). "
                   "Check the reading for a typing error.");
  g_assert_true (gtk_widget_has_css_class (dbp, "error"));
  /* A refused reading is no monitoring event (120 ≥ 110, 80 < 90). */
  g_assert_null (traj_infusion_editor_get_reading_warning (e, 1));
  g_assert_false (gtk_widget_has_css_class (sbp, "monitoring-event"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_is_sensitive (save_button (e)));
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));

  type_into (sbp, "300");
  type_into (dbp, "20");
  g_assert_cmpstr (traj_infusion_editor_get_reading_error (e, 1), ==,
                   "Blood pressure 300/20: systolic and diastolic are more than 200 mmHg apart, which no "
                   "reading shows. Check the reading for a typing error.");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  type_into (sbp, "120");
  type_into (dbp, "80");
  g_assert_null (traj_infusion_editor_get_reading_error (e, 1));
  g_assert_false (gtk_widget_has_css_class (dbp, "error"));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  finish (e);
  {
    g_autoptr(TrajPatientRecords) after = load (f);
    g_assert_cmpuint (after->infusions->len, ==, 0);
  }
}

static void
set_when (gpointer e, GType t, gint32 day, const char *clock)
{
  g_autofree char *iso = traj_day_to_iso (day);

  type_into (child (e, t, "date_row"), iso);
  type_into (child (e, t, "time_row"), clock);
}

/* Answers the editor's "Check the Date" question as its button would. */
static void
answer_confirmation (gpointer e, const char *response)
{
  GtkWidget *dialog = traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (e));

  g_assert_nonnull (dialog);
  g_object_ref (dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  spin ();
  g_object_unref (dialog);
}

static const char *
confirmation_body (gpointer e)
{
  GtkWidget *dialog = traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (e));

  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (dialog));
  return adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
}

static guint
count_infusions (Fixture *f)
{
  g_autoptr(TrajPatientRecords) r = load (f);
  return r->infusions->len;
}

/* CLINICAL.md §7 "Plausible dates" in the infusion editor: a date before
 * birth is an error; far before the course, after its end or within 60
 * minutes of another infusion, the editor says so under the date, and Save
 * asks the clinician, naming the dates; only "Save Anyway" saves, and the
 * confirmation is in the audit trail. */
static void
test_infusion_confirm_date (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) after = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  gint32 start = traj_day_today () - 10;          /* the fixture's course */
  gint32 early = start - 45;
  g_autofree char *early_text = traj_day_format (early);
  g_autofree char *start_text = traj_day_format (start);
  g_autofree char *sentence = g_strdup_printf ("This infusion is dated %s, 45 days before its course starts (%s).",
                                               early_text, start_text);
  const TrajInfusion *i;
  TrajInfusionEditor *e;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");

  /* Before the patient's birth (17 May 1979): an error under the date. */
  set_when (e, t, traj_day_from_ymd (1979, 5, 16), "10:00");
  g_assert_cmpstr (visible_label (e, t, "date_message", "date_message"), ==,
                   "The infusion is dated 16 May 1979, before the patient’s birth date (17 May 1979).");
  g_assert_true (gtk_widget_has_css_class (child (e, t, "date_row"), "error"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* 45 days before the course: a caution under the date; Save stays on. */
  set_when (e, t, early, "10:00");
  g_assert_false (gtk_widget_has_css_class (child (e, t, "date_row"), "error"));
  {
    g_autofree char *caution = g_strdup_printf ("%s Saving will ask you to confirm it.", sentence);
    g_assert_cmpstr (visible_label (e, t, "date_message", "date_message"), ==, caution);
    g_assert_true (gtk_widget_has_css_class (child (e, t, "date_message"), "field-caution"));
  }
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* Save asks, naming the dates; the default answer changes nothing. */
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (g_str_has_prefix (confirmation_body (e), sentence));
  g_assert_cmpuint (count_infusions (f), ==, 0);
  answer_confirmation (e, "cancel");
  g_assert_null (traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (e)));
  g_assert_cmpuint (count_infusions (f), ==, 0);

  /* Asked again, confirmed: saved, with the confirmation on the record and
   * in the audit trail. */
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  answer_confirmation (e, "confirm");
  finish (e);
  after = load (f);
  g_assert_cmpuint (after->infusions->len, ==, 1);
  i = g_ptr_array_index (after->infusions, 0);
  g_assert_cmphex (i->date_confirmed, ==, TRAJ_DATE_WARNING_BEFORE_COURSE);
  audit = traj_store_list_audit (f->store, i->uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audit->len, ==, 2);
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (audit, 0))->action, ==, "confirm");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (audit, 0))->clinician, ==, "Dr Test");
  {
    g_autofree char *summary = g_strdup_printf ("date confirmed: %s", sentence);
    g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (audit, 0))->summary, ==, summary);
  }

  /* Editing it (another lot) keeps the confirmation and asks nothing... */
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, after, i));
  type_into (child (e, t, "lot_row"), "LOT-2");
  g_assert_null (visible_label (e, t, "date_message", "date_message"));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  /* ...but a second infusion 20 minutes after it is asked about. */
  g_clear_pointer (&after, traj_patient_records_free);
  after = load (f);
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, after, NULL));
  type_into (child (e, t, "weight_row"), "70");
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "course_row")), 0);   /* no course */
  set_when (e, t, early, "10:20");
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  {
    g_autofree char *first = traj_time_format (traj_time_from_day (early, 10, 0));
    g_autofree char *mine = traj_time_format (traj_time_from_day (early, 10, 20));
    g_autofree char *near = g_strdup_printf ("Another infusion of this patient started at %s, 20 minutes from this "
                                             "one (%s): it may be the same infusion entered twice.", first, mine);
    g_assert_true (g_str_has_prefix (confirmation_body (e), near));
  }
  answer_confirmation (e, "cancel");
  /* Moved two hours later, nothing to confirm. */
  type_into (child (e, t, "time_row"), "12:20");
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);
  g_assert_cmpuint (count_infusions (f), ==, 2);
}

/* The assessment editor: scores dated before birth, or a second complete
 * questionnaire of the scale in the same minute, are errors naming both. */
/* A trial found Record Scores starting at "Before infusion" after that
 * day's infusion was logged: with one logged today it starts "After". */
static void
test_assessment_timing_after_todays_infusion (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajInfusion) earlier = traj_infusion_new ();
  g_autoptr(TrajInfusion) today = traj_infusion_new ();
  g_autoptr(TrajPatientRecords) before = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  GType t = TRAJ_TYPE_ASSESSMENT_EDITOR;
  gpointer e;

  earlier->patient_id = today->patient_id = f->patient_id;
  earlier->course_id = today->course_id = f->course_id;
  earlier->started_at = traj_time_from_day (traj_day_today () - 2, 10, 0);
  today->started_at = traj_time_from_day (traj_day_today (), 0, 0);
  for (guint k = 0; k < 2; k++)
    {
      TrajInfusion *i = k == 0 ? earlier : today;
      i->weight_kg = 70;
      i->dose_mg_per_kg = 0.5;
      i->total_mg = 35;
    }
  g_assert_true (traj_store_insert_infusion (f->store, earlier, &error));
  g_assert_no_error (error);
  before = load (f);
  g_assert_cmpint (traj_assessment_default_timing (before, traj_time_now ()), ==, TRAJ_TIMING_PRE);
  e = present (traj_assessment_editor_new (NULL, f->store, before, NULL));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "timing_row"))), ==, TRAJ_TIMING_PRE);
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (e));
  finish (e);

  g_assert_true (traj_store_insert_infusion (f->store, today, &error));
  g_assert_no_error (error);
  after = load (f);
  g_assert_cmpint (traj_assessment_default_timing (after, traj_time_now ()), ==, TRAJ_TIMING_POST);
  /* Scores taken before today's infusion started stay "before". */
  g_assert_cmpint (traj_assessment_default_timing (after, today->started_at - 60), ==, TRAJ_TIMING_PRE);
  e = present (traj_assessment_editor_new (NULL, f->store, after, NULL));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "timing_row"))), ==, TRAJ_TIMING_POST);
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (e));
  finish (e);
}

static void
test_assessment_plausible (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajAssessment) first = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(GError) error = NULL;
  TrajAssessmentEditor *e;
  TrajScoreEntry *entry;
  GType t = TRAJ_TYPE_ASSESSMENT_EDITOR;
  gint32 day = traj_day_today () - 2;
  g_autofree char *when = traj_time_format (traj_time_from_day (day, 9, 15));
  g_autofree char *expected = NULL;

  first->patient_id = f->patient_id;
  first->taken_at = traj_time_from_day (day, 9, 15) + 20;
  for (guint k = 0; k < 9; k++)
    first->items[k] = 1;
  g_assert_true (traj_store_insert_assessment (f->store, first, &error));
  g_assert_no_error (error);
  records = load (f);

  e = present (traj_assessment_editor_new (NULL, f->store, records, NULL));
  entry = TRAJ_SCORE_ENTRY (child (e, t, "score_entry"));
  for (guint k = 0; k < 9; k++)
    answer (entry, k, phq9_answers[k]);
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  set_when (e, t, traj_day_from_ymd (1979, 5, 1), "09:15");
  g_assert_cmpstr (visible_label (e, t, "date_message", "date_message"), ==,
                   "The scores are dated 1 May 1979, before the patient’s birth date (17 May 1979).");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* The same minute as the PHQ-9 already recorded (total 9): both named. */
  set_when (e, t, day, "09:15");
  g_assert_null (visible_label (e, t, "date_message", "date_message"));
  expected = g_strdup_printf ("A complete PHQ-9 (total 9) was already recorded for this patient at %s; this PHQ-9 "
                              "(total 10, %s) is in the same minute, so it is probably the same questionnaire "
                              "entered twice. Change the time if it is another one.", when, when);
  g_assert_cmpstr (visible_label (e, t, "time_message", "time_message"), ==, expected);
  g_assert_true (gtk_widget_has_css_class (child (e, t, "time_row"), "error"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));

  /* A draft in that minute is no duplicate; nor is the next minute. */
  type_into (child (e, t, "time_row"), "09:16");
  g_assert_null (visible_label (e, t, "time_message", "time_message"));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* Another program records a PHQ-9 at 09:16 meanwhile: the store refuses
   * the save with the same sentence, and the editor stays open. */
  {
    g_autoptr(TrajAssessment) other = traj_assessment_copy (first);
    g_free (other->uid);
    other->uid = NULL;
    other->id = 0;
    other->taken_at = traj_time_from_day (day, 9, 16);
    g_assert_true (traj_store_insert_assessment (f->store, other, &error));
    g_assert_no_error (error);
  }
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (e)));
  {
    g_autofree char *at = traj_time_format (traj_time_from_day (day, 9, 16));
    g_autofree char *refused = g_strdup_printf ("A complete PHQ-9 (total 9) was already recorded for this patient "
                                                "at %s; this PHQ-9 (total 10, %s) is in the same minute, so it is "
                                                "probably the same questionnaire entered twice. Change the time if "
                                                "it is another one.", at, at);
    g_assert_cmpstr (traj_editor_dialog_get_error (TRAJ_EDITOR_DIALOG (e)), ==, refused);
  }
  type_into (child (e, t, "time_row"), "09:30");
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);
  {
    g_autoptr(TrajPatientRecords) after = load (f);
    g_assert_cmpuint (after->assessments->len, ==, 3);
  }
}

static void
test_assessment_phq9_and_edit (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) saved = NULL;
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajAssessmentEditor *e;
  TrajScoreEntry *entry;
  const TrajAssessment *a;
  gint64 id = 0;
  GType t = TRAJ_TYPE_ASSESSMENT_EDITOR;

  e = present (traj_assessment_editor_new (NULL, f->store, records, NULL));
  g_signal_connect (e, "saved", G_CALLBACK (on_saved), &id);
  entry = TRAJ_SCORE_ENTRY (child (e, t, "score_entry"));

  /* The course's primary scale, its course, now; nothing answered yet. */
  g_assert_cmpint (traj_score_entry_get_scale (entry), ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (e, t, "course_row"))), ==, 1);
  g_assert_true (gtk_widget_get_sensitive (child (e, t, "scale_row")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (e, t, "source_label"))), ==, "Clinician");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "0 of 9 answered");

  for (guint k = 0; k < 9; k++)
    {
      if (k % 2)
        activate (traj_score_entry_get_answer_button (entry, k, phq9_answers[k]));
      else
        answer (entry, k, phq9_answers[k]);
    }
  answer (entry, 9, 1);                   /* difficulty: somewhat difficult */

  g_assert_true (traj_score_entry_is_complete (entry));
  g_assert_cmpint (traj_score_entry_get_total (entry), ==, 10);
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "Total 10 · moderate");
  g_assert_false (gtk_widget_get_visible (child (e, t, "draft_notice")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (save_button (e))), ==, "_Save");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (e, t, "notes_view"))),
                            "Before the third infusion", -1);

  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpint (id, >, 0);
  finish (e);

  saved = load (f);
  g_assert_cmpuint (saved->assessments->len, ==, 1);
  a = g_ptr_array_index (saved->assessments, 0);
  g_assert_cmpint (a->id, ==, id);
  g_assert_cmpint (a->scale, ==, TRAJ_SCALE_PHQ9);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 10);
  for (guint k = 0; k < 9; k++)
    g_assert_cmpint (a->items[k], ==, phq9_answers[k]);
  g_assert_cmpint (a->difficulty, ==, 1);
  g_assert_cmpint (a->source, ==, TRAJ_SOURCE_CLINICIAN);
  g_assert_cmpint (a->timing, ==, TRAJ_TIMING_PRE);
  g_assert_cmpint (a->course_id, ==, f->course_id);
  g_assert_cmpstr (a->notes, ==, "Before the third infusion");
  g_assert_cmpint (llabs (a->taken_at - traj_time_now ()), <, 120);

  /* Edit: the scale is fixed, one answer changes, the store rescoring follows. */
  e = present (traj_assessment_editor_new (NULL, f->store, saved, a));
  entry = TRAJ_SCORE_ENTRY (child (e, t, "score_entry"));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (e)), ==, "Edit Scores");
  g_assert_false (gtk_widget_get_sensitive (child (e, t, "scale_row")));
  g_assert_false (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  g_assert_cmpint (traj_score_entry_get_total (entry), ==, 10);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (traj_score_entry_get_answer_button (entry, 3, 3))));
  answer (entry, 3, 0);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (traj_score_entry_get_answer_button (entry, 3, 3))));
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "Total 7 · mild");
  g_assert_true (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "timing_row")), TRAJ_TIMING_BETWEEN);
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  after = load (f);
  g_assert_cmpuint (after->assessments->len, ==, 1);
  a = g_ptr_array_index (after->assessments, 0);
  g_assert_cmpint (a->id, ==, id);
  g_assert_cmpint (a->total, ==, 7);
  g_assert_cmpint (a->items[3], ==, 0);
  g_assert_cmpint (a->items[1], ==, 2);
  g_assert_cmpint (a->timing, ==, TRAJ_TIMING_BETWEEN);
}

static void
test_assessment_draft (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajAssessmentEditor *e;
  TrajScoreEntry *entry;
  const TrajAssessment *a;
  GType t = TRAJ_TYPE_ASSESSMENT_EDITOR;

  e = present (traj_assessment_editor_new (NULL, f->store, records, NULL));
  entry = TRAJ_SCORE_ENTRY (child (e, t, "score_entry"));
  for (guint k = 0; k < 7; k++)
    answer (entry, k, phq9_answers[k]);

  /* Saving an incomplete one is an explicit draft. */
  g_assert_false (traj_score_entry_is_complete (entry));
  g_assert_cmpint (traj_score_entry_get_total (entry), ==, -1);
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "7 of 9 answered");
  g_assert_true (gtk_widget_get_visible (child (e, t, "draft_notice")));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (e, t, "draft_text"))),
                                   "7 of 9 items answered. It will be saved as a draft"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (save_button (e))), ==, "Save as _Draft");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  /* Answering the rest turns it back into a normal save… */
  answer (entry, 7, 1);
  answer (entry, 8, 0);
  g_assert_false (gtk_widget_get_visible (child (e, t, "draft_notice")));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (save_button (e))), ==, "_Save");
  /* …and clearing one (Delete on the item) makes it a draft again. */
  {
    int values[TRAJ_MAX_ITEMS];

    traj_score_entry_get_values (entry, values);
    values[8] = -1;
    values[7] = -1;
    traj_score_entry_set_values (entry, values, 9);
  }
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (save_button (e))), ==, "Save as _Draft");

  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  after = load (f);
  g_assert_cmpuint (after->assessments->len, ==, 1);
  a = g_ptr_array_index (after->assessments, 0);
  g_assert_false (a->complete);
  g_assert_cmpint (a->total, ==, -1);
  for (guint k = 0; k < 7; k++)
    g_assert_cmpint (a->items[k], ==, phq9_answers[k]);
  g_assert_cmpint (a->items[7], ==, -1);
  g_assert_cmpint (a->items[8], ==, -1);
}

static void
test_assessment_madrs_and_time (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatientRecords) after = NULL;
  TrajAssessmentEditor *e;
  TrajScoreEntry *entry;
  GtkWidget *total;
  const TrajAssessment *a;
  GType t = TRAJ_TYPE_ASSESSMENT_EDITOR;

  e = present (traj_assessment_editor_new (NULL, f->store, records, NULL));
  entry = TRAJ_SCORE_ENTRY (child (e, t, "score_entry"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (e, t, "scale_row")), TRAJ_SCALE_MADRS - 1);
  g_assert_cmpint (traj_score_entry_get_scale (entry), ==, TRAJ_SCALE_MADRS);
  /* Total only: no item wording, no answer buttons. */
  g_assert_null (traj_score_entry_get_answer_button (entry, 0, 0));
  g_assert_cmpuint (traj_score_entry_get_n_items (entry), ==, 0);
  total = traj_score_entry_get_total_field (entry);
  g_assert_true (gtk_widget_is_visible (total));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  type_into (total, "75");
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (gtk_widget_has_css_class (total, "error"));
  g_assert_cmpstr (visible_label (entry, TRAJ_TYPE_SCORE_ENTRY, "total_message_row", "total_message"), ==,
                   "A MADRS total of 75 is outside 0–60.");
  type_into (total, "24");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  g_assert_false (gtk_widget_has_css_class (total, "error"));
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "Total 24 · moderate");

  /* Date and time: typed, checked with the store's rule. */
  type_into (child (e, t, "time_row"), "25:00");
  g_assert_cmpstr (visible_label (e, t, "time_message", "time_message"), ==, "Enter when the scores were taken.");
  g_assert_null (visible_label (e, t, "date_message", "date_message"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));
  type_into (child (e, t, "time_row"), "08:30");
  type_into (child (e, t, "date_row"), "2099-01-01");
  g_assert_cmpstr (visible_label (e, t, "date_message", "date_message"), ==, "The assessment is dated in the future.");
  type_into (child (e, t, "date_row"), "2026-01-15");
  g_assert_null (visible_label (e, t, "date_message", "date_message"));
  g_assert_null (visible_label (e, t, "time_message", "time_message"));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);

  after = load (f);
  a = g_ptr_array_index (after->assessments, 0);
  g_assert_cmpint (a->scale, ==, TRAJ_SCALE_MADRS);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 24);
  g_assert_cmpint (a->taken_at, ==, traj_time_from_day (traj_day_from_ymd (2026, 1, 15), 8, 30));
}

/* ---- the questionnaire widget alone ------------------------------------- */

static void
count_changed (TrajScoreEntry *entry, guint *n)
{
  (*n)++;
}

/* Sends @keyval to @item's key handler, as when one of its answers has focus. */
static gboolean
press_key (TrajScoreEntry *entry, guint item, guint keyval)
{
  GtkWidget *page = gtk_widget_get_ancestor (traj_score_entry_get_answer_button (entry, item, 0), GTK_TYPE_BOX);
  g_autoptr(GListModel) controllers = NULL;
  gboolean handled = FALSE;

  /* button → answers → the item's card, which holds the key controller */
  page = gtk_widget_get_parent (page);
  controllers = gtk_widget_observe_controllers (page);
  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, k);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        g_signal_emit_by_name (c, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  return handled;
}

static void
test_score_entry_api (void)
{
  TrajScoreEntry *entry = TRAJ_SCORE_ENTRY (g_object_ref_sink (traj_score_entry_new ()));
  const int gad[7] = { 3, 3, 2, 2, 3, 2, 3 };       /* 18: severe */
  int out[TRAJ_MAX_ITEMS];
  guint changed = 0;
  int min, nat;

  g_signal_connect (entry, "changed", G_CALLBACK (count_changed), &changed);
  traj_score_entry_set_scale (entry, TRAJ_SCALE_GAD7);
  g_assert_cmpuint (traj_score_entry_get_n_items (entry), ==, 7);
  g_assert_false (traj_score_entry_is_complete (entry));
  g_assert_cmpint (traj_score_entry_get_total (entry), ==, -1);

  changed = 0;
  traj_score_entry_set_values (entry, gad, 7);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (traj_score_entry_is_complete (entry));
  g_assert_cmpint (traj_score_entry_get_total (entry), ==, 18);
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "Total 18 · severe");
  traj_score_entry_get_values (entry, out);
  for (guint k = 0; k < 7; k++)
    g_assert_cmpint (out[k], ==, gad[k]);
  /* The difficulty question belongs to PHQ-9 only. */
  traj_score_entry_set_difficulty (entry, 2);
  g_assert_cmpint (traj_score_entry_get_difficulty (entry), ==, -1);

  /* A person pressing a button: one "changed". */
  changed = 0;
  answer (entry, 0, 0);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (traj_score_entry_get_total (entry), ==, 15);

  /* The keyboard: a digit answers the item that has focus, Delete clears it,
   * a digit that is no answer changes nothing. */
  g_assert_cmpint (press_key (entry, 1, GDK_KEY_1), ==, TRUE);
  traj_score_entry_get_values (entry, out);
  g_assert_cmpint (out[1], ==, 1);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (traj_score_entry_get_answer_button (entry, 1, 1))));
  press_key (entry, 1, GDK_KEY_KP_0);
  traj_score_entry_get_values (entry, out);
  g_assert_cmpint (out[1], ==, 0);
  press_key (entry, 1, GDK_KEY_7);
  traj_score_entry_get_values (entry, out);
  g_assert_cmpint (out[1], ==, 0);
  press_key (entry, 1, GDK_KEY_Delete);
  traj_score_entry_get_values (entry, out);
  g_assert_cmpint (out[1], ==, -1);
  g_assert_false (traj_score_entry_is_complete (entry));
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "6 of 7 answered");
  /* Only one Tab stop per item: the chosen answer, else the first. */
  g_assert_true (gtk_widget_get_focusable (traj_score_entry_get_answer_button (entry, 2, 2)));
  g_assert_false (gtk_widget_get_focusable (traj_score_entry_get_answer_button (entry, 2, 0)));
  g_assert_true (gtk_widget_get_focusable (traj_score_entry_get_answer_button (entry, 1, 0)));
  g_assert_false (gtk_widget_get_focusable (traj_score_entry_get_answer_button (entry, 1, 3)));

  /* Pain NRS: 0–10 number buttons, one item. */
  traj_score_entry_set_scale (entry, TRAJ_SCALE_PAIN_NRS);
  g_assert_nonnull (traj_score_entry_get_answer_button (entry, 0, 10));
  g_assert_null (traj_score_entry_get_answer_button (entry, 0, 11));
  answer (entry, 0, 6);
  g_assert_cmpstr (traj_score_entry_get_summary (entry), ==, "Total 6 · moderate");

  /* The kiosk layout: one question at a time, big answers, no score. */
  traj_score_entry_set_scale (entry, TRAJ_SCALE_PHQ9);
  traj_score_entry_set_layout (entry, TRAJ_SCORE_ENTRY_SINGLE);
  g_assert_cmpuint (traj_score_entry_get_n_items (entry), ==, 10);      /* 9 + difficulty */
  traj_score_entry_set_current_item (entry, 3);
  g_assert_cmpuint (traj_score_entry_get_current_item (entry), ==, 3);
  g_assert_false (gtk_widget_is_visible (traj_score_entry_get_answer_button (entry, 2, 1)));
  {
    GtkWidget *button = traj_score_entry_get_answer_button (entry, 3, 2);
    GtkWidget *page = gtk_widget_get_parent (gtk_widget_get_parent (button));

    g_assert_true (gtk_widget_get_visible (page));
    gtk_widget_measure (button, GTK_ORIENTATION_VERTICAL, 300, &min, &nat, NULL, NULL);
    g_assert_cmpint (min, >=, 64);
  }
  traj_score_entry_set_current_item (entry, 99);
  g_assert_cmpuint (traj_score_entry_get_current_item (entry), ==, 9);
  answer (entry, 9, 3);
  g_assert_cmpint (traj_score_entry_get_difficulty (entry), ==, 3);
  answer (entry, 8, 1);
  g_assert_false (gtk_widget_get_visible (child (entry, TRAJ_TYPE_SCORE_ENTRY, "total_label")));

  g_assert_finalize_object (entry);
}

/* Tidy at 360 px (tablet portrait): nothing may need more. */
static void
test_narrow (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  GtkWidget *dialogs[2];

  dialogs[0] = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  dialogs[1] = present (traj_assessment_editor_new (NULL, f->store, records, NULL));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialogs[1], TRAJ_TYPE_ASSESSMENT_EDITOR, "scale_row")),
                              TRAJ_SCALE_PCL5 - 1);
  for (guint k = 0; k < G_N_ELEMENTS (dialogs); k++)
    {
      int min, nat;

      gtk_widget_measure (dialogs[k], GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_test_message ("%s: minimum width %d", G_OBJECT_TYPE_NAME (dialogs[k]), min);
      g_assert_cmpint (min, <=, 360);
      finish (dialogs[k]);
    }
}

/* ---- screenshots ---------------------------------------------------------- */

static void
save_png (GtkWidget *widget, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  GskRenderNode *node;
  GdkTexture *texture;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  /* The window's background under content that has none of its own. */
  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.14, 0.14, 0.14, 1 }, &GRAPHENE_RECT_INIT (0, 0, w, h));
  else
    gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.98, 0.98, 0.98, 1 }, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s (%d×%d)", path, w, h);
  g_object_unref (texture);
  gsk_render_node_unref (node);
  g_object_unref (paintable);
}

/* Two frames drawn since now: what is shown is laid out and painted. */
static void
wait_frames (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 first = gdk_frame_clock_get_frame_counter (clock);

  gtk_widget_queue_draw (widget);
  WAIT_UNTIL (gdk_frame_clock_get_frame_counter (clock) >= first + 2);
}

static GtkWidget *
find_scroller (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_scroller (c);
      if (found)
        return found;
    }
  return NULL;
}

/* What the window shows, and the whole form: the scrolled content at its
 * full height. */
static void
shoot (GtkWidget *dialog, const char *dir, const char *name)
{
  int width = gtk_widget_get_width (dialog);
  g_autofree char *top = g_strdup_printf ("%s-%d.png", name, width);
  g_autofree char *full = g_strdup_printf ("%s-%d-full.png", name, width);
  GtkWidget *scroller = find_scroller (dialog), *content;

  wait_frames (dialog);
  save_png (dialog, dir, top);
  if (scroller == NULL)
    return;
  content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  save_png (content, dir, full);
}

static void
test_screenshots (Fixture *f, gconstpointer data)
{
  const char *dir = g_getenv ("TRAJ_SCREENSHOT_DIR");
  const int widths[] = { 560, 360 };
  const char *pre[] = { NULL, "128", "82", "72", "98", "14" };
  const char *peak[] = { NULL, "184", "96", "88", "97", "16" };
  const char *bad[] = { NULL, "124", "80", "400", "99", NULL };

  if (dir == NULL)
    {
      g_test_skip ("set TRAJ_SCREENSHOT_DIR to write screenshots");
      return;
    }
  g_mkdir_with_parents (dir, 0755);

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autoptr(TrajPatientRecords) records = load (f);
      GtkWidget *d;
      TrajScoreEntry *entry;

      d = present_at (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL), widths[w]);
      type_into (child (d, TRAJ_TYPE_INFUSION_EDITOR, "weight_row"), "72.5");
      type_into (child (d, TRAJ_TYPE_INFUSION_EDITOR, "lot_row"), "KX-2291");
      set_reading (TRAJ_INFUSION_EDITOR (d), 0, pre);
      set_reading (TRAJ_INFUSION_EDITOR (d), 1, peak);
      set_reading (TRAJ_INFUSION_EDITOR (d), 2, bad);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (traj_infusion_editor_get_side_effect (TRAJ_INFUSION_EDITOR (d), 3)), TRUE);
      type_into (child (d, TRAJ_TYPE_INFUSION_EDITOR, "cadss_row"), "34");
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (d, TRAJ_TYPE_INFUSION_EDITOR, "moaas_row")), 3);
      shoot (d, dir, "infusion-editor");
      type_into (child (d, TRAJ_TYPE_INFUSION_EDITOR, "dose_row"), "40");
      shoot (d, dir, "infusion-editor-bad-dose");
      /* An esketamine session: the monitoring record's questions. */
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (d, TRAJ_TYPE_INFUSION_EDITOR, "medicine_row")),
                                  TRAJ_MEDICINE_ESKETAMINE);
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (d, TRAJ_TYPE_INFUSION_EDITOR, "route_row")),
                                  TRAJ_ROUTE_INTRANASAL);
      type_into (child (d, TRAJ_TYPE_INFUSION_EDITOR, "monitoring_row"), "100");
      shoot (d, dir, "infusion-editor-esketamine");
      traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (d));
      finish (d);

      d = present_at (traj_assessment_editor_new (NULL, f->store, records, NULL), widths[w]);
      entry = TRAJ_SCORE_ENTRY (child (d, TRAJ_TYPE_ASSESSMENT_EDITOR, "score_entry"));
      for (guint k = 0; k < 7; k++)
        answer (entry, k, phq9_answers[k]);
      shoot (d, dir, "assessment-editor-draft");
      answer (entry, 7, 1);
      answer (entry, 8, 1);
      shoot (d, dir, "assessment-editor");
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (d, TRAJ_TYPE_ASSESSMENT_EDITOR, "scale_row")), TRAJ_SCALE_PCL5 - 1);
      shoot (d, dir, "assessment-editor-pcl5");
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (d, TRAJ_TYPE_ASSESSMENT_EDITOR, "scale_row")), TRAJ_SCALE_PAIN_NRS - 1);
      answer (entry, 0, 4);
      shoot (d, dir, "assessment-editor-pain");
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (d, TRAJ_TYPE_ASSESSMENT_EDITOR, "scale_row")), TRAJ_SCALE_MADRS - 1);
      type_into (traj_score_entry_get_total_field (entry), "75");
      shoot (d, dir, "assessment-editor-madrs");
      finish (d);

      /* CLINICAL.md §8: indication detail and the suicidal-ideation flag. */
      records->patient->indication = TRAJ_INDICATION_CHRONIC_PAIN;
      g_free (records->patient->indication_detail);
      records->patient->indication_detail = g_strdup ("fibromyalgia");
      records->patient->risk_si_at = traj_time_now () - 3 * 86400;
      g_free (records->patient->risk_si_by);
      records->patient->risk_si_by = g_strdup ("Dr Amara Osei");
      records->patient->substance_use = TRAJ_SUBSTANCE_USE_PAST;
      d = present_at (GTK_WIDGET (traj_patient_editor_new (NULL, f->store, records->patient)), widths[w]);
      shoot (d, dir, "patient-editor");
      finish (d);
      d = present_at (GTK_WIDGET (traj_course_editor_new (NULL, f->store, records->patient, NULL)), widths[w]);
      shoot (d, dir, "course-editor");
      finish (d);
    }

  /* The kiosk layout in a plain window, portrait and landscape. */
  for (guint k = 0; k < 3; k++)
    {
      GtkWidget *win = g_object_ref_sink (gtk_window_new ());
      TrajScoreEntry *entry = TRAJ_SCORE_ENTRY (traj_score_entry_new ());
      GtkWidget *clamp = adw_clamp_new ();
      g_autofree char *name = g_strdup_printf ("score-entry-single-%u.png", k);

      traj_score_entry_set_layout (entry, TRAJ_SCORE_ENTRY_SINGLE);
      traj_score_entry_set_scale (entry, k == 2 ? TRAJ_SCALE_PAIN_NRS : TRAJ_SCALE_PHQ9);
      traj_score_entry_set_current_item (entry, k == 0 ? 7 : 0);
      if (k != 2)
        answer (entry, traj_score_entry_get_current_item (entry), 1);
      gtk_widget_set_margin_top (GTK_WIDGET (entry), 48);
      gtk_widget_set_margin_start (GTK_WIDGET (entry), 24);
      gtk_widget_set_margin_end (GTK_WIDGET (entry), 24);
      adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 720);
      adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (entry));
      gtk_window_set_child (GTK_WINDOW (win), clamp);
      if (k == 1)
        gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
      else
        gtk_window_set_default_size (GTK_WINDOW (win), 800, 1280);
      gtk_window_present (GTK_WINDOW (win));
      wait_frames (win);
      save_png (win, dir, name);
      gtk_window_destroy (GTK_WINDOW (win));
      g_assert_finalize_object (win);
    }
}


/* ---- fitting the screen ----------------------------------------------------- */

static gboolean
inside (GtkWidget *widget, GtkWidget *window)
{
  graphene_rect_t r;

  return gtk_widget_get_mapped (widget) && gtk_widget_compute_bounds (widget, window, &r) &&
         r.origin.x >= 0 && r.origin.y >= 0 &&
         r.origin.x + r.size.width <= gtk_widget_get_width (window) &&
         r.origin.y + r.size.height <= gtk_widget_get_height (window);
}

/* Every editor opened over a window as large as the screen (tests/meson.build
 * runs this on the desktop's 1280×800 and on the tablet's portrait 800×1280):
 * the dialog fits the screen, the form fits the dialog's width (nothing
 * clipped, no sideways scroll), Cancel and Save are on screen, and the form
 * gets the height there is: it scrolls only when it is taller than the
 * window allows. */
static void
test_fit_screen (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajMedication) med = traj_medication_new ();
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  GtkWidget *parent = g_object_ref_sink (gtk_window_new ());
  GtkWidget *dialogs[5];
  GdkRectangle screen;

  gdk_monitor_get_geometry (monitor, &screen);
  g_test_message ("screen %d×%d", screen.width, screen.height);
  med->patient_id = f->patient_id;
  med->name = g_strdup ("Sertraline");

  /* A size request, not a default size: GTK keeps a default size a
   * little inside the screen. */
  gtk_widget_set_size_request (parent, screen.width, screen.height);
  gtk_window_present (GTK_WINDOW (parent));
  WAIT_UNTIL (gtk_widget_get_width (parent) == screen.width && gtk_widget_get_height (parent) == screen.height);

  dialogs[0] = GTK_WIDGET (traj_patient_editor_new (GTK_WINDOW (parent), f->store, NULL));
  dialogs[1] = GTK_WIDGET (traj_course_editor_new (GTK_WINDOW (parent), f->store, records->patient, NULL));
  dialogs[2] = traj_infusion_editor_new (GTK_WINDOW (parent), f->store, NULL, records, NULL);
  dialogs[3] = traj_assessment_editor_new (GTK_WINDOW (parent), f->store, records, NULL);
  dialogs[4] = GTK_WIDGET (traj_medication_editor_new (GTK_WINDOW (parent), f->store, f->patient_id, med));
  for (guint k = 0; k < G_N_ELEMENTS (dialogs); k++)
    {
      GtkWidget *d = g_object_ref_sink (dialogs[k]);
      GtkWidget *scroller = find_scroller (d), *form;
      GtkAdjustment *h, *v;
      int min, nat, max_height;

      gtk_window_present (GTK_WINDOW (d));
      wait_frames (d);
      g_assert_nonnull (scroller);
      form = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
      h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
      v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
      gtk_widget_measure (form, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (scroller), &min, &nat, NULL, NULL);
      max_height = gtk_scrolled_window_get_max_content_height (GTK_SCROLLED_WINDOW (scroller));
      g_test_message ("%s is %d×%d, its form %d×%d (natural height %d)", G_OBJECT_TYPE_NAME (d),
                      gtk_widget_get_width (d), gtk_widget_get_height (d),
                      gtk_widget_get_width (form), gtk_widget_get_height (form), nat);

      g_assert_cmpint (gtk_widget_get_width (d), <=, screen.width);
      g_assert_cmpint (gtk_widget_get_height (d), <=, screen.height);
      g_assert_cmpint (gtk_widget_get_width (form), <=, gtk_widget_get_width (d));
      g_assert_cmpfloat (gtk_adjustment_get_upper (h), <=, gtk_adjustment_get_page_size (h));
      g_assert_true (inside (find_action_button (d, "editor.save"), d));
      g_assert_true (inside (find_action_button (d, "editor.cancel"), d));
      /* The height: all of a form that fits, the window's worth of one
       * that does not. */
      g_assert_cmpint (max_height, >=, screen.height - 160);
      g_assert_cmpint (gtk_widget_get_height (scroller), >=, MIN (nat, max_height));
      if (nat <= max_height)
        g_assert_cmpfloat (gtk_adjustment_get_upper (v), <=, gtk_adjustment_get_page_size (v) + 1);
      finish (d);
    }
  gtk_window_destroy (GTK_WINDOW (parent));
  g_assert_finalize_object (parent);
}

/* ---- discarding ------------------------------------------------------------ */

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

static gpointer
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* Closing an edited form asks first; Discard closes both windows, with
 * warnings fatal (the question must not outlive the form). */
static void
test_discard (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  GtkWidget *e = traj_infusion_editor_new (NULL, f->store, NULL, records, NULL);
  GtkWidget *ask, *discard;

  g_object_add_weak_pointer (G_OBJECT (e), (gpointer *) &e);
  gtk_window_present (GTK_WINDOW (e));
  spin ();
  type_into (child (e, t, "weight_row"), "70");
  g_assert_true (traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (e)));

  gtk_window_close (GTK_WINDOW (e));
  spin ();
  ask = find_message_dialog ();
  g_assert_nonnull (ask);
  g_object_add_weak_pointer (G_OBJECT (ask), (gpointer *) &ask);
  discard = find_button_with_label (ask, "_Discard");
  g_assert_nonnull (discard);
  /* As a click on the button. */
  g_signal_emit_by_name (discard, "clicked");
  spin ();
  g_assert_null (ask);
  g_assert_null (e);
  {
    g_autoptr(TrajPatientRecords) after = load (f);
    g_assert_cmpuint (after->infusions->len, ==, 0);
  }
}

/* "Save Anyway" on the "Check the Date" question saves and closes the form,
 * as the button does, with the form held only by GTK as in the app: the
 * question must not outlive the form (warnings are fatal). */
static void
test_confirm_then_close (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  GtkWidget *e = traj_infusion_editor_new (NULL, f->store, NULL, records, NULL);
  GtkWidget *ask;

  g_object_add_weak_pointer (G_OBJECT (e), (gpointer *) &e);
  gtk_window_present (GTK_WINDOW (e));
  spin ();
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");
  set_when (e, t, traj_day_today () - 10 - 45, "10:00");
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  ask = traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (e));
  g_assert_nonnull (ask);
  g_object_add_weak_pointer (G_OBJECT (ask), (gpointer *) &ask);

  g_signal_emit_by_name (find_button_with_label (ask, "_Save Anyway"), "clicked");
  spin ();
  g_assert_null (ask);
  g_assert_null (e);
  g_assert_cmpuint (count_infusions (f), ==, 1);
}

/* Editing a patient starts in the name with nothing selected, so the first
 * key typed adds to the name instead of replacing it (a clinician trial
 * finding: typing in a just-opened Edit Patient wiped the name). */
static void
test_patient_edit_keeps_name (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  GtkWidget *d = present (GTK_WIDGET (traj_patient_editor_new (NULL, f->store, records->patient)));
  GtkEditable *name = GTK_EDITABLE (child (d, TRAJ_TYPE_PATIENT_EDITOR, "name_row"));
  GtkWidget *focus;
  int start = -1, end = -1;

  wait_frames (d);
  focus = gtk_root_get_focus (GTK_ROOT (d));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (name)));
  g_assert_false (gtk_editable_get_selection_bounds (name, &start, &end));
  g_assert_cmpstr (gtk_editable_get_text (name), ==, "Edith Editor");
  g_assert_cmpint (gtk_editable_get_position (name), ==, (int) g_utf8_strlen ("Edith Editor", -1));
  finish (d);
}

/* Issue 15: the patient editor shows the history of substance use as
 * recorded, and saving writes the one chosen (read back from the store). */
static void
test_patient_substance_use (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  g_autoptr(TrajPatient) back = NULL;
  GtkWidget *d;
  AdwComboRow *row;
  GError *error = NULL;

  g_assert_cmpint (records->patient->substance_use, ==, TRAJ_SUBSTANCE_USE_UNKNOWN);
  d = present (GTK_WIDGET (traj_patient_editor_new (NULL, f->store, records->patient)));
  row = ADW_COMBO_ROW (child (d, TRAJ_TYPE_PATIENT_EDITOR, "substance_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, TRAJ_SUBSTANCE_USE_UNKNOWN);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, TRAJ_N_SUBSTANCE_USES);
  adw_combo_row_set_selected (row, TRAJ_SUBSTANCE_USE_PAST);
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (d)));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (d)));
  spin ();
  back = traj_store_get_patient (f->store, records->patient->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->substance_use, ==, TRAJ_SUBSTANCE_USE_PAST);
  finish (d);

  /* Opened again: the row shows what was saved. */
  d = present (GTK_WIDGET (traj_patient_editor_new (NULL, f->store, back)));
  row = ADW_COMBO_ROW (child (d, TRAJ_TYPE_PATIENT_EDITOR, "substance_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, TRAJ_SUBSTANCE_USE_PAST);
  finish (d);
}

/* A trial saved 4.5 mg/kg IV with one click past the amber caution. An
 * unusual dose is now a question before it is saved ("Check the Dose");
 * going back saves nothing, confirming saves, and a usual dose is never
 * asked about. */
static void
test_infusion_confirm_dose (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = load (f);
  TrajInfusionEditor *e;
  GType t = TRAJ_TYPE_INFUSION_EDITOR;
  GtkWidget *ask;

  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "4.5");
  set_when (e, t, traj_day_today () - 1, "10:00");
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (e)));

  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  ask = traj_editor_dialog_get_confirmation (TRAJ_EDITOR_DIALOG (e));
  g_assert_nonnull (ask);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (ask)), ==, "Check the Dose");
  g_assert_true (g_str_has_prefix (confirmation_body (e),
                                   "4.5 mg/kg is more than the usual 0.5–1 mg/kg of treatment protocols."));
  answer_confirmation (e, "cancel");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (e)));
  g_assert_cmpuint (count_infusions (f), ==, 0);

  /* Another unusual dose asks again; confirming saves it. */
  type_into (child (e, t, "dose_row"), "2");
  g_assert_false (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  g_assert_true (g_str_has_prefix (confirmation_body (e), "2 mg/kg is more than the usual"));
  answer_confirmation (e, "confirm");
  finish (e);
  g_assert_cmpuint (count_infusions (f), ==, 1);

  /* A usual dose saves at once. */
  e = present (traj_infusion_editor_new (NULL, f->store, NULL, records, NULL));
  type_into (child (e, t, "weight_row"), "70");
  type_into (child (e, t, "dose_row"), "0.5");
  set_when (e, t, traj_day_today (), "08:00");
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (e)));
  finish (e);
  g_assert_cmpuint (count_infusions (f), ==, 2);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* What the application does at startup: the editors' own style. */
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add ("/editors/infusion/log-with-vitals", Fixture, NULL, fixture_setup, test_infusion_log_with_vitals, fixture_teardown);
  g_test_add ("/editors/infusion/defaults-and-rows", Fixture, NULL, fixture_setup, test_infusion_defaults_and_rows, fixture_teardown);
  g_test_add ("/editors/infusion/medicine-and-route", Fixture, NULL, fixture_setup, test_infusion_medicine_and_route,
              fixture_teardown);
  g_test_add ("/editors/infusion/invalid-dose", Fixture, NULL, fixture_setup, test_infusion_invalid_dose, fixture_teardown);
  g_test_add ("/editors/infusion/monitoring-event", Fixture, NULL, fixture_setup, test_infusion_monitoring_event, fixture_teardown);
  g_test_add ("/editors/infusion/edit", Fixture, NULL, fixture_setup, test_infusion_edit, fixture_teardown);
  g_test_add ("/editors/infusion/rems-record", Fixture, NULL, fixture_setup,
              test_infusion_rems_record, fixture_teardown);
  g_test_add ("/editors/infusion/concomitant-from-list", Fixture, NULL, fixture_setup,
              test_infusion_concomitant_from_list, fixture_teardown);
  g_test_add ("/editors/medication", Fixture, NULL, fixture_setup, test_medication_editor, fixture_teardown);
  g_test_add ("/editors/infusion/tolerability", Fixture, NULL, fixture_setup, test_infusion_tolerability,
              fixture_teardown);
  g_test_add ("/editors/infusion/vitals-low-and-bp", Fixture, NULL, fixture_setup, test_infusion_vitals_low_and_bp, fixture_teardown);
  g_test_add ("/editors/infusion/confirm-dose", Fixture, NULL, fixture_setup, test_infusion_confirm_dose,
              fixture_teardown);
  g_test_add ("/editors/infusion/confirm-date", Fixture, NULL, fixture_setup, test_infusion_confirm_date, fixture_teardown);
  g_test_add ("/editors/assessment/plausible", Fixture, NULL, fixture_setup, test_assessment_plausible, fixture_teardown);
  g_test_add ("/editors/assessment/timing-after-todays-infusion", Fixture, NULL, fixture_setup,
              test_assessment_timing_after_todays_infusion, fixture_teardown);
  g_test_add ("/editors/assessment/phq9-and-edit", Fixture, NULL, fixture_setup, test_assessment_phq9_and_edit, fixture_teardown);
  g_test_add ("/editors/assessment/draft", Fixture, NULL, fixture_setup, test_assessment_draft, fixture_teardown);
  g_test_add ("/editors/assessment/madrs-and-time", Fixture, NULL, fixture_setup, test_assessment_madrs_and_time, fixture_teardown);
  g_test_add_func ("/editors/score-entry/api", test_score_entry_api);
  g_test_add ("/editors/patient/substance-use", Fixture, NULL, fixture_setup, test_patient_substance_use,
              fixture_teardown);
  g_test_add ("/editors/patient/edit-keeps-name", Fixture, NULL, fixture_setup, test_patient_edit_keeps_name,
              fixture_teardown);
  g_test_add ("/editors/discard", Fixture, NULL, fixture_setup, test_discard, fixture_teardown);
  g_test_add ("/editors/confirm-then-close", Fixture, NULL, fixture_setup, test_confirm_then_close, fixture_teardown);
  g_test_add ("/editors/narrow", Fixture, NULL, fixture_setup, test_narrow, fixture_teardown);
  g_test_add ("/editors/fit-screen", Fixture, NULL, fixture_setup, test_fit_screen, fixture_teardown);
  g_test_add ("/editors/screenshots", Fixture, NULL, fixture_setup, test_screenshots, fixture_teardown);
  return g_test_run ();
}
