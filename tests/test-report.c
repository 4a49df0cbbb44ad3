/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The printed reports and the cohort charts, on a demo clinic generated in
 * a temporary directory (fixed seed, size and anchor): patient PDFs are PDFs
 * with as many pages as the page-by-page API says (more for a long record),
 * A4 and Letter differ, the cohort report is one page whatever it holds,
 * and the cohort charts stay inside their box, say "no data" when empty and
 * start their Kaplan–Meier curves at S = 1. */

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traj-cohort-chart.h"
#include "traj-demo.h"
#include "traj-report.h"

#define SEED 20261122u
#define N_PATIENTS 30
#define ANCHOR() traj_day_from_ymd (2026, 3, 1)

/* One clinic for every test: generating it is the slow part. */
static struct {
  char *dir;
  TrajStore *store;
  gint64 now;
  TrajThresholds thresholds;
  gint64 long_patient;           /* most records */
  gint64 short_patient;          /* fewest */
} clinic;

static void
clinic_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint most = 0, fewest = G_MAXUINT;

  clinic.dir = g_dir_make_tmp ("traj-report-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (clinic.dir, "clinic.db", NULL);
  clinic.store = traj_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (clinic.store, SEED, N_PATIENTS, ANCHOR (), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  clinic.now = traj_time_from_day (ANCHOR () + 1, 0, 0);
  traj_thresholds_init_defaults (&clinic.thresholds);

  list = traj_store_list_patients (clinic.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, N_PATIENTS);
  for (guint k = 0; k < list->len; k++)
    {
      const TrajPatientSummary *s = g_ptr_array_index (list, k);
      g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (clinic.store, s->id, &error);
      guint n;

      g_assert_no_error (error);
      n = r->assessments->len + r->infusions->len;
      if (n > most)
        {
          most = n;
          clinic.long_patient = s->id;
        }
      if (n < fewest)
        {
          fewest = n;
          clinic.short_patient = s->id;
        }
    }
  g_assert_cmpuint (most, >, 60);
}

static void
remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      g_remove (child);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

static void
clinic_teardown (void)
{
  g_clear_object (&clinic.store);
  remove_tree (clinic.dir);
  g_free (clinic.dir);
}

static void
load_patient (gint64 id, TrajPatientRecords **records, TrajOutcomes **outcomes)
{
  g_autoptr(GError) error = NULL;

  *records = traj_store_load_patient_records (clinic.store, id, &error);
  g_assert_no_error (error);
  *outcomes = traj_outcomes_compute (*records, &clinic.thresholds, clinic.now);
}

static void
options_init (TrajReportOptions *o, TrajPaperSize paper)
{
  traj_report_options_init (o);
  o->clinic_name = "Riverside Ketamine Clinic";
  o->prepared_by = "Dr Test";
  o->paper = paper;
  o->generated_at = traj_time_from_day (ANCHOR (), 14, 5);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (clinic.dir, name, NULL);
}

/* ---- records by hand (2026, scores at 09:00, infusions at 10:00, TZ=Europe/London) ---- */

static gint64 next_id = 1000;

static gint64
at (int month, int mday, int hour)
{
  return traj_time_from_day (traj_day_from_ymd (2026, month, mday), hour, 0);
}

static TrajPatientRecords *
records_new (void)
{
  TrajPatientRecords *r = traj_patient_records_new ();
  TrajCourse *c = traj_course_new ();

  r->patient = traj_patient_new ();
  r->patient->id = 1;
  r->patient->uid = g_strdup ("patient-1");
  r->patient->mrn = g_strdup ("R-1");
  r->patient->name = g_strdup ("Rita Report");
  r->patient->birth_day = traj_day_from_ymd (1970, 1, 1);
  c->id = 1;
  c->uid = g_strdup ("course-1");
  c->patient_id = 1;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = traj_day_from_ymd (2026, 3, 1);
  g_ptr_array_add (r->courses, c);
  return r;
}

static TrajInfusion *
add_infusion (TrajPatientRecords *r, int month, int mday, int systolic)
{
  TrajInfusion *i = traj_infusion_new ();
  TrajVitalSign *v = traj_vital_sign_new (0);

  i->id = next_id++;
  i->uid = g_strdup_printf ("inf-%" G_GINT64_FORMAT, i->id);
  i->patient_id = 1;
  i->course_id = 1;
  i->started_at = at (month, mday, 10);
  v->id = next_id++;
  v->uid = g_strdup_printf ("vital-%" G_GINT64_FORMAT, v->id);
  v->infusion_id = i->id;
  v->systolic = systolic;
  v->diastolic = 80;
  v->heart_rate = 70;
  v->spo2 = 98;
  g_ptr_array_add (i->vitals, v);
  g_ptr_array_add (r->infusions, i);
  return i;
}

/* A complete PHQ-9: item 9 = @item9, the first @rest_total points on the
 * other items. */
static TrajAssessment *
add_phq9 (TrajPatientRecords *r, int month, int mday, int rest_total, int item9)
{
  TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);

  a->id = next_id++;
  a->uid = g_strdup_printf ("a-%" G_GINT64_FORMAT, a->id);
  a->patient_id = 1;
  a->course_id = 1;
  a->taken_at = at (month, mday, 9);
  for (int k = 0; k < 8; k++)
    {
      a->items[k] = MIN (3, rest_total);
      rest_total -= a->items[k];
    }
  a->items[TRAJ_PHQ9_ITEM9] = item9;
  traj_assessment_rescore (a);
  g_assert_true (a->complete);
  g_ptr_array_add (r->assessments, a);
  return a;
}

