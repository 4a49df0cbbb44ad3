/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* Import, export, backup and restore from the GUI: each asks for a file or
 * folder, runs on a worker thread with its own connection behind a progress
 * window that can cancel, and ends with a plain summary. @callback runs on
 * the main thread when the job has ended; traj_exchange_run_finish () then
 * says whether it changed the clinic (an import or a restore done). */
typedef enum {
  TRAJ_EXCHANGE_IMPORT_CSV,
  TRAJ_EXCHANGE_EXPORT_CSV,
  TRAJ_EXCHANGE_EXPORT_FHIR,
  TRAJ_EXCHANGE_BACKUP,
  TRAJ_EXCHANGE_RESTORE,
} TrajExchangeKind;

void     traj_exchange_run_async         (GtkWindow           *parent,
                                          TrajStore           *store,
                                          TrajExchangeKind     kind,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Runs @kind on @path without asking for it (tests, scripting). */
void     traj_exchange_run_on_path_async (GtkWindow           *parent,
                                          TrajStore           *store,
                                          TrajExchangeKind     kind,
                                          const char          *path,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* TRUE when the job changed the clinic. FALSE when it did not, with
 * @error saying why (G_IO_ERROR_CANCELLED when the person cancelled); the
 * person has already been told. */
gboolean traj_exchange_run_finish        (GAsyncResult        *result,
                                          GError             **error);
/* At start, in the background: PRAGMA quick_check of the clinic, then
 * (when @keep > 0) the daily backup beside the clinic file. A damaged
 * clinic, or a backup that failed, is said in a dialog over @parent (or
 * alone when @parent has gone). */
void     traj_exchange_start_check       (GtkWindow           *parent,
                                          TrajStore           *store,
                                          guint                keep);

G_END_DECLS
