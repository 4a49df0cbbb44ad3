/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "traj-assessment-editor.h"
#include "traj-chart-panel.h"
#include "traj-checkin-list.h"
#include "traj-checkin-dialog.h"
#include "traj-course-editor.h"
#include "traj-gui.h"
#include "traj-infusion-editor.h"
#include "traj-rems.h"
#include "traj-rems-export.h"
#include "traj-patient-editor.h"
#include "traj-patient-page-private.h"
#include "traj-report-print.h"
#include "traj-timeline.h"
#include "traj-timeline-row.h"
#include "traj-toast-guard.h"

G_DEFINE_FINAL_TYPE (TrajPatientPage, traj_patient_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- helpers ---------------------------------------------------------- */

GtkWindow *
traj_patient_page_parent_window (TrajPatientPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
forget_toast (AdwToast *toast, TrajPatientPage *self)
{
  if (self->toasts)
    g_ptr_array_remove (self->toasts, toast);
}

static void
add_toast_for (TrajPatientPage *self, AdwToast *toast, gint64 patient_id)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  /* @toast's reference is ours (adw_toast_new's). */
  if (overlay == NULL)
    {
      g_object_unref (toast);
      return;
    }
  /* 0: a toast that stays whoever is open (a deleted patient's Undo). */
  g_object_set_data (G_OBJECT (toast), "traj-patient-id", GSIZE_TO_POINTER ((gsize) patient_id));
  g_ptr_array_add (self->toasts, toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (forget_toast), self, 0);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), g_object_ref (toast));
}

void
traj_patient_page_add_toast (TrajPatientPage *self, AdwToast *toast)
{
  add_toast_for (self, toast, self->patient_id);
}

/* Another patient is opened: the toasts about @patient_id go. */
static void
dismiss_toasts_of (TrajPatientPage *self, gint64 patient_id)
{
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->toasts->len; i++)
    {
      AdwToast *toast = g_ptr_array_index (self->toasts, i);

      if ((gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (toast), "traj-patient-id")) == patient_id)
        g_ptr_array_add (doomed, g_object_ref (toast));
    }
  for (guint i = 0; i < doomed->len; i++)
    traj_toast_guard_dismiss (g_ptr_array_index (doomed, i));
}

void
traj_patient_page_show_error (TrajPatientPage *self, const GError *error)
{
  AdwToast *toast = adw_toast_new (error->message);
  adw_toast_set_timeout (toast, 0);
  traj_patient_page_add_toast (self, toast);
}

void
traj_patient_page_clear_box (GtkWidget *box)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (box)))
    gtk_box_remove (GTK_BOX (box), child);
}

static const TrajInfusion *
last_infusion (const TrajPatientRecords *r, gint64 course_id)
{
  for (guint k = r->infusions->len; k > 0; k--)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k - 1);
      if (course_id == 0 || i->course_id == course_id)
        return i;
    }
  return NULL;
}

static int
count_infusions (const TrajPatientRecords *r, gint64 course_id)
{
  int n = 0;
  for (guint k = 0; k < r->infusions->len; k++)
    if (((TrajInfusion *) g_ptr_array_index (r->infusions, k))->course_id == course_id)
      n++;
  return n;
}

/* ---- header ------------------------------------------------------------ */

