/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a clinician trial found (issue 17 §1), through the real widgets:
 * telling patients apart, finding them, the keys, the missing-field hint,
 * the demo clinic's sign. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "traj-application.h"
#include "traj-checkin-list.h"
#include "traj-audit-window.h"
#include "traj-chart-view-private.h"
#include "traj-chart-panel.h"
#include "traj-cohort-chart.h"
#include "traj-cohort-view-private.h"
#include "traj-demo.h"
#include "traj-editor-dialog.h"
#include "traj-infusion-editor.h"
#include "traj-assessment-editor.h"
#include "traj-patient-editor.h"
#include "traj-patient-page.h"
#include "traj-patient-row.h"
#include "traj-score-entry.h"
#include "traj-search.h"
#include "traj-table.h"
#include "traj-date-entry.h"
#include "traj-window.h"

#include "test-gui-fixture.h"
#include "test-wait.h"
#include "traj-test-db.h"
#include "traj-gui.h"

static gint64
add_patient (Fixture *f, const char *mrn, const char *name, gint32 birth_day)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(GError) error = NULL;

  p->mrn = g_strdup (mrn);
  p->name = g_strdup (name);
  p->birth_day = birth_day;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  return p->id;
}

static void
search_for (Fixture *f, const char *text)
{
  GtkWidget *search = child (f->win, TRAJ_TYPE_WINDOW, "search_entry");

  gtk_editable_set_text (GTK_EDITABLE (search), text);
  g_signal_emit_by_name (search, "search-changed");
  spin (f);
}

static guint
n_listed (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (traj_window_get_patient_list (f->win)));
}

/* ---- search ----------------------------------------------------------------- */

static void
test_search_fold (void)
{
  g_autofree char *key = traj_search_fold ("Zoë Ñúñez-O'Brien\nMRN-7");
  g_autofree char *q1 = traj_search_fold ("zoe nunez");
  g_autofree char *q2 = traj_search_fold ("ZOË");
  g_autofree char *q3 = traj_search_fold ("o’brien");
  g_autofree char *q4 = traj_search_fold ("mrn-7");
  g_autofree char *lars = traj_search_fold ("Łars Ødegård");
  g_autofree char *bad = traj_search_fold ("\xff\xfe");

  g_assert_cmpstr (key, ==, "zoe nunez-o'brien\nmrn-7");
  g_assert_true (traj_search_matches (key, q1));
  g_assert_true (traj_search_matches (key, q2));
  g_assert_true (traj_search_matches (key, q3));
  g_assert_true (traj_search_matches (key, q4));
  g_assert_cmpstr (lars, ==, "lars odegard");
  g_assert_cmpstr (bad, ==, "");
}

static void
test_search_accents (Fixture *f, gconstpointer data)
{
  gint64 zoe;

  add_patient (f, "A-1", "Ada Xu", traj_day_from_ymd (1970, 1, 2));
  zoe = add_patient (f, "A-2", "Zoë Ñúñez-O'Brien", traj_day_from_ymd (1984, 5, 6));
  add_patient (f, "A-3", "Zoe Nunn", traj_day_from_ymd (1990, 7, 8));
  open_window (f);
  g_assert_cmpuint (n_listed (f), ==, 3);

  search_for (f, "zoe nunez");
  g_assert_cmpuint (n_listed (f), ==, 1);
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (traj_window_get_patient_list (f->win)), 0);
    g_assert_cmpint (traj_patient_item_get_id (item), ==, zoe);
  }
  search_for (f, "ZOE");
  g_assert_cmpuint (n_listed (f), ==, 2);
  search_for (f, "ñúñez");
  g_assert_cmpuint (n_listed (f), ==, 1);
  search_for (f, "o’brien");
  g_assert_cmpuint (n_listed (f), ==, 1);
}

static const char *
filter_item (Fixture *f, guint k)
{
  GListModel *model = gtk_drop_down_get_model (GTK_DROP_DOWN (child (f->win, TRAJ_TYPE_WINDOW, "filter_dropdown")));
  return gtk_string_list_get_string (GTK_STRING_LIST (model), k);
}

/* The filter's counts follow the search: a trial read "All patients (80)"
 * over a list of three. */
static void
test_search_counts (Fixture *f, gconstpointer data)
{
  add_patient (f, "A-1", "Ada Xu", traj_day_from_ymd (1970, 1, 2));
  add_patient (f, "A-2", "Ada Lund", traj_day_from_ymd (1984, 5, 6));
  add_patient (f, "A-3", "Zoe Nunn", traj_day_from_ymd (1990, 7, 8));
  open_window (f);
  g_assert_cmpstr (filter_item (f, 0), ==, "All patients (3)");
  g_assert_cmpstr (filter_item (f, 1), ==, "Needs attention (0)");

  search_for (f, "ada");
  g_assert_cmpuint (n_listed (f), ==, 2);
  g_assert_cmpstr (filter_item (f, 0), ==, "All patients (2 of 3)");
  g_assert_cmpstr (filter_item (f, 1), ==, "Needs attention (0 of 0)");
  g_assert_cmpstr (filter_item (f, 2), ==, "Active course (0 of 0)");
  /* The choice stays as it was. */
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (child (f->win, TRAJ_TYPE_WINDOW, "filter_dropdown"))),
                    ==, TRAJ_PATIENT_FILTER_ALL);

  search_for (f, "");
  g_assert_cmpstr (filter_item (f, 0), ==, "All patients (3)");
}

/* Enter in the search box opens the first match. */
static void
test_search_enter_opens_first (Fixture *f, gconstpointer data)
{
  GtkWidget *search;
  gint64 first;

  add_patient (f, "B-1", "Quentin Zebedee", traj_day_from_ymd (1980, 2, 3));
  add_patient (f, "B-2", "Ada Xu", traj_day_from_ymd (1970, 1, 2));
  open_window (f);
  search_for (f, "xu");
  g_assert_cmpuint (n_listed (f), ==, 1);
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (traj_window_get_patient_list (f->win)), 0);
    first = traj_patient_item_get_id (item);
  }
  g_assert_cmpint (traj_window_get_patient_id (f->win), !=, first);

  search = child (f->win, TRAJ_TYPE_WINDOW, "search_entry");
  g_signal_emit_by_name (search, "activate");
  spin (f);
  g_assert_cmpint (traj_window_get_patient_id (f->win), ==, first);

  /* Nothing matches: Enter opens nobody and changes nothing. */
  search_for (f, "no such patient");
  g_signal_emit_by_name (search, "activate");
  spin (f);
  g_assert_cmpint (traj_window_get_patient_id (f->win), ==, first);
}

/* A trial typed a name into a just-opened window: the New Patient button
 * had the keyboard, the letters went nowhere and Enter opened New Patient.
 * The search has it from the start. */
static void
test_typing_at_start_searches (Fixture *f, gconstpointer data)
{
  GtkWidget *search, *focus;

  add_patient (f, "B-1", "Quentin Zebedee", traj_day_from_ymd (1980, 2, 3));
  open_window (f);
  search = child (f->win, TRAJ_TYPE_WINDOW, "search_entry");
  focus = gtk_root_get_focus (GTK_ROOT (f->win));
  g_assert_nonnull (focus);
  g_assert_true (focus == search || gtk_widget_is_ancestor (focus, search));
}

/* On a narrow (tablet) window Enter shows the page alone: the focus goes
 * to the page's first action, not to its heading, which would take it and
 * show its whole text selected (a trial saw the patient's name highlighted
 * as if about to be replaced). */
static void
test_search_enter_narrow_focus (Fixture *f, gconstpointer data)
{
  GtkWidget *search, *focus;
  int start = 0, end = 0;

  add_patient (f, "B-1", "Quentin Zebedee", traj_day_from_ymd (1980, 2, 3));
  add_patient (f, "B-2", "Ada Xu", traj_day_from_ymd (1970, 1, 2));
  f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  gtk_window_set_default_size (GTK_WINDOW (f->win), 800, 1280);
  gtk_window_present (GTK_WINDOW (f->win));
  spin (f);
  WAIT_UNTIL (adw_leaflet_get_folded (ADW_LEAFLET (child (f->win, TRAJ_TYPE_WINDOW, "leaflet"))));
  search_for (f, "xu");
  search = child (f->win, TRAJ_TYPE_WINDOW, "search_entry");
  gtk_widget_grab_focus (search);
  g_signal_emit_by_name (search, "activate");
  spin (f);
  g_assert_cmpint (traj_window_get_patient_id (f->win), >, 0);

  focus = gtk_root_get_focus (GTK_ROOT (f->win));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, traj_window_get_patient_page (f->win)));
  if (GTK_IS_LABEL (focus))
    g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (focus), &start, &end));
  g_assert_true (GTK_IS_BUTTON (focus));
}

/* ---- telling patients apart ----------------------------------------------- */