static char *
report_text (const TrajPatientRecords *r, char **callout)
{
  g_autoptr(TrajOutcomes) o = traj_outcomes_compute (r, &clinic.thresholds, at (12, 1, 0));
  g_autoptr(TrajReport) report = NULL;
  TrajReportOptions options;

  options_init (&options, TRAJ_PAPER_A4);
  report = traj_report_patient_new (r, o, &options);
  if (callout)
    *callout = traj_report_get_callout (report);
  return traj_report_get_text (report);
}

static guint
count_of (const char *text, const char *needle)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* The header named the indication without the detail the page header
 * shows ("Chronic pain" for a patient with fibromyalgia). */
static void
test_header_indication_detail (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autofree char *text = NULL;

  r->patient->indication = TRAJ_INDICATION_CHRONIC_PAIN;
  text = report_text (r, NULL);
  g_assert_nonnull (strstr (text, " · Sex not recorded · Chronic pain\n"));
  g_clear_pointer (&text, g_free);

  r->patient->indication_detail = g_strdup ("fibromyalgia");
  text = report_text (r, NULL);
  g_assert_nonnull (strstr (text, " · Sex not recorded · Chronic pain (Fibromyalgia)\n"));
  g_clear_pointer (&text, g_free);

  /* Issue 15: the history of substance use, once recorded, as on the page. */
  r->patient->substance_use = TRAJ_SUBSTANCE_USE_CURRENT;
  text = report_text (r, NULL);
  g_assert_nonnull (strstr (text, " · Chronic pain (Fibromyalgia) · History of substance use: Current\n"));
  g_clear_pointer (&text, g_free);
  r->patient->substance_use = TRAJ_SUBSTANCE_USE_NONE;
  text = report_text (r, NULL);
  g_assert_nonnull (strstr (text, " · Chronic pain (Fibromyalgia) · History of substance use: None\n"));
}

/* The report called esketamine nasal-spray sessions infusions, as the
 * patient page no longer does. */
static void
test_course_sessions (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autofree char *text = NULL;

  ((TrajCourse *) g_ptr_array_index (r->courses, 0))->induction_length = 6;
  add_infusion (r, 3, 2, 120);
  add_infusion (r, 3, 5, 120);
  text = report_text (r, NULL);
  g_assert_nonnull (strstr (text, "First infusion"));
  g_assert_nonnull (strstr (text, "6 infusions, 2 given so far"));
  g_assert_nonnull (strstr (text, "\nInfusions\n"));
  g_clear_pointer (&text, g_free);

  /* A course switched to the spray: both kinds in one table. */
  ((TrajInfusion *) g_ptr_array_index (r->infusions, 1))->route = TRAJ_ROUTE_INTRANASAL;
  text = report_text (r, NULL);
  g_assert_nonnull (strstr (text, "\nInfusions and sessions\n"));
  g_clear_pointer (&text, g_free);

  for (guint k = 0; k < r->infusions->len; k++)
    {
      TrajInfusion *i = g_ptr_array_index (r->infusions, k);

      i->route = TRAJ_ROUTE_INTRANASAL;
      i->medicine = TRAJ_MEDICINE_ESKETAMINE;
      i->dose_mg_per_kg = 0;
      i->total_mg = 56;
    }
  text = report_text (r, NULL);
  /* The table's heading too, on a line of its own. */
  g_assert_nonnull (strstr (text, "\nSessions\n"));
  g_assert_null (strstr (text, "\nInfusions\n"));
  g_assert_nonnull (strstr (text, "First session"));
  g_assert_nonnull (strstr (text, "Latest session"));
  g_assert_nonnull (strstr (text, "6 sessions, 2 given so far"));
  g_assert_null (strstr (text, "First infusion"));
}

/* The suicidal-ideation risk flag was on the patient page but nowhere in
 * the PDF (a clinician trial finding): it heads the first-page callout, on
 * its own or above the open findings. */
static void
test_callout_risk_flag (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autofree char *callout = NULL, *text = NULL, *on = NULL, *expected = NULL;

  text = report_text (r, &callout);
  g_assert_null (callout);
  g_clear_pointer (&text, g_free);

  r->patient->risk_si_at = at (11, 20, 9);
  r->patient->risk_si_by = g_strdup ("Dr Amara Osei");
  on = traj_time_format (r->patient->risk_si_at);
  expected = g_strdup_printf ("Risk flag: suicidal ideation · set by Dr Amara Osei on %s", on);
  text = report_text (r, &callout);
  g_assert_cmpstr (callout, ==, expected);
  g_clear_pointer (&callout, g_free);
  g_clear_pointer (&text, g_free);

  add_phq9 (r, 3, 1, 18, 1);
  text = report_text (r, &callout);
  g_assert_true (g_str_has_prefix (callout, expected));
  g_assert_true (g_str_has_prefix (callout + strlen (expected),
                                   "\nOpen safety finding — a clinician has not yet acknowledged it:\n"));
}

