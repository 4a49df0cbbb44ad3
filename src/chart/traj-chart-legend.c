/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chart's title row and legend row. */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>


#include "traj-chart-layout-private.h"

typedef struct {
  MarkShape shape;
  Role role;
  const char *text;
  const char *group;             /* a heading before the first of a group */
} LegendEntry;

/* "Infusions: ▲ Induction ▲ Maintenance ◆ Booster ◯ Vital signs crossed a
 * limit   ● PHQ-9 item 9 above 0   ◇ Incomplete   Findings: ⬤ Safety …
 * ◌ Resolved": every mark the chart shows, explained. Entries that do not
 * fit wrap onto more rows (up to four); only a chart too narrow for four
 * rows drops the last ones. Returns the height used (0: no legend). */
#define LEGEND_MAX_ROWS 4

double
traj_chart_layout_legend (TrajChartLayout *self, double y, double h)
{
  const TrajChartModel *m = self->model;
  gboolean phases[TRAJ_N_PHASES] = { FALSE };
  gboolean kinds[TRAJ_N_FINDING_KINDS] = { FALSE };
  gboolean safety = FALSE, drafts = FALSE, monitoring = FALSE, resolved = FALSE, cadss = FALSE, sedated = FALSE,
           alert = FALSE;
  double left = self->plot_left;
  double right = self->width - 8;
  double row_step = h + 4;
  double x = left;
  guint row = 0;
  LegendEntry entries[24];
  guint n = 0;
  const char *group_infusions = _("Infusions:");
  const char *group_findings = _("Findings:");

  for (guint k = 0; k < m->infusions->len; k++)
    {
      const TrajChartInfusion *inf = &g_array_index (m->infusions, TrajChartInfusion, k);
      phases[inf->phase] = TRUE;
      if (inf->monitoring)
        monitoring = TRUE;
      cadss |= inf->cadss > 0;
      sedated |= inf->moaas >= 0 && inf->moaas <= TRAJ_MOAAS_SEDATED_MAX;
      alert |= inf->moaas > TRAJ_MOAAS_SEDATED_MAX;
    }
  for (guint k = 0; k < m->findings->len; k++)
    {
      const TrajChartFinding *f = &g_array_index (m->findings, TrajChartFinding, k);
      kinds[f->kind] = TRUE;
      if (!f->open)
        resolved = TRUE;
    }
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
  if (monitoring)
    entries[n++] = (LegendEntry) { MARK_RING, ROLE_WARNING, _("Vital signs crossed a limit"), group_infusions };
  if (cadss)
    entries[n++] = (LegendEntry) { MARK_BAR, ROLE_ACCENT, _("CADSS total"), group_infusions };
  if (sedated)
    entries[n++] = (LegendEntry) { MARK_DOT, ROLE_WARNING, _("Sedation (MOAA/S 3 or less)"), group_infusions };
  if (alert)
    entries[n++] = (LegendEntry) { MARK_CIRCLE, ROLE_FG, _("MOAA/S 4 or 5"), group_infusions };
  if (safety)
    entries[n++] = (LegendEntry) { MARK_RING, ROLE_ERROR, _("PHQ-9 item 9 above 0"), NULL };
  if (drafts)
    entries[n++] = (LegendEntry) { MARK_HOLLOW_DIAMOND, ROLE_FG, _("Incomplete, not scored"), NULL };
  for (guint k = 0; k < TRAJ_N_FINDING_KINDS; k++)
    if (kinds[k])
      entries[n++] = (LegendEntry) { MARK_PIN, traj_chart_finding_role ((TrajFindingKind) k),
                                     traj_finding_kind_label ((TrajFindingKind) k), group_findings };
  if (resolved)
    entries[n++] = (LegendEntry) { MARK_HOLLOW_PIN, ROLE_FG, _("Resolved or decided"), group_findings };
  g_assert (n <= G_N_ELEMENTS (entries));

  for (guint i = 0; i < n; i++)
    {
      double mark_w = 10;
      gboolean heading = entries[i].group && (i == 0 || entries[i].group != entries[i - 1].group);
      double heading_w = heading ? traj_chart_layout_text_width (self, self->fonts.small, entries[i].group) + 8 : 0;
      double text_w = traj_chart_layout_text_width (self, self->fonts.small, entries[i].text);
      double gap = (i > 0 && entries[i].group != entries[i - 1].group) ? 14 : 0;   /* wider between groups */
      double cy;
      Label *l;
      LegendMark mark;

      if (x > left && x + gap + heading_w + mark_w + 4 + text_w > right)
        {
          if (row + 1 >= LEGEND_MAX_ROWS)
            break;               /* out of room: the rest is dropped */
          row++;
          x = left;
          gap = 0;
        }
      x += gap;
      cy = y + row * row_step + h / 2;
      if (heading)
        {
          l = traj_chart_layout_add_label (self, self->fonts.small, entries[i].group, x, 0, ROLE_FG, 0.6);
          l->y = cy - l->h / 2;
          x += l->w + 8;
        }
      l = traj_chart_layout_add_label (self, self->fonts.small, entries[i].text, x + mark_w + 4, 0, ROLE_FG, 0.8);
      l->y = cy - l->h / 2;
      mark = (LegendMark) { entries[i].shape, entries[i].role, x + mark_w / 2, cy, entries[i].text };
      g_array_append_val (self->legend, mark);
      x = l->x + l->w + 14;
    }
  return self->legend->len > 0 ? row * row_step + h : 0;
}

/* "Ada Bianchi · MRN-100500" on the left, the period the chart covers on
 * the right when both fit. Returns where the next row starts. */
double
traj_chart_layout_title (TrajChartLayout *self, double y, double pad)
{
  const TrajChartModel *model = self->model;
  double title_h = traj_chart_layout_line_height (self, self->fonts.title);
  g_autofree char *title = model->mrn ? g_strdup_printf ("%s · %s", model->patient_name, model->mrn)
                                      : g_strdup (model->patient_name);

  traj_chart_layout_add_label (self, self->fonts.title, title, pad, y, ROLE_FG, 1.0);
  if (model->has_data)
    {
      g_autofree char *a = traj_day_format (traj_day_from_time (model->t_min));
      g_autofree char *b = traj_day_format (traj_day_from_time (model->t_max));
      /* Translators: the period a chart covers: "3 Mar 2026 – 2 Jun 2026" */
      g_autofree char *period = g_str_equal (a, b) ? g_strdup (a) : g_strdup_printf (_("%s – %s"), a, b);
      Label *l = traj_chart_layout_add_label (self, self->fonts.small, period, 0, 0, ROLE_FG, 0.7);
      l->x = self->width - pad - l->w;
      l->y = y + title_h - l->h - 1;
      if (l->x < pad + g_array_index (self->labels, Label, self->labels->len - 2).w + 16)
        traj_chart_layout_drop_label (self);
    }
  return y + title_h + pad * 0.75;
}
