/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Audit Trail window: see traj-audit-window.h. The list holds one page
 * of events at a time (newest first, TRAJ_AUDIT_PAGE each), so a clinic
 * with 100,000 events opens as fast as one with ten; the chain check reads
 * every event, so it runs on its own connection on a worker thread. */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "traj-audit-csv.h"
#include "traj-audit-text.h"
#include "traj-audit-window-private.h"
#include "traj-gui.h"
#include "traj-toast-guard.h"

/* ---- one event in the list model ------------------------------------------- */

#define TRAJ_TYPE_AUDIT_ITEM (traj_audit_item_get_type ())
G_DECLARE_FINAL_TYPE (TrajAuditItem, traj_audit_item, TRAJ, AUDIT_ITEM, GObject)

struct _TrajAuditItem
{
  GObject parent_instance;
  TrajAuditEvent *event;
};

G_DEFINE_FINAL_TYPE (TrajAuditItem, traj_audit_item, G_TYPE_OBJECT)

static void
traj_audit_item_finalize (GObject *object)
{
  g_clear_pointer (&TRAJ_AUDIT_ITEM (object)->event, traj_audit_event_free);
  G_OBJECT_CLASS (traj_audit_item_parent_class)->finalize (object);
}

static void
traj_audit_item_class_init (TrajAuditItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = traj_audit_item_finalize;
}

static void
traj_audit_item_init (TrajAuditItem *self)
{
}

/* Takes @event. */
static TrajAuditItem *
traj_audit_item_new (TrajAuditEvent *event)
{
  TrajAuditItem *item = g_object_new (TRAJ_TYPE_AUDIT_ITEM, NULL);

  item->event = event;
  return item;
}

/* ---- the window --------------------------------------------------------------- */

G_DEFINE_FINAL_TYPE (TrajAuditWindow, traj_audit_window, ADW_TYPE_WINDOW)

static void reload (TrajAuditWindow *self);

/* What each action the store writes means, in words. */
static const struct {
  const char *code;
  const char *label;
} action_labels[] = {
  { "insert", N_("Created") },
  { "update", N_("Changed") },
  { "delete", N_("Deleted") },
  { "undelete", N_("Delete undone") },
  { "confirm", N_("Confirmed") },
  { "import", N_("Imported") },
  { "export", N_("Exported") },
  { "backup", N_("Backed up") },
  { "restore", N_("Restored from a backup") },
  { "demo", N_("Demo clinic written") },
  { "report", N_("Report written") },
  { "chart", N_("Chart exported") },
  { "print", N_("Printed") },
  { "audit-export", N_("Audit trail exported") },
  { "migrate", N_("Clinic file upgraded") },
  { "migrate-in", N_("Moved in from another clinic") },
  { "login", N_("Signed in") },
  { "grant", N_("Access granted") },
  { "revoke", N_("Access withdrawn") },
  { "use", N_("Check-in code used") },
  { "release", N_("Check-in code given back") },
  { "right-pin", N_("Staff PIN accepted") },
  { "wrong-pin", N_("Wrong staff PIN") },
  { "wrong-code", N_("Wrong check-in code") },
};

static const char *
action_label (const char *code)
{
  for (guint k = 0; k < G_N_ELEMENTS (action_labels); k++)
    if (g_strcmp0 (code, action_labels[k].code) == 0)
      return _(action_labels[k].label);
  return code;
}

/* "Dr. Okafor (login nurse1)", "nurse1", or a dash. */
static char *
person_text (const TrajAuditEvent *e)
{
  gboolean has_clinician = e->clinician && *e->clinician;
  gboolean has_login = e->os_user && *e->os_user;

  if (has_clinician && has_login && !g_str_equal (e->clinician, e->os_user))
    /* Translators: 1: the clinician's name, 2: the computer login */
    return g_strdup_printf (_("%1$s (login %2$s)"), e->clinician, e->os_user);
  if (has_clinician)
    return g_strdup (e->clinician);
  if (has_login)
    return g_strdup (e->os_user);
  return g_strdup ("—");
}

