/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-course-editor.h"
#include "traj-date-entry.h"
#include "traj-gui.h"
#include "traj-validate.h"

struct _TrajCourseEditor
{
  TrajEditorDialog parent_instance;

  TrajCourse *course;
  char *patient_detail;       /* the patient's indication detail, offered for that indication */
  TrajIndication patient_indication;
  gboolean scale_chosen;      /* the clinician picked a scale: stop following the indication */
  gboolean updating;

  GtkWidget *content;
  AdwComboRow *indication_row;
  AdwComboRow *detail_row;
  AdwComboRow *scale_row;
  AdwEntryRow *protocol_row;
  AdwActionRow *induction_row;
  GtkSpinButton *induction_spin;
  AdwActionRow *start_row;
  TrajDateEntry *start_entry;
  AdwComboRow *status_row;
  AdwActionRow *end_row;
  TrajDateEntry *end_entry;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (TrajCourseEditor, traj_course_editor, TRAJ_TYPE_EDITOR_DIALOG)

/* Scale rows are listed in TrajScaleId order from 1. */
static TrajScaleId
selected_scale (TrajCourseEditor *self)
{
  return traj_scale_outcome_at (adw_combo_row_get_selected (self->scale_row));
}

static void
fill_course (TrajCourseEditor *self, TrajCourse *c)
{
  c->indication = (TrajIndication) adw_combo_row_get_selected (self->indication_row);
  g_free (c->indication_detail);
  c->indication_detail = g_strdup (traj_gui_detail_row_get (self->detail_row, c->indication));
  c->primary_scale = selected_scale (self);
  g_free (c->protocol);
  c->protocol = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->protocol_row))));
  c->induction_length = gtk_spin_button_get_value_as_int (self->induction_spin);
  c->start_day = traj_date_entry_get_day (self->start_entry);
  c->status = (TrajCourseStatus) adw_combo_row_get_selected (self->status_row);
  c->end_day = c->status == TRAJ_COURSE_ENDED ? traj_date_entry_get_day (self->end_entry) : TRAJ_DAY_NONE;
}

static void
validate (TrajCourseEditor *self)
{
  g_autoptr(TrajCourse) c = traj_course_copy (self->course);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  fill_course (self, c);
  ok = traj_validate_course (c, traj_day_today (), &error);
  if (ok && c->status == TRAJ_COURSE_ENDED && c->end_day == TRAJ_DAY_NONE)
    {
      g_set_error_literal (&error, TRAJ_ERROR, TRAJ_ERROR_COURSE_DATES,
                           _("Enter the date the course ended as YYYY-MM-DD."));
      ok = FALSE;
    }
  traj_field_set_error (GTK_WIDGET (self->start_row),
                        error && (error->code == TRAJ_ERROR_COURSE_DATES || error->code == TRAJ_ERROR_COURSE_FUTURE) &&
                        c->start_day == TRAJ_DAY_NONE ? error : NULL);
  traj_field_set_error (GTK_WIDGET (self->end_row),
                        error && error->code == TRAJ_ERROR_COURSE_DATES && c->start_day != TRAJ_DAY_NONE ? error : NULL);
  traj_field_set_error (GTK_WIDGET (self->induction_row),
                        error && error->code == TRAJ_ERROR_INDUCTION_LENGTH ? error : NULL);
  gtk_label_set_label (self->error_label, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->end_row), c->status == TRAJ_COURSE_ENDED);
  traj_editor_dialog_set_valid (TRAJ_EDITOR_DIALOG (self), ok);
}

static void
on_field_changed (TrajCourseEditor *self)
{
  /* Models and values are being filled in: not an edit. */
  if (self->updating || self->course == NULL)
    return;
  traj_editor_dialog_mark_dirty (TRAJ_EDITOR_DIALOG (self));
  traj_editor_dialog_show_error (TRAJ_EDITOR_DIALOG (self), NULL);
  validate (self);
}

static void
on_indication_changed (TrajCourseEditor *self)
{
  TrajIndication ind;

  if (self->updating || self->course == NULL)
    return;
  ind = (TrajIndication) adw_combo_row_get_selected (self->indication_row);
  self->updating = TRUE;
  /* CLINICAL.md §3: the primary scale follows the indication until the
   * clinician picks one. */
  if (!self->scale_chosen)
    adw_combo_row_set_selected (self->scale_row, (guint) traj_scale_outcome_position (traj_indication_default_scale (ind)));
  traj_gui_detail_row_set (self->detail_row, ind,
                           ind == self->course->indication ? self->course->indication_detail
                           : ind == self->patient_indication ? self->patient_detail : NULL);
  self->updating = FALSE;
  on_field_changed (self);
}

static void
on_scale_changed (TrajCourseEditor *self)
{
  if (self->updating || self->course == NULL)
    return;
  self->scale_chosen = TRUE;
  on_field_changed (self);
}