static void
test_birth_date_shown (Fixture *f, gconstpointer data)
{
  gint32 born = traj_day_from_ymd (1961, 3, 14);
  g_autofree char *born_text = traj_day_format (born);
  GtkWidget *page, *identity;
  gint64 id;

  /* Two patients of one name: the birth date tells them apart. */
  id = add_patient (f, "C-1", "Ada Xu", born);
  add_patient (f, "C-2", "Ada Xu", traj_day_from_ymd (1988, 11, 30));
  open_window (f);

  {
    GtkWidget *row = traj_patient_row_new ();
    g_autoptr(TrajPatientItem) item = NULL;
    TrajPatientList *list = traj_window_get_patient_list (f->win);
    int pos = traj_patient_list_find (list, id);
    g_autoptr(GString) born_nbsp = g_string_new (born_text);
    const char *detail;

    g_object_ref_sink (row);
    g_assert_cmpint (pos, >=, 0);
    item = g_list_model_get_item (G_LIST_MODEL (list), (guint) pos);
    traj_patient_row_set_item (TRAJ_PATIENT_ROW (row), item);
    /* Shown with no-break spaces, so the date is never split over two lines. */
    g_string_replace (born_nbsp, " ", "\u00a0", 0);
    detail = gtk_label_get_label (GTK_LABEL (child (row, TRAJ_TYPE_PATIENT_ROW, "detail_label")));
    g_assert_nonnull (strstr (detail, born_nbsp->str));
    g_assert_finalize_object (row);
  }

  traj_window_show_patient (f->win, id);
  spin (f);
  page = traj_window_get_patient_page (f->win);
  identity = child (page, TRAJ_TYPE_PATIENT_PAGE, "identity_label");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (identity)), born_text));
}

/* The first widget under @widget (or itself) with the CSS class @name. */
static GtkWidget *
with_css_class (GtkWidget *widget, const char *name)
{
  if (gtk_widget_has_css_class (widget, name))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = with_css_class (c, name);
      if (found)
        return found;
    }
  return NULL;
}

/* Whether a label under @widget shows exactly @text. */
static gboolean
has_label_text (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (has_label_text (c, text))
      return TRUE;
  return FALSE;
}

/* The first TrajPatientRow under @widget that is drawn, or NULL. */
static GtkWidget *
first_patient_row (GtkWidget *widget)
{
  if (TRAJ_IS_PATIENT_ROW (widget) && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *row = first_patient_row (c);
      if (row)
        return row;
    }
  return NULL;
}

/* @label shows every character of its text: nothing cut off with "…", and
 * its lines fit in the height it was given. */
static void
assert_label_whole (GtkWidget *label)
{
  PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (label));
  int w, h;

  g_assert_false (pango_layout_is_ellipsized (layout));
  g_assert_cmpstr (pango_layout_get_text (layout), ==, gtk_label_get_text (GTK_LABEL (label)));
  pango_layout_get_pixel_size (layout, &w, &h);
  g_assert_cmpint (h, <=, gtk_widget_get_height (label));
  g_assert_cmpint (w, <=, gtk_widget_get_width (label));
}

/* The sidebar is 320 px: a long MRN and indication cut the birth date off
 * with "…" (a trial could not tell two "Ada Xu" apart). The row wraps, and
 * keeps the date on one line. */
static void
test_patient_row_wraps (Fixture *f, gconstpointer data)
{
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *born = traj_day_format (traj_day_from_ymd (1961, 11, 14));
  GtkWidget *row, *name, *detail;
  PangoLayout *layout, *one_line;
  const char *text, *at;
  int line_start, line_end, one_w;

  p->mrn = g_strdup ("MRN-2026-000123457");
  p->name = g_strdup ("Maximiliana Hernández-Castellanos de la Fuente");
  p->birth_day = traj_day_from_ymd (1961, 11, 14);
  p->indication = TRAJ_INDICATION_BIPOLAR_DEPRESSION;
  g_assert_true (traj_store_insert_patient (f->store, p, &error));
  g_assert_no_error (error);
  f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  gtk_window_set_default_size (GTK_WINDOW (f->win), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->win));
  spin (f);
  WAIT_UNTIL ((row = first_patient_row (GTK_WIDGET (f->win))) != NULL && gtk_widget_get_width (row) > 0);
  spin (f);

  name = child (row, TRAJ_TYPE_PATIENT_ROW, "name_label");
  detail = child (row, TRAJ_TYPE_PATIENT_ROW, "detail_label");
  text = gtk_label_get_text (GTK_LABEL (detail));
  /* The case this is about: the text is wider than the row. */
  one_line = gtk_widget_create_pango_layout (detail, text);
  pango_layout_get_pixel_size (one_line, &one_w, NULL);
  g_object_unref (one_line);
  g_assert_cmpint (one_w, >, gtk_widget_get_width (detail));

  assert_label_whole (name);
  assert_label_whole (detail);

  /* The birth date is on one line, not broken between day and year. */
  layout = gtk_label_get_layout (GTK_LABEL (detail));
  {
    /* The row may join the date's words with no-break spaces. */
    g_autoptr(GString) nbsp = g_string_new (born);
    gsize len;

    g_string_replace (nbsp, " ", "\u00a0", 0);
    at = strstr (text, nbsp->str);
    len = nbsp->len;
    if (at == NULL)
      {
        at = strstr (text, born);
        len = strlen (born);
      }
    g_assert_nonnull (at);
    pango_layout_index_to_line_x (layout, (int) (at - text), FALSE, &line_start, NULL);
    pango_layout_index_to_line_x (layout, (int) (at - text + len - 1), FALSE, &line_end, NULL);
    g_assert_cmpint (line_start, ==, line_end);
  }
}

/* ---- the chart ---------------------------------------------------------------- */

static GtkWidget *
find_of_type (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_of_type (c, type);
      if (found)
        return found;
    }
  return NULL;
}

/* At 1280×800 a trial found the PHQ-9 plot 47 px tall under a 93 px PCL-5:
 * too flat to read a trend. Every panel's plot is at least 120 px. */
static void
test_chart_plot_height (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  TrajChartLayout *layout;
  GtkWidget *view;
  gint64 id = 0;

  g_assert_true (traj_demo_generate (f->store, 7, 12, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* A patient with two scales, so two panels. */
  list = traj_store_list_patients (f->store, &error);
  for (guint k = 0; k < list->len && id == 0; k++)
    {
      const TrajPatientSummary *s = g_ptr_array_index (list, k);
      g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (f->store, s->id, &error);
      gboolean scales[TRAJ_N_SCALES] = { FALSE };
      guint n = 0;

      for (guint a = 0; a < r->assessments->len; a++)
        {
          const TrajAssessment *as = g_ptr_array_index (r->assessments, a);
          if (as->complete && !scales[as->scale])
            {
              scales[as->scale] = TRUE;
              n++;
            }
        }
      if (n == 2)
        id = s->id;
    }
  g_assert_cmpint (id, >, 0);

  f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
  gtk_window_set_default_size (GTK_WINDOW (f->win), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->win));
  spin (f);
  traj_window_show_patient (f->win, id);
  spin (f);
  view = find_of_type (traj_window_get_patient_page (f->win), TRAJ_TYPE_CHART_VIEW);
  g_assert_nonnull (view);
  WAIT_UNTIL (gtk_widget_get_height (view) > 0 && traj_chart_view_get_layout (TRAJ_CHART_VIEW (view)) != NULL);
  layout = traj_chart_view_get_layout (TRAJ_CHART_VIEW (view));
  g_assert_cmpuint (traj_chart_layout_get_n_panels (layout), ==, 2);
  for (guint p = 0; p < 2; p++)
    {
      cairo_rectangle_t area;
      g_assert_true (traj_chart_layout_get_plot_area (layout, p, &area));
      g_test_message ("panel %u: %.0f px tall", p, area.height);
      g_assert_cmpfloat (area.height, >=, 120);
    }
}

/* ---- the focused answer ------------------------------------------------------ */

static void
collect_answers (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_TOGGLE_BUTTON (widget) && gtk_widget_has_css_class (widget, "answer"))
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_answers (c, out);
}

static gboolean
count_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* Until two frames have been drawn: state changes reach the style (and so
 * the pixels) at a frame. */
static void
wait_frames (GtkWidget *widget)
{
  guint ticks = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_tick, &ticks, NULL);

  gtk_widget_queue_draw (widget);
  WAIT_UNTIL (ticks >= 2);
  gtk_widget_remove_tick_callback (widget, id);
}

/* Pixels of @widget as drawn now that are the accent blue (fill or ring),
 * or with @dark, dark grey to black (text, a ring in the text colour). */
static guint
count_pixels (GtkWidget *widget, gboolean dark)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  guint n = 0;

  /* Room around it for a ring drawn outside. */
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (4, 4));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w + 8, h + 8));
  data = g_malloc ((gsize) (w + 8) * (h + 8) * 4);
  gdk_texture_download (texture, data, (gsize) (w + 8) * 4);
  for (int k = 0; k < (w + 8) * (h + 8); k++)
    {
      /* Cairo's ARGB32: B, G, R, A in memory on little-endian. */
      int b = data[4 * k], g = data[4 * k + 1], r = data[4 * k + 2], a = data[4 * k + 3];
      if (dark ? (a > 60 && r < 110 && g < 110 && b < 110) : (a > 60 && b > r + 40 && b > g + 10))
        n++;
    }
  return n;
}

