/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

/* The Cohorts view's filters: the filter editor of a cohort and the
 * hand-made cohorts' buttons. */

#include "config.h"

#include <glib/gi18n.h>

#include "traj-cohort-view-private.h"
#include "traj-date-entry.h"
#include "traj-gui.h"

/* ---- filter editor ---------------------------------------------------------- */

typedef enum {
  CRIT_INDICATION,
  CRIT_ROUTE,
  CRIT_MEDICINE,
  CRIT_SEX,
  CRIT_AGE_BAND,
} Criterion;

typedef struct {
  TrajCohortView *self;
  TrajCohortFilter *filter;
  Criterion criterion;
  guint bit;
} CheckData;

static guint *
criterion_mask (TrajCohortFilter *f, Criterion c)
{
  switch (c)
    {
    case CRIT_INDICATION: return &f->indications;
    case CRIT_ROUTE: return &f->routes;
    case CRIT_MEDICINE: return &f->medicines;
    case CRIT_SEX: return &f->sexes;
    case CRIT_AGE_BAND:
    default: return &f->age_bands;
    }
}

static void
on_check_toggled (GtkCheckButton *check, CheckData *d)
{
  guint *mask = criterion_mask (d->filter, d->criterion);

  if (gtk_check_button_get_active (check))
    *mask |= 1u << d->bit;
  else
    *mask &= ~(1u << d->bit);
  traj_cohort_view_schedule (d->self);
}

static const char *
criterion_label (Criterion c, guint k)
{
  switch (c)
    {
    case CRIT_INDICATION: return traj_indication_label ((TrajIndication) k);
    case CRIT_ROUTE: return traj_route_label ((TrajRoute) k);
    case CRIT_MEDICINE: return traj_medicine_label ((TrajMedicine) k);
    case CRIT_SEX: return traj_sex_label ((TrajSex) k);
    case CRIT_AGE_BAND:
    default: return traj_age_band_label ((TrajAgeBand) k);
    }
}

static GtkWidget *
criterion_section (TrajCohortView *self, TrajCohortFilter *f, Criterion c, const char *title, guint n)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 3);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_box_append (GTK_BOX (box), heading);
  for (guint k = 0; k < n; k++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (criterion_label (c, k));
      CheckData *d = g_new0 (CheckData, 1);

      d->self = self;
      d->filter = f;
      d->criterion = c;
      d->bit = k;
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), (*criterion_mask (f, c) & (1u << k)) != 0);
      g_signal_connect_data (check, "toggled", G_CALLBACK (on_check_toggled), d, (GClosureNotify) g_free, 0);
      gtk_flow_box_append (GTK_FLOW_BOX (flow), check);
    }
  gtk_box_append (GTK_BOX (box), flow);
  return box;
}

typedef struct {
  TrajCohortView *self;
  TrajCohortFilter *filter;
  gboolean is_to;
} DateData;

static void
on_date_changed (TrajDateEntry *entry, DateData *d)
{
  gint32 day = traj_date_entry_get_day (entry);
  const char *text = gtk_editable_get_text (traj_date_entry_get_editable (entry));

  /* Half-typed dates wait; an empty field clears the bound. */
  if (day == TRAJ_DAY_NONE && *text)
    return;
  if (d->is_to)
    d->filter->start_to = day;
  else
    d->filter->start_from = day;
  traj_cohort_view_schedule (d->self);
}

typedef struct {
  TrajCohortView *self;
  TrajCohortFilter *filter;
  gboolean clinicians;
} ListData;

static void
on_list_changed (GtkEditable *editable, ListData *d)
{
  char ***list = d->clinicians ? &d->filter->clinicians : &d->filter->protocols;
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (editable), ",", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint k = 0; parts[k]; k++)
    {
      g_strstrip (parts[k]);
      if (*parts[k])
        g_strv_builder_add (b, parts[k]);
    }
  g_strfreev (*list);
  *list = g_strv_builder_end (b);
  if (g_strv_length (*list) == 0)
    g_clear_pointer (list, g_strfreev);
  traj_cohort_view_schedule (d->self);
}

