/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-cohort-chart-private.h"

/* Okabe–Ito colours (told apart by the common colour-vision deficiencies),
 * each with its own point shape and dash pattern so the lines also part in
 * grey. Dashes are in line widths. */
const CcSeriesStyle cc_series_styles[TRAJ_COHORT_CHART_MAX_SERIES] = {
  { 0x0072b2, SHAPE_CIRCLE, 0, { 0 } },
  { 0xd55e00, SHAPE_SQUARE, 2, { 4, 2 } },
  { 0x009e73, SHAPE_TRIANGLE, 2, { 1, 1.6 } },
  { 0xcc79a7, SHAPE_DIAMOND, 4, { 5, 1.8, 1, 1.8 } },
  { 0xe69f00, SHAPE_TRIANGLE_DOWN, 2, { 8, 2.5 } },
  { 0x56b4e9, SHAPE_CROSS, 4, { 2.5, 1.5, 2.5, 4 } },
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
  guint32 rgb = cc_series_styles[index % TRAJ_COHORT_CHART_MAX_SERIES].rgb;
  double mix = palette && palette->dark ? 0.25 : 0.0;   /* lifted a little on dark backgrounds */

  g_return_if_fail (out != NULL);

  out->red = ((rgb >> 16) & 0xff) / 255.0 * (1 - mix) + mix;
  out->green = ((rgb >> 8) & 0xff) / 255.0 * (1 - mix) + mix;
  out->blue = (rgb & 0xff) / 255.0 * (1 - mix) + mix;
  out->alpha = 1.0;
}

/* ---- text ---------------------------------------------------------------- */

Label *
cc_add_label (TrajCohortChartLayout      *self,
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
  l.count_of = -1;
  g_array_append_val (self->labels, l);
  return &g_array_index (self->labels, Label, self->labels->len - 1);
}

double
cc_text_width (TrajCohortChartLayout *self, const PangoFontDescription *font, const char *text)
{
  double w;
  g_object_unref (traj_chart_fonts_layout (&self->fonts, font, text, 0, &w, NULL));
  return w;
}

