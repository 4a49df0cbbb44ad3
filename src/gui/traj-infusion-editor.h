/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-editor-dialog.h"

G_BEGIN_DECLS

/* Logs (or edits) one infusion as clinics document it (CLINICAL.md §5):
 * when, duration, course and phase, medicine, route, lot, weight and dose
 * with the total computed live, any number of vital-sign readings, side
 * effects, concomitant medicines, monitoring, clinician and notes. Every
 * field is checked as it is typed with the store's rules (traj-validate.h);
 * vital signs over the clinic's limits (CLINICAL.md §4) are marked as
 * monitoring events — a warning, not an error. Emits
 * TrajEditorDialog::saved with the infusion id. */
#define TRAJ_TYPE_INFUSION_EDITOR (traj_infusion_editor_get_type ())
G_DECLARE_FINAL_TYPE (TrajInfusionEditor, traj_infusion_editor, TRAJ, INFUSION_EDITOR, TrajEditorDialog)

/* @settings: for the vital-sign limits (traj_thresholds_load) and the
 * clinician name; NULL uses the defaults and the store's clinician.
 * @records: the patient's records (read during the call only): defaults come
 * from the patient's last infusion (weight) and the course's last infusion
 * (medicine, route, dose). @existing: the infusion to edit, or NULL. */
GtkWidget *traj_infusion_editor_new (GtkWindow                *parent,
                                     TrajStore                *store,
                                     GSettings                *settings,
                                     const TrajPatientRecords *records,
                                     const TrajInfusion       *existing);

G_END_DECLS
