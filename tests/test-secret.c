/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Secrets: Argon2id hashing (traj-secret.h), the staff PIN in the clinic
 * (set, changed only with the old PIN, trivial PINs refused), check-in codes
 * (with and without the birth date, one hash per attempt, list and cancel,
 * give back), and the clinic-wide waits after wrong ones: growing, kept in
 * the clinic (a new connection — a restarted tablet — still waits), every
 * wrong one audited, nothing typed ever stored or audited.
 *
 * The store tests run on both engines (traj-test-db.h). */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "traj-error.h"
#include "traj-secret.h"
#include "traj-store.h"
#include "traj-test-db.h"

#define PIN "731594"
#define OTHER_PIN "802519"

/* ---- hashing -------------------------------------------------------------------- */

static gboolean
is_hex64 (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static void
test_derive (void)
{
  g_autofree char *salt = traj_secret_new_salt ();
  g_autofree char *salt2 = traj_secret_new_salt ();
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  g_autofree char *expected_prefix = g_strdup_printf ("argon2id$t=%d$m=%d$", TRAJ_SECRET_PASSES, TRAJ_SECRET_MEMORY_KIB);
  GError *error = NULL;
  guint before = traj_secret_n_derived ();

  /* The salt names its cost and carries 16 random bytes. */
  g_assert_true (g_str_has_prefix (salt, expected_prefix));
  g_assert_cmpuint (strlen (salt), ==, strlen (expected_prefix) + 32);
  g_assert_cmpstr (salt, !=, salt2);

  /* The same secret and salt give the same hash; anything else differs. */
  a = traj_secret_derive ("123456|1980-05-17", salt, &error);
  g_assert_no_error (error);
  b = traj_secret_derive ("123456|1980-05-17", salt, &error);
  c = traj_secret_derive ("123456|1980-05-18", salt, &error);
  d = traj_secret_derive ("123456|1980-05-17", salt2, &error);
  g_assert_no_error (error);
  g_assert_true (is_hex64 (a));
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpstr (a, !=, d);
  g_assert_cmpuint (traj_secret_n_derived (), ==, before + 4);
  g_assert_true (traj_secret_equal (a, b));
  g_assert_false (traj_secret_equal (a, c));
  g_assert_false (traj_secret_equal (a, NULL));
  g_assert_false (traj_secret_equal (a, "abc"));
  g_assert_false (traj_secret_equal ("zz", "zz"));
}

static void
test_derive_bad_salt (void)
{
  static const char *bad[] = {
    NULL, "", "sha256$t=2$m=32768$00112233445566778899aabbccddeeff",
    "argon2id$t=2$m=32768$0011", "argon2id$t=0$m=32768$00112233445566778899aabbccddeeff",
    "argon2id$t=2$m=1$00112233445566778899aabbccddeeff", "argon2id$t=2$m=32768$zz112233445566778899aabbccddeeff",
    "argon2id$t=2$m=32768",
  };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      GError *error = NULL;
      g_autofree char *h = traj_secret_derive ("123456", bad[k], &error);

      g_test_message ("salt %s", bad[k] ? bad[k] : "(null)");
      g_assert_null (h);
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT);
      g_clear_error (&error);
    }
}

#define TWO_RUNS "That PIN is two counting runs one after the other (like 098123: 0 9 8, then 1 2 3), which is " \
  "among the first things people try. Choose digits without a pattern."
#define NEARLY "That PIN counts up or down, or nearly (like 123456, 246810 or 123457), which is among the first " \
  "things people try. Choose digits without a pattern."