/* Item 9 answered 2 on the tablet and changed to 0 before Submit: the
 * scores table said nothing of it (it read the current answer). It gives
 * both answers; a plain item 9 answer reads as before. */
static void
test_item9_taken_back (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autofree char *callout = NULL, *text = NULL;
  TrajAssessment *a;

  add_phq9 (r, 3, 1, 18, 1);
  a = add_phq9 (r, 3, 8, 12, 0);
  a->source = TRAJ_SOURCE_TABLET;
  a->safety_highest = 2;
  text = report_text (r, &callout);
  g_assert_cmpuint (count_of (text, "Item 9 answered 1 (safety)"), ==, 1);
  g_assert_cmpuint (count_of (text, "Item 9 answered 2, later changed to 0 (safety)"), ==, 1);
  g_assert_cmpuint (count_of (text, "(safety)"), ==, 2);
  g_assert_true (g_str_has_prefix (callout, "Open safety findings — a clinician has not yet acknowledged them:\n"));
}

/* The first-page callout lists every open safety finding and monitoring
 * event, under a heading in the singular or plural as it holds. */
static void
test_callout_monitoring (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autofree char *callout = NULL;
  g_autofree char *text = NULL;

  /* One safety finding (item 9 answered 1): the singular heading. */
  add_phq9 (r, 3, 1, 18, 1);
  text = report_text (r, &callout);
  g_assert_nonnull (callout);
  g_assert_true (g_str_has_prefix (callout, "Open safety finding — a clinician has not yet acknowledged it:\n"));
  g_assert_cmpuint (count_of (callout, "\n"), ==, 1);
  g_clear_pointer (&callout, g_free);
  g_clear_pointer (&text, g_free);

  /* Two infusions with a systolic of 200 (over 180): two monitoring events,
   * both in the callout with the safety finding, under a plural heading. */
  add_infusion (r, 3, 1, 200);
  add_infusion (r, 3, 3, 195);
  add_infusion (r, 3, 5, 130);
  text = report_text (r, &callout);
  o = traj_outcomes_compute (r, &clinic.thresholds, at (12, 1, 0));
  g_assert_cmpuint (traj_outcomes_n_open (o), ==, 3);
  g_assert_true (g_str_has_prefix (callout, "Open safety findings and monitoring events — a clinician has not yet "
                                            "acknowledged them:\n"));
  g_assert_cmpuint (count_of (callout, "\n"), ==, 3);
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      g_assert_nonnull (strstr (callout, f->sentence));
    }
  g_assert_cmpuint (count_of (callout, "Monitoring event: "), ==, 2);
  g_assert_cmpuint (count_of (callout, "Safety: "), ==, 1);
  g_clear_pointer (&callout, g_free);
  g_clear_pointer (&text, g_free);

  /* Monitoring alone, once the safety finding is acknowledged. */
  {
    const TrajFinding *safety = NULL;
    TrajFlagDecision *d;

    for (guint k = 0; k < o->findings->len; k++)
      if (((const TrajFinding *) g_ptr_array_index (o->findings, k))->kind == TRAJ_FINDING_SAFETY)
        safety = g_ptr_array_index (o->findings, k);
    g_assert_nonnull (safety);
    d = traj_finding_new_decision (safety, TRAJ_DECISION_ACKNOWLEDGED, "");
    d->id = next_id++;
    d->uid = g_strdup ("decision-1");
    d->decided_by = g_strdup ("Dr Test");
    d->decided_at = at (3, 2, 12);
    g_ptr_array_add (r->decisions, d);
  }
  text = report_text (r, &callout);
  g_assert_true (g_str_has_prefix (callout, "Open monitoring events — a clinician has not yet acknowledged them:\n"));
  g_assert_cmpuint (count_of (callout, "\n"), ==, 2);
  g_assert_cmpuint (count_of (callout, "Safety"), ==, 0);
}

/* The findings list keeps every closed finding: the one a clinician
 * declined, and the one that fired again after it and that a booster
 * infusion then closed (the superseded finding was left out before). */
