/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "traj-chart-private.h"
#include "traj-chart.h"
#include "traj-cohort-chart.h"
#include "traj-report.h"

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

static const struct {
  double size;
  gboolean bold;
  guint32 color;
} styles[N_STYLES] = {
  [STYLE_TITLE] = { 17, TRUE, INK },
  [STYLE_HEADING] = { 11, TRUE, INK },
  [STYLE_BODY] = { 9, FALSE, INK },
  [STYLE_BODY_BOLD] = { 9, TRUE, INK },
  [STYLE_SMALL] = { 7.5, FALSE, INK_SOFT },
  [STYLE_KICKER] = { 9.5, TRUE, INK_SOFT },
  [STYLE_CELL] = { 8, FALSE, INK },
  [STYLE_CELL_HEAD] = { 7.5, TRUE, INK },
};

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

/* ---- paper ---------------------------------------------------------------- */

const char *
traj_paper_size_to_string (TrajPaperSize paper)
{
  return paper == TRAJ_PAPER_LETTER ? "letter" : "a4";
}

gboolean
traj_paper_size_from_string (const char    *s,
                             TrajPaperSize *out)
{
  if (s && g_ascii_strcasecmp (s, "a4") == 0)
    *out = TRAJ_PAPER_A4;
  else if (s && (g_ascii_strcasecmp (s, "letter") == 0 || g_ascii_strcasecmp (s, "us-letter") == 0))
    *out = TRAJ_PAPER_LETTER;
  else
    return FALSE;
  return TRUE;
}

void
traj_paper_size_get_size (TrajPaperSize  paper,
                          double        *width,
                          double        *height)
{
  if (paper == TRAJ_PAPER_LETTER)
    {
      *width = 612;
      *height = 792;
    }
  else
    {
      *width = 595.2756;                /* 210 mm */
      *height = 841.8898;               /* 297 mm */
    }
}

void
traj_report_options_init (TrajReportOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->paper = TRAJ_PAPER_A4;
  options->generated_at = TRAJ_TIME_NONE;
}

/* ---- building blocks ------------------------------------------------------ */

static void
table_free (Table *t)
{
  if (t == NULL)
    return;
  for (guint c = 0; c < t->n_columns; c++)
    {
      g_free (t->columns[c].header);
      if (t->header_pl)
        g_clear_object (&t->header_pl[c]);
    }
  g_free (t->columns);
  g_free (t->header_pl);
  g_ptr_array_unref (t->rows);
  g_free (t->col_x);
  g_free (t->col_w);
  g_free (t);
}

static void
row_free (Row *r)
{
  guint n = g_strv_length (r->cells);

  if (r->pl)
    for (guint c = 0; c < n; c++)
      g_clear_object (&r->pl[c]);
  g_free (r->pl);
  g_strfreev (r->cells);
  g_free (r);
}

static void
block_clear_layout (Block *b)
{
  g_clear_object (&b->pl);
  g_clear_object (&b->pl_right);
  g_clear_object (&b->pl_continued);
}

static void
block_free (Block *b)
{
  block_clear_layout (b);
  g_free (b->markup);
  g_free (b->right);
  table_free (b->table);
  g_free (b);
}

static Block *
add_block (TrajReport *self, BlockKind kind, Style style, char *markup, double space_before)
{
  Block *b = g_new0 (Block, 1);

  b->kind = kind;
  b->style = style;
  b->markup = markup;
  b->space_before = space_before;
  g_ptr_array_add (self->blocks, b);
  return b;
}

static Block *
add_text (TrajReport *self, Style style, char *markup, double space_before)
{
  return add_block (self, BLOCK_TEXT, style, markup, space_before);
}

static Block *
add_heading (TrajReport *self, const char *text)
{
  Block *b = add_block (self, BLOCK_TEXT, STYLE_HEADING, g_markup_escape_text (text, -1), 16);
  b->keep_with_next = TRUE;
  return b;
}

/* A table; @title (plain text) is drawn over it and again, "continued",
 * over each later piece. Columns are given as header, flex, alignment
 * triples ending with NULL. */
static Table *
add_table (TrajReport *self, const char *title, double space_before, ...)
{
  Block *b = add_block (self, BLOCK_TABLE, STYLE_HEADING, title ? g_markup_escape_text (title, -1) : NULL,
                        space_before);
  Table *t = g_new0 (Table, 1);
  g_autoptr(GArray) cols = g_array_new (FALSE, TRUE, sizeof (Column));
  const char *header;
  va_list args;

  va_start (args, space_before);
  while ((header = va_arg (args, const char *)) != NULL)
    {
      Column c = { 0 };
      c.header = g_markup_escape_text (header, -1);
      c.flex = va_arg (args, int);
      c.align = (PangoAlignment) va_arg (args, int);
      g_array_append_val (cols, c);
    }
  va_end (args);
  t->n_columns = cols->len;
  t->columns = (Column *) g_array_free (g_steal_pointer (&cols), FALSE);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  b->table = t;
  return t;
}

/* Adds a row; takes the markup strings (exactly the table's columns). */
static void
table_add_row (Table *t, char **cells)
{
  Row *r = g_new0 (Row, 1);

  g_assert (g_strv_length (cells) == t->n_columns);
  r->cells = cells;
  g_ptr_array_add (t->rows, r);
}

static void
table_add_group (Table *t, char *markup)
{
  Row *r = g_new0 (Row, 1);

  r->group = TRUE;
  r->cells = g_new0 (char *, 2);
  r->cells[0] = markup;
  g_ptr_array_add (t->rows, r);
}

static char **
cells (const char *first, ...)
{
  GPtrArray *out = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_ptr_array_add (out, g_strdup (s));
  va_end (args);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* ---- formatting ------------------------------------------------------------- */

static char *
hex (guint32 rgb)
{
  return g_strdup_printf ("#%06x", rgb);
}

/* "<span …>text</span>" in the soft colour and a smaller size, escaped. */
static char *
soft (const char *text)
{
  g_autofree char *color = hex (INK_SOFT);
  return g_markup_printf_escaped ("<span foreground=\"%s\" size=\"smaller\">%s</span>", color, text);
}

static char *esc (const char *text);

static char *
alert (const char *text, gboolean bold)
{
  g_autofree char *color = hex (ALERT);
  g_autofree char *e = esc (text);
  return g_strdup_printf ("<span foreground=\"%s\"%s>%s</span>", color, bold ? " weight=\"bold\"" : "", e);
}

static char *
esc (const char *text)
{
  return g_markup_escape_text (text ? text : "", -1);
}

static char *
bold (const char *text)
{
  return g_markup_printf_escaped ("<b>%s</b>", text ? text : "");
}

/* A main value with a soft second line. */
static char *
two_lines (const char *main, const char *second)
{
  g_autofree char *a = esc (main);
  g_autofree char *b = NULL;

  if (second == NULL || *second == '\0')
    return g_steal_pointer (&a);
  b = soft (second);
  return g_strdup_printf ("%s\n%s", a, b);
}

static char *
day_text (gint64 t)
{
  return traj_day_format (traj_day_from_time (t));
}

/* "0.5", "35", "0.75": no trailing zeros. */
static char *
number_text (double v, int decimals)
{
  char *s = g_strdup_printf ("%.*f", decimals, v);

  if (strchr (s, '.'))
    {
      char *end = s + strlen (s) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  return s;
}

/* "+3", "−5" (a true minus), "0": a change for people. */
static char *
signed_text (double v, int decimals, const char *unit)
{
  g_autofree char *n = number_text (fabs (v), decimals);
  const char *sign = "";

  if (g_strcmp0 (n, "0") != 0)
    sign = v < 0 ? "−" : "+";
  return g_strconcat (sign, n, unit, NULL);
}

/* "7.3", "−7.3" (a true minus). */
static char *
minus_text (double v, int decimals)
{
  char *s = g_strdup_printf ("%.*f", decimals, fabs (v));

  if (v < 0 && strspn (s, "0.") != strlen (s))
    {
      char *m = g_strconcat ("−", s, NULL);
      g_free (s);
      return m;
    }
  return s;
}

static char *
scale_name (TrajScaleId id)
{
  const TrajScale *s = traj_scale_get (id);
  return g_strdup (s ? _(s->name) : "—");
}

/* ---- patient report ---------------------------------------------------------- */

static void
add_identity (TrajReport *self, const TrajPatientRecords *r, const TrajReportOptions *options, const char *title)
{
  const TrajPatient *p = r->patient;
  GPtrArray *facts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL, *joined = NULL;
  Block *b;

  b = add_block (self, BLOCK_PAIR, STYLE_KICKER,
                 esc (options->clinic_name && *options->clinic_name ? options->clinic_name : _("Trajectory")), 0);
  b->right = esc (title);
  b->right_style = STYLE_KICKER;
  add_block (self, BLOCK_RULE, STYLE_BODY, NULL, 4);

  b = add_block (self, BLOCK_PAIR, STYLE_TITLE, esc (p->name), 10);
  /* Translators: the medical record number on a report: "MRN 1000024" */
  line = g_strdup_printf (_("MRN %s"), p->mrn);
  b->right = bold (line);
  b->right_style = STYLE_HEADING;

  if (p->birth_day != TRAJ_DAY_NONE)
    {
      g_autofree char *born = traj_day_format (p->birth_day);
      int age = traj_age_years (p->birth_day, traj_day_from_time (options->generated_at));
      /* Translators: "Born 5 Jul 1961 (64 years)" */
      g_ptr_array_add (facts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Born %s (%d year)", "Born %s (%d years)", age),
                                               born, age));
    }
  g_ptr_array_add (facts, g_strdup (p->sex == TRAJ_SEX_UNKNOWN ? _("Sex not recorded") : traj_sex_label (p->sex)));
  g_ptr_array_add (facts, g_strdup (traj_indication_label (p->indication)));
  g_ptr_array_add (facts, NULL);
  joined = g_strjoinv (" · ", (char **) facts->pdata);
  add_text (self, STYLE_BODY, esc (joined), 2);
  g_ptr_array_unref (facts);
}

static gboolean
course_has_infusion (const TrajPatientRecords *r, gint64 course_id)
{
  for (guint k = 0; k < r->infusions->len; k++)
    if (((const TrajInfusion *) g_ptr_array_index (r->infusions, k))->course_id == course_id)
      return TRUE;
  return FALSE;
}

static void
add_course_summary (TrajReport *self, const TrajPatientRecords *r, const TrajOutcomes *o, const TrajCourse *c)
{
  Table *t;
  int n = 0, by_phase[TRAJ_N_PHASES] = { 0 };
  gint64 first = TRAJ_TIME_NONE, last = TRAJ_TIME_NONE;
  const TrajOutcome *primary = c ? traj_outcomes_find (o, c->id, c->primary_scale) : NULL;
  g_autofree char *start = NULL, *end = NULL, *count = NULL, *phases = NULL, *induction = NULL;
  g_autofree char *first_s = NULL, *last_s = NULL, *scale = NULL;
  GPtrArray *parts;
  guint earlier = 0;

  add_heading (self, _("Current course"));
  if (c == NULL)
    {
      add_text (self, STYLE_BODY, esc (_("No treatment course has been recorded.")), 2);
      return;
    }

  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      if (i->course_id != c->id)
        continue;
      n++;
      by_phase[i->phase]++;
      if (first == TRAJ_TIME_NONE)
        first = i->started_at;
      last = i->started_at;
    }
  for (guint k = 0; k < r->courses->len; k++)
    if (g_ptr_array_index (r->courses, k) != c)
      earlier++;

  start = traj_day_format (c->start_day);
  end = c->end_day != TRAJ_DAY_NONE ? traj_day_format (c->end_day) : g_strdup (_("Ongoing"));
  parts = g_ptr_array_new_with_free_func (g_free);
  for (guint ph = 0; ph < TRAJ_N_PHASES; ph++)
    if (by_phase[ph] > 0)
      g_ptr_array_add (parts, g_strdup_printf ("%d %s", by_phase[ph], traj_phase_label (ph)));
  g_ptr_array_add (parts, NULL);
  {
    g_autofree char *joined = g_strjoinv (", ", (char **) parts->pdata);
    count = n > 0 ? g_strdup_printf ("%d (%s)", n, joined) : g_strdup (_("None yet"));
  }
  g_ptr_array_unref (parts);
  {
    int len = primary ? primary->induction_length : c->induction_length;
    if (primary && primary->induction_end_day != TRAJ_DAY_NONE)
      {
        g_autofree char *d = traj_day_format (primary->induction_end_day);
        /* Translators: "6 infusions, completed 14 Jan 2026" */
        induction = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d infusion, completed %s",
                                                  "%d infusions, completed %s", len), len, d);
      }
    else
      /* Translators: "6 infusions, 4 given so far" */
      induction = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d infusion, %d given so far",
                                                "%d infusions, %d given so far", len), len, MIN (n, len));
  }
  first_s = first != TRAJ_TIME_NONE ? day_text (first) : g_strdup ("—");
  last_s = last != TRAJ_TIME_NONE ? day_text (last) : g_strdup ("—");
  scale = scale_name (c->primary_scale);

  t = add_table (self, NULL, 4,
                 "", FALSE, PANGO_ALIGN_LEFT, "", TRUE, PANGO_ALIGN_LEFT,
                 "", FALSE, PANGO_ALIGN_LEFT, "", TRUE, PANGO_ALIGN_LEFT, NULL);
  t->plain = TRUE;
