/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drawing a laid-out chart with cairo, on screen or on paper. */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>


#include "traj-chart-layout-private.h"

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
      traj_chart_set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      break;
    case MARK_DIAMOND:
      path_diamond (cr, x, y, s * 1.1);
      traj_chart_set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      break;
    case MARK_DOT:
      cairo_arc (cr, x, y, s / 2, 0, 2 * M_PI);
      traj_chart_set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      break;
    case MARK_RING:
      cairo_arc (cr, x, y, s * 0.28, 0, 2 * M_PI);
      traj_chart_set_source (cr, c->palette, role, alpha);
      cairo_fill (cr);
      cairo_arc (cr, x, y, s * 0.55, 0, 2 * M_PI);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      break;
    case MARK_HOLLOW_DIAMOND:
      path_diamond (cr, x, y, s);
      traj_chart_set_source (cr, c->palette, ROLE_BG, 1.0);
      cairo_fill_preserve (cr);
      traj_chart_set_source (cr, c->palette, role, alpha * 0.75);
      cairo_set_line_width (cr, 1.25);
      cairo_stroke (cr);
      break;
    case MARK_PIN:
    case MARK_HOLLOW_PIN:
      path_pin (cr, x, y - s * 0.15, s * 0.36);
      if (shape == MARK_PIN)
        {
          traj_chart_set_source (cr, c->palette, role, alpha);
          cairo_fill (cr);
          cairo_arc (cr, x, y - s * 0.15, s * 0.13, 0, 2 * M_PI);
          traj_chart_set_source (cr, c->palette, ROLE_BG, 1.0);
          cairo_fill (cr);
        }
      else
        {
          traj_chart_set_source (cr, c->palette, ROLE_BG, 1.0);
          cairo_fill_preserve (cr);
          traj_chart_set_source (cr, c->palette, role, alpha * 0.8);
          cairo_set_line_width (cr, 1.25);
          cairo_stroke (cr);
        }
      break;
    case MARK_CIRCLE:
      cairo_arc (cr, x, y, s * 0.3, 0, 2 * M_PI);
      traj_chart_set_source (cr, c->palette, role, alpha * 0.45);
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);
      break;
    case MARK_BAR:
      cairo_rectangle (cr, x - s * 0.2, y - s * 0.5, s * 0.4, s);
      traj_chart_set_source (cr, c->palette, role, alpha * 0.7);
      cairo_fill (cr);
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
      traj_chart_set_source (cr, c->palette, role, alpha);
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
      double y0 = b + 1 == info->n_bands ? top : traj_chart_panel_y (p, info->bands[b].high + 0.5);
      double y1 = b == 0 ? bottom : traj_chart_panel_y (p, info->bands[b].low - 0.5);

      band_color (c, b, info->n_bands, &col);
      y0 = round (y0 * c->scale) / c->scale;
      y1 = round (y1 * c->scale) / c->scale;
      cairo_rectangle (cr, p->plot.x, y0, p->plot.width, y1 - y0);
      cairo_set_source_rgba (cr, col.red, col.green, col.blue, col.alpha);
      cairo_fill (cr);
    }

  /* Faint verticals at the ticks, and where each infusion was given. */
  cairo_set_line_width (cr, traj_chart_hairline (c));
  for (guint k = 0; k < self->xticks->len; k++)
    {
      double x = traj_chart_snap (c, g_array_index (self->xticks, double, k), traj_chart_hairline (c));
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, bottom);
    }
  traj_chart_set_source (cr, c->palette, ROLE_FG, 0.07);
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
              x = traj_chart_snap (c, g_array_index (self->inf_x, double, k), traj_chart_hairline (c));
              cairo_move_to (cr, x, top);
              cairo_line_to (cr, x, bottom);
              any = TRUE;
            }
          if (any)
            {
              traj_chart_set_source (cr, c->palette, traj_chart_phase_role ((TrajPhase) phase), c->palette->dark ? 0.22 : 0.16);
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
      double y = traj_chart_snap (c, r->y, w);
      static const double dash_response[] = { 6, 3 };
      static const double dash_remission[] = { 2, 3 };

      cairo_move_to (cr, r->x0, y);
      cairo_line_to (cr, r->x1, y);
      switch (r->kind)
        {
        case REF_BASELINE:
          cairo_set_dash (cr, NULL, 0, 0);
          traj_chart_set_source (cr, c->palette, ROLE_FG, 0.55);
          break;
        case REF_RESPONSE:
          cairo_set_dash (cr, dash_response, 2, 0);
          traj_chart_set_source (cr, c->palette, ROLE_ACCENT, 0.9);
          break;
        case REF_REMISSION:
        default:
          cairo_set_line_width (cr, w * 1.5);
          cairo_set_dash (cr, dash_remission, 2, 0);
          traj_chart_set_source (cr, c->palette, ROLE_SUCCESS, 0.9);
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
  traj_chart_set_source (cr, c->palette, role, alpha);
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
  traj_chart_set_source (cr, c->palette, role, alpha);
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
  traj_chart_set_source (cr, c->palette, ROLE_FG, 0.8);
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
      traj_chart_set_source (cr, c->palette, ROLE_FG, 0.5);
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
      traj_chart_set_source (cr, c->palette, ROLE_ERROR, 1.0);
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
      draw_mark (c, f->open ? MARK_PIN : MARK_HOLLOW_PIN, traj_chart_finding_role (f->kind), pin->x, pin->y, s * 1.15, 1.0);
    }
}

