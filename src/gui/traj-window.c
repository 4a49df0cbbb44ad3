/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-cohort-view.h"
#include "traj-editor-dialog.h"
#include "traj-outcomes.h"
#include "traj-patient-page.h"
#include "traj-patient-row.h"
#include "traj-gui.h"
#include "traj-connection-banner.h"
#include "traj-safety-alerts.h"
#include "traj-toast-guard.h"
#include "traj-window-private.h"

G_DEFINE_FINAL_TYPE (TrajWindow, traj_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_DEMO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "Needs attention (12)", or with a search "Needs attention (3 of 12)". */
static char *
filter_label (TrajWindow *self, TrajPatientFilter filter)
{
  static const char *const names[] = {
    [TRAJ_PATIENT_FILTER_ALL] = N_("All patients"),
    [TRAJ_PATIENT_FILTER_NEEDS_ATTENTION] = N_("Needs attention"),
    [TRAJ_PATIENT_FILTER_ACTIVE_COURSE] = N_("Active course"),
  };
  guint n = traj_patient_list_count (self->patients, filter);

  if (traj_patient_list_has_search (self->patients))
    /* Translators: a patient list filter while searching: "All patients (3 of 80)" */
    return g_strdup_printf (_("%s (%u of %u)"), _(names[filter]),
                            traj_patient_list_count_matching (self->patients, filter), n);
  /* Translators: a patient list filter: "All patients (80)" */
  return g_strdup_printf (_("%s (%u)"), _(names[filter]), n);
}

void
traj_window_update_filter_counts (TrajWindow *self)
{
  g_autofree char *all = filter_label (self, TRAJ_PATIENT_FILTER_ALL);
  g_autofree char *attention = filter_label (self, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  g_autofree char *active = filter_label (self, TRAJ_PATIENT_FILTER_ACTIVE_COURSE);
  const char *items[] = { all, attention, active, NULL };
  guint selected = gtk_drop_down_get_selected (self->filter_dropdown);

  /* Replace the labels in place; the selection stays where it was. */
  g_signal_handlers_block_matched (self->filter_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_string_list_splice (self->filter_model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)), items);
  gtk_drop_down_set_selected (self->filter_dropdown, selected == GTK_INVALID_LIST_POSITION ? 0 : selected);
  g_signal_handlers_unblock_matched (self->filter_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

/* Nothing shown under a filter is not "no such patient": say how many of
 * All patients the search finds, with a button that shows them. */
static void
update_no_results (TrajWindow *self)
{
  guint filter = gtk_drop_down_get_selected (self->filter_dropdown);
  gboolean filtered = filter != GTK_INVALID_LIST_POSITION && filter != TRAJ_PATIENT_FILTER_ALL;
  gboolean search = traj_patient_list_has_search (self->patients);
  g_autofree char *text = NULL;

  if (filtered && search)
    {
      guint n = traj_patient_list_count_matching (self->patients, TRAJ_PATIENT_FILTER_ALL);

      if (n > 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u patient in All patients matches this search.",
                                             "%u patients in All patients match this search.", n),
                                n);
      else
        text = g_strdup (_("No patient in All patients matches either. Try another name or MRN."));
    }
  else if (filtered)
    text = g_strdup (_("No patient is in this list now."));
  else
    text = g_strdup (_("Try another name or MRN."));
  adw_status_page_set_title (self->no_results_page,
                             search ? _("No Matching Patients") : _("No Patients in This List"));
  adw_status_page_set_description (self->no_results_page, text);
  gtk_widget_set_visible (GTK_WIDGET (self->show_all_button), filtered);
}

void
traj_window_update_list_page (TrajWindow *self)
{
  guint total = traj_patient_list_get_n_total (self->patients);
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->patients));

  if (self->cohorts_only)
    gtk_stack_set_visible_child_name (self->list_stack, "unavailable");
  else if (self->loading && total == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "loading");
  else if (total == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "empty");
  else if (shown == 0)
    {
      update_no_results (self);
      gtk_stack_set_visible_child_name (self->list_stack, "no-results");
    }
  else
    gtk_stack_set_visible_child_name (self->list_stack, "list");
}

/* The patient page and the Cohorts view are built when first needed, so
 * the window's first frame does not wait for them. */
