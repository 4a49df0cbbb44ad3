/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-cohort-chart.h"
#include "traj-cohort-view.h"

G_BEGIN_DECLS

/* "Compare" choices: the group-by fields, then hand-made cohorts. */
#define COMPARE_OWN (TRAJ_N_COHORT_FIELDS - 1)

struct _TrajCohortView
{
  GtkWidget parent_instance;

  TrajStore *store;
  GSettings *settings;
  TrajCohortDefinition *def;
  TrajCohortReport *report;
  TrajScaleId report_scale;
  GCancellable *cancellable;
  guint pending;
  gboolean busy;
  gboolean updating;
  GHashTable *cells;             /* "metric:column" → GtkLabel (borrowed) */
  GPtrArray *rows;               /* MetricRow: the table as last computed */
  gboolean folded;               /* one block per cohort instead of a column */
  int side_by_side_width;        /* the width the table needs unfolded; 0: not known */
  guint n_columns;               /* cohorts it was measured for */
  guint fold_idle;
  guint fit_chart_idle;          /* the chart's height for its new width */

  GtkWidget *box;
  GtkDropDown *compare_dropdown;
  GtkDropDown *scale_dropdown;
  GtkMenuButton *filter_button;
  GtkMenuButton *open_button;
  GtkWidget *save_button;
  GtkWidget *export_button;
  GtkWidget *cohorts_row;
  GtkWidget *cohort_buttons;
  GtkWidget *add_button;
  GtkRevealer *progress_revealer;
  GtkProgressBar *progress_bar;
  GtkWidget *cancel_button;
  GtkStack *results_stack;
  AdwStatusPage *computing_page;
  GtkSpinner *computing_spinner;
  AdwStatusPage *empty_page;
  GtkWidget *chart_box;
  GtkGrid *metrics_grid;
  GtkWidget *chart_area;
  GtkWidget *chart_kind_box;
  GtkWidget *chart_title;
  TrajCohortChartKind chart_kind;
  TrajCohortChartLayout *chart_layout; /* laid out once per data, kind or size change; drawn per frame */
};

/* Shared by the view's files (traj-cohort-view*.c). */
/* Computes again soon (coalescing changes). */
void       traj_cohort_view_schedule               (TrajCohortView   *self);
/* traj-cohort-view-filters.c: the hand-made cohorts' buttons, the filter
 * button's label, a filter's editor, and a new hand-made cohort. */
void       traj_cohort_view_rebuild_cohort_buttons (TrajCohortView   *self);
void       traj_cohort_view_update_filter_label    (TrajCohortView   *self);
GtkWidget *traj_cohort_view_filter_popover         (TrajCohortView   *self,
                                                    TrajCohortFilter *f,
                                                    GtkWidget        *extra_top,
                                                    GtkWidget        *extra_bottom);
void       traj_cohort_view_add_cohort             (TrajCohortView   *self);

G_END_DECLS
