/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "traj-audit-output.h"
#include "traj-cli.h"
#include "traj-cohort.h"

typedef struct {
  char **indication, **route, **medicine, **sex, **age_band, **protocol, **clinician;
  char *from, *to;
} FilterOptions;

static void
filter_options_clear (FilterOptions *o)
{
  g_strfreev (o->indication);
  g_strfreev (o->route);
  g_strfreev (o->medicine);
  g_strfreev (o->sex);
  g_strfreev (o->age_band);
  g_strfreev (o->protocol);
  g_strfreev (o->clinician);
  g_free (o->from);
  g_free (o->to);
}

static gboolean
filter_options_any (const FilterOptions *o)
{
  return o->indication || o->route || o->medicine || o->sex || o->age_band || o->protocol ||
         o->clinician || o->from || o->to;
}

static gboolean
apply_list (TrajCohortFilter *f, const char *key, char **values, GError **error)
{
  for (guint k = 0; values && values[k]; k++)
    if (!traj_cohort_filter_parse (f, key, values[k], error))
      return FALSE;
  return TRUE;
}

static gboolean
apply_filters (TrajCohortFilter *f, const FilterOptions *o, GError **error)
{
  return apply_list (f, "indication", o->indication, error) &&
         apply_list (f, "route", o->route, error) &&
         apply_list (f, "medicine", o->medicine, error) &&
         apply_list (f, "sex", o->sex, error) &&
         apply_list (f, "age_band", o->age_band, error) &&
         apply_list (f, "protocol", o->protocol, error) &&
         apply_list (f, "clinician", o->clinician, error) &&
         (o->from == NULL || traj_cohort_filter_parse (f, "from", o->from, error)) &&
         (o->to == NULL || traj_cohort_filter_parse (f, "to", o->to, error));
}

