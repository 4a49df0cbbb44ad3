/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "traj-audit-output.h"
#include "traj-chart-view.h"
#include "traj-cohort-chart.h"
#include "traj-cohort-view.h"
#include "traj-report.h"
#include "traj-safe-file.h"
#include "traj-date-entry.h"
#include "traj-gui.h"
#include "traj-cohort-view-private.h"
#include "traj-save-chooser.h"

G_DEFINE_FINAL_TYPE (TrajCohortView, traj_cohort_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


/* ---- results -------------------------------------------------------------------- */

static GtkWidget *
cell (TrajCohortView *self, const char *metric, int column, const char *text, gboolean header, gboolean dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), !header);
  gtk_widget_add_css_class (label, "cohort-cell");
  if (header)
    gtk_widget_add_css_class (label, "heading");
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  /* Narrow enough for the demo clinic's six cohorts side by side at
   * 1100 px with the app's style sheet (a bold cohort name is the widest
   * cell); longer texts wrap, and wider windows share out the rest. */
  if (column > 0)
    {
      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_width_chars (GTK_LABEL (label), 11);
    }
  else
    gtk_label_set_width_chars (GTK_LABEL (label), 15);
  if (metric && column > 0)
    g_hash_table_insert (self->cells, g_strdup_printf ("%s:%d", metric, column - 1), label);
  return label;
}

static char *
rate_text (const TrajCohortRate *r)
{
  g_autofree char *s = traj_cohort_rate_format (r);

  if (traj_cohort_rate_is_small (r))
    /* Translators: a rate on few courses, e.g. "40.0 % (16.8–68.7), 4/10 · small cohort" */
    return g_strdup_printf (_("%s · small cohort"), s);
  return g_steal_pointer (&s);
}

/* One line of the metrics table: a title and a text per cohort. */
typedef struct {
  char *metric;
  char *title;
  GStrv texts;
  gboolean header;
} MetricRow;

static void
metric_row_free (gpointer data)
{
  MetricRow *r = data;

  g_free (r->metric);
  g_free (r->title);
  g_strfreev (r->texts);
  g_free (r);
}

/* Below this width the cohorts stack, one block each, like the patient
 * page's columns: no sideways scrolling, the row titles stay beside their
 * values. */
#define FOLD_WIDTH 900
/* The page's margins, the frame, and a classic scrollbar's width. */
#define TABLE_SLACK (2 * 18 + 2 + 24)

static void
attach_value (TrajCohortView *self, const MetricRow *r, guint k, int col, int row, int stripe)
{
  gboolean no_data = g_strcmp0 (r->texts[k], _("no data")) == 0;
  GtkWidget *c = cell (self, r->metric, (int) k + 1, r->texts[k], r->header, no_data);

  if (stripe % 2 == 0)
    gtk_widget_add_css_class (c, "even");
  gtk_grid_attach (self->metrics_grid, c, col, row, 1, 1);
}

static gboolean refold (gpointer data);

static void
layout_metrics (TrajCohortView *self)
{
  GtkWidget *child;
  int row = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->metrics_grid))))
    gtk_grid_remove (self->metrics_grid, child);
  g_hash_table_remove_all (self->cells);
  if (self->rows == NULL || self->rows->len == 0)
    return;

  if (!self->folded)
    {
      for (guint i = 0; i < self->rows->len; i++)
        {
          const MetricRow *r = g_ptr_array_index (self->rows, i);

          gtk_grid_attach (self->metrics_grid, cell (self, r->metric, 0, r->title, TRUE, FALSE), 0, (int) i, 1, 1);
          for (guint k = 0; r->texts[k]; k++)
            attach_value (self, r, k, (int) k + 1, (int) i, (int) i);
        }
      /* More cohorts than fit side by side fold too, at any width. */
      {
        int min = 0, width = gtk_widget_get_width (GTK_WIDGET (self));

        gtk_widget_measure (GTK_WIDGET (self->metrics_grid), GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
        self->side_by_side_width = min + TABLE_SLACK;
        self->n_columns = g_strv_length (((const MetricRow *) g_ptr_array_index (self->rows, 0))->texts);
        if (width > 0 && width < self->side_by_side_width && self->fold_idle == 0)
          {
            self->folded = TRUE;
            self->fold_idle = g_idle_add (refold, self);
          }
      }
      return;
    }

  /* Folded: per cohort, its name as a heading, then title | value lines. */
  for (guint k = 0; ((const MetricRow *) g_ptr_array_index (self->rows, 0))->texts[k]; k++)
    for (guint i = 0; i < self->rows->len; i++)
      {
        const MetricRow *r = g_ptr_array_index (self->rows, i);

        if (r->header)
          {
            GtkWidget *c = cell (self, r->metric, (int) k + 1, r->texts[k], TRUE, FALSE);
            gtk_widget_remove_css_class (c, "heading");
            gtk_widget_add_css_class (c, "title-4");
            if (k > 0)
              gtk_widget_set_margin_top (c, 18);
            gtk_grid_attach (self->metrics_grid, c, 0, row++, 2, 1);
            continue;
          }
        gtk_grid_attach (self->metrics_grid, cell (self, NULL, 0, r->title, TRUE, FALSE), 0, row, 1, 1);
        attach_value (self, r, k, 1, row, (int) i);
        row++;
      }
}

