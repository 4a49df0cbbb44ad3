/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Audit Trail window (issue 16 §3) driven through its real widgets:
 * filter by patient, person, action and dates, page through a long trail,
 * select an event and read its detail, and export what the filters show
 * as CSV — through the safe writer, formulas neutralised, and the export
 * itself in the trail. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "traj-audit-csv.h"
#include "traj-audit-output.h"
#include "traj-audit-text.h"
#include "traj-audit-window-private.h"
#include "traj-cohort-view.h"
#include "traj-demo.h"
#include "traj-patient-page-private.h"
#include "traj-report-print.h"
#include "traj-window.h"
#include "traj-gui.h"

#include "test-wait.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  TrajPatient *ada;                /* created, then renamed */
  TrajPatient *ben;                /* created by "@Dr Eve" */
} Fixture;

static TrajPatient *
add_patient (Fixture *f, const char *mrn, const char *name)
{
  TrajPatient *p = traj_patient_new ();
  g_autoptr(GError) error = NULL;

  p->mrn = g_strdup (mrn);
  p->name = g_strdup (name);
  p->birth_day = traj_day_from_ymd (1980, 5, 17);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  return p;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("traj-audit-window-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);

  traj_store_set_clinician (f->store, "Dr. Okafor");
  f->ada = add_patient (f, "MRN-1", "Ada Abbott");
  g_free (f->ada->name);
  f->ada->name = g_strdup ("Ada Abbot-Smith");
  g_assert_true (traj_store_update_patient (f->store, f->ada, &error));
  g_assert_no_error (error);
  /* A clinician's name a spreadsheet would run as a formula. */
  traj_store_set_clinician (f->store, "@Dr Eve");
  f->ben = add_patient (f, "MRN-2", "Ben Brandt");
  traj_store_set_clinician (f->store, "Dr. Okafor");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  traj_patient_free (f->ada);
  traj_patient_free (f->ben);
  g_clear_object (&f->store);
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
count_all (Fixture *f)
{
  TrajAuditFilter all = { .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  g_autoptr(GError) error = NULL;
  gint64 n = traj_store_count_audit_filtered (f->store, &all, &error);

  g_assert_no_error (error);
  return n;
}

static guint
n_listed (TrajAuditWindow *w)
{
  return g_list_model_get_n_items (G_LIST_MODEL (w->events));
}

static void
select_choice (GtkDropDown *drop, const char *label)
{
  GListModel *model = gtk_drop_down_get_model (drop);

  for (guint k = 0; k < g_list_model_get_n_items (model); k++)
    {
      g_autoptr(GtkStringObject) s = g_list_model_get_item (model, k);

      if (g_str_equal (gtk_string_object_get_string (s), label))
        {
          gtk_drop_down_set_selected (drop, k);
          return;
        }
    }
  g_error ("no choice “%s”", label);
}

static void
set_date (TrajDateEntry *entry, const char *text)
{
  gtk_editable_set_text (traj_date_entry_get_editable (entry), text);
}

/* The text of every label under @widget, one per line. */
static void
collect_text (GtkWidget *widget, GString *out)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_text (c, out);
}

static char *
detail_text (TrajAuditWindow *w)
{
  GString *out = g_string_new (NULL);

  collect_text (GTK_WIDGET (w->detail_stack), out);
  return g_string_free (out, FALSE);
}

static TrajAuditWindow *
open_window (Fixture *f)
{
  TrajAuditWindow *w = TRAJ_AUDIT_WINDOW (traj_audit_window_new (NULL, f->store));

  g_object_ref_sink (w);
  gtk_window_present (GTK_WINDOW (w));
  WAIT_UNTIL (w->chain != TRAJ_AUDIT_CHAIN_CHECKING);
  return w;
}

static void
close_window (TrajAuditWindow *w)
{
  gtk_window_destroy (GTK_WINDOW (w));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (w);
}

static void
test_filter_select_export (Fixture *f, gconstpointer data)
{
  TrajAuditWindow *w = open_window (f);
  gint64 total = count_all (f);
  g_autofree char *out = g_build_filename (f->dir, "trail.csv", NULL);
  g_autofree char *chain = NULL, *text = NULL, *csv = NULL, *expected_chain = NULL;
  g_autoptr(GError) error = NULL;
  const TrajAuditEvent *e;
  struct stat st;

  /* The chain is checked and said plainly; the newest event is on top. */
  g_assert_cmpint (w->chain, ==, TRAJ_AUDIT_CHAIN_WHOLE);
  expected_chain = g_strdup_printf ("The audit trail is whole: all %" G_GINT64_FORMAT " events are linked, "
                                    "none was changed or removed.", total);
  g_assert_cmpstr (gtk_label_get_text (w->chain_label), ==, expected_chain);
  g_assert_cmpuint (n_listed (w), ==, (guint) total);
  g_assert_cmpstr (traj_audit_window_get_event (w, 0)->record_uid, ==, f->ben->uid);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (w->detail_stack), ==, "none");

  /* Action: the one edit. */
  select_choice (w->action_drop, "Changed");
  g_assert_cmpuint (n_listed (w), ==, 1);
  e = traj_audit_window_get_event (w, 0);
  g_assert_cmpstr (e->record_uid, ==, f->ada->uid);
  gtk_single_selection_set_selected (w->selection, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (w->detail_stack), ==, "event");
  text = detail_text (w);
  /* Field, before and after, each in its own cell; who, from the store. */
  g_assert_nonnull (strstr (text, "What Changed\nField\nBefore\nAfter\nName\nAda Abbott\nAda Abbot-Smith\n"));
  g_assert_nonnull (strstr (text, "Clinician\nDr. Okafor\n"));
  g_assert_nonnull (strstr (text, "Patient\nAda Abbot-Smith (MRN MRN-1)\n"));
  g_clear_pointer (&text, g_free);

  /* Person: "@Dr Eve" made Ben only. */
  select_choice (w->action_drop, "Any action");
  select_choice (w->person_drop, "@Dr Eve");
  g_assert_cmpuint (n_listed (w), ==, 1);
  g_assert_cmpstr (traj_audit_window_get_event (w, 0)->record_uid, ==, f->ben->uid);
  /* The selected edit is no longer listed: nothing is shown for it. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (w->detail_stack), ==, "none");
  select_choice (w->person_drop, "Anyone");

  /* Dates: everything happened today; tomorrow on, nothing. */
  {
    g_autofree char *today = traj_day_to_iso (traj_day_today ());
    g_autofree char *tomorrow = traj_day_to_iso (traj_day_today () + 1);

    set_date (w->from_entry, today);
    set_date (w->to_entry, today);
    g_assert_cmpuint (n_listed (w), ==, (guint) total);
    set_date (w->to_entry, "");
    set_date (w->from_entry, tomorrow);
    g_assert_cmpuint (n_listed (w), ==, 0);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (w->list_stack), ==, "empty");
    g_assert_false (gtk_widget_is_sensitive (w->export_button));
    /* A "To" before the "From" is said, not silently empty. */
    set_date (w->to_entry, today);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (w->filter_message)));
    g_assert_cmpstr (gtk_label_get_text (w->filter_message), ==, "The “To” date is before the “From” date.");
    set_date (w->to_entry, "2026-13-01");
    g_assert_cmpstr (gtk_label_get_text (w->filter_message), ==,
                     "Type dates as YYYY-MM-DD, for example 2026-03-14, or pick them from the calendar.");
    gtk_widget_activate_action (GTK_WIDGET (w), "audit.clear-filters", NULL);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (w->filter_message)));
    g_assert_cmpuint (n_listed (w), ==, (guint) total);
  }

  /* Patient: Ada's creation and her edit, exported. */
  select_choice (w->patient_drop, "Ada Abbot-Smith (MRN MRN-1)");
  g_assert_cmpuint (n_listed (w), ==, 2);
  g_assert_true (gtk_widget_is_sensitive (w->export_button));
  traj_audit_window_export_to_path (w, out);
  WAIT_UNTIL (w->last_toast != NULL);
  g_assert_cmpstr (adw_toast_get_title (w->last_toast), ==, "2 events exported to “trail.csv”");
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (out, &csv, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (csv, traj_audit_csv_header));
  {
    g_auto(GStrv) rows = g_strsplit (csv, "\r\n", -1);

    /* Header, the edit (newest first), the creation, and the final "". */
    g_assert_cmpuint (g_strv_length (rows), ==, 4);
    g_assert_nonnull (strstr (rows[1], ",Dr. Okafor,update,patient,"));
    g_assert_nonnull (strstr (rows[1], "\"name: Ada Abbott → Ada Abbot-Smith\n\""));
    /* …then the same for a person: the title and the field in words. */
    g_assert_true (g_str_has_suffix (rows[1], ",\"Patient, MRN MRN-1\",\"Name: Ada Abbott → Ada Abbot-Smith\n\""));
    g_assert_nonnull (strstr (rows[2], ",Dr. Okafor,insert,patient,"));
    g_assert_cmpstr (rows[3], ==, "");
  }
  g_clear_pointer (&csv, g_free);

  /* The export is in the trail, naming the file and the patient; the list
   * shows it at once. */
  WAIT_UNTIL (n_listed (w) == 3);
  e = traj_audit_window_get_event (w, 0);
  g_assert_cmpstr (e->action, ==, "audit-export");
  g_assert_cmpstr (e->patient_uid, ==, f->ada->uid);
  g_assert_cmpstr (e->summary, ==, "audit trail, 2 events: 1 patient");
  {
    g_autofree char *detail = g_strdup_printf ("to: %s\npatient: %s\n", out, f->ada->uid);
    g_assert_cmpstr (e->detail, ==, detail);
  }
  gtk_single_selection_set_selected (w->selection, 0);
  text = detail_text (w);
  g_assert_nonnull (strstr (text, "What happened\nAudit trail exported\n"));
  g_test_message ("%s", text);
  {
    g_autofree char *where = g_strdup_printf ("Where It Went\n%s\nPatients\nAda Abbot-Smith (MRN MRN-1)\n", out);
    g_assert_nonnull (strstr (text, where));
  }

  /* The whole trail: "@Dr Eve" is written as text a spreadsheet shows. */
  gtk_widget_activate_action (GTK_WIDGET (w), "audit.clear-filters", NULL);
  w->last_toast = NULL;
  traj_audit_window_export_to_path (w, out);
  WAIT_UNTIL (w->last_toast != NULL);
  g_assert_true (g_file_get_contents (out, &csv, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (csv, ",'@Dr Eve,insert,patient,"));
  g_assert_null (strstr (csv, ",@Dr Eve"));

  close_window (w);
}

