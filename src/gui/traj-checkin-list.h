/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* A patient's open tablet check-in codes (made, not used, cancelled or
 * expired), each with "Cancel Code". Shown on the patient page; hidden when
 * there is none. The codes themselves are never shown: only a hash of each
 * is kept. */
#define TRAJ_TYPE_CHECKIN_LIST (traj_checkin_list_get_type ())
G_DECLARE_FINAL_TYPE (TrajCheckinList, traj_checkin_list, TRAJ, CHECKIN_LIST, GtkWidget)

GtkWidget *traj_checkin_list_new         (void);
void       traj_checkin_list_set_store   (TrajCheckinList *self,
                                          TrajStore       *store);
/* Shows @patient_id's open codes (0: none). */
void       traj_checkin_list_set_patient (TrajCheckinList *self,
                                          gint64           patient_id);
guint      traj_checkin_list_get_n_codes (TrajCheckinList *self);
/* The "Cancel Code" button of the @index-th code, newest first. */
GtkWidget *traj_checkin_list_get_cancel_button (TrajCheckinList *self,
                                                guint            index);

G_END_DECLS
