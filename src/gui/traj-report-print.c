/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "traj-outcomes.h"
#include "traj-gui.h"
#include "traj-report-print.h"
#include "traj-report.h"
#include "traj-save-chooser.h"

/* One print or export, from the click to the last page. */
typedef struct {
  GtkWindow *parent;             /* strong: dialogs need it after the worker */
  TrajStore *store;              /* the worker's own connection */
  gint64 patient_id;
  TrajThresholds thresholds;
  char *clinic_name;
  char *prepared_by;
  TrajPaperSize paper;
  char *path;                    /* export: the file to write */
  char *print_file;              /* print to this PDF file without a dialog (tests) */
  gint64 generated_at;
  char *patient_name;
  char *mrn;
  char *patient_uid;
  TrajReport *report;            /* print: built by the worker, drawn here */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->parent);
  g_clear_object (&job->store);
  g_free (job->clinic_name);
  g_free (job->prepared_by);
  g_free (job->path);
  g_free (job->print_file);
  g_free (job->patient_name);
  g_free (job->mrn);
  g_free (job->patient_uid);
  g_clear_pointer (&job->report, traj_report_free);
  g_free (job);
}

static void
show_error (GtkWindow *parent, const char *heading, const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static TrajPaperSize
locale_paper (void)
{
  g_autoptr(GtkPaperSize) size = gtk_paper_size_new (NULL);   /* the locale's default */
  const char *name = gtk_paper_size_get_name (size);

  return g_str_has_prefix (name, "na_") ? TRAJ_PAPER_LETTER : TRAJ_PAPER_A4;
}

static Job *
job_new (GtkWindow *parent, TrajStore *store, GSettings *settings, gint64 patient_id, GError **error)
{
  Job *job = g_new0 (Job, 1);

  job->parent = parent ? g_object_ref (parent) : NULL;
  job->patient_id = patient_id;
  traj_thresholds_init_defaults (&job->thresholds);
  if (settings)
    traj_thresholds_load (&job->thresholds, settings);
  job->clinic_name = traj_gui_settings_string (settings, "clinic-name");
  job->prepared_by = traj_gui_settings_string (settings, "clinician-name");
  if ((job->prepared_by == NULL || *job->prepared_by == '\0') && traj_store_get_clinician (store))
    {
      g_free (job->prepared_by);
      job->prepared_by = g_strdup (traj_store_get_clinician (store));
    }
  job->paper = locale_paper ();
  job->generated_at = traj_time_now ();
  /* Opened here so the caller's store is never touched from the worker. */
  job->store = traj_store_open_secondary (store, error);
  if (job->store == NULL)
    {
      job_free (job);
      return NULL;
    }
  return job;
}

static void
job_options (const Job *job, TrajReportOptions *options)
{
  traj_report_options_init (options);
  options->clinic_name = job->clinic_name;
  options->prepared_by = job->prepared_by;
  options->paper = job->paper;
  options->generated_at = job->generated_at;
}

/* Worker: read the patient, run the engine, and build the report (print)
 * or write the PDF (export). */
static void
report_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(TrajPatientRecords) records = NULL;
  g_autoptr(TrajOutcomes) outcomes = NULL;
  GError *error = NULL;
  TrajReportOptions options;

  /* On a clinic server a report is in the access log before it is made. */
  if (!traj_store_record_read (job->store, job->patient_id, "report", &error) ||
      (records = traj_store_load_patient_records (job->store, job->patient_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A questionnaire the patient is answering now is not "interrupted";
   * without the tablet's state the draft keeps its saved note. */
  if (!traj_store_note_tablet_in_progress (job->store, records, &error))
    {
      g_message ("Could not tell which tablet questionnaires are in progress: %s", error->message);
      g_clear_error (&error);
    }
  outcomes = traj_outcomes_compute (records, &job->thresholds, traj_time_now ());
  job->patient_name = g_strdup (records->patient->name);
  job->mrn = g_strdup (records->patient->mrn);
  job->patient_uid = g_strdup (records->patient->uid);
  job_options (job, &options);

  if (job->path)
    {
      const char *who[] = { job->patient_uid, NULL };

      /* Once the file is complete, who made it and where it went. */
      if (!traj_report_patient_write_pdf (records, outcomes, &options, job->path, &error) ||
          !traj_store_audit_output (job->store, "report", "progress report (PDF)", who, job->path, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else
    job->report = traj_report_patient_new (records, outcomes, &options);
  g_task_return_boolean (task, TRUE);
}

/* ---- print ------------------------------------------------------------------ */

static void
begin_print_cb (GtkPrintOperation *op,
                GtkPrintContext   *context,
                Job               *job)
{
  int n = traj_report_get_n_pages (job->report,
                                   gtk_print_context_get_width (context),
                                   gtk_print_context_get_height (context));
  gtk_print_operation_set_n_pages (op, MAX (n, 1));
}

static void
draw_page_cb (GtkPrintOperation *op,
              GtkPrintContext   *context,
              int                page,
              Job               *job)
{
  traj_report_draw_page (job->report, gtk_print_context_get_cairo_context (context), page,
                         gtk_print_context_get_width (context),
                         gtk_print_context_get_height (context));
}

/* Where a print went: the file of a print to file, else the printer. */
static char *
print_target (GtkPrintOperation *op)
{
  GtkPrintSettings *settings = gtk_print_operation_get_print_settings (op);
  const char *uri = settings ? gtk_print_settings_get (settings, GTK_PRINT_SETTINGS_OUTPUT_URI) : NULL;
  const char *printer = settings ? gtk_print_settings_get_printer (settings) : NULL;
  g_autofree char *export_name = NULL;

  g_object_get (op, "export-filename", &export_name, NULL);
  if (export_name)
    return g_steal_pointer (&export_name);
  if (uri && g_str_has_prefix (uri, "file://"))
    return g_filename_from_uri (uri, NULL, NULL);
  return g_strdup_printf ("printer %s", printer && *printer ? printer : "(default)");
}

static void
print_done_cb (GtkPrintOperation       *op,
               GtkPrintOperationResult  result,
               Job                     *job)
{
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *target = print_target (op);
      const char *who[] = { job->patient_uid, NULL };

      /* The worker is done with its connection: the print is recorded on it. */
      if (!traj_store_audit_output (job->store, "print", "progress report", who, target, &error))
        show_error (job->parent, _("The Report Was Printed but Not Recorded"), error->message);
    }
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR && !g_object_get_data (G_OBJECT (op), "traj-error-shown"))
    {
      g_autoptr(GError) error = NULL;

      g_object_set_data (G_OBJECT (op), "traj-error-shown", GINT_TO_POINTER (1));
      gtk_print_operation_get_error (op, &error);
      show_error (job->parent, _("Could Not Print the Report"),
                  error ? error->message : _("The printing system reported an error."));
    }
}

static void
print_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkPrintOperation) op = NULL;
  g_autofree char *job_name = NULL;
  GtkPrintOperationResult res;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_error (job->parent, _("Could Not Print the Report"), error->message);
      return;
    }

  op = gtk_print_operation_new ();
  /* The report has its own margins: draw on the whole sheet, in points. */
  gtk_print_operation_set_unit (op, GTK_UNIT_POINTS);
  gtk_print_operation_set_use_full_page (op, TRUE);
  gtk_print_operation_set_allow_async (op, TRUE);
  gtk_print_operation_set_embed_page_setup (op, TRUE);
  /* Translators: the name of a print job: "Ada Xu – progress report" */
  job_name = g_strdup_printf (_("%s – progress report"), job->patient_name);
  gtk_print_operation_set_job_name (op, job_name);

  /* The operation owns the job from here (the task's reference goes with
   * the task). */
  g_object_set_data_full (G_OBJECT (op), "traj-job", g_object_ref (G_TASK (result)), g_object_unref);
  g_signal_connect (op, "begin-print", G_CALLBACK (begin_print_cb), job);
  g_signal_connect (op, "draw-page", G_CALLBACK (draw_page_cb), job);
  g_signal_connect (op, "done", G_CALLBACK (print_done_cb), job);

  if (job->print_file)
    gtk_print_operation_set_export_filename (op, job->print_file);
  res = gtk_print_operation_run (op, job->print_file ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                     : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                 job->parent, &error);
  if (res == GTK_PRINT_OPERATION_RESULT_ERROR && !g_object_get_data (G_OBJECT (op), "traj-error-shown"))
    {
      g_object_set_data (G_OBJECT (op), "traj-error-shown", GINT_TO_POINTER (1));
      show_error (job->parent, _("Could Not Print the Report"),
                  error ? error->message : _("The printing system reported an error."));
    }
}

static void
print_patient (GtkWindow  *parent,
               TrajStore  *store,
               GSettings  *settings,
               gint64      patient_id,
               const char *print_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (TRAJ_IS_STORE (store));

  job = job_new (parent, store, settings, patient_id, &error);
  if (job == NULL)
    {
      show_error (parent, _("Could Not Print the Report"), error->message);
      return;
    }
  job->print_file = g_strdup (print_file);
  task = g_task_new (NULL, NULL, print_loaded_cb, NULL);
  g_task_set_source_tag (task, traj_report_print_patient);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, report_thread);
}