#define PAIR(l1, v1, l2, v2)                                                              \
  G_STMT_START {                                                                          \
    g_autofree char *a = bold (l1), *b = esc (v1), *cc = bold (l2), *d = esc (v2);        \
    table_add_row (t, cells (a, b, cc, d, NULL));                                         \
  } G_STMT_END
  PAIR (_("Indication"), traj_indication_label (c->indication), _("Status"), traj_course_status_label (c->status));
  PAIR (_("Protocol"), c->protocol && *c->protocol ? c->protocol : _("Not recorded"), _("Primary scale"), scale);
  PAIR (_("Started"), start, _("Ended"), end);
  PAIR (_("Infusions"), count, _("Induction"), induction);
  PAIR (_("First infusion"), first_s, _("Latest infusion"), last_s);
#undef PAIR
  if (earlier > 0)
    {
      GString *s = g_string_new (NULL);

      for (guint k = 0; k < r->courses->len; k++)
        {
          const TrajCourse *e = g_ptr_array_index (r->courses, k);
          g_autofree char *a = NULL, *z = NULL;

          if (e == c)
            continue;
          a = traj_day_format (e->start_day);
          z = e->end_day != TRAJ_DAY_NONE ? traj_day_format (e->end_day) : g_strdup (_("ongoing"));
          if (s->len)
            g_string_append (s, "; ");
          /* Translators: an earlier course: "Depression, 3 Mar 2024 – 5 Jun 2024" */
          g_string_append_printf (s, _("%s, %s – %s"), traj_indication_label (e->indication), a, z);
          if (!course_has_infusion (r, e->id))
            g_string_append_printf (s, " (%s)", _("no infusions"));
        }
      {
        g_autofree char *label = bold (g_dngettext (GETTEXT_PACKAGE, "Other course", "Other courses", earlier));
        g_autofree char *value = esc (s->str);
        table_add_row (t, cells (label, value, "", "", NULL));
      }
      g_string_free (s, TRUE);
    }
}

static char *
response_cell (const TrajOutcome *o)
{
  g_autofree char *thr = NULL, *when = NULL, *main = NULL, *second = NULL;

  if (!o->response_computable)
    return two_lines (_("Not computable"), o->no_baseline_reason);
  thr = g_strdup_printf ("%d", traj_response_max_score (o->response_threshold));
  if (o->response_reached)
    {
      when = day_text (o->response_at);
      /* Translators: response reached: "Yes, 3 Mar 2026" */
      main = g_strdup_printf (_("Yes, %s"), when);
      /* Translators: "≤ 9; holds now" / "≤ 9; not held now" */
      second = g_strdup_printf (o->response_held ? _("≤ %s; holds now") : _("≤ %s; not held now"), thr);
    }
  else
    {
      main = g_strdup (_("Not reached"));
      /* Translators: the response threshold: "needs ≤ 9" */
      second = g_strdup_printf (_("needs ≤ %s"), thr);
    }
  return two_lines (main, second);
}

static char *
remission_cell (const TrajOutcome *o)
{
  g_autofree char *main = NULL, *second = NULL;

  if (!o->remission_computable)
    return two_lines (_("Not computable"), _("no baseline"));
  if (o->remission_reached)
    {
      g_autofree char *when = day_text (o->remission_at);
      main = g_strdup_printf (_("Yes, %s"), when);
      second = g_strdup_printf ("≤ %d", o->remission_max);
    }
  else
    {
      main = g_strdup (_("Not reached"));
      second = g_strdup_printf (_("needs ≤ %d"), o->remission_max);
    }
  return two_lines (main, second);
}

static char *
score_cell (TrajScaleId scale, gboolean has, int value, gint64 at)
{
  const TrajScale *s = traj_scale_get (scale);
  const char *band;
  g_autofree char *main = NULL, *when = NULL, *second = NULL;

  if (!has)
    return esc ("—");
  band = s ? traj_scale_band_label (s, value) : NULL;
  main = band ? g_strdup_printf ("%d · %s", value, band) : g_strdup_printf ("%d", value);
  when = day_text (at);
  return two_lines (main, when);
}

static void
add_outcomes (TrajReport *self, const TrajOutcomes *o, const TrajCourse *c, const TrajThresholds *t)
{
  Table *table;
  guint n = 0;

  if (c == NULL)
    return;
  for (guint k = 0; k < o->outcomes->len; k++)
    if (((const TrajOutcome *) g_ptr_array_index (o->outcomes, k))->course_id == c->id)
      n++;
  if (n == 0)
    return;

  table = add_table (self, _("Outcomes of the current course"), 16,
                     _("Scale"), FALSE, PANGO_ALIGN_LEFT,
                     _("Baseline"), TRUE, PANGO_ALIGN_LEFT,
                     _("Latest"), TRUE, PANGO_ALIGN_LEFT,
                     _("Change"), FALSE, PANGO_ALIGN_LEFT,
                     _("Response"), TRUE, PANGO_ALIGN_LEFT,
                     _("Remission"), TRUE, PANGO_ALIGN_LEFT, NULL);
  for (guint k = 0; k < o->outcomes->len; k++)
    {
      const TrajOutcome *out = g_ptr_array_index (o->outcomes, k);
      g_autofree char *name = NULL, *scale = NULL, *base = NULL, *latest = NULL, *change = NULL;
      g_autofree char *resp = NULL, *rem = NULL;

      if (out->course_id != c->id)
        continue;
      name = scale_name (out->scale);
      if (out->is_primary)
        {
          g_autofree char *tag = soft (_("primary"));
          g_autofree char *b = bold (name);
          scale = g_strdup_printf ("%s\n%s", b, tag);
        }
      else
        scale = esc (name);
      base = out->has_baseline ? score_cell (out->scale, TRUE, out->baseline, out->baseline_at)
                               : two_lines ("—", out->no_baseline_reason);
      latest = score_cell (out->scale, out->has_latest, out->latest, out->latest_at);
      if (out->has_change)
        {
          g_autofree char *pct = isnan (out->change_percent) ? NULL
                                 : signed_text (out->change_percent, 0, " %");
          g_autofree char *pts = signed_text (out->change_points, 0, NULL);
          change = two_lines (pts, pct);
        }
      else
        change = esc ("—");
      resp = response_cell (out);
      rem = remission_cell (out);
      table_add_row (table, cells (scale, base, latest, change, resp, rem, NULL));
    }
  {
    g_autoptr(GString) shares = g_string_new (NULL);
    g_autofree char *note = NULL;

    /* The response share of each scale shown (R is per scale). */
    for (const TrajScale *sc = traj_scale_next_outcome (NULL); sc; sc = traj_scale_next_outcome (sc))
      {
        gboolean shown = FALSE;
        for (guint k = 0; k < o->outcomes->len; k++)
          {
            const TrajOutcome *out = g_ptr_array_index (o->outcomes, k);
            shown |= out->course_id == c->id && out->scale == sc->id;
          }
        if (shown)
          {
            g_autofree char *pct = number_text (100 * t->response_fraction[sc->id], 0);
            if (shares->len)
              g_string_append (shares, _(", "));
            /* Translators: a scale's response share: "PHQ-9 50 %" */
            g_string_append_printf (shares, _("%s %s %%"), _(sc->name), pct);
          }
      }
    note = g_strdup_printf (_("Baseline: the last complete score up to %d days before the course’s first "
                              "infusion. Response: a score at or below a share of baseline after the first "
                              "infusion (%s). Remission: a score at or below the scale’s cut-off."),
                            t->baseline_window_days, shares->str);
    add_text (self, STYLE_SMALL, esc (note), 3);
  }
}

