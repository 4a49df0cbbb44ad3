/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Finding the GSettings schema (issue 12 §2): a program run from its build
 * folder on a fresh machine (empty HOME, nothing installed, no
 * GSETTINGS_SCHEMA_DIR) finds the schema compiled in its build; a copy of
 * the program outside any build, with no schema installed, fails with a
 * clear message instead of GLib's abort. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "traj-error.h"
#include "traj-settings.h"

/* As on a fresh machine: no schema directory GLib would search has ours. */
static void
forget_installed_schemas (void)
{
  g_autofree char *empty = g_dir_make_tmp ("traj-settings-XXXXXX", NULL);

  g_assert_nonnull (empty);
  g_unsetenv ("GSETTINGS_SCHEMA_DIR");
  g_setenv ("XDG_DATA_DIRS", empty, TRUE);
  g_setenv ("XDG_DATA_HOME", empty, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

static gboolean
installed_in_prefix (void)
{
  g_autoptr(GSettingsSchemaSource) source =
    g_settings_schema_source_new_from_directory (INSTALLED_SCHEMA_DIR, NULL, TRUE, NULL);
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, FALSE) : NULL;

  return schema != NULL;
}

static void
test_build_tree (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSettings) settings = NULL;
      g_autofree char *id = NULL;

      forget_installed_schemas ();
      settings = traj_settings_new (&error);
      g_assert_no_error (error);
      g_assert_nonnull (settings);
      g_object_get (settings, "schema-id", &id, NULL);
      g_assert_cmpstr (id, ==, APP_ID);
      /* The schema's own default, read through it. */
      g_assert_cmpint (g_settings_get_int (settings, "backup-keep"), ==, 7);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_missing (void)
{
  g_autofree char *dir = NULL, *copy = NULL, *self = NULL, *out = NULL, *err = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (installed_in_prefix ())
    {
      g_test_skip ("the schema is installed in " INSTALLED_SCHEMA_DIR);
      return;
    }
  /* This very program, copied out of the build folder. */
  dir = g_dir_make_tmp ("traj-settings-XXXXXX", &error);
  g_assert_no_error (error);
  self = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  copy = g_build_filename (dir, "test-settings", NULL);
  g_assert_true (g_file_get_contents (self, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (copy, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  proc = g_subprocess_launcher_spawn (launcher, &error, copy, "--lookup", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("outside the build: %s", err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "is not installed"));
  g_assert_nonnull (strstr (err, APP_ID));

  g_remove (copy);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  /* Run as a copy outside the build: look the schema up and say so. */
  if (argc == 2 && g_str_equal (argv[1], "--lookup"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSettingsSchema) schema = NULL;

      forget_installed_schemas ();
      schema = traj_settings_lookup_schema (&error);
      if (schema == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/build-tree", test_build_tree);
  g_test_add_func ("/settings/missing", test_missing);
  return g_test_run ();
}
