/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Lays children out in equal columns, as many as fit side by side (up to
 * max-columns), and wraps the rest into balanced rows: four answers become
 * 4 × 1 when wide, 2 × 2 when narrower and 1 × 4 on a phone, never 3 + 1.
 * GTK 4.8 has no wrap box; this is the small piece editors need so a row of
 * answers or check boxes stays tidy from 360 px up. Tab order follows the
 * reading order of the result. */
#define TRAJ_TYPE_COLUMNS_LAYOUT (traj_columns_layout_get_type ())
G_DECLARE_FINAL_TYPE (TrajColumnsLayout, traj_columns_layout, TRAJ, COLUMNS_LAYOUT, GtkLayoutManager)

GtkLayoutManager *traj_columns_layout_new             (void);
void              traj_columns_layout_set_max_columns (TrajColumnsLayout *self,
                                                       guint              max_columns);
guint             traj_columns_layout_get_max_columns (TrajColumnsLayout *self);
void              traj_columns_layout_set_spacing     (TrajColumnsLayout *self,
                                                       int                spacing);
int               traj_columns_layout_get_spacing     (TrajColumnsLayout *self);

G_END_DECLS
