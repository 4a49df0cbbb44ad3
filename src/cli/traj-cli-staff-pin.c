/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trajectory-cli staff-pin: the clinic's staff PIN, from a terminal or a
 * script (setting up a tablet without a workstation at hand); and
 * trajectory-cli checkin: a patient's tablet check-in code, as Prepare
 * Tablet Check-in makes it (a trial: no script could prepare a tablet). */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "traj-cli.h"
#include "traj-secret.h"

int
traj_cli_staff_pin (TrajCli *cli, int argc, char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_auto(TrajSecretString) current = NULL;
  g_auto(TrajSecretString) pin = NULL;
  g_auto(TrajSecretString) again = NULL;
  gboolean has_pin = FALSE;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  if (!traj_store_has_staff_pin (store, &has_pin, &error))
    return traj_cli_fail (cli, "%s", error->message);
  /* One line each: the current PIN (when one is set), the new one, and on a
   * terminal the new one again. */
  if (has_pin)
    {
      current = traj_cli_read_secret (_("Current staff PIN: "));
      if (current == NULL)
        return traj_cli_fail (cli, _("The clinic has a staff PIN: give the current one first (one line on standard input)."));
    }
  pin = traj_cli_read_secret (_("New staff PIN (6 to 12 digits; 8 or more is safer): "));
  if (pin == NULL)
    return traj_cli_fail (cli, _("No new PIN was given (one line on standard input)."));
  if (isatty (STDIN_FILENO))
    {
      again = traj_cli_read_secret (_("The same PIN again: "));
      if (again == NULL || g_strcmp0 (pin, again) != 0)
        return traj_cli_fail (cli, _("The two PINs differ; nothing was changed."));
    }
  if (!traj_store_set_staff_pin (store, current, pin, &error))
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("The staff PIN is set for every tablet of the clinic.\n"));
  return 0;
}

int
traj_cli_checkin (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *mrn = NULL, *scales = NULL;
  int hours = 12;
  GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient"), N_("MRN") },
    { "scales", 0, 0, G_OPTION_ARG_STRING, &scales, N_("Questionnaires, comma-separated (default phq9)"),
      N_("CODES") },
    { "hours", 0, 0, G_OPTION_ARG_INT, &hours, N_("How long the code is valid (default 12)"), N_("N") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = NULL;
  g_auto(TrajSecretString) code = NULL;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (mrn == NULL)
    return traj_cli_fail (cli, _("--patient MRN is needed")) + 1;
  if (hours < 1 || hours > 72)
    return traj_cli_fail (cli, _("--hours must be between 1 and 72")) + 1;
  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  p = traj_store_find_patient_by_mrn (store, mrn, &error);
  if (p == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  code = traj_store_create_checkin (store, p->id, scales ? scales : "phq9", (gint64) hours * 3600, NULL, &error);
  if (code == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  /* Only the hash is kept: this is the one time the code is shown. */
  g_print ("%s\n", code);
  return 0;
}
