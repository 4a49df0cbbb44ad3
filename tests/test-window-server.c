/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician window on a clinic server (issue 14), against the
 * throwaway PostgreSQL of `./dev test`: when the server drops the window's
 * session, a banner across the window says so, and it goes by itself once
 * the connection is back. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "traj-cohort-view.h"
#include "traj-connection-banner.h"
#include "traj-demo.h"
#include "traj-test-db.h"
#include "traj-window.h"
#include "traj-gui.h"

#include "test-wait.h"

/* With TRAJ_TEST_SHOTS=DIR, what the window looks like, for a person to see. */
static void
maybe_screenshot (GtkWidget *win, const char *name)
{
  const char *dir = g_getenv ("TRAJ_TEST_SHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int w, h;

  if (dir == NULL)
    return;
  for (guint k = 0; k < 20; k++)
    g_main_context_iteration (NULL, FALSE);
  w = gtk_widget_get_width (win);
  h = gtk_widget_get_height (win);
  paintable = gtk_widget_paintable_new (win);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (win)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (texture, path);
}

/* A window on @store, at TRAJ_TEST_SHOT_SIZE when screenshots are asked for. */
static TrajWindow *
present_window (TrajStore *store, GSettings *settings)
{
  TrajWindow *win = g_object_ref_sink (traj_window_new (NULL, store, settings));

  if (g_getenv ("TRAJ_TEST_SHOT_SIZE"))
    {
      int w = 1280, h = 800;
      sscanf (g_getenv ("TRAJ_TEST_SHOT_SIZE"), "%dx%d", &w, &h);
      gtk_window_set_default_size (GTK_WINDOW (win), w, h);
    }
  gtk_window_present (GTK_WINDOW (win));
  return win;
}

static gboolean
banner_gone (GtkWidget *banner)
{
  return !traj_connection_banner_get_shown (TRAJ_CONNECTION_BANNER (banner)) && !gtk_widget_get_visible (banner);
}

static void
test_lost_connection_banner (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-window-server-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajStore *store;
  TrajWindow *win;
  GtkWidget *banner;
  GtkWidget *label;

  g_assert_no_error (error);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  win = present_window (store, settings);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (win)) && !traj_window_is_busy (win));
  banner = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "connection_banner"));
  g_assert_true (banner_gone (banner));

  /* The server drops every session of this login and takes no new one for
   * now (a restart, a cut cable). */
  g_assert_true (traj_test_exec (path, "DO $$ BEGIN EXECUTE format ('REVOKE CONNECT ON DATABASE %I FROM PUBLIC, "
                                       "\"" TRAJ_TEST_LOGIN "\"', current_database ()); END $$", &error));
  g_assert_no_error (error);
  sql = g_strdup_printf ("SELECT count(pg_terminate_backend (pid)) FROM pg_stat_activity "
                         "WHERE usename = '%s' AND datname = current_database ()", TRAJ_TEST_LOGIN);
  g_assert_cmpint (traj_test_query_int (path, sql), >, 0);
  WAIT_UNTIL (traj_connection_banner_get_shown (TRAJ_CONNECTION_BANNER (banner)));
  g_assert_true (gtk_widget_get_visible (banner));
  label = GTK_WIDGET (gtk_widget_get_template_child (banner, TRAJ_TYPE_CONNECTION_BANNER, "label"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "cannot be reached"));
  WAIT_UNTIL (gtk_revealer_get_child_revealed (GTK_REVEALER (gtk_widget_get_first_child (banner))));
  maybe_screenshot (GTK_WIDGET (win), "connection-banner.png");

  /* While the server refuses, the banner stays; once it takes the
   * connection again, the banner goes with no click. */
  g_assert_true (traj_connection_banner_get_shown (TRAJ_CONNECTION_BANNER (banner)));
  g_assert_true (traj_test_exec (path, "DO $$ BEGIN EXECUTE format ('GRANT CONNECT ON DATABASE %I TO PUBLIC, "
                                       "\"" TRAJ_TEST_LOGIN "\"', current_database ()); END $$", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (traj_store_get_connected (store));
  WAIT_UNTIL (banner_gone (banner));

  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (win);
  g_object_unref (store);
  g_rmdir (dir);
}

/* A lead's login (postgres/011: no names, MRNs or birth dates) gets a
 * window that opens on Cohorts, computed from what it may read; the
 * patient list says it is not for this sign-in, and no warning is raised
 * by what the window would otherwise load. */
static void
test_lead_opens_on_cohorts (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-window-server-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *ci = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajStore *store, *lead;
  TrajWindow *win;
  GtkWidget *view_stack, *list_stack, *cohort_box, *cohorts;
  const TrajCohortReport *report;

  g_assert_no_error (error);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, 3, 30, traj_day_from_time (traj_time_now ()), NULL, NULL, NULL, NULL,
                                     &error));
  g_assert_no_error (error);
  ci = traj_test_login_conninfo (path, "Lead Leigh", "trajectory_lead");
  lead = traj_store_open (ci, &error);
  g_assert_no_error (error);

  win = present_window (lead, settings);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (win)));
  view_stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "view_stack"));
  list_stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "list_stack"));
  cohort_box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), TRAJ_TYPE_WINDOW, "cohort_box"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (view_stack)), ==, "cohorts");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (list_stack)), ==, "unavailable");
  cohorts = gtk_widget_get_last_child (cohort_box);
  g_assert_true (TRAJ_IS_COHORT_VIEW (cohorts));
  WAIT_UNTIL (traj_cohort_view_get_report (TRAJ_COHORT_VIEW (cohorts)) != NULL);
  report = traj_cohort_view_get_report (TRAJ_COHORT_VIEW (cohorts));
  g_assert_cmpuint (report->courses->len, >=, 30);
  for (guint k = 0; k < report->courses->len; k++)
    {
      const TrajCohortCourse *c = g_ptr_array_index (report->courses, k);
      g_assert_true (c->mrn == NULL || *c->mrn == '\0');
      g_assert_cmpint (c->age, >=, 18);
    }
  maybe_screenshot (GTK_WIDGET (win), "lead-cohorts.png");

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (view_stack), "patients");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (list_stack)), ==, "unavailable");
  maybe_screenshot (GTK_WIDGET (win), "lead-patients.png");

  gtk_window_destroy (GTK_WINDOW (win));
  g_object_unref (win);
  g_object_unref (lead);
  g_object_unref (store);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());
  /* As in the gui suite: every warning and critical fails the test. */
  g_log_set_always_fatal (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);

  /* Registered in the postgres suite only. */
  g_assert_true (traj_test_postgres ());
  g_test_add_func ("/window-server/lost-connection-banner", test_lost_connection_banner);
  g_test_add_func ("/window-server/lead-opens-on-cohorts", test_lead_opens_on_cohorts);
  return g_test_run ();
}
