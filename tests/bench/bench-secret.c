/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cost of one secret check (issue 13 §2): one Argon2id derivation with
 * the cost of new salts (traj-secret.h), and one whole staff-PIN check and
 * one check-in through the store, which derive one hash each. Issue 13 asks
 * for under 0.3 s on the tablet. A measurement, not a pass/fail test:
 * `meson test --benchmark secret`. */
#include "config.h"

#include <glib/gstdio.h>

#include "traj-secret.h"
#include "traj-store.h"

#define RUNS 10

static double
median (double *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *salt = traj_secret_new_salt ();
  g_autofree char *dir = g_dir_make_tmp ("traj-bench-secret-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  double derive[RUNS], pin[RUNS], checkin[RUNS];

  g_assert_no_error (error);
  for (int k = 0; k < RUNS; k++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autofree char *hash = traj_secret_derive ("731594", salt, &error);

      g_assert_no_error (error);
      g_assert_nonnull (hash);
      derive[k] = (g_get_monotonic_time () - t0) / 1e6;
    }

  path = g_build_filename (dir, "clinic.db", NULL);
  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_set_staff_pin (store, NULL, "731594", &error));
  p->mrn = g_strdup ("B-1");
  p->name = g_strdup ("Bench Patient");
  p->birth_day = traj_day_from_ymd (1980, 1, 2);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  for (int k = 0; k < RUNS; k++)
    {
      g_autofree char *code = traj_store_create_checkin (store, p->id, "phq9", 3600, NULL, &error);
      TrajKioskCheckin *c;
      gint64 t0 = g_get_monotonic_time ();

      g_assert_true (traj_store_verify_staff_pin (store, "731594", NULL, &error));
      pin[k] = (g_get_monotonic_time () - t0) / 1e6;
      t0 = g_get_monotonic_time ();
      c = traj_store_redeem_checkin (store, code, p->birth_day, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (c);
      checkin[k] = (g_get_monotonic_time () - t0) / 1e6;
      traj_kiosk_checkin_free (c);
    }
  g_printerr ("Argon2id (%d passes, %d MiB), median of %d:\n", TRAJ_SECRET_PASSES, TRAJ_SECRET_MEMORY_KIB / 1024, RUNS);
  g_printerr ("  one derivation           %.3f s\n", median (derive, RUNS));
  g_printerr ("  one staff-PIN check      %.3f s (store, audited)\n", median (pin, RUNS));
  g_printerr ("  one check-in (code+date) %.3f s (store, audited)\n", median (checkin, RUNS));

  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
      {
        g_autofree char *f = g_strconcat (path, suffixes[k], NULL);
        g_unlink (f);
      }
  }
  g_rmdir (dir);
  return 0;
}
