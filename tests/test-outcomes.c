/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outcomes engine against CLINICAL.md §2–§4. Every expected number is
 * worked out by hand in the comment next to it. Dates are 2026; scores are
 * taken at 09:00 and infusions start at 10:00 local time (TZ=Europe/London,
 * set by tests/meson.build), so a score on an infusion day is before it. */

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <math.h>

#include "traj-test-db.h"
#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-fhir.h"
#include "traj-outcomes.h"
#include "traj-store.h"
#include "traj-store-alert.h"

#define PATIENT_ID 1
#define NOW_LATE (at (12, 1, 0))

static gint64 next_id = 100;

static gint64
at (int month, int mday, int hour)
{
  return traj_time_from_day (traj_day_from_ymd (2026, month, mday), hour, 0);
}

static gint32
day (int month, int mday)
{
  return traj_day_from_ymd (2026, month, mday);
}

static TrajPatientRecords *
records_new (void)
{
  TrajPatientRecords *r = traj_patient_records_new ();

  r->patient = traj_patient_new ();
  r->patient->id = PATIENT_ID;
  r->patient->uid = g_strdup ("patient-1");
  return r;
}

static TrajCourse *
add_course (TrajPatientRecords *r, gint64 id, int month, int mday, TrajScaleId primary)
{
  TrajCourse *c = traj_course_new ();

  c->id = id;
  c->uid = g_strdup_printf ("course-%" G_GINT64_FORMAT, id);
  c->patient_id = PATIENT_ID;
  c->primary_scale = primary;
  c->start_day = day (month, mday);
  g_ptr_array_add (r->courses, c);
  return c;
}

static TrajInfusion *
add_infusion (TrajPatientRecords *r, gint64 course_id, int month, int mday)
{
  TrajInfusion *i = traj_infusion_new ();

  i->id = next_id++;
  i->uid = g_strdup_printf ("inf-%" G_GINT64_FORMAT, i->id);
  i->patient_id = PATIENT_ID;
  i->course_id = course_id;
  i->started_at = at (month, mday, 10);
  g_ptr_array_add (r->infusions, i);
  return i;
}

static TrajVitalSign *
add_vital (TrajInfusion *i, int minute, int sys, int dia, int hr, int spo2)
{
  TrajVitalSign *v = traj_vital_sign_new (minute);

  v->id = next_id++;
  v->uid = g_strdup_printf ("vital-%" G_GINT64_FORMAT, v->id);
  v->infusion_id = i->id;
  v->systolic = sys;
  v->diastolic = dia;
  v->heart_rate = hr;
  v->spo2 = spo2;
  g_ptr_array_add (i->vitals, v);
  return v;
}

/* A complete assessment given by its total (the engine reads totals only). */
static TrajAssessment *
add_score_at (TrajPatientRecords *r, gint64 course_id, TrajScaleId scale, gint64 taken_at, int total)
{
  TrajAssessment *a = traj_assessment_new (scale);

  a->id = next_id++;
  a->uid = g_strdup_printf ("a-%" G_GINT64_FORMAT, a->id);
  a->patient_id = PATIENT_ID;
  a->course_id = course_id;
  a->taken_at = taken_at;
  a->complete = TRUE;
  a->total = total;
  g_ptr_array_add (r->assessments, a);
  return a;
}

static TrajAssessment *
add_score (TrajPatientRecords *r, gint64 course_id, TrajScaleId scale, int month, int mday, int total)
{
  return add_score_at (r, course_id, scale, at (month, mday, 9), total);
}

static TrajAssessment *
add_draft (TrajPatientRecords *r, gint64 course_id, TrajScaleId scale, int month, int mday)
{
  TrajAssessment *a = add_score (r, course_id, scale, month, mday, -1);

  a->complete = FALSE;
  return a;
}

/* A PHQ-9 with real items: item 9 = @item9, the others 1; complete or with
 * item 1 left unanswered (a kiosk draft). */
static TrajAssessment *
add_phq9_items (TrajPatientRecords *r, int month, int mday, int item9, gboolean complete)
{
  TrajAssessment *a = add_score (r, 0, TRAJ_SCALE_PHQ9, month, mday, -1);

  for (int k = 0; k < 9; k++)
    a->items[k] = 1;
  a->items[TRAJ_PHQ9_ITEM9] = item9;
  if (!complete)
    a->items[0] = -1;
  traj_assessment_rescore (a);
  g_assert_cmpint (a->complete, ==, complete);
  return a;
}

static TrajFlagDecision *
add_decision (TrajPatientRecords *r, const char *kind, const char *key, const char *decision, gint64 decided_at)
{
  TrajFlagDecision *d = traj_flag_decision_new ();

  d->id = next_id++;
  d->uid = g_strdup_printf ("decision-%" G_GINT64_FORMAT, d->id);
  d->patient_id = PATIENT_ID;
  d->kind = g_strdup (kind);
  d->finding_key = g_strdup (key);
  d->decision = g_strdup (decision);
  d->note = g_strdup ("");
  d->decided_by = g_strdup ("Dr Test");
  d->decided_at = decided_at;
  g_ptr_array_add (r->decisions, d);
  return d;
}

static TrajOutcomes *
compute (const TrajPatientRecords *r, const TrajThresholds *t_or_null, gint64 now)
{
  TrajThresholds t;

  if (t_or_null == NULL)
    {
      traj_thresholds_init_defaults (&t);
      t_or_null = &t;
    }
  return traj_outcomes_compute (r, t_or_null, now);
}

static guint
count_kind (const TrajOutcomes *o, TrajFindingKind kind)
{
  guint n = 0;

  for (guint k = 0; k < o->findings->len; k++)
    n += ((const TrajFinding *) g_ptr_array_index (o->findings, k))->kind == kind;
  return n;
}

static const TrajFinding *
first_of_kind (const TrajOutcomes *o, TrajFindingKind kind)
{
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->kind == kind)
        return f;
    }
  return NULL;
}

static gboolean
rests_on (const TrajFinding *f, const char *uid)
{
  return g_strv_contains ((const char * const *) f->record_uids, uid);
}

/* ---- thresholds ---------------------------------------------------------- */

static void
test_defaults (void)
{
  TrajThresholds t;

  traj_thresholds_init_defaults (&t);
  /* CLINICAL.md §2–§4 numbers, typed here rather than read from the registry. */
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PHQ9], ==, 0.5);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_GAD7], ==, 0.5);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PAIN_NRS], ==, 0.5);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PCL5], ==, 0.5);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_MADRS], ==, 0.5);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_PHQ9], ==, 5);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_GAD7], ==, 4);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_PAIN_NRS], ==, 2);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_PCL5], ==, 10);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_MADRS], ==, 6);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_PHQ9], ==, 4);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_GAD7], ==, 4);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_PAIN_NRS], ==, 3);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_PCL5], ==, 32);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_MADRS], ==, 10);
  g_assert_cmpint (t.induction_length, ==, 6);
  g_assert_cmpint (t.worsening_gap_days, ==, 2);
  g_assert_cmpint (t.baseline_window_days, ==, 14);
  g_assert_cmpint (t.systolic_max, ==, 180);
  g_assert_cmpint (t.diastolic_max, ==, 110);
  g_assert_cmpint (t.spo2_min, ==, 92);
  g_assert_cmpint (t.heart_rate_max, ==, 120);
}

static const char test_schema[] =
  "<schemalist>\n"
  "  <schema id='org.example.TrajOutcomesTest' path='/org/example/TrajOutcomesTest/'>\n"
  "    <key name='response-phq9' type='d'><default>0.5</default></key>\n"
  "    <key name='response-gad7' type='d'><default>0.5</default></key>\n"
  "    <key name='response-pain-nrs' type='i'><default>50</default></key>\n"
  "    <key name='mcid-phq9' type='i'><default>5</default></key>\n"
  "    <key name='mcid-gad7' type='i'><default>4</default></key>\n"
  "    <key name='mcid-pain-nrs' type='i'><default>2</default></key>\n"
  "    <key name='mcid-pcl5' type='i'><default>10</default></key>\n"
  "    <key name='mcid-madrs' type='i'><default>6</default></key>\n"
  "    <key name='remission-phq9' type='i'><default>4</default></key>\n"
  "    <key name='remission-gad7' type='i'><default>4</default></key>\n"
  "    <key name='remission-pain-nrs' type='i'><default>3</default></key>\n"
  "    <key name='remission-pcl5' type='i'><default>32</default></key>\n"
  "    <key name='remission-madrs' type='i'><default>10</default></key>\n"
  "    <key name='induction-length' type='i'><default>6</default></key>\n"
  "    <key name='worsening-gap-days' type='i'><default>2</default></key>\n"
  "    <key name='baseline-window-days' type='i'><default>14</default></key>\n"
  "    <key name='vitals-systolic-max' type='i'><default>180</default></key>\n"
  "    <key name='vitals-diastolic-max' type='i'><default>110</default></key>\n"
  "    <key name='vitals-spo2-min' type='i'><default>92</default></key>\n"
  "    <key name='vitals-heart-rate-max' type='i'><default>120</default></key>\n"
  "    <key name='vitals-systolic-min' type='i'><default>90</default></key>\n"
  "    <key name='vitals-heart-rate-min' type='i'><default>50</default></key>\n"
  "    <key name='vitals-resp-rate-min' type='i'><default>10</default></key>\n"
  "  </schema>\n"
  "</schemalist>\n";

static void
test_thresholds_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *compiled = NULL;
  g_autofree char *compiler = g_find_program_in_path ("glib-compile-schemas");
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) settings = NULL;
  char *argv[3] = { NULL, NULL, NULL };
  int status = 0;
  TrajThresholds t;

  if (compiler == NULL)
    {
      g_test_skip ("glib-compile-schemas is not installed");
      return;
    }
  dir = g_dir_make_tmp ("traj-outcomes-schema-XXXXXX", &error);
  g_assert_no_error (error);
  xml = g_build_filename (dir, "org.example.TrajOutcomesTest.gschema.xml", NULL);
  g_file_set_contents (xml, test_schema, -1, &error);
  g_assert_no_error (error);
  argv[0] = compiler;
  argv[1] = dir;
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, "org.example.TrajOutcomesTest", FALSE);
  g_assert_nonnull (schema);
  backend = g_memory_settings_backend_new ();
  settings = g_settings_new_full (schema, backend, NULL);

  /* Defaults in the schema give the defaults. */
  traj_thresholds_load (&t, settings);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PHQ9], ==, 0.5);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PAIN_NRS], ==, 0.5);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_PAIN_NRS], ==, 2);

  /* Each scale's R is its own key; an integer key holds whole per cent; a
   * key the schema lacks (response-pcl5 here) keeps the table's default. */
  g_settings_set_double (settings, "response-phq9", 0.6);
  g_settings_set_int (settings, "response-pain-nrs", 70);
  g_settings_set_int (settings, "mcid-phq9", 4);
  g_settings_set_int (settings, "mcid-pain-nrs", 3);
  g_settings_set_int (settings, "remission-pcl5", 30);
  g_settings_set_int (settings, "remission-madrs", 12);
  g_settings_set_int (settings, "induction-length", 8);
  g_settings_set_int (settings, "worsening-gap-days", 5);
  g_settings_set_int (settings, "baseline-window-days", 7);
  g_settings_set_int (settings, "vitals-systolic-max", 170);
  g_settings_set_int (settings, "vitals-diastolic-max", 105);
  g_settings_set_int (settings, "vitals-spo2-min", 90);
  g_settings_set_int (settings, "vitals-heart-rate-max", 110);
  g_settings_set_int (settings, "vitals-systolic-min", 85);
  g_settings_set_int (settings, "vitals-heart-rate-min", 45);
  g_settings_set_int (settings, "vitals-resp-rate-min", 8);
  traj_thresholds_load (&t, settings);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PHQ9], ==, 0.6);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_GAD7], ==, 0.5);
  g_assert_cmpfloat_with_epsilon (t.response_fraction[TRAJ_SCALE_PAIN_NRS], 0.7, 1e-12);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PCL5], ==, 0.5);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_PHQ9], ==, 4);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_GAD7], ==, 4);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_PAIN_NRS], ==, 3);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_PCL5], ==, 30);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_MADRS], ==, 12);
  g_assert_cmpint (t.induction_length, ==, 8);
  g_assert_cmpint (t.worsening_gap_days, ==, 5);
  g_assert_cmpint (t.baseline_window_days, ==, 7);
  g_assert_cmpint (t.systolic_max, ==, 170);
  g_assert_cmpint (t.diastolic_max, ==, 105);
  g_assert_cmpint (t.spo2_min, ==, 90);
  g_assert_cmpint (t.heart_rate_max, ==, 110);
  g_assert_cmpint (t.systolic_min, ==, 85);
  g_assert_cmpint (t.heart_rate_min, ==, 45);
  g_assert_cmpint (t.resp_rate_min, ==, 8);

  compiled = g_build_filename (dir, "gschemas.compiled", NULL);
  g_unlink (compiled);
  g_unlink (xml);
  g_rmdir (dir);
}

/* The app's own schema (data/, compiled into GSETTINGS_SCHEMA_DIR by the
 * test setup) must give exactly CLINICAL.md's defaults. */
static void
test_thresholds_app_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettings) settings = NULL;
  TrajThresholds loaded, defaults;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.trajectory.Trajectory", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "response-phq9"))
    {
      g_test_skip ("the app's schema with the threshold keys is not compiled");
      return;
    }
  backend = g_memory_settings_backend_new ();
  settings = g_settings_new_full (schema, backend, NULL);
  traj_thresholds_init_defaults (&defaults);
  traj_thresholds_load (&loaded, settings);
  g_assert_cmpmem (&loaded, sizeof loaded, &defaults, sizeof defaults);
  /* CLINICAL.md §7's low limits. */
  g_assert_cmpint (defaults.systolic_min, ==, 90);
  g_assert_cmpint (defaults.heart_rate_min, ==, 50);
  g_assert_cmpint (defaults.resp_rate_min, ==, 10);
  g_assert_cmpint (defaults.spo2_min, ==, 92);

  g_settings_set_int (settings, "remission-gad7", 5);
  traj_thresholds_load (&loaded, settings);
  g_assert_cmpint (loaded.remission_max[TRAJ_SCALE_GAD7], ==, 5);
}

/* ---- baseline ------------------------------------------------------------ */

static void
test_no_baseline (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajPatientRecords) r2 = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  const TrajOutcome *x;

  /* 10 Feb is 19 days before the first infusion on 1 Mar (> 14): not a
   * baseline, though it belongs to the course. */
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 2, 10, 20);
  add_infusion (r, 1, 3, 1);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 10);
  o = compute (r, NULL, NOW_LATE);
  x = traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9);
  g_assert_nonnull (x);
  g_assert_false (x->has_baseline);
  g_assert_nonnull (x->no_baseline_reason);
  g_assert_nonnull (strstr (x->no_baseline_reason, "within 14 days before the first infusion (1 Mar 2026)"));
  g_assert_false (x->response_computable);
  g_assert_false (x->remission_computable);
  g_assert_false (x->response_reached);
  g_assert_false (x->remission_reached);
  g_assert_false (x->response_held);
  g_assert_false (x->has_change);
  g_assert_true (isnan (x->change_percent));
  g_assert_true (x->has_latest);
  g_assert_cmpint (x->latest, ==, 10);
  g_assert_cmpint (x->n_assessments, ==, 2);
  /* Nadir is still the lowest after the first infusion: the 10 on 5 Mar. */
  g_assert_true (x->has_nadir);
  g_assert_cmpint (x->nadir, ==, 10);
  g_assert_cmpuint (o->findings->len, ==, 0);

  /* No infusion yet. */
  add_course (r2, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r2, 1, TRAJ_SCALE_PHQ9, 3, 1, 20);
  o2 = compute (r2, NULL, NOW_LATE);
  x = traj_outcomes_find (o2, 1, TRAJ_SCALE_PHQ9);
  g_assert_false (x->has_baseline);
  g_assert_nonnull (strstr (x->no_baseline_reason, "No infusion yet"));
  g_assert_cmpint (x->n_infusions, ==, 0);
  g_assert_cmpint (x->induction_end_day, ==, TRAJ_DAY_NONE);
}

