/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* How long a notification that has just appeared ignores clicks and Escape. */
#define TRAJ_TOAST_GUARD_MS 600

/* Also keeps @overlay's content clear of its toasts: while a toast is on
 * screen, the content ends above it (a bottom margin as tall as the toast
 * with its own margin). */
void     traj_toast_guard_attach   (AdwToastOverlay *overlay);
gboolean traj_toast_guard_is_armed (AdwToastOverlay *overlay);
/* Dismisses @toast now, or once its guard time is over. */
void     traj_toast_guard_dismiss  (AdwToast        *toast);

G_END_DECLS
