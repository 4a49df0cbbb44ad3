/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Twenty devices on one clinic server (issue 14): eight
 * workstations (each its own process and store) registering patients and
 * recording infusions for the clinic's shared patients, eight tablets
 * submitting questionnaires for the same patients, four CLI exports (the
 * real trajectory-cli) reading the whole clinic over and over — all at
 * once for TRAJ_CONCURRENCY_SECONDS (60 by default).
 *
 * Every write a device was told succeeded is stored exactly once, no
 * write is stored that no device was told about, and no device ever saw
 * an error (a deadlock, a busy server or file, anything): what a person
 * would have seen is a failure here. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traj-csv.h"
#include "traj-test-db.h"
#include "traj-store.h"

#define N_WORKSTATIONS 8
#define N_TABLETS 8
#define N_EXPORTS 4
#define N_DEVICES (N_WORKSTATIONS + N_TABLETS + N_EXPORTS)
#define N_SHARED 5

static TrajPatient *
make_patient (const char *mrn)
{
  TrajPatient *p = traj_patient_new ();

  p->mrn = g_strdup (mrn);
  p->name = g_strdup_printf ("Patient %s", mrn);
  p->birth_day = traj_day_from_ymd (1975, 3, 9);
  p->sex = TRAJ_SEX_OTHER;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  return p;
}

/* ---- one device (this program run again) --------------------------------------- */

static gint64
shared_patient (TrajStore *store, guint k, GError **error)
{
  g_autofree char *mrn = g_strdup_printf ("SHARED-%u", k);
  g_autoptr(TrajPatient) p = traj_store_find_patient_by_mrn (store, mrn, error);

  return p ? p->id : 0;
}

static gint64
shared_course (TrajStore *store, gint64 patient_id, GError **error)
{
  g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (store, patient_id, error);

  if (r == NULL || r->courses->len == 0)
    return 0;
  return ((TrajCourse *) g_ptr_array_index (r->courses, 0))->id;
}

static gboolean
workstation_write (TrajStore *store, guint device, guint i, GError **error)
{
  gint64 patient_id, course_id;
  g_autoptr(TrajInfusion) inf = NULL;

  /* A new patient at the front desk… */
  if (i % 2 == 0)
    {
      g_autofree char *mrn = g_strdup_printf ("W%u-%u", device, i);
      g_autoptr(TrajPatient) p = make_patient (mrn);

      if (!traj_store_insert_patient (store, p, error))
        return FALSE;
      g_print ("patient %s\n", p->uid);
      return TRUE;
    }
  /* …or an infusion for one of the shared patients. */
  patient_id = shared_patient (store, (device + i) % N_SHARED, error);
  if (patient_id == 0)
    return FALSE;
  course_id = shared_course (store, patient_id, error);
  if (course_id == 0)
    return FALSE;
  inf = traj_infusion_new ();
  inf->patient_id = patient_id;
  inf->course_id = course_id;
  /* Distinct times for every device and round: ten minutes apart. */
  inf->started_at = traj_time_now () - 86400 - ((gint64) device * 2000 + i) * 600;
  inf->duration_min = 40;
  inf->route = TRAJ_ROUTE_IV;
  inf->medicine = TRAJ_MEDICINE_KETAMINE;
  inf->phase = TRAJ_PHASE_INDUCTION;
  inf->weight_kg = 70.5;
  inf->dose_mg_per_kg = 0.5;
  inf->total_mg = 35.25;
  inf->monitoring_min = 60;
  if (!traj_store_insert_infusion (store, inf, error))
    return FALSE;
  g_print ("infusion %s\n", inf->uid);
  return TRUE;
}