static TrajPatientPage *
ensure_page (TrajWindow *self)
{
  if (self->page == NULL)
    {
      self->page = TRAJ_PATIENT_PAGE (traj_patient_page_new (self->store, self->settings));
      gtk_widget_set_vexpand (GTK_WIDGET (self->page), TRUE);
      gtk_box_append (GTK_BOX (self->patient_bin), GTK_WIDGET (self->page));
    }
  return self->page;
}

static GtkWidget *
ensure_cohorts (TrajWindow *self)
{
  if (self->cohorts == NULL)
    {
      self->cohorts = traj_cohort_view_new (self->store, self->settings);
      gtk_widget_set_vexpand (self->cohorts, TRUE);
      gtk_box_append (GTK_BOX (self->cohort_box), self->cohorts);
    }
  return self->cohorts;
}

/* Ctrl+I, Ctrl+R, Ctrl+P act on the open patient wherever the focus is. */
static void
set_patient_actions_enabled (TrajWindow *self, gboolean enabled)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.log-infusion", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.record-scores", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print-report", enabled);
}

void
traj_window_show_patient_content (TrajWindow *self)
{
  TrajPatientSummary *s = self->patient_id ? traj_patient_list_lookup (self->patients, self->patient_id) : NULL;

  /* A patient asked for before the list has arrived is shown when it does. */
  if (s == NULL && self->loading && self->patient_id)
    return;
  if (s == NULL)
    {
      /* The open patient was deleted (here or elsewhere): on a narrow
       * window, back to the list rather than an empty page. */
      if (self->patient_id && adw_leaflet_get_folded (self->leaflet))
        adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
      self->patient_id = 0;
      if (self->page)
        traj_patient_page_set_patient (self->page, 0);
      gtk_stack_set_visible_child_name (self->content_stack, "none");
      adw_window_title_set_title (self->content_title, "");
      adw_window_title_set_subtitle (self->content_title, "");
      set_patient_actions_enabled (self, FALSE);
      return;
    }
  adw_window_title_set_title (self->content_title, s->name);
  adw_window_title_set_subtitle (self->content_title, s->mrn);
  if (traj_patient_page_get_patient (ensure_page (self)) != self->patient_id)
    traj_patient_page_set_patient (self->page, self->patient_id);
  gtk_stack_set_visible_child_name (self->content_stack, "patient");
  set_patient_actions_enabled (self, TRUE);
}

static void
select_patient_row (TrajWindow *self)
{
  int pos = self->patient_id ? traj_patient_list_find (self->patients, self->patient_id) : -1;

  gboolean was = self->updating_list;

  self->updating_list = TRUE;
  if (pos >= 0)
    gtk_single_selection_set_selected (self->selection, (guint) pos);
  else
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  self->updating_list = was;
}

static void
load_thresholds (TrajWindow *self, TrajThresholds *t)
{
  traj_thresholds_init_defaults (t);
  if (self->settings)
    traj_thresholds_load (t, self->settings);
}

/* The "needs attention" counts and badges come with the list: the clinic
 * keeps each patient's state, written with every change
 * (traj-store-attention.c). Only states that no longer hold (the thresholds
 * changed, or a record dated later became due) are computed again, on a
 * worker thread with its own connection, and written back for the next
 * start. */
typedef struct {
  TrajThresholds thresholds;
  gint64 now;
} AttentionData;

static void
attention_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TrajWindow *self = source;
  AttentionData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open_secondary (self->store, &error);
  g_autoptr(GPtrArray) list = NULL;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Best effort: a read-only clinic or login keeps the stored states as
   * they are, and this window computes the ones it needs below. */
  if (!traj_store_refresh_attention (store, NULL, cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("Could not refresh the stored needs-attention states: %s", error->message);
      g_clear_error (&error);
    }
  if ((list = traj_store_list_patients_brief (store, &error)) == NULL ||
      !traj_outcomes_fill_summaries (store, list, &d->thresholds, d->now, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&list), (GDestroyNotify) g_ptr_array_unref);
}

static void select_patient_row (TrajWindow *self);

