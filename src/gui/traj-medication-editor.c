/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-date-entry.h"
#include "traj-gui.h"
#include "traj-medication.h"
#include "traj-medication-editor.h"

struct _TrajMedicationEditor
{
  TrajEditorDialog parent_instance;

  TrajMedication *medication;
  gboolean updating;

  GtkWidget *content;
  AdwEntryRow *name_row;
  AdwComboRow *class_row;
  gboolean class_chosen;          /* the person picked the class: the name no longer sets it */
  gboolean setting_class;
  AdwEntryRow *dose_row;
  AdwActionRow *start_row;
  TrajDateEntry *start_entry;
  AdwActionRow *stop_row;
  TrajDateEntry *stop_entry;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (TrajMedicationEditor, traj_medication_editor, TRAJ_TYPE_EDITOR_DIALOG)

/* A typed date that is not one: refused here, not taken as "not known". */
static gboolean
date_unreadable (TrajDateEntry *entry)
{
  const char *text = gtk_editable_get_text (traj_date_entry_get_editable (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text ? text : ""));

  return *stripped != '\0' && traj_date_entry_get_day (entry) == TRAJ_DAY_NONE;
}

static void
fill_medication (TrajMedicationEditor *self, TrajMedication *m)
{
  g_free (m->name);
  m->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  m->klass = (TrajMedClass) adw_combo_row_get_selected (self->class_row);
  g_free (m->dose);
  m->dose = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->dose_row))));
  m->start_day = traj_date_entry_get_day (self->start_entry);
  m->stop_day = traj_date_entry_get_day (self->stop_entry);
}

static void
validate (TrajMedicationEditor *self)
{
  g_autoptr(TrajMedication) m = traj_medication_copy (self->medication);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  fill_medication (self, m);
  if (date_unreadable (self->start_entry) || date_unreadable (self->stop_entry))
    {
      g_set_error_literal (&error, TRAJ_ERROR, TRAJ_ERROR_MEDICATION_DATES,
                           _("Enter dates as YYYY-MM-DD, or leave them empty."));
      ok = FALSE;
    }
  else
    ok = traj_validate_medication (m, traj_day_today (), &error);
  {
    /* The field the message is about, marked red. */
    GtkWidget *target = NULL;

    if (error && error->code == TRAJ_ERROR_MEDICATION_DATES)
      target = date_unreadable (self->start_entry) ||
               (m->start_day != TRAJ_DAY_NONE && m->start_day > traj_day_today ()) ||
               (m->stop_day == TRAJ_DAY_NONE && !date_unreadable (self->stop_entry))
               ? GTK_WIDGET (self->start_row) : GTK_WIDGET (self->stop_row);
    else if (error && g_str_has_prefix (error->message, _("Dose")))
      target = GTK_WIDGET (self->dose_row);
    else if (error)
      target = GTK_WIDGET (self->name_row);
    traj_field_set_error (GTK_WIDGET (self->name_row), target == GTK_WIDGET (self->name_row) ? error : NULL);
    traj_field_set_error (GTK_WIDGET (self->dose_row), target == GTK_WIDGET (self->dose_row) ? error : NULL);
    traj_field_set_error (GTK_WIDGET (self->start_row), target == GTK_WIDGET (self->start_row) ? error : NULL);
    traj_field_set_error (GTK_WIDGET (self->stop_row), target == GTK_WIDGET (self->stop_row) ? error : NULL);
  }
  /* An empty new form is not an error yet: Save stays off, nothing red. */
  if (error && error->code == TRAJ_ERROR_MEDICATION_NAME && !traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (self)))
    {
      traj_field_set_error (GTK_WIDGET (self->name_row), NULL);
      g_clear_error (&error);
    }
  gtk_label_set_label (self->error_label, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  traj_editor_dialog_set_valid (TRAJ_EDITOR_DIALOG (self), ok);
}

static void
on_field_changed (TrajMedicationEditor *self)
{
  if (self->updating || self->medication == NULL)
    return;
  traj_editor_dialog_mark_dirty (TRAJ_EDITOR_DIALOG (self));
  traj_editor_dialog_show_error (TRAJ_EDITOR_DIALOG (self), NULL);
  validate (self);
}

/* A new medicine's class follows its name ("Lamotrigine" → lamotrigine;
 * a name not known → Other) until the person picks a class themselves. */
