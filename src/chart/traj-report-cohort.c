/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include "traj-report-private.h"

/* The cohort report's blocks: the filters, the metrics table with one
 * column a cohort, the small-cohort notes, the charts and the method. */

static void
append_mask (GString *s, const char *what, guint mask, guint n, const char *(*label) (guint))
{
  gboolean first = TRUE;

  if (mask == 0)
    return;
  if (s->len)
    g_string_append (s, "; ");
  g_string_append_printf (s, "%s: ", what);
  for (guint k = 0; k < n; k++)
    if (mask & (1u << k))
      {
        if (!first)
          g_string_append (s, ", ");
        g_string_append (s, label (k));
        first = FALSE;
      }
}

static const char *indication_label (guint k) { return traj_indication_label ((TrajIndication) k); }
static const char *route_label (guint k) { return traj_route_label ((TrajRoute) k); }
static const char *medicine_label (guint k) { return traj_medicine_label ((TrajMedicine) k); }
static const char *sex_label (guint k) { return traj_sex_label ((TrajSex) k); }
static const char *age_label (guint k) { return traj_age_band_label ((TrajAgeBand) k); }

static char *
filter_text (const TrajCohortFilter *f)
{
  GString *s = g_string_new (NULL);

  append_mask (s, _("indication"), f->indications, TRAJ_N_INDICATIONS, indication_label);
  append_mask (s, _("route"), f->routes, TRAJ_N_ROUTES, route_label);
  append_mask (s, _("medicine"), f->medicines, TRAJ_N_MEDICINES, medicine_label);
  append_mask (s, _("sex"), f->sexes, TRAJ_N_SEXES, sex_label);
  append_mask (s, _("age band"), f->age_bands, TRAJ_N_AGE_BANDS, age_label);
  if (f->protocols && f->protocols[0])
    {
      g_autofree char *j = g_strjoinv (", ", f->protocols);
      g_string_append_printf (s, "%s%s: %s", s->len ? "; " : "", _("protocol"), j);
    }
  if (f->clinicians && f->clinicians[0])
    {
      g_autofree char *j = g_strjoinv (", ", f->clinicians);
      g_string_append_printf (s, "%s%s: %s", s->len ? "; " : "", _("first infusion by"), j);
    }
  if (f->start_from != TRAJ_DAY_NONE || f->start_to != TRAJ_DAY_NONE)
    {
      g_autofree char *a = f->start_from != TRAJ_DAY_NONE ? traj_day_format (f->start_from) : g_strdup ("…");
      g_autofree char *z = f->start_to != TRAJ_DAY_NONE ? traj_day_format (f->start_to) : g_strdup ("…");
      /* Translators: a filter: "started 1 Jan 2025 – 31 Dec 2025" */
      if (s->len)
        g_string_append (s, "; ");
      g_string_append_printf (s, _("started %s – %s"), a, z);
    }
  return g_string_free (s, FALSE);
}

typedef char *(*CohortCell) (const TrajCohort *h, guint arg);

/* Two lines a cell: the figure with its interval, then what it rests on
 * (soft), so the table stays narrow enough for five or six cohorts. */
static char *
figure_cell (const char *main, const char *basis, gboolean small)
{
  g_autofree char *m = rp_esc (main);
  g_autofree char *b = basis && *basis ? rp_soft (basis) : NULL;

  return g_strdup_printf ("%s%s%s%s", m, small ? "\u00a0†" : "", b ? "\n" : "", b ? b : "");
}

static char *
no_data_cell (const char *basis)
{
  g_autofree char *m = rp_soft (_("no data"));
  g_autofree char *b = basis && *basis ? rp_soft (basis) : NULL;

  return g_strdup_printf ("%s%s%s", m, b ? "\n" : "", b ? b : "");
}

