/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-chart-private.h"

G_DEFINE_BOXED_TYPE (TrajChartModel, traj_chart_model, traj_chart_model_ref, traj_chart_model_unref)

/* On the infusion axis a score taken with an infusion sits this far before
 * (pre) or after (post) the infusion's number, so both show. */
#define XI_TIMING_OFFSET 0.25

/* ---- helpers ------------------------------------------------------------- */

char *
traj_chart_format_number (double v)
{
  if (fabs (v - round (v)) < 0.05)
    return g_strdup_printf ("%d", (int) round (v));
  return g_strdup_printf ("%.1f", v);
}

int
traj_chart_model_find_series (const TrajChartModel *model,
                              TrajScaleId           scale)
{
  for (guint i = 0; i < model->series->len; i++)
    if (traj_chart_model_series (model, i)->scale == scale)
      return (int) i;
  return -1;
}

static void
series_clear (gpointer data)
{
  TrajChartSeries *s = data;

  g_clear_pointer (&s->points, g_array_unref);
  g_clear_pointer (&s->drafts, g_array_unref);
  if (s->refs)
    {
      for (guint i = 0; i < s->refs->len; i++)
        g_free (g_array_index (s->refs, TrajChartReference, i).no_baseline_reason);
      g_clear_pointer (&s->refs, g_array_unref);
    }
}

static void
finding_clear (gpointer data)
{
  TrajChartFinding *f = data;

  g_clear_pointer (&f->sentence, g_free);
  g_clear_pointer (&f->closed, g_free);
}

static int
compare_series (gconstpointer a, gconstpointer b)
{
  const TrajChartSeries *sa = a, *sb = b;

  if (sa->primary != sb->primary)
    return sa->primary ? -1 : 1;
  return (int) sa->scale - (int) sb->scale;
}

static int
compare_point (gconstpointer a, gconstpointer b)
{
  const TrajChartPoint *pa = a, *pb = b;

  if (pa->at != pb->at)
    return pa->at < pb->at ? -1 : 1;
  /* Same minute: pre before post. */
  if (pa->timing != pb->timing)
    return pa->timing == TRAJ_TIMING_PRE ? -1 : pb->timing == TRAJ_TIMING_PRE ? 1 : 0;
  return pa->id < pb->id ? -1 : pa->id > pb->id;
}

static int
compare_infusion (gconstpointer a, gconstpointer b)
{
  const TrajChartInfusion *ia = a, *ib = b;

  if (ia->at != ib->at)
    return ia->at < ib->at ? -1 : 1;
  return ia->id < ib->id ? -1 : ia->id > ib->id;
}

static int
compare_finding (gconstpointer a, gconstpointer b)
{
  const TrajChartFinding *fa = a, *fb = b;

  if (fa->at != fb->at)
    return fa->at < fb->at ? -1 : 1;
  return (int) fa->kind - (int) fb->kind;
}

static void
extend_range (TrajChartModel *model, gint64 t)
{
  if (!model->has_data)
    {
      model->t_min = model->t_max = t;
      model->has_data = TRUE;
      return;
    }
  model->t_min = MIN (model->t_min, t);
  model->t_max = MAX (model->t_max, t);
}

static const TrajChartInfusion *
find_infusion (const TrajChartModel *model, gint64 id)
{
  for (guint i = 0; id != 0 && i < model->infusions->len; i++)
    {
      const TrajChartInfusion *inf = &g_array_index (model->infusions, TrajChartInfusion, i);
      if (inf->id == id)
        return inf;
    }
  return NULL;
}

/* The infusion axis: infusion k sits at k; a moment between two infusions
 * sits proportionally between them (kept clear of both); the time before the
 * first and after the last is folded into a short stretch each side. */
