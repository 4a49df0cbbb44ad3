/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The esketamine monitoring record (CLINICAL.md §8): its answers stored on
 * a real clinic file, the blood pressures it picks, its completeness check
 * (hand-worked), its one-page PDF, and `trajectory-cli rems`. */

#include "config.h"

#define _GNU_SOURCE

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "traj-report.h"
#include "traj-rems.h"
#include "traj-store.h"
#include "traj-test-db.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  gint64 patient_id;
  gint64 course_id;
  gint64 start;         /* the session's first device, 09:00 three days ago */
} Fixture;

static TrajPatient *
make_patient (void)
{
  TrajPatient *p = traj_patient_new ();

  p->mrn = g_strdup ("MRN-0042");
  p->name = g_strdup ("Ada Abbott");
  p->birth_day = traj_day_from_ymd (1980, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  return p;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ();
  g_autoptr(TrajCourse) c = traj_course_new ();
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-rems-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "clinic.db", NULL);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  traj_store_set_clinician (fx->store, TRAJ_TEST_LOGIN);
  g_assert_true (traj_store_insert_patient (fx->store, p, &error));
  g_assert_no_error (error);
  fx->patient_id = p->id;
  c->patient_id = p->id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = traj_day_today () - 10;
  c->protocol = g_strdup ("Esketamine 56 mg twice weekly");
  g_assert_true (traj_store_insert_course (fx->store, c, &error));
  g_assert_no_error (error);
  fx->course_id = c->id;
  fx->start = traj_time_from_day (traj_day_today () - 3, 9, 0);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  traj_test_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

static TrajVitalSign *
bp (int minute, int systolic, int diastolic)
{
  return traj_test_vital_new (minute, systolic, diastolic);
}

/* A complete session: 56 mg, lot, 125 minutes, ready after 70, readings
 * before, at 40 and before leaving, every answer given. */
static TrajInfusion *
make_session (Fixture *fx)
{
  TrajInfusion *i = traj_test_infusion_new (fx->patient_id, fx->course_id, fx->start);

  i->route = TRAJ_ROUTE_INTRANASAL;
  i->medicine = TRAJ_MEDICINE_ESKETAMINE;
  i->weight_kg = 0;
  i->dose_mg_per_kg = 0;
  i->total_mg = 56;
  i->lot = g_strdup ("LOT-7731");
  i->monitoring_min = 125;
  i->ready_at = fx->start + 70 * 60;
  i->concomitant = TRAJ_CONCOMITANT_BENZODIAZEPINE | TRAJ_CONCOMITANT_MAOI;
  i->clinician = g_strdup ("Dr. Okafor");
  g_ptr_array_add (i->vitals, bp (-5, 130, 80));
  g_ptr_array_add (i->vitals, bp (40, 150, 92));
  g_ptr_array_add (i->vitals, bp (115, 128, 78));
  i->rems_first_session = 1;
  i->rems_patient_id = g_strdup ("RP-55120");
  i->rems_monitored_by = g_strdup ("Nurse Patel");
  i->rems_vitals_ok_before = 1;
  i->rems_vitals_ok_leaving = 1;
  i->rems_sedation = 0;
  i->rems_dissociation = 1;
  i->rems_resp_depression = 0;
  i->rems_adverse = 1;
  i->rems_adverse_note = g_strdup ("Nausea, settled by 60 minutes");
  return i;
}

static void
test_store (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) i = make_session (fx);
  g_autoptr(TrajInfusion) back = NULL;
  g_autoptr(TrajInfusion) again = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autofree char *before = NULL, *after = NULL, *row_sql = NULL;
  GError *error = NULL;
  gboolean found = FALSE;

  g_assert_true (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_no_error (error);

  /* Read back through a second store on the same file. */
  g_clear_object (&fx->store);
  fx->store = traj_test_open (fx->path, &error);
  g_assert_no_error (error);
  traj_store_set_clinician (fx->store, TRAJ_TEST_LOGIN);
  back = traj_store_get_infusion (fx->store, i->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->rems_first_session, ==, 1);
  g_assert_cmpstr (back->rems_patient_id, ==, "RP-55120");
  g_assert_cmpstr (back->rems_monitored_by, ==, "Nurse Patel");
  g_assert_cmpint (back->rems_vitals_ok_before, ==, 1);
  g_assert_cmpint (back->rems_vitals_ok_leaving, ==, 1);
  g_assert_cmpint (back->rems_sedation, ==, 0);
  g_assert_cmpint (back->rems_dissociation, ==, 1);
  g_assert_cmpint (back->rems_resp_depression, ==, 0);
  g_assert_cmpint (back->rems_adverse, ==, 1);
  g_assert_cmpstr (back->rems_adverse_note, ==, "Nausea, settled by 60 minutes");
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM infusion WHERE rems_sedation = 0 "
                                                  "AND rems_resp_depression = 0 AND rems_first_session = 1"), ==, 1);

  /* Not answered is NULL in the file and -1 / NULL read back. */
  {
    g_autoptr(TrajInfusion) blank = traj_test_infusion_new (fx->patient_id, 0, fx->start - 86400);
    g_autoptr(TrajInfusion) read = NULL;

    g_assert_true (traj_store_insert_infusion (fx->store, blank, &error));
    g_assert_no_error (error);
    read = traj_store_get_infusion (fx->store, blank->id, &error);
    g_assert_cmpint (read->rems_first_session, ==, -1);
    g_assert_cmpint (read->rems_sedation, ==, -1);
    g_assert_cmpint (read->rems_adverse, ==, -1);
    g_assert_null (read->rems_patient_id);
    g_assert_null (read->rems_monitored_by);
    g_assert_cmpstr (read->rems_adverse_note, ==, "");
    g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM infusion WHERE rems_sedation IS NULL "
                                                    "AND rems_patient_id IS NULL AND rems_monitored_by IS NULL"), ==, 1);
  }

  /* An edit is one audited update naming the answer that changed. */
  back->rems_sedation = 1;
  g_assert_true (traj_store_update_infusion (fx->store, back, &error));
  g_assert_no_error (error);
  audit = traj_store_list_audit (fx->store, back->uid, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < audit->len; k++)
    {
      TrajAuditEvent *e = g_ptr_array_index (audit, k);
      if (g_str_equal (e->action, "update") && e->detail && strstr (e->detail, "rems_sedation"))
        found = TRUE;
    }
  g_assert_true (found);

  /* Bad answers are refused with a message and change nothing. */
  row_sql = g_strdup_printf ("SELECT coalesce (CAST (rems_sedation AS TEXT), 'null') || rems_adverse_note || "
                             "coalesce (rems_patient_id, '') FROM infusion WHERE id = %" G_GINT64_FORMAT, back->id);
  before = traj_test_query_text (fx->path, row_sql);
  back->rems_sedation = 2;
  g_assert_false (traj_store_update_infusion (fx->store, back, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "A monitoring record answer must be yes, no or not answered (not 2).");
  g_clear_error (&error);
  back->rems_sedation = 0;
  g_free (back->rems_patient_id);
  back->rems_patient_id = g_strdup ("RP\x1b" "55120");
  g_assert_false (traj_store_update_infusion (fx->store, back, &error));
  g_assert_nonnull (strstr (error->message, "REMS enrolment ID"));
  g_clear_error (&error);
  after = traj_test_query_text (fx->path, row_sql);
  g_assert_cmpstr (before, ==, after);
  again = traj_store_get_infusion (fx->store, back->id, &error);
  g_assert_cmpint (again->rems_sedation, ==, 1);
  g_assert_cmpstr (again->rems_patient_id, ==, "RP-55120");

  /* The file refuses an answer that is not 0 or 1 even from outside. */
  if (!traj_test_postgres ())
    {
      g_assert_false (traj_test_exec (fx->path, "UPDATE infusion SET rems_dissociation = 3", &error));
      g_clear_error (&error);
    }
}