static void
update_header (TrajPatientPage *self)
{
  const TrajPatient *p = self->records->patient;
  const TrajCourse *course = traj_patient_records_current_course (self->records);
  g_autofree char *identity = NULL;
  g_autofree char *indication = NULL;
  g_autofree char *risk = NULL;
  g_autofree char *course_text = NULL;
  int age = traj_age_years (p->birth_day, traj_day_today ());
  g_autofree char *born = traj_day_format (p->birth_day);
  g_autofree char *age_text = age >= 0 ? g_strdup_printf (ngettext ("%d year", "%d years", age), age)
                                        : g_strdup ("—");

  gtk_label_set_label (self->name_label, p->name);
  if (traj_indication_detail_label (p->indication_detail))
    /* Translators: an indication with its detail: "Chronic pain (Fibromyalgia)" */
    indication = g_strdup_printf (_("%s (%s)"), traj_indication_label (p->indication),
                                  traj_indication_detail_label (p->indication_detail));
  else
    indication = g_strdup (traj_indication_label (p->indication));
  /* Translators: patient page header: MRN · born 3 Mar 1961 (65 years) · sex · indication */
  identity = g_strdup_printf (_("MRN %s · born %s (%s) · %s · %s"), p->mrn, born, age_text,
                              traj_sex_label (p->sex), indication);
  gtk_label_set_label (self->identity_label, identity);
  /* Issue 15: a history of substance use, once it has been asked. */
  gtk_widget_set_visible (GTK_WIDGET (self->substance_label), p->substance_use != TRAJ_SUBSTANCE_USE_UNKNOWN);
  if (p->substance_use != TRAJ_SUBSTANCE_USE_UNKNOWN)
    {
      /* Translators: patient page header: "History of substance use: In the past" */
      g_autofree char *substance = g_strdup_printf (_("History of substance use: %s"),
                                                    traj_substance_use_label (p->substance_use));
      gtk_label_set_label (self->substance_label, substance);
    }

  /* CLINICAL.md §8: a risk flag on the patient, with who set it and when. */
  gtk_widget_set_visible (GTK_WIDGET (self->risk_label), p->risk_si_at != TRAJ_TIME_NONE);
  if (p->risk_si_at != TRAJ_TIME_NONE)
    {
      g_autofree char *on = traj_time_format (p->risk_si_at);
      /* Translators: patient page header: "Risk flag: suicidal ideation · set by Dr A on 3 Mar 2026, 14:05" */
      risk = g_strdup_printf (_("Risk flag: suicidal ideation · set by %s on %s"),
                              p->risk_si_by && *p->risk_si_by ? p->risk_si_by : _("unknown"), on);
      gtk_label_set_label (self->risk_label, risk);
    }

  if (course == NULL)
    course_text = g_strdup (_("No treatment course yet. Start one from More → New Course."));
  else
    {
      const TrajInfusion *last = last_infusion (self->records, course->id);
      int n = count_infusions (self->records, course->id);
      /* Esketamine is a nasal spray: its treatments are sessions. */
      gboolean nasal = last && last->route == TRAJ_ROUTE_INTRANASAL;
      g_autofree char *count = nasal ? g_strdup_printf (ngettext ("%d session", "%d sessions", n), n)
                                     : g_strdup_printf (ngettext ("%d infusion", "%d infusions", n), n);
      g_autofree char *since = NULL;
      const TrajScale *scale = traj_scale_get (course->primary_scale);

      if (last)
        {
          int days = traj_day_today () - traj_day_from_time (last->started_at);
          if (nasal)
            since = days == 0 ? g_strdup (_("last session today"))
                              : g_strdup_printf (ngettext ("%d day since the last session",
                                                           "%d days since the last session", days), days);
          else
            since = days == 0 ? g_strdup (_("last infusion today"))
                              : g_strdup_printf (ngettext ("%d day since the last infusion",
                                                           "%d days since the last infusion", days), days);
        }
      else
        since = g_strdup (_("no infusion yet"));
      /* Translators: "Course: Induction · IV 0.5 mg/kg ×6 · 4 infusions · 2 days since the last infusion · primary PHQ-9" */
      course_text = g_strdup_printf (_("Course: %s%s%s · %s · %s · primary scale %s"),
                                     traj_course_status_label (course->status),
                                     course->protocol && *course->protocol ? " · " : "",
                                     course->protocol ? course->protocol : "",
                                     count, since, _(scale->name));
    }
  gtk_label_set_label (self->course_label, course_text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "patient.edit-course", course != NULL);
  /* An esketamine course is given in nasal-spray sessions: the button says
   * so (the editor opens on the course's route). */
  {
    GtkWidget *log = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self), TRAJ_TYPE_PATIENT_PAGE,
                                                                  "log_infusion_button"));
    const TrajInfusion *last = course ? last_infusion (self->records, course->id) : NULL;

    gtk_button_set_label (GTK_BUTTON (log), last && last->route == TRAJ_ROUTE_INTRANASAL ? _("_Log Session")
                                                                                          : _("_Log Infusion"));
  }
}

/* ---- outcomes summary ----------------------------------------------------- */

