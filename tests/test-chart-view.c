/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chart widget under a real display: hit-testing finds the records the
 * marks stand for, activation emits item-activated with them, the keyboard
 * steps through the points, the accessible description names the latest
 * values and follows the model, and export writes the chart as shown. */

#include "config.h"

#include <adwaita.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-chart-panel.h"
#include "traj-chart-view-private.h"
#include "traj-outcomes.h"
#include "traj-gui.h"

static gint64 next_id = 100;

static gint64
at (int month, int mday, int hour)
{
  return traj_time_from_day (traj_day_from_ymd (2026, month, mday), hour, 0);
}

static TrajInfusion *
add_infusion (TrajPatientRecords *r, int month, int mday)
{
  TrajInfusion *i = traj_infusion_new ();

  i->id = next_id++;
  i->uid = g_strdup_printf ("inf-%" G_GINT64_FORMAT, i->id);
  i->patient_id = 1;
  i->course_id = 1;
  i->started_at = at (month, mday, 10);
  i->duration_min = 40;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  g_ptr_array_add (r->infusions, i);
  return i;
}

static TrajAssessment *
add_score (TrajPatientRecords *r, TrajScaleId scale, int month, int mday, int total)
{
  TrajAssessment *a = traj_assessment_new (scale);

  a->id = next_id++;
  a->uid = g_strdup_printf ("a-%" G_GINT64_FORMAT, a->id);
  a->patient_id = 1;
  a->course_id = 1;
  a->taken_at = at (month, mday, 9);
  a->complete = TRUE;
  a->total = total;
  g_ptr_array_add (r->assessments, a);
  return a;
}

typedef struct {
  TrajPatientRecords *r;
  TrajAssessment *last;
  TrajInfusion *first;
} Patient;

static TrajChartModel *
make_model (Patient *p, gboolean one_more)
{
  TrajCourse *c = traj_course_new ();
  TrajThresholds t;
  g_autoptr(TrajOutcomes) o = NULL;

  p->r = traj_patient_records_new ();
  p->r->patient = traj_patient_new ();
  p->r->patient->id = 1;
  p->r->patient->uid = g_strdup ("p1");
  p->r->patient->mrn = g_strdup ("MRN-1");
  p->r->patient->name = g_strdup ("Test Patient");
  c->id = 1;
  c->uid = g_strdup ("c1");
  c->patient_id = 1;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = 6;
  c->start_day = traj_day_from_ymd (2026, 3, 2);
  g_ptr_array_add (p->r->courses, c);

  add_score (p->r, TRAJ_SCALE_PHQ9, 3, 2, 20);
  p->first = add_infusion (p->r, 3, 2);
  for (int k = 1; k < 6; k++)
    add_infusion (p->r, 3, 2 + 2 * k);
  add_score (p->r, TRAJ_SCALE_PHQ9, 3, 8, 14);
  add_score (p->r, TRAJ_SCALE_PHQ9, 3, 14, 10);
  p->last = add_score (p->r, TRAJ_SCALE_PHQ9, 3, 28, 8);
  add_score (p->r, TRAJ_SCALE_GAD7, 3, 2, 12);
  add_score (p->r, TRAJ_SCALE_GAD7, 3, 28, 7);
  if (one_more)
    p->last = add_score (p->r, TRAJ_SCALE_PHQ9, 4, 10, 5);

  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (p->r, &t, TRAJ_TIME_NONE);
  return traj_chart_model_new_from_records (p->r, o);
}

