/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cohort statistics on a small fixed clinic, every expected number worked out
 * by hand below. Courses start on Monday 6 Jan 2025 (day 0) unless said;
 * scores are taken at 09:00 and infusions start at 10:00 (TZ=Europe/London,
 * from tests/meson.build), so a score on an infusion day is before it.
 * Induction is 6 infusions on days 0, 2, 4, 7, 9, 11, so E = day 11.
 * The analysis is as of 20 Jun 2025.
 *
 *  course  patient        indication  route/medicine  first clinician  protocol
 *  A       P1 F, 30       depression  IV ketamine     Dr A             IV 6
 *  B       P2 M, 50       depression  IV ketamine     Dr B             IV 6
 *  C       P3 F, 70       depression  IV ketamine     Dr A             IV titrated
 *  D       P4 F, 40       depression  IM ketamine     Dr B             IM
 *  E       P5 M, 22       PTSD        IN esketamine   Dr A             Esk
 *  F       P1 (2nd)       depression  IV ketamine     Dr B             IV 6      starts 2 Jun 2025
 *  G       P6 other, 60   anxiety     (no infusion)   —                —
 *
 * PHQ-9 unless said (response ≤ B/2, remission ≤ 4):
 *  A  B 20 (day −2); days 2:16 4:12 7:9 9:8 11:7 | 14:6 40:4 60:9 75:12; booster day 80
 *  B  B 18; 2:15 4:14 7:12 9:11 11:10 | 18:10 35:9 70:15 95:16; ended day 100;
 *     a PHQ-9 draft on day 36 with item 9 = 1 (a safety finding)
 *  C  B 22; 3 infusions (days 0, 2, 4), 2:20 4:19 10:18; ended day 20 (dropout)
 *  D  B 16; 2:12 4:9 7:6 9:4 11:3 | 12:3 33:5 45:6 66:10 90:12; booster day 30;
 *     systolic 185 during infusion 2 (a monitoring event)
 *  E  PCL-5 B 50 (response ≤ 25, remission ≤ 32); | 13:30 39:24
 *  F  B 19 on 30 May, attached to no course (the engine gives it to A as a
 *     late follow-up and to F as its baseline); infusions 2 and 4 Jun; 4 Jun:15
 *  G  GAD-7, no infusion, no score. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "traj-test-db.h"
#include "traj-cohort.h"
#include "traj-medication.h"
#include "traj-demo.h"
#include "traj-outcomes.h"
#include "traj-scale.h"
#include "traj-store.h"

#define assert_near(a, b, eps) g_assert_cmpfloat_with_epsilon ((a), (b), (eps))

typedef struct {
  TrajStore *store;           /* NULL: records only, ids from a counter */
  GPtrArray *records;         /* TrajPatientRecords* */
  gint64 next_id;
  guint next_uid;
} Clinic;

static gint32
day0 (void)
{
  return traj_day_from_ymd (2025, 1, 6);
}

static gint64
as_of (void)
{
  return traj_time_from_day (traj_day_from_ymd (2025, 6, 20), 23, 0);
}

static char *
next_uid (Clinic *k)
{
  return g_strdup_printf ("00000000-0000-4000-8000-%012u", ++k->next_uid);
}

static TrajPatientRecords *
add_patient_detail (Clinic *k, const char *mrn, TrajSex sex, int age_at_day0, TrajIndication ind,
                    const char *detail)
{
  TrajPatientRecords *r = traj_patient_records_new ();
  TrajPatient *p = traj_patient_new ();

  p->indication_detail = g_strdup (detail);
  /* Issue 15: P2 used substances in the past, P3 does now, P5 never; the
   * others were not asked. */
  p->substance_use = g_str_equal (mrn, "P2") ? TRAJ_SUBSTANCE_USE_PAST
                     : g_str_equal (mrn, "P3") ? TRAJ_SUBSTANCE_USE_CURRENT
                     : g_str_equal (mrn, "P5") ? TRAJ_SUBSTANCE_USE_NONE
                     : TRAJ_SUBSTANCE_USE_UNKNOWN;

  p->uid = next_uid (k);
  p->mrn = g_strdup (mrn);
  p->name = g_strdup_printf ("Patient %s", mrn);
  p->sex = sex;
  p->indication = ind;
  /* born on 1 July, so the age is the same all of the first half of 2025 */
  p->birth_day = traj_day_from_ymd (2024 - age_at_day0, 7, 1);
  if (k->store)
    g_assert_true (traj_store_insert_patient (k->store, p, NULL));
  else
    p->id = k->next_id++;
  r->patient = p;
  g_ptr_array_add (k->records, r);
  return r;
}

static TrajPatientRecords *
add_patient (Clinic *k, const char *mrn, TrajSex sex, int age_at_day0, TrajIndication ind)
{
  return add_patient_detail (k, mrn, sex, age_at_day0, ind, NULL);
}

static TrajCourse *
add_course_detail (Clinic *k, TrajPatientRecords *r, TrajIndication ind, const char *detail, TrajScaleId scale,
                   gint32 start, const char *protocol, TrajCourseStatus status, int end_offset)
{
  TrajCourse *c = traj_course_new ();

  c->indication_detail = g_strdup (detail);

  c->uid = next_uid (k);
  c->patient_id = r->patient->id;
  c->indication = ind;
  c->primary_scale = scale;
  c->protocol = g_strdup (protocol ? protocol : "");
  c->induction_length = 6;
  c->start_day = start;
  c->end_day = end_offset >= 0 ? start + end_offset : TRAJ_DAY_NONE;
  c->status = status;
  if (k->store)
    g_assert_true (traj_store_insert_course (k->store, c, NULL));
  else
    c->id = k->next_id++;
  g_ptr_array_add (r->courses, c);
  return c;
}

static TrajCourse *
add_course (Clinic *k, TrajPatientRecords *r, TrajIndication ind, TrajScaleId scale, gint32 start,
            const char *protocol, TrajCourseStatus status, int end_offset)
{
  return add_course_detail (k, r, ind, NULL, scale, start, protocol, status, end_offset);
}

static TrajInfusion *
add_infusion (Clinic *k, TrajPatientRecords *r, const TrajCourse *c, int offset, TrajRoute route,
              TrajPhase phase, const char *clinician, int systolic)
{
  TrajInfusion *i = traj_infusion_new ();
  g_autoptr(GError) error = NULL;

  i->uid = next_uid (k);
  i->patient_id = r->patient->id;
  i->course_id = c->id;
  i->started_at = traj_time_from_day (c->start_day + offset, 10, 0);
  i->route = route;
  i->phase = phase;
  i->clinician = g_strdup (clinician);
  if (route == TRAJ_ROUTE_INTRANASAL)
    {
      i->medicine = TRAJ_MEDICINE_ESKETAMINE;
      i->total_mg = 56;
      i->duration_min = 5;
    }
  else
    {
      i->medicine = TRAJ_MEDICINE_KETAMINE;
      i->weight_kg = 70;
      i->dose_mg_per_kg = 0.5;
      i->total_mg = 35;
      i->duration_min = 40;
    }
  i->monitoring_min = 60;
  if (systolic > 0)
    {
      TrajVitalSign *v = traj_vital_sign_new (40);
      v->uid = next_uid (k);
      v->systolic = systolic;
      v->diastolic = 100;
      g_ptr_array_add (i->vitals, v);
    }
  if (k->store)
    {
      traj_store_insert_infusion (k->store, i, &error);
      g_assert_no_error (error);
    }
  else
    i->id = k->next_id++;
  g_ptr_array_add (r->infusions, i);
  return i;
}

/* A complete questionnaire with the given total, spread over its items. */
static TrajAssessment *
add_score (Clinic *k, TrajPatientRecords *r, gint64 course_id, TrajScaleId scale, gint32 day, int total)
{
  const TrajScale *s = traj_scale_get (scale);
  TrajAssessment *a = traj_assessment_new (scale);
  g_autoptr(GError) error = NULL;
  int left = total;

  a->uid = next_uid (k);
  a->patient_id = r->patient->id;
  a->course_id = course_id;
  a->taken_at = traj_time_from_day (day, 9, 0);
  if (s->n_items == 0)
    {
      a->total = total;   /* a typed total (MADRS, Y-BOCS) */
      left = 0;
    }
  for (guint j = 0; j < s->n_items; j++)
    {
      /* never on PHQ-9 item 9: that would be a safety finding */
      int v = scale == TRAJ_SCALE_PHQ9 && j == TRAJ_PHQ9_ITEM9 ? 0 : MIN (left, s->item_max);
      a->items[j] = v;
      left -= v;
    }
  g_assert_cmpint (left, ==, 0);
  traj_assessment_rescore (a);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, total);
  if (k->store)
    {
      traj_store_insert_assessment (k->store, a, &error);
      g_assert_no_error (error);
    }
  else
    a->id = k->next_id++;
  g_ptr_array_add (r->assessments, a);
  return a;
}

static void
add_item9_draft (Clinic *k, TrajPatientRecords *r, gint64 course_id, gint32 day)
{
  TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);

  a->uid = next_uid (k);
  a->patient_id = r->patient->id;
  a->course_id = course_id;
  a->taken_at = traj_time_from_day (day, 9, 0);
  for (guint j = 1; j < 9; j++)
    a->items[j] = 1;
  traj_assessment_rescore (a);
  g_assert_false (a->complete);
  if (k->store)
    g_assert_true (traj_store_insert_assessment (k->store, a, NULL));
  else
    a->id = k->next_id++;
  g_ptr_array_add (r->assessments, a);
}

static void
add_induction (Clinic *k, TrajPatientRecords *r, const TrajCourse *c, guint n, TrajRoute route,
               const char *clinician, int systolic_at_2)
{
  static const int days[] = { 0, 2, 4, 7, 9, 11 };

  for (guint j = 0; j < n; j++)
    add_infusion (k, r, c, days[j], route, TRAJ_PHASE_INDUCTION, j == 0 ? clinician : "Nurse N",
                  j == 1 ? systolic_at_2 : -1);
}

static void
add_scores (Clinic *k, TrajPatientRecords *r, const TrajCourse *c, const int *pairs, guint n)
{
  for (guint j = 0; j < n; j += 2)
    add_score (k, r, c->id, c->primary_scale, c->start_day + pairs[j], pairs[j + 1]);
}

/* A medicine on @r's list, taken from @start to @stop (TRAJ_DAY_NONE:
 * not known / still taken). */
static void
add_medication (Clinic *k, TrajPatientRecords *r, TrajMedClass klass, const char *name, gint32 start, gint32 stop)
{
  TrajMedication *m = traj_medication_new ();

  m->uid = next_uid (k);
  m->patient_id = r->patient->id;
  m->klass = klass;
  m->name = g_strdup (name);
  m->dose = g_strdup ("");
  m->start_day = start;
  m->stop_day = stop;
  if (k->store)
    g_assert_true (traj_store_insert_medication (k->store, m, NULL));
  else
    m->id = k->next_id++;
  g_ptr_array_add (r->medications, m);
}

