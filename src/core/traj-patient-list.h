/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* One patient of the list, as a GObject for list widgets. */
#define TRAJ_TYPE_PATIENT_ITEM (traj_patient_item_get_type ())
G_DECLARE_FINAL_TYPE (TrajPatientItem, traj_patient_item, TRAJ, PATIENT_ITEM, GObject)

const TrajPatientSummary *traj_patient_item_get_summary (TrajPatientItem *self);
gint64                    traj_patient_item_get_id      (TrajPatientItem *self);

typedef enum {
  TRAJ_PATIENT_FILTER_ALL,
  TRAJ_PATIENT_FILTER_NEEDS_ATTENTION,
  TRAJ_PATIENT_FILTER_ACTIVE_COURSE,
} TrajPatientFilter;

/* The patient list: every live patient from the store, filtered as you type
 * (name or MRN, case-insensitive) in memory, so a keystroke costs a scan of
 * precomputed keys, not a query. Items are made only when a view asks. */
#define TRAJ_TYPE_PATIENT_LIST (traj_patient_list_get_type ())
G_DECLARE_FINAL_TYPE (TrajPatientList, traj_patient_list, TRAJ, PATIENT_LIST, GObject)

TrajPatientList *traj_patient_list_new          (void);
/* Replaces every row (takes ownership of @summaries: TrajPatientSummary*). */
void             traj_patient_list_set_patients (TrajPatientList   *self,
                                                 GPtrArray         *summaries);
/* Reloads from the store. */
gboolean         traj_patient_list_reload       (TrajPatientList   *self,
                                                 TrajStore         *store,
                                                 GError           **error);
/* Whether every patient's needs-attention state was computed with the
 * thresholds of fingerprint @rules and still holds at @now. */
gboolean         traj_patient_list_attention_current (TrajPatientList *self,
                                                      gint64           rules,
                                                      gint64           now);
/* Replaces or adds one patient's row (after an edit), or removes it when
 * @summary is NULL. Takes ownership of @summary. */
void             traj_patient_list_update       (TrajPatientList   *self,
                                                 gint64             patient_id,
                                                 TrajPatientSummary *summary);
void             traj_patient_list_set_search   (TrajPatientList   *self,
                                                 const char        *text);
void             traj_patient_list_set_filter   (TrajPatientList   *self,
                                                 TrajPatientFilter  filter);
/* Position in the filtered list, or -1. */
int              traj_patient_list_find         (TrajPatientList   *self,
                                                 gint64             patient_id);
guint            traj_patient_list_get_n_total  (TrajPatientList   *self);
/* Counts over all patients (not the filtered view). */
guint            traj_patient_list_count        (TrajPatientList   *self,
                                                 TrajPatientFilter  filter);
/* Counts of @filter's patients the search matches too. */
guint            traj_patient_list_count_matching (TrajPatientList   *self,
                                                   TrajPatientFilter  filter);
/* Whether a search narrows the list. */
gboolean         traj_patient_list_has_search   (TrajPatientList   *self);
/* Look up a summary by id among all patients. */
TrajPatientSummary *traj_patient_list_lookup    (TrajPatientList   *self,
                                                 gint64             patient_id);

G_END_DECLS
