/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-store.h"

G_BEGIN_DECLS

/* ---- safety answers from the tablet (the clinician windows' active alert) ---- */

/* A tablet questionnaire whose safety item (PHQ-9 item 9) was answered 1
 * or more. */
typedef struct {
  gint64 assessment_id;
  char *assessment_uid;
  gint64 patient_id;
  char *patient_name;
  char *mrn;
  TrajScaleId scale;
  int answer;                 /* the safety item's answer, 1 or more (the highest given,
                               * when the tablet's patient changed it later) */
  gint64 taken_at;
} TrajSafetyAnswer;

void         traj_safety_answer_free     (TrajSafetyAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajSafetyAnswer, traj_safety_answer_free)
/* The live tablet questionnaires (complete or draft) taken at @since (Unix
 * time) or later whose safety item was answered 1 or more, oldest first, as
 * TrajSafetyAnswer*. Whether each finding is still open (not acknowledged)
 * is the outcome engine's to say. */
GPtrArray   *traj_store_list_tablet_safety_answers (TrajStore  *store,
                                                    gint64      since,
                                                    GError    **error);

G_END_DECLS
