/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-audit-output.h"
#include "traj-cli.h"
#include "traj-cohort.h"
#include "traj-outcomes.h"
#include "traj-rems.h"
#include "traj-report.h"

static gboolean
check_pdf_name (TrajCli *cli, const char *output)
{
  g_autofree char *lower = NULL;

  if (output == NULL)
    {
      traj_cli_fail (cli, _("--output FILE.pdf is required"));
      return FALSE;
    }
  lower = g_ascii_strdown (output, -1);
  if (!g_str_has_suffix (lower, ".pdf"))
    {
      traj_cli_fail (cli, _("a report is a PDF: name the file .pdf (not “%s”)"), output);
      return FALSE;
    }
  return TRUE;
}

static gboolean
report_options (TrajCli *cli, TrajReportOptions *options, const char *paper, const char *clinic)
{
  traj_report_options_init (options);
  if (paper && !traj_paper_size_from_string (paper, &options->paper))
    {
      traj_cli_fail (cli, _("unknown paper size “%s” (use a4 or letter)"), paper);
      return FALSE;
    }
  options->clinic_name = clinic;
  options->prepared_by = g_getenv ("TRAJECTORY_CLINICIAN");
  return TRUE;
}

int
traj_cli_report (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *mrn = NULL, *output = NULL, *paper = NULL, *clinic = NULL;
  GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("The patient’s MRN"), N_("MRN") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The PDF file to write"), N_("FILE") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper, N_("Paper size: a4 (default) or letter"), N_("SIZE") },
    { "clinic", 0, 0, G_OPTION_ARG_STRING, &clinic, N_("The clinic’s name, on top of the first page"), N_("NAME") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) patient = NULL;
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajOutcomes) outcomes = NULL;
  TrajThresholds thresholds;
  TrajReportOptions options;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (mrn == NULL)
    return traj_cli_fail (cli, _("--patient MRN is required")) + 1;
  if (!check_pdf_name (cli, output) || !report_options (cli, &options, paper, clinic))
    return 2;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  patient = traj_store_find_patient_by_mrn (store, mrn, &error);
  if (patient == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  if (!traj_store_record_read (store, patient->id, "report", &error))
    return traj_cli_fail (cli, "%s", error->message);
  records = traj_store_load_patient_records (store, patient->id, &error);
  if (records == NULL)
    return traj_cli_fail (cli, "%s", error->message);

  traj_thresholds_init_defaults (&thresholds);
  traj_cli_load_thresholds (store, &thresholds);
  outcomes = traj_outcomes_compute (records, &thresholds, traj_time_now ());
  if (!traj_report_patient_write_pdf (records, outcomes, &options, output, &error))
    return traj_cli_fail (cli, "%s", error->message);
  {
    const char *who[] = { patient->uid, NULL };

    return traj_cli_audit_output (cli, store, "report", "progress report (PDF)", who, output) ? 0 : 1;
  }
}

/* The cohort command's filters, read by the same core parser
 * (traj_cohort_filter_parse) under the same option names. */
static const struct {
  const char *option;
  const char *key;
  const char *help;
} filter_options[] = {
  { "indication", "indication", N_("Only these indications") },
  { "route", "route", N_("Only these routes (iv, im, intranasal, oral)") },
  { "medicine", "medicine", N_("Only ketamine or esketamine") },
  { "sex", "sex", N_("Only these sexes") },
  { "age-band", "age_band", N_("Only these age bands at course start (under-25, 25-34, 35-44, 45-54, 55-64, 65-plus)") },
  { "protocol", "protocol", N_("Only this protocol label") },
  { "clinician", "clinician", N_("Only courses whose first infusion this clinician gave") },
};