static gboolean
refold (gpointer data)
{
  TrajCohortView *self = data;

  self->fold_idle = 0;
  layout_metrics (self);
  return G_SOURCE_REMOVE;
}

static void
traj_cohort_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static GtkSizeRequestMode
traj_cohort_view_get_request_mode (GtkWidget *widget)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  return child ? gtk_widget_get_request_mode (child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

/* A bin that folds its table by the width it gets. */
static void
traj_cohort_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);
  gboolean folded = width < MAX (FOLD_WIDTH, self->side_by_side_width);

  if (child)
    gtk_widget_allocate (child, width, height, baseline, NULL);
  /* The table is rebuilt outside the allocation. */
  if (folded != self->folded)
    {
      self->folded = folded;
      if (self->fold_idle == 0)
        self->fold_idle = g_idle_add (refold, self);
    }
}

static void
add_row (TrajCohortView *self, int row, const char *metric, const char *title, GPtrArray *texts, gboolean header)
{
  MetricRow *r = g_new0 (MetricRow, 1);

  r->metric = g_strdup (metric);
  r->title = g_strdup (title);
  r->header = header;
  g_ptr_array_add (texts, NULL);
  r->texts = g_strdupv ((char **) texts->pdata);
  g_ptr_array_add (self->rows, r);
  g_ptr_array_set_size (texts, 0);
}

static void
screen_options (TrajCohortView *self, TrajCohortChartOptions *options)
{
  traj_cohort_chart_options_init (options, self->chart_kind);
  options->show_title = FALSE;
}

/* The on-screen layout, made again only when the report, the kind or the
 * size changed: a frame only draws. */
static TrajCohortChartLayout *
screen_layout (TrajCohortView *self, int width, int height)
{
  TrajCohortChartOptions options;
  double w = 0, h = 0;

  if (self->report == NULL)
    return NULL;
  if (self->chart_layout)
    traj_cohort_chart_layout_get_size (self->chart_layout, &w, &h);
  if (self->chart_layout == NULL || w != MAX (width, 1) || h != MAX (height, 1))
    {
      g_clear_pointer (&self->chart_layout, traj_cohort_chart_layout_free);
      screen_options (self, &options);
      self->chart_layout = traj_cohort_chart_layout_new (self->report, &options, width, height);
    }
  return self->chart_layout;
}

static void
draw_chart (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  TrajCohortView *self = data;
  TrajCohortChartLayout *layout = screen_layout (self, width, height);
  TrajChartPalette palette;

  if (layout == NULL)
    return;
  traj_chart_palette_from_widget (GTK_WIDGET (area), &palette);
  traj_cohort_chart_draw (layout, cr, &palette);
}

/* Hovering a mean says how many courses it rests on. */
static gboolean
on_chart_query_tooltip (GtkWidget  *area,
                        int         x,
                        int         y,
                        gboolean    keyboard,
                        GtkTooltip *tooltip,
                        gpointer    data)
{
  TrajCohortView *self = data;
  TrajCohortChartLayout *layout;
  g_autofree char *text = NULL;

  if (keyboard)
    return FALSE;
  layout = screen_layout (self, gtk_widget_get_width (area), gtk_widget_get_height (area));
  if (layout == NULL || (text = traj_cohort_chart_layout_describe_point (layout, x, y, 8)) == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The chart's height at @width: one row of panels takes the usual height;
 * where a narrow window folds the panels into more rows (Cohorts at 800 px),
 * each further row adds the height of one, so the plots and the counts
 * under their axes keep a readable size. */
#define CHART_HEIGHT 340
#define CHART_ROW_HEIGHT 200

static void
fit_chart_height (TrajCohortView *self, int width)
{
  g_autoptr(TrajCohortChartLayout) own = NULL;
  TrajCohortChartLayout *layout = self->chart_layout;
  cairo_rectangle_t area;
  double tops[TRAJ_N_SCALES], w = 0, h;
  guint rows = 0;

  if (width <= 0 || self->report == NULL)
    return;
  /* The rows depend on the width alone: the layout on screen tells if it
   * has this width; the one drawn next is left alone. */
  if (layout)
    traj_cohort_chart_layout_get_size (layout, &w, &h);
  if (layout == NULL || w != width)
    {
      TrajCohortChartOptions options;

      screen_options (self, &options);
      layout = own = traj_cohort_chart_layout_new (self->report, &options, width, CHART_HEIGHT);
    }
  for (guint p = 0; p < traj_cohort_chart_layout_get_n_panels (layout) && rows < G_N_ELEMENTS (tops); p++)
    {
      gboolean seen = FALSE;

      traj_cohort_chart_layout_get_plot_area (layout, p, &area);
      for (guint r = 0; r < rows; r++)
        seen |= fabs (tops[r] - area.y) < 1;
      if (!seen)
        tops[rows++] = area.y;
    }
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->chart_area),
                                       CHART_HEIGHT + (int) (MAX (rows, 1) - 1) * CHART_ROW_HEIGHT);
}