static void
test_blood_pressures (void)
{
  g_autoptr(TrajInfusion) i = traj_infusion_new ();
  TrajVitalSign *hr_only = traj_vital_sign_new (45);
  const TrajVitalSign *v;

  hr_only->heart_rate = 88;
  g_ptr_array_add (i->vitals, traj_test_vital_new (-10, 120, 80));
  g_ptr_array_add (i->vitals, traj_test_vital_new (0, 122, 81));
  g_ptr_array_add (i->vitals, traj_test_vital_new (30, 140, 90));
  g_ptr_array_add (i->vitals, hr_only);                          /* no pressure: never picked */
  g_ptr_array_add (i->vitals, traj_test_vital_new (50, 138, 88));
  g_ptr_array_add (i->vitals, traj_test_vital_new (60, 130, 85));
  g_ptr_array_add (i->vitals, traj_test_vital_new (118, 125, 80));

  /* Before dosing: the last at minute 0 or before. */
  v = traj_rems_bp (i, TRAJ_REMS_BP_BEFORE);
  g_assert_cmpint (v->minute, ==, 0);
  g_assert_cmpint (v->systolic, ==, 122);
  /* About 40: 30 and 50 are both 10 away; the earlier wins. */
  v = traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40);
  g_assert_cmpint (v->minute, ==, 30);
  /* Before leaving: the last at 60 or later. */
  v = traj_rems_bp (i, TRAJ_REMS_BP_LEAVING);
  g_assert_cmpint (v->minute, ==, 118);

  /* A reading at 44 is nearer 40 than 30 is. */
  g_ptr_array_add (i->vitals, traj_test_vital_new (44, 141, 91));
  g_assert_cmpint (traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40)->minute, ==, 44);

  /* Only readings at 1–29 and 60: nothing about 40 minutes after, nothing before. */
  g_ptr_array_set_size (i->vitals, 0);
  g_ptr_array_add (i->vitals, traj_test_vital_new (29, 140, 90));
  g_ptr_array_add (i->vitals, traj_test_vital_new (60, 130, 85));
  g_assert_null (traj_rems_bp (i, TRAJ_REMS_BP_BEFORE));
  g_assert_null (traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40));
  g_assert_cmpint (traj_rems_bp (i, TRAJ_REMS_BP_LEAVING)->minute, ==, 60);
  /* 59 still counts as about 40, not as leaving. */
  g_ptr_array_set_size (i->vitals, 0);
  g_ptr_array_add (i->vitals, traj_test_vital_new (59, 140, 90));
  g_assert_cmpint (traj_rems_bp (i, TRAJ_REMS_BP_AFTER_40)->minute, ==, 59);
  g_assert_null (traj_rems_bp (i, TRAJ_REMS_BP_LEAVING));
}

