/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-date-entry.h"
#include "traj-gui.h"
#include "traj-patient-editor.h"
#include "traj-validate.h"

struct _TrajPatientEditor
{
  TrajEditorDialog parent_instance;

  TrajPatient *patient;
  /* The name and birth date whose likely duplicate the person confirmed,
   * and those the open question is about. */
  char *confirmed_name;
  gint32 confirmed_day;
  char *pending_name;
  gint32 pending_day;

  GtkWidget *content;
  AdwEntryRow *mrn_row;
  AdwEntryRow *name_row;
  AdwActionRow *birth_row;
  TrajDateEntry *birth_entry;
  AdwComboRow *sex_row;
  AdwComboRow *indication_row;
  AdwComboRow *detail_row;
  AdwActionRow *risk_row;
  GtkSwitch *risk_switch;
  AdwComboRow *substance_row;
  AdwEntryRow *risk_by_row;
  AdwEntryRow *risk_why_row;
  GtkTextView *notes_view;
  GtkLabel *mrn_error;
  GtkLabel *name_error;
  GtkLabel *birth_error;
};

G_DEFINE_FINAL_TYPE (TrajPatientEditor, traj_patient_editor, TRAJ_TYPE_EDITOR_DIALOG)

/* The flag is being set by this save (not kept from before). */
static gboolean
flagging_now (TrajPatientEditor *self)
{
  return gtk_switch_get_active (self->risk_switch) && self->patient->risk_si_at == TRAJ_TIME_NONE;
}

/* The flag is being cleared by this save. */
static gboolean
clearing_now (TrajPatientEditor *self)
{
  return !gtk_switch_get_active (self->risk_switch) && self->patient->risk_si_at != TRAJ_TIME_NONE;
}

static char *
cleared_why (TrajPatientEditor *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->risk_why_row))));
}

/* Who a flag set now is credited to: the name from Preferences (on a
 * clinic server, the database login), else the name typed for it here;
 * never the computer's login, which on a shared workstation names nobody.
 * "" when nobody is named yet. */
static char *
flagged_by (TrajPatientEditor *self)
{
  TrajStore *store = traj_editor_dialog_get_store (TRAJ_EDITOR_DIALOG (self));
  const char *clinician = store ? traj_store_get_clinician (store) : NULL;

  if (clinician && *clinician)
    return g_strdup (clinician);
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->risk_by_row))));
}

static void
show_field_error (GtkWidget *row, GtkLabel *label, const GError *error)
{
  traj_field_set_error (row, error);
  gtk_label_set_label (label, error ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), error != NULL);
}

static void
fill_patient (TrajPatientEditor *self, TrajPatient *p)
{
  g_autofree char *notes = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;

  g_free (p->mrn);
  p->mrn = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->mrn_row))));
  g_free (p->name);
  p->name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  p->birth_day = traj_date_entry_get_day (self->birth_entry);
  p->sex = (TrajSex) adw_combo_row_get_selected (self->sex_row);
  p->indication = (TrajIndication) adw_combo_row_get_selected (self->indication_row);
  g_free (p->indication_detail);
  p->indication_detail = g_strdup (traj_gui_detail_row_get (self->detail_row, p->indication));
  /* Set now by the clinician saving, or kept as it was. */
  if (!gtk_switch_get_active (self->risk_switch))
    {
      p->risk_si_at = TRAJ_TIME_NONE;
      g_clear_pointer (&p->risk_si_by, g_free);
    }
  else if (flagging_now (self))
    {
      p->risk_si_at = traj_time_now ();
      g_free (p->risk_si_by);
      p->risk_si_by = flagged_by (self);
    }
  p->substance_use = (TrajSubstanceUse) adw_combo_row_get_selected (self->substance_row);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_free (p->notes);
  p->notes = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Save stays off until the required fields are filled: say which. */
