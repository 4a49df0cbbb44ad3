/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "traj-editor-dialog.h"
#include "traj-gui.h"

typedef struct
{
  TrajStore *store;
  gboolean valid;
  gboolean dirty;
  gboolean closing;
  GtkWindow *question;       /* "Discard Changes?" or "Check the Date" while open */
  gulong retry_id;           /* waiting for the clinic server to save again */
  /* The confirmation question's words (static strings); NULL: the dates'. */
  const char *confirm_heading;
  const char *confirm_cancel;
  const char *confirm_note;

  GtkWidget *toolbar_box;
  GtkWidget *header;
  GtkWidget *save_button;
  GtkWidget *scroller;
  GtkWidget *clamp;
  int form_width;
  GtkWidget *error_revealer;
  GtkWidget *error_label;
  GtkWidget *missing_label;
} TrajEditorDialogPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (TrajEditorDialog, traj_editor_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_VALID,
  PROP_DIRTY,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     TrajEditorDialog *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    traj_editor_dialog_force_close (self);
}

/* The question goes before the form it belongs to (traj_gui_dismiss()). */
static void
dismiss_question (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (priv->question)
    {
      GtkWindow *question = priv->question;

      g_object_remove_weak_pointer (G_OBJECT (question), (gpointer *) &priv->question);
      priv->question = NULL;
      traj_gui_dismiss (question);
    }
}

static void
ask_discard (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  AdwMessageDialog *dialog;

  if (priv->question)
    {
      gtk_window_present (priv->question);
      return;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Discard Changes?"),
                                                       _("What you typed in this form has not been saved.")));
  adw_message_dialog_add_responses (dialog,
                                    "keep", _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_signal_connect (dialog, "response", G_CALLBACK (on_discard_response), self);
  priv->question = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &priv->question);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_confirm_response (AdwMessageDialog *dialog,
                     const char       *response,
                     TrajEditorDialog *self)
{
  TrajEditorDialogClass *klass = TRAJ_EDITOR_DIALOG_GET_CLASS (self);
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  /* The question goes now, whatever the answer: saving closes the form,
   * and the question must not outlive it (traj_gui_dismiss()). */
  if (priv->question == GTK_WINDOW (dialog))
    dismiss_question (self);
  if (g_strcmp0 (response, "confirm") != 0)
    return;
  klass->confirm (self);
  traj_editor_dialog_save (self);
}

/* The store would not save without the person's confirmation: ask, naming
 * what is unusual, with changing the record as the default answer. */
static void
ask_confirmation (TrajEditorDialog *self, const char *message)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (priv->question)
    {
      gtk_window_present (priv->question);
      return;
    }
  /* Translators: the sentences under a save's confirmation question */
  body = g_strdup_printf (_("%s\n\n%s"), message,
                          priv->confirm_note ? priv->confirm_note
                                             : _("Save it only if this is right; the confirmation is kept in the audit trail."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       priv->confirm_heading ? priv->confirm_heading : _("Check the Date"),
                                                       body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", priv->confirm_cancel ? priv->confirm_cancel : _("_Change the Date"),
                                    "confirm", _("_Save Anyway"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_confirm_response), self, 0);
  g_object_set_data (G_OBJECT (dialog), "traj-confirmation", GINT_TO_POINTER (TRUE));
  priv->question = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &priv->question);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
traj_editor_dialog_close_request (GtkWindow *window)
{
  TrajEditorDialog *self = TRAJ_EDITOR_DIALOG (window);
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (priv->dirty && !priv->closing)
    {
      ask_discard (self);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (traj_editor_dialog_parent_class)->close_request (window);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
save_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (widget));
}

static void
traj_editor_dialog_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajEditorDialog *self = TRAJ_EDITOR_DIALOG (object);
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STORE:
      priv->store = g_value_dup_object (value);
      break;
    case PROP_VALID:
      traj_editor_dialog_set_valid (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_editor_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajEditorDialog *self = TRAJ_EDITOR_DIALOG (object);
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, priv->store);
      break;
    case PROP_VALID:
      g_value_set_boolean (value, priv->valid);
      break;
    case PROP_DIRTY:
      g_value_set_boolean (value, priv->dirty);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void stop_waiting (TrajEditorDialog *self);