static gboolean
fit_chart_height_idle (gpointer data)
{
  TrajCohortView *self = data;

  self->fit_chart_idle = 0;
  fit_chart_height (self, gtk_widget_get_width (self->chart_area));
  return G_SOURCE_REMOVE;
}

/* A new width may fold the panels differently. The height changes after
 * this allocation, not during it (GTK would not lay out again). */
static void
on_chart_resize (GtkDrawingArea *area, int width, int height, TrajCohortView *self)
{
  if (self->fit_chart_idle == 0)
    self->fit_chart_idle = g_idle_add (fit_chart_height_idle, self);
}

static void
update_chart (TrajCohortView *self)
{
  TrajCohortChartOptions options;
  g_autoptr(TrajCohortChartLayout) layout = NULL;
  g_autofree char *description = NULL;

  g_clear_pointer (&self->chart_layout, traj_cohort_chart_layout_free);
  if (self->report == NULL)
    return;
  traj_cohort_chart_options_init (&options, self->chart_kind);
  layout = traj_cohort_chart_layout_new (self->report, &options, 900, 360);
  description = traj_cohort_chart_layout_describe (layout);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->chart_area),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description ? description : "", -1);
  fit_chart_height (self, gtk_widget_get_width (self->chart_area));
  gtk_widget_queue_draw (self->chart_area);
}

static void
on_chart_kind_toggled (GtkToggleButton *button, TrajCohortView *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  self->chart_kind = (TrajCohortChartKind) GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "kind"));
  if (self->chart_title)
    gtk_label_set_label (GTK_LABEL (self->chart_title),
                         self->chart_kind == TRAJ_COHORT_CHART_KM ? _("Time to First Booster after Induction (Kaplan–Meier)")
                                                                  : _("Mean Score with 95 % Confidence Band"));
  update_chart (self);
}

static void
build_chart (TrajCohortView *self)
{
  static const struct { TrajCohortChartKind kind; const char *label; } kinds[] = {
    { TRAJ_COHORT_CHART_BY_INFUSION, N_("By Infusion") },
    { TRAJ_COHORT_CHART_BY_WEEK, N_("By Week") },
    { TRAJ_COHORT_CHART_KM, N_("Time to Booster") },
  };
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (_("Mean Score with 95 % Confidence Band"));
  GtkWidget *first = NULL;
  GtkWidget *frame = gtk_frame_new (NULL);

  self->chart_title = title;
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (header), title);
  self->chart_kind_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->chart_kind_box, "linked");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      GtkWidget *b = gtk_toggle_button_new_with_label (_(kinds[k].label));
      g_object_set_data (G_OBJECT (b), "kind", GINT_TO_POINTER (kinds[k].kind));
      if (first)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (b), GTK_TOGGLE_BUTTON (first));
      else
        first = b;
      g_signal_connect (b, "toggled", G_CALLBACK (on_chart_kind_toggled), self);
      gtk_box_append (GTK_BOX (self->chart_kind_box), b);
    }
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (first), TRUE);
  gtk_box_append (GTK_BOX (header), self->chart_kind_box);

  self->chart_area = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->chart_area), CHART_HEIGHT);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->chart_area), draw_chart, self, NULL);
  g_signal_connect (self->chart_area, "resize", G_CALLBACK (on_chart_resize), self);
  gtk_widget_set_has_tooltip (self->chart_area, TRUE);
  g_signal_connect (self->chart_area, "query-tooltip", G_CALLBACK (on_chart_query_tooltip), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->chart_area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cohort chart"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), self->chart_area);
  gtk_widget_add_css_class (frame, "view");
  gtk_box_append (GTK_BOX (self->chart_box), header);
  gtk_box_append (GTK_BOX (self->chart_box), frame);
}

/* "28 days (3 boosters, 12 courses)", "not reached (1 booster, 1 course)" */
static char *
booster_text (const TrajCohort *c)
{
  g_autofree char *boosters = NULL;
  g_autofree char *courses = NULL;

  if (c->booster == NULL || c->booster->n == 0)
    return g_strdup (_("no data"));
  boosters = g_strdup_printf (ngettext ("%u booster", "%u boosters", c->booster->n_events), c->booster->n_events);
  courses = g_strdup_printf (ngettext ("%u course", "%u courses", c->booster->n), c->booster->n);
  if (isnan (c->booster->median))
    /* Translators: median time to first booster: "not reached (1 booster, 12 courses)" */
    return g_strdup_printf (_("not reached (%s, %s)"), boosters, courses);
  /* Translators: median time to first booster: "28 days (3 boosters, 12 courses)" */
  return g_strdup_printf (ngettext ("%.0f day (%s, %s)", "%.0f days (%s, %s)", (gulong) round (c->booster->median)),
                          c->booster->median, boosters, courses);
}

