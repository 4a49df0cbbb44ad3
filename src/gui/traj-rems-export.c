/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "traj-gui.h"
#include "traj-rems-export.h"
#include "traj-rems.h"
#include "traj-report.h"
#include "traj-save-chooser.h"

gboolean
traj_rems_export_pdf_to_path (TrajStore *store, GSettings *settings, const TrajPatient *patient,
                              const TrajInfusion *session, const char *path, GError **error)
{
  g_autofree char *clinic = traj_gui_settings_string (settings, "clinic-name");
  g_autofree char *address = traj_gui_settings_string (settings, "clinic-address");
  g_autofree char *prepared_by = traj_gui_settings_string (settings, "clinician-name");
  TrajReportOptions options;
  const char *who[] = { patient->uid, NULL };

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (traj_rems_applies (session), FALSE);

  traj_report_options_init (&options);
  options.clinic_name = clinic;
  options.prepared_by = prepared_by && *prepared_by ? prepared_by : traj_store_get_clinician (store);
  {
    g_autoptr(GtkPaperSize) size = gtk_paper_size_new (NULL);   /* the locale's default */
    options.paper = g_str_has_prefix (gtk_paper_size_get_name (size), "na_") ? TRAJ_PAPER_LETTER : TRAJ_PAPER_A4;
  }
  /* On a clinic server a report is in the access log before it is made. */
  if (!traj_store_record_read (store, patient->id, "report", error))
    return FALSE;
  if (!traj_report_rems_write_pdf (patient, session, &options, address, path, error))
    return FALSE;
  return traj_store_audit_output (store, "report", "esketamine monitoring record (PDF)", who, path, error);
}

typedef struct {
  GtkWindow *parent;
  TrajStore *store;
  GSettings *settings;
  TrajPatient *patient;
  TrajInfusion *session;
} Export;

static void
export_free (Export *e)
{
  g_clear_object (&e->parent);
  g_clear_object (&e->store);
  g_clear_object (&e->settings);
  traj_patient_free (e->patient);
  traj_infusion_free (e->session);
  g_free (e);
}

static void
chosen_cb (const char *path, gpointer user_data)
{
  Export *e = user_data;
  g_autoptr(GError) error = NULL;

  if (!traj_rems_export_pdf_to_path (e->store, e->settings, e->patient, e->session, path, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (e->parent, _("Could Not Export the Monitoring Record"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  export_free (e);
}

void
traj_rems_export_pdf (GtkWindow *parent, TrajStore *store, GSettings *settings,
                      const TrajPatient *patient, const TrajInfusion *session)
{
  Export *e = g_new0 (Export, 1);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *mrn = g_strdup (patient->mrn);
  g_autofree char *day = NULL, *name = NULL;

  e->parent = parent ? g_object_ref (parent) : NULL;
  e->store = g_object_ref (store);
  e->settings = settings ? g_object_ref (settings) : NULL;
  e->patient = traj_patient_copy (patient);
  e->session = traj_infusion_copy (session);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_pattern (filter, "*.pdf");
  g_strdelimit (mrn, "/\\:", '-');
  day = traj_day_to_iso (traj_day_from_time (session->started_at));
  /* Translators: suggested file name: "1000024 monitoring record 2026-03-03.pdf" */
  name = g_strdup_printf (_("%s monitoring record %s.pdf"), mrn, day);
  traj_save_chooser_run (parent, settings, _("Export Monitoring Record"), name, ".pdf", filter,
                         chosen_cb, e, (GDestroyNotify) export_free);
}

typedef struct {
  TrajStore *store;
  GSettings *settings;
  TrajPatient *patient;
  TrajInfusion *session;
} ButtonData;

static void
button_data_free (ButtonData *d)
{
  g_clear_object (&d->store);
  g_clear_object (&d->settings);
  traj_patient_free (d->patient);
  traj_infusion_free (d->session);
  g_free (d);
}

static void
on_record_clicked (GtkButton *button, gpointer user_data)
{
  ButtonData *d = g_object_get_data (G_OBJECT (button), "rems-data");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));

  traj_rems_export_pdf (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, d->store, d->settings, d->patient,
                        d->session);
}

/* The label, colour, tooltip and accessible name say what the record
 * misses now: the clinic's name and address are settings, changed in
 * Preferences while the row is shown. */
static void
button_sync (GtkWidget *button)
{
  ButtonData *d = g_object_get_data (G_OBJECT (button), "rems-data");
  g_autofree char *clinic = traj_gui_settings_string (d->settings, "clinic-name");
  g_autofree char *address = traj_gui_settings_string (d->settings, "clinic-address");
  g_autoptr(TrajRemsRecord) r = traj_rems_record_new (d->patient, d->session, clinic, address);
  gboolean complete = traj_rems_record_complete (r) && !r->short_monitoring;
  char *check = traj_rems_record_check_text (r);
  g_autofree char *tip = NULL, *name = NULL, *label = NULL;

  if (r->missing->len > 0)
    /* Translators: a short button on an esketamine session's row: its REMS monitoring record lacks N fields */
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "REMS: %u Missing", "REMS: %u Missing", r->missing->len),
                             r->missing->len);
  else if (r->short_monitoring)
    /* Translators: a short button on an esketamine session's row: monitored for less than 2 hours */
    label = g_strdup (_("REMS: Under 2 h"));
  else
    label = g_strdup (_("REMS Record"));
  gtk_button_set_label (GTK_BUTTON (button), label);
  gtk_widget_remove_css_class (button, complete ? "warning" : "success");
  gtk_widget_add_css_class (button, complete ? "success" : "warning");
  /* Translators: tooltip of the REMS button: the completeness check, then what the button does */
  tip = g_strdup_printf (_("Monitoring record: %s\nClick to export it as a one-page PDF."), check);
  gtk_widget_set_tooltip_text (button, tip);
  name = g_strdup_printf (_("Export the monitoring record. %s"), check);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (button), "check", check, g_free);
}

static void
on_clinic_setting_changed (GSettings *settings, const char *key, gpointer button)
{
  button_sync (button);
}

GtkWidget *
traj_rems_record_button_new (TrajStore *store, GSettings *settings, const TrajPatient *patient,
                             const TrajInfusion *session)
{
  ButtonData *d = g_new0 (ButtonData, 1);
  GtkWidget *button = gtk_button_new ();

  d->store = g_object_ref (store);
  d->settings = settings ? g_object_ref (settings) : NULL;
  d->patient = traj_patient_copy (patient);
  d->session = traj_infusion_copy (session);
  g_object_set_data_full (G_OBJECT (button), "rems-data", d, (GDestroyNotify) button_data_free);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_name (button, "rems-record");
  button_sync (button);
  if (settings)
    {
      g_signal_connect_object (settings, "changed::clinic-name", G_CALLBACK (on_clinic_setting_changed), button, 0);
      g_signal_connect_object (settings, "changed::clinic-address", G_CALLBACK (on_clinic_setting_changed), button, 0);
    }
  g_signal_connect (button, "clicked", G_CALLBACK (on_record_clicked), NULL);
  return button;
}