/* An event's one-line title, in words (traj-audit-text.h). */
static char *
event_title (const TrajAuditEvent *e)
{
  char *title = traj_audit_event_title (e);

  if (*title)
    return title;
  g_free (title);
  return g_strdup (action_label (e->action));
}

static const TrajAuditEvent *
item_event (gpointer item)
{
  return item ? TRAJ_AUDIT_ITEM (item)->event : NULL;
}

/* ---- rows ------------------------------------------------------------------------ */

static void
row_setup (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_widget_add_css_class (box, "audit-row");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (list_item, box);
}

static void
row_bind (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  const TrajAuditEvent *e = item_event (gtk_list_item_get_item (list_item));
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autofree char *when = traj_time_format (e->at);
  g_autofree char *who = person_text (e);
  g_autofree char *line = NULL;
  g_autofree char *label = NULL;
  g_autofree char *heading = event_title (e);

  /* Translators: an audit event's second line: 1: date and time, 2: what
   * happened ("Changed"), 3: who */
  line = g_strdup_printf (_("%1$s · %2$s · %3$s"), when, action_label (e->action), who);
  gtk_label_set_text (GTK_LABEL (title), heading);
  gtk_label_set_text (GTK_LABEL (subtitle), line);
  label = g_strdup_printf ("%s. %s", heading, line);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (box)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* ---- the detail pane ------------------------------------------------------------- */

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else
        gtk_box_remove (GTK_BOX (box), child);
    }
}

static GtkWidget *
value_label (const char *text, gboolean monospace)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (monospace)
    gtk_widget_add_css_class (label, "monospace");
  return label;
}

static void
add_fact (TrajAuditWindow *self, const char *name, const char *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption = gtk_label_new (name);
  GtkWidget *row = gtk_list_box_row_new ();

  if (value == NULL || *value == '\0')
    return;
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (caption, "caption");
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), value_label (value, FALSE));
  gtk_widget_add_css_class (box, "audit-fact");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_append (self->facts, row);
}

static const char *
patient_name (TrajAuditWindow *self, const char *uid)
{
  const char *name = uid && *uid ? g_hash_table_lookup (self->patient_names, uid) : NULL;

  return name ? name : uid;
}

static const char *
batch_name (gpointer data, const char *uid)
{
  TrajAuditWindow *self = data;

  return g_hash_table_lookup (self->patient_names, uid);
}

/* "name: Ada → Ada Smith" lines: a table of field, before and after. */
static gboolean
show_changes (TrajAuditWindow *self, char **lines)
{
  GtkWidget *grid = gtk_grid_new ();
  const char *heads[] = { N_("Field"), N_("Before"), N_("After") };
  int row = 1;

  for (guint k = 0; lines[k]; k++)
    if (*lines[k] && (strstr (lines[k], ": ") == NULL || strstr (lines[k], " → ") == NULL))
      {
        g_object_ref_sink (grid);
        g_object_unref (grid);
        return FALSE;
      }
  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_widget_add_css_class (grid, "audit-changes");
  for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
    {
      GtkWidget *h = gtk_label_new (_(heads[c]));

      gtk_label_set_xalign (GTK_LABEL (h), 0);
      gtk_widget_add_css_class (h, "caption-heading");
      gtk_grid_attach (GTK_GRID (grid), h, (int) c, 0, 1, 1);
    }
  for (guint k = 0; lines[k]; k++)
    {
      char *colon = strstr (lines[k], ": ");
      char *arrow;
      g_autofree char *field = NULL, *before = NULL, *after = NULL;

      if (*lines[k] == '\0')
        continue;
      g_autofree char *key = g_strndup (lines[k], (gsize) (colon - lines[k]));
      g_autofree char *was = NULL;

      arrow = strstr (colon + 2, " → ");
      was = g_strndup (colon + 2, (gsize) (arrow - colon - 2));
      /* Stored as the clinic file holds them; shown in words and local time. */
      field = traj_audit_field_label (key);
      before = traj_audit_field_value (key, was);
      after = traj_audit_field_value (key, arrow + strlen (" → "));
      {
        const char *cells[] = { field, before, after };

        for (int c = 0; c < 3; c++)
          {
            GtkWidget *l = value_label (*cells[c] ? cells[c] : _("(empty)"), FALSE);

            gtk_widget_set_hexpand (l, c > 0);
            if (*cells[c] == '\0')
              gtk_widget_add_css_class (l, "dim-label");
            gtk_grid_attach (GTK_GRID (grid), l, c, row, 1, 1);
          }
      }
      row++;
    }
  gtk_label_set_text (self->detail_heading, _("What Changed"));
  gtk_box_append (self->detail_content, grid);
  return TRUE;
}

