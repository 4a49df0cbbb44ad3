/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "traj-cli.h"
#include "traj-outcomes.h"

enum {
  C_MRN, C_PATIENT_UID, C_COURSE_UID, C_COURSE_START, C_COURSE_STATUS, C_SCALE, C_PRIMARY,
  C_N_ASSESSMENTS, C_BASELINE, C_BASELINE_AT, C_NO_BASELINE, C_LATEST, C_LATEST_AT,
  C_CHANGE, C_CHANGE_PCT, C_NADIR, C_NADIR_AT, C_RESPONSE_THRESHOLD, C_RESPONSE, C_RESPONSE_AT,
  C_RESPONSE_HELD, C_REMISSION_MAX, C_REMISSION, C_REMISSION_AT, C_N_INFUSIONS, C_INDUCTION_LENGTH,
  C_INDUCTION_END, C_OPEN_FINDINGS, C_FINDINGS, N_COLUMNS
};

static const struct {
  const char *name;
  TrajColumnType type;
} columns[N_COLUMNS] = {
  { "mrn", TRAJ_COLUMN_STRING },
  { "patient_uid", TRAJ_COLUMN_STRING },
  { "course_uid", TRAJ_COLUMN_STRING },
  { "course_start", TRAJ_COLUMN_STRING },
  { "course_status", TRAJ_COLUMN_STRING },
  { "scale", TRAJ_COLUMN_STRING },
  { "primary", TRAJ_COLUMN_BOOL },
  { "n_assessments", TRAJ_COLUMN_INT },
  { "baseline", TRAJ_COLUMN_INT },
  { "baseline_at", TRAJ_COLUMN_STRING },
  { "no_baseline_reason", TRAJ_COLUMN_STRING },
  { "latest", TRAJ_COLUMN_INT },
  { "latest_at", TRAJ_COLUMN_STRING },
  { "change_points", TRAJ_COLUMN_INT },
  { "change_percent", TRAJ_COLUMN_NUMBER },
  { "nadir", TRAJ_COLUMN_INT },
  { "nadir_at", TRAJ_COLUMN_STRING },
  { "response_threshold", TRAJ_COLUMN_NUMBER },
  { "response_reached", TRAJ_COLUMN_BOOL },
  { "response_at", TRAJ_COLUMN_STRING },
  { "response_held", TRAJ_COLUMN_BOOL },
  { "remission_max", TRAJ_COLUMN_INT },
  { "remission_reached", TRAJ_COLUMN_BOOL },
  { "remission_at", TRAJ_COLUMN_STRING },
  { "n_infusions", TRAJ_COLUMN_INT },
  { "induction_length", TRAJ_COLUMN_INT },
  { "induction_end", TRAJ_COLUMN_STRING },
  { "open_findings", TRAJ_COLUMN_INT },
  { "findings", TRAJ_COLUMN_STRING },
};

typedef struct {
  TrajTable *table;
  TrajThresholds thresholds;
  gint64 now;
} Ctx;

static void
set_time (TrajTable *t, guint col, gint64 at)
{
  g_autofree char *iso = at != TRAJ_TIME_NONE ? traj_time_to_iso (at) : NULL;
  traj_table_set (t, col, iso);
}

