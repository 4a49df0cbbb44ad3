/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk escape suite: nothing a patient can press leaves the kiosk.
 *
 * The test runs its own X server (Xvfb, a portrait 800×1280 tablet screen)
 * with a window manager (openbox, configured with no key bindings of its own:
 * the desktop's shortcuts are what the single-app cage session removes) and
 * drives the kiosk with real key and pointer events (xdotool → XTEST), state
 * by state: the check-in screen, the welcome, a question, the review, the
 * staff PIN keypad and "hand this device to the patient". After every key
 * combination it checks that no other window of the process exists and that
 * the kiosk is still fullscreen, visible and the active window. The last test
 * does the same against the real `trajectory --kiosk` binary, started with
 * GTK_DEBUG=interactive. */

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "traj-application.h"
#include "traj-keypad.h"
#include "traj-kiosk-window.h"
#include "traj-score-entry-private.h"
#include "traj-secret.h"
#include "traj-window.h"
#include "traj-gui.h"

#define PIN "731594"
#define DEADLINE_S 120

/* Every key combination that opens something on a desktop GTK app. */
static const char *combos[] = {
  "ctrl+shift+i", "ctrl+shift+d",          /* GTK Inspector */
  "F1", "F10", "shift+F10", "Menu", "F11",  /* help, menus, context menu, fullscreen */
  "alt+F4", "ctrl+q", "ctrl+w", "Escape",   /* close and quit */
  "ctrl+comma", "ctrl+question", "ctrl+shift+question", /* preferences, shortcuts */
  "ctrl+o", "ctrl+s", "ctrl+p", "ctrl+e",   /* file choosers, print */
  "ctrl+n", "ctrl+f", "ctrl+i", "ctrl+r",   /* the clinician window's shortcuts */
  "ctrl+period", "ctrl+semicolon",          /* emoji chooser */
  "alt+space", "super+d", "ctrl+alt+Left", "alt+Tab", "super",
};

static char *tmp_dir;
static GSubprocess *xvfb;
static GSubprocess *wm;

/* ---- running tools while the main loop runs ------------------------------ */

static void
on_tool_done (GObject *source, GAsyncResult *result, gpointer data)
{
  gboolean *done = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/* Runs a command to completion, the main loop turning meanwhile (so this
 * process answers the X server and the window manager); returns its stdout. */
static char *
run (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  gboolean done = FALSE;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  va_list ap;

  g_ptr_array_add (argv, (char *) first);
  va_start (ap, first);
  for (const char *a = va_arg (ap, const char *); a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  p = g_subprocess_newv ((const char * const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (p, NULL, on_tool_done, &done);
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (done);
  /* The pipe is read after exit: these tools print a line or two. */
  {
    GInputStream *in = g_subprocess_get_stdout_pipe (p);
    g_autoptr(GByteArray) buf = g_byte_array_new ();
    guint8 chunk[4096];
    gssize n;

    while ((n = g_input_stream_read (in, chunk, sizeof chunk, NULL, NULL)) > 0)
      g_byte_array_append (buf, chunk, (guint) n);
    g_byte_array_append (buf, (const guint8 *) "", 1);
    return (char *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
  }
}

/* ---- the private X server and window manager ------------------------------ */

/* The X server and the window manager end with this test, however it ends. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_display (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *rc = NULL, *display = NULL;
  int fds[2];
  char buf[32] = { 0 };
  gsize got = 0;
  const char *rc_xml =
    "<?xml version=\"1.0\"?>\n"
    "<openbox_config xmlns=\"http://openbox.org/3.4/rc\">\n"
    "  <focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>\n"
    "  <desktops><number>1</number></desktops>\n"
    "  <keyboard></keyboard>\n"
    "  <mouse></mouse>\n"
    "</openbox_config>\n";

  tmp_dir = g_dir_make_tmp ("traj-escape-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pipe (fds), ==, 0);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  xvfb = g_subprocess_launcher_spawn (launcher, &error, "Xvfb", "-displayfd", "3", "-screen", "0", "800x1280x24",
                                      "-nolisten", "tcp", NULL);
  if (xvfb == NULL)
    g_error ("Xvfb is needed for the kiosk escape tests (Debian: xvfb): %s", error->message);
  /* Xvfb writes the display number once it accepts clients. */
  while (got < sizeof buf - 1 && !strchr (buf, '\n'))
    {
      ssize_t n = read (fds[0], buf + got, sizeof buf - 1 - got);
      if (n <= 0)
        g_error ("Xvfb did not start");
      got += (gsize) n;
    }
  close (fds[0]);
  display = g_strdup_printf (":%d", atoi (buf));
  g_setenv ("DISPLAY", display, TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_unsetenv ("WAYLAND_DISPLAY");

  rc = g_build_filename (tmp_dir, "openbox-rc.xml", NULL);
  g_assert_true (g_file_set_contents (rc, rc_xml, -1, NULL));
  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  wm = g_subprocess_launcher_spawn (launcher, &error, "openbox", "--config-file", rc, "--sm-disable", NULL);
  if (wm == NULL)
    g_error ("openbox is needed for the kiosk escape tests (Debian: openbox): %s", error->message);
  /* Wait for the window manager to own the screen. */
  for (gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;;)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_spawn_command_line_sync ("xprop -root _NET_SUPPORTING_WM_CHECK", &out, &err, NULL, NULL);
      if (out && strstr (out, "window id"))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("openbox did not start");
      g_usleep (20000);
    }
}

static void
stop_display (void)
{
  if (wm)
    g_subprocess_force_exit (wm);
  if (xvfb)
    g_subprocess_force_exit (xvfb);
  g_clear_object (&wm);
  g_clear_object (&xvfb);
}

/* ---- fixture ------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  GSettings *settings;
  gint64 patient_id;
  TrajKioskWindow *kiosk;
  guint key_presses;           /* seen by the kiosk's surface */
  guint n_windows;             /* toplevels once the kiosk is up */
} Fixture;

static Fixture *current;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *sub = g_build_filename (path, name, NULL);
      remove_tree (sub);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

/* Counts the key presses that reach the kiosk's own window: proof that each
 * combination was really delivered, not lost on the way. */
static gboolean
count_keys (GSignalInvocationHint *hint, guint n, const GValue *params, gpointer data)
{
  GdkSurface *surface = g_value_get_object (&params[0]);
  GdkEvent *event = g_value_peek_pointer (&params[1]);

  if (current && current->kiosk && gtk_widget_get_realized (GTK_WIDGET (current->kiosk)) &&
      surface == gtk_native_get_surface (GTK_NATIVE (current->kiosk)) &&
      gdk_event_get_event_type (event) == GDK_KEY_PRESS)
    current->key_presses++;
  return TRUE;
}

/* Everything already sent to the X server has arrived and been handled:
 * a round trip to the server, then the main loop until it is idle. */
static void
settle (void)
{
  for (int round = 0; round < 3; round++)
    {
      gdk_display_sync (gdk_display_get_default ());
      for (int k = 0; k < 1000 && g_main_context_pending (NULL); k++)
        g_main_context_iteration (NULL, FALSE);
    }
}

static void
wait_for (gboolean (*cond) (gpointer), gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
window_ready (gpointer data)
{
  GtkWindow *w = data;
  return gtk_widget_get_mapped (GTK_WIDGET (w)) && gtk_window_is_active (w) && gtk_window_is_fullscreen (w);
}

static gulong
xid (GtkWindow *w)
{
  return (gulong) gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (w)));
}

static void
set_pin (TrajStore *store, const char *pin)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (traj_store_set_staff_pin (store, NULL, pin, &error));
  g_assert_no_error (error);
}

/* @day's digits in the order the kiosk asks for them. */
static char *
birth_digits (gint32 day)
{
  const char *order = traj_kiosk_birth_date_order ();
  GString *s = g_string_new (NULL);
  int y, m, d;

  g_assert_true (traj_day_to_ymd (day, &y, &m, &d));
  for (const char *o = order; *o; o++)
    g_string_append_printf (s, *o == 'y' ? "%04d" : "%02d", *o == 'y' ? y : *o == 'm' ? m : d);
  return g_string_free (s, FALSE);
}

#define BIRTH traj_day_from_ymd (1985, 12, 10)

static void
make_clinic (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();

  f->dir = g_dir_make_tmp ("traj-escape-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new (APP_ID);
  set_pin (f->store, PIN);
  p->mrn = g_strdup ("E-1");
  p->name = g_strdup ("Ada Lovelace");
  p->birth_day = BIRTH;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  f->patient_id = p->id;
}

static void
show_kiosk (Fixture *f, TrajKioskWindow *kiosk)
{
  f->kiosk = kiosk;
  gtk_window_fullscreen (GTK_WINDOW (kiosk));
  gtk_window_present (GTK_WINDOW (kiosk));
  wait_for (window_ready, kiosk, "the kiosk to be fullscreen and active");
  settle ();
  f->n_windows = g_list_model_get_n_items (gtk_window_get_toplevels ());
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  current = f;
  make_clinic (f);
  show_kiosk (f, g_object_ref_sink (traj_kiosk_window_new (NULL, f->store, f->settings)));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->kiosk)
    {
      traj_kiosk_window_unlock (f->kiosk, PIN);
      gtk_window_destroy (GTK_WINDOW (f->kiosk));
      settle ();
      g_assert_finalize_object (f->kiosk);
    }
  current = NULL;
  g_object_unref (f->settings);
  g_assert_finalize_object (f->store);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* ---- what must hold after every key --------------------------------------- */

static void
assert_kiosk_alone (Fixture *f, const char *screen, const char *after)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autofree char *active = NULL;
  g_autofree char *expected = g_strdup_printf ("%lu\n", xid (GTK_WINDOW (f->kiosk)));

  /* No window was made, and none is shown but the kiosk. */
  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, k);
      if (w != GTK_WIDGET (f->kiosk) && (gtk_widget_get_visible (w) || gtk_widget_get_mapped (w)))
        g_error ("After %s on the %s screen a %s window is shown beside the kiosk",
                 after, screen, G_OBJECT_TYPE_NAME (w));
    }
  if (g_list_model_get_n_items (toplevels) != f->n_windows)
    g_error ("After %s on the %s screen there are %u windows (%u before)", after, screen,
             g_list_model_get_n_items (toplevels), f->n_windows);
  if (!gtk_widget_get_mapped (GTK_WIDGET (f->kiosk)) || !gtk_window_is_fullscreen (GTK_WINDOW (f->kiosk)))
    g_error ("After %s on the %s screen the kiosk is no longer shown fullscreen", after, screen);
  /* In front again once the window manager has caught up (a window that
   * flashed and was hidden takes the focus with it for a moment). */
  for (gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
       !gtk_window_is_active (GTK_WINDOW (f->kiosk));)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("After %s on the %s screen the kiosk is no longer the active window", after, screen);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  active = run ("xdotool", "getactivewindow", NULL);
  g_assert_cmpstr (active, ==, expected);
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, screen);
}

