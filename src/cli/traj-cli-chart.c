/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-chart.h"
#include "traj-cli.h"
#include "traj-outcomes.h"

int
traj_cli_chart (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *mrn = NULL, *output = NULL, *axis_name = NULL;
  int width = 1200, height = 800;
  double scale = 1.0;
  GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient’s MRN"), N_("MRN") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("File to write; .png, .svg or .pdf chooses the format"), N_("FILE") },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, N_("Width in pixels (PNG) or points (SVG, PDF); default 1200"), "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, N_("Height in pixels or points; default 800"), "H" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale, N_("PNG pixels per unit, e.g. 2 for a sharper image; default 1"), "N" },
    { "axis", 0, 0, G_OPTION_ARG_STRING, &axis_name, N_("Time axis: date (default) or infusion"), N_("AXIS") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) patient = NULL;
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajOutcomes) outcomes = NULL;
  g_autoptr(TrajChartModel) model = NULL;
  TrajThresholds thresholds;
  TrajChartOptions options;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (mrn == NULL)
    return traj_cli_fail (cli, _("--patient MRN is required")) + 1;
  if (output == NULL)
    return traj_cli_fail (cli, _("--output FILE is required")) + 1;
  traj_chart_options_init (&options);
  options.show_title = TRUE;
  if (axis_name && !traj_chart_axis_from_string (axis_name, &options.axis))
    return traj_cli_fail (cli, _("unknown axis “%s” (use date or infusion)"), axis_name) + 1;
  if (scale < 0.5 || scale > 4)
    return traj_cli_fail (cli, _("--scale must be between 0.5 and 4")) + 1;
  {
    g_autofree char *lower = g_ascii_strdown (output, -1);
    if (!g_str_has_suffix (lower, ".png") && !g_str_has_suffix (lower, ".svg") && !g_str_has_suffix (lower, ".pdf"))
      return traj_cli_fail (cli, _("cannot tell the format of “%s”: name it .png, .svg or .pdf"), output) + 1;
  }

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  patient = traj_store_find_patient_by_mrn (store, mrn, &error);
  if (patient == NULL || !traj_store_record_read (store, patient->id, "patient chart", &error))
    return traj_cli_fail (cli, "%s", error->message);
  records = traj_store_load_patient_records (store, patient->id, &error);
  if (records == NULL)
    return traj_cli_fail (cli, "%s", error->message);

  traj_thresholds_init_defaults (&thresholds);
  traj_cli_load_thresholds (store, &thresholds);
  outcomes = traj_outcomes_compute (records, &thresholds, traj_time_now ());
  model = traj_chart_model_new_from_records (records, outcomes);

  if (!traj_chart_write_file_full (model, &options, output, width, height, scale, &error))
    return traj_cli_fail (cli, "%s", error->message);
  {
    const char *who[] = { patient->uid, NULL };

    return traj_cli_audit_output (cli, store, "chart", "patient chart", who, output) ? 0 : 1;
  }
}