static void
test_baseline_window (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajPatientRecords) r2 = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  g_autoptr(TrajOutcomes) o3 = NULL;
  TrajThresholds t;
  const TrajOutcome *x;

  /* First infusion 15 Mar. 28 Feb is 15 days before (ignored), 1 Mar is
   * exactly 14 days before (the baseline, 18), and a later 16 on 3 Mar is
   * closer still and so wins. */
  add_course (r, 1, 3, 15, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 2, 28, 22);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 18);
  add_infusion (r, 1, 3, 15);
  o = compute (r, NULL, NOW_LATE);
  x = traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9);
  g_assert_true (x->has_baseline);
  g_assert_cmpint (x->baseline, ==, 18);
  g_assert_cmpint (x->baseline_at, ==, at (3, 1, 9));
  g_assert_null (x->no_baseline_reason);

  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 3, 16);
  o2 = compute (r, NULL, NOW_LATE);
  x = traj_outcomes_find (o2, 1, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (x->baseline, ==, 16);

  /* Only the 15-day-old one: no baseline by default, a baseline of 22 with a
   * 15-day window. */
  add_course (r2, 1, 3, 15, TRAJ_SCALE_PHQ9);
  add_score (r2, 1, TRAJ_SCALE_PHQ9, 2, 28, 22);
  add_infusion (r2, 1, 3, 15);
  g_clear_pointer (&o, traj_outcomes_free);
  o = compute (r2, NULL, NOW_LATE);
  g_assert_false (traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9)->has_baseline);
  traj_thresholds_init_defaults (&t);
  t.baseline_window_days = 15;
  o3 = compute (r2, &t, NOW_LATE);
  x = traj_outcomes_find (o3, 1, TRAJ_SCALE_PHQ9);
  g_assert_true (x->has_baseline);
  g_assert_cmpint (x->baseline, ==, 22);
}

static void
test_baseline_zero (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  const TrajOutcome *x;
  static const int days[] = { 2, 4, 6, 9, 11, 13 };

  /* Baseline 0, then 3, 9, 9: change 9 − 0 = +9 points, % undefined,
   * response not computable; remission is reached by the 3 (3 <= 4). Six infusions and a later score do
   * not make a no-response finding (needs baseline > 0), nor a booster. */
  add_course (r, 1, 3, 2, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 2, 0);
  for (guint k = 0; k < G_N_ELEMENTS (days); k++)
    add_infusion (r, 1, 3, days[k]);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 14, 3);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 20, 9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 23, 9);
  o = compute (r, NULL, NOW_LATE);
  x = traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9);
  g_assert_true (x->has_baseline);
  g_assert_cmpint (x->baseline, ==, 0);
  g_assert_nonnull (x->no_baseline_reason);
  g_assert_nonnull (strstr (x->no_baseline_reason, "baseline is 0"));
  g_assert_true (x->has_change);
  g_assert_cmpint (x->change_points, ==, 9);   /* 9 − 0 */
  g_assert_true (isnan (x->change_percent));
  g_assert_false (x->response_computable);
  g_assert_false (x->response_reached);
  g_assert_true (x->remission_computable);
  g_assert_true (x->remission_reached);
  g_assert_cmpint (x->remission_at, ==, at (3, 14, 9));
  g_assert_cmpuint (o->findings->len, ==, 0);
}

/* ---- response ------------------------------------------------------------ */

/* Baseline 20 on 2 Mar, six infusions 2–13 Mar, pre-infusion scores, and one
 * after the sixth infusion. R·B = 0.5 × 20 = 10. */
static TrajPatientRecords *
response_records (int last_score)
{
  TrajPatientRecords *r = records_new ();
  static const int days[] = { 2, 4, 6, 9, 11, 13 };
  static const int scores[] = { 20, 18, 16, 14, 12, 12 };

  add_course (r, 1, 3, 2, TRAJ_SCALE_PHQ9);
  for (guint k = 0; k < G_N_ELEMENTS (days); k++)
    {
      add_score (r, 1, TRAJ_SCALE_PHQ9, 3, days[k], scores[k]);
      add_infusion (r, 1, 3, days[k]);
    }
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 14, last_score);
  return r;
}

static void
test_response_on_last_infusion (void)
{
  g_autoptr(TrajPatientRecords) r = response_records (10);
  g_autoptr(TrajPatientRecords) r2 = response_records (11);
  g_autoptr(TrajOutcomes) o = compute (r, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o2 = compute (r2, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o3 = NULL;
  const TrajOutcome *x = traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9);
  TrajThresholds t;

  g_assert_true (x->is_primary);
  g_assert_cmpint (x->baseline, ==, 20);
  g_assert_cmpint (x->baseline_at, ==, at (3, 2, 9));
  g_assert_cmpint (x->latest, ==, 10);
  g_assert_cmpint (x->change_points, ==, -10);            /* 10 − 20 */
  g_assert_cmpfloat_with_epsilon (x->change_percent, -50.0, 1e-9); /* −10 / 20 */
  g_assert_cmpfloat_with_epsilon (x->response_threshold, 10.0, 1e-9);
  g_assert_true (x->response_reached);                    /* 10 <= 10 */
  g_assert_cmpint (x->response_at, ==, at (3, 14, 9));
  g_assert_true (x->response_held);
  g_assert_false (x->remission_reached);                  /* 10 > 4 */
  g_assert_true (x->has_nadir);
  g_assert_cmpint (x->nadir, ==, 10);
  g_assert_cmpint (x->nadir_at, ==, at (3, 14, 9));
  g_assert_cmpint (x->n_infusions, ==, 6);
  g_assert_cmpint (x->induction_length, ==, 6);
  g_assert_cmpint (x->induction_end_day, ==, day (3, 13));
  /* Responded at the first assessment after induction: no finding. */
  g_assert_cmpuint (o->findings->len, ==, 0);

  /* 11 > 10: no response, and a no-response finding instead. */
  x = traj_outcomes_find (o2, 1, TRAJ_SCALE_PHQ9);
  g_assert_false (x->response_reached);
  g_assert_false (x->response_held);
  g_assert_cmpfloat_with_epsilon (x->change_percent, -45.0, 1e-9); /* −9 / 20 */
  g_assert_cmpuint (count_kind (o2, TRAJ_FINDING_NO_RESPONSE), ==, 1);

  /* Thresholds change the result: R = 0.6 → R·B = 12, so the 12 on 11 Mar
   * (pre-infusion 5) is already a response. */
  traj_thresholds_init_defaults (&t);
  t.response_fraction[TRAJ_SCALE_PHQ9] = 0.6;
  o3 = compute (r2, &t, NOW_LATE);
  x = traj_outcomes_find (o3, 1, TRAJ_SCALE_PHQ9);
  g_assert_true (x->response_reached);
  g_assert_cmpint (x->response_at, ==, at (3, 11, 9));
  g_assert_true (x->response_held);                       /* 11 <= 12 */
  g_assert_cmpuint (count_kind (o3, TRAJ_FINDING_NO_RESPONSE), ==, 0);
}

static void
test_response_lost_regained (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) then = NULL;
  const TrajOutcome *x;

  /* B = 20 (R·B = 10): 9 on 5 Mar (response), 14 on 12 Mar (lost), 8 on
   * 19 Mar (regained). response_at stays the first, 5 Mar. */
  add_course (r, 1, 3, 2, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 2, 20);
  add_infusion (r, 1, 3, 2);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 12, 14);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 19, 8);
  o = compute (r, NULL, NOW_LATE);
  x = traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9);
  g_assert_true (x->response_reached);
  g_assert_cmpint (x->response_at, ==, at (3, 5, 9));
  g_assert_true (x->response_held);                       /* 8 <= 10 */
  g_assert_cmpint (x->nadir, ==, 8);

  /* As of 15 Mar the latest is the 14: response reached but not held. The
   * booster rule does not fire at L = 12 Mar: P = 5 Mar (9), no assessment
   * between the first infusion and P so N is undefined, and 9 <= 10. */
  then = compute (r, NULL, at (3, 15, 0));
  x = traj_outcomes_find (then, 1, TRAJ_SCALE_PHQ9);
  g_assert_true (x->response_reached);
  g_assert_false (x->response_held);
  g_assert_cmpint (x->latest, ==, 14);
  g_assert_cmpuint (then->findings->len, ==, 0);
  g_assert_cmpuint (o->findings->len, ==, 0);
}

static void
test_remission_boundaries (void)
{
  /* CLINICAL.md §2: PHQ-9 < 5, GAD-7 < 5, pain NRS <= 3, PCL-5 < 33,
   * MADRS <= 10, i.e. total <= 4, 4, 3, 32, 10. */
  static const struct { TrajScaleId scale; int max; int baseline; } cases[] = {
    { TRAJ_SCALE_PHQ9, 4, 27 },
    { TRAJ_SCALE_GAD7, 4, 21 },
    { TRAJ_SCALE_PAIN_NRS, 3, 10 },
    { TRAJ_SCALE_PCL5, 32, 80 },
    { TRAJ_SCALE_MADRS, 10, 60 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    for (int delta = 0; delta <= 1; delta++)
      {
        g_autoptr(TrajPatientRecords) r = records_new ();
        g_autoptr(TrajOutcomes) o = NULL;
        const TrajOutcome *x;

        add_course (r, 1, 3, 1, cases[k].scale);
        add_score (r, 1, cases[k].scale, 3, 1, cases[k].baseline);
        add_infusion (r, 1, 3, 1);
        add_score (r, 1, cases[k].scale, 3, 5, cases[k].max + delta);
        o = compute (r, NULL, NOW_LATE);
        x = traj_outcomes_find (o, 1, cases[k].scale);
        g_assert_nonnull (x);
        g_assert_cmpint (x->remission_max, ==, cases[k].max);
        g_assert_true (x->remission_computable);
        g_assert_cmpint (x->remission_reached, ==, delta == 0);
        if (delta == 0)
          g_assert_cmpint (x->remission_at, ==, at (3, 5, 9));
      }
}

static void
test_drafts_ignored (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  TrajAssessment *junk;
  const TrajOutcome *x;

  /* Complete 20 at 08:00 then a draft at 09:00 on the infusion day: the
   * baseline is the complete 20. A draft on 5 Mar, a complete 15 on 6 Mar,
   * and a "draft" carrying a stray total of 2 on 7 Mar: latest 15, nadir 15,
   * two assessments counted. */
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score_at (r, 1, TRAJ_SCALE_PHQ9, at (3, 1, 8), 20);
  add_draft (r, 1, TRAJ_SCALE_PHQ9, 3, 1);
  add_infusion (r, 1, 3, 1);
  add_draft (r, 1, TRAJ_SCALE_PHQ9, 3, 5);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 6, 15);
  junk = add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 7, 2);
  junk->complete = FALSE;
  o = compute (r, NULL, NOW_LATE);
  x = traj_outcomes_find (o, 1, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (x->n_assessments, ==, 2);
  g_assert_cmpint (x->baseline, ==, 20);
  g_assert_cmpint (x->baseline_at, ==, at (3, 1, 8));
  g_assert_cmpint (x->latest, ==, 15);
  g_assert_cmpint (x->nadir, ==, 15);
  g_assert_false (x->response_reached);                   /* 15 > 10 */
  g_assert_false (x->remission_reached);
}

/* ---- booster (CLINICAL.md §3) ---------------------------------------------- */

/* B = 26 on 1 Mar (R·B = 13), one infusion on 1 Mar, 4 on 5 Mar (responded;
 * the nadir), then @p on 10 Mar and @l on 12 Mar. With M = 5 a rise to
 * N + M = 9 is worsening; 9 <= 13 so response is not lost. */
static TrajPatientRecords *
booster_records (int p, int l)
{
  TrajPatientRecords *r = records_new ();

  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 26);
  add_infusion (r, 1, 3, 1);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 4);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 10, p);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 12, l);
  return r;
}

static void
test_booster_mcid (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajPatientRecords) r2 = booster_records (8, 8);
  g_autoptr(TrajPatientRecords) r3 = booster_records (9, 8);
  g_autoptr(TrajOutcomes) o = compute (r, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o2 = compute (r2, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o3 = compute (r3, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o4 = NULL;
  const TrajAssessment *base = g_ptr_array_index (r->assessments, 0);
  const TrajAssessment *nadir = g_ptr_array_index (r->assessments, 1);
  const TrajAssessment *p = g_ptr_array_index (r->assessments, 2);
  const TrajAssessment *l = g_ptr_array_index (r->assessments, 3);
  const TrajInfusion *inf = g_ptr_array_index (r->infusions, 0);
  g_autofree char *key = g_strdup_printf ("booster:course-1:%s", p->uid);
  const TrajFinding *f;
  TrajThresholds t;

  /* Exactly M: 9 >= 4 + 5 on both P and L → fires, dated at L (12 Mar). */
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_cmpint (f->kind, ==, TRAJ_FINDING_BOOSTER);
  g_assert_cmpstr (f->key, ==, key);
  g_assert_cmpint (f->course_id, ==, 1);
  g_assert_cmpint (f->scale, ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (f->patient_id, ==, PATIENT_ID);
  g_assert_cmpint (f->fired_at, ==, at (3, 12, 9));
  g_assert_true (f->open);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_NOT);
  g_assert_null (f->decision);
  g_assert_true (rests_on (f, base->uid));
  g_assert_true (rests_on (f, nadir->uid));
  g_assert_true (rests_on (f, p->uid));
  g_assert_true (rests_on (f, l->uid));
  g_assert_true (rests_on (f, inf->uid));
  /* 12 Mar − 1 Mar = 11 days after the last infusion, counted to the later
   * score (the page header counts to today). */
  g_assert_cmpstr (f->sentence, ==,
                   "PHQ-9 rose from 4 (lowest, 5 Mar 2026) to 9 and 9 on 10 Mar 2026 and 12 Mar 2026; "
                   "12 Mar 2026 was 11 days after the last infusion (1 Mar 2026). A booster might be discussed (the app’s rule: a rise "
                   "of at least 5 points from the lowest score, or above 50 % of the baseline of 26 on "
                   "1 Mar 2026, on two assessments at least 2 days apart).");
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 1);
  g_assert_false (traj_outcomes_has_open_safety (o));
  g_assert_true (traj_outcomes_find_finding (o, key) == f);

  /* M − 1: 8 < 9 and 8 <= 13 → does not fire. */
  g_assert_cmpuint (o2->findings->len, ==, 0);
  /* Both P and L must be worsening: L = 8 is not. */
  g_assert_cmpuint (o3->findings->len, ==, 0);

  /* Thresholds change the result: with M = 4, 8 >= 4 + 4 fires. */
  traj_thresholds_init_defaults (&t);
  t.mcid[TRAJ_SCALE_PHQ9] = 4;
  o4 = compute (r2, &t, NOW_LATE);
  g_assert_cmpuint (count_kind (o4, TRAJ_FINDING_BOOSTER), ==, 1);
  f = first_of_kind (o4, TRAJ_FINDING_BOOSTER);
  g_assert_nonnull (strstr (f->sentence, "at least 4 points"));
}

static void
test_booster_response_lost (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  const TrajFinding *f;

  /* B = 20 (R·B = 10); the only post-infusion scores are 9 (5 Mar, the
   * response), then 11 on 10 Mar and 11 on 12 Mar. At L = 12 Mar, P = 10 Mar
   * and N = the 9 on 5 Mar; 11 < 9 + 5 but 11 > 10 → response lost on both. */
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 20);
  add_infusion (r, 1, 3, 1);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 10, 11);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 12, 11);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_cmpint (f->kind, ==, TRAJ_FINDING_BOOSTER);
  g_assert_nonnull (strstr (f->sentence, "rose from 9 (lowest, 5 Mar 2026) to 11 and 11"));
}

