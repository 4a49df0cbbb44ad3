/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Live updates and reconnection for a window's store on a clinic server.
 *
 * The store LISTENs on the clinic's channel (postgres/004 and 027: every
 * committed change sends "TABLE:PATIENT_IDS" on a channel whose random name
 * only clinicians and leads can read); the connection's socket is watched by
 * the main loop (a unix fd source, no polling) and each notice becomes the
 * store's "changed" signal. When the server goes away the store says so
 * ("connected" turns FALSE), connects again in a worker thread every two
 * seconds without blocking the window, and once back reloads everything
 * (notices sent meanwhile were lost with the session). */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-db-pg.h"
#include "traj-store-private.h"

#define RETRY_SECONDS 2
/* More patients than this in one go: reload everything instead. */
#define MAX_PATIENTS 20

struct _TrajStoreWatch {
  TrajStore *store;              /* not a reference: the store owns this */
  guint fd_source;
  guint idle_source;
  guint retry_source;
  guint lost_source;
  GCancellable *connecting;
  gboolean connected;
};

static void start_retrying (TrajStoreWatch *w);

static TrajRecordKind
kind_of_table (const char *table, gsize len)
{
  static const struct { const char *name; TrajRecordKind kind; } map[] = {
    { "patient", TRAJ_KIND_PATIENT },
    { "course", TRAJ_KIND_COURSE },
    { "infusion", TRAJ_KIND_INFUSION },
    { "assessment", TRAJ_KIND_ASSESSMENT },
    { "flag_decision", TRAJ_KIND_FLAG_DECISION },
    { "kiosk_checkin", TRAJ_KIND_KIOSK_CHECKIN },
    { "medication", TRAJ_KIND_MEDICATION },
  };

  for (guint k = 0; k < G_N_ELEMENTS (map); k++)
    if (strlen (map[k].name) == len && strncmp (table, map[k].name, len) == 0)
      return map[k].kind;
  return TRAJ_N_KINDS;
}

typedef struct {
  TrajRecordKind kind;
  gint64 patient_id;
} Change;

/* Hands every notice received so far to the store's "changed". */
static void
dispatch (TrajStoreWatch *w)
{
  TrajStore *self = w->store;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  gboolean everything = FALSE;
  PGnotify *n;

  while ((n = traj_db_pg_next_notify (self->db)) != NULL)
    {
      const char *payload = n->extra ? n->extra : "";
      const char *colon = strchr (payload, ':');
      TrajRecordKind kind = colon ? kind_of_table (payload, colon - payload) : TRAJ_N_KINDS;

      if (colon && colon - payload == strlen ("clinic_setting") && g_str_has_prefix (payload, "clinic_setting"))
        traj_store_apply_time_zone (self);
      if (kind == TRAJ_N_KINDS || colon == NULL || colon[1] == '*' || colon[1] == '\0')
        everything = TRUE;
      else
        {
          g_auto(GStrv) ids = g_strsplit (colon + 1, ",", -1);
          for (guint k = 0; ids[k] && !everything; k++)
            {
              Change c = { kind, g_ascii_strtoll (ids[k], NULL, 10) };
              gboolean seen = FALSE;

              /* Once per record kind and patient: a check-in used and the
               * answers given with it, both for one patient, are two changes. */
              for (guint j = 0; j < changes->len && !seen; j++)
                seen = g_array_index (changes, Change, j).patient_id == c.patient_id &&
                       g_array_index (changes, Change, j).kind == c.kind;
              if (!seen && c.patient_id > 0)
                g_array_append_val (changes, c);
              everything = changes->len > MAX_PATIENTS;
            }
        }
      PQfreemem (n);
    }
  /* Nothing of it while this store is in the middle of its own work: it
   * comes back here when idle. */
  if (everything)
    g_signal_emit_by_name (self, "changed", (guint) TRAJ_N_KINDS, (gint64) 0);
  else
    for (guint k = 0; k < changes->len; k++)
      {
        Change *c = &g_array_index (changes, Change, k);
        g_signal_emit_by_name (self, "changed", (guint) c->kind, c->patient_id);
      }
}

static gboolean
dispatch_idle (gpointer data)
{
  TrajStoreWatch *w = data;

  w->idle_source = 0;
  if (w->store->tx_depth > 0)
    {
      w->idle_source = g_timeout_add (100, dispatch_idle, w);
      return G_SOURCE_REMOVE;
    }
  dispatch (w);
  return G_SOURCE_REMOVE;
}

static void
set_connected (TrajStoreWatch *w, gboolean connected)
{
  if (w->connected == connected)
    return;
  w->connected = connected;
  traj_store_notify_connected (w->store);
}

static void
lost (TrajStoreWatch *w)
{
  g_clear_handle_id (&w->fd_source, g_source_remove);
  set_connected (w, FALSE);
  start_retrying (w);
}

static gboolean
on_socket (int fd, GIOCondition condition, gpointer data)
{
  TrajStoreWatch *w = data;

  if (!traj_db_pg_consume (w->store->db))
    {
      w->fd_source = 0;
      lost (w);
      return G_SOURCE_REMOVE;
    }
  if (w->store->tx_depth > 0)
    {
      if (w->idle_source == 0)
        w->idle_source = g_timeout_add (100, dispatch_idle, w);
    }
  else
    dispatch (w);
  return G_SOURCE_CONTINUE;
}