double
traj_chart_model_xi_for_time (const TrajChartModel *model,
                              gint64                t)
{
  guint n = model->infusions->len;
  const TrajChartInfusion *first, *last;
  double frac;

  if (n == 0)
    {
      /* No infusion axis: keep the order of time in [0, 1]. */
      if (model->t_max <= model->t_min)
        return 0.5;
      return (double) (t - model->t_min) / (double) (model->t_max - model->t_min);
    }

  first = &g_array_index (model->infusions, TrajChartInfusion, 0);
  last = &g_array_index (model->infusions, TrajChartInfusion, n - 1);

  if (t < first->at)
    {
      gint64 span = first->at - model->t_min;
      frac = span > 0 ? (double) (first->at - t) / (double) span : 0.0;
      return 1.0 - XI_TIMING_OFFSET - 0.6 * CLAMP (frac, 0.0, 1.0);
    }
  if (t >= last->at)
    {
      gint64 span = model->t_max - last->at;
      double width = 1.0;

      frac = span > 0 ? (double) (t - last->at) / (double) span : 0.0;
      if (span > 0)
        {
          /* Longer follow-ups get a little more room, never more than three
           * infusions' worth: the axis is about infusions. */
          width = CLAMP ((double) span / (14.0 * 86400.0), 1.0, 3.0);
        }
      return last->number + XI_TIMING_OFFSET + (width - XI_TIMING_OFFSET) * CLAMP (frac, 0.0, 1.0);
    }
  for (guint k = 0; k + 1 < n; k++)
    {
      const TrajChartInfusion *a = &g_array_index (model->infusions, TrajChartInfusion, k);
      const TrajChartInfusion *b = &g_array_index (model->infusions, TrajChartInfusion, k + 1);

      if (t >= a->at && t < b->at)
        {
          frac = b->at > a->at ? (double) (t - a->at) / (double) (b->at - a->at) : 0.5;
          return a->number + XI_TIMING_OFFSET + (1.0 - 2 * XI_TIMING_OFFSET) * frac;
        }
    }
  return last->number;
}

static double
xi_for_point (const TrajChartModel *model,
              const TrajChartPoint *p)
{
  const TrajChartInfusion *inf = find_infusion (model, p->infusion_id);

  if (inf == NULL && (p->timing == TRAJ_TIMING_PRE || p->timing == TRAJ_TIMING_POST))
    {
      /* Pre/post scores name no infusion when typed in later: the infusion
       * given that same day is theirs. */
      for (guint i = 0; i < model->infusions->len; i++)
        {
          const TrajChartInfusion *c = &g_array_index (model->infusions, TrajChartInfusion, i);
          if (c->day == p->day)
            {
              inf = c;
              break;
            }
        }
    }
  if (inf != NULL)
    {
      if (p->timing == TRAJ_TIMING_PRE || (p->timing != TRAJ_TIMING_POST && p->at < inf->at))
        return inf->number - XI_TIMING_OFFSET;
      return inf->number + XI_TIMING_OFFSET;
    }
  return traj_chart_model_xi_for_time (model, p->at);
}

static gboolean
strv_has (char **strv, const char *s)
{
  return strv != NULL && s != NULL && g_strv_contains ((const char * const *) strv, s);
}

/* The record a finding is dated at: the one it rests on whose time is its
 * fired_at; else the first it rests on. */
static void
locate_finding_record (const TrajPatientRecords *r,
                       const TrajFinding        *f,
                       TrajRecordKind           *kind,
                       gint64                   *id,
                       gint64                   *at)
{
  gboolean found = FALSE;

  *kind = TRAJ_KIND_PATIENT;
  *id = r->patient ? r->patient->id : 0;
  *at = f->fired_at;

  for (int pass = 0; pass < 2 && !found; pass++)
    {
      for (guint k = 0; r->assessments && k < r->assessments->len && !found; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
          if (strv_has (f->record_uids, a->uid) && (pass == 1 || a->taken_at == f->fired_at))
            {
              *kind = TRAJ_KIND_ASSESSMENT;
              *id = a->id;
              *at = a->taken_at;
              found = TRUE;
            }
        }
      for (guint k = 0; r->infusions && k < r->infusions->len && !found; k++)
        {
          const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
          if (strv_has (f->record_uids, i->uid) && (pass == 1 || i->started_at == f->fired_at))
            {
              *kind = TRAJ_KIND_INFUSION;
              *id = i->id;
              *at = i->started_at;
              found = TRUE;
            }
        }
    }
}

/* ---- model --------------------------------------------------------------- */

