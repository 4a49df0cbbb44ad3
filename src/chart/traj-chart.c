/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "traj-chart-private.h"

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
} MarkShape;

typedef struct {
  MarkShape shape;
  Role role;
  double x, y;                   /* centre */
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

  PangoContext *pango;
  PangoFontDescription *font_body;
  PangoFontDescription *font_small;
  PangoFontDescription *font_bold;
  PangoFontDescription *font_title;
  double fs;                     /* base font size */

  gboolean empty;
  Panel *panels;
  guint n_panels;
  cairo_rectangle_t message_area; /* where "no scores yet" goes when there is no panel */

  gboolean has_strip;
  cairo_rectangle_t strip;
  cairo_rectangle_t strip_lane;
  gboolean has_strip_lane;
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

G_DEFINE_ENUM_TYPE (TrajChartAxis, traj_chart_axis,
  G_DEFINE_ENUM_VALUE (TRAJ_CHART_AXIS_DATE, "date"),
  G_DEFINE_ENUM_VALUE (TRAJ_CHART_AXIS_INFUSION, "infusion"))

#define DAY_SECONDS 86400.0

/* ---- options, palette --------------------------------------------------- */

const char *
traj_chart_axis_to_string (TrajChartAxis axis)
{
  return axis == TRAJ_CHART_AXIS_INFUSION ? "infusion" : "date";
}

gboolean
traj_chart_axis_from_string (const char    *s,
                             TrajChartAxis *out)
{
  if (g_strcmp0 (s, "date") == 0)
    *out = TRAJ_CHART_AXIS_DATE;
  else if (g_strcmp0 (s, "infusion") == 0)
    *out = TRAJ_CHART_AXIS_INFUSION;
  else
    return FALSE;
  return TRUE;
}

void
traj_chart_options_init (TrajChartOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->axis = TRAJ_CHART_AXIS_DATE;
  options->layers = TRAJ_CHART_LAYER_ALL;
  options->font_size = 12.0;
}

static void
set_hex (TrajChartColor *c, guint32 rgb, double alpha)
{
  c->red = ((rgb >> 16) & 0xff) / 255.0;
  c->green = ((rgb >> 8) & 0xff) / 255.0;
  c->blue = (rgb & 0xff) / 255.0;
  c->alpha = alpha;
}

void
traj_chart_palette_init_print (TrajChartPalette *p)
{
  g_return_if_fail (p != NULL);

  /* libadwaita's light palette, which prints well in colour and in grey. */
  set_hex (&p->background, 0xffffff, 1.0);
  set_hex (&p->foreground, 0x000000, 0.8);
  set_hex (&p->accent, 0x1c71d8, 1.0);
  set_hex (&p->success, 0x1b8553, 1.0);
  set_hex (&p->warning, 0x9c6e03, 1.0);
  set_hex (&p->error, 0xc01c28, 1.0);
  set_hex (&p->phase[TRAJ_PHASE_INDUCTION], 0x3584e4, 1.0);
  set_hex (&p->phase[TRAJ_PHASE_MAINTENANCE], 0x9141ac, 1.0);
  set_hex (&p->phase[TRAJ_PHASE_BOOSTER], 0xe66100, 1.0);
  p->dark = FALSE;
}

static TrajChartColor
role_color (const TrajChartPalette *p, Role role)
{
  switch (role)
    {
    case ROLE_ACCENT: return p->accent;
    case ROLE_SUCCESS: return p->success;
    case ROLE_WARNING: return p->warning;
    case ROLE_ERROR: return p->error;
    case ROLE_INDUCTION: return p->phase[TRAJ_PHASE_INDUCTION];
    case ROLE_MAINTENANCE: return p->phase[TRAJ_PHASE_MAINTENANCE];
    case ROLE_BOOSTER: return p->phase[TRAJ_PHASE_BOOSTER];
    case ROLE_BG:
      {
        /* Opaque even when the page is not painted: halos and callouts
         * need the colour underneath. */
        TrajChartColor c = p->background;
        c.alpha = 1.0;
        return c;
      }
    case ROLE_FG:
    default:
      return p->foreground;
    }
}

static void
set_source (cairo_t *cr, const TrajChartPalette *p, Role role, double alpha)
{
  TrajChartColor c = role_color (p, role);
  cairo_set_source_rgba (cr, c.red, c.green, c.blue, c.alpha * alpha);
}

static Role
phase_role (TrajPhase phase)
{
  switch (phase)
    {
    case TRAJ_PHASE_MAINTENANCE: return ROLE_MAINTENANCE;
    case TRAJ_PHASE_BOOSTER: return ROLE_BOOSTER;
    case TRAJ_PHASE_INDUCTION:
    case TRAJ_N_PHASES:
    default:
      return ROLE_INDUCTION;
    }
}

static Role
finding_role (TrajFindingKind kind)
{
  switch (kind)
    {
    case TRAJ_FINDING_BOOSTER: return ROLE_BOOSTER;
    case TRAJ_FINDING_NO_RESPONSE: return ROLE_WARNING;
    case TRAJ_FINDING_SAFETY:
    case TRAJ_FINDING_MONITORING:
    case TRAJ_N_FINDING_KINDS:
    default:
      return ROLE_ERROR;
    }
}

/* ---- text -------------------------------------------------------------- */

static PangoLayout *
make_text (TrajChartLayout            *self,
           const PangoFontDescription *font,
           const char                 *text,
           double                     *w,
           double                     *h)
{
  PangoLayout *pl = pango_layout_new (self->pango);
  int pw, ph;

  pango_layout_set_font_description (pl, font);
  pango_layout_set_text (pl, text, -1);
  pango_layout_get_pixel_size (pl, &pw, &ph);
  if (w)
    *w = pw;
  if (h)
    *h = ph;
  return pl;
}

static double
text_width (TrajChartLayout *self, const PangoFontDescription *font, const char *text)
{
  double w;
  g_autoptr(PangoLayout) pl = make_text (self, font, text, &w, NULL);
  return w;
}

static double
line_height (TrajChartLayout *self, const PangoFontDescription *font)
{
  double h;
  g_autoptr(PangoLayout) pl = make_text (self, font, "0", NULL, &h);
  return h;
}

static Label *
add_label (TrajChartLayout            *self,
           const PangoFontDescription *font,
           const char                 *text,
           double                      x,
           double                      y,
           Role                        role,
           double                      alpha)
{
  Label l = { 0 };

  l.pl = make_text (self, font, text, &l.w, &l.h);
  l.x = x;
  l.y = y;
  l.role = role;
  l.alpha = alpha;
  g_array_append_val (self->labels, l);
  return &g_array_index (self->labels, Label, self->labels->len - 1);
}

static void
drop_last_label (TrajChartLayout *self)
{
  g_array_set_size (self->labels, self->labels->len - 1);
}

static void
label_clear (gpointer data)
{
  Label *l = data;
  g_clear_object (&l->pl);
}

static gboolean
rects_overlap (double ax, double ay, double aw, double ah,
               double bx, double by, double bw, double bh)
{
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static gboolean
label_overlaps_any (TrajChartLayout *self, double x, double y, double w, double h, guint from)
{
  for (guint i = from; i < self->labels->len; i++)
    {
      const Label *l = &g_array_index (self->labels, Label, i);
      if (rects_overlap (x, y, w, h, l->x, l->y, l->w, l->h))
        return TRUE;
    }
  return FALSE;
}

/* ---- geometry helpers ---------------------------------------------------- */

double
traj_chart_layout_x_for (const TrajChartLayout *self,
                         double                 value)
{
  if (self->d1 <= self->d0)
    return (self->plot_left + self->plot_right) / 2;
  return self->plot_left + (value - self->d0) / (self->d1 - self->d0) * (self->plot_right - self->plot_left);
}

static double
panel_y (const Panel *p, double v)
{
  return p->plot.y + (p->vmax - v) / (p->vmax - p->vmin) * p->plot.height;
}

double
traj_chart_layout_y_for (const TrajChartLayout *self,
                         guint                  panel,
                         double                 score)
{
  g_return_val_if_fail (panel < self->n_panels, 0);
  return panel_y (&self->panels[panel], score);
}

static double
x_of_time (const TrajChartLayout *self, gint64 t, double xi)
{
  return traj_chart_layout_x_for (self, self->axis == TRAJ_CHART_AXIS_DATE ? (double) t : xi);
}

/* Liang–Barsky: does the segment cross the rectangle? */
static gboolean
segment_hits_rect (double x0, double y0, double x1, double y1,
                   double rx, double ry, double rw, double rh)
{
  double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
  double p[4] = { -dx, dx, -dy, dy };
  double q[4] = { x0 - rx, rx + rw - x0, y0 - ry, ry + rh - y0 };

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      {
        double r = q[i] / p[i];
        if (p[i] < 0)
          t0 = MAX (t0, r);
        else
          t1 = MIN (t1, r);
        if (t0 > t1)
          return FALSE;
      }
    }
  return TRUE;
}

/* Does a label box at (x, y, w, h) cover any data or threshold in @panel? */
static gboolean
panel_box_busy (const Panel *p, double x, double y, double w, double h)
{
  double pad = p->radius + 1.5;

  for (guint k = 0; k < p->pts->len; k++)
    {
      const Pt *a = &g_array_index (p->pts, Pt, k);

      if (rects_overlap (x, y, w, h, a->x - pad, a->y - pad, 2 * pad, 2 * pad))
        return TRUE;
      if (k + 1 < p->pts->len)
        {
          const Pt *b = &g_array_index (p->pts, Pt, k + 1);
          if (segment_hits_rect (a->x, a->y, b->x, b->y, x - 1, y - 1, w + 2, h + 2))
            return TRUE;
        }
    }
  for (guint k = 0; k < p->ref_lines->len; k++)
    {
      const RefLine *r = &g_array_index (p->ref_lines, RefLine, k);
      if (r->y >= y - 2 && r->y <= y + h + 2 && r->x1 >= x && r->x0 <= x + w)
        return TRUE;
    }
  return FALSE;
}

/* ---- x axis -------------------------------------------------------------- */

typedef enum { UNIT_DAY, UNIT_WEEK, UNIT_MONTH, UNIT_YEAR } StepUnit;

static const struct {
  StepUnit unit;
  int n;
  double days;
} date_steps[] = {
  { UNIT_DAY, 1, 1 }, { UNIT_DAY, 2, 2 }, { UNIT_WEEK, 1, 7 }, { UNIT_WEEK, 2, 14 },
  { UNIT_MONTH, 1, 30.44 }, { UNIT_MONTH, 2, 60.9 }, { UNIT_MONTH, 3, 91.3 },
  { UNIT_MONTH, 6, 182.6 }, { UNIT_YEAR, 1, 365.25 }, { UNIT_YEAR, 2, 730.5 },
  { UNIT_YEAR, 5, 1826 }, { UNIT_YEAR, 10, 3652 },
};

static char *
format_tick (gint32 day, StepUnit unit)
{
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;

  if (!traj_day_to_ymd (day, &y, &m, &d))
    return g_strdup ("");
  dt = g_date_time_new_utc (y, m, d, 12, 0, 0);
  switch (unit)
    {
    case UNIT_DAY:
    case UNIT_WEEK:
      /* Translators: a chart tick for a day, see strftime(3); e.g. "3 Mar" */
      return g_date_time_format (dt, _("%-d %b"));
    case UNIT_MONTH:
      /* Translators: a chart tick for a month, see strftime(3); e.g. "Mar" */
      return g_date_time_format (dt, _("%b"));
    case UNIT_YEAR:
    default:
      /* Translators: a chart tick for a year, see strftime(3); e.g. "2026" */
      return g_date_time_format (dt, _("%Y"));
    }
}

static gint32
next_tick_day (gint32 day, StepUnit unit, int n)
{
  int y, m, d;

  switch (unit)
    {
    case UNIT_DAY:
      return day + n;
    case UNIT_WEEK:
      return day + 7 * n;
    case UNIT_MONTH:
      traj_day_to_ymd (day, &y, &m, &d);
      m += n;
      while (m > 12)
        {
          m -= 12;
          y++;
        }
      return traj_day_from_ymd (y, m, 1);
    case UNIT_YEAR:
    default:
      traj_day_to_ymd (day, &y, &m, &d);
      return traj_day_from_ymd (y + n, 1, 1);
    }
}

/* The first tick on or after @day. */
static gint32
first_tick_day (gint32 day, StepUnit unit, int n)
{
  int y, m, d;

  switch (unit)
    {
    case UNIT_DAY:
      return day + (int) (((gint64) n - (day % n + n) % n) % n);
    case UNIT_WEEK:
      /* Mondays: day 4 (5 Jan 1970) was one. */
      while (((day + 3) % (7 * n) + 7 * n) % (7 * n) != 0)
        day++;
      return day;
    case UNIT_MONTH:
      traj_day_to_ymd (day, &y, &m, &d);
      if (d != 1)
        {
          if (++m > 12)
            {
              m = 1;
              y++;
            }
        }
      while ((m - 1) % n != 0)
        if (++m > 12)
          {
            m = 1;
            y++;
          }
      return traj_day_from_ymd (y, m, 1);
    case UNIT_YEAR:
    default:
      traj_day_to_ymd (day, &y, &m, &d);
      if (m != 1 || d != 1)
        y++;
      while (y % n != 0)
        y++;
      return traj_day_from_ymd (y, 1, 1);
    }
}

static void
layout_date_ticks (TrajChartLayout *self, double label_y, double row2_y)
{
  double plot_w = self->plot_right - self->plot_left;
  double px_per_day = plot_w / ((self->d1 - self->d0) / DAY_SECONDS);
  guint choice = G_N_ELEMENTS (date_steps) - 1;
  gint32 day, last_day;
  int prev_year = G_MININT;
  double prev_right = -G_MAXDOUBLE, prev_row2_right = -G_MAXDOUBLE;
  StepUnit unit;
  int n;

  for (guint i = 0; i < G_N_ELEMENTS (date_steps); i++)
    {
      g_autofree char *sample = format_tick (traj_day_from_ymd (2026, 9, 28), date_steps[i].unit);
      double need = text_width (self, self->font_small, sample) * 1.2 + 12;

      if (date_steps[i].days * px_per_day >= need)
        {
          choice = i;
          break;
        }
    }
  unit = date_steps[choice].unit;
  n = date_steps[choice].n;

  day = first_tick_day (traj_day_from_time ((gint64) self->d0), unit, n);
  last_day = traj_day_from_time ((gint64) self->d1);
  for (; day <= last_day; day = next_tick_day (day, unit, n))
    {
      double t = (double) traj_time_from_day (day, 0, 0);
      double x = traj_chart_layout_x_for (self, t);
      g_autofree char *text = NULL;
      Label *l;
      int y, m, d;

      if (t < self->d0 || t > self->d1)
        continue;
      g_array_append_val (self->xticks, x);
      text = format_tick (day, unit);
      l = add_label (self, self->font_small, text, 0, label_y, ROLE_FG, 0.75);
      l->x = CLAMP (x - l->w / 2, 0, self->width - l->w);
      if (l->x < prev_right + 6)
        {
          drop_last_label (self);
          continue;
        }
      prev_right = l->x + l->w;

      /* The year under the first tick and wherever it changes. */
      traj_day_to_ymd (day, &y, &m, &d);
      if (unit != UNIT_YEAR && y != prev_year)
        {
          g_autofree char *year = format_tick (day, UNIT_YEAR);
          double lx = l->x;
          Label *yl = add_label (self, self->font_small, year, lx, row2_y, ROLE_FG, 0.55);

          if (yl->x < prev_row2_right + 8)
            {
              /* Two year labels too close: the later one wins. */
              guint last = self->labels->len - 1;
              for (guint k = last; k-- > 0;)
                {
                  Label *o = &g_array_index (self->labels, Label, k);
                  if (o->y == row2_y)
                    {
                      g_clear_object (&o->pl);
                      g_array_remove_index (self->labels, k);
                      break;
                    }
                }
            }
          prev_row2_right = lx + yl->w;
          prev_year = y;
        }
    }
}

static void
layout_infusion_ticks (TrajChartLayout *self, double label_y, double row2_y)
{
  static const int steps[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500 };
  double plot_w = self->plot_right - self->plot_left;
  double px_per = plot_w / (self->d1 - self->d0);
  double need = text_width (self, self->font_small, "888") + 12;
  double prev_right = -G_MAXDOUBLE;
  int step = 1000;
  Label *title;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * px_per >= need)
      {
        step = steps[i];
        break;
      }
  /* Ticks only where there are infusions: no "infusion 16" of 13. */
  for (int k = MAX (1, (int) ceil (self->d0)); k <= MIN ((int) floor (self->d1), (int) self->model->infusions->len); k++)
    {
      double x;
      char text[16];
      Label *l;

      if (k != 1 && k % step != 0)
        continue;
      x = traj_chart_layout_x_for (self, k);
      g_snprintf (text, sizeof text, "%d", k);
      l = add_label (self, self->font_small, text, 0, label_y, ROLE_FG, 0.75);
      l->x = x - l->w / 2;
      if (l->x < prev_right + 6)
        {
          drop_last_label (self);
          continue;
        }
      g_array_append_val (self->xticks, x);
      prev_right = l->x + l->w;
    }
  title = add_label (self, self->font_small, _("Infusion number"), 0, row2_y, ROLE_FG, 0.55);
  title->x = self->plot_right - title->w;
}

