/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-cohort-chart-private.h"

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

static char *
trajectory_legend_text (const TrajCohort *h)
{
  const TrajScale *s = traj_scale_get (h->scale);

  if (h->mixed_scales)
    /* Translators: legend of a cohort chart: "Depression · PHQ-9, 15 of 19 courses" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s, %u of %u course", "%s · %s, %u of %u courses",
                                         h->n_courses),
                            h->label, _(s->name), h->n_scale_courses, h->n_courses);
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

/* Which cohorts have a line, on which scale (one panel per scale, in order
 * of first use); a legend entry for each cohort. Returns the last x with a
 * drawn mean. */
static double
collect_series (TrajCohortChartLayout  *self,
                const TrajCohortReport *report,
                GArray                 *entries,
                TrajScaleId            *scales,
                guint                  *n_scales)
{
  guint n_cohorts = report ? report->cohorts->len : 0;
  double xmax = 1;

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
          cc_add_entry (entries, -1, g_strdup_printf (_("%s: no scores to plot"), h->label));
          continue;
        }
      s.style = i;
      s.panel = G_MAXUINT;
      for (guint k = 0; k < *n_scales; k++)
        if (scales[k] == h->scale)
          s.panel = k;
      if (s.panel == G_MAXUINT)
        {
          s.panel = *n_scales;
          scales[(*n_scales)++] = h->scale;
        }
      g_array_append_val (self->series, s);
      cc_add_entry (entries, (int) i, trajectory_legend_text (h));
    }
  if (n_cohorts > TRAJ_COHORT_CHART_MAX_SERIES)
    cc_add_entry (entries, -1, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Only the first %d of %u cohort is drawn.",
                                                                          "Only the first %d of %u cohorts are drawn.",
                                                                          n_cohorts),
                                                TRAJ_COHORT_CHART_MAX_SERIES, n_cohorts));
  return xmax;
}

/* The point of @h at @x, or NULL. */
static const TrajCohortPoint *
point_at (const TrajCohort *h, TrajCohortChartKind kind, double x)
{
  GArray *pts = cohort_points (h, kind);

  for (guint k = 0; k < pts->len; k++)
    if (g_array_index (pts, TrajCohortPoint, k).x == x)
      return &g_array_index (pts, TrajCohortPoint, k);
  return NULL;
}

/* The widest count a panel's rows of n will show. */
static double
counts_width (TrajCohortChartLayout *self, const TrajCohortReport *report, guint panel)
{
  guint most = 0;
  char text[16];

  for (guint k = 0; report && k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);
      const TrajCohort *h = g_ptr_array_index (report->cohorts, s->style);
      GArray *pts = cohort_points (h, self->kind);

      if (s->panel != panel)
        continue;
      for (guint j = 0; j < pts->len; j++)
        most = MAX (most, g_array_index (pts, TrajCohortPoint, j).mean.n);
    }
  g_snprintf (text, sizeof text, "%u", most);
  return cc_text_width (self, self->fonts.small, text);
}

/* Ticks along a panel's x axis: the smallest step whose labels, and the
 * counts under them, fit. Returns the step. */
static double
layout_panel_x_ticks (TrajCohortChartLayout *self, const Panel *p, guint panel, double counts_w)
{
  static const double steps[] = { 1, 2, 4, 5, 10, 20, 26 };
  double px_per = p->plot.width / (self->d1 - self->d0);
  double need = MAX (cc_text_width (self, self->fonts.small, "88"), counts_w) + self->fs;
  double step = steps[G_N_ELEMENTS (steps) - 1];

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * px_per >= need)
      {
        step = steps[i];
        break;
      }
  cc_layout_x_ticks (self, panel, step, 0, FALSE);
  return step;
}

/* Under a panel's tick labels from @y, a row per cohort drawn in it: its
 * mark in the gutter and, under each tick, how many courses the mean there
 * rests on (dimmed where that is too few to draw it). */