static void
test_booster_gap (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  const TrajAssessment *p;
  g_autofree char *key = NULL;
  TrajThresholds t;

  /* As booster_records but the two rises are 11 and 12 Mar, one day apart.
   * At L = 12 Mar, P (>= 2 days before, after the infusion) is the 4 on
   * 5 Mar: N is undefined (nothing between the infusion and P) and 4 <= 13,
   * so Worsening(P) is false. At L = 11 Mar likewise. No finding. */
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 26);
  add_infusion (r, 1, 3, 1);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 4);
  p = add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 11, 10);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 12, 10);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 0);

  /* G = 1: at L = 12 Mar, P = 11 Mar (10), N = 4; 10 >= 9 twice → fires. */
  traj_thresholds_init_defaults (&t);
  t.worsening_gap_days = 1;
  o2 = compute (r, &t, NOW_LATE);
  g_assert_cmpuint (o2->findings->len, ==, 1);
  key = g_strdup_printf ("booster:course-1:%s", p->uid);
  g_assert_nonnull (traj_outcomes_find_finding (o2, key));
  g_assert_nonnull (strstr (((TrajFinding *) g_ptr_array_index (o2->findings, 0))->sentence,
                            "at least 1 day apart"));
}

/* CLINICAL.md §7 "Days": the 14-day baseline window counts calendar days in
 * the clinic's zone. First infusion 15 Mar 10:00 UTC; a 20 at 23:30 UTC on
 * 28 Feb is 28 Feb in London (15 days before: no baseline) and 1 Mar in
 * Tokyo (exactly 14 days before: the baseline). */
static void
test_baseline_window_clinic_zone (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  TrajInfusion *i;

  g_assert_true (traj_set_clinic_time_zone ("Europe/London"));
  add_course (r, 1, 3, 15, TRAJ_SCALE_PHQ9);
  add_score_at (r, 1, TRAJ_SCALE_PHQ9, traj_time_from_iso ("2026-02-28T23:30:00Z", NULL), 20);
  i = add_infusion (r, 1, 3, 15);
  i->started_at = traj_time_from_iso ("2026-03-15T10:00:00Z", NULL);
  {
    g_autoptr(TrajOutcomes) london = compute (r, NULL, NOW_LATE);

    g_assert_false (traj_outcomes_find (london, 1, TRAJ_SCALE_PHQ9)->has_baseline);
  }
  g_assert_true (traj_set_clinic_time_zone ("Asia/Tokyo"));
  {
    g_autoptr(TrajOutcomes) tokyo = compute (r, NULL, NOW_LATE);
    const TrajOutcome *x = traj_outcomes_find (tokyo, 1, TRAJ_SCALE_PHQ9);

    g_assert_true (x->has_baseline);
    g_assert_cmpint (x->baseline, ==, 20);
  }
  traj_set_clinic_time_zone (NULL);
}

/* CLINICAL.md §7 "Days": "days since the last infusion" in a booster
 * finding counts in the clinic's zone. The infusion at 23:30 UTC on 1 Mar is
 * 1 Mar in London and 2 Mar in Tokyo; the later rise on 12 Mar (09:00 in
 * London, 18:00 in Tokyo) is 11 and 10 days after it. */
static void
test_days_since_infusion_clinic_zone (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  TrajInfusion *i;

  g_assert_true (traj_set_clinic_time_zone ("Europe/London"));
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 26);
  i = add_infusion (r, 1, 3, 1);
  i->started_at = traj_time_from_iso ("2026-03-01T23:30:00Z", NULL);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 4);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 10, 10);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 12, 10);
  {
    g_autoptr(TrajOutcomes) london = compute (r, NULL, NOW_LATE);

    g_assert_cmpuint (london->findings->len, ==, 1);
    g_assert_nonnull (strstr (((TrajFinding *) g_ptr_array_index (london->findings, 0))->sentence,
                              "12 Mar 2026 was 11 days after the last infusion (1 Mar 2026)."));
  }
  g_assert_true (traj_set_clinic_time_zone ("Asia/Tokyo"));
  {
    g_autoptr(TrajOutcomes) tokyo = compute (r, NULL, NOW_LATE);

    g_assert_cmpuint (tokyo->findings->len, ==, 1);
    g_assert_nonnull (strstr (((TrajFinding *) g_ptr_array_index (tokyo->findings, 0))->sentence,
                              "12 Mar 2026 was 10 days after the last infusion (2 Mar 2026)."));
  }
  traj_set_clinic_time_zone (NULL);
}

/* CLINICAL.md §7 "Days": the gap G counts calendar days in the clinic's
 * zone, whatever the machine's. The rises are at 23:30 UTC on 10 Mar and
 * 00:30 UTC on 12 Mar: 10 and 12 Mar in London (two days apart: P is the
 * 10 on 10 Mar, N = 4, 10 >= 4 + 5 twice → fires), 11 and 12 Mar in Tokyo
 * (one day apart: P is the 4 on 5 Mar, N undefined, 4 <= 13 → nothing). */
static void
test_booster_gap_clinic_zone (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  const TrajAssessment *p;
  g_autofree char *key = NULL;

  g_assert_true (traj_set_clinic_time_zone ("Europe/London"));
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 26);
  add_infusion (r, 1, 3, 1);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 5, 4);
  p = add_score_at (r, 1, TRAJ_SCALE_PHQ9, traj_time_from_iso ("2026-03-10T23:30:00Z", NULL), 10);
  add_score_at (r, 1, TRAJ_SCALE_PHQ9, traj_time_from_iso ("2026-03-12T00:30:00Z", NULL), 10);
  key = g_strdup_printf ("booster:course-1:%s", p->uid);
  {
    g_autoptr(TrajOutcomes) london = compute (r, NULL, NOW_LATE);

    g_assert_cmpuint (london->findings->len, ==, 1);
    g_assert_nonnull (traj_outcomes_find_finding (london, key));
  }
  g_assert_true (traj_set_clinic_time_zone ("Asia/Tokyo"));
  {
    g_autoptr(TrajOutcomes) tokyo = compute (r, NULL, NOW_LATE);

    g_assert_cmpuint (tokyo->findings->len, ==, 0);
  }
  traj_set_clinic_time_zone (NULL);
}

static void
test_booster_cleared_by_infusion (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajOutcomes) before = NULL;
  g_autoptr(TrajOutcomes) after = NULL;
  const TrajFinding *f;

  /* A booster infusion on 14 Mar 10:00 after L (12 Mar) and a 9 on 15 Mar.
   * As of 13 Mar the finding is open; as of late it is closed by the
   * infusion and kept in the history. At L = 15 Mar the most recent
   * infusion is 14 Mar and nothing after it is 2 days before L: no P. */
  add_infusion (r, 1, 3, 14);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 15, 9);
  before = compute (r, NULL, at (3, 13, 0));
  g_assert_cmpuint (traj_outcomes_n_open (before), ==, 1);
  after = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (after->findings->len, ==, 1);
  g_assert_cmpuint (traj_outcomes_n_open (after), ==, 0);
  f = g_ptr_array_index (after->findings, 0);
  g_assert_false (f->open);
  g_assert_true (f->closed_by_infusion);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_INFUSION);
  g_assert_cmpint (f->closed_at, ==, at (3, 14, 10));
  g_assert_cmpint (f->fired_at, ==, at (3, 12, 9));
}

static void
test_booster_decision_and_new_episode (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  g_autoptr(TrajOutcomes) o3 = NULL;
  const TrajAssessment *p = g_ptr_array_index (r->assessments, 2);
  const TrajAssessment *p2;
  g_autofree char *key = g_strdup_printf ("booster:course-1:%s", p->uid);
  g_autofree char *key2 = NULL;
  const TrajFinding *f;

  /* A decision with a code that does not close a booster finding
   * ("acknowledged") leaves it open. */
  add_decision (r, "booster", key, TRAJ_DECISION_ACKNOWLEDGED, at (3, 12, 11));
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 1);

  /* "declined" at 12 Mar 12:00 closes it. An 11 on 16 Mar continues the
   * same episode (at L = 16 Mar, P = 12 Mar (9), N = 4: 9 >= 9, 11 >= 9, no
   * infusion in between): the same key, still closed, and shown as it was
   * when decided (dated 12 Mar). */
  add_decision (r, "booster", key, TRAJ_DECISION_DECLINED, at (3, 12, 12));
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 16, 11);
  o2 = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o2->findings->len, ==, 1);
  g_assert_cmpuint (traj_outcomes_n_open (o2), ==, 0);
  f = g_ptr_array_index (o2->findings, 0);
  g_assert_cmpstr (f->key, ==, key);
  g_assert_false (f->open);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_DECISION);
  g_assert_nonnull (f->decision);
  g_assert_cmpstr (f->decision->decision, ==, TRAJ_DECISION_DECLINED);
  g_assert_cmpstr (f->decision->decided_by, ==, "Dr Test");
  g_assert_cmpint (f->closed_at, ==, at (3, 12, 12));
  g_assert_cmpint (f->fired_at, ==, at (3, 12, 9));

  /* 5 on 20 Mar ends the episode (5 < 9, 5 <= 13). Then 10 on 25 Mar and 11
   * on 28 Mar: at L = 25 Mar, P = 20 Mar (5) is not worsening; at L = 28 Mar,
   * P = 25 Mar (10), N = 4 (5 Mar, lower than the 5 on 20 Mar): 10 >= 9 and
   * 11 >= 9 → a new episode with a new key, open. */
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 20, 5);
  p2 = add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 25, 10);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 28, 11);
  key2 = g_strdup_printf ("booster:course-1:%s", p2->uid);
  o3 = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o3, TRAJ_FINDING_BOOSTER), ==, 2);
  g_assert_cmpuint (traj_outcomes_n_open (o3), ==, 1);
  /* Open first. */
  f = g_ptr_array_index (o3->findings, 0);
  g_assert_cmpstr (f->key, ==, key2);
  g_assert_true (f->open);
  g_assert_cmpint (f->fired_at, ==, at (3, 28, 9));
  g_assert_nonnull (strstr (f->sentence, "rose from 4 (lowest, 5 Mar 2026) to 10 and 11 on 25 Mar 2026 and 28 Mar 2026; 28 Mar 2026 was 27 days after the last infusion (1 Mar 2026)"));
  f = g_ptr_array_index (o3->findings, 1);
  g_assert_cmpstr (f->key, ==, key);
  g_assert_false (f->open);
}

/* CLINICAL.md §7: after a decision the rule fires again as a new finding
 * when a score is at least M above the score decided on, or 28 days after
 * "declined" / "not indicated" while it still fires. */
static void
test_booster_fires_again (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajPatientRecords) r2 = booster_records (9, 9);
  g_autoptr(TrajPatientRecords) r3 = booster_records (9, 9);
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  g_autoptr(TrajOutcomes) o2_before = NULL;
  g_autoptr(TrajOutcomes) o3 = NULL;
  const TrajAssessment *p = g_ptr_array_index (r->assessments, 2);
  const TrajAssessment *p_decided = g_ptr_array_index (r->assessments, 3);
  const TrajAssessment *l_again, *p2, *l2;
  g_autofree char *key = g_strdup_printf ("booster:course-1:%s", p->uid);
  g_autofree char *key_again = NULL;
  g_autofree char *key2_again = NULL;
  g_autofree char *key2 = NULL;
  g_autofree char *key3 = NULL;
  const TrajFinding *f;

  /* Declined at 12 Mar 12:00 on L = 9 (12 Mar). 13 on 16 Mar: P = 12 Mar
   * (9), N = 4, both >= 9 so it fires, but 13 < 9 + 5: the same (closed)
   * episode. 14 on 17 Mar: P = 12 Mar again (16 Mar is 1 day before), fires,
   * and 14 >= 9 + 5 → a new finding keyed by P and L, open, dated 17 Mar. */
  add_decision (r, "booster", key, TRAJ_DECISION_DECLINED, at (3, 12, 12));
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 16, 13);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_BOOSTER), ==, 1);
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 0);
  g_clear_pointer (&o, traj_outcomes_free);
  l_again = add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 17, 14);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_BOOSTER), ==, 2);
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 1);
  key_again = g_strdup_printf ("booster:course-1:%s:%s", p_decided->uid, l_again->uid);
  f = traj_outcomes_find_finding (o, key_again);
  g_assert_nonnull (f);
  g_assert_true (f->open);
  g_assert_cmpint (f->fired_at, ==, at (3, 17, 9));
  g_assert_nonnull (strstr (f->sentence, "rose from 4 (lowest, 5 Mar 2026) to 9 and 14 on 12 Mar 2026 and 17 Mar 2026"));
  f = traj_outcomes_find_finding (o, key);
  g_assert_nonnull (f);
  g_assert_false (f->open);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_DECISION);
  g_assert_cmpint (f->fired_at, ==, at (3, 12, 9));

  /* A decision on the new finding closes it in turn. */
  add_decision (r, "booster", key_again, TRAJ_DECISION_BOOSTER_BOOKED, at (3, 17, 12));
  g_clear_pointer (&o, traj_outcomes_free);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_BOOSTER), ==, 2);
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 0);

  /* Declined at 12 Mar 12:00, then 10 on 16 Mar, 8 Apr and 9 Apr (each
   * fires: P = 12 Mar, then 16 Mar; 10 < 14). 8 Apr is 27 days after the
   * decision: still the decided episode; 9 Apr is 28 days after: a new one. */
  key2 = g_strdup_printf ("booster:course-1:%s", ((TrajAssessment *) g_ptr_array_index (r2->assessments, 2))->uid);
  add_decision (r2, "booster", key2, TRAJ_DECISION_DECLINED, at (3, 12, 12));
  p2 = add_score (r2, 1, TRAJ_SCALE_PHQ9, 3, 16, 10);
  add_score (r2, 1, TRAJ_SCALE_PHQ9, 4, 8, 10);
  l2 = add_score (r2, 1, TRAJ_SCALE_PHQ9, 4, 9, 10);
  o2_before = compute (r2, NULL, at (4, 8, 12));
  g_assert_cmpuint (count_kind (o2_before, TRAJ_FINDING_BOOSTER), ==, 1);
  g_assert_cmpuint (traj_outcomes_n_open (o2_before), ==, 0);
  o2 = compute (r2, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o2, TRAJ_FINDING_BOOSTER), ==, 2);
  g_assert_cmpuint (traj_outcomes_n_open (o2), ==, 1);
  key2_again = g_strdup_printf ("booster:course-1:%s:%s", p2->uid, l2->uid);
  f = traj_outcomes_find_finding (o2, key2_again);
  g_assert_nonnull (f);
  g_assert_true (f->open);
  g_assert_cmpint (f->fired_at, ==, at (4, 9, 9));

  /* "Booster booked" is not reminded after 28 days. */
  key3 = g_strdup_printf ("booster:course-1:%s", ((TrajAssessment *) g_ptr_array_index (r3->assessments, 2))->uid);
  add_decision (r3, "booster", key3, TRAJ_DECISION_BOOSTER_BOOKED, at (3, 12, 12));
  add_score (r3, 1, TRAJ_SCALE_PHQ9, 3, 16, 10);
  add_score (r3, 1, TRAJ_SCALE_PHQ9, 4, 8, 10);
  add_score (r3, 1, TRAJ_SCALE_PHQ9, 4, 9, 10);
  o3 = compute (r3, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o3, TRAJ_FINDING_BOOSTER), ==, 1);
  g_assert_cmpuint (traj_outcomes_n_open (o3), ==, 0);
}

