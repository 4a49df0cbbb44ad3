/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include <cairo-pdf.h>

#include "traj-report-private.h"

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

void
rp_row_free (Row *r)
{
  guint n = g_strv_length (r->cells);

  if (r->pl)
    for (guint c = 0; c < n; c++)
      g_clear_object (&r->pl[c]);
  g_free (r->pl);
  g_strfreev (r->cells);
  g_free (r);
}

void
rp_block_clear_layout (Block *b)
{
  g_clear_object (&b->pl);
  g_clear_object (&b->pl_right);
  g_clear_object (&b->pl_continued);
}

void
rp_block_free (Block *b)
{
  rp_block_clear_layout (b);
  g_free (b->markup);
  g_free (b->right);
  table_free (b->table);
  g_free (b);
}

Block *
rp_add_block (TrajReport *self, BlockKind kind, Style style, char *markup, double space_before)
{
  Block *b = g_new0 (Block, 1);

  b->kind = kind;
  b->style = style;
  b->markup = markup;
  b->space_before = space_before;
  g_ptr_array_add (self->blocks, b);
  return b;
}

Block *
rp_add_text (TrajReport *self, Style style, char *markup, double space_before)
{
  return rp_add_block (self, BLOCK_TEXT, style, markup, space_before);
}

Block *
rp_add_heading (TrajReport *self, const char *text)
{
  Block *b = rp_add_block (self, BLOCK_TEXT, STYLE_HEADING, g_markup_escape_text (text, -1), 16);
  b->keep_with_next = TRUE;
  return b;
}

/* A table; @title (plain text) is drawn over it and again, "continued",
 * over each later piece. Columns are given as header, flex, alignment
 * triples ending with NULL. */
Table *
rp_add_table (TrajReport *self, const char *title, double space_before, ...)
{
  Block *b = rp_add_block (self, BLOCK_TABLE, STYLE_HEADING, title ? g_markup_escape_text (title, -1) : NULL,
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
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_row_free);
  b->table = t;
  return t;
}

/* Adds a row; takes the markup strings (exactly the table's columns). */
void
rp_table_add_row (Table *t, char **cells)
{
  Row *r = g_new0 (Row, 1);

  g_assert (g_strv_length (cells) == t->n_columns);
  r->cells = cells;
  g_ptr_array_add (t->rows, r);
}

void
rp_table_add_group (Table *t, char *markup)
{
  Row *r = g_new0 (Row, 1);

  r->group = TRUE;
  r->cells = g_new0 (char *, 2);
  r->cells[0] = markup;
  g_ptr_array_add (t->rows, r);
}

char **
rp_cells (const char *first, ...)
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
char *
rp_soft (const char *text)
{
  g_autofree char *color = hex (INK_SOFT);
  return g_markup_printf_escaped ("<span foreground=\"%s\" size=\"smaller\">%s</span>", color, text);
}


char *
rp_alert (const char *text, gboolean bold)
{
  g_autofree char *color = hex (ALERT);
  g_autofree char *e = rp_esc (text);
  return g_strdup_printf ("<span foreground=\"%s\"%s>%s</span>", color, bold ? " weight=\"bold\"" : "", e);
}

char *
rp_esc (const char *text)
{
  return g_markup_escape_text (text ? text : "", -1);
}

char *
rp_bold (const char *text)
{
  return g_markup_printf_escaped ("<b>%s</b>", text ? text : "");
}

/* A main value with a soft second line. */
char *
rp_two_lines (const char *main, const char *second)
{
  g_autofree char *a = rp_esc (main);
  g_autofree char *b = NULL;

  if (second == NULL || *second == '\0')
    return g_steal_pointer (&a);
  b = rp_soft (second);
  return g_strdup_printf ("%s\n%s", a, b);
}

char *
rp_day_text (gint64 t)
{
  return traj_day_format (traj_day_from_time (t));
}

/* "0.5", "35", "0.75": no trailing zeros. */
char *
rp_number_text (double v, int decimals)
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
char *
rp_signed_text (double v, int decimals, const char *unit)
{
  g_autofree char *n = rp_number_text (fabs (v), decimals);
  const char *sign = "";

  if (g_strcmp0 (n, "0") != 0)
    sign = v < 0 ? "−" : "+";
  return g_strconcat (sign, n, unit, NULL);
}

/* "7.3", "−7.3" (a true minus). */
char *
rp_minus_text (double v, int decimals)
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

char *
rp_scale_name (TrajScaleId id)
{
  const TrajScale *s = traj_scale_get (id);
  return g_strdup (s ? _(s->name) : "—");
}

char *
rp_generated_text (gint64 at)
{
  g_autofree char *when = traj_time_format (at);
  /* Translators: in a report's footer: "Generated 3 Mar 2026, 14:05" */
  return g_strdup_printf (_("Generated %s"), when);
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

/* ---- the report ------------------------------------------------------------- */

TrajReport *
rp_report_new (ReportKind kind, const TrajReportOptions *options, TrajReportOptions *opts)
{
  TrajReport *self;

  if (options)
    *opts = *options;
  else
    traj_report_options_init (opts);
  if (opts->generated_at == TRAJ_TIME_NONE)
    opts->generated_at = traj_time_now ();

  self = g_new0 (TrajReport, 1);
  self->kind = kind;
  self->font_family = g_strdup (opts->font_family ? opts->font_family : "Sans");
  self->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_block_free);
  return self;
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
                                      self->kind != REPORT_COHORT ? self->running_head : _("Cohort report"));
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