static void
test_findings_list_keeps_closed (void)
{
  g_autoptr(TrajPatientRecords) r = records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;
  const TrajAssessment *p;
  TrajFlagDecision *d;
  guint n_booster = 0;

  /* Baseline 26, infusion 1 Mar, nadir 4 (5 Mar), then 9 and 9 (10, 12 Mar):
   * a rise of 5 = M on both, two days apart, fires (CLINICAL.md §3). */
  add_phq9 (r, 3, 1, 26, 0);
  add_infusion (r, 3, 1, 130);
  add_phq9 (r, 3, 5, 4, 0);
  p = add_phq9 (r, 3, 10, 9, 0);
  add_phq9 (r, 3, 12, 9, 0);
  key = g_strdup_printf ("booster:course-1:%s", p->uid);
  d = traj_flag_decision_new ();
  d->id = next_id++;
  d->uid = g_strdup ("decision-b");
  d->patient_id = 1;
  d->course_id = 1;
  d->kind = g_strdup ("booster");
  d->finding_key = g_strdup (key);
  d->decision = g_strdup (TRAJ_DECISION_DECLINED);
  d->note = g_strdup ("travelling");
  d->decided_by = g_strdup ("Dr Test");
  d->decided_at = at (3, 12, 12);
  g_ptr_array_add (r->decisions, d);
  /* 14 on 17 Mar is 9 + 5 above the score declined on: it fires again as a
   * new finding, and the booster infusion on 20 Mar closes that one. */
  add_phq9 (r, 3, 17, 14, 0);
  add_infusion (r, 3, 20, 130);

  o = traj_outcomes_compute (r, &clinic.thresholds, at (12, 1, 0));
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->kind == TRAJ_FINDING_BOOSTER)
        {
          g_assert_false (f->open);
          n_booster++;
        }
    }
  g_assert_cmpuint (n_booster, ==, 2);

  text = report_text (r, NULL);
  g_assert_cmpuint (count_of (text, "A booster might be discussed\n"), ==, 2);
  for (guint k = 0; k < o->findings->len; k++)
    g_assert_nonnull (strstr (text, ((const TrajFinding *) g_ptr_array_index (o->findings, k))->sentence));
  /* The decision: what, who and when, and the note. */
  g_assert_nonnull (strstr (text, "Declined\nDr Test, 12 Mar 2026\ntravelling"));
  /* The superseded one: how it closed. */
  g_assert_nonnull (strstr (text, "\tClosed by an infusion on 20 Mar 2026\n"));
}

/* ---- reading PDFs -------------------------------------------------------------- */

static char *
read_pdf (const char *path, gsize *len)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, len, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  return contents;
}

/* Like strstr over bytes: a PDF's compressed streams hold NULs, where
 * g_strstr_len() would stop. */
static const char *
find_bytes (const char *from, const char *end, const char *needle)
{
  gsize n = strlen (needle);

  for (const char *p = from; p + n <= end; p++)
    if (*p == *needle && memcmp (p, needle, n) == 0)
      return p;
  return NULL;
}

/* Page objects: "/Type /Page" but not "/Type /Pages" (cairo writes page
 * dictionaries uncompressed). */
static guint
count_pages (const char *path)
{
  gsize len;
  g_autofree char *pdf = read_pdf (path, &len);
  const char *needle = "/Type /Page";
  guint n = 0;

  for (const char *p = pdf; (p = find_bytes (p, pdf + len, needle)) != NULL; p += strlen (needle))
    if (p[strlen (needle)] != 's')
      n++;
  return n;
}

/* poppler's own count, when pdfinfo is installed; -1 otherwise. */
static int
pdfinfo_pages (const char *path)
{
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, NULL, NULL };
  const char *line;
  int status;

  if (pdfinfo == NULL)
    return -1;
  argv[0] = pdfinfo;
  argv[1] = path;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  line = strstr (out, "Pages:");
  g_assert_nonnull (line);
  return atoi (line + strlen ("Pages:"));
}

static void
assert_pages (const char *path, guint expected)
{
  int poppler = pdfinfo_pages (path);

  g_assert_cmpuint (count_pages (path), ==, expected);
  if (poppler >= 0)
    g_assert_cmpint (poppler, ==, (int) expected);
  else
    g_test_message ("pdfinfo not found: page count checked from the PDF's page objects only");
}

/* The first page's MediaBox width and height. */
static void
media_box (const char *path, double *w, double *h)
{
  gsize len;
  g_autofree char *pdf = read_pdf (path, &len);
  const char *box = find_bytes (pdf, pdf + len, "/MediaBox");
  double x0, y0;

  g_assert_nonnull (box);
  g_assert_cmpint (sscanf (box, "/MediaBox [ %lf %lf %lf %lf ]", &x0, &y0, w, h), ==, 4);
}

/* ---- patient report -------------------------------------------------------------- */

static void
test_patient_pdf (void)
{
  g_autoptr(TrajPatientRecords) lr = NULL, sr = NULL;
  g_autoptr(TrajOutcomes) lo = NULL, so = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_pdf = tmp_path ("long.pdf");
  g_autofree char *short_pdf = tmp_path ("short.pdf");
  TrajReportOptions options;
  guint long_pages, short_pages;

  options_init (&options, TRAJ_PAPER_A4);
  load_patient (clinic.long_patient, &lr, &lo);
  load_patient (clinic.short_patient, &sr, &so);

  g_assert_true (traj_report_patient_write_pdf (lr, lo, &options, long_pdf, &error));
  g_assert_no_error (error);
  g_assert_true (traj_report_patient_write_pdf (sr, so, &options, short_pdf, &error));
  g_assert_no_error (error);

  long_pages = count_pages (long_pdf);
  short_pages = count_pages (short_pdf);
  g_assert_cmpuint (short_pages, >=, 1);
  g_assert_cmpuint (long_pages, >, short_pages);
  g_assert_cmpuint (long_pages, >=, 3);
  assert_pages (long_pdf, long_pages);
  assert_pages (short_pdf, short_pages);
}