static void
update_outcome_summary (TrajPatientPage *self)
{
  const TrajCourse *course = traj_patient_records_current_course (self->records);
  GtkWidget *group;

  traj_patient_page_clear_box (self->outcome_box);
  if (course == NULL)
    return;

  group = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (group), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (group, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (group), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Outcomes of the current course"), -1);

  for (guint k = 0; k < self->outcomes->outcomes->len; k++)
    {
      const TrajOutcome *o = g_ptr_array_index (self->outcomes->outcomes, k);
      const TrajScale *scale = traj_scale_get (o->scale);
      GtkWidget *row;
      g_autofree char *title = NULL, *subtitle = NULL;
      GString *s;

      if (o->course_id != course->id)
        continue;
      row = adw_action_row_new ();
      if (o->has_latest)
        title = g_strdup_printf (_("%s latest %d (%s)"), _(scale->name), o->latest,
                                 traj_scale_band_label (scale, o->latest) ? traj_scale_band_label (scale, o->latest) : "");
      else
        title = g_strdup_printf (_("%s: no scores yet"), _(scale->name));
      s = g_string_new (NULL);
      if (o->has_baseline)
        {
          g_string_append_printf (s, _("Baseline %d"), o->baseline);
          if (o->has_change)
            {
              if (isnan (o->change_percent))
                g_string_append_printf (s, _(", change %+d"), o->change_points);
              else
                g_string_append_printf (s, _(", change %+d (%+.0f %%)"), o->change_points, o->change_percent);
            }
        }
      if (o->no_baseline_reason)
        {
          if (s->len)
            g_string_append (s, " · ");
          g_string_append (s, o->no_baseline_reason);
        }
      if (o->response_computable)
        {
          g_autofree char *when = o->response_reached ? traj_day_format (traj_day_from_time (o->response_at)) : NULL;
          g_string_append (s, " · ");
          if (o->response_reached)
            g_string_append_printf (s, o->response_held ? _("response reached %s, held") : _("response reached %s, not held now"), when);
          else
            g_string_append (s, _("no response yet"));
        }
      if (o->remission_computable)
        {
          g_autofree char *when = o->remission_reached ? traj_day_format (traj_day_from_time (o->remission_at)) : NULL;
          g_string_append (s, " · ");
          if (o->remission_reached)
            g_string_append_printf (s, _("remission reached %s"), when);
          else
            g_string_append (s, _("no remission yet"));
        }
      if (course->status == TRAJ_COURSE_ENDED && course->end_day != TRAJ_DAY_NONE)
        {
          g_autofree char *ended = traj_day_format (course->end_day);
          /* Scores after the end are not this course's (the chart shows them all). */
          g_string_append_printf (s, _(" · course ended %s; later scores are not counted here"), ended);
        }
      subtitle = g_string_free (s, FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      if (o->is_primary)
        {
          GtkWidget *tag = gtk_label_new (_("Primary"));
          gtk_widget_add_css_class (tag, "tag");
          gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
        }
      gtk_list_box_append (GTK_LIST_BOX (group), row);
    }
  gtk_box_append (GTK_BOX (self->outcome_box), group);
}

/* ---- timeline rows ---------------------------------------------------------- */

static GtkWidget *
create_timeline_row (gpointer item_ptr, gpointer user_data)
{
  TrajTimelineItem *item = item_ptr;
  TrajPatientPage *self = user_data;
  GtkWidget *row = traj_timeline_row_new (item);

  /* CLINICAL.md §8: the esketamine monitoring record, checked and exported. */
  if (traj_timeline_item_get_kind (item) == TRAJ_KIND_INFUSION && self->records)
    {
      const TrajInfusion *i = traj_timeline_item_get_infusion (item);

      if (traj_rems_applies (i))
        traj_timeline_row_add_extra (TRAJ_TIMELINE_ROW (row),
                                     traj_rems_record_button_new (self->store, self->settings, self->records->patient, i));
    }
  return row;
}

/* ---- load --------------------------------------------------------------------- */

static void
load (TrajPatientPage *self)
{
  g_autoptr(GError) error = NULL;
  TrajThresholds thresholds;

  g_clear_pointer (&self->records, traj_patient_records_free);
  g_clear_pointer (&self->outcomes, traj_outcomes_free);
  traj_patient_page_update_medications (self);

  traj_checkin_list_set_patient (self->checkin_list, self->store ? self->patient_id : 0);
  if (self->patient_id <= 0 || self->store == NULL)
    {
      traj_timeline_set_records (self->timeline, NULL);
      traj_chart_panel_set_model (self->chart, NULL);
      return;
    }
  self->n_loads++;
  self->records = traj_store_load_patient_records (self->store, self->patient_id, &error);
  if (self->records == NULL)
    {
      traj_timeline_set_records (self->timeline, NULL);
      if (!g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND))
        traj_patient_page_show_error (self, error);
      self->patient_id = 0;
      return;
    }
  traj_thresholds_init_defaults (&thresholds);
  if (self->settings)
    traj_thresholds_load (&thresholds, self->settings);
  self->outcomes = traj_outcomes_compute (self->records, &thresholds, traj_time_now ());

  update_header (self);
  traj_patient_page_update_findings (self);
  update_outcome_summary (self);
  traj_patient_page_update_medications (self);
  traj_timeline_set_records (self->timeline, self->records);
  {
    TrajChartModel *model = traj_chart_model_new_from_records (self->records, self->outcomes);
    traj_chart_panel_set_model (self->chart, model);
    traj_chart_model_unref (model);
  }
}

static void
on_store_changed (TrajStore       *store,
                  guint            kind,
                  gint64           patient_id,
                  TrajPatientPage *self)
{
  if (self->patient_id > 0 && (patient_id == self->patient_id || patient_id == 0))
    load (self);
}

/* ---- actions -------------------------------------------------------------------- */

static void
present_editor (TrajPatientPage *self, TrajEditorDialog *editor)
{
  gtk_window_present (GTK_WINDOW (editor));
}

static void new_course_action (GtkWidget *widget, const char *name, GVariant *param);

static void
on_no_course_response (AdwMessageDialog *dialog, const char *response, TrajPatientPage *self)
{
  if (g_strcmp0 (response, "course") == 0)
    new_course_action (GTK_WIDGET (self), NULL, NULL);
}

static void
log_infusion_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->records == NULL)
    return;
  if (self->records->courses->len == 0)
    {
      /* Infusions belong to a treatment course: say so, and offer one. */
      GtkWidget *dialog = adw_message_dialog_new (traj_patient_page_parent_window (self), _("Start a Course First"),
                                                  _("Infusions are logged within a treatment course (indication, primary scale, induction length). Start one for this patient, then log the infusion."));
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "course", _("_New Course…"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "course", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "course");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_no_course_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  present_editor (self, TRAJ_EDITOR_DIALOG (traj_infusion_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                      self->settings, self->records, NULL)));
}