/* A trail longer than a page loads a page at a time. */
static void
test_pages (Fixture *f, gconstpointer data)
{
  TrajAuditWindow *w;
  g_autoptr(GError) error = NULL;
  gint64 total;

  for (guint k = 0; k < 2 * TRAJ_AUDIT_PAGE + 50; k++)
    {
      g_autofree char *target = g_strdup_printf ("/tmp/out-%u.pdf", k);
      const char *who[] = { f->ada->uid, NULL };

      g_assert_true (traj_store_audit_output (f->store, "report", "progress report", who, target, &error));
      g_assert_no_error (error);
    }
  total = count_all (f);
  w = open_window (f);
  g_assert_cmpuint (n_listed (w), ==, TRAJ_AUDIT_PAGE);
  g_assert_true (gtk_widget_get_visible (w->more_button));
  {
    g_autofree char *shown = g_strdup_printf ("Showing the newest %u of %" G_GINT64_FORMAT " events",
                                              TRAJ_AUDIT_PAGE, total);
    g_assert_cmpstr (gtk_label_get_text (w->shown_label), ==, shown);
  }
  {
    g_autofree char *newest = g_strdup_printf ("to: /tmp/out-%u.pdf\npatient: %s\n", 2 * TRAJ_AUDIT_PAGE + 49,
                                               f->ada->uid);
    g_assert_cmpstr (traj_audit_window_get_event (w, 0)->detail, ==, newest);
  }
  /* Each page follows on from the last: no event twice, none left out. */
  gtk_widget_activate_action (GTK_WIDGET (w), "audit.show-more", NULL);
  g_assert_cmpuint (n_listed (w), ==, 2 * TRAJ_AUDIT_PAGE);
  gtk_widget_activate_action (GTK_WIDGET (w), "audit.show-more", NULL);
  g_assert_cmpuint (n_listed (w), ==, (guint) total);
  g_assert_false (gtk_widget_get_visible (w->more_button));
  for (guint k = 1; k < n_listed (w); k++)
    g_assert_cmpint (traj_audit_window_get_event (w, k)->id, <, traj_audit_window_get_event (w, k - 1)->id);
  {
    g_autofree char *shown = g_strdup_printf ("Showing all %" G_GINT64_FORMAT " matching events", total);
    g_assert_cmpstr (gtk_label_get_text (w->shown_label), ==, shown);
  }
  close_window (w);
}

