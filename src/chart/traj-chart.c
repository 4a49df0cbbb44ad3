/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient chart's layout: options and palette, text, the layout's
 * frame (title, margins, bottom rows) and its queries, hit testing and
 * keyboard navigation. The layers, axes, legend and drawing are in
 * traj-chart-{layers,axis,legend,draw}.c. */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-chart-layout-private.h"

G_DEFINE_ENUM_TYPE (TrajChartAxis, traj_chart_axis,
  G_DEFINE_ENUM_VALUE (TRAJ_CHART_AXIS_DATE, "date"),
  G_DEFINE_ENUM_VALUE (TRAJ_CHART_AXIS_INFUSION, "infusion"))

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

TrajChartColor
traj_chart_role_color (const TrajChartPalette *p, Role role)
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

void
traj_chart_set_source (cairo_t *cr, const TrajChartPalette *p, Role role, double alpha)
{
  TrajChartColor c = traj_chart_role_color (p, role);
  cairo_set_source_rgba (cr, c.red, c.green, c.blue, c.alpha * alpha);
}

Role
traj_chart_phase_role (TrajPhase phase)
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

Role
traj_chart_finding_role (TrajFindingKind kind)
{
  switch (kind)
    {
    case TRAJ_FINDING_BOOSTER: return ROLE_BOOSTER;
    /* The colours of the finding cards above the chart: advice in the
     * accent colour, a monitoring event in the warning colour, safety red. */
    case TRAJ_FINDING_NO_RESPONSE: return ROLE_ACCENT;
    case TRAJ_FINDING_MONITORING: return ROLE_WARNING;
    case TRAJ_FINDING_SAFETY:
    case TRAJ_N_FINDING_KINDS:
    default:
      return ROLE_ERROR;
    }
}

double
traj_chart_layout_text_width (TrajChartLayout *self, const PangoFontDescription *font, const char *text)
{
  double w;
  g_object_unref (traj_chart_fonts_layout (&self->fonts, font, text, 0, &w, NULL));
  return w;
}

double
traj_chart_layout_line_height (TrajChartLayout *self, const PangoFontDescription *font)
{
  double h;
  g_object_unref (traj_chart_fonts_layout (&self->fonts, font, "0", 0, NULL, &h));
  return h;
}

Label *
traj_chart_layout_add_label (TrajChartLayout            *self,
           const PangoFontDescription *font,
           const char                 *text,
           double                      x,
           double                      y,
           Role                        role,
           double                      alpha)
{
  Label l = { 0 };

  l.pl = traj_chart_fonts_layout (&self->fonts, font, text, 0, &l.w, &l.h);
  l.x = x;
  l.y = y;
  l.role = role;
  l.alpha = alpha;
  g_array_append_val (self->labels, l);
  return &g_array_index (self->labels, Label, self->labels->len - 1);
}

void
traj_chart_layout_drop_label (TrajChartLayout *self)
{
  g_array_set_size (self->labels, self->labels->len - 1);
}

static void
label_clear (gpointer data)
{
  Label *l = data;
  g_clear_object (&l->pl);
}

gboolean
traj_chart_layout_label_overlaps (TrajChartLayout *self, double x, double y, double w, double h, guint from)
{
  for (guint i = from; i < self->labels->len; i++)
    {
      const Label *l = &g_array_index (self->labels, Label, i);
      if (traj_chart_rects_overlap (x, y, w, h, l->x, l->y, l->w, l->h))
        return TRUE;
    }
  return FALSE;
}

double
traj_chart_layout_x_for (const TrajChartLayout *self,
                         double                 value)
{
  if (self->d1 <= self->d0)
    return (self->plot_left + self->plot_right) / 2;
  return self->plot_left + (value - self->d0) / (self->d1 - self->d0) * (self->plot_right - self->plot_left);
}

double
traj_chart_layout_y_for (const TrajChartLayout *self,
                         guint                  panel,
                         double                 score)
{
  g_return_val_if_fail (panel < self->n_panels, 0);
  return traj_chart_panel_y (&self->panels[panel], score);
}

double
traj_chart_layout_x_of_time (const TrajChartLayout *self, gint64 t, double xi)
{
  return traj_chart_layout_x_for (self, self->axis == TRAJ_CHART_AXIS_DATE ? (double) t : xi);
}

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

/* Margins: y tick labels on the left, threshold labels on the right. */
static void
layout_margins (TrajChartLayout *self, double pad)
{
  const TrajChartModel *model = self->model;
  double left_w, right_w;

  left_w = ceil (traj_chart_layout_text_width (self, self->fonts.small, "88") + 10);
  for (guint i = 0; i < model->series->len; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      char text[16];
      g_snprintf (text, sizeof text, "%d", s->info->total_max);
      left_w = MAX (left_w, ceil (traj_chart_layout_text_width (self, self->fonts.small, text) + 10));
    }
  left_w += pad;
  right_w = 0;
  if (model->series->len > 0)
    {
      /* As wide as the widest threshold label this chart can have. */
      g_autofree char *b = g_strdup_printf (_("Baseline %d"), 88);
      g_autofree char *r = g_strdup_printf (_("Response ≤ %d"), 88);
      g_autofree char *m = g_strdup_printf (_("Remission ≤ %d"), 88);
      right_w = MAX (traj_chart_layout_text_width (self, self->fonts.small, b),
                     traj_chart_layout_text_width (self, self->fonts.small, r));
      right_w = MAX (right_w, traj_chart_layout_text_width (self, self->fonts.small, m));
      right_w = ceil (right_w + 12);
      if (right_w > self->width * 0.25)
        right_w = 8;
    }
  right_w += pad;
  self->plot_left = round (left_w);
  self->plot_right = round (MAX (self->width - right_w, self->plot_left + 10));
}