static void
layout_panel_counts (TrajCohortChartLayout *self, const TrajCohortReport *report, guint panel, double step,
                     double y, double row_h, double xmax)
{
  const Panel *p = &self->panels[panel];
  guint row = 0;

  for (guint k = 0; k < self->series->len; k++)
    {
      const Series *s = &g_array_index (self->series, Series, k);
      const TrajCohort *h = g_ptr_array_index (report->cohorts, s->style);
      double ry = y + row * row_h;
      LegendMark m = { (int) s->style, p->plot.x - self->fs * 0.9, ry + row_h / 2, FALSE };

      if (s->panel != panel)
        continue;
      g_array_append_val (self->legend, m);
      if (row == 0)
        {
          /* Translators: the row of counts under a cohort chart's axis: a mean's number of courses */
          Label *l = cc_add_label (self, self->fonts.small, C_("cohort chart", "n"), 0, 0, ry, 0.7);
          l->x = m.x - self->mark * 1.5 - self->fs * 0.3 - l->w;
        }
      for (double v = 0; v <= xmax + 1e-9; v += step)
        {
          const TrajCohortPoint *cp = point_at (h, self->kind, v);
          char text[16];
          Label *l;

          if (cp == NULL || cp->mean.n == 0)
            continue;
          g_snprintf (text, sizeof text, "%u", cp->mean.n);
          l = cc_add_label (self, self->fonts.small, text, 0, 0, ry, cp->mean.n >= min_points_n (h) ? 0.85 : 0.45);
          l->x = traj_cohort_chart_layout_x_for (self, panel, v) - l->w / 2;
          l->count_of = (int) s->style;
          l->count_x = v;
        }
      row++;
    }
}

/* How many cohorts the fullest panel draws: the rows of counts each
 * panel makes room for. */
static guint
max_series_per_panel (TrajCohortChartLayout *self, guint n_panels)
{
  guint most = 0;

  for (guint panel = 0; panel < n_panels; panel++)
    {
      guint n = 0;

      for (guint k = 0; k < self->series->len; k++)
        n += g_array_index (self->series, Series, k).panel == panel;
      most = MAX (most, n);
    }
  return most;
}

/* One panel in its grid cell at (@cx, @cy): title, axes, ticks and the
 * @count_rows rows of counts under them. */
static void
layout_panel (TrajCohortChartLayout *self, const TrajCohortReport *report, guint k, TrajScaleId scale,
              double cx, double cy, double cell_w, double row_h, double gutter, double title_h, double tick_h,
              guint count_rows, double xmax)
{
  Panel *p = &self->panels[k];
  const TrajScale *s = traj_scale_get (scale);
  g_autofree char *ptitle = NULL;
  double step;

  p->scale = scale;
  p->vmin = s->total_min;
  p->vmax = s->total_max;
  p->inset = self->mark + 1;
  p->plot.x = cx + gutter;
  p->plot.y = cy + title_h;
  p->plot.width = MAX (cell_w - gutter - self->fs * 0.3, 1);
  p->plot.height = MAX (row_h - title_h - tick_h - count_rows * cc_line_height (self, self->fonts.small), 1);

  /* Translators: a cohort chart panel: "PHQ-9 total score (0–27)" */
  ptitle = g_strdup_printf (_("%s total score (%d–%d)"), _(s->name), s->total_min, s->total_max);
  cc_add_label (self, self->fonts.bold, ptitle, cell_w, cx, cy, 0.9);
  cc_layout_y_ticks (self, p, k, p->plot.x - self->fs * 0.4);
  step = layout_panel_x_ticks (self, p, k, count_rows ? counts_width (self, report, k) : 0);
  if (count_rows)
    layout_panel_counts (self, report, k, step, p->plot.y + p->plot.height + tick_h,
                         cc_line_height (self, self->fonts.small), xmax);
  cc_add_rule (self, p->plot.x, p->plot.y + p->plot.height, p->plot.x + p->plot.width, p->plot.y + p->plot.height, 0.5, FALSE);
  cc_add_rule (self, p->plot.x, p->plot.y, p->plot.x, p->plot.y + p->plot.height, 0.5, FALSE);
}