/* A keyboard trial could not tell the focused PHQ-9 answer from the chosen
 * one: both were blue. The focus ring is now in the text colour, dashed;
 * blue means chosen. */
static void
test_focused_answer_not_blue (Fixture *f, gconstpointer data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *entry = traj_score_entry_new ();
  g_autoptr(GPtrArray) answers = g_ptr_array_new ();
  GtkWidget *focused, *chosen;
  guint focused_blue, chosen_blue;

  /* No CSS transitions: the pixels are the end state, not a fade. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  traj_score_entry_set_scale (TRAJ_SCORE_ENTRY (entry), TRAJ_SCALE_PHQ9);
  gtk_window_set_child (GTK_WINDOW (window), entry);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_width (entry) > 0);
  collect_answers (entry, answers);
  g_assert_cmpuint (answers->len, >=, 8);
  /* Item 1's "Several days" chosen; item 2's "Not at all" (its roving
   * focus, nothing chosen there) focused. */
  chosen = g_ptr_array_index (answers, 1);
  focused = g_ptr_array_index (answers, 4);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (chosen), TRUE);
  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  g_assert_true (gtk_widget_grab_focus (focused));
  WAIT_UNTIL (gtk_widget_has_visible_focus (focused) &&
              (gtk_widget_get_state_flags (focused) & GTK_STATE_FLAG_FOCUS_VISIBLE));
  wait_frames (window);

  focused_blue = count_pixels (focused, FALSE);
  chosen_blue = count_pixels (chosen, FALSE);
  /* The ring is there, in the text colour: more dark pixels than the same
   * button without the focus. */
  {
    guint dark_focused = count_pixels (focused, TRUE), dark_plain;

    gtk_widget_grab_focus (chosen);
    wait_frames (window);
    dark_plain = count_pixels (focused, TRUE);
    g_test_message ("dark pixels: focused %u, not focused %u", dark_focused, dark_plain);
    g_assert_cmpuint (dark_focused, >, dark_plain + 100);
  }
  g_test_message ("accent pixels: focused %u (active %d), chosen %u (active %d)", focused_blue, gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (focused)), chosen_blue, gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (chosen)));
  g_assert_cmpuint (chosen_blue, >, 500);
  g_assert_cmpuint (focused_blue, ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);
  spin (f);
}

/* ---- export menus ------------------------------------------------------------ */

/* The export button's tooltip stayed up over its open menu (a trial could
 * not read "Export as PNG Image…"): no tooltip while the menu is open, the
 * tooltip back once it closes. */
static void
assert_quiet_while_open (GtkWidget *button)
{
  GtkPopover *menu = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));

  g_assert_nonnull (gtk_widget_get_tooltip_text (button));
  g_assert_true (gtk_widget_get_has_tooltip (button));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (menu)));
  g_assert_false (gtk_widget_get_has_tooltip (button));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (menu)));
  g_assert_true (gtk_widget_get_has_tooltip (button));
}

static void
test_export_menus_no_tooltip (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *page, *panel;
  gint64 id;

  g_assert_true (traj_demo_generate (f->store, 5, 8, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  open_window (f);
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (traj_window_get_patient_list (f->win)), 0);
    id = traj_patient_item_get_id (item);
  }
  traj_window_show_patient (f->win, id);
  spin (f);
  page = traj_window_get_patient_page (f->win);
  panel = find_of_type (page, TRAJ_TYPE_CHART_PANEL);
  g_assert_nonnull (panel);
  assert_quiet_while_open (child (panel, TRAJ_TYPE_CHART_PANEL, "export_button"));

  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child (f->win, TRAJ_TYPE_WINDOW, "view_stack")), "cohorts");
  WAIT_UNTIL (!traj_cohort_view_is_busy (TRAJ_COHORT_VIEW (traj_window_get_cohort_view (f->win))) &&
              traj_cohort_view_get_report (TRAJ_COHORT_VIEW (traj_window_get_cohort_view (f->win))) != NULL);
  assert_quiet_while_open (child (traj_window_get_cohort_view (f->win), TRAJ_TYPE_COHORT_VIEW, "export_button"));
  /* The saved comparisons' button, whose menu is made as it opens. */
  {
    GtkWidget *open = child (traj_window_get_cohort_view (f->win), TRAJ_TYPE_COHORT_VIEW, "open_button");

    g_assert_true (gtk_widget_get_has_tooltip (open));
    gtk_menu_button_popup (GTK_MENU_BUTTON (open));
    WAIT_UNTIL (gtk_menu_button_get_popover (GTK_MENU_BUTTON (open)) != NULL &&
                gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (open)))));
    g_assert_false (gtk_widget_get_has_tooltip (open));
    gtk_menu_button_popdown (GTK_MENU_BUTTON (open));
    WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (open)))));
    g_assert_true (gtk_widget_get_has_tooltip (open));
  }
  /* And the filters' button, whose menu is a whole form. */
  assert_quiet_while_open (child (traj_window_get_cohort_view (f->win), TRAJ_TYPE_COHORT_VIEW, "filter_button"));
}

/* ---- keys ------------------------------------------------------------------- */

/* The widgets Tab stops on in @root, from @start, @n at most. */
static GPtrArray *
tab_stops (GtkWidget *root, GtkWidget *start, guint n)
{
  GPtrArray *stops = g_ptr_array_new ();

  g_assert_true (gtk_widget_grab_focus (start));
  g_ptr_array_add (stops, gtk_root_get_focus (GTK_ROOT (root)));
  for (guint k = 1; k < n; k++)
    {
      GtkWidget *focus;

      if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
        break;
      focus = gtk_root_get_focus (GTK_ROOT (root));
      if (focus == g_ptr_array_index (stops, 0))
        break;
      g_ptr_array_add (stops, focus);
    }
  return stops;
}

/* A trial pressed Tab through the patient page: each of Log Infusion,
 * Record Scores and More took two presses (the flow box's child, then the
 * button), and the name and identity headings were stops of their own. */
static void
test_page_tab_stops (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) stops = NULL;
  GtkWidget *page, *log, *record, *more;
  gint64 id;

  id = add_patient (f, "T-1", "Tabitha Tab", traj_day_from_ymd (1970, 1, 2));
  open_window (f);
  traj_window_show_patient (f->win, id);
  spin (f);
  page = traj_window_get_patient_page (f->win);
  log = child (page, TRAJ_TYPE_PATIENT_PAGE, "log_infusion_button");
  record = child (page, TRAJ_TYPE_PATIENT_PAGE, "record_scores_button");
  more = child (page, TRAJ_TYPE_PATIENT_PAGE, "more_button");

  stops = tab_stops (GTK_WIDGET (f->win), log, 4);
  g_assert_cmpuint (stops->len, >=, 3);
  g_assert_true (g_ptr_array_index (stops, 0) == log);
  g_assert_true (g_ptr_array_index (stops, 1) == record);
  g_assert_true (gtk_widget_is_ancestor (g_ptr_array_index (stops, 2), more));
  g_clear_pointer (&stops, g_ptr_array_unref);

  /* The headings are text to read and select with the pointer, not stops. */
  g_assert_false (gtk_widget_get_focusable (child (page, TRAJ_TYPE_PATIENT_PAGE, "name_label")));
  g_assert_false (gtk_widget_get_focusable (child (page, TRAJ_TYPE_PATIENT_PAGE, "identity_label")));
  stops = tab_stops (GTK_WIDGET (f->win), child (f->win, TRAJ_TYPE_WINDOW, "search_entry"), 40);
  for (guint k = 0; k < stops->len; k++)
    {
      GtkWidget *w = g_ptr_array_index (stops, k);
      g_assert_false (GTK_IS_FLOW_BOX_CHILD (w));
      if (gtk_widget_is_ancestor (w, page))
        g_assert_false (GTK_IS_LABEL (w));
    }
}

/* "Total dose" is a computed figure, read with the form, not a stop. */
static void
test_infusion_total_not_a_stop (Fixture *f, gconstpointer data)
{
  GtkWidget *editor, *total;
  gint64 id;

  id = add_patient (f, "T-2", "Tomas Total", traj_day_from_ymd (1970, 1, 2));
  {
    g_autoptr(TrajCourse) c = traj_course_new ();
    g_autoptr(GError) error = NULL;

    c->patient_id = id;
    c->indication = TRAJ_INDICATION_DEPRESSION;
    c->primary_scale = TRAJ_SCALE_PHQ9;
    c->induction_length = 6;
    c->start_day = traj_day_today () - 3;
    c->status = TRAJ_COURSE_INDUCTION;
    g_assert_true (traj_store_insert_course (f->store, c, &error));
    g_assert_no_error (error);
  }
  open_window (f);
  traj_window_show_patient (f->win, id);
  spin (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->win), "win.log-infusion", NULL));
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_INFUSION_EDITOR);
  g_assert_nonnull (editor);
  total = gtk_widget_get_ancestor (child (editor, TRAJ_TYPE_INFUSION_EDITOR, "total_label"), ADW_TYPE_ACTION_ROW);
  g_assert_nonnull (total);
  g_assert_false (gtk_widget_get_focusable (total));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);
}

