/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chart renderer on image surfaces: marks land where the scales say,
 * thresholds sit at their values, nothing leaks out of the plot areas, the
 * awkward cases (no data, one point, hundreds of points, no baseline, pre and
 * post scores on an infusion day) behave, and PNG/SVG/PDF files are valid.
 * Dates are 2026 at 09:00 (scores) and 10:00 (infusions) local time;
 * tests/meson.build sets TZ=Europe/London. */

#include "config.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "traj-chart.h"
#include "traj-chart-layout-private.h"
#include "traj-outcomes.h"
#include "traj-timeline.h"

#define W 900
#define H 600

static gint64 next_id = 100;

/* ---- records ------------------------------------------------------------- */

static gint64
at (int month, int mday, int hour)
{
  return traj_time_from_day (traj_day_from_ymd (2026, month, mday), hour, 0);
}

static TrajPatientRecords *
records_new (void)
{
  TrajPatientRecords *r = traj_patient_records_new ();

  r->patient = traj_patient_new ();
  r->patient->id = 1;
  r->patient->uid = g_strdup ("patient-1");
  r->patient->mrn = g_strdup ("MRN-TEST");
  r->patient->name = g_strdup ("Test Patient");
  r->patient->indication = TRAJ_INDICATION_DEPRESSION;
  return r;
}

static TrajCourse *
add_course (TrajPatientRecords *r, int month, int mday)
{
  TrajCourse *c = traj_course_new ();

  c->id = 1;
  c->uid = g_strdup ("course-1");
  c->patient_id = 1;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 6;
  c->start_day = traj_day_from_ymd (2026, month, mday);
  c->end_day = TRAJ_DAY_NONE;
  g_ptr_array_add (r->courses, c);
  return c;
}

static TrajInfusion *
add_infusion (TrajPatientRecords *r, int month, int mday, TrajPhase phase)
{
  TrajInfusion *i = traj_infusion_new ();

  i->id = next_id++;
  i->uid = g_strdup_printf ("inf-%" G_GINT64_FORMAT, i->id);
  i->patient_id = 1;
  i->course_id = 1;
  i->started_at = at (month, mday, 10);
  i->duration_min = 40;
  i->phase = phase;
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  g_ptr_array_add (r->infusions, i);
  return i;
}

static TrajAssessment *
add_score_at (TrajPatientRecords *r, TrajScaleId scale, gint64 taken_at, int total, TrajTiming timing)
{
  TrajAssessment *a = traj_assessment_new (scale);

  a->id = next_id++;
  a->uid = g_strdup_printf ("a-%" G_GINT64_FORMAT, a->id);
  a->patient_id = 1;
  a->course_id = 1;
  a->taken_at = taken_at;
  a->timing = timing;
  a->complete = total >= 0;
  a->total = total;
  g_ptr_array_add (r->assessments, a);
  return a;
}

static TrajAssessment *
add_score (TrajPatientRecords *r, TrajScaleId scale, int month, int mday, int total)
{
  return add_score_at (r, scale, at (month, mday, 9), total, TRAJ_TIMING_BETWEEN);
}

static int
compare_assessments (gconstpointer a, gconstpointer b)
{
  const TrajAssessment *x = *(TrajAssessment **) a, *y = *(TrajAssessment **) b;
  return x->taken_at < y->taken_at ? -1 : x->taken_at > y->taken_at;
}

/* The fixture: a PHQ-9 course with six induction infusions, a maintenance
 * and a booster; pre and post scores on the first infusion day; an item 9
 * answer; a draft; and a few GAD-7 scores. */
typedef struct {
  TrajPatientRecords *r;
  TrajOutcomes *o;
  TrajChartModel *model;
  TrajAssessment *pre, *post, *safety, *last, *draft;
  TrajInfusion *first, *booster;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  TrajThresholds t;
  TrajPatientRecords *r = f->r = records_new ();
  TrajVitalSign *v;

  add_course (r, 3, 2);
  f->first = add_infusion (r, 3, 2, TRAJ_PHASE_INDUCTION);
  v = traj_vital_sign_new (40);
  v->systolic = 152;
  v->diastolic = 94;
  g_ptr_array_add (f->first->vitals, v);
  add_infusion (r, 3, 4, TRAJ_PHASE_INDUCTION);
  add_infusion (r, 3, 6, TRAJ_PHASE_INDUCTION);
  add_infusion (r, 3, 9, TRAJ_PHASE_INDUCTION);
  add_infusion (r, 3, 11, TRAJ_PHASE_INDUCTION);
  add_infusion (r, 3, 13, TRAJ_PHASE_INDUCTION);
  add_infusion (r, 4, 3, TRAJ_PHASE_MAINTENANCE);
  f->booster = add_infusion (r, 5, 1, TRAJ_PHASE_BOOSTER);

  f->pre = add_score_at (r, TRAJ_SCALE_PHQ9, at (3, 2, 9), 20, TRAJ_TIMING_PRE);
  f->pre->infusion_id = f->first->id;
  f->post = add_score_at (r, TRAJ_SCALE_PHQ9, at (3, 2, 12), 15, TRAJ_TIMING_POST);
  f->post->infusion_id = f->first->id;
  add_score (r, TRAJ_SCALE_PHQ9, 3, 6, 14);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 9, 11);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 13, 9);
  f->safety = add_score (r, TRAJ_SCALE_PHQ9, 3, 20, 8);
  f->safety->items[TRAJ_PHQ9_ITEM9] = 1;
  add_score (r, TRAJ_SCALE_PHQ9, 4, 3, 12);
  f->last = add_score (r, TRAJ_SCALE_PHQ9, 5, 15, 8);
  f->draft = add_score (r, TRAJ_SCALE_PHQ9, 4, 10, -1);
  for (int i = 0; i < 4; i++)
    f->draft->items[i] = 1;
  add_score (r, TRAJ_SCALE_GAD7, 3, 2, 15);
  add_score (r, TRAJ_SCALE_GAD7, 3, 13, 10);
  add_score (r, TRAJ_SCALE_GAD7, 5, 15, 6);
  g_ptr_array_sort (r->assessments, compare_assessments);

  traj_thresholds_init_defaults (&t);
  f->o = traj_outcomes_compute (r, &t, TRAJ_TIME_NONE);
  f->model = traj_chart_model_new_from_records (r, f->o);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  traj_chart_model_unref (f->model);
  traj_outcomes_free (f->o);
  traj_patient_records_free (f->r);
}

/* ---- pixels -------------------------------------------------------------- */

/* Pure colours, so a pixel says which mark painted it. */
static void
test_palette (TrajChartPalette *p)
{
  traj_chart_palette_init_print (p);
  p->background = (TrajChartColor) { 1, 1, 1, 0 };
  p->foreground = (TrajChartColor) { 0, 0, 0, 1 };
  p->accent = (TrajChartColor) { 0, 0, 1, 1 };
  p->success = (TrajChartColor) { 0, 1, 0, 1 };
  p->error = (TrajChartColor) { 1, 0, 0, 1 };
}

