/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-gui.h"
#include "traj-preferences.h"

struct _TrajPreferences
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  AdwEntryRow *clinician_row;
  AdwComboRow *color_scheme_row;
};

G_DEFINE_FINAL_TYPE (TrajPreferences, traj_preferences, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *schemes[] = { "default", "light", "dark" };

static void
on_clinician_changed (TrajPreferences *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->clinician_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autofree char *current = g_settings_get_string (self->settings, "clinician-name");

  if (g_strcmp0 (stripped, current) != 0)
    g_settings_set_string (self->settings, "clinician-name", stripped);
}

static void
on_scheme_selected (TrajPreferences *self)
{
  guint pos = adw_combo_row_get_selected (self->color_scheme_row);

  if (pos < G_N_ELEMENTS (schemes))
    g_settings_set_string (self->settings, "color-scheme", schemes[pos]);
}

static void
traj_preferences_constructed (GObject *object)
{
  TrajPreferences *self = TRAJ_PREFERENCES (object);
  g_autofree char *name = g_settings_get_string (self->settings, "clinician-name");
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");

  G_OBJECT_CLASS (traj_preferences_parent_class)->constructed (object);

  gtk_editable_set_text (GTK_EDITABLE (self->clinician_row), name);
  for (guint k = 0; k < G_N_ELEMENTS (schemes); k++)
    if (g_str_equal (scheme, schemes[k]))
      adw_combo_row_set_selected (self->color_scheme_row, k);

  g_signal_connect_swapped (self->clinician_row, "changed", G_CALLBACK (on_clinician_changed), self);
  g_signal_connect_swapped (self->color_scheme_row, "notify::selected", G_CALLBACK (on_scheme_selected), self);
}

static void
traj_preferences_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajPreferences *self = TRAJ_PREFERENCES (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_preferences_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajPreferences *self = TRAJ_PREFERENCES (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_preferences_dispose (GObject *object)
{
  TrajPreferences *self = TRAJ_PREFERENCES (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_preferences_parent_class)->dispose (object);
}

static void
traj_preferences_class_init (TrajPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = traj_preferences_constructed;
  object_class->set_property = traj_preferences_set_property;
  object_class->get_property = traj_preferences_get_property;
  object_class->dispose = traj_preferences_dispose;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, clinician_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, color_scheme_row);
}

static void
traj_preferences_init (TrajPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_preferences_new (GSettings *settings)
{
  return g_object_new (TRAJ_TYPE_PREFERENCES, "settings", settings, NULL);
}
