/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

/* The patient page's findings: the banners of open findings, the decision
 * dialog that closes one, and the Findings History. */

#include "config.h"

#include <glib/gi18n.h>

#include "traj-finding-banner.h"
#include "traj-patient-page-private.h"

/* ---- findings ---------------------------------------------------------- */

static void record_decision (TrajPatientPage *self, const TrajFinding *f, const char *decision,
                             const char *note, const char *by);

typedef struct {
  TrajPatientPage *self;
  TrajFinding *finding;
  GtkWidget *note_entry;
  GtkWidget *by_entry;
  GPtrArray *choices;             /* GtkCheckButton*, one per decision; none active at first */
  GtkWidget *hint;                /* GtkStack: why Record is not available yet, or blank */
  AdwMessageDialog *dialog;
} DecisionData;

static void
decision_data_free (DecisionData *d)
{
  traj_finding_free (d->finding);
  g_ptr_array_unref (d->choices);
  g_free (d);
}

/* The decision chosen, or NULL while none is. */
static const char *
chosen_decision (DecisionData *d)
{
  const char * const *codes = traj_finding_kind_decisions (d->finding->kind);

  /* A single possible decision (acknowledge) needs no choosing. */
  if (d->choices->len == 0)
    return codes[0];
  for (guint k = 0; k < d->choices->len; k++)
    if (gtk_check_button_get_active (g_ptr_array_index (d->choices, k)))
      return codes[k];
  return NULL;
}

static void
on_decision_response (AdwMessageDialog *dialog,
                      const char       *response,
                      DecisionData     *d)
{
  if (g_strcmp0 (response, "record") == 0)
    {
      const char *decision = chosen_decision (d);
      const char *note = gtk_editable_get_text (GTK_EDITABLE (d->note_entry));
      g_autofree char *by = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->by_entry))));

      /* Who decided is on the decision only: the workstation's clinician
       * name (Preferences) is never changed as a side effect. */
      if (decision && *by)
        record_decision (d->self, d->finding, decision, note, by);
    }
}

/* Record waits for a decision and a name, and says which is missing. */
static void
update_decision_response (DecisionData *d)
{
  g_autofree char *by = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->by_entry))));
  gboolean chosen = chosen_decision (d) != NULL;
  const char *page = "ready";

  if (!chosen && *by == '\0')
    page = "choose-and-name";
  else if (!chosen)
    page = "choose";
  else if (*by == '\0')
    page = "name";
  /* Every hint takes the room of the longest, and a blank keeps it when
   * none is needed: Record never moves under the pointer. */
  gtk_stack_set_visible_child_name (GTK_STACK (d->hint), page);
  adw_message_dialog_set_response_enabled (d->dialog, "record", g_str_equal (page, "ready"));
}

static void
add_hint (GtkWidget *stack, const char *name, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_stack_add_named (GTK_STACK (stack), label, name);
}

static void
on_decision_by_changed (GtkEditable *editable, DecisionData *d)
{
  update_decision_response (d);
}

static void
on_decision_toggled (GtkCheckButton *button, DecisionData *d)
{
  update_decision_response (d);
}