/* ---- panels -------------------------------------------------------------- */

static void
panel_clear (Panel *p)
{
  g_clear_pointer (&p->pts, g_array_unref);
  g_clear_pointer (&p->drafts, g_array_unref);
  g_clear_pointer (&p->ref_lines, g_array_unref);
}

/* Same-day scores (pre and post an infusion) would land on one spot over a
 * long axis: spread them just enough to see both. */
static void
spread_same_day (GArray *pts, GArray *points, double sep, double lo, double hi)
{
  guint i = 0;

  while (i < pts->len)
    {
      guint j = i + 1;
      gint32 day = g_array_index (points, TrajChartPoint, i).day;
      double mean = g_array_index (pts, Pt, i).x;

      while (j < pts->len && g_array_index (points, TrajChartPoint, j).day == day)
        mean += g_array_index (pts, Pt, j++).x;
      if (j - i > 1)
        {
          guint k = j - i;
          double span = g_array_index (pts, Pt, j - 1).x - g_array_index (pts, Pt, i).x;

          mean /= k;
          if (span < sep * (k - 1))
            for (guint m = 0; m < k; m++)
              g_array_index (pts, Pt, i + m).x = CLAMP (mean + (m - (k - 1) / 2.0) * sep, lo, hi);
        }
      i = j;
    }
}

static void
layout_panel_points (TrajChartLayout *self, Panel *p)
{
  const TrajChartSeries *s = traj_chart_model_series (self->model, p->series);

  for (guint k = 0; k < s->points->len; k++)
    {
      const TrajChartPoint *pt = &g_array_index (s->points, TrajChartPoint, k);
      Pt xy = { x_of_time (self, pt->at, pt->xi), panel_y (p, pt->value) };
      g_array_append_val (p->pts, xy);
    }
  if (self->axis == TRAJ_CHART_AXIS_DATE)
    spread_same_day (p->pts, s->points, 2 * p->radius + 2,
                     p->plot.x + p->radius + 1, p->plot.x + p->plot.width - p->radius - 1);
}

static void
layout_panel_refs (TrajChartLayout *self, Panel *p)
{
  const TrajChartSeries *s = traj_chart_model_series (self->model, p->series);
  double left = p->plot.x, right = p->plot.x + p->plot.width;
  RefLine rl;

  for (guint k = 0; k < s->refs->len; k++)
    {
      const TrajChartReference *ref = &g_array_index (s->refs, TrajChartReference, k);
      double x0, x1;

      if (self->axis == TRAJ_CHART_AXIS_DATE)
        {
          x0 = traj_chart_layout_x_for (self, (double) ref->start);
          x1 = ref->end == G_MAXINT64 ? right : traj_chart_layout_x_for (self, (double) ref->end);
        }
      else
        {
          x0 = traj_chart_layout_x_for (self, ref->xi_start);
          x1 = ref->xi_end >= G_MAXDOUBLE ? right : traj_chart_layout_x_for (self, ref->xi_end);
        }
      x0 = CLAMP (x0, left, right);
      x1 = CLAMP (x1, left, right);
      if (x1 - x0 < 1)
        continue;
      if (ref->has_baseline)
        {
          rl = (RefLine) { REF_BASELINE, x0, x1, panel_y (p, ref->baseline) };
          g_array_append_val (p->ref_lines, rl);
        }
      if (ref->response_computable)
        {
          rl = (RefLine) { REF_RESPONSE, x0, x1, panel_y (p, ref->response_threshold) };
          g_array_append_val (p->ref_lines, rl);
        }
    }
  /* Remission is a fixed cut-off on the scale: it applies everywhere. */
  rl = (RefLine) { REF_REMISSION, left, right, panel_y (p, s->remission_max) };
  g_array_append_val (p->ref_lines, rl);
}

typedef struct {
  char *text;
  Role role;
  double want;                   /* the line's y */
  double y;                      /* label's centre after spreading */
  double h, w;
} GutterLabel;

/* Threshold labels in the right margin, at their lines' heights, pushed
 * apart so they never overlap, joined to their lines when moved. */