static GtkWidget *
text_row (TrajCohortView *self, TrajCohortFilter *f, gboolean clinicians)
{
  GtkWidget *entry = gtk_entry_new ();
  ListData *d = g_new0 (ListData, 1);
  char **list = clinicians ? f->clinicians : f->protocols;
  g_autofree char *joined = list ? g_strjoinv (", ", list) : g_strdup ("");

  d->self = self;
  d->filter = f;
  d->clinicians = clinicians;
  gtk_editable_set_text (GTK_EDITABLE (entry), joined);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), clinicians ? _("Clinicians, separated by commas")
                                                                : _("Protocol labels, separated by commas"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  clinicians ? _("Clinician") : _("Protocol"), -1);
  g_signal_connect_data (entry, "changed", G_CALLBACK (on_list_changed), d, (GClosureNotify) g_free, 0);
  return entry;
}

static GtkWidget *
date_row (TrajCohortView *self, TrajCohortFilter *f)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *from = traj_date_entry_new ();
  GtkWidget *to = traj_date_entry_new ();
  DateData *df = g_new0 (DateData, 1), *dt = g_new0 (DateData, 1);

  df->self = dt->self = self;
  df->filter = dt->filter = f;
  dt->is_to = TRUE;
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (from), f->start_from);
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (to), f->start_to);
  gtk_accessible_update_property (GTK_ACCESSIBLE (from), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Courses starting from"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (to), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Courses starting until"), -1);
  g_signal_connect_data (from, "changed", G_CALLBACK (on_date_changed), df, (GClosureNotify) g_free, 0);
  g_signal_connect_data (to, "changed", G_CALLBACK (on_date_changed), dt, (GClosureNotify) g_free, 0);
  gtk_box_append (GTK_BOX (box), from);
  gtk_box_append (GTK_BOX (box), gtk_label_new ("–"));
  gtk_box_append (GTK_BOX (box), to);
  return box;
}

static GtkWidget *
filter_editor (TrajCohortView *self, TrajCohortFilter *f)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading;

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), criterion_section (self, f, CRIT_INDICATION, _("Indication"), TRAJ_N_INDICATIONS));
  gtk_box_append (GTK_BOX (box), criterion_section (self, f, CRIT_ROUTE, _("Route"), TRAJ_N_ROUTES));
  gtk_box_append (GTK_BOX (box), criterion_section (self, f, CRIT_MEDICINE, _("Medicine"), TRAJ_N_MEDICINES));
  gtk_box_append (GTK_BOX (box), criterion_section (self, f, CRIT_SEX, _("Sex"), TRAJ_N_SEXES));
  gtk_box_append (GTK_BOX (box), criterion_section (self, f, CRIT_AGE_BAND, _("Age at course start"), TRAJ_N_AGE_BANDS - 1));
  heading = gtk_label_new (_("Course start"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), date_row (self, f));
  heading = gtk_label_new (_("Protocol and clinician"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), text_row (self, f, FALSE));
  gtk_box_append (GTK_BOX (box), text_row (self, f, TRUE));
  return box;
}

GtkWidget *
traj_cohort_view_filter_popover (TrajCohortView *self, TrajCohortFilter *f, GtkWidget *extra_top, GtkWidget *extra_bottom)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  if (extra_top)
    gtk_box_append (GTK_BOX (box), extra_top);
  gtk_box_append (GTK_BOX (box), filter_editor (self, f));
  if (extra_bottom)
    gtk_box_append (GTK_BOX (box), extra_bottom);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 560);
  gtk_widget_set_size_request (scroller, 380, -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), box);
  gtk_popover_set_child (GTK_POPOVER (popover), scroller);
  return popover;
}

static guint
count_criteria (const TrajCohortFilter *f)
{
  return (f->indications != 0) + (f->routes != 0) + (f->medicines != 0) + (f->sexes != 0) +
         (f->age_bands != 0) + (f->protocols != NULL) + (f->clinicians != NULL) +
         (f->start_from != TRAJ_DAY_NONE || f->start_to != TRAJ_DAY_NONE);
}