static void
clinic_build (Clinic *k, TrajStore *store)
{
  TrajPatientRecords *p1, *p2, *p3, *p4, *p5, *p6;
  TrajCourse *a, *b, *c, *d, *e, *f;
  gint32 d0 = day0 ();
  const int a_scores[] = { -2, 20, 2, 16, 4, 12, 7, 9, 9, 8, 11, 7, 14, 6, 40, 4, 60, 9, 75, 12 };
  const int b_scores[] = { -2, 18, 2, 15, 4, 14, 7, 12, 9, 11, 11, 10, 18, 10, 35, 9, 70, 15, 95, 16 };
  const int c_scores[] = { -2, 22, 2, 20, 4, 19, 10, 18 };
  const int d_scores[] = { -2, 16, 2, 12, 4, 9, 7, 6, 9, 4, 11, 3, 12, 3, 33, 5, 45, 6, 66, 10, 90, 12 };
  const int e_scores[] = { -2, 50, 13, 30, 39, 24 };

  memset (k, 0, sizeof *k);
  k->store = store;
  k->records = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free);
  k->next_id = 1;

  p1 = add_patient (k, "P1", TRAJ_SEX_FEMALE, 30, TRAJ_INDICATION_DEPRESSION);
  a = add_course_detail (k, p1, TRAJ_INDICATION_DEPRESSION, "trd", TRAJ_SCALE_PHQ9, d0, "IV 6", TRAJ_COURSE_ENDED, 140);
  add_induction (k, p1, a, 6, TRAJ_ROUTE_IV, "Dr A", -1);
  add_infusion (k, p1, a, 80, TRAJ_ROUTE_IV, TRAJ_PHASE_BOOSTER, "Dr A", -1);
  add_scores (k, p1, a, a_scores, G_N_ELEMENTS (a_scores));

  p2 = add_patient (k, "P2", TRAJ_SEX_MALE, 50, TRAJ_INDICATION_DEPRESSION);
  b = add_course (k, p2, TRAJ_INDICATION_DEPRESSION, TRAJ_SCALE_PHQ9, d0, "IV 6", TRAJ_COURSE_ENDED, 100);
  add_induction (k, p2, b, 6, TRAJ_ROUTE_IV, "Dr B", -1);
  add_scores (k, p2, b, b_scores, G_N_ELEMENTS (b_scores));
  add_item9_draft (k, p2, b->id, d0 + 36);

  p3 = add_patient (k, "P3", TRAJ_SEX_FEMALE, 70, TRAJ_INDICATION_DEPRESSION);
  c = add_course (k, p3, TRAJ_INDICATION_DEPRESSION, TRAJ_SCALE_PHQ9, d0, "IV titrated", TRAJ_COURSE_ENDED, 20);
  add_induction (k, p3, c, 3, TRAJ_ROUTE_IV, "Dr A", -1);
  add_scores (k, p3, c, c_scores, G_N_ELEMENTS (c_scores));

  p4 = add_patient_detail (k, "P4", TRAJ_SEX_FEMALE, 40, TRAJ_INDICATION_DEPRESSION, "postpartum");
  d = add_course (k, p4, TRAJ_INDICATION_DEPRESSION, TRAJ_SCALE_PHQ9, d0, "IM", TRAJ_COURSE_MAINTENANCE, -1);
  add_induction (k, p4, d, 6, TRAJ_ROUTE_IM, "Dr B", 185);
  add_infusion (k, p4, d, 30, TRAJ_ROUTE_IM, TRAJ_PHASE_BOOSTER, "Dr B", -1);
  add_scores (k, p4, d, d_scores, G_N_ELEMENTS (d_scores));

  p5 = add_patient (k, "P5", TRAJ_SEX_MALE, 22, TRAJ_INDICATION_PTSD);
  e = add_course (k, p5, TRAJ_INDICATION_PTSD, TRAJ_SCALE_PCL5, d0, "Esk", TRAJ_COURSE_MAINTENANCE, -1);
  add_induction (k, p5, e, 6, TRAJ_ROUTE_INTRANASAL, "Dr A", -1);
  add_scores (k, p5, e, e_scores, G_N_ELEMENTS (e_scores));

  /* P1's second course: A ends on day 140 (26 May), F starts on 2 Jun. */
  f = add_course (k, p1, TRAJ_INDICATION_DEPRESSION, TRAJ_SCALE_PHQ9, traj_day_from_ymd (2025, 6, 2), "IV 6",
                  TRAJ_COURSE_INDUCTION, -1);
  add_induction (k, p1, f, 2, TRAJ_ROUTE_IV, "Dr B", -1);
  add_score (k, p1, 0, TRAJ_SCALE_PHQ9, traj_day_from_ymd (2025, 5, 30), 19);
  add_score (k, p1, f->id, TRAJ_SCALE_PHQ9, f->start_day + 2, 15);

  p6 = add_patient (k, "P6", TRAJ_SEX_OTHER, 60, TRAJ_INDICATION_ANXIETY);
  add_course (k, p6, TRAJ_INDICATION_ANXIETY, TRAJ_SCALE_GAD7, d0, "", TRAJ_COURSE_INDUCTION, -1);

  /* CLINICAL.md §8 medicines (only the "at course start" groups read them):
   * P1 stopped lorazepam the day before A started and began lamotrigine
   * between A and F (1 Jun, F starts 2 Jun); P2 began clonazepam on B's
   * start day; P3's alprazolam has no known start; P4 began diazepam five
   * days after D started and took her last lamotrigine on D's start day;
   * P5's sertraline is no benzodiazepine. */
  add_medication (k, p1, TRAJ_MED_CLASS_BENZODIAZEPINE, "Lorazepam", d0 - 100, d0 - 1);
  add_medication (k, p1, TRAJ_MED_CLASS_LAMOTRIGINE, "Lamotrigine", traj_day_from_ymd (2025, 6, 1), TRAJ_DAY_NONE);
  add_medication (k, p2, TRAJ_MED_CLASS_BENZODIAZEPINE, "Clonazepam", d0, TRAJ_DAY_NONE);
  add_medication (k, p3, TRAJ_MED_CLASS_BENZODIAZEPINE, "Alprazolam", TRAJ_DAY_NONE, TRAJ_DAY_NONE);
  add_medication (k, p4, TRAJ_MED_CLASS_BENZODIAZEPINE, "Diazepam", d0 + 5, TRAJ_DAY_NONE);
  add_medication (k, p4, TRAJ_MED_CLASS_LAMOTRIGINE, "Lamotrigine", d0 - 30, d0);
  add_medication (k, p5, TRAJ_MED_CLASS_ANTIDEPRESSANT, "Sertraline", d0 - 300, TRAJ_DAY_NONE);
}

static void
clinic_clear (Clinic *k)
{
  g_clear_pointer (&k->records, g_ptr_array_unref);
}

static TrajCohortReport *
clinic_report (Clinic *k, const TrajCohortDefinition *def)
{
  GPtrArray *courses = g_ptr_array_new ();
  TrajThresholds t;

  traj_thresholds_init_defaults (&t);
  for (guint j = 0; j < k->records->len; j++)
    traj_cohort_collect_courses (g_ptr_array_index (k->records, j), &t, def->scale, as_of (), courses);
  return traj_cohort_report_new (courses, def, &t, as_of ());
}

