/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Needs attention stored per patient (issue 18, traj-store-attention.c):
 * after every kind of write — a patient's risk flag, a course, an infusion,
 * an assessment, a decision, deletes and undeletes, an import, the demo,
 * another program's writes, an upgrade from schema 9 — each patient's
 * stored state equals what the outcomes engine computes from the records
 * now. A few states are also worked out by hand. Runs on both engines. */

#include "config.h"

#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-outcomes.h"
#include "traj-store.h"
#include "traj-test-db.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  gint64 now;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-attention-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  traj_store_set_clinician (fx->store, "Dr. Test");
  fx->now = traj_time_now ();
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  traj_test_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

/* Every live patient's stored state equals a full recomputation with the
 * clinic's thresholds now, both as the list reads it and one by one.
 * Returns how many patients there are. */
static guint
assert_stored_equals_computed (TrajStore *store)
{
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;
  TrajThresholds t;
  gint64 now = traj_time_now ();

  g_assert_true (traj_store_load_thresholds (store, &t, &error));
  g_assert_no_error (error);
  list = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < list->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (list, k);
      g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (store, s->id, &error);
      TrajAttention want, stored;
      gboolean found = FALSE;

      g_assert_no_error (error);
      traj_outcomes_attention (r, &t, now, &want);
      g_assert_true (traj_store_read_attention (store, s->id, &stored, &found, &error));
      g_assert_no_error (error);
      g_assert_true (found);
      g_assert_cmpint (stored.open_findings, ==, want.open_findings);
      g_assert_cmpint (stored.safety_open, ==, want.safety_open);
      g_assert_cmpint (stored.risk_flag, ==, want.risk_flag);
      g_assert_cmpint (stored.oldest_open_at, ==, want.oldest_open_at);
      g_assert_cmpint (stored.valid_until, ==, want.valid_until);
      g_assert_cmpint (stored.rules, ==, want.rules);
      /* The list carries the same. */
      g_assert_cmpint (s->open_findings, ==, want.open_findings);
      g_assert_cmpint (s->safety_open, ==, want.safety_open);
      g_assert_cmpint (s->risk_flag, ==, want.risk_flag);
      g_assert_cmpint (s->oldest_open_at, ==, want.oldest_open_at);
      g_assert_true (traj_attention_is_current (s, want.rules, now));
    }
  return list->len;
}

static void
assert_state (TrajStore *store, gint64 patient_id, int open, gboolean safety, gint64 oldest)
{
  TrajAttention a;
  gboolean found = FALSE;
  GError *error = NULL;

  g_assert_true (traj_store_read_attention (store, patient_id, &a, &found, &error));
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpint (a.open_findings, ==, open);
  g_assert_cmpint (a.safety_open, ==, safety);
  g_assert_cmpint (a.oldest_open_at, ==, oldest);
}

static const TrajFinding *
find_kind (const TrajOutcomes *o, TrajFindingKind kind)
{
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->kind == kind)
        return f;
    }
  return NULL;
}

/* Each kind of write, one after the other, with the state worked out by
 * hand where it matters. */