/* How a closed finding was closed, in the words the Findings History, the
 * chart's tooltip and the report use. */
static void
test_describe_closed (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajPatientRecords) r_inf = booster_records (9, 9);
  g_autoptr(TrajPatientRecords) r_scores = booster_records (9, 9);
  g_autoptr(TrajOutcomes) o = NULL;
  const TrajAssessment *p = g_ptr_array_index (r->assessments, 2);
  g_autofree char *key = g_strdup_printf ("booster:course-1:%s", p->uid);
  g_autofree char *text = NULL;
  TrajFlagDecision *d;

  /* Open: nothing to say. */
  o = compute (r, NULL, NOW_LATE);
  g_assert_null (traj_finding_describe_closed (traj_outcomes_find_finding (o, key)));
  g_clear_pointer (&o, traj_outcomes_free);

  /* Declined on 12 Mar at 12:00 by Dr Test (add_decision's name), no note. */
  d = add_decision (r, "booster", key, TRAJ_DECISION_DECLINED, at (3, 12, 12));
  o = compute (r, NULL, NOW_LATE);
  text = traj_finding_describe_closed (traj_outcomes_find_finding (o, key));
  g_assert_cmpstr (text, ==, "Declined by Dr Test on 12 Mar 2026");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&o, traj_outcomes_free);

  /* With a note, and then with no name. */
  g_free (d->note);
  d->note = g_strdup ("travelling until April");
  o = compute (r, NULL, NOW_LATE);
  text = traj_finding_describe_closed (traj_outcomes_find_finding (o, key));
  g_assert_cmpstr (text, ==, "Declined by Dr Test on 12 Mar 2026: travelling until April");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&o, traj_outcomes_free);
  g_free (d->decided_by);
  d->decided_by = g_strdup ("");
  o = compute (r, NULL, NOW_LATE);
  text = traj_finding_describe_closed (traj_outcomes_find_finding (o, key));
  g_assert_cmpstr (text, ==, "Declined on 12 Mar 2026: travelling until April");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&o, traj_outcomes_free);

  /* A booster given on 20 Mar closes it. */
  add_infusion (r_inf, 1, 3, 20);
  o = compute (r_inf, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 1);
  text = traj_finding_describe_closed (g_ptr_array_index (o->findings, 0));
  g_assert_cmpstr (text, ==, "Closed by an infusion on 20 Mar 2026");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&o, traj_outcomes_free);

  /* A 3 on 14 Mar is not worsening: the rule no longer holds from then. */
  add_score (r_scores, 1, TRAJ_SCALE_PHQ9, 3, 14, 3);
  o = compute (r_scores, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 1);
  text = traj_finding_describe_closed (g_ptr_array_index (o->findings, 0));
  g_assert_cmpstr (text, ==, "No longer met by later scores on 14 Mar 2026");
}

static void
test_booster_improvement_closes (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajOutcomes) o = NULL;
  const TrajFinding *f;

  /* A 3 on 14 Mar: not worsening, the episode no longer meets the rule. */
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 14, 3);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_false (f->open);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_SCORES);
  g_assert_cmpint (f->closed_at, ==, at (3, 14, 9));
}

/* ---- no response after induction ------------------------------------------- */

static const int induction_days[] = { 2, 4, 6, 9, 11, 13 };

/* Baseline 20 on 2 Mar (R·B = 10), infusions 2–13 Mar (@n_infusions of
 * them), 16 on 6 Mar, 14 on 11 Mar, 15 on 14 Mar. */
static TrajPatientRecords *
no_response_records (guint n_infusions, int induction_length)
{
  TrajPatientRecords *r = records_new ();
  TrajCourse *c = add_course (r, 1, 3, 2, TRAJ_SCALE_PHQ9);

  c->induction_length = induction_length;
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 2, 20);
  for (guint k = 0; k < n_infusions; k++)
    add_infusion (r, 1, 3, induction_days[k]);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 6, 16);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 11, 14);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 14, 15);
  return r;
}

static void
test_no_response (void)
{
  g_autoptr(TrajPatientRecords) r = no_response_records (6, 6);
  g_autoptr(TrajPatientRecords) five = no_response_records (5, 6);
  g_autoptr(TrajPatientRecords) four = no_response_records (4, 4);
  g_autoptr(TrajPatientRecords) none = no_response_records (4, 0);
  g_autoptr(TrajOutcomes) o = compute (r, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o5 = compute (five, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o4 = compute (four, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) o0 = NULL;
  g_autoptr(TrajOutcomes) later = NULL;
  g_autoptr(TrajOutcomes) decided = NULL;
  const TrajInfusion *sixth = g_ptr_array_index (r->infusions, 5);
  const TrajAssessment *d = g_ptr_array_index (r->assessments, 3);
  const TrajFinding *f;
  TrajThresholds t;

  /* Six infusions, the first assessment after the sixth (13 Mar) is the 15 on
   * 14 Mar; nothing after the first infusion reached 10 → fires there. */
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_cmpint (f->kind, ==, TRAJ_FINDING_NO_RESPONSE);
  g_assert_cmpstr (f->key, ==, "no_response:course-1");
  g_assert_cmpint (f->fired_at, ==, at (3, 14, 9));
  g_assert_true (f->open);
  g_assert_true (rests_on (f, sixth->uid));
  g_assert_true (rests_on (f, d->uid));
  /* Lowest since the first infusion: min(16, 14, 15) = 14 on 11 Mar. */
  g_assert_cmpstr (f->sentence, ==,
                   "No response after 6 infusions: the treatment plan might be reviewed. PHQ-9 was 20 at "
                   "baseline (2 Mar 2026) and 15 on 14 Mar 2026, after the last induction infusion on "
                   "13 Mar 2026; the lowest since the first infusion was 14 (11 Mar 2026). (The app’s rule: "
                   "response is a score of 10 or less, 50 % of baseline; induction is 6 infusions.)");

  /* Five infusions: not yet. */
  g_assert_cmpuint (o5->findings->len, ==, 0);

  /* The course's own induction length (4) wins over the default 6: the first
   * assessment after the 4th infusion (9 Mar) is the 14 on 11 Mar. */
  g_assert_cmpuint (o4->findings->len, ==, 1);
  g_assert_cmpint (((TrajFinding *) g_ptr_array_index (o4->findings, 0))->fired_at, ==, at (3, 11, 9));
  /* A course without its own length uses the thresholds'. */
  traj_thresholds_init_defaults (&t);
  t.induction_length = 4;
  o0 = compute (none, &t, NOW_LATE);
  g_assert_cmpuint (o0->findings->len, ==, 1);
  g_assert_cmpint (((TrajFinding *) g_ptr_array_index (o0->findings, 0))->fired_at, ==, at (3, 11, 9));
  g_assert_cmpint (traj_outcomes_find (o0, 1, TRAJ_SCALE_PHQ9)->induction_end_day, ==, day (3, 9));

  /* A later 10 on 25 Mar reaches response: closed by scores, kept. */
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 25, 10);
  later = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (later->findings->len, ==, 1);
  f = g_ptr_array_index (later->findings, 0);
  g_assert_false (f->open);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_SCORES);
  g_assert_cmpint (f->closed_at, ==, at (3, 25, 9));

  /* "plan reviewed" closes it (a booster code does not). */
  add_decision (five, "no_response", "no_response:course-1", TRAJ_DECISION_DECLINED, at (3, 20, 9));
  add_infusion (five, 1, 3, 13);
  decided = compute (five, NULL, NOW_LATE);
  g_assert_cmpuint (traj_outcomes_n_open (decided), ==, 1);
  add_decision (five, "no_response", "no_response:course-1", TRAJ_DECISION_PLAN_REVIEWED, at (3, 21, 9));
  g_clear_pointer (&decided, traj_outcomes_free);
  decided = compute (five, NULL, NOW_LATE);
  g_assert_cmpuint (traj_outcomes_n_open (decided), ==, 0);
  f = g_ptr_array_index (decided->findings, 0);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_DECISION);
  g_assert_cmpstr (f->decision->decision, ==, TRAJ_DECISION_PLAN_REVIEWED);
}

static void
test_no_response_needs_later_assessment (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;

  /* Six infusions but the last score (14 on 11 Mar) is before the sixth. */
  add_course (r, 1, 3, 2, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 2, 20);
  for (guint k = 0; k < G_N_ELEMENTS (induction_days); k++)
    add_infusion (r, 1, 3, induction_days[k]);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 11, 14);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 0);
}

/* ---- safety -------------------------------------------------------------- */

static void
test_safety_item9 (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajPatientRecords) zero = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o0 = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  g_autoptr(TrajOutcomes) o3 = NULL;
  const TrajAssessment *one, *draft;
  g_autofree char *key1 = NULL;
  g_autofree char *key2 = NULL;
  const TrajFinding *f;

  /* Item 9 = 0 in a complete PHQ-9 (total 8): no finding. */
  add_phq9_items (zero, 3, 2, 0, TRUE);
  o0 = compute (zero, NULL, NOW_LATE);
  g_assert_cmpuint (o0->findings->len, ==, 0);
  g_assert_false (traj_outcomes_has_open_safety (o0));

  /* Item 9 = 1 in a complete one (3 Mar) and 2 in a draft (4 Mar): two
   * safety findings, patient-wide (course 0), newest first. */
  one = add_phq9_items (r, 3, 3, 1, TRUE);
  draft = add_phq9_items (r, 3, 4, 2, FALSE);
  key1 = g_strdup_printf ("safety:%s", one->uid);
  key2 = g_strdup_printf ("safety:%s", draft->uid);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 2);
  g_assert_true (traj_outcomes_has_open_safety (o));
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 2);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_cmpstr (f->key, ==, key2);
  g_assert_cmpint (f->course_id, ==, 0);
  g_assert_cmpint (f->fired_at, ==, at (3, 4, 9));
  g_assert_nonnull (strstr (f->sentence, "“More than half the days” (2) on 4 Mar 2026, in an incomplete questionnaire"));
  f = g_ptr_array_index (o->findings, 1);
  g_assert_cmpstr (f->key, ==, key1);
  g_assert_true (rests_on (f, one->uid));
  g_assert_cmpstr (f->sentence, ==,
                   "PHQ-9 item 9 (“Thoughts that you would be better off dead or of hurting yourself in some "
                   "way”) was answered “Several days” (1) on 3 Mar 2026. A clinician should talk with the "
                   "patient and acknowledge this finding (any answer above 0 on item 9 is a safety finding).");

  /* Only "acknowledged" closes it; it then records who and when. */
  add_decision (r, "safety", key1, TRAJ_DECISION_DECLINED, at (3, 5, 9));
  add_decision (r, "safety", key1, TRAJ_DECISION_ACKNOWLEDGED, at (3, 5, 10));
  add_decision (r, "safety", key2, TRAJ_DECISION_ACKNOWLEDGED, at (3, 5, 11));
  o2 = compute (r, NULL, NOW_LATE);
  g_assert_false (traj_outcomes_has_open_safety (o2));
  g_assert_cmpuint (traj_outcomes_n_open (o2), ==, 0);
  g_assert_cmpuint (o2->findings->len, ==, 2);
  f = traj_outcomes_find_finding (o2, key1);
  g_assert_cmpstr (f->decision->decided_by, ==, "Dr Test");
  g_assert_cmpint (f->closed_at, ==, at (3, 5, 10));

  /* Safety findings do not wait for @now: a PHQ-9 dated after it still
   * raises one (the acknowledgements, dated later, are not yet seen). */
  o3 = compute (r, NULL, at (3, 1, 0));
  g_assert_cmpuint (traj_outcomes_n_open (o3), ==, 2);
  g_assert_true (traj_outcomes_has_open_safety (o3));
}

/* ---- monitoring ---------------------------------------------------------- */

/* CLINICAL.md §8: the CADSS total and the lowest MOAA/S are tolerability,
 * never outcomes. A lowest MOAA/S of 0 (no response) is a monitoring event;
 * 3 is sedation but not an event, 4 not even sedation. Response and
 * remission are exactly what they are without them. */
