/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trajectory-cli server init | add-login: setting up a clinic server. */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "traj-cli.h"
#include "traj-migrate.h"

static int
server_init (TrajCli *cli, const char *conninfo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;

  store = traj_store_server_init (conninfo, &error);
  if (store == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("The clinic is ready on the server (schema %d).\n"), TRAJ_SCHEMA_VERSION);
  g_print (_("Group roles: %s, %s, %s.\n"), traj_server_role_group (TRAJ_SERVER_ROLE_CLINICIAN),
           traj_server_role_group (TRAJ_SERVER_ROLE_LEAD), traj_server_role_group (TRAJ_SERVER_ROLE_KIOSK));
  g_print (_("Add each person’s login with “trajectory-cli --database … server add-login NAME --role ROLE”.\n"));
  return 0;
}

static int
server_add_login (TrajCli *cli, const char *login, const char *role_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autofree char *password = NULL, *again = NULL;
  TrajServerRole role;

  if (!traj_server_role_from_string (role_name, &role))
    return traj_cli_fail (cli, _("--role is clinician, lead or kiosk."));
  if (cli->database == NULL || !traj_store_location_is_server (cli->database))
    return traj_cli_fail (cli, _("Give the clinic server with --database (postgresql://… or service=…)."));
  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  password = traj_cli_read_secret (_("Password for the new login: "));
  if (password == NULL)
    return traj_cli_fail (cli, _("No password was given (one line on standard input)."));
  if (isatty (STDIN_FILENO))
    {
      again = traj_cli_read_secret (_("The same password again: "));
      if (g_strcmp0 (password, again) != 0)
        return traj_cli_fail (cli, _("The two passwords differ; nothing was changed."));
    }
  if (!traj_store_server_add_login (store, login, role, password, &error))
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("Login “%s” can now sign in as %s.\n"), login, role_name);
  return 0;
}

int
traj_cli_server (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *role = NULL;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("What the login may do: clinician, lead or kiosk"), N_("ROLE") },
    { NULL }
  };

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc == 3 && g_str_equal (argv[1], "init"))
    return server_init (cli, argv[2]);
  if (argc == 2 && g_str_equal (argv[1], "init") && cli->database)
    return server_init (cli, cli->database);
  if (argc == 3 && g_str_equal (argv[1], "add-login"))
    {
      if (role == NULL)
        return traj_cli_fail (cli, _("Give the login’s role with --role clinician, lead or kiosk."));
      return server_add_login (cli, argv[2], role);
    }
  traj_cli_fail (cli, _("Usage: trajectory-cli server %s"), _(cli->command->parameter));
  return 2;
}

/* ---- migrate ------------------------------------------------------------------- */

static void
migrate_progress (double fraction, gpointer data)
{
  if (isatty (STDERR_FILENO))
    {
      fprintf (stderr, "\r%3d %%", (int) (fraction * 100 + 0.5));
      fflush (stderr);
    }
}

int
traj_cli_migrate (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *from = NULL, *to = NULL;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_FILENAME, &from, N_("The clinic to copy: a file or postgresql://…"), N_("CLINIC") },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("An empty clinic: a new file or a server after “server init”"),
      N_("CLINIC") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (from == NULL || to == NULL)
    return traj_cli_fail (cli, _("Give both --from and --to (a clinic file or a clinic server).")) + 1;
  if (traj_store_location_is_server (from) == traj_store_location_is_server (to))
    return traj_cli_fail (cli, _("A clinic moves between a file and a server: --from and --to are one of each.")) + 1;

  counts = traj_migrate (from, to, migrate_progress, NULL, &error);
  if (isatty (STDERR_FILENO))
    fprintf (stderr, "\r     \r");
  if (counts == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  g_print ("%-20s %10s %10s\n", _("Table"), _("Read"), _("Written"));
  for (guint k = 0; k < counts->len; k++)
    {
      const TrajMigrateCount *c = g_ptr_array_index (counts, k);
      g_print ("%-20s %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT "\n", c->table, c->source, c->target);
    }
  g_print (_("The clinic was moved in %.1f s; every count matches.\n"), g_timer_elapsed (timer, NULL));
  return 0;
}
