/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chart's layers: a panel per scale (bands, thresholds, scores,
 * drafts and finding pins in a lane above), the infusion strip, and the
 * items a pointer or the keyboard can reach. */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-chart-layout-private.h"
#include "traj-outcomes.h"

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

      if (traj_chart_rects_overlap (x, y, w, h, a->x - pad, a->y - pad, 2 * pad, 2 * pad))
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

void
traj_chart_panel_clear (Panel *p)
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
      Pt xy = { traj_chart_layout_x_of_time (self, pt->at, pt->xi), traj_chart_panel_y (p, pt->value) };
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
          rl = (RefLine) { REF_BASELINE, x0, x1, traj_chart_panel_y (p, ref->baseline) };
          g_array_append_val (p->ref_lines, rl);
        }
      if (ref->response_computable)
        {
          rl = (RefLine) { REF_RESPONSE, x0, x1, traj_chart_panel_y (p, ref->response_threshold) };
          g_array_append_val (p->ref_lines, rl);
        }
    }
  /* Remission is a fixed cut-off on the scale: it applies everywhere. */
  rl = (RefLine) { REF_REMISSION, left, right, traj_chart_panel_y (p, s->remission_max) };
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
      gl[n++] = (GutterLabel) { g_strdup_printf (_("Baseline %d"), ref->baseline), ROLE_FG, traj_chart_panel_y (p, ref->baseline), 0, 0, 0 };
    }
  if (ref && ref->response_computable)
    {
      /* Translators: label of the response threshold line: "Response ≤ 9" */
      gl[n++] = (GutterLabel) { g_strdup_printf (_("Response ≤ %d"), traj_response_max_score (ref->response_threshold)),
                                ROLE_ACCENT, traj_chart_panel_y (p, ref->response_threshold), 0, 0, 0 };
    }
  /* Translators: label of the remission threshold line: "Remission ≤ 4" */
  gl[n++] = (GutterLabel) { g_strdup_printf (_("Remission ≤ %d"), s->remission_max), ROLE_SUCCESS, traj_chart_panel_y (p, s->remission_max), 0, 0, 0 };

  for (guint i = 0; i < n; i++)
    {
      gl[i].h = traj_chart_layout_line_height (self, self->fonts.small);
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
      Label *l = traj_chart_layout_add_label (self, self->fonts.small, gl[i].text, gx + 4, gl[i].y, gl[i].role, 1.0);

      l->y = gl[i].y - l->h / 2;
      if (l->x + l->w > self->width)
        {
          /* No room: a threshold without a label beats a clipped label. */
          traj_chart_layout_drop_label (self);
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
      double y0 = traj_chart_panel_y (p, MIN (band->high + 0.5, p->vmax));
      double y1 = traj_chart_panel_y (p, MAX (band->low - 0.5, p->vmin));
      Label *l = traj_chart_layout_add_label (self, self->fonts.small, _(band->label), 0, 0, ROLE_FG, 0.5);
      double candidates[2];
      gboolean placed = FALSE;

      if (l->h + 2 > y1 - y0 || l->w + 12 > p->plot.width / 3)
        {
          traj_chart_layout_drop_label (self);
          continue;
        }
      l->y = (y0 + y1) / 2 - l->h / 2;
      candidates[0] = p->plot.x + 5;
      candidates[1] = p->plot.x + p->plot.width - 5 - l->w;
      for (guint c = 0; c < 2 && !placed; c++)
        {
          if (!panel_box_busy (p, candidates[c], l->y, l->w, l->h) &&
              !traj_chart_layout_label_overlaps (self, candidates[c], l->y, l->w, l->h, first_label))
            {
              l->x = candidates[c];
              placed = TRUE;
            }
        }
      if (!placed)
        traj_chart_layout_drop_label (self);
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

  l = traj_chart_layout_add_label (self, self->fonts.bold, _(s->info->name), p->plot.x, y, ROLE_FG, 1.0);
  name_right = l->x + l->w;
  {
    double name_h = l->h;

    l = traj_chart_layout_add_label (self, self->fonts.small, _(s->info->construct), name_right + 6, 0, ROLE_FG, 0.6);
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

      l = traj_chart_layout_add_label (self, self->fonts.small, summary, 0, 0, ROLE_FG, 0.85);
      l->x = right - l->w;
      l->y = y + name_h - l->h - 1;
      if (l->x < construct_right + 12)
        {
          /* Too narrow for both: the numbers matter more than the word. */
          g_array_remove_index (self->labels, construct_index);
          l = &g_array_index (self->labels, Label, self->labels->len - 1);
          if (l->x < name_right + 12)
            traj_chart_layout_drop_label (self);
        }
    }
}

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

/* ---- panels and strip ------------------------------------------------------ */

/* Room the panels share once headers, lanes and gaps are taken off, and the
 * sum of their weights: the primary scale gets twice the room. */
static double
plan_panels (TrajChartLayout *self, double avail, double *weight_sum)
{
  const TrajChartModel *model = self->model;

  *weight_sum = 0;
  for (guint i = 0; i < self->n_panels; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      gboolean lane = s->drafts->len > 0;
      Panel *p = &self->panels[i];

      for (guint k = 0; k < model->findings->len; k++)
        if (g_array_index (model->findings, TrajChartFinding, k).series == (int) i)
          lane = TRUE;
      p->series = i;
      p->has_lane = lane;
      avail -= traj_chart_layout_line_height (self, self->fonts.bold) + 4 + (lane ? round (self->fs * 1.1) : 0);
      if (i > 0)
        avail -= round (self->fs * 1.2);
      *weight_sum += (s->primary && self->n_panels > 1) ? 2.0 : 1.0;
    }
  return avail;
}

/* Drafts and finding pins in the lane above panel @i. */
static void
layout_panel_lane (TrajChartLayout *self, guint i)
{
  const TrajChartModel *model = self->model;
  const TrajChartSeries *s = traj_chart_model_series (model, i);
  Panel *p = &self->panels[i];
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (LaneMark));

  for (guint k = 0; k < s->drafts->len; k++)
    {
      const TrajChartPoint *d = &g_array_index (s->drafts, TrajChartPoint, k);
      LaneMark lm = { traj_chart_layout_x_of_time (self, d->at, d->xi), FALSE, k };
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
      lm.x = traj_chart_layout_x_of_time (self, f->at, f->xi);
      /* Over its score, where the score was spread to. */
      for (guint q = 0; q < s->points->len; q++)
        if (f->record_kind == TRAJ_KIND_ASSESSMENT &&
            g_array_index (s->points, TrajChartPoint, q).id == f->record_id)
          lm.x = g_array_index (p->pts, Pt, q).x;
      g_array_append_val (marks, lm);
    }
  layout_lane (self, (int) i, &p->lane, marks, p->drafts);
}