/* Presses every combination on the current screen and checks after each. */
static void
press_everything (Fixture *f)
{
  g_autofree char *screen = g_strdup (traj_kiosk_window_get_screen (f->kiosk));
  g_autofree char *id = g_strdup_printf ("%lu", xid (GTK_WINDOW (f->kiosk)));

  g_test_message ("screen %s", screen);
  for (guint k = 0; k < G_N_ELEMENTS (combos); k++)
    {
      guint before = f->key_presses;

      g_free (run ("xdotool", "key", "--clearmodifiers", combos[k], NULL));
      settle ();
      if (f->key_presses == before)
        g_error ("%s never reached the kiosk on the %s screen", combos[k], screen);
      assert_kiosk_alone (f, screen, combos[k]);
    }
  /* The pointer: a right click and a long middle-button press (context
   * menus, primary paste), and a drag across the window. */
  g_free (run ("xdotool", "mousemove", "--window", id, "400", "640", "click", "3", NULL));
  g_free (run ("xdotool", "mousemove", "--window", id, "400", "640", "click", "2", NULL));
  g_free (run ("xdotool", "mousemove", "--window", id, "200", "900", "mousedown", "1",
               "mousemove", "--window", id, "600", "300", "mousemove", "--window", id, "650", "200",
               "mouseup", "1", NULL));
  settle ();
  assert_kiosk_alone (f, screen, "pointer clicks and a drag");
}

