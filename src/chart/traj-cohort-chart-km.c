/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-cohort-chart-private.h"

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

/* The cohorts with a curve, a legend entry for each; returns the last
 * time of any curve. */
static double
km_collect (TrajCohortChartLayout *self, const TrajCohortReport *report, GArray *entries)
{
  guint n_cohorts = report ? report->cohorts->len : 0;
  double tmax = 0;

  for (guint i = 0; i < MIN (n_cohorts, TRAJ_COHORT_CHART_MAX_SERIES); i++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, i);
      Series s = { 0 };

      if (h->booster == NULL || h->booster->n == 0)
        {
          /* Translators: legend entry of the booster chart: "Anxiety: no course has completed induction" */
          cc_add_entry (entries, -1, g_strdup_printf (_("%s: no course has completed induction"), h->label));
          continue;
        }
      s.style = i;
      g_array_append_val (self->series, s);
      cc_add_entry (entries, (int) i, km_legend_text (h));
      tmax = MAX (tmax, km_last_time (h->booster));
    }
  if (n_cohorts > TRAJ_COHORT_CHART_MAX_SERIES)
    cc_add_entry (entries, -1, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Only the first %d of %u cohort is drawn.",
                                                                          "Only the first %d of %u cohorts are drawn.",
                                                                          n_cohorts),
                                                TRAJ_COHORT_CHART_MAX_SERIES, n_cohorts));
  return tmax;
}

/* The share axis (0–100 %), the day ticks every @step and the frame. */
static void
km_layout_axes (TrajCohortChartLayout *self, double step)
{
  const Panel *p = &self->panels[0];

  for (int q = 0; q <= 4; q++)
    {
      double y = traj_cohort_chart_layout_y_for (self, 0, q / 4.0);
      char text[16];
      Label *l;

      g_snprintf (text, sizeof text, "%d %%", q * 25);
      l = cc_add_label (self, self->fonts.small, text, 0, 0, 0, 0.75);
      l->x = p->plot.x - self->fs * 0.4 - l->w;
      l->y = y - l->h / 2;
      cc_add_rule (self, p->plot.x, y, p->plot.x + p->plot.width, y, q == 2 ? 0.35 : 0.1, q == 2);
    }
  cc_layout_x_ticks (self, 0, step, 0, TRUE);
  cc_add_rule (self, p->plot.x, p->plot.y + p->plot.height, p->plot.x + p->plot.width, p->plot.y + p->plot.height, 0.5, FALSE);
  cc_add_rule (self, p->plot.x, p->plot.y, p->plot.x, p->plot.y + p->plot.height, 0.5, FALSE);
}

/* "Number at risk" under the axis from @ry: one row per cohort, a count
 * under each day tick. */
static void
km_layout_at_risk (TrajCohortChartLayout *self, const TrajCohortReport *report, double ry, double row_h,
                   double gutter, double step)
{
  double pad = round (self->fs * 0.75);

  cc_add_label (self, self->fonts.small, _("Number at risk"), 0, pad, ry, 0.7);
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
          nl = cc_add_label (self, self->fonts.small, text, 0, 0, y, 0.85);
          nl->x = traj_cohort_chart_layout_x_for (self, 0, v) - nl->w / 2;
        }
    }
}

/* The one panel below @top, its axes, the at-risk table when it fits, the
 * legend. */
static void
km_layout_panel (TrajCohortChartLayout *self, const TrajCohortReport *report, GArray *entries, double top,
                 double step)
{
  double pad = round (self->fs * 0.75), bottom = self->height - pad;
  double legend_h = cc_layout_legend (self, entries, pad, 0, self->width - 2 * pad, FALSE);
  double axis_title_h = cc_line_height (self, self->fonts.small);
  double tick_h = cc_line_height (self, self->fonts.small) + self->fs * 0.3;
  double gutter = cc_text_width (self, self->fonts.small, "100 %") + self->fs * 0.5;
  double row_h = cc_line_height (self, self->fonts.small), risk_h = 0, ay;
  Panel *p;
  Label *l;

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
  km_layout_axes (self, step);

  ay = p->plot.y + p->plot.height + tick_h;
  l = cc_add_label (self, self->fonts.small, _("Days since the end of induction"), 0, 0, ay, 0.7);
  l->x = p->plot.x + p->plot.width / 2 - l->w / 2;
  if (risk_h > 0)
    {
      km_layout_at_risk (self, report, ay + axis_title_h + self->fs * 0.4, row_h, gutter, step);
      ay += risk_h;
    }
  cc_layout_legend (self, entries, pad, ay + axis_title_h + self->fs * 0.6, self->width - 2 * pad, TRUE);
}

/* A cohort's survival steps, the polygon of its interval, its censoring
 * ticks and its median; its sentence in @desc. */
static void
km_trace (TrajCohortChartLayout *self, Series *s, const TrajCohort *h, GString *desc)
{
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

void
cc_layout_km (TrajCohortChartLayout *self, const TrajCohortReport *report)
{
  static const double steps[] = { 7, 14, 28, 30, 60, 90, 180, 365 };
  double pad = round (self->fs * 0.75), top, tmax, step;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (LegendEntry));
  guint n_cohorts = report ? report->cohorts->len : 0;
  GString *desc;

  g_array_set_clear_func (entries, cc_legend_entry_clear);
  tmax = km_collect (self, report, entries);
  top = cc_layout_header (self, _("Time to first booster"),
                          _("Share of courses without a booster since the end of induction (Kaplan–Meier), "
                            "with its 95 % interval; ticks mark courses followed no further."), NULL, pad);
  if (self->series->len == 0)
    {
      cc_layout_empty (self, top, n_cohorts == 0 ? _("No data: no cohort to show.")
                                                 : _("No data: no course in these cohorts has completed induction."));
      self->description = g_strdup (_("Time to first booster: no data."));
      return;
    }

  step = cc_nice_step (MAX (tmax, 7), 8, steps, G_N_ELEMENTS (steps));
  self->d0 = 0;
  self->d1 = MAX (ceil (tmax / step), 1) * step;
  km_layout_panel (self, report, entries, top, step);

  desc = g_string_new (NULL);
  g_string_append_printf (desc, g_dngettext (GETTEXT_PACKAGE, "Time to first booster for %u cohort.",
                                            "Time to first booster for %u cohorts.", self->series->len),
                          self->series->len);
  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = &g_array_index (self->series, Series, k);

      km_trace (self, s, g_ptr_array_index (report->cohorts, s->style), desc);
    }
  self->description = g_string_free (desc, FALSE);
}