TrajChartModel *
traj_chart_model_new_from_records (const TrajPatientRecords *r,
                                   const TrajOutcomes       *o)
{
  TrajChartModel *model;
  const TrajCourse *current;
  TrajScaleId primary = TRAJ_SCALE_NONE;
  g_autoptr(GHashTable) n_in_course = NULL;

  g_return_val_if_fail (r != NULL, NULL);

  model = g_new0 (TrajChartModel, 1);
  g_atomic_ref_count_init (&model->ref_count);
  model->series = g_array_new (FALSE, TRUE, sizeof (TrajChartSeries));
  g_array_set_clear_func (model->series, series_clear);
  model->infusions = g_array_new (FALSE, TRUE, sizeof (TrajChartInfusion));
  model->findings = g_array_new (FALSE, TRUE, sizeof (TrajChartFinding));
  g_array_set_clear_func (model->findings, finding_clear);

  if (r->patient)
    {
      model->patient_name = g_strdup (r->patient->name);
      model->mrn = g_strdup (r->patient->mrn);
      primary = traj_indication_default_scale (r->patient->indication);
    }
  current = traj_patient_records_current_course (r);
  if (current && traj_scale_get (current->primary_scale))
    primary = current->primary_scale;

  /* Infusions, placed by their number over the whole patient, named by
   * their number within the course as the timeline does. */
  n_in_course = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint k = 0; r->infusions && k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      TrajChartInfusion ci = { 0 };

      if (i->deleted_at != 0)
        continue;
      ci.course_number = GPOINTER_TO_INT (g_hash_table_lookup (n_in_course, &i->course_id)) + 1;
      g_hash_table_insert (n_in_course, (gpointer) &i->course_id, GINT_TO_POINTER (ci.course_number));
      ci.id = i->id;
      ci.at = i->started_at;
      ci.day = traj_day_from_time (i->started_at);
      ci.phase = i->phase;
      ci.route = i->route;
      ci.medicine = i->medicine;
      ci.dose_mg_per_kg = i->dose_mg_per_kg;
      ci.total_mg = i->total_mg;
      ci.duration_min = i->duration_min;
      ci.has_bp = traj_infusion_bp_peak (i, &ci.systolic, &ci.diastolic);
      ci.cadss = i->cadss_total;
      ci.moaas = i->moaas_lowest;
      g_array_append_val (model->infusions, ci);
      extend_range (model, ci.at);
    }
  g_array_sort (model->infusions, compare_infusion);
  for (guint k = 0; k < model->infusions->len; k++)
    g_array_index (model->infusions, TrajChartInfusion, k).number = (int) k + 1;

  /* One series per scale with any assessment, values and drafts apart. */
  for (guint k = 0; r->assessments && k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      const TrajScale *info = traj_scale_get (a->scale);
      TrajChartSeries *s;
      TrajChartPoint p = { 0 };
      int idx;

      if (a->deleted_at != 0 || info == NULL)
        continue;
      idx = traj_chart_model_find_series (model, a->scale);
      if (idx < 0)
        {
          TrajChartSeries ns = { 0 };

          ns.scale = a->scale;
          ns.info = info;
          ns.primary = a->scale == primary;
          ns.points = g_array_new (FALSE, TRUE, sizeof (TrajChartPoint));
          ns.drafts = g_array_new (FALSE, TRUE, sizeof (TrajChartPoint));
          ns.refs = g_array_new (FALSE, TRUE, sizeof (TrajChartReference));
          ns.remission_max = info->remission_max;
          g_array_append_val (model->series, ns);
          idx = (int) model->series->len - 1;
        }
      s = traj_chart_model_series (model, (guint) idx);

      p.id = a->id;
      p.at = a->taken_at;
      p.day = traj_day_from_time (a->taken_at);
      p.timing = a->timing;
      p.source = a->source;
      p.infusion_id = a->infusion_id;
      /* The highest answer given, even if changed later (a tablet keeps it). */
      p.item9 = traj_scale_get (a->scale)->safety_item > 0 ? traj_assessment_safety_answer (a) : -1;
      /* Only complete questionnaires have a value (CLINICAL.md §1). */
      if (a->complete && a->total >= info->total_min && a->total <= info->total_max)
        {
          p.value = a->total;
          g_array_append_val (s->points, p);
        }
      else
        {
          p.value = -1;
          for (guint it = 0; it < info->n_items && it < TRAJ_MAX_ITEMS; it++)
            if (a->items[it] >= 0)
              p.answered++;
          g_array_append_val (s->drafts, p);
        }
      extend_range (model, p.at);
    }
  g_array_sort (model->series, compare_series);

  /* Positions on the infusion axis, once the range is known. */
  for (guint i = 0; i < model->series->len; i++)
    {
      TrajChartSeries *s = traj_chart_model_series (model, i);

      g_array_sort (s->points, compare_point);
      g_array_sort (s->drafts, compare_point);
      for (guint k = 0; k < s->points->len; k++)
        {
          TrajChartPoint *p = &g_array_index (s->points, TrajChartPoint, k);
          p->xi = xi_for_point (model, p);
        }
      for (guint k = 0; k < s->drafts->len; k++)
        {
          TrajChartPoint *p = &g_array_index (s->drafts, TrajChartPoint, k);
          p->xi = xi_for_point (model, p);
        }
    }

  /* Baselines and thresholds, course by course, as the engine computed them. */
  for (guint k = 0; o && o->outcomes && k < o->outcomes->len; k++)
    {
      const TrajOutcome *oc = g_ptr_array_index (o->outcomes, k);
      const TrajCourse *course = traj_patient_records_find_course (r, oc->course_id);
      int idx = traj_chart_model_find_series (model, oc->scale);
      TrajChartSeries *s;
      TrajChartReference ref = { 0 };

      if (idx < 0 || course == NULL)
        continue;
      s = traj_chart_model_series (model, (guint) idx);
      ref.course_id = oc->course_id;
      ref.start = traj_time_from_day (course->start_day, 0, 0);
      if (oc->first_infusion_at != TRAJ_TIME_NONE)
        ref.start = MIN (ref.start, oc->first_infusion_at);
      if (oc->has_baseline)
        ref.start = MIN (ref.start, oc->baseline_at);
      ref.end = G_MAXINT64;
      for (guint c = 0; r->courses && c < r->courses->len; c++)
        {
          const TrajCourse *next = g_ptr_array_index (r->courses, c);
          if (next != course && next->deleted_at == 0 && next->start_day > course->start_day)
            ref.end = MIN (ref.end, traj_time_from_day (next->start_day, 0, 0));
        }
      ref.has_baseline = oc->has_baseline;
      ref.baseline = oc->baseline;
      ref.response_computable = oc->response_computable;
      ref.response_threshold = oc->response_threshold;
      ref.remission_max = oc->remission_max;
      ref.no_baseline_reason = g_strdup (oc->no_baseline_reason);
      g_array_append_val (s->refs, ref);
    }
  for (guint i = 0; i < model->series->len; i++)
    {
      TrajChartSeries *s = traj_chart_model_series (model, i);

      for (guint k = 0; k < s->refs->len; k++)
        {
          TrajChartReference *ref = &g_array_index (s->refs, TrajChartReference, k);
          ref->xi_start = traj_chart_model_xi_for_time (model, ref->start);
          ref->xi_end = ref->end == G_MAXINT64 ? G_MAXDOUBLE : traj_chart_model_xi_for_time (model, ref->end);
          s->remission_max = ref->remission_max;
        }
    }

  /* Findings, pinned on their scale's panel (monitoring: on the infusions). */
  for (guint k = 0; o && o->findings && k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      TrajChartFinding cf = { 0 };

      cf.kind = f->kind;
      cf.open = f->open;
      cf.sentence = g_strdup (f->sentence);
      cf.closed = traj_finding_describe_closed (f);
      cf.series = f->kind == TRAJ_FINDING_MONITORING ? -1 : traj_chart_model_find_series (model, f->scale);
      locate_finding_record (r, f, &cf.record_kind, &cf.record_id, &cf.at);
      if (f->kind == TRAJ_FINDING_MONITORING)
        for (guint i = 0; i < model->infusions->len; i++)
          {
            TrajChartInfusion *inf = &g_array_index (model->infusions, TrajChartInfusion, i);
            if (cf.record_kind == TRAJ_KIND_INFUSION && inf->id == cf.record_id)
              inf->monitoring = TRUE;
          }
      if (cf.series < 0 && f->kind != TRAJ_FINDING_MONITORING)
        {
          /* Its scale has no panel (e.g. a safety finding on a deleted
           * PHQ-9): pin it on the top panel rather than lose it. */
          cf.series = model->series->len > 0 ? 0 : -1;
        }
      g_array_append_val (model->findings, cf);
      extend_range (model, cf.at);
    }
  g_array_sort (model->findings, compare_finding);
  for (guint k = 0; k < model->findings->len; k++)
    {
      TrajChartFinding *cf = &g_array_index (model->findings, TrajChartFinding, k);
      const TrajChartInfusion *inf = cf->record_kind == TRAJ_KIND_INFUSION ? find_infusion (model, cf->record_id) : NULL;

      cf->xi = inf ? inf->number : traj_chart_model_xi_for_time (model, cf->at);
      if (cf->record_kind == TRAJ_KIND_ASSESSMENT && cf->series >= 0)
        {
          const TrajChartSeries *s = traj_chart_model_series (model, (guint) cf->series);
          for (guint p = 0; p < s->points->len; p++)
            if (g_array_index (s->points, TrajChartPoint, p).id == cf->record_id)
              cf->xi = g_array_index (s->points, TrajChartPoint, p).xi;
          for (guint p = 0; p < s->drafts->len; p++)
            if (g_array_index (s->drafts, TrajChartPoint, p).id == cf->record_id)
              cf->xi = g_array_index (s->drafts, TrajChartPoint, p).xi;
        }
    }

  /* The infusion axis range. */
  model->xi_min = G_MAXDOUBLE;
  model->xi_max = -G_MAXDOUBLE;
  for (guint k = 0; k < model->infusions->len; k++)
    {
      double xi = g_array_index (model->infusions, TrajChartInfusion, k).number;
      model->xi_min = MIN (model->xi_min, xi);
      model->xi_max = MAX (model->xi_max, xi);
    }
  for (guint i = 0; i < model->series->len; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      for (guint k = 0; k < s->points->len; k++)
        {
          double xi = g_array_index (s->points, TrajChartPoint, k).xi;
          model->xi_min = MIN (model->xi_min, xi);
          model->xi_max = MAX (model->xi_max, xi);
        }
      for (guint k = 0; k < s->drafts->len; k++)
        {
          double xi = g_array_index (s->drafts, TrajChartPoint, k).xi;
          model->xi_min = MIN (model->xi_min, xi);
          model->xi_max = MAX (model->xi_max, xi);
        }
    }
  if (model->xi_min > model->xi_max)
    model->xi_min = model->xi_max = 1.0;

  return model;
}