static const char *
field (const TrajRemsRecord *r, const char *label)
{
  for (guint k = 0; k < r->fields->len; k++)
    {
      const TrajRemsField *f = g_ptr_array_index (r->fields, k);
      if (g_str_equal (f->label, label))
        return f->value ? f->value : "(missing)";
    }
  g_assert_not_reached ();
}

static void
test_completeness (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatient) p = make_patient ();
  g_autoptr(TrajInfusion) i = make_session (fx);
  g_autoptr(TrajRemsRecord) r = NULL;
  g_autofree char *text = NULL;

  g_assert_true (traj_rems_applies (i));

  /* Every field there: complete. 23 + the clinic's two = 26 fields. */
  r = traj_rems_record_new (p, i, "Riverside Ketamine Clinic", "12 Mill Lane, Leeds LS1 4AB");
  g_assert_cmpuint (r->fields->len, ==, 26);
  g_assert_true (traj_rems_record_complete (r));
  text = traj_rems_record_check_text (r);
  g_assert_cmpstr (text, ==, "Complete.");
  g_assert_cmpstr (field (r, "Dose"), ==, "56 mg");
  g_assert_cmpstr (field (r, "Benzodiazepines"), ==, "Yes");
  g_assert_cmpstr (field (r, "Non-benzodiazepine sedative-hypnotics"), ==, "No");
  g_assert_cmpstr (field (r, "Psychostimulants"), ==, "No");
  g_assert_cmpstr (field (r, "MAOIs"), ==, "Yes");
  g_assert_cmpstr (field (r, "Total monitoring time"), ==, "125 minutes");
  g_assert_cmpstr (field (r, "Ready to leave without the 2-hour rule"), ==, "after 70 minutes");
  g_assert_cmpstr (field (r, "Blood pressure before dosing"), ==, "130/80 mmHg (minute -5)");
  g_assert_cmpstr (field (r, "Blood pressure about 40 minutes after dosing"), ==, "150/92 mmHg (minute 40)");
  g_assert_cmpstr (field (r, "Blood pressure before leaving"), ==, "128/78 mmHg (minute 115)");
  g_assert_cmpstr (field (r, "Adverse events (what happened)"), ==, "Nausea, settled by 60 minutes");
  g_clear_pointer (&r, traj_rems_record_free);
  g_clear_pointer (&text, g_free);

  /* Exactly 120 minutes is enough. */
  i->monitoring_min = 120;
  r = traj_rems_record_new (p, i, "Riverside Ketamine Clinic", "12 Mill Lane");
  g_assert_false (r->short_monitoring);
  g_clear_pointer (&r, traj_rems_record_free);

  /* Hand-worked: no address, sex not recorded, no enrolment ID, no lot, an
   * 84.5 mg dose ("other"), 119 minutes, no ready time, no reading about 40
   * minutes after, no answer on sedation, adverse events "yes" with nothing
   * said. Eight fields missing, in the form's order, and the short
   * monitoring said plainly. */
  p->sex = TRAJ_SEX_UNKNOWN;
  g_clear_pointer (&i->rems_patient_id, g_free);
  g_free (i->lot);
  i->lot = g_strdup ("  ");
  i->total_mg = 84.5;
  i->monitoring_min = 119;
  i->ready_at = TRAJ_TIME_NONE;
  g_ptr_array_remove_index (i->vitals, 1);
  i->rems_sedation = -1;
  g_free (i->rems_adverse_note);
  i->rems_adverse_note = g_strdup ("");
  r = traj_rems_record_new (p, i, "Riverside Ketamine Clinic", "");
  g_assert_false (traj_rems_record_complete (r));
  g_assert_true (r->short_monitoring);
  g_assert_cmpuint (r->missing->len, ==, 8);
  text = traj_rems_record_check_text (r);
  g_assert_cmpstr (text, ==,
                   "Missing: Clinic address, Sex, REMS enrolment ID, Lot number, "
                   "Ready to leave without the 2-hour rule, Blood pressure about 40 minutes after dosing, "
                   "Sedation, Adverse events (what happened).\n"
                   "Monitoring lasted 119 minutes, under the 120 minutes the REMS requires.");
  g_assert_cmpstr (field (r, "Dose"), ==, "Other: 84.5 mg");
  g_assert_cmpstr (field (r, "Total monitoring time"), ==, "119 minutes — under the 120 minutes required");
  g_clear_pointer (&r, traj_rems_record_free);
  g_clear_pointer (&text, g_free);

  /* No monitoring time at all is missing, not short. */
  i->monitoring_min = 0;
  i->rems_adverse = 0;
  r = traj_rems_record_new (p, i, NULL, NULL);
  g_assert_false (r->short_monitoring);
  g_assert_cmpstr (field (r, "Total monitoring time"), ==, "(missing)");
  g_assert_cmpstr (field (r, "Adverse events"), ==, "None");
  g_assert_cmpstr (field (r, "Clinic name"), ==, "(missing)");

  /* Only esketamine given intranasally has the record. */
  i->medicine = TRAJ_MEDICINE_KETAMINE;
  g_assert_false (traj_rems_applies (i));
  i->medicine = TRAJ_MEDICINE_ESKETAMINE;
  i->route = TRAJ_ROUTE_IV;
  g_assert_false (traj_rems_applies (i));
}

