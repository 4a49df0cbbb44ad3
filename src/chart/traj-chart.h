/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "traj-outcomes.h"
#include "traj-records.h"

G_BEGIN_DECLS

/* The patient trajectory chart (DESIGN.md "Charts"): a model built once from
 * a patient's records and the outcomes engine's results, a layout of that
 * model at one size, and drawing of the layout on any cairo_t (screen, PNG,
 * SVG, PDF, print). No GTK: the widget in src/gui passes its colours in.
 *
 * Coordinates are cairo user units with the origin at the top left of the
 * chart; one unit is one logical pixel on screen and one point in PDF. */

/* ---- options and palette ------------------------------------------------ */

typedef enum {
  TRAJ_CHART_AXIS_DATE,          /* calendar time */
  TRAJ_CHART_AXIS_INFUSION,      /* infusion number, 1 … n */
} TrajChartAxis;

GType       traj_chart_axis_get_type     (void) G_GNUC_CONST;
#define TRAJ_TYPE_CHART_AXIS (traj_chart_axis_get_type ())
/* "date" / "infusion" */
const char *traj_chart_axis_to_string    (TrajChartAxis axis);
gboolean    traj_chart_axis_from_string  (const char *s, TrajChartAxis *out);

/* What to draw: the tests draw one layer at a time to check where it lands. */
typedef enum {
  TRAJ_CHART_LAYER_BACKGROUND = 1 << 0,  /* page colour, severity bands, grid */
  TRAJ_CHART_LAYER_DATA       = 1 << 1,  /* score lines and points, drafts, infusion markers */
  TRAJ_CHART_LAYER_REFERENCE  = 1 << 2,  /* baseline, response and remission lines */
  TRAJ_CHART_LAYER_PINS       = 1 << 3,  /* finding pins */
  TRAJ_CHART_LAYER_TEXT       = 1 << 4,  /* axes, ticks, titles, labels, legend, messages */
  TRAJ_CHART_LAYER_ALL        = 0x1f,
} TrajChartLayers;

typedef struct {
  TrajChartAxis axis;
  TrajChartLayers layers;
  const char *font_family;       /* NULL: "Sans"; copied by the layout */
  double font_size;              /* base label size in user units; 0: 12 */
  gboolean show_title;           /* patient name, MRN and period on top (exports) */
} TrajChartOptions;

void traj_chart_options_init (TrajChartOptions *options);

typedef struct {
  double red, green, blue, alpha;
} TrajChartColor;

typedef struct {
  TrajChartColor background;     /* page colour; alpha 0: not painted (the widget's own
                                  * background shows) but still used opaque for halos */
  TrajChartColor foreground;     /* text, axes, score lines */
  TrajChartColor accent;         /* response threshold, focus and hover */
  TrajChartColor success;        /* remission threshold, mild end of the bands */
  TrajChartColor warning;        /* middle bands, no-response findings */
  TrajChartColor error;          /* severe end of the bands, safety marks and findings */
  TrajChartColor phase[TRAJ_N_PHASES]; /* infusion markers: induction, maintenance, booster */
  gboolean dark;                 /* light marks on a dark background */
} TrajChartPalette;

/* Light colours on white, for paper and exported files. */
void traj_chart_palette_init_print (TrajChartPalette *palette);

/* ---- model --------------------------------------------------------------- */

typedef struct _TrajChartModel TrajChartModel;

GType           traj_chart_model_get_type   (void) G_GNUC_CONST;
#define TRAJ_TYPE_CHART_MODEL (traj_chart_model_get_type ())

/* Builds the model of one patient: one series per scale with any assessment
 * (the course's primary scale first), complete assessments as values, drafts
 * apart (never plotted as values), infusions with phase and dose, findings
 * pinned where they fired, and each course's baseline and thresholds as the
 * outcomes engine computed them (@outcomes may be NULL: no reference lines
 * and no pins). @records must outlive nothing: the model copies what it
 * needs. */
