/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include <adwaita.h>

#include "traj-gui.h"
#include "traj-gui-resources.h"

void
traj_gui_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      traj_gui_register_resource ();
      g_once_init_leave (&once, 1);
    }
}

void
traj_gui_load_app_style (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) css = NULL;

  g_return_if_fail (GDK_IS_DISPLAY (display));

  if (g_object_get_data (G_OBJECT (display), "traj-app-style"))
    return;
  traj_gui_init ();
  /* As adw_application's init_providers() and gtk_application's startup. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, TRAJ_RESOURCE_BASE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display), TRAJ_RESOURCE_BASE_PATH "/icons");
  g_object_set_data_full (G_OBJECT (display), "traj-app-style", g_steal_pointer (&css), g_object_unref);
}

void
traj_gui_dismiss (GtkWindow *dialog)
{
  g_return_if_fail (GTK_IS_WINDOW (dialog));

  gtk_window_set_transient_for (dialog, NULL);
  gtk_window_destroy (dialog);
}

static void
on_menu_visible (GtkWidget *popover, GParamSpec *pspec, GtkWidget *button)
{
  gtk_widget_set_has_tooltip (button, !gtk_widget_get_visible (popover));
}

void
traj_gui_menu_button_quiet_tooltip (GtkMenuButton *button)
{
  GtkPopover *popover;

  g_return_if_fail (GTK_IS_MENU_BUTTON (button));

  popover = gtk_menu_button_get_popover (button);
  g_return_if_fail (popover != NULL);
  g_signal_connect_object (popover, "notify::visible", G_CALLBACK (on_menu_visible), button, 0);
}

void
traj_gui_status_page_set_text (GtkWidget  *status_page,
                               const char *text)
{
  g_autofree char *escaped = text ? g_markup_escape_text (text, -1) : NULL;

  g_return_if_fail (ADW_IS_STATUS_PAGE (status_page));
  adw_status_page_set_description (ADW_STATUS_PAGE (status_page), escaped);
}

void
traj_gui_detail_row_set (AdwComboRow    *row,
                         TrajIndication  indication,
                         const char     *code)
{
  const char * const *codes = traj_indication_details (indication);
  GtkStringList *list = gtk_string_list_new (NULL);
  guint selected = 0;

  /* Translators: the indication detail left empty */
  gtk_string_list_append (list, _("Not given"));
  for (guint k = 0; codes[k]; k++)
    {
      gtk_string_list_append (list, traj_indication_detail_label (codes[k]));
      if (g_strcmp0 (code, codes[k]) == 0)
        selected = k + 1;
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, selected);
  gtk_widget_set_visible (GTK_WIDGET (row), codes[0] != NULL);
  g_object_unref (list);
}

const char *
traj_gui_detail_row_get (AdwComboRow    *row,
                         TrajIndication  indication)
{
  const char * const *codes = traj_indication_details (indication);
  guint selected = adw_combo_row_get_selected (row);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > g_strv_length ((char **) codes))
    return "";
  return codes[selected - 1];
}

char *
traj_gui_settings_string (GSettings  *settings,
                          const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (settings == NULL)
    return NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return NULL;
  return g_settings_get_string (settings, key);
}
