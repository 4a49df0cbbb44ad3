/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>

#include "traj-gui.h"
#include "traj-kiosk-window-private.h"
#include "traj-secret.h"

G_DEFINE_FINAL_TYPE (TrajKioskWindow, traj_kiosk_window, ADW_TYPE_WINDOW)

enum {
  UNLOCKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


/* ---- session ------------------------------------------------------------ */

static void
set_message (TrajKioskWindow *self, const char *message)
{
  gtk_label_set_label (self->message_label, message ? message : "");
}

/* Forgets everything about the patient: nothing of them stays on screen. */
static void
reset_session (TrajKioskWindow *self)
{
  GtkWidget *row;

  self->patient_id = 0;
  self->course_id = 0;
  g_clear_pointer (&self->first_name, g_free);
  g_array_set_size (self->scales, 0);
  self->scale_index = 0;
  self->any_answer = FALSE;
  g_clear_pointer (&self->draft, traj_assessment_free);
  self->resumed = FALSE;
  self->safety = FALSE;
  self->safety_shown = FALSE;
  self->kept_for_staff = FALSE;
  self->submitted = 0;
  self->returning_to_review = FALSE;
  self->checkin_id = 0;
  g_clear_handle_id (&self->hold_timer, g_source_remove);
  kiosk_secrets_reset (self);
  g_clear_handle_id (&self->thanks_timer, g_source_remove);
  g_clear_handle_id (&self->advance_timer, g_source_remove);
  gtk_label_set_label (self->hello_label, "");
  gtk_label_set_label (self->intro_label, "");
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->review_list))))
    gtk_list_box_remove (self->review_list, row);
  if (self->entry)
    {
      gtk_box_remove (GTK_BOX (self->entry_bin), GTK_WIDGET (self->entry));
      self->entry = NULL;
    }
}

static void update_welcome (TrajKioskWindow *self);

static TrajScaleId
current_scale (TrajKioskWindow *self)
{
  return self->scale_index < self->scales->len ? g_array_index (self->scales, TrajScaleId, self->scale_index)
                                               : TRAJ_SCALE_NONE;
}

/* The current questionnaire as the patient left it: the answers, and the
 * record it amends once saved. */
static TrajAssessment *
current_answers (TrajKioskWindow *self)
{
  TrajAssessment *a = traj_assessment_new (current_scale (self));

  a->patient_id = self->patient_id;
  a->course_id = self->course_id;
  a->taken_at = traj_time_now ();
  a->source = TRAJ_SOURCE_TABLET;
  a->timing = self->timing;
  traj_score_entry_get_values (self->entry, a->items);
  a->difficulty = traj_score_entry_get_difficulty (self->entry);
  if (self->draft)
    {
      a->id = self->draft->id;
      a->uid = g_strdup (self->draft->uid);
    }
  return a;
}

/* Another program of this tablet carries on with the session (this one
 * froze, and the patient typed the code again elsewhere), or staff ended
 * it: nothing more is saved from here, and nothing of the patient stays. */
static gboolean
session_lost_done (gpointer data)
{
  TrajKioskWindow *self = data;

  self->lost_idle = 0;
  self->checkin_id = 0;
  kiosk_back_to_checkin (self);
  set_message (self, _("This check-in carried on on another screen, so nothing more is saved here. "
                       "Please ask a member of staff."));
  return G_SOURCE_REMOVE;
}

/* TRUE when @error says this program no longer holds the session; the
 * kiosk then goes back to check-in (from an idle: @error may come from a
 * tap on the screen that is about to go). */
static gboolean
session_lost (TrajKioskWindow *self, const GError *error)
{
  if (self->checkin_id == 0 || !g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_PERMISSION))
    return FALSE;
  g_message ("The tablet check-in is no longer this kiosk's: %s", error->message);
  g_clear_handle_id (&self->hold_timer, g_source_remove);
  if (self->lost_idle == 0)
    self->lost_idle = g_idle_add (session_lost_done, self);
  return TRUE;
}

static gboolean
hold_tick (gpointer data)
{
  TrajKioskWindow *self = data;
  g_autoptr(GError) error = NULL;

  if (!traj_store_hold_checkin (self->store, self->checkin_id, &error) && !session_lost (self, error))
    /* The server away for a moment: the next tick tries again. */
    g_message ("Could not tell the clinic that this tablet still has its check-in: %s", error->message);
  return self->hold_timer ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Saves what the patient answered of the current questionnaire as a draft,
 * at every answer, in one transaction: a tablet killed, crashed or switched
 * off loses nothing, and the same code on the same tablet carries on
 * (CLINICAL.md §1: an interrupted kiosk session is kept as a draft, never
 * scored; a PHQ-9 item 9 answer in it reaches a clinician at once). */
static void
save_draft (TrajKioskWindow *self)
{
  g_autoptr(TrajAssessment) a = NULL;
  g_autoptr(GError) error = NULL;
  gboolean saved;

  if (self->entry == NULL || !self->any_answer || self->patient_id == 0 ||
      traj_score_entry_get_n_answered (self->entry) == 0)
    return;
  a = current_answers (self);
  /* Only Submit makes a tablet questionnaire complete (issue 12): one
   * answered to the end and left unsubmitted is a draft too. */
  a->draft = TRUE;
  a->notes = g_strdup (_("Interrupted on the tablet before it was submitted."));
  saved = a->id > 0 ? traj_store_update_assessment (self->store, a, &error)
                    : traj_store_insert_assessment (self->store, a, &error);
  if (!saved)
    {
      if (!session_lost (self, error))
        g_message ("Could not keep the unfinished questionnaire as a draft: %s", error->message);
      return;
    }
  g_clear_pointer (&self->draft, traj_assessment_free);
  self->draft = g_steal_pointer (&a);
}

/* The session is over: its code cannot be taken up again. */
static void
end_checkin (TrajKioskWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->checkin_id > 0 && !traj_store_end_checkin (self->store, self->checkin_id, &error))
    g_message ("Could not close the tablet check-in: %s", error->message);
}

