/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-store.h"

G_BEGIN_DECLS

#define TRAJ_DEMO_DEFAULT_SEED 20261122u
#define TRAJ_DEMO_DEFAULT_PATIENTS 80
/* Changes whenever the generator's records change for the same seed, size and
 * anchor (a cached demo clinic made by another revision is stale). 2: plausible
 * blood pressures (systolic >= 90, pulse pressure >= 20). 3: time-ordered
 * (version 7) uids. 4: first names agree with the recorded sex. */
#define TRAJ_DEMO_REVISION 4

typedef void (*TrajProgressFunc) (double fraction, gpointer user_data);

typedef struct {
  guint patients;
  guint courses;
  guint infusions;
  guint vital_signs;
  guint assessments;
  guint items;
  guint medications;
} TrajDemoCounts;

/* Fills @store with a synthetic clinic of @n_patients generated from @seed,
 * with the last events on @anchor_day (usually today). The same seed, size
 * and anchor give identical records, uids included. One transaction: on
 * error or cancellation nothing is written. */
gboolean traj_demo_generate (TrajStore        *store,
                             guint32           seed,
                             guint             n_patients,
                             gint32            anchor_day,
                             TrajDemoCounts   *counts,
                             TrajProgressFunc  progress,
                             gpointer          progress_data,
                             GCancellable     *cancellable,
                             GError          **error);

G_END_DECLS