static void
show_missing (TrajPatientEditor *self, const TrajPatient *p)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autofree char *list = NULL;
  g_autofree char *text = NULL;

  if (p->mrn == NULL || *p->mrn == '\0')
    g_ptr_array_add (missing, (gpointer) _("MRN"));
  if (p->name == NULL || *p->name == '\0')
    g_ptr_array_add (missing, (gpointer) _("name"));
  if (p->birth_day == TRAJ_DAY_NONE)
    g_ptr_array_add (missing, (gpointer) _("birth date"));
  if (flagging_now (self) && (p->risk_si_by == NULL || *p->risk_si_by == '\0'))
    g_ptr_array_add (missing, (gpointer) _("your name for the risk flag"));
  if (clearing_now (self))
    {
      g_autofree char *why = cleared_why (self);
      g_autofree char *by = flagged_by (self);

      if (*why == '\0')
        g_ptr_array_add (missing, (gpointer) _("why the risk flag is cleared"));
      if (*by == '\0')
        g_ptr_array_add (missing, (gpointer) _("your name for the risk flag"));
    }
  if (missing->len == 0)
    {
      traj_editor_dialog_set_missing (TRAJ_EDITOR_DIALOG (self), NULL);
      return;
    }
  g_ptr_array_add (missing, NULL);
  /* Translators: the separator between missing fields: "MRN, name, birth date" */
  list = g_strjoinv (_(", "), (char **) missing->pdata);
  /* Translators: under a record editor's header while Save is off */
  text = g_strdup_printf (_("To save, fill in: %s."), list);
  traj_editor_dialog_set_missing (TRAJ_EDITOR_DIALOG (self), text);
}

static void
validate (TrajPatientEditor *self)
{
  g_autoptr(TrajPatient) p = traj_patient_copy (self->patient);
  g_autoptr(GError) mrn_error = NULL, name_error = NULL, birth_error = NULL;
  gboolean typed_birth;

  fill_patient (self, p);
  /* The store's own rules: the same messages the store would refuse with. */
  traj_validate_mrn (p->mrn, &mrn_error);
  traj_validate_name (p->name, &name_error);
  traj_validate_birth_day (p->birth_day, traj_day_today (), &birth_error);

  /* Only complain about a field once something was typed in it. */
  show_field_error (GTK_WIDGET (self->mrn_row), self->mrn_error,
                    *gtk_editable_get_text (GTK_EDITABLE (self->mrn_row)) ? mrn_error : NULL);
  show_field_error (GTK_WIDGET (self->name_row), self->name_error,
                    *gtk_editable_get_text (GTK_EDITABLE (self->name_row)) ? name_error : NULL);
  typed_birth = *gtk_editable_get_text (traj_date_entry_get_editable (self->birth_entry)) != '\0';
  if (typed_birth && p->birth_day == TRAJ_DAY_NONE)
    {
      /* 2031-02-30 is in the form asked for: say what is wrong with it. */
      g_autofree char *why = traj_day_text_problem (gtk_editable_get_text (traj_date_entry_get_editable (self->birth_entry)));

      if (why)
        {
          g_clear_error (&birth_error);
          g_set_error_literal (&birth_error, TRAJ_ERROR, TRAJ_ERROR_BIRTH_DATE_MISSING, why);
        }
    }
  show_field_error (GTK_WIDGET (self->birth_row), self->birth_error, typed_birth ? birth_error : NULL);

  show_missing (self, p);
  /* Every field is there when nothing is missing. */
  traj_editor_dialog_set_valid (TRAJ_EDITOR_DIALOG (self), !mrn_error && !name_error && !birth_error &&
                                traj_editor_dialog_get_missing (TRAJ_EDITOR_DIALOG (self)) == NULL);
}

/* "Flagged by Dr A on 3 Mar 2026, 14:05", or what switching it on does
 * and in whose name. */