static void
attention_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TrajWindow *self = TRAJ_WINDOW (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *list = g_task_propagate_pointer (G_TASK (result), &error);

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not compute findings for the patient list: %s", error->message);
      return;
    }
  self->busy = FALSE;
  self->updating_list = TRUE;
  traj_patient_list_set_patients (self->patients, list);
  self->updating_list = FALSE;
  traj_window_update_filter_counts (self);
  traj_window_update_list_page (self);
  select_patient_row (self);
}

static void
start_attention (TrajWindow *self)
{
  g_autoptr(GTask) task = NULL;
  AttentionData *d = g_new0 (AttentionData, 1);

  if (self->store == NULL)
    {
      g_free (d);
      return;
    }
  g_cancellable_cancel (self->attention_cancellable);
  g_clear_object (&self->attention_cancellable);
  self->attention_cancellable = g_cancellable_new ();
  load_thresholds (self, &d->thresholds);
  d->now = traj_time_now ();
  self->busy = TRUE;
  task = g_task_new (self, self->attention_cancellable, attention_done, NULL);
  g_task_set_task_data (task, d, g_free);
  g_task_run_in_thread (task, attention_thread);
}

/* The pass above, only when a stored state in the list does not hold. */
static void
check_attention (TrajWindow *self)
{
  TrajThresholds t;

  load_thresholds (self, &t);
  if (!traj_patient_list_attention_current (self->patients, traj_thresholds_fingerprint (&t), traj_time_now ()))
    {
      g_debug ("A stored needs-attention state does not hold: computing those again");
      start_attention (self);
      return;
    }
  /* A pass still running from before would bring back an older list. */
  g_cancellable_cancel (self->attention_cancellable);
  self->busy = FALSE;
}

/* The first frame shows at once; the list arrives from a worker thread with
 * its own connection (a 10,000-patient clinic takes a few hundred ms). */
static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TrajWindow *self = source;
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajStore) store = traj_store_open_secondary (self->store, &error);
  GPtrArray *list = store ? traj_store_list_patients_brief (store, &error) : NULL;

  if (list == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TrajWindow *self = TRAJ_WINDOW (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *list = g_task_propagate_pointer (G_TASK (result), &error);

  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          AdwToast *toast = adw_toast_new (error->message);
          adw_toast_set_timeout (toast, 0);
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
          self->loading = FALSE;
          traj_window_update_list_page (self);
        }
      return;
    }
  self->loading = FALSE;
  self->updating_list = TRUE;
  traj_patient_list_set_patients (self->patients, list);
  self->updating_list = FALSE;
  traj_window_update_filter_counts (self);
  traj_window_update_list_page (self);
  select_patient_row (self);
  traj_window_show_patient_content (self);
  check_attention (self);
}

void
traj_window_start_loading (TrajWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->attention_cancellable);
  g_clear_object (&self->attention_cancellable);
  self->attention_cancellable = g_cancellable_new ();
  self->loading = TRUE;
  traj_window_update_list_page (self);
  task = g_task_new (self, self->attention_cancellable, load_done, NULL);
  g_task_run_in_thread (task, load_thread);
}

/* Cohorts are computed when first shown, and again when shown after the
 * records changed: never in the background while nobody looks. */
static void
on_view_changed (TrajWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);
  TrajCohortView *cohorts;

  if (g_strcmp0 (name, "cohorts") != 0)
    return;
  /* Built on the first visit, whether or not records changed before it. */
  cohorts = TRAJ_COHORT_VIEW (ensure_cohorts (self));
  if (self->cohorts_stale || traj_cohort_view_get_report (cohorts) == NULL)
    {
      self->cohorts_stale = FALSE;
      traj_cohort_view_refresh (cohorts);
    }
}

/* Safety answers from the tablet (CLINICAL.md §4) raise an alert that stays
 * until the patient is opened here: those taken since a little before this
 * window opened whose finding is still open (nobody acknowledged it yet). */
#define ALERT_LOOKBACK_S (12 * 3600)