/* "to: /path" and "patient: uid" lines of an output. */
static gboolean
show_output (TrajAuditWindow *self, char **lines)
{
  g_autoptr(GString) patients = g_string_new (NULL);
  const char *to = NULL;

  for (guint k = 0; lines[k]; k++)
    if (g_str_has_prefix (lines[k], "to: "))
      to = lines[k] + 4;
    else if (g_str_has_prefix (lines[k], "patient: "))
      g_string_append_printf (patients, "%s%s", patients->len ? "\n" : "", patient_name (self, lines[k] + 9));
    else if (*lines[k])
      return FALSE;
  if (to == NULL)
    return FALSE;
  gtk_label_set_text (self->detail_heading, _("Where It Went"));
  gtk_box_append (self->detail_content, value_label (*to ? to : "—", TRUE));
  if (patients->len)
    {
      GtkWidget *h = gtk_label_new (_("Patients"));

      gtk_label_set_xalign (GTK_LABEL (h), 0);
      gtk_widget_add_css_class (h, "heading");
      gtk_widget_set_margin_top (h, 6);
      gtk_box_append (self->detail_content, h);
      gtk_box_append (self->detail_content, value_label (patients->str, FALSE));
    }
  else
    gtk_box_append (self->detail_content, value_label (_("Every patient in the clinic"), FALSE));
  return TRUE;
}

static void
show_detail (TrajAuditWindow *self, const TrajAuditEvent *e)
{
  g_autofree char *local = NULL, *when = NULL, *record = NULL, *number = NULL, *iso = NULL, *title = NULL;
  g_auto(GStrv) lines = NULL;

  clear_box (GTK_WIDGET (self->facts));
  clear_box (GTK_WIDGET (self->detail_content));
  if (e == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }
  gtk_stack_set_visible_child_name (self->detail_stack, "event");
  title = event_title (e);
  gtk_label_set_text (self->detail_title, title);

  local = traj_time_format (e->at);
  iso = traj_time_to_iso (e->at);
  /* Translators: 1: local date and time, 2: the same in UTC, ISO 8601 */
  when = g_strdup_printf (_("%1$s (%2$s)"), local, iso);
  add_fact (self, _("When"), when);
  add_fact (self, _("What happened"), action_label (e->action));
  add_fact (self, _("Clinician"), e->clinician && *e->clinician ? e->clinician : _("Not given"));
  add_fact (self, _("Computer login"), e->os_user);
  add_fact (self, _("Patient"), patient_name (self, e->patient_uid));
  if (e->record_uid && *e->record_uid && g_strcmp0 (e->record_uid, e->patient_uid) != 0)
    /* Translators: a record: 1: its kind ("Infusion"), 2: its id */
    record = g_strdup_printf (_("%1$s %2$s"), traj_audit_kind_label (e->record_kind), e->record_uid);
  add_fact (self, _("Record"), record);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
  add_fact (self, _("Event number"), number);

  gtk_widget_set_visible (GTK_WIDGET (self->detail_heading), e->detail && *e->detail);
  if (e->detail == NULL || *e->detail == '\0')
    return;
  lines = g_strsplit (e->detail, "\n", -1);
  if (g_strcmp0 (e->action, "update") == 0 && show_changes (self, lines))
    return;
  if (show_output (self, lines))
    return;
  if (g_strcmp0 (e->record_kind, "records") == 0)
    {
      g_autofree char *text = traj_audit_batch_text (e->detail, batch_name, self);
      g_autofree char *heading = NULL;
      guint n = 0;

      for (guint k = 0; lines[k]; k++)
        n += *lines[k] != '\0';
      /* Translators: %u is how many records a batch (import, demo, restore) wrote */
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Record Written", "%u Records Written", n), n);
      gtk_label_set_text (self->detail_heading, heading);
      gtk_box_append (self->detail_content, value_label (text ? g_strchomp (text) : e->detail, text == NULL));
      return;
    }
  gtk_label_set_text (self->detail_heading, _("Detail"));
  gtk_box_append (self->detail_content, value_label (g_strchomp (e->detail), TRUE));
}

