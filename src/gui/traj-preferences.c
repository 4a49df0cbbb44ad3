/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "traj-gui.h"
#include "traj-preferences.h"
#include "traj-records.h"
#include "traj-scale.h"
#include "traj-secret.h"

struct _TrajPreferences
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  TrajStore *store;

  AdwEntryRow *clinic_row;
  AdwEntryRow *address_row;
  AdwEntryRow *zone_row;
  AdwEntryRow *clinician_row;
  AdwComboRow *color_scheme_row;
  AdwPreferencesGroup *response_group;
  AdwActionRow *gap_row;
  AdwActionRow *induction_row;
  AdwActionRow *baseline_row;
  AdwPreferencesGroup *mcid_group;
  AdwPreferencesGroup *remission_group;
  AdwPreferencesGroup *vitals_group;
  GtkButton *reset_button;
  AdwActionRow *pin_row;
  GtkButton *pin_button;
  AdwActionRow *birth_date_row;
  GtkSwitch *birth_date_switch;
  AdwActionRow *checkin_row;
  AdwActionRow *backup_row;
};

/* The per-scale keys (R, M, remission) come from the scale table. */
static const char *rule_keys[] = {
  "worsening-gap-days", "induction-length", "baseline-window-days",
  "vitals-systolic-max", "vitals-diastolic-max", "vitals-spo2-min", "vitals-heart-rate-max",
  "vitals-systolic-min", "vitals-heart-rate-min", "vitals-resp-rate-min",
};

G_DEFINE_FINAL_TYPE (TrajPreferences, traj_preferences, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_STORE,
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
show_zone (TrajPreferences *self)
{
  g_autofree char *zone = g_settings_get_string (self->settings, "time-zone");
  g_autofree char *in_use = traj_clinic_time_zone ();

  gtk_editable_set_text (GTK_EDITABLE (self->zone_row), *zone ? zone : in_use);
  gtk_widget_remove_css_class (GTK_WIDGET (self->zone_row), "error");
}

/* A zone the clinic cannot use is refused here, before it reaches the
 * clinic's settings. */
static void
on_zone_applied (TrajPreferences *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->zone_row))));
  g_autoptr(GTimeZone) zone = *text ? g_time_zone_new_identifier (text) : NULL;
  g_autofree char *message = NULL;

  if (zone == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->zone_row), "error");
      message = g_strdup_printf (_("“%s” is not a time zone. Use a name like Europe/London or America/New_York."), text);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->zone_row), "error");
  if (!g_settings_set_string (self->settings, "time-zone", text))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (_("The time zone could not be saved.")));
}

static void
on_scheme_selected (TrajPreferences *self)
{
  guint pos = adw_combo_row_get_selected (self->color_scheme_row);

  if (pos < G_N_ELEMENTS (schemes))
    g_settings_set_string (self->settings, "color-scheme", schemes[pos]);
}

static gboolean
percent_get (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_double (value, round (g_variant_get_double (variant) * 100.0));
  return TRUE;
}

static GVariant *
percent_set (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_double (g_value_get_double (value) / 100.0);
}

static gboolean
schema_has_key (TrajPreferences *self, const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  return key != NULL && schema != NULL && g_settings_schema_has_key (schema, key);
}

/* A spin button at the end of @row, bound to @key and limited to the range
 * the schema allows; a double key (a share, 0.5) is shown in whole per
 * cent (50). NULL, with a message in the log, when the schema lacks @key. */
static GtkWidget *
bind_spin (TrajPreferences *self, AdwActionRow *row, const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) skey = NULL;
  g_autoptr(GVariant) range = NULL;
  const char *kind;
  g_autoptr(GVariant) limits = NULL;
  double lo = 0, hi = 1000;
  GtkWidget *spin;
  gboolean percent;

  if (!schema_has_key (self, key))
    {
      g_message ("The settings schema has no key %s: its row is left out", key ? key : "(none)");
      return NULL;
    }
  g_object_get (self->settings, "settings-schema", &schema, NULL);
  skey = g_settings_schema_get_key (schema, key);
  percent = g_variant_type_equal (g_settings_schema_key_get_value_type (skey), G_VARIANT_TYPE_DOUBLE);
  range = g_settings_schema_key_get_range (skey);
  g_variant_get (range, "(&sv)", &kind, &limits);
  if (g_str_equal (kind, "range"))
    {
      g_autoptr(GVariant) a = g_variant_get_child_value (limits, 0);
      g_autoptr(GVariant) b = g_variant_get_child_value (limits, 1);
      if (g_variant_is_of_type (a, G_VARIANT_TYPE_INT32))
        {
          lo = g_variant_get_int32 (a);
          hi = g_variant_get_int32 (b);
        }
      else if (g_variant_is_of_type (a, G_VARIANT_TYPE_DOUBLE))
        {
          lo = g_variant_get_double (a) * (percent ? 100 : 1);
          hi = g_variant_get_double (b) * (percent ? 100 : 1);
        }
    }
  spin = gtk_spin_button_new_with_range (lo, hi, 1);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
  if (percent)
    g_settings_bind_with_mapping (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT,
                                  percent_get, percent_set, NULL, NULL);
  else
    g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (row, spin);
  adw_action_row_set_activatable_widget (row, spin);
  return spin;
}