/* Bottom up: tick labels, a second row (years, or the axis name), then the
 * infusion strip and its lane. Returns the bottom of the panels. */
static double
layout_bottom (TrajChartLayout *self, double bottom, double small_h)
{
  const TrajChartModel *model = self->model;
  double axis_h = 4 + small_h + 1 + small_h;
  double strip_h, strip_lane_h = 0;

  bottom -= axis_h;
  self->axis_y = bottom + 4;
  if (model->infusions->len == 0)
    return bottom;

  /* CLINICAL.md §8: dissociation and sedation per infusion, in a strip of
   * their own under the infusions, never in a score panel. */
  if (traj_chart_model_has_tolerability (model))
    {
      double tol_h = round (self->fs * 3.0);

      bottom = round (bottom - (tol_h + 4));
      self->has_tolerability = TRUE;
      self->tolerability = (cairo_rectangle_t) { self->plot_left, bottom + 4, self->plot_right - self->plot_left, tol_h };
    }
  self->has_strip = TRUE;
  strip_h = round (self->fs * 1.25);
  for (guint k = 0; k < model->findings->len; k++)
    if (g_array_index (model->findings, TrajChartFinding, k).series < 0)
      strip_lane_h = round (self->fs * 1.1);
  self->has_strip_lane = strip_lane_h > 0;
  bottom = round (bottom - (strip_h + strip_lane_h + 4));
  self->strip_lane = (cairo_rectangle_t) { self->plot_left, bottom + 4, self->plot_right - self->plot_left, strip_lane_h };
  self->strip = (cairo_rectangle_t) { self->plot_left, bottom + 4 + strip_lane_h, self->plot_right - self->plot_left, strip_h };
  return bottom;
}

static TrajChartLayout *
layout_alloc (TrajChartModel         *model,
              const TrajChartOptions *options,
              double                  width,
              double                  height)
{
  TrajChartLayout *self = g_new0 (TrajChartLayout, 1);

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
  traj_chart_fonts_init (&self->fonts, self->font_family, self->fs, 1.2);
  return self;
}

TrajChartLayout *
traj_chart_layout_new (TrajChartModel         *model,
                       const TrajChartOptions *options,
                       double                  width,
                       double                  height)
{
  TrajChartLayout *self;
  TrajChartOptions defaults;
  double pad, small_h, y, bottom, legend_h;

  g_return_val_if_fail (model != NULL, NULL);

  if (options == NULL)
    {
      traj_chart_options_init (&defaults);
      options = &defaults;
    }
  self = layout_alloc (model, options, width, height);

  pad = round (self->fs * 0.75);
  small_h = traj_chart_layout_line_height (self, self->fonts.small);
  y = pad;
  bottom = self->height - pad;

  if (options->show_title && model->patient_name)
    y = traj_chart_layout_title (self, y, pad);

  if (traj_chart_model_is_empty (model))
    {
      Label *l = traj_chart_layout_add_label (self, self->fonts.body, _("No scores or infusions recorded yet"),
                                              0, 0, ROLE_FG, 0.6);
      self->empty = TRUE;
      l->x = (self->width - l->w) / 2;
      l->y = y + (bottom - y - l->h) / 2;
      return self;
    }

  layout_margins (self, pad);

  /* Legend rows on top. */
  legend_h = traj_chart_layout_legend (self, y, small_h);
  if (legend_h > 0)
    y += legend_h + 6 + pad * 0.5;

  bottom = layout_bottom (self, bottom, small_h);
  compute_domain (self, self->plot_right - self->plot_left);

  traj_chart_layout_panels (self, y, bottom);
  traj_chart_layout_infusions (self);
  traj_chart_layout_tolerability (self);
  traj_chart_layout_x_axis (self, self->axis_y, self->axis_y + small_h + 1);
  traj_chart_layout_items (self);

  return self;
}

void
traj_chart_layout_free (TrajChartLayout *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n_panels; i++)
    traj_chart_panel_clear (&self->panels[i]);
  g_free (self->panels);
  g_array_unref (self->labels);
  g_array_unref (self->connectors);
  g_array_unref (self->legend);
  g_array_unref (self->pins);
  g_array_unref (self->items);
  g_array_unref (self->xticks);
  g_array_unref (self->inf_x);
  traj_chart_fonts_clear (&self->fonts);
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

/* What the legend explains, in order: one text per mark it shows. */
guint
traj_chart_layout_get_n_legend (const TrajChartLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->legend->len;
}

const char *
traj_chart_layout_get_legend_text (const TrajChartLayout *self,
                                   guint                  index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->legend->len, NULL);
  return g_array_index (self->legend, LegendMark, index).text;
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

gboolean
traj_chart_layout_shows_text (const TrajChartLayout *self,
                              const char            *text)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  for (guint k = 0; k < self->labels->len; k++)
    if (g_str_equal (pango_layout_get_text (g_array_index (self->labels, Label, k).pl), text))
      return TRUE;
  return FALSE;
}

/* ---- hit testing and navigation ------------------------------------------ */

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
