/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "traj-db.h"
#include "traj-error.h"
#include "traj-store.h"
#include "traj-store-private.h"

/* The audit trail's reading side: the chain check, the filtered list the
 * Audit Trail window shows, and the audit of outputs. The chain itself is
 * written by the database (sql/009-audit-chain.sql), in the writer's own
 * transaction. */

/* ---- the chain ------------------------------------------------------------------ */

static const char * const sqlite_triggers[] = {
  "audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace", "audit_event_chain",
  "audit_chain_no_update", "audit_chain_no_delete", NULL,
};
static const char * const postgres_triggers[] = {
  "audit_event_no_change", "audit_event_no_truncate", "audit_event_who", "audit_event_zchain",
  "audit_chain_no_change", "audit_chain_no_truncate", "audit_event_xact", "patient_audited", "course_audited",
  "infusion_audited", "vital_sign_audited", "assessment_audited", "assessment_item_audited",
  "flag_decision_audited", "medication_audited", NULL,
};
static const char * const chain_tables[] = { "audit_event", "audit_chain", "audit_seal", NULL };

static void
append_field (GString *msg, const char *text)
{
  text = text ? text : "";
  g_string_append_printf (msg, "%" G_GSIZE_FORMAT ":%s\n", strlen (text), text);
}

/* The hash of one link, as sql/009-audit-chain.sql computes it. */
static char *
link_hash (const char *prev, TrajDbStmt *stmt, int first)
{
  g_autoptr(GString) msg = g_string_new (prev);

  g_string_append_printf (msg, "\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n",
                          traj_db_column_int64 (stmt, first), traj_db_column_int64 (stmt, first + 1));
  for (int k = first + 2; k < first + 10; k++)
    append_field (msg, traj_db_column_text (stmt, k));
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, msg->str, (gssize) msg->len);
}

static gboolean
broken (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
broken (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *what = NULL;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_AUDIT_BROKEN,
               /* Translators: %s says which link, e.g. "event 12 was changed after it was written" */
               _("The audit trail has been tampered with: %s."), what);
  return FALSE;
}

/* Each of @names that is missing, joined with ", "; NULL when none is. */
static char *
missing_names (TrajStore *self, const char *sqlite_sql, const char *postgres_sql,
               const char * const *names, GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare2 (traj_store_get_connection (self), sqlite_sql, postgres_sql, error);
  g_autoptr(GPtrArray) present = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) missing = g_string_new (NULL);
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_ptr_array_add (present, traj_db_column_dup (stmt, 0));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  for (guint k = 0; names[k]; k++)
    if (!g_ptr_array_find_with_equal_func (present, names[k], g_str_equal, NULL))
      g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", names[k]);
  return g_string_free (g_steal_pointer (&missing), FALSE);
}

static gboolean
check_structure (TrajStore *self, GError **error)
{
  gboolean pg = traj_db_engine (traj_store_get_connection (self)) == TRAJ_DB_POSTGRES;
  g_autofree char *tables = NULL, *triggers = NULL;
  GError *e = NULL;

  tables = missing_names (self,
                          "SELECT name FROM sqlite_master WHERE type = 'table'",
                          "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema ()",
                          chain_tables, &e);
  if (e)
    {
      g_propagate_error (error, e);
      return FALSE;
    }
  if (*tables)
    /* Translators: %s lists tables, e.g. "audit_chain" */
    return broken (error, _("the table %s is missing"), tables);
  triggers = missing_names (self,
                            "SELECT name FROM sqlite_master WHERE type = 'trigger'",
                            "SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'",
                            pg ? postgres_triggers : sqlite_triggers, &e);
  if (e)
    {
      g_propagate_error (error, e);
      return FALSE;
    }
  if (*triggers)
    /* Translators: %s lists triggers, e.g. "audit_event_no_delete" */
    return broken (error, _("its protection %s was removed or disabled"), triggers);
  return TRUE;
}

/* An event dated more than this before the one before it was back-dated
 * (or written by a machine whose clock was set back that far). */
#define TRAJ_AUDIT_CLOCK_TOLERANCE (5 * 60)