/* ---- driving the kiosk to each screen -------------------------------------- */

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  settle ();
}

static GtkWidget *
child (TrajKioskWindow *kiosk, const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (kiosk), TRAJ_TYPE_KIOSK_WINDOW, name));
}

static TrajScoreEntry *
entry_of (TrajKioskWindow *kiosk)
{
  return TRAJ_SCORE_ENTRY (gtk_widget_get_first_child (child (kiosk, "entry_bin")));
}

static gboolean
on_item (gpointer data)
{
  Fixture *f = data;
  TrajScoreEntry *e = entry_of (f->kiosk);

  return !g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question") ||
         (e && traj_score_entry_get_current_item (e) == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->kiosk), "want")));
}

static void
answer_all (Fixture *f)
{
  TrajScoreEntry *e = entry_of (f->kiosk);
  guint n = traj_score_entry_get_n_items (e);

  for (guint k = 0; k < n && g_str_equal (traj_kiosk_window_get_screen (f->kiosk), "question"); k++)
    {
      GtkWidget *b = traj_score_entry_get_answer_button (e, k, 1);
      if (b == NULL)
        {
          click (child (f->kiosk, "next_button"));
          continue;
        }
      g_signal_emit_by_name (b, "clicked");
      g_object_set_data (G_OBJECT (f->kiosk), "want", GUINT_TO_POINTER (k + 1));
      wait_for (on_item, f, "the next question");
    }
}

static gboolean
on_screen (gpointer data)
{
  Fixture *f = data;
  return g_str_equal (traj_kiosk_window_get_screen (f->kiosk),
                      (const char *) g_object_get_data (G_OBJECT (f->kiosk), "screen"));
}

static void
wait_screen (Fixture *f, const char *screen)
{
  g_object_set_data_full (G_OBJECT (f->kiosk), "screen", g_strdup (screen), g_free);
  wait_for (on_screen, f, screen);
}

static gboolean
not_checking (gpointer data)
{
  Fixture *f = data;
  return !g_str_equal (traj_kiosk_window_get_message (f->kiosk), "Checking…");
}

/* A kiosk trial under openbox: minimising the kiosk (what Super+D, "show
 * desktop", does to every window) left it hidden for good, and the desktop
 * behind it offered a terminal. The kiosk puts itself back, fullscreen and
 * in front, on its own. */
static gboolean
window_minimised (gpointer data)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (data));
  return (gdk_toplevel_get_state (GDK_TOPLEVEL (surface)) & GDK_TOPLEVEL_STATE_MINIMIZED) != 0;
}

/* The window manager has made the kiosk its active window again. */
static gboolean
x_active_is_kiosk (gpointer data)
{
  Fixture *f = data;
  g_autofree char *active = run ("xdotool", "getactivewindow", NULL);
  g_autofree char *expected = g_strdup_printf ("%lu\n", xid (GTK_WINDOW (f->kiosk)));

  return g_str_equal (active, expected) && window_ready (f->kiosk) && !window_minimised (f->kiosk);
}