static void
test_prefill (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajInfusion) first = traj_infusion_new ();
  g_autoptr(TrajInfusion) next = traj_infusion_new ();
  g_autoptr(TrajInfusion) ketamine = NULL;
  g_autoptr(TrajInfusion) s1 = make_session (fx);
  g_autoptr(TrajInfusion) s2 = make_session (fx);
  GError *error = NULL;

  /* An earlier IV ketamine infusion is not an esketamine session. */
  ketamine = traj_test_infusion_new (fx->patient_id, 0, fx->start - 5 * 86400);
  g_assert_true (traj_store_insert_infusion (fx->store, ketamine, &error));
  records = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  first->route = TRAJ_ROUTE_INTRANASAL;
  first->medicine = TRAJ_MEDICINE_ESKETAMINE;
  first->started_at = fx->start;
  first->clinician = g_strdup ("Dr. Okafor");
  traj_rems_prefill (first, records);
  g_assert_cmpint (first->rems_first_session, ==, 1);
  g_assert_null (first->rems_patient_id);
  g_assert_cmpstr (first->rems_monitored_by, ==, "Dr. Okafor");
  g_clear_pointer (&records, traj_patient_records_free);

  /* Two earlier sessions, the later with the enrolment ID "RP-2". */
  s1->started_at = fx->start - 2 * 86400;
  s1->ready_at = s1->started_at + 70 * 60;
  g_free (s1->rems_patient_id);
  s1->rems_patient_id = g_strdup ("RP-1");
  s2->started_at = fx->start - 86400;
  s2->ready_at = s2->started_at + 70 * 60;
  g_free (s2->rems_patient_id);
  s2->rems_patient_id = g_strdup ("RP-2");
  traj_store_insert_infusion (fx->store, s1, &error);
  g_assert_no_error (error);
  g_assert_true (traj_store_insert_infusion (fx->store, s2, &error));
  g_assert_no_error (error);
  records = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  next->route = TRAJ_ROUTE_INTRANASAL;
  next->medicine = TRAJ_MEDICINE_ESKETAMINE;
  next->started_at = fx->start;
  next->rems_monitored_by = g_strdup ("Nurse Patel");
  next->clinician = g_strdup ("Dr. Okafor");
  traj_rems_prefill (next, records);
  g_assert_cmpint (next->rems_first_session, ==, 0);
  g_assert_cmpstr (next->rems_patient_id, ==, "RP-2");
  g_assert_cmpstr (next->rems_monitored_by, ==, "Nurse Patel");   /* answered: kept */
}