static void
add_spin_row (TrajPreferences *self, AdwPreferencesGroup *group, const char *title,
              const char *subtitle, const char *key)
{
  AdwActionRow *row;

  if (!schema_has_key (self, key))
    {
      g_message ("The settings schema has no key %s: its row is left out", key ? key : "(none)");
      return;
    }
  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle)
    adw_action_row_set_subtitle (row, subtitle);
  bind_spin (self, row, key);
  adw_preferences_group_add (group, GTK_WIDGET (row));
}

static void
on_reset_clicked (TrajPreferences *self)
{
  for (guint k = 0; k < G_N_ELEMENTS (rule_keys); k++)
    if (schema_has_key (self, rule_keys[k]))
      g_settings_reset (self->settings, rule_keys[k]);
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      const char *keys[] = { s->response_key, s->mcid_key, s->remission_key };
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        if (schema_has_key (self, keys[k]))
          g_settings_reset (self->settings, keys[k]);
    }
}

/* ---- the staff PIN (clinic-wide, in the clinic database) ---- */

static void
update_pin_row (TrajPreferences *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old = g_settings_get_string (self->settings, "kiosk-pin-hash");
  gboolean has_pin = FALSE;

  if (!traj_store_has_staff_pin (self->store, &has_pin, &error))
    {
      adw_action_row_set_subtitle (self->pin_row, error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->pin_button), FALSE);
      return;
    }
  if (has_pin)
    adw_action_row_set_subtitle (self->pin_row, _("Set for the whole clinic"));
  else if (*old)
    /* Earlier versions kept a PIN on each computer, as a hash that cannot be
     * turned into the clinic's: staff set the PIN again, once. */
    adw_action_row_set_subtitle (self->pin_row,
                                 _("Not set for the clinic — the tablets will not start. The PIN this computer kept "
                                   "before cannot be carried over: set a new one."));
  else
    adw_action_row_set_subtitle (self->pin_row, _("Not set — the tablets will not start"));
  gtk_button_set_label (self->pin_button, has_pin ? _("Change PIN…") : _("Set PIN…"));
}

gboolean
traj_preferences_forget_old_pin (GSettings *settings,
                                 TrajStore *store)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *hash = NULL, *salt = NULL;
  gboolean has_pin = FALSE;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);

  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema == NULL || !g_settings_schema_has_key (schema, "kiosk-pin-hash") ||
      !g_settings_schema_has_key (schema, "kiosk-pin-salt"))
    return FALSE;
  hash = g_settings_get_string (settings, "kiosk-pin-hash");
  salt = g_settings_get_string (settings, "kiosk-pin-salt");
  if (*hash == '\0' && *salt == '\0')
    return FALSE;
  /* Until the clinic has a PIN, Preferences tells staff why the old one is
   * not enough (and the clinic's PIN is what the tablets check anyway). */
  if (!traj_store_has_staff_pin (store, &has_pin, NULL) || !has_pin)
    return FALSE;
  g_settings_reset (settings, "kiosk-pin-hash");
  g_settings_reset (settings, "kiosk-pin-salt");
  return TRUE;
}

typedef struct {
  TrajPreferences *self;
  GtkWidget *current;              /* NULL when no PIN is set */
  GtkWidget *first;
  GtkWidget *second;
  GtkWidget *message;
  AdwMessageDialog *dialog;
} PinData;

static void
pin_data_free (PinData *d)
{
  g_object_unref (d->self);
  g_free (d);
}

