/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-stats"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "traj-stats.h"

/* ---- special functions ---------------------------------------------------- */

/* ln Γ(x) by Lanczos' approximation (g = 7, 9 terms; ~15 significant digits).
 * Our own rather than lgamma(), which writes the global signgam and so is not
 * safe in the worker threads cohorts run in. */
static double
log_gamma (double x)
{
  static const double c[9] = {
    0.99999999999980993, 676.5203681218851, -1259.1392167224028,
    771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  };
  double a, t;

  if (x < 0.5)
    return log (G_PI / fabs (sin (G_PI * x))) - log_gamma (1.0 - x);
  x -= 1.0;
  a = c[0];
  for (int k = 1; k < 9; k++)
    a += c[k] / (x + k);
  t = x + 7.5;
  return 0.5 * log (2.0 * G_PI) + (x + 0.5) * log (t) - t + log (a);
}

/* Continued fraction for the incomplete beta function (modified Lentz). */
static double
beta_fraction (double a, double b, double x)
{
  const double tiny = 1e-300;
  double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap, h;

  if (fabs (d) < tiny)
    d = tiny;
  d = 1.0 / d;
  h = d;
  for (int m = 1; m <= 500; m++)
    {
      double m2 = 2.0 * m, aa, del;

      aa = m * (b - m) * x / ((qam + m2) * (a + m2));
      d = 1.0 + aa * d;
      if (fabs (d) < tiny)
        d = tiny;
      c = 1.0 + aa / c;
      if (fabs (c) < tiny)
        c = tiny;
      d = 1.0 / d;
      h *= d * c;

      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
      d = 1.0 + aa * d;
      if (fabs (d) < tiny)
        d = tiny;
      c = 1.0 + aa / c;
      if (fabs (c) < tiny)
        c = tiny;
      d = 1.0 / d;
      del = d * c;
      h *= del;
      if (fabs (del - 1.0) < 1e-16)
        break;
    }
  return h;
}

/* Regularised incomplete beta I_x(a, b). */
static double
incomplete_beta (double a, double b, double x)
{
  double front;

  if (x <= 0.0)
    return 0.0;
  if (x >= 1.0)
    return 1.0;
  front = exp (log_gamma (a + b) - log_gamma (a) - log_gamma (b) + a * log (x) + b * log1p (-x));
  if (x < (a + 1.0) / (a + b + 2.0))
    return front * beta_fraction (a, b, x) / a;
  return 1.0 - front * beta_fraction (b, a, 1.0 - x) / b;
}

/* P(T > t) for t ≥ 0. */
static double
t_upper_tail (double t, double df)
{
  return 0.5 * incomplete_beta (df / 2.0, 0.5, df / (df + t * t));
}

/* ---- Wilson ---------------------------------------------------------------- */

gboolean
traj_stats_wilson (guint   events,
                   guint   n,
                   double  z,
                   double *lower,
                   double *upper)
{
  double p, z2, denom, centre, half;

  g_return_val_if_fail (events <= n, FALSE);

  if (n == 0)
    {
      if (lower)
        *lower = NAN;
      if (upper)
        *upper = NAN;
      return FALSE;
    }
  p = (double) events / n;
  z2 = z * z;
  denom = 1.0 + z2 / n;
  centre = (p + z2 / (2.0 * n)) / denom;
  half = z * sqrt (p * (1.0 - p) / n + z2 / (4.0 * (double) n * n)) / denom;
  /* Exact at the edges: 0 of n cannot have a lower bound above 0. */
  if (lower)
    *lower = events == 0 ? 0.0 : MAX (0.0, centre - half);
  if (upper)
    *upper = events == n ? 1.0 : MIN (1.0, centre + half);
  return TRUE;
}

/* ---- Student's t ----------------------------------------------------------- */

double
traj_stats_t_cdf (double t,
                  double df)
{
  double tail;

  if (isnan (t) || !(df > 0.0))
    return NAN;
  if (isinf (t))
    return t > 0 ? 1.0 : 0.0;
  tail = t_upper_tail (fabs (t), df);
  return t >= 0 ? 1.0 - tail : tail;
}

