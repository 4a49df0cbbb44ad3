/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

#include "bench-common.h"
#include "traj-csv.h"
#include "traj-demo.h"

char *
bench_clinic_path (guint n_patients, double *made_seconds, guint64 *rows)
{
  const char *cache = g_getenv ("TRAJ_BENCH_CACHE");
  g_autofree char *dir = cache ? g_strdup (cache) : g_build_filename (g_get_user_cache_dir (), "trajectory-bench", NULL);
  /* A clinic made by another revision of the generator (or for an older
   * schema) is not the one measured here. */
  g_autofree char *name = g_strdup_printf ("clinic-r%d-s%d-%u-%u.db", TRAJ_DEMO_REVISION, TRAJ_SCHEMA_VERSION,
                                           BENCH_SEED, n_patients);
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TrajDemoCounts counts;
  gint64 t0;

  if (made_seconds)
    *made_seconds = -1;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;

  g_mkdir_with_parents (dir, 0700);
  tmp = g_strconcat (path, ".partial", NULL);
  g_unlink (tmp);
  store = traj_store_open (tmp, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  t0 = g_get_monotonic_time ();
  /* A fixed anchor so the cached clinic is the same whatever the day. */
  if (!traj_demo_generate (store, BENCH_SEED, n_patients, traj_day_from_ymd (2026, 11, 1), &counts,
                           NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
  if (made_seconds)
    *made_seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (rows)
    *rows = (guint64) counts.patients + counts.courses + counts.infusions + counts.vital_signs +
            counts.assessments + counts.items;
  g_clear_object (&store);
  {
    /* Fold the WAL into the file before it is renamed into place. */
    g_autofree char *cmd = g_strdup_printf ("sqlite3 '%s' 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null 2>&1", tmp);
    if (system (cmd) != 0)
      g_warning ("sqlite3 checkpoint failed");
  }
  if (g_rename (tmp, path) != 0)
    g_error ("cannot move %s into place", tmp);
  {
    g_autofree char *wal = g_strconcat (tmp, "-wal", NULL);
    g_autofree char *shm = g_strconcat (tmp, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  return path;
}

char *
bench_clinic_csv (guint n_patients)
{
  const char *cache = g_getenv ("TRAJ_BENCH_CACHE");
  g_autofree char *dir = cache ? g_strdup (cache) : g_build_filename (g_get_user_cache_dir (), "trajectory-bench", NULL);
  g_autofree char *name = g_strdup_printf ("csv-r%d-s%d-%u-%u", TRAJ_DEMO_REVISION, TRAJ_SCHEMA_VERSION,
                                           BENCH_SEED, n_patients);
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *partial = g_strdup_printf ("%s.partial-%d", path, (int) getpid ());
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", partial);
  g_autofree char *db = bench_clinic_path (n_patients, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return path;
  if (system (rm) != 0)
    return NULL;
  store = traj_store_open (db, &error);
  if (store == NULL || !traj_csv_export (store, partial, NULL, NULL, NULL, NULL, &error))
    {
      fprintf (stderr, "bench: export of %s: %s\n", db, error->message);
      return NULL;
    }
  /* Another benchmark may have made it meanwhile: theirs is as good. */
  if (g_rename (partial, path) != 0 && !g_file_test (path, G_FILE_TEST_IS_DIR))
    return NULL;
  if (system (rm) != 0)
    fprintf (stderr, "bench: could not remove %s\n", partial);
  return path;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
bench_percentile (GArray *ms, double p)
{
  g_autoptr(GArray) sorted = g_array_copy (ms);
  guint idx;

  if (ms->len == 0)
    return -1;
  g_array_sort (sorted, cmp_double);
  idx = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, MIN (idx, sorted->len - 1));
}

double
bench_median (GArray *ms)
{
  return bench_percentile (ms, 0.5);
}

double
bench_time_command (const char *command)
{
  gint64 t0 = g_get_monotonic_time ();
  int status = system (command);

  if (status != 0)
    return -1;
  return (g_get_monotonic_time () - t0) / 1000.0;
}

void
bench_report (const char *what, GArray *ms, const char *floor_label, double floor_ms, const char *target)
{
  printf ("| %-44s | %9.2f | %9.2f | %-34s | %9.2f | %-22s |\n",
          what, bench_median (ms), bench_percentile (ms, 0.95),
          floor_label ? floor_label : "—", floor_ms, target ? target : "");
  fflush (stdout);
}

gint64
bench_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

gint64
bench_hwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

double
bench_cpu_s (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

char *
bench_load (void)
{
  g_autofree char *load = NULL;
  g_auto(GStrv) parts = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    return g_strdup ("?");
  parts = g_strsplit (g_strstrip (load), " ", 4);
  if (g_strv_length (parts) < 3)
    return g_strdup ("?");
  return g_strdup_printf ("%s %s %s", parts[0], parts[1], parts[2]);
}

gboolean
bench_run_process (char *const *argv, double *wall_ms, double *cpu_ms, gint64 *hwm_kb)
{
  struct rusage u;
  gint64 t0 = g_get_monotonic_time ();
  pid_t pid;
  int status = 0;

  if (posix_spawn (&pid, argv[0], NULL, NULL, argv, environ) != 0)
    return FALSE;
  if (wait4 (pid, &status, 0, &u) != pid)
    return FALSE;
  *wall_ms = (g_get_monotonic_time () - t0) / 1000.0;
  *cpu_ms = (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
  *hwm_kb = u.ru_maxrss;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}
