/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "traj-save-chooser.h"

typedef struct {
  GtkWindow *parent;
  GSettings *settings;
  char *extension;
  TrajSaveChosenFunc chosen;
  gpointer user_data;
  GDestroyNotify destroy;
  char *path;                    /* chosen, waiting for "Replace?" */
} Ask;

static void
ask_free (Ask *ask)
{
  if (ask->destroy && ask->user_data)
    ask->destroy (ask->user_data);
  g_clear_object (&ask->parent);
  g_clear_object (&ask->settings);
  g_free (ask->extension);
  g_free (ask->path);
  g_free (ask);
}

static gboolean
settings_has_key (GSettings *settings, const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (settings == NULL)
    return FALSE;
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

static void
ask_done (Ask *ask)
{
  g_autofree char *folder = g_path_get_dirname (ask->path);

  if (settings_has_key (ask->settings, "last-export-folder"))
    g_settings_set_string (ask->settings, "last-export-folder", folder);
  ask->chosen (ask->path, g_steal_pointer (&ask->user_data));
  ask_free (ask);
}

static void
replace_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     Ask              *ask)
{
  /* Answered once: closing the dialog afterwards is no second answer. */
  g_signal_handlers_disconnect_by_func (dialog, replace_response_cb, ask);
  if (g_strcmp0 (response, "replace") == 0)
    ask_done (ask);
  else
    ask_free (ask);
}

/* Anything at the path counts, a link or a folder too: the writer refuses
 * those, but the person should hear about the name first. */
static gboolean
path_taken (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0;
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     Ask             *ask)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *chosen = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  chosen = file ? g_file_get_path (file) : NULL;
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);

  if (response != GTK_RESPONSE_ACCEPT)
    {
      ask_free (ask);
      return;
    }
  if (chosen == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (ask->parent, _("Nothing Was Exported"),
                                                  _("Choose a file on this computer."));

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      ask_free (ask);
      return;
    }

  ask->path = traj_save_chooser_with_extension (chosen, ask->extension);
  /* The chooser asked about the name it was given (GTK 4 and the portals
   * always do); a name we changed was never checked, so ask here, before
   * anything is written. */
  if (!g_str_equal (ask->path, chosen) && path_taken (ask->path))
    {
      g_autofree char *base = g_path_get_basename (ask->path);
      g_autofree char *dir = g_path_get_dirname (ask->path);
      g_autofree char *dir_name = g_filename_display_basename (dir);
      g_autofree char *display = g_filename_display_name (base);
      g_autofree char *heading = NULL, *body = NULL;
      GtkWidget *dialog;

      /* Translators: %s is a file name */
      heading = g_strdup_printf (_("Replace “%s”?"), display);
      /* Translators: %s is a folder's name */
      body = g_strdup_printf (_("A file with this name is already in “%s”. Replacing it overwrites what it holds."),
                              dir_name);
      dialog = adw_message_dialog_new (ask->parent, heading, body);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Cancel"),
                                        "replace", _("_Replace"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect (dialog, "response", G_CALLBACK (replace_response_cb), ask);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  ask_done (ask);
}

char *
traj_save_chooser_with_extension (const char *path,
                                  const char *extension)
{
  g_autofree char *lower = NULL, *lower_ext = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (extension == NULL || *extension == '\0')
    return g_strdup (path);
  lower = g_utf8_casefold (path, -1);
  lower_ext = g_utf8_casefold (extension, -1);
  if (g_str_has_suffix (lower, lower_ext))
    return g_strdup (path);
  return g_strconcat (path, extension, NULL);
}

char *
traj_save_chooser_start_folder (GSettings *settings)
{
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (settings_has_key (settings, "last-export-folder"))
    {
      g_autofree char *last = g_settings_get_string (settings, "last-export-folder");

      if (*last != '\0' && g_path_is_absolute (last) && g_file_test (last, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&last);
    }
  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    return g_strdup (documents);
  {
    g_autofree char *guess = g_build_filename (g_get_home_dir (), "Documents", NULL);

    if (g_file_test (guess, G_FILE_TEST_IS_DIR))
      return g_steal_pointer (&guess);
  }
  return g_strdup (g_get_home_dir ());
}

void
traj_save_chooser_run (GtkWindow          *parent,
                       GSettings          *settings,
                       const char         *title,
                       const char         *suggested_name,
                       const char         *extension,
                       GtkFileFilter      *filter,
                       TrajSaveChosenFunc  chosen,
                       gpointer            user_data,
                       GDestroyNotify      destroy)
{
  g_autofree char *start = traj_save_chooser_start_folder (settings);
  g_autoptr(GFile) folder = g_file_new_for_path (start);
  GtkFileChooserNative *chooser;
  Ask *ask;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));
  g_return_if_fail (chosen != NULL);

  ask = g_new0 (Ask, 1);
  ask->parent = parent ? g_object_ref (parent) : NULL;
  ask->settings = settings ? g_object_ref (settings) : NULL;
  ask->extension = g_strdup (extension);
  ask->chosen = chosen;
  ask->user_data = user_data;
  ask->destroy = destroy;

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (filter)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  if (suggested_name)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested_name);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), ask);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