static gboolean
broken_time (GError **error, gint64 event, gint64 at, gint64 before, gint64 before_at)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (at);
  g_autoptr(GDateTime) bt = g_date_time_new_from_unix_local (before_at);
  g_autofree char *ts = t ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
  g_autofree char *bts = bt ? g_date_time_format (bt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");

  /* Translators: "event 12 is out of order: dated 2026-01-02 10:00:00, before event 11 (2026-01-03 09:00:00)" */
  return broken (error, _("event %" G_GINT64_FORMAT " is out of order: dated %s, before event %" G_GINT64_FORMAT
                          " (%s)"), event, ts, before, bts);
}

static char *
genesis (TrajStore *self, GError **error)
{
  TrajDbStmt *stmt = traj_store_prepare (self, "SELECT value FROM trajectory_meta WHERE key = 'clinic_id'", error);
  g_autofree char *id = NULL;
  gboolean found = FALSE;

  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return NULL;
  if (found)
    id = traj_db_column_dup (stmt, 0);
  traj_db_reset (stmt);
  if (!found)
    {
      broken (error, _("the clinic’s id is missing"));
      return NULL;
    }
  {
    g_autofree char *seed = g_strconcat ("trajectory audit ", id, NULL);
    return g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
  }
}

static gboolean
walk_chain (TrajStore *self, gint64 *n, gint64 *last_seq, char **last_hash, GError **error)
{
  static const char sql[] =
    "SELECT c.seq, c.event_id, c.hash, e.id, e.at, e.os_user, e.clinician, e.action, e.record_kind, "
    "e.record_uid, e.patient_uid, e.summary, e.detail "
    "FROM audit_chain c LEFT JOIN audit_event e ON e.id = c.event_id ORDER BY c.seq";
  g_autofree char *prev = genesis (self, error);
  TrajDbStmt *stmt;
  TrajDbStep rc;
  gint64 last_event = 0, last_at = 0;
  gboolean ok = TRUE;

  if (prev == NULL)
    return FALSE;
  stmt = traj_db_prepare_cursor (traj_store_get_connection (self), sql, error);
  if (stmt == NULL)
    return FALSE;
  while (ok && (rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      gint64 event = traj_db_column_int64 (stmt, 1);
      g_autofree char *hash = NULL;

      if (traj_db_column_is_null (stmt, 3))
        ok = broken (error, _("event %" G_GINT64_FORMAT " was removed"), event);
      else if (event <= last_event)
        ok = broken (error, _("event %" G_GINT64_FORMAT " was inserted out of order, after event %" G_GINT64_FORMAT),
                     event, last_event);
      else if (!g_str_equal ((hash = link_hash (prev, stmt, 3)), traj_db_column_text (stmt, 2)))
        ok = broken (error, _("event %" G_GINT64_FORMAT " was changed after it was written, or its link was"),
                     event);
      else if (last_event > 0 && traj_db_column_int64 (stmt, 4) < last_at - TRAJ_AUDIT_CLOCK_TOLERANCE)
        ok = broken_time (error, event, traj_db_column_int64 (stmt, 4), last_event, last_at);
      if (!ok)
        break;
      g_free (prev);
      prev = g_steal_pointer (&hash);
      last_event = event;
      last_at = traj_db_column_int64 (stmt, 4);
      *last_seq = traj_db_column_int64 (stmt, 0);
      (*n)++;
    }
  traj_db_reset (stmt);
  if (!ok || rc == TRAJ_DB_FAILED)
    return FALSE;
  *last_hash = (*n > 0) ? g_steal_pointer (&prev) : NULL;
  return TRUE;
}

static gint64
event_time (TrajStore *self, gint64 event, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT at FROM %s WHERE id = ?1", traj_store_audit_source (self));
  TrajDbStmt *stmt = traj_store_prepare (self, g_intern_string (sql), error);
  gboolean found = FALSE;
  gint64 at = -1;

  if (stmt == NULL)
    return -1;
  traj_db_bind_int64 (stmt, 1, event);
  if (traj_db_step_row (stmt, &found, error) && found)
    at = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  return at;
}

/* The server's walk names the two events; their times are in the view. */
static gboolean
out_of_time_on_server (TrajStore *self, gint64 event, gint64 before, GError **error)
{
  GError *e = NULL;
  gint64 at = event_time (self, event, &e);
  gint64 before_at = e ? -1 : event_time (self, before, &e);

  if (e)
    {
      g_propagate_error (error, e);
      return FALSE;
    }
  return broken_time (error, event, at, before, before_at);
}

/* The same walk for a login that may not read the events (a lead's, on a
 * server): the server's traj_audit_walk () (postgres/021) hashes them with
 * its owner's rights and says only where the chain broke. */
static gboolean
walk_chain_on_server (TrajStore *self, gint64 *n, gint64 *last_seq, char **last_hash, GError **error)
{
  TrajDbStmt *stmt = traj_store_prepare (self, "SELECT n_events, last_seq, last_hash, bad_event, problem, "
                                         "after_event FROM traj_audit_walk ()", error);
  g_autofree char *problem = NULL;
  gboolean found = FALSE;
  gint64 bad = 0, after = 0;

  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      *n = traj_db_column_int64 (stmt, 0);
      *last_seq = traj_db_column_int64 (stmt, 1);
      *last_hash = traj_db_column_is_null (stmt, 2) ? NULL : traj_db_column_dup (stmt, 2);
      bad = traj_db_column_int64 (stmt, 3);
      problem = traj_db_column_is_null (stmt, 4) ? NULL : traj_db_column_dup (stmt, 4);
      after = traj_db_column_int64 (stmt, 5);
    }
  traj_db_reset (stmt);
  if (problem == NULL)
    return TRUE;
  g_clear_pointer (last_hash, g_free);
  if (g_str_equal (problem, "removed"))
    return broken (error, _("event %" G_GINT64_FORMAT " was removed"), bad);
  if (g_str_equal (problem, "order"))
    return broken (error, _("event %" G_GINT64_FORMAT " was inserted out of order, after event %" G_GINT64_FORMAT),
                   bad, after);
  if (g_str_equal (problem, "changed"))
    return broken (error, _("event %" G_GINT64_FORMAT " was changed after it was written, or its link was"), bad);
  if (g_str_equal (problem, "time"))
    return out_of_time_on_server (self, bad, after, error);
  return broken (error, _("the clinic’s id is missing"));
}

