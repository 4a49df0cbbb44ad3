/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-cohort-chart-private.h"

/* ---- colours ----------------------------------------------------------------- */

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
  path_shape (cr, cc_series_styles[style % TRAJ_COHORT_CHART_MAX_SERIES].shape, x, y, r);
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
  guint n = cc_series_styles[style % TRAJ_COHORT_CHART_MAX_SERIES].n_dash;

  for (guint k = 0; k < n; k++)
    dash[k] = cc_series_styles[style % TRAJ_COHORT_CHART_MAX_SERIES].dash[k] * self->lw;
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