typedef struct {
  int r, g, b, a;
} Px;

static Px
pixel (cairo_surface_t *s, double x, double y)
{
  double sx, sy;
  int ix, iy;
  guint32 v;
  Px p = { 0 };

  cairo_surface_get_device_scale (s, &sx, &sy);
  ix = (int) floor (x * sx);
  iy = (int) floor (y * sy);
  if (ix < 0 || iy < 0 || ix >= cairo_image_surface_get_width (s) || iy >= cairo_image_surface_get_height (s))
    return p;
  v = *(guint32 *) (cairo_image_surface_get_data (s) + iy * cairo_image_surface_get_stride (s) + ix * 4);
  p.a = v >> 24;
  /* Un-premultiply. */
  if (p.a > 0)
    {
      p.r = (int) (((v >> 16) & 0xff) * 255 / p.a);
      p.g = (int) (((v >> 8) & 0xff) * 255 / p.a);
      p.b = (int) ((v & 0xff) * 255 / p.a);
    }
  return p;
}

static cairo_surface_t *
render (TrajChartModel *model, TrajChartAxis axis, TrajChartLayers layers, double scale, TrajChartLayout **layout_out)
{
  TrajChartOptions o;
  TrajChartPalette p;
  TrajChartLayout *layout;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (W * scale), (int) (H * scale));
  cairo_t *cr;

  cairo_surface_set_device_scale (s, scale, scale);
  traj_chart_options_init (&o);
  o.axis = axis;
  o.layers = layers;
  test_palette (&p);
  layout = traj_chart_layout_new (model, &o, W, H);
  cr = cairo_create (s);
  traj_chart_draw (layout, cr, &p);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  if (layout_out)
    *layout_out = layout;
  else
    traj_chart_layout_free (layout);
  return s;
}