static gboolean
check_unlinked_and_seal (TrajStore *self, gint64 n, gint64 last_seq, const char *last_hash, GError **error)
{
  TrajDbStmt *stmt;
  gboolean found = FALSE;
  gint64 unlinked = 0, seq = 0;
  g_autofree char *seal = NULL;
  g_autofree char *unlinked_sql = g_strdup_printf ("SELECT min (id) FROM %s e WHERE NOT EXISTS "
                                                   "(SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)",
                                                   traj_store_audit_source (self));

  stmt = traj_store_prepare (self, g_intern_string (unlinked_sql), error);
  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found && !traj_db_column_is_null (stmt, 0))
    unlinked = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  if (unlinked > 0)
    return broken (error, _("event %" G_GINT64_FORMAT " was written outside Trajectory (it has no link)"), unlinked);

  stmt = traj_store_prepare (self, "SELECT seq, hash FROM audit_seal WHERE id = 1", error);
  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return FALSE;
  if (found)
    {
      seq = traj_db_column_int64 (stmt, 0);
      seal = traj_db_column_dup (stmt, 1);
    }
  traj_db_reset (stmt);
  if (n == 0 && !found)
    return TRUE;
  if (!found || seq != last_seq || g_strcmp0 (seal, last_hash) != 0)
    return broken (error, _("the seal does not name the last event: events were removed from the end, "
                            "or the seal was copied from elsewhere"));
  return TRUE;
}

gboolean
traj_store_audit_verify (TrajStore *self, gint64 *n_events, GError **error)
{
  gboolean began = FALSE, lead, ok;
  gint64 n = 0, last_seq = 0;
  g_autofree char *last_hash = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  if (!traj_store_read_begin (self, &began, error))
    return FALSE;
  lead = !g_str_equal (traj_store_audit_source (self), "audit_event");
  ok = check_structure (self, error) &&
       (lead ? walk_chain_on_server (self, &n, &last_seq, &last_hash, error)
             : walk_chain (self, &n, &last_seq, &last_hash, error)) &&
       check_unlinked_and_seal (self, n, last_seq, last_hash, error);
  traj_store_read_end (self, began);
  if (n_events)
    *n_events = n;
  return ok;
}