static void
test_tolerability_not_outcome (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) with = NULL;
  g_autoptr(TrajOutcomes) without = NULL;
  TrajInfusion *none, *sedated, *awake;
  TrajVitalSign *v;
  const TrajOutcome *o, *o0;
  const TrajFinding *f;
  g_autofree char *key = NULL;

  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 1, 20);
  none = add_infusion (r, 1, 3, 3);
  none->cadss_total = 40;
  none->moaas_lowest = 0;
  sedated = add_infusion (r, 1, 3, 5);
  sedated->cadss_total = 92;
  sedated->moaas_lowest = 3;
  awake = add_infusion (r, 1, 3, 7);
  awake->cadss_total = 0;
  awake->moaas_lowest = 4;
  v = add_vital (awake, 40, 120, 80, 72, 97);
  v->resp_rate = 14;
  /* 11 > 0.5 × 20: no response; 11 > 4: no remission. */
  add_score (r, 1, TRAJ_SCALE_PHQ9, 3, 8, 11);

  g_assert_true (traj_infusion_sedated (none));
  g_assert_true (traj_infusion_sedated (sedated));
  g_assert_false (traj_infusion_sedated (awake));
  /* What the timeline row says. */
  {
    g_autofree char *t0 = traj_infusion_tolerability_text (none);
    g_autofree char *t3 = traj_infusion_tolerability_text (sedated);
    g_autofree char *t4 = traj_infusion_tolerability_text (awake);
    g_assert_cmpstr (t0, ==, "CADSS 40 · MOAA/S 0, no response");
    g_assert_cmpstr (t3, ==, "CADSS 92 · MOAA/S 3, sedated");
    g_assert_cmpstr (t4, ==, "CADSS 0 · MOAA/S 4");
  }

  with = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (with->outcomes->len, ==, 1);      /* no CADSS or MOAA/S "scale" */
  o = traj_outcomes_find (with, 1, TRAJ_SCALE_PHQ9);
  g_assert_cmpint (o->n_assessments, ==, 2);
  g_assert_cmpint (o->baseline, ==, 20);
  g_assert_cmpint (o->latest, ==, 11);
  g_assert_false (o->response_reached);
  g_assert_false (o->remission_reached);
  g_assert_cmpint (o->n_infusions, ==, 3);

  g_assert_cmpuint (count_kind (with, TRAJ_FINDING_MONITORING), ==, 1);
  key = g_strdup_printf ("monitoring:%s", none->uid);
  f = traj_outcomes_find_finding (with, key);
  g_assert_nonnull (f);
  g_assert_true (f->open);
  g_assert_cmpstr (f->sentence, ==, "Monitoring event during the infusion on 3 Mar 2026: no response to stimulation "
                                    "(lowest MOAA/S 0).");

  /* With a vital sign over its limit too, one finding names both. */
  add_vital (none, 30, 185, 100, 80, 97);
  g_clear_pointer (&with, traj_outcomes_free);
  with = compute (r, NULL, NOW_LATE);
  o = traj_outcomes_find (with, 1, TRAJ_SCALE_PHQ9);
  g_assert_cmpstr (traj_outcomes_find_finding (with, key)->sentence, ==,
                   "Monitoring event during the infusion on 3 Mar 2026: systolic blood pressure 185 mmHg at minute 30 "
                   "(limit: 180 or higher); no response to stimulation (lowest MOAA/S 0).");
  g_ptr_array_set_size (none->vitals, 0);

  /* The same outcomes without any tolerability value. */
  for (guint k = 0; k < r->infusions->len; k++)
    {
      TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      i->cadss_total = -1;
      i->moaas_lowest = -1;
    }
  g_assert_null (traj_infusion_tolerability_text (none));
  without = compute (r, NULL, NOW_LATE);
  o0 = traj_outcomes_find (without, 1, TRAJ_SCALE_PHQ9);
  g_assert_cmpuint (without->outcomes->len, ==, 1);
  g_assert_cmpint (o0->baseline, ==, o->baseline);
  g_assert_cmpint (o0->latest, ==, o->latest);
  g_assert_cmpint (o0->response_reached, ==, o->response_reached);
  g_assert_cmpint (o0->remission_reached, ==, o->remission_reached);
  g_assert_cmpfloat (o0->response_threshold, ==, o->response_threshold);
  g_assert_cmpuint (count_kind (without, TRAJ_FINDING_MONITORING), ==, 0);
}

/* CLINICAL.md §7, the low side: systolic < 90, heart rate < 50, respiratory
 * rate < 10 (respiratory depression), SpO2 < 92 %, each a monitoring event
 * whose sentence names the reading and the threshold. */
static void
test_vitals_low_limits (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  TrajInfusion *sys_low, *hr_low, *rr_low, *at_limits, *all;
  TrajVitalSign *v;
  g_autofree char *key = NULL;
  const TrajFinding *f;
  TrajThresholds t;

  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  sys_low = add_infusion (r, 1, 3, 1);
  add_vital (sys_low, 0, 118, 76, 70, 97);
  add_vital (sys_low, 40, 89, 60, 70, 97);
  add_vital (sys_low, 60, 84, 55, 70, 97);
  hr_low = add_infusion (r, 1, 3, 3);
  add_vital (hr_low, 20, 120, 80, 49, 97);
  rr_low = add_infusion (r, 1, 3, 5);
  v = add_vital (rr_low, 30, 120, 80, 70, 96);
  v->resp_rate = 9;
  /* At every low limit and not under it: 90 systolic, HR 50, RR 10, SpO2 92. */
  at_limits = add_infusion (r, 1, 3, 7);
  v = add_vital (at_limits, 30, 90, 60, 50, 92);
  v->resp_rate = 10;
  /* Everything low at once, in one finding. */
  all = add_infusion (r, 1, 3, 9);
  v = add_vital (all, 45, 82, 50, 44, 88);
  v->resp_rate = 6;

  /* The shared per-reading rule. */
  {
    TrajThresholds d;
    traj_thresholds_init_defaults (&d);
    g_assert_cmphex (traj_vital_sign_monitoring_events (g_ptr_array_index (sys_low->vitals, 1), &d), ==,
                     TRAJ_VITAL_UNDER_SYSTOLIC);
    g_assert_cmphex (traj_vital_sign_monitoring_events (g_ptr_array_index (hr_low->vitals, 0), &d), ==,
                     TRAJ_VITAL_UNDER_HEART_RATE);
    g_assert_cmphex (traj_vital_sign_monitoring_events (g_ptr_array_index (rr_low->vitals, 0), &d), ==,
                     TRAJ_VITAL_UNDER_RESP_RATE);
    g_assert_cmphex (traj_vital_sign_monitoring_events (g_ptr_array_index (at_limits->vitals, 0), &d), ==, 0);
    g_assert_cmphex (traj_vital_sign_monitoring_events (g_ptr_array_index (all->vitals, 0), &d), ==,
                     TRAJ_VITAL_UNDER_SYSTOLIC | TRAJ_VITAL_UNDER_HEART_RATE | TRAJ_VITAL_UNDER_RESP_RATE |
                     TRAJ_VITAL_UNDER_SPO2);
  }

  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_MONITORING), ==, 4);
  key = g_strdup_printf ("monitoring:%s", at_limits->uid);
  g_assert_null (traj_outcomes_find_finding (o, key));
  g_clear_pointer (&key, g_free);

  /* The lowest systolic (84 at 60, not 89 at 40). */
  key = g_strdup_printf ("monitoring:%s", sys_low->uid);
  f = traj_outcomes_find_finding (o, key);
  g_assert_nonnull (f);
  g_assert_true (f->open);
  g_assert_true (rests_on (f, ((TrajVitalSign *) g_ptr_array_index (sys_low->vitals, 2))->uid));
  g_assert_cmpstr (f->sentence, ==,
                   "Monitoring event during the infusion on 1 Mar 2026: low systolic blood pressure 84 mmHg at "
                   "minute 60 (limit: below 90).");
  g_clear_pointer (&key, g_free);

  key = g_strdup_printf ("monitoring:%s", hr_low->uid);
  g_assert_cmpstr (traj_outcomes_find_finding (o, key)->sentence, ==,
                   "Monitoring event during the infusion on 3 Mar 2026: low heart rate 49/min at minute 20 "
                   "(limit: below 50/min).");
  g_clear_pointer (&key, g_free);

  key = g_strdup_printf ("monitoring:%s", rr_low->uid);
  g_assert_cmpstr (traj_outcomes_find_finding (o, key)->sentence, ==,
                   "Monitoring event during the infusion on 5 Mar 2026: respiratory depression: respiratory rate "
                   "9/min at minute 30 (limit: below 10/min).");
  g_clear_pointer (&key, g_free);

  key = g_strdup_printf ("monitoring:%s", all->uid);
  g_assert_cmpstr (traj_outcomes_find_finding (o, key)->sentence, ==,
                   "Monitoring event during the infusion on 9 Mar 2026: SpO₂ 88 % at minute 45 (limit: below 92 %); "
                   "low systolic blood pressure 82 mmHg at minute 45 (limit: below 90); low heart rate 44/min at "
                   "minute 45 (limit: below 50/min); respiratory depression: respiratory rate 6/min at minute 45 "
                   "(limit: below 10/min).");

  /* The clinic's own limits: HR 50 fires below 55, and the sentence says so. */
  traj_thresholds_init_defaults (&t);
  t.heart_rate_min = 55;
  o2 = compute (r, &t, NOW_LATE);
  g_clear_pointer (&key, g_free);
  key = g_strdup_printf ("monitoring:%s", at_limits->uid);
  f = traj_outcomes_find_finding (o2, key);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->sentence, ==,
                   "Monitoring event during the infusion on 7 Mar 2026: low heart rate 50/min at minute 30 "
                   "(limit: below 55/min).");
}

static void
test_vitals_limits (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) o2 = NULL;
  TrajInfusion *sys_at, *under, *dia_at, *spo2_below, *hr_above, *many;
  g_autofree char *key = NULL;
  const TrajFinding *f;
  TrajThresholds t;

  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  /* At a limit (fires): systolic 180, diastolic 110; just past: SpO2 91,
   * heart rate 121. Just under every limit: 179/109, SpO2 92, HR 120. */
  sys_at = add_infusion (r, 1, 3, 1);
  add_vital (sys_at, 40, 180, 100, 80, 97);
  dia_at = add_infusion (r, 1, 3, 3);
  add_vital (dia_at, 40, 150, 110, 80, 97);
  spo2_below = add_infusion (r, 1, 3, 5);
  add_vital (spo2_below, 10, 130, 80, 80, 91);
  hr_above = add_infusion (r, 1, 3, 7);
  add_vital (hr_above, 20, 130, 80, 121, 97);
  under = add_infusion (r, 1, 3, 9);
  add_vital (under, 0, 179, 109, 120, 92);
  add_vital (under, 40, 175, 105, -1, -1);
  /* Several crossings on one infusion: one finding naming the worst of each. */
  many = add_infusion (r, 1, 3, 11);
  add_vital (many, 0, 150, 90, 125, 95);
  add_vital (many, 40, 186, 112, 118, 90);
  add_vital (many, 60, 182, 108, 122, 93);

  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_MONITORING), ==, 5);
  g_assert_cmpuint (o->findings->len, ==, 5);
  key = g_strdup_printf ("monitoring:%s", under->uid);
  g_assert_null (traj_outcomes_find_finding (o, key));
  g_clear_pointer (&key, g_free);

  key = g_strdup_printf ("monitoring:%s", sys_at->uid);
  f = traj_outcomes_find_finding (o, key);
  g_assert_nonnull (f);
  g_assert_cmpint (f->course_id, ==, 1);
  g_assert_cmpint (f->fired_at, ==, at (3, 1, 10));
  g_assert_cmpstr (f->sentence, ==,
                   "Monitoring event during the infusion on 1 Mar 2026: systolic blood pressure 180 mmHg at "
                   "minute 40 (limit: 180 or higher).");
  g_clear_pointer (&key, g_free);

  key = g_strdup_printf ("monitoring:%s", many->uid);
  f = traj_outcomes_find_finding (o, key);
  g_assert_true (rests_on (f, many->uid));
  g_assert_true (rests_on (f, ((TrajVitalSign *) g_ptr_array_index (many->vitals, 1))->uid));
  /* Worst systolic 186 and diastolic 112 at 40, lowest SpO2 90 at 40,
   * highest heart rate 125 at 0 (122 at 60 crosses too but is lower). */
  g_assert_cmpstr (f->sentence, ==,
                   "Monitoring event during the infusion on 11 Mar 2026: systolic blood pressure 186 mmHg at "
                   "minute 40 (limit: 180 or higher); diastolic blood pressure 112 mmHg at minute 40 (limit: "
                   "110 or higher); SpO₂ 90 % at minute 40 (limit: below 92 %); heart rate 125/min at minute 0 "
                   "(limit: above 120/min).");

  /* Monitoring findings can be acknowledged. */
  add_decision (r, "monitoring", key, TRAJ_DECISION_ACKNOWLEDGED, at (3, 11, 12));
  /* Lower limits change the result: systolic 175 now fires on "under". */
  traj_thresholds_init_defaults (&t);
  t.systolic_max = 175;
  o2 = compute (r, &t, NOW_LATE);
  g_assert_cmpuint (count_kind (o2, TRAJ_FINDING_MONITORING), ==, 6);
  g_assert_cmpuint (traj_outcomes_n_open (o2), ==, 5);
  g_assert_false (traj_outcomes_find_finding (o2, key)->open);
}

/* ---- attribution, order, labels ------------------------------------------- */

static void
test_attribution (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  TrajInfusion *first;
  TrajAssessment *via_infusion;
  const TrajOutcome *x;

  /* Course 1 from 1 Mar, course 2 from 1 May. Unattached scores: 10 Feb
   * (before 1 Mar − 14 = 15 Feb: nobody's), 20 Feb (course 1's baseline),
   * 20 Apr (course 1 up to 30 Apr, and course 2 from 17 Apr: both),
   * 3 May (course 2), and 9 May but given course 1's infusion (course 1
   * only, whatever its date). One GAD-7 in course 1 gives it a second
   * outcome. */
  add_course (r, 1, 3, 1, TRAJ_SCALE_PHQ9);
  add_course (r, 2, 5, 1, TRAJ_SCALE_PHQ9);
  add_score (r, 0, TRAJ_SCALE_PHQ9, 2, 10, 25);
  add_score (r, 0, TRAJ_SCALE_PHQ9, 2, 20, 22);
  first = add_infusion (r, 1, 3, 1);
  add_score (r, 0, TRAJ_SCALE_PHQ9, 4, 20, 17);
  add_infusion (r, 2, 5, 1);
  add_infusion (r, 2, 5, 8);
  add_score (r, 0, TRAJ_SCALE_PHQ9, 5, 3, 12);
  via_infusion = add_score (r, 0, TRAJ_SCALE_PHQ9, 5, 9, 8);
  via_infusion->infusion_id = first->id;
  add_score (r, 1, TRAJ_SCALE_GAD7, 3, 10, 9);

  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->outcomes->len, ==, 3);
  x = g_ptr_array_index (o->outcomes, 0);
  g_assert_cmpint (x->course_id, ==, 1);
  g_assert_cmpint (x->scale, ==, TRAJ_SCALE_PHQ9);
  g_assert_true (x->is_primary);
  g_assert_cmpint (x->n_assessments, ==, 3);              /* 20 Feb, 20 Apr, 9 May */
  g_assert_cmpint (x->baseline, ==, 22);                  /* 20 Feb: 9 days before */
  g_assert_cmpint (x->latest, ==, 8);
  g_assert_true (x->response_reached);                    /* 8 <= 11; 17 > 11 */
  g_assert_cmpint (x->response_at, ==, at (5, 9, 9));
  g_assert_cmpint (x->change_points, ==, -14);            /* 8 − 22 */
  g_assert_cmpfloat_with_epsilon (x->change_percent, -100.0 * 14 / 22, 1e-9);
  x = g_ptr_array_index (o->outcomes, 1);
  g_assert_cmpint (x->course_id, ==, 1);
  g_assert_cmpint (x->scale, ==, TRAJ_SCALE_GAD7);
  g_assert_false (x->is_primary);
  g_assert_false (x->has_baseline);                       /* only after the infusion */
  x = g_ptr_array_index (o->outcomes, 2);
  g_assert_cmpint (x->course_id, ==, 2);
  g_assert_cmpint (x->n_assessments, ==, 2);              /* 20 Apr, 3 May */
  g_assert_cmpint (x->baseline, ==, 17);                  /* 20 Apr: 11 days before 1 May */
  g_assert_cmpint (x->latest, ==, 12);
  g_assert_false (x->response_reached);                   /* 12 > 8.5 */
  g_assert_cmpfloat_with_epsilon (x->change_percent, -100.0 * 5 / 17, 1e-9);
  g_assert_cmpint (x->n_infusions, ==, 2);
  /* Course 1 at L = 9 May: P = 20 Apr (17), N undefined, 17 > 11 but 8 is
   * not worsening: no booster. No other rule applies. */
  g_assert_cmpuint (o->findings->len, ==, 0);
}