static void
test_every_write (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajInfusion) i = NULL;
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajFlagDecision) d = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  TrajThresholds t;
  GError *error = NULL;
  gint64 started = fx->now - 2 * 3600, taken = fx->now - 3600, flagged = fx->now - 60;

  /* A patient alone: nothing open. */
  p->mrn = g_strdup ("MRN-1");
  p->name = g_strdup ("Ada Abbott");
  p->birth_day = traj_day_from_ymd (1980, 3, 4);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 0, FALSE, TRAJ_TIME_NONE);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 1);

  c->patient_id = p->id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = traj_day_today () - 30;
  g_assert_true (traj_store_insert_course (fx->store, c, &error));
  g_assert_no_error (error);
  assert_stored_equals_computed (fx->store);

  /* Systolic 185 ≥ 180: one monitoring event, fired at the infusion's start. */
  i = traj_test_infusion_new (p->id, c->id, started);
  g_ptr_array_add (i->vitals, traj_test_vital_new (0, 122, 78));
  g_ptr_array_add (i->vitals, traj_test_vital_new (40, 185, 95));
  g_assert_true (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 1, FALSE, started);
  assert_stored_equals_computed (fx->store);

  /* PHQ-9 with item 9 = 2: a safety finding too; the oldest is still the
   * infusion's (an hour earlier). */
  a->patient_id = p->id;
  a->course_id = c->id;
  a->taken_at = taken;
  for (guint k = 0; k < 9; k++)
    a->items[k] = 2;
  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 2, TRUE, started);
  assert_stored_equals_computed (fx->store);

  /* Acknowledging the safety finding closes it: the monitoring event is left. */
  g_assert_true (traj_store_load_thresholds (fx->store, &t, &error));
  r = traj_store_load_patient_records (fx->store, p->id, &error);
  g_assert_no_error (error);
  o = traj_outcomes_compute (r, &t, traj_time_now ());
  g_assert_nonnull (find_kind (o, TRAJ_FINDING_SAFETY));
  d = traj_finding_new_decision (find_kind (o, TRAJ_FINDING_SAFETY), TRAJ_DECISION_ACKNOWLEDGED, NULL);
  g_assert_true (traj_store_insert_flag_decision (fx->store, d, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 1, FALSE, started);
  assert_stored_equals_computed (fx->store);

  /* The suicidal-ideation risk flag: safety, one more item. */
  p->risk_si_at = flagged;
  g_assert_true (traj_store_update_patient (fx->store, p, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 2, TRUE, started);
  assert_stored_equals_computed (fx->store);

  /* Normal vital signs after an edit: only the flag is left, since it was set. */
  g_ptr_array_set_size (i->vitals, 1);
  g_assert_true (traj_store_update_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 1, TRUE, flagged);
  assert_stored_equals_computed (fx->store);

  /* Deleting the acknowledgement opens the safety finding again. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_FLAG_DECISION, d->id, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 2, TRUE, taken);
  assert_stored_equals_computed (fx->store);

  /* The flag cleared: the safety finding alone. */
  p->risk_si_at = TRAJ_TIME_NONE;
  g_assert_true (traj_store_update_patient_why (fx->store, p, "Dr Ana Silva", "Reassessed: no ideation", &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 1, TRUE, taken);
  assert_stored_equals_computed (fx->store);

  /* The assessment deleted and back; an edit of it. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_ASSESSMENT, a->id, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 0, FALSE, TRAJ_TIME_NONE);
  assert_stored_equals_computed (fx->store);
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_ASSESSMENT, a->id, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 1, TRUE, taken);
  a->items[8] = 0;
  g_assert_true (traj_store_update_assessment (fx->store, a, &error));
  g_assert_no_error (error);
  assert_state (fx->store, p->id, 0, FALSE, TRAJ_TIME_NONE);
  assert_stored_equals_computed (fx->store);

  /* The course with its records, and the patient: deleted and back. */
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_COURSE, c->id, &error));
  g_assert_no_error (error);
  assert_stored_equals_computed (fx->store);
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_COURSE, c->id, &error));
  g_assert_no_error (error);
  assert_stored_equals_computed (fx->store);
  g_assert_true (traj_store_delete (fx->store, TRAJ_KIND_PATIENT, p->id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 0);
  g_assert_true (traj_store_undelete (fx->store, TRAJ_KIND_PATIENT, p->id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 1);
}

/* A refused write changes no state. */
static void
test_refused_write (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatient) bad = NULL;
  GError *error = NULL;

  p->mrn = g_strdup ("MRN-1");
  p->name = g_strdup ("Ada Abbott");
  p->birth_day = traj_day_from_ymd (1980, 3, 4);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  bad = traj_patient_copy (p);
  g_free (bad->name);
  bad->name = g_strdup ("");
  bad->risk_si_at = fx->now;
  g_assert_false (traj_store_update_patient (fx->store, bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_state (fx->store, p->id, 0, FALSE, TRAJ_TIME_NONE);
}

/* The demo (one bulk write), a CSV import into another clinic, and
 * another program's import into a clinic this connection has open. */
static void
test_bulk_and_other_programs (Fixture *fx, gconstpointer data)
{
  g_autofree char *csv = g_build_filename (fx->dir, "csv", NULL);
  g_autofree char *other_path = g_build_filename (fx->dir, "other.db", NULL);
  g_autofree char *third_path = g_build_filename (fx->dir, "third.db", NULL);
  g_autoptr(TrajStore) other = NULL;
  g_autoptr(TrajStore) third = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(TrajCsvReport) report2 = traj_csv_report_new ();
  g_autofree char *out = NULL, *err = NULL;
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  GError *error = NULL;
  int status = 0;
  guint n_safety = 0;
  g_autoptr(GPtrArray) list = NULL;

  /* More patients than the first batch of states written after the demo
   * (50), with chunks so long that the next batch is twice as big: every
   * patient's state is stored, none left for readers to recompute. */
  g_setenv ("TRAJ_BULK_CHUNK_MS", "60000", TRUE);
  g_assert_true (traj_demo_generate (fx->store, 7, 60, traj_day_today (), NULL, NULL, NULL, NULL, &error));
  g_unsetenv ("TRAJ_BULK_CHUNK_MS");
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM patient_attention"), ==, 60);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 60);
  /* The demo has safety answers: the states are not all empty. */
  list = traj_store_list_patients (fx->store, &error);
  for (guint k = 0; k < list->len; k++)
    n_safety += ((TrajPatientSummary *) g_ptr_array_index (list, k))->safety_open;
  g_assert_cmpuint (n_safety, >, 0);

  g_assert_true (traj_csv_export (fx->store, csv, report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  other = traj_test_open (other_path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_csv_import (other, csv, report2, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_stored_equals_computed (other), ==, 60);

  /* Another program imports into the third clinic while this one has it open. */
  third = traj_test_open (third_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assert_stored_equals_computed (third), ==, 0);
  g_assert_nonnull (cli);
  {
    const char *argv[] = { cli, "import", "--database", traj_test_location (third_path), csv, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("trajectory-cli import failed: %s%s", out, err);
  }
  g_assert_cmpuint (assert_stored_equals_computed (third), ==, 60);
}

/* The list reads the stored state; only states that no longer hold are
 * computed again: a record that became due, other thresholds. */
static void
test_refresh_only_stale (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *sql = NULL;
  GError *error = NULL;
  guint n = 99;
  gint64 first;

  g_assert_true (traj_demo_generate (fx->store, 3, 12, traj_day_today (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  list = traj_store_list_patients (fx->store, &error);
  first = ((TrajPatientSummary *) g_ptr_array_index (list, 0))->id;
  g_clear_pointer (&list, g_ptr_array_unref);

  /* What is stored is what the list shows (no engine behind it). */
  sql = g_strdup_printf ("UPDATE patient_attention SET open_findings = 7 WHERE patient_id = %" G_GINT64_FORMAT, first);
  g_assert_true (traj_test_exec (fx->path, sql, &error));
  g_assert_no_error (error);
  list = traj_store_list_patients (fx->store, &error);
  g_assert_cmpint (((TrajPatientSummary *) g_ptr_array_index (list, 0))->open_findings, ==, 7);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_true (traj_store_refresh_attention (fx->store, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);

  /* Due: computed again, alone. */
  g_free (sql);
  sql = g_strdup_printf ("UPDATE patient_attention SET valid_until = 1 WHERE patient_id = %" G_GINT64_FORMAT, first);
  g_assert_true (traj_test_exec (fx->path, sql, &error));
  g_assert_true (traj_store_refresh_attention (fx->store, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 12);

  /* A missing state too. */
  g_free (sql);
  sql = g_strdup_printf ("DELETE FROM patient_attention WHERE patient_id = %" G_GINT64_FORMAT, first);
  g_assert_true (traj_test_exec (fx->path, sql, &error));
  g_assert_true (traj_store_refresh_attention (fx->store, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 12);

  /* Other thresholds: every state. */
  g_assert_true (traj_store_set_setting (fx->store, "induction-length", "3", &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_refresh_attention (fx->store, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 12);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 12);
}

/* A clinic from before schema 13 gets every patient's state on upgrade. */
static void
test_upgrade_backfill (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  g_assert_true (traj_demo_generate (fx->store, 5, 25, traj_day_today (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&fx->store);
  g_assert_true (traj_test_exec (fx->path, TRAJ_TEST_UNDO_013 "PRAGMA user_version = 12", &error));
  g_assert_no_error (error);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM patient_attention"), ==, 25);
  g_assert_cmpuint (assert_stored_equals_computed (fx->store), ==, 25);
}

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/attention/every-write", test_every_write);
  ADD ("/attention/refused-write", test_refused_write);
  ADD ("/attention/bulk-and-other-programs", test_bulk_and_other_programs);
  ADD ("/attention/refresh-only-stale", test_refresh_only_stale);
  ADD ("/attention/upgrade-backfill", test_upgrade_backfill);
  return g_test_run ();
}