static gboolean
add_patient (TrajPatientRecords *r, gpointer user_data)
{
  Ctx *ctx = user_data;
  g_autoptr(TrajOutcomes) o = traj_outcomes_compute (r, &ctx->thresholds, ctx->now);
  TrajTable *t = ctx->table;

  for (guint k = 0; k < o->outcomes->len; k++)
    {
      const TrajOutcome *oc = g_ptr_array_index (o->outcomes, k);
      const TrajCourse *c = traj_patient_records_find_course (r, oc->course_id);
      g_autofree char *start = c ? traj_day_to_iso (c->start_day) : NULL;
      g_autofree char *ind_end = traj_day_to_iso (oc->induction_end_day);
      GString *findings = g_string_new (NULL);
      int n_open = 0;

      for (guint f = 0; f < o->findings->len; f++)
        {
          const TrajFinding *fi = g_ptr_array_index (o->findings, f);
          /* Patient-wide findings (safety) belong to every row of the patient;
           * course findings to their course's primary-scale row. */
          if (!fi->open)
            continue;
          if (fi->course_id != 0 && (fi->course_id != oc->course_id || !oc->is_primary))
            continue;
          if (findings->len)
            g_string_append (findings, " | ");
          g_string_append_printf (findings, "%s: %s", traj_finding_kind_to_string (fi->kind), fi->sentence);
          n_open++;
        }

      traj_table_add_row (t);
      traj_table_set (t, C_MRN, r->patient->mrn);
      traj_table_set (t, C_PATIENT_UID, r->patient->uid);
      traj_table_set (t, C_COURSE_UID, c ? c->uid : NULL);
      traj_table_set (t, C_COURSE_START, start);
      traj_table_set (t, C_COURSE_STATUS, c ? traj_course_status_to_string (c->status) : NULL);
      traj_table_set (t, C_SCALE, traj_scale_code (oc->scale));
      traj_table_set_bool (t, C_PRIMARY, oc->is_primary);
      traj_table_set_int (t, C_N_ASSESSMENTS, oc->n_assessments);
      if (oc->has_baseline)
        {
          traj_table_set_int (t, C_BASELINE, oc->baseline);
          set_time (t, C_BASELINE_AT, oc->baseline_at);
        }
      traj_table_set (t, C_NO_BASELINE, oc->no_baseline_reason);
      if (oc->has_latest)
        {
          traj_table_set_int (t, C_LATEST, oc->latest);
          set_time (t, C_LATEST_AT, oc->latest_at);
        }
      if (oc->has_change)
        {
          traj_table_set_int (t, C_CHANGE, oc->change_points);
          if (!isnan (oc->change_percent))
            traj_table_set_number (t, C_CHANGE_PCT, oc->change_percent, 1);
        }
      if (oc->has_nadir)
        {
          traj_table_set_int (t, C_NADIR, oc->nadir);
          set_time (t, C_NADIR_AT, oc->nadir_at);
        }
      if (oc->response_computable)
        {
          traj_table_set_number (t, C_RESPONSE_THRESHOLD, oc->response_threshold, 1);
          traj_table_set_bool (t, C_RESPONSE, oc->response_reached);
          if (oc->response_reached)
            set_time (t, C_RESPONSE_AT, oc->response_at);
          traj_table_set_bool (t, C_RESPONSE_HELD, oc->response_held);
        }
      traj_table_set_int (t, C_REMISSION_MAX, oc->remission_max);
      if (oc->remission_computable)
        {
          traj_table_set_bool (t, C_REMISSION, oc->remission_reached);
          if (oc->remission_reached)
            set_time (t, C_REMISSION_AT, oc->remission_at);
        }
      traj_table_set_int (t, C_N_INFUSIONS, oc->n_infusions);
      traj_table_set_int (t, C_INDUCTION_LENGTH, oc->induction_length);
      traj_table_set (t, C_INDUCTION_END, ind_end);
      traj_table_set_int (t, C_OPEN_FINDINGS, n_open);
      traj_table_set (t, C_FINDINGS, findings->str);
      g_string_free (findings, TRUE);
    }
  return TRUE;
}

int
traj_cli_outcomes (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *format_name = NULL, *mrn = NULL, *out = NULL;
  GOptionEntry entries[] = {
    { "patient", 0, 0, G_OPTION_ARG_STRING, &mrn, N_("Only this patient"), N_("MRN") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("Output format: text, csv or json"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajTable) table = traj_table_new ();
  TrajFormat format;
  Ctx ctx = { table };

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (!traj_cli_format (format_name, &format))
    return traj_cli_fail (cli, _("unknown format “%s” (use text, csv or json)"), format_name) + 1;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;

  for (guint k = 0; k < N_COLUMNS; k++)
    traj_table_add_column (table, columns[k].name, columns[k].type);
  traj_thresholds_init_defaults (&ctx.thresholds);
  traj_cli_load_thresholds (store, &ctx.thresholds);
  ctx.now = traj_time_now ();

  if (mrn)
    {
      g_autoptr(TrajPatient) p = traj_store_find_patient_by_mrn (store, mrn, &error);
      g_autoptr(TrajPatientRecords) r = NULL;

      if (p == NULL || !traj_store_record_read (store, p->id, "outcomes", &error) ||
          (r = traj_store_load_patient_records (store, p->id, &error)) == NULL)
        return traj_cli_fail (cli, "%s", error->message);
      add_patient (r, &ctx);
    }
  else if (!traj_store_record_read (store, 0, "outcomes", &error) ||
           !traj_store_foreach_patient_records (store, add_patient, &ctx, NULL, &error))
    return traj_cli_fail (cli, "%s", error->message);

  out = traj_table_to_string (table, format);
  return traj_cli_write (cli, NULL, out) ? 0 : 1;
}