static void
test_minimised_comes_back (Fixture *f, gconstpointer data)
{
  g_autofree char *id = g_strdup_printf ("%lu", xid (GTK_WINDOW (f->kiosk)));

  g_free (run ("xdotool", "windowminimize", id, NULL));
  settle ();
  wait_for (x_active_is_kiosk, f, "the kiosk to be back, fullscreen and active, after a minimise");
  assert_kiosk_alone (f, "checkin", "a minimise");

  /* Leaving fullscreen (a window manager's own toggle) is undone too. */
  gtk_window_unfullscreen (GTK_WINDOW (f->kiosk));
  settle ();
  wait_for (x_active_is_kiosk, f, "the kiosk to be fullscreen again");
  assert_kiosk_alone (f, "checkin", "leaving fullscreen");
}

/* The kiosk is on every desktop (_NET_WM_DESKTOP "all", printed by
 * xdotool as -1 or 4294967295). */
static gboolean
on_every_desktop (gpointer data)
{
  Fixture *f = data;
  g_autofree char *id = g_strdup_printf ("%lu", xid (GTK_WINDOW (f->kiosk)));
  g_autofree char *desktop = run ("xdotool", "get_desktop_for_window", id, NULL);

  return g_str_equal (desktop, "-1\n") || g_str_equal (desktop, "4294967295\n");
}

/* The kiosk is shown on the current desktop, and active. */
static gboolean
kiosk_on_current_desktop (gpointer data)
{
  Fixture *f = data;
  g_autofree char *id = g_strdup_printf ("%lu", xid (GTK_WINDOW (f->kiosk)));
  g_autofree char *info = run ("xwininfo", "-id", id, NULL);

  return strstr (info, "Map State: IsViewable") != NULL && x_active_is_kiosk (f);
}

/* A kiosk trial's open point: under a window manager with several
 * desktops, switching desktop (Ctrl+Alt+arrows, which such a window
 * manager binds to the same request xdotool sends here) left the kiosk on
 * its own desktop and showed an empty one. With four desktops, the kiosk
 * is on all of them, and on the second and the fourth it is shown,
 * fullscreen, in front and alone. */
static void
test_desktop_switch (Fixture *f, gconstpointer data)
{
  g_free (run ("xdotool", "set_num_desktops", "4", NULL));
  settle ();
  wait_for (on_every_desktop, f, "the kiosk to be on every desktop");
  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *desktop = g_strdup_printf ("%u", 1 + 2 * k);
      g_autofree char *now_on = NULL;

      g_free (run ("xdotool", "set_desktop", desktop, NULL));
      settle ();
      now_on = run ("xdotool", "get_desktop", NULL);
      g_assert_cmpint (atoi (now_on), ==, 1 + 2 * k);
      wait_for (kiosk_on_current_desktop, f, "the kiosk to be shown and active on the new desktop");
      assert_kiosk_alone (f, "checkin", "switching desktop");
    }
  g_free (run ("xdotool", "set_desktop", "0", NULL));
  g_free (run ("xdotool", "set_num_desktops", "1", NULL));
  settle ();
}

/* What openbox's Super+D ("show desktop") and its pager send: EWMH's
 * _NET_SHOWING_DESKTOP request to the root window. */
static void
request_showing_desktop (Fixture *f, gboolean on)
{
  Display *dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (f->kiosk)));
  XEvent ev = { 0 };

  ev.xclient.type = ClientMessage;
  ev.xclient.window = DefaultRootWindow (dpy);
  ev.xclient.message_type = XInternAtom (dpy, "_NET_SHOWING_DESKTOP", False);
  ev.xclient.format = 32;
  ev.xclient.data.l[0] = on ? 1 : 0;
  XSendEvent (dpy, DefaultRootWindow (dpy), False, SubstructureRedirectMask | SubstructureNotifyMask, &ev);
  XFlush (dpy);
}

/* A second kiosk trial under openbox: "show desktop" (Super+D) hid the
 * kiosk for good without minimising it, and the window menu's "Send to
 * desktop 2" left an empty desktop with a terminal in its menu. The kiosk
 * comes back, shown and active, after each. */
static void
test_show_desktop_and_send_away (Fixture *f, gconstpointer data)
{
  g_autofree char *id = g_strdup_printf ("%lu", xid (GTK_WINDOW (f->kiosk)));

  wait_for (x_active_is_kiosk, f, "the kiosk to be active to begin with");
  request_showing_desktop (f, TRUE);
  settle ();
  wait_for (kiosk_on_current_desktop, f, "the kiosk to be shown and active after \"show desktop\"");
  assert_kiosk_alone (f, "checkin", "\"show desktop\"");
  request_showing_desktop (f, FALSE);

  g_free (run ("xdotool", "set_num_desktops", "4", NULL));
  settle ();
  wait_for (on_every_desktop, f, "the kiosk to be on every desktop");
  g_free (run ("xdotool", "set_desktop_for_window", id, "2", NULL));
  settle ();
  wait_for (on_every_desktop, f, "the kiosk to be on every desktop again after being sent to desktop 3");
  wait_for (kiosk_on_current_desktop, f, "the kiosk to be shown and active after being sent away");
  assert_kiosk_alone (f, "checkin", "being sent to another desktop");
  g_free (run ("xdotool", "set_desktop", "0", NULL));
  g_free (run ("xdotool", "set_num_desktops", "1", NULL));
  settle ();
}

