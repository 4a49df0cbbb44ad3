/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-rems-group.h"

struct _TrajRemsGroup
{
  AdwPreferencesGroup parent_instance;

  GtkWidget *patient_id_row;
  GtkWidget *monitored_by_row;
  GtkWidget *adverse_note_row;
  AdwComboRow *questions[TRAJ_REMS_N_QUESTIONS];
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (TrajRemsGroup, traj_rems_group, ADW_TYPE_PREFERENCES_GROUP)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
on_changed (TrajRemsGroup *self)
{
  /* "What happened" only once there was an adverse event. */
  gtk_widget_set_visible (self->adverse_note_row,
                          adw_combo_row_get_selected (self->questions[TRAJ_REMS_Q_ADVERSE]) == 1);
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static GtkWidget *
entry_row (TrajRemsGroup *self, const char *title)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  return row;
}

static void
question_row (TrajRemsGroup *self, TrajRemsQuestion q, const char *title)
{
  const char *const answers[] = { _("Not answered"), _("Yes"), _("No"), NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (answers);
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (on_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (row));
  self->questions[q] = row;
}

static void
traj_rems_group_class_init (TrajRemsGroupClass *klass)
{
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
traj_rems_group_init (TrajRemsGroup *self)
{
  self->loading = TRUE;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Esketamine Monitoring Record"));
  self->patient_id_row = entry_row (self, _("REMS enrolment ID"));
  question_row (self, TRAJ_REMS_Q_FIRST_SESSION, _("First treatment session"));
  self->monitored_by_row = entry_row (self, _("Monitored by"));
  question_row (self, TRAJ_REMS_Q_VITALS_BEFORE, _("Vital signs acceptable before dosing"));
  question_row (self, TRAJ_REMS_Q_VITALS_LEAVING, _("Vital signs acceptable before leaving"));
  question_row (self, TRAJ_REMS_Q_SEDATION, _("Sedation"));
  question_row (self, TRAJ_REMS_Q_DISSOCIATION, _("Dissociation"));
  question_row (self, TRAJ_REMS_Q_RESP_DEPRESSION, _("Respiratory depression"));
  question_row (self, TRAJ_REMS_Q_ADVERSE, _("Adverse events"));
  self->adverse_note_row = entry_row (self, _("What happened"));
  gtk_widget_set_visible (self->adverse_note_row, FALSE);
  self->loading = FALSE;
}

GtkWidget *
traj_rems_group_new (void)
{
  return g_object_new (TRAJ_TYPE_REMS_GROUP, NULL);
}

static int *
answer_of (TrajInfusion *i, TrajRemsQuestion q)
{
  switch (q)
    {
    case TRAJ_REMS_Q_FIRST_SESSION: return &i->rems_first_session;
    case TRAJ_REMS_Q_VITALS_BEFORE: return &i->rems_vitals_ok_before;
    case TRAJ_REMS_Q_VITALS_LEAVING: return &i->rems_vitals_ok_leaving;
    case TRAJ_REMS_Q_SEDATION: return &i->rems_sedation;
    case TRAJ_REMS_Q_DISSOCIATION: return &i->rems_dissociation;
    case TRAJ_REMS_Q_RESP_DEPRESSION: return &i->rems_resp_depression;
    case TRAJ_REMS_Q_ADVERSE: return &i->rems_adverse;
    case TRAJ_REMS_N_QUESTIONS:
    default: g_return_val_if_reached (NULL);
    }
}

static void
set_text (GtkWidget *row, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
}

void
traj_rems_group_set (TrajRemsGroup *self, const TrajInfusion *i)
{
  g_return_if_fail (TRAJ_IS_REMS_GROUP (self));
  self->loading = TRUE;
  set_text (self->patient_id_row, i->rems_patient_id);
  set_text (self->monitored_by_row, i->rems_monitored_by);
  set_text (self->adverse_note_row, i->rems_adverse_note);
  for (TrajRemsQuestion q = 0; q < TRAJ_REMS_N_QUESTIONS; q++)
    {
      int a = *answer_of ((TrajInfusion *) i, q);
      adw_combo_row_set_selected (self->questions[q], a < 0 ? 0 : a == 1 ? 1 : 2);
    }
  self->loading = FALSE;
  on_changed (self);
}

/* The row's text stripped, NULL when empty. */
static char *
text_or_null (GtkWidget *row)
{
  g_autofree char *t = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (t);
  return *t ? g_steal_pointer (&t) : NULL;
}

void
traj_rems_group_read (TrajRemsGroup *self, TrajInfusion *i)
{
  g_return_if_fail (TRAJ_IS_REMS_GROUP (self));
  g_free (i->rems_patient_id);
  i->rems_patient_id = text_or_null (self->patient_id_row);
  g_free (i->rems_monitored_by);
  i->rems_monitored_by = text_or_null (self->monitored_by_row);
  for (TrajRemsQuestion q = 0; q < TRAJ_REMS_N_QUESTIONS; q++)
    {
      guint s = adw_combo_row_get_selected (self->questions[q]);
      *answer_of (i, q) = s == 1 ? 1 : s == 2 ? 0 : -1;
    }
  g_free (i->rems_adverse_note);
  /* What happened belongs to an adverse event: kept only with one. */
  i->rems_adverse_note = i->rems_adverse == 1 ? text_or_null (self->adverse_note_row) : NULL;
  if (i->rems_adverse_note == NULL)
    i->rems_adverse_note = g_strdup ("");
}

void
traj_rems_group_set_check (TrajRemsGroup *self, const char *text)
{
  g_return_if_fail (TRAJ_IS_REMS_GROUP (self));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), text);
}

AdwComboRow *
traj_rems_group_get_question (TrajRemsGroup *self, TrajRemsQuestion q)
{
  g_return_val_if_fail (q < TRAJ_REMS_N_QUESTIONS, NULL);
  return self->questions[q];
}

GtkWidget *
traj_rems_group_get_patient_id_row (TrajRemsGroup *self)
{
  return self->patient_id_row;
}

GtkWidget *
traj_rems_group_get_monitored_by_row (TrajRemsGroup *self)
{
  return self->monitored_by_row;
}

GtkWidget *
traj_rems_group_get_adverse_note_row (TrajRemsGroup *self)
{
  return self->adverse_note_row;
}
