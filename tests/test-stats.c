/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cohort statistics against values worked out by hand (the working is
 * in the comments) and, where a reference exists, the value R prints:
 * prop.test(x, n, correct = FALSE)$conf.int for Wilson, qt() for t,
 * survfit(..., conf.type = "log-log") for Kaplan–Meier. */

#include "config.h"

#include <math.h>

#include "traj-stats.h"

#define assert_near(a, b, eps) g_assert_cmpfloat_with_epsilon ((a), (b), (eps))

static void
test_wilson (void)
{
  double lo, hi;

  /* 7/10: p = .7, z² = 3.841459, centre = (.7 + z²/20)/(1 + z²/10) = .644489,
   * half = z·√(.021 + z²/400)/(1 + z²/10) = .247715 → R: 0.3967781 0.8922087 */
  g_assert_true (traj_stats_wilson (7, 10, TRAJ_STATS_Z95, &lo, &hi));
  assert_near (lo, 0.3967781, 1e-7);
  assert_near (hi, 0.8922087, 1e-7);

  /* 0/10: lower exactly 0, upper z²/(n + z²) = 3.841459/13.841459 */
  g_assert_true (traj_stats_wilson (0, 10, TRAJ_STATS_Z95, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.0);
  assert_near (hi, 0.2775328, 1e-7);

  /* 10/10: the mirror image */
  g_assert_true (traj_stats_wilson (10, 10, TRAJ_STATS_Z95, &lo, &hi));
  assert_near (lo, 0.7224672, 1e-7);
  g_assert_cmpfloat (hi, ==, 1.0);

  /* 52/100 → R: 0.4231658 0.6153545; 3/8 → 0.1368443 0.6942576 */
  traj_stats_wilson (52, 100, TRAJ_STATS_Z95, &lo, &hi);
  assert_near (lo, 0.4231658, 1e-7);
  assert_near (hi, 0.6153545, 1e-7);
  traj_stats_wilson (3, 8, TRAJ_STATS_Z95, &lo, &hi);
  assert_near (lo, 0.1368443, 1e-7);
  assert_near (hi, 0.6942576, 1e-7);

  /* No courses: no interval, not [0, 0]. */
  g_assert_false (traj_stats_wilson (0, 0, TRAJ_STATS_Z95, &lo, &hi));
  g_assert_true (isnan (lo) && isnan (hi));
}

static void
test_t (void)
{
  /* qt(0.975, df) */
  static const struct { double df, q; } table[] = {
    { 1, 12.706204736 }, { 2, 4.302652730 }, { 3, 3.182446305 }, { 4, 2.776445105 },
    { 5, 2.570581836 }, { 7, 2.364624252 }, { 9, 2.262157163 }, { 10, 2.228138852 },
    { 29, 2.045229642 }, { 30, 2.042272456 }, { 100, 1.983971519 }, { 1000, 1.962339081 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (table); k++)
    assert_near (traj_stats_t_quantile (0.975, table[k].df), table[k].q, 1e-8);

  /* symmetry, the centre, and the CDF: pt(1, 1) = 3/4 (Cauchy),
   * pt(2, 5) = 0.9490303, qt(0.95, 12) = 1.782288 */
  assert_near (traj_stats_t_quantile (0.025, 7), -2.364624252, 1e-8);
  g_assert_cmpfloat (traj_stats_t_quantile (0.5, 3), ==, 0.0);
  assert_near (traj_stats_t_cdf (1.0, 1), 0.75, 1e-12);
  assert_near (traj_stats_t_cdf (-1.0, 1), 0.25, 1e-12);
  assert_near (traj_stats_t_cdf (2.0, 5), 0.9490303, 1e-7);
  assert_near (traj_stats_t_quantile (0.95, 12), 1.782288, 1e-6);
  g_assert_true (isnan (traj_stats_t_quantile (1.0, 3)));
  g_assert_true (isnan (traj_stats_t_quantile (0.975, 0)));
}

static void
test_mean_ci (void)
{
  const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  const double one[] = { 18 };
  TrajMeanCI m;
  TrajStatsAcc acc = { 0 };

  /* mean 40/8 = 5; Σ(x − 5)² = 9+1+1+1+0+0+4+16 = 32, SD = √(32/7) = 2.1380899;
   * half = t(.975, 7)·SD/√8 = 2.364624·2.1380899/2.8284271 = 1.7874879 */
  traj_stats_mean_ci (x, G_N_ELEMENTS (x), &m);
  g_assert_cmpuint (m.n, ==, 8);
  assert_near (m.mean, 5.0, 1e-12);
  assert_near (m.sd, 2.1380899, 1e-7);
  assert_near (m.lower, 3.2125121, 1e-7);
  assert_near (m.upper, 6.7874879, 1e-7);

  /* the running form gives the same, and stays exact far from zero */
  for (guint k = 0; k < G_N_ELEMENTS (x); k++)
    traj_stats_acc_add (&acc, 1e9 + x[k]);
  traj_stats_acc_result (&acc, &m);
  assert_near (m.mean, 1e9 + 5.0, 1e-6);
  assert_near (m.sd, 2.1380899, 1e-6);

  /* n = 1: a mean, no SD and no interval; n = 0: nothing */
  traj_stats_mean_ci (one, 1, &m);
  g_assert_cmpfloat (m.mean, ==, 18.0);
  g_assert_true (isnan (m.sd) && isnan (m.lower) && isnan (m.upper));
  traj_stats_mean_ci (NULL, 0, &m);
  g_assert_cmpuint (m.n, ==, 0);
  g_assert_true (isnan (m.mean));
}

static void
test_median (void)
{
  double odd[] = { 3, 1, 2 };
  double even[] = { 4, 1, 3, 2 };
  double ties[] = { 5, 5, 2, 9, 5 };

  g_assert_cmpfloat (traj_stats_median (odd, 3), ==, 2.0);
  g_assert_cmpfloat (traj_stats_median (even, 4), ==, 2.5);
  g_assert_cmpfloat (traj_stats_median (ties, 5), ==, 5.0);
  g_assert_true (isnan (traj_stats_median (NULL, 0)));
}

static void
test_kaplan_meier (void)
{
  /* Days to the event, with censoring:
   *   3 E, 5 E, 5 C, 7 E, 8 C, 10 E, 12 C, 12 C   (n = 8)
   * day  at risk  d  c   S                       Greenwood Σ d/(n(n−d))
   *  3     8      1  0   7/8 = .875               1/56
   *  5     7      1  1   .875·6/7 = .75           + 1/42 = .0416667
   *  7     5      1  0   .75·4/5 = .6             + 1/20 = .0916667
   *  8     4      0  1   .6
   * 10     3      1  0   .6·2/3 = .4              + 1/6 = .2583333
   * 12     2      0  2   .4
   * median: the first day S ≤ .5 = 10. log(−log) band at day 3:
   * σ = √(1/56)/|ln .875| = 1.000749 → .875^e^(±1.96σ) = .3870000, .9813930.
   * The lower bound is ≤ .5 from day 3, the upper never: median 10 (3, NA),
   * as R's survfit prints. */
  const double time[] = { 3, 5, 5, 7, 8, 10, 12, 12 };
  const gboolean event[] = { TRUE, TRUE, FALSE, TRUE, FALSE, TRUE, FALSE, FALSE };
  static const struct { double t; guint r, d, c; double s, lo, hi; } expect[] = {
    { 3, 8, 1, 0, 0.875, 0.3870000, 0.9813930 },
    { 5, 7, 1, 1, 0.75, 0.3148071, 0.9308983 },
    { 7, 5, 1, 0, 0.6, 0.1954959, 0.8522543 },
    { 8, 4, 0, 1, 0.6, 0.1954959, 0.8522543 },
    { 10, 3, 1, 0, 0.4, 0.0660298, 0.7342253 },
    { 12, 2, 0, 2, 0.4, 0.0660298, 0.7342253 },
  };
  g_autoptr(TrajKm) km = traj_stats_kaplan_meier (time, event, G_N_ELEMENTS (time));

  g_assert_cmpuint (km->n, ==, 8);
  g_assert_cmpuint (km->n_events, ==, 4);
  g_assert_cmpuint (km->n_steps, ==, G_N_ELEMENTS (expect));
  for (guint k = 0; k < km->n_steps; k++)
    {
      const TrajKmStep *s = &km->steps[k];
      g_assert_cmpfloat (s->time, ==, expect[k].t);
      g_assert_cmpuint (s->n_risk, ==, expect[k].r);
      g_assert_cmpuint (s->n_event, ==, expect[k].d);
      g_assert_cmpuint (s->n_censor, ==, expect[k].c);
      assert_near (s->survival, expect[k].s, 1e-12);
      assert_near (s->lower, expect[k].lo, 1e-7);
      assert_near (s->upper, expect[k].hi, 1e-7);
    }
  g_assert_cmpfloat (km->median, ==, 10);
  g_assert_cmpfloat (km->median_lower, ==, 3);
  g_assert_true (isnan (km->median_upper));
  g_assert_cmpfloat (traj_km_survival_at (km, 0), ==, 1.0);
  assert_near (traj_km_survival_at (km, 6), 0.75, 1e-12);
  assert_near (traj_km_survival_at (km, 100), 0.4, 1e-12);
}

static void
test_kaplan_meier_edges (void)
{
  /* S = ¾ · ⅔ = ½ exactly from day 2 to the end of the curve (the last
   * observation, day 4): the median is the midpoint, 3, as R's survfit. */
  const double t1[] = { 1, 2, 3, 4 };
  const gboolean e1[] = { TRUE, TRUE, FALSE, FALSE };
  /* Everyone censored: the median is not reached, never 0. */
  const double t2[] = { 4, 9, 9 };
  const gboolean e2[] = { FALSE, FALSE, FALSE };
  /* Everyone has the event: S falls to 0 and its band with it. */
  const double t3[] = { 1, 2 };
  const gboolean e3[] = { TRUE, TRUE };
  g_autoptr(TrajKm) a = traj_stats_kaplan_meier (t1, e1, 4);
  g_autoptr(TrajKm) b = traj_stats_kaplan_meier (t2, e2, 3);
  g_autoptr(TrajKm) c = traj_stats_kaplan_meier (t3, e3, 2);
  g_autoptr(TrajKm) none = traj_stats_kaplan_meier (NULL, NULL, 0);

  g_assert_cmpfloat (a->median, ==, 3);
  g_assert_true (isnan (b->median));
  g_assert_cmpuint (b->n_steps, ==, 2);
  g_assert_cmpfloat (b->steps[1].survival, ==, 1.0);
  g_assert_cmpfloat (c->median, ==, 1.5);   /* ½ on [1, 2): the midpoint */
  g_assert_cmpfloat (c->steps[1].survival, ==, 0.0);
  g_assert_cmpfloat (c->steps[1].lower, ==, 0.0);
  g_assert_cmpfloat (c->steps[1].upper, ==, 0.0);
  g_assert_cmpuint (none->n_steps, ==, 0);
  g_assert_true (isnan (none->median));
}

/* CLINICAL.md §7: where S is exactly ½ over an interval, the median is its
 * midpoint (R's survfit). */
static void
test_kaplan_meier_midpoint (void)
{
  /* 2 E, 4 E, 6 E, 8 C: S = .75, .5, .25, .25. S = .5 on [4, 6) → median 5.
   * Band (log(−log), Greenwood Σ 1/12, 1/4, 3/4): lower .1279469 at day 2
   * (≤ .5 there → 2); upper .9605486, .8448613, .6653253, .6653253 — never
   * ≤ .5 → not reached. */
  const double t1[] = { 2, 4, 6, 8 };
  const gboolean e1[] = { TRUE, TRUE, TRUE, FALSE };
  /* 1 E, 2 E, 3 E, 5 C, 7 E, 9 C: S = 5/6, 4/6, 3/6 = .5 at day 3, still .5
   * after the censoring at 5, .25 at day 7 → median (3 + 7) / 2 = 5. */
  const double t2[] = { 1, 2, 3, 5, 7, 9 };
  const gboolean e2[] = { TRUE, TRUE, TRUE, FALSE, TRUE, FALSE };
  /* Falling straight past ½ (¾ → ¼): the step time, no midpoint. */
  const double t3[] = { 2, 4, 4, 6 };
  const gboolean e3[] = { TRUE, TRUE, TRUE, FALSE };
  g_autoptr(TrajKm) a = traj_stats_kaplan_meier (t1, e1, G_N_ELEMENTS (t1));
  g_autoptr(TrajKm) b = traj_stats_kaplan_meier (t2, e2, G_N_ELEMENTS (t2));
  g_autoptr(TrajKm) c = traj_stats_kaplan_meier (t3, e3, G_N_ELEMENTS (t3));

  assert_near (a->steps[1].survival, 0.5, 1e-12);
  assert_near (a->steps[0].lower, 0.1279469, 1e-7);
  assert_near (a->steps[3].upper, 0.6653253, 1e-7);
  g_assert_cmpfloat (a->median, ==, 5);
  g_assert_cmpfloat (a->median_lower, ==, 2);
  g_assert_true (isnan (a->median_upper));
  g_assert_cmpfloat (b->median, ==, 5);
  g_assert_cmpfloat (c->median, ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stats/wilson", test_wilson);
  g_test_add_func ("/stats/t", test_t);
  g_test_add_func ("/stats/mean-ci", test_mean_ci);
  g_test_add_func ("/stats/median", test_median);
  g_test_add_func ("/stats/kaplan-meier", test_kaplan_meier);
  g_test_add_func ("/stats/kaplan-meier-edges", test_kaplan_meier_edges);
  g_test_add_func ("/stats/kaplan-meier-midpoint", test_kaplan_meier_midpoint);

  return g_test_run ();
}