TrajChartModel *traj_chart_model_new_from_records (const TrajPatientRecords *records,
                                                   const TrajOutcomes       *outcomes);
TrajChartModel *traj_chart_model_ref        (TrajChartModel *model);
void            traj_chart_model_unref      (TrajChartModel *model);

/* TRUE when there is nothing to draw: no assessment and no infusion. */
gboolean        traj_chart_model_is_empty   (const TrajChartModel *model);
guint           traj_chart_model_get_n_series (const TrajChartModel *model);
TrajScaleId     traj_chart_model_get_series_scale (const TrajChartModel *model,
                                                   guint                 series);
/* Complete (plotted) assessments of a series. */
guint           traj_chart_model_get_n_scores (const TrajChartModel *model,
                                               guint                 series);
guint           traj_chart_model_get_n_infusions (const TrajChartModel *model);
const char     *traj_chart_model_get_patient_name (const TrajChartModel *model);
const char     *traj_chart_model_get_mrn    (const TrajChartModel *model);

/* What the chart shows, in sentences for a screen reader: scales, period,
 * infusions, each scale's latest value with its band, change from baseline
 * and trend, open findings. Translated. */
char           *traj_chart_model_describe   (const TrajChartModel *model);

/* ---- items: what can be pointed at -------------------------------------- */

typedef enum {
  TRAJ_CHART_ITEM_NONE,
  TRAJ_CHART_ITEM_SCORE,         /* a complete assessment */
  TRAJ_CHART_ITEM_DRAFT,         /* an incomplete assessment (not a value) */
  TRAJ_CHART_ITEM_INFUSION,
  TRAJ_CHART_ITEM_FINDING,
} TrajChartItemKind;

typedef struct {
  TrajChartItemKind kind;
  int row;                       /* panel index, or the number of panels for the infusion strip */
  guint index;                   /* in its series' scores or drafts, the infusions, or the findings */
  TrajRecordKind record_kind;    /* the record to open: assessment or infusion */
  gint64 record_id;
  double x, y;                   /* centre of its mark, in chart coordinates */
} TrajChartItem;

/* The exact item, one fact a line: date, score and band (and timing, change
 * from baseline, item 9); infusion number, phase, dose and BP peak; a
 * finding's sentence. Translated. */
char           *traj_chart_model_describe_item (const TrajChartModel *model,
                                                const TrajChartItem  *item);

/* ---- layout -------------------------------------------------------------- */

typedef struct _TrajChartLayout TrajChartLayout;

/* Lays @model out in a @width × @height box. */
TrajChartLayout *traj_chart_layout_new      (TrajChartModel         *model,
                                             const TrajChartOptions *options,
                                             double                  width,
                                             double                  height);
void             traj_chart_layout_free     (TrajChartLayout *layout);
TrajChartModel  *traj_chart_layout_get_model (const TrajChartLayout *layout);
void             traj_chart_layout_get_size (const TrajChartLayout *layout,
                                             double                *width,
                                             double                *height);
/* Panels, one per series of the model, top to bottom (0 when the model has
 * no series). */
guint            traj_chart_layout_get_n_panels (const TrajChartLayout *layout);
guint            traj_chart_layout_get_n_legend (const TrajChartLayout *layout);
const char      *traj_chart_layout_get_legend_text (const TrajChartLayout *layout,
                                                    guint                  index);
/* The data area of a panel: everything its values map into. FALSE when
 * @panel does not exist. */
gboolean         traj_chart_layout_get_plot_area (const TrajChartLayout *layout,
                                                  guint                  panel,
                                                  cairo_rectangle_t     *area);
/* The strip of infusion markers under the panels. FALSE when not shown. */
gboolean         traj_chart_layout_get_infusion_strip (const TrajChartLayout *layout,
                                                       cairo_rectangle_t     *area);
/* The x coordinate of a moment (date axis) or of an infusion number
 * (infusion axis, @value is the number). */
