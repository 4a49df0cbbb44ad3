/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cohort chart's layout, shared by its parts: traj-cohort-chart.c
 * (options, text, axes, legend, the layout's life), -trajectories.c (mean
 * score lines), -km.c (time to first booster) and -draw.c (painting and
 * files). Nothing here is for use outside src/chart. */
#pragma once

#include <pango/pangocairo.h>

#include "traj-chart-private.h"
#include "traj-cohort-chart.h"

G_BEGIN_DECLS

typedef enum {
  SHAPE_CIRCLE,
  SHAPE_SQUARE,
  SHAPE_TRIANGLE,
  SHAPE_DIAMOND,
  SHAPE_TRIANGLE_DOWN,
  SHAPE_CROSS,
} Shape;


typedef struct {
  double x, y;
} Pt;

typedef struct {
  double x, hi, lo;              /* y of the upper and lower bound */
} BandPt;

typedef struct {
  guint style;                   /* the cohort's index in the report */
  guint panel;
  GArray *line;                  /* Pt: the means, or the Kaplan–Meier steps */
  GArray *marks;                 /* Pt: the means, or the median */
  GPtrArray *tips;               /* char *: per mean mark, the point in words with its n; empty for KM */
  GPtrArray *bands;              /* GArray of BandPt (trajectory runs), or of Pt (a KM polygon) */
  GPtrArray *courses;            /* GArray of Pt: faint course lines */
  GArray *censor;                /* Pt: Kaplan–Meier censoring ticks */
  gboolean has_median;
  double median_x, median_y;     /* where the median drops to the axis */
} Series;

typedef struct {
  TrajScaleId scale;
  cairo_rectangle_t plot;
  double vmin, vmax;
  double inset;                  /* inside the plot, so marks at the ends fit */
} Panel;

typedef struct {
  PangoLayout *pl;
  double x, y, w, h;
  double alpha;
  int style;                     /* -1: foreground; else a cohort's colour */
  int count_of;                  /* a count under the axis: the cohort's index; else -1 */
  double count_x;                /* and the infusion number or week it counts */
} Label;

typedef struct {
  int style;
  double x, y;                   /* centre of the sample */
  gboolean line;                 /* a line sample with the shape on it */
} LegendMark;

typedef struct {
  double x0, y0, x1, y1;
  double alpha;
  gboolean dashed;
} Rule;

struct _TrajCohortChartLayout {
  TrajCohortChartKind kind;
  TrajCohortChartOptions options;
  char *font_family;
  double width, height;
  double fs;                     /* base font size */
  double lw;                     /* line width of a cohort's line */
  double mark;                   /* point radius */

  TrajChartFonts fonts;

  gboolean empty;
  cairo_rectangle_t message_area;
  Panel *panels;
  guint n_panels;
  double d0, d1;                 /* x domain, shared by the panels */

  GArray *series;                /* Series */
  GArray *labels;                /* Label */
  GArray *legend;                /* LegendMark */
  GArray *rules;                 /* Rule: grid, axes, references */
  char *description;
};

typedef struct {
  guint32 rgb;
  Shape shape;
  guint n_dash;
  double dash[4];
} CcSeriesStyle;

/* Okabe–Ito colours, one shape and dash pattern per cohort. */
G_GNUC_INTERNAL extern const CcSeriesStyle cc_series_styles[TRAJ_COHORT_CHART_MAX_SERIES];

typedef struct {
  char *text;
  int style;                     /* -1: no sample (no data) */
} LegendEntry;

/* Text and rules (traj-cohort-chart.c). */
G_GNUC_INTERNAL Label  *cc_add_label          (TrajCohortChartLayout      *self,
                                               const PangoFontDescription *font,
                                               const char                 *text,
                                               double                      wrap_width,
                                               double                      x,
                                               double                      y,
                                               double                      alpha);
G_GNUC_INTERNAL double  cc_text_width         (TrajCohortChartLayout      *self,
                                               const PangoFontDescription *font,
                                               const char                 *text);
G_GNUC_INTERNAL double  cc_line_height        (TrajCohortChartLayout      *self,
                                               const PangoFontDescription *font);
G_GNUC_INTERNAL void    cc_add_rule           (TrajCohortChartLayout      *self,
                                               double                      x0,
                                               double                      y0,
                                               double                      x1,
                                               double                      y1,
                                               double                      alpha,
                                               gboolean                    dashed);
G_GNUC_INTERNAL double  cc_nice_step          (double                      range,
                                               int                         max_ticks,
                                               const double               *steps,
                                               guint                       n_steps);

/* Legend, header, axes (traj-cohort-chart.c). */
G_GNUC_INTERNAL void    cc_legend_entry_clear (gpointer                    data);
G_GNUC_INTERNAL void    cc_add_entry          (GArray                     *entries,
                                               int                         style,
                                               char                       *text);
G_GNUC_INTERNAL double  cc_layout_legend      (TrajCohortChartLayout      *self,
                                               GArray                     *entries,
                                               double                      x0,
                                               double                      y,
                                               double                      w,
                                               gboolean                    place);
G_GNUC_INTERNAL double  cc_layout_header      (TrajCohortChartLayout      *self,
                                               const char                 *title,
                                               const char                 *subtitle,
                                               const char                 *note,
                                               double                      pad);
G_GNUC_INTERNAL void    cc_layout_empty       (TrajCohortChartLayout      *self,
                                               double                      top,
                                               const char                 *message);
G_GNUC_INTERNAL void    cc_layout_y_ticks     (TrajCohortChartLayout      *self,
                                               const Panel                *p,
                                               guint                       panel,
                                               double                      gutter_x);
G_GNUC_INTERNAL void    cc_layout_x_ticks     (TrajCohortChartLayout      *self,
                                               guint                       panel,
                                               double                      step,
                                               double                      first,
                                               gboolean                    days);

/* The two kinds of chart. */
G_GNUC_INTERNAL void    cc_layout_trajectories (TrajCohortChartLayout     *self,
                                                const TrajCohortReport    *report);
G_GNUC_INTERNAL void    cc_layout_km           (TrajCohortChartLayout     *self,
                                                const TrajCohortReport    *report);

G_END_DECLS