TrajChartModel *
traj_chart_model_ref (TrajChartModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  g_atomic_ref_count_inc (&model->ref_count);
  return model;
}

void
traj_chart_model_unref (TrajChartModel *model)
{
  g_return_if_fail (model != NULL);

  if (!g_atomic_ref_count_dec (&model->ref_count))
    return;
  g_free (model->patient_name);
  g_free (model->mrn);
  g_array_unref (model->series);
  g_array_unref (model->infusions);
  g_array_unref (model->findings);
  g_free (model);
}

gboolean
traj_chart_model_is_empty (const TrajChartModel *model)
{
  g_return_val_if_fail (model != NULL, TRUE);
  return model->series->len == 0 && model->infusions->len == 0;
}

guint
traj_chart_model_get_n_series (const TrajChartModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->series->len;
}

TrajScaleId
traj_chart_model_get_series_scale (const TrajChartModel *model,
                                   guint                 series)
{
  g_return_val_if_fail (model != NULL, TRAJ_SCALE_NONE);
  g_return_val_if_fail (series < model->series->len, TRAJ_SCALE_NONE);
  return traj_chart_model_series (model, series)->scale;
}

guint
traj_chart_model_get_n_scores (const TrajChartModel *model,
                               guint                 series)
{
  g_return_val_if_fail (model != NULL, 0);
  g_return_val_if_fail (series < model->series->len, 0);
  return traj_chart_model_series (model, series)->points->len;
}

