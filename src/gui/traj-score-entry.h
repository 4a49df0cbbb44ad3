/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-scale.h"

G_BEGIN_DECLS

/* The one questionnaire widget: choose a scale, answer every item with the
 * instrument's exact wording and answers (CLINICAL.md §1), and (in the
 * clinician's layout) see the total and band live. The clinician's score
 * entry and the patient kiosk both use it. It scores nothing itself beyond
 * traj_scale_score(); the store rescoring decides what is saved. */
typedef enum {
  TRAJ_SCORE_ENTRY_LIST,      /* clinician: every item as a card, answers in a row */
  TRAJ_SCORE_ENTRY_SINGLE,    /* kiosk: item current-item only, big stacked answers */
} TrajScoreEntryLayout;

#define TRAJ_TYPE_SCORE_ENTRY_LAYOUT (traj_score_entry_layout_get_type ())
GType traj_score_entry_layout_get_type (void) G_GNUC_CONST;

#define TRAJ_TYPE_SCORE_ENTRY (traj_score_entry_get_type ())
G_DECLARE_FINAL_TYPE (TrajScoreEntry, traj_score_entry, TRAJ, SCORE_ENTRY, GtkWidget)

/* Signals:
 *   "changed" (void): an answer, the difficulty answer or the typed total
 *     changed, by the person or through the API.
 *   "item-answered" (guint item): the person answered @item (0-based; for
 *     PHQ-9, n_items − 1 is the difficulty question in SINGLE layout), for a
 *     kiosk that moves on by itself. Not emitted by set_values().
 * Properties: "scale" (TrajScaleId as guint), "layout", "current-item",
 * "show-total" (LIST only; the kiosk never shows scores), "complete" and
 * "total" (read-only, notified on change). */
GtkWidget            *traj_score_entry_new              (void);

void                  traj_score_entry_set_scale        (TrajScoreEntry       *self,
                                                         TrajScaleId           scale);
TrajScaleId           traj_score_entry_get_scale        (TrajScoreEntry       *self);
void                  traj_score_entry_set_layout       (TrajScoreEntry       *self,
                                                         TrajScoreEntryLayout  layout);
TrajScoreEntryLayout  traj_score_entry_get_layout       (TrajScoreEntry       *self);

/* values[i] is item i's answer, -1 = unanswered. set_values reads @n values
 * (missing ones become unanswered; out-of-range ones are ignored with a
 * warning); get_values writes the scale's n_items values to @out (at most
 * TRAJ_MAX_ITEMS). Total-only scales (MADRS) have no items: use set_total. */
void                  traj_score_entry_set_values       (TrajScoreEntry       *self,
                                                         const int            *values,
                                                         guint                 n);
void                  traj_score_entry_get_values       (TrajScoreEntry       *self,
                                                         int                  *out);
/* The PHQ-9 difficulty answer (0–3), or -1: optional and never scored. */
void                  traj_score_entry_set_difficulty   (TrajScoreEntry       *self,
                                                         int                   difficulty);
int                   traj_score_entry_get_difficulty   (TrajScoreEntry       *self);

/* Every scored item answered (total-only scales: a total in range typed). */
gboolean              traj_score_entry_is_complete      (TrajScoreEntry       *self);
/* The total of a complete entry, else -1. */
int                   traj_score_entry_get_total        (TrajScoreEntry       *self);
/* Total-only scales (MADRS): the typed total, -1 to clear. */
void                  traj_score_entry_set_total        (TrajScoreEntry       *self,
                                                         int                   total);
/* What was typed in the total field as a number, even when out of range;
 * -1 when empty, G_MININT when not a number. For editors that validate it. */
int                   traj_score_entry_get_typed_total  (TrajScoreEntry       *self);
guint                 traj_score_entry_get_n_answered   (TrajScoreEntry       *self);

/* SINGLE layout: the questions shown one per screen — the scored items and,
 * for PHQ-9, the optional difficulty question last. */
guint                 traj_score_entry_get_n_items      (TrajScoreEntry       *self);
void                  traj_score_entry_set_current_item (TrajScoreEntry       *self,
                                                         guint                 item);
guint                 traj_score_entry_get_current_item (TrajScoreEntry       *self);

void                  traj_score_entry_set_show_total   (TrajScoreEntry       *self,
                                                         gboolean              show_total);
gboolean              traj_score_entry_get_show_total   (TrajScoreEntry       *self);

G_END_DECLS