static void
test_paper_sizes (void)
{
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a4 = tmp_path ("a4.pdf");
  g_autofree char *letter = tmp_path ("letter.pdf");
  TrajReportOptions options;
  double aw, ah, lw, lh;

  load_patient (clinic.long_patient, &r, &o);
  options_init (&options, TRAJ_PAPER_A4);
  g_assert_true (traj_report_patient_write_pdf (r, o, &options, a4, &error));
  options.paper = TRAJ_PAPER_LETTER;
  g_assert_true (traj_report_patient_write_pdf (r, o, &options, letter, &error));
  g_assert_no_error (error);

  media_box (a4, &aw, &ah);
  media_box (letter, &lw, &lh);
  g_assert_cmpfloat_with_epsilon (aw, 595.28, 0.5);
  g_assert_cmpfloat_with_epsilon (ah, 841.89, 0.5);
  g_assert_cmpfloat_with_epsilon (lw, 612, 0.5);
  g_assert_cmpfloat_with_epsilon (lh, 792, 0.5);
  g_assert_cmpfloat (fabs (aw - lw) + fabs (ah - lh), >, 10);

  /* Paper names. */
  {
    TrajPaperSize p;
    g_assert_true (traj_paper_size_from_string ("Letter", &p));
    g_assert_cmpint (p, ==, TRAJ_PAPER_LETTER);
    g_assert_true (traj_paper_size_from_string ("a4", &p));
    g_assert_cmpint (p, ==, TRAJ_PAPER_A4);
    g_assert_false (traj_paper_size_from_string ("a5", &p));
  }
}

/* What print gets page by page is what the PDF holds. */
static void
test_page_api_matches_pdf (void)
{
  const gint64 ids[] = { clinic.long_patient, clinic.short_patient };

  for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
    for (TrajPaperSize paper = TRAJ_PAPER_A4; paper <= TRAJ_PAPER_LETTER; paper++)
      {
        g_autoptr(TrajPatientRecords) r = NULL;
        g_autoptr(TrajOutcomes) o = NULL;
        g_autoptr(TrajReport) report = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *pdf = tmp_path ("pages.pdf");
        TrajReportOptions options;
        double w, h;
        int n;

        load_patient (ids[k], &r, &o);
        options_init (&options, paper);
        traj_paper_size_get_size (paper, &w, &h);
        report = traj_report_patient_new (r, o, &options);
        n = traj_report_get_n_pages (report, w, h);
        g_assert_cmpint (n, >=, 1);
        /* Laying out again for the same size changes nothing. */
        g_assert_cmpint (traj_report_get_n_pages (report, w, h), ==, n);
        g_assert_true (traj_report_write_pdf (report, &options, pdf, &error));
        g_assert_no_error (error);
        assert_pages (pdf, (guint) n);

        /* Every page draws something on an image surface of that size. */
        for (int p = 0; p < n; p++)
          {
            cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
            cairo_t *cr = cairo_create (s);
            guint32 *px;
            int stride, inked = 0;

            cairo_set_source_rgb (cr, 1, 1, 1);
            cairo_paint (cr);
            traj_report_draw_page (report, cr, p, w, h);
            g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
            cairo_destroy (cr);
            cairo_surface_flush (s);
            px = (guint32 *) cairo_image_surface_get_data (s);
            stride = cairo_image_surface_get_stride (s) / 4;
            for (int y = 0; y < (int) h; y++)
              for (int x = 0; x < (int) w; x++)
                if ((px[y * stride + x] & 0xff) < 0x80)
                  inked++;
            g_assert_cmpint (inked, >, 500);
            cairo_surface_destroy (s);
          }
        g_unlink (pdf);
      }
}

/* A patient with nothing but a name still gets a one-page report. */
static void
test_patient_without_records (void)
{
  g_autoptr(TrajPatientRecords) r = traj_patient_records_new ();
  g_autoptr(TrajOutcomes) o = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = tmp_path ("empty.pdf");
  g_autofree char *bad = g_build_filename (clinic.dir, "no-such-dir", "r.pdf", NULL);
  TrajReportOptions options;

  r->patient = traj_patient_new ();
  r->patient->id = 1;
  r->patient->uid = g_strdup ("p-1");
  r->patient->mrn = g_strdup ("MRN <&> 1");      /* markup characters stay text */
  r->patient->name = g_strdup ("Ada & Co");
  o = traj_outcomes_compute (r, &clinic.thresholds, clinic.now);
  options_init (&options, TRAJ_PAPER_A4);
  g_assert_true (traj_report_patient_write_pdf (r, o, &options, pdf, &error));
  g_assert_no_error (error);
  assert_pages (pdf, 1);

  g_assert_false (traj_report_patient_write_pdf (r, o, &options, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "r.pdf"));
}

/* ---- cohort report ------------------------------------------------------------------ */

static TrajCohortReport *
cohort_report (TrajCohortField group_by, const char *indication)
{
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(GError) error = NULL;
  TrajCohortReport *report;

  def->group_by = group_by;
  if (indication)
    g_assert_true (traj_cohort_filter_parse (&def->filter, "indication", indication, &error));
  report = traj_cohort_compute (clinic.store, def, &clinic.thresholds, clinic.now, NULL, &error);
  g_assert_no_error (error);
  return report;
}

