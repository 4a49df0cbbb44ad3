/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician window's GUI tests share this fixture: a clinic file of
 * their own in a temporary folder, the app's settings (the memory backend,
 * tests/meson.build) and, once opened, the window, which teardown checks
 * is finalized. */
#pragma once

#include <adwaita.h>
#include <glib/gstdio.h>

#include "traj-window.h"

typedef struct {
  char *dir;
  char *path;
  TrajStore *store;
  GSettings *settings;
  TrajWindow *win;
} Fixture;

/* Runs everything pending, and waits out the window's background work. */
static inline void
spin (Fixture *f)
{
  do
    while (g_main_context_iteration (NULL, FALSE))
      ;
  while (f->win && traj_window_is_busy (f->win) && g_main_context_iteration (NULL, TRUE));
}

/* A new clinic file; the window is opened by open_window(). */
static inline void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("traj-gui-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clinic.db", NULL);
  f->store = traj_store_open (f->path, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new (APP_ID);
}

static inline void
open_window (Fixture *f)
{
  f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  gtk_window_present (GTK_WINDOW (f->win));
  spin (f);
}

static inline void
fixture_setup_window (Fixture *f, gconstpointer data)
{
  fixture_setup (f, data);
  open_window (f);
}

static inline void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  TrajWindow *win = f->win;

  spin (f);
  f->win = NULL;
  if (win)
    {
      gtk_window_destroy (GTK_WINDOW (win));
      g_assert_finalize_object (win);
    }
  g_object_unref (f->settings);
  g_assert_finalize_object (f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* The shown toplevel of @type (a dialog the window opened), or NULL. */
static inline gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* A template child of @widget, which must exist. */
static inline GtkWidget *
child (gpointer widget, GType type, const char *name)
{
  GObject *o = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);
  g_assert_nonnull (o);
  return GTK_WIDGET (o);
}
