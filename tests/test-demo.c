/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo clinic: the same seed, size and anchor give the same file (every
 * table but the audit trail, compared row by row); another seed gives
 * another clinic; and the shapes follow CLINICAL.md §2 and §4 roughly. */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "traj-demo.h"
#include "traj-error.h"
#include "traj-rems.h"
#include "traj-store.h"

#define ANCHOR() traj_day_from_ymd (2026, 11, 1)

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-demo-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  GDir *dir = g_dir_open (fx->dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (fx->dir, name, NULL);
      g_remove (child);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (fx->dir);
  g_free (fx->dir);
}

/* Every table except audit_event, every row, rendered as text. */
static char *
dump_tables (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *tables = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                                       -1, &tables, NULL), ==, SQLITE_OK);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (tables, 0);
      g_autofree char *sql = NULL;
      sqlite3_stmt *rows = NULL;
      guint n = 0;

      /* The trail and its chain, which starts from the file's own id. */
      if (g_str_equal (name, "audit_event") || g_str_equal (name, "audit_chain") || g_str_equal (name, "audit_seal"))
        continue;
      /* assessment_item has no id column: order by its key. */
      if (g_str_equal (name, "assessment_item"))
        sql = g_strdup ("SELECT * FROM assessment_item ORDER BY assessment_id, item");
      else if (g_str_equal (name, "trajectory_meta"))
        sql = g_strdup_printf ("SELECT * FROM \"%s\" WHERE key <> 'clinic_id' ORDER BY key", name);
      /* When a setting was made is not the demo's (the clinic's time zone
       * is set when the file is created). */
      else if (g_str_equal (name, "clinic_setting"))
        sql = g_strdup ("SELECT key, value FROM clinic_setting ORDER BY key");
      else if (g_str_equal (name, "secret_attempt"))
        sql = g_strdup ("SELECT * FROM secret_attempt ORDER BY kind");
      else if (g_str_equal (name, "patient_attention"))
        sql = g_strdup ("SELECT * FROM patient_attention ORDER BY patient_id");
      else if (g_str_equal (name, "secret_attempt_device"))
        sql = g_strdup ("SELECT * FROM secret_attempt_device ORDER BY kind, device");
      else
        sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY id", name);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &rows, NULL), ==, SQLITE_OK);
      g_string_append_printf (out, "[%s]\n", name);
      while (sqlite3_step (rows) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (rows); c++)
            {
              if (sqlite3_column_type (rows, c) == SQLITE_NULL)
                g_string_append (out, "NULL");
              else
                {
                  g_string_append_c (out, '\'');
                  g_string_append (out, (const char *) sqlite3_column_text (rows, c));
                  g_string_append_c (out, '\'');
                }
              g_string_append_c (out, c + 1 < sqlite3_column_count (rows) ? '|' : '\n');
            }
          n++;
        }
      g_string_append_printf (out, "(%u rows)\n", n);
      sqlite3_finalize (rows);
    }
  sqlite3_finalize (tables);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static gint64