static char *
rate_cell (const TrajCohortRate *r, const char *excluded_what)
{
  g_autofree char *main = NULL, *basis = NULL, *excluded = NULL;

  if (r->excluded > 0 && excluded_what)
    excluded = g_strdup_printf ("+%u %s", r->excluded, excluded_what);
  if (r->n == 0)
    return no_data_cell (excluded);
  /* Whole per cents: a page of five cohorts stays readable, and no cohort
   * here is large enough for a tenth of a per cent to mean anything. */
  /* Translators: a rate with its Wilson 95 % interval: "33 % (15–58)" */
  main = g_strdup_printf (_("%.0f %% (%.0f–%.0f)"), 100.0 * r->rate, 100.0 * r->lower, 100.0 * r->upper);
  basis = excluded ? g_strdup_printf ("%u/%u · %s", r->events, r->n, excluded)
                   : g_strdup_printf ("%u/%u", r->events, r->n);
  return figure_cell (main, basis, traj_cohort_rate_is_small (r));
}

static char *c_courses (const TrajCohort *h, guint a) { return g_strdup_printf ("%u%s", h->n_courses, h->small && h->n_courses ? " †" : ""); }
static char *c_patients (const TrajCohort *h, guint a) { return g_strdup_printf ("%u", h->n_patients); }

static char *
c_scale (const TrajCohort *h, guint a)
{
  const TrajScale *s = traj_scale_get (h->scale);
  g_autofree char *basis = NULL;

  if (s == NULL)
    return rp_soft (_("no data"));
  if (!h->mixed_scales)
    return rp_esc (_(s->name));
  basis = g_strdup_printf (_("%u of %u courses"), h->n_scale_courses, h->n_courses);
  return figure_cell (_(s->name), basis, FALSE);
}

static char *
c_mean (const TrajMeanCI *m)
{
  g_autofree char *main = NULL, *basis = NULL;

  if (m->n == 0)
    return no_data_cell (NULL);
  if (m->n < 2)
    {
      main = rp_minus_text (m->mean, 1);
      return figure_cell (main, "n = 1", TRUE);
    }
  {
    g_autofree char *mean = rp_minus_text (m->mean, 1), *sd = rp_minus_text (m->sd, 1);
    g_autofree char *lo = rp_minus_text (m->lower, 1), *hi = rp_minus_text (m->upper, 1);
    /* Translators: a mean and its standard deviation: "19.1 (SD 3.8)" */
    main = g_strdup_printf (_("%s (SD %s)"), mean, sd);
    /* Translators: a mean's 95 % interval and n: "17.2 to 20.9 · n = 19" */
    basis = g_strdup_printf (_("%s to %s · n = %u"), lo, hi, m->n);
  }
  return figure_cell (main, basis, m->n < TRAJ_COHORT_SMALL);
}

static char *c_baseline (const TrajCohort *h, guint a) { return c_mean (&h->baseline); }
static char *c_change (const TrajCohort *h, guint a) { return c_mean (&h->change_eoi); }
static char *c_response (const TrajCohort *h, guint tp) { return rate_cell (&h->response[tp], _("without a score")); }
static char *c_remission (const TrajCohort *h, guint tp) { return rate_cell (&h->remission[tp], _("without a score")); }
static char *c_completion (const TrajCohort *h, guint a) { return rate_cell (&h->completion, _("still in induction")); }
static char *c_safety (const TrajCohort *h, guint a) { return rate_cell (&h->safety, NULL); }
/* CLINICAL.md §8 tolerability, over every infusion: not outcomes. */
static char *c_cadss (const TrajCohort *h, guint a) { return c_mean (&h->cadss); }
static char *c_sedated (const TrajCohort *h, guint a) { return rate_cell (&h->sedated, NULL); }

static char *
c_median (const TrajCohort *h, guint a)
{
  g_autofree char *main = NULL, *basis = NULL;

  if (h->n_responders == 0)
    return no_data_cell (_("none responded"));
  main = rp_number_text (h->median_infusions_to_response, 1);
  /* Translators: how many courses a median rests on: "8 responders" */
  basis = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u responder", "%u responders", h->n_responders),
                           h->n_responders);
  return figure_cell (main, basis, h->n_responders < TRAJ_COHORT_SMALL);
}

