/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-finding-banner.h"
#include "traj-gui.h"

struct _TrajFindingBanner
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkImage *icon;
  GtkLabel *title;
  GtkLabel *sentence;
  GtkButton *button;
};

G_DEFINE_FINAL_TYPE (TrajFindingBanner, traj_finding_banner, GTK_TYPE_WIDGET)

static void
traj_finding_banner_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_FINDING_BANNER);
  G_OBJECT_CLASS (traj_finding_banner_parent_class)->dispose (object);
}

static void
traj_finding_banner_class_init (TrajFindingBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_finding_banner_dispose;

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-finding-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajFindingBanner, box);
  gtk_widget_class_bind_template_child (widget_class, TrajFindingBanner, icon);
  gtk_widget_class_bind_template_child (widget_class, TrajFindingBanner, title);
  gtk_widget_class_bind_template_child (widget_class, TrajFindingBanner, sentence);
  gtk_widget_class_bind_template_child (widget_class, TrajFindingBanner, button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
traj_finding_banner_init (TrajFindingBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_finding_banner_new (void)
{
  return g_object_new (TRAJ_TYPE_FINDING_BANNER, NULL);
}

const char *
traj_finding_icon_name (TrajFindingKind kind)
{
  switch (kind)
    {
    case TRAJ_FINDING_SAFETY: return "dialog-warning-symbolic";
    case TRAJ_FINDING_MONITORING: return "emblem-important-symbolic";
    case TRAJ_FINDING_BOOSTER: return "view-refresh-symbolic";
    case TRAJ_FINDING_NO_RESPONSE:
    case TRAJ_N_FINDING_KINDS:
    default: return "dialog-information-symbolic";
    }
}

void
traj_finding_banner_set_finding (TrajFindingBanner *self,
                                 const TrajFinding *f)
{
  const char * const *choices;
  gboolean acknowledge;
  g_autofree char *access = NULL;

  g_return_if_fail (TRAJ_IS_FINDING_BANNER (self));
  g_return_if_fail (f != NULL);

  choices = traj_finding_kind_decisions (f->kind);
  acknowledge = choices[0] && !choices[1] && g_str_equal (choices[0], TRAJ_DECISION_ACKNOWLEDGED);
  access = g_strdup_printf ("%s: %s", traj_finding_kind_label (f->kind), f->sentence);

  gtk_widget_remove_css_class (GTK_WIDGET (self), "safety");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "monitoring");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "advice");
  gtk_widget_add_css_class (GTK_WIDGET (self), f->kind == TRAJ_FINDING_SAFETY ? "safety" :
                                               f->kind == TRAJ_FINDING_MONITORING ? "monitoring" : "advice");
  gtk_image_set_from_icon_name (self->icon, traj_finding_icon_name (f->kind));
  gtk_label_set_label (self->title, traj_finding_kind_label (f->kind));
  gtk_label_set_label (self->sentence, f->sentence);
  gtk_button_set_label (self->button, acknowledge ? _("_Acknowledge…") : _("_Decide…"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->button), "s", f->key);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, access, -1);
}
