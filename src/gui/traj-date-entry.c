/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>

#include "traj-date-entry.h"

struct _TrajDateEntry
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkWidget *entry;
  GtkWidget *button;
  GtkWidget *calendar;
};

G_DEFINE_FINAL_TYPE (TrajDateEntry, traj_date_entry, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_entry_changed (TrajDateEntry *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

/* A day typed another way ("1961/7/5", "5 Jul 1961") is shown as the ISO
 * day it was read as once the person moves on; text that is no day stays
 * as typed, for the form's message to point at. */
static void
normalise (TrajDateEntry *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  gint32 day = traj_day_from_text (text);
  g_autofree char *iso = traj_day_to_iso (day);

  if (iso && !g_str_equal (iso, text))
    gtk_editable_set_text (GTK_EDITABLE (self->entry), iso);
}

static void
on_day_selected (TrajDateEntry *self)
{
  g_autoptr(GDateTime) dt = gtk_calendar_get_date (GTK_CALENDAR (self->calendar));
  gint32 day = traj_day_from_ymd (g_date_time_get_year (dt), g_date_time_get_month (dt),
                                  g_date_time_get_day_of_month (dt));

  traj_date_entry_set_day (self, day);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->button));
}

static void
on_popover_show (TrajDateEntry *self)
{
  gint32 day = traj_date_entry_get_day (self);
  int y, m, d;
  g_autoptr(GDateTime) dt = NULL;

  if (day == TRAJ_DAY_NONE)
    day = traj_day_today ();
  if (!traj_day_to_ymd (day, &y, &m, &d))
    return;
  dt = g_date_time_new_local (y, m, d, 12, 0, 0);
  g_signal_handlers_block_by_func (self->calendar, on_day_selected, self);
  gtk_calendar_select_day (GTK_CALENDAR (self->calendar), dt);
  g_signal_handlers_unblock_by_func (self->calendar, on_day_selected, self);
}

static void
traj_date_entry_dispose (GObject *object)
{
  TrajDateEntry *self = TRAJ_DATE_ENTRY (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (traj_date_entry_parent_class)->dispose (object);
}

static gboolean
traj_date_entry_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (TRAJ_DATE_ENTRY (widget)->entry);
}

static void
traj_date_entry_class_init (TrajDateEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_date_entry_dispose;
  widget_class->grab_focus = traj_date_entry_grab_focus;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
traj_date_entry_init (TrajDateEntry *self)
{
  GtkEventController *focus;
  GtkWidget *popover;

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->box, "linked");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->entry = gtk_entry_new ();
  /* Translators: placeholder of a date field; keep the ISO order */
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), _("YYYY-MM-DD"));
  gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 11);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->entry), 12);
  gtk_widget_set_valign (self->entry, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), self->entry);
  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (normalise), self);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (normalise), self);
  gtk_widget_add_controller (self->entry, focus);

  self->calendar = gtk_calendar_new ();
  g_signal_connect_swapped (self->calendar, "day-selected", G_CALLBACK (on_day_selected), self);
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), self->calendar);
  g_signal_connect_swapped (popover, "show", G_CALLBACK (on_popover_show), self);

  self->button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->button), "x-office-calendar-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), popover);
  gtk_widget_set_tooltip_text (self->button, _("Pick a Date"));
  gtk_widget_set_valign (self->button, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), self->button);
}

GtkWidget *
traj_date_entry_new (void)
{
  return g_object_new (TRAJ_TYPE_DATE_ENTRY, NULL);
}

gint32
traj_date_entry_get_day (TrajDateEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_DATE_ENTRY (self), TRAJ_DAY_NONE);
  return traj_day_from_text (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
}

void
traj_date_entry_set_day (TrajDateEntry *self,
                         gint32         day)
{
  g_autofree char *iso = traj_day_to_iso (day);

  g_return_if_fail (TRAJ_IS_DATE_ENTRY (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), iso ? iso : "");
}

GtkEditable *
traj_date_entry_get_editable (TrajDateEntry *self)
{
  return GTK_EDITABLE (self->entry);
}
