/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* Every change to a clinic file is audited with the clinician's name from
 * Preferences (on a server, the login names the person). A clinician trial
 * found every event of a first session recorded as "Not given": nothing had
 * asked. With no name yet, the clinician's window asks first. */

/* TRUE when @store is a clinic file and @settings hold no clinician name. */
gboolean   traj_clinician_prompt_needed (TrajStore *store,
                                         GSettings *settings);
/* A modal question over @parent: "Who Is Using Trajectory?", with an entry
 * for the name. Continue (on only once a name is typed) keeps it as the
 * clinician-name setting; Quit ("quit" response, also Escape and closing)
 * closes @parent, so nothing is written without a name. */
GtkWidget *traj_clinician_prompt_new    (GtkWindow *parent,
                                         GSettings *settings);

G_END_DECLS
