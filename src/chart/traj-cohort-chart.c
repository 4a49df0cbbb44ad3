/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "traj-chart-private.h"
#include "traj-cohort-chart.h"

typedef enum {
  SHAPE_CIRCLE,
  SHAPE_SQUARE,
  SHAPE_TRIANGLE,
  SHAPE_DIAMOND,
  SHAPE_TRIANGLE_DOWN,
  SHAPE_CROSS,
} Shape;

/* Okabe–Ito colours (told apart by the common colour-vision deficiencies),
 * each with its own point shape and dash pattern so the lines also part in
 * grey. Dashes are in line widths. */
static const struct {
  guint32 rgb;
  Shape shape;
  guint n_dash;
  double dash[4];
} series_styles[TRAJ_COHORT_CHART_MAX_SERIES] = {
  { 0x0072b2, SHAPE_CIRCLE, 0, { 0 } },
  { 0xd55e00, SHAPE_SQUARE, 2, { 4, 2 } },
  { 0x009e73, SHAPE_TRIANGLE, 2, { 1, 1.6 } },
  { 0xcc79a7, SHAPE_DIAMOND, 4, { 5, 1.8, 1, 1.8 } },
  { 0xe69f00, SHAPE_TRIANGLE_DOWN, 2, { 8, 2.5 } },
  { 0x56b4e9, SHAPE_CROSS, 4, { 2.5, 1.5, 2.5, 4 } },
};

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

/* ---- kinds, styles ------------------------------------------------------- */

const char *
traj_cohort_chart_kind_to_string (TrajCohortChartKind kind)
{
  switch (kind)
    {
    case TRAJ_COHORT_CHART_BY_WEEK: return "trajectory-by-week";
    case TRAJ_COHORT_CHART_KM: return "km";
    case TRAJ_COHORT_CHART_BY_INFUSION:
    default:
      return "trajectory-by-infusion";
    }
}

gboolean
traj_cohort_chart_kind_from_string (const char          *s,
                                    TrajCohortChartKind *out)
{
  if (s == NULL)
    return FALSE;
  if (g_str_equal (s, "trajectory-by-infusion") || g_str_equal (s, "by-infusion") || g_str_equal (s, "infusion"))
    *out = TRAJ_COHORT_CHART_BY_INFUSION;
  else if (g_str_equal (s, "trajectory-by-week") || g_str_equal (s, "by-week") || g_str_equal (s, "week"))
    *out = TRAJ_COHORT_CHART_BY_WEEK;
  else if (g_str_equal (s, "km"))
    *out = TRAJ_COHORT_CHART_KM;
  else
    return FALSE;
  return TRUE;
}

void
traj_cohort_chart_options_init (TrajCohortChartOptions *options,
                                TrajCohortChartKind     kind)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->kind = kind;
  options->layers = TRAJ_CHART_LAYER_ALL;
  options->show_title = TRUE;
  options->show_at_risk = TRUE;
  options->font_size = 12.0;
}

void
traj_cohort_chart_series_color (guint                   index,
                                const TrajChartPalette *palette,
                                TrajChartColor         *out)
{
  guint32 rgb = series_styles[index % TRAJ_COHORT_CHART_MAX_SERIES].rgb;
  double mix = palette && palette->dark ? 0.25 : 0.0;   /* lifted a little on dark backgrounds */

  g_return_if_fail (out != NULL);

  out->red = ((rgb >> 16) & 0xff) / 255.0 * (1 - mix) + mix;
  out->green = ((rgb >> 8) & 0xff) / 255.0 * (1 - mix) + mix;
  out->blue = (rgb & 0xff) / 255.0 * (1 - mix) + mix;
  out->alpha = 1.0;
}

static void
set_fg (cairo_t *cr, const TrajChartPalette *p, double alpha)
{
  cairo_set_source_rgba (cr, p->foreground.red, p->foreground.green, p->foreground.blue,
                         p->foreground.alpha * alpha);
}

static void
set_series (cairo_t *cr, const TrajChartPalette *p, guint style, double alpha)
{
  TrajChartColor c;

  traj_cohort_chart_series_color (style, p, &c);
  cairo_set_source_rgba (cr, c.red, c.green, c.blue, alpha);
}

static void
set_bg (cairo_t *cr, const TrajChartPalette *p)
{
  cairo_set_source_rgb (cr, p->background.red, p->background.green, p->background.blue);
}

/* ---- text ---------------------------------------------------------------- */

static Label *
add_label (TrajCohortChartLayout      *self,
           const PangoFontDescription *font,
           const char                 *text,
           double                      wrap_width,
           double                      x,
           double                      y,
           double                      alpha)
{
  Label l = { 0 };

  l.pl = traj_chart_fonts_layout (&self->fonts, font, text, wrap_width, &l.w, &l.h);
  l.x = x;
  l.y = y;
  l.alpha = alpha;
  l.style = -1;
  g_array_append_val (self->labels, l);
  return &g_array_index (self->labels, Label, self->labels->len - 1);
}

static double
text_width (TrajCohortChartLayout *self, const PangoFontDescription *font, const char *text)
{
  double w;
  g_autoptr(PangoLayout) pl = traj_chart_fonts_layout (&self->fonts, font, text, 0, &w, NULL);
  return w;
}

static double
line_height (TrajCohortChartLayout *self, const PangoFontDescription *font)
{
  double h;
  g_autoptr(PangoLayout) pl = traj_chart_fonts_layout (&self->fonts, font, "0", 0, NULL, &h);
  return h;
}

static void
label_clear (gpointer data)
{
  Label *l = data;
  g_clear_object (&l->pl);
}

static void
series_clear (gpointer data)
{
  Series *s = data;

  g_clear_pointer (&s->line, g_array_unref);
  g_clear_pointer (&s->marks, g_array_unref);
  g_clear_pointer (&s->tips, g_ptr_array_unref);
  g_clear_pointer (&s->bands, g_ptr_array_unref);
  g_clear_pointer (&s->courses, g_ptr_array_unref);
  g_clear_pointer (&s->censor, g_array_unref);
}

static void
add_rule (TrajCohortChartLayout *self, double x0, double y0, double x1, double y1, double alpha, gboolean dashed)
{
  Rule r = { x0, y0, x1, y1, alpha, dashed };
  g_array_append_val (self->rules, r);
}

/* ---- geometry ------------------------------------------------------------- */

double
traj_cohort_chart_layout_x_for (const TrajCohortChartLayout *self,
                                guint                        panel,
                                double                       value)
{
  const Panel *p;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (panel < self->n_panels, 0);

  p = &self->panels[panel];
  if (self->d1 <= self->d0)
    return p->plot.x + p->plot.width / 2;
  return p->plot.x + (value - self->d0) / (self->d1 - self->d0) * p->plot.width;
}