static void
refresh_safety_alerts (TrajWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  TrajThresholds t;

  if (self->store == NULL)
    return;
  answers = traj_store_list_tablet_safety_answers (self->store, self->alerts_since, &error);
  if (answers == NULL)
    {
      g_warning ("Could not look for safety answers from the tablet: %s", error->message);
      return;
    }
  load_thresholds (self, &t);
  for (guint k = 0; k < answers->len; k++)
    {
      TrajSafetyAnswer *a = g_ptr_array_index (answers, k);
      g_autoptr(TrajPatientSummary) s = NULL;

      if (traj_safety_alerts_knows (self->safety_alerts, a->assessment_id))
        continue;
      s = traj_store_get_patient_summary (self->store, a->patient_id, &error);
      if (s == NULL || !traj_outcomes_fill_summary (self->store, s, &t, traj_time_now (), &error))
        {
          /* Unknown is not "acknowledged": alert anyway. */
          g_warning ("Could not check patient %" G_GINT64_FORMAT "'s findings: %s", a->patient_id,
                     error ? error->message : "");
          g_clear_error (&error);
        }
      else if (!s->safety_open)
        continue;
      traj_safety_alerts_add (self->safety_alerts, a);
    }
}

static void
on_open_alerted_patient (TrajSafetyAlerts *alerts,
                         gint64            patient_id,
                         TrajWindow       *self)
{
  adw_view_stack_set_visible_child_name (self->view_stack, "patients");
  traj_window_show_patient (self, patient_id);
}

static void
on_store_changed (TrajStore  *store,
                  guint       kind,
                  gint64      patient_id,
                  TrajWindow *self)
{
  g_autoptr(GError) error = NULL;

  self->cohorts_stale = TRUE;
  if (self->cohorts_only)
    return;
  if (patient_id > 0)
    {
      TrajPatientSummary *s = traj_store_get_patient_summary (store, patient_id, &error);
      if (s == NULL && !g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND))
        g_warning ("Could not refresh patient %" G_GINT64_FORMAT ": %s", patient_id, error->message);
      if (s)
        {
          TrajThresholds t;
          load_thresholds (self, &t);
          if (!traj_outcomes_fill_summary (store, s, &t, traj_time_now (), &error))
            g_warning ("Could not compute findings: %s", error->message);
        }
      self->updating_list = TRUE;
      traj_patient_list_update (self->patients, patient_id, s);
      self->updating_list = FALSE;
    }
  else
    {
      /* Another program changed the clinic: reload the list and keep the
       * open patient (the page reloads itself on the same signal). */
      self->updating_list = TRUE;
      if (!traj_patient_list_reload (self->patients, store, &error))
        g_warning ("Could not reload the patient list: %s", error->message);
      self->updating_list = FALSE;
      check_attention (self);
    }

  traj_window_update_filter_counts (self);
  traj_window_update_list_page (self);
  select_patient_row (self);
  traj_window_show_patient_content (self);
  refresh_safety_alerts (self);
}

static void
on_settings_changed (GSettings  *settings,
                     const char *key,
                     TrajWindow *self)
{
  static const char *prefixes[] = { "response-", "mcid-", "remission-", "induction-", "worsening-",
                                    "baseline-", "vitals-" };

  /* A changed threshold changes findings everywhere they are shown. */
  for (guint k = 0; k < G_N_ELEMENTS (prefixes); k++)
    if (g_str_has_prefix (key, prefixes[k]))
      {
        if (self->page)
          traj_patient_page_reload (self->page);
        start_attention (self);
        return;
      }
}

static gboolean
poll_store (gpointer data)
{
  TrajWindow *self = data;

  /* Another program (the tablet kiosk, the CLI, another workstation) may
   * have written: its changes reach this window within a few seconds. */
  if (self->store && !self->loading)
    traj_store_poll_external_changes (self->store);
  return G_SOURCE_CONTINUE;
}