static void
layout_gutter_labels (TrajChartLayout *self, Panel *p)
{
  const TrajChartSeries *s = traj_chart_model_series (self->model, p->series);
  const TrajChartReference *ref = NULL;
  GutterLabel gl[3];
  guint n = 0;
  double top = p->plot.y, bottom = p->plot.y + p->plot.height;
  double gx = p->plot.x + p->plot.width + 6;

  if (s->refs->len > 0)
    {
      ref = &g_array_index (s->refs, TrajChartReference, s->refs->len - 1);
      if (ref->end != G_MAXINT64)
        ref = NULL;
    }
  if (ref && ref->has_baseline)
    {
      /* Translators: label of the baseline line on a chart: "Baseline 18" */
      gl[n++] = (GutterLabel) { g_strdup_printf (_("Baseline %d"), ref->baseline), ROLE_FG, panel_y (p, ref->baseline), 0, 0, 0 };
    }
  if (ref && ref->response_computable)
    {
      g_autofree char *num = traj_chart_format_number (ref->response_threshold);
      /* Translators: label of the response threshold line: "Response ≤ 9" */
      gl[n++] = (GutterLabel) { g_strdup_printf (_("Response ≤ %s"), num), ROLE_ACCENT, panel_y (p, ref->response_threshold), 0, 0, 0 };
    }
  /* Translators: label of the remission threshold line: "Remission ≤ 4" */
  gl[n++] = (GutterLabel) { g_strdup_printf (_("Remission ≤ %d"), s->remission_max), ROLE_SUCCESS, panel_y (p, s->remission_max), 0, 0, 0 };

  for (guint i = 0; i < n; i++)
    {
      gl[i].h = line_height (self, self->font_small);
      gl[i].y = gl[i].want;
    }
  /* Sort by y (n ≤ 3). */
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (gl[j].want < gl[i].want)
        {
          GutterLabel t = gl[i];
          gl[i] = gl[j];
          gl[j] = t;
        }
  for (guint i = 0; i < n; i++)
    {
      double min_y = (i == 0 ? top + gl[i].h / 2 : gl[i - 1].y + (gl[i - 1].h + gl[i].h) / 2);
      gl[i].y = MAX (gl[i].y, min_y);
    }
  for (guint i = n; i-- > 0;)
    {
      double max_y = (i == n - 1 ? bottom - gl[i].h / 2 + 2 : gl[i + 1].y - (gl[i + 1].h + gl[i].h) / 2);
      gl[i].y = MIN (gl[i].y, max_y);
    }
  for (guint i = 0; i < n; i++)
    {
      Label *l = add_label (self, self->font_small, gl[i].text, gx + 4, gl[i].y, gl[i].role, 1.0);

      l->y = gl[i].y - l->h / 2;
      if (l->x + l->w > self->width)
        {
          /* No room: a threshold without a label beats a clipped label. */
          drop_last_label (self);
        }
      else if (fabs (gl[i].y - gl[i].want) > 1.5)
        {
          Connector c = { p->plot.x + p->plot.width, gl[i].want, gx + 2, gl[i].y, gl[i].role };
          g_array_append_val (self->connectors, c);
        }
      else
        {
          Connector c = { p->plot.x + p->plot.width, gl[i].want, gx + 2, gl[i].want, gl[i].role };
          g_array_append_val (self->connectors, c);
        }
      g_free (gl[i].text);
    }
}

static void
layout_band_labels (TrajChartLayout *self, Panel *p)
{
  const TrajChartSeries *s = traj_chart_model_series (self->model, p->series);
  const TrajScale *info = s->info;
  guint first_label = self->labels->len;

  for (guint b = 0; b < info->n_bands; b++)
    {
      const TrajBand *band = &info->bands[b];
      double y0 = panel_y (p, MIN (band->high + 0.5, p->vmax));
      double y1 = panel_y (p, MAX (band->low - 0.5, p->vmin));
      Label *l = add_label (self, self->font_small, _(band->label), 0, 0, ROLE_FG, 0.5);
      double candidates[2];
      gboolean placed = FALSE;

      if (l->h + 2 > y1 - y0 || l->w + 12 > p->plot.width / 3)
        {
          drop_last_label (self);
          continue;
        }
      l->y = (y0 + y1) / 2 - l->h / 2;
      candidates[0] = p->plot.x + 5;
      candidates[1] = p->plot.x + p->plot.width - 5 - l->w;
      for (guint c = 0; c < 2 && !placed; c++)
        {
          if (!panel_box_busy (p, candidates[c], l->y, l->w, l->h) &&
              !label_overlaps_any (self, candidates[c], l->y, l->w, l->h, first_label))
            {
              l->x = candidates[c];
              placed = TRUE;
            }
        }
      if (!placed)
        drop_last_label (self);
    }
}

static void
layout_y_ticks (TrajChartLayout *self, Panel *p)
{
  const TrajScale *info = traj_chart_model_series (self->model, p->series)->info;
  int values[16];
  gboolean keep[16];
  guint n = 0;
  double h = line_height (self, self->font_small);
  double prev_top = G_MAXDOUBLE;

  if (info->n_bands > 0)
    {
      /* Ticks where the bands start: the numbers clinicians know. */
      for (guint b = 0; b < info->n_bands && n < G_N_ELEMENTS (values) - 1; b++)
        values[n++] = info->bands[b].low;
      if (values[n - 1] != info->total_max)
        values[n++] = info->total_max;
    }
  else
    {
      int step = info->total_max > 40 ? 20 : info->total_max > 12 ? 5 : 2;
      for (int v = info->total_min; v <= info->total_max && n < G_N_ELEMENTS (values); v += step)
        values[n++] = v;
    }

  /* Keep the maximum, then bottom up every label that does not touch the
   * one kept below it or the maximum. */
  for (guint i = 0; i < n; i++)
    keep[i] = FALSE;
  keep[n - 1] = TRUE;
  for (guint i = 0; i + 1 < n; i++)
    {
      double top = panel_y (p, values[i]) - h / 2;
      double max_bottom = panel_y (p, values[n - 1]) + h / 2;

      if (top + h <= prev_top - 1 && top >= max_bottom + 1)
        {
          keep[i] = TRUE;
          prev_top = top;
        }
    }

  for (guint i = 0; i < n; i++)
    {
      char text[16];
      Label *l;

      if (!keep[i])
        continue;
      g_snprintf (text, sizeof text, "%d", values[i]);
      l = add_label (self, self->font_small, text, 0, 0, ROLE_FG, 0.7);
      l->x = p->plot.x - 6 - l->w;
      l->y = panel_y (p, values[i]) - l->h / 2;
    }
}

static void
layout_panel_header (TrajChartLayout *self, Panel *p, double y)
{
  const TrajChartSeries *s = traj_chart_model_series (self->model, p->series);
  g_autofree char *summary = NULL;
  double right = p->plot.x + p->plot.width;
  double name_right, construct_right;
  guint construct_index;
  Label *l;

  l = add_label (self, self->font_bold, _(s->info->name), p->plot.x, y, ROLE_FG, 1.0);
  name_right = l->x + l->w;
  {
    double name_h = l->h;

    l = add_label (self, self->font_small, _(s->info->construct), name_right + 6, 0, ROLE_FG, 0.6);
    l->y = y + name_h - l->h - 1;
    construct_right = l->x + l->w;
    construct_index = self->labels->len - 1;
  }

  if (s->points->len > 0)
    {
      const TrajChartPoint *last = &g_array_index (s->points, TrajChartPoint, s->points->len - 1);
      const char *band = traj_scale_band_label (s->info, last->value);
      const TrajChartReference *ref = NULL;
      g_autoptr(GString) str = g_string_new (NULL);

      for (guint k = 0; k < s->refs->len; k++)
        {
          const TrajChartReference *r = &g_array_index (s->refs, TrajChartReference, k);
          if (r->start <= last->at)
            ref = r;
        }
      if (band)
        /* Translators: a panel's summary on the chart: "Latest 8 (mild)" */
        g_string_append_printf (str, _("Latest %d (%s)"), last->value, band);
      else
        g_string_append_printf (str, _("Latest %d"), last->value);
      if (ref && ref->has_baseline && ref->baseline > 0)
        {
          int pct = (int) round (100.0 * (last->value - ref->baseline) / ref->baseline);
          g_string_append (str, " · ");
          if (pct < 0)
            /* Translators: change from baseline on the chart: "56 % below baseline" */
            g_string_append_printf (str, _("%d %% below baseline"), -pct);
          else if (pct > 0)
            g_string_append_printf (str, _("%d %% above baseline"), pct);
          else
            g_string_append (str, _("at baseline"));
        }
      else if (ref == NULL || !ref->has_baseline)
        g_string_append_printf (str, " · %s", _("no baseline"));
      summary = g_string_free (g_steal_pointer (&str), FALSE);
    }
  else if (s->drafts->len > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u incomplete, not scored", "%u incomplete, not scored",
                                            s->drafts->len), s->drafts->len);

  if (summary)
    {
      double name_h = g_array_index (self->labels, Label, construct_index - 1).h;

      l = add_label (self, self->font_small, summary, 0, 0, ROLE_FG, 0.85);
      l->x = right - l->w;
      l->y = y + name_h - l->h - 1;
      if (l->x < construct_right + 12)
        {
          /* Too narrow for both: the numbers matter more than the word. */
          g_array_remove_index (self->labels, construct_index);
          l = &g_array_index (self->labels, Label, self->labels->len - 1);
          if (l->x < name_right + 12)
            drop_last_label (self);
        }
    }
}

/* ---- legend and title ---------------------------------------------------- */

typedef struct {
  MarkShape shape;
  Role role;
  const char *text;
  const char *group;             /* a heading before the first of a group */
} LegendEntry;

/* One row: "Infusions: ▲ Induction ▲ Maintenance ◆ Booster   ● PHQ-9 item 9
 * above 0   ◇ Incomplete   Findings: ⬤ Safety …", only what the chart
 * shows, and only as much as fits. */