static const char *window_shortcut_action (GtkWidget *widget, const char *accel);

/* Down in the search goes to the list, as in GNOME's own sidebars: it
 * opened the filter's menu before. */
static void
test_search_down_to_list (Fixture *f, gconstpointer data)
{
  GtkWidget *search, *list, *dropdown, *focus;

  add_patient (f, "D-1", "Dana Down", traj_day_from_ymd (1970, 1, 2));
  add_patient (f, "D-2", "Dora Down", traj_day_from_ymd (1971, 1, 2));
  open_window (f);
  search = child (f->win, TRAJ_TYPE_WINDOW, "search_entry");
  list = child (f->win, TRAJ_TYPE_WINDOW, "list_view");
  dropdown = child (f->win, TRAJ_TYPE_WINDOW, "filter_dropdown");
  gtk_widget_grab_focus (search);
  g_assert_cmpstr (window_shortcut_action (search, "Down"), ==, "win.focus-list");
  g_assert_true (gtk_widget_activate_action (search, "win.focus-list", NULL));
  spin (f);
  focus = gtk_root_get_focus (GTK_ROOT (f->win));
  g_assert_nonnull (focus);
  g_assert_true (focus == list || gtk_widget_is_ancestor (focus, list));
  g_assert_false (gtk_widget_is_ancestor (focus, dropdown));
}


/* The window's own shortcut for @accel, as its action name, or NULL. */
static const char *
window_shortcut_action (GtkWidget *widget, const char *accel)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) want = gtk_shortcut_trigger_parse_string (accel);

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, k);
      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint s = 0; s < g_list_model_get_n_items (G_LIST_MODEL (c)); s++)
        {
          g_autoptr(GtkShortcut) sc = g_list_model_get_item (G_LIST_MODEL (c), s);
          GtkShortcutAction *action = gtk_shortcut_get_action (sc);
          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (sc), want) && GTK_IS_NAMED_ACTION (action))
            return gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
        }
    }
  return NULL;
}

static void
test_keys_act_on_open_patient (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *name;
  gint64 id;

  id = add_patient (f, "D-1", "Ines Ortega", traj_day_from_ymd (1975, 4, 5));
  open_window (f);

  /* Ctrl+I and Ctrl+R belong to the window, not to the focused page. */
  name = window_shortcut_action (GTK_WIDGET (f->win), "<Control>i");
  g_assert_cmpstr (name, ==, "win.log-infusion");
  name = window_shortcut_action (GTK_WIDGET (f->win), "<Control>r");
  g_assert_cmpstr (name, ==, "win.record-scores");

  /* With nobody open they do nothing. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->win), "win.log-infusion", NULL) &&
                  find_toplevel (TRAJ_TYPE_INFUSION_EDITOR) != NULL);

  traj_window_show_patient (f->win, id);
  spin (f);
  /* Focus in the search box, far from the patient page. */
  gtk_widget_grab_focus (child (f->win, TRAJ_TYPE_WINDOW, "search_entry"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->win), "win.record-scores", NULL));
  spin (f);
  {
    GtkWidget *editor = find_toplevel (TRAJ_TYPE_ASSESSMENT_EDITOR);
    g_assert_nonnull (editor);
    traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  }
  spin (f);
}

/* The named-action shortcuts @widget's classes and controllers bind, into
 * @out (keypad twins of listed keys left out: they are the same key). */
static void
collect_bound_keys (GtkWidget *widget, GPtrArray *out)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, k);

      if (!GTK_IS_SHORTCUT_CONTROLLER (c))
        continue;
      for (guint s = 0; s < g_list_model_get_n_items (G_LIST_MODEL (c)); s++)
        {
          g_autoptr(GtkShortcut) sc = g_list_model_get_item (G_LIST_MODEL (c), s);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (sc);
          g_autofree char *text = gtk_shortcut_trigger_to_string (trigger);

          if (!GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (sc)) || strstr (text, "KP_"))
            continue;
          g_ptr_array_add (out, g_strdup (text));
        }
    }
}

static gboolean
shows_mapped_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (shows_mapped_label (c, text))
      return TRUE;
  return FALSE;
}

static gboolean
strv_has (GPtrArray *keys, const char *key)
{
  for (guint k = 0; k < keys->len; k++)
    if (g_strcmp0 (g_ptr_array_index (keys, k), key) == 0)
      return TRUE;
  return FALSE;
}

/* The Shortcuts window lists every key that works, and every key it lists
 * works: the application's accelerators, the window's and the search box's
 * keys, the editors', the chart's and the audit trail's. Return and Space
 * also work as GTK's own activation (a list row, a button). */
static void
test_shortcuts_window_lists_every_key (Fixture *f, gconstpointer data)
{
  /* In a process of its own: the application's start loads its style
   * sheet for the whole display, which the other tests run without. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_autoptr(GError) error = NULL;
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GPtrArray) bound = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSList) objects = NULL;
  TrajApplication *app = traj_application_new ();
  static const char *const app_actions[] = { "app.quit", "app.preferences", "win.show-help-overlay" };
  GtkWidget *editor, *chart, *audit;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  f->win = g_object_ref_sink (traj_window_new (app, f->store, f->settings));
  gtk_window_present (GTK_WINDOW (f->win));
  spin (f);
  for (guint k = 0; k < G_N_ELEMENTS (app_actions); k++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), app_actions[k]);

      g_assert_cmpuint (g_strv_length (accels), >=, 1);
      for (guint a = 0; accels[a]; a++)
        {
          g_autoptr(GtkShortcutTrigger) t = gtk_shortcut_trigger_parse_string (accels[a]);
          g_ptr_array_add (bound, gtk_shortcut_trigger_to_string (t));
        }
    }
  collect_bound_keys (GTK_WIDGET (f->win), bound);
  collect_bound_keys (child (f->win, TRAJ_TYPE_WINDOW, "search_entry"), bound);
  editor = g_object_ref_sink (GTK_WIDGET (traj_patient_editor_new (GTK_WINDOW (f->win), f->store, NULL)));
  collect_bound_keys (editor, bound);
  chart = g_object_ref_sink (traj_chart_view_new ());
  collect_bound_keys (chart, bound);
  audit = g_object_ref_sink (traj_audit_window_new (GTK_WINDOW (f->win), f->store));
  collect_bound_keys (audit, bound);
  g_assert_cmpuint (bound->len, >=, 15);

  builder = gtk_builder_new_from_resource ("/io/github/trajectory/Trajectory/gtk/help-overlay.ui");
  objects = gtk_builder_get_objects (builder);
  for (GSList *l = objects; l; l = l->next)
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) keys = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "accelerator", &accelerator, NULL);
      keys = g_strsplit (accelerator, " ", -1);
      for (guint k = 0; keys[k]; k++)
        {
          g_autoptr(GtkShortcutTrigger) t = gtk_shortcut_trigger_parse_string (keys[k]);
          char *text;

          g_assert_nonnull (t);
          text = gtk_shortcut_trigger_to_string (t);
          g_ptr_array_add (listed, text);
          if (!strv_has (bound, text) && g_strcmp0 (text, "Return") != 0 && g_strcmp0 (text, "space") != 0)
            g_error ("the Shortcuts window lists %s, which does nothing", text);
        }
    }
  for (guint k = 0; k < bound->len; k++)
    if (!strv_has (listed, g_ptr_array_index (bound, k)))
      g_error ("%s works but the Shortcuts window does not list it", (char *) g_ptr_array_index (bound, k));

  /* Its header reads as its title and the menu item do (GTK says
   * "Shortcuts"). */
  {
    GtkWindow *overlay = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->win)));

    g_assert_nonnull (overlay);
    g_assert_cmpstr (gtk_window_get_title (overlay), ==, "Keyboard Shortcuts");
    gtk_window_present (overlay);
    spin (f);
    WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (overlay)));
    g_assert_true (shows_mapped_label (gtk_window_get_titlebar (overlay), "Keyboard Shortcuts"));
    g_assert_false (shows_mapped_label (gtk_window_get_titlebar (overlay), "Shortcuts"));
    gtk_window_close (overlay);
    spin (f);
  }

  /* The windows over the main one go first, once their loading is done. */
  g_object_add_weak_pointer (G_OBJECT (audit), (gpointer *) &audit);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_window_destroy (GTK_WINDOW (audit));
  g_object_unref (audit);
  gtk_window_destroy (GTK_WINDOW (editor));
  g_object_unref (editor);
  g_object_unref (chart);
  WAIT_UNTIL (audit == NULL && editor == NULL);
  gtk_window_destroy (GTK_WINDOW (f->win));
  g_clear_object (&f->win);
  spin (f);
  g_object_unref (app);
}

/* ---- needs attention ------------------------------------------------------- */

/* The "Needs attention" list is a work list: unacknowledged safety findings
 * first, then the patient whose oldest open finding has waited longest. */
