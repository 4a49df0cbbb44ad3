/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Clinic-wide settings behind GSettings.
 *
 * The app reads and writes its settings through GSettings (Preferences
 * binds its rows to keys, the outcomes engine reads thresholds from it).
 * This backend keeps the keys every device of a clinic must agree on (the
 * clinical thresholds, the clinic's name, address and time zone, the
 * check-in validity, backup policy) in the clinic's database
 * (clinic_setting: audited, shared by every workstation and tablet, live on
 * a server) and hands every other key (window size, colour scheme, the name
 * typed on this machine) to the machine's own GSettings backend. The first
 * time a clinic lacks a key this machine had set, the machine's value
 * becomes the clinic's. */
#define G_LOG_DOMAIN "traj-settings"
#define G_SETTINGS_ENABLE_BACKEND

#include "config.h"

#include <gio/gsettingsbackend.h>
#include <string.h>

#include "traj-clinic-settings.h"
#include "traj-scale.h"
#include "traj-store-private.h"

#define SCHEMA_PATH "/io/github/trajectory/Trajectory/"

/* The keys that are not per scale. Each scale's response, MCID and
 * remission keys come from the scale table (traj-scale.c), so a new scale
 * is clinic-wide with no change here. */
static const char *const fixed_keys[] = {
  "clinic-name", "clinic-address", "time-zone", "checkin-valid-hours", "backup-keep",
  "kiosk-idle-seconds", "kiosk-thanks-seconds",
  "worsening-gap-days", "induction-length", "baseline-window-days",
  "vitals-systolic-max", "vitals-diastolic-max", "vitals-spo2-min", "vitals-heart-rate-max",
  "vitals-systolic-min", "vitals-heart-rate-min", "vitals-resp-rate-min",
};

static const char *const *
build_clinic_keys (void)
{
  GPtrArray *keys = g_ptr_array_new ();

  for (guint k = 0; k < G_N_ELEMENTS (fixed_keys); k++)
    g_ptr_array_add (keys, (gpointer) fixed_keys[k]);
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    {
      const char *per_scale[] = { s->response_key, s->mcid_key, s->remission_key };

      for (guint k = 0; k < G_N_ELEMENTS (per_scale); k++)
        if (per_scale[k] != NULL)
          g_ptr_array_add (keys, (gpointer) per_scale[k]);
    }
  g_ptr_array_add (keys, NULL);
  /* Kept for the program's life. */
  return (const char *const *) g_ptr_array_free (keys, FALSE);
}

const char *const *
traj_clinic_setting_keys (void)
{
  static gsize once;
  static const char *const *keys;

  if (g_once_init_enter (&once))
    {
      keys = build_clinic_keys ();
      g_once_init_leave (&once, 1);
    }
  return keys;
}

gboolean
traj_clinic_setting_is_clinic_wide (const char *key)
{
  if (key == NULL)
    return FALSE;
  return g_strv_contains (traj_clinic_setting_keys (), key);
}

#define TRAJ_TYPE_CLINIC_SETTINGS_BACKEND (traj_clinic_settings_backend_get_type ())
G_DECLARE_FINAL_TYPE (TrajClinicSettingsBackend, traj_clinic_settings_backend, TRAJ, CLINIC_SETTINGS_BACKEND,
                      GSettingsBackend)

struct _TrajClinicSettingsBackend
{
  GSettingsBackend parent_instance;

  TrajStore *store;
  GSettings *machine;          /* the schema on the machine's own backend */
  GSettingsSchema *schema;
  GHashTable *values;          /* clinic key → text, as last read */
  gboolean writable;
  gulong changed_id;
};

G_DEFINE_FINAL_TYPE (TrajClinicSettingsBackend, traj_clinic_settings_backend, G_TYPE_SETTINGS_BACKEND)

/* "/io/github/…/Trajectory/KEY" → "KEY", NULL for another schema's path. */
static const char *
key_name (const char *path)
{
  if (!g_str_has_prefix (path, SCHEMA_PATH))
    return NULL;
  return path + strlen (SCHEMA_PATH);
}

static gboolean
is_clinic (const char *path)
{
  return traj_clinic_setting_is_clinic_wide (key_name (path));
}