guint
traj_chart_model_get_n_infusions (const TrajChartModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->infusions->len;
}

const char *
traj_chart_model_get_patient_name (const TrajChartModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->patient_name;
}

const char *
traj_chart_model_get_mrn (const TrajChartModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->mrn;
}

/* ---- descriptions ---------------------------------------------------------- */

/* The course reference a moment falls under. */
static const TrajChartReference *
reference_at (const TrajChartSeries *s, gint64 t)
{
  const TrajChartReference *best = NULL;

  for (guint k = 0; k < s->refs->len; k++)
    {
      const TrajChartReference *ref = &g_array_index (s->refs, TrajChartReference, k);
      if (ref->start <= t && t < ref->end)
        best = ref;
    }
  if (best == NULL && s->refs->len > 0)
    {
      const TrajChartReference *first = &g_array_index (s->refs, TrajChartReference, 0);
      if (t < first->start)
        return NULL;
      best = &g_array_index (s->refs, TrajChartReference, s->refs->len - 1);
    }
  return best;
}

static void
append_change_from_baseline (GString                  *str,
                             const TrajChartReference *ref,
                             int                       value)
{
  int change;

  if (ref == NULL || !ref->has_baseline)
    return;
  change = value - ref->baseline;
  if (change == 0)
    /* Translators: the score equals the course's baseline score */
    g_string_append_printf (str, _("same as baseline %d"), ref->baseline);
  else if (ref->baseline > 0)
    {
      int pct = (int) round (100.0 * abs (change) / ref->baseline);
      if (change < 0)
        /* Translators: "10 points below baseline 18 (56 %)" */
        g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "%d point below baseline %d (%d %%)",
                                               "%d points below baseline %d (%d %%)", -change),
                                -change, ref->baseline, pct);
      else
        g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "%d point above baseline %d (%d %%)",
                                               "%d points above baseline %d (%d %%)", change),
                                change, ref->baseline, pct);
    }
  else
    g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "%d point above baseline %d",
                                           "%d points above baseline %d", change),
                            change, ref->baseline);
}