static void
test_needs_attention_order (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  TrajPatientList *list;
  gboolean seen_plain = FALSE;
  gint64 prev_at = G_MININT64;
  guint n, n_safety = 0;

  g_assert_true (traj_demo_generate (f->store, 11, 120, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  open_window (f);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f->win, TRAJ_TYPE_WINDOW, "filter_dropdown")),
                              TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  spin (f);
  list = traj_window_get_patient_list (f->win);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, >=, 3);
  for (guint k = 0; k < n; k++)
    {
      g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (list), k);
      const TrajPatientSummary *s = traj_patient_item_get_summary (item);

      g_assert_true (s->safety_open || s->open_findings > 0);
      g_assert_cmpint (s->oldest_open_at, !=, TRAJ_TIME_NONE);
      if (s->safety_open)
        {
          /* No safety patient below one without. */
          g_assert_false (seen_plain);
          n_safety++;
        }
      else if (!seen_plain)
        {
          seen_plain = TRUE;
          prev_at = G_MININT64;
        }
      g_assert_cmpint (s->oldest_open_at, >=, prev_at);
      prev_at = s->oldest_open_at;
    }
  g_assert_cmpuint (n_safety, >, 0);
  g_assert_true (seen_plain);
}

/* The suicidal-ideation risk flag puts a patient on the "Needs attention"
 * list (a clinician trial's finding), as safety: above a patient whose
 * monitoring event is older, with a red badge; clearing it takes them off. */
/* The "Item 9" tags (in the safety colour) under @widget, in @out. */
static void
collect_item9_tags (GtkWidget *widget, GPtrArray *out)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "safety") &&
      g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), "Item 9") == 0)
    g_ptr_array_add (out, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_item9_tags (c, out);
}

/* A tablet PHQ-9 whose item 9 was answered 1 and changed to 0 before
 * Submit had no "Item 9" tag on the patient page (it read the current
 * answer), though its safety finding is open. It has one, which says the
 * answer was changed; a clinician's PHQ-9 with item 9 at 0 has none. */
static void
test_item9_tag_taken_back (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajAssessment) a = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(TrajAssessment) plain = traj_assessment_new (TRAJ_SCALE_PHQ9);
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  gint64 id = add_patient (f, "MRN-9", "Ida Nine", traj_day_from_ymd (1980, 1, 2));

  plain->patient_id = a->patient_id = id;
  plain->taken_at = traj_time_now () - 86400;
  a->taken_at = traj_time_now () - 3600;
  a->source = TRAJ_SOURCE_TABLET;
  a->draft = TRUE;
  for (guint k = 0; k < 9; k++)
    plain->items[k] = a->items[k] = 0;
  g_assert_true (traj_store_insert_assessment (f->store, plain, &error));
  g_assert_no_error (error);
  a->items[8] = 1;
  g_assert_true (traj_store_insert_assessment (f->store, a, &error));
  g_assert_no_error (error);
  a->items[8] = 0;
  a->draft = FALSE;
  g_assert_true (traj_store_update_assessment (f->store, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a->safety_highest, ==, 1);

  open_window (f);
  traj_window_show_patient (f->win, id);
  spin (f);
  collect_item9_tags (GTK_WIDGET (traj_window_get_patient_page (f->win)), tags);
  g_assert_cmpuint (tags->len, ==, 1);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (tags->pdata[0]), ==,
                   "Thoughts of self-harm answered above “Not at all”, later changed to “Not at all”");
}

static void
test_needs_attention_risk_flag (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajPatient) flagged = NULL;
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(TrajInfusion) i = NULL;
  TrajPatientList *list;
  gint64 plain_id, event_id, now = traj_time_now ();
  GtkWidget *row, *badge, *risk;

  plain_id = add_patient (f, "MRN-1", "Ada Abbott", traj_day_from_ymd (1980, 1, 2));
  event_id = add_patient (f, "MRN-2", "Bea Brown", traj_day_from_ymd (1981, 1, 2));
  c->patient_id = event_id;
  c->indication = TRAJ_INDICATION_DEPRESSION;
  c->primary_scale = TRAJ_SCALE_PHQ9;
  c->start_day = traj_day_today () - 10;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  /* Systolic 185 ≥ 180, two days ago: a monitoring event, not safety. */
  i = traj_test_infusion_new (event_id, c->id, now - 2 * 86400);
  g_ptr_array_add (i->vitals, traj_test_vital_new (40, 185, 95));
  g_assert_true (traj_store_insert_infusion (f->store, i, &error));
  g_assert_no_error (error);
  flagged = traj_store_get_patient (f->store, add_patient (f, "MRN-3", "Cy Clark", traj_day_from_ymd (1982, 1, 2)),
                                    &error);
  flagged->risk_si_at = now - 60;
  g_assert_true (traj_store_update_patient (f->store, flagged, &error));
  g_assert_no_error (error);

  open_window (f);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f->win, TRAJ_TYPE_WINDOW, "filter_dropdown")),
                              TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  spin (f);
  list = traj_window_get_patient_list (f->win);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  {
    g_autoptr(TrajPatientItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_autoptr(TrajPatientItem) second = g_list_model_get_item (G_LIST_MODEL (list), 1);
    const TrajPatientSummary *s = traj_patient_item_get_summary (first);

    g_assert_cmpint (s->id, ==, flagged->id);
    g_assert_true (s->risk_flag);
    g_assert_true (s->safety_open);
    g_assert_cmpint (s->open_findings, ==, 1);
    g_assert_cmpint (s->oldest_open_at, ==, now - 60);
    g_assert_cmpint (traj_patient_item_get_summary (second)->id, ==, event_id);
    g_assert_false (traj_patient_item_get_summary (second)->safety_open);

    /* The row: no finding is open, so no count badge (the trial's red
     * "1" with nothing to acknowledge); the risk flag shows as its own red
     * icon, with a tooltip. */
    row = traj_patient_row_new ();
    g_object_ref_sink (row);
    traj_patient_row_set_item (TRAJ_PATIENT_ROW (row), first);
    badge = child (row, TRAJ_TYPE_PATIENT_ROW, "badge");
    risk = child (row, TRAJ_TYPE_PATIENT_ROW, "risk_image");
    g_assert_false (gtk_widget_get_visible (badge));
    g_assert_true (gtk_widget_get_visible (risk));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (risk), ==, "Risk flag: suicidal ideation");
    g_assert_true (gtk_widget_has_css_class (risk, "risk-flag"));
    /* The monitoring event: a plain badge of one, no flag. */
    traj_patient_row_set_item (TRAJ_PATIENT_ROW (row), second);
    g_assert_true (gtk_widget_get_visible (badge));
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (badge)), ==, "1");
    g_assert_false (gtk_widget_has_css_class (badge, "safety"));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (badge), ==, "1 open finding");
    g_assert_false (gtk_widget_get_visible (risk));
    g_object_unref (row);
  }
  g_assert_cmpint (traj_patient_list_find (list, plain_id), <, 0);

  /* Cleared: off the list. */
  flagged->risk_si_at = TRAJ_TIME_NONE;
  traj_store_update_patient_why (f->store, flagged, "Dr Ana Silva", "Reviewed in clinic today", &error);
  g_assert_no_error (error);
  spin (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_cmpint (traj_patient_list_find (list, flagged->id), <, 0);
}

/* The trial saw an open tablet code without its Cancel button although the
 * page says to cancel lost codes: on a shown page, each code's Cancel is
 * on screen, and it cancels. */
static void
test_open_code_cancel_shown (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 id = add_patient (f, "MRN-1", "Ada Abbott", traj_day_from_ymd (1980, 1, 2));
  g_autofree char *code = NULL;
  TrajCheckinList *list;
  GtkWidget *button;

  g_assert_true (traj_store_set_staff_pin (f->store, NULL, "406819", &error));
  g_assert_no_error (error);
  code = traj_store_create_checkin (f->store, id, "phq9", 3600, NULL, &error);
  g_assert_no_error (error);
  open_window (f);
  traj_window_show_patient (f->win, id);
  spin (f);
  list = TRAJ_CHECKIN_LIST (gtk_widget_get_template_child (traj_window_get_patient_page (f->win), TRAJ_TYPE_PATIENT_PAGE,
                                                           "checkin_list"));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (list)));
  g_assert_cmpuint (traj_checkin_list_get_n_codes (list), ==, 1);
  button = traj_checkin_list_get_cancel_button (list, 0);
  WAIT_UNTIL (gtk_widget_get_mapped (button) && gtk_widget_get_width (button) > 0);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Cancel Code");
  /* As a click or Enter does (a button's activation clicks it a moment later). */
  gtk_widget_activate (button);
  WAIT_UNTIL (traj_checkin_list_get_n_codes (list) == 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (list)));
}

/* ---- cohorts ------------------------------------------------------------------ */

/* While the first comparison runs, the view says so: never "No Courses to
 * Compare" over a clinic that has courses. */
