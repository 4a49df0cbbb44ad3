/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Clinic-wide settings live in the clinic's database on both engines
 * (issue 14, DESIGN.md "Storage"): two devices on one clinic read the same
 * thresholds, a change by one reaches the other and is audited, machine
 * keys stay off the clinic, and day counts use the clinic's time zone. */
#include "config.h"

#include <glib/gstdio.h>

#include "traj-clinic-settings.h"
#include "traj-outcomes.h"
#include "traj-test-db.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("traj-settings-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
  traj_set_clinic_time_zone (NULL);
}

static gboolean
wait_for_int (GSettings *settings, const char *key, int value)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_settings_get_int (settings, key) != value)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  return TRUE;
}

static void
test_shared (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) other = NULL;
  g_autoptr(GSettings) mine = NULL, theirs = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autofree char *stored = NULL;
  TrajThresholds t;

  /* Two devices on one clinic. */
  other = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_watch_changes (other, &error));
  g_assert_no_error (error);
  mine = traj_clinic_settings_new (fx->store);
  theirs = traj_clinic_settings_new (other);
  traj_store_poll_external_changes (other);
  g_assert_nonnull (mine);
  g_assert_nonnull (theirs);
  g_assert_cmpint (g_settings_get_int (theirs, "worsening-gap-days"), ==, 2);

  /* One changes a threshold: it is the clinic's, in its database… */
  g_assert_true (g_settings_is_writable (mine, "worsening-gap-days"));
  g_assert_true (g_settings_set_int (mine, "worsening-gap-days", 5));
  stored = traj_store_get_setting (fx->store, "worsening-gap-days", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, "5");
  audit = traj_store_list_audit (fx->store, "worsening-gap-days", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audit->len, ==, 1);

  /* …and the other device sees it (at once on a server; on a file at its
   * next look for other programs' changes, which windows do every few
   * seconds). */
  traj_store_poll_external_changes (other);
  g_assert_true (wait_for_int (theirs, "worsening-gap-days", 5));
  traj_thresholds_load (&t, theirs);
  g_assert_cmpint (t.worsening_gap_days, ==, 5);

  /* A reset writes the default back, audited like any change. */
  g_settings_reset (mine, "worsening-gap-days");
  g_assert_cmpint (g_settings_get_int (mine, "worsening-gap-days"), ==, 2);
  g_clear_pointer (&audit, g_ptr_array_unref);
  audit = traj_store_list_audit (fx->store, "worsening-gap-days", &error);
  g_assert_cmpuint (audit->len, ==, 2);

  /* What belongs to one machine never reaches the clinic. */
  g_assert_true (g_settings_set_int (mine, "window-width", 1500));
  g_assert_cmpint (g_settings_get_int (mine, "window-width"), ==, 1500);
  g_clear_pointer (&stored, g_free);
  stored = traj_store_get_setting (fx->store, "window-width", &error);
  g_assert_no_error (error);
  g_assert_null (stored);
}

static void
test_time_zone (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zone = NULL, *in_use = NULL;
  /* 2026-03-10 03:30 UTC: still the 9th in New York, the 10th in London. */
  gint64 t = traj_time_from_iso ("2026-03-10T03:30:00Z", NULL);

  /* A new clinic has the zone of the machine that made it (TZ of the
   * tests) and counts days in it. */
  zone = traj_store_get_setting (fx->store, "time-zone", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (zone, ==, "Europe/London");
  g_assert_cmpint (traj_day_from_time (t), ==, traj_day_from_ymd (2026, 3, 10));

  /* Another zone changes every day count the same way on every device. */
  g_assert_true (traj_store_set_setting (fx->store, "time-zone", "America/New_York", &error));
  g_assert_no_error (error);
  in_use = traj_clinic_time_zone ();
  g_assert_cmpstr (in_use, ==, "America/New_York");
  g_assert_cmpint (traj_day_from_time (t), ==, traj_day_from_ymd (2026, 3, 9));

  /* A name that is no zone changes nothing. */
  g_assert_false (traj_store_set_setting (fx->store, "time-zone", "Mars/Olympus_Mons", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&zone, g_free);
  zone = traj_store_get_setting (fx->store, "time-zone", NULL);
  g_assert_cmpstr (zone, ==, "America/New_York");

  /* Another device opening the clinic counts in the clinic's zone. */
  traj_set_clinic_time_zone ("Asia/Tokyo");
  {
    g_autoptr(TrajStore) other = traj_test_open (fx->path, &error);
    g_assert_no_error (error);
    g_clear_pointer (&in_use, g_free);
    in_use = traj_clinic_time_zone ();
    g_assert_cmpstr (in_use, ==, "America/New_York");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/clinic-settings/shared", Fixture, NULL, fixture_setup, test_shared, fixture_teardown);
  g_test_add ("/clinic-settings/time-zone", Fixture, NULL, fixture_setup, test_time_zone, fixture_teardown);
  return g_test_run ();
}