static char *
decision_text (const TrajFinding *f)
{
  const TrajFlagDecision *d = f->decision;
  GString *s = g_string_new (NULL);
  g_autofree char *when = NULL;

  if (f->open)
    {
      g_string_free (s, TRUE);
      return alert (_("Open"), TRUE);
    }
  if (f->closed_by == TRAJ_CLOSED_BY_DECISION && d)
    {
      g_autofree char *label = bold (traj_decision_label (d->decision));
      when = day_text (d->decided_at);
      g_string_append (s, label);
      {
        g_autofree char *by = NULL;
        if (d->decided_by && *d->decided_by)
          /* Translators: who recorded a decision and when: "Dr Ana Silva, 3 Mar 2026" */
          by = g_strdup_printf (_("%s, %s"), d->decided_by, when);
        else
          by = g_strdup (when);
        g_autofree char *b = esc (by);
        g_string_append_printf (s, "\n%s", b);
      }
      if (d->note && *d->note)
        {
          g_autofree char *note = soft (d->note);
          g_string_append_printf (s, "\n%s", note);
        }
    }
  else
    {
      /* Closed by an infusion or by later scores. */
      g_autofree char *closed = traj_finding_describe_closed (f);
      g_autofree char *text = esc (closed);
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

static void
add_findings (TrajReport *self, const TrajOutcomes *o)
{
  Table *t = NULL;

  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < o->findings->len; k++)
      {
        const TrajFinding *f = g_ptr_array_index (o->findings, k);
        g_autofree char *date = NULL, *what = NULL, *status = NULL, *kind = NULL, *sentence = NULL;

        /* Open findings first, then the closed ones: decided, or superseded
         * by an infusion or later scores (a referrer sees each). */
        if (pass == 0 ? !f->open : f->open)
          continue;
        if (t == NULL)
          {
            t = add_table (self, _("Findings and decisions"), 16,
                           _("Date"), FALSE, PANGO_ALIGN_LEFT,
                           _("Finding"), TRUE, PANGO_ALIGN_LEFT,
                           _("Status"), FALSE, PANGO_ALIGN_LEFT, NULL);
            /* Who decided and when on a line or two, not a narrow strip. */
            t->columns[2].max_width = 130;
          }
        date = day_text (f->fired_at);
        kind = f->kind == TRAJ_FINDING_SAFETY && f->open ? alert (traj_finding_kind_label (f->kind), TRUE)
                                                         : bold (traj_finding_kind_label (f->kind));
        sentence = esc (f->sentence);
        what = g_strdup_printf ("%s\n%s", kind, sentence);
        status = decision_text (f);
        table_add_row (t, cells (date, what, status, NULL));
      }
  if (t == NULL)
    {
      add_heading (self, _("Findings and decisions"));
      add_text (self, STYLE_BODY, esc (_("No findings.")), 2);
    }
  add_text (self, STYLE_SMALL,
            esc (_("Booster and no-response findings follow the app’s rule with the clinic’s thresholds: decision "
                   "support for a conversation, never an order. Safety and monitoring findings are always on.")), 3);
}

static gboolean
infusion_has_monitoring (const TrajOutcomes *o, const TrajInfusion *i)
{
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->kind == TRAJ_FINDING_MONITORING && f->record_uids && i->uid &&
          g_strv_contains ((const char * const *) f->record_uids, i->uid))
        return TRUE;
    }
  return FALSE;
}

static char *
course_group_label (const TrajPatientRecords *r, gint64 course_id)
{
  const TrajCourse *c = traj_patient_records_find_course (r, course_id);
  g_autofree char *start = NULL, *text = NULL;

  if (c == NULL)
    return bold (_("Not in a course"));
  start = traj_day_format (c->start_day);
  if (c->protocol && *c->protocol)
    /* Translators: a course heading in a table: "Course from 3 Jan 2026 · Depression · IV 0.5 mg/kg ×6" */
    text = g_strdup_printf (_("Course from %s · %s · %s"), start, traj_indication_label (c->indication), c->protocol);
  else
    text = g_strdup_printf (_("Course from %s · %s"), start, traj_indication_label (c->indication));
  return bold (text);
}

static gboolean
needs_course_groups (const TrajPatientRecords *r)
{
  return r->courses->len > 1;
}

static void
add_infusions (TrajReport *self, const TrajPatientRecords *r, const TrajOutcomes *o)
{
  Table *t;
  gint64 course = -1;
  int number = 0;
  gboolean any_monitoring = FALSE, groups = needs_course_groups (r);

  if (r->infusions->len == 0)
    {
      add_heading (self, _("Infusions"));
      add_text (self, STYLE_BODY, esc (_("No infusion has been recorded.")), 2);
      return;
    }
  t = add_table (self, _("Infusions"), 16,
                 "#", FALSE, PANGO_ALIGN_RIGHT,
                 _("Date"), FALSE, PANGO_ALIGN_LEFT,
                 _("Route"), TRUE, PANGO_ALIGN_LEFT,
                 _("Dose"), FALSE, PANGO_ALIGN_LEFT,
                 _("Phase"), FALSE, PANGO_ALIGN_LEFT,
                 _("BP peak"), FALSE, PANGO_ALIGN_LEFT,
                 _("Side effects"), TRUE, PANGO_ALIGN_LEFT, NULL);
  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      g_autofree char *num = NULL, *date = NULL, *route = NULL, *dose = NULL, *phase = NULL, *bp = NULL, *side = NULL;
      int sys, dia;

      if (i->course_id != course)
        {
          course = i->course_id;
          number = 0;
          if (groups)
            table_add_group (t, course_group_label (r, course));
        }
      number++;
      num = g_strdup_printf ("%d", number);
      {
        g_autofree char *d = day_text (i->started_at);
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (i->started_at);
        g_autofree char *time = dt ? g_date_time_format (dt, "%H:%M") : NULL;
        date = two_lines (d, time);
      }
      route = two_lines (traj_route_label (i->route), traj_medicine_label (i->medicine));
      {
        g_autofree char *mg = number_text (i->total_mg, 1);
        g_autofree char *total = g_strdup_printf (_("%s mg"), mg);
        if (i->dose_mg_per_kg > 0)
          {
            g_autofree char *per = number_text (i->dose_mg_per_kg, 2);
            g_autofree char *per_kg = g_strdup_printf (_("%s mg/kg"), per);
            dose = two_lines (per_kg, total);
          }
        else
          dose = esc (total);
      }
      phase = i->phase == TRAJ_PHASE_BOOSTER ? bold (traj_phase_label (i->phase)) : esc (traj_phase_label (i->phase));
      if (traj_infusion_bp_peak (i, &sys, &dia))
        {
          g_autofree char *v = g_strdup_printf ("%d/%d", sys, dia);
          if (infusion_has_monitoring (o, i))
            {
              g_autofree char *starred = g_strdup_printf ("%s *", v);
              bp = alert (starred, TRUE);
              any_monitoring = TRUE;
            }
          else
            bp = esc (v);
        }
      else if (infusion_has_monitoring (o, i))
        {
          bp = alert ("— *", TRUE);
          any_monitoring = TRUE;
        }
      else
        bp = esc ("—");
      {
        GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *joined = NULL;

        for (guint b = 0; b < TRAJ_N_SIDE_EFFECTS; b++)
          if (i->side_effects & (1u << b))
            g_ptr_array_add (parts, g_strdup (traj_side_effect_label (b)));
        g_ptr_array_add (parts, NULL);
        joined = g_strjoinv (", ", (char **) parts->pdata);
        g_ptr_array_unref (parts);
        if (*joined == '\0')
          side = esc (_("None recorded"));
        else
          side = two_lines (joined, i->side_effect_note);
      }
      table_add_row (t, cells (num, date, route, dose, phase, bp, side, NULL));
    }
  if (any_monitoring)
    add_text (self, STYLE_SMALL,
              esc (_("* Vital signs crossed a monitoring limit during this infusion (see Findings and decisions).")), 3);
}

static void
add_scores (TrajReport *self, const TrajPatientRecords *r, const TrajOutcomes *o)
{
  Table *t;
  gint64 course = -1;
  gboolean groups = needs_course_groups (r);

  if (r->assessments->len == 0)
    {
      add_heading (self, _("Scores"));
      add_text (self, STYLE_BODY, esc (_("No score has been recorded.")), 2);
      return;
    }
  t = add_table (self, _("Scores"), 16,
                 _("Date"), FALSE, PANGO_ALIGN_LEFT,
                 _("Scale"), FALSE, PANGO_ALIGN_LEFT,
                 _("Score"), FALSE, PANGO_ALIGN_RIGHT,
                 _("Severity"), FALSE, PANGO_ALIGN_LEFT,
                 _("From baseline"), FALSE, PANGO_ALIGN_LEFT,
                 _("Taken"), FALSE, PANGO_ALIGN_LEFT,
                 _("Notes"), TRUE, PANGO_ALIGN_LEFT, NULL);
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      const TrajScale *s = traj_scale_get (a->scale);
      const TrajOutcome *out = a->course_id ? traj_outcomes_find (o, a->course_id, a->scale) : NULL;
      g_autofree char *date = NULL, *scale = NULL, *score = NULL, *band = NULL, *change = NULL;
      g_autofree char *taken = NULL, *notes = NULL;
      GString *n = g_string_new (NULL);

      if (groups && a->course_id != course)
        {
          course = a->course_id;
          table_add_group (t, course_group_label (r, course));
        }
      date = day_text (a->taken_at);
      scale = scale_name (a->scale);
      if (a->complete)
        {
          const char *b = s ? traj_scale_band_label (s, a->total) : NULL;
          score = g_strdup_printf ("<b>%d</b>", a->total);
          band = esc (b ? b : "—");
        }
      else
        {
          guint answered = 0;
          g_autofree char *d = NULL;

          for (guint i = 0; s && i < s->n_items; i++)
            if (a->items[i] >= 0)
              answered++;
          score = esc ("—");
          /* Translators: an incomplete questionnaire: "Draft: 5 of 9 items answered" */
          d = g_strdup_printf (_("Draft: %u of %u items answered"), answered, s ? s->n_items : 0);
          band = soft (d);
        }
      if (a->complete && out && out->has_baseline)
        {
          if (a->taken_at == out->baseline_at && a->total == out->baseline)
            change = esc (_("Baseline"));
          else if (a->taken_at > out->baseline_at)
            {
              g_autofree char *pts = signed_text (a->total - out->baseline, 0, NULL);
              g_autofree char *pct = out->baseline > 0
                                     ? signed_text (100.0 * (a->total - out->baseline) / out->baseline, 0, " %")
                                     : NULL;
              g_autofree char *v = pct ? g_strdup_printf ("%s (%s)", pts, pct) : g_strdup (pts);
              change = esc (v);
            }
        }
      if (change == NULL)
        change = esc ("");
      {
        g_autofree char *timing = esc (traj_timing_label (a->timing));
        g_autofree char *src = soft (traj_source_label (a->source));
        taken = g_strdup_printf ("%s · %s", timing, src);
      }
      if (traj_scale_safety_answer (a->scale, a->items) > 0)
        {
          /* Translators: PHQ-9 item 9 answered above 0: "Item 9 answered 2 (safety)" */
          g_autofree char *i9 = g_strdup_printf (_("Item %u answered %d (safety)"),
                                                 traj_scale_get (a->scale)->safety_item,
                                                 traj_scale_safety_answer (a->scale, a->items));
          g_autofree char *m = alert (i9, TRUE);
          g_string_append (n, m);
        }
      if (a->notes && *a->notes)
        {
          g_autofree char *note = esc (a->notes);
          if (n->len)
            g_string_append_c (n, '\n');
          g_string_append (n, note);
        }
      notes = g_string_free (n, FALSE);
      table_add_row (t, cells (date, scale, score, band, change, taken, notes, NULL));
    }
}