/* ---- listing ---------------------------------------------------------------------- */

/* SELECT @columns FROM audit_event (or the lead's view) WHERE what @f asks,
 * bound; NULL on failure. */
static TrajDbStmt *
prepare_filtered (TrajStore *self, const char *columns, const TrajAuditFilter *f, gboolean page,
                  GError **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  gboolean pg = traj_db_engine (traj_store_get_connection (self)) == TRAJ_DB_POSTGRES;
  g_autofree char *listed = NULL;
  TrajDbStmt *stmt;
  int n = 0;

  g_string_printf (sql, "SELECT %s FROM %s WHERE 1 = 1", columns, traj_store_audit_source (self));
  /* A batch or an output of many patients lists each record's patient
   * last on its line (" uid\n"), so a longer uid never matches. */
  if (f->patient_uid)
    g_string_append_printf (sql, " AND (patient_uid = ?%d OR record_uid = ?%d OR "
                            "(record_kind IN ('records', 'clinic') AND %s (detail, ?%d) > 0))",
                            n + 1, n + 1, pg ? "strpos" : "instr", n + 2), n += 2;
  if (f->person)
    g_string_append_printf (sql, " AND (clinician = ?%d OR os_user = ?%d)", n + 1, n + 1), n++;
  if (f->action)
    g_string_append_printf (sql, " AND action = ?%d", ++n);
  if (f->from != TRAJ_TIME_NONE)
    g_string_append_printf (sql, " AND at >= ?%d", ++n);
  if (f->to != TRAJ_TIME_NONE)
    g_string_append_printf (sql, " AND at < ?%d", ++n);
  if (page && f->before_id > 0)
    g_string_append_printf (sql, " AND id < ?%d", ++n);
  if (page)
    {
      g_string_append (sql, " ORDER BY id DESC");
      if (f->limit > 0)
        g_string_append_printf (sql, " LIMIT %u", f->limit);
    }

  stmt = traj_db_prepare (traj_store_get_connection (self), g_intern_string (sql->str), error);
  if (stmt == NULL)
    return NULL;
  n = 0;
  if (f->patient_uid)
    {
      listed = g_strdup_printf (" %s\n", f->patient_uid);
      traj_db_bind_text0 (stmt, ++n, f->patient_uid);
      traj_db_bind_text (stmt, ++n, listed);
    }
  if (f->person)
    traj_db_bind_text0 (stmt, ++n, f->person);
  if (f->action)
    traj_db_bind_text0 (stmt, ++n, f->action);
  if (f->from != TRAJ_TIME_NONE)
    traj_db_bind_int64 (stmt, ++n, f->from);
  if (f->to != TRAJ_TIME_NONE)
    traj_db_bind_int64 (stmt, ++n, f->to);
  if (page && f->before_id > 0)
    traj_db_bind_int64 (stmt, ++n, f->before_id);
  return stmt;
}

GPtrArray *
traj_store_list_audit_filtered (TrajStore *self, const TrajAuditFilter *f, GError **error)
{
  TrajDbStmt *stmt;

  g_return_val_if_fail (TRAJ_IS_STORE (self), NULL);
  g_return_val_if_fail (f != NULL, NULL);

  stmt = prepare_filtered (self, "id, at, os_user, clinician, action, record_kind, record_uid, "
                           "summary, patient_uid, detail", f, TRUE, error);
  if (stmt == NULL)
    return NULL;
  return traj_store_audit_read_events (stmt, error);
}

gint64
traj_store_count_audit_filtered (TrajStore *self, const TrajAuditFilter *f, GError **error)
{
  TrajDbStmt *stmt;
  gboolean found = FALSE;
  gint64 n = 0;

  g_return_val_if_fail (TRAJ_IS_STORE (self), -1);
  g_return_val_if_fail (f != NULL, -1);

  stmt = prepare_filtered (self, "count (*)", f, FALSE, error);
  if (stmt == NULL || !traj_db_step_row (stmt, &found, error))
    return -1;
  if (found)
    n = traj_db_column_int64 (stmt, 0);
  traj_db_reset (stmt);
  return n;
}