double
traj_cohort_chart_layout_y_for (const TrajCohortChartLayout *self,
                                guint                        panel,
                                double                       value)
{
  const Panel *p;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (panel < self->n_panels, 0);

  p = &self->panels[panel];
  return p->plot.y + p->inset + (p->vmax - value) / (p->vmax - p->vmin) * (p->plot.height - 2 * p->inset);
}

/* A tick step for @range giving at most @max_ticks intervals. */
static double
nice_step (double range, int max_ticks, const double *steps, guint n_steps)
{
  for (guint i = 0; i < n_steps; i++)
    if (range / steps[i] <= max_ticks)
      return steps[i];
  return steps[n_steps - 1] * ceil (range / (steps[n_steps - 1] * max_ticks));
}

/* ---- legend and header ---------------------------------------------------- */

typedef struct {
  char *text;
  int style;                     /* -1: no sample (no data) */
} LegendEntry;

static void
legend_entry_clear (gpointer data)
{
  LegendEntry *e = data;
  g_free (e->text);
}

static void
add_entry (GArray *entries, int style, char *text)
{
  LegendEntry e = { text, style };
  g_array_append_val (entries, e);
}

/* Flows the entries left to right, wrapping to more rows; returns the height
 * used (or that would be, when @place is FALSE). */
static double
layout_legend (TrajCohortChartLayout *self, GArray *entries, double x0, double y, double w, gboolean place)
{
  double sample_w = self->fs * 2.4, gap = self->fs * 0.4, spacing = self->fs * 1.4;
  double row_h = line_height (self, self->fonts.small) + self->fs * 0.25;
  double x = x0, top = y;

  if (entries->len == 0)
    return 0;
  for (guint k = 0; k < entries->len; k++)
    {
      const LegendEntry *e = &g_array_index (entries, LegendEntry, k);
      double tw = text_width (self, self->fonts.small, e->text);
      double need = (e->style >= 0 ? sample_w + gap : 0) + tw;

      if (need > w)
        need = w;
      if (x > x0 && x + need > x0 + w)
        {
          x = x0;
          y += row_h;
        }
      if (place)
        {
          double tx = x;
          Label *l;

          if (e->style >= 0)
            {
              LegendMark m = { e->style, x + sample_w / 2, y + row_h / 2 - self->fs * 0.1, TRUE };
              g_array_append_val (self->legend, m);
              tx += sample_w + gap;
            }
          l = add_label (self, self->fonts.small, e->text, 0, tx, y, e->style >= 0 ? 0.9 : 0.6);
          if (l->x + l->w > x0 + w)
            {
              /* Too long for a row of its own: ellipsize rather than spill. */
              pango_layout_set_width (l->pl, (int) ((x0 + w - l->x) * PANGO_SCALE));
              pango_layout_set_ellipsize (l->pl, PANGO_ELLIPSIZE_END);
              l->w = x0 + w - l->x;
            }
        }
      x += need + spacing;
    }
  return y + row_h - top;
}

static double
layout_header (TrajCohortChartLayout *self, const char *title, const char *subtitle, const char *note,
               double pad)
{
  double y = pad, w = self->width - 2 * pad;

  if (self->options.show_title)
    {
      Label *l = add_label (self, self->fonts.title, title, w, pad, y, 1.0);
      y += l->h + self->fs * 0.15;
      if (subtitle)
        {
          l = add_label (self, self->fonts.small, subtitle, w, pad, y, 0.7);
          y += l->h;
        }
    }
  if (note)
    {
      Label *l = add_label (self, self->fonts.bold, note, w, pad, y + self->fs * 0.2, 1.0);
      y += l->h + self->fs * 0.2;
    }
  return y + (y > pad ? self->fs * 0.5 : 0);
}

static void
layout_empty (TrajCohortChartLayout *self, double top, const char *message)
{
  double pad = round (self->fs * 0.75);
  Label *l;

  self->empty = TRUE;
  self->message_area.x = pad;
  self->message_area.y = top;
  self->message_area.width = MAX (self->width - 2 * pad, 1);
  self->message_area.height = MAX (self->height - pad - top, 1);
  l = add_label (self, self->fonts.bold, message, self->message_area.width - 2 * self->fs, 0, 0, 1.0);
  /* Centred inside the wrapping width, which starts one em in. */
  pango_layout_set_alignment (l->pl, PANGO_ALIGN_CENTER);
  l->x = self->message_area.x + self->fs;
  l->y = self->message_area.y + (self->message_area.height - l->h) / 2;
}

/* ---- trajectories -------------------------------------------------------- */

static guint
min_points_n (const TrajCohort *h)
{
  /* A mean of one or two courses is an anecdote: only drawn when the
   * cohort has no more than that. */
  return MIN (3, MAX (1, h->n_scale_courses));
}

static GArray *
cohort_points (const TrajCohort *h, TrajCohortChartKind kind)
{
  return kind == TRAJ_COHORT_CHART_BY_WEEK ? h->by_week : h->by_infusion;
}

static void
layout_y_ticks (TrajCohortChartLayout *self, const Panel *p, guint panel, double gutter_x)
{
  static const double steps[] = { 1, 2, 5, 10, 20, 25, 50 };
  double step = nice_step (p->vmax - p->vmin, 7, steps, G_N_ELEMENTS (steps));

  for (double v = ceil (p->vmin / step) * step; v <= p->vmax + 1e-9; v += step)
    {
      double y = traj_cohort_chart_layout_y_for (self, panel, v);
      char text[32];
      Label *l;

      g_snprintf (text, sizeof text, "%g", v);
      l = add_label (self, self->fonts.small, text, 0, 0, 0, 0.75);
      l->x = gutter_x - l->w;
      l->y = y - l->h / 2;
      add_rule (self, p->plot.x, y, p->plot.x + p->plot.width, y, 0.1, FALSE);
    }
}

static void
layout_x_ticks (TrajCohortChartLayout *self, guint panel, double step, double first, gboolean days)
{
  const Panel *p = &self->panels[panel];
  double y = p->plot.y + p->plot.height + self->fs * 0.2;

  for (double v = first; v <= self->d1 + 1e-9; v += step)
    {
      double x = traj_cohort_chart_layout_x_for (self, panel, v);
      char text[32];
      Label *l;

      g_snprintf (text, sizeof text, "%g", v);
      l = add_label (self, self->fonts.small, text, 0, 0, y, 0.75);
      l->x = x - l->w / 2;
      add_rule (self, x, p->plot.y + p->plot.height, x, p->plot.y + p->plot.height + self->fs * 0.2, 0.5, FALSE);
      if (!days)
        add_rule (self, x, p->plot.y, x, p->plot.y + p->plot.height, 0.05, FALSE);
    }
}

