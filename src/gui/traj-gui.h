/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the GUI resources (templates, CSS, icons) once. Every template
 * widget calls it from class_init, so tests that build one widget alone
 * find its template too. */
void traj_gui_init (void);

G_END_DECLS
