/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A tablet signed in to the clinic server with a kiosk login (issue 14),
 * against the throwaway PostgreSQL of `./dev test`: through the store's
 * usual kiosk calls (which go through the server's kiosk functions) it
 * checks a patient in and submits a PHQ-9 whose item 9 reaches the
 * clinicians; and whatever SQL it sends, it reads no patient, score, audit
 * row or secret hash, and writes into no patient it did not check in.
 * Wrong PINs and codes are limited per device as on a clinic file. */
#include "config.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <string.h>

#include "traj-outcomes.h"
#include "traj-secret.h"
#include "traj-store-alert.h"
#include "traj-store.h"
#include "traj-test-db.h"

#define PIN "731594"
#define TABLET_LOGIN "Waiting Room Tablet"
#define LEAD_LOGIN "Lead Leigh"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;     /* the clinician's workstation */
  TrajStore *tablet;    /* the kiosk login */
  gint64 patient_id;
  gint64 other_id;
} Fixture;

static gint64
add_patient (TrajStore *store, const char *mrn, const char *name, int year)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(GError) error = NULL;

  p->mrn = g_strdup (mrn);
  p->name = g_strdup (name);
  p->birth_day = traj_day_from_ymd (year, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  g_assert_no_error (error);
  return p->id;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ci = NULL;

  fx->dir = g_dir_make_tmp ("traj-server-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  fx->patient_id = add_patient (fx->store, "MRN-1", "Ada Abbott", 1980);
  fx->other_id = add_patient (fx->store, "MRN-2", "Bea Brown", 1975);
  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, PIN, &error));
  g_assert_no_error (error);

  ci = traj_test_login_conninfo (fx->path, TABLET_LOGIN, "trajectory_kiosk");
  fx->tablet = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_store_set_device (fx->tablet, "tablet-1", TRUE);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->tablet);
  g_clear_object (&fx->store);
  g_rmdir (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

static PGconn *
connect_tablet (Fixture *fx)
{
  g_autofree char *ci = traj_test_login_conninfo (fx->path, TABLET_LOGIN, "trajectory_kiosk");
  PGconn *conn = PQconnectdb (ci);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

/* @sql's SQLSTATE ("00000" when it worked), and its first value. */
static char *
run_as (PGconn *conn, const char *sql, char **value)
{
  PGresult *res = PQexec (conn, sql);
  char *state;

  if (PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK)
    {
      state = g_strdup ("00000");
      if (value)
        *value = PQntuples (res) > 0 ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
    }
  else
    state = g_strdup (PQresultErrorField (res, PG_DIAG_SQLSTATE));
  PQclear (res);
  return state;
}

static void
assert_refused (PGconn *conn, const char *sql)
{
  g_autofree char *state = run_as (conn, sql, NULL);

  g_test_message ("%s → %s", sql, state);
  g_assert_cmpstr (state, ==, "42501");
}

static TrajAssessment *
phq9 (gint64 patient_id, int item9)
{
  TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);

  a->patient_id = patient_id;
  a->taken_at = traj_time_now ();
  a->source = TRAJ_SOURCE_TABLET;
  a->timing = TRAJ_TIMING_BETWEEN;
  for (guint k = 0; k < 9; k++)
    a->items[k] = 1;
  a->items[8] = item9;
  return a;
}

static char *
new_code (Fixture *fx, gint64 patient_id, gint64 *checkin_id)
{
  g_autoptr(GError) error = NULL;
  char *code = traj_store_create_checkin (fx->store, patient_id, "phq9", 3600, checkin_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (code);
  return code;
}

typedef struct {
  guint count;
  gint64 patient_id;
} Seen;

static void
on_changed (TrajStore *store, guint kind, gint64 patient_id, Seen *seen)
{
  if (kind == TRAJ_KIND_ASSESSMENT)
    {
      seen->count++;
      seen->patient_id = patient_id;
    }
}

/* ---- a whole check-in -------------------------------------------------------------- */

static void
test_check_in_and_submit (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajPatientRecords) none = NULL;
  g_autoptr(TrajAssessment) draft = phq9 (fx->patient_id, 0);
  g_autoptr(TrajAssessment) a = phq9 (fx->patient_id, 2);
  g_autoptr(TrajAssessment) again = NULL;
  g_autoptr(TrajAssessment) back = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  gint32 born = traj_day_from_ymd (1980, 5, 17);
  gint64 checkin_id = 0, started = traj_time_now (), deadline;
  gboolean has_pin = FALSE, asked = FALSE;
  Seen seen = { 0 };

  g_assert_true (traj_store_watch_changes (fx->store, &error));
  g_assert_no_error (error);
  g_signal_connect (fx->store, "changed", G_CALLBACK (on_changed), &seen);
  code = new_code (fx, fx->patient_id, &checkin_id);

  /* What the tablet's screens ask before anything: through the server's
   * functions, as the login reads no setting. */
  traj_store_has_staff_pin (fx->tablet, &has_pin, &error);
  g_assert_no_error (error);
  g_assert_true (has_pin);
  g_assert_true (traj_store_get_checkin_birth_date (fx->tablet, &asked, &error));
  g_assert_true (asked);
  g_assert_true (traj_store_verify_staff_pin (fx->tablet, PIN, NULL, &error));
  g_assert_no_error (error);

  /* The code with the wrong birth date is a wrong code; with the right one,
   * the check-in. */
  g_assert_null (traj_store_redeem_checkin (fx->tablet, code, traj_day_from_ymd (1980, 5, 18), NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  c = traj_store_redeem_checkin (fx->tablet, code, born, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->id, ==, checkin_id);
  g_assert_cmpint (c->patient_id, ==, fx->patient_id);
  g_assert_cmpstr (c->scales, ==, "phq9");

  /* The session shows the first name, nothing else of the patient. */
  r = traj_store_load_patient_records (fx->tablet, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->patient->name, ==, "Ada");
  g_assert_null (r->patient->mrn);
  g_assert_cmpint (r->patient->birth_day, ==, TRAJ_DAY_NONE);
  none = traj_store_load_patient_records (fx->tablet, fx->other_id, &error);
  g_assert_null (none);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);

  /* A draft, then the whole questionnaire. */
  draft->items[5] = draft->items[6] = draft->items[7] = draft->items[8] = -1;
  draft->draft = TRUE;
  g_assert_true (traj_store_insert_assessment (fx->tablet, draft, &error));
  g_assert_no_error (error);
  g_assert_cmpint (draft->id, >, 0);
  g_assert_true (traj_store_insert_assessment (fx->tablet, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->id, >, 0);

  /* The clinician sees both, scored as on a workstation: 8 × 1 + 2 = 10. */
  back = traj_store_get_assessment (fx->store, a->id, &error);
  g_assert_no_error (error);
  g_assert_true (back->complete);
  g_assert_cmpint (back->total, ==, 10);
  g_assert_cmpint (back->items[8], ==, 2);
  g_assert_cmpint (back->patient_id, ==, fx->patient_id);
  g_assert_cmpint (back->source, ==, TRAJ_SOURCE_TABLET);
  g_clear_pointer (&back, traj_assessment_free);
  back = traj_store_get_assessment (fx->store, draft->id, &error);
  g_assert_no_error (error);
  g_assert_false (back->complete);
  g_assert_cmpint (back->total, ==, -1);
  g_assert_cmpint (back->items[4], ==, 1);
  g_assert_cmpint (back->items[5], ==, -1);

  /* Item 9 answered 2 raises the clinicians' safety alert, and the live
   * update names the patient. */
  alerts = traj_store_list_tablet_safety_answers (fx->store, started - 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpint (((TrajSafetyAnswer *) alerts->pdata[0])->answer, ==, 2);
  g_assert_cmpint (((TrajSafetyAnswer *) alerts->pdata[0])->patient_id, ==, fx->patient_id);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (seen.count == 0 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (seen.count, >, 0);
  g_assert_cmpint (seen.patient_id, ==, fx->patient_id);

  /* The same questionnaire again in the same minute: the workstation's rule. */
  again = phq9 (fx->patient_id, 2);
  again->taken_at = a->taken_at;
  g_assert_false (traj_store_insert_assessment (fx->tablet, again, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT);
  g_clear_error (&error);

  /* The audit trail names the tablet's login. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM audit_event WHERE record_uid = '%s' "
                                            "AND action = 'insert' AND clinician = '%s'", a->uid, TABLET_LOGIN);
    g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store), sql), ==, 1);
  }

  /* A used code does not check in again once its session ended (until
   * then the same tablet takes it up again: test-kiosk-server.c). */
  g_assert_true (traj_store_end_checkin (fx->tablet, c->id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&c, traj_kiosk_checkin_free);
  c = traj_store_redeem_checkin (fx->tablet, code, born, NULL, &error);
  g_assert_null (c);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
}

/* Found by a kiosk trial: item 9 answered "Several days" on the tablet, then
 * changed back to "Not at all" and submitted. The server's kiosk functions
 * amended the draft in place and the safety finding went away. Now the
 * row keeps the highest answer given, the finding stays open with a
 * sentence that says so, the session reads it back, and the audit has
 * every answer as given. */
static void
test_item9_taken_back (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL, *sql = NULL, *summary = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajAssessment) a = phq9 (fx->patient_id, 1);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(GPtrArray) session = NULL;
  const TrajAssessment *back;
  const TrajFinding *f;
  TrajThresholds t;
  gint64 checkin_id = 0;

  code = new_code (fx, fx->patient_id, &checkin_id);
  c = traj_store_redeem_checkin (fx->tablet, code, traj_day_from_ymd (1980, 5, 17), NULL, &error);
  g_assert_no_error (error);

  /* Items 1–8 "Several days", item 9 too: saved as a draft; then item 9
   * changed to 0 (the same draft); then submitted: 8 × 1 + 0 = 8. */
  a->draft = TRUE;
  g_assert_true (traj_store_insert_assessment (fx->tablet, a, &error));
  g_assert_no_error (error);
  a->items[8] = 0;
  g_assert_true (traj_store_update_assessment (fx->tablet, a, &error));
  g_assert_no_error (error);
  a->draft = FALSE;
  g_assert_true (traj_store_update_assessment (fx->tablet, a, &error));
  g_assert_no_error (error);

  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  back = g_ptr_array_index (r->assessments, 0);
  g_assert_true (back->complete);
  g_assert_cmpint (back->total, ==, 8);
  g_assert_cmpint (back->items[8], ==, 0);
  g_assert_cmpint (back->safety_highest, ==, 1);

  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_now () + 60);
  g_assert_true (traj_outcomes_has_open_safety (o));
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_nonnull (strstr (f->sentence, "was answered “Several days” (1) on "));
  g_assert_nonnull (strstr (f->sentence, ". The answer was later changed to “Not at all” (0). "));

  /* The tablet, taking the session up again, sees it too. */
  session = traj_store_checkin_answers (fx->tablet, c->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (session->len, ==, 1);
  g_assert_cmpint (traj_assessment_safety_answer (g_ptr_array_index (session, 0)), ==, 1);

  /* The audit: the first draft's answers, and the submission's. */
  sql = g_strdup_printf ("SELECT string_agg (summary, ' / ' ORDER BY id) FROM audit_event "
                         "WHERE record_uid = '%s'", a->uid);
  summary = traj_test_query_text (traj_store_get_path (fx->store), sql);
  g_test_message ("%s", summary);
  g_assert_cmpstr (summary, ==,
                   "phq9 draft, 9 of 9 answered (tablet); answers 1,1,1,1,1,1,1,1,1 / "
                   "phq9 draft, 9 of 9 answered (tablet); answers 1,1,1,1,1,1,1,1,0; item 9 highest 1 / "
                   "phq9 total 8 (tablet); answers 1,1,1,1,1,1,1,1,0; item 9 highest 1");
}

/* "Not you?" keeps a safety answer on a server too (a trial: the kiosk
 * window no longer offers it then, but the server's traj_kiosk_release
 * itself removed the drafts and gave the code back, whoever called it).
 * With item 9 at 2 in a draft, and again once changed back to 0, the
 * release is refused with the patient's message, nothing is removed, the
 * code stays used and the session carries on; a draft whose item 9 was
 * only ever 0 is given back as before. */
static void
test_release_keeps_safety_answer (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL, *other_code = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajKioskCheckin) c2 = NULL;
  g_autoptr(TrajAssessment) a = phq9 (fx->patient_id, 2);
  g_autoptr(TrajAssessment) b = phq9 (fx->other_id, 0);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(GPtrArray) open = NULL;
  const char *path = traj_store_get_path (fx->store);
  TrajThresholds t;
  gint64 checkin_id = 0, other_id = 0;

  code = new_code (fx, fx->patient_id, &checkin_id);
  c = traj_store_redeem_checkin (fx->tablet, code, traj_day_from_ymd (1980, 5, 17), NULL, &error);
  g_assert_no_error (error);
  a->draft = TRUE;
  a->items[7] = -1;
  g_assert_true (traj_store_insert_assessment (fx->tablet, a, &error));
  g_assert_no_error (error);

  for (guint round = 0; round < 2; round++)
    {
      /* Round 0: item 9 is 2 now; round 1: changed back to 0. */
      g_assert_false (traj_store_release_checkin (fx->tablet, c->id, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, "These answers include one that a member of staff needs to see, so "
                                           "they are kept. Please ask a member of staff.");
      g_clear_error (&error);
      g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM assessment WHERE deleted_at IS NULL"), ==, 1);
      g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM kiosk_checkin WHERE used_at IS NOT NULL"),
                       ==, 1);
      g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM audit_event WHERE action = 'release'"), ==, 0);
      open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (open->len, ==, 0);
      g_clear_pointer (&open, g_ptr_array_unref);
      /* The session carries on: the next answer is saved in the same draft. */
      a->items[7] = 1;
      a->items[8] = 0;
      g_assert_true (traj_store_update_assessment (fx->tablet, a, &error));
      g_assert_no_error (error);
    }

  r = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  g_assert_cmpint (((TrajAssessment *) r->assessments->pdata[0])->safety_highest, ==, 2);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, traj_time_now () + 60);
  g_assert_true (traj_outcomes_has_open_safety (o));

  /* Item 9 only ever 0: given back, the draft goes. */
  g_assert_true (traj_store_end_checkin (fx->tablet, c->id, &error));
  g_assert_no_error (error);
  other_code = new_code (fx, fx->other_id, &other_id);
  c2 = traj_store_redeem_checkin (fx->tablet, other_code, traj_day_from_ymd (1975, 5, 17), NULL, &error);
  g_assert_no_error (error);
  b->draft = TRUE;
  g_assert_true (traj_store_insert_assessment (fx->tablet, b, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_release_checkin (fx->tablet, c2->id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM assessment WHERE deleted_at IS NULL"), ==, 1);
  g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM audit_event WHERE action = 'release'"), ==, 1);
  open = traj_store_list_open_checkins (fx->store, fx->other_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
}

/* One running kiosk program per session (a trial: a second program on the
 * same device took up a live session and wrote over a submitted PHQ-9).
 * Two kiosk logins of one device: the second is told the code is in use
 * while the first says it is there; once the first has been silent for
 * over two minutes the second takes the session up, and the first's key
 * then writes, holds, ends and gives back nothing; a submitted
 * questionnaire is never amended. */
static void
test_lease (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL, *ci = NULL, *sql = NULL;
  g_autoptr(TrajStore) two = NULL;
  g_autoptr(TrajKioskCheckin) c1 = NULL;
  g_autoptr(TrajKioskCheckin) c2 = NULL;
  g_autoptr(TrajKioskCheckin) c3 = NULL;
  g_autoptr(TrajAssessment) a = phq9 (fx->patient_id, 1);
  g_autoptr(TrajAssessment) back = NULL;
  gint32 born = traj_day_from_ymd (1980, 5, 17);
  gint64 checkin_id = 0, id;

  code = new_code (fx, fx->patient_id, &checkin_id);
  ci = traj_test_login_conninfo (fx->path, TABLET_LOGIN, "trajectory_kiosk");
  two = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_store_set_device (two, "tablet-1", TRUE);

  c1 = traj_store_redeem_checkin (fx->tablet, code, born, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_hold_checkin (fx->tablet, c1->id, &error));
  g_assert_no_error (error);
  g_assert_null (traj_store_redeem_checkin (two, code, born, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "in use on another screen"));
  g_clear_error (&error);
  a->draft = TRUE;
  g_assert_true (traj_store_insert_assessment (fx->tablet, a, &error));
  g_assert_no_error (error);

  /* Silent for over two minutes: the second takes it up. */
  sql = g_strdup_printf ("UPDATE kiosk_checkin SET held_at = %" G_GINT64_FORMAT " WHERE id = %" G_GINT64_FORMAT,
                         traj_time_now () - 121, checkin_id);
  g_assert_true (traj_test_exec (traj_store_get_path (fx->store), sql, &error));
  g_assert_no_error (error);
  c2 = traj_store_redeem_checkin (two, code, born, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (traj_store_hold_checkin (fx->tablet, c1->id, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  a->items[0] = 3;
  id = a->id;
  g_assert_false (traj_store_update_assessment (fx->tablet, a, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);
  a->id = id;
  g_assert_false (traj_store_release_checkin (fx->tablet, c1->id, &error));
  g_clear_error (&error);
  traj_store_end_checkin (fx->tablet, c1->id, NULL);
  back = traj_store_get_assessment (fx->store, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->items[0], ==, 1);
  g_assert_cmpint (back->deleted_at, ==, 0);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT count(*) FROM kiosk_checkin WHERE ended_at IS NULL "
                                        "AND used_at IS NOT NULL"), ==, 1);

  /* The second submits; not even it amends the submitted questionnaire. */
  a->items[0] = 1;
  a->draft = FALSE;
  g_assert_true (traj_store_update_assessment (two, a, &error));
  g_assert_no_error (error);
  a->items[8] = 0;
  g_assert_false (traj_store_update_assessment (two, a, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  a->id = id;
  g_clear_pointer (&back, traj_assessment_free);
  back = traj_store_get_assessment (fx->store, a->id, &error);
  g_assert_true (back->complete);
  g_assert_cmpint (back->items[8], ==, 1);

  /* Ended by its holder: nobody takes it up again. */
  g_assert_true (traj_store_end_checkin (two, c2->id, &error));
  g_assert_true (traj_test_exec (traj_store_get_path (fx->store), sql, &error));
  c3 = traj_store_redeem_checkin (fx->tablet, code, born, NULL, &error);
  g_assert_null (c3);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "already been used"));
}

/* "Not you?" gives the check-in back; a cancelled code does not check in. */
static void
test_release_and_revoke (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL, *other_code = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajKioskCheckin) c2 = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(TrajAssessment) late = phq9 (fx->patient_id, 0);
  gint32 born = traj_day_from_ymd (1980, 5, 17);
  gint64 checkin_id = 0, other_id = 0;

  code = new_code (fx, fx->patient_id, &checkin_id);
  c = traj_store_redeem_checkin (fx->tablet, code, born, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_release_checkin (fx->tablet, c->id, &error));
  g_assert_no_error (error);
  open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  /* The session ended with it: nothing more is written for the patient. */
  g_assert_false (traj_store_insert_assessment (fx->tablet, late, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION);
  g_clear_error (&error);

  other_code = new_code (fx, fx->other_id, &other_id);
  g_assert_true (traj_store_revoke_checkin (fx->store, other_id, &error));
  g_assert_no_error (error);
  c2 = traj_store_redeem_checkin (fx->tablet, other_code, traj_day_from_ymd (1975, 5, 17), NULL, &error);
  g_assert_null (c2);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "cancelled"));
}

/* The server drops the tablet's connection between check-in and Submit
 * (a restart, the Wi-Fi): the session is the server's, so the answers are
 * saved once the tablet is connected again, for the same patient. */
static void
test_session_survives_reconnect (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajAssessment) a = phq9 (fx->patient_id, 0);
  g_autoptr(TrajAssessment) back = NULL;
  gint64 checkin_id = 0;

  code = new_code (fx, fx->patient_id, &checkin_id);
  c = traj_store_redeem_checkin (fx->tablet, code, traj_day_from_ymd (1980, 5, 17), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT count(pg_terminate_backend (pid)) FROM pg_stat_activity "
                                        "WHERE usename = '" TABLET_LOGIN "' AND datname = current_database ()"),
                   ==, 1);
  /* The first statement after the cut may fail while the tablet reconnects;
   * what the patient answered stays on the screen and is sent again. */
  if (!traj_store_insert_assessment (fx->tablet, a, &error))
    {
      g_test_message ("first try: %s", error->message);
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION);
      g_clear_error (&error);
      g_assert_true (traj_store_insert_assessment (fx->tablet, a, &error));
    }
  g_assert_no_error (error);
  back = traj_store_get_assessment (fx->store, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->patient_id, ==, fx->patient_id);
  g_assert_cmpint (back->total, ==, 8);
}

/* ---- what the login cannot do --------------------------------------------------------- */

static void
test_reads_nothing (Fixture *fx, gconstpointer data)
{
  static const char *tables[] = {
    "patient", "course", "infusion", "vital_sign", "assessment", "assessment_item", "flag_decision",
    "kiosk_checkin", "cohort_definition", "clinic_setting", "audit_event", "secret_attempt",
    "secret_attempt_device", "kiosk_session", "kiosk_scale",
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL, *state = NULL, *value = NULL, *sql = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  PGconn *conn;
  gint64 checkin_id = 0;

  /* Even with a patient checked in on this login… */
  code = new_code (fx, fx->patient_id, &checkin_id);
  c = traj_store_redeem_checkin (fx->tablet, code, traj_day_from_ymd (1980, 5, 17), NULL, &error);
  g_assert_no_error (error);

  conn = connect_tablet (fx);
  for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
    {
      g_autofree char *select = g_strdup_printf ("SELECT * FROM %s LIMIT 1", tables[k]);
      assert_refused (conn, select);
    }
  /* …no secret hash, no helper that writes without a session. */
  assert_refused (conn, "SELECT value FROM clinic_setting WHERE key = 'staff-pin-hash'");
  assert_refused (conn, "SELECT * FROM traj_kiosk_write ('x', true, 'u', 'phq9', 0, 'between', 9, NULL, '', "
                        "'{1,1,1,1,1,1,1,1,1}')");
  assert_refused (conn, "SELECT traj_kiosk_count_failure ('staff-pin', 'kiosk:tablet-2', 0)");
  assert_refused (conn, "SELECT * FROM traj_kiosk_session_of ('x')");
  assert_refused (conn, "UPDATE secret_attempt_device SET failures = 0");

  /* What the functions give away: salts (not secret), never a hash. */
  state = run_as (conn, "SELECT pin_salt FROM traj_kiosk_state ('tablet-9')", &value);
  g_assert_cmpstr (state, ==, "00000");
  g_assert_true (g_str_has_prefix (value, "argon2id$"));
  g_clear_pointer (&state, g_free);
  g_clear_pointer (&value, g_free);

  /* Another patient: a made-up session key writes nothing. */
  sql = g_strdup_printf ("SELECT status FROM traj_kiosk_submit ('%064d', 'forged-uid', 'phq9', "
                         "floor (extract (epoch FROM now ()))::bigint, 'between', 9, NULL, '', '{1,1,1,1,1,1,1,1,1}')", 7);
  state = run_as (conn, sql, &value);
  g_assert_cmpstr (state, ==, "00000");
  g_assert_cmpstr (value, ==, "no-session");
  PQfinish (conn);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT count(*) FROM assessment"), ==, 0);

  /* Answers out of the scale's range are refused by the server itself. */
  {
    g_autofree char *key = NULL;
    g_autofree char *ci = traj_test_login_conninfo (fx->path, TABLET_LOGIN, "trajectory_kiosk");
    PGconn *other = PQconnectdb (ci);
    g_autofree char *hash = NULL, *salt = NULL, *secret = NULL, *redeem = NULL, *bad = NULL, *again = NULL;
    g_autofree char *code2 = new_code (fx, fx->other_id, &checkin_id);

    salt = traj_store_get_checkin_salt (fx->store, &error);
    g_assert_no_error (error);
    secret = traj_store_checkin_secret (code2, traj_day_from_ymd (1975, 5, 17));
    hash = traj_secret_derive (secret, salt, &error);
    g_assert_no_error (error);
    redeem = g_strdup_printf ("SELECT session_key FROM traj_kiosk_redeem ('tablet-2', '%s')", hash);
    g_free (run_as (other, redeem, &key));
    g_assert_nonnull (key);
    bad = g_strdup_printf ("SELECT status FROM traj_kiosk_submit ('%s', 'u-bad', 'phq9', "
                           "floor (extract (epoch FROM now ()))::bigint, 'between', 34, NULL, '', "
                           "'{4,4,4,4,4,4,4,4,2}')", key);
    g_free (state);
    state = run_as (other, bad, NULL);
    g_assert_cmpstr (state, ==, "23514");
    /* A scale the tablet does not ask (clinician-rated). */
    again = g_strdup_printf ("SELECT status FROM traj_kiosk_submit ('%s', 'u-bad2', 'madrs', "
                             "floor (extract (epoch FROM now ()))::bigint, 'between', 10, NULL, '', '{}')", key);
    g_free (state);
    state = run_as (other, again, NULL);
    g_assert_cmpstr (state, ==, "23514");
    /* A complete PHQ-9 whose total is not the sum of its answers: the
     * clinic's own CSV export would refuse the row on the way back in. */
    for (guint k = 0; k < 2; k++)
      {
        g_autofree char *forged =
          g_strdup_printf ("SELECT status FROM traj_kiosk_submit ('%s', 'u-forged-%u', 'phq9', "
                           "floor (extract (epoch FROM now ()))::bigint, 'between', %d, NULL, '', "
                           "'{3,3,3,3,3,3,3,3,3}')", key, k, k == 0 ? 0 : 26);
        g_free (state);
        state = run_as (other, forged, NULL);
        g_assert_cmpstr (state, ==, "23514");
      }
    PQfinish (other);
  }
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT count(*) FROM assessment"), ==, 0);
}

/* ---- limits ------------------------------------------------------------------------------- */

#define WRONG_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static void
test_wrong_pins_per_device (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) second = NULL;
  g_autofree char *ci = traj_test_login_conninfo (fx->path, TABLET_LOGIN, "trajectory_kiosk");
  gint64 until = 0, now;

  /* Four wrong PINs are only wrong; the fifth makes this tablet wait 30 s
   * (TRAJ_SECRET_DEVICE_FREE, TRAJ_SECRET_FIRST_DELAY_S). */
  g_assert_false (traj_store_verify_staff_pin (fx->tablet, "802519", &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_assert_cmpint (until, ==, 0);
  g_clear_error (&error);
  for (guint k = 1; k < 4; k++)
    {
      g_assert_false (traj_store_verify_staff_pin_hash (fx->tablet, WRONG_HASH, &until, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
      g_clear_error (&error);
    }
  now = traj_time_now ();
  g_assert_false (traj_store_verify_staff_pin_hash (fx->tablet, WRONG_HASH, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (until, >=, now + 30);
  g_assert_cmpint (until, <=, traj_time_now () + 30);

  /* While it waits, even the right PIN is not taken, and not counted. */
  g_assert_false (traj_store_verify_staff_pin (fx->tablet, PIN, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (traj_store_secret_locked_until (fx->tablet, TRAJ_SECRET_STAFF_PIN, &error), ==, until);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT failures FROM secret_attempt_device "
                                        "WHERE kind = 'staff-pin' AND device = 'kiosk:tablet-1'"), ==, 5);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT failures FROM secret_attempt WHERE kind = 'staff-pin'"), ==, 5);

  /* Another tablet on the same login is not held up. */
  second = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_store_set_device (second, "tablet-2", TRUE);
  g_assert_cmpint (traj_store_secret_locked_until (second, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
  g_assert_true (traj_store_verify_staff_pin (second, PIN, NULL, &error));
  g_assert_no_error (error);

  /* Wrong codes count apart from PINs, per device as well. */
  g_assert_null (traj_store_redeem_checkin_hash (second, WRONG_HASH, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT failures FROM secret_attempt_device "
                                        "WHERE kind = 'checkin' AND device = 'kiosk:tablet-2'"), ==, 1);
  g_assert_cmpint (traj_test_query_int (traj_store_get_path (fx->store),
                                        "SELECT count(*) FROM audit_event WHERE action = 'wrong-pin' "
                                        "AND clinician = '" TABLET_LOGIN "'"), ==, 5);
}

/* A lead's login reads the clinic's settings but not the staff PIN's hash
 * (row security, postgres/010); a lead's laptop in kiosk mode still checks
 * the PIN, through the tablet's compare-and-count function. */
static void
test_lead_pin (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) lead = NULL;
  g_autofree char *ci = traj_test_login_conninfo (fx->path, LEAD_LOGIN, "trajectory_lead");
  g_autofree char *state = NULL, *n = NULL, *salt = NULL, *tz = NULL;
  PGconn *conn = PQconnectdb (ci);
  gboolean has_pin = FALSE;
  gint64 until = -1;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM clinic_setting WHERE key = 'staff-pin-hash'"),
                   ==, 1);
  state = run_as (conn, "SELECT count(*) FROM clinic_setting WHERE key LIKE '%hash%' OR value IN "
                        "(SELECT value FROM clinic_setting WHERE key = 'staff-pin-hash')", &n);
  g_assert_cmpstr (state, ==, "00000");
  g_assert_cmpstr (n, ==, "0");
  g_clear_pointer (&state, g_free);
  state = run_as (conn, "SELECT value FROM clinic_setting WHERE key = 'staff-pin-salt'", &salt);
  g_assert_cmpstr (state, ==, "00000");
  g_assert_nonnull (salt);
  g_clear_pointer (&state, g_free);
  state = run_as (conn, "SELECT value FROM clinic_setting WHERE key = 'time-zone'", &tz);
  g_assert_cmpstr (state, ==, "00000");
  g_assert_nonnull (tz);
  /* Nor can it count attempts itself, or write a setting. */
  assert_refused (conn, "UPDATE secret_attempt_device SET failures = 0");
  assert_refused (conn, "UPDATE clinic_setting SET value = 'x'");
  PQfinish (conn);

  lead = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_store_set_device (lead, "lead-laptop", TRUE);
  g_assert_true (traj_store_has_staff_pin (lead, &has_pin, &error));
  g_assert_no_error (error);
  g_assert_true (has_pin);
  g_assert_false (traj_store_verify_staff_pin (lead, "802519", &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_cmpint (traj_store_secret_locked_until (lead, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (traj_store_verify_staff_pin (lead, PIN, &until, &error));
  g_assert_no_error (error);
  g_assert_cmpint (until, ==, 0);
  /* Counted and audited as this laptop's kiosk, by the lead's login. */
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event WHERE clinician = '" LEAD_LOGIN
                                                  "' AND action IN ('wrong-pin', 'right-pin')"), ==, 2);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT failures FROM secret_attempt_device "
                                                  "WHERE kind = 'staff-pin' AND device = 'kiosk:lead-laptop'"), ==, 0);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT failures FROM secret_attempt WHERE kind = 'staff-pin'"),
                   ==, 1);
}

/* A check-in's session lasts 4 h; the next check-in purges the expired
 * ones (one row per check-in would otherwise stay for ever). */
static void
test_expired_sessions_purged (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL, *other_code = NULL, *third_code = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(TrajKioskCheckin) c2 = NULL;
  g_autoptr(TrajKioskCheckin) c3 = NULL;
  g_autoptr(TrajStore) second = NULL;
  g_autofree char *ci = traj_test_login_conninfo (fx->path, TABLET_LOGIN, "trajectory_kiosk");
  gint64 checkin_id = 0, other_id = 0, third_id = 0;

  code = new_code (fx, fx->patient_id, &checkin_id);
  c = traj_store_redeem_checkin (fx->tablet, code, traj_day_from_ymd (1980, 5, 17), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM kiosk_session"), ==, 1);
  /* Four hours later. */
  g_assert_true (traj_test_exec (fx->path, "UPDATE kiosk_session SET expires_at = started_at - 1, "
                                           "started_at = started_at - 4 * 3600 - 1", &error));
  g_assert_no_error (error);

  second = traj_store_open (ci, &error);
  g_assert_no_error (error);
  traj_store_set_device (second, "tablet-2", TRUE);
  other_code = new_code (fx, fx->other_id, &other_id);
  c2 = traj_store_redeem_checkin (second, other_code, traj_day_from_ymd (1975, 5, 17), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM kiosk_session"), ==, 1);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT patient_id FROM kiosk_session"), ==, fx->other_id);

  /* A session still open stays. */
  third_code = new_code (fx, fx->patient_id, &third_id);
  c3 = traj_store_redeem_checkin (fx->tablet, third_code, traj_day_from_ymd (1980, 5, 17), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM kiosk_session"), ==, 2);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Registered in the postgres suite only. */
  g_assert_true (traj_test_postgres ());
  g_test_add ("/server-kiosk/check-in-and-submit", Fixture, NULL, fixture_setup, test_check_in_and_submit,
              fixture_teardown);
  g_test_add ("/server-kiosk/item9-taken-back", Fixture, NULL, fixture_setup, test_item9_taken_back,
              fixture_teardown);
  g_test_add ("/server-kiosk/lease", Fixture, NULL, fixture_setup, test_lease, fixture_teardown);
  g_test_add ("/server-kiosk/release-keeps-safety-answer", Fixture, NULL, fixture_setup,
              test_release_keeps_safety_answer, fixture_teardown);
  g_test_add ("/server-kiosk/release-and-revoke", Fixture, NULL, fixture_setup, test_release_and_revoke,
              fixture_teardown);
  g_test_add ("/server-kiosk/session-survives-reconnect", Fixture, NULL, fixture_setup,
              test_session_survives_reconnect, fixture_teardown);
  g_test_add ("/server-kiosk/reads-nothing", Fixture, NULL, fixture_setup, test_reads_nothing, fixture_teardown);
  g_test_add ("/server-kiosk/wrong-pins-per-device", Fixture, NULL, fixture_setup, test_wrong_pins_per_device,
              fixture_teardown);
  g_test_add ("/server-kiosk/lead-pin", Fixture, NULL, fixture_setup, test_lead_pin, fixture_teardown);
  g_test_add ("/server-kiosk/expired-sessions-purged", Fixture, NULL, fixture_setup, test_expired_sessions_purged,
              fixture_teardown);
  return g_test_run ();
}