static char *
trajectory_legend_text (const TrajCohort *h)
{
  const TrajScale *s = traj_scale_get (h->scale);

  if (h->mixed_scales)
    /* Translators: legend of a cohort chart: "Depression · PHQ-9, 15 of 19 courses" */
    return g_strdup_printf (_("%s · %s, %u of %u courses"), h->label, _(s->name), h->n_scale_courses, h->n_courses);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s, %u course", "%s · %s, %u courses", h->n_scale_courses),
                          h->label, _(s->name), h->n_scale_courses);
}

/* "Depression · infusion 3: mean 11.2 (95 % CI 9.8 to 12.6), n = 40". */
static char *
point_tip (const TrajCohort *h, gboolean by_week, const TrajCohortPoint *cp)
{
  g_autofree char *mean = traj_cohort_mean_format (&cp->mean, 1);

  if (by_week)
    /* Translators: a point of the cohort chart on hover: "Depression · week 3: 11.2 (2.1), 95 % CI …, n = 40" */
    return g_strdup_printf (_("%s · week %d: %s"), h->label, (int) cp->x, mean);
  if (cp->x == 0)
    /* Translators: the baseline point of the cohort chart on hover */
    return g_strdup_printf (_("%s · baseline: %s"), h->label, mean);
  /* Translators: a point of the cohort chart on hover: "Depression · infusion 3: 11.2 (2.1), 95 % CI …, n = 40" */
  return g_strdup_printf (_("%s · infusion %d: %s"), h->label, (int) cp->x, mean);
}

