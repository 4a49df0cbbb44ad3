/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-chart-view.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_CHART_PANEL (traj_chart_panel_get_type ())
G_DECLARE_FINAL_TYPE (TrajChartPanel, traj_chart_panel, TRAJ, CHART_PANEL, GtkWidget)

/* The chart with its header: a title, the date / infusion-number axis
 * toggle and the export menu (PNG, SVG, PDF through traj_save_chooser_run()).
 * Re-emits the view's "item-activated" (int record_kind, gint64 record_id);
 * "exported" (const char *path) after an export, for the audit trail.
 * Action "chart.export" (s: "png", "svg" or "pdf"). */
GtkWidget      *traj_chart_panel_new       (void);
void            traj_chart_panel_set_model (TrajChartPanel *self,
                                            TrajChartModel *model);
TrajChartView  *traj_chart_panel_get_view  (TrajChartPanel *self);
/* Where the export chooser remembers its last folder. */
void            traj_chart_panel_set_settings (TrajChartPanel *self,
                                               GSettings      *settings);
/* Writes the chart to @path (its extension chooses the format) and emits
 * "exported" (const char *path) once the file is complete. */
gboolean        traj_chart_panel_export    (TrajChartPanel *self,
                                            const char     *path,
                                            GError        **error);

G_END_DECLS