/* The form's width on a wide screen, and what a dialog leaves of its
 * parent's height: its header, the "To save, fill in" line, and a margin
 * that shows the window behind. */
#define EDITOR_WIDTH 560
#define EDITOR_CHROME_HEIGHT 132
#define EDITOR_FALLBACK_CONTENT_HEIGHT 560
/* Without a compositor, X11 windows lose this much width to their frame. */
#define EDITOR_FRAME_WIDTH 10

static void
clamp_form (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (priv->clamp)
    adw_clamp_set_maximum_size (ADW_CLAMP (priv->clamp), priv->form_width);
}

/* An editor opens as tall as its form, up to the height of the window it
 * belongs to (a portrait tablet's 1280 px show a whole infusion; a desktop's
 * 800 px scroll it), and never wider than that window. Computed before the
 * dialog is first shown, from the parent's size at that time: nothing is
 * measured here and nothing is resized once mapped.
 *
 * GTK 4.8's scrolled window measures its child's height at the child's
 * natural width, so the form is clamped to the width it opens with: the
 * height measured is the height it needs. */
static void
fit_to_parent (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  int parent_width = parent ? gtk_widget_get_width (GTK_WIDGET (parent)) : 0;
  int parent_height = parent ? gtk_widget_get_height (GTK_WIDGET (parent)) : 0;
  int width = parent_width > 0 ? MIN (EDITOR_WIDTH, parent_width) : EDITOR_WIDTH;
  int content_height = EDITOR_FALLBACK_CONTENT_HEIGHT;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (parent_height > 0)
    content_height = MAX (parent_height - EDITOR_CHROME_HEIGHT, 240);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (priv->scroller), content_height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, -1);
  priv->form_width = MAX (width - EDITOR_FRAME_WIDTH, 1);
  clamp_form (self);
}

static void
on_transient_for_changed (TrajEditorDialog *self)
{
  fit_to_parent (self);
}

static void
traj_editor_dialog_constructed (GObject *object)
{
  TrajEditorDialog *self = TRAJ_EDITOR_DIALOG (object);

  G_OBJECT_CLASS (traj_editor_dialog_parent_class)->constructed (object);
  fit_to_parent (self);
  g_signal_connect (self, "notify::transient-for", G_CALLBACK (on_transient_for_changed), NULL);
}

static void
traj_editor_dialog_dispose (GObject *object)
{
  TrajEditorDialog *self = TRAJ_EDITOR_DIALOG (object);
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  dismiss_question (self);
  stop_waiting (self);
  g_clear_object (&priv->store);
  g_clear_object (&priv->toolbar_box);
  G_OBJECT_CLASS (traj_editor_dialog_parent_class)->dispose (object);
}