static void
layout_legend (TrajChartLayout *self, double y, double h)
{
  const TrajChartModel *m = self->model;
  gboolean phases[TRAJ_N_PHASES] = { FALSE };
  gboolean kinds[TRAJ_N_FINDING_KINDS] = { FALSE };
  gboolean safety = FALSE, drafts = FALSE;
  double x = self->plot_left;
  double cy = y + h / 2;
  LegendEntry entries[16];
  guint n = 0;
  const char *group_infusions = _("Infusions:");
  const char *group_findings = _("Findings:");

  for (guint k = 0; k < m->infusions->len; k++)
    phases[g_array_index (m->infusions, TrajChartInfusion, k).phase] = TRUE;
  for (guint k = 0; k < m->findings->len; k++)
    kinds[g_array_index (m->findings, TrajChartFinding, k).kind] = TRUE;
  for (guint i = 0; i < m->series->len; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (m, i);
      if (s->drafts->len > 0)
        drafts = TRUE;
      for (guint k = 0; k < s->points->len; k++)
        if (g_array_index (s->points, TrajChartPoint, k).item9 > 0)
          safety = TRUE;
    }

  if (phases[TRAJ_PHASE_INDUCTION])
    entries[n++] = (LegendEntry) { MARK_TRIANGLE, ROLE_INDUCTION, traj_phase_label (TRAJ_PHASE_INDUCTION), group_infusions };
  if (phases[TRAJ_PHASE_MAINTENANCE])
    entries[n++] = (LegendEntry) { MARK_TRIANGLE, ROLE_MAINTENANCE, traj_phase_label (TRAJ_PHASE_MAINTENANCE), group_infusions };
  if (phases[TRAJ_PHASE_BOOSTER])
    entries[n++] = (LegendEntry) { MARK_DIAMOND, ROLE_BOOSTER, traj_phase_label (TRAJ_PHASE_BOOSTER), group_infusions };
  if (safety)
    entries[n++] = (LegendEntry) { MARK_RING, ROLE_ERROR, _("PHQ-9 item 9 above 0"), NULL };
  if (drafts)
    entries[n++] = (LegendEntry) { MARK_HOLLOW_DIAMOND, ROLE_FG, _("Incomplete, not scored"), NULL };
  for (guint k = 0; k < TRAJ_N_FINDING_KINDS; k++)
    if (kinds[k])
      entries[n++] = (LegendEntry) { MARK_PIN, finding_role ((TrajFindingKind) k),
                                     traj_finding_kind_label ((TrajFindingKind) k), group_findings };

  for (guint i = 0; i < n; i++)
    {
      double mark_w = 10;
      guint first_label = self->labels->len;
      Label *l;
      LegendMark mark;

      if (i > 0 && entries[i].group != entries[i - 1].group)
        x += 14;                 /* a wider gap between groups */
      if (entries[i].group && (i == 0 || entries[i].group != entries[i - 1].group))
        {
          l = add_label (self, self->font_small, entries[i].group, x, 0, ROLE_FG, 0.6);
          l->y = cy - l->h / 2;
          x += l->w + 8;
        }
      l = add_label (self, self->font_small, entries[i].text, x + mark_w + 4, 0, ROLE_FG, 0.8);
      l->y = cy - l->h / 2;
      if (l->x + l->w > self->width - 8)
        {
          /* Out of room: drop this entry (and its heading) and the rest. */
          while (self->labels->len > first_label)
            drop_last_label (self);
          break;
        }
      mark = (LegendMark) { entries[i].shape, entries[i].role, x + mark_w / 2, cy };
      g_array_append_val (self->legend, mark);
      x = l->x + l->w + 14;
    }
}

/* ---- items --------------------------------------------------------------- */

static int
compare_items (gconstpointer a, gconstpointer b)
{
  const TrajChartItem *ia = a, *ib = b;

  if (ia->row != ib->row)
    return ia->row < ib->row ? -1 : 1;
  if (ia->x != ib->x)
    return ia->x < ib->x ? -1 : 1;
  if (ia->kind != ib->kind)
    return (int) ia->kind - (int) ib->kind;
  return (int) ia->index - (int) ib->index;
}

static void
add_item (TrajChartLayout *self, TrajChartItemKind kind, int row, guint index,
          TrajRecordKind record_kind, gint64 record_id, double x, double y)
{
  TrajChartItem it = { kind, row, index, record_kind, record_id, x, y };
  g_array_append_val (self->items, it);
}

/* Lane marks (drafts and pins) never sit on top of each other. */
static void
separate_lane (GArray *xs, double sep)
{
  for (guint k = 1; k < xs->len; k++)
    {
      double *prev = &g_array_index (xs, double, k - 1);
      double *cur = &g_array_index (xs, double, k);
      if (*cur < *prev + sep)
        *cur = *prev + sep;
    }
}

typedef struct {
  double x;
  gboolean is_pin;
  guint index;
} LaneMark;

static int
compare_lane (gconstpointer a, gconstpointer b)
{
  const LaneMark *la = a, *lb = b;
  if (la->x != lb->x)
    return la->x < lb->x ? -1 : 1;
  return la->is_pin - lb->is_pin;
}

static void
layout_lane (TrajChartLayout *self, int row, const cairo_rectangle_t *lane, GArray *marks, GArray *draft_pts)
{
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  double cy = lane->y + lane->height / 2;

  g_array_sort (marks, compare_lane);
  for (guint k = 0; k < marks->len; k++)
    g_array_append_val (xs, g_array_index (marks, LaneMark, k).x);
  separate_lane (xs, 10);
  for (guint k = 0; k < marks->len; k++)
    {
      const LaneMark *lm = &g_array_index (marks, LaneMark, k);
      double x = MIN (g_array_index (xs, double, k), lane->x + lane->width - 5);

      if (lm->is_pin)
        {
          Pin pin = { lm->index, row, x, cy - 1 };
          g_array_append_val (self->pins, pin);
        }
      else
        {
          Pt *pt = &g_array_index (draft_pts, Pt, lm->index);
          pt->x = x;
          pt->y = cy;
        }
    }
}

/* ---- layout -------------------------------------------------------------- */

static void
compute_domain (TrajChartLayout *self, double plot_w)
{
  const TrajChartModel *m = self->model;

  if (self->axis == TRAJ_CHART_AXIS_DATE)
    {
      double lo = (double) m->t_min, hi = (double) m->t_max;
      double span = hi - lo;
      double pad;

      if (span <= 0)
        pad = 3 * DAY_SECONDS;
      else
        pad = MAX (span * 0.025, DAY_SECONDS / 2);
      /* Room for the marks at both ends. */
      if (plot_w > 40)
        pad = MAX (pad, (span + 2 * pad) * 10.0 / plot_w);
      self->d0 = lo - pad;
      self->d1 = hi + pad;
    }
  else
    {
      double lo = m->xi_min, hi = m->xi_max;
      double pad = MAX (0.5, (hi - lo) * 0.02);
      self->d0 = lo - pad;
      self->d1 = hi + pad;
    }
}

