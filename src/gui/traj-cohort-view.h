/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-cohort.h"

G_BEGIN_DECLS

/* The clinic lead's Cohorts view: cohorts by group-by or by hand, computed
 * on a worker thread from the outcomes engine, compared side by side. */
#define TRAJ_TYPE_COHORT_VIEW (traj_cohort_view_get_type ())
G_DECLARE_FINAL_TYPE (TrajCohortView, traj_cohort_view, TRAJ, COHORT_VIEW, GtkWidget)

GtkWidget              *traj_cohort_view_new            (TrajStore      *store,
                                                         GSettings      *settings);
/* Replaces the definition and recomputes. */
void                    traj_cohort_view_set_definition (TrajCohortView *self,
                                                         const TrajCohortDefinition *def);
const TrajCohortDefinition *traj_cohort_view_get_definition (TrajCohortView *self);
/* Starts a computation now (it also runs by itself after each change). */
void                    traj_cohort_view_refresh        (TrajCohortView *self);
/* Writes @what ("report": the PDF; "png", "svg", "pdf": the chart;
 * "metrics", "courses": a CSV table) of the current report to @path, then
 * records it in the audit trail with the cohorts' patients — what
 * "cohort.export" does after its file chooser. */
gboolean                traj_cohort_view_export_to_path (TrajCohortView *self,
                                                         const char     *what,
                                                         const char     *path,
                                                         GError        **error);
gboolean                traj_cohort_view_is_busy        (TrajCohortView *self);
/* The shown report, or NULL while none is ready. */
const TrajCohortReport *traj_cohort_view_get_report     (TrajCohortView *self);
/* The text of the metrics table cell for @metric (row name, e.g.
 * "courses", "response-eoi") and cohort column @cohort, for tests. */
const char             *traj_cohort_view_get_cell       (TrajCohortView *self,
                                                         const char     *metric,
                                                         guint           cohort);

G_END_DECLS