static gboolean
tablet_write (TrajStore *store, guint device, guint i, GError **error)
{
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);

  a->patient_id = shared_patient (store, (device + i) % N_SHARED, error);
  if (a->patient_id == 0)
    return FALSE;
  a->taken_at = traj_time_now () - 3600 - ((gint64) device * 100000 + i) * 60;
  a->source = TRAJ_SOURCE_TABLET;
  for (guint k = 0; k < 9; k++)
    a->items[k] = (device + i + k) % 4;
  if (!traj_store_insert_assessment (store, a, error))
    return FALSE;
  g_print ("assessment %s\n", a->uid);
  return TRUE;
}

static gboolean
export_run (const char *location, const char *dir, guint device, guint i, GError **error)
{
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  g_autofree char *out = g_strdup_printf ("%s/export-%u-%u", dir, device, i);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error,
                           cli, "--database", location, "export", "--format", "csv", "--output", out, NULL);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "trajectory-cli export: %s", err);
      return FALSE;
    }
  g_print ("export %u\n", i);
  return TRUE;
}

static int
device_main (const char *location, const char *dir, guint device, double seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint i;

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (device < N_WORKSTATIONS + N_TABLETS)
    {
      store = traj_store_open_existing (location, &error);
      if (store == NULL)
        {
          g_printerr ("device %u: %s\n", device, error->message);
          return 1;
        }
      traj_store_set_clinician (store, device < N_WORKSTATIONS ? "Workstation" : "Tablet");
    }
  for (i = 0; g_get_monotonic_time () < deadline; i++)
    {
      gboolean ok;

      if (device < N_WORKSTATIONS)
        ok = workstation_write (store, device, i, &error);
      else if (device < N_WORKSTATIONS + N_TABLETS)
        ok = tablet_write (store, device, i, &error);
      else
        ok = export_run (location, dir, device, i, &error);
      if (!ok)
        {
          g_printerr ("device %u, round %u: %s\n", device, i, error ? error->message : "(no message)");
          return 1;
        }
    }
  g_print ("done %u\n", i);
  return 0;
}

/* ---- the test ------------------------------------------------------------------- */

static char *self_path;

typedef struct {
  GSubprocess *proc;
  char *out;
  char *err;
} Device;