void
kiosk_back_to_checkin (TrajKioskWindow *self)
{
  reset_session (self);
  /* The next patient starts with the usual text size. */
  gtk_toggle_button_set_active (self->large_text_button, FALSE);
  set_message (self, NULL);
  kiosk_secrets_refresh (self);
  kiosk_show_screen (self, self->has_pin ? "checkin" : "no-pin");
}

/* ---- screens ---------------------------------------------------------------- */

void
kiosk_show_screen (TrajKioskWindow *self, const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  kiosk_restart_idle (self);
}

/* Keyboard users land on the first answer of each new question. */
static void
focus_answers (TrajKioskWindow *self)
{
  guint cur = traj_score_entry_get_current_item (self->entry);
  int values[TRAJ_MAX_ITEMS];
  GtkWidget *button;

  traj_score_entry_get_values (self->entry, values);
  button = traj_score_entry_get_answer_button (self->entry, cur,
                                               cur < TRAJ_MAX_ITEMS && values[cur] >= 0 ? values[cur] : 0);
  if (button == NULL)
    button = traj_score_entry_get_answer_button (self->entry, cur, 0);
  if (button)
    gtk_widget_grab_focus (button);
}

static void
update_question (TrajKioskWindow *self)
{
  const TrajScale *scale = traj_scale_get (current_scale (self));
  guint n = traj_score_entry_get_n_items (self->entry);
  guint cur = traj_score_entry_get_current_item (self->entry);
  /* The optional difficulty question is not one of the "n of 9". */
  guint scored = scale->n_items > 0 ? scale->n_items : n;
  g_autofree char *progress = cur < scored ? g_strdup_printf (_("%u of %u"), cur + 1, scored)
                                           : g_strdup (_("Optional question"));
  g_autofree char *title = NULL;
  int values[TRAJ_MAX_ITEMS];
  gboolean answered;

  if (self->scales->len > 1)
    title = g_strdup_printf (_("Questionnaire %u of %u"), self->scale_index + 1, self->scales->len);
  else
    title = g_strdup (_("Questionnaire"));
  gtk_label_set_label (self->scale_label, title);
  gtk_label_set_label (self->progress_label, progress);
  gtk_progress_bar_set_fraction (self->progress_bar, MIN ((double) (cur + 1) / scored, 1.0));
  /* The score entry shows the instrument's own instruction above each item. */
  gtk_widget_set_visible (GTK_WIDGET (self->stem_label), FALSE);

  traj_score_entry_get_values (self->entry, values);
  if (cur < scale->n_items)
    answered = values[cur] >= 0;
  else
    answered = TRUE;           /* the optional difficulty question */
  gtk_widget_set_sensitive (self->next_button, answered);
  /* Come from the review's Change: the button goes back there, and says so. */
  gtk_button_set_label (GTK_BUTTON (self->next_button),
                        self->returning_to_review ? _("Back to Review")
                        : cur + 1 >= n ? _("Review Answers") : cur >= scale->n_items ? _("Skip or Continue") : _("Next"));
}

static void on_item_answered (TrajScoreEntry *entry, guint item, TrajKioskWindow *self);
static void show_safety (TrajKioskWindow *self, gboolean more_to_answer);

static void
start_scale (TrajKioskWindow *self)
{
  GtkWidget *entry = traj_score_entry_new ();

  if (self->entry)
    gtk_box_remove (GTK_BOX (self->entry_bin), GTK_WIDGET (self->entry));
  self->entry = TRAJ_SCORE_ENTRY (entry);
  traj_score_entry_set_layout (self->entry, TRAJ_SCORE_ENTRY_SINGLE);
  traj_score_entry_set_show_total (self->entry, FALSE);
  traj_score_entry_set_scale (self->entry, current_scale (self));
  traj_score_entry_set_current_item (self->entry, 0);
  self->any_answer = FALSE;
  self->returning_to_review = FALSE;
  if (self->draft && self->draft->scale == current_scale (self))
    {
      /* Taken up again after the tablet was cut off: the answers given,
       * and the first question without one. */
      guint n = traj_score_entry_get_n_items (self->entry);
      guint first = 0;

      traj_score_entry_set_values (self->entry, self->draft->items, traj_scale_get (self->draft->scale)->n_items);
      traj_score_entry_set_difficulty (self->entry, self->draft->difficulty);
      while (first + 1 < n && first < TRAJ_MAX_ITEMS && self->draft->items[first] >= 0)
        first++;
      traj_score_entry_set_current_item (self->entry, first);
      self->any_answer = TRUE;
    }
  else
    g_clear_pointer (&self->draft, traj_assessment_free);
  gtk_box_append (GTK_BOX (self->entry_bin), entry);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (update_question), self);
  g_signal_connect (entry, "item-answered", G_CALLBACK (on_item_answered), self);
  update_question (self);
  kiosk_show_screen (self, "question");
  focus_answers (self);
}

