/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "traj-assessment-editor.h"
#include "traj-gui.h"
#include "traj-score-entry-private.h"
#include "traj-validate.h"

struct _TrajAssessmentEditor
{
  TrajEditorDialog parent_instance;

  TrajAssessment *existing;       /* NULL when new */
  gint64 patient_id;
  GArray *course_ids;             /* gint64 per course_row position; 0 = no course */
  gboolean loading;
  gint32 birth_day;               /* the patient's, for the date rules */
  GPtrArray *others;              /* the patient's other complete assessments (copies) */

  GtkWidget *content;
  AdwComboRow *scale_row;
  GtkStringList *scale_model;
  GtkWidget *date_row;
  GtkLabel *date_message;
  GtkWidget *time_row;
  GtkLabel *time_message;
  AdwComboRow *timing_row;
  GtkStringList *timing_model;
  AdwComboRow *course_row;
  GtkStringList *course_model;
  GtkWidget *source_row;
  GtkLabel *source_label;
  TrajScoreEntry *score_entry;
  GtkWidget *draft_notice;
  GtkLabel *draft_text;
  GtkTextView *notes_view;
};

G_DEFINE_FINAL_TYPE (TrajAssessmentEditor, traj_assessment_editor, TRAJ_TYPE_EDITOR_DIALOG)

/* ---- helpers ------------------------------------------------------------ */

static TrajScaleId
selected_scale (TrajAssessmentEditor *self)
{
  guint pos = adw_combo_row_get_selected (self->scale_row);

  return pos == GTK_INVALID_LIST_POSITION ? TRAJ_SCALE_NONE : traj_scale_outcome_at (pos);
}

/* The form as a record, exactly as it would be saved. */
static TrajAssessment *
form_to_assessment (TrajAssessmentEditor *self,
                    gboolean             *day_ok,
                    gboolean             *time_ok)
{
  TrajAssessment *a;
  TrajScaleId scale = selected_scale (self);
  const TrajScale *s = traj_scale_get (scale);
  gint32 day = traj_day_from_iso (gtk_editable_get_text (GTK_EDITABLE (self->date_row)));
  int hour = 0, minute = 0;
  guint course_pos = adw_combo_row_get_selected (self->course_row);

  *day_ok = day != TRAJ_DAY_NONE;
  *time_ok = traj_editor_parse_clock (gtk_editable_get_text (GTK_EDITABLE (self->time_row)), &hour, &minute);

  if (self->existing)
    a = traj_assessment_copy (self->existing);
  else
    {
      a = traj_assessment_new (scale);
      a->patient_id = self->patient_id;
      a->source = TRAJ_SOURCE_CLINICIAN;
      a->clinician = g_strdup (traj_store_get_clinician (traj_editor_dialog_get_store (TRAJ_EDITOR_DIALOG (self))));
    }
  a->scale = scale;
  a->taken_at = *day_ok && *time_ok ? traj_time_from_day (day, hour, minute) : TRAJ_TIME_NONE;
  a->timing = (TrajTiming) MIN (adw_combo_row_get_selected (self->timing_row), TRAJ_N_TIMINGS - 1);
  a->course_id = course_pos < self->course_ids->len ? g_array_index (self->course_ids, gint64, course_pos) : 0;
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    a->items[k] = -1;
  if (s && s->n_items > 0)
    {
      traj_score_entry_get_values (self->score_entry, a->items);
      a->total = -1;
    }
  else
    {
      int typed = traj_score_entry_get_typed_total (self->score_entry);
      a->total = typed == G_MININT ? -1 : typed;
    }
  a->difficulty = traj_score_entry_get_difficulty (self->score_entry);
  g_free (a->notes);
  a->notes = traj_editor_text_view_text (self->notes_view);
  return a;
}