char *
traj_chart_model_describe (const TrajChartModel *model)
{
  GString *str;
  g_autofree char *first = NULL, *last = NULL;
  guint n_open = 0;
  int phases[TRAJ_N_PHASES] = { 0 };

  g_return_val_if_fail (model != NULL, NULL);

  if (traj_chart_model_is_empty (model))
    return g_strdup (_("No scores or infusions recorded yet."));

  str = g_string_new (NULL);
  first = traj_day_format (traj_day_from_time (model->t_min));
  last = traj_day_format (traj_day_from_time (model->t_max));

  if (model->series->len > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < model->series->len; i++)
        {
          if (i > 0)
            g_string_append (names, _(", "));
          g_string_append (names, _(traj_chart_model_series (model, i)->info->name));
        }
      if (g_str_equal (first, last))
        /* Translators: "Scores of PHQ-9 on 3 Mar 2026." */
        g_string_append_printf (str, _("Scores of %s on %s."), names->str, first);
      else
        /* Translators: "Scores of PHQ-9, GAD-7 from 3 Mar 2026 to 2 Jun 2026." */
        g_string_append_printf (str, _("Scores of %s from %s to %s."), names->str, first, last);
    }
  else if (g_str_equal (first, last))
    g_string_append_printf (str, _("No scores recorded; infusions on %s."), first);
  else
    g_string_append_printf (str, _("No scores recorded; infusions from %s to %s."), first, last);

  for (guint k = 0; k < model->infusions->len; k++)
    phases[g_array_index (model->infusions, TrajChartInfusion, k).phase]++;
  if (model->infusions->len > 0)
    {
      g_autoptr(GString) parts = g_string_new (NULL);

      for (int ph = 0; ph < TRAJ_N_PHASES; ph++)
        {
          if (phases[ph] == 0)
            continue;
          if (parts->len > 0)
            g_string_append (parts, _(", "));
          /* Translators: infusions by phase in the chart's description, e.g. "6 induction" */
          if (ph == TRAJ_PHASE_INDUCTION)
            g_string_append_printf (parts, _("%d induction"), phases[ph]);
          else if (ph == TRAJ_PHASE_MAINTENANCE)
            g_string_append_printf (parts, _("%d maintenance"), phases[ph]);
          else
            g_string_append_printf (parts, _("%d booster"), phases[ph]);
        }
      g_string_append_c (str, ' ');
      /* Translators: "12 infusions: 6 induction, 4 maintenance, 2 booster." */
      g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "%u infusion: %s.", "%u infusions: %s.",
                                                model->infusions->len),
                              model->infusions->len, parts->str);
    }
  else
    g_string_append_printf (str, " %s", _("No infusions recorded."));

  for (guint i = 0; i < model->series->len; i++)
    {
      const TrajChartSeries *s = traj_chart_model_series (model, i);
      const char *name = _(s->info->name);

      g_string_append_c (str, ' ');
      if (s->points->len == 0)
        {
          g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "%s: no complete score yet, %u incomplete.",
                                                 "%s: no complete score yet, %u incomplete.",
                                                 s->drafts->len),
                                  name, s->drafts->len);
          continue;
        }
      {
        const TrajChartPoint *p = &g_array_index (s->points, TrajChartPoint, s->points->len - 1);
        const TrajChartReference *ref = reference_at (s, p->at);
        const char *band = traj_scale_band_label (s->info, p->value);
        g_autofree char *day = traj_day_format (p->day);

        if (band)
          /* Translators: "PHQ-9: latest 8 (mild) on 2 Jun 2026" */
          g_string_append_printf (str, _("%s: latest %d (%s) on %s"), name, p->value, band, day);
        else
          g_string_append_printf (str, _("%s: latest %d on %s"), name, p->value, day);
        g_string_append (str, _(", "));
        if (ref && ref->has_baseline)
          append_change_from_baseline (str, ref, p->value);
        else
          g_string_append (str, _("no baseline"));
        if (s->points->len > 1)
          {
            const TrajChartPoint *prev = &g_array_index (s->points, TrajChartPoint, s->points->len - 2);
            int d = p->value - prev->value;

            g_string_append (str, _(", "));
            if (d < 0)
              g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "falling: %d point lower than the score before",
                                                     "falling: %d points lower than the score before", -d), -d);
            else if (d > 0)
              g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "rising: %d point higher than the score before",
                                                     "rising: %d points higher than the score before", d), d);
            else
              g_string_append (str, _("unchanged from the score before"));
          }
        g_string_append_c (str, '.');
      }
    }

  for (guint k = 0; k < model->findings->len; k++)
    if (g_array_index (model->findings, TrajChartFinding, k).open)
      n_open++;
  if (n_open > 0)
    {
      gboolean first_one = TRUE;

      g_string_append_c (str, ' ');
      g_string_append_printf (str, g_dngettext (GETTEXT_PACKAGE, "%u open finding: ", "%u open findings: ", n_open), n_open);
      for (guint k = model->findings->len; k-- > 0;)
        {
          const TrajChartFinding *f = &g_array_index (model->findings, TrajChartFinding, k);
          if (!f->open)
            continue;
          if (!first_one)
            g_string_append (str, _(", "));
          g_string_append (str, traj_finding_kind_label (f->kind));
          first_one = FALSE;
        }
      g_string_append_c (str, '.');
    }

  return g_string_free (str, FALSE);
}

