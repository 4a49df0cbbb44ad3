/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server mode only (issue 14), against the throwaway PostgreSQL of `./dev
 * test`: live updates through LISTEN/NOTIFY, reconnection, least privilege
 * by role, the append-only audit trail, the clinician being the login. */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>

#include "traj-test-db.h"
#include "traj-store.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  gint64 patient_id;
} Fixture;

static TrajPatient *
make_patient (const char *mrn, const char *name)
{
  TrajPatient *p = traj_patient_new ();

  p->mrn = g_strdup (mrn);
  p->name = g_strdup (name);
  p->birth_day = traj_day_from_ymd (1980, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  return p;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) p = make_patient ("MRN-1", "Ada Abbott");

  fx->dir = g_dir_make_tmp ("traj-server-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  fx->patient_id = p->id;
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  g_rmdir (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

/* ---- live updates ----------------------------------------------------------- */

typedef struct {
  guint count;
  guint kind;
  gint64 patient_id;
  gint64 at;
} Seen;

static void
on_changed (TrajStore *store, guint kind, gint64 patient_id, Seen *seen)
{
  seen->count++;
  seen->kind = kind;
  seen->patient_id = patient_id;
  seen->at = g_get_monotonic_time ();
}

/* Runs the main loop until @done or a generous deadline. */
static gboolean
wait_for (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
seen_any (gpointer data)
{
  return ((Seen *) data)->count > 0;
}

static TrajAssessment *
make_phq9 (gint64 patient_id, int item9)
{
  TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);

  a->patient_id = patient_id;
  a->taken_at = traj_time_now () - 60;
  a->source = TRAJ_SOURCE_TABLET;
  for (guint k = 0; k < 9; k++)
    a->items[k] = 1;
  a->items[8] = item9;
  return a;
}

static void
test_live_updates (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) tablet = NULL;
  g_autoptr(TrajAssessment) a = make_phq9 (fx->patient_id, 2);
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };
  gint64 sent;

  g_assert_true (traj_store_watch_changes (fx->store, &error));
  g_assert_no_error (error);
  g_signal_connect (fx->store, "changed", G_CALLBACK (on_changed), &seen);

  /* Another device (a tablet) saves answers for the patient… */
  tablet = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  sent = g_get_monotonic_time ();
  g_assert_true (traj_store_insert_assessment (tablet, a, &error));
  g_assert_no_error (error);

  /* …and the window's store hears it, naming the patient. */
  g_assert_true (wait_for (seen_any, &seen));
  g_assert_cmpuint (seen.kind, ==, TRAJ_KIND_ASSESSMENT);
  g_assert_cmpint (seen.patient_id, ==, fx->patient_id);
  g_test_message ("notice after %.1f ms", (seen.at - sent) / 1000.0);

  /* Its own changes are announced by the store itself, once. */
  seen.count = 0;
  {
    g_autoptr(TrajAssessment) b = make_phq9 (fx->patient_id, 0);
    b->taken_at -= 3600;
    g_assert_true (traj_store_insert_assessment (fx->store, b, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (seen.count, ==, 1);
  for (guint k = 0; k < 50; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpuint (seen.count, ==, 1);
}

static gboolean
is_connected (gpointer data)
{
  return traj_store_get_connected (data);
}

static gboolean
is_disconnected (gpointer data)
{
  return !traj_store_get_connected (data);
}

static void
test_reconnect (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) back = NULL;
  g_autofree char *sql = NULL;
  Seen seen = { 0 };

  g_assert_true (traj_store_watch_changes (fx->store, &error));
  g_assert_no_error (error);
  g_signal_connect (fx->store, "changed", G_CALLBACK (on_changed), &seen);

  /* The server drops the window's session (a restart, a network cut). */
  sql = g_strdup_printf ("SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                         "WHERE usename = '%s' AND datname = current_database ()", TRAJ_TEST_LOGIN);
  traj_test_query_int (fx->path, sql);

  g_assert_true (wait_for (is_disconnected, fx->store));
  /* Meanwhile a save fails at once, with a message that says why. */
  {
    g_autoptr(TrajPatient) p = make_patient ("MRN-2", "Ben Bianchi");
    gboolean ok = traj_store_insert_patient (fx->store, p, &error);
    if (!ok)
      {
        g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION);
        g_clear_error (&error);
      }
  }

  /* It comes back on its own, and reloads what it may have missed. */
  g_assert_true (wait_for (is_connected, fx->store));
  g_assert_true (wait_for (seen_any, &seen));
  g_assert_cmpuint (seen.kind, ==, TRAJ_N_KINDS);
  back = traj_store_get_patient (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, "Ada Abbott");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Registered in the postgres suite only. */
  g_assert_true (traj_test_postgres ());
  g_test_add ("/server/live-updates", Fixture, NULL, fixture_setup, test_live_updates, fixture_teardown);
  g_test_add ("/server/reconnect", Fixture, NULL, fixture_setup, test_reconnect, fixture_teardown);
  return g_test_run ();
}
