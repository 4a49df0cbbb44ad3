/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clinician window's GUI tests share this fixture: a clinic file of
 * their own in a temporary folder, the app's settings (the memory backend,
 * tests/meson.build) and, once opened, the window, which teardown checks
 * is finalized. */
#pragma once

#include <adwaita.h>
#include <glib/gstdio.h>

#include "traj-patient-page-private.h"
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

/* ---- records and notifications ------------------------------------------- */

static inline GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);
      if (found)
        return found;
    }
  return NULL;
}

/* The widget showing @toast (libadwaita's own, private type). */
static inline GtkWidget *
toast_widget (GtkWidget *widget, AdwToast *toast)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget"))
    {
      g_autoptr(AdwToast) shown = NULL;
      g_object_get (widget, "toast", &shown, NULL);
      if (shown == toast)
        return widget;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = toast_widget (c, toast);
      if (found)
        return found;
    }
  return NULL;
}

/* Presses the Undo button of the latest notification, as a click does. */
static inline void
click_undo (Fixture *f)
{
  GtkWidget *page = traj_window_get_patient_page (f->win);
  AdwToast *toast = traj_patient_page_get_last_toast (TRAJ_PATIENT_PAGE (page));
  GtkWidget *shown, *button;
  gint64 deadline;

  spin (f);
  g_assert_nonnull (toast);
  shown = toast_widget (GTK_WIDGET (f->win), toast);
  g_assert_nonnull (shown);
  button = find_button (shown, "_Undo");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  /* As a person would: once the toast has arrived and takes clicks (a toast
   * still arriving takes none, see /workspace/toast-guard). */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!gtk_widget_get_can_target (shown) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gtk_widget_get_can_target (shown));
  g_signal_emit_by_name (button, "clicked");
  spin (f);
}

static inline gint64
store_patient (Fixture *f, const char *mrn, const char *name)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(GError) error = NULL;

  p->mrn = g_strdup (mrn);
  p->name = g_strdup (name);
  p->birth_day = traj_day_from_ymd (1980, 3, 4);
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  return p->id;
}

static inline gint64
store_course (Fixture *f, gint64 patient_id, gint32 start, int induction)
{
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(GError) error = NULL;

  c->patient_id = patient_id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->induction_length = induction;
  c->start_day = start;
  c->status = TRAJ_COURSE_INDUCTION;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  return c->id;
}

static inline TrajInfusion *
store_infusion (Fixture *f, gint64 patient_id, gint64 course_id, gint32 day, int systolic)
{
  TrajInfusion *i = traj_infusion_new ();
  g_autoptr(GError) error = NULL;
  TrajVitalSign *v = traj_vital_sign_new (40);

  i->patient_id = patient_id;
  i->course_id = course_id;
  i->started_at = traj_time_from_day (day, 10, 0);
  i->duration_min = 40;
  i->weight_kg = 70;
  i->dose_mg_per_kg = 0.5;
  i->total_mg = 35;
  v->systolic = systolic;
  v->diastolic = 85;
  g_ptr_array_add (i->vitals, v);
  g_assert_true (traj_store_insert_infusion (f->store, i, &error));
  g_assert_no_error (error);
  return i;
}

static inline TrajAssessment *
store_phq9 (Fixture *f, gint64 patient_id, gint64 course_id, gint32 day, int total)
{
  TrajAssessment *a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(GError) error = NULL;

  a->patient_id = patient_id;
  a->course_id = course_id;
  a->taken_at = traj_time_from_day (day, 9, 0);
  /* @total spread over the first eight items (0–3 each). */
  for (guint k = 0; k < 9; k++)
    a->items[k] = k < 8 ? MIN (3, MAX (0, total - 3 * (int) k)) : 0;
  g_assert_true (traj_store_insert_assessment (f->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->total, ==, total);
  return a;
}