static char *
courses_and_patients (const TrajCohort *c)
{
  g_autofree char *courses = g_strdup_printf (ngettext ("%u course", "%u courses", c->n_courses), c->n_courses);
  g_autofree char *patients = g_strdup_printf (ngettext ("%u patient", "%u patients", c->n_patients), c->n_patients);

  /* Translators: "42 courses, 40 patients" */
  return g_strdup_printf (_("%s, %s"), courses, patients);
}

static void
show_report (TrajCohortView *self)
{
  const TrajCohortReport *rep = self->report;
  g_autoptr(GPtrArray) t = g_ptr_array_new_with_free_func (g_free);
  int row = 0;
  gboolean any = FALSE;

  g_ptr_array_set_size (self->rows, 0);
  layout_metrics (self);
  /* Another number of cohorts needs another width: measure it unfolded. */
  if (rep && rep->cohorts->len != self->n_columns)
    {
      self->side_by_side_width = 0;
      self->folded = gtk_widget_get_width (GTK_WIDGET (self)) < FOLD_WIDTH;
    }

  for (guint k = 0; rep && k < rep->cohorts->len; k++)
    any |= ((TrajCohort *) g_ptr_array_index (rep->cohorts, k))->n_courses > 0;
  if (!any)
    {
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
      return;
    }

#define EACH(expr) \
  for (guint k = 0; k < rep->cohorts->len; k++) \
    { const TrajCohort *c = g_ptr_array_index (rep->cohorts, k); g_ptr_array_add (t, (expr)); }

  EACH (g_strdup (c->label));
  add_row (self, row++, "label", "", t, TRUE);
  EACH (courses_and_patients (c));
  add_row (self, row++, "courses", _("Courses (patients)"), t, FALSE);
  EACH (c->scale == TRAJ_SCALE_NONE ? g_strdup (_("no data"))
        : c->mixed_scales ? g_strdup_printf (ngettext ("%s (%u of %u course)", "%s (%u of %u courses)",
                                                       c->n_courses),
                                             _(traj_scale_get (c->scale)->name), c->n_scale_courses, c->n_courses)
        : g_strdup (_(traj_scale_get (c->scale)->name)));
  add_row (self, row++, "scale", _("Scores on"), t, FALSE);
  EACH (traj_cohort_mean_format (&c->baseline, 1));
  add_row (self, row++, "baseline", _("Baseline, mean (SD)"), t, FALSE);
  EACH (traj_cohort_mean_format (&c->change_eoi, 1));
  add_row (self, row++, "change-eoi", _("Change at end of induction"), t, FALSE);
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      g_autofree char *title = g_strdup_printf (_("Response: %s"), traj_cohort_timepoint_label (tp));
      g_autofree char *metric = g_strdup_printf ("response-%s", traj_cohort_timepoint_to_string (tp));
      EACH (rate_text (&c->response[tp]));
      add_row (self, row++, metric, title, t, FALSE);
    }
  /* What remission means differs by scale (PCL-5 has no remission, only a
   * probable-PTSD cut-off, so its "remission" can exceed its response). */
  EACH (c->scale == TRAJ_SCALE_NONE ? g_strdup ("")
        : c->mixed_scales ? g_strdup (_("each course's own scale cut-off"))
        : g_strdup (_(traj_scale_get (c->scale)->remission_label)));
  add_row (self, row++, "remission-definition", _("Remission means"), t, FALSE);
  for (guint tp = 0; tp < TRAJ_COHORT_N_TIMEPOINTS; tp++)
    {
      g_autofree char *title = g_strdup_printf (_("Remission: %s"), traj_cohort_timepoint_label (tp));
      g_autofree char *metric = g_strdup_printf ("remission-%s", traj_cohort_timepoint_to_string (tp));
      EACH (rate_text (&c->remission[tp]));
      add_row (self, row++, metric, title, t, FALSE);
    }
  EACH (isnan (c->median_infusions_to_response) ? g_strdup (_("no data"))
        : g_strdup_printf (ngettext ("%.1f (%u responder)", "%.1f (%u responders)", c->n_responders),
                          c->median_infusions_to_response, c->n_responders));
  add_row (self, row++, "infusions-to-response", _("Median infusions to first response"), t, FALSE);
  EACH (rate_text (&c->completion));
  add_row (self, row++, "completion", _("Completed induction"), t, FALSE);
  EACH (booster_text (c));
  add_row (self, row++, "booster-median", _("Median time to first booster"), t, FALSE);
  EACH (c->monitoring.n == 0 ? g_strdup (_("no data"))
        : g_strdup_printf (_("%.1f per 100 infusions (%u of %u)"), 100.0 * c->monitoring.rate,
                           c->monitoring.events, c->monitoring.n));
  add_row (self, row++, "monitoring", _("Monitoring events"), t, FALSE);
  EACH (rate_text (&c->safety));
  add_row (self, row++, "safety", _("Any safety finding"), t, FALSE);
  EACH ((char *) ({ g_auto(GStrv) notes = traj_cohort_notes (c); notes && notes[0] ? g_strjoinv ("\n", notes) : g_strdup (""); }));
  add_row (self, row++, "notes", _("Notes"), t, FALSE);
