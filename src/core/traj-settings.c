/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-settings"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "traj-error.h"
#include "traj-settings.h"

static GSettingsSchema *
lookup_in (const char *dir)
{
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autofree char *compiled = g_build_filename (dir, "gschemas.compiled", NULL);

  if (!g_file_test (compiled, G_FILE_TEST_IS_REGULAR))
    return NULL;
  source = g_settings_schema_source_new_from_directory (dir, NULL, TRUE, NULL);
  return source ? g_settings_schema_source_lookup (source, APP_ID, FALSE) : NULL;
}

/* Whether this program is the one built in BUILD_ROOT (not an installed
 * copy, which must never pick up a build folder's schema). */
static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *root = realpath (BUILD_ROOT, NULL);
  g_autofree char *prefix = root ? g_strconcat (root, G_DIR_SEPARATOR_S, NULL) : NULL;

  return exe && prefix && g_str_has_prefix (exe, prefix);
}

GSettingsSchema *
traj_settings_lookup_schema (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GSettingsSchema *schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  if (schema == NULL)
    schema = lookup_in (INSTALLED_SCHEMA_DIR);
  if (schema == NULL && running_from_build_tree ())
    schema = lookup_in (BUILD_SCHEMA_DIR);
  if (schema == NULL)
    g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND,
                 _("Trajectory’s settings schema “%s” is not installed, so Trajectory cannot start. "
                   "Install Trajectory (“meson install”, which also compiles the schemas), "
                   "or run it from its build folder (“./dev run”)."),
                 APP_ID);
  return schema;
}

GSettings *
traj_settings_new (GError **error)
{
  g_autoptr(GSettingsSchema) schema = traj_settings_lookup_schema (error);

  return schema ? g_settings_new_full (schema, NULL, NULL) : NULL;
}