static void
test_cohort_one_page (void)
{
  const TrajCohortField fields[] = { TRAJ_COHORT_FIELD_NONE, TRAJ_COHORT_FIELD_INDICATION,
                                     TRAJ_COHORT_FIELD_AGE_BAND, TRAJ_COHORT_FIELD_SEX };

  for (guint k = 0; k < G_N_ELEMENTS (fields); k++)
    for (TrajPaperSize paper = TRAJ_PAPER_A4; paper <= TRAJ_PAPER_LETTER; paper++)
      {
        g_autoptr(TrajCohortReport) report = cohort_report (fields[k], NULL);
        g_autoptr(GError) error = NULL;
        g_autofree char *pdf = tmp_path ("cohort.pdf");
        TrajReportOptions options;

        options_init (&options, paper);
        g_assert_true (traj_report_cohort_write_pdf (report, &options, pdf, &error));
        g_assert_no_error (error);
        assert_pages (pdf, 1);
        g_unlink (pdf);
      }

  /* The report outlives the cohort report it was made from. */
  {
    g_autoptr(TrajCohortReport) cohorts = cohort_report (TRAJ_COHORT_FIELD_INDICATION, NULL);
    g_autoptr(TrajReport) report = traj_report_cohort_new (cohorts, NULL);
    g_clear_pointer (&cohorts, traj_cohort_report_free);
    g_assert_cmpint (traj_report_get_n_pages (report, 595.28, 841.89), ==, 1);
    g_assert_cmpint (traj_report_get_n_pages (report, 612, 792), ==, 1);
    /* CLINICAL.md §8 tolerability rows, after the outcomes. */
    {
      g_autofree char *text = traj_report_get_text (report);
      const char *safety = strstr (text, "Courses with a safety finding");
      g_assert_nonnull (safety);
      g_assert_nonnull (strstr (safety, "CADSS per infusion, mean (SD), 95 % CI"));
      g_assert_nonnull (strstr (safety, "Infusions with sedation (lowest MOAA/S 3 or less)"));
    }
  }
}

/* ---- cohort charts ---------------------------------------------------------------------- */

#define CW 640
#define CH 420
#define OFF 40

typedef struct {
  cairo_surface_t *surface;
  guint32 *px;
  int stride;
} Image;

/* Draws the layout at (OFF, OFF) on a transparent surface OFF larger on
 * each side. */
static void
image_draw (Image *img, TrajCohortChartLayout *layout)
{
  TrajChartPalette palette;
  cairo_t *cr;

  traj_chart_palette_init_print (&palette);
  img->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, CW + 2 * OFF, CH + 2 * OFF);
  cr = cairo_create (img->surface);
  cairo_translate (cr, OFF, OFF);
  traj_cohort_chart_draw (layout, cr, &palette);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (img->surface);
  img->px = (guint32 *) cairo_image_surface_get_data (img->surface);
  img->stride = cairo_image_surface_get_stride (img->surface) / 4;
}

static guint32
image_at (const Image *img, double x, double y)
{
  return img->px[((int) y + OFF) * img->stride + (int) x + OFF];
}

static void
image_clear (Image *img)
{
  cairo_surface_destroy (img->surface);
}

static TrajCohortChartLayout *
chart_layout (const TrajCohortReport *report, TrajCohortChartKind kind, TrajChartLayers layers)
{
  TrajCohortChartOptions o;

  traj_cohort_chart_options_init (&o, kind);
  o.layers = layers;
  o.show_courses = TRUE;
  return traj_cohort_chart_layout_new (report, &o, CW, CH);
}

