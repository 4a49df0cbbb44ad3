/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-audit"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-audit-csv.h"
#include "traj-audit-text.h"
#include "traj-safe-file.h"
#include "traj-table.h"

const char traj_audit_csv_header[] =
  "id,at,os_user,clinician,action,record_kind,record_uid,patient_uid,summary,detail,local_time,description,"
  "changes\r\n";

/* Events are read a page at a time: the trail is append-only, so paging
 * down from the newest id sees each matching event once, whatever is
 * written meanwhile. */
#define PAGE 2000

static void
append_event (GString *out, const TrajAuditEvent *e)
{
  g_autofree char *at = traj_time_to_iso (e->at);
  /* The columns as stored (which the hash chain covers), then the same in
   * words for a person: local time, the title, an edit's fields. */
  g_autofree char *local = traj_time_format (e->at);
  g_autofree char *description = traj_audit_event_title (e);
  g_autofree char *changes = g_strcmp0 (e->action, "update") == 0 ? traj_audit_changes_text (e->detail) : NULL;
  const char *text[] = { e->os_user, e->clinician, e->action, e->record_kind, e->record_uid,
                         e->patient_uid, e->summary, e->detail, local, description, changes };

  g_string_append_printf (out, "%" G_GINT64_FORMAT ",%s", e->id, at);
  for (guint k = 0; k < G_N_ELEMENTS (text); k++)
    {
      g_string_append_c (out, ',');
      traj_csv_append_text_field (out, text[k] ? text[k] : "");
    }
  g_string_append (out, "\r\n");
}

/* What was exported, in words for the trail's own summary line. */
static char *
describe (const TrajAuditFilter *f, guint n)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GString) which = g_string_new (NULL);

  g_string_printf (s, "audit trail, %u event%s", n, n == 1 ? "" : "s");
  if (f->action)
    g_string_append_printf (which, "%saction %s", which->len ? "; " : "", f->action);
  if (f->person)
    g_string_append_printf (which, "%sperson %s", which->len ? "; " : "", f->person);
  if (f->from != TRAJ_TIME_NONE)
    {
      g_autofree char *iso = traj_time_to_iso (f->from);
      g_string_append_printf (which, "%sfrom %s", which->len ? "; " : "", iso);
    }
  if (f->to != TRAJ_TIME_NONE)
    {
      g_autofree char *iso = traj_time_to_iso (f->to);
      g_string_append_printf (which, "%sbefore %s", which->len ? "; " : "", iso);
    }
  if (which->len)
    g_string_append_printf (s, " (%s)", which->str);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

gboolean
traj_audit_export_csv (TrajStore             *store,
                       const TrajAuditFilter *filter,
                       const char            *path,
                       guint                 *n_events,
                       GCancellable          *cancellable,
                       GError               **error)
{
  g_autoptr(TrajSafeFile) file = NULL;
  g_autoptr(GString) out = g_string_new (traj_audit_csv_header);
  TrajAuditFilter page;
  guint n = 0;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  file = traj_safe_file_new (path, error);
  if (file == NULL)
    return FALSE;
  page = *filter;
  page.limit = PAGE;
  page.before_id = 0;
  for (;;)
    {
      g_autoptr(GPtrArray) events = traj_store_list_audit_filtered (store, &page, error);

      if (events == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint k = 0; k < events->len; k++)
        append_event (out, g_ptr_array_index (events, k));
      n += events->len;
      if (!traj_safe_file_write (file, out->str, out->len, error))
        return FALSE;
      g_string_truncate (out, 0);
      if (events->len < PAGE)
        break;
      page.before_id = ((TrajAuditEvent *) g_ptr_array_index (events, events->len - 1))->id;
    }
  if (!traj_safe_file_commit (file, error))
    return FALSE;

  {
    g_autofree char *what = describe (filter, n);
    const char *patients[] = { filter->patient_uid, NULL };

    if (!traj_store_audit_output (store, "audit-export", what, filter->patient_uid ? patients : NULL, path,
                                  error))
      return FALSE;
  }
  if (n_events)
    *n_events = n;
  return TRUE;
}