#undef EACH

  layout_metrics (self);
  gtk_stack_set_visible_child_name (self->results_stack, "results");
  update_chart (self);
}

/* ---- computing ------------------------------------------------------------------- */

static void
set_busy (TrajCohortView *self, gboolean busy)
{
  const char *page = gtk_stack_get_visible_child_name (self->results_stack);

  self->busy = busy;
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  gtk_widget_set_sensitive (self->export_button, !busy && self->report != NULL);
  gtk_spinner_set_spinning (self->computing_spinner, busy);
  /* With nothing shown yet, the first computation says it is working
   * rather than that there is nothing to compare. */
  if (busy && g_strcmp0 (page, "results") != 0)
    {
      adw_status_page_set_description (self->computing_page, _("Reading courses…"));
      gtk_stack_set_visible_child_name (self->results_stack, "computing");
    }
}

static void
on_progress (double fraction, gpointer data)
{
  TrajCohortView *self = data;
  g_autofree char *text = g_strdup_printf (_("Reading courses… %.0f %%"), fraction * 100);

  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  gtk_progress_bar_set_text (self->progress_bar, text);
  adw_status_page_set_description (self->computing_page, text);
}

static void
on_computed (GObject *source, GAsyncResult *result, gpointer data)
{
  TrajCohortView *self = data;
  g_autoptr(GError) error = NULL;
  TrajCohortReport *report = traj_cohort_compute_finish (result, &error);

  if (report == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_busy (self, FALSE);
          adw_status_page_set_title (self->empty_page, _("Could Not Compute the Cohorts"));
          traj_gui_status_page_set_text (GTK_WIDGET (self->empty_page), error->message);
          gtk_stack_set_visible_child_name (self->results_stack, "empty");
        }
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->report, traj_cohort_report_free);
  self->report = report;
  self->report_scale = report->definition->scale;
  set_busy (self, FALSE);
  show_report (self);
  g_object_unref (self);
}

static void
load_thresholds (TrajCohortView *self, TrajThresholds *t)
{
  traj_thresholds_init_defaults (t);
  if (self->settings)
    traj_thresholds_load (t, self->settings);
}

static gboolean
compute_now (gpointer data)
{
  TrajCohortView *self = data;
  TrajThresholds t;
  g_autoptr(GError) error = NULL;

  self->pending = 0;
  traj_cohort_view_update_filter_label (self);
  if (!traj_cohort_definition_validate (self->def, &error))
    {
      adw_status_page_set_title (self->empty_page, _("Check the Cohorts"));
      traj_gui_status_page_set_text (GTK_WIDGET (self->empty_page), error->message);
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
      return G_SOURCE_REMOVE;
    }
  adw_status_page_set_title (self->empty_page, _("No Courses to Compare"));
  adw_status_page_set_description (self->empty_page, _("No treatment course matches these filters yet."));

  /* Another grouping of the same courses needs no new scan. */
  if (self->report && !self->busy && self->report_scale == self->def->scale)
    {
      TrajCohortReport *again = traj_cohort_report_regroup (self->report, self->def);
      traj_cohort_report_free (self->report);
      self->report = again;
      show_report (self);
      return G_SOURCE_REMOVE;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  load_thresholds (self, &t);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  set_busy (self, TRUE);
  traj_cohort_compute_async (self->store, self->def, &t, TRAJ_TIME_NONE, self->cancellable,
                             on_progress, self, on_computed, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

void
traj_cohort_view_schedule (TrajCohortView *self)
{
  if (self->updating || self->store == NULL)
    return;
  g_clear_handle_id (&self->pending, g_source_remove);
  /* Typing a date or ticking several boxes recomputes once. */
  self->pending = g_timeout_add (300, compute_now, self);
}

static void
on_cancel_clicked (TrajCohortView *self)
{
  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->results_stack), "computing") == 0)
    {
      adw_status_page_set_title (self->empty_page, _("Comparison Stopped"));
      adw_status_page_set_description (self->empty_page, _("Change a setting to compare again."));
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
    }
}

static void
on_compare_selected (TrajCohortView *self)
{
  guint pos = gtk_drop_down_get_selected (self->compare_dropdown);

  if (self->updating)
    return;
  if (pos == COMPARE_OWN)
    {
      self->def->group_by = TRAJ_COHORT_FIELD_NONE;
      if (self->def->cohorts->len == 0)
        {
          traj_cohort_definition_add (self->def, NULL);
          traj_cohort_definition_add (self->def, NULL);
        }
    }
  else
    {
      self->def->group_by = (TrajCohortField) (pos + 1);
      g_ptr_array_set_size (self->def->cohorts, 0);
    }
  gtk_widget_set_visible (self->cohorts_row, pos == COMPARE_OWN);
  traj_cohort_view_rebuild_cohort_buttons (self);
  traj_cohort_view_schedule (self);
}