static void
on_selection_changed (TrajAuditWindow *self)
{
  const TrajAuditEvent *e = item_event (gtk_single_selection_get_selected_item (self->selection));

  show_detail (self, e);
  if (e && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_stack));
}

static void
on_folded (TrajAuditWindow *self)
{
  gtk_widget_set_visible (self->back_button, adw_leaflet_get_folded (self->leaflet));
}

/* ---- filters --------------------------------------------------------------------- */

/* A drop-down's choices: @first, then @items (labelled by @label, or as they are). */
static void
set_choices (GtkDropDown *drop, const char *first, const char * const *items, const char *(*label) (const char *))
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  gtk_string_list_append (model, first);
  for (guint k = 0; items && items[k]; k++)
    gtk_string_list_append (model, label ? label (items[k]) : items[k]);
  gtk_drop_down_set_model (drop, G_LIST_MODEL (model));
}

static guint
index_of (const char * const *items, const char *value)
{
  for (guint k = 0; value && items && items[k]; k++)
    if (g_str_equal (items[k], value))
      return k + 1;
  return 0;
}

static void
load_choices (TrajAuditWindow *self, gboolean patients)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL, *action = NULL;
  guint sel;

  sel = gtk_drop_down_get_selected (self->person_drop);
  person = sel > 0 && self->people ? g_strdup (self->people[sel - 1]) : NULL;
  sel = gtk_drop_down_get_selected (self->action_drop);
  action = sel > 0 && self->actions ? g_strdup (self->actions[sel - 1]) : NULL;

  g_strfreev (self->people);
  self->people = traj_store_audit_people (self->store, &error);
  if (self->people == NULL)
    g_clear_error (&error);
  g_strfreev (self->actions);
  self->actions = traj_store_audit_actions (self->store, &error);
  if (self->actions == NULL)
    g_clear_error (&error);

  g_signal_handlers_block_by_func (self->person_drop, reload, self);
  g_signal_handlers_block_by_func (self->action_drop, reload, self);
  set_choices (self->person_drop, _("Anyone"), (const char * const *) self->people, NULL);
  gtk_drop_down_set_selected (self->person_drop, index_of ((const char * const *) self->people, person));
  set_choices (self->action_drop, _("Any action"), (const char * const *) self->actions, action_label);
  gtk_drop_down_set_selected (self->action_drop, index_of ((const char * const *) self->actions, action));
  g_signal_handlers_unblock_by_func (self->person_drop, reload, self);
  g_signal_handlers_unblock_by_func (self->action_drop, reload, self);

  if (patients)
    {
      g_autoptr(GPtrArray) list = traj_store_list_patients (self->store, &error);
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

      g_ptr_array_set_size (self->patient_uids, 0);
      g_ptr_array_add (self->patient_uids, NULL);
      g_hash_table_remove_all (self->patient_names);
      gtk_string_list_append (model, _("Any patient"));
      for (guint k = 0; list && k < list->len; k++)
        {
          const TrajPatientSummary *p = g_ptr_array_index (list, k);
          /* Translators: a patient in the audit trail's filter: 1: name, 2: MRN */
          char *text = g_strdup_printf (_("%1$s (MRN %2$s)"), p->name, p->mrn);

          g_ptr_array_add (self->patient_uids, g_strdup (p->uid));
          g_hash_table_insert (self->patient_names, g_strdup (p->uid), text);
          gtk_string_list_append (model, text);
        }
      g_signal_handlers_block_by_func (self->patient_drop, reload, self);
      gtk_drop_down_set_model (self->patient_drop, G_LIST_MODEL (model));
      gtk_drop_down_set_selected (self->patient_drop, 0);
      g_signal_handlers_unblock_by_func (self->patient_drop, reload, self);
    }
}