static void
test_chart_inside (void)
{
  g_autoptr(TrajCohortReport) report = cohort_report (TRAJ_COHORT_FIELD_INDICATION, NULL);

  /* Confidence intervals wider than the scale (a t interval on three
   * courses near the floor reaches below 0): the bands stay in the scale's
   * range, inside the plots, as the means cannot leave it. */
  for (guint k = 0; k < report->cohorts->len; k++)
    {
      TrajCohort *h = g_ptr_array_index (report->cohorts, k);
      GArray *lists[] = { h->by_infusion, h->by_week };

      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        for (guint j = 0; lists[l] && j < lists[l]->len; j++)
          {
            TrajCohortPoint *cp = &g_array_index (lists[l], TrajCohortPoint, j);
            if (cp->mean.n >= 3 && isfinite (cp->mean.lower))
              {
                cp->mean.lower -= 100;
                cp->mean.upper += 100;
              }
          }
    }

  for (TrajCohortChartKind kind = TRAJ_COHORT_CHART_BY_INFUSION; kind <= TRAJ_COHORT_CHART_KM; kind++)
    {
      g_autoptr(TrajCohortChartLayout) all = chart_layout (report, kind, TRAJ_CHART_LAYER_ALL);
      g_autoptr(TrajCohortChartLayout) data = chart_layout (report, kind, TRAJ_CHART_LAYER_DATA);
      g_autofree char *desc = traj_cohort_chart_layout_describe (all);
      Image img;
      guint inside = 0;

      g_assert_false (traj_cohort_chart_layout_is_empty (all));
      g_assert_cmpuint (traj_cohort_chart_layout_get_n_series (all), >=, 3);
      g_assert_nonnull (desc);
      g_assert_cmpuint (strlen (desc), >, 20);
      if (kind == TRAJ_COHORT_CHART_KM)
        g_assert_cmpuint (traj_cohort_chart_layout_get_n_panels (all), ==, 1);
      else
        /* The demo's indications are on four scales: never overlaid. */
        g_assert_cmpuint (traj_cohort_chart_layout_get_n_panels (all), >, 1);

      /* Everything inside the box it was given. */
      image_draw (&img, all);
      for (int y = -OFF; y < CH + OFF; y++)
        for (int x = -OFF; x < CW + OFF; x++)
          {
            gboolean in = x >= 0 && y >= 0 && x < CW && y < CH;
            guint32 a = image_at (&img, x, y) >> 24;
            if (!in)
              g_assert_cmpuint (a, ==, 0);
            else if (a > 0)
              inside++;
          }
      g_assert_cmpuint (inside, >, 1000);
      image_clear (&img);

      /* The data inside the plot areas (marks may overhang by their size). */
      image_draw (&img, data);
      for (int y = 0; y < CH; y++)
        for (int x = 0; x < CW; x++)
          {
            gboolean in_plot = FALSE;

            if ((image_at (&img, x, y) >> 24) == 0)
              continue;
            for (guint p = 0; p < traj_cohort_chart_layout_get_n_panels (data); p++)
              {
                cairo_rectangle_t r;
                g_assert_true (traj_cohort_chart_layout_get_plot_area (data, p, &r));
                if (x >= r.x - 8 && x <= r.x + r.width + 8 && y >= r.y - 8 && y <= r.y + r.height + 8)
                  in_plot = TRUE;
              }
            g_assert_true (in_plot);
          }
      /* Nothing translucent (a band) above the scale's top or below its
       * floor: only the antialiased edges of marks on a mean near them. */
      if (kind != TRAJ_COHORT_CHART_KM)
        {
          guint beyond = 0;

          for (guint p = 0; p < traj_cohort_chart_layout_get_n_panels (data); p++)
            {
              const TrajScale *sc = traj_scale_get (traj_cohort_chart_layout_get_panel_scale (data, p));
              double top = traj_cohort_chart_layout_y_for (data, p, sc->total_max);
              double floor_y = traj_cohort_chart_layout_y_for (data, p, sc->total_min);
              cairo_rectangle_t r;

              g_assert_true (traj_cohort_chart_layout_get_plot_area (data, p, &r));
              for (int x = (int) r.x; x < (int) (r.x + r.width); x++)
                for (int y = (int) r.y; y < (int) (r.y + r.height); y++)
                  {
                    guint a = image_at (&img, x, y) >> 24;
                    if ((y < top - 1.5 || y > floor_y + 1.5) && a > 0 && a < 140)
                      beyond++;
                  }
            }
          g_test_message ("translucent pixels beyond the scales: %u", beyond);
          g_assert_cmpuint (beyond, <, 60);
        }
      image_clear (&img);
    }
}

static gboolean
has_dark_pixels (const Image *img, double x0, double y0, double x1, double y1, guint min)
{
  guint n = 0;

  for (int y = (int) y0; y < (int) y1; y++)
    for (int x = (int) x0; x < (int) x1; x++)
      {
        guint32 p = image_at (img, x, y);
        guint a = p >> 24, g = (p >> 8) & 0xff;
        if (a > 0x60 && g < 0x40)
          n++;
      }
  return n >= min;
}

static void
test_chart_no_data (void)
{
  /* No course is "other" in the demo: cohorts of nothing. */
  g_autoptr(TrajCohortReport) nothing = cohort_report (TRAJ_COHORT_FIELD_NONE, "other");
  g_autoptr(GPtrArray) no_courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) empty = traj_cohort_report_new (g_steal_pointer (&no_courses), def,
                                                              &clinic.thresholds, clinic.now);
  const TrajCohortReport *reports[] = { nothing, empty, NULL };

  for (guint k = 0; k < G_N_ELEMENTS (reports); k++)
    for (TrajCohortChartKind kind = TRAJ_COHORT_CHART_BY_INFUSION; kind <= TRAJ_COHORT_CHART_KM; kind++)
      {
        g_autoptr(TrajCohortChartLayout) layout = NULL;
        TrajCohortChartOptions o;
        Image img;

        traj_cohort_chart_options_init (&o, kind);
        o.show_title = FALSE;
        layout = traj_cohort_chart_layout_new (reports[k], &o, CW, CH);
        g_assert_true (traj_cohort_chart_layout_is_empty (layout));
        g_assert_cmpuint (traj_cohort_chart_layout_get_n_panels (layout), ==, 0);
        image_draw (&img, layout);
        /* A message in the middle, not an empty frame. */
        g_assert_true (has_dark_pixels (&img, CW * 0.2, CH * 0.35, CW * 0.8, CH * 0.65, 50));
        image_clear (&img);
      }
  /* And so does the cohort report. */
  {
    g_autofree char *pdf = tmp_path ("nothing.pdf");
    g_autoptr(GError) error = NULL;
    g_assert_true (traj_report_cohort_write_pdf (nothing, NULL, pdf, &error));
    g_assert_no_error (error);
    assert_pages (pdf, 1);
  }
}

