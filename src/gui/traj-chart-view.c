/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-chart-view-private.h"
#include "traj-gui.h"

/* Exported files: a landscape page that reads well printed or on screen. */
#define EXPORT_WIDTH 1200
#define EXPORT_HEIGHT 800
#define HIT_RADIUS 14.0

struct _TrajChartView
{
  GtkWidget parent_instance;

  TrajChartModel *model;
  TrajChartAxis axis;
  TrajChartLayout *layout;       /* for the current size, font and axis */
  TrajChartPalette palette;      /* from libadwaita, refreshed in css_changed */
  char *font_family;
  double font_size;
  char *description;

  TrajChartItem hover;           /* kind NONE when the pointer is over nothing */
  TrajChartItem cursor;          /* keyboard position */
  TrajChartItemKind selected_kind;
  gint64 selected_id;
};

G_DEFINE_FINAL_TYPE (TrajChartView, traj_chart_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_AXIS,
  N_PROPS
};

enum {
  ITEM_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- helpers ------------------------------------------------------------- */

static gboolean
lookup_color (GtkStyleContext *ctx, const char *name, TrajChartColor *out)
{
  GdkRGBA c;

  if (!gtk_style_context_lookup_color (ctx, name, &c))
    return FALSE;
  out->red = c.red;
  out->green = c.green;
  out->blue = c.blue;
  out->alpha = c.alpha;
  return TRUE;
}

static double
luminance (const TrajChartColor *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

/* @top over @under, opaque. */
static TrajChartColor
composite (TrajChartColor top, TrajChartColor under)
{
  TrajChartColor c;

  c.red = top.red * top.alpha + under.red * (1 - top.alpha);
  c.green = top.green * top.alpha + under.green * (1 - top.alpha);
  c.blue = top.blue * top.alpha + under.blue * (1 - top.alpha);
  c.alpha = 1.0;
  return c;
}

void
traj_chart_palette_from_widget (GtkWidget        *widget,
                                TrajChartPalette *p)
{
  GtkStyleContext *ctx = gtk_widget_get_style_context (widget);
  TrajChartColor window_bg, card_bg;

  /* The print palette is the fallback for any colour the theme lacks. */
  traj_chart_palette_init_print (p);
  window_bg = p->background;
  if (lookup_color (ctx, "window_bg_color", &window_bg))
    window_bg.alpha = 1.0;
  card_bg = window_bg;
  lookup_color (ctx, "card_bg_color", &card_bg);
  p->dark = luminance (&window_bg) < 0.5;

  /* The card draws the page (CSS); the chart only needs its colour. */
  p->background = composite (card_bg, window_bg);
  p->background.alpha = 0.0;
  lookup_color (ctx, "window_fg_color", &p->foreground);
  lookup_color (ctx, "accent_color", &p->accent);
  lookup_color (ctx, "success_color", &p->success);
  lookup_color (ctx, "warning_color", &p->warning);
  lookup_color (ctx, "error_color", &p->error);
  /* Phases from the GNOME palette, a step lighter on dark. */
  lookup_color (ctx, p->dark ? "blue_2" : "blue_3", &p->phase[TRAJ_PHASE_INDUCTION]);
  lookup_color (ctx, p->dark ? "purple_2" : "purple_3", &p->phase[TRAJ_PHASE_MAINTENANCE]);
  lookup_color (ctx, p->dark ? "orange_3" : "orange_4", &p->phase[TRAJ_PHASE_BOOSTER]);
}

static void
update_palette (TrajChartView *self)
{
  traj_chart_palette_from_widget (GTK_WIDGET (self), &self->palette);
}

static void
update_font (TrajChartView *self)
{
  PangoContext *pctx = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *desc = pango_context_get_font_description (pctx);
  const char *family = desc ? pango_font_description_get_family (desc) : NULL;
  double size = 12.0;

  if (desc && pango_font_description_get_size (desc) > 0)
    {
      size = pango_font_description_get_size (desc) / (double) PANGO_SCALE;
      if (!pango_font_description_get_size_is_absolute (desc))
        size = size * 96.0 / 72.0;
      /* Chart labels sit a little under body text. */
      size = CLAMP (size * 0.86, 9.0, 24.0);
    }
  if (g_strcmp0 (family, self->font_family) != 0 || size != self->font_size)
    {
      g_free (self->font_family);
      self->font_family = g_strdup (family);
      self->font_size = size;
      g_clear_pointer (&self->layout, traj_chart_layout_free);
    }
}

static void
options_for (TrajChartView *self, TrajChartOptions *options)
{
  traj_chart_options_init (options);
  options->axis = self->axis;
  options->font_family = self->font_family;
  options->font_size = self->font_size;
}

static gboolean
same_item (const TrajChartItem *a, const TrajChartItem *b)
{
  return a->kind == b->kind && a->row == b->row && a->index == b->index;
}

/* The layout for the current size; items re-resolved against it. */
static TrajChartLayout *
ensure_layout (TrajChartView *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  double lw, lh;

  if (self->model == NULL || width <= 0 || height <= 0)
    return NULL;
  if (self->layout)
    {
      traj_chart_layout_get_size (self->layout, &lw, &lh);
      if (lw != width || lh != height)
        g_clear_pointer (&self->layout, traj_chart_layout_free);
    }
  if (self->layout == NULL)
    {
      TrajChartOptions options;
      TrajChartItem old_cursor = self->cursor;

      options_for (self, &options);
      self->layout = traj_chart_layout_new (self->model, &options, width, height);
      /* Marks moved: the cursor keeps its record, the hover is recomputed
       * on the next motion. */
      self->hover.kind = TRAJ_CHART_ITEM_NONE;
      self->cursor.kind = TRAJ_CHART_ITEM_NONE;
      if (old_cursor.kind == TRAJ_CHART_ITEM_FINDING)
        traj_chart_layout_get_item (self->layout, old_cursor.kind, old_cursor.row, old_cursor.index, &self->cursor);
      else if (old_cursor.kind != TRAJ_CHART_ITEM_NONE)
        traj_chart_layout_find_item (self->layout, old_cursor.kind, old_cursor.record_id, &self->cursor);
    }
  return self->layout;
}

static void
set_hover (TrajChartView *self, const TrajChartItem *item)
{
  TrajChartItem none = { 0 };

  if (item == NULL)
    item = &none;
  if (same_item (&self->hover, item))
    return;
  self->hover = *item;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), item->kind != TRAJ_CHART_ITEM_NONE ? "pointer" : NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
activate_item (TrajChartView *self, const TrajChartItem *item)
{
  self->cursor = *item;
  self->selected_kind = item->kind;
  self->selected_id = item->record_id;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[ITEM_ACTIVATED], 0, (int) item->record_kind, item->record_id);
}

static void
update_description (TrajChartView *self)
{
  g_free (self->description);
  self->description = self->model ? traj_chart_model_describe (self->model)
                                  : g_strdup (_("No patient selected."));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->description,
                                  -1);
}