/* The filter the widgets show; FALSE (with the reason in @message) when a
 * date cannot be used. Strings point into @self. */
static gboolean
read_filter (TrajAuditWindow *self, TrajAuditFilter *f, const char **message)
{
  guint p = gtk_drop_down_get_selected (self->patient_drop);
  guint who = gtk_drop_down_get_selected (self->person_drop);
  guint what = gtk_drop_down_get_selected (self->action_drop);
  const char *from_text = gtk_editable_get_text (traj_date_entry_get_editable (self->from_entry));
  const char *to_text = gtk_editable_get_text (traj_date_entry_get_editable (self->to_entry));
  gint32 from = traj_date_entry_get_day (self->from_entry);
  gint32 to = traj_date_entry_get_day (self->to_entry);

  *f = (TrajAuditFilter) { .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  *message = NULL;
  if (p != GTK_INVALID_LIST_POSITION && p > 0 && p < self->patient_uids->len)
    f->patient_uid = g_ptr_array_index (self->patient_uids, p);
  if (who != GTK_INVALID_LIST_POSITION && who > 0 && self->people && who <= g_strv_length (self->people))
    f->person = self->people[who - 1];
  if (what != GTK_INVALID_LIST_POSITION && what > 0 && self->actions && what <= g_strv_length (self->actions))
    f->action = self->actions[what - 1];
  if ((*from_text && from == TRAJ_DAY_NONE) || (*to_text && to == TRAJ_DAY_NONE))
    *message = _("Type dates as YYYY-MM-DD, for example 2026-03-14, or pick them from the calendar.");
  else if (from != TRAJ_DAY_NONE && to != TRAJ_DAY_NONE && to < from)
    *message = _("The “To” date is before the “From” date.");
  if (*message)
    return FALSE;
  if (from != TRAJ_DAY_NONE)
    f->from = traj_time_from_day (from, 0, 0);
  if (to != TRAJ_DAY_NONE)
    f->to = traj_time_from_day (to + 1, 0, 0);
  return TRUE;
}

static void
update_counts (TrajAuditWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->events));
  g_autofree char *subtitle = NULL, *text = NULL;

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " event",
                                           "%" G_GINT64_FORMAT " events", (gulong) self->total), self->total);
  adw_window_title_set_subtitle (self->window_title, self->total > 0 ? subtitle : "");
  if (self->more)
    /* Translators: 1: events loaded, 2: events the filters match */
    text = g_strdup_printf (_("Showing the newest %1$u of %2$" G_GINT64_FORMAT " events"), shown, self->total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Showing the only matching event",
                                         "Showing all %u matching events", shown), shown);
  gtk_label_set_text (self->shown_label, text);
  gtk_widget_set_visible (self->more_button, self->more);
  gtk_widget_set_visible (self->more_bar, shown > 0);
  gtk_stack_set_visible_child_name (self->list_stack, shown > 0 ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", shown > 0 && !self->exporting);
}

/* Appends the next page of events to the list; FALSE on failure. */
static gboolean
load_page (TrajAuditWindow *self, const TrajAuditFilter *f, GError **error)
{
  TrajAuditFilter page = *f;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->events));
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  page.limit = TRAJ_AUDIT_PAGE + 1;
  page.before_id = n > 0 ? traj_audit_window_get_event (self, n - 1)->id : 0;
  events = traj_store_list_audit_filtered (self->store, &page, error);
  if (events == NULL)
    return FALSE;
  self->more = events->len > TRAJ_AUDIT_PAGE;
  for (guint k = 0; k < MIN (events->len, TRAJ_AUDIT_PAGE); k++)
    g_ptr_array_add (items, traj_audit_item_new (g_steal_pointer (&events->pdata[k])));
  g_list_store_splice (self->events, n, 0, items->pdata, items->len);
  return TRUE;
}

static void
show_load_error (TrajAuditWindow *self, const GError *error)
{
  gtk_label_set_text (self->filter_message, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->filter_message), TRUE);
}