static char *
answer_text (const TrajScale *scale, guint item, int value)
{
  const TrajExtraItem *difficulty = traj_scale_phq9_difficulty ();

  if (value < 0)
    return g_strdup (_("Not answered"));
  if (item >= scale->n_items)
    return g_strdup (_(difficulty->answers[value].label));
  if (scale->n_answers > 0)
    for (guint k = 0; k < scale->n_answers; k++)
      if (scale->answers[k].value == value)
        return g_strdup (_(scale->answers[k].label));
  return g_strdup_printf ("%d", value);
}

static void
on_change_clicked (GtkButton *button, TrajKioskWindow *self)
{
  guint item = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "item"));

  self->returning_to_review = TRUE;
  traj_score_entry_set_current_item (self->entry, item);
  update_question (self);
  kiosk_show_screen (self, "question");
  focus_answers (self);
}

static void
show_review (TrajKioskWindow *self)
{
  const TrajScale *scale = traj_scale_get (current_scale (self));
  int values[TRAJ_MAX_ITEMS];
  GtkWidget *row;
  guint n = traj_score_entry_get_n_items (self->entry);

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->review_list))))
    gtk_list_box_remove (self->review_list, row);
  traj_score_entry_get_values (self->entry, values);

  for (guint k = 0; k < n; k++)
    {
      gboolean difficulty = k >= scale->n_items;
      const char *question = difficulty ? _(traj_scale_phq9_difficulty ()->text) : _(scale->items[k].text);
      int value = difficulty ? traj_score_entry_get_difficulty (self->entry) : values[k];
      g_autofree char *answer = answer_text (scale, k, value);
      g_autofree char *title = g_markup_escape_text (question, -1);
      /* Translators: the optional PHQ-9 difficulty question in the review */
      g_autofree char *numbered = difficulty ? g_strdup_printf (_("Optional: %s"), title)
                                             : g_strdup_printf ("%u. %s", k + 1, title);
      g_autofree char *change_label = g_strdup_printf (_("Change answer %u"), k + 1);
      GtkWidget *change = gtk_button_new_with_label (_("Change"));

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), numbered);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), answer);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (row, "kiosk-review-row");
      gtk_widget_set_valign (change, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (change), GTK_ACCESSIBLE_PROPERTY_LABEL, change_label, -1);
      g_object_set_data (G_OBJECT (change), "item", GUINT_TO_POINTER (k));
      g_signal_connect (change, "clicked", G_CALLBACK (on_change_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), change);
      gtk_list_box_append (self->review_list, row);
    }
  gtk_label_set_label (self->review_title, _("Your Answers"));
  gtk_button_set_label (GTK_BUTTON (self->submit_button),
                        self->scale_index + 1 < self->scales->len ? _("Submit and Continue") : _("Submit"));
  gtk_widget_set_sensitive (self->submit_button, traj_score_entry_is_complete (self->entry));
  self->returning_to_review = FALSE;
  kiosk_show_screen (self, "review");
  if (gtk_widget_get_sensitive (self->submit_button))
    gtk_widget_grab_focus (self->submit_button);
}

static void
advance (TrajKioskWindow *self)
{
  guint cur = traj_score_entry_get_current_item (self->entry);
  guint n = traj_score_entry_get_n_items (self->entry);

  if (self->returning_to_review || cur + 1 >= n)
    show_review (self);
  else
    {
      traj_score_entry_set_current_item (self->entry, cur + 1);
      update_question (self);
      focus_answers (self);
      kiosk_restart_idle (self);
    }
}

static gboolean
advance_later (gpointer data)
{
  TrajKioskWindow *self = data;

  self->advance_timer = 0;
  advance (self);
  return G_SOURCE_REMOVE;
}

static void
on_item_answered (TrajScoreEntry  *entry,
                  guint            item,
                  TrajKioskWindow *self)
{
  self->any_answer = TRUE;
  save_draft (self);
  g_clear_handle_id (&self->advance_timer, g_source_remove);
  {
    int values[TRAJ_MAX_ITEMS];

    traj_score_entry_get_values (entry, values);
    if (traj_scale_safety_answer (current_scale (self), values) > 0)
      {
        self->safety = TRUE;
        /* At once, not after the last questionnaire: the clinician is
         * alerted now (the answer is saved), and a patient who walks
         * away still saw it. Once a session. */
        if (!self->safety_shown)
          {
            show_safety (self, TRUE);
            return;
          }
      }
  }
  /* A short pause so the patient sees their choice land before moving on. */
  self->advance_timer = g_timeout_add (350, advance_later, self);
}