static void
traj_editor_dialog_class_init (TrajEditorDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  traj_gui_init ();

  object_class->set_property = traj_editor_dialog_set_property;
  object_class->get_property = traj_editor_dialog_get_property;
  object_class->dispose = traj_editor_dialog_dispose;
  object_class->constructed = traj_editor_dialog_constructed;
  window_class->close_request = traj_editor_dialog_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TrajEditorDialog::saved:
   * @id: the saved record's id
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
traj_editor_dialog_init (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  GtkWidget *cancel;

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_hide_on_close (GTK_WINDOW (self), FALSE);

  /* Held with our own reference: a subclass template's <child> replaces the
   * window content until traj_editor_dialog_set_content() moves it into the
   * frame. */
  priv->toolbar_box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  priv->header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (priv->header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (priv->header), FALSE);

  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "editor.cancel");
  adw_header_bar_pack_start (ADW_HEADER_BAR (priv->header), cancel);

  priv->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (priv->save_button), "editor.save");
  gtk_widget_add_css_class (priv->save_button, "suggested-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (priv->header), priv->save_button);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);

  priv->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (priv->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (priv->error_label), 0);
  gtk_widget_set_margin_start (priv->error_label, 18);
  gtk_widget_set_margin_end (priv->error_label, 18);
  gtk_widget_set_margin_top (priv->error_label, 9);
  gtk_widget_set_margin_bottom (priv->error_label, 9);
  gtk_accessible_update_property (GTK_ACCESSIBLE (priv->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Problem"), -1);
  priv->error_revealer = gtk_revealer_new ();
  gtk_widget_add_css_class (priv->error_revealer, "editor-error");
  gtk_revealer_set_child (GTK_REVEALER (priv->error_revealer), priv->error_label);

  priv->missing_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (priv->missing_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (priv->missing_label), 0);
  gtk_widget_set_margin_start (priv->missing_label, 18);
  gtk_widget_set_margin_end (priv->missing_label, 18);
  gtk_widget_set_margin_top (priv->missing_label, 6);
  gtk_widget_set_margin_bottom (priv->missing_label, 6);
  gtk_widget_add_css_class (priv->missing_label, "dim-label");
  gtk_widget_set_visible (priv->missing_label, FALSE);

  priv->form_width = EDITOR_WIDTH - EDITOR_FRAME_WIDTH;
  priv->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (priv->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (priv->scroller), TRUE);
  gtk_widget_set_vexpand (priv->scroller, TRUE);

  gtk_box_append (GTK_BOX (priv->toolbar_box), priv->header);
  gtk_box_append (GTK_BOX (priv->toolbar_box), priv->error_revealer);
  gtk_box_append (GTK_BOX (priv->toolbar_box), priv->missing_label);
  gtk_box_append (GTK_BOX (priv->toolbar_box), priv->scroller);
  adw_window_set_content (ADW_WINDOW (self), priv->toolbar_box);
}

TrajStore *
traj_editor_dialog_get_store (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  return priv->store;
}

void
traj_editor_dialog_set_content (TrajEditorDialog *self,
                                GtkWidget        *content)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  GtkWidget *clamp = adw_clamp_new ();

  priv->clamp = clamp;
  g_object_ref (content);
  if (adw_window_get_content (ADW_WINDOW (self)) == content)
    adw_window_set_content (ADW_WINDOW (self), NULL);
  else if (gtk_widget_get_parent (content))
    gtk_widget_unparent (content);
  adw_window_set_content (ADW_WINDOW (self), priv->toolbar_box);
  clamp_form (self);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 24);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  g_object_unref (content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (priv->scroller), clamp);
}

void
traj_editor_dialog_set_valid (TrajEditorDialog *self,
                              gboolean          valid)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  valid = !!valid;
  if (priv->valid == valid)
    return;
  priv->valid = valid;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", valid);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

gboolean
traj_editor_dialog_get_valid (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  return priv->valid;
}

void
traj_editor_dialog_mark_dirty (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (priv->dirty)
    return;
  priv->dirty = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
}

gboolean
traj_editor_dialog_get_dirty (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  return priv->dirty;
}

void
traj_editor_dialog_show_error (TrajEditorDialog *self,
                               const char       *message)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (message)
    gtk_label_set_label (GTK_LABEL (priv->error_label), message);
  gtk_revealer_set_reveal_child (GTK_REVEALER (priv->error_revealer), message != NULL);
}

void
traj_editor_dialog_set_missing (TrajEditorDialog *self,
                                const char       *text)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  g_return_if_fail (TRAJ_IS_EDITOR_DIALOG (self));
  gtk_label_set_label (GTK_LABEL (priv->missing_label), text ? text : "");
  gtk_widget_set_visible (priv->missing_label, text != NULL);
  gtk_widget_set_tooltip_text (priv->save_button, text);
}

const char *
traj_editor_dialog_get_missing (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  g_return_val_if_fail (TRAJ_IS_EDITOR_DIALOG (self), NULL);
  return gtk_widget_get_visible (priv->missing_label) ? gtk_label_get_label (GTK_LABEL (priv->missing_label)) : NULL;
}

static void
stop_waiting (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (priv->retry_id && priv->store)
    g_clear_signal_handler (&priv->retry_id, priv->store);
  priv->retry_id = 0;
}

/* The clinic server is back: the form that could not be saved is saved now,
 * as if the person pressed Save again. */
static void
on_connected (TrajStore        *store,
              GParamSpec       *pspec,
              TrajEditorDialog *self)
{
  if (!traj_store_get_connected (store))
    return;
  stop_waiting (self);
  traj_editor_dialog_save (self);
}

