/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-store.h"

G_BEGIN_DECLS

/* The audit trail as a spreadsheet reads it: the events @filter matches
 * (its limit and before_id ignored), newest first, one CSV row each —
 * id, at (UTC, ISO 8601), os_user, clinician, action, record_kind,
 * record_uid, patient_uid, summary, detail. Text follows the formula rule
 * (traj_csv_append_text_field), so a name like "=HYPERLINK(…)" is shown,
 * never run. Written through traj-safe-file.h (complete or nothing, 0600,
 * never through a link), then audited as "audit-export" naming @path.
 * @n_events (optional) receives how many rows were written. */
gboolean traj_audit_export_csv (TrajStore             *store,
                                const TrajAuditFilter *filter,
                                const char            *path,
                                guint                 *n_events,
                                GCancellable          *cancellable,
                                GError               **error);

/* The CSV header line the export writes, for tests and documentation. */
extern const char traj_audit_csv_header[];

G_END_DECLS
