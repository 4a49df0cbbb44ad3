/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-chart.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_CHART_VIEW (traj_chart_view_get_type ())
G_DECLARE_FINAL_TYPE (TrajChartView, traj_chart_view, TRAJ, CHART_VIEW, GtkWidget)

/* A patient's chart drawn by src/chart with the libadwaita palette.
 *
 * Properties: "model" (TrajChartModel, boxed), "axis" (TrajChartAxis).
 * Signal "item-activated" (int record_kind, gint64 record_id): a score,
 * draft, infusion or finding was clicked or activated with Enter/Space; the
 * record is the assessment or infusion it stands for (TrajRecordKind).
 * Keyboard: Left/Right step through a row's items, Up/Down change row,
 * Home/End go to a row's ends, Enter/Space activate (actions
 * "chart-view.step" (i: TrajChartStep) and "chart-view.activate").
 * Accessible role IMG; its description says what the chart shows and
 * follows the model. */
GtkWidget      *traj_chart_view_new             (void);
void            traj_chart_view_set_model       (TrajChartView  *self,
                                                 TrajChartModel *model);
TrajChartModel *traj_chart_view_get_model       (TrajChartView  *self);
void            traj_chart_view_set_axis        (TrajChartView  *self,
                                                 TrajChartAxis   axis);
TrajChartAxis   traj_chart_view_get_axis        (TrajChartView  *self);
/* The item under a point in widget coordinates, as hover and click see it. */
gboolean        traj_chart_view_item_at         (TrajChartView  *self,
                                                 double          x,
                                                 double          y,
                                                 TrajChartItem  *item);
/* The keyboard/hover cursor item, or FALSE. */
gboolean        traj_chart_view_get_cursor      (TrajChartView  *self,
                                                 TrajChartItem  *item);
/* Moves the keyboard cursor (what the arrow keys do); FALSE when there is
 * nothing that way. */
gboolean        traj_chart_view_move_cursor     (TrajChartView  *self,
                                                 TrajChartStep   step);
/* Marks the item of a record as selected (the timeline selected it);
 * FALSE when the chart does not show it. */
gboolean        traj_chart_view_select_record   (TrajChartView  *self,
                                                 TrajRecordKind  kind,
                                                 gint64          id);
/* The accessible description in force. */
const char     *traj_chart_view_get_description (TrajChartView  *self);
/* Writes the chart as shown (same axis) to a PNG, SVG or PDF file with the
 * print palette. */
gboolean        traj_chart_view_export          (TrajChartView  *self,
                                                 const char     *path,
                                                 GError        **error);

/* A chart palette from @widget's libadwaita colours (light or dark), with
 * the print palette for anything the theme lacks. Call from css_changed. */
void            traj_chart_palette_from_widget  (GtkWidget        *widget,
                                                 TrajChartPalette *palette);

G_END_DECLS