static gboolean
inside (const cairo_rectangle_t *r, double x, double y)
{
  return x >= r->x && x < r->x + r->width && y >= r->y && y < r->y + r->height;
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_model (Fixture *f, gconstpointer data)
{
  g_assert_false (traj_chart_model_is_empty (f->model));
  g_assert_cmpuint (traj_chart_model_get_n_series (f->model), ==, 2);
  /* The course's primary scale first. */
  g_assert_cmpint (traj_chart_model_get_series_scale (f->model, 0), ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (traj_chart_model_get_series_scale (f->model, 1), ==, TRAJ_SCALE_GAD7);
  /* The draft is not a value. */
  g_assert_cmpuint (traj_chart_model_get_n_scores (f->model, 0), ==, 8);
  g_assert_cmpuint (traj_chart_model_get_n_scores (f->model, 1), ==, 3);
  g_assert_cmpuint (traj_chart_model_get_n_infusions (f->model), ==, 8);
  g_assert_cmpstr (traj_chart_model_get_mrn (f->model), ==, "MRN-TEST");
}

static void
test_points_land (Fixture *f, gconstpointer data)
{
  TrajChartLayout *layout;
  cairo_surface_t *s = render (f->model, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_DATA, 1, &layout);
  cairo_rectangle_t plot0, plot1;
  double x_first, x_last, y0, y27, x, y;
  Px p;

  g_assert_cmpuint (traj_chart_layout_get_n_panels (layout), ==, 2);
  g_assert_true (traj_chart_layout_get_plot_area (layout, 0, &plot0));
  g_assert_true (traj_chart_layout_get_plot_area (layout, 1, &plot1));
  /* Primary panel larger; panels stacked, same time axis. */
  g_assert_cmpfloat (plot0.height, >, plot1.height * 1.5);
  g_assert_cmpfloat (plot0.y + plot0.height, <, plot1.y);
  g_assert_cmpfloat (plot0.x, ==, plot1.x);
  g_assert_cmpfloat (plot0.width, ==, plot1.width);

  /* The time axis is linear and spans the data with a margin each side. */
  x_first = traj_chart_layout_x_for (layout, (double) at (3, 2, 9));
  x_last = traj_chart_layout_x_for (layout, (double) at (5, 15, 9));
  g_assert_cmpfloat (x_first, >, plot0.x + 4);
  g_assert_cmpfloat (x_first, <, plot0.x + plot0.width * 0.1);
  g_assert_cmpfloat (x_last, <, plot0.x + plot0.width - 4);
  g_assert_cmpfloat (x_last, >, plot0.x + plot0.width * 0.9);
  g_assert_cmpfloat_with_epsilon (traj_chart_layout_x_for (layout, (double) (at (3, 2, 9) + at (5, 15, 9)) / 2),
                                  (x_first + x_last) / 2, 1e-6);
  /* The y axis is the scale's range, bottom to top, inside the plot. */
  y0 = traj_chart_layout_y_for (layout, 0, 0);
  y27 = traj_chart_layout_y_for (layout, 0, 27);
  g_assert_cmpfloat (y0, <, plot0.y + plot0.height);
  g_assert_cmpfloat (y0, >, plot0.y + plot0.height - 10);
  g_assert_cmpfloat (y27, >, plot0.y);
  g_assert_cmpfloat (y27, <, plot0.y + 10);
  g_assert_cmpfloat_with_epsilon (traj_chart_layout_y_for (layout, 0, 13.5), (y0 + y27) / 2, 1e-6);

  /* Known points: the dot is painted at its place, black. */
  x = traj_chart_layout_x_for (layout, (double) at (3, 13, 9));
  y = traj_chart_layout_y_for (layout, 0, 9);
  p = pixel (s, x, y);
  g_assert_cmpint (p.a, >, 200);
  g_assert_cmpint (MAX (p.r, MAX (p.g, p.b)), <, 40);
  x = traj_chart_layout_x_for (layout, (double) at (5, 15, 9));
  y = traj_chart_layout_y_for (layout, 1, 6);
  p = pixel (s, x, y);
  g_assert_cmpint (p.a, >, 200);
  /* Nothing where there is no score: the PHQ-9 panel at value 25 midway. */
  p = pixel (s, (x_first + x_last) / 2, traj_chart_layout_y_for (layout, 0, 25));
  g_assert_cmpint (p.a, ==, 0);
  /* The safety point (item 9 = 1) is red. */
  p = pixel (s, traj_chart_layout_x_for (layout, (double) at (3, 20, 9)), traj_chart_layout_y_for (layout, 0, 8));
  g_assert_cmpint (p.a, >, 200);
  g_assert_cmpint (p.r, >, 200);
  g_assert_cmpint (p.g, <, 60);

  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
}

/* The most opaque pixel along a row from @x over 12 pixels (dashed lines
 * have gaps). */
static Px
along (cairo_surface_t *s, int x, double y)
{
  Px best = { 0 };

  for (int k = 0; k < 12; k++)
    {
      Px p = pixel (s, x + k, y);
      if (p.a > best.a)
        best = p;
    }
  return best;
}

static void
test_thresholds (Fixture *f, gconstpointer data)
{
  TrajChartLayout *layout;
  cairo_surface_t *s = render (f->model, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_REFERENCE, 1, &layout);
  cairo_rectangle_t plot;
  double yb = traj_chart_layout_y_for (layout, 0, 20);   /* baseline: the pre score of 20 */
  double yr = traj_chart_layout_y_for (layout, 0, 10);   /* response: 50 % of 20 */
  double yq = traj_chart_layout_y_for (layout, 0, 4);    /* PHQ-9 remission: ≤ 4 */
  int column;
  Px p;

  g_assert_true (traj_chart_layout_get_plot_area (layout, 0, &plot));
  /* Past the baseline's start, in the first panel. */
  column = (int) (plot.x + plot.width * 0.6);

  /* Each line at its value's y, in its colour: baseline fg (black),
   * response accent (blue), remission success (green). */
  p = along (s, column, yb);
  g_assert_cmpint (p.a, >, 100);
  g_assert_cmpint (MAX (p.r, MAX (p.g, p.b)), <, 40);
  p = along (s, column, yr);
  g_assert_cmpint (p.a, >, 100);
  g_assert_cmpint (p.b, >, 200);
  g_assert_cmpint (p.r, <, 40);
  p = along (s, column, yq);
  g_assert_cmpint (p.a, >, 100);
  g_assert_cmpint (p.g, >, 200);
  g_assert_cmpint (p.r, <, 40);

  /* Nothing else in the panel: every painted row is one of the three. */
  for (int y = (int) plot.y; y < plot.y + plot.height; y++)
    if (along (s, column, y + 0.5).a > 0)
      g_assert_true (fabs (y + 0.5 - yb) <= 1 || fabs (y + 0.5 - yr) <= 1 || fabs (y + 0.5 - yq) <= 1.5);

  /* The lines span the plot (from the baseline on), and stop at its edge. */
  g_assert_cmpint (along (s, (int) (plot.x + plot.width - 12), yq).a, >, 0);
  g_assert_cmpint (along (s, (int) (plot.x + plot.width + 1), yq).a, ==, 0);

  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
}

/* Scores are whole numbers: a response threshold of 7.5 (half a GAD-7
 * baseline of 15) reads "≤ 7", the best score that counts. */
static void
test_threshold_labels_whole (Fixture *f, gconstpointer data)
{
  TrajChartLayout *layout = traj_chart_layout_new (f->model, NULL, 900, 600);

  g_assert_true (traj_chart_layout_shows_text (layout, "Response ≤ 10"));
  g_assert_true (traj_chart_layout_shows_text (layout, "Response ≤ 7"));
  g_assert_false (traj_chart_layout_shows_text (layout, "Response ≤ 7.5"));
  g_assert_cmpint (traj_response_max_score (7.5), ==, 7);
  g_assert_cmpint (traj_response_max_score (10), ==, 10);
  g_assert_cmpint (traj_response_max_score (0.5 * 19), ==, 9);
  traj_chart_layout_free (layout);
}

/* One numbering everywhere: an infusion is named by its number within its
 * course, as the timeline names it, even where the infusion axis places it
 * by its number over the patient. */
static void
test_infusion_numbering (void)
{
  TrajPatientRecords *r = records_new ();
  TrajCourse *second;
  TrajInfusion *later;
  TrajOutcomes *o;
  TrajThresholds t;
  TrajChartModel *model;
  TrajChartLayout *layout;
  TrajChartItem item;
  g_autofree char *text = NULL;
  g_autoptr(TrajTimeline) timeline = traj_timeline_new ();

  add_course (r, 3, 2);
  for (int d = 2; d <= 12; d += 2)
    add_infusion (r, 3, d, TRAJ_PHASE_INDUCTION);
  second = add_course (r, 6, 1);
  second->id = 2;
  g_free (second->uid);
  second->uid = g_strdup ("course-2");
  add_infusion (r, 6, 1, TRAJ_PHASE_INDUCTION)->course_id = 2;
  later = add_infusion (r, 6, 3, TRAJ_PHASE_INDUCTION);
  later->course_id = 2;

  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, TRAJ_TIME_NONE);
  model = traj_chart_model_new_from_records (r, o);
  layout = traj_chart_layout_new (model, NULL, 900, 600);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_INFUSION, later->id, &item));
  text = traj_chart_model_describe_item (model, &item);
  /* The eighth infusion of the patient, the second of its course. */
  g_assert_true (g_str_has_prefix (text, "Infusion 2 ·"));

  /* An esketamine nasal spray is a session there too, as on the timeline. */
  later->route = TRAJ_ROUTE_INTRANASAL;
  later->medicine = TRAJ_MEDICINE_ESKETAMINE;
  traj_chart_layout_free (layout);
  traj_chart_model_unref (model);
  model = traj_chart_model_new_from_records (r, o);
  layout = traj_chart_layout_new (model, NULL, 900, 600);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_INFUSION, later->id, &item));
  g_free (text);
  text = traj_chart_model_describe_item (model, &item);
  g_assert_true (g_str_has_prefix (text, "Session 2 · Induction\n"));

  traj_timeline_set_records (timeline, r);
  for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (timeline)); k++)
    {
      g_autoptr(TrajTimelineItem) ti = g_list_model_get_item (G_LIST_MODEL (timeline), k);
      if (traj_timeline_item_get_infusion (ti) && traj_timeline_item_get_infusion (ti)->id == later->id)
        g_assert_cmpint (traj_timeline_item_get_number (ti), ==, 2);
    }

  traj_chart_layout_free (layout);
  traj_chart_model_unref (model);
  traj_outcomes_free (o);
  traj_patient_records_free (r);
}

static void
check_inside_plots (TrajChartModel *model, TrajChartAxis axis)
{
  TrajChartLayout *layout;
  cairo_surface_t *s = render (model, axis,
                               TRAJ_CHART_LAYER_BACKGROUND | TRAJ_CHART_LAYER_DATA | TRAJ_CHART_LAYER_REFERENCE,
                               1, &layout);
  guint n = traj_chart_layout_get_n_panels (layout);
  cairo_rectangle_t areas[8];
  guint n_areas = 0;
  guint painted = 0;

  for (guint i = 0; i < n && n_areas < G_N_ELEMENTS (areas); i++)
    traj_chart_layout_get_plot_area (layout, i, &areas[n_areas++]);
  if (traj_chart_layout_get_infusion_strip (layout, &areas[n_areas]))
    n_areas++;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        gboolean ok = FALSE;

        if (pixel (s, x + 0.5, y + 0.5).a == 0)
          continue;
        painted++;
        for (guint k = 0; k < n_areas && !ok; k++)
          ok = inside (&areas[k], x + 0.5, y + 0.5);
        if (!ok)
          g_error ("painted outside every plot area at %d,%d", x, y);
      }
  g_assert_cmpuint (painted, >, 1000);
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
}