static void
on_search_changed (TrajWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* Typing on a row goes to the search (its key capture): so does the
   * focus, before the row may be filtered away. GTK 4.8 keeps a dangling
   * focus when the last row holding it goes. */
  if (focus && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  self->updating_list = TRUE;
  traj_patient_list_set_search (self->patients, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  self->updating_list = FALSE;
  traj_window_update_filter_counts (self);
  traj_window_update_list_page (self);
  select_patient_row (self);
}

/* Enter in the search box opens the first match. */
static void
on_search_activate (TrajWindow *self)
{
  g_autoptr(TrajPatientItem) first = g_list_model_get_item (G_LIST_MODEL (self->patients), 0);

  if (first == NULL)
    return;
  traj_window_show_patient (self, traj_patient_item_get_id (first));
  /* Side by side, typing goes on in the search (the page's heading would
   * otherwise take the focus and show itself selected). */
  if (!adw_leaflet_get_folded (self->leaflet))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  else
    traj_patient_page_focus_first_action (self->page);
}

static void
on_show_all_clicked (TrajWindow *self)
{
  gtk_drop_down_set_selected (self->filter_dropdown, TRAJ_PATIENT_FILTER_ALL);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_filter_selected (TrajWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->filter_dropdown);

  if (pos == GTK_INVALID_LIST_POSITION)
    return;
  self->updating_list = TRUE;
  traj_patient_list_set_filter (self->patients, (TrajPatientFilter) pos);
  self->updating_list = FALSE;
  traj_window_update_list_page (self);
  select_patient_row (self);
}

static void
on_selection_changed (TrajWindow *self)
{
  TrajPatientItem *item = gtk_single_selection_get_selected_item (self->selection);

  /* A row moving or leaving the list is not the clinician choosing. */
  if (self->updating_list)
    return;
  if (item == NULL)
    return;
  if (traj_patient_item_get_id (item) != self->patient_id)
    {
      self->patient_id = traj_patient_item_get_id (item);
      traj_window_show_patient_content (self);
      traj_safety_alerts_patient_opened (self->safety_alerts, self->patient_id);
    }
}

static void
on_list_activate (GtkListView *view,
                  guint        position,
                  TrajWindow  *self)
{
  g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (self->patients), position);

  if (item)
    traj_window_show_patient (self, traj_patient_item_get_id (item));
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  gtk_list_item_set_child (list_item, traj_patient_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  traj_patient_row_set_item (TRAJ_PATIENT_ROW (gtk_list_item_get_child (list_item)),
                             gtk_list_item_get_item (list_item));
}

static void
on_back_clicked (TrajWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_folded_changed (TrajWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  /* On a narrow window a tap opens the patient at once. */
  gtk_list_view_set_single_click_activate (self->list_view, folded);
}

static GList *
dirty_editors (TrajWindow *self)
{
  GList *out = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint k = 0; k < g_list_model_get_n_items (toplevels); k++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, k);
      if (TRAJ_IS_EDITOR_DIALOG (w) && gtk_window_get_transient_for (w) == GTK_WINDOW (self) &&
          traj_editor_dialog_get_dirty (TRAJ_EDITOR_DIALOG (w)))
        out = g_list_prepend (out, w);
    }
  return out;
}

static void
on_close_response (AdwMessageDialog *dialog, const char *response, TrajWindow *self)
{
  GList *dirty;

  if (g_strcmp0 (response, "discard") != 0)
    return;
  /* The question goes before the window it belongs to (traj_gui_dismiss()). */
  traj_gui_dismiss (GTK_WINDOW (dialog));
  dirty = dirty_editors (self);
  for (GList *e = dirty; e; e = e->next)
    traj_editor_dialog_force_close (e->data);
  g_list_free (dirty);
  self->closing = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* ---- GObject ----------------------------------------------------------------- */

/* GTK 4.8's Shortcuts window heads a single section with its own word,
 * "Shortcuts", not the window's title: the header says what the menu item
 * and the window say, "Keyboard Shortcuts". The application gives the
 * window its Shortcuts window as it takes the window in. */
static void
title_help_overlay (TrajWindow *self,
                    GParamSpec *pspec,
                    gpointer    data)
{
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (self));
  GtkWidget *header, *titles, *label;

  if (overlay == NULL)
    return;
  header = gtk_window_get_titlebar (GTK_WINDOW (overlay));
  titles = GTK_IS_HEADER_BAR (header) ? gtk_header_bar_get_title_widget (GTK_HEADER_BAR (header)) : NULL;
  label = GTK_IS_STACK (titles) ? gtk_stack_get_child_by_name (GTK_STACK (titles), "title") : NULL;
  if (GTK_IS_LABEL (label))
    gtk_label_set_label (GTK_LABEL (label), gtk_window_get_title (GTK_WINDOW (overlay)));
}

static void
traj_window_constructed (GObject *object)
{
  TrajWindow *self = TRAJ_WINDOW (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (traj_window_parent_class)->constructed (object);

  if (self->settings)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, 0);
    }

  if (self->store)
    {
      traj_connection_banner_set_store (self->connection_banner, self->store);
      self->store_changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (on_store_changed), self);
      /* On a clinic server, other devices' changes come as they commit. */
      if (!traj_store_watch_changes (self->store, &error))
        g_warning ("Could not follow the clinic server's changes: %s", error->message);
      traj_store_poll_external_changes (self->store);
      self->poll_id = g_timeout_add_seconds (3, poll_store, self);
      /* A lead's login on a server (postgres/011) reads cohorts, not
       * patients: the window opens on Cohorts and says why the patient
       * list is empty. */
      self->cohorts_only = !traj_store_can_read_identities (self->store);
      if (!self->cohorts_only)
        {
          traj_window_start_loading (self);
          self->alerts_since = traj_time_now () - ALERT_LOOKBACK_S;
          refresh_safety_alerts (self);
        }
    }
  g_signal_connect_object (self->view_stack, "notify::visible-child-name", G_CALLBACK (on_view_changed), self,
                           G_CONNECT_SWAPPED);
  if (self->cohorts_only)
    {
      static const char *patient_actions[] = { "win.new-patient", "win.show-patient", "win.import", "win.export-csv",
                                               "win.export-fhir", "win.log-infusion", "win.record-scores",
                                               "win.print-report", "win.search" };

      for (guint k = 0; k < G_N_ELEMENTS (patient_actions); k++)
        gtk_widget_action_set_enabled (GTK_WIDGET (self), patient_actions[k], FALSE);
      GtkWidget *none = gtk_stack_get_child_by_name (self->content_stack, "none");

      gtk_widget_set_visible (GTK_WIDGET (self->search_entry), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->filter_dropdown), FALSE);
      if (ADW_IS_STATUS_PAGE (none))
        {
          adw_status_page_set_icon_name (ADW_STATUS_PAGE (none), "view-grid-symbolic");
          adw_status_page_set_title (ADW_STATUS_PAGE (none), _("Cohorts Only"));
          adw_status_page_set_description (ADW_STATUS_PAGE (none),
                                           _("Patient pages need a clinician’s sign-in. Open Cohorts to compare "
                                             "the clinic’s outcomes."));
        }
      adw_view_stack_set_visible_child_name (self->view_stack, "cohorts");
    }
  traj_window_update_filter_counts (self);
  traj_window_update_list_page (self);
  traj_window_show_patient_content (self);
}