/* ---- callbacks ----------------------------------------------------------- */

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           TrajChartView            *self)
{
  TrajChartItem item;

  if (traj_chart_view_item_at (self, x, y, &item))
    set_hover (self, &item);
  else
    set_hover (self, NULL);
}

static void
leave_cb (GtkEventControllerMotion *motion,
          TrajChartView            *self)
{
  set_hover (self, NULL);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            TrajChartView   *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             TrajChartView   *self)
{
  TrajChartItem item;

  if (traj_chart_view_item_at (self, x, y, &item))
    activate_item (self, &item);
}

static void
focus_enter_cb (GtkEventControllerFocus *focus,
                TrajChartView           *self)
{
  TrajChartLayout *layout = ensure_layout (self);

  if (layout && self->cursor.kind == TRAJ_CHART_ITEM_NONE)
    traj_chart_layout_step (layout, NULL, TRAJ_CHART_STEP_FIRST, &self->cursor);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
focus_leave_cb (GtkEventControllerFocus *focus,
                TrajChartView           *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TrajChartView *self = TRAJ_CHART_VIEW (widget);

  if (!traj_chart_view_move_cursor (self, (TrajChartStep) g_variant_get_int32 (parameter)))
    gtk_widget_error_bell (widget);
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TrajChartView *self = TRAJ_CHART_VIEW (widget);

  if (ensure_layout (self) != NULL && self->cursor.kind != TRAJ_CHART_ITEM_NONE)
    activate_item (self, &self->cursor);
}

/* ---- vfuncs -------------------------------------------------------------- */

static void
traj_chart_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  TrajChartView *self = TRAJ_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  TrajChartLayout *layout;
  TrajChartItem selected;
  const TrajChartItem *shown = NULL;
  gboolean has_selected;
  cairo_t *cr;

  layout = ensure_layout (self);
  if (layout == NULL)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  traj_chart_draw (layout, cr, &self->palette);

  has_selected = self->selected_kind != TRAJ_CHART_ITEM_NONE &&
                 self->selected_kind != TRAJ_CHART_ITEM_FINDING &&
                 traj_chart_layout_find_item (layout, self->selected_kind, self->selected_id, &selected);
  if (has_selected)
    traj_chart_draw_highlight (layout, cr, &self->palette, &selected, TRUE, FALSE);

  if (self->hover.kind != TRAJ_CHART_ITEM_NONE)
    shown = &self->hover;
  else if (self->cursor.kind != TRAJ_CHART_ITEM_NONE && gtk_widget_has_focus (widget))
    shown = &self->cursor;
  if (shown)
    traj_chart_draw_highlight (layout, cr, &self->palette, shown,
                               has_selected && same_item (shown, &selected), TRUE);
  cairo_destroy (cr);
}