static void
test_order_and_labels (void)
{
  g_autoptr(TrajPatientRecords) r = booster_records (9, 9);
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajFlagDecision) d = NULL;
  g_autoptr(TrajFinding) copy = NULL;
  TrajInfusion *inf = g_ptr_array_index (r->infusions, 0);
  g_autofree char *mkey = NULL;
  TrajFindingKind kind;
  const TrajFinding *f;

  /* An old safety finding (1 Feb), the booster (12 Mar), a monitoring event
   * on 1 Mar acknowledged: safety first although oldest, then the booster,
   * then the closed one. */
  add_vital (inf, 40, 190, 100, 80, 97);
  add_phq9_items (r, 2, 1, 1, TRUE);
  mkey = g_strdup_printf ("monitoring:%s", inf->uid);
  add_decision (r, "monitoring", mkey, TRAJ_DECISION_ACKNOWLEDGED, at (3, 1, 12));
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (o->findings->len, ==, 3);
  g_assert_cmpint (((TrajFinding *) g_ptr_array_index (o->findings, 0))->kind, ==, TRAJ_FINDING_SAFETY);
  g_assert_cmpint (((TrajFinding *) g_ptr_array_index (o->findings, 1))->kind, ==, TRAJ_FINDING_BOOSTER);
  f = g_ptr_array_index (o->findings, 2);
  g_assert_cmpint (f->kind, ==, TRAJ_FINDING_MONITORING);
  g_assert_false (f->open);

  /* A decision built from a finding is ready for the store. */
  f = g_ptr_array_index (o->findings, 1);
  d = traj_finding_new_decision (f, TRAJ_DECISION_BOOSTER_BOOKED, "Friday");
  g_assert_cmpstr (d->kind, ==, "booster");
  g_assert_cmpstr (d->finding_key, ==, f->key);
  g_assert_cmpint (d->patient_id, ==, PATIENT_ID);
  g_assert_cmpint (d->course_id, ==, 1);
  g_assert_cmpint (d->fired_at, ==, f->fired_at);
  copy = traj_finding_copy (f);
  g_assert_cmpstr (copy->sentence, ==, f->sentence);
  g_assert_cmpstrv (copy->record_uids, f->record_uids);

  g_assert_cmpstr (traj_finding_kind_to_string (TRAJ_FINDING_SAFETY), ==, "safety");
  g_assert_cmpstr (traj_finding_kind_to_string (TRAJ_FINDING_BOOSTER), ==, "booster");
  g_assert_cmpstr (traj_finding_kind_to_string (TRAJ_FINDING_NO_RESPONSE), ==, "no_response");
  g_assert_cmpstr (traj_finding_kind_to_string (TRAJ_FINDING_MONITORING), ==, "monitoring");
  g_assert_true (traj_finding_kind_from_string ("no_response", &kind));
  g_assert_cmpint (kind, ==, TRAJ_FINDING_NO_RESPONSE);
  g_assert_false (traj_finding_kind_from_string ("nope", &kind));
  g_assert_cmpstr (traj_finding_kind_label (TRAJ_FINDING_BOOSTER), ==, "A booster might be discussed");
  g_assert_cmpstr (traj_decision_label ("booster_booked"), ==, "Booster booked");
  g_assert_cmpstr (traj_decision_label ("declined"), ==, "Declined");
  g_assert_cmpstr (traj_decision_label ("not_indicated"), ==, "Not indicated");
  g_assert_cmpstr (traj_decision_label ("plan_reviewed"), ==, "Plan reviewed");
  g_assert_cmpstr (traj_decision_label ("acknowledged"), ==, "Acknowledged");
  g_assert_true (traj_decision_closes (TRAJ_FINDING_BOOSTER, "not_indicated"));
  g_assert_false (traj_decision_closes (TRAJ_FINDING_BOOSTER, "plan_reviewed"));
  g_assert_true (traj_decision_closes (TRAJ_FINDING_SAFETY, "acknowledged"));
  g_assert_false (traj_decision_closes (TRAJ_FINDING_SAFETY, "declined"));
  g_assert_cmpstr (traj_finding_kind_decisions (TRAJ_FINDING_NO_RESPONSE)[0], ==, "plan_reviewed");
}

/* ---- against a real database ----------------------------------------------- */

static void
fill_phq9 (TrajAssessment *a, int total)
{
  /* Items 1–8 only (item 9 stays 0 so no safety finding): 3s then the rest. */
  for (int k = 0; k < 9; k++)
    a->items[k] = 0;
  for (int k = 0; k < 8 && total > 0; k++)
    {
      a->items[k] = MIN (total, 3);
      total -= a->items[k];
    }
  g_assert_cmpint (total, ==, 0);
  traj_assessment_rescore (a);
}

static void
store_score (TrajStore *store, gint64 patient_id, gint64 course_id, gint32 d, int total)
{
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(GError) error = NULL;

  a->patient_id = patient_id;
  a->course_id = course_id;
  a->taken_at = traj_time_from_day (d, 9, 0);
  fill_phq9 (a, total);
  g_assert_true (a->complete);
  traj_store_insert_assessment (store, a, &error);
  g_assert_no_error (error);
}

static TrajOutcomes *
load_and_compute (TrajStore *store, gint64 patient_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (store, patient_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return compute (r, NULL, traj_time_now ());
}

static void
test_store_decision (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajFlagDecision) d = NULL;
  g_autofree char *key = NULL;
  gint32 d0 = traj_day_today () - 60;
  const TrajFinding *f;

  g_assert_no_error (error);
  path = g_build_filename (dir, "clinic.db", NULL);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);

  p->mrn = g_strdup ("OUT-1");
  p->name = g_strdup ("Outcomes Test");
  p->birth_day = traj_day_from_ymd (1980, 6, 1);
  traj_store_insert_patient (store, p, &error);
  g_assert_no_error (error);
  c->patient_id = p->id;
  c->start_day = d0;
  traj_store_insert_course (store, c, &error);
  g_assert_no_error (error);

  /* As booster_records with B = 24 (R·B = 12) on day 0, an infusion on
   * day 0, 4 on day 4, then 9 on days 9 and 11: 9 >= 4 + 5 twice → fires. */
  store_score (store, p->id, c->id, d0, 24);
  i->patient_id = p->id;
  i->course_id = c->id;
  i->started_at = traj_time_from_day (d0, 10, 0);
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  traj_store_insert_infusion (store, i, &error);
  g_assert_no_error (error);
  store_score (store, p->id, c->id, d0 + 4, 4);
  store_score (store, p->id, c->id, d0 + 9, 9);
  store_score (store, p->id, c->id, d0 + 11, 9);

  o = load_and_compute (store, p->id);
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_cmpint (f->kind, ==, TRAJ_FINDING_BOOSTER);
  g_assert_true (f->open);
  g_assert_true (g_str_has_prefix (f->key, "booster:"));
  g_assert_nonnull (strstr (f->key, c->uid));
  key = g_strdup (f->key);

  d = traj_finding_new_decision (f, TRAJ_DECISION_BOOSTER_BOOKED, "Booked for Friday");
  traj_store_insert_flag_decision (store, d, &error);
  g_assert_no_error (error);
  g_clear_pointer (&o, traj_outcomes_free);

  o = load_and_compute (store, p->id);
  f = traj_outcomes_find_finding (o, key);
  g_assert_nonnull (f);
  g_assert_false (f->open);
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 0);
  g_assert_cmpstr (f->decision->decision, ==, TRAJ_DECISION_BOOSTER_BOOKED);
  g_assert_cmpstr (f->decision->note, ==, "Booked for Friday");
  g_clear_pointer (&o, traj_outcomes_free);

  /* Close the file and open it again: still decided, still in history. */
  g_clear_object (&store);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  o = load_and_compute (store, p->id);
  f = traj_outcomes_find_finding (o, key);
  g_assert_nonnull (f);
  g_assert_false (f->open);
  g_assert_cmpint (f->closed_by, ==, TRAJ_CLOSED_BY_DECISION);
  g_assert_cmpstr (f->decision->decision, ==, TRAJ_DECISION_BOOSTER_BOOKED);
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 0);

  g_clear_object (&store);
  {
    g_autoptr(GDir) gd = g_dir_open (dir, 0, NULL);
    const char *name;
    while (gd && (name = g_dir_read_name (gd)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (dir);
}

/* ---- Y-BOCS (CLINICAL.md §8): a total-only scale added through the table -- */

/* Bands, remission, R, M and the OCD default, typed from CLINICAL.md §8. */
static void
test_ybocs_table (void)
{
  const TrajScale *s = traj_scale_get (TRAJ_SCALE_YBOCS);
  static const struct { int total; const char *band; } bands[] = {
    { 0, "subclinical" }, { 7, "subclinical" }, { 8, "mild" }, { 15, "mild" },
    { 16, "moderate" }, { 23, "moderate" }, { 24, "severe" }, { 31, "severe" },
    { 32, "extreme" }, { 40, "extreme" },
  };
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_YBOCS);
  TrajThresholds t;

  g_assert_nonnull (s);
  g_assert_true (traj_scale_lookup ("ybocs") == s);
  g_assert_true (traj_scale_lookup ("Y-BOCS") == s);
  g_assert_cmpint (s->rater, ==, TRAJ_RATER_CLINICIAN);
  g_assert_cmpint (s->measure, ==, TRAJ_MEASURE_OUTCOME);
  g_assert_true (traj_scale_is_total_only (s));
  g_assert_false (traj_scale_is_patient_facing (s));
  g_assert_null (s->items);
  g_assert_null (s->loinc_total);
  g_assert_cmpint (s->total_min, ==, 0);
  g_assert_cmpint (s->total_max, ==, 40);
  for (guint k = 0; k < G_N_ELEMENTS (bands); k++)
    g_assert_cmpstr (traj_scale_band_label (s, bands[k].total), ==, bands[k].band);
  g_assert_null (traj_scale_band (s, 41));
  /* Remission: 12 or less. */
  g_assert_true (traj_scale_is_remission (s, 12));
  g_assert_false (traj_scale_is_remission (s, 13));
  g_assert_cmpfloat (s->response_fraction, ==, 0.65);
  g_assert_cmpint (s->mcid, ==, 5);
  g_assert_cmpint (traj_scale_default_for_indication ("ocd"), ==, TRAJ_SCALE_YBOCS);
  traj_thresholds_init_defaults (&t);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_YBOCS], ==, 0.65);
  g_assert_cmpfloat (t.response_fraction[TRAJ_SCALE_PHQ9], ==, 0.5);
  g_assert_cmpint (t.mcid[TRAJ_SCALE_YBOCS], ==, 5);
  g_assert_cmpint (t.remission_max[TRAJ_SCALE_YBOCS], ==, 12);
  /* Typed totals: 40 is complete, 41 is not a Y-BOCS total. */
  a->total = 40;
  traj_assessment_rescore (a);
  g_assert_true (a->complete);
  a->total = 41;
  traj_assessment_rescore (a);
  g_assert_false (a->complete);
  /* Never asked on the tablet. */
  {
    g_autofree char *due = traj_checkin_default_scales (TRAJ_SCALE_YBOCS, TRAJ_INDICATION_OTHER);
    g_assert_cmpstr (due, ==, "phq9");
  }
}

/* B = 20 on 1 Mar; infusions 2, 4, 6, 9, 11, 13 Mar. R = 0.65 → R·B = 13.
 * 14 on 5 Mar (a 30 % reduction: not a response), 13 on 10 Mar (exactly
 * 35 %: response), 13 on 12 Mar (not remission: 13 > 12), 12 on 14 Mar
 * (exactly 12: remission). */
static TrajPatientRecords *
ybocs_records (void)
{
  TrajPatientRecords *r = records_new ();
  static const int infusion_days[] = { 2, 4, 6, 9, 11, 13 };

  add_course (r, 1, 3, 2, TRAJ_SCALE_YBOCS)->induction_length = 6;
  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 1, 20);
  for (guint k = 0; k < G_N_ELEMENTS (infusion_days); k++)
    add_infusion (r, 1, 3, infusion_days[k]);
  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 5, 14);
  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 10, 13);
  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 12, 13);
  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 14, 12);
  return r;
}

static void
test_ybocs_response_remission (void)
{
  g_autoptr(TrajPatientRecords) r = ybocs_records ();
  g_autoptr(TrajOutcomes) o = compute (r, NULL, NOW_LATE);
  g_autoptr(TrajOutcomes) early = compute (r, NULL, at (3, 9, 12));
  g_autoptr(TrajOutcomes) mid = compute (r, NULL, at (3, 13, 12));
  const TrajOutcome *x = traj_outcomes_find (o, 1, TRAJ_SCALE_YBOCS);

  g_assert_nonnull (x);
  g_assert_true (x->is_primary);
  g_assert_true (x->has_baseline);
  g_assert_cmpint (x->baseline, ==, 20);
  g_assert_cmpfloat_with_epsilon (x->response_threshold, 13.0, 1e-9);
  /* Exactly a 35 % reduction (13 of 20) is a response; 14 is not. */
  g_assert_true (x->response_reached);
  g_assert_cmpint (x->response_at, ==, at (3, 10, 9));
  g_assert_true (x->response_held);          /* latest 12 <= 13 */
  /* Exactly 12 is a remission; 13 is not. */
  g_assert_true (x->remission_reached);
  g_assert_cmpint (x->remission_at, ==, at (3, 14, 9));
  g_assert_cmpint (x->remission_max, ==, 12);
  g_assert_cmpfloat_with_epsilon (x->change_percent, -40.0, 1e-9);   /* (12 − 20) / 20 */

  /* As of 9 Mar only the 14 (−30 %) is known: no response yet. */
  x = traj_outcomes_find (early, 1, TRAJ_SCALE_YBOCS);
  g_assert_false (x->response_reached);
  /* As of 13 Mar: response (13), but 13 is not a remission. */
  x = traj_outcomes_find (mid, 1, TRAJ_SCALE_YBOCS);
  g_assert_true (x->response_reached);
  g_assert_false (x->remission_reached);
}

/* The booster rule on Y-BOCS uses its own R and M: after the 12 on 14 Mar
 * (the lowest, N), 15 on 22 Mar (P) and 18 on 25 Mar (L), 3 days apart
 * (G = 2): 15 > R·B = 13 and 18 > 13 (response lost), and 18 >= N + M =
 * 17. With PHQ-9's R = 0.5 (R·B = 10) the course would never have
 * responded (lowest 12 > 10) and nothing would fire: per-scale R matters. */