static void
test_clip (Fixture *f, gconstpointer data)
{
  /* Scores at both ends of the range and on the first and last days. */
  TrajThresholds t;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajChartModel) m = NULL;

  add_score (f->r, TRAJ_SCALE_PHQ9, 2, 27, 27);
  add_score (f->r, TRAJ_SCALE_PHQ9, 5, 20, 0);
  add_score (f->r, TRAJ_SCALE_GAD7, 5, 20, 21);
  g_ptr_array_sort (f->r->assessments, compare_assessments);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (f->r, &t, TRAJ_TIME_NONE);
  m = traj_chart_model_new_from_records (f->r, o);

  check_inside_plots (m, TRAJ_CHART_AXIS_DATE);
  check_inside_plots (m, TRAJ_CHART_AXIS_INFUSION);
}

static void
test_empty (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajChartModel) m = traj_chart_model_new_from_records (r, NULL);
  g_autofree char *desc = traj_chart_model_describe (m);
  TrajChartLayout *layout;
  cairo_surface_t *s;
  guint text = 0;
  TrajChartItem item;

  g_assert_true (traj_chart_model_is_empty (m));
  g_assert_nonnull (strstr (desc, "No scores or infusions"));

  /* No frame, no panels: data layers draw nothing at all. */
  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_ALL & ~TRAJ_CHART_LAYER_TEXT, 1, &layout);
  g_assert_cmpuint (traj_chart_layout_get_n_panels (layout), ==, 0);
  g_assert_false (traj_chart_layout_get_infusion_strip (layout, NULL));
  g_assert_false (traj_chart_layout_hit_test (layout, W / 2.0, H / 2.0, 1000, &item));
  g_assert_false (traj_chart_layout_step (layout, NULL, TRAJ_CHART_STEP_FIRST, &item));
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      g_assert_cmpint (pixel (s, x, y).a, ==, 0);
  cairo_surface_destroy (s);
  traj_chart_layout_free (layout);

  /* …but a message, in the middle. */
  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_TEXT, 1, NULL);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (pixel (s, x, y).a > 0)
        {
          g_assert_cmpint (y, >, H / 3);
          g_assert_cmpint (y, <, 2 * H / 3);
          text++;
        }
  g_assert_cmpuint (text, >, 50);
  cairo_surface_destroy (s);
}

static void
test_single_point (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajChartModel) m = NULL;
  TrajAssessment *a = add_score (r, TRAJ_SCALE_GAD7, 6, 1, 12);
  TrajChartLayout *layout;
  cairo_surface_t *s;
  cairo_rectangle_t plot;
  TrajChartItem item;
  double x, y;
  g_autofree char *desc = NULL;

  r->patient->indication = TRAJ_INDICATION_ANXIETY;
  m = traj_chart_model_new_from_records (r, NULL);
  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_DATA, 1, &layout);
  g_assert_cmpuint (traj_chart_layout_get_n_panels (layout), ==, 1);
  g_assert_true (traj_chart_layout_get_plot_area (layout, 0, &plot));
  x = traj_chart_layout_x_for (layout, (double) a->taken_at);
  y = traj_chart_layout_y_for (layout, 0, 12);
  /* One point: centred in time, drawn. */
  g_assert_cmpfloat (fabs (x - (plot.x + plot.width / 2)), <, 1);
  g_assert_cmpint (pixel (s, x, y).a, >, 200);
  g_assert_true (traj_chart_layout_hit_test (layout, x + 3, y - 2, 10, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_SCORE);
  g_assert_cmpint (item.record_id, ==, a->id);
  /* No infusions: the infusion axis falls back to dates. */
  g_assert_false (traj_chart_layout_get_infusion_strip (layout, NULL));
  desc = traj_chart_model_describe (m);
  g_assert_nonnull (strstr (desc, "latest 12 (moderate)"));
  g_assert_nonnull (strstr (desc, "no baseline"));
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);

  check_inside_plots (m, TRAJ_CHART_AXIS_INFUSION);
}

static void
test_no_baseline (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajChartModel) m = NULL;
  TrajChartLayout *layout;
  cairo_surface_t *s;
  TrajThresholds t;
  cairo_rectangle_t plot;
  int painted = 0;
  double yq;

  /* A course whose first score comes after the first infusion. */
  add_course (r, 3, 2);
  add_infusion (r, 3, 2, TRAJ_PHASE_INDUCTION);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 5, 16);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 12, 11);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, TRAJ_TIME_NONE);
  m = traj_chart_model_new_from_records (r, o);

  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_REFERENCE, 1, &layout);
  traj_chart_layout_get_plot_area (layout, 0, &plot);
  yq = traj_chart_layout_y_for (layout, 0, 4);
  /* Only the remission line: no baseline, no response threshold. */
  for (int y = (int) plot.y; y < plot.y + plot.height; y++)
    if (along (s, (int) (plot.x + plot.width / 2), y + 0.5).a > 0)
      {
        g_assert_cmpfloat (fabs (y + 0.5 - yq), <=, 1.5);
        painted++;
      }
  g_assert_cmpint (painted, >, 0);
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
}

/* Y-BOCS as a course's primary scale: the big panel, 0–40 on the y axis,
 * response at 65 % of the baseline (20 → 13) and remission ≤ 12. */
static void
test_ybocs_primary (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajChartModel) m = NULL;
  TrajChartLayout *layout;
  cairo_surface_t *s;
  cairo_rectangle_t plot0, plot1;
  TrajThresholds t;

  r->patient->indication = TRAJ_INDICATION_OTHER;
  add_course (r, 3, 2)->primary_scale = TRAJ_SCALE_YBOCS;
  add_infusion (r, 3, 2, TRAJ_PHASE_INDUCTION);
  add_infusion (r, 3, 4, TRAJ_PHASE_INDUCTION);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 1, 12);
  add_score (r, TRAJ_SCALE_YBOCS, 3, 1, 20);
  add_score (r, TRAJ_SCALE_YBOCS, 3, 9, 15);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 9, 8);
  add_score (r, TRAJ_SCALE_YBOCS, 3, 16, 12);
  g_ptr_array_sort (r->assessments, compare_assessments);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, TRAJ_TIME_NONE);
  m = traj_chart_model_new_from_records (r, o);

  g_assert_cmpuint (traj_chart_model_get_n_series (m), ==, 2);
  g_assert_cmpint (traj_chart_model_get_series_scale (m, 0), ==, TRAJ_SCALE_YBOCS);
  g_assert_cmpint (traj_chart_model_get_series_scale (m, 1), ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpuint (traj_chart_model_get_n_scores (m, 0), ==, 3);

  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_REFERENCE, 1, &layout);
  g_assert_true (traj_chart_layout_get_plot_area (layout, 0, &plot0));
  g_assert_true (traj_chart_layout_get_plot_area (layout, 1, &plot1));
  g_assert_cmpfloat (plot0.height, >, plot1.height * 1.5);
  /* The scale's whole range, 0 at the bottom and 40 at the top. */
  g_assert_cmpfloat (fabs (traj_chart_layout_y_for (layout, 0, 0) - (plot0.y + plot0.height)), <=, plot0.height * 0.05);
  g_assert_cmpfloat (fabs (traj_chart_layout_y_for (layout, 0, 40) - plot0.y), <=, plot0.height * 0.05);
  g_assert_true (traj_chart_layout_shows_text (layout, "Baseline 20"));
  g_assert_true (traj_chart_layout_shows_text (layout, "Response ≤ 13"));
  g_assert_true (traj_chart_layout_shows_text (layout, "Remission ≤ 12"));
  /* The response line in the accent colour at 13, remission green at 12. */
  {
    int column = (int) (plot0.x + plot0.width * 0.6);
    Px p = along (s, column, traj_chart_layout_y_for (layout, 0, 13));
    g_assert_cmpint (p.b, >, 200);
    p = along (s, column, traj_chart_layout_y_for (layout, 0, 12));
    g_assert_cmpint (p.g, >, 200);
  }
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
}

