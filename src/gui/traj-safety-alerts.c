/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician window's active alert for safety answers from the tablet:
 * see traj-safety-alerts.h. A toast would go after a few seconds, perhaps
 * while nobody looked; these rows go only when the patient is opened. */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-safety-alerts.h"
#include "traj-scale.h"

struct _TrajSafetyAlerts
{
  GtkWidget parent_instance;

  GtkBox *box;
  GHashTable *known;         /* assessment id → patient id, every answer ever added */
  GHashTable *rows;          /* assessment id → its row (GtkWidget *), while shown */
};

G_DEFINE_FINAL_TYPE (TrajSafetyAlerts, traj_safety_alerts, GTK_TYPE_WIDGET)

enum {
  OPEN_PATIENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
alert_text (const TrajSafetyAnswer *a)
{
  const TrajScale *scale = traj_scale_get (a->scale);
  const char *item = scale && scale->safety_item > 0 && scale->safety_item <= scale->n_items
                       ? _(scale->items[scale->safety_item - 1].text) : "";
  const char *answer = scale ? traj_scale_answer_label (scale, a->answer) : NULL;
  g_autofree char *when = traj_time_format (a->taken_at);
  g_autofree char *answer_text = answer ? g_strdup_printf ("“%s” (%d)", answer, a->answer)
                                        : g_strdup_printf ("%d", a->answer);

  /* Translators: 1: patient name, 2: MRN, 3: scale ("PHQ-9"), 4: item
   * number, 5: the item's wording, 6: the answer ("“Several days” (1)"),
   * 7: date and time */
  return g_strdup_printf (_("%1$s (MRN %2$s) answered %3$s item %4$u on the tablet — “%5$s”: %6$s, at %7$s. "
                            "A clinician needs to see this patient now."),
                          a->patient_name, a->mrn, scale ? _(scale->name) : "", scale ? scale->safety_item : 0,
                          item, answer_text, when);
}

static void
on_open_clicked (GtkButton        *button,
                 TrajSafetyAlerts *self)
{
  gint64 patient_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "patient-id"));

  /* The window opens the patient and tells us (traj_safety_alerts_patient_opened). */
  g_signal_emit (self, signals[OPEN_PATIENT], 0, patient_id);
}

static GtkWidget *
row_new (TrajSafetyAlerts *self, const TrajSafetyAnswer *a)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (_("Safety answer from the tablet"));
  g_autofree char *body_text = alert_text (a);
  GtkWidget *body = gtk_label_new (body_text);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Open Patient"));

  gtk_widget_add_css_class (row, "safety-alert");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, body_text, -1);
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), body);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "patient-id", GSIZE_TO_POINTER ((gsize) a->patient_id));
  g_signal_connect (button, "clicked", G_CALLBACK (on_open_clicked), self);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_box_append (GTK_BOX (row), button);
  g_object_set_data_full (G_OBJECT (row), "text", g_steal_pointer (&body_text), g_free);
  return row;
}

static void
update_visible (TrajSafetyAlerts *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), g_hash_table_size (self->rows) > 0);
}

static void
traj_safety_alerts_dispose (GObject *object)
{
  TrajSafetyAlerts *self = TRAJ_SAFETY_ALERTS (object);

  g_clear_pointer (&self->rows, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_SAFETY_ALERTS);
  G_OBJECT_CLASS (traj_safety_alerts_parent_class)->dispose (object);
}

static void
traj_safety_alerts_finalize (GObject *object)
{
  TrajSafetyAlerts *self = TRAJ_SAFETY_ALERTS (object);

  g_hash_table_unref (self->known);
  G_OBJECT_CLASS (traj_safety_alerts_parent_class)->finalize (object);
}

static void
traj_safety_alerts_class_init (TrajSafetyAlertsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_safety_alerts_dispose;
  object_class->finalize = traj_safety_alerts_finalize;

  /**
   * TrajSafetyAlerts::open-patient:
   * @patient_id: the patient whose row's "Open Patient" was clicked
   */
  signals[OPEN_PATIENT] = g_signal_new ("open-patient", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-safety-alerts.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajSafetyAlerts, box);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trajsafetyalerts");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
traj_safety_alerts_init (TrajSafetyAlerts *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->known = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  update_visible (self);
}

GtkWidget *
traj_safety_alerts_new (void)
{
  return g_object_new (TRAJ_TYPE_SAFETY_ALERTS, NULL);
}

gboolean
traj_safety_alerts_knows (TrajSafetyAlerts *self,
                          gint64            assessment_id)
{
  g_return_val_if_fail (TRAJ_IS_SAFETY_ALERTS (self), FALSE);
  return g_hash_table_contains (self->known, &assessment_id);
}

gboolean
traj_safety_alerts_add (TrajSafetyAlerts       *self,
                        const TrajSafetyAnswer *answer)
{
  gint64 *key;
  GtkWidget *row;

  g_return_val_if_fail (TRAJ_IS_SAFETY_ALERTS (self), FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  if (traj_safety_alerts_knows (self, answer->assessment_id))
    return FALSE;
  key = g_new (gint64, 1);
  *key = answer->assessment_id;
  g_hash_table_insert (self->known, g_memdup2 (key, sizeof *key),
                       GSIZE_TO_POINTER ((gsize) answer->patient_id));
  row = row_new (self, answer);
  g_hash_table_insert (self->rows, key, row);
  /* Newest on top. */
  gtk_box_prepend (self->box, row);
  update_visible (self);
  return TRUE;
}

void
traj_safety_alerts_patient_opened (TrajSafetyAlerts *self,
                                   gint64            patient_id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (TRAJ_IS_SAFETY_ALERTS (self));

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_SIZE (g_hash_table_lookup (self->known, key)) == (gsize) patient_id)
      {
        gtk_box_remove (self->box, GTK_WIDGET (value));
        g_hash_table_iter_remove (&iter);
      }
  update_visible (self);
}

guint
traj_safety_alerts_get_n_shown (TrajSafetyAlerts *self)
{
  g_return_val_if_fail (TRAJ_IS_SAFETY_ALERTS (self), 0);
  return g_hash_table_size (self->rows);
}

const char *
traj_safety_alerts_get_text (TrajSafetyAlerts *self,
                             guint             index)
{
  GtkWidget *row;
  guint k = 0;

  g_return_val_if_fail (TRAJ_IS_SAFETY_ALERTS (self), NULL);
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->box)); row && k < index; row = gtk_widget_get_next_sibling (row))
    k++;
  return row ? g_object_get_data (G_OBJECT (row), "text") : NULL;
}