static void
test_checkin (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "checkin");
  press_everything (f);
}

static void
test_welcome (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = traj_store_create_checkin (f->store, f->patient_id, "gad7", 3600, NULL, &error);

  g_assert_no_error (error);
  /* The code and the birth date typed on the keyboard, as a patient with a
   * keyboard would. */
  g_autofree char *birth = birth_digits (BIRTH);

  g_free (run ("xdotool", "type", "--delay", "20", code, NULL));
  settle ();
  wait_screen (f, "birth");
  press_everything (f);
  /* The pointer test may have tapped a digit. */
  click (traj_keypad_get_button (TRAJ_KEYPAD (child (f->kiosk, "birth_keypad")), 'C'));
  g_free (run ("xdotool", "type", "--delay", "20", birth, NULL));
  settle ();
  wait_screen (f, "welcome");
  press_everything (f);
}

static void
test_question (Fixture *f, gconstpointer data)
{
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "question");
  press_everything (f);
}

static void
test_review (Fixture *f, gconstpointer data)
{
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "gad7");
  click (child (f->kiosk, "start_button"));
  answer_all (f);
  wait_screen (f, "review");
  press_everything (f);
}

static void
test_staff_keypad (Fixture *f, gconstpointer data)
{
  /* From a question: staff tap the lock, the PIN keypad shows in the kiosk. */
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "phq9");
  click (child (f->kiosk, "start_button"));
  click (child (f->kiosk, "staff_button"));
  g_assert_cmpstr (traj_kiosk_window_get_screen (f->kiosk), ==, "staff");
  assert_kiosk_alone (f, "staff", "tapping the lock");
  press_everything (f);

  /* A wrong PIN on the keypad: still the kiosk, a message, nothing else. */
  for (const char *k = "111111"; *k; k++)
    click (traj_keypad_get_button (TRAJ_KEYPAD (child (f->kiosk, "pin_keypad")), *k));
  click (child (f->kiosk, "pin_leave_button"));
  wait_for (not_checking, f, "the PIN to be checked");
  assert_kiosk_alone (f, "staff", "a wrong PIN");
  g_assert_nonnull (strstr (traj_kiosk_window_get_message (f->kiosk), "not right"));
  press_everything (f);

  /* Cancel goes back to the question, the patient's answers kept. */
  click (child (f->kiosk, "pin_cancel_button"));
  assert_kiosk_alone (f, "question", "cancelling the PIN");
}

/* ---- hand this device to the patient --------------------------------------- */

static void
on_window_added (GtkApplication *app, GtkWindow *window, Fixture *f)
{
  if (TRAJ_IS_KIOSK_WINDOW (window) && f->kiosk == NULL)
    f->kiosk = g_object_ref (TRAJ_KIOSK_WINDOW (window));
}

static gboolean
clinician_back (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (TRAJ_IS_WINDOW (w) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_hand_to_patient (void)
{
  Fixture fx = { 0 }, *f = &fx;
  g_autoptr(GError) error = NULL;
  TrajApplication *app;
  TrajWindow *win;
  GtkWidget *page_weak;
  TrajWindow *back = NULL;

  current = f;
  make_clinic (f);
  app = traj_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), f);
  win = traj_window_new (app, f->store, f->settings);
  gtk_window_present (GTK_WINDOW (win));
  traj_window_show_patient (win, f->patient_id);
  settle ();
  page_weak = traj_window_get_patient_page (win);
  g_assert_nonnull (page_weak);
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &win);
  g_object_add_weak_pointer (G_OBJECT (page_weak), (gpointer *) &page_weak);

  g_assert_true (traj_application_hand_to_patient (app, GTK_WINDOW (win), f->store, f->patient_id, "phq9", &error));
  g_assert_no_error (error);
  g_assert_nonnull (f->kiosk);
  wait_for (window_ready, f->kiosk, "the kiosk to be fullscreen and active");
  settle ();
  f->n_windows = g_list_model_get_n_items (gtk_window_get_toplevels ());

  /* Nothing of the clinician's session is left: the window and the patient
   * page are gone, not hidden; no application action works meanwhile. */
  g_assert_null (win);
  g_assert_null (page_weak);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "preferences"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "about"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  settle ();
  assert_kiosk_alone (f, "welcome", "handing the device over");
  press_everything (f);
  click (child (f->kiosk, "start_button"));
  press_everything (f);

  /* Staff come back through the PIN on the kiosk's keypad: a new clinician
   * window, on the same patient. */
  click (child (f->kiosk, "staff_button"));
  for (const char *k = PIN; *k; k++)
    click (traj_keypad_get_button (TRAJ_KEYPAD (child (f->kiosk, "pin_keypad")), *k));
  click (child (f->kiosk, "pin_leave_button"));
  wait_for (clinician_back, NULL, "the clinician window to come back");
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
        if (TRAJ_IS_WINDOW (w))
          back = TRAJ_WINDOW (w);
      }
  }
  g_assert_nonnull (back);
  g_assert_cmpint (traj_window_get_patient_id (back), ==, f->patient_id);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "preferences"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->kiosk)));

  /* The window goes only once its worker threads are done: until then they
   * may still open the clinic, which must stay until they have. */
  g_object_add_weak_pointer (G_OBJECT (back), (gpointer *) &back);
  gtk_window_destroy (GTK_WINDOW (back));
  wait_for (pointer_cleared, &back, "the clinician window to be finalized");
  settle ();
  g_clear_object (&f->kiosk);
  g_object_unref (app);
  current = NULL;
  g_object_unref (f->settings);
  g_object_unref (f->store);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* ---- beyond keys ------------------------------------------------------------- */

