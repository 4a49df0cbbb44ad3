/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A guard around libadwaita 1.2's toast overlay.
 *
 * libadwaita 1.2 (Debian 12 ships 1.2.2) frees a toast's bookkeeping when
 * the toast's hide animation ends, while the show animation of the same
 * toast (300 ms, or 500 ms when it replaces another toast) may still be
 * running and calls back into the freed memory when it ends. A toast
 * dismissed early enough that its 300 ms hide ends before its show does
 * therefore crashes the app: an Undo pressed, a close button clicked or
 * Escape pressed within the first 200 ms of a replacing toast, for
 * example after deleting two records in a row. (Fixed upstream in later
 * releases; we cannot require them.)
 *
 * The guard makes every toast that appears ignore the pointer and Escape
 * until its show animation is over (TRAJ_TOAST_GUARD_MS, longer than any
 * show animation), then gives it back its clicks. A person loses nothing:
 * the toast is still sliding in during that time. */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include "traj-toast-guard.h"

typedef struct
{
  GWeakRef overlay;
  GWeakRef widget;
  GWeakRef toast;
  gboolean dismissed;
} Guarded;

typedef struct
{
  GListModel *children;
  guint armed;               /* toasts still within their guard time */
} Guard;

static void
guard_free (Guard *guard)
{
  g_clear_object (&guard->children);
  g_free (guard);
}

static Guard *
get_guard (AdwToastOverlay *overlay)
{
  return g_object_get_data (G_OBJECT (overlay), "traj-toast-guard");
}

static void
on_dismissed (AdwToast *toast, Guarded *g)
{
  g->dismissed = TRUE;
}

static void
guarded_free (Guarded *g)
{
  g_autoptr(AdwToast) toast = g_weak_ref_get (&g->toast);

  if (toast)
    g_signal_handlers_disconnect_by_func (toast, on_dismissed, g);
  g_weak_ref_clear (&g->overlay);
  g_weak_ref_clear (&g->widget);
  g_weak_ref_clear (&g->toast);
  g_free (g);
}

static gboolean
release_toast (gpointer data)
{
  Guarded *g = data;
  g_autoptr(GtkWidget) overlay = g_weak_ref_get (&g->overlay);
  g_autoptr(GtkWidget) widget = g_weak_ref_get (&g->widget);
  g_autoptr(AdwToast) toast = g_weak_ref_get (&g->toast);

  if (overlay)
    {
      Guard *guard = get_guard (ADW_TOAST_OVERLAY (overlay));

      if (guard && guard->armed > 0)
        guard->armed--;
    }

  /* A dismiss asked for while the toast was arriving happens now, when it
   * is safe; the toast never takes a click in between. */
  if (toast)
    {
      gboolean pending = g_object_get_data (G_OBJECT (toast), "traj-toast-dismiss-pending") != NULL;

      g_object_set_data (G_OBJECT (toast), "traj-toast-armed", NULL);
      g_object_set_data (G_OBJECT (toast), "traj-toast-dismiss-pending", NULL);
      if (pending && !g->dismissed)
        {
          adw_toast_dismiss (toast);
          return G_SOURCE_REMOVE;
        }
    }

  /* Only the toast on show gets its clicks back: one that was dismissed or
   * is fading out behind a newer one (not the overlay's last child) stays
   * as libadwaita left it. */
  if (widget && overlay && !g->dismissed
      && gtk_widget_get_parent (widget) == overlay
      && gtk_widget_get_last_child (overlay) == widget)
    {
      gtk_widget_set_can_target (widget, TRUE);
      gtk_widget_set_can_focus (widget, TRUE);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
is_toast_widget (GtkWidget *widget)
{
  return g_object_class_find_property (G_OBJECT_GET_CLASS (widget), "toast") != NULL;
}

static void
guard_toast_widget (AdwToastOverlay *overlay, Guard *guard, GtkWidget *widget)
{
  Guarded *g;
  AdwToast *toast = NULL;

  if (g_object_get_data (G_OBJECT (widget), "traj-toast-guarded"))
    return;
  if (!is_toast_widget (widget))
    return;
  g_object_get (widget, "toast", &toast, NULL);
  if (toast == NULL)
    return;

  g_object_set_data (G_OBJECT (widget), "traj-toast-guarded", GINT_TO_POINTER (1));
  gtk_widget_set_can_target (widget, FALSE);
  gtk_widget_set_can_focus (widget, FALSE);

  g = g_new0 (Guarded, 1);
  g_weak_ref_init (&g->overlay, overlay);
  g_weak_ref_init (&g->widget, widget);
  g_weak_ref_init (&g->toast, toast);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_dismissed), g);
  g_object_set_data (G_OBJECT (toast), "traj-toast-armed", GINT_TO_POINTER (1));
  g_object_unref (toast);

  guard->armed++;
  g_timeout_add_full (G_PRIORITY_DEFAULT, TRAJ_TOAST_GUARD_MS, release_toast, g,
                      (GDestroyNotify) guarded_free);
}

