/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-keypad.h"
#include "traj-kiosk-window.h"
#include "traj-score-entry-private.h"

G_BEGIN_DECLS

/* The kiosk window is split in three files around this struct:
 * traj-kiosk-window.c (screens, the questionnaires, the session, staff exit),
 * traj-kiosk-secrets.c (what is typed on the keypads: the check-in code,
 * the birth date, the staff PIN; the clinic-wide waits after wrong ones)
 * and traj-kiosk-guard.c (the idle reset and its countdown; no other
 * window in front of the kiosk until staff unlock). */
struct _TrajKioskWindow
{
  AdwWindow parent_instance;

  TrajStore *store;
  GSettings *settings;

  /* The session: everything here is forgotten by kiosk_reset_session(). */
  gint64 checkin_id;             /* the code the session came from; 0 when handed over */
  gint64 patient_id;
  gint64 course_id;
  TrajTiming timing;
  char *first_name;
  GArray *scales;                /* TrajScaleId, in the order asked */
  guint scale_index;
  gboolean any_answer;           /* something typed since the scale started */
  TrajAssessment *draft;         /* the current questionnaire as saved, answer by answer */
  gboolean resumed;              /* the session took up answers a cut-off one had saved */
  gboolean safety;               /* a PHQ-9 of the session had item 9 > 0 */
  gboolean safety_shown;         /* the patient saw the message about it */
  gboolean kept_for_staff;       /* a submitted one was kept as a draft for staff */
  guint submitted;               /* questionnaires submitted this session */
  gboolean returning_to_review;

  /* Typed on the keypads (wiped when done with). */
  GString *code;
  GString *birth;
  GString *pin;
  char *screen_before_staff;
  GCancellable *checking;        /* a hash being derived in a thread */
  gboolean has_pin;
  gboolean made_kiosk;           /* this window made its store a kiosk's (kiosk_secrets_set_device) */
  gboolean pin_seen;             /* a PIN was set (or could not be read) since the kiosk
                                  * started: from then on only a verified PIN lets anyone out */

  /* Clinic-wide waits after wrong codes and PINs (Unix time, 0 = none). */
  gint64 code_locked_until;
  gint64 pin_locked_until;
  guint lock_timer;

  guint idle_timer;
  guint hold_timer;              /* telling the clinic this program still holds the session */
  guint lost_idle;               /* going back to check-in after the session was lost */
  guint signal_sources[3];
  guint still_there_seconds;     /* how long "Are you still there?" waits; 0 = not asked */
  guint still_there_left;
  guint thanks_timer;
  guint advance_timer;
  gboolean unlocked;
  gboolean was_fullscreen;        /* shown fullscreen once: keep it so */
  guint represent_idle;           /* putting the kiosk back in front */
  gboolean was_focused;           /* had the keyboard once */
  guint refocus_timer;            /* the kiosk lost the keyboard: take it back */
  guint idle_seconds;            /* 0 = from settings */
  guint guard_idle;
  gulong toplevels_id;

  TrajScoreEntry *entry;

  GtkStack *stack;
  GtkWidget *staff_button;
  GtkLabel *code_label;
  GtkLabel *message_label;
  GtkLabel *code_wait_label;
  TrajKeypad *keypad;
  GtkLabel *birth_label;
  GtkToggleButton *birth_show_button;
  GtkLabel *birth_hint_label;
  GtkLabel *birth_message_label;
  TrajKeypad *birth_keypad;
  GtkWidget *birth_back_button;
  GtkLabel *hello_label;
  GtkLabel *intro_label;
  GtkWidget *start_button;
  GtkWidget *not_you_button;
  GtkToggleButton *large_text_button;
  GtkWidget *still_there;
  GtkLabel *still_there_label;
  GtkWidget *still_there_button;
  GtkLabel *scale_label;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
  GtkLabel *stem_label;
  GtkWidget *entry_bin;
  GtkWidget *back_button;
  GtkWidget *next_button;
  GtkLabel *review_title;
  GtkListBox *review_list;
  GtkWidget *review_back_button;
  GtkWidget *submit_button;
  GtkLabel *safety_title;
  GtkLabel *safety_label;
  GtkWidget *safety_done_button;
  AdwStatusPage *thanks_page;
  GtkWidget *no_pin_quit_button;
  GtkLabel *pin_label;
  GtkLabel *pin_message_label;
  GtkLabel *pin_wait_label;
  TrajKeypad *pin_keypad;
  GtkWidget *pin_cancel_button;
  GtkWidget *pin_leave_button;
};

/* traj-kiosk-window.c */
void     kiosk_show_screen       (TrajKioskWindow *self,
                                  const char      *name);
void     kiosk_back_to_checkin   (TrajKioskWindow *self);
/* Starts the questionnaires of @patient_id (from check-in @checkin_id, or
 * 0 when a clinician handed the device over). */
void     kiosk_begin_session     (TrajKioskWindow *self,
                                  gint64           checkin_id,
                                  gint64           patient_id,
                                  const char      *scales);
/* Keeps what was answered as a draft, forgets the patient, closes. */
void     kiosk_leave             (TrajKioskWindow *self);
TrajTiming kiosk_timing          (const TrajPatientRecords *r,
                                  gint64           now);

/* traj-kiosk-guard.c */
/* Watches for input (which restarts the idle time) and for other windows. */
void     kiosk_guard_init        (TrajKioskWindow *self);
void     kiosk_guard_dispose     (TrajKioskWindow *self);
/* Starts the idle time over, by the screen shown; none where nothing of a
 * patient is on screen. */
void     kiosk_restart_idle      (TrajKioskWindow *self);

/* traj-kiosk-secrets.c */
void     kiosk_secrets_init      (TrajKioskWindow *self);
void     kiosk_secrets_dispose   (TrajKioskWindow *self);
void     kiosk_secrets_finalize  (TrajKioskWindow *self);
/* Forgets what was typed and stops a check in progress. */
void     kiosk_secrets_reset     (TrajKioskWindow *self);
/* Reads the clinic's PIN and waits again (showing the check-in screen). */
void     kiosk_secrets_refresh   (TrajKioskWindow *self);
void     kiosk_secrets_set_device (TrajKioskWindow *self);
void     kiosk_show_staff_page   (TrajKioskWindow *self);
void     kiosk_press_key         (TrajKioskWindow *self,
                                  char             key);
void     kiosk_pin_leave         (TrajKioskWindow *self);

G_END_DECLS
