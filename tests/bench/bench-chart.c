/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How long one patient chart takes to lay out and draw: 300 scores across
 * three panels (PHQ-9, GAD-7, pain), 40 infusions and their findings, at
 * 1200 × 800 into an image surface. Prints the median of many runs; the
 * target on a clinic workstation is 5 ms or less. */

#include "config.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>

#include "traj-chart.h"
#include "traj-outcomes.h"

#define WIDTH 1200
#define HEIGHT 800
#define RUNS 200
#define WARMUP 10

static gint64 next_id = 1;

static TrajPatientRecords *
make_records (void)
{
  TrajPatientRecords *r = traj_patient_records_new ();
  gint64 start = traj_time_from_day (traj_day_from_ymd (2024, 1, 8), 9, 0);
  static const TrajScaleId scales[] = { TRAJ_SCALE_PHQ9, TRAJ_SCALE_GAD7, TRAJ_SCALE_PAIN_NRS };
  TrajCourse *c = traj_course_new ();
  GRand *rand = g_rand_new_with_seed (7);

  r->patient = traj_patient_new ();
  r->patient->id = 1;
  r->patient->uid = g_strdup ("bench");
  r->patient->mrn = g_strdup ("MRN-BENCH");
  r->patient->name = g_strdup ("Bench Patient");
  c->id = 1;
  c->uid = g_strdup ("course");
  c->patient_id = 1;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 6;
  c->start_day = traj_day_from_ymd (2024, 1, 8);
  g_ptr_array_add (r->courses, c);

  for (int k = 0; k < 40; k++)
    {
      TrajInfusion *i = traj_infusion_new ();
      TrajVitalSign *v = traj_vital_sign_new (40);

      i->id = next_id++;
      i->uid = g_strdup_printf ("i%d", k);
      i->patient_id = 1;
      i->course_id = 1;
      i->started_at = start + 3600 + (gint64) (k < 6 ? k * 2 : 12 + (k - 6) * 20) * 86400;
      i->phase = k < 6 ? TRAJ_PHASE_INDUCTION : k % 4 == 0 ? TRAJ_PHASE_BOOSTER : TRAJ_PHASE_MAINTENANCE;
      i->duration_min = 40;
      i->dose_mg_per_kg = 0.5;
      i->total_mg = 36;
      v->systolic = 130 + g_rand_int_range (rand, 0, 60);
      v->diastolic = 80 + g_rand_int_range (rand, 0, 35);
      g_ptr_array_add (i->vitals, v);
      g_ptr_array_add (r->infusions, i);
    }
  for (int k = 0; k < 100; k++)
    for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
      {
        const TrajScale *info = traj_scale_get (scales[s]);
        TrajAssessment *a = traj_assessment_new (scales[s]);
        double trend = k < 8 ? 0.9 - k * 0.08 : 0.35 + 0.15 * ((k / 10) % 2);

        a->id = next_id++;
        a->uid = g_strdup_printf ("a%d-%u", k, s);
        a->patient_id = 1;
        a->course_id = 1;
        a->taken_at = start + (gint64) (k * 7.3 * 86400) - (k == 0 ? 3600 : 0);
        a->complete = TRUE;
        a->total = CLAMP ((int) (trend * info->total_max) + g_rand_int_range (rand, -2, 3), 0, info->total_max);
        if (scales[s] == TRAJ_SCALE_PHQ9 && k % 23 == 5)
          a->items[TRAJ_PHQ9_ITEM9] = 1;
        g_ptr_array_add (r->assessments, a);
      }
  g_rand_free (rand);
  return r;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  g_autoptr(TrajPatientRecords) r = make_records ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajChartModel) model = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  TrajThresholds t;
  TrajChartPalette palette;
  TrajChartOptions options;
  double total[RUNS], draw[RUNS];
  guint points = 0;

  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, TRAJ_TIME_NONE);
  model = traj_chart_model_new_from_records (r, o);
  for (guint s = 0; s < traj_chart_model_get_n_series (model); s++)
    points += traj_chart_model_get_n_scores (model, s);
  traj_chart_palette_init_print (&palette);
  traj_chart_options_init (&options);

  for (int k = 0; k < WARMUP + RUNS; k++)
    {
      gint64 t0, t1, t2;
      TrajChartLayout *layout;

      cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
      cairo_paint (cr);
      cairo_set_operator (cr, CAIRO_OPERATOR_OVER);

      t0 = g_get_monotonic_time ();
      layout = traj_chart_layout_new (model, &options, WIDTH, HEIGHT);
      t1 = g_get_monotonic_time ();
      traj_chart_draw (layout, cr, &palette);
      cairo_surface_flush (surface);
      t2 = g_get_monotonic_time ();
      traj_chart_layout_free (layout);
      if (k >= WARMUP)
        {
          total[k - WARMUP] = (t2 - t0) / 1000.0;
          draw[k - WARMUP] = (t2 - t1) / 1000.0;
        }
    }
  qsort (total, RUNS, sizeof (double), compare_double);
  qsort (draw, RUNS, sizeof (double), compare_double);

  printf ("chart: %u points in %u panels, %u infusions, %dx%d image surface, %d runs\n",
          points, traj_chart_model_get_n_series (model), traj_chart_model_get_n_infusions (model),
          WIDTH, HEIGHT, RUNS);
  printf ("median %.2f ms (layout and draw; draw alone %.2f ms), 90th percentile %.2f ms; target <= 5 ms\n",
          total[RUNS / 2], draw[RUNS / 2], total[RUNS * 9 / 10]);

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
