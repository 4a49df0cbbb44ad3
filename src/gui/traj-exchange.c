/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-backup.h"
#include "traj-csv.h"
#include "traj-exchange.h"
#include "traj-fhir.h"

typedef struct {
  TrajExchangeKind kind;
  TrajStore *store;
  char *path;
  GtkWindow *parent;
  GtkWidget *progress_window;
  GtkWidget *progress_bar;
  GCancellable *cancellable;
  TrajCsvReport *report;
  char *kept_path;
  GTask *task;                     /* the caller's, returned when the job ends */
  gboolean changed;                /* the clinic changed (an import or a restore done) */
  GError *error;                   /* why it did not, when it did not */
  gulong caller_cancel_id;
} Job;

/* Ends the job: the caller's callback learns how it went, which the person
 * has already been told. */
static void
job_free (Job *job)
{
  if (job->caller_cancel_id)
    g_cancellable_disconnect (g_task_get_cancellable (job->task), job->caller_cancel_id);
  if (job->error)
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  else
    g_task_return_boolean (job->task, job->changed);
  g_clear_object (&job->task);
  g_clear_object (&job->store);
  g_free (job->path);
  g_clear_object (&job->parent);
  if (job->progress_window)
    gtk_window_destroy (GTK_WINDOW (job->progress_window));
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->report, traj_csv_report_free);
  g_free (job->kept_path);
  g_free (job);
}

static const char *
job_title (TrajExchangeKind kind)
{
  switch (kind)
    {
    case TRAJ_EXCHANGE_IMPORT_CSV: return _("Importing");
    case TRAJ_EXCHANGE_EXPORT_CSV: return _("Exporting CSV");
    case TRAJ_EXCHANGE_EXPORT_FHIR: return _("Exporting FHIR");
    case TRAJ_EXCHANGE_BACKUP: return _("Backing Up");
    case TRAJ_EXCHANGE_RESTORE:
    default: return _("Restoring");
    }
}

typedef struct {
  GtkWidget *bar;
  double fraction;
} ProgressUpdate;

static gboolean
apply_progress (gpointer data)
{
  ProgressUpdate *u = data;

  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (u->bar), u->fraction);
  g_object_unref (u->bar);
  g_free (u);
  return G_SOURCE_REMOVE;
}

/* Called on the worker thread: hand the figure to the main thread. */
static void
on_progress (double fraction, gpointer data)
{
  Job *job = data;
  ProgressUpdate *u = g_new0 (ProgressUpdate, 1);

  u->bar = g_object_ref (job->progress_bar);
  u->fraction = fraction;
  g_main_context_invoke (NULL, apply_progress, u);
}

static void
job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = NULL;
  gboolean ok = FALSE;

  if (job->kind == TRAJ_EXCHANGE_RESTORE)
    ok = traj_backup_restore (traj_store_get_path (job->store), job->path, &job->kept_path, &error);
  else if ((store = traj_store_open_secondary (job->store, &error)) != NULL)
    {
      switch (job->kind)
        {
        case TRAJ_EXCHANGE_IMPORT_CSV:
          ok = traj_csv_import (store, job->path, job->report, on_progress, job, cancellable, &error);
          break;
        case TRAJ_EXCHANGE_EXPORT_CSV:
          ok = traj_csv_export (store, job->path, job->report, on_progress, job, cancellable, &error);
          break;
        case TRAJ_EXCHANGE_EXPORT_FHIR:
          ok = traj_fhir_export (store, NULL, job->path, on_progress, job, cancellable, &error);
          break;
        case TRAJ_EXCHANGE_BACKUP:
          /* The file chooser asked before replacing a file. */
          ok = traj_backup_to_file_replacing (store, job->path, on_progress, job, cancellable, &error);
          break;
        case TRAJ_EXCHANGE_RESTORE:
        default:
          break;
        }
    }
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static char *
summary_of (Job *job)
{
  switch (job->kind)
    {
    case TRAJ_EXCHANGE_IMPORT_CSV:
      return g_strdup_printf (_("%u patients, %u courses, %u infusions and %u assessments were imported."),
                              job->report->rows[TRAJ_CSV_PATIENTS], job->report->rows[TRAJ_CSV_COURSES],
                              job->report->rows[TRAJ_CSV_INFUSIONS], job->report->rows[TRAJ_CSV_ASSESSMENTS]);
    case TRAJ_EXCHANGE_EXPORT_CSV:
      return g_strdup_printf (_("%u rows were written to %s."), traj_csv_report_total_rows (job->report), job->path);
    case TRAJ_EXCHANGE_EXPORT_FHIR:
      return g_strdup_printf (_("The FHIR R4 bundle was written to %s."), job->path);
    case TRAJ_EXCHANGE_BACKUP:
      return g_strdup_printf (_("The clinic was backed up to %s."), job->path);
    case TRAJ_EXCHANGE_RESTORE:
    default:
      return job->kept_path ? g_strdup_printf (_("The clinic was restored. The data it replaced was kept in %s."), job->kept_path)
                            : g_strdup (_("The clinic was restored."));
    }
}