static void
record_scores_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->records == NULL)
    return;
  present_editor (self, TRAJ_EDITOR_DIALOG (traj_assessment_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                        self->records, NULL)));
}

static void
new_course_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->records == NULL)
    return;
  present_editor (self, TRAJ_EDITOR_DIALOG (traj_course_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                    self->records->patient, NULL)));
}

static void
edit_course_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  const TrajCourse *course;

  if (self->records == NULL || (course = traj_patient_records_current_course (self->records)) == NULL)
    return;
  present_editor (self, TRAJ_EDITOR_DIALOG (traj_course_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                    self->records->patient, course)));
}

static void
edit_patient_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->records == NULL)
    return;
  present_editor (self, TRAJ_EDITOR_DIALOG (traj_patient_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                     self->records->patient)));
}

typedef struct {
  TrajStore *store;
  GWeakRef page;
  TrajRecordKind kind;
  gint64 id;
  gint64 patient_id;              /* whose record it was */
} UndoData;

static void
undo_data_free (UndoData *u)
{
  g_object_unref (u->store);
  g_weak_ref_clear (&u->page);
  g_free (u);
}

/* Undo brings the record back where the clinician can see it: the
 * patient's page open again (a deleted patient's page had closed), the
 * record selected in the timeline. The undelete is audited by the store. */