static void
wait_for_size (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while ((gtk_widget_get_width (widget) <= 0 || !gtk_widget_get_mapped (widget)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  /* One more frame for the snapshot. */
  for (int k = 0; k < 10; k++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (gtk_widget_get_width (widget), >, 0);
}

typedef struct {
  int calls;
  int kind;
  gint64 id;
} Activated;

static void
item_activated_cb (GtkWidget *widget, int kind, gint64 id, Activated *a)
{
  a->calls++;
  a->kind = kind;
  a->id = id;
}

static void
test_hit_test (void)
{
  Patient p;
  g_autoptr(TrajChartModel) model = make_model (&p, FALSE);
  GtkWidget *window = gtk_window_new ();
  TrajChartView *view = TRAJ_CHART_VIEW (g_object_ref_sink (traj_chart_view_new ()));
  TrajChartLayout *layout;
  TrajChartItem item;
  cairo_rectangle_t strip;
  Activated act = { 0 };
  double x, y;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 560);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  traj_chart_view_set_model (view, model);
  g_signal_connect (view, "item-activated", G_CALLBACK (item_activated_cb), &act);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_size (GTK_WIDGET (view));

  layout = traj_chart_view_get_layout (view);
  g_assert_nonnull (layout);
  g_assert_cmpuint (traj_chart_layout_get_n_panels (layout), ==, 2);

  /* The latest PHQ-9, a few pixels off its centre. */
  x = traj_chart_layout_x_for (layout, (double) p.last->taken_at);
  y = traj_chart_layout_y_for (layout, 0, 8);
  g_assert_true (traj_chart_view_item_at (view, x + 3, y - 2, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_SCORE);
  g_assert_cmpint (item.record_kind, ==, TRAJ_KIND_ASSESSMENT);
  g_assert_cmpint (item.record_id, ==, p.last->id);

  /* The first infusion, on the strip. */
  g_assert_true (traj_chart_layout_get_infusion_strip (layout, &strip));
  x = traj_chart_layout_x_for (layout, (double) p.first->started_at);
  g_assert_true (traj_chart_view_item_at (view, x, strip.y + strip.height / 2, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_INFUSION);
  g_assert_cmpint (item.record_id, ==, p.first->id);

  /* Nothing in a corner. */
  g_assert_false (traj_chart_view_item_at (view, 2, 2, &item));

  /* Keyboard: the cursor starts on the latest primary score; Enter
   * activates it. */
  g_assert_true (traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_FIRST));
  g_assert_true (traj_chart_view_get_cursor (view, &item));
  g_assert_cmpint (item.record_id, ==, p.last->id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "chart-view.activate", NULL));
  g_assert_cmpint (act.calls, ==, 1);
  g_assert_cmpint (act.kind, ==, TRAJ_KIND_ASSESSMENT);
  g_assert_cmpint (act.id, ==, p.last->id);

  /* Left steps back in time; Down reaches the infusions. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "chart-view.step", "i", TRAJ_CHART_STEP_PREVIOUS));
  g_assert_true (traj_chart_view_get_cursor (view, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_SCORE);
  g_assert_cmpint (item.record_id, !=, p.last->id);
  g_assert_true (traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_DOWN));
  g_assert_true (traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_DOWN));
  g_assert_true (traj_chart_view_get_cursor (view, &item));
  g_assert_cmpint (item.kind, ==, TRAJ_CHART_ITEM_INFUSION);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "chart-view.activate", NULL));
  g_assert_cmpint (act.calls, ==, 2);
  g_assert_cmpint (act.kind, ==, TRAJ_KIND_INFUSION);
  g_assert_cmpint (act.id, ==, item.record_id);

  /* The timeline selects a record: the chart finds it. */
  g_assert_true (traj_chart_view_select_record (view, TRAJ_KIND_INFUSION, p.first->id));
  g_assert_false (traj_chart_view_select_record (view, TRAJ_KIND_INFUSION, 99999));

  /* A new size keeps the cursor on its record. */
  g_assert_true (traj_chart_view_select_record (view, TRAJ_KIND_ASSESSMENT, p.last->id));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  gtk_widget_set_size_request (GTK_WIDGET (view), 600, 420);
  wait_for_size (GTK_WIDGET (view));
  g_assert_true (traj_chart_view_get_cursor (view, &item));
  g_assert_cmpint (item.record_id, ==, p.last->id);

  gtk_window_destroy (GTK_WINDOW (window));
  traj_patient_records_free (p.r);
  g_assert_finalize_object (view);
}

static void
test_accessible (void)
{
  Patient p1, p2;
  g_autoptr(TrajChartModel) m1 = make_model (&p1, FALSE);
  g_autoptr(TrajChartModel) m2 = make_model (&p2, TRUE);
  TrajChartView *view = TRAJ_CHART_VIEW (g_object_ref_sink (traj_chart_view_new ()));
  const char *desc;
  char *msg;

  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_ROLE_IMG));
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (view)));

  traj_chart_view_set_model (view, m1);
  desc = traj_chart_view_get_description (view);
  g_assert_nonnull (strstr (desc, "Scores of PHQ-9, GAD-7"));
  g_assert_nonnull (strstr (desc, "PHQ-9: latest 8 (mild) on 28 Mar 2026"));
  g_assert_nonnull (strstr (desc, "12 points below baseline 20 (60 %)"));
  g_assert_nonnull (strstr (desc, "falling"));
  g_assert_nonnull (strstr (desc, "6 infusions"));
  msg = gtk_test_accessible_check_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc);
  g_assert_null (msg);

  /* New data, new description. */
  traj_chart_view_set_model (view, m2);
  desc = traj_chart_view_get_description (view);
  g_assert_nonnull (strstr (desc, "PHQ-9: latest 5 (mild) on 10 Apr 2026"));
  msg = gtk_test_accessible_check_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, desc);
  g_assert_null (msg);

  traj_chart_view_set_model (view, NULL);
  traj_patient_records_free (p1.r);
  traj_patient_records_free (p2.r);
  g_assert_finalize_object (view);
}

