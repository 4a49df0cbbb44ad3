/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The kiosk's on-screen keypad: ten digits, Clear and Delete, big enough for
 * a finger. Used for check-in codes and for the staff PIN, so a tablet needs
 * no system keyboard and no second window. */
#define TRAJ_TYPE_KEYPAD (traj_keypad_get_type ())
G_DECLARE_FINAL_TYPE (TrajKeypad, traj_keypad, TRAJ, KEYPAD, GtkWidget)

GtkWidget *traj_keypad_new        (void);
/* The button for @key ('0'–'9', 'C' clear, 'B' delete the last digit). */
GtkWidget *traj_keypad_get_button (TrajKeypad *self,
                                   char        key);

G_END_DECLS
