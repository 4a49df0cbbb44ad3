/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The time axis (dates or infusion numbers) and each panel's value axis. */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>


#include "traj-chart-layout-private.h"

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
      double need = traj_chart_layout_text_width (self, self->fonts.small, sample) * 1.2 + 12;

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
      l = traj_chart_layout_add_label (self, self->fonts.small, text, 0, label_y, ROLE_FG, 0.75);
      l->x = CLAMP (x - l->w / 2, 0, self->width - l->w);
      if (l->x < prev_right + 6)
        {
          traj_chart_layout_drop_label (self);
          continue;
        }
      prev_right = l->x + l->w;

      /* The year under the first tick and wherever it changes. */
      traj_day_to_ymd (day, &y, &m, &d);
      if (unit != UNIT_YEAR && y != prev_year)
        {
          g_autofree char *year = format_tick (day, UNIT_YEAR);
          double lx = l->x;
          Label *yl = traj_chart_layout_add_label (self, self->fonts.small, year, lx, row2_y, ROLE_FG, 0.55);

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
  double need = traj_chart_layout_text_width (self, self->fonts.small, "888") + 12;
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
      l = traj_chart_layout_add_label (self, self->fonts.small, text, 0, label_y, ROLE_FG, 0.75);
      l->x = x - l->w / 2;
      if (l->x < prev_right + 6)
        {
          traj_chart_layout_drop_label (self);
          continue;
        }
      g_array_append_val (self->xticks, x);
      prev_right = l->x + l->w;
    }
  title = traj_chart_layout_add_label (self, self->fonts.small, _("Infusion number"), 0, row2_y, ROLE_FG, 0.55);
  title->x = self->plot_right - title->w;
}

void
traj_chart_layout_y_ticks (TrajChartLayout *self, Panel *p)
{
  const TrajScale *info = traj_chart_model_series (self->model, p->series)->info;
  int values[16];
  gboolean keep[16];
  guint n = 0;
  double h = traj_chart_layout_line_height (self, self->fonts.small);
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
      double top = traj_chart_panel_y (p, values[i]) - h / 2;
      double max_bottom = traj_chart_panel_y (p, values[n - 1]) + h / 2;

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
      l = traj_chart_layout_add_label (self, self->fonts.small, text, 0, 0, ROLE_FG, 0.7);
      l->x = p->plot.x - 6 - l->w;
      l->y = traj_chart_panel_y (p, values[i]) - l->h / 2;
    }
}

void
traj_chart_draw_axes (TrajChartLayout *self, const Ctx *c)
{
  cairo_t *cr = c->cr;
  double w = traj_chart_hairline (c);

  cairo_set_line_width (cr, w);
  for (guint i = 0; i < self->n_panels; i++)
    {
      const Panel *p = &self->panels[i];
      double x = traj_chart_snap (c, p->plot.x, w);
      double yb = traj_chart_snap (c, p->plot.y + p->plot.height, w);

      cairo_move_to (cr, x, p->plot.y);
      cairo_line_to (cr, x, p->plot.y + p->plot.height);
      cairo_move_to (cr, p->plot.x, yb);
      cairo_line_to (cr, p->plot.x + p->plot.width, yb);
    }
  traj_chart_set_source (cr, c->palette, ROLE_FG, 0.3);
  cairo_stroke (cr);

  /* Tick marks under the strip (or the last panel). */
  for (guint k = 0; k < self->xticks->len; k++)
    {
      double x = traj_chart_snap (c, g_array_index (self->xticks, double, k), w);
      cairo_move_to (cr, x, self->axis_y - 4);
      cairo_line_to (cr, x, self->axis_y - 1);
    }
  traj_chart_set_source (cr, c->palette, ROLE_FG, 0.4);
  cairo_stroke (cr);

  /* Connectors from threshold lines to their labels. */
  for (guint k = 0; k < self->connectors->len; k++)
    {
      const Connector *cn = &g_array_index (self->connectors, Connector, k);
      cairo_move_to (cr, cn->x0, traj_chart_snap (c, cn->y0, 1.0));
      cairo_line_to (cr, cn->x0 + 3, traj_chart_snap (c, cn->y0, 1.0));
      cairo_line_to (cr, cn->x1, cn->y1);
      cairo_set_line_width (cr, 1.0);
      traj_chart_set_source (cr, c->palette, cn->role, 0.6);
      cairo_stroke (cr);
    }
}

void
traj_chart_layout_x_axis (TrajChartLayout *self, double label_y, double row2_y)
{
  if (self->axis == TRAJ_CHART_AXIS_DATE)
    layout_date_ticks (self, label_y, row2_y);
  else
    layout_infusion_ticks (self, label_y, row2_y);
}