static void
validate (TrajAssessmentEditor *self)
{
  const TrajScale *scale = traj_scale_get (selected_scale (self));
  g_autoptr(TrajAssessment) a = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  const GError *date_error = NULL, *time_error = NULL, *total_error = NULL;
  gboolean day_ok, time_ok, valid, draft = FALSE;

  a = form_to_assessment (self, &day_ok, &time_ok);
  valid = traj_validate_assessment (a, traj_time_now (), &error);
  /* CLINICAL.md §7, on the records this editor was opened with (the store
   * checks again on save): not before birth, no second complete
   * questionnaire of the scale in the same minute. */
  if (valid)
    {
      g_autoptr(TrajAssessment) scored = traj_assessment_copy (a);
      const TrajAssessment *same = NULL;

      traj_assessment_rescore (scored);
      for (guint k = 0; same == NULL && k < self->others->len; k++)
        {
          const TrajAssessment *o = g_ptr_array_index (self->others, k);
          if (o->scale == scored->scale && traj_same_minute (o->taken_at, scored->taken_at))
            same = o;
        }
      valid = traj_validate_assessment_dates (scored, self->birth_day, same, &error);
    }
  if (!valid)
    {
      if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_INVALID))
        {
          /* No time taken: the store's sentence under whichever part is unreadable. */
          date_error = day_ok ? NULL : error;
          time_error = time_ok ? NULL : error;
        }
      else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_ASSESSMENT_FUTURE) ||
               g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_BEFORE_BIRTH))
        date_error = error;
      else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT))
        time_error = error;
      else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_TOTAL_RANGE))
        {
          int typed = traj_score_entry_get_typed_total (self->score_entry);

          if (typed == G_MININT)
            {
              parse_error = g_error_new (TRAJ_ERROR, TRAJ_ERROR_TOTAL_RANGE,
                                         _("Type the %s total as a whole number."), _(scale->name));
              total_error = parse_error;
            }
          else if (typed != -1)         /* nothing typed yet: no red, Save just waits */
            total_error = error;
        }
    }

  traj_field_set_message (self->date_row, self->date_message, date_error);
  /* One sentence for both parts once, both parts red. */
  traj_field_set_message (self->time_row, self->time_message, time_error == date_error ? NULL : time_error);
  traj_field_set_error (self->time_row, time_error);
  traj_score_entry_set_total_error (self->score_entry, total_error);

  if (scale && scale->n_items > 0)
    {
      guint answered = traj_score_entry_get_n_answered (self->score_entry);

      /* A draft must hold something; an untouched form is not a draft. */
      if (answered == 0)
        valid = FALSE;
      draft = answered > 0 && !traj_score_entry_is_complete (self->score_entry);
      if (draft)
        {
          g_autofree char *text = NULL;

          /* Translators: shown while a questionnaire is incomplete; e.g. "7 of 9 items answered. …" */
          text = g_strdup_printf (_("%u of %u items answered. It will be saved as a draft: it gets no total "
                                    "and does not count in outcomes until every item is answered."),
                                  answered, scale->n_items);
          gtk_label_set_label (self->draft_text, text);
        }
    }
  gtk_widget_set_visible (self->draft_notice, draft);
  traj_editor_dialog_set_save_label (TRAJ_EDITOR_DIALOG (self), draft ? _("Save as _Draft") : _("_Save"));

  traj_editor_dialog_set_valid (TRAJ_EDITOR_DIALOG (self), valid);
}

static void
edited (TrajAssessmentEditor *self)
{
  if (self->loading)
    return;
  traj_editor_dialog_mark_dirty (TRAJ_EDITOR_DIALOG (self));
  validate (self);
}

/* ---- callbacks ---------------------------------------------------------- */

static void
on_field_changed (TrajAssessmentEditor *self)
{
  edited (self);
}

static void
on_scores_changed (TrajAssessmentEditor *self)
{
  edited (self);
}

static void
on_scale_selected (TrajAssessmentEditor *self)
{
  const TrajScale *scale = traj_scale_get (selected_scale (self));

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scale_row), scale ? _(scale->title) : "");
  traj_score_entry_set_scale (self->score_entry, selected_scale (self));
  edited (self);
}

static void
on_notes_changed (TrajAssessmentEditor *self)
{
  edited (self);
}

/* ---- vfuncs ------------------------------------------------------------- */

static gboolean
traj_assessment_editor_save (TrajEditorDialog *dialog,
                             gint64           *id,
                             GError          **error)
{
  TrajAssessmentEditor *self = TRAJ_ASSESSMENT_EDITOR (dialog);
  TrajStore *store = traj_editor_dialog_get_store (dialog);
  g_autoptr(TrajAssessment) a = NULL;
  gboolean day_ok, time_ok, ok;

  a = form_to_assessment (self, &day_ok, &time_ok);
  if (self->existing)
    ok = traj_store_update_assessment (store, a, error);
  else
    ok = traj_store_insert_assessment (store, a, error);
  if (ok)
    *id = a->id;
  return ok;
}

static void
traj_assessment_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_ASSESSMENT_EDITOR);
  G_OBJECT_CLASS (traj_assessment_editor_parent_class)->dispose (object);
}

static void
traj_assessment_editor_finalize (GObject *object)
{
  TrajAssessmentEditor *self = TRAJ_ASSESSMENT_EDITOR (object);

  g_clear_pointer (&self->existing, traj_assessment_free);
  g_array_unref (self->course_ids);
  g_ptr_array_unref (self->others);
  G_OBJECT_CLASS (traj_assessment_editor_parent_class)->finalize (object);
}

static void
traj_assessment_editor_class_init (TrajAssessmentEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  TrajEditorDialogClass *editor_class = TRAJ_EDITOR_DIALOG_CLASS (klass);

  object_class->dispose = traj_assessment_editor_dispose;
  object_class->finalize = traj_assessment_editor_finalize;
  editor_class->save = traj_assessment_editor_save;

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_SCORE_ENTRY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/trajectory/Trajectory/traj-assessment-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, content);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, scale_row);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, scale_model);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, date_row);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, date_message);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, time_row);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, time_message);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, timing_row);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, timing_model);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, course_row);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, course_model);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, source_row);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, source_label);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, score_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, draft_notice);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, draft_text);
  gtk_widget_class_bind_template_child (widget_class, TrajAssessmentEditor, notes_view);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_scores_changed);
}