double
traj_stats_t_quantile (double p,
                       double df)
{
  double target, lo = 0.0, hi = 1.0;

  if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
    return NAN;
  if (p == 0.5)
    return 0.0;
  if (p < 0.5)
    return -traj_stats_t_quantile (1.0 - p, df);

  /* Solve P(T > t) = 1 − p on the tail itself, which keeps full precision
   * where the CDF is close to 1. */
  target = 1.0 - p;
  while (t_upper_tail (hi, df) > target)
    {
      lo = hi;
      hi *= 2.0;
      if (hi > 1e300)
        return INFINITY;
    }
  /* Newton's steps on the tail (its slope is minus the density), kept
   * inside the bracket [lo, hi] and halving it when a step would leave it:
   * about six evaluations of the tail instead of fifty halvings. */
  {
    double log_norm = log_gamma ((df + 1.0) / 2.0) - log_gamma (df / 2.0) - 0.5 * log (df * G_PI);
    double x = 0.5 * (lo + hi);

    for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; k++)
      {
        double tail = t_upper_tail (x, df);
        double density = exp (log_norm - (df + 1.0) / 2.0 * log1p (x * x / df));
        double next;

        if (tail > target)
          lo = x;
        else
          hi = x;
        next = density > 0.0 ? x + (tail - target) / density : NAN;
        if (!(next > lo && next < hi))
          next = 0.5 * (lo + hi);
        if (fabs (next - x) <= 1e-15 * x)
          return next;
        x = next;
      }
    return x;
  }
}

/* The 97.5 % point for df = 1, 2, …, each solved once for the program's
 * life and kept (a cohort's chart asks for it at every point of every
 * group, thousands of times for a few hundred different df). The value is
 * traj_stats_t_quantile's own, so results are identical. */
static double
t_975 (guint df)
{
  static GMutex lock;
  static GArray *known;      /* double; NAN until solved; index df */
  double q;

  if (df > 1000000)
    return traj_stats_t_quantile (0.975, df);
  g_mutex_lock (&lock);
  if (known == NULL)
    known = g_array_new (FALSE, FALSE, sizeof (double));
  if (df >= known->len)
    {
      guint old = known->len;
      g_array_set_size (known, df + 1);
      for (guint k = old; k <= df; k++)
        g_array_index (known, double, k) = NAN;
    }
  q = g_array_index (known, double, df);
  g_mutex_unlock (&lock);
  if (!isnan (q))
    return q;
  q = traj_stats_t_quantile (0.975, df);
  g_mutex_lock (&lock);
  g_array_index (known, double, df) = q;
  g_mutex_unlock (&lock);
  return q;
}

/* ---- means ------------------------------------------------------------------ */

void
traj_stats_acc_add (TrajStatsAcc *acc,
                    double        x)
{
  double delta;

  g_return_if_fail (acc != NULL);

  acc->n++;
  delta = x - acc->mean;
  acc->mean += delta / acc->n;
  acc->m2 += delta * (x - acc->mean);
}

void
traj_stats_acc_result (const TrajStatsAcc *acc,
                       TrajMeanCI         *out)
{
  double half;

  g_return_if_fail (acc != NULL);
  g_return_if_fail (out != NULL);

  out->n = acc->n;
  out->mean = acc->n > 0 ? acc->mean : NAN;
  out->sd = out->lower = out->upper = NAN;
  if (acc->n < 2)
    return;
  out->sd = sqrt (MAX (acc->m2, 0.0) / (acc->n - 1));
  half = t_975 (acc->n - 1) * out->sd / sqrt ((double) acc->n);
  out->lower = out->mean - half;
  out->upper = out->mean + half;
}