static void
test_ybocs_booster (void)
{
  g_autoptr(TrajPatientRecords) r = ybocs_records ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajOutcomes) half = NULL;
  const TrajFinding *f;
  TrajThresholds t;

  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 22, 15);
  add_score (r, 1, TRAJ_SCALE_YBOCS, 3, 25, 18);
  o = compute (r, NULL, NOW_LATE);
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_BOOSTER), ==, 1);
  f = first_of_kind (o, TRAJ_FINDING_BOOSTER);
  g_assert_true (f->open);
  g_assert_cmpint (f->scale, ==, TRAJ_SCALE_YBOCS);
  g_assert_cmpint (f->fired_at, ==, at (3, 25, 9));
  g_test_message ("%s", f->sentence);
  g_assert_nonnull (strstr (f->sentence, "Y-BOCS rose from 12"));
  g_assert_nonnull (strstr (f->sentence, "to 15 and 18"));
  g_assert_nonnull (strstr (f->sentence, "12 days after the last infusion"));
  g_assert_nonnull (strstr (f->sentence, "5 points"));
  g_assert_nonnull (strstr (f->sentence, "above 65 % of the baseline of 20"));
  g_assert_cmpuint (count_kind (o, TRAJ_FINDING_NO_RESPONSE), ==, 0);

  /* The same course on esketamine nasal spray: a session, as the editor
   * and the patient page call it. */
  for (guint k = 0; k < r->infusions->len; k++)
    ((TrajInfusion *) g_ptr_array_index (r->infusions, k))->route = TRAJ_ROUTE_INTRANASAL;
  {
    g_autoptr(TrajOutcomes) nasal = compute (r, NULL, NOW_LATE);
    const TrajFinding *n = first_of_kind (nasal, TRAJ_FINDING_BOOSTER);

    g_assert_nonnull (strstr (n->sentence, "25 Mar 2026 was 12 days after the last session (13 Mar 2026)."));
    g_assert_null (strstr (n->sentence, "infusion"));
  }

  traj_thresholds_init_defaults (&t);
  t.response_fraction[TRAJ_SCALE_YBOCS] = 0.5;
  half = compute (r, &t, NOW_LATE);
  g_assert_cmpuint (count_kind (half, TRAJ_FINDING_BOOSTER), ==, 0);
  g_assert_false (traj_outcomes_find (half, 1, TRAJ_SCALE_YBOCS)->response_reached);
  /* ... and after 6 infusions without a response, the plan might be reviewed. */
  g_assert_cmpuint (count_kind (half, TRAJ_FINDING_NO_RESPONSE), ==, 1);
}

/* A Y-BOCS course and its typed totals go through the store (both engines)
 * and come back as the same outcome. */
static void
test_ybocs_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajAssessment) bad = traj_assessment_new (TRAJ_SCALE_YBOCS);
  const TrajOutcome *x;
  gint32 d0 = traj_day_today () - 30;
  static const struct { int day, total; } scores[] = { { -1, 20 }, { 3, 13 } };

  g_assert_no_error (error);
  path = g_build_filename (dir, "clinic.db", NULL);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  p->mrn = g_strdup ("OCD-1");
  p->name = g_strdup ("Yale Brown");
  p->birth_day = traj_day_from_ymd (1985, 2, 1);
  traj_store_insert_patient (store, p, &error);
  g_assert_no_error (error);
  c->patient_id = p->id;
  c->start_day = d0;
  c->primary_scale = TRAJ_SCALE_YBOCS;
  traj_store_insert_course (store, c, &error);
  g_assert_no_error (error);
  i->patient_id = p->id;
  i->course_id = c->id;
  i->started_at = traj_time_from_day (d0, 10, 0);
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  traj_store_insert_infusion (store, i, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < G_N_ELEMENTS (scores); k++)
    {
      g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_YBOCS);
      a->patient_id = p->id;
      a->course_id = c->id;
      a->taken_at = traj_time_from_day (d0 + scores[k].day, 9, 0);
      a->total = scores[k].total;
      traj_assessment_rescore (a);
      traj_store_insert_assessment (store, a, &error);
      g_assert_no_error (error);
    }
  /* 41 is refused, naming the range. */
  bad->patient_id = p->id;
  bad->taken_at = traj_time_from_day (d0 + 4, 9, 0);
  bad->total = 41;
  g_assert_false (traj_store_insert_assessment (store, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "0–40"));
  g_clear_error (&error);

  o = load_and_compute (store, p->id);
  x = traj_outcomes_find (o, c->id, TRAJ_SCALE_YBOCS);
  g_assert_nonnull (x);
  g_assert_true (x->is_primary);
  g_assert_cmpint (x->baseline, ==, 20);
  g_assert_true (x->response_reached);       /* 13 <= 0.65 × 20 */
  g_assert_false (x->remission_reached);     /* 13 > 12 */

  g_clear_object (&store);
  {
    g_autoptr(GDir) gd = g_dir_open (dir, 0, NULL);
    const char *name;
    while (gd && (name = g_dir_read_name (gd)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (dir);
}

/* A draft with item 9 above 0 is a safety finding (CLINICAL.md §4), but
 * the FHIR export left every draft out, so a receiver never saw it. It goes
 * as a QuestionnaireResponse in progress with the answers so far and no
 * score; a draft without a safety answer still stays out. */
static void
test_safety_draft_in_fhir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-fhir-draft-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajAssessment) plain = traj_assessment_new (TRAJ_SCALE_GAD7);
  g_autoptr(JsonNode) bundle = NULL;
  JsonArray *entries;
  guint n_qr = 0;

  g_assert_no_error (error);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  p->mrn = g_strdup ("SD-1");
  p->name = g_strdup ("Sol Dario");
  p->birth_day = traj_day_from_ymd (1979, 8, 1);
  g_assert_true (traj_store_insert_patient (store, p, &error));
  g_assert_no_error (error);
  /* Items 1–3 "Not at all", 4–8 unanswered, item 9 "More than half the days". */
  plain->patient_id = a->patient_id = p->id;
  plain->taken_at = a->taken_at = traj_time_now () - 600;
  plain->source = a->source = TRAJ_SOURCE_TABLET;
  plain->timing = a->timing = TRAJ_TIMING_BETWEEN;
  plain->draft = a->draft = TRUE;
  a->items[0] = a->items[1] = a->items[2] = 0;
  a->items[8] = 2;
  plain->items[0] = 1;
  g_assert_true (traj_store_insert_assessment (store, a, &error));
  g_assert_no_error (error);
  g_assert_true (traj_store_insert_assessment (store, plain, &error));
  g_assert_no_error (error);

  bundle = traj_fhir_build_bundle (store, "SD-1", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (bundle), "entry");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);    /* the Patient, the PHQ-9 draft */
  for (guint k = 0; k < json_array_get_length (entries); k++)
    {
      JsonObject *res = json_object_get_object_member (json_array_get_object_element (entries, k), "resource");
      const char *type = json_object_get_string_member (res, "resourceType");

      g_assert_cmpstr (type, !=, "Observation");
      if (g_str_equal (type, "QuestionnaireResponse"))
        {
          JsonArray *items = json_object_get_array_member (res, "item");
          JsonObject *last = json_array_get_object_element (items, 3);
          JsonObject *answer = json_array_get_object_element (json_object_get_array_member (last, "answer"), 0);

          g_assert_cmpstr (json_object_get_string_member (res, "status"), ==, "in-progress");
          g_assert_cmpuint (json_array_get_length (items), ==, 4);
          g_assert_cmpstr (json_object_get_string_member (last, "linkId"), ==, "44260-8");
          g_assert_cmpint (json_object_get_int_member (answer, "valueInteger"), ==, 2);
          n_qr++;
        }
    }
  g_assert_cmpuint (n_qr, ==, 1);

  g_clear_object (&store);
  traj_test_remove_tree (dir);
}

/* Found by a kiosk trial: a patient answered PHQ-9 item 9 "Several days" on
 * the tablet, read the crisis message, went back and changed it to "Not at
 * all" and submitted. The tablet's draft was amended in place, so the
 * safety finding went away everywhere (the engine, `trajectory-cli
 * outcomes`, the badge). CLINICAL.md §4: the finding stays until a
 * clinician acknowledges it, and its sentence says the answer was changed. */