static void
on_undo (AdwToast *toast, UndoData *u)
{
  g_autoptr(TrajPatientPage) self = g_weak_ref_get (&u->page);
  g_autoptr(GError) error = NULL;

  if (!traj_store_undelete (u->store, u->kind, u->id, &error))
    {
      if (self)
        traj_patient_page_show_error (self, error);
      else
        g_warning ("Undo failed: %s", error->message);
      return;
    }
  if (self == NULL)
    return;
  if (self->patient_id != u->patient_id)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-patient", "x", u->patient_id);
  if (self->patient_id != u->patient_id)
    traj_patient_page_set_patient (self, u->patient_id);
  if (u->kind != TRAJ_KIND_PATIENT)
    traj_patient_page_select_record (self, u->kind, u->id);
}

static void
delete_with_undo (TrajPatientPage *self, TrajRecordKind kind, gint64 id, const char *message)
{
  g_autoptr(GError) error = NULL;
  gint64 patient_id = self->patient_id;
  UndoData *u;
  AdwToast *toast;

  if (!traj_store_delete (self->store, kind, id, &error))
    {
      traj_patient_page_show_error (self, error);
      return;
    }
  u = g_new0 (UndoData, 1);
  u->store = g_object_ref (self->store);
  g_weak_ref_init (&u->page, self);
  u->kind = kind;
  u->id = id;
  u->patient_id = patient_id;
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  /* Longer than libadwaita's 5 s: a clinician reading the page should not
   * lose the only way back while deciding. */
  adw_toast_set_timeout (toast, TRAJ_UNDO_TIMEOUT_S);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo), u, (GClosureNotify) undo_data_free, 0);
  g_set_weak_pointer (&self->last_toast, toast);
  /* A deleted patient's page closes: that Undo stays whoever is opened
   * next (its text names the patient). */
  add_toast_for (self, toast, kind == TRAJ_KIND_PATIENT ? 0 : patient_id);
}

static void
print_report_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->patient_id > 0)
    traj_report_print_patient (traj_patient_page_parent_window (self), self->store, self->settings, self->patient_id);
}

static void
export_report_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->patient_id > 0)
    traj_report_export_patient_pdf (traj_patient_page_parent_window (self), self->store, self->settings, self->patient_id);
}

static void
prepare_checkin_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);

  if (self->records == NULL)
    return;
  gtk_window_present (GTK_WINDOW (traj_checkin_dialog_new (traj_patient_page_parent_window (self), self->store,
                                                           self->settings, self->records)));
}

static void
delete_patient_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  g_autofree char *message = NULL;

  if (self->records == NULL)
    return;
  message = g_strdup_printf (_("%s was removed from the list"), self->records->patient->name);
  delete_with_undo (self, TRAJ_KIND_PATIENT, self->patient_id, message);
}

static void
delete_record_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  gint32 kind;
  gint64 id;

  g_autofree char *message = NULL;

  g_variant_get (param, "(ix)", &kind, &id);
  /* The toast names what went, so a clinician can tell the right thing went. */
  for (guint k = 0; self->records && kind == TRAJ_KIND_INFUSION && k < self->records->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (self->records->infusions, k);
      if (i->id == id)
        {
          g_autofree char *day = traj_day_format (traj_day_from_time (i->started_at));
          if (i->route == TRAJ_ROUTE_INTRANASAL)
            /* Translators: an esketamine nasal-spray session: "Session of 25 Oct 2026 deleted" */
            message = g_strdup_printf (_("Session of %s deleted"), day);
          else
            /* Translators: "Infusion of 25 Oct 2026 deleted" */
            message = g_strdup_printf (_("Infusion of %s deleted"), day);
        }
    }
  for (guint k = 0; self->records && kind == TRAJ_KIND_ASSESSMENT && k < self->records->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (self->records->assessments, k);
      if (a->id == id)
        {
          g_autofree char *day = traj_day_format (traj_day_from_time (a->taken_at));
          /* Translators: "PHQ-9 of 6 Dec 2026 deleted" */
          message = g_strdup_printf (_("%s of %s deleted"), traj_scale_get (a->scale)->name, day);
        }
    }
  if (message == NULL)
    message = g_strdup (kind == TRAJ_KIND_INFUSION ? _("Infusion deleted") : _("Scores deleted"));
  delete_with_undo (self, (TrajRecordKind) kind, id, message);
}