/* A hidden-text entry for PINs. GtkPasswordEntry in GTK 4.8 leaves a
 * caps-lock watch behind when its dialog is destroyed (warnings about an
 * invalid instance), so a plain entry with hidden text is used. */
static GtkWidget *
pin_entry_new (const char *label)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PIN);
  gtk_entry_set_max_length (GTK_ENTRY (entry), 12);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), label);
  /* Enter sets the PIN (once the entries allow it). */
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return entry;
}

static void
on_pin_changed (PinData *d)
{
  const char *a = gtk_editable_get_text (GTK_EDITABLE (d->first));
  const char *b = gtk_editable_get_text (GTK_EDITABLE (d->second));
  g_autoptr(GError) error = NULL;
  gboolean good = traj_secret_check_new_pin (a, &error);
  const char *msg = NULL;

  if (*a && !good)
    msg = error->message;
  else if (*b && g_strcmp0 (a, b) != 0)
    msg = _("The two new PINs differ.");
  gtk_label_set_label (GTK_LABEL (d->message), msg ? msg : "");
  adw_message_dialog_set_response_enabled (d->dialog, "set",
                                           good && g_strcmp0 (a, b) == 0 &&
                                           (d->current == NULL || *gtk_editable_get_text (GTK_EDITABLE (d->current))));
}

static void show_pin_dialog (TrajPreferences *self, const char *problem);

static void
on_pin_response (AdwMessageDialog *dialog, const char *response, PinData *d)
{
  g_autoptr(GError) error = NULL;
  g_auto(TrajSecretString) current = NULL;
  g_auto(TrajSecretString) pin = NULL;

  if (g_strcmp0 (response, "set") != 0)
    return;
  current = d->current ? g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->current))) : NULL;
  pin = g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->first)));
  if (!traj_store_set_staff_pin (d->self->store, current, pin, &error))
    {
      /* Asked again, saying what was wrong (a wrong current PIN counts
       * like any wrong PIN). */
      show_pin_dialog (d->self, error->message);
      return;
    }
  /* The old per-computer PIN is gone for good once the clinic has one. */
  g_settings_reset (d->self->settings, "kiosk-pin-hash");
  g_settings_reset (d->self->settings, "kiosk-pin-salt");
  update_pin_row (d->self);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (d->self),
                                    adw_toast_new (_("The staff PIN is set for every tablet of the clinic")));
}

