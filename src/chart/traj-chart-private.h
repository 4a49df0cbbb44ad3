/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pango/pangocairo.h>

#include "traj-chart.h"

G_BEGIN_DECLS

/* One assessment: a value (complete) or a draft. */
typedef struct {
  gint64 id;
  gint64 at;
  gint32 day;
  int value;                     /* total; -1 for drafts */
  int answered;                  /* drafts: items answered */
  int item9;                     /* the safety item's answer (PHQ-9 item 9), or -1 when the scale has none */
  TrajTiming timing;
  TrajSource source;
  gint64 infusion_id;
  double xi;                     /* position on the infusion axis */
} TrajChartPoint;

/* One course's baseline and thresholds for one scale, from the outcomes
 * engine, and the stretch of time they apply to. */
typedef struct {
  gint64 course_id;
  gint64 start;                  /* baseline (or course start) */
  gint64 end;                    /* next course's start; G_MAXINT64 when last */
  double xi_start, xi_end;
  gboolean has_baseline;
  int baseline;
  gboolean response_computable;
  double response_threshold;
  int remission_max;
  char *no_baseline_reason;      /* translated, or NULL */
} TrajChartReference;

typedef struct {
  TrajScaleId scale;
  const TrajScale *info;
  gboolean primary;
  GArray *points;                /* TrajChartPoint, complete, by time */
  GArray *drafts;                /* TrajChartPoint, incomplete, by time */
  GArray *refs;                  /* TrajChartReference, by start */
  int remission_max;             /* the latest course's, else the scale's */
} TrajChartSeries;

typedef struct {
  gint64 id;
  gint64 at;
  gint32 day;
  int number;                    /* 1-based, over the patient's infusions: the infusion axis */
  int course_number;             /* 1-based within its course: what people read (timeline, tooltip) */
  TrajPhase phase;
  TrajRoute route;
  TrajMedicine medicine;
  double dose_mg_per_kg;
  double total_mg;
  int duration_min;
  gboolean has_bp;
  int systolic, diastolic;
  gboolean monitoring;           /* a monitoring finding rests on it */
  /* CLINICAL.md §8 tolerability, -1 = not recorded: drawn in a strip of
   * its own, never in a score panel. */
  int cadss;                     /* CADSS total, 0–92 */
  int moaas;                     /* lowest MOAA/S, 0–5 */
} TrajChartInfusion;

typedef struct {
  TrajFindingKind kind;
  gint64 at;
  int series;                    /* panel it is pinned on; -1: the infusion strip */
  gboolean open;
  char *sentence;
  char *closed;                  /* how it was closed; NULL while open */
  TrajRecordKind record_kind;
  gint64 record_id;
  double xi;
} TrajChartFinding;

struct _TrajChartModel {
  gatomicrefcount ref_count;
  char *patient_name;
  char *mrn;
  GArray *series;                /* TrajChartSeries */
  GArray *infusions;             /* TrajChartInfusion, by time */
  GArray *findings;              /* TrajChartFinding, by time */
  gboolean has_data;
  gint64 t_min, t_max;           /* every dated mark */
  double xi_min, xi_max;
};

static inline TrajChartSeries *
traj_chart_model_series (const TrajChartModel *model, guint i)
{
  return &g_array_index (model->series, TrajChartSeries, i);
}

/* "8.5" or "9": a threshold without a needless decimal. */
char *traj_chart_format_number (double v);
/* The index of the series of @scale, or -1. */
int   traj_chart_model_find_series (const TrajChartModel *model, TrajScaleId scale);
/* Position on the infusion axis of a moment with no infusion of its own. */
double traj_chart_model_xi_for_time (const TrajChartModel *model, gint64 t);

/* A chart, report or cohort file being written by cairo through the app's
 * one safe output writer (traj-safe-file.h: a new 0600 file renamed into
 * place when complete, never through a link, nothing left on failure).
 * Open; create the surface with *_for_stream (traj_chart_output_write, out)
 * or write a PNG with cairo_surface_write_to_png_stream; then close with
 * the final cairo status, which commits on success and discards otherwise. */
typedef struct {
  struct _TrajSafeFile *file;
  GError *error;               /* the first write error, with its reason (disk full…) */
} TrajChartOutput;

gboolean       traj_chart_output_open  (TrajChartOutput *out, const char *path, GError **error);
cairo_status_t traj_chart_output_write (void *closure, const unsigned char *data, unsigned int length);
gboolean       traj_chart_output_close (TrajChartOutput *out, cairo_status_t status, const char *path,
                                        GError **error);

/* The fonts every chart (patient, cohort) lays out with: a Pango context
 * with unhinted metrics, so the same layout comes out on screen, in PNG and
 * in PDF, and four faces derived from one family and base size. */
typedef struct {
  PangoContext *pango;
  PangoFontDescription *body;
  PangoFontDescription *small;   /* 0.88 × body, on a quarter point */
  PangoFontDescription *bold;
  PangoFontDescription *title;   /* bold, @title_scale × body */
} TrajChartFonts;

void         traj_chart_fonts_init   (TrajChartFonts *fonts, const char *family, double size, double title_scale);
void         traj_chart_fonts_clear  (TrajChartFonts *fonts);
/* A layout of @text in @font, wrapped at @wrap_width when above 0; its size in pixels. */
PangoLayout *traj_chart_fonts_layout (const TrajChartFonts *fonts, const PangoFontDescription *font,
                                      const char *text, double wrap_width, double *w, double *h);

/* Writes a chart file, its format (PNG, SVG or PDF) named by the end of
 * @path, through the safe output writer: calls @paint once on a surface of
 * @width × @height user units (PNG pixels × @scale), then commits the file,
 * or leaves nothing behind and says why. */
typedef void (*TrajChartPaintFunc) (cairo_t *cr, int width, int height, gpointer user_data);

typedef struct {
  double scale;                  /* PNG device scale; 0 means 1 */
  const char *pdf_title;
  gboolean svg_px;               /* SVG sizes in px rather than cairo's pt */
} TrajChartFileSpec;

gboolean traj_chart_write_surface_file (const char              *path,
                                        int                      width,
                                        int                      height,
                                        const TrajChartFileSpec *spec,
                                        TrajChartPaintFunc       paint,
                                        gpointer                 user_data,
                                        GError                 **error);

G_END_DECLS