static void
layout_trajectories (TrajCohortChartLayout *self, const TrajCohortReport *report)
{
  gboolean by_week = self->kind == TRAJ_COHORT_CHART_BY_WEEK;
  double pad = round (self->fs * 0.75), top, bottom, legend_h, axis_title_h, title_h, tick_h, gutter;
  double grid_w, row_h, cell_w, gap = self->fs * 1.2;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (LegendEntry));
  TrajScaleId scales[TRAJ_N_SCALES];
  guint n_scales = 0, n_cohorts = report ? report->cohorts->len : 0, cols, rows;
  double xmax = 1;
  GString *desc = g_string_new (NULL);
  g_autofree char *note = NULL;
  const char *title, *subtitle;

  g_array_set_clear_func (entries, legend_entry_clear);

  /* Which cohorts have a line, on which scale. */
  for (guint i = 0; i < MIN (n_cohorts, TRAJ_COHORT_CHART_MAX_SERIES); i++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, i);
      GArray *pts = cohort_points (h, self->kind);
      guint min_n = min_points_n (h), drawn = 0;
      Series s = { 0 };

      for (guint k = 0; k < pts->len; k++)
        if (g_array_index (pts, TrajCohortPoint, k).mean.n >= min_n)
          {
            drawn++;
            xmax = MAX (xmax, g_array_index (pts, TrajCohortPoint, k).x);
          }
      if (drawn == 0 || h->scale == TRAJ_SCALE_NONE)
        {
          /* Translators: legend entry of a cohort without a line: "Anxiety: no scores to plot" */
          add_entry (entries, -1, g_strdup_printf (_("%s: no scores to plot"), h->label));
          continue;
        }
      s.style = i;
      s.panel = G_MAXUINT;
      for (guint k = 0; k < n_scales; k++)
        if (scales[k] == h->scale)
          s.panel = k;
      if (s.panel == G_MAXUINT)
        {
          s.panel = n_scales;
          scales[n_scales++] = h->scale;
        }
      g_array_append_val (self->series, s);
      add_entry (entries, (int) i, trajectory_legend_text (h));
    }
  if (n_cohorts > TRAJ_COHORT_CHART_MAX_SERIES)
    add_entry (entries, -1, g_strdup_printf (_("Only the first %d of %u cohorts are drawn."),
                                             TRAJ_COHORT_CHART_MAX_SERIES, n_cohorts));

  title = by_week ? _("Mean score by week since course start") : _("Mean score by infusion number");
  subtitle = _("Each line is a cohort’s mean score; the shaded band is its 95 % confidence interval. "
               "Means of fewer than 3 courses are left out (in smaller cohorts, drawn without a band).");
  if (n_scales > 1)
    note = g_strdup (_("These cohorts are scored on different scales, so each scale has a panel of its own."));
  top = layout_header (self, title, subtitle, note, pad);

  if (self->series->len == 0)
    {
      layout_empty (self, top, n_cohorts == 0 ? _("No data: no cohort to show.")
                                              : _("No data: no course in these cohorts has a baseline "
                                                  "and a later score."));
      self->description = g_strdup (_("Cohort chart: no data."));
      g_string_free (desc, TRUE);
      return;
    }

  /* Panels on a grid: side by side while each keeps a readable width. */
  bottom = self->height - pad;
  legend_h = layout_legend (self, entries, pad, 0, self->width - 2 * pad, FALSE);
  axis_title_h = line_height (self, self->fonts.small);
  title_h = line_height (self, self->fonts.bold) + self->fs * 0.2;
  tick_h = line_height (self, self->fonts.small) + self->fs * 0.3;
  gutter = text_width (self, self->fonts.small, "88") + self->fs * 0.5;
  for (guint k = 0; k < n_scales; k++)
    {
      char text[16];
      g_snprintf (text, sizeof text, "%d", traj_scale_get (scales[k])->total_max);
      gutter = MAX (gutter, text_width (self, self->fonts.small, text) + self->fs * 0.5);
    }
  grid_w = self->width - 2 * pad;
  for (cols = n_scales; cols > 1; cols--)
    if ((grid_w - (cols - 1) * gap) / cols >= self->fs * 16)
      break;
  rows = (n_scales + cols - 1) / cols;
  cell_w = (grid_w - (cols - 1) * gap) / cols;
  row_h = (bottom - legend_h - self->fs * 0.6 - axis_title_h - top - (rows - 1) * gap * 0.5) / rows;

  self->n_panels = n_scales;
  self->panels = g_new0 (Panel, n_scales);
  self->d0 = -0.4;
  self->d1 = xmax + 0.4;
  for (guint k = 0; k < n_scales; k++)
    {
      Panel *p = &self->panels[k];
      const TrajScale *s = traj_scale_get (scales[k]);
      double cx = pad + (k % cols) * (cell_w + gap), cy = top + (k / cols) * (row_h + gap * 0.5);
      g_autofree char *ptitle = NULL;

      p->scale = scales[k];
      p->vmin = s->total_min;
      p->vmax = s->total_max;
      p->inset = self->mark + 1;
      p->plot.x = cx + gutter;
      p->plot.y = cy + title_h;
      p->plot.width = MAX (cell_w - gutter - self->fs * 0.3, 1);
      p->plot.height = MAX (row_h - title_h - tick_h, 1);

      /* Translators: a cohort chart panel: "PHQ-9 total score (0–27)" */
      ptitle = g_strdup_printf (_("%s total score (%d–%d)"), _(s->name), s->total_min, s->total_max);
      add_label (self, self->fonts.bold, ptitle, cell_w, cx, cy, 0.9);
      layout_y_ticks (self, p, k, p->plot.x - self->fs * 0.4);
      {
        static const double steps[] = { 1, 2, 4, 5, 10, 20, 26 };
        double px_per = p->plot.width / (self->d1 - self->d0);
        double need = text_width (self, self->fonts.small, "88") + self->fs;
        double step = steps[G_N_ELEMENTS (steps) - 1];

        for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
          if (steps[i] * px_per >= need)
            {
              step = steps[i];
              break;
            }
        layout_x_ticks (self, k, step, 0, FALSE);
      }
      add_rule (self, p->plot.x, p->plot.y + p->plot.height, p->plot.x + p->plot.width, p->plot.y + p->plot.height, 0.5, FALSE);
      add_rule (self, p->plot.x, p->plot.y, p->plot.x, p->plot.y + p->plot.height, 0.5, FALSE);
    }
  {
    double ay = top + rows * row_h + (rows - 1) * gap * 0.5;
    const char *axis_title = by_week ? _("Weeks since course start (0 = baseline)")
                                     : _("Infusion number (0 = baseline)");
    Label *l = add_label (self, self->fonts.small, axis_title, 0, 0, ay, 0.7);
    l->x = (self->panels[0].plot.x + pad + grid_w) / 2 - l->w / 2;
    layout_legend (self, entries, pad, ay + axis_title_h + self->fs * 0.6, grid_w, TRUE);
  }

  /* The lines, bands and course lines. */
  if (by_week)
    g_string_append_printf (desc, _("Mean score by week since course start for %u cohorts."), self->series->len);
  else
    g_string_append_printf (desc, _("Mean score by infusion number for %u cohorts."), self->series->len);
  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = &g_array_index (self->series, Series, k);
      const TrajCohort *h = g_ptr_array_index (report->cohorts, s->style);
      GArray *pts = cohort_points (h, self->kind);
      guint min_n = min_points_n (h);
      GArray *run = NULL;
      const TrajCohortPoint *first = NULL, *last = NULL;

      s->line = g_array_new (FALSE, FALSE, sizeof (Pt));
      s->marks = g_array_new (FALSE, FALSE, sizeof (Pt));
      s->tips = g_ptr_array_new_with_free_func (g_free);
      s->bands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      s->courses = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      for (guint j = 0; j < pts->len; j++)
        {
          const TrajCohortPoint *cp = &g_array_index (pts, TrajCohortPoint, j);
          Pt pt;

          if (cp->mean.n < min_n)
            {
              run = NULL;
              continue;
            }
          pt.x = traj_cohort_chart_layout_x_for (self, s->panel, cp->x);
          pt.y = traj_cohort_chart_layout_y_for (self, s->panel, cp->mean.mean);
          g_array_append_val (s->line, pt);
          g_array_append_val (s->marks, pt);
          g_ptr_array_add (s->tips, point_tip (h, by_week, cp));
          if (first == NULL)
            first = cp;
          last = cp;
          /* A t interval on two courses spans most of the scale: no band
           * below three. */
          if (cp->mean.n >= 3 && isfinite (cp->mean.lower) && isfinite (cp->mean.upper))
            {
              /* A mean cannot leave the scale's range: neither does its
               * band (a t interval on a few courses near 0 or the top would). */
              const Panel *sp = &self->panels[s->panel];
              BandPt b = { pt.x,
                           traj_cohort_chart_layout_y_for (self, s->panel, CLAMP (cp->mean.upper, sp->vmin, sp->vmax)),
                           traj_cohort_chart_layout_y_for (self, s->panel, CLAMP (cp->mean.lower, sp->vmin, sp->vmax)) };
              if (run == NULL)
                {
                  run = g_array_new (FALSE, FALSE, sizeof (BandPt));
                  g_ptr_array_add (s->bands, run);
                }
              g_array_append_val (run, b);
            }
          else
            run = NULL;
        }
      if (self->options.show_courses)
        for (guint c = 0; c < h->courses->len; c++)
          {
            const TrajCohortCourse *tc = g_ptr_array_index (h->courses, c);
            int n = by_week ? tc->n_by_week : tc->n_by_infusion;
            const int *v = by_week ? tc->by_week : tc->by_infusion;
            g_autoptr(GArray) line = g_array_new (FALSE, FALSE, sizeof (Pt));

            if (tc->scale != h->scale)
              continue;
            for (int x = 0; x < n && x <= xmax; x++)
              if (v[x] >= 0)
                {
                  Pt pt = { traj_cohort_chart_layout_x_for (self, s->panel, x),
                            traj_cohort_chart_layout_y_for (self, s->panel, v[x]) };
                  g_array_append_val (line, pt);
                }
            if (line->len >= 2)
              g_ptr_array_add (s->courses, g_steal_pointer (&line));
          }
      if (first && last)
        {
          const TrajScale *sc = traj_scale_get (h->scale);
          g_string_append_c (desc, ' ');
          /* Translators: chart description: "Depression (19 courses, PHQ-9): 19.1 at 0, 7.4 at 6 (n = 15)." */
          g_string_append_printf (desc, _("%s (%u courses, %s): %.1f at %d, %.1f at %d (n = %u)."),
                                  h->label, h->n_scale_courses, _(sc->name), first->mean.mean, first->x,
                                  last->mean.mean, last->x, last->mean.n);
        }
    }
  self->description = g_string_free (desc, FALSE);
}

/* ---- Kaplan–Meier --------------------------------------------------------- */

/* Subjects still followed at day @t: time ≥ t. */
static guint
km_at_risk (const TrajKm *km, double t)
{
  for (guint k = 0; k < km->n_steps; k++)
    if (km->steps[k].time >= t)
      return km->steps[k].n_risk;
  return 0;
}

static double
km_last_time (const TrajKm *km)
{
  return km->n_steps > 0 ? km->steps[km->n_steps - 1].time : 0;
}

