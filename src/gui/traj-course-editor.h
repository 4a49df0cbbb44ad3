/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-editor-dialog.h"

G_BEGIN_DECLS

#define TRAJ_TYPE_COURSE_EDITOR (traj_course_editor_get_type ())
G_DECLARE_FINAL_TYPE (TrajCourseEditor, traj_course_editor, TRAJ, COURSE_EDITOR, TrajEditorDialog)

/* Edits @existing, or starts a new course for @patient when NULL. */
TrajCourseEditor *traj_course_editor_new (GtkWindow         *parent,
                                          TrajStore         *store,
                                          const TrajPatient *patient,
                                          const TrajCourse  *existing);

G_END_DECLS