static void
show_risk (TrajPatientEditor *self)
{
  const TrajPatient *p = self->patient;
  TrajStore *store = traj_editor_dialog_get_store (TRAJ_EDITOR_DIALOG (self));
  const char *clinician = store ? traj_store_get_clinician (store) : NULL;
  gboolean named = clinician && *clinician;
  gboolean ask_name = (flagging_now (self) || clearing_now (self)) && !named;
  g_autofree char *text = NULL;

  if (clearing_now (self) && named)
    /* Translators: "Cleared when you save, as Dr Ana Silva, with …" */
    text = g_strdup_printf (_("Cleared when you save, as %s, with the reason you give below, "
                              "in the audit trail."), clinician);
  else if (clearing_now (self))
    text = g_strdup (_("Cleared when you save, with your name and the reason you give below, "
                       "in the audit trail."));
  else if (!gtk_switch_get_active (self->risk_switch))
    text = g_strdup (_("Not flagged. Switch on to flag a risk of suicide on the patient’s page."));
  else if (p->risk_si_at != TRAJ_TIME_NONE)
    {
      g_autofree char *when = traj_time_format (p->risk_si_at);
      /* Translators: "Flagged by Dr A on 3 Mar 2026, 14:05" */
      text = g_strdup_printf (_("Flagged by %s on %s"), p->risk_si_by ? p->risk_si_by : "", when);
    }
  else if (!ask_name)
    /* Translators: "Flagged when you save, as Dr Ana Silva, with the time." */
    text = g_strdup_printf (_("Flagged when you save, as %s, with the time."), clinician);
  else
    text = g_strdup (_("Flagged when you save, with the time and the name you give below. "
                       "Set your name in Preferences to be named on every record."));
  adw_action_row_set_subtitle (self->risk_row, text);
  gtk_widget_set_visible (GTK_WIDGET (self->risk_by_row), ask_name);
  gtk_widget_set_visible (GTK_WIDGET (self->risk_why_row), clearing_now (self));
}

static void
on_indication_changed (TrajPatientEditor *self)
{
  TrajIndication ind = (TrajIndication) adw_combo_row_get_selected (self->indication_row);
  const char *keep = ind == self->patient->indication ? self->patient->indication_detail : NULL;

  traj_gui_detail_row_set (self->detail_row, ind, keep);
}

static void
on_field_changed (TrajPatientEditor *self)
{
  show_risk (self);
  traj_editor_dialog_mark_dirty (TRAJ_EDITOR_DIALOG (self));
  traj_editor_dialog_show_error (TRAJ_EDITOR_DIALOG (self), NULL);
  validate (self);
}

static gboolean
traj_patient_editor_save (TrajEditorDialog *dialog, gint64 *id, GError **error)
{
  TrajPatientEditor *self = TRAJ_PATIENT_EDITOR (dialog);
  TrajStore *store = traj_editor_dialog_get_store (dialog);
  g_autoptr(TrajPatient) p = traj_patient_copy (self->patient);

  fill_patient (self, p);
  /* A new patient with the name and birth date of one already here is most
   * likely that patient again (a clinician trial saved "Jose Muller-Pena"
   * beside "José Müller-Peña"): ask before a second record splits their
   * history. */
  if (p->id <= 0 && !(p->birth_day == self->confirmed_day && g_strcmp0 (p->name, self->confirmed_name) == 0))
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(TrajPatient) same = traj_store_find_same_person (store, p->name, p->birth_day, 0, &local);

      if (local)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (same)
        {
          g_autofree char *born = traj_day_format (same->birth_day);

          g_free (self->pending_name);
          self->pending_name = g_strdup (p->name);
          self->pending_day = p->birth_day;
          /* Translators: "José Müller-Peña (MRN 2000001, born 3 Mar 1980) is already …" */
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION,
                       _("%s (MRN %s, born %s) is already in this clinic, with the same name and birth date. "
                         "A second record for the same person would split their history."),
                       same->name, same->mrn, born);
          return FALSE;
        }
    }
  if (p->id > 0)
    {
      g_autofree char *by = clearing_now (self) ? flagged_by (self) : NULL;
      g_autofree char *why = clearing_now (self) ? cleared_why (self) : NULL;

      if (!traj_store_update_patient_why (store, p, by, why, error))
        return FALSE;
    }
  else if (!traj_store_insert_patient (store, p, error))
    return FALSE;
  *id = p->id;
  return TRUE;
}

static void
traj_patient_editor_confirm (TrajEditorDialog *dialog)
{
  TrajPatientEditor *self = TRAJ_PATIENT_EDITOR (dialog);

  g_free (self->confirmed_name);
  self->confirmed_name = g_steal_pointer (&self->pending_name);
  self->confirmed_day = self->pending_day;
}

static GListModel *
enum_model (const char *(*label) (guint), guint n)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint k = 0; k < n; k++)
    gtk_string_list_append (list, label (k));
  return G_LIST_MODEL (list);
}

static void
traj_patient_editor_finalize (GObject *object)
{
  TrajPatientEditor *self = TRAJ_PATIENT_EDITOR (object);

  traj_patient_free (self->patient);
  g_free (self->confirmed_name);
  g_free (self->pending_name);
  G_OBJECT_CLASS (traj_patient_editor_parent_class)->finalize (object);
}

