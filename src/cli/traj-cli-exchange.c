/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "traj-backup.h"
#include "traj-cli.h"
#include "traj-csv.h"
#include "traj-fhir.h"

static int
export_csv (TrajCli *cli, TrajStore *store, const char *dir)
{
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GError) error = NULL;

  if (!traj_csv_export (store, dir, report, NULL, NULL, NULL, &error))
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("Exported to %s: %u patients, %u courses, %u infusions, %u vital-sign readings, "
             "%u assessments, %u finding decisions, %u medicines.\n"),
           dir, report->rows[TRAJ_CSV_PATIENTS], report->rows[TRAJ_CSV_COURSES],
           report->rows[TRAJ_CSV_INFUSIONS], report->rows[TRAJ_CSV_VITAL_SIGNS],
           report->rows[TRAJ_CSV_ASSESSMENTS], report->rows[TRAJ_CSV_FLAG_DECISIONS],
           report->rows[TRAJ_CSV_MEDICATIONS]);
  return 0;
}

int
traj_cli_export (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *format = NULL, *patient = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("csv (one file per record kind) or fhir (one JSON bundle)"), N_("FORMAT") },
    { "patient", 0, 0, G_OPTION_ARG_STRING, &patient, N_("Only this patient (fhir only)"), N_("MRN") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Folder for csv, file for fhir"), N_("PATH") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (format == NULL || (!g_str_equal (format, "csv") && !g_str_equal (format, "fhir")))
    return traj_cli_fail (cli, _("give --format csv or --format fhir")) + 1;
  if (output == NULL)
    return traj_cli_fail (cli, _("give --output (a folder for csv, a file for fhir)")) + 1;
  if (patient && g_str_equal (format, "csv"))
    return traj_cli_fail (cli, _("--patient works with --format fhir only")) + 1;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  /* A damaged file's values are not passed on as if they were good. */
  if (!traj_store_quick_check (store, &error))
    return traj_cli_fail (cli, _("%s Nothing was exported."), error->message);
  if (g_str_equal (format, "csv"))
    return export_csv (cli, store, output);

  if (!traj_fhir_export (store, patient, output, NULL, NULL, NULL, &error))
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("FHIR R4 bundle written to %s.\n"), output);
  return 0;
}

int
traj_cli_import (TrajCli *cli, int argc, char **argv)
{
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  gint64 start;
  double seconds;
  guint rows;

  if (!traj_cli_parse (cli, NULL, &argc, &argv))
    return 2;
  if (argc != 2)
    return traj_cli_fail (cli, _("give one folder or CSV file to import")) + 1;
  /* Before a clinic file is made for it. */
  if (!traj_csv_import_check (argv[1], &error))
    return traj_cli_fail (cli, "%s", error->message);

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  start = g_get_monotonic_time ();
  if (!traj_csv_import (store, argv[1], report, NULL, NULL, NULL, &error))
    {
      /* Refused: a clinic file made for this import goes again. */
      traj_cli_discard_created (cli, g_steal_pointer (&store));
      for (guint k = 0; k < report->problems->len; k++)
        {
          g_autofree char *line = traj_csv_problem_to_string (g_ptr_array_index (report->problems, k));
          fprintf (stderr, "%s\n", line);
        }
      if (report->n_problems > report->problems->len)
        fprintf (stderr, _("… and %u more problems.\n"), report->n_problems - report->problems->len);
      return traj_cli_fail (cli, "%s", error->message);
    }
  where = g_strdup (traj_cli_store_path (cli, store));
  /* A new clinic appears under its name only now, whole. */
  if (!traj_cli_publish_created (cli, g_steal_pointer (&store)))
    return 1;
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  rows = traj_csv_report_total_rows (report);
  g_print (_("Imported %u rows into %s: %u patients, %u courses, %u infusions, %u vital-sign readings, "
             "%u assessments, %u finding decisions, %u medicines (%.2f s, %.0f rows/s).\n"),
           rows, where, report->rows[TRAJ_CSV_PATIENTS], report->rows[TRAJ_CSV_COURSES],
           report->rows[TRAJ_CSV_INFUSIONS], report->rows[TRAJ_CSV_VITAL_SIGNS],
           report->rows[TRAJ_CSV_ASSESSMENTS], report->rows[TRAJ_CSV_FLAG_DECISIONS],
           report->rows[TRAJ_CSV_MEDICATIONS],
           seconds, seconds > 0 ? rows / seconds : 0.0);
  return 0;
}

int
traj_cli_backup (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *output = NULL;
  gboolean replace = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The backup file to write"), N_("FILE") },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace,
      N_("Replace FILE when it is already a database (an older backup)"), NULL },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (output == NULL)
    return traj_cli_fail (cli, _("give --output FILE")) + 1;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  if (!(replace ? traj_backup_to_file_replacing : traj_backup_to_file) (store, output, NULL, NULL, NULL, &error))
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("Backup of %s written to %s.\n"), traj_store_get_path (store), output);
  return 0;
}

static gboolean
confirm (const char *question)
{
  char answer[16] = "";

  if (!isatty (STDIN_FILENO))
    return FALSE;
  fprintf (stderr, "%s ", question);
  fflush (stderr);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  return g_ascii_tolower (answer[0]) == 'y';
}

int
traj_cli_restore (TrajCli *cli, int argc, char **argv)
{
  gboolean yes = FALSE;
  GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, N_("Replace without asking"), NULL },
    { NULL }
  };
  g_autofree char *db_path = NULL, *kept = NULL, *when = NULL, *question = NULL;
  g_autoptr(GError) error = NULL;
  TrajBackupInfo info;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc != 2)
    return traj_cli_fail (cli, _("give the backup file to restore")) + 1;

  /* The clinic is not opened first: restoring must work when it is damaged. */
  db_path = cli->database ? g_strdup (cli->database) : traj_store_default_path ();
  if (!traj_backup_check (argv[1], &info, &error))
    return traj_cli_fail (cli, "%s", error->message);
  when = info.last_change ? traj_time_format (info.last_change) : g_strdup ("—");
  question = g_strdup_printf (_("Replace the clinic in %s with the backup %s (%" G_GINT64_FORMAT
                                " patients, last change %s)? The current clinic is kept. [y/N]"),
                              db_path, argv[1], info.patients, when);
  if (!yes && !confirm (question))
    return traj_cli_fail (cli, _("nothing was restored (confirm with --yes)"));

  if (!traj_backup_restore (db_path, argv[1], &kept, &error))
    return traj_cli_fail (cli, "%s", error->message);
  g_print (_("Restored %s from %s.\n"), db_path, argv[1]);
  if (kept)
    g_print (_("The clinic as it was before is kept in %s.\n"), kept);
  return 0;
}