static void
test_same_day (Fixture *f, gconstpointer data)
{
  TrajChartLayout *layout;
  cairo_surface_t *s;
  TrajChartItem pre, post, inf;
  TrajChartOptions o;

  /* Date axis: pre and post of the first infusion are both visible. */
  s = render (f->model, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_DATA, 1, &layout);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_SCORE, f->pre->id, &pre));
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_SCORE, f->post->id, &post));
  g_assert_cmpfloat (post.x - pre.x, >=, 5);
  g_assert_cmpint (pixel (s, pre.x, pre.y).a, >, 200);
  g_assert_cmpint (pixel (s, post.x, post.y).a, >, 200);
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);

  /* Infusion axis: before and after infusion 1. */
  traj_chart_options_init (&o);
  o.axis = TRAJ_CHART_AXIS_INFUSION;
  layout = traj_chart_layout_new (f->model, &o, W, H);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_SCORE, f->pre->id, &pre));
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_SCORE, f->post->id, &post));
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_INFUSION, f->first->id, &inf));
  g_assert_cmpfloat (inf.x, ==, traj_chart_layout_x_for (layout, 1));
  g_assert_cmpfloat (pre.x, <, inf.x);
  g_assert_cmpfloat (post.x, >, inf.x);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_INFUSION, f->booster->id, &inf));
  g_assert_cmpfloat (inf.x, ==, traj_chart_layout_x_for (layout, 8));
  traj_chart_layout_free (layout);
}

static void
test_hit_test (Fixture *f, gconstpointer data)
{
  TrajChartOptions o;
  TrajChartLayout *layout;
  TrajChartItem item, probe;
  cairo_rectangle_t strip;
  double x, y;
  g_autofree char *text = NULL, *inf_text = NULL;
  gboolean safety_pin = FALSE;

  traj_chart_options_init (&o);
  layout = traj_chart_layout_new (f->model, &o, W, H);

  x = traj_chart_layout_x_for (layout, (double) f->last->taken_at);
  y = traj_chart_layout_y_for (layout, 0, 8);
  g_assert_true (traj_chart_layout_hit_test (layout, x + 4, y + 3, 8, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_SCORE);
  g_assert_cmpint (item.record_kind, ==, TRAJ_KIND_ASSESSMENT);
  g_assert_cmpint (item.record_id, ==, f->last->id);
  text = traj_chart_model_describe_item (f->model, &item);
  g_assert_nonnull (strstr (text, "PHQ-9 8 · mild"));
  g_assert_nonnull (strstr (text, "15 May 2026"));
  g_assert_nonnull (strstr (text, "12 points below baseline 20 (60 %)"));
  g_assert_false (traj_chart_layout_hit_test (layout, x + 30, y - 30, 8, NULL));

  g_assert_true (traj_chart_layout_get_infusion_strip (layout, &strip));
  x = traj_chart_layout_x_for (layout, (double) f->first->started_at);
  g_assert_true (traj_chart_layout_hit_test (layout, x, strip.y + strip.height / 2, 6, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_INFUSION);
  g_assert_cmpint (item.record_kind, ==, TRAJ_KIND_INFUSION);
  g_assert_cmpint (item.record_id, ==, f->first->id);
  inf_text = traj_chart_model_describe_item (f->model, &item);
  g_assert_nonnull (strstr (inf_text, "Infusion 1"));
  g_assert_nonnull (strstr (inf_text, "0.50 mg/kg, 35 mg over 40 min"));
  g_assert_nonnull (strstr (inf_text, "BP peak 152/94"));

  /* The safety finding's pin opens the PHQ-9 it rests on. */
  g_assert_true (traj_chart_layout_step (layout, NULL, TRAJ_CHART_STEP_FIRST, &probe));
  while (traj_chart_layout_step (layout, &probe, TRAJ_CHART_STEP_PREVIOUS, &probe))
    if (probe.kind == TRAJ_CHART_ITEM_FINDING)
      {
        g_autofree char *ftext = traj_chart_model_describe_item (f->model, &probe);
        g_assert_true (traj_chart_layout_hit_test (layout, probe.x, probe.y, 4, &item));
        g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_FINDING);
        if (strstr (ftext, "Safety") && item.record_id == f->safety->id)
          safety_pin = TRUE;
      }
  g_assert_true (safety_pin);

  /* The draft sits apart (not at a value) and says it is not scored. */
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_DRAFT, f->draft->id, &item));
  g_assert_cmpfloat (item.y, <, traj_chart_layout_y_for (layout, 0, 27));
  {
    g_autofree char *dtext = traj_chart_model_describe_item (f->model, &item);
    g_assert_nonnull (strstr (dtext, "PHQ-9 incomplete: 4 of 9 items, not scored"));
  }
  traj_chart_layout_free (layout);
}

static void
test_step (Fixture *f, gconstpointer data)
{
  TrajChartOptions o;
  TrajChartLayout *layout;
  TrajChartItem a, b;

  traj_chart_options_init (&o);
  layout = traj_chart_layout_new (f->model, &o, W, H);
  /* Start: the latest score of the top (primary) panel. */
  g_assert_true (traj_chart_layout_step (layout, NULL, TRAJ_CHART_STEP_FIRST, &a));
  g_assert_cmpint (a.kind, ==, TRAJ_CHART_ITEM_SCORE);
  g_assert_cmpint (a.record_id, ==, f->last->id);
  g_assert_false (traj_chart_layout_step (layout, &a, TRAJ_CHART_STEP_NEXT, &b));
  g_assert_true (traj_chart_layout_step (layout, &a, TRAJ_CHART_STEP_PREVIOUS, &b));
  g_assert_cmpfloat (b.x, <, a.x);
  g_assert_true (traj_chart_layout_step (layout, &a, TRAJ_CHART_STEP_HOME, &b));
  g_assert_cmpint (b.row, ==, 0);
  g_assert_false (traj_chart_layout_step (layout, &b, TRAJ_CHART_STEP_PREVIOUS, NULL));
  /* Down: GAD-7, then the infusions. */
  g_assert_true (traj_chart_layout_step (layout, &a, TRAJ_CHART_STEP_DOWN, &b));
  g_assert_cmpint (b.row, ==, 1);
  g_assert_true (traj_chart_layout_step (layout, &b, TRAJ_CHART_STEP_DOWN, &b));
  g_assert_cmpint (b.kind, ==, TRAJ_CHART_ITEM_INFUSION);
  g_assert_cmpint (b.record_id, ==, f->booster->id);
  g_assert_false (traj_chart_layout_step (layout, &b, TRAJ_CHART_STEP_DOWN, NULL));
  traj_chart_layout_free (layout);
}