/* "label=IV;route=iv;age_band=under-25,25-34" */
static gboolean
add_cohort_spec (TrajCohortDefinition *def, const char *spec, GError **error)
{
  g_auto(GStrv) pairs = g_strsplit (spec, ";", -1);
  const char *label = NULL;
  TrajCohortFilter *f;

  for (guint k = 0; pairs[k]; k++)
    {
      g_strstrip (pairs[k]);
      if (g_str_has_prefix (pairs[k], "label="))
        label = pairs[k] + strlen ("label=");
    }
  f = traj_cohort_definition_add (def, label);
  for (guint k = 0; pairs[k]; k++)
    {
      char *item = pairs[k];
      char *eq = strchr (item, '=');

      if (*item == '\0' || g_str_has_prefix (item, "label="))
        continue;
      if (eq == NULL)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                       _("“%s” is not KEY=VALUE."), item);
          return FALSE;
        }
      *eq = '\0';
      if (!traj_cohort_filter_parse (f, item, eq + 1, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- the side-by-side text view ------------------------------------------ */

static char *
rate_text (const TrajCohortRate *r, const char *excluded_what)
{
  g_autofree char *base = traj_cohort_rate_format (r);

  if (r->excluded == 0 || excluded_what == NULL)
    return g_steal_pointer (&base);
  return g_strdup_printf ("%s (+%u %s)", base, r->excluded, excluded_what);
}

static char *
booster_text (const TrajKm *km)
{
  g_autofree char *lo = NULL, *hi = NULL;

  if (km == NULL || km->n == 0)
    return g_strdup (_("no data"));
  if (isnan (km->median))
    /* Translators: Kaplan–Meier median not reached: "not reached, 2 boosters in 30 courses" */
    return g_strdup_printf (_("not reached, %u boosters in %u courses"), km->n_events, km->n);
  lo = isnan (km->median_lower) ? g_strdup (_("NR")) : g_strdup_printf ("%.0f", km->median_lower);
  hi = isnan (km->median_upper) ? g_strdup (_("NR")) : g_strdup_printf ("%.0f", km->median_upper);
  /* Translators: "69 days (19–NR), 2 boosters in 3 courses"; NR = not reached */
  return g_strdup_printf (_("%.0f days (%s–%s), %u boosters in %u courses"),
                          km->median, lo, hi, km->n_events, km->n);
}

static char *
monitoring_text (const TrajCohortRate *r)
{
  if (r->n == 0)
    return g_strdup (_("no data"));
  /* Translators: monitoring events per 100 infusions with 95 % interval */
  return g_strdup_printf (_("%.1f per 100 (%.1f–%.1f), %u in %u infusions"),
                          100.0 * r->rate, 100.0 * r->lower, 100.0 * r->upper, r->events, r->n);
}

static char *
scale_text (const TrajCohort *h)
{
  const TrajScale *s = traj_scale_get (h->scale);

  if (s == NULL)
    return g_strdup (_("no data"));
  if (!h->mixed_scales)
    return g_strdup (_(s->name));
  return g_strdup_printf (_("%s (%u of %u courses)"), _(s->name), h->n_scale_courses, h->n_courses);
}

static char *
median_text (const TrajCohort *h)
{
  if (h->n_responders == 0)
    return g_strdup (_("no data"));
  return g_strdup_printf (_("%g (n = %u)"), h->median_infusions_to_response, h->n_responders);
}

typedef char *(*CellFunc) (const TrajCohort *h, guint arg);

static char *cell_courses (const TrajCohort *h, guint arg) { return g_strdup_printf ("%u", h->n_courses); }
static char *cell_patients (const TrajCohort *h, guint arg) { return g_strdup_printf ("%u", h->n_patients); }
static char *cell_scale (const TrajCohort *h, guint arg) { return scale_text (h); }
static char *cell_baseline (const TrajCohort *h, guint arg) { return traj_cohort_mean_format (&h->baseline, 1); }
static char *cell_change (const TrajCohort *h, guint arg) { return traj_cohort_mean_format (&h->change_eoi, 1); }
static char *cell_response (const TrajCohort *h, guint tp) { return rate_text (&h->response[tp], _("without a score")); }
static char *cell_remission (const TrajCohort *h, guint tp) { return rate_text (&h->remission[tp], _("without a score")); }
static char *cell_median (const TrajCohort *h, guint arg) { return median_text (h); }
static char *cell_completion (const TrajCohort *h, guint arg) { return rate_text (&h->completion, _("not yet known")); }
static char *cell_booster (const TrajCohort *h, guint arg) { return booster_text (h->booster); }
static char *cell_monitoring (const TrajCohort *h, guint arg) { return monitoring_text (&h->monitoring); }
static char *cell_safety (const TrajCohort *h, guint arg) { return rate_text (&h->safety, NULL); }

static char *
metrics_text (const TrajCohortReport *report)
{
  static const struct {
    const char *label;
    CellFunc cell;
    guint arg;
  } rows[] = {
    { N_("Courses"), cell_courses, 0 },
    { N_("Patients"), cell_patients, 0 },
    { N_("Scores on"), cell_scale, 0 },
    { N_("Baseline mean (SD), 95 % CI"), cell_baseline, 0 },
    { N_("Change at end of induction"), cell_change, 0 },
    { N_("Response, end of induction"), cell_response, TRAJ_COHORT_AT_EOI },
    { N_("Response, 4 weeks after"), cell_response, TRAJ_COHORT_AT_WEEK_4 },
    { N_("Response, 8 weeks after"), cell_response, TRAJ_COHORT_AT_WEEK_8 },
    { N_("Response, 12 weeks after"), cell_response, TRAJ_COHORT_AT_WEEK_12 },
    { N_("Remission, end of induction"), cell_remission, TRAJ_COHORT_AT_EOI },
    { N_("Remission, 4 weeks after"), cell_remission, TRAJ_COHORT_AT_WEEK_4 },
    { N_("Remission, 8 weeks after"), cell_remission, TRAJ_COHORT_AT_WEEK_8 },
    { N_("Remission, 12 weeks after"), cell_remission, TRAJ_COHORT_AT_WEEK_12 },
    { N_("Median infusions to first response"), cell_median, 0 },
    { N_("Completed induction"), cell_completion, 0 },
    { N_("Median days to first booster (95 % CI)"), cell_booster, 0 },
    { N_("Monitoring events per 100 infusions"), cell_monitoring, 0 },
    { N_("Any safety finding"), cell_safety, 0 },
  };
  g_autoptr(TrajTable) t = traj_table_new ();
  GString *out = g_string_new (NULL);
  g_autofree char *table = NULL;

  traj_table_add_column (t, _("Cohort"), TRAJ_COLUMN_STRING);
  for (guint c = 0; c < report->cohorts->len; c++)
    traj_table_add_column (t, ((const TrajCohort *) g_ptr_array_index (report->cohorts, c))->label,
                           TRAJ_COLUMN_STRING);
  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      traj_table_add_row (t);
      traj_table_set (t, 0, _(rows[r].label));
      for (guint c = 0; c < report->cohorts->len; c++)
        {
          g_autofree char *v = rows[r].cell (g_ptr_array_index (report->cohorts, c), rows[r].arg);
          traj_table_set (t, c + 1, v);
        }
    }
  table = traj_table_to_string (t, TRAJ_FORMAT_TEXT);
  g_string_append (out, table);

  for (guint c = 0; c < report->cohorts->len; c++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, c);
      g_auto(GStrv) notes = traj_cohort_notes (h);
      for (guint k = 0; notes[k]; k++)
        g_string_append_printf (out, "%s: %s.\n", h->label, notes[k]);
    }
  return g_string_free (out, FALSE);
}

