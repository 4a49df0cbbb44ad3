/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-editor-dialog.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_MEDICATION_EDITOR (traj_medication_editor_get_type ())
G_DECLARE_FINAL_TYPE (TrajMedicationEditor, traj_medication_editor, TRAJ, MEDICATION_EDITOR, TrajEditorDialog)

/* Edits @existing, or adds a medicine to the list of @patient_id when NULL
 * (CLINICAL.md §8: name, class, dose, start and stop days). */
TrajMedicationEditor *traj_medication_editor_new (GtkWindow            *parent,
                                                  TrajStore            *store,
                                                  gint64                patient_id,
                                                  const TrajMedication *existing);

G_END_DECLS
