/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include "traj-report-private.h"

/* Measuring the blocks at a page's content width and flowing them onto
 * pages; the cohort report is fitted onto one page. */

const StyleSpec rp_styles[N_STYLES] = {
  [STYLE_TITLE] = { 17, TRUE, INK },
  [STYLE_HEADING] = { 11, TRUE, INK },
  [STYLE_BODY] = { 9, FALSE, INK },
  [STYLE_BODY_BOLD] = { 9, TRUE, INK },
  [STYLE_SMALL] = { 7.5, FALSE, INK_SOFT },
  [STYLE_KICKER] = { 9.5, TRUE, INK_SOFT },
  [STYLE_CELL] = { 8, FALSE, INK },
  [STYLE_CELL_HEAD] = { 7.5, TRUE, INK },
};

PangoLayout *
rp_make_layout (TrajReport *self, Style style, const char *markup, double width, PangoAlignment align)
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

double
rp_layout_height (PangoLayout *pl)
{
  int w, h;
  pango_layout_get_pixel_size (pl, &w, &h);
  (void) w;
  return h;
}

static double
natural_width (TrajReport *self, Style style, const char *markup)
{
  g_autoptr(PangoLayout) pl = rp_make_layout (self, style, markup, 0, PANGO_ALIGN_LEFT);
  PangoRectangle logical;

  pango_layout_get_extents (pl, NULL, &logical);
  return logical.width / (double) PANGO_SCALE;
}

/* The widest word: the least a wrapping column can take. */
static double
widest_word (TrajReport *self, Style style, const char *markup)
{
  g_autoptr(PangoLayout) pl = rp_make_layout (self, style, markup, 1, PANGO_ALIGN_LEFT);
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
          t->header_pl[c] = rp_make_layout (self, STYLE_CELL_HEAD, t->columns[c].header,
                                         MAX (t->col_w[c] - pad, 1), t->columns[c].align);
          t->header_h = MAX (t->header_h, rp_layout_height (t->header_pl[c]));
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
          row->pl[c] = rp_make_layout (self, STYLE_CELL, row->cells[c], MAX (w, 1),
                                    row->group ? PANGO_ALIGN_LEFT : t->columns[c].align);
          row->height = MAX (row->height, rp_layout_height (row->pl[c]));
        }
      row->height += 2 * CELL_PAD_Y * (t->plain ? 0.6 : 1);
      if (row->group)
        row->height += CELL_PAD_Y;
    }
}

double
rp_content_width (const TrajReport *self)
{
  return self->page_w - 2 * MARGIN_SIDE;
}

static double
patient_chart_height (TrajReport *self, double content_h)
{
  guint n = traj_chart_model_get_n_series (self->chart_model);
  return MIN (90 + 120 * MAX (n, 1), content_h * 0.62);
}

gboolean
rp_cohort_charts_side_by_side (const TrajReport *self)
{
  return self->cohort_panels <= 1;
}

static void
measure_block (TrajReport *self, Block *b, double width, double content_h, double charts_h)
{
  rp_block_clear_layout (b);
  b->height = 0;
  b->min_height = 0;
  b->title_h = 0;
  switch (b->kind)
    {
    case BLOCK_TEXT:
      b->pl = rp_make_layout (self, b->style, b->markup, width, PANGO_ALIGN_LEFT);
      b->height = rp_layout_height (b->pl);
      if (b->style == STYLE_HEADING)
        b->height += 3;             /* the rule under it */
      break;
    case BLOCK_PAIR:
      b->pl_right = rp_make_layout (self, b->right_style, b->right, 0, PANGO_ALIGN_LEFT);
      {
        int rw, rh;
        pango_layout_get_pixel_size (b->pl_right, &rw, &rh);
        b->pl = rp_make_layout (self, b->style, b->markup, MAX (width - rw - 12, 1), PANGO_ALIGN_LEFT);
        b->height = MAX (rp_layout_height (b->pl), rh);
      }
      break;
    case BLOCK_RULE:
      b->height = 1;
      break;
    case BLOCK_CALLOUT:
      b->pl = rp_make_layout (self, b->style, b->markup, width - 20, PANGO_ALIGN_LEFT);
      b->height = rp_layout_height (b->pl) + 14;
      break;
    case BLOCK_TABLE:
      table_layout (self, b->table, width);
      if (b->markup)
        {
          g_autofree char *cont = g_strdup_printf (_("%s (continued)"), b->markup);
          b->pl = rp_make_layout (self, STYLE_HEADING, b->markup, width, PANGO_ALIGN_LEFT);
          b->pl_continued = rp_make_layout (self, STYLE_HEADING, cont, width, PANGO_ALIGN_LEFT);
          b->title_h = rp_layout_height (b->pl) + 3 + 5;
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
  return MARGIN_TOP + (page > 0 && self->head_pl ? rp_layout_height (self->head_pl) + 12 : 0);
}

static double
page_bottom (const TrajReport *self)
{
  return self->page_h - MARGIN_BOTTOM - (self->footer_pl ? rp_layout_height (self->footer_pl) + 10 : 0);
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
      pango_font_description_set_absolute_size (self->fonts[s], rp_styles[s].size * fscale * PANGO_SCALE);
      if (rp_styles[s].bold)
        pango_font_description_set_weight (self->fonts[s], PANGO_WEIGHT_BOLD);
    }
  self->fscale = fscale;
}

static void
layout_page_furniture (TrajReport *self)
{
  g_clear_object (&self->footer_pl);
  g_clear_object (&self->head_pl);
  self->footer_pl = rp_make_layout (self, STYLE_SMALL, "Page 1 of 1", 0, PANGO_ALIGN_LEFT);
  if (self->kind != REPORT_COHORT)
    {
      g_autofree char *m = rp_esc (self->running_head);
      self->head_pl = rp_make_layout (self, STYLE_SMALL, m, rp_content_width (self), PANGO_ALIGN_LEFT);
    }
}

void
rp_layout_for (TrajReport *self, double page_w, double page_h)
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

  if (self->kind != REPORT_COHORT)
    {
      self->fit = 1;
      self->page_w = page_w;
      self->page_h = page_h;
      ensure_fonts (self, 1.0);
      layout_page_furniture (self);
      width = rp_content_width (self);
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
            gboolean side = rp_cohort_charts_side_by_side (self);

            self->fit = fit;
            self->page_w = page_w / fit;
            self->page_h = page_h / fit;
            ensure_fonts (self, fscales[f]);
            layout_page_furniture (self);
            width = rp_content_width (self);
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

  rp_layout_for (self, page_width, page_height);
  return (int) self->pages->len;
}