static void
test_twenty_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-devices-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *seconds_text = NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *location;
  const char *env = g_getenv ("TRAJ_CONCURRENCY_SECONDS");
  double seconds = env ? g_ascii_strtod (env, NULL) : 60;
  Device devices[N_DEVICES] = { { 0 } };
  guint n_patients = 0, n_infusions = 0, n_assessments = 0, n_exports = 0;
  g_autoptr(GTimer) timer = g_timer_new ();

  g_assert_no_error (error);
  seconds_text = g_strdup_printf ("%g", seconds);
  /* The clinic, with the shared patients and their courses. */
  {
    g_autoptr(TrajStore) store = traj_test_open (path, &error);

    g_assert_no_error (error);
    for (guint k = 0; k < N_SHARED; k++)
      {
        g_autofree char *mrn = g_strdup_printf ("SHARED-%u", k);
        g_autoptr(TrajPatient) p = make_patient (mrn);
        g_autoptr(TrajCourse) c = traj_course_new ();

        g_assert_true (traj_store_insert_patient (store, p, &error));
        g_assert_no_error (error);
        c->patient_id = p->id;
        c->start_day = traj_day_today () - 2000;
        c->indication = TRAJ_INDICATION_DEPRESSION;
        c->primary_scale = TRAJ_SCALE_PHQ9;
        g_assert_true (traj_store_insert_course (store, c, &error));
        g_assert_no_error (error);
      }
    location = traj_test_location (path);
  }

  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autofree char *device = g_strdup_printf ("%u", d);

      devices[d].proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                          self_path, "--device", device, location, dir, seconds_text, NULL);
      g_assert_no_error (error);
    }
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autoptr(GError) comm_error = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (devices[d].proc, NULL, NULL, &devices[d].out, &devices[d].err,
                                                    &comm_error));
      g_assert_no_error (comm_error);
    }
  g_test_message ("%u devices for %.0f s: all finished after %.1f s", N_DEVICES, seconds,
                  g_timer_elapsed (timer, NULL));

  /* Nobody saw an error; collect what each was told. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_auto(GStrv) lines = g_strsplit (devices[d].out, "\n", -1);
      gboolean done = FALSE;

      if (devices[d].err && *devices[d].err)
        g_test_message ("device %u: %s", d, devices[d].err);
      g_assert_true (g_subprocess_get_if_exited (devices[d].proc));
      g_assert_cmpint (g_subprocess_get_exit_status (devices[d].proc), ==, 0);
      for (guint k = 0; lines[k]; k++)
        {
          char *space = strchr (lines[k], ' ');

          if (space == NULL)
            continue;
          *space = '\0';
          if (g_str_equal (lines[k], "done"))
            done = TRUE;
          else if (g_str_equal (lines[k], "export"))
            n_exports++;
          else
            {
              /* A uid told twice would be a duplicate. */
              g_assert_true (g_hash_table_add (uids, g_strdup (space + 1)));
              if (g_str_equal (lines[k], "patient"))
                n_patients++;
              else if (g_str_equal (lines[k], "infusion"))
                n_infusions++;
              else if (g_str_equal (lines[k], "assessment"))
                n_assessments++;
            }
        }
      g_assert_true (done);
      g_clear_object (&devices[d].proc);
      g_free (devices[d].out);
      g_free (devices[d].err);
    }
  g_test_message ("told: %u patients, %u infusions, %u assessments, %u whole-clinic exports", n_patients,
                  n_infusions, n_assessments, n_exports);
  g_assert_cmpuint (n_patients, >, 0);
  g_assert_cmpuint (n_infusions, >, 0);
  g_assert_cmpuint (n_assessments, >, 0);
  g_assert_cmpuint (n_exports, >=, N_EXPORTS);

  /* Stored: exactly what the devices were told, each once. */
  {
    g_autoptr(TrajStore) store = traj_test_open (path, &error);
    g_autoptr(GPtrArray) patients = NULL;
    GHashTableIter iter;
    gpointer uid;
    guint found = 0;

    g_assert_no_error (error);
    g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM patient"), ==, n_patients + N_SHARED);
    g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM infusion"), ==, n_infusions);
    g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM assessment"), ==, n_assessments);
    g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM assessment_item"), ==, n_assessments * 9);
    g_hash_table_iter_init (&iter, uids);
    while (g_hash_table_iter_next (&iter, &uid, NULL))
      {
        g_autofree char *sql = g_strdup_printf (
          "SELECT (SELECT count(*) FROM patient WHERE uid = '%1$s') + (SELECT count(*) FROM infusion WHERE uid = "
          "'%1$s') + (SELECT count(*) FROM assessment WHERE uid = '%1$s')", (const char *) uid);

        g_assert_cmpint (traj_test_query_int (path, sql), ==, 1);
        found++;
      }
    g_assert_cmpuint (found, ==, n_patients + n_infusions + n_assessments);
    /* And every write is in the audit trail, once. */
    g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM audit_event WHERE action = 'insert' AND "
                                                "record_kind IN ('patient', 'infusion', 'assessment')"),
                     ==, n_patients + n_infusions + n_assessments + N_SHARED);
    patients = traj_store_list_patients (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (patients->len, ==, n_patients + N_SHARED);
    if (!traj_test_postgres ())
      {
        g_autofree char *check = traj_test_query_text (path, "PRAGMA integrity_check");
        g_assert_cmpstr (check, ==, "ok");
      }
  }
}

int
main (int argc, char **argv)
{
  if (argc == 6 && g_str_equal (argv[1], "--device"))
    return device_main (argv[3], argv[4], (guint) atoi (argv[2]), g_ascii_strtod (argv[5], NULL));

  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/concurrency/twenty-devices", test_twenty_devices);
  return g_test_run ();
}
