/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-checkin-dialog.h"
#include "traj-gui.h"

struct _TrajCheckinDialog
{
  AdwWindow parent_instance;

  TrajStore *store;
  GSettings *settings;
  gint64 patient_id;
  char *patient_name;
  char *due_scales;
  GtkWidget *checks[TRAJ_N_SCALES];

  AdwPreferencesGroup *group;
  GtkStack *stack;
  GtkLabel *code_label;
  GtkLabel *expiry_label;
  GtkLabel *error_label;
  GtkWidget *done_button;
};

G_DEFINE_FINAL_TYPE (TrajCheckinDialog, traj_checkin_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_PATIENT_ID,
  PROP_PATIENT_NAME,
  PROP_DUE_SCALES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
traj_checkin_dialog_get_scales (TrajCheckinDialog *self)
{
  GString *s = g_string_new (NULL);

  for (guint k = 1; k < TRAJ_N_SCALES; k++)
    if (self->checks[k] && gtk_check_button_get_active (GTK_CHECK_BUTTON (self->checks[k])))
      {
        if (s->len)
          g_string_append_c (s, ',');
        g_string_append (s, traj_scale_code ((TrajScaleId) k));
      }
  return g_string_free (s, FALSE);
}

static void
show_error (TrajCheckinDialog *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
on_check_toggled (TrajCheckinDialog *self)
{
  g_autofree char *scales = traj_checkin_dialog_get_scales (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkin.create-code", *scales != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "checkin.hand-to-patient", *scales != '\0');
}

char *
traj_checkin_dialog_create_code (TrajCheckinDialog *self)
{
  g_autofree char *scales = traj_checkin_dialog_get_scales (self);
  g_autoptr(GError) error = NULL;
  int hours = self->settings ? g_settings_get_int (self->settings, "checkin-valid-hours") : 12;
  g_autofree char *spaced = NULL, *expiry = NULL, *until = NULL;
  char *code;
  gboolean has_pin = FALSE;

  /* Without a staff PIN nobody can get back from the tablet's patient
   * screen (the tablet does not even start): no code it could not use. */
  if (!traj_store_has_staff_pin (self->store, &has_pin, &error))
    {
      show_error (self, error->message);
      return NULL;
    }
  if (!has_pin)
    {
      show_error (self, _("Set a staff PIN in Preferences → Tablet first: until one is set, the clinic tablet does not "
                          "start and staff cannot unlock it."));
      return NULL;
    }
  code = traj_store_create_checkin (self->store, self->patient_id, scales, (gint64) hours * 3600, NULL, &error);
  if (code == NULL)
    {
      show_error (self, error->message);
      return NULL;
    }
  spaced = g_strdup_printf ("%.3s %.3s", code, code + 3);
  gtk_label_set_label (self->code_label, spaced);
  until = traj_time_format (traj_time_now () + (gint64) hours * 3600);
  {
    gboolean asked = TRUE;

    traj_store_get_checkin_birth_date (self->store, &asked, NULL);
    expiry = asked ? g_strdup_printf (_("The patient types this code on the clinic tablet, then their date of birth. "
                                        "It works once and until %s."), until)
                   : g_strdup_printf (_("Type this code on the clinic tablet. It works once and until %s."), until);
  }
  gtk_label_set_label (self->expiry_label, expiry);
  gtk_stack_set_visible_child_name (self->stack, "code");
  /* Enter closes, as "Done" says. */
  gtk_window_set_default_widget (GTK_WINDOW (self), self->done_button);
  gtk_widget_grab_focus (self->done_button);
  return code;
}

/* ---- actions -------------------------------------------------------------- */

static void
create_code_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_free (traj_checkin_dialog_create_code (TRAJ_CHECKIN_DIALOG (widget)));
}

/* The application takes over (app.hand-to-patient): it closes the
 * clinician's window, this dialog with it. */
static void
hand_to_patient_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (widget);
  g_autofree char *scales = traj_checkin_dialog_get_scales (self);
  gboolean has_pin = FALSE;

  if (!traj_store_has_staff_pin (self->store, &has_pin, NULL) || !has_pin)
    {
      show_error (self, _("Set a staff PIN in Preferences → Tablet first: it is needed to get back from the patient screen."));
      return;
    }
  gtk_widget_activate_action (widget, "app.hand-to-patient", "(xs)", self->patient_id, scales);
}

static void
close_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* ---- GObject ---------------------------------------------------------------- */

static void
traj_checkin_dialog_constructed (GObject *object)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (object);
  g_auto(GStrv) wanted = g_strsplit (self->due_scales ? self->due_scales : "", ",", -1);
  g_autofree char *description = g_strdup_printf (_("Questionnaires %s will answer on the tablet."),
                                                  self->patient_name ? self->patient_name : "");

  G_OBJECT_CLASS (traj_checkin_dialog_parent_class)->constructed (object);

  adw_preferences_group_set_description (self->group, description);
  for (guint k = 1; k < TRAJ_N_SCALES; k++)
    {
      const TrajScale *scale = traj_scale_get ((TrajScaleId) k);
      GtkWidget *row;

      if (!traj_scale_is_patient_facing (scale))
        continue;
      row = adw_action_row_new ();
      self->checks[k] = gtk_check_button_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(scale->name));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(scale->title));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), self->checks[k]);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), self->checks[k]);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->checks[k]), g_strv_contains ((const char * const *) wanted, scale->code));
      g_signal_connect_swapped (self->checks[k], "toggled", G_CALLBACK (on_check_toggled), self);
      adw_preferences_group_add (self->group, row);
    }
  on_check_toggled (self);
}

