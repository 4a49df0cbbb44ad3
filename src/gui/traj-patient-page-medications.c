/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient page's Medications group (CLINICAL.md §8 "Medicines"): the
 * list with add, edit, stop (undo) and remove (undo, a soft delete), and
 * the current course's information notes. */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-medication.h"
#include "traj-medication-editor.h"
#include "traj-patient-page-private.h"

static const TrajMedication *
find_medication (TrajPatientPage *self, gint64 id)
{
  for (guint k = 0; self->records && k < self->records->medications->len; k++)
    {
      const TrajMedication *m = g_ptr_array_index (self->records->medications, k);
      if (m->id == id)
        return m;
    }
  return NULL;
}

static GtkWidget *
row_button (const char *icon, const char *label, const char *tooltip, const char *action, gint64 id)
{
  GtkWidget *button = icon ? gtk_button_new_from_icon_name (icon) : gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int64 (id));
  return button;
}

static GtkWidget *
medication_row (const TrajMedication *m, gint32 today)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (m->name, -1);
  g_autofree char *describe = traj_medication_describe (m);
  g_autofree char *subtitle = g_markup_escape_text (describe, -1);
  g_autofree char *stop_tip = g_strdup_printf (_("Stop %s today"), m->name);
  g_autofree char *edit_tip = g_strdup_printf (_("Edit %s"), m->name);
  g_autofree char *remove_tip = g_strdup_printf (_("Remove %s (entered in error)"), m->name);
  gboolean taken = traj_medication_active_on (m, today) || (m->start_day != TRAJ_DAY_NONE && m->start_day > today);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (!taken)
    gtk_widget_add_css_class (row, "dim-label");
  else if (traj_med_class_notes (m->klass) & TRAJ_MED_NOTE_RESPONSE)
    {
      GtkWidget *tag = gtk_label_new (_("Might reduce response"));
      gtk_widget_add_css_class (tag, "tag");
      gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
    }
  if (taken && m->stop_day == TRAJ_DAY_NONE)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button (NULL, _("_Stop"), stop_tip,
                                                                 "patient.stop-medication", m->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button ("document-edit-symbolic", NULL, edit_tip,
                                                               "patient.edit-medication", m->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_button ("user-trash-symbolic", NULL, remove_tip,
                                                               "patient.remove-medication", m->id));
  return row;
}

/* A wrapped note measured before it had its style kept the height of one
 * line, and GTK 4.8 did not measure it again: its second line was hidden
 * under the medicine list. Once the new notes have been laid out (the
 * frame after they were added), they are measured afresh. */
static gboolean
remeasure_notes (GtkWidget *box, GdkFrameClock *clock, gpointer data)
{
  TrajPatientPage *self = data;

  if (self->notes_tick_frames++ < 1)
    return G_SOURCE_CONTINUE;
  for (GtkWidget *row = gtk_widget_get_first_child (box); row; row = gtk_widget_get_next_sibling (row))
    gtk_widget_queue_resize (gtk_widget_get_last_child (row));
  self->notes_tick = 0;
  self->notes_tick_frames = 0;
  return G_SOURCE_REMOVE;
}

void
traj_patient_page_update_medications (TrajPatientPage *self)
{
  const TrajCourse *course;
  g_autoptr(GPtrArray) notes = NULL;
  gint32 today = traj_day_today ();
  GtkListBoxRow *row;

  /* The rows only: the list's first child may be its placeholder ("No
   * medicines recorded…"), which removing took away for good, leaving an
   * empty line under the heading. */
  while ((row = gtk_list_box_get_row_at_index (self->medication_list, 0)) != NULL)
    gtk_list_box_remove (self->medication_list, GTK_WIDGET (row));
  traj_patient_page_clear_box (self->course_notes_box);
  if (self->records == NULL)
    return;

  /* Taken now first, then the ones stopped, each in the list's order. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < self->records->medications->len; k++)
      {
        const TrajMedication *m = g_ptr_array_index (self->records->medications, k);
        gboolean stopped = m->stop_day != TRAJ_DAY_NONE && m->stop_day < today;

        if (stopped == (pass == 1))
          gtk_list_box_append (self->medication_list, medication_row (m, today));
      }

  course = traj_patient_records_current_course (self->records);
  notes = traj_course_medication_notes (self->records, course, today);
  for (guint k = 0; k < notes->len; k++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-information-symbolic");
      GtkWidget *label = gtk_label_new (g_ptr_array_index (notes, k));

      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (self->course_notes_box), box);
    }
  gtk_widget_set_visible (self->course_notes_box, notes->len > 0);
  if (notes->len > 0 && self->notes_tick == 0)
    self->notes_tick = gtk_widget_add_tick_callback (self->course_notes_box, remeasure_notes, self, NULL);
}

/* ---- actions -------------------------------------------------------------- */

static void
add_medication_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->records == NULL)
    return;
  gtk_window_present (GTK_WINDOW (traj_medication_editor_new (traj_patient_page_parent_window (self), self->store,
                                                              self->records->patient->id, NULL)));
}