static void
test_cohorts_show_progress (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *stack;
  TrajCohortView *view;
  gint64 end;

  g_assert_true (traj_demo_generate (f->store, 5, 60, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  window = gtk_window_new ();
  view = TRAJ_COHORT_VIEW (traj_cohort_view_new (f->store, f->settings));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  stack = child (view, TRAJ_TYPE_COHORT_VIEW, "results_stack");
  /* Before anything is computed, nothing claims the clinic is empty. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), !=, "empty");
  /* What the window does when Cohorts is first shown. */
  traj_cohort_view_refresh (view);

  g_assert_true (traj_cohort_view_is_busy (view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "computing");
  end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (traj_cohort_view_is_busy (view) && g_get_monotonic_time () < end)
    {
      g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), !=, "empty");
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_false (traj_cohort_view_is_busy (view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "results");
  gtk_window_destroy (GTK_WINDOW (window));
  spin (f);
}

static int
max_grid_column (GtkWidget *grid)
{
  int max = -1;

  for (GtkWidget *c = gtk_widget_get_first_child (grid); c; c = gtk_widget_get_next_sibling (c))
    {
      int column, width;
      gtk_grid_query_child (GTK_GRID (grid), c, &column, NULL, &width, NULL);
      max = MAX (max, column + width - 1);
    }
  return max;
}

/* At 800 px the comparison folds: one block per cohort, nothing wider than
 * the window; wide, one column per cohort. */
static TrajCohortView *
show_cohorts (Fixture *f, int width, int height, GtkWidget **window)
{
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  TrajCohortView *view = TRAJ_COHORT_VIEW (traj_cohort_view_new (f->store, f->settings));

  *window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (*window), width, height);
  gtk_window_set_child (GTK_WINDOW (*window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (*window));
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  traj_cohort_view_set_definition (view, def);
  WAIT_UNTIL (!traj_cohort_view_is_busy (view) && traj_cohort_view_get_report (view) != NULL &&
              gtk_widget_get_width (GTK_WIDGET (view)) > 0);
  return view;
}

/* The chart as drawn (after a frame at its current size): every panel
 * keeps a readable plot, with the first cohort's counts under its axis. */
static void
assert_chart_readable (Fixture *f, TrajCohortView *view)
{
  GtkWidget *area = view->chart_area;
  GdkFrameClock *clock;
  gint64 first;
  cairo_rectangle_t plot;
  double w, h;

  WAIT_UNTIL (gtk_widget_get_mapped (area) && gtk_widget_get_width (area) > 0);
  /* Its height follows its width after an allocation: let both settle,
   * and the chart be drawn at the size it has. */
  spin (f);
  WAIT_UNTIL (view->fit_chart_idle == 0);
  clock = gtk_widget_get_frame_clock (area);
  first = gdk_frame_clock_get_frame_counter (clock);
  gtk_widget_queue_draw (area);
  WAIT_UNTIL (gdk_frame_clock_get_frame_counter (clock) > first);
  WAIT_UNTIL (view->fit_chart_idle == 0 && view->chart_layout != NULL);
  traj_cohort_chart_layout_get_size (view->chart_layout, &w, &h);
  g_assert_cmpfloat (w, ==, gtk_widget_get_width (area));
  g_assert_cmpfloat (h, ==, gtk_widget_get_height (area));
  g_assert_cmpuint (traj_cohort_chart_layout_get_n_panels (view->chart_layout), >=, 3);
  for (guint p = 0; p < traj_cohort_chart_layout_get_n_panels (view->chart_layout); p++)
    {
      g_assert_true (traj_cohort_chart_layout_get_plot_area (view->chart_layout, p, &plot));
      g_test_message ("chart %.0f×%.0f, panel %u: %.0f×%.0f", w, h, p, plot.width, plot.height);
      g_assert_cmpfloat (plot.height, >=, 120);
    }
  g_assert_nonnull (traj_cohort_chart_layout_get_count (view->chart_layout, 0, 0, NULL));
}

static void
test_cohorts_fold_when_narrow (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *grid;
  TrajCohortView *view;
  int min_width;

  g_assert_true (traj_demo_generate (f->store, 5, 60, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));

  /* Wide: one column per cohort. */
  view = show_cohorts (f, 1280, 800, &window);
  grid = child (view, TRAJ_TYPE_COHORT_VIEW, "metrics_grid");
  WAIT_UNTIL (max_grid_column (grid) >= 2);
  g_assert_nonnull (traj_cohort_view_get_cell (view, "courses", 1));
  assert_chart_readable (f, view);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (f);

  /* A tablet, 800 px: the cohorts stack, nothing is wider than the window;
   * the chart's panels fold into rows and it grows to keep them readable. */
  view = show_cohorts (f, 800, 1280, &window);
  grid = child (view, TRAJ_TYPE_COHORT_VIEW, "metrics_grid");
  WAIT_UNTIL (max_grid_column (grid) == 1);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (view)), <=, 800);
  g_assert_nonnull (traj_cohort_view_get_cell (view, "courses", 1));
  gtk_widget_measure (grid, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 800 - 36);
  assert_chart_readable (f, view);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (f);
}

/* At 1100 px the side-by-side table was wider than the view: its right
 * column touched the window's edge (scrolled sideways; above 900 px it
 * never folded). Whatever the layout and width, what the table needs fits
 * inside the page's margins; five cohorts are side by side from 1100 px. */
static void
test_cohorts_table_inside (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  /* The demo clinic `trajectory --demo` opens: 80 patients. */
  g_assert_true (traj_demo_generate (f->store, 7, 80, traj_day_from_ymd (2026, 12, 7), NULL, NULL, NULL, NULL, &error));
  static const int widths[] = { 940, 1100, 1280 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      int width = widths[w];
      TrajCohortView *view;
      GtkWidget *grid, *root;
      graphene_rect_t bounds;
      guint n_cohorts;
      int root_w;

      f->win = g_object_ref_sink (traj_window_new (NULL, f->store, f->settings));
      gtk_window_set_default_size (GTK_WINDOW (f->win), width, 800);
      gtk_window_present (GTK_WINDOW (f->win));
      spin (f);
      adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child (f->win, TRAJ_TYPE_WINDOW, "view_stack")), "cohorts");
      view = TRAJ_COHORT_VIEW (traj_window_get_cohort_view (f->win));
      WAIT_UNTIL (!traj_cohort_view_is_busy (view) && traj_cohort_view_get_report (view) != NULL);
      n_cohorts = traj_cohort_view_get_report (view)->cohorts->len;
      g_assert_cmpuint (n_cohorts, >=, 5);
      grid = child (view, TRAJ_TYPE_COHORT_VIEW, "metrics_grid");
      /* Let a fold that the width calls for happen. */
      WAIT_UNTIL (gtk_widget_get_width (grid) > 0);
      spin (f);
      root = GTK_WIDGET (f->win);
      root_w = gtk_widget_get_width (root);
      g_assert_true (gtk_widget_compute_bounds (grid, root, &bounds));
      g_test_message ("%d px, %u cohorts: table %.0f to %.0f, %s", width, n_cohorts, bounds.origin.x,
                      bounds.origin.x + bounds.size.width, max_grid_column (grid) == 1 ? "folded" : "side by side");
      g_assert_cmpfloat (bounds.origin.x, >=, 18);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, root_w - 18);
      /* What it needs fits with the margins and room for a classic
       * scrollbar (24 px), which in the app pushed it sideways. */
      {
        int min = 0;
        gtk_widget_measure (grid, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
        g_test_message ("table needs %d px", min);
        g_assert_cmpint (min + 2 * 18 + 24, <=, root_w);
      }
      /* And the chart above it. */
      g_assert_true (gtk_widget_compute_bounds (child (view, TRAJ_TYPE_COHORT_VIEW, "chart_box"), root, &bounds));
      g_test_message ("chart %.0f to %.0f", bounds.origin.x, bounds.origin.x + bounds.size.width);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, root_w - 18);
      /* Folded or not, nothing needs scrolling sideways; from 1100 px
       * the five are side by side. */
      if (width >= 1100)
        g_assert_cmpint (max_grid_column (grid), ==, (int) n_cohorts);
      gtk_window_destroy (GTK_WINDOW (f->win));
      g_clear_object (&f->win);
      spin (f);
    }
}