count_rows (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static char *
generate (Fixture *fx, const char *name, guint32 seed, guint n, TrajDemoCounts *counts)
{
  char *path = g_build_filename (fx->dir, name, NULL);
  g_autoptr(TrajStore) store = NULL;
  GError *error = NULL;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, seed, n, ANCHOR (), counts, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_deterministic (Fixture *fx, gconstpointer data)
{
  TrajDemoCounts ca, cb, cc;
  g_autofree char *a = generate (fx, "a.db", 4242, 30, &ca);
  g_autofree char *b = generate (fx, "b.db", 4242, 30, &cb);
  g_autofree char *c = generate (fx, "c.db", 4243, 30, &cc);
  g_autofree char *da = dump_tables (a);
  g_autofree char *db = dump_tables (b);
  g_autofree char *dc = dump_tables (c);

  g_assert_cmpuint (ca.patients, ==, 30);
  g_assert_cmpuint (ca.courses, >=, 30);
  g_assert_cmpuint (ca.infusions, >, 30);
  g_assert_cmpuint (ca.assessments, >, ca.infusions);
  g_assert_cmpmem (&ca, sizeof ca, &cb, sizeof cb);
  /* Same seed, size and anchor: the same rows, uids and times included. */
  g_assert_cmpuint (strlen (da), >, 10000);
  g_assert_cmpstr (da, ==, db);
  /* Another seed: another clinic. */
  g_assert_cmpstr (da, !=, dc);

  /* The counts say what was written. */
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM patient"), ==, ca.patients);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM course"), ==, ca.courses);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM infusion"), ==, ca.infusions);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM vital_sign"), ==, ca.vital_signs);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM assessment"), ==, ca.assessments);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM assessment_item"), ==, ca.items);
  /* CLINICAL.md §8: some patients have a medication list, with
   * benzodiazepines and lamotrigine among them. */
  g_assert_cmpuint (ca.medications, >, 0);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM medication"), ==, ca.medications);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM medication WHERE class = 'benzodiazepine'"), >, 0);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM medication WHERE class = 'lamotrigine'"), >, 0);
  /* One audit event for the whole batch (plus the file's migration and
   * the clinic's name and address, set as any setting is). */
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM audit_event WHERE action = 'demo' AND record_kind = 'clinic'"), ==, 1);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM audit_event WHERE action <> 'migrate' AND record_kind NOT IN ('records', 'counts', 'clinic_setting')"), ==, 1);
  g_assert_cmpint (count_rows (a, "SELECT count(*) FROM audit_event WHERE record_kind = 'clinic_setting'"), ==, 2);
  /* Nothing is dated after the anchor day. */
  g_assert_cmpint (count_rows (a, "SELECT max(started_at) FROM infusion"), <,
                   traj_time_from_day (ANCHOR (), 0, 0));
  g_assert_cmpint (count_rows (a, "SELECT max(taken_at) FROM assessment"), <,
                   traj_time_from_day (ANCHOR (), 0, 0));
}

static void
test_cancel_and_invalid (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "cancel.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  GError *error = NULL;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_cancellable_cancel (cancel);
  g_assert_false (traj_demo_generate (store, 1, 20, ANCHOR (), NULL, NULL, NULL, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* One transaction: nothing of the cancelled batch is left. */
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM patient"), ==, 0);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM assessment"), ==, 0);
  g_assert_cmpint (count_rows (path, "SELECT count(*) FROM audit_event WHERE action = 'demo'"), ==, 0);

  g_assert_false (traj_demo_generate (store, 1, 0, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);

  /* The store still works after both. */
  g_assert_true (traj_demo_generate (store, 1, 3, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 3);
}

typedef struct {
  guint courses;             /* with an assessment after the first infusion */
  guint halved;              /* …whose minimum after it is ≤ 50 % of the first */
  guint item9;               /* PHQ-9s with item 9 > 0 */
  guint phq9;
  guint infusions;
  guint ocd_ybocs;           /* OCD courses on Y-BOCS (CLINICAL.md §8) */
  guint ybocs_scores;
  guint substance_use;
  guint detailed;            /* patients with an indication detail */
  guint flagged;             /* …with the suicidal-ideation risk flag, who and when */
  GHashTable *peak_minute;   /* minute → count of infusions peaking there */
} Shape;

static gboolean
collect_shape (TrajPatientRecords *r, gpointer user_data)
{
  Shape *shape = user_data;

  shape->detailed += r->patient->indication_detail && *r->patient->indication_detail &&
                     traj_indication_detail_fits (r->patient->indication, r->patient->indication_detail);
  shape->flagged += r->patient->risk_si_at != 0 && r->patient->risk_si_by && *r->patient->risk_si_by;
  shape->substance_use += r->patient->indication == TRAJ_INDICATION_SUBSTANCE_USE;
  for (guint k = 0; k < r->courses->len; k++)
    {
      const TrajCourse *c = g_ptr_array_index (r->courses, k);
      shape->ocd_ybocs += c->indication == TRAJ_INDICATION_OCD && c->primary_scale == TRAJ_SCALE_YBOCS;
    }
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      shape->ybocs_scores += a->scale == TRAJ_SCALE_YBOCS && a->complete && a->total >= 0 && a->total <= 40;
    }
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      if (a->scale != TRAJ_SCALE_PHQ9)
        continue;
      shape->phq9++;
      if (a->items[TRAJ_PHQ9_ITEM9] > 0)
        shape->item9++;
    }

  for (guint ci = 0; ci < r->courses->len; ci++)
    {
      const TrajCourse *c = g_ptr_array_index (r->courses, ci);
      gint64 first_infusion = 0;
      int first = -1, min_after = G_MAXINT;

      for (guint k = 0; k < r->infusions->len; k++)
        {
          const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
          if (i->course_id == c->id)
            {
              first_infusion = i->started_at;
              break;     /* in time order */
            }
        }
      if (first_infusion == 0)
        continue;
      for (guint k = 0; k < r->assessments->len; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
          if (a->course_id != c->id || a->scale != c->primary_scale || !a->complete)
            continue;
          if (first < 0)
            first = a->total;
          else if (a->taken_at > first_infusion)
            min_after = MIN (min_after, a->total);
        }
      if (first < 0 || min_after == G_MAXINT)
        continue;
      shape->courses++;
      if (min_after * 2 <= first)
        shape->halved++;
    }

  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      int best = -1, at = -1;

      for (guint v = 0; v < i->vitals->len; v++)
        {
          const TrajVitalSign *vs = g_ptr_array_index (i->vitals, v);
          if (vs->systolic > best)
            {
              best = vs->systolic;
              at = vs->minute;
            }
        }
      if (at < 0)
        continue;
      shape->infusions++;
      g_hash_table_insert (shape->peak_minute, GINT_TO_POINTER (at),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (shape->peak_minute,
                                                                                    GINT_TO_POINTER (at))) + 1));
    }
  return TRUE;
}