/* Whatever opens the Inspector (GTK_DEBUG, the public call, a future change
 * that forgets the kiosk), it does not stay open over the kiosk. */
static void
test_interactive_debugging (Fixture *f, gconstpointer data)
{
  gboolean handled = FALSE;

  /* GtkWindow's own handler of Ctrl+Shift+I/D does nothing in the kiosk. */
  g_signal_emit_by_name (f->kiosk, "enable-debugging", FALSE, &handled);
  settle ();
  assert_kiosk_alone (f, "checkin", "the enable-debugging signal");
  g_signal_emit_by_name (f->kiosk, "enable-debugging", TRUE, &handled);
  settle ();
  assert_kiosk_alone (f, "checkin", "the enable-debugging signal (toggle)");

  /* The public call makes the Inspector: it is never shown over the kiosk,
   * however often it is asked for. */
  for (int k = 0; k < 3; k++)
    {
      gtk_window_set_interactive_debugging (TRUE);
      settle ();
      f->n_windows = g_list_model_get_n_items (gtk_window_get_toplevels ());
      g_assert_cmpuint (f->n_windows, >, 1);
      assert_kiosk_alone (f, "checkin", "gtk_window_set_interactive_debugging");
    }
  gtk_window_set_interactive_debugging (FALSE);
}

/* The kiosk window offers no window actions (no Shortcuts window), and
 * nothing in it takes text, opens a menu or can be dragged. */
static void
walk (GtkWidget *w, guint *n)
{
  GListModel *controllers;

  /* What is not shown cannot be reached (the clinician's total field in
   * the score entry, screens other than the current one). */
  if (!gtk_widget_get_visible (w) || !gtk_widget_get_child_visible (w))
    return;
  controllers = gtk_widget_observe_controllers (w);
  (*n)++;
  if (GTK_IS_EDITABLE (w) || GTK_IS_TEXT_VIEW (w))
    g_error ("The kiosk holds a text field (%s)", G_OBJECT_TYPE_NAME (w));
  if (GTK_IS_MENU_BUTTON (w) || GTK_IS_POPOVER (w) || GTK_IS_DROP_DOWN (w))
    g_error ("The kiosk holds a menu (%s)", G_OBJECT_TYPE_NAME (w));
  if (GTK_IS_LABEL (w) && gtk_label_get_selectable (GTK_LABEL (w)))
    g_error ("The kiosk holds selectable text: “%s”", gtk_label_get_label (GTK_LABEL (w)));
  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, k);
      GdkContentFormats *accepts = NULL;

      if (GTK_IS_DRAG_SOURCE (c))
        g_error ("The kiosk has a drag source on a %s", G_OBJECT_TYPE_NAME (w));
      /* Every GtkWindow carries GTK's own drop target for
       * "application/x-rootwindow-drop", which only ends a drag that lands
       * on no target: it takes nothing in. */
      if (GTK_IS_DROP_TARGET (c))
        accepts = gtk_drop_target_get_formats (GTK_DROP_TARGET (c));
      else if (GTK_IS_DROP_TARGET_ASYNC (c))
        accepts = gtk_drop_target_async_get_formats (GTK_DROP_TARGET_ASYNC (c));
      if (accepts)
        {
          gsize n_types = 0, n_mimes = 0;
          gdk_content_formats_get_gtypes (accepts, &n_types);
          const char * const *mimes = gdk_content_formats_get_mime_types (accepts, &n_mimes);
          if (n_mimes == 1 && g_str_equal (mimes[0], "application/x-rootwindow-drop"))
            n_mimes = 0;
          if (n_types || n_mimes)
            g_error ("The kiosk accepts drops (%s) on a %s", gdk_content_formats_to_string (accepts), G_OBJECT_TYPE_NAME (w));
        }
    }
  g_object_unref (controllers);
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    walk (c, n);
}