static void
reload (TrajClinicSettingsBackend *self, gboolean announce)
{
  const char *const *clinic_keys = traj_clinic_setting_keys ();

  for (guint k = 0; clinic_keys[k]; k++)
    {
      g_autoptr(GError) error = NULL;
      char *value = traj_store_get_setting (self->store, clinic_keys[k], &error);
      const char *old = g_hash_table_lookup (self->values, clinic_keys[k]);

      if (error)
        {
          g_debug ("clinic setting %s: %s", clinic_keys[k], error->message);
          g_free (value);
          continue;
        }
      if (g_strcmp0 (old, value) == 0)
        {
          g_free (value);
          continue;
        }
      g_hash_table_replace (self->values, g_strdup (clinic_keys[k]), value);
      if (announce)
        {
          g_autofree char *path = g_strconcat (SCHEMA_PATH, clinic_keys[k], NULL);
          g_settings_backend_changed (G_SETTINGS_BACKEND (self), path, NULL);
        }
    }
}

/* Another device (or program) changed the clinic: its settings may be
 * among the changes. */
static void
on_store_changed (TrajStore *store, guint kind, gint64 patient_id, TrajClinicSettingsBackend *self)
{
  if (kind == TRAJ_N_KINDS)
    reload (self, TRUE);
}

static void
on_machine_changed (GSettings *settings, const char *key, TrajClinicSettingsBackend *self)
{
  g_autofree char *path = NULL;

  if (traj_clinic_setting_is_clinic_wide (key))
    return;
  path = g_strconcat (SCHEMA_PATH, key, NULL);
  g_settings_backend_changed (G_SETTINGS_BACKEND (self), path, NULL);
}

static GVariant *
backend_read (GSettingsBackend   *backend,
              const char         *path,
              const GVariantType *expected_type,
              gboolean            default_value)
{
  TrajClinicSettingsBackend *self = TRAJ_CLINIC_SETTINGS_BACKEND (backend);
  const char *name = key_name (path);
  const char *text;

  if (name == NULL)
    return NULL;
  if (!traj_clinic_setting_is_clinic_wide (name))
    {
      GVariant *v = default_value ? NULL : g_settings_get_user_value (self->machine, name);
      if (v && !g_variant_is_of_type (v, expected_type))
        g_clear_pointer (&v, g_variant_unref);
      return v;
    }
  if (default_value)
    return NULL;
  text = g_hash_table_lookup (self->values, name);
  if (text == NULL)
    return NULL;
  return g_variant_parse (expected_type, text, NULL, NULL, NULL);
}

static gboolean
write_one (TrajClinicSettingsBackend *self, const char *path, GVariant *value, gpointer origin_tag)
{
  const char *name = key_name (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GVariant) owned = value ? g_variant_ref_sink (value) : NULL;

  if (name == NULL)
    return FALSE;
  if (!traj_clinic_setting_is_clinic_wide (name))
    {
      if (owned)
        return g_settings_set_value (self->machine, name, owned);
      g_settings_reset (self->machine, name);
      return TRUE;
    }
  if (owned == NULL)
    {
      /* A reset writes the schema's default: the clinic then says so
       * explicitly, and the change is in the audit trail like any other. */
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (self->schema, name);
      owned = g_settings_schema_key_get_default_value (key);
    }
  text = g_variant_print (owned, FALSE);
  if (!traj_store_set_setting (self->store, name, text, &error))
    {
      g_warning ("Could not save the clinic setting %s: %s", name, error->message);
      return FALSE;
    }
  g_hash_table_replace (self->values, g_strdup (name), g_steal_pointer (&text));
  return TRUE;
}

static gboolean
backend_write (GSettingsBackend *backend,
               const char       *path,
               GVariant         *value,
               gpointer          origin_tag)
{
  TrajClinicSettingsBackend *self = TRAJ_CLINIC_SETTINGS_BACKEND (backend);
  gboolean clinic = is_clinic (path);

  if (!write_one (self, path, value, origin_tag))
    return FALSE;
  /* The machine's keys announce themselves through on_machine_changed (). */
  if (clinic)
    g_settings_backend_changed (backend, path, origin_tag);
  return TRUE;
}