static const char *
timing_phrase (TrajTiming timing)
{
  switch (timing)
    {
    case TRAJ_TIMING_PRE:
      return _("before the infusion");
    case TRAJ_TIMING_POST:
      return _("after the infusion");
    case TRAJ_TIMING_BETWEEN:
    case TRAJ_N_TIMINGS:
    default:
      return NULL;
    }
}

char *
traj_chart_model_describe_item (const TrajChartModel *model,
                                const TrajChartItem  *item)
{
  GString *str;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (item != NULL, NULL);

  str = g_string_new (NULL);
  switch (item->kind)
    {
    case TRAJ_CHART_ITEM_SCORE:
    case TRAJ_CHART_ITEM_DRAFT:
      {
        const TrajChartSeries *s;
        const TrajChartPoint *p;
        g_autofree char *when = NULL;
        const char *timing;
        GArray *arr;

        if (item->row < 0 || (guint) item->row >= model->series->len)
          break;
        s = traj_chart_model_series (model, (guint) item->row);
        arr = item->kind == TRAJ_CHART_ITEM_SCORE ? s->points : s->drafts;
        if (item->index >= arr->len)
          break;
        p = &g_array_index (arr, TrajChartPoint, item->index);
        when = traj_time_format (p->at);
        timing = timing_phrase (p->timing);

        if (item->kind == TRAJ_CHART_ITEM_SCORE)
          {
            const char *band = traj_scale_band_label (s->info, p->value);
            const TrajChartReference *ref = reference_at (s, p->at);

            if (band)
              /* Translators: "PHQ-9 12 · moderate" */
              g_string_append_printf (str, _("%s %d · %s"), _(s->info->name), p->value, band);
            else
              g_string_append_printf (str, "%s %d", _(s->info->name), p->value);
            g_string_append_c (str, '\n');
            g_string_append (str, when);
            if (timing)
              g_string_append_printf (str, " · %s", timing);
            if (ref && ref->has_baseline)
              {
                g_string_append_c (str, '\n');
                append_change_from_baseline (str, ref, p->value);
              }
          }
        else
          {
            /* Translators: an incomplete questionnaire: "PHQ-9 incomplete: 5 of 9 items, not scored" */
            g_string_append_printf (str, _("%s incomplete: %d of %u items, not scored"),
                                    _(s->info->name), p->answered, s->info->n_items);
            g_string_append_c (str, '\n');
            g_string_append (str, when);
            if (timing)
              g_string_append_printf (str, " · %s", timing);
          }
        if (p->item9 > 0)
          {
            g_string_append_c (str, '\n');
            /* Translators: PHQ-9 item 9 (thoughts of self-harm) was answered above 0 */
            g_string_append_printf (str, _("Item 9 answered %d: safety finding"), p->item9);
          }
      }
      break;

    case TRAJ_CHART_ITEM_INFUSION:
      {
        const TrajChartInfusion *inf;
        g_autofree char *when = NULL;

        if (item->index >= model->infusions->len)
          break;
        inf = &g_array_index (model->infusions, TrajChartInfusion, item->index);
        when = traj_time_format (inf->at);
        if (inf->route == TRAJ_ROUTE_INTRANASAL)
          /* Translators: an esketamine nasal-spray session, as the timeline names it: "Session 4 · Booster" */
          g_string_append_printf (str, _("Session %d · %s"), inf->course_number, traj_phase_label (inf->phase));
        else
          /* Translators: "Infusion 4 · booster" */
          g_string_append_printf (str, _("Infusion %d · %s"), inf->course_number, traj_phase_label (inf->phase));
        g_string_append_c (str, '\n');
        /* Translators: "3 Mar 2026, 10:00 · IV · racemic ketamine" */
        g_string_append_printf (str, _("%s · %s · %s"), when, traj_route_label (inf->route),
                                traj_medicine_label (inf->medicine));
        g_string_append_c (str, '\n');
        if (inf->dose_mg_per_kg > 0)
          /* Translators: a dose: "0.50 mg/kg, 35 mg over 40 min" */
          g_string_append_printf (str, _("%.2f mg/kg, %g mg over %d min"),
                                  inf->dose_mg_per_kg, inf->total_mg, inf->duration_min);
        else
          g_string_append_printf (str, _("%g mg over %d min"), inf->total_mg, inf->duration_min);
        g_string_append_c (str, '\n');
        if (inf->has_bp)
          /* Translators: the highest blood pressure during the infusion: "BP peak 152/94" */
          g_string_append_printf (str, _("BP peak %d/%d"), inf->systolic, inf->diastolic);
        else
          g_string_append (str, _("No blood pressure recorded"));
        if (inf->cadss >= 0)
          /* Translators: an infusion's dissociation score, "CADSS 24" */
          g_string_append_printf (str, _("\nCADSS %d"), inf->cadss);
        if (inf->moaas >= 0)
          g_string_append_printf (str, inf->moaas <= TRAJ_MOAAS_SEDATED_MAX
                                  /* Translators: the lowest MOAA/S during monitoring, 3 or less: sedation */
                                  ? _("\nLowest MOAA/S %d (sedation)")
                                  /* Translators: the lowest MOAA/S during monitoring, 4 or 5 */
                                  : _("\nLowest MOAA/S %d"), inf->moaas);
        if (inf->monitoring)
          g_string_append_printf (str, "\n%s", traj_finding_kind_label (TRAJ_FINDING_MONITORING));
      }
      break;

    case TRAJ_CHART_ITEM_FINDING:
      {
        const TrajChartFinding *f;

        if (item->index >= model->findings->len)
          break;
        f = &g_array_index (model->findings, TrajChartFinding, item->index);
        if (f->open)
          /* Translators: a finding's kind and state: "Safety (open)" */
          g_string_append_printf (str, _("%s (open)"), traj_finding_kind_label (f->kind));
        else
          g_string_append_printf (str, _("%s (closed)"), traj_finding_kind_label (f->kind));
        if (f->sentence && *f->sentence)
          g_string_append_printf (str, "\n%s", f->sentence);
        if (f->closed)
          g_string_append_printf (str, "\n%s", f->closed);
      }
      break;

    case TRAJ_CHART_ITEM_NONE:
    default:
      break;
    }

  return g_string_free (str, FALSE);
}