double
cc_line_height (TrajCohortChartLayout *self, const PangoFontDescription *font)
{
  double h;
  g_object_unref (traj_chart_fonts_layout (&self->fonts, font, "0", 0, NULL, &h));
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

void
cc_add_rule (TrajCohortChartLayout *self, double x0, double y0, double x1, double y1, double alpha, gboolean dashed)
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
double
cc_nice_step (double range, int max_ticks, const double *steps, guint n_steps)
{
  for (guint i = 0; i < n_steps; i++)
    if (range / steps[i] <= max_ticks)
      return steps[i];
  return steps[n_steps - 1] * ceil (range / (steps[n_steps - 1] * max_ticks));
}

/* ---- legend and header ---------------------------------------------------- */

void
cc_legend_entry_clear (gpointer data)
{
  LegendEntry *e = data;
  g_free (e->text);
}

void
cc_add_entry (GArray *entries, int style, char *text)
{
  LegendEntry e = { text, style };
  g_array_append_val (entries, e);
}

/* Flows the entries left to right, wrapping to more rows; returns the height
 * used (or that would be, when @place is FALSE). */
double
cc_layout_legend (TrajCohortChartLayout *self, GArray *entries, double x0, double y, double w, gboolean place)
{
  double sample_w = self->fs * 2.4, gap = self->fs * 0.4, spacing = self->fs * 1.4;
  double row_h = cc_line_height (self, self->fonts.small) + self->fs * 0.25;
  double x = x0, top = y;

  if (entries->len == 0)
    return 0;
  for (guint k = 0; k < entries->len; k++)
    {
      const LegendEntry *e = &g_array_index (entries, LegendEntry, k);
      double tw = cc_text_width (self, self->fonts.small, e->text);
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
          l = cc_add_label (self, self->fonts.small, e->text, 0, tx, y, e->style >= 0 ? 0.9 : 0.6);
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

double
cc_layout_header (TrajCohortChartLayout *self, const char *title, const char *subtitle, const char *note,
               double pad)
{
  double y = pad, w = self->width - 2 * pad;

  if (self->options.show_title)
    {
      Label *l = cc_add_label (self, self->fonts.title, title, w, pad, y, 1.0);
      y += l->h + self->fs * 0.15;
      if (subtitle)
        {
          l = cc_add_label (self, self->fonts.small, subtitle, w, pad, y, 0.7);
          y += l->h;
        }
    }
  if (note)
    {
      Label *l = cc_add_label (self, self->fonts.bold, note, w, pad, y + self->fs * 0.2, 1.0);
      y += l->h + self->fs * 0.2;
    }
  return y + (y > pad ? self->fs * 0.5 : 0);
}

void
cc_layout_empty (TrajCohortChartLayout *self, double top, const char *message)
{
  double pad = round (self->fs * 0.75);
  Label *l;

  self->empty = TRUE;
  self->message_area.x = pad;
  self->message_area.y = top;
  self->message_area.width = MAX (self->width - 2 * pad, 1);
  self->message_area.height = MAX (self->height - pad - top, 1);
  l = cc_add_label (self, self->fonts.bold, message, self->message_area.width - 2 * self->fs, 0, 0, 1.0);
  /* Centred inside the wrapping width, which starts one em in. */
  pango_layout_set_alignment (l->pl, PANGO_ALIGN_CENTER);
  l->x = self->message_area.x + self->fs;
  l->y = self->message_area.y + (self->message_area.height - l->h) / 2;
}

/* ---- axes ------------------------------------------------------------------ */

void
cc_layout_y_ticks (TrajCohortChartLayout *self, const Panel *p, guint panel, double gutter_x)
{
  static const double steps[] = { 1, 2, 5, 10, 20, 25, 50 };
  double step = cc_nice_step (p->vmax - p->vmin, 7, steps, G_N_ELEMENTS (steps));

  for (double v = ceil (p->vmin / step) * step; v <= p->vmax + 1e-9; v += step)
    {
      double y = traj_cohort_chart_layout_y_for (self, panel, v);
      char text[32];
      Label *l;

      g_snprintf (text, sizeof text, "%g", v);
      l = cc_add_label (self, self->fonts.small, text, 0, 0, 0, 0.75);
      l->x = gutter_x - l->w;
      l->y = y - l->h / 2;
      cc_add_rule (self, p->plot.x, y, p->plot.x + p->plot.width, y, 0.1, FALSE);
    }
}

void
cc_layout_x_ticks (TrajCohortChartLayout *self, guint panel, double step, double first, gboolean days)
{
  const Panel *p = &self->panels[panel];
  double y = p->plot.y + p->plot.height + self->fs * 0.2;

  for (double v = first; v <= self->d1 + 1e-9; v += step)
    {
      double x = traj_cohort_chart_layout_x_for (self, panel, v);
      char text[32];
      Label *l;

      g_snprintf (text, sizeof text, "%g", v);
      l = cc_add_label (self, self->fonts.small, text, 0, 0, y, 0.75);
      l->x = x - l->w / 2;
      cc_add_rule (self, x, p->plot.y + p->plot.height, x, p->plot.y + p->plot.height + self->fs * 0.2, 0.5, FALSE);
      if (!days)
        cc_add_rule (self, x, p->plot.y, x, p->plot.y + p->plot.height, 0.05, FALSE);
    }
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
    cc_layout_km (self, report);
  else
    cc_layout_trajectories (self, report);
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

const char *
traj_cohort_chart_layout_get_count (const TrajCohortChartLayout *self,
                                    guint                        cohort,
                                    double                       x,
                                    cairo_rectangle_t           *box)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint k = 0; k < self->labels->len; k++)
    {
      const Label *l = &g_array_index (self->labels, Label, k);

      if (l->count_of != (int) cohort || l->count_x != x)
        continue;
      if (box)
        *box = (cairo_rectangle_t) { l->x, l->y, l->w, l->h };
      return pango_layout_get_text (l->pl);
    }
  return NULL;
}

char *
traj_cohort_chart_layout_describe (const TrajCohortChartLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strdup (self->description);
}

