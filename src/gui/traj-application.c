/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-application.h"
#include "traj-clinic-settings.h"
#include "traj-clinician-prompt.h"
#include "traj-demo.h"
#include "traj-exchange.h"
#include "traj-gui.h"
#include "traj-kiosk-window.h"
#include "traj-preferences.h"
#include "traj-settings.h"
#include "traj-window.h"

struct _TrajApplication
{
  AdwApplication parent_instance;

  TrajStore *store;
  GSettings *settings;
  GError *settings_error;      /* no schema: shown instead of a window */
  char *database;
  gboolean demo;
  gboolean kiosk;
};

G_DEFINE_FINAL_TYPE (TrajApplication, traj_application, ADW_TYPE_APPLICATION)

static void
apply_color_scheme (TrajApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (g_str_equal (scheme, "light"))
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_str_equal (scheme, "dark"))
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
on_clinician_changed (GSettings       *settings,
                      const char      *key,
                      TrajApplication *self)
{
  g_autofree char *name = g_settings_get_string (settings, "clinician-name");
  if (self->store)
    traj_store_set_clinician (self->store, name);
}

static TrajStore *
open_store (TrajApplication *self, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(TrajStore) store = NULL;

  if (self->database)
    path = g_strdup (self->database);
  else if (self->demo)
    path = traj_store_demo_path ();
  else
    path = traj_store_default_path ();

  /* Only the first start at the default place (and the demo) makes a new
   * clinic: a mistyped --database must not open an empty one. */
  store = self->database ? traj_store_open_existing (path, error) : traj_store_open (path, error);
  if (store == NULL)
    return NULL;

  /* The demo clinic lives in its own file and is made on first run. */
  if (self->demo)
    {
      gint64 n = traj_store_count (store, TRAJ_KIND_PATIENT, error);
      if (n < 0)
        return NULL;
      if (n == 0 && !traj_demo_generate (store, TRAJ_DEMO_DEFAULT_SEED, TRAJ_DEMO_DEFAULT_PATIENTS,
                                         TRAJ_DAY_NONE, NULL, NULL, NULL, NULL, error))
        return NULL;
    }
  return g_steal_pointer (&store);
}

static void
show_open_error (TrajApplication *self, const char *title, const GError *error)
{
  GtkWidget *win = adw_application_window_new (GTK_APPLICATION (self));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *header = adw_header_bar_new ();

  gtk_window_set_title (GTK_WINDOW (win), _("Trajectory"));
  gtk_window_set_default_size (GTK_WINDOW (win), 640, 480);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "dialog-error-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (page), title);
  traj_gui_status_page_set_text (page, error->message);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), page);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (win), box);
  gtk_window_present (GTK_WINDOW (win));
}

/* From now on the settings every device of the clinic shares (thresholds,
 * the clinic's name and time zone, …) are the clinic's, in its database;
 * the rest stay this machine's (traj-clinic-settings.h). */
static void
use_clinic_settings (TrajApplication *self)
{
  GSettings *clinic = traj_clinic_settings_new (self->store);

  if (clinic == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->settings, self);
  g_object_unref (self->settings);
  self->settings = clinic;
  g_signal_connect (self->settings, "changed::clinician-name", G_CALLBACK (on_clinician_changed), self);
  g_signal_connect_swapped (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme), self);
}

static void
traj_application_activate (GApplication *app)
{
  TrajApplication *self = TRAJ_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autoptr(GError) error = NULL;

  if (window)
    {
      gtk_window_present (window);
      return;
    }
  if (self->settings_error)
    {
      show_open_error (self, _("Trajectory Is Not Installed Completely"), self->settings_error);
      return;
    }

  if (self->store == NULL)
    {
      self->store = open_store (self, &error);
      if (self->store == NULL)
        {
          show_open_error (self, _("Cannot Open the Clinic Database"), error);
          return;
        }
      traj_preferences_forget_old_pin (self->settings, self->store);
      use_clinic_settings (self);
      on_clinician_changed (self->settings, "clinician-name", self);
    }

  if (self->kiosk)
    {
      window = GTK_WINDOW (traj_kiosk_window_new (GTK_APPLICATION (self), self->store, self->settings));
      gtk_window_fullscreen (window);
      gtk_window_present (window);
      return;
    }

  window = GTK_WINDOW (traj_window_new (self, self->store, self->settings));
  traj_window_set_demo (TRAJ_WINDOW (window), self->demo);
  gtk_window_present (window);
  if (traj_clinician_prompt_needed (self->store, self->settings))
    gtk_window_present (GTK_WINDOW (traj_clinician_prompt_new (window, self->settings)));
  /* The file's own check and the daily safety copy beside it, in the
   * background; a damaged clinic is said over the window. */
  traj_exchange_start_check (window, self->store, (guint) g_settings_get_int (self->settings, "backup-keep"));
}