static const TrajCohort *
cohort (const TrajCohortReport *report, const char *key)
{
  for (guint j = 0; j < report->cohorts->len; j++)
    {
      const TrajCohort *h = g_ptr_array_index (report->cohorts, j);
      if (g_str_equal (h->key, key))
        return h;
    }
  g_assert_not_reached ();
  return NULL;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The MRNs behind a cohort's courses, "P1,P1,P2", sorted. */
static char *
members (const TrajCohort *h)
{
  g_autoptr(GPtrArray) mrns = g_ptr_array_new ();

  for (guint j = 0; j < h->courses->len; j++)
    g_ptr_array_add (mrns, ((const TrajCohortCourse *) g_ptr_array_index (h->courses, j))->mrn);
  g_ptr_array_sort (mrns, compare_strings);
  g_ptr_array_add (mrns, NULL);
  return g_strjoinv (",", (char **) mrns->pdata);
}

static void
assert_rate (const TrajCohortRate *r, guint events, guint n, guint excluded, double lo, double hi)
{
  g_assert_cmpuint (r->events, ==, events);
  g_assert_cmpuint (r->n, ==, n);
  g_assert_cmpuint (r->excluded, ==, excluded);
  if (n == 0)
    {
      g_assert_true (isnan (r->rate) && isnan (r->lower) && isnan (r->upper));
      return;
    }
  assert_near (r->rate, (double) events / n, 1e-12);
  assert_near (r->lower, lo, 1e-7);
  assert_near (r->upper, hi, 1e-7);
}

static void
assert_mean (const TrajMeanCI *m, guint n, double mean, double sd, double lo, double hi)
{
  g_assert_cmpuint (m->n, ==, n);
  assert_near (m->mean, mean, 1e-7);
  assert_near (m->sd, sd, 1e-7);
  assert_near (m->lower, lo, 1e-7);
  assert_near (m->upper, hi, 1e-7);
}

static const TrajCohortPoint *
point (GArray *points, int x)
{
  for (guint j = 0; j < points->len; j++)
    if (g_array_index (points, TrajCohortPoint, j).x == x)
      return &g_array_index (points, TrajCohortPoint, j);
  return NULL;
}

static void
test_statistics (void)
{
  Clinic k;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  const TrajCohort *dep, *ptsd, *anx;
  g_auto(GStrv) notes = NULL;

  clinic_build (&k, NULL);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  report = clinic_report (&k, def);

  /* One cohort per indication found, in the enum's order. */
  g_assert_cmpuint (report->cohorts->len, ==, 3);
  g_assert_cmpstr (((TrajCohort *) g_ptr_array_index (report->cohorts, 0))->key, ==, "depression");
  g_assert_cmpstr (((TrajCohort *) g_ptr_array_index (report->cohorts, 1))->key, ==, "ptsd");
  g_assert_cmpstr (((TrajCohort *) g_ptr_array_index (report->cohorts, 2))->key, ==, "anxiety");
  dep = cohort (report, "depression");
  ptsd = cohort (report, "ptsd");
  anx = cohort (report, "anxiety");

  /* The unit is the course: P1 counts twice (A and F). */
  g_assert_cmpuint (dep->n_courses, ==, 5);
  g_assert_cmpuint (dep->n_patients, ==, 4);
  g_assert_true (dep->small);
  g_assert_cmpint (dep->scale, ==, TRAJ_SCALE_PHQ9);
  g_assert_false (dep->mixed_scales);

  /* Baselines 20 18 22 16 19: mean 19, Σd² = 1+1+9+9+0 = 20, SD = √5,
   * half = t(.975, 4)·√5/√5 = 2.7764451 */
  assert_mean (&dep->baseline, 5, 19.0, 2.2360680, 16.2235549, 21.7764451);
  /* EOI − baseline: A 6−20 = −14, B 10−18 = −8, D 3−16 = −13 (C dropped out,
   * F is still in induction): mean −11.6667, SD 3.2145503, half
   * t(.975, 2)·SD/√3 = 4.3026527·1.8559215 = 7.9853855 */
  assert_mean (&dep->change_eoi, 3, -11.6666667, 3.2145503, -19.6520522, -3.6812812);

  /* Response at EOI (A 6 ≤ 10 yes, B 10 ≤ 9 no, D 3 ≤ 8 yes): 2/3;
   * remission (≤ 4): D only, 1/3. Wilson: 2/3 → .2076596–.9385081,
   * 1/3 → .0614919–.7923404. */
  assert_rate (&dep->response[TRAJ_COHORT_AT_EOI], 2, 3, 0, 0.2076596, 0.9385081);
  assert_rate (&dep->remission[TRAJ_COHORT_AT_EOI], 1, 3, 0, 0.0614919, 0.7923404);
  /* Week 4 (target day 39 ± 7): A day 40: 4, B day 35: 9, D days 33 and 45
   * both 6 away, the earlier wins: 5. Response 3/3; remission A only. */
  assert_rate (&dep->response[TRAJ_COHORT_AT_WEEK_4], 3, 3, 0, 0.4385030, 1.0);
  assert_rate (&dep->remission[TRAJ_COHORT_AT_WEEK_4], 1, 3, 0, 0.0614919, 0.7923404);
  /* Week 8 (day 67 ± 7): A day 60: 9 (day 75 is 8 away), B day 70: 15,
   * D day 66: 10. Response A only; no remission. */
  assert_rate (&dep->response[TRAJ_COHORT_AT_WEEK_8], 1, 3, 0, 0.0614919, 0.7923404);
  assert_rate (&dep->remission[TRAJ_COHORT_AT_WEEK_8], 0, 3, 0, 0.0, 0.5614970);
  /* Week 12 (day 95 ± 7): A has none (left out, counted as excluded),
   * B day 95: 16, D day 90: 12. 0/2. */
  assert_rate (&dep->response[TRAJ_COHORT_AT_WEEK_12], 0, 2, 1, 0.0, 0.6576198);
  assert_rate (&dep->remission[TRAJ_COHORT_AT_WEEK_12], 0, 2, 1, 0.0, 0.6576198);

  /* First response after 3 infusions (A day 7, D day 7) and 6 (B day 35):
   * median 3; C and F never responded. */
  g_assert_cmpuint (dep->n_responders, ==, 3);
  g_assert_cmpfloat (dep->median_infusions_to_response, ==, 3.0);

  /* Completion: A, B, D completed; C stopped after 3 (course ended);
   * F is still in induction and left out: 3/4 → .3006418–.9544127. */
  assert_rate (&dep->completion, 3, 4, 1, 0.3006418, 0.9544127);

  /* Time to first booster from E (day 11): D day 30 → 19 (event), A day 80 →
   * 69 (event), B ended day 100 → censored at 89. S: 2/3 at 19, 1/3 at 69;
   * median 69. */
  g_assert_cmpuint (dep->booster->n, ==, 3);
  g_assert_cmpuint (dep->booster->n_events, ==, 2);
  g_assert_cmpuint (dep->booster->n_steps, ==, 3);
  g_assert_cmpfloat (dep->booster->steps[0].time, ==, 19);
  assert_near (dep->booster->steps[0].survival, 2.0 / 3.0, 1e-12);
  g_assert_cmpfloat (dep->booster->steps[1].time, ==, 69);
  assert_near (dep->booster->steps[1].survival, 1.0 / 3.0, 1e-12);
  g_assert_cmpfloat (dep->booster->steps[2].time, ==, 89);
  g_assert_cmpuint (dep->booster->steps[2].n_censor, ==, 1);
  g_assert_cmpfloat (dep->booster->median, ==, 69);

  /* Monitoring: one event (D, infusion 2) in 7+6+3+7+2 = 25 infusions:
   * 4 per 100, Wilson 1/25 → .0070962–.1954406. Safety: B's draft, 1/5. */
  assert_rate (&dep->monitoring, 1, 25, 0, 0.0070962, 0.1954406);
  assert_rate (&dep->safety, 1, 5, 0, 0.0362241, 0.6244654);

  /* Chart by infusion number: x = 0 the baselines (mean 19); x = 1 the score
   * before infusion 2: 16 15 20 12 15 → 15.6, SD 2.8809721; x = 6 the score
   * within 7 days after infusion 6: A 6, B 10, D 3 → 6.3333, SD 3.5118846. */
  assert_mean (&point (dep->by_infusion, 0)->mean, 5, 19.0, 2.2360680, 16.2235549, 21.7764451);
  assert_mean (&point (dep->by_infusion, 1)->mean, 5, 15.6, 2.8809721, 12.0228007, 19.1771993);
  assert_mean (&point (dep->by_infusion, 6)->mean, 3, 6.3333333, 3.5118846, -2.3906716, 15.0573383);
  /* By week: week 1 (days 1–7) the latest score: A 9, B 12, C 19, D 6,
   * F 15 → 12.2, SD 5.0695167. */
  assert_mean (&point (dep->by_week, 1)->mean, 5, 12.2, 5.0695167, 5.9053636, 18.4946364);

  /* PTSD: one course. EOI 30 > 25 (no response) but ≤ 32 (remission).
   * No booster: censored at its last record, day 39 → 28; median not
   * reached. */
  g_assert_cmpuint (ptsd->n_courses, ==, 1);
  g_assert_cmpint (ptsd->scale, ==, TRAJ_SCALE_PCL5);
  assert_rate (&ptsd->response[TRAJ_COHORT_AT_EOI], 0, 1, 0, 0.0, 0.7934507);
  assert_rate (&ptsd->remission[TRAJ_COHORT_AT_EOI], 1, 1, 0, 0.2065493, 1.0);
  assert_rate (&ptsd->response[TRAJ_COHORT_AT_WEEK_8], 0, 0, 1, 0, 0);
  g_assert_cmpuint (ptsd->booster->n, ==, 1);
  g_assert_cmpfloat (ptsd->booster->steps[0].time, ==, 28);
  g_assert_true (isnan (ptsd->booster->median));

  /* Anxiety: a course with nothing to measure says "no data", never 0. */
  g_assert_cmpuint (anx->n_courses, ==, 1);
  g_assert_cmpuint (anx->baseline.n, ==, 0);
  g_assert_true (isnan (anx->baseline.mean));
  assert_rate (&anx->completion, 0, 0, 1, 0, 0);
  assert_rate (&anx->response[TRAJ_COHORT_AT_EOI], 0, 0, 0, 0, 0);
  g_assert_true (isnan (anx->median_infusions_to_response));
  g_assert_cmpuint (anx->monitoring.n, ==, 0);
  {
    g_autofree char *s = traj_cohort_rate_format (&anx->completion);
    g_assert_cmpstr (s, ==, "no data");
  }

  notes = traj_cohort_notes (dep);
  g_assert_true (g_str_has_prefix (notes[0], "Small cohort: 5 courses"));
  clinic_clear (&k);
}

static void
test_mixed_scales (void)
{
  Clinic k;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  g_autoptr(TrajCohortReport) pcl5 = NULL;
  g_auto(GStrv) notes = NULL;
  const TrajCohort *all;

  clinic_build (&k, NULL);
  /* nine more anxiety courses that have not started: 16 courses in all */
  for (guint j = 0; j < 9; j++)
    {
      g_autofree char *mrn = g_strdup_printf ("Q%u", j);
      TrajPatientRecords *q = add_patient (&k, mrn, TRAJ_SEX_FEMALE, 33, TRAJ_INDICATION_ANXIETY);
      add_course (&k, q, TRAJ_INDICATION_ANXIETY, TRAJ_SCALE_GAD7, day0 (), "", TRAJ_COURSE_INDUCTION, -1);
    }
  report = clinic_report (&k, def);
  g_assert_cmpuint (report->cohorts->len, ==, 1);
  all = g_ptr_array_index (report->cohorts, 0);

  /* The most common scale is GAD-7 now (10 courses) but none has a score;
   * PHQ-9 has 5. Scores are averaged on one scale only; rates use all. */
  g_assert_cmpuint (all->n_courses, ==, 16);
  g_assert_cmpuint (all->n_patients, ==, 15);
  g_assert_false (all->small);
  g_assert_cmpint (all->scale, ==, TRAJ_SCALE_GAD7);
  g_assert_cmpuint (all->n_scale_courses, ==, 10);
  g_assert_true (all->mixed_scales);
  g_assert_cmpuint (all->baseline.n, ==, 0);
  g_assert_cmpuint (all->response[TRAJ_COHORT_AT_EOI].n, ==, 4);
  g_assert_cmpuint (all->response[TRAJ_COHORT_AT_EOI].events, ==, 2);
  notes = traj_cohort_notes (all);
  g_assert_nonnull (notes[0]);
  g_assert_true (g_str_has_prefix (notes[0], "Scores are GAD-7 only: 10 of 16 courses"));
  /* Not a small cohort, but these rates rest on fewer than 10 courses. */
  g_assert_nonnull (notes[1]);
  g_assert_true (g_str_has_prefix (notes[1], "Small numbers (fewer than 10 courses): response, End of induction (n = 4)"));
  g_clear_pointer (&notes, g_strfreev);

  /* Without them, PHQ-9 is the most common: 5 of 7. */
  clinic_clear (&k);
  clinic_build (&k, NULL);
  g_clear_pointer (&report, traj_cohort_report_free);
  report = clinic_report (&k, def);
  all = g_ptr_array_index (report->cohorts, 0);
  g_assert_true (all->small);
  g_assert_cmpint (all->scale, ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpuint (all->n_scale_courses, ==, 5);
  assert_near (all->baseline.mean, 19.0, 1e-12);
  notes = traj_cohort_notes (all);
  g_assert_true (g_str_has_prefix (notes[0], "Small cohort: 7 courses"));
  g_assert_true (g_str_has_prefix (notes[1], "Scores are PHQ-9 only: 5 of 7 courses"));

  /* The lead picks PCL-5: only E has it; the others count as courses with
   * no score on it ("no data" rather than a wrong scale). */
  clinic_clear (&k);
  clinic_build (&k, NULL);
  def->scale = TRAJ_SCALE_PCL5;
  pcl5 = clinic_report (&k, def);
  all = g_ptr_array_index (pcl5->cohorts, 0);
  g_assert_cmpuint (all->n_courses, ==, 7);
  g_assert_cmpint (all->scale, ==, TRAJ_SCALE_PCL5);
  g_assert_cmpuint (all->baseline.n, ==, 1);
  assert_near (all->baseline.mean, 50, 1e-12);
  g_assert_cmpuint (all->response[TRAJ_COHORT_AT_EOI].n, ==, 1);
  clinic_clear (&k);
}

/* Y-BOCS as the primary scale (CLINICAL.md §8): response is a score at most
 * 65 % of the baseline, remission at most 12. Three courses, six induction
 * infusions each, the end-of-induction score the first after infusion 6:
 *   X 20 → 13   13 ≤ 0.65 · 20 = 13: response (exactly 35 % down), 13 > 12
 *   Y 20 → 12   response and remission (exactly 12)
 *   Z 30 → 20   20 > 19.5: neither
 * Response 2/3 (Wilson .2076596–.9385081), remission 1/3 (.0614919–
 * .7923404); baseline mean 70 / 3; the scores are Y-BOCS, not mixed. With
 * the PHQ-9 fraction (50 %) X would not count: the fraction is per scale. */
static void
test_ybocs_primary (void)
{
  Clinic k;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  const int x_scores[] = { -2, 20, 4, 17, 12, 13 };
  const int y_scores[] = { -2, 20, 4, 16, 12, 12 };
  const int z_scores[] = { -2, 30, 4, 26, 12, 20 };
  const int *scores[] = { x_scores, y_scores, z_scores };
  const TrajCohort *all;

  memset (&k, 0, sizeof k);
  k.records = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free);
  k.next_id = 1;
  for (guint j = 0; j < G_N_ELEMENTS (scores); j++)
    {
      g_autofree char *mrn = g_strdup_printf ("O%u", j + 1);
      TrajPatientRecords *r = add_patient (&k, mrn, TRAJ_SEX_FEMALE, 35, TRAJ_INDICATION_OCD);
      TrajCourse *c = add_course (&k, r, TRAJ_INDICATION_OCD, TRAJ_SCALE_YBOCS, day0 (), "IV 6",
                                  TRAJ_COURSE_ENDED, 60);
      add_induction (&k, r, c, 6, TRAJ_ROUTE_IV, "Dr A", -1);
      add_scores (&k, r, c, scores[j], 6);
    }
  report = clinic_report (&k, def);
  g_assert_cmpuint (report->cohorts->len, ==, 1);
  all = g_ptr_array_index (report->cohorts, 0);
  g_assert_cmpuint (all->n_courses, ==, 3);
  g_assert_cmpint (all->scale, ==, TRAJ_SCALE_YBOCS);
  g_assert_false (all->mixed_scales);
  assert_near (all->baseline.mean, 70.0 / 3.0, 1e-12);
  assert_rate (&all->response[TRAJ_COHORT_AT_EOI], 2, 3, 0, 0.2076596, 0.9385081);
  assert_rate (&all->remission[TRAJ_COHORT_AT_EOI], 1, 3, 0, 0.0614919, 0.7923404);
  g_assert_cmpuint (all->n_responders, ==, 2);
  clinic_clear (&k);
}

static void
assert_members (const TrajCohortReport *report, guint index, const char *expected)
{
  g_autofree char *got = members (g_ptr_array_index (report->cohorts, index));
  g_assert_cmpstr (got, ==, expected);
}

/* CLINICAL.md §8: cohorts by indication detail. A's course says trd; D's
 * course says nothing but its patient says postpartum (same indication);
 * the rest give none. Groups in the table's order, "none" last. */
static void
test_indication_detail (void)
{
  Clinic k;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  const TrajCohort *h;

  clinic_build (&k, NULL);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION_DETAIL;
  report = clinic_report (&k, def);
  g_assert_cmpuint (report->cohorts->len, ==, 3);
  h = g_ptr_array_index (report->cohorts, 0);
  g_assert_cmpstr (h->key, ==, "trd");
  g_assert_cmpstr (h->label, ==, "Treatment-resistant depression");
  assert_members (report, 0, "P1");
  h = g_ptr_array_index (report->cohorts, 1);
  g_assert_cmpstr (h->key, ==, "postpartum");
  g_assert_cmpstr (h->label, ==, "Postpartum depression");
  assert_members (report, 1, "P4");
  h = g_ptr_array_index (report->cohorts, 2);
  g_assert_cmpstr (h->key, ==, "none");
  g_assert_cmpstr (h->label, ==, "No indication detail");
  assert_members (report, 2, "P1,P2,P3,P5,P6");
  g_assert_cmpstr (traj_cohort_field_to_string (TRAJ_COHORT_FIELD_INDICATION_DETAIL), ==, "indication_detail");
  clinic_clear (&k);
}

/* CLINICAL.md §8: cohorts by "benzodiazepine at course start" and
 * "lamotrigine at course start" (see clinic_build: a medicine stopped the
 * day before the start is "no", one started or last taken on the start
 * day "yes", an unknown start "yes"). "Yes" first. The same groups from
 * the store's narrow cohort read. */
static void
test_medication_at_start (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "cohort-medication.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  Clinic k;
  TrajThresholds t;

  traj_thresholds_init_defaults (&t);
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  clinic_build (&k, store);
  for (guint read = 0; read < 2; read++)
    {
      g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
      g_autoptr(TrajCohortReport) report = NULL;
      const TrajCohort *h;

      def->group_by = TRAJ_COHORT_FIELD_BENZODIAZEPINE;
      report = read == 0 ? clinic_report (&k, def) : traj_cohort_compute (store, def, &t, as_of (), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (report->cohorts->len, ==, 2);
      h = g_ptr_array_index (report->cohorts, 0);
      g_assert_cmpstr (h->key, ==, "yes");
      g_assert_cmpstr (h->label, ==, "Benzodiazepine at course start");
      assert_members (report, 0, "P2,P3");
      h = g_ptr_array_index (report->cohorts, 1);
      g_assert_cmpstr (h->key, ==, "no");
      g_assert_cmpstr (h->label, ==, "No benzodiazepine at course start");
      assert_members (report, 1, "P1,P1,P4,P5,P6");

      g_clear_pointer (&report, traj_cohort_report_free);
      def->group_by = TRAJ_COHORT_FIELD_LAMOTRIGINE;
      report = read == 0 ? clinic_report (&k, def) : traj_cohort_compute (store, def, &t, as_of (), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (report->cohorts->len, ==, 2);
      h = g_ptr_array_index (report->cohorts, 0);
      g_assert_cmpstr (h->label, ==, "Lamotrigine at course start");
      assert_members (report, 0, "P1,P4");
      h = g_ptr_array_index (report->cohorts, 1);
      g_assert_cmpstr (h->label, ==, "No lamotrigine at course start");
      assert_members (report, 1, "P1,P2,P3,P5,P6");

      /* Issue 15: by the patient's history of substance use; none, past,
       * current, then not recorded. */
      g_clear_pointer (&report, traj_cohort_report_free);
      def->group_by = TRAJ_COHORT_FIELD_SUBSTANCE_USE;
      report = read == 0 ? clinic_report (&k, def) : traj_cohort_compute (store, def, &t, as_of (), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (report->cohorts->len, ==, 4);
      h = g_ptr_array_index (report->cohorts, 0);
      g_assert_cmpstr (h->key, ==, "none");
      g_assert_cmpstr (h->label, ==, "No history of substance use");
      assert_members (report, 0, "P5");
      h = g_ptr_array_index (report->cohorts, 1);
      g_assert_cmpstr (h->label, ==, "Past substance use");
      assert_members (report, 1, "P2");
      h = g_ptr_array_index (report->cohorts, 2);
      g_assert_cmpstr (h->label, ==, "Current substance use");
      assert_members (report, 2, "P3");
      h = g_ptr_array_index (report->cohorts, 3);
      g_assert_cmpstr (h->key, ==, "unknown");
      g_assert_cmpstr (h->label, ==, "Substance use not recorded");
      assert_members (report, 3, "P1,P1,P4,P6");
    }
  g_assert_cmpstr (traj_cohort_field_to_string (TRAJ_COHORT_FIELD_SUBSTANCE_USE), ==, "substance_use");
  g_assert_cmpstr (traj_cohort_field_to_string (TRAJ_COHORT_FIELD_BENZODIAZEPINE), ==, "benzodiazepine_at_start");
  g_assert_cmpstr (traj_cohort_field_to_string (TRAJ_COHORT_FIELD_LAMOTRIGINE), ==, "lamotrigine_at_start");
  clinic_clear (&k);
}

/* Sets the CADSS total and lowest MOAA/S of the @index-th infusion (0-based)
 * of @course_id. */
static void
set_tolerability (TrajPatientRecords *r, gint64 course_id, guint index, int cadss, int moaas)
{
  for (guint k = 0, n = 0; k < r->infusions->len; k++)
    {
      TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      if (i->course_id != course_id || n++ != index)
        continue;
      i->cadss_total = cadss;
      i->moaas_lowest = moaas;
      return;
    }
  g_assert_not_reached ();
}

/* CLINICAL.md §8: mean CADSS and the share sedated (lowest MOAA/S ≤ 3) per
 * infusion number and over all infusions, hand-worked; and they never move
 * response, remission, completion or the score points.
 *   B (P2): #1 CADSS 30 MOAA/S 3 · #2 20/4 · #3 —/5
 *   C (P3): #1 10/4 · #2 —/— · #3 16/2
 *   D (P4): #4 0/0
 *   #1: CADSS 20.0 (30, 10), sedated 1 of 2 (3 yes, 4 no)
 *   #2: 20.0 (n 1), 0 of 1 · #3: 16.0 (n 1), 1 of 2 (5 no, 2 yes) · #4: 0 (n 1), 1 of 1
 *   all: CADSS (30+20+10+16+0)/5 = 15.2, sedated 3 of 6 = 0.5 */
static void
test_tolerability (void)
{
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) plain = NULL;
  g_autoptr(TrajCohortReport) report = NULL;
  g_autoptr(TrajTable) table = NULL;
  g_autofree char *csv = NULL;
  const TrajCohortTolerability *t;
  const TrajCohort *h, *h0;
  Clinic k;

  clinic_build (&k, NULL);
  plain = clinic_report (&k, def);
  h0 = g_ptr_array_index (plain->cohorts, 0);
  g_assert_cmpuint (h0->cadss.n, ==, 0);
  g_assert_cmpuint (h0->sedated.n, ==, 0);
  g_assert_cmpuint (h0->tolerability->len, ==, 0);

  {
    TrajPatientRecords *p2 = g_ptr_array_index (k.records, 1), *p3 = g_ptr_array_index (k.records, 2);
    TrajPatientRecords *p4 = g_ptr_array_index (k.records, 3);
    gint64 b = ((TrajCourse *) g_ptr_array_index (p2->courses, 0))->id;
    gint64 c = ((TrajCourse *) g_ptr_array_index (p3->courses, 0))->id;
    gint64 d = ((TrajCourse *) g_ptr_array_index (p4->courses, 0))->id;

    set_tolerability (p2, b, 0, 30, 3);
    set_tolerability (p2, b, 1, 20, 4);
    set_tolerability (p2, b, 2, -1, 5);
    set_tolerability (p3, c, 0, 10, 4);
    set_tolerability (p3, c, 2, 16, 2);
    set_tolerability (p4, d, 3, 0, 0);
  }
  report = clinic_report (&k, def);
  g_assert_cmpuint (report->cohorts->len, ==, 1);
  h = g_ptr_array_index (report->cohorts, 0);

  g_assert_cmpuint (h->cadss.n, ==, 5);
  assert_near (h->cadss.mean, 15.2, 1e-9);
  g_assert_cmpuint (h->sedated.n, ==, 6);
  g_assert_cmpuint (h->sedated.events, ==, 3);
  assert_near (h->sedated.rate, 0.5, 1e-12);
  g_assert_cmpuint (h->tolerability->len, ==, 4);
  t = &g_array_index (h->tolerability, TrajCohortTolerability, 0);
  g_assert_cmpint (t->infusion, ==, 1);
  g_assert_cmpuint (t->cadss.n, ==, 2);
  assert_near (t->cadss.mean, 20.0, 1e-12);
  g_assert_cmpuint (t->sedated.n, ==, 2);
  g_assert_cmpuint (t->sedated.events, ==, 1);
  t = &g_array_index (h->tolerability, TrajCohortTolerability, 1);
  g_assert_cmpint (t->infusion, ==, 2);
  g_assert_cmpuint (t->cadss.n, ==, 1);
  assert_near (t->cadss.mean, 20.0, 1e-12);
  g_assert_cmpuint (t->sedated.n, ==, 1);
  g_assert_cmpuint (t->sedated.events, ==, 0);
  t = &g_array_index (h->tolerability, TrajCohortTolerability, 2);
  g_assert_cmpint (t->infusion, ==, 3);
  assert_near (t->cadss.mean, 16.0, 1e-12);
  g_assert_cmpuint (t->sedated.n, ==, 2);
  g_assert_cmpuint (t->sedated.events, ==, 1);
  t = &g_array_index (h->tolerability, TrajCohortTolerability, 3);
  g_assert_cmpint (t->infusion, ==, 4);
  assert_near (t->cadss.mean, 0.0, 1e-12);
  g_assert_cmpuint (t->sedated.events, ==, 1);

  /* Never an outcome: response, remission, completion, change and the
   * score points are those of the clinic without them. */
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      g_assert_cmpuint (h->response[tp].n, ==, h0->response[tp].n);
      g_assert_cmpuint (h->response[tp].events, ==, h0->response[tp].events);
      g_assert_cmpuint (h->remission[tp].n, ==, h0->remission[tp].n);
      g_assert_cmpuint (h->remission[tp].events, ==, h0->remission[tp].events);
    }
  g_assert_cmpuint (h->completion.events, ==, h0->completion.events);
  g_assert_cmpuint (h->n_responders, ==, h0->n_responders);
  assert_near (h->change_eoi.mean, h0->change_eoi.mean, 1e-12);
  g_assert_cmpuint (h->by_infusion->len, ==, h0->by_infusion->len);
  for (guint j = 0; j < h->by_infusion->len; j++)
    assert_near (g_array_index (h->by_infusion, TrajCohortPoint, j).mean.mean,
                 g_array_index (h0->by_infusion, TrajCohortPoint, j).mean.mean, 1e-12);

  /* The table the command line writes (--table tolerability). */
  table = traj_cohort_report_tolerability_table (report);
  csv = traj_table_to_string (table, TRAJ_FORMAT_CSV);
  g_assert_true (g_str_has_prefix (csv, "cohort,cohort_key,infusion,cadss_n,cadss_mean,"));
  g_assert_nonnull (strstr (csv, ",3,1,16.000,"));
  clinic_clear (&k);
}

/* A medicine's class from its name as typed. */
static void
test_medication_class_from_name (void)
{
  const struct { const char *name; TrajMedClass klass; } known[] = {
    { "Lamotrigine", TRAJ_MED_CLASS_LAMOTRIGINE },
    { "  lamotrigine 100 mg twice daily", TRAJ_MED_CLASS_LAMOTRIGINE },
    { "LORAZEPAM", TRAJ_MED_CLASS_BENZODIAZEPINE },
    { "Xanax XR", TRAJ_MED_CLASS_BENZODIAZEPINE },
    { "Zolpidem", TRAJ_MED_CLASS_Z_DRUG },
    { "Phenelzine", TRAJ_MED_CLASS_MAOI },
    { "Lisdexamfetamine", TRAJ_MED_CLASS_PSYCHOSTIMULANT },
    { "Tramadol", TRAJ_MED_CLASS_OPIOID },
    { "Sertraline", TRAJ_MED_CLASS_ANTIDEPRESSANT },
    { "Quetiapine", TRAJ_MED_CLASS_ANTIPSYCHOTIC },
    { "Lithium carbonate", TRAJ_MED_CLASS_LITHIUM },
  };
  TrajMedClass k = TRAJ_MED_CLASS_OTHER;

  for (guint j = 0; j < G_N_ELEMENTS (known); j++)
    {
      g_assert_true (traj_med_class_from_name (known[j].name, &k));
      g_assert_cmpint (k, ==, known[j].klass);
    }
  g_assert_false (traj_med_class_from_name ("Herbal tea", &k));
  g_assert_false (traj_med_class_from_name ("Lamotrig", &k));      /* a whole word only */
  g_assert_false (traj_med_class_from_name ("", &k));
  g_assert_false (traj_med_class_from_name ("100 mg", &k));
  g_assert_false (traj_med_class_from_name (NULL, &k));
}

/* CLINICAL.md §8: what the list means for a day, an infusion and a course. */
static void
test_medication_rules (void)
{
  g_autoptr(TrajPatientRecords) r = traj_patient_records_new ();
  g_autoptr(TrajCourse) course = traj_course_new ();
  g_autoptr(GPtrArray) notes = NULL;
  gint32 d = traj_day_from_ymd (2026, 3, 2);
  TrajMedication *benzo = traj_medication_new (), *zolpidem, *lamo, *mao, *ssri;

  benzo->name = g_strdup ("Lorazepam");
  benzo->klass = TRAJ_MED_CLASS_BENZODIAZEPINE;
  benzo->start_day = d - 10;
  benzo->stop_day = d;
  /* the stop day is the last day taken */
  g_assert_false (traj_medication_active_on (benzo, d - 11));
  g_assert_true (traj_medication_active_on (benzo, d - 10));
  g_assert_true (traj_medication_active_on (benzo, d));
  g_assert_false (traj_medication_active_on (benzo, d + 1));
  g_assert_true (traj_medication_active_during (benzo, d, d + 30));
  g_assert_false (traj_medication_active_during (benzo, d + 1, d + 30));
  g_ptr_array_add (r->medications, benzo);
  zolpidem = traj_medication_copy (benzo);
  g_free (zolpidem->name);
  zolpidem->name = g_strdup ("Zolpidem");
  zolpidem->klass = TRAJ_MED_CLASS_Z_DRUG;
  zolpidem->start_day = TRAJ_DAY_NONE;    /* since before it was recorded */
  zolpidem->stop_day = TRAJ_DAY_NONE;
  g_assert_true (traj_medication_active_on (zolpidem, traj_day_from_ymd (1990, 1, 1)));
  g_ptr_array_add (r->medications, zolpidem);
  lamo = traj_medication_new ();
  lamo->name = g_strdup ("Lamictal");
  lamo->klass = TRAJ_MED_CLASS_LAMOTRIGINE;
  lamo->start_day = d + 20;
  g_ptr_array_add (r->medications, lamo);
  mao = traj_medication_new ();
  mao->name = g_strdup ("Phenelzine");
  mao->klass = TRAJ_MED_CLASS_MAOI;
  mao->start_day = d + 100;               /* after the course ended */
  g_ptr_array_add (r->medications, mao);
  ssri = traj_medication_new ();
  ssri->name = g_strdup ("Sertraline");
  ssri->klass = TRAJ_MED_CLASS_ANTIDEPRESSANT;
  g_ptr_array_add (r->medications, ssri);

  /* The infusion form's answers: lorazepam and zolpidem on day d, only
   * zolpidem the day after; lamotrigine and sertraline are no answer. */
  g_assert_cmphex (traj_medications_concomitant_on (r, d), ==,
                   TRAJ_CONCOMITANT_BENZODIAZEPINE | TRAJ_CONCOMITANT_SEDATIVE);
  g_assert_cmphex (traj_medications_concomitant_on (r, d + 25), ==, TRAJ_CONCOMITANT_SEDATIVE);
  g_assert_true (traj_medications_class_on (r, TRAJ_MED_CLASS_BENZODIAZEPINE, d));
  g_assert_false (traj_medications_class_on (r, TRAJ_MED_CLASS_BENZODIAZEPINE, d + 1));
  g_assert_true (traj_medications_class_on (r, TRAJ_MED_CLASS_LAMOTRIGINE, d + 20));
  g_assert_false (traj_medications_class_on (r, TRAJ_MED_CLASS_LAMOTRIGINE, d + 19));

  /* A course from d to d + 60: lorazepam (its last day is the first of the
   * course), zolpidem and lamotrigine have notes; the MAOI came later, the
   * SSRI has none. */
  course->start_day = d;
  course->end_day = d + 60;
  notes = traj_course_medication_notes (r, course, d + 200);
  g_assert_cmpuint (notes->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (notes, 0), ==,
                   "Lorazepam (benzodiazepine) might reduce the response to ketamine (Frye 2015; Albott 2017) "
                   "and adds to sedation.");
  g_assert_cmpstr (g_ptr_array_index (notes, 1), ==, "Zolpidem (z-drug) adds to sedation with ketamine.");
  g_assert_cmpstr (g_ptr_array_index (notes, 2), ==,
                   "Lamictal (lamotrigine) might reduce the response to ketamine (Anand 2000).");
  g_clear_pointer (&notes, g_ptr_array_unref);
  /* Open: the course runs to today, which takes in the MAOI. */
  course->end_day = TRAJ_DAY_NONE;
  notes = traj_course_medication_notes (r, course, d + 200);
  g_assert_cmpuint (notes->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (notes, 3), ==, "Phenelzine (MAOI) adds to the blood-pressure risk of ketamine.");
  g_clear_pointer (&notes, g_ptr_array_unref);

  /* Issue 15: a history of substance use, past or current, notes every
   * course after the medicines; none or not recorded gives no note. */
  r->patient = traj_patient_new ();
  for (TrajSubstanceUse use = 0; use < TRAJ_N_SUBSTANCE_USES; use++)
    {
      r->patient->substance_use = use;
      notes = traj_course_medication_notes (r, course, d + 200);
      if (use == TRAJ_SUBSTANCE_USE_PAST || use == TRAJ_SUBSTANCE_USE_CURRENT)
        {
          g_assert_cmpuint (notes->len, ==, 5);
          g_assert_cmpstr (g_ptr_array_index (notes, 4), ==,
                           use == TRAJ_SUBSTANCE_USE_PAST
                             ? "A past history of substance use might reduce the response to ketamine."
                             : "Current substance use might reduce the response to ketamine.");
        }
      else
        g_assert_cmpuint (notes->len, ==, 4);
      g_clear_pointer (&notes, g_ptr_array_unref);
    }
  /* The note needs no medicine on the list. */
  g_ptr_array_set_size (r->medications, 0);
  r->patient->substance_use = TRAJ_SUBSTANCE_USE_PAST;
  notes = traj_course_medication_notes (r, course, d + 200);
  g_assert_cmpuint (notes->len, ==, 1);
}

static void
test_filters (void)
{
  Clinic k;
  g_autoptr(TrajCohortDefinition) base = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  const char *dr_b[] = { "dr b", NULL };
  const char *iv6[] = { "IV 6", NULL };

  clinic_build (&k, NULL);
  report = clinic_report (&k, base);
  assert_members (report, 0, "P1,P1,P2,P3,P4,P5,P6");

  /* Each criterion alone, then some together. */
#define CHECK(setup, expected) \
  G_STMT_START { \
    g_autoptr(TrajCohortDefinition) d = traj_cohort_definition_new (); \
    g_autoptr(TrajCohortReport) r = NULL; \
    TrajCohortFilter *f = &d->filter; \
    setup; \
    r = traj_cohort_report_regroup (report, d); \
    assert_members (r, 0, expected); \
  } G_STMT_END

  /* route of the first infusion: G has none and so matches no route */
  CHECK (f->routes = 1u << TRAJ_ROUTE_IV, "P1,P1,P2,P3");
  CHECK (f->routes = 1u << TRAJ_ROUTE_IM | 1u << TRAJ_ROUTE_INTRANASAL, "P4,P5");
  CHECK (f->medicines = 1u << TRAJ_MEDICINE_ESKETAMINE, "P5");
  CHECK (f->indications = 1u << TRAJ_INDICATION_PTSD | 1u << TRAJ_INDICATION_ANXIETY, "P5,P6");
  CHECK (f->sexes = 1u << TRAJ_SEX_FEMALE, "P1,P1,P3,P4");
  /* age at the course's start: P1 is 30 at both of hers */
  CHECK (f->age_bands = 1u << TRAJ_AGE_BAND_25_34, "P1,P1");
  CHECK (f->age_bands = 1u << TRAJ_AGE_BAND_65_PLUS | 1u << TRAJ_AGE_BAND_UNDER_25, "P3,P5");
  /* protocol labels ignore ASCII case */
  CHECK (f->protocols = g_strdupv ((char **) iv6), "P1,P1,P2");
  /* clinician of the first infusion: F's first was Dr B, A's Dr A */
  CHECK (f->clinicians = g_strdupv ((char **) dr_b), "P1,P2,P4");
  CHECK ((f->clinicians = g_strdupv ((char **) dr_b), f->routes = 1u << TRAJ_ROUTE_IV), "P1,P2");
  /* course start range, inclusive */
  CHECK (f->start_from = traj_day_from_ymd (2025, 6, 2), "P1");
  CHECK ((f->start_from = traj_day_from_ymd (2025, 1, 1), f->start_to = traj_day_from_ymd (2025, 6, 1)),
         "P1,P2,P3,P4,P5,P6");
  CHECK (f->start_to = traj_day_from_ymd (2025, 1, 5), "");
#undef CHECK

  /* Hand-made cohorts, each limited by the common filter too. */
  {
    g_autoptr(TrajCohortDefinition) d = traj_cohort_definition_new ();
    g_autoptr(TrajCohortReport) r = NULL;
    TrajCohortFilter *iv, *other;

    d->filter.indications = 1u << TRAJ_INDICATION_DEPRESSION;
    iv = traj_cohort_definition_add (d, "IV");
    iv->routes = 1u << TRAJ_ROUTE_IV;
    other = traj_cohort_definition_add (d, NULL);
    other->routes = 1u << TRAJ_ROUTE_IM | 1u << TRAJ_ROUTE_INTRANASAL;
    r = traj_cohort_report_regroup (report, d);
    g_assert_cmpuint (r->cohorts->len, ==, 2);
    assert_members (r, 0, "P1,P1,P2,P3");
    assert_members (r, 1, "P4");
    g_assert_cmpstr (((TrajCohort *) g_ptr_array_index (r->cohorts, 0))->label, ==, "IV");
    g_assert_cmpstr (((TrajCohort *) g_ptr_array_index (r->cohorts, 1))->label, ==, "Cohort 2");
  }

  /* Group by: every value found, in the field's order, missing ones last. */
  {
    static const struct {
      TrajCohortField field;
      const char *keys;
    } groups[] = {
      { TRAJ_COHORT_FIELD_ROUTE, "iv,im,intranasal,none" },
      { TRAJ_COHORT_FIELD_MEDICINE, "ketamine,esketamine,none" },
      { TRAJ_COHORT_FIELD_SEX, "female,male,other" },
      { TRAJ_COHORT_FIELD_AGE_BAND, "under-25,25-34,35-44,45-54,55-64,65-plus" },
      { TRAJ_COHORT_FIELD_CLINICIAN, "Dr A,Dr B,none" },
      { TRAJ_COHORT_FIELD_PROTOCOL, "Esk,IM,IV 6,IV titrated,none" },
      { TRAJ_COHORT_FIELD_START_YEAR, "2025" },
    };
    for (guint j = 0; j < G_N_ELEMENTS (groups); j++)
      {
        g_autoptr(TrajCohortDefinition) d = traj_cohort_definition_new ();
        g_autoptr(TrajCohortReport) r = NULL;
        g_autoptr(GPtrArray) keys = g_ptr_array_new ();
        g_autofree char *joined = NULL;
        guint total = 0;

        d->group_by = groups[j].field;
        r = traj_cohort_report_regroup (report, d);
        for (guint m = 0; m < r->cohorts->len; m++)
          {
            const TrajCohort *h = g_ptr_array_index (r->cohorts, m);
            g_ptr_array_add (keys, h->key);
            total += h->n_courses;
          }
        g_ptr_array_add (keys, NULL);
        joined = g_strjoinv (",", (char **) keys->pdata);
        g_assert_cmpstr (joined, ==, groups[j].keys);
        g_assert_cmpuint (total, ==, 7);   /* every course in exactly one group */
      }
  }
  clinic_clear (&k);
}

static void
test_definition_json (void)
{
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortDefinition) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;
  const char *protocols[] = { "IV 6", "IV \"titrated\"", NULL };
  TrajCohortFilter *f;

  def->scale = TRAJ_SCALE_PHQ9;
  def->filter.indications = 1u << TRAJ_INDICATION_DEPRESSION | 1u << TRAJ_INDICATION_PTSD;
  def->filter.start_from = traj_day_from_ymd (2025, 1, 1);
  def->filter.start_to = traj_day_from_ymd (2025, 12, 31);
  f = traj_cohort_definition_add (def, "Younger IV");
  f->routes = 1u << TRAJ_ROUTE_IV;
  f->age_bands = 1u << TRAJ_AGE_BAND_UNDER_25 | 1u << TRAJ_AGE_BAND_25_34;
  f->protocols = g_strdupv ((char **) protocols);
  f = traj_cohort_definition_add (def, "Nasal");
  f->medicines = 1u << TRAJ_MEDICINE_ESKETAMINE;
  f->sexes = 1u << TRAJ_SEX_MALE;

  json = traj_cohort_definition_to_json (def);
  back = traj_cohort_definition_from_json (json, &error);
  g_assert_no_error (error);
  again = traj_cohort_definition_to_json (back);
  g_assert_cmpstr (json, ==, again);
  g_assert_cmpint (back->scale, ==, TRAJ_SCALE_PHQ9);
  g_assert_cmpuint (back->cohorts->len, ==, 2);
  g_assert_cmpstr (((TrajCohortSpec *) g_ptr_array_index (back->cohorts, 0))->filter.protocols[1], ==,
                   "IV \"titrated\"");

  /* What a person could get wrong is refused with a reason. */
  {
    static const char *bad[] = {
      "not json",
      "[1, 2]",
      "{\"filter\": {\"route\": [\"iv\", \"rectal\"]}}",
      "{\"scale\": \"bdi2\"}",
      "{\"group_by\": \"shoe_size\"}",
      "{\"filter\": {\"start_from\": \"2025-13-01\"}}",
      "{\"filter\": {\"start_from\": \"2025-06-01\", \"start_to\": \"2025-01-01\"}}",
      "{\"group_by\": \"route\", \"cohorts\": [{\"label\": \"x\"}]}",
      "{\"cohorts\": [{}, {}, {}, {}, {}]}",
    };
    for (guint j = 0; j < G_N_ELEMENTS (bad); j++)
      {
        g_autoptr(GError) e = NULL;
        g_autoptr(TrajCohortDefinition) d = traj_cohort_definition_from_json (bad[j], &e);
        g_assert_null (d);
        g_assert_error (e, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      }
  }
  {
    g_autoptr(GError) e = NULL;
    g_autoptr(TrajCohortDefinition) d = traj_cohort_definition_from_json ("{\"version\": 2}", &e);
    g_assert_error (e, TRAJ_ERROR, TRAJ_ERROR_NEWER_SCHEMA);
  }
  {
    /* a single value where a list is expected, and the age bands as typed */
    g_autoptr(GError) e = NULL;
    g_autoptr(TrajCohortDefinition) d =
      traj_cohort_definition_from_json ("{\"group_by\": \"age_band\", \"filter\": {\"sex\": \"female\", "
                                        "\"age_band\": [\"<25\", \"65+\"]}}", &e);
    g_assert_no_error (e);
    g_assert_cmpuint (d->filter.sexes, ==, 1u << TRAJ_SEX_FEMALE);
    g_assert_cmpuint (d->filter.age_bands, ==, 1u << TRAJ_AGE_BAND_UNDER_25 | 1u << TRAJ_AGE_BAND_65_PLUS);
  }
}

static void
test_filter_parse (void)
{
  TrajCohortFilter f;
  g_autoptr(GError) error = NULL;

  traj_cohort_filter_init (&f);
  g_assert_true (traj_cohort_filter_is_empty (&f));
  g_assert_true (traj_cohort_filter_parse (&f, "route", "iv, im", &error));
  g_assert_true (traj_cohort_filter_parse (&f, "age-band", "65+,under-25", &error));
  g_assert_true (traj_cohort_filter_parse (&f, "protocol", "IV 6, titrated", &error));
  g_assert_true (traj_cohort_filter_parse (&f, "protocol", "IM", &error));
  g_assert_true (traj_cohort_filter_parse (&f, "from", "2025-02-01", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f.routes, ==, 1u << TRAJ_ROUTE_IV | 1u << TRAJ_ROUTE_IM);
  g_assert_cmpuint (f.age_bands, ==, 1u << TRAJ_AGE_BAND_65_PLUS | 1u << TRAJ_AGE_BAND_UNDER_25);
  /* a label is taken whole, commas and all */
  g_assert_cmpstr (f.protocols[0], ==, "IV 6, titrated");
  g_assert_cmpstr (f.protocols[1], ==, "IM");
  g_assert_null (f.protocols[2]);
  g_assert_cmpint (f.start_from, ==, traj_day_from_ymd (2025, 2, 1));
  g_assert_false (traj_cohort_filter_is_empty (&f));

  g_assert_false (traj_cohort_filter_parse (&f, "route", "iv,rectal", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "iv, im, intranasal, oral"));
  g_clear_error (&error);
  g_assert_false (traj_cohort_filter_parse (&f, "to", "last week", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (traj_cohort_filter_parse (&f, "shoe_size", "42", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  traj_cohort_filter_clear (&f);
}

static char *
temp_db (void)
{
  return g_build_filename (g_get_user_data_dir (), "cohort-test.db", NULL);
}

static void
test_saved_definitions (void)
{
  g_autofree char *path = temp_db ();
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortDefinition) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(TrajSavedCohort) saved = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  gint64 first_id;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);

  def->group_by = TRAJ_COHORT_FIELD_ROUTE;
  def->filter.indications = 1u << TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_cohort_definition_save (store, "  Depression by route ", def, FALSE, &error));
  g_assert_no_error (error);
  loaded = traj_cohort_definition_load (store, "Depression by route", &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->group_by, ==, TRAJ_COHORT_FIELD_ROUTE);
  g_assert_cmpuint (loaded->filter.indications, ==, 1u << TRAJ_INDICATION_DEPRESSION);

  /* The same name again: refused unless replacing. */
  g_assert_false (traj_cohort_definition_save (store, "Depression by route", def, FALSE, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  def->group_by = TRAJ_COHORT_FIELD_SEX;
  g_assert_true (traj_cohort_definition_save (store, "Depression by route", def, TRUE, &error));
  g_assert_false (traj_cohort_definition_save (store, "   ", def, TRUE, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);

  list = traj_store_list_cohorts (store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  saved = traj_store_find_cohort (store, "Depression by route", &error);
  g_assert_nonnull (saved);
  g_assert_nonnull (strstr (saved->definition, "\"sex\""));
  first_id = saved->id;

  /* Delete hides it, a new one may take the name, undo then refuses. */
  g_assert_true (traj_store_delete_cohort (store, first_id, &error));
  g_assert_null (traj_store_find_cohort (store, "Depression by route", &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (traj_cohort_definition_save (store, "Depression by route", def, FALSE, &error));
  g_assert_false (traj_store_undelete_cohort (store, first_id, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);

  audit = traj_store_list_audit (store, saved->uid, &error);
  g_assert_no_error (error);
  /* insert, update, delete */
  g_assert_cmpuint (audit->len, ==, 3);
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (audit, 0))->action, ==, "delete");
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (audit, 2))->action, ==, "insert");
}

typedef struct {
  GMainLoop *loop;
  TrajCohortReport *report;
  GError *error;
  guint progress_calls;
  double last_fraction;
} AsyncResult;

static void
on_progress (double fraction, gpointer user_data)
{
  AsyncResult *r = user_data;
  g_assert_cmpfloat (fraction, >=, r->last_fraction);
  r->last_fraction = fraction;
  r->progress_calls++;
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;
  r->report = traj_cohort_compute_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_store_and_thread (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "cohort-clinic.db", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) direct = NULL;
  g_autoptr(TrajCohortReport) scanned = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  TrajThresholds t;
  Clinic k;
  AsyncResult async = { 0 };

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  store = traj_test_open (path, &error);
  g_assert_no_error (error);
  clinic_build (&k, store);
  traj_thresholds_init_defaults (&t);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;

  /* Records read back from the file give exactly the numbers of the records
   * written, and so do the worker thread and its own connection. */
  direct = clinic_report (&k, def);
  scanned = traj_cohort_compute (store, def, &t, as_of (), NULL, &error);
  g_assert_no_error (error);

  async.loop = g_main_loop_new (NULL, FALSE);
  traj_cohort_compute_async (store, def, &t, as_of (), NULL, on_progress, &async, on_done, &async);
  g_main_loop_run (async.loop);
  g_assert_no_error (async.error);
  g_assert_nonnull (async.report);
  g_assert_cmpuint (async.progress_calls, >=, 1);
  assert_near (async.last_fraction, 1.0, 1e-12);

  {
    const TrajCohortReport *reports[3] = { direct, scanned, async.report };
    g_autofree char *want_m = NULL, *want_c = NULL;
    for (guint j = 0; j < 3; j++)
      {
        g_autoptr(TrajTable) m = traj_cohort_report_metrics_table (reports[j]);
        g_autoptr(TrajTable) c = traj_cohort_report_courses_table (reports[j]);
        g_autofree char *ms = traj_table_to_string (m, TRAJ_FORMAT_CSV);
        g_autofree char *cs = traj_table_to_string (c, TRAJ_FORMAT_CSV);
        if (j == 0)
          {
            want_m = g_steal_pointer (&ms);
            want_c = g_steal_pointer (&cs);
            continue;
          }
        g_assert_cmpstr (ms, ==, want_m);
        g_assert_cmpstr (cs, ==, want_c);
      }
  }
  traj_cohort_report_free (async.report);
  async.report = NULL;

  /* Cancelled: an error, no report. */
  g_cancellable_cancel (cancelled);
  traj_cohort_compute_async (store, def, &t, as_of (), cancelled, NULL, NULL, on_done, &async);
  g_main_loop_run (async.loop);
  g_assert_null (async.report);
  g_assert_error (async.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&async.error);
  g_main_loop_unref (async.loop);
  clinic_clear (&k);
}

static void
test_tables (void)
{
  Clinic k;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  g_autoptr(TrajTable) metrics = NULL, courses = NULL, chart = NULL, km = NULL;
  g_autofree char *csv = NULL, *json = NULL, *ccsv = NULL, *kcsv = NULL, *chcsv = NULL;
  g_auto(GStrv) lines = NULL;

  clinic_build (&k, NULL);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  report = clinic_report (&k, def);

  metrics = traj_cohort_report_metrics_table (report);
  g_assert_cmpuint (traj_table_n_rows (metrics), ==, 3);
  csv = traj_table_to_string (metrics, TRAJ_FORMAT_CSV);
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "cohort,cohort_key,courses,patients,small_cohort,scale,"));
  g_assert_true (g_str_has_prefix (lines[1], "Depression,depression,5,4,true,phq9,5,5,19.000,2.236,16.224,21.776,"));
  g_assert_nonnull (strstr (csv, ",response_eoi_n,response_eoi_events,response_eoi_excluded,response_eoi_rate,"));
  g_assert_nonnull (strstr (lines[1], ",3,2,0,0.6667,0.2077,0.9385,true,"));
  g_assert_nonnull (strstr (lines[1], ",25,1,4.00,0.71,19.54,"));     /* monitoring per 100 */
  /* anxiety: no baseline → empty cells, not 0 */
  g_assert_true (g_str_has_prefix (lines[3], "Anxiety,anxiety,1,1,true,gad7,1,0,,,,,0,,,,,"));

  json = traj_table_to_string (metrics, TRAJ_FORMAT_JSON);
  g_assert_nonnull (strstr (json, "\"baseline_mean\" : null"));

  courses = traj_cohort_report_courses_table (report);
  g_assert_cmpuint (traj_table_n_rows (courses), ==, 7);
  ccsv = traj_table_to_string (courses, TRAJ_FORMAT_CSV);
  g_assert_nonnull (strstr (ccsv, "Depression,depression,00000000-0000-4000-8000-000000000002,"));

  km = traj_cohort_report_km_table (report);
  g_assert_cmpuint (traj_table_n_rows (km), ==, 4);   /* 3 depression + 1 PTSD */
  kcsv = traj_table_to_string (km, TRAJ_FORMAT_CSV);
  g_assert_nonnull (strstr (kcsv, "Depression,depression,19,3,1,0,0.6667,"));

  chart = traj_cohort_report_chart_table (report);
  chcsv = traj_table_to_string (chart, TRAJ_FORMAT_CSV);
  g_assert_nonnull (strstr (chcsv, "Depression,depression,phq9,infusion,1,5,15.600,2.881,12.023,19.177\r\n"));
  g_assert_nonnull (strstr (chcsv, "Depression,depression,phq9,week,1,5,12.200,5.070,5.905,18.495\r\n"));
  clinic_clear (&k);
}

typedef struct {
  TrajThresholds t;
  GPtrArray *courses;
} OneReader;

static gboolean
collect_one (TrajPatientRecords *r, gpointer data)
{
  OneReader *o = data;
  traj_cohort_collect_courses (r, &o->t, TRAJ_SCALE_NONE, traj_time_from_day (traj_day_from_ymd (2026, 9, 2), 0, 0),
                               o->courses);
  return TRUE;
}

/* A big clinic is read by two threads over two id ranges, through the
 * cohort's own narrow read (only the columns and item rows the metrics
 * need): the report must be exactly what one reader of every patient's full
 * records gives, in every table (metrics, courses, chart, boosters). */
static void
test_two_readers_match_one (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-cohort-ranges-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_test_open (path, &error);
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) two = NULL;
  g_autoptr(TrajCohortReport) one = NULL;
  g_autoptr(TrajTable) a = NULL;
  g_autoptr(TrajTable) b = NULL;
  g_autofree char *csv_two = NULL, *csv_one = NULL;
  gint64 as_of = traj_time_from_day (traj_day_from_ymd (2026, 9, 2), 0, 0);
  OneReader o;
  gint64 min_id = 0, max_id = 0;

  g_assert_no_error (error);
  g_assert_true (traj_test_demo (store, path, 21, 620, traj_day_from_ymd (2026, 9, 1), &error));
  g_assert_true (traj_store_patient_id_range (store, &min_id, &max_id, &error));
  g_assert_cmpint (max_id - min_id, >=, 500);
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  traj_thresholds_init_defaults (&o.t);

  two = traj_cohort_compute (store, def, &o.t, as_of, NULL, &error);
  g_assert_no_error (error);

  o.courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
  g_assert_true (traj_store_foreach_patient_records (store, collect_one, &o, NULL, &error));
  one = traj_cohort_report_new (o.courses, def, &o.t, as_of);

  g_assert_cmpuint (two->courses->len, ==, one->courses->len);
  a = traj_cohort_report_metrics_table (two);
  b = traj_cohort_report_metrics_table (one);
  csv_two = traj_table_to_string (a, TRAJ_FORMAT_CSV);
  csv_one = traj_table_to_string (b, TRAJ_FORMAT_CSV);
  g_assert_cmpstr (csv_two, ==, csv_one);
  /* The demo clinic has safety and monitoring findings, so the narrow
   * read's safety items and vitals are really compared. */
  g_assert_nonnull (strstr (csv_one, "safety"));
  {
    TrajTable *(*tables[]) (const TrajCohortReport *) = {
      traj_cohort_report_courses_table, traj_cohort_report_chart_table, traj_cohort_report_km_table,
    };
    guint n_safety = 0, n_monitoring = 0;

    for (guint k = 0; k < G_N_ELEMENTS (tables); k++)
      {
        g_autoptr(TrajTable) ta = tables[k] (two);
        g_autoptr(TrajTable) tb = tables[k] (one);
        g_autofree char *sa = traj_table_to_string (ta, TRAJ_FORMAT_CSV);
        g_autofree char *sb = traj_table_to_string (tb, TRAJ_FORMAT_CSV);

        g_assert_cmpuint (strlen (sb), >, 100);
        g_assert_cmpstr (sa, ==, sb);
      }
    for (guint k = 0; k < one->courses->len; k++)
      {
        const TrajCohortCourse *c = g_ptr_array_index (one->courses, k);
        n_safety += c->n_safety;
        n_monitoring += c->n_monitoring;
      }
    g_test_message ("%u courses, %u safety and %u monitoring findings", one->courses->len, n_safety, n_monitoring);
    g_assert_cmpuint (n_safety, >, 0);
    g_assert_cmpuint (n_monitoring, >, 0);
  }

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

typedef struct {
  GPtrArray *records;     /* TrajPatientRecords*, stolen */
} Keep;

static gboolean
keep_records (TrajPatientRecords *r, gpointer data)
{
  Keep *k = data;
  TrajPatientRecords *mine = traj_patient_records_new ();
  TrajPatientRecords tmp = *mine;

  *mine = *r;
  *r = tmp;
  g_ptr_array_add (k->records, mine);
  return TRUE;
}

/* @narrow holds exactly the vital signs of @full that cross one of @t's
 * limits, in the same order and with the same values. */
static void
assert_vitals_over_limits (const TrajInfusion *full, const TrajInfusion *narrow, const TrajThresholds *t,
                           guint *n_read, guint *n_left)
{
  guint j = 0;

  for (guint v = 0; v < full->vitals->len; v++)
    {
      const TrajVitalSign *va = g_ptr_array_index (full->vitals, v), *vb;

      if (traj_vital_sign_monitoring_events (va, t) == 0)
        {
          (*n_left)++;
          continue;
        }
      g_assert_cmpuint (j, <, narrow->vitals->len);
      vb = g_ptr_array_index (narrow->vitals, j++);
      g_assert_cmpint (vb->id, ==, va->id);
      g_assert_cmpint (vb->minute, ==, va->minute);
      g_assert_cmpint (vb->systolic, ==, va->systolic);
      g_assert_cmpint (vb->diastolic, ==, va->diastolic);
      g_assert_cmpint (vb->heart_rate, ==, va->heart_rate);
      g_assert_cmpint (vb->spo2, ==, va->spo2);
      g_assert_cmpint (vb->resp_rate, ==, va->resp_rate);
      (*n_read)++;
    }
  g_assert_cmpuint (j, ==, narrow->vitals->len);
}

/* The cohort's narrow read holds, for every patient, the same records as
 * the full read with the free text left out, only each scale's safety
 * item and only the vital signs that cross a limit; a range reads only its
 * patients, and other limits read other vital signs. */
static void
test_narrow_read (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-cohort-narrow-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(TrajStore) store = traj_test_open (path, &error);
  Keep full = { g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free) };
  Keep narrow = { g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free) };
  Keep range = { g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free) };
  guint n_items = 0, n_safety = 0, n_vitals = 0, n_vitals_left = 0, n_side_effects = 0, n_entered = 0;
  TrajThresholds t;

  traj_thresholds_init_defaults (&t);
  g_assert_no_error (error);
  g_assert_true (traj_test_demo (store, path, 5, 60, traj_day_from_ymd (2026, 9, 1), &error));
  g_assert_true (traj_store_foreach_patient_records (store, keep_records, &full, NULL, &error));
  g_assert_true (traj_store_foreach_cohort_records (store, &t, 0, 0, keep_records, &narrow, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (full.records->len, ==, 60);
  g_assert_cmpuint (narrow.records->len, ==, full.records->len);

  for (guint p = 0; p < full.records->len; p++)
    {
      const TrajPatientRecords *f = g_ptr_array_index (full.records, p);
      const TrajPatientRecords *n = g_ptr_array_index (narrow.records, p);

      g_assert_cmpint (n->patient->id, ==, f->patient->id);
      g_assert_cmpstr (n->patient->uid, ==, f->patient->uid);
      g_assert_cmpstr (n->patient->mrn, ==, f->patient->mrn);
      g_assert_cmpint (n->patient->birth_day, ==, f->patient->birth_day);
      g_assert_cmpstr (n->patient->name, ==, "");     /* not read */
      g_assert_cmpstr (f->patient->name, !=, "");
      g_assert_cmpuint (n->courses->len, ==, f->courses->len);
      for (guint k = 0; k < f->courses->len; k++)
        {
          const TrajCourse *a = g_ptr_array_index (f->courses, k), *b = g_ptr_array_index (n->courses, k);
          g_assert_cmpint (b->id, ==, a->id);
          g_assert_cmpint (b->start_day, ==, a->start_day);
          g_assert_cmpint (b->end_day, ==, a->end_day);
          g_assert_cmpint (b->status, ==, a->status);
          g_assert_cmpstr (b->protocol, ==, a->protocol);
        }
      g_assert_cmpuint (n->infusions->len, ==, f->infusions->len);
      for (guint k = 0; k < f->infusions->len; k++)
        {
          const TrajInfusion *a = g_ptr_array_index (f->infusions, k), *b = g_ptr_array_index (n->infusions, k);
          g_assert_cmpint (b->id, ==, a->id);
          g_assert_cmpint (b->started_at, ==, a->started_at);
          g_assert_cmpint (b->phase, ==, a->phase);
          /* Side effects, concomitant medicines and date warnings: not
           * read (neither the cohort nor the engine uses them). */
          g_assert_cmpuint (b->side_effects, ==, 0);
          g_assert_cmpuint (b->concomitant, ==, 0);
          g_assert_cmpuint (b->date_confirmed, ==, 0);
          if (a->side_effects != 0)
            n_side_effects++;
          g_assert_cmpstr (b->clinician, ==, a->clinician);
          g_assert_true (b->notes == NULL || b->notes[0] == '\0');
          /* Of the vital signs, the readings that cross a limit, in order. */
          assert_vitals_over_limits (a, b, &t, &n_vitals, &n_vitals_left);
        }
      g_assert_cmpuint (n->assessments->len, ==, f->assessments->len);
      for (guint k = 0; k < f->assessments->len; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (f->assessments, k), *b = g_ptr_array_index (n->assessments, k);
          const TrajScale *scale = traj_scale_get (a->scale);

          g_assert_cmpint (b->id, ==, a->id);
          g_assert_cmpstr (b->uid, ==, a->uid);
          g_assert_cmpint (b->total, ==, a->total);
          g_assert_cmpint (b->complete, ==, a->complete);
          g_assert_cmpint (b->taken_at, ==, a->taken_at);
          g_assert_cmpint (b->safety_highest, ==, a->safety_highest);
          /* Who entered it, how, when in the course, how hard: not read. */
          g_assert_null (b->clinician);
          g_assert_cmpint (b->source, ==, 0);
          g_assert_cmpint (b->timing, ==, 0);
          g_assert_cmpint (b->difficulty, ==, -1);
          if ((a->clinician && *a->clinician) || a->difficulty >= 0)
            n_entered++;
          g_assert_cmpint (traj_scale_safety_answer (b->scale, b->items), ==,
                           traj_scale_safety_answer (a->scale, a->items));
          if (traj_scale_safety_answer (a->scale, a->items) > 0)
            n_safety++;
          for (guint i = 0; scale && i < scale->n_items; i++)
            {
              /* A server leaves out safety answers of 0, which the engine
               * reads as no answer (traj_scale_safety_answer). */
              if (scale->safety_item == i + 1)
                g_assert_cmpint (MAX (b->items[i], 0), ==, MAX (a->items[i], 0));
              else if (a->items[i] != b->items[i])
                n_items++;      /* left out of the narrow read */
            }
        }
      g_assert_cmpuint (n->decisions->len, ==, f->decisions->len);
    }
  g_test_message ("%u vitals read, %u left out, %u safety answers, %u items left out", n_vitals, n_vitals_left,
                  n_safety, n_items);
  g_assert_cmpuint (n_vitals, >, 0);
  g_assert_cmpuint (n_vitals_left, >, n_vitals);
  g_assert_cmpuint (n_safety, >, 0);
  g_assert_cmpuint (n_items, >, 0);
  g_assert_cmpuint (n_side_effects, >, 0);
  g_assert_cmpuint (n_entered, >, 0);

  /* An id range: only its patients. */
  {
    const TrajPatientRecords *second = g_ptr_array_index (full.records, 1);
    const TrajPatientRecords *third = g_ptr_array_index (full.records, 2);

    g_assert_true (traj_store_foreach_cohort_records (store, &t, second->patient->id, third->patient->id, keep_records,
                                                      &range, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (range.records->len, ==, 2);
    g_assert_cmpint (((TrajPatientRecords *) g_ptr_array_index (range.records, 0))->patient->id, ==,
                     second->patient->id);
  }

  /* Other limits: a systolic of 130 or more and an SpO₂ below 97 % read
   * more of the readings, exactly those crossing them. */
  {
    Keep strict = { g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free) };
    TrajThresholds st = t;
    guint read = 0, left = 0;

    st.systolic_max = 130;
    st.spo2_min = 97;
    g_assert_true (traj_store_foreach_cohort_records (store, &st, 0, 0, keep_records, &strict, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (strict.records->len, ==, full.records->len);
    for (guint p = 0; p < full.records->len; p++)
      {
        const TrajPatientRecords *f = g_ptr_array_index (full.records, p);
        const TrajPatientRecords *n = g_ptr_array_index (strict.records, p);

        g_assert_cmpuint (n->infusions->len, ==, f->infusions->len);
        for (guint k = 0; k < f->infusions->len; k++)
          assert_vitals_over_limits (g_ptr_array_index (f->infusions, k), g_ptr_array_index (n->infusions, k),
                                     &st, &read, &left);
      }
    g_test_message ("stricter limits: %u vitals read, %u left out", read, left);
    g_assert_cmpuint (read, >, n_vitals);
    g_ptr_array_unref (strict.records);
  }

  g_ptr_array_unref (full.records);
  g_ptr_array_unref (narrow.records);
  g_ptr_array_unref (range.records);
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

/* Day counts come from a cache of the zone's intervals (traj-records.c):
 * every instant gives GLib's own answer, in zones with summer time, with
 * half-hour and 45-minute offsets, with a skipped day (Apia, 30 Dec 2011)
 * and with summer time abolished, around each change to the second and
 * visited out of order, and after the zone changes back and forth. */
static gint32
glib_day (GTimeZone *zone, gint64 at)
{
  gint64 local = at + g_time_zone_get_offset (zone, g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, at));

  return (gint32) (local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
}

static void
check_zone_days (const char *id, GRand *rand)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (id);
  const gint64 from = -2208988800;      /* 1900 */
  const gint64 to = 4102444800;         /* 2100 */
  guint changes = 0;

  g_assert_nonnull (zone);
  g_assert_true (traj_set_clinic_time_zone (id));
  /* Hour by hour over 1995–2030, finding each change and checking the
   * seconds on both sides of it, first going back in time. */
  for (gint64 at = 1893456000; at > 788918400; at -= 3600)
    {
      g_assert_cmpint (traj_day_from_time (at), ==, glib_day (zone, at));
      if (g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, at) !=
          g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, at - 3600))
        {
          gint64 lo = at - 3600, hi = at;

          while (hi - lo > 1)
            {
              gint64 mid = lo + (hi - lo) / 2;
              if (g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, mid) ==
                  g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, at))
                hi = mid;
              else
                lo = mid;
            }
          for (gint64 t = lo - 2; t <= hi + 2; t++)
            g_assert_cmpint (traj_day_from_time (t), ==, glib_day (zone, t));
          changes++;
        }
    }
  for (guint n = 0; n < 20000; n++)
    {
      gint64 at = from + (gint64) (g_rand_double (rand) * (double) (to - from));
      g_assert_cmpint (traj_day_from_time (at), ==, glib_day (zone, at));
    }
  /* Far outside any record's range: still GLib's answer. */
  g_assert_cmpint (traj_day_from_time (-(G_GINT64_CONSTANT (1) << 45)), ==, glib_day (zone, -(G_GINT64_CONSTANT (1) << 45)));
  g_assert_cmpint (traj_day_from_time (G_GINT64_CONSTANT (1) << 45), ==, glib_day (zone, G_GINT64_CONSTANT (1) << 45));
  g_test_message ("%s: %u changes of offset 1995-2030", id, changes);
}

static void
test_zone_days (void)
{
  static const char *zones[] = { "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
                                 "Pacific/Apia", "America/Sao_Paulo", "UTC", "Europe/London" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  g_autoptr(GTimeZone) apia = g_time_zone_new_identifier ("Pacific/Apia");

  for (guint k = 0; k < G_N_ELEMENTS (zones); k++)
    check_zone_days (zones[k], rand);
  /* Apia skipped Friday 30 Dec 2011: 10:00 UTC on the 30th is the 31st there. */
  g_assert_true (traj_set_clinic_time_zone ("Pacific/Apia"));
  g_assert_cmpint (traj_day_from_time (1325239200), ==, traj_day_from_ymd (2011, 12, 31));
  g_assert_cmpint (traj_day_from_time (1325239200 - 86400), ==, traj_day_from_ymd (2011, 12, 29));
  traj_set_clinic_time_zone (NULL);
}

/* The cohort counts days in the clinic's zone, as the engine does: an
 * induction ending at 23:30 in London is the next day in Tokyo. */
static void
test_clinic_zone_days (void)
{
  Clinic k = { NULL, g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free), 1, 0 };
  g_autoptr(GPtrArray) courses = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_cohort_course_free);
  const int scores[] = { -2, 20, 2, 16, 4, 12, 7, 9, 9, 8, 11, 7, 14, 6 };
  TrajThresholds t;
  TrajPatientRecords *r;
  TrajCourse *c;
  TrajInfusion *last = NULL;
  const char *zones[] = { "Europe/London", "Asia/Tokyo" };

  traj_thresholds_init_defaults (&t);
  g_assert_true (traj_set_clinic_time_zone ("Europe/London"));
  r = add_patient (&k, "P1", TRAJ_SEX_FEMALE, 30, TRAJ_INDICATION_DEPRESSION);
  c = add_course (&k, r, TRAJ_INDICATION_DEPRESSION, TRAJ_SCALE_PHQ9, day0 (), "IV 6", TRAJ_COURSE_MAINTENANCE, -1);
  add_induction (&k, r, c, 6, TRAJ_ROUTE_IV, "Dr A", -1);
  add_scores (&k, r, c, scores, G_N_ELEMENTS (scores));
  last = g_ptr_array_index (r->infusions, 5);
  last->started_at = traj_time_from_day (day0 () + 11, 23, 30);   /* winter: 23:30 UTC */

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(TrajOutcomes) o = NULL;
      const TrajOutcome *primary;
      const TrajCohortCourse *cc;

      g_assert_true (traj_set_clinic_time_zone (zones[z]));
      o = traj_outcomes_compute (r, &t, as_of ());
      primary = g_ptr_array_index (o->outcomes, 0);
      g_ptr_array_set_size (courses, 0);
      traj_cohort_collect_courses (r, &t, TRAJ_SCALE_NONE, as_of (), courses);
      g_assert_cmpuint (courses->len, ==, 1);
      cc = g_ptr_array_index (courses, 0);
      g_assert_cmpint (primary->induction_end_day, ==, day0 () + 11 + (int) z);
      g_assert_cmpint (cc->induction_end_day, ==, primary->induction_end_day);
    }
  traj_set_clinic_time_zone (NULL);
  g_ptr_array_unref (k.records);
}

/* The cohort's engine run formats no sentence, and finds the very same
 * findings (kind, key, records, times, how each closed) and outcomes as
 * the full one, on the fixed clinic, which has one of each kind. */
static void
test_bare_outcomes (void)
{
  Clinic k;
  TrajThresholds t;
  guint kinds = 0;

  traj_thresholds_init_defaults (&t);
  clinic_build (&k, NULL);
  for (guint j = 0; j < k.records->len; j++)
    {
      const TrajPatientRecords *r = g_ptr_array_index (k.records, j);
      g_autoptr(TrajOutcomes) full = traj_outcomes_compute (r, &t, as_of ());
      g_autoptr(TrajOutcomes) bare = traj_outcomes_compute_bare (r, &t, as_of ());

      g_assert_cmpuint (bare->findings->len, ==, full->findings->len);
      for (guint m = 0; m < full->findings->len; m++)
        {
          const TrajFinding *a = g_ptr_array_index (full->findings, m);
          const TrajFinding *b = g_ptr_array_index (bare->findings, m);
          g_autofree char *ua = g_strjoinv (",", a->record_uids);
          g_autofree char *ub = g_strjoinv (",", b->record_uids);

          g_assert_nonnull (a->sentence);
          g_assert_null (b->sentence);
          g_assert_cmpint (b->kind, ==, a->kind);
          g_assert_cmpstr (b->key, ==, a->key);
          g_assert_cmpstr (ub, ==, ua);
          g_assert_cmpint (b->fired_at, ==, a->fired_at);
          g_assert_cmpint (b->course_id, ==, a->course_id);
          g_assert_cmpint (b->open, ==, a->open);
          g_assert_cmpint (b->closed_by, ==, a->closed_by);
          g_assert_cmpint (b->closed_at, ==, a->closed_at);
          kinds |= 1u << a->kind;
        }
      g_assert_cmpuint (bare->outcomes->len, ==, full->outcomes->len);
      for (guint m = 0; m < full->outcomes->len; m++)
        {
          const TrajOutcome *a = g_ptr_array_index (full->outcomes, m);
          const TrajOutcome *b = g_ptr_array_index (bare->outcomes, m);

          g_assert_cmpint (b->baseline, ==, a->baseline);
          g_assert_cmpint (b->response_reached, ==, a->response_reached);
          g_assert_cmpint (b->induction_end_day, ==, a->induction_end_day);
        }
    }
  g_assert_cmpuint (kinds, ==, (1u << TRAJ_FINDING_BOOSTER) | (1u << TRAJ_FINDING_NO_RESPONSE) |
                               (1u << TRAJ_FINDING_SAFETY) | (1u << TRAJ_FINDING_MONITORING));
  clinic_clear (&k);
}

/* The engine's sentences of one patient's findings, kind by kind. */
static char *
findings_text (const TrajPatientRecords *r, const TrajThresholds *t)
{
  g_autoptr(TrajOutcomes) o = traj_outcomes_compute (r, t, traj_time_from_day (day0 () + 30, 0, 0));
  GString *text = g_string_new (NULL);

  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      g_autofree char *uids = g_strjoinv (",", f->record_uids);
      g_string_append_printf (text, "%s|%s|%s\n", f->key, uids, f->sentence);
    }
  return g_string_free (text, FALSE);
}