static void
test_panel (void)
{
  Patient p;
  g_autoptr(TrajChartModel) model = make_model (&p, FALSE);
  GtkWidget *window = gtk_window_new ();
  TrajChartPanel *panel = TRAJ_CHART_PANEL (g_object_ref_sink (traj_chart_panel_new ()));
  TrajChartView *view = traj_chart_panel_get_view (panel);
  g_autofree char *dir = g_dir_make_tmp ("test-chart-view-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "chart.png", NULL);
  g_autoptr(GError) error = NULL;
  Activated act = { 0 };
  cairo_surface_t *img;

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (panel));
  g_signal_connect (panel, "item-activated", G_CALLBACK (item_activated_cb), &act);
  traj_chart_panel_set_model (panel, model);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_size (GTK_WIDGET (view));

  /* The view's activation comes out of the panel. */
  traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_FIRST);
  gtk_widget_activate_action (GTK_WIDGET (view), "chart-view.activate", NULL);
  g_assert_cmpint (act.calls, ==, 1);
  g_assert_cmpint (act.id, ==, p.last->id);

  traj_chart_view_set_axis (view, TRAJ_CHART_AXIS_INFUSION);
  g_assert_cmpint (traj_chart_view_get_axis (view), ==, TRAJ_CHART_AXIS_INFUSION);
  wait_for_size (GTK_WIDGET (view));

  /* Export writes the chart as shown, PNG at twice the size. */
  g_assert_true (traj_chart_view_export (view, png, &error));
  g_assert_no_error (error);
  img = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (img), ==, 2400);
  g_assert_cmpint (cairo_image_surface_get_height (img), ==, 1600);
  cairo_surface_destroy (img);
  g_unlink (png);
  g_rmdir (dir);

  gtk_window_destroy (GTK_WINDOW (window));
  traj_patient_records_free (p.r);
  g_assert_finalize_object (panel);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add_func ("/chart-view/hit-test", test_hit_test);
  g_test_add_func ("/chart-view/accessible", test_accessible);
  g_test_add_func ("/chart-view/panel", test_panel);

  return g_test_run ();
}