/* Hovering a mean on the cohort chart says how many courses it rests on. */
static void
test_cohort_chart_point_n (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  g_autoptr(TrajCohortChartLayout) layout = NULL;
  g_autofree char *tip = NULL;
  TrajCohortChartOptions options;
  const TrajCohort *h;
  const TrajCohortPoint *p = NULL;
  TrajThresholds t;

  g_assert_true (traj_demo_generate (f->store, 5, 40, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  traj_thresholds_init_defaults (&t);
  report = traj_cohort_compute (f->store, def, &t, TRAJ_TIME_NONE, NULL, &error);
  g_assert_no_error (error);
  h = g_ptr_array_index (report->cohorts, 0);
  for (guint k = 0; k < h->by_infusion->len && p == NULL; k++)
    if (g_array_index (h->by_infusion, TrajCohortPoint, k).x == 2)
      p = &g_array_index (h->by_infusion, TrajCohortPoint, k);
  g_assert_nonnull (p);

  traj_cohort_chart_options_init (&options, TRAJ_COHORT_CHART_BY_INFUSION);
  layout = traj_cohort_chart_layout_new (report, &options, 900, 360);
  tip = traj_cohort_chart_layout_describe_point (layout, traj_cohort_chart_layout_x_for (layout, 0, 2),
                                                 traj_cohort_chart_layout_y_for (layout, 0, p->mean.mean), 6);
  g_assert_nonnull (tip);
  {
    /* The mean with its interval and n, as the table writes it. */
    g_autofree char *mean = traj_cohort_mean_format (&p->mean, 1);
    g_autofree char *n = g_strdup_printf ("%u", p->mean.n);
    g_assert_nonnull (strstr (tip, mean));
    g_assert_true (g_str_has_suffix (tip, n));
    g_assert_nonnull (strstr (tip, "infusion 2"));
  }
  /* Far from every mark: nothing. */
  g_assert_null (traj_cohort_chart_layout_describe_point (layout, 1, 1, 6));
}

/* Under the cohort chart's axis, each cohort's row of counts: under a tick,
 * the number of courses its mean there rests on, as the cohort has it. */
static void
test_cohort_chart_counts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  TrajThresholds t;
  guint shown = 0;

  g_assert_true (traj_demo_generate (f->store, 5, 60, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  traj_thresholds_init_defaults (&t);
  report = traj_cohort_compute (f->store, def, &t, TRAJ_TIME_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->cohorts->len, >=, 2);

  for (guint kind = TRAJ_COHORT_CHART_BY_INFUSION; kind <= TRAJ_COHORT_CHART_BY_WEEK; kind++)
    {
      g_autoptr(TrajCohortChartLayout) layout = NULL;
      TrajCohortChartOptions options;

      traj_cohort_chart_options_init (&options, kind);
      layout = traj_cohort_chart_layout_new (report, &options, 1200, 700);
      for (guint c = 0; c < MIN (report->cohorts->len, TRAJ_COHORT_CHART_MAX_SERIES); c++)
        {
          const TrajCohort *h = g_ptr_array_index (report->cohorts, c);
          GArray *pts = kind == TRAJ_COHORT_CHART_BY_WEEK ? h->by_week : h->by_infusion;
          guint panel = G_MAXUINT;

          for (guint p = 0; p < traj_cohort_chart_layout_get_n_panels (layout); p++)
            if (traj_cohort_chart_layout_get_panel_scale (layout, p) == h->scale)
              panel = p;
          if (panel == G_MAXUINT)
            continue;
          /* The baseline always has its count. */
          g_assert_nonnull (traj_cohort_chart_layout_get_count (layout, c, 0, NULL));
          for (guint k = 0; k < pts->len; k++)
            {
              const TrajCohortPoint *cp = &g_array_index (pts, TrajCohortPoint, k);
              g_autofree char *n = g_strdup_printf ("%u", cp->mean.n);
              cairo_rectangle_t box, plot;
              const char *count = traj_cohort_chart_layout_get_count (layout, c, cp->x, &box);

              if (count == NULL)
                continue;
              shown++;
              g_assert_cmpstr (count, ==, n);
              /* Under the axis, centred on its infusion number or week. */
              g_assert_true (traj_cohort_chart_layout_get_plot_area (layout, panel, &plot));
              g_assert_cmpfloat (box.y, >, plot.y + plot.height);
              g_assert_cmpfloat_with_epsilon (box.x + box.width / 2,
                                              traj_cohort_chart_layout_x_for (layout, panel, cp->x), 0.5);
            }
          /* Nothing where the cohort has no mean. */
          g_assert_null (traj_cohort_chart_layout_get_count (layout, c, 1000, NULL));
        }
    }
  g_assert_cmpuint (shown, >=, 2 * report->cohorts->len);
}

/* The exported comparison says what it compares, on every row. */
static void
test_cohort_csv_records_settings (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TrajCohortDefinition) def = traj_cohort_definition_new ();
  g_autoptr(TrajCohortReport) report = NULL;
  g_autoptr(TrajTable) metrics = NULL;
  g_autoptr(TrajTable) courses = NULL;
  g_autoptr(TrajTable) plain = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *plain_csv = NULL;
  g_auto(GStrv) lines = NULL;
  TrajThresholds t;

  g_assert_true (traj_demo_generate (f->store, 5, 30, traj_day_from_ymd (2026, 9, 1), NULL, NULL, NULL, NULL, &error));
  def->group_by = TRAJ_COHORT_FIELD_INDICATION;
  traj_thresholds_init_defaults (&t);
  t.response_fraction[TRAJ_SCALE_PHQ9] = 0.4;
  report = traj_cohort_compute (f->store, def, &t, TRAJ_TIME_NONE, NULL, &error);
  g_assert_no_error (error);

  metrics = traj_cohort_report_metrics_table_with_settings (report);
  csv = traj_table_to_string (metrics, TRAJ_FORMAT_CSV);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_nonnull (strstr (lines[0], "comparison"));
  g_assert_nonnull (strstr (lines[0], "thresholds"));
  for (guint k = 1; lines[k] && *lines[k]; k++)
    {
      /* The grouping and the changed threshold travel with every row. */
      g_assert_nonnull (strstr (lines[k], "indication"));
      g_assert_nonnull (strstr (lines[k], "phq9: response <= 0.40 x baseline"));
    }
  courses = traj_cohort_report_courses_table_with_settings (report);
  g_assert_cmpuint (traj_table_n_rows (courses), >, 0);
  /* The CLI's own tables keep their columns. */
  plain = traj_cohort_report_metrics_table (report);
  plain_csv = traj_table_to_string (plain, TRAJ_FORMAT_CSV);
  g_assert_null (strstr (plain_csv, "comparison"));
}

/* Export buttons say what they export, in words. */
static void
test_export_buttons_say_what (Fixture *f, gconstpointer data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = traj_cohort_view_new (f->store, f->settings);
  GtkWidget *button, *content;

  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  button = child (view, TRAJ_TYPE_COHORT_VIEW, "export_button");
  content = gtk_menu_button_get_child (GTK_MENU_BUTTON (button));
  g_assert_true (ADW_IS_BUTTON_CONTENT (content));
  g_assert_cmpstr (adw_button_content_get_label (ADW_BUTTON_CONTENT (content)), ==, "Export");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "CSV"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (button), "chart"));
  while (traj_cohort_view_is_busy (TRAJ_COHORT_VIEW (view)))
    g_main_context_iteration (NULL, TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (f);
}

/* ---- the demo clinic ------------------------------------------------------- */

static void
test_demo_clinic_says_so (Fixture *f, gconstpointer data)
{
  GtkWidget *label;

  open_window (f);
  label = child (f->win, TRAJ_TYPE_WINDOW, "demo_label");
  g_assert_false (gtk_widget_get_visible (label));
  traj_window_set_demo (f->win, TRUE);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "Demo clinic"));
  g_object_set (f->win, "demo", FALSE, NULL);
  g_assert_false (gtk_widget_get_visible (label));
}

/* ---- editors ------------------------------------------------------------------ */

static void
test_new_patient_says_what_is_missing (Fixture *f, gconstpointer data)
{
  TrajPatientEditor *editor;
  const char *hint;

  open_window (f);
  gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  g_assert_nonnull (editor);
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  hint = traj_editor_dialog_get_missing (TRAJ_EDITOR_DIALOG (editor));
  g_assert_nonnull (hint);
  g_assert_nonnull (strstr (hint, "MRN"));
  g_assert_nonnull (strstr (hint, "birth date"));

  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "E-1");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Ed Example");
  hint = traj_editor_dialog_get_missing (TRAJ_EDITOR_DIALOG (editor));
  g_assert_nonnull (hint);
  g_assert_null (strstr (hint, "MRN"));
  g_assert_nonnull (strstr (hint, "birth date"));
  g_assert_false (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));

  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                           traj_day_from_ymd (1980, 1, 1));
  g_assert_true (traj_editor_dialog_get_valid (TRAJ_EDITOR_DIALOG (editor)));
  g_assert_null (traj_editor_dialog_get_missing (TRAJ_EDITOR_DIALOG (editor)));
  traj_editor_dialog_force_close (TRAJ_EDITOR_DIALOG (editor));
  spin (f);
}

/* CLINICAL.md §8: the patient editor offers the indication's details and
 * the suicidal-ideation flag; saved, the page header names the detail and
 * the flag with who set it and when. */
