/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A clinician's saves while a big import writes (issue 16: no interactive
 * save waits more than 250 ms).
 *
 * The CSV export of the cached 10,000-patient clinic (836,270 rows) is
 * imported into a clinic file of one patient, while another process (the
 * "saver", as the app would be) saves that patient's notes every 200 ms
 * through the store, as an editor does. Printed: the import's wall time,
 * how many saves ran during it, their median, 99th percentile and longest
 * time, how many waited past 250 ms and how many failed, and the load.
 *
 * Usage: bench-import-save [PATIENTS]   (default 10000)
 *        bench-import-save --saver FILE (child: saves until stdin closes) */
#include "config.h"

#include <glib/gstdio.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"
#include "traj-csv.h"

#define SAVE_EVERY_MS 200
#define TARGET_MS 250.0

/* The child: one save every SAVE_EVERY_MS until its stdin closes, then
 * "SAVES <failed> <ms> <ms> …" on stdout. */
static int
saver (const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open_existing (file, &error);
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(GString) out = g_string_new ("SAVES");
  guint failed = 0, n = 0;
  struct pollfd fd = { .fd = 0, .events = POLLIN };

  if (store == NULL)
    g_error ("saver: %s", error->message);
  traj_store_set_clinician (store, "bench saver");
  p = traj_store_get_patient (store, 1, &error);
  if (p == NULL)
    g_error ("saver: %s", error->message);
  /* Ready: the parent starts the import now. */
  printf ("READY\n");
  fflush (stdout);
  for (;;)
    {
      char c;
      gint64 t0;
      int rc = poll (&fd, 1, SAVE_EVERY_MS);

      if (rc > 0 && read (0, &c, 1) <= 0)
        break;
      g_free (p->notes);
      p->notes = g_strdup_printf ("Save %u during the import.", ++n);
      t0 = g_get_monotonic_time ();
      if (!traj_store_update_patient (store, p, &error))
        {
          failed++;
          g_clear_error (&error);
        }
      g_string_append_printf (out, " %.1f", (g_get_monotonic_time () - t0) / 1000.0);
    }
  printf ("%s FAILED %u\n", out->str, failed);
  return 0;
}

static TrajStore *
small_clinic (const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  TrajStore *store = traj_store_open (file, &error);

  if (store == NULL)
    g_error ("%s", error->message);
  p->mrn = g_strdup ("SAVER-1");
  p->name = g_strdup ("Saver Patient");
  p->birth_day = traj_day_from_ymd (1980, 3, 4);
  if (!traj_store_insert_patient (store, p, &error))
    g_error ("%s", error->message);
  return store;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(TrajStore) store = NULL;
  g_autofree char *tmp = NULL, *file = NULL, *csv = NULL, *load0 = NULL, *load1 = NULL, *rm = NULL;
  g_autofree char *line = NULL;
  const char *child_argv[4] = { argv[0], "--saver", NULL, NULL };
  guint n_patients = BENCH_PATIENTS, over = 0, failed = 0;
  GPid pid;
  int in_fd, out_fd;
  FILE *out;
  size_t cap = 0;
  gint64 t0;
  double wall;
  char **parts;

  if (argc == 3 && g_str_equal (argv[1], "--saver"))
    return saver (argv[2]);
  if (argc > 1)
    n_patients = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  setvbuf (stdout, NULL, _IOLBF, 0);

  printf ("… %u patients: the clinic and its CSV export (cached)\n", n_patients);
  csv = bench_clinic_csv (n_patients);
  if (csv == NULL)
    return 1;
  tmp = g_dir_make_tmp ("bench-import-save-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (tmp, "clinic.db", NULL);
  store = small_clinic (file);

  child_argv[2] = file;
  if (!g_spawn_async_with_pipes (NULL, (char **) child_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                 &in_fd, &out_fd, NULL, &error))
    g_error ("%s", error->message);
  out = fdopen (out_fd, "r");
  if (getline (&line, &cap, out) < 0 || !g_str_has_prefix (line, "READY"))
    g_error ("the saver did not start");

  printf ("… importing while another process saves every %d ms\n", SAVE_EVERY_MS);
  load0 = bench_load ();
  t0 = g_get_monotonic_time ();
  if (!traj_csv_import (store, csv, report, NULL, NULL, NULL, &error))
    g_error ("import: %s", error->message);
  wall = (g_get_monotonic_time () - t0) / 1e6;
  load1 = bench_load ();
  close (in_fd);
  if (getline (&line, &cap, out) < 0 || !g_str_has_prefix (line, "SAVES"))
    g_error ("no figures from the saver");
  fclose (out);
  g_spawn_close_pid (pid);

  parts = g_strsplit (g_strstrip (line), " ", -1);
  for (guint k = 1; parts[k]; k++)
    {
      double v;

      if (g_str_equal (parts[k], "FAILED"))
        {
          failed = parts[k + 1] ? (guint) g_ascii_strtoull (parts[k + 1], NULL, 10) : 0;
          break;
        }
      v = g_ascii_strtod (parts[k], NULL);
      g_array_append_val (ms, v);
      if (v > TARGET_MS)
        over++;
    }
  g_strfreev (parts);

  printf ("\nA clinician's save during a CSV import (%u patients, %" G_GUINT64_FORMAT " rows, %.1f s; "
          "load %s at the start, %s at the end)\n",
          n_patients, (guint64) traj_csv_report_total_rows (report), wall, load0, load1);
  printf ("| %-6s | %9s | %9s | %9s | %9s | %-7s | %-22s |\n", "saves", "median ms", "p99 ms", "max ms",
          "> 250 ms", "failed", "target");
  printf ("| %-6u | %9.1f | %9.1f | %9.1f | %9u | %-7u | %-22s |\n", ms->len, bench_median (ms),
          bench_percentile (ms, 0.99), bench_percentile (ms, 1.0), over, failed, "max ≤ 250 ms, 0 failed");

  g_clear_object (&store);
  rm = g_strdup_printf ("rm -rf '%s'", tmp);
  if (system (rm) != 0)
    fprintf (stderr, "could not remove %s\n", tmp);
  return 0;
}