gboolean
traj_editor_dialog_save (TrajEditorDialog *self)
{
  TrajEditorDialogClass *klass = TRAJ_EDITOR_DIALOG_GET_CLASS (self);
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (!priv->valid || klass->save == NULL)
    return FALSE;
  if (!klass->save (self, &id, &error))
    {
      if (klass->confirm && g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION))
        {
          traj_editor_dialog_show_error (self, NULL);
          ask_confirmation (self, error->message);
        }
      else if (g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_CONNECTION) && priv->store)
        {
          /* Nothing is lost: the form stays as typed and is saved when
           * the server answers again. */
          traj_editor_dialog_show_error (self, _("The clinic server cannot be reached, so this has not been "
                                                 "saved yet. Keep this window open: it is saved as soon as "
                                                 "the server is back."));
          if (priv->retry_id == 0)
            priv->retry_id = g_signal_connect (priv->store, "notify::connected", G_CALLBACK (on_connected), self);
        }
      else
        traj_editor_dialog_show_error (self, error ? error->message : _("Could not save."));
      return FALSE;
    }
  stop_waiting (self);
  g_signal_emit (self, signals[SAVED], 0, id);
  traj_editor_dialog_force_close (self);
  return TRUE;
}

void
traj_editor_dialog_set_confirmation_text (TrajEditorDialog *self,
                                          const char       *heading,
                                          const char       *cancel_label,
                                          const char       *note)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  g_return_if_fail (TRAJ_IS_EDITOR_DIALOG (self));
  priv->confirm_heading = heading;
  priv->confirm_cancel = cancel_label;
  priv->confirm_note = note;
}

GtkWidget *
traj_editor_dialog_get_confirmation (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (priv->question && g_object_get_data (G_OBJECT (priv->question), "traj-confirmation"))
    return GTK_WIDGET (priv->question);
  return NULL;
}

const char *
traj_editor_dialog_get_error (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  if (!gtk_revealer_get_reveal_child (GTK_REVEALER (priv->error_revealer)))
    return NULL;
  return gtk_label_get_label (GTK_LABEL (priv->error_label));
}

void
traj_editor_dialog_force_close (TrajEditorDialog *self)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  priv->closing = TRUE;
  dismiss_question (self);
  gtk_window_close (GTK_WINDOW (self));
}

void
traj_field_set_error (GtkWidget    *field,
                      const GError *error)
{
  if (error)
    {
      gtk_widget_add_css_class (field, "error");
      gtk_widget_set_tooltip_text (field, error->message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (field),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_widget_set_tooltip_text (field, NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

void
traj_editor_dialog_set_save_label (TrajEditorDialog *self,
                                   const char       *label)
{
  TrajEditorDialogPrivate *priv = traj_editor_dialog_get_instance_private (self);

  gtk_button_set_label (GTK_BUTTON (priv->save_button), label);
  gtk_button_set_use_underline (GTK_BUTTON (priv->save_button), TRUE);
}

void
traj_field_set_message (GtkWidget    *field,
                        GtkLabel     *message,
                        const GError *error)
{
  if (field)
    traj_field_set_error (field, error);
  gtk_widget_remove_css_class (GTK_WIDGET (message), "field-caution");
  gtk_label_set_label (message, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (message), error != NULL);
}

void
traj_field_set_caution (GtkLabel   *message,
                        const char *text)
{
  gtk_widget_add_css_class (GTK_WIDGET (message), "field-caution");
  gtk_label_set_label (message, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (message), text != NULL);
}

gboolean
traj_editor_parse_clock (const char *text,
                         int        *hour,
                         int        *minute)
{
  g_autofree char *s = g_strstrip (g_strdup (text ? text : ""));
  g_auto(GStrv) parts = g_strsplit (s, ":", -1);
  guint64 h, m;

  if (g_strv_length (parts) != 2 || strlen (parts[1]) != 2 ||
      !g_ascii_string_to_unsigned (parts[0], 10, 0, 23, &h, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, 59, &m, NULL))
    return FALSE;
  *hour = (int) h;
  *minute = (int) m;
  return TRUE;
}

char *
traj_editor_text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  char *text;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

char *
traj_editor_course_label (const TrajCourse *c)
{
  g_autofree char *start = traj_day_format (c->start_day);

  if (c->protocol && *c->protocol)
    /* Translators: a course in a list: "Depression · Induction 6× · from 3 Mar 2026" */
    return g_strdup_printf (_("%s · %s · from %s"), traj_indication_label (c->indication), c->protocol, start);
  /* Translators: a course in a list: "Depression · from 3 Mar 2026" */
  return g_strdup_printf (_("%s · from %s"), traj_indication_label (c->indication), start);
}
