/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Clinic-wide settings live in the clinic's database on both engines
 * (issue 14, DESIGN.md "Storage"): two devices on one clinic read the same
 * thresholds, a change by one reaches the other and is audited, machine
 * keys stay off the clinic, and day counts use the clinic's time zone. */
#include "config.h"

#include <glib/gstdio.h>

#include "traj-clinic-settings.h"
#include "traj-outcomes.h"
#include "traj-scale.h"
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

/* Every clinic-wide key is one the schema has (a key it lacks would be
 * dropped silently), and every scale's thresholds are among them: taken
 * from the scale table, so a scale added later cannot be missed. */
static void
test_keys (void)
{
  g_autoptr(GSettingsSchema) schema =
    g_settings_schema_source_lookup (g_settings_schema_source_get_default (), APP_ID, TRUE);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *const *keys = traj_clinic_setting_keys ();
  const char *machine[] = { "window-width", "window-height", "window-maximized", "color-scheme",
                            "clinician-name", "device-id", "kiosk-pin-hash", "kiosk-pin-salt",
                            "chart-axis", "last-backup" };
  guint n_scales = 0;

  g_assert_nonnull (schema);
  for (guint k = 0; keys[k]; k++)
    {
      g_assert_true (g_settings_schema_has_key (schema, keys[k]));
      g_assert_true (g_hash_table_add (seen, (gpointer) keys[k]));
    }
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    {
      if (!traj_scale_is_outcome (s->id))
        continue;
      n_scales++;
      g_assert_nonnull (s->response_key);
      g_assert_nonnull (s->mcid_key);
      g_assert_nonnull (s->remission_key);
      g_assert_true (traj_clinic_setting_is_clinic_wide (s->response_key));
      g_assert_true (traj_clinic_setting_is_clinic_wide (s->mcid_key));
      g_assert_true (traj_clinic_setting_is_clinic_wide (s->remission_key));
    }
  /* PHQ-9, GAD-7, pain NRS, PCL-5, MADRS, Y-BOCS. */
  g_assert_cmpuint (n_scales, ==, 6);
  g_assert_true (traj_clinic_setting_is_clinic_wide ("response-ybocs"));
  g_assert_true (traj_clinic_setting_is_clinic_wide ("mcid-ybocs"));
  g_assert_true (traj_clinic_setting_is_clinic_wide ("remission-ybocs"));
  g_assert_true (traj_clinic_setting_is_clinic_wide ("induction-length"));
  g_assert_false (traj_clinic_setting_is_clinic_wide ("response-fraction"));
  g_assert_false (traj_clinic_setting_is_clinic_wide (NULL));
  for (guint k = 0; k < G_N_ELEMENTS (machine); k++)
    {
      g_assert_true (g_settings_schema_has_key (schema, machine[k]));
      g_assert_false (traj_clinic_setting_is_clinic_wide (machine[k]));
    }
}

/* A value for @key other than its default, inside its range: the default
 * plus one for a count, 0.4 for a fraction (0.3 where 0.4 is the default). */
static GVariant *
other_value (GSettingsSchema *schema, const char *key)
{
  g_autoptr(GSettingsSchemaKey) k = g_settings_schema_get_key (schema, key);
  g_autoptr(GVariant) def = g_settings_schema_key_get_default_value (k);
  GVariant *v;

  if (g_variant_is_of_type (def, G_VARIANT_TYPE_DOUBLE))
    v = g_variant_new_double (g_variant_get_double (def) == 0.4 ? 0.3 : 0.4);
  else
    v = g_variant_new_int32 (g_variant_get_int32 (def) + 1);
  g_variant_ref_sink (v);
  if (!g_settings_schema_key_range_check (k, v))
    {
      g_variant_unref (v);
      v = g_variant_ref_sink (g_variant_new_int32 (g_variant_get_int32 (def) - 1));
    }
  g_assert_true (g_settings_schema_key_range_check (k, v));
  return v;
}

static void
assert_same_thresholds (const TrajThresholds *a, const TrajThresholds *b)
{
  for (guint k = 0; k < TRAJ_N_SCALES; k++)
    {
      g_assert_cmpfloat (a->response_fraction[k], ==, b->response_fraction[k]);
      g_assert_cmpint (a->mcid[k], ==, b->mcid[k]);
      g_assert_cmpint (a->remission_max[k], ==, b->remission_max[k]);
    }
  g_assert_cmpint (traj_thresholds_fingerprint (a), ==, traj_thresholds_fingerprint (b));
}