int
traj_cli_cohort_report (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *group_by = NULL, *scale_name = NULL, *as_of_text = NULL, *load = NULL;
  g_autofree char *output = NULL, *paper = NULL, *clinic = NULL, *from = NULL, *to = NULL;
  char **values[G_N_ELEMENTS (filter_options)] = { NULL };
  GOptionEntry entries[G_N_ELEMENTS (filter_options) + 11] = {
    { "group-by", 0, 0, G_OPTION_ARG_STRING, &group_by, N_("One cohort per value of FIELD: indication, indication_detail, route, medicine, sex, age_band, protocol, "
                                                                    "clinician, start_year, benzodiazepine_at_start, lamotrigine_at_start or substance_use"), N_("FIELD") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Courses starting on or after DATE"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Courses starting on or before DATE"), N_("DATE") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale_name, N_("Outcome scale (default: each course’s primary scale)"), N_("SCALE") },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text, N_("Ignore what was recorded after DATE"), N_("DATE") },
    { "load", 0, 0, G_OPTION_ARG_STRING, &load, N_("Use the saved cohort definition NAME"), N_("NAME") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The PDF file to write"), N_("FILE") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper, N_("Paper size: a4 (default) or letter"), N_("SIZE") },
    { "clinic", 0, 0, G_OPTION_ARG_STRING, &clinic, N_("The clinic’s name, on top of the page"), N_("NAME") },
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortDefinition) def = NULL;
  g_autoptr(TrajCohortReport) report = NULL;
  TrajThresholds thresholds;
  TrajReportOptions options;
  gint64 as_of = TRAJ_TIME_NONE;
  gboolean defining;
  int status = 0;

  for (guint k = 0; k < G_N_ELEMENTS (filter_options); k++)
    {
      GOptionEntry *e = &entries[9 + k];
      e->long_name = filter_options[k].option;
      e->arg = G_OPTION_ARG_STRING_ARRAY;
      e->arg_data = &values[k];
      e->description = filter_options[k].help;
      e->arg_description = N_("LIST");
    }

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    status = 2;
  defining = group_by || scale_name || from || to;
  for (guint k = 0; k < G_N_ELEMENTS (filter_options); k++)
    defining = defining || values[k];
  if (status == 0 && argc > 1)
    status = traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  else if (status == 0 && load && defining)
    status = traj_cli_fail (cli, _("--load takes the whole definition; drop the other cohort options")) + 1;
  else if (status == 0 && (!check_pdf_name (cli, output) || !report_options (cli, &options, paper, clinic)))
    status = 2;
  else if (status == 0 && as_of_text)
    {
      gint32 day = traj_day_from_iso (as_of_text);
      if (day == TRAJ_DAY_NONE)
        status = traj_cli_fail (cli, _("--as-of “%s” is not a date (YYYY-MM-DD)"), as_of_text) + 1;
      else
        as_of = traj_time_from_day (day + 1, 0, 0) - 1;   /* the end of that day */
    }

  if (status == 0 && !load)
    {
      def = traj_cohort_definition_new ();
      if (group_by && !traj_cohort_field_from_string (group_by, &def->group_by))
        status = traj_cli_fail (cli, _("unknown field “%s” (use indication, route, medicine, sex, age_band, "
                                       "protocol, clinician or start_year)"), group_by) + 1;
      else if (scale_name && (traj_scale_lookup (scale_name) == NULL ||
                              !traj_scale_is_outcome (traj_scale_lookup (scale_name)->id)))
        {
          g_autofree char *codes = traj_scale_outcome_codes ();
          status = traj_cli_fail (cli, _("unknown scale “%s” (use one of: %s)"), scale_name, codes) + 1;
        }
      for (guint k = 0; status == 0 && k < G_N_ELEMENTS (filter_options); k++)
        for (guint v = 0; status == 0 && values[k] && values[k][v]; v++)
          if (!traj_cohort_filter_parse (&def->filter, filter_options[k].key, values[k][v], &error))
            status = traj_cli_fail (cli, "%s", error->message) + 1;
      if (status == 0 && from && !traj_cohort_filter_parse (&def->filter, "from", from, &error))
        status = traj_cli_fail (cli, "%s", error->message) + 1;
      if (status == 0 && to && !traj_cohort_filter_parse (&def->filter, "to", to, &error))
        status = traj_cli_fail (cli, "%s", error->message) + 1;
      if (status == 0 && scale_name)
        def->scale = traj_scale_lookup (scale_name)->id;
      if (status == 0 && !traj_cohort_definition_validate (def, &error))
        status = traj_cli_fail (cli, "%s", error->message) + 1;
    }
  for (guint k = 0; k < G_N_ELEMENTS (filter_options); k++)
    g_strfreev (values[k]);
  if (status != 0)
    return status;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  if (load && (def = traj_cohort_definition_load (store, load, &error)) == NULL)
    return traj_cli_fail (cli, "%s", error->message);

  traj_thresholds_init_defaults (&thresholds);
  traj_cli_load_thresholds (store, &thresholds);
  report = traj_cohort_compute (store, def, &thresholds, as_of, NULL, &error);
  if (report == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  if (!traj_report_cohort_write_pdf (report, &options, output, &error))
    return traj_cli_fail (cli, "%s", error->message);
  {
    g_auto(GStrv) who = traj_audit_cohort_patients (report);

    return traj_cli_audit_output (cli, store, "report", "cohort report (PDF)", (const char * const *) who,
                                  output) ? 0 : 1;
  }
}

/* The esketamine monitoring record of one session (CLINICAL.md §8): the
 * clinic's name and address from its settings, what is missing printed. */
int
traj_cli_rems (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *uid = NULL, *output = NULL, *paper = NULL;
  GOptionEntry entries[] = {
    { "infusion", 0, 0, G_OPTION_ARG_STRING, &uid, N_("The session’s id (uid)"), N_("UID") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The PDF file to write"), N_("FILE") },
    { "paper", 0, 0, G_OPTION_ARG_STRING, &paper, N_("Paper size: a4 (default) or letter"), N_("SIZE") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajInfusion) session = NULL;
  g_autoptr(TrajPatient) patient = NULL;
  g_autoptr(TrajRemsRecord) record = NULL;
  g_autofree char *clinic = NULL, *address = NULL, *check = NULL;
  TrajReportOptions options;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (uid == NULL)
    return traj_cli_fail (cli, _("--infusion UID is required")) + 1;
  if (!check_pdf_name (cli, output) || !report_options (cli, &options, paper, NULL))
    return 2;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  session = traj_store_find_infusion_by_uid (store, uid, &error);
  if (session == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  if (!traj_rems_applies (session))
    return traj_cli_fail (cli, _("The monitoring record is only for intranasal esketamine sessions; "
                                 "session “%s” is not one."), uid);
  patient = traj_store_get_patient (store, session->patient_id, &error);
  if (patient == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  if (!traj_store_record_read (store, patient->id, "report", &error))
    return traj_cli_fail (cli, "%s", error->message);
  clinic = traj_store_get_setting (store, "clinic-name", NULL);
  address = traj_store_get_setting (store, "clinic-address", NULL);
  options.clinic_name = clinic;
  if (!traj_report_rems_write_pdf (patient, session, &options, address, output, &error))
    return traj_cli_fail (cli, "%s", error->message);
  record = traj_rems_record_new (patient, session, clinic, address);
  check = traj_rems_record_check_text (record);
  g_print ("%s\n", check);
  {
    const char *who[] = { patient->uid, NULL };

    return traj_cli_audit_output (cli, store, "report", "esketamine monitoring record (PDF)", who, output) ? 0 : 1;
  }
}