static void
watch_socket (TrajStoreWatch *w)
{
  int fd = traj_db_pg_socket (w->store->db);

  g_clear_handle_id (&w->fd_source, g_source_remove);
  if (fd >= 0)
    w->fd_source = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_socket, w);
}

/* ---- reconnecting ---------------------------------------------------------- */

static void
connect_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_autofree char *message = NULL;
  PGconn *conn = traj_db_pg_connect (data, &message);

  if (conn)
    g_task_return_pointer (task, conn, (GDestroyNotify) PQfinish);
  else
    g_task_return_new_error (task, TRAJ_ERROR, TRAJ_ERROR_CONNECTION, "%s", message ? message : "");
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  TrajStoreWatch *w = data;
  g_autoptr(GError) error = NULL;
  PGconn *conn = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&w->connecting);
  if (conn == NULL)
    {
      g_debug ("still no clinic server: %s", error->message);
      return;
    }
  if (!traj_db_pg_swap_connection (w->store->db, conn))
    {
      g_debug ("the clinic server came back but refused LISTEN");
      return;
    }
  g_clear_handle_id (&w->retry_source, g_source_remove);
  watch_socket (w);
  set_connected (w, TRUE);
  /* Whatever changed while this window was cut off. */
  g_signal_emit_by_name (w->store, "changed", (guint) TRAJ_N_KINDS, (gint64) 0);
}

static gboolean
retry (gpointer data)
{
  TrajStoreWatch *w = data;
  g_autoptr(GTask) task = NULL;

  if (w->connecting)
    return G_SOURCE_CONTINUE;
  w->connecting = g_cancellable_new ();
  task = g_task_new (NULL, w->connecting, connected_cb, w);
  g_task_set_task_data (task, g_strdup (traj_db_pg_conninfo (w->store->db)), g_free);
  g_task_run_in_thread (task, connect_thread);
  return G_SOURCE_CONTINUE;
}

static void
start_retrying (TrajStoreWatch *w)
{
  if (w->retry_source == 0)
    {
      w->retry_source = g_timeout_add_seconds (RETRY_SECONDS, retry, w);
      retry (w);
    }
}

static gboolean
lost_idle (gpointer data)
{
  TrajStoreWatch *w = data;

  w->lost_source = 0;
  if (w->connected && !traj_db_pg_connected (w->store->db))
    lost (w);
  return G_SOURCE_REMOVE;
}

/* The driver saw the connection go (a statement failed) or a notice come
 * with a result: both are acted on from the main loop, never inside the
 * statement that saw them. */
static void
on_driver_event (TrajDb *db, gboolean connection_lost, gpointer data)
{
  TrajStoreWatch *w = data;

  if (connection_lost)
    {
      if (w->lost_source == 0)
        w->lost_source = g_idle_add (lost_idle, w);
    }
  else if (w->idle_source == 0)
    w->idle_source = g_idle_add (dispatch_idle, w);
}

/* ---- public ----------------------------------------------------------------- */

void
traj_store_watch_free (TrajStoreWatch *w)
{
  if (w == NULL)
    return;
  traj_db_pg_set_events (w->store->db, NULL, NULL);
  g_clear_handle_id (&w->fd_source, g_source_remove);
  g_clear_handle_id (&w->idle_source, g_source_remove);
  g_clear_handle_id (&w->retry_source, g_source_remove);
  g_clear_handle_id (&w->lost_source, g_source_remove);
  if (w->connecting)
    {
      /* The thread finishes on its own; its result is dropped. */
      g_cancellable_cancel (w->connecting);
      g_clear_object (&w->connecting);
    }
  g_free (w);
}

/* The channel's name (postgres/027), checked to be one before it goes
 * into a LISTEN. */
static char *
read_channel (TrajStore *self, GError **error)
{
  TrajDbStmt *stmt = traj_store_prepare (self, "SELECT name FROM live_channel", error);
  g_autofree char *name = NULL;
  gboolean found = FALSE;

  if (stmt == NULL)
    return NULL;
  if (traj_db_step_row (stmt, &found, error) && found)
    name = traj_db_column_dup (stmt, 0);
  traj_db_reset (stmt);
  if (name == NULL || !g_str_has_prefix (name, "trajectory_") || strlen (name) > 63 ||
      strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen (name))
    {
      if (error && *error == NULL)
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_CORRUPT,
                             _("The clinic server’s channel for live updates (table live_channel) is missing or "
                               "damaged; ask its administrator to restore the database from a backup."));
      return NULL;
    }
  return g_steal_pointer (&name);
}

gboolean
traj_store_watch_changes (TrajStore  *self,
                          GError    **error)
{
  g_autofree char *channel = NULL;
  TrajStoreWatch *w;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (traj_db_engine (self->db) != TRAJ_DB_POSTGRES || self->watch)
    return TRUE;
  channel = read_channel (self, error);
  if (channel == NULL || !traj_db_pg_listen (self->db, channel, error))
    return FALSE;
  w = g_new0 (TrajStoreWatch, 1);
  w->store = self;
  w->connected = TRUE;
  self->watch = w;
  /* A window never waits for a server that is not there. */
  traj_db_pg_set_fail_fast (self->db, TRUE);
  traj_db_pg_set_events (self->db, on_driver_event, w);
  watch_socket (w);
  return TRUE;
}

gboolean
traj_store_get_connected (TrajStore *self)
{
  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);
  if (self->watch)
    return self->watch->connected;
  if (traj_db_engine (self->db) == TRAJ_DB_POSTGRES)
    return traj_db_pg_connected (self->db);
  return TRUE;
}
