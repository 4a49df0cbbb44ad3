/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* A banner across the top of a window while its clinic server cannot be
 * reached (the store's "connected" property): it says that the connection
 * is being tried again and that nothing being saved is lost, and goes by
 * itself once the server answers. Never shown on a clinic file. (AdwBanner
 * needs libadwaita 1.3: this is a revealer with a styled box.) */
#define TRAJ_TYPE_CONNECTION_BANNER (traj_connection_banner_get_type ())
G_DECLARE_FINAL_TYPE (TrajConnectionBanner, traj_connection_banner, TRAJ, CONNECTION_BANNER, GtkWidget)

GtkWidget *traj_connection_banner_new       (TrajStore *store);
void       traj_connection_banner_set_store (TrajConnectionBanner *self,
                                             TrajStore            *store);
/* Whether the banner is shown (or showing). */
gboolean   traj_connection_banner_get_shown (TrajConnectionBanner *self);

G_END_DECLS
