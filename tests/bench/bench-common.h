/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_SEED 424242u
#define BENCH_PATIENTS 10000u

/* Path of the cached demo clinic of @n patients (made once per seed and size,
 * in $TRAJ_BENCH_CACHE or the build directory). When it had to be made,
 * *made_seconds gets the generation time and *rows the rows written. */
char   *bench_clinic_path   (guint n_patients, double *made_seconds, guint64 *rows);
/* The CSV export of the cached @n_patients clinic (made once, beside it). */
char   *bench_clinic_csv    (guint n_patients);
double  bench_median        (GArray *ms);
double  bench_percentile    (GArray *ms, double p);
/* Runs a shell command and returns its wall time in ms, or -1. */
double  bench_time_command  (const char *command);
/* Prints one line of the results table. */
void    bench_report        (const char *what, GArray *ms, const char *floor_label, double floor_ms,
                             const char *target);
gint64  bench_rss_kb        (void);
/* Peak resident memory of this process so far (VmHWM), kB. */
gint64  bench_hwm_kb        (void);
/* User + system CPU time of every thread of this process, s. */
double  bench_cpu_s         (void);
/* The machine's load averages (1, 5, 15 min) as /proc/loadavg says, e.g.
 * "1.92 5.49 9.57": printed beside every figure, since other work on the
 * machine shows in wall-clock times. */
char   *bench_load          (void);
/* Runs @argv (a program path first) in a process of its own and waits for
 * it: its wall time, user + system CPU time (ms) and peak resident memory
 * (kB, getrusage's: on Linux it keeps the spawning process's peak across
 * the exec, so a child should report its own VmHWM). FALSE when it could
 * not run or did not exit with 0. */
gboolean bench_run_process  (char *const *argv, double *wall_ms, double *cpu_ms, gint64 *hwm_kb);

G_END_DECLS
