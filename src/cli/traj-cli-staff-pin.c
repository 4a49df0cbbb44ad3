/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trajectory-cli staff-pin: the clinic's staff PIN, from a terminal or a
 * script (setting up a tablet without a workstation at hand). */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "traj-cli.h"
#include "traj-secret.h"

int
traj_cli_staff_pin (TrajCli *cli, int argc, char **argv)
{
  static const TrajCliCommand self = {
    "staff-pin", N_("< the current PIN (when one is set), then the new one, a line each"),
    N_("Set or change the clinic’s staff PIN for the tablets"), NULL };
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_auto(TrajSecretString) current = NULL;
  g_auto(TrajSecretString) pin = NULL;
  g_auto(TrajSecretString) again = NULL;
  gboolean has_pin = FALSE;

  if (!traj_cli_parse (cli, &self, entries, &argc, &argv))
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
