/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What keeps the kiosk to one patient at a time and one window: the idle
 * reset with its "Are you still there?" countdown, and no other window of
 * this process in front of it until staff unlock (see
 * traj-kiosk-window-private.h for how the kiosk window is split). */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-kiosk-window-private.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

/* ---- idle ------------------------------------------------------------------------ */

/* "Are you still there?" comes this long before the reset (less when the
 * whole idle time is short). */
#define STILL_THERE_SECONDS 20

static void
update_still_there (TrajKioskWindow *self)
{
  g_autofree char *text =
    g_strdup_printf (ngettext ("For your privacy, your answers will be put away in %u second. Tap Continue to carry on.",
                               "For your privacy, your answers will be put away in %u seconds. Tap Continue to carry on.",
                               self->still_there_left), self->still_there_left);

  gtk_label_set_label (self->still_there_label, text);
}

static gboolean
still_there_tick (gpointer data)
{
  TrajKioskWindow *self = data;

  if (--self->still_there_left > 0)
    {
      update_still_there (self);
      return G_SOURCE_CONTINUE;
    }
  self->idle_timer = 0;
  gtk_widget_set_visible (self->still_there, FALSE);
  traj_kiosk_window_idle_timeout (self);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_fired (gpointer data)
{
  TrajKioskWindow *self = data;

  self->idle_timer = 0;
  if (self->still_there_seconds == 0)
    {
      traj_kiosk_window_idle_timeout (self);
      return G_SOURCE_REMOVE;
    }
  /* A last chance, with a countdown, before the session is put away. */
  self->still_there_left = self->still_there_seconds;
  update_still_there (self);
  gtk_widget_set_visible (self->still_there, TRUE);
  gtk_widget_grab_focus (self->still_there_button);
  self->idle_timer = g_timeout_add_seconds (1, still_there_tick, self);
  return G_SOURCE_REMOVE;
}

void
kiosk_restart_idle (TrajKioskWindow *self)
{
  const char *screen = gtk_stack_get_visible_child_name (self->stack);
  guint seconds = self->idle_seconds ? self->idle_seconds :
                  self->settings ? (guint) g_settings_get_int (self->settings, "kiosk-idle-seconds") : 120;

  g_clear_handle_id (&self->idle_timer, g_source_remove);
  gtk_widget_set_visible (self->still_there, FALSE);
  /* The check-in screen holds nothing of a patient but a half-typed code. */
  if (g_strcmp0 (screen, "no-pin") == 0 || (g_strcmp0 (screen, "checkin") == 0 && self->code->len == 0))
    return;
  seconds = MAX (seconds, 1);
  /* The question comes STILL_THERE_SECONDS before the reset, or halfway
   * through a shorter idle time; none on the check-in screen, where only
   * a half-typed code is put away. */
  self->still_there_seconds = g_strcmp0 (screen, "checkin") == 0 ? 0 : MIN (STILL_THERE_SECONDS, seconds / 2);
  self->idle_timer = g_timeout_add_seconds (seconds - self->still_there_seconds, idle_fired, self);
}

static gboolean
on_any_event (GtkEventControllerLegacy *controller,
              GdkEvent                 *event,
              TrajKioskWindow          *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN || type == GDK_KEY_PRESS ||
      type == GDK_SCROLL || type == GDK_TOUCH_UPDATE)
    kiosk_restart_idle (self);
  return FALSE;
}

/* ---- no other window ------------------------------------------------------------- */

static void watch_windows (TrajKioskWindow *self);

/* While the kiosk is up, no other window of this process may be shown:
 * whatever opens one (the Inspector through gtk_window_set_interactive_debugging,
 * a dialog a future change forgets to fence off), it is hidden before it can
 * take a single event, every time it is shown again, and the kiosk is brought
 * back to the front. Hidden, not destroyed: GTK 4.8's Inspector does not
 * survive being destroyed under it. Popovers and tooltips are not windows and
 * stay inside the kiosk. */