static void
test_km_starts_at_one (void)
{
  g_autoptr(TrajCohortReport) report = cohort_report (TRAJ_COHORT_FIELD_NONE, NULL);
  g_autoptr(TrajCohortChartLayout) layout = chart_layout (report, TRAJ_COHORT_CHART_KM, TRAJ_CHART_LAYER_DATA);
  const TrajCohort *h = g_ptr_array_index (report->cohorts, 0);
  const TrajKm *km = h->booster;
  cairo_rectangle_t r;
  TrajChartColor c;
  TrajChartPalette palette;
  double x, y1, y0;
  Image img;
  guint32 p;
  const TrajKmStep *first = NULL;

  g_assert_nonnull (km);
  g_assert_cmpuint (km->n, >, 5);
  /* The first booster; a course censored on day 0 leaves the curve at 1. */
  for (guint k = 0; first == NULL && k < km->n_steps; k++)
    if (km->steps[k].n_event > 0)
      first = &km->steps[k];
  g_assert_nonnull (first);
  g_assert_cmpfloat (first->time, >, 2);     /* nobody had a booster on day 0 */
  g_assert_true (traj_cohort_chart_layout_get_plot_area (layout, 0, &r));
  y1 = traj_cohort_chart_layout_y_for (layout, 0, 1.0);
  y0 = traj_cohort_chart_layout_y_for (layout, 0, 0.0);
  x = traj_cohort_chart_layout_x_for (layout, 0, first->time / 2);
  g_assert_cmpfloat (y1, <, y0);
  g_assert_cmpfloat (y1, >=, r.y);
  g_assert_cmpfloat (y1, <, r.y + 10);
  g_assert_cmpfloat (y0, <=, r.y + r.height);
  g_assert_cmpfloat_with_epsilon (traj_cohort_chart_layout_x_for (layout, 0, 0), r.x, 1e-9);

  /* The curve leaves day 0 at S = 1, in the cohort's colour. */
  traj_chart_palette_init_print (&palette);
  traj_cohort_chart_series_color (0, &palette, &c);
  image_draw (&img, layout);
  p = image_at (&img, x, y1);
  g_assert_cmpuint (p >> 24, >, 0xc0);
  g_assert_cmpint (abs ((int) ((p >> 16) & 0xff) - (int) round (c.red * 255)), <=, 40);
  g_assert_cmpint (abs ((int) (p & 0xff) - (int) round (c.blue * 255)), <=, 40);
  /* … and nothing is drawn far below it before the first event but the band
   * (which is zero-height there). */
  g_assert_cmpuint (image_at (&img, x, y1 + 12) >> 24, ==, 0);
  image_clear (&img);
}

static void
test_chart_files (void)
{
  g_autoptr(TrajCohortReport) report = cohort_report (TRAJ_COHORT_FIELD_INDICATION, NULL);
  const char *names[] = { "c.png", "c.svg", "c.pdf" };
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = tmp_path ("c.txt");
  TrajCohortChartKind kind;

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autofree char *path = tmp_path (names[k]);
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (traj_cohort_chart_write_file (report, k == 2 ? TRAJ_COHORT_CHART_KM : TRAJ_COHORT_CHART_BY_WEEK,
                                                   path, 800, 500, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpuint (len, >, 1000);
      g_unlink (path);
    }
  g_assert_false (traj_cohort_chart_write_file (report, TRAJ_COHORT_CHART_KM, bad, 800, 500, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  g_assert_true (traj_cohort_chart_kind_from_string ("km", &kind));
  g_assert_cmpint (kind, ==, TRAJ_COHORT_CHART_KM);
  g_assert_true (traj_cohort_chart_kind_from_string ("trajectory-by-week", &kind));
  g_assert_cmpint (kind, ==, TRAJ_COHORT_CHART_BY_WEEK);
  g_assert_cmpstr (traj_cohort_chart_kind_to_string (TRAJ_COHORT_CHART_BY_INFUSION), ==, "trajectory-by-infusion");
  g_assert_false (traj_cohort_chart_kind_from_string ("pie", &kind));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/report/patient-pdf", test_patient_pdf);
  g_test_add_func ("/report/paper-sizes", test_paper_sizes);
  g_test_add_func ("/report/page-api-matches-pdf", test_page_api_matches_pdf);
  g_test_add_func ("/report/patient-without-records", test_patient_without_records);
  g_test_add_func ("/report/cohort-one-page", test_cohort_one_page);
  g_test_add_func ("/report/callout-monitoring", test_callout_monitoring);
  g_test_add_func ("/report/item9-taken-back", test_item9_taken_back);
  g_test_add_func ("/report/course-sessions", test_course_sessions);
  g_test_add_func ("/report/header-indication-detail", test_header_indication_detail);
  g_test_add_func ("/report/callout-risk-flag", test_callout_risk_flag);
  g_test_add_func ("/report/findings-list-keeps-closed", test_findings_list_keeps_closed);
  g_test_add_func ("/cohort-chart/inside", test_chart_inside);
  g_test_add_func ("/cohort-chart/no-data", test_chart_no_data);
  g_test_add_func ("/cohort-chart/km-starts-at-one", test_km_starts_at_one);
  g_test_add_func ("/cohort-chart/files", test_chart_files);

  clinic_setup ();
  status = g_test_run ();
  clinic_teardown ();
  return status;
}