/* Panel @i from @y down; returns its bottom. */
static double
layout_panel (TrajChartLayout *self, guint i, double y, double avail, double weight_sum, guint max_pts)
{
  const TrajChartSeries *s = traj_chart_model_series (self->model, i);
  Panel *p = &self->panels[i];
  double body_h = traj_chart_layout_line_height (self, self->fonts.bold);
  double header_y, plot_h, lane_h = p->has_lane ? round (self->fs * 1.1) : 0;
  double pw = self->plot_right - self->plot_left;
  double r, inset, range;

  if (i > 0)
    y += round (self->fs * 1.2);
  /* Whole pixels: a pixel-aligned clip is a fast clip. */
  y = round (y);
  header_y = y;
  plot_h = floor (MAX (avail * ((s->primary && self->n_panels > 1) ? 2.0 : 1.0) / weight_sum, 16));
  p->frame = (cairo_rectangle_t) { self->plot_left, y, pw, body_h + 4 + lane_h + plot_h };
  p->lane = (cairo_rectangle_t) { self->plot_left, y + body_h + 4, pw, lane_h };
  p->plot = (cairo_rectangle_t) { self->plot_left, y + body_h + 4 + lane_h, pw, plot_h };
  y += p->frame.height;

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
  traj_chart_layout_y_ticks (self, p);
  layout_gutter_labels (self, p);
  layout_band_labels (self, p);
  if (s->points->len == 0)
    {
      /* Translators: shown in a panel with only incomplete questionnaires */
      g_autofree char *msg = g_strdup_printf (_("No complete %s yet"), _(s->info->name));
      Label *l = traj_chart_layout_add_label (self, self->fonts.body, msg, 0, 0, ROLE_FG, 0.6);
      l->x = p->plot.x + (p->plot.width - l->w) / 2;
      l->y = p->plot.y + (p->plot.height - l->h) / 2;
    }
  if (p->has_lane)
    layout_panel_lane (self, i);
  return y;
}