static gboolean
traj_window_close_request (GtkWindow *window)
{
  TrajWindow *self = TRAJ_WINDOW (window);
  GList *dirty = self->closing ? NULL : dirty_editors (self);

  if (dirty)
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Unsaved Changes"),
                                                           _("A form you were filling in has not been saved. Close anyway and lose it?")));
      adw_message_dialog_add_responses (dialog, "keep", _("_Keep Editing"), "discard", _("_Discard and Close"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "keep");
      adw_message_dialog_set_close_response (dialog, "keep");
      g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
      gtk_window_present (GTK_WINDOW (dialog));
      gtk_window_present (GTK_WINDOW (dirty->data));
      g_list_free (dirty);
      return TRUE;
    }

  if (self->settings)
    {
      int width, height;
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }
  return GTK_WINDOW_CLASS (traj_window_parent_class)->close_request (window);
}

static void
traj_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajWindow *self = TRAJ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_DEMO:
      traj_window_set_demo (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajWindow *self = TRAJ_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, gtk_widget_get_visible (self->demo_label));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_window_dispose (GObject *object)
{
  TrajWindow *self = TRAJ_WINDOW (object);

  if (self->store_changed_id)
    g_clear_signal_handler (&self->store_changed_id, self->store);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->audit_window)
    traj_gui_dismiss (GTK_WINDOW (self->audit_window));
  g_clear_weak_pointer (&self->audit_window);
  g_cancellable_cancel (self->attention_cancellable);
  g_clear_object (&self->attention_cancellable);
  /* The switchers live inside the stack they point at: break the cycle. */
  if (self->sidebar_switcher)
    adw_view_switcher_set_stack (self->sidebar_switcher, NULL);
  if (self->cohort_switcher)
    adw_view_switcher_set_stack (self->cohort_switcher, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->patients);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_window_parent_class)->dispose (object);
}