static char *
c_booster (const TrajCohort *h, guint a)
{
  const TrajKm *km = h->booster;
  g_autofree char *main = NULL, *basis = NULL, *lo = NULL, *hi = NULL;

  if (km == NULL || km->n == 0)
    return no_data_cell (NULL);
  if (isnan (km->median))
    main = g_strdup (_("not reached"));
  else
    {
      lo = isnan (km->median_lower) ? g_strdup (_("NR")) : g_strdup_printf ("%.0f", km->median_lower);
      hi = isnan (km->median_upper) ? g_strdup (_("NR")) : g_strdup_printf ("%.0f", km->median_upper);
      /* Translators: a median time with its interval: "33 days (17–NR)"; NR = not reached */
      main = g_strdup_printf (_("%.0f days (%s–%s)"), km->median, lo, hi);
    }
  /* Translators: "4 boosters in 9 courses" */
  basis = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u booster in %u courses", "%u boosters in %u courses",
                                        km->n_events), km->n_events, km->n);
  return figure_cell (main, basis, km->n < TRAJ_COHORT_SMALL);
}

static char *
c_monitoring (const TrajCohort *h, guint a)
{
  const TrajCohortRate *r = &h->monitoring;
  g_autofree char *main = NULL, *basis = NULL;

  if (r->n == 0)
    return no_data_cell (NULL);
  /* Translators: events per 100 infusions with a 95 % interval: "5.5 (2.5–11.4)" */
  main = g_strdup_printf (_("%.1f (%.1f–%.1f)"), 100.0 * r->rate, 100.0 * r->lower, 100.0 * r->upper);
  /* Translators: "6 in 110 infusions" */
  basis = g_strdup_printf (_("%u in %u infusions"), r->events, r->n);
  return figure_cell (main, basis, FALSE);
}

static const char *const shape_glyphs[TRAJ_COHORT_CHART_MAX_SERIES] = { "●", "■", "▲", "◆", "▼", "✚" };

static char *
cohort_header (const TrajCohort *h, guint index)
{
  TrajChartColor c;
  TrajChartPalette palette;
  g_autofree char *label = rp_esc (h->label);

  if (index >= TRAJ_COHORT_CHART_MAX_SERIES)
    return g_steal_pointer (&label);
  traj_chart_palette_init_print (&palette);
  traj_cohort_chart_series_color (index, &palette, &c);
  return g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">%s</span> %s",
                          (guint) round (c.red * 255), (guint) round (c.green * 255), (guint) round (c.blue * 255),
                          shape_glyphs[index], label);
}

static void
add_cohort_metrics (TrajReport *self, const TrajCohortReport *report)
{
  static const struct {
    const char *label;
    CohortCell cell;
    guint arg;
  } rows[] = {
    { N_("Courses"), c_courses, 0 },
    { N_("Patients"), c_patients, 0 },
    { N_("Scores on"), c_scale, 0 },
    { N_("Baseline mean (SD), 95 % CI"), c_baseline, 0 },
    { N_("Mean change at end of induction"), c_change, 0 },
    { N_("Response, end of induction"), c_response, TRAJ_COHORT_AT_EOI },
    { N_("Response, 4 weeks after"), c_response, TRAJ_COHORT_AT_WEEK_4 },
    { N_("Response, 8 weeks after"), c_response, TRAJ_COHORT_AT_WEEK_8 },
    { N_("Response, 12 weeks after"), c_response, TRAJ_COHORT_AT_WEEK_12 },
    { N_("Remission, end of induction"), c_remission, TRAJ_COHORT_AT_EOI },
    { N_("Remission, 4 weeks after"), c_remission, TRAJ_COHORT_AT_WEEK_4 },
    { N_("Remission, 8 weeks after"), c_remission, TRAJ_COHORT_AT_WEEK_8 },
    { N_("Remission, 12 weeks after"), c_remission, TRAJ_COHORT_AT_WEEK_12 },
    { N_("Median infusions to first response"), c_median, 0 },
    { N_("Completed induction"), c_completion, 0 },
    { N_("Median days to first booster (95 % CI)"), c_booster, 0 },
    { N_("Monitoring events per 100 infusions (95 % CI)"), c_monitoring, 0 },
    { N_("Courses with a safety finding"), c_safety, 0 },
    { N_("CADSS per infusion, mean (SD), 95 % CI"), c_cadss, 0 },
    { N_("Infusions with sedation (lowest MOAA/S 3 or less)"), c_sedated, 0 },
  };
  Block *b = rp_add_block (self, BLOCK_TABLE, STYLE_HEADING, NULL, 10);
  Table *t = g_new0 (Table, 1);
  guint n = report->cohorts->len;

  t->n_columns = n + 1;
  t->columns = g_new0 (Column, n + 1);
  t->columns[0].header = rp_esc (_("Measure"));
  t->columns[0].flex = TRUE;
  t->columns[0].max_width = n > 3 ? 118 : 170;
  for (guint c = 0; c < n; c++)
    {
      t->columns[c + 1].header = cohort_header (g_ptr_array_index (report->cohorts, c), c);
      t->columns[c + 1].flex = TRUE;
    }
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_row_free);
  b->table = t;

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      char **row = g_new0 (char *, n + 2);

      row[0] = rp_bold (_(rows[r].label));
      for (guint c = 0; c < n; c++)
        row[c + 1] = rows[r].cell (g_ptr_array_index (report->cohorts, c), rows[r].arg);
      rp_table_add_row (t, row);
    }
}

