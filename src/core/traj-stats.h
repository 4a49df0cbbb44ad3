/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The few statistics the cohort view reports, each small enough to check by
 * hand (tests/test-stats.c does). Nothing here knows about patients. */

/* Two-sided 95 % normal quantile, as used for every interval Trajectory shows. */
#define TRAJ_STATS_Z95 1.959964

/* Wilson score interval for @events successes out of @n: the interval of
 * choice for small samples and for rates near 0 or 1 (it never leaves
 * [0, 1]). FALSE, with both bounds NAN, when @n is 0. */
gboolean traj_stats_wilson       (guint   events,
                                  guint   n,
                                  double  z,
                                  double *lower,
                                  double *upper);

/* Student's t distribution with @df degrees of freedom (df > 0, need not be
 * whole): the CDF through the regularised incomplete beta function, and its
 * inverse found by bisection to full double precision. @p in (0, 1); NAN
 * outside. */
double   traj_stats_t_cdf        (double t,
                                  double df);
double   traj_stats_t_quantile   (double p,
                                  double df);

/* A mean with its sample SD and a 95 % t interval,
 * mean ± t(0.975, n − 1) · SD / √n. n = 0: everything NAN; n = 1: the mean
 * only (SD and interval NAN). */
typedef struct {
  guint n;
  double mean;
  double sd;
  double lower;
  double upper;
} TrajMeanCI;

/* Running mean and sum of squared deviations (Welford), so values can be
 * added one at a time without a numerically poor Σx² − (Σx)²/n. */
typedef struct {
  guint n;
  double mean;
  double m2;
} TrajStatsAcc;

void     traj_stats_acc_add      (TrajStatsAcc       *acc,
                                  double              x);
void     traj_stats_acc_result   (const TrajStatsAcc *acc,
                                  TrajMeanCI         *out);
void     traj_stats_mean_ci      (const double       *x,
                                  guint               n,
                                  TrajMeanCI         *out);

/* Median of @x (sorted in place): the middle value, or the mean of the two
 * middle values when @n is even; NAN when @n is 0. */
double   traj_stats_median       (double *x,
                                  guint   n);

/* Kaplan–Meier estimate of survival (here: "not yet had the event").
 * One step per distinct time at which something happened, in time order:
 * the number at risk just before it, events and censorings at it, and the
 * survival just after it with a 95 % log(−log) interval from Greenwood's
 * variance, S^exp(±z·σ), σ = √(Σ d/(n(n−d))) / |ln S| (bounds equal S where
 * S is 1 or 0). At a tie, events come before censorings (a course censored
 * on the day of an event was at risk for it). */
typedef struct {
  double time;
  guint n_risk;
  guint n_event;
  guint n_censor;
  double survival;
  double lower;
  double upper;
} TrajKmStep;

typedef struct {
  guint n;                   /* subjects */
  guint n_events;
  TrajKmStep *steps;
  guint n_steps;
  /* As R's survfit: the first time at which survival is < 0.5, or where it
   * is exactly 0.5 over an interval, the midpoint of that interval (to the
   * last observation when it stays there); NAN when it never falls that far
   * (the median is then "not reached", never guessed). */
  double median;
  /* Its 95 % interval read off the band the same way (as R's survfit does):
   * where the lower bound reaches 0.5, and where the upper bound does;
   * NAN when not reached (an open-ended interval). */
  double median_lower;
  double median_upper;
} TrajKm;

/* @time[k] ≥ 0; @event[k] TRUE for an event, FALSE for censored. */
TrajKm  *traj_stats_kaplan_meier (const double   *time,
                                  const gboolean *event,
                                  guint           n);
void     traj_km_free            (TrajKm *km);
/* S(t): the survival after the last step at or before @t (1 before the
 * first). */
double   traj_km_survival_at     (const TrajKm *km,
                                  double        t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajKm, traj_km_free)

G_END_DECLS