static void
on_next_clicked (TrajKioskWindow *self)
{
  g_clear_handle_id (&self->advance_timer, g_source_remove);
  advance (self);
}

static void
on_back_clicked (TrajKioskWindow *self)
{
  guint cur = traj_score_entry_get_current_item (self->entry);

  g_clear_handle_id (&self->advance_timer, g_source_remove);
  if (self->returning_to_review)
    {
      /* A question opened from the review's Change: Back goes back there
       * too (a trial: it went to the welcome screen, and Start then showed
       * question 1 still saying "Back to Review", so the next tap on that
       * spot submitted without the review). */
      show_review (self);
      kiosk_restart_idle (self);
    }
  else if (cur > 0)
    {
      traj_score_entry_set_current_item (self->entry, cur - 1);
      update_question (self);
      focus_answers (self);
      kiosk_restart_idle (self);
    }
  else
    {
      /* The first question of any questionnaire: back to the welcome
       * screen; Start comes back here with the answers kept (a
       * questionnaire already submitted is not asked again). */
      update_welcome (self);
      kiosk_show_screen (self, "welcome");
      gtk_widget_grab_focus (self->start_button);
    }
}

/* Continue after the message mid-questionnaire; Done at the end. */
static void
on_safety_done (TrajKioskWindow *self)
{
  if (self->entry == NULL || self->patient_id == 0)
    {
      kiosk_back_to_checkin (self);
      return;
    }
  kiosk_show_screen (self, "question");
  advance (self);
  if (g_str_equal (traj_kiosk_window_get_screen (self), "question"))
    focus_answers (self);
}

static void
on_review_back_clicked (TrajKioskWindow *self)
{
  traj_score_entry_set_current_item (self->entry, traj_score_entry_get_n_items (self->entry) - 1);
  update_question (self);
  kiosk_show_screen (self, "question");
}

static gboolean
thanks_done (gpointer data)
{
  TrajKioskWindow *self = data;

  self->thanks_timer = 0;
  kiosk_back_to_checkin (self);
  return G_SOURCE_REMOVE;
}

/* CLINICAL.md §4: after a PHQ-9 item 9 answer above 0, a calm message that
 * someone from the care team will talk with the patient, and the crisis
 * line; never a score. It names the treatment only when one is booked later
 * today (the kiosk's timing says so), else the visit. */
static void
show_safety (TrajKioskWindow *self, gboolean more_to_answer)
{
  const char *who, *next;
  g_autofree char *text = NULL;

  if (self->timing == TRAJ_TIMING_PRE)
    who = _("A member of our care team would like to talk with you before your treatment today.");
  else if (self->timing == TRAJ_TIMING_POST)
    who = _("A member of our care team would like to talk with you before you leave today.");
  else
    who = _("A member of our care team would like to talk with you today.");
  /* Mid-way the patient is not told they have finished (a trial: patients
   * stopped there with questions left). */
  next = more_to_answer ? _("You can carry on with the questions — someone will come to you.")
                        : _("Please stay here or let the staff know you have finished — someone will come to you.");
  /* Translators: two sentences of the kiosk's safety message, in order */
  text = g_strdup_printf (_("%s %s"), who, next);
  gtk_label_set_label (self->safety_title, more_to_answer ? _("Thank you for telling us")
                                                          : _("Thank you for your answers"));
  gtk_label_set_label (self->safety_label, text);
  gtk_button_set_label (GTK_BUTTON (self->safety_done_button), more_to_answer ? _("Continue") : _("Done"));
  self->safety_shown = TRUE;
  kiosk_show_screen (self, "safety");
  gtk_widget_grab_focus (self->safety_done_button);
}

static void
finish (TrajKioskWindow *self)
{
  end_checkin (self);
  if (self->safety)
    {
      /* The clinician sees the finding at once (the store's changed signal
       * reaches every window); the patient sees a calm message, no scores,
       * again as they finish. */
      show_safety (self, FALSE);
      reset_session (self);
      return;
    }
  adw_status_page_set_description (self->thanks_page,
                                   self->kept_for_staff
                                   ? _("Your answers have been saved. A member of staff will look over them with you. "
                                       "Please hand the tablet back to them.")
                                   : _("Your answers have been saved. Please hand the tablet back to a member of staff."));
  reset_session (self);
  kiosk_show_screen (self, "thanks");
  self->thanks_timer = g_timeout_add_seconds (self->settings ? (guint) g_settings_get_int (self->settings, "kiosk-thanks-seconds") : 10,
                                              thanks_done, self);
}