static void
open_decision_dialog (TrajPatientPage *self, const TrajFinding *f)
{
  const char * const *choices = traj_finding_kind_decisions (f->kind);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  DecisionData *d = g_new0 (DecisionData, 1);
  AdwMessageDialog *dialog;
  guint n = g_strv_length ((char **) choices);
  gboolean acknowledge = n == 1 && g_str_equal (choices[0], TRAJ_DECISION_ACKNOWLEDGED);

  d->self = self;
  d->finding = traj_finding_copy (f);
  d->choices = g_ptr_array_new ();
  /* Named, so a decision is never recorded on the wrong patient's page. */
  {
    const TrajPatient *p = self->records->patient;
    g_autofree char *day = traj_day_format (p->birth_day);
    g_autoptr(GString) born = g_string_new (day);
    g_autofree char *body = NULL;

    /* The date on one line. */
    g_string_replace (born, " ", "\u00a0", 0);
    /* Translators: "Dora Decide · MRN D-1 · born 4 Mar 1980", then the finding */
    body = g_strdup_printf (_("%s · MRN %s · born %s\n\n%s"), p->name, p->mrn, born->str, f->sentence);

    dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (traj_patient_page_parent_window (self),
                                                         acknowledge ? _("Acknowledge Finding") : _("Record a Decision"),
                                                         body));
  }
  if (n > 1)
    {
      /* Every decision in sight, none chosen for the clinician. */
      GtkWidget *group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkCheckButton *first = NULL;

      gtk_accessible_update_property (GTK_ACCESSIBLE (group), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Decision"), -1);
      for (guint k = 0; k < n; k++)
        {
          GtkWidget *check = gtk_check_button_new_with_label (traj_decision_label (choices[k]));

          if (first)
            gtk_check_button_set_group (GTK_CHECK_BUTTON (check), first);
          else
            first = GTK_CHECK_BUTTON (check);
          g_signal_connect (check, "toggled", G_CALLBACK (on_decision_toggled), d);
          g_ptr_array_add (d->choices, check);
          gtk_box_append (GTK_BOX (group), check);
        }
      gtk_box_append (GTK_BOX (box), group);
    }
  else if (!acknowledge)
    {
      /* One possible decision: say which is recorded (a trial found a
       * dialog that recorded "Plan reviewed" without a word of it). */
      /* Translators: the decision a dialog with no choice will record, e.g. "Decision: Plan reviewed" */
      g_autofree char *text = g_strdup_printf (_("Decision: %s"), traj_decision_label (choices[0]));
      GtkWidget *only = gtk_label_new (text);

      gtk_label_set_wrap (GTK_LABEL (only), TRUE);
      gtk_label_set_xalign (GTK_LABEL (only), 0);
      gtk_widget_add_css_class (only, "heading");
      gtk_box_append (GTK_BOX (box), only);
    }
  d->by_entry = gtk_entry_new ();
  {
    g_autofree char *name = self->settings ? g_settings_get_string (self->settings, "clinician-name") : g_strdup ("");
    gtk_editable_set_text (GTK_EDITABLE (d->by_entry), name);
  }
  gtk_entry_set_placeholder_text (GTK_ENTRY (d->by_entry), _("Your name (required)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->by_entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recorded by"), -1);
  gtk_box_append (GTK_BOX (box), d->by_entry);
  d->note_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (d->note_entry), _("Note (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->note_entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Note"), -1);
  gtk_entry_set_activates_default (GTK_ENTRY (d->note_entry), TRUE);
  gtk_box_append (GTK_BOX (box), d->note_entry);
  d->hint = gtk_stack_new ();
  gtk_stack_set_hhomogeneous (GTK_STACK (d->hint), TRUE);
  gtk_stack_set_vhomogeneous (GTK_STACK (d->hint), TRUE);
  add_hint (d->hint, "choose-and-name", _("Choose a decision and enter your name to record it."));
  add_hint (d->hint, "choose", _("Choose a decision to record it."));
  /* A decision names the clinician who made it. */
  add_hint (d->hint, "name", acknowledge ? _("Enter your name to acknowledge the finding.")
                                         : _("Enter your name to record the decision."));
  add_hint (d->hint, "ready", "");
  gtk_box_append (GTK_BOX (box), d->hint);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "record", acknowledge ? _("_Acknowledge") : _("_Record"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "record", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "record");
  adw_message_dialog_set_close_response (dialog, "cancel");
  d->dialog = dialog;
  g_signal_connect (d->by_entry, "changed", G_CALLBACK (on_decision_by_changed), d);
  update_decision_response (d);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_decision_response), d,
                         (GClosureNotify) decision_data_free, 0);
  g_set_weak_pointer (&self->decision_dialog, GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  TrajStore *store;
  GWeakRef page;
  gint64 id;
} DecisionUndo;