static void
on_name_changed (TrajMedicationEditor *self)
{
  TrajMedClass klass;

  if (self->class_chosen)
    return;
  if (!traj_med_class_from_name (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), &klass))
    klass = TRAJ_MED_CLASS_OTHER;
  self->setting_class = TRUE;
  adw_combo_row_set_selected (self->class_row, klass);
  self->setting_class = FALSE;
}

static void
on_class_chosen (TrajMedicationEditor *self)
{
  if (!self->updating && !self->setting_class)
    self->class_chosen = TRUE;
}

static gboolean
traj_medication_editor_save (TrajEditorDialog *dialog, gint64 *id, GError **error)
{
  TrajMedicationEditor *self = TRAJ_MEDICATION_EDITOR (dialog);
  TrajStore *store = traj_editor_dialog_get_store (dialog);
  g_autoptr(TrajMedication) m = traj_medication_copy (self->medication);

  fill_medication (self, m);
  if (m->id > 0)
    {
      if (!traj_store_update_medication (store, m, error))
        return FALSE;
    }
  else if (!traj_store_insert_medication (store, m, error))
    return FALSE;
  *id = m->id;
  return TRUE;
}

static void
traj_medication_editor_finalize (GObject *object)
{
  traj_medication_free (TRAJ_MEDICATION_EDITOR (object)->medication);
  G_OBJECT_CLASS (traj_medication_editor_parent_class)->finalize (object);
}

static void
traj_medication_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_MEDICATION_EDITOR);
  G_OBJECT_CLASS (traj_medication_editor_parent_class)->dispose (object);
}

static void
traj_medication_editor_class_init (TrajMedicationEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_medication_editor_dispose;
  object_class->finalize = traj_medication_editor_finalize;
  TRAJ_EDITOR_DIALOG_CLASS (klass)->save = traj_medication_editor_save;

  g_type_ensure (TRAJ_TYPE_DATE_ENTRY);
  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-medication-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, content);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, class_row);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, dose_row);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, start_row);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, start_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, stop_row);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, stop_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajMedicationEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
}

static void
traj_medication_editor_init (TrajMedicationEditor *self)
{
  GtkStringList *classes = gtk_string_list_new (NULL);

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint k = 0; k < TRAJ_N_MED_CLASSES; k++)
    gtk_string_list_append (classes, traj_med_class_label ((TrajMedClass) k));
  adw_combo_row_set_model (self->class_row, G_LIST_MODEL (classes));
  g_object_unref (classes);
  self->updating = FALSE;
}

TrajMedicationEditor *
traj_medication_editor_new (GtkWindow            *parent,
                            TrajStore            *store,
                            gint64                patient_id,
                            const TrajMedication *existing)
{
  TrajMedicationEditor *self = g_object_new (TRAJ_TYPE_MEDICATION_EDITOR,
                                             "store", store,
                                             "transient-for", parent,
                                             "title", existing ? _("Edit Medicine") : _("Add Medicine"),
                                             NULL);

  traj_editor_dialog_set_content (TRAJ_EDITOR_DIALOG (self), self->content);

  if (existing)
    self->medication = traj_medication_copy (existing);
  else
    {
      self->medication = traj_medication_new ();
      self->medication->patient_id = patient_id;
      /* Until the name says otherwise (on_name_changed). */
      self->medication->klass = TRAJ_MED_CLASS_OTHER;
    }

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), self->medication->name ? self->medication->name : "");
  adw_combo_row_set_selected (self->class_row, self->medication->klass);
  gtk_editable_set_text (GTK_EDITABLE (self->dose_row), self->medication->dose ? self->medication->dose : "");
  traj_date_entry_set_day (self->start_entry, self->medication->start_day);
  traj_date_entry_set_day (self->stop_entry, self->medication->stop_day);
  self->updating = FALSE;

  g_signal_connect_swapped (self->start_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->stop_entry, "changed", G_CALLBACK (on_field_changed), self);
  if (existing == NULL)
    {
      g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (on_name_changed), self);
      g_signal_connect_swapped (self->class_row, "notify::selected", G_CALLBACK (on_class_chosen), self);
    }
  validate (self);
  /* Typing goes into the name, not the Cancel button. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
  return self;
}