static gboolean
traj_course_editor_save (TrajEditorDialog *dialog, gint64 *id, GError **error)
{
  TrajCourseEditor *self = TRAJ_COURSE_EDITOR (dialog);
  TrajStore *store = traj_editor_dialog_get_store (dialog);
  g_autoptr(TrajCourse) c = traj_course_copy (self->course);

  fill_course (self, c);
  if (c->id > 0)
    {
      if (!traj_store_update_course (store, c, error))
        return FALSE;
    }
  else if (!traj_store_insert_course (store, c, error))
    return FALSE;
  *id = c->id;
  return TRUE;
}

static void
traj_course_editor_finalize (GObject *object)
{
  traj_course_free (TRAJ_COURSE_EDITOR (object)->course);
  g_free (TRAJ_COURSE_EDITOR (object)->patient_detail);
  G_OBJECT_CLASS (traj_course_editor_parent_class)->finalize (object);
}

static void
traj_course_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_COURSE_EDITOR);
  G_OBJECT_CLASS (traj_course_editor_parent_class)->dispose (object);
}

static void
traj_course_editor_class_init (TrajCourseEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_course_editor_dispose;
  object_class->finalize = traj_course_editor_finalize;
  TRAJ_EDITOR_DIALOG_CLASS (klass)->save = traj_course_editor_save;

  g_type_ensure (TRAJ_TYPE_DATE_ENTRY);
  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-course-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, content);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, indication_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, detail_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, scale_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, protocol_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, induction_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, induction_spin);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, start_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, start_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, status_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, end_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, end_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajCourseEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_indication_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_scale_changed);
}

static void
traj_course_editor_init (TrajCourseEditor *self)
{
  GtkStringList *scales = gtk_string_list_new (NULL);
  GtkStringList *indications = gtk_string_list_new (NULL);
  GtkStringList *statuses = gtk_string_list_new (NULL);

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    gtk_string_list_append (scales, _(s->name));
  for (guint k = 0; k < TRAJ_N_INDICATIONS; k++)
    gtk_string_list_append (indications, traj_indication_label ((TrajIndication) k));
  for (guint k = 0; k < TRAJ_N_COURSE_STATUSES; k++)
    gtk_string_list_append (statuses, traj_course_status_label ((TrajCourseStatus) k));
  adw_combo_row_set_model (self->scale_row, G_LIST_MODEL (scales));
  adw_combo_row_set_model (self->indication_row, G_LIST_MODEL (indications));
  adw_combo_row_set_model (self->status_row, G_LIST_MODEL (statuses));
  g_object_unref (scales);
  g_object_unref (indications);
  g_object_unref (statuses);
  self->updating = FALSE;
}

TrajCourseEditor *
traj_course_editor_new (GtkWindow         *parent,
                        TrajStore         *store,
                        const TrajPatient *patient,
                        const TrajCourse  *existing)
{
  TrajCourseEditor *self = g_object_new (TRAJ_TYPE_COURSE_EDITOR,
                                         "store", store,
                                         "transient-for", parent,
                                         "title", existing ? _("Edit Course") : _("New Course"),
                                         NULL);

  traj_editor_dialog_set_content (TRAJ_EDITOR_DIALOG (self), self->content);

  self->patient_detail = g_strdup (patient ? patient->indication_detail : NULL);
  self->patient_indication = patient ? patient->indication : TRAJ_INDICATION_OTHER;
  if (existing)
    {
      self->course = traj_course_copy (existing);
      self->scale_chosen = TRUE;
    }
  else
    {
      self->course = traj_course_new ();
      self->course->patient_id = patient->id;
      self->course->indication = patient->indication;
      self->course->indication_detail = g_strdup (patient->indication_detail);
      self->course->primary_scale = traj_indication_default_scale (patient->indication);
      self->course->start_day = traj_day_today ();
    }

  self->updating = TRUE;
  adw_combo_row_set_selected (self->indication_row, self->course->indication);
  traj_gui_detail_row_set (self->detail_row, self->course->indication, self->course->indication_detail);
  adw_combo_row_set_selected (self->scale_row, (guint) MAX (traj_scale_outcome_position (self->course->primary_scale), 0));
  gtk_editable_set_text (GTK_EDITABLE (self->protocol_row), self->course->protocol ? self->course->protocol : "");
  gtk_spin_button_set_value (self->induction_spin, self->course->induction_length);
  traj_date_entry_set_day (self->start_entry, self->course->start_day);
  adw_combo_row_set_selected (self->status_row, self->course->status);
  traj_date_entry_set_day (self->end_entry, self->course->end_day);
  self->updating = FALSE;

  g_signal_connect_swapped (self->start_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->end_entry, "changed", G_CALLBACK (on_field_changed), self);
  validate (self);
  return self;
}