static char *
km_legend_text (const TrajCohort *h)
{
  const TrajKm *km = h->booster;
  g_autofree char *median = NULL, *courses = NULL, *boosters = NULL;

  if (isnan (km->median))
    median = g_strdup (_("median not reached"));
  else
    /* Translators: the Kaplan–Meier median of a cohort: "median 33 days" */
    median = g_strdup_printf (_("median %.0f days"), km->median);
  courses = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u course", "%u courses", km->n), km->n);
  boosters = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u booster", "%u boosters", km->n_events), km->n_events);
  /* Translators: legend of the booster chart: "PTSD · 9 courses, 4 boosters · median 33 days" */
  return g_strdup_printf (_("%s · %s, %s · %s"), h->label, courses, boosters, median);
}

static void
layout_km (TrajCohortChartLayout *self, const TrajCohortReport *report)
{
  double pad = round (self->fs * 0.75), top, bottom, legend_h, axis_title_h, tick_h, gutter, row_h;
  double tmax = 0, step, risk_h = 0;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (LegendEntry));
  guint n_cohorts = report ? report->cohorts->len : 0;
  GString *desc = g_string_new (NULL);
  Panel *p;
  const char *axis_title = _("Days since the end of induction");

  g_array_set_clear_func (entries, legend_entry_clear);

  for (guint i = 0; i < MIN (n_cohorts, TRAJ_COHORT_CHART_MAX_SERIES); i++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, i);
      Series s = { 0 };

      if (h->booster == NULL || h->booster->n == 0)
        {
          /* Translators: legend entry of the booster chart: "Anxiety: no course has completed induction" */
          add_entry (entries, -1, g_strdup_printf (_("%s: no course has completed induction"), h->label));
          continue;
        }
      s.style = i;
      g_array_append_val (self->series, s);
      add_entry (entries, (int) i, km_legend_text (h));
      tmax = MAX (tmax, km_last_time (h->booster));
    }
  if (n_cohorts > TRAJ_COHORT_CHART_MAX_SERIES)
    add_entry (entries, -1, g_strdup_printf (_("Only the first %d of %u cohorts are drawn."),
                                             TRAJ_COHORT_CHART_MAX_SERIES, n_cohorts));

  top = layout_header (self, _("Time to first booster"),
                       _("Share of courses without a booster since the end of induction (Kaplan–Meier), "
                         "with its 95 % interval; ticks mark courses followed no further."), NULL, pad);
  if (self->series->len == 0)
    {
      layout_empty (self, top, n_cohorts == 0 ? _("No data: no cohort to show.")
                                              : _("No data: no course in these cohorts has completed induction."));
      self->description = g_strdup (_("Time to first booster: no data."));
      g_string_free (desc, TRUE);
      return;
    }

  {
    static const double steps[] = { 7, 14, 28, 30, 60, 90, 180, 365 };
    step = nice_step (MAX (tmax, 7), 8, steps, G_N_ELEMENTS (steps));
  }
  self->d0 = 0;
  self->d1 = MAX (ceil (tmax / step), 1) * step;

  bottom = self->height - pad;
  legend_h = layout_legend (self, entries, pad, 0, self->width - 2 * pad, FALSE);
  axis_title_h = line_height (self, self->fonts.small);
  tick_h = line_height (self, self->fonts.small) + self->fs * 0.3;
  gutter = text_width (self, self->fonts.small, "100 %") + self->fs * 0.5;
  row_h = line_height (self, self->fonts.small);
  if (self->options.show_at_risk)
    {
      double need = row_h * (self->series->len + 1) + self->fs * 0.4;
      double plot_h = bottom - legend_h - self->fs * 0.6 - axis_title_h - tick_h - top - need;
      if (plot_h >= self->fs * 7)
        risk_h = need;
    }

  self->n_panels = 1;
  self->panels = p = g_new0 (Panel, 1);
  p->scale = TRAJ_SCALE_NONE;
  p->vmin = 0;
  p->vmax = 1;
  p->inset = self->mark * 0.5 + 1;
  p->plot.x = pad + gutter;
  p->plot.y = top;
  p->plot.width = MAX (self->width - pad - p->plot.x - self->fs * 0.5, 1);
  p->plot.height = MAX (bottom - legend_h - self->fs * 0.6 - axis_title_h - tick_h - risk_h - top, 1);

  for (int q = 0; q <= 4; q++)
    {
      double y = traj_cohort_chart_layout_y_for (self, 0, q / 4.0);
      char text[16];
      Label *l;

      g_snprintf (text, sizeof text, "%d %%", q * 25);
      l = add_label (self, self->fonts.small, text, 0, 0, 0, 0.75);
      l->x = p->plot.x - self->fs * 0.4 - l->w;
      l->y = y - l->h / 2;
      add_rule (self, p->plot.x, y, p->plot.x + p->plot.width, y, q == 2 ? 0.35 : 0.1, q == 2);
    }
  layout_x_ticks (self, 0, step, 0, TRUE);
  add_rule (self, p->plot.x, p->plot.y + p->plot.height, p->plot.x + p->plot.width, p->plot.y + p->plot.height, 0.5, FALSE);
  add_rule (self, p->plot.x, p->plot.y, p->plot.x, p->plot.y + p->plot.height, 0.5, FALSE);
  {
    double ay = p->plot.y + p->plot.height + tick_h;
    Label *l = add_label (self, self->fonts.small, axis_title, 0, 0, ay, 0.7);
    l->x = p->plot.x + p->plot.width / 2 - l->w / 2;

    if (risk_h > 0)
      {
        double ry = ay + axis_title_h + self->fs * 0.4;

        add_label (self, self->fonts.small, _("Number at risk"), 0, pad, ry, 0.7);
        for (guint k = 0; k < self->series->len; k++)
          {
            const Series *s = &g_array_index (self->series, Series, k);
            const TrajCohort *h = g_ptr_array_index (report->cohorts, s->style);
            double y = ry + row_h * (k + 1);
            LegendMark m = { (int) s->style, pad + gutter / 2, y + row_h / 2, FALSE };

            g_array_append_val (self->legend, m);
            for (double v = 0; v <= self->d1 + 1e-9; v += step)
              {
                char text[16];
                Label *nl;

                g_snprintf (text, sizeof text, "%u", km_at_risk (h->booster, v));
                nl = add_label (self, self->fonts.small, text, 0, 0, y, 0.85);
                nl->x = traj_cohort_chart_layout_x_for (self, 0, v) - nl->w / 2;
              }
          }
        ay += risk_h;
      }
    layout_legend (self, entries, pad, ay + axis_title_h + self->fs * 0.6, self->width - 2 * pad, TRUE);
  }

  g_string_append_printf (desc, _("Time to first booster for %u cohorts."), self->series->len);
  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = &g_array_index (self->series, Series, k);
      const TrajCohort *h = g_ptr_array_index (report->cohorts, s->style);
      const TrajKm *km = h->booster;
      g_autoptr(GArray) up = g_array_new (FALSE, FALSE, sizeof (Pt));
      g_autoptr(GArray) lo = g_array_new (FALSE, FALSE, sizeof (Pt));
      GArray *poly = g_array_new (FALSE, FALSE, sizeof (Pt));
      double prev = 1, prev_lo = 1, prev_up = 1, x0 = traj_cohort_chart_layout_x_for (self, 0, 0);
      g_autofree char *legend = km_legend_text (h);
      Pt pt;

      s->line = g_array_new (FALSE, FALSE, sizeof (Pt));
      s->marks = g_array_new (FALSE, FALSE, sizeof (Pt));
      s->censor = g_array_new (FALSE, FALSE, sizeof (Pt));
      s->bands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      s->courses = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

      pt.x = x0;
      pt.y = traj_cohort_chart_layout_y_for (self, 0, 1);
      g_array_append_val (s->line, pt);
      g_array_append_val (up, pt);
      g_array_append_val (lo, pt);
      for (guint j = 0; j < km->n_steps; j++)
        {
          const TrajKmStep *st = &km->steps[j];
          double x = traj_cohort_chart_layout_x_for (self, 0, st->time);
          double lower = isfinite (st->lower) ? st->lower : st->survival;
          double upper = isfinite (st->upper) ? st->upper : st->survival;
          Pt a = { x, traj_cohort_chart_layout_y_for (self, 0, prev) };
          Pt b = { x, traj_cohort_chart_layout_y_for (self, 0, st->survival) };

          g_array_append_val (s->line, a);
          g_array_append_val (s->line, b);
          a.y = traj_cohort_chart_layout_y_for (self, 0, prev_up);
          b.y = traj_cohort_chart_layout_y_for (self, 0, upper);
          g_array_append_val (up, a);
          g_array_append_val (up, b);
          a.y = traj_cohort_chart_layout_y_for (self, 0, prev_lo);
          b.y = traj_cohort_chart_layout_y_for (self, 0, lower);
          g_array_append_val (lo, a);
          g_array_append_val (lo, b);
          if (st->n_censor > 0)
            {
              Pt c = { x, traj_cohort_chart_layout_y_for (self, 0, st->survival) };
              g_array_append_val (s->censor, c);
            }
          prev = st->survival;
          prev_lo = lower;
          prev_up = upper;
        }
      g_array_append_vals (poly, up->data, up->len);
      for (guint j = lo->len; j-- > 0;)
        g_array_append_val (poly, g_array_index (lo, Pt, j));
      g_ptr_array_add (s->bands, poly);

      if (!isnan (km->median))
        {
          s->has_median = TRUE;
          s->median_x = traj_cohort_chart_layout_x_for (self, 0, km->median);
          s->median_y = traj_cohort_chart_layout_y_for (self, 0, 0.5);
          pt.x = s->median_x;
          pt.y = s->median_y;
          g_array_append_val (s->marks, pt);
        }
      g_string_append_printf (desc, " %s.", legend);
    }
  self->description = g_string_free (desc, FALSE);
}

