/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-cohort.h"

G_BEGIN_DECLS

/* Who an output of @report concerns, for traj_store_audit_output (): the
 * distinct patients of the courses in its cohorts, NULL-terminated, in
 * the order they first appear. */
GStrv traj_audit_cohort_patients (const TrajCohortReport *report);

G_END_DECLS