TrajChartLayout *
traj_chart_layout_new (TrajChartModel         *model,
                       const TrajChartOptions *options,
                       double                  width,
                       double                  height)
{
  TrajChartLayout *self;
  TrajChartOptions defaults;
  cairo_font_options_t *fo;
  double pad, small_h, body_h, title_h, y, bottom;
  double strip_h = 0, strip_lane_h = 0, axis_h, legend_h;
  double left_w, right_w, avail, weight_sum = 0;
  guint n_panels;

  g_return_val_if_fail (model != NULL, NULL);

  if (options == NULL)
    {
      traj_chart_options_init (&defaults);
      options = &defaults;
    }

  self = g_new0 (TrajChartLayout, 1);
  self->model = traj_chart_model_ref (model);
  self->options = *options;
  self->font_family = g_strdup (options->font_family ? options->font_family : "Sans");
  self->options.font_family = self->font_family;
  self->width = MAX (width, 1);
  self->height = MAX (height, 1);
  self->fs = options->font_size > 0 ? options->font_size : 12.0;
  self->axis = options->axis;
  if (model->infusions->len == 0)
    self->axis = TRAJ_CHART_AXIS_DATE;
  self->labels = g_array_new (FALSE, TRUE, sizeof (Label));
  g_array_set_clear_func (self->labels, label_clear);
  self->connectors = g_array_new (FALSE, TRUE, sizeof (Connector));
  self->legend = g_array_new (FALSE, TRUE, sizeof (LegendMark));
  self->pins = g_array_new (FALSE, TRUE, sizeof (Pin));
  self->items = g_array_new (FALSE, TRUE, sizeof (TrajChartItem));
  self->xticks = g_array_new (FALSE, TRUE, sizeof (double));
  self->inf_x = g_array_new (FALSE, TRUE, sizeof (double));

  self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  /* Unhinted metrics: the same layout on screen, in PNG and in PDF. */
  fo = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (self->pango, fo);
  cairo_font_options_destroy (fo);
  pango_cairo_context_set_resolution (self->pango, 96);

  self->font_body = pango_font_description_new ();
  pango_font_description_set_family (self->font_body, self->font_family);
  pango_font_description_set_absolute_size (self->font_body, self->fs * PANGO_SCALE);
  self->font_small = pango_font_description_copy (self->font_body);
  pango_font_description_set_absolute_size (self->font_small, round (self->fs * 0.88 * 4) / 4 * PANGO_SCALE);
  self->font_bold = pango_font_description_copy (self->font_body);
  pango_font_description_set_weight (self->font_bold, PANGO_WEIGHT_BOLD);
  self->font_title = pango_font_description_copy (self->font_bold);
  pango_font_description_set_absolute_size (self->font_title, self->fs * 1.2 * PANGO_SCALE);

  pad = round (self->fs * 0.75);
  small_h = line_height (self, self->font_small);
  body_h = line_height (self, self->font_bold);
  title_h = line_height (self, self->font_title);
  y = pad;
  bottom = self->height - pad;

  if (options->show_title && model->patient_name)
    {
      g_autofree char *title = model->mrn ? g_strdup_printf ("%s · %s", model->patient_name, model->mrn)
                                          : g_strdup (model->patient_name);
      add_label (self, self->font_title, title, pad, y, ROLE_FG, 1.0);
      if (model->has_data)
        {
          g_autofree char *a = traj_day_format (traj_day_from_time (model->t_min));
          g_autofree char *b = traj_day_format (traj_day_from_time (model->t_max));
          /* Translators: the period a chart covers: "3 Mar 2026 – 2 Jun 2026" */
          g_autofree char *period = g_str_equal (a, b) ? g_strdup (a) : g_strdup_printf (_("%s – %s"), a, b);
          Label *l = add_label (self, self->font_small, period, 0, 0, ROLE_FG, 0.7);
          l->x = self->width - pad - l->w;
          l->y = y + title_h - l->h - 1;
          if (l->x < pad + g_array_index (self->labels, Label, self->labels->len - 2).w + 16)
            drop_last_label (self);
        }
      y += title_h + pad * 0.75;
    }

  if (traj_chart_model_is_empty (model))
    {
      Label *l = add_label (self, self->font_body, _("No scores or infusions recorded yet"), 0, 0, ROLE_FG, 0.6);
      self->empty = TRUE;
      l->x = (self->width - l->w) / 2;
      l->y = y + (bottom - y - l->h) / 2;
      return self;
    }

  /* Margins: y tick labels on the left, threshold labels on the right. */
  left_w = ceil (text_width (self, self->font_small, "88") + 10);
  for (guint i = 0; i < model->series->len; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      char text[16];
      g_snprintf (text, sizeof text, "%d", s->info->total_max);
      left_w = MAX (left_w, ceil (text_width (self, self->font_small, text) + 10));
    }
  left_w += pad;
  right_w = 0;
  if (model->series->len > 0)
    {
      /* As wide as the widest threshold label this chart can have. */
      g_autofree char *b = g_strdup_printf (_("Baseline %d"), 88);
      g_autofree char *r = g_strdup_printf (_("Response ≤ %s"), "88.5");
      g_autofree char *m = g_strdup_printf (_("Remission ≤ %d"), 88);
      right_w = MAX (text_width (self, self->font_small, b), text_width (self, self->font_small, r));
      right_w = MAX (right_w, text_width (self, self->font_small, m));
      right_w = ceil (right_w + 12);
      if (right_w > self->width * 0.25)
        right_w = 8;
    }
  right_w += pad;
  self->plot_left = round (left_w);
  self->plot_right = round (MAX (self->width - right_w, self->plot_left + 10));

  /* Legend row on top. */
  legend_h = small_h + 6;
  layout_legend (self, y, small_h);
  if (self->legend->len > 0)
    y += legend_h + pad * 0.5;

  /* Bottom: tick labels, a second row (years, or the axis name), the strip. */
  axis_h = 4 + small_h + 1 + small_h;
  bottom -= axis_h;
  self->axis_y = bottom + 4;
  if (model->infusions->len > 0)
    {
      self->has_strip = TRUE;
      strip_h = round (self->fs * 1.25);
      for (guint k = 0; k < model->findings->len; k++)
        if (g_array_index (model->findings, TrajChartFinding, k).series < 0)
          strip_lane_h = round (self->fs * 1.1);
      self->has_strip_lane = strip_lane_h > 0;
      bottom = round (bottom - (strip_h + strip_lane_h + 4));
      self->strip_lane = (cairo_rectangle_t) { self->plot_left, bottom + 4, self->plot_right - self->plot_left, strip_lane_h };
      self->strip = (cairo_rectangle_t) { self->plot_left, bottom + 4 + strip_lane_h, self->plot_right - self->plot_left, strip_h };
    }

  compute_domain (self, self->plot_right - self->plot_left);

  /* Panels, sized by importance: the primary scale gets twice the room. */
  n_panels = model->series->len;
  self->n_panels = n_panels;
  self->panels = g_new0 (Panel, MAX (n_panels, 1));
  avail = bottom - y;
  for (guint i = 0; i < n_panels; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      gboolean lane = s->drafts->len > 0;
      Panel *p = &self->panels[i];

      for (guint k = 0; k < model->findings->len; k++)
        if (g_array_index (model->findings, TrajChartFinding, k).series == (int) i)
          lane = TRUE;
      p->series = i;
      p->has_lane = lane;
      avail -= body_h + 4 + (lane ? round (self->fs * 1.1) : 0);
      if (i > 0)
        avail -= round (self->fs * 1.2);
      weight_sum += (s->primary && n_panels > 1) ? 2.0 : 1.0;
    }
  if (n_panels == 0)
    {
      Label *l;
      self->message_area = (cairo_rectangle_t) { self->plot_left, y, self->plot_right - self->plot_left, MAX (bottom - y, 0) };
      l = add_label (self, self->font_body, _("No scores recorded yet"), 0, 0, ROLE_FG, 0.6);
      l->x = self->plot_left + (self->plot_right - self->plot_left - l->w) / 2;
      l->y = y + (bottom - y - l->h) / 2;
    }
  for (guint i = 0; i < n_panels; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      Panel *p = &self->panels[i];
      double header_y, plot_h, lane_h = p->has_lane ? round (self->fs * 1.1) : 0;
      double pw = self->plot_right - self->plot_left;
      double r, inset, range;
      guint max_pts = 1;

      if (i > 0)
        y += round (self->fs * 1.2);
      /* Whole pixels: a pixel-aligned clip is a fast clip. */
      y = round (y);
      header_y = y;
      plot_h = floor (MAX (avail * ((s->primary && n_panels > 1) ? 2.0 : 1.0) / weight_sum, 16));
      p->frame = (cairo_rectangle_t) { self->plot_left, y, pw, body_h + 4 + lane_h + plot_h };
      p->lane = (cairo_rectangle_t) { self->plot_left, y + body_h + 4, pw, lane_h };
      p->plot = (cairo_rectangle_t) { self->plot_left, y + body_h + 4 + lane_h, pw, plot_h };
      y += p->frame.height;

      for (guint k = 0; k < model->series->len; k++)
        max_pts = MAX (max_pts, traj_chart_model_series (model, k)->points->len);
      r = CLAMP (0.3 * pw / max_pts, 1.75, 3.75) * self->fs / 12.0;
      p->radius = r;
      /* Pad the value range so marks at the scale's ends stay inside. */
      range = s->info->total_max - s->info->total_min;
      inset = r + 2.5;
      p->vmin = s->info->total_min - MAX (0.5, inset * (range + 1) / MAX (plot_h - 2 * inset, 1));
      p->vmax = s->info->total_max + MAX (0.5, inset * (range + 1) / MAX (plot_h - 2 * inset, 1));
      p->pts = g_array_new (FALSE, FALSE, sizeof (Pt));
      p->drafts = g_array_new (FALSE, FALSE, sizeof (Pt));
      p->ref_lines = g_array_new (FALSE, FALSE, sizeof (RefLine));

      layout_panel_points (self, p);
      layout_panel_refs (self, p);
      layout_panel_header (self, p, header_y);
      layout_y_ticks (self, p);
      layout_gutter_labels (self, p);
      layout_band_labels (self, p);
      if (s->points->len == 0)
        {
          /* Translators: shown in a panel with only incomplete questionnaires */
          g_autofree char *msg = g_strdup_printf (_("No complete %s yet"), _(s->info->name));
          Label *l = add_label (self, self->font_body, msg, 0, 0, ROLE_FG, 0.6);
          l->x = p->plot.x + (p->plot.width - l->w) / 2;
          l->y = p->plot.y + (p->plot.height - l->h) / 2;
        }

      /* Lane: drafts and pins. */
      if (p->has_lane)
        {
          g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (LaneMark));

          for (guint k = 0; k < s->drafts->len; k++)
            {
              const TrajChartPoint *d = &g_array_index (s->drafts, TrajChartPoint, k);
              LaneMark lm = { x_of_time (self, d->at, d->xi), FALSE, k };
              Pt pt = { lm.x, 0 };
              g_array_append_val (p->drafts, pt);
              g_array_append_val (marks, lm);
            }
          for (guint k = 0; k < model->findings->len; k++)
            {
              const TrajChartFinding *f = &g_array_index (model->findings, TrajChartFinding, k);
              LaneMark lm = { 0, TRUE, k };

              if (f->series != (int) i)
                continue;
              lm.x = x_of_time (self, f->at, f->xi);
              /* Over its score, where the score was spread to. */
              for (guint q = 0; q < s->points->len; q++)
                if (f->record_kind == TRAJ_KIND_ASSESSMENT &&
                    g_array_index (s->points, TrajChartPoint, q).id == f->record_id)
                  lm.x = g_array_index (p->pts, Pt, q).x;
              g_array_append_val (marks, lm);
            }
          layout_lane (self, (int) i, &p->lane, marks, p->drafts);
        }
    }

  /* Infusions. */
  if (self->has_strip)
    {
      double pw = self->plot_right - self->plot_left;

      self->inf_size = CLAMP (0.8 * pw / model->infusions->len, 4.0, 9.0) * self->fs / 12.0;
      for (guint k = 0; k < model->infusions->len; k++)
        {
          const TrajChartInfusion *inf = &g_array_index (model->infusions, TrajChartInfusion, k);
          double x = x_of_time (self, inf->at, inf->number);
          g_array_append_val (self->inf_x, x);
        }
      if (self->has_strip_lane)
        {
          g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (LaneMark));
          for (guint k = 0; k < model->findings->len; k++)
            {
              const TrajChartFinding *f = &g_array_index (model->findings, TrajChartFinding, k);
              LaneMark lm = { x_of_time (self, f->at, f->xi), TRUE, k };
              if (f->series >= 0)
                continue;
              for (guint q = 0; q < model->infusions->len; q++)
                if (f->record_kind == TRAJ_KIND_INFUSION &&
                    g_array_index (model->infusions, TrajChartInfusion, q).id == f->record_id)
                  lm.x = g_array_index (self->inf_x, double, q);
              g_array_append_val (marks, lm);
            }
          layout_lane (self, (int) n_panels, &self->strip_lane, marks, NULL);
        }
    }

  /* The time axis. */
  if (self->axis == TRAJ_CHART_AXIS_DATE)
    layout_date_ticks (self, self->axis_y, self->axis_y + small_h + 1);
  else
    layout_infusion_ticks (self, self->axis_y, self->axis_y + small_h + 1);

  /* What can be pointed at, row by row. */
  for (guint i = 0; i < n_panels; i++)
    {
      const Panel *p = &self->panels[i];
      const TrajChartSeries *s = traj_chart_model_series (model, p->series);

      for (guint k = 0; k < s->points->len; k++)
        {
          const Pt *pt = &g_array_index (p->pts, Pt, k);
          add_item (self, TRAJ_CHART_ITEM_SCORE, (int) i, k, TRAJ_KIND_ASSESSMENT,
                    g_array_index (s->points, TrajChartPoint, k).id, pt->x, pt->y);
        }
      for (guint k = 0; k < s->drafts->len; k++)
        {
          const Pt *pt = &g_array_index (p->drafts, Pt, k);
          add_item (self, TRAJ_CHART_ITEM_DRAFT, (int) i, k, TRAJ_KIND_ASSESSMENT,
                    g_array_index (s->drafts, TrajChartPoint, k).id, pt->x, pt->y);
        }
    }
  for (guint k = 0; k < self->inf_x->len; k++)
    add_item (self, TRAJ_CHART_ITEM_INFUSION, (int) n_panels, k, TRAJ_KIND_INFUSION,
              g_array_index (model->infusions, TrajChartInfusion, k).id,
              g_array_index (self->inf_x, double, k), self->strip.y + self->strip.height / 2);
  for (guint k = 0; k < self->pins->len; k++)
    {
      const Pin *pin = &g_array_index (self->pins, Pin, k);
      const TrajChartFinding *f = &g_array_index (model->findings, TrajChartFinding, pin->finding);
      add_item (self, TRAJ_CHART_ITEM_FINDING, pin->row, pin->finding, f->record_kind, f->record_id, pin->x, pin->y);
    }
  g_array_sort (self->items, compare_items);

  return self;
}

void
traj_chart_layout_free (TrajChartLayout *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n_panels; i++)
    panel_clear (&self->panels[i]);
  g_free (self->panels);
  g_array_unref (self->labels);
  g_array_unref (self->connectors);
  g_array_unref (self->legend);
  g_array_unref (self->pins);
  g_array_unref (self->items);
  g_array_unref (self->xticks);
  g_array_unref (self->inf_x);
  pango_font_description_free (self->font_body);
  pango_font_description_free (self->font_small);
  pango_font_description_free (self->font_bold);
  pango_font_description_free (self->font_title);
  g_object_unref (self->pango);
  traj_chart_model_unref (self->model);
  g_free (self->font_family);
  g_free (self);
}

TrajChartModel *
traj_chart_layout_get_model (const TrajChartLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->model;
}

void
traj_chart_layout_get_size (const TrajChartLayout *self,
                            double                *width,
                            double                *height)
{
  g_return_if_fail (self != NULL);
  if (width)
    *width = self->width;
  if (height)
    *height = self->height;
}

guint
traj_chart_layout_get_n_panels (const TrajChartLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_panels;
}

gboolean
traj_chart_layout_get_plot_area (const TrajChartLayout *self,
                                 guint                  panel,
                                 cairo_rectangle_t     *area)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (panel >= self->n_panels)
    return FALSE;
  if (area)
    *area = self->panels[panel].plot;
  return TRUE;
}