/* A complete questionnaire of the same scale was recorded for the patient in
 * this minute (entered by staff meanwhile, or a second code for the same
 * questionnaire): the store refuses a probable duplicate (CLINICAL.md §7).
 * What the patient answered is not lost: it is kept as a draft with a note
 * that staff see on the patient's page (its item 9 still raises the safety
 * finding), and the patient is told that staff will look at the answers.
 * TRUE, clearing @error, when kept. */
static gboolean
keep_duplicate (TrajKioskWindow *self, TrajAssessment *a, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_error_matches (*error, TRAJ_ERROR, TRAJ_ERROR_DUPLICATE_ASSESSMENT))
    return FALSE;
  a->draft = TRUE;
  a->complete = FALSE;
  g_free (a->notes);
  a->notes = g_strdup (_("Submitted on the tablet, but a complete questionnaire of this scale was already "
                         "recorded in the same minute: kept unscored for staff to compare with it."));
  if (!(a->id > 0 ? traj_store_update_assessment (self->store, a, &local)
                  : traj_store_insert_assessment (self->store, a, &local)))
    {
      g_message ("Could not keep the tablet questionnaire as a draft: %s", local->message);
      return FALSE;
    }
  g_clear_error (error);
  self->kept_for_staff = TRUE;
  return TRUE;
}

static void
on_submit_clicked (TrajKioskWindow *self)
{
  g_autoptr(TrajAssessment) a = NULL;
  g_autoptr(GError) error = NULL;
  gboolean saved;

  if (!traj_score_entry_is_complete (self->entry))
    return;
  /* The draft saved answer by answer becomes the submitted questionnaire. */
  a = current_answers (self);
  saved = a->id > 0 ? traj_store_update_assessment (self->store, a, &error)
                    : traj_store_insert_assessment (self->store, a, &error);
  if (!saved && session_lost (self, error))
    return;
  if (!saved && !keep_duplicate (self, a, &error))
    {
      /* Never a raw error on the patient's screen; the answers stay on the
       * screen (and become a draft if the session ends). */
      g_message ("Could not save the tablet questionnaire: %s", error->message);
      gtk_label_set_label (self->review_title, _("Your answers could not be saved. Please ask a member of staff for help."));
      return;
    }
  if (traj_scale_safety_answer (a->scale, a->items) > 0)
    self->safety = TRUE;
  self->any_answer = FALSE;
  g_clear_pointer (&self->draft, traj_assessment_free);
  self->submitted++;

  self->scale_index++;
  if (self->scale_index < self->scales->len)
    start_scale (self);
  else
    finish (self);
}

/* ---- check-in ------------------------------------------------------------------ */

/* "Not you?" only while nothing of the session was submitted, and never
 * once a safety answer was given: it stays in the record for a clinician
 * (CLINICAL.md §4), whoever gave it. */
static void
update_welcome (TrajKioskWindow *self)
{
  gtk_widget_set_visible (self->not_you_button, self->submitted == 0 && !self->resumed && !self->safety);
}

/* When the answers are given, against the patient's infusions: within 12
 * hours after one started, after it; before one recorded later the same
 * day, before it; otherwise between infusions (never "before infusion" on
 * a day with no infusion). */
TrajTiming
kiosk_timing (const TrajPatientRecords *r, gint64 now)
{
  gint32 today = traj_day_from_time (now);
  TrajTiming timing = TRAJ_TIMING_BETWEEN;

  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      gint64 since = now - i->started_at;

      if (i->deleted_at)
        continue;
      if (since >= 0 && since < 12 * 3600)
        return TRAJ_TIMING_POST;
      if (since < 0 && traj_day_from_time (i->started_at) == today)
        timing = TRAJ_TIMING_PRE;
    }
  return timing;
}

/* The same code typed again on the tablet whose session was cut off (killed,
 * crashed, switched off): the questionnaires already submitted are not
 * asked again and the draft of the next one carries on. FALSE when nothing
 * is left to ask (the session is then finished). */
static gboolean
take_up_answers (TrajKioskWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) answers = traj_store_checkin_answers (self->store, self->checkin_id, &error);

  if (answers == NULL)
    {
      g_message ("Could not read what the session answered: %s", error->message);
      return TRUE;
    }
  while (self->scale_index < self->scales->len)
    {
      const TrajAssessment *done = NULL, *draft = NULL;

      for (guint k = 0; k < answers->len; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (answers, k);

          if (a->scale != current_scale (self))
            continue;
          if (a->complete)
            done = a;
          else
            draft = a;
        }
      if (done == NULL)
        {
          if (draft)
            self->draft = traj_assessment_copy (draft);
          if (draft && traj_assessment_safety_answer (draft) > 0)
            self->safety = self->safety_shown = TRUE;
          break;
        }
      if (traj_assessment_safety_answer (done) > 0)
        self->safety = self->safety_shown = TRUE;
      self->submitted++;
      self->scale_index++;
    }
  self->resumed = self->submitted > 0 || self->draft != NULL;
  if (self->scale_index >= self->scales->len)
    {
      finish (self);
      return FALSE;
    }
  return TRUE;
}