static void
traj_chart_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  TrajChartView *self = TRAJ_CHART_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 720;
    }
  else
    {
      guint n = self->model ? MAX (traj_chart_model_get_n_series (self->model), 1) : 1;
      /* In the page's scroller the chart gets its minimum: room for the
       * legend, axes and strip (~200 px) and a plot of at least ~120 px for
       * the smallest panel (the primary scale's is twice as tall). */
      *minimum = 200 + 180 * (int) n;
      *natural = MIN (260 + 220 * (int) n, 900);
    }
}

static void
traj_chart_view_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  TrajChartView *self = TRAJ_CHART_VIEW (widget);

  GTK_WIDGET_CLASS (traj_chart_view_parent_class)->css_changed (widget, change);
  update_palette (self);
  update_font (self);
  gtk_widget_queue_draw (widget);
}

static void
traj_chart_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TrajChartView *self = TRAJ_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_boxed (value, self->model);
      break;
    case PROP_AXIS:
      g_value_set_enum (value, self->axis);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_chart_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TrajChartView *self = TRAJ_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      traj_chart_view_set_model (self, g_value_get_boxed (value));
      break;
    case PROP_AXIS:
      traj_chart_view_set_axis (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_chart_view_dispose (GObject *object)
{
  TrajChartView *self = TRAJ_CHART_VIEW (object);

  g_clear_pointer (&self->layout, traj_chart_layout_free);
  g_clear_pointer (&self->model, traj_chart_model_unref);
  G_OBJECT_CLASS (traj_chart_view_parent_class)->dispose (object);
}

static void
traj_chart_view_finalize (GObject *object)
{
  TrajChartView *self = TRAJ_CHART_VIEW (object);

  g_free (self->font_family);
  g_free (self->description);
  G_OBJECT_CLASS (traj_chart_view_parent_class)->finalize (object);
}

static void
add_step_binding (GtkWidgetClass *widget_class, guint key, TrajChartStep step)
{
  gtk_widget_class_add_binding_action (widget_class, key, 0, "chart-view.step", "i", (gint32) step);
}

static void
traj_chart_view_class_init (TrajChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = traj_chart_view_get_property;
  object_class->set_property = traj_chart_view_set_property;
  object_class->dispose = traj_chart_view_dispose;
  object_class->finalize = traj_chart_view_finalize;

  widget_class->snapshot = traj_chart_view_snapshot;
  widget_class->measure = traj_chart_view_measure;
  widget_class->css_changed = traj_chart_view_css_changed;

  properties[PROP_MODEL] =
    g_param_spec_boxed ("model", NULL, NULL,
                        TRAJ_TYPE_CHART_MODEL,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AXIS] =
    g_param_spec_enum ("axis", NULL, NULL,
                       TRAJ_TYPE_CHART_AXIS, TRAJ_CHART_AXIS_DATE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TrajChartView::item-activated:
   * @record_kind: a TrajRecordKind: assessment or infusion
   * @record_id: the record's id
   */
  signals[ITEM_ACTIVATED] =
    g_signal_new ("item-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "chart-view.step", "i", step_action);
  gtk_widget_class_install_action (widget_class, "chart-view.activate", NULL, activate_action);
  add_step_binding (widget_class, GDK_KEY_Left, TRAJ_CHART_STEP_PREVIOUS);
  add_step_binding (widget_class, GDK_KEY_KP_Left, TRAJ_CHART_STEP_PREVIOUS);
  add_step_binding (widget_class, GDK_KEY_Right, TRAJ_CHART_STEP_NEXT);
  add_step_binding (widget_class, GDK_KEY_KP_Right, TRAJ_CHART_STEP_NEXT);
  add_step_binding (widget_class, GDK_KEY_Up, TRAJ_CHART_STEP_UP);
  add_step_binding (widget_class, GDK_KEY_KP_Up, TRAJ_CHART_STEP_UP);
  add_step_binding (widget_class, GDK_KEY_Down, TRAJ_CHART_STEP_DOWN);
  add_step_binding (widget_class, GDK_KEY_KP_Down, TRAJ_CHART_STEP_DOWN);
  add_step_binding (widget_class, GDK_KEY_Home, TRAJ_CHART_STEP_HOME);
  add_step_binding (widget_class, GDK_KEY_End, TRAJ_CHART_STEP_END);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "chart-view.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "chart-view.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "chart-view.activate", NULL);

  traj_gui_init ();
  gtk_widget_class_set_css_name (widget_class, "trajchartview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
traj_chart_view_init (TrajChartView *self)
{
  GtkEventController *motion, *focus;
  GtkGesture *click;

  self->axis = TRAJ_CHART_AXIS_DATE;
  self->font_size = 12.0;
  traj_chart_palette_init_print (&self->palette);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "enter", G_CALLBACK (focus_enter_cb), self);
  g_signal_connect (focus, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chart of scores and infusions"),
                                  -1);
  update_description (self);
}

/* ---- public API ------------------------------------------------------------ */

GtkWidget *
traj_chart_view_new (void)
{
  return g_object_new (TRAJ_TYPE_CHART_VIEW, NULL);
}

void
traj_chart_view_set_model (TrajChartView  *self,
                           TrajChartModel *model)
{
  g_return_if_fail (TRAJ_IS_CHART_VIEW (self));

  if (self->model == model)
    return;
  g_clear_pointer (&self->layout, traj_chart_layout_free);
  g_clear_pointer (&self->model, traj_chart_model_unref);
  if (model)
    self->model = traj_chart_model_ref (model);
  /* A new model keeps the cursor and selection when their records are in
   * it (ensure_layout looks them up), else they go. Findings have no record
   * of their own to follow. */
  self->hover.kind = TRAJ_CHART_ITEM_NONE;
  if (self->cursor.kind == TRAJ_CHART_ITEM_FINDING)
    self->cursor.kind = TRAJ_CHART_ITEM_NONE;
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

TrajChartModel *
traj_chart_view_get_model (TrajChartView *self)
{
  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), NULL);
  return self->model;
}

void
traj_chart_view_set_axis (TrajChartView *self,
                          TrajChartAxis  axis)
{
  g_return_if_fail (TRAJ_IS_CHART_VIEW (self));

  if (self->axis == axis)
    return;
  self->axis = axis;
  g_clear_pointer (&self->layout, traj_chart_layout_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AXIS]);
}

TrajChartAxis
traj_chart_view_get_axis (TrajChartView *self)
{
  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), TRAJ_CHART_AXIS_DATE);
  return self->axis;
}