gboolean
traj_chart_layout_get_infusion_strip (const TrajChartLayout *self,
                                      cairo_rectangle_t     *area)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (!self->has_strip)
    return FALSE;
  if (area)
    *area = self->strip;
  return TRUE;
}

/* ---- hit testing and navigation ----------------------------------------- */

gboolean
traj_chart_layout_hit_test (const TrajChartLayout *self,
                            double                 x,
                            double                 y,
                            double                 radius,
                            TrajChartItem         *item)
{
  double best = radius * radius;
  int found = -1;

  g_return_val_if_fail (self != NULL, FALSE);

  for (guint k = 0; k < self->items->len; k++)
    {
      const TrajChartItem *it = &g_array_index (self->items, TrajChartItem, k);
      double dx = it->x - x, dy = it->y - y;
      double d = dx * dx + dy * dy;

      if (d <= best)
        {
          best = d;
          found = (int) k;
        }
    }
  if (found < 0)
    return FALSE;
  if (item)
    *item = g_array_index (self->items, TrajChartItem, found);
  return TRUE;
}

static int
item_position (const TrajChartLayout *self, const TrajChartItem *from)
{
  if (from == NULL || from->kind == TRAJ_CHART_ITEM_NONE)
    return -1;
  for (guint k = 0; k < self->items->len; k++)
    {
      const TrajChartItem *it = &g_array_index (self->items, TrajChartItem, k);
      if (it->kind == from->kind && it->row == from->row && it->index == from->index)
        return (int) k;
    }
  return -1;
}

static int
nearest_in_row (const TrajChartLayout *self, int row, double x)
{
  int best = -1;
  double best_d = G_MAXDOUBLE;

  for (guint k = 0; k < self->items->len; k++)
    {
      const TrajChartItem *it = &g_array_index (self->items, TrajChartItem, k);
      if (it->row == row && fabs (it->x - x) < best_d)
        {
          best_d = fabs (it->x - x);
          best = (int) k;
        }
    }
  return best;
}

gboolean
traj_chart_layout_step (const TrajChartLayout *self,
                        const TrajChartItem   *from,
                        TrajChartStep          step,
                        TrajChartItem         *out)
{
  int pos, target = -1;
  int n_rows;

  g_return_val_if_fail (self != NULL, FALSE);

  n_rows = (int) self->n_panels + (self->has_strip ? 1 : 0);
  pos = item_position (self, from);
  if (self->items->len == 0)
    goto none;

  if (pos < 0 || step == TRAJ_CHART_STEP_FIRST)
    {
      /* Start at the latest score of the top panel: the one that matters now. */
      int row = g_array_index (self->items, TrajChartItem, 0).row;
      for (guint k = 0; k < self->items->len; k++)
        {
          const TrajChartItem *it = &g_array_index (self->items, TrajChartItem, k);
          if (it->row == row && (it->kind == TRAJ_CHART_ITEM_SCORE || target < 0))
            target = (int) k;
        }
    }
  else
    {
      const TrajChartItem *cur = &g_array_index (self->items, TrajChartItem, pos);

      switch (step)
        {
        case TRAJ_CHART_STEP_PREVIOUS:
          if (pos > 0 && g_array_index (self->items, TrajChartItem, pos - 1).row == cur->row)
            target = pos - 1;
          break;
        case TRAJ_CHART_STEP_NEXT:
          if ((guint) pos + 1 < self->items->len && g_array_index (self->items, TrajChartItem, pos + 1).row == cur->row)
            target = pos + 1;
          break;
        case TRAJ_CHART_STEP_UP:
          for (int row = cur->row - 1; row >= 0 && target < 0; row--)
            target = nearest_in_row (self, row, cur->x);
          break;
        case TRAJ_CHART_STEP_DOWN:
          for (int row = cur->row + 1; row < n_rows && target < 0; row++)
            target = nearest_in_row (self, row, cur->x);
          break;
        case TRAJ_CHART_STEP_HOME:
          target = pos;
          while (target > 0 && g_array_index (self->items, TrajChartItem, target - 1).row == cur->row)
            target--;
          break;
        case TRAJ_CHART_STEP_END:
          target = pos;
          while ((guint) target + 1 < self->items->len &&
                 g_array_index (self->items, TrajChartItem, target + 1).row == cur->row)
            target++;
          break;
        case TRAJ_CHART_STEP_FIRST:
        default:
          break;
        }
    }

  if (target >= 0)
    {
      if (out)
        *out = g_array_index (self->items, TrajChartItem, target);
      return TRUE;
    }

none:
  if (out)
    {
      if (from)
        *out = *from;
      else
        memset (out, 0, sizeof *out);
    }
  return FALSE;
}

gboolean
traj_chart_layout_get_item (const TrajChartLayout *self,
                            TrajChartItemKind      kind,
                            int                    row,
                            guint                  index,
                            TrajChartItem         *out)
{
  TrajChartItem probe = { kind, row, index, 0, 0, 0, 0 };
  int pos;

  g_return_val_if_fail (self != NULL, FALSE);

  pos = item_position (self, &probe);
  if (pos < 0)
    return FALSE;
  if (out)
    *out = g_array_index (self->items, TrajChartItem, pos);
  return TRUE;
}

gboolean
traj_chart_layout_find_item (const TrajChartLayout *self,
                             TrajChartItemKind      kind,
                             gint64                 record_id,
                             TrajChartItem         *out)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint k = 0; k < self->items->len; k++)
    {
      const TrajChartItem *it = &g_array_index (self->items, TrajChartItem, k);
      if (it->kind == kind && it->record_id == record_id)
        {
          if (out)
            *out = *it;
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- drawing ------------------------------------------------------------- */

typedef struct {
  cairo_t *cr;
  const TrajChartPalette *palette;
  double scale;                  /* device pixels per user unit */
} Ctx;

/* Where a line @width user units wide must sit to cover whole device pixels. */
static double
snap (const Ctx *c, double v, double width)
{
  double dev = round (width * c->scale);

  if (((int) dev) % 2 == 1)
    return (floor (v * c->scale) + 0.5) / c->scale;
  return round (v * c->scale) / c->scale;
}

/* One device pixel, at most one user unit. */
static double
hairline (const Ctx *c)
{
  return 1.0 / MAX (c->scale, 1.0);
}

static void
path_triangle (cairo_t *cr, double x, double y, double s)
{
  cairo_move_to (cr, x, y - s * 0.55);
  cairo_line_to (cr, x + s * 0.55, y + s * 0.45);
  cairo_line_to (cr, x - s * 0.55, y + s * 0.45);
  cairo_close_path (cr);
}

static void
path_diamond (cairo_t *cr, double x, double y, double s)
{
  cairo_move_to (cr, x, y - s * 0.62);
  cairo_line_to (cr, x + s * 0.5, y);
  cairo_line_to (cr, x, y + s * 0.62);
  cairo_line_to (cr, x - s * 0.5, y);
  cairo_close_path (cr);
}

static void
path_pin (cairo_t *cr, double x, double y, double r)
{
  /* A drop: round head, point down. */
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, r, M_PI * 0.75, M_PI * 2.25);
  cairo_line_to (cr, x, y + r * 2.1);
  cairo_close_path (cr);
}

static void
draw_mark (const Ctx *c, MarkShape shape, Role role, double x, double y, double s, double alpha)
{
  cairo_t *cr = c->cr;

  cairo_new_path (cr);
  switch (shape)
    {
    case MARK_TRIANGLE:
      path_triangle (cr, x, y, s);
      set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      break;
    case MARK_DIAMOND:
      path_diamond (cr, x, y, s * 1.1);
      set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      break;
    case MARK_DOT:
      cairo_arc (cr, x, y, s / 2, 0, 2 * M_PI);
      set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      break;
    case MARK_RING:
      cairo_arc (cr, x, y, s * 0.28, 0, 2 * M_PI);
      set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      cairo_arc (cr, x, y, s * 0.55, 0, 2 * M_PI);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      break;
    case MARK_HOLLOW_DIAMOND:
      path_diamond (cr, x, y, s);
      set_source (cr, c->palette, ROLE_BG, 1.0);
      cairo_fill_preserve (cr);
      set_source (cr, c->palette, role, alpha * 0.75);
      cairo_set_line_width (cr, 1.25);
      cairo_stroke (cr);
      break;
    case MARK_PIN:
    case MARK_HOLLOW_PIN:
      path_pin (cr, x, y - s * 0.15, s * 0.36);
      if (shape == MARK_PIN)
        {
          set_source (cr, c->palette, role, alpha);
          cairo_fill (cr);
          cairo_arc (cr, x, y - s * 0.15, s * 0.13, 0, 2 * M_PI);
          set_source (cr, c->palette, ROLE_BG, 1.0);
          cairo_fill (cr);
        }
      else
        {
          set_source (cr, c->palette, ROLE_BG, 1.0);
          cairo_fill_preserve (cr);
          set_source (cr, c->palette, role, alpha * 0.8);
          cairo_set_line_width (cr, 1.25);
          cairo_stroke (cr);
        }
      break;
    case MARK_LINE:
    case MARK_DASH:
      cairo_move_to (cr, x - s / 2, y);
      cairo_line_to (cr, x + s / 2, y);
      if (shape == MARK_DASH)
        {
          double dash[] = { 3, 2 };
          cairo_set_dash (cr, dash, 2, 0);
        }
      set_source (cr, c->palette, role, alpha);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      break;
    default:
      break;
    }
}

static void
band_color (const Ctx *c, guint b, guint n_bands, TrajChartColor *out)
{
  TrajChartColor from, to;
  double t = n_bands > 1 ? (double) b / (n_bands - 1) : 0;

  /* Mild in green, through amber, to severe in red. */
  if (t <= 0.5)
    {
      from = c->palette->success;
      to = c->palette->warning;
      t = t * 2;
    }
  else
    {
      from = c->palette->warning;
      to = c->palette->error;
      t = (t - 0.5) * 2;
    }
  out->red = from.red + (to.red - from.red) * t;
  out->green = from.green + (to.green - from.green) * t;
  out->blue = from.blue + (to.blue - from.blue) * t;
  out->alpha = c->palette->dark ? 0.065 : 0.07;
}

static void
draw_panel_background (TrajChartLayout *self, const Ctx *c, const Panel *p)
{
  cairo_t *cr = c->cr;
  const TrajScale *info = traj_chart_model_series (self->model, p->series)->info;
  double top = p->plot.y, bottom = p->plot.y + p->plot.height;

  cairo_save (cr);
  cairo_rectangle (cr, p->plot.x, p->plot.y, p->plot.width, p->plot.height);
  cairo_clip (cr);

  for (guint b = 0; b < info->n_bands; b++)
    {
      TrajChartColor col;
      double y0 = b + 1 == info->n_bands ? top : panel_y (p, info->bands[b].high + 0.5);
      double y1 = b == 0 ? bottom : panel_y (p, info->bands[b].low - 0.5);

      band_color (c, b, info->n_bands, &col);
      y0 = round (y0 * c->scale) / c->scale;
      y1 = round (y1 * c->scale) / c->scale;
      cairo_rectangle (cr, p->plot.x, y0, p->plot.width, y1 - y0);
      cairo_set_source_rgba (cr, col.red, col.green, col.blue, col.alpha);
      cairo_fill (cr);
    }

  /* Faint verticals at the ticks, and where each infusion was given. */
  cairo_set_line_width (cr, hairline (c));
  for (guint k = 0; k < self->xticks->len; k++)
    {
      double x = snap (c, g_array_index (self->xticks, double, k), hairline (c));
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, bottom);
    }
  set_source (cr, c->palette, ROLE_FG, 0.07);
  cairo_stroke (cr);

  if (self->inf_x->len > 0 && (self->plot_right - self->plot_left) / self->inf_x->len >= 4)
    {
      for (int phase = 0; phase < TRAJ_N_PHASES; phase++)
        {
          gboolean any = FALSE;
          for (guint k = 0; k < self->inf_x->len; k++)
            {
              const TrajChartInfusion *inf = &g_array_index (self->model->infusions, TrajChartInfusion, k);
              double x;
              if ((int) inf->phase != phase)
                continue;
              x = snap (c, g_array_index (self->inf_x, double, k), hairline (c));
              cairo_move_to (cr, x, top);
              cairo_line_to (cr, x, bottom);
              any = TRUE;
            }
          if (any)
            {
              set_source (cr, c->palette, phase_role ((TrajPhase) phase), c->palette->dark ? 0.22 : 0.16);
              cairo_stroke (cr);
            }
        }
    }
  cairo_restore (cr);
}

