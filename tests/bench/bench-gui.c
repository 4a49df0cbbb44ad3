/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GUI start to first frame with the 10,000-patient clinic, against a bare
 * AdwApplicationWindow built alongside (the floor), and resident memory after
 * opening 20 patients. Needs a display: run under xvfb-run. */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-common.h"
#include "traj-window.h"

static gboolean first_frame_seen;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  if (!first_frame_seen)
    {
      first_frame_seen = TRUE;
      g_idle_add ((GSourceFunc) g_main_context_wakeup, NULL);
    }
}

static void
watch_first_frame (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
}

static int
run_child (const char *mode, const char *db_path)
{
  GtkWidget *window;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  gtk_init ();
  adw_init ();
  if (g_str_equal (mode, "bare"))
    {
      window = adw_application_window_new (NULL);
      adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), gtk_label_new ("Trajectory"));
    }
  else
    {
      store = traj_store_open (db_path, &error);
      if (store == NULL)
        g_error ("%s", error->message);
      settings = g_settings_new (APP_ID);
      window = GTK_WIDGET (traj_window_new (NULL, store, settings));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  watch_first_frame (window);
  while (!first_frame_seen)
    g_main_context_iteration (NULL, TRUE);

  if (g_getenv ("BENCH_RSS_AT_FIRST_FRAME"))
    fprintf (stderr, "rss at first frame: %" G_GINT64_FORMAT " kB\n", bench_rss_kb ());
  if (g_str_equal (mode, "memory"))
    {
      TrajPatientList *list = traj_window_get_patient_list (TRAJ_WINDOW (window));
      guint n;
      GRand *rand = g_rand_new_with_seed (7);

      while (traj_window_is_busy (TRAJ_WINDOW (window)))
        g_main_context_iteration (NULL, TRUE);
      n = g_list_model_get_n_items (G_LIST_MODEL (list));
      for (guint k = 0; k < 20; k++)
        {
          g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (list), g_rand_int_range (rand, 0, (gint32) n));
          traj_window_show_patient (TRAJ_WINDOW (window), traj_patient_item_get_id (item));
          for (int i = 0; i < 30; i++)
            g_main_context_iteration (NULL, FALSE);
        }
      /* Let the background findings pass finish too. */
      while (traj_window_is_busy (TRAJ_WINDOW (window)))
        g_main_context_iteration (NULL, TRUE);
      printf ("%" G_GINT64_FORMAT "\n", bench_rss_kb ());
      g_rand_free (rand);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autoptr(GArray) app_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  guint runs = 7;

  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], argv[3]);

  db = bench_clinic_path (BENCH_PATIENTS, NULL, NULL);
  for (guint k = 0; k < runs; k++)
    {
      g_autofree char *app_cmd = g_strdup_printf ("'%s' --child app '%s'", argv[0], db);
      g_autofree char *bare_cmd = g_strdup_printf ("'%s' --child bare '%s'", argv[0], db);
      double a = bench_time_command (app_cmd), b = bench_time_command (bare_cmd);
      g_array_append_val (app_ms, a);
      g_array_append_val (bare_ms, b);
    }
  {
    g_autofree char *cmd = g_strdup_printf ("'%s' --child memory '%s'", argv[0], db);
    g_autofree char *out = NULL;
    g_spawn_command_line_sync (cmd, &out, NULL, NULL, NULL);
    if (out)
      {
        double mb = g_ascii_strtod (out, NULL) / 1024.0;
        g_array_append_val (rss, mb);
      }
  }
  printf ("| %-44s | %9s | %9s | %-34s | %9s | %-22s |\n", "GUI (10,000 patients)", "median", "p95", "floor", "floor", "target");
  bench_report ("start to first frame (ms)", app_ms, "bare AdwApplicationWindow (ms)", bench_median (bare_ms),
                "≤ 1.5× the bare window");
  printf ("  ratio to the bare window: %.2f×\n", bench_median (app_ms) / bench_median (bare_ms));
  bench_report ("resident memory after 20 patients (MB)", rss, NULL, 0, "≤ 150 MB");
  return 0;
}
