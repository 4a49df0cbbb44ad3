/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-infusion-editor.h"

G_BEGIN_DECLS

/* For tests: the widgets of the vital-signs grid and the check boxes, which
 * are built at run time rather than in the template. */

/* Columns of a reading: 0 minute, then systolic, diastolic, heart rate,
 * SpO₂, respiratory rate (traj_validate_vital_value's field + 1). */
#define TRAJ_VITAL_COLUMN_MINUTE 0
#define TRAJ_N_VITAL_COLUMNS 6

guint       traj_infusion_editor_get_n_readings      (TrajInfusionEditor *self);
GtkWidget  *traj_infusion_editor_get_vital_cell      (TrajInfusionEditor *self,
                                                      guint               reading,
                                                      guint               column);
GtkWidget  *traj_infusion_editor_get_remove_button   (TrajInfusionEditor *self,
                                                      guint               reading);
/* The error line / the monitoring-event line under a reading, or NULL while
 * it is hidden. */
const char *traj_infusion_editor_get_reading_error   (TrajInfusionEditor *self,
                                                      guint               reading);
const char *traj_infusion_editor_get_reading_warning (TrajInfusionEditor *self,
                                                      guint               reading);
GtkWidget  *traj_infusion_editor_get_side_effect     (TrajInfusionEditor *self,
                                                      guint               index);
GtkWidget  *traj_infusion_editor_get_concomitant     (TrajInfusionEditor *self,
                                                      guint               index);
/* The esketamine monitoring record's group (TrajRemsGroup). */
GtkWidget  *traj_infusion_editor_get_rems_group      (TrajInfusionEditor *self);

G_END_DECLS