static void
traj_patient_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_PATIENT_EDITOR);
  G_OBJECT_CLASS (traj_patient_editor_parent_class)->dispose (object);
}

static void
traj_patient_editor_class_init (TrajPatientEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  TrajEditorDialogClass *editor_class = TRAJ_EDITOR_DIALOG_CLASS (klass);

  object_class->dispose = traj_patient_editor_dispose;
  object_class->finalize = traj_patient_editor_finalize;
  editor_class->save = traj_patient_editor_save;
  editor_class->confirm = traj_patient_editor_confirm;

  g_type_ensure (TRAJ_TYPE_DATE_ENTRY);
  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-patient-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, content);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, mrn_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, birth_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, birth_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, sex_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, indication_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, detail_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, risk_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, risk_switch);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, risk_by_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, risk_why_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, substance_row);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, notes_view);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, mrn_error);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, name_error);
  gtk_widget_class_bind_template_child (widget_class, TrajPatientEditor, birth_error);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
}

static void
traj_patient_editor_init (TrajPatientEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static const char *
sex_label (guint k)
{
  return traj_sex_label ((TrajSex) k);
}

static const char *
substance_use_label (guint k)
{
  return traj_substance_use_label ((TrajSubstanceUse) k);
}

static const char *
indication_label (guint k)
{
  return traj_indication_label ((TrajIndication) k);
}

TrajPatientEditor *
traj_patient_editor_new (GtkWindow         *parent,
                         TrajStore         *store,
                         const TrajPatient *existing)
{
  TrajPatientEditor *self = g_object_new (TRAJ_TYPE_PATIENT_EDITOR,
                                          "store", store,
                                          "transient-for", parent,
                                          "title", existing ? _("Edit Patient") : _("New Patient"),
                                          NULL);
  GListModel *sexes = enum_model (sex_label, TRAJ_N_SEXES);
  GListModel *indications = enum_model (indication_label, TRAJ_N_INDICATIONS);
  GListModel *substance_uses = enum_model (substance_use_label, TRAJ_N_SUBSTANCE_USES);

  traj_editor_dialog_set_content (TRAJ_EDITOR_DIALOG (self), self->content);
  self->confirmed_day = self->pending_day = TRAJ_DAY_NONE;
  traj_editor_dialog_set_confirmation_text (TRAJ_EDITOR_DIALOG (self), _("Already in the Clinic?"),
                                            _("_Change the Details"),
                                            _("Save a new patient only if this is a different person."));

  adw_combo_row_set_model (self->sex_row, sexes);
  adw_combo_row_set_model (self->indication_row, indications);
  g_object_unref (sexes);
  adw_combo_row_set_model (self->substance_row, substance_uses);
  g_object_unref (indications);
  g_object_unref (substance_uses);

  self->patient = existing ? traj_patient_copy (existing) : traj_patient_new ();
  if (existing)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->mrn_row), existing->mrn);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), existing->name);
      traj_date_entry_set_day (self->birth_entry, existing->birth_day);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), existing->notes ? existing->notes : "", -1);
    }
  adw_combo_row_set_selected (self->sex_row, self->patient->sex);
  adw_combo_row_set_selected (self->indication_row, self->patient->indication);
  traj_gui_detail_row_set (self->detail_row, self->patient->indication, self->patient->indication_detail);
  gtk_switch_set_active (self->risk_switch, self->patient->risk_si_at != TRAJ_TIME_NONE);
  adw_combo_row_set_selected (self->substance_row, self->patient->substance_use);
  show_risk (self);

  g_signal_connect_swapped (self->birth_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->sex_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->indication_row, "notify::selected", G_CALLBACK (on_indication_changed), self);
  g_signal_connect_swapped (self->indication_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->detail_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->risk_switch, "notify::active", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->substance_row, "notify::selected", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->notes_view), "changed", G_CALLBACK (on_field_changed), self);

  validate (self);
  /* Filling the form is not an edit. Editing starts in the name with the
   * cursor after it, never with the name selected: the first key typed would
   * otherwise replace the patient's whole name. */
  if (existing)
    {
      gtk_text_grab_focus_without_selecting (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->name_row))));
      gtk_editable_set_position (GTK_EDITABLE (self->name_row), -1);
    }
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->mrn_row));
  return self;
}
