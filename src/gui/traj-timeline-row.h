/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-timeline.h"

G_BEGIN_DECLS

/* One row of the patient page's timeline: an infusion or an assessment,
 * with Edit ("patient.edit-record") and a Delete that asks by a second
 * click ("patient.delete-record"), both targeted at the row's record. */
#define TRAJ_TYPE_TIMELINE_ROW (traj_timeline_row_get_type ())
G_DECLARE_FINAL_TYPE (TrajTimelineRow, traj_timeline_row, TRAJ, TIMELINE_ROW, AdwActionRow)

GtkWidget        *traj_timeline_row_new       (TrajTimelineItem *item);
TrajTimelineItem *traj_timeline_row_get_item  (TrajTimelineRow  *self);
/* Puts @widget after the row's tags, before its buttons. */
void              traj_timeline_row_add_extra (TrajTimelineRow  *self,
                                               GtkWidget        *widget);

G_END_DECLS
