/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-audit-window.h"
#include "traj-date-entry.h"

G_BEGIN_DECLS

/* Events the list loads at a time. */
#define TRAJ_AUDIT_PAGE 200

typedef enum {
  TRAJ_AUDIT_CHAIN_CHECKING,
  TRAJ_AUDIT_CHAIN_WHOLE,
  TRAJ_AUDIT_CHAIN_BROKEN,
} TrajAuditChainState;

struct _TrajAuditWindow
{
  AdwWindow parent_instance;

  TrajStore *store;
  gulong changed_id;
  guint reload_id;
  GCancellable *cancellable;       /* the chain check and an export */
  GListStore *events;              /* TrajAuditItem */
  GtkSingleSelection *selection;
  GPtrArray *patient_uids;         /* the patient drop-down's uids, [0] NULL: any */
  GHashTable *patient_names;       /* uid → "Name (MRN …)" */
  GStrv people;                    /* the person drop-down's entries after "Anyone" */
  GStrv actions;                   /* the action drop-down's codes after "Any action" */
  gint64 total;                    /* events the filters match */
  gboolean more;                   /* older matching events not loaded yet */
  TrajAuditChainState chain;
  gboolean exporting;
  GtkFileChooserNative *chooser;
  AdwToast *last_toast;            /* weak, for tests */

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkWidget *export_button;
  GtkWidget *chain_box;
  GtkSpinner *chain_spinner;
  GtkImage *chain_icon;
  GtkLabel *chain_label;
  GtkDropDown *patient_drop;
  GtkDropDown *person_drop;
  GtkDropDown *action_drop;
  GtkLabel *from_label;
  GtkLabel *to_label;
  TrajDateEntry *from_entry;
  TrajDateEntry *to_entry;
  GtkLabel *filter_message;
  AdwLeaflet *leaflet;
  GtkWidget *list_pane;
  GtkStack *list_stack;
  GtkListView *list_view;
  AdwStatusPage *empty_page;
  GtkWidget *more_bar;
  GtkLabel *shown_label;
  GtkWidget *more_button;
  GtkStack *detail_stack;
  GtkWidget *back_button;
  GtkLabel *detail_title;
  GtkListBox *facts;
  GtkLabel *detail_heading;
  GtkBox *detail_content;
};

/* The event at @position of the list (loaded events only). */
const TrajAuditEvent *traj_audit_window_get_event (TrajAuditWindow *self,
                                                   guint            position);

G_END_DECLS