static void restore_accels (TrajApplication *self);

/* While a kiosk is up, nothing of the application is reachable from it: no
 * shortcut, and no action (Preferences, About, Quit) even through D-Bus. */
static void
set_kiosk_lockdown (TrajApplication *self,
                    gboolean         locked)
{
  static const char *actions[] = { "preferences", "about", "quit", "hand-to-patient" };

  if (locked)
    {
      const char *none[] = { NULL };
      g_auto(GStrv) accels = gtk_application_list_action_descriptions (GTK_APPLICATION (self));

      for (guint k = 0; accels[k]; k++)
        gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[k], none);
      gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", none);
    }
  else
    restore_accels (self);
  for (guint k = 0; k < G_N_ELEMENTS (actions); k++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), actions[k]);
      /* Preferences need the app's settings schema. */
      if (G_IS_SIMPLE_ACTION (action))
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                                     !locked && (self->settings != NULL || !g_str_equal (actions[k], "preferences")));
    }
}

typedef struct {
  TrajApplication *app;
  TrajStore *store;
  gint64 patient_id;
} HandOver;

static void
hand_over_free (gpointer data, GClosure *closure)
{
  HandOver *h = data;

  g_object_unref (h->store);
  g_free (h);
}

/* Staff are back: the clinician's window is built anew (the old one was
 * destroyed, not hidden), on the patient who was handed the device. */
static void
on_kiosk_unlocked (TrajKioskWindow *kiosk, HandOver *h)
{
  TrajWindow *window;

  set_kiosk_lockdown (h->app, FALSE);
  window = traj_window_new (h->app, h->store, h->app->settings);
  gtk_window_present (GTK_WINDOW (window));
  if (h->patient_id > 0)
    traj_window_show_patient (window, h->patient_id);
}

gboolean
traj_application_hand_to_patient (TrajApplication *self,
                                  GtkWindow       *main_window,
                                  TrajStore       *store,
                                  gint64           patient_id,
                                  const char      *scales,
                                  GError         **error)
{
  TrajKioskWindow *kiosk;
  HandOver *h;

  g_return_val_if_fail (TRAJ_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (GTK_IS_WINDOW (main_window), FALSE);
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);

  if (TRAJ_IS_WINDOW (main_window) && traj_window_has_unsaved_work (TRAJ_WINDOW (main_window)))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
                           _("A form in this window has unsaved changes. Save or close it before handing the device to the patient."));
      return FALSE;
    }

  kiosk = traj_kiosk_window_new (GTK_APPLICATION (self), store, self->settings);
  h = g_new0 (HandOver, 1);
  h->app = self;
  h->store = g_object_ref (store);
  h->patient_id = patient_id;
  g_signal_connect_data (kiosk, "unlocked", G_CALLBACK (on_kiosk_unlocked), h, hand_over_free, 0);
  set_kiosk_lockdown (self, TRUE);
  traj_kiosk_window_start_session (kiosk, patient_id, scales);
  gtk_window_fullscreen (GTK_WINDOW (kiosk));
  gtk_window_present (GTK_WINDOW (kiosk));
  /* Closed, not hidden: nothing of the clinician's session (the patient
   * list, an open page, a dialog) is left for anything to show again. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
      {
        GtkWindow *w = g_list_model_get_item (toplevels, k);
        if (w != GTK_WINDOW (kiosk) && w != main_window)
          g_ptr_array_add (others, w);
        else
          g_object_unref (w);
      }
    for (guint k = 0; k < others->len; k++)
      gtk_window_destroy (g_ptr_array_index (others, k));
  }
  gtk_window_destroy (main_window);
  return TRUE;
}

static int
traj_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  TrajApplication *self = TRAJ_APPLICATION (app);
  const char *database = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("trajectory %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_lookup (options, "database", "^&ay", &database))
    {
      g_free (self->database);
      self->database = traj_store_location_canonicalize (database);
    }
  self->demo = g_variant_dict_contains (options, "demo");
  self->kiosk = g_variant_dict_contains (options, "kiosk");
  /* GTK_DEBUG=interactive opens the GTK Inspector beside the first window:
   * not on a patient kiosk. GTK reads it when it starts, which is after this. */
  if (self->kiosk)
    g_unsetenv ("GTK_DEBUG");
  return -1;
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrajApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *prefs = traj_preferences_new (self->settings, self->store);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrajApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The Trajectory developers", NULL };
  GtkWidget *about = adw_about_window_new ();

  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), _("Trajectory"));
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APP_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_developer_name (ADW_ABOUT_WINDOW (about), _("The Trajectory developers"));
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  adw_about_window_set_website (ADW_ABOUT_WINDOW (about), "https://github.com/trajectory/trajectory");
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about),
                                 _("Follow each patient’s ketamine or esketamine treatment course: infusions, "
                                   "scores, trajectories, and when a booster might be discussed. Decision support "
                                   "only — clinical judgement decides."));
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), _("translator-credits"));
  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrajApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close through the windows so each can ask about unsaved work. */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
}