void
traj_cohort_view_update_filter_label (TrajCohortView *self)
{
  guint n = count_criteria (&self->def->filter);
  g_autofree char *label = n == 0 ? g_strdup (_("All Courses"))
                                  : g_strdup_printf (ngettext ("%u Filter", "%u Filters", n), n);

  gtk_menu_button_set_label (self->filter_button, label);
}

/* ---- hand-made cohorts --------------------------------------------------------- */

typedef struct {
  TrajCohortView *self;
  guint index;
  GtkWidget *button;             /* the cohort's menu button, labelled with its name */
} CohortRef;

static void
on_cohort_name_changed (GtkEditable *editable, CohortRef *r)
{
  TrajCohortSpec *spec;

  if (r->index >= r->self->def->cohorts->len)
    return;
  spec = g_ptr_array_index (r->self->def->cohorts, r->index);
  g_free (spec->label);
  spec->label = g_strdup (gtk_editable_get_text (editable));
  if (r->button)
    {
      g_autofree char *fallback = g_strdup_printf (_("Cohort %u"), r->index + 1);
      gtk_menu_button_set_label (GTK_MENU_BUTTON (r->button), *spec->label ? spec->label : fallback);
    }
  traj_cohort_view_schedule (r->self);
}

static gboolean
rebuild_later (gpointer data)
{
  traj_cohort_view_rebuild_cohort_buttons (data);
  return G_SOURCE_REMOVE;
}

static void
on_cohort_remove (GtkButton *button, CohortRef *r)
{
  TrajCohortView *self = r->self;

  if (r->index < self->def->cohorts->len && self->def->cohorts->len > 1)
    g_ptr_array_remove_index (self->def->cohorts, r->index);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_MENU_BUTTON)));
  /* Not from inside the popover being torn down. */
  g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_later, g_object_ref (self), g_object_unref);
  traj_cohort_view_schedule (self);
}

void
traj_cohort_view_rebuild_cohort_buttons (TrajCohortView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->cohort_buttons)))
    gtk_box_remove (GTK_BOX (self->cohort_buttons), child);
  for (guint k = 0; k < self->def->cohorts->len; k++)
    {
      TrajCohortSpec *spec = g_ptr_array_index (self->def->cohorts, k);
      GtkWidget *button = gtk_menu_button_new ();
      GtkWidget *name = gtk_entry_new ();
      GtkWidget *remove = gtk_button_new_with_mnemonic (_("_Remove This Cohort"));
      CohortRef *r = g_new0 (CohortRef, 1), *r2 = g_new0 (CohortRef, 1);
      g_autofree char *fallback = g_strdup_printf (_("Cohort %u"), k + 1);

      r->self = r2->self = self;
      r->index = r2->index = k;
      r->button = button;
      gtk_editable_set_text (GTK_EDITABLE (name), spec->label ? spec->label : "");
      gtk_entry_set_placeholder_text (GTK_ENTRY (name), fallback);
      gtk_accessible_update_property (GTK_ACCESSIBLE (name), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Cohort name"), -1);
      g_signal_connect_data (name, "changed", G_CALLBACK (on_cohort_name_changed), r, (GClosureNotify) g_free, 0);
      gtk_widget_add_css_class (remove, "destructive-action");
      gtk_widget_set_sensitive (remove, self->def->cohorts->len > 1);
      g_signal_connect_data (remove, "clicked", G_CALLBACK (on_cohort_remove), r2, (GClosureNotify) g_free, 0);
      gtk_menu_button_set_label (GTK_MENU_BUTTON (button), spec->label && *spec->label ? spec->label : fallback);
      gtk_menu_button_set_always_show_arrow (GTK_MENU_BUTTON (button), TRUE);
      gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), traj_cohort_view_filter_popover (self, &spec->filter, name, remove));
      gtk_box_append (GTK_BOX (self->cohort_buttons), button);
    }
  gtk_widget_set_sensitive (self->add_button, self->def->cohorts->len < TRAJ_COHORT_MAX);
}

void
traj_cohort_view_add_cohort (TrajCohortView *self)
{
  if (self->def->cohorts->len >= TRAJ_COHORT_MAX)
    return;
  traj_cohort_definition_add (self->def, NULL);
  traj_cohort_view_rebuild_cohort_buttons (self);
  traj_cohort_view_schedule (self);
}