/* Open safety findings and monitoring events, which a clinician has not yet
 * acknowledged, in a callout on the first page. */
static void
add_safety_callout (TrajReport *self, const TrajOutcomes *o)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *head = NULL;
  guint n_safety = 0, n_monitoring = 0;

  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      g_autofree char *kind = NULL, *sentence = NULL;

      if (!f->open || (f->kind != TRAJ_FINDING_SAFETY && f->kind != TRAJ_FINDING_MONITORING))
        continue;
      if (f->kind == TRAJ_FINDING_SAFETY)
        n_safety++;
      else
        n_monitoring++;
      kind = bold (traj_finding_kind_label (f->kind));
      sentence = esc (f->sentence);
      /* Translators: a line of the report's safety callout: "Monitoring event: Systolic 195 …" */
      g_string_append_c (lines, '\n');
      g_string_append_printf (lines, _("%s: %s"), kind, sentence);
    }
  if (n_safety + n_monitoring == 0)
    return;
  if (n_monitoring == 0)
    head = bold (g_dngettext (GETTEXT_PACKAGE, "Open safety finding — a clinician has not yet acknowledged it:",
                              "Open safety findings — a clinician has not yet acknowledged them:", n_safety));
  else if (n_safety == 0)
    head = bold (g_dngettext (GETTEXT_PACKAGE, "Open monitoring event — a clinician has not yet acknowledged it:",
                              "Open monitoring events — a clinician has not yet acknowledged them:", n_monitoring));
  else
    head = bold (_("Open safety findings and monitoring events — a clinician has not yet acknowledged them:"));
  add_block (self, BLOCK_CALLOUT, STYLE_BODY, g_strconcat (head, lines->str, NULL), 12);
}

static char *
generated_text (gint64 at)
{
  g_autofree char *when = traj_time_format (at);
  /* Translators: in a report's footer: "Generated 3 Mar 2026, 14:05" */
  return g_strdup_printf (_("Generated %s"), when);
}

TrajReport *
traj_report_patient_new (const TrajPatientRecords *records,
                         const TrajOutcomes       *outcomes,
                         const TrajReportOptions  *options)
{
  TrajReport *self;
  TrajReportOptions opts;
  TrajThresholds thresholds;
  const TrajCourse *course;
  g_autofree char *generated = NULL;

  g_return_val_if_fail (records != NULL && records->patient != NULL, NULL);
  g_return_val_if_fail (outcomes != NULL, NULL);

  if (options)
    opts = *options;
  else
    traj_report_options_init (&opts);
  if (opts.generated_at == TRAJ_TIME_NONE)
    opts.generated_at = traj_time_now ();
  /* The thresholds only word the notes; the figures are the engine's. */
  traj_thresholds_init_defaults (&thresholds);

  self = g_new0 (TrajReport, 1);
  self->kind = REPORT_PATIENT;
  self->font_family = g_strdup (opts.font_family ? opts.font_family : "Sans");
  self->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  generated = generated_text (opts.generated_at);
  if (opts.prepared_by && *opts.prepared_by)
    /* Translators: a report's footer: "MRN 1000024 · Generated 3 Mar 2026, 14:05 · Dr Ana Silva" */
    self->footer_left = g_strdup_printf (_("MRN %s · %s · %s"), records->patient->mrn, generated, opts.prepared_by);
  else
    /* Translators: a report's footer: "MRN 1000024 · Generated 3 Mar 2026, 14:05" */
    self->footer_left = g_strdup_printf (_("MRN %s · %s"), records->patient->mrn, generated);
  /* Translators: over a report's later pages: "Ada Xu · MRN 1000024 · Patient progress report" */
  self->running_head = g_strdup_printf (_("%s · MRN %s · %s"), records->patient->name, records->patient->mrn,
                                        _("Patient progress report"));

  course = traj_patient_records_current_course (records);
  add_identity (self, records, &opts, _("Patient progress report"));
  add_safety_callout (self, outcomes);
  add_course_summary (self, records, outcomes, course);
  add_outcomes (self, outcomes, course, &thresholds);

  /* The picture before the detail: the chart is what a referring doctor
   * reads first, so it goes on the first page when it can. */
  self->chart_model = traj_chart_model_new_from_records (records, outcomes);
  if (!traj_chart_model_is_empty (self->chart_model))
    {
      add_heading (self, _("Trajectory"));
      add_block (self, BLOCK_PATIENT_CHART, STYLE_SMALL, NULL, 4);
    }

  add_findings (self, outcomes);

  add_infusions (self, records, outcomes);
  add_scores (self, records, outcomes);

  return self;
}

/* ---- cohort report ------------------------------------------------------------ */

static void
append_mask (GString *s, const char *what, guint mask, guint n, const char *(*label) (guint))
{
  gboolean first = TRUE;

  if (mask == 0)
    return;
  if (s->len)
    g_string_append (s, "; ");
  g_string_append_printf (s, "%s: ", what);
  for (guint k = 0; k < n; k++)
    if (mask & (1u << k))
      {
        if (!first)
          g_string_append (s, ", ");
        g_string_append (s, label (k));
        first = FALSE;
      }
}

static const char *indication_label (guint k) { return traj_indication_label ((TrajIndication) k); }
static const char *route_label (guint k) { return traj_route_label ((TrajRoute) k); }
static const char *medicine_label (guint k) { return traj_medicine_label ((TrajMedicine) k); }
static const char *sex_label (guint k) { return traj_sex_label ((TrajSex) k); }
static const char *age_label (guint k) { return traj_age_band_label ((TrajAgeBand) k); }

static char *
filter_text (const TrajCohortFilter *f)
{
  GString *s = g_string_new (NULL);

  append_mask (s, _("indication"), f->indications, TRAJ_N_INDICATIONS, indication_label);
  append_mask (s, _("route"), f->routes, TRAJ_N_ROUTES, route_label);
  append_mask (s, _("medicine"), f->medicines, TRAJ_N_MEDICINES, medicine_label);
  append_mask (s, _("sex"), f->sexes, TRAJ_N_SEXES, sex_label);
  append_mask (s, _("age band"), f->age_bands, TRAJ_N_AGE_BANDS, age_label);
  if (f->protocols && f->protocols[0])
    {
      g_autofree char *j = g_strjoinv (", ", f->protocols);
      g_string_append_printf (s, "%s%s: %s", s->len ? "; " : "", _("protocol"), j);
    }
  if (f->clinicians && f->clinicians[0])
    {
      g_autofree char *j = g_strjoinv (", ", f->clinicians);
      g_string_append_printf (s, "%s%s: %s", s->len ? "; " : "", _("first infusion by"), j);
    }
  if (f->start_from != TRAJ_DAY_NONE || f->start_to != TRAJ_DAY_NONE)
    {
      g_autofree char *a = f->start_from != TRAJ_DAY_NONE ? traj_day_format (f->start_from) : g_strdup ("…");
      g_autofree char *z = f->start_to != TRAJ_DAY_NONE ? traj_day_format (f->start_to) : g_strdup ("…");
      /* Translators: a filter: "started 1 Jan 2025 – 31 Dec 2025" */
      if (s->len)
        g_string_append (s, "; ");
      g_string_append_printf (s, _("started %s – %s"), a, z);
    }
  return g_string_free (s, FALSE);
}

typedef char *(*CohortCell) (const TrajCohort *h, guint arg);

/* Two lines a cell: the figure with its interval, then what it rests on
 * (soft), so the table stays narrow enough for five or six cohorts. */
static char *
figure_cell (const char *main, const char *basis, gboolean small)
{
  g_autofree char *m = esc (main);
  g_autofree char *b = basis && *basis ? soft (basis) : NULL;

  return g_strdup_printf ("%s%s%s%s", m, small ? "\u00a0†" : "", b ? "\n" : "", b ? b : "");
}

static char *
no_data_cell (const char *basis)
{
  g_autofree char *m = soft (_("no data"));
  g_autofree char *b = basis && *basis ? soft (basis) : NULL;

  return g_strdup_printf ("%s%s%s", m, b ? "\n" : "", b ? b : "");
}

static char *
rate_cell (const TrajCohortRate *r, const char *excluded_what)
{
  g_autofree char *main = NULL, *basis = NULL, *excluded = NULL;

  if (r->excluded > 0 && excluded_what)
    excluded = g_strdup_printf ("+%u %s", r->excluded, excluded_what);
  if (r->n == 0)
    return no_data_cell (excluded);
  /* Whole per cents: a page of five cohorts stays readable, and no cohort
   * here is large enough for a tenth of a per cent to mean anything. */
  /* Translators: a rate with its Wilson 95 % interval: "33 % (15–58)" */
  main = g_strdup_printf (_("%.0f %% (%.0f–%.0f)"), 100.0 * r->rate, 100.0 * r->lower, 100.0 * r->upper);
  basis = excluded ? g_strdup_printf ("%u/%u · %s", r->events, r->n, excluded)
                   : g_strdup_printf ("%u/%u", r->events, r->n);
  return figure_cell (main, basis, traj_cohort_rate_is_small (r));
}

static char *c_courses (const TrajCohort *h, guint a) { return g_strdup_printf ("%u%s", h->n_courses, h->small && h->n_courses ? " †" : ""); }
static char *c_patients (const TrajCohort *h, guint a) { return g_strdup_printf ("%u", h->n_patients); }

static char *
c_scale (const TrajCohort *h, guint a)
{
  const TrajScale *s = traj_scale_get (h->scale);
  g_autofree char *basis = NULL;

  if (s == NULL)
    return soft (_("no data"));
  if (!h->mixed_scales)
    return esc (_(s->name));
  basis = g_strdup_printf (_("%u of %u courses"), h->n_scale_courses, h->n_courses);
  return figure_cell (_(s->name), basis, FALSE);
}

static char *
c_mean (const TrajMeanCI *m)
{
  g_autofree char *main = NULL, *basis = NULL;

  if (m->n == 0)
    return no_data_cell (NULL);
  if (m->n < 2)
    {
      main = minus_text (m->mean, 1);
      return figure_cell (main, "n = 1", TRUE);
    }
  {
    g_autofree char *mean = minus_text (m->mean, 1), *sd = minus_text (m->sd, 1);
    g_autofree char *lo = minus_text (m->lower, 1), *hi = minus_text (m->upper, 1);
    /* Translators: a mean and its standard deviation: "19.1 (SD 3.8)" */
    main = g_strdup_printf (_("%s (SD %s)"), mean, sd);
    /* Translators: a mean's 95 % interval and n: "17.2 to 20.9 · n = 19" */
    basis = g_strdup_printf (_("%s to %s · n = %u"), lo, hi, m->n);
  }
  return figure_cell (main, basis, m->n < TRAJ_COHORT_SMALL);
}