static void
traj_window_class_init (TrajWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = traj_window_constructed;
  object_class->set_property = traj_window_set_property;
  object_class->get_property = traj_window_get_property;
  object_class->dispose = traj_window_dispose;
  window_class->close_request = traj_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* A demo clinic (made-up patients) says so on every screen. */
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_SAFETY_ALERTS);
  g_type_ensure (TRAJ_TYPE_CONNECTION_BANNER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, safety_alerts);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, connection_banner);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, sidebar_switcher);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, cohort_switcher);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, cohort_box);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, demo_label);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, filter_model);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, show_all_button);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, TrajWindow, patient_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_show_all_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);

  traj_window_class_actions_init (widget_class);
}

static void
traj_window_init (TrajWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "notify::application", G_CALLBACK (title_help_overlay), NULL);
  traj_toast_guard_attach (self->toast_overlay);
  g_signal_connect (self->safety_alerts, "open-patient", G_CALLBACK (on_open_alerted_patient), self);

  self->patients = traj_patient_list_new ();
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->patients)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_list_activate), self);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->list_view));
  {
    GtkEventController *keys = gtk_shortcut_controller_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Down, 0),
                                                            gtk_named_action_new ("win.focus-list")));
    gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
  }
  /* A clinician opens the window to find someone: typing goes to the
   * search from the start (else the first button, New Patient, takes the
   * keyboard and the typed name goes nowhere). */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->search_entry));
  set_patient_actions_enabled (self, FALSE);
}

TrajWindow *
traj_window_new (TrajApplication *app,
                 TrajStore       *store,
                 GSettings       *settings)
{
  return g_object_new (TRAJ_TYPE_WINDOW,
                       "application", app,
                       "store", store,
                       "settings", settings,
                       NULL);
}

TrajPatientList *
traj_window_get_patient_list (TrajWindow *self)
{
  g_return_val_if_fail (TRAJ_IS_WINDOW (self), NULL);
  return self->patients;
}

void
traj_window_show_patient (TrajWindow *self,
                          gint64      patient_id)
{
  g_return_if_fail (TRAJ_IS_WINDOW (self));

  self->patient_id = patient_id;
  select_patient_row (self);
  traj_window_show_patient_content (self);
  if (self->patient_id)
    {
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
      traj_safety_alerts_patient_opened (self->safety_alerts, self->patient_id);
    }
}

GtkWidget *
traj_window_get_audit_window (TrajWindow *self)
{
  g_return_val_if_fail (TRAJ_IS_WINDOW (self), NULL);
  return self->audit_window;
}

GtkWidget *
traj_window_get_cohort_view (TrajWindow *self)
{
  return ensure_cohorts (self);
}

void
traj_window_reload (TrajWindow *self)
{
  self->cohorts_stale = TRUE;
  traj_window_start_loading (self);
  if (self->page)
    traj_patient_page_reload (self->page);
  traj_window_show_patient_content (self);
}

gboolean
traj_window_is_busy (TrajWindow *self)
{
  return self->busy || self->loading;
}

GtkWidget *
traj_window_get_patient_page (TrajWindow *self)
{
  return GTK_WIDGET (ensure_page (self));
}

gint64
traj_window_get_patient_id (TrajWindow *self)
{
  return self->patient_id;
}

void
traj_window_add_toast (TrajWindow *self,
                       AdwToast   *toast)
{
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

gboolean
traj_window_has_unsaved_work (TrajWindow *self)
{
  GList *dirty;
  gboolean any;

  g_return_val_if_fail (TRAJ_IS_WINDOW (self), FALSE);
  dirty = dirty_editors (self);
  any = dirty != NULL;
  g_list_free (dirty);
  return any;
}

void
traj_window_set_demo (TrajWindow *self,
                      gboolean    demo)
{
  g_return_if_fail (TRAJ_IS_WINDOW (self));

  demo = !!demo;
  if (gtk_widget_get_visible (self->demo_label) == demo)
    return;
  gtk_widget_set_visible (self->demo_label, demo);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}