/* The main window's menu and shortcut open it, once. */
static void
test_from_menu (Fixture *f, gconstpointer data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajWindow *win = g_object_ref_sink (traj_window_new (NULL, f->store, settings));
  GtkWidget *audit;

  gtk_window_present (GTK_WINDOW (win));
  g_assert_null (traj_window_get_audit_window (win));
  gtk_widget_activate_action (GTK_WIDGET (win), "win.audit-trail", NULL);
  audit = traj_window_get_audit_window (win);
  g_assert_nonnull (audit);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.audit-trail", NULL);
  g_assert_true (traj_window_get_audit_window (win) == audit);
  WAIT_UNTIL (TRAJ_AUDIT_WINDOW (audit)->chain != TRAJ_AUDIT_CHAIN_CHECKING);
  /* It goes with the main window. */
  g_object_add_weak_pointer (G_OBJECT (audit), (gpointer *) &audit);
  gtk_window_destroy (GTK_WINDOW (win));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (win);
  g_assert_null (audit);
}

/* The newest event of @action, or NULL. */
static TrajAuditEvent *
newest (TrajStore *store, const char *action)
{
  TrajAuditFilter f = { .action = action, .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE, .limit = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = traj_store_list_audit_filtered (store, &f, &error);

  g_assert_no_error (error);
  return events->len ? g_ptr_array_steal_index (events, 0) : NULL;
}

/* Every output the GUI makes of patient data — a report's PDF, a print,
 * a chart, a cohort's report, chart and table — is one event naming the
 * file (or printer) and the patients it holds. */
static void
test_gui_outputs (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->dir, "demo.db", NULL);
  g_autofree char *pdf = g_build_filename (f->dir, "report.pdf", NULL);
  g_autofree char *printed = g_build_filename (f->dir, "printed.pdf", NULL);
  g_autofree char *chart = g_build_filename (f->dir, "chart.svg", NULL);
  g_autoptr(TrajStore) store = traj_store_open (db, &error);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) patients = NULL;
  const TrajPatientSummary *p;
  TrajAuditEvent *e;
  TrajWindow *win;

  g_assert_no_error (error);
  g_assert_true (traj_demo_generate (store, 5, 8, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  patients = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  p = g_ptr_array_index (patients, 0);

  /* The progress report as a PDF, and printed (here into a file). */
  {
    g_autofree char *want = g_strdup_printf ("to: %s\npatient: %s\n", pdf, p->uid);
    traj_report_export_patient_pdf_to_path (NULL, store, settings, p->id, pdf);
    WAIT_UNTIL ((e = newest (store, "report")) != NULL);
    g_assert_cmpstr (e->summary, ==, "progress report (PDF): 1 patient");
    g_assert_cmpstr (e->detail, ==, want);
    g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
    traj_audit_event_free (e);
  }
  {
    g_autofree char *want = g_strdup_printf ("to: %s\npatient: %s\n", printed, p->uid);
    traj_report_print_patient_to_file (NULL, store, settings, p->id, printed);
    WAIT_UNTIL ((e = newest (store, "print")) != NULL);
    g_assert_cmpstr (e->summary, ==, "progress report: 1 patient");
    g_assert_cmpstr (e->detail, ==, want);
    g_assert_true (g_file_test (printed, G_FILE_TEST_IS_REGULAR));
    traj_audit_event_free (e);
  }

  win = g_object_ref_sink (traj_window_new (NULL, store, settings));
  gtk_window_present (GTK_WINDOW (win));

  /* The patient's chart, from the chart's export. */
  {
    g_autofree char *want = g_strdup_printf ("to: %s\npatient: %s\n", chart, p->uid);
    TrajPatientPage *page;

    traj_window_show_patient (win, p->id);
    WAIT_UNTIL ((page = TRAJ_PATIENT_PAGE (traj_window_get_patient_page (win))) != NULL &&
                page->records != NULL && traj_patient_page_get_patient (page) == p->id);
    g_assert_true (traj_chart_panel_export (page->chart, chart, &error));
    g_assert_no_error (error);
    e = newest (store, "chart");
    g_assert_nonnull (e);
    g_assert_cmpstr (e->summary, ==, "patient chart: 1 patient");
    g_assert_cmpstr (e->detail, ==, want);
    traj_audit_event_free (e);
  }

  /* The cohort's report, chart and table, with every patient of it. */
  {
    TrajCohortView *view = TRAJ_COHORT_VIEW (traj_window_get_cohort_view (win));
    const char *what[] = { "report", "png", "metrics" };
    const char *action[] = { "report", "chart", "export" };
    const char *name[] = { "cohort.pdf", "cohort.png", "cohort.csv" };
    g_auto(GStrv) who = NULL;

    traj_cohort_view_refresh (view);
    WAIT_UNTIL (!traj_cohort_view_is_busy (view) && traj_cohort_view_get_report (view) != NULL);
    who = traj_audit_cohort_patients (traj_cohort_view_get_report (view));
    g_assert_cmpuint (g_strv_length (who), >, 1);
    for (guint k = 0; k < G_N_ELEMENTS (what); k++)
      {
        g_autofree char *path = g_build_filename (f->dir, name[k], NULL);
        g_autoptr(GString) want = g_string_new (NULL);

        g_string_printf (want, "to: %s\n", path);
        for (guint i = 0; who[i]; i++)
          g_string_append_printf (want, "patient: %s\n", who[i]);
        g_assert_true (traj_cohort_view_export_to_path (view, what[k], path, &error));
        g_assert_no_error (error);
        e = newest (store, action[k]);
        g_assert_nonnull (e);
        g_assert_cmpstr (e->detail, ==, want->str);
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
        traj_audit_event_free (e);
      }
  }

  gtk_window_destroy (GTK_WINDOW (win));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (win);
}

static const char *
batch_name (gpointer data, const char *uid)
{
  return g_str_equal (uid, "P1") ? "Ada (MRN 1)" : NULL;
}

/* Issue 16: the detail showed "risk_si_at 1796659914"; a batch's counts
 * "vital_sign 172"; an esketamine session "0.00 mg/kg". What a person reads
 * is in words, in local time, with the fixed dose in mg. */
static void
test_readable (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  TrajAuditWindow *w;
  g_autofree char *text = NULL;

  /* 2026-12-07 16:11:54 UTC is 11:11 in New York. */
  g_assert_true (traj_store_set_setting (f->store, "time-zone", "America/New_York", &error));
  g_assert_no_error (error);
  g_assert_true (traj_set_clinic_time_zone ("America/New_York"));
  f->ada->risk_si_at = 1796659914;
  g_free (f->ada->risk_si_by);
  f->ada->risk_si_by = g_strdup ("Dr. Okafor");
  f->ada->birth_day = traj_day_from_ymd (1981, 2, 3);
  f->ada->sex = TRAJ_SEX_MALE;
  g_assert_true (traj_store_update_patient (f->store, f->ada, &error));
  g_assert_no_error (error);

  w = open_window (f);
  select_choice (w->action_drop, "Changed");
  /* Ada's two edits and the clinic's time zone. */
  g_assert_cmpuint (n_listed (w), ==, 3);
  gtk_single_selection_set_selected (w->selection, 0);
  text = detail_text (w);
  g_assert_nonnull (strstr (text, "\nBirth date\n17 May 1980\n3 Feb 1981\n"));
  g_assert_nonnull (strstr (text, "\nSex\nFemale\nMale\n"));
  g_assert_nonnull (strstr (text, "\nSuicidal ideation risk flagged\n(empty)\n7 Dec 2026, 11:11\n"));
  g_assert_nonnull (strstr (text, "\nSuicidal ideation risk flagged by\n(empty)\nDr. Okafor\n"));
  g_assert_null (strstr (text, "1796659914"));
  g_assert_null (strstr (text, "risk_si"));
  g_assert_nonnull (strstr (text, "Patient, MRN MRN-1\n"));
  close_window (w);

  /* Titles of what other writers store, old forms included. */
  {
    static const struct { const char *action, *kind, *summary, *title; } cases[] = {
      { "demo", "counts", "demo: patient 5, course 5, infusion 35, vital_sign 172, assessment 146, flag_decision 2",
        "Records written: 5 patients, 5 treatment courses, 35 infusions, 172 vital-sign readings, "
        "146 questionnaires, 2 safety decisions" },
      { "import", "counts", "import: patient 1, course 0, infusion 0, vital_sign 0, assessment 1, flag_decision 0",
        "Records written: 1 patient, 1 questionnaire" },
      { "demo", "counts", "demo: patient 2, course 2, infusion 0, vital_sign 0, assessment 0, flag_decision 0, "
        "medication 3", "Records written: 2 patients, 2 treatment courses, 3 medicines" },
      { "import", "records", "import: records written, part 2 (500)", "Records written, part 2: 500 records" },
      { "demo", "clinic", "demo clinic: seed 20261122, 5 patients", "Demo clinic of 5 patients (seed 20261122)" },
      { "import", "clinic", "import: unfinished, removed: 12 hidden patients and their records",
        "Unfinished import removed: 12 patients and their records, never shown" },
      { "import", "clinic", "import: unfinished, removed: 0 hidden patients and their records, "
        "3 hidden records of other patients",
        "Unfinished import removed, never shown: new patients with their records: 0; "
        "records added to other patients: 3" },
      { "import", "clinic", "import: unfinished, removed: 2 hidden patients and their records, "
        "0 hidden records of other patients", "Unfinished import removed: 2 patients and their records, never shown" },
      { "demo", "clinic", "demo: unfinished, removed: 1 hidden patients and their records",
        "Unfinished demo clinic removed: 1 patient and their records, never shown" },
      { "insert", "infusion", "infusion intranasal induction 0.00 mg/kg 56.0 mg, 3 vital readings",
        "Infusion: Intranasal, Induction, 56 mg, 3 vital-sign readings" },
      { "update", "infusion", "infusion intranasal maintenance 84.0 mg, 1 vital readings",
        "Infusion: Intranasal, Maintenance, 84 mg, 1 vital-sign reading" },
      { "insert", "infusion", "infusion iv induction 0.50 mg/kg 35.0 mg, 4 vital readings",
        "Infusion: Intravenous, Induction, 0.50 mg/kg (35.0 mg), 4 vital-sign readings" },
      { "insert", "assessment", "phq9 total 14 (tablet)", "PHQ-9 total 14 (Tablet)" },
      { "report", "patient", "progress report (PDF): 1 patient", "Progress report (PDF): 1 patient" },
      { "export", "clinic", "CSV export: the whole clinic", "CSV export: the whole clinic" },
      { "export", "patient", "FHIR export of MRN 1004: 1 patient", "FHIR export of MRN 1004: 1 patient" },
      { "migrate", "schema", "PRAGMA user_version = 9; PRAGMA application_id = 1;", "Clinic file brought up to version 9" },
      { "right-pin", "staff_pin", "staff PIN accepted", "staff PIN accepted" },
      /* The clinician trial's raw codes (issue 17), in words. */
      { "insert", "flag_decision", "no_response: plan_reviewed", "No response after induction: Plan reviewed" },
      { "insert", "flag_decision", "booster: declined", "A booster might be discussed: Declined" },
      { "insert", "kiosk_checkin", "tablet check-in for phq9 (with the birth date)",
        "Tablet check-in code for PHQ-9, asking the birth date" },
      { "insert", "kiosk_checkin", "tablet check-in for phq9,gad7", "Tablet check-in code for PHQ-9, GAD-7" },
      { "delete", "assessment", "assessment", "Questionnaire" },
      { "undelete", "patient", "patient", "Patient" },
    };

    for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
      {
        TrajAuditEvent e = { .action = (char *) cases[k].action, .record_kind = (char *) cases[k].kind,
                             .summary = (char *) cases[k].summary };
        g_autofree char *title = traj_audit_event_title (&e);

        g_assert_cmpstr (title, ==, cases[k].title);
      }
  }
  {
    static const struct { const char *field, *value, *label, *shown; } cases[] = {
      { "minute 15 systolic", "141", "Systolic (mmHg) at 15 min", "141" },
      { "item 9 value", "2", "Item 9", "2" },
      { "side_effects", "nausea,dizziness", "Side effects", "Nausea, Dizziness" },
      { "ready_at", "", "Ready to leave at", "" },
      { "end_date", "2026-03-14", "End date", "14 Mar 2026" },
      { "complete", "1", "Complete", "Yes" },
      { "safety_highest", "1", "Highest item 9 answer on the tablet", "1" },
      { "no_such_column", "x", "no_such_column", "x" },
    };

    for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
      {
        g_autofree char *label = traj_audit_field_label (cases[k].field);
        g_autofree char *shown = traj_audit_field_value (cases[k].field, cases[k].value);

        g_assert_cmpstr (label, ==, cases[k].label);
        g_assert_cmpstr (shown, ==, cases[k].shown);
      }
  }
  /* A batch's list, a line per patient; an older list without patients. */
  {
    g_autofree char *batch = traj_audit_batch_text ("patient P1\ncourse C1 P1\ninfusion I1 P1\nvital_sign V1 P1\n"
                                                   "vital_sign V2 P1\nassessment A1 P2\ncourse C2\n",
                                                   batch_name, NULL);
    g_autofree char *bad = traj_audit_batch_text ("to: /tmp/x\n", batch_name, NULL);

    g_assert_cmpstr (batch, ==, "Ada (MRN 1): 1 patient, 1 treatment course, 1 infusion, 2 vital-sign readings\n"
                               "P2: 1 questionnaire\n"
                               "Patient not listed: 1 treatment course\n");
    g_assert_null (bad);
  }
  traj_set_clinic_time_zone (NULL);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());
  g_test_add ("/audit-window/filter-select-export", Fixture, NULL, fixture_setup, test_filter_select_export,
              fixture_teardown);
  g_test_add ("/audit-window/readable", Fixture, NULL, fixture_setup, test_readable, fixture_teardown);
  g_test_add ("/audit-window/pages", Fixture, NULL, fixture_setup, test_pages, fixture_teardown);
  g_test_add ("/audit-window/from-menu", Fixture, NULL, fixture_setup, test_from_menu, fixture_teardown);
  g_test_add ("/audit-window/gui-outputs", Fixture, NULL, fixture_setup, test_gui_outputs, fixture_teardown);
  return g_test_run ();
}
