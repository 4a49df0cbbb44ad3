/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-gui.h"
#include "traj-scale.h"
#include "traj-timeline-row.h"

struct _TrajTimelineRow
{
  AdwActionRow parent_instance;

  TrajTimelineItem *item;

  GtkImage *kind_icon;
  GtkWidget *extra_box;
  GtkWidget *edit_button;
  GtkWidget *delete_button;
};

G_DEFINE_FINAL_TYPE (TrajTimelineRow, traj_timeline_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- text ------------------------------------------------------------------ */

static char *
infusion_details (const TrajInfusion *i)
{
  GString *s = g_string_new (NULL);

  g_string_append (s, traj_route_label (i->route));
  if (i->dose_mg_per_kg > 0)
    g_string_append_printf (s, _(" · %.2f mg/kg"), i->dose_mg_per_kg);
  g_string_append_printf (s, _(" · %.1f mg"), i->total_mg);
  {
    g_autofree char *bp = traj_infusion_bp_text (i);
    if (bp)
      g_string_append_printf (s, " · %s", bp);
  }
  {
    g_autofree char *tolerability = traj_infusion_tolerability_text (i);
    if (tolerability)
      g_string_append_printf (s, " · %s", tolerability);
  }
  if (i->side_effects)
    {
      gboolean first = TRUE;
      g_string_append (s, " · ");
      for (guint k = 0; k < TRAJ_N_SIDE_EFFECTS; k++)
        if (i->side_effects & (1u << k))
          {
            if (!first)
              g_string_append (s, ", ");
            g_string_append (s, traj_side_effect_label (k));
            first = FALSE;
          }
    }
  return g_string_free (s, FALSE);
}

static GtkWidget *
tag_new (const char *text, const char *kind)
{
  GtkWidget *tag = gtk_label_new (text);

  gtk_widget_add_css_class (tag, "tag");
  gtk_widget_add_css_class (tag, kind);
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  return tag;
}

static void
show_infusion (TrajTimelineRow *self, const char *when, char **title, char **subtitle)
{
  const TrajInfusion *i = traj_timeline_item_get_infusion (self->item);
  g_autofree char *details = infusion_details (i);
  int number = traj_timeline_item_get_number (self->item);

  if (i->route == TRAJ_ROUTE_INTRANASAL)
    /* Translators: timeline row of an esketamine nasal-spray session: "Session 3 · Induction" */
    *title = g_strdup_printf (_("Session %d · %s"), number, traj_phase_label (i->phase));
  else
    /* Translators: timeline row: "Infusion 3 · Induction" */
    *title = g_strdup_printf (_("Infusion %d · %s"), number, traj_phase_label (i->phase));
  *subtitle = g_strdup_printf ("%s · %s", when, details);
  gtk_image_set_from_icon_name (self->kind_icon, "trajectory-infusion-symbolic");
  gtk_widget_add_css_class (GTK_WIDGET (self), i->phase == TRAJ_PHASE_BOOSTER ? "phase-booster" :
                                               i->phase == TRAJ_PHASE_MAINTENANCE ? "phase-maintenance" : "phase-induction");
}

static void
show_assessment (TrajTimelineRow *self, const char *when, char **title, char **subtitle)
{
  const TrajAssessment *a = traj_timeline_item_get_assessment (self->item);
  const TrajScale *scale = traj_scale_get (a->scale);
  const char *band = a->complete ? traj_scale_band_label (scale, a->total) : NULL;

  if (a->complete)
    *title = band ? g_strdup_printf (_("%s %d · %s"), _(scale->name), a->total, band)
                  : g_strdup_printf (_("%s %d"), _(scale->name), a->total);
  else
    *title = g_strdup_printf (_("%s · draft, incomplete"), _(scale->name));
  *subtitle = g_strdup_printf ("%s · %s · %s", when, traj_source_label (a->source), traj_timing_label (a->timing));
  gtk_image_set_from_icon_name (self->kind_icon, "trajectory-score-symbolic");
  if (!a->complete)
    traj_timeline_row_add_extra (self, tag_new (_("Draft"), "draft"));
  /* The highest answer given, even if changed later (a tablet keeps it). */
  if (traj_assessment_safety_answer (a) > 0)
    {
      g_autofree char *safety_item = g_strdup_printf (_("Item %u"), scale->safety_item);
      GtkWidget *tag = tag_new (safety_item, "safety");

      gtk_widget_set_tooltip_text (tag, traj_scale_safety_answer (a->scale, a->items) > 0
                                        ? _("Thoughts of self-harm answered above “Not at all”")
                                        : _("Thoughts of self-harm answered above “Not at all”, later changed "
                                            "to “Not at all”"));
      traj_timeline_row_add_extra (self, tag);
    }
}

/* ---- delete, asked by a second click ---------------------------------------- */

/* The delete button asks first: it turns into a red "Delete" in the same
 * place, and only that deletes. Rows move up when one goes, so a quick
 * second click meant for the same row deleted the next record. */
static void
arm_delete (TrajTimelineRow *self, gboolean armed)
{
  GtkWidget *button = self->delete_button;

  if (armed == gtk_widget_has_css_class (button, "destructive-action"))
    return;
  if (armed)
    {
      gtk_button_set_label (GTK_BUTTON (button), _("Delete"));
      gtk_widget_remove_css_class (button, "flat");
      gtk_widget_add_css_class (button, "destructive-action");
      gtk_widget_set_tooltip_text (button, _("Click again to delete this record"));
    }
  else
    {
      gtk_button_set_icon_name (GTK_BUTTON (button), "user-trash-symbolic");
      gtk_widget_remove_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Delete"));
    }
}

static void
disarm_delete (TrajTimelineRow *self, GtkEventController *controller)
{
  /* A row whose record was just deleted gets "leave" while GTK unmaps it
   * (the pointer rests on the button, its tooltip up); putting the icon
   * back then swaps the button's child in the middle of GTK's walk over
   * the children, and the app crashed. A row on its way out keeps its
   * look. */
  if (!gtk_widget_get_mapped (self->delete_button)
      || gtk_widget_get_parent (GTK_WIDGET (self)) == NULL)
    return;
  arm_delete (self, FALSE);
}

static void
delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_autoptr(TrajTimelineRow) self = g_object_ref (TRAJ_TIMELINE_ROW (widget));
  g_autoptr(GtkWidget) list = NULL;
  int index;

  if (!gtk_widget_has_css_class (self->delete_button, "destructive-action"))
    {
      arm_delete (self, TRUE);
      return;
    }
  index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (self));
  if (gtk_widget_get_parent (widget))
    list = g_object_ref (gtk_widget_get_parent (widget));
  gtk_widget_activate_action (widget, "patient.delete-record", "(ix)",
                              (gint32) traj_timeline_item_get_kind (self->item), traj_timeline_item_get_id (self->item));
  /* The keyboard stays where the record was, on a row (not on its
   * delete button, so Space pressed again cannot delete the next). */
  if (index >= 0 && GTK_IS_LIST_BOX (list))
    {
      GtkListBoxRow *next = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index);
      if (next == NULL && index > 0)
        next = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index - 1);
      if (next)
        gtk_widget_grab_focus (GTK_WIDGET (next));
    }
}