static void
message (GtkWindow *parent, const char *heading, const char *body, const char *details)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  if (details)
    {
      GtkWidget *scroller = gtk_scrolled_window_new ();
      GtkWidget *view = gtk_text_view_new ();

      gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
      gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), details, -1);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 160);
      gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scroller), 420);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  gboolean changed = job->kind == TRAJ_EXCHANGE_IMPORT_CSV || job->kind == TRAJ_EXCHANGE_RESTORE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      job->error = g_error_copy (error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ;
      else if (job->kind == TRAJ_EXCHANGE_IMPORT_CSV && job->report->n_problems > 0)
        {
          GString *details = g_string_new (NULL);
          g_autofree char *body = g_strdup_printf (ngettext ("%u row has a problem, so nothing was imported. Correct it and import again.",
                                                             "%u rows have problems, so nothing was imported. Correct them and import again.",
                                                             job->report->n_problems), job->report->n_problems);
          for (guint k = 0; k < job->report->problems->len; k++)
            {
              g_autofree char *line = traj_csv_problem_to_string (g_ptr_array_index (job->report->problems, k));
              g_string_append_printf (details, "%s\n", line);
            }
          message (job->parent, _("Nothing Was Imported"), body, details->str);
          g_string_free (details, TRUE);
        }
      else
        message (job->parent, _("It Did Not Work"), error->message, NULL);
    }
  else
    {
      g_autofree char *summary = summary_of (job);
      message (job->parent, _("Done"), summary, NULL);
      job->changed = changed;
    }
  job_free (job);
}

static void
on_cancel (GtkButton *button, Job *job)
{
  g_cancellable_cancel (job->cancellable);
}

static void
on_caller_cancelled (GCancellable *caller, GCancellable *job_cancellable)
{
  g_cancellable_cancel (job_cancellable);
}

static void
start_job (Job *job)
{
  g_autoptr(GTask) task = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));

  job->progress_window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (job->progress_window), job_title (job->kind));
  gtk_window_set_modal (GTK_WINDOW (job->progress_window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (job->progress_window), job->parent);
  gtk_window_set_default_size (GTK_WINDOW (job->progress_window), 420, -1);
  gtk_window_set_deletable (GTK_WINDOW (job->progress_window), FALSE);
  job->progress_bar = gtk_progress_bar_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (job->progress_bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  job_title (job->kind), -1);
  gtk_widget_set_halign (cancel, GTK_ALIGN_END);
  gtk_widget_set_sensitive (cancel, job->kind != TRAJ_EXCHANGE_RESTORE);
  g_signal_connect (cancel, "clicked", G_CALLBACK (on_cancel), job);
  gtk_widget_set_margin_start (content, 18);
  gtk_widget_set_margin_end (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_box_append (GTK_BOX (content), job->progress_bar);
  gtk_box_append (GTK_BOX (content), cancel);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), content);
  adw_window_set_content (ADW_WINDOW (job->progress_window), box);
  gtk_window_present (GTK_WINDOW (job->progress_window));

  job->cancellable = g_cancellable_new ();
  /* The caller's cancellable stops the job as the Cancel button does. */
  if (g_task_get_cancellable (job->task))
    job->caller_cancel_id = g_cancellable_connect (g_task_get_cancellable (job->task), G_CALLBACK (on_caller_cancelled),
                                                   g_object_ref (job->cancellable), g_object_unref);
  job->report = traj_csv_report_new ();
  task = g_task_new (NULL, job->cancellable, job_done, job);
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, job_thread);
}