static void
test_describe (Fixture *f, gconstpointer data)
{
  g_autofree char *desc = traj_chart_model_describe (f->model);

  g_assert_nonnull (strstr (desc, "Scores of PHQ-9, GAD-7 from 2 Mar 2026 to 15 May 2026."));
  g_assert_nonnull (strstr (desc, "8 infusions: 6 induction, 1 maintenance, 1 booster."));
  g_assert_nonnull (strstr (desc, "PHQ-9: latest 8 (mild) on 15 May 2026, 12 points below baseline 20 (60 %), "
                                  "falling: 4 points lower than the score before."));
  g_assert_nonnull (strstr (desc, "GAD-7: latest 6 (mild)"));
  g_assert_nonnull (strstr (desc, "open finding"));
}

/* Item 9 answered 2 on the tablet, then changed to 0 before Submit: the
 * dot was drawn black and its box said nothing, though the safety finding
 * stays open. The dot is red and the box gives the answer that was given. */
static void
test_item9_taken_back (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajChartModel) m = NULL;
  g_autofree char *text = NULL;
  TrajChartLayout *layout;
  TrajChartItem item;
  TrajAssessment *a;
  cairo_surface_t *s;
  Px p;

  add_course (r, 3, 2);
  add_infusion (r, 3, 2, TRAJ_PHASE_INDUCTION);
  add_score (r, TRAJ_SCALE_PHQ9, 3, 2, 20);
  a = add_score (r, TRAJ_SCALE_PHQ9, 3, 20, 8);
  a->source = TRAJ_SOURCE_TABLET;
  a->items[TRAJ_PHQ9_ITEM9] = 0;
  a->safety_highest = 2;
  m = traj_chart_model_new_from_records (r, NULL);

  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_ALL, 1, &layout);
  p = pixel (s, traj_chart_layout_x_for (layout, (double) at (3, 20, 9)), traj_chart_layout_y_for (layout, 0, 8));
  g_assert_cmpint (p.a, >, 200);
  g_assert_cmpint (p.r, >, 200);
  g_assert_cmpint (p.g, <, 60);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_SCORE, a->id, &item));
  text = traj_chart_model_describe_item (m, &item);
  g_assert_nonnull (strstr (text, "\nItem 9 answered 2: safety finding"));
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
}

static void
test_many_points (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajChartModel) m = NULL;
  gint64 start = at (1, 5, 9);
  TrajChartLayout *layout;
  cairo_surface_t *s;
  TrajChartItem item;
  guint n = 0;

  add_course (r, 1, 6);
  for (int k = 0; k < 60; k++)
    add_infusion (r, 1, 6, k < 6 ? TRAJ_PHASE_INDUCTION : k % 5 ? TRAJ_PHASE_MAINTENANCE : TRAJ_PHASE_BOOSTER)->started_at =
      start + 3600 + (gint64) k * 18 * 86400;
  for (int k = 0; k < 300; k++)
    add_score_at (r, TRAJ_SCALE_PHQ9, start + (gint64) k * 3.6 * 86400, 5 + (k * 7) % 18, TRAJ_TIMING_BETWEEN);
  m = traj_chart_model_new_from_records (r, NULL);
  g_assert_cmpuint (traj_chart_model_get_n_scores (m, 0), ==, 300);

  s = render (m, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_ALL, 1, &layout);
  for (gboolean ok = traj_chart_layout_step (layout, NULL, TRAJ_CHART_STEP_HOME, &item);
       ok; ok = traj_chart_layout_step (layout, &item, TRAJ_CHART_STEP_PREVIOUS, &item))
    n++;
  g_assert_cmpuint (n, ==, 300);
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);
  check_inside_plots (m, TRAJ_CHART_AXIS_DATE);
  check_inside_plots (m, TRAJ_CHART_AXIS_INFUSION);
}

/* Lines cover whole device pixels at scale 1 and 2. */
static void
test_crisp (Fixture *f, gconstpointer data)
{
  for (int scale = 1; scale <= 2; scale++)
    {
      TrajChartLayout *layout;
      cairo_surface_t *s = render (f->model, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_REFERENCE, scale, &layout);
      cairo_rectangle_t plot;
      int column, full = 0, partial = 0;
      double yb = traj_chart_layout_y_for (layout, 0, 20) * scale;

      traj_chart_layout_get_plot_area (layout, 0, &plot);
      column = (int) ((plot.x + plot.width * 0.6) * scale);
      for (int y = (int) yb - 4; y <= (int) yb + 4; y++)
        {
          Px p = pixel (s, (column + 0.5) / scale, (y + 0.5) / scale);
          if (p.a >= 130)   /* the baseline is 55 % opaque */
            full++;
          else if (p.a > 0)
            partial++;
        }
      g_assert_cmpint (full, ==, scale);
      g_assert_cmpint (partial, ==, 0);
      traj_chart_layout_free (layout);
      cairo_surface_destroy (s);
    }
}

typedef struct {
  gboolean svg_root;
  int depth;
} SvgCheck;

static void
svg_start (GMarkupParseContext *ctx, const char *name, const char **attr_names,
           const char **attr_values, gpointer data, GError **error)
{
  SvgCheck *c = data;

  if (c->depth++ == 0 && g_str_equal (name, "svg"))
    c->svg_root = TRUE;
}

static void
svg_end (GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
  ((SvgCheck *) data)->depth--;
}

static guint
count (const char *hay, gsize len, const char *needle)
{
  guint n = 0;
  gsize nl = strlen (needle);

  for (gsize i = 0; i + nl <= len; i++)
    if (memcmp (hay + i, needle, nl) == 0)
      n++;
  return n;
}

static gboolean
legend_has (const TrajChartLayout *layout, const char *text)
{
  for (guint k = 0; k < traj_chart_layout_get_n_legend (layout); k++)
    if (g_strcmp0 (traj_chart_layout_get_legend_text (layout, k), text) == 0)
      return TRUE;
  return FALSE;
}

