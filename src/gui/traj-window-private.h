/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-connection-banner.h"
#include "traj-patient-page.h"
#include "traj-safety-alerts.h"
#include "traj-window.h"

G_BEGIN_DECLS

/* The main window is split in two files around this struct:
 * traj-window.c (the patient list, the open patient, loading, the window's
 * life) and traj-window-actions.c (the win.* actions). */
struct _TrajWindow
{
  AdwApplicationWindow parent_instance;

  TrajStore *store;
  GSettings *settings;
  TrajPatientList *patients;
  GtkSingleSelection *selection;
  gint64 patient_id;
  gulong store_changed_id;

  AdwToastOverlay *toast_overlay;
  TrajSafetyAlerts *safety_alerts;
  TrajConnectionBanner *connection_banner;
  gint64 alerts_since;
  AdwViewStack *view_stack;
  AdwViewSwitcher *sidebar_switcher;
  AdwViewSwitcher *cohort_switcher;
  GtkWidget *cohort_box;
  GtkWidget *cohorts;
  gboolean cohorts_stale;
  AdwLeaflet *leaflet;
  GtkSearchEntry *search_entry;
  GtkWidget *demo_label;
  GtkDropDown *filter_dropdown;
  GtkStringList *filter_model;
  GtkStack *list_stack;
  GtkListView *list_view;
  AdwStatusPage *no_results_page;
  GtkButton *show_all_button;
  GtkStack *content_stack;
  AdwWindowTitle *content_title;
  GtkButton *back_button;
  GtkWidget *patient_bin;
  TrajPatientPage *page;
  GCancellable *attention_cancellable;
  gboolean busy;
  gboolean loading;
  gboolean closing;
  gboolean updating_list;
  gboolean cohorts_only;      /* a login that may not read who patients are */
  guint poll_id;
  GtkWidget *audit_window;         /* weak: the open Audit Trail window */
};

/* traj-window.c */
void traj_window_update_filter_counts (TrajWindow *self);
void traj_window_update_list_page     (TrajWindow *self);
void traj_window_start_loading        (TrajWindow *self);
void traj_window_show_patient_content (TrajWindow *self);

/* traj-window-actions.c */
void traj_window_class_actions_init   (GtkWidgetClass *widget_class);

G_END_DECLS