void
traj_report_print_patient (GtkWindow *parent,
                           TrajStore *store,
                           GSettings *settings,
                           gint64     patient_id)
{
  print_patient (parent, store, settings, patient_id, NULL);
}

void
traj_report_print_patient_to_file (GtkWindow  *parent,
                                   TrajStore  *store,
                                   GSettings  *settings,
                                   gint64      patient_id,
                                   const char *path)
{
  g_return_if_fail (path != NULL);
  print_patient (parent, store, settings, patient_id, path);
}

/* ---- export ----------------------------------------------------------------- */

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    show_error (job->parent, _("Could Not Export the Report"), error->message);
}

/* Takes @job, whose path is set. */
static void
export_start (Job *job)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, export_written_cb, NULL);

  g_task_set_source_tag (task, traj_report_export_patient_pdf);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, report_thread);
}

static void
export_chosen_cb (const char *path,
                  gpointer    user_data)
{
  Job *job = user_data;

  job->path = g_strdup (path);
  export_start (job);
}

void
traj_report_export_patient_pdf (GtkWindow *parent,
                                TrajStore *store,
                                GSettings *settings,
                                gint64     patient_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) patient = NULL;
  g_autoptr(GtkFileFilter) filter = NULL;
  Job *job;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (TRAJ_IS_STORE (store));

  /* A point read for the suggested file name. */
  patient = traj_store_get_patient (store, patient_id, &error);
  if (patient == NULL)
    {
      show_error (parent, _("Could Not Export the Report"), error->message);
      return;
    }
  job = job_new (parent, store, settings, patient_id, &error);
  if (job == NULL)
    {
      show_error (parent, _("Could Not Export the Report"), error->message);
      return;
    }

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_pattern (filter, "*.pdf");
  {
    g_autofree char *mrn = g_strdup (patient->mrn);
    g_autofree char *name = NULL;

    g_strdelimit (mrn, "/\\:", '-');
    /* Translators: suggested file name of a report: "1000024 progress report.pdf" */
    name = g_strdup_printf (_("%s progress report.pdf"), mrn);
    traj_save_chooser_run (parent, settings, _("Export Progress Report"), name, ".pdf", filter,
                           export_chosen_cb, job, (GDestroyNotify) job_free);
  }
}

void
traj_report_export_patient_pdf_to_path (GtkWindow  *parent,
                                        TrajStore  *store,
                                        GSettings  *settings,
                                        gint64      patient_id,
                                        const char *path)
{
  g_autoptr(GError) error = NULL;
  Job *job;

  g_return_if_fail (TRAJ_IS_STORE (store));
  g_return_if_fail (path != NULL);

  job = job_new (parent, store, settings, patient_id, &error);
  if (job == NULL)
    {
      show_error (parent, _("Could Not Export the Report"), error->message);
      return;
    }
  job->path = g_strdup (path);
  export_start (job);
}