static char *c_baseline (const TrajCohort *h, guint a) { return c_mean (&h->baseline); }
static char *c_change (const TrajCohort *h, guint a) { return c_mean (&h->change_eoi); }
static char *c_response (const TrajCohort *h, guint tp) { return rate_cell (&h->response[tp], _("without a score")); }
static char *c_remission (const TrajCohort *h, guint tp) { return rate_cell (&h->remission[tp], _("without a score")); }
static char *c_completion (const TrajCohort *h, guint a) { return rate_cell (&h->completion, _("still in induction")); }
static char *c_safety (const TrajCohort *h, guint a) { return rate_cell (&h->safety, NULL); }

static char *
c_median (const TrajCohort *h, guint a)
{
  g_autofree char *main = NULL, *basis = NULL;

  if (h->n_responders == 0)
    return no_data_cell (_("none responded"));
  main = number_text (h->median_infusions_to_response, 1);
  /* Translators: how many courses a median rests on: "8 responders" */
  basis = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u responder", "%u responders", h->n_responders),
                           h->n_responders);
  return figure_cell (main, basis, h->n_responders < TRAJ_COHORT_SMALL);
}

static char *
c_booster (const TrajCohort *h, guint a)
{
  const TrajKm *km = h->booster;
  g_autofree char *main = NULL, *basis = NULL, *lo = NULL, *hi = NULL;

  if (km == NULL || km->n == 0)
    return no_data_cell (NULL);
  if (isnan (km->median))
    main = g_strdup (_("not reached"));
  else
    {
      lo = isnan (km->median_lower) ? g_strdup (_("NR")) : g_strdup_printf ("%.0f", km->median_lower);
      hi = isnan (km->median_upper) ? g_strdup (_("NR")) : g_strdup_printf ("%.0f", km->median_upper);
      /* Translators: a median time with its interval: "33 days (17–NR)"; NR = not reached */
      main = g_strdup_printf (_("%.0f days (%s–%s)"), km->median, lo, hi);
    }
  /* Translators: "4 boosters in 9 courses" */
  basis = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u booster in %u courses", "%u boosters in %u courses",
                                        km->n_events), km->n_events, km->n);
  return figure_cell (main, basis, km->n < TRAJ_COHORT_SMALL);
}

static char *
c_monitoring (const TrajCohort *h, guint a)
{
  const TrajCohortRate *r = &h->monitoring;
  g_autofree char *main = NULL, *basis = NULL;

  if (r->n == 0)
    return no_data_cell (NULL);
  /* Translators: events per 100 infusions with a 95 % interval: "5.5 (2.5–11.4)" */
  main = g_strdup_printf (_("%.1f (%.1f–%.1f)"), 100.0 * r->rate, 100.0 * r->lower, 100.0 * r->upper);
  /* Translators: "6 in 110 infusions" */
  basis = g_strdup_printf (_("%u in %u infusions"), r->events, r->n);
  return figure_cell (main, basis, FALSE);
}

static const char *const shape_glyphs[TRAJ_COHORT_CHART_MAX_SERIES] = { "●", "■", "▲", "◆", "▼", "✚" };

static char *
cohort_header (const TrajCohort *h, guint index)
{
  TrajChartColor c;
  TrajChartPalette palette;
  g_autofree char *label = esc (h->label);

  if (index >= TRAJ_COHORT_CHART_MAX_SERIES)
    return g_steal_pointer (&label);
  traj_chart_palette_init_print (&palette);
  traj_cohort_chart_series_color (index, &palette, &c);
  return g_strdup_printf ("<span foreground=\"#%02x%02x%02x\">%s</span> %s",
                          (guint) round (c.red * 255), (guint) round (c.green * 255), (guint) round (c.blue * 255),
                          shape_glyphs[index], label);
}

static void
add_cohort_metrics (TrajReport *self, const TrajCohortReport *report)
{
  static const struct {
    const char *label;
    CohortCell cell;
    guint arg;
  } rows[] = {
    { N_("Courses"), c_courses, 0 },
    { N_("Patients"), c_patients, 0 },
    { N_("Scores on"), c_scale, 0 },
    { N_("Baseline mean (SD), 95 % CI"), c_baseline, 0 },
    { N_("Mean change at end of induction"), c_change, 0 },
    { N_("Response, end of induction"), c_response, TRAJ_COHORT_AT_EOI },
    { N_("Response, 4 weeks after"), c_response, TRAJ_COHORT_AT_WEEK_4 },
    { N_("Response, 8 weeks after"), c_response, TRAJ_COHORT_AT_WEEK_8 },
    { N_("Response, 12 weeks after"), c_response, TRAJ_COHORT_AT_WEEK_12 },
    { N_("Remission, end of induction"), c_remission, TRAJ_COHORT_AT_EOI },
    { N_("Remission, 4 weeks after"), c_remission, TRAJ_COHORT_AT_WEEK_4 },
    { N_("Remission, 8 weeks after"), c_remission, TRAJ_COHORT_AT_WEEK_8 },
    { N_("Remission, 12 weeks after"), c_remission, TRAJ_COHORT_AT_WEEK_12 },
    { N_("Median infusions to first response"), c_median, 0 },
    { N_("Completed induction"), c_completion, 0 },
    { N_("Median days to first booster (95 % CI)"), c_booster, 0 },
    { N_("Monitoring events per 100 infusions (95 % CI)"), c_monitoring, 0 },
    { N_("Courses with a safety finding"), c_safety, 0 },
  };
  Block *b = add_block (self, BLOCK_TABLE, STYLE_HEADING, NULL, 10);
  Table *t = g_new0 (Table, 1);
  guint n = report->cohorts->len;

  t->n_columns = n + 1;
  t->columns = g_new0 (Column, n + 1);
  t->columns[0].header = esc (_("Measure"));
  t->columns[0].flex = TRUE;
  t->columns[0].max_width = n > 3 ? 118 : 170;
  for (guint c = 0; c < n; c++)
    {
      t->columns[c + 1].header = cohort_header (g_ptr_array_index (report->cohorts, c), c);
      t->columns[c + 1].flex = TRUE;
    }
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  b->table = t;

  for (guint r = 0; r < G_N_ELEMENTS (rows); r++)
    {
      char **row = g_new0 (char *, n + 2);

      row[0] = bold (_(rows[r].label));
      for (guint c = 0; c < n; c++)
        row[c + 1] = rows[r].cell (g_ptr_array_index (report->cohorts, c), rows[r].arg);
      table_add_row (t, row);
    }
}

TrajReport *
traj_report_cohort_new (const TrajCohortReport  *report,
                        const TrajReportOptions *options)
{
  TrajReport *self;
  TrajReportOptions opts;
  const TrajCohortDefinition *def;
  const TrajThresholds *t;
  const TrajScale *scale;
  g_autofree char *generated = NULL, *title = NULL, *as_of = NULL, *line = NULL, *filters = NULL;
  Block *b;
  guint n_patients = 0;

  g_return_val_if_fail (report != NULL, NULL);

  if (options)
    opts = *options;
  else
    traj_report_options_init (&opts);
  if (opts.generated_at == TRAJ_TIME_NONE)
    opts.generated_at = traj_time_now ();

  self = g_new0 (TrajReport, 1);
  self->kind = REPORT_COHORT;
  self->font_family = g_strdup (opts.font_family ? opts.font_family : "Sans");
  self->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  /* Sharing the scanned courses, so the caller's report need not outlive this. */
  self->cohort = traj_cohort_report_regroup (report, report->definition);
  def = self->cohort->definition;
  t = &self->cohort->thresholds;
  generated = generated_text (opts.generated_at);
  /* Translators: the footer of the cohort report: "Cohort report · Generated 3 Mar 2026, 14:05" */
  self->footer_left = g_strdup_printf (_("Cohort report · %s"), generated);
  self->running_head = g_strdup (_("Cohort report"));

  b = add_block (self, BLOCK_PAIR, STYLE_KICKER,
                 esc (opts.clinic_name && *opts.clinic_name ? opts.clinic_name : _("Trajectory")), 0);
  b->right = esc (_("Cohort report"));
  b->right_style = STYLE_KICKER;
  add_block (self, BLOCK_RULE, STYLE_BODY, NULL, 4);

  if (def->group_by != TRAJ_COHORT_FIELD_NONE)
    title = g_strdup_printf (_("Cohorts by %s"), traj_cohort_field_label (def->group_by));
  else if (def->cohorts && def->cohorts->len > 0)
    title = g_strdup (_("Cohorts compared"));
  else
    title = g_strdup (_("All courses"));
  add_text (self, STYLE_TITLE, esc (title), 8);

  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
    for (guint k = 0; k < self->cohort->courses->len; k++)
      {
        const TrajCohortCourse *c = g_ptr_array_index (self->cohort->courses, k);
        g_hash_table_add (seen, (gpointer) &c->patient_id);
      }
    n_patients = g_hash_table_size (seen);
  }
  as_of = traj_day_format (self->cohort->as_of != TRAJ_TIME_NONE ? traj_day_from_time (self->cohort->as_of)
                                                                  : traj_day_from_time (opts.generated_at));
  scale = traj_scale_get (def->scale);
  /* Translators: "As of 1 Mar 2026 · outcome scale: each course’s primary scale · 34 courses of 30 patients scanned" */
  line = g_strdup_printf (_("As of %s · outcome scale: %s · %u courses of %u patients in the clinic"),
                          as_of, scale ? _(scale->name) : _("each course’s primary scale"),
                          self->cohort->courses->len, n_patients);
  add_text (self, STYLE_BODY, esc (line), 2);

  filters = filter_text (&def->filter);
  {
    GString *s = g_string_new (NULL);
    g_autofree char *label = bold (_("Filters:"));

    g_string_append_printf (s, "%s ", label);
    if (*filters)
      {
        g_autofree char *f = esc (filters);
        g_string_append (s, f);
      }
    else
      {
        g_autofree char *f = esc (_("none (every course)"));
        g_string_append (s, f);
      }
    for (guint k = 0; def->cohorts && k < def->cohorts->len; k++)
      {
        const TrajCohortSpec *spec = g_ptr_array_index (def->cohorts, k);
        const TrajCohort *h = k < self->cohort->cohorts->len ? g_ptr_array_index (self->cohort->cohorts, k) : NULL;
        g_autofree char *ft = filter_text (&spec->filter);
        g_autofree char *l = bold (h ? h->label : spec->label);
        g_autofree char *v = esc (*ft ? ft : _("every course"));
        g_string_append_printf (s, "\n%s: %s", l, v);
      }
    add_text (self, STYLE_BODY, g_string_free (s, FALSE), 2);
  }

  if (self->cohort->cohorts->len > 0)
    add_cohort_metrics (self, self->cohort);

  /* The small-cohort notes: the † marks say which figures, this says
   * which cohorts. */
  {
    GPtrArray *small = g_ptr_array_new_with_free_func (g_free);
    GString *n = g_string_new (NULL);

    for (guint c = 0; c < self->cohort->cohorts->len; c++)
      {
        const TrajCohort *h = g_ptr_array_index (self->cohort->cohorts, c);
        if (h->n_courses == 0)
          {
            g_autofree char *l = bold (h->label);
            g_autofree char *v = esc (_("no course matches this cohort."));
            g_string_append_printf (n, "%s%s: %s", n->len ? " " : "", l, v);
          }
        else if (h->small)
          g_ptr_array_add (small, g_strdup_printf ("%s (%u)", h->label, h->n_courses));
      }
    {
      g_autofree char *mark = g_strdup_printf (_("† rests on fewer than %d courses: read with care."), TRAJ_COHORT_SMALL);
      g_autofree char *m = esc (mark);
      g_string_prepend (n, " ");
      g_string_prepend (n, m);
    }
    if (small->len > 0)
      {
        g_autofree char *joined = NULL, *text = NULL, *e = NULL;
        g_ptr_array_add (small, NULL);
        joined = g_strjoinv (", ", (char **) small->pdata);
        /* Translators: "Small cohorts (courses): Anxiety (1), Chronic pain (1)." */
        text = g_strdup_printf (_("Small cohorts (courses): %s."), joined);
        e = esc (text);
        g_string_append_printf (n, " %s", e);
      }
    g_ptr_array_unref (small);
    add_text (self, STYLE_SMALL, g_string_free (n, FALSE), 3);
  }

  add_block (self, BLOCK_COHORT_CHARTS, STYLE_SMALL, NULL, 10);

  {
    g_autoptr(GString) rules = g_string_new (NULL);
    g_autofree char *text = NULL;

    for (const TrajScale *sc = traj_scale_next_outcome (NULL); sc; sc = traj_scale_next_outcome (sc))
      {
        g_autofree char *pct = number_text (100 * t->response_fraction[sc->id], 0);
        if (rules->len)
          g_string_append (rules, _(", "));
        /* Translators: one scale's response and remission rule: "PHQ-9 ≤ 50 % and ≤ 4" */
        g_string_append_printf (rules, _("%s ≤ %s %% and ≤ %d"), _(sc->name), pct, t->remission_max[sc->id]);
      }
    text = g_strdup_printf (_("Each course counts once in each cohort it matches; scores of one cohort are averaged on "
                              "one scale only. Baseline is the last complete score up to %d days before the first "
                              "infusion; response is a score at or below a share of baseline and remission a score "
                              "at or below the scale’s cut-off (%s). "
                              "End of induction (EOI) is the first score within %d days after infusion N (the "
                              "course’s induction length); week 4, 8 and 12 are the scores closest to EOI + 28, 56 "
                              "and 84 days (± %d). Rates carry Wilson 95 %% intervals, means t intervals; † marks "
                              "fewer than %d courses. Time to first booster is a Kaplan–Meier estimate from EOI, "
                              "censored at each course’s last record."),
                            t->baseline_window_days, rules->str,
                            TRAJ_COHORT_WINDOW_DAYS, TRAJ_COHORT_WINDOW_DAYS, TRAJ_COHORT_SMALL);
    add_text (self, STYLE_SMALL, esc (text), 8);
  }
  return self;
}

