/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-chart-panel.h"
#include "traj-checkin-list.h"
#include "traj-patient-page.h"
#include "traj-timeline.h"

G_BEGIN_DECLS

struct _TrajPatientPage
{
  GtkWidget parent_instance;

  TrajStore *store;
  GSettings *settings;
  gint64 patient_id;
  TrajPatientRecords *records;
  TrajOutcomes *outcomes;
  TrajTimeline *timeline;
  gulong changed_id;
  guint n_loads;                   /* for tests: how often the patient was read */
  AdwToast *last_toast;            /* weak: the latest undo or decision toast, for tests */
  GPtrArray *toasts;               /* the page's toasts on show or queued, each bound to a patient */
  GtkWidget *decision_dialog;      /* weak: the open decision dialog, for tests */

  GtkWidget *scroller;
  GtkLabel *name_label;
  GtkLabel *identity_label;
  GtkLabel *course_label;
  GtkLabel *risk_label;
  GtkLabel *substance_label;
  GtkWidget *action_box;
  GtkWidget *findings_box;
  TrajCheckinList *checkin_list;
  GtkWidget *outcome_box;
  GtkWidget *chart_box;
  TrajChartPanel *chart;
  GtkListBox *timeline_list;
  GtkWidget *history_box;
  GtkListBox *history_list;
  GtkListBox *medication_list;     /* the Medications group (traj-patient-page-medications.c) */
  GtkWidget *course_notes_box;
  guint notes_tick;                /* measures the notes again once laid out */
  guint notes_tick_frames;
};

/* Shared by the page's files (traj-patient-page*.c). */
GtkWindow *traj_patient_page_parent_window   (TrajPatientPage *self);
/* The toast belongs to the open patient: it goes when another patient
 * is opened, so its Undo can never be pressed on someone else's page. */
void       traj_patient_page_add_toast       (TrajPatientPage *self,
                                              AdwToast        *toast);
void       traj_patient_page_show_error      (TrajPatientPage *self,
                                              const GError    *error);
void       traj_patient_page_clear_box       (GtkWidget       *box);
/* Installs patient.decide-finding (traj-patient-page-findings.c). */
void       traj_patient_page_findings_class_init (GtkWidgetClass *widget_class);
/* Rebuilds the banners and the Findings History from self->outcomes. */
void       traj_patient_page_update_findings (TrajPatientPage *self);

/* The Medications group, put after @after (traj-patient-page-medications.c). */
void       traj_patient_page_medications_class_init (GtkWidgetClass  *widget_class);
void       traj_patient_page_medications_init       (TrajPatientPage *self,
                                                     GtkWidget       *after);
void       traj_patient_page_update_medications     (TrajPatientPage *self);

/* How long a "deleted — Undo" toast stays, in seconds. */
#define TRAJ_UNDO_TIMEOUT_S 15

/* For tests: the latest "deleted — Undo" toast, or NULL once dismissed. */
AdwToast *traj_patient_page_get_last_toast (TrajPatientPage *self);
/* For tests: how many times the page has read its patient from the store. */
guint traj_patient_page_get_n_loads (TrajPatientPage *self);
/* For tests: the open "Record a Decision" / "Acknowledge Finding" dialog. */
GtkWidget *traj_patient_page_get_decision_dialog (TrajPatientPage *self);

G_END_DECLS