static void
reload (TrajAuditWindow *self)
{
  g_autoptr(GError) error = NULL;
  const TrajAuditEvent *selected = item_event (gtk_single_selection_get_selected_item (self->selection));
  gint64 keep = selected ? selected->id : 0;
  const char *message = NULL;
  TrajAuditFilter f;

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_list_store_remove_all (self->events);
  self->total = 0;
  self->more = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->filter_message), FALSE);
  if (!read_filter (self, &f, &message))
    {
      gtk_label_set_text (self->filter_message, message);
      gtk_widget_set_visible (GTK_WIDGET (self->filter_message), TRUE);
      traj_gui_status_page_set_text (GTK_WIDGET (self->empty_page), message);
    }
  else if ((self->total = traj_store_count_audit_filtered (self->store, &f, &error)) < 0 ||
           !load_page (self, &f, &error))
    {
      self->total = 0;
      show_load_error (self, error);
    }
  else
    traj_gui_status_page_set_text (GTK_WIDGET (self->empty_page),
                                   _("No event in the audit trail matches these filters. "
                                     "Clear a filter to see more."));
  /* The same event stays selected when it is still listed. */
  for (guint k = 0; keep && k < g_list_model_get_n_items (G_LIST_MODEL (self->events)); k++)
    if (traj_audit_window_get_event (self, k)->id == keep)
      {
        gtk_single_selection_set_selected (self->selection, k);
        break;
      }
  if (gtk_single_selection_get_selected_item (self->selection) == NULL)
    show_detail (self, NULL);
  update_counts (self);
}

static gboolean
reload_idle (gpointer data)
{
  TrajAuditWindow *self = data;

  self->reload_id = 0;
  load_choices (self, FALSE);
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (TrajAuditWindow *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_idle_add (reload_idle, self);
}

/* ---- the chain ------------------------------------------------------------------- */

static void
set_chain (TrajAuditWindow *self, TrajAuditChainState state, const char *text)
{
  static const char * const classes[] = { "checking", "whole", "broken" };

  for (guint k = 0; k < G_N_ELEMENTS (classes); k++)
    gtk_widget_remove_css_class (self->chain_box, classes[k]);
  gtk_widget_add_css_class (self->chain_box, classes[state]);
  self->chain = state;
  gtk_spinner_set_spinning (self->chain_spinner, state == TRAJ_AUDIT_CHAIN_CHECKING);
  gtk_widget_set_visible (GTK_WIDGET (self->chain_spinner), state == TRAJ_AUDIT_CHAIN_CHECKING);
  gtk_widget_set_visible (GTK_WIDGET (self->chain_icon), state != TRAJ_AUDIT_CHAIN_CHECKING);
  gtk_image_set_from_icon_name (self->chain_icon, state == TRAJ_AUDIT_CHAIN_WHOLE ? "emblem-ok-symbolic"
                                                                                    : "dialog-warning-symbolic");
  gtk_label_set_text (self->chain_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->chain_box), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
verify_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  TrajStore *main_store = data;
  g_autoptr(TrajStore) store = NULL;
  GError *error = NULL;
  gint64 n = 0;

  store = traj_store_open_secondary (main_store, &error);
  if (store == NULL || !traj_store_audit_verify (store, &n, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, (gssize) n);
}

static void
verify_done (GObject *source, GAsyncResult *result, gpointer data)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (source);
  g_autoptr(GError) error = NULL;
  gssize n = g_task_propagate_int (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error)
    {
      /* Translators: %s says what is wrong, e.g. "The audit trail has been tampered with: event 8 was removed." */
      text = g_strdup_printf (_("%s Do not change this clinic file; keep a copy of it and tell whoever is "
                                "responsible for the clinic’s records."), error->message);
      set_chain (self, TRAJ_AUDIT_CHAIN_BROKEN, text);
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The audit trail is whole: its %" G_GSSIZE_FORMAT " event is linked "
                                       "and unchanged.",
                                       "The audit trail is whole: all %" G_GSSIZE_FORMAT " events are linked, "
                                       "none was changed or removed.", (gulong) n), n);
  set_chain (self, TRAJ_AUDIT_CHAIN_WHOLE, text);
}

static void
start_verify (TrajAuditWindow *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, verify_done, NULL);

  set_chain (self, TRAJ_AUDIT_CHAIN_CHECKING, _("Checking that no event was changed or removed…"));
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, verify_thread);
}