static void
test_new_pin_rules (void)
{
  /* Each refused PIN with a word of the reason its message must give. */
  static const struct { const char *pin; const char *why; } refused[] = {
    { "", "6 to 12" }, { "12345", "6 to 12" }, { "1234567890123", "6 to 12" }, { "12a456", "digits only" },
    /* fewer than 4 different digits */
    { "000000", "different digits" }, { "000001", "different digits" }, { "112233", "different digits" },
    { "121212", "different digits" }, { "123321", "different digits" }, { "999999999", "different digits" },
    { "10011001", "different digits" },
    /* counting */
    { "123456", "counts" }, { "234567890", "counts" }, { "987654", "counts" }, { "890123", "counts" },
    { "210987", "counts" }, { "246810", "counts" }, { "135791", "counts" }, { "102030", "counts" },
    { "9101112", "counts" }, { "1471013", "counts" }, { "147036", "counts" }, { "20406080", "counts" },
    /* counting but for one step */
    { "135792", "nearly" }, { "12345679", "nearly" }, { "9876543", "nearly" }, { "2468024", "nearly" },
    /* repeating */
    { "123123", "different digits" }, { "1234512345", "repeats" }, { "4545454545", "different digits" }, { "11442288", "repeats" }, { "11223344", "counts" },
    { "12341234", "repeats" }, { "777111444222", "repeats" },
    /* palindromes */
    { "1234554321", "backwards" }, { "1238321", "backwards" },
    /* well-known numbers: π, e, the golden ratio, √2, Fibonacci, 1/7 */
    { "314159265358", "well-known" }, { "2718281828", "well-known" }, { "16180339", "well-known" },
    { "1414213", "well-known" }, { "11235813", "well-known" }, { "285714", "well-known" }, { "8675309", "well-known" },
    /* keypad lines */
    { "369258", "keypad" }, { "963852", "keypad" },
    { "147258", "keypad" }, { "159357", "keypad" }, { "789456", "keypad" }, { "852369", "keypad" }, { "580147", "keypad" },
    { "3698520", "keypad" }, { "741963852", "keypad" },
    /* dates and years */
    { "199001", "different digits" }, { "198507", "date" }, { "010190", "different digits" }, { "170385", "date" }, { "311285", "date" }, { "123185", "date" },
    { "850613", "date" }, { "17031985", "date" }, { "03171985", "date" }, { "19850317", "date" },
    { "011990", "different digits" }, { "071985", "date" }, { "198542", "date" }, { "421987", "date" }, { "20240917", "date" },
  };
  static const char *accepted[] = {
    PIN, OTHER_PIN, "314159265359", "58203749", "9307218465", "406819", "840372615", "271829",
    /* strong ones near the patterns: two steps off counting, woven runs
     * not by one, a date's digits out of order */
    "583916", "731594", "125947", "135260", "103948", "2907381", "619472",
    /* a counting run and digits that do not count */
    "135906", "098317",
  };
  /* Found by an attack run: well-known numbers were accepted, and 369258
   * (two keypad columns) was refused as "counts up or down". The whole
   * message, as staff read it. */
  static const struct { const char *pin; const char *message; } exact[] = {
    { "314159", "That PIN is a well-known number (like 314159, the start of π, or 142857), which is among the "
                "first things people try. Choose digits without a pattern." },
    { "271828", "That PIN is a well-known number (like 314159, the start of π, or 142857), which is among the "
                "first things people try. Choose digits without a pattern." },
    { "142857", "That PIN is a well-known number (like 314159, the start of π, or 142857), which is among the "
                "first things people try. Choose digits without a pattern." },
    { "369258", "That PIN follows lines on the keypad (like 147258 or 159357). Choose digits without a pattern." },
    /* Found by a trial: accepted, the escape suite's own PIN among them;
     * they count but for one step. */
    { "123457", NEARLY }, { "987650", NEARLY }, { "654320", NEARLY }, { "123412", NEARLY }, { "135246", NEARLY },
    { "246813", NEARLY },
    /* Found by a trial: accepted; two counting runs one after the other. */
    { "098123", TWO_RUNS }, { "135642", TWO_RUNS }, { "97531246", TWO_RUNS }, { "987234", TWO_RUNS },
    /* A later trial: a run of four, then one of two (the mirror of 135642). */
    { "864213", TWO_RUNS }, { "13579864", TWO_RUNS },
    /* Refused, but "a date". */
    { "102938", "That PIN weaves two counting runs together (like 102938: 1 2 3 and 0 9 8), which is among the "
                "first things people try. Choose digits without a pattern." },
  };

  for (guint k = 0; k < G_N_ELEMENTS (refused); k++)
    {
      GError *error = NULL;

      g_test_message ("refused: %s", refused[k].pin);
      g_assert_false (traj_secret_check_new_pin (refused[k].pin, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_test_message ("  %s", error->message);
      g_assert_nonnull (strstr (error->message, refused[k].why));
      g_clear_error (&error);
    }
  for (guint k = 0; k < G_N_ELEMENTS (exact); k++)
    {
      GError *error = NULL;

      g_assert_false (traj_secret_check_new_pin (exact[k].pin, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, exact[k].message);
      g_clear_error (&error);
    }
  for (guint k = 0; k < G_N_ELEMENTS (accepted); k++)
    {
      GError *error = NULL;

      g_test_message ("accepted: %s", accepted[k]);
      g_assert_true (traj_secret_check_new_pin (accepted[k], &error));
      g_assert_no_error (error);
    }
}

static void
test_delays (void)
{
  /* Nothing for the first four; 30 s at the fifth, doubling, capped. */
  for (guint k = 0; k < 5; k++)
    {
      g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, k), ==, 0);
      g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_CHECKIN, k), ==, 0);
    }
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, 5), ==, 30);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, 6), ==, 60);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, 7), ==, 120);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, 11), ==, 1920);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, 12), ==, 3600);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_STAFF_PIN, 100), ==, 3600);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_CHECKIN, 5), ==, 30);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_CHECKIN, 9), ==, 480);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_CHECKIN, 10), ==, 900);
  g_assert_cmpint (traj_store_secret_delay (TRAJ_SECRET_CHECKIN, 100), ==, 900);
}

/* The limits' rule (traj-secret.h), against hand-computed cases: what a
 * clinic server's functions must compute the same. */