static gboolean
write_tree_one (gpointer key, gpointer value, gpointer data)
{
  gpointer *args = data;

  if (!write_one (args[0], key, value, args[1]))
    args[2] = GINT_TO_POINTER (FALSE);
  return FALSE;
}

static gboolean
backend_write_tree (GSettingsBackend *backend,
                    GTree            *tree,
                    gpointer          origin_tag)
{
  gpointer args[3] = { backend, origin_tag, GINT_TO_POINTER (TRUE) };

  g_tree_foreach (tree, write_tree_one, args);
  g_settings_backend_changed_tree (backend, tree, origin_tag);
  return GPOINTER_TO_INT (args[2]);
}

static void
backend_reset (GSettingsBackend *backend,
               const char       *path,
               gpointer          origin_tag)
{
  backend_write (backend, path, NULL, origin_tag);
}

static gboolean
backend_get_writable (GSettingsBackend *backend,
                      const char       *path)
{
  TrajClinicSettingsBackend *self = TRAJ_CLINIC_SETTINGS_BACKEND (backend);
  const char *name = key_name (path);

  if (name == NULL)
    return FALSE;
  if (traj_clinic_setting_is_clinic_wide (name))
    return self->writable;
  return g_settings_is_writable (self->machine, name);
}

static GPermission *
backend_get_permission (GSettingsBackend *backend,
                        const char       *path)
{
  return g_simple_permission_new (backend_get_writable (backend, path));
}

static void
traj_clinic_settings_backend_finalize (GObject *object)
{
  TrajClinicSettingsBackend *self = TRAJ_CLINIC_SETTINGS_BACKEND (object);

  if (self->changed_id)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->machine);
  g_clear_pointer (&self->schema, g_settings_schema_unref);
  g_hash_table_destroy (self->values);
  G_OBJECT_CLASS (traj_clinic_settings_backend_parent_class)->finalize (object);
}

static void
traj_clinic_settings_backend_class_init (TrajClinicSettingsBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GSettingsBackendClass *backend_class = G_SETTINGS_BACKEND_CLASS (klass);

  object_class->finalize = traj_clinic_settings_backend_finalize;
  backend_class->read = backend_read;
  backend_class->write = backend_write;
  backend_class->write_tree = backend_write_tree;
  backend_class->reset = backend_reset;
  backend_class->get_writable = backend_get_writable;
  backend_class->get_permission = backend_get_permission;
}

static void
traj_clinic_settings_backend_init (TrajClinicSettingsBackend *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* The first time a clinic lacks a key this machine had set, the machine's
 * value becomes the clinic's (from the days each machine kept its own). */
static void
adopt_machine_values (TrajClinicSettingsBackend *self)
{
  const char *const *clinic_keys = traj_clinic_setting_keys ();

  if (!self->writable)
    return;
  for (guint k = 0; clinic_keys[k]; k++)
    {
      g_autoptr(GVariant) mine = NULL;
      g_autofree char *path = NULL;

      if (g_hash_table_contains (self->values, clinic_keys[k]) ||
          !g_settings_schema_has_key (self->schema, clinic_keys[k]))
        continue;
      mine = g_settings_get_user_value (self->machine, clinic_keys[k]);
      if (mine == NULL)
        continue;
      path = g_strconcat (SCHEMA_PATH, clinic_keys[k], NULL);
      write_one (self, path, g_steal_pointer (&mine), NULL);
    }
}

GSettings *
traj_clinic_settings_new (TrajStore *store)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  g_autoptr(TrajClinicSettingsBackend) self = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);
  if (schema == NULL)
    return NULL;

  self = g_object_new (TRAJ_TYPE_CLINIC_SETTINGS_BACKEND, NULL);
  self->store = g_object_ref (store);
  self->schema = g_settings_schema_ref (schema);
  self->machine = g_settings_new_full (schema, NULL, NULL);
  self->writable = traj_store_can_write_settings (store);
  reload (self, FALSE);
  adopt_machine_values (self);
  g_signal_connect_object (self->machine, "changed", G_CALLBACK (on_machine_changed), self, 0);
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);
  return g_settings_new_full (schema, G_SETTINGS_BACKEND (self), NULL);
}
