/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bulk writes at 1,000, 10,000 and 50,000 patients: demo generation and a
 * validated CSV import of the whole clinic, each in a child process of its
 * own so that its peak memory (VmHWM) and CPU seconds are its alone.
 * Linear means the 50k figure is within 1.2× of 5 × the 10k one; CPU
 * seconds are the stable measure when other work shares the machine.
 *
 * The 50,000-patient clinic takes minutes to make: it is made once, in the
 * bench cache beside the 10,000 one (bench-common.c), and its generation
 * figures are kept next to it (with the date and load of that run). The
 * 1,000 and 10,000 clinics are generated afresh on every run. The exported
 * CSV of each clinic is cached too; every import is timed afresh.
 *
 * Usage: bench-bulk [SIZES]          e.g. bench-bulk 1000,10000
 *        bench-bulk --gen N FILE     (child: generate, print figures)
 *        bench-bulk --import DIR FILE (child: import, print figures) */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "traj-csv.h"
#include "traj-demo.h"

typedef struct {
  double wall;      /* s */
  double cpu;       /* s */
  gint64 hwm;       /* kB */
  guint64 rows;
  char *load;       /* at the end of the run */
  char *when;       /* for a cached figure */
} Figures;

static void
figures_clear (Figures *f)
{
  g_free (f->load);
  g_free (f->when);
  memset (f, 0, sizeof *f);
}

static void
print_child (double wall, guint64 rows)
{
  g_autofree char *load = bench_load ();

  printf ("RESULT %.3f %.3f %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %s\n",
          wall, bench_cpu_s (), bench_hwm_kb (), rows, load);
}

static int
child_generate (guint n, const char *file)
{
  g_autoptr(GError) error = NULL;
  TrajStore *store;
  TrajDemoCounts counts;
  gint64 t0 = g_get_monotonic_time ();

  store = traj_store_open (file, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  if (!traj_demo_generate (store, BENCH_SEED, n, traj_day_from_ymd (2026, 11, 1), &counts, NULL, NULL, NULL,
                           &error))
    g_error ("%s", error->message);
  /* Closing folds the WAL into the file: part of the write. */
  g_object_unref (store);
  print_child ((g_get_monotonic_time () - t0) / 1e6,
               (guint64) counts.patients + counts.courses + counts.infusions + counts.vital_signs +
               counts.assessments + counts.items);
  return 0;
}

static int
child_import (const char *dir, const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  TrajStore *store;
  gint64 t0;

  store = traj_store_open (file, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  t0 = g_get_monotonic_time ();
  if (!traj_csv_import (store, dir, report, NULL, NULL, NULL, &error))
    g_error ("import: %s", error->message);
  g_object_unref (store);
  print_child ((g_get_monotonic_time () - t0) / 1e6, traj_csv_report_total_rows (report));
  return 0;
}

/* Runs this program as a child and reads its RESULT line. */
static gboolean
run_child (const char *self, const char *mode, const char *arg, const char *file, Figures *out)
{
  g_autofree char *stdout_text = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { self, mode, arg, file, NULL };
  int status = 0;
  const char *line;
  g_auto(GStrv) parts = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "bench-bulk %s %s: %s\n", mode, arg, error->message);
      return FALSE;
    }
  line = strstr (stdout_text, "RESULT ");
  if (line == NULL)
    return FALSE;
  parts = g_strsplit (g_strstrip ((char *) line + 7), " ", 5);
  if (g_strv_length (parts) < 5)
    return FALSE;
  out->wall = g_ascii_strtod (parts[0], NULL);
  out->cpu = g_ascii_strtod (parts[1], NULL);
  out->hwm = g_ascii_strtoll (parts[2], NULL, 10);
  out->rows = g_ascii_strtoull (parts[3], NULL, 10);
  out->load = g_strdup (parts[4]);
  return TRUE;
}

static char *
cache_dir (void)
{
  const char *cache = g_getenv ("TRAJ_BENCH_CACHE");
  return cache ? g_strdup (cache) : g_build_filename (g_get_user_cache_dir (), "trajectory-bench", NULL);
}

/* The cached clinic's file name: the same as bench_clinic_path ()'s. */
static char *
clinic_file (guint n)
{
  g_autofree char *dir = cache_dir ();
  g_autofree char *name = g_strdup_printf ("clinic-r%d-s%d-%u-%u.db", TRAJ_DEMO_REVISION, TRAJ_SCHEMA_VERSION,
                                           BENCH_SEED, n);
  return g_build_filename (dir, name, NULL);
}

static void
unlink_db (const char *file)
{
  g_autofree char *wal = g_strconcat (file, "-wal", NULL);
  g_autofree char *shm = g_strconcat (file, "-shm", NULL);

  g_unlink (file);
  g_unlink (wal);
  g_unlink (shm);
}

static void
save_figures (const char *path, const Figures *f)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%dT%H:%MZ");
  g_autofree char *text = g_strdup_printf ("%.3f %.3f %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %s %s\n",
                                           f->wall, f->cpu, f->hwm, f->rows, when, f->load);
  g_file_set_contents (path, text, -1, NULL);
}

static gboolean
load_figures (const char *path, Figures *f)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  parts = g_strsplit (g_strstrip (text), " ", 6);
  if (g_strv_length (parts) < 6)
    return FALSE;
  f->wall = g_ascii_strtod (parts[0], NULL);
  f->cpu = g_ascii_strtod (parts[1], NULL);
  f->hwm = g_ascii_strtoll (parts[2], NULL, 10);
  f->rows = g_ascii_strtoull (parts[3], NULL, 10);
  f->when = g_strdup (parts[4]);
  f->load = g_strdup (parts[5]);
  return TRUE;
}

