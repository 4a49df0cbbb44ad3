/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-outcomes.h"

G_BEGIN_DECLS

/* An open finding above the patient's chart: what it is, its sentence, and
 * a button that activates "patient.decide-finding" with the finding's key. */
#define TRAJ_TYPE_FINDING_BANNER (traj_finding_banner_get_type ())
G_DECLARE_FINAL_TYPE (TrajFindingBanner, traj_finding_banner, TRAJ, FINDING_BANNER, GtkWidget)

GtkWidget  *traj_finding_banner_new         (void);
void        traj_finding_banner_set_finding (TrajFindingBanner *self,
                                             const TrajFinding *finding);

/* The icon of a finding of @kind, in its banner and in the Findings History. */
const char *traj_finding_icon_name          (TrajFindingKind    kind);

G_END_DECLS