/* Every mark the chart draws is in its legend, at any width: a monitoring
 * event's ring and pin (in the warning colour, not the safety red), the
 * item 9 ring, a draft, a resolved finding's hollow pin. A narrow chart
 * wraps the legend onto more rows above the plot instead of dropping
 * entries. */
static void
test_legend_explains_every_mark (Fixture *f, gconstpointer data)
{
  TrajThresholds t;
  TrajVitalSign *v = g_ptr_array_index (f->first->vitals, 0);
  g_autoptr(GString) texts = g_string_new (NULL);
  gboolean resolved = FALSE;
  guint n_wide = 0;


  v->systolic = 186;             /* over the 180 monitoring limit */
  traj_thresholds_init_defaults (&t);
  traj_outcomes_free (f->o);
  traj_chart_model_unref (f->model);
  f->o = traj_outcomes_compute (f->r, &t, TRAJ_TIME_NONE);
  /* One finding decided (as a recorded decision closes it). */
  for (guint k = 0; k < f->o->findings->len; k++)
    {
      TrajFinding *fi = g_ptr_array_index (f->o->findings, k);
      if (fi->kind == TRAJ_FINDING_SAFETY)
        fi->open = FALSE;
      if (!fi->open)
        resolved = TRUE;
    }
  g_assert_true (resolved);
  f->model = traj_chart_model_new_from_records (f->r, f->o);

  for (guint w = 0; w < 3; w++)
    {
      static const double widths[] = { 1400, 900, 480 };
      TrajChartOptions o;
      TrajChartLayout *layout;
      cairo_rectangle_t plot;

      traj_chart_options_init (&o);
      layout = traj_chart_layout_new (f->model, &o, widths[w], H);
      g_string_truncate (texts, 0);
      for (guint k = 0; k < traj_chart_layout_get_n_legend (layout); k++)
        g_string_append_printf (texts, "%s | ", traj_chart_layout_get_legend_text (layout, k));
      g_test_message ("width %.0f: %s", widths[w], texts->str);

      g_assert_true (legend_has (layout, "Induction"));
      g_assert_true (legend_has (layout, "Maintenance"));
      g_assert_true (legend_has (layout, "Booster"));
      g_assert_true (legend_has (layout, "Vital signs crossed a limit"));
      g_assert_true (legend_has (layout, "PHQ-9 item 9 above 0"));
      g_assert_true (legend_has (layout, "Incomplete, not scored"));
      g_assert_true (legend_has (layout, traj_finding_kind_label (TRAJ_FINDING_MONITORING)));
      g_assert_true (legend_has (layout, traj_finding_kind_label (TRAJ_FINDING_SAFETY)));
      g_assert_true (legend_has (layout, "Resolved or decided"));
      /* Colours as the finding cards: monitoring in the warning colour, the
       * safety red for item 9 alone. */
      for (guint k = 0; k < layout->legend->len; k++)
        {
          const LegendMark *m = &g_array_index (layout->legend, LegendMark, k);
          if (g_str_equal (m->text, "Vital signs crossed a limit") ||
              g_str_equal (m->text, traj_finding_kind_label (TRAJ_FINDING_MONITORING)))
            g_assert_cmpint (m->role, ==, ROLE_WARNING);
          if (g_str_equal (m->text, "PHQ-9 item 9 above 0") ||
              g_str_equal (m->text, traj_finding_kind_label (TRAJ_FINDING_SAFETY)))
            g_assert_cmpint (m->role, ==, ROLE_ERROR);
        }
      if (w == 0)
        n_wide = traj_chart_layout_get_n_legend (layout);
      else
        g_assert_cmpuint (traj_chart_layout_get_n_legend (layout), ==, n_wide);
      /* The plots start below the legend, however many rows it took. */
      g_assert_true (traj_chart_layout_get_plot_area (layout, 0, &plot));
      g_assert_cmpfloat (plot.y, >, 0);
      traj_chart_layout_free (layout);
    }
}

/* CLINICAL.md §8: dissociation (CADSS) and sedation (lowest MOAA/S) per
 * infusion in a strip of their own under the infusion strip — bars and
 * dots at each infusion's x, sedation (≤ 3) in the warning colour, no
 * response (0) in the error colour — explained in the legend and the
 * infusion's description; no strip when none is recorded. */
static void
test_tolerability_strip (Fixture *f, gconstpointer data)
{
  TrajChartLayout *layout = NULL;
  cairo_surface_t *s;
  cairo_rectangle_t strip, plot;
  TrajInfusion *third = g_ptr_array_index (f->r->infusions, 2);
  double x_first = -1, x_booster = -1, x_third = -1, floor_y;
  TrajChartItem item = { 0 };
  g_autofree char *text = NULL;
  Px px;

  g_assert_false (traj_chart_model_has_tolerability (f->model));
  s = render (f->model, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_ALL, 1, &layout);
  g_assert_false (layout->has_tolerability);
  g_assert_false (legend_has (layout, "CADSS total"));
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);

  f->first->cadss_total = 40;
  f->first->moaas_lowest = 2;
  f->booster->cadss_total = 10;
  f->booster->moaas_lowest = 5;
  third->moaas_lowest = 0;
  traj_chart_model_unref (f->model);
  f->model = traj_chart_model_new_from_records (f->r, f->o);
  g_assert_true (traj_chart_model_has_tolerability (f->model));

  s = render (f->model, TRAJ_CHART_AXIS_DATE, TRAJ_CHART_LAYER_ALL, 2, &layout);
  g_assert_true (layout->has_tolerability);
  g_assert_true (traj_chart_layout_get_infusion_strip (layout, &strip));
  g_assert_true (traj_chart_layout_get_plot_area (layout, 0, &plot));
  /* Under the infusions and every panel, above the time axis. */
  g_assert_cmpfloat (layout->tolerability.y, >=, strip.y + strip.height);
  g_assert_cmpfloat (layout->tolerability.y, >=, plot.y + plot.height);
  g_assert_cmpfloat (layout->tolerability.y + layout->tolerability.height, <=, layout->axis_y);
  g_assert_cmpfloat (layout->cadss_max, ==, 40);
  for (guint k = 0; k < f->model->infusions->len; k++)
    {
      gint64 id = g_array_index (f->model->infusions, TrajChartInfusion, k).id;
      double x = g_array_index (layout->inf_x, double, k);
      if (id == f->first->id)
        x_first = x;
      else if (id == f->booster->id)
        x_booster = x;
      else if (id == third->id)
        x_third = x;
    }
  floor_y = layout->tolerability.y + layout->tolerability.height;
  /* CADSS 40 reaches the top of the bars, 10 a quarter of the way. */
  px = pixel (s, x_first, floor_y - 2);
  g_assert_cmpint (px.b, >, 200);
  g_assert_cmpint (px.r, <, 60);
  px = pixel (s, x_first, layout->tolerability.y + layout->tolerability.height * 0.45);
  g_assert_cmpint (px.b, >, 200);
  px = pixel (s, x_booster, floor_y - 2);
  g_assert_cmpint (px.b, >, 200);
  px = pixel (s, x_booster, layout->tolerability.y + layout->tolerability.height * 0.45);
  g_assert_cmpint (px.a, ==, 0);
  /* MOAA/S: 2 sedated (warning), 0 no response (error), 5 a hollow ring. */
  {
    double dot_y = layout->tolerability.y + MAX (5.0, layout->inf_size * 0.75) / 2 + 1;

    px = pixel (s, x_first, dot_y);
    g_assert_cmpint (px.a, >, 200);
    g_assert_false (px.b > 200 && px.r < 60);
    px = pixel (s, x_third, dot_y);
    g_assert_cmpint (px.r, >, 200);
    g_assert_cmpint (px.g, <, 60);
    g_assert_cmpint (px.b, <, 60);
    px = pixel (s, x_booster, dot_y);
    g_assert_cmpint (px.a, <, 100);
  }
  g_assert_true (legend_has (layout, "CADSS total"));
  g_assert_true (legend_has (layout, "Sedation (MOAA/S 3 or less)"));
  g_assert_true (legend_has (layout, "MOAA/S 4 or 5"));
  traj_chart_layout_free (layout);
  cairo_surface_destroy (s);

  layout = traj_chart_layout_new (f->model, NULL, 900, 600);
  g_assert_true (traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_INFUSION, f->first->id, &item));
  text = traj_chart_model_describe_item (f->model, &item);
  traj_chart_layout_free (layout);
  g_assert_nonnull (strstr (text, "\nCADSS 40"));
  g_assert_nonnull (strstr (text, "\nLowest MOAA/S 2 (sedation)"));
}

