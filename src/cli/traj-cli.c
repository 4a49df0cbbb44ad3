/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "traj-cli.h"
#include "traj-clinic-settings.h"
#include "traj-outcomes.h"
#include "traj-settings.h"
#include "traj-safe-file.h"
#include "traj-validate.h"

static const TrajCliCommand commands[] = {
  { "demo", N_("[--seed N] [--patients N] [--anchor YYYY-MM-DD]"),
    N_("Fill an empty database with a synthetic demo clinic"), traj_cli_demo, TRUE },
  { "patients", N_("[--search TEXT] [--format text|csv|json]"),
    N_("List patients: MRN, name, indication, course status"), traj_cli_patients },
  { "export", N_("--format csv|fhir [--patient MRN] --output DIR|FILE"),
    N_("Export the clinic as CSV files or a FHIR R4 bundle"), traj_cli_export },
  { "import", N_("DIR|FILE"),
    N_("Import CSV files written by export: all rows or none"), traj_cli_import, TRUE },
  { "backup", N_("--output FILE [--replace]"),
    N_("Copy the clinic file safely, even while it is in use"), traj_cli_backup },
  { "restore", N_("FILE [--yes]"),
    N_("Replace the clinic with a backup; the current one is kept"), traj_cli_restore, TRUE },
  { "outcomes", N_("[--patient MRN] [--format text|csv|json]"),
    N_("Baseline, change, response, remission and open findings per course and scale"), traj_cli_outcomes },
  { "cohort", N_("[--group-by FIELD] [--cohort SPEC]… [FILTERS] [--scale SCALE] [--as-of DATE] "
                 "[--table metrics|courses|chart|km|tolerability] [--format text|csv|json] [--output FILE] "
                 "[--save NAME [--replace]] [--load NAME] [--list-saved] [--delete-saved NAME]"),
    N_("Compare cohorts of courses: response, remission, completion, boosters, safety"), traj_cli_cohort },
  { "chart", N_("--patient MRN --output FILE.png|svg|pdf [--width W] [--height H] [--scale N] [--axis date|infusion]"),
    N_("Draw a patient’s chart to a PNG, SVG or PDF file"), traj_cli_chart },
  { "report", N_("--patient MRN --output FILE.pdf [--paper a4|letter] [--clinic NAME]"),
    N_("Write a patient’s progress report as a PDF"), traj_cli_report },
  { "cohort-report", N_("[--group-by FIELD] [FILTERS] [--scale SCALE] [--as-of DATE] [--load NAME] "
                        "--output FILE.pdf [--paper a4|letter] [--clinic NAME]"),
    N_("Write a one-page cohort report as a PDF"), traj_cli_cohort_report },
  { "rems", N_("--infusion UID --output FILE.pdf [--paper a4|letter]"),
    N_("Write an esketamine session’s monitoring record (SPRAVATO REMS) as a one-page PDF"), traj_cli_rems },
  { "staff-pin", N_("< the current PIN (when one is set), then the new one, a line each"),
    N_("Set or change the clinic’s staff PIN for the tablets"), traj_cli_staff_pin },
  { "checkin", N_("--patient MRN [--scales phq9,gad7] [--hours N]"),
    N_("Make a patient’s tablet check-in code (shown once)"), traj_cli_checkin },
  { "server", N_("init CONNECTION | add-login NAME --role clinician|lead|kiosk"),
    N_("Set up a clinic server: its schema and roles, and people’s logins"), traj_cli_server },
  { "audit", N_("verify"),
    N_("Check that the audit trail is whole: every event linked, none changed or removed"), traj_cli_audit },
  { "migrate", N_("--from CLINIC --to CLINIC"),
    N_("Move a whole clinic between a file and a server, into an empty clinic; counts compared"), traj_cli_migrate },
};

char *
traj_cli_read_secret (const char *prompt)
{
  gboolean tty = isatty (STDIN_FILENO);
  struct termios old, quiet;
  char line[1024];
  char *ok;

  if (tty)
    {
      fprintf (stderr, "%s", prompt);
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  ok = fgets (line, sizeof line, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fprintf (stderr, "\n");
    }
  if (ok == NULL)
    return NULL;
  line[strcspn (line, "\r\n")] = '\0';
  return g_strdup (line);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: trajectory-cli [--database PATH] [--clinician NAME] COMMAND [OPTIONS]"));
  fprintf (out, "\n%s\n", _("Trajectory’s clinic data from the command line."));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (guint k = 0; k < G_N_ELEMENTS (commands); k++)
    fprintf (out, "  %-14s %s\n", commands[k].name, _(commands[k].summary));
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  --database PATH  %s\n", _("Clinic file (default: $XDG_DATA_HOME/trajectory/clinic.db; for “demo”, demo-clinic.db), "
                                          "or a clinic server: postgresql://HOST/DB, service=NAME"));
  fprintf (out, "  --clinician NAME %s\n", _("Who is making the changes, for the audit trail (default: $TRAJECTORY_CLINICIAN; "
                                          "the computer login is recorded too)"));
  fprintf (out, "  --version        %s\n", _("Show the version"));
  fprintf (out, "  -h, --help       %s\n", _("Show this help; COMMAND --help shows a command’s options"));
}

