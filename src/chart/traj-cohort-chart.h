/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "traj-chart.h"
#include "traj-cohort.h"

G_BEGIN_DECLS

/* The cohort charts (DESIGN.md "Charts"): mean score by infusion number or
 * by week since course start, one line per cohort with its 95 % confidence
 * band, and Kaplan–Meier curves of the time to a first booster. Drawn on any
 * cairo_t at any size, like the patient chart, and with its palettes.
 *
 * Each cohort keeps one colour, point shape and dash pattern across both
 * kinds of chart (its index in the report), so the two read together and in
 * grey. Cohorts whose scores are on different scales are never overlaid:
 * each scale gets a panel of its own, titled with the scale and its range.
 * At most TRAJ_COHORT_CHART_MAX_SERIES cohorts are drawn; the chart says so
 * when there are more. */

#define TRAJ_COHORT_CHART_MAX_SERIES 6

typedef enum {
  TRAJ_COHORT_CHART_BY_INFUSION,   /* x = 0 baseline, 1 … infusion number */
  TRAJ_COHORT_CHART_BY_WEEK,       /* x = 0 baseline, 1 … weeks since course start */
  TRAJ_COHORT_CHART_KM,            /* time to first booster, days since end of induction */
} TrajCohortChartKind;

/* "trajectory-by-infusion", "trajectory-by-week", "km" ("by-infusion",
 * "infusion", "by-week", "week" are read too). */
const char *traj_cohort_chart_kind_to_string   (TrajCohortChartKind kind);
gboolean    traj_cohort_chart_kind_from_string (const char          *s,
                                                TrajCohortChartKind *out);

typedef struct {
  TrajCohortChartKind kind;
  TrajChartLayers layers;        /* BACKGROUND, DATA and TEXT apply */
  gboolean show_title;           /* what the chart shows, on top */
  gboolean show_courses;         /* trajectories: each course as a faint line */
  gboolean show_at_risk;         /* counts under the axis: Kaplan–Meier's numbers at
                                  * risk, the courses under each mean of a trajectory */
  const char *font_family;       /* NULL: "Sans" */
  double font_size;              /* base label size in user units; 0: 12 */
} TrajCohortChartOptions;

/* Defaults for @kind: every layer, a title, no course lines, counts under
 * the axis. */
void traj_cohort_chart_options_init (TrajCohortChartOptions *options,
                                     TrajCohortChartKind     kind);

/* The colour a cohort is drawn in (index in the report's cohorts), so a
 * table or list beside the chart can match it. */
void traj_cohort_chart_series_color (guint                   index,
                                     const TrajChartPalette *palette,
                                     TrajChartColor         *out);

typedef struct _TrajCohortChartLayout TrajCohortChartLayout;

/* Lays out @report in a @width × @height box. The layout copies what it
 * needs: @report may be freed afterwards. */
TrajCohortChartLayout *traj_cohort_chart_layout_new  (const TrajCohortReport       *report,
                                                      const TrajCohortChartOptions *options,
                                                      double                        width,
                                                      double                        height);
void                   traj_cohort_chart_layout_free (TrajCohortChartLayout *layout);
/* The size the layout was made for. */
void                   traj_cohort_chart_layout_get_size (const TrajCohortChartLayout *layout,
                                                          double                      *width,
                                                          double                      *height);

/* TRUE when nothing can be plotted: the chart then shows why. */
gboolean    traj_cohort_chart_layout_is_empty        (const TrajCohortChartLayout *layout);
/* Panels: one per scale for trajectories, one for Kaplan–Meier; 0 when
 * empty. */
guint       traj_cohort_chart_layout_get_n_panels    (const TrajCohortChartLayout *layout);
/* The scale a panel plots (TRAJ_SCALE_NONE for Kaplan–Meier). */
TrajScaleId traj_cohort_chart_layout_get_panel_scale (const TrajCohortChartLayout *layout,
                                                      guint                        panel);
/* The number of cohorts drawn as lines or curves. */
guint       traj_cohort_chart_layout_get_n_series    (const TrajCohortChartLayout *layout);
/* The data area of a panel. FALSE when @panel does not exist. */
gboolean    traj_cohort_chart_layout_get_plot_area   (const TrajCohortChartLayout *layout,
                                                      guint                        panel,
                                                      cairo_rectangle_t           *area);
/* The x of an infusion number, a week or a day (Kaplan–Meier) in a panel. */
double      traj_cohort_chart_layout_x_for           (const TrajCohortChartLayout *layout,
                                                      guint                        panel,
                                                      double                       value);
/* The y of a mean score, or of a survival fraction 0–1 (Kaplan–Meier). */
double      traj_cohort_chart_layout_y_for           (const TrajCohortChartLayout *layout,
                                                      guint                        panel,
                                                      double                       value);
/* What the chart shows, in sentences for a screen reader. Translated. */
char       *traj_cohort_chart_layout_describe        (const TrajCohortChartLayout *layout);
/* The mean nearest (@x, @y) within @radius, in words with how many courses
 * it rests on ("Depression · infusion 3: 11.2 (…), n = 40"), or NULL. */
char       *traj_cohort_chart_layout_describe_point  (const TrajCohortChartLayout *layout,
                                                      double                       x,
                                                      double                       y,
                                                      double                       radius);

/* The count shown under the axis for cohort @cohort (its index in the
 * report) at infusion number or week @x — how many courses the mean there
 * rests on — and where it is drawn; NULL when none is shown there. */
const char *traj_cohort_chart_layout_get_count       (const TrajCohortChartLayout *layout,
                                                      guint                        cohort,
                                                      double                       x,
                                                      cairo_rectangle_t           *box);

/* Draws the layout on @cr (the caller's transformation applies). Emits no
 * page. */
void        traj_cohort_chart_draw                   (TrajCohortChartLayout  *layout,
                                                      cairo_t                *cr,
                                                      const TrajChartPalette *palette);
/* Lays out and draws in one call (reports and print). */
void        traj_cohort_chart_render                 (const TrajCohortReport       *report,
                                                      const TrajCohortChartOptions *options,
                                                      const TrajChartPalette       *palette,
                                                      cairo_t                      *cr,
                                                      double                        width,
                                                      double                        height);

/* Writes one chart of @report to @path as PNG, SVG or PDF, chosen by the
 * extension, with the print palette and a title: PNG is @width × @height
 * pixels, SVG and PDF @width × @height points on one page. */
gboolean    traj_cohort_chart_write_file             (const TrajCohortReport *report,
                                                      TrajCohortChartKind     kind,
                                                      const char             *path,
                                                      int                     width,
                                                      int                     height,
                                                      GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCohortChartLayout, traj_cohort_chart_layout_free)

G_END_DECLS