static void
test_files (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("test-chart-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "chart.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "chart.SVG", NULL);
  g_autofree char *pdf = g_build_filename (dir, "chart.pdf", NULL);
  g_autofree char *bad = g_build_filename (dir, "chart.doc", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "chart.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  cairo_surface_t *img;

  g_assert_nonnull (dir);

  g_assert_true (traj_chart_write_file (f->model, png, 640, 400, &error));
  g_assert_no_error (error);
  img = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (img), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (img), ==, 400);
  cairo_surface_destroy (img);

  g_assert_true (traj_chart_write_file (f->model, svg, 640, 400, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &len, NULL));
  {
    GMarkupParser parser = { svg_start, svg_end, NULL, NULL, NULL };
    SvgCheck check = { 0 };
    GMarkupParseContext *ctx = g_markup_parse_context_new (&parser, 0, &check, NULL);
    const char *body = contents;

    /* GMarkup does not take the XML declaration. */
    if (g_str_has_prefix (body, "<?xml"))
      body = strstr (body, "?>") + 2;
    g_assert_true (g_markup_parse_context_parse (ctx, body, -1, &error));
    g_assert_true (g_markup_parse_context_end_parse (ctx, &error));
    g_assert_no_error (error);
    g_assert_true (check.svg_root);
    g_assert_cmpint (check.depth, ==, 0);
    g_markup_parse_context_free (ctx);
  }
  g_clear_pointer (&contents, g_free);

  g_assert_true (traj_chart_write_file (f->model, pdf, 842, 595, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_cmpuint (count (contents, len, "/Type /Page") - count (contents, len, "/Type /Pages"), ==, 1);
  g_assert_cmpuint (count (contents, len, "%%EOF"), >=, 1);

  g_assert_false (traj_chart_write_file (f->model, bad, 640, 400, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_file_test (bad, G_FILE_TEST_EXISTS));
  g_assert_false (traj_chart_write_file (f->model, missing, 640, 400, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (traj_chart_write_file (f->model, png, 10, 10, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_unlink (png);
  g_unlink (svg);
  g_unlink (pdf);
  g_rmdir (dir);
}

/* The PDF report draws the chart on its own page with a cairo_t: drawing
 * emits no page of its own. */
static void
test_pdf_one_page_per_call (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("test-chart-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "report.pdf", NULL);
  g_autofree char *contents = NULL;
  TrajChartPalette p;
  cairo_surface_t *s = cairo_pdf_surface_create (pdf, 595, 842);
  cairo_t *cr = cairo_create (s);
  gsize len;

  traj_chart_palette_init_print (&p);
  for (int page = 0; page < 3; page++)
    {
      traj_chart_render (f->model, NULL, &p, cr, 595, 400);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (s);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  g_assert_cmpuint (count (contents, len, "/Type /Page") - count (contents, len, "/Type /Pages"), ==, 3);
  g_unlink (pdf);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/chart/model", Fixture, NULL, fixture_set_up, test_model, fixture_tear_down);
  g_test_add ("/chart/points-land", Fixture, NULL, fixture_set_up, test_points_land, fixture_tear_down);
  g_test_add ("/chart/thresholds", Fixture, NULL, fixture_set_up, test_thresholds, fixture_tear_down);
  g_test_add ("/chart/threshold-labels-whole", Fixture, NULL, fixture_set_up, test_threshold_labels_whole,
              fixture_tear_down);
  g_test_add ("/chart/clip", Fixture, NULL, fixture_set_up, test_clip, fixture_tear_down);
  g_test_add_func ("/chart/empty", test_empty);
  g_test_add_func ("/chart/infusion-numbering", test_infusion_numbering);
  g_test_add_func ("/chart/single-point", test_single_point);
  g_test_add_func ("/chart/no-baseline", test_no_baseline);
  g_test_add_func ("/chart/ybocs-primary", test_ybocs_primary);
  g_test_add ("/chart/same-day", Fixture, NULL, fixture_set_up, test_same_day, fixture_tear_down);
  g_test_add ("/chart/hit-test", Fixture, NULL, fixture_set_up, test_hit_test, fixture_tear_down);
  g_test_add ("/chart/step", Fixture, NULL, fixture_set_up, test_step, fixture_tear_down);
  g_test_add ("/chart/describe", Fixture, NULL, fixture_set_up, test_describe, fixture_tear_down);
  g_test_add ("/chart/tolerability-strip", Fixture, NULL, fixture_set_up, test_tolerability_strip, fixture_tear_down);
  g_test_add_func ("/chart/many-points", test_many_points);
  g_test_add_func ("/chart/item9-taken-back", test_item9_taken_back);
  g_test_add ("/chart/crisp", Fixture, NULL, fixture_set_up, test_crisp, fixture_tear_down);
  g_test_add ("/chart/legend-explains-every-mark", Fixture, NULL, fixture_set_up, test_legend_explains_every_mark,
              fixture_tear_down);
  g_test_add ("/chart/files", Fixture, NULL, fixture_set_up, test_files, fixture_tear_down);
  g_test_add ("/chart/pdf-pages", Fixture, NULL, fixture_set_up, test_pdf_one_page_per_call, fixture_tear_down);

  return g_test_run ();
}
