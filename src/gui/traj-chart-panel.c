/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "traj-chart-panel.h"
#include "traj-gui.h"
#include "traj-save-chooser.h"

struct _TrajChartPanel
{
  GtkWidget parent_instance;

  GtkWidget *header;
  GtkLabel *title_label;
  GtkToggleButton *date_button;
  GtkToggleButton *infusion_button;
  GtkMenuButton *export_button;
  TrajChartView *view;

  GSettings *settings;            /* the last export's folder */
  gboolean asking;                /* while an export asks for a file */
};

G_DEFINE_FINAL_TYPE (TrajChartPanel, traj_chart_panel, GTK_TYPE_WIDGET)

enum {
  ITEM_ACTIVATED,
  EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const struct {
  const char *format;
  const char *mime;
  const char *filter_name;
} export_formats[] = {
  { "png", "image/png", N_("PNG image") },
  { "svg", "image/svg+xml", N_("SVG drawing") },
  { "pdf", "application/pdf", N_("PDF document") },
};

/* ---- callbacks ----------------------------------------------------------- */

static void
axis_toggled_cb (GtkToggleButton *button,
                 TrajChartPanel  *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  traj_chart_view_set_axis (self->view, button == self->infusion_button ? TRAJ_CHART_AXIS_INFUSION
                                                                        : TRAJ_CHART_AXIS_DATE);
}

static void
axis_changed_cb (TrajChartView  *view,
                 GParamSpec     *pspec,
                 TrajChartPanel *self)
{
  gboolean infusion = traj_chart_view_get_axis (view) == TRAJ_CHART_AXIS_INFUSION;

  gtk_toggle_button_set_active (infusion ? self->infusion_button : self->date_button, TRUE);
}

static void
item_activated_cb (TrajChartView  *view,
                   int             record_kind,
                   gint64          record_id,
                   TrajChartPanel *self)
{
  g_signal_emit (self, signals[ITEM_ACTIVATED], 0, record_kind, record_id);
}

static void
show_export_error (TrajChartPanel *self, const char *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Could Not Export the Chart"), message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_chosen_cb (const char *path,
                  gpointer    user_data)
{
  g_autoptr(TrajChartPanel) self = user_data;
  g_autoptr(GError) error = NULL;

  self->asking = FALSE;
  if (!traj_chart_panel_export (self, path, &error))
    show_export_error (self, error->message);
}

static void
export_dismissed (gpointer user_data)
{
  TrajChartPanel *self = user_data;

  self->asking = FALSE;
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TrajChartPanel *self = TRAJ_CHART_PANEL (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  TrajChartModel *model = traj_chart_view_get_model (self->view);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = NULL;
  g_autofree char *name = NULL, *pattern = NULL, *extension = NULL;
  guint k;

  for (k = 0; k < G_N_ELEMENTS (export_formats); k++)
    if (g_str_equal (format, export_formats[k].format))
      break;
  if (k == G_N_ELEMENTS (export_formats) || model == NULL || self->asking)
    return;

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _(export_formats[k].filter_name));
  gtk_file_filter_add_mime_type (filter, export_formats[k].mime);
  pattern = g_strconcat ("*.", format, NULL);
  gtk_file_filter_add_pattern (filter, pattern);

  if (traj_chart_model_get_mrn (model))
    {
      g_autofree char *mrn = g_strdup (traj_chart_model_get_mrn (model));
      g_strdelimit (mrn, "/\\:", '-');
      /* Translators: suggested file name of an exported chart: "MRN-100500 chart.pdf" */
      name = g_strdup_printf (_("%s chart.%s"), mrn, format);
    }
  else
    name = g_strdup_printf (_("Chart.%s"), format);

  /* A name typed without its extension still gets the chosen format. */
  extension = g_strconcat (".", format, NULL);
  self->asking = TRUE;
  traj_save_chooser_run (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->settings, _("Export Chart"),
                         name, extension, filter, export_chosen_cb, g_object_ref (self), export_dismissed);
}

/* ---- vfuncs -------------------------------------------------------------- */

static void
traj_chart_panel_dispose (GObject *object)
{
  TrajChartPanel *self = TRAJ_CHART_PANEL (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_CHART_PANEL);
  G_OBJECT_CLASS (traj_chart_panel_parent_class)->dispose (object);
}

static void
traj_chart_panel_class_init (TrajChartPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = traj_chart_panel_dispose;

  /**
   * TrajChartPanel::item-activated:
   * @record_kind: a TrajRecordKind: assessment or infusion
   * @record_id: the record's id
   */
  signals[ITEM_ACTIVATED] =
    g_signal_new ("item-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT64);

  /**
   * TrajChartPanel::exported:
   * @path: the file the chart was written to, complete
   *
   * For the audit trail: whoever knows the patient records the output.
   */
  signals[EXPORTED] =
    g_signal_new ("exported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "chart.export", "s", export_action);

  traj_gui_init ();
  g_type_ensure (TRAJ_TYPE_CHART_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-chart-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajChartPanel, header);
  gtk_widget_class_bind_template_child (widget_class, TrajChartPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, TrajChartPanel, date_button);
  gtk_widget_class_bind_template_child (widget_class, TrajChartPanel, infusion_button);
  gtk_widget_class_bind_template_child (widget_class, TrajChartPanel, export_button);
  gtk_widget_class_bind_template_child (widget_class, TrajChartPanel, view);
  gtk_widget_class_bind_template_callback (widget_class, axis_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, axis_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, item_activated_cb);
  gtk_widget_class_set_css_name (widget_class, "trajchartpanel");
}

static void
traj_chart_panel_init (TrajChartPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  traj_gui_menu_button_quiet_tooltip (self->export_button);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.export", FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->infusion_button), FALSE);
}

/* ---- public API ------------------------------------------------------------ */

GtkWidget *
traj_chart_panel_new (void)
{
  return g_object_new (TRAJ_TYPE_CHART_PANEL, NULL);
}

void
traj_chart_panel_set_model (TrajChartPanel *self,
                            TrajChartModel *model)
{
  gboolean has_infusions;

  g_return_if_fail (TRAJ_IS_CHART_PANEL (self));

  traj_chart_view_set_model (self->view, model);
  has_infusions = model && traj_chart_model_get_n_infusions (model) > 0;
  /* No infusions, no infusion numbers to count by. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->infusion_button), has_infusions);
  if (!has_infusions)
    traj_chart_view_set_axis (self->view, TRAJ_CHART_AXIS_DATE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.export",
                                 model != NULL && !traj_chart_model_is_empty (model));
}

TrajChartView *
traj_chart_panel_get_view (TrajChartPanel *self)
{
  g_return_val_if_fail (TRAJ_IS_CHART_PANEL (self), NULL);
  return self->view;
}

gboolean
traj_chart_panel_export (TrajChartPanel *self,
                         const char     *path,
                         GError        **error)
{
  g_return_val_if_fail (TRAJ_IS_CHART_PANEL (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!traj_chart_view_export (self->view, path, error))
    return FALSE;
  g_signal_emit (self, signals[EXPORTED], 0, path);
  return TRUE;
}

void
traj_chart_panel_set_settings (TrajChartPanel *self,
                               GSettings      *settings)
{
  g_return_if_fail (TRAJ_IS_CHART_PANEL (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  g_set_object (&self->settings, settings);
}