static void
test_patient_detail_and_risk_flag (Fixture *f, gconstpointer data)
{
  TrajPatientEditor *editor;
  AdwComboRow *indication, *detail;
  GtkWidget *risk_row, *page, *risk_label, *substance_label, *notes;
  g_autoptr(TrajPatient) saved = NULL;
  g_autoptr(TrajCourse) c = traj_course_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *today = traj_day_format (traj_day_today ());

  open_window (f);
  gtk_widget_activate_action (GTK_WIDGET (f->win), "win.new-patient", NULL);
  spin (f);
  editor = find_toplevel (TRAJ_TYPE_PATIENT_EDITOR);
  g_assert_nonnull (editor);
  indication = ADW_COMBO_ROW (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "indication_row"));
  detail = ADW_COMBO_ROW (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "detail_row"));
  risk_row = child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_row");

  /* Depression: not given, mdd, trd, postpartum. Anxiety has none: hidden. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (detail)));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (detail)), ==, 4);
  adw_combo_row_set_selected (indication, TRAJ_INDICATION_ANXIETY);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (detail)));
  adw_combo_row_set_selected (indication, TRAJ_INDICATION_CHRONIC_PAIN);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (detail)));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (detail)), ==, 6);
  adw_combo_row_set_selected (detail, 2);   /* Fibromyalgia */

  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (risk_row)), "Not flagged"));
  gtk_switch_set_active (GTK_SWITCH (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_switch")), TRUE);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (risk_row)), "Flagged when you save"));
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "risk_by_row")), "Dr Ana Silva");

  /* Issue 15: the history of substance use. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "substance_row")),
                              TRAJ_SUBSTANCE_USE_CURRENT);
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "mrn_row")), "SI-1");
  gtk_editable_set_text (GTK_EDITABLE (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "name_row")), "Fay Flagged");
  traj_date_entry_set_day (TRAJ_DATE_ENTRY (child (editor, TRAJ_TYPE_PATIENT_EDITOR, "birth_entry")),
                           traj_day_from_ymd (1980, 1, 1));
  g_assert_true (traj_editor_dialog_save (TRAJ_EDITOR_DIALOG (editor)));
  spin (f);

  saved = traj_store_find_patient_by_mrn (f->store, "SI-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (saved->indication, ==, TRAJ_INDICATION_CHRONIC_PAIN);
  g_assert_cmpstr (saved->indication_detail, ==, "fibromyalgia");
  g_assert_cmpint (saved->risk_si_at, >, 0);
  g_assert_cmpstr (saved->risk_si_by, !=, "");

  traj_window_show_patient (f->win, saved->id);
  spin (f);
  page = GTK_WIDGET (traj_window_get_patient_page (f->win));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (page, TRAJ_TYPE_PATIENT_PAGE, "identity_label"))),
                            "Chronic pain (Fibromyalgia)"));
  risk_label = child (page, TRAJ_TYPE_PATIENT_PAGE, "risk_label");
  g_assert_true (gtk_widget_get_visible (risk_label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (risk_label)), "Risk flag: suicidal ideation · set by"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (risk_label)), saved->risk_si_by));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (risk_label)), today));

  /* Issue 15: the header says the history of substance use, and a course
   * of the patient carries its information note. */
  g_assert_cmpint (saved->substance_use, ==, TRAJ_SUBSTANCE_USE_CURRENT);
  substance_label = child (page, TRAJ_TYPE_PATIENT_PAGE, "substance_label");
  g_assert_true (gtk_widget_get_visible (substance_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (substance_label)), ==, "History of substance use: Current");
  notes = with_css_class (page, "medication-notes");
  g_assert_nonnull (notes);
  g_assert_false (gtk_widget_get_visible (notes));   /* no course yet */
  c->patient_id = saved->id;
  c->indication = TRAJ_INDICATION_CHRONIC_PAIN;
  c->primary_scale = TRAJ_SCALE_PAIN_NRS;
  c->start_day = traj_day_today () - 3;
  g_assert_true (traj_store_insert_course (f->store, c, &error));
  g_assert_no_error (error);
  traj_window_show_patient (f->win, saved->id);
  spin (f);
  g_assert_true (gtk_widget_get_visible (notes));
  g_assert_true (has_label_text (notes, "Current substance use might reduce the response to ketamine."));

  /* Recorded as none: no line in the header, no note. */
  saved->substance_use = TRAJ_SUBSTANCE_USE_NONE;
  g_assert_true (traj_store_update_patient (f->store, saved, &error));
  g_assert_no_error (error);
  traj_window_show_patient (f->win, saved->id);
  spin (f);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (substance_label)), ==, "History of substance use: None");
  g_assert_false (gtk_widget_get_visible (notes));
  saved->substance_use = TRAJ_SUBSTANCE_USE_UNKNOWN;
  g_assert_true (traj_store_update_patient (f->store, saved, &error));
  g_assert_no_error (error);
  traj_window_show_patient (f->win, saved->id);
  spin (f);
  g_assert_false (gtk_widget_get_visible (substance_label));
}

int
main (int argc, char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  traj_gui_load_app_style (gdk_display_get_default ());

  g_test_add_func ("/clinician/search-fold", test_search_fold);
  g_test_add ("/clinician/search-accents", Fixture, NULL, fixture_setup, test_search_accents, fixture_teardown);
  g_test_add ("/clinician/typing-at-start-searches", Fixture, NULL, fixture_setup,
              test_typing_at_start_searches, fixture_teardown);
  g_test_add ("/clinician/search-enter-narrow-focus", Fixture, NULL, fixture_setup,
              test_search_enter_narrow_focus, fixture_teardown);
  g_test_add ("/clinician/search-counts", Fixture, NULL, fixture_setup, test_search_counts, fixture_teardown);
  g_test_add ("/clinician/search-enter-opens-first", Fixture, NULL, fixture_setup,
              test_search_enter_opens_first, fixture_teardown);
  g_test_add ("/clinician/birth-date-shown", Fixture, NULL, fixture_setup, test_birth_date_shown, fixture_teardown);
  g_test_add ("/clinician/patient-row-wraps", Fixture, NULL, fixture_setup, test_patient_row_wraps, fixture_teardown);
  g_test_add ("/clinician/chart-plot-height", Fixture, NULL, fixture_setup, test_chart_plot_height, fixture_teardown);
  g_test_add ("/clinician/page-tab-stops", Fixture, NULL, fixture_setup, test_page_tab_stops, fixture_teardown);
  g_test_add ("/clinician/infusion-total-not-a-stop", Fixture, NULL, fixture_setup, test_infusion_total_not_a_stop,
              fixture_teardown);
  g_test_add ("/clinician/search-down-to-list", Fixture, NULL, fixture_setup, test_search_down_to_list,
              fixture_teardown);
  g_test_add ("/clinician/focused-answer-not-blue", Fixture, NULL, fixture_setup, test_focused_answer_not_blue,
              fixture_teardown);
  g_test_add ("/clinician/export-menus-no-tooltip", Fixture, NULL, fixture_setup, test_export_menus_no_tooltip,
              fixture_teardown);
  g_test_add ("/clinician/keys-act-on-open-patient", Fixture, NULL, fixture_setup,
              test_keys_act_on_open_patient, fixture_teardown);
  g_test_add ("/clinician/shortcuts-window-lists-every-key", Fixture, NULL, fixture_setup,
              test_shortcuts_window_lists_every_key, fixture_teardown);
  g_test_add ("/clinician/patient-detail-and-risk-flag", Fixture, NULL, fixture_setup,
              test_patient_detail_and_risk_flag, fixture_teardown);
  g_test_add ("/clinician/new-patient-says-what-is-missing", Fixture, NULL, fixture_setup,
              test_new_patient_says_what_is_missing, fixture_teardown);
  g_test_add ("/clinician/needs-attention-order", Fixture, NULL, fixture_setup, test_needs_attention_order,
              fixture_teardown);
  g_test_add ("/clinician/item9-tag-taken-back", Fixture, NULL, fixture_setup, test_item9_tag_taken_back,
              fixture_teardown);
  g_test_add ("/clinician/open-code-cancel-shown", Fixture, NULL, fixture_setup, test_open_code_cancel_shown,
              fixture_teardown);
  g_test_add ("/clinician/needs-attention-risk-flag", Fixture, NULL, fixture_setup, test_needs_attention_risk_flag,
              fixture_teardown);
  g_test_add ("/clinician/cohorts-show-progress", Fixture, NULL, fixture_setup, test_cohorts_show_progress,
              fixture_teardown);
  g_test_add ("/clinician/cohorts-fold-when-narrow", Fixture, NULL, fixture_setup, test_cohorts_fold_when_narrow,
              fixture_teardown);
  g_test_add ("/clinician/cohorts-table-inside", Fixture, NULL, fixture_setup, test_cohorts_table_inside,
              fixture_teardown);
  g_test_add ("/clinician/cohort-chart-counts", Fixture, NULL, fixture_setup, test_cohort_chart_counts,
              fixture_teardown);
  g_test_add ("/clinician/cohort-chart-point-n", Fixture, NULL, fixture_setup, test_cohort_chart_point_n,
              fixture_teardown);
  g_test_add ("/clinician/cohort-csv-records-settings", Fixture, NULL, fixture_setup,
              test_cohort_csv_records_settings, fixture_teardown);
  g_test_add ("/clinician/export-buttons-say-what", Fixture, NULL, fixture_setup, test_export_buttons_say_what,
              fixture_teardown);
  g_test_add ("/clinician/demo-clinic-says-so", Fixture, NULL, fixture_setup, test_demo_clinic_says_so,
              fixture_teardown);
  return g_test_run ();
}
