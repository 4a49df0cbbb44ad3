/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's blocks and layout, shared by the files that build and draw
 * it: traj-report.c (paper, building blocks, text helpers, the report's
 * life, PDF), traj-report-patient.c and traj-report-cohort.c (the blocks
 * of each report), traj-report-layout.c (measuring and pagination) and
 * traj-report-draw.c. Nothing outside src/chart includes this. */
#pragma once

#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "traj-chart-private.h"
#include "traj-chart.h"
#include "traj-cohort-chart.h"
#include "traj-report.h"

G_BEGIN_DECLS

/* A report is a list of blocks (text, a line of two texts, a rule, a
 * callout, a table, a chart) built once from the records; laying it out
 * for a page size measures the blocks at the content width and flows them
 * onto pages: a table breaks between rows and repeats its title and header,
 * a heading stays with what follows it, a chart is never split. */

/* Colours for paper: near-black text, greys for structure, the print
 * palette's red for what needs attention. */
#define INK        0x1d1d1d
#define INK_SOFT   0x5e5c64
#define RULE       0xc0bfbc
#define RULE_SOFT  0xdeddda
#define FILL_HEAD  0xebebeb
#define FILL_GROUP 0xf6f5f4
#define ALERT      0xc01c28
#define ALERT_FILL 0xfbe9ea

#define MARGIN_SIDE 50.0
#define MARGIN_TOP 42.0
#define MARGIN_BOTTOM 36.0
#define CELL_PAD_X 4.0
#define CELL_PAD_Y 2.6

typedef enum {
  STYLE_TITLE,
  STYLE_HEADING,
  STYLE_BODY,
  STYLE_BODY_BOLD,
  STYLE_SMALL,
  STYLE_KICKER,                  /* the clinic's name over everything */
  STYLE_CELL,
  STYLE_CELL_HEAD,
  N_STYLES
} Style;

typedef struct {
  double size;
  gboolean bold;
  guint32 color;
} StyleSpec;

G_GNUC_INTERNAL extern const StyleSpec rp_styles[N_STYLES];

typedef enum {
  BLOCK_TEXT,
  BLOCK_PAIR,                    /* left and right text on one line */
  BLOCK_RULE,
  BLOCK_CALLOUT,                 /* text on a tinted box with a bar: open safety findings */
  BLOCK_TABLE,
  BLOCK_PATIENT_CHART,
  BLOCK_COHORT_CHARTS,
} BlockKind;

typedef struct {
  char *header;                  /* markup */
  gboolean flex;                 /* wraps to give up width */
  PangoAlignment align;
  double max_width;              /* wraps beyond this (× the font scale); 0: no limit */
} Column;

typedef struct {
  gboolean group;                /* one cell spanning the table */
  char **cells;                  /* markup */
  PangoLayout **pl;              /* laid out */
  double height;
} Row;

typedef struct {
  Column *columns;
  guint n_columns;
  GPtrArray *rows;               /* Row* */
  gboolean plain;                /* label/value pairs: no header, no rules */
  double *col_x, *col_w;         /* laid out, from the content's left */
  PangoLayout **header_pl;
  double header_h;
} Table;

typedef struct {
  BlockKind kind;
  Style style;
  char *markup;                  /* text; left text; a table's title */
  char *right;                   /* BLOCK_PAIR */
  Style right_style;
  double space_before;
  gboolean keep_with_next;
  Table *table;
  /* laid out */
  PangoLayout *pl;
  PangoLayout *pl_right;
  PangoLayout *pl_continued;     /* a table's title on the pages after its first */
  double title_h;
  double height;
  double min_height;             /* a chart may shrink to this to end a page */
} Block;

typedef struct {
  Block *block;
  double y;
  double height;
  guint row_from, row_to;        /* tables */
  gboolean continued;
} Piece;

typedef enum {
  REPORT_PATIENT,
  REPORT_COHORT,
  REPORT_REMS,                   /* one session's esketamine monitoring record */
} ReportKind;

struct _TrajReport {
  ReportKind kind;
  char *font_family;
  char *footer_left;             /* "MRN 1000024 · Generated 3 Mar 2026, 14:05" */
  char *running_head;            /* over the pages after the first */
  GPtrArray *blocks;             /* Block* */

  TrajChartModel *chart_model;   /* patient */
  TrajCohortReport *cohort;      /* cohort: a private regrouping, sharing the courses */
  guint cohort_panels;

  /* The layout for one page size. */
  double page_w, page_h;
  double fit;                    /* the cohort page drawn this much smaller to fit */
  double fscale;                 /* font sizes × this */
  PangoContext *pango;
  PangoFontDescription *fonts[N_STYLES];
  GPtrArray *pages;              /* GArray of Piece */
  PangoLayout *footer_pl;
  PangoLayout *head_pl;
};

/* Building blocks and text (traj-report.c). */
G_GNUC_INTERNAL void rp_row_free (Row *r);
G_GNUC_INTERNAL void rp_block_clear_layout (Block *b);
G_GNUC_INTERNAL void rp_block_free (Block *b);
G_GNUC_INTERNAL Block *rp_add_block (TrajReport *self, BlockKind kind, Style style, char *markup, double space_before);
G_GNUC_INTERNAL Block *rp_add_text (TrajReport *self, Style style, char *markup, double space_before);
G_GNUC_INTERNAL Block *rp_add_heading (TrajReport *self, const char *text);
G_GNUC_INTERNAL Table *rp_add_table (TrajReport *self, const char *title, double space_before, ...);
G_GNUC_INTERNAL void rp_table_add_row (Table *t, char **cells);
G_GNUC_INTERNAL void rp_table_add_group (Table *t, char *markup);
G_GNUC_INTERNAL char **rp_cells (const char *first, ...);
G_GNUC_INTERNAL char *rp_soft (const char *text);
G_GNUC_INTERNAL char *rp_alert (const char *text, gboolean bold);
G_GNUC_INTERNAL char *rp_esc (const char *text);
G_GNUC_INTERNAL char *rp_bold (const char *text);
G_GNUC_INTERNAL char *rp_two_lines (const char *main, const char *second);
G_GNUC_INTERNAL char *rp_day_text (gint64 t);
G_GNUC_INTERNAL char *rp_number_text (double v, int decimals);
G_GNUC_INTERNAL char *rp_signed_text (double v, int decimals, const char *unit);
G_GNUC_INTERNAL char *rp_minus_text (double v, int decimals);
G_GNUC_INTERNAL char *rp_scale_name (TrajScaleId id);
G_GNUC_INTERNAL char *rp_generated_text (gint64 at);
/* A report of @kind with no blocks; @opts receives @options (or the
 * defaults) with the generation time filled in. */
G_GNUC_INTERNAL TrajReport *rp_report_new (ReportKind kind, const TrajReportOptions *options, TrajReportOptions *opts);

/* Layout (traj-report-layout.c). */
G_GNUC_INTERNAL PangoLayout *rp_make_layout (TrajReport *self, Style style, const char *markup, double width, PangoAlignment align);
G_GNUC_INTERNAL double rp_layout_height (PangoLayout *pl);
G_GNUC_INTERNAL double rp_content_width (const TrajReport *self);
G_GNUC_INTERNAL gboolean rp_cohort_charts_side_by_side (const TrajReport *self);
G_GNUC_INTERNAL void rp_layout_for (TrajReport *self, double page_w, double page_h);

G_END_DECLS