static void
test_shape (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "shape.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  GError *error = NULL;
  Shape shape = { 0 };
  GHashTableIter iter;
  gpointer key, value;
  guint at40, best_other = 0;
  double fraction;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, TRAJ_DEMO_DEFAULT_SEED, 300, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 300);

  shape.peak_minute = g_hash_table_new (NULL, NULL);
  g_assert_true (traj_store_foreach_patient_records (store, collect_shape, &shape, NULL, &error));
  g_assert_no_error (error);

  /* About half the courses respond (score halved at some point). */
  g_assert_cmpuint (shape.courses, >, 250);
  fraction = (double) shape.halved / shape.courses;
  g_test_message ("%u of %u courses halved (%.0f %%)", shape.halved, shape.courses, 100 * fraction);
  g_assert_cmpfloat (fraction, >=, 0.40);
  g_assert_cmpfloat (fraction, <=, 0.65);

  /* Some PHQ-9s carry a safety finding, but not most. */
  g_test_message ("%u of %u PHQ-9s with item 9 > 0", shape.item9, shape.phq9);
  g_assert_cmpuint (shape.item9, >, 0);
  g_assert_cmpuint (shape.item9 * 10, <, shape.phq9);

  /* CLINICAL.md §8: OCD courses on Y-BOCS, substance use, indication
   * details and suicidal-ideation flags are all in the demo clinic. */
  g_test_message ("%u OCD courses on Y-BOCS (%u scores), %u substance use, %u with a detail, %u flagged",
                  shape.ocd_ybocs, shape.ybocs_scores, shape.substance_use, shape.detailed, shape.flagged);
  g_assert_cmpuint (shape.ocd_ybocs, >, 3);
  g_assert_cmpuint (shape.ybocs_scores, >, 20);
  g_assert_cmpuint (shape.substance_use, >, 0);
  g_assert_cmpuint (shape.detailed, >, 60);
  g_assert_cmpuint (shape.flagged, >, 0);

  /* Blood pressure peaks about 40 minutes in. */
  at40 = GPOINTER_TO_UINT (g_hash_table_lookup (shape.peak_minute, GINT_TO_POINTER (40)));
  g_hash_table_iter_init (&iter, shape.peak_minute);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_test_message ("systolic peak at minute %d: %u infusions", GPOINTER_TO_INT (key), GPOINTER_TO_UINT (value));
      if (GPOINTER_TO_INT (key) != 40)
        best_other = MAX (best_other, GPOINTER_TO_UINT (value));
    }
  g_assert_cmpuint (at40, >, best_other);
  g_hash_table_unref (shape.peak_minute);
}