gboolean
traj_cli_parse (TrajCli               *cli,
                GOptionEntry          *entries,
                int                   *argc,
                char                ***argv)
{
  const TrajCliCommand *cmd = cli->command;
  g_autofree char *param = g_strdup_printf ("%s %s", cmd->name, _(cmd->parameter));
  g_autoptr(GOptionContext) ctx = g_option_context_new (param);
  g_autoptr(GError) error = NULL;
  char *database = NULL, *clinician = NULL;
  GOptionEntry common[] = {
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, N_("Clinic file"), N_("PATH") },
    { "clinician", 0, 0, G_OPTION_ARG_STRING, &clinician,
      N_("Who is making the changes, for the audit trail (with the computer login)"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (ctx, _(cmd->summary));
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (ctx, common, GETTEXT_PACKAGE);
  if (entries)
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      g_free (database);
      g_free (clinician);
      traj_cli_fail (cli, "%s", error->message);
      return FALSE;
    }
  if (database)
    {
      g_free (cli->database);
      cli->database = database;
    }
  if (clinician)
    {
      g_free (cli->clinician);
      cli->clinician = clinician;
    }
  return TRUE;
}

TrajStore *
traj_cli_open_store (TrajCli *cli)
{
  gboolean demo = cli->command->run == traj_cli_demo;
  /* Synthetic patients never go into the clinic's own file by default:
   * "demo" without --database fills the demo clinic that "trajectory --demo"
   * (and ./dev run) opens. */
  g_autofree char *path = cli->database ? g_strdup (cli->database)
                          : demo ? traj_store_demo_path () : traj_store_default_path ();
  g_autoptr(GError) error = NULL;
  gboolean server = traj_store_location_is_server (path);
  gboolean creates = cli->command->may_create;
  TrajStore *store;
  /* The trail records the computer login (always) and the clinician named
   * by --clinician or $TRAJECTORY_CLINICIAN. */
  const char *clinician = cli->clinician ? cli->clinician : g_getenv ("TRAJECTORY_CLINICIAN");

  /* What the audit trail records follows the rules of typed text; checked
   * before anything is opened or made. */
  if (!traj_validate_text (_("Clinician"), clinician, FALSE, &error))
    {
      traj_cli_fail (cli, "%s", error->message);
      return NULL;
    }
  /* Only the commands that fill a clinic may make a new file: a mistyped
   * --database must not quietly open an empty clinic. */
  cli->created = !server && creates && !g_file_test (path, G_FILE_TEST_EXISTS);
  /* A new clinic is filled beside its name and appears whole: two imports
   * into a path that did not exist cannot share (and the refused one then
   * remove) one file. */
  if (cli->created)
    store = traj_store_open_new (path, &cli->new_clinic, &error);
  else
    store = creates ? traj_store_open (path, &error) : traj_store_open_existing (path, &error);
  if (store == NULL)
    {
      if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND) && cli->database == NULL)
        {
          g_autofree char *demo_path = traj_store_demo_path ();

          traj_cli_fail (cli, _("There is no clinic database at “%s” yet: add patients in the app or with "
                                "“import”, or name another file with --database (the demo clinic is “%s”)."),
                         path, demo_path);
        }
      else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND))
        traj_cli_fail (cli, _("There is no clinic database at “%s”. Check the path, or make one with “import” or “demo”."), path);
      else
        traj_cli_fail (cli, "%s", error->message);
      return NULL;
    }
  traj_store_set_clinician (store, clinician);
  return store;
}

const char *
traj_cli_store_path (TrajCli *cli, TrajStore *store)
{
  return cli->new_clinic ? traj_new_clinic_get_path (cli->new_clinic) : traj_store_get_path (store);
}

