/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Preferences → Clinical Rules is built from the scale table: one response,
 * one minimal-important-change and one remission row per outcome scale,
 * bound to the keys the table names. A schema that lacks a key (an older
 * build, a scale added without its keys) leaves that row out instead of
 * crashing on a missing key. */

#define G_SETTINGS_ENABLE_BACKEND
#include "config.h"

#include <adwaita.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-gui.h"
#include "traj-preferences.h"
#include "traj-scale.h"
#include "traj-secret.h"

#include "test-wait.h"

/* The action rows under @widget whose group is titled @group. */
static void
collect_rows (GtkWidget *widget, const char *group, gboolean inside, GPtrArray *out)
{
  if (ADW_IS_PREFERENCES_GROUP (widget))
    inside = g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), group) == 0;
  if (inside && ADW_IS_ACTION_ROW (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_rows (c, group, inside, out);
}

static GtkWidget *
find_spin (GtkWidget *widget)
{
  if (GTK_IS_SPIN_BUTTON (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *s = find_spin (c);
      if (s)
        return s;
    }
  return NULL;
}

static GtkWidget *
row_titled (GPtrArray *rows, const char *title)
{
  for (guint k = 0; k < rows->len; k++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, k)), title) == 0)
      return g_ptr_array_index (rows, k);
  return NULL;
}

static guint
n_outcome_scales (void)
{
  guint n = 0;

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    n++;
  return n;
}

static void
test_rows_per_scale (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *prefs = traj_preferences_new (settings, NULL);
  g_autoptr(GPtrArray) response = g_ptr_array_new ();
  g_autoptr(GPtrArray) mcid = g_ptr_array_new ();
  g_autoptr(GPtrArray) remission = g_ptr_array_new ();
  GtkWidget *spin;

  g_object_ref_sink (prefs);
  collect_rows (prefs, "Response", FALSE, response);
  collect_rows (prefs, "Minimal Important Change", FALSE, mcid);
  collect_rows (prefs, "Remission", FALSE, remission);
  g_assert_cmpuint (response->len, ==, n_outcome_scales ());
  g_assert_cmpuint (mcid->len, ==, n_outcome_scales ());
  g_assert_cmpuint (remission->len, ==, n_outcome_scales ());

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      GtkWidget *r = row_titled (response, s->name);
      GtkWidget *m = row_titled (mcid, s->name);
      GtkWidget *q = row_titled (remission, s->name);

      g_test_message ("%s", s->code);
      g_assert_nonnull (r);
      g_assert_nonnull (m);
      g_assert_nonnull (q);
      /* R in whole per cent; M and the cut-off in points, from the table. */
      g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_spin (r))), ==,
                         s->response_fraction * 100);
      g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_spin (m))), ==, s->mcid);
      g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_spin (q))), ==, s->remission_max);
    }

  /* Typing 60 % for PHQ-9 stores 0.6 under PHQ-9's key only. */
  spin = find_spin (row_titled (response, "PHQ-9"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 60);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "response-phq9"), 0.6, 1e-9);
  g_assert_cmpfloat (g_settings_get_double (settings, "response-gad7"), ==, 0.5);
  g_settings_reset (settings, "response-phq9");

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

/* The app's schema with @drop's <key> element removed, compiled in @dir. */
static GSettingsSchema *
schema_without (const char *dir, const char *drop)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "..", "data", APP_ID ".gschema.xml", NULL);
  g_autofree char *xml = NULL;
  g_autofree char *open_tag = g_strdup_printf ("<key name=\"%s\"", drop);
  g_autofree char *out = g_build_filename (dir, APP_ID ".gschema.xml", NULL);
  g_autofree char *compiler = g_find_program_in_path ("glib-compile-schemas");
  g_autoptr(GSettingsSchemaSource) source = NULL;
  char *start, *end;
  char *argv[3] = { NULL, NULL, NULL };
  int status = 0;

  g_assert_true (g_file_get_contents (src, &xml, NULL, &error));
  g_assert_no_error (error);
  start = strstr (xml, open_tag);
  g_assert_nonnull (start);
  end = strstr (start, "</key>");
  g_assert_nonnull (end);
  end += strlen ("</key>");
  memmove (start, end, strlen (end) + 1);
  g_assert_true (g_file_set_contents (out, xml, -1, &error));

  g_assert_nonnull (compiler);
  argv[0] = compiler;
  argv[1] = (char *) dir;
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);
  g_assert_no_error (error);
  return g_settings_schema_source_lookup (source, APP_ID, FALSE);
}