static void
traj_checkin_dialog_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_PATIENT_ID:
      self->patient_id = g_value_get_int64 (value);
      break;
    case PROP_PATIENT_NAME:
      self->patient_name = g_value_dup_string (value);
      break;
    case PROP_DUE_SCALES:
      self->due_scales = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_checkin_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_PATIENT_ID:
      g_value_set_int64 (value, self->patient_id);
      break;
    case PROP_PATIENT_NAME:
      g_value_set_string (value, self->patient_name);
      break;
    case PROP_DUE_SCALES:
      g_value_set_string (value, self->due_scales);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_checkin_dialog_dispose (GObject *object)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_CHECKIN_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_checkin_dialog_parent_class)->dispose (object);
}

static void
traj_checkin_dialog_finalize (GObject *object)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (object);

  g_free (self->patient_name);
  g_free (self->due_scales);
  G_OBJECT_CLASS (traj_checkin_dialog_parent_class)->finalize (object);
}

static void
traj_checkin_dialog_class_init (TrajCheckinDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = traj_checkin_dialog_constructed;
  object_class->set_property = traj_checkin_dialog_set_property;
  object_class->get_property = traj_checkin_dialog_get_property;
  object_class->dispose = traj_checkin_dialog_dispose;
  object_class->finalize = traj_checkin_dialog_finalize;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_ID] =
    g_param_spec_int64 ("patient-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT_NAME] =
    g_param_spec_string ("patient-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Comma-separated codes of the scales ticked at first. */
  properties[PROP_DUE_SCALES] =
    g_param_spec_string ("due-scales", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-checkin-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinDialog, group);
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinDialog, code_label);
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinDialog, expiry_label);
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinDialog, done_button);
  gtk_widget_class_bind_template_child_full (widget_class, "create_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "hand_button", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "checkin.create-code", NULL, create_code_action);
  gtk_widget_class_install_action (widget_class, "checkin.hand-to-patient", NULL, hand_to_patient_action);
  gtk_widget_class_install_action (widget_class, "checkin.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "checkin.close", NULL);
}

static void
traj_checkin_dialog_init (TrajCheckinDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TrajCheckinDialog *
traj_checkin_dialog_new (GtkWindow                *parent,
                         TrajStore                *store,
                         GSettings                *settings,
                         const TrajPatientRecords *records)
{
  const TrajCourse *course = traj_patient_records_current_course (records);
  TrajScaleId primary = course ? course->primary_scale : traj_indication_default_scale (records->patient->indication);
  g_autofree char *due = traj_checkin_default_scales (primary, records->patient->indication);

  return g_object_new (TRAJ_TYPE_CHECKIN_DIALOG,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       "store", store,
                       "settings", settings,
                       "patient-id", records->patient->id,
                       "patient-name", records->patient->name,
                       "due-scales", due,
                       NULL);
}