/* ---- layout --------------------------------------------------------------- */

TrajCohortChartLayout *
traj_cohort_chart_layout_new (const TrajCohortReport       *report,
                              const TrajCohortChartOptions *options,
                              double                        width,
                              double                        height)
{
  TrajCohortChartLayout *self;
  TrajCohortChartOptions defaults;
  if (options == NULL)
    {
      traj_cohort_chart_options_init (&defaults, TRAJ_COHORT_CHART_BY_INFUSION);
      options = &defaults;
    }

  self = g_new0 (TrajCohortChartLayout, 1);
  self->kind = options->kind;
  self->options = *options;
  self->font_family = g_strdup (options->font_family ? options->font_family : "Sans");
  self->options.font_family = self->font_family;
  self->width = MAX (width, 1);
  self->height = MAX (height, 1);
  self->fs = options->font_size > 0 ? options->font_size : 12.0;
  self->lw = MAX (self->fs / 6.0, 1.0);
  self->mark = self->fs * 0.3;
  self->series = g_array_new (FALSE, TRUE, sizeof (Series));
  g_array_set_clear_func (self->series, series_clear);
  self->labels = g_array_new (FALSE, TRUE, sizeof (Label));
  g_array_set_clear_func (self->labels, label_clear);
  self->legend = g_array_new (FALSE, TRUE, sizeof (LegendMark));
  self->rules = g_array_new (FALSE, TRUE, sizeof (Rule));

  traj_chart_fonts_init (&self->fonts, self->font_family, self->fs, 1.15);

  if (self->kind == TRAJ_COHORT_CHART_KM)
    layout_km (self, report);
  else
    layout_trajectories (self, report);
  return self;
}

void
traj_cohort_chart_layout_free (TrajCohortChartLayout *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->series);
  g_array_unref (self->labels);
  g_array_unref (self->legend);
  g_array_unref (self->rules);
  g_free (self->panels);
  traj_chart_fonts_clear (&self->fonts);
  g_free (self->font_family);
  g_free (self->description);
  g_free (self);
}

void
traj_cohort_chart_layout_get_size (const TrajCohortChartLayout *self,
                                   double                      *width,
                                   double                      *height)
{
  g_return_if_fail (self != NULL);
  if (width)
    *width = self->width;
  if (height)
    *height = self->height;
}

gboolean
traj_cohort_chart_layout_is_empty (const TrajCohortChartLayout *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->empty;
}

guint
traj_cohort_chart_layout_get_n_panels (const TrajCohortChartLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_panels;
}

TrajScaleId
traj_cohort_chart_layout_get_panel_scale (const TrajCohortChartLayout *self,
                                          guint                        panel)
{
  g_return_val_if_fail (self != NULL, TRAJ_SCALE_NONE);
  return panel < self->n_panels ? self->panels[panel].scale : TRAJ_SCALE_NONE;
}

guint
traj_cohort_chart_layout_get_n_series (const TrajCohortChartLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->series->len;
}

gboolean
traj_cohort_chart_layout_get_plot_area (const TrajCohortChartLayout *self,
                                        guint                        panel,
                                        cairo_rectangle_t           *area)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (panel >= self->n_panels)
    return FALSE;
  if (area)
    *area = self->panels[panel].plot;
  return TRUE;
}