/* Each table's uids increase in the order the rows were written (version 7
 * UUIDs): inserts into the uid indexes land at their end, which keeps a
 * large generation linear (random uids scattered them over the index). */
static void
test_uids_in_order (Fixture *fx, gconstpointer data)
{
  static const char *tables[] = { "patient", "course", "infusion", "vital_sign", "assessment", "flag_decision" };
  g_autofree char *path = generate (fx, "u.db", 4242, 30, NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT uid FROM %s ORDER BY id", tables[t]);
      g_autofree char *last = NULL;
      sqlite3_stmt *stmt = NULL;
      guint n = 0;

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *uid = (const char *) sqlite3_column_text (stmt, 0);

          g_assert_true (g_uuid_string_is_valid (uid));
          g_assert_cmpint (uid[14], ==, '7');
          if (last)
            g_assert_cmpstr (last, <, uid);
          g_free (last);
          last = g_strdup (uid);
          n++;
        }
      sqlite3_finalize (stmt);
      g_assert_cmpuint (n, >, 0);
    }
  sqlite3_close (db);
}

/* The window's brief patient list is the full one without the infusion
 * count and last infusion: same patients, order and every other field. */
static void
test_brief_list (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "brief.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GPtrArray) full = NULL, brief = NULL;
  GError *error = NULL;
  guint with_infusions = 0;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, TRAJ_DEMO_DEFAULT_SEED, 60, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  full = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  brief = traj_store_list_patients_brief (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (brief->len, ==, full->len);
  g_assert_cmpuint (full->len, ==, 60);
  for (guint k = 0; k < full->len; k++)
    {
      TrajPatientSummary a = *(TrajPatientSummary *) g_ptr_array_index (full, k);
      TrajPatientSummary b = *(TrajPatientSummary *) g_ptr_array_index (brief, k);

      with_infusions += a.infusion_count > 0;
      g_assert_cmpint (b.infusion_count, ==, 0);
      g_assert_cmpstr (a.uid, ==, b.uid);
      g_assert_cmpstr (a.mrn, ==, b.mrn);
      g_assert_cmpstr (a.name, ==, b.name);
      g_assert_cmpstr (a.search_key, ==, b.search_key);
      /* Every other field, byte for byte. */
      a.uid = b.uid = a.mrn = b.mrn = a.name = b.name = a.search_key = b.search_key = NULL;
      a.infusion_count = b.infusion_count = 0;
      a.last_infusion_at = b.last_infusion_at = 0;
      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
    }
  /* Not vacuous: the full list counted infusions. */
  g_assert_cmpuint (with_infusions, >, 10);
}

/* A trial met "Bruno" and "Rafael" recorded as female: a first name agrees
 * with the recorded sex. */
static void
test_names_match_sex (Fixture *fx, gconstpointer data)
{
  static const char *const male[] = {
    "Ben", "Bruno", "Rafael", "Tomas", "Nikolai", "Hugo", "Felix", "Noah", "Liam", "Pedro", "Dmitri", "Viktor",
    "Oskar", "Leon", "Jonah", "Samir", "Yusuf", NULL,
  };
  static const char *const female[] = {
    "Ada", "Carmen", "Elena", "Grace", "Sofia", "Maya", "Olivia", "Rosa", "Tessa", "Vera", "Chloe", "Esther",
    "Isla", "Priya", "Amara", "Ines", "Keiko", NULL,
  };
  g_autofree char *path = g_build_filename (fx->dir, "names.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;
  guint seen_male = 0, seen_female = 0;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, TRAJ_DEMO_DEFAULT_SEED, 300, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  list = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < list->len; k++)
    {
      const TrajPatientSummary *s = g_ptr_array_index (list, k);
      g_autoptr(TrajPatient) p = traj_store_get_patient (store, s->id, &error);
      g_auto(GStrv) parts = g_strsplit (p->name, " ", 2);
      gboolean is_male = g_strv_contains (male, parts[0]);
      gboolean is_female = g_strv_contains (female, parts[0]);

      g_assert_no_error (error);
      if (p->sex == TRAJ_SEX_FEMALE && is_male)
        g_error ("%s is recorded female", p->name);
      if (p->sex == TRAJ_SEX_MALE && is_female)
        g_error ("%s is recorded male", p->name);
      if (p->sex == TRAJ_SEX_OTHER)
        g_assert_false (is_male || is_female);
      seen_male += is_male;
      seen_female += is_female;
    }
  /* Not vacuous: both lists were met. */
  g_assert_cmpuint (seen_male, >, 10);
  g_assert_cmpuint (seen_female, >, 10);
}

typedef struct {
  char *clinic, *address;
  guint sessions, complete, short_monitoring, incomplete, first, patients_with_sessions;
  gboolean ids_agree;
} Rems;

static gboolean
collect_rems (TrajPatientRecords *r, gpointer user_data)
{
  Rems *m = user_data;
  const char *id = NULL;
  guint n = 0;

  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      g_autoptr(TrajRemsRecord) rec = NULL;

      if (!traj_rems_applies (i))
        continue;
      rec = traj_rems_record_new (r->patient, i, m->clinic, m->address);
      m->sessions++;
      n++;
      if (traj_rems_record_complete (rec) && !rec->short_monitoring)
        m->complete++;
      if (rec->short_monitoring)
        m->short_monitoring++;
      if (!traj_rems_record_complete (rec))
        m->incomplete++;
      m->first += i->rems_first_session == 1;
      if (id && g_strcmp0 (id, i->rems_patient_id) != 0)
        m->ids_agree = FALSE;
      id = i->rems_patient_id;
    }
  m->patients_with_sessions += n > 0;
  return TRUE;
}

