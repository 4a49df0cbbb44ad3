/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-records.h"

G_BEGIN_DECLS

/* The esketamine monitoring record's own questions (CLINICAL.md §8,
 * traj-rems.h) in the session editor: REMS enrolment ID, first session,
 * who monitored, vital signs acceptable before dosing and before leaving,
 * sedation, dissociation, respiratory depression and adverse events. Each
 * yes/no question starts "Not answered". The group's description says what
 * the record still misses (traj_rems_group_set_check ()). Emits "changed"
 * when a person changes an answer. */
#define TRAJ_TYPE_REMS_GROUP (traj_rems_group_get_type ())
G_DECLARE_FINAL_TYPE (TrajRemsGroup, traj_rems_group, TRAJ, REMS_GROUP, AdwPreferencesGroup)

/* The yes/no questions, in the group's order. */
typedef enum {
  TRAJ_REMS_Q_FIRST_SESSION,
  TRAJ_REMS_Q_VITALS_BEFORE,
  TRAJ_REMS_Q_VITALS_LEAVING,
  TRAJ_REMS_Q_SEDATION,
  TRAJ_REMS_Q_DISSOCIATION,
  TRAJ_REMS_Q_RESP_DEPRESSION,
  TRAJ_REMS_Q_ADVERSE,
  TRAJ_REMS_N_QUESTIONS
} TrajRemsQuestion;

GtkWidget *traj_rems_group_new       (void);
/* Shows @i's answers. */
void       traj_rems_group_set       (TrajRemsGroup *self, const TrajInfusion *i);
/* Puts the answers into @i. */
void       traj_rems_group_read      (TrajRemsGroup *self, TrajInfusion *i);
void       traj_rems_group_set_check (TrajRemsGroup *self, const char *text);

/* For tests: a question's combo row (0 not answered, 1 yes, 2 no) and the
 * text rows. */
AdwComboRow *traj_rems_group_get_question  (TrajRemsGroup *self, TrajRemsQuestion q);
GtkWidget   *traj_rems_group_get_patient_id_row  (TrajRemsGroup *self);
GtkWidget   *traj_rems_group_get_monitored_by_row (TrajRemsGroup *self);
GtkWidget   *traj_rems_group_get_adverse_note_row (TrajRemsGroup *self);

G_END_DECLS