void
traj_stats_mean_ci (const double *x,
                    guint         n,
                    TrajMeanCI   *out)
{
  TrajStatsAcc acc = { 0 };

  g_return_if_fail (n == 0 || x != NULL);

  for (guint k = 0; k < n; k++)
    traj_stats_acc_add (&acc, x[k]);
  traj_stats_acc_result (&acc, out);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
traj_stats_median (double *x,
                   guint   n)
{
  if (n == 0)
    return NAN;
  qsort (x, n, sizeof *x, compare_doubles);
  if (n % 2 == 1)
    return x[n / 2];
  return 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/* ---- Kaplan–Meier ------------------------------------------------------------ */

typedef struct {
  double time;
  gboolean event;
} KmObs;

static int
compare_obs (const void *a, const void *b)
{
  const KmObs *x = a, *y = b;

  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  /* events first at a tie */
  return (y->event != 0) - (x->event != 0);
}

/* Where a horizontal line at one half meets the curve stored at @offset in
 * each step, as R's survfit reads it (CLINICAL.md §7): the first time the
 * curve is below one half; where it is exactly one half over an interval,
 * the midpoint of that interval (to the next time it moves, or to the last
 * observation when it never moves again). A small tolerance so 1 − 1/2 or
 * ¾ · ⅔ count as exactly one half. */
static double
km_half (const TrajKm *km, gsize offset)
{
  const double tol = 1e-9;

  for (guint k = 0; k < km->n_steps; k++)
    {
      double v = G_STRUCT_MEMBER (double, &km->steps[k], offset);

      if (km->steps[k].n_event == 0 || v > 0.5 + tol)
        continue;
      if (v < 0.5 - tol)
        return km->steps[k].time;
      for (guint j = k + 1; j < km->n_steps; j++)
        if (fabs (G_STRUCT_MEMBER (double, &km->steps[j], offset) - v) > tol)
          return (km->steps[k].time + km->steps[j].time) / 2;
      return (km->steps[k].time + km->steps[km->n_steps - 1].time) / 2;
    }
  return NAN;
}

TrajKm *
traj_stats_kaplan_meier (const double   *time,
                         const gboolean *event,
                         guint           n)
{
  TrajKm *km = g_new0 (TrajKm, 1);
  g_autofree KmObs *obs = g_new (KmObs, MAX (n, 1));
  GArray *steps = g_array_new (FALSE, FALSE, sizeof (TrajKmStep));
  double s = 1.0, greenwood = 0.0;
  guint at_risk = n;

  km->n = n;
  km->median = km->median_lower = km->median_upper = NAN;
  for (guint k = 0; k < n; k++)
    {
      obs[k].time = time[k];
      obs[k].event = event[k];
      km->n_events += event[k] ? 1 : 0;
    }
  qsort (obs, n, sizeof *obs, compare_obs);

  for (guint k = 0; k < n;)
    {
      TrajKmStep step = { 0 };
      guint j = k;

      step.time = obs[k].time;
      step.n_risk = at_risk;
      for (; j < n && obs[j].time == step.time; j++)
        {
          if (obs[j].event)
            step.n_event++;
          else
            step.n_censor++;
        }
      if (step.n_event > 0)
        {
          s *= 1.0 - (double) step.n_event / at_risk;
          if (at_risk > step.n_event)
            greenwood += (double) step.n_event / ((double) at_risk * (at_risk - step.n_event));
        }
      step.survival = s;
      if (s <= 0.0 || s >= 1.0)
        step.lower = step.upper = s;
      else
        {
          double sigma = sqrt (greenwood) / fabs (log (s));
          step.lower = pow (s, exp (TRAJ_STATS_Z95 * sigma));
          step.upper = pow (s, exp (-TRAJ_STATS_Z95 * sigma));
        }
      g_array_append_val (steps, step);
      at_risk -= step.n_event + step.n_censor;
      k = j;
    }

  km->n_steps = steps->len;
  km->steps = (TrajKmStep *) (void *) g_array_free (steps, FALSE);
  km->median = km_half (km, G_STRUCT_OFFSET (TrajKmStep, survival));
  km->median_lower = km_half (km, G_STRUCT_OFFSET (TrajKmStep, lower));
  km->median_upper = km_half (km, G_STRUCT_OFFSET (TrajKmStep, upper));
  return km;
}

void
traj_km_free (TrajKm *km)
{
  if (km == NULL)
    return;
  g_free (km->steps);
  g_free (km);
}

double
traj_km_survival_at (const TrajKm *km,
                     double        t)
{
  double s = 1.0;

  g_return_val_if_fail (km != NULL, NAN);

  for (guint k = 0; k < km->n_steps && km->steps[k].time <= t; k++)
    s = km->steps[k].survival;
  return s;
}