GPtrArray *
traj_store_audit_read_events (TrajDbStmt *stmt, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_audit_event_free);
  TrajDbStep rc;

  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      TrajAuditEvent *e = g_new0 (TrajAuditEvent, 1);

      e->id = traj_db_column_int64 (stmt, 0);
      e->at = traj_db_column_int64 (stmt, 1);
      e->os_user = traj_db_column_dup (stmt, 2);
      e->clinician = traj_db_column_dup (stmt, 3);
      e->action = traj_db_column_dup (stmt, 4);
      e->record_kind = traj_db_column_dup (stmt, 5);
      e->record_uid = traj_db_column_dup (stmt, 6);
      e->summary = traj_db_column_dup (stmt, 7);
      e->patient_uid = traj_db_column_dup (stmt, 8);
      e->detail = traj_db_column_dup (stmt, 9);
      g_ptr_array_add (out, e);
    }
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_steal_pointer (&out);
}

/* @lead_sql reads the lead's view (traj_store_audit_source ()). */
static GStrv
distinct (TrajStore *self, const char *sql, const char *lead_sql, GError **error)
{
  gboolean lead = !g_str_equal (traj_store_audit_source (self), "audit_event");
  TrajDbStmt *stmt = traj_store_prepare (self, lead ? lead_sql : sql, error);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  TrajDbStep rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    g_strv_builder_add (b, traj_db_column_text (stmt, 0));
  traj_db_reset (stmt);
  if (rc == TRAJ_DB_FAILED)
    return NULL;
  return g_strv_builder_end (b);
}

GStrv
traj_store_audit_actions (TrajStore *self, GError **error)
{
  return distinct (self, "SELECT DISTINCT action FROM audit_event ORDER BY action",
                   "SELECT DISTINCT action FROM audit_event_lead ORDER BY action", error);
}

GStrv
traj_store_audit_people (TrajStore *self, GError **error)
{
  return distinct (self, "SELECT clinician FROM audit_event WHERE clinician <> '' UNION "
                   "SELECT os_user FROM audit_event WHERE os_user <> '' ORDER BY 1",
                   "SELECT clinician FROM audit_event_lead WHERE clinician <> '' UNION "
                   "SELECT os_user FROM audit_event_lead WHERE os_user <> '' ORDER BY 1", error);
}

/* ---- outputs ---------------------------------------------------------------------- */

gboolean
traj_store_audit_output (TrajStore          *self,
                         const char         *action,
                         const char         *what,
                         const char * const *patient_uids,
                         const char         *target,
                         GError            **error)
{
  guint n = patient_uids ? g_strv_length ((char **) patient_uids) : 0;
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *summary = NULL;

  g_return_val_if_fail (TRAJ_IS_STORE (self), FALSE);

  g_string_append_printf (detail, "to: %s\n", target ? target : "");
  for (guint k = 0; k < n; k++)
    g_string_append_printf (detail, "patient: %s\n", patient_uids[k]);
  summary = n == 0 ? g_strdup_printf ("%s: the whole clinic", what)
                   : g_strdup_printf ("%s: %u patient%s", what, n, n == 1 ? "" : "s");
  if (!traj_store_tx_begin (self, error))
    return FALSE;
  if (!traj_store_audit_full (self, action, n == 1 ? "patient" : "clinic", n == 1 ? patient_uids[0] : "",
                              n == 1 ? patient_uids[0] : "", summary, detail->str, error))
    {
      traj_store_tx_rollback (self);
      return FALSE;
    }
  return traj_store_tx_commit (self, error);
}

/* ---- previous values of an edit ------------------------------------------------ */

