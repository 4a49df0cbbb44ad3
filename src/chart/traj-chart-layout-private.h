/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient chart's layout, shared by the files that build and draw it:
 * traj-chart.c (the layout itself, text, hit testing), traj-chart-axis.c,
 * traj-chart-layers.c (panels, strip, lanes), traj-chart-legend.c and
 * traj-chart-draw.c. Nothing outside src/chart includes this. */
#pragma once

#include <math.h>
#include <pango/pangocairo.h>

#include "traj-chart-private.h"

G_BEGIN_DECLS

/* Colours by role, resolved against a palette at draw time so one layout
 * draws on screen (libadwaita colours) and on paper (print palette). */
typedef enum {
  ROLE_FG,
  ROLE_ACCENT,
  ROLE_SUCCESS,
  ROLE_WARNING,
  ROLE_ERROR,
  ROLE_INDUCTION,
  ROLE_MAINTENANCE,
  ROLE_BOOSTER,
  ROLE_BG,
} Role;

typedef struct {
  PangoLayout *pl;
  double x, y;                   /* top left */
  double w, h;
  Role role;
  double alpha;
} Label;

/* A short line from a threshold to its label when the label had to move. */
typedef struct {
  double x0, y0, x1, y1;
  Role role;
} Connector;

typedef enum {
  MARK_TRIANGLE,
  MARK_DIAMOND,
  MARK_DOT,
  MARK_RING,
  MARK_HOLLOW_DIAMOND,
  MARK_PIN,
  MARK_HOLLOW_PIN,
  MARK_LINE,
  MARK_DASH,
  MARK_BAR,                      /* a CADSS total: a short upright bar */
  MARK_CIRCLE,                   /* a lowest MOAA/S of 4 or 5: a hollow circle */
} MarkShape;

typedef struct {
  MarkShape shape;
  Role role;
  double x, y;                   /* centre */
  const char *text;              /* what the mark means (static, translated) */
} LegendMark;

typedef struct {
  double x, y;
} Pt;

typedef struct {
  guint finding;
  int row;
  double x, y;                   /* head centre */
} Pin;

typedef struct {
  guint series;
  cairo_rectangle_t frame;       /* header, lane and plot */
  cairo_rectangle_t plot;
  cairo_rectangle_t lane;        /* pins and drafts, above the plot */
  gboolean has_lane;
  double vmin, vmax;             /* value domain, padded so marks fit */
  double radius;                 /* score points */
  GArray *pts;                   /* Pt per score */
  GArray *drafts;                /* Pt per draft */
  GArray *ref_lines;             /* RefLine */
} Panel;

typedef enum {
  REF_BASELINE,
  REF_RESPONSE,
  REF_REMISSION,
} RefKind;

typedef struct {
  RefKind kind;
  double x0, x1, y;
} RefLine;

struct _TrajChartLayout {
  TrajChartModel *model;
  TrajChartOptions options;
  char *font_family;
  double width, height;
  TrajChartAxis axis;            /* in effect: no infusions, no infusion axis */

  TrajChartFonts fonts;
  double fs;                     /* base font size */

  gboolean empty;
  Panel *panels;
  guint n_panels;
  cairo_rectangle_t message_area; /* where "no scores yet" goes when there is no panel */

  gboolean has_strip;
  cairo_rectangle_t strip;
  cairo_rectangle_t strip_lane;
  gboolean has_strip_lane;
  /* CLINICAL.md §8 tolerability strip, under the infusion strip: a bar
   * per CADSS total (0 to cadss_max), a dot per lowest MOAA/S. */
  gboolean has_tolerability;
  cairo_rectangle_t tolerability;
  double cadss_max;
  GArray *inf_x;                 /* double per infusion */
  double inf_size;

  double plot_left, plot_right;
  double d0, d1;                 /* x domain: seconds or infusion numbers */
  double axis_y;                 /* top of the tick labels */
  GArray *xticks;                /* double */

  GArray *labels;                /* Label */
  GArray *connectors;            /* Connector */
  GArray *legend;                /* LegendMark */
  GArray *pins;                  /* Pin */
  GArray *items;                 /* TrajChartItem, by row then x */
};

#define DAY_SECONDS 86400.0

typedef struct {
  double x;
  gboolean is_pin;
  guint index;
} LaneMark;

typedef struct {
  cairo_t *cr;
  const TrajChartPalette *palette;
  double scale;                  /* device pixels per user unit */
} Ctx;

/* Where a line @width user units wide must sit to cover whole device pixels. */
static inline double
traj_chart_snap (const Ctx *c, double v, double width)
{
  double dev = round (width * c->scale);

  if (((int) dev) % 2 == 1)
    return (floor (v * c->scale) + 0.5) / c->scale;
  return round (v * c->scale) / c->scale;
}

/* One device pixel, at most one user unit. */
static inline double
traj_chart_hairline (const Ctx *c)
{
  return 1.0 / MAX (c->scale, 1.0);
}

static inline gboolean
traj_chart_rects_overlap (double ax, double ay, double aw, double ah,
               double bx, double by, double bw, double bh)
{
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static inline double
traj_chart_panel_y (const Panel *p, double v)
{
  return p->plot.y + (p->vmax - v) / (p->vmax - p->vmin) * p->plot.height;
}

/* traj-chart.c: palette roles and text */
TrajChartColor traj_chart_role_color     (const TrajChartPalette *p, Role role);
void           traj_chart_set_source     (cairo_t *cr, const TrajChartPalette *p, Role role, double alpha);
Role           traj_chart_phase_role     (TrajPhase phase);
Role           traj_chart_finding_role   (TrajFindingKind kind);
double         traj_chart_layout_text_width  (TrajChartLayout *self, const PangoFontDescription *font, const char *text);
double         traj_chart_layout_line_height (TrajChartLayout *self, const PangoFontDescription *font);
Label         *traj_chart_layout_add_label   (TrajChartLayout *self, const PangoFontDescription *font, const char *text,
                                              double x, double y, Role role, double alpha);
void           traj_chart_layout_drop_label  (TrajChartLayout *self);
gboolean       traj_chart_layout_label_overlaps (TrajChartLayout *self, double x, double y, double w, double h, guint from);
double         traj_chart_layout_x_of_time   (const TrajChartLayout *self, gint64 t, double xi);

/* traj-chart-axis.c: the time axis under the plots, each panel's value axis */
void           traj_chart_layout_x_axis      (TrajChartLayout *self, double label_y, double row2_y);
void           traj_chart_layout_y_ticks     (TrajChartLayout *self, Panel *p);
void           traj_chart_draw_axes          (TrajChartLayout *self, const Ctx *c);

/* traj-chart-legend.c: the title row and the legend rows */
double         traj_chart_layout_title       (TrajChartLayout *self, double y, double pad);
double         traj_chart_layout_legend      (TrajChartLayout *self, double y, double h);

/* traj-chart-layers.c: score panels, the infusion strip, lanes, and what can be pointed at */
void           traj_chart_panel_clear        (Panel *p);
void           traj_chart_layout_panels      (TrajChartLayout *self, double top, double bottom);
void           traj_chart_layout_infusions   (TrajChartLayout *self);
/* traj-chart-layers.c: the CADSS / MOAA/S strip (CLINICAL.md §8) */
gboolean       traj_chart_model_has_tolerability (const TrajChartModel *model);
void           traj_chart_layout_tolerability (TrajChartLayout *self);
void           traj_chart_draw_tolerability  (TrajChartLayout *self, const Ctx *c);
void           traj_chart_layout_items       (TrajChartLayout *self);

G_END_DECLS