/* ---- export ---------------------------------------------------------------------- */

typedef struct {
  TrajStore *store;
  char *path;
  char *patient_uid, *person, *action;
  TrajAuditFilter filter;
  guint n;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->store);
  g_free (job->path);
  g_free (job->patient_uid);
  g_free (job->person);
  g_free (job->action);
  g_free (job);
}

static void
export_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ExportJob *job = data;
  g_autoptr(TrajStore) store = NULL;
  GError *error = NULL;

  store = traj_store_open_secondary (job->store, &error);
  if (store == NULL || !traj_audit_export_csv (store, &job->filter, job->path, &job->n, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
show_toast (TrajAuditWindow *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
export_done (GObject *source, GAsyncResult *result, gpointer data)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (source);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (job->path);
  g_autofree char *text = NULL;

  self->exporting = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s is why, e.g. "Permission denied" */
      text = g_strdup_printf (_("Nothing was exported: %s"), error->message);
    }
  else
    /* Translators: 1: how many events, 2: the file's name */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%1$u event exported to “%2$s”",
                                         "%1$u events exported to “%2$s”", job->n), job->n, name);
  show_toast (self, text);
  /* The export is itself an event, written on the worker's connection. */
  on_store_changed (self);
}

void
traj_audit_window_export_to_path (TrajAuditWindow *self,
                                  const char      *path)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;
  const char *message = NULL;
  TrajAuditFilter f;

  g_return_if_fail (TRAJ_IS_AUDIT_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (self->exporting || !read_filter (self, &f, &message))
    return;
  job = g_new0 (ExportJob, 1);
  job->store = g_object_ref (self->store);
  job->path = g_strdup (path);
  job->patient_uid = g_strdup (f.patient_uid);
  job->person = g_strdup (f.person);
  job->action = g_strdup (f.action);
  job->filter = f;
  job->filter.patient_uid = job->patient_uid;
  job->filter.person = job->person;
  job->filter.action = job->action;
  self->exporting = TRUE;
  update_counts (self);
  task = g_task_new (self, self->cancellable, export_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

static void
export_response (GtkNativeDialog *chooser, int response, TrajAuditWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path == NULL)
        show_toast (self, _("Nothing was exported: choose a file on this computer."));
      else
        {
          g_autofree char *lower = g_ascii_strdown (path, -1);
          g_autofree char *with = g_str_has_suffix (lower, ".csv") ? g_strdup (path) : g_strconcat (path, ".csv", NULL);

          traj_audit_window_export_to_path (self, with);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *today = traj_day_to_iso (traj_day_today ());
  g_autofree char *name = NULL;

  if (self->chooser || self->exporting)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export the Audit Trail"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("CSV spreadsheet"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  /* Translators: suggested file name; %s is today's date, 2026-03-14 */
  name = g_strdup_printf (_("Audit trail %s.csv"), today);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- other actions ----------------------------------------------------------------- */

static void
show_more_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  const char *message = NULL;
  TrajAuditFilter f;

  if (!self->more || !read_filter (self, &f, &message))
    return;
  if (!load_page (self, &f, &error))
    show_load_error (self, error);
  update_counts (self);
}

static void
clear_filters_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (widget);
  GtkDropDown *drops[] = { self->patient_drop, self->person_drop, self->action_drop };

  for (guint k = 0; k < G_N_ELEMENTS (drops); k++)
    g_signal_handlers_block_by_func (drops[k], reload, self);
  for (guint k = 0; k < G_N_ELEMENTS (drops); k++)
    gtk_drop_down_set_selected (drops[k], 0);
  g_signal_handlers_block_by_func (self->from_entry, reload, self);
  g_signal_handlers_block_by_func (self->to_entry, reload, self);
  gtk_editable_set_text (traj_date_entry_get_editable (self->from_entry), "");
  gtk_editable_set_text (traj_date_entry_get_editable (self->to_entry), "");
  g_signal_handlers_unblock_by_func (self->from_entry, reload, self);
  g_signal_handlers_unblock_by_func (self->to_entry, reload, self);
  for (guint k = 0; k < G_N_ELEMENTS (drops); k++)
    g_signal_handlers_unblock_by_func (drops[k], reload, self);
  reload (self);
}

static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
}