static void
test_missing_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-prefs-XXXXXX", &error);
  g_autoptr(GSettingsSchema) schema = schema_without (dir, "mcid-madrs");
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_full (schema, backend, NULL);
  g_autoptr(GPtrArray) mcid = g_ptr_array_new ();
  g_autoptr(GPtrArray) remission = g_ptr_array_new ();
  g_autofree char *xml = g_build_filename (dir, APP_ID ".gschema.xml", NULL);
  g_autofree char *compiled = g_build_filename (dir, "gschemas.compiled", NULL);
  GtkWidget *prefs;

  g_assert_no_error (error);
  prefs = traj_preferences_new (settings, NULL);
  g_object_ref_sink (prefs);
  collect_rows (prefs, "Minimal Important Change", FALSE, mcid);
  collect_rows (prefs, "Remission", FALSE, remission);
  /* MADRS's change row is left out; every other row is there. */
  g_assert_cmpuint (mcid->len, ==, n_outcome_scales () - 1);
  g_assert_null (row_titled (mcid, "MADRS"));
  g_assert_nonnull (row_titled (remission, "MADRS"));
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);

  g_unlink (xml);
  g_unlink (compiled);
  g_rmdir (dir);
}

/* ---- Tablet: the clinic's staff PIN and the birth date at check-in ---- */

static AdwMessageDialog *
open_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, k);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

/* The entries of the PIN dialog, in order (current, new, again). */
static void
collect_entries (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_ENTRY (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_entries (c, out);
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_switch (GtkWidget *widget)
{
  if (GTK_IS_SWITCH (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_switch (c);
      if (found)
        return found;
    }
  return NULL;
}

/* What a click on "Set PIN" does: the response, then the dialog closes. */
static void
respond_set (AdwMessageDialog *dialog)
{
  GtkWidget *button = find_button (GTK_WIDGET (dialog), "_Set PIN");

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
fill_pin_dialog (AdwMessageDialog *dialog, const char *const *texts, guint n)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  collect_entries (adw_message_dialog_get_extra_child (dialog), entries);
  g_assert_cmpuint (entries->len, ==, n);
  for (guint k = 0; k < n; k++)
    gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (entries, k)), texts[k]);
}

static void
test_staff_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-prefs-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajStore *store = traj_store_open (path, &error);
  g_autoptr(GPtrArray) tablet = g_ptr_array_new ();
  const char *first[] = { "731594", "731594" };
  const char *trivial[] = { "731594", "123456", "123456" };
  const char *wrong[] = { "111111", "802519", "802519" };
  const char *right[] = { "731594", "802519", "802519" };
  AdwMessageDialog *dialog;
  GtkWidget *prefs, *pin_row, *birth_row;
  gboolean has = FALSE, asked = FALSE;

  g_assert_no_error (error);
  /* A PIN kept on this computer by an earlier version: not carried over,
   * and the row says so. */
  g_settings_set_string (settings, "kiosk-pin-hash", "0011");
  prefs = g_object_ref_sink (traj_preferences_new (settings, store));
  collect_rows (prefs, "Patient Kiosk", FALSE, tablet);
  pin_row = row_titled (tablet, "Staff PIN");
  birth_row = row_titled (tablet, "Ask for the Date of Birth");
  g_assert_nonnull (pin_row);
  g_assert_nonnull (birth_row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (pin_row)), "cannot be carried over"));

  /* Set: two entries, no current PIN asked. */
  g_signal_emit_by_name (find_button (pin_row, "Set PIN…"), "clicked");
  dialog = open_dialog ();
  g_assert_nonnull (dialog);
  fill_pin_dialog (dialog, first, 2);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "set"));
  /* Enter in the last entry sets it, as the trial expected. */
  {
    g_autoptr(GPtrArray) entries = g_ptr_array_new ();

    collect_entries (adw_message_dialog_get_extra_child (dialog), entries);
    g_signal_emit_by_name (gtk_editable_get_delegate (GTK_EDITABLE (g_ptr_array_index (entries, 1))), "activate");
  }
  WAIT_UNTIL (open_dialog () == NULL);
  g_assert_true (traj_store_has_staff_pin (store, &has, &error));
  g_assert_true (has);
  g_assert_true (traj_store_verify_staff_pin (store, "731594", NULL, &error));
  /* The old per-computer PIN is gone; the row says the clinic has one. */
  {
    g_autofree char *old = g_settings_get_string (settings, "kiosk-pin-hash");
    g_assert_cmpstr (old, ==, "");
  }
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (pin_row)), "whole clinic"));

  /* Change: the current PIN is asked; a trivial new one cannot be set. */
  g_signal_emit_by_name (find_button (pin_row, "Change PIN…"), "clicked");
  dialog = open_dialog ();
  /* The rule as README gives it. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "6 to 12 digits"));
  fill_pin_dialog (dialog, trivial, 3);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "set"));
  /* A wrong current PIN: asked again, saying so; nothing changed. */
  fill_pin_dialog (dialog, wrong, 3);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "set"));
  respond_set (dialog);
  WAIT_UNTIL ((dialog = open_dialog ()) != NULL);
  {
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();
    gboolean said = FALSE;
    GtkWidget *extra = adw_message_dialog_get_extra_child (dialog);
    for (GtkWidget *c = gtk_widget_get_first_child (extra); c; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_LABEL (c) && strstr (gtk_label_get_label (GTK_LABEL (c)), "current PIN is not right"))
        said = TRUE;
    g_assert_true (said);
  }
  g_assert_true (traj_store_verify_staff_pin (store, "731594", NULL, &error));
  fill_pin_dialog (dialog, right, 3);
  respond_set (dialog);
  WAIT_UNTIL (open_dialog () == NULL);
  g_assert_true (traj_store_verify_staff_pin (store, "802519", NULL, &error));
  g_assert_no_error (error);

  /* The birth date switch is the clinic's setting. */
  g_assert_true (traj_store_get_checkin_birth_date (store, &asked, &error));
  g_assert_true (asked);
  {
    GtkWidget *w = find_switch (birth_row);
    g_assert_nonnull (w);
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (w)));
    gtk_switch_set_active (GTK_SWITCH (w), FALSE);
  }
  g_assert_true (traj_store_get_checkin_birth_date (store, &asked, &error));
  g_assert_false (asked);

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  g_settings_reset (settings, "kiosk-pin-hash");
  g_assert_finalize_object (store);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