static void
on_scale_selected (TrajCohortView *self)
{
  if (self->updating)
    return;
  {
    guint pos = gtk_drop_down_get_selected (self->scale_dropdown);
    /* Position 0 is "each course's primary scale"; then the outcome scales. */
    self->def->scale = pos == 0 || pos == GTK_INVALID_LIST_POSITION ? TRAJ_SCALE_NONE
                       : traj_scale_outcome_at (pos - 1);
  }
  traj_cohort_view_schedule (self);
}

static void
sync_controls (TrajCohortView *self)
{
  GtkWidget *popover = traj_cohort_view_filter_popover (self, &self->def->filter, NULL, NULL);

  self->updating = TRUE;
  gtk_drop_down_set_selected (self->compare_dropdown,
                              self->def->group_by == TRAJ_COHORT_FIELD_NONE ? COMPARE_OWN : self->def->group_by - 1);
  gtk_drop_down_set_selected (self->scale_dropdown,
                              self->def->scale == TRAJ_SCALE_NONE ? 0
                              : (guint) (traj_scale_outcome_position (self->def->scale) + 1));
  gtk_menu_button_set_popover (self->filter_button, popover);
  traj_gui_menu_button_quiet_tooltip (self->filter_button);
  gtk_widget_set_visible (self->cohorts_row, self->def->group_by == TRAJ_COHORT_FIELD_NONE);
  traj_cohort_view_rebuild_cohort_buttons (self);
  traj_cohort_view_update_filter_label (self);
  self->updating = FALSE;
}

/* ---- export --------------------------------------------------------------------------- */

typedef struct {
  TrajCohortView *self;
  char *what;
} ExportData;

static void
show_message (TrajCohortView *self, const char *heading, const char *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
traj_cohort_view_export_to_path (TrajCohortView *self,
                                 const char     *what,
                                 const char     *path,
                                 GError        **error)
{
  gboolean report = g_str_equal (what, "report");
  gboolean chart = g_str_equal (what, "png") || g_str_equal (what, "svg") || g_str_equal (what, "pdf");
  gboolean ok;

  g_return_val_if_fail (TRAJ_IS_COHORT_VIEW (self), FALSE);
  g_return_val_if_fail (self->report != NULL, FALSE);

  if (report)
    {
      TrajReportOptions options;
      traj_report_options_init (&options);
      ok = traj_report_cohort_write_pdf (self->report, &options, path, error);
    }
  else if (chart)
    ok = traj_cohort_chart_write_file (self->report, self->chart_kind, path, 1200, 700, error);
  else
    {
      g_autoptr(TrajTable) table = g_str_equal (what, "metrics")
                                   ? traj_cohort_report_metrics_table_with_settings (self->report)
                                   : traj_cohort_report_courses_table_with_settings (self->report);
      g_autofree char *csv = traj_table_to_string (table, TRAJ_FORMAT_CSV);

      ok = traj_safe_file_set_contents (path, csv, -1, error);
    }
  if (ok)
    {
      /* Who took the cohort's figures out of the app, and where (issue 16 §3). */
      g_auto(GStrv) who = traj_audit_cohort_patients (self->report);

      ok = traj_store_audit_output (self->store, report ? "report" : chart ? "chart" : "export",
                                    report ? "cohort report (PDF)" : chart ? "cohort chart" : "cohort table",
                                    (const char * const *) who, path, error);
    }
  return ok;
}

static void
export_data_free (ExportData *d)
{
  g_object_unref (d->self);
  g_free (d->what);
  g_free (d);
}

static void
on_export_chosen (const char *path, gpointer user_data)
{
  ExportData *d = user_data;
  g_autoptr(GError) error = NULL;

  if (d->self->report && !traj_cohort_view_export_to_path (d->self, d->what, path, &error))
    show_message (d->self, _("Could Not Export"), error->message);
  export_data_free (d);
}

static void
export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (widget);
  const char *what = g_variant_get_string (param, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *extension;
  ExportData *d;

  g_autofree char *file_name = NULL;

  if (self->report == NULL)
    return;
  if (g_str_equal (what, "metrics") || g_str_equal (what, "courses"))
    {
      file_name = g_strdup_printf ("cohort-%s.csv", what);
      extension = ".csv";
    }
  else if (g_str_equal (what, "report"))
    {
      file_name = g_strdup ("cohort-report.pdf");
      extension = ".pdf";
    }
  else
    {
      file_name = g_strdup_printf ("cohort-chart.%s", what);
      extension = strrchr (file_name, '.');
    }
  d = g_new0 (ExportData, 1);
  d->self = g_object_ref (self);
  d->what = g_strdup (what);
  traj_save_chooser_run (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->settings, _("Export"),
                         file_name, extension, NULL, on_export_chosen, d, (GDestroyNotify) export_data_free);
}

/* ---- saved comparisons ----------------------------------------------------------------- */

typedef struct {
  TrajCohortView *self;
  GtkWidget *entry;
  gboolean replace;
} SaveData;

static void save_with_name (TrajCohortView *self, const char *name, gboolean replace);

static void
on_replace_response (AdwMessageDialog *dialog, const char *response, SaveData *d)
{
  if (g_strcmp0 (response, "replace") == 0)
    save_with_name (d->self, gtk_editable_get_text (GTK_EDITABLE (d->entry)), TRUE);
  g_object_unref (d->entry);
  g_free (d);
}

static void
save_with_name (TrajCohortView *self, const char *name, gboolean replace)
{
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (traj_cohort_definition_save (self->store, name, self->def, replace, &error))
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
      g_autofree char *text = g_strdup_printf (_("Saved as “%s”"), name);
      if (overlay)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
      return;
    }
  if (!replace && g_error_matches (error, TRAJ_ERROR, TRAJ_ERROR_INVALID) &&
      traj_store_find_cohort (self->store, name, NULL) != NULL)
    {
      SaveData *d = g_new0 (SaveData, 1);
      GtkWidget *dialog;
      g_autofree char *body = g_strdup_printf (_("A comparison named “%s” is already saved."), name);

      d->self = self;
      d->entry = g_object_ref_sink (gtk_entry_new ());
      gtk_editable_set_text (GTK_EDITABLE (d->entry), name);
      dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Replace It?"), body);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "replace", _("_Replace"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "replace", ADW_RESPONSE_DESTRUCTIVE);
      g_signal_connect (dialog, "response", G_CALLBACK (on_replace_response), d);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  show_message (self, _("Could Not Save"), error->message);
}

static void
on_save_response (AdwMessageDialog *dialog, const char *response, SaveData *d)
{
  if (g_strcmp0 (response, "save") == 0)
    {
      g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->entry))));
      save_with_name (d->self, name, FALSE);
    }
  g_free (d);
}