static void
test_nothing_else (Fixture *f, gconstpointer data)
{
  guint n = 0;

  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->kiosk), "win.show-help-overlay", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->kiosk), "app.preferences", NULL));
  settle ();
  assert_kiosk_alone (f, "checkin", "window actions");
  /* Every screen: check-in, the staff keypad, welcome, a question, the
   * review. */
  walk (GTK_WIDGET (f->kiosk), &n);
  click (child (f->kiosk, "staff_button"));
  walk (GTK_WIDGET (f->kiosk), &n);
  click (child (f->kiosk, "pin_cancel_button"));
  traj_kiosk_window_start_session (f->kiosk, f->patient_id, "gad7");
  walk (GTK_WIDGET (f->kiosk), &n);
  click (child (f->kiosk, "start_button"));
  walk (GTK_WIDGET (f->kiosk), &n);
  answer_all (f);
  wait_screen (f, "review");
  walk (GTK_WIDGET (f->kiosk), &n);
  g_assert_cmpuint (n, >, 100);
}

/* ---- the real binary ----------------------------------------------------------- */

/* The windows of @pid that the window manager shows (its client list),
 * as decimal ids, one a line. */
static char *
windows_of (GPid pid)
{
  g_autofree char *list = run ("xprop", "-root", "_NET_CLIENT_LIST", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = strstr (list, "#");

  for (p = p ? p + 1 : ""; (p = strstr (p, "0x")) != NULL;)
    {
      char *end = NULL;
      gulong id = strtoul (p, &end, 16);
      g_autofree char *sid = g_strdup_printf ("%lu", id);
      g_autofree char *prop = run ("xprop", "-id", sid, "_NET_WM_PID", NULL);
      const char *eq = strstr (prop, "= ");

      if (eq && atoi (eq + 2) == (int) pid)
        g_string_append_printf (out, "%s%lu", out->len ? "\n" : "", id);
      p = end;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct {
  GPid pid;
  guint min;
} WindowWait;

static gboolean
has_windows (gpointer data)
{
  WindowWait *w = data;
  g_autofree char *list = windows_of (w->pid);
  g_auto(GStrv) lines = g_strsplit (list, "\n", -1);

  return *list && g_strv_length (lines) >= w->min;
}

static GSubprocess *
spawn_app (const char *db, gboolean kiosk, const char *config_home)
{
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                                                                G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  /* TRAJ_ESCAPE_BINARY runs the same checks on another build (an older one,
   * to see them fail). */
  g_autofree char *bin = g_getenv ("TRAJ_ESCAPE_BINARY") ? g_strdup (g_getenv ("TRAJ_ESCAPE_BINARY"))
                                                         : g_test_build_filename (G_TEST_BUILT, "..", "src", "trajectory", NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *p;

  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (l, "GTK_DEBUG", "interactive", TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CONFIG_HOME", config_home, TRUE);
  if (kiosk)
    p = g_subprocess_launcher_spawn (l, &error, bin, "--kiosk", "--database", db, NULL);
  else
    p = g_subprocess_launcher_spawn (l, &error, bin, "--database", db, NULL);
  g_assert_no_error (error);
  return p;
}

static gboolean
code_used (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) events = traj_store_list_audit (f->store, NULL, NULL);

  for (guint k = 0; events && k < events->len; k++)
    {
      TrajAuditEvent *e = g_ptr_array_index (events, k);
      if (g_str_equal (e->action, "use"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
pin_refused (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) events = traj_store_list_audit (f->store, NULL, NULL);

  for (guint k = 0; events && k < events->len; k++)
    if (g_str_equal (((TrajAuditEvent *) g_ptr_array_index (events, k))->action, "wrong-pin"))
      return TRUE;
  return FALSE;
}

static void
assert_binary_kiosk_alone (GPid pid, const char *kiosk_id, const char *after)
{
  g_autofree char *list = windows_of (pid);
  g_autofree char *active = run ("xdotool", "getactivewindow", NULL);
  g_autofree char *state = run ("xprop", "-id", kiosk_id, "_NET_WM_STATE", NULL);
  g_autofree char *geometry = run ("xdotool", "getwindowgeometry", kiosk_id, NULL);

  if (!g_str_equal (list, kiosk_id))
    g_error ("After %s the kiosk process shows these windows: %s (the kiosk is %s)", after, list, kiosk_id);
  g_assert_cmpstr (g_strstrip (active), ==, kiosk_id);
  g_assert_nonnull (strstr (state, "_NET_WM_STATE_FULLSCREEN"));
  g_assert_nonnull (strstr (geometry, "800x1280"));
}

static void
press_everything_binary (GPid pid, const char *kiosk_id, const char *screen)
{
  for (guint k = 0; k < G_N_ELEMENTS (combos); k++)
    {
      g_autofree char *after = g_strdup_printf ("%s on the %s screen", combos[k], screen);
      g_free (run ("xdotool", "key", "--clearmodifiers", combos[k], NULL));
      assert_binary_kiosk_alone (pid, kiosk_id, after);
    }
}

static gboolean
exited (gpointer data)
{
  return g_subprocess_get_identifier (G_SUBPROCESS (data)) == NULL;
}

static void
test_real_binary (Fixture *f, gconstpointer data)
{
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *code = NULL, *birth = birth_digits (BIRTH);
  g_autofree char *kiosk_id = NULL;
  g_autoptr(GSubprocess) control = NULL;
  g_autoptr(GSubprocess) kiosk = NULL;
  g_autoptr(GError) error = NULL;
  WindowWait ww;
  GPid pid;

  /* This test drives another process: the in-process kiosk steps aside. */
  traj_kiosk_window_unlock (f->kiosk, PIN);
  gtk_window_destroy (GTK_WINDOW (f->kiosk));
  settle ();
  g_assert_finalize_object (f->kiosk);
  f->kiosk = NULL;

  /* The control: without --kiosk, GTK_DEBUG=interactive opens the Inspector
   * beside the window, and this test sees it. */
  control = spawn_app (f->path, FALSE, config);
  ww.pid = (GPid) atoi (g_subprocess_get_identifier (control));
  ww.min = 2;
  wait_for (has_windows, &ww, "the Inspector of the control run");
  g_subprocess_force_exit (control);
  g_subprocess_wait (control, NULL, NULL);

  /* The kiosk, with the same environment. */
  kiosk = spawn_app (f->path, TRUE, config);
  pid = ww.pid = (GPid) atoi (g_subprocess_get_identifier (kiosk));
  ww.min = 1;
  wait_for (has_windows, &ww, "the kiosk window");
  kiosk_id = windows_of (pid);
  g_assert_null (strchr (kiosk_id, '\n'));
  g_free (run ("xdotool", "windowactivate", "--sync", kiosk_id, NULL));

  /* A code typed on the keyboard: once the kiosk has used it, the kiosk is
   * past its start, and anything GTK_DEBUG would open would be open. */
  code = traj_store_create_checkin (f->store, f->patient_id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  press_everything_binary (pid, kiosk_id, "check-in");
  g_free (run ("xdotool", "type", "--delay", "30", code, NULL));
  press_everything_binary (pid, kiosk_id, "birth date");
  g_free (run ("xdotool", "type", "--delay", "30", birth, NULL));
  wait_for (code_used, f, "the kiosk to take the code");
  assert_binary_kiosk_alone (pid, kiosk_id, "the check-in");
  press_everything_binary (pid, kiosk_id, "welcome");
  /* Start (it has the focus), then a question. */
  g_free (run ("xdotool", "key", "Return", NULL));
  press_everything_binary (pid, kiosk_id, "question");
  /* The lock in the top right corner: the PIN keypad. */
  g_free (run ("xdotool", "mousemove", "--window", kiosk_id, "770", "32", "click", "1", NULL));
  press_everything_binary (pid, kiosk_id, "staff PIN");
  /* A wrong PIN: once it is on record, the kiosk has handled every key
   * before it, and still nothing else is open. */
  g_free (run ("xdotool", "type", "--delay", "30", "111111", NULL));
  g_free (run ("xdotool", "key", "Return", NULL));
  wait_for (pin_refused, f, "the kiosk to refuse a wrong PIN");
  assert_binary_kiosk_alone (pid, kiosk_id, "a wrong staff PIN");
  /* The PIN typed on the keypad's keys: the kiosk closes and exits. */
  g_free (run ("xdotool", "type", "--delay", "30", PIN, NULL));
  g_free (run ("xdotool", "key", "Return", NULL));
  wait_for (exited, kiosk, "the kiosk to exit after the staff PIN");
  g_assert_true (g_subprocess_get_successful (kiosk));
}

int
main (int argc, char **argv)
{
  int status;

  start_display ();
  /* No accessibility bus: its daemons would outlive the test. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());
  g_signal_add_emission_hook (g_signal_lookup ("event", GDK_TYPE_SURFACE), 0, count_keys, NULL, NULL);

  g_test_add ("/kiosk-escape/checkin", Fixture, NULL, fixture_setup, test_checkin, fixture_teardown);
  g_test_add ("/kiosk-escape/minimised-comes-back", Fixture, NULL, fixture_setup, test_minimised_comes_back,
              fixture_teardown);
  g_test_add ("/kiosk-escape/desktop-switch", Fixture, NULL, fixture_setup, test_desktop_switch, fixture_teardown);
  g_test_add ("/kiosk-escape/show-desktop-and-send-away", Fixture, NULL, fixture_setup,
              test_show_desktop_and_send_away, fixture_teardown);
  g_test_add ("/kiosk-escape/welcome", Fixture, NULL, fixture_setup, test_welcome, fixture_teardown);
  g_test_add ("/kiosk-escape/question", Fixture, NULL, fixture_setup, test_question, fixture_teardown);
  g_test_add ("/kiosk-escape/review", Fixture, NULL, fixture_setup, test_review, fixture_teardown);
  g_test_add ("/kiosk-escape/staff-keypad", Fixture, NULL, fixture_setup, test_staff_keypad, fixture_teardown);
  g_test_add_func ("/kiosk-escape/hand-to-patient", test_hand_to_patient);
  g_test_add ("/kiosk-escape/interactive-debugging", Fixture, NULL, fixture_setup, test_interactive_debugging, fixture_teardown);
  g_test_add ("/kiosk-escape/nothing-else", Fixture, NULL, fixture_setup, test_nothing_else, fixture_teardown);
  g_test_add ("/kiosk-escape/real-binary", Fixture, NULL, fixture_setup, test_real_binary, fixture_teardown);
  status = g_test_run ();
  stop_display ();
  remove_tree (tmp_dir);
  return status;
}