void
kiosk_begin_session (TrajKioskWindow *self, gint64 checkin_id, gint64 patient_id, const char *scales)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (self->store, patient_id, &error);
  g_auto(GStrv) codes = NULL;
  const TrajCourse *course;
  g_autofree char *hello = NULL, *intro = NULL;

  reset_session (self);
  if (r == NULL)
    {
      g_warning ("Check-in for a patient that cannot be read: %s", error->message);
      set_message (self, _("Something went wrong. Please ask a member of staff."));
      kiosk_show_screen (self, "checkin");
      return;
    }
  self->checkin_id = checkin_id;
  self->patient_id = patient_id;
  course = traj_patient_records_current_course (r);
  self->course_id = course && course->status != TRAJ_COURSE_ENDED ? course->id : 0;
  self->timing = kiosk_timing (r, traj_time_now ());
  {
    g_auto(GStrv) parts = g_strsplit (r->patient->name, " ", 2);
    self->first_name = g_strdup (parts[0] ? parts[0] : "");
  }
  codes = g_strsplit (scales ? scales : "", ",", -1);
  for (guint k = 0; codes[k]; k++)
    {
      const TrajScale *scale = traj_scale_lookup (g_strstrip (codes[k]));
      /* Clinician-rated totals are never asked of the patient. */
      if (traj_scale_is_patient_facing (scale))
        g_array_append_val (self->scales, scale->id);
    }
  if (self->scales->len == 0)
    {
      TrajScaleId id = course ? course->primary_scale : TRAJ_SCALE_PHQ9;
      if (!traj_scale_is_patient_facing (traj_scale_get (id)))
        id = TRAJ_SCALE_PHQ9;
      g_array_append_val (self->scales, id);
    }

  if (checkin_id > 0 && !take_up_answers (self))
    return;
  if (checkin_id > 0)
    self->hold_timer = g_timeout_add_seconds (TRAJ_KIOSK_HOLD_SECONDS, hold_tick, self);

  /* Translators: the kiosk greets the patient by first name only */
  hello = g_strdup_printf (_("Hello, %s"), self->first_name);
  if (self->resumed)
    intro = g_strdup (_("Your answers so far are kept. Tap Start to carry on where you left off."));
  else
    intro = g_strdup_printf (ngettext ("You have %u short questionnaire today, one question at a time. There are no right or wrong answers; choose what fits best.",
                                       "You have %u short questionnaires today, one question at a time. There are no right or wrong answers; choose what fits best.",
                                       self->scales->len), self->scales->len);
  gtk_label_set_label (self->hello_label, hello);
  gtk_label_set_label (self->intro_label, intro);
  update_welcome (self);
  kiosk_show_screen (self, "welcome");
  gtk_widget_grab_focus (self->start_button);
}

void
traj_kiosk_window_press_key (TrajKioskWindow *self,
                             char             key)
{
  g_return_if_fail (TRAJ_IS_KIOSK_WINDOW (self));
  kiosk_press_key (self, key);
}

/* Keys that would reach anything beyond the kiosk's own screens on a
 * desktop: every shortcut with Ctrl, Alt or Super (Ctrl+Shift+I/D open the
 * GTK Inspector, Ctrl+Q quits, Alt+F4 closes), the function keys (F1 help,
 * F10 menus), Escape and the context-menu key. */
