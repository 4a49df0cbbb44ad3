/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Cohorts view shows the numbers the CLI's `cohort` command prints:
 * both come from traj_cohort_compute on the same clinic. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "traj-cohort-view.h"
#include "traj-demo.h"
#include "traj-gui.h"

static void
spin_until_idle (TrajCohortView *view)
{
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  do
    g_main_context_iteration (NULL, TRUE);
  while ((traj_cohort_view_is_busy (view) || traj_cohort_view_get_report (view) == NULL) &&
         g_get_monotonic_time () < end);
}

static void
test_view_matches_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-cohort-view-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_store_open (path, &error);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) cli = NULL;
  TrajThresholds t;
  GtkWidget *window;
  TrajCohortView *view;

  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, 5, 60, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));

  /* What `trajectory-cli cohort --group-by indication` computes. */
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  traj_thresholds_init_defaults (&t);
  traj_thresholds_load (&t, settings);
  cli = traj_cohort_compute (store, def, &t, TRAJ_TIME_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cli->cohorts->len, >=, 2);

  window = gtk_window_new ();
  view = TRAJ_COHORT_VIEW (traj_cohort_view_new (store, settings));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  traj_cohort_view_set_definition (view, def);
  spin_until_idle (view);
  g_assert_nonnull (traj_cohort_view_get_report (view));

  for (guint k = 0; k < cli->cohorts->len; k++)
    {
      const TrajCohort *c = g_ptr_array_index (cli->cohorts, k);
      g_autofree char *courses = g_strdup_printf ("%u course%s, %u patient%s", c->n_courses, c->n_courses == 1 ? "" : "s",
                                                  c->n_patients, c->n_patients == 1 ? "" : "s");
      g_autofree char *rate = traj_cohort_rate_format (&c->response[TRAJ_COHORT_AT_EOI]);

      g_assert_cmpstr (traj_cohort_view_get_cell (view, "label", k), ==, c->label);
      g_assert_cmpstr (traj_cohort_view_get_cell (view, "courses", k), ==, courses);
      /* The same rate, interval and counts (a "small cohort" note may follow). */
      g_assert_true (g_str_has_prefix (traj_cohort_view_get_cell (view, "response-eoi", k), rate));
      /* What remission means for the cohort's scale is stated beside it
       * (for PCL-5: below the probable-PTSD cut-off). */
      if (c->scale != TRAJ_SCALE_NONE && !c->mixed_scales)
        g_assert_cmpstr (traj_cohort_view_get_cell (view, "remission-definition", k), ==,
                         traj_scale_get (c->scale)->remission_label);
      if (c->scale == TRAJ_SCALE_PCL5 && !c->mixed_scales)
        g_assert_cmpstr (traj_cohort_view_get_cell (view, "remission-definition", k), ==,
                         "below the probable-PTSD cut-off (PCL-5 below 33)");
    }

  /* Hand-made cohorts: two, regrouped without a new scan. */
  {
    g_autoptr(TrajCohortDefinition) own = traj_cohort_definition_new ();
    TrajCohortFilter *a = traj_cohort_definition_add (own, "IV");
    TrajCohortFilter *b = traj_cohort_definition_add (own, "Esketamine");
    a->routes = 1u << TRAJ_ROUTE_IV;
    b->medicines = 1u << TRAJ_MEDICINE_ESKETAMINE;
    traj_cohort_view_set_definition (view, own);
    spin_until_idle (view);
    g_assert_cmpstr (traj_cohort_view_get_cell (view, "label", 0), ==, "IV");
    g_assert_cmpstr (traj_cohort_view_get_cell (view, "label", 1), ==, "Esketamine");
    g_assert_null (traj_cohort_view_get_cell (view, "label", 2));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

/* One patient, one course: the counts read "1 responder", "1 course",
 * never "1 responders" (ngettext, in the C locale's English). */
static void
test_plurals (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-cohort-view-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_store_open (path, &error);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  gint32 start = traj_day_today () - 20;
  GtkWidget *window;
  TrajCohortView *view;

  g_assert_no_error (error);
  p->mrn = g_strdup ("P-1");
  p->name = g_strdup ("Paula Plural");
  p->birth_day = traj_day_from_ymd (1980, 3, 4);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  c->patient_id = p->id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  /* Induction is the one infusion: the course is at risk of a booster. */
  c->induction_length = 1;
  c->start_day = start;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (store, c, &error));
  i->patient_id = p->id;
  i->course_id = c->id;
  i->started_at = traj_time_from_day (start, 10, 0);
  i->duration_min = 40;
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  g_assert_true (traj_store_insert_infusion (store, i, &error));
  /* PHQ-9 20 before the infusion, 8 two days after: a response (8 <= 10)
   * after one infusion. */
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
      int total = k == 0 ? 20 : 8;

      a->patient_id = p->id;
      a->course_id = c->id;
      a->taken_at = traj_time_from_day (start + 2 * (int) k, 9, 0);
      for (guint q = 0; q < 9; q++)
        a->items[q] = q < 8 ? MIN (3, MAX (0, total - 3 * (int) q)) : 0;
      g_assert_true (traj_store_insert_assessment (store, a, &error));
      g_assert_cmpint (a->total, ==, total);
    }
  g_assert_no_error (error);

  window = gtk_window_new ();
  view = TRAJ_COHORT_VIEW (traj_cohort_view_new (store, settings));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  traj_cohort_view_set_definition (view, def);
  spin_until_idle (view);

  g_assert_cmpstr (traj_cohort_view_get_cell (view, "courses", 0), ==, "1 course, 1 patient");
  g_assert_cmpstr (traj_cohort_view_get_cell (view, "infusions-to-response", 0), ==, "1.0 (1 responder)");
  g_assert_cmpstr (traj_cohort_view_get_cell (view, "booster-median", 0), ==, "not reached (0 boosters, 1 course)");

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());
  g_test_add_func ("/cohort-view/matches-cli", test_view_matches_cli);
  g_test_add_func ("/cohort-view/plurals", test_plurals);
  return g_test_run ();
}