static gboolean
hide_other_windows (gpointer data)
{
  TrajKioskWindow *self = data;
  GListModel *toplevels = gtk_window_get_toplevels ();
  gboolean hid = FALSE;

  self->guard_idle = 0;
  if (self->unlocked)
    return G_SOURCE_REMOVE;
  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, k);

      if (w == GTK_WIDGET (self))
        continue;
      if (g_object_get_data (G_OBJECT (w), "traj-kiosk-watched") == NULL)
        {
          g_object_set_data (G_OBJECT (w), "traj-kiosk-watched", GINT_TO_POINTER (1));
          g_signal_connect_object (w, "notify::visible", G_CALLBACK (watch_windows), self, G_CONNECT_SWAPPED);
        }
      if (gtk_widget_get_visible (w))
        {
          g_message ("Hid a %s window that opened over the patient kiosk", G_OBJECT_TYPE_NAME (w));
          gtk_widget_set_visible (w, FALSE);
          hid = TRUE;
        }
    }
  if (hid && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_window_present (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static void
watch_windows (TrajKioskWindow *self)
{
  /* Not at once: the new window may still be under construction. Before
   * anything else runs, though, input and drawing included. */
  if (!self->unlocked && self->guard_idle == 0)
    self->guard_idle = g_idle_add_full (G_PRIORITY_HIGH, hide_other_windows, self, NULL);
}

/* Under an ordinary window manager, "show desktop" (Super+D) or a
 * minimise hid the kiosk for good, and the desktop behind it offered a
 * terminal (a kiosk trial). Until staff unlock it, the kiosk puts itself
 * back: unminimised, fullscreen again if it was, and in front. */
static gboolean
represent (gpointer data)
{
  TrajKioskWindow *self = data;

  self->represent_idle = 0;
  if (self->unlocked)
    return G_SOURCE_REMOVE;
  g_message ("The patient kiosk was hidden or left fullscreen; showing it again");
  gtk_window_unminimize (GTK_WINDOW (self));
  if (self->was_fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

/* Under an X11 window manager with several desktops, switching desktop
 * (Ctrl+Alt+arrows, a pager) left the kiosk behind on its own and showed
 * an empty desktop with its menus. The kiosk is on every desktop
 * (_NET_WM_DESKTOP 0xFFFFFFFF, EWMH's "all desktops"), asked for once the
 * window manager has taken the window on, and again if it moves it. The
 * single-app cage session has no desktops at all. */
static void
stay_on_every_desktop (TrajKioskWindow *self, GdkSurface *surface)
{
#ifdef GDK_WINDOWING_X11
  if (!self->unlocked && GDK_IS_X11_SURFACE (surface) && gdk_surface_get_mapped (surface) &&
      gdk_x11_surface_get_desktop (surface) != 0xFFFFFFFF)
    gdk_x11_surface_move_to_desktop (surface, 0xFFFFFFFF);
#endif
}

/* A kiosk trial under openbox: "show desktop" (Super+D) hid the kiosk
 * without minimising it (openbox has its own hidden state), and the window
 * menu's "Send to desktop" moved it off the desktop in view; each left a
 * desktop with a terminal in its menu. Neither says so in the window's
 * state, but the kiosk loses the keyboard: when it has not got it back a
 * moment later, it puts itself back (on every desktop, in front, which
 * also ends openbox's "show desktop"). */
static gboolean
refocus (gpointer data)
{
  TrajKioskWindow *self = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  self->refocus_timer = 0;
  if (self->unlocked || surface == NULL || gtk_window_is_active (GTK_WINDOW (self)))
    return G_SOURCE_REMOVE;
  stay_on_every_desktop (self, surface);
  return represent (self);
}

/* Under X11 the toplevel's focused state stays set through openbox's "show
 * desktop"; the window's is-active follows the keyboard focus. */
static void
on_active_changed (TrajKioskWindow *self)
{
  if (gtk_window_is_active (GTK_WINDOW (self)))
    {
      self->was_focused = TRUE;
      g_clear_handle_id (&self->refocus_timer, g_source_remove);
    }
  else if (self->was_focused && !self->unlocked && self->refocus_timer == 0)
    self->refocus_timer = g_timeout_add (400, refocus, self);
}

static void
on_surface_state (GdkToplevel *toplevel, GParamSpec *pspec, TrajKioskWindow *self)
{
  GdkToplevelState state = gdk_toplevel_get_state (toplevel);

  stay_on_every_desktop (self, GDK_SURFACE (toplevel));

  if (state & GDK_TOPLEVEL_STATE_FULLSCREEN)
    self->was_fullscreen = TRUE;
  if (self->unlocked || self->represent_idle != 0)
    return;
  if ((state & GDK_TOPLEVEL_STATE_MINIMIZED) || (self->was_fullscreen && !(state & GDK_TOPLEVEL_STATE_FULLSCREEN)))
    self->represent_idle = g_idle_add (represent, self);
}

static void
on_realize (TrajKioskWindow *self)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  if (GDK_IS_TOPLEVEL (surface))
    g_signal_connect_object (surface, "notify::state", G_CALLBACK (on_surface_state), self, 0);
}

static void
on_toplevels_changed (GListModel      *toplevels,
                      guint            position,
                      guint            removed,
                      guint            added,
                      TrajKioskWindow *self)
{
  if (added)
    watch_windows (self);
}

/* ---- the window's life ------------------------------------------------------------ */

void
kiosk_guard_init (TrajKioskWindow *self)
{
  GtkEventController *legacy = gtk_event_controller_legacy_new ();

  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_any_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self), legacy);
  g_signal_connect_swapped (self->still_there_button, "clicked", G_CALLBACK (kiosk_restart_idle), self);

  g_signal_connect (self, "realize", G_CALLBACK (on_realize), NULL);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_active_changed), NULL);
  self->toplevels_id = g_signal_connect (gtk_window_get_toplevels (), "items-changed",
                                         G_CALLBACK (on_toplevels_changed), self);
}

void
kiosk_guard_dispose (TrajKioskWindow *self)
{
  g_clear_handle_id (&self->idle_timer, g_source_remove);
  g_clear_handle_id (&self->guard_idle, g_source_remove);
  g_clear_handle_id (&self->represent_idle, g_source_remove);
  g_clear_handle_id (&self->refocus_timer, g_source_remove);
  g_clear_signal_handler (&self->toplevels_id, gtk_window_get_toplevels ());
}