static gboolean
is_escape_key (guint keyval, GdkModifierType state)
{
  return (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_HYPER_MASK | GDK_META_MASK)) ||
         keyval == GDK_KEY_Escape || keyval == GDK_KEY_Menu ||
         (keyval >= GDK_KEY_F1 && keyval <= GDK_KEY_F35);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TrajKioskWindow       *self)
{
  guint32 c = gdk_keyval_to_unicode (keyval);
  const char *screen = traj_kiosk_window_get_screen (self);

  kiosk_restart_idle (self);
  /* Swallowed in kiosk mode, whatever has the focus: plain keys still reach
   * the widgets so a keyboard alone can answer. */
  if (is_escape_key (keyval, state))
    return TRUE;
  if (g_str_equal (screen, "checkin") || g_str_equal (screen, "birth") || g_str_equal (screen, "staff"))
    {
      if (c >= '0' && c <= '9')
        {
          traj_kiosk_window_press_key (self, (char) c);
          return TRUE;
        }
      if (keyval == GDK_KEY_BackSpace)
        {
          traj_kiosk_window_press_key (self, 'B');
          return TRUE;
        }
      if (g_str_equal (screen, "staff") && (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter))
        {
          kiosk_pin_leave (self);
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- idle --------------------------------------------------------------------- */

static void
on_large_text_toggled (TrajKioskWindow *self)
{
  /* For the rest of this session; the next patient starts at the usual size. */
  if (gtk_toggle_button_get_active (self->large_text_button))
    gtk_widget_add_css_class (GTK_WIDGET (self), "large-text");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "large-text");
}

void
traj_kiosk_window_idle_timeout (TrajKioskWindow *self)
{
  g_return_if_fail (TRAJ_IS_KIOSK_WINDOW (self));

  /* Checked in, then left before a single answer: as "Not you?", the code
   * is given back, so staff need not make a new one (found by a trial). */
  if (self->submitted == 0 && !self->any_answer && !self->resumed && self->checkin_id > 0)
    {
      g_autoptr(GError) error = NULL;

      if (!traj_store_release_checkin (self->store, self->checkin_id, &error))
        g_message ("Could not give the check-in code back: %s", error->message);
    }
  else
    {
      save_draft (self);
      end_checkin (self);
    }
  kiosk_back_to_checkin (self);
}

/* ---- staff exit ------------------------------------------------------------------ */

/* Staff are leaving: what was answered is kept as a draft, nothing of the
 * patient stays, and the kiosk closes. */
void
kiosk_leave (TrajKioskWindow *self)
{
  save_draft (self);
  end_checkin (self);
  reset_session (self);
  self->unlocked = TRUE;
  g_signal_emit (self, signals[UNLOCKED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
traj_kiosk_window_unlock (TrajKioskWindow *self,
                          const char      *pin)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (TRAJ_IS_KIOSK_WINDOW (self), FALSE);

  kiosk_secrets_refresh (self);
  /* Without a PIN only a kiosk that never had one (nothing started, the
   * "not set up" screen) may close; once a PIN was seen, only that PIN, or
   * a new one, opens it: a PIN removed or unreadable meanwhile is no way out. */
  if ((self->has_pin || self->pin_seen) &&
      (pin == NULL || !traj_store_verify_staff_pin (self->store, pin, NULL, &error)))
    return FALSE;
  kiosk_leave (self);
  return TRUE;
}

static gboolean
traj_kiosk_window_close_request (GtkWindow *window)
{
  TrajKioskWindow *self = TRAJ_KIOSK_WINDOW (window);

  /* Alt+F4, a window manager's close button, a session's close request:
   * refused until staff unlock (or there is no PIN to protect anything). */
  if (!self->unlocked && (self->has_pin || self->pin_seen))
    return TRUE;
  return GTK_WINDOW_CLASS (traj_kiosk_window_parent_class)->close_request (window);
}

/* GtkWindow's Ctrl+Shift+I and Ctrl+Shift+D open the GTK Inspector (when the
 * user's GTK settings allow it, the default): never from the kiosk. */
static gboolean
traj_kiosk_window_enable_debugging (GtkWindow *window,
                                    gboolean   toggle)
{
  return TRUE;
}

/* A tablet shut down, rebooted or stopped by its session (SIGTERM, SIGHUP,
 * SIGINT) keeps what the patient answered as a draft, as the idle reset
 * does, then the app ends: a trial lost a PHQ-9 with item 9 answered this
 * way. */
static gboolean
on_terminate (gpointer data)
{
  TrajKioskWindow *self = data;
  GApplication *app = g_application_get_default ();

  save_draft (self);
  self->any_answer = FALSE;
  if (app != NULL)
    g_application_quit (app);
  return G_SOURCE_CONTINUE;
}

/* ---- GObject ---------------------------------------------------------------------- */

static void
traj_kiosk_window_dispose (GObject *object)
{
  TrajKioskWindow *self = TRAJ_KIOSK_WINDOW (object);

  kiosk_guard_dispose (self);
  g_clear_handle_id (&self->hold_timer, g_source_remove);
  g_clear_handle_id (&self->lost_idle, g_source_remove);
  for (guint k = 0; k < G_N_ELEMENTS (self->signal_sources); k++)
    g_clear_handle_id (&self->signal_sources[k], g_source_remove);
  kiosk_secrets_dispose (self);
  g_clear_handle_id (&self->thanks_timer, g_source_remove);
  g_clear_handle_id (&self->advance_timer, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_KIOSK_WINDOW);
  /* A clinician's store handed to the patient is a workstation's again. */
  if (self->store && self->made_kiosk)
    traj_store_set_device (self->store, NULL, FALSE);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_kiosk_window_parent_class)->dispose (object);
}

static void
traj_kiosk_window_finalize (GObject *object)
{
  TrajKioskWindow *self = TRAJ_KIOSK_WINDOW (object);

  g_free (self->first_name);
  g_array_unref (self->scales);
  kiosk_secrets_finalize (self);
  G_OBJECT_CLASS (traj_kiosk_window_parent_class)->finalize (object);
}

static void
traj_kiosk_window_class_init (TrajKioskWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = traj_kiosk_window_dispose;
  object_class->finalize = traj_kiosk_window_finalize;
  window_class->close_request = traj_kiosk_window_close_request;
  window_class->enable_debugging = traj_kiosk_window_enable_debugging;

  /**
   * TrajKioskWindow::unlocked:
   *
   * Staff typed the PIN: the kiosk is closing.
   */
  signals[UNLOCKED] = g_signal_new ("unlocked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_KEYPAD);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-kiosk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, staff_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, code_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, message_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, code_wait_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, keypad);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, birth_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, birth_show_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, birth_hint_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, birth_message_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, birth_keypad);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, birth_back_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, hello_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, intro_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, scale_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, stem_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, entry_bin);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, review_title);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, review_list);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, review_back_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, submit_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, safety_title);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, safety_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, safety_done_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, thanks_page);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, not_you_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, large_text_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, still_there);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, still_there_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, still_there_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, no_pin_quit_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, pin_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, pin_message_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, pin_wait_label);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, pin_keypad);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, pin_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TrajKioskWindow, pin_leave_button);
}

static void
on_start_clicked (TrajKioskWindow *self)
{
  if (self->entry != NULL)
    {
      /* Back from the first question: the same questionnaire again. */
      self->returning_to_review = FALSE;
      update_question (self);
      kiosk_show_screen (self, "question");
      focus_answers (self);
      return;
    }
  start_scale (self);
}

/* "Not you?": the person at the tablet is not the patient the code is for.
 * Nothing is saved, the code can be used again, and the kiosk waits for
 * the next code. */
static void
on_not_you_clicked (TrajKioskWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->submitted > 0 || self->safety)
    return;
  if (self->checkin_id > 0 && !traj_store_release_checkin (self->store, self->checkin_id, &error))
    g_message ("Could not give the check-in code back: %s", error->message);
  self->any_answer = FALSE;
  kiosk_back_to_checkin (self);
}

static void
on_no_pin_quit (TrajKioskWindow *self)
{
  traj_kiosk_window_unlock (self, NULL);
}

static void
on_screen_changed (TrajKioskWindow *self)
{
  const char *screen = traj_kiosk_window_get_screen (self);

  /* Staff's way out is offered wherever a patient may be, never twice. */
  gtk_widget_set_visible (self->staff_button, !g_str_equal (screen, "staff") && !g_str_equal (screen, "no-pin"));
  /* A wait may have started or ended on another tablet meanwhile. */
  if (g_str_equal (screen, "checkin"))
    kiosk_secrets_refresh (self);
}

static void
traj_kiosk_window_init (TrajKioskWindow *self)
{
  GtkEventController *key;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->scales = g_array_new (FALSE, FALSE, sizeof (TrajScaleId));
  kiosk_secrets_init (self);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  kiosk_guard_init (self);

  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_screen_changed), self);
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (on_start_clicked), self);
  g_signal_connect_swapped (self->not_you_button, "clicked", G_CALLBACK (on_not_you_clicked), self);
  g_signal_connect_swapped (self->large_text_button, "toggled", G_CALLBACK (on_large_text_toggled), self);
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next_clicked), self);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (on_back_clicked), self);
  g_signal_connect_swapped (self->review_back_button, "clicked", G_CALLBACK (on_review_back_clicked), self);
  g_signal_connect_swapped (self->submit_button, "clicked", G_CALLBACK (on_submit_clicked), self);
  g_signal_connect_swapped (self->safety_done_button, "clicked", G_CALLBACK (on_safety_done), self);
  g_signal_connect_swapped (self->staff_button, "clicked", G_CALLBACK (kiosk_show_staff_page), self);
  g_signal_connect_swapped (self->no_pin_quit_button, "clicked", G_CALLBACK (on_no_pin_quit), self);
}