/* CLINICAL.md §8: the demo clinic's esketamine sessions have monitoring
 * records, most complete (the clinic's name and address are set), a few
 * missing an answer or under two hours so the check shows; one first
 * session per patient and one enrolment ID for all of a patient's. */
static void
test_monitoring_records (Fixture *fx, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fx->dir, "rems.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  GError *error = NULL;
  Rems m = { .ids_agree = TRUE };

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, TRAJ_DEMO_DEFAULT_SEED, 300, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  m.clinic = traj_store_get_setting (store, "clinic-name", &error);
  g_assert_no_error (error);
  m.address = traj_store_get_setting (store, "clinic-address", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m.clinic, ==, "Riverside Ketamine Clinic (demo)");
  g_assert_nonnull (m.address);
  g_assert_true (traj_store_foreach_patient_records (store, collect_rems, &m, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("%u sessions: %u complete, %u incomplete, %u under 2 h", m.sessions, m.complete, m.incomplete,
                  m.short_monitoring);
  g_assert_cmpuint (m.sessions, >, 100);
  g_assert_cmpuint (m.complete * 100, >=, m.sessions * 85);
  g_assert_cmpuint (m.incomplete, >, 0);
  g_assert_cmpuint (m.short_monitoring, >, 0);
  g_assert_cmpuint (m.first, ==, m.patients_with_sessions);
  g_assert_true (m.ids_agree);
  g_free (m.clinic);
  g_free (m.address);

  /* A clinic that has its own name keeps it. */
  {
    g_autofree char *other = g_build_filename (fx->dir, "named.db", NULL);
    g_autoptr(TrajStore) named = traj_store_open (other, &error);
    g_autofree char *name = NULL;

    g_assert_no_error (error);
    g_assert_true (traj_store_set_setting (named, "clinic-name", "Harbour Clinic", &error));
    g_assert_true (traj_demo_generate (named, 7, 3, ANCHOR (), NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    name = traj_store_get_setting (named, "clinic-name", &error);
    g_assert_cmpstr (name, ==, "Harbour Clinic");
  }
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/demo/deterministic", test_deterministic);
  ADD ("/demo/names-match-sex", test_names_match_sex);
  ADD ("/demo/brief-list", test_brief_list);
  ADD ("/demo/cancel-and-invalid", test_cancel_and_invalid);
  ADD ("/demo/shape", test_shape);
  ADD ("/demo/uids-in-order", test_uids_in_order);
  ADD ("/demo/monitoring-records", test_monitoring_records);

  return g_test_run ();
}