static void
test_attempt_rules (void)
{
  TrajSecretAttempts a = { 7, 0, 1000 };
  TrajSecretAttempts device = { 5, 200, 100 }, clinic = { 20, 300, 100 };

  /* One forgotten per 10 quiet minutes on a device, per 2 on the clinic's
   * count; a clock that went back forgets nothing. */
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_DEVICE, &a, 1000), ==, 7);
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_DEVICE, &a, 1000 + 599), ==, 7);
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_DEVICE, &a, 1000 + 3 * 600 + 5), ==, 4);
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_DEVICE, &a, 1000 + 86400), ==, 0);
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_DEVICE, &a, 10), ==, 7);
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_CLINIC, &a, 1000 + 3 * 600 + 5), ==, 0);
  g_assert_cmpint (traj_secret_attempt_current (TRAJ_SECRET_SCOPE_CLINIC, &a, 1000 + 240), ==, 5);

  /* The clinic's ceiling: 20 free, then 30 s doubling. */
  g_assert_cmpint (traj_secret_attempt_delay (TRAJ_SECRET_STAFF_PIN, TRAJ_SECRET_SCOPE_CLINIC, 19), ==, 0);
  g_assert_cmpint (traj_secret_attempt_delay (TRAJ_SECRET_STAFF_PIN, TRAJ_SECRET_SCOPE_CLINIC, 20), ==, 30);
  g_assert_cmpint (traj_secret_attempt_delay (TRAJ_SECRET_STAFF_PIN, TRAJ_SECRET_SCOPE_CLINIC, 22), ==, 120);
  g_assert_cmpint (traj_secret_attempt_delay (TRAJ_SECRET_CHECKIN, TRAJ_SECRET_SCOPE_CLINIC, 25), ==, 900);
  g_assert_cmpint (traj_secret_attempt_delay (TRAJ_SECRET_STAFF_PIN, TRAJ_SECRET_SCOPE_DEVICE, 5), ==, 30);

  /* The fifth wrong one in a row waits 30 s; after 20 quiet minutes two
   * have leaked out, and the next is free again. */
  a = (TrajSecretAttempts) { 4, 0, 1000 };
  traj_secret_attempt_fail (TRAJ_SECRET_STAFF_PIN, TRAJ_SECRET_SCOPE_DEVICE, &a, 1010);
  g_assert_cmpint (a.failures, ==, 5);
  g_assert_cmpint (a.locked_until, ==, 1040);
  g_assert_cmpint (a.last_failure_at, ==, 1010);
  traj_secret_attempt_fail (TRAJ_SECRET_STAFF_PIN, TRAJ_SECRET_SCOPE_DEVICE, &a, 1010 + 1200);
  g_assert_cmpint (a.failures, ==, 4);
  g_assert_cmpint (a.locked_until, ==, 0);
  traj_secret_attempt_fail (TRAJ_SECRET_CHECKIN, TRAJ_SECRET_SCOPE_DEVICE, &a, 2210);
  traj_secret_attempt_fail (TRAJ_SECRET_CHECKIN, TRAJ_SECRET_SCOPE_DEVICE, &a, 2210);
  g_assert_cmpint (a.failures, ==, 6);
  g_assert_cmpint (a.locked_until, ==, 2210 + 60);

  /* A kiosk waits for its own count and the clinic's; a workstation only
   * for its own. */
  g_assert_cmpint (traj_secret_attempt_wait_until (&device, &clinic, TRUE, 150), ==, 300);
  g_assert_cmpint (traj_secret_attempt_wait_until (&device, &clinic, FALSE, 150), ==, 200);
  g_assert_cmpint (traj_secret_attempt_wait_until (&device, &clinic, FALSE, 250), ==, 0);
  g_assert_cmpint (traj_secret_attempt_wait_until (&device, &clinic, TRUE, 250), ==, 300);
  g_assert_cmpint (traj_secret_attempt_wait_until (&device, NULL, TRUE, 150), ==, 200);
  g_assert_cmpint (traj_secret_attempt_wait_until (&device, &clinic, TRUE, 300), ==, 0);
}

/* ---- the store ------------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  gint64 patient_id;
  gint32 birth_day;
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
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static gint64
add_patient (TrajStore *store, const char *mrn, gint32 birth_day)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  GError *error = NULL;

  p->mrn = g_strdup (mrn);
  p->name = g_strdup ("Ada Abbott");
  p->birth_day = birth_day;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  g_assert_no_error (error);
  return p->id;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-secret-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  traj_store_set_clinician (fx->store, "Dr. Test");
  fx->birth_day = traj_day_from_ymd (1980, 5, 17);
  fx->patient_id = add_patient (fx->store, "MRN-1", fx->birth_day);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

static gint64
count (Fixture *fx, const char *sql)
{
  return traj_test_query_int (traj_test_location (fx->path), sql);
}

static void
run_sql (Fixture *fx, const char *sql)
{
  GError *error = NULL;

  g_assert_true (traj_test_exec_audited (traj_test_location (fx->path), sql, &error));
  g_assert_no_error (error);
}

/* Nothing typed is anywhere in the clinic: not in a setting, not in a
 * check-in row, not in the audit trail. */
static void
assert_nowhere (Fixture *fx, const char *typed)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT (SELECT count(*) FROM clinic_setting WHERE value LIKE '%%%s%%') + "
    "(SELECT count(*) FROM kiosk_checkin WHERE code_hash LIKE '%%%s%%' OR code_salt LIKE '%%%s%%') + "
    "(SELECT count(*) FROM audit_event WHERE summary LIKE '%%%s%%')", typed, typed, typed, typed);

  g_test_message ("looking for %s", typed);
  g_assert_cmpint (count (fx, sql), ==, 0);
}