static char *
plain_text (const char *markup)
{
  char *text = NULL;

  if (markup == NULL)
    return g_strdup ("");
  if (!pango_parse_markup (markup, -1, 0, NULL, &text, NULL, NULL))
    return g_strdup (markup);
  return text;
}

char *
traj_report_get_text (TrajReport *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint k = 0; k < self->blocks->len; k++)
    {
      const Block *b = g_ptr_array_index (self->blocks, k);
      g_autofree char *text = plain_text (b->markup);

      g_string_append (s, text);
      if (b->right)
        {
          g_autofree char *right = plain_text (b->right);
          g_string_append_printf (s, "\t%s", right);
        }
      g_string_append_c (s, '\n');
      for (guint r = 0; b->table && r < b->table->rows->len; r++)
        {
          const Row *row = g_ptr_array_index (b->table->rows, r);
          for (guint c = 0; row->cells[c]; c++)
            {
              g_autofree char *cell = plain_text (row->cells[c]);
              g_string_append_printf (s, c ? "\t%s" : "%s", cell);
            }
          g_string_append_c (s, '\n');
        }
    }
  return g_string_free (s, FALSE);
}

char *
traj_report_get_callout (TrajReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint k = 0; k < self->blocks->len; k++)
    {
      const Block *b = g_ptr_array_index (self->blocks, k);
      if (b->kind == BLOCK_CALLOUT)
        return plain_text (b->markup);
    }
  return NULL;
}

void
traj_report_free (TrajReport *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_ptr_array_unref (self->blocks);
  g_clear_pointer (&self->chart_model, traj_chart_model_unref);
  g_clear_pointer (&self->cohort, traj_cohort_report_free);
  for (guint s = 0; s < N_STYLES; s++)
    g_clear_pointer (&self->fonts[s], pango_font_description_free);
  g_clear_object (&self->footer_pl);
  g_clear_object (&self->head_pl);
  g_clear_object (&self->pango);
  g_free (self->font_family);
  g_free (self->footer_left);
  g_free (self->running_head);
  g_free (self);
}

/* ---- layout -------------------------------------------------------------------- */

