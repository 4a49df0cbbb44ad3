/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-editor-dialog.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_PATIENT_EDITOR (traj_patient_editor_get_type ())
G_DECLARE_FINAL_TYPE (TrajPatientEditor, traj_patient_editor, TRAJ, PATIENT_EDITOR, TrajEditorDialog)

/* Edits @existing (a copy is taken), or creates a patient when NULL. */
TrajPatientEditor *traj_patient_editor_new (GtkWindow         *parent,
                                            TrajStore         *store,
                                            const TrajPatient *existing);

G_END_DECLS