static void
edit_medication_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  const TrajMedication *m = find_medication (self, g_variant_get_int64 (param));

  if (m == NULL)
    return;
  gtk_window_present (GTK_WINDOW (traj_medication_editor_new (traj_patient_page_parent_window (self), self->store,
                                                              m->patient_id, m)));
}

typedef struct {
  TrajStore *store;
  GWeakRef page;
  TrajMedication *before;        /* the medicine as it was, for undo */
  gboolean removed;              /* undo brings a removed one back */
} MedicationUndo;

static void
medication_undo_free (MedicationUndo *u)
{
  g_object_unref (u->store);
  g_weak_ref_clear (&u->page);
  traj_medication_free (u->before);
  g_free (u);
}

static void
on_medication_undo (AdwToast *toast, MedicationUndo *u)
{
  g_autoptr(TrajPatientPage) self = g_weak_ref_get (&u->page);
  g_autoptr(GError) error = NULL;
  gboolean ok = u->removed ? traj_store_undelete (u->store, TRAJ_KIND_MEDICATION, u->before->id, &error)
                           : traj_store_update_medication (u->store, u->before, &error);

  if (!ok && self)
    traj_patient_page_show_error (self, error);
  else if (!ok)
    g_warning ("Undo failed: %s", error->message);
}

static void
toast_with_undo (TrajPatientPage *self, const TrajMedication *before, gboolean removed, const char *message)
{
  MedicationUndo *u = g_new0 (MedicationUndo, 1);
  AdwToast *toast = adw_toast_new (message);

  u->store = g_object_ref (self->store);
  g_weak_ref_init (&u->page, self);
  u->before = traj_medication_copy (before);
  u->removed = removed;
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, TRAJ_UNDO_TIMEOUT_S);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_medication_undo), u,
                         (GClosureNotify) medication_undo_free, 0);
  g_set_weak_pointer (&self->last_toast, toast);
  traj_patient_page_add_toast (self, toast);
}

static void
stop_medication_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  const TrajMedication *m = find_medication (self, g_variant_get_int64 (param));
  g_autoptr(TrajMedication) before = NULL, stopped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (m == NULL)
    return;
  before = traj_medication_copy (m);
  stopped = traj_medication_copy (m);
  stopped->stop_day = MAX (traj_day_today (), m->start_day);
  if (!traj_store_update_medication (self->store, stopped, &error))
    {
      traj_patient_page_show_error (self, error);
      return;
    }
  /* Translators: a toast after stopping a medicine: "Lorazepam stopped today" */
  message = g_strdup_printf (_("%s stopped today"), before->name);
  toast_with_undo (self, before, FALSE, message);
}

static void
remove_medication_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  const TrajMedication *m = find_medication (self, g_variant_get_int64 (param));
  g_autoptr(TrajMedication) before = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (m == NULL)
    return;
  before = traj_medication_copy (m);
  if (!traj_store_delete (self->store, TRAJ_KIND_MEDICATION, before->id, &error))
    {
      traj_patient_page_show_error (self, error);
      return;
    }
  /* Translators: a toast after removing a medicine entered in error */
  message = g_strdup_printf (_("%s removed from the list"), before->name);
  toast_with_undo (self, before, TRUE, message);
}

/* ---- set-up --------------------------------------------------------------- */

void
traj_patient_page_medications_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "patient.add-medication", NULL, add_medication_action);
  gtk_widget_class_install_action (widget_class, "patient.edit-medication", "x", edit_medication_action);
  gtk_widget_class_install_action (widget_class, "patient.stop-medication", "x", stop_medication_action);
  gtk_widget_class_install_action (widget_class, "patient.remove-medication", "x", remove_medication_action);
}

void
traj_patient_page_medications_init (TrajPatientPage *self, GtkWidget *after)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading = gtk_label_new (_("Medications"));
  GtkWidget *add = gtk_button_new_with_mnemonic (_("_Add Medicine…"));
  GtkWidget *placeholder = gtk_label_new (_("No medicines recorded. Benzodiazepines and lamotrigine might reduce "
                                            "the response to ketamine: add what the patient takes."));

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_accessible_update_property (GTK_ACCESSIBLE (heading), GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_widget_add_css_class (add, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "patient.add-medication");
  gtk_box_append (GTK_BOX (header), heading);
  gtk_box_append (GTK_BOX (header), add);
  gtk_box_append (GTK_BOX (box), header);

  self->course_notes_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_visible (self->course_notes_box, FALSE);
  gtk_widget_add_css_class (self->course_notes_box, "medication-notes");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->course_notes_box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Notes on the current course from the medication list"), -1);
  gtk_box_append (GTK_BOX (box), self->course_notes_box);

  self->medication_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->medication_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->medication_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->medication_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Medicines the patient takes or took"), -1);
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_list_box_set_placeholder (self->medication_list, placeholder);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->medication_list));

  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (after)), box, after);
}
