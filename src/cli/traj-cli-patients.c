/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-cli.h"
#include "traj-demo.h"
#include "traj-search.h"

int
traj_cli_demo (TrajCli *cli, int argc, char **argv)
{
  gint64 seed = TRAJ_DEMO_DEFAULT_SEED;
  int patients = TRAJ_DEMO_DEFAULT_PATIENTS;
  g_autofree char *anchor = NULL, *where = NULL;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (same seed, same clinic)"), "N" },
    { "patients", 0, 0, G_OPTION_ARG_INT, &patients, N_("Number of patients (default 80)"), "N" },
    { "anchor", 0, 0, G_OPTION_ARG_STRING, &anchor, N_("Day the demo ends on (default today)"), "YYYY-MM-DD" },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TrajDemoCounts counts;
  gint32 anchor_day = TRAJ_DAY_NONE;
  gint64 existing;

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (seed < 0 || seed > G_MAXUINT32)
    return traj_cli_fail (cli, _("--seed must be between 0 and %u"), G_MAXUINT32) + 1;
  if (patients < 1)
    return traj_cli_fail (cli, _("--patients must be at least 1")) + 1;
  if (anchor && (anchor_day = traj_day_from_iso (anchor)) == TRAJ_DAY_NONE)
    return traj_cli_fail (cli, _("--anchor “%s” is not a date (YYYY-MM-DD)"), anchor) + 1;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  existing = traj_store_count (store, TRAJ_KIND_PATIENT, &error);
  if (existing < 0)
    return traj_cli_fail (cli, "%s", error->message);
  if (existing > 0)
    return traj_cli_fail (cli, _("“%s” already holds %" G_GINT64_FORMAT " patients; the demo only fills an empty database."),
                          traj_store_get_path (store), existing);
  if (!traj_demo_generate (store, (guint32) seed, (guint) patients, anchor_day, &counts, NULL, NULL, NULL, &error))
    return traj_cli_fail (cli, "%s", error->message);
  where = g_strdup (traj_cli_store_path (cli, store));
  /* A new demo clinic appears under its name only now, whole. */
  if (!traj_cli_publish_created (cli, g_steal_pointer (&store)))
    return 1;

  g_print (_("Demo clinic written to %s: %u patients, %u courses, %u infusions, %u vital-sign readings, %u assessments.\n"),
           where, counts.patients, counts.courses, counts.infusions,
           counts.vital_signs, counts.assessments);
  return 0;
}

int
traj_cli_patients (TrajCli *cli, int argc, char **argv)
{
  g_autofree char *format_name = NULL, *search = NULL, *folded = NULL, *out = NULL;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("Output format: text, csv or json"), N_("FORMAT") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Only patients whose name or MRN contains TEXT"), N_("TEXT") },
    { NULL }
  };
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(TrajTable) table = traj_table_new ();
  TrajFormat format;
  gint64 only = 0;
  guint shown = 0;
  enum { C_MRN, C_NAME, C_BIRTH, C_SEX, C_INDICATION, C_STATUS, C_SCALE, C_LATEST, C_INFUSIONS, C_LAST_INFUSION, C_UID };

  if (!traj_cli_parse (cli, entries, &argc, &argv))
    return 2;
  if (argc > 1)
    return traj_cli_fail (cli, _("unexpected argument “%s”"), argv[1]) + 1;
  if (!traj_cli_format (format_name, &format))
    return traj_cli_fail (cli, _("unknown format “%s” (use text, csv or json)"), format_name) + 1;

  store = traj_cli_open_store (cli);
  if (store == NULL)
    return 1;
  list = traj_store_list_patients (store, &error);
  if (list == NULL)
    return traj_cli_fail (cli, "%s", error->message);

  traj_table_add_column (table, "mrn", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "name", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "birth_date", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "sex", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "indication", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "course_status", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "primary_scale", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "latest_score", TRAJ_COLUMN_INT);
  traj_table_add_column (table, "course_infusions", TRAJ_COLUMN_INT);
  traj_table_add_column (table, "last_infusion", TRAJ_COLUMN_STRING);
  traj_table_add_column (table, "uid", TRAJ_COLUMN_STRING);

  if (search)
    folded = traj_search_fold (search);
  for (guint k = 0; k < list->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (list, k);
      g_autofree char *birth = traj_day_to_iso (s->birth_day);

      if (folded && *folded && !traj_search_matches (s->search_key, folded))
        continue;
      only = s->id;
      shown++;
      traj_table_add_row (table);
      traj_table_set (table, C_MRN, s->mrn);
      traj_table_set (table, C_NAME, s->name);
      traj_table_set (table, C_BIRTH, birth);
      traj_table_set (table, C_SEX, traj_sex_to_string (s->sex));
      traj_table_set (table, C_INDICATION, traj_indication_to_string (s->indication));
      traj_table_set (table, C_STATUS, s->has_course ? traj_course_status_to_string (s->course_status) : "none");
      traj_table_set (table, C_SCALE, traj_scale_code (s->primary_scale));
      if (s->latest_score >= 0)
        traj_table_set_int (table, C_LATEST, s->latest_score);
      traj_table_set_int (table, C_INFUSIONS, s->infusion_count);
      if (s->last_infusion_at != TRAJ_TIME_NONE)
        {
          g_autofree char *iso = traj_time_to_iso (s->last_infusion_at);
          traj_table_set (table, C_LAST_INFUSION, iso);
        }
      traj_table_set (table, C_UID, s->uid);
    }

  /* Names, birth dates and MRNs: a read of the patient shown, or of the
   * clinic (the server's access log, as an export's). */
  if (!traj_store_record_read (store, shown == 1 ? only : 0, "patient list", &error))
    return traj_cli_fail (cli, "%s", error->message);
  out = traj_table_to_string (table, format);
  return traj_cli_write (cli, NULL, out) ? 0 : 1;
}
