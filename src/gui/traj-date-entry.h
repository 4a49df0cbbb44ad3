/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-records.h"

G_BEGIN_DECLS

/* A date typed as YYYY-MM-DD or picked from a calendar popover. */
#define TRAJ_TYPE_DATE_ENTRY (traj_date_entry_get_type ())
G_DECLARE_FINAL_TYPE (TrajDateEntry, traj_date_entry, TRAJ, DATE_ENTRY, GtkWidget)

GtkWidget *traj_date_entry_new      (void);
/* TRAJ_DAY_NONE when the text is empty or not a date. */
gint32     traj_date_entry_get_day  (TrajDateEntry *self);
void       traj_date_entry_set_day  (TrajDateEntry *self,
                                     gint32         day);
GtkEditable *traj_date_entry_get_editable (TrajDateEntry *self);

G_END_DECLS