char *
traj_cohort_chart_layout_describe_point (const TrajCohortChartLayout *self,
                                         double                       x,
                                         double                       y,
                                         double                       radius)
{
  const char *best = NULL;
  double best_d = radius * radius;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint k = 0; k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);

      for (guint j = 0; s->tips && j < s->tips->len && j < s->marks->len; j++)
        {
          const Pt *p = &g_array_index (s->marks, Pt, j);
          double d = (p->x - x) * (p->x - x) + (p->y - y) * (p->y - y);

          if (d <= best_d)
            {
              best_d = d;
              best = g_ptr_array_index (s->tips, j);
            }
        }
    }
  return g_strdup (best);
}

char *
traj_cohort_chart_layout_describe (const TrajCohortChartLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strdup (self->description);
}

/* ---- drawing -------------------------------------------------------------- */

static void
path_shape (cairo_t *cr, Shape shape, double x, double y, double r)
{
  switch (shape)
    {
    case SHAPE_SQUARE:
      cairo_rectangle (cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      break;
    case SHAPE_TRIANGLE:
      cairo_move_to (cr, x, y - r * 1.15);
      cairo_line_to (cr, x + r * 1.05, y + r * 0.75);
      cairo_line_to (cr, x - r * 1.05, y + r * 0.75);
      cairo_close_path (cr);
      break;
    case SHAPE_TRIANGLE_DOWN:
      cairo_move_to (cr, x, y + r * 1.15);
      cairo_line_to (cr, x + r * 1.05, y - r * 0.75);
      cairo_line_to (cr, x - r * 1.05, y - r * 0.75);
      cairo_close_path (cr);
      break;
    case SHAPE_DIAMOND:
      cairo_move_to (cr, x, y - r * 1.25);
      cairo_line_to (cr, x + r * 1.05, y);
      cairo_line_to (cr, x, y + r * 1.25);
      cairo_line_to (cr, x - r * 1.05, y);
      cairo_close_path (cr);
      break;
    case SHAPE_CROSS:
      {
        double a = r * 0.45, b = r * 1.1;
        /* A plus sign with some body, so it fills like the others. */
        cairo_move_to (cr, x - a, y - b);
        cairo_line_to (cr, x + a, y - b);
        cairo_line_to (cr, x + a, y - a);
        cairo_line_to (cr, x + b, y - a);
        cairo_line_to (cr, x + b, y + a);
        cairo_line_to (cr, x + a, y + a);
        cairo_line_to (cr, x + a, y + b);
        cairo_line_to (cr, x - a, y + b);
        cairo_line_to (cr, x - a, y + a);
        cairo_line_to (cr, x - b, y + a);
        cairo_line_to (cr, x - b, y - a);
        cairo_line_to (cr, x - a, y - a);
        cairo_close_path (cr);
      }
      break;
    case SHAPE_CIRCLE:
    default:
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      break;
    }
}

static void
draw_mark (TrajCohortChartLayout *self, cairo_t *cr, const TrajChartPalette *palette, guint style,
           double x, double y, double r)
{
  path_shape (cr, series_styles[style % TRAJ_COHORT_CHART_MAX_SERIES].shape, x, y, r);
  set_bg (cr, palette);
  cairo_set_line_width (cr, MAX (self->lw * 0.8, 1.0));
  cairo_stroke_preserve (cr);
  set_series (cr, palette, style, 1.0);
  cairo_fill (cr);
}

static void
set_dash (TrajCohortChartLayout *self, cairo_t *cr, guint style)
{
  double dash[4];
  guint n = series_styles[style % TRAJ_COHORT_CHART_MAX_SERIES].n_dash;

  for (guint k = 0; k < n; k++)
    dash[k] = series_styles[style % TRAJ_COHORT_CHART_MAX_SERIES].dash[k] * self->lw;
  cairo_set_dash (cr, dash, (int) n, 0);
}

static void
stroke_line (cairo_t *cr, GArray *pts)
{
  for (guint k = 0; k < pts->len; k++)
    {
      const Pt *p = &g_array_index (pts, Pt, k);
      if (k == 0)
        cairo_move_to (cr, p->x, p->y);
      else
        cairo_line_to (cr, p->x, p->y);
    }
  cairo_stroke (cr);
}

static void
clip_panel (TrajCohortChartLayout *self, cairo_t *cr, guint panel, double slack)
{
  const cairo_rectangle_t *r = &self->panels[panel].plot;
  cairo_rectangle (cr, r->x - slack, r->y - slack, r->width + 2 * slack, r->height + 2 * slack);
  cairo_clip (cr);
}

static void
draw_data (TrajCohortChartLayout *self, cairo_t *cr, const TrajChartPalette *palette)
{
  gboolean km = self->kind == TRAJ_COHORT_CHART_KM;

  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);

  /* Bottom to top: course lines, bands, lines, marks. */
  for (guint k = 0; k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);

      cairo_save (cr);
      clip_panel (self, cr, s->panel, 0);
      set_series (cr, palette, s->style, 0.16);
      cairo_set_line_width (cr, MAX (self->lw * 0.4, 0.6));
      for (guint c = 0; c < s->courses->len; c++)
        stroke_line (cr, g_ptr_array_index (s->courses, c));
      cairo_restore (cr);
    }
  for (guint k = 0; k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);

      cairo_save (cr);
      clip_panel (self, cr, s->panel, 0);
      set_series (cr, palette, s->style, km ? 0.10 : 0.16);
      for (guint b = 0; b < s->bands->len; b++)
        {
          GArray *run = g_ptr_array_index (s->bands, b);

          if (km)
            {
              for (guint j = 0; j < run->len; j++)
                {
                  const Pt *p = &g_array_index (run, Pt, j);
                  if (j == 0)
                    cairo_move_to (cr, p->x, p->y);
                  else
                    cairo_line_to (cr, p->x, p->y);
                }
            }
          else if (run->len == 1)
            {
              /* A lone interval: a short bar, as a band has no width there. */
              const BandPt *p = &g_array_index (run, BandPt, 0);
              cairo_rectangle (cr, p->x - self->lw * 1.5, p->hi, self->lw * 3, p->lo - p->hi);
            }
          else
            {
              for (guint j = 0; j < run->len; j++)
                {
                  const BandPt *p = &g_array_index (run, BandPt, j);
                  if (j == 0)
                    cairo_move_to (cr, p->x, p->hi);
                  else
                    cairo_line_to (cr, p->x, p->hi);
                }
              for (guint j = run->len; j-- > 0;)
                {
                  const BandPt *p = &g_array_index (run, BandPt, j);
                  cairo_line_to (cr, p->x, p->lo);
                }
            }
          cairo_close_path (cr);
          cairo_fill (cr);
        }
      cairo_restore (cr);
    }
  for (guint k = 0; k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);

      cairo_save (cr);
      clip_panel (self, cr, s->panel, self->lw);
      if (s->has_median)
        {
          const double dash[] = { self->lw * 1.5, self->lw * 1.5 };
          const cairo_rectangle_t *r = &self->panels[s->panel].plot;

          set_series (cr, palette, s->style, 0.8);
          cairo_set_line_width (cr, MAX (self->lw * 0.5, 0.75));
          cairo_set_dash (cr, dash, 2, 0);
          cairo_move_to (cr, s->median_x, s->median_y);
          cairo_line_to (cr, s->median_x, r->y + r->height);
          cairo_stroke (cr);
        }
      set_series (cr, palette, s->style, 1.0);
      cairo_set_line_width (cr, self->lw);
      if (km)
        cairo_set_dash (cr, NULL, 0, 0);
      else
        set_dash (self, cr, s->style);
      stroke_line (cr, s->line);
      cairo_set_dash (cr, NULL, 0, 0);
      if (s->censor)
        {
          cairo_set_line_width (cr, MAX (self->lw * 0.75, 1.0));
          for (guint j = 0; j < s->censor->len; j++)
            {
              const Pt *p = &g_array_index (s->censor, Pt, j);
              cairo_move_to (cr, p->x, p->y - self->mark * 1.2);
              cairo_line_to (cr, p->x, p->y + self->mark * 1.2);
            }
          cairo_stroke (cr);
        }
      cairo_restore (cr);
    }
  for (guint k = 0; k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);

      cairo_save (cr);
      clip_panel (self, cr, s->panel, self->mark * 2);
      for (guint j = 0; j < s->marks->len; j++)
        {
          const Pt *p = &g_array_index (s->marks, Pt, j);
          draw_mark (self, cr, palette, s->style, p->x, p->y, km ? self->mark * 1.2 : self->mark);
        }
      cairo_restore (cr);
    }
}