static void
on_save_name_changed (GtkEditable *editable, AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (editable)));
  adw_message_dialog_set_response_enabled (dialog, "save", *name != '\0');
}

static void
on_save_clicked (TrajCohortView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  SaveData *d = g_new0 (SaveData, 1);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Save This Comparison"),
                                              _("Saved comparisons keep their grouping and filters, and are recomputed on today’s data when opened."));

  d->self = self;
  d->entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (d->entry), _("Name, e.g. “PTSD vs depression, IV, 2026”"));
  gtk_entry_set_activates_default (GTK_ENTRY (d->entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), d->entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save", FALSE);
  g_signal_connect (d->entry, "changed", G_CALLBACK (on_save_name_changed), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_saved_chosen (GtkButton *button, TrajCohortView *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "name");
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_load (self->store, name, &error);

  gtk_menu_button_popdown (self->open_button);
  if (def == NULL)
    {
      show_message (self, _("Could Not Open"), error->message);
      return;
    }
  traj_cohort_view_set_definition (self, def);
}

/* The list of saved comparisons, read each time the menu opens. */
static void
on_open_activate (GtkMenuButton *menu_button, gpointer data)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (data);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) saved = traj_store_list_cohorts (self->store, &error);
  GtkWidget *popover = gtk_popover_new ();

  if (saved == NULL || saved->len == 0)
    {
      GtkWidget *label = gtk_label_new (saved ? _("No saved comparisons yet. Use Save to keep this one.") : error->message);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_box_append (GTK_BOX (box), label);
    }
  for (guint k = 0; saved && k < saved->len; k++)
    {
      TrajSavedCohort *c = g_ptr_array_index (saved, k);
      GtkWidget *button = gtk_button_new_with_label (c->name);

      gtk_widget_add_css_class (button, "flat");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
      g_object_set_data_full (G_OBJECT (button), "name", g_strdup (c->name), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_saved_chosen), self);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (self->open_button, popover);
  traj_gui_menu_button_quiet_tooltip (self->open_button);
}

/* ---- GObject --------------------------------------------------------------------------- */

static void
traj_cohort_view_constructed (GObject *object)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (object);

  G_OBJECT_CLASS (traj_cohort_view_parent_class)->constructed (object);
  sync_controls (self);
}

static void
traj_cohort_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_cohort_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_cohort_view_dispose (GObject *object)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (object);

  g_clear_handle_id (&self->pending, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->fold_idle, g_source_remove);
  g_clear_handle_id (&self->fit_chart_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), TRAJ_TYPE_COHORT_VIEW);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (traj_cohort_view_parent_class)->dispose (object);
}

