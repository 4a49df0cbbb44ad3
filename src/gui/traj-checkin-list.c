/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "traj-checkin-list.h"
#include "traj-gui.h"
#include "traj-scale.h"

struct _TrajCheckinList
{
  GtkWidget parent_instance;

  TrajStore *store;
  gulong changed_id;
  guint reload_id;
  gint64 patient_id;
  guint n_codes;

  GtkWidget *box;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (TrajCheckinList, traj_checkin_list, GTK_TYPE_WIDGET)

static void reload (TrajCheckinList *self);
static gboolean reload_idle (gpointer data);

static char *
scale_names (const char *codes)
{
  g_auto(GStrv) parts = g_strsplit (codes ? codes : "", ",", -1);
  GString *s = g_string_new (NULL);

  for (guint k = 0; parts[k]; k++)
    {
      const TrajScale *scale = traj_scale_lookup (g_strstrip (parts[k]));
      if (s->len)
        g_string_append (s, ", ");
      g_string_append (s, scale ? _(scale->name) : parts[k]);
    }
  return g_string_free (s, FALSE);
}

static void
on_cancel_clicked (GtkButton *button, TrajCheckinList *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "checkin-id"));
  g_autoptr(GError) error = NULL;

  /* The store's changed signal reloads the list. A code used meanwhile
   * says so. */
  if (!traj_store_revoke_checkin (self->store, id, &error))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                            _("The Code Was Not Cancelled"),
                                                                            error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      if (self->reload_id == 0)
        self->reload_id = g_idle_add (reload_idle, self);
    }
}

static void
reload (TrajCheckinList *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->list))))
    gtk_list_box_remove (self->list, row);
  self->n_codes = 0;
  if (self->store && self->patient_id > 0)
    codes = traj_store_list_open_checkins (self->store, self->patient_id, &error);
  if (error)
    g_warning ("Could not list the open tablet codes: %s", error->message);
  for (guint k = 0; codes && k < codes->len; k++)
    {
      const TrajKioskCheckin *c = g_ptr_array_index (codes, k);
      g_autofree char *title = scale_names (c->scales);
      g_autofree char *made = traj_time_format (c->created_at);
      g_autofree char *until = traj_time_format (c->expires_at);
      /* Translators: when an open tablet code was made, by whom, and until when it works */
      g_autofree char *subtitle = g_strdup_printf (_("Made %s by %s · works until %s"), made, c->created_by, until);
      g_autofree char *access = g_strdup_printf (_("Cancel the code for %s"), title);
      GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel Code"));

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (cancel, "flat");
      gtk_widget_add_css_class (cancel, "destructive-action");
      gtk_accessible_update_property (GTK_ACCESSIBLE (cancel), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
      g_object_set_data (G_OBJECT (cancel), "checkin-id", GSIZE_TO_POINTER ((gsize) c->id));
      g_signal_connect (cancel, "clicked", G_CALLBACK (on_cancel_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), cancel);
      gtk_list_box_append (self->list, row);
      self->n_codes++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self), self->n_codes > 0);
}

static gboolean
reload_idle (gpointer data)
{
  TrajCheckinList *self = data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

/* Rebuilt from the main loop, not inside the write: a Cancel Code click
 * writes, and removing the row under its own button's handler is what
 * crashed the timeline (issue 17). */
static void
on_store_changed (TrajStore       *store,
                  guint            kind,
                  gint64           patient_id,
                  TrajCheckinList *self)
{
  if ((kind == TRAJ_KIND_KIOSK_CHECKIN || kind == TRAJ_N_KINDS) &&
      (patient_id == 0 || patient_id == self->patient_id) && self->reload_id == 0)
    self->reload_id = g_idle_add (reload_idle, self);
}

static void
traj_checkin_list_dispose (GObject *object)
{
  TrajCheckinList *self = TRAJ_CHECKIN_LIST (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_CHECKIN_LIST);
  G_OBJECT_CLASS (traj_checkin_list_parent_class)->dispose (object);
}

static void
traj_checkin_list_class_init (TrajCheckinListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_checkin_list_dispose;

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-checkin-list.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinList, box);
  gtk_widget_class_bind_template_child (widget_class, TrajCheckinList, list);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
traj_checkin_list_init (TrajCheckinList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_checkin_list_new (void)
{
  return g_object_new (TRAJ_TYPE_CHECKIN_LIST, NULL);
}

void
traj_checkin_list_set_store (TrajCheckinList *self,
                             TrajStore       *store)
{
  g_return_if_fail (TRAJ_IS_CHECKIN_LIST (self));

  if (self->store == store)
    return;
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_set_object (&self->store, store);
  if (store)
    self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  reload (self);
}

void
traj_checkin_list_set_patient (TrajCheckinList *self,
                               gint64           patient_id)
{
  g_return_if_fail (TRAJ_IS_CHECKIN_LIST (self));
  self->patient_id = patient_id;
  reload (self);
}

guint
traj_checkin_list_get_n_codes (TrajCheckinList *self)
{
  g_return_val_if_fail (TRAJ_IS_CHECKIN_LIST (self), 0);
  return self->n_codes;
}

GtkWidget *
traj_checkin_list_get_cancel_button (TrajCheckinList *self,
                                     guint            index)
{
  GtkListBoxRow *row;
  GtkWidget *w;

  g_return_val_if_fail (TRAJ_IS_CHECKIN_LIST (self), NULL);
  row = gtk_list_box_get_row_at_index (self->list, (int) index);
  /* The row's suffix button: the one widget in it with a checkin-id. */
  for (w = row ? GTK_WIDGET (row) : NULL; w; )
    {
      GtkWidget *next = NULL;
      if (GTK_IS_BUTTON (w) && g_object_get_data (G_OBJECT (w), "checkin-id"))
        return w;
      if (gtk_widget_get_first_child (w))
        next = gtk_widget_get_first_child (w);
      else
        {
          while (w && w != GTK_WIDGET (row) && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          if (w && w != GTK_WIDGET (row))
            next = gtk_widget_get_next_sibling (w);
        }
      w = next;
    }
  return NULL;
}