static void
decision_undo_free (DecisionUndo *u)
{
  g_object_unref (u->store);
  g_weak_ref_clear (&u->page);
  g_free (u);
}

/* A decision recorded by mistake is taken back as a delete: the row stays
 * in the clinic, marked deleted, with the decision it held, and the audit
 * trail has both; the finding opens again. */
static void
on_decision_undo (AdwToast *toast, DecisionUndo *u)
{
  g_autoptr(TrajPatientPage) self = g_weak_ref_get (&u->page);
  g_autoptr(GError) error = NULL;

  if (!traj_store_delete (u->store, TRAJ_KIND_FLAG_DECISION, u->id, &error))
    {
      if (self)
        traj_patient_page_show_error (self, error);
      else
        g_warning ("Undo failed: %s", error->message);
    }
}

static void
record_decision (TrajPatientPage *self, const TrajFinding *f, const char *decision,
                 const char *note, const char *by)
{
  DecisionUndo *u;
  g_autoptr(TrajFlagDecision) d = traj_finding_new_decision (f, decision, note);
  g_autoptr(GError) error = NULL;
  /* The store's change reloads the outcomes, and @f with them. */
  TrajFindingKind kind = f->kind;
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (by && *by)
    {
      g_free (d->decided_by);
      d->decided_by = g_strdup (by);
    }

  if (!traj_store_insert_flag_decision (self->store, d, &error))
    {
      traj_patient_page_show_error (self, error);
      return;
    }
  /* The banner goes: say where the finding went. */
  /* Translators: after a decision: "A booster might be discussed: kept under Findings History" */
  message = g_strdup_printf (_("%s: kept under Findings History"), traj_finding_kind_label (kind));
  {
    /* A toast's title is markup. */
    g_autofree char *title = g_markup_escape_text (message, -1);
    toast = adw_toast_new (title);
  }
  u = g_new0 (DecisionUndo, 1);
  u->store = g_object_ref (self->store);
  g_weak_ref_init (&u->page, self);
  u->id = d->id;
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, TRAJ_UNDO_TIMEOUT_S);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_decision_undo), u,
                         (GClosureNotify) decision_undo_free, 0);
  g_set_weak_pointer (&self->last_toast, toast);
  traj_patient_page_add_toast (self, toast);
}

static void
decide_finding_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajPatientPage *self = TRAJ_PATIENT_PAGE (widget);
  const TrajFinding *f;

  if (self->outcomes == NULL)
    return;
  f = traj_outcomes_find_finding (self->outcomes, g_variant_get_string (param, NULL));
  if (f)
    open_decision_dialog (self, f);
}

static GtkWidget *
history_row (const TrajFinding *f)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *closed = traj_finding_describe_closed (f);
  g_autofree char *subtitle = g_markup_escape_text (closed ? closed : "", -1);
  g_autofree char *title = g_markup_escape_text (f->sentence, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (traj_finding_icon_name (f->kind)));
  return row;
}

void
traj_patient_page_update_findings (TrajPatientPage *self)
{
  guint n_open = 0, n_closed = 0;
  GtkWidget *child;

  traj_patient_page_clear_box (self->findings_box);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))))
    gtk_list_box_remove (self->history_list, child);

  for (guint k = 0; k < self->outcomes->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (self->outcomes->findings, k);
      if (f->open)
        {
          GtkWidget *banner = traj_finding_banner_new ();

          traj_finding_banner_set_finding (TRAJ_FINDING_BANNER (banner), f);
          gtk_box_append (GTK_BOX (self->findings_box), banner);
          n_open++;
        }
      else
        {
          gtk_list_box_append (self->history_list, history_row (f));
          n_closed++;
        }
    }
  gtk_widget_set_visible (self->findings_box, n_open > 0);
  gtk_widget_set_visible (self->history_box, n_closed > 0);
}

void
traj_patient_page_findings_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "patient.decide-finding", "s", decide_finding_action);
}