/* ---- the one-page PDF ------------------------------------------------------------ */

static TrajPatientRecords *
records_with_session (Fixture *fx, TrajInfusion **session)
{
  g_autoptr(TrajInfusion) i = make_session (fx);
  TrajPatientRecords *records;
  GError *error = NULL;

  g_assert_true (traj_store_insert_infusion (fx->store, i, &error));
  g_assert_no_error (error);
  records = traj_store_load_patient_records (fx->store, fx->patient_id, &error);
  g_assert_no_error (error);
  *session = g_ptr_array_index (records->infusions, 0);
  return records;
}

static void
assert_pdf_file (const char *path)
{
  g_autofree char *bytes = NULL;
  gsize length = 0;
  GStatBuf st;

  g_assert_true (g_file_get_contents (path, &bytes, &length, NULL));
  g_assert_cmpuint (length, >, 4000);
  g_assert_true (memcmp (bytes, "%PDF-", 5) == 0);
  g_assert_nonnull (memmem (bytes + length - 16, 16, "%%EOF", 5));
  /* One page. */
  g_assert_nonnull (memmem (bytes, length, "/Count 1\n", 9) ?: memmem (bytes, length, "/Count 1 ", 9) ?:
                    memmem (bytes, length, "/Count 1>", 9));
  g_assert_null (memmem (bytes, length, "/Count 2", 8));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_pdf (Fixture *fx, gconstpointer data)
{
  TrajInfusion *session = NULL;
  g_autoptr(TrajPatientRecords) records = records_with_session (fx, &session);
  g_autoptr(TrajReport) report = NULL;
  g_autofree char *text = NULL, *pdf = g_build_filename (fx->dir, "rems.pdf", NULL);
  g_autofree char *target = g_build_filename (fx->dir, "elsewhere.txt", NULL);
  g_autofree char *link = g_build_filename (fx->dir, "link.pdf", NULL);
  g_autofree char *kept = NULL;
  TrajReportOptions options;
  GError *error = NULL;
  double w, h;

  traj_report_options_init (&options);
  options.clinic_name = "Riverside Ketamine Clinic";
  report = traj_report_rems_new (records->patient, session, &options, "12 Mill Lane, Leeds");
  g_assert_nonnull (report);
  for (TrajPaperSize paper = TRAJ_PAPER_A4; paper <= TRAJ_PAPER_LETTER; paper++)
    {
      traj_paper_size_get_size (paper, &w, &h);
      g_assert_cmpint (traj_report_get_n_pages (report, w, h), ==, 1);
    }
  text = traj_report_get_text (report);
  g_assert_nonnull (strstr (text, "Esketamine Monitoring Record"));
  g_assert_nonnull (strstr (text, "Ada Abbott"));
  g_assert_nonnull (strstr (text, "LOT-7731"));
  g_assert_nonnull (strstr (text, "Nurse Patel"));
  g_assert_nonnull (strstr (text, "150/92 mmHg (minute 40)"));
  g_assert_nonnull (strstr (text, "Complete."));

  g_assert_true (traj_report_write_pdf (report, &options, pdf, &error));
  g_assert_no_error (error);
  assert_pdf_file (pdf);

  /* Never written through a symbolic link: refused, the link's target unchanged. */
  g_assert_true (g_file_set_contents (target, "not yours", -1, NULL));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_false (traj_report_write_pdf (report, &options, link, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (target, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "not yours");
}

/* An incomplete record says what is missing on the page. */
static void
test_pdf_incomplete (Fixture *fx, gconstpointer data)
{
  TrajInfusion *session = NULL;
  g_autoptr(TrajPatientRecords) records = records_with_session (fx, &session);
  g_autoptr(TrajReport) report = NULL;
  g_autofree char *text = NULL;
  TrajReportOptions options;

  session->monitoring_min = 100;
  g_clear_pointer (&session->lot, g_free);
  traj_report_options_init (&options);
  report = traj_report_rems_new (records->patient, session, &options, NULL);
  text = traj_report_get_text (report);
  g_assert_nonnull (strstr (text, "Missing: Clinic name, Clinic address, Lot number."));
  g_assert_nonnull (strstr (text, "Monitoring lasted 100 minutes, under the 120 minutes the REMS requires."));
}

/* ---- trajectory-cli rems ---------------------------------------------------- */

static int
run_cli (Fixture *fx, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  const char *cli = g_getenv ("TRAJECTORY_CLI");
  GError *error = NULL;
  va_list args;
  int status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  g_ptr_array_add (argv, "--database");
  g_ptr_array_add (argv, fx->path);
  va_start (args, err);
  for (const char *a = va_arg (args, const char *); a; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  env = g_environ_setenv (env, "TRAJECTORY_CLINICIAN", "Dr. Test", TRUE);
  g_assert_true (g_spawn_sync (fx->dir, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

static void
test_cli (Fixture *fx, gconstpointer data)
{
  TrajInfusion *session = NULL;
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autofree char *pdf = g_build_filename (fx->dir, "session.pdf", NULL);
  g_autofree char *link = g_build_filename (fx->dir, "link.pdf", NULL);
  g_autofree char *target = g_build_filename (fx->dir, "target.pdf", NULL);
  g_autofree char *uid = NULL;
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("the CLI test runs on the clinic file"))
    return;
  records = records_with_session (fx, &session);
  uid = g_strdup (session->uid);
  g_assert_true (traj_store_set_setting (fx->store, "clinic-name", "Riverside Ketamine Clinic", &error));
  g_assert_no_error (error);
  g_clear_object (&fx->store);

  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (fx, &out, &err, "rems", "--infusion", uid, "--output", pdf, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "Missing: Clinic address."));
  }
  assert_pdf_file (pdf);
  g_assert_cmpint (traj_test_query_int (fx->path, "SELECT count(*) FROM audit_event WHERE action = 'report' "
                                                  "AND summary LIKE '%monitoring record%'"), ==, 1);

  /* Not an esketamine session, an unknown uid, no .pdf, a symbolic link: refused, nothing written. */
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (fx, &out, &err, "rems", "--infusion", "no-such-uid", "--output", target, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "No session has the id “no-such-uid”."));
    g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (fx, &out, &err, "rems", "--infusion", uid, "--output", "x.txt", NULL), ==, 2);
    g_assert_nonnull (strstr (err, ".pdf"));
  }
  {
    g_autofree char *out = NULL, *err = NULL, *kept = NULL;
    g_assert_true (g_file_set_contents (target, "keep", -1, NULL));
    g_assert_cmpint (symlink (target, link), ==, 0);
    g_assert_cmpint (run_cli (fx, &out, &err, "rems", "--infusion", uid, "--output", link, NULL), ==, 1);
    g_assert_true (g_file_get_contents (target, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "keep");
  }
}

static void
test_cli_not_esketamine (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajInfusion) iv = traj_test_infusion_new (fx->patient_id, fx->course_id, fx->start);
  g_autofree char *pdf = g_build_filename (fx->dir, "iv.pdf", NULL);
  g_autofree char *out = NULL, *err = NULL;
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("the CLI test runs on the clinic file"))
    return;
  g_assert_true (traj_store_insert_infusion (fx->store, iv, &error));
  g_assert_no_error (error);
  g_clear_object (&fx->store);
  g_assert_cmpint (run_cli (fx, &out, &err, "rems", "--infusion", iv->uid, "--output", pdf, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "only for intranasal esketamine sessions"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/rems/store", test_store);
  g_test_add_func ("/rems/blood-pressures", test_blood_pressures);
  ADD ("/rems/completeness", test_completeness);
  ADD ("/rems/prefill", test_prefill);
  ADD ("/rems/pdf", test_pdf);
  ADD ("/rems/pdf-incomplete", test_pdf_incomplete);
  ADD ("/rems/cli", test_cli);
  ADD ("/rems/cli-not-esketamine", test_cli_not_esketamine);
  return g_test_run ();
}