static void
show_pin_dialog (TrajPreferences *self, const char *problem)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  PinData *d = g_new0 (PinData, 1);
  gboolean has_pin = FALSE;

  traj_store_has_staff_pin (self->store, &has_pin, NULL);
  d->self = g_object_ref (self);
  d->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), has_pin ? _("Change the Staff PIN") : _("Set the Staff PIN"),
                                                          _("Staff type this PIN on the clinic’s tablets to leave the "
                                                            "patient kiosk: 6 to 12 digits without a pattern, 8 or "
                                                            "more recommended (longer PINs are much harder to guess).")));
  if (has_pin)
    {
      d->current = pin_entry_new (_("Current PIN"));
      gtk_box_append (GTK_BOX (box), d->current);
      g_signal_connect_swapped (d->current, "changed", G_CALLBACK (on_pin_changed), d);
    }
  d->first = pin_entry_new (_("New PIN"));
  d->second = pin_entry_new (_("New PIN again"));
  d->message = gtk_label_new (problem);
  gtk_widget_add_css_class (d->message, "error");
  gtk_label_set_wrap (GTK_LABEL (d->message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (d->message), 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->message), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Problem"), -1);
  gtk_box_append (GTK_BOX (box), d->first);
  gtk_box_append (GTK_BOX (box), d->second);
  gtk_box_append (GTK_BOX (box), d->message);
  adw_message_dialog_set_extra_child (d->dialog, box);
  adw_message_dialog_add_responses (d->dialog, "cancel", _("_Cancel"), "set", _("_Set PIN"), NULL);
  adw_message_dialog_set_response_appearance (d->dialog, "set", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (d->dialog, "set", FALSE);
  adw_message_dialog_set_default_response (d->dialog, "set");
  adw_message_dialog_set_close_response (d->dialog, "cancel");
  g_signal_connect_swapped (d->first, "changed", G_CALLBACK (on_pin_changed), d);
  g_signal_connect_swapped (d->second, "changed", G_CALLBACK (on_pin_changed), d);
  g_signal_connect_data (d->dialog, "response", G_CALLBACK (on_pin_response), d, (GClosureNotify) pin_data_free, 0);
  gtk_window_present (GTK_WINDOW (d->dialog));
}

static void
on_pin_clicked (TrajPreferences *self)
{
  show_pin_dialog (self, NULL);
}

/* ---- the birth date at check-in (clinic-wide) ---- */

static void
on_birth_date_toggled (TrajPreferences *self)
{
  g_autoptr(GError) error = NULL;
  gboolean want = gtk_switch_get_active (self->birth_date_switch);
  gboolean asked = TRUE;

  if (!traj_store_get_checkin_birth_date (self->store, &asked, &error) || asked == want)
    return;
  if (!traj_store_set_checkin_birth_date (self->store, want, &error))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      g_signal_handlers_block_by_func (self->birth_date_switch, on_birth_date_toggled, self);
      gtk_switch_set_active (self->birth_date_switch, asked);
      g_signal_handlers_unblock_by_func (self->birth_date_switch, on_birth_date_toggled, self);
    }
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
  g_settings_bind (self->settings, "clinic-name", self->clinic_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "clinic-address", self->address_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_writable (self->settings, "time-zone", self->zone_row, "sensitive", FALSE);
  show_zone (self);
  g_signal_connect_swapped (self->zone_row, "apply", G_CALLBACK (on_zone_applied), self);
  g_signal_connect_object (self->settings, "changed::time-zone", G_CALLBACK (show_zone), self, G_CONNECT_SWAPPED);

  bind_spin (self, self->gap_row, "worsening-gap-days");
  bind_spin (self, self->induction_row, "induction-length");
  bind_spin (self, self->baseline_row, "baseline-window-days");
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      add_spin_row (self, self->response_group, _(s->name), NULL, s->response_key);
      add_spin_row (self, self->mcid_group, _(s->name), NULL, s->mcid_key);
      add_spin_row (self, self->remission_group, _(s->name), NULL, s->remission_key);
    }
  add_spin_row (self, self->vitals_group, _("Systolic at or above"), _("mmHg"), "vitals-systolic-max");
  add_spin_row (self, self->vitals_group, _("Diastolic at or above"), _("mmHg"), "vitals-diastolic-max");
  add_spin_row (self, self->vitals_group, _("SpO₂ below"), _("%"), "vitals-spo2-min");
  add_spin_row (self, self->vitals_group, _("Heart rate above"), _("beats per minute"), "vitals-heart-rate-max");
  add_spin_row (self, self->vitals_group, _("Systolic below"), _("mmHg"), "vitals-systolic-min");
  add_spin_row (self, self->vitals_group, _("Heart rate below"), _("beats per minute"), "vitals-heart-rate-min");
  add_spin_row (self, self->vitals_group, _("Respiratory rate below"), _("breaths per minute (respiratory depression)"),
                "vitals-resp-rate-min");
  bind_spin (self, self->checkin_row, "checkin-valid-hours");
  bind_spin (self, self->backup_row, "backup-keep");
  g_signal_connect_swapped (self->reset_button, "clicked", G_CALLBACK (on_reset_clicked), self);
  if (self->store)
    {
      gboolean asked = TRUE;

      g_signal_connect_swapped (self->pin_button, "clicked", G_CALLBACK (on_pin_clicked), self);
      update_pin_row (self);
      traj_store_get_checkin_birth_date (self->store, &asked, NULL);
      gtk_switch_set_active (self->birth_date_switch, asked);
      g_signal_connect_swapped (self->birth_date_switch, "notify::active", G_CALLBACK (on_birth_date_toggled), self);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->pin_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->birth_date_row), FALSE);
    }
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
    case PROP_STORE:
      self->store = g_value_dup_object (value);
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
    case PROP_STORE:
      g_value_set_object (value, self->store);
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
  g_clear_object (&self->store);
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
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, clinician_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, clinic_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, address_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, zone_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, response_group);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, gap_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, induction_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, baseline_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, mcid_group);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, remission_group);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, vitals_group);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, reset_button);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, pin_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, pin_button);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, birth_date_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, birth_date_switch);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, checkin_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPreferences, backup_row);
}

static void
traj_preferences_init (TrajPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_preferences_new (GSettings *settings,
                      TrajStore *store)
{
  return g_object_new (TRAJ_TYPE_PREFERENCES, "settings", settings, "store", store, NULL);
}