/* The panels on a grid below @top, side by side while each keeps a
 * readable width; the x-axis title and the legend under them. */
static void
layout_panels (TrajCohortChartLayout *self, const TrajCohortReport *report, const TrajScaleId *scales,
               guint n_scales, GArray *entries, double top, double xmax)
{
  gboolean by_week = self->kind == TRAJ_COHORT_CHART_BY_WEEK;
  double pad = round (self->fs * 0.75), gap = self->fs * 1.2;
  double bottom = self->height - pad;
  double legend_h = cc_layout_legend (self, entries, pad, 0, self->width - 2 * pad, FALSE);
  double axis_title_h = cc_line_height (self, self->fonts.small);
  double title_h = cc_line_height (self, self->fonts.bold) + self->fs * 0.2;
  double tick_h = cc_line_height (self, self->fonts.small) + self->fs * 0.3;
  double gutter = cc_text_width (self, self->fonts.small, "88") + self->fs * 0.5;
  double grid_w = self->width - 2 * pad, cell_w, row_h, ay;
  guint cols, rows, count_rows = 0;
  const char *axis_title;
  Label *l;

  for (guint k = 0; k < n_scales; k++)
    {
      char text[16];
      g_snprintf (text, sizeof text, "%d", traj_scale_get (scales[k])->total_max);
      gutter = MAX (gutter, cc_text_width (self, self->fonts.small, text) + self->fs * 0.5);
    }
  for (cols = n_scales; cols > 1; cols--)
    if ((grid_w - (cols - 1) * gap) / cols >= self->fs * 16)
      break;
  rows = (n_scales + cols - 1) / cols;
  cell_w = (grid_w - (cols - 1) * gap) / cols;
  row_h = (bottom - legend_h - self->fs * 0.6 - axis_title_h - top - (rows - 1) * gap * 0.5) / rows;
  /* The counts when the plots keep a readable height with them. */
  if (self->options.show_at_risk)
    {
      count_rows = max_series_per_panel (self, n_scales);
      if (row_h - title_h - tick_h - count_rows * cc_line_height (self, self->fonts.small) < self->fs * 7)
        count_rows = 0;
    }

  self->n_panels = n_scales;
  self->panels = g_new0 (Panel, n_scales);
  self->d0 = -0.4;
  self->d1 = xmax + 0.4;
  for (guint k = 0; k < n_scales; k++)
    layout_panel (self, report, k, scales[k], pad + (k % cols) * (cell_w + gap),
                  top + (k / cols) * (row_h + gap * 0.5), cell_w, row_h, gutter, title_h, tick_h, count_rows, xmax);

  ay = top + rows * row_h + (rows - 1) * gap * 0.5;
  if (count_rows)
    axis_title = by_week ? _("Weeks since course start (0 = baseline); n: courses under each mean")
                         : _("Infusion number (0 = baseline); n: courses under each mean");
  else
    axis_title = by_week ? _("Weeks since course start (0 = baseline)") : _("Infusion number (0 = baseline)");
  l = cc_add_label (self, self->fonts.small, axis_title, 0, 0, ay, 0.7);
  l->x = (self->panels[0].plot.x + pad + grid_w) / 2 - l->w / 2;
  cc_layout_legend (self, entries, pad, ay + axis_title_h + self->fs * 0.6, grid_w, TRUE);
}

/* Each course's own faint line, up to @xmax. */
static void
trace_courses (TrajCohortChartLayout *self, Series *s, const TrajCohort *h, double xmax)
{
  gboolean by_week = self->kind == TRAJ_COHORT_CHART_BY_WEEK;

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
}

