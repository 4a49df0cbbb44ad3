/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window's actions, one handler each (as gnome-text-editor's
 * editor-window-actions.c), installed by traj_window_class_init(). */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-audit-window.h"
#include "traj-editor-dialog.h"
#include "traj-exchange.h"
#include "traj-patient-editor.h"
#include "traj-window-private.h"

/* Down in the search: to the list, as GNOME's sidebars do (it went on to
 * the filter's drop-down). */
static void
focus_list_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrajWindow *self = TRAJ_WINDOW (widget);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->patients)) == 0)
    return;
  gtk_widget_child_focus (GTK_WIDGET (self->list_view), GTK_DIR_TAB_FORWARD);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrajWindow *self = TRAJ_WINDOW (widget);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_patient_unfiltered (TrajWindow *self, gint64 id)
{
  /* Even if the search or filter would hide them. */
  if (traj_patient_list_find (self->patients, id) < 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      traj_patient_list_set_search (self->patients, NULL);
      gtk_drop_down_set_selected (self->filter_dropdown, TRAJ_PATIENT_FILTER_ALL);
      traj_window_update_filter_counts (self);
      traj_window_update_list_page (self);
    }
  traj_window_show_patient (self, id);
}

static void
on_patient_saved (TrajEditorDialog *editor, gint64 id, TrajWindow *self)
{
  show_patient_unfiltered (self, id);
}

/* A patient brought back (undo of Delete Patient): open them again. */
static void
show_patient_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  show_patient_unfiltered (TRAJ_WINDOW (widget), g_variant_get_int64 (param));
}

static void
on_exchange_done (GObject *source, GAsyncResult *result, gpointer data)
{
  if (traj_exchange_run_finish (result, NULL))
    /* After an import or a restore the whole clinic may differ. */
    traj_window_reload (TRAJ_WINDOW (source));
}

static void
run_exchange (TrajWindow *self, TrajExchangeKind kind)
{
  traj_exchange_run_async (GTK_WINDOW (self), self->store, kind, NULL, on_exchange_done, NULL);
}

static void
import_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  run_exchange (TRAJ_WINDOW (widget), TRAJ_EXCHANGE_IMPORT_CSV);
}

static void
export_csv_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  run_exchange (TRAJ_WINDOW (widget), TRAJ_EXCHANGE_EXPORT_CSV);
}

static void
export_fhir_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  run_exchange (TRAJ_WINDOW (widget), TRAJ_EXCHANGE_EXPORT_FHIR);
}

static void
backup_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  run_exchange (TRAJ_WINDOW (widget), TRAJ_EXCHANGE_BACKUP);
}

static void
restore_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  run_exchange (TRAJ_WINDOW (widget), TRAJ_EXCHANGE_RESTORE);
}

static void
audit_trail_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrajWindow *self = TRAJ_WINDOW (widget);

  if (self->audit_window == NULL)
    g_set_weak_pointer (&self->audit_window, traj_audit_window_new (GTK_WINDOW (self), self->store));
  gtk_window_present (GTK_WINDOW (self->audit_window));
}

static void
open_patient_action (TrajWindow *self, const char *page_action)
{
  if (self->patient_id == 0 || self->page == NULL ||
      traj_patient_page_get_patient (self->page) != self->patient_id)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self->page), page_action, NULL);
}

static void
log_infusion_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_patient_action (TRAJ_WINDOW (widget), "patient.log-infusion");
}

static void
record_scores_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_patient_action (TRAJ_WINDOW (widget), "patient.record-scores");
}

static void
print_report_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  open_patient_action (TRAJ_WINDOW (widget), "patient.print-report");
}

static void
new_patient_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrajWindow *self = TRAJ_WINDOW (widget);
  TrajPatientEditor *editor = traj_patient_editor_new (GTK_WINDOW (self), self->store, NULL);

  g_signal_connect_object (editor, "saved", G_CALLBACK (on_patient_saved), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

void
traj_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.focus-list", NULL, focus_list_action);
  gtk_widget_class_install_action (widget_class, "win.new-patient", NULL, new_patient_action);
  gtk_widget_class_install_action (widget_class, "win.show-patient", "x", show_patient_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "win.export-fhir", NULL, export_fhir_action);
  gtk_widget_class_install_action (widget_class, "win.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "win.restore", NULL, restore_action);
  gtk_widget_class_install_action (widget_class, "win.audit-trail", NULL, audit_trail_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_h, GDK_CONTROL_MASK,
                                       "win.audit-trail", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-patient", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_install_action (widget_class, "win.log-infusion", NULL, log_infusion_action);
  gtk_widget_class_install_action (widget_class, "win.record-scores", NULL, record_scores_action);
  gtk_widget_class_install_action (widget_class, "win.print-report", NULL, print_report_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.log-infusion", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.record-scores", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print-report", NULL);
}
