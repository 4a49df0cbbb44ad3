/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trajectory-cli as a user or a script runs it: the real program in a
 * subprocess (TRAJECTORY_CLI), on real files in a temporary folder of its own,
 * checking exit status, stdout, stderr and the files it leaves. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-demo.h"
#include "traj-store.h"

typedef struct {
  char *dir;
  char *db;
} Fixture;

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
      GStatBuf st;

      if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-cli-XXXXXX", &error);
  g_assert_no_error (error);
  fx->db = g_build_filename (fx->dir, "clinic.db", NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->db);
}

static char *
path_in (Fixture *fx, const char *name)
{
  return g_build_filename (fx->dir, name, NULL);
}

/* Runs trajectory-cli with @args (NULL-terminated) in @fx->dir, with
 * @env_extra ("NAME=value" strings, NULL-terminated) added. Returns the
 * exit status; @out and @err (optional) get what it printed. */
static int
run_env (Fixture *fx, const char * const *env_extra, char **out, char **err, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *o = NULL, *e = NULL;
  GError *error = NULL;
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  va_list args;
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, first);
  for (const char *a = first; a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  for (guint k = 0; env_extra && env_extra[k]; k++)
    {
      g_auto(GStrv) kv = g_strsplit (env_extra[k], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }
  g_assert_true (g_spawn_sync (fx->dir, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &o, &e, &status, &error));
  g_assert_no_error (error);
  g_test_message ("trajectory-cli %s → %d\n%s%s", first, status, o, e);
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

#define run(fx, out, err, ...) run_env ((fx), NULL, (out), (err), __VA_ARGS__, NULL)

static void
make_demo (Fixture *fx, guint patients)
{
  g_autofree char *n = g_strdup_printf ("%u", patients);

  g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "demo", "--patients", n, "--anchor", "2026-11-01"), ==, 0);
}

static void
exec_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, sql, NULL, NULL, &msg);
  g_assert_null (msg);
  sqlite3_close (db);
}

/* ---- issue 16 §1: control characters ---------------------------------------------- */

/* A clinic written before the rule may hold them: --format json stays valid
 * JSON (json-glib 1.6 left U+001F raw) and --format text shows none raw. */
static void
test_control_characters_out (Fixture *fx, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GError *error = NULL;

  make_demo (fx, 3);
  exec_sql (fx->db, "UPDATE patient SET name = 'Eve' || char(31) || 'Evil' || char(27) || '[2J' || char(7) WHERE id = 1");

  g_assert_cmpint (run (fx, &out, NULL, "--database", fx->db, "patients", "--format", "json"), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run (fx, &out, NULL, "--database", fx->db, "patients", "--format", "text"), ==, 0);
  for (const char *p = out; *p; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  g_clear_pointer (&out, g_free);

  /* The FHIR bundle too. */
  {
    g_autofree char *fhir = path_in (fx, "bundle.json");
    g_autoptr(JsonParser) bundle = json_parser_new ();

    g_assert_cmpint (run (fx, NULL, NULL, "--database", fx->db, "export", "--format", "fhir", "--output", fhir), ==, 0);
    g_assert_true (json_parser_load_from_file (bundle, fhir, &error));
    g_assert_no_error (error);
  }
}

/* The clinician a command records comes from the user: refused with a
 * message when it holds control characters, like any typed text. */
static void
test_control_characters_in (Fixture *fx, gconstpointer data)
{
  const char *env[] = { "TRAJECTORY_CLINICIAN=Dr\x1b]0;owned\x07", NULL };
  g_autofree char *err = NULL;

  make_demo (fx, 2);
  g_assert_cmpint (run_env (fx, env, NULL, &err, "--database", fx->db, "patients", NULL), !=, 0);
  g_assert_nonnull (strstr (err, "control character U+001B"));
  g_assert_null (strchr (err, '\x1b'));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/cli/control-characters/out", Fixture, NULL, fixture_setup, test_control_characters_out, fixture_teardown);
  g_test_add ("/cli/control-characters/in", Fixture, NULL, fixture_setup, test_control_characters_in, fixture_teardown);
  return g_test_run ();
}
