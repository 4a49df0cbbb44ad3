/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* The Audit Trail window (read-only): the clinic's audit events, newest
 * first and a page at a time, filtered by patient, person, action and
 * dates; the selected event's detail (what an edit changed, the records a
 * batch wrote, where an output went); whether the hash chain is whole,
 * checked on a worker thread; and "Export CSV…" of what the filters show
 * (traj_audit_export_csv (), itself audited). Actions "audit.export",
 * "audit.show-more", "audit.clear-filters", "audit.back". */
#define TRAJ_TYPE_AUDIT_WINDOW (traj_audit_window_get_type ())
G_DECLARE_FINAL_TYPE (TrajAuditWindow, traj_audit_window, TRAJ, AUDIT_WINDOW, AdwWindow)

GtkWidget *traj_audit_window_new (GtkWindow *parent,
                                  TrajStore *store);
/* Shows only @patient_uid's events (NULL: any patient). */
void       traj_audit_window_set_patient (TrajAuditWindow *self,
                                          const char      *patient_uid);
/* Exports what the filters show to @path without asking (tests); the
 * result is a toast, as from the file chooser. */
void       traj_audit_window_export_to_path (TrajAuditWindow *self,
                                             const char      *path);

G_END_DECLS