gboolean
traj_cli_publish_created (TrajCli *cli, TrajStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajNewClinic) made = g_steal_pointer (&cli->new_clinic);

  if (made == NULL)
    {
      g_object_unref (store);
      return TRUE;
    }
  if (!traj_store_publish_new (made, store, &error))
    {
      traj_cli_fail (cli, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

void
traj_cli_discard_created (TrajCli *cli, TrajStore *store)
{
  /* Closed first: nothing of this process may hold the file. */
  g_object_unref (store);
  g_clear_pointer (&cli->new_clinic, traj_new_clinic_free);
}

gboolean
traj_cli_format (const char *name, TrajFormat *format)
{
  if (name == NULL)
    {
      *format = TRAJ_FORMAT_TEXT;
      return TRUE;
    }
  return traj_format_parse (name, format);
}

int
traj_cli_fail (TrajCli *cli, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (cli->command)
    fprintf (stderr, "trajectory-cli %s: %s\n", cli->command->name, msg);
  else
    fprintf (stderr, "trajectory-cli: %s\n", msg);
  return 1;
}

gboolean
traj_cli_write (TrajCli *cli, const char *path, const char *text)
{
  g_autoptr(GError) error = NULL;

  if (path == NULL || g_str_equal (path, "-"))
    {
      fputs (text, stdout);
      return fflush (stdout) == 0;
    }
  /* A new 0600 file renamed into place; a device or pipe is written
   * through, a link refused (traj-safe-file.h). */
  if (!traj_safe_file_set_contents (path, text, -1, &error))
    {
      traj_cli_fail (cli, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

void
traj_cli_load_thresholds (TrajStore *store, TrajThresholds *thresholds)
{
  /* The clinic's own thresholds (kept in its database), as every window of
   * the clinic uses them; CLINICAL.md's defaults without the schema. */
  g_autoptr(GSettings) settings = traj_clinic_settings_new (store);

  if (settings)
    traj_thresholds_load (thresholds, settings);
  else
    traj_thresholds_init_defaults (thresholds);
}

int
main (int argc, char **argv)
{
  TrajCli cli = { 0 };
  int i, status;

  setlocale (LC_ALL, "");
  /* Usage lines read "trajectory-cli [OPTION…] COMMAND …". */
  g_set_prgname ("trajectory-cli");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options come before the command: parsing stops at the first
   * argument that is not one, and the command parses its own. */
  {
    gboolean help = FALSE, version = FALSE;
    const GOptionEntry entries[] = {
      { "database", 0, 0, G_OPTION_ARG_FILENAME, &cli.database, NULL, NULL },
      { "clinician", 0, 0, G_OPTION_ARG_STRING, &cli.clinician, NULL, NULL },
      { "help", 'h', 0, G_OPTION_ARG_NONE, &help, NULL, NULL },
      { "version", 0, 0, G_OPTION_ARG_NONE, &version, NULL, NULL },
      { NULL }
    };
    g_autoptr(GOptionContext) context = g_option_context_new (NULL);
    g_autoptr(GError) error = NULL;

    /* The usage is the app's own (print_usage): the commands with it. */
    g_option_context_set_help_enabled (context, FALSE);
    g_option_context_set_strict_posix (context, TRUE);
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        fprintf (stderr, "trajectory-cli: %s\n", error->message);
        print_usage (stderr);
        g_free (cli.database);
        g_free (cli.clinician);
        return 2;
      }
    if (help || version)
      {
        if (help)
          print_usage (stdout);
        else
          printf ("trajectory-cli %s\n", PACKAGE_VERSION);
        g_free (cli.database);
        g_free (cli.clinician);
        return 0;
      }
  }

  i = 1;
  if (i < argc && argv[i][0] == '-')
    {
      fprintf (stderr, _("trajectory-cli: unknown option “%s”\n"), argv[i]);
      print_usage (stderr);
      g_free (cli.database);
      g_free (cli.clinician);
      return 2;
    }
  if (i >= argc)
    {
      print_usage (stderr);
      g_free (cli.database);
      g_free (cli.clinician);
      return 2;
    }

  for (guint k = 0; k < G_N_ELEMENTS (commands); k++)
    if (g_str_equal (argv[i], commands[k].name))
      {
        cli.command = &commands[k];
        status = commands[k].run (&cli, argc - i, argv + i);
        /* A new clinic its command did not publish (refused, failed). */
        g_clear_pointer (&cli.new_clinic, traj_new_clinic_free);
        g_free (cli.database);
        g_free (cli.clinician);
        return status;
      }

  fprintf (stderr, _("trajectory-cli: unknown command “%s”\n"), argv[i]);
  print_usage (stderr);
  g_free (cli.database);
  g_free (cli.clinician);
  return 2;
}