static void
draw_panel_refs (TrajChartLayout *self, const Ctx *c, const Panel *p)
{
  cairo_t *cr = c->cr;
  double w = 1.0;

  cairo_save (cr);
  cairo_rectangle (cr, p->plot.x, p->plot.y, p->plot.width, p->plot.height);
  cairo_clip (cr);
  cairo_set_line_width (cr, w);
  for (guint k = 0; k < p->ref_lines->len; k++)
    {
      const RefLine *r = &g_array_index (p->ref_lines, RefLine, k);
      double y = snap (c, r->y, w);
      static const double dash_response[] = { 6, 3 };
      static const double dash_remission[] = { 2, 3 };

      cairo_move_to (cr, r->x0, y);
      cairo_line_to (cr, r->x1, y);
      switch (r->kind)
        {
        case REF_BASELINE:
          cairo_set_dash (cr, NULL, 0, 0);
          set_source (cr, c->palette, ROLE_FG, 0.55);
          break;
        case REF_RESPONSE:
          cairo_set_dash (cr, dash_response, 2, 0);
          set_source (cr, c->palette, ROLE_ACCENT, 0.9);
          break;
        case REF_REMISSION:
        default:
          cairo_set_line_width (cr, w * 1.5);
          cairo_set_dash (cr, dash_remission, 2, 0);
          set_source (cr, c->palette, ROLE_SUCCESS, 0.9);
          break;
        }
      cairo_stroke (cr);
      cairo_set_line_width (cr, w);
    }
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_restore (cr);
}

/* Raster targets get the dots stamped from a small pre-drawn image: a
 * hundred stamps cost what ten rasterised circles do. Vector targets (PDF,
 * SVG) and transformed ones get true circles. */
static gboolean
can_stamp (const Ctx *c)
{
  cairo_matrix_t m;

  if (cairo_surface_get_type (cairo_get_target (c->cr)) != CAIRO_SURFACE_TYPE_IMAGE)
    return FALSE;
  cairo_get_matrix (c->cr, &m);
  return m.xx == 1.0 && m.yy == 1.0 && m.xy == 0.0 && m.yx == 0.0;
}

typedef enum {
  STAMP_DOT,
  STAMP_TRIANGLE,
  STAMP_DIAMOND,
} StampShape;

/* @size: the radius of a dot, the width of a triangle or diamond. */
static cairo_surface_t *
make_stamp (const Ctx *c, StampShape shape, double size, Role role, double alpha, double *half)
{
  int n = (int) ceil ((size + 1) * 2 * c->scale);
  cairo_surface_t *s;
  cairo_t *cr;

  if (n % 2)
    n++;
  s = cairo_surface_create_similar_image (cairo_get_target (c->cr), CAIRO_FORMAT_ARGB32, n, n);
  cairo_surface_set_device_scale (s, c->scale, c->scale);
  *half = n / 2.0 / c->scale;
  cr = cairo_create (s);
  switch (shape)
    {
    case STAMP_TRIANGLE:
      path_triangle (cr, *half, *half, size);
      break;
    case STAMP_DIAMOND:
      path_diamond (cr, *half, *half, size);
      break;
    case STAMP_DOT:
    default:
      cairo_arc (cr, *half, *half, size, 0, 2 * M_PI);
      break;
    }
  set_source (cr, c->palette, role, alpha);
  cairo_fill (cr);
  cairo_destroy (cr);
  return s;
}

static void
stamp (const Ctx *c, cairo_surface_t *s, double half, double x, double y)
{
  x = round (x * c->scale) / c->scale;
  y = round (y * c->scale) / c->scale;
  cairo_set_source_surface (c->cr, s, x - half, y - half);
  cairo_rectangle (c->cr, x - half, y - half, 2 * half, 2 * half);
  cairo_fill (c->cr);
}

static void
draw_dots (const Ctx *c, GArray *pts, const TrajChartSeries *s, double r, gboolean halo)
{
  cairo_t *cr = c->cr;
  double radius = halo ? r + 1.25 : r;
  Role role = halo ? ROLE_BG : ROLE_FG;
  double alpha = halo ? 1.0 : 0.9;

  if (can_stamp (c))
    {
      double half;
      cairo_surface_t *dot = make_stamp (c, STAMP_DOT, radius, role, alpha, &half);

      for (guint k = 0; k < pts->len; k++)
        {
          const Pt *pt = &g_array_index (pts, Pt, k);
          if (!halo && g_array_index (s->points, TrajChartPoint, k).item9 > 0)
            continue;
          stamp (c, dot, half, pt->x, pt->y);
        }
      cairo_surface_destroy (dot);
      return;
    }
  for (guint k = 0; k < pts->len; k++)
    {
      const Pt *pt = &g_array_index (pts, Pt, k);
      if (!halo && g_array_index (s->points, TrajChartPoint, k).item9 > 0)
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, pt->x, pt->y, radius, 0, 2 * M_PI);
    }
  set_source (cr, c->palette, role, alpha);
  cairo_fill (cr);
}

