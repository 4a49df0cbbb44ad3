/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-score-entry.h"

G_BEGIN_DECLS

/* For editors and tests: the widgets a person uses. */

/* The toggle button answering @item with @value (for PHQ-9, item n_items is
 * the difficulty question), or NULL. */
GtkWidget *traj_score_entry_get_answer_button (TrajScoreEntry *self,
                                               guint           item,
                                               int             value);
/* The total-only scales' total field (an AdwEntryRow). */
GtkWidget *traj_score_entry_get_total_field   (TrajScoreEntry *self);
/* Marks the total field in error with the store's message shown under it,
 * or clears it with NULL. */
void       traj_score_entry_set_total_error   (TrajScoreEntry *self,
                                               const GError   *error);
/* What the live total line says ("Total 14 · moderate", "7 of 9 answered"). */
const char *traj_score_entry_get_summary      (TrajScoreEntry *self);

G_END_DECLS