TrajKioskWindow *
traj_kiosk_window_new (GtkApplication *app,
                       TrajStore      *store,
                       GSettings      *settings)
{
  TrajKioskWindow *self = g_object_new (TRAJ_TYPE_KIOSK_WINDOW, "application", app, NULL);

  self->store = g_object_ref (store);
  self->settings = settings ? g_object_ref (settings) : NULL;
  kiosk_secrets_set_device (self);
  kiosk_back_to_checkin (self);
  {
    const int stop_signals[] = { SIGTERM, SIGHUP, SIGINT };

    for (guint k = 0; k < G_N_ELEMENTS (stop_signals); k++)
      self->signal_sources[k] = g_unix_signal_add (stop_signals[k], on_terminate, self);
  }
  return self;
}

void
traj_kiosk_window_start_session (TrajKioskWindow *self,
                                 gint64           patient_id,
                                 const char      *scales)
{
  g_return_if_fail (TRAJ_IS_KIOSK_WINDOW (self));

  if (!self->has_pin)
    return;
  kiosk_begin_session (self, 0, patient_id, scales);
}

const char *
traj_kiosk_window_get_screen (TrajKioskWindow *self)
{
  g_return_val_if_fail (TRAJ_IS_KIOSK_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
traj_kiosk_window_get_message (TrajKioskWindow *self)
{
  g_return_val_if_fail (TRAJ_IS_KIOSK_WINDOW (self), NULL);
  if (g_str_equal (traj_kiosk_window_get_screen (self), "staff"))
    return gtk_label_get_label (self->pin_message_label);
  if (g_str_equal (traj_kiosk_window_get_screen (self), "birth"))
    return gtk_label_get_label (self->birth_message_label);
  return gtk_label_get_label (self->message_label);
}

void
traj_kiosk_window_set_idle_seconds (TrajKioskWindow *self,
                                    guint            seconds)
{
  g_return_if_fail (TRAJ_IS_KIOSK_WINDOW (self));
  self->idle_seconds = seconds;
  kiosk_restart_idle (self);
}
