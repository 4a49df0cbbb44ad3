/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-clinician-prompt.h"

static char *
typed_name (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
unref_settings (gpointer data, GClosure *closure)
{
  g_object_unref (data);
}

static void
on_name_changed (AdwEntryRow      *row,
                 AdwMessageDialog *dialog)
{
  g_autofree char *name = typed_name (row);

  adw_message_dialog_set_response_enabled (dialog, "continue", *name != '\0');
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GSettings        *settings)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  AdwEntryRow *row = ADW_ENTRY_ROW (g_object_get_data (G_OBJECT (dialog), "traj-name-row"));
  g_autofree char *name = typed_name (row);

  if (g_str_equal (response, "continue") && *name != '\0')
    g_settings_set_string (settings, "clinician-name", name);
  else if (parent)
    gtk_window_destroy (parent);
}

gboolean
traj_clinician_prompt_needed (TrajStore *store,
                              GSettings *settings)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);

  if (traj_store_is_server (store))
    return FALSE;
  name = g_strstrip (g_settings_get_string (settings, "clinician-name"));
  return *name == '\0';
}

GtkWidget *
traj_clinician_prompt_new (GtkWindow *parent,
                           GSettings *settings)
{
  AdwMessageDialog *dialog;
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_entry_row_new ();

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Who Is Using Trajectory?"),
                                                       _("Every change you make is kept in the clinic’s audit "
                                                         "trail with your name. On a shared computer, change it "
                                                         "in Preferences when someone else takes over.")));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Your name, such as Dr Ana Silva"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  adw_message_dialog_set_extra_child (dialog, list);
  g_object_set_data (G_OBJECT (dialog), "traj-name-row", row);

  adw_message_dialog_add_responses (dialog,
                                    "quit", _("_Quit"),
                                    "continue", _("_Continue"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "continue", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "continue", FALSE);
  adw_message_dialog_set_default_response (dialog, "continue");
  adw_message_dialog_set_close_response (dialog, "quit");
  g_signal_connect (row, "changed", G_CALLBACK (on_name_changed), dialog);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response),
                         g_object_ref (settings), unref_settings, 0);
  gtk_window_set_focus (GTK_WINDOW (dialog), row);
  /* One of the application's windows, so its shortcuts (Ctrl+Q) work
   * while the question is up. */
  if (parent && gtk_window_get_application (parent))
    gtk_window_set_application (GTK_WINDOW (dialog), gtk_window_get_application (parent));
  return GTK_WIDGET (dialog);
}
