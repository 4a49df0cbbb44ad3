/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* The patient kiosk: fullscreen, check-in by code, one question per screen,
 * review, submit, thank-you; nothing of the patient stays on screen after
 * submit or two idle minutes, and only the staff PIN leaves it. */
#define TRAJ_TYPE_KIOSK_WINDOW (traj_kiosk_window_get_type ())
G_DECLARE_FINAL_TYPE (TrajKioskWindow, traj_kiosk_window, TRAJ, KIOSK_WINDOW, AdwWindow)

TrajKioskWindow *traj_kiosk_window_new            (GtkApplication  *app,
                                                   TrajStore       *store,
                                                   GSettings       *settings);
/* "Hand to patient": skip the code and start for @patient_id with @scales
 * (comma-separated scale codes). */
void             traj_kiosk_window_start_session  (TrajKioskWindow *self,
                                                   gint64           patient_id,
                                                   const char      *scales);
/* Name of the visible screen: "checkin", "birth", "welcome", "question",
 * "review", "safety", "thanks", "staff" or "no-pin". */
const char      *traj_kiosk_window_get_screen     (TrajKioskWindow *self);
/* Types one key on the keypad of the screen shown (check-in code, birth
 * date, staff PIN): '0'–'9', 'C' clear, 'B' back. */
void             traj_kiosk_window_press_key      (TrajKioskWindow *self,
                                                   char             key);
/* The message shown under the keypad ("" when none). */
const char      *traj_kiosk_window_get_message    (TrajKioskWindow *self);
/* Leaves the kiosk if @pin is the clinic's staff PIN (checked and counted
 * as on the keypad); also when the clinic has no PIN. */
gboolean         traj_kiosk_window_unlock         (TrajKioskWindow *self,
                                                   const char      *pin);
/* Overrides the kiosk-idle-seconds setting (0 = use the setting). */
void             traj_kiosk_window_set_idle_seconds (TrajKioskWindow *self,
                                                     guint            seconds);
/* The order the kiosk asks for the fields of a birth date, from the
 * locale's date format: "mdy", "dmy" or "ymd". */
const char      *traj_kiosk_birth_date_order      (void);
/* Runs what two idle minutes would (for tests and the idle timer). */
void             traj_kiosk_window_idle_timeout   (TrajKioskWindow *self);

G_END_DECLS
