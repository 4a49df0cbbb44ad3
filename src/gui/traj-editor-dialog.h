/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "traj-store.h"

G_BEGIN_DECLS

/* The frame every record editor shares: a modal window with Cancel and Save
 * in the header bar, Save sensitive only while the form is valid, one line
 * for the store's message when a save is refused, and a "discard changes?"
 * question when Cancel, Escape or closing would throw typed work away. */
#define TRAJ_TYPE_EDITOR_DIALOG (traj_editor_dialog_get_type ())
G_DECLARE_DERIVABLE_TYPE (TrajEditorDialog, traj_editor_dialog, TRAJ, EDITOR_DIALOG, AdwWindow)

struct _TrajEditorDialogClass
{
  AdwWindowClass parent_class;

  /* Writes the record through the store (one transaction) and sets *id to
   * the saved record's id. On FALSE the dialog stays open and shows
   * error->message. */
  gboolean (*save) (TrajEditorDialog *self, gint64 *id, GError **error);
  /* When save fails with TRAJ_ERROR_NEEDS_CONFIRMATION, the dialog asks the
   * person with error->message (the sentences naming the dates); if they
   * confirm, this records it (the next save carries the confirmation) and
   * save runs again. NULL: such an error is shown like any other. */
  void     (*confirm) (TrajEditorDialog *self);
};

TrajStore *traj_editor_dialog_get_store   (TrajEditorDialog *self);
void       traj_editor_dialog_set_content (TrajEditorDialog *self,
                                           GtkWidget        *content);
void       traj_editor_dialog_set_valid   (TrajEditorDialog *self,
                                           gboolean          valid);
gboolean   traj_editor_dialog_get_valid   (TrajEditorDialog *self);
/* Subclasses call this from every field's changed handler. */
void       traj_editor_dialog_mark_dirty  (TrajEditorDialog *self);
gboolean   traj_editor_dialog_get_dirty   (TrajEditorDialog *self);
/* The Save button's label, with a mnemonic ("Save as _Draft"). */
void       traj_editor_dialog_set_save_label (TrajEditorDialog *self,
                                              const char       *label);
/* Shows (or with NULL hides) the message line under the form. */
void       traj_editor_dialog_show_error  (TrajEditorDialog *self,
                                           const char       *message);
/* What the form still needs before Save can work, in words ("To save,
 * fill in: MRN, birth date."), shown under the header and as the Save
 * button's tooltip; NULL hides it. */
void        traj_editor_dialog_set_missing (TrajEditorDialog *self,
                                            const char       *text);
const char *traj_editor_dialog_get_missing (TrajEditorDialog *self);
/* The message shown under the form, or NULL. */
const char *traj_editor_dialog_get_error (TrajEditorDialog *self);
/* Runs save as if the Save button were pressed; TRUE when saved. */
gboolean   traj_editor_dialog_save        (TrajEditorDialog *self);
/* The question open after a save needed the person's confirmation (an
 * AdwMessageDialog with the responses "cancel" and "confirm"), or NULL. */
GtkWidget *traj_editor_dialog_get_confirmation (TrajEditorDialog *self);
/* The confirmation question's heading, its cancel button's label (with a
 * mnemonic) and the sentence under the message; static strings, NULL for
 * the default (the date question's). */
void       traj_editor_dialog_set_confirmation_text (TrajEditorDialog *self,
                                                     const char       *heading,
                                                     const char       *cancel_label,
                                                     const char       *note);
/* Closes without asking (after a "discard" answer or a save). */
void       traj_editor_dialog_force_close (TrajEditorDialog *self);

/* Field helpers shared by editors: mark an entry row or widget as in error
 * (red, with the message as its tooltip and accessible description). */
void       traj_field_set_error           (GtkWidget        *field,
                                           const GError     *error);
/* The same, with the message in @message, a label under the field's group
 * (hidden when @error is NULL; it drops a caution's style). @field may be
 * NULL when the caller marks the field itself. */
void       traj_field_set_message         (GtkWidget        *field,
                                           GtkLabel         *message,
                                           const GError     *error);
/* Shows @text (or with NULL hides it) in @message as a caution: a valid
 * value worth a second look, in the warning colour. */
void       traj_field_set_caution         (GtkLabel         *message,
                                           const char       *text);
/* "HH:MM" (or "H:MM") in 24-hour time, spaces around allowed. */
gboolean   traj_editor_parse_clock        (const char       *text,
                                           int              *hour,
                                           int              *minute);
/* A text view's text without surrounding space; NULL when that is empty. */
char      *traj_editor_text_view_text     (GtkTextView      *view);
/* A course as editors list it: "Depression · Induction 6× · from 3 Mar 2026". */
char      *traj_editor_course_label       (const TrajCourse *course);

G_END_DECLS