static void
draw_panel_data (TrajChartLayout *self, const Ctx *c, const Panel *p)
{
  cairo_t *cr = c->cr;
  const TrajChartSeries *s = traj_chart_model_series (self->model, p->series);
  double r = p->radius;
  gint64 gap_limit = 60 * 86400;
  gboolean any_gap = FALSE;

  if (p->pts->len == 0)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, p->plot.x, p->plot.y, p->plot.width, p->plot.height);
  cairo_clip (cr);
  cairo_set_tolerance (cr, 0.25);

  /* The score line, a segment at a time: each joint lies under a dot, and
   * short strokes rasterise much faster than one long zigzag. Long gaps (no
   * score for two months) are dotted. */
  cairo_set_line_width (cr, r >= 3 ? 2.0 : 1.5);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  set_source (cr, c->palette, ROLE_FG, 0.8);
  for (guint k = 1; k < p->pts->len; k++)
    {
      const Pt *a = &g_array_index (p->pts, Pt, k - 1), *b = &g_array_index (p->pts, Pt, k);

      if (g_array_index (s->points, TrajChartPoint, k).at -
          g_array_index (s->points, TrajChartPoint, k - 1).at > gap_limit)
        {
          any_gap = TRUE;
          continue;
        }
      cairo_move_to (cr, a->x, a->y);
      cairo_line_to (cr, b->x, b->y);
      cairo_stroke (cr);
    }
  if (any_gap)
    {
      static const double dots[] = { 1, 4 };
      for (guint k = 1; k < p->pts->len; k++)
        if (g_array_index (s->points, TrajChartPoint, k).at -
            g_array_index (s->points, TrajChartPoint, k - 1).at > gap_limit)
          {
            const Pt *a = &g_array_index (p->pts, Pt, k - 1), *b = &g_array_index (p->pts, Pt, k);
            cairo_move_to (cr, a->x, a->y);
            cairo_line_to (cr, b->x, b->y);
          }
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_dash (cr, dots, 2, 0);
      set_source (cr, c->palette, ROLE_FG, 0.5);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  /* Points: halos in the background colour first, so a neighbour's halo
   * never bites into a dot, then the dots. */
  draw_dots (c, p->pts, s, r, TRUE);
  draw_dots (c, p->pts, s, r, FALSE);

  /* Safety: PHQ-9 item 9 above 0, a red dot in a red ring. */
  for (guint k = 0; k < p->pts->len; k++)
    {
      const Pt *pt = &g_array_index (p->pts, Pt, k);
      if (g_array_index (s->points, TrajChartPoint, k).item9 <= 0)
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, pt->x, pt->y, MAX (r, 2.5), 0, 2 * M_PI);
      set_source (cr, c->palette, ROLE_ERROR, 1.0);
      cairo_fill (cr);
      cairo_arc (cr, pt->x, pt->y, MAX (r, 2.5) + 2.75, 0, 2 * M_PI);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
draw_lane (TrajChartLayout *self, const Ctx *c, const Panel *p)
{
  double s = self->fs * 0.8;

  if (p)
    for (guint k = 0; k < p->drafts->len; k++)
      {
        const Pt *pt = &g_array_index (p->drafts, Pt, k);
        draw_mark (c, MARK_HOLLOW_DIAMOND, ROLE_FG, pt->x, pt->y, s * 0.9, 1.0);
      }
  for (guint k = 0; k < self->pins->len; k++)
    {
      const Pin *pin = &g_array_index (self->pins, Pin, k);
      const TrajChartFinding *f = &g_array_index (self->model->findings, TrajChartFinding, pin->finding);

      if ((p && pin->row != (int) (p - self->panels)) || (!p && pin->row != (int) self->n_panels))
        continue;
      draw_mark (c, f->open ? MARK_PIN : MARK_HOLLOW_PIN, finding_role (f->kind), pin->x, pin->y, s * 1.15, 1.0);
    }
}

static void
draw_strip (TrajChartLayout *self, const Ctx *c)
{
  cairo_t *cr = c->cr;
  double cy = self->strip.y + self->strip.height / 2;

  cairo_save (cr);
  cairo_rectangle (cr, self->strip.x, self->strip.y, self->strip.width, self->strip.height);
  cairo_clip (cr);
  /* Same-phase markers stamped, or in one path each. */
  for (int phase = 0; phase < TRAJ_N_PHASES && can_stamp (c); phase++)
    {
      double half;
      double size = phase == TRAJ_PHASE_BOOSTER ? self->inf_size * 1.15 : self->inf_size;
      cairo_surface_t *mark = make_stamp (c, phase == TRAJ_PHASE_BOOSTER ? STAMP_DIAMOND : STAMP_TRIANGLE,
                                          size, phase_role ((TrajPhase) phase), 1.0, &half);

      for (guint k = 0; k < self->inf_x->len; k++)
        if ((int) g_array_index (self->model->infusions, TrajChartInfusion, k).phase == phase)
          stamp (c, mark, half, g_array_index (self->inf_x, double, k), cy);
      cairo_surface_destroy (mark);
    }
  for (int phase = 0; phase < TRAJ_N_PHASES && !can_stamp (c); phase++)
    {
      gboolean any = FALSE;
      for (guint k = 0; k < self->inf_x->len; k++)
        {
          const TrajChartInfusion *inf = &g_array_index (self->model->infusions, TrajChartInfusion, k);
          double x = g_array_index (self->inf_x, double, k);

          if ((int) inf->phase != phase)
            continue;
          if (phase == TRAJ_PHASE_BOOSTER)
            path_diamond (cr, x, cy, self->inf_size * 1.15);
          else
            path_triangle (cr, x, cy, self->inf_size);
          any = TRUE;
        }
      if (any)
        {
          set_source (cr, c->palette, phase_role ((TrajPhase) phase), 1.0);
          cairo_fill (cr);
        }
    }
  /* Monitoring events: a ring in the error colour. */
  for (guint k = 0; k < self->inf_x->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (self->model->infusions, TrajChartInfusion, k);
      if (!inf->monitoring)
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, g_array_index (self->inf_x, double, k), cy, self->inf_size * 0.8, 0, 2 * M_PI);
    }
  set_source (cr, c->palette, ROLE_ERROR, 1.0);
  cairo_set_line_width (cr, 1.25);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_axes (TrajChartLayout *self, const Ctx *c)
{
  cairo_t *cr = c->cr;
  double w = hairline (c);

  cairo_set_line_width (cr, w);
  for (guint i = 0; i < self->n_panels; i++)
    {
      const Panel *p = &self->panels[i];
      double x = snap (c, p->plot.x, w);
      double yb = snap (c, p->plot.y + p->plot.height, w);

      cairo_move_to (cr, x, p->plot.y);
      cairo_line_to (cr, x, p->plot.y + p->plot.height);
      cairo_move_to (cr, p->plot.x, yb);
      cairo_line_to (cr, p->plot.x + p->plot.width, yb);
    }
  set_source (cr, c->palette, ROLE_FG, 0.3);
  cairo_stroke (cr);

  /* Tick marks under the strip (or the last panel). */
  for (guint k = 0; k < self->xticks->len; k++)
    {
      double x = snap (c, g_array_index (self->xticks, double, k), w);
      cairo_move_to (cr, x, self->axis_y - 4);
      cairo_line_to (cr, x, self->axis_y - 1);
    }
  set_source (cr, c->palette, ROLE_FG, 0.4);
  cairo_stroke (cr);

  /* Connectors from threshold lines to their labels. */
  for (guint k = 0; k < self->connectors->len; k++)
    {
      const Connector *cn = &g_array_index (self->connectors, Connector, k);
      cairo_move_to (cr, cn->x0, snap (c, cn->y0, 1.0));
      cairo_line_to (cr, cn->x0 + 3, snap (c, cn->y0, 1.0));
      cairo_line_to (cr, cn->x1, cn->y1);
      cairo_set_line_width (cr, 1.0);
      set_source (cr, c->palette, cn->role, 0.6);
      cairo_stroke (cr);
    }
}

static void
draw_labels (TrajChartLayout *self, const Ctx *c)
{
  cairo_t *cr = c->cr;

  for (guint k = 0; k < self->labels->len; k++)
    {
      const Label *l = &g_array_index (self->labels, Label, k);

      if (l->pl == NULL)
        continue;
      cairo_move_to (cr, round (l->x * c->scale) / c->scale, round (l->y * c->scale) / c->scale);
      set_source (cr, c->palette, l->role, l->alpha);
      pango_cairo_show_layout (cr, l->pl);
    }
  for (guint k = 0; k < self->legend->len; k++)
    {
      const LegendMark *m = &g_array_index (self->legend, LegendMark, k);
      draw_mark (c, m->shape, m->role, m->x, m->y, m->shape == MARK_PIN ? self->fs * 0.95 : self->fs * 0.75, 1.0);
    }
}

void
traj_chart_draw (TrajChartLayout        *self,
                 cairo_t                *cr,
                 const TrajChartPalette *palette)
{
  Ctx c = { cr, palette, 1.0 };
  double dx = 1, dy = 0, sx = 1, sy = 1;
  TrajChartLayers layers;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (palette != NULL);

  layers = self->options.layers;
  cairo_user_to_device_distance (cr, &dx, &dy);
  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);
  c.scale = MAX (hypot (dx, dy) * sx, 0.25);

  cairo_save (cr);
  if ((layers & TRAJ_CHART_LAYER_BACKGROUND) && palette->background.alpha > 0)
    {
      set_source (cr, palette, ROLE_BG, palette->background.alpha);
      cairo_rectangle (cr, 0, 0, self->width, self->height);
      cairo_fill (cr);
    }
  if (!self->empty)
    {
      for (guint i = 0; i < self->n_panels; i++)
        {
          const Panel *p = &self->panels[i];

          if (layers & TRAJ_CHART_LAYER_BACKGROUND)
            draw_panel_background (self, &c, p);
          if (layers & TRAJ_CHART_LAYER_REFERENCE)
            draw_panel_refs (self, &c, p);
          if (layers & TRAJ_CHART_LAYER_DATA)
            draw_panel_data (self, &c, p);
          if ((layers & TRAJ_CHART_LAYER_PINS) && p->has_lane)
            draw_lane (self, &c, p);
        }
      if (self->has_strip && (layers & TRAJ_CHART_LAYER_DATA))
        draw_strip (self, &c);
      if (self->has_strip_lane && (layers & TRAJ_CHART_LAYER_PINS))
        draw_lane (self, &c, NULL);
      if (layers & TRAJ_CHART_LAYER_TEXT)
        draw_axes (self, &c);
    }
  if (layers & TRAJ_CHART_LAYER_TEXT)
    draw_labels (self, &c);
  cairo_restore (cr);
}

static double
item_radius (const TrajChartLayout *self, const TrajChartItem *item)
{
  switch (item->kind)
    {
    case TRAJ_CHART_ITEM_SCORE:
      return (item->row >= 0 && (guint) item->row < self->n_panels ? self->panels[item->row].radius : 3) + 3.5;
    case TRAJ_CHART_ITEM_INFUSION:
      return self->inf_size * 0.75 + 3;
    case TRAJ_CHART_ITEM_DRAFT:
    case TRAJ_CHART_ITEM_FINDING:
    case TRAJ_CHART_ITEM_NONE:
    default:
      return self->fs * 0.55 + 2;
    }
}

void
traj_chart_draw_highlight (TrajChartLayout        *self,
                           cairo_t                *cr,
                           const TrajChartPalette *palette,
                           const TrajChartItem    *item,
                           gboolean                selected,
                           gboolean                callout)
{
  double r;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  if (item == NULL || item->kind == TRAJ_CHART_ITEM_NONE)
    return;
  r = item_radius (self, item);

  cairo_save (cr);
  cairo_new_path (cr);
  cairo_arc (cr, item->x, item->y, r, 0, 2 * M_PI);
  cairo_set_source_rgba (cr, palette->accent.red, palette->accent.green, palette->accent.blue,
                         selected ? 0.25 : 0.0);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, palette->accent.red, palette->accent.green, palette->accent.blue, 1.0);
  cairo_set_line_width (cr, 2.0);
  cairo_stroke (cr);

  if (callout)
    {
      g_autofree char *text = traj_chart_model_describe_item (self->model, item);
      PangoLayout *pl = pango_layout_new (self->pango);
      double pad = 7, bw, bh, bx, by;
      int tw, th;
      TrajChartColor bg = role_color (palette, ROLE_BG);

      pango_layout_set_font_description (pl, self->font_small);
      pango_layout_set_width (pl, (int) (MIN (self->fs * 26, self->width - 4 * pad) * PANGO_SCALE));
      pango_layout_set_wrap (pl, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_text (pl, text, -1);
      /* First line (the value) in bold. */
      {
        PangoAttrList *attrs = pango_attr_list_new ();
        PangoAttribute *bold = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
        const char *nl = strchr (text, '\n');
        bold->start_index = 0;
        bold->end_index = nl ? (guint) (nl - text) : (guint) strlen (text);
        pango_attr_list_insert (attrs, bold);
        pango_layout_set_attributes (pl, attrs);
        pango_attr_list_unref (attrs);
      }
      pango_layout_get_pixel_size (pl, &tw, &th);
      bw = tw + 2 * pad;
      bh = th + 2 * pad;
      if (item->row >= (int) self->n_panels)
        {
          /* Infusions sit on the axis: the box goes above, over the data
           * rather than over the dates. */
          bx = item->x - bw / 2;
          by = item->y - r - 8 - bh;
        }
      else
        {
          /* Beside the point, on the side with room. */
          bx = item->x + r + 8;
          if (bx + bw > self->width - 2)
            bx = item->x - r - 8 - bw;
          by = item->y - bh / 2;
        }
      bx = CLAMP (bx, 2, MAX (2, self->width - bw - 2));
      by = CLAMP (by, 2, MAX (2, self->height - bh - 2));

      cairo_new_path (cr);
      {
        double rad = 6;
        cairo_new_sub_path (cr);
        cairo_arc (cr, bx + bw - rad, by + rad, rad, -M_PI / 2, 0);
        cairo_arc (cr, bx + bw - rad, by + bh - rad, rad, 0, M_PI / 2);
        cairo_arc (cr, bx + rad, by + bh - rad, rad, M_PI / 2, M_PI);
        cairo_arc (cr, bx + rad, by + rad, rad, M_PI, 1.5 * M_PI);
        cairo_close_path (cr);
      }
      cairo_set_source_rgba (cr, bg.red, bg.green, bg.blue, 0.97);
      cairo_fill_preserve (cr);
      set_source (cr, palette, ROLE_FG, 0.25);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
      cairo_move_to (cr, round (bx + pad), round (by + pad));
      set_source (cr, palette, ROLE_FG, 1.0);
      pango_cairo_show_layout (cr, pl);
      g_object_unref (pl);
    }
  cairo_restore (cr);
}

void
traj_chart_render (TrajChartModel         *model,
                   const TrajChartOptions *options,
                   const TrajChartPalette *palette,
                   cairo_t                *cr,
                   double                  width,
                   double                  height)
{
  g_autoptr(TrajChartLayout) layout = NULL;

  g_return_if_fail (model != NULL);
  g_return_if_fail (cr != NULL);

  layout = traj_chart_layout_new (model, options, width, height);
  traj_chart_draw (layout, cr, palette);
}
