/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-application.h"
#include "traj-checkin-dialog.h"
#include "traj-gui.h"

struct _TrajCheckinDialog
{
  AdwWindow parent_instance;

  TrajStore *store;
  GSettings *settings;
  gint64 patient_id;
  GtkWidget *checks[TRAJ_N_SCALES];
  GtkWidget *stack;
  GtkWidget *code_label;
  GtkWidget *expiry_label;
  GtkWidget *error_label;
  GtkWidget *create_button;
  GtkWidget *hand_button;
};

G_DEFINE_FINAL_TYPE (TrajCheckinDialog, traj_checkin_dialog, ADW_TYPE_WINDOW)

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
on_check_toggled (TrajCheckinDialog *self)
{
  g_autofree char *scales = traj_checkin_dialog_get_scales (self);

  gtk_widget_set_sensitive (self->create_button, *scales != '\0');
  gtk_widget_set_sensitive (self->hand_button, *scales != '\0');
}

char *
traj_checkin_dialog_create_code (TrajCheckinDialog *self)
{
  g_autofree char *scales = traj_checkin_dialog_get_scales (self);
  g_autoptr(GError) error = NULL;
  int hours = self->settings ? g_settings_get_int (self->settings, "checkin-valid-hours") : 12;
  char *code = traj_store_create_checkin (self->store, self->patient_id, scales, (gint64) hours * 3600, NULL, &error);
  g_autofree char *spaced = NULL, *expiry = NULL, *until = NULL;

  if (code == NULL)
    {
      gtk_label_set_label (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
      return NULL;
    }
  spaced = g_strdup_printf ("%.3s %.3s", code, code + 3);
  gtk_label_set_label (GTK_LABEL (self->code_label), spaced);
  until = traj_time_format (traj_time_now () + (gint64) hours * 3600);
  {
    gboolean asked = TRUE;

    traj_store_get_checkin_birth_date (self->store, &asked, NULL);
    expiry = asked ? g_strdup_printf (_("The patient types this code on the clinic tablet, then their date of birth. "
                                        "It works once and until %s."), until)
                   : g_strdup_printf (_("Type this code on the clinic tablet. It works once and until %s."), until);
  }
  gtk_label_set_label (GTK_LABEL (self->expiry_label), expiry);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "code");
  return code;
}

static void
on_create_clicked (TrajCheckinDialog *self)
{
  g_free (traj_checkin_dialog_create_code (self));
}

static void
on_hand_clicked (TrajCheckinDialog *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char *scales = traj_checkin_dialog_get_scales (self);
  gboolean has_pin = FALSE;

  if (!traj_store_has_staff_pin (self->store, &has_pin, NULL) || !has_pin)
    {
      gtk_label_set_label (GTK_LABEL (self->error_label),
                           _("Set a staff PIN in Preferences → Tablet first: it is needed to get back from the patient screen."));
      gtk_widget_set_visible (self->error_label, TRUE);
      return;
    }
  if (!TRAJ_IS_APPLICATION (app) || parent == NULL)
    return;
  {
    g_autoptr(TrajStore) store = g_object_ref (self->store);
    g_autoptr(GError) error = NULL;

    /* This dialog goes with the clinician's window. */
    if (!traj_application_hand_to_patient (TRAJ_APPLICATION (app), parent, store, self->patient_id, scales, &error))
      {
        gtk_label_set_label (GTK_LABEL (self->error_label), error->message);
        gtk_widget_set_visible (self->error_label, TRUE);
      }
  }
}

static void
traj_checkin_dialog_dispose (GObject *object)
{
  TrajCheckinDialog *self = TRAJ_CHECKIN_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_checkin_dialog_parent_class)->dispose (object);
}

static void
close_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
traj_checkin_dialog_class_init (TrajCheckinDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = traj_checkin_dialog_dispose;
  gtk_widget_class_install_action (widget_class, "checkin.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "checkin.close", NULL);
}

static void
traj_checkin_dialog_init (TrajCheckinDialog *self)
{
}

TrajCheckinDialog *
traj_checkin_dialog_new (GtkWindow                *parent,
                         TrajStore                *store,
                         GSettings                *settings,
                         const TrajPatientRecords *records)
{
  TrajCheckinDialog *self = g_object_new (TRAJ_TYPE_CHECKIN_DIALOG,
                                          "transient-for", parent,
                                          "modal", TRUE,
                                          "title", _("Tablet Check-in"),
                                          "default-width", 480,
                                          "default-height", 560,
                                          NULL);
  const TrajCourse *course = traj_patient_records_current_course (records);
  TrajScaleId primary = course ? course->primary_scale : traj_indication_default_scale (records->patient->indication);
  g_autofree char *defaults = traj_checkin_default_scales (primary, records->patient->indication);
  g_auto(GStrv) wanted = g_strsplit (defaults, ",", -1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *code_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *done = gtk_button_new_with_mnemonic (_("_Done"));
  GtkWidget *clamp = adw_clamp_new ();
  g_autofree char *description = g_strdup_printf (_("Questionnaires %s will answer on the tablet."), records->patient->name);

  self->store = g_object_ref (store);
  self->settings = settings ? g_object_ref (settings) : NULL;
  self->patient_id = records->patient->id;
  if (parent)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Questionnaires Due"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
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
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }

  self->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);

  self->create_button = gtk_button_new_with_mnemonic (_("_Create a Code for the Clinic Tablet"));
  gtk_widget_add_css_class (self->create_button, "pill");
  gtk_widget_add_css_class (self->create_button, "suggested-action");
  self->hand_button = gtk_button_new_with_mnemonic (_("_Hand This Device to the Patient"));
  gtk_widget_add_css_class (self->hand_button, "pill");
  g_signal_connect_swapped (self->create_button, "clicked", G_CALLBACK (on_create_clicked), self);
  g_signal_connect_swapped (self->hand_button, "clicked", G_CALLBACK (on_hand_clicked), self);
  gtk_box_append (GTK_BOX (buttons), self->create_button);
  gtk_box_append (GTK_BOX (buttons), self->hand_button);

  gtk_box_append (GTK_BOX (page), group);
  gtk_box_append (GTK_BOX (page), self->error_label);
  gtk_box_append (GTK_BOX (page), buttons);

  self->code_label = gtk_label_new (NULL);
  gtk_label_set_selectable (GTK_LABEL (self->code_label), TRUE);
  gtk_widget_add_css_class (self->code_label, "checkin-code");
  self->expiry_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->expiry_label), TRUE);
  gtk_label_set_justify (GTK_LABEL (self->expiry_label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_halign (done, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (done, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (done), "checkin.close");
  gtk_widget_set_valign (code_page, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (code_page), self->code_label);
  gtk_box_append (GTK_BOX (code_page), self->expiry_label);
  gtk_box_append (GTK_BOX (code_page), done);

  self->stack = gtk_stack_new ();
  gtk_stack_add_named (GTK_STACK (self->stack), page, "choose");
  gtk_stack_add_named (GTK_STACK (self->stack), code_page, "code");
  gtk_widget_set_margin_top (self->stack, 18);
  gtk_widget_set_margin_bottom (self->stack, 18);
  gtk_widget_set_margin_start (self->stack, 12);
  gtk_widget_set_margin_end (self->stack, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), self->stack);
  gtk_widget_set_vexpand (clamp, TRUE);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), clamp);
  adw_window_set_content (ADW_WINDOW (self), box);
  on_check_toggled (self);
  return self;
}