/* One panel per scale between @top and @bottom, or a message when there is none. */
void
traj_chart_layout_panels (TrajChartLayout *self, double top, double bottom)
{
  const TrajChartModel *model = self->model;
  double avail, weight_sum, y = top;
  guint max_pts = 1;

  self->n_panels = model->series->len;
  self->panels = g_new0 (Panel, MAX (self->n_panels, 1));
  avail = plan_panels (self, bottom - top, &weight_sum);
  if (self->n_panels == 0)
    {
      Label *l;
      self->message_area = (cairo_rectangle_t) { self->plot_left, top, self->plot_right - self->plot_left, MAX (bottom - top, 0) };
      l = traj_chart_layout_add_label (self, self->fonts.body, _("No scores recorded yet"), 0, 0, ROLE_FG, 0.6);
      l->x = self->plot_left + (self->plot_right - self->plot_left - l->w) / 2;
      l->y = top + (bottom - top - l->h) / 2;
      return;
    }
  for (guint k = 0; k < model->series->len; k++)
    max_pts = MAX (max_pts, traj_chart_model_series (model, k)->points->len);
  for (guint i = 0; i < self->n_panels; i++)
    y = layout_panel (self, i, y, avail, weight_sum, max_pts);
}

/* The infusion strip's marks, and the findings pinned in its lane. */
void
traj_chart_layout_infusions (TrajChartLayout *self)
{
  const TrajChartModel *model = self->model;
  g_autoptr(GArray) marks = NULL;
  double pw = self->plot_right - self->plot_left;

  if (!self->has_strip)
    return;
  self->inf_size = CLAMP (0.8 * pw / model->infusions->len, 4.0, 9.0) * self->fs / 12.0;
  for (guint k = 0; k < model->infusions->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (model->infusions, TrajChartInfusion, k);
      double x = traj_chart_layout_x_of_time (self, inf->at, inf->number);
      g_array_append_val (self->inf_x, x);
    }
  if (!self->has_strip_lane)
    return;
  marks = g_array_new (FALSE, FALSE, sizeof (LaneMark));
  for (guint k = 0; k < model->findings->len; k++)
    {
      const TrajChartFinding *f = &g_array_index (model->findings, TrajChartFinding, k);
      LaneMark lm = { traj_chart_layout_x_of_time (self, f->at, f->xi), TRUE, k };
      if (f->series >= 0)
        continue;
      for (guint q = 0; q < model->infusions->len; q++)
        if (f->record_kind == TRAJ_KIND_INFUSION &&
            g_array_index (model->infusions, TrajChartInfusion, q).id == f->record_id)
          lm.x = g_array_index (self->inf_x, double, q);
      g_array_append_val (marks, lm);
    }
  layout_lane (self, (int) self->n_panels, &self->strip_lane, marks, NULL);
}

/* ---- the tolerability strip (CLINICAL.md §8) --------------------------------- */

gboolean
traj_chart_model_has_tolerability (const TrajChartModel *model)
{
  for (guint k = 0; k < model->infusions->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (model->infusions, TrajChartInfusion, k);
      if (inf->cadss >= 0 || inf->moaas >= 0)
        return TRUE;
    }
  return FALSE;
}

/* The bars' scale: 0–40 (most totals are well below), or up to the next
 * ten above the highest total. The legend names the marks. */
void
traj_chart_layout_tolerability (TrajChartLayout *self)
{
  const TrajChartModel *model = self->model;
  int highest = 0;

  if (!self->has_tolerability)
    return;
  for (guint k = 0; k < model->infusions->len; k++)
    highest = MAX (highest, g_array_index (model->infusions, TrajChartInfusion, k).cadss);
  self->cadss_max = MAX (40, (highest + 9) / 10 * 10);
}

/* What can be pointed at, row by row: scores and drafts per panel, then
 * the infusions, then the finding pins; sorted by row, then x. */
void
traj_chart_layout_items (TrajChartLayout *self)
{
  const TrajChartModel *model = self->model;

  for (guint i = 0; i < self->n_panels; i++)
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
    add_item (self, TRAJ_CHART_ITEM_INFUSION, (int) self->n_panels, k, TRAJ_KIND_INFUSION,
              g_array_index (model->infusions, TrajChartInfusion, k).id,
              g_array_index (self->inf_x, double, k), self->strip.y + self->strip.height / 2);
  for (guint k = 0; k < self->pins->len; k++)
    {
      const Pin *pin = &g_array_index (self->pins, Pin, k);
      const TrajChartFinding *f = &g_array_index (model->findings, TrajChartFinding, pin->finding);
      add_item (self, TRAJ_CHART_ITEM_FINDING, pin->row, pin->finding, f->record_kind, f->record_id, pin->x, pin->y);
    }
  g_array_sort (self->items, compare_items);
}