static gboolean
snapshot_rows (TrajStore *self, GPtrArray *out, const char *sql, gint64 id, const char *row_key,
               GError **error)
{
  TrajDbStmt *stmt = traj_db_prepare (traj_store_get_connection (self), sql, error);
  TrajDbStep rc;

  if (stmt == NULL)
    return FALSE;
  traj_db_bind_int64 (stmt, 1, id);
  while ((rc = traj_db_step (stmt, error)) == TRAJ_DB_ROW)
    {
      int n = traj_db_column_count (stmt);
      /* Child rows are told apart by their first column (minute, item). */
      g_autofree char *prefix = row_key ? g_strdup_printf ("%s %s ", row_key, traj_db_column_text (stmt, 0)) : g_strdup ("");

      for (int k = row_key ? 1 : 0; k < n; k++)
        {
          const char *name = traj_db_column_name (stmt, k);

          if (g_str_equal (name, "id") || g_str_equal (name, "updated_at") || g_str_has_suffix (name, "_id") ||
              (row_key && g_str_equal (name, "uid")))
            continue;
          g_ptr_array_add (out, g_strconcat (prefix, name, NULL));
          g_ptr_array_add (out, traj_db_column_is_null (stmt, k) ? g_strdup ("") : traj_db_column_dup (stmt, k));
        }
    }
  traj_db_reset (stmt);
  return rc != TRAJ_DB_FAILED;
}

GPtrArray *
traj_store_audit_snapshot (TrajStore *self, TrajRecordKind kind, gint64 id, GError **error)
{
  static const char *row_sql[TRAJ_N_KINDS] = {
    [TRAJ_KIND_PATIENT] = "SELECT * FROM patient WHERE id = ?1",
    [TRAJ_KIND_COURSE] = "SELECT * FROM course WHERE id = ?1",
    [TRAJ_KIND_INFUSION] = "SELECT * FROM infusion WHERE id = ?1",
    [TRAJ_KIND_ASSESSMENT] = "SELECT * FROM assessment WHERE id = ?1",
    [TRAJ_KIND_MEDICATION] = "SELECT * FROM medication WHERE id = ?1",
  };
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail ((guint) kind < TRAJ_N_KINDS && row_sql[kind] != NULL, NULL);
  if (!snapshot_rows (self, out, row_sql[kind], id, NULL, error))
    return NULL;
  if (kind == TRAJ_KIND_INFUSION &&
      !snapshot_rows (self, out, "SELECT minute, systolic, diastolic, heart_rate, spo2, resp_rate "
                      "FROM vital_sign WHERE infusion_id = ?1 ORDER BY minute", id, "minute", error))
    return NULL;
  if (kind == TRAJ_KIND_ASSESSMENT &&
      !snapshot_rows (self, out, "SELECT item, value FROM assessment_item WHERE assessment_id = ?1 ORDER BY item",
                      id, "item", error))
    return NULL;
  return g_steal_pointer (&out);
}

static const char *
lookup (GPtrArray *pairs, const char *key)
{
  for (guint k = 0; k + 1 < pairs->len; k += 2)
    if (g_str_equal (g_ptr_array_index (pairs, k), key))
      return g_ptr_array_index (pairs, k + 1);
  return NULL;
}

/* "field: before → after" for each field that changed, a line each (a
 * field that went away shows "→ (removed)", a new one "(none) →"). */
char *
traj_store_audit_changes (GPtrArray *before, GPtrArray *after)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k + 1 < before->len; k += 2)
    {
      const char *key = g_ptr_array_index (before, k), *was = g_ptr_array_index (before, k + 1);
      const char *now = lookup (after, key);

      if (now == NULL)
        g_string_append_printf (out, "%s: %s → (removed)\n", key, was);
      else if (!g_str_equal (was, now))
        g_string_append_printf (out, "%s: %s → %s\n", key, was, now);
    }
  for (guint k = 0; k + 1 < after->len; k += 2)
    if (lookup (before, g_ptr_array_index (after, k)) == NULL)
      g_string_append_printf (out, "%s: (none) → %s\n", (char *) g_ptr_array_index (after, k),
                              (char *) g_ptr_array_index (after, k + 1));
  return g_string_free (out, FALSE);
}

gboolean
traj_store_audit_update (TrajStore *self, TrajRecordKind kind, gint64 id, const char *uid,
                         GPtrArray *before, const char *summary, GError **error)
{
  g_autoptr(GPtrArray) after = traj_store_audit_snapshot (self, kind, id, error);
  g_autofree char *changes = NULL;

  if (after == NULL)
    return FALSE;
  changes = traj_store_audit_changes (before, after);
  return traj_store_audit_record_detail (self, "update", kind, uid, summary, changes, error);
}