/* The cohort's read for the engine's thresholds sends only the vital signs
 * over a monitoring limit (traj_vital_sign_monitoring_events' rule; on a
 * server its own stream with the limits as parameters, and only the safety
 * answers above 0). Readings on each limit's edge, and missing values; the
 * engine's findings are the same as from the full read. */
static void
test_limited_read (void)
{
  /* minute, systolic, diastolic, heart rate, SpO2, respiratory rate */
  static const int readings[][6] = {
    { 5, 150, 80, 70, 98, 14 },     /* systolic on its upper limit: over */
    { 10, 149, 95, 70, 98, 14 },    /* diastolic on its limit: over */
    { 15, 149, 94, 100, 95, 8 },    /* heart rate, SpO2, breathing on theirs: none over */
    { 20, 120, 80, 101, 98, 14 },   /* heart rate above: over */
    { 25, 120, 80, 70, 94, 14 },    /* SpO2 below: over */
    { 30, 120, 80, -1, -1, -1 },    /* pressures only: no value below a low limit */
    { 35, 120, 80, 70, 98, 7 },     /* breathing below: over */
    { 40, 99, 60, 70, 98, 14 },     /* systolic below the low limit: over */
    { 45, 100, 60, 55, 98, 14 },    /* systolic and heart rate on their low limits: none */
    { 50, 120, 80, 54, 98, 14 },    /* heart rate below: over */
  };
  static const int over[] = { 5, 10, 20, 25, 35, 40, 50 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-cohort-limited-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *text_full = NULL, *text_limited = NULL;
  Clinic k = { traj_test_open (path, &error), g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free), 1, 0 };
  Keep full = { g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free) };
  Keep limited = { g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_records_free) };
  TrajPatientRecords *r, *f, *l;
  TrajCourse *c;
  TrajInfusion *i;
  TrajThresholds t;
  const TrajInfusion *fi, *li;
  int item9[] = { 2, 0 };

  g_assert_no_error (error);
  traj_thresholds_init_defaults (&t);
  t.systolic_max = 150;
  t.diastolic_max = 95;
  t.heart_rate_max = 100;
  t.spo2_min = 95;
  t.systolic_min = 100;
  t.heart_rate_min = 55;
  t.resp_rate_min = 8;

  r = add_patient (&k, "MRN-L1", TRAJ_SEX_FEMALE, 40, TRAJ_INDICATION_DEPRESSION);
  c = add_course (&k, r, TRAJ_INDICATION_DEPRESSION, TRAJ_SCALE_PHQ9, day0 (), NULL, TRAJ_COURSE_INDUCTION, -1);
  i = traj_test_infusion_new (r->patient->id, c->id, traj_time_from_day (day0 (), 10, 0));
  for (guint j = 0; j < G_N_ELEMENTS (readings); j++)
    {
      TrajVitalSign *v = traj_vital_sign_new (readings[j][0]);

      v->systolic = readings[j][1];
      v->diastolic = readings[j][2];
      v->heart_rate = readings[j][3];
      v->spo2 = readings[j][4];
      v->resp_rate = readings[j][5];
      g_ptr_array_add (i->vitals, v);
    }
  traj_store_insert_infusion (k.store, i, &error);
  g_assert_no_error (error);
  traj_infusion_free (i);
  /* PHQ-9s the day after: item 9 answered 2 (a safety finding), and 0. */
  for (guint j = 0; j < G_N_ELEMENTS (item9); j++)
    {
      TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);

      a->patient_id = r->patient->id;
      a->course_id = c->id;
      a->taken_at = traj_time_from_day (day0 () + 1, 9 + j, 0);
      for (guint q = 0; q < 8; q++)
        a->items[q] = 1;
      a->items[TRAJ_PHQ9_ITEM9] = item9[j];
      traj_assessment_rescore (a);
      g_assert_true (traj_store_insert_assessment (k.store, a, &error));
      g_assert_no_error (error);
      traj_assessment_free (a);
    }

  g_assert_true (traj_store_foreach_patient_records (k.store, keep_records, &full, NULL, &error));
  g_assert_true (traj_store_foreach_cohort_records (k.store, &t, 0, 0, keep_records, &limited, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (limited.records->len, ==, 1);
  f = g_ptr_array_index (full.records, 0);
  l = g_ptr_array_index (limited.records, 0);
  fi = g_ptr_array_index (f->infusions, 0);
  li = g_ptr_array_index (l->infusions, 0);
  g_assert_cmpuint (fi->vitals->len, ==, G_N_ELEMENTS (readings));
  g_assert_cmpuint (li->vitals->len, ==, G_N_ELEMENTS (over));
  for (guint j = 0; j < G_N_ELEMENTS (over); j++)
    g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (li->vitals, j))->minute, ==, over[j]);
  /* Each reading sent is the stored one; each one over a limit is sent. */
  for (guint j = 0, m = 0; j < fi->vitals->len; j++)
    {
      const TrajVitalSign *a = g_ptr_array_index (fi->vitals, j);
      const TrajVitalSign *b = m < li->vitals->len ? g_ptr_array_index (li->vitals, m) : NULL;

      if (b == NULL || b->id != a->id)
        {
          g_assert_cmpuint (traj_vital_sign_monitoring_events (a, &t), ==, 0);
          continue;
        }
      g_assert_cmpstr (b->uid, ==, a->uid);
      g_assert_cmpint (b->minute, ==, a->minute);
      g_assert_cmpint (b->systolic, ==, a->systolic);
      g_assert_cmpint (b->diastolic, ==, a->diastolic);
      g_assert_cmpint (b->heart_rate, ==, a->heart_rate);
      g_assert_cmpint (b->spo2, ==, a->spo2);
      g_assert_cmpint (b->resp_rate, ==, a->resp_rate);
      m++;
    }
  g_assert_cmpuint (l->assessments->len, ==, 2);
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, ((TrajAssessment *) l->assessments->pdata[0])->items),
                   ==, 2);
  g_assert_cmpint (traj_scale_safety_answer (TRAJ_SCALE_PHQ9, ((TrajAssessment *) l->assessments->pdata[1])->items),
                   ==, 0);

  /* The engine: one monitoring finding naming every limit crossed, one
   * safety finding; the same sentences from both reads. */
  text_full = findings_text (f, &t);
  text_limited = findings_text (l, &t);
  g_assert_cmpstr (text_limited, ==, text_full);
  g_assert_nonnull (strstr (text_full, "monitoring:"));
  g_assert_nonnull (strstr (text_full, "safety:"));
  g_assert_nonnull (strstr (text_full, "systolic blood pressure 150 mmHg at minute 5"));
  g_assert_nonnull (strstr (text_full, "low heart rate 54/min at minute 50"));

  g_ptr_array_unref (full.records);
  g_ptr_array_unref (limited.records);
  g_ptr_array_unref (k.records);
  g_clear_object (&k.store);
  traj_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cohort/statistics", test_statistics);
  g_test_add_func ("/cohort/mixed-scales", test_mixed_scales);
  g_test_add_func ("/cohort/ybocs-primary", test_ybocs_primary);
  g_test_add_func ("/cohort/indication-detail", test_indication_detail);
  g_test_add_func ("/cohort/filters", test_filters);
  g_test_add_func ("/cohort/medication-at-start", test_medication_at_start);
  g_test_add_func ("/cohort/tolerability", test_tolerability);
  g_test_add_func ("/cohort/medication-class-from-name", test_medication_class_from_name);
  g_test_add_func ("/cohort/medication-rules", test_medication_rules);
  g_test_add_func ("/cohort/definition-json", test_definition_json);
  g_test_add_func ("/cohort/filter-parse", test_filter_parse);
  g_test_add_func ("/cohort/saved-definitions", test_saved_definitions);
  g_test_add_func ("/cohort/store-and-thread", test_store_and_thread);
  g_test_add_func ("/cohort/tables", test_tables);
  g_test_add_func ("/cohort/two-readers-match-one", test_two_readers_match_one);
  g_test_add_func ("/cohort/narrow-read", test_narrow_read);
  g_test_add_func ("/cohort/limited-read", test_limited_read);
  g_test_add_func ("/cohort/zone-days", test_zone_days);
  g_test_add_func ("/cohort/clinic-zone-days", test_clinic_zone_days);
  g_test_add_func ("/cohort/bare-outcomes", test_bare_outcomes);

  return g_test_run ();
}
