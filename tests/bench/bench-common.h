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
double  bench_median        (GArray *ms);
double  bench_percentile    (GArray *ms, double p);
/* Runs a shell command and returns its wall time in ms, or -1. */
double  bench_time_command  (const char *command);
/* Prints one line of the results table. */
void    bench_report        (const char *what, GArray *ms, const char *floor_label, double floor_ms,
                             const char *target);
gint64  bench_rss_kb        (void);

G_END_DECLS
