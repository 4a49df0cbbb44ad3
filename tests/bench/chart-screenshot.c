/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Not a test: draws one patient's chart panel in a window, the way the
 * patient page shows it, and saves what the window shows as PNG, so a
 * person can look at it in light and dark, at scale 1 and 2.
 *
 *   xvfb-run -a -s '-screen 0 1280x800x24' chart-screenshot \
 *     --database demo.db --patient MRN-100213 --output shot.png [--dark] [--scale 2] \
 *     [--focus [--down N] [--back N]] [--axis infusion] [--width 1000] [--height 640]
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include "traj-chart-panel.h"
#include "traj-outcomes.h"
#include "traj-store.h"

static void
iterate (int ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

int
main (int argc, char **argv)
{
  g_autofree char *database = NULL, *mrn = NULL, *output = NULL, *axis = NULL;
  gboolean dark = FALSE, focus = FALSE;
  int width = 1000, height = 640, step_back = 0, step_down = 0;
  double scale = 1;
  GOptionEntry entries[] = {
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "Clinic file", "PATH" },
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, "MRN", "MRN" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "PNG to write", "FILE" },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, "Dark style", NULL },
    { "focus", 0, 0, G_OPTION_ARG_NONE, &focus, "Keyboard focus on the chart (shows the callout)", NULL },
    { "back", 0, 0, G_OPTION_ARG_INT, &step_back, "With --focus, step this many items left", "N" },
    { "down", 0, 0, G_OPTION_ARG_INT, &step_down, "With --focus, step this many rows down first", "N" },
    { "axis", 0, 0, G_OPTION_ARG_STRING, &axis, "date or infusion", "AXIS" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Window width", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Window height", "H" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, "Pixels per unit in the PNG", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— screenshot of a chart panel");
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) patient = NULL;
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajOutcomes) outcomes = NULL;
  g_autoptr(TrajChartModel) model = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderNode *node;
  GtkSnapshot *snapshot;
  TrajThresholds thresholds;
  GtkWidget *window, *box;
  TrajChartPanel *panel;
  TrajChartView *view;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !database || !mrn || !output)
    {
      g_printerr ("%s\n", error ? error->message : "--database, --patient and --output are required");
      return 2;
    }

  gtk_init ();
  adw_init ();
  if (dark)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

  store = traj_store_open (database, &error);
  if (store == NULL ||
      (patient = traj_store_find_patient_by_mrn (store, mrn, &error)) == NULL ||
      (records = traj_store_load_patient_records (store, patient->id, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  traj_thresholds_init_defaults (&thresholds);
  outcomes = traj_outcomes_compute (records, &thresholds, traj_time_now ());
  model = traj_chart_model_new_from_records (records, outcomes);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Trajectory chart");
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 18);
  panel = TRAJ_CHART_PANEL (traj_chart_panel_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (panel), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (panel));
  gtk_window_set_child (GTK_WINDOW (window), box);
  traj_chart_panel_set_model (panel, model);
  view = traj_chart_panel_get_view (panel);
  if (axis && g_str_equal (axis, "infusion"))
    traj_chart_view_set_axis (view, TRAJ_CHART_AXIS_INFUSION);
  gtk_window_present (GTK_WINDOW (window));
  iterate (800);

  if (focus)
    {
      gtk_widget_grab_focus (GTK_WIDGET (view));
      traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_FIRST);
      for (int k = 0; k < step_down; k++)
        traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_DOWN);
      for (int k = 0; k < step_back; k++)
        traj_chart_view_move_cursor (view, TRAJ_CHART_STEP_PREVIOUS);
      iterate (300);
    }

  /* What the window shows, rendered by its own renderer at @scale. */
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_scale (snapshot, scale, scale);
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (window), gtk_widget_get_height (window));
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0,
                                                              gtk_widget_get_width (window) * scale,
                                                              gtk_widget_get_height (window) * scale));
  gsk_render_node_unref (node);
  if (!gdk_texture_save_to_png (texture, output))
    {
      g_printerr ("could not write %s\n", output);
      return 1;
    }
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
