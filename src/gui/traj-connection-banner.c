/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window-wide banner while the clinic server is away: see
 * traj-connection-banner.h. */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-connection-banner.h"

struct _TrajConnectionBanner
{
  GtkWidget parent_instance;

  GtkRevealer *revealer;
  GtkSpinner *spinner;
  GtkLabel *label;
  TrajStore *store;
  gulong notify_id;
};

G_DEFINE_FINAL_TYPE (TrajConnectionBanner, traj_connection_banner, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (TrajConnectionBanner *self)
{
  gboolean lost = self->store != NULL && !traj_store_get_connected (self->store);

  gtk_revealer_set_reveal_child (self->revealer, lost);
  gtk_spinner_set_spinning (self->spinner, lost);
  /* Screen readers hear it when it comes, as an alert. */
  gtk_widget_set_visible (GTK_WIDGET (self), lost || gtk_revealer_get_child_revealed (self->revealer));
}

static void
on_connected (TrajStore            *store,
              GParamSpec           *pspec,
              TrajConnectionBanner *self)
{
  update (self);
}

/* Once slid away it takes no room (nor a screen reader's attention). */
static void
on_child_revealed (TrajConnectionBanner *self)
{
  if (!gtk_revealer_get_reveal_child (self->revealer) && !gtk_revealer_get_child_revealed (self->revealer))
    gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

static void
traj_connection_banner_dispose (GObject *object)
{
  TrajConnectionBanner *self = TRAJ_CONNECTION_BANNER (object);

  traj_connection_banner_set_store (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_CONNECTION_BANNER);
  G_OBJECT_CLASS (traj_connection_banner_parent_class)->dispose (object);
}

static void
traj_connection_banner_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TrajConnectionBanner *self = TRAJ_CONNECTION_BANNER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_connection_banner_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TrajConnectionBanner *self = TRAJ_CONNECTION_BANNER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      traj_connection_banner_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_connection_banner_class_init (TrajConnectionBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_connection_banner_dispose;
  object_class->get_property = traj_connection_banner_get_property;
  object_class->set_property = traj_connection_banner_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/trajectory/Trajectory/traj-connection-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajConnectionBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, TrajConnectionBanner, spinner);
  gtk_widget_class_bind_template_child (widget_class, TrajConnectionBanner, label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trajconnectionbanner");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
traj_connection_banner_init (TrajConnectionBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->revealer, "notify::child-revealed", G_CALLBACK (on_child_revealed), self,
                           G_CONNECT_SWAPPED);
  update (self);
}

GtkWidget *
traj_connection_banner_new (TrajStore *store)
{
  return g_object_new (TRAJ_TYPE_CONNECTION_BANNER, "store", store, NULL);
}

void
traj_connection_banner_set_store (TrajConnectionBanner *self,
                                  TrajStore            *store)
{
  g_return_if_fail (TRAJ_IS_CONNECTION_BANNER (self));
  g_return_if_fail (store == NULL || TRAJ_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store)
    {
      g_clear_signal_handler (&self->notify_id, self->store);
      g_clear_object (&self->store);
    }
  if (store)
    {
      self->store = g_object_ref (store);
      self->notify_id = g_signal_connect (store, "notify::connected", G_CALLBACK (on_connected), self);
    }
  if (self->revealer)
    update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

gboolean
traj_connection_banner_get_shown (TrajConnectionBanner *self)
{
  g_return_val_if_fail (TRAJ_IS_CONNECTION_BANNER (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self)) && gtk_revealer_get_reveal_child (self->revealer);
}