/* Two devices on one clinic (two stores, and another process with its own
 * machine settings) use the same per-scale thresholds: one workstation's
 * Y-BOCS response fraction cannot differ from another's. */
static void
test_scale_thresholds (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) other = NULL;
  g_autoptr(GSettings) mine = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *fingerprint = NULL;
  TrajThresholds set, defaults, stored;

  if (g_test_subprocess ())
    {
      /* Another process: its machine settings are its own (a fresh memory
       * backend), so only the clinic can give it these values. */
      g_autoptr(TrajStore) store = traj_store_open (g_getenv ("TRAJ_TEST_CLINIC"), &error);
      g_autoptr(GSettings) theirs = NULL;
      TrajThresholds t;

      g_assert_no_error (error);
      theirs = traj_clinic_settings_new (store);
      g_assert_nonnull (theirs);
      traj_thresholds_load (&t, theirs);
      g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PHQ9], ==, 0.4);
      g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_YBOCS], ==, 0.4);
      g_assert_cmpint (t.mcid[TRAJ_SCALE_PHQ9], ==, 6);
      g_assert_cmpint (t.remission_max[TRAJ_SCALE_PHQ9], ==, 5);
      g_assert_cmpint (traj_thresholds_fingerprint (&t), ==,
                       g_ascii_strtoll (g_getenv ("TRAJ_TEST_FINGERPRINT"), NULL, 10));
      return;
    }

  mine = traj_clinic_settings_new (fx->store);
  g_assert_nonnull (mine);
  g_object_get (mine, "settings-schema", &schema, NULL);
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      const char *keys[] = { s->response_key, s->mcid_key, s->remission_key };

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          g_autoptr(GVariant) v = other_value (schema, keys[k]);
          g_autofree char *text = NULL;

          g_assert_true (g_settings_set_value (mine, keys[k], v));
          /* In the clinic's database, where every device reads it. */
          text = traj_store_get_setting (fx->store, keys[k], &error);
          g_assert_no_error (error);
          g_assert_nonnull (text);
        }
    }
  traj_thresholds_load (&set, mine);
  traj_thresholds_init_defaults (&defaults);
  /* PHQ-9: response 0.5 → 0.4, MCID 5 → 6, remission 4 → 5; every scale
   * moved off its default. */
  g_assert_cmpfloat (set.response_fraction[TRAJ_SCALE_PHQ9], ==, 0.4);
  g_assert_cmpint (set.mcid[TRAJ_SCALE_PHQ9], ==, 6);
  g_assert_cmpint (set.remission_max[TRAJ_SCALE_PHQ9], ==, 5);
  g_assert_cmpfloat (set.response_fraction[TRAJ_SCALE_YBOCS], ==, 0.4);
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      g_assert_cmpfloat (set.response_fraction[s->id], !=, defaults.response_fraction[s->id]);
      g_assert_cmpint (set.mcid[s->id], !=, defaults.mcid[s->id]);
      g_assert_cmpint (set.remission_max[s->id], !=, defaults.remission_max[s->id]);
    }

  /* Another store on the clinic: the thresholds its needs-attention states
   * are computed with, and its own settings. */
  other = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_load_thresholds (other, &stored, &error));
  g_assert_no_error (error);
  assert_same_thresholds (&set, &stored);
  {
    g_autoptr(GSettings) theirs = traj_clinic_settings_new (other);
    TrajThresholds t;

    traj_thresholds_load (&t, theirs);
    assert_same_thresholds (&set, &t);
  }

  /* Another process. */
  fingerprint = g_strdup_printf ("%" G_GINT64_FORMAT, traj_thresholds_fingerprint (&set));
  g_setenv ("TRAJ_TEST_CLINIC", traj_store_get_path (fx->store), TRUE);
  g_setenv ("TRAJ_TEST_FINGERPRINT", fingerprint, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add ("/clinic-settings/shared", Fixture, NULL, fixture_setup, test_shared, fixture_teardown);
  g_test_add ("/clinic-settings/time-zone", Fixture, NULL, fixture_setup, test_time_zone, fixture_teardown);
  g_test_add_func ("/clinic-settings/keys", test_keys);
  g_test_add ("/clinic-settings/scale-thresholds", Fixture, NULL, fixture_setup, test_scale_thresholds,
              fixture_teardown);
  return g_test_run ();
}