static void
draw_rules (TrajCohortChartLayout *self, cairo_t *cr, const TrajChartPalette *palette)
{
  double one = 1, zero = 0;

  cairo_user_to_device_distance (cr, &one, &zero);
  cairo_set_line_width (cr, MAX (0.5, 1.0 / MAX (hypot (one, zero), 1e-3)));
  for (guint k = 0; k < self->rules->len; k++)
    {
      const Rule *r = &g_array_index (self->rules, Rule, k);

      if (r->dashed)
        {
          const double dash[] = { 3, 3 };
          cairo_set_dash (cr, dash, 2, 0);
        }
      set_fg (cr, palette, r->alpha);
      cairo_move_to (cr, r->x0, r->y0);
      cairo_line_to (cr, r->x1, r->y1);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
}

static void
draw_text (TrajCohortChartLayout *self, cairo_t *cr, const TrajChartPalette *palette)
{
  for (guint k = 0; k < self->labels->len; k++)
    {
      const Label *l = &g_array_index (self->labels, Label, k);

      if (l->style >= 0)
        set_series (cr, palette, l->style, l->alpha);
      else
        set_fg (cr, palette, l->alpha);
      cairo_move_to (cr, l->x, l->y);
      pango_cairo_show_layout (cr, l->pl);
    }
  for (guint k = 0; k < self->legend->len; k++)
    {
      const LegendMark *m = &g_array_index (self->legend, LegendMark, k);

      if (m->line)
        {
          double half = self->fs * 1.1;

          set_series (cr, palette, m->style, 1.0);
          cairo_set_line_width (cr, self->lw);
          if (self->kind != TRAJ_COHORT_CHART_KM)
            set_dash (self, cr, m->style);
          cairo_move_to (cr, m->x - half, m->y);
          cairo_line_to (cr, m->x + half, m->y);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      draw_mark (self, cr, palette, m->style, m->x, m->y, self->mark);
    }
}

void
traj_cohort_chart_draw (TrajCohortChartLayout  *self,
                        cairo_t                *cr,
                        const TrajChartPalette *palette)
{
  TrajChartLayers layers;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (palette != NULL);

  layers = self->options.layers;
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, self->width, self->height);
  cairo_clip (cr);
  if ((layers & TRAJ_CHART_LAYER_BACKGROUND) && palette->background.alpha > 0)
    {
      cairo_set_source_rgba (cr, palette->background.red, palette->background.green,
                             palette->background.blue, palette->background.alpha);
      cairo_paint (cr);
    }
  if (self->empty)
    {
      if (layers & TRAJ_CHART_LAYER_BACKGROUND)
        {
          const double dash[] = { 4, 3 };
          const cairo_rectangle_t *r = &self->message_area;

          set_fg (cr, palette, 0.3);
          cairo_set_line_width (cr, 1);
          cairo_set_dash (cr, dash, 2, 0);
          cairo_rectangle (cr, r->x + 0.5, r->y + 0.5, r->width - 1, r->height - 1);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }
    }
  else
    {
      if (layers & TRAJ_CHART_LAYER_BACKGROUND)
        draw_rules (self, cr, palette);
      if (layers & TRAJ_CHART_LAYER_DATA)
        draw_data (self, cr, palette);
    }
  if (layers & TRAJ_CHART_LAYER_TEXT)
    draw_text (self, cr, palette);
  cairo_restore (cr);
}

void
traj_cohort_chart_render (const TrajCohortReport       *report,
                          const TrajCohortChartOptions *options,
                          const TrajChartPalette       *palette,
                          cairo_t                      *cr,
                          double                        width,
                          double                        height)
{
  g_autoptr(TrajCohortChartLayout) layout = NULL;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (palette != NULL);

  layout = traj_cohort_chart_layout_new (report, options, width, height);
  traj_cohort_chart_draw (layout, cr, palette);
}

/* ---- files ------------------------------------------------------------------ */

typedef struct {
  const TrajCohortReport *report;
  TrajCohortChartOptions options;
  TrajChartPalette palette;
} PaintCohort;

static void
paint_cohort (cairo_t *cr, int width, int height, gpointer user_data)
{
  PaintCohort *pc = user_data;

  traj_cohort_chart_render (pc->report, &pc->options, &pc->palette, cr, width, height);
}

gboolean
traj_cohort_chart_write_file (const TrajCohortReport *report,
                              TrajCohortChartKind     kind,
                              const char             *path,
                              int                     width,
                              int                     height,
                              GError                **error)
{
  TrajChartFileSpec spec = { 1.0, NULL, FALSE };
  PaintCohort pc = { report };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  traj_cohort_chart_options_init (&pc.options, kind);
  traj_chart_palette_init_print (&pc.palette);
  spec.pdf_title = kind == TRAJ_COHORT_CHART_KM ? _("Time to first booster") : _("Cohort trajectories");
  return traj_chart_write_surface_file (path, width, height, &spec, paint_cohort, &pc, error);
}