static void
test_safety_item9_taken_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-item9-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *out = NULL, *err = NULL, *day_text = NULL, *expected = NULL;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(GPtrArray) alerts = NULL;
  const TrajAssessment *back;
  const TrajFinding *f;
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  TrajThresholds t;
  gint64 now = traj_time_now ();
  int status = 0;

  g_assert_no_error (error);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  p->mrn = g_strdup ("SI-1");
  p->name = g_strdup ("Sam Ives");
  p->birth_day = traj_day_from_ymd (1980, 4, 2);
  g_assert_true (traj_store_insert_patient (store, p, &error));
  c->patient_id = p->id;
  c->start_day = traj_day_today () - 10;
  g_assert_true (traj_store_insert_course (store, c, &error));
  g_assert_no_error (error);

  /* The tablet's draft, answer by answer: items 1–8 "Not at all", item 9
   * "Several days" (1); then item 9 changed to 0; then submitted. */
  a->patient_id = p->id;
  a->course_id = c->id;
  a->taken_at = now;
  a->source = TRAJ_SOURCE_TABLET;
  a->timing = TRAJ_TIMING_BETWEEN;
  a->draft = TRUE;
  for (guint k = 0; k < 9; k++)
    a->items[k] = 0;
  a->items[8] = 1;
  g_assert_true (traj_store_insert_assessment (store, a, &error));
  g_assert_no_error (error);
  a->items[8] = 0;
  g_assert_true (traj_store_update_assessment (store, a, &error));
  g_assert_no_error (error);
  a->draft = FALSE;
  g_assert_true (traj_store_update_assessment (store, a, &error));
  g_assert_no_error (error);

  /* The record holds what was submitted, and the highest answer given. */
  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  back = g_ptr_array_index (r->assessments, 0);
  g_assert_true (back->complete);
  g_assert_cmpint (back->total, ==, 0);
  g_assert_cmpint (back->items[8], ==, 0);
  g_assert_cmpint (back->safety_highest, ==, 1);
  g_assert_cmpint (traj_assessment_safety_answer (back), ==, 1);

  /* The finding is open, and says what happened. */
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, now + 60);
  g_assert_true (traj_outcomes_has_open_safety (o));
  g_assert_cmpuint (o->findings->len, ==, 1);
  f = g_ptr_array_index (o->findings, 0);
  g_assert_cmpint (f->kind, ==, TRAJ_FINDING_SAFETY);
  day_text = traj_day_format (traj_day_from_time (now));
  expected = g_strdup_printf ("PHQ-9 item 9 (“Thoughts that you would be better off dead or of hurting yourself in "
                              "some way”) was answered “Several days” (1) on %s. The answer was later changed to "
                              "“Not at all” (0). A clinician should talk with the patient and acknowledge this "
                              "finding (any answer above 0 on item 9 is a safety finding).", day_text);
  g_assert_cmpstr (f->sentence, ==, expected);

  /* The clinicians' active alert still has it, at its highest answer. */
  alerts = traj_store_list_tablet_safety_answers (store, now - 60, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpint (((TrajSafetyAnswer *) alerts->pdata[0])->answer, ==, 1);

  /* A later amendment cannot lower it either. */
  a->items[0] = 1;
  g_assert_true (traj_store_update_assessment (store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->safety_highest, ==, 1);

  /* And `trajectory-cli outcomes` lists it as open. */
  g_assert_nonnull (cli);
  {
    const char *argv[] = { cli, "outcomes", "--database", traj_test_location (path), "--patient", "SI-1",
                           "--format", "csv", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                                 &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_assert_nonnull (strstr (out, "safety: PHQ-9 item 9"));
  g_assert_nonnull (strstr (out, "The answer was later changed to “Not at all” (0)."));

  /* A CSV export carries the highest answer, and an import of it into
   * another clinic keeps the finding open. */
  {
    g_autofree char *csv = g_build_filename (dir, "export", NULL);
    g_autofree char *other_path = g_build_filename (dir, "other.db", NULL);
    g_autofree char *file = g_build_filename (csv, "assessments.csv", NULL);
    g_autofree char *text = NULL, *bad = NULL;
    g_autoptr(TrajStore) other = NULL;
    g_autoptr(TrajPatient) copy = NULL;
    g_autoptr(TrajPatientRecords) r2 = NULL;
    g_autoptr(TrajOutcomes) o2 = NULL;
    g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
    g_autoptr(TrajCsvProblem) problem = NULL;
    g_autofree char *problem_text = NULL;

    g_assert_true (traj_csv_export (store, csv, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (file, &text, NULL, &error));
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, ",item_20,safety_highest\r\n"));
    g_assert_true (g_str_has_suffix (text, ",1,0,0,0,0,0,0,0,0,,,,,,,,,,,,1\r\n"));

    /* A value the tablet could not have saved is refused, nothing written. */
    other = traj_test_open (other_path, &error);
    g_assert_no_error (error);
    bad = g_strndup (text, strlen (text) - strlen ("1\r\n"));
    {
      g_autofree char *four = g_strconcat (bad, "4\r\n", NULL);

      g_assert_true (g_file_set_contents (file, four, -1, &error));
      g_assert_no_error (error);
    }
    g_assert_false (traj_csv_import (other, csv, report, NULL, NULL, NULL, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpuint (report->n_problems, ==, 1);
    problem_text = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
    g_assert_nonnull (strstr (problem_text, "assessments.csv:2:"));
    g_assert_nonnull (strstr (problem_text, "safety_highest must be empty or 1–3, the highest answer to item 9"));
    g_assert_cmpint (traj_store_count (other, TRAJ_KIND_PATIENT, NULL), ==, 0);

    /* The file as exported imports, with the finding still open. */
    g_assert_true (g_file_set_contents (file, text, -1, &error));
    g_assert_no_error (error);
    g_assert_true (traj_csv_import (other, csv, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    copy = traj_store_find_patient_by_mrn (other, "SI-1", &error);
    g_assert_no_error (error);
    g_assert_nonnull (copy);
    r2 = traj_store_load_patient_records (other, copy->id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (r2->assessments->len, ==, 1);
    back = g_ptr_array_index (r2->assessments, 0);
    g_assert_cmpint (back->items[8], ==, 0);
    g_assert_cmpint (back->safety_highest, ==, 1);
    o2 = traj_outcomes_compute (r2, &t, now + 60);
    g_assert_true (traj_outcomes_has_open_safety (o2));
  }

  /* A FHIR export carries it too (a trial: the bundle had item 9 = 0 and
   * nothing else): on the QuestionnaireResponse's item 9, beside the
   * answer 0, and on the PHQ-9 score's Observation; nowhere else. */
  {
    g_autoptr(JsonNode) bundle = traj_fhir_build_bundle (store, "SI-1", NULL, NULL, NULL, &error);
    JsonArray *entries;
    g_autofree char *json = NULL;
    g_auto(GStrv) parts = NULL;
    guint n_qr = 0, n_obs = 0;

    g_assert_no_error (error);
    entries = json_object_get_array_member (json_node_get_object (bundle), "entry");
    for (guint k = 0; k < json_array_get_length (entries); k++)
      {
        JsonObject *res = json_object_get_object_member (json_array_get_object_element (entries, k), "resource");
        const char *type = json_object_get_string_member (res, "resourceType");
        JsonObject *ext = NULL;

        if (g_str_equal (type, "QuestionnaireResponse"))
          {
            JsonArray *items = json_object_get_array_member (res, "item");
            JsonObject *item9 = json_array_get_object_element (items, 8);
            JsonObject *answer = json_array_get_object_element (json_object_get_array_member (item9, "answer"), 0);

            g_assert_cmpstr (json_object_get_string_member (item9, "linkId"), ==, "44260-8");
            g_assert_cmpint (json_object_get_int_member (answer, "valueInteger"), ==, 0);
            ext = json_array_get_object_element (json_object_get_array_member (item9, "extension"), 0);
            for (guint j = 0; j < 8; j++)
              g_assert_false (json_object_has_member (json_array_get_object_element (items, j), "extension"));
            n_qr++;
          }
        else if (g_str_equal (type, "Observation"))
          {
            ext = json_array_get_object_element (json_object_get_array_member (res, "extension"), 0);
            /* Item 1 was amended to 1 above. */
            g_assert_cmpint (json_object_get_int_member (res, "valueInteger"), ==, 1);
            n_obs++;
          }
        else
          g_assert_false (json_object_has_member (res, "extension"));
        if (ext)
          {
            g_assert_cmpstr (json_object_get_string_member (ext, "url"), ==,
                             "https://github.com/trajectory/trajectory/fhir/StructureDefinition/safety-answer-highest");
            g_assert_cmpint (json_object_get_int_member (ext, "valueInteger"), ==, 1);
          }
      }
    g_assert_cmpuint (n_qr, ==, 1);
    g_assert_cmpuint (n_obs, ==, 1);
    json = json_to_string (bundle, FALSE);
    parts = g_strsplit (json, "safety-answer-highest", -1);
    g_assert_cmpuint (g_strv_length (parts), ==, 3);
  }

  g_clear_object (&store);
  traj_test_remove_tree (dir);
}

/* A trial: a patient answered every PHQ-9 question on the tablet (item 9
 * "More than half the days", then changed to "Not at all") and walked
 * away before Submit. The tablet keeps that as a draft with every item
 * answered; the clinic's own CSV export of it was refused by the import
 * ("complete is false but every item is answered"), and deleting the row
 * lost the safety finding. The draft round-trips as a draft now. */
static void
test_safety_answered_draft_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-draft-XXXXXX", &error);
  g_autofree char *path = NULL, *other_path = NULL, *csv = NULL, *csv2 = NULL, *file = NULL;
  g_autofree char *text = NULL, *text2 = NULL;
  g_autoptr(TrajStore) store = NULL, other = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatient) copy = NULL;
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autofree char *problem_text = NULL;
  const TrajAssessment *back;
  TrajThresholds t;
  gint64 now = traj_time_now ();

  g_assert_no_error (error);
  path = g_build_filename (dir, "clinic.db", NULL);
  other_path = g_build_filename (dir, "other.db", NULL);
  csv = g_build_filename (dir, "export", NULL);
  csv2 = g_build_filename (dir, "export2", NULL);
  file = g_build_filename (csv, "assessments.csv", NULL);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  p->mrn = g_strdup ("SI-2");
  p->name = g_strdup ("Eva Lund");
  p->birth_day = traj_day_from_ymd (1975, 9, 14);
  g_assert_true (traj_store_insert_patient (store, p, &error));
  c->patient_id = p->id;
  c->start_day = traj_day_today () - 10;
  g_assert_true (traj_store_insert_course (store, c, &error));
  g_assert_no_error (error);

  a->patient_id = p->id;
  a->course_id = c->id;
  a->taken_at = now;
  a->source = TRAJ_SOURCE_TABLET;
  a->timing = TRAJ_TIMING_BETWEEN;
  a->draft = TRUE;
  for (guint k = 0; k < 9; k++)
    a->items[k] = 1;
  a->items[8] = 2;
  g_assert_true (traj_store_insert_assessment (store, a, &error));
  g_assert_no_error (error);
  a->items[8] = 0;
  g_assert_true (traj_store_update_assessment (store, a, &error));
  g_assert_no_error (error);

  g_assert_true (traj_csv_export (store, csv, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (file, &text, NULL, &error));
  g_assert_no_error (error);
  /* complete false, no total, every item answered, highest answer 2. */
  g_assert_nonnull (strstr (text, ",tablet,between,false,,,,,1,1,1,1,1,1,1,1,0,,,,,,,,,,,,2\r\n"));

  /* A total beside complete=false is refused: such a row has no score. */
  other = traj_test_open (other_path, &error);
  g_assert_no_error (error);
  {
    g_auto(GStrv) halves = g_strsplit (text, ",tablet,between,false,,", 2);
    g_autofree char *bad = NULL;

    g_assert_cmpuint (g_strv_length (halves), ==, 2);
    bad = g_strconcat (halves[0], ",tablet,between,false,8,", halves[1], NULL);
    g_assert_true (g_file_set_contents (file, bad, -1, &error));
    g_assert_no_error (error);
  }
  g_assert_false (traj_csv_import (other, csv, report, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (report->n_problems, ==, 1);
  problem_text = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
  g_assert_nonnull (strstr (problem_text, "assessments.csv:2:"));
  g_assert_nonnull (strstr (problem_text, "total 8 is given but complete is false"));
  g_assert_cmpint (traj_store_count (other, TRAJ_KIND_PATIENT, NULL), ==, 0);

  /* The file as exported imports, still a draft, the finding open. */
  g_assert_true (g_file_set_contents (file, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (traj_csv_import (other, csv, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  copy = traj_store_find_patient_by_mrn (other, "SI-2", &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  r = traj_store_load_patient_records (other, copy->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->assessments->len, ==, 1);
  back = g_ptr_array_index (r->assessments, 0);
  g_assert_false (back->complete);
  g_assert_cmpint (back->total, ==, -1);
  g_assert_cmpint (back->items[0], ==, 1);
  g_assert_cmpint (back->items[8], ==, 0);
  g_assert_cmpint (back->safety_highest, ==, 2);
  traj_thresholds_init_defaults (&t);
  o = traj_outcomes_compute (r, &t, now + 60);
  g_assert_true (traj_outcomes_has_open_safety (o));

  /* And exporting the copy gives the same row back. */
  g_assert_true (traj_csv_export (other, csv2, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *file2 = g_build_filename (csv2, "assessments.csv", NULL);

    g_assert_true (g_file_get_contents (file2, &text2, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpstr (text2, ==, text);

  g_clear_object (&store);
  g_clear_object (&other);
  traj_test_remove_tree (dir);
}

/* The patient list's badges for the whole clinic (one pass, through the
 * cohort's narrow read) are the ones each patient's own full records give. */
static void
test_fill_summaries_match_each (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-fill-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_test_open (path, &error);
  g_autoptr(GPtrArray) all = NULL;
  TrajThresholds t;
  gint64 now = traj_time_from_day (traj_day_from_ymd (2026, 9, 2), 12, 0);
  guint with_findings = 0, with_safety = 0;

  g_assert_no_error (error);
  g_assert_true (traj_test_demo (store, path, 3, 120, traj_day_from_ymd (2026, 9, 1), &error));
  g_assert_no_error (error);
  traj_thresholds_init_defaults (&t);
  all = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 120);
  g_assert_true (traj_outcomes_fill_summaries (store, all, &t, now, NULL, &error));
  g_assert_no_error (error);
  for (guint k = 0; k < all->len; k++)
    {
      const TrajPatientSummary *s = g_ptr_array_index (all, k);
      g_autoptr(TrajPatientSummary) one = traj_store_get_patient_summary (store, s->id, &error);

      g_assert_no_error (error);
      g_assert_true (traj_outcomes_fill_summary (store, one, &t, now, &error));
      g_assert_no_error (error);
      g_assert_cmpint (s->open_findings, ==, one->open_findings);
      g_assert_cmpint (s->safety_open, ==, one->safety_open);
      with_findings += s->open_findings > 0;
      with_safety += s->safety_open;
    }
  g_test_message ("%u patients with open findings, %u with a safety finding", with_findings, with_safety);
  g_assert_cmpuint (with_findings, >, 0);
  g_assert_cmpuint (with_safety, >, 0);

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

static int
compare_taken (gconstpointer a, gconstpointer b)
{
  const TrajAssessment *x = *(const TrajAssessment * const *) a;
  const TrajAssessment *y = *(const TrajAssessment * const *) b;

  if (x->taken_at != y->taken_at)
    return x->taken_at < y->taken_at ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* traj_records_sort: records already in order (as the store reads them)
 * stay as they are; out of order, they are sorted (ties by id). */
static void
test_records_sort (void)
{
  g_autoptr(GPtrArray) in_order = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_assessment_free);
  g_autoptr(GPtrArray) shuffled = g_ptr_array_new ();
  static const gint64 taken[5] = { 100, 200, 200, 300, 400 };
  static const guint order[5] = { 3, 0, 4, 2, 1 };

  for (guint k = 0; k < 5; k++)
    {
      TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);
      a->id = k + 1;
      a->taken_at = taken[k];
      g_ptr_array_add (in_order, a);
    }
  for (guint k = 0; k < 5; k++)
    g_ptr_array_add (shuffled, g_ptr_array_index (in_order, order[k]));

  traj_records_sort (in_order, compare_taken);
  for (guint k = 0; k < 5; k++)
    g_assert_cmpint (((TrajAssessment *) g_ptr_array_index (in_order, k))->id, ==, k + 1);
  traj_records_sort (shuffled, compare_taken);
  for (guint k = 0; k < 5; k++)
    g_assert_true (g_ptr_array_index (shuffled, k) == g_ptr_array_index (in_order, k));
  g_ptr_array_set_size (shuffled, 0);
  traj_records_sort (shuffled, compare_taken);
  g_assert_cmpuint (shuffled->len, ==, 0);
}

/* Issue 16 (trial finding 4): `trajectory-cli patients`, `outcomes` and
 * `chart` print or draw identifying data; on a server each leaves a read
 * event, of the one patient shown or of the whole clinic, as an export or
 * the patient page does. A clinic file keeps no access log (traj-store.h). */
static void
test_cli_reads_audited (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-outcomes-reads-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *png = g_build_filename (dir, "chart.png", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatient) q = traj_patient_new ();
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  struct {
    const char *args[4];
    gboolean one;
    const char *summary;
  } runs[] = {
    { { "patients", NULL }, FALSE, "patient list" },
    { { "patients", "--search", "RD-2", NULL }, TRUE, "patient list" },
    { { "outcomes", "--format", "csv", NULL }, FALSE, "outcomes" },
    { { "outcomes", "--patient", "RD-2", NULL }, TRUE, "outcomes" },
    { { "chart", "--patient", "RD-2", "--output" }, TRUE, "patient chart" },
  };

  g_assert_no_error (error);
  g_assert_nonnull (cli);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  p->mrn = g_strdup ("RD-1");
  p->name = g_strdup ("Rae Dunn");
  p->birth_day = traj_day_from_ymd (1980, 4, 2);
  q->mrn = g_strdup ("RD-2");
  q->name = g_strdup ("Ray Dale");
  q->birth_day = traj_day_from_ymd (1981, 5, 3);
  g_assert_true (traj_store_insert_patient (store, p, &error) && traj_store_insert_patient (store, q, &error));
  g_assert_no_error (error);

  for (guint k = 0; k < G_N_ELEMENTS (runs); k++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL, *last = NULL, *sql = NULL;
      gint64 before = traj_test_query_int (path, "SELECT count(*) FROM audit_event WHERE action = 'read'");
      int status = 0;

      g_ptr_array_add (argv, (gpointer) cli);
      g_ptr_array_add (argv, (gpointer) "--database");
      g_ptr_array_add (argv, (gpointer) traj_test_location (path));
      for (guint j = 0; j < G_N_ELEMENTS (runs[k].args) && runs[k].args[j]; j++)
        g_ptr_array_add (argv, (gpointer) runs[k].args[j]);
      if (g_str_equal (runs[k].args[0], "chart"))
        g_ptr_array_add (argv, png);
      g_ptr_array_add (argv, NULL);
      g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                   &status, &error));
      g_assert_no_error (error);
      g_test_message ("%s %s: %s%s", runs[k].args[0], runs[k].args[1] ? runs[k].args[1] : "", out, err);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      if (!traj_store_is_server (store))
        {
          g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM audit_event WHERE action = 'read'"),
                           ==, 0);
          continue;
        }
      g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM audit_event WHERE action = 'read'"),
                       ==, before + 1);
      last = traj_test_query_text (path, "SELECT record_kind || '|' || record_uid || '|' || patient_uid || '|' || "
                                         "summary FROM audit_event WHERE action = 'read' ORDER BY id DESC LIMIT 1");
      sql = runs[k].one ? g_strdup_printf ("patient|%s|%s|%s", q->uid, q->uid, runs[k].summary)
                        : g_strdup_printf ("clinic|||%s", runs[k].summary);
      g_assert_cmpstr (last, ==, sql);
    }
  g_clear_object (&store);
  traj_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outcomes/thresholds/defaults", test_defaults);
  g_test_add_func ("/outcomes/thresholds/load", test_thresholds_load);
  g_test_add_func ("/outcomes/thresholds/app-schema", test_thresholds_app_schema);
  g_test_add_func ("/outcomes/baseline/none", test_no_baseline);
  g_test_add_func ("/outcomes/baseline/window", test_baseline_window);
  g_test_add_func ("/outcomes/baseline/window-clinic-zone", test_baseline_window_clinic_zone);
  g_test_add_func ("/outcomes/baseline/zero", test_baseline_zero);
  g_test_add_func ("/outcomes/response/last-infusion", test_response_on_last_infusion);
  g_test_add_func ("/outcomes/response/lost-regained", test_response_lost_regained);
  g_test_add_func ("/outcomes/remission/boundaries", test_remission_boundaries);
  g_test_add_func ("/outcomes/drafts-ignored", test_drafts_ignored);
  g_test_add_func ("/outcomes/booster/mcid", test_booster_mcid);
  g_test_add_func ("/outcomes/booster/response-lost", test_booster_response_lost);
  g_test_add_func ("/outcomes/booster/gap", test_booster_gap);
  g_test_add_func ("/outcomes/booster/gap-clinic-zone", test_booster_gap_clinic_zone);
  g_test_add_func ("/outcomes/booster/days-since-clinic-zone", test_days_since_infusion_clinic_zone);
  g_test_add_func ("/outcomes/booster/infusion-clears", test_booster_cleared_by_infusion);
  g_test_add_func ("/outcomes/booster/decision-episode", test_booster_decision_and_new_episode);
  g_test_add_func ("/outcomes/booster/fires-again", test_booster_fires_again);
  g_test_add_func ("/outcomes/finding/describe-closed", test_describe_closed);
  g_test_add_func ("/outcomes/booster/improvement", test_booster_improvement_closes);
  g_test_add_func ("/outcomes/no-response/induction", test_no_response);
  g_test_add_func ("/outcomes/no-response/needs-later", test_no_response_needs_later_assessment);
  g_test_add_func ("/outcomes/safety/item9", test_safety_item9);
  g_test_add_func ("/outcomes/safety/item9-taken-back", test_safety_item9_taken_back);
  g_test_add_func ("/outcomes/safety/answered-draft-round-trip", test_safety_answered_draft_round_trip);
  g_test_add_func ("/outcomes/safety/draft-in-fhir", test_safety_draft_in_fhir);
  g_test_add_func ("/outcomes/monitoring/vitals", test_vitals_limits);
  g_test_add_func ("/outcomes/monitoring/low-limits", test_vitals_low_limits);
  g_test_add_func ("/outcomes/monitoring/tolerability-not-outcome", test_tolerability_not_outcome);
  g_test_add_func ("/outcomes/attribution", test_attribution);
  g_test_add_func ("/outcomes/order-and-labels", test_order_and_labels);
  g_test_add_func ("/outcomes/store/decision", test_store_decision);
  g_test_add_func ("/outcomes/ybocs/table", test_ybocs_table);
  g_test_add_func ("/outcomes/ybocs/response-remission", test_ybocs_response_remission);
  g_test_add_func ("/outcomes/ybocs/booster", test_ybocs_booster);
  g_test_add_func ("/outcomes/fill-summaries-match-each", test_fill_summaries_match_each);
  g_test_add_func ("/outcomes/ybocs/store", test_ybocs_store);
  g_test_add_func ("/outcomes/records-sort", test_records_sort);
  g_test_add_func ("/outcomes/cli-reads-audited", test_cli_reads_audited);

  return g_test_run ();
}
