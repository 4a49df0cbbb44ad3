/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "traj-cli.h"
#include "traj-error.h"

/* trajectory-cli audit verify: the hash chain of the audit trail, checked
 * (traj_store_audit_verify ()). Exit 0 whole, 1 broken or unreadable. */
int
traj_cli_audit (TrajCli *cli, int argc, char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  gint64 n = 0;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc != 2 || !g_str_equal (argv[1], "verify"))
    return traj_cli_fail (cli, _("say what to do: “audit verify”")) + 1;
  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  if (!traj_store_audit_verify (store, &n, &error))
    return traj_cli_fail (cli, "%s", error->message);
  printf (g_dngettext (GETTEXT_PACKAGE, "The audit trail is whole: %" G_GINT64_FORMAT " event checked.\n",
                       "The audit trail is whole: %" G_GINT64_FORMAT " events checked.\n", (gulong) n), n);
  return 0;
}

gboolean
traj_cli_audit_output (TrajCli            *cli,
                       TrajStore          *store,
                       const char         *action,
                       const char         *what,
                       const char * const *patient_uids,
                       const char         *path)
{
  g_autoptr(GError) error = NULL;
  /* Where it went, whatever folder the command ran in. */
  g_autofree char *where = g_canonicalize_filename (path, NULL);

  if (traj_store_audit_output (store, action, what, patient_uids, where, &error))
    return TRUE;
  /* Translators: 1: the file written, 2: why the audit trail could not take it */
  traj_cli_fail (cli, _("%1$s was written, but it could not be recorded in the audit trail: %2$s"), path,
                 error->message);
  return FALSE;
}
