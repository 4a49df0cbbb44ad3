/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-records.h"

G_BEGIN_DECLS

/* One event of a patient's timeline: an infusion or an assessment. */
#define TRAJ_TYPE_TIMELINE_ITEM (traj_timeline_item_get_type ())
G_DECLARE_FINAL_TYPE (TrajTimelineItem, traj_timeline_item, TRAJ, TIMELINE_ITEM, GObject)

TrajRecordKind        traj_timeline_item_get_kind       (TrajTimelineItem *self);
gint64                traj_timeline_item_get_id         (TrajTimelineItem *self);
gint64                traj_timeline_item_get_time       (TrajTimelineItem *self);
/* The record itself (owned by the item). */
const TrajInfusion   *traj_timeline_item_get_infusion   (TrajTimelineItem *self);
const TrajAssessment *traj_timeline_item_get_assessment (TrajTimelineItem *self);
/* Infusion number within its course (1-based), 0 for assessments. */
int                   traj_timeline_item_get_number     (TrajTimelineItem *self);

/* A patient's infusions and assessments, newest first, as a GListModel. */
#define TRAJ_TYPE_TIMELINE (traj_timeline_get_type ())
G_DECLARE_FINAL_TYPE (TrajTimeline, traj_timeline, TRAJ, TIMELINE, GObject)

TrajTimeline *traj_timeline_new          (void);
/* Rebuilds from @records (NULL clears); emits one items-changed for the span
 * that differs, so unchanged rows keep their widgets. */
void          traj_timeline_set_records  (TrajTimeline             *self,
                                          const TrajPatientRecords *records);
/* Position of a record, or -1. */
int           traj_timeline_find         (TrajTimeline   *self,
                                          TrajRecordKind  kind,
                                          gint64          id);

G_END_DECLS