static char *
describe (const TrajCohortReport *report)
{
  const TrajCohortDefinition *def = report->definition;
  g_autofree char *as_of = traj_day_to_iso (report->as_of != TRAJ_TIME_NONE
                                            ? traj_day_from_time (report->as_of) : traj_day_today ());
  const TrajScale *s = traj_scale_get (def->scale);
  g_autofree char *what = NULL;

  if (def->group_by != TRAJ_COHORT_FIELD_NONE)
    what = g_strdup_printf (_("Cohorts by %s"), traj_cohort_field_label (def->group_by));
  else
    what = g_strdup (_("Cohorts"));
  /* Translators: "Cohorts by Indication, as of 2026-03-01; outcome: each course’s primary scale" */
  return g_strdup_printf (_("%s, as of %s; outcome: %s. Rates with Wilson 95 %% intervals; "
                            "“no data” where nothing could be measured.\n\n"),
                          what, as_of, s ? _(s->name) : _("each course’s primary scale"));
}

/* ---- saved definitions ------------------------------------------------------ */

/* A cohort's figures written to a file are an output of its patients'
 * data: audited (to the terminal they are not a copy that leaves). */
static int
write_audited (TrajCli *cli, TrajStore *store, const TrajCohortReport *report, const char *output,
               const char *text)
{
  g_auto(GStrv) who = NULL;

  if (!traj_cli_write (cli, output, text))
    return 1;
  if (output == NULL)
    return 0;
  who = traj_audit_cohort_patients (report);
  return traj_cli_audit_output (cli, store, "export", "cohort table", (const char * const *) who, output) ? 0 : 1;
}