static void
traj_cohort_view_finalize (GObject *object)
{
  TrajCohortView *self = TRAJ_COHORT_VIEW (object);

  traj_cohort_definition_free (self->def);
  traj_cohort_report_free (self->report);
  g_hash_table_unref (self->cells);
  g_ptr_array_unref (self->rows);
  g_clear_pointer (&self->chart_layout, traj_cohort_chart_layout_free);
  G_OBJECT_CLASS (traj_cohort_view_parent_class)->finalize (object);
}

static void
traj_cohort_view_class_init (TrajCohortViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = traj_cohort_view_constructed;
  object_class->set_property = traj_cohort_view_set_property;
  object_class->get_property = traj_cohort_view_get_property;
  object_class->dispose = traj_cohort_view_dispose;
  object_class->finalize = traj_cohort_view_finalize;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TRAJ_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TRAJ_TYPE_DATE_ENTRY);
  traj_gui_init ();
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-cohort-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, box);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, compare_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, scale_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, filter_button);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, open_button);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, save_button);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, export_button);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, cohorts_row);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, cohort_buttons);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, add_button);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, results_stack);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, computing_page);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, computing_spinner);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, chart_box);
  gtk_widget_class_bind_template_child (widget_class, TrajCohortView, metrics_grid);
  widget_class->get_request_mode = traj_cohort_view_get_request_mode;
  widget_class->measure = traj_cohort_view_measure;
  widget_class->size_allocate = traj_cohort_view_size_allocate;
  gtk_widget_class_install_action (widget_class, "cohort.export", "s", export_action);
}

static void
traj_cohort_view_init (TrajCohortView *self)
{
  GtkStringList *compare = gtk_string_list_new (NULL);
  GtkStringList *scales = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  traj_gui_menu_button_quiet_tooltip (GTK_MENU_BUTTON (self->export_button));
  self->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rows = g_ptr_array_new_with_free_func (metric_row_free);
  /* Until the first comparison arrives: never "no courses" over a clinic
   * that has them. */
  gtk_stack_set_visible_child_name (self->results_stack, "computing");
  self->def = traj_cohort_definition_new ();
  self->def->group_by = TRAJ_COHORT_FIELD_INDICATION;

  for (guint k = 1; k < TRAJ_N_COHORT_FIELDS; k++)
    gtk_string_list_append (compare, traj_cohort_field_label ((TrajCohortField) k));
  gtk_string_list_append (compare, _("Cohorts you define"));
  gtk_string_list_append (scales, _("Each course’s primary scale"));
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    gtk_string_list_append (scales, _(s->name));
  self->updating = TRUE;
  gtk_drop_down_set_model (self->compare_dropdown, G_LIST_MODEL (compare));
  gtk_drop_down_set_model (self->scale_dropdown, G_LIST_MODEL (scales));
  self->updating = FALSE;
  g_object_unref (compare);
  g_object_unref (scales);

  g_signal_connect_swapped (self->compare_dropdown, "notify::selected", G_CALLBACK (on_compare_selected), self);
  g_signal_connect_swapped (self->scale_dropdown, "notify::selected", G_CALLBACK (on_scale_selected), self);
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (traj_cohort_view_add_cohort), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked), self);
  gtk_menu_button_set_create_popup_func (self->open_button, on_open_activate, self, NULL);
  gtk_widget_set_sensitive (self->export_button, FALSE);
  build_chart (self);
}

GtkWidget *
traj_cohort_view_new (TrajStore *store,
                      GSettings *settings)
{
  return g_object_new (TRAJ_TYPE_COHORT_VIEW, "store", store, "settings", settings, NULL);
}

void
traj_cohort_view_set_definition (TrajCohortView             *self,
                                 const TrajCohortDefinition *def)
{
  g_return_if_fail (TRAJ_IS_COHORT_VIEW (self));

  traj_cohort_definition_free (self->def);
  self->def = traj_cohort_definition_copy (def);
  sync_controls (self);
  traj_cohort_view_schedule (self);
}

const TrajCohortDefinition *
traj_cohort_view_get_definition (TrajCohortView *self)
{
  return self->def;
}

void
traj_cohort_view_refresh (TrajCohortView *self)
{
  g_return_if_fail (TRAJ_IS_COHORT_VIEW (self));

  /* Data may have changed: a fresh scan, not a regrouping. */
  g_clear_pointer (&self->report, traj_cohort_report_free);
  g_clear_handle_id (&self->pending, g_source_remove);
  compute_now (self);
}

gboolean
traj_cohort_view_is_busy (TrajCohortView *self)
{
  return self->busy || self->pending != 0;
}

const TrajCohortReport *
traj_cohort_view_get_report (TrajCohortView *self)
{
  return self->report;
}

const char *
traj_cohort_view_get_cell (TrajCohortView *self,
                           const char     *metric,
                           guint           cohort)
{
  g_autofree char *key = g_strdup_printf ("%s:%u", metric, cohort);
  GtkLabel *label = g_hash_table_lookup (self->cells, key);

  return label ? gtk_label_get_label (label) : NULL;
}