/* Generation figures for @n patients, and the cached clinic made. */
static gboolean
generation (const char *self, guint n, const char *scratch, Figures *f)
{
  g_autofree char *file = clinic_file (n);
  g_autofree char *fig_path = g_strconcat (file, ".gen", NULL);
  g_autofree char *dir = cache_dir ();
  g_autofree char *count = g_strdup_printf ("%u", n);
  gboolean cached = g_file_test (file, G_FILE_TEST_EXISTS);

  if (n > BENCH_PATIENTS && cached && load_figures (fig_path, f))
    return TRUE;
  unlink_db (scratch);
  if (!run_child (self, "--gen", count, scratch, f))
    return FALSE;
  if (!cached)
    {
      g_mkdir_with_parents (dir, 0700);
      if (g_rename (scratch, file) != 0)
        return FALSE;
      save_figures (fig_path, f);
    }
  else if (n > BENCH_PATIENTS)
    save_figures (fig_path, f);
  unlink_db (scratch);
  return TRUE;
}

static void
row (const char *what, const Figures *f, const char *extra)
{
  printf ("| %-34s | %8.2f | %8.2f | %7.0f | %9.0f | %9.0f | %-16s | %s\n", what, f->wall, f->cpu, f->hwm / 1024.0,
          f->rows / f->wall, f->rows / f->cpu, f->load, extra ? extra : "");
}

int
main (int argc, char **argv)
{
  g_autofree char *sizes_text = NULL;
  g_auto(GStrv) sizes = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GError) error = NULL;
  Figures gen[8] = { 0 }, imp[8] = { 0 };
  guint n[8] = { 0 }, count = 0;
  gboolean have_gen[8] = { 0 }, have_imp[8] = { 0 };

  if (argc == 4 && g_str_equal (argv[1], "--gen"))
    return child_generate ((guint) g_ascii_strtoull (argv[2], NULL, 10), argv[3]);
  if (argc == 4 && g_str_equal (argv[1], "--import"))
    return child_import (argv[2], argv[3]);

  setvbuf (stdout, NULL, _IOLBF, 0);
  sizes_text = g_strdup (argc > 1 ? argv[1] : g_getenv ("TRAJ_BENCH_BULK_SIZES") ? g_getenv ("TRAJ_BENCH_BULK_SIZES")
                                                                                 : "1000,10000,50000");
  sizes = g_strsplit (sizes_text, ",", 8);
  tmp = g_dir_make_tmp ("bench-bulk-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint k = 0; sizes[k] && count < G_N_ELEMENTS (n); k++)
    {
      g_autofree char *scratch = g_build_filename (tmp, "gen.db", NULL);
      g_autofree char *dest = g_build_filename (tmp, "import.db", NULL);
      g_autofree char *csv = NULL;
      guint i = count++;

      n[i] = (guint) g_ascii_strtoull (sizes[k], NULL, 10);
      printf ("… %u patients: generating\n", n[i]);
      have_gen[i] = generation (argv[0], n[i], scratch, &gen[i]);
      csv = have_gen[i] ? bench_clinic_csv (n[i]) : NULL;
      if (csv == NULL)
        continue;
      printf ("… %u patients: importing\n", n[i]);
      unlink_db (dest);
      have_imp[i] = run_child (argv[0], "--import", csv, dest, &imp[i]);
      unlink_db (dest);
    }

  printf ("\nBulk writes (each its own process; rows/s by wall and by CPU second; peak = VmHWM)\n");
  printf ("| %-34s | %8s | %8s | %7s | %9s | %9s | %-16s |\n", "what", "wall s", "CPU s", "peak MB", "rows/s",
          "rows/CPU-s", "load 1/5/15 min");
  for (guint i = 0; i < count; i++)
    if (have_gen[i])
      {
        g_autofree char *what = g_strdup_printf ("demo generation, %u patients", n[i]);
        g_autofree char *when = gen[i].when ? g_strdup_printf ("(cached run of %s)", gen[i].when) : NULL;
        row (what, &gen[i], when);
      }
  for (guint i = 0; i < count; i++)
    if (have_imp[i])
      {
        g_autofree char *what = g_strdup_printf ("CSV import, %u patients", n[i]);
        row (what, &imp[i], n[i] >= 50000 ? "target ≥ 100,000 rows/s, peak ≤ 100 MB" : "peak ≤ 100 MB");
      }
  /* Linearity: the largest size against the 10,000 one, scaled. */
  for (guint i = 0; i < count; i++)
    for (guint j = 0; j < count; j++)
      if (n[j] == BENCH_PATIENTS && n[i] > n[j])
        {
          double scale = (double) n[i] / n[j];
          if (have_gen[i] && have_gen[j])
            printf ("  generation %u vs %.0f × %u: wall %.2f×, CPU %.2f× (target ≤ 1.2×)\n", n[i], scale, n[j],
                    gen[i].wall / (scale * gen[j].wall), gen[i].cpu / (scale * gen[j].cpu));
          if (have_imp[i] && have_imp[j])
            printf ("  import %u vs %.0f × %u: wall %.2f×, CPU %.2f× (target ≤ 1.2×)\n", n[i], scale, n[j],
                    imp[i].wall / (scale * imp[j].wall), imp[i].cpu / (scale * imp[j].cpu));
        }

  for (guint i = 0; i < count; i++)
    {
      figures_clear (&gen[i]);
      figures_clear (&imp[i]);
    }
  g_rmdir (tmp);
  return 0;
}