static int
list_saved (TrajCli *cli, TrajStore *store, TrajFormat format, const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = traj_store_list_cohorts (store, &error);
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autofree char *out = NULL;

  if (list == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  traj_table_add_column (t, "name", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "updated", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "definition", TRAJ_COLUMN_STRING);
  for (guint k = 0; k < list->len; k++)
    {
      const TrajSavedCohort *c = g_ptr_array_index (list, k);
      g_autofree char *at = traj_time_to_iso (c->updated_at);
      traj_table_add_row (t);
      traj_table_set (t, 0, c->name);
      traj_table_set (t, 1, at);
      traj_table_set (t, 2, c->definition);
    }
  out = traj_table_to_string (t, format);
  return traj_cli_write (cli, output, out) ? 0 : 1;
}

int
traj_cli_cohort (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *group_by = NULL, *scale_name = NULL, *as_of_text = NULL, *table_name = NULL;
  g_autofree char *format_name = NULL, *output = NULL, *save = NULL, *load = NULL, *delete_name = NULL;
  g_auto(GStrv) specs = NULL;
  gboolean replace = FALSE, list = FALSE;
  FilterOptions fo = { 0 };
  GOptionEntry entries[] = {
    { "group-by", 0, 0, G_OPTION_ARG_STRING, &group_by, N_("One cohort per value of FIELD: indication, indication_detail, route, medicine, sex, age_band, protocol, "
                                                                    "clinician, start_year, benzodiazepine_at_start, lamotrigine_at_start or substance_use"), N_("FIELD") },
    { "cohort", 0, 0, G_OPTION_ARG_STRING_ARRAY, &specs, N_("A cohort of its own, up to 4, e.g. 'label=IV;route=iv;age_band=25-34'"), N_("SPEC") },
    { "indication", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.indication, N_("Only these indications"), N_("LIST") },
    { "route", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.route, N_("Only these routes (iv, im, intranasal, oral)"), N_("LIST") },
    { "medicine", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.medicine, N_("Only ketamine or esketamine"), N_("LIST") },
    { "sex", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.sex, N_("Only these sexes"), N_("LIST") },
    { "age-band", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.age_band,
      N_("Only these age bands at course start (under-25, 25-34, 35-44, 45-54, 55-64, 65-plus)"), N_("LIST") },
    { "protocol", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.protocol, N_("Only this protocol label"), N_("TEXT") },
    { "clinician", 0, 0, G_OPTION_ARG_STRING_ARRAY, &fo.clinician, N_("Only courses whose first infusion this clinician gave"), N_("NAME") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &fo.from, N_("Courses starting on or after DATE"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &fo.to, N_("Courses starting on or before DATE"), N_("DATE") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale_name, N_("Outcome scale (default: each course’s primary scale)"), N_("SCALE") },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text, N_("Ignore what was recorded after DATE"), N_("DATE") },
    { "table", 0, 0, G_OPTION_ARG_STRING, &table_name, N_("metrics (default; one row per cohort), courses (one row per course, to re-check), chart, km (time to first booster) or tolerability (mean CADSS and share sedated per infusion number)"), N_("TABLE") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("Output format: text, csv or json"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of the terminal"), N_("FILE") },
    { "save", 0, 0, G_OPTION_ARG_STRING, &save, N_("Save this definition under NAME"), N_("NAME") },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, N_("With --save: replace a definition of that name"), NULL },
    { "load", 0, 0, G_OPTION_ARG_STRING, &load, N_("Use the saved definition NAME"), N_("NAME") },
    { "list-saved", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the saved definitions"), NULL },
    { "delete-saved", 0, 0, G_OPTION_ARG_STRING, &delete_name, N_("Delete the saved definition NAME"), N_("NAME") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortDefinition) def = NULL;
  g_autoptr(TrajCohortReport) report = NULL;
  g_autoptr(TrajTable) table = NULL;
  g_autofree char *out = NULL;
  TrajThresholds thresholds;
  TrajFormat format;
  gint64 as_of = TRAJ_TIME_NONE;
  gboolean defining;
  int status;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    {
      filter_options_clear (&fo);
      return 2;
    }
  defining = group_by || specs || scale_name || filter_options_any (&fo);
  status = 0;
  if (argc > 1)
    status = traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  else if (!traj_cli_format (format_name, &format))
    status = traj_cli_fail (cli, _("unknown format “%s” (use text, csv or json)"), format_name) + 1;
  else if (load && (defining || save))
    status = traj_cli_fail (cli, _("--load takes the whole definition; drop the other cohort options")) + 1;
  else if (table_name && !g_strv_contains ((const char * const[]) { "metrics", "courses", "chart", "km", "tolerability", NULL }, table_name))
    status = traj_cli_fail (cli, _("unknown table “%s” (use metrics, courses, chart, km or tolerability)"), table_name) + 1;
  else if (as_of_text)
    {
      gint32 day = traj_day_from_iso (as_of_text);
      if (day == TRAJ_DAY_NONE)
        status = traj_cli_fail (cli, _("--as-of “%s” is not a date (YYYY-MM-DD)"), as_of_text) + 1;
      else
        as_of = traj_time_from_day (day + 1, 0, 0) - 1;   /* the end of that day */
    }
  if (status != 0)
    {
      filter_options_clear (&fo);
      return status;
    }

  /* The definition: loaded, or from the options. */
  if (!load)
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
      else if (!apply_filters (&def->filter, &fo, &error))
        status = traj_cli_fail (cli, "%s", error->message) + 1;
      for (guint k = 0; status == 0 && specs && specs[k]; k++)
        if (!add_cohort_spec (def, specs[k], &error))
          status = traj_cli_fail (cli, "--cohort: %s", error->message) + 1;
      if (status == 0 && scale_name)
        def->scale = traj_scale_lookup (scale_name)->id;
      if (status == 0 && !traj_cohort_definition_validate (def, &error))
        status = traj_cli_fail (cli, "%s", error->message) + 1;
    }
  filter_options_clear (&fo);
  if (status != 0)
    return status;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;

  if (list)
    return list_saved (cli, store, format, output);
  if (delete_name)
    {
      g_autoptr(TrajSavedCohort) saved = traj_store_find_cohort (store, delete_name, &error);
      if (saved == NULL || !traj_store_delete_cohort (store, saved->id, &error))
        return traj_cli_fail (cli, "%s", error->message);
      g_printerr (_("Deleted the cohort definition “%s”.\n"), saved->name);
      return 0;
    }
  if (load && (def = traj_cohort_definition_load (store, load, &error)) == NULL)
    return traj_cli_fail (cli, "%s", error->message);
  if (save)
    {
      if (!traj_cohort_definition_save (store, save, def, replace, &error))
        return traj_cli_fail (cli, "%s", error->message);
      g_printerr (_("Saved the cohort definition “%s”.\n"), save);
    }

  traj_thresholds_init_defaults (&thresholds);
  traj_cli_load_thresholds (store, &thresholds);
  report = traj_cohort_compute (store, def, &thresholds, as_of, NULL, &error);
  if (report == NULL)
    return traj_cli_fail (cli, "%s", error->message);

  if (table_name == NULL || g_str_equal (table_name, "metrics"))
    {
      if (format == TRAJ_FORMAT_TEXT)
        {
          g_autofree char *head = describe (report);
          g_autofree char *body = metrics_text (report);
          out = g_strconcat (head, body, NULL);
          return write_audited (cli, store, report, output, out);
        }
      table = traj_cohort_report_metrics_table (report);
    }
  else if (g_str_equal (table_name, "courses"))
    table = traj_cohort_report_courses_table (report);
  else if (g_str_equal (table_name, "chart"))
    table = traj_cohort_report_chart_table (report);
  else if (g_str_equal (table_name, "tolerability"))
    table = traj_cohort_report_tolerability_table (report);
  else
    table = traj_cohort_report_km_table (report);
  out = traj_table_to_string (table, format);
  return write_audited (cli, store, report, output, out);
}