static void
edit_record_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  gint32 kind;
  gint64 id;

  if (self->records == NULL)
    return;
  g_variant_get (param, "(ix)", &kind, &id);
  if (kind == TRAJ_KIND_INFUSION)
    {
      for (guint k = 0; k < self->records->infusions->len; k++)
        {
          const TrajInfusion *i = g_ptr_array_index (self->records->infusions, k);
          if (i->id == id)
            present_editor (self, TRAJ_EDITOR_DIALOG (traj_infusion_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                                self->settings, self->records, i)));
        }
    }
  else if (kind == TRAJ_KIND_ASSESSMENT)
    {
      for (guint k = 0; k < self->records->assessments->len; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (self->records->assessments, k);
          if (a->id == id)
            present_editor (self, TRAJ_EDITOR_DIALOG (traj_assessment_editor_new (traj_patient_page_parent_window (self), self->store,
                                                                                  self->records, a)));
        }
    }
}

/* ---- GObject ---------------------------------------------------------------------- */

static void
traj_patient_page_constructed (GObject *object)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (object);

  G_OBJECT_CLASS (traj_patient_page_parent_class)->constructed (object);
  if (self->store)
    self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (on_store_changed), self);
  traj_checkin_list_set_store (self->checkin_list, self->store);
}

static void
traj_patient_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      traj_chart_panel_set_settings (self->chart, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_patient_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_patient_page_dispose (GObject *object)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (object);

  if (self->changed_id)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_weak_pointer (&self->last_toast);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  g_clear_weak_pointer (&self->decision_dialog);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_PATIENT_PAGE);
  g_clear_object (&self->timeline);
  g_clear_pointer (&self->records, traj_patient_records_free);
  g_clear_pointer (&self->outcomes, traj_outcomes_free);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_patient_page_parent_class)->dispose (object);
}

static void
traj_patient_page_class_init (TrajPatientPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = traj_patient_page_constructed;
  object_class->set_property = traj_patient_page_set_property;
  object_class->get_property = traj_patient_page_get_property;
  object_class->dispose = traj_patient_page_dispose;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_CHECKIN_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-patient-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, identity_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, course_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, risk_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, substance_label);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, action_box);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, findings_box);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, checkin_list);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, outcome_box);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, chart_box);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, timeline_list);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, history_box);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientPage, history_list);
  gtk_widget_class_bind_template_child_full (widget_class, "log_infusion_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "record_scores_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "more_button", FALSE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "patient.log-infusion", NULL, log_infusion_action);
  gtk_widget_class_install_action (widget_class, "patient.record-scores", NULL, record_scores_action);
  gtk_widget_class_install_action (widget_class, "patient.new-course", NULL, new_course_action);
  gtk_widget_class_install_action (widget_class, "patient.edit-course", NULL, edit_course_action);
  gtk_widget_class_install_action (widget_class, "patient.edit-patient", NULL, edit_patient_action);
  gtk_widget_class_install_action (widget_class, "patient.delete-patient", NULL, delete_patient_action);
  gtk_widget_class_install_action (widget_class, "patient.prepare-checkin", NULL, prepare_checkin_action);
  gtk_widget_class_install_action (widget_class, "patient.print-report", NULL, print_report_action);
  gtk_widget_class_install_action (widget_class, "patient.export-report", NULL, export_report_action);
  gtk_widget_class_install_action (widget_class, "patient.delete-record", "(ix)", delete_record_action);
  gtk_widget_class_install_action (widget_class, "patient.edit-record", "(ix)", edit_record_action);
  traj_patient_page_findings_class_init (widget_class);
  traj_patient_page_medications_class_init (widget_class);

}

static void
timeline_placeholder (TrajPatientPage *self)
{
  GtkWidget *label = gtk_label_new (_("No infusions or scores yet. Log the first infusion or record a baseline."));

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_set_placeholder (self->timeline_list, label);
}

static void
on_chart_item_activated (TrajChartPanel  *panel,
                         int              kind,
                         gint64           id,
                         TrajPatientPage *self)
{
  traj_patient_page_select_record (self, (TrajRecordKind) kind, id);
}