/* ---- GObject ------------------------------------------------------------------ */

static void
traj_timeline_row_constructed (GObject *object)
{
  TrajTimelineRow *self = TRAJ_TIMELINE_ROW (object);
  g_autofree char *title = NULL, *subtitle = NULL;
  g_autofree char *when = NULL;

  G_OBJECT_CLASS (traj_timeline_row_parent_class)->constructed (object);
  g_return_if_fail (self->item != NULL);

  when = traj_time_format (traj_timeline_item_get_time (self->item));
  if (traj_timeline_item_get_kind (self->item) == TRAJ_KIND_INFUSION)
    show_infusion (self, when, &title, &subtitle);
  else
    show_assessment (self, when, &title, &subtitle);
  {
    g_autofree char *esc_title = g_markup_escape_text (title, -1);
    g_autofree char *esc_sub = g_markup_escape_text (subtitle, -1);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), esc_title);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), esc_sub);
  }
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->edit_button), "(ix)",
                                    (gint32) traj_timeline_item_get_kind (self->item),
                                    traj_timeline_item_get_id (self->item));
}

static void
traj_timeline_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajTimelineRow *self = TRAJ_TIMELINE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      self->item = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_timeline_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajTimelineRow *self = TRAJ_TIMELINE_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_timeline_row_dispose (GObject *object)
{
  TrajTimelineRow *self = TRAJ_TIMELINE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_TIMELINE_ROW);
  g_clear_object (&self->item);
  G_OBJECT_CLASS (traj_timeline_row_parent_class)->dispose (object);
}

static void
traj_timeline_row_class_init (TrajTimelineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = traj_timeline_row_constructed;
  object_class->set_property = traj_timeline_row_set_property;
  object_class->get_property = traj_timeline_row_get_property;
  object_class->dispose = traj_timeline_row_dispose;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, TRAJ_TYPE_TIMELINE_ITEM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-timeline-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajTimelineRow, kind_icon);
  gtk_widget_class_bind_template_child (widget_class, TrajTimelineRow, extra_box);
  gtk_widget_class_bind_template_child (widget_class, TrajTimelineRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, TrajTimelineRow, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, disarm_delete);

  gtk_widget_class_install_action (widget_class, "row.delete", NULL, delete_action);
}

static void
traj_timeline_row_init (TrajTimelineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
traj_timeline_row_new (TrajTimelineItem *item)
{
  g_return_val_if_fail (TRAJ_IS_TIMELINE_ITEM (item), NULL);

  return g_object_new (TRAJ_TYPE_TIMELINE_ROW, "item", item, NULL);
}

TrajTimelineItem *
traj_timeline_row_get_item (TrajTimelineRow *self)
{
  g_return_val_if_fail (TRAJ_IS_TIMELINE_ROW (self), NULL);

  return self->item;
}

void
traj_timeline_row_add_extra (TrajTimelineRow *self,
                             GtkWidget       *widget)
{
  g_return_if_fail (TRAJ_IS_TIMELINE_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_box_append (GTK_BOX (self->extra_box), widget);
  gtk_widget_set_visible (self->extra_box, TRUE);
}