TrajReport *
traj_report_cohort_new (const TrajCohortReport  *report,
                        const TrajReportOptions *options)
{
  TrajReport *self;
  TrajReportOptions opts;
  const TrajCohortDefinition *def;
  const TrajThresholds *t;
  const TrajScale *scale;
  g_autofree char *generated = NULL, *title = NULL, *as_of = NULL, *line = NULL, *filters = NULL;
  Block *b;
  guint n_patients = 0;

  g_return_val_if_fail (report != NULL, NULL);

  self = rp_report_new (REPORT_COHORT, options, &opts);
  /* Sharing the scanned courses, so the caller's report need not outlive this. */
  self->cohort = traj_cohort_report_regroup (report, report->definition);
  def = self->cohort->definition;
  t = &self->cohort->thresholds;
  generated = rp_generated_text (opts.generated_at);
  /* Translators: the footer of the cohort report: "Cohort report · Generated 3 Mar 2026, 14:05" */
  self->footer_left = g_strdup_printf (_("Cohort report · %s"), generated);
  self->running_head = g_strdup (_("Cohort report"));

  b = rp_add_block (self, BLOCK_PAIR, STYLE_KICKER,
                 rp_esc (opts.clinic_name && *opts.clinic_name ? opts.clinic_name : _("Trajectory")), 0);
  b->right = rp_esc (_("Cohort report"));
  b->right_style = STYLE_KICKER;
  rp_add_block (self, BLOCK_RULE, STYLE_BODY, NULL, 4);

  if (def->group_by != TRAJ_COHORT_FIELD_NONE)
    title = g_strdup_printf (_("Cohorts by %s"), traj_cohort_field_label (def->group_by));
  else if (def->cohorts && def->cohorts->len > 0)
    title = g_strdup (_("Cohorts compared"));
  else
    title = g_strdup (_("All courses"));
  rp_add_text (self, STYLE_TITLE, rp_esc (title), 8);

  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
    for (guint k = 0; k < self->cohort->courses->len; k++)
      {
        const TrajCohortCourse *c = g_ptr_array_index (self->cohort->courses, k);
        g_hash_table_add (seen, (gpointer) &c->patient_id);
      }
    n_patients = g_hash_table_size (seen);
  }
  as_of = traj_day_format (self->cohort->as_of != TRAJ_TIME_NONE ? traj_day_from_time (self->cohort->as_of)
                                                                  : traj_day_from_time (opts.generated_at));
  scale = traj_scale_get (def->scale);
  /* Translators: "As of 1 Mar 2026 · outcome scale: each course’s primary scale · 34 courses of 30 patients scanned" */
  line = g_strdup_printf (_("As of %s · outcome scale: %s · %u courses of %u patients in the clinic"),
                          as_of, scale ? _(scale->name) : _("each course’s primary scale"),
                          self->cohort->courses->len, n_patients);
  rp_add_text (self, STYLE_BODY, rp_esc (line), 2);

  filters = filter_text (&def->filter);
  {
    GString *s = g_string_new (NULL);
    g_autofree char *label = rp_bold (_("Filters:"));

    g_string_append_printf (s, "%s ", label);
    if (*filters)
      {
        g_autofree char *f = rp_esc (filters);
        g_string_append (s, f);
      }
    else
      {
        g_autofree char *f = rp_esc (_("none (every course)"));
        g_string_append (s, f);
      }
    for (guint k = 0; def->cohorts && k < def->cohorts->len; k++)
      {
        const TrajCohortSpec *spec = g_ptr_array_index (def->cohorts, k);
        const TrajCohort *h = k < self->cohort->cohorts->len ? g_ptr_array_index (self->cohort->cohorts, k) : NULL;
        g_autofree char *ft = filter_text (&spec->filter);
        g_autofree char *l = rp_bold (h ? h->label : spec->label);
        g_autofree char *v = rp_esc (*ft ? ft : _("every course"));
        g_string_append_printf (s, "\n%s: %s", l, v);
      }
    rp_add_text (self, STYLE_BODY, g_string_free (s, FALSE), 2);
  }

  if (self->cohort->cohorts->len > 0)
    add_cohort_metrics (self, self->cohort);

  /* The small-cohort notes: the † marks say which figures, this says
   * which cohorts. */
  {
    GPtrArray *small = g_ptr_array_new_with_free_func (g_free);
    GString *n = g_string_new (NULL);

    for (guint c = 0; c < self->cohort->cohorts->len; c++)
      {
        const TrajCohort *h = g_ptr_array_index (self->cohort->cohorts, c);
        if (h->n_courses == 0)
          {
            g_autofree char *l = rp_bold (h->label);
            g_autofree char *v = rp_esc (_("no course matches this cohort."));
            g_string_append_printf (n, "%s%s: %s", n->len ? " " : "", l, v);
          }
        else if (h->small)
          g_ptr_array_add (small, g_strdup_printf ("%s (%u)", h->label, h->n_courses));
      }
    {
      g_autofree char *mark = g_strdup_printf (_("† rests on fewer than %d courses: read with care."), TRAJ_COHORT_SMALL);
      g_autofree char *m = rp_esc (mark);
      g_string_prepend (n, " ");
      g_string_prepend (n, m);
    }
    if (small->len > 0)
      {
        g_autofree char *joined = NULL, *text = NULL, *e = NULL;
        g_ptr_array_add (small, NULL);
        joined = g_strjoinv (", ", (char **) small->pdata);
        /* Translators: "Small cohorts (courses): Anxiety (1), Chronic pain (1)." */
        text = g_strdup_printf (_("Small cohorts (courses): %s."), joined);
        e = rp_esc (text);
        g_string_append_printf (n, " %s", e);
      }
    g_ptr_array_unref (small);
    rp_add_text (self, STYLE_SMALL, g_string_free (n, FALSE), 3);
  }

  rp_add_block (self, BLOCK_COHORT_CHARTS, STYLE_SMALL, NULL, 10);

  {
    g_autoptr(GString) rules = g_string_new (NULL);
    g_autofree char *text = NULL;

    for (const TrajScale *sc = traj_scale_next_outcome (NULL); sc; sc = traj_scale_next_outcome (sc))
      {
        g_autofree char *pct = rp_number_text (100 * t->response_fraction[sc->id], 0);
        if (rules->len)
          g_string_append (rules, _(", "));
        /* Translators: one scale's response and remission rule: "PHQ-9 ≤ 50 % and ≤ 4" */
        g_string_append_printf (rules, _("%s ≤ %s %% and ≤ %d"), _(sc->name), pct, t->remission_max[sc->id]);
      }
    text = g_strdup_printf (_("Each course counts once in each cohort it matches; scores of one cohort are averaged on "
                              "one scale only. Baseline is the last complete score up to %d days before the first "
                              "infusion; response is a score at or below a share of baseline and remission a score "
                              "at or below the scale’s cut-off (%s). "
                              "End of induction (EOI) is the first score within %d days after infusion N (the "
                              "course’s induction length); week 4, 8 and 12 are the scores closest to EOI + 28, 56 "
                              "and 84 days (± %d). Rates carry Wilson 95 %% intervals, means t intervals; † marks "
                              "fewer than %d courses. Time to first booster is a Kaplan–Meier estimate from EOI, "
                              "censored at each course’s last record."),
                            t->baseline_window_days, rules->str,
                            TRAJ_COHORT_WINDOW_DAYS, TRAJ_COHORT_WINDOW_DAYS, TRAJ_COHORT_SMALL);
    rp_add_text (self, STYLE_SMALL, rp_esc (text), 8);
  }
  return self;
}

