/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-gui.h"
#include "traj-keypad.h"

struct _TrajKeypad
{
  GtkWidget parent_instance;

  GtkWidget *grid;
};

G_DEFINE_FINAL_TYPE (TrajKeypad, traj_keypad, GTK_TYPE_WIDGET)

enum {
  KEY_PRESSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
key_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  const char *key = g_variant_get_string (param, NULL);

  if (key[0] != '\0' && key[1] == '\0')
    g_signal_emit (widget, signals[KEY_PRESSED], 0, (guint) (guchar) key[0]);
}

static void
traj_keypad_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_KEYPAD);
  G_OBJECT_CLASS (traj_keypad_parent_class)->dispose (object);
}

static void
traj_keypad_class_init (TrajKeypadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_keypad_dispose;

  /**
   * TrajKeypad::key-pressed:
   * @key: '0'–'9', 'C' (clear) or 'B' (delete the last digit)
   */
  signals[KEY_PRESSED] = g_signal_new ("key-pressed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "keypad.key", "s", key_action);

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-keypad.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajKeypad, grid);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trajkeypad");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
traj_keypad_init (TrajKeypad *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_keypad_new (void)
{
  return g_object_new (TRAJ_TYPE_KEYPAD, NULL);
}

GtkWidget *
traj_keypad_get_button (TrajKeypad *self,
                        char        key)
{
  g_return_val_if_fail (TRAJ_IS_KEYPAD (self), NULL);

  for (GtkWidget *b = gtk_widget_get_first_child (self->grid); b; b = gtk_widget_get_next_sibling (b))
    {
      GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (b));
      const char *k = target ? g_variant_get_string (target, NULL) : "";

      if (k[0] == key && k[1] == '\0')
        return b;
    }
  return NULL;
}