static Job *
job_new (GtkWindow *parent, TrajStore *store, TrajExchangeKind kind, GCancellable *cancellable,
         GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->store = g_object_ref (store);
  job->parent = parent ? g_object_ref (parent) : NULL;
  job->task = g_task_new (parent, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  return job;
}

static void
job_cancelled (Job *job)
{
  g_set_error_literal (&job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
  job_free (job);
}

static void
on_restore_confirmed (AdwMessageDialog *dialog, const char *response, Job *job)
{
  if (g_strcmp0 (response, "restore") == 0)
    start_job (job);
  else
    job_cancelled (job);
}

static void
confirm_restore (Job *job)
{
  TrajBackupInfo info = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *when = NULL, *body = NULL;
  GtkWidget *dialog;

  /* Check the file first: a damaged or newer file is refused here. */
  if (!traj_backup_check (job->path, &info, &error))
    {
      message (job->parent, _("This Backup Cannot Be Restored"), error->message, NULL);
      job->error = g_steal_pointer (&error);
      job_free (job);
      return;
    }
  when = info.last_change != TRAJ_TIME_NONE ? traj_time_format (info.last_change) : g_strdup (_("an unknown date"));
  body = g_strdup_printf (_("The backup holds %" G_GINT64_FORMAT " patients, last changed %s. Everything entered since will be "
                            "replaced; the current clinic is kept as a backup first."), info.patients, when);
  dialog = adw_message_dialog_new (job->parent, _("Restore This Backup?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "restore", _("_Restore"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_restore_confirmed), job);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_chosen (GtkNativeDialog *chooser, int response, Job *job)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      job->path = g_file_get_path (file);
      /* The six files replace a folder as a whole: never one holding
       * other files (traj_csv_export_target makes a folder inside it). */
      if (job->kind == TRAJ_EXCHANGE_EXPORT_CSV)
        {
          char *target = traj_csv_export_target (job->path);
          g_free (job->path);
          job->path = target;
        }
      if (job->kind == TRAJ_EXCHANGE_RESTORE)
        confirm_restore (job);
      else
        start_job (job);
    }
  else
    job_cancelled (job);
  g_object_unref (chooser);
}

void
traj_exchange_run_async (GtkWindow           *parent,
                         TrajStore           *store,
                         TrajExchangeKind     kind,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Job *job = job_new (parent, store, kind, cancellable, callback, user_data, traj_exchange_run_async);
  GtkFileChooserAction action;
  const char *title, *accept;
  GtkFileChooserNative *chooser;

  switch (kind)
    {
    case TRAJ_EXCHANGE_IMPORT_CSV:
      action = GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;
      title = _("Import the Folder of CSV Files");
      accept = _("_Import");
      break;
    case TRAJ_EXCHANGE_EXPORT_CSV:
      action = GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;
      title = _("Export as CSV into a Folder");
      accept = _("_Export");
      break;
    case TRAJ_EXCHANGE_EXPORT_FHIR:
      action = GTK_FILE_CHOOSER_ACTION_SAVE;
      title = _("Export as FHIR R4");
      accept = _("_Export");
      break;
    case TRAJ_EXCHANGE_BACKUP:
      action = GTK_FILE_CHOOSER_ACTION_SAVE;
      title = _("Back Up the Clinic");
      accept = _("_Back Up");
      break;
    case TRAJ_EXCHANGE_RESTORE:
    default:
      action = GTK_FILE_CHOOSER_ACTION_OPEN;
      title = _("Restore from a Backup");
      accept = _("_Choose");
      break;
    }
  chooser = gtk_file_chooser_native_new (title, parent, action, accept, _("_Cancel"));
  if (kind == TRAJ_EXCHANGE_EXPORT_FHIR)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "trajectory-fhir.json");
  else if (kind == TRAJ_EXCHANGE_BACKUP)
    {
      g_autofree char *day = traj_day_to_iso (traj_day_today ());
      g_autofree char *name = g_strdup_printf ("trajectory-backup-%s.db", day);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_chosen), job);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
traj_exchange_run_on_path_async (GtkWindow           *parent,
                                 TrajStore           *store,
                                 TrajExchangeKind     kind,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Job *job = job_new (parent, store, kind, cancellable, callback, user_data, traj_exchange_run_async);

  job->path = g_strdup (path);
  if (kind == TRAJ_EXCHANGE_RESTORE)
    confirm_restore (job);
  else
    start_job (job);
}

gboolean
traj_exchange_run_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_async_result_is_tagged (result, traj_exchange_run_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the check at start -------------------------------------------------------- */

static void
start_check_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  TrajStore *main_store = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open_secondary (main_store, &error);
  g_autofree char *dir = traj_backup_default_dir (traj_store_get_path (main_store));
  guint keep = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "keep"));

  /* The daily copy is made by nobody in particular, before anyone has
   * given a name: say so in the audit trail rather than "Not given". */
  if (store)
    traj_store_set_clinician (store, "Trajectory (automatic daily backup)");

  /* quick_check takes seconds on a large clinic: never on the main thread.
   * A damaged clinic is not backed up (traj_backup_auto checks too), so
   * no good backup is ever rotated out for a copy of it. */
  if (store == NULL || !traj_store_quick_check (store, &error) ||
      (keep > 0 && !traj_store_is_server (store) && !traj_backup_auto (store, dir, keep, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  /* The audit trail's hash chain (issue 16 §3); a login that may not read
   * the trail has nothing to be told. */
  else if (!traj_store_audit_verify (store, NULL, &error) &&
           g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_AUDIT_BROKEN))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_check_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GtkWindow *parent = data;     /* a weak pointer's target, or NULL */
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    return;
  if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT))
    {
      body = g_strdup_printf (_("%s\n\nNo daily backup was made, and the earlier backups are all kept. "
                                "Stop entering records, and restore the newest good backup "
                                "(main menu → Restore from Backup)."), error->message);
      message (parent, _("The Clinic File Is Damaged"), body, NULL);
    }
  else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_AUDIT_BROKEN))
    {
      body = g_strdup_printf (_("%s\n\nThe clinic’s records can still be used, but the history of who changed "
                                "what can no longer be trusted. Tell the person responsible for the clinic’s "
                                "data; “trajectory-cli audit verify” shows the same check."), error->message);
      message (parent, _("The Audit Trail Is Broken"), body, NULL);
    }
  else
    message (parent, _("The Daily Backup Failed"), error->message, NULL);
}

/* The window went before the check ended: the message stands alone. */
static void
clear_parent (gpointer data, GObject *where_the_object_was)
{
  g_object_set_data (G_OBJECT (data), "parent", NULL);
}

static void
start_check_finished (GObject *source, GAsyncResult *result, gpointer data)
{
  GtkWindow *parent = g_object_get_data (G_OBJECT (result), "parent");

  if (parent)
    g_object_weak_unref (G_OBJECT (parent), clear_parent, result);
  start_check_done (source, result, parent);
}

void
traj_exchange_start_check (GtkWindow *parent,
                           TrajStore *store,
                           guint      keep)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TRAJ_IS_STORE (store));

  task = g_task_new (NULL, NULL, start_check_finished, NULL);
  g_object_set_data (G_OBJECT (task), "keep", GUINT_TO_POINTER (keep));
  if (parent)
    {
      g_object_set_data (G_OBJECT (task), "parent", parent);
      g_object_weak_ref (G_OBJECT (parent), clear_parent, task);
    }
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, start_check_thread);
}
