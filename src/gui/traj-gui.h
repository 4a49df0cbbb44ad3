/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <gtk/gtk.h>

#include "traj-records.h"

G_BEGIN_DECLS

/* Registers the GUI resources (templates, CSS, icons) once. Every template
 * widget calls it from class_init, so tests that build one widget alone
 * find its template too. */
void traj_gui_init (void);

/* Where the app's resources live: AdwApplication loads `style.css` from
 * there and GtkApplication adds `icons/` to the icon theme. */
#define TRAJ_RESOURCE_BASE_PATH "/io/github/trajectory/Trajectory"

/* Does for @display what the application does at startup with
 * TRAJ_RESOURCE_BASE_PATH (the style sheet at application priority, the
 * icons on the icon theme), for a program that shows the app's widgets
 * without a TrajApplication: the GUI tests. Once per display. */
void traj_gui_load_app_style (GdkDisplay *display);

/* A string setting, or NULL without settings or when @settings' schema
 * has no such key (a test's or an older schema). */
char *traj_gui_settings_string (GSettings *settings, const char *key);

/* Takes @dialog off the screen for good and detaches it from the window it
 * is transient for, at once. Call it from a dialog's response handler
 * before destroying that window: GTK 4.8 keeps a transient dialog's pointer
 * to its parent after the parent is finalized, and the dialog, finalized
 * later, then touches freed memory ("instance with invalid class
 * pointer"). */
void traj_gui_dismiss (GtkWindow *dialog);

/* Keeps @button's tooltip off while its menu is open: GTK 4.8 leaves the
 * tooltip up, over the menu's first items. */
void traj_gui_menu_button_quiet_tooltip (GtkMenuButton *button);
/* Sets a status page's description to @text shown as it is: the
 * description is Pango markup, so a path or message with "&" or "<" would
 * show nothing (and warn). */
void traj_gui_status_page_set_text (GtkWidget *status_page, const char *text);

/* CLINICAL.md §8: a combo row of "Not given" and @indication's details,
 * with @code selected; hidden when the indication has none. */
void        traj_gui_detail_row_set (AdwComboRow    *row,
                                     TrajIndication  indication,
                                     const char     *code);
/* The detail chosen in a row filled for @indication: a code, or "". */
const char *traj_gui_detail_row_get (AdwComboRow    *row,
                                     TrajIndication  indication);

G_END_DECLS