/* A toast sits over the bottom of the window, where the chart's date
 * labels and the last rows of a page are: while one is on screen (or
 * sliding away), the overlay's content stops above it, so a toast covers
 * nothing a clinician reads. */
static void
make_room (AdwToastOverlay *overlay, GListModel *children)
{
  GtkWidget *content = adw_toast_overlay_get_child (overlay);
  int band = 0;

  if (content == NULL)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(GtkWidget) child = g_list_model_get_item (children, i);
      int natural = 0;

      if (child == content || !is_toast_widget (child))
        continue;
      /* Its CSS margin is in the measure: the band reaches its top. */
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
      band = MAX (band, natural);
    }
  if (gtk_widget_get_margin_bottom (content) != band)
    gtk_widget_set_margin_bottom (content, band);
}

static void
on_children_changed (GListModel      *children,
                     guint            position,
                     guint            removed,
                     guint            added,
                     AdwToastOverlay *overlay)
{
  Guard *guard = get_guard (overlay);

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWidget) child = g_list_model_get_item (children, i);

      guard_toast_widget (overlay, guard, child);
    }
  make_room (overlay, children);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                AdwToastOverlay       *overlay)
{
  /* Escape dismisses the toast on show: not while it is still arriving. */
  return keyval == GDK_KEY_Escape && traj_toast_guard_is_armed (overlay);
}

/* Guards every toast @overlay will show, for as long as @overlay lives. */
void
traj_toast_guard_attach (AdwToastOverlay *overlay)
{
  Guard *guard;
  GtkEventController *keys;

  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (get_guard (overlay) == NULL);

  guard = g_new0 (Guard, 1);
  guard->children = gtk_widget_observe_children (GTK_WIDGET (overlay));
  g_object_set_data_full (G_OBJECT (overlay), "traj-toast-guard", guard,
                          (GDestroyNotify) guard_free);
  g_signal_connect_object (guard->children, "items-changed",
                           G_CALLBACK (on_children_changed), overlay, 0);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (keys, "traj-toast-guard");
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), overlay, 0);
  gtk_widget_add_controller (GTK_WIDGET (overlay), keys);
}

/* Whether a toast of @overlay is still within its guard time. */
gboolean
traj_toast_guard_is_armed (AdwToastOverlay *overlay)
{
  Guard *guard = get_guard (overlay);

  return guard != NULL && guard->armed > 0;
}

/* Dismisses @toast as soon as that is safe: at once, unless it is still
 * arriving (then when its guard time ends; until then it takes no click,
 * no focus and no Escape). Works for a toast still waiting in the queue. */
void
traj_toast_guard_dismiss (AdwToast *toast)
{
  g_return_if_fail (ADW_IS_TOAST (toast));

  if (g_object_get_data (G_OBJECT (toast), "traj-toast-armed"))
    g_object_set_data (G_OBJECT (toast), "traj-toast-dismiss-pending", GINT_TO_POINTER (1));
  else
    adw_toast_dismiss (toast);
}