/* CLINICAL.md §8, per infusion: the CADSS total as a bar from the strip's
 * floor, the lowest MOAA/S as a dot above it — filled in the warning
 * colour at 3 or less (sedation), in the error colour at 0 (no response),
 * hollow at 4 or 5. */
void
traj_chart_draw_tolerability (TrajChartLayout *self, const Ctx *c)
{
  cairo_t *cr = c->cr;
  const cairo_rectangle_t *r = &self->tolerability;
  double dot = MAX (5.0, self->inf_size * 0.75);
  double floor_y = r->y + r->height;
  double bar_top = r->y + dot + 2;
  double bar_w = CLAMP (self->inf_size * 0.45, 1.5, 5.0);
  double hair = traj_chart_hairline (c);

  cairo_save (cr);
  cairo_rectangle (cr, r->x - dot, r->y, r->width + 2 * dot, r->height);
  cairo_clip (cr);
  /* The floor, and the scale's top as a faint line. */
  traj_chart_set_source (cr, c->palette, ROLE_FG, 0.25);
  cairo_set_line_width (cr, hair);
  cairo_move_to (cr, r->x, traj_chart_snap (c, floor_y - hair / 2, hair));
  cairo_line_to (cr, r->x + r->width, traj_chart_snap (c, floor_y - hair / 2, hair));
  cairo_stroke (cr);
  for (guint k = 0; k < self->inf_x->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (self->model->infusions, TrajChartInfusion, k);
      double x = g_array_index (self->inf_x, double, k);

      if (inf->cadss > 0)
        {
          double h = (floor_y - bar_top) * MIN (1.0, inf->cadss / self->cadss_max);
          cairo_rectangle (cr, x - bar_w / 2, floor_y - h, bar_w, h);
        }
    }
  traj_chart_set_source (cr, c->palette, ROLE_ACCENT, 0.7);
  cairo_fill (cr);
  for (guint k = 0; k < self->inf_x->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (self->model->infusions, TrajChartInfusion, k);
      double x = g_array_index (self->inf_x, double, k);
      double y = r->y + dot / 2 + 1;

      if (inf->moaas < 0)
        continue;
      cairo_new_path (cr);
      cairo_arc (cr, x, y, dot / 2, 0, 2 * M_PI);
      if (inf->moaas <= TRAJ_MOAAS_SEDATED_MAX)
        {
          traj_chart_set_source (cr, c->palette, inf->moaas == 0 ? ROLE_ERROR : ROLE_WARNING, 1.0);
          cairo_fill (cr);
        }
      else
        {
          traj_chart_set_source (cr, c->palette, ROLE_FG, 0.45);
          cairo_set_line_width (cr, 1.0);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
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
                                          size, traj_chart_phase_role ((TrajPhase) phase), 1.0, &half);

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
          traj_chart_set_source (cr, c->palette, traj_chart_phase_role ((TrajPhase) phase), 1.0);
          cairo_fill (cr);
        }
    }
  /* Monitoring events: a ring in the warning colour, as their finding. */
  for (guint k = 0; k < self->inf_x->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (self->model->infusions, TrajChartInfusion, k);
      if (!inf->monitoring)
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, g_array_index (self->inf_x, double, k), cy, self->inf_size * 0.8, 0, 2 * M_PI);
    }
  traj_chart_set_source (cr, c->palette, ROLE_WARNING, 1.0);
  cairo_set_line_width (cr, 1.25);
  cairo_stroke (cr);
  cairo_restore (cr);
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
      traj_chart_set_source (cr, c->palette, l->role, l->alpha);
      pango_cairo_show_layout (cr, l->pl);
    }
  for (guint k = 0; k < self->legend->len; k++)
    {
      const LegendMark *m = &g_array_index (self->legend, LegendMark, k);
      draw_mark (c, m->shape, m->role, m->x, m->y, (m->shape == MARK_PIN || m->shape == MARK_HOLLOW_PIN) ? self->fs * 0.95 : self->fs * 0.75, 1.0);
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
      traj_chart_set_source (cr, palette, ROLE_BG, palette->background.alpha);
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
      if (self->has_tolerability && (layers & TRAJ_CHART_LAYER_DATA))
        traj_chart_draw_tolerability (self, &c);
      if (self->has_strip_lane && (layers & TRAJ_CHART_LAYER_PINS))
        draw_lane (self, &c, NULL);
      if (layers & TRAJ_CHART_LAYER_TEXT)
        traj_chart_draw_axes (self, &c);
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
      PangoLayout *pl = pango_layout_new (self->fonts.pango);
      double pad = 7, bw, bh, bx, by;
      int tw, th;
      TrajChartColor bg = traj_chart_role_color (palette, ROLE_BG);

      pango_layout_set_font_description (pl, self->fonts.small);
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
      traj_chart_set_source (cr, palette, ROLE_FG, 0.25);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);
      cairo_move_to (cr, round (bx + pad), round (by + pad));
      traj_chart_set_source (cr, palette, ROLE_FG, 1.0);
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