static PangoLayout *
make_layout (TrajReport *self, Style style, const char *markup, double width, PangoAlignment align)
{
  PangoLayout *pl = pango_layout_new (self->pango);

  pango_layout_set_font_description (pl, self->fonts[style]);
  if (width > 0)
    {
      pango_layout_set_width (pl, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (pl, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_alignment (pl, align);
  pango_layout_set_markup (pl, markup ? markup : "", -1);
  return pl;
}

static double
layout_height (PangoLayout *pl)
{
  int w, h;
  pango_layout_get_pixel_size (pl, &w, &h);
  (void) w;
  return h;
}

static double
natural_width (TrajReport *self, Style style, const char *markup)
{
  g_autoptr(PangoLayout) pl = make_layout (self, style, markup, 0, PANGO_ALIGN_LEFT);
  PangoRectangle logical;

  pango_layout_get_extents (pl, NULL, &logical);
  return logical.width / (double) PANGO_SCALE;
}

/* The widest word: the least a wrapping column can take. */
static double
widest_word (TrajReport *self, Style style, const char *markup)
{
  g_autoptr(PangoLayout) pl = make_layout (self, style, markup, 1, PANGO_ALIGN_LEFT);
  PangoRectangle logical;

  pango_layout_set_wrap (pl, PANGO_WRAP_WORD);
  pango_layout_get_extents (pl, NULL, &logical);
  return logical.width / (double) PANGO_SCALE;
}

static void
table_layout (TrajReport *self, Table *t, double width)
{
  guint n = t->n_columns;
  g_autofree double *nat = g_new0 (double, n);
  g_autofree double *min = g_new0 (double, n);
  double sum = 0, fixed = 0, flex_nat = 0, flex_min = 0;
  double pad = CELL_PAD_X * 2;

  g_free (t->col_x);
  g_free (t->col_w);
  t->col_x = g_new0 (double, n);
  t->col_w = g_new0 (double, n);

  /* Natural widths (nothing wrapped) and least widths (widest word). */
  for (guint c = 0; c < n; c++)
    {
      if (!t->plain)
        {
          nat[c] = natural_width (self, STYLE_CELL_HEAD, t->columns[c].header);
          min[c] = widest_word (self, STYLE_CELL_HEAD, t->columns[c].header);
        }
      for (guint r = 0; r < t->rows->len; r++)
        {
          const Row *row = g_ptr_array_index (t->rows, r);
          if (row->group)
            continue;
          nat[c] = MAX (nat[c], natural_width (self, STYLE_CELL, row->cells[c]));
          if (t->columns[c].flex)
            min[c] = MAX (min[c], widest_word (self, STYLE_CELL, row->cells[c]));
        }
      nat[c] += pad;
      if (t->columns[c].max_width > 0)
        nat[c] = MIN (nat[c], t->columns[c].max_width * self->fscale);
      min[c] = t->columns[c].flex ? MIN (min[c] + pad, nat[c]) : nat[c];
      sum += nat[c];
      if (t->columns[c].flex)
        {
          flex_nat += nat[c];
          flex_min += min[c];
        }
      else
        fixed += nat[c];
    }

  if (sum <= width)
    {
      /* Room to spare: the wrapping columns take it, so tables span the
       * text width and read as one block. */
      double extra = width - sum, growing = 0;
      for (guint c = 0; c < n; c++)
        if (t->columns[c].flex && t->columns[c].max_width <= 0)
          growing += nat[c];
      for (guint c = 0; c < n; c++)
        {
          gboolean grows = growing > 0 ? t->columns[c].flex && t->columns[c].max_width <= 0
                                       : flex_nat > 0 ? t->columns[c].flex : TRUE;
          double share = growing > 0 ? growing : flex_nat > 0 ? flex_nat : sum;
          t->col_w[c] = nat[c] + (grows ? extra * nat[c] / share : 0);
        }
    }
  else if (fixed + flex_min <= width)
    {
      /* The wrapping columns share what is left, each at least its widest
       * word, the rest in proportion to what they would like. */
      double avail = width - fixed - flex_min, want = flex_nat - flex_min;
      for (guint c = 0; c < n; c++)
        t->col_w[c] = t->columns[c].flex ? min[c] + (want > 0 ? avail * (nat[c] - min[c]) / want : 0) : nat[c];
    }
  else
    {
      /* Too wide whatever wraps: every column shrinks alike. */
      for (guint c = 0; c < n; c++)
        t->col_w[c] = nat[c] * width / sum;
    }
  for (guint c = 1; c < n; c++)
    t->col_x[c] = t->col_x[c - 1] + t->col_w[c - 1];

  /* Cells, row heights. */
  if (t->header_pl)
    for (guint c = 0; c < n; c++)
      g_clear_object (&t->header_pl[c]);
  g_free (t->header_pl);
  t->header_pl = NULL;
  t->header_h = 0;
  if (!t->plain)
    {
      t->header_pl = g_new0 (PangoLayout *, n);
      for (guint c = 0; c < n; c++)
        {
          t->header_pl[c] = make_layout (self, STYLE_CELL_HEAD, t->columns[c].header,
                                         MAX (t->col_w[c] - pad, 1), t->columns[c].align);
          t->header_h = MAX (t->header_h, layout_height (t->header_pl[c]));
        }
      t->header_h += 2 * CELL_PAD_Y;
    }
  for (guint r = 0; r < t->rows->len; r++)
    {
      Row *row = g_ptr_array_index (t->rows, r);
      guint cells_n = row->group ? 1 : n;

      if (row->pl)
        for (guint c = 0; c < cells_n; c++)
          g_clear_object (&row->pl[c]);
      g_free (row->pl);
      row->pl = g_new0 (PangoLayout *, cells_n);
      row->height = 0;
      for (guint c = 0; c < cells_n; c++)
        {
          double w = row->group ? width - pad : t->col_w[c] - pad;
          row->pl[c] = make_layout (self, STYLE_CELL, row->cells[c], MAX (w, 1),
                                    row->group ? PANGO_ALIGN_LEFT : t->columns[c].align);
          row->height = MAX (row->height, layout_height (row->pl[c]));
        }
      row->height += 2 * CELL_PAD_Y * (t->plain ? 0.6 : 1);
      if (row->group)
        row->height += CELL_PAD_Y;
    }
}

static double
content_width (const TrajReport *self)
{
  return self->page_w - 2 * MARGIN_SIDE;
}

static double
patient_chart_height (TrajReport *self, double content_h)
{
  guint n = traj_chart_model_get_n_series (self->chart_model);
  return MIN (90 + 120 * MAX (n, 1), content_h * 0.62);
}

static gboolean
cohort_charts_side_by_side (const TrajReport *self)
{
  return self->cohort_panels <= 1;
}

static void
measure_block (TrajReport *self, Block *b, double width, double content_h, double charts_h)
{
  block_clear_layout (b);
  b->height = 0;
  b->min_height = 0;
  b->title_h = 0;
  switch (b->kind)
    {
    case BLOCK_TEXT:
      b->pl = make_layout (self, b->style, b->markup, width, PANGO_ALIGN_LEFT);
      b->height = layout_height (b->pl);
      if (b->style == STYLE_HEADING)
        b->height += 3;             /* the rule under it */
      break;
    case BLOCK_PAIR:
      b->pl_right = make_layout (self, b->right_style, b->right, 0, PANGO_ALIGN_LEFT);
      {
        int rw, rh;
        pango_layout_get_pixel_size (b->pl_right, &rw, &rh);
        b->pl = make_layout (self, b->style, b->markup, MAX (width - rw - 12, 1), PANGO_ALIGN_LEFT);
        b->height = MAX (layout_height (b->pl), rh);
      }
      break;
    case BLOCK_RULE:
      b->height = 1;
      break;
    case BLOCK_CALLOUT:
      b->pl = make_layout (self, b->style, b->markup, width - 20, PANGO_ALIGN_LEFT);
      b->height = layout_height (b->pl) + 14;
      break;
    case BLOCK_TABLE:
      table_layout (self, b->table, width);
      if (b->markup)
        {
          g_autofree char *cont = g_strdup_printf (_("%s (continued)"), b->markup);
          b->pl = make_layout (self, STYLE_HEADING, b->markup, width, PANGO_ALIGN_LEFT);
          b->pl_continued = make_layout (self, STYLE_HEADING, cont, width, PANGO_ALIGN_LEFT);
          b->title_h = layout_height (b->pl) + 3 + 5;
        }
      break;
    case BLOCK_PATIENT_CHART:
      b->height = patient_chart_height (self, content_h);
      /* Rather a smaller chart than half a page left blank. */
      b->min_height = MIN (b->height, 80 + 85 * MAX (traj_chart_model_get_n_series (self->chart_model), 1));
      break;
    case BLOCK_COHORT_CHARTS:
      b->height = charts_h;
      break;
    default:
      break;
    }
}

static double
page_top (const TrajReport *self, int page)
{
  /* The pages after the first carry a running head. */
  return MARGIN_TOP + (page > 0 && self->head_pl ? layout_height (self->head_pl) + 12 : 0);
}

static double
page_bottom (const TrajReport *self)
{
  return self->page_h - MARGIN_BOTTOM - (self->footer_pl ? layout_height (self->footer_pl) + 10 : 0);
}

/* How much of @b must fit where it starts: a table's title, header and
 * first row (two when the first is a course heading). */
static double
block_min_height (const Block *b)
{
  if (b->kind == BLOCK_TABLE)
    {
      /* A short table is not split; a long one starts with three rows at
       * least (a course heading row does not count). */
      const Table *t = b->table;
      double h = b->title_h + t->header_h;
      guint want = t->rows->len <= 8 ? t->rows->len : 3, got = 0;

      for (guint r = 0; r < t->rows->len && got < want; r++)
        {
          const Row *row = g_ptr_array_index (t->rows, r);
          h += row->height;
          if (!row->group)
            got++;
        }
      return h;
    }
  return b->min_height > 0 ? b->min_height : b->height;
}

static void
paginate (TrajReport *self)
{
  GArray *page = NULL;
  double y = 0, bottom = page_bottom (self);

  g_clear_pointer (&self->pages, g_ptr_array_unref);
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

#define NEW_PAGE()                                                         \
  G_STMT_START {                                                           \
    page = g_array_new (FALSE, TRUE, sizeof (Piece));                      \
    g_ptr_array_add (self->pages, page);                                   \
    y = page_top (self, (int) self->pages->len - 1);                       \
  } G_STMT_END

  NEW_PAGE ();
  for (guint i = 0; i < self->blocks->len; i++)
    {
      Block *b = g_ptr_array_index (self->blocks, i);
      gboolean at_top = page->len == 0;
      double space = at_top ? 0 : b->space_before;
      double need = block_min_height (b);

      /* A heading keeps with what follows it. */
      if (b->keep_with_next && i + 1 < self->blocks->len)
        need += block_min_height (g_ptr_array_index (self->blocks, i + 1)) + 4;
      if (!at_top && y + space + need > bottom)
        {
          NEW_PAGE ();
          space = 0;
        }
      y += space;

      if (b->kind != BLOCK_TABLE)
        {
          Piece p = { b, y, MIN (b->height, MAX (bottom - y, b->min_height)), 0, 0, FALSE };
          g_array_append_val (page, p);
          y += p.height;
          /* A heading's rule sits close to what follows it. */
          if (b->kind == BLOCK_TEXT && b->style == STYLE_HEADING)
            y += 2;
          continue;
        }

      {
        const Table *t = b->table;
        guint r = 0;
        gboolean continued = FALSE;

        while (r < t->rows->len || (r == 0 && t->rows->len == 0))
          {
            Piece p = { b, y, 0, r, r, continued };
            double yy = y + b->title_h + t->header_h;

            while (r < t->rows->len)
              {
                const Row *row = g_ptr_array_index (t->rows, r);
                double h = row->height;

                /* A course heading row never ends a page. */
                if (row->group && r + 1 < t->rows->len)
                  h += ((const Row *) g_ptr_array_index (t->rows, r + 1))->height;
                if (yy + h > bottom && r > p.row_from)
                  break;
                yy += row->height;
                r++;
              }
            p.row_to = r;
            g_array_append_val (page, p);
            y = yy;
            if (r >= t->rows->len)
              break;
            NEW_PAGE ();
            continued = TRUE;
          }
      }
    }
#undef NEW_PAGE
}

static void
ensure_fonts (TrajReport *self, double fscale)
{
  for (guint s = 0; s < N_STYLES; s++)
    {
      g_clear_pointer (&self->fonts[s], pango_font_description_free);
      self->fonts[s] = pango_font_description_new ();
      pango_font_description_set_family (self->fonts[s], self->font_family);
      pango_font_description_set_absolute_size (self->fonts[s], styles[s].size * fscale * PANGO_SCALE);
      if (styles[s].bold)
        pango_font_description_set_weight (self->fonts[s], PANGO_WEIGHT_BOLD);
    }
  self->fscale = fscale;
}

static void
layout_page_furniture (TrajReport *self)
{
  g_clear_object (&self->footer_pl);
  g_clear_object (&self->head_pl);
  self->footer_pl = make_layout (self, STYLE_SMALL, "Page 1 of 1", 0, PANGO_ALIGN_LEFT);
  if (self->kind == REPORT_PATIENT)
    {
      g_autofree char *m = esc (self->running_head);
      self->head_pl = make_layout (self, STYLE_SMALL, m, content_width (self), PANGO_ALIGN_LEFT);
    }
}

static void
layout_for (TrajReport *self, double page_w, double page_h)
{
  double width, content_h;

  if (self->pages && self->page_w == page_w && self->page_h == page_h)
    return;

  if (self->pango == NULL)
    {
      cairo_font_options_t *fo = cairo_font_options_create ();

      self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
      /* Unhinted metrics: the same layout in PDF and on any printer. */
      cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
      cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_NONE);
      pango_cairo_context_set_font_options (self->pango, fo);
      cairo_font_options_destroy (fo);
      pango_cairo_context_set_resolution (self->pango, 72);
    }

  if (self->kind == REPORT_PATIENT)
    {
      self->fit = 1;
      self->page_w = page_w;
      self->page_h = page_h;
      ensure_fonts (self, 1.0);
      layout_page_furniture (self);
      width = content_width (self);
      content_h = page_bottom (self) - page_top (self, 1);
      for (guint i = 0; i < self->blocks->len; i++)
        measure_block (self, g_ptr_array_index (self->blocks, i), width, content_h, 0);
      paginate (self);
      return;
    }

  /* The cohort report is one page: smaller type first, then smaller
   * charts, then the whole page drawn smaller. */
  {
    static const double fscales[] = { 1.0, 0.94, 0.88, 0.82, 0.76, 0.7 };
    double fit = 1.0;

    if (self->cohort_panels == 0)
      {
        TrajCohortChartOptions o;
        g_autoptr(TrajCohortChartLayout) probe = NULL;

        traj_cohort_chart_options_init (&o, TRAJ_COHORT_CHART_BY_INFUSION);
        probe = traj_cohort_chart_layout_new (self->cohort, &o, 400, 300);
        self->cohort_panels = MAX (traj_cohort_chart_layout_get_n_panels (probe), 1);
      }
    for (;;)
      {
        for (guint f = 0; f < G_N_ELEMENTS (fscales); f++)
          {
            double others = 0, avail, min_h, max_h, charts_h;
            gboolean side = cohort_charts_side_by_side (self);

            self->fit = fit;
            self->page_w = page_w / fit;
            self->page_h = page_h / fit;
            ensure_fonts (self, fscales[f]);
            layout_page_furniture (self);
            width = content_width (self);
            content_h = page_bottom (self) - page_top (self, 0);
            for (guint i = 0; i < self->blocks->len; i++)
              {
                Block *b = g_ptr_array_index (self->blocks, i);
                measure_block (self, b, width, content_h, 0);
                if (b->kind == BLOCK_TABLE)
                  {
                    others += b->title_h + b->table->header_h;
                    for (guint r = 0; r < b->table->rows->len; r++)
                      others += ((Row *) g_ptr_array_index (b->table->rows, r))->height;
                  }
                else
                  others += b->height;
                others += i > 0 ? b->space_before : 0;
              }
            min_h = side ? 170 : 2 * 125;
            max_h = side ? MIN (width * 0.48, 300) : 2 * 230;
            avail = content_h - others - 2;
            if (avail < min_h && (f + 1 < G_N_ELEMENTS (fscales)))
              continue;
            charts_h = CLAMP (avail, MIN (min_h, MAX (avail, 0)), max_h);
            if (charts_h < min_h * 0.75)
              charts_h = min_h;
            for (guint i = 0; i < self->blocks->len; i++)
              {
                Block *b = g_ptr_array_index (self->blocks, i);
                if (b->kind == BLOCK_COHORT_CHARTS)
                  b->height = charts_h;
              }
            paginate (self);
            if (self->pages->len == 1)
              {
                self->page_w = page_w;
                self->page_h = page_h;
                return;
              }
            break;
          }
        fit *= 0.92;
        if (fit < 0.3)
          {
            /* Cannot happen with up to a few dozen cohorts; keep one page
             * by dropping what overflows rather than emitting a second. */
            while (self->pages->len > 1)
              g_ptr_array_remove_index (self->pages, self->pages->len - 1);
            self->page_w = page_w;
            self->page_h = page_h;
            return;
          }
      }
  }
}

int
traj_report_get_n_pages (TrajReport *self,
                         double      page_width,
                         double      page_height)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (page_width > 100 && page_height > 100, 0);

  layout_for (self, page_width, page_height);
  return (int) self->pages->len;
}

/* ---- drawing --------------------------------------------------------------------- */

static void
set_rgb (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static void
show (cairo_t *cr, PangoLayout *pl, double x, double y, guint32 rgb)
{
  set_rgb (cr, rgb);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, pl);
}

static void
hline (cairo_t *cr, double x0, double x1, double y, double width, guint32 rgb)
{
  set_rgb (cr, rgb);
  cairo_set_line_width (cr, width);
  cairo_move_to (cr, x0, y);
  cairo_line_to (cr, x1, y);
  cairo_stroke (cr);
}

static void
draw_table_piece (TrajReport *self, cairo_t *cr, const Piece *p, double x)
{
  const Block *b = p->block;
  const Table *t = b->table;
  double width = content_width (self), y = p->y;

  if (b->markup)
    {
      show (cr, p->continued ? b->pl_continued : b->pl, x, y, INK);
      hline (cr, x, x + width, y + layout_height (b->pl) + 2, 0.6, RULE);
      y += b->title_h;
    }
  if (!t->plain)
    {
      cairo_rectangle (cr, x, y, width, t->header_h);
      set_rgb (cr, FILL_HEAD);
      cairo_fill (cr);
      for (guint c = 0; c < t->n_columns; c++)
        show (cr, t->header_pl[c], x + t->col_x[c] + CELL_PAD_X, y + CELL_PAD_Y, INK);
      y += t->header_h;
      hline (cr, x, x + width, y, 0.8, INK_SOFT);
    }
  for (guint r = p->row_from; r < p->row_to; r++)
    {
      const Row *row = g_ptr_array_index (t->rows, r);
      double pad_y = CELL_PAD_Y * (t->plain ? 0.6 : 1);

      if (row->group)
        {
          cairo_rectangle (cr, x, y, width, row->height);
          set_rgb (cr, FILL_GROUP);
          cairo_fill (cr);
          show (cr, row->pl[0], x + CELL_PAD_X, y + pad_y + CELL_PAD_Y * 0.5, INK);
        }
      else
        for (guint c = 0; c < t->n_columns; c++)
          show (cr, row->pl[c], x + t->col_x[c] + CELL_PAD_X, y + pad_y, INK);
      y += row->height;
      if (!t->plain)
        hline (cr, x, x + width, y, 0.4, r + 1 == p->row_to ? RULE : RULE_SOFT);
    }
}

static void
draw_cohort_charts (TrajReport *self, cairo_t *cr, double x, double y, double w, double h)
{
  TrajChartPalette palette;
  TrajCohortChartOptions o;
  double fs = 7.5 * self->fscale, gap = 14;
  double tw, th, kx, ky, kw, kh;

  traj_chart_palette_init_print (&palette);
  if (cohort_charts_side_by_side (self))
    {
      tw = kw = (w - gap) / 2;
      th = kh = h;
      kx = x + tw + gap;
      ky = y;
    }
  else
    {
      /* The time-to-booster chart carries the numbers at risk under it. */
      tw = kw = w;
      th = round ((h - gap) * 0.45);
      kh = h - gap - th;
      kx = x;
      ky = y + th + gap;
    }
  traj_cohort_chart_options_init (&o, TRAJ_COHORT_CHART_BY_INFUSION);
  o.font_size = fs;
  o.show_courses = FALSE;
  o.font_family = self->font_family;
  cairo_save (cr);
  cairo_translate (cr, x, y);
  traj_cohort_chart_render (self->cohort, &o, &palette, cr, tw, th);
  cairo_restore (cr);

  traj_cohort_chart_options_init (&o, TRAJ_COHORT_CHART_KM);
  o.font_size = fs;
  o.font_family = self->font_family;
  cairo_save (cr);
  cairo_translate (cr, kx, ky);
  traj_cohort_chart_render (self->cohort, &o, &palette, cr, kw, kh);
  cairo_restore (cr);
}

static void
draw_piece (TrajReport *self, cairo_t *cr, const Piece *p)
{
  const Block *b = p->block;
  double x = MARGIN_SIDE, width = content_width (self);

  switch (b->kind)
    {
    case BLOCK_TEXT:
      show (cr, b->pl, x, p->y, styles[b->style].color);
      if (b->style == STYLE_HEADING)
        hline (cr, x, x + width, p->y + b->height - 1, 0.6, RULE);
      break;
    case BLOCK_PAIR:
      {
        int rw, rh;
        pango_layout_get_pixel_size (b->pl_right, &rw, &rh);
        show (cr, b->pl, x, p->y + b->height - layout_height (b->pl), styles[b->style].color);
        show (cr, b->pl_right, x + width - rw, p->y + b->height - rh, styles[b->right_style].color);
      }
      break;
    case BLOCK_RULE:
      hline (cr, x, x + width, p->y + 0.5, 1.0, INK_SOFT);
      break;
    case BLOCK_CALLOUT:
      cairo_rectangle (cr, x, p->y, width, b->height);
      set_rgb (cr, ALERT_FILL);
      cairo_fill (cr);
      cairo_rectangle (cr, x, p->y, 4, b->height);
      set_rgb (cr, ALERT);
      cairo_fill (cr);
      show (cr, b->pl, x + 12, p->y + 7, INK);
      break;
    case BLOCK_TABLE:
      draw_table_piece (self, cr, p, x);
      break;
    case BLOCK_PATIENT_CHART:
      {
        TrajChartOptions o;
        TrajChartPalette palette;

        traj_chart_options_init (&o);
        o.font_size = 8;
        o.font_family = self->font_family;
        o.show_title = FALSE;
        traj_chart_palette_init_print (&palette);
        cairo_save (cr);
        cairo_translate (cr, x, p->y);
        traj_chart_render (self->chart_model, &o, &palette, cr, width, p->height);
        cairo_restore (cr);
      }
      break;
    case BLOCK_COHORT_CHARTS:
      draw_cohort_charts (self, cr, x, p->y, width, p->height);
      break;
    default:
      break;
    }
}

void
traj_report_draw_page (TrajReport *self,
                       cairo_t    *cr,
                       int         page,
                       double      page_width,
                       double      page_height)
{
  GArray *pieces;
  double width, footer_y;
  g_autofree char *page_text = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autoptr(PangoLayout) left = NULL;
  int rw, rh;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  layout_for (self, page_width, page_height);
  g_return_if_fail (page >= 0 && (guint) page < self->pages->len);

  pieces = g_ptr_array_index (self->pages, page);
  cairo_save (cr);
  if (self->fit != 1.0)
    {
      self->page_w = page_width / self->fit;
      self->page_h = page_height / self->fit;
      cairo_scale (cr, self->fit, self->fit);
    }
  width = content_width (self);

  if (page > 0 && self->head_pl)
    {
      double hy = MARGIN_TOP;
      show (cr, self->head_pl, MARGIN_SIDE, hy, INK_SOFT);
      hline (cr, MARGIN_SIDE, MARGIN_SIDE + width, hy + layout_height (self->head_pl) + 4, 0.5, RULE);
    }

  for (guint k = 0; k < pieces->len; k++)
    draw_piece (self, cr, &g_array_index (pieces, Piece, k));

  /* Footer: who, when, and which page. */
  footer_y = self->page_h - MARGIN_BOTTOM - layout_height (self->footer_pl);
  hline (cr, MARGIN_SIDE, MARGIN_SIDE + width, footer_y - 5, 0.5, RULE);
  {
    g_autofree char *m = esc (self->footer_left);
    left = make_layout (self, STYLE_SMALL, m, width * 0.7, PANGO_ALIGN_LEFT);
  }
  /* Translators: a report's page number: "Page 2 of 5" */
  page_text = g_strdup_printf (_("Page %d of %u"), page + 1, self->pages->len);
  {
    g_autofree char *m = esc (page_text);
    right = make_layout (self, STYLE_SMALL, m, 0, PANGO_ALIGN_LEFT);
  }
  pango_layout_get_pixel_size (right, &rw, &rh);
  show (cr, left, MARGIN_SIDE, footer_y, INK_SOFT);
  show (cr, right, MARGIN_SIDE + width - rw, footer_y, INK_SOFT);

  if (self->fit != 1.0)
    {
      self->page_w = page_width;
      self->page_h = page_height;
    }
  cairo_restore (cr);
}

/* ---- PDF ------------------------------------------------------------------------ */

gboolean
traj_report_write_pdf (TrajReport              *self,
                       const TrajReportOptions *options,
                       const char              *path,
                       GError                 **error)
{
  double w, h;
  cairo_surface_t *surface;
  cairo_status_t status;
  TrajChartOutput out;
  cairo_t *cr;
  int n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  traj_paper_size_get_size (options ? options->paper : TRAJ_PAPER_A4, &w, &h);
  /* The app's one safe output writer (traj-chart-private.h). */
  if (!traj_chart_output_open (&out, path, error))
    return FALSE;
  surface = cairo_pdf_surface_create_for_stream (traj_chart_output_write, &out, w, h);
  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                      self->kind == REPORT_PATIENT ? self->running_head : _("Cohort report"));
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Trajectory " PACKAGE_VERSION);
      cr = cairo_create (surface);
      n = traj_report_get_n_pages (self, w, h);
      for (int p = 0; p < n; p++)
        {
          traj_report_draw_page (self, cr, p, w, h);
          cairo_show_page (cr);
        }
      status = cairo_status (cr);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  return traj_chart_output_close (&out, status, path, error);
}

gboolean
traj_report_patient_write_pdf (const TrajPatientRecords *records,
                               const TrajOutcomes       *outcomes,
                               const TrajReportOptions  *options,
                               const char               *path,
                               GError                  **error)
{
  g_autoptr(TrajReport) report = NULL;

  g_return_val_if_fail (records != NULL && outcomes != NULL, FALSE);

  report = traj_report_patient_new (records, outcomes, options);
  return traj_report_write_pdf (report, options, path, error);
}

gboolean
traj_report_cohort_write_pdf (const TrajCohortReport  *cohort,
                              const TrajReportOptions *options,
                              const char              *path,
                              GError                 **error)
{
  g_autoptr(TrajReport) report = NULL;

  g_return_val_if_fail (cohort != NULL, FALSE);

  report = traj_report_cohort_new (cohort, options);
  return traj_report_write_pdf (report, options, path, error);
}
