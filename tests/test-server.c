/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server mode only (issue 14), against the throwaway PostgreSQL of `./dev
 * test`: live updates through LISTEN/NOTIFY, reconnection, least privilege
 * by role, the append-only audit trail, the clinician being the login. */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "traj-cohort.h"
#include "traj-db-pg.h"
#include "traj-demo.h"
#include "traj-store-private.h"
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

/* ---- least privilege ---------------------------------------------------------- */

static const char *clinical_tables[] = {
  "patient", "course", "infusion", "vital_sign", "assessment", "assessment_item", "flag_decision",
  "kiosk_checkin", "cohort_definition", "clinic_setting", "audit_event",
};

static PGconn *
connect_as (Fixture *fx, const char *login, const char *group)
{
  g_autofree char *ci = traj_test_login_conninfo (fx->path, login, group);
  PGconn *conn = PQconnectdb (ci);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

/* Runs @sql and returns its SQLSTATE ("00000" when it worked). */
static char *
run_as (PGconn *conn, const char *sql)
{
  PGresult *res = PQexec (conn, sql);
  char *state;

  if (PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK)
    state = g_strdup ("00000");
  else
    state = g_strdup (PQresultErrorField (res, PG_DIAG_SQLSTATE));
  PQclear (res);
  return state;
}

static void
assert_refused (PGconn *conn, const char *sql)
{
  g_autofree char *state = run_as (conn, sql);

  g_test_message ("%s → %s", sql, state);
  /* 42501: insufficient_privilege, from the grants or the audit triggers. */
  g_assert_cmpstr (state, ==, "42501");
}

static void
assert_allowed (PGconn *conn, const char *sql)
{
  g_autofree char *state = run_as (conn, sql);

  g_test_message ("%s → %s", sql, state);
  g_assert_cmpstr (state, ==, "00000");
}

/* The store's SQL with its parameters ?1, ?2… given values, as psql
 * would send it: the whole patient id range, and 100 for the rest. */
static char *
with_values (const char *sql)
{
  GString *out = g_string_new (NULL);

  for (const char *p = sql; *p; p++)
    {
      if (*p == '?' && g_ascii_isdigit (p[1]))
        {
          int n = 0;

          while (g_ascii_isdigit (p[1]))
            n = n * 10 + (*++p - '0');
          g_string_append (out, n == 1 ? "1" : n == 2 ? "9223372036854775807" : "100");
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static void
test_kiosk_role (Fixture *fx, gconstpointer data)
{
  PGconn *kiosk = connect_as (fx, "Waiting Room Tablet", "trajectory_kiosk");
  g_autofree char *ci = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  /* A stolen tablet login reads nothing of any patient, and changes
   * nothing, whatever SQL it sends. */
  for (guint k = 0; k < G_N_ELEMENTS (clinical_tables); k++)
    {
      g_autofree char *select = g_strdup_printf ("SELECT * FROM %s LIMIT 1", clinical_tables[k]);
      g_autofree char *update = g_strdup_printf ("UPDATE %s SET %s = %s", clinical_tables[k],
                                                 g_str_equal (clinical_tables[k], "assessment_item") ? "value"
                                                 : g_str_equal (clinical_tables[k], "clinic_setting") ? "value" : "id",
                                                 g_str_equal (clinical_tables[k], "assessment_item") ? "value"
                                                 : g_str_equal (clinical_tables[k], "clinic_setting") ? "value" : "id");
      g_autofree char *delete = g_strdup_printf ("DELETE FROM %s", clinical_tables[k]);
      g_autofree char *copy = g_strdup_printf ("COPY %s TO STDOUT", clinical_tables[k]);

      assert_refused (kiosk, select);
      assert_refused (kiosk, update);
      assert_refused (kiosk, delete);
      assert_refused (kiosk, copy);
    }
  assert_refused (kiosk, "INSERT INTO patient (uid, mrn, name, birth_date, sex, indication, created_at, updated_at) "
                         "VALUES ('x', 'x', 'x', '1980-01-01', 'female', 'depression', 0, 0)");
  assert_refused (kiosk, "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
                         "VALUES (0, 'x', 'x', 'x', 'x', 'x', 'x')");
  /* Not even the tables' shapes through a function of its own. */
  assert_refused (kiosk, "CREATE FUNCTION peek () RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM patient'");
  PQfinish (kiosk);

  /* Through the store: the clinic opens, its records do not. */
  ci = traj_test_login_conninfo (fx->path, "Waiting Room Tablet", "trajectory_kiosk");
  store = traj_store_open (ci, &error);
  g_assert_no_error (error);
  p = traj_store_get_patient (store, fx->patient_id, &error);
  g_assert_null (p);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  list = traj_store_list_patients (store, &error);
  g_assert_null (list);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
}

/* What a lead's login may not read (postgres/011): who the patients are,
 * and free text that may say it. */
static const char *lead_hidden[] = {
  "patient.mrn", "patient.name", "patient.birth_date", "patient.notes", "patient.risk_si_by", "course.notes",
  "infusion.lot", "infusion.side_effect_note", "infusion.concomitant", "infusion.notes", "assessment.notes",
  "flag_decision.note", "flag_decision.decided_by",
};

static void
test_lead_role (Fixture *fx, gconstpointer data)
{
  PGconn *lead = connect_as (fx, "Lead Leigh", "trajectory_lead");
  g_autofree char *ci = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gint64 saved = 0;

  /* A lead reads what cohorts need… */
  assert_allowed (lead, "SELECT id, uid, sex, indication, indication_detail, risk_si_at FROM patient");
  assert_allowed (lead, "SELECT id, patient_id, start_date, age_at_start FROM course_cohort");
  assert_allowed (lead, "SELECT * FROM vital_sign, assessment_item LIMIT 1");
  for (guint k = 0; k < 8; k++)
    {
      g_autofree char *sql = with_values (traj_store_cohort_pg_sql (TRUE)[k]);
      assert_allowed (lead, sql);
    }
  /* …but no identifying field, … */
  for (guint k = 0; k < G_N_ELEMENTS (lead_hidden); k++)
    {
      g_auto(GStrv) parts = g_strsplit (lead_hidden[k], ".", 2);
      g_autofree char *select = g_strdup_printf ("SELECT %s FROM %s LIMIT 1", parts[1], parts[0]);
      assert_refused (lead, select);
    }
  assert_refused (lead, "SELECT * FROM patient");
  assert_refused (lead, "SELECT count(*) FROM patient WHERE name LIKE 'A%'");
  {
    g_autofree char *sql = with_values (traj_store_cohort_pg_sql (FALSE)[0]);
    assert_refused (lead, sql);
  }
  /* …and writes no clinical record. */
  for (guint k = 0; k < 8; k++)
    {
      g_autofree char *update = g_strdup_printf ("UPDATE %s SET %s = %s", clinical_tables[k],
                                                 k == 5 ? "value" : "id", k == 5 ? "value" : "id");
      g_autofree char *delete = g_strdup_printf ("DELETE FROM %s", clinical_tables[k]);
      assert_refused (lead, update);
      assert_refused (lead, delete);
    }
  assert_refused (lead, "INSERT INTO patient (uid, mrn, name, birth_date, sex, indication, created_at, updated_at) "
                        "VALUES ('x', 'x', 'x', '1980-01-01', 'female', 'depression', 0, 0)");
  assert_refused (lead, "INSERT INTO clinic_setting (key, value, updated_at, updated_by) VALUES ('x', 'x', 0, 'x')");
  /* A lead's laptop in kiosk mode checks the staff PIN through the
   * tablet's functions, and runs no other: redeeming a check-in code and
   * saving answers write records (a laptop that hands out questionnaires
   * signs in with a kiosk login of its own, README). */
  assert_refused (lead, "SELECT * FROM traj_kiosk_redeem ('ABCD-1234', 'lead-laptop')");
  assert_refused (lead, "SELECT * FROM traj_kiosk_session_answers ('x')");
  {
    PGresult *res = PQexec (lead, "SELECT string_agg (p.oid::regprocedure::text, ' ' ORDER BY 1) FROM pg_proc p "
                                  "WHERE p.proname LIKE 'traj_kiosk%' AND has_function_privilege (p.oid, 'EXECUTE')");

    g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
    g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "traj_kiosk_state(text) traj_kiosk_verify_pin(text,text)");
    PQclear (res);
  }
  PQfinish (lead);

  /* Through the store: the patient list and pages are not the lead's. */
  ci = traj_test_login_conninfo (fx->path, "Lead Leigh", "trajectory_lead");
  store = traj_store_open (ci, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (traj_store_get_clinician (store), ==, "Lead Leigh");
  g_assert_false (traj_store_can_read_identities (store));
  g_assert_true (traj_store_can_read_identities (fx->store));
  list = traj_store_list_patients (store, &error);
  g_assert_null (list);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  p = traj_store_get_patient (store, fx->patient_id, &error);
  g_assert_null (p);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_false (traj_store_can_write_settings (store));
  g_assert_true (traj_store_can_write_settings (fx->store));
  /* A lead keeps their own cohort comparisons. */
  g_assert_true (traj_store_save_cohort (store, "By route", "{}", FALSE, &saved, &error));
  g_assert_no_error (error);
  /* A record the lead tries to write is refused in words that say why
   * and who can (not a database's "constraint failed"). */
  {
    g_autoptr(TrajPatient) other = make_patient ("MRN-LEAD", "Lee Lead");

    g_assert_false (traj_store_insert_patient (store, other, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "Lead Leigh"));
    g_assert_nonnull (strstr (error->message, "clinic lead"));
    g_assert_nonnull (strstr (error->message, "Ask a clinician to do this; nothing was changed"));
    g_clear_error (&error);
  }
}

static const TrajCohortCourse *
find_course (const TrajCohortReport *r, const char *uid)
{
  for (guint k = 0; k < r->courses->len; k++)
    {
      const TrajCohortCourse *c = g_ptr_array_index (r->courses, k);
      if (g_strcmp0 (c->course_uid, uid) == 0)
        return c;
    }
  return NULL;
}

static void
add_course (TrajStore *store, gint64 patient_id, gint32 start_day, char **uid)
{
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(GError) error = NULL;

  c->patient_id = patient_id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = start_day;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (store, c, &error));
  g_assert_no_error (error);
  *uid = g_strdup (c->uid);
}

/* The lead's cohorts are the clinician's, course for course, without the
 * MRN; ages come from the server (course_cohort), as the program counts
 * them. */
static void
test_lead_cohort (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) lead = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajPatient) leap = make_patient ("MRN-2", "Bo Leap");
  g_autofree char *ci = traj_test_login_conninfo (fx->path, "Lead Leigh", "trajectory_lead");
  g_autofree char *before = NULL, *on = NULL, *leap_before = NULL, *leap_on = NULL;
  TrajCohortReport *mine, *theirs;
  TrajThresholds t;

  g_assert_true (traj_demo_generate (fx->store, 7, 40, traj_day_from_time (traj_time_now ()), NULL, NULL, NULL,
                                     NULL, &error));
  g_assert_no_error (error);
  /* Ada, born 17 May 1980: 44 the day before her birthday, 45 on it. */
  add_course (fx->store, fx->patient_id, traj_day_from_ymd (2025, 5, 16), &before);
  add_course (fx->store, fx->patient_id, traj_day_from_ymd (2025, 5, 17), &on);
  /* Born 29 February 2000: 22 on 28 February 2023, 23 on 1 March. */
  leap->birth_day = traj_day_from_ymd (2000, 2, 29);
  g_assert_true (traj_store_insert_patient (fx->store, leap, &error));
  g_assert_no_error (error);
  add_course (fx->store, leap->id, traj_day_from_ymd (2023, 2, 28), &leap_before);
  add_course (fx->store, leap->id, traj_day_from_ymd (2023, 3, 1), &leap_on);

  lead = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_thresholds_init_defaults (&t);
  def->group_by = TRAJ_COHORT_FIELD_AGE_BAND;
  mine = traj_cohort_compute (fx->store, def, &t, traj_time_now (), NULL, &error);
  g_assert_no_error (error);
  theirs = traj_cohort_compute (lead, def, &t, traj_time_now (), NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (find_course (theirs, before)->age, ==, 44);
  g_assert_cmpint (find_course (theirs, on)->age, ==, 45);
  g_assert_cmpint (find_course (theirs, leap_before)->age, ==, 22);
  g_assert_cmpint (find_course (theirs, leap_on)->age, ==, 23);
  g_assert_cmpuint (mine->courses->len, >, 40);
  g_assert_cmpuint (theirs->courses->len, ==, mine->courses->len);
  for (guint k = 0; k < mine->courses->len; k++)
    {
      const TrajCohortCourse *a = g_ptr_array_index (mine->courses, k);
      const TrajCohortCourse *b = g_ptr_array_index (theirs->courses, k);

      g_assert_cmpstr (a->course_uid, ==, b->course_uid);
      g_assert_cmpstr (a->patient_uid, ==, b->patient_uid);
      g_assert_nonnull (a->mrn);
      g_assert_true (b->mrn == NULL || *b->mrn == '\0');
      g_assert_cmpint (a->age, ==, b->age);
      g_assert_cmpint (a->age_band, ==, b->age_band);
      g_assert_cmpint (a->n_infusions, ==, b->n_infusions);
      g_assert_cmpint (a->has_baseline, ==, b->has_baseline);
      g_assert_cmpint (a->baseline, ==, b->baseline);
    }
  g_assert_cmpuint (theirs->cohorts->len, ==, mine->cohorts->len);
  for (guint k = 0; k < mine->cohorts->len; k++)
    {
      const TrajCohort *a = g_ptr_array_index (mine->cohorts, k);
      const TrajCohort *b = g_ptr_array_index (theirs->cohorts, k);

      g_assert_cmpstr (a->key, ==, b->key);
      g_assert_cmpuint (a->n_courses, ==, b->n_courses);
      g_assert_cmpuint (a->n_patients, ==, b->n_patients);
      g_assert_cmpuint (a->n_responders, ==, b->n_responders);
    }
  traj_cohort_report_free (mine);
  traj_cohort_report_free (theirs);
}

static void
test_audit_for_everyone (Fixture *fx, gconstpointer data)
{
  static const char *groups[] = { "trajectory_clinician", "trajectory_lead", "trajectory_kiosk" };
  static const char *logins[] = { "Clinician Cole", "Lead Leigh", "Waiting Room Tablet" };
  g_autofree char *admin_ci = traj_test_admin_conninfo (fx->path);
  PGconn *admin = PQconnectdb (admin_ci);
  gint64 n = traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event");

  g_assert_cmpint (n, >, 0);
  for (guint k = 0; k < G_N_ELEMENTS (groups); k++)
    {
      PGconn *conn = connect_as (fx, logins[k], groups[k]);
      assert_refused (conn, "UPDATE audit_event SET summary = 'x'");
      assert_refused (conn, "DELETE FROM audit_event");
      assert_refused (conn, "TRUNCATE audit_event");
      PQfinish (conn);
    }
  /* Not even its owner, the administrator. */
  assert_refused (admin, "UPDATE audit_event SET summary = 'x'");
  assert_refused (admin, "DELETE FROM audit_event");
  assert_refused (admin, "TRUNCATE audit_event");
  PQfinish (admin);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event"), ==, n);
}

/* The lead reads the trail without the words that may name a patient
 * (postgres/021): not audit_event, whatever SQL it sends, but a view with
 * who, when, what and which record; and it still checks the chain, through
 * the server's walk, which finds a change as the clinician's own does. */
static void
assert_chain_broken (TrajStore *store, const char *expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (traj_store_audit_verify (store, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_AUDIT_BROKEN);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

/* Runs @sql on audit_event as its owner, with its append-only trigger off. */
static void
tamper (Fixture *fx, const char *sql)
{
  g_autofree char *all = g_strdup_printf ("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change; %s; "
                                          "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change", sql);
  g_autoptr(GError) error = NULL;

  g_assert_true (traj_test_exec (fx->path, all, &error));
  g_assert_no_error (error);
}

static void
test_lead_audit_view (Fixture *fx, gconstpointer data)
{
  PGconn *lead = connect_as (fx, "Lead Leigh", "trajectory_lead");
  g_autofree char *ci = traj_test_login_conninfo (fx->path, "Lead Leigh", "trajectory_lead");
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(GPtrArray) mine = NULL, theirs = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) actions = NULL, people = NULL;
  g_autofree char *change_sql = NULL, *undo_sql = NULL, *remove_sql = NULL;
  g_autofree char *changed = NULL, *removed = NULL, *summary = NULL;
  TrajAuditFilter all = { .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  gint64 n_mine = 0, n_theirs = 0, insert_id, update_id;
  guint reads = 0;

  /* An edit (its detail holds the name before and after) and a page read. */
  p = traj_store_get_patient (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_free (p->name);
  p->name = g_strdup ("Ada Abbott-Byrne");
  g_assert_true (traj_store_update_patient (fx->store, p, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_record_read (fx->store, fx->patient_id, "patient page", &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_record_read (fx->store, fx->patient_id, "Ada Abbott's page", &error));
  g_assert_no_error (error);
  insert_id = traj_test_query_int (fx->path, "SELECT min (id) FROM audit_event WHERE summary = 'patient MRN MRN-1'");
  update_id = traj_test_query_int (fx->path, "SELECT min (id) FROM audit_event WHERE detail LIKE '%Abbott-Byrne%'");
  g_assert_cmpint (insert_id, >, 0);
  g_assert_cmpint (update_id, >, insert_id);

  /* Whatever SQL the lead's login sends, the table's words are refused. */
  assert_refused (lead, "SELECT * FROM audit_event");
  assert_refused (lead, "SELECT summary FROM audit_event");
  assert_refused (lead, "SELECT detail FROM audit_event WHERE id > 0");
  assert_refused (lead, "SELECT count (*) FROM audit_event WHERE summary LIKE '%MRN-1%'");
  assert_refused (lead, "COPY audit_event TO STDOUT");
  assert_allowed (lead, "SELECT * FROM audit_event_lead");
  assert_allowed (lead, "SELECT * FROM traj_audit_walk ()");
  PQfinish (lead);

  /* Through the store, the Audit Trail window's and the CLI's reads. */
  store = traj_store_open (ci, &error);
  g_assert_no_error (error);
  mine = traj_store_list_audit_filtered (fx->store, &all, &error);
  g_assert_no_error (error);
  theirs = traj_store_list_audit_filtered (store, &all, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (theirs->len, ==, mine->len);
  g_assert_cmpint (traj_store_count_audit_filtered (store, &all, &error), ==, mine->len);
  for (guint k = 0; k < theirs->len; k++)
    {
      const TrajAuditEvent *a = g_ptr_array_index (mine, k), *b = g_ptr_array_index (theirs, k);

      /* Who, when, what, which record: the same. */
      g_assert_cmpint (b->id, ==, a->id);
      g_assert_cmpint (b->at, ==, a->at);
      g_assert_cmpstr (b->clinician, ==, a->clinician);
      g_assert_cmpstr (b->action, ==, a->action);
      g_assert_cmpstr (b->record_kind, ==, a->record_kind);
      g_assert_cmpstr (b->record_uid, ==, a->record_uid);
      g_assert_cmpstr (b->patient_uid, ==, a->patient_uid);
      /* The words: none of the patient's, no detail at all. */
      g_assert_cmpstr (b->detail, ==, "");
      g_assert_null (strstr (b->summary, "MRN"));
      g_assert_null (strstr (b->summary, "Abbott"));
      if (b->id == insert_id || b->id == update_id)
        {
          g_assert_cmpstr (b->summary, ==, "");
          g_assert_cmpstr (a->summary, ==, "patient MRN MRN-1");
        }
      if (g_str_equal (b->action, "read"))
        {
          /* The access log's fixed words stay; anything else is dropped. */
          g_assert_cmpstr (b->summary, ==, g_str_equal (a->summary, "patient page") ? "patient page" : "");
          reads++;
        }
    }
  g_assert_cmpuint (reads, ==, 2);
  actions = traj_store_audit_actions (store, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) actions, "read"));
  g_assert_true (g_strv_contains ((const char * const *) actions, "update"));
  people = traj_store_audit_people (store, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) people, TRAJ_TEST_LOGIN));

  /* The chain checks out for both, event for event. */
  g_assert_true (traj_store_audit_verify (fx->store, &n_mine, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_audit_verify (store, &n_theirs, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_theirs, ==, n_mine);
  g_assert_cmpint (n_theirs, ==, mine->len);

  /* Its owner changes an event behind the triggers' back: both see it, at
   * that event; put back, the chain is whole again; taken out, it is
   * missed. */
  summary = traj_test_query_text (fx->path, "SELECT summary FROM audit_event WHERE id = (SELECT min (id) FROM audit_event "
                                            "WHERE summary = 'patient MRN MRN-1')");
  change_sql = g_strdup_printf ("UPDATE audit_event SET summary = 'patient MRN MRN-2' WHERE id = %" G_GINT64_FORMAT,
                                insert_id);
  tamper (fx, change_sql);
  changed = g_strdup_printf ("event %" G_GINT64_FORMAT " was changed", insert_id);
  assert_chain_broken (fx->store, changed);
  assert_chain_broken (store, changed);
  undo_sql = g_strdup_printf ("UPDATE audit_event SET summary = '%s' WHERE id = %" G_GINT64_FORMAT, summary, insert_id);
  tamper (fx, undo_sql);
  g_assert_true (traj_store_audit_verify (store, &n_theirs, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n_theirs, ==, n_mine);
  remove_sql = g_strdup_printf ("DELETE FROM audit_event WHERE id = %" G_GINT64_FORMAT, update_id);
  tamper (fx, remove_sql);
  removed = g_strdup_printf ("event %" G_GINT64_FORMAT " was removed", update_id);
  assert_chain_broken (fx->store, removed);
  assert_chain_broken (store, removed);
}

static void
test_clinician_is_login (Fixture *fx, gconstpointer data)
{
  PGconn *conn = connect_as (fx, "Clinician Cole", "trajectory_clinician");
  g_autofree char *who = NULL;

  /* A clinician cannot write someone else's name into the trail. */
  assert_allowed (conn, "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
                        "VALUES (0, 'x', 'Dr. Somebody Else', 'test', 'x', 'forged', 'x')");
  PQfinish (conn);
  who = traj_test_query_text (fx->path, "SELECT clinician FROM audit_event WHERE record_uid = 'forged'");
  g_assert_cmpstr (who, ==, "Clinician Cole");
}

/* Refused at the commit, whatever it did before: the transaction is gone. */
static void
assert_unaudited (PGconn *conn, const char *sql)
{
  g_autofree char *all = g_strdup_printf ("BEGIN; %s; COMMIT", sql);
  PGresult *res = PQexec (conn, all);

  g_test_message ("%s → %s", all, PQresultErrorMessage (res));
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "42501");
  g_assert_nonnull (strstr (PQresultErrorMessage (res), "every change must be audited"));
  PQclear (res);
  PQclear (PQexec (conn, "ROLLBACK"));
}

/* A clinician's login with psql changes no record the trail does not
 * explain (postgres/024), and its event gets the server's time. */
static void
test_unaudited_write (Fixture *fx, gconstpointer data)
{
  PGconn *conn = connect_as (fx, "Clinician Cole", "trajectory_clinician");
  gint64 events = traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event");
  g_autofree char *name = traj_test_query_text (fx->path, "SELECT name FROM patient WHERE mrn = 'MRN-1'");
  g_autofree char *after = NULL;
  gint64 at;

  assert_unaudited (conn, "UPDATE patient SET name = 'Changed Silently'");
  /* Without BEGIN, the statement is its own transaction. */
  g_free (after);
  after = run_as (conn, "UPDATE patient SET notes = 'x'");
  g_assert_cmpstr (after, ==, "42501");
  g_clear_pointer (&after, g_free);
  after = traj_test_query_text (fx->path, "SELECT name FROM patient WHERE mrn = 'MRN-1'");
  g_assert_cmpstr (after, ==, name);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event"), ==, events);

  /* With an event in the same transaction it goes through, and the event
   * has the server's time and login, whatever was sent. */
  assert_allowed (conn, "BEGIN; UPDATE patient SET name = 'Ada Abbott' WHERE mrn = 'MRN-1'; "
                        "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
                        "VALUES (1000000000, 'x', 'Dr. Somebody Else', 'update', 'patient', 'by-hand', 'x'); COMMIT");
  PQfinish (conn);
  at = traj_test_query_int (fx->path, "SELECT at FROM audit_event WHERE record_uid = 'by-hand'");
  g_assert_cmpint (ABS (at - traj_time_now ()), <, 60);
  g_free (after);
  after = traj_test_query_text (fx->path, "SELECT clinician FROM audit_event WHERE record_uid = 'by-hand'");
  g_assert_cmpstr (after, ==, "Clinician Cole");
}

#define TEST_EVENT(action) \
  "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) " \
  "VALUES (0, 'x', 'x', '" action "', 'patient', 'by-hand', 'x'); "

/* In a transaction that ROLLBACKs, so each case starts from the same rows. */
static void
assert_check_refused (PGconn *conn, const char *sql)
{
  g_autofree char *all = g_strdup_printf ("BEGIN; " TEST_EVENT ("update") "%s; COMMIT", sql);
  PGresult *res = PQexec (conn, all);

  g_test_message ("%s → %s", all, PQresultErrorMessage (res));
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
  /* 23514: check_violation, from a CHECK or the total's trigger. */
  g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "23514");
  PQclear (res);
  PQclear (PQexec (conn, "ROLLBACK"));
}

/* A PHQ-9 whose nine answers add up to 19, stated with @total. */
static char *
sum_check_insert (gint64 patient_id, int total)
{
  return g_strdup_printf ("INSERT INTO assessment (uid, patient_id, scale, taken_at, source, timing, complete, total) "
                          "VALUES ('sum-check', %" G_GINT64_FORMAT ", 'phq9', 1700000000, 'clinician', 'other', 1, %d); "
                          "INSERT INTO assessment_item (assessment_id, item, value) "
                          "SELECT currval ('assessment_id_seq'), i, CASE WHEN i <= 5 THEN 3 ELSE 1 END "
                          "FROM generate_series (1, 9) AS i",
                          patient_id, total);
}

/* The records trial's finding 2 (trial-repro/clinician_bypass.sql): one
 * decoy "view" event let a clinician's psql write an escape sequence into
 * a name, delete a vital sign and set a questionnaire's total to 0 while its
 * answers add up to 20. The database now holds the rules import holds. */
static void
test_database_rules (Fixture *fx, gconstpointer data)
{
  PGconn *conn = connect_as (fx, "Clinician Cole", "trajectory_clinician");
  g_autofree char *name = traj_test_query_text (fx->path, "SELECT name FROM patient WHERE mrn = 'MRN-1'");
  g_autofree char *after = NULL;

  /* A read, a view or a made-up action explains no change. */
  assert_unaudited (conn, TEST_EVENT ("view") "UPDATE patient SET notes = 'x'");
  assert_unaudited (conn, TEST_EVENT ("routine check") "UPDATE patient SET notes = 'x'");
  assert_unaudited (conn, TEST_EVENT ("read") "UPDATE patient SET birth_date = birth_date");
  /* A change event about another kind of record explains no change here. */
  assert_unaudited (conn, "INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
                          "VALUES (0, 'x', 'x', 'update', 'cohort_definition', 'x', 'x'); "
                          "UPDATE patient SET notes = 'x'");

  /* No control character in a name or an MRN; a note keeps its lines. */
  assert_check_refused (conn, "UPDATE patient SET name = E'Changed\\x1b[31m Silently' WHERE mrn = 'MRN-1'");
  assert_check_refused (conn, "UPDATE patient SET mrn = E'MRN\\t1' WHERE mrn = 'MRN-1'");
  assert_check_refused (conn, "UPDATE patient SET notes = E'bell\\x07' WHERE mrn = 'MRN-1'");
  assert_allowed (conn, "BEGIN; " TEST_EVENT ("update")
                        "UPDATE patient SET notes = E'first line\\r\\nsecond\\tline' WHERE mrn = 'MRN-1'; COMMIT");
  after = traj_test_query_text (fx->path, "SELECT name FROM patient WHERE mrn = 'MRN-1'");
  g_assert_cmpstr (after, ==, name);

  /* A complete questionnaire's total is the sum of its answers, checked
   * at the commit whichever of the two was written last. */
  {
    g_autofree char *wrong = sum_check_insert (fx->patient_id, 0);
    g_autofree char *right = sum_check_insert (fx->patient_id, 19);
    g_autofree char *all = g_strdup_printf ("BEGIN; " TEST_EVENT ("insert") "%s; COMMIT", right);

    assert_check_refused (conn, wrong);
    assert_allowed (conn, all);
  }
  assert_check_refused (conn, "UPDATE assessment SET total = 0 WHERE uid = 'sum-check'");
  assert_check_refused (conn, "UPDATE assessment_item SET value = 0 WHERE item = 1 AND assessment_id = "
                              "(SELECT id FROM assessment WHERE uid = 'sum-check')");
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT total FROM assessment WHERE uid = 'sum-check'"), ==, 19);
  /* A draft has no total to match. */
  assert_allowed (conn, "BEGIN; " TEST_EVENT ("update")
                        "UPDATE assessment SET complete = 0, total = NULL WHERE uid = 'sum-check'; COMMIT");
  PQfinish (conn);
}

/* Check-in codes, cohort definitions, clinic settings and the counts of
 * wrong secrets are held to the trail too, and an event that only says
 * something was read explains no change (postgres/026). */
static void
test_unaudited_other_tables (Fixture *fx, gconstpointer data)
{
  static const char * const writes[] = {
    "UPDATE kiosk_checkin SET expires_at = expires_at + 86400",
    "UPDATE kiosk_checkin SET revoked_at = NULL",
    "INSERT INTO cohort_definition (uid, name, definition, created_at, updated_at) "
    "VALUES ('silent', 'Silent', '{}', 0, 0)",
    "UPDATE cohort_definition SET definition = '{}'",
    "UPDATE clinic_setting SET value = value",
    "INSERT INTO clinic_setting (key, value, updated_at, updated_by) VALUES ('phq9-response', '10', 0, 'x')",
    "UPDATE secret_attempt SET locked_until = 0, failures = 0",
    "INSERT INTO secret_attempt_device (kind, device, failures) VALUES ('staff-pin', 'psql', 0)",
    "UPDATE secret_attempt_device SET failures = 0",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  PGconn *conn;
  gint64 checkin_id = 0, events, wrong;

  /* One of each, written by the program with its events. */
  code = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, &checkin_id, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, "731594", &error));
  g_assert_no_error (error);
  g_assert_false (traj_store_verify_staff_pin (fx->store, "802519", NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_true (traj_store_save_cohort (fx->store, "Everyone", "{}", FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM secret_attempt_device"), >, 0);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM clinic_setting"), >, 0);

  conn = connect_as (fx, "Clinician Cole", "trajectory_clinician");
  events = traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event");
  for (guint k = 0; k < G_N_ELEMENTS (writes); k++)
    {
      g_autofree char *read = g_strdup_printf (
        "%s; INSERT INTO audit_event (at, os_user, clinician, action, record_kind, record_uid, summary) "
        "VALUES (0, 'x', 'x', 'read', 'clinic', '', 'only looked')", writes[k]);

      assert_unaudited (conn, writes[k]);
      assert_unaudited (conn, read);
    }
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event"), ==, events);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM cohort_definition WHERE uid = 'silent'"), ==, 0);

  /* Nor does a report or an export, on a clinical record either. */
  assert_unaudited (conn, "UPDATE patient SET deleted_at = 1; INSERT INTO audit_event (at, os_user, clinician, action, "
                          "record_kind, record_uid, summary) VALUES (0, 'x', 'x', 'export', 'clinic', '', 'x')");
  assert_unaudited (conn, "UPDATE patient SET notes = 'x'; INSERT INTO audit_event (at, os_user, clinician, action, "
                          "record_kind, record_uid, summary) VALUES (0, 'x', 'x', 'report', 'clinic', '', 'x')");

  /* The program's own writes still go through: a wrong PIN is counted,
   * the code is cancelled. */
  wrong = traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event WHERE action = 'wrong-pin'");
  g_assert_false (traj_store_verify_staff_pin (fx->store, "802519", NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event WHERE action = 'wrong-pin'"), ==,
                   wrong + 1);
  g_assert_true (traj_store_revoke_checkin (fx->store, checkin_id, &error));
  g_assert_no_error (error);
  PQfinish (conn);
}

/* Everything @conn has been told, one "channel payload" a line, after a
 * round trip (a backend hands over what it heard before it answers). */
static char *
heard (PGconn *conn)
{
  GString *out = g_string_new (NULL);
  PGnotify *n;

  PQclear (PQexec (conn, "SELECT 1"));
  PQconsumeInput (conn);
  while ((n = PQnotifies (conn)) != NULL)
    {
      g_string_append_printf (out, "%s %s\n", n->relname, n->extra);
      PQfreemem (n);
    }
  return g_string_free (out, FALSE);
}

/* PostgreSQL has no privilege for LISTEN: a tablet's kiosk login may
 * LISTEN on any channel. It hears nothing of the clinic's changes, which
 * go to a channel it cannot name (postgres/027). */
static void
test_kiosk_hears_nothing (Fixture *fx, gconstpointer data)
{
  PGconn *kiosk = connect_as (fx, "Tablet One", "trajectory_kiosk");
  PGconn *clinician = connect_as (fx, "Clinician Cole", "trajectory_clinician");
  g_autoptr(TrajAssessment) a = make_phq9 (fx->patient_id, 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = traj_test_query_text (fx->path, "SELECT name FROM live_channel");
  g_autofree char *listen = g_strdup_printf ("LISTEN %s", channel);
  g_autofree char *kiosk_heard = NULL, *clinician_heard = NULL, *prefix = NULL;

  g_assert_true (g_str_has_prefix (channel, "trajectory_"));
  assert_allowed (kiosk, "LISTEN trajectory_changes");
  assert_allowed (kiosk, "LISTEN trajectory");
  assert_refused (kiosk, "SELECT name FROM live_channel");
  /* Nor is the name in any function's source the tablet can read. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_proc WHERE prosrc LIKE '%%%s%%'", channel);
    PGresult *res = PQexec (kiosk, sql);

    g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
    g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "0");
    PQclear (res);
  }
  assert_allowed (clinician, listen);
  g_free (heard (kiosk));

  g_assert_true (traj_store_insert_assessment (fx->store, a, &error));
  g_assert_no_error (error);

  /* The clinician's session heard the patient's change; the tablet, nothing. */
  clinician_heard = heard (clinician);
  prefix = g_strdup_printf ("%s assessment:%" G_GINT64_FORMAT, channel, fx->patient_id);
  g_assert_nonnull (strstr (clinician_heard, prefix));
  kiosk_heard = heard (kiosk);
  g_assert_cmpstr (kiosk_heard, ==, "");
  PQfinish (kiosk);
  PQfinish (clinician);
}

static void
test_read_events (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) reads = NULL;
  g_autofree char *uid = NULL;
  TrajAuditEvent *e;

  g_assert_true (traj_store_record_read (fx->store, fx->patient_id, "patient page", &error));
  g_assert_no_error (error);
  uid = traj_test_query_text (fx->path, "SELECT uid FROM patient WHERE mrn = 'MRN-1'");
  reads = traj_store_list_audit (fx->store, uid, &error);
  g_assert_no_error (error);
  e = g_ptr_array_index (reads, 0);
  g_assert_cmpstr (e->action, ==, "read");
  g_assert_cmpstr (e->summary, ==, "patient page");
  g_assert_cmpstr (e->clinician, ==, TRAJ_TEST_LOGIN);
}

static void
test_add_login (Fixture *fx, gconstpointer data)
{
  g_autofree char *admin_ci = traj_test_admin_conninfo (fx->path);
  g_autoptr(TrajStore) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL, *member = NULL, *can = NULL;

  admin = traj_store_open (admin_ci, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_server_add_login (admin, "Nurse Nia", TRAJ_SERVER_ROLE_CLINICIAN, "a long passphrase", &error));
  g_assert_no_error (error);
  /* The server holds a SCRAM verifier, never the password. */
  verifier = traj_test_query_text (fx->path, "SELECT rolpassword FROM pg_authid WHERE rolname = 'Nurse Nia'");
  g_assert_true (g_str_has_prefix (verifier, "SCRAM-SHA-256$"));
  g_assert_null (strstr (verifier, "a long passphrase"));
  member = traj_test_query_text (fx->path, "SELECT pg_has_role ('Nurse Nia', 'trajectory_clinician', 'MEMBER')");
  g_assert_cmpstr (member, ==, "t");
  can = traj_test_query_text (fx->path, "SELECT has_database_privilege ('Nurse Nia', current_database (), 'CONNECT')");
  g_assert_cmpstr (can, ==, "t");
  /* A role can be changed; a short password is refused. */
  g_assert_true (traj_store_server_add_login (admin, "Nurse Nia", TRAJ_SERVER_ROLE_LEAD, "another passphrase", &error));
  g_clear_pointer (&member, g_free);
  member = traj_test_query_text (fx->path, "SELECT pg_has_role ('Nurse Nia', 'trajectory_clinician', 'MEMBER')");
  g_assert_cmpstr (member, ==, "f");
  g_assert_false (traj_store_server_add_login (admin, "Nurse Nia", TRAJ_SERVER_ROLE_LEAD, "short", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
}

static int
backend_pid (TrajStore *s)
{
  PGresult *res = PQexec (traj_db_pg_conn (traj_store_get_connection (s)), "SELECT pg_backend_pid ()");
  int pid;

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  pid = atoi (PQgetvalue (res, 0, 0));
  PQclear (res);
  return pid;
}

/* A released secondary connection serves the next reader without a new
 * sign-in (a cohort opens two each time), a secondary of a secondary
 * draws on the first store's, and one released inside a transaction is
 * closed, not kept. */
static void
test_secondary_reused (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  TrajStore *a, *b, *c;
  int pid_a, pid_c;

  a = traj_store_open_secondary (fx->store, &error);
  g_assert_no_error (error);
  pid_a = backend_pid (a);
  g_assert_cmpint (pid_a, !=, backend_pid (fx->store));
  traj_store_release_secondary (a);
  g_assert_cmpuint (fx->store->idle->len, ==, 1);

  b = traj_store_open_secondary (fx->store, &error);
  g_assert_no_error (error);
  g_assert_true (b == a);
  g_assert_cmpint (backend_pid (b), ==, pid_a);
  g_assert_cmpuint (fx->store->idle->len, ==, 0);
  c = traj_store_open_secondary (b, &error);
  g_assert_no_error (error);
  pid_c = backend_pid (c);
  g_assert_cmpint (pid_c, !=, pid_a);

  g_assert_true (traj_db_begin (traj_store_get_connection (c), FALSE, &error));
  g_assert_no_error (error);
  traj_store_release_secondary (c);
  g_assert_true (fx->store->idle == NULL || fx->store->idle->len == 0);
  traj_store_release_secondary (b);
  g_assert_cmpuint (fx->store->idle->len, ==, 1);

  /* The kept one reads as any store does. */
  a = traj_store_open_secondary (fx->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (backend_pid (a), ==, pid_a);
  {
    g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (a, fx->patient_id, &error);
    g_assert_no_error (error);
    g_assert_nonnull (r);
  }
  traj_store_release_secondary (a);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Registered in the postgres suite only. */
  g_assert_true (traj_test_postgres ());
  g_test_add ("/server/live-updates", Fixture, NULL, fixture_setup, test_live_updates, fixture_teardown);
  g_test_add ("/server/reconnect", Fixture, NULL, fixture_setup, test_reconnect, fixture_teardown);
  g_test_add ("/server/roles/kiosk", Fixture, NULL, fixture_setup, test_kiosk_role, fixture_teardown);
  g_test_add ("/server/roles/lead", Fixture, NULL, fixture_setup, test_lead_role, fixture_teardown);
  g_test_add ("/server/roles/lead-cohort", Fixture, NULL, fixture_setup, test_lead_cohort, fixture_teardown);
  g_test_add ("/server/audit/append-only-for-everyone", Fixture, NULL, fixture_setup, test_audit_for_everyone,
              fixture_teardown);
  g_test_add ("/server/audit/lead-view", Fixture, NULL, fixture_setup, test_lead_audit_view, fixture_teardown);
  g_test_add ("/server/audit/clinician-is-login", Fixture, NULL, fixture_setup, test_clinician_is_login,
              fixture_teardown);
  g_test_add ("/server/audit/unaudited-write", Fixture, NULL, fixture_setup, test_unaudited_write,
              fixture_teardown);
  g_test_add ("/server/audit/database-rules", Fixture, NULL, fixture_setup, test_database_rules, fixture_teardown);
  g_test_add ("/server/audit/unaudited-other-tables", Fixture, NULL, fixture_setup, test_unaudited_other_tables,
              fixture_teardown);
  g_test_add ("/server/live-updates/kiosk-hears-nothing", Fixture, NULL, fixture_setup, test_kiosk_hears_nothing,
              fixture_teardown);
  g_test_add ("/server/audit/read-events", Fixture, NULL, fixture_setup, test_read_events, fixture_teardown);
  g_test_add ("/server/logins/add", Fixture, NULL, fixture_setup, test_add_login, fixture_teardown);
  g_test_add ("/server/secondary/reused", Fixture, NULL, fixture_setup, test_secondary_reused, fixture_teardown);
  return g_test_run ();
}