/* ---- vfuncs ---------------------------------------------------------------------- */

static void
traj_audit_window_dispose (GObject *object)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store && self->changed_id)
    g_clear_signal_handler (&self->changed_id, self->store);
  if (self->chooser)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  g_clear_weak_pointer (&self->last_toast);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_AUDIT_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->events);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (traj_audit_window_parent_class)->dispose (object);
}

static void
traj_audit_window_finalize (GObject *object)
{
  TrajAuditWindow *self = TRAJ_AUDIT_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->patient_uids);
  g_hash_table_unref (self->patient_names);
  g_strfreev (self->people);
  g_strfreev (self->actions);
  G_OBJECT_CLASS (traj_audit_window_parent_class)->finalize (object);
}

static void
traj_audit_window_class_init (TrajAuditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_audit_window_dispose;
  object_class->finalize = traj_audit_window_finalize;

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_DATE_ENTRY);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-audit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, chain_box);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, chain_spinner);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, chain_icon);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, chain_label);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, patient_drop);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, person_drop);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, action_drop);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, from_label);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, to_label);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, from_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, to_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, filter_message);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, more_bar);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, shown_label);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, more_button);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, detail_title);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, facts);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, detail_heading);
  gtk_widget_class_bind_template_child (widget_class, TrajAuditWindow, detail_content);

  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "audit.show-more", NULL, show_more_action);
  gtk_widget_class_install_action (widget_class, "audit.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "audit.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "audit.export", NULL);
}

static void
traj_audit_window_init (TrajAuditWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->patient_uids = g_ptr_array_new_with_free_func (g_free);
  self->patient_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->events = g_list_store_new (TRAJ_TYPE_AUDIT_ITEM);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->events)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (on_folded), self);
  gtk_label_set_mnemonic_widget (self->from_label, GTK_WIDGET (traj_date_entry_get_editable (self->from_entry)));
  gtk_label_set_mnemonic_widget (self->to_label, GTK_WIDGET (traj_date_entry_get_editable (self->to_entry)));
  gtk_drop_down_set_expression (self->patient_drop,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  traj_toast_guard_attach (self->toast_overlay);
  on_folded (self);
}

/* ---- public API ---------------------------------------------------------------- */

GtkWidget *
traj_audit_window_new (GtkWindow *parent,
                       TrajStore *store)
{
  TrajAuditWindow *self;

  g_return_val_if_fail (TRAJ_IS_STORE (store), NULL);

  self = g_object_new (TRAJ_TYPE_AUDIT_WINDOW, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  load_choices (self, TRUE);
  g_signal_connect_swapped (self->patient_drop, "notify::selected", G_CALLBACK (reload), self);
  g_signal_connect_swapped (self->person_drop, "notify::selected", G_CALLBACK (reload), self);
  g_signal_connect_swapped (self->action_drop, "notify::selected", G_CALLBACK (reload), self);
  g_signal_connect_swapped (self->from_entry, "changed", G_CALLBACK (reload), self);
  g_signal_connect_swapped (self->to_entry, "changed", G_CALLBACK (reload), self);
  self->changed_id = g_signal_connect_swapped (store, "changed", G_CALLBACK (on_store_changed), self);
  reload (self);
  start_verify (self);
  return GTK_WIDGET (self);
}

void
traj_audit_window_set_patient (TrajAuditWindow *self,
                               const char      *patient_uid)
{
  guint k;

  g_return_if_fail (TRAJ_IS_AUDIT_WINDOW (self));

  for (k = 1; patient_uid && k < self->patient_uids->len; k++)
    if (g_str_equal (g_ptr_array_index (self->patient_uids, k), patient_uid))
      break;
  gtk_drop_down_set_selected (self->patient_drop, patient_uid && k < self->patient_uids->len ? k : 0);
}

const TrajAuditEvent *
traj_audit_window_get_event (TrajAuditWindow *self,
                             guint            position)
{
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (TRAJ_IS_AUDIT_WINDOW (self), NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->events), position);
  /* The store keeps its own reference. */
  return item_event (item);
}