/* A cohort's mean line, its marks with their tips and its bands (runs of
 * points with a band); its sentence in @desc. */
static void
trace_series (TrajCohortChartLayout *self, Series *s, const TrajCohort *h, double xmax, GString *desc)
{
  gboolean by_week = self->kind == TRAJ_COHORT_CHART_BY_WEEK;
  GArray *pts = cohort_points (h, self->kind);
  guint min_n = min_points_n (h);
  const Panel *sp = &self->panels[s->panel];
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
      /* A t interval on two courses spans most of the scale: no band below
       * three. A mean cannot leave the scale's range: neither does its band
       * (a t interval on a few courses near 0 or the top would). */
      if (cp->mean.n >= 3 && isfinite (cp->mean.lower) && isfinite (cp->mean.upper))
        {
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
    trace_courses (self, s, h, xmax);
  if (first && last)
    {
      const TrajScale *sc = traj_scale_get (h->scale);
      g_string_append_c (desc, ' ');
      /* Translators: chart description: "Depression (19 courses, PHQ-9): 19.1 at 0, 7.4 at 6 (n = 15)." */
      g_string_append_printf (desc, g_dngettext (GETTEXT_PACKAGE, "%s (%u course, %s): %.1f at %d, %.1f at %d (n = %u).",
                                                "%s (%u courses, %s): %.1f at %d, %.1f at %d (n = %u).",
                                                h->n_scale_courses),
                              h->label, h->n_scale_courses, _(sc->name), first->mean.mean, first->x,
                              last->mean.mean, last->x, last->mean.n);
    }
}

void
cc_layout_trajectories (TrajCohortChartLayout *self, const TrajCohortReport *report)
{
  gboolean by_week = self->kind == TRAJ_COHORT_CHART_BY_WEEK;
  double pad = round (self->fs * 0.75), top, xmax;
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (LegendEntry));
  TrajScaleId scales[TRAJ_N_SCALES];
  guint n_scales = 0, n_cohorts = report ? report->cohorts->len : 0;
  GString *desc;
  g_autofree char *note = NULL;
  const char *title, *subtitle;

  g_array_set_clear_func (entries, cc_legend_entry_clear);
  xmax = collect_series (self, report, entries, scales, &n_scales);

  title = by_week ? _("Mean score by week since course start") : _("Mean score by infusion number");
  subtitle = _("Each line is a cohort’s mean score; the shaded band is its 95 % confidence interval. "
               "Means of fewer than 3 courses are left out (in smaller cohorts, drawn without a band).");
  if (n_scales > 1)
    note = g_strdup (_("These cohorts are scored on different scales, so each scale has a panel of its own."));
  top = cc_layout_header (self, title, subtitle, note, pad);

  if (self->series->len == 0)
    {
      cc_layout_empty (self, top, n_cohorts == 0 ? _("No data: no cohort to show.")
                                                 : _("No data: no course in these cohorts has a baseline "
                                                     "and a later score."));
      self->description = g_strdup (_("Cohort chart: no data."));
      return;
    }
  layout_panels (self, report, scales, n_scales, entries, top, xmax);

  desc = g_string_new (NULL);
  if (by_week)
    g_string_append_printf (desc, g_dngettext (GETTEXT_PACKAGE, "Mean score by week since course start for %u cohort.",
                                              "Mean score by week since course start for %u cohorts.",
                                              self->series->len),
                            self->series->len);
  else
    g_string_append_printf (desc, g_dngettext (GETTEXT_PACKAGE, "Mean score by infusion number for %u cohort.",
                                              "Mean score by infusion number for %u cohorts.", self->series->len),
                            self->series->len);
  for (guint k = 0; k < self->series->len; k++)
    {
      Series *s = &g_array_index (self->series, Series, k);

      trace_series (self, s, g_ptr_array_index (report->cohorts, s->style), xmax, desc);
    }
  self->description = g_string_free (desc, FALSE);
}