static void
traj_assessment_editor_init (TrajAssessmentEditor *self)
{
  self->course_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->others = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_assessment_free);
  self->birth_day = TRAJ_DAY_NONE;
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  traj_editor_dialog_set_content (TRAJ_EDITOR_DIALOG (self), self->content);

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    gtk_string_list_append (self->scale_model, _(s->name));
  for (TrajTiming t = 0; t < TRAJ_N_TIMINGS; t++)
    gtk_string_list_append (self->timing_model, traj_timing_label (t));
}

/* ---- public API --------------------------------------------------------- */

GtkWidget *
traj_assessment_editor_new (GtkWindow                *parent,
                            TrajStore                *store,
                            const TrajPatientRecords *records,
                            const TrajAssessment     *existing)
{
  TrajAssessmentEditor *self;
  const TrajCourse *current;
  TrajScaleId scale;
  gint64 course_id;
  gint64 taken_at;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *time = NULL;
  gint64 none = 0;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);
  g_return_val_if_fail (records != NULL && records->patient != NULL, NULL);

  self = g_object_new (TRAJ_TYPE_ASSESSMENT_EDITOR,
                       "store", store,
                       "transient-for", parent,
                       NULL);
  self->patient_id = records->patient->id;
  self->birth_day = records->patient->birth_day;
  for (guint k = 0; k < records->assessments->len; k++)
    {
      const TrajAssessment *o = g_ptr_array_index (records->assessments, k);
      if (o->complete && (existing == NULL || o->id != existing->id))
        g_ptr_array_add (self->others, traj_assessment_copy (o));
    }
  current = traj_patient_records_current_course (records);

  if (existing)
    {
      self->existing = traj_assessment_copy (existing);
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Scores"));
      scale = existing->scale;
      course_id = existing->course_id;
      taken_at = existing->taken_at;
    }
  else
    {
      scale = current ? current->primary_scale : traj_indication_default_scale (records->patient->indication);
      course_id = current ? current->id : 0;
      taken_at = traj_time_now ();
    }
  if (!traj_scale_is_outcome (scale))
    scale = TRAJ_SCALE_PHQ9;

  /* Course choices: none, then the patient's courses in start order. */
  gtk_string_list_append (self->course_model, _("No course"));
  g_array_append_val (self->course_ids, none);
  for (guint k = 0; k < records->courses->len; k++)
    {
      const TrajCourse *c = g_ptr_array_index (records->courses, k);
      g_autofree char *label = traj_editor_course_label (c);

      gtk_string_list_append (self->course_model, label);
      g_array_append_val (self->course_ids, c->id);
    }
  for (guint k = 0; k < self->course_ids->len; k++)
    if (g_array_index (self->course_ids, gint64, k) == course_id)
      adw_combo_row_set_selected (self->course_row, k);

  adw_combo_row_set_selected (self->scale_row, (guint) traj_scale_outcome_position (scale));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scale_row), _(traj_scale_get (scale)->title));
  traj_score_entry_set_scale (self->score_entry, scale);
  /* A record's scale is what its answers mean: it never changes afterwards. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale_row), existing == NULL);

  when = g_date_time_new_from_unix_local (taken_at);
  date = g_date_time_format (when, "%Y-%m-%d");
  time = g_date_time_format (when, "%H:%M");
  gtk_editable_set_text (GTK_EDITABLE (self->date_row), date);
  gtk_editable_set_text (GTK_EDITABLE (self->time_row), time);

  adw_combo_row_set_selected (self->timing_row, existing ? existing->timing
                                                        : traj_assessment_default_timing (records, taken_at));
  gtk_label_set_label (self->source_label, traj_source_label (existing ? existing->source : TRAJ_SOURCE_CLINICIAN));
  if (existing && existing->source != TRAJ_SOURCE_CLINICIAN)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->source_row),
                                 _("Answered on the patient tablet or imported; kept as recorded."));

  if (existing)
    {
      const TrajScale *s = traj_scale_get (scale);

      if (s->n_items > 0)
        traj_score_entry_set_values (self->score_entry, existing->items, s->n_items);
      else
        traj_score_entry_set_total (self->score_entry, existing->total);
      traj_score_entry_set_difficulty (self->score_entry, existing->difficulty);
      if (existing->notes)
        gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), existing->notes, -1);
    }

  g_signal_connect_swapped (self->scale_row, "notify::selected", G_CALLBACK (on_scale_selected), self);
  g_signal_connect_swapped (self->timing_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->course_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->notes_view), "changed",
                            G_CALLBACK (on_notes_changed), self);
  self->loading = FALSE;
  validate (self);

  return GTK_WIDGET (self);
}