double           traj_chart_layout_x_for     (const TrajChartLayout *layout,
                                              double                 value);
/* The y coordinate of a score in a panel. */
double           traj_chart_layout_y_for     (const TrajChartLayout *layout,
                                              guint                  panel,
                                              double                 score);

/* Whether one of the layout's labels reads exactly @text (for tests, and
 * for checking what a reader of the chart sees). */
gboolean         traj_chart_layout_shows_text (const TrajChartLayout *layout,
                                               const char            *text);

/* The item whose mark is nearest to (@x, @y) and within @radius of it. */
gboolean         traj_chart_layout_hit_test (const TrajChartLayout *layout,
                                             double                 x,
                                             double                 y,
                                             double                 radius,
                                             TrajChartItem         *item);

typedef enum {
  TRAJ_CHART_STEP_FIRST,         /* the latest score of the top panel */
  TRAJ_CHART_STEP_PREVIOUS,      /* left in the same row */
  TRAJ_CHART_STEP_NEXT,          /* right in the same row */
  TRAJ_CHART_STEP_UP,            /* the nearest item of the row above */
  TRAJ_CHART_STEP_DOWN,
  TRAJ_CHART_STEP_HOME,          /* the first of the row */
  TRAJ_CHART_STEP_END,           /* the last of the row */
} TrajChartStep;

/* Keyboard navigation: from @from (NULL or kind NONE: start) to the item in
 * direction @step. FALSE when there is none; @out then is @from. */
gboolean         traj_chart_layout_step     (const TrajChartLayout *layout,
                                             const TrajChartItem   *from,
                                             TrajChartStep          step,
                                             TrajChartItem         *out);
/* The item at a row and index (a layout of the same model at another size). */
gboolean         traj_chart_layout_get_item (const TrajChartLayout *layout,
                                             TrajChartItemKind      kind,
                                             int                    row,
                                             guint                  index,
                                             TrajChartItem         *out);
/* The item that stands for a record (to keep a selection across layouts). */
gboolean         traj_chart_layout_find_item (const TrajChartLayout *layout,
                                              TrajChartItemKind      kind,
                                              gint64                 record_id,
                                              TrajChartItem         *out);

/* ---- drawing ------------------------------------------------------------- */

/* Draws the layout's layers on @cr (the caller's transformation applies).
 * Emits no page: on a PDF surface the caller calls cairo_show_page(). */
void             traj_chart_draw            (TrajChartLayout        *layout,
                                             cairo_t                *cr,
                                             const TrajChartPalette *palette);
/* Marks @item as hovered or focused (a ring) and, with @callout, shows what
 * traj_chart_model_describe_item() says about it in a box beside it. */
void             traj_chart_draw_highlight  (TrajChartLayout        *layout,
                                             cairo_t                *cr,
                                             const TrajChartPalette *palette,
                                             const TrajChartItem    *item,
                                             gboolean                selected,
                                             gboolean                callout);
/* Lays out and draws in one call (reports and print). */
void             traj_chart_render          (TrajChartModel         *model,
                                             const TrajChartOptions *options,
                                             const TrajChartPalette *palette,
                                             cairo_t                *cr,
                                             double                  width,
                                             double                  height);

/* Writes the chart to @path as PNG, SVG or PDF, chosen by the extension,
 * with the print palette and a title. PNG is @width × @height pixels (times
 * @scale), SVG and PDF are @width × @height points on one page. */
gboolean         traj_chart_write_file      (TrajChartModel *model,
                                             const char     *path,
                                             int             width,
                                             int             height,
                                             GError        **error);
gboolean         traj_chart_write_file_full (TrajChartModel         *model,
                                             const TrajChartOptions *options,
                                             const char             *path,
                                             int                     width,
                                             int                     height,
                                             double                  scale,
                                             GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajChartModel, traj_chart_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajChartLayout, traj_chart_layout_free)

G_END_DECLS