/* A chart of the patient left the app: who, and where to (issue 16 §3). */
static void
on_chart_exported (TrajChartPanel  *panel,
                   const char      *path,
                   TrajPatientPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *who[] = { self->records ? self->records->patient->uid : NULL, NULL };

  if (!traj_store_audit_output (self->store, "chart", "patient chart", who[0] ? who : NULL, path, &error))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                  _("The Chart Was Saved but Not Recorded"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
traj_patient_page_init (TrajPatientPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  /* The flow box only wraps the buttons: its children would be a Tab stop
   * of their own before each button. */
  for (GtkWidget *child = gtk_widget_get_first_child (self->action_box); child;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);

  self->chart = TRAJ_CHART_PANEL (traj_chart_panel_new ());
  gtk_box_append (GTK_BOX (self->chart_box), GTK_WIDGET (self->chart));
  g_signal_connect (self->chart, "item-activated", G_CALLBACK (on_chart_item_activated), self);
  g_signal_connect (self->chart, "exported", G_CALLBACK (on_chart_exported), self);

  self->timeline = traj_timeline_new ();
  gtk_list_box_bind_model (self->timeline_list, G_LIST_MODEL (self->timeline), create_timeline_row, self, NULL);
  timeline_placeholder (self);
  traj_patient_page_medications_init (self, self->outcome_box);
}

GtkWidget *
traj_patient_page_new (TrajStore *store,
                       GSettings *settings)
{
  return g_object_new (TRAJ_TYPE_PATIENT_PAGE, "store", store, "settings", settings, NULL);
}

void
traj_patient_page_set_patient (TrajPatientPage *self,
                               gint64           patient_id)
{
  g_return_if_fail (TRAJ_IS_PATIENT_PAGE (self));

  if (self->patient_id != patient_id)
    {
      g_autoptr(GError) error = NULL;

      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)), 0);
      if (self->patient_id > 0)
        dismiss_toasts_of (self, self->patient_id);
      /* On a clinic server, opening a patient is in the access log. */
      if (patient_id > 0 && self->store && !traj_store_record_read (self->store, patient_id, "patient page", &error))
        g_warning ("Could not log the opening of patient %" G_GINT64_FORMAT ": %s", patient_id, error->message);
    }
  self->patient_id = patient_id;
  load (self);
}

gint64
traj_patient_page_get_patient (TrajPatientPage *self)
{
  return self->patient_id;
}

void
traj_patient_page_reload (TrajPatientPage *self)
{
  load (self);
}

const TrajPatientRecords *
traj_patient_page_get_records (TrajPatientPage *self)
{
  return self->records;
}

const TrajOutcomes *
traj_patient_page_get_outcomes (TrajPatientPage *self)
{
  return self->outcomes;
}

GListModel *
traj_patient_page_get_timeline (TrajPatientPage *self)
{
  return G_LIST_MODEL (self->timeline);
}

void
traj_patient_page_select_record (TrajPatientPage *self,
                                 TrajRecordKind   kind,
                                 gint64           id)
{
  int pos = traj_timeline_find (self->timeline, kind, id);
  GtkListBoxRow *row;

  if (pos < 0)
    return;
  row = gtk_list_box_get_row_at_index (self->timeline_list, pos);
  if (row)
    {
      gtk_list_box_select_row (self->timeline_list, row);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

AdwToast *
traj_patient_page_get_last_toast (TrajPatientPage *self)
{
  return self->last_toast;
}

guint
traj_patient_page_get_n_loads (TrajPatientPage *self)
{
  g_return_val_if_fail (TRAJ_IS_PATIENT_PAGE (self), 0);

  return self->n_loads;
}

GtkWidget *
traj_patient_page_get_decision_dialog (TrajPatientPage *self)
{
  return self->decision_dialog;
}

/* The heading is selectable text: given the keyboard, it would show all of
 * itself selected. */
void
traj_patient_page_focus_first_action (TrajPatientPage *self)
{
  g_return_if_fail (TRAJ_IS_PATIENT_PAGE (self));

  for (GtkWidget *child = gtk_widget_get_first_child (self->action_box); child;
       child = gtk_widget_get_next_sibling (child))
    {
      /* A flow-box child holding the button: the button takes it. */
      GtkWidget *button = GTK_IS_FLOW_BOX_CHILD (child) ? gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child)) : child;

      if (button && gtk_widget_is_visible (button) && gtk_widget_is_sensitive (button) &&
          gtk_widget_grab_focus (button))
        return;
    }
}
