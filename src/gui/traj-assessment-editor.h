/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-editor-dialog.h"

G_BEGIN_DECLS

/* Records (or edits) one questionnaire: scale, when, timing, course, the
 * answers through TrajScoreEntry, notes. A complete one is saved scored; an
 * incomplete one only as a draft, which the dialog says in words and on the
 * Save button ("Save as Draft"). The store's rescoring decides complete and
 * total. Emits TrajEditorDialog::saved with the assessment id. */
#define TRAJ_TYPE_ASSESSMENT_EDITOR (traj_assessment_editor_get_type ())
G_DECLARE_FINAL_TYPE (TrajAssessmentEditor, traj_assessment_editor, TRAJ, ASSESSMENT_EDITOR, TrajEditorDialog)

/* @records: the patient's records (copied what is needed; may be freed after
 * the call). @existing: the assessment to edit, or NULL for a new one by the
 * clinician; its scale is then fixed. */
GtkWidget *traj_assessment_editor_new (GtkWindow                *parent,
                                       TrajStore                *store,
                                       const TrajPatientRecords *records,
                                       const TrajAssessment     *existing);

G_END_DECLS