gboolean
traj_chart_view_item_at (TrajChartView *self,
                         double         x,
                         double         y,
                         TrajChartItem *item)
{
  TrajChartLayout *layout;

  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), FALSE);

  layout = ensure_layout (self);
  return layout != NULL && traj_chart_layout_hit_test (layout, x, y, HIT_RADIUS, item);
}

gboolean
traj_chart_view_get_cursor (TrajChartView *self,
                            TrajChartItem *item)
{
  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), FALSE);

  ensure_layout (self);
  if (self->cursor.kind == TRAJ_CHART_ITEM_NONE)
    return FALSE;
  if (item)
    *item = self->cursor;
  return TRUE;
}

gboolean
traj_chart_view_move_cursor (TrajChartView *self,
                             TrajChartStep  step)
{
  TrajChartLayout *layout;

  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), FALSE);

  layout = ensure_layout (self);
  if (layout == NULL)
    return FALSE;
  if (self->cursor.kind == TRAJ_CHART_ITEM_NONE || step == TRAJ_CHART_STEP_FIRST)
    {
      if (!traj_chart_layout_step (layout, NULL, TRAJ_CHART_STEP_FIRST, &self->cursor))
        return FALSE;
    }
  else if (!traj_chart_layout_step (layout, &self->cursor, step, &self->cursor))
    return FALSE;
  /* The keyboard takes over from the pointer. */
  set_hover (self, NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

gboolean
traj_chart_view_select_record (TrajChartView  *self,
                               TrajRecordKind  kind,
                               gint64          id)
{
  TrajChartLayout *layout;
  TrajChartItem item;
  gboolean found = FALSE;

  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), FALSE);

  layout = ensure_layout (self);
  self->selected_kind = TRAJ_CHART_ITEM_NONE;
  if (kind == TRAJ_KIND_INFUSION)
    {
      self->selected_kind = TRAJ_CHART_ITEM_INFUSION;
      found = layout && traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_INFUSION, id, &item);
    }
  else if (kind == TRAJ_KIND_ASSESSMENT)
    {
      self->selected_kind = TRAJ_CHART_ITEM_SCORE;
      found = layout && traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_SCORE, id, &item);
      if (!found && layout && traj_chart_layout_find_item (layout, TRAJ_CHART_ITEM_DRAFT, id, &item))
        {
          self->selected_kind = TRAJ_CHART_ITEM_DRAFT;
          found = TRUE;
        }
    }
  self->selected_id = id;
  if (found)
    self->cursor = item;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return found;
}

const char *
traj_chart_view_get_description (TrajChartView *self)
{
  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), NULL);
  return self->description;
}

gboolean
traj_chart_view_export (TrajChartView  *self,
                        const char     *path,
                        GError        **error)
{
  TrajChartOptions options;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->model == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no chart to export."));
      return FALSE;
    }
  traj_chart_options_init (&options);
  options.axis = self->axis;
  options.show_title = TRUE;
  lower = g_ascii_strdown (path, -1);
  /* PNG at twice the size, so it stays sharp in a document or on a HiDPI screen. */
  return traj_chart_write_file_full (self->model, &options, path, EXPORT_WIDTH, EXPORT_HEIGHT,
                                     g_str_has_suffix (lower, ".png") ? 2.0 : 1.0, error);
}

TrajChartLayout *
traj_chart_view_get_layout (TrajChartView *self)
{
  g_return_val_if_fail (TRAJ_IS_CHART_VIEW (self), NULL);
  return ensure_layout (self);
}