/* The clinician's window handing its patient over: the one showing that
 * patient, or else the first. */
static TrajWindow *
window_for_patient (TrajApplication *self, gint64 patient_id)
{
  TrajWindow *first = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (TRAJ_IS_WINDOW (l->data))
      {
        if (traj_window_get_patient_id (l->data) == patient_id)
          return l->data;
        if (first == NULL)
          first = l->data;
      }
  return first;
}

/* (patient id, comma-separated scale codes): "Hand This Device to the
 * Patient" in the check-in dialog. */
static void
hand_to_patient_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  TrajApplication *self = user_data;
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *scales;
  gint64 patient_id;
  TrajWindow *window;

  g_variant_get (param, "(x&s)", &patient_id, &scales);
  window = window_for_patient (self, patient_id);
  if (window == NULL)
    return;
  g_object_get (window, "store", &store, NULL);
  if (store == NULL)
    return;
  if (!traj_application_hand_to_patient (self, GTK_WINDOW (window), store, patient_id, scales, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window), _("The Device Was Not Handed Over"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
  { "hand-to-patient", hand_to_patient_action, "(xs)" },
};

static void
restore_accels (TrajApplication *self)
{
  const char *quit_accels[] = { "<primary>q", NULL };
  const char *prefs_accels[] = { "<primary>comma", NULL };
  const char *help_accels[] = { "<primary>question", NULL };

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", help_accels);
}

static void
traj_application_startup (GApplication *app)
{
  TrajApplication *self = TRAJ_APPLICATION (app);

  G_APPLICATION_CLASS (traj_application_parent_class)->startup (app);

  self->settings = traj_settings_new (&self->settings_error);
  if (self->settings)
    {
      g_signal_connect (self->settings, "changed::clinician-name", G_CALLBACK (on_clinician_changed), self);
      g_signal_connect_swapped (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme), self);
      apply_color_scheme (self);
    }
  else
    g_printerr ("trajectory: %s\n", self->settings_error->message);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), self);
  set_kiosk_lockdown (self, self->kiosk);
}

static void
traj_application_finalize (GObject *object)
{
  TrajApplication *self = (TrajApplication *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_error (&self->settings_error);
  g_free (self->database);
  G_OBJECT_CLASS (traj_application_parent_class)->finalize (object);
}

static void
traj_application_class_init (TrajApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  traj_gui_init ();

  object_class->finalize = traj_application_finalize;
  app_class->activate = traj_application_activate;
  app_class->startup = traj_application_startup;
  app_class->handle_local_options = traj_application_handle_local_options;
}

static void
traj_application_init (TrajApplication *self)
{
  const GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, NULL, N_("Open this clinic file instead of the default one"), N_("PATH") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the demo clinic (created on first use, kept apart from real data)"), NULL },
    { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Run the patient questionnaire kiosk fullscreen"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

TrajApplication *
traj_application_new (void)
{
  /* NON_UNIQUE: two clinic files may be open at once (a demo beside the
   * real one), each process with its own database connection. */
  return g_object_new (TRAJ_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", TRAJ_RESOURCE_BASE_PATH,
                       NULL);
}

TrajStore *
traj_application_get_store (TrajApplication *self)
{
  return self->store;
}

GSettings *
traj_application_get_settings (TrajApplication *self)
{
  return self->settings;
}