/* The old per-computer PIN hash (one round of SHA-256, in GSettings) is
 * cleared at start once the clinic has its own PIN, even on a computer where
 * the PIN was never changed through Preferences; kept while it has none. */
static void
test_forget_old_pin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("traj-prefs-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TrajStore *store = traj_store_open (path, &error);
  g_autofree char *hash = NULL, *salt = NULL;

  g_assert_no_error (error);
  /* The memory backend (tests/meson.build): nothing of this machine's. */
  g_assert_cmpstr (g_getenv ("GSETTINGS_BACKEND"), ==, "memory");
  g_settings_set_string (settings, "kiosk-pin-hash", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  g_settings_set_string (settings, "kiosk-pin-salt", "00ff");

  /* No clinic PIN yet: kept (Preferences says it cannot be carried over). */
  g_assert_false (traj_preferences_forget_old_pin (settings, store));
  hash = g_settings_get_string (settings, "kiosk-pin-hash");
  g_assert_cmpstr (hash, !=, "");
  g_clear_pointer (&hash, g_free);

  /* The clinic's PIN set elsewhere (the CLI, another workstation): the
   * next start clears both keys. */
  g_assert_true (traj_store_set_staff_pin (store, NULL, "731594", &error));
  g_assert_no_error (error);
  g_assert_true (traj_preferences_forget_old_pin (settings, store));
  hash = g_settings_get_string (settings, "kiosk-pin-hash");
  salt = g_settings_get_string (settings, "kiosk-pin-salt");
  g_assert_cmpstr (hash, ==, "");
  g_assert_cmpstr (salt, ==, "");
  g_assert_null (g_settings_get_user_value (settings, "kiosk-pin-hash"));
  g_assert_false (traj_preferences_forget_old_pin (settings, store));

  g_assert_finalize_object (store);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());
  traj_gui_init ();

  g_test_add_func ("/preferences/rows-per-scale", test_rows_per_scale);
  g_test_add_func ("/preferences/missing-key", test_missing_key);
  g_test_add_func ("/preferences/staff-pin", test_staff_pin);
  g_test_add_func ("/preferences/forget-old-pin", test_forget_old_pin);
  return g_test_run ();
}