static void
test_pin_set_verify (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  gboolean has = TRUE;
  g_autofree char *read_back = NULL;

  g_assert_true (traj_store_has_staff_pin (fx->store, &has, &error));
  g_assert_false (has);
  g_assert_false (traj_store_verify_staff_pin (fx->store, PIN, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NO_PIN);
  g_clear_error (&error);

  /* Trivial and short PINs are refused, nothing written. */
  g_assert_false (traj_store_set_staff_pin (fx->store, NULL, "123456", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (traj_store_set_staff_pin (fx->store, NULL, "2468", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM clinic_setting WHERE key LIKE 'staff-pin%'"), ==, 0);

  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, PIN, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_has_staff_pin (fx->store, &has, &error));
  g_assert_true (has);
  /* Clinic-wide, as an Argon2id hash with its salt; the hash is never read
   * back through the settings API. */
  g_assert_cmpint (count (fx, "SELECT count(*) FROM clinic_setting WHERE key = 'staff-pin-salt' AND value LIKE 'argon2id$%'"), ==, 1);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM clinic_setting WHERE key = 'staff-pin-hash' AND length(value) = 64"), ==, 1);
  read_back = traj_store_get_setting (fx->store, "staff-pin-hash", &error);
  g_assert_null (read_back);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (traj_store_verify_staff_pin (fx->store, PIN, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (traj_store_verify_staff_pin (fx->store, OTHER_PIN, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_false (traj_store_verify_staff_pin (fx->store, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  /* Each wrong one is on record, and nothing typed anywhere. */
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'wrong-pin'"), ==, 2);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'right-pin'"), ==, 1);
  assert_nowhere (fx, PIN);
  assert_nowhere (fx, OTHER_PIN);

  /* Another program on the clinic (a tablet) has the same PIN. */
  {
    g_autoptr(TrajStore) tablet = traj_test_open (fx->path, &error);
    g_assert_no_error (error);
    g_assert_true (traj_store_verify_staff_pin (tablet, PIN, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_pin_change_needs_old (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, PIN, &error));
  /* Without the current PIN, or with a wrong one (which counts): refused. */
  g_assert_false (traj_store_set_staff_pin (fx->store, NULL, OTHER_PIN, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_false (traj_store_set_staff_pin (fx->store, "135792", OTHER_PIN, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_assert_nonnull (strstr (error->message, "current PIN"));
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt_device WHERE kind = 'staff-pin'"), ==, 1);
  g_assert_true (traj_store_verify_staff_pin (fx->store, PIN, NULL, &error));

  /* With it: changed; the old one no longer works. */
  g_assert_true (traj_store_set_staff_pin (fx->store, PIN, OTHER_PIN, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_verify_staff_pin (fx->store, OTHER_PIN, NULL, &error));
  g_assert_false (traj_store_verify_staff_pin (fx->store, PIN, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  /* The change is audited without the PIN. */
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE record_uid = 'staff-pin-hash'"), ==, 2);
  assert_nowhere (fx, OTHER_PIN);
}

static void
test_pin_lockout (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  gint64 until = 0, now;

  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, PIN, &error));
  for (int k = 0; k < 4; k++)
    {
      g_assert_false (traj_store_verify_staff_pin (fx->store, OTHER_PIN, &until, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
      g_clear_error (&error);
      g_assert_cmpint (until, ==, 0);
    }
  /* The fifth: 30 s before the next attempt, even the right one. */
  now = traj_time_now ();
  g_assert_false (traj_store_verify_staff_pin (fx->store, OTHER_PIN, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (until, >=, now + 30);
  g_assert_cmpint (until, <=, traj_time_now () + 30);
  g_assert_false (traj_store_verify_staff_pin (fx->store, PIN, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'wrong-pin'"), ==, 5);

  /* Kept in the clinic: the same device restarted (a new connection) waits too. */
  {
    g_autoptr(TrajStore) tablet = traj_test_open (fx->path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (traj_store_secret_locked_until (tablet, TRAJ_SECRET_STAFF_PIN, &error), ==, until);
    g_assert_false (traj_store_verify_staff_pin (tablet, PIN, NULL, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
    g_clear_error (&error);
  }

  /* Once the wait is over, the next wrong one waits twice as long. */
  run_sql (fx, "UPDATE secret_attempt_device SET locked_until = 0 WHERE kind = 'staff-pin'");
  now = traj_time_now ();
  g_assert_false (traj_store_verify_staff_pin (fx->store, OTHER_PIN, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (until, >=, now + 60);
  g_assert_cmpint (until, <=, traj_time_now () + 60);
  /* Check-in codes have their own count. */
  g_assert_cmpint (traj_store_secret_locked_until (fx->store, TRAJ_SECRET_CHECKIN, &error), ==, 0);

  /* The right PIN after the wait clears the count. */
  run_sql (fx, "UPDATE secret_attempt_device SET locked_until = 0 WHERE kind = 'staff-pin'");
  g_assert_true (traj_store_verify_staff_pin (fx->store, PIN, &until, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt_device WHERE kind = 'staff-pin'"), ==, 0);
  g_assert_cmpint (traj_store_secret_locked_until (fx->store, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);

  /* Wrong ones leak away: all of them after a quiet day. */
  for (int k = 0; k < 4; k++)
    {
      g_assert_false (traj_store_verify_staff_pin (fx->store, OTHER_PIN, NULL, &error));
      g_clear_error (&error);
    }
  run_sql (fx, "UPDATE secret_attempt_device SET last_failure_at = last_failure_at - 90000 WHERE kind = 'staff-pin'");
  g_assert_false (traj_store_verify_staff_pin (fx->store, OTHER_PIN, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt_device WHERE kind = 'staff-pin'"), ==, 1);
}

static TrajKioskCheckin *
redeem (Fixture *fx, const char *code, gint32 birth, gint64 *until, GError **error)
{
  return traj_store_redeem_checkin (fx->store, code, birth, until, error);
}

static char *
other_code (const char *code)
{
  return g_strdup_printf ("%06d", (atoi (code) + 1) % 1000000);
}

static void
test_checkin_birth_date (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  gboolean asked = FALSE;
  g_autofree char *code = NULL, *wrong = NULL, *salt = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  TrajKioskCheckin *none;

  /* Asked by default. */
  g_assert_true (traj_store_get_checkin_birth_date (fx->store, &asked, &error));
  g_assert_true (asked);
  code = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  salt = traj_store_get_checkin_salt (fx->store, &error);
  g_assert_true (g_str_has_prefix (salt, "argon2id$"));

  /* Without the birth date, or with a wrong one: refused, the second counted. */
  none = redeem (fx, code, TRAJ_DAY_NONE, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  none = redeem (fx, code, fx->birth_day + 1, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_assert_nonnull (strstr (error->message, "date of birth"));
  g_clear_error (&error);
  /* A wrong code with the right date says the same (neither can be told apart). */
  wrong = other_code (code);
  none = redeem (fx, wrong, fx->birth_day, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt_device WHERE kind = 'checkin'"), ==, 2);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'wrong-code'"), ==, 2);

  c = redeem (fx, code, fx->birth_day, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpint (c->patient_id, ==, fx->patient_id);
  /* A right one forgives no wrong one (they may have been someone else's
   * guesses); the code is nowhere. */
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt_device WHERE kind = 'checkin'"), ==, 2);
  assert_nowhere (fx, code);
}

static void
test_checkin_without_birth_date (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *before = NULL, *code = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  TrajKioskCheckin *none;
  gboolean asked = TRUE;

  before = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  /* Turning the birth date off cancels the open codes (none would match). */
  g_assert_true (traj_store_set_checkin_birth_date (fx->store, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_get_checkin_birth_date (fx->store, &asked, &error));
  g_assert_false (asked);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM kiosk_checkin WHERE revoked_at IS NOT NULL"), ==, 1);
  none = redeem (fx, before, TRAJ_DAY_NONE, NULL, &error);
  g_assert_null (none);
  g_clear_error (&error);

  code = traj_store_create_checkin (fx->store, fx->patient_id, "gad7", 3600, NULL, &error);
  g_assert_no_error (error);
  c = redeem (fx, code, TRAJ_DAY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->scales, ==, "gad7");
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE record_uid = 'checkin-birth-date'"), ==, 1);
}

/* However many codes are open, a check costs one Argon2id hash. */
static void
test_checkin_one_hash (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *last = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  TrajKioskCheckin *none;
  guint before;

  for (int k = 0; k < 12; k++)
    {
      g_autofree char *mrn = g_strdup_printf ("MRN-%d", k + 10);
      gint64 p = add_patient (fx->store, mrn, traj_day_from_ymd (1950 + k, 1 + k, 3));
      g_free (last);
      last = traj_store_create_checkin (fx->store, p, "phq9", 3600, NULL, &error);
      g_assert_no_error (error);
    }
  before = traj_secret_n_derived ();
  none = redeem (fx, "000001", fx->birth_day, NULL, &error);
  g_assert_null (none);
  g_clear_error (&error);
  g_assert_cmpuint (traj_secret_n_derived (), ==, before + 1);
  before = traj_secret_n_derived ();
  c = redeem (fx, last, traj_day_from_ymd (1961, 12, 3), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpuint (traj_secret_n_derived (), ==, before + 1);
}

static void
test_checkin_rate_limit (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *code = NULL, *wrong = NULL;
  gint64 until = 0, now;
  TrajKioskCheckin *none;

  code = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  wrong = other_code (code);
  for (int k = 0; k < 4; k++)
    {
      none = redeem (fx, wrong, fx->birth_day, &until, &error);
      g_assert_null (none);
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
      g_clear_error (&error);
    }
  now = traj_time_now ();
  none = redeem (fx, wrong, fx->birth_day, &until, &error);
  g_assert_null (none);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (until, >=, now + 30);

  /* The same device restarted waits as well, even with the right code, and
   * a refused attempt costs no hash. */
  {
    g_autoptr(TrajStore) tablet = traj_test_open (fx->path, &error);
    guint before = traj_secret_n_derived ();

    g_assert_no_error (error);
    none = traj_store_redeem_checkin (tablet, code, fx->birth_day, &until, &error);
    g_assert_null (none);
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
    g_clear_error (&error);
    g_assert_cmpuint (traj_secret_n_derived (), ==, before);
  }
  run_sql (fx, "UPDATE secret_attempt_device SET locked_until = 0 WHERE kind = 'checkin'");
  {
    g_autoptr(TrajKioskCheckin) c = redeem (fx, code, fx->birth_day, &until, &error);
    g_assert_no_error (error);
    g_assert_nonnull (c);
  }
}

static void
test_checkin_list_revoke_release (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gint64 id_a = 0, id_b = 0;
  TrajKioskCheckin *none;

  a = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, &id_a, &error);
  b = traj_store_create_checkin (fx->store, fx->patient_id, "gad7", 7200, &id_b, &error);
  g_assert_no_error (error);
  open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 2);
  /* Newest first, saying what was asked and until when, never the code. */
  g_assert_cmpint (((TrajKioskCheckin *) g_ptr_array_index (open, 0))->id, ==, id_b);
  g_assert_cmpstr (((TrajKioskCheckin *) g_ptr_array_index (open, 0))->scales, ==, "gad7");
  g_assert_cmpstr (((TrajKioskCheckin *) g_ptr_array_index (open, 0))->created_by, ==, "Dr. Test");

  g_assert_true (traj_store_revoke_checkin (fx->store, id_b, &error));
  g_assert_no_error (error);
  after = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpint (((TrajKioskCheckin *) g_ptr_array_index (after, 0))->id, ==, id_a);
  none = redeem (fx, b, fx->birth_day, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "cancelled"));
  g_clear_error (&error);
  g_assert_false (traj_store_revoke_checkin (fx->store, id_b, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'revoke'"), ==, 1);

  /* "Not you?": a used code given back works again, once. */
  {
    g_autoptr(TrajKioskCheckin) used = redeem (fx, a, fx->birth_day, NULL, &error);
    g_autoptr(TrajKioskCheckin) again = NULL;

    g_assert_no_error (error);
    g_assert_true (traj_store_release_checkin (fx->store, used->id, &error));
    g_assert_no_error (error);
    again = redeem (fx, a, fx->birth_day, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (again->id, ==, id_a);
    g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'release'"), ==, 1);
  }
}

/* Codes made before (salted SHA-256) cannot be checked now: they expire with
 * the migration; the staff PIN kept per computer is not carried over. */
static void
test_migrate_expires_old_codes (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *sql = NULL;
  gint64 future = traj_time_now () + 3600;

  if (traj_test_skip_on_postgres ("PRAGMA user_version (SQLite only)"))
    return;
  g_clear_object (&fx->store);
  sql = g_strdup_printf (
    TRAJ_TEST_UNDO_012 TRAJ_TEST_UNDO_009
    "ALTER TABLE patient DROP COLUMN indication_detail; ALTER TABLE patient DROP COLUMN risk_si_at; "
    "ALTER TABLE patient DROP COLUMN risk_si_by; ALTER TABLE course DROP COLUMN indication_detail; "
    "DROP TABLE secret_attempt_device; DROP TABLE secret_attempt; DROP INDEX kiosk_checkin_hash; "
    "ALTER TABLE kiosk_checkin DROP COLUMN revoked_at; ALTER TABLE kiosk_checkin DROP COLUMN revoked_by; "
    "INSERT INTO kiosk_checkin (uid, patient_id, code_salt, code_hash, scales, created_at, expires_at, used_at) VALUES "
    "('old-open', %" G_GINT64_FORMAT ", 'aa', 'bb', 'phq9', 1, %" G_GINT64_FORMAT ", NULL), "
    "('old-used', %" G_GINT64_FORMAT ", 'aa', 'cc', 'phq9', 1, %" G_GINT64_FORMAT ", 5); "
    "PRAGMA user_version = 3",
    fx->patient_id, future, fx->patient_id, future);
  run_sql (fx, sql);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (fx, "SELECT expires_at FROM kiosk_checkin WHERE uid = 'old-open'"), <=, traj_time_now ());
  g_assert_cmpint (count (fx, "SELECT expires_at FROM kiosk_checkin WHERE uid = 'old-used'"), ==, future);
  g_assert_cmpint (count (fx, "SELECT count(*) FROM secret_attempt"), ==, 2);
  {
    g_autoptr(GPtrArray) open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
    g_assert_cmpuint (open->len, ==, 0);
  }
}

/* A hash that is nobody's PIN or code: a wrong attempt without the cost of
 * deriving one. */
#define WRONG_HASH "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static TrajStore *
open_device (Fixture *fx, const char *device, gboolean kiosk)
{
  GError *error = NULL;
  TrajStore *store = traj_test_open (fx->path, &error);

  g_assert_no_error (error);
  traj_store_set_device (store, device, kiosk);
  return store;
}

static void
wrong_pins (TrajStore *store, int n)
{
  for (int k = 0; k < n; k++)
    {
      GError *error = NULL;

      g_assert_false (traj_store_verify_staff_pin_hash (store, WRONG_HASH, NULL, &error));
      g_assert_true (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET) ||
                     g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT));
      g_clear_error (&error);
    }
}

/* Five wrong PINs at one tablet make that tablet wait, not the others, and
 * never the staff: a workstation still checks and changes the PIN. */
static void
test_pin_per_device (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) tablet_a = open_device (fx, "tablet-a", TRUE);
  g_autoptr(TrajStore) tablet_b = open_device (fx, "tablet-b", TRUE);
  GError *error = NULL;
  gint64 until = 0;

  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, PIN, &error));
  g_assert_false (traj_store_get_device_is_kiosk (fx->store));
  g_assert_true (traj_store_get_device_is_kiosk (tablet_a));
  wrong_pins (tablet_a, 5);
  g_assert_cmpint (traj_store_secret_locked_until (tablet_a, TRAJ_SECRET_STAFF_PIN, &error), >, 0);
  g_assert_false (traj_store_verify_staff_pin (tablet_a, PIN, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (until, >, 0);
  /* The same tablet restarted (same device id) still waits. */
  {
    g_autoptr(TrajStore) again = open_device (fx, "tablet-a", TRUE);
    g_assert_cmpint (traj_store_secret_locked_until (again, TRAJ_SECRET_STAFF_PIN, &error), ==, until);
  }
  /* The audit names the device. */
  g_assert_cmpint (count (fx, "SELECT count(*) FROM audit_event WHERE action = 'wrong-pin' "
                              "AND summary LIKE '%kiosk:tablet-a%'"), ==, 5);

  /* Another tablet and the workstation do not wait. */
  g_assert_cmpint (traj_store_secret_locked_until (tablet_b, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
  g_assert_cmpint (traj_store_secret_locked_until (fx->store, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
  g_assert_true (traj_store_verify_staff_pin (tablet_b, PIN, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_verify_staff_pin (fx->store, PIN, NULL, &error));
  g_assert_no_error (error);

  /* Staff change the PIN meanwhile; the new PIN ends every wait. */
  g_assert_true (traj_store_set_staff_pin (fx->store, PIN, OTHER_PIN, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_secret_locked_until (tablet_a, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
  g_assert_true (traj_store_verify_staff_pin (tablet_a, OTHER_PIN, NULL, &error));
  g_assert_no_error (error);

  /* A kiosk and a workstation on one computer count apart: a patient's
   * wrong PINs in "Hand This Device to the Patient" never hold up the
   * clinician window. */
  {
    g_autoptr(TrajStore) handed = open_device (fx, "desk-1", TRUE);
    g_autoptr(TrajStore) desk = open_device (fx, "desk-1", FALSE);

    wrong_pins (handed, 5);
    g_assert_cmpint (traj_store_secret_locked_until (handed, TRAJ_SECRET_STAFF_PIN, &error), >, 0);
    g_assert_cmpint (traj_store_secret_locked_until (desk, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
    g_assert_true (traj_store_verify_staff_pin (desk, OTHER_PIN, NULL, &error));
    g_assert_no_error (error);
  }
}

/* Moving between tablets (or, on a server, making up device ids) meets the
 * clinic-wide ceiling: every kiosk waits, no workstation does. */
static void
test_pin_clinic_ceiling (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  g_assert_true (traj_store_set_staff_pin (fx->store, NULL, PIN, &error));
  for (int k = 0; k < TRAJ_SECRET_CLINIC_FREE / 4; k++)
    {
      g_autofree char *name = g_strdup_printf ("made-up-%d", k);
      g_autoptr(TrajStore) tablet = open_device (fx, name, TRUE);

      /* Four each: no device reaches its own limit. */
      wrong_pins (tablet, 4);
      if (k < TRAJ_SECRET_CLINIC_FREE / 4 - 1)
        g_assert_cmpint (traj_store_secret_locked_until (tablet, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
      else
        g_assert_cmpint (traj_store_secret_locked_until (tablet, TRAJ_SECRET_STAFF_PIN, &error), >, 0);
      g_assert_no_error (error);
    }
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt WHERE kind = 'staff-pin'"), ==, TRAJ_SECRET_CLINIC_FREE);
  {
    g_autoptr(TrajStore) fresh = open_device (fx, "never-wrong", TRUE);
    g_autoptr(TrajStore) desk = open_device (fx, "desk-1", FALSE);
    gint64 until = 0;

    g_assert_false (traj_store_verify_staff_pin (fresh, PIN, &until, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
    g_clear_error (&error);
    g_assert_cmpint (until, >, traj_time_now ());
    /* Check-in codes have their own ceiling. */
    g_assert_cmpint (traj_store_secret_locked_until (fresh, TRAJ_SECRET_CHECKIN, &error), ==, 0);
    /* The workstation passes, and its own wrong PINs do not add to the
     * kiosks' ceiling. */
    g_assert_true (traj_store_verify_staff_pin (desk, PIN, NULL, &error));
    g_assert_no_error (error);
    wrong_pins (desk, 1);
    g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt WHERE kind = 'staff-pin'"), ==, TRAJ_SECRET_CLINIC_FREE);
    g_assert_true (traj_store_set_staff_pin (desk, PIN, OTHER_PIN, &error));
    g_assert_no_error (error);
    g_assert_cmpint (traj_store_secret_locked_until (fresh, TRAJ_SECRET_STAFF_PIN, &error), ==, 0);
  }
}

/* A good check-in does not reset the count of wrong codes: four guesses, a
 * real patient checks in, and the next guess already waits. And one tablet's
 * wrong codes do not hold up another. */
static void
test_checkin_success_keeps_count (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) tablet_a = open_device (fx, "tablet-a", TRUE);
  g_autoptr(TrajStore) tablet_b = open_device (fx, "tablet-b", TRUE);
  g_autofree char *code1 = NULL, *code2 = NULL;
  GError *error = NULL;
  gint64 until = 0;

  code1 = traj_store_create_checkin (fx->store, fx->patient_id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  code2 = traj_store_create_checkin (fx->store, fx->patient_id, "gad7", 3600, NULL, &error);
  g_assert_no_error (error);
  for (int k = 0; k < 4; k++)
    {
      g_assert_null (traj_store_redeem_checkin_hash (tablet_a, WRONG_HASH, &until, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
      g_clear_error (&error);
    }
  /* A real patient at the same tablet, and one at another. */
  {
    g_autoptr(TrajKioskCheckin) a = traj_store_redeem_checkin (tablet_a, code1, fx->birth_day, &until, &error);
    g_autoptr(TrajKioskCheckin) b = traj_store_redeem_checkin (tablet_b, code2, fx->birth_day, &until, &error);
    g_assert_no_error (error);
    g_assert_nonnull (a);
    g_assert_nonnull (b);
  }
  g_assert_null (traj_store_redeem_checkin_hash (tablet_a, WRONG_HASH, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_LOCKED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (until, >, traj_time_now ());
  /* Tablet B does not wait for tablet A's wrong codes. */
  g_assert_cmpint (traj_store_secret_locked_until (tablet_b, TRAJ_SECRET_CHECKIN, &error), ==, 0);
  g_assert_null (traj_store_redeem_checkin_hash (tablet_b, WRONG_HASH, &until, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_WRONG_SECRET);
  g_clear_error (&error);
  g_assert_cmpint (count (fx, "SELECT failures FROM secret_attempt WHERE kind = 'checkin'"), ==, 6);
}

/* trajectory-cli staff-pin: the PIN from a script (one line each). */
static int
cli_staff_pin (Fixture *fx, const char *input, char **err)
{
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;

  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                        &error, cli, "--database", fx->path, "staff-pin", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, input, NULL, NULL, err, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (p);
}

static void
test_cli_staff_pin (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;
  g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL, *err4 = NULL;

  if (traj_test_skip_on_postgres ("the command line on a clinic file"))
    return;
  g_clear_object (&fx->store);
  g_assert_cmpint (cli_staff_pin (fx, "123456\n", &err1), ==, 1);
  g_assert_nonnull (strstr (err1, "counts up"));
  g_assert_cmpint (cli_staff_pin (fx, PIN "\n", &err2), ==, 0);
  /* Changing needs the current PIN. */
  g_assert_cmpint (cli_staff_pin (fx, "135792\n" OTHER_PIN "\n", &err3), ==, 1);
  g_assert_nonnull (strstr (err3, "current PIN is not right"));
  g_assert_cmpint (cli_staff_pin (fx, PIN "\n" OTHER_PIN "\n", &err4), ==, 0);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_verify_staff_pin (fx->store, OTHER_PIN, NULL, &error));
  g_assert_no_error (error);
}

/* trajectory-cli checkin: a script prepares a tablet (a trial: no command
 * made a code). The code is printed once and checks the patient in, with
 * the birth date, for the questionnaires asked; a wrong MRN or scale
 * changes nothing. */
static void
test_cli_checkin (Fixture *fx, gconstpointer data)
{
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajKioskCheckin) c = NULL;
  g_autoptr(GPtrArray) open = NULL;
  int status = 0;

  if (traj_test_skip_on_postgres ("the command line on a clinic file"))
    return;
  {
    const char *argv[] = { cli, "--database", fx->path, "checkin", "--patient", "MRN-1", "--scales", "phq9,gad7",
                           "--hours", "2", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_strchomp (out);
  g_assert_cmpuint (strlen (out), ==, 6);
  g_assert_cmpuint (strspn (out, "0123456789"), ==, 6);
  open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpint (((TrajKioskCheckin *) open->pdata[0])->expires_at -
                   ((TrajKioskCheckin *) open->pdata[0])->created_at, ==, 2 * 3600);
  c = traj_store_redeem_checkin (fx->store, out, fx->birth_day, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->patient_id, ==, fx->patient_id);
  g_assert_cmpstr (c->scales, ==, "phq9,gad7");

  {
    const char *argv[] = { cli, "--database", fx->path, "checkin", "--patient", "NO-SUCH", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out2, &err2, &status,
                                 &error));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_cmpstr (out2, ==, "");
  }
  g_clear_pointer (&open, g_ptr_array_unref);
  open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
  g_assert_cmpuint (open->len, ==, 0);
}

/* Found by a trial: `checkin --scales bogus` printed a code, and the
 * tablet then gave the pain NRS instead. Only exact codes of questionnaires
 * the tablet asks, each once; the message says which, and no code is made. */
static void
test_checkin_scales_checked (Fixture *fx, gconstpointer data)
{
  static const struct { const char *scales, *message; } bad[] = {
    { "bogus", "“bogus” is not a questionnaire the tablet asks. Use one or more of phq9, gad7, pain_nrs, pcl5, "
               "separated by commas." },
    { "phq9,gad-7", "“gad-7” is not a questionnaire the tablet asks. Use one or more of phq9, gad7, pain_nrs, pcl5, "
                    "separated by commas." },
    { "PHQ9", "“PHQ9” is not a questionnaire the tablet asks. Use one or more of phq9, gad7, pain_nrs, pcl5, "
              "separated by commas." },
    { "phq9,", "“” is not a questionnaire the tablet asks. Use one or more of phq9, gad7, pain_nrs, pcl5, "
               "separated by commas." },
    { "madrs", "MADRS is rated by a clinician, so it is not asked on the tablet." },
    { "phq9,gad7,phq9", "PHQ-9 is listed twice." },
  };
  g_autoptr(GPtrArray) open = NULL;
  GError *error = NULL;

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autofree char *code = traj_store_create_checkin (fx->store, fx->patient_id, bad[k].scales, 3600, NULL, &error);

      g_assert_null (code);
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, bad[k].message);
      g_clear_error (&error);
    }
  open = traj_store_list_open_checkins (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 0);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secret/derive", test_derive);
  g_test_add_func ("/secret/derive-bad-salt", test_derive_bad_salt);
  g_test_add_func ("/secret/new-pin-rules", test_new_pin_rules);
  g_test_add_func ("/secret/delays", test_delays);
  g_test_add_func ("/secret/attempt-rules", test_attempt_rules);
  ADD ("/secret/pin/set-verify", test_pin_set_verify);
  ADD ("/secret/pin/change-needs-old", test_pin_change_needs_old);
  ADD ("/secret/pin/lockout", test_pin_lockout);
  ADD ("/secret/pin/per-device", test_pin_per_device);
  ADD ("/secret/pin/clinic-ceiling", test_pin_clinic_ceiling);
  ADD ("/secret/checkin/success-keeps-count", test_checkin_success_keeps_count);
  ADD ("/secret/checkin/birth-date", test_checkin_birth_date);
  ADD ("/secret/checkin/scales-checked", test_checkin_scales_checked);
  ADD ("/secret/checkin/without-birth-date", test_checkin_without_birth_date);
  ADD ("/secret/checkin/one-hash", test_checkin_one_hash);
  ADD ("/secret/checkin/rate-limit", test_checkin_rate_limit);
  ADD ("/secret/checkin/list-revoke-release", test_checkin_list_revoke_release);
  ADD ("/secret/migrate/expires-old-codes", test_migrate_expires_old_codes);
  ADD ("/secret/cli/staff-pin", test_cli_staff_pin);
  ADD ("/secret/cli/checkin", test_cli_checkin);
  return g_test_run ();
}
